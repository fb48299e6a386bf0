/*
 * Tests for report: the four formats of one playthrough, on a small pack
 * written for the purpose (labels holding <b>&", markup, two chapters and
 * a snapshot) and on the embedded default story played with a fixed seed
 * and a fixed strategy; the strict JSON reader; the atomic write; and the
 * class summary over three reports, with the refusals it must make.
 *
 * report.c is compiled into this program with its exports renamed, so
 * that the tests can reach its static pieces (the JSON reader, the CSV
 * quoting) without report.c exporting them.
 *
 * With IWM_REPORT_HTML_OUT=FILE in the environment, the HTML report of
 * the default story is also written to FILE, and a class summary to
 * FILE.class.html, for tests/report_html.sh to render in a browser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define report_format_of t_report_format_of
#define report_render t_report_render
#define report_write t_report_write
#define report_class t_report_class
#include "report.c"

#include "game.h"
#include "reveal.h"
#include "testpack.h"

static const char *const REP_PACK =
    "format: 1\n"
    "id: rep\n"
    "title: \"Tiny <b>&\\\" story\"\n"
    "version: \"1.2\"\n"
    "start: start\n"
    "state:\n"
    "  dimensions:\n"
    "    anx: {label: \"Anxiety <b>&\\\"\", min: 0, max: 100, start: 70}\n"
    "    avo: {label: Avoidance, min: 0, max: 100, start: 70}\n"
    "  counters:\n"
    "    bids: {label: Bids, min: 0, max: 10}\n"
    "  flags:\n"
    "    met: {}\n"
    "options:\n"
    "  parent: {values: [mum, dad], default: dad}\n"
    "styles:\n"
    "  secure: {label: \"Secure <b>&\\\"\", when: anx < 50 and avo < 50, description: \"Low on **both**.\"}\n"
    "  preoccupied: {label: Preoccupied, when: anx >= 50 and avo < 50, description: High anxiety.}\n"
    "  dismissing: {label: Dismissing, when: anx < 50 and avo >= 50, description: High avoidance.}\n"
    "  fearful: {label: Fearful, when: anx >= 50 and avo >= 50, description: High on both.}\n"
    "outcomes:\n"
    "  earned:\n"
    "    label: \"Earned <b>&\\\"\"\n"
    "    description: \"Earned, *really* & truly.\"\n"
    "    when: (first.anx >= 50 or first.avo >= 50) and anx < 50 and avo < 50\n"
    "  stuck: {label: Stuck, description: Still stuck., when: anx >= 50 or avo >= 50}\n"
    "chapters:\n"
    "  - id: one\n"
    "    title: \"One <i>\"\n"
    "    scenes:\n"
    "      - id: start\n"
    "        title: \"Start & \\\"go\\\"\"\n"
    "        text: \"Hello, {parent}.\"\n"
    "        choices:\n"
    "          - id: lean\n"
    "            text: \"Lean *in* <b>&\\\"\"\n"
    "            effects: {anx: -10, bids: +1, met: true}\n"
    "            goto: mid\n"
    "          - id: pull\n"
    "            text: \"Pull away, quietly.\"\n"
    "            effects: {avo: +10}\n"
    "            goto: mid\n"
    "  - id: two\n"
    "    title: Two\n"
    "    scenes:\n"
    "      - id: mid\n"
    "        title: Middle\n"
    "        snapshot: first\n"
    "        text: Mid.\n"
    "        choices:\n"
    "          - id: trust\n"
    "            text: Trust them.\n"
    "            effects: {anx: -30, avo: -30, bids: +1}\n"
    "            goto: late\n"
    "          - id: wall\n"
    "            text: Keep the wall up.\n"
    "            effects: {avo: +10}\n"
    "            goto: late\n"
    "      - id: late\n"
    "        title: Late\n"
    "        text: Late.\n"
    "        choices:\n"
    "          - id: open\n"
    "            text: Open up.\n"
    "            effects: {anx: -10, avo: -10}\n"
    "            goto: end\n"
    "          - id: close\n"
    "            text: Close off.\n"
    "            effects: {anx: +10}\n"
    "            goto: end\n"
    "      - id: end\n"
    "        title: The end\n"
    "        ending: {title: \"Fin <b>\"}\n"
    "        text: Done.\n"
    "reveal:\n"
    "  x: avo\n"
    "  y: anx\n"
    "  snapshot: first\n"
    "  cut: [50, 50]\n"
    "  between: 5\n"
    "  prototypes:\n"
    "    secure: [25, 25]\n"
    "    preoccupied: [25, 75]\n"
    "    dismissing: [75, 25]\n"
    "    fearful: [75, 75]\n"
    "  goal: earned\n"
    "  secure_style: secure\n"
    "  debrief:\n"
    "    - \"What moved <b>&\\\"?\"\n"
    "  references:\n"
    "    - \"Someone, A. (2020). A \\\"book\\\" & <more>.\"\n";

/* The same story under another id, for report_class's refusal. */
static char *other_pack_yaml(void)
{
    const char *at = strstr(REP_PACK, "id: rep\n");
    size_t k = (size_t)(at - REP_PACK);
    char *s = xmalloc(strlen(REP_PACK) + 8);
    memcpy(s, REP_PACK, k);
    strcpy(s + k, "id: other\n");
    strcat(s, at + strlen("id: rep\n"));
    return s;
}

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

/* The default story, seed 5, always the first choice shown and enabled. */

static char *render(const game *g, report_format f, const char *name)
{
    reveal *r = xmalloc(sizeof *r);
    reveal_compute(r, g, true);
    buf b = BUF_INIT;
    t_report_render(g, r, f, name, &b);
    free(r);
    char *s = xstrdup(buf_str(&b));
    buf_free(&b);
    return s;
}

/* The member at a dotted path; "#N" steps into array item N. */
static const jval *at(const jval *v, const char *path)
{
    char key[64];
    while (v && *path) {
        size_t k = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)k, path);
        if (key[0] == '#') {
            size_t i = (size_t)atol(key + 1);
            v = v->t == J_ARR && i < v->n ? v->v[i] : NULL;
        } else {
            v = jget(v, key);
        }
        path += k + (path[k] == '.');
    }
    return v;
}

static void expect_type_at(const jval *root, const char *path, unsigned types, int line)
{
    const jval *v = at(root, path);
    if (!v)
        fail_msg("line %d: '%s' is missing", line, path);
    if (!(types & (1u << v->t)))
        fail_msg("line %d: '%s' has type %d", line, path, (int)v->t);
}

#define expect_type(root, path, types) expect_type_at((root), (path), (types), __LINE__)

