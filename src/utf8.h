/*
 * utf8: decoding, validation and display width of UTF-8 text. The loader
 * uses it to refuse invalid or overlong sequences with a located
 * diagnostic; the output module uses it to wrap by display columns (a CJK
 * character takes two, a combining mark none). No locale is consulted, so
 * wrapping is the same on every machine.
 */
#ifndef IWM_UTF8_H
#define IWM_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[0..n). Returns the number of bytes used
 * (1-4) and stores the code point in *cp. On an invalid, overlong,
 * truncated or surrogate sequence, or a code point above U+10FFFF, returns 0
 * and leaves *cp unspecified. n must be > 0. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* True when s[0..n) is entirely valid UTF-8. Otherwise false, with the
 * byte offset of the first invalid sequence in *bad (bad may be NULL). */
bool utf8_valid(const char *s, size_t n, size_t *bad);

/* Columns a code point occupies on a terminal: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide and fullwidth characters and
 * emoji, 1 otherwise. Control characters count 0 (they never reach output). */
int utf8_cpwidth(uint32_t cp);

/* Sum of utf8_cpwidth over s[0..n); invalid bytes count 1 each. */
size_t utf8_width(const char *s, size_t n);

/* True for the code points that are invisible yet act on a terminal or on
 * the order text is shown in: the C1 controls (U+0080-U+009F; U+009B is
 * CSI) and the bidirectional marks, embeddings, overrides and isolates
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). The loader
 * refuses them, the output sanitiser drops them, diagnostics show '?'. */
bool utf8_is_format_control(uint32_t cp);

/* The length of the longest prefix of s[0..n) of at most max bytes that
 * does not end inside a UTF-8 sequence: where a quoted excerpt must be cut
 * without leaving half a character (shown as '?' or U+FFFD). Only
 * continuation bytes are looked at, so invalid text is cut somewhere
 * harmless too. */
size_t utf8_cut(const char *s, size_t n, size_t max);

/* Appends the UTF-8 encoding of cp (<= U+10FFFF) to out; returns its length. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
