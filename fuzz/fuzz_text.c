/*
 * fuzz_text: narration on its way to the terminal. The input (after a
 * first byte that picks the YAML form and the layout) becomes the text of
 * a pack's first scene, of its choice and of the choice's reply; when the
 * pack loads, the first scene is played to text through pack_render and
 * out_render, as play.c does, in two games with different option values.
 * The raw input is also rendered directly by out_render, which must be
 * safe for any bytes at all (it is the last line of defence if the loader
 * ever lets a control character through).
 * Forms (low two bits of the first byte): 0 inside a double-quoted scalar,
 * as written (so the fuzzer writes YAML escapes: \e, \x9b, \u202e, \0);
 * 1 double-quoted with every control byte escaped by the harness (so raw
 * controls reach libyaml's escape decoder); 2 a literal block scalar;
 * 3 a plain scalar. The other bits pick the width, indentation and hang.
 * Oracle: fz_check_terminal_safe on every rendered output: no C0 but '\n',
 * no DEL, no C1, no bidi override or isolate, valid UTF-8, and no escape
 * sequence but the four SGR sequences of out.c's styling table.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "fuzz_common.h"
#include "game.h"
#include "out.h"
#include "pack.h"
#include "pack_int.h"

static const char head[] =
    "format: 1\nid: textfuzz\ntitle: Text\nversion: \"1\"\n"
    "state:\n"
    "  dimensions:\n"
    "    worry: {label: Worry, min: 0, max: 100, start: 40}\n"
    "  flags:\n"
    "    lamp_lit: {label: Lamp}\n"
    "  counters:\n"
    "    stairs: {label: Stairs, start: -2147483647}\n"
    "options:\n"
    "  keeper: {label: Keeper, values: [gran, grandad, aunt], default: random}\n"
    "  weather: {label: Weather, values: [calm, storm], default: random}\n"
    "chapters:\n"
    "  - id: one\n"
    "    scenes:\n"
    "      - id: start\n"
    "        snapshot: dusk\n"
    "        text: ";
static const char mid1[] =
    "\n"
    "        choices:\n"
    "          - id: go\n"
    "            effects: {worry: +70, lamp_lit: true, stairs: +2147483647}\n"
    "            goto: end\n"
    "            text: ";
static const char mid2[] = "\n            reply: ";
static const char tail[] =
    "\n"
    "      - id: end\n"
    "        text: It ends.\n"
    "        ending: {title: The end}\n";

/* Appends the input as a YAML scalar in the given form, at the given
 * indentation (for block scalars). */
static void scalar(buf *y, int form, const char *s, size_t n, int indent)
{
    static const char hex[] = "0123456789abcdef";
    switch (form) {
    case 0:
        buf_putc(y, '"');
        buf_append(y, s, n);
        buf_putc(y, '"');
        break;
    case 1:
        buf_putc(y, '"');
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
                buf_append(y, e, 4);
            } else {
                buf_putc(y, (char)c);
            }
        }
        buf_putc(y, '"');
        break;
    case 2:
        buf_puts(y, "|\n");
        for (int k = 0; k < indent; k++)
            buf_putc(y, ' ');
        for (size_t i = 0; i < n; i++) {
            buf_putc(y, s[i]);
            if (s[i] == '\n')
                for (int k = 0; k < indent; k++)
                    buf_putc(y, ' ');
        }
        break;
    default:
        buf_append(y, s, n);
        break;
    }
}

static void show(buf *shown, const buf *raw, const out_style *st, const char *what)
{
    buf_reset(shown);
    out_render(shown, raw->data ? raw->data : "", raw->len, st);
    fz_check_terminal_safe(shown->data ? shown->data : "", shown->len, st->styled, what);
}

static void play(const pack *p, uint64_t seed, const out_style *st)
{
    game *g = game_new(p);
    buf raw = BUF_INIT, shown = BUF_INIT;
    game_start(g, seed, NULL);
    const pk_scene *sc = game_scene(g);
    pack_render(&sc->text, game_state(g), &raw);
    show(&shown, &raw, st, "scene text");
    for (int i = 0; i < sc->nchoices; i++) {
        buf_reset(&raw);
        pack_render(&sc->choices[i]->text, game_state(g), &raw);
        show(&shown, &raw, st, "choice text");
    }
    if (sc->nchoices && game_choose(g, sc->choices[0]) == GAME_OK) {
        buf_reset(&raw);
        game_reply(g, &raw);
        show(&shown, &raw, st, "reply");
    }
    buf_free(&raw);
    buf_free(&shown);
    game_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int widths[] = {0, 1, 2, 5, 12, 40, 72, 300};
    if (!size)
        return 0;
    unsigned mode = data[0];
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    out_style st = {widths[(mode >> 2) & 7], (mode >> 7) & 1, (int)((mode >> 5) & 3) * 2,
                    (mode >> 6) & 1 ? 4 : -1};
    out_style plain = st;
    plain.styled = !st.styled;

    /* The sanitiser alone, on the raw bytes. */
    char *copy = fz_copy(s, n);
    buf raw = {0}, shown = BUF_INIT;
    buf_append(&raw, copy, n);
    show(&shown, &raw, &st, "raw input");
    show(&shown, &raw, &plain, "raw input");
    buf_reset(&shown);
    out_sanitize(&shown, copy, n);
    fz_check_terminal_safe(shown.data ? shown.data : "", shown.len, false, "out_sanitize");
    if (!out_is_safe(shown.data ? shown.data : "", shown.len)) {
        fprintf(stderr, "fuzz oracle: out_sanitize's output is not out_is_safe\n");
        abort();
    }
    if (out_is_safe(copy, n) && (shown.len != n || (n && memcmp(shown.data, copy, n)))) {
        fprintf(stderr, "fuzz oracle: out_is_safe text was changed by out_sanitize\n");
        abort();
    }
    buf_free(&raw);
    buf_free(&shown);
    free(copy);

    /* Through a pack. */
    buf y = BUF_INIT;
    int form = (int)(mode & 3);
    buf_puts(&y, head);
    scalar(&y, form, s, n, 10);
    buf_puts(&y, mid1);
    scalar(&y, form, s, n, 14);
    buf_puts(&y, mid2);
    scalar(&y, form, s, n, 14);
    buf_puts(&y, tail);
    char *file = fz_copy(y.data, y.len);
    const char *names[] = {"pack.yaml"}, *files[] = {file};
    size_t lens[] = {y.len};
    diags *d = diags_new();
    pack *p = pack_load_memory("", names, files, lens, 1, d);
    if (p) {
        play(p, 1, &st);
        play(p, 2, &plain);
        play(p, 3, &st);
    }
    pack_free(p);
    diags_free(d);
    free(file);
    buf_free(&y);
    return 0;
}
