/*
 * load: reading a pack from YAML into the model of pack_int.h. Three
 * passes, all collecting diagnostics rather than stopping at the first:
 *   1. read: each file is size-capped, checked for NUL and UTF-8, then
 *      streamed through libyaml's event API (never its document tree)
 *      straight into arena objects; conditions, texts, effects and gotos
 *      are kept as source with their location, because names may be
 *      declared after (or in another file than) their first use;
 *   2. resolve (this file): names become state slots, texts and conditions
 *      are compiled, ids become pointers;
 *   3. validate (validate.c): whole-pack checks such as reachability.
 * The event reader caps nesting depth before libyaml's scanner gets slow,
 * refuses anchors and aliases, and treats any failed parse as an error
 * even when libyaml sets no error code.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "load_int.h"
#include "utf8.h"
#include "xalloc.h"

/* ---- reading files ---------------------------------------------------- */

static diag_file *add_file(loader *L, const char *rel, const char *text, size_t len, bool owned)
{
    if (L->nfiles == PACK_MAX_FILES)
        return NULL;
    diag_file *f = &L->files[L->nfiles];
    memset(f, 0, sizeof *f);
    f->name = arena_strndup(L->a, "", 0);
    size_t dl = strlen(L->display), rl = strlen(rel);
    char *name = arena_alloc(L->a, dl + rl + 2);
    memcpy(name, L->display, dl);
    if (dl && L->display[dl - 1] != '/')
        name[dl++] = '/';
    memcpy(name + dl, rel, rl);
    name[dl + rl] = '\0';
    f->name = name;
    f->text = text;
    f->len = len;
    f->id = L->nfiles;
    L->owned[L->nfiles] = owned;
    L->nfiles++;
    return f;
}

/* An include path must stay inside the pack: relative, no "..", no
 * backslash, no empty or "." component games. */
static const char *bad_include(const char *rel)
{
    if (!*rel)
        return "an empty path";
    if (rel[0] == '/')
        return "an absolute path";
    if (strchr(rel, '\\'))
        return "a path with a backslash";
    for (const char *p = rel; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "a path that leaves the pack ('..')";
        p += n + (e != NULL);
    }
    return NULL;
}

/* Reads rel from disk into a new diag_file, or reports why not at ref
 * (NULL for the root file). */
