/*
 * Tests for reveal, the ending's account of the hidden model, on small
 * packs written for the purpose whose answers are worked out by hand:
 * classification at the cut-off lines (style, nearest prototype, distance,
 * "between prototypes"), the snapshot, the chapter path, the top moments,
 * the nearest-path search (to the goal, away from the secure style, an
 * unreachable goal, a branch the player never saw, a trap for a greedy
 * search, the cheapest of one round, and the default story against the
 * clock), the text map cell by cell in ASCII and Unicode, the
 * sparklines, the terminal rendering, and a pack without a `reveal` key.
 * Not covered here: the report formats (test_report.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game.h"
#include "reveal.h"
#include "utf8.h"
#include "xalloc.h"
#include "testpack.h"

/* ---- helpers ------------------------------------------------------------ */

/* A game on p with seed 7 and the choices ids (NULL-terminated). */
static game *play(const pack *p, ...)
{
    game *g = game_new(p);
    game_start(g, 7, NULL);
    va_list ap;
    va_start(ap, p);
    for (const char *id; (id = va_arg(ap, const char *));)
        assert_int_equal(game_choose(g, tp_choice(game_scene(g), id)), GAME_OK);
    va_end(ap);
    return g;
}

/* The index of the style called name; fails when absent. */
static int style_of(const pack *p, const char *name)
{
    for (int i = 0; i < p->nstyles; i++)
        if (!strcmp(p->styles[i]->name, name))
            return i;
    fail_msg("no style '%s'", name);
    return -1;
}

/* The name of the style prototype i stands for. */
static const char *proto_name(const pack *p, int i)
{
    assert_true(i >= 0 && i < p->reveal.nproto);
    return p->styles[p->reveal.proto_style[i]]->name;
}

/* Splits s into lines (each '\n'-terminated in s); returns how many. The
 * caller frees each line and the array. */
static size_t split_lines(const char *s, char ***out)
{
    size_t n = 0, cap = 8;
    char **v = xmalloc(cap * sizeof *v);
    while (*s) {
        const char *nl = strchr(s, '\n');
        assert_non_null(nl); /* every line ends with a newline */
        if (n == cap)
            v = xrealloc(v, (cap *= 2) * sizeof *v);
        v[n] = xmalloc((size_t)(nl - s) + 1);
        memcpy(v[n], s, (size_t)(nl - s));
        v[n][nl - s] = '\0';
        n++;
        s = nl + 1;
    }
    *out = v;
    return n;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Code point k (from 0) of line, copied into out as UTF-8. */
static void cp_at(const char *line, size_t k, char out[8])
{
    size_t n = strlen(line), off = 0;
    for (size_t i = 0;; i++) {
        assert_true(off < n);
        uint32_t cp;
        size_t len = utf8_decode(line + off, n - off, &cp);
        assert_true(len > 0);
        if (i == k) {
            memcpy(out, line + off, len);
            out[len] = '\0';
            return;
        }
        off += len;
    }
}

static size_t width_of(const char *s)
{
    return utf8_width(s, strlen(s));
}

/* The map's cell formulas, as reveal.c states them (41 x 17 cells). */
static int map_col(int32_t v, int32_t lo, int32_t hi)
{
    return (int)lround((double)(v - lo) * 40 / (double)(hi - lo));
}

static int map_row(int32_t v, int32_t lo, int32_t hi)
{
    return 16 - (int)lround((double)(v - lo) * 16 / (double)(hi - lo));
}

/* ---- classification ----------------------------------------------------- */

/* Four quadrants cut at 50, prototypes in their middles, between 5. The
 * start scene reaches each tested position in one choice. */
static const char *const CLASS_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 50}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "styles:\n"
    "  ll: {label: Low Low, when: x < 50 and y < 50}\n"
    "  hl: {label: High Low, when: x >= 50 and y < 50}\n"
    "  lh: {label: Low High, when: x < 50 and y >= 50}\n"
    "  hh: {label: High High, when: x >= 50 and y >= 50}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s\n"
    "        text: Where to?\n"
    "        choices:\n"
    "          - {id: p49-49, text: A, effects: {x: \"=49\", y: \"=49\"}, goto: e}\n"
    "          - {id: p50-50, text: B, effects: {x: \"=50\", y: \"=50\"}, goto: e}\n"
    "          - {id: p50-49, text: C, effects: {x: \"=50\", y: \"=49\"}, goto: e}\n"
    "          - {id: p49-50, text: D, effects: {x: \"=49\", y: \"=50\"}, goto: e}\n"
    "          - {id: p0-0, text: E, effects: {x: \"=0\", y: \"=0\"}, goto: e}\n"
    "          - {id: p100-100, text: F, effects: {x: \"=100\", y: \"=100\"}, goto: e}\n"
    "          - {id: p45-55, text: G, effects: {x: \"=45\", y: \"=55\"}, goto: e}\n"
    "          - {id: p55-44, text: H, effects: {x: \"=55\", y: \"=44\"}, goto: e}\n"
    "          - {id: p44-44, text: I, effects: {x: \"=44\", y: \"=44\"}, goto: e}\n"
    "      - id: e\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  cut: [50, 50]\n"
    "  between: 5\n"
    "  prototypes:\n"
    "    ll: [25, 25]\n"
    "    hl: [75, 25]\n"
    "    lh: [25, 75]\n"
    "    hh: [75, 75]\n";

/* Positions on a cut-off line are in the upper style (the conditions say
 * >= 50); "between" is inclusive at 5; a tie in distance goes to the
 * prototype declared first (ll), whatever the style. */
