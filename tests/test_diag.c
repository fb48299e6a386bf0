/*
 * Tests for diag: the exact text a pack author reads (first line, quoted
 * source line, caret), the order diagnostics come out in, the safety of
 * quoting untrusted files to a terminal (control characters, 1 MB lines),
 * the JSON form editors read, and the code table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* A diag_file over text, named name, loaded id-th. */
static diag_file file(const char *name, const char *text, int id)
{
    return (diag_file){.name = name, .text = text, .len = text ? strlen(text) : 0, .id = id};
}

/* What diag_print writes, as a malloc'd string. */
static char *printed(const diags *d, bool color)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_non_null(f);
    diag_print(d, f, color);
    fclose(f);
    return s;
}

static char *json(const diags *d)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_non_null(f);
    diag_print_json(d, f);
    fclose(f);
    return s;
}

static void check_printed(const diags *d, const char *want)
{
    char *s = printed(d, false);
    assert_string_equal(s, want);
    free(s);
}

/* ---- order and first lines ---------------------------------------------- */

static void sorted_by_file_line_col(void **state)
{
    (void)state;
    diag_file a = file("a.yaml", "1\n2\n3\n4\n5\n", 0), b = file("b.yaml", "x\n", 1);
    diags *d = diags_new();
    diag_report(d, D_UNKNOWN_KEY, &b, 1, 1, "b1");
    diag_report(d, D_EMPTY_FILE, NULL, 0, 0, "nowhere");
    diag_report(d, D_UNKNOWN_KEY, &a, 5, 3, "a5c3");
    diag_report(d, D_UNKNOWN_KEY, &a, 5, 1, "a5c1");
    diag_report(d, D_UNREACHABLE, &a, 2, 7, "a2");
    diag_report(d, D_UNKNOWN_KEY, &a, 5, 1, "a5c1 again"); /* same place: report order */
    static const char *const want[] = {
        "a.yaml:2:7: warning: a2 [unreachable-scene]",
        "a.yaml:5:1: error: a5c1 [unknown-key]",
        "a.yaml:5:1: error: a5c1 again [unknown-key]",
        "a.yaml:5:3: error: a5c3 [unknown-key]",
        "b.yaml:1:1: error: b1 [unknown-key]",
        "iwm: error: nowhere [empty-file]",
    };
    assert_int_equal(diag_count(d), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(diag_line(d, i), want[i]);
    /* a later report is sorted in too */
    diag_report(d, D_UNKNOWN_KEY, &a, 1, 1, "first");
    assert_string_equal(diag_line(d, 0), "a.yaml:1:1: error: first [unknown-key]");
    diag_file_done(&a);
    diag_file_done(&b);
    diags_free(d);
}

/* Files sort by loading order (their id), not by name. */
static void sorted_by_load_order(void **state)
{
    (void)state;
    diag_file z = file("z/pack.yaml", "a\n", 0), a = file("a.yaml", "a\n", 1);
    diags *d = diags_new();
    diag_report(d, D_UNKNOWN_KEY, &a, 1, 1, "included");
    diag_report(d, D_UNKNOWN_KEY, &z, 1, 1, "root");
    assert_string_equal(diag_line(d, 0), "z/pack.yaml:1:1: error: root [unknown-key]");
    assert_string_equal(diag_line(d, 1), "a.yaml:1:1: error: included [unknown-key]");
    diag_file_done(&a);
    diag_file_done(&z);
    diags_free(d);
}

/* ---- the quoted line and the caret -------------------------------------- */

static void caret_line(void **state)
{
    (void)state;
    diag_file f = file("x.yaml", "first\n  hello world\nlast", 0);
    diags *d = diags_new();
    diag_report(d, D_YAML_SYNTAX, &f, 2, 9, "here");
    check_printed(d, "x.yaml:2:9: error: here [yaml-syntax]\n"
                     "    2 |   hello world\n"
                     "      |         ^\n");
    diag_file_done(&f);
    diags_free(d);

    /* the last line has no newline; a column past the end points after it */
    d = diags_new();
    diag_report(d, D_YAML_SYNTAX, &f, 3, 40, "end");
    check_printed(d, "x.yaml:3:40: error: end [yaml-syntax]\n"
                     "    3 | last\n"
                     "      |     ^\n");
    diag_file_done(&f);
    diags_free(d);
}

/* Columns count characters; the caret accounts for display width. */
static void caret_after_tabs_and_wide_characters(void **state)
{
    (void)state;
    /* \t a b 漢 字 x: x is character 6, at display column 7 */
    diag_file f = file("w.yaml", "\tab\xe6\xbc\xa2\xe5\xad\x97x = 1\r\n", 0);
    diags *d = diags_new();
    diag_report(d, D_BAD_VALUE, &f, 1, 6, "x");
    check_printed(d, "w.yaml:1:6: error: x [bad-value]\n"
                     "    1 |  ab\xe6\xbc\xa2\xe5\xad\x97x = 1\n"
                     "      |        ^\n");
    diag_file_done(&f);
    diags_free(d);
}

static void no_source_line_outside_the_file(void **state)
{
    (void)state;
    diag_file f = file("s.yaml", "one\ntwo\n", 0);
    diags *d = diags_new();
    diag_report(d, D_YAML_SYNTAX, &f, 10, 1, "beyond");
    diag_report(d, D_YAML_SYNTAX, &f, 0, -5, "clamped"); /* line and col < 1 become 1 */
    check_printed(d, "s.yaml:1:1: error: clamped [yaml-syntax]\n"
                     "    1 | one\n"
                     "      | ^\n"
                     "s.yaml:10:1: error: beyond [yaml-syntax]\n"
                     "2 errors, 0 warnings\n");
    diag_file_done(&f);
    diags_free(d);
}

/* A hostile pack's 1 MB line is quoted as a short window around the caret. */
static void long_line_clipped(void **state)
{
    (void)state;
    size_t n = 1024 * 1024;
    char *text = malloc(n + 2);
    memset(text, 'a', n);
    text[500000] = 'X';
    text[n] = '\n';
    text[n + 1] = '\0';
    diag_file f = file("big.yaml", text, 0);
    diags *d = diags_new();
    diag_report(d, D_YAML_SYNTAX, &f, 1, 500001, "middle");
    char *s = printed(d, false);
    assert_true(strlen(s) < 400);
    char want[512];
    snprintf(want, sizeof want,
             "big.yaml:1:500001: error: middle [yaml-syntax]\n"
             "    1 | ...%.100sX%.99s...\n"
             "      | %103s^\n",
             text, text, "");
    assert_string_equal(s, want);
    free(s);
    diags_free(d);

    /* near the start: no leading "..." */
    d = diags_new();
    diag_report(d, D_YAML_SYNTAX, &f, 1, 3, "start");
    s = printed(d, false);
    snprintf(want, sizeof want,
             "big.yaml:1:3: error: start [yaml-syntax]\n"
             "    1 | %.102s...\n"
             "      |   ^\n",
             text);
    assert_string_equal(s, want);
    free(s);
    diags_free(d);
    diag_file_done(&f);
    free(text);
}

/* The quoted line and the message are untrusted: nothing in them may
 * reach the terminal as a control sequence. */
static void control_characters_quoted_as_question_marks(void **state)
{
    (void)state;
    diag_file f = file("c.yaml",
                       "say: \x1b[31mred\x07 \xc2\x85 \xe2\x80\xae \xe2\x81\xa6 \xff y\x7f \xc3\xa9\n", 0);
    diags *d = diags_new();
    diag_report(d, D_CONTROL_CHAR, &f, 1, 6, "bad %s", "\x1b]0;title\x07 \xc2\x9b");
    check_printed(d, "c.yaml:1:6: error: bad ?]0;title? ? [control-char]\n"
                     "    1 | say: ?[31mred? ? ? ? ? y? \xc3\xa9\n"
                     "      |      ^\n");
    diag_file_done(&f);
    diags_free(d);
}

/* The diagnostics own copies: the file may be freed right after. */
static void owns_its_copies(void **state)
{
    (void)state;
    char name[] = "tmp.yaml";
    char *text = strdup("key: value\n");
    diag_file f = file(name, text, 0);
    diags *d = diags_new();
    diag_report(d, D_UNKNOWN_KEY, &f, 1, 1, "gone");
    diag_file_done(&f);
    memset(text, '#', strlen(text));
    free(text);
    memset(name, 'z', sizeof name - 1);
    check_printed(d, "tmp.yaml:1:1: error: gone [unknown-key]\n"
                     "    1 | key: value\n"
                     "      | ^\n");
    diags_free(d);
    diags_free(NULL);
    diag_file_done(NULL);
}

static void color(void **state)
{
    (void)state;
    diag_file f = file("k.yaml", "a\n", 0);
    diags *d = diags_new();
    diag_report(d, D_UNKNOWN_KEY, &f, 1, 1, "e");
    diag_report(d, D_UNUSED, &f, 1, 1, "w");
    char *s = printed(d, true);
    assert_non_null(strstr(s, "\033[1;31merror:\033[0m e [unknown-key]"));
    assert_non_null(strstr(s, "\033[1;35mwarning:\033[0m w [unused-state]"));
    free(s);
    s = printed(d, false);
    assert_null(strchr(s, '\033'));
    free(s);
    diag_file_done(&f);
    diags_free(d);
}

/* ---- counts ------------------------------------------------------------- */

static void counts_and_summary(void **state)
{
    (void)state;
    diags *d = diags_new();
    assert_int_equal(diag_errors(d), 0);
    assert_int_equal(diag_warnings(d), 0);
    check_printed(d, "");
    diag_report(d, D_NO_ENDING, NULL, 0, 0, "one");
    check_printed(d, "iwm: error: one [no-ending]\n"); /* no summary for one */
    diag_report(d, D_EMPTY_TEXT, NULL, 0, 0, "two");
    diag_report(d, D_NEVER_ENABLED, NULL, 0, 0, "three");
    assert_int_equal(diag_errors(d), 1);
    assert_int_equal(diag_warnings(d), 2);
    char *s = printed(d, false);
    assert_non_null(strstr(s, "\n1 error, 2 warnings\n"));
    free(s);
    diag_report(d, D_ALIAS, NULL, 0, 0, "four");
    diag_report(d, D_UNREACHABLE, NULL, 0, 0, "five");
    s = printed(d, false);
    assert_non_null(strstr(s, "\n2 errors, 3 warnings\n"));
    free(s);
    diags_free(d);
}

/* A flood of diagnostics keeps the first 1000 and counts the rest. */
static void flood_is_capped(void **state)
{
    (void)state;
    diags *d = diags_new();
    for (int i = 0; i < 1500; i++)
        diag_report(d, D_UNKNOWN_KEY, NULL, 0, 0, "key %d", i);
    assert_int_equal(diag_count(d), 1000);
    assert_int_equal(diag_errors(d), 1500);
    char *s = printed(d, false);
    assert_non_null(strstr(s, "iwm: 500 more diagnostics not shown\n"
                              "iwm: stopped at 1000 diagnostics: fix these and check again\n"
                              "1500 errors, 0 warnings\n"));
    free(s);
    diags_free(d);

    d = diags_new();
    for (int i = 0; i < 1001; i++)
        diag_report(d, D_UNKNOWN_KEY, NULL, 0, 0, "key %d", i);
    s = printed(d, false);
    assert_non_null(strstr(s, "iwm: 1 more diagnostic not shown\n"));
    free(s);
    diags_free(d);
}

/* ---- the code table ----------------------------------------------------- */

static void warnings_and_errors_by_code(void **state)
{
    (void)state;
    static const diag_code warnings[] = {D_UNREACHABLE, D_UNUSED, D_NEVER_SHOWN, D_NEVER_ENABLED,
                                         D_EMPTY_TEXT};
    for (int c = 0; c < DIAG_COUNT; c++) {
        bool warn = false;
        for (size_t k = 0; k < sizeof warnings / sizeof warnings[0]; k++)
            warn |= warnings[k] == (diag_code)c;
        assert_int_equal(diag_severity_of((diag_code)c), warn ? DIAG_WARNING : DIAG_ERROR);
        /* counted as the table says */
        diags *d = diags_new();
        diag_report(d, (diag_code)c, NULL, 0, 0, "x");
        assert_int_equal(diag_errors(d), !warn);
        assert_int_equal(diag_warnings(d), warn);
        diags_free(d);
    }
}

static void stable_unique_names(void **state)
{
    (void)state;
    assert_string_equal(diag_name(D_UNKNOWN_KEY), "unknown-key");
    assert_string_equal(diag_name(D_INVALID_UTF8), "invalid-utf8");
    assert_string_equal(diag_name(D_UNREACHABLE), "unreachable-scene");
    for (int c = 0; c < DIAG_COUNT; c++) {
        const char *n = diag_name((diag_code)c);
        assert_non_null(n);
        assert_true(strlen(n) > 0);
        assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789-"), strlen(n));
        for (int k = 0; k < c; k++)
            if (!strcmp(n, diag_name((diag_code)k)))
                fail_msg("codes %d and %d are both '%s'", k, c, n);
    }
}

/* ---- JSON --------------------------------------------------------------- */

static void json_output(void **state)
{
    (void)state;
    diags *d = diags_new();
    char *s = json(d);
    assert_string_equal(s, "[]\n");
    free(s);

    diag_file f = file("dir \"q\"\\x\x01.yaml", "a: b\n", 0);
    diag_report(d, D_UNKNOWN_KEY, &f, 1, 4, "say \"%s\" \\ tab\there \x1b[0m", "hi");
    diag_report(d, D_UNUSED, NULL, 0, 0, "unlocated");
    s = json(d);
    assert_string_equal(s,
                        "[\n"
                        " {\"file\": \"dir \\\"q\\\"\\\\x\\u0001.yaml\", \"line\": 1, \"column\": 4, "
                        "\"severity\": \"error\", \"code\": \"unknown-key\", \"message\": "
                        "\"say \\\"hi\\\" \\\\ tab here ?[0m\"},\n"
                        " {\"file\": null, \"line\": 0, \"column\": 0, \"severity\": \"warning\", "
                        "\"code\": \"unused-state\", \"message\": \"unlocated\"}\n"
                        "]\n");
    free(s);
    diag_file_done(&f);
    diags_free(d);
}

/* Positions: byte offsets to (line, column in characters) and back, in
 * any order of requests (the cache must never give a stale answer). */
static void positions_both_ways(void **state)
{
    (void)state;
    /* "ab\n" then "é€x\n" (2 + 3 + 1 bytes) then 20 ASCII letters. */
    static const char text[] = "ab\n\xc3\xa9\xe2\x82\xacx\nabcdefghijklmnopqrst";
    diag_file f = {.name = "t.yaml", .text = text, .len = sizeof text - 1};
    static const struct {
        size_t off;
        int line, col;
    } t[] = {
        {0, 1, 1},   {2, 1, 3},   {3, 2, 1},   {5, 2, 2},   {8, 2, 3},  {9, 2, 4},
        {10, 3, 1},  {19, 3, 10}, {29, 3, 20}, {30, 3, 21}, {15, 3, 6}, {4, 2, 2}, /* inside 'é' */
        {6, 2, 3},   {0, 1, 1},   {99, 3, 21},
    };
    for (size_t k = 0; k < 2; k++) /* twice: the second pass starts from a warm cache */
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            int line, col;
            diag_position(&f, t[i].off, &line, &col);
            if (line != t[i].line || col != t[i].col)
                fail_msg("offset %zu: %d:%d, want %d:%d", t[i].off, line, col, t[i].line, t[i].col);
        }
    static const struct {
        int line, col;
        size_t off;
    } u[] = {
        {1, 1, 0}, {1, 3, 2}, {2, 2, 5}, {2, 4, 9}, {3, 20, 29}, {3, 9, 18}, {3, 12, 21},
        {1, 5, 5},    /* past the end of line 1: counts on into line 2 */
        {2, 9, 14},   /* "é€x\n" is 4 characters, then "abcd", then the e */
        {3, 99, 30},  /* clamped to the end of the file */
        {7, 1, 30},   /* no such line */
    };
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
            size_t off = diag_offset(&f, u[i].line, u[i].col);
            if (off != u[i].off)
                fail_msg("%d:%d: offset %zu, want %zu", u[i].line, u[i].col, off, u[i].off);
        }
    diag_file_done(&f);
}

