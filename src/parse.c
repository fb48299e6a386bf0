/*
 * parse: building the pack model from the YAML event stream (the first
 * pass of loading; see load.c). Each function consumes exactly one node
 * and reports what is wrong with it, then carries on with the next key, so
 * one run of `iwm check` shows every structural problem. Mappings check
 * their keys against a fixed table (unknown keys get a "did you mean") and
 * reject duplicates, which libyaml itself accepts silently.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_int.h"
#include "utf8.h"
#include "xalloc.h"

enum { KEY_END = -1 };

static srcref ref_of(loader *L, const yaml_event_t *e)
{
    srcref r = {L->cur, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1,
                (int)e->end_mark.line + 1, (int)e->end_mark.column + 1, 0};
    if (e->type == YAML_SCALAR_EVENT)
        r.style = e->data.scalar.style;
    return r;
}

static const char *node_kind(yaml_event_type_t t)
{
    return t == YAML_MAPPING_START_EVENT    ? "a mapping"
           : t == YAML_SEQUENCE_START_EVENT ? "a list"
                                            : "a single value";
}

/* Reports that the current node is not what was wanted, and skips it. */
static void wrong(loader *L, const char *what, const char *want)
{
    srcref r = ref_of(L, &L->ev);
    loc_report(L, D_WRONG_TYPE, &r, "%s must be %s, not %s", what, want, node_kind(L->ev.type));
    ev_skip(L);
}

static bool begin(loader *L, yaml_event_type_t t, const char *what, srcref *where)
{
    yaml_event_type_t got = ev_peek(L);
    if (got == YAML_NO_EVENT)
        return false;
    if (got != t) {
        wrong(L, what, t == YAML_MAPPING_START_EVENT ? "a mapping" : "a list");
        return false;
    }
    if (where)
        *where = ref_of(L, &L->ev);
    ev_next(L);
    return true;
}

/* Unsafe characters in story text: everything out_sanitize would remove.
 * Refusing them at load means a pack author hears about an escape hidden
 * in a "\e" the moment they check the pack. */
static bool unsafe_at(const char *s, size_t n, size_t *at)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
                *at = i;
                return true;
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (!k || utf8_is_format_control(cp)) {
            *at = i;
            return true;
        }
        i += k;
    }
    return false;
}

/* Takes the current scalar as a string copied into the arena. On any other
 * node, reports that what must be want ("text", "a number"...) and skips
 * it. */
static bool get_scalar(loader *L, const char *what, const char *want, const char **out, size_t *len,
                       srcref *ref)
{
    if (ev_peek(L) != YAML_SCALAR_EVENT) {
        if (L->have)
            wrong(L, what, want);
        return false;
    }
    const yaml_event_t *e = &L->ev;
    srcref r = ref_of(L, e);
    size_t n = e->data.scalar.length;
    const char *v = arena_strndup(L->a, (const char *)e->data.scalar.value, n);
    ev_next(L);
    size_t at;
    const char *nul = memchr(v, '\0', n);
    if (nul) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s holds a NUL character", what);
        load_report_in(L, D_CONTROL_CHAR, &r, v, (size_t)(nul - v), msg);
        return false;
    }
    /* The file itself was checked for raw controls (precheck): a control
     * can only come from a double-quoted scalar's escapes (\\e, \\x9b...),
     * and a bidirectional override (U+061C, U+200E-F, U+202A-E, U+2066-9)
     * needs a 0xD8 or 0xE2 lead byte, so most text skips the scan. */
    bool maybe = r.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE || memchr(v, 0xe2, n) || memchr(v, 0xd8, n);
    if (maybe && unsafe_at(v, n, &at)) {
        load_report_in(L, D_CONTROL_CHAR, &r, v, at,
                       "terminal control character in text (packs may not drive the terminal)");
        return false;
    }
    *out = v;
    if (len)
        *len = n;
    if (ref)
        *ref = r;
    return true;
}

/* get_scalar for a value that is text. */
static bool get_str(loader *L, const char *what, const char **out, size_t *len, srcref *ref)
{
    return get_scalar(L, what, "text", out, len, ref);
}

static bool is_plain(const srcref *r)
{
    return r->style == YAML_PLAIN_SCALAR_STYLE;
}

static bool valid_name(const char *s, bool id)
{
    if (!*s)
        return false;
    if (!((*s >= 'a' && *s <= 'z') || (id && *s >= '0' && *s <= '9')))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || (id && *s == '-')))
            return false;
    return true;
}

/* A name ([a-z][a-z0-9_]*) or an id ([a-z0-9][a-z0-9_-]*), interned. */
static const char *get_name(loader *L, const char *what, bool id, srcref *ref)
{
    const char *s;
    size_t n;
    srcref r;
    if (!get_str(L, what, &s, &n, &r))
        return NULL;
    if (ref)
        *ref = r;
    if (n > 64 || !valid_name(s, id)) {
        loc_report(L, D_BAD_VALUE, &r, "%s '%.*s' is not valid: use %s", what, (int)(n > 64 ? 64 : n), s,
                   id ? "lower-case letters, digits, '-' and '_'"
                      : "lower-case letters, digits and '_', starting with a letter");
        return NULL;
    }
    return intern_str(L->p->names, s, n);
}

static bool get_int(loader *L, const char *what, int32_t *out, srcref *ref)
{
    const char *s;
    size_t n;
    srcref r;
    if (!get_scalar(L, what, "a whole number", &s, &n, &r))
        return false;
    if (ref)
        *ref = r;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    long long v = 0;
    bool ok = is_plain(&r) && *p;
    for (; ok && *p; p++) {
        ok = *p >= '0' && *p <= '9';
        v = v * 10 + (*p - '0');
        if (v > INT32_MAX)
            ok = false;
    }
    if (!ok) {
        loc_report(L, D_WRONG_TYPE, &r, "%s must be a whole number between -2147483647 and 2147483647",
                   what);
        return false;
    }
    *out = (int32_t)(s[0] == '-' ? -v : v);
    return true;
}

