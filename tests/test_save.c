/*
 * Tests for save: the exact text of a save, round trips that give the
 * same states, every kind of damage refused (each flipped byte, each
 * truncation, other formats and packs, malformed lines), and a save made
 * with the base pack tests/packs/saves/v1.yaml loaded by each edited
 * version of it (v2..v7) with the divergence reported word for word. The
 * file side: atomic writes keeping a .bak, the header reader, the save
 * directory and slot names. I/O failures are in test_save_faults.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "game.h"
#include "pack.h"
#include "save.h"
#include "testpack.h"

#define PACKS IWM_SOURCE_DIR "/tests/packs/saves/"

#define K10 "kkkkkkkkkk"

static const char damaged[] =
    "the save is damaged (checksum mismatch): it may have been cut short or edited";

/* ---- helpers ------------------------------------------------------------ */

static pack *load(const char *name)
{
    diags *d = diags_new();
    char path[1024];
    snprintf(path, sizeof path, PACKS "%s", name);
    pack *p = pack_load(path, d);
    if (!p)
        fail_msg("cannot load %s", path);
    diags_free(d);
    return p;
}

static int var_index(const pack *p, const char *name)
{
    for (int i = 0; i < p->nvars; i++)
        if (!strcmp(p->vars[i].name, name))
            return i;
    fail_msg("no variable %s", name);
    return -1;
}

static int value_index(const pack *p, const char *var, const char *value)
{
    const pk_var *v = &p->vars[var_index(p, var)];
    for (int i = 0; i < v->nvalues; i++)
        if (!strcmp(v->values[i], value))
            return i;
    fail_msg("no value %s of %s", value, var);
    return -1;
}

static const char *option_value(const game *g, const char *var)
{
    const pack *p = game_pack(g);
    int i = var_index(p, var);
    return p->vars[i].values[game_state(g)[i]];
}

static void choose(game *g, const char *choice)
{
    const pk_scene *sc = game_scene(g);
    for (int i = 0; i < sc->nchoices; i++)
        if (!strcmp(sc->choices[i]->id, choice)) {
            assert_int_equal(game_choose(g, sc->choices[i]), GAME_OK);
            return;
        }
    fail_msg("no choice %s in %s", choice, sc->id);
}

/* The base game: keeper grandad, mood storm, and the four steps
 * hall/wait, hall/go, rom-keys/yes, yard/gate (to the ending). */
static game *base_game(const pack *p, size_t steps)
{
    game *g = game_new(p);
    int opts[64];
    assert_true(p->nvars <= 64);
    for (int i = 0; i < p->nvars; i++)
        opts[i] = -1;
    opts[var_index(p, "keeper")] = value_index(p, "keeper", "grandad");
    opts[var_index(p, "mood")] = value_index(p, "mood", "storm");
    game_start(g, 42, opts);
    static const char *const log[] = {"wait", "go", "yes", "gate"};
    for (size_t i = 0; i < steps; i++)
        choose(g, log[i]);
    return g;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Replaces the checksum line of a save with a correct one. */
static void reseal(buf *b)
{
    assert_true(b->len >= 26);
    b->len -= 26; /* "checksum " + 16 + "\n" */
    assert_memory_equal(b->data + b->len, "checksum ", 9);
    b->data[b->len] = '\0';
    buf_printf(b, "checksum %016" PRIx64 "\n", fnv1a(b->data, b->len));
}

/* Replaces the first occurrence of from with to in b. */
static void replace(buf *b, const char *from, const char *to)
{
    char *at = strstr(b->data, from);
    assert_non_null(at);
    buf r = BUF_INIT;
    buf_append(&r, b->data, (size_t)(at - b->data));
    buf_puts(&r, to);
    buf_puts(&r, at + strlen(from));
    buf_free(b);
    *b = r;
}

static void assert_same_game(const game *a, const game *b)
{
    const pack *p = game_pack(a);
    assert_int_equal(game_seed(a), game_seed(b));
    assert_int_equal(game_steps(a), game_steps(b));
    for (size_t i = 0; i <= game_steps(a); i++)
        assert_memory_equal(game_step_state(a, i), game_step_state(b, i),
                            (size_t)p->state_size * sizeof(int32_t));
    for (size_t i = 0; i < game_steps(a); i++) {
        assert_ptr_equal(game_step_scene(a, i), game_step_scene(b, i));
        assert_ptr_equal(game_step_choice(a, i), game_step_choice(b, i));
    }
    assert_ptr_equal(game_scene(a), game_scene(b));
}

/* A game's whole trace, to prove a refused load changed nothing. */
typedef struct snap {
    size_t steps;
    const pk_scene *scene;
    uint64_t seed, hash;
} snap;

static snap snap_of(const game *g)
{
    const pack *p = game_pack(g);
    snap s = {game_steps(g), game_scene(g), game_seed(g), 0};
    for (size_t i = 0; i <= s.steps; i++)
        s.hash ^=
            fnv1a((const char *)game_step_state(g, i), (size_t)p->state_size * sizeof(int32_t)) + i;
    return s;
}

static void assert_snap(const game *g, snap s)
{
    snap t = snap_of(g);
    assert_int_equal(t.steps, s.steps);
    assert_ptr_equal(t.scene, s.scene);
    assert_int_equal(t.seed, s.seed);
    assert_int_equal(t.hash, s.hash);
}

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    *n = 0; /* defined on every path (gcc -O3 checks) */
    if (!f)
        return NULL;
    buf b = BUF_INIT;
    char tmp[4096];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, k);
    fclose(f);
    *n = b.len;
    buf_reserve(&b, 0);
    return b.data;
}

static void rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_rf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* ---- encoding ----------------------------------------------------------- */

