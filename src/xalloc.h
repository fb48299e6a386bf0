/*
 * xalloc: the project's only allocation entry points for long-lived or
 * unbounded memory outside a pack's arena. Out-of-memory is not a state the
 * game can recover from in a useful way, so every function here prints one
 * line and exits with status 70 (EX_SOFTWARE) instead of returning NULL.
 * Callers therefore never check for NULL.
 */
#ifndef IWM_XALLOC_H
#define IWM_XALLOC_H

#include <stddef.h>

/* Never returns NULL; a zero size allocates one byte. */
void *xmalloc(size_t n);
/* Zeroed; never returns NULL; fails cleanly when count * size overflows. */
void *xcalloc(size_t count, size_t size);
/* Like realloc; p may be NULL; never returns NULL. */
void *xrealloc(void *p, size_t n);
/* Copy of the first n bytes of s plus a NUL terminator. */
char *xstrndup(const char *s, size_t n);
/* Copy of the NUL-terminated s. */
char *xstrdup(const char *s);

#endif
