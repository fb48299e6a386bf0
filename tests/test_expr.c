/*
 * Tests for expr, the condition language: parsed directly with a small
 * hand-written name environment (exact trees, exact error offsets, range
 * analysis) and through real packs loaded from memory (what an author sees:
 * values in a game state and diagnostics at file:line:col).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "expr.h"
#include "testpack.h"

/* ---- a hand-written environment ---------------------------------------- */

/* Slots of the hand-written state. */
enum { SA, SB, SC, SX, SY, SW, SBIG, SCHILD, SK, NSLOTS };

static const int32_t LO[NSLOTS] = {0, 0, 0, 0, -50, 0, -INT32_MAX, 0, 0};
static const int32_t HI[NSLOTS] = {1, 1, 1, 100, 50, 1, INT32_MAX, 100, 1};

/* The first error reported, and how many were. */
static struct {
    int n;
    diag_code code;
    size_t off;
    char msg[512];
} E;

static int option_calls;

static bool h_resolve(void *ctx, const char *name, size_t n, expr_name *out)
{
    (void)ctx;
    static const struct {
        const char *name;
        int slot;
        expr_type type;
        int var;
    } names[] = {
        {"a", SA, T_BOOL, SA},         {"b", SB, T_BOOL, SB},       {"c", SC, T_BOOL, SC},
        {"x", SX, T_NUM, SX},          {"y", SY, T_NUM, SY},        {"weather", SW, T_OPT, SW},
        {"big", SBIG, T_NUM, SBIG},    {"childhood.x", SCHILD, T_NUM, SX},
        {"keeper", SK, T_OPT, SK}, /* a second option */
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && !memcmp(names[i].name, name, n)) {
            out->slot = names[i].slot;
            out->type = names[i].type;
            out->var = names[i].var;
            out->lo = LO[names[i].slot];
            out->hi = HI[names[i].slot];
            return true;
        }
    if (n > 1 && name[0] == 'w')
        out->hint = "weather";
    return false;
}

static int h_option(void *ctx, int var, const char *s, size_t n, const char **hint)
{
    (void)ctx;
    option_calls++;
    assert_int_equal(var, SW);
    static const char *const values[] = {"calm", "storm"};
    for (int i = 0; i < 2; i++)
        if (strlen(values[i]) == n && !memcmp(values[i], s, n))
            return i;
    *hint = n && s[0] == 's' ? "storm" : NULL;
    return -1;
}

static void h_error(void *ctx, diag_code code, size_t off, const char *msg)
{
    (void)ctx;
    if (E.n++ == 0) {
        E.code = code;
        E.off = off;
        snprintf(E.msg, sizeof E.msg, "%s", msg);
    }
}

static const expr_env ENV = {NULL, h_resolve, h_option, h_error};
static arena *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    A = NULL;
    return 0;
}

static const expr *parse_as(const char *s, expr_type want)
{
    memset(&E, 0, sizeof E);
    return expr_parse(A, s, strlen(s), &ENV, want);
}

/* Parses a condition that must be valid and returns it. */
static const expr *ok_as(const char *s, expr_type want)
{
    const expr *e = parse_as(s, want);
    if (!e || E.n)
        fail_msg("'%s' did not parse: %s (offset %zu)", s, E.msg, E.off);
    return e;
}

static const expr *ok(const char *s)
{
    return ok_as(s, T_BOOL);
}

/* The value of s in st. */
static int32_t ev(const char *s, const int32_t *st)
{
    return expr_eval(ok_as(s, T_NUM), st);
}

static int32_t evb(const char *s, const int32_t *st)
{
    return expr_eval(ok(s), st);
}

/* ---- precedence and associativity -------------------------------------- */

static void tree_precedence(void **state)
{
    (void)state;
    const expr *e = ok_as("1 + 2 * 3", T_NUM);
    assert_int_equal(e->op, X_ADD);
    assert_int_equal(e->a->op, X_CONST);
    assert_int_equal(e->b->op, X_MUL);

    e = ok_as("10 - 3 - 2", T_NUM); /* (10 - 3) - 2 */
    assert_int_equal(e->op, X_SUB);
    assert_int_equal(e->a->op, X_SUB);
    assert_int_equal(e->b->v, 2);

    e = ok_as("20 / 2 / 5", T_NUM);
    assert_int_equal(e->op, X_DIV);
    assert_int_equal(e->a->op, X_DIV);

    e = ok("not a and b"); /* (not a) and b */
    assert_int_equal(e->op, X_AND);
    assert_int_equal(e->a->op, X_NOT);

    e = ok("a or b and c"); /* a or (b and c) */
    assert_int_equal(e->op, X_OR);
    assert_int_equal(e->b->op, X_AND);

    e = ok("not x > 5"); /* not (x > 5) */
    assert_int_equal(e->op, X_NOT);
    assert_int_equal(e->a->op, X_GT);

    e = ok_as("-x * 2", T_NUM); /* (-x) * 2 */
    assert_int_equal(e->op, X_MUL);
    assert_int_equal(e->a->op, X_NEG);

    e = ok("1 + 2 < 4"); /* (1 + 2) < 4 */
    assert_int_equal(e->op, X_LT);
    assert_int_equal(e->a->op, X_ADD);
}

