/*
 * Tests for game, the runtime of a playthrough, driven through a pack
 * written for the purpose: start values and options, the order of
 * on_enter and snapshots, every kind of effect (fair steps to the exact
 * value), once-only, hidden and disabled choices, conditional goto, the
 * reply, undo, replay and endings, then pack_style and pack_outcome.
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
#include "testpack.h"

static const char *const GAME_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    anxiety: {min: 0, max: 100, start: 50}\n"
    "    trust: {min: 0, max: 100, start: 90}\n"
    "    edge: {min: 0, max: 100, start: 99}\n"
    "  flags:\n"
    "    met: {}\n"
    "  counters:\n"
    "    visits: {}\n"
    "    low_visits: {min: 0, max: 3}\n"
    "options:\n"
    "  weather: {values: [calm, storm], default: random}\n"
    "  parent: {values: [mum, dad], default: dad}\n"
    "  season: {values: [spring, summer, autumn, winter], default: random}\n"
    "styles:\n"
    "  steady: {label: Steady, when: anxiety < 50}\n"
    "  shaken: {label: Shaken, when: anxiety >= 50 and anxiety < 90}\n"
    "outcomes:\n"
    "  trusting: {label: Trusting, when: trust >= 90}\n"
    "  met_someone: {label: Met someone, when: met}\n"
    "  grew: {label: Grew, when: anxiety < first.anxiety}\n"
    "chapters:\n"
    "  - id: main\n"
    "    scenes:\n"
    "      - id: hub\n"
    "        on_enter: {visits: +1}\n"
    "        snapshot: first\n"
    "        text: \"Visit {visits}, {season}.\"\n"
    "        choices:\n"
    "          - id: fair_up\n"
    "            text: Up\n"
    "            effects: {anxiety: \"%+20\"}\n"
    "            reply: \"Anxiety {anxiety}, visits {visits}.\"\n"
    "            goto: hub\n"
    "          - id: fair_down\n"
    "            text: Down\n"
    "            effects: {anxiety: \"%-20\"}\n"
    "            goto: hub\n"
    "          - id: fair_trust\n"
    "            text: Trust\n"
    "            effects: {trust: \"%+20\"}\n"
    "            goto: hub\n"
    "          - id: nudge\n"
    "            text: Nudge\n"
    "            effects: {edge: \"%+1\"}\n"
    "            goto: hub\n"
    "          - id: add_big\n"
    "            text: Add\n"
    "            effects: {anxiety: +500, visits: +2147483647}\n"
    "            goto: hub\n"
    "          - id: sub_big\n"
    "            text: Sub\n"
    "            effects: {anxiety: -500, visits: -2147483647}\n"
    "            goto: hub\n"
    "          - id: set\n"
    "            text: Set\n"
    "            effects: {anxiety: \"=7\", met: true}\n"
    "            goto: hub\n"
    "          - id: once\n"
    "            text: Once\n"
    "            once: true\n"
    "            effects: {trust: -1}\n"
    "            goto: hub\n"
    "          - id: storm_only\n"
    "            text: Storm only\n"
    "            if: weather == \"storm\"\n"
    "            effects: {trust: -1}\n"
    "            goto: hub\n"
    "          - id: locked\n"
    "            text: Locked\n"
    "            enabled_if: met\n"
    "            disabled_text: Not yet.\n"
    "            effects: {trust: -1}\n"
    "            goto: hub\n"
    "          - id: cond_fx\n"
    "            text: Conditional\n"
    "            effects:\n"
    "              - when: weather == \"storm\"\n"
    "                anxiety: +10\n"
    "              - when: anxiety > 55\n"
    "                trust: -10\n"
    "              - low_visits: +1\n"
    "            goto: hub\n"
    "          - id: branch\n"
    "            text: Branch\n"
    "            effects: {met: true}\n"
    "            goto:\n"
    "              - when: anxiety >= 60\n"
    "                scene: high\n"
    "              - when: met and anxiety < 10\n"
    "                scene: calm\n"
    "              - scene: low\n"
    "          - id: leave\n"
    "            text: Leave\n"
    "            goto: end\n"
    "      - id: high\n"
    "        on_enter: {anxiety: -5}\n"
    "        snapshot: peak\n"
    "        text: High.\n"
    "        choices:\n"
    "          - {id: back, text: Back, goto: hub}\n"
    "      - id: low\n"
    "        on_enter: {low_visits: +1}\n"
    "        text: Low.\n"
    "        choices:\n"
    "          - {id: back, text: Back, goto: hub}\n"
    "      - id: calm\n"
    "        text: Calm.\n"
    "        choices:\n"
    "          - {id: back, text: Back, goto: hub}\n"
    "      - id: end\n"
    "        text: \"The end, {Parent}.\"\n"
    "        ending: {title: Done}\n";

static pack *P;

static int setup(void **state)
{
    (void)state;
    P = tp_load_clean(GAME_PACK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pack_free(P);
    return 0;
}

/* The current value of variable name in g. */
static int32_t val(const game *g, const char *name)
{
    return game_state(g)[tp_var(P, name)];
}

