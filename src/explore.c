/*
 * explore: random and exhaustive play-testing (see explore.h).
 *
 * Random mode drives the real runtime (game.c), so what it measures is
 * what players get. Exhaustive mode is a breadth-first search over
 * (scene, state) pairs using the same pack_apply/pack_goto/pack_enter the
 * runtime uses; states are stored back to back in one array and found
 * again through an open-addressing hash table, so merging identical states
 * costs one hash and one memcmp. Breadth-first order makes every witness
 * a shortest choice sequence. Choice numbers in witnesses are the numbers
 * a player sees (hidden choices take no number), so a witness replays with
 * `iwm play --choices`.
 */
#include "explore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "game.h"
#include "xalloc.h"

typedef struct witness {
    int *choices; /* NULL: not reached */
    size_t len;
    int *options; /* per variable: option value, or -1 */
} witness;

enum { MAX_STUCK = 20 };

typedef struct stuck_at {
    int scene;
    witness w;
} stuck_at;

struct explore {
    const pack *p;
    bool exhaustive, complete;
    uint64_t seed;
    size_t runs, states, nstuck, stuck_cap;
    size_t nwit; /* stuck witnesses kept: one per scene, at most MAX_STUCK */
    size_t *scene, *choice, *variant, *style, *outcome; /* style: index 0 is "no style" */
    witness *w_style, *w_outcome, *w_ending;
    stuck_at *stuck;
    /* random mode */
    int32_t *finals; /* runs * nvars */
    int32_t *snaps;  /* runs * nsnapshots * nvars */
    uint32_t *lengths;
};

static explore *new_explore(const pack *p, bool exhaustive)
{
    explore *e = xcalloc(1, sizeof *e);
    e->p = p;
    e->exhaustive = exhaustive;
    e->complete = true;
    e->scene = xcalloc((size_t)p->nscenes + 1, sizeof(size_t));
    e->choice = xcalloc((size_t)p->nchoices + 1, sizeof(size_t));
    e->variant = xcalloc((size_t)p->nvariants + 1, sizeof(size_t));
    e->style = xcalloc((size_t)p->nstyles + 1, sizeof(size_t));
    e->outcome = xcalloc((size_t)p->noutcomes + 1, sizeof(size_t));
    e->w_style = xcalloc((size_t)p->nstyles + 1, sizeof(witness));
    e->w_outcome = xcalloc((size_t)p->noutcomes + 1, sizeof(witness));
    e->w_ending = xcalloc((size_t)p->nscenes + 1, sizeof(witness));
    return e;
}

static void free_witness(witness *w)
{
    free(w->choices);
    free(w->options);
}

void explore_free(explore *e)
{
    if (!e)
        return;
    const pack *p = e->p;
    for (int i = 0; i <= p->nstyles; i++)
        free_witness(&e->w_style[i]);
    for (int i = 0; i <= p->noutcomes; i++)
        free_witness(&e->w_outcome[i]);
    for (int i = 0; i <= p->nscenes; i++)
        free_witness(&e->w_ending[i]);
    for (size_t i = 0; i < e->nwit; i++)
        free_witness(&e->stuck[i].w);
    free(e->stuck);
    free(e->w_style);
    free(e->w_outcome);
    free(e->w_ending);
    free(e->scene);
    free(e->choice);
    free(e->variant);
    free(e->style);
    free(e->outcome);
    free(e->finals);
    free(e->snaps);
    free(e->lengths);
    free(e);
}

static void set_witness(const pack *p, witness *w, const int *choices, size_t len, const int32_t *st)
{
    if (w->choices)
        return;
    w->choices = xmalloc((len + 1) * sizeof(int));
    if (len)
        memcpy(w->choices, choices, len * sizeof(int));
    w->len = len;
    w->options = xmalloc(((size_t)p->nvars + 1) * sizeof(int));
    for (int i = 0; i < p->nvars; i++)
        w->options[i] = p->vars[i].kind == V_OPTION ? st[i] : -1;
}

