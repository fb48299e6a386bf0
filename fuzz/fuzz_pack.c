/*
 * fuzz_pack: the whole load of a pack from memory (pack_load_memory), the
 * path every untrusted pack takes. The input is pack.yaml; a line
 * "#8<-- NAME" (a YAML comment, so a seed stays valid YAML) starts another
 * file called NAME (default chapters/a.yaml), which pack.yaml can include.
 * Each file gets its own exact-size heap block, so a read past its end is
 * caught. Oracles, beyond "no crash, no leak, no undefined behaviour":
 *   - the loader returns a pack exactly when it reported no error;
 *   - the printed diagnostics hold nothing that could drive a terminal;
 *   - a pack that loads is played: every state stays inside the bounds the
 *     loader checked, every shown text renders to terminal-safe output, and
 *     a save of each game decodes back into the same game (saves round-trip);
 *   - at the end of a game, the terminal reveal is terminal-safe, and the
 *     reports (Markdown, JSON, HTML, CSV) hold no control character and
 *     the HTML no script;
 *   - the pack's graph (DOT, Mermaid) and a short random exploration run
 *     (their output is only checked for crashes, leaks and UB).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "diag.h"
#include "explore.h"
#include "fuzz_common.h"
#include "game.h"
#include "graph.h"
#include "out.h"
#include "pack.h"
#include "pack_int.h"
#include "report.h"
#include "reveal.h"
#include "save.h"

enum { MAX_FILES = 8, MAX_NAME = 64, MAX_STEPS = 64 };

static const char marker[] = "\n#8<-- ";

/* Splits data into files at the markers; names are reduced to the
 * alphabet of include paths (the loader refuses control characters in an
 * include path before it becomes a file name, so a fuzzed name with an
 * ESC in it would only test this harness). Returns the file count. */
static size_t split(const char *data, size_t size, const char **start, size_t *len,
                    char names[][MAX_NAME + 1])
{
    size_t count = 0, at = 0;
    const size_t nm = sizeof marker - 1;
    strcpy(names[0], "pack.yaml");
    start[0] = data;
    for (;;) {
        const char *hit = NULL;
        if (count + 1 < MAX_FILES)
            for (size_t i = at; i + nm <= size; i++)
                if (data[i] == '\n' && !memcmp(data + i, marker, nm)) {
                    hit = data + i;
                    break;
                }
        if (!hit) {
            len[count] = (size_t)(data + size - start[count]);
            return count + 1;
        }
        len[count] = (size_t)(hit - start[count]);
        count++;
        const char *name = hit + nm, *end = name;
        while (end < data + size && *end != '\n')
            end++;
        size_t n = 0;
        for (const char *p = name; p < end && n < MAX_NAME; p++) {
            char c = *p;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '/' || c == '.' || c == '_' || c == '-')
                names[count][n++] = c;
        }
        names[count][n] = '\0';
        if (!n)
            snprintf(names[count], MAX_NAME + 1, "chapters/%c.yaml", (char)('a' + count - 1));
        start[count] = end < data + size ? end + 1 : end;
        at = (size_t)(start[count] - data);
    }
}

static void check_diags(diags *d)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    if (!f)
        abort();
    diag_print(d, f, false);
    diag_print_json(d, f);
    fclose(f);
    fz_check_terminal_safe(out, n, false, "diagnostics");
    free(out);
    for (size_t i = 0; i < diag_count(d); i++) {
        const char *line = diag_line(d, i);
        fz_check_terminal_safe(line, strlen(line), false, "diag_line");
    }
}

static void check_bounds(const pack *p, const int32_t *st)
{
    for (int i = 0; i < p->nvars; i++) {
        const pk_var *v = &p->vars[i];
        int32_t lo = v->min, hi = v->max;
        if (v->kind == V_FLAG)
            lo = 0, hi = 1;
        if (v->kind == V_OPTION)
            lo = 0, hi = v->nvalues - 1;
        if (st[i] < lo || st[i] > hi) {
            fprintf(stderr, "fuzz oracle: variable '%s' = %d outside %d..%d\n", v->name,
                    (int)st[i], (int)lo, (int)hi);
            abort();
        }
    }
}

static void render(const pk_text *t, const int32_t *st, buf *raw, buf *shown)
{
    static const out_style styles[] = {{72, false, 0, 0}, {20, true, 2, 3}};
    buf_reset(raw);
    pack_render(t, st, raw);
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
        buf_reset(shown);
        out_render(shown, raw->data ? raw->data : "", raw->len, &styles[i]);
        fz_check_terminal_safe(shown->data ? shown->data : "", shown->len, styles[i].styled,
                               "rendered text");
    }
}

