/*
 * report: the record of a playthrough that a student hands in, and the
 * summary of a class. One reveal (reveal.h) rendered four ways, chosen by
 * the file's extension: Markdown (.md) to read and annotate, JSON (.json)
 * for tools and for `iwm class`, a self-contained HTML page (.html: inline
 * CSS and SVG, no network, printable on one or two pages, light and dark),
 * and CSV (.csv: the trajectory, one row per choice). The only personal
 * data a report can carry is the optional name the player gives; the
 * format is documented in docs/report-format.md with a version field.
 */
#ifndef IWM_REPORT_H
#define IWM_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "game.h"
#include "reveal.h"

enum { REPORT_VERSION = 1 };

typedef enum report_format { REPORT_MD, REPORT_JSON, REPORT_HTML, REPORT_CSV, REPORT_UNKNOWN } report_format;

/* The format named by path's extension (case-insensitive), or REPORT_UNKNOWN. */
report_format report_format_of(const char *path);

/* Appends the report of g, whose reveal is r (computed by the caller with
 * reveal_compute(r, g, true)), in format f to out. name may be NULL (no
 * name in the report). Every string from the pack is escaped for the
 * format (HTML entities, JSON escapes, CSV quoting) and sanitised of
 * control characters. */
void report_render(const game *g, const reveal *r, report_format f, const char *name, buf *out);

/* Computes the reveal of g and writes its report to path (format by
 * extension), replacing the file atomically. Returns 0, or -1 with a
 * one-line reason in err (unknown extension, cannot write). */
int report_write(const game *g, const char *path, const char *name, char *err, size_t errlen);

/* Reads the JSON reports inputs[0..n) and writes a class summary to
 * out_path (.md or .html): how many players, the final positions as a
 * scatter on the map, the share of each style, how many reached each
 * outcome, the mean shift from the snapshot to the end on each axis, and
 * the choices most often taken at the scenes where the model moved most.
 * Names appear only if the reports carry them. Returns 0, or -1 with err
 * naming the first unreadable or invalid report (file and reason). */
int report_class(const char *const *inputs, size_t n, const char *out_path, char *err, size_t errlen);

#endif