static void add_stuck(explore *e, int scene, const int *choices, size_t len, const int32_t *st)
{
    e->nstuck++;
    /* A few witnesses are enough to find the fault, and random play finds
     * the same dead end again and again: one witness per scene, at most
     * MAX_STUCK. */
    if (e->nwit == MAX_STUCK)
        return;
    for (size_t i = 0; i < e->nwit; i++)
        if (e->stuck[i].scene == scene)
            return;
    if (e->nwit == e->stuck_cap) {
        e->stuck_cap = e->stuck_cap ? e->stuck_cap * 2 : 8;
        e->stuck = xrealloc(e->stuck, e->stuck_cap * sizeof(stuck_at));
    }
    stuck_at *s = &e->stuck[e->nwit++];
    memset(s, 0, sizeof *s);
    s->scene = scene;
    set_witness(e->p, &s->w, choices, len, st);
}

/* Records what an ending yields: the ending, the style, the outcomes. */
static void record_ending(explore *e, const pk_scene *sc, const int32_t *st, const int *path, size_t len)
{
    const pack *p = e->p;
    e->scene[sc->index] += 0; /* counted on entry */
    set_witness(p, &e->w_ending[sc->index], path, len, st);
    int style = pack_style(p, st);
    e->style[style + 1]++;
    set_witness(p, &e->w_style[style + 1], path, len, st);
    for (int i = 0; i < p->noutcomes; i++)
        if (pack_outcome(p, i, st)) {
            e->outcome[i]++;
            set_witness(p, &e->w_outcome[i], path, len, st);
        }
}

static void count_entry(explore *e, const pk_scene *sc, const int32_t *st)
{
    e->scene[sc->index]++;
    int v = pack_variant(&sc->text, st);
    if (v >= 0) {
        const pk_variant *var = sc->text.first;
        while (v--)
            var = var->next;
        e->variant[var->index]++;
    }
}

/* ---- random mode -------------------------------------------------------- */

explore *explore_random(const pack *p, const explore_opts *o)
{
    explore *e = new_explore(p, false);
    e->seed = o->seed;
    e->runs = o->runs;
    size_t max_steps = o->max_steps ? o->max_steps : 10000;
    e->finals = xmalloc((o->runs + 1) * (size_t)p->nvars * sizeof(int32_t));
    e->snaps = xmalloc((o->runs + 1) * (size_t)(p->nsnapshots * p->nvars + 1) * sizeof(int32_t));
    e->lengths = xmalloc((o->runs + 1) * sizeof(uint32_t));
    game *g = game_new(p);
    uint64_t rng = o->seed;
    size_t cap = 256;
    int *path = xmalloc(cap * sizeof(int));
    const pk_choice **avail = xmalloc(((size_t)p->nchoices + 1) * sizeof(pk_choice *));
    int *numbers = xmalloc(((size_t)p->nchoices + 1) * sizeof(int));
    for (size_t run = 0; run < o->runs; run++) {
        game_start(g, game_rng(&rng), o->options);
        size_t len = 0;
        count_entry(e, game_scene(g), game_state(g));
        while (!game_over(g)) {
            const pk_scene *sc = game_scene(g);
            int n = 0, shown = 0;
            for (int i = 0; i < sc->nchoices; i++) {
                const pk_choice *c = sc->choices[i];
                if (!game_shown(g, c))
                    continue;
                shown++;
                if (game_enabled(g, c)) {
                    avail[n] = c;
                    numbers[n++] = shown;
                }
            }
            if (n == 0 || len >= max_steps) {
                add_stuck(e, sc->index, path, len, game_state(g));
                break;
            }
            int k = (int)(game_rng(&rng) % (uint64_t)n);
            if (len == cap) {
                cap *= 2;
                path = xrealloc(path, cap * sizeof(int));
            }
            path[len++] = numbers[k];
            e->choice[avail[k]->index]++;
            game_choose(g, avail[k]);
            count_entry(e, game_scene(g), game_state(g));
        }
        const int32_t *st = game_state(g);
        if (game_over(g))
            record_ending(e, game_scene(g), st, path, len);
        memcpy(e->finals + run * (size_t)p->nvars, st, (size_t)p->nvars * sizeof(int32_t));
        memcpy(e->snaps + run * (size_t)(p->nsnapshots * p->nvars), st + p->snap_base,
               (size_t)(p->nsnapshots * p->nvars) * sizeof(int32_t));
        e->lengths[run] = (uint32_t)len;
    }
    free(path);
    free(avail);
    free(numbers);
    game_free(g);
    return e;
}