static diag_file *read_disk(loader *L, const char *rel, const srcref *ref)
{
    char path[PATH_MAX], real[PATH_MAX];
    /* Problems with the root file itself are located at its first line. */
    diag_file root = {.name = L->root_display};
    srcref root_ref = {&root, 1, 1, 1, 1, 0};
    if (!ref)
        ref = &root_ref;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", L->root_dir, rel) >= sizeof path) {
        loc_report(L, D_FILE_UNREADABLE, ref, "path too long: '%s'", rel);
        return NULL;
    }
    if (!realpath(path, real)) {
        loc_report(L, D_FILE_UNREADABLE, ref, "cannot read '%s': %s", rel, strerror(errno));
        return NULL;
    }
    size_t rl = strlen(L->root_real);
    if (ref != &root_ref && !strcmp(real, L->root_real)) {
        loc_report(L, D_FILE_UNREADABLE, ref, "cannot read '%s': it is the pack's directory, not a file", rel);
        return NULL;
    }
    if (ref != &root_ref && (strncmp(real, L->root_real, rl) != 0 || real[rl] != '/')) {
        loc_report(L, D_INCLUDE_OUTSIDE, ref, "'%s' resolves outside the pack's directory", rel);
        return NULL;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const char *why = fd < 0 ? strerror(errno) : "not a regular file";
        loc_report(L, D_FILE_UNREADABLE, ref, "cannot read '%s': %s", rel, why);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (st.st_size > PACK_MAX_FILE) {
        loc_report(L, D_FILE_TOO_LARGE, ref, "'%s' is %lld bytes; a pack file may hold at most %d",
                   rel, (long long)st.st_size, PACK_MAX_FILE);
        close(fd);
        return NULL;
    }
    if (L->total + (size_t)st.st_size > PACK_MAX_TOTAL) {
        loc_report(L, D_PACK_TOO_LARGE, ref, "the pack exceeds %d bytes in all", PACK_MAX_TOTAL);
        close(fd);
        return NULL;
    }
    size_t len = (size_t)st.st_size, got = 0;
    char *data = xmalloc(len + 1);
    while (got < len) {
        ssize_t k = read(fd, data + got, len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (got != len) {
        loc_report(L, D_FILE_UNREADABLE, ref, "cannot read '%s': short read", rel);
        free(data);
        return NULL;
    }
    data[len] = '\0';
    L->total += len;
    /* Some editors start UTF-8 files with a byte order mark; it carries no
     * meaning in UTF-8, and libyaml told the encoding would parse it as
     * content. */
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
        memmove(data, data + 3, len - 3 + 1);
        len -= 3;
    }
    diag_file *f = add_file(L, rel, data, len, true);
    if (f)
        L->rel[f->id] = arena_strndup(L->a, rel, strlen(rel));
    if (!f) {
        loc_report(L, D_TOO_MANY, ref, "a pack may have at most %d files", PACK_MAX_FILES);
        free(data);
    }
    return f;
}

static diag_file *read_memory(loader *L, const char *rel, const srcref *ref)
{
    diag_file root = {.name = L->root_display};
    srcref root_ref = {&root, 1, 1, 1, 1, 0};
    if (!ref)
        ref = &root_ref;
    for (size_t i = 0; i < L->mem_count; i++) {
        if (strcmp(L->mem_names[i], rel) != 0)
            continue;
        if (L->mem_lens[i] > PACK_MAX_FILE) {
            loc_report(L, D_FILE_TOO_LARGE, ref, "'%s' is %zu bytes; a pack file may hold at most %d",
                       rel, L->mem_lens[i], PACK_MAX_FILE);
            return NULL;
        }
        const char *text = L->mem_files[i];
        size_t len = L->mem_lens[i];
        if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
            text += 3, len -= 3; /* a byte order mark, as in read_disk */
        diag_file *f = add_file(L, rel, text, len, false);
        if (!f)
            loc_report(L, D_TOO_MANY, ref, "a pack may have at most %d files", PACK_MAX_FILES);
        return f;
    }
    loc_report(L, D_FILE_UNREADABLE, ref, "cannot read '%s': no such file", rel);
    return NULL;
}

/* One pass over the file before libyaml sees it: NUL bytes, raw terminal
 * controls (C0 but tab and line ends, DEL, C1) and invalid UTF-8 are
 * refused with the exact position of the first offending byte. ASCII text
 * is the common case, so it is skipped eight bytes at a time; only bytes
 * below 0x20, DEL and non-ASCII sequences are looked at one by one. */
static bool precheck(loader *L, diag_file *f)
{
    const unsigned char *t = (const unsigned char *)f->text;
    size_t n = f->len, i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, t + i, 8);
            /* Every byte in 0x20..0x7e: no high bit, none below 0x20, no DEL. */
            uint64_t high = w & 0x8080808080808080ull;
            uint64_t low = (w - 0x2020202020202020ull) & ~w & 0x8080808080808080ull;
            uint64_t del = ((w ^ 0x7f7f7f7f7f7f7f7full) - 0x0101010101010101ull) & ~(w ^ 0x7f7f7f7f7f7f7f7full) &
                           0x8080808080808080ull;
            if (!(high | low | del)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = t[i];
        diag_code code = DIAG_COUNT;
        const char *what = NULL;
        if (c == 0) {
            code = D_NUL_BYTE;
            what = "NUL byte in a pack file";
        } else if (c == '\r' && (i + 1 == n || t[i + 1] != '\n')) {
            /* The same for a carriage return alone (old Mac line ends). */
            code = D_CONTROL_CHAR;
            what = "a carriage return without a line feed: save the file with LF or CRLF line ends";
        } else if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
            code = D_CONTROL_CHAR;
        } else if (c >= 0x80) {
            uint32_t cp;
            size_t k = utf8_decode(f->text + i, n - i, &cp);
            if (!k) {
                code = D_INVALID_UTF8;
            } else if (cp >= 0x80 && cp < 0xa0) {
                code = D_CONTROL_CHAR;
            } else if (cp == 0x2028 || cp == 0x2029) {
                /* libyaml counts them as line breaks and a diagnostic's
                 * line table does not: positions after one would be off. */
                code = D_CONTROL_CHAR;
                what = cp == 0x2028 ? "a Unicode line separator (U+2028) in a pack file: end the line with a newline"
                                    : "a Unicode paragraph separator (U+2029) in a pack file: use a blank line";
            } else if (cp == 0xfffe || cp == 0xffff) {
                /* libyaml refuses these noncharacters too, but as "control
                 * characters" with the character itself in the quoted line. */
                code = D_INVALID_UTF8;
                what = cp == 0xfffe ? "the noncharacter U+FFFE in a pack file"
                                    : "the noncharacter U+FFFF in a pack file";
            } else {
                i += k;
                continue;
            }
        }
        if (code == DIAG_COUNT) {
            i++;
            continue;
        }
        int line, col;
        diag_position(f, i, &line, &col);
        if (code == D_INVALID_UTF8 && !what)
            diag_report(L->d, code, f, line, col, "invalid UTF-8 (byte 0x%02x)", c);
        else if (code == D_CONTROL_CHAR && !what)
            diag_report(L->d, code, f, line, col, "terminal control character (byte 0x%02x) in a pack file",
                        c >= 0x80 ? (unsigned char)t[i + 1] : c);
        else
            diag_report(L->d, code, f, line, col, "%s", what);
        return false;
    }
    return true;
}

