/*
 * play: the play loop (see play.h). One table of commands (name, alias,
 * usage, help, handler) drives dispatch, `help` and tab completion.
 * Numbers choose among the choices as shown: hidden choices take no
 * number, disabled ones keep theirs and say why. All text, the pack's and
 * the game's own, reaches the screen through out_render, which sanitises
 * it and wraps it to the terminal's width as it is at that moment (so a
 * resize re-wraps the next text). A transcript gets the same text,
 * unstyled, plus the player's input.
 */
#include "play.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "game.h"
#include "out.h"
#include "report.h"
#include "reveal.h"
#include "save.h"
#include "xalloc.h"

enum { MAX_SHOWN = 64 };

typedef struct session {
    const pack *p;
    game *g;
    const play_opts *o;
    FILE *in, *out, *transcript;
    bool tty; /* interactive: readline, prompts */
    bool styled;
    const char *feed; /* remaining --choices */
    buf text, line, render;
    int last_chapter;
    int skip_scene; /* index of the scene being shown as its summary, or -1 */
    uint32_t skip_notes;
    bool quit, autosave_warned;
    char dir[4096]; /* the pack's save directory, "" when unavailable */
    char history[4200];
} session;

/* readline's completion callbacks take no context. */
static session *current;
static volatile sig_atomic_t interrupted;

/* ---- output ------------------------------------------------------------- */