/* A long ASCII line is counted 8 bytes at a time: the column must still be
 * exact where non-ASCII characters interrupt it at every alignment. */
static void positions_on_a_long_mixed_line(void **state)
{
    (void)state;
    char text[4096];
    size_t n = 0;
    int cols[4096];
    int c = 1;
    for (int i = 0; n < sizeof text - 4; i++) {
        cols[n] = c++;
        if (i % 13 == 7) { /* an 'é' at a shifting alignment */
            text[n++] = (char)0xc3;
            cols[n] = cols[n - 1];
            text[n++] = (char)0xa9;
        } else
            text[n++] = (char)('a' + i % 26);
    }
    diag_file f = {.name = "t.yaml", .text = text, .len = n};
    for (size_t off = 0; off < n; off += 7) {
        int line, col;
        diag_position(&f, off, &line, &col);
        assert_int_equal(line, 1);
        /* the loader's rule: an offset inside a character counts it */
        int want = (unsigned char)text[off] == 0xa9 ? cols[off] + 1 : cols[off];
        if (col != want)
            fail_msg("offset %zu: column %d, want %d", off, col, want);
        if ((unsigned char)text[off] != 0xa9)
            assert_int_equal(diag_offset(&f, 1, col), off);
    }
    diag_file_done(&f);
}

