/*
 * main: the command line. One table of subcommands (name, usage, summary,
 * handler) drives dispatch, `iwm --help` and `iwm help COMMAND`. Exit
 * status: 0 success, 1 an invalid pack (or save), 2 bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "explore.h"
#include "graph.h"
#include "pack.h"
#include "play.h"
#include "report.h"
#include "save.h"
#include "xalloc.h"

typedef struct subcommand {
    const char *name, *usage, *summary, *help;
    int (*run)(int argc, char **argv);
} subcommand;

static int cmd_play(int argc, char **argv);
static int cmd_check(int argc, char **argv);
static int cmd_explore(int argc, char **argv);
static int cmd_graph(int argc, char **argv);
static int cmd_new(int argc, char **argv);
static int cmd_report(int argc, char **argv);
static int cmd_class(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const subcommand subcommands[] = {
    {.name = "play",
     .usage = "iwm [play] [PACK] [--continue] [--load SLOT] [--seed N] [--set NAME=VALUE]... [--choices LIST]\n"
              "         [--width N] [--plain] [--reveal] [--transcript FILE] [--skip-content NOTE]",
     .summary = "play a story (the default story when PACK is omitted)",
     .help = "  PACK               a pack directory (with pack.yaml) or a single YAML file\n"
             "  --seed N           the seed for options drawn at random (default: from the clock)\n"
             "  --set NAME=VALUE   fix an option, e.g. --set caregiver=sensitive\n"
             "  --choices LIST     take these inputs first, e.g. --choices 1,2,1\n"
             "  --width N          wrap the text at N columns (default: the terminal's width)\n"
             "  --plain            no styling: linear text for screen readers and logs\n"
             "  --reveal           show the hidden state after each choice (for instructors)\n"
             "  --continue         resume the autosave (or start a new game, saying so)\n"
             "  --load SLOT        start from a saved game\n"
             "  --transcript FILE  copy the game's text and your input to FILE\n"
             "  --skip-content NOTE  skip scenes with this content note (their summary is shown)\n"
             "  --no-autosave      do not write the autosave after each choice\n"
             "  --report FILE      at the ending, write a report (.md, .json, .html or .csv)\n"
             "  --name NAME        put NAME in the report (the only personal data it can carry)\n",
     .run = cmd_play},
    {.name = "check",
     .usage = "iwm check [--strict] [--format gcc|json] PACK...",
     .summary = "check packs and print every problem as file:line:col",
     .help = "  --strict           warnings fail the check too\n"
             "  --format gcc|json  gcc (default): file:line:col: severity: message, the line and a caret;\n"
             "                     json: a list of {file, line, column, severity, code, message}\n",
     .run = cmd_check},
    {.name = "explore",
     .usage = "iwm explore [PACK] [--random N] [--seed S] [--exhaustive] [--max-states N] [--set NAME=VALUE]... [--json]",
     .summary = "play a pack automatically and report coverage, balance and reachability",
     .help = "  --random N         N seeded random playthroughs (default 1000)\n"
             "  --seed S           the master seed of random mode (default 1)\n"
             "  --exhaustive       visit every reachable (scene, state) once; prove what is reachable\n"
             "  --max-states N     give up exhaustive exploration beyond N states (default 2000000)\n"
             "  --set NAME=VALUE   fix an option instead of drawing it (or trying every value)\n"
             "  --json             the documented JSON object instead of text\n",
     .run = cmd_explore},
    {.name = "graph",
     .usage = "iwm graph [PACK] [--format dot|mermaid] [--chapter ID]",
     .summary = "print the story as a graph (Graphviz DOT or Mermaid)",
     .help = "  --format dot|mermaid  dot (default) renders with Graphviz: iwm graph | dot -Tsvg > story.svg;\n"
             "                        mermaid renders on common code hosts\n"
             "  --chapter ID          only this chapter (scenes it leads to elsewhere drawn plainly)\n",
     .run = cmd_graph},
    {.name = "report",
     .usage = "iwm report [--pack PACK] [--name NAME] SAVE -o FILE",
     .summary = "write the report of a saved game (.md, .json, .html or .csv)",
     .help = "  SAVE               a save file, or a slot name of the pack (e.g. autosave)\n"
             "  --pack PACK        the pack the save was made with (default: the built-in story)\n"
             "  -o FILE            the report; its extension chooses the format\n"
             "  --name NAME        put NAME in the report\n",
     .run = cmd_report},
    {.name = "class",
     .usage = "iwm class REPORT.json... -o FILE",
     .summary = "summarise a class's JSON reports (.md or .html)",
     .help = "  -o FILE            the summary: .md or .html\n",
     .run = cmd_class},
    {.name = "new",
     .usage = "iwm new DIR",
     .summary = "write a small, complete, commented pack to start from",
     .help = "  DIR must not exist yet (or be empty). The pack passes iwm check --strict,\n"
             "  explains itself in comments, and carries the JSON schema for editors.\n",
     .run = cmd_new},
    {.name = "help", .usage = "iwm help [COMMAND]", .summary = "show help for a command", .help = "", .run = cmd_help},
    {.name = "version", .usage = "iwm version", .summary = "print the version", .help = "", .run = cmd_version},
};
enum { NSUB = sizeof subcommands / sizeof *subcommands };

static void usage_all(FILE *f)
{
    fprintf(f, "iwm %s - Working Models, a terminal story about attachment\n\n"
               "usage: iwm [COMMAND] [ARGS]   (no command: play the default story)\n\ncommands:\n",
            IWM_VERSION);
    for (int i = 0; i < NSUB; i++)
        fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(f, "\nRun 'iwm help COMMAND' for a command's options. See iwm(6) and docs/.\n");
}

static const subcommand *find(const char *name)
{
    for (int i = 0; i < NSUB; i++)
        if (!strcmp(subcommands[i].name, name))
            return &subcommands[i];
    return NULL;
}

static int usage_error(const char *cmd, const char *msg)
{
    const subcommand *s = find(cmd);
    fprintf(stderr, "iwm: %s\nusage: %s\n", msg, s ? s->usage : "iwm [COMMAND] [ARGS]");
    return 2;
}

static pack *load(const char *path, bool strict, bool json)
{
    diags *d = diags_new();
    pack *p = path ? pack_load(path, d) : pack_load_embedded(d);
    bool fail = !p || (strict && diag_warnings(d));
    if (json)
        diag_print_json(d, stdout);
    else
        diag_print(d, stderr, isatty(fileno(stderr)) && !getenv("NO_COLOR"));
    diags_free(d);
    if (fail) {
        pack_free(p);
        return NULL;
    }
    return p;
}

/* The options fixed with --set, one entry per pack variable (-1: the
 * default). Returns NULL after printing the reason for a bad --set. */