/* Snapshot snap's copy of variable name in g. */
static int32_t snap(const game *g, const char *snap, const char *name)
{
    return game_state(g)[P->snap_base + tp_snap(P, snap) * P->nvars + tp_var(P, name)];
}

/* Takes choice id of the current scene; it must be allowed. */
static void take(game *g, const char *id)
{
    game_result r = game_choose(g, tp_choice(game_scene(g), id));
    if (r != GAME_OK)
        fail_msg("choice '%s' in '%s' gave %d", id, game_scene(g)->id, (int)r);
}

/* A new game started with the given options (NULL: defaults). */
static game *start(uint64_t seed, const int *options)
{
    game *g = game_new(P);
    game_start(g, seed, options);
    return g;
}

/* Options with weather set to w and every other option at its default. */
static const int *weather(int w)
{
    static int o[64];
    for (int i = 0; i < P->nvars; i++)
        o[i] = -1;
    o[tp_var(P, "weather")] = w;
    return o;
}

static const char *reply(const game *g)
{
    static buf b;
    buf_free(&b);
    game_reply(g, &b);
    return buf_str(&b);
}

/* ---- starting ------------------------------------------------------------ */

static void start_values(void **state)
{
    (void)state;
    game *g = start(1, NULL);
    assert_ptr_equal(game_pack(g), P);
    assert_int_equal(game_seed(g), 1);
    assert_string_equal(game_scene(g)->id, "hub");
    assert_int_equal(game_steps(g), 0);
    assert_false(game_over(g));
    assert_int_equal(val(g, "anxiety"), 50);
    assert_int_equal(val(g, "trust"), 90);
    assert_int_equal(val(g, "met"), 0);
    assert_int_equal(val(g, "visits"), 1); /* on_enter of the start scene ran */
    assert_int_equal(val(g, "parent"), 1); /* default: dad */
    for (int i = 0; i < P->nonce; i++)
        assert_int_equal(game_state(g)[P->once_base + i], 0);
    assert_string_equal(reply(g), "");
    game_free(g);
    game_free(NULL);
}

static void options_set_by_the_player(void **state)
{
    (void)state;
    int o[64];
    for (int i = 0; i < P->nvars; i++)
        o[i] = -1;
    o[tp_var(P, "weather")] = 1;
    o[tp_var(P, "parent")] = 0;
    o[tp_var(P, "season")] = 3;
    for (uint64_t seed = 0; seed < 20; seed++) {
        game *g = start(seed, o);
        assert_int_equal(val(g, "weather"), 1);
        assert_int_equal(val(g, "parent"), 0);
        assert_int_equal(val(g, "season"), 3);
        game_free(g);
    }
    /* a value out of range falls back to the default */
    o[tp_var(P, "parent")] = 7;
    game *g = start(1, o);
    assert_int_equal(val(g, "parent"), 1);
    game_free(g);
}

static void random_defaults_follow_the_seed(void **state)
{
    (void)state;
    bool seen_w[2] = {0}, seen_s[4] = {0};
    for (uint64_t seed = 0; seed < 200; seed++) {
        game *a = start(seed, NULL), *b = start(seed, NULL);
        /* same seed, same draw */
        assert_int_equal(val(a, "weather"), val(b, "weather"));
        assert_int_equal(val(a, "season"), val(b, "season"));
        assert_in_range(val(a, "weather"), 0, 1);
        assert_in_range(val(a, "season"), 0, 3);
        seen_w[val(a, "weather")] = true;
        seen_s[val(a, "season")] = true;
        /* restarting draws the same again */
        game_start(a, seed, NULL);
        assert_int_equal(val(a, "weather"), val(b, "weather"));
        game_free(a);
        game_free(b);
    }
    /* different seeds eventually differ: every value comes up */
    assert_true(seen_w[0] && seen_w[1]);
    assert_true(seen_s[0] && seen_s[1] && seen_s[2] && seen_s[3]);
}

