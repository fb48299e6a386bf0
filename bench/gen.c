/*
 * gen: writes a synthetic story pack of N scenes with the shape of a real
 * story, and optionally the same story as an ink file, for bench/run.
 *
 *   iwm-bench-gen SCENES SEED OUTDIR [INKFILE]
 *
 * Shape (per scene): a title, one or two paragraphs of narration, one
 * conditional sentence in the first paragraph ({COND: A | B}), then two to
 * four choices, each with two effects and a forward goto; the first choice
 * of every scene is unconditional and leads to the next scene that is not
 * an ending (so every scene is reachable and no playthrough gets stuck);
 * the others carry an `if` three times in four (half of all choices are
 * conditional) and jump 1 to 6 scenes ahead, or one time in three up to a
 * twentieth of the story ahead. About 3% of scenes are endings (each one
 * led to; none among the first ten scenes), and the last scene is one, so
 * every playthrough ends. The state is four dimensions (fair and plain
 * steps), five flags and two bounded counters; two styles and two outcomes
 * are evaluated at every ending, as in the default story.
 * Scenes are written 100 to a chapter file (chapters/part-NNN.yaml) that
 * pack.yaml includes, as the default story keeps one file per chapter.
 *
 * Everything comes from one splitmix64 stream seeded with SEED, and the
 * YAML and the ink are written from one model in memory, so the two files
 * are the same story: same scenes, same sentences, same conditions, same
 * effects (fair steps and clamping are ink functions doing iwm's integer
 * arithmetic), same gotos. Output is byte-for-byte deterministic.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { PER_FILE = 100, MAXCH = 4 };

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

/* ---- the state ---------------------------------------------------------- */

enum { DIM, FLAG, COUNTER };
typedef struct var {
    const char *name, *label;
    int kind, min, max, start;
} var;

static const var vars[] = {
    {"trust", "Trust", DIM, 0, 100, 50},
    {"anxiety", "Anxiety", DIM, 0, 100, 40},
    {"courage", "Courage", DIM, 0, 100, 30},
    {"warmth", "Warmth", DIM, 0, 100, 50},
    {"kept_letter", "Kept the letter", FLAG, 0, 1, 0},
    {"met_keeper", "Met the keeper", FLAG, 0, 1, 0},
    {"lamp_lit", "The lamp is lit", FLAG, 0, 1, 0},
    {"told_truth", "Told the truth", FLAG, 0, 1, 0},
    {"left_home", "Left home", FLAG, 0, 1, 0},
    {"visits", "Visits", COUNTER, 0, 50, 0},
    {"gifts", "Gifts", COUNTER, 0, 20, 0},
};
enum { NVARS = sizeof vars / sizeof *vars, NDIMS = 4, FIRST_FLAG = 4, NFLAGS = 5, FIRST_COUNTER = 9 };

/* ---- words -------------------------------------------------------------- */

static const char *const nouns[] = {
    "door", "window", "letter", "kettle", "lamp", "harbour", "stair", "garden", "coat", "train",
    "river", "table", "photograph", "key", "bridge", "room", "field", "road", "boat", "bell",
    "hallway", "jacket", "chair", "fence", "mirror", "bottle", "song", "clock", "radio", "kitchen",
    "market", "station", "scarf", "ladder", "wall", "shelf", "morning", "evening", "storm", "candle"};
static const char *const people[] = {"your mother", "your father", "the keeper", "Remi", "the neighbour",
                                     "your sister", "the teacher", "an old friend", "the driver", "Nadia"};
static const char *const adjs[] = {
    "quiet", "cold", "narrow", "bright", "old", "wet", "warm", "heavy", "small", "grey", "open",
    "crooked", "familiar", "empty", "soft", "tired", "careful", "distant", "late", "green"};
static const char *const verbs[] = {
    "waits by", "looks at", "leans on", "walks past", "turns toward", "stands near", "holds",
    "forgets", "watches", "reaches for", "circles", "comes back to", "sits beside", "points at"};
static const char *const advs[] = {"slowly", "again", "at last", "for a while", "without a word",
                                   "all the same", "once more", "as always", "for no reason", "too soon"};
static const char *const choice_verbs[] = {
    "Ask about", "Look at", "Wait by", "Walk toward", "Say nothing about", "Pick up", "Leave",
    "Go back to", "Point at", "Hold on to", "Laugh about", "Write about", "Sit by", "Open"};

