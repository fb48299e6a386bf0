/*
 * timer: the measuring side of bench/run (built as iwm-bench against the
 * engine's static library and libyaml). Every time is taken with
 * clock_gettime(CLOCK_MONOTONIC) around exactly the work named, and every
 * figure printed is the median of REPS repetitions after one warm-up run
 * that is not counted (so files are in the page cache and the allocator
 * has its arenas, as for any program that has run once).
 *
 *   iwm-bench load REPS PACKDIR
 *       Alternates, REPS times each: the floor (every .yaml file of the
 *       pack read into memory and run through libyaml's event parser,
 *       yaml_parser_parse until the end of the stream, each event deleted,
 *       nothing built) and iwm's full load (diags_new, pack_load, pack_free,
 *       diags_free: exactly what `iwm check PACK` does, minus printing an
 *       empty list of diagnostics). Prints
 *       "bytes B files F parse_ms P load_ms L ratio R ..." (R is the median
 *       of the per-repetition ratios load/parse).
 *   iwm-bench play REPS RUNS PACKDIR
 *       Loads the pack once, then times explore_random (the function behind
 *       `iwm explore --random RUNS --seed 1`: seeded playthroughs, uniform
 *       among the choices that can be taken, every count and final state
 *       recorded) over RUNS playthroughs. Prints
 *       "playthroughs_per_s X steps_per_playthrough S".
 *   iwm-bench render REPS RUNS PACKDIR
 *       The same playthroughs (same seeds, same policy, same walks) through
 *       the game API, but also rendering what a player reads at each step:
 *       the scene's narration and the text of every shown choice, as
 *       `iwm play` does before printing. Prints "playthroughs_per_s X
 *       steps_per_playthrough S" (the comparison with inkjs, which must
 *       produce its text to advance).
 *   iwm-bench exec REPS [-o FILE] [-i FILE] -- CMD ARG...
 *       Runs CMD REPS times (stdin from -i FILE or /dev/null, stdout to -o
 *       FILE or /dev/null, stderr to /dev/null), timing from before fork to
 *       after wait4. Prints "wall_ms W max_rss_kb K status S cpu_ms C" (W
 *       the median, K the largest peak RSS reported by wait4 over the runs,
 *       S the last exit status, C the median CPU time of the child).
 *   iwm-bench prompt REPS STATEDIR -- CMD ARG...
 *       Starts CMD on a new pseudo-terminal (80x24, XDG_STATE_HOME=STATEDIR
 *       so no real history or save is touched) and times from before fork
 *       to the moment the first input prompt ("> ") has been written to the
 *       terminal; then ends the child. Prints "prompt_ms W cpu_ms C" (C the
 *       child's CPU time, which is what getting to the prompt cost it).
 *   iwm-bench exhaustive REPS MAXSTATES
 *       explore_exhaustive on the default story (loaded once), alone: no
 *       expectations, no report. Prints "exhaustive_ms W cpu_ms C states S
 *       complete B".
 *   iwm-bench frontier MAXSTATES
 *       The same breadth-first search over the default story, counted
 *       level by level (new states per number of choices made), to show
 *       how the state space grows.
 *   iwm-bench once parse|load PACKDIR, once play|render PACKDIR RUNS
 *       The work alone, once, untimed: for callgrind (--toggle-collect on
 *       parse_floor, load_once, explore_random, render_runs) and perf.
 *
 * The load, play and render commands also print the CPU time of the same
 * work (CLOCK_PROCESS_CPUTIME_ID): on a shared machine the wall time
 * includes waiting for a core, the CPU time does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "buf.h"
#include "diag.h"
#include "explore.h"
#include "game.h"
#include "pack.h"
#include "pack_int.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* CPU time of this process: what the measured work cost when the machine
 * is shared (time spent waiting for a core is in the wall time only). */
