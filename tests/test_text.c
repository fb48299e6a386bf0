/*
 * Tests for text, the narration language: compiled with a small
 * hand-written name environment and rendered against hand-made states
 * (exact output, exact error offsets), then through real packs loaded from
 * memory, where errors carry file:line:col.
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
#include "text.h"
#include "testpack.h"

/* ---- a hand-written environment ---------------------------------------- */

enum { SN, SF, SW, SP, SSNAP, NSLOTS };

static const char *const WEATHER[] = {"calm", "storm"};
static const char *const PARENT[] = {"mum", "dad"};

static struct {
    int n;
    diag_code code;
    size_t off;
    char msg[512];
} E;

static const struct {
    const char *name;
    int slot;
    expr_type type;
    const char *const *values;
} NAMES[] = {
    {"n", SN, T_NUM, NULL},           {"f", SF, T_BOOL, NULL},
    {"weather", SW, T_OPT, WEATHER},  {"parent", SP, T_OPT, PARENT},
    {"snap.n", SSNAP, T_NUM, NULL},
};

static int lookup(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strlen(NAMES[i].name) == n && !memcmp(NAMES[i].name, name, n))
            return (int)i;
    return -1;
}

static bool x_resolve(void *ctx, const char *name, size_t n, expr_name *out)
{
    (void)ctx;
    int i = lookup(name, n);
    if (i < 0) {
        if (n > 1 && name[0] == 'w')
            out->hint = "weather";
        return false;
    }
    out->slot = NAMES[i].slot;
    out->type = NAMES[i].type;
    out->var = NAMES[i].slot;
    out->lo = INT32_MIN;
    out->hi = INT32_MAX;
    return true;
}

static int x_option(void *ctx, int var, const char *s, size_t n, const char **hint)
{
    (void)ctx;
    (void)hint;
    const char *const *v = var == SW ? WEATHER : PARENT;
    for (int i = 0; i < 2; i++)
        if (strlen(v[i]) == n && !memcmp(v[i], s, n))
            return i;
    return -1;
}

static void x_error(void *ctx, diag_code code, size_t off, const char *msg)
{
    (void)ctx;
    if (E.n++ == 0) {
        E.code = code;
        E.off = off;
        snprintf(E.msg, sizeof E.msg, "%s", msg);
    }
}

static bool t_resolve(void *ctx, const char *name, size_t n, text_name *out)
{
    (void)ctx;
    int i = lookup(name, n);
    if (i < 0) {
        if (n > 1 && name[0] == 'w')
            out->hint = "weather";
        return false;
    }
    out->slot = NAMES[i].slot;
    out->type = NAMES[i].type;
    out->values = NAMES[i].values;
    return true;
}

static const expr_env XENV = {NULL, x_resolve, x_option, x_error};
static const text_env TENV = {&XENV, t_resolve};
static arena *A;
static buf B;

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
    buf_free(&B);
    return 0;
}

static const text *compile(const char *s)
{
    memset(&E, 0, sizeof E);
    return text_compile(A, s, strlen(s), &TENV);
}

/* s rendered in st; s must compile. */
static const char *render(const char *s, const int32_t *st)
{
    const text *t = compile(s);
    if (!t || E.n)
        fail_msg("'%s' did not compile: %s (offset %zu)", s, E.msg, E.off);
    buf_reset(&B);
    text_render(t, st, &B);
    return buf_str(&B);
}

/* ---- rendering ---------------------------------------------------------- */

static void literal_text(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    const char *s = "The boat is late.\n\nIt is seven: a | b; caf\xc3\xa9 \xe6\xbc\xa2.";
    assert_string_equal(render(s, st), s);
    assert_false(text_empty(compile(s)));
    assert_true(text_empty(compile("")));
    assert_string_equal(render("", st), "");
}

static void names_inserted(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SN] = 3, st[SF] = 1, st[SW] = 1, st[SSNAP] = 7;
    assert_string_equal(render("{n} apples, {f}, {weather}, {snap.n}.", st),
                        "3 apples, true, storm, 7.");
    st[SN] = -12, st[SF] = 0, st[SW] = 0;
    assert_string_equal(render("{n} apples, {f}, {weather}", st), "-12 apples, false, calm");
    st[SN] = INT32_MIN;
    assert_string_equal(render("{n}", st), "-2147483648");
    assert_string_equal(render("[{ n }]", st), "[-2147483648]"); /* spaces inside are trimmed */
}

