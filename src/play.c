/*
 * play: the play loop (see play.h). A small table of commands drives both
 * dispatch and `help`; numbers choose among the choices as they are shown
 * (hidden choices take no number, disabled ones keep theirs and say why).
 * Everything from the pack reaches the screen through out_render.
 */
#include "play.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "game.h"
#include "out.h"
#include "xalloc.h"

typedef struct session {
    const pack *p;
    game *g;
    const play_opts *o;
    FILE *in, *out;
    bool tty;        /* interactive: prompt and readline */
    out_style style;
    const char *feed; /* remaining --choices */
    buf text, line;
    int last_chapter;
    bool quit;
} session;

static int term_width(const session *s)
{
    if (s->o->width > 0)
        return s->o->width;
    struct winsize ws;
    if (isatty(fileno(s->out)) && ioctl(fileno(s->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col > 100 ? 100 : ws.ws_col;
    return 80;
}

/* Writes pack text (or the game's own) through the one output path. */
static void say(session *s, const char *text, size_t n, int indent, int hang)
{
    buf_reset(&s->line);
    out_style st = s->style;
    st.width = term_width(s);
    st.indent = indent;
    st.hang = hang;
    out_render(&s->line, text, n, &st);
    fputs(buf_str(&s->line), s->out);
}

static void says(session *s, const char *text)
{
    say(s, text, strlen(text), 0, 0);
}

/* The choices as shown: hidden ones skipped. Returns how many. */
static int shown(session *s, const pk_choice **list)
{
    const pk_scene *sc = game_scene(s->g);
    int n = 0;
    for (int i = 0; i < sc->nchoices; i++)
        if (game_shown(s->g, sc->choices[i]))
            list[n++] = sc->choices[i];
    return n;
}

static void show_scene(session *s)
{
    const pk_scene *sc = game_scene(s->g);
    const int32_t *st = game_state(s->g);
    if (sc->chapter != s->last_chapter) {
        s->last_chapter = sc->chapter;
        const pk_chapter *ch = &s->p->chapters[sc->chapter];
        buf_reset(&s->text);
        buf_printf(&s->text, "**%s**", ch->title ? ch->title : ch->id);
        fputc('\n', s->out);
        says(s, buf_str(&s->text));
    }
    fputc('\n', s->out);
    buf_reset(&s->text);
    pack_render(&sc->text, st, &s->text);
    says(s, buf_str(&s->text));
    if (sc->ending) {
        fputc('\n', s->out);
        buf_reset(&s->text);
        buf_printf(&s->text, "**THE END%s%s**", sc->ending_title ? ": " : "",
                   sc->ending_title ? sc->ending_title : "");
        says(s, buf_str(&s->text));
        int style = pack_style(s->p, st);
        if (style >= 0) {
            buf_reset(&s->text);
            buf_printf(&s->text, "Style: %s", s->p->styles[style]->label);
            says(s, buf_str(&s->text));
        }
        for (int i = 0; i < s->p->noutcomes; i++) {
            if (!pack_outcome(s->p, i, st))
                continue;
            buf_reset(&s->text);
            buf_printf(&s->text, "Outcome: %s", s->p->outcomes[i]->label);
            says(s, buf_str(&s->text));
        }
        return;
    }
    const pk_choice *list[256];
    int n = shown(s, list);
    fputc('\n', s->out);
    for (int i = 0; i < n && i < 256; i++) {
        buf_reset(&s->text);
        buf_printf(&s->text, "%d. ", i + 1);
        pack_render(&list[i]->text, st, &s->text);
        if (!game_enabled(s->g, list[i])) {
            buf_puts(&s->text, " (");
            buf_puts(&s->text, list[i]->disabled_text ? list[i]->disabled_text : "Not now.");
            buf_puts(&s->text, ")");
        }
        say(s, s->text.data, s->text.len, 2, 3);
    }
}

static void show_reveal(session *s)
{
    const int32_t *st = game_state(s->g);
    buf_reset(&s->text);
    buf_puts(&s->text, "[state]");
    for (int i = 0; i < s->p->nvars; i++) {
        const pk_var *v = &s->p->vars[i];
        if (v->kind == V_OPTION)
            buf_printf(&s->text, " %s=%s", v->name, v->values[st[i]]);
        else if (v->kind == V_FLAG)
            buf_printf(&s->text, " %s=%s", v->name, st[i] ? "true" : "false");
        else
            buf_printf(&s->text, " %s=%d", v->name, (int)st[i]);
    }
    says(s, buf_str(&s->text));
}

/* ---- commands ----------------------------------------------------------- */

typedef struct command {
    const char *name, *alias, *usage, *help;
    void (*run)(session *s, const char *arg);
} command;

static void cmd_help(session *s, const char *arg);

static void cmd_look(session *s, const char *arg)
{
    (void)arg;
    show_scene(s);
}

static void cmd_undo(session *s, const char *arg)
{
    long n = arg && *arg ? strtol(arg, NULL, 10) : 1;
    if (n < 1) {
        says(s, "Undo how many steps? Try 'undo' or 'undo 3'.");
        return;
    }
    size_t done = game_undo(s->g, (size_t)n);
    if (!done) {
        says(s, "There is nothing to undo yet.");
        return;
    }
    buf_reset(&s->text);
    buf_printf(&s->text, "Undone: %zu step%s.", done, done == 1 ? "" : "s");
    says(s, buf_str(&s->text));
    s->last_chapter = -1;
    show_scene(s);
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
    {.name = "quit", .alias = "q", .usage = "quit", .help = "stop playing", .run = cmd_quit},
};

static void cmd_help(session *s, const char *arg)
{
    (void)arg;
    says(s, "Type the number of a choice, or one of these commands:");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        buf_reset(&s->text);
        buf_printf(&s->text, "%-10s (%s) %s", commands[i].usage, commands[i].alias, commands[i].help);
        say(s, s->text.data, s->text.len, 2, 13);
    }
}

/* ---- input -------------------------------------------------------------- */

/* The next input line (without newline) in s->line, or false at the end. */
static bool read_input(session *s)
{
    buf_reset(&s->line);
    if (s->feed && *s->feed) {
        const char *comma = strchr(s->feed, ',');
        size_t n = comma ? (size_t)(comma - s->feed) : strlen(s->feed);
        buf_append(&s->line, s->feed, n);
        s->feed = comma ? comma + 1 : s->feed + n;
        return true;
    }
    if (s->tty) {
        fflush(s->out);
        char *l = readline("> ");
        if (!l)
            return false;
        if (*l)
            add_history(l);
        buf_puts(&s->line, l);
        free(l);
        return true;
    }
    int c;
    bool any = false;
    while ((c = fgetc(s->in)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        buf_putc(&s->line, (char)c);
    }
    return any;
}

static void handle(session *s, char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    size_t n = strlen(line);
    while (n && isspace((unsigned char)line[n - 1]))
        line[--n] = '\0';
    if (!n)
        return;
    const pk_choice *list[256];
    int count = game_over(s->g) ? 0 : shown(s, list);
    char *end;
    long k = strtol(line, &end, 10);
    if (end != line && *end == '\0') {
        if (k < 1 || k > count) {
            buf_reset(&s->text);
            if (count)
                buf_printf(&s->text, "There is no choice %ld: type a number from 1 to %d.", k, count);
            else
                buf_puts(&s->text, "The story has ended: type 'undo' to go back, or 'quit'.");
            says(s, buf_str(&s->text));
            return;
        }
        const pk_choice *c = list[k - 1];
        if (game_choose(s->g, c) == GAME_DISABLED) {
            buf_reset(&s->text);
            buf_printf(&s->text, "You can't choose that now: %s",
                       c->disabled_text ? c->disabled_text : "Not now.");
            says(s, buf_str(&s->text));
            return;
        }
        fputc('\n', s->out);
        buf_reset(&s->text);
        buf_puts(&s->text, "> ");
        pack_render(&c->text, game_step_state(s->g, game_steps(s->g) - 1), &s->text);
        says(s, buf_str(&s->text));
        buf_reset(&s->text);
        game_reply(s->g, &s->text);
        if (s->text.len) {
            fputc('\n', s->out);
            says(s, buf_str(&s->text));
        }
        if (s->o->reveal)
            show_reveal(s);
        show_scene(s);
        return;
    }
    char *arg = line;
    while (*arg && !isspace((unsigned char)*arg))
        arg++;
    if (*arg)
        *arg++ = '\0';
    while (isspace((unsigned char)*arg))
        arg++;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(line, commands[i].name) || !strcmp(line, commands[i].alias)) {
            commands[i].run(s, arg);
            return;
        }
    buf_reset(&s->text);
    if (count)
        buf_printf(&s->text, "Type a number from 1 to %d to choose, or 'help' for commands.", count);
    else
        buf_puts(&s->text, "Type 'undo', 'look' or 'quit' ('help' for more).");
    says(s, buf_str(&s->text));
}

int play_run(const pack *p, const play_opts *o, FILE *in, FILE *out)
{
    session s = {.p = p, .o = o, .in = in, .out = out, .last_chapter = -1, .feed = o->choices};
    s.tty = isatty(fileno(in)) && isatty(fileno(out));
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    s.style.styled = !o->plain && isatty(fileno(out)) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
    s.g = game_new(p);
    game_start(s.g, o->seed, o->options);

    buf_printf(&s.text, "**%s**", p->title);
    says(&s, buf_str(&s.text));
    if (p->description) {
        fputc('\n', out);
        says(&s, p->description);
    }
    show_scene(&s);
    while (!s.quit) {
        if (s.tty && !s.feed)
            fputc('\n', out);
        if (!read_input(&s))
            break;
        handle(&s, s.line.data ? s.line.data : (char *)"");
        if (game_over(s.g) && !s.tty && !(s.feed && *s.feed))
            break;
    }
    fflush(out);
    int status = ferror(out) ? 1 : 0;
    game_free(s.g);
    buf_free(&s.text);
    buf_free(&s.line);
    return status;
}

int play_nvars(const pack *p)
{
    return p->nvars;
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