static bool get_bool(loader *L, const char *what, bool *out)
{
    const char *s;
    srcref r;
    if (!get_scalar(L, what, "true or false", &s, NULL, &r))
        return false;
    if (is_plain(&r) && (!strcmp(s, "true") || !strcmp(s, "false"))) {
        *out = s[0] == 't';
        return true;
    }
    loc_report(L, D_WRONG_TYPE, &r, "%s must be true or false", what);
    return false;
}

/* Keeps a condition for the resolve pass. */
static void get_expr(loader *L, const char *what, const expr **dst)
{
    const char *s;
    size_t n;
    srcref r;
    if (get_str(L, what, &s, &n, &r))
        VEC_PUSH(L->exprs, ((pending_expr){dst, s, n, r}));
}

/* ---- mappings ----------------------------------------------------------- */

/* The next key of a mapping whose keys come from a fixed table: returns
 * its index, or KEY_END after consuming the end of the mapping. Unknown
 * and duplicate keys are reported and their values skipped. */
static int next_key(loader *L, const char *const *keys, uint64_t *seen, const char *where)
{
    for (;;) {
        yaml_event_type_t t = ev_peek(L);
        if (t == YAML_NO_EVENT)
            return KEY_END;
        if (t == YAML_MAPPING_END_EVENT) {
            ev_next(L);
            return KEY_END;
        }
        if (t != YAML_SCALAR_EVENT) {
            wrong(L, "a key", "a name");
            ev_skip(L);
            continue;
        }
        /* Keys are compared in place, stopping at the first match: this
         * runs for every key of every scene and choice. */
        const char *v = (const char *)L->ev.data.scalar.value;
        size_t n = L->ev.data.scalar.length;
        /* A key with a NUL ("id\0x") matches a shorter table key in strncmp,
         * and keys[count][n] would then read past that key's end: such a key
         * is never compared. */
        bool nul = memchr(v, '\0', n) != NULL;
        int idx = -1;
        size_t count = 0;
        for (; keys[count]; count++)
            if (idx < 0 && !nul && keys[count][0] == v[0] && !strncmp(keys[count], v, n) &&
                keys[count][n] == '\0' && n)
                idx = (int)count;
        if (idx >= 0) {
            if (*seen & (1ull << idx)) {
                srcref r = ref_of(L, &L->ev);
                ev_next(L);
                loc_report(L, D_DUPLICATE_KEY, &r, "duplicate key '%s' in %s", keys[idx], where);
                ev_skip(L);
                continue;
            }
            ev_next(L);
            *seen |= 1ull << idx;
            return idx;
        }
        srcref r = ref_of(L, &L->ev);
        if (nul) {
            ev_next(L);
            loc_report(L, D_CONTROL_CHAR, &r, "a key holds a NUL character");
            ev_skip(L);
            continue;
        }
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(n < sizeof key ? n : sizeof key - 1), v);
        ev_next(L);
        {
            const char *hint = load_suggest(key, strlen(key), keys, count);
            if (!strcmp(key, "<<"))
                loc_report(L, D_ALIAS, &r, "YAML merge keys ('<<') are not allowed in packs");
            else if (hint)
                loc_report(L, D_UNKNOWN_KEY, &r, "unknown key '%s' in %s (did you mean '%s'?)", key,
                           where, hint);
            else
                loc_report(L, D_UNKNOWN_KEY, &r, "unknown key '%s' in %s", key, where);
            ev_skip(L);
            continue;
        }
    }
}

/* Reports each required key (a bit in need) missing from seen at ref. */
static void require(loader *L, const srcref *ref, const char *const *keys, uint64_t need,
                    uint64_t seen, const char *where)
{
    if (L->stop) /* the mapping was cut short by an earlier error */
        return;
    for (int i = 0; keys[i]; i++)
        if ((need & (1ull << i)) && !(seen & (1ull << i)))
            loc_report(L, D_MISSING_KEY, ref, "%s needs the key '%s'", where, keys[i]);
}

/* The slot of name in s: where it is, or the empty slot where it goes.
 * s->cap is a power of two and never full (name_set_add keeps it at most
 * half full). */
static size_t name_slot(const name_set *s, const char *name)
{
    /* Interned pointers: the address is the identity, and its low bits
     * are alignment, so mix before masking. */
    size_t h = (size_t)(((uintptr_t)name >> 3) * 0x9e3779b97f4a7c15ull);
    size_t i = (h ^ (h >> 29)) & (s->cap - 1);
    while (s->v[i] && s->v[i] != name)
        i = (i + 1) & (s->cap - 1);
    return i;
}

bool name_set_add(name_set *s, const char *name)
{
    if (2 * (s->n + 1) > s->cap) {
        name_set bigger = {xcalloc(s->cap ? 2 * s->cap : 16, sizeof(char *)), 0, s->cap ? 2 * s->cap : 16};
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i])
                bigger.v[name_slot(&bigger, s->v[i])] = s->v[i], bigger.n++;
        free(s->v);
        *s = bigger;
    }
    size_t i = name_slot(s, name);
    if (s->v[i])
        return false;
    s->v[i] = name;
    s->n++;
    return true;
}

/* For mappings keyed by user names (dimensions, options, styles...): the
 * next key as an interned name, or NULL at the end. Duplicates within the
 * mapping are reported (seen holds the names so far). */
static const char *next_name(loader *L, name_set *seen, const char *what, srcref *ref)
{
    for (;;) {
        yaml_event_type_t t = ev_peek(L);
        if (t == YAML_NO_EVENT)
            return NULL;
        if (t == YAML_MAPPING_END_EVENT) {
            ev_next(L);
            return NULL;
        }
        const char *name = get_name(L, what, false, ref);
        if (!name) {
            ev_skip(L);
            continue;
        }
        if (!name_set_add(seen, name)) {
            loc_report(L, D_DUPLICATE_KEY, ref, "duplicate key '%s'", name);
            ev_skip(L);
            continue;
        }
        return name;
    }
}

/* ---- text fields -------------------------------------------------------- */