static void capitalisation(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    assert_string_equal(render("{Parent} waits. Your {parent} waits.", st), "Mum waits. Your mum waits.");
    st[SP] = 1, st[SW] = 1, st[SF] = 1, st[SN] = 5;
    assert_string_equal(render("{Parent}! {Weather}. {F}. {N}.", st), "Dad! Storm. True. 5.");
    /* only the inserted word changes, not what the buffer held before */
    buf_reset(&B);
    buf_puts(&B, "abc ");
    text_render(compile("{Parent}"), st, &B);
    assert_string_equal(buf_str(&B), "abc Dad");
}

static void inline_branches(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    const char *s = "A{f: yes | no}B";
    assert_string_equal(render(s, st), "AnoB");
    st[SF] = 1;
    assert_string_equal(render(s, st), "AyesB");
    /* without an else branch nothing is inserted */
    assert_string_equal(render("a{not f: b}c", st), "ac");
    /* branches are trimmed of spaces, tabs and line breaks */
    assert_string_equal(render("[{f:   yes \n |\t no  }]", st), "[yes]");
    st[SF] = 0;
    assert_string_equal(render("[{f:   yes \n |\t no  }]", st), "[no]");
    /* the first ':' ends the condition; later ones are text */
    st[SF] = 1;
    assert_string_equal(render("{f: time: noon | never}", st), "time: noon");
    /* conditions are full expressions, options compared with strings */
    st[SW] = 1, st[SN] = 4;
    assert_string_equal(render("{weather == \"storm\" and n * 2 > 7: Spray. | Calm.}", st), "Spray.");
    st[SW] = 0;
    assert_string_equal(render("{weather == \"storm\" and n * 2 > 7: Spray. | Calm.}", st), "Calm.");
}

static void nested_branches(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    const char *s = "{f: {n > 2: many {n} | few} apples | none}";
    assert_string_equal(render(s, st), "none");
    st[SF] = 1;
    assert_string_equal(render(s, st), "few apples");
    st[SN] = 9;
    assert_string_equal(render(s, st), "many 9 apples");
    /* an else branch with a nested branch holding its own '|' */
    st[SF] = 0, st[SP] = 1;
    assert_string_equal(render("{f: x | {parent == \"dad\": {Parent} | Mother}}", st), "Dad");
}

static void escapes(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    assert_string_equal(render("\\{ \\} \\| \\\\ \\n", st), "{ } | \\ \\n");
    assert_string_equal(render("\\{n\\}", st), "{n}");
    assert_string_equal(render("{f: a \\| b | c \\} d \\{}", st), "c } d {");
    st[SF] = 1;
    assert_string_equal(render("{f: a \\| b | c \\} d \\{}", st), "a | b");
    assert_string_equal(render("trailing \\", st), "trailing \\");
}

/* ---- errors ------------------------------------------------------------- */

struct err_case {
    const char *src;
    diag_code code;
    size_t off;
    const char *msg;
};

