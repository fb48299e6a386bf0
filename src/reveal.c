/*
 * reveal: the ending's account of the hidden model (see reveal.h).
 *
 * The path search. An alternative playthrough is the player's own policy
 * (in each scene they saw, the choice they made there) with a few
 * overrides; in scenes the player never reached, the continuation takes
 * the available choice that brings the state closest to the target
 * (expr_distance). Its cost is the number of steps whose choice differs
 * from the player's in that scene, counting every step in an unseen scene.
 * A beam search adds one override per round, keeps the BEAM candidates
 * closest to the target, and keeps going while a round with more
 * overrides could still change fewer choices, so the answer has the
 * fewest changed choices the beam can find (a beam, not an exhaustive
 * search: it can miss a cheaper path that only a candidate it dropped
 * would have led to). It is a search
 * over the engine's own state transitions (pack_apply, pack_goto,
 * pack_enter), replaying from the start for each candidate: a playthrough
 * is under a hundred steps, so a candidate costs microseconds.
 */
#include "reveal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out.h"
#include "utf8.h"
#include "xalloc.h"

enum { BEAM = 12, MAX_DEPTH = REVEAL_MAX_CHANGES, MAX_OVERRIDES = REVEAL_MAX_CHANGES };

/* ---- the path search ---------------------------------------------------- */

typedef struct cand {
    int n;
    int scene[MAX_OVERRIDES];
    int choice[MAX_OVERRIDES]; /* index into the scene's choices */
    int64_t dist;
    int cost;
} cand;

typedef struct searcher {
    const pack *p;
    const int32_t *start; /* the state on entering the start scene */
    int *player;          /* per scene: the player's choice index there, or -1 */
    const expr *target;
    bool want;
    size_t max_steps;
    int32_t *st, *tmp;
    /* the path of the last replay */
    size_t n, cap;
    int *ps, *pc;    /* scene, choice index per step */
    int32_t *pst;    /* state at each step, n * state_size */
} searcher;

static bool available(const pk_choice *c, const int32_t *st)
{
    if (c->once_slot >= 0 && st[c->once_slot])
        return false;
    if (c->shown_if && !expr_eval(c->shown_if, st))
        return false;
    return !c->enabled_if || expr_eval(c->enabled_if, st);
}

/* st after taking c: effects, once, goto, entering the next scene. */
static const pk_scene *step(const pack *p, const pk_choice *c, int32_t *st)
{
    pack_apply(p, &c->effects, st);
    if (c->once_slot >= 0)
        st[c->once_slot] = 1;
    const pk_scene *to = pack_goto(c, st);
    pack_enter(p, to, st);
    return to;
}

static int override_of(const cand *c, int scene)
{
    for (int i = 0; i < c->n; i++)
        if (c->scene[i] == scene)
            return c->choice[i];
    return -1;
}

/* Replays candidate c from the start. Returns the ending reached, or NULL
 * when the alternative gets stuck or loops. Fills c->dist and c->cost;
 * with record, keeps the path in s->ps/pc/pst. */
static const pk_scene *replay(searcher *s, cand *c, bool record)
{
    const pack *p = s->p;
    size_t size = (size_t)p->state_size;
    memcpy(s->st, s->start, size * sizeof(int32_t));
    const pk_scene *sc = p->start;
    c->cost = 0;
    if (record)
        s->n = 0;
    for (size_t k = 0; !sc->ending; k++) {
        if (k >= s->max_steps)
            return NULL;
        int pick = override_of(c, sc->index);
        if (pick >= 0 && !available(sc->choices[pick], s->st))
            pick = -1;
        int mine = s->player[sc->index];
        if (pick < 0 && mine >= 0 && available(sc->choices[mine], s->st))
            pick = mine;
        if (pick < 0) {
            /* A scene the player never saw: continue toward the target. */
            int64_t best = INT64_MAX;
            for (int i = 0; i < sc->nchoices; i++) {
                if (!available(sc->choices[i], s->st))
                    continue;
                memcpy(s->tmp, s->st, size * sizeof(int32_t));
                step(p, sc->choices[i], s->tmp);
                int64_t d = expr_distance(s->target, s->tmp, s->want);
                if (d < best)
                    best = d, pick = i;
            }
            if (pick < 0)
                return NULL;
        }
        c->cost += pick != mine;
        if (record) {
            if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 128;
                s->ps = xrealloc(s->ps, s->cap * sizeof(int));
                s->pc = xrealloc(s->pc, s->cap * sizeof(int));
                s->pst = xrealloc(s->pst, s->cap * size * sizeof(int32_t));
            }
            s->ps[s->n] = sc->index;
            s->pc[s->n] = pick;
            memcpy(s->pst + s->n * size, s->st, size * sizeof(int32_t));
            s->n++;
        }
        sc = step(p, sc->choices[pick], s->st);
    }
    c->dist = expr_distance(s->target, s->st, s->want);
    return sc;
}