static const char *str_at(const jval *root, const char *path)
{
    const jval *v = at(root, path);
    assert_non_null(v);
    assert_int_equal(v->t, J_STR);
    return v->s;
}

static long long int_at(const jval *root, const char *path)
{
    const jval *v = at(root, path);
    assert_non_null(v);
    assert_int_equal(v->t, J_NUM);
    assert_true(v->isint);
    return v->neg ? -(long long)v->u : (long long)v->u;
}

static const jval *parse_ok(const char *text, arena *a)
{
    char msg[256] = "";
    const jval *root = json_parse(text, strlen(text), a, msg, sizeof msg);
    if (!root)
        fail_msg("JSON did not parse: %s", msg);
    return root;
}

/* Every documented key of a report, with its type. */
static void check_keys(const jval *root)
{
    expect_type(root, "format", TNUM);
    expect_type(root, "generator", TSTR);
    expect_type(root, "pack", TOBJ);
    expect_type(root, "pack.id", TSTR);
    expect_type(root, "pack.title", TSTR);
    expect_type(root, "pack.version", TSTR);
    expect_type(root, "pack.hash", TSTR);
    expect_type(root, "name", TSTR | TNULL);
    expect_type(root, "seed", TNUM);
    expect_type(root, "options", TOBJ);
    expect_type(root, "steps", TNUM);
    expect_type(root, "ending", TOBJ | TNULL);
    expect_type(root, "style", TOBJ | TNULL);
    expect_type(root, "axes", TOBJ);
    static const char *const axis[] = {"name", "label", "min", "max", "value", "cut"};
    static const unsigned atype[] = {TSTR, TSTR, TNUM, TNUM, TNUM, TNUM};
    for (int i = 0; i < 6; i++) {
        char path[64];
        snprintf(path, sizeof path, "axes.x.%s", axis[i]);
        expect_type(root, path, atype[i]);
        snprintf(path, sizeof path, "axes.y.%s", axis[i]);
        expect_type(root, path, atype[i]);
    }
    expect_type(root, "prototypes", TARR);
    expect_type(root, "prototypes.#0.style", TSTR);
    expect_type(root, "prototypes.#0.x", TNUM);
    expect_type(root, "nearest", TOBJ);
    expect_type(root, "nearest.style", TSTR);
    expect_type(root, "nearest.label", TSTR);
    expect_type(root, "nearest.distance", TNUM);
    expect_type(root, "nearest.between", TBOOL);
    expect_type(root, "childhood", TOBJ);
    expect_type(root, "childhood.name", TSTR);
    expect_type(root, "childhood.snapshot", TSTR);
    expect_type(root, "childhood.x", TNUM);
    expect_type(root, "childhood.y", TNUM);
    expect_type(root, "childhood.style", TOBJ | TNULL);
    expect_type(root, "earned_security", TBOOL);
    expect_type(root, "outcomes", TARR);
    expect_type(root, "outcomes.#0.name", TSTR);
    expect_type(root, "outcomes.#0.label", TSTR);
    expect_type(root, "outcomes.#0.description", TSTR);
    expect_type(root, "note", TSTR);
    expect_type(root, "chapters", TARR);
    expect_type(root, "chapters.#0.id", TSTR);
    expect_type(root, "chapters.#0.title", TSTR);
    expect_type(root, "chapters.#0.x", TNUM);
    expect_type(root, "chapters.#0.y", TNUM);
    expect_type(root, "start_state", TOBJ);
    expect_type(root, "trajectory", TARR);
    static const char *const step[] = {"step", "chapter", "scene", "scene_title", "choice", "choice_text", "state"};
    static const unsigned stype[] = {TNUM, TSTR, TSTR, TSTR, TSTR, TSTR, TOBJ};
    const jval *tr = at(root, "trajectory");
    for (size_t i = 0; i < tr->n; i++)
        for (int k = 0; k < 7; k++) {
            const jval *v = jget(tr->v[i], step[k]);
            assert_non_null(v);
            assert_true(stype[k] & (1u << v->t));
        }
    expect_type(root, "moments", TOBJ);
    expect_type(root, "moments.x", TARR);
    expect_type(root, "moments.y", TARR);
    static const char *const mom[] = {"step", "scene", "scene_title", "choice_text", "delta"};
    static const unsigned mtype[] = {TNUM, TSTR, TSTR, TSTR, TNUM};
    const jval *ms[2] = {at(root, "moments.x"), at(root, "moments.y")};
    for (int a = 0; a < 2; a++)
        for (size_t i = 0; i < ms[a]->n; i++)
            for (int k = 0; k < 5; k++) {
                const jval *v = jget(ms[a]->v[i], mom[k]);
                assert_non_null(v);
                assert_true(mtype[k] & (1u << v->t));
            }
    expect_type(root, "path_to_earned_security", TOBJ);
    expect_type(root, "path_to_earned_security.searched", TBOOL);
    expect_type(root, "path_to_earned_security.found", TBOOL);
    expect_type(root, "path_to_earned_security.toward", TSTR | TNULL);
    expect_type(root, "path_to_earned_security.changes", TARR);
    expect_type(root, "path_to_earned_security.ending", TSTR | TNULL);
    expect_type(root, "path_to_earned_security.style", TOBJ | TNULL);
    const jval *ch = at(root, "path_to_earned_security.changes");
    for (size_t i = 0; i < ch->n; i++) {
        assert_int_equal(jget(ch->v[i], "scene")->t, J_STR);
        assert_int_equal(jget(ch->v[i], "scene_title")->t, J_STR);
        assert_true((TSTR | TNULL) & (1u << jget(ch->v[i], "was")->t));
        assert_int_equal(jget(ch->v[i], "instead")->t, J_STR);
    }
    expect_type(root, "debrief", TARR);
    expect_type(root, "references", TARR);
    const jval *lists[2] = {at(root, "debrief"), at(root, "references")};
    for (int a = 0; a < 2; a++)
        for (size_t i = 0; i < lists[a]->n; i++)
            assert_int_equal(lists[a]->v[i]->t, J_STR);
}

/* No byte that could drive a terminal or hide text: C0 controls but LF
 * (and CR, where allowed), DEL, C1, the bidi overrides. */
static void assert_no_controls(const char *s, bool cr_ok)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n' || (*p == '\r' && cr_ok))
            continue;
        if (*p < 0x20 || *p == 0x7F)
            fail_msg("control byte 0x%02x at %zu", *p, (size_t)(p - (const unsigned char *)s));
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            fail_msg("C1 control at %zu", (size_t)(p - (const unsigned char *)s));
        if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE)
            fail_msg("bidi override at %zu", (size_t)(p - (const unsigned char *)s));
    }
}

