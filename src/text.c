/*
 * text: compiling and rendering narration (see text.h). Compilation is a
 * single scan that finds the extent of each {...} by counting unescaped
 * braces, then compiles branches recursively with a depth limit. Segments
 * live in one array per text so rendering walks memory in order.
 */
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum seg_kind { S_LIT, S_VAR, S_COND };

typedef struct seg {
    uint8_t kind;
    uint8_t type;    /* S_VAR: expr_type */
    uint8_t capital; /* S_VAR: capitalise the first letter */
    int32_t slot;
    const char *s; /* S_LIT */
    size_t len;
    const char *const *values; /* S_VAR of an option */
    const expr *cond;          /* S_COND */
    const text *then, *els;    /* S_COND; els may be NULL */
} seg;

struct text {
    size_t n;
    seg v[];
};

typedef struct compiler {
    arena *a;
    const text_env *env;
    const char *base; /* the whole source, for error offsets */
    int depth;
    int failed;
} compiler;

static void err(compiler *c, diag_code code, const char *at, const char *msg)
{
    c->failed = 1;
    c->env->expr->error(c->env->expr->ctx, code, (size_t)(at - c->base), msg);
}

/* Finds the '}' closing the '{' just before s, and the first unescaped
 * ':' and '|' at depth 0 (NULL when absent). Returns NULL if unclosed. */
static const char *scan_braces(const char *s, const char *end, const char **colon, const char **bar)
{
    int depth = 0;
    *colon = *bar = NULL;
    for (const char *p = s; p < end; p++) {
        if (*p == '\\' && p + 1 < end) {
            p++;
            continue;
        }
        if (*p == '{')
            depth++;
        else if (*p == '}') {
            if (depth == 0)
                return p;
            depth--;
        } else if (depth == 0 && *p == ':' && !*colon)
            *colon = p;
        else if (depth == 0 && *p == '|' && *colon && !*bar)
            *bar = p;
    }
    return NULL;
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\n' || (*e)[-1] == '\r'))
        (*e)--;
}

static const text *compile(compiler *c, const char *s, const char *end);

/* expr reports offsets relative to the string it parses; a shifted env
 * turns them into offsets relative to the whole text. */
typedef struct shifted {
    const expr_env *env;
    size_t shift;
} shifted;

static bool sh_resolve(void *ctx, const char *name, size_t n, expr_name *out)
{
    const shifted *sh = ctx;
    return sh->env->resolve(sh->env->ctx, name, n, out);
}

static int sh_value(void *ctx, int var, const char *s, size_t n, const char **hint)
{
    const shifted *sh = ctx;
    return sh->env->option_value(sh->env->ctx, var, s, n, hint);
}

static void sh_error(void *ctx, diag_code code, size_t off, const char *msg)
{
    const shifted *sh = ctx;
    sh->env->error(sh->env->ctx, code, off + sh->shift, msg);
}

static const expr *parse_cond(compiler *c, const char *s, const char *e)
{
    shifted sh = {c->env->expr, (size_t)(s - c->base)};
    expr_env env = {&sh, sh_resolve, sh_value, sh_error};
    const expr *x = expr_parse(c->a, s, (size_t)(e - s), &env, T_BOOL);
    if (!x)
        c->failed = 1;
    return x;
}

/* Compiles {name} between the braces at open and close into *out. */
static bool add_var(compiler *c, seg *out, const char *open, const char *close)
{
    const char *ns = open + 1, *ne = close;
    trim(&ns, &ne);
    size_t n = (size_t)(ne - ns);
    if (n == 0) {
        err(c, D_TEXT_SYNTAX, open, "empty '{}': write a name, or \\{ for a brace");
        return false;
    }
    /* {Parent} is {parent} with a capital: resolve the lower-case name.
     * Room for snapshot.name with both parts at the 64-character limit. */
    char name[160];
    bool capital = *ns >= 'A' && *ns <= 'Z';
    text_name nm = {0};
    bool ok = n < sizeof name;
    if (ok) {
        memcpy(name, ns, n);
        if (capital)
            name[0] = (char)(name[0] - 'A' + 'a');
        ok = c->env->resolve(c->env->expr->ctx, name, n, &nm);
    }
    if (!ok) {
        char msg[256];
        int shown = (int)(n > 60 ? 60 : n);
        if (nm.hint)
            snprintf(msg, sizeof msg, "unknown name '%.*s' in text (did you mean '%s'?)", shown, ns,
                     nm.hint);
        else
            snprintf(msg, sizeof msg, "unknown name '%.*s' in text", shown, ns);
        err(c, D_UNKNOWN_NAME, ns, msg);
        return false;
    }
    *out = (seg){.kind = S_VAR, .type = (uint8_t)nm.type, .capital = capital, .slot = nm.slot,
                 .values = nm.values};
    return true;
}

/* Adds a literal run, unescaping backslashes. The literal is copied only
 * when it holds an escape; otherwise it points into an arena copy made by
 * the caller. */
