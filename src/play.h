/*
 * play: the play loop. It reads a line, maps it to a choice or to a command
 * of the command table, and tells the story through out.c. Input comes
 * from GNU readline on a terminal (line editing, history kept across games,
 * completion of commands and slot names, Ctrl-C clearing the line) and
 * from plain lines otherwise, because readline would echo a piped
 * transcript twice; piped play is therefore byte-for-byte reproducible.
 * The game autosaves after every choice, so a killed process loses at most
 * the choice being made.
 */
#ifndef IWM_PLAY_H
#define IWM_PLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pack.h"

typedef struct play_opts {
    uint64_t seed;
    const int *options;    /* per pack variable, -1 for the default; may be NULL */
    const char *choices;   /* "1,2,1": inputs taken before reading stdin; may be NULL */
    int width;             /* 0: the terminal's width (at most 100), or 80 */
    bool plain;            /* no styling, no prompts for content notes */
    bool reveal;           /* show the hidden state after each choice (instructors) */
    bool resume;           /* --continue: resume the autosave if there is one */
    const char *load_slot; /* --load SLOT, or NULL */
    const char *transcript; /* --transcript FILE, or NULL */
    uint32_t skip_notes;   /* content notes (bit i: note i) to skip */
    bool autosave;         /* write the autosave after every choice */
    const char *report;    /* --report FILE: written at the ending, or NULL */
    const char *name;      /* --name: the only personal data a report carries, or NULL */
} play_opts;

/* Plays p. Returns the process exit status: 0 when the game ended or the
 * player quit (Ctrl-D and end of input save first), 1 when a save named
 * with --load cannot be used or output fails. */
int play_run(const pack *p, const play_opts *o, FILE *in, FILE *out);

/* Resolves "name=value" against p's options into options[] (one entry per
 * pack variable). Returns NULL on success, or a message (static storage). */
const char *play_set_option(const pack *p, int *options, const char *assignment);
/* Sets the bit of content note name in *mask; returns false when p has no
 * such note. */
bool play_skip_note(const pack *p, uint32_t *mask, const char *name);
/* The number of pack variables (the length options[] must have). */
int play_nvars(const pack *p);

#endif
