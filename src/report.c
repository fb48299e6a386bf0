/*
 * report: a playthrough's reveal written as a file (Markdown, JSON, HTML,
 * CSV), and the class summary read back from JSON reports. It owns the
 * four renderers, the atomic write, and a small strict JSON reader used
 * only for `iwm class`; it does not compute anything about the game
 * (reveal.c does) and does not parse the command line (main.c does).
 *
 * Every string that comes from the pack, the game or the player goes
 * through clean() first (out_sanitize, then white space collapsed), and
 * only then through the escaper of the format; no renderer appends pack
 * text any other way. Numbers are formatted by hand (num()), never with
 * "%f", so that a locale with a decimal comma can never break JSON, CSV
 * or SVG. docs/report-format.md documents what each format holds.
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "out.h"
#include "pack_int.h"
#include "utf8.h"
#include "xalloc.h"

#ifndef IWM_VERSION
#define IWM_VERSION "unknown"
#endif

enum {
    JSON_MAX_BYTES = 16 * 1024 * 1024, /* per report read by report_class */
    JSON_MAX_DEPTH = 64,
    JSON_MAX_MEMBERS = 4096,  /* keys in one object: duplicate checks are quadratic */
    NAME_MAX_BYTES = 200,     /* the player's name, after cleaning */
    CLASS_TOP_SCENES = 5,
    CLASS_TOP_CHOICES = 4,
    CHART_MAX_POINTS = 600,   /* a polyline is thinned beyond this many steps */
};

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* Messages quote damaged files and reach a terminal: only printable
     * text goes out (out_sanitize's rules; the result is never longer). */
    buf safe = BUF_INIT;
    out_sanitize(&safe, err, strlen(err));
    snprintf(err, errlen, "%s", buf_str(&safe));
    buf_free(&safe);
}

report_format report_format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return REPORT_UNKNOWN;
    if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
        return REPORT_MD;
    if (!strcasecmp(dot, ".json"))
        return REPORT_JSON;
    if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
        return REPORT_HTML;
    if (!strcasecmp(dot, ".csv"))
        return REPORT_CSV;
    return REPORT_UNKNOWN;
}

/* ---- text --------------------------------------------------------------- */

/* Appends s made safe for every format: sanitised (out_sanitize drops
 * control, bidi and invalid bytes), every run of white space, newlines
 * included, collapsed to one space, and trimmed. s may be NULL. */
static void clean(buf *dst, const char *s)
{
    if (!s)
        return;
    buf t = BUF_INIT;
    out_sanitize(&t, s, strlen(s));
    bool space = false, any = false;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.data[i];
        if (c == ' ' || c == '\n') {
            space = any;
            continue;
        }
        if (space)
            buf_putc(dst, ' ');
        space = false;
        any = true;
        buf_putc(dst, c);
    }
    buf_free(&t);
}

/* Appends a number with a fixed number of decimals (0-3), '.' always. */
static void num(buf *b, double v, int decimals)
{
    static const long long scale[] = {1, 10, 100, 1000};
    if (!isfinite(v))
        v = 0;
    long long k = llround(fabs(v) * (double)scale[decimals]);
    if (v < 0 && k)
        buf_putc(b, '-');
    buf_printf(b, "%lld", k / scale[decimals]);
    if (decimals)
        buf_printf(b, ".%0*lld", decimals, k % scale[decimals]);
}

static const char *var_label(const pk_var *v)
{
    return v->label ? v->label : v->name;
}

static const char *scene_title(const pk_scene *s)
{
    return s->title ? s->title : s->id;
}

static const char *chapter_title(const pack *p, int c)
{
    return p->chapters[c].title ? p->chapters[c].title : p->chapters[c].id;
}

/* The text of choice c as the player saw it in state st (raw pack text). */
static void choice_text(const pk_choice *c, const int32_t *st, buf *out)
{
    pack_render(&c->text, st, out);
}

/* The state in which a path change's texts are shown: the player's first
 * visit to the scene, else the start (as the terminal reveal does). */
static const int32_t *state_at_scene(const game *g, const pk_scene *sc)
{
    for (size_t k = 0; k < game_steps(g); k++)
        if (game_step_scene(g, k) == sc)
            return game_step_state(g, k);
    return game_step_state(g, 0);
}

/* Whether variable i is a column of the trajectory (dimensions, counters). */
static bool traced(const pk_var *v)
{
    return v->kind == V_DIM || v->kind == V_COUNTER;
}

/* ---- what every format shows -------------------------------------------- */

/* The snapshot's moment: the step on which it was taken (-1: none) and
 * the chapter just played then, which the reports name it by. */
typedef struct snapinfo {
    long step;
    int chapter;
} snapinfo;

static snapinfo snapshot_info(const reveal *r)
{
    snapinfo si = {-1, -1};
    if (!r->ok || !r->has_start)
        return si;
    const pk_reveal *rv = &r->p->reveal;
    for (size_t i = 0; i <= game_steps(r->g); i++)
        if (game_step_scene(r->g, i)->snapshot == rv->snapshot) {
            si.step = (long)i;
            si.chapter = game_step_scene(r->g, i > 0 ? i - 1 : 0)->chapter;
            break;
        }
    return si;
}

static const char *snapshot_name(const reveal *r, snapinfo si)
{
    return si.chapter >= 0 ? chapter_title(r->p, si.chapter) : "the first chapter";
}

/* The points of the map's path, in the order reveal_map draws them, so
 * that the numbers in the HTML map and in every legend match the text
 * map: the snapshot, the end of each chapter but the first (when the
 * snapshot stands for it), then the end. */
typedef struct mpoint {
    int32_t x, y;
    int kind;    /* 0 snapshot, 1 chapter, 2 now */
    int chapter; /* kind 1 */
    int no;      /* kind 1: 1-based number on the map */
} mpoint;

static int map_points(const reveal *r, mpoint *pt)
{
    int n = 0, no = 0;
    if (r->has_start)
        pt[n++] = (mpoint){r->sx, r->sy, 0, -1, 0};
    for (int i = 0; i < r->nchapters && n < 64; i++) {
        if (r->has_start && r->chapter[i] == r->p->scenes[0]->chapter)
            continue;
        no++;
        pt[n++] = (mpoint){r->cx[i], r->cy[i], 1, r->chapter[i], no < 9 ? no : 9};
    }
    pt[n++] = (mpoint){r->x, r->y, 2, -1, 0};
    return n;
}

/* The sentence every format carries, worded as the terminal reveal
 * (reveal.c) words it, with its markup. */
static void diagnosis_note(const reveal *r, buf *t)
{
    buf_printf(t,
               "*This is your character's position in this story, not a diagnosis of you.* The lines at "
               "%d are a convention, not a clinical cut-off: the research finds attachment to be a matter of "
               "degree along both axes. If you want to know your own style, validated questionnaires exist "
               "(such as the ECR-R), best taken with a psychologist or in a research study; if something "
               "here touched a sore place, a counsellor or your doctor is a good first call.",
               (int)r->p->reveal.mid_y);
}

/* "This is where it ended: ..." as the terminal reveal says it. */
static void position_intro(const reveal *r, buf *t)
{
    const pack *p = r->p;
    const pk_var *vx = &p->vars[p->reveal.x], *vy = &p->vars[p->reveal.y];
    buf_printf(t,
               "The story kept track of a model your character built of themselves and of other "
               "people. This is where it ended: %s %d and %s %d (each from %d to %d).",
               var_label(vy), (int)r->y, var_label(vx), (int)r->x, (int)vy->min, (int)vy->max);
}

/* The nearest prototype in words (markup included), as in the terminal. */
static void position_words(const reveal *r, buf *t)
{
    const pack *p = r->p;
    if (r->nearest >= 0) {
        const pk_region *near = p->styles[p->reveal.proto_style[r->nearest]];
        if (r->between)
            buf_printf(t,
                       "This position lies **between prototypes**, close to a cut-off line; the nearest is "
                       "**%s** (distance %ld).",
                       near->label, lround(r->nearest_dist));
        else
            buf_printf(t, "The nearest prototype is **%s** (distance %ld).", near->label, lround(r->nearest_dist));
    }
}

static void then_now(const reveal *r, snapinfo si, buf *t)
{
    const pack *p = r->p;
    const pk_var *vx = &p->vars[p->reveal.x], *vy = &p->vars[p->reveal.y];
    buf_printf(t, "At the end of %s: %s %d, %s %d", snapshot_name(r, si), var_label(vy), (int)r->sy,
               var_label(vx), (int)r->sx);
    if (r->start_style >= 0)
        buf_printf(t, " (%s)", p->styles[r->start_style]->label);
    buf_printf(t, ". Now: %s %d, %s %d", var_label(vy), (int)r->y, var_label(vx), (int)r->x);
    if (r->style >= 0)
        buf_printf(t, " (%s)", p->styles[r->style]->label);
    buf_puts(t, ".");
}

static void path_heading(const reveal *r, buf *t)
{
    const pack *p = r->p;
    if (r->toward_goal)
        buf_printf(t, "The nearest path to %s", p->outcomes[p->reveal.goal]->label);
    else
        buf_puts(t, "What protected this position, and the nearest path away from it");
}

static void path_summary(const reveal *r, buf *t)
{
    const pack *p = r->p;
    if (!r->found) {
        buf_printf(t, "No path within %d changed choices was found from this playthrough.", REVEAL_MAX_CHANGES);
        return;
    }
    buf_printf(t, "%d changed choice%s would have %s:", r->nchanges, r->nchanges == 1 ? "" : "s",
               r->toward_goal ? "ended there" : "ended outside it");
    if (!r->toward_goal)
        buf_printf(t, " the choices below held the position; made the other way, the ending would have been %s.",
                   r->alt_style >= 0 ? p->styles[r->alt_style]->label : "different");
}

static int style_now(const game *g, const reveal *r)
{
    return r->ok ? r->style : pack_style(game_pack(g), game_state(g));
}

/* ---- JSON writer -------------------------------------------------------- */

static void json_str(buf *out, const char *s)
{
    if (!s) {
        buf_puts(out, "null");
        return;
    }
    buf t = BUF_INIT;
    clean(&t, s); /* sanitised first: a report never carries a control character */
    buf_json(out, buf_str(&t));
    buf_free(&t);
}

/* A pretty-printing writer: one member per line, except inside containers
 * opened "inline", which stay on one line (a trajectory step, a moment). */
typedef struct jw {
    buf *out;
    int depth;
    bool first[JSON_MAX_DEPTH + 1];
    bool inl[JSON_MAX_DEPTH + 1];
} jw;

static void jw_sep(jw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->first[w->depth])
            buf_putc(w->out, ',');
        w->first[w->depth] = false;
        if (w->inl[w->depth]) {
            buf_putc(w->out, ' ');
        } else {
            buf_putc(w->out, '\n');
            for (int i = 0; i < w->depth; i++)
                buf_puts(w->out, "  ");
        }
    }
    if (key) {
        json_str(w->out, key);
        buf_puts(w->out, ": ");
    }
}

static void jw_open(jw *w, const char *key, char c, bool inl)
{
    jw_sep(w, key);
    buf_putc(w->out, c);
    w->depth++;
    w->first[w->depth] = true;
    w->inl[w->depth] = inl || w->inl[w->depth - 1];
}

static void jw_close(jw *w, char c)
{
    bool empty = w->first[w->depth], inl = w->inl[w->depth];
    w->depth--;
    if (inl && !empty)
        buf_putc(w->out, ' ');
    else if (!empty) {
        buf_putc(w->out, '\n');
        for (int i = 0; i < w->depth; i++)
            buf_puts(w->out, "  ");
    }
    buf_putc(w->out, c);
}

static void jw_str(jw *w, const char *key, const char *s)
{
    jw_sep(w, key);
    json_str(w->out, s);
}

static void jw_int(jw *w, const char *key, long long v)
{
    jw_sep(w, key);
    buf_printf(w->out, "%lld", v);
}

static void jw_num(jw *w, const char *key, double v, int decimals)
{
    jw_sep(w, key);
    num(w->out, v, decimals);
}

static void jw_bool(jw *w, const char *key, bool v)
{
    jw_sep(w, key);
    buf_puts(w->out, v ? "true" : "false");
}

static void jw_null(jw *w, const char *key)
{
    jw_sep(w, key);
    buf_puts(w->out, "null");
}

/* {"name", "label"} of style i, or null. */
static void jw_style(jw *w, const char *key, const pack *p, int i)
{
    if (i < 0) {
        jw_null(w, key);
        return;
    }
    jw_open(w, key, '{', true);
    jw_str(w, "name", p->styles[i]->name);
    jw_str(w, "label", p->styles[i]->label);
    jw_close(w, '}');
}

/* Each dimension and counter of st, by name. */
static void jw_state(jw *w, const char *key, const pack *p, const int32_t *st)
{
    jw_open(w, key, '{', true);
    for (int i = 0; i < p->nvars; i++)
        if (traced(&p->vars[i]))
            jw_int(w, p->vars[i].name, st[i]);
    jw_close(w, '}');
}

