/*
 * diag: collecting and printing diagnostics (see diag.h). The source line
 * is copied when a diagnostic is reported, not when it is printed, so the
 * loader can free a file as soon as it is done with it. Lines are clipped
 * to a window around the column, because a hostile pack may hold a 48 MB
 * line, and every byte that is not printable ASCII or valid UTF-8 is shown
 * as '?', because diagnostics quote untrusted files to a terminal.
 */
#include "diag.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"
#include "xalloc.h"

static const struct {
    const char *name;
    diag_severity sev;
} table[DIAG_COUNT] = {
#define DIAG(id, name, sev) [id] = {name, sev},
#include "diag_codes.h"
#undef DIAG
};

enum { MAX_KEPT = 1000, WINDOW = 100 };

typedef struct entry {
    diag_code code;
    char *file; /* NULL: no location */
    int file_id, line, col, seq;
    char *msg;
    char *src;     /* the clipped, printable source line */
    int caret_col; /* display column of the caret inside src, 0-based */
    char *first;   /* cached first line, for diag_line */
} entry;

struct diags {
    entry *v;
    size_t n, cap;
    size_t errors, warnings, dropped;
    bool sorted;
};

diags *diags_new(void)
{
    return xcalloc(1, sizeof(diags));
}

void diags_free(diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
        free(d->v[i].src);
        free(d->v[i].first);
    }
    free(d->v);
    free(d);
}

void diag_file_done(diag_file *f)
{
    if (!f)
        return;
    free(f->lines);
    f->lines = NULL;
    f->nlines = 0;
    f->at_line = 0;
}

static void index_lines(diag_file *f)
{
    size_t cap = 64;
    f->lines = xmalloc(cap * sizeof(size_t));
    f->nlines = 0;
    f->lines[f->nlines++] = 0;
    /* memchr: the first diagnostic in a 16 MB file indexes all of it. */
    for (const char *p = f->text, *e = f->text + f->len; (p = memchr(p, '\n', (size_t)(e - p))); p++) {
        if (f->nlines == cap) {
            cap *= 2;
            f->lines = xrealloc(f->lines, cap * sizeof(size_t));
        }
        f->lines[f->nlines++] = (size_t)(p - f->text) + 1;
    }
}

/* Steps one character from byte offset at of f (an invalid byte is one). */
static size_t step(const diag_file *f, size_t at)
{
    if ((unsigned char)f->text[at] < 0x80)
        return at + 1;
    uint32_t cp;
    size_t k = utf8_decode(f->text + at, f->len - at, &cp);
    return at + (k ? k : 1);
}

/* True when the 8 bytes at s are all ASCII: a column then counts them
 * at once (a hostile pack's 4 MB line is walked 8 bytes at a time). */
static bool ascii8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
    return !(w & 0x8080808080808080ull);
}

