/*
 * load_int.h: the loader's state, shared by the files that make up loading
 * (load.c reads files and events, parse.c builds the model from events,
 * resolve.c turns names into slots and compiles conditions and texts,
 * validate.c checks the whole pack). Nothing outside loading includes it.
 */
#ifndef IWM_LOAD_INT_H
#define IWM_LOAD_INT_H

#include <limits.h>
#include <yaml.h>

#include "pack_int.h"

#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }
#define VEC_PUSH(vec, item)                                                                        \
    do {                                                                                           \
        if ((vec).n == (vec).cap) {                                                                \
            (vec).cap = (vec).cap ? (vec).cap * 2 : 16;                                            \
            (vec).v = xrealloc((vec).v, (vec).cap * sizeof *(vec).v);                              \
        }                                                                                          \
        (vec).v[(vec).n++] = (item);                                                               \
    } while (0)

/* A set of interned names (compared by pointer), hashed: a mapping keyed
 * by names may hold thousands of keys (a hostile pack declares 4,096), and
 * comparing each new key with every earlier one was quadratic. Zeroed is
 * empty; free(set.v) frees it. */
typedef struct name_set {
    const char **v; /* the open-addressing table, cap slots */
    size_t n, cap;
} name_set;

/* Adds name (not NULL); false when it was already in the set. */
bool name_set_add(name_set *s, const char *name);

/* Where a scalar was in its file, so that an offset inside its value can be
 * mapped back to a line and column (see load_locate). */
typedef struct srcref {
    diag_file *f;
    int line, col;         /* start mark, 1-based */
    int end_line, end_col; /* end mark, 1-based */
    int style;             /* yaml_scalar_style_t */
} srcref;

typedef struct include_ref {
    const char *path;
    srcref ref;
} include_ref;

/* Work left for the resolve pass. */
typedef struct pending_expr {
    const expr **dst;
    const char *src;
    size_t len;
    srcref ref;
} pending_expr;

typedef struct pending_text {
    const text **dst;
    const char *src;
    size_t len;
    srcref ref;
} pending_text;

typedef struct pending_effect {
    pk_effect *e;
    const char *name; /* interned */
    srcref name_ref;
    const char *val;
    size_t vlen;
    srcref val_ref;
} pending_effect;

typedef struct pending_goto {
    pk_goto *g;
    const char *id; /* interned */
    srcref ref;
} pending_goto;

typedef struct pending_note {
    pk_scene *s;
    const char *name; /* interned */
    srcref ref;
} pending_note;

typedef struct pending_expect {
    pk_expect *x;
    const char *name; /* the style, outcome, ending or snapshot.dimension */
    srcref ref;
    const char **set_names, **set_values; /* option=value pairs */
    srcref *set_refs;      /* where each value is */
    srcref *set_name_refs; /* where each option name is */
    int nset;
} pending_expect;

/* The reveal key's names, resolved after everything is read. */
typedef struct pending_reveal {
    const char *x, *y, *snapshot, *goal, *secure_style;
    srcref x_ref, y_ref, snapshot_ref, goal_ref, secure_ref, where;
    VEC(const char *) protos;
    VEC(srcref) proto_refs;
    VEC(int32_t) px;
    VEC(int32_t) py;
} pending_reveal;

typedef struct loader loader;

struct loader {
    pack *p;
    arena *a;   /* the pack's arena: names, narration, metadata */
    arena *hot; /* what a playthrough touches on every step (see pack_int.h) */
    diags *d;
    const char *display;      /* prefix of file names in diagnostics */
    const char *root_display; /* the root file as named in diagnostics */

    /* files */
    diag_file *(*read)(loader *L, const char *rel, const srcref *ref);
    const char *root_dir;
    char root_real[PATH_MAX];
    const char *const *mem_names;
    const char *const *mem_files;
    const size_t *mem_lens;
    size_t mem_count;
    diag_file files[PACK_MAX_FILES];
    bool owned[PACK_MAX_FILES];
    const char *rel[PACK_MAX_FILES]; /* disk files: the path to read them again */
    int nfiles;
    size_t total;

    /* events */
    yaml_parser_t yp;
    yaml_event_t ev;
    bool have, stop;
    int depth;
    diag_file *cur;

    /* the model under construction */
    VEC(include_ref) includes;
    VEC(pk_var) vars;
    name_set var_names; /* the names in vars, for the duplicate check */
    VEC(pk_note) notes;
    VEC(pk_region *) styles;
    VEC(pk_region *) outcomes;
    VEC(pk_chapter) chapters;
    VEC(pk_scene *) scenes;
    VEC(pk_choice *) choices;
    VEC(const char *) snapshots;
    VEC(srcref) snapshot_refs;
    VEC(const char *) authors;
    VEC(pending_expr) exprs;
    VEC(pending_text) texts;
    VEC(pending_effect) effects;
    VEC(pending_goto) gotos;
    VEC(pending_note) scene_notes;
    VEC(pending_expect) expects;
    pending_reveal reveal;
    const char *start_id;
    srcref start_ref;
    bool saw_format, saw_id, saw_title, saw_version;
    srcref root_ref; /* the root mapping, for missing keys */
};

/* load.c */
yaml_event_type_t ev_peek(loader *L);
void ev_next(loader *L);
void ev_skip(loader *L);
/* Stops reading the current file (after a fatal error): drops the held
 * event, so every loop over events ends. Returns YAML_NO_EVENT. */
yaml_event_type_t ev_halt(loader *L);
/* Reports at ref, or without a location when ref is NULL. */
void loc_report(loader *L, diag_code code, const srcref *ref, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ev_report(loader *L, diag_code code, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reports at byte offset off inside the scalar value val described by ref. */
void load_report_in(loader *L, diag_code code, const srcref *ref, const char *val, size_t off,
                    const char *msg);

/* parse.c */
void parse_root(loader *L);
void parse_include(loader *L);

/* resolve.c */
void load_resolve(loader *L);
/* The closest of the names (count of them) to s within a small edit
 * distance, or NULL. */
const char *load_suggest(const char *s, size_t n, const char *const *names, size_t count);

/* validate.c */
void load_validate(loader *L);

/* load.c: reads a parsed disk file's text again (it is released after
 * parsing) so that a diagnostic can quote it; no-op when it is there. */
void load_text(loader *L, diag_file *f);

/* load.c: the srcref of a model location (its file is still loaded). */
srcref load_ref(loader *L, pk_loc loc);

/* load.c: frees the loader's vectors (not the pack). */
void load_cleanup(loader *L);

#endif