static void add_lit(compiler *c, seg *v, size_t *n, const char *s, const char *e)
{
    if (s >= e)
        return;
    if (!memchr(s, '\\', (size_t)(e - s))) {
        v[*n] = (seg){.kind = S_LIT, .s = s, .len = (size_t)(e - s)};
        (*n)++;
        return;
    }
    char *d = arena_alloc(c->a, (size_t)(e - s) + 1), *o = d;
    for (const char *p = s; p < e; p++) {
        if (*p == '\\' && p + 1 < e && strchr("{}|\\", p[1]))
            p++;
        *o++ = *p;
    }
    v[*n] = (seg){.kind = S_LIT, .s = d, .len = (size_t)(o - d)};
    (*n)++;
}

/* The next '{', '}' or '\\' in [p, end), or end. Narration is mostly
 * plain prose, so three vectorised memchr scans beat a loop over bytes. */
static const char *next_special(const char *p, const char *end)
{
    const char *best = end;
    static const char specials[] = {'{', '}', '\\'};
    for (int i = 0; i < 3; i++) {
        const char *q = memchr(p, specials[i], (size_t)(best - p));
        if (q)
            best = q;
    }
    return best;
}

static const text *compile(compiler *c, const char *s, const char *end)
{
    if (++c->depth > TEXT_MAX_DEPTH) {
        err(c, D_TEXT_SYNTAX, s, "text nested more than 16 levels deep");
        c->depth--;
        return NULL;
    }
    /* Upper bound on segments: every '{' and '}' can split a run. The
     * segments are built in a scratch array (on the stack for the common
     * short text) and only the ones used are copied to the arena: sizing
     * the arena copy by the bound wasted 13 MB on a 10,000-scene pack. */
    size_t cap = 1;
    for (const char *p = s; (p = next_special(p, end)) < end; p++)
        cap++;
    cap = cap * 2 + 1;
    seg local[16];
    seg *v = cap <= 16 ? local : xmalloc(cap * sizeof(seg));
    size_t n = 0;
    const char *lit = s;
    for (const char *p = s; p < end && !c->failed; p++) {
        p = next_special(p, end);
        if (p == end)
            break;
        if (*p == '\\' && p + 1 < end) {
            p++;
            continue;
        }
        if (*p == '}') {
            err(c, D_TEXT_SYNTAX, p, "'}' without a matching '{' (write \\} for a brace)");
            break;
        }
        if (*p != '{')
            continue;
        add_lit(c, v, &n, lit, p);
        const char *colon, *bar;
        const char *close = scan_braces(p + 1, end, &colon, &bar);
        if (!close) {
            err(c, D_TEXT_SYNTAX, p, "'{' is never closed (write \\{ for a brace)");
            break;
        }
        if (!colon) {
            if (!add_var(c, &v[n], p, close))
                break;
            n++;
        } else {
            const expr *cond = parse_cond(c, p + 1, colon);
            if (!cond)
                break;
            const char *ts = colon + 1, *te = bar ? bar : close;
            trim(&ts, &te);
            const text *then = compile(c, ts, te);
            const text *els = NULL;
            if (bar && !c->failed) {
                const char *es = bar + 1, *ee = close;
                trim(&es, &ee);
                els = compile(c, es, ee);
            }
            if (c->failed)
                break;
            v[n++] = (seg){.kind = S_COND, .cond = cond, .then = then, .els = els};
        }
        p = close;
        lit = close + 1;
    }
    if (!c->failed)
        add_lit(c, v, &n, lit, end);
    c->depth--;
    text *t = NULL;
    if (!c->failed) {
        t = arena_alloc(c->a, sizeof(text) + n * sizeof(seg));
        t->n = n;
        memcpy(t->v, v, n * sizeof(seg));
    }
    if (v != local)
        free(v);
    return t;
}

const text *text_compile(arena *a, const char *s, size_t n, const text_env *env)
{
    compiler c = {.a = a, .env = env, .base = s};
    return compile(&c, s, s + n);
}

static void put_int(buf *out, int32_t v)
{
    char tmp[16];
    int k = snprintf(tmp, sizeof tmp, "%d", (int)v);
    buf_append(out, tmp, (size_t)k);
}

void text_render(const text *t, const int32_t *st, buf *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const seg *g = &t->v[i];
        switch ((enum seg_kind)g->kind) {
        case S_LIT:
            buf_append(out, g->s, g->len);
            break;
        case S_COND:
            if (expr_eval(g->cond, st))
                text_render(g->then, st, out);
            else if (g->els)
                text_render(g->els, st, out);
            break;
        case S_VAR: {
            int32_t v = st[g->slot];
            size_t at = out->len;
            if (g->type == T_NUM)
                put_int(out, v);
            else if (g->type == T_BOOL)
                buf_puts(out, v ? "true" : "false");
            else
                buf_puts(out, g->values[v]);
            if (g->capital && out->len > at && out->data[at] >= 'a' && out->data[at] <= 'z')
                out->data[at] = (char)(out->data[at] - 'a' + 'A');
            break;
        }
        }
    }
}

int text_empty(const text *t)
{
    return t->n == 0;
}