static void eval_arithmetic(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SX] = 7;
    st[SY] = -3;
    assert_int_equal(ev("1 + 2 * 3", st), 7);
    assert_int_equal(ev("(1 + 2) * 3", st), 9);
    assert_int_equal(ev("10 - 3 - 2", st), 5);
    assert_int_equal(ev("20 / 2 / 5", st), 2);
    assert_int_equal(ev("2 - -3", st), 5);
    assert_int_equal(ev("- - 4", st), 4);
    assert_int_equal(ev("x * y + 1", st), -20);
    assert_int_equal(ev("x\n*\t(y\r\n+ 1)", st), -14); /* any white space */
}

static void eval_logic(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    /* a = b = c = false: (not a) and b is false, not (a and b) is true */
    assert_int_equal(evb("not a and b", st), 0);
    assert_int_equal(evb("not (a and b)", st), 1);
    st[SA] = 1;
    assert_int_equal(evb("a or b and c", st), 1);
    assert_int_equal(evb("(a or b) and c", st), 0);
    assert_int_equal(evb("a && not b || c", st), 1);
    assert_int_equal(evb("true and not false", st), 1);
    assert_int_equal(evb("a == true", st), 1);
    assert_int_equal(evb("a != b", st), 1);
}

/* ---- integer arithmetic at the edges ----------------------------------- */

static void integer_division(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SX] = 5;
    assert_int_equal(ev("7 / 2", st), 3);
    assert_int_equal(ev("-7 / 2", st), -3); /* truncates toward zero */
    assert_int_equal(ev("7 / -2", st), -3);
    assert_int_equal(ev("x / 0", st), 0);
    assert_int_equal(ev("x / (x - 5)", st), 0);
    assert_int_equal(ev("0 / 0", st), 0);
}

static void saturation(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SBIG] = INT32_MAX;
    assert_int_equal(ev("big + 1", st), INT32_MAX);
    assert_int_equal(ev("big * big", st), INT32_MAX);
    assert_int_equal(ev("big * -big", st), INT32_MIN);
    assert_int_equal(ev("-big - 10", st), INT32_MIN);
    assert_int_equal(ev("2147483647 + 2147483647", st), INT32_MAX);
    /* INT32_MIN cannot be written as a literal but can be computed */
    assert_int_equal(ev("-2147483647 - 1", st), INT32_MIN);
    assert_int_equal(ev("(-2147483647 - 1) / -1", st), INT32_MAX);
    assert_int_equal(ev("-(-2147483647 - 1)", st), INT32_MAX);
    assert_int_equal(ev("(-2147483647 - 1) * -1", st), INT32_MAX);
    st[SBIG] = INT32_MIN;
    assert_int_equal(ev("big - 1", st), INT32_MIN);
    assert_int_equal(ev("-big", st), INT32_MAX);
}

static void comparisons(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SX] = 50;
    static const struct {
        const char *s;
        int32_t want;
    } t[] = {
        {"x < 50", 0},  {"x < 51", 1},  {"x <= 50", 1}, {"x <= 49", 0}, {"x > 49", 1},
        {"x > 50", 0},  {"x >= 50", 1}, {"x >= 51", 0}, {"x == 50", 1}, {"x == 51", 0},
        {"x != 50", 0}, {"x != 51", 1}, {"-x < 0", 1},  {"x * 2 == 100", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (evb(t[i].s, st) != t[i].want)
            fail_msg("'%s' should be %d", t[i].s, (int)t[i].want);
}

/* ---- options and snapshots --------------------------------------------- */

static void option_values(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    option_calls = 0;
    const expr *e = ok("weather == \"storm\"");
    assert_int_equal(option_calls, 1);
    assert_int_equal(e->op, X_EQ);
    assert_int_equal(e->b->type, T_OPT);
    assert_int_equal(e->b->v, 1); /* the index of "storm" */
    assert_int_equal(expr_eval(e, st), 0);
    st[SW] = 1;
    assert_int_equal(expr_eval(e, st), 1);
    assert_int_equal(evb("\"storm\" == weather", st), 1);
    assert_int_equal(evb("weather != 'calm'", st), 1);
    assert_int_equal(evb("weather == weather", st), 1);
}

static void snapshot_names(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SX] = 60;
    st[SCHILD] = 40;
    const expr *e = ok("childhood.x < x");
    assert_int_equal(e->a->op, X_VAR);
    assert_int_equal(e->a->v, SCHILD);
    assert_int_equal(expr_eval(e, st), 1);
    /* a dot joins two names only: "childhood." is a name then garbage */
    assert_null(parse_as("childhood. x > 1", T_BOOL));
}

/* ---- errors: exact offsets --------------------------------------------- */

struct err_case {
    const char *src;
    diag_code code;
    size_t off;
    const char *msg; /* the exact message */
};

static void check_errors(const struct err_case *t, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const expr *e = parse_as(t[i].src, T_BOOL);
        if (e || E.n != 1 || E.code != t[i].code || E.off != t[i].off || strcmp(E.msg, t[i].msg))
            fail_msg("'%s': got %s %d error(s), code %s at %zu: \"%s\"", t[i].src,
                     e ? "a tree and" : "no tree and", E.n, diag_name(E.code), E.off, E.msg);
    }
}

