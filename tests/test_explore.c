/*
 * Tests for explore (exhaustive and random play-testing) and graph, on
 * tests/packs/explore/known.yaml, a pack whose state space, witnesses and
 * probabilities are worked out by hand in its header comment: the exact
 * number of states, which endings, styles and outcomes can be reached,
 * witnesses that replay through game_choose, random shares within a
 * tolerance of the exact probabilities, stability, expectations, the
 * documented JSON object (checked with a small strict JSON reader below),
 * the DOT and Mermaid graphs (and `dot -Tcanon` when Graphviz is
 * installed), and `iwm check --format json`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "explore.h"
#include "game.h"
#include "graph.h"
#include "testpack.h"

#define KNOWN IWM_SOURCE_DIR "/tests/packs/explore/known.yaml"

/* The hand counts of known.yaml (see its header). */
enum { KNOWN_STATES = 17, KNOWN_STUCK = 1, KNOWN_CHAPTERS = 2, KNOWN_EDGES = 8 };

static pack *load_known(void)
{
    diags *d = diags_new();
    pack *p = pack_load(KNOWN, d);
    if (!p) {
        diag_print(d, stderr, false);
        diags_free(d);
        fail_msg("%s did not load", KNOWN);
    }
    diags_free(d);
    return p;
}

static int style_index(const pack *p, const char *name)
{
    for (int i = 0; i < p->nstyles; i++)
        if (!strcmp(p->styles[i]->name, name))
            return i;
    fail_msg("no style '%s'", name);
    return -1;
}

static int outcome_index(const pack *p, const char *name)
{
    for (int i = 0; i < p->noutcomes; i++)
        if (!strcmp(p->outcomes[i]->name, name))
            return i;
    fail_msg("no outcome '%s'", name);
    return -1;
}

static int ending_index(const pack *p, const char *id)
{
    return tp_scene(p, id)->index;
}

/* ---- a small strict JSON reader ----------------------------------------- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jv {
    int kind;
    double num; /* J_NUM; J_BOOL: 0 or 1 */
    char *str;  /* J_STR */
    int n;      /* J_ARR, J_OBJ: items */
    char **keys; /* J_OBJ */
    struct jv *v;
} jv;

static void jv_free(jv *j)
{
    for (int i = 0; i < j->n; i++) {
        jv_free(&j->v[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->v);
    free(j->keys);
    free(j->str);
}

static const char *ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

static const char *j_value(const char *s, jv *out, int depth);

/* A string; *out receives a copy with escapes kept as '?'. */
static const char *j_string(const char *s, char **out)
{
    if (*s != '"')
        return NULL;
    s++;
    size_t n = 0;
    char *buf = malloc(strlen(s) + 1);
    while (*s != '"') {
        unsigned char c = (unsigned char)*s;
        if (c == '\0' || c < 0x20) {
            free(buf);
            return NULL;
        }
        if (c == '\\') {
            s++;
            if (*s == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i]) {
                        free(buf);
                        return NULL;
                    }
                s += 4;
                buf[n++] = '?';
            } else if (*s && strchr("\"\\/bfnrt", *s)) {
                buf[n++] = *s == '"' || *s == '\\' || *s == '/' ? *s : '?';
            } else {
                free(buf);
                return NULL;
            }
            s++;
            continue;
        }
        buf[n++] = *s++;
    }
    buf[n] = '\0';
    *out = buf;
    return s + 1;
}

static const char *j_number(const char *s, double *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    *out = strtod(s, NULL);
    return p;
}

static const char *j_items(const char *s, jv *out, int depth, bool object)
{
    char close = object ? '}' : ']';
    s = ws(s + 1);
    if (*s == close)
        return s + 1;
    for (;;) {
        out->v = realloc(out->v, (size_t)(out->n + 1) * sizeof(jv));
        memset(&out->v[out->n], 0, sizeof(jv));
        if (object) {
            out->keys = realloc(out->keys, (size_t)(out->n + 1) * sizeof(char *));
            out->keys[out->n] = NULL;
            s = j_string(ws(s), &out->keys[out->n]);
            if (!s || *(s = ws(s)) != ':') {
                out->n++;
                return NULL;
            }
            s++;
        }
        s = j_value(s, &out->v[out->n], depth + 1);
        out->n++;
        if (!s)
            return NULL;
        s = ws(s);
        if (*s == close)
            return s + 1;
        if (*s != ',')
            return NULL;
        s++;
    }
}

static const char *j_value(const char *s, jv *out, int depth)
{
    memset(out, 0, sizeof *out);
    s = ws(s);
    if (depth > 64)
        return NULL;
    if (*s == '{') {
        out->kind = J_OBJ;
        return j_items(s, out, depth, true);
    }
    if (*s == '[') {
        out->kind = J_ARR;
        return j_items(s, out, depth, false);
    }
    if (*s == '"') {
        out->kind = J_STR;
        return j_string(s, &out->str);
    }
    if (!strncmp(s, "true", 4) || !strncmp(s, "false", 5)) {
        out->kind = J_BOOL;
        out->num = s[0] == 't';
        return s + (s[0] == 't' ? 4 : 5);
    }
    if (!strncmp(s, "null", 4)) {
        out->kind = J_NULL;
        return s + 4;
    }
    out->kind = J_NUM;
    return j_number(s, &out->num);
}

