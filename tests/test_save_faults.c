/*
 * Fault injection for save_write and save_read, in the manner of SQLite's
 * I/O tests.
 * The system calls save.c makes are wrapped at link time
 * (-Wl,--wrap=open,... in tests/CMakeLists.txt): while armed, each call is
 * counted and traced, and the Nth call of one function can be made to
 * fail with a chosen errno. For every call a save makes, and each errno,
 * the save is run again with that call failing, and then:
 *   - before the commit point (the rename of the temporary file over the
 *     save) save_write returns -1 with the strerror text in its reason,
 *     the previous save is byte-identical and still loads, and the .bak
 *     is the old backup, a copy of the previous save, or absent;
 *   - after it (the directory fsync) the save has succeeded and says so;
 *   - in both cases no temporary file is left in the directory.
 * The same sweeps run with short writes and EINTR, with hard links not
 * supported (the .bak is then copied), and with no previous save. Reading
 * a save gives a clean error when a call fails, and retries EINTR.
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
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "game.h"
#include "pack.h"
#include "save.h"

/* ---- the wrapped calls -------------------------------------------------- */

enum {
    F_OPEN,
    F_WRITE,
    F_FSYNC,
    F_CLOSE,
    F_LINK,
    F_RENAME,
    F_UNLINK,
    F_LSTAT,
    F_FSTAT,
    F_READ,
    NF
};
static const char *const fname[NF] = {"open",   "write",  "fsync", "close", "link",
                                      "rename", "unlink", "lstat", "fstat", "read"};

enum { MAX_TRACE = 4096 };
static struct {
    bool armed;
    int calls[NF];
    int fail_fn, fail_nth, fail_errno; /* once: the fail_nth call of fail_fn */
    int always_fn, always_errno;       /* every call of always_fn */
    bool short_writes;                 /* write at most 5 bytes, and EINTR every other call */
    bool short_reads;                  /* the same for reads */
    bool zero_writes;                  /* write returns 0 (nothing written, no error) */
    bool small_fstat;                  /* fstat says the file is empty */
    bool writable[1024];               /* descriptors opened for writing */
    int trace[MAX_TRACE][2];           /* function, its call number */
    int ntrace;
} inj = {.fail_fn = -1, .always_fn = -1};

/* Counts the call; true when it must fail (errno is then set). */
static bool inject(int fn)
{
    if (!inj.armed)
        return false;
    int nth = ++inj.calls[fn];
    if (inj.ntrace < MAX_TRACE) {
        inj.trace[inj.ntrace][0] = fn;
        inj.trace[inj.ntrace][1] = nth;
        inj.ntrace++;
    }
    if (fn == inj.fail_fn && nth == inj.fail_nth) {
        errno = inj.fail_errno;
        return true;
    }
    if (fn == inj.always_fn) {
        errno = inj.always_errno;
        return true;
    }
    return false;
}

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *data, size_t n);
ssize_t __wrap_write(int fd, const void *data, size_t n);
int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_close(int fd);
int __wrap_close(int fd);
int __real_link(const char *from, const char *to);
int __wrap_link(const char *from, const char *to);
int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);
int __real_unlink(const char *path);
int __wrap_unlink(const char *path);
int __real_lstat(const char *path, struct stat *sb);
int __wrap_lstat(const char *path, struct stat *sb);
int __real_fstat(int fd, struct stat *sb);
int __wrap_fstat(int fd, struct stat *sb);
ssize_t __real_read(int fd, void *data, size_t n);
ssize_t __wrap_read(int fd, void *data, size_t n);

int __wrap_open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (inject(F_OPEN))
        return -1;
    int fd = __real_open(path, flags, mode);
    if (fd >= 0 && fd < 1024)
        inj.writable[fd] = (flags & O_ACCMODE) != O_RDONLY;
    return fd;
}