static int *resolve_sets(const pack *p, const char *const *sets, int nsets)
{
    int *options = xmalloc(((size_t)play_nvars(p) + 1) * sizeof(int));
    for (int i = 0; i < play_nvars(p); i++)
        options[i] = -1;
    for (int i = 0; i < nsets; i++) {
        const char *err = play_set_option(p, options, sets[i]);
        if (err) {
            fprintf(stderr, "iwm: --set %s: %s\n", sets[i], err);
            free(options);
            return NULL;
        }
    }
    return options;
}

static int cmd_play(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},   {"set", required_argument, NULL, 'S'},
        {"choices", required_argument, NULL, 'c'}, {"width", required_argument, NULL, 'w'},
        {"plain", no_argument, NULL, 'p'},         {"reveal", no_argument, NULL, 'r'},
        {"continue", no_argument, NULL, 'C'},      {"load", required_argument, NULL, 'L'},
        {"transcript", required_argument, NULL, 'T'}, {"skip-content", required_argument, NULL, 'K'},
        {"no-autosave", no_argument, NULL, 'N'},   {"report", required_argument, NULL, 'R'},
        {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    play_opts o = {.autosave = true};
    const char *skips[32];
    int nskips = 0;
    bool seeded = false;
    const char *sets[64];
    int nsets = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's':
            o.seed = strtoull(optarg, &end, 10);
            if (*end || !*optarg)
                return usage_error("play", "--seed takes a whole number");
            seeded = true;
            break;
        case 'S':
            if (nsets == 64)
                return usage_error("play", "too many --set options");
            sets[nsets++] = optarg;
            break;
        case 'c': o.choices = optarg; break;
        case 'w':
            o.width = (int)strtol(optarg, &end, 10);
            if (*end || o.width < 20 || o.width > 1000)
                return usage_error("play", "--width takes a number from 20 to 1000");
            break;
        case 'p': o.plain = true; break;
        case 'r': o.reveal = true; break;
        case 'C': o.resume = true; break;
        case 'L': o.load_slot = optarg; break;
        case 'T': o.transcript = optarg; break;
        case 'N': o.autosave = false; break;
        case 'R':
            if (report_format_of(optarg) == REPORT_UNKNOWN)
                return usage_error("play", "--report FILE ends in .md, .json, .html or .csv");
            o.report = optarg;
            break;
        case 'n': o.name = optarg; break;
        case 'K':
            if (nskips == 32)
                return usage_error("play", "too many --skip-content options");
            skips[nskips++] = optarg;
            break;
        case 'h':
            printf("usage: %s\n%s", subcommands[0].usage, subcommands[0].help);
            return 0;
        default: return usage_error("play", "unknown option");
        }
    }
    if (argc - optind > 1)
        return usage_error("play", "play takes at most one PACK");
    pack *p = load(optind < argc ? argv[optind] : NULL, false, false);
    if (!p)
        return 1;
    int *options = resolve_sets(p, sets, nsets);
    if (!options) {
        pack_free(p);
        return 2;
    }
    for (int i = 0; i < nskips; i++)
        if (!play_skip_note(p, &o.skip_notes, skips[i])) {
            fprintf(stderr, "iwm: --skip-content %s: this story has no such content note\n", skips[i]);
            free(options);
            pack_free(p);
            return 2;
        }
    if (o.load_slot && !save_slot_ok(o.load_slot)) {
        fprintf(stderr, "iwm: --load %s: a save name is 1 to 32 letters, digits, '-' or '_'\n", o.load_slot);
        free(options);
        pack_free(p);
        return 2;
    }
    if (!seeded) {
        FILE *r = fopen("/dev/urandom", "rb");
        if (!r || fread(&o.seed, sizeof o.seed, 1, r) != 1)
            o.seed = (uint64_t)time(NULL);
        if (r)
            fclose(r);
        o.seed %= 1000000000ull; /* short enough to read out and type */
    }
    o.options = options;
    int status = play_run(p, &o, stdin, stdout);
    free(options);
    pack_free(p);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {{"strict", no_argument, NULL, 's'},
                                              {"format", required_argument, NULL, 'f'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    bool strict = false, json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 's': strict = true; break;
        case 'f':
            if (!strcmp(optarg, "json"))
                json = true;
            else if (strcmp(optarg, "gcc") != 0)
                return usage_error("check", "--format is gcc or json");
            break;
        case 'h':
            printf("usage: %s\n%s", subcommands[1].usage, subcommands[1].help);
            return 0;
        default: return usage_error("check", "unknown option");
        }
    }
    if (optind >= argc)
        return usage_error("check", "check needs at least one PACK");
    int status = 0;
    if (json) {
        /* One JSON list for all the packs, so the output is one document. */
        diags *d = diags_new();
        for (int i = optind; i < argc; i++) {
            size_t before = diag_errors(d), wbefore = diag_warnings(d);
            pack *p = pack_load(argv[i], d);
            if (!p || diag_errors(d) > before || (strict && diag_warnings(d) > wbefore))
                status = 1;
            pack_free(p);
        }
        diag_print_json(d, stdout);
        diags_free(d);
        return status;
    }
    for (int i = optind; i < argc; i++) {
        pack *p = load(argv[i], strict, json);
        if (!p)
            status = 1;
        pack_free(p);
    }
    return status;
}

