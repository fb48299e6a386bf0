/*
 * Tests for utf8: strict decoding at every boundary of RFC 3629 (the
 * loader's rejection of hostile packs depends on it), widths of the
 * characters narration actually uses, and exhaustive round trips, which
 * are cheap (1.1M code points) and catch table or bit-twiddling slips that
 * hand-picked cases miss.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "utf8.h"

/* A string literal and its length, NULs included. */
#define S(x) x, sizeof(x) - 1

struct dec {
    const char *s;
    size_t n;
    size_t len; /* expected return: 0 for invalid */
    uint32_t cp;
};

static void check_decode(const struct dec *t, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t cp = 0xDEADBEEF;
        size_t len = utf8_decode(t[i].s, t[i].n, &cp);
        if (len != t[i].len || (len && cp != t[i].cp))
            fail_msg("case %zu: got %zu U+%04X", i, len, (unsigned)cp);
    }
}

static void decode_valid(void **state)
{
    (void)state;
    static const struct dec t[] = {
        {"A", 1, 1, 'A'},
        {"\0", 1, 1, 0},
        {"\x7F", 1, 1, 0x7F},
        {"\xC2\x80", 2, 2, 0x80},
        {"\xC3\xA9", 2, 2, 0xE9},           /* é */
        {"\xDF\xBF", 2, 2, 0x7FF},
        {"\xE0\xA0\x80", 3, 3, 0x800},
        {"\xE6\xBC\xA2", 3, 3, 0x6F22},      /* 漢 */
        {"\xED\x9F\xBF", 3, 3, 0xD7FF},      /* just below surrogates */
        {"\xEE\x80\x80", 3, 3, 0xE000},      /* just above surrogates */
        {"\xEF\xBF\xBF", 3, 3, 0xFFFF},
        {"\xF0\x90\x80\x80", 4, 4, 0x10000},
        {"\xF0\x9F\x98\x80", 4, 4, 0x1F600}, /* 😀 */
        {"\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF},
        /* only the first sequence is consumed */
        {"ab", 2, 1, 'a'},
        {"\xC3\xA9x", 3, 2, 0xE9},
    };
    check_decode(t, sizeof t / sizeof t[0]);
}

static void decode_invalid(void **state)
{
    (void)state;
    static const struct dec t[] = {
        /* overlong */
        {"\xC0\x80", 2, 0, 0},
        {"\xC1\xBF", 2, 0, 0},
        {"\xE0\x80\x80", 3, 0, 0},
        {"\xE0\x9F\xBF", 3, 0, 0},
        {"\xF0\x80\x80\x80", 4, 0, 0},
        {"\xF0\x8F\xBF\xBF", 4, 0, 0},
        {"\xC0\x9B", 2, 0, 0}, /* overlong ESC-ish: must never decode */
        /* surrogates */
        {"\xED\xA0\x80", 3, 0, 0},
        {"\xED\xBF\xBF", 3, 0, 0},
        /* above U+10FFFF and impossible leads */
        {"\xF4\x90\x80\x80", 4, 0, 0},
        {"\xF5\x80\x80\x80", 4, 0, 0},
        {"\xF8\x88\x80\x80\x80", 5, 0, 0},
        {"\xFF", 1, 0, 0},
        {"\xFE", 1, 0, 0},
        /* lone continuation bytes */
        {"\x80", 1, 0, 0},
        {"\xBF", 1, 0, 0},
        {"\x9B", 1, 0, 0},
        /* truncated: by n, and by a non-continuation byte */
        {"\xC3", 1, 0, 0},
        {"\xC3\xA9", 1, 0, 0},
        {"\xE6\xBC", 2, 0, 0},
        {"\xE6\xBC\xA2", 2, 0, 0},
        {"\xF0\x9F\x98", 3, 0, 0},
        {"\xC3\x41", 2, 0, 0},
        {"\xE6\x41\xA2", 3, 0, 0},
        {"\xE6\xBC\x41", 3, 0, 0},
        {"\xF0\x9F\x98\x41", 4, 0, 0},
        {"\xF0\x9F\xC3\xA9", 4, 0, 0},
    };
    check_decode(t, sizeof t / sizeof t[0]);
}

static void valid_offsets(void **state)
{
    (void)state;
    size_t bad = 99;

    assert_true(utf8_valid(S(""), &bad));
    assert_true(utf8_valid(S("plain"), &bad));
    assert_true(utf8_valid(S("caf\xC3\xA9 \xE6\xBC\xA2 \xF0\x9F\x98\x80"),
                           NULL));
    assert_true(utf8_valid(S("a\0b"), &bad)); /* NUL is valid UTF-8 */

    assert_false(utf8_valid(S("ab\xC3("), &bad));
    assert_int_equal(bad, 2);
    assert_false(utf8_valid(S("abc\xF0\x9F\x98"), &bad));
    assert_int_equal(bad, 3);
    assert_false(utf8_valid(S("\xC3\xA9\xED\xA0\x80"), &bad));
    assert_int_equal(bad, 2);
    assert_false(utf8_valid(S("\xE0\x80\x80z"), &bad));
    assert_int_equal(bad, 0);
    assert_false(utf8_valid(S("ok \xF4\x90\x80\x80"), &bad));
    assert_int_equal(bad, 3);
    /* bad may be NULL */
    assert_false(utf8_valid(S("\xFF"), NULL));
}

static void cpwidths(void **state)
{
    (void)state;
    static const struct {
        uint32_t cp;
        int w;
    } t[] = {
        {'A', 1},     {' ', 1},     {'~', 1},     {0xE9, 1},    /* é */
        {0x0301, 0},  {0x036F, 0},  {0x0370, 1},  {0x1AB0, 0},
        {0x1DC0, 0},  {0x20D0, 0},  {0xFE20, 0},  {0xFE0F, 0},
        {0xE0100, 0}, {0xE01EF, 0}, {0x200B, 0},  {0x200D, 0}, /* ZWJ */
        {0x2010, 1},  {0x6F22, 2},  {0x3000, 2},  {0x303F, 1},
        {0x3040, 2},  {0x1100, 2},  {0x115F, 2},  {0x1160, 0},
        {0xAC00, 2},  {0xD7A3, 2},  {0xD7A4, 1},  {0xF900, 2},
        {0xFF01, 2},  {0xFF60, 2},  {0xFF61, 1},  {0xFFE0, 2},
        {0x1F600, 2}, {0x1F300, 2}, {0x1F9D0, 2}, {0x1F650, 1},
        {0x20000, 2}, {0x2FFFD, 2}, {0x30000, 2}, {0x10FFFF, 1},
        {0x00, 0},    {0x07, 0},    {0x1B, 0},    {0x7F, 0},
        {0x9B, 0},    {0xA0, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int w = utf8_cpwidth(t[i].cp);
        if (w != t[i].w)
            fail_msg("U+%04X: width %d", (unsigned)t[i].cp, w);
    }
}

static void widths(void **state)
{
    (void)state;
    assert_int_equal(utf8_width(S("")), 0);
    assert_int_equal(utf8_width(S("hello")), 5);
    assert_int_equal(utf8_width(S("caf\xC3\xA9")), 4);
    assert_int_equal(utf8_width(S("e\xCC\x81")), 1); /* e + combining acute */
    assert_int_equal(utf8_width(S("\xE6\xBC\xA2\xE5\xAD\x97")), 4); /* 漢字 */
    assert_int_equal(utf8_width(S("\xF0\x9F\x98\x80!")), 3);
    /* woman ZWJ woman: the joiner itself is zero columns */
    assert_int_equal(
        utf8_width(S("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9")), 4);
    /* invalid bytes are one column each */
    assert_int_equal(utf8_width(S("\xFF\xFE")), 2);
    assert_int_equal(utf8_width(S("a\xC3")), 2);
    assert_int_equal(utf8_width(S("\xED\xA0\x80")), 3);
}

static void encode_known(void **state)
{
    (void)state;
    char b[4];

    assert_int_equal(utf8_encode('A', b), 1);
    assert_memory_equal(b, "A", 1);
    assert_int_equal(utf8_encode(0xE9, b), 2);
    assert_memory_equal(b, "\xC3\xA9", 2);
    assert_int_equal(utf8_encode(0x6F22, b), 3);
    assert_memory_equal(b, "\xE6\xBC\xA2", 3);
    assert_int_equal(utf8_encode(0x1F600, b), 4);
    assert_memory_equal(b, "\xF0\x9F\x98\x80", 4);
    assert_int_equal(utf8_encode(0x10FFFF, b), 4);
    assert_memory_equal(b, "\xF4\x8F\xBF\xBF", 4);
}

/* Every scalar value survives encode/decode, is valid, and has a width. */
static void roundtrip_all(void **state)
{
    (void)state;
    char b[4];

    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        size_t n = utf8_encode(cp, b);
        uint32_t back = 0;
        size_t k = utf8_decode(b, n, &back);
        if (k != n || back != cp || !utf8_valid(b, n, NULL))
            fail_msg("round trip failed at U+%04X", (unsigned)cp);
        int w = utf8_cpwidth(cp);
        if (w < 0 || w > 2)
            fail_msg("width %d at U+%04X", w, (unsigned)cp);
        if (utf8_width(b, n) != (size_t)w)
            fail_msg("utf8_width disagrees at U+%04X", (unsigned)cp);
    }
}

/* Every 1-3 byte string decodes exactly when it is the shortest encoding
 * of a non-surrogate: the strictness checks have no gap. */
static void strict_all_short(void **state)
{
    (void)state;
    unsigned char s[3];
    size_t ok2 = 0, ok3 = 0;

    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        uint32_t cp;
        size_t k = utf8_decode((char *)s, 1, &cp);
        assert_int_equal(k, a < 0x80 ? 1 : 0);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            if (utf8_decode((char *)s, 2, &cp) == 2) {
                char e[4];
                assert_int_equal(utf8_encode(cp, e), 2);
                assert_memory_equal(e, s, 2);
                ok2++;
            }
            if (a < 0xE0 || a > 0xEF)
                continue;
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                if (utf8_decode((char *)s, 3, &cp) == 3) {
                    char e[4];
                    assert_int_equal(utf8_encode(cp, e), 3);
                    assert_memory_equal(e, s, 3);
                    ok3++;
                }
            }
        }
    }
    /* 2-byte: the 0x780 code points U+0080-07FF. 3-byte: U+0800-FFFF
     * minus 0x800 surrogates. ASCII-led pairs decode as 1 byte, not 2. */
    assert_int_equal(ok2, 0x780);
    assert_int_equal(ok3, 0x10000 - 0x800 - 0x800);
}

