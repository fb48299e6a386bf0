/*
 * pack_int.h: the model of a loaded pack, shared by the engine modules that
 * read it (load, validate, game, explore, graph, report). Everything here
 * is built by load.c in the pack's arena and never changes afterwards; the
 * invariants listed below are established by load.c and validate.c, and
 * the runtime relies on them without checking.
 *
 * The game state is a flat array of int32 slots (state_size of them):
 *   [0, nvars)                   the variables (dimensions, flags,
 *                                counters, options: the value's index)
 *   [snap_base + k*nvars, ...)   snapshot k: a copy of the variables
 *   [once_base, once_base+nonce) 1 when the once-only choice was taken
 * A flat array makes a state cheap to copy (undo), hash and compare
 * (exploration merges identical states) and to save.
 */
#ifndef IWM_PACK_INT_H
#define IWM_PACK_INT_H

#include "arena.h"
#include "expr.h"
#include "intern.h"
#include "pack.h"
#include "text.h"

typedef enum pk_var_kind { V_DIM, V_FLAG, V_COUNTER, V_OPTION } pk_var_kind;

/* Where something was declared, for diagnostics and `never_reached`. */
typedef struct pk_loc {
    const char *file;
    int line, col;
} pk_loc;

typedef struct pk_var {
    const char *name; /* interned */
    const char *label;
    pk_var_kind kind;
    int32_t min, max, start; /* flags: 0..1; options: 0..nvalues-1, start unused */
    const char **values;     /* options: value names (interned) */
    int nvalues;
    int deflt; /* options: the default value's index, or -1 for random */
    bool used;
    pk_loc loc;
} pk_var;

/* One text field: variants tried in order; when == NULL always holds. */
/* Lists are linked: the loader allocates every object in place in the
 * arena as the YAML streams past, so nothing moves after it is built and
 * the resolution pass can fill fields through pointers. */
typedef struct pk_variant {
    const expr *when;
    const text *text;
    int index; /* global index over all scene text variants (coverage) */
    struct pk_variant *next;
} pk_variant;

typedef struct pk_text {
    pk_variant *first; /* NULL: no text */
    int n;
} pk_text;

typedef enum pk_effect_kind { E_ADD, E_FAIR, E_SET } pk_effect_kind;

typedef struct pk_effect {
    uint8_t kind;  /* pk_effect_kind */
    int32_t slot;  /* the variable's slot (== its index) */
    int32_t value; /* E_ADD: signed amount; E_FAIR: signed percent; E_SET */
    struct pk_effect *next;
} pk_effect;

typedef struct pk_effect_block {
    const expr *when; /* NULL: always */
    pk_effect *first;
    struct pk_effect_block *next;
} pk_effect_block;

typedef struct pk_effects {
    pk_effect_block *first; /* NULL: no effects */
} pk_effects;

struct pk_scene;

typedef struct pk_goto {
    const expr *when; /* NULL: the fallback, always last */
    struct pk_scene *scene;
    struct pk_goto *next;
} pk_goto;

typedef struct pk_choice {
    const char *id; /* interned, unique in its scene */
    pk_text text;
    const expr *shown_if;   /* NULL: always shown */
    const expr *enabled_if; /* NULL: always enabled */
    const char *disabled_text;
    int once_slot; /* state slot of the once flag, or -1 when sticky */
    pk_effects effects;
    pk_text reply;
    pk_goto *go; /* >= 1 entry; the last has when == NULL */
    struct pk_scene *scene;
    int index; /* global index over all choices of the pack */
    pk_loc loc;
} pk_choice;

typedef struct pk_chapter {
    const char *id, *title;
    int first, count; /* scenes [first, first+count) */
    pk_loc loc;
} pk_chapter;

typedef struct pk_scene {
    const char *id; /* interned, unique in the pack */
    const char *title; /* may be NULL */
    int chapter;
    pk_text text;
    pk_effects on_enter;
    int snapshot; /* index of the snapshot taken on entry, or -1 */
    uint32_t notes; /* bit i: content note i applies */
    const char *summary;
    pk_choice **choices;
    int nchoices; /* 0 exactly when ending */
    bool ending;
    const char *ending_title;
    int index;
    pk_loc loc;
} pk_scene;