static void jw_moments(jw *w, const char *key, const reveal *r, const reveal_moment *m, int n)
{
    buf t = BUF_INIT;
    jw_open(w, key, '[', false);
    for (int i = 0; i < n; i++) {
        const pk_scene *sc = game_step_scene(r->g, m[i].step);
        buf_reset(&t);
        choice_text(game_step_choice(r->g, m[i].step), game_step_state(r->g, m[i].step), &t);
        jw_open(w, NULL, '{', true);
        jw_int(w, "step", (long long)m[i].step + 1);
        jw_str(w, "scene", sc->id);
        jw_str(w, "scene_title", scene_title(sc));
        jw_str(w, "choice", game_step_choice(r->g, m[i].step)->id);
        jw_str(w, "choice_text", buf_str(&t));
        jw_int(w, "delta", m[i].delta);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    buf_free(&t);
}

static void jw_axis(jw *w, const char *key, const pk_var *v, int32_t value, int32_t cut)
{
    jw_open(w, key, '{', true);
    jw_str(w, "name", v->name);
    jw_str(w, "label", var_label(v));
    jw_int(w, "min", v->min);
    jw_int(w, "max", v->max);
    jw_int(w, "value", value);
    jw_int(w, "cut", cut);
    jw_close(w, '}');
}

static void render_json(const game *g, const reveal *r, const char *name, buf *out)
{
    const pack *p = game_pack(g);
    const pk_reveal *rv = &p->reveal;
    const int32_t *st = game_state(g);
    size_t steps = game_steps(g);
    snapinfo si = snapshot_info(r);
    jw w = {.out = out};
    buf t = BUF_INIT;

    jw_open(&w, NULL, '{', false);
    jw_int(&w, "format", REPORT_VERSION);
    jw_str(&w, "generator", "iwm " IWM_VERSION);
    jw_open(&w, "pack", '{', false);
    jw_str(&w, "id", p->id);
    jw_str(&w, "title", p->title);
    jw_str(&w, "version", p->version);
    jw_str(&w, "hash", p->hash);
    jw_close(&w, '}');
    jw_str(&w, "name", name && *name ? name : NULL);
    jw_sep(&w, "seed");
    buf_printf(out, "%llu", (unsigned long long)game_seed(g));
    jw_open(&w, "options", '{', false);
    for (int i = 0; i < p->nvars; i++)
        if (p->vars[i].kind == V_OPTION) {
            int32_t k = game_step_state(g, 0)[i];
            jw_str(&w, p->vars[i].name, k >= 0 && k < p->vars[i].nvalues ? p->vars[i].values[k] : NULL);
        }
    jw_close(&w, '}');
    jw_int(&w, "steps", (long long)steps);
    if (game_over(g)) {
        const pk_scene *e = game_scene(g);
        jw_open(&w, "ending", '{', true);
        jw_str(&w, "scene", e->id);
        jw_str(&w, "title", e->ending_title ? e->ending_title : scene_title(e));
        jw_close(&w, '}');
    } else {
        jw_null(&w, "ending");
    }
    jw_style(&w, "style", p, style_now(g, r));

    if (r->ok) {
        jw_open(&w, "axes", '{', false);
        jw_axis(&w, "x", &p->vars[rv->x], r->x, rv->mid_x);
        jw_axis(&w, "y", &p->vars[rv->y], r->y, rv->mid_y);
        jw_close(&w, '}');
        jw_open(&w, "prototypes", '[', false);
        for (int i = 0; i < rv->nproto; i++) {
            jw_open(&w, NULL, '{', true);
            jw_str(&w, "style", p->styles[rv->proto_style[i]]->name);
            jw_str(&w, "label", p->styles[rv->proto_style[i]]->label);
            jw_int(&w, "x", rv->proto_x[i]);
            jw_int(&w, "y", rv->proto_y[i]);
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
    } else {
        jw_null(&w, "axes");
        jw_open(&w, "prototypes", '[', false);
        jw_close(&w, ']');
    }
    if (r->ok && r->nearest >= 0) {
        const pk_region *near = p->styles[rv->proto_style[r->nearest]];
        jw_open(&w, "nearest", '{', true);
        jw_str(&w, "style", near->name);
        jw_str(&w, "label", near->label);
        jw_num(&w, "distance", r->nearest_dist, 2);
        jw_bool(&w, "between", r->between);
        jw_close(&w, '}');
    } else {
        jw_null(&w, "nearest");
    }
    if (r->ok && r->has_start) {
        jw_open(&w, "childhood", '{', false);
        jw_str(&w, "snapshot", p->snapshots[rv->snapshot]);
        jw_str(&w, "name", snapshot_name(r, si));
        jw_int(&w, "step", si.step);
        jw_int(&w, "x", r->sx);
        jw_int(&w, "y", r->sy);
        jw_style(&w, "style", p, r->start_style);
        jw_close(&w, '}');
    } else {
        jw_null(&w, "childhood");
    }
    if (rv->present && rv->goal >= 0)
        jw_bool(&w, "earned_security", pack_outcome(p, rv->goal, st));
    else
        jw_null(&w, "earned_security");
    jw_open(&w, "outcomes", '[', false);
    for (int i = 0; i < p->noutcomes; i++)
        if (pack_outcome(p, i, st)) {
            jw_open(&w, NULL, '{', false);
            jw_str(&w, "name", p->outcomes[i]->name);
            jw_str(&w, "label", p->outcomes[i]->label);
            jw_str(&w, "description", p->outcomes[i]->description ? p->outcomes[i]->description : "");
            jw_close(&w, '}');
        }
    jw_close(&w, ']');
    if (r->ok) {
        buf_reset(&t);
        diagnosis_note(r, &t);
        /* the note without its emphasis markers */
        size_t k = 0;
        for (size_t i = 0; i < t.len; i++)
            if (t.data[i] != '*')
                t.data[k++] = t.data[i];
        t.len = k;
        t.data[k] = '\0';
        jw_str(&w, "note", t.data);
    } else {
        jw_null(&w, "note");
    }
    jw_open(&w, "chapters", '[', false);
    for (int i = 0; r->ok && i < r->nchapters; i++) {
        jw_open(&w, NULL, '{', true);
        jw_str(&w, "id", p->chapters[r->chapter[i]].id);
        jw_str(&w, "title", chapter_title(p, r->chapter[i]));
        jw_int(&w, "x", r->cx[i]);
        jw_int(&w, "y", r->cy[i]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_state(&w, "start_state", p, game_step_state(g, 0));
    jw_open(&w, "trajectory", '[', false);
    for (size_t i = 0; i < steps; i++) {
        const pk_scene *sc = game_step_scene(g, i);
        buf_reset(&t);
        choice_text(game_step_choice(g, i), game_step_state(g, i), &t);
        jw_open(&w, NULL, '{', true);
        jw_int(&w, "step", (long long)i + 1);
        jw_str(&w, "chapter", p->chapters[sc->chapter].id);
        jw_str(&w, "scene", sc->id);
        jw_str(&w, "scene_title", scene_title(sc));
        jw_str(&w, "choice", game_step_choice(g, i)->id);
        jw_str(&w, "choice_text", buf_str(&t));
        jw_state(&w, "state", p, game_step_state(g, i + 1));
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "moments", '{', false);
    jw_moments(&w, "x", r, r->mx, r->ok ? r->nmx : 0);
    jw_moments(&w, "y", r, r->my, r->ok ? r->nmy : 0);
    jw_close(&w, '}');

    jw_open(&w, "path_to_earned_security", '{', false);
    jw_bool(&w, "searched", r->ok && r->searched);
    jw_bool(&w, "found", r->ok && r->found);
    if (r->ok && r->searched)
        jw_str(&w, "toward", r->toward_goal ? "goal" : "away_from_secure");
    else
        jw_null(&w, "toward");
    jw_open(&w, "changes", '[', false);
    for (int i = 0; r->ok && r->found && i < r->nchanges; i++) {
        const reveal_change *c = &r->change[i];
        const int32_t *at = state_at_scene(g, c->scene);
        jw_open(&w, NULL, '{', true);
        jw_str(&w, "scene", c->scene->id);
        jw_str(&w, "scene_title", scene_title(c->scene));
        if (c->was) {
            buf_reset(&t);
            choice_text(c->was, at, &t);
            jw_str(&w, "was_choice", c->was->id);
            jw_str(&w, "was", buf_str(&t));
        } else {
            jw_null(&w, "was_choice");
            jw_null(&w, "was");
        }
        buf_reset(&t);
        choice_text(c->instead, at, &t);
        jw_str(&w, "instead_choice", c->instead->id);
        jw_str(&w, "instead", buf_str(&t));
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    if (r->ok && r->found && r->alt_ending) {
        jw_str(&w, "ending", r->alt_ending->id);
        jw_str(&w, "ending_title",
               r->alt_ending->ending_title ? r->alt_ending->ending_title : scene_title(r->alt_ending));
    } else {
        jw_null(&w, "ending");
        jw_null(&w, "ending_title");
    }
    jw_style(&w, "style", p, r->ok && r->found ? r->alt_style : -1);
    jw_close(&w, '}');

    jw_open(&w, "debrief", '[', false);
    for (int i = 0; rv->present && i < rv->ndebrief; i++)
        jw_str(&w, NULL, rv->debrief[i]);
    jw_close(&w, ']');
    jw_open(&w, "references", '[', false);
    for (int i = 0; rv->present && i < rv->nreferences; i++)
        jw_str(&w, NULL, rv->references[i]);
    jw_close(&w, ']');
    jw_close(&w, '}');
    buf_putc(out, '\n');
    buf_free(&t);
}

/* ---- Markdown ----------------------------------------------------------- */

/* Appends s for Markdown: cleaned; the pack's own **strong** and *em*
 * markup is Markdown already and kept; what would start a link, code,
 * raw HTML, an entity or a table cell is escaped (an '&' only where it
 * could begin an entity). */
static void md_text(buf *out, const char *s)
{
    buf t = BUF_INIT;
    clean(&t, s);
    for (size_t i = 0; i < t.len; i++) {
        char c = t.data[i];
        switch (c) {
        case '\\': case '`': case '[': case ']': case '|': case '_':
            buf_putc(out, '\\');
            buf_putc(out, c);
            break;
        case '#':
            if (i == 0)
                buf_putc(out, '\\');
            buf_putc(out, c);
            break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '&':
            /* only where it could start an entity: "A & B" stays readable */
            if (i + 1 < t.len && (t.data[i + 1] == '#' ||
                                   ((t.data[i + 1] | 0x20) >= 'a' && (t.data[i + 1] | 0x20) <= 'z')))
                buf_puts(out, "&amp;");
            else
                buf_putc(out, c);
            break;
        default: buf_putc(out, c);
        }
    }
    buf_free(&t);
}

/* A fenced block holding text (already sanitised): the fence is longer
 * than any run of backticks inside. */
static void md_fence(buf *out, const buf *text)
{
    size_t run = 0, best = 0;
    for (size_t i = 0; i < text->len; i++) {
        run = text->data[i] == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    int n = best < 3 ? 3 : (int)best + 1;
    for (int i = 0; i < n; i++)
        buf_putc(out, '`');
    buf_puts(out, "text\n");
    buf_append(out, buf_str(text), text->len);
    if (text->len && text->data[text->len - 1] != '\n')
        buf_putc(out, '\n');
    for (int i = 0; i < n; i++)
        buf_putc(out, '`');
    buf_puts(out, "\n\n");
}

/* The map with its axis labels and legend, as plain (sanitised) text. */
static void map_block(const reveal *r, snapinfo si, buf *out)
{
    const pack *p = r->p;
    const pk_var *vx = &p->vars[p->reveal.x], *vy = &p->vars[p->reveal.y];
    buf raw = BUF_INIT, line = BUF_INIT;
    buf_printf(&raw, "       \u2191 %s\n", var_label(vy));
    reveal_map(r, true, &raw);
    buf_printf(&raw, "       %s \u2192\n\n", var_label(vx));
    mpoint pt[66];
    int n = map_points(r, pt);
    buf_puts(&line, "  ");
    for (int i = 0; i < n; i++) {
        if (pt[i].kind == 0)
            buf_printf(&line, "\u25cb the end of %s  ", snapshot_name(r, si));
        else if (pt[i].kind == 1)
            buf_printf(&line, "%d %s  ", pt[i].no, chapter_title(p, pt[i].chapter));
        else
            buf_puts(&line, "\u25cf now");
    }
    buf_puts(&raw, line.data);
    buf_putc(&raw, '\n');
    out_sanitize(out, raw.data, raw.len);
    buf_free(&raw);
    buf_free(&line);
}

static void md_moments(buf *out, const reveal *r, const reveal_moment *m, int n, const pk_var *axis)
{
    buf t = BUF_INIT;
    for (int i = 0; i < n; i++) {
        const pk_scene *sc = game_step_scene(r->g, m[i].step);
        buf_puts(out, "- ");
        md_text(out, var_label(axis));
        buf_printf(out, " %+d \u2014 *", (int)m[i].delta);
        md_text(out, scene_title(sc));
        buf_puts(out, "*: \"");
        buf_reset(&t);
        choice_text(game_step_choice(r->g, m[i].step), game_step_state(r->g, m[i].step), &t);
        md_text(out, t.data);
        buf_printf(out, "\" (choice %zu)\n", m[i].step + 1);
    }
    buf_free(&t);
}

static void md_header(buf *out, const game *g, const char *name)
{
    const pack *p = game_pack(g);
    buf_puts(out, "# ");
    md_text(out, p->title);
    buf_puts(out, ": a playthrough report\n\n");
    if (name && *name) {
        buf_puts(out, "**Name:** ");
        md_text(out, name);
        buf_puts(out, "  \n");
    }
    buf_puts(out, "**Pack:** ");
    md_text(out, p->title);
    buf_puts(out, " (");
    md_text(out, p->id);
    buf_puts(out, " ");
    md_text(out, p->version);
    buf_printf(out, ")  \n**Seed:** %llu", (unsigned long long)game_seed(g));
    bool first = true;
    for (int i = 0; i < p->nvars; i++) {
        if (p->vars[i].kind != V_OPTION)
            continue;
        int32_t k = game_step_state(g, 0)[i];
        buf_puts(out, first ? " \u00b7 **Options:** " : ", ");
        first = false;
        md_text(out, p->vars[i].name);
        buf_puts(out, " = ");
        md_text(out, k >= 0 && k < p->vars[i].nvalues ? p->vars[i].values[k] : "?");
    }
    buf_puts(out, "  \n");
    if (game_over(g)) {
        const pk_scene *e = game_scene(g);
        buf_puts(out, "**Ending:** ");
        md_text(out, e->ending_title ? e->ending_title : scene_title(e));
        buf_printf(out, ", after %zu choice%s.\n\n", game_steps(g), game_steps(g) == 1 ? "" : "s");
    } else {
        buf_printf(out, "**In progress:** %zu choice%s so far.\n\n", game_steps(g), game_steps(g) == 1 ? "" : "s");
    }
}

static void render_md(const game *g, const reveal *r, const char *name, buf *out)
{
    const pack *p = game_pack(g);
    const pk_reveal *rv = &p->reveal;
    buf t = BUF_INIT;
    snapinfo si = snapshot_info(r);
    md_header(out, g, name);

    if (!r->ok) {
        buf_puts(out, "This pack has no `reveal` key: there is no map to show. The trajectory is in the CSV and JSON "
                      "reports.\n");
        buf_free(&t);
        return;
    }
    const pk_var *vx = &p->vars[rv->x], *vy = &p->vars[rv->y];

    buf_puts(out, "## What was hidden\n\n");
    position_intro(r, &t);
    md_text(out, t.data);
    buf_puts(out, "\n\n");
    buf_reset(&t);
    map_block(r, si, &t);
    md_fence(out, &t);
    buf_reset(&t);
    position_words(r, &t);
    md_text(out, t.data);
    int style = r->style;
    if (style >= 0 && p->styles[style]->description) {
        buf_puts(out, t.len ? " " : "");
        md_text(out, p->styles[style]->description);
    }
    buf_puts(out, "\n\n");
    buf_reset(&t);
    diagnosis_note(r, &t);
    md_text(out, t.data);
    buf_puts(out, "\n\n");

    if (r->has_start) {
        buf_puts(out, "## Then and now\n\n");
        buf_reset(&t);
        then_now(r, si, &t);
        md_text(out, t.data);
        buf_puts(out, "\n\n");
        for (int i = 0; i < p->noutcomes; i++) {
            if (!pack_outcome(p, i, game_state(g)))
                continue;
            buf_puts(out, "**");
            md_text(out, p->outcomes[i]->label);
            buf_puts(out, ".** ");
            md_text(out, p->outcomes[i]->description);
            buf_puts(out, "\n\n");
        }
    }

    buf_puts(out, "## The moments that moved the model most\n\n");
    md_moments(out, r, r->my, r->nmy, vy);
    md_moments(out, r, r->mx, r->nmx, vx);
    if (!r->nmx && !r->nmy)
        buf_puts(out, "No choice moved either axis.\n");
    buf_puts(out, "\n");

    if (r->searched) {
        buf_puts(out, "## ");
        buf_reset(&t);
        path_heading(r, &t);
        md_text(out, t.data);
        buf_puts(out, "\n\n");
        buf_reset(&t);
        path_summary(r, &t);
        md_text(out, t.data);
        buf_puts(out, "\n\n");
        for (int i = 0; r->found && i < r->nchanges; i++) {
            const reveal_change *c = &r->change[i];
            const int32_t *at = state_at_scene(g, c->scene);
            buf_puts(out, "- at *");
            md_text(out, scene_title(c->scene));
            buf_puts(out, "*, \"");
            buf_reset(&t);
            choice_text(c->instead, at, &t);
            md_text(out, t.data);
            buf_puts(out, "\"");
            if (c->was) {
                buf_puts(out, " instead of \"");
                buf_reset(&t);
                choice_text(c->was, at, &t);
                md_text(out, t.data);
                buf_puts(out, "\"");
            } else {
                buf_puts(out, " (a scene this playthrough never reached)");
            }
            buf_puts(out, "\n");
        }
        if (r->found && r->nchanges)
            buf_puts(out, "\n");
    }

    buf_puts(out, "## Over the whole game\n\n");
    buf_reset(&t);
    buf raw = BUF_INIT, lab = BUF_INIT;
    size_t lw = 0;
    for (int i = 0; i < p->nvars; i++)
        if (p->vars[i].kind == V_DIM) {
            buf_reset(&lab);
            clean(&lab, var_label(&p->vars[i]));
            size_t w = utf8_width(lab.data, lab.len);
            lw = w > lw ? w : lw;
        }
    for (int i = 0; i < p->nvars; i++) {
        if (p->vars[i].kind != V_DIM)
            continue;
        buf_reset(&lab);
        clean(&lab, var_label(&p->vars[i]));
        size_t w = utf8_width(lab.data, lab.len);
        buf_printf(&raw, "%s%*s ", buf_str(&lab), (int)(lw - w), "");
        reveal_sparkline(r, i, 60, true, &raw);
        buf_printf(&raw, " %d (%d to %d)\n", (int)game_state(g)[i], (int)p->vars[i].min, (int)p->vars[i].max);
    }
    out_sanitize(&t, raw.data ? raw.data : "", raw.len);
    md_fence(out, &t);
    buf_free(&raw);
    buf_free(&lab);

    if (rv->ndebrief) {
        buf_puts(out, "## Questions for discussion\n\n");
        for (int i = 0; i < rv->ndebrief; i++) {
            buf_printf(out, "%d. ", i + 1);
            md_text(out, rv->debrief[i]);
            buf_puts(out, "\n");
        }
        buf_puts(out, "\n");
    }
    if (rv->nreferences) {
        buf_puts(out, "## References\n\n");
        for (int i = 0; i < rv->nreferences; i++) {
            buf_puts(out, "- ");
            md_text(out, rv->references[i]);
            buf_puts(out, "\n");
        }
        buf_puts(out, "\n");
    }
    buf_puts(out, "---\n\n*Written by iwm " IWM_VERSION
                  ". The only personal detail in this report is the name, if one was given.*\n");
    buf_free(&t);
}

/* ---- CSV ---------------------------------------------------------------- */

/* One RFC 4180 field: quoted when it holds a comma, quote, CR or LF or
 * begins or ends with a space; quotes doubled. Text is cleaned first. */
static void csv_field(buf *out, const char *s)
{
    buf t = BUF_INIT;
    clean(&t, s);
    bool quote = t.len && (strpbrk(t.data, ",\"\r\n") || t.data[0] == ' ' || t.data[t.len - 1] == ' ');
    if (quote)
        buf_putc(out, '"');
    for (size_t i = 0; i < t.len; i++) {
        if (t.data[i] == '"')
            buf_putc(out, '"');
        buf_putc(out, t.data[i]);
    }
    if (quote)
        buf_putc(out, '"');
    buf_free(&t);
}

static void render_csv(const game *g, buf *out)
{
    const pack *p = game_pack(g);
    buf_puts(out, "step,chapter,scene,choice");
    for (int i = 0; i < p->nvars; i++)
        if (traced(&p->vars[i])) {
            buf_putc(out, ',');
            csv_field(out, p->vars[i].name);
        }
    buf_puts(out, "\r\n");
    size_t steps = game_steps(g);
    for (size_t s = 0; s <= steps; s++) {
        /* row 0: the start state; row s: the state after choice s */
        buf_printf(out, "%zu,", s);
        if (s > 0) {
            const pk_scene *sc = game_step_scene(g, s - 1);
            csv_field(out, p->chapters[sc->chapter].id);
            buf_putc(out, ',');
            csv_field(out, sc->id);
            buf_putc(out, ',');
            csv_field(out, game_step_choice(g, s - 1)->id);
        } else {
            buf_puts(out, ",,");
        }
        const int32_t *st = game_step_state(g, s);
        for (int i = 0; i < p->nvars; i++)
            if (traced(&p->vars[i]))
                buf_printf(out, ",%d", (int)st[i]);
        buf_puts(out, "\r\n");
    }
}

/* ---- HTML --------------------------------------------------------------- */

static void html_char(buf *out, char c)
{
    switch (c) {
    case '&': buf_puts(out, "&amp;"); break;
    case '<': buf_puts(out, "&lt;"); break;
    case '>': buf_puts(out, "&gt;"); break;
    case '"': buf_puts(out, "&quot;"); break;
    case '\'': buf_puts(out, "&#39;"); break;
    default: buf_putc(out, c);
    }
}

/* Whether q holds a single '*' (not part of "**") that could close an em. */
static bool single_star_ahead(const char *q)
{
    for (; *q; q++) {
        if (q[0] == '*' && q[1] == '*')
            q++;
        else if (*q == '*')
            return true;
    }
    return false;
}

/* Appends s as HTML text: cleaned and escaped; with markup, the pack's
 * **strong** and *em* become <strong> and <em> (only when matched, always
 * properly nested), as the terminal renders them bold and italic. */
static void html_text(buf *out, const char *s, bool markup)
{
    buf t = BUF_INIT;
    clean(&t, s);
    const char *q = buf_str(&t);
    char stack[2] = {0};
    int depth = 0;
    static const char *const open[] = {"<strong>", "<em>"}, *const close[] = {"</strong>", "</em>"};
    for (size_t i = 0; i < t.len;) {
        if (markup && q[i] == '*') {
            int tag = q[i + 1] == '*' ? 0 : 1, len = tag == 0 ? 2 : 1;
            int at = -1;
            for (int k = 0; k < depth; k++)
                if (stack[k] == tag)
                    at = k;
            if (at >= 0) {
                for (int k = depth - 1; k >= at; k--)
                    buf_puts(out, close[(int)stack[k]]);
                for (int k = at + 1; k < depth; k++) {
                    stack[k - 1] = stack[k];
                    buf_puts(out, open[(int)stack[k]]);
                }
                depth--;
                i += (size_t)len;
                continue;
            }
            if (tag == 0 ? strstr(q + i + 2, "**") != NULL : single_star_ahead(q + i + 1)) {
                buf_puts(out, open[tag]);
                stack[depth++] = (char)tag;
                i += (size_t)len;
                continue;
            }
        }
        html_char(out, q[i]);
        i++;
    }
    while (depth > 0)
        buf_puts(out, close[(int)stack[--depth]]);
    buf_free(&t);
}

/* A text for an SVG <text>, cut to at most max code points with an ellipsis. */
static void svg_text(buf *out, const char *s, size_t max)
{
    buf t = BUF_INIT, cut = BUF_INIT;
    clean(&t, s);
    size_t i = 0, n = 0;
    uint32_t cp;
    while (i < t.len && n < max) {
        size_t k = utf8_decode(t.data + i, t.len - i, &cp);
        if (!k)
            k = 1;
        i += k;
        n++;
    }
    buf_append(&cut, buf_str(&t), i);
    if (i < t.len)
        buf_puts(&cut, "\u2026");
    html_text(out, cut.data, false);
    buf_free(&t);
    buf_free(&cut);
}

static const char CSS[] =
    ":root{--fg:#1f2328;--muted:#59636e;--bg:#fdfcfa;--card:#f3f1ec;--line:#b9c0c8;--faint:#e3e6ea;"
    "--accent:#1f5fa8;--start:#a15c00;--c1:#1f5fa8;--c2:#b3261e;--c3:#1e7d4a;--c4:#7b3fa0;--c5:#a15c00;"
    "--c6:#0f7c8c;color-scheme:light dark}\n"
    "@media (prefers-color-scheme: dark){:root{--fg:#e6e8eb;--muted:#a0a8b3;--bg:#15181c;--card:#1f242a;"
    "--line:#58616c;--faint:#2a3038;--accent:#7db3f0;--start:#f0b35e;--c1:#7db3f0;--c2:#f28b82;--c3:#7fd4a0;"
    "--c4:#c9a0f0;--c5:#f0b35e;--c6:#6fd0dc}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\","
    "Roboto,sans-serif}\n"
    "main{max-width:52rem;margin:0 auto;padding:1.5rem 1.25rem 2rem}\n"
    "h1{font-size:1.55rem;line-height:1.2;margin:0 0 .3rem}\n"
    "h2{font-size:1.08rem;margin:1.3rem 0 .45rem;padding-bottom:.15rem;border-bottom:1px solid var(--line)}\n"
    "h3{font-size:1.02em;margin:.8rem 0 .3rem}\n"
    "p{margin:.45rem 0}ul,ol{margin:.3rem 0;padding-left:1.4rem}li{margin:.15rem 0}\n"
    ".meta{color:var(--muted);margin:0}.meta b{color:var(--fg);font-weight:600}\n"
    ".figs{display:flex;flex-wrap:wrap;gap:1rem;margin:.6rem 0}\n"
    "figure{margin:0;flex:1 1 19rem;min-width:0}figure.wide{flex:1.4 1 24rem}\n"
    "figcaption{font-size:.85em;color:var(--muted);margin-top:.2rem}\n"
    "svg{display:block;width:100%;height:auto;overflow:visible}\n"
    "svg text{fill:var(--fg);font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;font-size:11px}\n"
    "svg .muted{fill:var(--muted)}svg .proto{fill:var(--muted);font-size:12px;font-weight:600;opacity:.75}\n"
    "svg .small{font-size:9.5px}svg .num{font-size:9px;font-weight:700;fill:var(--bg)}\n"
    ".frame{fill:none;stroke:var(--line)}.cut{stroke:var(--line);stroke-dasharray:5 4}\n"
    ".grid{stroke:var(--faint)}.chap{stroke:var(--line);stroke-dasharray:2 3;opacity:.9}\n"
    ".path{fill:none;stroke:var(--accent);stroke-width:1.6;opacity:.75}\n"
    ".snap{fill:var(--bg);stroke:var(--start);stroke-width:2.2}.chpt{fill:var(--accent)}\n"
    ".now{fill:var(--accent);stroke:var(--bg);stroke-width:2}.dot{fill:var(--accent);fill-opacity:.55;"
    "stroke:var(--accent)}\n"
    ".shift{stroke:var(--muted);stroke-width:1.2;fill:none}\n"
    ".s1{stroke:var(--c1)}.s2{stroke:var(--c2);stroke-dasharray:7 3}.s3{stroke:var(--c3);stroke-dasharray:2 3}"
    ".s4{stroke:var(--c4);stroke-dasharray:9 3 2 3}.s5{stroke:var(--c5)}.s6{stroke:var(--c6);"
    "stroke-dasharray:7 3}\n"
    ".series{fill:none;stroke-width:2;stroke-linejoin:round}\n"
    ".note{border-left:3px solid var(--accent);background:var(--card);padding:.5rem .8rem;border-radius:0 4px "
    "4px 0}\n"
    ".spark{font-family:ui-monospace,\"SF Mono\",Menlo,Consolas,monospace;font-size:.85em;white-space:pre;"
    "overflow-x:auto;margin:.3rem 0}\n"
    "table{border-collapse:collapse;margin:.4rem 0}th,td{text-align:left;padding:.15rem .8rem .15rem 0;"
    "border-bottom:1px solid var(--faint)}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".refs li{font-size:.9em}footer{margin-top:1.5rem;font-size:.82em;color:var(--muted)}\n"
    "@media print{@page{size:A4;margin:11mm 12mm}\n"
    ":root{--fg:#000;--muted:#444;--bg:#fff;--card:#f2f2f2;--line:#999;--faint:#ddd;--accent:#1f5fa8;"
    "--start:#a15c00;--c1:#1f5fa8;--c2:#b3261e;--c3:#1e7d4a;--c4:#7b3fa0;--c5:#a15c00;--c6:#0f7c8c}\n"
    "body{font-size:9pt;line-height:1.35}main{max-width:none;padding:0}\n"
    "h1{font-size:14pt}h2{font-size:10.5pt;margin:.6rem 0 .25rem}p{margin:.25rem 0}li{margin:0}\n"
    "section,figure,table,.note{break-inside:avoid;page-break-inside: avoid}h2{break-after:avoid;"
    "page-break-after:avoid}\n"
    ".figs{gap:.6rem;margin:.3rem 0}figure{flex:1 1 40%}.note{padding:.3rem .6rem}.spark{font-size:7.5pt}"
    "footer{margin-top:.6rem}}\n";

static void html_head(buf *out, const pack *p, const char *title, const char *name)
{
    buf_puts(out, "<!DOCTYPE html>\n<html lang=\"");
    /* the pack's language when it is a plausible tag, else English */
    const char *lang = "en";
    if (p && p->language && strlen(p->language) <= 16 && strspn(p->language,
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(p->language) &&
        *p->language)
        lang = p->language;
    buf_puts(out, lang);
    buf_puts(out, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"iwm " IWM_VERSION "\">\n<title>");
    html_text(out, title, false);
    if (name && *name) {
        buf_puts(out, " \u2014 ");
        html_text(out, name, false);
    }
    buf_puts(out, "</title>\n<style>\n");
    buf_puts(out, CSS);
    buf_puts(out, "</style>\n</head>\n<body>\n<main>\n");
}

/* The frame of a map: what the report map and the class scatter share. */
typedef struct mapaxes {
    const char *xlabel, *ylabel;
    double xmin, xmax, xcut, ymin, ymax, ycut;
    int nproto;
    const char **plabel;
    double *px, *py;
} mapaxes;

enum { MAP_X0 = 48, MAP_Y0 = 10, MAP_W = 272, MAP_H = 236, MAP_VW = 336 };

static double mx(const mapaxes *a, double v)
{
    double span = a->xmax - a->xmin;
    return MAP_X0 + (v - a->xmin) * MAP_W / (span > 0 ? span : 1);
}

static double my(const mapaxes *a, double v)
{
    double span = a->ymax - a->ymin;
    return MAP_Y0 + MAP_H - (v - a->ymin) * MAP_H / (span > 0 ? span : 1);
}

/* Opens the map's <svg> (height h) and draws its frame, cut lines, ticks,
 * axis labels and the prototypes' quadrant labels. */
static void svg_map_open(buf *out, const mapaxes *a, int h, const char *aria)
{
    buf_printf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", MAP_VW, h);
    html_text(out, aria, false);
    buf_puts(out, "\">\n");
    buf_printf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", MAP_X0, MAP_Y0, MAP_W,
               MAP_H);
    buf_puts(out, "<line class=\"cut\" x1=\"");
    num(out, mx(a, a->xcut), 1);
    buf_printf(out, "\" y1=\"%d\" x2=\"", MAP_Y0);
    num(out, mx(a, a->xcut), 1);
    buf_printf(out, "\" y2=\"%d\"/>\n", MAP_Y0 + MAP_H);
    buf_printf(out, "<line class=\"cut\" x1=\"%d\" y1=\"", MAP_X0);
    num(out, my(a, a->ycut), 1);
    buf_printf(out, "\" x2=\"%d\" y2=\"", MAP_X0 + MAP_W);
    num(out, my(a, a->ycut), 1);
    buf_puts(out, "\"/>\n");
    double xt[3] = {a->xmin, a->xcut, a->xmax}, yt[3] = {a->ymin, a->ycut, a->ymax};
    for (int i = 0; i < 3; i++) {
        buf_puts(out, "<text class=\"muted small\" text-anchor=\"middle\" x=\"");
        num(out, mx(a, xt[i]), 1);
        buf_printf(out, "\" y=\"%d\">", MAP_Y0 + MAP_H + 13);
        num(out, xt[i], 0);
        buf_puts(out, "</text>\n<text class=\"muted small\" text-anchor=\"end\" x=\"");
        buf_printf(out, "%d\" y=\"", MAP_X0 - 5);
        num(out, my(a, yt[i]) + 3.5, 1);
        buf_puts(out, "\">");
        num(out, yt[i], 0);
        buf_puts(out, "</text>\n");
    }
    buf_printf(out, "<text text-anchor=\"middle\" x=\"%d\" y=\"%d\">", MAP_X0 + MAP_W / 2, MAP_Y0 + MAP_H + 28);
    svg_text(out, a->xlabel, 48);
    buf_puts(out, " \u2192</text>\n");
    buf_printf(out, "<text text-anchor=\"middle\" transform=\"translate(%d %d) rotate(-90)\">", 16,
               MAP_Y0 + MAP_H / 2);
    svg_text(out, a->ylabel, 40);
    buf_puts(out, " \u2192</text>\n");
    /* Quadrant labels centred on the prototypes, moved inward when their
     * estimated width (no font metrics without a browser: ~7px a
     * character at 12px bold) would cross the frame. */
    for (int i = 0; i < a->nproto; i++) {
        buf t = BUF_INIT;
        clean(&t, a->plabel[i]);
        size_t chars = 0;
        for (size_t k = 0; k < t.len; k++)
            chars += ((unsigned char)t.data[k] & 0xC0) != 0x80;
        buf_free(&t);
        double half = (double)(chars < 22 ? chars : 22) * 3.5 + 3, x = mx(a, a->px[i]);
        if (x + half > MAP_X0 + MAP_W)
            x = MAP_X0 + MAP_W - half;
        if (x - half < MAP_X0)
            x = MAP_X0 + half;
        buf_puts(out, "<text class=\"proto\" text-anchor=\"middle\" x=\"");
        num(out, x, 1);
        buf_puts(out, "\" y=\"");
        num(out, my(a, a->py[i]) + 4, 1);
        buf_puts(out, "\">");
        svg_text(out, a->plabel[i], 22);
        buf_puts(out, "</text>\n");
    }
}

static void svg_circle(buf *out, const char *cls, double x, double y, double r)
{
    buf_printf(out, "<circle class=\"%s\" cx=\"", cls);
    num(out, x, 1);
    buf_puts(out, "\" cy=\"");
    num(out, y, 1);
    buf_puts(out, "\" r=\"");
    num(out, r, 1);
    buf_puts(out, "\"/>");
}

static mapaxes report_axes(const reveal *r)
{
    const pack *p = r->p;
    const pk_reveal *rv = &p->reveal;
    mapaxes a = {var_label(&p->vars[rv->x]), var_label(&p->vars[rv->y]), p->vars[rv->x].min, p->vars[rv->x].max,
                 rv->mid_x, p->vars[rv->y].min, p->vars[rv->y].max, rv->mid_y, rv->nproto,
                 xcalloc((size_t)rv->nproto + 1, sizeof(char *)), xcalloc((size_t)rv->nproto + 1, sizeof(double)),
                 xcalloc((size_t)rv->nproto + 1, sizeof(double))};
    for (int i = 0; i < rv->nproto; i++) {
        a.plabel[i] = p->styles[rv->proto_style[i]]->label;
        a.px[i] = rv->proto_x[i];
        a.py[i] = rv->proto_y[i];
    }
    return a;
}

static void mapaxes_free(mapaxes *a)
{
    free(a->plabel);
    free(a->px);
    free(a->py);
}

/* The report's map: the path from the snapshot through each chapter's end
 * to the final position, and a legend under the plot. */
static void html_map(buf *out, const reveal *r, snapinfo si)
{
    const pack *p = r->p;
    mapaxes a = report_axes(r);
    mpoint pt[66];
    int n = map_points(r, pt);
    int rows = (n + 1) / 2, top = MAP_Y0 + MAP_H + 46;
    svg_map_open(out, &a, top + rows * 16, "The map of the hidden model");
    buf_puts(out, "<polyline class=\"path\" points=\"");
    for (int i = 0; i < n; i++) {
        num(out, mx(&a, pt[i].x), 1);
        buf_putc(out, ',');
        num(out, my(&a, pt[i].y), 1);
        buf_putc(out, i + 1 < n ? ' ' : '"');
    }
    buf_puts(out, "/>\n");
    for (int i = 0; i < n; i++) {
        double x = mx(&a, pt[i].x), y = my(&a, pt[i].y);
        if (pt[i].kind == 0)
            svg_circle(out, "snap", x, y, 5.5);
        else if (pt[i].kind == 1) {
            svg_circle(out, "chpt", x, y, 6.5);
            buf_puts(out, "<text class=\"num\" text-anchor=\"middle\" x=\"");
            num(out, x, 1);
            buf_puts(out, "\" y=\"");
            num(out, y + 3.2, 1);
            buf_printf(out, "\">%d</text>", pt[i].no);
        } else
            svg_circle(out, "now", x, y, 7.5);
        buf_putc(out, '\n');
    }
    /* the legend, two columns */
    for (int i = 0; i < n; i++) {
        double x = i % 2 ? 196 : 24, y = top + (double)((i - i % 2) / 2) * 16; /* two columns: row i / 2 */ /* NOLINT(bugprone-integer-division): the row number is meant to be whole */
        if (pt[i].kind == 0)
            svg_circle(out, "snap", x, y - 4, 4.5);
        else if (pt[i].kind == 1) {
            svg_circle(out, "chpt", x, y - 4, 6);
            buf_puts(out, "<text class=\"num\" text-anchor=\"middle\" x=\"");
            num(out, x, 1);
            buf_puts(out, "\" y=\"");
            num(out, y - 1, 1);
            buf_printf(out, "\">%d</text>", pt[i].no);
        } else
            svg_circle(out, "now", x, y - 4, 6);
        buf_puts(out, "<text x=\"");
        num(out, x + 11, 1);
        buf_puts(out, "\" y=\"");
        num(out, y, 1);
        buf_puts(out, "\">");
        if (pt[i].kind == 0) {
            buf_puts(out, "the end of ");
            svg_text(out, snapshot_name(r, si), 18);
        } else if (pt[i].kind == 1) {
            buf_puts(out, "the end of ");
            svg_text(out, chapter_title(p, pt[i].chapter), 18);
        } else {
            buf_puts(out, "now");
        }
        buf_puts(out, "</text>\n");
    }
    buf_puts(out, "</svg>\n");
    mapaxes_free(&a);
}

enum { CH_X0 = 40, CH_Y0 = 26, CH_W = 424, CH_H = 170, CH_VW = 476 };

/* The trajectory: every dimension over the game, each scaled to its own
 * range, with the chapters' boundaries and a legend. */
static void html_chart(buf *out, const game *g)
{
    const pack *p = game_pack(g);
    size_t steps = game_steps(g);
    int ndim = 0;
    for (int i = 0; i < p->nvars; i++)
        ndim += p->vars[i].kind == V_DIM;
    int rows = (ndim + 1) / 2, top = CH_Y0 + CH_H + 34;
    buf_printf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"The trajectory of every dimension\">\n",
               CH_VW, top + rows * 16);
    double span = steps ? (double)steps : 1;
#define CX(s) (CH_X0 + (double)(s) * CH_W / span)
    for (int k = 0; k <= 4; k++) {
        double y = CH_Y0 + CH_H * k / 4.0;
        buf_printf(out, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"", CH_X0, CH_X0 + CH_W);
        num(out, y, 1);
        buf_puts(out, "\" y2=\"");
        num(out, y, 1);
        buf_puts(out, "\"/>\n");
    }
    buf_printf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", CH_X0, CH_Y0, CH_W,
               CH_H);
    buf_printf(out, "<text class=\"muted small\" text-anchor=\"end\" x=\"%d\" y=\"%d\">max</text>\n", CH_X0 - 4,
               CH_Y0 + 4);
    buf_printf(out, "<text class=\"muted small\" text-anchor=\"end\" x=\"%d\" y=\"%d\">min</text>\n", CH_X0 - 4,
               CH_Y0 + CH_H + 3);
    /* chapters: a faint line at each boundary, the title over each span */
    size_t from = 0;
    for (size_t i = 0; i <= steps; i++) {
        bool end = i == steps || game_step_scene(g, i + 1)->chapter != game_step_scene(g, i)->chapter;
        if (!end)
            continue;
        size_t to = i + 1 <= steps ? i + 1 : steps;
        if (i < steps) {
            buf_puts(out, "<line class=\"chap\" x1=\"");
            num(out, CX(to), 1);
            buf_printf(out, "\" x2=\"");
            num(out, CX(to), 1);
            buf_printf(out, "\" y1=\"%d\" y2=\"%d\"/>\n", CH_Y0 - 12, CH_Y0 + CH_H);
        }
        double w = CX(to) - CX(from);
        size_t fit = w > 14 ? (size_t)((w - 4) / 5.6) : 0;
        if (fit >= 2 && (to > from || steps == 0)) {
            buf_puts(out, "<text class=\"muted small\" x=\"");
            num(out, CX(from) + 3, 1);
            buf_printf(out, "\" y=\"%d\">", CH_Y0 - 6);
            svg_text(out, chapter_title(p, game_step_scene(g, i)->chapter), fit);
            buf_puts(out, "</text>\n");
        }
        from = to;
        if (i == steps)
            break;
    }
    /* x ticks: the start, every 10 or 20 choices, the end */
    size_t every = steps > 120 ? 50 : steps > 50 ? 20 : 10;
    for (size_t s = 0; s <= steps; s += every) {
        if (s && steps - s < every / 2)
            continue;
        buf_puts(out, "<text class=\"muted small\" text-anchor=\"middle\" x=\"");
        num(out, CX(s), 1);
        buf_printf(out, "\" y=\"%d\">%zu</text>\n", CH_Y0 + CH_H + 13, s);
    }
    if (steps) {
        buf_puts(out, "<text class=\"muted small\" text-anchor=\"middle\" x=\"");
        num(out, CX(steps), 1);
        buf_printf(out, "\" y=\"%d\">%zu</text>\n", CH_Y0 + CH_H + 13, steps);
    }
    buf_printf(out, "<text class=\"muted small\" text-anchor=\"middle\" x=\"%d\" y=\"%d\">choices</text>\n",
               CH_X0 + CH_W / 2, CH_Y0 + CH_H + 24);
    int k = 0;
    for (int v = 0; v < p->nvars; v++) {
        const pk_var *var = &p->vars[v];
        if (var->kind != V_DIM)
            continue;
        double range = (double)var->max - var->min > 0 ? (double)var->max - var->min : 1; /* bounds may span all of int32 */
        size_t stride = steps / CHART_MAX_POINTS + 1;
        buf_printf(out, "<polyline class=\"series s%d\" points=\"", k % 6 + 1);
        for (size_t s = 0;; s += stride) {
            if (s > steps)
                s = steps;
            double y = CH_Y0 + CH_H - ((double)game_step_state(g, s)[v] - var->min) * CH_H / range;
            num(out, CX(s), 1);
            buf_putc(out, ',');
            num(out, y, 1);
            if (s == steps)
                break;
            buf_putc(out, ' ');
        }
        buf_puts(out, "\"/>\n");
        double lx = k % 2 ? 250 : 12, ly = top + (double)((k - k % 2) / 2) * 16; /* NOLINT(bugprone-integer-division): two columns, the row is whole */
        buf_printf(out, "<line class=\"series s%d\" x1=\"", k % 6 + 1);
        num(out, lx, 1);
        buf_puts(out, "\" x2=\"");
        num(out, lx + 22, 1);
        buf_puts(out, "\" y1=\"");
        num(out, ly - 4, 1);
        buf_puts(out, "\" y2=\"");
        num(out, ly - 4, 1);
        buf_puts(out, "\"/><text x=\"");
        num(out, lx + 28, 1);
        buf_puts(out, "\" y=\"");
        num(out, ly, 1);
        buf_puts(out, "\">");
        svg_text(out, var_label(var), 26);
        buf_printf(out, " %d</text>\n", (int)game_state(g)[v]);
        k++;
    }
#undef CX
    buf_puts(out, "</svg>\n");
}

static void html_header(buf *out, const game *g, const char *name)
{
    const pack *p = game_pack(g);
    buf_puts(out, "<header>\n<h1>");
    html_text(out, p->title, false);
    buf_puts(out, ": a playthrough report</h1>\n");
    if (name && *name) {
        buf_puts(out, "<p class=\"meta\"><b>");
        html_text(out, name, false);
        buf_puts(out, "</b></p>\n");
    }
    buf_puts(out, "<p class=\"meta\">");
    html_text(out, p->title, false);
    buf_puts(out, " (");
    html_text(out, p->id, false);
    buf_puts(out, " ");
    html_text(out, p->version, false);
    buf_printf(out, ") \u00b7 seed %llu", (unsigned long long)game_seed(g));
    for (int i = 0; i < p->nvars; i++) {
        if (p->vars[i].kind != V_OPTION)
            continue;
        int32_t k = game_step_state(g, 0)[i];
        buf_puts(out, " \u00b7 ");
        html_text(out, p->vars[i].name, false);
        buf_puts(out, ": ");
        html_text(out, k >= 0 && k < p->vars[i].nvalues ? p->vars[i].values[k] : "?", false);
    }
    if (game_over(g)) {
        const pk_scene *e = game_scene(g);
        buf_puts(out, " \u00b7 ending: ");
        html_text(out, e->ending_title ? e->ending_title : scene_title(e), true);
        buf_printf(out, ", after %zu choice%s", game_steps(g), game_steps(g) == 1 ? "" : "s");
    } else {
        buf_printf(out, " \u00b7 in progress, %zu choice%s so far", game_steps(g), game_steps(g) == 1 ? "" : "s");
    }
    buf_puts(out, "</p>\n</header>\n");
}

static void html_para(buf *out, const char *cls, const char *text)
{
    buf_puts(out, cls ? "<p class=\"" : "<p>");
    if (cls) {
        buf_puts(out, cls);
        buf_puts(out, "\">");
    }
    html_text(out, text, true);
    buf_puts(out, "</p>\n");
}

static void html_moments(buf *out, const reveal *r, const reveal_moment *m, int n, const pk_var *axis)
{
    buf t = BUF_INIT;
    for (int i = 0; i < n; i++) {
        const pk_scene *sc = game_step_scene(r->g, m[i].step);
        buf_puts(out, "<li>");
        html_text(out, var_label(axis), false);
        buf_printf(out, " <b>%+d</b> \u2014 <em>", (int)m[i].delta);
        html_text(out, scene_title(sc), false);
        buf_puts(out, "</em>: \u201c");
        buf_reset(&t);
        choice_text(game_step_choice(r->g, m[i].step), game_step_state(r->g, m[i].step), &t);
        html_text(out, t.data, true);
        buf_printf(out, "\u201d <span class=\"meta\">(choice %zu)</span></li>\n", m[i].step + 1);
    }
    buf_free(&t);
}

static void render_html(const game *g, const reveal *r, const char *name, buf *out)
{
    const pack *p = game_pack(g);
    const pk_reveal *rv = &p->reveal;
    buf t = BUF_INIT;
    snapinfo si = snapshot_info(r);
    buf_reset(&t);
    buf_printf(&t, "%s: a playthrough report", p->title);
    html_head(out, p, t.data, name);
    html_header(out, g, name);

    if (!r->ok) {
        buf_puts(out, "<p>This pack has no <code>reveal</code> key: there is no map to show.</p>\n");
        buf_puts(out, "<section>\n<h2>Over the whole game</h2>\n<figure class=\"wide\">\n");
        html_chart(out, g);
        buf_puts(out, "</figure>\n</section>\n");
    } else {
        const pk_var *vx = &p->vars[rv->x], *vy = &p->vars[rv->y];
        buf_puts(out, "<section id=\"position\">\n<h2>What was hidden</h2>\n");
        buf_reset(&t);
        position_intro(r, &t);
        html_para(out, NULL, t.data);
        buf_puts(out, "<div class=\"figs\">\n<figure>\n");
        html_map(out, r, si);
        buf_puts(out, "</figure>\n<figure class=\"wide\">\n");
        html_chart(out, g);
        buf_puts(out, "<figcaption>Each line is scaled to its own range (min to max); dotted lines mark the "
                      "chapters.</figcaption>\n</figure>\n</div>\n");
        buf_reset(&t);
        position_words(r, &t);
        if (r->style >= 0 && p->styles[r->style]->description) {
            buf_puts(&t, t.len ? " " : "");
            buf_puts(&t, p->styles[r->style]->description);
        }
        if (t.len)
            html_para(out, NULL, t.data);
        buf_reset(&t);
        diagnosis_note(r, &t);
        html_para(out, "note", t.data);
        buf_puts(out, "</section>\n");

        if (r->has_start) {
            buf_puts(out, "<section id=\"then-now\">\n<h2>Then and now</h2>\n");
            buf_reset(&t);
            then_now(r, si, &t);
            html_para(out, NULL, t.data);
            for (int i = 0; i < p->noutcomes; i++) {
                if (!pack_outcome(p, i, game_state(g)))
                    continue;
                buf_puts(out, "<p><strong>");
                html_text(out, p->outcomes[i]->label, false);
                buf_puts(out, ".</strong> ");
                html_text(out, p->outcomes[i]->description, true);
                buf_puts(out, "</p>\n");
            }
            buf_puts(out, "</section>\n");
        }

        buf_puts(out, "<section id=\"moments\">\n<h2>The moments that moved the model most</h2>\n<ul>\n");
        html_moments(out, r, r->my, r->nmy, vy);
        html_moments(out, r, r->mx, r->nmx, vx);
        if (!r->nmx && !r->nmy)
            buf_puts(out, "<li>No choice moved either axis.</li>\n");
        buf_puts(out, "</ul>\n</section>\n");

        if (r->searched) {
            buf_puts(out, "<section id=\"path\">\n<h2>");
            buf_reset(&t);
            path_heading(r, &t);
            html_text(out, t.data, false);
            buf_puts(out, "</h2>\n");
            buf_reset(&t);
            path_summary(r, &t);
            html_para(out, NULL, t.data);
            if (r->found && r->nchanges) {
                buf_puts(out, "<ul>\n");
                for (int i = 0; i < r->nchanges; i++) {
                    const reveal_change *c = &r->change[i];
                    const int32_t *at = state_at_scene(g, c->scene);
                    buf_puts(out, "<li>at <em>");
                    html_text(out, scene_title(c->scene), false);
                    buf_puts(out, "</em>, \u201c");
                    buf_reset(&t);
                    choice_text(c->instead, at, &t);
                    html_text(out, t.data, true);
                    buf_puts(out, "\u201d");
                    if (c->was) {
                        buf_puts(out, " instead of \u201c");
                        buf_reset(&t);
                        choice_text(c->was, at, &t);
                        html_text(out, t.data, true);
                        buf_puts(out, "\u201d");
                    } else {
                        buf_puts(out, " <span class=\"meta\">(a scene this playthrough never reached)</span>");
                    }
                    buf_puts(out, "</li>\n");
                }
                buf_puts(out, "</ul>\n");
            }
            buf_puts(out, "</section>\n");
        }

        if (rv->ndebrief) {
            buf_puts(out, "<section id=\"debrief\">\n<h2>Questions for discussion</h2>\n<ol>\n");
            for (int i = 0; i < rv->ndebrief; i++) {
                buf_puts(out, "<li>");
                html_text(out, rv->debrief[i], true);
                buf_puts(out, "</li>\n");
            }
            buf_puts(out, "</ol>\n</section>\n");
        }
        if (rv->nreferences) {
            buf_puts(out, "<section class=\"refs\" id=\"references\">\n<h2>References</h2>\n<ul>\n");
            for (int i = 0; i < rv->nreferences; i++) {
                buf_puts(out, "<li>");
                html_text(out, rv->references[i], true);
                buf_puts(out, "</li>\n");
            }
            buf_puts(out, "</ul>\n</section>\n");
        }
    }
    buf_puts(out, "<footer>Written by iwm " IWM_VERSION
                  ". The only personal detail in this report is the name, if one was given.</footer>\n"
                  "</main>\n</body>\n</html>\n");
    buf_free(&t);
}

/* ---- rendering and writing ---------------------------------------------- */

void report_render(const game *g, const reveal *r, report_format f, const char *name, buf *out)
{
    /* The name is the player's own text: cleaned, and bounded. */
    buf nm = BUF_INIT;
    clean(&nm, name);
    if (nm.len > NAME_MAX_BYTES) {
        size_t k = NAME_MAX_BYTES;
        while (k > 0 && ((unsigned char)nm.data[k] & 0xC0) == 0x80)
            k--; /* do not cut a character in half */
        nm.len = k;
        nm.data[k] = '\0';
    }
    const char *n = nm.len ? nm.data : NULL;
    switch (f) {
    case REPORT_MD: render_md(g, r, n, out); break;
    case REPORT_JSON: render_json(g, r, n, out); break;
    case REPORT_HTML: render_html(g, r, n, out); break;
    case REPORT_CSV: render_csv(g, out); break;
    case REPORT_UNKNOWN: break;
    }
    buf_free(&nm);
}

static int write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, data, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Writes data to path through path.tmp.PID and a rename, so that path
 * holds either the old file or the whole new one. */
static int write_atomic(const char *path, const char *data, size_t n, char *err, size_t errlen)
{
    size_t cap = strlen(path) + 32;
    char *tmp = xmalloc(cap);
    snprintf(tmp, cap, "%s.tmp.%ld", path, (long)getpid());
    const char *what = "cannot create";
    int rc = -1;
    int fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0)
        goto cleanup;
    what = "cannot write";
    if (write_all(fd, data, n) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        goto cleanup;
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        goto cleanup;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (rc != 0)
        seterr(err, errlen, "%s %s: %s", what, path, strerror(errno));
    free(tmp);
    return rc;
}

int report_write(const game *g, const char *path, const char *name, char *err, size_t errlen)
{
    report_format f = report_format_of(path);
    if (f == REPORT_UNKNOWN) {
        seterr(err, errlen, "cannot write %s: a report's name ends in .md, .json, .html or .csv", path);
        return -1;
    }
    reveal *r = xmalloc(sizeof *r);
    reveal_compute(r, g, true);
    buf b = BUF_INIT;
    report_render(g, r, f, name, &b);
    int rc = write_atomic(path, buf_str(&b), b.len, err, errlen);
    buf_free(&b);
    free(r);
    return rc;
}

/* ---- a strict JSON reader ----------------------------------------------- */

/*
 * RFC 8259, strictly: no comments, no trailing commas, no duplicate keys,
 * strings valid UTF-8 without raw control characters or NUL, at most
 * JSON_MAX_DEPTH levels and JSON_MAX_MEMBERS keys an object. Values live
 * in one arena per document. Numbers are converted by hand (no strtod, so
 * no locale); integers keep their exact value when they fit 64 bits.
 */
typedef enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
    jtype t;
    bool b;
    bool isint, neg; /* J_NUM: exact integer -u when neg, else u */
    uint64_t u;
    double num;
    const char *s; /* J_STR, NUL-terminated */
    size_t len;
    size_t n;               /* J_ARR, J_OBJ: members */
    const char **keys;      /* J_OBJ */
    struct jval **v;        /* J_ARR, J_OBJ */
} jval;

typedef struct jreader {
    const char *s;
    size_t n, pos;
    arena *a;
    char msg[160]; /* the error, or "" */
} jreader;

static jval *jparse_value(jreader *jr, int depth);

static void jfail(jreader *jr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void jfail(jreader *jr, const char *fmt, ...)
{
    if (jr->msg[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(jr->msg, sizeof jr->msg, fmt, ap);
    va_end(ap);
}

static void jskip(jreader *jr)
{
    while (jr->pos < jr->n && strchr(" \t\r\n", jr->s[jr->pos]) && jr->s[jr->pos])
        jr->pos++;
}

/* What is at the current position, for "expected X, found Y". */
static const char *jfound(const jreader *jr)
{
    static char b[24];
    if (jr->pos >= jr->n)
        return "the end of the file";
    unsigned char c = (unsigned char)jr->s[jr->pos];
    if (c >= 0x21 && c < 0x7F)
        snprintf(b, sizeof b, "'%c'", c);
    else
        snprintf(b, sizeof b, "byte 0x%02x", c);
    return b;
}

static int hex4(const char *s, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (uint32_t)d;
    }
    return 0;
}

/* A string at jr->pos (the opening quote); NULL on error. */
static char *jparse_string(jreader *jr, size_t *len)
{
    buf b = BUF_INIT;
    jr->pos++;
    for (;;) {
        if (jr->pos >= jr->n) {
            jfail(jr, "unterminated string");
            goto fail;
        }
        unsigned char c = (unsigned char)jr->s[jr->pos];
        if (c == '"') {
            jr->pos++;
            break;
        }
        if (c < 0x20) {
            jfail(jr, "a control character (0x%02x) in a string", c);
            goto fail;
        }
        if (c == '\\') {
            if (jr->pos + 1 >= jr->n) {
                jfail(jr, "unterminated string");
                goto fail;
            }
            char e = jr->s[jr->pos + 1];
            const char *map = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", e);
            if (e && map && (map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2 == 0) {
                buf_putc(&b, map[1]);
                jr->pos += 2;
                continue;
            }
            if (e != 'u') {
                jfail(jr, "an invalid escape '\\%c'", e >= 0x21 && e < 0x7F ? e : '?');
                goto fail;
            }
            uint32_t cp;
            if (jr->pos + 6 > jr->n || hex4(jr->s + jr->pos + 2, &cp) != 0) {
                jfail(jr, "\\u needs four hex digits");
                goto fail;
            }
            size_t at = jr->pos;
            jr->pos += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (jr->pos + 6 > jr->n || jr->s[jr->pos] != '\\' || jr->s[jr->pos + 1] != 'u' ||
                    hex4(jr->s + jr->pos + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
                    jr->pos = at;
                    jfail(jr, "a lone surrogate in \\u escapes");
                    goto fail;
                }
                jr->pos += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                jr->pos = at;
                jfail(jr, "a lone surrogate in \\u escapes");
                goto fail;
            }
            if (cp == 0) {
                jr->pos = at;
                jfail(jr, "\\u0000 is not allowed in a report");
                goto fail;
            }
            char enc[4];
            buf_append(&b, enc, utf8_encode(cp, enc));
            continue;
        }
        if (c < 0x80) {
            buf_putc(&b, (char)c);
            jr->pos++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(jr->s + jr->pos, jr->n - jr->pos, &cp);
        if (!k) {
            jfail(jr, "invalid UTF-8");
            goto fail;
        }
        buf_append(&b, jr->s + jr->pos, k);
        jr->pos += k;
    }
    char *s = arena_strndup(jr->a, buf_str(&b), b.len);
    *len = b.len;
    buf_free(&b);
    return s;
fail:
    buf_free(&b);
    return NULL;
}

static jval *jparse_number(jreader *jr, jval *v)
{
    const char *s = jr->s;
    size_t i = jr->pos, n = jr->n;
    v->t = J_NUM;
    v->isint = true;
    if (i < n && s[i] == '-')
        v->neg = true, i++;
    if (i >= n || s[i] < '0' || s[i] > '9') {
        jr->pos = i;
        jfail(jr, "a number needs a digit here");
        return NULL;
    }
    double mant = 0;
    int exp10 = 0, sig = 0;
    if (s[i] == '0') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9') {
            jr->pos = i;
            jfail(jr, "a number may not have a leading zero");
            return NULL;
        }
    } else {
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            unsigned d = (unsigned)(s[i] - '0');
            if (v->u > (UINT64_MAX - d) / 10)
                v->isint = false;
            else
                v->u = v->u * 10 + d;
            if (sig < 18)
                mant = mant * 10 + d, sig += mant > 0;
            else
                exp10++;
        }
    }
    if (i < n && s[i] == '.') {
        i++;
        v->isint = false;
        if (i >= n || s[i] < '0' || s[i] > '9') {
            jr->pos = i;
            jfail(jr, "a digit must follow the decimal point");
            return NULL;
        }
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (sig < 18) {
                mant = mant * 10 + (s[i] - '0');
                sig += mant > 0;
                exp10--;
            }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        v->isint = false;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n || s[i] < '0' || s[i] > '9') {
            jr->pos = i;
            jfail(jr, "an exponent needs a digit");
            return NULL;
        }
        int e = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        exp10 += eneg ? -e : e;
    }
    v->num = mant * pow(10, exp10);
    if (v->neg)
        v->num = -v->num;
    if (v->isint && v->neg && v->u > (uint64_t)INT64_MAX + 1)
        v->isint = false;
    jr->pos = i;
    return v;
}

static bool jliteral(jreader *jr, const char *word)
{
    size_t k = strlen(word);
    if (jr->n - jr->pos >= k && !memcmp(jr->s + jr->pos, word, k)) {
        jr->pos += k;
        return true;
    }
    return false;
}

static jval *jparse_container(jreader *jr, jval *v, int depth)
{
    bool obj = jr->s[jr->pos] == '{';
    char close = obj ? '}' : ']';
    v->t = obj ? J_OBJ : J_ARR;
    jr->pos++;
    size_t cap = 0;
    jval **items = NULL;
    const char **keys = NULL;
    jskip(jr);
    if (jr->pos < jr->n && jr->s[jr->pos] == close) {
        jr->pos++;
        return v;
    }
    for (;;) {
        const char *key = NULL;
        jskip(jr);
        if (obj) {
            if (jr->pos >= jr->n || jr->s[jr->pos] != '"') {
                jfail(jr, "expected a key in quotes, found %s", jfound(jr));
                goto fail;
            }
            size_t at = jr->pos, klen;
            key = jparse_string(jr, &klen);
            if (!key)
                goto fail;
            for (size_t i = 0; i < v->n; i++)
                if (!strcmp(keys[i], key)) { /* NOLINT(clang-analyzer-core.NullDereference): keys has v->n entries whenever obj */
                    jr->pos = at;
                    jfail(jr, "duplicate key \"%.60s\"", key);
                    goto fail;
                }
            if (v->n >= JSON_MAX_MEMBERS) {
                jr->pos = at;
                jfail(jr, "more than %d keys in one object", JSON_MAX_MEMBERS);
                goto fail;
            }
            jskip(jr);
            if (jr->pos >= jr->n || jr->s[jr->pos] != ':') {
                jfail(jr, "expected ':' after a key, found %s", jfound(jr));
                goto fail;
            }
            jr->pos++;
        }
        jval *item = jparse_value(jr, depth + 1);
        if (!item)
            goto fail;
        if (v->n == cap) {
            cap = cap ? cap * 2 : 8;
            items = xrealloc(items, cap * sizeof *items);
            if (obj)
                keys = xrealloc(keys, cap * sizeof *keys);
        }
        if (obj)
            keys[v->n] = key;
        items[v->n++] = item; /* NOLINT(clang-analyzer-core.NullDereference): grown above when full */
        jskip(jr);
        if (jr->pos < jr->n && jr->s[jr->pos] == ',') {
            jr->pos++;
            jskip(jr);
            if (jr->pos < jr->n && jr->s[jr->pos] == close) {
                jfail(jr, "a trailing comma before '%c'", close);
                goto fail;
            }
            continue;
        }
        if (jr->pos < jr->n && jr->s[jr->pos] == close) {
            jr->pos++;
            break;
        }
        jfail(jr, "expected ',' or '%c', found %s", close, jfound(jr));
        goto fail;
    }
    v->v = arena_alloc(jr->a, v->n * sizeof *items + 1);
    memcpy(v->v, items, v->n * sizeof *items);
    if (obj) {
        v->keys = arena_alloc(jr->a, v->n * sizeof *keys + 1);
        memcpy(v->keys, keys, v->n * sizeof *keys);
    }
    free(items);
    free(keys);
    return v;
fail:
    free(items);
    free(keys);
    return NULL;
}

static jval *jparse_value(jreader *jr, int depth)
{
    jskip(jr);
    if (jr->pos >= jr->n) {
        jfail(jr, "expected a value, found the end of the file");
        return NULL;
    }
    jval *v = arena_alloc(jr->a, sizeof *v);
    char c = jr->s[jr->pos];
    if (c == '{' || c == '[') {
        if (depth >= JSON_MAX_DEPTH) {
            jfail(jr, "nested more than %d levels deep", JSON_MAX_DEPTH);
            return NULL;
        }
        return jparse_container(jr, v, depth);
    }
    if (c == '"') {
        v->t = J_STR;
        v->s = jparse_string(jr, &v->len);
        return v->s ? v : NULL;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return jparse_number(jr, v);
    if (jliteral(jr, "true")) {
        v->t = J_BOOL;
        v->b = true;
        return v;
    }
    if (jliteral(jr, "false")) {
        v->t = J_BOOL;
        return v;
    }
    if (jliteral(jr, "null"))
        return v;
    jfail(jr, "expected a value, found %s", jfound(jr));
    return NULL;
}

/* Parses s[0..n) into arena a. Returns the root, or NULL with the error
 * in msg (msglen bytes) as "byte offset N (line L, column C): reason". */
static jval *json_parse(const char *s, size_t n, arena *a, char *msg, size_t msglen)
{
    jreader jr = {.s = s, .n = n, .a = a};
    jval *root = jparse_value(&jr, 0);
    if (root) {
        jskip(&jr);
        if (jr.pos < jr.n) {
            jfail(&jr, "unexpected %s after the document", jfound(&jr));
            root = NULL;
        }
    }
    if (!root) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < jr.pos && i < n; i++) {
            if (s[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)s[i] & 0xC0) != 0x80)
                col++;
        }
        snprintf(msg, msglen, "byte offset %zu (line %zu, column %zu): %s", jr.pos, line, col, jr.msg);
    }
    return root;
}

/* The member key of object o, or NULL (also when o is not an object). */
static const jval *jget(const jval *o, const char *key)
{
    if (!o || o->t != J_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key))
            return o->v[i];
    return NULL;
}