/* Random defaults are drawn in declaration order with game_rng. */
static void random_defaults_drawn_in_order(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 50; seed++) {
        uint64_t rng = seed;
        int w = (int)(game_rng(&rng) % 2);
        int s = (int)(game_rng(&rng) % 4);
        game *g = start(seed, NULL);
        assert_int_equal(val(g, "weather"), w);
        assert_int_equal(val(g, "season"), s);
        game_free(g);
    }
}

static void on_enter_then_snapshot(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    /* the snapshot is taken after on_enter */
    assert_int_equal(snap(g, "first", "visits"), 1);
    assert_int_equal(snap(g, "first", "anxiety"), 50);
    /* a snapshot not taken yet reads the start values */
    assert_int_equal(snap(g, "peak", "anxiety"), 50);
    assert_int_equal(snap(g, "peak", "visits"), 0);
    take(g, "fair_up"); /* 60, back to hub: visits 2, snapshot retaken */
    assert_int_equal(snap(g, "first", "visits"), 2);
    assert_int_equal(snap(g, "first", "anxiety"), 60);
    take(g, "branch"); /* anxiety 60: high, on_enter -5 then snapshot */
    assert_string_equal(game_scene(g)->id, "high");
    assert_int_equal(val(g, "anxiety"), 55);
    assert_int_equal(snap(g, "peak", "anxiety"), 55);
    take(g, "back");
    assert_int_equal(snap(g, "peak", "anxiety"), 55); /* kept when not retaken */
    game_free(g);
}

/* ---- effects ------------------------------------------------------------- */

static void fair_steps(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    take(g, "fair_up"); /* 50 toward 100 by 20%: 60 */
    assert_int_equal(val(g, "anxiety"), 60);
    take(g, "fair_up"); /* 40 left, 8: 68 */
    assert_int_equal(val(g, "anxiety"), 68);
    take(g, "fair_down"); /* 68 toward 0 by 20%: 13.6 rounds to 14: 54 */
    assert_int_equal(val(g, "anxiety"), 54);
    take(g, "fair_trust"); /* 90 by 20%: 92 */
    assert_int_equal(val(g, "trust"), 92);
    take(g, "nudge"); /* a 1% step with room 1 still moves 1 */
    assert_int_equal(val(g, "edge"), 100);
    take(g, "nudge"); /* no room: stays */
    assert_int_equal(val(g, "edge"), 100);
    for (int i = 0; i < 30; i++)
        take(g, "fair_trust");
    assert_int_equal(val(g, "trust"), 100); /* approaches, never passes */
    game_free(g);
}

static void add_clamps_and_saturates(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    take(g, "add_big");
    assert_int_equal(val(g, "anxiety"), 100);
    assert_int_equal(val(g, "visits"), INT32_MAX); /* 2 + INT32_MAX, clamped; on_enter too */
    take(g, "add_big");
    assert_int_equal(val(g, "visits"), INT32_MAX);
    take(g, "sub_big");
    assert_int_equal(val(g, "anxiety"), 0);
    assert_int_equal(val(g, "visits"), 1); /* INT32_MAX - INT32_MAX, then +1 */
    take(g, "sub_big");
    take(g, "sub_big");
    /* counters are bounded by -2147483647 unless declared otherwise */
    assert_int_equal(val(g, "visits"), -INT32_MAX + 1);
    game_free(g);
}

static void set_effects(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    take(g, "set");
    assert_int_equal(val(g, "anxiety"), 7);
    assert_int_equal(val(g, "met"), 1);
    take(g, "set"); /* setting again changes nothing */
    assert_int_equal(val(g, "anxiety"), 7);
    game_free(g);
}