/* Parses a whole document; fails the test (showing it) when it is not JSON. */
static void json_parse(const char *text, jv *out)
{
    const char *end = j_value(text, out, 0);
    if (!end || *ws(end) != '\0') {
        fprintf(stderr, "not JSON (at offset %ld):\n%s\n", end ? (long)(end - text) : -1L, text);
        jv_free(out);
        fail_msg("the output is not valid JSON");
    }
}

/* Whether text is one JSON document (for testing the reader itself). */
static bool json_ok(const char *text)
{
    jv j;
    const char *end = j_value(text, &j, 0);
    bool ok = end && *ws(end) == '\0';
    jv_free(&j);
    return ok;
}

static const jv *jget(const jv *o, const char *key)
{
    if (!o || o->kind != J_OBJ)
        return NULL;
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key))
            return &o->v[i];
    return NULL;
}

/* o[key], which must exist and have the given kind. */
static const jv *jneed_at(const char *file, int line, const jv *o, const char *key, int kind)
{
    const jv *v = jget(o, key);
    if (!v)
        fail_msg("%s:%d: no key \"%s\"", file, line, key);
    if (v->kind != kind)
        fail_msg("%s:%d: \"%s\" has the wrong JSON type", file, line, key);
    return v;
}
#define jneed(o, key, kind) jneed_at(__FILE__, __LINE__, (o), (key), (kind))

/* A JSON array of numbers equals want[0..n). */
static void assert_jints(const jv *a, const int *want, int n)
{
    assert_int_equal(a->kind, J_ARR);
    assert_int_equal(a->n, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(a->v[i].kind, J_NUM);
        assert_int_equal((int)a->v[i].num, want[i]);
    }
}

