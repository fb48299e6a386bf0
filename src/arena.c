/*
 * arena: bump allocation in a chain of blocks (see arena.h). Blocks are
 * never reused or freed individually; a pack's model is write-once at load
 * and read-only afterwards, which is exactly the lifetime an arena serves.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum { BLOCK = 64 * 1024, ALIGN = 16 };

typedef struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(ALIGN) unsigned char data[];
} block;

struct arena {
    block *head;
    size_t total;
};

arena *arena_new(void)
{
    return xcalloc(1, sizeof(arena));
}

void arena_free(arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

static block *grow(arena *a, size_t n)
{
    size_t cap = n > BLOCK / 4 ? n : BLOCK;
    block *b = xmalloc(sizeof(block) + cap);
    b->used = 0;
    b->cap = cap;
    if (cap == n && a->head) {
        /* A large request gets its own block behind the current one, so
         * the space left in the current block is not wasted. */
        b->next = a->head->next;
        a->head->next = b;
    } else {
        b->next = a->head;
        a->head = b;
    }
    return b;
}

void *arena_alloc(arena *a, size_t n)
{
    if (n > SIZE_MAX - ALIGN)
        xmalloc(SIZE_MAX); /* reports out of memory and exits */
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    block *b = a->head;
    if (!b || b->cap - b->used < n)
        b = grow(a, n);
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    return d;
}

size_t arena_used(const arena *a)
{
    return a->total;
}
