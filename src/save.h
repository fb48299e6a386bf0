/*
 * save: saved games. A save is a small versioned text file of our own
 * design (not YAML: our own writer is simpler to make safe, and a save
 * must be readable by a person): a header naming the pack, its version and
 * content hash, the seed and the options; the log of choices by stable
 * scene and choice ids; and a checksum line over everything before it.
 * Loading replays the log through the game, so a save made with an older
 * version of a pack still loads: where the pack changed, the replay stops
 * at the first step that no longer fits and says exactly where.
 * Files are written atomically (temporary file in the same directory,
 * fsync, rename, fsync of the directory), and the previous save is kept
 * as NAME.bak, so a crash or a full disk never leaves a broken save.
 *
 *   iwm-save 1
 *   pack working-models
 *   pack-version 0.1.0
 *   pack-hash 0123456789abcdef
 *   seed 12345
 *   saved 2026-11-22T17:30:00Z
 *   option caregiver rejecting
 *   step childhood-start cry
 *   step first-steps explore
 *   checksum 89abcdef01234567
 */
#ifndef IWM_SAVE_H
#define IWM_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "game.h"

enum { SAVE_FORMAT = 1, SAVE_MAX_BYTES = 4 * 1024 * 1024, SAVE_MAX_STEPS = 100000 };

/* What a load did. */
typedef struct save_result {
    size_t steps;    /* steps in the file */
    size_t replayed; /* steps replayed; < steps when the story diverged */
    bool diverged;   /* the pack changed and the log no longer fits */
    bool other_version; /* the pack's hash differs from the save's */
    char message[512]; /* for the player when diverged: where, and from where they continue */
} save_result;

/* A save's header, for listing slots. */
typedef struct save_info {
    char pack_id[128];
    char saved[32];    /* ISO 8601 UTC, as written */
    char scene_id[128]; /* the scene of the last step taken, or "start" */
    size_t steps;
} save_info;

/* Appends the save text of g to out (saved_at is the time to record). */
void save_encode(const game *g, time_t saved_at, buf *out);

/* Parses text[0..n) and replays it into g (restarting g). Returns 0 and
 * fills *r, or -1 with a one-line reason in err (checksum mismatch,
 * truncated file, wrong format version, another pack, malformed line N):
 * g is then left as it was before the call. */
int save_decode(const char *text, size_t n, game *g, save_result *r, char *err, size_t errlen);

/* Writes g to path atomically, keeping the previous file as path.bak.
 * Returns 0, or -1 with a reason (including strerror) in err; on failure
 * the previous save at path is unchanged. */
int save_write(const char *path, const game *g, char *err, size_t errlen);

/* Reads and decodes path (at most SAVE_MAX_BYTES). Same contract as
 * save_decode; a missing file gives -1 with errno ENOENT preserved. */
int save_read(const char *path, game *g, save_result *r, char *err, size_t errlen);

/* Reads just the header and last step of path. Returns 0 or -1. */
int save_info_read(const char *path, save_info *info);

/* The directory for pack_id's saves: $XDG_STATE_HOME/iwm/<pack_id>, or
 * $HOME/.local/state/iwm/<pack_id>; created (with parents, mode 0700) when
 * create is true. Returns 0 with the path in out, or -1 with err. */
int save_dir(const char *pack_id, bool create, char *out, size_t outlen, char *err, size_t errlen);

/* True when name is a valid slot name: 1-32 of [A-Za-z0-9_-]. */
bool save_slot_ok(const char *name);

#endif