static bool same(const cand *a, const cand *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++)
        if (override_of(b, a->scene[i]) != a->choice[i])
            return false;
    return true;
}

static int by_dist(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->dist != b->dist)
        return a->dist < b->dist ? -1 : 1;
    return a->cost - b->cost;
}

static void search(reveal *r)
{
    const pack *p = r->p;
    const game *g = r->g;
    const pk_reveal *rv = &p->reveal;
    searcher s = {.p = p, .start = game_step_state(g, 0)};
    if (r->style >= 0 && r->style == rv->secure_style) {
        s.target = p->styles[rv->secure_style]->when;
        s.want = false;
        r->toward_goal = false;
    } else if (rv->goal >= 0) {
        s.target = p->outcomes[rv->goal]->when;
        s.want = true;
        r->toward_goal = true;
    } else {
        return;
    }
    r->searched = true;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t size = (size_t)p->state_size + 1;
    s.st = xmalloc(size * sizeof(int32_t));
    s.tmp = xmalloc(size * sizeof(int32_t));
    s.player = xmalloc(((size_t)p->nscenes + 1) * sizeof(int));
    for (int i = 0; i < p->nscenes; i++)
        s.player[i] = -1;
    size_t steps = game_steps(g);
    for (size_t i = 0; i < steps; i++) {
        const pk_scene *sc = game_step_scene(g, i);
        if (s.player[sc->index] >= 0)
            continue; /* revisited scenes keep the first choice */
        for (int k = 0; k < sc->nchoices; k++)
            if (sc->choices[k] == game_step_choice(g, i))
                s.player[sc->index] = k;
    }
    s.max_steps = steps * 4 + 200;

    cand *beam = xcalloc(BEAM, sizeof(cand));
    int nbeam = 1;
    size_t cap = 1024;
    cand *next = xmalloc(cap * sizeof(cand));
    cand best = {0};
    bool found = false;
    /* A candidate with d overrides changes at least d choices, so once a
     * path with cost c is found, rounds up to c - 1 overrides can still
     * find a cheaper one (a detour through unseen scenes costs every step
     * of it); the search stops when no round can beat the best. */
    for (int depth = 1; depth <= MAX_DEPTH && nbeam && (!found || depth < best.cost); depth++) {
        size_t n = 0;
        for (int b = 0; b < nbeam; b++) {
            if (!replay(&s, &beam[b], true))
                continue;
            for (size_t k = 0; k < s.n; k++) {
                const pk_scene *sc = p->scenes[s.ps[k]];
                if (override_of(&beam[b], sc->index) >= 0)
                    continue;
                const int32_t *at = s.pst + k * (size_t)p->state_size;
                for (int a = 0; a < sc->nchoices; a++) {
                    if (a == s.pc[k] || !available(sc->choices[a], at))
                        continue;
                    cand c = beam[b];
                    c.scene[c.n] = sc->index;
                    c.choice[c.n] = a;
                    c.n++;
                    /* the beam's own replay is in s.ps; replay c without
                     * recording so that path stays valid */
                    const pk_scene *end = replay(&s, &c, false);
                    if (!end)
                        continue;
                    if (c.dist == 0 && (!found || c.cost < best.cost)) {
                        best = c;
                        found = true;
                    }
                    if (n == cap) {
                        cap *= 2;
                        next = xrealloc(next, cap * sizeof(cand));
                    }
                    next[n++] = c;
                }
            }
        }
        qsort(next, n, sizeof(cand), by_dist);
        nbeam = 0;
        for (size_t i = 0; i < n && nbeam < BEAM; i++) {
            bool dup = false;
            for (int k = 0; k < nbeam && !dup; k++)
                dup = same(&beam[k], &next[i]);
            if (!dup)
                beam[nbeam++] = next[i];
        }
    }
    if (found) {
        r->found = true;
        r->alt_ending = replay(&s, &best, true);
        r->alt_style = pack_style(p, s.st);
        for (size_t k = 0; k < s.n && r->nchanges < REVEAL_MAX_CHANGES; k++) {
            const pk_scene *sc = p->scenes[s.ps[k]];
            int mine = s.player[sc->index];
            if (s.pc[k] == mine)
                continue;
            reveal_change *ch = &r->change[r->nchanges++];
            ch->scene = sc;
            ch->was = mine >= 0 ? sc->choices[mine] : NULL;
            ch->instead = sc->choices[s.pc[k]];
        }
    }
    free(beam);
    free(next);
    free(s.st);
    free(s.tmp);
    free(s.player);
    free(s.ps);
    free(s.pc);
    free(s.pst);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->search_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/* ---- computing the reveal ----------------------------------------------- */

static void top_moments(const game *g, int var, reveal_moment *m, int *count)
{
    *count = 0;
    size_t steps = game_steps(g);
    for (size_t i = 0; i < steps; i++) {
        int32_t d = game_step_state(g, i + 1)[var] - game_step_state(g, i)[var];
        if (d == 0)
            continue;
        int32_t mag = d < 0 ? -d : d;
        int at = *count;
        while (at > 0) {
            int32_t prev = m[at - 1].delta < 0 ? -m[at - 1].delta : m[at - 1].delta;
            if (prev >= mag)
                break;
            at--;
        }
        if (at >= REVEAL_MOMENTS)
            continue;
        int last = *count < REVEAL_MOMENTS ? *count : REVEAL_MOMENTS - 1;
        memmove(&m[at + 1], &m[at], (size_t)(last - at) * sizeof *m);
        m[at] = (reveal_moment){i, d};
        if (*count < REVEAL_MOMENTS)
            (*count)++;
    }
}

void reveal_compute(reveal *r, const game *g, bool do_search)
{
    memset(r, 0, sizeof *r);
    const pack *p = game_pack(g);
    const pk_reveal *rv = &p->reveal;
    r->p = p;
    r->g = g;
    r->style = r->start_style = r->nearest = r->alt_style = -1;
    if (!rv->present)
        return;
    r->ok = true;
    const int32_t *st = game_state(g);
    r->x = st[rv->x];
    r->y = st[rv->y];
    r->style = pack_style(p, st);
    size_t steps = game_steps(g);
    r->snap_chapter = -1;
    if (rv->snapshot >= 0) {
        for (size_t i = 0; i <= steps && !r->has_start; i++) {
            r->has_start = game_step_scene(g, i)->snapshot == rv->snapshot;
            /* The snapshot closes the chapter played just before it. */
            if (r->has_start)
                r->snap_chapter = i ? game_step_scene(g, i - 1)->chapter : game_step_scene(g, 0)->chapter;
        }
        if (r->has_start) {
            const int32_t *snap = st + p->snap_base + (size_t)rv->snapshot * (size_t)p->nvars;
            r->sx = snap[rv->x];
            r->sy = snap[rv->y];
            /* The style the snapshot falls in: evaluate with the
             * snapshot's values in place of the current ones. */
            int32_t *tmp = xmalloc(((size_t)p->state_size + 1) * sizeof(int32_t));
            memcpy(tmp, st, (size_t)p->state_size * sizeof(int32_t));
            memcpy(tmp, snap, (size_t)p->nvars * sizeof(int32_t));
            r->start_style = pack_style(p, tmp);
            free(tmp);
        }
    }
    double best = INFINITY;
    for (int i = 0; i < rv->nproto; i++) {
        double dx = (double)r->x - rv->proto_x[i], dy = (double)r->y - rv->proto_y[i];
        double d = sqrt(dx * dx + dy * dy);
        if (d < best)
            best = d, r->nearest = i;
    }
    r->nearest_dist = best;
    r->between = llabs((long long)r->x - rv->mid_x) <= rv->between || llabs((long long)r->y - rv->mid_y) <= rv->between;
    for (size_t i = 0; i < steps && r->nchapters < 64; i++) {
        const pk_scene *sc = game_step_scene(g, i), *nx = game_step_scene(g, i + 1);
        if (nx->chapter == sc->chapter)
            continue;
        const int32_t *at = game_step_state(g, i + 1);
        r->chapter[r->nchapters] = sc->chapter;
        r->cx[r->nchapters] = at[rv->x];
        r->cy[r->nchapters] = at[rv->y];
        r->nchapters++;
    }
    top_moments(g, rv->x, r->mx, &r->nmx);
    top_moments(g, rv->y, r->my, &r->nmy);
    if (do_search && game_over(g))
        search(r);
}

/* ---- the map ------------------------------------------------------------ */

enum { MAP_W = 41, MAP_H = 17 };

typedef struct grid {
    const char *cell[MAP_H][MAP_W]; /* each a UTF-8 (or ASCII) string */
    char owned[MAP_H][MAP_W][8];
} grid;

/* Bounds can span the whole int32 range: compute in double. */
static double span(const pk_var *v)
{
    double d = (double)v->max - (double)v->min;
    return d > 0 ? d : 1;
}

static int col_of(const pk_var *v, int32_t x)
{
    return (int)lround(((double)x - v->min) * (MAP_W - 1) / span(v));
}

static int row_of(const pk_var *v, int32_t y)
{
    return MAP_H - 1 - (int)lround(((double)y - v->min) * (MAP_H - 1) / span(v));
}

static void put(grid *gr, int row, int col, const char *s)
{
    if (row >= 0 && row < MAP_H && col >= 0 && col < MAP_W)
        gr->cell[row][col] = s;
}

static bool is_blank_or_line(const grid *gr, int row, int col, const char *const *lines)
{
    const char *c = gr->cell[row][col];
    for (int i = 0; lines[i]; i++)
        if (c == lines[i])
            return true;
    return false;
}

void reveal_map(const reveal *r, bool u, buf *out)
{
    if (!r->ok)
        return;
    const pack *p = r->p;
    const pk_reveal *rv = &p->reveal;
    const pk_var *vx = &p->vars[rv->x], *vy = &p->vars[rv->y];
    static const char *const blank = " ";
    const char *hline = u ? "\u2500" : "-", *vline = u ? "\u2502" : "|", *cross = u ? "\u253c" : "+";
    const char *dot = u ? "\u00b7" : ".";
    const char *lines[] = {blank, hline, vline, cross, NULL};
    grid gr;
    int mc = col_of(vx, rv->mid_x), mr = row_of(vy, rv->mid_y);
    for (int row = 0; row < MAP_H; row++)
        for (int col = 0; col < MAP_W; col++)
            // cppcheck-suppress knownConditionTrueFalse ; mr and mc vary with the pack's cut lines
            gr.cell[row][col] = row == mr && col == mc ? cross : row == mr ? hline : col == mc ? vline : blank;
    /* Quadrant labels at the prototypes' points, clipped to the map. */
    for (int i = 0; i < rv->nproto; i++) {
        const char *label = p->styles[rv->proto_style[i]]->label;
        int len = 0;
        while (label[len] && label[len] != ' ' && label[len] != '-' && len < 12 && (unsigned char)label[len] < 0x80)
            len++;
        int row = row_of(vy, rv->proto_y[i]) + (rv->proto_y[i] >= rv->mid_y ? -3 : 3);
        int col = col_of(vx, rv->proto_x[i]) - len / 2;
        if (col < 1)
            col = 1;
        if (col + len > MAP_W - 1)
            col = MAP_W - 1 - len;
        if (row < 0)
            row = 0;
        if (row >= MAP_H)
            row = MAP_H - 1;
        for (int k = 0; k < len; k++) {
            gr.owned[row][col + k][0] = label[k];
            gr.owned[row][col + k][1] = '\0';
            put(&gr, row, col + k, gr.owned[row][col + k]);
        }
    }
    /* The path: snapshot, the end of each chapter, joined by dots. */
    int n = 0, prow[66], pcol[66];
    const char *mark[66];
    static const char *const digits[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
    if (r->has_start) {
        prow[n] = row_of(vy, r->sy), pcol[n] = col_of(vx, r->sx);
        mark[n++] = u ? "\u25cb" : "o";
    }
    int chapter_no = 0;
    for (int i = 0; i < r->nchapters && n < 64; i++) {
        if (r->has_start && r->chapter[i] == r->snap_chapter)
            continue; /* the snapshot marks the end of that chapter */
        prow[n] = row_of(vy, r->cy[i]), pcol[n] = col_of(vx, r->cx[i]);
        mark[n++] = digits[chapter_no < 9 ? chapter_no : 8];
        chapter_no++;
    }
    prow[n] = row_of(vy, r->y), pcol[n] = col_of(vx, r->x);
    mark[n++] = u ? "\u25cf" : "@";
    for (int i = 0; i + 1 < n; i++) {
        int steps = abs(pcol[i + 1] - pcol[i]) > abs(prow[i + 1] - prow[i]) ? abs(pcol[i + 1] - pcol[i])
                                                                             : abs(prow[i + 1] - prow[i]);
        for (int k = 1; k < steps; k++) {
            int row = prow[i] + (int)lround((double)(prow[i + 1] - prow[i]) * k / steps);
            int col = pcol[i] + (int)lround((double)(pcol[i + 1] - pcol[i]) * k / steps);
            if (is_blank_or_line(&gr, row, col, lines))
                put(&gr, row, col, dot);
        }
    }
    for (int i = 0; i < n; i++)
        put(&gr, prow[i], pcol[i], mark[i]);

    const char *tl = u ? "\u250c" : "+", *tr = u ? "\u2510" : "+", *bl = u ? "\u2514" : "+",
               *br = u ? "\u2518" : "+";
    buf_printf(out, "%5d ", (int)vy->max);
    buf_puts(out, tl);
    for (int c = 0; c < MAP_W; c++)
        buf_puts(out, hline);
    buf_puts(out, tr);
    buf_putc(out, '\n');
    for (int row = 0; row < MAP_H; row++) {
        if (row == mr)
            buf_printf(out, "%5d ", (int)rv->mid_y);
        else
            buf_puts(out, "      ");
        buf_puts(out, vline);
        for (int col = 0; col < MAP_W; col++)
            buf_puts(out, gr.cell[row][col]);
        buf_puts(out, vline);
        buf_putc(out, '\n');
    }
    buf_printf(out, "%5d ", (int)vy->min);
    buf_puts(out, bl);
    for (int c = 0; c < MAP_W; c++)
        buf_puts(out, hline);
    buf_puts(out, br);
    buf_putc(out, '\n');
    buf_printf(out, "       %-*d%*d\n", mc, (int)vx->min, MAP_W - mc + 1, (int)vx->max);
}

void reveal_sparkline(const reveal *r, int var, int width, bool u, buf *out)
{
    static const char *const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                         "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char *const ascii[] = {"_", ".", "-", "~", "=", "+", "*", "#"};
    const pk_var *v = &r->p->vars[var];
    size_t n = game_steps(r->g) + 1;
    if (width < 1)
        width = 1;
    size_t cells = n < (size_t)width ? n : (size_t)width;
    for (size_t c = 0; c < cells; c++) {
        size_t i = c * (n - 1) / (cells > 1 ? cells - 1 : 1);
        int32_t val = game_step_state(r->g, i)[var];
        int level = (int)(((double)val - v->min) * 8 / ((double)v->max - v->min + 1));
        level = level < 0 ? 0 : level > 7 ? 7 : level;
        buf_puts(out, u ? blocks[level] : ascii[level]);
    }
}

/* ---- the terminal reveal ------------------------------------------------ */

/* Appends pack text as one rendered paragraph. */
static void para(buf *out, const reveal_style *st, const char *text)
{
    out_style os = {st->width, st->styled, 0, 0};
    out_render(out, text, strlen(text), &os);
}

static void choice_text(const pk_choice *c, const int32_t *st, buf *b)
{
    pack_render(&c->text, st, b);
}

static void moment_lines(const reveal *r, const reveal_style *st, buf *out, const reveal_moment *m, int n,
                         const char *axis)
{
    buf line = BUF_INIT;
    for (int i = 0; i < n; i++) {
        const pk_scene *sc = game_step_scene(r->g, m[i].step);
        buf_reset(&line);
        buf_printf(&line, "%s %+d — *%s*: \"", axis, (int)m[i].delta, sc->title ? sc->title : sc->id);
        choice_text(game_step_choice(r->g, m[i].step), game_step_state(r->g, m[i].step), &line);
        buf_puts(&line, "\"");
        out_style os = {st->width, st->styled, 2, 4};
        out_render(out, line.data, line.len, &os);
    }
    buf_free(&line);
}

void reveal_render(const reveal *r, const reveal_style *st, buf *out)
{
    if (!r->ok)
        return;
    const pack *p = r->p;
    const pk_reveal *rv = &p->reveal;
    const pk_var *vx = &p->vars[rv->x], *vy = &p->vars[rv->y];
    buf t = BUF_INIT;

    buf_puts(out, "\n");
    para(out, st, "**What was hidden**");
    buf_puts(out, "\n");
    buf_printf(&t, "The story kept track of a model your character built of themselves and of other "
                   "people. This is where it ended: %s %d and %s %d (each from %d to %d).",
               vy->label ? vy->label : vy->name, (int)r->y, vx->label ? vx->label : vx->name, (int)r->x,
               (int)vy->min, (int)vy->max);
    para(out, st, t.data);
    buf_puts(out, "\n");
    buf_printf(out, "       %s %s\n", st->unicode ? "\u2191" : "^", vy->label ? vy->label : vy->name);
    reveal_map(r, st->unicode, out);
    buf_printf(out, "       %s %s\n", vx->label ? vx->label : vx->name, st->unicode ? "\u2192" : "->");
    buf_reset(&t);
    const pk_chapter *snap_ch = r->snap_chapter >= 0 ? &p->chapters[r->snap_chapter] : NULL;
    const char *snap_title = snap_ch ? (snap_ch->title ? snap_ch->title : snap_ch->id) : "the snapshot";
    if (r->has_start)
        buf_printf(&t, "%s the end of %s  ", st->unicode ? "\u25cb" : "o", snap_title);
    int k = 0;
    for (int i = 0; i < r->nchapters; i++) {
        if (r->has_start && r->chapter[i] == r->snap_chapter)
            continue;
        const pk_chapter *ch = &p->chapters[r->chapter[i]];
        buf_printf(&t, "%d %s  ", ++k, ch->title ? ch->title : ch->id); /* NOLINT(clang-analyzer-core.NullDereference): chapter indices come from the model */
    }
    buf_printf(&t, "%s now", st->unicode ? "\u25cf" : "@");
    buf_puts(out, "\n");
    out_style legend = {st->width, false, 2, 2};
    out_render(out, t.data, t.len, &legend);

    /* The position in words. */
    buf_puts(out, "\n");
    buf_reset(&t);
    if (r->nearest >= 0) {
        const pk_region *near = p->styles[rv->proto_style[r->nearest]];
        if (r->between)
            buf_printf(&t, "This position lies **between prototypes**, close to a cut-off line; the nearest is "
                           "**%s** (distance %.0f).",
                       near->label, r->nearest_dist);
        else
            buf_printf(&t, "The nearest prototype is **%s** (distance %.0f).", near->label, r->nearest_dist);
    }
    if (r->style >= 0 && p->styles[r->style]->description)
        buf_printf(&t, " %s", p->styles[r->style]->description);
    para(out, st, t.data);
    buf_puts(out, "\n");
    buf_reset(&t);
    buf_printf(&t, "*This is your character's position in this story, not a diagnosis of you.* The lines at "
                   "%d are a convention, not a clinical cut-off: the research finds attachment to be a matter of "
                   "degree along both axes. If you want to know your own style, validated questionnaires exist "
                   "(such as the ECR-R), best taken with a psychologist or in a research study; if something "
                   "here touched a sore place, a counsellor or your doctor is a good first call.",
               (int)rv->mid_y);
    para(out, st, t.data);

    /* Then and now. */
    if (r->has_start) {
        buf_puts(out, "\n");
        para(out, st, "**Then and now**");
        buf_reset(&t);
        buf_printf(&t, "At the end of %s: %s %d, %s %d%s%s%s. Now: %s %d, %s %d.", snap_title,
                   vy->label ? vy->label : vy->name, (int)r->sy, vx->label ? vx->label : vx->name, (int)r->sx,
                   r->start_style >= 0 ? " (" : "", r->start_style >= 0 ? p->styles[r->start_style]->label : "",
                   r->start_style >= 0 ? ")" : "", vy->label ? vy->label : vy->name, (int)r->y,
                   vx->label ? vx->label : vx->name, (int)r->x);
        para(out, st, t.data);
        for (int i = 0; i < p->noutcomes; i++) {
            if (!pack_outcome(p, i, game_state(r->g)))
                continue;
            buf_reset(&t);
            buf_printf(&t, "**%s.** %s", p->outcomes[i]->label,
                       p->outcomes[i]->description ? p->outcomes[i]->description : "");
            buf_puts(out, "\n");
            para(out, st, t.data);
        }
    }

    /* The moments. */
    buf_puts(out, "\n");
    para(out, st, "**The moments that moved the model most**");
    moment_lines(r, st, out, r->my, r->nmy, vy->label ? vy->label : vy->name);
    moment_lines(r, st, out, r->mx, r->nmx, vx->label ? vx->label : vx->name);

    /* The path. */
    if (r->searched) {
        buf_puts(out, "\n");
        const char *goal = r->toward_goal ? p->outcomes[rv->goal]->label : NULL;
        buf_reset(&t);
        if (r->toward_goal)
            buf_printf(&t, "**The nearest path to %s**", goal);
        else
            buf_printf(&t, "**What protected this position, and the nearest path away from it**");
        para(out, st, t.data);
        buf_reset(&t);
        if (!r->found) {
            buf_printf(&t, "No path within %d changed choices was found from this playthrough.", REVEAL_MAX_CHANGES);
            para(out, st, t.data);
        } else {
            buf_printf(&t, "%d changed choice%s would have %s:", r->nchanges, r->nchanges == 1 ? "" : "s",
                       r->toward_goal ? "ended there" : "ended outside it");
            if (!r->toward_goal) {
                buf_puts(&t, " the choices below held the position; made the other way, the ending would have been ");
                buf_puts(&t, r->alt_style >= 0 ? p->styles[r->alt_style]->label : "different");
                buf_puts(&t, ".");
            }
            para(out, st, t.data);
            buf line = BUF_INIT;
            for (int i = 0; i < r->nchanges; i++) {
                const reveal_change *c = &r->change[i];
                buf_reset(&line);
                buf_printf(&line, "at *%s*, \"", c->scene->title ? c->scene->title : c->scene->id);
                /* Choice texts as the player saw them in that scene (the
                 * alternative's wording may differ slightly with state). */
                const int32_t *at = game_step_state(r->g, 0);
                for (size_t s = 0; s < game_steps(r->g); s++)
                    if (game_step_scene(r->g, s) == c->scene) {
                        at = game_step_state(r->g, s);
                        break;
                    }
                choice_text(c->instead, at, &line);
                buf_puts(&line, "\"");
                if (c->was) {
                    buf_puts(&line, " instead of \"");
                    choice_text(c->was, at, &line);
                    buf_puts(&line, "\"");
                } else {
                    buf_puts(&line, " (a scene this playthrough never reached)");
                }
                out_style os = {st->width, st->styled, 2, 4};
                out_render(out, line.data, line.len, &os);
            }
            buf_free(&line);
        }
    }

    /* Sparklines. */
    buf_puts(out, "\n");
    para(out, st, "**Over the whole game**");
    int w = st->width - 24;
    w = w < 10 ? 10 : w > 70 ? 70 : w;
    for (int i = 0; i < p->nvars; i++) {
        if (p->vars[i].kind != V_DIM)
            continue;
        buf line = BUF_INIT;
        out_sanitize(&line, p->vars[i].label ? p->vars[i].label : p->vars[i].name,
                     strlen(p->vars[i].label ? p->vars[i].label : p->vars[i].name));
        size_t lw = utf8_width(line.data, line.len);
        buf_printf(out, "  %s%*s ", line.data, lw < 20 ? (int)(20 - lw) : 0, "");
        reveal_sparkline(r, i, w, st->unicode, out);
        buf_printf(out, " %d\n", (int)game_state(r->g)[i]);
        buf_free(&line);
    }
    buf_free(&t);
}