/* The reader used below accepts JSON and nothing else. */
static void json_reader_is_strict(void **state)
{
    (void)state;
    assert_true(json_ok("{\"a\": [1, -2.5e3, true, null, \"x\\\"y\\u00e9\"], \"b\": {}}"));
    assert_true(json_ok(" [] \n"));
    static const char *const bad[] = {"{\"a\": 1,}", "[1 2]", "{\"a\" 1}", "01", "\"x", "nan",
                                      "[1] [2]", "{a: 1}", "[\"tab\there\"]", "1.", "-", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (json_ok(bad[i]))
            fail_msg("the JSON reader accepts %s", bad[i]);
}

/* ---- replaying witnesses ------------------------------------------------ */

/* The choice a player numbered n sees: hidden choices take no number. */
static const pk_choice *nth_shown(const game *g, int n)
{
    const pk_scene *s = game_scene(g);
    int shown = 0;
    for (int i = 0; i < s->nchoices; i++)
        if (game_shown(g, s->choices[i]) && ++shown == n)
            return s->choices[i];
    return NULL;
}

/* Starts a game with the witness's options and takes its choices, each of
 * which must be shown and enabled. */
static game *replay(const pack *p, const int *choices, size_t len, const int *options)
{
    game *g = game_new(p);
    game_start(g, 12345, options);
    for (size_t i = 0; i < len; i++) {
        const pk_choice *c = nth_shown(g, choices[i]);
        if (!c)
            fail_msg("witness step %zu: no choice numbered %d in scene '%s'", i, choices[i],
                     game_scene(g)->id);
        assert_int_equal(game_choose(g, c), GAME_OK);
    }
    return g;
}

static void expect_witness(const pack *p, const explore *e, char kind, int index, const int *want,
                           size_t n, const char *weather)
{
    size_t len;
    const int *opts;
    const int *w = explore_witness(e, kind, index, &len, &opts);
    assert_non_null(w);
    assert_int_equal(len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(w[i], want[i]);
    int var = tp_var(p, "weather");
    assert_string_equal(p->vars[var].values[opts[var]], weather);
}

/* ---- exhaustive --------------------------------------------------------- */

static void exhaustive_counts_every_state(void **state)
{
    (void)state;
    pack *p = load_known();
    explore_opts o = {0};
    explore *e = explore_exhaustive(p, &o);
    assert_true(explore_complete(e));
    assert_int_equal(explore_states(e), KNOWN_STATES);
    assert_int_equal(explore_stuck(e), KNOWN_STUCK);
    /* Reachability, exactly: counts are 1/0 in exhaustive mode. */
    assert_int_equal(explore_ending_count(e, ending_index(p, "vault")), 1);
    assert_int_equal(explore_ending_count(e, ending_index(p, "road")), 1);
    assert_int_equal(explore_ending_count(e, ending_index(p, "treasure")), 0);
    assert_int_equal(explore_style_count(e, style_index(p, "rich")), 1);
    assert_int_equal(explore_style_count(e, style_index(p, "poor")), 1);
    assert_int_equal(explore_style_count(e, -1), 0); /* "no style" never */
    assert_int_equal(explore_outcome_count(e, outcome_index(p, "keyed")), 1);
    assert_int_equal(explore_outcome_count(e, outcome_index(p, "stormy")), 1);
    assert_int_equal(explore_outcome_count(e, outcome_index(p, "greedy")), 0);
    size_t len;
    assert_null(explore_witness(e, 'e', ending_index(p, "treasure"), &len, NULL));
    assert_null(explore_witness(e, 'o', outcome_index(p, "greedy"), &len, NULL));
    /* Stability is a random-mode measure. */
    assert_true(isnan(explore_stability(e, 0, 0)));
    explore_free(e);

    /* Fixing the option halves the space: calm alone has 7 states, storm 10. */
    int opts[8];
    for (int i = 0; i < p->nvars; i++)
        opts[i] = -1;
    opts[tp_var(p, "weather")] = 0;
    o.options = opts;
    e = explore_exhaustive(p, &o);
    assert_int_equal(explore_states(e), 7);
    assert_int_equal(explore_stuck(e), 0);
    assert_int_equal(explore_style_count(e, style_index(p, "rich")), 0);
    explore_free(e);
    opts[tp_var(p, "weather")] = 1;
    e = explore_exhaustive(p, &o);
    assert_int_equal(explore_states(e), 10);
    assert_int_equal(explore_stuck(e), 1);
    explore_free(e);

    /* A state limit below the space's size: incomplete, and says so. */
    o.options = NULL;
    o.max_states = 10;
    e = explore_exhaustive(p, &o);
    assert_false(explore_complete(e));
    assert_true(explore_states(e) <= 10);
    explore_free(e);
    pack_free(p);
}

static void exhaustive_witnesses_are_the_shortest(void **state)
{
    (void)state;
    pack *p = load_known();
    explore_opts o = {0};
    explore *e = explore_exhaustive(p, &o);
    static const int vault[] = {2, 1}, road[] = {1, 2, 1}, rich[] = {1, 1, 2, 1};
    expect_witness(p, e, 'e', ending_index(p, "vault"), vault, 2, "calm");
    expect_witness(p, e, 'e', ending_index(p, "road"), road, 3, "calm");
    expect_witness(p, e, 's', style_index(p, "poor"), vault, 2, "calm");
    expect_witness(p, e, 's', style_index(p, "rich"), rich, 4, "storm");
    expect_witness(p, e, 'o', outcome_index(p, "keyed"), vault, 2, "calm");
    expect_witness(p, e, 'o', outcome_index(p, "stormy"), vault, 2, "storm");
    explore_free(e);
    pack_free(p);
}

/* Every witness, replayed through the runtime with the shown-choice
 * numbering, ends in the ending, style or outcome it stands for. */
static void exhaustive_witnesses_replay(void **state)
{
    (void)state;
    pack *p = load_known();
    explore_opts o = {0};
    explore *e = explore_exhaustive(p, &o);
    size_t len;
    const int *opts, *w;
    int replayed = 0;
    for (int i = 0; i < p->nscenes; i++) {
        if (!p->scenes[i]->ending || !(w = explore_witness(e, 'e', i, &len, &opts)))
            continue;
        game *g = replay(p, w, len, opts);
        assert_true(game_over(g));
        assert_ptr_equal(game_scene(g), p->scenes[i]);
        game_free(g);
        replayed++;
    }
    for (int i = 0; i < p->nstyles; i++) {
        if (!(w = explore_witness(e, 's', i, &len, &opts)))
            continue;
        game *g = replay(p, w, len, opts);
        assert_true(game_over(g));
        assert_int_equal(pack_style(p, game_state(g)), i);
        game_free(g);
        replayed++;
    }
    for (int i = 0; i < p->noutcomes; i++) {
        if (!(w = explore_witness(e, 'o', i, &len, &opts)))
            continue;
        game *g = replay(p, w, len, opts);
        assert_true(game_over(g));
        assert_true(pack_outcome(p, i, game_state(g)));
        game_free(g);
        replayed++;
    }
    assert_int_equal(replayed, 2 + 2 + 2); /* vault, road; rich, poor; keyed, stormy */
    explore_free(e);
    pack_free(p);
}

/* ---- random ------------------------------------------------------------- */

#define assert_share(count, runs, p)                                                              \
    do {                                                                                          \
        double share_ = (double)(count) / (double)(runs);                                         \
        if (fabs(share_ - (p)) > 0.02)                                                            \
            fail_msg("%s: share %.4f, expected %.4f +- 0.02", #count, share_, (double)(p));       \
    } while (0)

/* With calm weather fixed there is no stuck state, and the first choice
 * (left or right, uniform) decides the ending: road 1/2, vault 1/2. */
static void random_shares_match_the_exact_probabilities(void **state)
{
    (void)state;
    pack *p = load_known();
    int opts[8];
    for (int i = 0; i < p->nvars; i++)
        opts[i] = -1;
    opts[tp_var(p, "weather")] = 0;
    explore_opts o = {.seed = 42, .runs = 10000, .options = opts};
    explore *e = explore_random(p, &o);
    size_t n = explore_runs(e);
    assert_int_equal(n, 10000);
    assert_int_equal(explore_stuck(e), 0);
    size_t road = explore_ending_count(e, ending_index(p, "road"));
    size_t vault = explore_ending_count(e, ending_index(p, "vault"));
    assert_int_equal(road + vault, n);
    assert_share(road, n, 0.5);
    assert_share(vault, n, 0.5);
    assert_int_equal(explore_ending_count(e, ending_index(p, "treasure")), 0);
    assert_int_equal(explore_style_count(e, style_index(p, "poor")), n);
    assert_int_equal(explore_style_count(e, style_index(p, "rich")), 0);
    assert_int_equal(explore_outcome_count(e, outcome_index(p, "keyed")), vault);
    assert_int_equal(explore_outcome_count(e, outcome_index(p, "stormy")), 0);

    /* The same seed gives the same playthroughs. */
    explore *again = explore_random(p, &o);
    assert_int_equal(explore_ending_count(again, ending_index(p, "road")), road);
    explore_free(again);
    explore_free(e);
    pack_free(p);
}

/* Runs body in a child process, so that a crash (or a sanitizer's abort)
 * fails this test with a message instead of ending the whole program. */
static void in_child(void (*body)(void), const char *what)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* cmocka's handlers would carry on with the next test in here. */
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT};
        for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
            signal(sigs[i], SIG_DFL);
        body();
        fflush(NULL);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("%s: the child died of signal %d", what, WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("%s: the child exited with status %d", what, WEXITSTATUS(status));
}

#define child_check(cond)                                                                         \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);                            \
            _exit(3);                                                                             \
        }                                                                                         \
    } while (0)