static int cmd_explore(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"random", required_argument, NULL, 'r'},  {"seed", required_argument, NULL, 's'},
        {"exhaustive", no_argument, NULL, 'x'},    {"max-states", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},          {"help", no_argument, NULL, 'h'},
        {"set", required_argument, NULL, 'S'},     {NULL, 0, NULL, 0}};
    explore_opts o = {.seed = 1, .runs = 1000};
    bool runs_given = false, seed_given = false;
    const char *sets[64];
    int nsets = 0;
    bool exhaustive = false, json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        unsigned long long v = 0;
        if (c == 'S') {
            if (nsets == 64)
                return usage_error("explore", "too many --set options");
            sets[nsets++] = optarg;
            continue;
        }
        if (optarg) {
            v = strtoull(optarg, &end, 10);
            if (*end || !*optarg)
                return usage_error("explore", "expected a whole number");
        }
        switch (c) {
        case 'r':
            if (v < 1 || v > 100000000)
                return usage_error("explore", "--random takes 1 to 100000000 playthroughs");
            o.runs = (size_t)v;
            runs_given = true;
            break;
        case 's':
            o.seed = v;
            seed_given = true;
            break;
        case 'x': exhaustive = true; break;
        case 'm': o.max_states = (size_t)v; break;
        case 'j': json = true; break;
        case 'h':
            printf("usage: %s\n%s", find("explore")->usage, find("explore")->help);
            return 0;
        default: return usage_error("explore", "unknown option");
        }
    }
    if (argc - optind > 1)
        return usage_error("explore", "explore takes at most one PACK");
    pack *p = load(optind < argc ? argv[optind] : NULL, false, false);
    if (!p)
        return 1;
    int *options = resolve_sets(p, sets, nsets);
    if (!options) {
        pack_free(p);
        return 2;
    }
    o.options = options;
    /* The pack's own expectations say how much play they were measured on. */
    if (!runs_given && pack_expect_runs(p))
        o.runs = pack_expect_runs(p);
    uint64_t pack_seed;
    if (!seed_given && pack_expect_seed(p, &pack_seed))
        o.seed = pack_seed;
    explore *e = exhaustive ? explore_exhaustive(p, &o) : explore_random(p, &o);
    free(options);
    int failed;
    if (json) {
        explore_print_json(e, stdout);
        failed = explore_expectations(p, e, &o, stderr);
    } else {
        explore_print(e, stdout);
        failed = explore_expectations(p, e, &o, stdout);
    }
    int status = explore_stuck(e) || failed ? 1 : 0;
    explore_free(e);
    pack_free(p);
    return status;
}