/* ---- the class summary -------------------------------------------------- */

/* One report, checked: every field the summary reads has its type, so
 * the summary itself never checks again. */
typedef struct player {
    const char *file;
    arena *a;
    const jval *root;
    const char *name;  /* NULL: no name */
    const jval *style; /* object or NULL */
    const jval *axes, *child, *outcomes, *trajectory, *mx, *my;
} player;

typedef struct checker {
    const char *file;
    char *err;
    size_t errlen;
    bool bad;
} checker;

/* The member at path (dot-separated keys, e.g. "axes.x.min") of o when its
 * type is one of the bits of want (1 << jtype); a missing or mistyped
 * member fails the check, naming the path. */
static const jval *need(checker *c, const jval *o, const char *path, unsigned want)
{
    const jval *v = o;
    char key[64];
    const char *p = path;
    while (v && *p) {
        size_t k = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)(k < sizeof key - 1 ? k : sizeof key - 1), p);
        v = jget(v, key);
        p += k + (p[k] == '.');
    }
    if (!v || !(want & (1u << v->t))) {
        if (!c->bad)
            seterr(c->err, c->errlen, "%s: not an iwm report: '%s' is %s", c->file, path,
                   v ? "of the wrong type" : "missing");
        c->bad = true;
        return NULL;
    }
    return v;
}