static void test_classification(void **state)
{
    (void)state;
    static const struct {
        const char *choice;
        int32_t x, y;
        const char *style, *nearest;
        double dist2; /* the squared distance to the nearest prototype */
        bool between;
    } cases[] = {
        {"p49-49", 49, 49, "ll", "ll", 24 * 24 + 24 * 24, true},
        {"p50-50", 50, 50, "hh", "ll", 25 * 25 + 25 * 25, true},  /* a four-way tie */
        {"p50-49", 50, 49, "hl", "ll", 25 * 25 + 24 * 24, true},  /* tie of ll and hl */
        {"p49-50", 49, 50, "lh", "ll", 24 * 24 + 25 * 25, true},  /* tie of ll and lh */
        {"p0-0", 0, 0, "ll", "ll", 25 * 25 + 25 * 25, false},
        {"p100-100", 100, 100, "hh", "hh", 25 * 25 + 25 * 25, false},
        {"p45-55", 45, 55, "lh", "lh", 20 * 20 + 20 * 20, true}, /* 5 from the x line */
        {"p55-44", 55, 44, "hl", "hl", 20 * 20 + 19 * 19, true}, /* 5 from x, 6 from y */
        {"p44-44", 44, 44, "ll", "ll", 19 * 19 + 19 * 19, false}, /* 6 from both */
    };
    pack *p = tp_load_clean(CLASS_PACK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        game *g = play(p, cases[i].choice, NULL);
        assert_true(game_over(g));
        reveal r;
        reveal_compute(&r, g, false);
        assert_true(r.ok);
        assert_int_equal(r.x, cases[i].x);
        assert_int_equal(r.y, cases[i].y);
        int want = style_of(p, cases[i].style);
        assert_int_equal(pack_style(p, game_state(g)), want);
        assert_int_equal(r.style, want);
        if (strcmp(proto_name(p, r.nearest), cases[i].nearest))
            fail_msg("%s: nearest %s, want %s", cases[i].choice, proto_name(p, r.nearest), cases[i].nearest);
        assert_float_equal(r.nearest_dist, sqrt(cases[i].dist2), 1e-9);
        if (r.between != cases[i].between)
            fail_msg("%s: between is %d", cases[i].choice, (int)r.between);
        /* no snapshot, no goal: nothing more */
        assert_false(r.has_start);
        assert_int_equal(r.start_style, -1);
        assert_int_equal(r.snap_chapter, -1);
        assert_int_equal(r.nchapters, 0);
        assert_false(r.searched);
        game_free(g);
    }
    pack_free(p);
}

/* ---- the snapshot --------------------------------------------------------- */

/* Three chapters; the snapshot is taken on entering chapter two (index 2),
 * after that scene's on_enter, so it closes chapter one (index 1). The
 * path through `early` ends in chapter zero, before the snapshot. */
static const char *const SNAP_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 50}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "styles:\n"
    "  ll: {when: x < 50 and y < 50}\n"
    "  hl: {when: x >= 50 and y < 50}\n"
    "  lh: {when: x < 50 and y >= 50}\n"
    "  hh: {when: x >= 50 and y >= 50}\n"
    "chapters:\n"
    "  - id: zero\n"
    "    scenes:\n"
    "      - id: z\n"
    "        text: Z.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: +4}, goto: a}\n"
    "          - {id: stop, text: Stop, goto: early}\n"
    "      - id: early\n"
    "        ending: {}\n"
    "        text: Early.\n"
    "  - id: one\n"
    "    title: One\n"
    "    scenes:\n"
    "      - id: a\n"
    "        text: A.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: +6, y: -20}, goto: b}\n"
    "  - id: two\n"
    "    title: Two\n"
    "    scenes:\n"
    "      - id: b\n"
    "        on_enter: {x: +1}\n"
    "        snapshot: dusk\n"
    "        text: B.\n"
    "        choices:\n"
    "          - {id: on, text: On, effects: {x: -40, y: +50}, goto: c}\n"
    "      - id: c\n"
    "        ending: {}\n"
    "        text: C.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  snapshot: dusk\n";

static void test_snapshot(void **state)
{
    (void)state;
    pack *p = tp_load_clean(SNAP_PACK);
    /* z: (54, 50); a: (60, 30); entering b: (61, 30), the snapshot; c: (21, 80) */
    game *g = play(p, "go", "go", "on", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.ok);
    assert_true(r.has_start);
    assert_int_equal(r.sx, 61);
    assert_int_equal(r.sy, 30);
    assert_int_equal(r.start_style, style_of(p, "hl"));
    assert_int_equal(r.snap_chapter, 1);
    assert_string_equal(p->chapters[r.snap_chapter].id, "one");
    assert_int_equal(r.x, 21);
    assert_int_equal(r.y, 80);
    assert_int_equal(r.style, style_of(p, "lh"));
    /* without prototypes there is no nearest one */
    assert_int_equal(r.nearest, -1);
    /* the chapters that ended: zero at (54, 50), one at the snapshot */
    assert_int_equal(r.nchapters, 2);
    assert_int_equal(r.chapter[0], 0);
    assert_int_equal(r.cx[0], 54);
    assert_int_equal(r.cy[0], 50);
    assert_int_equal(r.chapter[1], r.snap_chapter);
    assert_int_equal(r.cx[1], r.sx);
    assert_int_equal(r.cy[1], r.sy);
    /* no goal and no secure style: no search */
    assert_false(r.searched);
    game_free(g);

    /* a game that never reaches the snapshot scene */
    g = play(p, "stop", NULL);
    reveal_compute(&r, g, true);
    assert_true(r.ok);
    assert_false(r.has_start);
    assert_int_equal(r.snap_chapter, -1);
    assert_int_equal(r.start_style, -1);
    assert_int_equal(r.sx, 0);
    assert_int_equal(r.sy, 0);
    assert_int_equal(r.x, 50);
    assert_int_equal(r.y, 50);
    assert_int_equal(r.style, style_of(p, "hh"));
    assert_int_equal(r.nchapters, 0);
    game_free(g);
    pack_free(p);
}

/* ---- the chapter path ------------------------------------------------------ */

static const char *const CHAPTER_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 50}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "chapters:\n"
    "  - id: ca\n"
    "    scenes:\n"
    "      - id: a1\n"
    "        text: A1.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: +5}, goto: a2}\n"
    "      - id: a2\n"
    "        text: A2.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: +5, y: -10}, goto: b1}\n"
    "  - id: cb\n"
    "    scenes:\n"
    "      - id: b1\n"
    "        on_enter: {y: +3}\n"
    "        text: B1.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: +10}, goto: c1}\n"
    "  - id: cc\n"
    "    scenes:\n"
    "      - id: c1\n"
    "        text: C1.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: -3}, goto: end}\n"
    "          - {id: back, text: Back, once: true, goto: a2}\n"
    "      - id: end\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n";

/* A chapter's end is the state on entering the next chapter's first scene
 * (after its on_enter, as a snapshot there would record it). The chapter
 * the game ends in has no entry: the final position stands for it. */