static void syntax_errors(void **state)
{
    (void)state;
    static const struct err_case t[] = {
        {"", D_EXPR_SYNTAX, 0, "empty condition"},
        {"   ", D_EXPR_SYNTAX, 0, "empty condition"},
        {"x >", D_EXPR_SYNTAX, 3, "expected a value, found the end of the condition"},
        {"x > > 3", D_EXPR_SYNTAX, 4, "expected a value, found '>'"},
        {"(x > 1", D_EXPR_SYNTAX, 6, "expected ')' to close '(', found the end of the condition"},
        {"(x > 1 a", D_EXPR_SYNTAX, 7, "expected ')' to close '(', found 'a'"},
        {"x > 1)", D_EXPR_SYNTAX, 5, "unexpected ')' after the condition"},
        {"a b", D_EXPR_SYNTAX, 2, "unexpected 'b' after the condition"},
        {"weather == \"storm", D_EXPR_SYNTAX, 11, "string not closed"},
        {"x > 1 @", D_EXPR_SYNTAX, 6, "unexpected '@' after the condition"},
        {"@", D_EXPR_SYNTAX, 0, "unexpected character '@'"},
        {"!a", D_EXPR_SYNTAX, 0, "unexpected character '!'"},
        {"a & b", D_EXPR_SYNTAX, 2, "unexpected '&' after the condition"},
        {"()", D_EXPR_SYNTAX, 1, "expected a value, found ')'"},
        {"not", D_EXPR_SYNTAX, 3, "expected a value, found the end of the condition"},
        {"a and", D_EXPR_SYNTAX, 5, "expected a value, found the end of the condition"},
        {"true or (", D_EXPR_SYNTAX, 9, "expected a value, found the end of the condition"},
        /* arithmetic with its right operand missing */
        {"x +", D_EXPR_SYNTAX, 3, "expected a value, found the end of the condition"},
        {"x + > 1", D_EXPR_SYNTAX, 4, "expected a value, found '>'"},
        {"1 < x < 3", D_EXPR_SYNTAX, 6, "comparisons do not chain: write 'a < b and b < c'"},
        {"x > 2147483648", D_EXPR_SYNTAX, 4, "number too large (the limit is 2147483647)"},
        {"x > 99999999999999999999", D_EXPR_SYNTAX, 4, "number too large (the limit is 2147483647)"},
        {"a | b", D_EXPR_SYNTAX, 2, "unexpected '|' after the condition"},
        {"| a", D_EXPR_SYNTAX, 0, "unexpected character '|'"},
        /* a condition cannot start with an operator or an open string */
        {"== 1", D_EXPR_SYNTAX, 0, "expected a value, found '=='"},
        {"= 1", D_EXPR_SYNTAX, 0, "'=' is not a comparison: write '=='"},
        {"\"x", D_EXPR_SYNTAX, 0, "string not closed"},
        {"'x", D_EXPR_SYNTAX, 0, "string not closed"},
    };
    check_errors(t, sizeof t / sizeof t[0]);
    /* the largest literal is fine */
    ok("x < 2147483647");
}

/* A number run into letters is one bad token; the message should quote
 * the character that is wrong, not the first digit of a valid number. */
static void number_then_letters(void **state)
{
    (void)state;
    static const struct err_case t[] = {
        {"x > 12abc", D_EXPR_SYNTAX, 6, "unexpected character 'a'"},
    };
    check_errors(t, 1);
}

/* A character pasted from a word processor (x ≥ 1, “storm”) is quoted
 * whole: its first byte alone is not a character, and diagnostics would
 * show it as '?'. */
static void unicode_character_quoted_whole(void **state)
{
    (void)state;
    static const struct err_case t[] = {
        {"x \xE2\x89\xA5 1", D_EXPR_SYNTAX, 2, "unexpected '\xE2\x89\xA5' after the condition"},
        {"weather == \xE2\x80\x9Cstorm\xE2\x80\x9D", D_EXPR_SYNTAX, 11,
         "unexpected character '\xE2\x80\x9C'"},
        {"\xC3\xA9t\xC3\xA9", D_EXPR_SYNTAX, 0, "unexpected character '\xC3\xA9'"},
        {"x > 1 \xF0\x9F\x98\x80", D_EXPR_SYNTAX, 6, "unexpected '\xF0\x9F\x98\x80' after the condition"},
        /* a lead byte whose continuation bytes are missing: the token
         * stops at the end of the condition, not past it */
        {"x > \xC3", D_EXPR_SYNTAX, 4, "unexpected character '\xC3'"},
    };
    check_errors(t, sizeof t / sizeof t[0]);

    /* A token too long to quote whole is cut at a character boundary:
     * 61 bytes would end inside the 30th 'é', so 29 are shown. */
    char src[128] = "x > 1 \"a", want[128] = "unexpected '\"a";
    for (int i = 0; i < 40; i++)
        strcat(src, "\xC3\xA9");
    strcat(src, "\"");
    for (int i = 0; i < 29; i++)
        strcat(want, "\xC3\xA9");
    strcat(want, "' after the condition");
    const struct err_case cut[] = {{src, D_EXPR_SYNTAX, 6, want}};
    check_errors(cut, 1);
}

