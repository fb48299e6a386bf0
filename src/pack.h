/*
 * pack: a loaded story pack. pack_load reads a pack (a directory with
 * pack.yaml, or one YAML file) or the embedded default story, checks it
 * completely, and returns a read-only model that lives in one arena and is
 * released by pack_free. Loading and `iwm check` are the same code: every
 * problem goes to a diags collection, and a pack with errors is never
 * returned, so the runtime can assert instead of re-checking.
 */
#ifndef IWM_PACK_H
#define IWM_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef struct pack pack;

/* Hard limits that keep hostile packs cheap to refuse. */
enum {
    PACK_MAX_FILE = 16 * 1024 * 1024,
    PACK_MAX_TOTAL = 64 * 1024 * 1024,
    PACK_MAX_DEPTH = 64,
    PACK_MAX_SCENES = 100000,
    PACK_MAX_VARS = 4096,
    PACK_MAX_FILES = 256,
};

/* Loads the pack at path (a directory holding pack.yaml, or a YAML file).
 * Reports every problem to d (which must not be NULL). Returns NULL when
 * there is any error; warnings alone still return the pack. */
pack *pack_load(const char *path, diags *d);

/* Loads the default story compiled into the program. */
pack *pack_load_embedded(diags *d);

/* Loads a pack from memory: files[i] named names[i] (names[0] is the
 * root, e.g. "pack.yaml"; includes are looked up among names). Used for
 * the embedded story, fuzzing and tests. display is the prefix printed in
 * diagnostics ("" for none). */
pack *pack_load_memory(const char *display, const char *const *names, const char *const *files,
                       const size_t *lens, size_t count, diags *d);

/* Frees the pack and everything it owns; p may be NULL. */
void pack_free(pack *p);

const char *pack_id(const pack *p);
const char *pack_title(const pack *p);
const char *pack_version(const pack *p);
/* A 64-bit FNV-1a hash of every file's name and bytes, as hex: saves use
 * it to notice that a pack changed. */
const char *pack_hash(const pack *p);

/* What the pack's `expect` key asks of iwm explore: the number of random
 * playthroughs (0 when not given) and the seed (false when not given). */
size_t pack_expect_runs(const pack *p);
bool pack_expect_seed(const pack *p, uint64_t *seed);

#endif