static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double tv_ms(struct timeval t)
{
    return (double)t.tv_sec * 1e3 + (double)t.tv_usec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "iwm-bench: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static int reps_of(const char *s)
{
    int n = atoi(s);
    if (n < 1 || n > 100000)
        die("REPS must be 1 to 100000, not '%s'", s);
    return n;
}

/* ---- the floor: libyaml's event parse of the pack's files -------------- */

typedef struct files {
    char **path;
    int n;
    size_t bytes;
} files;

static void add_path(files *f, const char *path)
{
    f->path = realloc(f->path, (size_t)(f->n + 1) * sizeof *f->path);
    f->path[f->n++] = strdup(path);
    struct stat st;
    if (stat(path, &st) != 0)
        die("cannot stat %s", path);
    f->bytes += (size_t)st.st_size;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* pack.yaml and every .yaml file under chapters/ (the generator's layout;
 * pack.yaml includes exactly those). */
static files pack_files(const char *dir)
{
    files f = {0};
    char path[4096];
    snprintf(path, sizeof path, "%s/pack.yaml", dir);
    add_path(&f, path);
    snprintf(path, sizeof path, "%s/chapters", dir);
    DIR *d = opendir(path);
    if (!d)
        return f;
    char **names = NULL;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) {
            names = realloc(names, (size_t)(n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/chapters/%s", dir, names[i]);
        add_path(&f, path);
        free(names[i]);
    }
    free(names);
    return f;
}

/* Reads the whole file as the loader does (open, fstat, read). */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die("cannot read %s", path);
    size_t n = (size_t)st.st_size, got = 0;
    char *data = malloc(n + 1);
    while (got < n) {
        ssize_t k = read(fd, data + got, n - got);
        if (k <= 0)
            die("short read on %s", path);
        got += (size_t)k;
    }
    close(fd);
    data[n] = '\0';
    *len = n;
    return data;
}

static size_t events; /* keeps the loop observable */

static void parse_floor(const files *f)
{
    for (int i = 0; i < f->n; i++) {
        size_t len;
        char *data = slurp(f->path[i], &len);
        yaml_parser_t p;
        yaml_event_t e;
        if (!yaml_parser_initialize(&p))
            die("%s", "yaml_parser_initialize failed");
        yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
        yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
        for (;;) {
            if (!yaml_parser_parse(&p, &e))
                die("YAML error in %s", f->path[i]);
            events++;
            yaml_event_type_t t = e.type;
            yaml_event_delete(&e);
            if (t == YAML_STREAM_END_EVENT)
                break;
        }
        yaml_parser_delete(&p);
        free(data);
    }
}

static void load_once(const char *dir)
{
    diags *d = diags_new();
    pack *p = pack_load(dir, d);
    if (!p || diag_errors(d) || diag_warnings(d))
        die("%s does not load cleanly (run iwm check --strict on it)", dir);
    pack_free(p);
    diags_free(d);
}

static int cmd_load(int argc, char **argv)
{
    if (argc != 2)
        die("%s", "usage: iwm-bench load REPS PACKDIR");
    int reps = reps_of(argv[0]);
    const char *dir = argv[1];
    files f = pack_files(dir);
    size_t sz = (size_t)reps * sizeof(double);
    double *tp = malloc(sz), *tl = malloc(sz), *r = malloc(sz), *cp = malloc(sz), *cl = malloc(sz),
           *cr = malloc(sz);
    parse_floor(&f); /* warm-up */
    load_once(dir);
    for (int i = 0; i < reps; i++) {
        double c0 = cpu_ms(), t0 = now_ms();
        parse_floor(&f);
        double t1 = now_ms(), c1 = cpu_ms();
        load_once(dir);
        double t2 = now_ms(), c2 = cpu_ms();
        tp[i] = t1 - t0;
        tl[i] = t2 - t1;
        r[i] = tl[i] / tp[i];
        cp[i] = c1 - c0;
        cl[i] = c2 - c1;
        cr[i] = cl[i] / cp[i];
    }
    printf("bytes %zu files %d parse_ms %.3f load_ms %.3f ratio %.3f parse_cpu_ms %.3f load_cpu_ms %.3f "
           "cpu_ratio %.3f\n",
           f.bytes, f.n, median(tp, reps), median(tl, reps), median(r, reps), median(cp, reps),
           median(cl, reps), median(cr, reps));
    return 0;
}

/* ---- playthroughs ------------------------------------------------------- */

static pack *load_or_die(const char *dir)
{
    diags *d = diags_new();
    pack *p = pack_load(dir, d);
    if (!p)
        die("%s does not load", dir);
    diags_free(d);
    return p;
}

/* explore_random's loop through the public game API, plus rendering what
 * the reader sees. Same seeds and draws, so the same walks. Returns the
 * number of choices taken. */
static size_t render_runs(const pack *p, size_t runs, buf *out)
{
    game *g = game_new(p);
    uint64_t rng = 1;
    size_t steps = 0;
    const pk_choice **avail = malloc(((size_t)p->nchoices + 1) * sizeof *avail);
    for (size_t run = 0; run < runs; run++) {
        game_start(g, game_rng(&rng), NULL);
        for (;;) {
            const pk_scene *sc = game_scene(g);
            buf_reset(out);
            pack_render(&sc->text, game_state(g), out);
            if (game_over(g))
                break;
            int n = 0;
            for (int i = 0; i < sc->nchoices; i++) {
                const pk_choice *c = sc->choices[i];
                if (!game_shown(g, c))
                    continue;
                pack_render(&c->text, game_state(g), out);
                if (game_enabled(g, c))
                    avail[n++] = c;
            }
            if (n == 0)
                die("%s", "a playthrough got stuck");
            game_choose(g, avail[game_rng(&rng) % (uint64_t)n]);
            steps++;
        }
    }
    free(avail);
    game_free(g);
    return steps;
}

static int cmd_play(int argc, char **argv, bool render)
{
    if (argc != 3)
        die("%s", "usage: iwm-bench play|render REPS RUNS PACKDIR");
    int reps = reps_of(argv[0]);
    long runs = atol(argv[1]);
    if (runs < 1)
        die("RUNS must be positive, not '%s'", argv[1]);
    pack *p = load_or_die(argv[2]);
    explore_opts o = {.seed = 1, .runs = (size_t)runs};
    buf out = BUF_INIT;
    double *t = malloc((size_t)reps * sizeof(double)), *c = malloc((size_t)reps * sizeof(double));
    size_t steps = render_runs(p, (size_t)runs, &out); /* warm-up, and the walk lengths */
    for (int i = -1; i < reps; i++) {
        double c0 = cpu_ms(), t0 = now_ms();
        if (render) {
            render_runs(p, (size_t)runs, &out);
        } else {
            explore *e = explore_random(p, &o);
            if (explore_stuck(e))
                die("%s", "a playthrough got stuck");
            explore_free(e);
        }
        if (i >= 0) {
            t[i] = now_ms() - t0;
            c[i] = cpu_ms() - c0;
        }
    }
    printf("playthroughs_per_s %.0f steps_per_playthrough %.2f cpu_playthroughs_per_s %.0f\n",
           (double)runs * 1e3 / median(t, reps), (double)steps / (double)runs,
           (double)runs * 1e3 / median(c, reps));
    buf_free(&out);
    pack_free(p);
    return 0;
}

/* ---- the default story's state space ------------------------------------ */

static pack *load_embedded_or_die(void)
{
    diags *d = diags_new();
    pack *p = pack_load_embedded(d);
    if (!p)
        die("%s", "the default story does not load");
    diags_free(d);
    return p;
}

/* explore_exhaustive itself, on the default story. */
static int cmd_exhaustive(int argc, char **argv)
{
    if (argc != 2)
        die("%s", "usage: iwm-bench exhaustive REPS MAXSTATES");
    int reps = reps_of(argv[0]);
    explore_opts o = {.max_states = (size_t)atol(argv[1])};
    pack *p = load_embedded_or_die();
    double *t = malloc((size_t)reps * sizeof(double)), *c = malloc((size_t)reps * sizeof(double));
    size_t states = 0;
    bool complete = false;
    for (int i = 0; i < reps; i++) {
        double c0 = cpu_ms(), t0 = now_ms();
        explore *e = explore_exhaustive(p, &o);
        t[i] = now_ms() - t0;
        c[i] = cpu_ms() - c0;
        states = explore_states(e);
        complete = explore_complete(e);
        explore_free(e);
    }
    printf("exhaustive_ms %.1f cpu_ms %.1f states %zu complete %s\n", median(t, reps), median(c, reps), states,
           complete ? "true" : "false");
    pack_free(p);
    return 0;
}

/* The same breadth-first search as explore_exhaustive (same state: every
 * slot, snapshots and once flags included; same merging of identical
 * (scene, state) pairs; every combination of options as a start), counted
 * level by level: how many new states each further choice adds. */
typedef struct stateset {
    size_t size, n, cap, tcap;
    int32_t *keys; /* per state: scene, then size slots */
    uint32_t *table;
} stateset;

static uint64_t key_hash(const int32_t *k, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint32_t)k[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static bool set_add(stateset *s, const int32_t *key)
{
    size_t w = s->size + 1;
    if ((s->n + 1) * 2 > s->tcap) {
        s->tcap = s->tcap ? s->tcap * 2 : 1 << 16;
        free(s->table);
        s->table = calloc(s->tcap, sizeof *s->table);
        for (size_t i = 0; i < s->n; i++) {
            size_t h = key_hash(s->keys + i * w, w) & (s->tcap - 1);
            while (s->table[h])
                h = (h + 1) & (s->tcap - 1);
            s->table[h] = (uint32_t)i + 1;
        }
    }
    size_t h = key_hash(key, w) & (s->tcap - 1);
    for (; s->table[h]; h = (h + 1) & (s->tcap - 1))
        if (!memcmp(s->keys + (s->table[h] - 1) * w, key, w * sizeof *key))
            return false;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->keys = realloc(s->keys, s->cap * w * sizeof *s->keys);
    }
    memcpy(s->keys + s->n * w, key, w * sizeof *key);
    s->table[h] = (uint32_t)++s->n;
    return true;
}

static int cmd_frontier(int argc, char **argv)
{
    if (argc != 1)
        die("%s", "usage: iwm-bench frontier MAXSTATES");
    size_t max = (size_t)atol(argv[0]);
    pack *p = load_embedded_or_die();
    size_t size = (size_t)p->state_size, w = size + 1;
    stateset s = {.size = size};
    int32_t *key = calloc(w, sizeof *key), *next = calloc(w, sizeof *next);
    int *opt = calloc((size_t)p->nvars + 1, sizeof *opt);
    for (;;) { /* the starts: every combination of option values */
        int32_t *st = key + 1;
        for (int i = 0; i < p->nvars; i++)
            st[i] = p->vars[i].kind == V_OPTION ? opt[i] : p->vars[i].start;
        for (int k = 0; k < p->nsnapshots; k++)
            memcpy(st + p->snap_base + k * p->nvars, st, (size_t)p->nvars * sizeof *st);
        memset(st + p->once_base, 0, (size_t)p->nonce * sizeof *st);
        pack_enter(p, p->start, st);
        key[0] = p->start->index;
        set_add(&s, key);
        int i = 0;
        for (; i < p->nvars; i++) {
            if (p->vars[i].kind != V_OPTION)
                continue;
            if (++opt[i] < p->vars[i].nvalues)
                break;
            opt[i] = 0;
        }
        if (i == p->nvars)
            break;
    }
    printf("depth 0 new %zu total %zu endings 0\n", s.n, s.n);
    size_t lo = 0, hi = s.n;
    for (int depth = 1; lo < hi && s.n < max; depth++) {
        size_t endings = 0;
        for (size_t i = lo; i < hi && s.n < max; i++) {
            memcpy(key, s.keys + i * w, w * sizeof *key);
            const pk_scene *sc = p->scenes[key[0]];
            const int32_t *st = key + 1;
            for (int k = 0; k < sc->nchoices; k++) {
                const pk_choice *c = sc->choices[k];
                if ((c->once_slot >= 0 && st[c->once_slot]) || (c->shown_if && !expr_eval(c->shown_if, st)) ||
                    (c->enabled_if && !expr_eval(c->enabled_if, st)))
                    continue;
                memcpy(next + 1, st, size * sizeof *st);
                pack_apply(p, &c->effects, next + 1);
                if (c->once_slot >= 0)
                    next[1 + c->once_slot] = 1;
                pk_scene *to = pack_goto(c, next + 1);
                pack_enter(p, to, next + 1);
                next[0] = to->index;
                if (set_add(&s, next) && to->ending)
                    endings++;
            }
        }
        printf("depth %d new %zu total %zu endings %zu%s\n", depth, s.n - hi, s.n, endings,
               s.n >= max ? " (stopped)" : "");
        lo = hi;
        hi = s.n;
    }
    printf("slots_per_state %zu bytes_per_state %zu\n", size, w * sizeof(int32_t));
    free(key);
    free(next);
    free(opt);
    free(s.keys);
    free(s.table);
    pack_free(p);
    return 0;
}

/* ---- processes ---------------------------------------------------------- */

static int cmd_exec(int argc, char **argv)
{
    if (argc < 3)
        die("%s", "usage: iwm-bench exec REPS [-o FILE] [-i FILE] -- CMD ARG...");
    int reps = reps_of(argv[0]);
    const char *out = "/dev/null", *in = "/dev/null";
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "-i") && i + 1 < argc)
            in = argv[++i];
        else
            die("unknown option %s", argv[i]);
    }
    if (i + 1 >= argc)
        die("%s", "exec needs -- CMD");
    char **cmd = argv + i + 1;
    double *t = malloc((size_t)reps * sizeof(double)), *c = malloc((size_t)reps * sizeof(double));
    long maxrss = 0;
    int status = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid < 0)
            die("%s", "fork failed");
        if (pid == 0) {
            int fi = open(in, O_RDONLY), fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644),
                fe = open("/dev/null", O_WRONLY);
            if (fi < 0 || fo < 0 || fe < 0)
                _exit(126);
            dup2(fi, 0), dup2(fo, 1), dup2(fe, 2);
            execvp(cmd[0], cmd);
            _exit(127);
        }
        int st;
        struct rusage ru;
        if (wait4(pid, &st, 0, &ru) < 0)
            die("%s", "wait4 failed");
        t[r] = now_ms() - t0;
        c[r] = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
        if (ru.ru_maxrss > maxrss)
            maxrss = ru.ru_maxrss;
        status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    printf("wall_ms %.3f max_rss_kb %ld status %d cpu_ms %.3f\n", median(t, reps), maxrss, status,
           median(c, reps));
    return 0;
}