static void errors(void **state)
{
    (void)state;
    static const struct err_case t[] = {
        {"abc {n", D_TEXT_SYNTAX, 4, "'{' is never closed (write \\{ for a brace)"},
        {"{f: {n}", D_TEXT_SYNTAX, 0, "'{' is never closed (write \\{ for a brace)"},
        {"abc } x", D_TEXT_SYNTAX, 4, "'}' without a matching '{' (write \\} for a brace)"},
        {"{f: a } b }", D_TEXT_SYNTAX, 10, "'}' without a matching '{' (write \\} for a brace)"},
        {"x {}", D_TEXT_SYNTAX, 2, "empty '{}': write a name, or \\{ for a brace"},
        {"{ \n }", D_TEXT_SYNTAX, 0, "empty '{}': write a name, or \\{ for a brace"},
        {"{f: a | {}}", D_TEXT_SYNTAX, 8, "empty '{}': write a name, or \\{ for a brace"},
        {"x {nope}", D_UNKNOWN_NAME, 3, "unknown name 'nope' in text"},
        {"x {  nope }", D_UNKNOWN_NAME, 5, "unknown name 'nope' in text"},
        {"{wether}", D_UNKNOWN_NAME, 1, "unknown name 'wether' in text (did you mean 'weather'?)"},
        {"{f: {n} | {m}}", D_UNKNOWN_NAME, 11, "unknown name 'm' in text"},
        {"ab {zz: x}", D_UNKNOWN_NAME, 4, "unknown name 'zz' in condition"},
        {"ab {n > : x}", D_EXPR_SYNTAX, 8, "expected a value, found the end of the condition"},
        {"{: x}", D_EXPR_SYNTAX, 1, "empty condition"},
        {"ab {n: x}", D_EXPR_TYPE, 4, "this condition gives a number; it must give true or false"},
        {"{f: {weather == \"snow\": a}}", D_UNKNOWN_VALUE, 16, "'snow' is not a value of this option"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const text *x = compile(t[i].src);
        if (x || E.n != 1 || E.code != t[i].code || E.off != t[i].off || strcmp(E.msg, t[i].msg))
            fail_msg("'%s': %s, %d error(s), %s at %zu: \"%s\"", t[i].src, x ? "compiled" : "refused",
                     E.n, diag_name(E.code), E.off, E.msg);
    }
}

static void long_unknown_name(void **state)
{
    (void)state;
    char s[300];
    memset(s, 'q', sizeof s);
    s[0] = '{';
    s[sizeof s - 2] = '}';
    s[sizeof s - 1] = '\0';
    assert_null(compile(s));
    assert_int_equal(E.code, D_UNKNOWN_NAME);
    assert_int_equal(E.off, 1);
    /* the message quotes at most 60 characters of the name */
    char want[128];
    snprintf(want, sizeof want, "unknown name '%.60s' in text", s + 1);
    assert_string_equal(E.msg, want);
}

static char *nest(int depth)
{
    /* {f: {f: ... x ... }} */
    char *s = malloc((size_t)depth * 5 + 2), *o = s;
    for (int i = 0; i < depth; i++, o += 4)
        memcpy(o, "{f: ", 4);
    *o++ = 'x';
    for (int i = 0; i < depth; i++)
        *o++ = '}';
    *o = '\0';
    return s;
}

static void depth_limit(void **state)
{
    (void)state;
    int32_t st[NSLOTS] = {0};
    st[SF] = 1;
    char *s = nest(TEXT_MAX_DEPTH - 1);
    assert_string_equal(render(s, st), "x");
    free(s);
    static const int deep[] = {TEXT_MAX_DEPTH + 1, 1000, 20000};
    for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++) {
        s = nest(deep[i]);
        assert_null(compile(s));
        assert_int_equal(E.n, 1);
        assert_int_equal(E.code, D_TEXT_SYNTAX);
        assert_string_equal(E.msg, "text nested more than 16 levels deep");
        assert_int_equal(E.off, (size_t)TEXT_MAX_DEPTH * 4); /* the 17th branch */
        free(s);
    }
    /* 100,000 unclosed braces are one quick error */
    s = malloc(100001);
    memset(s, '{', 100000);
    s[100000] = '\0';
    assert_null(compile(s));
    assert_int_equal(E.n, 1);
    assert_int_equal(E.off, 0);
    free(s);
}

/* ---- through a pack ------------------------------------------------------ */

static const char *const TEXT_PACK = TP_HEAD
    "state:\n"
    "  dimensions:\n"
    "    worry: {min: 0, max: 100, start: 40}\n"
    "  flags: {lit: {}}\n"
    "options:\n"
    "  keeper: {values: [gran, grandad], default: grandad}\n"
    "  weather: {values: [calm, storm], default: storm}\n"
    "chapters:\n"
    "  - id: ch\n"
    "    scenes:\n"
    "      - id: quay\n"
    "        snapshot: dusk\n"
    "        text:\n"
    "          - when: worry >= 50\n"
    "            text: Worried ({worry}).\n"
    "          - text: |\n"
    "              {Keeper} is late. {weather == \"storm\": Spray. | Flat.}\n"
    "              Worry {worry}, at dusk {dusk.worry}; {lit: lit | dark}. \\{sic\\}\n"
    "        choices:\n"
    "          - {id: go, text: \"Go, {keeper}.\", goto: end}\n"
    "      - id: end\n"
    "        text: \"\"\n"
    "        ending: {title: End}\n";