enum { TNULL = 1u << J_NULL, TBOOL = 1u << J_BOOL, TNUM = 1u << J_NUM, TSTR = 1u << J_STR, TARR = 1u << J_ARR,
       TOBJ = 1u << J_OBJ };

static void check_items(checker *c, const jval *arr, const char *what, const char *const *keys,
                        const unsigned *types)
{
    for (size_t i = 0; arr && i < arr->n && !c->bad; i++) {
        const jval *it = arr->v[i];
        if (it->t != J_OBJ) {
            seterr(c->err, c->errlen, "%s: not an iwm report: item %zu of '%s' is not an object", c->file, i, what);
            c->bad = true;
            return;
        }
        for (int k = 0; keys[k] && !c->bad; k++) {
            const jval *v = jget(it, keys[k]);
            if (!v || !(types[k] & (1u << v->t))) {
                seterr(c->err, c->errlen, "%s: not an iwm report: '%s' of item %zu of '%s' is %s", c->file, keys[k],
                       i, what, v ? "of the wrong type" : "missing");
                c->bad = true;
            }
        }
    }
}

static int read_file(const char *path, buf *out, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        seterr(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        seterr(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (sb.st_size > JSON_MAX_BYTES) {
        seterr(err, errlen, "%s: larger than %d MB; not an iwm report", path, JSON_MAX_BYTES >> 20);
        close(fd);
        return -1;
    }
    char chunk[65536];
    for (;;) {
        ssize_t k = read(fd, chunk, sizeof chunk);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            seterr(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (k == 0)
            break;
        if (out->len + (size_t)k > JSON_MAX_BYTES) {
            seterr(err, errlen, "%s: larger than %d MB; not an iwm report", path, JSON_MAX_BYTES >> 20);
            close(fd);
            return -1;
        }
        buf_append(out, chunk, (size_t)k);
    }
    close(fd);
    return 0;
}

/* Reads and checks one report into pl. */
static int load_player(const char *file, player *pl, char *err, size_t errlen)
{
    buf text = BUF_INIT;
    memset(pl, 0, sizeof *pl);
    pl->file = file;
    if (read_file(file, &text, err, errlen) != 0)
        return -1;
    pl->a = arena_new();
    char msg[256];
    pl->root = json_parse(buf_str(&text), text.len, pl->a, msg, sizeof msg);
    buf_free(&text);
    if (!pl->root) {
        seterr(err, errlen, "%s: %s", file, msg);
        return -1;
    }
    checker c = {file, err, errlen, false};
    const jval *fmt = need(&c, pl->root, "format", TNUM);
    if (c.bad)
        return -1;
    if (!fmt->isint || fmt->neg || fmt->u != REPORT_VERSION) {
        buf b = BUF_INIT;
        num(&b, fmt->num, fmt->isint ? 0 : 3);
        seterr(err, errlen, "%s: report format %s is not supported (this iwm reads format %d)", file, b.data,
               REPORT_VERSION);
        buf_free(&b);
        return -1;
    }
    need(&c, pl->root, "pack.id", TSTR);
    need(&c, pl->root, "pack.title", TSTR);
    const jval *name = need(&c, pl->root, "name", TSTR | TNULL);
    pl->style = need(&c, pl->root, "style", TOBJ | TNULL);
    pl->axes = need(&c, pl->root, "axes", TOBJ | TNULL);
    pl->child = need(&c, pl->root, "childhood", TOBJ | TNULL);
    pl->outcomes = need(&c, pl->root, "outcomes", TARR);
    pl->trajectory = need(&c, pl->root, "trajectory", TARR);
    pl->mx = need(&c, pl->root, "moments.x", TARR);
    pl->my = need(&c, pl->root, "moments.y", TARR);
    if (c.bad)
        return -1;
    if (pl->style && pl->style->t == J_OBJ) {
        need(&c, pl->style, "name", TSTR);
        need(&c, pl->style, "label", TSTR);
    }
    if (pl->axes->t == J_OBJ) {
        static const char *const ax[] = {"x.name", "x.label", "y.name", "y.label", NULL};
        static const char *const an[] = {"x.min", "x.max", "x.value", "x.cut", "y.min", "y.max", "y.value", "y.cut",
                                         NULL};
        for (int i = 0; ax[i]; i++)
            need(&c, pl->axes, ax[i], TSTR);
        for (int i = 0; an[i]; i++)
            need(&c, pl->axes, an[i], TNUM);
    } else {
        pl->axes = NULL;
    }
    if (pl->child->t == J_OBJ) {
        need(&c, pl->child, "x", TNUM);
        need(&c, pl->child, "y", TNUM);
    } else {
        pl->child = NULL;
    }
    static const char *const okeys[] = {"name", "label", NULL};
    static const unsigned otypes[] = {TSTR, TSTR};
    check_items(&c, pl->outcomes, "outcomes", okeys, otypes);
    static const char *const tkeys[] = {"scene", "scene_title", "choice", "choice_text", NULL};
    static const unsigned ttypes[] = {TSTR, TSTR, TSTR, TSTR};
    check_items(&c, pl->trajectory, "trajectory", tkeys, ttypes);
    static const char *const mkeys[] = {"scene", "scene_title", NULL};
    static const unsigned mtypes[] = {TSTR, TSTR};
    check_items(&c, pl->mx, "moments.x", mkeys, mtypes);
    check_items(&c, pl->my, "moments.y", mkeys, mtypes);
    if (c.bad)
        return -1;
    pl->name = name->t == J_STR && name->len ? name->s : NULL;
    return 0;
}

static const char *jstr(const jval *o, const char *key)
{
    const jval *v = jget(o, key);
    return v && v->t == J_STR ? v->s : NULL;
}

static double jnum(const jval *o, const char *path)
{
    const jval *v = o;
    char key[32];
    while (v && *path) {
        size_t k = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)k, path);
        v = jget(v, key);
        path += k + (path[k] == '.');
    }
    return v && v->t == J_NUM ? v->num : 0;
}

/* A tally: distinct keys with a count and a label, in first-seen order.
 * Linear lookup: a class is tens of players, and a pack has fewer than a
 * few thousand scenes and choices. */
typedef struct tally {
    size_t n, cap;
    const char **key, **label;
    size_t *count;
    size_t *order; /* after tally_sort: indices by count, descending */
} tally;

static void tally_add(tally *t, const char *key, const char *label)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->key[i], key)) {
            t->count[i]++;
            return;
        }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->key = xrealloc(t->key, t->cap * sizeof *t->key);
        t->label = xrealloc(t->label, t->cap * sizeof *t->label);
        t->count = xrealloc(t->count, t->cap * sizeof *t->count);
    }
    t->key[t->n] = key;
    t->label[t->n] = label ? label : key;
    t->count[t->n++] = 1;
}

