/*
 * save: saved games (see save.h for the format). This file owns the text
 * format (encoding, parsing, the checksum), the replay of a log into a
 * game, and the file handling (atomic writes, the .bak copy, the save
 * directory). It does not decide where slots live or what the player is
 * told: play.c does, from the messages written here.
 *
 * Decoding parses and checks the whole file before touching the game, so
 * every refusal leaves the game as it was; the replay that follows cannot
 * fail, only stop early where the pack changed (a divergence, reported in
 * save_result, is a successful load).
 */
#include "save.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "utf8.h"

#include "xalloc.h"

enum {
    MAX_LINE = 1024,  /* bytes per line, newline excluded */
    MAX_VERSION = 200 /* pack-version is free text: cut to keep lines short */
};

static const char damaged[] =
    "the save is damaged (checksum mismatch): it may have been cut short or edited";

/* ---- small helpers ------------------------------------------------------ */

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* Messages quote damaged files and reach a terminal: only printable
     * text goes out (out_sanitize's rules; the result is never longer). */
    buf safe = BUF_INIT;
    out_sanitize(&safe, err, strlen(err));
    snprintf(err, errlen, "%s", buf_str(&safe));
    buf_free(&safe);
}

/* A scene id, choice id or name: [a-z0-9_-]+ (the loader's alphabets). */
static bool is_id(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return false;
    return true;
}

