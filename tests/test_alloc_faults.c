/*
 * Allocation failure, in the manner of SQLite's malloc tests: malloc,
 * calloc and realloc are wrapped at link time (-Wl,--wrap=malloc,... in
 * tests/CMakeLists.txt; libyaml is linked statically there when libyaml.a
 * exists, so that its allocations are wrapped too). For each operation,
 * the allocations it makes are counted once; then for N = 1, 2, ... the
 * operation runs again in a forked child with the Nth allocation failing,
 * once (the later ones succeed) and then permanently (every one from N
 * on fails), until a run completes without reaching the Nth allocation.
 * The child must then do one of three things:
 *   - succeed, with the same result as without a failure;
 *   - return a clean error (a pack refused with diagnostics, a save not
 *     written with the previous one intact, a save not read);
 *   - exit with status 70 after printing "iwm: out of memory" (xmalloc's
 *     contract: out-of-memory is fatal, never a crash).
 * It must never die of a signal and, under AddressSanitizer, never leak:
 * the test re-executes itself once at start with exitcode=99 appended to
 * ASAN_OPTIONS, so a leak report in a child is an exit of 99, told apart
 * from 70.
 * Operations: loading the lighthouse example from memory, loading the
 * default story (pack_load_embedded), encoding and writing a save, and
 * reading a save. Operations with more than SAMPLE_ALL allocations are
 * sampled (every allocation among the first 200, then evenly spaced, 1,000
 * points in all per mode), unless IWM_ALLOC_FAULTS_ALL=1. Each test prints
 * how many failure points it injected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "game.h"
#include "pack.h"
#include "pack_int.h"
#include "save.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* ---- the wrapped allocator ---------------------------------------------- */