/* Index of the line holding byte offset off (0-based). */
static size_t line_of(diag_file *f, size_t off)
{
    if (!f->lines)
        index_lines(f);
    size_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Walks from byte at, column *c, one character at a time (eight ASCII
 * bytes at a time where it can) until byte to or column col, whichever
 * comes first; returns the byte reached and leaves its column in *c. */
static size_t walk(const diag_file *f, size_t at, int *c, size_t to, int col)
{
    while (at < to && *c < col) {
        if (to - at >= 8 && col - *c >= 8 && ascii8(f->text + at)) {
            at += 8, *c += 8;
            continue;
        }
        at = step(f, at);
        (*c)++;
    }
    return at;
}

void diag_position(diag_file *f, size_t off, int *line, int *col)
{
    if (off > f->len)
        off = f->len;
    size_t ln = line_of(f, off);
    size_t at = f->lines[ln];
    int c = 1;
    if (f->at_line == (int)ln + 1 && f->at_off <= off)
        at = f->at_off, c = f->at_col;
    at = walk(f, at, &c, off, INT_MAX);
    /* An offset inside a character counts that character (as the
     * loader always has); only a character boundary is remembered. */
    if (at == off) {
        f->at_off = at;
        f->at_line = (int)ln + 1;
        f->at_col = c;
    }
    *line = (int)ln + 1;
    *col = c;
}

size_t diag_offset(diag_file *f, int line, int col)
{
    if (!f->lines)
        index_lines(f);
    if (line < 1)
        line = 1;
    if ((size_t)line > f->nlines)
        return f->len;
    size_t at = f->lines[line - 1];
    int c = 1;
    if (f->at_line == line && f->at_col <= col)
        at = f->at_off, c = f->at_col;
    size_t end = (size_t)line < f->nlines ? f->lines[line] : f->len;
    at = walk(f, at, &c, f->len, col);
    /* Remember positions inside the line only: the cache is per line. */
    if (at < end || (at == end && end == f->len)) {
        f->at_off = at;
        f->at_line = line;
        f->at_col = c;
    }
    return at;
}

/* Appends s[0..n) to b with every unsafe byte replaced by '?'. Returns the
 * display width appended. */
static size_t put_printable(buf *b, const char *s, size_t n)
{
    size_t width = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t') {
            buf_putc(b, ' ');
            width++, i++;
            continue;
        }
        if (c < 0x80) {
            buf_putc(b, (char)(c < 0x20 || c == 0x7f ? '?' : c));
            width++, i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        /* Also the line and paragraph separators and the noncharacters the
         * loader refuses: each would break the quoted line's shape. */
        if (!k || utf8_is_format_control(cp) || cp == 0x2028 || cp == 0x2029 || cp == 0xfffe ||
            cp == 0xffff) {
            buf_putc(b, '?');
            width++;
            i += k ? k : 1;
            continue;
        }
        buf_append(b, s + i, k);
        width += (size_t)utf8_cpwidth(cp);
        i += k;
    }
    return width;
}

void diag_report(diags *d, diag_code code, diag_file *f, int line, int col, const char *fmt, ...)
{
    if (table[code].sev == DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->n >= MAX_KEPT) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = xrealloc(d->v, d->cap * sizeof(entry));
    }
    entry *e = &d->v[d->n];
    memset(e, 0, sizeof *e);
    e->code = code;
    e->seq = (int)d->n++;
    d->sorted = false;

    buf m = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&m, fmt, ap);
    va_end(ap);
    buf clean = BUF_INIT;
    put_printable(&clean, buf_str(&m), m.len);
    buf_free(&m);
    e->msg = xstrdup(buf_str(&clean));
    buf_free(&clean);

    if (!f)
        return;
    e->file = xstrdup(f->name);
    e->file_id = f->id;
    e->line = line < 1 ? 1 : line;
    e->col = col < 1 ? 1 : col;
    if (!f->text)
        return;
    if (!f->lines)
        index_lines(f);
    if ((size_t)e->line > f->nlines)
        return;
    size_t start = f->lines[e->line - 1];
    size_t end = (size_t)e->line < f->nlines ? f->lines[e->line] - 1 : f->len;
    if (end > start && f->text[end - 1] == '\r')
        end--;
    /* The caret's byte offset: col-1 characters in, at most the line's end. */
    size_t at = diag_offset(f, e->line, e->col);
    if (at > end)
        at = end;
    /* Clip to a window of characters either side of the caret. */
    size_t from = at, to = at;
    for (int c = 0; c < WINDOW && from > start; c++) {
        from--;
        while (from > start && ((unsigned char)f->text[from] & 0xc0) == 0x80)
            from--;
    }
    for (int c = 0; c < WINDOW && to < end; c++) {
        to++;
        while (to < end && ((unsigned char)f->text[to] & 0xc0) == 0x80)
            to++;
    }
    buf s = BUF_INIT;
    if (from > start)
        buf_puts(&s, "...");
    e->caret_col = (int)(put_printable(&s, f->text + from, at - from) + (from > start ? 3 : 0));
    put_printable(&s, f->text + at, to - at);
    if (to < end)
        buf_puts(&s, "...");
    e->src = xstrdup(buf_str(&s));
    buf_free(&s);
}