/* Free text on one line: no control bytes. */
static bool is_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool is_hex16(const char *s, size_t n)
{
    if (n != 16)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool eq(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && !memcmp(a, b, an);
}

/* ---- encoding ----------------------------------------------------------- */

void save_encode(const game *g, time_t saved_at, buf *out)
{
    const pack *p = game_pack(g);
    size_t start = out->len;
    char when[32];
    struct tm tm;

    if (!gmtime_r(&saved_at, &tm) || !strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(when, sizeof when, "1970-01-01T00:00:00Z");
    buf_printf(out, "iwm-save %d\npack %s\npack-version ", SAVE_FORMAT, pack_id(p));
    /* The version is the only free text: keep it on one line. */
    const char *v = pack_version(p) ? pack_version(p) : "";
    for (size_t i = 0; i < MAX_VERSION && v[i]; i++)
        buf_putc(out, (char)(((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? '?' : v[i]));
    buf_printf(out, "\npack-hash %s\nseed %" PRIu64 "\nsaved %s\n", pack_hash(p), game_seed(g),
               when);
    /* Options are fixed at the start: read them from the first state. */
    const int32_t *st = game_step_state(g, 0);
    for (int i = 0; i < p->nvars; i++)
        if (p->vars[i].kind == V_OPTION)
            buf_printf(out, "option %s %s\n", p->vars[i].name, p->vars[i].values[st[i]]);
    for (size_t i = 0, n = game_steps(g); i < n; i++)
        buf_printf(out, "step %s %s\n", game_step_scene(g, i)->id, game_step_choice(g, i)->id);
    buf_printf(out, "checksum %016" PRIx64 "\n", fnv1a(out->data + start, out->len - start));
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct span {
    const char *s;
    size_t n;
} span;

typedef struct parsed {
    span pack, version, hash, saved;
    uint64_t seed;
    span *opts; /* pairs: name, value */
    size_t nopts, capopts;
    span *steps; /* pairs: scene id, choice id */
    size_t nsteps, capsteps;
} parsed;

static void parsed_free(parsed *ps)
{
    free(ps->opts);
    free(ps->steps);
}

static void push2(span **a, size_t *n, size_t *cap, span x, span y)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *a = xrealloc(*a, *cap * 2 * sizeof **a);
    }
    (*a)[2 * *n] = x;
    (*a)[2 * *n + 1] = y;
    (*n)++;
}

/* Splits "key rest" at the first space. */
static void split(span line, span *key, span *rest)
{
    const char *sp = memchr(line.s, ' ', line.n);
    key->s = line.s;
    key->n = sp ? (size_t)(sp - line.s) : line.n;
    rest->s = sp ? sp + 1 : line.s + line.n;
    rest->n = sp ? line.n - key->n - 1 : 0;
}

static bool parse_u64(span v, uint64_t *out)
{
    uint64_t x = 0;
    if (!v.n || v.n > 20 || (v.n > 1 && v.s[0] == '0'))
        return false;
    for (size_t i = 0; i < v.n; i++) {
        if (v.s[i] < '0' || v.s[i] > '9')
            return false;
        unsigned d = (unsigned)(v.s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

/* Header keys, in the order they are written. */
enum { H_PACK, H_VERSION, H_HASH, H_SEED, H_SAVED, NHEADER };
static const char *const header_keys[NHEADER] = {"pack", "pack-version", "pack-hash", "seed",
                                                 "saved"};

/* Whether v is a well-formed value for header key k (the seed is parsed). */
static bool header_ok(int k, span v, parsed *ps)
{
    switch (k) {
    case H_PACK: return is_id(v.s, v.n);
    case H_VERSION: return is_text(v.s, v.n);
    case H_HASH: return is_hex16(v.s, v.n);
    case H_SEED: return parse_u64(v, &ps->seed);
    default: return v.n > 0 && v.n < sizeof(((save_info *)0)->saved) && is_text(v.s, v.n);
    }
}

/*
 * Checks and splits a save's text without any pack. Order matters for the
 * messages: the first line (is it a save at all, and which format), then
 * the checksum (nothing after the first line is trusted before it), then
 * every line. Returns 0 or -1 with err.
 */
static int parse(const char *text, size_t n, parsed *ps, char *err, size_t errlen)
{
    memset(ps, 0, sizeof *ps);
    if (n == 0) {
        seterr(err, errlen, "the save file is empty");
        return -1;
    }
    if (n > SAVE_MAX_BYTES) {
        seterr(err, errlen, "the save is too large (over %d MB)", SAVE_MAX_BYTES / (1024 * 1024));
        return -1;
    }

    /* The first line: "iwm-save N". A file that ends inside it was cut
     * short; one whose first line reads otherwise is not a save. */
    static const char magic[] = "iwm-save ";
    const size_t nmagic = sizeof magic - 1;
    const char *nl = memchr(text, '\n', n > MAX_LINE ? MAX_LINE + 1 : n);
    size_t first = nl ? (size_t)(nl - text) : n;
    uint64_t format = 0;
    bool head = first >= nmagic && !memcmp(text, magic, nmagic) &&
                parse_u64((span){text + nmagic, first - nmagic}, &format);
    if (!nl || !head) {
        size_t k = first < nmagic ? first : nmagic, d = k;
        while (d < first && text[d] >= '0' && text[d] <= '9')
            d++;
        if (!nl && n <= MAX_LINE && !memcmp(text, magic, k) && d == first)
            seterr(err, errlen, "%s", damaged);
        else
            seterr(err, errlen, "not an iwm save file (its first line is not 'iwm-save %d')",
                   SAVE_FORMAT);
        return -1;
    }
    if (format != SAVE_FORMAT) {
        if (format > SAVE_FORMAT)
            seterr(err, errlen,
                   "the save has format version %" PRIu64 ": it was made by a newer iwm", format);
        else
            seterr(err, errlen, "the save has an unknown format version %" PRIu64, format);
        return -1;
    }

    /* The checksum line: last, "checksum <16 hex>\n", over all before it. */
    static const char ck[] = "checksum ";
    const size_t nck = sizeof ck - 1, cklen = nck + 16 + 1;
    if (n < cklen || text[n - 1] != '\n' || memcmp(text + n - cklen, ck, nck) ||
        (n > cklen && text[n - cklen - 1] != '\n') || !is_hex16(text + n - cklen + nck, 16)) {
        seterr(err, errlen, "%s", damaged);
        return -1;
    }
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, fnv1a(text, n - cklen));
    if (memcmp(want, text + n - cklen + nck, 16)) {
        seterr(err, errlen, "%s", damaged);
        return -1;
    }

    /* Every line between. */
    size_t body = n - cklen;
    bool seen[NHEADER] = {false};
    span *fields[NHEADER] = {&ps->pack, &ps->version, &ps->hash, NULL, &ps->saved};
    size_t lineno = 1;
    for (size_t at = first + 1; at < body; lineno++) {
        const char *e = memchr(text + at, '\n', body - at);
        span line = {text + at, (size_t)(e - (text + at))}; /* body ends with '\n' */
        at += line.n + 1;
        if (line.n > MAX_LINE) {
            seterr(err, errlen, "line %zu of the save is too long (over %d bytes)", lineno + 1,
                   MAX_LINE);
            goto fail;
        }
        if (line.n == 0) {
            seterr(err, errlen, "line %zu of the save is empty", lineno + 1);
            goto fail;
        }
        span key, rest;
        split(line, &key, &rest);
        int k = -1;
        for (int i = 0; i < NHEADER; i++)
            if (eq(key.s, key.n, header_keys[i]))
                k = i;
        if (k >= 0) {
            bool ok = header_ok(k, rest, ps);
            if (seen[k] || !ok) {
                seterr(err, errlen, "line %zu of the save is malformed: %s '%s'", lineno + 1,
                       seen[k] ? "a second" : "a bad", header_keys[k]);
                goto fail;
            }
            seen[k] = true;
            if (fields[k])
                *fields[k] = rest;
        } else if (eq(key.s, key.n, "option") || eq(key.s, key.n, "step")) {
            span a, b;
            split(rest, &a, &b);
            /* Names and ids share the id alphabet; option values are names. */
            if (!is_id(a.s, a.n) || !is_id(b.s, b.n)) {
                seterr(err, errlen, "line %zu of the save is malformed: expected '%s'", lineno + 1,
                       key.n == 4 ? "step SCENE CHOICE" : "option NAME VALUE");
                goto fail;
            }
            if (key.n == 4) {
                if (ps->nsteps == SAVE_MAX_STEPS) {
                    seterr(err, errlen, "the save has more than %d steps", SAVE_MAX_STEPS);
                    goto fail;
                }
                push2(&ps->steps, &ps->nsteps, &ps->capsteps, a, b);
            } else {
                /* Bounded, so that the quadratic checks stay cheap. */
                if (ps->nopts == PACK_MAX_VARS) {
                    seterr(err, errlen, "the save has more than %d options", PACK_MAX_VARS);
                    goto fail;
                }
                for (size_t i = 0; i < ps->nopts; i++)
                    if (ps->opts[2 * i].n == a.n && !memcmp(ps->opts[2 * i].s, a.s, a.n)) {
                        seterr(err, errlen,
                               "line %zu of the save is malformed: option '%.*s' twice", lineno + 1,
                               (int)a.n, a.s);
                        goto fail;
                    }
                push2(&ps->opts, &ps->nopts, &ps->capopts, a, b);
            }
        } else {
            seterr(err, errlen, "line %zu of the save has an unknown key '%.*s'", lineno + 1,
                   (int)utf8_cut(key.s, key.n, 40), key.s);
            if (!is_text(key.s, key.n))
                seterr(err, errlen, "line %zu of the save is malformed", lineno + 1);
            goto fail;
        }
    }
    for (int i = 0; i < NHEADER; i++)
        if (!seen[i]) {
            seterr(err, errlen, "the save has no '%s' line", header_keys[i]);
            goto fail;
        }
    return 0;
fail:
    parsed_free(ps);
    memset(ps, 0, sizeof *ps);
    return -1;
}

/* ---- decoding: replay --------------------------------------------------- */

/* Appends a sentence to msg when it fits whole (ids keep it ASCII). */
static void note(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(char *msg, size_t cap, const char *fmt, ...)
{
    char s[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    size_t len = strlen(msg), sep = len ? 1 : 0;
    if (k < 0 || (size_t)k >= sizeof s || len + sep + (size_t)k >= cap)
        return;
    if (sep)
        msg[len++] = ' ';
    memcpy(msg + len, s, (size_t)k + 1);
}

static const pk_choice *find_choice(const pk_scene *sc, span id)
{
    for (int i = 0; i < sc->nchoices; i++)
        if (eq(id.s, id.n, sc->choices[i]->id))
            return sc->choices[i];
    return NULL;
}

int save_decode(const char *text, size_t n, game *g, save_result *r, char *err, size_t errlen)
{
    const pack *p = game_pack(g);
    parsed ps;
    if (parse(text, n, &ps, err, errlen) != 0)
        return -1;
    if (!eq(ps.pack.s, ps.pack.n, pack_id(p))) {
        seterr(err, errlen, "this save is for pack '%.*s', not '%s'",
               (int)(ps.pack.n > 64 ? 64 : ps.pack.n), ps.pack.s, pack_id(p));
        parsed_free(&ps);
        return -1;
    }

    /* From here nothing can fail: only stop early. */
    memset(r, 0, sizeof *r);
    r->steps = ps.nsteps;
    r->other_version = !eq(ps.hash.s, ps.hash.n, pack_hash(p));

    /* Options by name; a value no longer in the pack falls back to the
     * default (noted once the game has started and the value is known). */
    int *opts = xmalloc((size_t)(p->nvars ? p->nvars : 1) * sizeof *opts);
    int *from = xmalloc((size_t)(p->nvars ? p->nvars : 1) * sizeof *from); /* option line, or -1 */
    for (int i = 0; i < p->nvars; i++)
        opts[i] = from[i] = -1;
    for (size_t k = 0; k < ps.nopts; k++) {
        span name = ps.opts[2 * k], val = ps.opts[2 * k + 1];
        for (int i = 0; i < p->nvars; i++)
            if (p->vars[i].kind == V_OPTION && eq(name.s, name.n, p->vars[i].name)) {
                from[i] = (int)k;
                for (int j = 0; j < p->vars[i].nvalues; j++)
                    if (eq(val.s, val.n, p->vars[i].values[j]))
                        opts[i] = j;
            }
    }
    game_start(g, ps.seed, opts);

    /* The log: each step must be taken in the scene the game is at. */
    char why[400] = "";
    for (size_t i = 0; i < ps.nsteps; i++) {
        span sid = ps.steps[2 * i], cid = ps.steps[2 * i + 1];
        const pk_scene *cur = game_scene(g);
        if (!eq(sid.s, sid.n, cur->id)) {
            char id[80];
            snprintf(id, sizeof id, "%.*s", (int)(sid.n > 64 ? 64 : sid.n), sid.s);
            if (sid.n > 64 || !pack_scene(p, id)) /* ids are at most 64 bytes */
                snprintf(why, sizeof why, "at step %zu, the scene '%s' no longer exists", i + 1,
                         id);
            else
                snprintf(why, sizeof why,
                         "at step %zu (scene '%s'), the story now leads to scene '%s' instead",
                         i + 1, id, cur->id);
        } else {
            const pk_choice *c = find_choice(cur, cid);
            if (!c)
                snprintf(why, sizeof why,
                         "at step %zu (scene '%s'), the choice '%.*s' no longer exists", i + 1,
                         cur->id, (int)(cid.n > 64 ? 64 : cid.n), cid.s);
            else if (game_choose(g, c) != GAME_OK)
                snprintf(why, sizeof why,
                         "at step %zu (scene '%s'), the choice '%s' is not available now", i + 1,
                         cur->id, c->id);
        }
        if (why[0]) {
            r->diverged = true;
            snprintf(r->message, sizeof r->message,
                     "The story has changed since this save: %s. You continue from scene '%s'.",
                     why, game_scene(g)->id);
            break;
        }
        r->replayed++;
    }

    /* Then what became of the options, each sentence while it fits. */
    const int32_t *st = game_step_state(g, 0);
    for (size_t k = 0; k < ps.nopts; k++) {
        span name = ps.opts[2 * k], val = ps.opts[2 * k + 1];
        int v = -1;
        for (int i = 0; i < p->nvars && v < 0; i++)
            if (from[i] == (int)k)
                v = i;
        if (v < 0)
            note(r->message, sizeof r->message, "The option '%.*s' no longer exists.", (int)name.n,
                 name.s);
        else if (opts[v] < 0)
            note(r->message, sizeof r->message,
                 "The option '%s' no longer has the value '%.*s': it is now '%s'.", p->vars[v].name,
                 (int)val.n, val.s, p->vars[v].values[st[v]]);
    }
    free(opts);
    free(from);
    parsed_free(&ps);
    return 0;
}

/* ---- files -------------------------------------------------------------- */

/* Writes all of data to fd, through partial writes and EINTR. */
static int write_all(int fd, const char *data, size_t n)
{
    while (n) {
        ssize_t k = write(fd, data, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (k == 0) {
            errno = EIO;
            return -1;
        }
        data += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Reads all of fd (a regular file of at most max bytes) into out. */
static int read_all(int fd, size_t max, buf *out, char *err, size_t errlen)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        seterr(err, errlen, "cannot read the save: %s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        seterr(err, errlen, "cannot read the save: it is not a regular file");
        errno = EINVAL;
        return -1;
    }
    if (sb.st_size > (off_t)max) {
        seterr(err, errlen, "the save is too large (over %zu MB)", max / ((size_t)1024 * 1024));
        errno = EFBIG;
        return -1;
    }
    /* The size may change under us: read to the end, still bounded. */
    buf_reserve(out, (size_t)sb.st_size + 1);
    for (;;) {
        if (out->len > max) {
            seterr(err, errlen, "the save is too large (over %zu MB)", max / ((size_t)1024 * 1024));
            errno = EFBIG;
            return -1;
        }
        buf_reserve(out, 4096);
        ssize_t k = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            seterr(err, errlen, "cannot read the save: %s", strerror(errno));
            return -1;
        }
        if (k == 0)
            break;
        out->len += (size_t)k;
        out->data[out->len] = '\0';
    }
    return 0;
}

static int read_file(const char *path, buf *out, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        seterr(err, errlen, "cannot read the save: %s", strerror(e));
        errno = e;
        return -1;
    }
    int rc = read_all(fd, SAVE_MAX_BYTES, out, err, errlen);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int save_read(const char *path, game *g, save_result *r, char *err, size_t errlen)
{
    buf b = BUF_INIT;
    int rc = read_file(path, &b, err, errlen);
    if (rc == 0) {
        rc = save_decode(buf_str(&b), b.len, g, r, err, errlen);
        if (rc != 0)
            errno = EINVAL; /* not ENOENT: the file is there, just unusable */
    }
    int e = errno;
    buf_free(&b);
    errno = e;
    return rc;
}

int save_info_read(const char *path, save_info *info)
{
    buf b = BUF_INIT;
    parsed ps;
    char err[8];
    int rc = read_file(path, &b, err, sizeof err);
    if (rc == 0 && (rc = parse(buf_str(&b), b.len, &ps, err, sizeof err)) != 0)
        errno = EINVAL;
    if (rc == 0) {
        memset(info, 0, sizeof *info);
        snprintf(info->pack_id, sizeof info->pack_id, "%.*s", (int)ps.pack.n, ps.pack.s);
        snprintf(info->saved, sizeof info->saved, "%.*s", (int)ps.saved.n, ps.saved.s);
        /* The scene of the last choice taken (not where it led: that
         * needs the pack and a replay), or "start" before any choice. */
        if (ps.nsteps)
            snprintf(info->scene_id, sizeof info->scene_id, "%.*s",
                     (int)ps.steps[2 * (ps.nsteps - 1)].n, ps.steps[2 * (ps.nsteps - 1)].s);
        else
            snprintf(info->scene_id, sizeof info->scene_id, "start");
        info->steps = ps.nsteps;
        parsed_free(&ps);
    }
    int e = errno;
    buf_free(&b);
    errno = e;
    return rc;
}

/* The directory part of path ("." when none), for the directory fsync. */
static void dir_of(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, outlen, ".");
    else if (slash == path)
        snprintf(out, outlen, "/");
    else
        snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

/*
 * Writes data to a new file tmp (path.tmp.PID), durably: created
 * exclusively, written in full, fsynced, closed. On failure tmp is
 * removed and *what names the step that failed (errno is kept).
 */
static int write_tmp(const char *tmp, const char *data, size_t n, const char **what)
{
    int fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0 && errno == EEXIST) {
        /* Left by a crashed process that had our pid: ours to remove. */
        unlink(tmp);
        fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0600);
    }
    if (fd < 0) {
        *what = "cannot create the file";
        return -1;
    }
    int rc = 0;
    if (write_all(fd, data, n) != 0) {
        *what = "write failed";
        rc = -1;
    } else if (fsync(fd) != 0) {
        *what = "fsync failed";
        rc = -1;
    }
    int e = errno;
    if (close(fd) != 0 && rc == 0) {
        *what = "close failed";
        e = errno;
        rc = -1;
    }
    if (rc != 0) {
        unlink(tmp);
        errno = e;
    }
    return rc;
}

/*
 * Keeps the file at path as bak. A hard link makes the copy without
 * moving path, so at every instant path holds a whole save: unlink the
 * old bak, link path to bak. Where hard links are not supported (FAT,
 * some network file systems) the bytes are copied, atomically too.
 */
static int keep_backup(const char *path, const char *bak, const char *baktmp, const char **what)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            return 0; /* no previous save: nothing to keep */
        *what = "cannot check the previous save";
        return -1;
    }
    if (unlink(bak) != 0 && errno != ENOENT) {
        *what = "cannot remove the old backup";
        return -1;
    }
    if (link(path, bak) == 0)
        return 0;
    if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS) {
        *what = "cannot keep a backup";
        return -1;
    }
    buf old = BUF_INIT;
    char err[8];
    int rc = read_file(path, &old, err, sizeof err);
    if (rc != 0)
        *what = "cannot read the previous save";
    else if ((rc = write_tmp(baktmp, buf_str(&old), old.len, what)) == 0 &&
             rename(baktmp, bak) != 0) {
        int e = errno;
        *what = "cannot keep a backup";
        unlink(baktmp);
        errno = e;
        rc = -1;
    }
    int e = errno;
    buf_free(&old);
    errno = e;
    return rc;
}

int save_write(const char *path, const game *g, char *err, size_t errlen)
{
    buf text = BUF_INIT;
    size_t plen = strlen(path);
    size_t cap = plen + 48;
    char *tmp = xmalloc(cap), *bak = xmalloc(cap), *baktmp = xmalloc(cap), *dir = xmalloc(plen + 2);
    const char *what = NULL;
    int rc = -1;

    snprintf(tmp, cap, "%s.tmp.%ld", path, (long)getpid());
    snprintf(bak, cap, "%s.bak", path);
    snprintf(baktmp, cap, "%s.bak.tmp.%ld", path, (long)getpid());
    save_encode(g, time(NULL), &text);

    if (write_tmp(tmp, text.data, text.len, &what) != 0)
        goto cleanup;
    if (keep_backup(path, bak, baktmp, &what) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        if (!what)
            what = "rename failed";
        unlink(tmp);
        errno = e;
        goto cleanup;
    }
    rc = 0;
    /* Make the rename durable. A failure here is not reported: path
     * already holds the new save, so "not saved" would be untrue, and the
     * caller's contract (-1 means the old save is intact) would break. */
    dir_of(path, dir, plen + 2);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }

cleanup:
    if (rc != 0) {
        int e = errno;
        seterr(err, errlen, "cannot save: %s: %s", what, strerror(e));
        errno = e;
    }
    buf_free(&text);
    free(tmp);
    free(bak);
    free(baktmp);
    free(dir);
    return rc;
}

/* ---- the save directory ------------------------------------------------- */

/* mkdir -p with mode 0700 for the components that do not exist. */
static int mkdirs(char *path, char *err, size_t errlen)
{
    for (char *s = path + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            seterr(err, errlen, "cannot create the save directory %s: %s", path, strerror(e));
            *s = c;
            errno = e;
            return -1;
        }
        *s = c;
        if (!c)
            break;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        seterr(err, errlen, "cannot use the save directory %s: it is not a directory", path);
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int save_dir(const char *pack_id, bool create, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    /* Defensive: the loader validated the id, but it becomes a path. */
    if (!pack_id || !is_id(pack_id, strlen(pack_id)) || pack_id[0] == '-') {
        seterr(err, errlen, "no save directory: the pack id is not valid");
        errno = EINVAL;
        return -1;
    }
    int k;
    if (xdg && xdg[0] == '/')
        k = snprintf(out, outlen, "%s/iwm/%s", xdg, pack_id);
    else if (home && home[0] == '/')
        k = snprintf(out, outlen, "%s/.local/state/iwm/%s", home, pack_id);
    else {
        seterr(err, errlen, "no directory for saves: set HOME or XDG_STATE_HOME");
        errno = ENOENT;
        return -1;
    }
    if (k < 0 || (size_t)k >= outlen) {
        seterr(err, errlen, "no save directory: the path is too long");
        errno = ENAMETOOLONG;
        return -1;
    }
    return create ? mkdirs(out, err, errlen) : 0;
}

bool save_slot_ok(const char *name)
{
    if (!name)
        return false;
    size_t n = 0;
    for (; name[n]; n++) {
        char c = name[n];
        if (n == 32 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return n > 0;
}