/* Sorts by count, descending; ties keep first-seen order (stable). */
static void tally_sort(tally *t)
{
    t->order = xrealloc(t->order, (t->n + 1) * sizeof *t->order);
    for (size_t i = 0; i < t->n; i++) {
        size_t j = i;
        while (j > 0 && t->count[t->order[j - 1]] < t->count[i]) {
            t->order[j] = t->order[j - 1];
            j--;
        }
        t->order[j] = i;
    }
}

static void tally_free(tally *t)
{
    free(t->key);
    free(t->label);
    free(t->count);
    free(t->order);
    memset(t, 0, sizeof *t);
}

/* Everything the class summary shows, gathered once for both formats. */
typedef struct summary {
    player *pl;
    size_t n;
    const char *title, *id;
    const jval *axes;  /* the first report's, or NULL */
    const jval *protos;
    tally styles, outcomes, scenes;
    tally *choices; /* per scene of scenes.order[0..nscenes) */
    size_t nscenes;
    size_t nshift, nnamed, nunstyled;
    double sx, sy, ex, ey; /* mean snapshot and end positions of the players with both */
} summary;

static void summarise(summary *s)
{
    s->title = jstr(jget(s->pl[0].root, "pack"), "title");
    s->id = jstr(jget(s->pl[0].root, "pack"), "id");
    for (size_t i = 0; i < s->n; i++) {
        const player *pl = &s->pl[i];
        if (!s->axes && pl->axes) {
            s->axes = pl->axes;
            s->protos = jget(pl->root, "prototypes");
        }
        s->nnamed += pl->name != NULL;
        if (pl->style && pl->style->t == J_OBJ)
            tally_add(&s->styles, jstr(pl->style, "name"), jstr(pl->style, "label"));
        else
            s->nunstyled++;
        for (size_t k = 0; k < pl->outcomes->n; k++)
            tally_add(&s->outcomes, jstr(pl->outcomes->v[k], "name"), jstr(pl->outcomes->v[k], "label"));
        if (pl->axes && pl->child) {
            s->nshift++;
            s->sx += jnum(pl->child, "x");
            s->sy += jnum(pl->child, "y");
            s->ex += jnum(pl->axes, "x.value");
            s->ey += jnum(pl->axes, "y.value");
        }
        /* each scene counts once a player, however many moments it holds */
        tally mine = {0};
        const jval *ms[2] = {pl->my, pl->mx};
        for (int a = 0; a < 2; a++)
            for (size_t k = 0; k < ms[a]->n; k++)
                tally_add(&mine, jstr(ms[a]->v[k], "scene"), jstr(ms[a]->v[k], "scene_title"));
        for (size_t k = 0; k < mine.n; k++)
            tally_add(&s->scenes, mine.key[k], mine.label[k]);
        tally_free(&mine);
    }
    if (s->nshift) {
        s->sx /= (double)s->nshift, s->sy /= (double)s->nshift;
        s->ex /= (double)s->nshift, s->ey /= (double)s->nshift;
    }
    tally_sort(&s->styles);
    tally_sort(&s->outcomes);
    tally_sort(&s->scenes);
    s->nscenes = s->scenes.n < CLASS_TOP_SCENES ? s->scenes.n : CLASS_TOP_SCENES;
    s->choices = xcalloc(s->nscenes + 1, sizeof(tally));
    for (size_t k = 0; k < s->nscenes; k++) {
        const char *scene = s->scenes.key[s->scenes.order[k]];
        for (size_t i = 0; i < s->n; i++) {
            const jval *tr = s->pl[i].trajectory;
            for (size_t j = 0; j < tr->n; j++)
                if (!strcmp(jstr(tr->v[j], "scene"), scene))
                    tally_add(&s->choices[k], jstr(tr->v[j], "choice"), jstr(tr->v[j], "choice_text"));
        }
        tally_sort(&s->choices[k]);
    }
}

