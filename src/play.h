/*
 * play: the play loop. It reads a line, maps it to a choice or a command
 * from the command table, and tells the story through out.c. Input comes
 * from readline on a terminal and from plain lines otherwise (readline
 * would echo a piped transcript twice), so piped play is deterministic.
 */
#ifndef IWM_PLAY_H
#define IWM_PLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pack.h"

typedef struct play_opts {
    uint64_t seed;
    const int *options;  /* per pack variable, -1 for the default; may be NULL */
    const char *choices; /* "1,2,1": inputs taken before reading stdin; may be NULL */
    int width;           /* 0: the terminal's width, or 80 */
    bool plain;          /* no styling */
    bool reveal;         /* show the hidden state after each choice (instructors) */
} play_opts;

/* Plays p from its start. Returns the process exit status: 0 when the game
 * ended or the player quit, 1 on an output error. */
int play_run(const pack *p, const play_opts *o, FILE *in, FILE *out);

/* Resolves "name=value" against p's options into options[] (one entry per
 * pack variable). Returns NULL on success, or a message (static storage). */
const char *play_set_option(const pack *p, int *options, const char *assignment);
/* The number of pack variables (the length options[] must have). */
int play_nvars(const pack *p);

#endif