static void test_encode_exact(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 4);
    buf b = BUF_INIT, want = BUF_INIT;
    save_encode(g, 1700000000, &b);
    buf_printf(&want,
               "iwm-save 1\n"
               "pack savetest\n"
               "pack-version 1.0.0\n"
               "pack-hash %s\n"
               "seed 42\n"
               "saved 2023-11-14T22:13:20Z\n"
               "option mood storm\n"
               "option keeper grandad\n"
               "step hall wait\n"
               "step hall go\n"
               "step rom-keys yes\n"
               "step yard gate\n",
               pack_hash(p));
    buf_printf(&want, "checksum %016" PRIx64 "\n", fnv1a(want.data, want.len));
    assert_string_equal(buf_str(&b), buf_str(&want));

    /* Appends: what was in the buffer before is not part of the save. */
    buf pre = BUF_INIT;
    buf_puts(&pre, "junk");
    save_encode(g, 1700000000, &pre);
    assert_string_equal(buf_str(&pre) + 4, buf_str(&want));
    buf_free(&pre);
    buf_free(&b);
    buf_free(&want);
    game_free(g);
    pack_free(p);
}

/* ---- round trips -------------------------------------------------------- */

static void test_round_trip(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    for (size_t steps = 0; steps <= 4; steps++) {
        game *g = base_game(p, steps), *h = game_new(p);
        game_start(h, 7, NULL);
        buf b = BUF_INIT;
        save_result r;
        char err[256] = "";
        save_encode(g, 0, &b);
        assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
        assert_int_equal(r.steps, steps);
        assert_int_equal(r.replayed, steps);
        assert_false(r.diverged);
        assert_false(r.other_version);
        assert_string_equal(r.message, "");
        assert_same_game(g, h);
        assert_string_equal(option_value(h, "keeper"), "grandad");
        assert_string_equal(option_value(h, "mood"), "storm");

        /* Encoding the loaded game gives the same bytes. */
        buf c = BUF_INIT;
        save_encode(h, 0, &c);
        assert_string_equal(buf_str(&b), buf_str(&c));
        buf_free(&c);
        buf_free(&b);
        game_free(g);
        game_free(h);
    }
    pack_free(p);
}

/* Undo, then save: the log is the one that is current. */
static void test_round_trip_after_undo(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 4), *h = game_new(p);
    assert_int_equal(game_undo(g, 2), 2);
    choose(g, "no");
    buf b = BUF_INIT;
    save_result r;
    char err[256];
    save_encode(g, 0, &b);
    assert_non_null(strstr(b.data, "step rom-keys no\n"));
    assert_null(strstr(b.data, "gate"));
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    assert_same_game(g, h);
    buf_free(&b);
    game_free(g);
    game_free(h);
    pack_free(p);
}

/* Random option defaults and the seed: the largest seed survives, and a
 * random default is written as its value, so it no longer depends on
 * the seed when read back. */
static void test_seed_and_random_option(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = game_new(p), *h = game_new(p);
    game_start(g, UINT64_MAX, NULL);
    choose(g, "go");
    buf b = BUF_INIT;
    save_result r;
    char err[256];
    save_encode(g, 0, &b);
    assert_non_null(strstr(b.data, "\nseed 18446744073709551615\n"));
    char line[64];
    snprintf(line, sizeof line, "\noption keeper %s\n", option_value(g, "keeper"));
    assert_non_null(strstr(b.data, line));
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    assert_same_game(g, h);

    /* A seed that does not fit in 64 bits is refused. */
    replace(&b, "seed 18446744073709551615", "seed 18446744073709551616");
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err, "line 5 of the save is malformed: a bad 'seed'");
    buf_free(&b);
    game_free(g);
    game_free(h);
    pack_free(p);
}

/* ---- damage ------------------------------------------------------------- */

static void test_flipped_bytes(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 4), *h = base_game(p, 2);
    snap before = snap_of(h);
    buf b = BUF_INIT;
    save_result r;
    char err[256];
    save_encode(g, 0, &b);
    static const unsigned char flips[] = {0x01, 0x20, 0x80, 0xff};
    char *copy = malloc(b.len);
    assert_non_null(copy);
    for (size_t i = 0; i < b.len; i++)
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(copy, b.data, b.len);
            copy[i] = (char)(copy[i] ^ flips[f]);
            err[0] = '\0';
            if (save_decode(copy, b.len, h, &r, err, sizeof err) != -1)
                fail_msg("flipping byte %zu with 0x%02x was not noticed", i, flips[f]);
            assert_true(err[0] != '\0');
            assert_null(strchr(err, '\n'));
            assert_snap(h, before);
        }
    free(copy);
    buf_free(&b);
    game_free(g);
    game_free(h);
    pack_free(p);
}

static void test_truncations(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 4), *h = base_game(p, 1);
    snap before = snap_of(h);
    buf b = BUF_INIT;
    save_result r;
    char err[256];
    save_encode(g, 0, &b);
    for (size_t n = 0; n < b.len; n++) {
        err[0] = '\0';
        if (save_decode(b.data, n, h, &r, err, sizeof err) != -1)
            fail_msg("a save cut to %zu bytes was accepted", n);
        assert_string_equal(err, n == 0 ? "the save file is empty" : damaged);
        assert_snap(h, before);
    }
    /* And with something added after the checksum line. */
    buf_puts(&b, "step yard wall\n");
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err, damaged);
    assert_snap(h, before);
    buf_free(&b);
    game_free(g);
    game_free(h);
    pack_free(p);
}