/* A fresh temporary directory; the caller removes it with rmtree. */
static char *tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = xmalloc(512);
    snprintf(dir, 512, "%s/iwm-report-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void rmtree(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

static char *slurp(const char *path)
{
    buf b = BUF_INIT;
    char err[256];
    if (read_file(path, &b, err, sizeof err) != 0)
        fail_msg("%s", err);
    char *s = xstrdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void write_report(const game *g, const char *path, const char *name)
{
    char err[256] = "";
    if (t_report_write(g, path, name, err, sizeof err) != 0)
        fail_msg("report_write: %s", err);
}

/* ---- the format --------------------------------------------------------- */

static void test_format_of(void **state)
{
    (void)state;
    assert_int_equal(t_report_format_of("a.md"), REPORT_MD);
    assert_int_equal(t_report_format_of("dir/A.MD"), REPORT_MD);
    assert_int_equal(t_report_format_of("a.json"), REPORT_JSON);
    assert_int_equal(t_report_format_of("a.Json"), REPORT_JSON);
    assert_int_equal(t_report_format_of("a.html"), REPORT_HTML);
    assert_int_equal(t_report_format_of("a.htm"), REPORT_HTML);
    assert_int_equal(t_report_format_of("a.csv"), REPORT_CSV);
    assert_int_equal(t_report_format_of("a.txt"), REPORT_UNKNOWN);
    assert_int_equal(t_report_format_of("a"), REPORT_UNKNOWN);
    assert_int_equal(t_report_format_of("a.md/b"), REPORT_UNKNOWN);
    assert_int_equal(t_report_format_of(".md.bak"), REPORT_UNKNOWN);
    assert_int_equal(t_report_format_of(NULL), REPORT_UNKNOWN);
}

/* ---- JSON --------------------------------------------------------------- */

static void test_json_small(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    game *g = play(p, "lean", "trust", "open", NULL);
    char *text = render(g, REPORT_JSON, "Ada");
    arena *a = arena_new();
    const jval *root = parse_ok(text, a);
    check_keys(root);
    assert_int_equal(int_at(root, "format"), 1);
    assert_string_equal(str_at(root, "generator"), "iwm " IWM_VERSION);
    assert_string_equal(str_at(root, "pack.id"), "rep");
    assert_string_equal(str_at(root, "pack.title"), "Tiny <b>&\" story");
    assert_string_equal(str_at(root, "pack.hash"), pack_hash(p));
    assert_string_equal(str_at(root, "name"), "Ada");
    assert_int_equal(int_at(root, "seed"), 7);
    assert_string_equal(str_at(root, "options.parent"), "dad");
    assert_int_equal(int_at(root, "steps"), 3);
    assert_string_equal(str_at(root, "ending.scene"), "end");
    assert_string_equal(str_at(root, "ending.title"), "Fin <b>");
    assert_string_equal(str_at(root, "style.name"), "secure");
    assert_string_equal(str_at(root, "style.label"), "Secure <b>&\"");
    assert_string_equal(str_at(root, "axes.x.name"), "avo");
    assert_string_equal(str_at(root, "axes.y.label"), "Anxiety <b>&\"");
    assert_int_equal(int_at(root, "axes.x.value"), 30);
    assert_int_equal(int_at(root, "axes.y.value"), 20);
    assert_int_equal(int_at(root, "axes.y.cut"), 50);
    assert_string_equal(str_at(root, "nearest.style"), "secure");
    assert_true(at(root, "nearest.distance")->num > 7.0 && at(root, "nearest.distance")->num < 7.1);
    assert_false(at(root, "nearest.between")->b);
    assert_string_equal(str_at(root, "childhood.snapshot"), "first");
    assert_string_equal(str_at(root, "childhood.name"), "One <i>");
    assert_int_equal(int_at(root, "childhood.step"), 1);
    assert_int_equal(int_at(root, "childhood.x"), 70);
    assert_int_equal(int_at(root, "childhood.y"), 60);
    assert_string_equal(str_at(root, "childhood.style.name"), "fearful");
    assert_true(at(root, "earned_security")->b);
    assert_int_equal(at(root, "outcomes")->n, 1);
    assert_string_equal(str_at(root, "outcomes.#0.name"), "earned");
    assert_string_equal(str_at(root, "outcomes.#0.description"), "Earned, *really* & truly.");
    assert_non_null(strstr(str_at(root, "note"), "not a diagnosis of you"));
    assert_int_equal(at(root, "chapters")->n, 1);
    assert_string_equal(str_at(root, "chapters.#0.id"), "one");
    /* the trajectory: the state after each step */
    const jval *tr = at(root, "trajectory");
    assert_int_equal(tr->n, 3);
    for (size_t i = 0; i < tr->n; i++) {
        const int32_t *st = game_step_state(g, i + 1);
        assert_int_equal(int_at(tr->v[i], "step"), (long long)i + 1);
        assert_int_equal(int_at(tr->v[i], "state.anx"), st[tp_var(p, "anx")]);
        assert_int_equal(int_at(tr->v[i], "state.avo"), st[tp_var(p, "avo")]);
        assert_int_equal(int_at(tr->v[i], "state.bids"), st[tp_var(p, "bids")]);
        assert_null(at(tr->v[i], "state.met")); /* flags are not traced */
        assert_null(at(tr->v[i], "state.parent"));
    }
    assert_string_equal(str_at(tr->v[0], "choice_text"), "Lean *in* <b>&\"");
    assert_string_equal(str_at(tr->v[0], "scene_title"), "Start & \"go\"");
    assert_string_equal(str_at(tr->v[0], "chapter"), "one");
    assert_int_equal(int_at(root, "start_state.anx"), 70);
    /* the biggest move on y is trust (-30) at step 2 */
    assert_int_equal(int_at(root, "moments.y.#0.step"), 2);
    assert_int_equal(int_at(root, "moments.y.#0.delta"), -30);
    /* from a secure ending, the search looks for a way out of it */
    assert_true(at(root, "path_to_earned_security.searched")->b);
    assert_string_equal(str_at(root, "path_to_earned_security.toward"), "away_from_secure");
    assert_int_equal(at(root, "debrief")->n, 1);
    assert_string_equal(str_at(root, "debrief.#0"), "What moved <b>&\"?");
    assert_string_equal(str_at(root, "references.#0"), "Someone, A. (2020). A \"book\" & <more>.");
    arena_free(a);
    free(text);

    /* no name: null; a fearful ending: the path toward the goal */
    game_free(g);
    g = play(p, "pull", "wall", "close", NULL);
    text = render(g, REPORT_JSON, NULL);
    a = arena_new();
    root = parse_ok(text, a);
    check_keys(root);
    assert_int_equal(at(root, "name")->t, J_NULL);
    assert_string_equal(str_at(root, "style.name"), "fearful");
    assert_false(at(root, "earned_security")->b);
    assert_string_equal(str_at(root, "path_to_earned_security.toward"), "goal");
    assert_true(at(root, "path_to_earned_security.found")->b);
    assert_true(at(root, "path_to_earned_security.changes")->n >= 1);
    assert_string_equal(str_at(root, "path_to_earned_security.style.name"), "secure");
    assert_string_equal(str_at(root, "path_to_earned_security.ending"), "end");
    assert_string_equal(str_at(root, "outcomes.#0.name"), "stuck");
    arena_free(a);
    free(text);
    game_free(g);
    pack_free(p);
}

static void test_json_default_story(void **state)
{
    (void)state;
    pack *p;
    game *g = tp_play_default(&p);
    char *text = render(g, REPORT_JSON, NULL);
    arena *a = arena_new();
    const jval *root = parse_ok(text, a);
    check_keys(root);
    assert_string_equal(str_at(root, "pack.id"), "working-models");
    assert_int_equal(int_at(root, "seed"), 5);
    assert_string_equal(str_at(root, "axes.x.name"), "avoidance");
    assert_string_equal(str_at(root, "axes.y.name"), "anxiety");
    assert_string_equal(str_at(root, "childhood.snapshot"), "childhood");
    assert_string_equal(str_at(root, "childhood.name"), "Childhood");
    assert_int_equal(at(root, "trajectory")->n, game_steps(g));
    assert_int_equal(int_at(root, "steps"), (long long)game_steps(g));
    assert_int_equal(at(root, "debrief")->n, p->reveal.ndebrief);
    assert_int_equal(at(root, "references")->n, p->reveal.nreferences);
    assert_int_equal(at(root, "prototypes")->n, 4);
    const jval *opts = at(root, "options");
    assert_int_equal(opts->n, 2);
    expect_type(root, "options.caregiver", TSTR);
    /* the last step's state is the final state */
    const jval *last = at(root, "trajectory")->v[game_steps(g) - 1];
    assert_int_equal(int_at(last, "state.anxiety"), game_state(g)[tp_var(p, "anxiety")]);
    assert_int_equal(int_at(root, "axes.y.value"), game_state(g)[tp_var(p, "anxiety")]);
    arena_free(a);
    free(text);
    game_free(g);
    pack_free(p);
}

/* ---- the JSON reader ---------------------------------------------------- */

static void expect_json_error(const char *text, const char *needle)
{
    char msg[256] = "";
    arena *a = arena_new();
    const jval *v = json_parse(text, strlen(text), a, msg, sizeof msg);
    arena_free(a);
    if (v)
        fail_msg("parsed, but should not: %s", text);
    if (!strstr(msg, needle))
        fail_msg("error \"%s\" does not mention \"%s\"", msg, needle);
}

static void test_json_reader(void **state)
{
    (void)state;
    arena *a = arena_new();
    const jval *v = parse_ok(" {\"a\": [1, -2.5, 1.5e2, 0, -0, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"],"
                             " \"b\": {}, \"c\": [], \"big\": 18446744073709551615, \"huge\": 18446744073709551616}\n",
                             a);
    assert_int_equal(v->t, J_OBJ);
    assert_int_equal(at(v, "a")->n, 9);
    assert_int_equal(int_at(v, "a.#0"), 1);
    assert_true(at(v, "a.#1")->num == -2.5);
    assert_false(at(v, "a.#1")->isint);
    assert_true(at(v, "a.#2")->num == 150);
    assert_int_equal(at(v, "a.#5")->t, J_BOOL);
    assert_true(at(v, "a.#5")->b);
    assert_int_equal(at(v, "a.#7")->t, J_NULL);
    assert_string_equal(str_at(v, "a.#8"), "x\xc3\xa9\xf0\x9f\x98\x80\n");
    assert_int_equal(at(v, "b")->t, J_OBJ);
    assert_int_equal(at(v, "c")->n, 0);
    assert_true(at(v, "big")->isint);
    assert_true(at(v, "big")->u == UINT64_MAX);
    assert_false(at(v, "huge")->isint);
    arena_free(a);

    expect_json_error("", "byte offset 0 (line 1, column 1)");
    expect_json_error("{\"a\": 1,}", "trailing comma");
    expect_json_error("[1, 2,]", "trailing comma");
    expect_json_error("{\"a\": 1, \"a\": 2}", "duplicate key");
    expect_json_error("{\"a\": 01}", "leading zero");
    expect_json_error("{\"a\": 1.}", "decimal point");
    expect_json_error("{\"a\": .5}", "expected a value");
    expect_json_error("{\"a\": \"x\ty\"}", "control character");
    expect_json_error("{\"a\": \"\\ud800\"}", "lone surrogate");
    expect_json_error("{\"a\": \"\\u0000\"}", "\\u0000");
    expect_json_error("{\"a\": \"\\q\"}", "invalid escape");
    expect_json_error("{\"a\": \"\xff\"}", "invalid UTF-8");
    expect_json_error("{\"a\": \"abc", "unterminated");
    expect_json_error("{\"a\": tru}", "expected a value");
    expect_json_error("{\"a\": 1} x", "after the document");
    expect_json_error("{a: 1}", "key in quotes");
    expect_json_error("{\"a\" 1}", "expected ':'");
    expect_json_error("[1 2]", "expected ',' or ']'");
    expect_json_error("// no\n{}", "expected a value");
    expect_json_error("{\n  \"a\": [1,\n  2,,\n]}", "byte offset 17 (line 3, column 5)");
    /* depth: 64 levels parse, 65 do not */
    char deep[200];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = '\0';
    a = arena_new();
    parse_ok(deep, a);
    arena_free(a);
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = '\0';
    expect_json_error(deep, "nested more than 64");
}

/* ---- CSV ---------------------------------------------------------------- */

/* Splits RFC 4180 text into rows of fields; returns the row count. */
static size_t csv_parse(const char *s, char ***rows, size_t *nfields, size_t max_rows)
{
    size_t r = 0;
    while (*s && r < max_rows) {
        size_t f = 0;
        rows[r] = xcalloc(64, sizeof(char *));
        for (;;) {
            buf field = BUF_INIT;
            if (*s == '"') {
                s++;
                for (;;) {
                    assert_true(*s != '\0');
                    if (s[0] == '"' && s[1] == '"')
                        buf_putc(&field, '"'), s += 2;
                    else if (*s == '"') {
                        s++;
                        break;
                    } else
                        buf_putc(&field, *s++);
                }
            } else {
                while (*s && *s != ',' && *s != '\r' && *s != '\n') {
                    assert_true(*s != '"');
                    buf_putc(&field, *s++);
                }
            }
            assert_true(f < 64);
            rows[r][f++] = xstrdup(buf_str(&field));
            buf_free(&field);
            if (*s == ',') {
                s++;
                continue;
            }
            assert_true(s[0] == '\r' && s[1] == '\n'); /* every record ends with CRLF */
            s += 2;
            break;
        }
        nfields[r++] = f;
    }
    return r;
}

static void free_rows(char ***rows, const size_t *nfields, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        for (size_t f = 0; f < nfields[r]; f++)
            free(rows[r][f]);
        free(rows[r]);
    }
}