static void summary_free(summary *s)
{
    tally_free(&s->styles);
    tally_free(&s->outcomes);
    tally_free(&s->scenes);
    for (size_t k = 0; k < s->nscenes; k++)
        tally_free(&s->choices[k]);
    free(s->choices);
}

/* "n (p%)" */
static void share(buf *out, size_t k, size_t n)
{
    buf_printf(out, "%zu (%ld%%)", k, n ? lround(100.0 * (double)k / (double)n) : 0L);
}

static void shift_sentence(const summary *s, bool y, buf *t)
{
    const jval *ax = jget(s->axes, y ? "y" : "x");
    double from = y ? s->sy : s->sx, to = y ? s->ey : s->ex;
    buf_printf(t, "%s: ", jstr(ax, "label"));
    num(t, to - from, 1);
    buf_puts(t, " on average (from ");
    num(t, from, 1);
    buf_puts(t, " to ");
    num(t, to, 1);
    buf_puts(t, ")");
}

enum { GRID_W = 21, GRID_H = 11 };

/* The text scatter: players per cell of a GRID_W x GRID_H grid. */
/* A number from a report file (untrusted) as an int: reports carry int32
 * values, but a hand-edited one may hold 1e308 or NaN; clamp, never let
 * the conversion be undefined. */
static int to_int(double v)
{
    if (!(v == v))
        return 0;
    return v < -1e9 ? -1000000000 : v > 1e9 ? 1000000000 : (int)v;
}