static void test_chapter_path(void **state)
{
    (void)state;
    pack *p = tp_load_clean(CHAPTER_PACK);
    /* a1 (50,50) a2 (55,50) b1 (60,43) c1 (70,43) end (67,43) */
    game *g = play(p, "go", "go", "go", "go", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_int_equal(r.nchapters, 2);
    assert_int_equal(r.chapter[0], 0);
    assert_int_equal(r.cx[0], 60);
    assert_int_equal(r.cy[0], 43);
    assert_int_equal(r.chapter[1], 1);
    assert_int_equal(r.cx[1], 70);
    assert_int_equal(r.cy[1], 43);
    assert_int_equal(r.x, 67);
    assert_int_equal(r.y, 43);
    game_free(g);

    /* going back: every chapter left is an entry, in order, repeats included.
     * a1 a2 b1 (60,43) c1 (70,43) back a2 (70,43) b1 (75,36) c1 (85,36) end */
    g = play(p, "go", "go", "go", "back", "go", "go", "go", NULL);
    reveal_compute(&r, g, false);
    static const int want_ch[] = {0, 1, 2, 0, 1};
    static const int32_t want_x[] = {60, 70, 70, 75, 85}, want_y[] = {43, 43, 43, 36, 36};
    assert_int_equal(r.nchapters, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r.chapter[i], want_ch[i]);
        assert_int_equal(r.cx[i], want_x[i]);
        assert_int_equal(r.cy[i], want_y[i]);
    }
    assert_int_equal(r.x, 82);
    assert_int_equal(r.y, 36);
    game_free(g);

    /* a game in progress: the position so far, and no search */
    g = play(p, "go", "go", NULL);
    reveal_compute(&r, g, true);
    assert_true(r.ok);
    assert_int_equal(r.x, 60);
    assert_int_equal(r.y, 43);
    assert_int_equal(r.nchapters, 1);
    assert_false(r.searched);
    game_free(g);
    pack_free(p);
}

/* ---- moments ----------------------------------------------------------------- */

/* A linear pack of n scenes, scene i with one choice moving x by dx[i] and
 * y by dy[i]. The caller frees the YAML. */
static char *linear_yaml(const int *dx, const int *dy, int n)
{
    buf b = BUF_INIT;
    buf_puts(&b, TP_HEAD
             "state:\n"
             "  dimensions:\n"
             "    x: {min: 0, max: 100, start: 50}\n"
             "    y: {min: 0, max: 100, start: 50}\n"
             "chapters:\n"
             "  - id: c\n"
             "    scenes:\n");
    for (int i = 0; i < n; i++) {
        buf_printf(&b, "      - id: s%d\n        text: S.\n        choices:\n"
                       "          - id: go\n            text: Go\n",
                   i);
        if (dx[i] || dy[i]) {
            buf_puts(&b, "            effects:\n");
            if (dx[i])
                buf_printf(&b, "              x: %+d\n", dx[i]);
            if (dy[i])
                buf_printf(&b, "              y: %+d\n", dy[i]);
        }
        if (i + 1 < n)
            buf_printf(&b, "            goto: s%d\n", i + 1);
        else
            buf_puts(&b, "            goto: end\n");
    }
    buf_puts(&b, "      - id: end\n        ending: {}\n        text: End.\n"
                 "reveal:\n  x: x\n  y: y\n");
    char *s = xstrdup(b.data);
    buf_free(&b);
    return s;
}

/* Plays the linear pack to its end. */
static game *play_linear(const pack *p)
{
    game *g = game_new(p);
    game_start(g, 7, NULL);
    while (!game_over(g))
        assert_int_equal(game_choose(g, game_scene(g)->choices[0]), GAME_OK);
    return g;
}

static void expect_moments(const reveal_moment *m, int n, const size_t *step, const int32_t *delta, int want)
{
    assert_int_equal(n, want);
    for (int i = 0; i < want; i++) {
        if (m[i].step != step[i] || m[i].delta != delta[i])
            fail_msg("moment %d: step %zu delta %d, want step %zu delta %d", i, m[i].step, (int)m[i].delta,
                     step[i], (int)delta[i]);
    }
}

static void test_moments(void **state)
{
    (void)state;
    /* x: +3 -10 +1 +7 -2 +5, then a step that moves only y */
    static const int dx[] = {3, -10, 1, 7, -2, 5, 0}, dy[] = {0, 0, 20, 0, 0, 0, -5};
    char *yaml = linear_yaml(dx, dy, 7);
    pack *p = tp_load_clean(yaml);
    game *g = play_linear(p);
    reveal r;
    reveal_compute(&r, g, false);
    assert_int_equal(r.x, 54);
    assert_int_equal(r.y, 65);
    static const size_t sx[] = {1, 3, 5, 0, 4};
    static const int32_t vx[] = {-10, 7, 5, 3, -2};
    expect_moments(r.mx, r.nmx, sx, vx, REVEAL_MOMENTS); /* the +1 is left out */
    static const size_t sy[] = {2, 6};
    static const int32_t vy[] = {20, -5};
    expect_moments(r.my, r.nmy, sy, vy, 2); /* steps that did not move y are not moments */
    game_free(g);
    pack_free(p);
    free(yaml);

    /* ties of magnitude keep the earlier step first; the sixth 4 is left out */
    static const int tx[] = {4, -4, 4, 2, -4, 4, 4}, ty[] = {0, 0, 0, 0, 0, 0, 0};
    yaml = linear_yaml(tx, ty, 7);
    p = tp_load_clean(yaml);
    g = play_linear(p);
    reveal_compute(&r, g, false);
    static const size_t st[] = {0, 1, 2, 4, 5};
    static const int32_t vt[] = {4, -4, 4, -4, 4};
    expect_moments(r.mx, r.nmx, st, vt, REVEAL_MOMENTS);
    assert_int_equal(r.nmy, 0);
    game_free(g);
    pack_free(p);
    free(yaml);

    /* a moment is the change the step made, after clamping at the bound */
    static const int cx[] = {30, 40, -5}, cy[] = {0, 0, 0};
    yaml = linear_yaml(cx, cy, 3);
    p = tp_load_clean(yaml);
    g = play_linear(p); /* 50 -> 80 -> 100 (clamped) -> 95 */
    reveal_compute(&r, g, false);
    static const size_t sc[] = {0, 1, 2};
    static const int32_t vc[] = {30, 20, -5};
    expect_moments(r.mx, r.nmx, sc, vc, 3);
    game_free(g);
    pack_free(p);
    free(yaml);
}

/* ---- the nearest-path search ------------------------------------------------- */

/* Six scenes, each with "up" (a different amount per scene) and "down"
 * (-10). From x = 100, all "down" ends at 40; turning scene i's "down"
 * into "up" gains 20, 50, 20, 45, 20, 40 for s1..s6. */