/* A single '=' is the commonest slip; the parser has a message for it. */
static void single_equals(void **state)
{
    (void)state;
    static const struct err_case t[] = {
        {"x = 1", D_EXPR_SYNTAX, 2, "'=' is not a comparison: write '=='"},
        {"a and x = 1", D_EXPR_SYNTAX, 8, "'=' is not a comparison: write '=='"},
        /* A misspelt '>=' gets told what it misses, not to write '=='. */
        {"x => 1", D_EXPR_SYNTAX, 2, "'=>' is not a comparison: write '>='"},
        {"x =< 1", D_EXPR_SYNTAX, 2, "'=<' is not a comparison: write '<='"},
        {"x > = 1", D_EXPR_SYNTAX, 4, "'>' and '=' are apart: write '>=' without a space"},
        {"x <\t= 1", D_EXPR_SYNTAX, 4, "'<' and '=' are apart: write '<=' without a space"},
        {"x = = 1", D_EXPR_SYNTAX, 2, "'=' is not a comparison: write '=='"},
        {"x =", D_EXPR_SYNTAX, 2, "'=' is not a comparison: write '=='"},
    };
    check_errors(t, sizeof t / sizeof t[0]);
}

static void type_errors(void **state)
{
    (void)state;
    static const struct err_case t[] = {
        {"x", D_EXPR_TYPE, 0, "this condition gives a number; it must give true or false"},
        {"weather", D_EXPR_TYPE, 0, "this condition gives an option; it must give true or false"},
        {"\"storm\"", D_EXPR_TYPE, 0, "this condition gives a string; it must give true or false"},
        {"a + 1 > 0", D_EXPR_TYPE, 2, "'+' needs a number, not true or false"},
        {"x * b > 0", D_EXPR_TYPE, 2, "'*' needs a number, not true or false"},
        {"-a", D_EXPR_TYPE, 0, "'-' needs a number, not true or false"},
        {"not x", D_EXPR_TYPE, 0, "'not' needs true or false, not a number"},
        {"x and a", D_EXPR_TYPE, 2, "'and' needs true or false, not a number"},
        {"a or x", D_EXPR_TYPE, 2, "'or' needs true or false, not a number"},
        {"x < a", D_EXPR_TYPE, 2, "a comparison needs a number, not true or false"},
        {"weather < \"storm\"", D_EXPR_TYPE, 8, "a comparison needs a number, not an option"},
        {"weather == 1", D_EXPR_TYPE, 8, "cannot compare an option with a number"},
        {"x == a", D_EXPR_TYPE, 2, "cannot compare a number with true or false"},
        {"\"a\" == \"a\"", D_EXPR_TYPE, 4, "cannot compare a string with a string"},
        {"x == \"storm\"", D_EXPR_TYPE, 2, "cannot compare a number with a string"},
        {"weather == \"snow\"", D_UNKNOWN_VALUE, 11, "'snow' is not a value of this option (did you mean 'storm'?)"},
        {"weather == \"fog\"", D_UNKNOWN_VALUE, 11, "'fog' is not a value of this option"},
        {"zz > 1", D_UNKNOWN_NAME, 0, "unknown name 'zz' in condition"},
        {"a and wether == \"calm\"", D_UNKNOWN_NAME, 6, "unknown name 'wether' in condition (did you mean 'weather'?)"},
        {"nosnap.x > 1", D_UNKNOWN_NAME, 0, "unknown name 'nosnap.x' in condition"},
        /* digits are part of a name after the dot too */
        {"a.b1 > 1", D_UNKNOWN_NAME, 0, "unknown name 'a.b1' in condition"},
        {"true * 2", D_EXPR_TYPE, 5, "'*' needs a number, not true or false"},
        {"2 / false", D_EXPR_TYPE, 2, "'/' needs a number, not true or false"},
        {"1 < true", D_EXPR_TYPE, 2, "a comparison needs a number, not true or false"},
        {"true and 1", D_EXPR_TYPE, 5, "'and' needs true or false, not a number"},
        {"true or 1", D_EXPR_TYPE, 5, "'or' needs true or false, not a number"},
        /* an option is compared only with its own values */
        {"weather == keeper", D_EXPR_TYPE, 8, "cannot compare an option with an option"},
        {"weather != keeper", D_EXPR_TYPE, 8, "cannot compare an option with an option"},
        {"x + 1", D_EXPR_TYPE, 0, "this condition gives a number; it must give true or false"},
    };
    check_errors(t, sizeof t / sizeof t[0]);
    /* a number is what an arithmetic condition asks for */
    assert_non_null(ok_as("x + 1", T_NUM));
    assert_null(parse_as("x > 1", T_NUM));
    assert_int_equal(E.n, 1);
    assert_int_equal(E.code, D_EXPR_TYPE);
    assert_int_equal(E.off, 0);
    assert_string_equal(E.msg, "this condition gives true or false; it must give a number");
    assert_non_null(ok("keeper == keeper"));
}

static void one_error_per_condition(void **state)
{
    (void)state;
    assert_null(parse_as("@ @ zz and (", T_BOOL));
    assert_int_equal(E.n, 1);
    assert_null(parse_as("zz or yy or ww", T_BOOL));
    assert_int_equal(E.n, 1);
    assert_int_equal(E.off, 0);
    /* a syntax error later in the condition wins over an earlier type error */
    assert_null(parse_as("x and a )", T_BOOL));
    assert_int_equal(E.n, 1);
    assert_int_equal(E.code, D_EXPR_SYNTAX);
    assert_int_equal(E.off, 8);
}

