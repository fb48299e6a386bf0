/*
 * reveal: what the ending teaches. From a finished (or saved) game it
 * computes where the character stands on the pack's two reveal axes, the
 * nearest prototype, how that changed since the snapshot (childhood, in
 * the default story), the choices that moved each axis most, a sparkline
 * of every dimension, and the nearest alternative path: for an insecure
 * ending, the fewest changed choices that would have reached the pack's
 * goal outcome (earned security); for a secure one, the fewest that would
 * have left the secure style. Everything is driven by the pack's `reveal`
 * key, styles and outcomes; nothing here knows about attachment.
 * The text rendering is the terminal reveal; report.c writes the same data
 * as Markdown, JSON, HTML and CSV.
 */
#ifndef IWM_REVEAL_H
#define IWM_REVEAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "game.h"

enum { REVEAL_MOMENTS = 5, REVEAL_MAX_CHANGES = 16 };

typedef struct reveal_moment {
    size_t step;       /* index into the game's log */
    int32_t delta;     /* change on the axis, from the choice and the next scene's response */
} reveal_moment;

typedef struct reveal_change {
    const pk_scene *scene;
    const pk_choice *was; /* NULL: a scene the player never reached */
    const pk_choice *instead;
} reveal_change;

typedef struct reveal {
    const pack *p;
    const game *g;
    bool ok;               /* the pack has a reveal key */
    int32_t x, y;          /* final position */
    bool has_start;        /* a snapshot to compare with was taken */
    int snap_chapter;      /* the chapter that had just ended when it was taken, or -1 */
    int32_t sx, sy;        /* the snapshot's position */
    int style, start_style; /* style index at the end / at the snapshot, or -1 */
    int nearest;           /* prototype index, or -1 */
    double nearest_dist;
    bool between;          /* within `between` of a cut-off line */
    /* the position at the end of each chapter played, in order */
    int nchapters;
    int chapter[64];
    int32_t cx[64], cy[64];
    /* the moments that moved each axis most */
    reveal_moment mx[REVEAL_MOMENTS], my[REVEAL_MOMENTS];
    int nmx, nmy;
    /* the nearest alternative path */
    bool searched, found;
    bool toward_goal;      /* true: to the goal outcome; false: away from the secure style */
    reveal_change change[REVEAL_MAX_CHANGES];
    int nchanges;
    const pk_scene *alt_ending;
    int alt_style;
    double search_ms;
} reveal;

/* Computes the reveal of game g (which should be at an ending; a game in
 * progress gives a reveal of the position so far, without a path search).
 * search = false skips the path search. */
void reveal_compute(reveal *r, const game *g, bool search);

typedef struct reveal_style {
    int width;
    bool unicode; /* box and block characters; false: ASCII (--plain) */
    bool styled;
} reveal_style;

/* Appends the terminal reveal to out, ready to print: prose wrapped and
 * sanitised by out_render, the map and sparklines as fixed lines. */
void reveal_render(const reveal *r, const reveal_style *st, buf *out);

/* The text map alone, lines joined with '\n' (for tests and reports). */
void reveal_map(const reveal *r, bool unicode, buf *out);
/* A sparkline of variable var over the game, at most width cells. */
void reveal_sparkline(const reveal *r, int var, int width, bool unicode, buf *out);

#endif
