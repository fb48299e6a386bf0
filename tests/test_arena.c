/*
 * Tests for arena and intern, the memory every loaded pack lives in:
 * allocations that never overlap and stay aligned and zeroed across many
 * blocks and oversized requests, and interned names that stay one pointer
 * per distinct string while the table grows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "intern.h"

/* ---- arena --------------------------------------------------------------- */

static void aligned_and_zeroed(void **state)
{
    (void)state;
    arena *a = arena_new();
    for (size_t n = 0; n < 300; n++) {
        unsigned char *p = arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, n); /* dirty it: the next allocation must still be zero */
    }
    arena_free(a);
}

/* Many allocations of mixed sizes, including ones larger than a block,
 * each filled with its own pattern: none overwrites another. */
static void many_allocations_do_not_overlap(void **state)
{
    (void)state;
    enum { N = 20000 };
    arena *a = arena_new();
    unsigned char **p = malloc(N * sizeof *p);
    size_t *len = malloc(N * sizeof *len);
    uint64_t rng = 12345;
    size_t total = 0;
    for (size_t i = 0; i < N; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t r = (size_t)(rng >> 33);
        len[i] = i % 997 == 0 ? 70000 + r % 100000 /* bigger than a block */
                 : i % 61 == 0 ? 16384 + r % 20000 /* a quarter block and up */
                               : r % 200;
        p[i] = arena_alloc(a, len[i]);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
        memset(p[i], (int)(i & 0xFF), len[i]);
        total += len[i];
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            if (p[i][k] != (unsigned char)(i & 0xFF))
                fail_msg("allocation %zu (%zu bytes) overwritten at byte %zu", i, len[i], k);
    assert_true(arena_used(a) >= total);
    assert_true(arena_used(a) <= total + N * 16); /* rounding to the alignment only */
    free(p);
    free(len);
    arena_free(a);
}

static void used_counts_bytes(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_int_equal(arena_used(a), 0);
    arena_alloc(a, 1);
    size_t one = arena_used(a);
    assert_true(one >= 1 && one <= 16);
    arena_alloc(a, 1 << 20);
    assert_true(arena_used(a) >= one + (1 << 20));
    arena_free(a);
    arena_free(NULL);
}

static void strndup_copies_bytes(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char src[] = "ab\0cd";
    char *s = arena_strndup(a, src, 5);
    assert_memory_equal(s, src, 5);
    assert_int_equal(s[5], '\0');
    assert_ptr_not_equal(s, src);
    char *e = arena_strndup(a, "xyz", 0);
    assert_string_equal(e, "");
    char *t = arena_strndup(a, "hello world", 5);
    assert_string_equal(t, "hello");
    arena_free(a);
}

/* ---- intern ---------------------------------------------------------------- */

static void equal_strings_one_pointer(void **state)
{
    (void)state;
    arena *a = arena_new();
    intern *t = intern_new(a);
    char buf1[] = "anxiety", buf2[] = "anxiety";
    const char *x = intern_str(t, buf1, 7), *y = intern_str(t, buf2, 7);
    assert_ptr_equal(x, y);
    assert_ptr_not_equal(x, buf1); /* a copy, owned by the arena */
    buf1[0] = 'X';
    assert_string_equal(x, "anxiety");
    /* prefixes, lengths and embedded NULs make different strings */
    const char *ab = intern_str(t, "abc", 2), *abc = intern_str(t, "abc", 3);
    assert_ptr_not_equal(ab, abc);
    assert_string_equal(ab, "ab");
    const char *nul1 = intern_str(t, "a\0b", 3), *nul2 = intern_str(t, "a\0c", 3);
    assert_ptr_not_equal(nul1, nul2);
    assert_ptr_equal(intern_str(t, "a\0b", 3), nul1);
    const char *empty = intern_str(t, "", 0);
    assert_string_equal(empty, "");
    assert_ptr_equal(intern_str(t, "zzz", 0), empty);
    arena_free(a);
}

static void find_does_not_insert(void **state)
{
    (void)state;
    arena *a = arena_new();
    intern *t = intern_new(a);
    assert_null(intern_find(t, "scene", 5));
    assert_null(intern_find(t, "scene", 5)); /* still not there */
    const char *s = intern_str(t, "scene", 5);
    assert_ptr_equal(intern_find(t, "scene", 5), s);
    assert_null(intern_find(t, "scen", 4));
    assert_null(intern_find(t, "scenes", 6));
    arena_free(a);
}

/* Pointers handed out before the table grows stay the answer after. */
static void identity_survives_growth(void **state)
{
    (void)state;
    enum { N = 50000 };
    arena *a = arena_new();
    intern *t = intern_new(a);
    const char **first = malloc(N * sizeof *first);
    char name[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(name, sizeof name, "name_%d", i);
        first[i] = intern_str(t, name, (size_t)n);
        assert_string_equal(first[i], name);
        /* an early name keeps its pointer while the table doubles */
        if ((i & (i - 1)) == 0)
            assert_ptr_equal(intern_find(t, "name_0", 6), first[0]);
    }
    for (int i = 0; i < N; i++) {
        int n = snprintf(name, sizeof name, "name_%d", i);
        assert_ptr_equal(intern_str(t, name, (size_t)n), first[i]);
        assert_ptr_equal(intern_find(t, name, (size_t)n), first[i]);
    }
    /* all distinct */
    for (int i = 1; i < N; i++)
        assert_ptr_not_equal(first[i], first[i - 1]);
    assert_null(intern_find(t, "name_50000", 10));
    free(first);
    arena_free(a);
}

/* Strings that collide in the low bits of their hash still stay apart. */
static void colliding_lengths_and_bytes(void **state)
{
    (void)state;
    arena *a = arena_new();
    intern *t = intern_new(a);
    const char *v[256];
    char s[4] = {0};
    for (int i = 0; i < 256; i++) {
        s[0] = (char)i;
        v[i] = intern_str(t, s, 1);
    }
    for (int i = 0; i < 256; i++) {
        s[0] = (char)i;
        assert_ptr_equal(intern_find(t, s, 1), v[i]);
        assert_int_equal((unsigned char)v[i][0], i);
        for (int k = 0; k < i; k++)
            assert_ptr_not_equal(v[k], v[i]);
    }
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(aligned_and_zeroed),
        cmocka_unit_test(many_allocations_do_not_overlap),
        cmocka_unit_test(used_counts_bytes),
        cmocka_unit_test(strndup_copies_bytes),
        cmocka_unit_test(equal_strings_one_pointer),
        cmocka_unit_test(find_does_not_insert),
        cmocka_unit_test(identity_survives_growth),
        cmocka_unit_test(colliding_lengths_and_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