static void test_refusals(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 4), *h = base_game(p, 3);
    snap before = snap_of(h);
    buf good = BUF_INIT;
    save_encode(g, 0, &good);
    static const struct {
        const char *from, *to, *err;
        bool reseal;
    } cases[] = {
        {"iwm-save 1\n", "iwm-save 2\n",
         "the save has format version 2: it was made by a newer iwm", false},
        {"iwm-save 1\n", "iwm-save 2\n",
         "the save has format version 2: it was made by a newer iwm", true},
        {"iwm-save 1\n", "iwm-save 0\n", "the save has an unknown format version 0", true},
        {"iwm-save 1\n", "iwm-save one\n",
         "not an iwm save file (its first line is not 'iwm-save 1')", true},
        {"iwm-save 1\n", "iwm-save 1 \n",
         "not an iwm save file (its first line is not 'iwm-save 1')", true},
        {"iwm-save 1\n", "format: 1\n", "not an iwm save file (its first line is not 'iwm-save 1')",
         true},
        {"pack savetest\n", "pack lighthouse\n",
         "this save is for pack 'lighthouse', not 'savetest'", true},
        {"pack savetest\n", "pack lighthouse\n", damaged, false},
        {"seed 42\n", "seed 42\ncolour red\n", "line 6 of the save has an unknown key 'colour'",
         true},
        {"seed 42\n", "seed 42\n\n", "line 6 of the save is empty", true},
        {"seed 42\n", "seed 42\nseed 43\n", "line 6 of the save is malformed: a second 'seed'",
         true},
        {"seed 42\n", "seed -42\n", "line 5 of the save is malformed: a bad 'seed'", true},
        {"seed 42\n", "seed 042\n", "line 5 of the save is malformed: a bad 'seed'", true},
        {"seed 42\n", "", "the save has no 'seed' line", true},
        {"pack savetest\n", "", "the save has no 'pack' line", true},
        {"step hall go\n", "step hall\n",
         "line 10 of the save is malformed: expected 'step SCENE CHOICE'", true},
        {"step hall go\n", "step hall go now\n",
         "line 10 of the save is malformed: expected 'step SCENE CHOICE'", true},
        {"step hall go\n", "step Hall go\n",
         "line 10 of the save is malformed: expected 'step SCENE CHOICE'", true},
        {"option mood storm\n", "option mood storm\noption mood calm\n",
         "line 8 of the save is malformed: option 'mood' twice", true},
        {"option mood storm\n", "option mood\n",
         "line 7 of the save is malformed: expected 'option NAME VALUE'", true},
        {"saved 1970-01-01T00:00:00Z\n", "saved 1970-01-01T00:00:00Z-and-a-very-long-tail\n",
         "line 6 of the save is malformed: a bad 'saved'", true},
        {"pack-hash ", "pack-hash X", "line 4 of the save is malformed: a bad 'pack-hash'", true},
        {"pack-version 1.0.0\n", "pack-version 1.0\t0\n",
         "line 3 of the save is malformed: a bad 'pack-version'", true},
        {"pack-version 1.0.0\n", "pack-version 1.0\x7f" "0\n",
         "line 3 of the save is malformed: a bad 'pack-version'", true},
        {"seed 42\n", "seed 07\n", "line 5 of the save is malformed: a bad 'seed'", true},
        /* 21 digits: over 20 is refused before any digit is read. */
        {"seed 42\n", "seed 100000000000000000000\n",
         "line 5 of the save is malformed: a bad 'seed'", true},
        {"saved 1970-01-01T00:00:00Z\n", "saved \n",
         "line 6 of the save is malformed: a bad 'saved'", true},
        {"saved 1970-01-01T00:00:00Z\n", "saved\n",
         "line 6 of the save is malformed: a bad 'saved'", true},
        {"saved 1970-01-01T00:00:00Z\n", "saved 1970-01-01\x01T00:00:00Z\n",
         "line 6 of the save is malformed: a bad 'saved'", true},
        /* An unknown key is quoted cut to 40 bytes, and only as text. */
        {"seed 42\n", "seed 42\n" K10 K10 K10 K10 K10 " red\n",
         "line 6 of the save has an unknown key '" K10 K10 K10 K10 "'", true},
        /* ... and never inside a character: 40 bytes would end in the 'é'. */
        {"seed 42\n", "seed 42\n" K10 K10 K10 "abcdefghi\xc3\xa9x red\n",
         "line 6 of the save has an unknown key '" K10 K10 K10 "abcdefghi'", true},
        {"seed 42\n", "seed 42\ncol\x01our red\n", "line 6 of the save is malformed", true},
        /* Bytes >= 0x80 pass is_text: the message drops the C1 control
         * (CSI, C2 9B) and the bidi override (U+202E) and replaces the
         * invalid byte, so none reaches the terminal. */
        {"seed 42\n", "seed 42\ncol\xc2\x9b" "2Jour\xe2\x80\xae red\n",
         "line 6 of the save has an unknown key 'col2Jour'", true},
        {"seed 42\n", "seed 42\nke\xffy red\n",
         "line 6 of the save has an unknown key 'ke\xef\xbf\xbdy'", true},
        /* Bytes above 'z' are not in the id alphabet. */
        {"step hall go\n", "step hall go~\n",
         "line 10 of the save is malformed: expected 'step SCENE CHOICE'", true},
        {"option mood storm\n", "option mood storm{\n",
         "line 7 of the save is malformed: expected 'option NAME VALUE'", true},
        /* The checksum line must start a line. */
        {"step yard gate\n", "step yard gatex", damaged, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b = BUF_INIT;
        save_result r;
        char err[256] = "";
        buf_append(&b, good.data, good.len);
        replace(&b, cases[i].from, cases[i].to);
        if (cases[i].reseal)
            reseal(&b);
        if (save_decode(b.data, b.len, h, &r, err, sizeof err) != -1)
            fail_msg("case %zu was accepted", i);
        if (strcmp(err, cases[i].err))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].err);
        assert_snap(h, before);
        buf_free(&b);
    }

    /* The hash: 16 lower-case hex digits, nothing else. */
    static const char *const bad_hashes[] = {"0123456789ABCDEF", "0123456789abcdeg"};
    for (size_t i = 0; i < sizeof bad_hashes / sizeof bad_hashes[0]; i++) {
        buf b = BUF_INIT;
        save_result r;
        char err[256] = "";
        buf_append(&b, good.data, good.len);
        replace(&b, pack_hash(p), bad_hashes[i]);
        reseal(&b);
        assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
        assert_string_equal(err, "line 4 of the save is malformed: a bad 'pack-hash'");
        assert_snap(h, before);
        buf_free(&b);
    }

    /* A line over 1 KB, even a well-formed one. */
    buf b = BUF_INIT, v = BUF_INIT;
    save_result r;
    char err[256];
    buf_puts(&v, "pack-version ");
    for (int i = 0; i < 1100; i++)
        buf_putc(&v, 'x');
    buf_putc(&v, '\n');
    buf_append(&b, good.data, good.len);
    replace(&b, "pack-version 1.0.0\n", v.data);
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err, "line 3 of the save is too long (over 1024 bytes)");
    assert_snap(h, before);

    /* More option lines than a pack can have variables. */
    buf_reset(&b);
    buf_reset(&v);
    for (int i = 0; i <= PACK_MAX_VARS; i++)
        buf_printf(&v, "option o%d x\n", i);
    buf_append(&b, good.data, good.len);
    replace(&b, "option mood storm\n", v.data);
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err, "the save has more than 4096 options");
    assert_snap(h, before);

    /* A NUL inside a line. */
    buf_reset(&b);
    buf_append(&b, good.data, good.len);
    replace(&b, "seed 42", "seed 4");
    b.data[strstr(b.data, "seed 4") - b.data + 5] = '\0';
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_snap(h, before);

    /* Short buffers for the reason are cut, never overrun. */
    char tiny[8];
    assert_int_equal(save_decode(b.data, b.len, h, &r, tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    assert_int_equal(save_decode(b.data, b.len, h, &r, NULL, 0), -1);
    strcpy(tiny, "as was");
    assert_int_equal(save_decode(b.data, b.len, h, &r, tiny, 0), -1);
    assert_string_equal(tiny, "as was");
    buf_free(&v);
    buf_free(&b);
    buf_free(&good);
    game_free(g);
    game_free(h);
    pack_free(p);
}

static void test_too_many_steps(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 0), *h = base_game(p, 1);
    snap before = snap_of(h);
    buf b = BUF_INIT;
    save_result r;
    char err[256];
    save_encode(g, 0, &b);
    b.len -= 26;
    b.data[b.len] = '\0';
    for (int i = 0; i < SAVE_MAX_STEPS; i++)
        buf_puts(&b, "step hall wait\n");
    buf_puts(&b, "checksum 0000000000000000\n");
    reseal(&b);
    /* Exactly the limit is allowed: it replays one step then diverges. */
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    assert_int_equal(r.steps, SAVE_MAX_STEPS);
    assert_int_equal(r.replayed, 1);
    assert_true(r.diverged);
    assert_string_equal(
        r.message, "The story has changed since this save: at step 2 (scene 'hall'), the choice "
                   "'wait' is not available now. You continue from scene 'hall'.");
    before = snap_of(h);
    b.len -= 26;
    b.data[b.len] = '\0';
    buf_puts(&b, "step hall wait\nchecksum 0000000000000000\n");
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err, "the save has more than 100000 steps");
    assert_snap(h, before);
    buf_free(&b);
    game_free(g);
    game_free(h);
    pack_free(p);
}

