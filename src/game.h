/*
 * game: the runtime of one playthrough. A game is a pure function of the
 * pack, the seed, the options and the log of choices: game_start then the
 * same game_choose calls always give the same states, which is what makes
 * saves replayable, undo exact and exploration trustworthy. Every state
 * along the way is kept (they are a few dozen integers each), so undo is
 * a pointer move; buffers grow geometrically and choosing allocates
 * nothing once they have reached the game's length.
 */
#ifndef IWM_GAME_H
#define IWM_GAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pack_int.h"

typedef struct game game;

typedef enum game_result {
    GAME_OK,
    GAME_HIDDEN,   /* the choice is not shown in this state */
    GAME_DISABLED, /* shown, but its enabled_if does not hold */
    GAME_OVER,     /* the game is at an ending */
    GAME_FOREIGN,  /* the choice belongs to another scene */
} game_result;

/* A game over p (which must outlive it). Never returns NULL. The game is
 * not started: call game_start. */
game *game_new(const pack *p);
/* Frees g; g may be NULL. */
void game_free(game *g);

/* Starts over: options[i] is the value index for pack variable i when it
 * is an option, or -1 for its default (random defaults are drawn from
 * seed in declaration order). options may be NULL (all defaults). */
void game_start(game *g, uint64_t seed, const int *options);

const pack *game_pack(const game *g);
uint64_t game_seed(const game *g);
const pk_scene *game_scene(const game *g);
/* The current state (pack_int.h describes the layout). */
const int32_t *game_state(const game *g);
bool game_over(const game *g);

/* Whether choice c of the current scene is shown, and whether enabled. */
bool game_shown(const game *g, const pk_choice *c);
bool game_enabled(const game *g, const pk_choice *c);

/* Takes choice c. On anything but GAME_OK nothing changes. */
game_result game_choose(game *g, const pk_choice *c);

/* Renders the reply of the last choice (empty after undo or start). */
void game_reply(const game *g, buf *out);

/* Steps back n choices (at most as many as were taken); returns how many. */
size_t game_undo(game *g, size_t n);

/* The journal: choices taken so far. Step i was taken in scene
 * game_step_scene(g, i); game_step_state(g, i) is the state on entering
 * that scene (i == game_steps(g) gives the current state). */
size_t game_steps(const game *g);
const pk_choice *game_step_choice(const game *g, size_t i);
const pk_scene *game_step_scene(const game *g, size_t i);
const int32_t *game_step_state(const game *g, size_t i);

/* The splitmix64 generator used for random defaults; exposed so the
 * explorer draws its choices the same way. */
uint64_t game_rng(uint64_t *state);

#endif