/* A quoted excerpt is cut before a character that does not fit whole. */
static void cut_at_characters(void **state)
{
    (void)state;
    assert_int_equal(utf8_cut("abc", 3, 5), 3);
    assert_int_equal(utf8_cut("abc", 3, 2), 2);
    assert_int_equal(utf8_cut("a\xc3\xa9", 3, 2), 1);  /* "a" + half an é */
    assert_int_equal(utf8_cut("a\xc3\xa9", 3, 1), 1);
    assert_int_equal(utf8_cut("\xf0\x9f\x98\x80x", 5, 3), 0);  /* inside an emoji */
    assert_int_equal(utf8_cut("\xf0\x9f\x98\x80x", 5, 4), 4);
    assert_int_equal(utf8_cut("\xe2\x89\xa5\xe2\x89\xa5", 6, 5), 3);
    /* Stray continuation bytes are not a character to keep whole. */
    assert_int_equal(utf8_cut("\x80\x80\x80\x80\x80", 5, 4), 4);
}

/* The invisible code points that act on a terminal or on text order, and
 * their neighbours, which are ordinary text. */
static void format_controls(void **state)
{
    (void)state;
    static const uint32_t yes[] = {0x80, 0x9b, 0x9f, 0x61c, 0x200e, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069};
    static const uint32_t no[] = {0x7f, 0xa0, 0xe9, 0x61b, 0x200d, 0x2010, 0x2029, 0x202f, 0x2065, 0x206a, 0xfffd};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!utf8_is_format_control(yes[i]))
            fail_msg("U+%04X should be a format control", (unsigned)yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (utf8_is_format_control(no[i]))
            fail_msg("U+%04X should not be a format control", (unsigned)no[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_valid),  cmocka_unit_test(decode_invalid),
        cmocka_unit_test(valid_offsets), cmocka_unit_test(cpwidths),
        cmocka_unit_test(widths),        cmocka_unit_test(encode_known),
        cmocka_unit_test(roundtrip_all), cmocka_unit_test(strict_all_short),
        cmocka_unit_test(cut_at_characters),
        cmocka_unit_test(format_controls),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