static int cmd_graph(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                              {"chapter", required_argument, NULL, 'c'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    graph_format fmt = GRAPH_DOT;
    const char *chapter = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "mermaid"))
                fmt = GRAPH_MERMAID;
            else if (strcmp(optarg, "dot") != 0)
                return usage_error("graph", "--format is dot or mermaid");
            break;
        case 'c': chapter = optarg; break;
        case 'h':
            printf("usage: %s\n%s", find("graph")->usage, find("graph")->help);
            return 0;
        default: return usage_error("graph", "unknown option");
        }
    }
    if (argc - optind > 1)
        return usage_error("graph", "graph takes at most one PACK");
    pack *p = load(optind < argc ? argv[optind] : NULL, false, false);
    if (!p)
        return 1;
    int status = 0;
    if (graph_write(p, fmt, chapter, stdout) != 0) {
        fprintf(stderr, "iwm: no chapter '%s' in this pack\n", chapter);
        status = 2;
    }
    pack_free(p);
    return status;
}

static int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"pack", required_argument, NULL, 'p'},
                                              {"name", required_argument, NULL, 'n'},
                                              {"output", required_argument, NULL, 'o'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *pack_path = NULL, *name = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': pack_path = optarg; break;
        case 'n': name = optarg; break;
        case 'o': out = optarg; break;
        case 'h':
            printf("usage: %s\n%s", find("report")->usage, find("report")->help);
            return 0;
        default: return usage_error("report", "unknown option");
        }
    }
    if (argc - optind != 1 || !out)
        return usage_error("report", "report takes one SAVE and -o FILE");
    if (report_format_of(out) == REPORT_UNKNOWN)
        return usage_error("report", "-o FILE ends in .md, .json, .html or .csv");
    pack *p = load(pack_path, false, false);
    if (!p)
        return 1;
    const char *save = argv[optind];
    char path[4200], err[512];
    if (save_slot_ok(save) && access(save, F_OK) != 0) {
        char dir[4096];
        if (save_dir(pack_id(p), false, dir, sizeof dir, err, sizeof err) == 0)
            snprintf(path, sizeof path, "%s/%s.save", dir, save);
        else
            snprintf(path, sizeof path, "%s", save);
    } else {
        snprintf(path, sizeof path, "%s", save);
    }
    game *g = game_new(p);
    save_result r;
    int status = 0;
    if (save_read(path, g, &r, err, sizeof err) != 0) {
        fprintf(stderr, "iwm: cannot read the save '%s': %s\n", path, err);
        status = 1;
    } else {
        if (r.message[0])
            fprintf(stderr, "iwm: %s\n", r.message);
        if (!game_over(g))
            fprintf(stderr, "iwm: note: this game has not reached an ending; the report shows it so far\n");
        if (report_write(g, out, name, err, sizeof err) != 0) {
            fprintf(stderr, "iwm: %s\n", err);
            status = 1;
        }
    }
    game_free(g);
    pack_free(p);
    return status;
}

