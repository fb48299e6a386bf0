/*
 * Tests for out: the sanitiser against a table of terminal attacks a pack
 * could carry, and the renderer's wrapping and markup against exact
 * expected text. Every rendered result also goes through one invariant
 * checker (safe bytes, only our four SGR sequences and balanced per
 * paragraph, no trailing spaces, visible width within the limit), and a
 * seeded fuzz loop runs the same checks on random mixtures of hostile and
 * ordinary fragments, so a regression shows up even where no exact
 * expectation was written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "out.h"
#include "utf8.h"

/* A string literal and its length, NULs included. */
#define S(x) x, sizeof(x) - 1

static const char *const sgr[] = {"\x1b[1m", "\x1b[22m", "\x1b[3m",
                                  "\x1b[23m"};

/* Bytes no sanitised text may contain, whatever the input. */
static void assert_clean(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; i < n; i++) {
        if ((u[i] < 0x20 && u[i] != '\n') || u[i] == 0x7F)
            fail_msg("control byte 0x%02X at %zu", u[i], i);
        if (i + 1 < n && u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
            fail_msg("C1 control at %zu", i);
        if (i + 2 < n && u[i] == 0xE2 && u[i + 1] == 0x80 &&
            u[i + 2] >= 0xAA && u[i + 2] <= 0xAE)
            fail_msg("bidi override at %zu", i);
        if (i + 2 < n && u[i] == 0xE2 && u[i + 1] == 0x81 &&
            u[i + 2] >= 0xA6 && u[i + 2] <= 0xA9)
            fail_msg("bidi isolate at %zu", i);
        if (i + 2 < n && u[i] == 0xE2 && u[i + 1] == 0x80 &&
            (u[i + 2] == 0x8E || u[i + 2] == 0x8F))
            fail_msg("bidi mark at %zu", i);
    }
    assert_true(utf8_valid(s, n, NULL));
}

static size_t sgr_at(const char *s)
{
    for (int k = 0; k < 4; k++) {
        size_t n = strlen(sgr[k]);
        if (strncmp(s, sgr[k], n) == 0)
            return n;
    }
    return 0;
}

/* Copies s without our SGR sequences; fails on any other escape. */
static void strip(buf *dst, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (s[i] == 0x1b) {
            size_t k = sgr_at(s + i);
            if (k == 0)
                fail_msg("foreign escape sequence at %zu", i);
            i += k;
        } else {
            buf_putc(dst, s[i++]);
        }
    }
}

/* Checks what every rendering must satisfy, whatever the input. */
static void assert_render_ok(const char *out, size_t n, const out_style *st)
{
    int ind = st->indent > 0 ? st->indent : 0;
    int cont = ind + st->hang > 0 ? ind + st->hang : 0;
    int deep = ind > cont ? ind : cont;
    buf plain = BUF_INIT;

    if (!st->styled)
        assert_null(memchr(out, 0x1b, n));
    if (n > 0)
        assert_int_equal(out[n - 1], '\n');
    strip(&plain, out, n);
    assert_clean(plain.data ? plain.data : "", plain.len);
    assert_true(out_is_safe(buf_str(&plain), plain.len));

    /* per line: no trailing space, visible width within the limit */
    const char *p = buf_str(&plain), *end = p + plain.len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(e);
        if (e > p && e[-1] == ' ')
            fail_msg("trailing space in \"%.*s\"", (int)(e - p), p);
        if (st->width > 0 && st->width - deep >= 2 &&
            utf8_width(p, (size_t)(e - p)) > (size_t)st->width)
            fail_msg("line wider than %d: \"%.*s\"", st->width, (int)(e - p),
                     p);
        p = e + 1;
    }
    assert_string_not_equal(buf_str(&plain), "\n");
    assert_null(strstr(buf_str(&plain), "\n\n\n"));

    /* SGR: opened before closed, all closed by each paragraph's end */
    bool bold = false, ital = false;
    for (size_t i = 0; i < n; i++) {
        if (out[i] == '\n' && i + 1 < n && out[i + 1] == '\n') {
            assert_false(bold || ital);
        } else if (out[i] == 0x1b) {
            /* sgr[] is bold on, bold off, italic on, italic off */
            int k = 0;
            while (k < 4 && strncmp(out + i, sgr[k], strlen(sgr[k])) != 0)
                k++;
            assert_true(k < 4);
            bool *flag = k < 2 ? &bold : &ital;
            bool on = k % 2 == 0;
            assert_true(*flag != on);
            *flag = on;
        }
    }
    assert_false(bold || ital);
    buf_free(&plain);
}

