/*
 * validate: the third pass of loading, over the whole resolved pack:
 * reachability from the start scene (ignoring conditions, so it is an
 * over-approximation: a scene reported unreachable truly is), whether any
 * ending can be reached, state never mentioned, and choices whose
 * condition can never hold by interval analysis over the state's bounds.
 * The finer question (which scenes and endings can be reached given the
 * conditions) is `iwm explore --exhaustive`.
 */
#include <stdlib.h>

#include "load_int.h"
#include "xalloc.h"

void load_validate(loader *L)
{
    pack *p = L->p;
    if (!p->start)
        return;
    bool *seen = xcalloc((size_t)p->nscenes + 1, sizeof(bool));
    int *stack = xmalloc(((size_t)p->nscenes + 1) * sizeof(int));
    int top = 0;
    stack[top++] = p->start->index;
    seen[p->start->index] = true;
    bool ending = false;
    while (top) {
        pk_scene *s = p->scenes[stack[--top]];
        ending |= s->ending;
        for (int i = 0; i < s->nchoices; i++)
            for (pk_goto *g = s->choices[i]->go; g; g = g->next)
                if (g->scene && !seen[g->scene->index]) {
                    seen[g->scene->index] = true;
                    stack[top++] = g->scene->index;
                }
    }
    if (!ending) {
        srcref r = load_ref(L, p->start->loc);
        loc_report(L, D_NO_ENDING, &r, "no ending can be reached from the start scene '%s'",
                   p->start->id);
    }
    for (int i = 0; i < p->nscenes; i++) {
        if (seen[i])
            continue;
        srcref r = load_ref(L, p->scenes[i]->loc);
        loc_report(L, D_UNREACHABLE, &r, "scene '%s' cannot be reached from the start",
                   p->scenes[i]->id);
    }
    free(seen);
    free(stack);

    for (int i = 0; i < p->nvars; i++) {
        if (p->vars[i].used)
            continue;
        srcref r = load_ref(L, p->vars[i].loc);
        loc_report(L, D_UNUSED, &r, "'%s' is declared but never used", p->vars[i].name);
    }

    for (int i = 0; i < p->nchoices; i++) {
        const pk_choice *c = p->choices[i];
        int64_t lo, hi;
        if (c->shown_if) {
            expr_range(c->shown_if, p->lo, p->hi, &lo, &hi);
            if (hi == 0) {
                srcref r = load_ref(L, c->loc);
                loc_report(L, D_NEVER_SHOWN, &r, "choice '%s' can never be shown: its 'if' is always false",
                           c->id);
            }
        }
        if (c->enabled_if) {
            expr_range(c->enabled_if, p->lo, p->hi, &lo, &hi);
            if (hi == 0) {
                srcref r = load_ref(L, c->loc);
                loc_report(L, D_NEVER_ENABLED, &r,
                           "choice '%s' can never be taken: its 'enabled_if' is always false", c->id);
            }
        }
    }

    for (int i = 0; i < p->nscenes; i++) {
        const pk_scene *s = p->scenes[i];
        const pk_variant *v = s->text.first;
        if (!v)
            continue;
        while (v->next)
            v = v->next;
        if (v->when) {
            srcref r = load_ref(L, s->loc);
            loc_report(L, D_EMPTY_TEXT, &r,
                       "every variant of the text of '%s' has a 'when': add a last variant without "
                       "one, or the scene may have no narration",
                       s->id);
        }
    }
}