/* ---- the event reader ------------------------------------------------- */

static void report_yaml_error(loader *L)
{
    const yaml_parser_t *yp = &L->yp;
    yaml_mark_t m = yp->problem ? yp->problem_mark : yp->mark;
    if (yp->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset, not a mark. */
        int line, col;
        diag_position(L->cur, yp->problem_offset, &line, &col);
        diag_report(L->d, D_YAML_SYNTAX, L->cur, line, col, "YAML: %s",
                    yp->problem ? yp->problem : "the file cannot be read");
        return;
    }
    /* An unclosed quote or bracket runs to the end of the file: the place
     * to show is where it was opened. */
    if (yp->problem && yp->context && strstr(yp->problem, "end of stream"))
        m = yp->context_mark;
    const char *problem = yp->problem ? yp->problem : "the YAML parser failed";
    int line = (int)m.line + 1, col = (int)m.column + 1;
    /* At the end of a file without a final newline, libyaml's mark is on
     * the line after the last: show the end of the last line instead. */
    if (L->cur && L->cur->text) {
        int end_line, end_col;
        diag_position(L->cur, L->cur->len, &end_line, &end_col);
        if (line > end_line || (line == end_line && col > end_col))
            line = end_line, col = end_col;
    }
    if (yp->context)
        diag_report(L->d, D_YAML_SYNTAX, L->cur, line, col, "YAML: %s %s", problem, yp->context);
    else
        diag_report(L->d, D_YAML_SYNTAX, L->cur, line, col, "YAML: %s", problem);
}

/* Stops reading the file: the held event is dropped, so that every loop
 * over events sees the end at once (NO_EVENT, nothing held). */
yaml_event_type_t ev_halt(loader *L)
{
    yaml_event_delete(&L->ev);
    L->have = false;
    L->stop = true;
    return YAML_NO_EVENT;
}