bool diag_full(const diags *d)
{
    return d->n >= MAX_KEPT;
}

size_t diag_errors(const diags *d)
{
    return d->errors;
}

size_t diag_warnings(const diags *d)
{
    return d->warnings;
}

diag_severity diag_severity_of(diag_code code)
{
    return table[code].sev;
}

const char *diag_name(diag_code code)
{
    return table[code].name;
}

static int cmp(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    /* Unlocated diagnostics (whole-pack problems) come last. */
    if (!a->file != !b->file)
        return a->file ? -1 : 1;
    if (a->file_id != b->file_id)
        return a->file_id < b->file_id ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void sort(diags *d)
{
    if (!d->sorted && d->n)
        qsort(d->v, d->n, sizeof(entry), cmp);
    d->sorted = true;
}

static void first_line(buf *b, const entry *e)
{
    if (e->file)
        buf_printf(b, "%s:%d:%d: ", e->file, e->line, e->col);
    else
        buf_puts(b, "iwm: ");
    buf_printf(b, "%s: %s [%s]", table[e->code].sev == DIAG_ERROR ? "error" : "warning", e->msg,
               table[e->code].name);
}

void diag_print(const diags *cd, FILE *f, bool color)
{
    diags *d = (diags *)cd; /* sorting is a cache, not a change */
    sort(d);
    const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
    for (size_t i = 0; i < d->n; i++) {
        const entry *e = &d->v[i];
        bool err = table[e->code].sev == DIAG_ERROR;
        const char *sev = color ? (err ? "\033[1;31m" : "\033[1;35m") : "";
        if (e->file)
            fprintf(f, "%s%s:%d:%d:%s ", bold, e->file, e->line, e->col, off);
        else
            fprintf(f, "%siwm:%s ", bold, off);
        fprintf(f, "%s%s:%s %s [%s]\n", sev, err ? "error" : "warning", off, e->msg,
                table[e->code].name);
        if (e->src) {
            fprintf(f, "%5d | %s\n      | %*s%s^%s\n", e->line, e->src, e->caret_col, "",
                    color ? "\033[1;32m" : "", off);
        }
    }
    if (d->dropped)
        fprintf(f, "iwm: %zu more diagnostic%s not shown\n", d->dropped, d->dropped == 1 ? "" : "s");
    if (d->n >= MAX_KEPT)
        fprintf(f, "iwm: stopped at %d diagnostics: fix these and check again\n", MAX_KEPT);
    if (d->errors + d->warnings > 1)
        fprintf(f, "%zu error%s, %zu warning%s\n", d->errors, d->errors == 1 ? "" : "s",
                d->warnings, d->warnings == 1 ? "" : "s");
}

static void json_str(FILE *f, const char *s)
{
    buf b = BUF_INIT;
    buf_json(&b, s);
    fputs(buf_str(&b), f);
    buf_free(&b);
}

void diag_print_json(const diags *cd, FILE *f)
{
    diags *d = (diags *)cd;
    sort(d);
    fputc('[', f);
    for (size_t i = 0; i < d->n; i++) {
        const entry *e = &d->v[i];
        fputs(i ? ",\n {" : "\n {", f);
        fputs("\"file\": ", f);
        if (e->file)
            json_str(f, e->file);
        else
            fputs("null", f);
        fprintf(f, ", \"line\": %d, \"column\": %d, \"severity\": \"%s\", \"code\": \"%s\", \"message\": ",
                e->file ? e->line : 0, e->file ? e->col : 0,
                table[e->code].sev == DIAG_ERROR ? "error" : "warning", table[e->code].name);
        json_str(f, e->msg);
        fputc('}', f);
    }
    fputs(d->n ? "\n]\n" : "]\n", f);
}

size_t diag_count(const diags *d)
{
    return d->n;
}

const char *diag_line(diags *d, size_t i)
{
    sort(d);
    entry *e = &d->v[i];
    if (!e->first) {
        buf b = BUF_INIT;
        first_line(&b, e);
        e->first = xstrdup(buf_str(&b));
        buf_free(&b);
    }
    return e->first;
}