/* Files that end inside the first line: cut short when what is there is
 * a prefix of "iwm-save N"; otherwise not a save. The size limit holds
 * before anything is read. */
static void test_first_line_and_size(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *h = base_game(p, 1);
    snap before = snap_of(h);
    static const char not_save[] = "not an iwm save file (its first line is not 'iwm-save 1')";
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"iwm-sa", damaged}, {"iwm-save 1", damaged},   {"iwm-save 12", damaged},
        {"iwx", not_save},   {"iwm-save 1x", not_save}, {"iwm-save x", not_save},
    };
    save_result r;
    char err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        assert_int_equal(save_decode(cases[i].text, strlen(cases[i].text), h, &r, err, sizeof err),
                         -1);
        if (strcmp(err, cases[i].err))
            fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].text, err, cases[i].err);
        assert_snap(h, before);
    }

    /* A first line of digits longer than any line, cut short or not: it
     * cannot be a save's. */
    buf b = BUF_INIT;
    buf_puts(&b, "iwm-save ");
    for (int i = 0; i < 1100; i++)
        buf_putc(&b, '1');
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err, not_save);
    buf_putc(&b, '\n');
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err, not_save);

    /* SAVE_MAX_BYTES is read (and found damaged); one byte more is not. */
    char *big = malloc((size_t)SAVE_MAX_BYTES + 1);
    assert_non_null(big);
    memset(big, 'x', (size_t)SAVE_MAX_BYTES + 1);
    memcpy(big, "iwm-save 1\n", 11);
    assert_int_equal(save_decode(big, SAVE_MAX_BYTES, h, &r, err, sizeof err), -1);
    assert_string_equal(err, damaged);
    assert_int_equal(save_decode(big, (size_t)SAVE_MAX_BYTES + 1, h, &r, err, sizeof err), -1);
    assert_string_equal(err, "the save is too large (over 4 MB)");
    assert_snap(h, before);
    free(big);
    buf_free(&b);
    game_free(h);
    pack_free(p);
}

#define S10 "ssssssssss"
#define C10 "cccccccccc"
#define P10 "pppppppppp"

/* Ids longer than any pack's (64 bytes) are quoted cut to 64. */
static void test_long_ids(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 4), *h = game_new(p);
    game_start(h, 1, NULL);
    buf good = BUF_INIT;
    save_encode(g, 0, &good);
    static const struct {
        const char *from, *to, *message;
    } cases[] = {
        {"step hall wait\n", "step " S10 S10 S10 S10 S10 S10 S10 " wait\n",
         "The story has changed since this save: at step 1, the scene '" S10 S10 S10 S10 S10 S10
         "ssss' no longer exists. You continue from scene 'hall'."},
        {"step hall wait\n", "step " S10 S10 S10 S10 S10 S10 "ssss wait\n",
         "The story has changed since this save: at step 1, the scene '" S10 S10 S10 S10 S10 S10
         "ssss' no longer exists. You continue from scene 'hall'."},
        {"step hall wait\n", "step hall " C10 C10 C10 C10 C10 C10 C10 "\n",
         "The story has changed since this save: at step 1 (scene 'hall'), the choice '" C10 C10 C10
         C10 C10 C10 "cccc' no longer exists. You continue from scene 'hall'."},
        /* '_' is in the id alphabet: a well-formed id of no scene. */
        {"step hall wait\n", "step hall_x wait\n",
         "The story has changed since this save: at step 1, the scene 'hall_x' no longer exists. "
         "You continue from scene 'hall'."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b = BUF_INIT;
        save_result r;
        char err[256] = "";
        buf_append(&b, good.data, good.len);
        replace(&b, cases[i].from, cases[i].to);
        reseal(&b);
        if (save_decode(b.data, b.len, h, &r, err, sizeof err) != 0)
            fail_msg("case %zu: %s", i, err);
        assert_true(r.diverged);
        assert_int_equal(r.replayed, 0);
        assert_string_equal(game_scene(h)->id, "hall");
        if (strcmp(r.message, cases[i].message))
            fail_msg("case %zu:\n got: %s\nwant: %s", i, r.message, cases[i].message);
        buf_free(&b);
    }

    buf b = BUF_INIT;
    save_result r;
    char err[256];
    snap before = snap_of(h);
    buf_append(&b, good.data, good.len);
    replace(&b, "pack savetest\n", "pack " P10 P10 P10 P10 P10 P10 P10 "\n");
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    assert_string_equal(err,
                        "this save is for pack '" P10 P10 P10 P10 P10 P10 "pppp', not 'savetest'");
    assert_snap(h, before);
    buf_free(&b);
    buf_free(&good);
    game_free(g);
    game_free(h);
    pack_free(p);
}

