/*
 * expr: the condition language of packs. A condition is parsed once, at
 * load, into a tree of nodes in the pack's arena, with every name already
 * resolved to a slot of the game state and every type checked, so that
 * evaluating it at run time is a walk over integers that cannot fail.
 * Values are 32-bit integers; booleans are 0 and 1; an option's value is
 * the index of one of its declared values. Arithmetic saturates instead of
 * overflowing and division by zero gives 0, so no pack can make the
 * runtime trap.
 */
#ifndef IWM_EXPR_H
#define IWM_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

typedef enum expr_type { T_NUM, T_BOOL, T_OPT, T_STR } expr_type;

typedef enum expr_op {
    X_CONST, X_VAR, X_NEG, X_NOT, X_ADD, X_SUB, X_MUL, X_DIV,
    X_LT, X_LE, X_GT, X_GE, X_EQ, X_NE, X_AND, X_OR
} expr_op;

typedef struct expr {
    uint8_t op;     /* expr_op */
    uint8_t type;   /* expr_type of the result */
    uint16_t var;   /* X_VAR of an option: the pack variable */
    uint16_t depth; /* levels of the tree below and including this node */
    int32_t v;    /* X_CONST: the value; X_VAR: the state slot */
    const struct expr *a, *b;
} expr;

/* What a name in a condition refers to, as the loader resolves it. */
typedef struct expr_name {
    int slot;         /* index into the game state */
    expr_type type;   /* T_NUM, T_BOOL or T_OPT */
    int var;          /* the pack variable (for option values and usage) */
    int32_t lo, hi;   /* the bounds the value can take, for range analysis */
    const char *hint; /* on failure: a close name to suggest, or NULL */
} expr_name;

/* The loader's side of parsing: name resolution and error reporting. */
typedef struct expr_env {
    void *ctx;
    /* Resolves name[0..n) (may contain one '.' for a snapshot). Returns
     * false, possibly with out->hint set, when there is no such name. */
    bool (*resolve)(void *ctx, const char *name, size_t n, expr_name *out);
    /* The index of value s[0..n) of option var, or -1 with *hint set to a
     * close value or NULL. */
    int (*option_value)(void *ctx, int var, const char *s, size_t n, const char **hint);
    /* Reports an error at byte offset off of the source being parsed. */
    void (*error)(void *ctx, diag_code code, size_t off, const char *msg);
} expr_env;

enum { EXPR_MAX_DEPTH = 64 };

/* Parses src[0..n) as a condition whose result must have type want
 * (T_BOOL for conditions). Returns the tree, or NULL after reporting the
 * first error through env->error: a syntax error if there is one, else the
 * first type error. A tree deeper than EXPR_MAX_DEPTH (parentheses, or a
 * long chain such as a + 1 + 1 + ...) is an error, so hostile input can
 * exhaust neither the parser's stack nor the evaluator's. */
const expr *expr_parse(arena *a, const char *src, size_t n, const expr_env *env, expr_type want);

/* The value of e in state s (e must come from expr_parse). */
int32_t expr_eval(const expr *e, const int32_t *s);

/* Interval analysis: the range of values e can take when every slot i lies
 * in [lo[i], hi[i]]. Conservative: the true range is inside the result. */
void expr_range(const expr *e, const int32_t *lo, const int32_t *hi, int64_t *rlo, int64_t *rhi);

/* How far state s is from making the boolean e evaluate to want: 0 when
 * it already does, otherwise a sum of the margins by which comparisons
 * miss (a flag or boolean that must flip counts 10). A heuristic for
 * searches, not a metric: `and` adds, `or` takes the smaller side. */
int64_t expr_distance(const expr *e, const int32_t *s, bool want);

#endif