typedef struct sb {
    char *s;
    size_t n, cap;
} sb;

static void sb_add(sb *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0)
            abort();
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        b->cap = (b->cap + (size_t)k + 64) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
}

static char *sb_take(sb *b)
{
    char *s = b->s ? b->s : strdup("");
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

/* One sentence of narration, e.g. "The quiet door waits by the river again." */
static void sentence(sb *b)
{
    switch (pick(4)) {
    case 0:
        sb_add(b, "The %s %s %s the %s %s.", adjs[pick(20)], nouns[pick(40)], verbs[pick(14)], nouns[pick(40)],
               advs[pick(10)]);
        break;
    case 1: {
        sb tmp = {0};
        sb_add(&tmp, "%s %s the %s %s", people[pick(10)], verbs[pick(14)], adjs[pick(20)], nouns[pick(40)]);
        tmp.s[0] = (char)(tmp.s[0] >= 'a' && tmp.s[0] <= 'z' ? tmp.s[0] - 32 : tmp.s[0]);
        sb_add(b, "%s, and the %s is %s.", tmp.s, nouns[pick(40)], adjs[pick(20)]);
        free(tmp.s);
        break;
    }
    case 2:
        sb_add(b, "You remember the %s and the %s %s, %s.", nouns[pick(40)], adjs[pick(20)], nouns[pick(40)],
               advs[pick(10)]);
        break;
    default:
        sb_add(b, "Somewhere a %s %s, and you %s the %s %s.", nouns[pick(40)], pick(2) ? "opens" : "closes",
               pick(2) ? "think of" : "listen for", adjs[pick(20)], nouns[pick(40)]);
        break;
    }
}

/* ---- the model ---------------------------------------------------------- */

enum { E_ADD, E_FAIR, E_SET };
typedef struct effect {
    int var, kind, value; /* E_ADD/E_FAIR: signed amount or percent; E_SET: 0/1 */
} effect;

typedef struct choice {
    char *text;
    char *cond; /* NULL: unconditional; iwm and ink share the syntax used here */
    effect fx[2];
    int go;
} choice;

typedef struct scene {
    char *title;
    char *para[2]; /* para[0] holds \x01 where the conditional sentence goes */
    int npara;
    char *cond, *then, *els; /* the conditional sentence */
    int nchoices;
    choice ch[MAXCH];
    int ending;
} scene;

/* A condition over the state: a comparison, a flag, or both. */
static char *condition(void)
{
    sb b = {0};
    int d = pick(NDIMS), f = FIRST_FLAG + pick(NFLAGS), k = 25 + pick(11) * 5;
    switch (pick(6)) {
    case 0: sb_add(&b, "%s >= %d", vars[d].name, k); break;
    case 1: sb_add(&b, "%s < %d", vars[d].name, k); break;
    case 2: sb_add(&b, "%s", vars[f].name); break;
    case 3: sb_add(&b, "not %s", vars[f].name); break;
    case 4: sb_add(&b, "%s >= %d and %s", vars[d].name, k, vars[f].name); break;
    default: sb_add(&b, "%s >= %d", vars[FIRST_COUNTER + pick(2)].name, 1 + pick(3)); break;
    }
    return sb_take(&b);
}

static effect an_effect(int not_var)
{
    effect e;
    do
        e.var = pick(NVARS);
    while (e.var == not_var);
    switch (vars[e.var].kind) {
    case DIM:
        if (pick(2)) {
            e.kind = E_ADD;
            e.value = (1 + pick(10)) * (pick(2) ? 1 : -1);
        } else {
            e.kind = E_FAIR;
            e.value = (5 + pick(5) * 5) * (pick(2) ? 1 : -1);
        }
        break;
    case FLAG:
        e.kind = E_SET;
        e.value = pick(4) != 0;
        break;
    default:
        e.kind = E_ADD;
        e.value = 1;
        break;
    }
    return e;
}

static scene *build(int n)
{
    scene *sc = calloc((size_t)n, sizeof *sc);
    if (!sc)
        abort();
    int ending_at = -1;
    for (int i = 0; i < n; i++) {
        scene *s = &sc[i];
        sb b = {0};
        sb_add(&b, "The %s %s", adjs[pick(20)], nouns[pick(40)]);
        s->title = sb_take(&b);
        s->npara = 1 + pick(2);
        for (int p = 0; p < s->npara; p++) {
            int ns = 3 + pick(4);
            int at = p == 0 ? pick(ns + 1) : -1; /* where the conditional sentence goes */
            for (int k = 0; k <= ns; k++) {
                if (k == at)
                    sb_add(&b, "%s\x01", b.n ? " " : "");
                if (k < ns) {
                    if (b.n)
                        sb_add(&b, " ");
                    sentence(&b);
                }
            }
            s->para[p] = sb_take(&b);
        }
        s->cond = condition();
        sentence(&b);
        s->then = sb_take(&b);
        sentence(&b);
        s->els = sb_take(&b);
        /* One ending in every run of 33 scenes, at a random place in it (none
         * in the first ten scenes): 3% of scenes, evenly spread. */
        if (i % 33 == 0)
            ending_at = i + pick(33);
        s->ending = i == n - 1 || (i >= 10 && i == ending_at);
        if (s->ending)
            continue;
        s->nchoices = 2 + pick(3);
        for (int c = 0; c < s->nchoices; c++) {
            choice *ch = &s->ch[c];
            sb_add(&b, "%s the %s %s.", choice_verbs[pick(14)], adjs[pick(20)], nouns[pick(40)]);
            ch->text = sb_take(&b);
            ch->cond = c > 0 && pick(4) != 0 ? condition() : NULL;
            ch->fx[0] = an_effect(-1);
            ch->fx[1] = an_effect(ch->fx[0].var);
            /* Mostly near (1 to 6 scenes ahead); one in three jumps further, up
             * to a twentieth of the story ahead (a new chapter, a time skip),
             * so that playthroughs of a large story spread over all of it. */
            int far = n / 20 > 6 ? n / 20 : 6;
            ch->go = i + 1 + (pick(3) ? pick(6) : pick(far)); /* the first choice: fixed below */
        }
    }
    /* The first choice of a scene leads to the next scene that is not an
     * ending, so that every scene that is not an ending is reachable; an
     * ending nobody leads to gets the last choice of the scene before it. */
    int *in = calloc((size_t)n, sizeof *in);
    if (!in)
        abort();
    for (int i = n - 1, next = n - 1; i >= 0; i--) {
        scene *s = &sc[i];
        for (int c = 0; c < s->nchoices; c++) {
            if (c == 0)
                s->ch[c].go = next;
            else if (s->ch[c].go >= n)
                s->ch[c].go = n - 1;
            in[s->ch[c].go]++;
        }
        if (!s->ending)
            next = i;
    }
    for (int e = 1; e < n; e++) {
        if (!sc[e].ending || in[e])
            continue;
        int k = e - 1;
        while (k > 0 && sc[k].ending)
            k--;
        scene *s = &sc[k];
        for (int c = s->nchoices - 1; c > 0; c--)
            if (!sc[s->ch[c].go].ending || in[s->ch[c].go] > 1) {
                in[s->ch[c].go]--;
                s->ch[c].go = e;
                in[e]++;
                break;
            }
    }
    free(in);
    return sc;
}

/* ---- YAML --------------------------------------------------------------- */

static FILE *create(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "iwm-bench-gen: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

/* Writes text word-wrapped at 72 columns under indent; the conditional
 * sentence (\x01) is kept whole on its line. */
static void wrap(FILE *f, const char *text, const scene *s, int indent)
{
    int col = 0;
    const char *p = text;
    while (*p) {
        char word[1024];
        size_t n = 0;
        if (*p == '\x01') {
            n = (size_t)snprintf(word, sizeof word, "{%s: %s | %s}", s->cond, s->then, s->els);
            p++;
        } else {
            while (*p && *p != ' ' && *p != '\x01' && n < sizeof word - 1)
                word[n++] = *p++;
            word[n] = '\0';
        }
        if (col && col + 1 + (int)n > 72) {
            fputc('\n', f);
            col = 0;
        }
        if (!col)
            col = fprintf(f, "%*s", indent, "");
        else
            col += fprintf(f, " ");
        col += fprintf(f, "%s", word);
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

static void yaml_effect(FILE *f, const effect *e)
{
    const var *v = &vars[e->var];
    if (e->kind == E_SET)
        fprintf(f, "              %s: %s\n", v->name, e->value ? "true" : "false");
    else if (e->kind == E_FAIR)
        fprintf(f, "              %s: \"%%%+d\"\n", v->name, e->value);
    else
        fprintf(f, "              %s: %+d\n", v->name, e->value);
}

static void write_yaml(const char *dir, const scene *sc, int n, uint64_t seed)
{
    char path[4096];
    int nfiles = (n + PER_FILE - 1) / PER_FILE;
    snprintf(path, sizeof path, "%s/pack.yaml", dir);
    FILE *f = create(path);
    fprintf(f, "# A synthetic pack written by bench/gen.c: %d scenes, seed %llu.\n"
               "# Regenerate it with bench/run; do not edit.\n",
            n, (unsigned long long)seed);
    fprintf(f, "format: 1\nid: bench-%d\ntitle: Benchmark story of %d scenes\nversion: 1.0.0\n"
               "authors: [bench/gen.c]\nlanguage: en\nlicense: CC0-1.0\n"
               "description: >\n  A generated story with the shape of a real one, for measuring the\n"
               "  engine: narration, a conditional sentence, conditional choices and effects.\n\n",
            n, n);
    fputs("state:\n  dimensions:\n", f);
    for (int i = 0; i < NVARS; i++)
        if (vars[i].kind == DIM)
            fprintf(f, "    %s:\n      label: %s\n      min: %d\n      max: %d\n      start: %d\n", vars[i].name,
                    vars[i].label, vars[i].min, vars[i].max, vars[i].start);
    fputs("  flags:\n", f);
    for (int i = 0; i < NVARS; i++)
        if (vars[i].kind == FLAG)
            fprintf(f, "    %s: {label: %s}\n", vars[i].name, vars[i].label);
    fputs("  counters:\n", f);
    for (int i = 0; i < NVARS; i++)
        if (vars[i].kind == COUNTER)
            fprintf(f, "    %s: {label: %s, min: %d, max: %d}\n", vars[i].name, vars[i].label, vars[i].min,
                    vars[i].max);
    fputs("\nstyles:\n"
          "  open:\n    label: Open\n    when: trust >= 50 and anxiety < 50\n"
          "  guarded:\n    label: Guarded\n    when: trust < 50 or anxiety >= 50\n"
          "\noutcomes:\n"
          "  brave:\n    label: Brave\n    when: courage >= 60 and told_truth\n"
          "  at_home:\n    label: At home\n    when: warmth >= 50 and not left_home\n",
          f);
    fprintf(f, "\nstart: s-00000\ninclude:\n");
    for (int k = 0; k < nfiles; k++)
        fprintf(f, "  - chapters/part-%03d.yaml\n", k + 1);
    fclose(f);

    for (int k = 0; k < nfiles; k++) {
        snprintf(path, sizeof path, "%s/chapters/part-%03d.yaml", dir, k + 1);
        f = create(path);
        fprintf(f, "# Part %d of the synthetic pack (bench/gen.c).\nchapters:\n  - id: part-%03d\n"
                   "    title: Part %d\n    scenes:\n",
                k + 1, k + 1, k + 1);
        for (int i = k * PER_FILE; i < n && i < (k + 1) * PER_FILE; i++) {
            const scene *s = &sc[i];
            fprintf(f, "      - id: s-%05d\n        title: %s\n        text: |\n", i, s->title);
            for (int p = 0; p < s->npara; p++) {
                if (p)
                    fputc('\n', f);
                wrap(f, s->para[p], s, 10);
            }
            if (s->ending) {
                fprintf(f, "        ending:\n          title: %s\n", s->title);
                continue;
            }
            fputs("        choices:\n", f);
            for (int c = 0; c < s->nchoices; c++) {
                const choice *ch = &s->ch[c];
                fprintf(f, "          - id: c%d\n            text: %s\n", c + 1, ch->text);
                if (ch->cond)
                    fprintf(f, "            if: %s\n", ch->cond);
                fputs("            effects:\n", f);
                yaml_effect(f, &ch->fx[0]);
                yaml_effect(f, &ch->fx[1]);
                fprintf(f, "            goto: s-%05d\n", ch->go);
            }
        }
        fclose(f);
    }
}

/* ---- ink ---------------------------------------------------------------- */

static void ink_effect(FILE *f, const effect *e)
{
    const var *v = &vars[e->var];
    if (e->kind == E_SET)
        fprintf(f, "    ~ %s = %s\n", v->name, e->value ? "true" : "false");
    else if (e->kind == E_FAIR)
        fprintf(f, "    ~ %s = fair(%s, %d, %d, %d)\n", v->name, v->name, e->value, v->min, v->max);
    else
        fprintf(f, "    ~ %s = add(%s, %d, %d, %d)\n", v->name, v->name, e->value, v->min, v->max);
}

static void ink_para(FILE *f, const char *text, const scene *s)
{
    for (const char *p = text; *p; p++)
        if (*p == '\x01')
            fprintf(f, "{%s:%s|%s}", s->cond, s->then, s->els);
        else
            fputc(*p, f);
    fputc('\n', f);
}

static void write_ink(const char *path, const scene *sc, int n, uint64_t seed)
{
    FILE *f = create(path);
    fprintf(f, "// The synthetic story of bench/gen.c as ink: %d scenes, seed %llu.\n", n,
            (unsigned long long)seed);
    for (int i = 0; i < NVARS; i++)
        if (vars[i].kind == FLAG)
            fprintf(f, "VAR %s = false\n", vars[i].name);
        else
            fprintf(f, "VAR %s = %d\n", vars[i].name, vars[i].start);
    /* iwm's effects: add then clamp; the fair step (a share of the room left,
     * rounded, at least 1 while there is room). */
    fputs("\n-> s_00000\n\n"
          "=== function add(x, d, lo, hi)\n"
          "~ temp v = x + d\n"
          "{ v < lo:\n    ~ return lo\n}\n"
          "{ v > hi:\n    ~ return hi\n}\n"
          "~ return v\n\n"
          "=== function fair(x, pct, lo, hi)\n"
          "{ pct > 0:\n"
          "    ~ temp up = ((hi - x) * pct + 50) / 100\n"
          "    { up == 0 and hi > x:\n        ~ up = 1\n    }\n"
          "    ~ return add(x, up, lo, hi)\n"
          "}\n"
          "~ temp down = ((x - lo) * (0 - pct) + 50) / 100\n"
          "{ down == 0 and x > lo:\n    ~ down = 1\n}\n"
          "~ return add(x, 0 - down, lo, hi)\n\n",
          f);
    for (int i = 0; i < n; i++) {
        const scene *s = &sc[i];
        fprintf(f, "=== s_%05d ===\n", i);
        for (int p = 0; p < s->npara; p++) {
            if (p)
                fputc('\n', f);
            ink_para(f, s->para[p], s);
        }
        if (s->ending) {
            /* What iwm explore records at an ending: the style and outcomes. */
            fputs("{trust >= 50 and anxiety < 50:Open.|{trust < 50 or anxiety >= 50:Guarded.}}"
                  "{courage >= 60 and told_truth: Brave.}{warmth >= 50 and not left_home: At home.}\n"
                  "-> END\n\n",
                  f);
            continue;
        }
        for (int c = 0; c < s->nchoices; c++) {
            const choice *ch = &s->ch[c];
            if (ch->cond)
                fprintf(f, "+ {%s} [%s]\n", ch->cond, ch->text);
            else
                fprintf(f, "+ [%s]\n", ch->text);
            ink_effect(f, &ch->fx[0]);
            ink_effect(f, &ch->fx[1]);
            fprintf(f, "    -> s_%05d\n", ch->go);
        }
        fputc('\n', f);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: iwm-bench-gen SCENES SEED OUTDIR [INKFILE]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 2 || n > 100000) {
        fprintf(stderr, "iwm-bench-gen: SCENES must be 2 to 100000\n");
        return 2;
    }
    uint64_t seed = strtoull(argv[2], NULL, 10);
    rng_state = seed;
    char path[4096];
    snprintf(path, sizeof path, "%s/chapters", argv[3]);
    if ((mkdir(argv[3], 0777) != 0 && errno != EEXIST) || (mkdir(path, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "iwm-bench-gen: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    scene *sc = build(n);
    write_yaml(argv[3], sc, n, seed);
    if (argc == 5)
        write_ink(argv[4], sc, n, seed);
    return 0;
}