/* ---- nesting ------------------------------------------------------------ */

static char *nested(const char *open, const char *inner, const char *close, int depth)
{
    size_t lo = strlen(open), li = strlen(inner), lc = strlen(close);
    char *s = malloc((size_t)depth * (lo + lc) + li + 1), *o = s;
    for (int i = 0; i < depth; i++, o += lo)
        memcpy(o, open, lo);
    memcpy(o, inner, li);
    o += li;
    for (int i = 0; i < depth; i++, o += lc)
        memcpy(o, close, lc);
    *o = '\0';
    return s;
}

static void nesting_shallow(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SA] = 1;
    char *s = nested("(", "a", ")", 20);
    assert_int_equal(expr_eval(ok(s), st), 1);
    free(s);
}

/* The limit is on the tree: EXPR_MAX_DEPTH levels, leaves included, and as
 * many parentheses. */
static void nesting_64_parses(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SA] = 1;
    char *s = nested("(", "a", ")", EXPR_MAX_DEPTH);
    assert_int_equal(expr_eval(ok(s), st), 1);
    free(s);
    s = nested("not ", "a", "", EXPR_MAX_DEPTH - 2); /* an even number: 64 levels with a */
    assert_int_equal(expr_eval(ok(s), st), 1);
    assert_int_equal(ok(s)->depth, EXPR_MAX_DEPTH - 1);
    free(s);
    /* a long chain leans left: 63 operators, 64 levels */
    buf b = BUF_INIT;
    buf_puts(&b, "x");
    for (int i = 0; i < EXPR_MAX_DEPTH - 2; i++)
        buf_puts(&b, " + 1");
    buf_puts(&b, " > 0");
    assert_int_equal(expr_eval(ok(buf_str(&b)), st), 1);
    buf_free(&b);
}

/* Within both limits (tree levels and parentheses), any mixture parses. */
static void nesting_mixed_within_limits(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SA] = 1;
    char *s = nested("(not ", "a", ")", EXPR_MAX_DEPTH - 2); /* 63 levels, 62 parentheses */
    assert_int_equal(expr_eval(ok(s), st), 1);
    free(s);
    s = nested("(-", "x", ")", EXPR_MAX_DEPTH - 2);
    assert_non_null(ok_as(s, T_NUM));
    free(s);
}

static void nesting_too_deep(void **state)
{
    (void)state;
    static const struct {
        const char *open, *inner, *close;
        int depth;
    } t[] = {
        {"(", "a", ")", EXPR_MAX_DEPTH + 1},
        {"(not ", "a", ")", EXPR_MAX_DEPTH},
        {"not ", "a", "", EXPR_MAX_DEPTH},
        {"(", "a", ")", 10000},
        {"not ", "a", "", 10000},
        {"-", "x > 0", "", 10000},
        {"(", "", "", 100000}, /* unbalanced as well */
        {"", "x", " + 1", 100000}, /* a chain as deep as it is long */
        {"", "a", " and a", 100000},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *s = nested(t[i].open, t[i].inner, t[i].close, t[i].depth);
        const expr *e = parse_as(s, T_BOOL);
        free(s);
        if (e || E.n != 1 || E.code != D_EXPR_SYNTAX ||
            strncmp(E.msg, "condition nested more than 64 levels deep", 41))
            fail_msg("case %zu: %d error(s): %s", i, E.n, E.msg);
    }
}

/* Input far past the limit can run out of the parser's own frames before
 * the tree is built: each 'not' takes one, and a parenthesis three more
 * (or, not, unary). 325 'not's fill the 328 frames allowed, so the '(' is
 * refused where it opens a new level, at the 'a' it was about to read. */
static void nesting_stack_guard(void **state)
{
    (void)state;
    char *s = nested("not ", "(a)", "", 325);
    const expr *e = parse_as(s, T_BOOL);
    free(s);
    assert_null(e);
    assert_int_equal(E.n, 1);
    assert_int_equal(E.code, D_EXPR_SYNTAX);
    assert_int_equal(E.off, 4 * 325 + 1);
    assert_string_equal(E.msg, "condition nested more than 64 levels deep: split it");
}

/* ---- range analysis ----------------------------------------------------- */

static void range_of(const char *s, expr_type want, int64_t *lo, int64_t *hi)
{
    expr_range(ok_as(s, want), LO, HI, lo, hi);
}

/* A condition or number and the exact range worked out by hand. */
struct range_case {
    const char *s;
    int64_t lo, hi;
};

static void check_ranges(const struct range_case *t, size_t count, expr_type want)
{
    for (size_t i = 0; i < count; i++) {
        int64_t lo, hi;
        range_of(t[i].s, want, &lo, &hi);
        if (lo != t[i].lo || hi != t[i].hi)
            fail_msg("'%s': [%lld, %lld], want [%lld, %lld]", t[i].s, (long long)lo, (long long)hi,
                     (long long)t[i].lo, (long long)t[i].hi);
    }
}