static void text_variant(loader *L, pk_text *t, pk_variant **tail, const char *what)
{
    static const char *const keys[] = {"when", "text", NULL};
    pk_variant *v = arena_alloc(L->hot, sizeof *v);
    uint64_t seen = 0;
    srcref where;
    if (!begin(L, YAML_MAPPING_START_EVENT, "a variant", &where))
        return;
    int k;
    while ((k = next_key(L, keys, &seen, "a variant")) != KEY_END) {
        if (k == 0)
            get_expr(L, "'when'", &v->when);
        else {
            const char *s;
            size_t n;
            srcref r;
            if (get_str(L, "'text'", &s, &n, &r))
                VEC_PUSH(L->texts, ((pending_text){&v->text, s, n, r}));
        }
    }
    require(L, &where, keys, 2, seen, "a variant");
    (void)what;
    *tail = v;
    t->n++;
}

/* A text field: a string, or a list of {when, text} variants. */
static void get_text(loader *L, pk_text *t, const char *what)
{
    yaml_event_type_t ty = ev_peek(L);
    if (ty == YAML_SCALAR_EVENT) {
        const char *s;
        size_t n;
        srcref r;
        if (get_str(L, what, &s, &n, &r)) {
            pk_variant *v = arena_alloc(L->hot, sizeof *v);
            VEC_PUSH(L->texts, ((pending_text){&v->text, s, n, r}));
            t->first = v;
            t->n = 1;
        }
        return;
    }
    if (!begin(L, YAML_SEQUENCE_START_EVENT, what, NULL))
        return;
    pk_variant **tail = &t->first;
    while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
        text_variant(L, t, tail, what);
        if (*tail)
            tail = &(*tail)->next;
    }
    ev_next(L);
}

/* ---- effects ------------------------------------------------------------ */

static void effect_block(loader *L, pk_effects *fx, pk_effect_block **tail)
{
    pk_effect_block *b = arena_alloc(L->hot, sizeof *b);
    if (!begin(L, YAML_MAPPING_START_EVENT, "effects", NULL))
        return;
    pk_effect **etail = &b->first;
    name_set seen = {0};
    for (;;) {
        yaml_event_type_t t = ev_peek(L);
        if (t == YAML_NO_EVENT)
            break;
        if (t == YAML_MAPPING_END_EVENT) {
            ev_next(L);
            break;
        }
        srcref nref;
        const char *name = get_name(L, "a state name", false, &nref);
        if (!name) {
            ev_skip(L);
            continue;
        }
        if (!name_set_add(&seen, name)) {
            loc_report(L, D_DUPLICATE_KEY, &nref, "duplicate key '%s' in effects", name);
            ev_skip(L);
            continue;
        }
        if (!strcmp(name, "when")) {
            if (b->when || b->first)
                loc_report(L, D_BAD_VALUE, &nref, "'when' must come first in an effects mapping");
            get_expr(L, "'when'", &b->when);
            continue;
        }
        const char *val;
        size_t vlen;
        srcref vref;
        if (!get_str(L, "an effect", &val, &vlen, &vref))
            continue;
        pk_effect *e = arena_alloc(L->hot, sizeof *e);
        VEC_PUSH(L->effects, ((pending_effect){e, name, nref, val, vlen, vref}));
        *etail = e;
        etail = &e->next;
    }
    free(seen.v);
    (void)fx;
    *tail = b;
}

/* Effects: one mapping, or a list of mappings each with an optional when. */
static void get_effects(loader *L, pk_effects *fx)
{
    if (ev_peek(L) == YAML_MAPPING_START_EVENT) {
        effect_block(L, fx, &fx->first);
        return;
    }
    if (!begin(L, YAML_SEQUENCE_START_EVENT, "effects", NULL))
        return;
    pk_effect_block **tail = &fx->first;
    while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
        effect_block(L, fx, tail);
        if (*tail)
            tail = &(*tail)->next;
    }
    ev_next(L);
}

/* ---- choices and scenes ------------------------------------------------- */

static void get_goto(loader *L, pk_choice *c)
{
    if (ev_peek(L) == YAML_SCALAR_EVENT) {
        srcref r;
        const char *id = get_name(L, "a scene id", true, &r);
        if (id) {
            c->go = arena_alloc(L->hot, sizeof(pk_goto));
            VEC_PUSH(L->gotos, ((pending_goto){c->go, id, r}));
        }
        return;
    }
    srcref list_ref;
    if (!begin(L, YAML_SEQUENCE_START_EVENT, "'goto'", &list_ref))
        return;
    static const char *const keys[] = {"when", "scene", NULL};
    pk_goto **tail = &c->go;
    srcref last_ref = list_ref;
    bool any = false, last_has_when = false;
    while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
        srcref where;
        if (!begin(L, YAML_MAPPING_START_EVENT, "a goto entry", &where))
            continue;
        pk_goto *g = arena_alloc(L->hot, sizeof *g);
        uint64_t seen = 0;
        int k;
        while ((k = next_key(L, keys, &seen, "a goto entry")) != KEY_END) {
            if (k == 0)
                get_expr(L, "'when'", &g->when);
            else {
                srcref r;
                const char *id = get_name(L, "a scene id", true, &r);
                if (id)
                    VEC_PUSH(L->gotos, ((pending_goto){g, id, r}));
            }
        }
        require(L, &where, keys, 2, seen, "a goto entry");
        *tail = g;
        tail = &g->next;
        any = true;
        last_has_when = seen & 1;
        last_ref = where;
    }
    ev_next(L);
    if (!any)
        loc_report(L, D_GOTO_FALLBACK, &last_ref, "'goto' needs at least one scene");
    else if (last_has_when)
        loc_report(L, D_GOTO_FALLBACK, &last_ref,
                   "the last 'goto' entry must have no 'when', so that the story can always go on");
}

typedef VEC(pk_choice *) choice_vec;

