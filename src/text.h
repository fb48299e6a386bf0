/*
 * text: the text language of packs (docs/story-format.md section 6):
 * literal runs, {name} interpolation and {CONDITION: THEN | ELSE} inline
 * branches, with \{ \} \| \\ as literal characters. A text is compiled
 * once at load into a flat array of segments in the pack's arena; rendering
 * appends to a buf and allocates nothing once the buf has grown.
 */
#ifndef IWM_TEXT_H
#define IWM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "expr.h"

typedef struct text text;

/* A name inserted by {name}, resolved by the loader. */
typedef struct text_name {
    int slot;
    expr_type type;            /* T_NUM, T_BOOL or T_OPT */
    const char *const *values; /* T_OPT: the option's value names */
    const char *hint;          /* on failure: a close name or NULL */
} text_name;

typedef struct text_env {
    const expr_env *expr;
    bool (*resolve)(void *ctx, const char *name, size_t n, text_name *out);
} text_env;

enum { TEXT_MAX_DEPTH = 16 };

/* Compiles s[0..n). Returns NULL after reporting errors through
 * env->expr->error (offsets into s). */
const text *text_compile(arena *a, const char *s, size_t n, const text_env *env);

/* Appends the text as it reads in state st. */
void text_render(const text *t, const int32_t *st, buf *out);

/* True when the text has no segments at all (an empty string). */
int text_empty(const text *t);

#endif