ssize_t __wrap_write(int fd, const void *data, size_t n)
{
    if (inject(F_WRITE))
        return -1;
    if (inj.armed && inj.zero_writes)
        return 0;
    if (inj.armed && inj.short_writes) {
        if (inj.calls[F_WRITE] % 2) {
            errno = EINTR;
            return -1;
        }
        if (n > 5)
            n = 5;
    }
    return __real_write(fd, data, n);
}

int __wrap_fsync(int fd)
{
    return inject(F_FSYNC) ? -1 : __real_fsync(fd);
}

/* Only closes of files opened for writing are counted and failed: a
 * close after reading cannot lose data, and save.c rightly ignores it.
 * A failing close still closes (as on Linux), so no descriptor leaks. */
int __wrap_close(int fd)
{
    bool fail = fd >= 0 && fd < 1024 && inj.writable[fd] && inject(F_CLOSE);
    int e = errno;
    int rc = __real_close(fd);
    if (fail) {
        errno = e;
        return -1;
    }
    return rc;
}

int __wrap_link(const char *from, const char *to)
{
    return inject(F_LINK) ? -1 : __real_link(from, to);
}

int __wrap_rename(const char *from, const char *to)
{
    return inject(F_RENAME) ? -1 : __real_rename(from, to);
}

int __wrap_unlink(const char *path)
{
    return inject(F_UNLINK) ? -1 : __real_unlink(path);
}

int __wrap_lstat(const char *path, struct stat *sb)
{
    return inject(F_LSTAT) ? -1 : __real_lstat(path, sb);
}

int __wrap_fstat(int fd, struct stat *sb)
{
    if (inject(F_FSTAT))
        return -1;
    int rc = __real_fstat(fd, sb);
    if (rc == 0 && inj.armed && inj.small_fstat)
        sb->st_size = 0; /* as if the file grew after fstat */
    return rc;
}

ssize_t __wrap_read(int fd, void *data, size_t n)
{
    if (inject(F_READ))
        return -1;
    if (inj.armed && inj.short_reads) {
        if (inj.calls[F_READ] % 2) {
            errno = EINTR;
            return -1;
        }
        if (n > 5)
            n = 5;
    }
    return __real_read(fd, data, n);
}

static void arm(int fail_fn, int fail_nth, int fail_errno)
{
    memset(inj.calls, 0, sizeof inj.calls);
    inj.ntrace = 0;
    inj.fail_fn = fail_fn;
    inj.fail_nth = fail_nth;
    inj.fail_errno = fail_errno;
    inj.armed = true;
}

static void disarm(void)
{
    inj.armed = false;
}

/* ---- fixtures ----------------------------------------------------------- */

typedef struct fixture {
    pack *p;
    game *older, *old, *now; /* the .bak, the save, the game being saved */
    buf older_text, old_text;
    char dir[256], path[512], bak[600];
} fixture;

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

static game *play(const pack *p, size_t steps)
{
    static const char *const log[] = {"wait", "go", "yes", "gate"};
    game *g = game_new(p);
    game_start(g, 42, NULL);
    for (size_t i = 0; i < steps; i++)
        choose(g, log[i]);
    return g;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    diags *d = diags_new();
    f->p = pack_load(IWM_SOURCE_DIR "/tests/packs/saves/v1.yaml", d);
    diags_free(d);
    if (!f->p)
        return -1;
    f->older = play(f->p, 1);
    f->old = play(f->p, 2);
    f->now = play(f->p, 4);
    save_encode(f->older, 1000, &f->older_text);
    save_encode(f->old, 2000, &f->old_text);
    snprintf(f->dir, sizeof f->dir, "/tmp/iwm-test-faults-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/slot.save", f->dir);
    snprintf(f->bak, sizeof f->bak, "%s.bak", f->path);
    *state = f;
    return 0;
}

static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        unlink(sub);
    }
    closedir(d);
}

static int teardown(void **state)
{
    fixture *f = *state;
    clear_dir(f->dir);
    rmdir(f->dir);
    buf_free(&f->older_text);
    buf_free(&f->old_text);
    game_free(f->older);
    game_free(f->old);
    game_free(f->now);
    pack_free(f->p);
    free(f);
    return 0;
}