typedef struct pk_region { /* a style or an outcome */
    const char *name, *label, *description;
    const expr *when;
    pk_loc loc;
} pk_region;

/* An expectation the pack declares about itself, checked by iwm explore. */
typedef enum pk_expect_kind { EX_STYLE, EX_OUTCOME, EX_ENDING, EX_STABILITY } pk_expect_kind;

typedef struct pk_expect {
    pk_expect_kind kind;
    int index;          /* style, outcome or scene index; stability: the variable */
    int snapshot;       /* stability: the snapshot */
    bool has_min, has_max, reachable;
    double min, max;    /* a share (0-1) of random playthroughs, or r */
    int *options;       /* per variable: an option value fixed for this check, or -1; NULL: none */
    const char *text;   /* the check as written, for the report */
    pk_loc loc;
} pk_expect;

/* How the ending shows the hidden model (the `reveal` key): two dimensions
 * as the axes of a map, a snapshot to compare the end with, prototype
 * points for "nearest", and what the path search looks for. */
typedef struct pk_reveal {
    bool present;
    int x, y;         /* variables drawn on the horizontal and vertical axes */
    int snapshot;     /* -1: none */
    int32_t mid_x, mid_y; /* the cut-off lines drawn on the map */
    int32_t between;  /* within this distance of a cut-off: "between prototypes" */
    int *proto_style; /* per prototype: the style it stands for */
    int32_t *proto_x, *proto_y;
    int nproto;
    int goal;         /* outcome searched for from an insecure ending, or -1 */
    int secure_style; /* the style that counts as secure, or -1 */
    const char **debrief; /* questions for reports (an instructor's debrief) */
    int ndebrief;
    const char **references; /* sources, as printed in reports */
    int nreferences;
} pk_reveal;

typedef struct pk_note {
    const char *name, *label, *text;
} pk_note;

struct pack {
    arena *arena;
    /* Scenes, choices, effects, gotos, text variants and condition trees:
     * what a playthrough reads on every step, kept in an arena of their
     * own so they sit together in memory instead of between narration
     * copies (a 10,000-scene pack otherwise misses the cache ~8 times a
     * choice). Freed with the pack. */
    arena *hot;
    intern *names;
    const char *id, *title, *version, *language, *license, *description;
    const char **authors;
    int nauthors;
    char hash[17];

    pk_var *vars;
    int nvars;
    const char **snapshots; /* names, interned */
    int nsnapshots;
    int snap_base, once_base, nonce, state_size;
    int32_t *lo, *hi; /* per slot bounds, for range analysis */

    pk_note *notes;
    int nnotes; /* <= 32 */
    pk_region **styles, **outcomes;
    int nstyles, noutcomes;
    pk_chapter *chapters;
    int nchapters;
    pk_scene **scenes; /* in file order; scenes[i]->index == i */
    int nscenes;
    pk_choice **choices; /* all choices, by pk_choice.index */
    int nchoices;
    int nvariants; /* text variants of all scenes, for coverage */
    pk_scene *start;
    pk_expect *expects;
    int nexpects;
    pk_reveal reveal;
    size_t expect_runs; /* 0: not given */
    uint64_t expect_seed;
    bool expect_seed_given;
};

/* Index of the first style whose condition holds in st, or -1. */
int pack_style(const pack *p, const int32_t *st);
/* Whether outcome i holds in st. */
bool pack_outcome(const pack *p, int i, const int32_t *st);
/* The scene with id s, or NULL. */
pk_scene *pack_scene(const pack *p, const char *id);
/* Index of the variant of t that holds in st, or -1 when none does. */
int pack_variant(const pk_text *t, const int32_t *st);
/* Renders t as it reads in st (nothing when no variant holds). */
void pack_render(const pk_text *t, const int32_t *st, buf *out);
/* Applies effects to st in place, clamping to each variable's bounds. */
void pack_apply(const pack *p, const pk_effects *fx, int32_t *st);
/* Entering scene s: its on_enter effects, then its snapshot, in place. */
void pack_enter(const pack *p, const pk_scene *s, int32_t *st);
/* The scene a choice leads to from state st (after its effects). */
pk_scene *pack_goto(const pk_choice *c, const int32_t *st);

#endif