/* The notes on options that changed are added while each fits whole in
 * the message (511 bytes and the NUL): one that does not fit is left
 * out, and a shorter one after it may still fit. */
static void test_notes_that_do_not_fit(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 4), *h = game_new(p);
    buf b = BUF_INIT, opts = BUF_INIT, want = BUF_INIT;
    char name[600];
    save_result r;
    char err[256];
    /* Each sentence is "The option 'NAME' no longer exists.": 31 bytes
     * and the name. In file order: 531 bytes (longer than any sentence,
     * left out); four of 100 (100 + 3 * 101 = 403); 200 (left out: 604);
     * 33 (437); 73 (511: exactly full); 33 (left out). */
    static const struct {
        char c;
        size_t n;
        bool in;
    } names[] = {{'a', 500, false}, {'b', 69, true}, {'c', 69, true},
                 {'d', 69, true},   {'e', 69, true}, {'f', 169, false},
                 {'g', 2, true},    {'h', 42, true}, {'i', 2, false}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        memset(name, names[i].c, names[i].n);
        name[names[i].n] = '\0';
        buf_printf(&opts, "option %s x\n", name);
        if (names[i].in)
            buf_printf(&want, "%sThe option '%s' no longer exists.", want.len ? " " : "", name);
    }
    assert_int_equal(want.len, 511);
    buf_puts(&opts, "step hall wait\n");
    save_encode(g, 0, &b);
    replace(&b, "step hall wait\n", buf_str(&opts));
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    assert_false(r.diverged);
    assert_int_equal(r.replayed, 4);
    assert_string_equal(r.message, buf_str(&want));
    buf_free(&b);
    buf_free(&opts);
    buf_free(&want);
    game_free(g);
    game_free(h);
    pack_free(p);
}

/* Packs the saves test pack does not cover: the saved time at the edges
 * of what can be written, a version that is long, empty or spans lines,
 * and a pack with no variables at all. */
static void test_encode_edges(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    game *g = base_game(p, 2), *h = game_new(p);
    buf b = BUF_INIT;
    save_result r;
    char err[256];

    /* Year 10000 is written with five digits and still reads back. */
    save_encode(g, (time_t)253402300800, &b);
    assert_non_null(strstr(b.data, "\nsaved 10000-01-01T00:00:00Z\n"));
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    assert_same_game(g, h);
    /* A time gmtime cannot convert is written as the epoch. */
    buf_reset(&b);
    save_encode(g, (time_t)INT64_MAX, &b);
    assert_non_null(strstr(b.data, "\nsaved 1970-01-01T00:00:00Z\n"));
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    game_free(g);
    game_free(h);
    pack_free(p);

    /* No variables, and an empty version. */
    static const char bare[] = "format: 1\nid: bare\ntitle: Bare\nversion: \"\"\nstart: a\n"
                               "chapters:\n"
                               "  - id: one\n    title: One\n    scenes:\n"
                               "      - id: a\n        text: A.\n        choices:\n"
                               "          - {id: next, text: Next., goto: b}\n"
                               "      - id: b\n        text: B.\n        ending: {title: End}\n";
    p = tp_load(bare);
    assert_int_equal(p->nvars, 0);
    g = game_new(p);
    h = game_new(p);
    game_start(g, 5, NULL);
    game_start(h, 9, NULL);
    choose(g, "next");
    buf want = BUF_INIT;
    buf_reset(&b);
    save_encode(g, 0, &b);
    buf_printf(&want,
               "iwm-save 1\npack bare\npack-version \npack-hash %s\nseed 5\n"
               "saved 1970-01-01T00:00:00Z\nstep a next\n",
               pack_hash(p));
    buf_printf(&want, "checksum %016" PRIx64 "\n", fnv1a(want.data, want.len));
    assert_string_equal(buf_str(&b), buf_str(&want));
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    assert_false(r.diverged);
    assert_int_equal(r.replayed, 1);
    assert_int_equal(game_seed(h), 5);
    assert_string_equal(game_scene(h)->id, "b");
    game_free(g);
    game_free(h);
    pack_free(p);

    /* A version over 200 bytes is cut; tabs and line breaks (which the
     * loader allows) become '?', so the version stays one line. */
    static const struct {
        const char *version, *line;
    } versions[] = {
        {S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10
             S10 S10 S10,
         "\npack-version " S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10
         S10 S10 "\n"},
        {"1.0\\t0\\n", "\npack-version 1.0?0?\n"},
    };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        buf yaml = BUF_INIT;
        buf_printf(&yaml, "format: 1\nid: bare\ntitle: Bare\nversion: \"%s\"\nstart: a\n%s",
                   versions[i].version, strstr(bare, "chapters:"));
        p = tp_load(buf_str(&yaml));
        g = game_new(p);
        h = game_new(p);
        game_start(g, 5, NULL);
        buf_reset(&b);
        save_encode(g, 0, &b);
        if (!strstr(b.data, versions[i].line))
            fail_msg("version %zu:\n%s", i, b.data);
        assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
        game_free(g);
        game_free(h);
        pack_free(p);
        buf_free(&yaml);
    }
    buf_free(&want);
    buf_free(&b);
}

/* ---- edited packs ------------------------------------------------------- */

typedef struct variant {
    const char *file;
    size_t replayed;
    bool diverged;
    const char *scene; /* where the game continues */
    const char *message;
} variant;

