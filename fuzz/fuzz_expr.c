/*
 * fuzz_expr: the condition language. A small pack (the names of both
 * story packs: dimensions, flags, counters without bounds, options and the
 * snapshots 'childhood' and 'dusk') is loaded once; each input is parsed
 * with expr_parse as a condition (and, when the first byte is odd, as a
 * number), resolving names against that pack the way resolve.c does.
 * Oracles, beyond "no crash, no leak, no undefined behaviour":
 *   - expr_parse returns a tree exactly when it reported no error, and it
 *     reports at most one error, at an offset inside the input;
 *   - the tree has the wanted type and is at most EXPR_MAX_DEPTH deep, and
 *     every node's depth field is right;
 *   - for states drawn inside the bounds: expr_eval lies inside the range
 *     expr_range computes (the analysis is conservative, as expr.h says),
 *     and expr_distance is 0 exactly when the condition already has the
 *     wanted value, and never negative.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "expr.h"
#include "fuzz_common.h"
#include "load_int.h"
#include "pack.h"
#include "pack_int.h"

static const char pack_yaml[] =
    "format: 1\nid: fuzz-expr\ntitle: Conditions\nversion: \"1\"\n"
    "state:\n"
    "  dimensions:\n"
    "    anxiety: {label: A, min: 0, max: 100, start: 50}\n"
    "    avoidance: {label: B, min: 0, max: 100, start: 50}\n"
    "    reflection: {label: C, min: 0, max: 100, start: 20}\n"
    "    worry: {label: D, min: 0, max: 100, start: 40}\n"
    "    trust: {label: E, min: -50, max: 50, start: 0}\n"
    "    wide: {label: F, min: -2147483647, max: 2147483647, start: 0}\n"
    "  flags:\n"
    "    lamp_lit: {label: G}\n"
    "    went_to_therapy: {label: H}\n"
    "    corrective_friend: {label: I, start: true}\n"
    "  counters:\n"
    "    stairs: {label: J, min: 0, max: 10}\n"
    "    lamps: {label: K}\n"
    "    debt: {label: L, min: -1000, max: -10}\n"
    "options:\n"
    "  weather: {label: M, values: [calm, storm], default: random}\n"
    "  caregiver: {label: N, values: [sensitive, inconsistent, rejecting], default: sensitive}\n"
    "  keeper: {label: O, values: [gran], default: gran}\n"
    "chapters:\n"
    "  - id: one\n"
    "    scenes:\n"
    "      - id: start\n"
    "        snapshot: childhood\n"
    "        text: \"{anxiety} {avoidance} {reflection} {worry} {trust} {wide} {lamp_lit}"
    " {went_to_therapy} {corrective_friend} {stairs} {lamps} {debt} {weather} {caregiver}"
    " {keeper}\"\n"
    "        choices:\n"
    "          - {id: go, text: Go., goto: middle}\n"
    "      - id: middle\n"
    "        snapshot: dusk\n"
    "        text: \"{childhood.anxiety} {dusk.worry}\"\n"
    "        choices:\n"
    "          - {id: go, text: Go., goto: end}\n"
    "      - id: end\n"
    "        text: The end.\n"
    "        ending: {title: End}\n";

static pack *P;
static const char **all_names; /* variables and snapshots, for hints */
static size_t nall;
static int32_t *lo, *hi;       /* per slot bounds */

typedef struct report {
    int count;
    diag_code code;
    size_t off;
} report;

static int find_var(const char *s, size_t n)
{
    for (int i = 0; i < P->nvars; i++)
        if (strlen(P->vars[i].name) == n && !memcmp(P->vars[i].name, s, n))
            return i;
    return -1;
}

static int find_snap(const char *s, size_t n)
{
    for (int i = 0; i < P->nsnapshots; i++)
        if (strlen(P->snapshots[i]) == n && !memcmp(P->snapshots[i], s, n))
            return i;
    return -1;
}

static bool resolve(void *ctx, const char *name, size_t n, expr_name *out)
{
    (void)ctx;
    const char *dot = memchr(name, '.', n);
    int var, slot;
    out->hint = NULL;
    if (!dot) {
        var = slot = find_var(name, n);
        if (var < 0) {
            out->hint = load_suggest(name, n, all_names, nall);
            return false;
        }
    } else {
        int s = find_snap(name, (size_t)(dot - name));
        var = find_var(dot + 1, n - (size_t)(dot - name) - 1);
        if (s < 0 || var < 0)
            return false;
        slot = P->snap_base + s * P->nvars + var;
    }
    const pk_var *v = &P->vars[var];
    out->slot = slot;
    out->var = var;
    out->type = v->kind == V_FLAG ? T_BOOL : v->kind == V_OPTION ? T_OPT : T_NUM;
    out->lo = v->min;
    out->hi = v->max;
    return true;
}

