/*
 * game: the playthrough runtime (see game.h). States are kept in one array
 * of (steps + 1) * state_size slots: entry i is the state on entering the
 * scene of step i. The state right after a choice's effects (before the
 * next scene's on_enter) is kept separately, because the reply is told
 * against it.
 */
#include "game.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct game {
    const pack *p;
    uint64_t seed;
    size_t steps, cap; /* choices taken; capacity of the logs in steps */
    int32_t *states;   /* (cap + 1) * state_size */
    const pk_choice **choices;
    const pk_scene **scenes; /* cap + 1: the scene of each step and the current */
    int32_t *mid;            /* state after the last choice's effects */
    bool has_reply;
};

uint64_t game_rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

game *game_new(const pack *p)
{
    game *g = xcalloc(1, sizeof *g);
    g->p = p;
    g->cap = 64;
    g->states = xmalloc((g->cap + 1) * (size_t)p->state_size * sizeof(int32_t) + 1);
    g->choices = xmalloc(g->cap * sizeof(pk_choice *));
    g->scenes = xmalloc((g->cap + 1) * sizeof(pk_scene *));
    g->mid = xmalloc((size_t)p->state_size * sizeof(int32_t) + 1);
    return g;
}

void game_free(game *g)
{
    if (!g)
        return;
    free(g->states);
    free(g->choices);
    free(g->scenes);
    free(g->mid);
    free(g);
}

static int32_t *state_at(const game *g, size_t i)
{
    return g->states + i * (size_t)g->p->state_size;
}

void game_start(game *g, uint64_t seed, const int *options)
{
    const pack *p = g->p;
    int32_t *st = state_at(g, 0);
    uint64_t rng = seed;
    g->seed = seed;
    g->steps = 0;
    g->has_reply = false;
    for (int i = 0; i < p->nvars; i++) {
        const pk_var *v = &p->vars[i];
        st[i] = v->start;
        if (v->kind != V_OPTION)
            continue;
        int want = options ? options[i] : -1;
        if (want >= 0 && want < v->nvalues)
            st[i] = want;
        else if (v->deflt >= 0)
            st[i] = v->deflt;
        else
            st[i] = (int32_t)(game_rng(&rng) % (uint64_t)v->nvalues);
    }
    /* A snapshot read before it is taken gives the start values. */
    for (int s = 0; s < p->nsnapshots; s++)
        memcpy(st + p->snap_base + (size_t)s * (size_t)p->nvars, st, (size_t)p->nvars * sizeof(int32_t));
    memset(st + p->once_base, 0, (size_t)p->nonce * sizeof(int32_t));
    g->scenes[0] = p->start;
    pack_enter(p, p->start, st);
}

const pack *game_pack(const game *g) { return g->p; }
uint64_t game_seed(const game *g) { return g->seed; }
const pk_scene *game_scene(const game *g) { return g->scenes[g->steps]; }
const int32_t *game_state(const game *g) { return state_at(g, g->steps); }
bool game_over(const game *g) { return game_scene(g)->ending; }

bool game_shown(const game *g, const pk_choice *c)
{
    const int32_t *st = game_state(g);
    if (c->once_slot >= 0 && st[c->once_slot])
        return false;
    return !c->shown_if || expr_eval(c->shown_if, st);
}

bool game_enabled(const game *g, const pk_choice *c)
{
    return !c->enabled_if || expr_eval(c->enabled_if, game_state(g));
}

game_result game_choose(game *g, const pk_choice *c)
{
    const pack *p = g->p;
    if (game_over(g))
        return GAME_OVER;
    if (c->scene != game_scene(g))
        return GAME_FOREIGN;
    if (!game_shown(g, c))
        return GAME_HIDDEN;
    if (!game_enabled(g, c))
        return GAME_DISABLED;
    if (g->steps == g->cap) {
        g->cap *= 2;
        g->states = xrealloc(g->states, (g->cap + 1) * (size_t)p->state_size * sizeof(int32_t) + 1);
        g->choices = xrealloc(g->choices, g->cap * sizeof(pk_choice *));
        g->scenes = xrealloc(g->scenes, (g->cap + 1) * sizeof(pk_scene *));
    }
    const int32_t *cur = state_at(g, g->steps);
    int32_t *mid = g->mid;
    memcpy(mid, cur, (size_t)p->state_size * sizeof(int32_t));
    pack_apply(p, &c->effects, mid);
    if (c->once_slot >= 0)
        mid[c->once_slot] = 1;
    pk_scene *next = pack_goto(c, mid);
    int32_t *st = state_at(g, g->steps + 1);
    memcpy(st, mid, (size_t)p->state_size * sizeof(int32_t));
    g->choices[g->steps] = c;
    g->steps++;
    g->scenes[g->steps] = next;
    pack_enter(p, next, st);
    g->has_reply = true;
    return GAME_OK;
}

void game_reply(const game *g, buf *out)
{
    if (g->has_reply && g->steps)
        pack_render(&g->choices[g->steps - 1]->reply, g->mid, out);
}

size_t game_undo(game *g, size_t n)
{
    if (n > g->steps)
        n = g->steps;
    g->steps -= n;
    if (n)
        g->has_reply = false;
    return n;
}

size_t game_steps(const game *g) { return g->steps; }
const pk_choice *game_step_choice(const game *g, size_t i) { return g->choices[i]; }
const pk_scene *game_step_scene(const game *g, size_t i) { return g->scenes[i]; }
const int32_t *game_step_state(const game *g, size_t i) { return state_at(g, i); }