static void render_is(const char *in, size_t n, const out_style *st,
                      const char *want)
{
    buf b = BUF_INIT;

    out_render(&b, in, n, st);
    assert_string_equal(buf_str(&b), want);
    assert_int_equal(b.len, strlen(want));
    assert_render_ok(buf_str(&b), b.len, st);
    buf_free(&b);
}

/* ---- sanitiser ---- */

struct hostile {
    const char *name, *in;
    size_t n;
    const char *want; /* between the "pre<" and ">post" markers */
};

static const struct hostile attacks[] = {
    {"OSC 0 title", S("\x1b]0;x\x07"), "]0;x"},
    {"OSC 0 title, ST", S("\x1b]0;pwned\x1b\\"), "]0;pwned\\"},
    {"OSC 8 hyperlink",
     S("\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"),
     "]8;;http://evil.example/\\click]8;;\\"},
    {"OSC 52 clipboard", S("\x1b]52;c;cm0gLXJmIH4=\x07"), "]52;c;cm0gLXJmIH4="},
    {"CSI 2J", S("\x1b[2J"), "[2J"},
    {"CSI cursor moves", S("\x1b[H\x1b[10;5H\x1b[3A\x1b[2K"),
     "[H[10;5H[3A[2K"},
    {"DCS", S("\x1bPq#0;2;0;0;0\x1b\\"), "Pq#0;2;0;0;0\\"},
    {"8-bit CSI as UTF-8", S("\xC2\x9B" "2J"), "2J"},
    {"8-bit CSI raw", S("\x9B" "2J"), "\xEF\xBF\xBD" "2J"},
    {"8-bit OSC as UTF-8", S("\xC2\x9D" "0;x\xC2\x9C"), "0;x"},
    {"BEL", S("a\x07" "b"), "ab"},
    {"NUL", S("a\0b"), "ab"},
    {"DEL", S("a\x7F" "b"), "ab"},
    {"backspace overstrike", S("ok\x08\x08no"), "okno"},
    {"CR overwrite", S("safe\rEVIL"), "safeEVIL"},
    {"tab", S("a\tb"), "a b"},
    {"RLO U+202E", S("abc\xE2\x80\xAE" "fdp.exe"), "abcfdp.exe"},
    {"LRE..PDF U+202A-202C", S("\xE2\x80\xAA" "a\xE2\x80\xAB" "b\xE2\x80\xAC"),
     "ab"},
    {"LRI U+2066", S("\xE2\x81\xA6" "x\xE2\x81\xA9"), "x"},
    {"RLI/FSI U+2067-2068", S("\xE2\x81\xA7" "y\xE2\x81\xA8"), "y"},
    {"RLM U+200F", S("a\xE2\x80\x8F" "b"), "ab"},
    {"LRM U+200E", S("a\xE2\x80\x8E" "b"), "ab"},
    {"ALM U+061C", S("a\xD8\x9C" "b"), "ab"},
    {"overlong ESC", S("\xC0\x9B[2J"), "\xEF\xBF\xBD\xEF\xBF\xBD[2J"},
    {"surrogate", S("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"above U+10FFFF", S("\xF4\x90\x80\x80"),
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"truncated then text", S("\xE6\xBC" "z"), "\xEF\xBF\xBD\xEF\xBF\xBDz"},
};

static void sanitize_attacks(void **state)
{
    (void)state;
    buf b = BUF_INIT, in = BUF_INIT, again = BUF_INIT;

    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        const struct hostile *h = &attacks[i];
        buf_reset(&b);
        buf_reset(&in);
        buf_puts(&in, "pre<");
        buf_append(&in, h->in, h->n);
        buf_puts(&in, ">post");

        out_sanitize(&b, in.data, in.len);
        assert_clean(buf_str(&b), b.len);
        assert_int_equal(strncmp(buf_str(&b), "pre<", 4), 0);
        assert_true(b.len >= 9);
        assert_memory_equal(b.data + b.len - 5, ">post", 5);
        if (b.len != 9 + strlen(h->want) ||
            memcmp(b.data + 4, h->want, strlen(h->want)) != 0)
            fail_msg("%s: got \"%s\"", h->name, buf_str(&b));

        assert_false(out_is_safe(in.data, in.len));
        assert_true(out_is_safe(b.data, b.len));
        buf_reset(&again);
        out_sanitize(&again, b.data, b.len);
        assert_string_equal(buf_str(&again), buf_str(&b));
    }
    buf_free(&b);
    buf_free(&in);
    buf_free(&again);
}