static void parse_choice(loader *L, pk_scene *s, choice_vec *list)
{
    static const char *const keys[] = {"id",   "text",    "if",    "enabled_if", "disabled_text",
                                       "once", "effects", "reply", "goto",       NULL};
    srcref where;
    if (!begin(L, YAML_MAPPING_START_EVENT, "a choice", &where))
        return;
    pk_choice *c = arena_alloc(L->hot, sizeof *c);
    c->scene = s;
    c->once_slot = -1;
    c->loc = (pk_loc){where.f->name, where.line, where.col};
    uint64_t seen = 0;
    int k;
    bool once = false;
    srcref idref = where;
    while ((k = next_key(L, keys, &seen, "a choice")) != KEY_END) {
        switch (k) {
        case 0: c->id = get_name(L, "a choice id", true, &idref); break;
        case 1: get_text(L, &c->text, "'text'"); break;
        case 2: get_expr(L, "'if'", &c->shown_if); break;
        case 3: get_expr(L, "'enabled_if'", &c->enabled_if); break;
        case 4: get_str(L, "'disabled_text'", &c->disabled_text, NULL, NULL); break;
        case 5: get_bool(L, "'once'", &once); break;
        case 6: get_effects(L, &c->effects); break;
        case 7: get_text(L, &c->reply, "'reply'"); break;
        case 8: get_goto(L, c); break;
        }
    }
    require(L, &where, keys, 1 | 2 | 256, seen, "a choice");
    if (c->id) {
        for (size_t i = 0; i < list->n; i++)
            if (list->v[i]->id == c->id)
                loc_report(L, D_DUPLICATE_ID, &idref, "duplicate choice id '%s' in scene '%s'", c->id,
                           s->id ? s->id : "?");
        c->loc = (pk_loc){idref.f->name, idref.line, idref.col};
    }
    c->once_slot = once ? 0 : -1; /* given a real slot in the resolve pass */
    c->index = (int)L->choices.n;
    VEC_PUSH(L->choices, c);
    VEC_PUSH(*list, c);
}

static void parse_scene(loader *L, int chapter)
{
    static const char *const keys[] = {"id",      "title",   "text",    "on_enter", "snapshot",
                                       "content_note", "summary", "choices", "ending", NULL};
    static const char *const ending_keys[] = {"title", NULL};
    srcref where;
    if (!begin(L, YAML_MAPPING_START_EVENT, "a scene", &where))
        return;
    pk_scene *s = arena_alloc(L->hot, sizeof *s);
    s->chapter = chapter;
    s->snapshot = -1;
    s->loc = (pk_loc){where.f->name, where.line, where.col};
    uint64_t seen = 0;
    int k;
    choice_vec choices = {0};
    srcref idref = where;
    while ((k = next_key(L, keys, &seen, "a scene")) != KEY_END) {
        switch (k) {
        case 0: s->id = get_name(L, "a scene id", true, &idref); break;
        case 1: get_str(L, "'title'", &s->title, NULL, NULL); break;
        case 2: get_text(L, &s->text, "'text'"); break;
        case 3: get_effects(L, &s->on_enter); break;
        case 4: {
            srcref sref;
            const char *snap = get_name(L, "a snapshot name", false, &sref);
            if (!snap)
                break;
            size_t i = 0;
            while (i < L->snapshots.n && L->snapshots.v[i] != snap)
                i++;
            if (i == L->snapshots.n) {
                VEC_PUSH(L->snapshots, snap);
                VEC_PUSH(L->snapshot_refs, sref);
            }
            s->snapshot = (int)i;
            break;
        }
        case 5: {
            if (ev_peek(L) == YAML_SCALAR_EVENT) {
                srcref r;
                const char *n = get_name(L, "a content note", false, &r);
                if (n)
                    VEC_PUSH(L->scene_notes, ((pending_note){s, n, r}));
            } else if (begin(L, YAML_SEQUENCE_START_EVENT, "'content_note'", NULL)) {
                while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
                    srcref r;
                    const char *n = get_name(L, "a content note", false, &r);
                    if (n)
                        VEC_PUSH(L->scene_notes, ((pending_note){s, n, r}));
                }
                ev_next(L);
            }
            break;
        }
        case 6: get_str(L, "'summary'", &s->summary, NULL, NULL); break;
        case 7:
            if (begin(L, YAML_SEQUENCE_START_EVENT, "'choices'", NULL)) {
                while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have)
                    parse_choice(L, s, &choices);
                ev_next(L);
            }
            break;
        case 8: {
            srcref ew;
            s->ending = true;
            if (ev_peek(L) == YAML_MAPPING_START_EVENT && begin(L, YAML_MAPPING_START_EVENT, "'ending'", &ew)) {
                uint64_t es = 0;
                while (next_key(L, ending_keys, &es, "an ending") != KEY_END)
                    get_str(L, "'title'", &s->ending_title, NULL, NULL);
            } else if (L->have) {
                wrong(L, "'ending'", "a mapping such as {title: ...}");
            }
            break;
        }
        }
    }
    require(L, &where, keys, 1, seen, "a scene");
    if (s->id)
        s->loc = (pk_loc){idref.f->name, idref.line, idref.col};
    if (s->ending && choices.n)
        loc_report(L, D_ENDING_CHOICES, &idref, "scene '%s' is an ending and has choices",
                   s->id ? s->id : "?");
    else if (!s->ending && !choices.n && (seen & 1) && !L->stop)
        loc_report(L, D_NO_CHOICES, &idref, "scene '%s' has no choices and is not an ending",
                   s->id ? s->id : "?");
    s->nchoices = (int)choices.n;
    s->choices = arena_alloc(L->hot, (choices.n ? choices.n : 1) * sizeof(pk_choice *));
    if (choices.n)
        memcpy(s->choices, choices.v, choices.n * sizeof(pk_choice *));
    free(choices.v);
    if (L->scenes.n >= PACK_MAX_SCENES) {
        if (L->scenes.n == PACK_MAX_SCENES)
            loc_report(L, D_TOO_MANY, &where, "a pack may have at most %d scenes", PACK_MAX_SCENES);
        ev_halt(L);
        return;
    }
    s->index = (int)L->scenes.n;
    VEC_PUSH(L->scenes, s);
}