static void put_file(const char *path, const buf *b)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b->data, 1, b->len, fp), b->len);
    assert_int_equal(fclose(fp), 0);
}

/* 1: the file holds exactly b; 0: it holds something else; -1: absent. */
static int file_is(const char *path, const buf *b)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    buf got = BUF_INIT;
    char tmp[4096];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, fp)) > 0)
        buf_append(&got, tmp, k);
    fclose(fp);
    int same = got.len == b->len && !memcmp(got.data, b->data, b->len);
    buf_free(&got);
    return same;
}

/* The directory holds only the save and its .bak: no temporary file. */
static void assert_no_litter(const fixture *f)
{
    DIR *d = opendir(f->dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "slot.save") &&
            strcmp(e->d_name, "slot.save.bak"))
            fail_msg("left behind: %s", e->d_name);
    closedir(d);
}

/* The game at path, replayed: the same steps as want. */
static void assert_loads_as(const fixture *f, const char *path, const game *want)
{
    game *g = game_new(f->p);
    save_result r;
    char err[256];
    game_start(g, 1, NULL);
    if (save_read(path, g, &r, err, sizeof err) != 0)
        fail_msg("%s does not load: %s", path, err);
    assert_false(r.diverged);
    assert_int_equal(game_steps(g), game_steps(want));
    assert_memory_equal(game_state(g), game_state(want),
                        (size_t)f->p->state_size * sizeof(int32_t));
    game_free(g);
}

typedef enum { PREVIOUS, FIRST } start_kind;

static void prepare(const fixture *f, start_kind k)
{
    clear_dir(f->dir);
    if (k == PREVIOUS) {
        put_file(f->path, &f->old_text);
        put_file(f->bak, &f->older_text);
    }
}

/* One save with the injection as armed; checks everything after it.
 * committed: whether the failing call comes after the commit point. */
static void check_one(const fixture *f, start_kind k, int fn, int nth, int e, bool committed)
{
    char err[512] = "";
    prepare(f, k);
    arm(fn, nth, e);
    int rc = save_write(f->path, f->now, err, sizeof err);
    disarm();
    assert_no_litter(f);
    if (committed) {
        if (rc != 0)
            fail_msg("%s #%d (%s) after the commit: %s", fname[fn], nth, strerror(e), err);
        assert_loads_as(f, f->path, f->now);
        if (k == PREVIOUS) {
            assert_int_equal(file_is(f->bak, &f->old_text), 1);
            assert_loads_as(f, f->bak, f->old);
        }
        return;
    }
    if (rc != -1)
        fail_msg("%s #%d failing (%s) was not reported", fname[fn], nth, strerror(e));
    if (strncmp(err, "cannot save: ", 13) || !strstr(err, strerror(e)))
        fail_msg("%s #%d: reason \"%s\" lacks \"%s\"", fname[fn], nth, err, strerror(e));
    if (k == FIRST) {
        assert_int_equal(file_is(f->path, &f->old_text), -1);
        assert_int_equal(file_is(f->bak, &f->old_text), -1);
        return;
    }
    if (file_is(f->path, &f->old_text) != 1)
        fail_msg("%s #%d (%s): the previous save changed", fname[fn], nth, strerror(e));
    assert_loads_as(f, f->path, f->old);
    /* The backup: untouched, already replaced by the previous save, or
     * removed just before being replaced; never anything else. */
    int older = file_is(f->bak, &f->older_text), old = file_is(f->bak, &f->old_text);
    if (!(older == 1 || old == 1 || older == -1))
        fail_msg("%s #%d (%s): the .bak is damaged", fname[fn], nth, strerror(e));
}

/* Saves once to count the calls, then fails each of them in turn with
 * each errno. Returns how many failures were injected. */
