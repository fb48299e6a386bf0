/*
 * intern: a table of unique strings, so that every occurrence of a name in
 * a pack (a scene id, a state name, a choice id) is the same pointer and
 * the engine compares names by pointer. The table and its strings live in
 * the pack's arena and die with it.
 */
#ifndef IWM_INTERN_H
#define IWM_INTERN_H

#include <stddef.h>

#include "arena.h"

typedef struct intern intern;

/* A new table allocated in a (freed with it). */
intern *intern_new(arena *a);
/* The unique NUL-terminated copy of s[0..n), created on first use. */
const char *intern_str(intern *t, const char *s, size_t n);
/* The unique copy if s[0..n) was interned before, else NULL. */
const char *intern_find(const intern *t, const char *s, size_t n);

#endif
