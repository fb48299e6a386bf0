/*
 * expr: lexer, recursive-descent parser, type checker, evaluator and range
 * analysis of the condition language (see expr.h and docs/story-format.md
 * section 9). The parser stops at the first error in a condition: one
 * located message per condition is more useful than a cascade. Depth is
 * counted on every recursive step, so "((((...))))" 10,000 deep is a
 * diagnostic, not a stack overflow.
 */
#include "expr.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef enum tok {
    K_EOF, K_NUM, K_STR, K_NAME, K_LP, K_RP, K_PLUS, K_MINUS, K_STAR, K_SLASH,
    K_LT, K_LE, K_GT, K_GE, K_EQ, K_NE, K_AND, K_OR, K_NOT, K_TRUE, K_FALSE, K_BAD
} tok;

typedef struct parser {
    arena *a;
    const expr_env *env;
    const char *src;
    size_t n, pos;
    tok t;          /* current token */
    size_t start;   /* its offset */
    size_t len;     /* its length */
    int64_t num;    /* K_NUM value */
    int depth;      /* recursion of the parser itself */
    int parens;     /* open parentheses */
    bool failed;
    bool typed;     /* a type error is waiting (reported if no syntax error) */
    size_t type_off;
    char type_msg[200];
} parser;

static void fail(parser *p, diag_code code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(parser *p, diag_code code, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->env->error(p->env->ctx, code, off, msg);
}

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool word(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

static void next(parser *p)
{
    const char *s = p->src;
    while (p->pos < p->n && (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' ||
                             s[p->pos] == '\r'))
        p->pos++;
    p->start = p->pos;
    if (p->pos >= p->n) {
        p->t = K_EOF;
        p->len = 0;
        return;
    }
    char c = s[p->pos];
    char d = (char)(p->pos + 1 < p->n ? s[p->pos + 1] : '\0');
    size_t two = 0;
    if (c >= '0' && c <= '9') {
        int64_t v = 0;
        // cppcheck-suppress knownConditionTrueFalse ; true on entry, not on later digits
        while (p->pos < p->n && s[p->pos] >= '0' && s[p->pos] <= '9') {
            v = v * 10 + (s[p->pos] - '0');
            if (v > INT32_MAX)
                v = (int64_t)INT32_MAX + 1; /* reported by the parser */
            p->pos++;
        }
        if (p->pos < p->n && is_name_char(s[p->pos])) {
            p->t = K_BAD;
            p->start = p->pos;
            p->len = 1;
            return;
        }
        p->t = K_NUM;
        p->num = v;
    } else if (is_name_start(c)) {
        while (p->pos < p->n && is_name_char(s[p->pos]))
            p->pos++;
        /* One dot joins a snapshot name and a state name. */
        if (p->pos + 1 < p->n && s[p->pos] == '.' && is_name_start(s[p->pos + 1])) {
            p->pos++;
            while (p->pos < p->n && is_name_char(s[p->pos]))
                p->pos++;
        }
        const char *w = s + p->start;
        size_t n = p->pos - p->start;
        p->t = word(w, n, "and")     ? K_AND
               : word(w, n, "or")    ? K_OR
               : word(w, n, "not")   ? K_NOT
               : word(w, n, "true")  ? K_TRUE
               : word(w, n, "false") ? K_FALSE
                                     : K_NAME;
    } else if (c == '"' || c == '\'') {
        p->pos++;
        while (p->pos < p->n && s[p->pos] != c)
            p->pos++;
        if (p->pos >= p->n) {
            p->t = K_BAD;
            p->len = 1;
            p->pos = p->start + 1;
            return;
        }
        p->pos++;
        p->t = K_STR;
    } else {
        p->pos++;
        switch (c) {
        case '(': p->t = K_LP; break;
        case ')': p->t = K_RP; break;
        case '+': p->t = K_PLUS; break;
        case '-': p->t = K_MINUS; break;
        case '*': p->t = K_STAR; break;
        case '/': p->t = K_SLASH; break;
        case '<': p->t = d == '=' ? (two = 1, K_LE) : K_LT; break;
        case '>': p->t = d == '=' ? (two = 1, K_GE) : K_GT; break;
        case '=': p->t = d == '=' ? (two = 1, K_EQ) : K_BAD; break;
        case '!': p->t = d == '=' ? (two = 1, K_NE) : K_BAD; break;
        case '&': p->t = d == '&' ? (two = 1, K_AND) : K_BAD; break;
        case '|': p->t = d == '|' ? (two = 1, K_OR) : K_BAD; break;
        default:
            /* Take in a whole UTF-8 character (a pasted '≥' or '“'), so
             * that the message quotes it: a lone lead byte would be shown
             * as '?'. */
            if ((unsigned char)c >= 0x80) {
                uint32_t cp;
                size_t k = utf8_decode(s + p->pos - 1, p->n - p->pos + 1, &cp);
                two = k ? k - 1 : 0;
            }
            p->t = K_BAD;
            break;
        }
        p->pos += two;
    }
    p->len = p->pos - p->start;
}

static const char *tok_text(parser *p, char *tmp, size_t cap)
{
    if (p->t == K_EOF)
        return "the end of the condition";
    size_t n = utf8_cut(p->src + p->start, p->len, cap - 3);
    snprintf(tmp, cap, "'%.*s'", (int)n, p->src + p->start);
    return tmp;
}

static expr *node(parser *p, expr_op op, expr_type type, const expr *a, const expr *b)
{
    expr *e = arena_alloc(p->a, sizeof *e);
    e->op = (uint8_t)op;
    e->type = (uint8_t)type;
    e->a = a;
    e->b = b;
    int d = a ? a->depth : 0;
    if (b && b->depth > d)
        d = b->depth;
    e->depth = (uint16_t)(d + 1);
    if (d + 1 > EXPR_MAX_DEPTH)
        fail(p, D_EXPR_SYNTAX, p->start, "condition nested more than %d levels deep: split it", EXPR_MAX_DEPTH);
    return e;
}

static const char *type_name(expr_type t)
{
    switch (t) {
    case T_NUM: return "a number";
    case T_BOOL: return "true or false";
    case T_OPT: return "an option";
    default: return "a string";
    }
}

static const expr *parse_or(parser *p);

static bool enter(parser *p)
{
    /* A parenthesised level costs up to four frames (or, not, unary,
     * and a not inside); the limits authors meet are the tree depth in
     * node() and the parentheses in parse_primary: this one only guards
     * the stack. */
    if (++p->depth > 5 * EXPR_MAX_DEPTH + 8) {
        fail(p, D_EXPR_SYNTAX, p->start, "condition nested more than %d levels deep: split it",
             EXPR_MAX_DEPTH);
        return false;
    }
    return true;
}

/* A lone '=' at offset at: says what the author most likely meant. '=>'
 * and '> =' are a misspelt '>=' (or '<=', '!='), anything else is the
 * assignment habit of other languages. */
static void fail_equals(parser *p, size_t at)
{
    char c = (char)(at + 1 < p->n ? p->src[at + 1] : 0);
    if (c == '<' || c == '>') {
        fail(p, D_EXPR_SYNTAX, at, "'=%c' is not a comparison: write '%c='", c, c);
        return;
    }
    size_t i = at;
    while (i > 0 && (p->src[i - 1] == ' ' || p->src[i - 1] == '\t'))
        i--;
    c = (char)(i > 0 ? p->src[i - 1] : 0);
    if (i < at && (c == '<' || c == '>' || c == '!'))
        fail(p, D_EXPR_SYNTAX, at, "'%c' and '=' are apart: write '%c=' without a space", c, c);
    else
        fail(p, D_EXPR_SYNTAX, at, "'=' is not a comparison: write '=='");
}

static const expr *parse_primary(parser *p)
{
    char tmp[64];
    size_t at = p->start;
    switch (p->t) {
    case K_NUM: {
        if (p->num > INT32_MAX) {
            fail(p, D_EXPR_SYNTAX, at, "number too large (the limit is 2147483647)");
            return NULL;
        }
        expr *e = node(p, X_CONST, T_NUM, NULL, NULL);
        e->v = (int32_t)p->num;
        next(p);
        return e;
    }
    case K_TRUE:
    case K_FALSE: {
        expr *e = node(p, X_CONST, T_BOOL, NULL, NULL);
        e->v = p->t == K_TRUE;
        next(p);
        return e;
    }
    case K_STR: {
        /* Kept as a constant with the text's offset; resolved against the
         * option it is compared with. */
        expr *e = node(p, X_CONST, T_STR, NULL, NULL);
        e->v = (int32_t)at;
        next(p);
        return e;
    }
    case K_NAME: {
        expr_name nm = {0};
        if (!p->env->resolve(p->env->ctx, p->src + at, p->len, &nm)) {
            if (nm.hint)
                fail(p, D_UNKNOWN_NAME, at, "unknown name '%.*s' in condition (did you mean '%s'?)",
                     (int)p->len, p->src + at, nm.hint);
            else
                fail(p, D_UNKNOWN_NAME, at, "unknown name '%.*s' in condition", (int)p->len,
                     p->src + at);
            return NULL;
        }
        expr *e = node(p, X_VAR, nm.type, NULL, NULL);
        e->v = nm.slot;
        e->var = (uint16_t)nm.var;
        next(p);
        return e;
    }
    case K_LP: {
        if (++p->parens > EXPR_MAX_DEPTH) {
            fail(p, D_EXPR_SYNTAX, at, "condition nested more than %d levels deep: split it", EXPR_MAX_DEPTH);
            return NULL;
        }
        next(p);
        const expr *e = parse_or(p);
        p->parens--;
        if (!e)
            return NULL;
        if (p->t != K_RP) {
            fail(p, D_EXPR_SYNTAX, p->start, "expected ')' to close '(', found %s",
                 tok_text(p, tmp, sizeof tmp));
            return NULL;
        }
        next(p);
        return e;
    }
    case K_BAD:
        if (p->src[at] == '=')
            fail_equals(p, at);
        else if (p->src[at] == '"' || p->src[at] == '\'')
            fail(p, D_EXPR_SYNTAX, at, "string not closed");
        else
            fail(p, D_EXPR_SYNTAX, at, "unexpected character %s", tok_text(p, tmp, sizeof tmp));
        return NULL;
    default:
        fail(p, D_EXPR_SYNTAX, at, "expected a value, found %s", tok_text(p, tmp, sizeof tmp));
        return NULL;
    }
}

/* Records the first type error and lets parsing go on, so that a syntax
 * error later in the condition (the likelier mistake) is the one shown. */
static void type_error(parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void type_error(parser *p, size_t at, const char *fmt, ...)
{
    if (p->typed)
        return;
    p->typed = true;
    p->type_off = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->type_msg, sizeof p->type_msg, fmt, ap);
    va_end(ap);
}

static bool need(parser *p, const expr *e, expr_type t, size_t at, const char *what)
{
    if (!e)
        return false;
    if (e->type != t)
        type_error(p, at, "%s needs %s, not %s", what, type_name(t), type_name(e->type));
    return true;
}

static const expr *parse_unary(parser *p)
{
    if (!enter(p))
        return NULL;
    const expr *e;
    size_t at = p->start;
    if (p->t == K_MINUS) {
        next(p);
        const expr *a = parse_unary(p);
        e = need(p, a, T_NUM, at, "'-'") ? node(p, X_NEG, T_NUM, a, NULL) : NULL;
    } else {
        e = parse_primary(p);
    }
    p->depth--;
    return e;
}

static const expr *parse_binary_num(parser *p, int level);

static const expr *parse_mul(parser *p)
{
    return parse_binary_num(p, 1);
}

/* Left-associative + - (level 0) and * / (level 1). */
static const expr *parse_binary_num(parser *p, int level)
{
    const expr *a = level ? parse_unary(p) : parse_mul(p);
    for (;;) {
        tok t = p->t;
        bool mine = level ? (t == K_STAR || t == K_SLASH) : (t == K_PLUS || t == K_MINUS);
        if (!a || !mine)
            return a;
        size_t at = p->start;
        const char op[2] = {p->src[at], 0};
        next(p);
        const expr *b = level ? parse_unary(p) : parse_mul(p);
        if (!need(p, a, T_NUM, at, op[0] == '+' ? "'+'" : op[0] == '-' ? "'-'" : op[0] == '*' ? "'*'" : "'/'") ||
            !need(p, b, T_NUM, at, op[0] == '+' ? "'+'" : op[0] == '-' ? "'-'" : op[0] == '*' ? "'*'" : "'/'"))
            return NULL;
        expr_op xo = t == K_PLUS ? X_ADD : t == K_MINUS ? X_SUB : t == K_STAR ? X_MUL : X_DIV;
        a = node(p, xo, T_NUM, a, b);
    }
}

/* Turns a string constant compared with option opt into the index of the
 * option's value; reports an unknown value. */
static const expr *option_const(parser *p, const expr *opt, const expr *str)
{
    size_t at = (size_t)str->v;
    const char *s = p->src + at + 1;
    const char *end = memchr(s, p->src[at], p->n - at - 1);
    size_t n = (size_t)(end - s);
    const char *hint = NULL;
    int idx = p->env->option_value(p->env->ctx, opt->var, s, n, &hint);
    if (idx < 0) {
        if (hint)
            fail(p, D_UNKNOWN_VALUE, at, "'%.*s' is not a value of this option (did you mean '%s'?)",
                 (int)n, s, hint);
        else
            fail(p, D_UNKNOWN_VALUE, at, "'%.*s' is not a value of this option", (int)n, s);
        return NULL;
    }
    expr *e = node(p, X_CONST, T_OPT, NULL, NULL);
    e->v = idx;
    e->var = opt->var;
    return e;
}

static const expr *parse_cmp(parser *p)
{
    const expr *a = parse_binary_num(p, 0);
    tok t = p->t;
    if (!a || t < K_LT || t > K_NE)
        return a;
    size_t at = p->start;
    next(p);
    const expr *b = parse_binary_num(p, 0);
    if (!b)
        return NULL;
    static const expr_op ops[] = {X_LT, X_LE, X_GT, X_GE, X_EQ, X_NE};
    expr_op op = ops[t - K_LT];
    if (op == X_EQ || op == X_NE) {
        if (a->type == T_OPT && b->type == T_STR)
            b = option_const(p, a, b);
        else if (a->type == T_STR && b->type == T_OPT)
            a = option_const(p, b, a);
        if (!a || !b)
            return NULL;
        if (a->type != b->type || a->type == T_STR || (a->type == T_OPT && a->var != b->var))
            type_error(p, at, "cannot compare %s with %s", type_name(a->type), type_name(b->type));
    } else if (!need(p, a, T_NUM, at, "a comparison") || !need(p, b, T_NUM, at, "a comparison")) {
        return NULL;
    }
    if (p->t >= K_LT && p->t <= K_NE) {
        fail(p, D_EXPR_SYNTAX, p->start, "comparisons do not chain: write 'a < b and b < c'");
        return NULL;
    }
    return node(p, op, T_BOOL, a, b);
}

static const expr *parse_not(parser *p)
{
    if (!enter(p))
        return NULL;
    const expr *e;
    if (p->t == K_NOT) {
        size_t at = p->start;
        next(p);
        const expr *a = parse_not(p);
        e = need(p, a, T_BOOL, at, "'not'") ? node(p, X_NOT, T_BOOL, a, NULL) : NULL;
    } else {
        e = parse_cmp(p);
    }
    p->depth--;
    return e;
}

static const expr *parse_and(parser *p)
{
    const expr *a = parse_not(p);
    while (a && p->t == K_AND) {
        size_t at = p->start;
        next(p);
        const expr *b = parse_not(p);
        if (!need(p, a, T_BOOL, at, "'and'") || !need(p, b, T_BOOL, at, "'and'"))
            return NULL;
        a = node(p, X_AND, T_BOOL, a, b);
    }
    return a;
}

static const expr *parse_or(parser *p)
{
    if (!enter(p))
        return NULL;
    const expr *a = parse_and(p);
    while (a && p->t == K_OR) {
        size_t at = p->start;
        next(p);
        const expr *b = parse_and(p);
        if (!need(p, a, T_BOOL, at, "'or'") || !need(p, b, T_BOOL, at, "'or'")) {
            a = NULL;
            break;
        }
        a = node(p, X_OR, T_BOOL, a, b);
    }
    p->depth--;
    return a;
}

const expr *expr_parse(arena *a, const char *src, size_t n, const expr_env *env, expr_type want)
{
    parser p = {.a = a, .env = env, .src = src, .n = n};
    next(&p);
    if (p.t == K_EOF) {
        fail(&p, D_EXPR_SYNTAX, 0, "empty condition");
        return NULL;
    }
    const expr *e = parse_or(&p);
    if (e && p.t != K_EOF) {
        if (p.t == K_BAD && p.src[p.start] == '=') {
            fail_equals(&p, p.start);
            return NULL;
        }
        char tmp[64];
        fail(&p, D_EXPR_SYNTAX, p.start, "unexpected %s after the condition",
                 tok_text(&p, tmp, sizeof tmp));
        return NULL;
    }
    if (p.failed)
        return NULL;
    if (p.typed) {
        p.env->error(p.env->ctx, D_EXPR_TYPE, p.type_off, p.type_msg);
        return NULL;
    }
    if (e && e->type != want) {
        fail(&p, D_EXPR_TYPE, 0, "this condition gives %s; it must give %s", type_name(e->type),
             type_name(want));
        return NULL;
    }
    return e;
}

static int32_t sat(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

int32_t expr_eval(const expr *e, const int32_t *s)
{
    switch ((expr_op)e->op) {
    case X_CONST: return e->v;
    case X_VAR: return s[e->v];
    case X_NEG: return sat(-(int64_t)expr_eval(e->a, s));
    case X_NOT: return !expr_eval(e->a, s);
    case X_AND: return expr_eval(e->a, s) && expr_eval(e->b, s);
    case X_OR: return expr_eval(e->a, s) || expr_eval(e->b, s);
    default: break;
    }
    int64_t a = expr_eval(e->a, s), b = expr_eval(e->b, s);
    switch ((expr_op)e->op) {
    case X_ADD: return sat(a + b);
    case X_SUB: return sat(a - b);
    case X_MUL: return sat(a * b);
    case X_DIV: return b == 0 ? 0 : sat(a / b);
    case X_LT: return a < b;
    case X_LE: return a <= b;
    case X_GT: return a > b;
    case X_GE: return a >= b;
    case X_EQ: return a == b;
    case X_NE: return a != b;
    default: return 0; /* unreachable: every op is handled above */
    }
}

static int64_t clamp64(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
}

static int64_t min4(int64_t a, int64_t b, int64_t c, int64_t d)
{
    int64_t m = a < b ? a : b;
    m = m < c ? m : c;
    return m < d ? m : d;
}

static int64_t max4(int64_t a, int64_t b, int64_t c, int64_t d)
{
    int64_t m = a > b ? a : b;
    m = m > c ? m : c;
    return m > d ? m : d;
}

void expr_range(const expr *e, const int32_t *lo, const int32_t *hi, int64_t *rlo, int64_t *rhi)
{
    int64_t al = 0, ah = 0, bl = 0, bh = 0;
    switch ((expr_op)e->op) {
    case X_CONST: *rlo = *rhi = e->v; return;
    case X_VAR: *rlo = lo[e->v]; *rhi = hi[e->v]; return;
    default: break;
    }
    expr_range(e->a, lo, hi, &al, &ah);
    if (e->b)
        expr_range(e->b, lo, hi, &bl, &bh);
    switch ((expr_op)e->op) {
    case X_NEG: *rlo = clamp64(-ah); *rhi = clamp64(-al); return;
    case X_NOT: *rlo = 1 - ah; *rhi = 1 - al; return;
    case X_AND: *rlo = al && bl; *rhi = ah && bh; return;
    case X_OR: *rlo = al || bl; *rhi = ah || bh; return;
    case X_ADD: *rlo = clamp64(al + bl); *rhi = clamp64(ah + bh); return;
    case X_SUB: *rlo = clamp64(al - bh); *rhi = clamp64(ah - bl); return;
    case X_MUL:
        *rlo = clamp64(min4(al * bl, al * bh, ah * bl, ah * bh));
        *rhi = clamp64(max4(al * bl, al * bh, ah * bl, ah * bh));
        return;
    case X_DIV:
        if (bl == bh && bl != 0) {
            *rlo = clamp64(al / bl < ah / bl ? al / bl : ah / bl);
            *rhi = clamp64(al / bl > ah / bl ? al / bl : ah / bl);
        } else {
            /* Any divisor range: |a / b| <= |a|, and 0 is possible. */
            int64_t m = al < 0 ? -al : al, n = ah < 0 ? -ah : ah, big = m > n ? m : n;
            *rlo = clamp64(-big);
            *rhi = clamp64(big);
        }
        return;
    case X_LT: *rlo = ah < bl; *rhi = al < bh; return;
    case X_LE: *rlo = ah <= bl; *rhi = al <= bh; return;
    case X_GT: *rlo = al > bh; *rhi = ah > bl; return;
    case X_GE: *rlo = al >= bh; *rhi = ah >= bl; return;
    case X_EQ: *rlo = al == ah && bl == bh && al == bl; *rhi = !(ah < bl || bh < al); return;
    case X_NE: *rlo = ah < bl || bh < al; *rhi = !(al == ah && bl == bh && al == bl); return;
    default: *rlo = INT32_MIN; *rhi = INT32_MAX; return;
    }
}

int64_t expr_distance(const expr *e, const int32_t *s, bool want)
{
    enum { FLIP = 10 };
    int64_t a, b, d1, d2;
    switch ((expr_op)e->op) {
    case X_NOT: return expr_distance(e->a, s, !want);
    case X_AND:
    case X_OR:
        d1 = expr_distance(e->a, s, want);
        d2 = expr_distance(e->b, s, want);
        /* "a and b" true needs both; false needs either (De Morgan). */
        if ((e->op == X_AND) == want)
            return d1 + d2;
        return d1 < d2 ? d1 : d2;
    case X_LT: case X_LE: case X_GT: case X_GE: case X_EQ: case X_NE:
        if (e->a->type != T_NUM)
            return (expr_eval(e, s) != 0) == want ? 0 : FLIP;
        a = expr_eval(e->a, s);
        b = expr_eval(e->b, s);
        switch ((expr_op)e->op) {
        case X_LT: return want ? (a < b ? 0 : a - b + 1) : (a >= b ? 0 : b - a);
        case X_LE: return want ? (a <= b ? 0 : a - b) : (a > b ? 0 : b - a + 1);
        case X_GT: return want ? (a > b ? 0 : b - a + 1) : (a <= b ? 0 : a - b);
        case X_GE: return want ? (a >= b ? 0 : b - a) : (a < b ? 0 : a - b + 1);
        case X_EQ: return want ? (a > b ? a - b : b - a) : (a != b ? 0 : 1);
        default: return want ? (a != b ? 0 : 1) : (a > b ? a - b : b - a);
        }
    default:
        return (expr_eval(e, s) != 0) == want ? 0 : FLIP;
    }
}