static int cmd_prompt(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[2], "--"))
        die("%s", "usage: iwm-bench prompt REPS STATEDIR -- CMD ARG...");
    int reps = reps_of(argv[0]);
    const char *state = argv[1];
    char **cmd = argv + 3;
    double *t = malloc((size_t)reps * sizeof(double)), *c = malloc((size_t)reps * sizeof(double));
    static char seen[1 << 16];
    for (int r = -1; r < reps; r++) {
        struct winsize ws = {.ws_row = 24, .ws_col = 80};
        int master;
        double t0 = now_ms();
        pid_t pid = forkpty(&master, NULL, NULL, &ws);
        if (pid < 0)
            die("%s", "forkpty failed");
        if (pid == 0) {
            setenv("XDG_STATE_HOME", state, 1);
            if (!getenv("TERM") || !*getenv("TERM"))
                setenv("TERM", "xterm", 1);
            execvp(cmd[0], cmd);
            _exit(127);
        }
        size_t n = 0;
        bool found = false;
        while (!found) {
            struct pollfd pf = {master, POLLIN, 0};
            if (poll(&pf, 1, 10000) <= 0)
                break;
            ssize_t k = read(master, seen + n, sizeof seen - 1 - n);
            if (k <= 0)
                break;
            n += (size_t)k;
            seen[n] = '\0';
            /* The prompt is the last thing written before the program
             * waits: "> " at the end of the output so far (readline may
             * follow it with nothing, or put mode escapes before it). */
            found = n >= 2 && seen[n - 2] == '>' && seen[n - 1] == ' ';
            if (n == sizeof seen - 1)
                n = 0;
        }
        double dt = now_ms() - t0;
        /* The child is waiting in read(): its CPU time is the cost of
         * getting to the prompt. */
        kill(pid, SIGTERM);
        close(master);
        struct rusage ru;
        wait4(pid, NULL, 0, &ru);
        if (!found)
            die("%s", "no prompt seen within 10 s");
        if (r >= 0) {
            t[r] = dt;
            c[r] = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
        }
    }
    printf("prompt_ms %.3f cpu_ms %.3f\n", median(t, reps), median(c, reps));
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2)
        die("%s", "usage: iwm-bench load|play|render|exec|prompt ...");
    const char *c = argv[1];
    if (!strcmp(c, "load"))
        return cmd_load(argc - 2, argv + 2);
    if (!strcmp(c, "play"))
        return cmd_play(argc - 2, argv + 2, false);
    if (!strcmp(c, "render"))
        return cmd_play(argc - 2, argv + 2, true);
    /* Each piece of work once, untimed, for callgrind and perf. */
    if (!strcmp(c, "once") && argc >= 4) {
        const char *what = argv[2], *dir = argv[3];
        if (!strcmp(what, "parse")) {
            files f = pack_files(dir);
            parse_floor(&f);
        } else if (!strcmp(what, "load")) {
            load_once(dir);
        } else if (!strcmp(what, "play") && argc == 5) {
            pack *p = load_or_die(dir);
            explore_opts o = {.seed = 1, .runs = (size_t)atol(argv[4])};
            explore_free(explore_random(p, &o));
            pack_free(p);
        } else if (!strcmp(what, "render") && argc == 5) {
            pack *p = load_or_die(dir);
            buf out = BUF_INIT;
            render_runs(p, (size_t)atol(argv[4]), &out);
            buf_free(&out);
            pack_free(p);
        } else {
            die("%s", "usage: iwm-bench once parse|load PACKDIR | once play|render PACKDIR RUNS");
        }
        return 0;
    }
    if (!strcmp(c, "exhaustive"))
        return cmd_exhaustive(argc - 2, argv + 2);
    if (!strcmp(c, "frontier"))
        return cmd_frontier(argc - 2, argv + 2);
    if (!strcmp(c, "exec"))
        return cmd_exec(argc - 2, argv + 2);
    if (!strcmp(c, "prompt"))
        return cmd_prompt(argc - 2, argv + 2);
    die("unknown command %s", c);
    return 2;
}