static int term_width(const session *s)
{
    if (s->o->width > 0)
        return s->o->width;
    struct winsize ws;
    if (isatty(fileno(s->out)) && ioctl(fileno(s->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col > 100 ? 100 : ws.ws_col < 20 ? 20 : ws.ws_col;
    return 80;
}

/* Writes text through the one output path, to the screen and the
 * transcript. */
static void say_at(session *s, const char *text, size_t n, int indent, int hang)
{
    out_style st = {term_width(s), s->styled, indent, hang};
    buf_reset(&s->render);
    out_render(&s->render, text, n, &st);
    fputs(buf_str(&s->render), s->out);
    if (s->transcript) {
        if (s->styled) {
            st.styled = false;
            buf_reset(&s->render);
            out_render(&s->render, text, n, &st);
        }
        fputs(buf_str(&s->render), s->transcript);
    }
}

static void say(session *s, const char *text)
{
    say_at(s, text, strlen(text), 0, 0);
}

static void blank(session *s)
{
    fputc('\n', s->out);
    if (s->transcript)
        fputc('\n', s->transcript);
}

static void sayf(session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sayf(session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_reset(&s->text);
    buf_vprintf(&s->text, fmt, ap);
    va_end(ap);
    say(s, buf_str(&s->text));
}

/* Box and block characters only where the terminal's locale is UTF-8;
 * --plain and other locales get ASCII. */
static bool utf8_locale(void)
{
    const char *l = getenv("LC_ALL");
    if (!l || !*l)
        l = getenv("LC_CTYPE");
    if (!l || !*l)
        l = getenv("LANG");
    if (!l || !*l)
        return true; /* no locale set at all: UTF-8 is the modern default */
    return strstr(l, "UTF-8") || strstr(l, "utf8") || strstr(l, "UTF8") || strstr(l, "utf-8");
}

/* ---- the story ---------------------------------------------------------- */

/* The choices as shown: hidden ones skipped. Returns how many. */
static int shown(session *s, const pk_choice **list)
{
    const pk_scene *sc = game_scene(s->g);
    int n = 0;
    for (int i = 0; i < sc->nchoices && n < MAX_SHOWN; i++)
        if (game_shown(s->g, sc->choices[i]))
            list[n++] = sc->choices[i];
    return n;
}

static void show_ending(session *s, const int32_t *st)
{
    const pk_scene *sc = game_scene(s->g);
    blank(s);
    sayf(s, "**THE END%s%s**", sc->ending_title ? ": " : "", sc->ending_title ? sc->ending_title : "");
    if (s->p->reveal.present) {
        /* The pack describes its hidden model: show it in full. */
        reveal r;
        reveal_compute(&r, s->g, true);
        reveal_style rs = {term_width(s), !s->o->plain && utf8_locale(), s->styled};
        buf_reset(&s->render);
        reveal_render(&r, &rs, &s->render);
        fputs(buf_str(&s->render), s->out);
        if (s->transcript) {
            rs.styled = false;
            buf_reset(&s->render);
            reveal_render(&r, &rs, &s->render);
            fputs(buf_str(&s->render), s->transcript);
        }
        if (s->o->report) {
            char err[512];
            blank(s);
            if (report_write(s->g, s->o->report, s->o->name, err, sizeof err) == 0)
                sayf(s, "*(Report written to %s.)*", s->o->report);
            else
                sayf(s, "*(No report: %s)*", err);
        }
    } else {
        int style = pack_style(s->p, st);
        if (style >= 0)
            sayf(s, "Style: %s", s->p->styles[style]->label);
        for (int i = 0; i < s->p->noutcomes; i++)
            if (pack_outcome(s->p, i, st))
                sayf(s, "Outcome: %s", s->p->outcomes[i]->label);
    }
    blank(s);
    say(s, "Type 'undo' to go back, 'restart' to play again, or 'quit'.");
}

static void show_scene(session *s)
{
    const pk_scene *sc = game_scene(s->g);
    const int32_t *st = game_state(s->g);
    if (sc->chapter != s->last_chapter) {
        s->last_chapter = sc->chapter;
        const pk_chapter *ch = &s->p->chapters[sc->chapter];
        blank(s);
        sayf(s, "**%s**", ch->title ? ch->title : ch->id);
    }
    blank(s);
    buf_reset(&s->text);
    if (s->skip_scene == sc->index)
        buf_printf(&s->text, "*(Skipped.)* %s",
                   sc->summary ? sc->summary : "A scene marked with a content note is skipped.");
    else
        pack_render(&sc->text, st, &s->text);
    say(s, buf_str(&s->text));
    if (sc->ending) {
        show_ending(s, st);
        return;
    }
    const pk_choice *list[MAX_SHOWN];
    int n = shown(s, list);
    blank(s);
    for (int i = 0; i < n; i++) {
        buf_reset(&s->text);
        buf_printf(&s->text, "%d. ", i + 1);
        pack_render(&list[i]->text, st, &s->text);
        if (!game_enabled(s->g, list[i]))
            buf_printf(&s->text, " *(%s)*", list[i]->disabled_text ? list[i]->disabled_text : "Not now.");
        say_at(s, s->text.data, s->text.len, 2, 3);
    }
}

static void show_reveal(session *s)
{
    const int32_t *st = game_state(s->g);
    buf_reset(&s->text);
    buf_puts(&s->text, "[hidden state]");
    for (int i = 0; i < s->p->nvars; i++) {
        const pk_var *v = &s->p->vars[i];
        if (v->kind == V_OPTION)
            buf_printf(&s->text, " %s=%s", v->name, v->values[st[i]]);
        else if (v->kind == V_FLAG)
            buf_printf(&s->text, " %s=%s", v->name, st[i] ? "true" : "false");
        else
            buf_printf(&s->text, " %s=%d", v->name, (int)st[i]);
    }
    say(s, buf_str(&s->text));
}

static bool read_line(session *s, const char *prompt);

/* Decides, on entering a scene, whether it is shown or skipped for a
 * content note: skipped when the note was given to --skip-content (or
 * chosen earlier), and asked on a terminal otherwise. Returns false when
 * the reader ended the input at the question (Ctrl-D): the game then
 * quits without showing the scene. */
static bool content_gate(session *s)
{
    const pk_scene *sc = game_scene(s->g);
    s->skip_scene = -1;
    if (!sc->notes)
        return true;
    if (sc->notes & s->skip_notes) {
        s->skip_scene = sc->index;
        return true;
    }
    if (!s->tty || s->o->plain || (s->feed && *s->feed))
        return true;
    for (int i = 0; i < s->p->nnotes; i++) {
        if (!(sc->notes & (1u << i)))
            continue;
        blank(s);
        sayf(s, "The next scene contains: **%s**. %s", s->p->notes[i].label, s->p->notes[i].text);
        say(s, "Type r to read it, s to skip to a one-line summary, or a to skip every scene like it.");
        for (;;) {
            if (!read_line(s, "r/s/a> ")) {
                s->skip_scene = sc->index;
                s->quit = true;
                return false;
            }
            const char *a = buf_str(&s->line);
            if (a[0] == 'r' || a[0] == 'R')
                break;
            if (a[0] == 's' || a[0] == 'S' || a[0] == 'a' || a[0] == 'A') {
                if (a[0] == 'a' || a[0] == 'A')
                    s->skip_notes |= 1u << i;
                s->skip_scene = sc->index;
                return true;
            }
            say(s, "Type r (read), s (skip) or a (skip all like it).");
        }
    }
    return true;
}

/* ---- saves -------------------------------------------------------------- */

static void slot_path(const session *s, const char *slot, char *out, size_t n)
{
    snprintf(out, n, "%s/%s.save", s->dir, slot);
}

static void autosave(session *s)
{
    if (!s->o->autosave || !s->dir[0])
        return;
    char path[4200], err[512];
    slot_path(s, "autosave", path, sizeof path);
    /* Said once: a full disk should not bury the story in warnings. */
    if (save_write(path, s->g, err, sizeof err) != 0 && !s->autosave_warned) {
        s->autosave_warned = true;
        sayf(s, "*(Autosave failed: %s. Your game goes on; try 'save NAME'.)*", err);
    }
}

/* Loads slot into the game; prints what happened. Returns 0 or -1. */
static int load_slot(session *s, const char *slot, bool offer_backup)
{
    char path[4200], err[512];
    save_result r;
    slot_path(s, slot, path, sizeof path);
    if (save_read(path, s->g, &r, err, sizeof err) != 0) {
        if (errno == ENOENT && !strstr(err, "damaged")) {
            sayf(s, "There is no saved game called '%s'. Type 'saves' to list them.", slot);
            return -1;
        }
        sayf(s, "Cannot load '%s': %s", slot, err);
        char bak[4300];
        snprintf(bak, sizeof bak, "%s.bak", path);
        if (!offer_backup || access(bak, R_OK) != 0)
            return -1;
        if (s->tty) {
            say(s, "There is a backup of the previous save. Load it? (y/n)");
            if (!read_line(s, "y/n> ") || (buf_str(&s->line)[0] != 'y' && buf_str(&s->line)[0] != 'Y'))
                return -1;
        } else {
            say(s, "Loading the backup of the previous save instead.");
        }
        if (save_read(bak, s->g, &r, err, sizeof err) != 0) {
            sayf(s, "The backup cannot be loaded either: %s", err);
            return -1;
        }
    }
    if (r.message[0])
        say(s, r.message);
    else if (r.other_version)
        say(s, "*(This save was made with another version of the story; it replayed without a change.)*");
    s->last_chapter = -1;
    s->skip_scene = -1;
    return 0;
}

/* ---- commands ----------------------------------------------------------- */

typedef struct command {
    const char *name, *alias, *usage, *help;
    void (*run)(session *s, const char *arg);
    bool slot_arg; /* completes save-slot names */
} command;

static void cmd_help(session *s, const char *arg);

static void cmd_look(session *s, const char *arg)
{
    (void)arg;
    s->last_chapter = -1;
    show_scene(s);
}

static void cmd_undo(session *s, const char *arg)
{
    char *end;
    long n = *arg ? strtol(arg, &end, 10) : 1;
    if (n < 1 || (*arg && *end)) {
        say(s, "Undo how many choices? Type 'undo' or, for example, 'undo 3'.");
        return;
    }
    size_t done = game_undo(s->g, (size_t)n);
    if (!done) {
        say(s, "There is nothing to undo yet.");
        return;
    }
    sayf(s, "*(Undone: %zu choice%s.)*", done, done == 1 ? "" : "s");
    autosave(s);
    s->skip_scene = -1;
    cmd_look(s, "");
}

static void cmd_save(session *s, const char *arg)
{
    const char *slot = *arg ? arg : "quicksave";
    if (!save_slot_ok(slot)) {
        say(s, "A save name is 1 to 32 letters, digits, '-' or '_'.");
        return;
    }
    if (!s->dir[0]) {
        say(s, "Saving is not available: no directory for saves (set HOME or XDG_STATE_HOME).");
        return;
    }
    char path[4200], err[512];
    slot_path(s, slot, path, sizeof path);
    if (save_write(path, s->g, err, sizeof err) != 0)
        sayf(s, "Not saved: %s", err);
    else
        sayf(s, "Saved as '%s'.", slot);
}

static void cmd_load(session *s, const char *arg)
{
    const char *slot = *arg ? arg : "quicksave";
    if (!save_slot_ok(slot)) {
        say(s, "A save name is 1 to 32 letters, digits, '-' or '_'.");
        return;
    }
    if (load_slot(s, slot, true) == 0) {
        sayf(s, "*(Loaded '%s'.)*", slot);
        show_scene(s);
    }
}

/* Calls fn for every slot name in the save directory. */
static void each_slot(const session *s, void (*fn)(const session *, const char *, void *), void *ctx);

static void list_one(const session *cs, const char *slot, void *ctx)
{
    session *s = (session *)cs;
    int *count = ctx;
    char path[4200], err[512];
    save_info info;
    save_result r;
    slot_path(s, slot, path, sizeof path);
    /* Replaying the save (microseconds) gives the scene the game is at,
     * which the header alone cannot. */
    game *g = game_new(s->p);
    if (save_info_read(path, &info) != 0 || save_read(path, g, &r, err, sizeof err) != 0) {
        buf_reset(&s->text);
        buf_printf(&s->text, "%s: damaged (type 'load %s' for details)", slot, slot);
        say_at(s, s->text.data, s->text.len, 2, 4);
        game_free(g);
        (*count)++;
        return;
    }
    const pk_scene *sc = game_scene(g);
    const char *chapter = s->p->chapters[sc->chapter].title;
    buf_reset(&s->text);
    buf_printf(&s->text, "**%s**: %s, %zu choice%s, %s%s%s%s", slot, info.saved, info.steps,
               info.steps == 1 ? "" : "s", chapter ? chapter : "",
               chapter ? ", " : "", sc->title ? sc->title : sc->id,
               r.diverged ? " (the story has changed since)" : "");
    say_at(s, s->text.data, s->text.len, 2, 4);
    game_free(g);
    (*count)++;
}

static void cmd_saves(session *s, const char *arg)
{
    (void)arg;
    int count = 0;
    if (s->dir[0])
        each_slot(s, list_one, &count);
    if (!count)
        say(s, "No saved games yet. Type 'save NAME' to make one.");
}

static void cmd_restart(session *s, const char *arg)
{
    (void)arg;
    game_start(s->g, s->o->seed, s->o->options);
    say(s, "*(Restarted from the beginning.)*");
    autosave(s);
    s->last_chapter = -1;
    if (content_gate(s))
        show_scene(s);
}

static void cmd_journal(session *s, const char *arg)
{
    (void)arg;
    size_t n = game_steps(s->g);
    if (!n) {
        say(s, "The journal is empty: no choices yet.");
        return;
    }
    int chapter = -1;
    for (size_t i = 0; i < n; i++) {
        const pk_scene *sc = game_step_scene(s->g, i);
        if (sc->chapter != chapter) {
            chapter = sc->chapter;
            sayf(s, "**%s**", s->p->chapters[chapter].title ? s->p->chapters[chapter].title
                                                              : s->p->chapters[chapter].id);
        }
        buf_reset(&s->text);
        buf_printf(&s->text, "%zu. %s: ", i + 1, sc->title ? sc->title : sc->id);
        pack_render(&game_step_choice(s->g, i)->text, game_step_state(s->g, i), &s->text);
        say_at(s, s->text.data, s->text.len, 2, 3);
    }
}

static void cmd_transcript(session *s, const char *arg)
{
    if (!strncmp(arg, "off", 3) && (!arg[3] || isspace((unsigned char)arg[3]))) {
        if (!s->transcript) {
            say(s, "No transcript is being written.");
            return;
        }
        fclose(s->transcript);
        s->transcript = NULL;
        say(s, "Transcript closed.");
        return;
    }
    if (strncmp(arg, "on ", 3) != 0 || !arg[3]) {
        say(s, "Type 'transcript on FILE' to start one, or 'transcript off'.");
        return;
    }
    const char *file = arg + 3;
    while (isspace((unsigned char)*file))
        file++;
    FILE *f = fopen(file, "a");
    if (!f) {
        sayf(s, "Cannot write '%s': %s", file, strerror(errno));
        return;
    }
    if (s->transcript)
        fclose(s->transcript);
    s->transcript = f;
    sayf(s, "Writing a transcript to '%s'.", file);
}

static void cmd_quit(session *s, const char *arg)
{
    (void)arg;
    s->quit = true;
}

static const command commands[] = {
    {.name = "help", .alias = "?", .usage = "help", .help = "list the commands", .run = cmd_help},
    {.name = "look", .alias = "l", .usage = "look", .help = "show the current scene again", .run = cmd_look},
    {.name = "undo", .alias = "u", .usage = "undo [N]", .help = "take back the last N choices (1 by default)", .run = cmd_undo},
    {.name = "save", .alias = "s", .usage = "save [NAME]", .help = "save the game (as 'quicksave' by default)", .run = cmd_save, .slot_arg = true},
    {.name = "load", .alias = "r", .usage = "load [NAME]", .help = "load a saved game ('quicksave' by default)", .run = cmd_load, .slot_arg = true},
    {.name = "saves", .alias = "ls", .usage = "saves", .help = "list saved games with date, chapter and scene", .run = cmd_saves},
    {.name = "restart", .alias = "rs", .usage = "restart", .help = "start the story again (same seed and options)", .run = cmd_restart},
    {.name = "journal", .alias = "j", .usage = "journal", .help = "the story so far: scenes and choices taken", .run = cmd_journal},
    {.name = "transcript", .alias = "t", .usage = "transcript on FILE | off", .help = "copy the game's text to FILE", .run = cmd_transcript},
    {.name = "quit", .alias = "q", .usage = "quit", .help = "stop playing (the game is saved; 'iwm --continue' resumes)", .run = cmd_quit},
};
enum { NCOMMANDS = sizeof commands / sizeof *commands };

static void cmd_help(session *s, const char *arg)
{
    (void)arg;
    say(s, "Type the number of a choice, or a command:");
    for (int i = 0; i < NCOMMANDS; i++) {
        buf_reset(&s->text);
        buf_printf(&s->text, "**%s** (%s): %s", commands[i].usage, commands[i].alias, commands[i].help);
        say_at(s, s->text.data, s->text.len, 2, 4);
    }
    say(s, "Ctrl-D saves and quits; Ctrl-C clears the line.");
}

/* ---- save-slot listing -------------------------------------------------- */

static void each_slot(const session *s, void (*fn)(const session *, const char *, void *), void *ctx)
{
    DIR *d = opendir(s->dir);
    if (!d)
        return;
    /* Sorted, so `saves` and completion list slots in a stable order. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".save") != 0)
            continue;
        char slot[64];
        if (len - 5 >= sizeof slot)
            continue;
        memcpy(slot, e->d_name, len - 5);
        slot[len - 5] = '\0';
        if (!save_slot_ok(slot))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof(char *));
        }
        names[n++] = xstrdup(slot);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        fn(s, names[i], ctx);
        free(names[i]);
    }
    free(names);
}

/* A process killed while saving leaves NAME.save.tmp.PID behind (the save
 * itself is intact: the rename never happened). Remove those whose
 * process is gone, so they do not pile up. */
static void sweep_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (!t)
            continue;
        char *end;
        long pid = strtol(t + 5, &end, 10);
        if (*end || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* still running, or not ours to judge */
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

/* ---- readline ----------------------------------------------------------- */

typedef struct completion {
    char **v;
    size_t n, cap;
} completion;

static void add_match(const session *s, const char *slot, void *ctx)
{
    (void)s;
    completion *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xrealloc(c->v, c->cap * sizeof(char *));
    }
    c->v[c->n++] = xstrdup(slot);
}

static completion matches;
static size_t match_next;

static char *next_match(const char *text, int state)
{
    if (!state)
        match_next = 0;
    size_t len = strlen(text);
    while (match_next < matches.n) {
        const char *m = matches.v[match_next++];
        if (!strncmp(m, text, len))
            return strdup(m); /* readline frees it with free() */
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    for (size_t i = 0; i < matches.n; i++)
        free(matches.v[i]);
    matches.n = 0;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    if (start == 0) {
        for (int i = 0; i < NCOMMANDS; i++)
            add_match(current, commands[i].name, &matches);
    } else {
        char first[32] = "";
        sscanf(rl_line_buffer, "%31s", first);
        for (int i = 0; i < NCOMMANDS; i++)
            if (commands[i].slot_arg && (!strcmp(first, commands[i].name) || !strcmp(first, commands[i].alias)))
                each_slot(current, add_match, &matches);
    }
    return rl_completion_matches(text, next_match);
}

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Called by readline when a signal interrupts its read: Ctrl-C clears the
 * line being typed and shows a fresh prompt, instead of ending the game
 * (readline's own default) or keeping the text (what a bare handler does). */
static int signal_hook(void)
{
    if (interrupted) {
        interrupted = 0;
        rl_replace_line("", 0);
        rl_crlf();
        rl_on_new_line();
        rl_redisplay();
    }
    return 0;
}

/* ---- input -------------------------------------------------------------- */

/* Reads the next input line into s->line. False at the end of input. */
static bool read_line(session *s, const char *prompt)
{
    buf_reset(&s->line);
    if (s->feed && *s->feed) {
        const char *comma = strchr(s->feed, ',');
        size_t n = comma ? (size_t)(comma - s->feed) : strlen(s->feed);
        buf_append(&s->line, s->feed, n);
        s->feed = comma ? comma + 1 : s->feed + n;
    } else if (s->tty) {
        fflush(s->out);
        char *l = readline(prompt);
        if (!l)
            return false;
        size_t n = strlen(l);
        while (n && (l[n - 1] == ' ' || l[n - 1] == '\t'))
            l[--n] = '\0'; /* completion leaves a space behind */
        if (*l) {
            add_history(l);
            if (s->history[0])
                append_history(1, s->history);
        }
        buf_puts(&s->line, l);
        free(l);
    } else {
        int c;
        bool any = false;
        while ((c = fgetc(s->in)) != EOF) {
            any = true;
            if (c == '\n')
                break;
            buf_putc(&s->line, (char)c);
        }
        if (!any)
            return false;
    }
    if (s->transcript)
        fprintf(s->transcript, "%s%s\n", prompt, buf_str(&s->line));
    return true;
}

static void take(session *s, const pk_choice *c)
{
    /* The reply belongs to the scene: a reader who skipped the scene for a
     * content note does not get its aftermath either. */
    bool skipped = s->skip_scene == game_scene(s->g)->index;
    if (game_choose(s->g, c) == GAME_DISABLED) {
        sayf(s, "You can't choose that now: %s", c->disabled_text ? c->disabled_text : "Not now.");
        return;
    }
    blank(s);
    buf_reset(&s->text);
    buf_puts(&s->text, "**> ");
    pack_render(&c->text, game_step_state(s->g, game_steps(s->g) - 1), &s->text);
    buf_puts(&s->text, "**");
    say(s, buf_str(&s->text));
    buf_reset(&s->text);
    if (!skipped)
        game_reply(s->g, &s->text);
    if (s->text.len) {
        blank(s);
        say(s, buf_str(&s->text));
    }
    autosave(s);
    if (s->o->reveal)
        show_reveal(s);
    if (content_gate(s))
        show_scene(s);
}

static void handle(session *s)
{
    char *line = s->line.data ? s->line.data : (char *)"";
    while (isspace((unsigned char)*line))
        line++;
    size_t n = strlen(line);
    while (n && isspace((unsigned char)line[n - 1]))
        line[--n] = '\0';
    if (!n)
        return;
    const pk_choice *list[MAX_SHOWN];
    int count = game_over(s->g) ? 0 : shown(s, list);
    char *end;
    long k = strtol(line, &end, 10);
    if (end != line && *end == '\0') {
        if (k >= 1 && k <= count)
            take(s, list[k - 1]);
        else if (count)
            sayf(s, "There is no choice %ld: type a number from 1 to %d.", k, count);
        else
            say(s, "The story has ended: type 'undo' to go back, 'restart' or 'quit'.");
        return;
    }
    char *arg = line;
    while (*arg && !isspace((unsigned char)*arg))
        arg++;
    if (*arg)
        *arg++ = '\0';
    while (isspace((unsigned char)*arg))
        arg++;
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(line, commands[i].name) || !strcmp(line, commands[i].alias)) {
            commands[i].run(s, arg);
            return;
        }
    if (count)
        sayf(s, "Type a number from 1 to %d to choose, or 'help' for commands.", count);
    else
        say(s, "Type 'undo', 'restart' or 'quit' ('help' for more).");
}

static void title_screen(session *s)
{
    const pack *p = s->p;
    sayf(s, "**%s**", p->title);
    buf_reset(&s->text);
    if (p->nauthors) {
        buf_puts(&s->text, "by ");
        for (int i = 0; i < p->nauthors; i++)
            buf_printf(&s->text, "%s%s", i ? ", " : "", p->authors[i]);
        buf_puts(&s->text, " · ");
    }
    buf_printf(&s->text, "version %s", p->version);
    say(s, buf_str(&s->text));
    if (p->description) {
        blank(s);
        say(s, p->description);
    }
    if (p->nnotes) {
        blank(s);
        buf_reset(&s->text);
        buf_puts(&s->text, "*Content notes.*");
        for (int i = 0; i < p->nnotes; i++)
            buf_printf(&s->text, " %s: %s", p->notes[i].label, p->notes[i].text);
        say(s, buf_str(&s->text));
        buf_reset(&s->text);
        buf_puts(&s->text, "Marked scenes can be skipped: you are asked before each one, or start with");
        for (int i = 0; i < p->nnotes; i++)
            buf_printf(&s->text, "%s --skip-content %s", i ? " or" : "", p->notes[i].name);
        buf_puts(&s->text, ".");
        say(s, buf_str(&s->text));
    }
    blank(s);
    say(s, "Type the number of a choice and press Enter. Type 'help' for commands.");
}

static void setup_readline(session *s)
{
    rl_readline_name = "iwm"; /* $if iwm in ~/.inputrc */
    rl_attempted_completion_function = complete;
    rl_signal_event_hook = signal_hook;
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    /* The history lives one directory above the pack's saves, shared by
     * every pack: $XDG_STATE_HOME/iwm/history. */
    const char *slash = strrchr(s->dir, '/');
    if (s->dir[0] && slash) {
        size_t n = (size_t)(slash - s->dir);
        if (n + sizeof "/history" <= sizeof s->history) {
            memcpy(s->history, s->dir, n);
            memcpy(s->history + n, "/history", sizeof "/history");
        }
        using_history();
        stifle_history(1000);
        if (read_history(s->history) != 0) {
            FILE *f = fopen(s->history, "a"); /* append_history needs the file */
            if (f)
                fclose(f);
        }
    }
}

int play_run(const pack *p, const play_opts *o, FILE *in, FILE *out)
{
    session s = {.p = p, .o = o, .in = in, .out = out, .last_chapter = -1, .skip_scene = -1,
                 .feed = o->choices, .skip_notes = o->skip_notes};
    current = &s;
    s.tty = isatty(fileno(in)) && isatty(fileno(out));
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    s.styled = !o->plain && isatty(fileno(out)) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
    char err[512];
    if (save_dir(pack_id(p), o->autosave || o->resume || o->load_slot, s.dir, sizeof s.dir, err, sizeof err) != 0)
        s.dir[0] = '\0';
    if (s.dir[0])
        sweep_temp_files(s.dir);
    if (o->transcript && !(s.transcript = fopen(o->transcript, "a"))) {
        fprintf(stderr, "iwm: cannot write the transcript '%s': %s\n", o->transcript, strerror(errno));
        return 2;
    }
    if (s.tty)
        setup_readline(&s);
    s.g = game_new(p);
    game_start(s.g, o->seed, o->options);
    title_screen(&s);
    int status = 0;
    if (o->load_slot) {
        blank(&s);
        if (load_slot(&s, o->load_slot, true) != 0)
            status = 1;
    } else if (o->resume) {
        char path[4200];
        slot_path(&s, "autosave", path, sizeof path);
        blank(&s);
        if (!s.dir[0] || access(path, F_OK) != 0)
            say(&s, "*(There is no saved game to continue: starting a new one.)*");
        else if (load_slot(&s, "autosave", true) != 0)
            status = 1;
        else
            say(&s, "*(Continuing where you left off.)*");
    }
    if (status == 0 && (game_steps(s.g) || content_gate(&s))) {
        show_scene(&s);
        while (!s.quit) {
            if (s.tty && !(s.feed && *s.feed))
                fputc('\n', out);
            if (!read_line(&s, "> ")) {
                /* Ctrl-D or the end of input: the autosave already holds
                 * every choice; say so on a terminal. */
                if (s.tty) {
                    fputc('\n', out);
                    if (o->autosave && s.dir[0])
                        say(&s, "Saved. Continue later with: iwm --continue");
                }
                break;
            }
            /* Piped play stops at the ending it reaches (a resumed game that
             * is already over keeps reading, for undo and the like). */
            bool was_over = game_over(s.g);
            handle(&s);
            if (!was_over && game_over(s.g) && !s.tty && !(s.feed && *s.feed))
                break;
        }
        if (s.quit && s.tty && o->autosave && s.dir[0])
            say(&s, "Saved. Continue later with: iwm --continue");
    }
    fflush(out);
    if (ferror(out))
        status = 1;
    if (s.transcript)
        fclose(s.transcript);
    for (size_t i = 0; i < matches.n; i++)
        free(matches.v[i]);
    free(matches.v);
    matches = (completion){0};
    game_free(s.g);
    buf_free(&s.text);
    buf_free(&s.line);
    buf_free(&s.render);
    current = NULL;
    return status;
}

int play_nvars(const pack *p)
{
    return p->nvars;
}

bool play_skip_note(const pack *p, uint32_t *mask, const char *name)
{
    for (int i = 0; i < p->nnotes; i++)
        if (!strcmp(p->notes[i].name, name)) {
            *mask |= 1u << i;
            return true;
        }
    return false;
}

const char *play_set_option(const pack *p, int *options, const char *a)
{
    const char *eq = strchr(a, '=');
    if (!eq)
        return "--set takes NAME=VALUE";
    for (int i = 0; i < p->nvars; i++) {
        const pk_var *v = &p->vars[i];
        if (v->kind != V_OPTION || strlen(v->name) != (size_t)(eq - a) || memcmp(v->name, a, (size_t)(eq - a)))
            continue;
        for (int k = 0; k < v->nvalues; k++)
            if (!strcmp(v->values[k], eq + 1)) {
                options[i] = k;
                return NULL;
            }
        return "no such value for this option";
    }
    return "no such option in this pack";
}