/* Every C0 control but '\n', and every C1 control, in both encodings. */
static void sanitize_all_controls(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    char s[3];

    for (int c = 0; c < 0x20; c++) {
        s[0] = (char)c;
        buf_reset(&b);
        out_sanitize(&b, s, 1);
        const char *want = c == '\n' ? "\n" : c == '\t' ? " " : "";
        assert_string_equal(buf_str(&b), want);
        assert_int_equal(out_is_safe(s, 1), c == '\n');
    }
    for (int c = 0x80; c < 0xA0; c++) {
        s[0] = (char)0xC2;
        s[1] = (char)c;
        buf_reset(&b);
        out_sanitize(&b, s, 2);
        assert_int_equal(b.len, 0);
        assert_false(out_is_safe(s, 2));
        /* as a raw byte it is a lone continuation byte: replaced */
        buf_reset(&b);
        out_sanitize(&b, s + 1, 1);
        assert_string_equal(buf_str(&b), "\xEF\xBF\xBD");
    }
    buf_free(&b);
}

static void sanitize_keeps_text(void **state)
{
    (void)state;
    static const char text[] =
        "Caf\xC3\xA9 \xE6\xBC\xA2\xE5\xAD\x97 \xF0\x9F\x98\x80 e\xCC\x81 "
        "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9 \xC2\xA0nbsp\n"
        "**bold** *em* [brackets] ~!@#$%^&*()_+\n\n\xD7\xA9\xD7\x9C\xD7\x95"
        "\xD7\x9D \xEF\xBB\xBF \xEF\xBF\xBD";
    buf b = BUF_INIT;

    assert_true(out_is_safe(S(text)));
    buf_puts(&b, "kept:"); /* out_sanitize appends */
    out_sanitize(&b, S(text));
    assert_int_equal(b.len, 5 + sizeof text - 1);
    assert_memory_equal(b.data, "kept:", 5);
    assert_memory_equal(b.data + 5, text, sizeof text - 1);
    assert_true(out_is_safe(S("")));
    out_sanitize(&b, "", 0);
    assert_int_equal(b.len, 5 + sizeof text - 1);
    buf_free(&b);
}

static void is_safe_cases(void **state)
{
    (void)state;
    assert_true(out_is_safe(S("plain\nlines\n")));
    assert_false(out_is_safe(S("tab\there")));
    assert_false(out_is_safe(S("crlf\r\n")));
    assert_false(out_is_safe(S("nul\0")));
    assert_false(out_is_safe(S("\x1b")));
    assert_false(out_is_safe(S("trunc\xC3")));
    assert_false(out_is_safe(S("\xEF\xBF"))); /* half a U+FFFD */
    assert_true(out_is_safe(S("\xEF\xBF\xBD")));
    assert_true(out_is_safe(S("\xE2\x80\xAF"))); /* U+202F is not bidi */
    assert_true(out_is_safe(S("\xE2\x81\xA5")));
}

/* ---- rendering ---- */

static const out_style plain20 = {20, false, 0, 0};

static void wrap_ascii(void **state)
{
    (void)state;
    render_is(S("The quick brown fox jumps over the lazy dog and keeps "
                "running."),
              &plain20,
              "The quick brown fox\n"
              "jumps over the lazy\n"
              "dog and keeps\n"
              "running.\n");
    /* a line of exactly the width is not broken */
    render_is(S("aaaa bbbb cccc ddddd eeee"), &plain20,
              "aaaa bbbb cccc ddddd\neeee\n");
    /* no wrapping for width <= 0 */
    out_style none = {0, false, 0, 0};
    render_is(S("The quick brown fox jumps over the lazy dog"), &none,
              "The quick brown fox jumps over the lazy dog\n");
    none.width = -5;
    render_is(S("a b\nc"), &none, "a b c\n");
}

static void wrap_long_word(void **state)
{
    (void)state;
    out_style st = {10, false, 0, 0};

    render_is(S("go supercalifragilistic now"), &st,
              "go\nsupercalif\nragilistic\nnow\n");
    render_is(S("abcdefghijklmnopqrstuvwxyz"), &st,
              "abcdefghij\nklmnopqrst\nuvwxyz\n");
    st.width = 1;
    render_is(S("abc d"), &st, "a\nb\nc\nd\n");
}