static char *search_yaml(int goal)
{
    static const int up[] = {10, 40, 10, 35, 10, 30};
    buf b = BUF_INIT;
    buf_printf(&b, TP_HEAD
               "state:\n"
               "  dimensions:\n"
               "    x: {min: 0, max: 300, start: 100}\n"
               "    y: {min: 0, max: 100, start: 50}\n"
               "styles:\n"
               "  low: {label: Low, when: x < 100}\n"
               "  high: {label: High, when: x >= 100}\n"
               "outcomes:\n"
               "  goal: {label: Reached, when: x >= %d}\n"
               "chapters:\n"
               "  - id: c\n"
               "    scenes:\n",
               goal);
    for (int i = 1; i <= 6; i++) {
        char next[8];
        snprintf(next, sizeof next, i < 6 ? "s%d" : "end", i + 1);
        buf_printf(&b,
                   "      - id: s%d\n        title: Scene %d\n        text: S.\n        choices:\n"
                   "          - {id: up, text: Up %d, effects: {x: +%d}, goto: %s}\n"
                   "          - {id: down, text: Down %d, effects: {x: -10}, goto: %s}\n",
                   i, i, i, up[i - 1], next, i, next);
    }
    buf_puts(&b, "      - id: end\n        ending: {}\n        text: End.\n"
                 "reveal:\n  x: x\n  y: y\n  goal: goal\n  secure_style: high\n");
    char *s = xstrdup(b.data);
    buf_free(&b);
    return s;
}

static void expect_change(const reveal *r, int i, const char *scene, const char *was, const char *instead)
{
    assert_true(i < r->nchanges);
    const reveal_change *c = &r->change[i];
    assert_string_equal(c->scene->id, scene);
    if (was) {
        assert_non_null(c->was);
        assert_string_equal(c->was->id, was);
        assert_ptr_equal(c->was->scene, c->scene);
    } else {
        assert_null(c->was);
    }
    assert_non_null(c->instead);
    assert_string_equal(c->instead->id, instead);
    assert_ptr_equal(c->instead->scene, c->scene);
}

/* From 40 the goal x >= 160 needs a gain of 120: no two scenes give it
 * (50 + 45 = 95), and of three only s2, s4, s6 (135; the next best three
 * give 115). */
static void test_search_to_goal(void **state)
{
    (void)state;
    char *yaml = search_yaml(160);
    pack *p = tp_load(yaml);
    game *g = play(p, "down", "down", "down", "down", "down", "down", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_int_equal(r.x, 40);
    assert_int_equal(r.style, style_of(p, "low"));
    assert_true(r.searched);
    assert_true(r.toward_goal);
    assert_true(r.found);
    assert_int_equal(r.nchanges, 3);
    expect_change(&r, 0, "s2", "down", "up");
    expect_change(&r, 1, "s4", "down", "up");
    expect_change(&r, 2, "s6", "down", "up");
    assert_non_null(r.alt_ending);
    assert_string_equal(r.alt_ending->id, "end");
    assert_int_equal(r.alt_style, style_of(p, "high")); /* x = 175 */
    assert_true(r.search_ms >= 0);
    game_free(g);
    pack_free(p);
    free(yaml);
}

/* up in s1..s4, down in s5 and s6: x = 175, in the secure style (>= 100).
 * Leaving it needs a loss of 76: no single change does (s2 loses 50), and
 * of pairs only s2 and s4 (95; s2 with s1 or s3 loses 70). */
static void test_search_away_from_secure(void **state)
{
    (void)state;
    char *yaml = search_yaml(160);
    pack *p = tp_load(yaml);
    game *g = play(p, "up", "up", "up", "up", "down", "down", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_int_equal(r.x, 175);
    assert_int_equal(r.style, style_of(p, "high"));
    assert_true(r.searched);
    assert_false(r.toward_goal);
    assert_true(r.found);
    assert_int_equal(r.nchanges, 2);
    expect_change(&r, 0, "s2", "up", "down");
    expect_change(&r, 1, "s4", "up", "down");
    assert_string_equal(r.alt_ending->id, "end");
    assert_int_equal(r.alt_style, style_of(p, "low")); /* x = 80 */
    game_free(g);
    pack_free(p);
    free(yaml);
}

/* x >= 250 lies within the bounds but no path reaches it (all "up" gives 235). */
static void test_search_unreachable(void **state)
{
    (void)state;
    char *yaml = search_yaml(250);
    pack *p = tp_load(yaml);
    game *g = play(p, "down", "down", "down", "down", "down", "down", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.searched);
    assert_true(r.toward_goal);
    assert_false(r.found);
    assert_int_equal(r.nchanges, 0);
    assert_null(r.alt_ending);
    assert_int_equal(r.alt_style, -1);
    /* and the rendering says so */
    buf out = BUF_INIT;
    reveal_style st = {0, false, false};
    reveal_render(&r, &st, &out);
    assert_non_null(strstr(out.data, "The nearest path to Reached"));
    assert_non_null(strstr(out.data, "No path within 16 changed choices was found"));
    buf_free(&out);
    game_free(g);
    pack_free(p);
    free(yaml);
}

/* The goal lies behind a branch the player did not take: in the unseen
 * scene the continuation picks the choice closest to the goal. */
static const char *const UNSEEN_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 0}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "styles:\n"
    "  low: {when: x < 50}\n"
    "  high: {when: x >= 50}\n"
    "outcomes:\n"
    "  goal: {when: x >= 50}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s\n"
    "        text: S.\n"
    "        choices:\n"
    "          - {id: left, text: Left, goto: l}\n"
    "          - {id: right, text: Right, goto: r}\n"
    "      - id: l\n"
    "        text: L.\n"
    "        choices:\n"
    "          - {id: stay, text: Stay, goto: end}\n"
    "          - {id: nudge, text: Nudge, effects: {x: +20}, goto: end}\n"
    "      - id: r\n"
    "        text: R.\n"
    "        choices:\n"
    "          - {id: a, text: A, effects: {x: +10}, goto: end}\n"
    "          - {id: b, text: B, effects: {x: +60}, goto: end}\n"
    "      - id: end\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  goal: goal\n"
    "  secure_style: high\n";

static void test_search_unseen_scene(void **state)
{
    (void)state;
    pack *p = tp_load_clean(UNSEEN_PACK);
    game *g = play(p, "left", "stay", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.searched);
    assert_true(r.toward_goal);
    assert_true(r.found);
    assert_int_equal(r.nchanges, 2);
    expect_change(&r, 0, "s", "left", "right");
    expect_change(&r, 1, "r", NULL, "b");
    assert_int_equal(r.alt_style, style_of(p, "high"));
    buf out = BUF_INIT;
    reveal_style st = {0, false, false};
    reveal_render(&r, &st, &out);
    assert_non_null(strstr(out.data, "2 changed choices would have ended there:"));
    assert_non_null(strstr(out.data, "at s, \"Right\" instead of \"Left\""));
    assert_non_null(strstr(out.data, "at r, \"B\" (a scene this playthrough never reached)"));
    buf_free(&out);
    game_free(g);
    pack_free(p);
}

/* Two changes on the player's own path reach the goal (a1 and a2 "hi",
 * x = 60); the detour reaches it too, but through three scenes the player
 * never saw, each of which the search counts as a changed choice (4). */
static const char *const FEWEST_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 0}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "styles:\n"
    "  low: {when: x < 50}\n"
    "  high: {when: x >= 50}\n"
    "outcomes:\n"
    "  goal: {when: x >= 50}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s\n"
    "        text: S.\n"
    "        choices:\n"
    "          - {id: stay, text: Stay, goto: a1}\n"
    "          - {id: detour, text: Detour, goto: d1}\n"
    "      - id: a1\n"
    "        text: A1.\n"
    "        choices:\n"
    "          - {id: lo, text: Lo, goto: a2}\n"
    "          - {id: hi, text: Hi, effects: {x: +30}, goto: a2}\n"
    "      - id: a2\n"
    "        text: A2.\n"
    "        choices:\n"
    "          - {id: lo, text: Lo, goto: end}\n"
    "          - {id: hi, text: Hi, effects: {x: +30}, goto: end}\n"
    "      - id: d1\n"
    "        text: D1.\n"
    "        choices:\n"
    "          - {id: rest, text: Rest, goto: d2}\n"
    "          - {id: walk, text: Walk, effects: {x: +20}, goto: d2}\n"
    "      - id: d2\n"
    "        text: D2.\n"
    "        choices:\n"
    "          - {id: rest, text: Rest, goto: d3}\n"
    "          - {id: walk, text: Walk, effects: {x: +20}, goto: d3}\n"
    "      - id: d3\n"
    "        text: D3.\n"
    "        choices:\n"
    "          - {id: rest, text: Rest, goto: end}\n"
    "          - {id: walk, text: Walk, effects: {x: +20}, goto: end}\n"
    "      - id: end\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  goal: goal\n"
    "  secure_style: high\n";

