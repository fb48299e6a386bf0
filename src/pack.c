/*
 * pack: the read-only queries the runtime makes of a loaded pack (the
 * model itself is built by load.c, parse.c and resolve.c). These run on
 * every choice, so they allocate nothing and assume the invariants the
 * loader established (see pack_int.h).
 */
#include <string.h>

#include "pack_int.h"

int pack_style(const pack *p, const int32_t *st)
{
    for (int i = 0; i < p->nstyles; i++)
        if (expr_eval(p->styles[i]->when, st))
            return i;
    return -1;
}

bool pack_outcome(const pack *p, int i, const int32_t *st)
{
    return expr_eval(p->outcomes[i]->when, st) != 0;
}

pk_scene *pack_scene(const pack *p, const char *id)
{
    const char *in = intern_find(p->names, id, strlen(id));
    if (!in)
        return NULL;
    for (int i = 0; i < p->nscenes; i++)
        if (p->scenes[i]->id == in)
            return p->scenes[i];
    return NULL;
}

int pack_variant(const pk_text *t, const int32_t *st)
{
    int i = 0;
    for (const pk_variant *v = t->first; v; v = v->next, i++)
        if (!v->when || expr_eval(v->when, st))
            return i;
    return -1;
}

void pack_render(const pk_text *t, const int32_t *st, buf *out)
{
    for (const pk_variant *v = t->first; v; v = v->next)
        if (!v->when || expr_eval(v->when, st)) {
            text_render(v->text, st, out);
            return;
        }
}

static int32_t clamp(int64_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : (int32_t)v;
}

void pack_apply(const pack *p, const pk_effects *fx, int32_t *st)
{
    for (const pk_effect_block *b = fx->first; b; b = b->next) {
        if (b->when && !expr_eval(b->when, st))
            continue;
        for (const pk_effect *e = b->first; e; e = e->next) {
            const pk_var *v = &p->vars[e->slot];
            int64_t cur = st[e->slot];
            switch ((pk_effect_kind)e->kind) {
            case E_ADD:
                st[e->slot] = clamp(cur + e->value, v->min, v->max);
                break;
            case E_SET:
                st[e->slot] = e->value;
                break;
            case E_FAIR: {
                /* ChoiceScript's fairmath: a share of the distance left to
                 * the bound, rounded, and at least one step while there is
                 * room, so repeated steps approach the bound but never
                 * pass it. */
                int64_t room = e->value > 0 ? (int64_t)v->max - cur : cur - (int64_t)v->min;
                int64_t pct = e->value > 0 ? e->value : -(int64_t)e->value;
                int64_t step = (room * pct + 50) / 100;
                if (step == 0 && room > 0)
                    step = 1;
                st[e->slot] = clamp(e->value > 0 ? cur + step : cur - step, v->min, v->max);
                break;
            }
            }
        }
    }
}

void pack_enter(const pack *p, const pk_scene *s, int32_t *st)
{
    pack_apply(p, &s->on_enter, st);
    if (s->snapshot >= 0)
        memcpy(st + p->snap_base + (size_t)s->snapshot * (size_t)p->nvars, st, (size_t)p->nvars * sizeof(int32_t));
}

pk_scene *pack_goto(const pk_choice *c, const int32_t *st)
{
    const pk_goto *g = c->go;
    while (g->when && !expr_eval(g->when, st))
        g = g->next; /* the last entry has no condition (loader invariant) */
    return g->scene;
}