static bool near(size_t count, size_t runs, double p)
{
    return fabs((double)count / (double)runs - p) <= 0.02;
}

/* The whole pack at random: weather drawn too, and one playthrough in
 * eight stuck (storm, right, jump). About 1,250 stuck playthroughs. */
static void full_random_body(void)
{
    diags *d = diags_new();
    pack *p = pack_load(KNOWN, d);
    diags_free(d);
    child_check(p);
    explore_opts o = {.seed = 7, .runs = 10000};
    explore *e = explore_random(p, &o);
    size_t n = explore_runs(e);
    child_check(near(explore_ending_count(e, ending_index(p, "road")), n, 0.5));
    child_check(near(explore_ending_count(e, ending_index(p, "vault")), n, 0.375));
    child_check(explore_ending_count(e, ending_index(p, "treasure")) == 0);
    child_check(near(explore_stuck(e), n, 0.125));
    child_check(near(explore_style_count(e, style_index(p, "rich")), n, 0.125));
    child_check(near(explore_style_count(e, style_index(p, "poor")), n, 0.75));
    child_check(near(explore_outcome_count(e, outcome_index(p, "keyed")), n, 0.375));
    child_check(near(explore_outcome_count(e, outcome_index(p, "stormy")), n, 0.375));
    child_check(explore_outcome_count(e, outcome_index(p, "greedy")) == 0);
    explore_free(e);
    pack_free(p);
}

static void random_play_with_stuck_playthroughs(void **state)
{
    (void)state;
    in_child(full_random_body, "random play of known.yaml (10,000 runs, ~1,250 stuck), then explore_free");
}

/* ---- stability ---------------------------------------------------------- */

static const char *const STABLE_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    mood: {min: 0, max: 10, start: 5}\n"
    "    flat: {min: 0, max: 10, start: 3}\n"
    "chapters:\n"
    "  - id: c\n"
    "    scenes:\n"
    "      - id: a\n"
    "        text: Flat is {flat}.\n"
    "        choices:\n"
    "          - {id: low, text: Low, effects: {mood: -3}, goto: b}\n"
    "          - {id: mid, text: Mid, effects: {mood: +1}, goto: b}\n"
    "          - {id: high, text: High, effects: {mood: +4}, goto: b}\n"
    "      - id: b\n"
    "        snapshot: then\n"
    "        choices:\n"
    "          - {id: go, text: Go, goto: e}\n"
    "      - id: e\n"
    "        ending: {}\n"
    "expect:\n"
    "  checks:\n"
    "    - {stability: then.mood, min: 0.999}\n" /* holds: r = 1 */
    "    - {stability: then.mood, max: 0.5}\n"   /* fails */
    "    - {stability: then.flat, min: -1}\n";   /* fails: r is undefined */