static void conditional_effect_blocks(void **state)
{
    (void)state;
    /* calm: no +10; anxiety 50 is not > 55; low_visits +1 */
    game *g = start(1, weather(0));
    take(g, "cond_fx");
    assert_int_equal(val(g, "anxiety"), 50);
    assert_int_equal(val(g, "trust"), 90);
    assert_int_equal(val(g, "low_visits"), 1);
    game_free(g);
    /* storm: +10 first, so the second block sees 60 > 55 */
    g = start(1, weather(1));
    take(g, "cond_fx");
    assert_int_equal(val(g, "anxiety"), 60);
    assert_int_equal(val(g, "trust"), 80);
    assert_int_equal(val(g, "low_visits"), 1);
    /* low_visits is bounded at 3 */
    for (int i = 0; i < 5; i++)
        take(g, "cond_fx");
    assert_int_equal(val(g, "low_visits"), 3);
    game_free(g);
}

/* ---- which choices can be taken ----------------------------------------- */

static void once_only_choices(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    const pk_choice *c = tp_choice(game_scene(g), "once");
    assert_true(game_shown(g, c));
    take(g, "once");
    assert_int_equal(val(g, "trust"), 89);
    assert_false(game_shown(g, c));
    size_t steps = game_steps(g);
    assert_int_equal(game_choose(g, c), GAME_HIDDEN);
    assert_int_equal(game_steps(g), steps);
    assert_int_equal(val(g, "trust"), 89);
    /* still gone after other choices, back after undoing it */
    take(g, "branch");
    take(g, "back");
    assert_false(game_shown(g, c));
    game_undo(g, 3);
    assert_true(game_shown(g, c));
    /* sticky choices stay */
    take(g, "fair_up");
    assert_true(game_shown(g, tp_choice(game_scene(g), "fair_up")));
    game_free(g);
}

static void hidden_and_disabled_change_nothing(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    const pk_scene *hub = game_scene(g);
    const pk_choice *storm = tp_choice(hub, "storm_only"), *locked = tp_choice(hub, "locked");
    assert_false(game_shown(g, storm));
    assert_true(game_shown(g, locked));
    assert_false(game_enabled(g, locked));
    assert_string_equal(locked->disabled_text, "Not yet.");
    size_t n = (size_t)P->state_size * sizeof(int32_t);
    int32_t *before = malloc(n);
    memcpy(before, game_state(g), n);
    assert_int_equal(game_choose(g, storm), GAME_HIDDEN);
    assert_int_equal(game_choose(g, locked), GAME_DISABLED);
    assert_memory_equal(game_state(g), before, n);
    assert_int_equal(game_steps(g), 0);
    assert_ptr_equal(game_scene(g), hub);
    assert_string_equal(reply(g), "");
    /* a choice of another scene is foreign */
    assert_int_equal(game_choose(g, tp_choice(tp_scene(P, "high"), "back")), GAME_FOREIGN);
    assert_memory_equal(game_state(g), before, n);
    /* once met, the locked choice can be taken */
    take(g, "set");
    assert_true(game_enabled(g, locked));
    take(g, "locked");
    free(before);
    game_free(g);

    g = start(1, weather(1));
    assert_true(game_shown(g, storm));
    take(g, "storm_only");
    assert_int_equal(val(g, "trust"), 89);
    game_free(g);
}

static void conditional_goto(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    take(g, "branch"); /* anxiety 50, met after effects: not < 10: low */
    assert_string_equal(game_scene(g)->id, "low");
    assert_int_equal(val(g, "low_visits"), 1);
    take(g, "back");
    take(g, "fair_up"); /* 60 */
    take(g, "branch");
    assert_string_equal(game_scene(g)->id, "high");
    take(g, "back");
    take(g, "set"); /* 7 and met */
    take(g, "branch");
    assert_string_equal(game_scene(g)->id, "calm");
    game_free(g);
}

/* The goto is resolved after the choice's own effects. */
static void goto_sees_the_choice_effects(void **state)
{
    (void)state;
    pack *p = tp_load_clean(TP_HEAD "state:\n  flags: {f: {}}\n"
                                    "chapters:\n  - id: c\n    scenes:\n"
                                    "      - id: s\n        choices:\n"
                                    "          - id: go\n            text: Go\n"
                                    "            effects: {f: true}\n"
                                    "            goto:\n"
                                    "              - {when: f, scene: yes}\n"
                                    "              - scene: no\n"
                                    "      - {id: yes, ending: {title: Y}}\n"
                                    "      - {id: no, ending: {title: N}}\n");
    game *g = game_new(p);
    game_start(g, 0, NULL);
    assert_int_equal(game_choose(g, p->scenes[0]->choices[0]), GAME_OK);
    assert_string_equal(game_scene(g)->id, "yes");
    assert_string_equal(game_scene(g)->ending_title, "Y");
    game_free(g);
    pack_free(p);
}