static int sweep(const fixture *f, start_kind k, const int *fns, size_t nfns)
{
    static const int errnos[] = {ENOSPC, EIO};
    char err[512] = "";
    prepare(f, k);
    arm(-1, 0, 0);
    if (save_write(f->path, f->now, err, sizeof err) != 0)
        fail_msg("the save without a fault failed: %s", err);
    disarm();
    assert_no_litter(f);
    assert_loads_as(f, f->path, f->now);
    if (k == PREVIOUS)
        assert_int_equal(file_is(f->bak, &f->old_text), 1);

    int trace[MAX_TRACE][2], ntrace = inj.ntrace, commit = -1;
    assert_true(ntrace < MAX_TRACE);
    memcpy(trace, inj.trace, sizeof trace);
    for (int i = 0; i < ntrace; i++)
        if (trace[i][0] == F_RENAME)
            commit = i; /* the last rename puts the new save in place */
    assert_true(commit >= 0);

    int injected = 0;
    for (size_t j = 0; j < nfns; j++)
        for (size_t ei = 0; ei < sizeof errnos / sizeof errnos[0]; ei++)
            for (int i = 0; i < ntrace; i++)
                if (trace[i][0] == fns[j]) {
                    check_one(f, k, fns[j], trace[i][1], errnos[ei], i > commit);
                    injected++;
                }
    return injected;
}

static const int all_fns[] = {F_OPEN,   F_WRITE,  F_FSYNC, F_CLOSE, F_LINK,
                              F_RENAME, F_UNLINK, F_LSTAT, F_FSTAT, F_READ};
enum { NALL = sizeof all_fns / sizeof all_fns[0] };

/* ---- tests -------------------------------------------------------------- */

/* The calls of one save, in order: what the sweeps below go through. */
static void test_call_sequence(void **state)
{
    fixture *f = *state;
    char err[512];
    prepare(f, PREVIOUS);
    arm(-1, 0, 0);
    assert_int_equal(save_write(f->path, f->now, err, sizeof err), 0);
    disarm();
    static const int want[] = {F_OPEN,   F_WRITE, F_FSYNC,  F_CLOSE, F_LSTAT,
                               F_UNLINK, F_LINK,  F_RENAME, F_OPEN,  F_FSYNC};
    char got[256] = "";
    for (int i = 0; i < inj.ntrace; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s ", fname[inj.trace[i][0]]);
    assert_int_equal(inj.ntrace, sizeof want / sizeof want[0]);
    for (int i = 0; i < inj.ntrace; i++)
        if (inj.trace[i][0] != want[i])
            fail_msg("unexpected call sequence: %s", got);
}

static void test_each_call_fails(void **state)
{
    fixture *f = *state;
    int n = sweep(f, PREVIOUS, all_fns, NALL);
    assert_int_equal(n, 2 * 10);
}

static void test_each_call_fails_first_save(void **state)
{
    fixture *f = *state;
    int n = sweep(f, FIRST, all_fns, NALL);
    assert_int_equal(n, 2 * 8); /* no unlink or link: nothing to keep */
}

/* Partial writes and EINTR: the save is whole, and failing any one of
 * the many writes is handled like the single one. */
static void test_short_writes(void **state)
{
    fixture *f = *state;
    static const int fns[] = {F_WRITE};
    inj.short_writes = true;
    int n = sweep(f, PREVIOUS, fns, 1);
    inj.short_writes = false;
    /* EINTR every other call, at most 5 bytes per write. */
    size_t len = 0;
    buf b = BUF_INIT;
    save_encode(f->now, 0, &b);
    len = b.len;
    buf_free(&b);
    assert_int_equal(n, 2 * (int)(2 * ((len + 4) / 5)));
}

/* Where hard links are not supported, the .bak is a copy, made as
 * carefully as the save itself; every call of that path may fail too. */
static void test_no_hard_links(void **state)
{
    fixture *f = *state;
    inj.always_fn = F_LINK;
    inj.always_errno = EPERM;
    static const int fns[] = {F_OPEN,   F_WRITE, F_FSYNC, F_CLOSE, F_RENAME,
                              F_UNLINK, F_LSTAT, F_FSTAT, F_READ};
    int n = sweep(f, PREVIOUS, fns, sizeof fns / sizeof fns[0]);
    inj.always_fn = -1;
    /* open, write, fsync, close of the temporary file; lstat of the save;
     * unlink of the old .bak; the copy (open, fstat and two reads, the
     * second at the end of the file; then open, write, fsync, close and
     * rename of its own temporary file); rename; open, fsync of the
     * directory. */
    assert_int_equal(n, 2 * 18);
}

/* Hard links failing for another reason: the save fails, not silently
 * without a backup. */
static void test_link_fails_hard(void **state)
{
    fixture *f = *state;
    char err[512];
    prepare(f, PREVIOUS);
    inj.always_fn = F_LINK;
    inj.always_errno = EACCES;
    arm(-1, 0, 0);
    assert_int_equal(save_write(f->path, f->now, err, sizeof err), -1);
    disarm();
    inj.always_fn = -1;
    assert_string_equal(err, "cannot save: cannot keep a backup: Permission denied");
    assert_int_equal(file_is(f->path, &f->old_text), 1);
    assert_no_litter(f);
}

/* Hard links unsupported with the other errnos that say so: the .bak is
 * a copy, and the save succeeds. */
static void test_link_unsupported(void **state)
{
    fixture *f = *state;
    static const int errnos[] = {ENOSYS, EOPNOTSUPP}; /* EOPNOTSUPP is ENOTSUP on Linux */
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++) {
        char err[512] = "";
        prepare(f, PREVIOUS);
        inj.always_fn = F_LINK;
        inj.always_errno = errnos[i];
        arm(-1, 0, 0);
        int rc = save_write(f->path, f->now, err, sizeof err);
        disarm();
        inj.always_fn = -1;
        if (rc != 0)
            fail_msg("link failing with %s: %s", strerror(errnos[i]), err);
        assert_int_equal(inj.calls[F_LINK], 1);
        assert_int_equal(file_is(f->bak, &f->old_text), 1);
        assert_loads_as(f, f->path, f->now);
        assert_no_litter(f);
    }
}