static void parse_chapters(loader *L)
{
    static const char *const keys[] = {"id", "title", "scenes", NULL};
    if (!begin(L, YAML_SEQUENCE_START_EVENT, "'chapters'", NULL))
        return;
    while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
        srcref where;
        if (!begin(L, YAML_MAPPING_START_EVENT, "a chapter", &where))
            continue;
        pk_chapter ch = {0};
        ch.loc = (pk_loc){where.f->name, where.line, where.col};
        int index = (int)L->chapters.n;
        ch.first = (int)L->scenes.n;
        VEC_PUSH(L->chapters, ch);
        uint64_t seen = 0;
        int k;
        srcref idref = where;
        while ((k = next_key(L, keys, &seen, "a chapter")) != KEY_END) {
            pk_chapter *c = &L->chapters.v[index];
            if (k == 0)
                c->id = get_name(L, "a chapter id", true, &idref);
            else if (k == 1)
                get_str(L, "'title'", &c->title, NULL, NULL);
            else if (begin(L, YAML_SEQUENCE_START_EVENT, "'scenes'", NULL)) {
                c->first = (int)L->scenes.n;
                while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have)
                    parse_scene(L, index);
                ev_next(L);
            }
        }
        pk_chapter *c = &L->chapters.v[index];
        c->count = (int)L->scenes.n - c->first;
        require(L, &where, keys, 1 | 4, seen, "a chapter");
        for (int i = 0; c->id && i < index; i++)
            if (L->chapters.v[i].id == c->id)
                loc_report(L, D_DUPLICATE_ID, &idref, "duplicate chapter id '%s'", c->id);
    }
    ev_next(L);
}

/* ---- state, options, styles --------------------------------------------- */

static void add_var(loader *L, pk_var *v, const srcref *ref)
{
    if (L->vars.n >= PACK_MAX_VARS) {
        loc_report(L, D_TOO_MANY, ref, "a pack may declare at most %d state names", PACK_MAX_VARS);
        return;
    }
    if (!name_set_add(&L->var_names, v->name)) {
        loc_report(L, D_DUPLICATE_ID, ref, "'%s' is declared twice (names of dimensions, flags, "
                   "counters and options share one namespace)", v->name);
        return;
    }
    v->loc = (pk_loc){ref->f->name, ref->line, ref->col};
    VEC_PUSH(L->vars, *v);
}

static void parse_var_kind(loader *L, pk_var_kind kind)
{
    static const char *const dim_keys[] = {"label", "min", "max", "start", "description", NULL};
    static const char *const flag_keys[] = {"label", "start", "description", NULL};
    static const char *const counter_keys[] = {"label", "min", "max", "start", "description", NULL};
    const char *const *keys = kind == V_DIM ? dim_keys : kind == V_FLAG ? flag_keys : counter_keys;
    const char *what = kind == V_DIM ? "a dimension" : kind == V_FLAG ? "a flag" : "a counter";
    if (!begin(L, YAML_MAPPING_START_EVENT, kind == V_DIM ? "'dimensions'" : kind == V_FLAG ? "'flags'" : "'counters'", NULL))
        return;
    name_set names = {0};
    srcref nref;
    const char *name;
    while ((name = next_name(L, &names, "a state name", &nref))) {
        pk_var v = {.name = name, .kind = kind, .deflt = -1};
        v.min = kind == V_FLAG ? 0 : kind == V_COUNTER ? -INT32_MAX : 0;
        v.max = kind == V_FLAG ? 1 : kind == V_COUNTER ? INT32_MAX : 0;
        srcref where, startref = nref, boundref = nref;
        if (!begin(L, YAML_MAPPING_START_EVENT, what, &where))
            continue;
        uint64_t seen = 0;
        int k;
        bool b, bad = false;
        while ((k = next_key(L, keys, &seen, what)) != KEY_END) {
            const char *key = keys[k];
            if (!strcmp(key, "label") || !strcmp(key, "description")) {
                const char *s;
                if (get_str(L, "a label", &s, NULL, NULL) && key[0] == 'l')
                    v.label = s;
            } else if (!strcmp(key, "min"))
                bad |= !get_int(L, "'min'", &v.min, &boundref);
            else if (!strcmp(key, "max"))
                bad |= !get_int(L, "'max'", &v.max, &boundref);
            else if (kind == V_FLAG) {
                if (get_bool(L, "'start'", &b))
                    v.start = b;
                else
                    bad = true;
            } else
                bad |= !get_int(L, "'start'", &v.start, &startref);
        }
        if (kind == V_DIM)
            require(L, &nref, keys, 2 | 4 | 8, seen, "a dimension");
        if (kind == V_COUNTER && !(seen & 8))
            v.start = v.min > 0 ? v.min : v.max < 0 ? v.max : 0;
        if (bad)
            ; /* already reported; bounds made of defaults would only add noise */
        else if (v.min > v.max)
            loc_report(L, D_OUT_OF_BOUNDS, &boundref, "'%s': min (%d) is greater than max (%d)", name,
                       (int)v.min, (int)v.max);
        else if (v.start < v.min || v.start > v.max)
            loc_report(L, D_OUT_OF_BOUNDS, &startref, "'%s' starts at %d, outside its bounds %d..%d",
                       name, (int)v.start, (int)v.min, (int)v.max);
        add_var(L, &v, &nref);
    }
    free(names.v);
}

static void parse_state(loader *L)
{
    static const char *const keys[] = {"dimensions", "flags", "counters", NULL};
    if (!begin(L, YAML_MAPPING_START_EVENT, "'state'", NULL))
        return;
    uint64_t seen = 0;
    int k;
    while ((k = next_key(L, keys, &seen, "'state'")) != KEY_END)
        parse_var_kind(L, k == 0 ? V_DIM : k == 1 ? V_FLAG : V_COUNTER);
}