static void range_definite(void **state)
{
    (void)state;
    static const struct range_case t[] = {
        {"x > 200", 0, 0},          /* never true: x is at most 100 */
        {"x >= 0", 1, 1},           /* always true */
        {"x <= 100", 1, 1},
        {"x < 0", 0, 0},
        {"x == 101", 0, 0},
        {"x != 101", 1, 1},
        {"not (x > 200)", 1, 1},
        {"a and x > 200", 0, 0},
        {"a or x >= 0", 1, 1},
        {"x + y > 150", 0, 0},      /* at most 100 + 50 */
        {"x * 2 <= 200", 1, 1},
        {"childhood.x > 100", 0, 0},
        {"x > 50", 0, 1},           /* may or may not hold */
        {"weather == \"storm\"", 0, 1},
        {"a", 0, 1},
    };
    check_ranges(t, sizeof t / sizeof t[0], T_BOOL);
}

static void range_numbers(void **state)
{
    (void)state;
    static const struct range_case t[] = {
        {"x * 2", 0, 200},
        {"x - y", -50, 150},
        {"-y", -50, 50},
        {"-x", -100, 0},
        {"x / 2", 0, 50},
        {"x / -2", -50, 0},
        {"x / 0", -100, 100}, /* any divisor but one nonzero constant: |x / 0| <= |x| */
        {"7", 7, 7},
        {"big + big", -INT32_MAX - 1, INT32_MAX}, /* clamped like evaluation */
        {"big * big", -INT32_MAX - 1, INT32_MAX},
    };
    check_ranges(t, sizeof t / sizeof t[0], T_NUM);
}

/* and, or, == and != over operands whose ranges are definite, disjoint,
 * touching or overlapping (x in [0, 100], y in [-50, 50]). */
static void range_logic_and_equality(void **state)
{
    (void)state;
    static const struct range_case t[] = {
        {"a and b", 0, 1},
        {"x >= 0 and x <= 100", 1, 1},  /* both always true */
        {"x >= 0 and a", 0, 1},
        {"x > 200 and x >= 0", 0, 0},
        {"a or b", 0, 1},
        {"x > 200 or a", 0, 1},
        {"x > 200 or x < 0", 0, 0},     /* both never true */
        {"x >= 0 or x > 200", 1, 1},
        {"x == y - 60", 0, 0},          /* [0, 100] against [-110, -10] */
        {"y == x + 51", 0, 0},          /* [-50, 50] against [51, 151] */
        {"x == y + 150", 0, 1},         /* [0, 100] against [100, 200]: both 100 */
        {"x == y", 0, 1},
        {"3 == 3", 1, 1},
        {"3 == 4", 0, 0},
        {"x - x == 0", 0, 1},           /* always true, but x - x is [-100, 100] */
        {"(x > 200) == false", 1, 1},
        {"a == true", 0, 1},
        {"weather == weather", 0, 1},
        {"x != y - 60", 1, 1},
        {"y != x + 51", 1, 1},
        {"x != y + 150", 0, 1},
        {"x != y", 0, 1},
        {"5 != x", 0, 1},               /* a single value against a range holding it */
        {"5 != y + 60", 1, 1},          /* 5 against [10, 110] */
        {"3 != 3", 0, 0},
        {"3 != 4", 1, 1},
        {"(x > 200) != false", 0, 0},
    };
    check_ranges(t, sizeof t / sizeof t[0], T_BOOL);
}

/* Every value an expression takes over the whole box of its variables lies
 * inside its computed range. */
static void range_conservative(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        expr_type t;
    } t[] = {
        {"x / y", T_NUM},          {"x / (y - y)", T_NUM},    {"(x - 50) * (y + 3)", T_NUM},
        {"-(x * y)", T_NUM},       {"y / (x + 1)", T_NUM},    {"x - x", T_NUM},
        {"(y - 7) / (y + 7)", T_NUM}, {"x * y > 1000", T_BOOL}, {"x / y == 0", T_BOOL},
        {"not (x - y < 3) or a", T_BOOL}, {"x == y and not a", T_BOOL},
    };
    int32_t st[NSLOTS] = {0};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const expr *e = ok_as(t[i].s, t[i].t);
        int64_t lo, hi;
        expr_range(e, LO, HI, &lo, &hi);
        for (int x = LO[SX]; x <= HI[SX]; x++)
            for (int y = LO[SY]; y <= HI[SY]; y++)
                for (int a = 0; a <= 1; a++) {
                    st[SX] = x, st[SY] = y, st[SA] = a;
                    int32_t v = expr_eval(e, st);
                    if (v < lo || v > hi)
                        fail_msg("'%s' = %d at x=%d y=%d a=%d, outside [%lld, %lld]", t[i].s, v, x,
                                 y, a, (long long)lo, (long long)hi);
                }
    }
}

/* ---- distance ------------------------------------------------------------ */

/* With x = 50 a number comparison is as far from its wanted value as the
 * margin it misses by, the smallest change of x that would flip it; a
 * comparison of options or booleans, or a lone flag, counts 10. */