static const variant variants[] = {
    {"v1.yaml", 4, false, "out", ""},
    {"v2-insert.yaml", 2, true, "porch",
     "The story has changed since this save: at step 3 (scene 'rom-keys'), the story now leads to "
     "scene 'porch' "
     "instead. You continue from scene 'porch'."},
    {"v3-remove.yaml", 2, true, "yard",
     "The story has changed since this save: at step 3, the scene 'rom-keys' no longer exists. You "
     "continue from "
     "scene 'yard'."},
    {"v4-rename.yaml", 2, true, "room-keys",
     "The story has changed since this save: at step 3, the scene 'rom-keys' no longer exists. You "
     "continue from "
     "scene 'room-keys'."},
    {"v5-choice-removed.yaml", 2, true, "rom-keys",
     "The story has changed since this save: at step 3 (scene 'rom-keys'), the choice 'yes' no "
     "longer exists. You "
     "continue from scene 'rom-keys'."},
    {"v6-options.yaml", 4, false, "out",
     "The option 'mood' no longer exists. The option 'keeper' no longer has the value 'grandad': "
     "it is now "
     "'gran'."},
    {"v7-disabled.yaml", 3, true, "yard",
     "The story has changed since this save: at step 4 (scene 'yard'), the choice 'gate' is not "
     "available now. You "
     "continue from scene 'yard'."},
};

static void test_edited_packs(void **state)
{
    (void)state;
    pack *p1 = load("v1.yaml");
    game *g = base_game(p1, 4);
    buf b = BUF_INIT;
    save_encode(g, 0, &b);
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *v = &variants[i];
        pack *p = load(v->file);
        game *h = game_new(p);
        save_result r;
        char err[256] = "";
        game_start(h, 1, NULL);
        if (save_decode(b.data, b.len, h, &r, err, sizeof err) != 0)
            fail_msg("%s: %s", v->file, err);
        assert_int_equal(r.steps, 4);
        assert_int_equal(r.replayed, v->replayed);
        assert_int_equal(game_steps(h), v->replayed);
        assert_int_equal(r.diverged, v->diverged);
        assert_int_equal(r.other_version, i != 0);
        assert_string_equal(game_scene(h)->id, v->scene);
        if (strcmp(r.message, v->message))
            fail_msg("%s:\n got: %s\nwant: %s", v->file, r.message, v->message);
        assert_int_equal(game_seed(h), 42);
        /* The steps that fit were replayed by id. */
        for (size_t k = 0; k < r.replayed; k++)
            assert_string_equal(game_step_choice(h, k)->id, game_step_choice(g, k)->id);
        game_free(h);
        pack_free(p);
    }
    buf_free(&b);
    game_free(g);
    pack_free(p1);
}

/* Options are saved by name: v2 declares them in another order, with
 * their values in another order, and the game still gets the same ones. */
static void test_options_by_name(void **state)
{
    (void)state;
    pack *p1 = load("v1.yaml"), *p2 = load("v2-insert.yaml"), *p6 = load("v6-options.yaml");
    assert_int_not_equal(var_index(p1, "keeper"), var_index(p2, "keeper"));
    assert_int_not_equal(value_index(p1, "keeper", "grandad"),
                         value_index(p2, "keeper", "grandad"));
    assert_int_not_equal(value_index(p1, "mood", "storm"), value_index(p2, "mood", "storm"));
    game *g = base_game(p1, 1), *h = game_new(p2), *k = game_new(p6);
    buf b = BUF_INIT;
    save_result r;
    char err[256];
    save_encode(g, 0, &b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), 0);
    assert_false(r.diverged);
    assert_string_equal(r.message, "");
    assert_string_equal(option_value(h, "keeper"), "grandad");
    assert_string_equal(option_value(h, "mood"), "storm");

    /* v6: grandad is gone (the default, gran, is used), mood is gone,
     * and the new random option season is drawn from the seed. */
    assert_int_equal(save_decode(b.data, b.len, k, &r, err, sizeof err), 0);
    assert_string_equal(option_value(k, "keeper"), "gran");
    game *fresh = game_new(p6);
    game_start(fresh, 42, NULL);
    assert_string_equal(option_value(k, "season"), option_value(fresh, "season"));
    game_free(fresh);

    /* An option value that is not a name at all is malformed. */
    replace(&b, "option mood storm", "option mood Storm");
    reseal(&b);
    assert_int_equal(save_decode(b.data, b.len, h, &r, err, sizeof err), -1);
    buf_free(&b);
    game_free(g);
    game_free(h);
    game_free(k);
    pack_free(p1);
    pack_free(p2);
    pack_free(p6);
}