static void parse_options(loader *L)
{
    static const char *const keys[] = {"label", "values", "default", "description", NULL};
    if (!begin(L, YAML_MAPPING_START_EVENT, "'options'", NULL))
        return;
    name_set names = {0};
    srcref nref;
    const char *name;
    while ((name = next_name(L, &names, "an option name", &nref))) {
        pk_var v = {.name = name, .kind = V_OPTION, .deflt = -1};
        srcref where, dref = nref;
        const char *deflt = NULL;
        VEC(const char *) values = {0};
        if (!begin(L, YAML_MAPPING_START_EVENT, "an option", &where))
            continue;
        uint64_t seen = 0;
        int k;
        bool listed = false; /* 'values' was a list (else it was reported) */
        while ((k = next_key(L, keys, &seen, "an option")) != KEY_END) {
            if (k == 0)
                get_str(L, "'label'", &v.label, NULL, NULL);
            else if (k == 3) {
                const char *s;
                get_str(L, "'description'", &s, NULL, NULL);
            } else if (k == 2)
                deflt = get_name(L, "'default'", false, &dref);
            else if ((listed = begin(L, YAML_SEQUENCE_START_EVENT, "'values'", NULL))) {
                while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
                    srcref r;
                    const char *val = get_name(L, "an option value", false, &r);
                    if (!val)
                        continue;
                    bool dup = false;
                    for (size_t i = 0; i < values.n; i++)
                        dup |= values.v[i] == val;
                    if (dup)
                        loc_report(L, D_DUPLICATE_ID, &r, "duplicate value '%s'", val);
                    else if (!strcmp(val, "random"))
                        loc_report(L, D_BAD_VALUE, &r, "'random' is reserved for 'default'");
                    else
                        VEC_PUSH(values, val);
                }
                ev_next(L);
            }
        }
        require(L, &nref, keys, 2, seen, "an option");
        if (listed && values.n == 0)
            loc_report(L, D_BAD_VALUE, &nref, "option '%s' needs at least one value", name);
        v.nvalues = (int)values.n;
        v.values = arena_alloc(L->a, (values.n + 1) * sizeof(char *));
        if (values.n)
            memcpy(v.values, values.v, values.n * sizeof(char *));
        free(values.v);
        v.max = v.nvalues > 0 ? v.nvalues - 1 : 0;
        if (deflt && strcmp(deflt, "random") != 0) {
            for (int i = 0; i < v.nvalues; i++)
                if (v.values[i] == deflt)
                    v.deflt = i;
            if (v.deflt < 0) {
                const char *hint = load_suggest(deflt, strlen(deflt), v.values, (size_t)v.nvalues);
                if (hint)
                    loc_report(L, D_UNKNOWN_VALUE, &dref, "default '%s' is not a value of option '%s' (did you mean '%s'?)", deflt, name, hint);
                else
                    loc_report(L, D_UNKNOWN_VALUE, &dref, "default '%s' is not a value of option '%s'", deflt, name);
            }
        } else if (!deflt && v.nvalues > 0) {
            v.deflt = 0;
        }
        v.start = v.deflt > 0 ? v.deflt : 0;
        add_var(L, &v, &nref);
    }
    free(names.v);
}

static void parse_regions(loader *L, bool styles)
{
    static const char *const keys[] = {"label", "when", "description", NULL};
    const char *what = styles ? "a style" : "an outcome";
    if (!begin(L, YAML_MAPPING_START_EVENT, styles ? "'styles'" : "'outcomes'", NULL))
        return;
    name_set names = {0};
    srcref nref;
    const char *name;
    while ((name = next_name(L, &names, styles ? "a style name" : "an outcome name", &nref))) {
        if (!begin(L, YAML_MAPPING_START_EVENT, what, NULL))
            continue;
        pk_region *r = arena_alloc(L->a, sizeof *r);
        r->name = name;
        r->loc = (pk_loc){nref.f->name, nref.line, nref.col};
        uint64_t seen = 0;
        int k;
        while ((k = next_key(L, keys, &seen, what)) != KEY_END) {
            if (k == 0)
                get_str(L, "'label'", &r->label, NULL, NULL);
            else if (k == 1)
                get_expr(L, "'when'", &r->when);
            else
                get_str(L, "'description'", &r->description, NULL, NULL);
        }
        require(L, &nref, keys, 2, seen, what);
        if (!r->label)
            r->label = name;
        if (styles)
            VEC_PUSH(L->styles, r);
        else
            VEC_PUSH(L->outcomes, r);
    }
    free(names.v);
}

static void parse_notes(loader *L)
{
    static const char *const keys[] = {"label", "text", NULL};
    if (!begin(L, YAML_MAPPING_START_EVENT, "'content_notes'", NULL))
        return;
    name_set names = {0};
    srcref nref;
    const char *name;
    while ((name = next_name(L, &names, "a content note name", &nref))) {
        pk_note n = {.name = name};
        if (!begin(L, YAML_MAPPING_START_EVENT, "a content note", NULL))
            continue;
        uint64_t seen = 0;
        int k;
        while ((k = next_key(L, keys, &seen, "a content note")) != KEY_END)
            get_str(L, k == 0 ? "'label'" : "'text'", k == 0 ? &n.label : &n.text, NULL, NULL);
        require(L, &nref, keys, 1 | 2, seen, "a content note");
        if (L->notes.n == 32)
            loc_report(L, D_TOO_MANY, &nref, "a pack may declare at most 32 content notes");
        else
            VEC_PUSH(L->notes, n);
    }
    free(names.v);
}

/* ---- expectations ------------------------------------------------------- */

static bool get_number(loader *L, const char *what, double *out, srcref *ref)
{
    const char *s;
    srcref r;
    if (!get_scalar(L, what, "a number", &s, NULL, &r))
        return false;
    char *end;
    double v = strtod(s, &end);
    /* Decimal only: strtod also reads hexadecimal floats, "inf" and "nan",
     * which are not YAML numbers. */
    if (!is_plain(&r) || end == s || *end || v != v || s[strspn(s, "0123456789+-.eE")]) {
        loc_report(L, D_WRONG_TYPE, &r, "%s must be a number", what);
        return false;
    }
    /* A share lies in 0..1 and a correlation in -1..1. */
    if (v < -1 || v > 1) {
        loc_report(L, D_BAD_VALUE, &r, "%s must lie between -1 and 1 (a share 0-1, or a correlation)", what);
        return false;
    }
    *out = v;
    *ref = r;
    return true;
}