static void check_csv(const game *g, const pack *p)
{
    char *text = render(g, REPORT_CSV, "Ignored name");
    assert_null(strstr(text, "Ignored name"));
    size_t steps = game_steps(g), cap = steps + 8;
    char ***rows = xcalloc(cap, sizeof *rows);
    size_t *nf = xcalloc(cap, sizeof *nf);
    size_t n = csv_parse(text, rows, nf, cap);
    assert_int_equal(n, steps + 2); /* the header, the start, one a step */
    /* the header: step,chapter,scene,choice then dimensions and counters */
    assert_string_equal(rows[0][0], "step");
    assert_string_equal(rows[0][1], "chapter");
    assert_string_equal(rows[0][2], "scene");
    assert_string_equal(rows[0][3], "choice");
    size_t col = 4;
    int cols[64];
    for (int i = 0; i < p->nvars; i++)
        if (p->vars[i].kind == V_DIM || p->vars[i].kind == V_COUNTER) {
            assert_string_equal(rows[0][col], p->vars[i].name);
            cols[col - 4] = i;
            col++;
        }
    assert_int_equal(nf[0], col);
    for (size_t r = 1; r < n; r++) {
        size_t s = r - 1; /* the row's step */
        assert_int_equal(nf[r], col);
        assert_int_equal(atol(rows[r][0]), (long)s);
        if (s == 0) {
            assert_string_equal(rows[r][1], "");
            assert_string_equal(rows[r][3], "");
        } else {
            const pk_scene *sc = game_step_scene(g, s - 1);
            assert_string_equal(rows[r][1], p->chapters[sc->chapter].id);
            assert_string_equal(rows[r][2], sc->id);
            assert_string_equal(rows[r][3], game_step_choice(g, s - 1)->id);
        }
        for (size_t c = 4; c < col; c++)
            assert_int_equal(atol(rows[r][c]), game_step_state(g, s)[cols[c - 4]]);
    }
    free_rows(rows, nf, n);
    free(rows);
    free(nf);
    free(text);
}