static void test_search_fewest_changes(void **state)
{
    (void)state;
    pack *p = tp_load_clean(FEWEST_PACK);
    game *g = play(p, "stay", "lo", "lo", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.found);
    assert_true(r.toward_goal);
    assert_int_equal(r.nchanges, 2);
    expect_change(&r, 0, "a1", "lo", "hi");
    expect_change(&r, 1, "a2", "lo", "hi");
    game_free(g);
    pack_free(p);
}

/* The single change closest to the goal (s1: jump, x = 90) leads
 * nowhere further; the answer is two changes on the rest of the path
 * (s2 and s3: up, x = 100), which a greedy search would miss. */
static const char *const TRAP_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 0}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "styles:\n"
    "  low: {when: x < 100}\n"
    "  high: {when: x >= 100}\n"
    "outcomes:\n"
    "  goal: {when: x >= 100}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s1\n"
    "        text: S1.\n"
    "        choices:\n"
    "          - {id: stay, text: Stay, goto: s2}\n"
    "          - {id: jump, text: Jump, effects: {x: +90}, goto: end}\n"
    "      - id: s2\n"
    "        text: S2.\n"
    "        choices:\n"
    "          - {id: stay, text: Stay, goto: s3}\n"
    "          - {id: up, text: Up, effects: {x: +50}, goto: s3}\n"
    "      - id: s3\n"
    "        text: S3.\n"
    "        choices:\n"
    "          - {id: stay, text: Stay, goto: end}\n"
    "          - {id: up, text: Up, effects: {x: +50}, goto: end}\n"
    "      - id: end\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  goal: goal\n"
    "  secure_style: high\n";

static void test_search_not_greedy(void **state)
{
    (void)state;
    pack *p = tp_load_clean(TRAP_PACK);
    game *g = play(p, "stay", "stay", "stay", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.toward_goal);
    assert_true(r.found);
    assert_int_equal(r.nchanges, 2);
    expect_change(&r, 0, "s2", "stay", "up");
    expect_change(&r, 1, "s3", "stay", "up");
    game_free(g);
    pack_free(p);
}

/* In the same round, one override reaches the goal through a branch the
 * player never saw (s: detour, then d1, d2: 3 changed choices) and
 * another on the player's path (a1: hi, 1 changed choice): the cheaper
 * wins, though the detour comes first on the path. */
static const char *const ROUND_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 0}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "styles:\n"
    "  low: {when: x < 50}\n"
    "  high: {when: x >= 50}\n"
    "outcomes:\n"
    "  goal: {when: x >= 50}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s\n"
    "        text: S.\n"
    "        choices:\n"
    "          - {id: stay, text: Stay, goto: a1}\n"
    "          - {id: detour, text: Detour, goto: d1}\n"
    "      - id: a1\n"
    "        text: A1.\n"
    "        choices:\n"
    "          - {id: lo, text: Lo, goto: end}\n"
    "          - {id: hi, text: Hi, effects: {x: +60}, goto: end}\n"
    "      - id: d1\n"
    "        text: D1.\n"
    "        choices:\n"
    "          - {id: rest, text: Rest, goto: d2}\n"
    "          - {id: walk, text: Walk, effects: {x: +30}, goto: d2}\n"
    "      - id: d2\n"
    "        text: D2.\n"
    "        choices:\n"
    "          - {id: rest, text: Rest, goto: end}\n"
    "          - {id: walk, text: Walk, effects: {x: +30}, goto: end}\n"
    "      - id: end\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  goal: goal\n"
    "  secure_style: high\n";

static void test_search_cheapest_in_round(void **state)
{
    (void)state;
    pack *p = tp_load_clean(ROUND_PACK);
    game *g = play(p, "stay", "lo", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.found);
    assert_int_equal(r.nchanges, 1);
    expect_change(&r, 0, "a1", "lo", "hi");
    game_free(g);
    pack_free(p);
}

/* The default story, seed 5, always the first choice shown and enabled. */

static void test_search_default_story(void **state)
{
    (void)state;
    pack *p;
    game *g = tp_play_default(&p);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.ok);
    assert_true(r.searched);
    assert_true(r.found);
    assert_true(r.nchanges >= 1 && r.nchanges <= REVEAL_MAX_CHANGES);
    assert_non_null(r.alt_ending);
    assert_true(r.alt_ending->ending);
    /* The issue's budget is one second on a normal build; under valgrind
     * (the "valgrind" label sets IWM_SLOW) everything runs 20-50 times
     * slower, so only correctness is checked there. */
    if (r.search_ms >= 1000 && !getenv("IWM_SLOW"))
        fail_msg("the search took %.1f ms", r.search_ms);
    for (int i = 0; i < r.nchanges; i++) {
        assert_non_null(r.change[i].instead);
        assert_ptr_equal(r.change[i].instead->scene, r.change[i].scene);
        assert_true(r.change[i].was != r.change[i].instead);
    }
    /* the direction follows the ending's style; away from the secure
     * style, the alternative ends outside it */
    assert_int_equal(r.toward_goal, r.style != p->reveal.secure_style);
    if (!r.toward_goal)
        assert_true(r.alt_style != p->reveal.secure_style);
    game_free(g);
    pack_free(p);
}