yaml_event_type_t ev_peek(loader *L)
{
    if (L->stop)
        return YAML_NO_EVENT;
    if (L->have)
        return L->ev.type;
    /* No diagnostic would be kept any more: reading on would only count
     * them (an error in each of 100,000 scenes). */
    if (diag_full(L->d)) {
        L->stop = true;
        return YAML_NO_EVENT;
    }
    if (!yaml_parser_parse(&L->yp, &L->ev)) {
        /* libyaml may fail without setting an error (seen under
         * allocation failure): any 0 return is an error. */
        report_yaml_error(L);
        L->stop = true;
        return YAML_NO_EVENT;
    }
    L->have = true;
    yaml_event_t *e = &L->ev;
    const yaml_char_t *anchor = NULL;
    if (e->type == YAML_ALIAS_EVENT) {
        ev_report(L, D_ALIAS, e->start_mark,
                  "YAML aliases ('*%s') are not allowed in packs: write the value out", e->data.alias.anchor);
        return ev_halt(L);
    }
    if (e->type == YAML_SCALAR_EVENT)
        anchor = e->data.scalar.anchor;
    else if (e->type == YAML_SEQUENCE_START_EVENT)
        anchor = e->data.sequence_start.anchor;
    else if (e->type == YAML_MAPPING_START_EVENT)
        anchor = e->data.mapping_start.anchor;
    if (anchor) {
        ev_report(L, D_ALIAS, e->start_mark,
                  "YAML anchors ('&%s') are not allowed in packs: write the value out", anchor);
        return ev_halt(L);
    }
    if (e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT) {
        if (++L->depth > PACK_MAX_DEPTH) {
            ev_report(L, D_TOO_DEEP, e->start_mark, "nesting deeper than %d levels", PACK_MAX_DEPTH);
            return ev_halt(L);
        }
    } else if (e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT) {
        L->depth--;
    }
    return e->type;
}

void ev_next(loader *L)
{
    if (L->have) {
        yaml_event_delete(&L->ev);
        L->have = false;
    }
}

void ev_skip(loader *L)
{
    yaml_event_type_t t = ev_peek(L);
    if (t == YAML_NO_EVENT)
        return;
    ev_next(L);
    if (t != YAML_SEQUENCE_START_EVENT && t != YAML_MAPPING_START_EVENT)
        return;
    for (;;) {
        t = ev_peek(L);
        if (t == YAML_NO_EVENT)
            return;
        if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            ev_next(L);
            return;
        }
        ev_skip(L);
    }
}

static void parse_file(loader *L, diag_file *f, bool root)
{
    L->cur = f;
    if (!precheck(L, f))
        return;
    if (!yaml_parser_initialize(&L->yp)) {
        diag_report(L->d, D_YAML_SYNTAX, f, 1, 1, "YAML: cannot start the parser");
        return;
    }
    yaml_parser_set_input_string(&L->yp, (const unsigned char *)f->text, f->len);
    yaml_parser_set_encoding(&L->yp, YAML_UTF8_ENCODING);
    L->stop = L->have = false;
    L->depth = 0;
    bool had_doc = false;
    while (ev_peek(L) != YAML_NO_EVENT) {
        yaml_event_type_t t = L->ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            ev_next(L);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && had_doc) {
            ev_report(L, D_YAML_SYNTAX, L->ev.start_mark, "a pack file holds one YAML document");
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            had_doc = true;
            ev_next(L);
            if (ev_peek(L) == YAML_SCALAR_EVENT && L->ev.data.scalar.length == 0 &&
                L->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                diag_report(L->d, D_EMPTY_FILE, f, 1, 1, "the file is empty");
                ev_next(L);
            } else if (root) {
                parse_root(L);
            } else {
                parse_include(L);
            }
            continue;
        }
        ev_next(L);
    }
    if (!had_doc && !L->stop)
        diag_report(L->d, D_EMPTY_FILE, f, 1, 1, "the file is empty");
    ev_next(L);
    yaml_parser_delete(&L->yp);
    L->cur = NULL;
}

/* ---- entry points ------------------------------------------------------ */

/* Adds file f to the pack's content hash, so that a save can tell an
 * edited pack from the one it was made with. */