static int option_value(void *ctx, int var, const char *s, size_t n, const char **hint)
{
    (void)ctx;
    const pk_var *v = &P->vars[var];
    if (v->kind != V_OPTION) {
        fprintf(stderr, "fuzz oracle: option_value asked of '%s', not an option\n", v->name);
        abort();
    }
    for (int i = 0; i < v->nvalues; i++)
        if (strlen(v->values[i]) == n && !memcmp(v->values[i], s, n))
            return i;
    *hint = load_suggest(s, n, v->values, (size_t)v->nvalues);
    return -1;
}

static void on_error(void *ctx, diag_code code, size_t off, const char *msg)
{
    report *r = ctx;
    r->count++;
    r->code = code;
    r->off = off;
    if (!msg || !*msg) {
        fprintf(stderr, "fuzz oracle: an error without a message\n");
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *names[] = {"pack.yaml"}, *files[] = {pack_yaml};
    size_t lens[] = {sizeof pack_yaml - 1};
    diags *d = diags_new();
    P = pack_load_memory("", names, files, lens, 1, d);
    if (!P) {
        diag_print(d, stderr, false);
        abort();
    }
    diags_free(d);
    nall = (size_t)(P->nvars + P->nsnapshots);
    all_names = calloc(nall, sizeof *all_names);
    lo = calloc((size_t)P->state_size, sizeof *lo);
    hi = calloc((size_t)P->state_size, sizeof *hi);
    if (!all_names || !lo || !hi)
        abort();
    for (int i = 0; i < P->nvars; i++)
        all_names[i] = P->vars[i].name;
    for (int i = 0; i < P->nsnapshots; i++)
        all_names[P->nvars + i] = P->snapshots[i];
    for (int s = 0; s < P->state_size; s++) {
        int v = s < P->snap_base ? s : s < P->once_base ? (s - P->snap_base) % P->nvars : -1;
        lo[s] = v < 0 ? 0 : P->vars[v].kind == V_FLAG ? 0 : P->vars[v].kind == V_OPTION ? 0 : P->vars[v].min;
        hi[s] = v < 0 ? 1
                : P->vars[v].kind == V_FLAG   ? 1
                : P->vars[v].kind == V_OPTION ? P->vars[v].nvalues - 1
                                              : P->vars[v].max;
    }
    return 0;
}

static int depth_of(const expr *e)
{
    if (!e)
        return 0;
    int a = depth_of(e->a), b = depth_of(e->b);
    return 1 + (a > b ? a : b);
}

/* A state inside the bounds: the corners first, then pseudo-random. */
static void draw(int32_t *st, uint64_t *rng, int round)
{
    for (int s = 0; s < P->state_size; s++) {
        uint64_t z = (*rng += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        uint64_t span = (uint64_t)((int64_t)hi[s] - lo[s]) + 1;
        st[s] = round == 0   ? lo[s]
                : round == 1 ? hi[s]
                : round == 2 ? (int32_t)(lo[s] + (int64_t)(span / 2))
                             : (int32_t)(lo[s] + (int64_t)(z % span));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    expr_type want = T_BOOL;
    if (size && (data[0] & 0x80)) { /* a rare number-typed parse */
        want = T_NUM;
        data++, size--;
    }
    char *src = fz_copy(data, size);
    arena *a = arena_new();
    report r = {0};
    expr_env env = {.ctx = &r, .resolve = resolve, .option_value = option_value, .error = on_error};
    const expr *e = expr_parse(a, src, size, &env, want);
    if (e ? r.count != 0 : r.count != 1) {
        fprintf(stderr, "fuzz oracle: tree %p with %d errors reported\n", (const void *)e, r.count);
        abort();
    }
    if (!e && r.off > size) {
        fprintf(stderr, "fuzz oracle: error offset %zu past the end (%zu)\n", r.off, size);
        abort();
    }
    if (e) {
        int d = depth_of(e);
        if (e->type != want || d > EXPR_MAX_DEPTH || d != e->depth) {
            fprintf(stderr, "fuzz oracle: type %d (want %d), depth %d (field %d)\n", e->type, want,
                    d, e->depth);
            abort();
        }
        int64_t rlo, rhi;
        expr_range(e, lo, hi, &rlo, &rhi);
        if (rlo > rhi) {
            fprintf(stderr, "fuzz oracle: empty range [%lld, %lld]\n", (long long)rlo,
                    (long long)rhi);
            abort();
        }
        int32_t st[256];
        if (P->state_size > 256)
            abort();
        uint64_t rng = size;
        for (int round = 0; round < 8; round++) {
            draw(st, &rng, round);
            int32_t v = expr_eval(e, st);
            if (v < rlo || v > rhi) {
                fprintf(stderr, "fuzz oracle: value %d outside the range [%lld, %lld]\n", (int)v,
                        (long long)rlo, (long long)rhi);
                abort();
            }
            if (want == T_BOOL) {
                for (int w = 0; w < 2; w++) {
                    int64_t dist = expr_distance(e, st, w);
                    if (dist < 0 || (dist == 0) != ((v != 0) == w)) {
                        fprintf(stderr, "fuzz oracle: distance %lld to %d, value %d\n",
                                (long long)dist, w, (int)v);
                        abort();
                    }
                }
            }
        }
    }
    arena_free(a);
    free(src);
    return 0;
}
