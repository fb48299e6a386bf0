/*
 * fuzz_save: reading a save (save_decode) against a fixed small pack:
 * options, a once-only choice, a disabled choice, a snapshot and a loop,
 * so that a replay can go far and diverge in every way save.c describes.
 * The first input byte picks the mode: even, the rest of the input is the
 * save as it is; odd, the harness replaces the last line with a correct
 * checksum line first, so that the fuzzer gets past the checksum (which it
 * cannot forge) into the lines and the replay.
 * Oracles, beyond "no crash, no leak, no undefined behaviour":
 *   - on failure, the game is exactly as it was before the call (save.h),
 *     and the reason is one non-empty, terminal-safe line;
 *   - on success, replayed <= steps, the game took exactly the replayed
 *     steps, the message is terminal-safe, and the game saved again loads
 *     back into the same game without diverging.
 * IWM_FUZZ_SAVE_SEEDS=DIR writes real saves of random playthroughs of the
 * pack into DIR (the seed corpus) and exits.
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
#include "pack.h"
#include "pack_int.h"
#include "save.h"

static const char pack_yaml[] =
    "format: 1\nid: savefuzz\ntitle: Saves\nversion: \"1.0\"\n"
    "state:\n"
    "  dimensions:\n"
    "    worry: {label: Worry, min: 0, max: 100, start: 10}\n"
    "  flags:\n"
    "    keys: {label: Keys}\n"
    "  counters:\n"
    "    laps: {label: Laps, min: 0, max: 1000}\n"
    "options:\n"
    "  mood: {label: Mood, values: [calm, storm], default: calm}\n"
    "  keeper: {label: Keeper, values: [gran, grandad, aunt], default: random}\n"
    "start: hall\n"
    "chapters:\n"
    "  - id: one\n"
    "    scenes:\n"
    "      - id: hall\n"
    "        snapshot: early\n"
    "        text: The hall.\n"
    "        choices:\n"
    "          - {id: keys, text: Take the keys., once: true, effects: {keys: true}, goto: hall}\n"
    "          - {id: yard, text: Go out., effects: {worry: +5}, goto: yard}\n"
    "          - id: wait\n"
    "            text: Wait.\n"
    "            if: mood == \"storm\"\n"
    "            effects: {worry: \"%+10\"}\n"
    "            goto: hall\n"
    "      - id: yard\n"
    "        text: The yard.\n"
    "        choices:\n"
    "          - {id: back, text: Back in., effects: {laps: +1}, goto: hall}\n"
    "          - id: gate\n"
    "            text: The gate.\n"
    "            enabled_if: keys\n"
    "            goto:\n"
    "              - {when: keeper == \"aunt\", scene: lane}\n"
    "              - scene: gate\n"
    "      - id: lane\n"
    "        text: The lane.\n"
    "        choices:\n"
    "          - {id: gate, text: On., goto: gate}\n"
    "      - id: gate\n"
    "        text: The gate.\n"
    "        ending: {title: Out}\n";

static pack *P;

static pack *load(void)
{
    const char *names[] = {"pack.yaml"}, *files[] = {pack_yaml};
    size_t lens[] = {sizeof pack_yaml - 1};
    diags *d = diags_new();
    pack *p = pack_load_memory("", names, files, lens, 1, d);
    if (!p) {
        diag_print(d, stderr, false);
        abort();
    }
    diags_free(d);
    return p;
}

/* Takes up to n random open choices. */
static void wander(game *g, uint64_t *rng, int n)
{
    for (int i = 0; i < n && !game_over(g); i++) {
        const pk_scene *sc = game_scene(g);
        const pk_choice *open[16];
        int k = 0;
        for (int j = 0; j < sc->nchoices && k < 16; j++)
            if (game_shown(g, sc->choices[j]) && game_enabled(g, sc->choices[j]))
                open[k++] = sc->choices[j];
        if (!k)
            return;
        game_choose(g, open[game_rng(rng) % (uint64_t)k]);
    }
}

