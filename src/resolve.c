/*
 * resolve: the second pass of loading (see load.c). Names become state
 * slots, scene ids become pointers, conditions and texts are compiled, and
 * effect values are parsed against the kind and bounds of their variable.
 * Lookups go through hash maps keyed by interned pointers, so a pack with
 * 100,000 scenes resolves in linear time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_int.h"
#include "xalloc.h"

/* ---- a map from interned pointers to indices ---------------------------- */

typedef struct ptrmap {
    const void **keys;
    int *vals;
    size_t cap;
} ptrmap;

static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

static void map_init(ptrmap *m, size_t n)
{
    m->cap = 16;
    while (m->cap < n * 2)
        m->cap *= 2;
    m->keys = xcalloc(m->cap, sizeof(void *));
    m->vals = xcalloc(m->cap, sizeof(int));
}

static void map_free(ptrmap *m)
{
    free(m->keys);
    free(m->vals);
}

/* Inserts k -> v unless k is present; returns the existing value or -1. */
static int map_put(ptrmap *m, const void *k, int v)
{
    for (size_t i = ptr_hash(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) {
            m->keys[i] = k;
            m->vals[i] = v;
            return -1;
        }
        if (m->keys[i] == k)
            return m->vals[i];
    }
}

static int map_get(const ptrmap *m, const void *k)
{
    if (!k)
        return -1;
    for (size_t i = ptr_hash(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return -1;
        if (m->keys[i] == k)
            return m->vals[i];
    }
}

/* ---- suggestions -------------------------------------------------------- */

static size_t distance(const char *a, size_t n, const char *b, size_t m)
{
    if (n > 64 || m > 64)
        return 99;
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cur = row[j];
            size_t best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[m];
}

const char *load_suggest(const char *s, size_t n, const char *const *names, size_t count)
{
    const char *best = NULL;
    size_t bestd = n / 3 + 1;
    if (bestd > 3)
        bestd = 3;
    for (size_t i = 0; i < count; i++) {
        size_t d = distance(s, n, names[i], strlen(names[i]));
        if (d <= bestd && (!best || d < distance(s, n, best, strlen(best)))) {
            best = names[i];
            bestd = d;
        }
    }
    return best;
}

/* ---- resolution context ------------------------------------------------- */

typedef struct ctx {
    loader *L;
    pack *p;
    ptrmap vars, snaps;
    const char **all_names; /* every name usable in a condition, for hints */
    size_t nall;
    const srcref *ref; /* the scalar being compiled */
    const char *src;
} ctx;

static void on_error(void *c, diag_code code, size_t off, const char *msg)
{
    ctx *x = c;
    load_report_in(x->L, code, x->ref, x->src, off, msg);
}

/* Finds name[0..n): a variable, or snapshot.variable. */
static bool find(ctx *x, const char *name, size_t n, int *slot, int *var, const char **hint)
{
    const pack *p = x->p;
    const char *dot = memchr(name, '.', n);
    *hint = NULL;
    if (!dot) {
        int v = map_get(&x->vars, intern_find(p->names, name, n));
        if (v < 0) {
            *hint = load_suggest(name, n, x->all_names, x->nall);
            return false;
        }
        *slot = *var = v;
        return true;
    }
    int s = map_get(&x->snaps, intern_find(p->names, name, (size_t)(dot - name)));
    int v = map_get(&x->vars, intern_find(p->names, dot + 1, n - (size_t)(dot - name) - 1));
    if (s < 0 || v < 0)
        return false;
    *slot = p->snap_base + s * p->nvars + v;
    *var = v;
    return true;
}

static expr_type type_of(const pk_var *v)
{
    return v->kind == V_FLAG ? T_BOOL : v->kind == V_OPTION ? T_OPT : T_NUM;
}

static bool expr_resolve(void *c, const char *name, size_t n, expr_name *out)
{
    ctx *x = c;
    int slot, var;
    if (!find(x, name, n, &slot, &var, &out->hint))
        return false;
    pk_var *v = &x->p->vars[var];
    v->used = true;
    out->slot = slot;
    out->var = var;
    out->type = type_of(v);
    out->lo = v->min;
    out->hi = v->max;
    return true;
}

static int option_value(void *c, int var, const char *s, size_t n, const char **hint)
{
    ctx *x = c;
    const pk_var *v = &x->p->vars[var];
    for (int i = 0; i < v->nvalues; i++)
        if (strlen(v->values[i]) == n && !memcmp(v->values[i], s, n))
            return i;
    *hint = load_suggest(s, n, v->values, (size_t)v->nvalues);
    return -1;
}

static bool text_resolve(void *c, const char *name, size_t n, text_name *out)
{
    ctx *x = c;
    int slot, var;
    if (!find(x, name, n, &slot, &var, &out->hint))
        return false;
    pk_var *v = &x->p->vars[var];
    v->used = true;
    out->slot = slot;
    out->type = type_of(v);
    out->values = v->values;
    return true;
}

/* ---- effects ------------------------------------------------------------ */

static bool parse_amount(const char *s, size_t n, int32_t *out)
{
    if (n == 0 || n > 10)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

static void resolve_effect(ctx *x, pending_effect *pe)
{
    loader *L = x->L;
    pack *p = x->p;
    int var = map_get(&x->vars, pe->name);
    if (var < 0) {
        const char *hint = load_suggest(pe->name, strlen(pe->name), x->all_names, x->nall);
        if (hint)
            loc_report(L, D_UNKNOWN_NAME, &pe->name_ref, "unknown name '%s' in effects (did you mean '%s'?)",
                       pe->name, hint);
        else
            loc_report(L, D_UNKNOWN_NAME, &pe->name_ref, "unknown name '%s' in effects", pe->name);
        return;
    }
    pk_var *v = &p->vars[var];
    v->used = true;
    pk_effect *e = pe->e;
    e->slot = var;
    const char *s = pe->val;
    size_t n = pe->vlen;
    if (v->kind == V_OPTION) {
        loc_report(L, D_BAD_EFFECT, &pe->name_ref, "'%s' is an option: options are fixed for a game",
                   v->name);
        return;
    }
    if (v->kind == V_FLAG) {
        bool plain = pe->val_ref.style == YAML_PLAIN_SCALAR_STYLE;
        if (plain && (!strcmp(s, "true") || !strcmp(s, "false"))) {
            e->kind = E_SET;
            e->value = s[0] == 't';
        } else {
            loc_report(L, D_BAD_EFFECT, &pe->val_ref, "'%s' is a flag: set it with true or false", v->name);
        }
        return;
    }
    int32_t amount;
    if (n >= 2 && (s[0] == '+' || s[0] == '-') && parse_amount(s + 1, n - 1, &amount)) {
        e->kind = E_ADD;
        e->value = s[0] == '-' ? -amount : amount;
    } else if (n >= 3 && s[0] == '%' && (s[1] == '+' || s[1] == '-') && parse_amount(s + 2, n - 2, &amount)) {
        if (amount < 1 || amount > 100) {
            loc_report(L, D_BAD_EFFECT, &pe->val_ref, "a fair step moves 1 to 100 percent, not %d", (int)amount);
            return;
        }
        e->kind = E_FAIR;
        e->value = s[1] == '-' ? -amount : amount;
    } else if (n >= 2 && s[0] == '=' &&
               (parse_amount(s + 1, n - 1, &amount) ||
                (n >= 3 && s[1] == '-' && parse_amount(s + 2, n - 2, &amount) && (amount = -amount, true)))) {
        if (amount < v->min || amount > v->max) {
            loc_report(L, D_OUT_OF_BOUNDS, &pe->val_ref, "'%s' is set to %d, outside its bounds %d..%d",
                       v->name, (int)amount, (int)v->min, (int)v->max);
            return;
        }
        e->kind = E_SET;
        e->value = amount;
    } else if (parse_amount(s, n, &amount)) {
        loc_report(L, D_BAD_EFFECT, &pe->val_ref,
                   "write +%s to add or \"=%s\" to set: a bare number is ambiguous", s, s);
    } else {
        loc_report(L, D_BAD_EFFECT, &pe->val_ref,
                   "an effect on '%s' is +N, -N, \"%%+N\", \"%%-N\" or \"=N\", not '%s'", v->name, s);
    }
}

/* ---- reveal ------------------------------------------------------------- */

static int find_region(pk_region **v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (v[i]->name == name)
            return i;
    return -1;
}

static void resolve_reveal(loader *L, ctx *x)
{
    pack *p = L->p;
    pending_reveal *r = &L->reveal;
    pk_reveal *rv = &p->reveal;
    if (!rv->present)
        return;
    int *axes[2] = {&rv->x, &rv->y};
    const char *names[2] = {r->x, r->y};
    srcref *refs[2] = {&r->x_ref, &r->y_ref};
    for (int i = 0; i < 2; i++) {
        *axes[i] = names[i] ? map_get(&x->vars, names[i]) : -1;
        if (names[i] && (*axes[i] < 0 || p->vars[*axes[i]].kind != V_DIM))
            loc_report(L, D_UNKNOWN_NAME, refs[i], "'%s' is not a dimension", names[i]);
        else if (*axes[i] >= 0)
            p->vars[*axes[i]].used = true;
    }
    /* A wrong axis leaves no default cut, but the names below are still
     * checked: every error of the reveal is reported in one run. */
    if (*axes[0] >= 0 && *axes[1] >= 0 && rv->mid_x == INT32_MIN) {
        const pk_var *vx = &p->vars[rv->x], *vy = &p->vars[rv->y];
        rv->mid_x = (int32_t)(vx->min + ((int64_t)vx->max - vx->min) / 2);
        rv->mid_y = (int32_t)(vy->min + ((int64_t)vy->max - vy->min) / 2);
    }
    rv->snapshot = -1;
    if (r->snapshot) {
        rv->snapshot = map_get(&x->snaps, r->snapshot);
        if (rv->snapshot < 0)
            loc_report(L, D_UNKNOWN_NAME, &r->snapshot_ref, "no scene takes a snapshot '%s'", r->snapshot);
    }
    rv->nproto = (int)r->protos.n;
    rv->proto_style = arena_alloc(L->a, (r->protos.n + 1) * sizeof(int));
    rv->proto_x = arena_alloc(L->a, (r->protos.n + 1) * sizeof(int32_t));
    rv->proto_y = arena_alloc(L->a, (r->protos.n + 1) * sizeof(int32_t));
    for (size_t i = 0; i < r->protos.n; i++) {
        rv->proto_style[i] = find_region(p->styles, p->nstyles, r->protos.v[i]);
        rv->proto_x[i] = r->px.v[i];
        rv->proto_y[i] = r->py.v[i];
        if (rv->proto_style[i] < 0)
            loc_report(L, D_UNKNOWN_NAME, &r->proto_refs.v[i], "no style '%s'", r->protos.v[i]);
    }
    rv->goal = r->goal ? find_region(p->outcomes, p->noutcomes, r->goal) : -1;
    if (r->goal && rv->goal < 0)
        loc_report(L, D_UNKNOWN_NAME, &r->goal_ref, "no outcome '%s'", r->goal);
    rv->secure_style = r->secure_style ? find_region(p->styles, p->nstyles, r->secure_style) : -1;
    if (r->secure_style && rv->secure_style < 0)
        loc_report(L, D_UNKNOWN_NAME, &r->secure_ref, "no style '%s'", r->secure_style);
}

/* ---- the pass ----------------------------------------------------------- */

void load_resolve(loader *L)
{
    pack *p = L->p;
    ctx x = {.L = L, .p = p};

    /* Variables and snapshots: the state layout. */
    p->nvars = (int)L->vars.n;
    p->vars = arena_alloc(L->hot, (L->vars.n + 1) * sizeof(pk_var)); /* bounds, read by every effect */
    if (L->vars.n)
        memcpy(p->vars, L->vars.v, L->vars.n * sizeof(pk_var));
    map_init(&x.vars, L->vars.n);
    map_init(&x.snaps, L->snapshots.n);
    x.all_names = xmalloc((L->vars.n + 1) * sizeof(char *));
    for (int i = 0; i < p->nvars; i++) {
        map_put(&x.vars, p->vars[i].name, i);
        x.all_names[x.nall++] = p->vars[i].name;
    }
    p->nsnapshots = (int)L->snapshots.n;
    p->snapshots = arena_alloc(L->a, (L->snapshots.n + 1) * sizeof(char *));
    for (size_t i = 0; i < L->snapshots.n; i++) {
        p->snapshots[i] = L->snapshots.v[i];
        map_put(&x.snaps, L->snapshots.v[i], (int)i);
        if (map_get(&x.vars, L->snapshots.v[i]) >= 0)
            loc_report(L, D_DUPLICATE_ID, &L->snapshot_refs.v[i],
                       "snapshot '%s' has the name of a state variable", L->snapshots.v[i]);
    }
    p->snap_base = p->nvars;
    p->once_base = p->nvars * (1 + p->nsnapshots);
    for (size_t i = 0; i < L->choices.n; i++)
        if (L->choices.v[i]->once_slot >= 0)
            L->choices.v[i]->once_slot = p->once_base + p->nonce++;
    p->state_size = p->once_base + p->nonce;
    p->lo = arena_alloc(L->a, ((size_t)p->state_size + 1) * sizeof(int32_t));
    p->hi = arena_alloc(L->a, ((size_t)p->state_size + 1) * sizeof(int32_t));
    for (int s = 0; s <= p->nsnapshots; s++)
        for (int i = 0; i < p->nvars; i++) {
            p->lo[s * p->nvars + i] = p->vars[i].min;
            p->hi[s * p->nvars + i] = p->vars[i].max;
        }
    for (int i = 0; i < p->nonce; i++) {
        p->lo[p->once_base + i] = 0;
        p->hi[p->once_base + i] = 1;
    }

    /* Scenes by id. */
    ptrmap scenes;
    map_init(&scenes, L->scenes.n);
    p->nscenes = (int)L->scenes.n;
    p->scenes = arena_alloc(L->a, (L->scenes.n + 1) * sizeof(pk_scene *));
    for (size_t i = 0; i < L->scenes.n; i++) {
        pk_scene *s = L->scenes.v[i];
        p->scenes[i] = s;
        if (!s->id)
            continue;
        int prev = map_put(&scenes, s->id, (int)i);
        if (prev >= 0) {
            srcref r = load_ref(L, s->loc);
            pk_scene *first = L->scenes.v[prev];
            loc_report(L, D_DUPLICATE_ID, &r, "duplicate scene id '%s' (first at %s:%d)", s->id,
                       first->loc.file, first->loc.line);
        }
    }
    for (size_t i = 0; i < L->gotos.n; i++) {
        pending_goto *g = &L->gotos.v[i];
        int s = map_get(&scenes, g->id);
        if (s >= 0) {
            g->g->scene = p->scenes[s];
            continue;
        }
        const char **ids = xmalloc((L->scenes.n + 1) * sizeof(char *));
        size_t nids = 0;
        for (size_t k = 0; k < L->scenes.n; k++)
            if (L->scenes.v[k]->id)
                ids[nids++] = L->scenes.v[k]->id;
        const char *hint = load_suggest(g->id, strlen(g->id), ids, nids);
        free(ids);
        if (hint)
            loc_report(L, D_UNKNOWN_SCENE, &g->ref, "no scene '%s' (did you mean '%s'?)", g->id, hint);
        else
            loc_report(L, D_UNKNOWN_SCENE, &g->ref, "no scene '%s'", g->id);
    }
    if (L->start_id) {
        int s = map_get(&scenes, L->start_id);
        if (s < 0)
            loc_report(L, D_UNKNOWN_SCENE, &L->start_ref, "no scene '%s' to start at", L->start_id);
        else
            p->start = p->scenes[s];
    } else if (p->nscenes) {
        p->start = p->scenes[0];
    } else {
        loc_report(L, D_MISSING_KEY, &L->root_ref, "the pack has no scenes");
    }
    map_free(&scenes);

    /* Content notes. */
    p->nnotes = (int)L->notes.n;
    p->notes = arena_alloc(L->a, (L->notes.n + 1) * sizeof(pk_note));
    if (L->notes.n)
        memcpy(p->notes, L->notes.v, L->notes.n * sizeof(pk_note));
    for (size_t i = 0; i < L->scene_notes.n; i++) {
        pending_note *n = &L->scene_notes.v[i];
        int k = 0;
        while (k < p->nnotes && p->notes[k].name != n->name)
            k++;
        if (k == p->nnotes)
            loc_report(L, D_UNKNOWN_NAME, &n->ref, "no content note '%s' is declared", n->name);
        else
            n->s->notes |= 1u << k;
    }

    /* Effects, conditions, texts. */
    for (size_t i = 0; i < L->effects.n; i++)
        resolve_effect(&x, &L->effects.v[i]);
    /* Each list of pending work is freed as soon as it is done: on a
     * 10,000-scene pack they hold megabytes the compiled model no longer
     * needs, and a large free goes straight back to the system. */
    free(L->effects.v);
    memset(&L->effects, 0, sizeof L->effects);
    expr_env env = {&x, expr_resolve, option_value, on_error};
    for (size_t i = 0; i < L->exprs.n; i++) {
        pending_expr *pe = &L->exprs.v[i];
        x.ref = &pe->ref;
        x.src = pe->src;
        *pe->dst = expr_parse(L->hot, pe->src, pe->len, &env, T_BOOL);
    }
    free(L->exprs.v);
    memset(&L->exprs, 0, sizeof L->exprs);
    text_env tenv = {&env, text_resolve};
    for (size_t i = 0; i < L->texts.n; i++) {
        pending_text *pt = &L->texts.v[i];
        x.ref = &pt->ref;
        x.src = pt->src;
        *pt->dst = text_compile(L->a, pt->src, pt->len, &tenv);
    }
    free(L->texts.v);
    memset(&L->texts, 0, sizeof L->texts);

    /* The rest of the model, now that nothing points into the vectors. */
    p->nstyles = (int)L->styles.n;
    p->styles = arena_alloc(L->a, (L->styles.n + 1) * sizeof(pk_region *));
    if (L->styles.n)
        memcpy(p->styles, L->styles.v, L->styles.n * sizeof(pk_region *));
    p->noutcomes = (int)L->outcomes.n;
    p->outcomes = arena_alloc(L->a, (L->outcomes.n + 1) * sizeof(pk_region *));
    if (L->outcomes.n)
        memcpy(p->outcomes, L->outcomes.v, L->outcomes.n * sizeof(pk_region *));
    p->nchapters = (int)L->chapters.n;
    p->chapters = arena_alloc(L->a, (L->chapters.n + 1) * sizeof(pk_chapter));
    if (L->chapters.n)
        memcpy(p->chapters, L->chapters.v, L->chapters.n * sizeof(pk_chapter));
    p->nchoices = (int)L->choices.n;
    p->choices = arena_alloc(L->a, (L->choices.n + 1) * sizeof(pk_choice *));
    if (L->choices.n)
        memcpy(p->choices, L->choices.v, L->choices.n * sizeof(pk_choice *));
    p->nauthors = (int)L->authors.n;
    p->authors = arena_alloc(L->a, (L->authors.n + 1) * sizeof(char *));
    if (L->authors.n)
        memcpy(p->authors, L->authors.v, L->authors.n * sizeof(char *));
    if (!p->language)
        p->language = "en";
    int nv = 0;
    for (int i = 0; i < p->nscenes; i++)
        for (pk_variant *v = p->scenes[i]->text.first; v; v = v->next)
            v->index = nv++;
    p->nvariants = nv;

    /* Expectations name styles, outcomes, endings and snapshot.dimension. */
    p->nexpects = (int)L->expects.n;
    p->expects = arena_alloc(L->a, (L->expects.n + 1) * sizeof(pk_expect));
    for (size_t i = 0; i < L->expects.n; i++) {
        pending_expect *pe = &L->expects.v[i];
        pk_expect *e = pe->x;
        e->index = -1;
        if (pe->name && e->kind == EX_STYLE) {
            for (int k = 0; k < p->nstyles; k++)
                if (p->styles[k]->name == pe->name)
                    e->index = k;
        } else if (pe->name && e->kind == EX_OUTCOME) {
            for (int k = 0; k < p->noutcomes; k++)
                if (p->outcomes[k]->name == pe->name)
                    e->index = k;
        } else if (pe->name && e->kind == EX_ENDING) {
            for (int k = 0; k < p->nscenes; k++)
                if (p->scenes[k]->id == pe->name && p->scenes[k]->ending)
                    e->index = k;
        } else if (pe->name) {
            const char *dot = strchr(pe->name, '.');
            int snap = dot ? map_get(&x.snaps, intern_find(p->names, pe->name, (size_t)(dot - pe->name))) : -1;
            int var = dot ? map_get(&x.vars, intern_find(p->names, dot + 1, strlen(dot + 1))) : -1;
            if (snap >= 0 && var >= 0 && p->vars[var].kind != V_OPTION) {
                e->snapshot = snap;
                e->index = var;
            }
        }
        if (pe->name && e->index < 0) {
            static const char *const what[] = {"no style", "no outcome", "no ending",
                                               "no snapshot.dimension"};
            loc_report(L, D_UNKNOWN_NAME, &pe->ref, "%s '%s' to expect", what[e->kind], pe->name);
        }
        if (pe->nset) {
            e->options = arena_alloc(L->a, ((size_t)p->nvars + 1) * sizeof(int));
            for (int k = 0; k < p->nvars; k++)
                e->options[k] = -1;
        }
        for (int k = 0; k < pe->nset; k++) {
            int var = map_get(&x.vars, pe->set_names[k]);
            if (var < 0 || p->vars[var].kind != V_OPTION) {
                loc_report(L, D_UNKNOWN_NAME, &pe->set_name_refs[k], "no option '%s'", pe->set_names[k]);
                continue;
            }
            int val = -1;
            for (int v = 0; v < p->vars[var].nvalues; v++)
                if (p->vars[var].values[v] == pe->set_values[k])
                    val = v;
            if (val < 0)
                loc_report(L, D_UNKNOWN_VALUE, &pe->set_refs[k], "'%s' is not a value of option '%s'",
                           pe->set_values[k], pe->set_names[k]);
            e->options[var] = val;
        }
        p->expects[i] = *e;
    }

    resolve_reveal(L, &x);
    map_free(&x.vars);
    map_free(&x.snaps);
    free(x.all_names);
}