static void hash_file(loader *L, uint64_t *h, const diag_file *f)
{
    /* Only a pack that loads has a hash to show (saves check it): a
     * refused one would hash up to 64 MB for nothing. */
    if (diag_errors(L->d))
        return;
    for (const char *s = f->name + strlen(L->display); *s; s++)
        *h = (*h ^ (unsigned char)*s) * 1099511628211ull;
    /* Eight bytes a step: FNV-1a's structure on words (with a final mix),
     * so hashing costs a fraction of parsing. */
    size_t k = 0;
    for (; k + 8 <= f->len; k += 8) {
        uint64_t w;
        memcpy(&w, f->text + k, 8);
        *h = (*h ^ w) * 1099511628211ull;
        *h ^= *h >> 32;
    }
    for (; k < f->len; k++)
        *h = (*h ^ (unsigned char)f->text[k]) * 1099511628211ull;
}

/* Once a disk file is parsed, the model holds copies of everything it
 * needs, so the file's text is released (on a 10,000-scene pack that is
 * most of the peak memory); a later diagnostic in that file reads it
 * again (load_text) to quote the line. */
static void release_text(loader *L, diag_file *f)
{
    int i = (int)(f - L->files);
    if (!L->owned[i])
        return;
    free((char *)f->text);
    f->text = NULL;
    diag_file_done(f);
}

void load_text(loader *L, diag_file *f)
{
    if (f->text)
        return;
    /* f may be a stand-in for the root file, outside L->files: find it by
     * equality (subtracting unrelated pointers is undefined). */
    int i = 0;
    while (i < L->nfiles && &L->files[i] != f)
        i++;
    if (i == L->nfiles || !L->owned[i] || !L->rel[i])
        return;
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", L->root_dir, L->rel[i]) >= sizeof path)
        return;
    FILE *in = fopen(path, "rb");
    if (!in)
        return;
    /* The same bytes as parsed: f->len counts them after a BOM was
     * dropped, so read 3 more and drop it again. If the file changed
     * meanwhile, the quoted line may differ, but never the length. */
    char *data = xmalloc(f->len + 4);
    size_t got = fread(data, 1, f->len + 3, in);
    fclose(in);
    if (got >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
        memmove(data, data + 3, got - 3);
        got -= 3;
    }
    if (got > f->len)
        got = f->len;
    data[got] = '\0';
    f->text = data;
    f->len = got;
}

static pack *run(loader *L, const char *root_rel)
{
    pack *p = L->p;
    uint64_t h = 1469598103934665603ull;
    diag_file *root = L->read(L, root_rel, NULL);
    if (root) {
        parse_file(L, root, true);
        hash_file(L, &h, root);
        release_text(L, root);
        for (size_t i = 0; i < L->includes.n; i++) {
            include_ref *inc = &L->includes.v[i];
            const char *why = bad_include(inc->path);
            if (why) {
                loc_report(L, D_INCLUDE_OUTSIDE, &inc->ref, "include '%s' is %s", inc->path, why);
                continue;
            }
            diag_file *f = L->read(L, inc->path, &inc->ref);
            if (f) {
                parse_file(L, f, false);
                hash_file(L, &h, f);
                release_text(L, f);
            }
        }
        snprintf(p->hash, sizeof p->hash, "%016llx", (unsigned long long)h);
        /* Resolution runs only on a pack that read cleanly: names missing
         * because a file failed to parse would only add noise. */
        if (diag_errors(L->d) == 0)
            load_resolve(L);
        if (diag_errors(L->d) == 0)
            load_validate(L);
    }
    for (int i = 0; i < L->nfiles; i++) {
        if (L->owned[i])
            free((char *)L->files[i].text);
        diag_file_done(&L->files[i]);
    }
    load_cleanup(L);
    if (diag_errors(L->d)) {
        pack_free(p);
        return NULL;
    }
    return p;
}

static void init(loader *L, diags *d, const char *display)
{
    memset(L, 0, sizeof *L);
    L->d = d;
    L->a = arena_new();
    L->hot = arena_new();
    L->p = arena_alloc(L->a, sizeof(pack));
    L->p->arena = L->a;
    L->p->hot = L->hot;
    L->p->names = intern_new(L->a);
    L->display = display;
}