static void stability(void **state)
{
    (void)state;
    pack *p = tp_load(STABLE_PACK);
    explore_opts o = {.seed = 3, .runs = 500};
    explore *e = explore_random(p, &o);
    int snap = tp_snap(p, "then");
    /* The final value is the snapshot's value exactly: r = 1. */
    assert_true(fabs(explore_stability(e, snap, tp_var(p, "mood")) - 1.0) < 1e-9);
    /* No variance at all: undefined. */
    assert_true(isnan(explore_stability(e, snap, tp_var(p, "flat"))));
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(explore_expectations(p, e, &o, f), 2);
    fclose(f);
    explore_free(e);

    /* One playthrough has no variance either. */
    o.runs = 1;
    e = explore_random(p, &o);
    assert_true(isnan(explore_stability(e, snap, tp_var(p, "mood"))));
    explore_free(e);
    pack_free(p);
}

/* ---- expectations ------------------------------------------------------- */

/* known.yaml declares 7 checks. Under --exhaustive: road ok, treasure FAIL,
 * rich share skip, greedy FAIL, keyed with storm ok, rich with calm FAIL,
 * stormy share skip. */
static void expectations_exhaustive(void **state)
{
    (void)state;
    pack *p = load_known();
    explore_opts o = {0};
    explore *e = explore_exhaustive(p, &o);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(explore_expectations(p, e, &o, f), 3);
    fclose(f);
    int ok = 0, fail = 0, skip = 0;
    for (const char *s = out; (s = strstr(s, "\n  ")); s++) {
        ok += !strncmp(s + 3, "ok  ", 4);
        fail += !strncmp(s + 3, "FAIL", 4);
        skip += !strncmp(s + 3, "skip", 4);
    }
    assert_int_equal(ok, 2);
    assert_int_equal(fail, 3);
    assert_int_equal(skip, 2);
    assert_non_null(strstr(out, "FAIL  ending treasure reachable"));
    assert_non_null(strstr(out, "FAIL  style rich reachable with weather=calm"));
    free(out);
    explore_free(e);
    pack_free(p);
}

/* In random play, the two share checks count too: 4 failures. The `set`
 * checks run their own explorations, one of them with storm weather
 * (a quarter of it stuck). */
static void random_expectations_body(void)
{
    diags *d = diags_new();
    pack *p = pack_load(KNOWN, d);
    diags_free(d);
    child_check(p);
    explore_opts o = {.runs = pack_expect_runs(p)};
    child_check(pack_expect_seed(p, &o.seed));
    child_check(o.runs == 10000 && o.seed == 11);
    explore *e = explore_random(p, &o);
    FILE *f = fopen("/dev/null", "w");
    int failed = explore_expectations(p, e, &o, f);
    fclose(f);
    child_check(failed == 4);
    explore_free(e);
    pack_free(p);
}

static void expectations_random(void **state)
{
    (void)state;
    in_child(random_expectations_body, "known.yaml's expectations in random play");
}

/* ---- JSON --------------------------------------------------------------- */

static const char *const EXPLORE_KEYS[] = {
    "pack", "mode", "scenes", "reachable_scenes", "choices", "covered_choices", "variants",
    "covered_variants", "endings", "styles", "outcomes", "stability", "never_reached", "stuck",
    "stuck_count", NULL};

static void check_results(const jv *map, int n)
{
    assert_int_equal(map->kind, J_OBJ);
    assert_int_equal(map->n, n);
    for (int i = 0; i < map->n; i++) {
        const jv *r = &map->v[i];
        jneed(r, "reachable", J_BOOL);
        jneed(r, "count", J_NUM);
        const jv *w = jget(r, "witness"), *opts = jget(r, "options");
        assert_non_null(w);
        assert_non_null(opts);
        assert_true(w->kind == J_ARR || w->kind == J_NULL);
        assert_true(opts->kind == J_OBJ || opts->kind == J_NULL);
        assert_int_equal(w->kind == J_NULL, r->v[0].num == 0); /* no witness exactly when unreached */
    }
}

