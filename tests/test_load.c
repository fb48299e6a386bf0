/*
 * Tests for loading packs: directories and single files on disk (written to
 * a fresh temporary directory by each test), packs in memory, the embedded
 * default story and the example pack, the content hash, and the hostile
 * inputs the loader must refuse quickly and with an exact location.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* nftw */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "game.h"
#include "testpack.h"

/* A pack with one ending scene, to which tests append or substitute. */
#define MINIMAL                                                                                    \
    TP_HEAD "chapters:\n"                                                                          \
            "  - id: c\n"                                                                          \
            "    scenes:\n"                                                                        \
            "      - id: s\n"                                                                      \
            "        text: Hi.\n"                                                                  \
            "        ending: {title: E}\n"

/* ---- files on disk ------------------------------------------------------- */

/* A new empty directory; the caller removes it with rm_tree. */
static char *temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char *t = malloc(4096);
    snprintf(t, 4096, "%s/iwm-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t))
        fail_msg("mkdtemp: %s", strerror(errno));
    return t;
}

/* Writes dir/rel (n bytes of s), creating directories on the way. */
static void write_file(const char *dir, const char *rel, const char *s, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(s, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_str(const char *dir, const char *rel, const char *s)
{
    write_file(dir, rel, s, strlen(s));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static const char *const ROOT_WITH_INCLUDE = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    worry: {min: 0, max: 100, start: 40}\n"
    "start: first\n"
    "include:\n"
    "  - chapters/one.yaml\n";

static const char *const CHAPTER_ONE =
    "chapters:\n"
    "  - id: one\n"
    "    scenes:\n"
    "      - id: first\n"
    "        text: Worry {worry}.\n"
    "        choices:\n"
    "          - {id: go, text: Go, effects: {worry: +5}, goto: last}\n"
    "      - id: last\n"
    "        ending: {title: Last}\n";

static void directory_pack(void **state)
{
    (void)state;
    char *dir = temp_dir();
    write_str(dir, "pack.yaml", ROOT_WITH_INCLUDE);
    write_str(dir, "chapters/one.yaml", CHAPTER_ONE);
    diags *d = diags_new();
    pack *p = pack_load(dir, d);
    if (!p)
        tp_dump(d);
    assert_non_null(p);
    assert_int_equal(diag_count(d), 0);
    assert_string_equal(pack_id(p), "t");
    assert_string_equal(pack_title(p), "T");
    assert_string_equal(pack_version(p), "1");
    assert_int_equal(p->nscenes, 2);
    assert_ptr_equal(p->start, tp_scene(p, "first"));
    assert_true(tp_scene(p, "last")->ending);
    pack_free(p);
    diags_free(d);

    /* an error in the included file names it by its path */
    write_str(dir, "chapters/one.yaml", "chapters:\n  - id: one\n    scenes:\n      - id: first\n"
                                        "        txet: Hi\n        ending: {}\n");
    d = diags_new();
    assert_null(pack_load(dir, d));
    char want[4200];
    snprintf(want, sizeof want,
             "%s/chapters/one.yaml:5:9: error: unknown key 'txet' in a scene (did you mean "
             "'text'?) [unknown-key]",
             dir);
    assert_string_equal(diag_line(d, 0), want);
    diags_free(d);
    rm_tree(dir);
}

static void single_file_pack(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/story.yaml", dir);
    write_str(dir, "story.yaml", MINIMAL);
    diags *d = diags_new();
    pack *p = pack_load(path, d);
    assert_non_null(p);
    assert_int_equal(diag_count(d), 0);
    assert_int_equal(p->nscenes, 1);
    pack_free(p);
    diags_free(d);

    write_str(dir, "story.yaml", TP_HEAD "chapters: 3\n");
    d = diags_new();
    assert_null(pack_load(path, d));
    char want[4300];
    snprintf(want, sizeof want,
             "%s:5:11: error: 'chapters' must be a list, not a single value [wrong-type]", path);
    assert_string_equal(diag_line(d, 0), want);
    diags_free(d);

    /* a path that does not exist */
    d = diags_new();
    snprintf(path, sizeof path, "%s/nothing.yaml", dir);
    assert_null(pack_load(path, d));
    assert_int_equal(diag_errors(d), 1);
    tp_expect(d, "iwm: error: cannot read");
    tp_expect(d, "No such file or directory [file-unreadable]");
    diags_free(d);
    rm_tree(dir);
}

static void includes_in_memory(void **state)
{
    (void)state;
    const char *names[] = {"pack.yaml", "a.yaml", "b.yaml"};
    const char *files[] = {
        TP_HEAD "include: [a.yaml, b.yaml]\n"
                "chapters:\n  - id: r\n    scenes:\n      - id: root\n"
                "        choices: [{id: go, text: Go, goto: a1}]\n",
        ("chapters:\n  - id: a\n    scenes:\n      - id: a1\n"
         "        choices: [{id: go, text: Go, goto: b1}]\n"),
        "chapters:\n  - id: b\n    title: B\n    scenes:\n      - id: b1\n        ending: {}\n",
    };
    diags *d;
    pack *p = tp_load_files(names, files, 3, &d);
    if (!p)
        tp_dump(d);
    assert_non_null(p);
    assert_int_equal(p->nscenes, 3);
    assert_string_equal(p->scenes[0]->id, "root");
    assert_string_equal(p->scenes[1]->id, "a1");
    assert_string_equal(p->scenes[2]->id, "b1");
    assert_int_equal(p->nchapters, 3);
    assert_string_equal(p->chapters[2].title, "B");
    assert_int_equal(p->chapters[2].first, 2);
    pack_free(p);
    diags_free(d);

    /* a missing include is reported where it is listed */
    files[0] = TP_HEAD "include:\n  - a.yaml\n  - c.yaml\n";
    d = tp_fail_files(names, files, 3);
    tp_expect(d, "pack.yaml:7:5: error: cannot read 'c.yaml': no such file [file-unreadable]");
    diags_free(d);

    /* an included file holds chapters and nothing else */
    files[0] = TP_HEAD "include: [b.yaml]\n";
    files[1] = "x";
    files[2] = "chapters: []\nstart: s\n";
    d = tp_fail_files(names, files, 3);
    tp_expect(d, "b.yaml:2:1: error: unknown key 'start' in an included file [unknown-key]");
    diags_free(d);
}

static void embedded_story(void **state)
{
    (void)state;
    diags *d = diags_new();
    pack *p = pack_load_embedded(d);
    if (!p || diag_count(d))
        diag_print(d, stderr, false);
    assert_non_null(p);
    assert_int_equal(diag_errors(d), 0);
    assert_int_equal(diag_warnings(d), 0);
    assert_string_equal(pack_id(p), "working-models");
    assert_true(p->nscenes > 10);
    assert_non_null(p->start);
    assert_int_equal(strlen(pack_hash(p)), 16);
    pack_free(p);
    diags_free(d);
}

static const char *hash_of(const char *const *names, const char *const *files, size_t n, char out[17])
{
    pack *p = tp_load_files(names, files, n, NULL);
    assert_non_null(p);
    snprintf(out, 17, "%s", pack_hash(p));
    pack_free(p);
    return out;
}

static void hash_changes_with_any_byte(void **state)
{
    (void)state;
    const char *names[] = {"pack.yaml", "a.yaml"};
    char *root = strdup(MINIMAL "# a comment\n");
    const char *files[] = {root};
    char h1[17], h2[17], h3[17];
    hash_of(names, files, 1, h1);
    assert_int_equal(strspn(h1, "0123456789abcdef"), 16);
    hash_of(names, files, 1, h2);
    assert_string_equal(h1, h2); /* same bytes, same hash */
    root[strlen(root) - 3] = 'X'; /* one byte of a comment */
    hash_of(names, files, 1, h3);
    assert_string_not_equal(h1, h3);
    free(root);

    /* the included files count, names included */
    const char *inc[] = {TP_HEAD "include: [a.yaml]\n", "chapters:\n  - id: c\n    scenes:\n"
                                                          "      - {id: s, ending: {}}\n"};
    hash_of(names, inc, 2, h1);
    const char *names2[] = {"pack.yaml", "b.yaml"};
    const char *inc2[] = {TP_HEAD "include: [b.yaml]\n", inc[1]};
    hash_of(names2, inc2, 2, h2);
    assert_string_not_equal(h1, h2);
}

/* ---- the example pack ----------------------------------------------------- */

typedef struct seen_set {
    char **keys;
    size_t n, cap, len;
} seen_set;

/* True when key (len bytes) was already in the set; adds it otherwise. */
static bool seen_add(seen_set *s, const void *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (!memcmp(s->keys[i], key, s->len))
            return true;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->keys = realloc(s->keys, s->cap * sizeof *s->keys);
    }
    s->keys[s->n] = malloc(s->len);
    memcpy(s->keys[s->n++], key, s->len);
    return false;
}

typedef struct explore_ctx {
    seen_set states;
    bool *visited, *told;
    bool *taken;
    buf b;
    char *key;
} explore_ctx;

/* Every choice of every reachable state, depth first, merging equal
 * states; records the scenes entered and whether their text said anything. */
static void explore(game *g, explore_ctx *x)
{
    const pack *p = game_pack(g);
    const pk_scene *s = game_scene(g);
    x->visited[s->index] = true;
    buf_reset(&x->b);
    pack_render(&s->text, game_state(g), &x->b);
    if (x->b.len)
        x->told[s->index] = true;
    memcpy(x->key, &s->index, sizeof(int));
    memcpy(x->key + sizeof(int), game_state(g), (size_t)p->state_size * sizeof(int32_t));
    if (game_over(g) || seen_add(&x->states, x->key))
        return;
    for (int i = 0; i < s->nchoices; i++) {
        const pk_choice *c = s->choices[i];
        if (game_choose(g, c) != GAME_OK)
            continue;
        x->taken[c->index] = true;
        explore(g, x);
        assert_int_equal(game_undo(g, 1), 1);
    }
}

static void example_pack_every_scene(void **state)
{
    (void)state;
    const char *path = IWM_SOURCE_DIR "/story/examples/lighthouse";
    struct stat st;
    if (stat(path, &st) != 0)
        skip();
    diags *d = diags_new();
    pack *p = pack_load(path, d);
    if (!p || diag_count(d))
        diag_print(d, stderr, false);
    assert_non_null(p);
    assert_int_equal(diag_count(d), 0); /* not even a warning */
    explore_ctx x = {0};
    x.states.len = sizeof(int) + (size_t)p->state_size * sizeof(int32_t);
    x.key = calloc(1, x.states.len);
    x.visited = calloc((size_t)p->nscenes, 1);
    x.told = calloc((size_t)p->nscenes, 1);
    x.taken = calloc((size_t)p->nchoices + 1, 1);
    game *g = game_new(p);
    /* every combination of option values */
    int *opts = calloc((size_t)p->nvars, sizeof(int));
    int combos = 1;
    for (int i = 0; i < p->nvars; i++)
        if (p->vars[i].kind == V_OPTION)
            combos *= p->vars[i].nvalues;
    for (int k = 0; k < combos; k++) {
        int r = k;
        for (int i = 0; i < p->nvars; i++) {
            opts[i] = -1;
            if (p->vars[i].kind == V_OPTION) {
                opts[i] = r % p->vars[i].nvalues;
                r /= p->vars[i].nvalues;
            }
        }
        game_start(g, 1, opts);
        explore(g, &x);
    }
    for (int i = 0; i < p->nscenes; i++) {
        if (!x.visited[i])
            fail_msg("scene '%s' is never reached", p->scenes[i]->id);
        if (!x.told[i])
            fail_msg("scene '%s' never has any text", p->scenes[i]->id);
    }
    for (int i = 0; i < p->nchoices; i++)
        if (!x.taken[i])
            fail_msg("choice '%s' of '%s' is never taken", p->choices[i]->id,
                     p->choices[i]->scene->id);
    for (size_t i = 0; i < x.states.n; i++)
        free(x.states.keys[i]);
    free(x.states.keys);
    free(x.key);
    free(x.visited);
    free(x.told);
    free(x.taken);
    free(opts);
    buf_free(&x.b);
    game_free(g);
    pack_free(p);
    diags_free(d);
}

/* ---- errors, all of them ------------------------------------------------- */

static void duplicate_keys(void **state)
{
    (void)state;
    diags *d = tp_fail(TP_HEAD "title: Again\n"
                               "state:\n"
                               "  dimensions:\n"
                               "    worry: {min: 0, max: 100, start: 40}\n"
                               "    worry: {min: 0, max: 100, start: 40}\n"
                               "    fear: {min: 0, min: 1, max: 100, start: 40}\n"
                       "chapters:\n  - id: c\n    scenes:\n      - id: s\n        ending: {}\n");
    tp_expect(d, "pack.yaml:5:1: error: duplicate key 'title' in the pack [duplicate-key]");
    tp_expect(d, "pack.yaml:9:5: error: duplicate key 'worry' [duplicate-key]");
    tp_expect(d, "pack.yaml:10:20: error: duplicate key 'min' in a dimension [duplicate-key]");
    assert_int_equal(diag_errors(d), 3);
    diags_free(d);
}

/* One run reports every structural problem, not just the first. */
static void many_errors_in_one_run(void **state)
{
    (void)state;
    diags *d = tp_fail(TP_HEAD "titel: T\n"
                               "state:\n"
                               "  dimensions:\n"
                               "    Worry: {min: 0, max: 100, start: 40}\n"
                               "    calm: {min: 0, max: 100, start: 500}\n"
                               "  flags: [a, b]\n"
                               "chapters:\n"
                               "  - id: c\n"
                               "    scenes:\n"
                               "      - id: s\n"
                               "        choices:\n"
                               "          - {id: go, goto: s, once: maybe}\n");
    tp_expect(d, "pack.yaml:5:1: error: unknown key 'titel' in the pack (did you mean 'title'?) "
                 "[unknown-key]");
    tp_expect(d, "pack.yaml:8:5: error: a state name 'Worry' is not valid: use lower-case "
                 "letters, digits and '_', starting with a letter [bad-value]");
    tp_expect(d, "pack.yaml:9:37: error: 'calm' starts at 500, outside its bounds 0..100 "
                 "[out-of-bounds]");
    tp_expect(d, "pack.yaml:10:10: error: 'flags' must be a mapping, not a list [wrong-type]");
    tp_expect(d, "pack.yaml:16:37: error: 'once' must be true or false [wrong-type]");
    tp_expect(d, "pack.yaml:16:13: error: a choice needs the key 'text' [missing-key]");
    assert_true(diag_errors(d) >= 6);
    diags_free(d);

    /* resolution errors are all reported too */
    d = tp_fail(TP_HEAD "state:\n"
                        "  dimensions:\n"
                        "    worry: {min: 0, max: 100, start: 40}\n"
                        "chapters:\n"
                        "  - id: c\n"
                        "    scenes:\n"
                        "      - id: s\n"
                        "        text: \"{wory}\"\n"
                        "        choices:\n"
                        "          - id: go\n"
                        "            text: Go\n"
                        "            if: worry >\n"
                        "            effects: {worry: 5, fear: +1}\n"
                        "            goto: ned\n"
                        "      - id: end\n"
                        "        ending: {}\n");
    tp_expect(d, "pack.yaml:12:17: error: unknown name 'wory' in text (did you mean 'worry'?) "
                 "[unknown-name]");
    tp_expect(d, "pack.yaml:16:24: error: expected a value, found the end of the condition "
                 "[expr-syntax]");
    tp_expect(d, "pack.yaml:17:30: error: write +5 to add or \"=5\" to set: a bare number is "
                 "ambiguous [bad-effect]");
    tp_expect(d, "pack.yaml:17:33: error: unknown name 'fear' in effects [unknown-name]");
    tp_expect(d, "pack.yaml:18:19: error: no scene 'ned' (did you mean 'end'?) [unknown-scene]");
    assert_int_equal(diag_errors(d), 5);
    diags_free(d);
}

/* Warnings alone still give a pack. */
static void warnings_still_load(void **state)
{
    (void)state;
    const char *names[] = {"pack.yaml"};
    const char *files[] = {TP_HEAD "state:\n  flags: {unused: {}}\n"
                                   "chapters:\n  - id: c\n    scenes:\n"
                                   "      - {id: s, ending: {}}\n"
                                   "      - {id: lost, ending: {}}\n"};
    diags *d;
    pack *p = tp_load_files(names, files, 1, &d);
    assert_non_null(p);
    assert_int_equal(diag_errors(d), 0);
    assert_int_equal(diag_warnings(d), 2);
    tp_expect(d, "pack.yaml:6:11: warning: 'unused' is declared but never used [unused-state]");
    tp_expect(d, "pack.yaml:11:14: warning: scene 'lost' cannot be reached from the start "
                 "[unreachable-scene]");
    pack_free(p);
    diags_free(d);
}

static void include_outside_refused(void **state)
{
    (void)state;
    static const struct {
        const char *path, *why;
    } t[] = {
        {"../x.yaml", "a path that leaves the pack ('..')"},
        {"chapters/../../x.yaml", "a path that leaves the pack ('..')"},
        {"/etc/passwd", "an absolute path"},
        {"'a\\b.yaml'", "a path with a backslash"},
        {"''", "an empty path"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char y[512], want[512];
        snprintf(y, sizeof y, MINIMAL "include:\n  - %s\n", t[i].path);
        diags *d = tp_fail(y);
        const char *shown = t[i].path;
        char unq[64];
        if (shown[0] == '\'') { /* quoted in the YAML */
            snprintf(unq, sizeof unq, "%.*s", (int)strlen(shown) - 2, shown + 1);
            shown = unq;
        }
        snprintf(want, sizeof want, "pack.yaml:12:5: error: include '%s' is %s [include-outside]",
                 shown, t[i].why);
        if (diag_errors(d) != 1 || strcmp(diag_line(d, 0), want)) {
            tp_dump(d);
            fail_msg("want %s", want);
        }
        diags_free(d);
    }
}

static void include_symlink_outside_refused(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char pk[4200], target[4200], link[4200];
    snprintf(pk, sizeof pk, "%s/pack", dir);
    write_str(dir, "outside.yaml", CHAPTER_ONE);
    write_str(dir, "pack/pack.yaml", ROOT_WITH_INCLUDE);
    snprintf(target, sizeof target, "%s/outside.yaml", dir);
    snprintf(link, sizeof link, "%s/pack/chapters/one.yaml", dir);
    char chapters[4300];
    snprintf(chapters, sizeof chapters, "%s/chapters", pk);
    assert_int_equal(mkdir(chapters, 0700), 0);
    assert_int_equal(symlink(target, link), 0);
    diags *d = diags_new();
    assert_null(pack_load(pk, d));
    char want[4400];
    snprintf(want, sizeof want,
             "%s/pack.yaml:10:5: error: 'chapters/one.yaml' resolves outside the pack's directory "
             "[include-outside]",
             pk);
    assert_int_equal(diag_errors(d), 1);
    assert_string_equal(diag_line(d, 0), want);
    diags_free(d);

    /* a link to a file inside the pack is fine */
    write_str(dir, "pack/real/one.yaml", CHAPTER_ONE);
    unlink(link);
    assert_int_equal(symlink("../real/one.yaml", link), 0);
    d = diags_new();
    pack *p = pack_load(pk, d);
    if (!p)
        tp_dump(d);
    assert_non_null(p);
    pack_free(p);
    diags_free(d);
    rm_tree(dir);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void file_size_capped(void **state)
{
    (void)state;
    char *dir = temp_dir();
    size_t n = 17 * 1024 * 1024;
    char *big = malloc(n);
    memset(big, '#', n);
    for (size_t i = 79; i < n; i += 80)
        big[i] = '\n';
    write_file(dir, "pack.yaml", big, n);
    write_file(dir, "big.yaml", big, n);
    diags *d = diags_new();
    double t0 = now();
    assert_null(pack_load(dir, d));
    assert_true(now() - t0 < 2.0);
    assert_int_equal(diag_errors(d), 1);
    char want[4400];
    snprintf(want, sizeof want,
             "%s/pack.yaml:1:1: error: 'pack.yaml' is 17825792 bytes; a pack file may hold at "
             "most 16777216 [file-too-large]",
             dir);
    assert_string_equal(diag_line(d, 0), want);
    diags_free(d);

    /* an included file over the cap is reported where it is included */
    write_str(dir, "pack.yaml", MINIMAL "include: [big.yaml]\n");
    d = diags_new();
    assert_null(pack_load(dir, d));
    snprintf(want, sizeof want,
             "%s/pack.yaml:11:11: error: 'big.yaml' is 17825792 bytes; a pack file may hold at "
             "most 16777216 [file-too-large]",
             dir);
    assert_string_equal(diag_line(d, 0), want);
    diags_free(d);
    free(big);
    rm_tree(dir);
}

static void one_diag(const char *const *names, const char *const *files, const size_t *lens,
                     size_t count, const char *want)
{
    diags *d = diags_new();
    pack *p = pack_load_memory("", names, files, lens, count, d);
    if (p || diag_errors(d) != 1 || strcmp(diag_line(d, 0), want)) {
        tp_dump(d);
        pack_free(p);
        diags_free(d);
        fail_msg("want: %s", want);
    }
    diags_free(d);
}

#define ONE_FILE(bytes, want)                                                                      \
    do {                                                                                           \
        static const char b_[] = bytes;                                                            \
        const char *n_[] = {"pack.yaml"}, *f_[] = {b_};                                            \
        size_t l_[] = {sizeof b_ - 1};                                                             \
        one_diag(n_, f_, l_, 1, want);                                                             \
    } while (0)

static void nul_and_invalid_utf8_located(void **state)
{
    (void)state;
    ONE_FILE("format: 1\nid: t\ntit\0le: T\n",
             "pack.yaml:3:4: error: NUL byte in a pack file [nul-byte]");
    /* columns count characters, not bytes */
    ONE_FILE("format: 1\n# \xc3\xa9\xe6\xbc\xa2 \0\n",
             "pack.yaml:2:6: error: NUL byte in a pack file [nul-byte]");
    ONE_FILE("format: 1\n# caf\xc3\xa9 \xff\n",
             "pack.yaml:2:8: error: invalid UTF-8 (byte 0xff) [invalid-utf8]");
    ONE_FILE("a: 1\nb: \xc0\xaf\n", "pack.yaml:2:4: error: invalid UTF-8 (byte 0xc0) [invalid-utf8]");
    ONE_FILE("a: 1\nb: \xed\xa0\x80\n", "pack.yaml:2:4: error: invalid UTF-8 (byte 0xed) [invalid-utf8]");
    ONE_FILE("a: 1\n\n\xe6\xbc", "pack.yaml:3:1: error: invalid UTF-8 (byte 0xe6) [invalid-utf8]");
    /* the first problem in the file is the one reported */
    ONE_FILE("a: \xff\n\0", "pack.yaml:1:4: error: invalid UTF-8 (byte 0xff) [invalid-utf8]");
}

static void control_characters_refused(void **state)
{
    (void)state;
    /* raw bidirectional override (U+202E) in a plain scalar */
    ONE_FILE(TP_HEAD "description: a \xe2\x80\xae b\n" "chapters: []\n",
             "pack.yaml:5:16: error: terminal control character in text (packs may not drive the "
             "terminal) [control-char]");
    /* written as a YAML escape: refused all the same */
    diags *d = tp_fail(TP_HEAD "description: \"one \\e[31m red\"\n" "chapters: []\n");
    assert_int_equal(diag_errors(d), 1);
    tp_expect(d, "pack.yaml:5:");
    tp_expect(d, "error: terminal control character in text (packs may not drive the terminal) "
                 "[control-char]");
    diags_free(d);
}

/* A raw control character is reported where it is, like any other bad
 * byte (NUL and invalid UTF-8 are). */
static void raw_control_character_located(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *where;
    } t[] = {
        {TP_HEAD "title: \"x \xc2\x9b y\"\nchapters: []\n",
         "pack.yaml:5:11: error: terminal control character (byte 0x9b) in a pack file "
         "[control-char]"},
        {TP_HEAD "description: a\x1b[31m b\nchapters: []\n",
         "pack.yaml:5:15: error: terminal control character (byte 0x1b) in a pack file "
         "[control-char]"},
        {TP_HEAD "chapters: []\n# \x01\n",
         "pack.yaml:6:3: error: terminal control character (byte 0x01) in a pack file "
         "[control-char]"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        diags *d = tp_fail(t[i].yaml);
        assert_int_equal(diag_errors(d), 1);
        tp_expect(d, t[i].where);
        diags_free(d);
    }
}

/* A problem inside a double-quoted scalar is located at the character,
 * even after an escape sequence. */
static void positions_after_escapes(void **state)
{
    (void)state;
    ONE_FILE(TP_HEAD "description: \"one \\e[31m red\"\n" "chapters: []\n",
             "pack.yaml:5:19: error: terminal control character in text (packs may not drive the "
             "terminal) [control-char]");
    ONE_FILE(TP_HEAD "chapters:\n  - id: c\n    scenes:\n      - id: s\n"
                     "        text: \"caf\\u00e9 {zz}\"\n        ending: {}\n",
             "pack.yaml:9:27: error: unknown name 'zz' in text [unknown-name]");
}

/* Line endings do not move positions. */
static void crlf_positions(void **state)
{
    (void)state;
    ONE_FILE("format: 1\r\nid: t\r\ntitle: T\r\nversion: \"1\"\r\nstate:\r\n  dimensions:\r\n"
             "    w: {min: 0, max: 9, start: 1}\r\nchapters:\r\n  - id: c\r\n    scenes:\r\n"
             "      - id: s\r\n        text: |\r\n          ab\r\n          cd {wx}\r\n"
             "        ending: {}\r\n",
             "pack.yaml:14:15: error: unknown name 'wx' in text (did you mean 'w'?) [unknown-name]");
}

/* Editors on some systems save UTF-8 with a byte order mark. */
static void byte_order_mark(void **state)
{
    (void)state;
    pack *p = tp_load_clean("\xef\xbb\xbf" MINIMAL);
    assert_int_equal(p->nscenes, 1);
    pack_free(p);
}

/* Every problem that has a place in a file is reported there. */
static void located_problems_have_locations(void **state)
{
    (void)state;
    ONE_FILE(TP_HEAD "chapters:\n  - id: c\n    scenes:\n      - id: s\n        choices:\n"
                     "          - id: go\n            text: Go\n            goto: []\n"
                     "      - {id: e, ending: {}}\n",
             "pack.yaml:12:19: error: 'goto' needs at least one scene [goto-fallback]");
    ONE_FILE(TP_HEAD "state:\n  dimensions:\n    w: {min: 0, max: 9, start: 1}\nchapters:\n"
                     "  - id: c\n    scenes:\n      - id: s\n        snapshot: w\n"
                     "        text: \"{w}\"\n        ending: {}\n",
             "pack.yaml:12:19: error: snapshot 'w' has the name of a state variable [duplicate-id]");
}

static void anchors_and_aliases_refused(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *want;
    } t[] = {
        {TP_HEAD "description: &d Some text\n",
         "pack.yaml:5:14: error: YAML anchors ('&d') are not allowed in packs: write the value "
         "out [alias]"},
        {TP_HEAD "description: *d\n",
         "pack.yaml:5:14: error: YAML aliases ('*d') are not allowed in packs: write the value "
         "out [alias]"},
        {TP_HEAD "state: &s {}\n",
         "pack.yaml:5:8: error: YAML anchors ('&s') are not allowed in packs: write the value out "
         "[alias]"},
        {TP_HEAD "<<: {license: MIT}\n",
         "pack.yaml:5:1: error: YAML merge keys ('<<') are not allowed in packs [alias]"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        diags *d = tp_fail(t[i].yaml);
        tp_expect(d, t[i].want);
        diags_free(d);
    }
}

/* An alias stops reading the file: it is the one error reported there. */
static void alias_is_the_only_error(void **state)
{
    (void)state;
    ONE_FILE(TP_HEAD "description: &d Some text\n",
             "pack.yaml:5:14: error: YAML anchors ('&d') are not allowed in packs: write the value "
             "out [alias]");
    ONE_FILE(TP_HEAD "description: *d\n",
             "pack.yaml:5:14: error: YAML aliases ('*d') are not allowed in packs: write the value "
             "out [alias]");
}

/* An alias, an anchor or too deep a nesting inside a list stops the
 * reader; loading must still end, with the error. */
static void stop_inside_a_list_ends(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *want;
    } t[] = {
        {TP_HEAD "authors: [*a]\n",
         "pack.yaml:5:11: error: YAML aliases ('*a') are not allowed in packs: write the value "
         "out [alias]"},
        {TP_HEAD "chapters:\n  - &c\n    id: c\n",
         "pack.yaml:6:5: error: YAML anchors ('&c') are not allowed in packs: write the value out "
         "[alias]"},
        {TP_HEAD "state:\n  dimensions: {worry: {min: 0, max: 9, start: 1}}\n"
                 "chapters:\n  - id: c\n    scenes:\n      - id: s\n        choices:\n"
                 "          - {id: go, text: Go, effects: {worry: *10}, goto: e}\n"
                 "      - {id: e, ending: {}}\n",
         "pack.yaml:12:49: error: YAML aliases ('*10') are not allowed in packs: write the value "
         "out [alias]"},
        {TP_HEAD "authors: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]\n",
         "pack.yaml:5:73: error: nesting deeper than 64 levels [too-deep]"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        alarm(10); /* a hang fails the test instead of blocking the suite */
        diags *d = tp_fail(t[i].yaml);
        alarm(0);
        tp_expect(d, t[i].want);
        diags_free(d);
    }
}

/* Random damage to a real pack gives diagnostics or a playable pack,
 * never a crash, a hang or a sanitizer report. */
static void mutated_packs_never_crash(void **state)
{
    (void)state;
    static const char *const tokens[] = {
        "{", "}", "|", "\\", "\"", "'", ":", "- ", "\n", "  ", "[", "]", "{worry}", "{worry > }",
        "%+", "=", "+99999999999", "\t", "\xc3", "\xff", "not ", "((((", "}}}}", "when: ",
        "goto: ", "once: true", "\\{", "-5", "\"%+200\"", "&a ", "*a", "<<: ",
    };
    const char *root = TP_HEAD "state:\n  dimensions:\n    worry: {min: 0, max: 100, start: 40}\n"
                               "  flags: {lamp: {}}\n"
                               "options:\n  weather: {values: [calm, storm], default: random}\n"
                               "include: [chapter.yaml]\n";
    const char *chapter =
        "chapters:\n  - id: c\n    scenes:\n"
        "      - id: s\n        snapshot: dusk\n"
        "        text: |\n          Worry {worry}. {weather == \"storm\": Spray. | Calm.}\n"
        "        choices:\n"
        "          - id: a\n            text: \"A {dusk.worry}\"\n"
        "            effects:\n              - when: lamp\n                worry: \"%+20\"\n"
        "              - worry: -3\n            reply: \"Ok {lamp: lit | dark}.\"\n"
        "            goto:\n              - {when: worry > 50, scene: e}\n              - scene: s\n"
        "          - {id: b, text: B, once: true, effects: {lamp: true}, goto: s}\n"
        "          - {id: c, text: C, if: not lamp, enabled_if: worry < 90, goto: e}\n"
        "      - id: e\n        text: End.\n        ending: {title: E}\n";
    {
        const char *names[] = {"pack.yaml", "chapter.yaml"}, *files[] = {root, chapter};
        diags *d;
        pack *p = tp_load_files(names, files, 2, &d);
        if (!p)
            tp_dump(d);
        assert_non_null(p); /* the undamaged pack loads */
        pack_free(p);
        diags_free(d);
    }
    size_t n0 = strlen(chapter);
    char *m = malloc(n0 + 256);
    uint64_t rng = 20261122;
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    int loaded = 0;
    for (int it = 0; it < 600; it++) {
        size_t n = n0;
        memcpy(m, chapter, n);
        int edits = 1 + (int)(game_rng(&rng) % 2);
        for (int k = 0; k < edits; k++) {
            size_t at = game_rng(&rng) % n;
            switch (game_rng(&rng) % 3) {
            case 0:
                m[at] = (char)game_rng(&rng);
                break;
            case 1: {
                const char *tk = tokens[game_rng(&rng) % (sizeof tokens / sizeof tokens[0])];
                size_t tl = strlen(tk);
                if (n + tl < n0 + 200) {
                    memmove(m + at + tl, m + at, n - at);
                    memcpy(m + at, tk, tl);
                    n += tl;
                }
                break;
            }
            default: {
                size_t l = game_rng(&rng) % 8;
                if (at + l < n) {
                    memmove(m + at, m + at + l, n - at - l);
                    n -= l;
                }
            }
            }
        }
        const char *names[] = {"pack.yaml", "chapter.yaml"}, *files[] = {root, m};
        size_t lens[] = {strlen(root), n};
        diags *d = diags_new();
        alarm(10);
        pack *p = pack_load_memory("", names, files, lens, 2, d);
        alarm(0);
        assert_true((p != NULL) == (diag_errors(d) == 0));
        diag_print(d, null, true);
        diag_print_json(d, null);
        if (p) {
            loaded++;
            game *g = game_new(p);
            game_start(g, (uint64_t)it, NULL);
            buf b = BUF_INIT;
            for (int step = 0; step < 40 && !game_over(g); step++) {
                const pk_scene *s = game_scene(g);
                game_choose(g, s->choices[game_rng(&rng) % (uint64_t)s->nchoices]);
                pack_render(&game_scene(g)->text, game_state(g), &b);
                game_reply(g, &b);
                if (game_rng(&rng) % 5 == 0)
                    game_undo(g, 2);
            }
            buf_free(&b);
            game_free(g);
        }
        pack_free(p);
        diags_free(d);
    }
    fclose(null);
    free(m);
    if (loaded < 30) /* the loop must exercise the runtime too */
        fail_msg("only %d of 600 damaged packs loaded", loaded);
}

static void deep_nesting_refused_fast(void **state)
{
    (void)state;
    static const char *const open[] = {"[", "{a: ", "[{a: "};
    for (size_t k = 0; k < sizeof open / sizeof open[0]; k++) {
        size_t depth = 100000, lo = strlen(open[k]);
        char *s = malloc(depth * lo + 32), *o = s;
        memcpy(o, "description: ", 13);
        o += 13;
        for (size_t i = 0; i < depth; i++, o += lo)
            memcpy(o, open[k], lo);
        memcpy(o, "x\n", 3);
        const char *names[] = {"pack.yaml"}, *files[] = {s};
        size_t lens[] = {strlen(s)};
        diags *d = diags_new();
        double t0 = now();
        assert_null(pack_load_memory("", names, files, lens, 1, d));
        double took = now() - t0;
        if (took > 1.0)
            fail_msg("'%s' x %zu took %.2f s", open[k], depth, took);
        /* the root mapping is level 1, so the 64th opener is level 65 */
        size_t col = 14, level = 1;
        for (const char *c = s + 13; level < 65; c++, col++)
            level += *c == '[' || *c == '{';
        char want[128];
        snprintf(want, sizeof want, "pack.yaml:1:%zu: error: nesting deeper than 64 levels [too-deep]",
                 col - 1);
        tp_expect(d, want);
        assert_int_equal(tp_find(d, "too-deep"), tp_find(d, want)); /* reported once */
        diags_free(d);
        free(s);
    }
}

static void empty_and_broken_files(void **state)
{
    (void)state;
    ONE_FILE("", "pack.yaml:1:1: error: the file is empty [empty-file]");
    ONE_FILE("# only a comment\n", "pack.yaml:1:1: error: the file is empty [empty-file]");
    ONE_FILE(MINIMAL "---\nb: 2\n",
             "pack.yaml:11:1: error: a pack file holds one YAML document [yaml-syntax]");
    ONE_FILE(TP_HEAD "authors: [a, b\n",
             "pack.yaml:6:1: error: YAML: did not find expected ',' or ']' while parsing a flow "
             "sequence [yaml-syntax]");
    ONE_FILE("- a\n- b\n", "pack.yaml:1:1: error: a pack must be a mapping, not a list [wrong-type]");
    const char *names[] = {"pack.yaml"};
    diags *d = diags_new();
    assert_null(pack_load_memory("", names, NULL, NULL, 0, d));
    assert_string_equal(diag_line(d, 0), "iwm: error: no files [empty-file]");
    diags_free(d);
}

/* The model keeps what the pack declared, with the documented defaults. */
static void model_defaults(void **state)
{
    (void)state;
    pack *p = tp_load(TP_HEAD "state:\n"
                              "  dimensions: {d: {min: -5, max: 5, start: 1}}\n"
                              "  flags: {f: {}, g: {start: true}}\n"
                              "  counters: {c: {}, pos: {min: 3}}\n"
                              "options:\n"
                              "  o: {values: [x, y, z]}\n"
                              "  r: {values: [p, q], default: random}\n"
                              "  s: {values: [p, q], default: q}\n"
                              "chapters:\n  - id: c\n    scenes:\n      - {id: s, ending: {}}\n");
    const pk_var *v = &p->vars[tp_var(p, "d")];
    assert_int_equal(v->kind, V_DIM);
    assert_int_equal(v->min, -5);
    assert_int_equal(v->start, 1);
    v = &p->vars[tp_var(p, "g")];
    assert_int_equal(v->kind, V_FLAG);
    assert_int_equal(v->start, 1);
    assert_int_equal(p->vars[tp_var(p, "f")].start, 0);
    v = &p->vars[tp_var(p, "c")];
    assert_int_equal(v->min, -INT32_MAX);
    assert_int_equal(v->max, INT32_MAX);
    assert_int_equal(v->start, 0);
    assert_int_equal(p->vars[tp_var(p, "pos")].start, 3); /* counters start inside their bounds */
    assert_int_equal(p->vars[tp_var(p, "o")].deflt, 0);   /* no default: the first value */
    assert_int_equal(p->vars[tp_var(p, "r")].deflt, -1);
    assert_int_equal(p->vars[tp_var(p, "s")].deflt, 1);
    assert_int_equal(p->vars[tp_var(p, "o")].nvalues, 3);
    assert_string_equal(p->language, "en");
    pack_free(p);
}

/* ---- limits and less common forms, in memory ------------------------------ */

/* An in-memory file over the size cap, and a 257th file, are refused like
 * files on disk: pack_load_memory callers (the embedded story, the fuzz
 * targets) get the same limits. */
static void memory_limits(void **state)
{
    (void)state;
    size_t n = 17 * 1024 * 1024;
    char *big = malloc(n);
    memset(big, '#', n);
    const char *names[257], *files[257];
    size_t lens[257];
    names[0] = "pack.yaml";
    files[0] = big;
    lens[0] = n;
    one_diag(names, files, lens, 1,
             "pack.yaml:1:1: error: 'pack.yaml' is 17825792 bytes; a pack file may hold at most "
             "16777216 [file-too-large]");
    free(big);

    /* the root and 256 includes: the last include is one file too many */
    buf root = {0};
    buf_puts(&root, MINIMAL "include:\n");
    static char inc_names[256][16];
    for (int i = 0; i < 256; i++) {
        snprintf(inc_names[i], sizeof inc_names[i], "i%03d.yaml", i + 1);
        buf_printf(&root, "  - %s\n", inc_names[i]);
        names[i + 1] = inc_names[i];
        files[i + 1] = "chapters: []\n";
        lens[i + 1] = strlen(files[i + 1]);
    }
    files[0] = buf_str(&root);
    lens[0] = strlen(files[0]);
    /* MINIMAL is 10 lines and "include:" the 11th: include k is on line 11 + k */
    one_diag(names, files, lens, 257,
             "pack.yaml:267:5: error: a pack may have at most 256 files [too-many]");
    buf_free(&root);
}

/* The display prefix names every file: a trailing '/' is not doubled. */
static void display_prefix(void **state)
{
    (void)state;
    const char *names[] = {"pack.yaml", "b.yaml"};
    const char *files[] = {MINIMAL "include: [b.yaml]\n", "chapters: []\nstart: s\n"};
    size_t lens[] = {strlen(files[0]), strlen(files[1])};
    const char *display[] = {"dir/", "dir"};
    for (int i = 0; i < 2; i++) {
        diags *d = diags_new();
        assert_null(pack_load_memory(display[i], names, files, lens, 2, d));
        assert_int_equal(diag_count(d), 1);
        assert_string_equal(
            diag_line(d, 0),
            "dir/b.yaml:2:1: error: unknown key 'start' in an included file [unknown-key]");
        diags_free(d);
    }
    /* the root file's own problems too */
    files[0] = "";
    lens[0] = 0;
    diags *d = diags_new();
    assert_null(pack_load_memory("dir/", names, files, lens, 1, d));
    assert_string_equal(diag_line(d, 0),
                        "dir/pack.yaml:1:1: error: the file is empty [empty-file]");
    diags_free(d);
}

/* Forms that are valid and must load: include paths whose components are
 * two characters but not "..", a scene id starting with a digit, a
 * counter's and an option's description, one snapshot taken by two
 * scenes, an empty ending mapping. */
static void valid_less_common_forms(void **state)
{
    (void)state;
    const char *names[] = {"pack.yaml", "ab/x.yaml", ".a/x.yaml", "a./x.yaml"};
    const char *files[] = {
        TP_HEAD "state:\n"
                "  counters:\n"
                "    lamps: {label: Lamps, description: How many lamps are lit., max: 3}\n"
                "options:\n"
                "  weather: {values: [calm, storm], description: The sky at dusk.}\n"
                "include: [ab/x.yaml, .a/x.yaml, a./x.yaml]\n"
                "chapters:\n  - id: r\n    scenes:\n"
                "      - id: 9lives\n"
                "        text: The sea is {weather}.\n"
                "        snapshot: dusk\n"
                "        choices: [{id: go, text: Go, effects: {lamps: +1}, goto: ab}]\n",
        "chapters:\n  - id: c1\n    scenes:\n      - id: ab\n        snapshot: dusk\n"
        "        choices: [{id: go, text: Go, goto: dot-a}]\n",
        "chapters:\n  - id: c2\n    scenes:\n      - id: dot-a\n"
        "        choices: [{id: go, text: Go, goto: a-dot}]\n",
        "chapters:\n  - id: c3\n    scenes:\n      - id: a-dot\n        ending: {}\n",
    };
    diags *d;
    pack *p = tp_load_files(names, files, 4, &d);
    if (!p)
        tp_dump(d);
    assert_non_null(p);
    assert_int_equal(diag_count(d), 0);
    assert_int_equal(p->nscenes, 4);
    assert_ptr_equal(p->start, tp_scene(p, "9lives"));
    assert_int_equal(p->nsnapshots, 1);
    assert_string_equal(p->snapshots[0], "dusk");
    assert_int_equal(tp_scene(p, "9lives")->snapshot, 0);
    assert_int_equal(tp_scene(p, "ab")->snapshot, 0);
    const pk_scene *end = tp_scene(p, "a-dot");
    assert_true(end->ending);
    assert_null(end->ending_title);
    assert_int_equal(end->nchoices, 0);
    const pk_var *v = &p->vars[tp_var(p, "lamps")];
    assert_string_equal(v->label, "Lamps"); /* the description is not the label */
    assert_int_equal(v->max, 3);
    v = &p->vars[tp_var(p, "weather")];
    assert_int_equal(v->nvalues, 2);
    assert_null(v->label);
    pack_free(p);
    diags_free(d);
}

/* A pack with 17 of every list the loader grows (one more than any
 * vector's first capacity), so that each grows at least once; the model
 * must hold every item in order. */
static void seventeen_of_each(void **state)
{
    (void)state;
    enum { N = 17 };
    buf b = {0};
    buf_puts(&b, TP_HEAD "authors: [");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "%sa%d", i ? ", " : "", i);
    buf_puts(&b, "]\ncontent_notes:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "  n%d: {label: N%d, text: T%d}\n", i, i, i);
    buf_puts(&b, "state:\n  dimensions:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "    d%d: {min: 0, max: 100, start: 50}\n", i);
    buf_puts(&b, "options:\n");
    for (int i = 0; i < N; i++) {
        buf_printf(&b, "  option_number_%02d: {values: [", i);
        for (int j = 0; j < N; j++)
            buf_printf(&b, "%svalue_%02d", j ? ", " : "", j);
        buf_puts(&b, "]}\n");
    }
    buf_puts(&b, "styles:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "  st%d: {when: d%d < 50}\n", i, i);
    buf_puts(&b, "outcomes:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "  oc%d: {when: d%d >= 50}\n", i, i);
    buf_puts(&b, "include:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "  - inc%d.yaml\n", i);
    buf_puts(&b, "chapters:\n  - id: c\n    scenes:\n      - id: s0\n        content_note: [");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "%sn%d", i ? ", " : "", i);
    buf_puts(&b, "]\n        choices:\n");
    for (int i = 0; i < N; i++) {
        buf_printf(&b, "          - {id: k%d, text: K, goto: e%d, effects: {", i, i);
        for (int j = 0; j < N; j++)
            buf_printf(&b, "%sd%d: +1", j ? ", " : "", j);
        buf_puts(&b, "}}\n");
    }
    buf_puts(&b, "expect:\n  checks:\n    - {style: st0, min: 0.1, set: {");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "%soption_number_%02d: value_%02d", i ? ", " : "", i, i);
    buf_puts(&b, "}}\n");
    for (int i = 1; i < N; i++)
        buf_printf(&b, "    - {outcome: oc%d, reachable: true}\n", i);
    buf_puts(&b, "reveal:\n  x: d0\n  y: d1\n  prototypes:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "    st%d: [%d, %d]\n", i, i, 100 - i);
    buf_puts(&b, "  debrief:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "    - Q%d?\n", i);
    buf_puts(&b, "  references:\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "    - R%d.\n", i);

    const char *names[N + 1], *files[N + 1];
    size_t lens[N + 1];
    char inc_names[N][16], inc_files[N][128];
    names[0] = "pack.yaml";
    files[0] = buf_str(&b);
    for (int i = 0; i < N; i++) {
        snprintf(inc_names[i], sizeof inc_names[i], "inc%d.yaml", i);
        snprintf(inc_files[i], sizeof inc_files[i],
                 "chapters:\n  - id: c%d\n    scenes:\n"
                 "      - {id: e%d, snapshot: sn%d, ending: {}}\n",
                 i, i, i);
        names[i + 1] = inc_names[i];
        files[i + 1] = inc_files[i];
    }
    for (int i = 0; i <= N; i++)
        lens[i] = strlen(files[i]);
    diags *d = diags_new();
    pack *p = pack_load_memory("", names, files, lens, N + 1, d);
    if (!p)
        tp_dump(d);
    assert_non_null(p);
    assert_int_equal(diag_errors(d), 0);

    assert_int_equal(p->nauthors, N);
    assert_string_equal(p->authors[N - 1], "a16");
    assert_int_equal(p->nnotes, N);
    assert_int_equal(p->nvars, 2 * N);
    assert_int_equal(p->vars[tp_var(p, "option_number_16")].nvalues, N);
    assert_string_equal(p->vars[tp_var(p, "option_number_16")].values[N - 1], "value_16");
    assert_int_equal(p->nstyles, N);
    assert_int_equal(p->noutcomes, N);
    assert_int_equal(p->nchapters, N + 1);
    assert_int_equal(p->nscenes, N + 1);
    assert_int_equal(p->nsnapshots, N);
    assert_string_equal(p->snapshots[N - 1], "sn16");
    const pk_scene *s0 = tp_scene(p, "s0");
    assert_int_equal(s0->nchoices, N);
    assert_int_equal(s0->notes, (1u << N) - 1);
    int neffects = 0;
    for (const pk_effect *e = s0->choices[N - 1]->effects.first->first; e; e = e->next)
        neffects++;
    assert_int_equal(neffects, N);
    assert_ptr_equal(s0->choices[N - 1]->go->scene, tp_scene(p, "e16"));
    assert_int_equal(p->nexpects, N);
    assert_int_equal(p->reveal.nproto, N);
    assert_int_equal(p->reveal.proto_y[N - 1], 84);
    assert_int_equal(p->reveal.ndebrief, N);
    assert_string_equal(p->reveal.debrief[N - 1], "Q16?");
    assert_int_equal(p->reveal.nreferences, N);

    /* The first check's text, as the report prints it, is cut to 255
     * bytes: 17 'set' pairs are longer. */
    buf want = {0};
    buf_puts(&want, "style st0 >= 0.1 with ");
    for (int i = 0; i < N; i++)
        buf_printf(&want, "%soption_number_%02d=value_%02d", i ? "," : "", i, i);
    assert_true(strlen(buf_str(&want)) > 255);
    assert_int_equal(strlen(p->expects[0].text), 255);
    assert_memory_equal(p->expects[0].text, buf_str(&want), 255);
    assert_int_equal(p->expects[0].options[tp_var(p, "option_number_16")], 16);
    buf_free(&want);
    pack_free(p);
    diags_free(d);
    buf_free(&b);
}

/* The loader stops reading once 1,000 diagnostics are kept: 3,000 scenes
 * without choices on one line give the first 1,000 errors, located, and
 * nothing of the rest (which once cost seconds to count). */
static void stops_at_a_thousand_diagnostics(void **state)
{
    (void)state;
    buf b = {0};
    buf_puts(&b, TP_HEAD "chapters: [{id: c, scenes: [");
    for (int i = 1; i <= 3000; i++)
        buf_printf(&b, "{id: s%d}, ", i);
    buf_puts(&b, "]}]\n");
    diags *d = tp_fail(buf_str(&b));
    assert_int_equal(diag_count(d), 1000);
    assert_int_equal(diag_errors(d), 1000);
    tp_expect(d, "pack.yaml:5:34: error: scene 's1' has no choices and is not an ending [no-choices]");
    tp_expect(d, "scene 's1000' has no choices");
    assert_int_equal(tp_find(d, "'s1001'"), -1);
    diags_free(d);
    buf_free(&b);
}

/* What `iwm check` prints for d (the caller frees it). */
static char *printed(diags *d)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    assert_non_null(f);
    diag_print(d, f, false);
    fclose(f);
    return out;
}

/* A file's text is released after parsing and read again to quote a line
 * found wrong later: a BOM must be dropped the same way both times, or
 * the quoted line loses its last three bytes. */
static void requoted_line_after_a_bom(void **state)
{
    (void)state;
    char *dir = temp_dir();
    const char *pack = "\xef\xbb\xbf" TP_HEAD "chapters:\n  - id: c\n    scenes:\n"
                       "      - id: s\n        text: T\n        choices:\n"
                       "          - id: go\n            text: Go\n            goto: nowhere";
    write_str(dir, "pack.yaml", pack);
    diags *d = diags_new();
    assert_null(pack_load(dir, d));
    char *out = printed(d);
    if (!strstr(out, ":13:19: error: no scene 'nowhere'") || !strstr(out, "   13 |             goto: nowhere\n"))
        fail_msg("%s", out);
    free(out);
    diags_free(d);
    rm_tree(dir);
}

/* Seventeen scenes each naming one content note (the single-name form)
 * load, and the last one carries its note. */
static void seventeen_single_content_notes(void **state)
{
    (void)state;
    buf b = {0};
    buf_puts(&b, TP_HEAD "content_notes:\n  loss: {label: Loss, text: A death.}\n"
                 "chapters:\n  - id: c\n    scenes:\n");
    for (int i = 0; i < 17; i++)
        buf_printf(&b, "      - id: s%d\n        content_note: loss\n        text: T\n"
                       "        choices: [{id: go, text: Go, goto: s%d}]\n",
                   i, i + 1);
    buf_puts(&b, "      - id: s17\n        text: End\n        ending: {}\n");
    pack *p = tp_load_clean(buf_str(&b));
    assert_int_equal(tp_scene(p, "s16")->notes, 1u);
    assert_int_equal(tp_scene(p, "s17")->notes, 0u);
    pack_free(p);
    buf_free(&b);
}

/* An included file on disk is released after parsing and read again when
 * resolution finds an error in it: the quoted line is its own. */
static void requoted_line_in_an_include(void **state)
{
    (void)state;
    char *dir = temp_dir();
    write_str(dir, "pack.yaml", TP_HEAD "include: [chapters/a.yaml]\n");
    write_str(dir, "chapters/a.yaml", "chapters:\n  - id: c\n    scenes:\n      - id: s\n        text: T\n"
                                      "        choices:\n          - id: go\n            text: Go\n"
                                      "            goto: nowhere\n");
    diags *d = diags_new();
    assert_null(pack_load(dir, d));
    char *out = printed(d);
    if (!strstr(out, "chapters/a.yaml:9:19: error: no scene 'nowhere'") ||
        !strstr(out, "    9 |             goto: nowhere\n"))
        fail_msg("%s", out);
    free(out);
    diags_free(d);
    rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(directory_pack),
        cmocka_unit_test(single_file_pack),
        cmocka_unit_test(includes_in_memory),
        cmocka_unit_test(embedded_story),
        cmocka_unit_test(hash_changes_with_any_byte),
        cmocka_unit_test(example_pack_every_scene),
        cmocka_unit_test(duplicate_keys),
        cmocka_unit_test(many_errors_in_one_run),
        cmocka_unit_test(warnings_still_load),
        cmocka_unit_test(include_outside_refused),
        cmocka_unit_test(include_symlink_outside_refused),
        cmocka_unit_test(file_size_capped),
        cmocka_unit_test(nul_and_invalid_utf8_located),
        cmocka_unit_test(control_characters_refused),
        cmocka_unit_test(raw_control_character_located),
        cmocka_unit_test(positions_after_escapes),
        cmocka_unit_test(crlf_positions),
        cmocka_unit_test(byte_order_mark),
        cmocka_unit_test(located_problems_have_locations),
        cmocka_unit_test(anchors_and_aliases_refused),
        cmocka_unit_test(alias_is_the_only_error),
        cmocka_unit_test(stop_inside_a_list_ends),
        cmocka_unit_test(deep_nesting_refused_fast),
        cmocka_unit_test(empty_and_broken_files),
        cmocka_unit_test(model_defaults),
        cmocka_unit_test(memory_limits),
        cmocka_unit_test(display_prefix),
        cmocka_unit_test(valid_less_common_forms),
        cmocka_unit_test(seventeen_of_each),
        cmocka_unit_test(stops_at_a_thousand_diagnostics),
        cmocka_unit_test(requoted_line_after_a_bom),
        cmocka_unit_test(seventeen_single_content_notes),
        cmocka_unit_test(requoted_line_in_an_include),
        cmocka_unit_test(mutated_packs_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