pack *pack_load(const char *path, diags *d)
{
    loader *L = xmalloc(sizeof *L);
    init(L, d, "");
    struct stat st;
    char dir[PATH_MAX];
    const char *root_rel = "pack.yaml";
    if (stat(path, &st) != 0) {
        diag_report(d, D_FILE_UNREADABLE, NULL, 0, 0, "cannot read '%s': %s", path, strerror(errno));
        pack_free(L->p);
        free(L);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(dir, sizeof dir, "%s", path);
        L->display = path;
    } else {
        const char *slash = strrchr(path, '/');
        if (slash) {
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
            if (!dir[0])
                snprintf(dir, sizeof dir, "/");
            root_rel = slash + 1;
            L->display = arena_strndup(L->a, path, (size_t)(slash - path + 1));
        }
        else {
            snprintf(dir, sizeof dir, ".");
            root_rel = path;
        }
    }
    {
        size_t dl = strlen(L->display);
        char *rd = arena_alloc(L->a, dl + strlen(root_rel) + 2);
        sprintf(rd, "%s%s%s", L->display, dl && L->display[dl - 1] != '/' ? "/" : "", root_rel);
        L->root_display = rd;
    }
    L->root_dir = dir;
    if (!realpath(dir, L->root_real)) {
        diag_report(d, D_FILE_UNREADABLE, NULL, 0, 0, "cannot read '%s': %s", path, strerror(errno));
        pack_free(L->p);
        free(L);
        return NULL;
    }
    L->read = read_disk;
    pack *p = run(L, root_rel);
    free(L);
    return p;
}

pack *pack_load_memory(const char *display, const char *const *names, const char *const *files,
                       const size_t *lens, size_t count, diags *d)
{
    loader *L = xmalloc(sizeof *L);
    init(L, d, display);
    L->read = read_memory;
    L->mem_names = names;
    L->mem_files = files;
    L->mem_lens = lens;
    L->mem_count = count;
    if (count) {
        size_t dl = strlen(display);
        char *rd = arena_alloc(L->a, dl + strlen(names[0]) + 2);
        sprintf(rd, "%s%s%s", display, dl && display[dl - 1] != '/' ? "/" : "", names[0]);
        L->root_display = rd;
    }
    pack *p = count ? run(L, names[0]) : NULL;
    if (!count) {
        diag_report(d, D_EMPTY_FILE, NULL, 0, 0, "no files");
        pack_free(L->p);
    }
    free(L);
    return p;
}

void pack_free(pack *p)
{
    if (!p)
        return;
    arena_free(p->hot);
    arena_free(p->arena); /* p itself lives here: last */
}

const char *pack_id(const pack *p) { return p->id; }
const char *pack_title(const pack *p) { return p->title; }
const char *pack_version(const pack *p) { return p->version; }
const char *pack_hash(const pack *p) { return p->hash; }
size_t pack_expect_runs(const pack *p) { return p->expect_runs; }
bool pack_expect_seed(const pack *p, uint64_t *seed)
{
    *seed = p->expect_seed;
    return p->expect_seed_given;
}

/* ---- reporting helpers ------------------------------------------------- */

static void vreport(loader *L, diag_code code, diag_file *f, int line, int col, const char *fmt,
                    va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    diag_report(L->d, code, f, line, col, "%s", msg);
}

void loc_report(loader *L, diag_code code, const srcref *ref, const char *fmt, ...)
{
    if (ref && ref->f)
        load_text(L, ref->f);
    va_list ap;
    va_start(ap, fmt);
    if (ref)
        vreport(L, code, ref->f, ref->line, ref->col, fmt, ap);
    else
        vreport(L, code, NULL, 0, 0, fmt, ap);
    va_end(ap);
}

void ev_report(loader *L, diag_code code, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(L, code, L->cur, (int)m.line + 1, (int)m.column + 1, fmt, ap);
    va_end(ap);
}

/* How many value bytes the escape at src[0] (a backslash) of a
 * double-quoted scalar produces, and how many source bytes it spans. */
