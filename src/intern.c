/*
 * intern: open addressing with linear probing over FNV-1a hashes (see
 * intern.h). The table doubles at 50% load; the old slot array stays in
 * the arena, which costs at most as much again as the final table.
 */
#include "intern.h"

#include <stdint.h>
#include <string.h>

typedef struct slot {
    const char *s;
    size_t n;
    uint32_t hash;
} slot;

struct intern {
    arena *a;
    slot *slots;
    size_t cap, count;
};

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

intern *intern_new(arena *a)
{
    intern *t = arena_alloc(a, sizeof *t);
    t->a = a;
    t->cap = 256;
    t->slots = arena_alloc(a, t->cap * sizeof(slot));
    return t;
}

static slot *lookup(const intern *t, const char *s, size_t n, uint32_t h)
{
    size_t mask = t->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot *sl = &t->slots[i];
        if (!sl->s || (sl->hash == h && sl->n == n && memcmp(sl->s, s, n) == 0))
            return sl;
    }
}

const char *intern_find(const intern *t, const char *s, size_t n)
{
    return lookup(t, s, n, hash(s, n))->s;
}

const char *intern_str(intern *t, const char *s, size_t n)
{
    uint32_t h = hash(s, n);
    slot *sl = lookup(t, s, n, h);
    if (sl->s)
        return sl->s;
    if ((t->count + 1) * 2 > t->cap) {
        slot *old = t->slots;
        size_t oldcap = t->cap;
        t->cap *= 2;
        t->slots = arena_alloc(t->a, t->cap * sizeof(slot));
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].s)
                *lookup(t, old[i].s, old[i].n, old[i].hash) = old[i];
        sl = lookup(t, s, n, h);
    }
    sl->s = arena_strndup(t->a, s, n);
    sl->n = n;
    sl->hash = h;
    t->count++;
    return sl->s;
}