static void test_csv(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    game *g = play(p, "lean", "wall", "open", NULL);
    check_csv(g, p);
    game_free(g);
    pack_free(p);
    g = tp_play_default(&p);
    check_csv(g, p);
    game_free(g);
    pack_free(p);

    /* RFC 4180 quoting of a field */
    buf b = BUF_INIT;
    csv_field(&b, "a,\"b\"");
    assert_string_equal(buf_str(&b), "\"a,\"\"b\"\"\"");
    buf_reset(&b);
    csv_field(&b, "plain");
    assert_string_equal(buf_str(&b), "plain");
    buf_reset(&b);
    csv_field(&b, "two\nlines\x1b[1m");
    assert_string_equal(buf_str(&b), "two lines[1m");
    buf_free(&b);
}

/* ---- HTML and Markdown -------------------------------------------------- */

static void test_html(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    game *g = play(p, "pull", "wall", "close", NULL);
    char *html = render(g, REPORT_HTML, "Ada <script>alert(1)</script>");
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "url("));
    assert_null(strstr(html, "@import"));
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
    assert_non_null(strstr(html, "<title>Tiny &lt;b&gt;&amp;&quot; story: a playthrough report"));
    assert_non_null(strstr(html, "@media (prefers-color-scheme: dark)"));
    assert_non_null(strstr(html, "@media print"));
    assert_non_null(strstr(html, "page-break-inside: avoid"));
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "class=\"cut\""));
    assert_non_null(strstr(html, "class=\"path\""));
    assert_non_null(strstr(html, "class=\"snap\""));
    assert_non_null(strstr(html, "class=\"now\""));
    assert_non_null(strstr(html, "class=\"series s1\""));
    assert_non_null(strstr(html, "class=\"chap\""));
    /* pack text escaped everywhere; the pack's markup becomes tags */
    assert_null(strstr(html, "<b>&"));
    assert_null(strstr(html, "<i>"));
    assert_null(strstr(html, "<more>"));
    assert_non_null(strstr(html, "Secure &lt;b&gt;&amp;&quot;"));
    assert_non_null(strstr(html, "Anxiety &lt;b&gt;&amp;&quot;"));
    assert_non_null(strstr(html, "One &lt;i&gt;"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "not a diagnosis of you"));
    assert_non_null(strstr(html, "What moved &lt;b&gt;&amp;&quot;?"));
    free(html);
    game_free(g);
    /* the secure ending shows the outcome, with its markup */
    g = play(p, "lean", "trust", "open", NULL);
    html = render(g, REPORT_HTML, NULL);
    assert_non_null(strstr(html, "Earned, <em>really</em> &amp; truly."));
    assert_non_null(strstr(html, "Lean <em>in</em> &lt;b&gt;&amp;&quot;"));
    assert_non_null(strstr(html, "Low on <strong>both</strong>."));
    free(html);
    game_free(g);
    pack_free(p);
}

static void test_html_markup(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"a *b* c", "a <em>b</em> c"},
        {"**b** and *i*", "<strong>b</strong> and <em>i</em>"},
        {"**bold *both* bold**", "<strong>bold <em>both</em> bold</strong>"},
        {"**a *b** c*", "<strong>a <em>b</em></strong><em> c</em>"},
        {"lone * star", "lone * star"},
        {"2 * 3 = *six*", "2 <em> 3 = </em>six*"},
        {"**open", "**open"},
        {"<&>\"'", "&lt;&amp;&gt;&quot;&#39;"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        buf b = BUF_INIT;
        html_text(&b, cases[i][0], true);
        assert_string_equal(buf_str(&b), cases[i][1]);
        buf_free(&b);
    }
}

