/*
 * Tests for resolve, the second pass of loading: what is easier to assert
 * in C than as a broken pack. Effects that set a negative value ("=-N") on
 * variables whose bounds are negative, played to the exact value, and the
 * out-of-bounds refusals that print those bounds; the reveal's names, all
 * reported in one run when several are wrong; then load_suggest, the "did
 * you mean" of every unknown name, key and value. The broken packs
 * tests/packs/bad/resolve-*.yaml cover the diagnostics with a location.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game.h"
#include "load_int.h"
#include "testpack.h"

/* A counter bounded on both sides of 0 and a dimension below 0. SET is
 * substituted into the one choice's effects (line 18, from column 22). */
#define NEGATIVE_PACK(SET)                                                                         \
    TP_HEAD "state:\n"                                                                             \
            "  dimensions:\n"                                                                      \
            "    mood: {min: -50, max: -20, start: -30}\n"                                         \
            "  counters:\n"                                                                        \
            "    chill: {min: -10, max: 10}\n"                                                     \
            "chapters:\n"                                                                          \
            "  - id: c\n"                                                                          \
            "    scenes:\n"                                                                        \
            "      - id: s\n"                                                                      \
            "        text: \"Chill {chill}, mood {mood}.\"\n"                                      \
            "        choices:\n"                                                                   \
            "          - id: freeze\n"                                                             \
            "            text: Freeze\n"                                                           \
            "            effects: " SET "\n"                                                       \
            "            goto: e\n"                                                                \
            "      - {id: e, ending: {title: E}}\n"

/* Plays the pack's only choice; returns the value of name afterwards. */
static int32_t after_freeze(const pack *p, game *g, const char *name)
{
    const pk_scene *s = tp_scene(p, "s");
    assert_int_equal(game_choose(g, tp_choice(s, "freeze")), GAME_OK);
    assert_true(game_over(g));
    return game_state(g)[tp_var(p, name)];
}

/* "=-5" inside -10..10 and "=-50" at the bottom of -50..-20 load without a
 * diagnostic and set exactly those values. */
static void set_negative_within_negative_bounds(void **state)
{
    (void)state;
    pack *p = tp_load_clean(NEGATIVE_PACK("{chill: \"=-5\", mood: \"=-50\"}"));
    game *g = game_new(p);
    game_start(g, 1, NULL);
    assert_int_equal(game_state(g)[tp_var(p, "chill")], 0);
    assert_int_equal(game_state(g)[tp_var(p, "mood")], -30);
    assert_int_equal(after_freeze(p, g, "chill"), -5);
    assert_int_equal(game_state(g)[tp_var(p, "mood")], -50);
    game_free(g);
    pack_free(p);

    /* the other end of each range, and "=-0" (which is 0) */
    p = tp_load_clean(NEGATIVE_PACK("{chill: \"=-10\", mood: \"=-20\"}"));
    g = game_new(p);
    game_start(g, 1, NULL);
    assert_int_equal(after_freeze(p, g, "chill"), -10);
    assert_int_equal(game_state(g)[tp_var(p, "mood")], -20);
    game_free(g);
    pack_free(p);

    p = tp_load_clean(NEGATIVE_PACK("{chill: \"=-0\", mood: \"=-25\"}"));
    g = game_new(p);
    game_start(g, 1, NULL);
    assert_int_equal(after_freeze(p, g, "chill"), 0);
    assert_int_equal(game_state(g)[tp_var(p, "mood")], -25);
    game_free(g);
    pack_free(p);
}

/* One past each negative bound is refused, with the bounds as declared;
 * both errors are reported, each at its own value. */
static void set_outside_negative_bounds_is_refused(void **state)
{
    (void)state;
    diags *d = tp_fail(NEGATIVE_PACK("{chill: \"=-11\", mood: \"=-19\"}"));
    assert_int_equal(diag_count(d), 2);
    assert_string_equal(diag_line(d, 0), "pack.yaml:18:30: error: 'chill' is set to -11, outside "
                                         "its bounds -10..10 [out-of-bounds]");
    assert_string_equal(diag_line(d, 1), "pack.yaml:18:44: error: 'mood' is set to -19, outside "
                                         "its bounds -50..-20 [out-of-bounds]");
    diags_free(d);

    /* above each max, the dimension's being negative */
    d = tp_fail(NEGATIVE_PACK("{mood: \"=0\", chill: \"=11\"}"));
    assert_int_equal(diag_count(d), 2);
    assert_string_equal(diag_line(d, 0), "pack.yaml:18:29: error: 'mood' is set to 0, outside "
                                         "its bounds -50..-20 [out-of-bounds]");
    assert_string_equal(diag_line(d, 1), "pack.yaml:18:42: error: 'chill' is set to 11, outside "
                                         "its bounds -10..10 [out-of-bounds]");
    diags_free(d);

    d = tp_fail(NEGATIVE_PACK("{mood: \"=-51\"}"));
    assert_int_equal(diag_count(d), 1);
    assert_string_equal(diag_line(d, 0), "pack.yaml:18:29: error: 'mood' is set to -51, outside "
                                         "its bounds -50..-20 [out-of-bounds]");
    diags_free(d);
}

/* ---- reveal ------------------------------------------------------------------ */

/* Two dimensions, a style, an outcome and a snapshot; REVEAL is the body
 * of the reveal key, from line 21. */