/* ---- the text map ------------------------------------------------------------ */

/* Known prototypes and a path: o at the snapshot (20, 80), 1 at the end of
 * chapter two (40, 60), @ at the end: (30, 10) by "low", (47, 70) by
 * "edge". */
static const char *const MAP_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {label: Distance, min: 0, max: 100, start: 50}\n"
    "    y: {label: Worry, min: 0, max: 100, start: 50}\n"
    "styles:\n"
    "  ll: {label: Secure, when: x < 50 and y < 50}\n"
    "  hl: {label: Dismissing, when: x >= 50 and y < 50}\n"
    "  lh: {label: Preoccupied, when: x < 50 and y >= 50}\n"
    "  hh: {label: Fearful-avoidant, when: x >= 50 and y >= 50}\n"
    "outcomes:\n"
    "  fell: {label: Fell Far, when: y < 50}\n"
    "  stayed: {label: Stayed High, when: y >= 50}\n"
    "  moved: {label: Moved On, when: x != dusk.x}\n"
    "chapters:\n"
    "  - id: one\n"
    "    title: One\n"
    "    scenes:\n"
    "      - id: a\n"
    "        text: A.\n"
    "        choices:\n"
    "          - {id: go, text: Go on., effects: {x: \"=20\", y: \"=80\"}, goto: b}\n"
    "  - id: two\n"
    "    title: Two\n"
    "    scenes:\n"
    "      - id: b\n"
    "        title: The middle\n"
    "        snapshot: dusk\n"
    "        text: B.\n"
    "        choices:\n"
    "          - {id: go, text: Go on., effects: {x: \"=40\", y: \"=60\"}, goto: c}\n"
    "  - id: three\n"
    "    title: Three\n"
    "    scenes:\n"
    "      - id: c\n"
    "        text: C.\n"
    "        choices:\n"
    "          - {id: low, text: Sink low., effects: {x: \"=30\", y: \"=10\"}, goto: e}\n"
    "          - {id: edge, text: Stay near the edge., effects: {x: \"=47\", y: \"=70\"}, goto: e}\n"
    "      - id: e\n"
    "        ending: {title: End}\n"
    "        text: E.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  snapshot: dusk\n"
    "  cut: [50, 50]\n"
    "  between: 5\n"
    "  prototypes:\n"
    "    ll: [25, 25]\n"
    "    hl: [75, 25]\n"
    "    lh: [25, 75]\n"
    "    hh: [75, 75]\n";

typedef struct glyphs {
    const char *blank, *h, *v, *cross, *dot, *snap, *now, *tl, *tr, *bl, *br;
} glyphs;

static const glyphs ASCII_G = {" ", "-", "|", "+", ".", "o", "@", "+", "+", "+", "+"};
static const glyphs UNI_G = {" ", "\u2500", "\u2502", "\u253c", "\u00b7", "\u25cb", "\u25cf",
                             "\u250c", "\u2510", "\u2514", "\u2518"};

/* Checks the map of MAP_PACK played with "low" cell by cell: 17 rows of
 * 41 cells in a box, the y numbers on the left, the x numbers below. */
static void check_map(const char *map, const glyphs *gl)
{
    enum { W = 41, H = 17 };
    const char *want[H][W];
    /* the cut lines: x = 50 at column 20, y = 50 at row 8 */
    int mc = map_col(50, 0, 100), mr = map_row(50, 0, 100);
    assert_int_equal(mc, 20);
    assert_int_equal(mr, 8);
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
            want[r][c] = r == mr && c == mc ? gl->cross : r == mr ? gl->h : c == mc ? gl->v : gl->blank;
    /* labels 3 rows beyond each prototype, centred on its column, cut at
     * the first '-': (25,25) at row 12 -> 15, (75,75) at row 4 -> 1 */
    static const struct {
        const char *s;
        int row, col;
    } labels[] = {{"Secure", 15, 7}, {"Dismissing", 15, 25}, {"Preoccupied", 1, 5}, {"Fearful", 1, 27}};
    static char chars[4][16][2];
    for (int i = 0; i < 4; i++)
        for (int k = 0; labels[i].s[k]; k++) {
            chars[i][k][0] = labels[i].s[k];
            chars[i][k][1] = '\0';
            want[labels[i].row][labels[i].col + k] = chars[i][k];
        }
    /* the path o (3,8) -> 1 (6,16) -> @ (14,12), dots rounded half away
     * from zero */
    static const int dots[][2] = {{3, 9},  {4, 10}, {4, 11}, {5, 12}, {5, 13}, {5, 14},  {6, 15},
                                  {7, 15}, {8, 15}, {9, 14}, {10, 14}, {11, 13}, {12, 13}, {13, 12}};
    for (size_t i = 0; i < sizeof dots / sizeof dots[0]; i++)
        want[dots[i][0]][dots[i][1]] = gl->dot;
    assert_int_equal(map_row(80, 0, 100), 3);
    assert_int_equal(map_col(20, 0, 100), 8);
    assert_int_equal(map_row(60, 0, 100), 6);
    assert_int_equal(map_col(40, 0, 100), 16);
    assert_int_equal(map_row(10, 0, 100), 14);
    assert_int_equal(map_col(30, 0, 100), 12);
    want[3][8] = gl->snap;
    want[6][16] = "1";
    want[14][12] = gl->now;

    char **lines;
    size_t n = split_lines(map, &lines);
    assert_int_equal(n, H + 3); /* top border, 17 rows, bottom border, x numbers */
    for (size_t i = 0; i < n; i++)
        if (width_of(lines[i]) != 49)
            fail_msg("line %zu is %zu columns wide: '%s'", i, width_of(lines[i]), lines[i]);
    buf b = BUF_INIT;
    buf_puts(&b, "  100 ");
    buf_puts(&b, gl->tl);
    for (int c = 0; c < W; c++)
        buf_puts(&b, gl->h);
    buf_puts(&b, gl->tr);
    assert_string_equal(lines[0], b.data);
    buf_reset(&b);
    buf_puts(&b, "    0 ");
    buf_puts(&b, gl->bl);
    for (int c = 0; c < W; c++)
        buf_puts(&b, gl->h);
    buf_puts(&b, gl->br);
    assert_string_equal(lines[H + 1], b.data);
    assert_string_equal(lines[H + 2], "       0                                      100");
    for (int r = 0; r < H; r++) {
        buf_reset(&b);
        buf_puts(&b, r == mr ? "   50 " : "      ");
        buf_puts(&b, gl->v);
        for (int c = 0; c < W; c++)
            buf_puts(&b, want[r][c]);
        buf_puts(&b, gl->v);
        if (strcmp(lines[1 + r], b.data))
            fail_msg("map row %d:\n got '%s'\nwant '%s'", r, lines[1 + r], b.data);
        /* and cell by cell by code point, as a second reading */
        char cell[8];
        cp_at(lines[1 + r], 7 + (size_t)mc, cell);
        assert_string_equal(cell, r == mr ? gl->cross : gl->v);
    }
    buf_free(&b);
    free_lines(lines, n);
}

