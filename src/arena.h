/*
 * arena: the memory of one loaded pack. Everything the loader builds
 * (scenes, choices, expression trees, compiled text, interned names) is
 * carved from one arena and released by one arena_free, so a pack has no
 * per-object lifetimes and no leaks on any error path. Allocation is a
 * pointer bump inside 64 KiB blocks; larger requests get a block of
 * their own. Out-of-memory is fatal (see xalloc.h).
 */
#ifndef IWM_ARENA_H
#define IWM_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* A new, empty arena. Never returns NULL. */
arena *arena_new(void);
/* Releases every allocation of the arena and the arena itself; a may be NULL. */
void arena_free(arena *a);
/* n zeroed bytes aligned for any scalar type; valid until arena_free. */
void *arena_alloc(arena *a, size_t n);
/* A NUL-terminated copy of s[0..n) (s may hold NUL bytes; they are copied). */
char *arena_strndup(arena *a, const char *s, size_t n);
/* Bytes handed out so far (for memory figures in tests and benchmarks). */
size_t arena_used(const arena *a);

#endif