#define REVEAL_PACK(REVEAL)                                                                        \
    TP_HEAD "state:\n"                                                                             \
            "  dimensions:\n"                                                                      \
            "    trust: {min: 0, max: 100, start: 50}\n"                                           \
            "    worry: {min: -20, max: 40, start: 0}\n"                                           \
            "styles:\n"                                                                            \
            "  steady: {label: Steady, when: worry < 10}\n"                                        \
            "outcomes:\n"                                                                          \
            "  trusting: {label: Trusting, when: trust >= 50}\n"                                   \
            "chapters:\n"                                                                          \
            "  - id: c\n"                                                                          \
            "    scenes:\n"                                                                        \
            "      - id: s\n"                                                                      \
            "        snapshot: dusk\n"                                                             \
            "        text: \"{trust} {worry}\"\n"                                                  \
            "        ending: {title: E}\n"                                                         \
            "reveal:\n" REVEAL

/* The names of a reveal resolve to indices, and the cut defaults to the
 * middle of each axis. */
static void reveal_resolves_its_names(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REVEAL_PACK("  x: trust\n"
                                        "  y: worry\n"
                                        "  snapshot: dusk\n"
                                        "  prototypes:\n"
                                        "    steady: [75, -5]\n"
                                        "  goal: trusting\n"
                                        "  secure_style: steady\n"));
    const pk_reveal *rv = &p->reveal;
    assert_int_equal(rv->x, tp_var(p, "trust"));
    assert_int_equal(rv->y, tp_var(p, "worry"));
    assert_int_equal(rv->mid_x, 50);
    assert_int_equal(rv->mid_y, 10);
    assert_int_equal(rv->snapshot, tp_snap(p, "dusk"));
    assert_int_equal(rv->nproto, 1);
    assert_int_equal(rv->proto_style[0], 0);
    assert_int_equal(rv->proto_x[0], 75);
    assert_int_equal(rv->proto_y[0], -5);
    assert_int_equal(rv->goal, 0);
    assert_int_equal(rv->secure_style, 0);
    pack_free(p);
}

/* A wrong axis does not hide the reveal's other errors: each is reported,
 * at its name, in one run. */
static void reveal_reports_every_unknown_name(void **state)
{
    (void)state;
    diags *d = tp_fail(REVEAL_PACK("  x: trst\n"
                                   "  y: worry\n"
                                   "  snapshot: dawn\n"
                                   "  prototypes:\n"
                                   "    stedy: [75, 25]\n"
                                   "  goal: steady\n"
                                   "  secure_style: trusting\n"));
    static const char *const want[] = {
        "pack.yaml:21:6: error: 'trst' is not a dimension [unknown-name]",
        "pack.yaml:23:13: error: no scene takes a snapshot 'dawn' [unknown-name]",
        "pack.yaml:25:5: error: no style 'stedy' [unknown-name]",
        "pack.yaml:26:9: error: no outcome 'steady' [unknown-name]",
        "pack.yaml:27:17: error: no style 'trusting' [unknown-name]",
    };
    assert_int_equal(diag_count(d), 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(diag_line(d, i), want[i]);
    diags_free(d);
}

/* ---- load_suggest ---------------------------------------------------------- */

static const char *suggest(const char *s, const char *const *names, size_t count)
{
    return load_suggest(s, strlen(s), names, count);
}

/* The closest name wins wherever it stands in the list; of two equally
 * close, the first. */
static void suggest_picks_the_closest(void **state)
{
    (void)state;
    const char *const far_first[] = {"ward", "worry"}; /* 2 edits, then 1 */
    assert_string_equal(suggest("wory", far_first, 2), "worry");
    const char *const near_first[] = {"worry", "ward"};
    assert_string_equal(suggest("wory", near_first, 2), "worry");
    const char *const tie[] = {"word", "worry"}; /* 1 edit each */
    assert_string_equal(suggest("wory", tie, 2), "word");
    const char *const exact[] = {"wor", "wory", "worry"};
    assert_string_equal(suggest("wory", exact, 3), "wory");
}

/* A name of n characters accepts n / 3 + 1 edits, at most 3. */
static void suggest_within_a_small_distance(void **state)
{
    (void)state;
    const char *const two[] = {"xy"};
    assert_null(suggest("ab", two, 1)); /* 2 edits, 1 allowed */
    assert_string_equal(suggest("ay", two, 1), "xy");
    const char *const long_names[] = {"anxietyxxx"};
    assert_string_equal(suggest("anxiety", long_names, 1), "anxietyxxx"); /* 3 of 3 */
    const char *const too_far[] = {"anxietyxxxx"};
    assert_null(suggest("anxietyyyy", too_far, 1)); /* 4 edits, 3 at most */
}

/* Names over 64 characters, which no declaration can have, are never
 * compared: the distance table is bounded. */
static void suggest_skips_names_over_64(void **state)
{
    (void)state;
    char a[80], b[80];
    memset(a, 'a', 65);
    a[65] = '\0';
    memcpy(b, a, sizeof a);
    b[64] = 'b'; /* one edit from a */
    const char *const names[] = {b};
    assert_null(suggest(a, names, 1));
    /* the longest name a pack can declare still gets its suggestion */
    a[64] = '\0';
    b[63] = 'b';
    b[64] = '\0';
    assert_string_equal(suggest(a, names, 1), b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_negative_within_negative_bounds),
        cmocka_unit_test(set_outside_negative_bounds_is_refused),
        cmocka_unit_test(reveal_resolves_its_names),
        cmocka_unit_test(reveal_reports_every_unknown_name),
        cmocka_unit_test(suggest_picks_the_closest),
        cmocka_unit_test(suggest_within_a_small_distance),
        cmocka_unit_test(suggest_skips_names_over_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