/* The edges of both conversions: invalid bytes (which the loader refuses
 * before any position is asked for, but which must still count one column
 * each), a line below 1, and a column that ends exactly where the next
 * line starts. */
static void positions_at_the_edges(void **state)
{
    (void)state;
    static const char bad[] = "\xff\xffx";
    diag_file f = {.name = "t.yaml", .text = bad, .len = sizeof bad - 1};
    int line, col;
    diag_position(&f, 2, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 3);
    diag_position(&f, 3, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 4);
    assert_int_equal(diag_offset(&f, 1, 3), 2);
    diag_file_done(&f);

    static const char text[] = "a\nb";
    diag_file g = {.name = "t.yaml", .text = text, .len = sizeof text - 1};
    assert_int_equal(diag_offset(&g, 0, 1), 0); /* counted as line 1 */
    assert_int_equal(diag_offset(&g, -3, 2), 1);
    /* Column 3 of line 1 runs past its '\n' to the start of line 2 (as
     * libyaml's end marks may); line 2's positions stay right after it. */
    assert_int_equal(diag_offset(&g, 1, 3), 2);
    diag_position(&g, 2, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    assert_int_equal(diag_offset(&g, 2, 1), 2);
    assert_int_equal(diag_offset(&g, 2, 2), 3);
    diag_file_done(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorted_by_file_line_col),
        cmocka_unit_test(sorted_by_load_order),
        cmocka_unit_test(caret_line),
        cmocka_unit_test(caret_after_tabs_and_wide_characters),
        cmocka_unit_test(no_source_line_outside_the_file),
        cmocka_unit_test(long_line_clipped),
        cmocka_unit_test(control_characters_quoted_as_question_marks),
        cmocka_unit_test(owns_its_copies),
        cmocka_unit_test(color),
        cmocka_unit_test(counts_and_summary),
        cmocka_unit_test(flood_is_capped),
        cmocka_unit_test(warnings_and_errors_by_code),
        cmocka_unit_test(stable_unique_names),
        cmocka_unit_test(json_output),
        cmocka_unit_test(positions_both_ways),
        cmocka_unit_test(positions_on_a_long_mixed_line),
        cmocka_unit_test(positions_at_the_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