static void parse_check(loader *L)
{
    static const char *const keys[] = {"style", "outcome", "ending", "stability", "min", "max",
                                       "reachable", "set", NULL};
    srcref where;
    if (!begin(L, YAML_MAPPING_START_EVENT, "an expectation", &where))
        return;
    pk_expect *x = arena_alloc(L->a, sizeof *x);
    pending_expect pe = {.x = x, .ref = where};
    x->loc = (pk_loc){where.f->name, where.line, where.col};
    uint64_t seen = 0;
    int k, what = 0;
    VEC(const char *) names = {0};
    VEC(const char *) values = {0};
    VEC(srcref) refs = {0}, name_refs = {0};
    srcref bound_ref[2];
    while ((k = next_key(L, keys, &seen, "an expectation")) != KEY_END) {
        if (k <= 3) {
            what++;
            x->kind = (pk_expect_kind)k;
            const char *s;
            size_t n;
            static const char *const quoted[] = {"'style'", "'outcome'", "'ending'", "'stability'"};
            if (get_str(L, quoted[k], &s, &n, &pe.ref))
                pe.name = intern_str(L->p->names, s, n);
        } else if (k == 4) {
            x->has_min = get_number(L, "'min'", &x->min, &bound_ref[0]);
        } else if (k == 5) {
            x->has_max = get_number(L, "'max'", &x->max, &bound_ref[1]);
        } else if (k == 6) {
            get_bool(L, "'reachable'", &x->reachable);
        } else if (begin(L, YAML_MAPPING_START_EVENT, "'set'", NULL)) {
            name_set seen_names = {0};
            srcref nref;
            const char *name;
            while ((name = next_name(L, &seen_names, "an option name", &nref))) {
                srcref vref;
                const char *val = get_name(L, "an option value", false, &vref);
                if (!val)
                    continue;
                VEC_PUSH(names, name);
                VEC_PUSH(values, val);
                VEC_PUSH(refs, vref);
                VEC_PUSH(name_refs, nref);
            }
            free(seen_names.v);
        }
    }
    if (what != 1 && !L->stop)
        loc_report(L, D_MISSING_KEY, &where,
                   "an expectation names exactly one of 'style', 'outcome', 'ending' or 'stability'");
    /* A 'min' or 'max' given but refused was reported already. */
    else if (!(seen & (16 | 32)) && !x->reachable && !L->stop)
        loc_report(L, D_MISSING_KEY, &where, "an expectation needs 'min', 'max' or 'reachable: true'");
    /* get_number allowed -1..1, a correlation's range; the kind, which may
     * come after the bounds, says whether a share (0..1) was meant. */
    else if (what == 1 && x->kind != EX_STABILITY) {
        if (x->has_min && x->min < 0) {
            loc_report(L, D_BAD_VALUE, &bound_ref[0], "'min' of a share must lie between 0 and 1");
            x->has_min = false;
        }
        if (x->has_max && x->max < 0) {
            loc_report(L, D_BAD_VALUE, &bound_ref[1], "'max' of a share must lie between 0 and 1");
            x->has_max = false;
        }
    }
    pe.nset = (int)names.n;
    pe.set_names = arena_alloc(L->a, (names.n + 1) * sizeof(char *));
    pe.set_values = arena_alloc(L->a, (names.n + 1) * sizeof(char *));
    pe.set_refs = arena_alloc(L->a, (names.n + 1) * sizeof(srcref));
    pe.set_name_refs = arena_alloc(L->a, (names.n + 1) * sizeof(srcref));
    for (size_t i = 0; i < names.n; i++) {
        pe.set_names[i] = names.v[i];
        pe.set_values[i] = values.v[i];
        pe.set_refs[i] = refs.v[i];
        pe.set_name_refs[i] = name_refs.v[i];
    }
    free(names.v);
    free(values.v);
    free(refs.v);
    free(name_refs.v);
    /* The check as the author wrote it, for the report. */
    char text[256];
    int len = snprintf(text, sizeof text, "%s %s", keys[x->kind], pe.name ? pe.name : "?");
    if (x->reachable && len < (int)sizeof text)
        len += snprintf(text + len, sizeof text - (size_t)len, " reachable");
    if (x->has_min && len < (int)sizeof text)
        len += snprintf(text + len, sizeof text - (size_t)len, " >= %g", x->min);
    if (x->has_max && len < (int)sizeof text)
        len += snprintf(text + len, sizeof text - (size_t)len, " <= %g", x->max);
    for (int i = 0; i < pe.nset && len < (int)sizeof text; i++)
        len += snprintf(text + len, sizeof text - (size_t)len, "%s%s=%s", i ? "," : " with ",
                        pe.set_names[i], pe.set_values[i]);
    x->text = arena_strndup(L->a, text, strlen(text));
    VEC_PUSH(L->expects, pe);
}

static void parse_expect(loader *L)
{
    static const char *const keys[] = {"runs", "seed", "checks", NULL};
    if (!begin(L, YAML_MAPPING_START_EVENT, "'expect'", NULL))
        return;
    uint64_t seen = 0;
    int k;
    while ((k = next_key(L, keys, &seen, "'expect'")) != KEY_END) {
        int32_t v;
        srcref r;
        if (k == 0) {
            if (get_int(L, "'runs'", &v, &r)) {
                if (v < 1)
                    loc_report(L, D_BAD_VALUE, &r, "'runs' must be at least 1");
                else
                    L->p->expect_runs = (size_t)v;
            }
        } else if (k == 1) {
            if (get_int(L, "'seed'", &v, &r)) {
                L->p->expect_seed = (uint64_t)(uint32_t)v;
                L->p->expect_seed_given = true;
            }
        } else if (begin(L, YAML_SEQUENCE_START_EVENT, "'checks'", NULL)) {
            while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have)
                parse_check(L);
            ev_next(L);
        }
    }
}

/* ---- reveal ------------------------------------------------------------- */

static void parse_point(loader *L, int32_t *x, int32_t *y, const char *what)
{
    srcref where;
    if (!begin(L, YAML_SEQUENCE_START_EVENT, what, &where))
        return;
    int n = 0;
    /* Every item up to the end of the list is read (a nested list too, so
     * that the end consumed is this list's own). */
    while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
        int32_t v;
        if (L->ev.type != YAML_SCALAR_EVENT)
            wrong(L, "a coordinate", "a number");
        else if (get_int(L, "a coordinate", &v, NULL)) {
            if (n == 0)
                *x = v;
            else if (n == 1)
                *y = v;
        }
        n++;
    }
    ev_next(L);
    if (n != 2 && !L->stop)
        loc_report(L, D_BAD_VALUE, &where, "%s is a point [x, y]", what);
}