static void json_exhaustive(void **state)
{
    (void)state;
    pack *p = load_known();
    explore_opts o = {0};
    explore *e = explore_exhaustive(p, &o);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    explore_print_json(e, f);
    fclose(f);
    jv j;
    json_parse(out, &j);
    for (int i = 0; EXPLORE_KEYS[i]; i++)
        if (!jget(&j, EXPLORE_KEYS[i]))
            fail_msg("no key \"%s\" in the exhaustive JSON", EXPLORE_KEYS[i]);
    assert_string_equal(jneed(&j, "pack", J_STR)->str, "known");
    assert_string_equal(jneed(&j, "mode", J_STR)->str, "exhaustive");
    assert_int_equal((int)jneed(&j, "states", J_NUM)->num, KNOWN_STATES);
    assert_int_equal((int)jneed(&j, "complete", J_BOOL)->num, 1);
    assert_int_equal((int)jneed(&j, "scenes", J_NUM)->num, 6);
    assert_int_equal((int)jneed(&j, "reachable_scenes", J_NUM)->num, 5);
    assert_int_equal((int)jneed(&j, "choices", J_NUM)->num, 7);
    assert_int_equal((int)jneed(&j, "covered_choices", J_NUM)->num, 6);
    assert_int_equal((int)jneed(&j, "variants", J_NUM)->num, 6);
    assert_int_equal((int)jneed(&j, "covered_variants", J_NUM)->num, 5);
    const jv *endings = jneed(&j, "endings", J_OBJ);
    check_results(endings, 3);
    check_results(jneed(&j, "styles", J_OBJ), 2);
    check_results(jneed(&j, "outcomes", J_OBJ), 3);
    const jv *vault = jneed(endings, "vault", J_OBJ);
    static const int w_vault[] = {2, 1}, w_stuck[] = {2, 2};
    assert_jints(jneed(vault, "witness", J_ARR), w_vault, 2);
    assert_string_equal(jneed(jneed(vault, "options", J_OBJ), "weather", J_STR)->str, "calm");
    assert_int_equal((int)jneed(jneed(endings, "treasure", J_OBJ), "reachable", J_BOOL)->num, 0);
    assert_int_equal(jneed(&j, "stability", J_OBJ)->n, 0);
    const jv *never = jneed(&j, "never_reached", J_OBJ);
    const jv *scenes = jneed(never, "scenes", J_ARR);
    assert_int_equal(scenes->n, 1);
    assert_string_equal(jneed(&scenes->v[0], "id", J_STR)->str, "treasure");
    assert_non_null(strstr(jneed(&scenes->v[0], "file", J_STR)->str, "known.yaml"));
    jneed(&scenes->v[0], "line", J_NUM);
    const jv *choices = jneed(never, "choices", J_ARR);
    assert_int_equal(choices->n, 1);
    assert_string_equal(jneed(&choices->v[0], "id", J_STR)->str, "grab");
    /* Variants are listed only for scenes that were reached (an unreached
     * scene's variants are implied), as in the text report. */
    assert_int_equal(jneed(never, "variants", J_ARR)->n, 0);
    const jv *stuck = jneed(&j, "stuck", J_ARR);
    assert_int_equal(stuck->n, 1);
    assert_string_equal(jneed(&stuck->v[0], "scene", J_STR)->str, "pit");
    assert_jints(jneed(&stuck->v[0], "witness", J_ARR), w_stuck, 2);
    assert_int_equal((int)jneed(&j, "stuck_count", J_NUM)->num, KNOWN_STUCK);

    /* The stuck witness replays to a scene where nothing can be taken. */
    int opts[8];
    for (int i = 0; i < p->nvars; i++)
        opts[i] = -1;
    opts[tp_var(p, "weather")] = 1;
    game *g = replay(p, w_stuck, 2, opts);
    assert_string_equal(game_scene(g)->id, "pit");
    assert_false(game_over(g));
    assert_false(game_enabled(g, game_scene(g)->choices[0]));
    game_free(g);

    jv_free(&j);
    free(out);
    explore_free(e);
    pack_free(p);
}

static void json_random(void **state)
{
    (void)state;
    pack *p = tp_load(STABLE_PACK);
    explore_opts o = {.seed = 5, .runs = 300};
    explore *e = explore_random(p, &o);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    explore_print_json(e, f);
    fclose(f);
    jv j;
    json_parse(out, &j);
    for (int i = 0; EXPLORE_KEYS[i]; i++)
        if (!jget(&j, EXPLORE_KEYS[i]))
            fail_msg("no key \"%s\" in the random JSON", EXPLORE_KEYS[i]);
    assert_string_equal(jneed(&j, "mode", J_STR)->str, "random");
    assert_int_equal((int)jneed(&j, "playthroughs", J_NUM)->num, 300);
    assert_int_equal((int)jneed(&j, "seed", J_NUM)->num, 5);
    assert_null(jget(&j, "states"));
    const jv *st = jneed(&j, "stability", J_OBJ);
    assert_true(fabs(jneed(st, "then.mood", J_NUM)->num - 1.0) < 1e-9);
    jneed(st, "then.flat", J_NULL);
    const jv *e_end = jneed(jneed(&j, "endings", J_OBJ), "e", J_OBJ);
    assert_int_equal((int)jneed(e_end, "count", J_NUM)->num, 300);
    assert_int_equal(jneed(&j, "stuck", J_ARR)->n, 0);
    assert_int_equal((int)jneed(&j, "stuck_count", J_NUM)->num, 0);
    const jv *length = jneed(&j, "length", J_OBJ);
    assert_int_equal((int)jneed(length, "min", J_NUM)->num, 2);
    assert_int_equal((int)jneed(length, "max", J_NUM)->num, 2);
    jv_free(&j);
    free(out);
    explore_free(e);
    pack_free(p);
}

/* ---- graph -------------------------------------------------------------- */

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (; (s = strstr(s, needle)); s += strlen(needle))
        n++;
    return n;
}

static char *graph_of(const pack *p, graph_format fmt, const char *chapter, int *status)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    *status = graph_write(p, fmt, chapter, f);
    fclose(f);
    return out;
}