static void md_grid(buf *out, const summary *s)
{
    const jval *ax = s->axes;
    double xmin = jnum(ax, "x.min"), xmax = jnum(ax, "x.max"), ymin = jnum(ax, "y.min"), ymax = jnum(ax, "y.max");
    double xs = xmax - xmin > 0 ? xmax - xmin : 1, ys = ymax - ymin > 0 ? ymax - ymin : 1;
    int count[GRID_H][GRID_W] = {{0}};
    int mc = to_int(round((jnum(ax, "x.cut") - xmin) * (GRID_W - 1) / xs));
    int mr = GRID_H - 1 - to_int(round((jnum(ax, "y.cut") - ymin) * (GRID_H - 1) / ys));
    for (size_t i = 0; i < s->n; i++) {
        if (!s->pl[i].axes)
            continue;
        int c = to_int(round((jnum(s->pl[i].axes, "x.value") - xmin) * (GRID_W - 1) / xs));
        int r = GRID_H - 1 - to_int(round((jnum(s->pl[i].axes, "y.value") - ymin) * (GRID_H - 1) / ys));
        if (c >= 0 && c < GRID_W && r >= 0 && r < GRID_H)
            count[r][c]++;
    }
    buf raw = BUF_INIT;
    buf_printf(&raw, "       \u2191 %s\n", jstr(jget(ax, "y"), "label"));
    /* each cell is two columns: a separator, then the count */
    buf_puts(&raw, "      \u250c");
    for (int c = 0; c < GRID_W * 2 + 1; c++)
        buf_puts(&raw, "\u2500");
    buf_puts(&raw, "\u2510\n");
    for (int r = 0; r < GRID_H; r++) {
        int label = r == 0 ? to_int(ymax) : r == GRID_H - 1 ? to_int(ymin) : r == mr ? to_int(jnum(ax, "y.cut")) : INT32_MIN;
        if (label != INT32_MIN)
            buf_printf(&raw, "%5d \u2502", label);
        else
            buf_puts(&raw, "      \u2502");
        bool line = r == mr;
        for (int c = 0; c < GRID_W; c++) {
            buf_puts(&raw, line ? "\u2500" : " ");
            if (count[r][c] > 9)
                buf_puts(&raw, "+");
            else if (count[r][c])
                buf_printf(&raw, "%d", count[r][c]);
            else if (c == mc)
                buf_puts(&raw, line ? "\u253c" : "\u2502");
            else
                buf_puts(&raw, line ? "\u2500" : "\u00b7");
        }
        buf_puts(&raw, line ? "\u2500\u2502\n" : " \u2502\n");
    }
    buf_puts(&raw, "      \u2514");
    for (int c = 0; c < GRID_W * 2 + 1; c++)
        buf_puts(&raw, "\u2500");
    buf_puts(&raw, "\u2518\n");
    /* the x labels under the left edge, the cut and the right edge */
    char ticks[7 + GRID_W * 2 + 16];
    memset(ticks, ' ', sizeof ticks);
    int width = 7 + GRID_W * 2 + 2;
    char num1[16];
    int k = snprintf(num1, sizeof num1, "%d", to_int(xmin));
    memcpy(ticks + 7, num1, (size_t)k);
    k = snprintf(num1, sizeof num1, "%d", to_int(jnum(ax, "x.cut")));
    int at = 7 + 2 * mc + 1 - k / 2;
    if (at > 7 + 4 && at + k < width - 4)
        memcpy(ticks + at, num1, (size_t)k);
    k = snprintf(num1, sizeof num1, "%d", to_int(xmax));
    memcpy(ticks + width - k, num1, (size_t)k);
    buf_append(&raw, ticks, (size_t)width);
    buf_printf(&raw, "\n       %s \u2192\n", jstr(jget(ax, "x"), "label"));
    buf t = BUF_INIT;
    out_sanitize(&t, raw.data, raw.len);
    md_fence(out, &t);
    buf_free(&t);
    buf_free(&raw);
}

