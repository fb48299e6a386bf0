/*
 * diag: the diagnostics of loading and checking a pack. The loader reports
 * every problem it finds here and keeps going; the caller prints them all
 * at the end, like a compiler: "file:line:col: error: message [code]", the
 * source line and a caret. Each diagnostic has a stable code from one
 * table (diag.c), so that tests, docs and editors can name it. A diags
 * object owns copies of everything it reports; the source text it quotes
 * can be freed right after diag_report returns.
 */
#ifndef IWM_DIAG_H
#define IWM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum diag_code {
#define DIAG(id, name, sev) id,
#include "diag_codes.h"
#undef DIAG
    DIAG_COUNT
} diag_code;

typedef enum diag_severity { DIAG_ERROR, DIAG_WARNING } diag_severity;

/* A source file as the loader holds it while loading. */
typedef struct diag_file {
    const char *name; /* as printed: the path the user gave, joined with the include */
    const char *text;
    size_t len;
    int id; /* order of loading, used to sort diagnostics */
    /* Start offset of each line, built on the first diagnostic in the file
     * (so a clean load never pays for it); freed by diag_file_done. */
    size_t *lines;
    size_t nlines;
    /* The last position found (byte offset, line, column; line 0: none).
     * Diagnostics arrive mostly in file order, so the next column is
     * counted on from here: without it a pack of 100,000 errors on one
     * 14 MB line took seconds of counting the same characters again. */
    size_t at_off;
    int at_line, at_col;
} diag_file;

/* Frees the line table of f (not f itself); f may be NULL. */
void diag_file_done(diag_file *f);

/* Line and column (1-based; the column counts characters, an invalid byte
 * as one) of byte offset off in f, clamped to f's length. f->text must be
 * loaded. Builds the line table on first use. */
void diag_position(diag_file *f, size_t off, int *line, int *col);

/* Byte offset of line and column col (1-based, characters) in f: the
 * inverse of diag_position. A column past the end of its line counts on
 * into the next lines (as libyaml's end marks may), and the result is
 * clamped to f's length. f->text must be loaded. */
size_t diag_offset(diag_file *f, int line, int col);

typedef struct diags diags;

/* A new, empty collection. Never returns NULL. */
diags *diags_new(void);
/* Frees d and everything it holds; d may be NULL. */
void diags_free(diags *d);

/* Records a diagnostic at line and col (both 1-based, col counted in
 * characters) of f. f may be NULL for a problem with no location (line and
 * col are then ignored). The message is printf-formatted; text from the
 * pack interpolated into it is made printable when printed. */
void diag_report(diags *d, diag_code code, diag_file *f, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* True once d keeps no more diagnostics (it only counts them): callers
 * can skip working out a position nobody will see, and the loader stops
 * reading, so that a pack with an error in each of 100,000 scenes costs
 * no more than its first thousand errors. */
bool diag_full(const diags *d);

size_t diag_errors(const diags *d);
size_t diag_warnings(const diags *d);
/* True when code is a warning by the table. */
diag_severity diag_severity_of(diag_code code);
/* The stable name of a code, e.g. "unknown-key". */
const char *diag_name(diag_code code);

/* Prints every diagnostic sorted by file, line and column: the gcc form
 * with the source line and a caret, then a summary line when there is
 * more than one diagnostic. color adds bold and red/magenta. */
void diag_print(const diags *d, FILE *f, bool color);
/* Prints a JSON array of {file, line, column, severity, code, message}. */
void diag_print_json(const diags *d, FILE *f);

/* Iteration, for tests: the i-th diagnostic in sorted order, formatted as
 * its first line ("file:line:col: severity: message [code]"). */
size_t diag_count(const diags *d);
const char *diag_line(diags *d, size_t i);

#endif