/* ---- reply, undo, replay, endings --------------------------------------- */

static void reply_after_effects_before_next_scene(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    take(g, "fair_up");
    /* anxiety after the effect; visits before hub's on_enter ran again */
    assert_string_equal(reply(g), "Anxiety 60, visits 1.");
    assert_int_equal(val(g, "visits"), 2);
    take(g, "fair_down"); /* no reply */
    assert_string_equal(reply(g), "");
    game_undo(g, 1);
    assert_string_equal(reply(g), ""); /* empty after undo */
    game_start(g, 1, weather(0));
    assert_string_equal(reply(g), "");
    game_free(g);
}

static void undo_restores_exact_state(void **state)
{
    (void)state;
    static const char *const path[] = {"fair_up", "once", "branch", "back", "set", "cond_fx",
                                        "nudge",   "branch", "back"};
    size_t n = sizeof path / sizeof path[0];
    size_t sz = (size_t)P->state_size * sizeof(int32_t);
    int32_t *saved[16];
    const pk_scene *scenes[16];
    game *g = start(5, weather(1));
    for (size_t i = 0; i <= n; i++) {
        saved[i] = malloc(sz);
        memcpy(saved[i], game_state(g), sz);
        scenes[i] = game_scene(g);
        if (i < n)
            take(g, path[i]);
    }
    assert_int_equal(game_steps(g), n);
    assert_int_equal(game_undo(g, 4), 4);
    assert_int_equal(game_steps(g), n - 4);
    assert_memory_equal(game_state(g), saved[n - 4], sz);
    assert_ptr_equal(game_scene(g), scenes[n - 4]);
    /* the journal still holds the earlier steps */
    for (size_t i = 0; i < n - 4; i++) {
        assert_string_equal(game_step_choice(g, i)->id, path[i]);
        assert_ptr_equal(game_step_scene(g, i), scenes[i]);
        assert_memory_equal(game_step_state(g, i), saved[i], sz);
    }
    /* more than taken: stops at the start */
    assert_int_equal(game_undo(g, 100), n - 4);
    assert_int_equal(game_steps(g), 0);
    assert_memory_equal(game_state(g), saved[0], sz);
    assert_int_equal(game_undo(g, 1), 0);
    /* a different choice after undo is a new branch */
    take(g, "set");
    assert_int_equal(val(g, "anxiety"), 7);
    for (size_t i = 0; i <= n; i++)
        free(saved[i]);
    game_free(g);
}

/* A game is a pure function of pack, seed, options and choices. */
static void replay_gives_identical_states(void **state)
{
    (void)state;
    size_t sz = (size_t)P->state_size * sizeof(int32_t);
    for (uint64_t seed = 0; seed < 8; seed++) {
        game *a = start(seed, NULL);
        /* a long pseudo-random walk, beyond the initial log capacity */
        uint64_t rng = seed * 7919 + 1;
        for (int step = 0; step < 300 && !game_over(a); step++) {
            const pk_scene *s = game_scene(a);
            const pk_choice *c = s->choices[game_rng(&rng) % (uint64_t)s->nchoices];
            if (!strcmp(c->id, "leave") && step < 250)
                continue;
            game_choose(a, c); /* refused choices are simply not logged */
        }
        game *b = start(seed, NULL);
        assert_memory_equal(game_state(b), game_step_state(a, 0), sz);
        for (size_t i = 0; i < game_steps(a); i++) {
            assert_ptr_equal(game_scene(b), game_step_scene(a, i));
            assert_int_equal(game_choose(b, game_step_choice(a, i)), GAME_OK);
            assert_memory_equal(game_state(b), game_step_state(a, i + 1), sz);
        }
        assert_int_equal(game_steps(a), game_steps(b));
        assert_memory_equal(game_state(a), game_state(b), sz);
        assert_ptr_equal(game_scene(a), game_scene(b));
        /* undo far back, then replay forward again */
        size_t k = game_steps(a) / 2;
        game_undo(b, game_steps(b) - k);
        for (size_t i = k; i < game_steps(a); i++)
            assert_int_equal(game_choose(b, game_step_choice(a, i)), GAME_OK);
        assert_memory_equal(game_state(a), game_state(b), sz);
        game_free(a);
        game_free(b);
    }
}