static void test_map(void **state)
{
    (void)state;
    pack *p = tp_load_clean(MAP_PACK);
    game *g = play(p, "go", "go", "low", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_true(r.has_start);
    assert_int_equal(r.sx, 20);
    assert_int_equal(r.sy, 80);
    assert_int_equal(r.nchapters, 2); /* one (the snapshot), two */
    assert_int_equal(r.cx[1], 40);
    assert_int_equal(r.cy[1], 60);
    buf ascii = BUF_INIT, uni = BUF_INIT;
    reveal_map(&r, false, &ascii);
    check_map(ascii.data, &ASCII_G);
    for (size_t i = 0; i < ascii.len; i++)
        assert_true((unsigned char)ascii.data[i] < 0x80);
    reveal_map(&r, true, &uni);
    check_map(uni.data, &UNI_G);
    /* the same layout: the Unicode map maps back to the ASCII one */
    assert_true(utf8_valid(uni.data, uni.len, NULL));
    assert_int_equal(utf8_width(uni.data, uni.len), utf8_width(ascii.data, ascii.len));
    buf_free(&ascii);
    buf_free(&uni);
    game_free(g);
    pack_free(p);

    /* without a snapshot: no 'o', and every chapter end gets a number */
    p = tp_load_clean(CHAPTER_PACK);
    g = play(p, "go", "go", "go", "go", NULL);
    reveal_compute(&r, g, false);
    reveal_map(&r, false, &ascii);
    char **lines;
    size_t n = split_lines(ascii.data, &lines);
    assert_int_equal(n, 20);
    /* 1 at (60,43), 2 at (70,43), @ at (67,43): row 16 - lround(6.88) = 9 */
    char cell[8];
    int row = map_row(43, 0, 100);
    assert_int_equal(row, 9);
    cp_at(lines[1 + row], 7 + (size_t)map_col(60, 0, 100), cell);
    assert_string_equal(cell, "1");
    cp_at(lines[1 + row], 7 + (size_t)map_col(70, 0, 100), cell);
    assert_string_equal(cell, "2");
    cp_at(lines[1 + row], 7 + (size_t)map_col(67, 0, 100), cell);
    assert_string_equal(cell, "@");
    assert_null(strchr(ascii.data, 'o'));
    free_lines(lines, n);
    buf_free(&ascii);
    game_free(g);
    pack_free(p);
}

/* ---- sparklines ---------------------------------------------------------------- */

static const char *const SPARK_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 100, start: 0}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s1\n"
    "        text: S1.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: \"=50\"}, goto: s2}\n"
    "      - id: s2\n"
    "        text: S2.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: \"=100\"}, goto: end}\n"
    "      - id: end\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n";

static const char *const LOOP_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: 0, max: 200, start: 0}\n"
    "    y: {min: 0, max: 100, start: 50}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s\n"
    "        text: S.\n"
    "        choices:\n"
    "          - {id: step, text: Step, effects: {x: +1}, goto: s}\n"
    "          - {id: stop, text: Stop, goto: end}\n"
    "      - id: end\n"
    "        ending: {}\n"
    "        text: End.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n";