static struct {
    bool armed;
    long count;     /* allocations since arming */
    long fail_at;   /* 0: never */
    bool permanent; /* fail every allocation from fail_at on */
    bool hit;       /* an allocation was failed */
} inj;

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__real_calloc(size_t count, size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static bool fail_now(void)
{
    if (!inj.armed)
        return false;
    long k = ++inj.count;
    if (inj.fail_at && (k == inj.fail_at || (inj.permanent && k > inj.fail_at))) {
        inj.hit = true;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t count, size_t size)
{
    return fail_now() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

static void arm(long fail_at, bool permanent)
{
    inj.count = 0;
    inj.fail_at = fail_at;
    inj.permanent = permanent;
    inj.hit = false;
    inj.armed = true;
}

static void disarm(void)
{
    inj.armed = false;
}

/* Registered in each child before arming, so that it runs first at exit
 * (exit(70) from xmalloc included): whatever runs after it (gcov's
 * counters in a --coverage build, LeakSanitizer) allocates normally. */
static void disarm_at_exit(void)
{
    inj.armed = false;
}

/* ---- running one operation under injection ------------------------------ */

/* What an operation reports from a child. */
enum { OP_OK, OP_CLEAN, OP_WRONG };

typedef struct op {
    const char *name;
    /* Runs the operation; injection is armed around the part under test
     * only (op_run arms and disarms). Returns OP_OK, OP_CLEAN or
     * OP_WRONG (the result is wrong: a damaged save, a different pack). */
    int (*run)(void *ctx);
    void *ctx;
    /* In the parent, before each child (may be NULL): restores the files. */
    void (*reset)(void *ctx);
    /* In the parent, after each child (may be NULL): checks what it left
     * on disk, whatever its status; returns NULL or what is wrong. */
    const char *(*after)(void *ctx);
} op;

/* Child exit statuses, besides 70 (xmalloc) and 99 (a leak, under ASan). */
enum { X_HIT = 0, X_NOT_HIT = 3, X_WRONG = 4 };

typedef struct tally {
    long points;  /* failure points injected */
    long ok, clean, oom;
} tally;

static char errpath[64];

/* Runs o in a child with the fail_at-th allocation failing. Returns the
 * child's classified status; fails the test on a crash or a leak. */
static int child(const op *o, long fail_at, bool permanent, tally *t)
{
    if (o->reset)
        o->reset(o->ctx);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        atexit(disarm_at_exit);
        arm(fail_at, permanent);
        int r = o->run(o->ctx);
        bool hit = inj.hit;
        disarm();
        exit(r == OP_WRONG ? X_WRONG : !hit ? X_NOT_HIT : r == OP_OK ? X_HIT : 10 + r);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    char err[4096] = "";
    FILE *f = fopen(errpath, "r");
    if (f) {
        size_t k = fread(err, 1, sizeof err - 1, f);
        err[k] = '\0';
        fclose(f);
    }
    const char *mode = permanent ? "from" : "at";
    if (WIFSIGNALED(status))
        fail_msg("%s: allocation %s #%ld failing: killed by signal %d\n%s", o->name, mode, fail_at,
                 WTERMSIG(status), err);
    int code = WEXITSTATUS(status);
    switch (code) {
    case X_HIT:
        t->ok++;
        break;
    case 10 + OP_CLEAN:
        t->clean++;
        break;
    case 70:
        if (!strstr(err, "iwm: out of memory"))
            fail_msg("%s: allocation %s #%ld: exit 70 without \"iwm: out of memory\":\n%s",
                     o->name, mode, fail_at, err);
        t->oom++;
        break;
    case X_NOT_HIT:
        break;
    case 99:
        fail_msg("%s: allocation %s #%ld failing: a leak\n%s", o->name, mode, fail_at, err);
        break;
    case X_WRONG:
        fail_msg("%s: allocation %s #%ld failing: a wrong result\n%s", o->name, mode, fail_at, err);
        break;
    default:
        fail_msg("%s: allocation %s #%ld failing: exit status %d\n%s", o->name, mode, fail_at, code,
                 err);
    }
    const char *wrong = o->after ? o->after(o->ctx) : NULL;
    if (wrong)
        fail_msg("%s: allocation %s #%ld failing (exit %d): %s", o->name, mode, fail_at, code, wrong);
    if (code != X_NOT_HIT)
        t->points++;
    return code;
}

enum { SAMPLE_ALL = 2500, SAMPLE_FIRST = 200, SAMPLE_POINTS = 1000 };

/* Counts the allocations of o, then fails each in turn (or a sample),
 * once and permanently. Prints and returns the number of points. */
static long sweep(const op *o)
{
    if (o->reset)
        o->reset(o->ctx);
    arm(0, false);
    int r = o->run(o->ctx);
    long total = inj.count;
    disarm();
    if (r != OP_OK)
        fail_msg("%s fails without any injected failure", o->name);
    assert_true(total > 0);
    const char *all = getenv("IWM_ALLOC_FAULTS_ALL");
    bool every = total <= SAMPLE_ALL || (all && !strcmp(all, "1"));
    tally t = {0};
    for (int pass = 0; pass < 2; pass++) {
        bool permanent = pass == 1;
        long n = 1, k = 0;
        for (;;) {
            int code = child(o, n, permanent, &t);
            if (code == X_NOT_HIT) {
                if (n <= total)
                    fail_msg("%s: allocation #%ld of %ld was never made (not deterministic?)",
                             o->name, n, total);
                break;
            }
            if (n > total)
                fail_msg("%s: allocation #%ld made, but a clean run makes %ld", o->name, n, total);
            k++;
            if (every || n < SAMPLE_FIRST)
                n++;
            else {
                long step = (total - SAMPLE_FIRST) / (SAMPLE_POINTS - SAMPLE_FIRST);
                n += step > 1 ? step : 1;
                if (n > total)
                    n = total + 1; /* the last run: must complete without a failure */
            }
        }
        (void)k;
    }
    print_message("%s: %ld allocations; %ld failure points injected (%s): %ld succeeded, "
                  "%ld clean errors, %ld out-of-memory exits\n",
                  o->name, total, t.points, every ? "every allocation" : "sampled", t.ok, t.clean,
                  t.oom);
    return t.points;
}

/* ---- the operations ----------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    buf b = BUF_INIT;
    char tmp[4096];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, k);
    fclose(f);
    *len = b.len;
    return b.data;
}

typedef struct load_ctx {
    const char *names[2];
    const char *files[2];
    size_t lens[2];
    bool embedded;
    /* the pack as it loads without a failure */
    char hash[17];
    int nscenes, nchoices, nvars;
} load_ctx;

static int run_load(void *vc)
{
    load_ctx *c = vc;
    diags *d = diags_new();
    pack *p = c->embedded ? pack_load_embedded(d) : pack_load_memory("", c->names, c->files, c->lens, 2, d);
    disarm();
    int r;
    if (!p)
        r = diag_errors(d) > 0 ? OP_CLEAN : OP_WRONG;
    else if (c->hash[0] && (strcmp(pack_hash(p), c->hash) || p->nscenes != c->nscenes ||
                            p->nchoices != c->nchoices || p->nvars != c->nvars))
        r = OP_WRONG;
    else
        r = OP_OK;
    if (r == OP_WRONG)
        fprintf(stderr, "the pack %s\n", p ? "differs from the one loaded without a failure"
                                           : "was refused without an error");
    if (p && !c->hash[0]) {
        snprintf(c->hash, sizeof c->hash, "%s", pack_hash(p));
        c->nscenes = p->nscenes;
        c->nchoices = p->nchoices;
        c->nvars = p->nvars;
    }
    pack_free(p);
    diags_free(d);
    return r;
}

static void lighthouse(load_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->names[0] = "pack.yaml";
    c->names[1] = "chapters/night.yaml";
    c->files[0] = slurp(IWM_SOURCE_DIR "/story/examples/lighthouse/pack.yaml", &c->lens[0]);
    c->files[1] = slurp(IWM_SOURCE_DIR "/story/examples/lighthouse/chapters/night.yaml", &c->lens[1]);
}

static void test_load_lighthouse(void **state)
{
    (void)state;
    load_ctx c;
    lighthouse(&c);
    op o = {"load lighthouse", run_load, &c, NULL, NULL};
    assert_true(sweep(&o) > 0);
    free((void *)c.files[0]);
    free((void *)c.files[1]);
}

static void test_load_embedded(void **state)
{
    (void)state;
    load_ctx c = {.embedded = true};
    op o = {"load the default story", run_load, &c, NULL, NULL};
    assert_true(sweep(&o) > 0);
}

/* Saves: a lighthouse game a few choices in, and a directory holding a
 * previous save. */
typedef struct save_ctx {
    pack *p;
    game *g;     /* the game to write */
    game *older; /* the previous save's game */
    buf old_text, want_text;
    char dir[64], path[128];
} save_ctx;

static game *played(const pack *p, int steps)
{
    game *g = game_new(p);
    game_start(g, 7, NULL);
    for (int i = 0; i < steps && !game_over(g); i++) {
        const pk_scene *sc = game_scene(g);
        for (int j = 0; j < sc->nchoices; j++)
            if (game_choose(g, sc->choices[(j + i) % sc->nchoices]) == GAME_OK)
                break;
    }
    return g;
}

static void put_file(const char *path, const buf *b)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    assert_int_equal(fclose(f), 0);
}

static bool file_is(const char *path, const buf *b)
{
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fclose(f);
    char *s = slurp(path, &n);
    bool same = n == b->len && !memcmp(s, b->data, n);
    free(s);
    return same;
}

static void save_setup(save_ctx *c)
{
    load_ctx lc;
    lighthouse(&lc);
    diags *d = diags_new();
    c->p = pack_load_memory("", lc.names, lc.files, lc.lens, 2, d);
    assert_non_null(c->p);
    diags_free(d);
    free((void *)lc.files[0]);
    free((void *)lc.files[1]);
    c->g = played(c->p, 5);
    c->older = played(c->p, 2);
    buf_free(&c->old_text);
    save_encode(c->older, 1000, &c->old_text);
    snprintf(c->dir, sizeof c->dir, "/tmp/iwm-alloc-faults-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    snprintf(c->path, sizeof c->path, "%s/slot.save", c->dir);
}

static void save_teardown(save_ctx *c)
{
    char bak[160];
    snprintf(bak, sizeof bak, "%s.bak", c->path);
    unlink(c->path);
    unlink(bak);
    rmdir(c->dir);
    buf_free(&c->old_text);
    buf_free(&c->want_text);
    game_free(c->g);
    game_free(c->older);
    pack_free(c->p);
}

/* The game in the file at path, compared with want. */
static bool loads_as(const save_ctx *c, const char *path, const game *want)
{
    game *h = game_new(c->p);
    game_start(h, 1, NULL);
    save_result r;
    char err[256];
    bool ok = save_read(path, h, &r, err, sizeof err) == 0 && !r.diverged &&
              game_steps(h) == game_steps(want) &&
              !memcmp(game_state(h), game_state(want), (size_t)c->p->state_size * sizeof(int32_t));
    game_free(h);
    return ok;
}

static int run_write(void *vc)
{
    save_ctx *c = vc;
    char err[512] = "";
    buf b = BUF_INIT;
    save_encode(c->g, 2000, &b);
    int rc = save_write(c->path, c->g, err, sizeof err);
    disarm();
    buf_free(&b);
    if (rc == 0)
        return loads_as(c, c->path, c->g) ? OP_OK : OP_WRONG;
    if (!err[0] || !file_is(c->path, &c->old_text)) {
        fprintf(stderr, "save_write failed (%s) and the previous save changed\n", err);
        return OP_WRONG;
    }
    return OP_CLEAN;
}

/* Each child starts from the same directory: the previous save only. */
static void write_reset(void *vc)
{
    save_ctx *c = vc;
    char bak[160];
    snprintf(bak, sizeof bak, "%s.bak", c->path);
    unlink(bak);
    put_file(c->path, &c->old_text);
}

/* Whatever happened (even an exit in the middle of save_write), the save
 * is the previous one or the new one, and no temporary file is left. */
static const char *write_after(void *vc)
{
    save_ctx *c = vc;
    if (!file_is(c->path, &c->old_text) && !loads_as(c, c->path, c->g))
        return "the save is neither the previous one nor the new one";
    char bak[160];
    snprintf(bak, sizeof bak, "%s.bak", c->path);
    DIR *d = opendir(c->dir);
    struct dirent *e;
    const char *litter = NULL;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "slot.save") &&
            strcmp(e->d_name, "slot.save.bak")) {
            static char msg[300];
            snprintf(msg, sizeof msg, "a file was left behind: %s", e->d_name);
            litter = msg;
            char path[400];
            snprintf(path, sizeof path, "%s/%s", c->dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    return litter;
}

static void test_write_save(void **state)
{
    (void)state;
    save_ctx c = {.old_text = BUF_INIT, .want_text = BUF_INIT};
    save_setup(&c);
    write_reset(&c);
    op o = {"encode and write a save", run_write, &c, write_reset, write_after};
    assert_true(sweep(&o) > 0);
    save_teardown(&c);
}

static int run_read(void *vc)
{
    save_ctx *c = vc;
    char err[512] = "";
    save_result r;
    game *g = game_new(c->p);
    game_start(g, 3, NULL);
    int rc = save_read(c->path, g, &r, err, sizeof err);
    disarm();
    int res;
    if (rc == 0)
        res = game_steps(g) == game_steps(c->g) &&
                      !memcmp(game_state(g), game_state(c->g),
                              (size_t)c->p->state_size * sizeof(int32_t))
                  ? OP_OK
                  : OP_WRONG;
    else
        res = err[0] ? OP_CLEAN : OP_WRONG;
    game_free(g);
    return res;
}

static void test_read_save(void **state)
{
    (void)state;
    save_ctx c = {.old_text = BUF_INIT, .want_text = BUF_INIT};
    save_setup(&c);
    save_encode(c.g, 3000, &c.want_text);
    put_file(c.path, &c.want_text);
    op o = {"read a save", run_read, &c, NULL, NULL};
    assert_true(sweep(&o) > 0);
    save_teardown(&c);
}

#ifdef UNDER_ASAN
static void *volatile kept;

static __attribute__((noinline)) void lose(void)
{
    kept = malloc(4096);
    memset(kept, 1, 4096);
    kept = NULL;
}

/* The harness itself: a child that leaks exits with 99, not 0, so that a
 * leak in the sweeps above cannot pass unnoticed. */
static void test_leak_is_detected(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 2);
        lose();
        exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 99);
}
#endif

int main(int argc, char **argv)
{
    (void)argc;
#ifdef UNDER_ASAN
    /* Once: the same program again with exitcode=99, so that a leak in a
     * child is an exit of 99 (children are forks and inherit it). */
    if (!getenv("IWM_ALLOC_FAULTS_REEXEC")) {
        const char *old = getenv("ASAN_OPTIONS");
        char opts[1024];
        snprintf(opts, sizeof opts, "%s%sexitcode=99:detect_leaks=1", old ? old : "",
                 old && *old ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        setenv("IWM_ALLOC_FAULTS_REEXEC", "1", 1);
        execv("/proc/self/exe", argv);
        perror("test_alloc_faults: re-exec");
        return 1;
    }
#else
    (void)argv;
#endif
    snprintf(errpath, sizeof errpath, "/tmp/iwm-alloc-faults-%ld.err", (long)getpid());
    const struct CMUnitTest tests[] = {
#ifdef UNDER_ASAN
        cmocka_unit_test(test_leak_is_detected),
#endif
        cmocka_unit_test(test_load_lighthouse),
        cmocka_unit_test(test_load_embedded),
        cmocka_unit_test(test_write_save),
        cmocka_unit_test(test_read_save),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(errpath);
    return rc;
}
