/*
 * explore: automated play-testing of a pack. Random mode plays N seeded
 * playthroughs with every option drawn as the pack declares and counts
 * what was reached (scenes, choices, text variants, endings, styles,
 * outcomes), the spread of every dimension at the end, playthrough
 * lengths, and the stability of the model (the correlation between a
 * snapshot's value and the final value). Exhaustive mode visits every
 * reachable (scene, state) pair once, for every combination of option
 * values, merging identical states, so it proves what can and cannot be
 * reached, with the shortest choice sequence as a witness for each result.
 */
#ifndef IWM_EXPLORE_H
#define IWM_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pack_int.h"

typedef struct explore_opts {
    uint64_t seed;     /* random mode: the master seed */
    size_t runs;       /* random mode: playthroughs */
    size_t max_states; /* exhaustive mode: give up beyond this many states */
    size_t max_steps;  /* a playthrough longer than this counts as stuck in a loop */
    const int *options; /* per pack variable: a fixed option value, or -1 (NULL: none fixed) */
} explore_opts;

typedef struct explore explore;

/* Runs random playthroughs. Never returns NULL. */
explore *explore_random(const pack *p, const explore_opts *o);
/* Explores every reachable state. Never returns NULL; check
 * explore_complete for whether the state limit was hit. */
explore *explore_exhaustive(const pack *p, const explore_opts *o);
void explore_free(explore *e);

/* False when exhaustive exploration stopped at the state limit (its
 * "unreachable" verdicts are then not proofs). */
bool explore_complete(const explore *e);
/* How many playthroughs ended stuck (no choice available, or too long). */
size_t explore_stuck(const explore *e);

/* Human-readable report. */
void explore_print(const explore *e, FILE *f);
/* The documented JSON object (docs/story-format.md, "Testing a pack"). */
void explore_print_json(const explore *e, FILE *f);

/* Results, for expectations and tests. Counts are playthroughs (random) or
 * 1/0 reachability (exhaustive). */
size_t explore_style_count(const explore *e, int style); /* -1: no style */
size_t explore_outcome_count(const explore *e, int outcome);
size_t explore_ending_count(const explore *e, int scene);
size_t explore_runs(const explore *e);
size_t explore_states(const explore *e);
/* Pearson r between snapshot snap's value of variable var and its final
 * value; NAN when undefined (no variance). Random mode only. */
double explore_stability(const explore *e, int snap, int var);
/* The witness for a result: choice numbers as `iwm play --choices` takes
 * them, and the option values (per pack variable, -1 for non-options). */
const int *explore_witness(const explore *e, char kind, int index, size_t *len, const int **options);

/* Checks the pack's declared expectations (the `expect` key) against e,
 * running a further exploration of the same mode and size for each
 * expectation that fixes options with `set`. Prints one `ok`/`FAIL` line
 * per expectation to f (nothing when there are none). Share and stability
 * checks apply to random mode only and are reported as skipped in
 * exhaustive mode. Returns the number of failures. */
int explore_expectations(const pack *p, const explore *e, const explore_opts *o, FILE *f);

#endif