/* ---- files -------------------------------------------------------------- */

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/iwm-test-save-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void test_write_read(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    char *dir = make_tmpdir(), path[512], bak[600], err[256];
    snprintf(path, sizeof path, "%s/slot.save", dir);
    snprintf(bak, sizeof bak, "%s.bak", path);

    /* The first save: no .bak yet, mode 0600. */
    game *g = base_game(p, 2), *h = game_new(p);
    assert_int_equal(save_write(path, g, err, sizeof err), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(access(bak, F_OK), -1);
    assert_int_equal(count_entries(dir), 1);
    size_t n1;
    char *first = read_all(path, &n1);
    assert_non_null(first);

    save_result r;
    assert_int_equal(save_read(path, h, &r, err, sizeof err), 0);
    assert_same_game(g, h);

    /* The second keeps the first as .bak, byte for byte. */
    choose(g, "yes");
    assert_int_equal(save_write(path, g, err, sizeof err), 0);
    size_t n2, nb;
    char *second = read_all(path, &n2), *backup = read_all(bak, &nb);
    assert_non_null(backup);
    assert_int_equal(nb, n1);
    assert_memory_equal(backup, first, n1);
    assert_true(n2 != n1 || memcmp(second, first, n1));
    assert_int_equal(count_entries(dir), 2);
    assert_int_equal(save_read(path, h, &r, err, sizeof err), 0);
    assert_same_game(g, h);
    assert_int_equal(save_read(bak, h, &r, err, sizeof err), 0);
    assert_int_equal(game_steps(h), 2);

    /* The third: .bak is now the second. */
    choose(g, "wall");
    assert_int_equal(save_write(path, g, err, sizeof err), 0);
    free(backup);
    backup = read_all(bak, &nb);
    assert_int_equal(nb, n2);
    assert_memory_equal(backup, second, n2);
    assert_int_equal(count_entries(dir), 2);

    /* A missing file keeps ENOENT; a damaged one does not. */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.save", dir);
    snap before = snap_of(h);
    errno = 0;
    assert_int_equal(save_read(missing, h, &r, err, sizeof err), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err, "cannot read the save: No such file or directory");
    assert_snap(h, before);
    FILE *f = fopen(missing, "wb");
    fwrite(first, 1, n1 - 1, f);
    fclose(f);
    errno = ENOENT;
    assert_int_equal(save_read(missing, h, &r, err, sizeof err), -1);
    assert_int_not_equal(errno, ENOENT);
    assert_string_equal(err, damaged);
    assert_snap(h, before);

    /* A directory is not a save; neither is a file over the limit. */
    assert_int_equal(save_read(dir, h, &r, err, sizeof err), -1);
    assert_string_equal(err, "cannot read the save: it is not a regular file");
    assert_int_equal(truncate(missing, SAVE_MAX_BYTES + 1), 0);
    assert_int_equal(save_read(missing, h, &r, err, sizeof err), -1);
    assert_string_equal(err, "the save is too large (over 4 MB)");
    assert_snap(h, before);

    /* A directory that does not exist: the save fails cleanly. */
    char nodir[600];
    snprintf(nodir, sizeof nodir, "%s/no/such/slot.save", dir);
    assert_int_equal(save_write(nodir, g, err, sizeof err), -1);
    assert_string_equal(err, "cannot save: cannot create the file: No such file or directory");

    /* A stale temporary file from a crashed process with our pid. */
    char stale[700];
    snprintf(stale, sizeof stale, "%s.tmp.%ld", path, (long)getpid());
    f = fopen(stale, "wb");
    fputs("stale", f);
    fclose(f);
    assert_int_equal(save_write(path, g, err, sizeof err), 0);
    assert_int_equal(access(stale, F_OK), -1);

    free(first);
    free(second);
    free(backup);
    rm_rf(dir);
    free(dir);
    game_free(g);
    game_free(h);
    pack_free(p);
}

/* A path with no directory part: the save goes in the working directory
 * (which is also the directory made durable). */
static void test_write_in_cwd(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    char *dir = make_tmpdir(), cwd[4096], err[256];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    game *g = base_game(p, 3), *h = game_new(p);
    save_result r;
    assert_int_equal(save_write("slot.save", g, err, sizeof err), 0);
    choose(g, "wall");
    assert_int_equal(save_write("slot.save", g, err, sizeof err), 0);
    assert_int_equal(count_entries("."), 2);
    assert_int_equal(save_read("slot.save", h, &r, err, sizeof err), 0);
    assert_same_game(g, h);
    assert_int_equal(save_read("slot.save.bak", h, &r, err, sizeof err), 0);
    assert_int_equal(game_steps(h), 3);
    assert_int_equal(chdir(cwd), 0);
    rm_rf(dir);
    free(dir);
    game_free(g);
    game_free(h);
    pack_free(p);
}

static void test_info_read(void **state)
{
    (void)state;
    pack *p = load("v1.yaml");
    char *dir = make_tmpdir(), path[512], err[256];
    snprintf(path, sizeof path, "%s/slot.save", dir);
    save_info info;

    game *g = base_game(p, 0);
    assert_int_equal(save_write(path, g, err, sizeof err), 0);
    assert_int_equal(save_info_read(path, &info), 0);
    assert_string_equal(info.pack_id, "savetest");
    assert_int_equal(info.steps, 0);
    assert_string_equal(info.scene_id, "start");
    game_free(g);

    g = base_game(p, 3);
    assert_int_equal(save_write(path, g, err, sizeof err), 0);
    assert_int_equal(save_info_read(path, &info), 0);
    assert_int_equal(info.steps, 3);
    assert_string_equal(info.scene_id, "rom-keys"); /* the last step's scene */
    assert_int_equal(strlen(info.saved), 20);
    assert_int_equal(info.saved[10], 'T');
    assert_int_equal(info.saved[19], 'Z');

    /* Exact text: the time as written. */
    buf b = BUF_INIT;
    save_encode(g, 1700000000, &b);
    FILE *f = fopen(path, "wb");
    fwrite(b.data, 1, b.len, f);
    fclose(f);
    assert_int_equal(save_info_read(path, &info), 0);
    assert_string_equal(info.saved, "2023-11-14T22:13:20Z");

    /* Damaged or missing: -1. */
    f = fopen(path, "wb");
    fwrite(b.data, 1, b.len - 3, f);
    fclose(f);
    assert_int_equal(save_info_read(path, &info), -1);
    unlink(path);
    errno = 0;
    assert_int_equal(save_info_read(path, &info), -1);
    assert_int_equal(errno, ENOENT);

    buf_free(&b);
    rm_rf(dir);
    free(dir);
    game_free(g);
    pack_free(p);
}

static void test_save_dir(void **state)
{
    (void)state;
    char *dir = make_tmpdir(), want[1024], out[1024], err[256];
    char *old_xdg = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    struct stat sb;

    /* XDG_STATE_HOME, created with its parents, mode 0700. */
    char xdg[600];
    snprintf(xdg, sizeof xdg, "%s/state/deeper", dir);
    setenv("XDG_STATE_HOME", xdg, 1);
    snprintf(want, sizeof want, "%s/iwm/savetest", xdg);
    assert_int_equal(save_dir("savetest", false, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(out, want);
    assert_int_equal(stat(out, &sb), -1); /* not created when not asked */
    assert_int_equal(save_dir("savetest", true, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(out, want);
    assert_int_equal(stat(out, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(save_dir("savetest", true, out, sizeof out, err, sizeof err),
                     0); /* again: fine */

    /* A relative XDG_STATE_HOME is ignored (the spec says so): HOME. */
    setenv("XDG_STATE_HOME", "relative/state", 1);
    setenv("HOME", dir, 1);
    snprintf(want, sizeof want, "%s/.local/state/iwm/savetest", dir);
    assert_int_equal(save_dir("savetest", true, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(out, want);
    assert_int_equal(stat(out, &sb), 0);
    unsetenv("XDG_STATE_HOME");
    assert_int_equal(save_dir("savetest", false, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(out, want);

    /* Neither: no directory. */
    unsetenv("HOME");
    assert_int_equal(save_dir("savetest", false, out, sizeof out, err, sizeof err), -1);
    assert_string_equal(err, "no directory for saves: set HOME or XDG_STATE_HOME");

    /* A relative HOME is no better than none. */
    setenv("HOME", "relative/home", 1);
    assert_int_equal(save_dir("savetest", false, out, sizeof out, err, sizeof err), -1);
    assert_string_equal(err, "no directory for saves: set HOME or XDG_STATE_HOME");
    assert_int_equal(errno, ENOENT);

    /* Too small an output; an id that would escape, or read as an option. */
    setenv("HOME", dir, 1);
    assert_int_equal(save_dir("savetest", false, out, 10, err, sizeof err), -1);
    assert_string_equal(err, "no save directory: the path is too long");
    static const char *const bad_ids[] = {"-x", "../x", "", NULL};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        err[0] = '\0';
        errno = 0;
        assert_int_equal(save_dir(bad_ids[i], true, out, sizeof out, err, sizeof err), -1);
        assert_string_equal(err, "no save directory: the pack id is not valid");
        assert_int_equal(errno, EINVAL);
    }

    /* An XDG_STATE_HOME of 4090 bytes does not fit a 4096-byte path with
     * "/iwm/" and the pack id (play.c's buffer)... */
    char big[4200], bigout[4096], msg[1024];
    size_t nd = (size_t)snprintf(big, sizeof big, "%s/", dir);
    memset(big + nd, 'x', 4090 - nd);
    big[4090] = '\0';
    setenv("XDG_STATE_HOME", big, 1);
    errno = 0;
    assert_int_equal(save_dir("savetest", true, bigout, sizeof bigout, err, sizeof err), -1);
    assert_string_equal(err, "no save directory: the path is too long");
    assert_int_equal(errno, ENAMETOOLONG);
    /* ...one of 4000 bytes fits, and is refused by mkdir (a name over
     * 255 bytes) with the reason. */
    big[4000] = '\0';
    setenv("XDG_STATE_HOME", big, 1);
    assert_int_equal(save_dir("savetest", false, bigout, sizeof bigout, err, sizeof err), 0);
    assert_int_equal(strlen(bigout), 4000 + strlen("/iwm/savetest"));
    errno = 0;
    assert_int_equal(save_dir("savetest", true, bigout, sizeof bigout, err, sizeof err), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    snprintf(msg, sizeof msg, "cannot create the save directory %s/xxx", dir);
    assert_memory_equal(err, msg, strlen(msg));

    /* A file where a directory should be: XDG_STATE_HOME itself, its
     * iwm directory, or the pack's directory. */
    char file[700];
    snprintf(file, sizeof file, "%s/file", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    setenv("XDG_STATE_HOME", file, 1);
    assert_int_equal(save_dir("savetest", true, out, sizeof out, err, sizeof err), -1);
    snprintf(msg, sizeof msg, "cannot create the save directory %s/iwm: Not a directory", file);
    assert_string_equal(err, msg);
    assert_int_equal(errno, ENOTDIR);

    char xdg2[700], iwm[800];
    snprintf(xdg2, sizeof xdg2, "%s/x2", dir);
    snprintf(iwm, sizeof iwm, "%s/iwm", xdg2);
    assert_int_equal(mkdir(xdg2, 0700), 0);
    f = fopen(iwm, "w");
    fclose(f);
    setenv("XDG_STATE_HOME", xdg2, 1);
    assert_int_equal(save_dir("savetest", true, out, sizeof out, err, sizeof err), -1);
    snprintf(msg, sizeof msg, "cannot create the save directory %s/savetest: Not a directory", iwm);
    assert_string_equal(err, msg);
    assert_int_equal(errno, ENOTDIR);

    char packdir[900];
    unlink(iwm);
    assert_int_equal(mkdir(iwm, 0700), 0);
    snprintf(packdir, sizeof packdir, "%s/savetest", iwm);
    f = fopen(packdir, "w");
    fclose(f);
    assert_int_equal(save_dir("savetest", true, out, sizeof out, err, sizeof err), -1);
    snprintf(msg, sizeof msg, "cannot use the save directory %s: it is not a directory", packdir);
    assert_string_equal(err, msg);
    assert_int_equal(errno, ENOTDIR);

    /* A dangling symlink where the directory should be: mkdir says it
     * exists, stat that it does not. */
    unlink(packdir);
    char missing[920];
    snprintf(missing, sizeof missing, "%s/missing", iwm);
    assert_int_equal(symlink(missing, packdir), 0);
    assert_int_equal(save_dir("savetest", true, out, sizeof out, err, sizeof err), -1);
    assert_string_equal(err, msg);
    assert_int_equal(errno, ENOTDIR);
    unlink(packdir);

    if (old_xdg)
        setenv("XDG_STATE_HOME", old_xdg, 1);
    else
        unsetenv("XDG_STATE_HOME");
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);
    rm_rf(dir);
    free(dir);
}

static void test_slot_ok(void **state)
{
    (void)state;
    assert_true(save_slot_ok("a"));
    assert_true(save_slot_ok("quick-save_1"));
    assert_true(save_slot_ok("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"));   /* 32 */
    assert_false(save_slot_ok("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")); /* 33 */
    assert_false(save_slot_ok(""));
    assert_false(save_slot_ok(NULL));
    assert_false(save_slot_ok("a b"));
    assert_false(save_slot_ok("../x"));
    assert_false(save_slot_ok("a/b"));
    assert_false(save_slot_ok(".bak"));
    assert_false(save_slot_ok("caf\xc3\xa9"));
    assert_false(save_slot_ok("a~"));
    assert_false(save_slot_ok("a{"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_exact),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_after_undo),
        cmocka_unit_test(test_seed_and_random_option),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_too_many_steps),
        cmocka_unit_test(test_first_line_and_size),
        cmocka_unit_test(test_long_ids),
        cmocka_unit_test(test_notes_that_do_not_fit),
        cmocka_unit_test(test_encode_edges),
        cmocka_unit_test(test_edited_packs),
        cmocka_unit_test(test_options_by_name),
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_write_in_cwd),
        cmocka_unit_test(test_info_read),
        cmocka_unit_test(test_save_dir),
        cmocka_unit_test(test_slot_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