static void distance(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SX] = 50;
    st[SY] = -3;
    st[SB] = 1;
    static const struct {
        const char *s;
        bool want;
        int64_t d;
    } t[] = {
        {"x < 50", true, 1},        {"x < 51", true, 0},       {"x < 60", false, 10},
        {"x < 50", false, 0},       {"x <= 40", true, 10},     {"x <= 50", true, 0},
        {"x <= 50", false, 1},      {"x <= 60", false, 11},    {"x <= 40", false, 0},
        {"x > 50", true, 1},        {"x > 60", true, 11},      {"x > 40", true, 0},
        {"x > 40", false, 10},      {"x > 50", false, 0},      {"x >= 60", true, 10},
        {"x >= 50", true, 0},       {"x >= 50", false, 1},     {"x >= 40", false, 11},
        {"x == 53", true, 3},       {"x == 47", true, 3},      {"x == 50", true, 0},
        {"x == 50", false, 1},      {"x == 53", false, 0},     {"x != 50", true, 1},
        {"x != 51", true, 0},       {"x != 53", false, 3},     {"x != 47", false, 3},
        {"x != 50", false, 0},      {"x + y == 40", true, 7},  /* x + y is 47 */
        {"weather == \"storm\"", true, 10}, {"weather == \"storm\"", false, 0},
        {"\"storm\" != weather", true, 0},  {"\"storm\" != weather", false, 10},
        {"a == b", true, 10},       {"a != b", true, 0},       {"a != b", false, 10},
        {"a", true, 10},            {"b", true, 0},            {"not a", true, 0},
        {"not b", true, 10},        {"true", false, 10},
        {"not (x == 53)", false, 3},
        /* 'and' true needs both sides: 11 + 11; false needs either */
        {"x > 60 and x < 40", true, 22}, {"x > 45 and x < 60", false, 5},
        /* 'or' true needs either side; false needs both: 10 + 10 */
        {"x > 52 or x < 40", true, 3},   {"x > 40 or x < 60", false, 20},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t d = expr_distance(ok(t[i].s), st, t[i].want);
        if (d != t[i].d)
            fail_msg("'%s' to %s: %lld, want %lld", t[i].s, t[i].want ? "true" : "false",
                     (long long)d, (long long)t[i].d);
    }
    /* the margin is wider than any 32-bit value: 0 - INT32_MIN + 1 */
    st[SBIG] = INT32_MIN;
    assert_true(expr_distance(ok("big > 0"), st, true) == (int64_t)INT32_MAX + 2);
}

/* ---- through a pack ------------------------------------------------------ */

/* A pack whose one choice has `if: COND`, written in the given YAML style:
 * "|-" (block), "'" or "\"" (quoted) or "" (plain). */
static char *cond_yaml(const char *cond, const char *style)
{
    static const char *head = TP_HEAD
        "state:\n"
        "  dimensions:\n"
        "    anxiety: {min: 0, max: 100, start: 50}\n"
        "    avoidance: {min: 0, max: 100, start: 20}\n"
        "  flags: {a: {}, b: {}, c: {}}\n"
        "  counters: {n: {}}\n"
        "options:\n"
        "  weather: {values: [calm, storm], default: calm}\n"
        "chapters:\n"
        "  - id: ch\n"
        "    scenes:\n"
        "      - id: s\n"
        "        snapshot: childhood\n"
        "        choices:\n"
        "          - id: k\n"
        "            text: K\n";
    static const char *tail = "            goto: e\n"
                              "      - id: e\n"
                              "        ending: {title: E}\n";
    size_t n = strlen(head) + strlen(cond) + strlen(tail) + 64;
    char *s = malloc(n);
    if (!strcmp(style, "|-"))
        snprintf(s, n, "%s            if: |-\n              %s\n%s", head, cond, tail);
    else
        snprintf(s, n, "%s            if: %s%s%s\n%s", head, style, cond, style, tail);
    return s;
}

typedef struct vals {
    int32_t anxiety, avoidance, a, b, c, n, weather, child_anxiety;
} vals;

/* The value of cond (a condition of a real pack) in the state v. */
static int32_t peval(const char *cond, vals v)
{
    char *y = cond_yaml(cond, "|-");
    pack *p = tp_load(y);
    free(y);
    int32_t *st = calloc((size_t)p->state_size + 1, sizeof *st);
    st[tp_var(p, "anxiety")] = v.anxiety;
    st[tp_var(p, "avoidance")] = v.avoidance;
    st[tp_var(p, "a")] = v.a;
    st[tp_var(p, "b")] = v.b;
    st[tp_var(p, "c")] = v.c;
    st[tp_var(p, "n")] = v.n;
    st[tp_var(p, "weather")] = v.weather;
    st[p->snap_base + tp_snap(p, "childhood") * p->nvars + tp_var(p, "anxiety")] = v.child_anxiety;
    int32_t r = expr_eval(tp_choice(tp_scene(p, "s"), "k")->shown_if, st);
    free(st);
    pack_free(p);
    return r;
}

static void pack_conditions(void **state)
{
    (void)state;
    vals v = {.anxiety = 50, .avoidance = 20};
    assert_int_equal(peval("1 + 2 * 3 == 7", v), 1);
    assert_int_equal(peval("10 - 3 - 2 == 5", v), 1);
    assert_int_equal(peval("not a and b", v), 0);
    assert_int_equal(peval("not (a and b)", v), 1);
    assert_int_equal(peval("anxiety / (avoidance - 20) == 0", v), 1);
    assert_int_equal(peval("-7 / 2 == -3", v), 1);
    assert_int_equal(peval("anxiety >= 50 and avoidance < 50", v), 1);
    assert_int_equal(peval("anxiety > 50 or avoidance != 20", v), 0);
    v.n = INT32_MAX;
    assert_int_equal(peval("n + 1 == 2147483647", v), 1);
    assert_int_equal(peval("n * n == n", v), 1);
    assert_int_equal(peval("-n - 10 == -2147483647 - 1", v), 1);
    v.a = 1;
    assert_int_equal(peval("a or b and c", v), 1);
    assert_int_equal(peval("(a or b) and c", v), 0);
}