static int cmd_class(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h':
            printf("usage: %s\n%s", find("class")->usage, find("class")->help);
            return 0;
        default: return usage_error("class", "unknown option");
        }
    }
    if (optind >= argc || !out)
        return usage_error("class", "class takes REPORT.json files and -o FILE");
    report_format f = report_format_of(out);
    if (f != REPORT_MD && f != REPORT_HTML)
        return usage_error("class", "-o FILE ends in .md or .html");
    char err[512];
    if (report_class((const char *const *)argv + optind, (size_t)(argc - optind), out, err, sizeof err) != 0) {
        fprintf(stderr, "iwm: %s\n", err);
        return 1;
    }
    return 0;
}

extern const char *const iwm_new_names[];
extern const char *const iwm_new_files[];
extern const size_t iwm_new_lens[];
extern const size_t iwm_new_count;

/* Creates every directory in path's prefix (not the last component). */
static int make_parents(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

static int cmd_new(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && !strcmp(argv[1], "--help")) {
            printf("usage: %s\n%s", find("new")->usage, find("new")->help);
            return 0;
        }
        return usage_error("new", "new takes one DIR");
    }
    const char *dir = argv[1];
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        int entries = 0;
        while ((e = readdir(d)))
            entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        closedir(d);
        if (entries) {
            fprintf(stderr, "iwm: '%s' already exists and is not empty: choose a new directory\n", dir);
            return 1;
        }
    } else if (mkdir(dir, 0777) != 0) {
        fprintf(stderr, "iwm: cannot create '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < iwm_new_count; i++) {
        const char *name = iwm_new_names[i];
        if (!strncmp(name, "new/", 4))
            name += 4;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = make_parents(path) == 0 ? fopen(path, "wx") : NULL;
        if (!f || fwrite(iwm_new_files[i], 1, iwm_new_lens[i], f) != iwm_new_lens[i] || fclose(f) != 0) {
            fprintf(stderr, "iwm: cannot write '%s': %s\n", path, strerror(errno));
            return 1;
        }
        printf("wrote %s\n", path);
    }
    printf("\nNext: iwm check --strict %s && iwm play %s\n", dir, dir);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stdout);
        return 0;
    }
    const subcommand *s = find(argv[1]);
    if (!s) {
        fprintf(stderr, "iwm: no command '%s'\n", argv[1]);
        usage_all(stderr);
        return 2;
    }
    printf("iwm %s: %s\nusage: %s\n%s", s->name, s->summary, s->usage, s->help);
    return 0;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("iwm %s\n", IWM_VERSION);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cmd_play(argc, argv);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cmd_help(1, argv), 0;
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
        return cmd_version(argc, argv);
    const subcommand *s = find(argv[1]);
    if (s)
        return s->run(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        return cmd_play(argc, argv); /* iwm --seed 4: options for play */
    fprintf(stderr, "iwm: no command '%s'\n", argv[1]);
    usage_all(stderr);
    return 2;
}