/* The previous save cannot be looked at (for a reason other than not
 * existing): nothing is touched. */
static void test_lstat_fails(void **state)
{
    fixture *f = *state;
    char err[512];
    prepare(f, PREVIOUS);
    arm(F_LSTAT, 1, EACCES);
    assert_int_equal(save_write(f->path, f->now, err, sizeof err), -1);
    disarm();
    assert_string_equal(err, "cannot save: cannot check the previous save: Permission denied");
    assert_int_equal(file_is(f->path, &f->old_text), 1);
    assert_int_equal(file_is(f->bak, &f->older_text), 1);
    assert_no_litter(f);
}

/* A write that writes nothing without an error would loop for ever if
 * taken as progress: it is an I/O error. */
static void test_write_returns_zero(void **state)
{
    fixture *f = *state;
    char err[512];
    prepare(f, PREVIOUS);
    inj.zero_writes = true;
    arm(-1, 0, 0);
    assert_int_equal(save_write(f->path, f->now, err, sizeof err), -1);
    disarm();
    inj.zero_writes = false;
    assert_int_equal(inj.calls[F_WRITE], 1);
    assert_string_equal(err, "cannot save: write failed: Input/output error");
    assert_int_equal(file_is(f->path, &f->old_text), 1);
    assert_no_litter(f);
}

/* Two failures in one save: the reason is the first (the write), not the
 * close that follows it. */
static void test_close_fails_after_failed_write(void **state)
{
    fixture *f = *state;
    char err[512];
    prepare(f, PREVIOUS);
    inj.always_fn = F_CLOSE;
    inj.always_errno = EIO;
    arm(F_WRITE, 1, ENOSPC);
    assert_int_equal(save_write(f->path, f->now, err, sizeof err), -1);
    disarm();
    inj.always_fn = -1;
    assert_int_equal(inj.calls[F_CLOSE], 1);
    assert_string_equal(err, "cannot save: write failed: No space left on device");
    assert_int_equal(file_is(f->path, &f->old_text), 1);
    assert_int_equal(file_is(f->bak, &f->older_text), 1);
    assert_no_litter(f);
}

