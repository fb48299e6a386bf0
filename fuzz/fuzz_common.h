/*
 * fuzz_common.h: what the libFuzzer targets in fuzz/ share: the oracle
 * for text that reaches a terminal, a UTF-8 check, and a copy helper that
 * gives each input slice its own exact-size heap block so that AddressSanitizer
 * sees any read past its end. Header-only (static functions): each target
 * is its own program. The targets and how to run them: docs/robustness.md.
 */
#ifndef IWM_FUZZ_COMMON_H
#define IWM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints what broke and aborts, so that libFuzzer records the input. */
static inline void fz_fail(const char *what, const char *s, size_t n, size_t at)
{
    fprintf(stderr, "\nfuzz oracle: %s at byte %zu of %zu\n", what, at, n);
    size_t from = at > 40 ? at - 40 : 0, to = at + 40 < n ? at + 40 : n;
    fprintf(stderr, "  context (hex):");
    for (size_t i = from; i < to; i++)
        fprintf(stderr, "%s%02x", i == at ? " [" : " ", (unsigned char)s[i]);
    fprintf(stderr, "\n");
    abort();
}

/* Length of the SGR sequence of the game's own styling table (out.c) at
 * s[0..n), or 0 when s does not start with one. */
static inline size_t fz_sgr(const char *s, size_t n)
{
    static const char *const table[] = {"\x1b[1m", "\x1b[22m", "\x1b[3m", "\x1b[23m"};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t k = strlen(table[i]);
        if (n >= k && !memcmp(s, table[i], k))
            return k;
    }
    return 0;
}

/* The terminal oracle: aborts when s[0..n) holds anything that could drive
 * a terminal: a C0 control other than '\n' (0x00-0x1f), DEL (0x7f), a C1
 * control (U+0080-U+009F, C2 80..9F), a bidirectional override or isolate
 * (U+202A-U+202E: E2 80 AA..AE; U+2066-U+2069: E2 81 A6..A9), the other
 * bidirectional marks out.h promises to remove (U+061C, U+200E, U+200F),
 * or invalid UTF-8. When sgr is true, the four SGR sequences of out.c's
 * styling table are allowed (and only those). */
static inline void fz_check_terminal_safe(const char *s, size_t n, bool sgr, const char *what)
{
    char msg[160];
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (sgr && c == 0x1b) {
            size_t k = fz_sgr(s + i, n - i);
            if (k) {
                i += k;
                continue;
            }
        }
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7f) {
                snprintf(msg, sizeof msg, "%s: control byte 0x%02x survived", what, c);
                fz_fail(msg, s, n, i);
            }
            i++;
            continue;
        }
        /* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
        size_t k;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf)
            k = 2, cp = c & 0x1f, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            k = 3, cp = c & 0x0f, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 4, cp = c & 0x07, min = 0x10000;
        else {
            snprintf(msg, sizeof msg, "%s: invalid UTF-8 lead byte 0x%02x", what, c);
            fz_fail(msg, s, n, i);
            return;
        }
        if (i + k > n) {
            snprintf(msg, sizeof msg, "%s: truncated UTF-8 sequence", what);
            fz_fail(msg, s, n, i);
        }
        for (size_t j = 1; j < k; j++) {
            unsigned char t = (unsigned char)s[i + j];
            if ((t & 0xc0) != 0x80) {
                snprintf(msg, sizeof msg, "%s: invalid UTF-8 continuation byte", what);
                fz_fail(msg, s, n, i);
            }
            cp = (cp << 6) | (t & 0x3f);
        }
        if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
            snprintf(msg, sizeof msg, "%s: overlong, surrogate or out-of-range UTF-8", what);
            fz_fail(msg, s, n, i);
        }
        if (cp <= 0x9f || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
            (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
            snprintf(msg, sizeof msg, "%s: control or bidi character U+%04X survived", what,
                     (unsigned)cp);
            fz_fail(msg, s, n, i);
        }
        i += k;
    }
}

/* An exact-size heap copy of s[0..n) (no terminator): reading past its
 * end is an AddressSanitizer error. Never NULL; n may be 0. */
static inline char *fz_copy(const void *s, size_t n)
{
    char *d = malloc(n ? n : 1);
    if (!d)
        abort();
    if (n)
        memcpy(d, s, n);
    return d;
}

#endif