/* The end of a game: the reveal on the terminal and the four reports. */
static void ending(const game *g, bool search)
{
    reveal r;
    buf out = BUF_INIT;
    reveal_compute(&r, g, search);
    static const reveal_style rs[] = {{72, true, true}, {30, false, false}};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
        buf_reset(&out);
        reveal_render(&r, &rs[i], &out);
        fz_check_terminal_safe(out.data ? out.data : "", out.len, rs[i].styled, "reveal");
    }
    static const report_format fmts[] = {REPORT_MD, REPORT_JSON, REPORT_HTML, REPORT_CSV};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        buf_reset(&out);
        report_render(g, &r, fmts[i], "fuzz", &out);
        const char *s = out.data ? out.data : "";
        if (fmts[i] == REPORT_CSV) { /* RFC 4180 lines end in CR LF: check without the CRs */
            size_t w = 0;
            for (size_t k = 0; k < out.len; k++)
                if (!(s[k] == '\r' && k + 1 < out.len && s[k + 1] == '\n'))
                    out.data[w++] = s[k];
            out.len = w;
        }
        fz_check_terminal_safe(s, out.len, false, "report");
        if (fmts[i] == REPORT_HTML)
            for (size_t k = 0; k + 7 <= out.len; k++)
                if (s[k] == '<' && !strncasecmp(s + k, "<script", 7))
                    fz_fail("a <script> in the HTML report", s, out.len, k);
    }
    buf_free(&out);
}

/* The pack's graph and a short random exploration. */
static void survey(const pack *p)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    if (!f)
        abort();
    graph_write(p, GRAPH_DOT, NULL, f);
    graph_write(p, GRAPH_MERMAID, NULL, f);
    if (p->nchapters)
        graph_write(p, GRAPH_DOT, p->chapters[0].id, f);
    explore_opts o = {.seed = 3, .runs = 4, .max_states = 64, .max_steps = 200};
    explore *e = explore_random(p, &o);
    explore_print(e, f);
    explore_print_json(e, f);
    explore_free(e);
    fclose(f);
    free(out);
}

/* Plays p with choices drawn from seed; checks the invariants along the
 * way, then that the game's save decodes into the same game. */
static void play(const pack *p, uint64_t seed)
{
    game *g = game_new(p);
    buf raw = BUF_INIT, shown = BUF_INIT;
    game_start(g, seed, NULL);
    uint64_t rng = seed;
    for (int step = 0; step < MAX_STEPS && !game_over(g); step++) {
        const pk_scene *sc = game_scene(g);
        check_bounds(p, game_state(g));
        render(&sc->text, game_state(g), &raw, &shown);
        const pk_choice *open[256];
        int nopen = 0;
        for (int i = 0; i < sc->nchoices; i++) {
            const pk_choice *c = sc->choices[i];
            if (!game_shown(g, c))
                continue;
            render(&c->text, game_state(g), &raw, &shown);
            if (game_enabled(g, c) && nopen < 256)
                open[nopen++] = c;
        }
        if (!nopen)
            break;
        const pk_choice *c = open[game_rng(&rng) % (uint64_t)nopen];
        if (game_choose(g, c) != GAME_OK) {
            fprintf(stderr, "fuzz oracle: an open choice was refused\n");
            abort();
        }
        buf_reset(&raw);
        game_reply(g, &raw);
        buf_reset(&shown);
        out_render(&shown, raw.data ? raw.data : "", raw.len, &(out_style){60, true, 0, 0});
        fz_check_terminal_safe(shown.data ? shown.data : "", shown.len, true, "reply");
    }
    check_bounds(p, game_state(g));
    ending(g, game_over(g) && (seed & 1));

    buf text = BUF_INIT;
    save_encode(g, 1700000000, &text);
    game *h = game_new(p);
    game_start(h, 99, NULL);
    save_result r;
    char err[256];
    if (save_decode(text.data, text.len, h, &r, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz oracle: a save does not decode: %s\n%s", err, text.data);
        abort();
    }
    if (r.diverged || r.other_version || r.replayed != game_steps(g) ||
        game_steps(h) != game_steps(g) || game_scene(h) != game_scene(g) ||
        memcmp(game_state(h), game_state(g), (size_t)p->state_size * sizeof(int32_t))) {
        fprintf(stderr, "fuzz oracle: a save does not round-trip (%s)\n%s", r.message, text.data);
        abort();
    }
    buf_free(&text);
    game_free(h);
    buf_free(&raw);
    buf_free(&shown);
    game_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *start[MAX_FILES];
    size_t len[MAX_FILES];
    char names[MAX_FILES][MAX_NAME + 1];
    size_t count = split((const char *)data, size, start, len, names);

    const char *nameptr[MAX_FILES], *files[MAX_FILES];
    for (size_t i = 0; i < count; i++) {
        nameptr[i] = names[i];
        files[i] = fz_copy(start[i], len[i]);
    }
    diags *d = diags_new();
    pack *p = pack_load_memory("", nameptr, files, len, count, d);
    if ((p != NULL) != (diag_errors(d) == 0)) {
        fprintf(stderr, "fuzz oracle: pack %s with %zu errors\n", p ? "returned" : "refused",
                diag_errors(d));
        abort();
    }
    check_diags(d);
    if (p) {
        if (!p->start || !p->id || strlen(pack_hash(p)) != 16) {
            fprintf(stderr, "fuzz oracle: a loaded pack lacks its start, id or hash\n");
            abort();
        }
        play(p, size);
        play(p, size * 7919 + 1);
        survey(p);
    }
    pack_free(p);
    diags_free(d);
    for (size_t i = 0; i < count; i++)
        free((void *)files[i]);
    return 0;
}
