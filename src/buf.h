/*
 * buf: a growable byte string, always NUL-terminated. Used wherever text is
 * assembled (rendered narration, diagnostics, saves, reports). A buf owns
 * its memory; buf_reset keeps the capacity so that a buffer reused across
 * choices stops allocating once it has grown to the largest scene.
 */
#ifndef IWM_BUF_H
#define IWM_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

/* Frees the memory; b may be NULL. The buf is left empty and reusable. */
void buf_free(buf *b);
/* Empties the buffer, keeping its capacity. */
void buf_reset(buf *b);
/* Makes room for n more bytes (plus the terminator). */
void buf_reserve(buf *b, size_t n);
void buf_append(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal: quoted, with '"', '\\' and control
 * characters escaped (UTF-8 passes through). s must not be NULL. */
void buf_json(buf *b, const char *s);
/* The contents as a C string ("" when empty, never NULL). */
const char *buf_str(const buf *b);

#endif