static void pack_options_and_snapshots(void **state)
{
    (void)state;
    vals v = {.anxiety = 50, .weather = 1, .child_anxiety = 30};
    assert_int_equal(peval("weather == \"storm\"", v), 1);
    assert_int_equal(peval("\"calm\" == weather", v), 0);
    assert_int_equal(peval("weather != 'calm'", v), 1);
    assert_int_equal(peval("childhood.anxiety < anxiety", v), 1);
    assert_int_equal(peval("childhood.anxiety == 30", v), 1);
    v.weather = 0;
    assert_int_equal(peval("weather == \"storm\"", v), 0);
}

/* Errors in a condition are reported at the exact line and column of the
 * offending character, whatever the YAML style of the scalar. */
static void pack_error_positions(void **state)
{
    (void)state;
    /* The `if:` is on line 21; its value starts at column 17 on that line
     * (plain and quoted: after the opening quote) or at column 15 of line 22
     * (block scalar). */
    static const struct {
        const char *cond, *style, *want;
    } t[] = {
        {"anxiety > > 3", "", "pack.yaml:21:27: error: expected a value, found '>' [expr-syntax]"},
        {"anxiety > > 3", "'", "pack.yaml:21:28: error: expected a value, found '>' [expr-syntax]"},
        {"anxiety > > 3", "|-", "pack.yaml:22:25: error: expected a value, found '>' [expr-syntax]"},
        {"anxeity > 1", "", "pack.yaml:21:17: error: unknown name 'anxeity' in condition (did you "
                            "mean 'anxiety'?) [unknown-name]"},
        {"a and weather == \"strom\"", "'",
         "pack.yaml:21:35: error: 'strom' is not a value of this option (did you mean 'storm'?) "
         "[unknown-value]"},
        {"anxiety", "", "pack.yaml:21:17: error: this condition gives a number; it must give true "
                        "or false [expr-type]"},
        {"a and anxiety + b > 1", "|-",
         "pack.yaml:22:29: error: '+' needs a number, not true or false [expr-type]"},
        {"anxiety = 3", "", "pack.yaml:21:25: error: '=' is not a comparison: write '==' [expr-syntax]"},
        /* anxiety ≥ 3: the whole character, not '?' */
        {"anxiety \xE2\x89\xA5 3", "",
         "pack.yaml:21:25: error: unexpected '\xE2\x89\xA5' after the condition [expr-syntax]"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *y = cond_yaml(t[i].cond, t[i].style);
        diags *d = tp_fail(y);
        free(y);
        if (diag_errors(d) != 1 || strcmp(diag_line(d, 0), t[i].want)) {
            tp_dump(d);
            diags_free(d);
            fail_msg("case %zu: want %s", i, t[i].want);
        }
        diags_free(d);
    }
}

/* The loader uses range analysis to warn about a choice that can never be
 * shown; a condition that may hold gets no warning. */
static void pack_never_shown(void **state)
{
    (void)state;
    char *y = cond_yaml("anxiety > 200", "");
    diags *d;
    const char *names[] = {"pack.yaml"};
    const char *files[] = {y};
    pack *p = tp_load_files(names, files, 1, &d);
    assert_non_null(p);
    tp_expect(d, "pack.yaml:19:17: warning: choice 'k' can never be shown: its 'if' is always "
                 "false [never-shown]");
    pack_free(p);
    diags_free(d);
    free(y);

    y = cond_yaml("anxiety > 50", "");
    files[0] = y;
    p = tp_load_files(names, files, 1, &d);
    assert_non_null(p);
    assert_int_equal(tp_find(d, "never-shown"), -1);
    pack_free(p);
    diags_free(d);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tree_precedence),
        cmocka_unit_test(eval_arithmetic),
        cmocka_unit_test(eval_logic),
        cmocka_unit_test(integer_division),
        cmocka_unit_test(saturation),
        cmocka_unit_test(comparisons),
        cmocka_unit_test(option_values),
        cmocka_unit_test(snapshot_names),
        cmocka_unit_test(syntax_errors),
        cmocka_unit_test(number_then_letters),
        cmocka_unit_test(unicode_character_quoted_whole),
        cmocka_unit_test(single_equals),
        cmocka_unit_test(type_errors),
        cmocka_unit_test(one_error_per_condition),
        cmocka_unit_test(nesting_shallow),
        cmocka_unit_test(nesting_64_parses),
        cmocka_unit_test(nesting_mixed_within_limits),
        cmocka_unit_test(nesting_too_deep),
        cmocka_unit_test(nesting_stack_guard),
        cmocka_unit_test(range_definite),
        cmocka_unit_test(range_numbers),
        cmocka_unit_test(range_logic_and_equality),
        cmocka_unit_test(range_conservative),
        cmocka_unit_test(distance),
        cmocka_unit_test(pack_conditions),
        cmocka_unit_test(pack_options_and_snapshots),
        cmocka_unit_test(pack_error_positions),
        cmocka_unit_test(pack_never_shown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