static void parse_reveal(loader *L)
{
    static const char *const keys[] = {"x",          "y",    "snapshot",     "cut",     "between",
                                       "prototypes", "goal", "secure_style", "debrief", "references",
                                       NULL};
    pending_reveal *r = &L->reveal;
    pk_reveal *rv = &L->p->reveal;
    if (!begin(L, YAML_MAPPING_START_EVENT, "'reveal'", &r->where))
        return;
    rv->present = true;
    rv->mid_x = rv->mid_y = INT32_MIN;
    rv->between = 0;
    uint64_t seen = 0;
    int k;
    while ((k = next_key(L, keys, &seen, "'reveal'")) != KEY_END) {
        switch (k) {
        case 0: r->x = get_name(L, "'x'", false, &r->x_ref); break;
        case 1: r->y = get_name(L, "'y'", false, &r->y_ref); break;
        case 2: r->snapshot = get_name(L, "'snapshot'", false, &r->snapshot_ref); break;
        case 3: parse_point(L, &rv->mid_x, &rv->mid_y, "'cut'"); break;
        case 4: get_int(L, "'between'", &rv->between, NULL); break;
        case 5:
            if (begin(L, YAML_MAPPING_START_EVENT, "'prototypes'", NULL)) {
                name_set names = {0};
                srcref nref;
                const char *name;
                while ((name = next_name(L, &names, "a style name", &nref))) {
                    int32_t px = 0, py = 0;
                    parse_point(L, &px, &py, "a prototype");
                    VEC_PUSH(r->protos, name);
                    VEC_PUSH(r->proto_refs, nref);
                    VEC_PUSH(r->px, px);
                    VEC_PUSH(r->py, py);
                }
                free(names.v);
            }
            break;
        case 6: r->goal = get_name(L, "'goal'", false, &r->goal_ref); break;
        case 7: r->secure_style = get_name(L, "'secure_style'", false, &r->secure_ref); break;
        case 8:
        case 9: {
            VEC(const char *) list = {0};
            if (begin(L, YAML_SEQUENCE_START_EVENT, k == 8 ? "'debrief'" : "'references'", NULL)) {
                while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
                    const char *t;
                    if (get_str(L, k == 8 ? "a question" : "a reference", &t, NULL, NULL))
                        VEC_PUSH(list, t);
                }
                ev_next(L);
            }
            const char **v = arena_alloc(L->a, (list.n + 1) * sizeof(char *));
            for (size_t i = 0; i < list.n; i++)
                v[i] = list.v[i];
            if (k == 8)
                rv->debrief = v, rv->ndebrief = (int)list.n;
            else
                rv->references = v, rv->nreferences = (int)list.n;
            free(list.v);
            break;
        }
        }
    }
    require(L, &r->where, keys, 1 | 2, seen, "'reveal'");
}

/* ---- files -------------------------------------------------------------- */

static const char *const root_keys[] = {
    "format",  "id",      "title",    "version", "authors",  "language", "license", "description",
    "content_notes", "state", "options", "styles", "outcomes", "start",   "include", "chapters",
    "expect", "reveal", NULL};

void parse_root(loader *L)
{
    pack *p = L->p;
    srcref where;
    if (!begin(L, YAML_MAPPING_START_EVENT, "a pack", &where))
        return;
    L->root_ref = where;
    uint64_t seen = 0;
    int k;
    while ((k = next_key(L, root_keys, &seen, "the pack")) != KEY_END) {
        switch (k) {
        case 0: {
            int32_t v;
            srcref r;
            if (get_int(L, "'format'", &v, &r) && v != 1)
                loc_report(L, D_BAD_VALUE, &r, "this iwm reads pack format 1, not %d", (int)v);
            break;
        }
        case 1: p->id = get_name(L, "the pack id", true, NULL); break;
        case 2: get_str(L, "'title'", &p->title, NULL, NULL); break;
        case 3: get_str(L, "'version'", &p->version, NULL, NULL); break;
        case 4:
            if (begin(L, YAML_SEQUENCE_START_EVENT, "'authors'", NULL)) {
                while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
                    const char *s;
                    if (get_str(L, "an author", &s, NULL, NULL))
                        VEC_PUSH(L->authors, s);
                }
                ev_next(L);
            }
            break;
        case 5: get_str(L, "'language'", &p->language, NULL, NULL); break;
        case 6: get_str(L, "'license'", &p->license, NULL, NULL); break;
        case 7: get_str(L, "'description'", &p->description, NULL, NULL); break;
        case 8: parse_notes(L); break;
        case 9: parse_state(L); break;
        case 10: parse_options(L); break;
        case 11: parse_regions(L, true); break;
        case 12: parse_regions(L, false); break;
        case 13: L->start_id = get_name(L, "'start'", true, &L->start_ref); break;
        case 14:
            if (begin(L, YAML_SEQUENCE_START_EVENT, "'include'", NULL)) {
                while (ev_peek(L) != YAML_SEQUENCE_END_EVENT && L->have) {
                    include_ref inc;
                    if (get_str(L, "an include path", &inc.path, NULL, &inc.ref))
                        VEC_PUSH(L->includes, inc);
                }
                ev_next(L);
            }
            break;
        case 15: parse_chapters(L); break;
        case 16: parse_expect(L); break;
        case 17: parse_reveal(L); break;
        }
    }
    require(L, &where, root_keys, 1 | 2 | 4 | 8, seen, "a pack");
}

void parse_include(loader *L)
{
    static const char *const keys[] = {"chapters", NULL};
    srcref where;
    if (!begin(L, YAML_MAPPING_START_EVENT, "an included file", &where))
        return;
    uint64_t seen = 0;
    while (next_key(L, keys, &seen, "an included file") != KEY_END)
        parse_chapters(L);
}