static void write_seeds(const char *dir)
{
    for (uint64_t i = 0; i < 24; i++) {
        game *g = game_new(P);
        uint64_t rng = i * 31 + 7;
        game_start(g, i * 1000003, NULL);
        wander(g, &rng, (int)(i * 3 % 40));
        buf b = BUF_INIT;
        buf_putc(&b, (char)(i % 2 ? 0 : 1)); /* mode byte: both modes */
        save_encode(g, (time_t)(1700000000 + i * 86400), &b);
        char path[4096];
        snprintf(path, sizeof path, "%s/save-%02u", dir, (unsigned)i);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f)) {
            perror(path);
            exit(1);
        }
        buf_free(&b);
        game_free(g);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    P = load();
    const char *dir = getenv("IWM_FUZZ_SAVE_SEEDS");
    if (dir) {
        write_seeds(dir);
        exit(0);
    }
    return 0;
}

/* The input with its last line replaced by the right checksum line. */
static char *with_checksum(const char *s, size_t n, size_t *outlen)
{
    size_t body = n;
    if (body && s[body - 1] == '\n')
        body--;
    while (body && s[body - 1] != '\n')
        body--;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < body; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    char line[40];
    int k = snprintf(line, sizeof line, "checksum %016llx\n", (unsigned long long)h);
    char *d = malloc(body + (size_t)k);
    if (!d)
        abort();
    memcpy(d, s, body);
    memcpy(d + body, line, (size_t)k);
    *outlen = body + (size_t)k;
    return d;
}

static void check_line(const char *what, const char *s, bool may_be_empty)
{
    size_t n = strlen(s);
    if (!n && !may_be_empty) {
        fprintf(stderr, "fuzz oracle: empty %s\n", what);
        abort();
    }
    if (memchr(s, '\n', n)) {
        fprintf(stderr, "fuzz oracle: %s spans lines\n", what);
        abort();
    }
    fz_check_terminal_safe(s, n, false, what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    bool fix = data[0] & 1;
    size_t n = size - 1;
    char *text = fix ? with_checksum((const char *)data + 1, n, &n) : fz_copy(data + 1, n);

    /* The game before the call: started and a few steps in. */
    game *g = game_new(P);
    uint64_t rng = size;
    game_start(g, 5, NULL);
    wander(g, &rng, 3);
    size_t steps0 = game_steps(g);
    const pk_scene *scene0 = game_scene(g);
    uint64_t seed0 = game_seed(g);
    int32_t state0[64];
    if (P->state_size > 64)
        abort();
    memcpy(state0, game_state(g), (size_t)P->state_size * sizeof(int32_t));

    save_result r;
    memset(&r, 0x5a, sizeof r); /* garbage: decode must fill what it reports */
    char err[256] = "";
    int rc = save_decode(text, n, g, &r, err, sizeof err);
    if (rc != 0) {
        if (rc != -1 || game_steps(g) != steps0 || game_scene(g) != scene0 ||
            game_seed(g) != seed0 ||
            memcmp(game_state(g), state0, (size_t)P->state_size * sizeof(int32_t))) {
            fprintf(stderr, "fuzz oracle: a failed decode (%d: %s) changed the game\n", rc, err);
            abort();
        }
        check_line("the reason", err, false);
    } else {
        if (r.replayed > r.steps || game_steps(g) != r.replayed || r.diverged != (r.replayed < r.steps)) {
            fprintf(stderr, "fuzz oracle: replayed %zu of %zu, game at %zu, diverged %d\n",
                    r.replayed, r.steps, game_steps(g), r.diverged);
            abort();
        }
        check_line("the message", r.message, !r.diverged);
        /* Saved again, the game loads back unchanged. */
        buf b = BUF_INIT;
        save_encode(g, 0, &b);
        game *h = game_new(P);
        game_start(h, 1, NULL);
        save_result r2;
        char err2[256];
        if (save_decode(b.data, b.len, h, &r2, err2, sizeof err2) != 0 || r2.diverged ||
            game_steps(h) != game_steps(g) || game_scene(h) != game_scene(g) ||
            memcmp(game_state(h), game_state(g), (size_t)P->state_size * sizeof(int32_t))) {
            fprintf(stderr, "fuzz oracle: the re-saved game does not load back\n%s", b.data);
            abort();
        }
        game_free(h);
        buf_free(&b);
    }
    game_free(g);
    free(text);
    return 0;
}