/* md without its fenced blocks. */
static char *outside_fences(const char *md)
{
    buf b = BUF_INIT;
    bool in = false;
    for (const char *line = md; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (!strncmp(line, "```", 3))
            in = !in;
        else if (!in)
            buf_append(&b, line, len);
        line += len;
    }
    char *s = xstrdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static void test_markdown(void **state)
{
    (void)state;
    buf e = BUF_INIT;
    md_text(&e, "# a & b &copy; &#9; [x](y) `c` <i> | _u_ \\ **kept**");
    assert_string_equal(buf_str(&e), "\\# a & b &amp;copy; &amp;#9; \\[x\\](y) \\`c\\` &lt;i&gt; \\| \\_u\\_ \\\\ **kept**");
    buf_free(&e);
    pack *p = tp_load_clean(REP_PACK);
    game *g = play(p, "lean", "trust", "open", NULL);
    char *md = render(g, REPORT_MD, "Ada");
    assert_non_null(strstr(md, "# Tiny &lt;b&gt;&\" story: a playthrough report"));
    assert_non_null(strstr(md, "**Name:** Ada"));
    assert_non_null(strstr(md, "**Seed:** 7"));
    /* the text map, line for line */
    reveal r;
    reveal_compute(&r, g, true);
    buf map = BUF_INIT;
    reveal_map(&r, true, &map);
    assert_true(map.len > 100);
    assert_non_null(strstr(md, "```text\n"));
    char *line = strtok(map.data, "\n");
    for (; line; line = strtok(NULL, "\n"))
        if (!strstr(md, line))
            fail_msg("map line missing: %s", line);
    buf_free(&map);
    assert_non_null(strstr(md, "\u25cb the end of One <i>")); /* in the fence: raw */
    assert_non_null(strstr(md, "The nearest prototype is **Secure &lt;b&gt;&\"** (distance 7)."));
    assert_non_null(strstr(md, "**Earned &lt;b&gt;&\".** Earned, *really* & truly."));
    assert_non_null(strstr(md, "## The moments that moved the model most"));
    assert_non_null(strstr(md, "- Anxiety &lt;b&gt;&\" -30 \u2014 *Middle*: \"Trust them.\" (choice 2)"));
    assert_non_null(strstr(md, "## What protected this position"));
    assert_non_null(strstr(md, "## Over the whole game"));
    assert_non_null(strstr(md, "Avoidance     \u2586\u2586\u2584\u2583 30 (0 to 100)\n")); /* a sparkline */
    assert_non_null(strstr(md, "1. What moved &lt;b&gt;&\"?"));
    assert_non_null(strstr(md, "- Someone, A. (2020). A \"book\" & &lt;more&gt;."));
    /* raw pack text appears only inside the fenced (literal) blocks */
    char *prose = outside_fences(md);
    assert_null(strstr(prose, "<b>"));
    assert_null(strstr(prose, "<i>"));
    assert_non_null(strstr(prose, "## References"));
    free(prose);
    free(md);
    game_free(g);
    pack_free(p);

    /* the default story: its map and every section */
    g = tp_play_default(&p);
    md = render(g, REPORT_MD, NULL);
    assert_null(strstr(md, "**Name:**"));
    assert_non_null(strstr(md, "\u2191 Attachment anxiety"));
    assert_non_null(strstr(md, "Attachment avoidance \u2192"));
    assert_non_null(strstr(md, "## Then and now"));
    assert_non_null(strstr(md, "## Questions for discussion"));
    assert_non_null(strstr(md, "## References"));
    free(md);
    game_free(g);
    pack_free(p);
}

/* The not-a-diagnosis sentence is the terminal's, word for word, in the
 * formats that carry prose (CSV is data only). */
static void test_note_everywhere(void **state)
{
    (void)state;
    pack *p;
    game *g = tp_play_default(&p);
    reveal r;
    reveal_compute(&r, g, true);
    buf term = BUF_INIT, note = BUF_INIT;
    reveal_style st = {0, true, false};
    reveal_render(&r, &st, &term);
    diagnosis_note(&r, &note);
    size_t k = 0;
    for (size_t i = 0; i < note.len; i++)
        if (note.data[i] != '*')
            note.data[k++] = note.data[i];
    note.data[k] = '\0';
    if (!strstr(term.data, note.data))
        fail_msg("the report's note differs from the terminal's:\n%s", note.data);
    char *md = render(g, REPORT_MD, NULL), *json = render(g, REPORT_JSON, NULL), *html = render(g, REPORT_HTML, NULL);
    assert_non_null(strstr(json, note.data));
    buf want = BUF_INIT;
    diagnosis_note(&r, &want);
    assert_non_null(strstr(md, want.data));
    buf_reset(&want);
    html_text(&want, note.data, false);
    assert_non_null(strstr(html, strstr(want.data, "The lines at")));
    assert_non_null(strstr(html, "<em>This is your character&#39;s position in this story, not a diagnosis of "
                                 "you.</em>"));
    free(md);
    free(json);
    free(html);
    buf_free(&term);
    buf_free(&note);
    buf_free(&want);
    game_free(g);
    pack_free(p);
}

/* Control characters in pack text (which the loader refuses, so planted
 * here after loading) or in the name never reach a report. */
static void test_controls(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    p->styles[0]->label = "Sec\x1b[2Jure\a";
    p->styles[0]->description = "Low\x9b on \xc2\x9b both \xe2\x80\xae reversed\x7f.";
    p->outcomes[0]->description = "Earned\r\n\x1b]0;title\x07 for real.";
    p->reveal.debrief[0] = "Why\x08?";
    p->vars[tp_var(p, "anx")].label = "Anx\x1b[31m";
    game *g = play(p, "lean", "trust", "open", NULL);
    const char *name = "Al\x1b[31mex\a\xe2\x80\xae\t\x01";
    static const report_format fs[] = {REPORT_MD, REPORT_JSON, REPORT_HTML, REPORT_CSV};
    for (int i = 0; i < 4; i++) {
        char *out = render(g, fs[i], name);
        assert_no_controls(out, fs[i] == REPORT_CSV);
        if (fs[i] != REPORT_CSV)
            assert_non_null(strstr(out, "31mex"));
        free(out);
    }
    char *json = render(g, REPORT_JSON, name);
    arena *a = arena_new();
    const jval *root = parse_ok(json, a);
    assert_string_equal(str_at(root, "name"), "Al[31mex");
    assert_string_equal(str_at(root, "style.label"), "Sec[2Jure");
    arena_free(a);
    free(json);
    game_free(g);
    pack_free(p);
}

static void test_no_reveal(void **state)
{
    (void)state;
    pack *p = tp_load_clean(PLAIN_PACK);
    game *g = play(p, "up", NULL);
    char *md = render(g, REPORT_MD, NULL), *json = render(g, REPORT_JSON, NULL), *html = render(g, REPORT_HTML, NULL),
         *csv = render(g, REPORT_CSV, NULL);
    assert_non_null(strstr(md, "no `reveal` key"));
    assert_non_null(strstr(html, "<svg"));
    assert_string_equal(csv, "step,chapter,scene,choice,mood\r\n0,,,,5\r\n1,c,s,up,6\r\n");
    arena *a = arena_new();
    const jval *root = parse_ok(json, a);
    assert_int_equal(at(root, "axes")->t, J_NULL);
    assert_int_equal(at(root, "nearest")->t, J_NULL);
    assert_int_equal(at(root, "childhood")->t, J_NULL);
    assert_int_equal(at(root, "earned_security")->t, J_NULL);
    assert_int_equal(at(root, "path_to_earned_security.toward")->t, J_NULL);
    assert_int_equal(at(root, "trajectory")->n, 1);
    arena_free(a);
    free(md);
    free(json);
    free(html);
    free(csv);
    game_free(g);
    pack_free(p);
}

/* A game in progress (a report from a save mid-story). */
static void test_in_progress(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    game *g = play(p, "lean", NULL);
    char *md = render(g, REPORT_MD, NULL), *json = render(g, REPORT_JSON, NULL), *html = render(g, REPORT_HTML, NULL);
    assert_non_null(strstr(md, "**In progress:** 1 choice so far."));
    assert_non_null(strstr(html, "in progress"));
    arena *a = arena_new();
    const jval *root = parse_ok(json, a);
    check_keys(root);
    assert_int_equal(at(root, "ending")->t, J_NULL);
    assert_false(at(root, "path_to_earned_security.searched")->b);
    arena_free(a);
    free(md);
    free(json);
    free(html);
    game_free(g);

    /* not a single choice yet: no snapshot, no moments */
    g = play(p, NULL);
    static const report_format fs[] = {REPORT_MD, REPORT_JSON, REPORT_HTML, REPORT_CSV};
    for (int i = 0; i < 4; i++) {
        char *out = render(g, fs[i], NULL);
        assert_true(strlen(out) > 20);
        if (fs[i] == REPORT_JSON) {
            a = arena_new();
            root = parse_ok(out, a);
            assert_int_equal(at(root, "childhood")->t, J_NULL);
            assert_int_equal(at(root, "trajectory")->n, 0);
            assert_int_equal(at(root, "moments.x")->n, 0);
            arena_free(a);
        }
        free(out);
    }
    game_free(g);
    pack_free(p);
}

/* ---- writing ------------------------------------------------------------ */

static void test_write(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    game *g = play(p, "lean", "trust", "open", NULL);
    char *dir = tmpdir(), path[600], err[256];
    static const char *const ext[] = {"md", "json", "html", "csv"};
    static const report_format fs[] = {REPORT_MD, REPORT_JSON, REPORT_HTML, REPORT_CSV};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/r.%s", dir, ext[i]);
        spit(path, "old contents");
        write_report(g, path, "Ada");
        char *want = render(g, fs[i], "Ada"), *got = slurp(path);
        assert_string_equal(got, want);
        free(want);
        free(got);
    }
    /* nothing else is left behind */
    snprintf(path, sizeof path, "test \"$(ls -A '%s' | wc -l)\" -eq 4", dir);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof path, "%s/r.txt", dir);
    assert_int_equal(t_report_write(g, path, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "r.txt"));
    assert_non_null(strstr(err, ".md, .json, .html or .csv"));
    snprintf(path, sizeof path, "%s/no/such/dir/r.md", dir);
    assert_int_equal(t_report_write(g, path, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "no/such/dir/r.md"));
    assert_non_null(strstr(err, "No such file"));
    rmtree(dir);
    game_free(g);
    pack_free(p);
}

