/*
 * out: the only path from pack text to the terminal. Every byte of story
 * text goes through out_sanitize, which removes what could drive a
 * terminal (C0 controls but newline, DEL, C1 controls, bidirectional
 * overrides and isolates, invalid UTF-8), and only then does out_render
 * add the game's own styling from a fixed table: bold and italic for the
 * pack's **strong** and *em* markup, and only when styling is enabled.
 * Rendering also wraps paragraphs to a width in display columns.
 */
#ifndef IWM_OUT_H
#define IWM_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct out_style {
    int width;   /* wrap at this many columns; <= 0 means do not wrap */
    bool styled; /* emit SGR bold/italic for markup; false: markers removed */
    int indent;  /* columns of indentation for every line */
    int hang;    /* extra columns of indentation for continuation lines */
} out_style;

/* Appends to dst the text of s[0..n) with every unsafe character removed:
 * C0 controls except '\n' (a tab becomes one space, '\r' is dropped), DEL
 * (0x7F), C1 controls U+0080-U+009F, the bidirectional controls U+061C,
 * U+200E, U+200F, U+202A-U+202E and U+2066-U+2069, and each invalid UTF-8
 * byte replaced by U+FFFD. Never fails; s may contain NUL (removed). */
void out_sanitize(buf *dst, const char *s, size_t n);

/* True when s[0..n) would pass out_sanitize unchanged. */
bool out_is_safe(const char *s, size_t n);

/* Renders narration s[0..n) into dst: sanitised first; paragraphs are
 * separated by blank lines (one or more) and are emitted separated by one
 * empty line; single newlines inside a paragraph become spaces; runs of
 * spaces collapse to one; each paragraph is wrapped at st->width display
 * columns (words longer than the width are broken at the width); lines
 * get st->indent spaces, continuation lines st->indent + st->hang.
 * "**x**" renders x in bold and "*x*" in italic when st->styled (SGR 1/22
 * and 3/23), otherwise the markers are removed; an unmatched marker is
 * kept as a literal asterisk. Styling never spans a paragraph break.
 * Output ends with '\n' unless s is empty or only whitespace. */
void out_render(buf *dst, const char *s, size_t n, const out_style *st);

#endif