/* Without hard links, the copy of the previous save fails: while it is
 * read, or when its own temporary file is closed. The save is refused
 * with the step that failed, and the previous save is intact (the old
 * .bak was already removed to make way for the copy). */
static void test_backup_copy_faults(void **state)
{
    fixture *f = *state;
    static const struct {
        int fn, nth;
        const char *err;
    } cases[] = {
        {F_FSTAT, 1, "cannot save: cannot read the previous save: Input/output error"},
        {F_READ, 1, "cannot save: cannot read the previous save: Input/output error"},
        {F_CLOSE, 2, "cannot save: close failed: Input/output error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512] = "";
        prepare(f, PREVIOUS);
        inj.always_fn = F_LINK;
        inj.always_errno = EPERM;
        arm(cases[i].fn, cases[i].nth, EIO);
        assert_int_equal(save_write(f->path, f->now, err, sizeof err), -1);
        disarm();
        inj.always_fn = -1;
        assert_string_equal(err, cases[i].err);
        assert_int_equal(file_is(f->path, &f->old_text), 1);
        assert_int_equal(file_is(f->bak, &f->old_text), -1);
        assert_loads_as(f, f->path, f->old);
        assert_no_litter(f);
    }
}

/* save_read: a failing fstat or read is a clean error that keeps errno
 * and leaves the game as it was; EINTR and short reads are retried; a
 * file that grows past the limit while it is read is refused. */
static void test_read_faults(void **state)
{
    fixture *f = *state;
    game *g = play(f->p, 1);
    save_result r;
    char err[512];
    prepare(f, PREVIOUS);

    static const int fns[] = {F_FSTAT, F_READ};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        err[0] = '\0';
        arm(fns[i], 1, EIO);
        errno = 0;
        assert_int_equal(save_read(f->path, g, &r, err, sizeof err), -1);
        assert_int_equal(errno, EIO);
        disarm();
        assert_string_equal(err, "cannot read the save: Input/output error");
        assert_int_equal(game_steps(g), 1);
    }

    /* EINTR on every other call and 5 bytes at most: every byte arrives.
     * Each read (the last one at the end of the file) follows an EINTR. */
    inj.short_reads = true;
    arm(-1, 0, 0);
    int rc = save_read(f->path, g, &r, err, sizeof err);
    disarm();
    inj.short_reads = false;
    if (rc != 0)
        fail_msg("short reads: %s", err);
    assert_int_equal(inj.calls[F_READ], 2 * (int)((f->old_text.len + 4) / 5 + 1));
    assert_int_equal(game_steps(g), 2);
    assert_memory_equal(game_state(g), game_state(f->old),
                        (size_t)f->p->state_size * sizeof(int32_t));

    /* fstat saw an empty file; it is now over the limit. At exactly the
     * limit it is read in full (and refused as damaged: zeros follow the
     * save). */
    assert_int_equal(truncate(f->path, SAVE_MAX_BYTES), 0);
    inj.small_fstat = true;
    arm(-1, 0, 0);
    assert_int_equal(save_read(f->path, g, &r, err, sizeof err), -1);
    assert_int_equal(errno, EINVAL);
    assert_string_equal(err, "the save is damaged (checksum mismatch): it may have been cut "
                             "short or edited");
    assert_int_equal(truncate(f->path, SAVE_MAX_BYTES + 1), 0);
    errno = 0;
    assert_int_equal(save_read(f->path, g, &r, err, sizeof err), -1);
    assert_int_equal(errno, EFBIG);
    disarm();
    inj.small_fstat = false;
    assert_string_equal(err, "the save is too large (over 4 MB)");
    assert_int_equal(game_steps(g), 2);
    game_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_call_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_call_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_call_fails_first_save, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_hard_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_fails_hard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_unsupported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lstat_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_returns_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_fails_after_failed_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_copy_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_faults, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