static void pack_text(void **state)
{
    (void)state;
    pack *p = tp_load_clean(TEXT_PACK);
    int32_t *st = calloc((size_t)p->state_size, sizeof *st);
    for (int i = 0; i < p->nvars; i++)
        st[i] = p->vars[i].kind == V_OPTION ? p->vars[i].deflt : p->vars[i].start;
    int worry = tp_var(p, "worry");
    st[p->snap_base + tp_snap(p, "dusk") * p->nvars + worry] = 35;
    const pk_scene *s = tp_scene(p, "quay");
    buf b = BUF_INIT;
    pack_render(&s->text, st, &b);
    assert_string_equal(buf_str(&b),
                        "Grandad is late. Spray.\nWorry 40, at dusk 35; dark. {sic}\n");
    assert_int_equal(pack_variant(&s->text, st), 1);
    st[worry] = 60;
    buf_reset(&b);
    pack_render(&s->text, st, &b);
    assert_string_equal(buf_str(&b), "Worried (60).");
    assert_int_equal(pack_variant(&s->text, st), 0);
    buf_reset(&b);
    pack_render(&tp_choice(s, "go")->text, st, &b);
    assert_string_equal(buf_str(&b), "Go, grandad.");
    /* an empty text renders nothing */
    buf_reset(&b);
    pack_render(&tp_scene(p, "end")->text, st, &b);
    assert_string_equal(buf_str(&b), "");
    buf_free(&b);
    free(st);
    pack_free(p);
}

/* A text error in a pack is reported at its line and column. */
static void pack_text_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } t[] = {
        {"\"Hello {wory}.\"", "pack.yaml:12:23: error: unknown name 'wory' in text (did you mean "
                              "'worry'?) [unknown-name]"},
        {"Hello \\{ok\\} }", "pack.yaml:12:28: error: '}' without a matching '{' (write \\} for a "
                             "brace) [text-syntax]"},
        {"|\n          line one\n          two {worry > : x}",
         "pack.yaml:14:24: error: expected a value, found the end of the condition [expr-syntax]"},
        /* doubling a brace is not an escape ({{ opens a name): a backslash is */
        {"\"a {{worry}} b\"", "pack.yaml:12:19: error: unknown name '{worry}' in text (did you mean "
                                "'worry'?) [unknown-name]"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char y[2048];
        snprintf(y, sizeof y,
                 TP_HEAD "state:\n  dimensions:\n    worry: {min: 0, max: 100, start: 40}\n"
                 "chapters:\n  - id: ch\n    scenes:\n      - id: s\n        text: %s\n"
                 "        ending: {title: E}\n",
                 t[i].text);
        diags *d = tp_fail(y);
        if (diag_errors(d) != 1 || strcmp(diag_line(d, 0), t[i].want)) {
            tp_dump(d);
            diags_free(d);
            fail_msg("case %zu: want %s", i, t[i].want);
        }
        diags_free(d);
    }
}

/* Every name a pack may declare (up to 64 characters) can be inserted. */
static void pack_long_name(void **state)
{
    (void)state;
    char name[65];
    memset(name, 'a', 64);
    name[64] = '\0';
    char y[1024];
    snprintf(y, sizeof y,
             TP_HEAD "state:\n  counters:\n    %s: {start: 3}\n"
             "chapters:\n  - id: ch\n    scenes:\n      - id: s\n        text: \"n={%s}\"\n"
             "        ending: {title: E}\n",
             name, name);
    pack *p = tp_load_clean(y);
    int32_t st[2] = {3, 0};
    buf b = BUF_INIT;
    pack_render(&tp_scene(p, "s")->text, st, &b);
    assert_string_equal(buf_str(&b), "n=3");
    buf_free(&b);
    pack_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_text),
        cmocka_unit_test(names_inserted),
        cmocka_unit_test(capitalisation),
        cmocka_unit_test(inline_branches),
        cmocka_unit_test(nested_branches),
        cmocka_unit_test(escapes),
        cmocka_unit_test(errors),
        cmocka_unit_test(long_unknown_name),
        cmocka_unit_test(depth_limit),
        cmocka_unit_test(pack_text),
        cmocka_unit_test(pack_text_errors),
        cmocka_unit_test(pack_long_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