static void escape_size(const char *src, size_t avail, size_t *in, size_t *out)
{
    uint32_t cp = 0;
    size_t digits = 0;
    *in = 2;
    *out = 1;
    if (avail < 2)
        return;
    switch (src[1]) {
    case '\n': *out = 0; return; /* a line continuation */
    case 'N': case '_': *out = 2; return;
    case 'L': case 'P': *out = 3; return;
    case 'x': digits = 2; break;
    case 'u': digits = 4; break;
    case 'U': digits = 8; break;
    default: return;
    }
    for (size_t i = 0; i < digits && 2 + i < avail; i++) {
        char c = src[2 + i];
        cp = cp * 16 + (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    *in = 2 + digits;
    *out = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Finds where value offset off lies in the source of the scalar: walk the
 * source from the scalar's start, matching the value's bytes and skipping
 * what the YAML syntax added (quotes, indentation, the block indicator
 * line, folded line breaks), decoding the escapes of double-quoted
 * scalars. Bounded by the scalar's end mark, so a value the walk cannot
 * follow gives a nearby position, never a wrong file or a crash. Runs
 * only when reporting an error. */
void load_report_in(loader *L, diag_code code, const srcref *ref, const char *val, size_t off,
                    const char *msg)
{
    diag_file *f = ref->f;
    if (diag_full(L->d)) {
        diag_report(L->d, code, NULL, 0, 0, "%s", msg); /* counted only */
        return;
    }
    if (f)
        load_text(L, f);
    if (!f || !f->text) {
        loc_report(L, code, ref, "%s", msg);
        return;
    }
    size_t src = diag_offset(f, ref->line, ref->col);
    size_t end = diag_offset(f, ref->end_line, ref->end_col);
    if (end > f->len)
        end = f->len;
    bool quoted = ref->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || ref->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (quoted) {
        src++;
        if (end > src)
            end--; /* stop at the closing quote, not after it */
    } else if (ref->style == YAML_LITERAL_SCALAR_STYLE || ref->style == YAML_FOLDED_SCALAR_STYLE) {
        while (src < end && f->text[src] != '\n')
            src++;
        src++;
    }
    size_t i = 0;
    while (i < off && src < end) {
        if (ref->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && f->text[src] == '\\') {
            size_t in, out;
            escape_size(f->text + src, end - src, &in, &out);
            if (i + out > off)
                break; /* the offset is inside this escape: point at it */
            src += in;
            i += out;
            continue;
        }
        char want = val[i];
        if (f->text[src] == want || (want == ' ' && f->text[src] == '\n')) {
            src++;
            i++;
            continue;
        }
        src++; /* syntax the value does not have: indentation, quotes */
    }
    /* Skip indentation before the character itself. */
    while (src < end && i < off + 1 && val[off] != ' ' && (f->text[src] == ' ' || f->text[src] == '\n') &&
           f->text[src] != val[off])
        src++;
    if (src > end)
        src = end;
    int line, col;
    diag_position(f, src, &line, &col);
    diag_report(L->d, code, f, line, col, "%s", msg);
}

void load_cleanup(loader *L)
{
    free(L->includes.v);
    free(L->vars.v);
    free(L->var_names.v);
    free(L->notes.v);
    free(L->styles.v);
    free(L->outcomes.v);
    free(L->chapters.v);
    free(L->scenes.v);
    free(L->choices.v);
    free(L->snapshots.v);
    free(L->snapshot_refs.v);
    free(L->authors.v);
    free(L->exprs.v);
    free(L->texts.v);
    free(L->effects.v);
    free(L->gotos.v);
    free(L->scene_notes.v);
    free(L->expects.v);
    free(L->reveal.protos.v);
    free(L->reveal.proto_refs.v);
    free(L->reveal.px.v);
    free(L->reveal.py.v);
}

srcref load_ref(loader *L, pk_loc loc)
{
    srcref r = {0};
    for (int i = 0; i < L->nfiles; i++)
        if (L->files[i].name == loc.file)
            r.f = &L->files[i];
    r.line = r.end_line = loc.line;
    r.col = r.end_col = loc.col;
    return r;
}