/* ---- exhaustive mode ---------------------------------------------------- */

typedef struct space {
    size_t n, cap, size; /* nodes; capacity; slots per state */
    int32_t *states;
    int32_t *scene, *parent;
    int16_t *choice_no;
    uint32_t *table; /* node index + 1; 0 = empty */
    size_t tcap;
} space;

static uint64_t hash_state(int scene, const int32_t *st, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)scene;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint32_t)st[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static void rehash(space *s)
{
    free(s->table);
    s->tcap = s->tcap ? s->tcap * 2 : 1 << 14;
    s->table = xcalloc(s->tcap, sizeof(uint32_t));
    for (size_t i = 0; i < s->n; i++) {
        size_t h = hash_state(s->scene[i], s->states + i * s->size, s->size) & (s->tcap - 1);
        while (s->table[h])
            h = (h + 1) & (s->tcap - 1);
        s->table[h] = (uint32_t)i + 1;
    }
}

/* Adds (scene, st) unless present. Returns true when it was new. */
static bool insert(space *s, int scene, const int32_t *st, int parent, int choice_no)
{
    if ((s->n + 1) * 2 > s->tcap)
        rehash(s);
    size_t h = hash_state(scene, st, s->size) & (s->tcap - 1);
    for (; s->table[h]; h = (h + 1) & (s->tcap - 1)) {
        size_t i = s->table[h] - 1;
        if (s->scene[i] == scene && !memcmp(s->states + i * s->size, st, s->size * sizeof(int32_t))) /* NOLINT(clang-analyzer-core.NullDereference): a table slot is set only after the arrays hold its node */
            return false;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->states = xrealloc(s->states, s->cap * s->size * sizeof(int32_t));
        s->scene = xrealloc(s->scene, s->cap * sizeof(int32_t));
        s->parent = xrealloc(s->parent, s->cap * sizeof(int32_t));
        s->choice_no = xrealloc(s->choice_no, s->cap * sizeof(int16_t));
    }
    memcpy(s->states + s->n * s->size, st, s->size * sizeof(int32_t));
    s->scene[s->n] = scene;
    s->parent[s->n] = parent;
    s->choice_no[s->n] = (int16_t)choice_no;
    s->table[h] = (uint32_t)s->n + 1;
    s->n++;
    return true;
}

/* The choice numbers from a start node to node i, into *path. */
static size_t trace(const space *s, size_t i, int **path, size_t *cap)
{
    size_t len = 0;
    for (int32_t k = (int32_t)i; s->parent[k] >= 0; k = s->parent[k]) {
        if (len == *cap) {
            *cap *= 2;
            *path = xrealloc(*path, *cap * sizeof(int));
        }
        (*path)[len++] = s->choice_no[k];
    }
    for (size_t a = 0, b = len ? len - 1 : 0; a < b; a++, b--) {
        int t = (*path)[a];
        (*path)[a] = (*path)[b];
        (*path)[b] = t;
    }
    return len;
}

explore *explore_exhaustive(const pack *p, const explore_opts *o)
{
    explore *e = new_explore(p, true);
    size_t max_states = o->max_states ? o->max_states : 2000000;
    space s = {.size = (size_t)p->state_size ? (size_t)p->state_size : 1};
    int32_t *st = xcalloc(s.size + 1, sizeof(int32_t));
    int32_t *next = xcalloc(s.size + 1, sizeof(int32_t));
    size_t cap = 256;
    int *path = xmalloc(cap * sizeof(int));

    /* Every combination of option values is a start: options can be fixed
     * with --set, so a result reachable under any of them is reachable. */
    int *opt = xcalloc((size_t)p->nvars + 1, sizeof(int));
    for (int i = 0; o->options && i < p->nvars; i++)
        if (o->options[i] >= 0)
            opt[i] = o->options[i];
    for (;;) {
        for (int i = 0; i < p->nvars; i++)
            st[i] = p->vars[i].kind == V_OPTION ? opt[i] : p->vars[i].start;
        for (int k = 0; k < p->nsnapshots; k++)
            memcpy(st + p->snap_base + (size_t)k * (size_t)p->nvars, st, (size_t)p->nvars * sizeof(int32_t));
        memset(st + p->once_base, 0, (size_t)p->nonce * sizeof(int32_t));
        pack_enter(p, p->start, st);
        insert(&s, p->start->index, st, -1, 0);
        int i = 0;
        for (; i < p->nvars; i++) {
            if (p->vars[i].kind != V_OPTION || (o->options && o->options[i] >= 0))
                continue;
            if (++opt[i] < p->vars[i].nvalues)
                break;
            opt[i] = 0;
        }
        if (i == p->nvars)
            break;
    }
    free(opt);

    for (size_t i = 0; i < s.n; i++) {
        memcpy(st, s.states + i * s.size, s.size * sizeof(int32_t));
        const pk_scene *sc = p->scenes[s.scene[i]];
        count_entry(e, sc, st);
        if (sc->ending) {
            size_t len = trace(&s, i, &path, &cap);
            record_ending(e, sc, st, path, len);
            continue;
        }
        int shown = 0, avail = 0;
        for (int k = 0; k < sc->nchoices; k++) {
            const pk_choice *c = sc->choices[k];
            if ((c->once_slot >= 0 && st[c->once_slot]) || (c->shown_if && !expr_eval(c->shown_if, st)))
                continue;
            shown++;
            if (c->enabled_if && !expr_eval(c->enabled_if, st))
                continue;
            avail++;
            e->choice[c->index]++;
            memcpy(next, st, s.size * sizeof(int32_t));
            pack_apply(p, &c->effects, next);
            if (c->once_slot >= 0)
                next[c->once_slot] = 1;
            pk_scene *to = pack_goto(c, next);
            pack_enter(p, to, next);
            if (s.n >= max_states) {
                e->complete = false;
                continue;
            }
            insert(&s, to->index, next, (int)i, shown);
        }
        if (!avail) {
            size_t len = trace(&s, i, &path, &cap);
            add_stuck(e, sc->index, path, len, st);
        }
    }
    /* Exhaustive counts are reachability, not frequencies. */
    for (int i = 0; i <= p->nstyles; i++)
        e->style[i] = e->style[i] ? 1 : 0;
    for (int i = 0; i < p->noutcomes; i++)
        e->outcome[i] = e->outcome[i] ? 1 : 0;
    e->states = s.n;
    free(path);
    free(st);
    free(next);
    free(s.states);
    free(s.scene);
    free(s.parent);
    free(s.choice_no);
    free(s.table);
    return e;
}

/* ---- results ------------------------------------------------------------ */

bool explore_complete(const explore *e) { return e->complete; }
size_t explore_stuck(const explore *e) { return e->nstuck; }
size_t explore_runs(const explore *e) { return e->runs; }
size_t explore_states(const explore *e) { return e->states; }
size_t explore_style_count(const explore *e, int style) { return e->style[style + 1]; }
size_t explore_outcome_count(const explore *e, int outcome) { return e->outcome[outcome]; }

size_t explore_ending_count(const explore *e, int scene)
{
    return e->w_ending[scene].choices ? (e->exhaustive ? 1 : e->scene[scene]) : 0;
}

double explore_stability(const explore *e, int snap, int var)
{
    const pack *p = e->p;
    if (e->exhaustive || e->runs < 2)
        return NAN;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = (double)e->runs;
    size_t stride = (size_t)p->nsnapshots * (size_t)p->nvars;
    for (size_t r = 0; r < e->runs; r++) {
        double x = e->snaps[r * stride + (size_t)(snap * p->nvars + var)];
        double y = e->finals[r * (size_t)p->nvars + (size_t)var];
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
    }
    double cov = sxy - sx * sy / n, vx = sxx - sx * sx / n, vy = syy - sy * sy / n;
    if (vx <= 0 || vy <= 0)
        return NAN;
    return cov / sqrt(vx * vy);
}

const int *explore_witness(const explore *e, char kind, int index, size_t *len, const int **options)
{
    const witness *w = kind == 's' ? &e->w_style[index + 1]
                       : kind == 'o' ? &e->w_outcome[index]
                                     : &e->w_ending[index];
    *len = w->len;
    if (options)
        *options = w->options;
    return w->choices;
}

/* ---- printing ----------------------------------------------------------- */

/* How many scenes, choices and text variants were reached at least once. */
static void coverage(const explore *e, size_t *scenes, size_t *choices, size_t *variants)
{
    const pack *p = e->p;
    *scenes = *choices = *variants = 0;
    for (int i = 0; i < p->nscenes; i++)
        *scenes += e->scene[i] > 0;
    for (int i = 0; i < p->nchoices; i++)
        *choices += e->choice[i] > 0;
    for (int i = 0; i < p->nvariants; i++)
        *variants += e->variant[i] > 0;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void print_witness(FILE *f, const pack *p, const witness *w)
{
    fputs("iwm play", f);
    for (int i = 0; i < p->nvars; i++)
        if (w->options[i] >= 0)
            fprintf(f, " --set %s=%s", p->vars[i].name, p->vars[i].values[w->options[i]]);
    fputs(" --choices ", f);
    for (size_t i = 0; i < w->len; i++)
        fprintf(f, "%s%d", i ? "," : "", w->choices[i]);
    fputc('\n', f);
}

static void print_share(FILE *f, const explore *e, const char *name, size_t count, const witness *w)
{
    if (e->exhaustive)
        fprintf(f, "  %-28s %s\n", name, count ? "reachable" : "NEVER REACHED");
    else
        fprintf(f, "  %-28s %7zu  %5.1f%%\n", name, count, e->runs ? 100.0 * (double)count / (double)e->runs : 0.0);
    if (e->exhaustive && w->choices) {
        fputs("      witness: ", f);
        print_witness(f, e->p, w);
    }
}

void explore_print(const explore *e, FILE *f)
{
    const pack *p = e->p;
    if (e->exhaustive)
        fprintf(f, "Exhaustive exploration of '%s': %zu states%s\n", p->id, e->states,
                e->complete ? "" : " (STOPPED AT THE STATE LIMIT: verdicts of 'never' are not proofs)");
    else
        fprintf(f, "Random exploration of '%s': %zu playthroughs, seed %llu\n", p->id, e->runs,
                (unsigned long long)e->seed);
    size_t rs, rc, rv;
    coverage(e, &rs, &rc, &rv);
    fprintf(f, "\nCoverage: scenes %zu/%d, choices %zu/%d, text variants %zu/%d\n", rs, p->nscenes, rc,
            p->nchoices, rv, p->nvariants);
    fputs("\nEndings:\n", f);
    for (int i = 0; i < p->nscenes; i++)
        if (p->scenes[i]->ending)
            print_share(f, e, p->scenes[i]->id, e->exhaustive ? (e->w_ending[i].choices != NULL) : e->scene[i],
                        &e->w_ending[i]);
    fputs("\nStyles:\n", f);
    for (int i = 0; i < p->nstyles; i++)
        print_share(f, e, p->styles[i]->name, e->style[i + 1], &e->w_style[i + 1]);
    if (e->style[0])
        print_share(f, e, "(no style)", e->style[0], &e->w_style[0]);
    fputs("\nOutcomes:\n", f);
    for (int i = 0; i < p->noutcomes; i++)
        print_share(f, e, p->outcomes[i]->name, e->outcome[i], &e->w_outcome[i]);

    if (!e->exhaustive && e->runs) {
        uint32_t *len = xmalloc(e->runs * sizeof(uint32_t));
        memcpy(len, e->lengths, e->runs * sizeof(uint32_t));
        qsort(len, e->runs, sizeof(uint32_t), cmp_u32);
        fprintf(f, "\nPlaythrough length (choices): min %u, median %u, max %u\n", len[0], len[e->runs / 2],
                len[e->runs - 1]);
        free(len);
        fputs("\nAt the end (distribution over playthroughs):\n", f);
        int32_t *col = xmalloc(e->runs * sizeof(int32_t));
        for (int v = 0; v < p->nvars; v++) {
            const pk_var *var = &p->vars[v];
            if (var->kind != V_DIM)
                continue;
            for (size_t r = 0; r < e->runs; r++)
                col[r] = e->finals[r * (size_t)p->nvars + (size_t)v];
            qsort(col, e->runs, sizeof(int32_t), cmp_i32);
            fprintf(f, "  %s: min %d, median %d, max %d\n", var->name, col[0], col[e->runs / 2],
                    col[e->runs - 1]);
            /* A ten-bin text histogram over the dimension's range. */
            size_t bins[10] = {0}, most = 1;
            double range = (double)var->max - var->min + 1;
            for (size_t r = 0; r < e->runs; r++) {
                int b = (int)(((double)col[r] - var->min) * 10 / range);
                bins[b < 0 ? 0 : b > 9 ? 9 : b]++;
            }
            for (int b = 0; b < 10; b++)
                most = bins[b] > most ? bins[b] : most;
            for (int b = 0; b < 10; b++) {
                double lo = var->min + range * b / 10;
                fprintf(f, "    %5.0f | ", lo);
                for (size_t k = 0; k < bins[b] * 40 / most; k++)
                    fputc('#', f);
                fprintf(f, " %zu\n", bins[b]);
            }
        }
        free(col);
        if (p->nsnapshots) {
            fputs("\nStability (r between the snapshot and the end):\n", f);
            for (int sn = 0; sn < p->nsnapshots; sn++)
                for (int v = 0; v < p->nvars; v++)
                    if (p->vars[v].kind == V_DIM)
                        fprintf(f, "  %s.%s: %.3f\n", p->snapshots[sn], p->vars[v].name,
                                explore_stability(e, sn, v));
        }
    }

    bool header = false;
    for (int i = 0; i < p->nscenes; i++)
        if (!e->scene[i]) {
            if (!header)
                fputs("\nNever reached:\n", f), header = true;
            fprintf(f, "  scene %s (%s:%d)\n", p->scenes[i]->id, p->scenes[i]->loc.file, p->scenes[i]->loc.line);
        }
    for (int i = 0; i < p->nchoices; i++)
        if (!e->choice[i] && e->scene[p->choices[i]->scene->index]) {
            if (!header)
                fputs("\nNever reached:\n", f), header = true;
            const pk_choice *c = p->choices[i];
            fprintf(f, "  choice %s.%s (%s:%d)\n", c->scene->id, c->id, c->loc.file, c->loc.line);
        }
    for (int i = 0; i < p->nscenes; i++) {
        const pk_scene *sc = p->scenes[i];
        int k = 0;
        for (const pk_variant *v = sc->text.first; v; v = v->next, k++)
            if (e->scene[i] && !e->variant[v->index] && sc->text.n > 1) {
                if (!header)
                    fputs("\nNever reached:\n", f), header = true;
                fprintf(f, "  variant %d of scene %s (%s:%d)\n", k + 1, sc->id, sc->loc.file, sc->loc.line);
            }
    }
    if (e->nstuck) {
        fprintf(f, "\nStuck: %zu %s with no choice available\n", e->nstuck,
                e->exhaustive ? (e->nstuck == 1 ? "state" : "states")
                              : (e->nstuck == 1 ? "playthrough" : "playthroughs"));
        for (size_t i = 0; i < e->nwit; i++) {
            fprintf(f, "  at scene %s: ", p->scenes[e->stuck[i].scene]->id);
            print_witness(f, p, &e->stuck[i].w);
        }
    }
}

static void json_str(FILE *f, const char *s)
{
    buf b = BUF_INIT;
    buf_json(&b, s);
    fputs(buf_str(&b), f);
    buf_free(&b);
}

static void json_witness(FILE *f, const pack *p, const witness *w)
{
    fputs("\"witness\": ", f);
    if (!w->choices) {
        fputs("null, \"options\": null", f);
        return;
    }
    fputc('[', f);
    for (size_t i = 0; i < w->len; i++)
        fprintf(f, "%s%d", i ? ", " : "", w->choices[i]);
    fputs("], \"options\": {", f);
    bool first = true;
    for (int i = 0; i < p->nvars; i++)
        if (w->options[i] >= 0) {
            fputs(first ? "" : ", ", f);
            first = false;
            json_str(f, p->vars[i].name);
            fputs(": ", f);
            json_str(f, p->vars[i].values[w->options[i]]);
        }
    fputc('}', f);
}

static void json_result(FILE *f, const explore *e, const char *name, size_t count, const witness *w, bool last)
{
    fputs("    ", f);
    json_str(f, name);
    fprintf(f, ": {\"reachable\": %s, \"count\": %zu, ", count ? "true" : "false", count);
    json_witness(f, e->p, w);
    fprintf(f, "}%s\n", last ? "" : ",");
}

void explore_print_json(const explore *e, FILE *f)
{
    const pack *p = e->p;
    size_t rs, rc, rv;
    coverage(e, &rs, &rc, &rv);
    fputs("{\n  \"format\": 1,\n  \"pack\": ", f);
    json_str(f, p->id);
    fprintf(f, ",\n  \"mode\": \"%s\",\n", e->exhaustive ? "exhaustive" : "random");
    if (e->exhaustive)
        fprintf(f, "  \"states\": %zu,\n  \"complete\": %s,\n", e->states, e->complete ? "true" : "false");
    else
        fprintf(f, "  \"playthroughs\": %zu,\n  \"seed\": %llu,\n", e->runs, (unsigned long long)e->seed);
    fprintf(f, "  \"scenes\": %d,\n  \"reachable_scenes\": %zu,\n  \"choices\": %d,\n  \"covered_choices\": %zu,\n"
               "  \"variants\": %d,\n  \"covered_variants\": %zu,\n",
            p->nscenes, rs, p->nchoices, rc, p->nvariants, rv);
    fputs("  \"endings\": {\n", f);
    int nend = 0, seen = 0;
    for (int i = 0; i < p->nscenes; i++)
        nend += p->scenes[i]->ending;
    for (int i = 0; i < p->nscenes; i++)
        if (p->scenes[i]->ending)
            json_result(f, e, p->scenes[i]->id, explore_ending_count(e, i), &e->w_ending[i], ++seen == nend);
    fputs("  },\n  \"styles\": {\n", f);
    for (int i = 0; i < p->nstyles; i++)
        json_result(f, e, p->styles[i]->name, e->style[i + 1], &e->w_style[i + 1], i == p->nstyles - 1);
    fputs("  },\n  \"outcomes\": {\n", f);
    for (int i = 0; i < p->noutcomes; i++)
        json_result(f, e, p->outcomes[i]->name, e->outcome[i], &e->w_outcome[i], i == p->noutcomes - 1);
    fputs("  },\n  \"stability\": {", f);
    bool first = true;
    for (int sn = 0; !e->exhaustive && sn < p->nsnapshots; sn++)
        for (int v = 0; v < p->nvars; v++)
            if (p->vars[v].kind == V_DIM) {
                double r = explore_stability(e, sn, v);
                fprintf(f, "%s\n    \"%s.%s\": ", first ? "" : ",", p->snapshots[sn], p->vars[v].name);
                first = false;
                if (isnan(r))
                    fputs("null", f);
                else
                    fprintf(f, "%.4f", r);
            }
    fputs(first ? "},\n" : "\n  },\n", f);
    fputs("  \"never_reached\": {\n    \"scenes\": [", f);
    first = true;
    for (int i = 0; i < p->nscenes; i++)
        if (!e->scene[i]) {
            fprintf(f, "%s{\"id\": ", first ? "" : ", ");
            first = false;
            json_str(f, p->scenes[i]->id);
            fputs(", \"file\": ", f);
            json_str(f, p->scenes[i]->loc.file);
            fprintf(f, ", \"line\": %d}", p->scenes[i]->loc.line);
        }
    fputs("],\n    \"choices\": [", f);
    first = true;
    for (int i = 0; i < p->nchoices; i++)
        if (!e->choice[i] && e->scene[p->choices[i]->scene->index]) {
            const pk_choice *c = p->choices[i];
            fprintf(f, "%s{\"scene\": ", first ? "" : ", ");
            first = false;
            json_str(f, c->scene->id);
            fputs(", \"id\": ", f);
            json_str(f, c->id);
            fputs(", \"file\": ", f);
            json_str(f, c->loc.file);
            fprintf(f, ", \"line\": %d}", c->loc.line);
        }
    fputs("],\n    \"variants\": [", f);
    first = true;
    for (int i = 0; i < p->nscenes; i++) {
        const pk_scene *sc = p->scenes[i];
        int k = 0;
        for (const pk_variant *v = sc->text.first; v; v = v->next, k++)
            if (!e->variant[v->index] && e->scene[i] && sc->text.n > 1) {
                fprintf(f, "%s{\"scene\": ", first ? "" : ", ");
                first = false;
                json_str(f, sc->id);
                fprintf(f, ", \"variant\": %d, \"file\": ", k + 1);
                json_str(f, sc->loc.file);
                fprintf(f, ", \"line\": %d}", sc->loc.line);
            }
    }
    fputs("]\n  },\n  \"stuck\": [", f);
    for (size_t i = 0; i < e->nwit; i++) {
        fprintf(f, "%s{\"scene\": ", i ? ", " : "");
        json_str(f, p->scenes[e->stuck[i].scene]->id);
        fputs(", ", f);
        json_witness(f, p, &e->stuck[i].w);
        fputc('}', f);
    }
    fprintf(f, "],\n  \"stuck_count\": %zu", e->nstuck);
    if (!e->exhaustive && e->runs) {
        uint32_t *len = xmalloc(e->runs * sizeof(uint32_t));
        memcpy(len, e->lengths, e->runs * sizeof(uint32_t));
        qsort(len, e->runs, sizeof(uint32_t), cmp_u32);
        fprintf(f, ",\n  \"length\": {\"min\": %u, \"median\": %u, \"max\": %u}", len[0], len[e->runs / 2],
                len[e->runs - 1]);
        free(len);
    }
    fputs("\n}\n", f);
}

/* ---- expectations ------------------------------------------------------- */

static size_t count_of(const explore *e, const pk_expect *x)
{
    switch (x->kind) {
    case EX_STYLE: return e->style[x->index + 1];
    case EX_OUTCOME: return e->outcome[x->index];
    case EX_ENDING: return explore_ending_count(e, x->index);
    default: return 0;
    }
}

int explore_expectations(const pack *p, const explore *e, const explore_opts *o, FILE *f)
{
    int failed = 0;
    if (p->nexpects)
        fprintf(f, "\nExpectations (%s):\n", e->exhaustive ? "exhaustive" : "random play");
    for (int i = 0; i < p->nexpects; i++) {
        const pk_expect *x = &p->expects[i];
        const explore *run = e;
        explore *own = NULL;
        if (x->options) {
            explore_opts oo = *o;
            oo.options = x->options;
            own = e->exhaustive ? explore_exhaustive(p, &oo) : explore_random(p, &oo);
            run = own;
        }
        bool ok = true;
        char got[128] = "";
        if (x->kind == EX_STABILITY) {
            if (e->exhaustive) {
                fprintf(f, "  skip  %s (stability needs random play)\n", x->text);
                explore_free(own);
                continue;
            }
            double r = explore_stability(run, x->snapshot, x->index);
            snprintf(got, sizeof got, "r = %.3f", r);
            ok = !isnan(r) && (!x->has_min || r >= x->min) && (!x->has_max || r <= x->max);
        } else {
            size_t n = count_of(run, x);
            if (x->reachable)
                ok = n > 0;
            if (e->exhaustive) {
                snprintf(got, sizeof got, "%s%s", n ? "reachable" : "not reachable",
                         run->complete ? "" : ", search incomplete");
                if (!x->reachable) {
                    fprintf(f, "  skip  %s (shares need random play)\n", x->text);
                    explore_free(own);
                    continue;
                }
            } else {
                double share = run->runs ? (double)n / (double)run->runs : 0;
                snprintf(got, sizeof got, "%.2f%% (%zu of %zu)", 100 * share, n, run->runs);
                ok = ok && (!x->has_min || share >= x->min) && (!x->has_max || share <= x->max);
            }
        }
        fprintf(f, "  %s  %s: %s\n", ok ? "ok  " : "FAIL", x->text, got);
        failed += !ok;
        explore_free(own);
    }
    return failed;
}