static void class_md(const summary *s, buf *out)
{
    buf t = BUF_INIT;
    buf_puts(out, "# ");
    md_text(out, s->title);
    buf_puts(out, ": class summary\n\n");
    buf_printf(out, "**Players:** %zu", s->n);
    if (s->nnamed) {
        buf_puts(out, " (");
        bool first = true;
        for (size_t i = 0; i < s->n; i++)
            if (s->pl[i].name) {
                buf_puts(out, first ? "" : ", ");
                first = false;
                md_text(out, s->pl[i].name);
            }
        if (s->nnamed < s->n)
            buf_printf(out, ", and %zu without a name", s->n - s->nnamed);
        buf_puts(out, ")");
    }
    buf_puts(out, "  \n**Pack:** ");
    md_text(out, s->title);
    buf_puts(out, " (");
    md_text(out, s->id);
    buf_puts(out, ")\n\n");

    if (s->axes) {
        buf_puts(out, "## Where the models ended\n\n");
        md_grid(out, s);
        buf_puts(out, "Each digit is the number of players whose model ended in that cell (+ for more than 9).\n\n");
    }
    buf_puts(out, "## Styles\n\n| Style | Players |\n|---|---:|\n");
    for (size_t k = 0; k < s->styles.n; k++) {
        size_t i = s->styles.order[k];
        buf_puts(out, "| ");
        md_text(out, s->styles.label[i]);
        buf_puts(out, " | ");
        share(out, s->styles.count[i], s->n);
        buf_puts(out, " |\n");
    }
    if (s->nunstyled) {
        buf_puts(out, "| (no style) | ");
        share(out, s->nunstyled, s->n);
        buf_puts(out, " |\n");
    }
    buf_puts(out, "\n## Outcomes\n\n");
    if (!s->outcomes.n)
        buf_puts(out, "No player reached an outcome.\n");
    else
        buf_puts(out, "| Outcome | Players |\n|---|---:|\n");
    for (size_t k = 0; k < s->outcomes.n; k++) {
        size_t i = s->outcomes.order[k];
        buf_puts(out, "| ");
        md_text(out, s->outcomes.label[i]);
        buf_puts(out, " | ");
        share(out, s->outcomes.count[i], s->n);
        buf_puts(out, " |\n");
    }
    if (s->axes && s->nshift) {
        buf_printf(out, "\n## From the snapshot to the end\n\nOver the %zu player%s with a snapshot:\n\n", s->nshift,
                   s->nshift == 1 ? "" : "s");
        for (int y = 1; y >= 0; y--) {
            buf_reset(&t);
            shift_sentence(s, y, &t);
            buf_puts(out, "- ");
            md_text(out, t.data);
            buf_puts(out, "\n");
        }
    }
    if (s->nscenes) {
        buf_puts(out, "\n## Where the models moved most\n\nThe scenes that appear most often among the players' "
                      "moments, and the choices taken there.\n");
        for (size_t k = 0; k < s->nscenes; k++) {
            size_t i = s->scenes.order[k];
            buf_puts(out, "\n### ");
            md_text(out, s->scenes.label[i]);
            buf_printf(out, "\n\nA moment for %zu of %zu players.\n\n", s->scenes.count[i], s->n);
            const tally *c = &s->choices[k];
            for (size_t j = 0; j < c->n && j < CLASS_TOP_CHOICES; j++) {
                size_t m = c->order[j];
                buf_puts(out, "- \"");
                md_text(out, c->label[m]);
                buf_printf(out, "\" \u2014 %zu\n", c->count[m]);
            }
        }
    }
    buf_puts(out, "\n---\n\n*Written by iwm " IWM_VERSION " from the players' JSON reports.*\n");
    buf_free(&t);
}

static mapaxes class_axes(const summary *s)
{
    const jval *ax = s->axes, *pr = s->protos && s->protos->t == J_ARR ? s->protos : NULL;
    mapaxes a = {jstr(jget(ax, "x"), "label"), jstr(jget(ax, "y"), "label"), jnum(ax, "x.min"), jnum(ax, "x.max"),
                 jnum(ax, "x.cut"), jnum(ax, "y.min"), jnum(ax, "y.max"), jnum(ax, "y.cut"), 0,
                 xcalloc((pr ? pr->n : 0) + 1, sizeof(char *)), xcalloc((pr ? pr->n : 0) + 1, sizeof(double)),
                 xcalloc((pr ? pr->n : 0) + 1, sizeof(double))};
    for (size_t i = 0; pr && i < pr->n; i++) {
        const char *label = jstr(pr->v[i], "label");
        if (!label)
            continue;
        a.plabel[a.nproto] = label;
        a.px[a.nproto] = jnum(pr->v[i], "x");
        a.py[a.nproto] = jnum(pr->v[i], "y");
        a.nproto++;
    }
    return a;
}

static void class_svg(buf *out, const summary *s)
{
    mapaxes a = class_axes(s);
    int top = MAP_Y0 + MAP_H + 46;
    svg_map_open(out, &a, top + 2 * 16, "Where the players' models ended");
    /* one dot per distinct position, its area growing with the count */
    bool *done = xcalloc(s->n + 1, 1);
    for (size_t i = 0; i < s->n; i++) {
        if (done[i] || !s->pl[i].axes)
            continue;
        double x = jnum(s->pl[i].axes, "x.value"), y = jnum(s->pl[i].axes, "y.value");
        size_t k = 0;
        buf names = BUF_INIT;
        for (size_t j = i; j < s->n; j++)
            if (!done[j] && s->pl[j].axes && jnum(s->pl[j].axes, "x.value") == x &&
                jnum(s->pl[j].axes, "y.value") == y) {
                done[j] = true;
                k++;
                if (s->pl[j].name) {
                    buf_puts(&names, names.len ? ", " : "");
                    buf_puts(&names, s->pl[j].name);
                }
            }
        buf_puts(out, "<g>");
        svg_circle(out, "dot", mx(&a, x), my(&a, y), 4 + 2.5 * sqrt((double)(k - 1)));
        buf_printf(out, "<title>%zu player%s", k, k == 1 ? "" : "s");
        if (names.len) {
            buf_puts(out, ": ");
            html_text(out, names.data, false);
        }
        buf_puts(out, "</title></g>\n");
        buf_free(&names);
    }
    free(done);
    if (s->nshift) {
        buf_puts(out, "<line class=\"shift\" x1=\"");
        num(out, mx(&a, s->sx), 1);
        buf_puts(out, "\" y1=\"");
        num(out, my(&a, s->sy), 1);
        buf_puts(out, "\" x2=\"");
        num(out, mx(&a, s->ex), 1);
        buf_puts(out, "\" y2=\"");
        num(out, my(&a, s->ey), 1);
        buf_puts(out, "\"/>\n");
        svg_circle(out, "snap", mx(&a, s->sx), my(&a, s->sy), 5.5);
        svg_circle(out, "now", mx(&a, s->ex), my(&a, s->ey), 6);
        buf_putc(out, '\n');
    }
    svg_circle(out, "dot", 24, top - 4, 4.5);
    buf_printf(out, "<text x=\"35\" y=\"%d\">a player's end (larger: more players)</text>\n", top);
    if (s->nshift) {
        svg_circle(out, "snap", 24, top + 12, 4.5);
        buf_printf(out, "<text x=\"35\" y=\"%d\">mean at the snapshot</text>\n", top + 16);
        svg_circle(out, "now", 196, top + 12, 5);
        buf_printf(out, "<text x=\"207\" y=\"%d\">mean at the end</text>\n", top + 16);
    }
    buf_puts(out, "</svg>\n");
    mapaxes_free(&a);
}

static void class_html(const summary *s, buf *out)
{
    buf t = BUF_INIT;
    buf_printf(&t, "%s: class summary", s->title);
    html_head(out, NULL, t.data, NULL);
    buf_puts(out, "<header>\n<h1>");
    html_text(out, t.data, false);
    buf_printf(out, "</h1>\n<p class=\"meta\"><b>%zu player%s</b>", s->n, s->n == 1 ? "" : "s");
    if (s->nnamed) {
        buf_puts(out, ": ");
        bool first = true;
        for (size_t i = 0; i < s->n; i++)
            if (s->pl[i].name) {
                buf_puts(out, first ? "" : ", ");
                first = false;
                html_text(out, s->pl[i].name, false);
            }
        if (s->nnamed < s->n)
            buf_printf(out, ", and %zu without a name", s->n - s->nnamed);
    }
    buf_puts(out, " \u00b7 ");
    html_text(out, s->title, false);
    buf_puts(out, " (");
    html_text(out, s->id, false);
    buf_puts(out, ")</p>\n</header>\n");

    buf_puts(out, "<div class=\"figs\">\n");
    if (s->axes) {
        buf_puts(out, "<figure>\n");
        class_svg(out, s);
        buf_puts(out, "</figure>\n");
    }
    buf_puts(out, "<div style=\"flex:1 1 16rem\">\n<section>\n<h2>Styles</h2>\n<table>\n"
                  "<tr><th>Style</th><th>Players</th></tr>\n");
    for (size_t k = 0; k < s->styles.n; k++) {
        size_t i = s->styles.order[k];
        buf_puts(out, "<tr><td>");
        html_text(out, s->styles.label[i], false);
        buf_puts(out, "</td><td class=\"n\">");
        share(out, s->styles.count[i], s->n);
        buf_puts(out, "</td></tr>\n");
    }
    if (s->nunstyled) {
        buf_puts(out, "<tr><td>(no style)</td><td class=\"n\">");
        share(out, s->nunstyled, s->n);
        buf_puts(out, "</td></tr>\n");
    }
    buf_puts(out, "</table>\n</section>\n<section>\n<h2>Outcomes</h2>\n");
    if (!s->outcomes.n)
        buf_puts(out, "<p>No player reached an outcome.</p>\n");
    else
        buf_puts(out, "<table>\n<tr><th>Outcome</th><th>Players</th></tr>\n");
    for (size_t k = 0; k < s->outcomes.n; k++) {
        size_t i = s->outcomes.order[k];
        buf_puts(out, "<tr><td>");
        html_text(out, s->outcomes.label[i], false);
        buf_puts(out, "</td><td class=\"n\">");
        share(out, s->outcomes.count[i], s->n);
        buf_puts(out, "</td></tr>\n");
    }
    if (s->outcomes.n)
        buf_puts(out, "</table>\n");
    buf_puts(out, "</section>\n");
    if (s->axes && s->nshift) {
        buf_printf(out, "<section>\n<h2>From the snapshot to the end</h2>\n<p>Over the %zu player%s with a "
                        "snapshot:</p>\n<ul>\n",
                   s->nshift, s->nshift == 1 ? "" : "s");
        for (int y = 1; y >= 0; y--) {
            buf_reset(&t);
            shift_sentence(s, y, &t);
            buf_puts(out, "<li>");
            html_text(out, t.data, false);
            buf_puts(out, "</li>\n");
        }
        buf_puts(out, "</ul>\n</section>\n");
    }
    buf_puts(out, "</div>\n</div>\n");
    if (s->nscenes) {
        buf_puts(out, "<section>\n<h2>Where the models moved most</h2>\n<p>The scenes that appear most often among "
                      "the players' moments, and the choices taken there.</p>\n");
        for (size_t k = 0; k < s->nscenes; k++) {
            size_t i = s->scenes.order[k];
            buf_puts(out, "<h3>");
            html_text(out, s->scenes.label[i], false);
            buf_printf(out, " <span class=\"meta\">(a moment for %zu of %zu players)</span></h3>\n<ul>\n",
                       s->scenes.count[i], s->n);
            const tally *c = &s->choices[k];
            for (size_t j = 0; j < c->n && j < CLASS_TOP_CHOICES; j++) {
                size_t m = c->order[j];
                buf_puts(out, "<li>\u201c");
                html_text(out, c->label[m], true);
                buf_printf(out, "\u201d \u2014 %zu</li>\n", c->count[m]);
            }
            buf_puts(out, "</ul>\n");
        }
        buf_puts(out, "</section>\n");
    }
    buf_puts(out, "<footer>Written by iwm " IWM_VERSION " from the players' JSON reports.</footer>\n"
                  "</main>\n</body>\n</html>\n");
    buf_free(&t);
}

/* Every report stays parsed until the summary is written (each in its own
 * arena): a class is tens of reports of about 100 KB, so holding them is
 * simpler than a streaming pass and costs a few megabytes. */
int report_class(const char *const *inputs, size_t n, const char *out_path, char *err, size_t errlen)
{
    report_format f = report_format_of(out_path);
    if (f != REPORT_MD && f != REPORT_HTML) {
        seterr(err, errlen, "cannot write %s: a class summary's name ends in .md or .html", out_path);
        return -1;
    }
    if (n == 0) {
        seterr(err, errlen, "no reports to summarise");
        return -1;
    }
    summary s = {.pl = xcalloc(n, sizeof(player)), .n = n};
    int rc = -1;
    size_t loaded = 0;
    for (; loaded < n; loaded++) {
        if (load_player(inputs[loaded], &s.pl[loaded], err, errlen) != 0) {
            loaded++; /* its arena is freed below */
            goto cleanup;
        }
        const char *id = jstr(jget(s.pl[loaded].root, "pack"), "id");
        const char *first = jstr(jget(s.pl[0].root, "pack"), "id");
        if (strcmp(id, first) != 0) {
            buf a = BUF_INIT, b = BUF_INIT;
            clean(&a, id);
            clean(&b, first);
            seterr(err, errlen, "%s: a report from pack '%.80s', but %s is from pack '%.80s'", inputs[loaded],
                   buf_str(&a), inputs[0], buf_str(&b));
            buf_free(&a);
            buf_free(&b);
            loaded++;
            goto cleanup;
        }
    }
    summarise(&s);
    buf out = BUF_INIT;
    if (f == REPORT_MD)
        class_md(&s, &out);
    else
        class_html(&s, &out);
    rc = write_atomic(out_path, buf_str(&out), out.len, err, errlen);
    buf_free(&out);
    summary_free(&s);
cleanup:
    for (size_t i = 0; i < loaded; i++)
        arena_free(s.pl[i].a);
    free(s.pl);
    return rc;
}