static void ending(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    take(g, "leave");
    assert_true(game_over(g));
    const pk_scene *s = game_scene(g);
    assert_true(s->ending);
    assert_int_equal(s->nchoices, 0);
    assert_string_equal(s->ending_title, "Done");
    buf b = BUF_INIT;
    pack_render(&s->text, game_state(g), &b);
    assert_string_equal(buf_str(&b), "The end, Dad.");
    buf_free(&b);
    /* nothing more can be taken */
    size_t steps = game_steps(g);
    assert_int_equal(game_choose(g, tp_choice(tp_scene(P, "hub"), "set")), GAME_OVER);
    assert_int_equal(game_steps(g), steps);
    /* undo leaves the ending */
    game_undo(g, 1);
    assert_false(game_over(g));
    game_free(g);
}

static void styles_and_outcomes(void **state)
{
    (void)state;
    game *g = start(1, weather(0));
    const int32_t *st = game_state(g);
    /* anxiety 50: the first style that holds is shaken */
    assert_int_equal(pack_style(P, st), 1);
    assert_string_equal(P->styles[1]->label, "Shaken");
    assert_true(pack_outcome(P, 0, st));  /* trust 90 */
    assert_false(pack_outcome(P, 1, st)); /* not met */
    assert_false(pack_outcome(P, 2, st)); /* anxiety not below its snapshot */
    take(g, "set"); /* anxiety 7, met; back at hub the snapshot is retaken */
    st = game_state(g);
    assert_int_equal(pack_style(P, st), 0);
    assert_true(pack_outcome(P, 1, st));
    assert_false(pack_outcome(P, 2, st));
    take(g, "leave"); /* the ending is judged on the state on entering it */
    assert_int_equal(pack_style(P, game_state(g)), 0);
    game_undo(g, 2);
    take(g, "add_big"); /* anxiety 100: no style holds */
    assert_int_equal(pack_style(P, game_state(g)), -1);
    take(g, "fair_down");
    take(g, "fair_down"); /* 80, 64, and the hub's snapshot says 64 too */
    assert_int_equal(pack_style(P, game_state(g)), 1);
    game_free(g);
}

/* Snapshot-based outcomes compare the state with the moment it was taken. */
static void outcome_against_snapshot(void **state)
{
    (void)state;
    pack *p = tp_load_clean(TP_HEAD "state:\n  dimensions: {a: {min: 0, max: 100, start: 50}}\n"
                                    "outcomes:\n  grew: {when: a < early.a}\n"
                                    "chapters:\n  - id: c\n    scenes:\n"
                                    "      - id: s\n        snapshot: early\n        choices:\n"
                                    "          - {id: calm, text: C, effects: {a: -10}, goto: e}\n"
                                    "          - {id: worse, text: W, effects: {a: +10}, goto: e}\n"
                                    "      - {id: e, ending: {title: E}}\n");
    game *g = game_new(p);
    game_start(g, 0, NULL);
    assert_int_equal(game_choose(g, p->scenes[0]->choices[0]), GAME_OK);
    assert_true(game_over(g));
    assert_true(pack_outcome(p, 0, game_state(g)));
    game_undo(g, 1);
    assert_int_equal(game_choose(g, p->scenes[0]->choices[1]), GAME_OK);
    assert_false(pack_outcome(p, 0, game_state(g)));
    game_free(g);
    pack_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(start_values),
        cmocka_unit_test(options_set_by_the_player),
        cmocka_unit_test(random_defaults_follow_the_seed),
        cmocka_unit_test(random_defaults_drawn_in_order),
        cmocka_unit_test(on_enter_then_snapshot),
        cmocka_unit_test(fair_steps),
        cmocka_unit_test(add_clamps_and_saturates),
        cmocka_unit_test(set_effects),
        cmocka_unit_test(conditional_effect_blocks),
        cmocka_unit_test(once_only_choices),
        cmocka_unit_test(hidden_and_disabled_change_nothing),
        cmocka_unit_test(conditional_goto),
        cmocka_unit_test(goto_sees_the_choice_effects),
        cmocka_unit_test(reply_after_effects_before_next_scene),
        cmocka_unit_test(undo_restores_exact_state),
        cmocka_unit_test(replay_gives_identical_states),
        cmocka_unit_test(ending),
        cmocka_unit_test(styles_and_outcomes),
        cmocka_unit_test(outcome_against_snapshot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