static void spark(const reveal *r, int var, int width, bool u, const char *want)
{
    buf b = BUF_INIT;
    reveal_sparkline(r, var, width, u, &b);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

static void test_sparkline(void **state)
{
    (void)state;
    pack *p = tp_load_clean(SPARK_PACK);
    game *g = play(p, "go", "go", NULL);
    reveal r;
    reveal_compute(&r, g, false);
    int x = tp_var(p, "x"), y = tp_var(p, "y");
    /* levels (v - min) * 8 / (max - min + 1): 0 -> 0, 50 -> 3, 100 -> 7 */
    spark(&r, x, 20, false, "_~#");
    spark(&r, x, 20, true, "\u2581\u2584\u2588");
    spark(&r, y, 20, false, "~~~");
    /* narrower than the game: the first and the last state are kept */
    spark(&r, x, 2, false, "_#");
    spark(&r, x, 1, false, "_");
    spark(&r, x, 0, false, "_");
    spark(&r, x, -5, true, "\u2581");
    game_free(g);
    pack_free(p);

    /* 200 steps and a stop (202 states) squeezed into 20 cells: cell c
     * shows state c * 201 / 19 */
    p = tp_load_clean(LOOP_PACK);
    g = game_new(p);
    game_start(g, 7, NULL);
    const pk_scene *s = game_scene(g);
    for (int i = 0; i < 200; i++)
        assert_int_equal(game_choose(g, tp_choice(s, "step")), GAME_OK);
    assert_int_equal(game_choose(g, tp_choice(s, "stop")), GAME_OK);
    reveal_compute(&r, g, false);
    assert_int_equal(r.x, 200);
    x = tp_var(p, "x");
    spark(&r, x, 20, false, "___..---~~==+++**###");
    buf b = BUF_INIT;
    reveal_sparkline(&r, x, 20, true, &b);
    assert_int_equal(utf8_width(b.data, b.len), 20);
    assert_int_equal(b.len, 20 * 3);
    buf_reset(&b);
    reveal_sparkline(&r, x, 70, false, &b);
    assert_int_equal(b.len, 70);
    buf_free(&b);
    game_free(g);
    pack_free(p);
}

/* ---- the terminal reveal --------------------------------------------------------- */

static char *render_of(const reveal *r, int width, bool unicode, bool styled)
{
    buf b = BUF_INIT;
    reveal_style st = {width, unicode, styled};
    reveal_render(r, &st, &b);
    char *s = xstrdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static void test_render(void **state)
{
    (void)state;
    pack *p = tp_load_clean(MAP_PACK);

    /* "low": (30, 10), nearest Secure at sqrt(250) = 15.8, not between */
    game *g = play(p, "go", "go", "low", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_false(r.between);
    char *s = render_of(&r, 0, false, false);
    assert_null(strchr(s, '\x1b'));
    assert_non_null(strstr(s, "This is your character's position in this story, not a diagnosis of you."));
    assert_non_null(strstr(s, "The nearest prototype is Secure (distance 16)."));
    assert_null(strstr(s, "between prototypes"));
    assert_non_null(strstr(s, "Fell Far."));
    assert_non_null(strstr(s, "Moved On."));
    assert_null(strstr(s, "Stayed High"));
    assert_non_null(strstr(s, "This is where it ended: Worry 10 and Distance 30 (each from 0 to 100)."));
    assert_non_null(strstr(s, "At the end of One: Worry 80, Distance 20 (Preoccupied). Now: Worry 10, Distance 30."));
    assert_non_null(strstr(s, "the end of One"));
    assert_non_null(strstr(s, "1 Two"));
    /* the ASCII map, as reveal_map draws it */
    buf map = BUF_INIT;
    reveal_map(&r, false, &map);
    assert_non_null(strstr(s, map.data));
    buf_free(&map);
    /* the moments: y -50 at "c" moved the model most */
    assert_non_null(strstr(s, "  Worry -50 \u2014 c: \"Sink low.\"\n  Worry +30 \u2014 a: \"Go on.\"\n"));
    /* styled: the same text with SGR bold */
    char *styled = render_of(&r, 0, false, true);
    assert_non_null(strchr(styled, '\x1b'));
    assert_non_null(strstr(styled, "\x1b[1mSecure\x1b[22m"));
    free(styled);
    /* Unicode: the box-drawn map */
    char *u = render_of(&r, 0, true, false);
    reveal_map(&r, true, &map);
    assert_non_null(strstr(u, map.data));
    assert_non_null(strstr(u, "\u25cf now"));
    buf_free(&map);
    free(u);
    /* wrapped at 60 columns: no line wider than that, except the fixed map */
    char *w = render_of(&r, 60, false, false);
    char **lines;
    size_t n = split_lines(w, &lines);
    for (size_t i = 0; i < n; i++)
        if (width_of(lines[i]) > 60)
            fail_msg("line %zu is %zu columns: %s", i, width_of(lines[i]), lines[i]);
    free_lines(lines, n);
    free(w);
    free(s);
    game_free(g);

    /* "edge": (47, 70), 3 from the x line: between; nearest Preoccupied at
     * sqrt(22^2 + 5^2) = 22.6 */
    g = play(p, "go", "go", "edge", NULL);
    reveal_compute(&r, g, true);
    assert_true(r.between);
    s = render_of(&r, 0, false, false);
    assert_null(strchr(s, '\x1b'));
    assert_non_null(strstr(s, "not a diagnosis of you"));
    assert_non_null(strstr(s, "This position lies between prototypes, close to a cut-off line; the nearest is "
                              "Preoccupied (distance 23)."));
    assert_non_null(strstr(s, "Stayed High."));
    assert_non_null(strstr(s, "Moved On."));
    assert_null(strstr(s, "Fell Far"));
    free(s);
    game_free(g);
    pack_free(p);
}

/* ---- a pack without a reveal key ------------------------------------------------- */

static const char *const PLAIN_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    mood: {min: 0, max: 10, start: 5}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s\n"
    "        text: Hi.\n"
    "        choices:\n"
    "          - {id: up, text: Up., effects: {mood: +1}, goto: e}\n"
    "      - id: e\n"
    "        ending: {title: End}\n"
    "        text: Bye.\n";

static void test_no_reveal(void **state)
{
    (void)state;
    pack *p = tp_load_clean(PLAIN_PACK);
    game *g = play(p, "up", NULL);
    reveal r;
    memset(&r, 0x5a, sizeof r);
    reveal_compute(&r, g, true);
    assert_false(r.ok);
    assert_false(r.searched);
    assert_false(r.has_start);
    assert_int_equal(r.style, -1);
    assert_int_equal(r.nearest, -1);
    assert_int_equal(r.nchapters, 0);
    assert_int_equal(r.nmx, 0);
    buf b = BUF_INIT;
    buf_puts(&b, "before");
    reveal_style st = {80, true, true};
    reveal_render(&r, &st, &b);
    assert_string_equal(b.data, "before");
    reveal_map(&r, true, &b);
    assert_string_equal(b.data, "before");
    buf_free(&b);
    game_free(g);
    pack_free(p);
}

/* ---- extreme bounds ------------------------------------------------------------------ */

/* Axes as wide as an int32 allows: the loader accepts them, so the reveal
 * must draw them without overflowing. */
static const char *const WIDE_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    x: {min: -2000000000, max: 2000000000, start: 0}\n"
    "    y: {min: 0, max: 2147483647, start: 0}\n"
    "styles:\n"
    "  lo: {when: x < 0}\n"
    "  hi: {when: x >= 0}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: s\n"
    "        text: S.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {x: \"=-2000000000\"}, goto: e}\n"
    "      - id: e\n"
    "        ending: {}\n"
    "        text: E.\n"
    "reveal:\n"
    "  x: x\n"
    "  y: y\n"
    "  cut: [0, 1073741823]\n"
    "  prototypes:\n"
    "    hi: [2000000000, 0]\n";

static void test_wide_axes(void **state)
{
    (void)state;
    pack *p = tp_load_clean(WIDE_PACK);
    game *g = play(p, "go", NULL);
    reveal r;
    reveal_compute(&r, g, true);
    assert_int_equal(r.x, -2000000000);
    assert_float_equal(r.nearest_dist, 4e9, 1e-3);
    buf b = BUF_INIT;
    reveal_map(&r, false, &b);
    char **lines;
    size_t n = split_lines(b.data, &lines);
    assert_int_equal(n, 20);
    char cell[8];
    cp_at(lines[1 + 16], 7, cell); /* x = min, y = 0: bottom left */
    assert_string_equal(cell, "@");
    free_lines(lines, n);
    buf_reset(&b);
    reveal_sparkline(&r, tp_var(p, "y"), 10, false, &b);
    assert_string_equal(b.data, "__");
    buf_free(&b);
    game_free(g);
    pack_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classification),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_chapter_path),
        cmocka_unit_test(test_moments),
        cmocka_unit_test(test_search_to_goal),
        cmocka_unit_test(test_search_away_from_secure),
        cmocka_unit_test(test_search_unreachable),
        cmocka_unit_test(test_search_unseen_scene),
        cmocka_unit_test(test_search_fewest_changes),
        cmocka_unit_test(test_search_not_greedy),
        cmocka_unit_test(test_search_cheapest_in_round),
        cmocka_unit_test(test_search_default_story),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_sparkline),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_no_reveal),
        cmocka_unit_test(test_wide_axes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