static int goto_entries(const pack *p, int chapter)
{
    int n = 0;
    for (int i = 0; i < p->nchoices; i++)
        if (chapter < 0 || p->choices[i]->scene->chapter == chapter)
            for (const pk_goto *g = p->choices[i]->go; g; g = g->next)
                n++;
    return n;
}

static void graph_dot(void **state)
{
    (void)state;
    pack *p = load_known();
    int status;
    char *dot = graph_of(p, GRAPH_DOT, NULL, &status);
    assert_int_equal(status, 0);
    assert_int_equal(p->nchapters, KNOWN_CHAPTERS);
    assert_int_equal(count(dot, "subgraph \"cluster_"), KNOWN_CHAPTERS);
    assert_non_null(strstr(dot, "subgraph \"cluster_one\""));
    assert_non_null(strstr(dot, "subgraph \"cluster_two\""));
    assert_int_equal(goto_entries(p, -1), KNOWN_EDGES);
    assert_int_equal(count(dot, " -> "), KNOWN_EDGES);
    /* Every goto target is an edge labelled with its choice. */
    char want[256];
    for (int i = 0; i < p->nchoices; i++)
        for (const pk_goto *g = p->choices[i]->go; g; g = g->next) {
            snprintf(want, sizeof want, "\"%s\" -> \"%s\" [label=\"%s", p->choices[i]->scene->id,
                     g->scene->id, p->choices[i]->id);
            if (!strstr(dot, want))
                fail_msg("no edge %s in:\n%s", want, dot);
        }
    /* The styles: endings doubled, `if` dashed, `enabled_if` dotted, start bold. */
    assert_int_equal(count(dot, "peripheries=2"), 3);
    assert_non_null(strstr(dot, "[label=\"grab\", style=dashed]"));
    assert_non_null(strstr(dot, "[label=\"open\", style=dotted"));
    assert_non_null(strstr(dot, "\"gate\" [label=\"gate\", penwidth=2, style=\"rounded\"]"));
    assert_non_null(strstr(dot, "[label=\"climb (branch 1)\""));
    assert_non_null(strstr(dot, "[label=\"climb (otherwise)\""));
    assert_int_equal(count(dot, "fillcolor"), 0); /* every scene has a goto path */
    free(dot);

    /* One chapter: its cluster, its edges, the scenes it leads to plainly. */
    dot = graph_of(p, GRAPH_DOT, "one", &status);
    assert_int_equal(status, 0);
    assert_int_equal(count(dot, "subgraph \"cluster_"), 1);
    assert_int_equal(count(dot, " -> "), goto_entries(p, 0));
    assert_int_equal(count(dot, "shape=plain"), 3); /* vault, road, treasure */
    free(dot);
    dot = graph_of(p, GRAPH_DOT, "two", &status);
    assert_int_equal(count(dot, " -> "), 0);
    free(dot);
    dot = graph_of(p, GRAPH_DOT, "nope", &status);
    assert_int_equal(status, -1);
    free(dot);
    pack_free(p);
}

static void graph_mermaid(void **state)
{
    (void)state;
    pack *p = load_known();
    int status;
    char *m = graph_of(p, GRAPH_MERMAID, NULL, &status);
    assert_int_equal(status, 0);
    assert_int_equal(strncmp(m, "flowchart TD\n", 13), 0);
    assert_int_equal(count(m, "\n  subgraph c"), KNOWN_CHAPTERS);
    assert_int_equal(count(m, "\n  end\n"), KNOWN_CHAPTERS);
    assert_int_equal(count(m, " -->|") + count(m, " -.->|"), KNOWN_EDGES);
    /* Dashed: dig and grab (if), open and climb's two branches (enabled_if). */
    assert_int_equal(count(m, " -.->|"), 5);
    assert_int_equal(count(m, " (if)"), 2);
    assert_int_equal(count(m, " (enabled_if)"), 3);
    assert_int_equal(count(m, "([\""), 3);   /* endings are stadiums */
    assert_int_equal(count(m, " ending\n"), 3);
    assert_int_equal(count(m, " unreachable\n"), 0);
    free(m);
    m = graph_of(p, GRAPH_MERMAID, "one", &status);
    assert_int_equal(count(m, "\n  subgraph c"), 1);
    assert_int_equal(count(m, " -->|") + count(m, " -.->|"), goto_entries(p, 0));
    free(m);
    pack_free(p);
}

static void graph_marks_unreachable_scenes(void **state)
{
    (void)state;
    pack *p = tp_load(TP_HEAD "chapters:\n"
                              "  - id: c\n"
                              "    scenes:\n"
                              "      - {id: a, choices: [{id: go, text: Go, goto: z}]}\n"
                              "      - {id: lost, choices: [{id: back, text: Back, goto: a}]}\n"
                              "      - {id: z, ending: {}}\n");
    int status;
    char *dot = graph_of(p, GRAPH_DOT, NULL, &status);
    assert_non_null(strstr(dot, "\"lost\" [label=\"lost\", style=\"rounded,filled\", fillcolor=\"#f8d0d0\""));
    assert_int_equal(count(dot, "fillcolor"), 1);
    free(dot);
    char *m = graph_of(p, GRAPH_MERMAID, NULL, &status);
    assert_non_null(strstr(m, "  class s1 unreachable\n"));
    free(m);
    pack_free(p);
}