/* ---- the class summary -------------------------------------------------- */

static void test_class(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    char *dir = tmpdir(), a[600], b[600], c[600], out[600], err[512];
    snprintf(a, sizeof a, "%s/ada.json", dir);
    snprintf(b, sizeof b, "%s/b.json", dir);
    snprintf(c, sizeof c, "%s/c.json", dir);
    game *g = play(p, "lean", "trust", "open", NULL); /* secure, earned */
    write_report(g, a, "Ada <b>");
    game_free(g);
    g = play(p, "pull", "wall", "close", NULL); /* fearful, stuck */
    write_report(g, b, NULL);
    game_free(g);
    g = play(p, "lean", "wall", "close", NULL); /* fearful, stuck */
    write_report(g, c, "");
    game_free(g);
    const char *const in[] = {a, b, c};

    snprintf(out, sizeof out, "%s/class.md", dir);
    err[0] = '\0';
    if (t_report_class(in, 3, out, err, sizeof err) != 0)
        fail_msg("report_class: %s", err);
    char *md = slurp(out);
    assert_non_null(strstr(md, "# Tiny &lt;b&gt;&\" story: class summary"));
    assert_non_null(strstr(md, "**Players:** 3 (Ada &lt;b&gt;, and 2 without a name)"));
    assert_non_null(strstr(md, "| Fearful | 2 (67%) |"));
    assert_non_null(strstr(md, "| Secure &lt;b&gt;&\" | 1 (33%) |"));
    assert_non_null(strstr(md, "| Stuck | 2 (67%) |"));
    assert_non_null(strstr(md, "| Earned &lt;b&gt;&\" | 1 (33%) |"));
    /* snapshot means: y (60+70+60)/3, x (70+80+70)/3; ends: y (20+80+70)/3, x (30+90+80)/3 */
    assert_non_null(strstr(md, "- Anxiety &lt;b&gt;&\": -6.7 on average (from 63.3 to 56.7)"));
    assert_non_null(strstr(md, "- Avoidance: -6.7 on average (from 73.3 to 66.7)"));
    /* every player's moments hold Middle; its choices: wall twice, trust once */
    assert_non_null(strstr(md, "### Middle\n\nA moment for 3 of 3 players.\n\n- \"Keep the wall up.\" \u2014 2\n"
                               "- \"Trust them.\" \u2014 1\n"));
    /* the scatter: the three ends, in the cells of the text grid */
    assert_non_null(strstr(md, "```text\n"));
    assert_non_null(strstr(md, "Each digit is the number of players"));
    int digits = 0;
    const char *grid = strstr(md, "```text\n");
    for (const char *q = grid + 8; q && *q && strncmp(q, "```", 3); q++)
        digits += *q == '1' && q[-1] == ' ' && (q[1] == ' ' || q[1] == '\n');
    assert_int_equal(digits, 3);
    free(md);

    snprintf(out, sizeof out, "%s/class.html", dir);
    if (t_report_class(in, 3, out, err, sizeof err) != 0)
        fail_msg("report_class: %s", err);
    char *html = slurp(out);
    assert_non_null(strstr(html, "<svg"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http"));
    assert_null(strstr(html, "<b>&"));
    assert_non_null(strstr(html, "<b>3 players</b>: Ada &lt;b&gt;, and 2 without a name"));
    assert_int_equal(0, !strstr(html, "<title>1 player: Ada &lt;b&gt;</title>"));
    free(html);

    /* without names, none is mentioned */
    snprintf(out, sizeof out, "%s/two.md", dir);
    const char *const unnamed[] = {b, c};
    assert_int_equal(t_report_class(unnamed, 2, out, err, sizeof err), 0);
    md = slurp(out);
    assert_non_null(strstr(md, "**Players:** 2  \n"));
    assert_null(strstr(md, "without a name"));
    free(md);

    /* refusals, each naming the file */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/broken.json", dir);
    spit(bad, "{\"format\": 1,\n \"pack\": {\"id\": \"rep\",}}");
    const char *const in_bad[] = {a, bad, c};
    assert_int_equal(t_report_class(in_bad, 3, out, err, sizeof err), -1);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "byte offset 36 (line 2, column 23)"));
    assert_non_null(strstr(err, "trailing comma"));

    spit(bad, "{\"format\": 2, \"pack\": {\"id\": \"rep\"}}");
    assert_int_equal(t_report_class(in_bad, 3, out, err, sizeof err), -1);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "format 2 is not supported"));

    spit(bad, "{\"format\": 1, \"pack\": {\"id\": \"rep\", \"title\": \"T\"}, \"name\": null}");
    assert_int_equal(t_report_class(in_bad, 3, out, err, sizeof err), -1);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "'style' is missing"));

    spit(bad, "[1, 2]");
    assert_int_equal(t_report_class(in_bad, 3, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "'format' is missing"));

    char *other_yaml = other_pack_yaml();
    pack *op = tp_load_clean(other_yaml);
    g = play(op, "lean", "trust", "open", NULL);
    snprintf(bad, sizeof bad, "%s/other.json", dir);
    write_report(g, bad, NULL);
    game_free(g);
    pack_free(op);
    free(other_yaml);
    const char *const in_other[] = {a, b, bad};
    assert_int_equal(t_report_class(in_other, 3, out, err, sizeof err), -1);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "pack 'other'"));
    assert_non_null(strstr(err, "pack 'rep'"));

    snprintf(bad, sizeof bad, "%s/missing.json", dir);
    const char *const in_missing[] = {bad};
    assert_int_equal(t_report_class(in_missing, 1, out, err, sizeof err), -1);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "No such file"));

    assert_int_equal(t_report_class(in, 3, "class.csv", err, sizeof err), -1);
    assert_non_null(strstr(err, ".md or .html"));
    assert_int_equal(t_report_class(in, 0, out, err, sizeof err), -1);
    /* a directory is not a report */
    const char *const in_dir[] = {dir};
    assert_int_equal(t_report_class(in_dir, 1, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a regular file"));

    rmtree(dir);
    pack_free(p);
}

/* Damaged reports (a byte replaced, or cut short) are refused with the
 * file's name, or read; never a crash. Run under the sanitizers in CI. */
static void test_class_mutations(void **state)
{
    (void)state;
    pack *p = tp_load_clean(REP_PACK);
    game *g = play(p, "lean", "wall", "open", NULL);
    char *dir = tmpdir(), good[600], bad[600], out[600], err[512];
    snprintf(good, sizeof good, "%s/good.json", dir);
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    snprintf(out, sizeof out, "%s/class.md", dir);
    write_report(g, good, "Ada");
    char *text = slurp(good);
    size_t n = strlen(text);
    static const char alphabet[] = "{}[]\",:0-9.eE+truefalsnl \\\x01\xff";
    uint64_t rng = 42;
    const char *const in[] = {good, bad};
    int refused = 0, read = 0;
    for (int k = 0; k < 400; k++) {
        char *m = xstrdup(text);
        size_t len = n;
        if (k % 5 == 4)
            len = (size_t)(game_rng(&rng) % n); /* cut short */
        else
            for (int j = 0; j < 1 + k % 3; j++)
                m[game_rng(&rng) % n] = alphabet[game_rng(&rng) % (sizeof alphabet - 1)];
        m[len] = '\0';
        spit(bad, m);
        if (t_report_class(in, 2, out, err, sizeof err) == 0) {
            read++;
        } else {
            refused++;
            if (!strstr(err, bad))
                fail_msg("the error does not name the file: %s", err);
        }
        free(m);
    }
    assert_true(refused > 100);
    assert_true(read > 0); /* some damage leaves a valid report (a digit for a digit) */
    free(text);
    rmtree(dir);
    game_free(g);
    pack_free(p);
}

/* For tests/report_html.sh: the default story's HTML report and a class
 * summary, written where IWM_REPORT_HTML_OUT says. */
static void test_html_artifact(void **state)
{
    (void)state;
    const char *path = getenv("IWM_REPORT_HTML_OUT");
    if (!path || !*path)
        skip();
    pack *p;
    game *g = tp_play_default(&p);
    write_report(g, path, "Sam Example");
    char json[1024], cls[1024], md[1024];
    snprintf(json, sizeof json, "%s.json", path);
    snprintf(md, sizeof md, "%s.md", path);
    write_report(g, json, "Sam Example");
    write_report(g, md, "Sam Example");
    /* a small class: the same story played three other ways */
    char in[3][1100];
    const char *ins[4] = {json};
    for (int k = 0; k < 3; k++) {
        game *h = game_new(p);
        game_start(h, 11 + (uint64_t)k, NULL);
        for (int n = 0; n < 2000 && !game_over(h); n++) {
            const pk_scene *sc = game_scene(h);
            int pick = -1, seen = 0;
            for (int i = 0; i < sc->nchoices; i++)
                if (game_shown(h, sc->choices[i]) && game_enabled(h, sc->choices[i]) && seen++ <= k)
                    pick = i;
            game_choose(h, sc->choices[pick]);
        }
        snprintf(in[k], sizeof in[k], "%s.%d.json", path, k);
        write_report(h, in[k], NULL);
        ins[k + 1] = in[k];
        game_free(h);
    }
    snprintf(cls, sizeof cls, "%s.class.html", path);
    char err[512];
    if (t_report_class(ins, 4, cls, err, sizeof err) != 0)
        fail_msg("%s", err);
    snprintf(cls, sizeof cls, "%s.class.md", path);
    if (t_report_class(ins, 4, cls, err, sizeof err) != 0)
        fail_msg("%s", err);
    game_free(g);
    pack_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_of),
        cmocka_unit_test(test_json_small),
        cmocka_unit_test(test_json_default_story),
        cmocka_unit_test(test_json_reader),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_html_markup),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_note_everywhere),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_no_reveal),
        cmocka_unit_test(test_in_progress),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_class),
        cmocka_unit_test(test_class_mutations),
        cmocka_unit_test(test_html_artifact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