static void wrap_utf8(void **state)
{
    (void)state;
    out_style st = {10, false, 0, 0};

    /* 10 columns but 14 bytes: must stay on one line */
    render_is(S("\xC3\xA9t\xC3\xA9 \xC3\xA0 c\xC3\xB4t\xC3\xA9 "
                "d\xC3\xA9j\xC3\xA0"),
              &st,
              "\xC3\xA9t\xC3\xA9 \xC3\xA0 c\xC3\xB4t\xC3\xA9\n"
              "d\xC3\xA9j\xC3\xA0\n");
    /* a long accented word breaks between characters, never inside one */
    st.width = 3;
    render_is(S("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), &st,
              "\xC3\xA9\xC3\xA9\xC3\xA9\n\xC3\xA9\xC3\xA9\n");
    /* a combining mark stays with its base */
    render_is(S("e\xCC\x81" "e\xCC\x81" "e\xCC\x81" "e\xCC\x81"), &st,
              "e\xCC\x81" "e\xCC\x81" "e\xCC\x81\ne\xCC\x81\n");
}

#define KAN "\xE6\xBC\xA2" /* 漢 */
#define JI "\xE5\xAD\x97"  /* 字 */

static void wrap_cjk(void **state)
{
    (void)state;
    out_style st = {10, false, 0, 0};

    render_is(S(KAN JI KAN JI KAN JI KAN JI), &st,
              KAN JI KAN JI KAN "\n" JI KAN JI "\n");
    st.width = 6;
    render_is(S("ab " KAN JI KAN JI), &st, "ab\n" KAN JI KAN "\n" JI "\n");
    render_is(S("ab " KAN), &st, "ab " KAN "\n");
    /* an odd width leaves a column empty rather than split a character */
    st.width = 5;
    render_is(S(KAN JI KAN), &st, KAN JI "\n" KAN "\n");
    /* too narrow for even one: each line still takes one character */
    st.width = 1;
    render_is(S(KAN JI), &st, KAN "\n" JI "\n");
}

static void paragraphs(void **state)
{
    (void)state;
    render_is(S("First para\nline two.\n\n\n  \nSecond."), &plain20,
              "First para line two.\n\nSecond.\n");
    render_is(S("\n\n  Hello  \n\n"), &plain20, "Hello\n");
    render_is(S("a\r\nb\r\n\r\nc\r\n"), &plain20, "a b\n\nc\n");
    render_is(S("one\n\ntwo\n\nthree"), &plain20, "one\n\ntwo\n\nthree\n");
    /* a line of control characters is blank once sanitised */
    render_is(S("one\n\x1b\x07\t\n"
                "two"),
              &plain20, "one\n\ntwo\n");
    render_is(S(""), &plain20, "");
    render_is(S("  \n \n\t\r\n"), &plain20, "");
    render_is(S("\x1b\x07"), &plain20, "");
}

static void joins_and_collapses(void **state)
{
    (void)state;
    render_is(S("a  b\nc   d\n  e"), &plain20, "a b c d e\n");
    render_is(S("  leading and trailing   "), &plain20,
              "leading and trailing\n");
    render_is(S("  leading and trailing.  "), &plain20,
              "leading and\ntrailing.\n");
}

static void indent_hang(void **state)
{
    (void)state;
    out_style st = {20, false, 2, 2};

    render_is(S("The quick brown fox jumps over the lazy dog"), &st,
              "  The quick brown\n"
              "    fox jumps over\n"
              "    the lazy dog\n");
    /* each paragraph starts at the indent; the blank line has no spaces */
    render_is(S("The quick brown fox\n\nok"), &st,
              "  The quick brown\n    fox\n\n  ok\n");
    /* a hanging indent: the first line further out than the rest */
    st.indent = 4;
    st.hang = -4;
    render_is(S("The quick brown fox jumps"), &st,
              "    The quick brown\nfox jumps\n");
    /* indentation without wrapping */
    out_style nw = {0, false, 3, 5};
    render_is(S("a b c"), &nw, "   a b c\n");
    /* indentation wider than the line: still one character per line */
    out_style deep = {3, false, 5, 0};
    render_is(S("ab"), &deep, "     a\n     b\n");
}

static void markup(void **state)
{
    (void)state;
    out_style on = {0, true, 0, 0}, off = {0, false, 0, 0};
    const char *in = "a **bold** and *it* here";

    render_is(in, strlen(in), &off, "a bold and it here\n");
    render_is(in, strlen(in), &on,
              "a \x1b[1mbold\x1b[22m and \x1b[3mit\x1b[23m here\n");
    render_is(S("*the dark forest*"), &on,
              "\x1b[3mthe dark forest\x1b[23m\n");
    render_is(S("***both***"), &on, "\x1b[1m\x1b[3mboth\x1b[23m\x1b[22m\n");
    render_is(S("***both***"), &off, "both\n");
    render_is(S("**bold *and em* too**"), &on,
              "\x1b[1mbold \x1b[3mand em\x1b[23m too\x1b[22m\n");
    render_is(S("mid*word*s"), &on, "mid\x1b[3mword\x1b[23ms\n");
    /* markup spans single newlines: they are only spaces */
    render_is(S("*one\ntwo*"), &on, "\x1b[3mone two\x1b[23m\n");
}

static void unmatched(void **state)
{
    (void)state;
    out_style on = {0, true, 0, 0}, off = {0, false, 0, 0};

    render_is(S("a *b"), &on, "a *b\n");
    render_is(S("a *b"), &off, "a *b\n");
    render_is(S("**x"), &on, "**x\n");
    render_is(S("x**"), &off, "x**\n");
    render_is(S("2 * 3 = 6"), &on, "2 * 3 = 6\n");
    render_is(S("a * b *c*"), &on, "a * b \x1b[3mc\x1b[23m\n");
    /* a run of two is one bold marker, never two italic ones */
    render_is(S("**bold* x"), &on, "**bold* x\n");
    render_is(S("****"), &on, "****\n");
    render_is(S("* * *"), &off, "* * *\n");
    /* styling never spans a paragraph break */
    render_is(S("*a\n\nb*"), &on, "*a\n\nb*\n");
    render_is(S("**a\n\nb**"), &off, "**a\n\nb**\n");
}

static void styled_wrapping(void **state)
{
    (void)state;
    out_style st = {10, true, 0, 0};

    /* a span that wraps stays open across the newline, closes at the end */
    render_is(S("*aaa bbb ccc ddd*"), &st,
              "\x1b[3maaa bbb\nccc ddd\x1b[23m\n");
    /* a span opening at a break opens on the line its text is on */
    render_is(S("aaa bbb **ccc** d"), &st,
              "aaa bbb\n\x1b[1mccc\x1b[22m d\n");
    st.width = 4;
    render_is(S("**abcdefgh**"), &st, "\x1b[1mabcd\nefgh\x1b[22m\n");

    /* styled output wraps exactly like plain output, SGR aside */
    static const char text[] =
        "You **wake** in a *cold, grey* room. The **door is locked and "
        "*someone* is breathing** behind it.\n\n*Run.* Or **wait**.";
    for (int w = 1; w <= 40; w++) {
        out_style a = {w, true, 1, 2}, b = {w, false, 1, 2};
        buf x = BUF_INIT, y = BUF_INIT, z = BUF_INIT;
        out_render(&x, S(text), &a);
        out_render(&y, S(text), &b);
        assert_render_ok(buf_str(&x), x.len, &a);
        assert_render_ok(buf_str(&y), y.len, &b);
        strip(&z, buf_str(&x), x.len);
        assert_string_equal(buf_str(&z), buf_str(&y));
        assert_non_null(strchr(buf_str(&x), 0x1b));
        buf_free(&x);
        buf_free(&y);
        buf_free(&z);
    }
}

static void render_sanitises(void **state)
{
    (void)state;
    out_style on = {20, true, 0, 0};

    render_is(S("a\x1b[2Jb \x1b]52;c;eA==\x07 **ok**"), &on,
              "a[2Jb ]52;c;eA== \x1b[1mok\x1b[22m\n");
    render_is(S("x\xE2\x80\xAEy\x9B"), &plain20, "xy\xEF\xBF\xBD\n");

    buf b = BUF_INIT;
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        buf_reset(&b);
        out_render(&b, attacks[i].in, attacks[i].n, &plain20);
        assert_true(out_is_safe(buf_str(&b), b.len));
        assert_null(memchr(buf_str(&b), 0x1b, b.len));
        assert_render_ok(buf_str(&b), b.len, &plain20);
    }
    buf_free(&b);
}