/* Graphviz accepts what we write, for known.yaml and the default story. */
static void graph_dot_parses_with_graphviz(void **state)
{
    (void)state;
    if (system("command -v dot >/dev/null 2>&1") != 0) {
        fprintf(stderr, "Graphviz (dot) is not installed: skipping\n");
        skip();
    }
    diags *d = diags_new();
    pack *packs[2] = {load_known(), pack_load_embedded(d)};
    diags_free(d);
    assert_non_null(packs[1]);
    for (int i = 0; i < 2; i++) {
        char path[] = "/tmp/iwm-test-graph-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        assert_int_equal(graph_write(packs[i], GRAPH_DOT, NULL, f), 0);
        fclose(f);
        char cmd[256];
        snprintf(cmd, sizeof cmd, "dot -Tcanon '%s' 2>&1 >/dev/null", path);
        FILE *pipe = popen(cmd, "r");
        assert_non_null(pipe);
        char err[512] = "";
        size_t n = fread(err, 1, sizeof err - 1, pipe);
        err[n] = '\0';
        int st = pclose(pipe);
        unlink(path);
        if (st != 0 || n)
            fail_msg("dot -Tcanon refused the graph of %s: %s", packs[i]->id, err);
        pack_free(packs[i]);
    }
}

/* ---- iwm check --format json -------------------------------------------- */

static char *run(const char *cmd, int *status)
{
    FILE *pipe = popen(cmd, "r");
    assert_non_null(pipe);
    size_t cap = 4096, n = 0, k;
    char *out = malloc(cap);
    while ((k = fread(out + n, 1, cap - n - 1, pipe)) > 0) {
        n += k;
        if (cap - n < 2)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    int st = pclose(pipe);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

static void check_json(const char *pack, int want_status, int want_n, const char *want_code)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' check --format json '%s' 2>/dev/null", IWM_BINARY, pack);
    int status;
    char *out = run(cmd, &status);
    assert_int_equal(status, want_status);
    jv j;
    json_parse(out, &j);
    assert_int_equal(j.kind, J_ARR);
    assert_int_equal(j.n, want_n);
    static const char *const keys[] = {"file", "line", "column", "severity", "code", "message"};
    for (int i = 0; i < j.n; i++) {
        const jv *d = &j.v[i];
        assert_int_equal(d->kind, J_OBJ);
        assert_int_equal(d->n, 6);
        for (int k = 0; k < 6; k++)
            assert_non_null(jget(d, keys[k]));
        const jv *file = jget(d, "file");
        assert_true(file->kind == J_STR || file->kind == J_NULL);
        jneed(d, "line", J_NUM);
        jneed(d, "column", J_NUM);
        const char *sev = jneed(d, "severity", J_STR)->str;
        assert_true(!strcmp(sev, "error") || !strcmp(sev, "warning"));
        jneed(d, "message", J_STR);
        if (want_code)
            assert_string_equal(jneed(d, "code", J_STR)->str, want_code);
    }
    jv_free(&j);
    free(out);
}

static void check_format_json(void **state)
{
    (void)state;
    check_json(KNOWN, 0, 0, NULL);
    check_json(IWM_SOURCE_DIR "/tests/packs/bad/unknown-key-scene.yaml", 1, 1, "unknown-key");
    check_json(IWM_SOURCE_DIR "/tests/packs/bad/several-warnings.yaml", 0, 3, NULL);
    check_json(IWM_SOURCE_DIR "/tests/packs/bad/text-unclosed-brace.yaml", 1, 1, "text-syntax");
    check_json("/nonexistent/pack", 1, 1, "file-unreadable");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_reader_is_strict),
        cmocka_unit_test(exhaustive_counts_every_state),
        cmocka_unit_test(exhaustive_witnesses_are_the_shortest),
        cmocka_unit_test(exhaustive_witnesses_replay),
        cmocka_unit_test(random_shares_match_the_exact_probabilities),
        cmocka_unit_test(stability),
        cmocka_unit_test(expectations_exhaustive),
        cmocka_unit_test(json_exhaustive),
        cmocka_unit_test(json_random),
        cmocka_unit_test(graph_dot),
        cmocka_unit_test(graph_mermaid),
        cmocka_unit_test(graph_marks_unreachable_scenes),
        cmocka_unit_test(graph_dot_parses_with_graphviz),
        cmocka_unit_test(check_format_json),
        /* Last, and each in a child process: they need many stuck
         * playthroughs freed correctly. */
        cmocka_unit_test(random_play_with_stuck_playthroughs),
        cmocka_unit_test(expectations_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
