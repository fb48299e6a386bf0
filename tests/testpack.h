/*
 * testpack.h: helpers shared by the unit tests that need a loaded pack.
 * Packs are written as YAML strings in the test itself and loaded with
 * pack_load_memory, so a test reads as "this pack, these steps, this
 * result". A pack that should load but does not fails the test with every
 * diagnostic printed; a pack that should not load hands its diagnostics
 * back for exact checks. Header-only (static functions): each test file is
 * its own program. Include after <cmocka.h>.
 */
#ifndef IWM_TESTPACK_H
#define IWM_TESTPACK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pack.h"
#include "game.h"
#include "pack_int.h"

/* The four keys every pack needs, ready to be followed by more YAML. */
#define TP_HEAD "format: 1\nid: t\ntitle: T\nversion: \"1\"\n"

/* Loads count in-memory files (names[0] is the root). *out receives the
 * diagnostics (the caller frees them) when out is not NULL. */
static inline pack *tp_load_files(const char *const *names, const char *const *files, size_t count,
                           diags **out)
{
    size_t lens[32];
    assert_true(count <= 32);
    for (size_t i = 0; i < count; i++)
        lens[i] = strlen(files[i]);
    diags *d = diags_new();
    pack *p = pack_load_memory("", names, files, lens, count, d);
    if (out)
        *out = d;
    else
        diags_free(d);
    return p;
}

/* Prints every diagnostic of d, one first line each, to stderr. */
static inline void tp_dump(diags *d)
{
    for (size_t i = 0; i < diag_count(d); i++)
        fprintf(stderr, "  diag %zu: %s\n", i, diag_line(d, i));
}

/* Loads yaml as pack.yaml; fails the test (printing the diagnostics) when
 * it does not load, or when it has warnings and warnings_ok is false. */
static inline pack *tp_load_at(const char *file, int line, const char *yaml, bool warnings_ok)
{
    const char *names[] = {"pack.yaml"};
    diags *d;
    pack *p = tp_load_files(names, &yaml, 1, &d);
    if (!p || (!warnings_ok && diag_warnings(d))) {
        fprintf(stderr, "%s:%d: the test pack %s:\n", file, line,
                p ? "has warnings" : "did not load");
        diag_print(d, stderr, false);
        diags_free(d);
        pack_free(p);
        fail_msg("%s:%d: test pack rejected", file, line);
    }
    diags_free(d);
    return p;
}

/* A pack that must load; warnings are allowed. */
#define tp_load(yaml) tp_load_at(__FILE__, __LINE__, (yaml), true)
/* A pack that must load without a single diagnostic. */
#define tp_load_clean(yaml) tp_load_at(__FILE__, __LINE__, (yaml), false)

/* Loads files that must NOT load; returns their diagnostics. */
static inline diags *tp_fail_files_at(const char *file, int line, const char *const *names,
                               const char *const *files, size_t count)
{
    diags *d;
    pack *p = tp_load_files(names, files, count, &d);
    if (p) {
        pack_free(p);
        tp_dump(d);
        diags_free(d);
        fail_msg("%s:%d: the pack loaded but should have been refused", file, line);
    }
    return d;
}

static inline diags *tp_fail_at(const char *file, int line, const char *yaml)
{
    const char *names[] = {"pack.yaml"};
    return tp_fail_files_at(file, line, names, &yaml, 1);
}

#define tp_fail(yaml) tp_fail_at(__FILE__, __LINE__, (yaml))
#define tp_fail_files(n, f, c) tp_fail_files_at(__FILE__, __LINE__, (n), (f), (c))

/* Index of the first diagnostic whose first line contains s, or -1. */
static inline long tp_find(diags *d, const char *s)
{
    for (size_t i = 0; i < diag_count(d); i++)
        if (strstr(diag_line(d, i), s))
            return (long)i;
    return -1;
}

/* Asserts some diagnostic's first line contains s; prints them all if not. */
static inline void tp_expect_at(const char *file, int line, diags *d, const char *s)
{
    if (tp_find(d, s) >= 0)
        return;
    tp_dump(d);
    fail_msg("%s:%d: no diagnostic contains \"%s\"", file, line, s);
}

#define tp_expect(d, s) tp_expect_at(__FILE__, __LINE__, (d), (s))

/* The pack variable (== state slot) called name; fails when absent. */
static inline int tp_var(const pack *p, const char *name)
{
    for (int i = 0; i < p->nvars; i++)
        if (!strcmp(p->vars[i].name, name))
            return i;
    fail_msg("no variable '%s'", name);
    return -1;
}

/* The snapshot called name; fails when absent. */
static inline int tp_snap(const pack *p, const char *name)
{
    for (int i = 0; i < p->nsnapshots; i++)
        if (!strcmp(p->snapshots[i], name))
            return i;
    fail_msg("no snapshot '%s'", name);
    return -1;
}

static inline pk_scene *tp_scene(const pack *p, const char *id)
{
    pk_scene *s = pack_scene(p, id);
    if (!s)
        fail_msg("no scene '%s'", id);
    return s;
}

/* Choice id of scene s; fails when absent. */
static inline const pk_choice *tp_choice(const pk_scene *s, const char *id)
{
    for (int i = 0; i < s->nchoices; i++)
        if (!strcmp(s->choices[i]->id, id))
            return s->choices[i];
    fail_msg("no choice '%s' in scene '%s'", id, s->id);
    return NULL;
}

/* The embedded default story played to an ending with seed 5, always
 * taking the first available choice; *pp receives the pack (the caller
 * frees both). Shared by the report and reveal tests. */
static inline game *tp_play_default(pack **pp)
{
    diags *d = diags_new();
    pack *p = pack_load_embedded(d);
    diags_free(d);
    assert_non_null(p);
    game *g = game_new(p);
    game_start(g, 5, NULL);
    for (int k = 0; k < 2000 && !game_over(g); k++) {
        const pk_scene *sc = game_scene(g);
        int pick = -1;
        for (int i = 0; i < sc->nchoices && pick < 0; i++)
            if (game_shown(g, sc->choices[i]) && game_enabled(g, sc->choices[i]))
                pick = i;
        assert_true(pick >= 0);
        assert_int_equal(game_choose(g, sc->choices[pick]), GAME_OK);
    }
    assert_true(game_over(g));
    *pp = p;
    return g;
}

#endif