static void render_appends(void **state)
{
    (void)state;
    buf b = BUF_INIT;

    buf_puts(&b, "> ");
    out_render(&b, S("hello"), &plain20);
    assert_string_equal(buf_str(&b), "> hello\n");
    buf_reset(&b);
    out_render(&b, S("again"), &plain20);
    assert_string_equal(buf_str(&b), "again\n");
    buf_free(&b);
}

/* Seeded random mixtures: every invariant must hold for every style. */
static void fuzz(void **state)
{
    (void)state;
    static const char *const frag[] = {
        "a", "bc", "word", "longerwordhere", " ", "  ", "\n", "\n\n", "\n \n",
        "*", "**", "***", "\xC3\xA9", KAN, "e\xCC\x81", "\xF0\x9F\x98\x80",
        "\xE2\x80\x8D", "\x1b", "\x1b[1m", "[", "\x9B", "\xC2\x9B",
        "\xE2\x80\xAE", "\xE2\x81\xA6", "\t", "\r", "\x07", "\x7F", "\xFF",
        "\xE6\xBC", "\xF0\x9F", "\xED\xA0\x80", "\xC0\x80",
    };
    const size_t nf = sizeof frag / sizeof frag[0];
    uint32_t seed = 12345;
    buf in = BUF_INIT, s1 = BUF_INIT, s2 = BUF_INIT, x = BUF_INIT,
        y = BUF_INIT, z = BUF_INIT;

    for (int iter = 0; iter < 3000; iter++) {
        buf_reset(&in);
        seed = seed * 1103515245u + 12345u;
        int parts = (int)(seed >> 16) % 24;
        for (int k = 0; k < parts; k++) {
            seed = seed * 1103515245u + 12345u;
            buf_puts(&in, frag[(seed >> 16) % nf]);
        }
        if ((seed >> 8) & 1) /* sometimes embed a NUL */
            buf_append(&in, "\0z", 2);
        const char *p = buf_str(&in);

        buf_reset(&s1);
        buf_reset(&s2);
        out_sanitize(&s1, p, in.len);
        assert_clean(buf_str(&s1), s1.len);
        assert_true(out_is_safe(buf_str(&s1), s1.len));
        out_sanitize(&s2, buf_str(&s1), s1.len);
        assert_int_equal(s2.len, s1.len);
        assert_memory_equal(buf_str(&s2), buf_str(&s1), s1.len);
        bool same = s1.len == in.len && memcmp(buf_str(&s1), p, in.len) == 0;
        assert_int_equal(out_is_safe(p, in.len), same);

        seed = seed * 1103515245u + 12345u;
        out_style a = {(int)((seed >> 16) % 14) - 1, true,
                       (int)((seed >> 20) % 4), (int)((seed >> 24) % 5) - 1};
        out_style b = a;
        b.styled = false;
        buf_reset(&x);
        buf_reset(&y);
        buf_reset(&z);
        out_render(&x, p, in.len, &a);
        out_render(&y, p, in.len, &b);
        assert_render_ok(buf_str(&x), x.len, &a);
        assert_render_ok(buf_str(&y), y.len, &b);
        strip(&z, buf_str(&x), x.len);
        assert_string_equal(buf_str(&z), buf_str(&y));
    }
    buf_free(&in);
    buf_free(&s1);
    buf_free(&s2);
    buf_free(&x);
    buf_free(&y);
    buf_free(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sanitize_attacks),
        cmocka_unit_test(sanitize_all_controls),
        cmocka_unit_test(sanitize_keeps_text),
        cmocka_unit_test(is_safe_cases),
        cmocka_unit_test(wrap_ascii),
        cmocka_unit_test(wrap_long_word),
        cmocka_unit_test(wrap_utf8),
        cmocka_unit_test(wrap_cjk),
        cmocka_unit_test(paragraphs),
        cmocka_unit_test(joins_and_collapses),
        cmocka_unit_test(indent_hang),
        cmocka_unit_test(markup),
        cmocka_unit_test(unmatched),
        cmocka_unit_test(styled_wrapping),
        cmocka_unit_test(render_sanitises),
        cmocka_unit_test(render_appends),
        cmocka_unit_test(fuzz),
    };
    return cmocka_run_group_tests_name("out", tests, NULL, NULL);
}
