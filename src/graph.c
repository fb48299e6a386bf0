/*
 * graph: DOT and Mermaid output (see graph.h). Both formats are written
 * from one walk over chapters, scenes and choices; only the syntax of a
 * node, an edge and a cluster differs, so the two cannot drift apart.
 * Reachability is the loader's over-approximation (every goto followed,
 * conditions ignored), so a highlighted scene is truly unreachable.
 */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Writes s escaped for a double-quoted DOT string or a Mermaid label. */
static void quoted(FILE *f, const char *s, graph_format fmt)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            fputc(' ', f);
        else if (fmt == GRAPH_DOT && (c == '"' || c == '\\'))
            fprintf(f, "\\%c", c);
        else if (fmt == GRAPH_MERMAID && c == '"')
            fputs("#quot;", f);
        else if (fmt == GRAPH_MERMAID && (c == '<' || c == '>'))
            fputs(c == '<' ? "#lt;" : "#gt;", f);
        else
            fputc(c, f);
    }
}

/* Mermaid node ids must be plain: scene i is "s<i>". */
static void node_id(FILE *f, const pk_scene *s, graph_format fmt)
{
    if (fmt == GRAPH_DOT) {
        fputc('"', f);
        quoted(f, s->id, fmt);
        fputc('"', f);
    } else {
        fprintf(f, "s%d", s->index);
    }
}

static bool *reachable(const pack *p)
{
    bool *seen = xcalloc((size_t)p->nscenes + 1, sizeof(bool));
    int *stack = xmalloc(((size_t)p->nscenes + 1) * sizeof(int)), top = 0;
    seen[p->start->index] = true;
    stack[top++] = p->start->index;
    while (top) {
        const pk_scene *s = p->scenes[stack[--top]];
        for (int i = 0; i < s->nchoices; i++)
            for (const pk_goto *g = s->choices[i]->go; g; g = g->next)
                if (!seen[g->scene->index]) {
                    seen[g->scene->index] = true;
                    stack[top++] = g->scene->index;
                }
    }
    free(stack);
    return seen;
}

static void node(FILE *f, const pack *p, const pk_scene *s, bool reach, bool outside, graph_format fmt)
{
    const char *title = s->title ? s->title : "";
    if (fmt == GRAPH_DOT) {
        fputs("    ", f);
        node_id(f, s, fmt);
        fputs(" [label=\"", f);
        quoted(f, s->id, fmt);
        if (*title) {
            fputs("\\n", f);
            quoted(f, title, fmt);
        }
        fputc('"', f);
        if (outside)
            fputs(", shape=plain, fontcolor=gray40", f);
        else if (s->ending)
            fputs(", peripheries=2", f);
        if (s == p->start)
            fputs(", penwidth=2", f);
        if (!outside)
            fprintf(f, ", style=\"rounded%s%s\"", s->ending ? ",bold" : "", reach ? "" : ",filled");
        if (!reach)
            fputs(", fillcolor=\"#f8d0d0\", color=\"#c00000\"", f);
        fputs("];\n", f);
    } else {
        fputs("    ", f);
        node_id(f, s, fmt);
        fputs(s->ending ? "([\"" : "[\"", f);
        quoted(f, s->id, fmt);
        if (*title) {
            fputs("<br/>", f);
            quoted(f, title, fmt);
        }
        fputs(s->ending ? "\"])\n" : "\"]\n", f);
    }
}

static void edge(FILE *f, const pk_scene *from, const pk_choice *c, const pk_goto *g, int branch,
                 graph_format fmt)
{
    bool cond = c->shown_if != NULL, gated = c->enabled_if != NULL;
    fputs("  ", f);
    node_id(f, from, fmt);
    if (fmt == GRAPH_DOT) {
        fputs(" -> ", f);
        node_id(f, g->scene, fmt);
        fputs(" [label=\"", f);
        quoted(f, c->id, fmt);
        if (g->when || branch > 0)
            fprintf(f, g->when ? " (branch %d)" : " (otherwise)", branch + 1);
        fputc('"', f);
        if (cond)
            fputs(", style=dashed", f);
        else if (gated)
            fputs(", style=dotted, color=gray40", f);
        fputs("];\n", f);
    } else {
        fputs(cond ? " -.->|\"" : gated ? " -.->|\"" : " -->|\"", f);
        quoted(f, c->id, fmt);
        if (cond)
            fputs(" (if)", f);
        else if (gated)
            fputs(" (enabled_if)", f);
        if (g->when || branch > 0)
            fprintf(f, g->when ? " branch %d" : " otherwise", branch + 1);
        fputs("\"| ", f);
        node_id(f, g->scene, fmt);
        fputc('\n', f);
    }
}

int graph_write(const pack *p, graph_format fmt, const char *chapter, FILE *f)
{
    int only = -1;
    if (chapter) {
        for (int i = 0; i < p->nchapters; i++)
            if (!strcmp(p->chapters[i].id, chapter))
                only = i;
        if (only < 0)
            return -1;
    }
    bool *reach = reachable(p);
    bool *drawn = xcalloc((size_t)p->nscenes + 1, sizeof(bool));
    if (fmt == GRAPH_DOT) {
        fputs("digraph \"", f);
        quoted(f, p->id, fmt);
        fputs("\" {\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
              "  edge [fontname=\"Helvetica\", fontsize=8];\n",
              f);
    } else {
        fputs("flowchart TD\n", f);
    }
    for (int k = 0; k < p->nchapters; k++) {
        if (only >= 0 && k != only)
            continue;
        const pk_chapter *ch = &p->chapters[k];
        if (fmt == GRAPH_DOT) {
            fputs("  subgraph \"cluster_", f);
            quoted(f, ch->id, fmt);
            fputs("\" {\n    label=\"", f);
            quoted(f, ch->title ? ch->title : ch->id, fmt);
            fputs("\";\n    style=rounded; color=gray60;\n", f);
        } else {
            fprintf(f, "  subgraph c%d[\"", k);
            quoted(f, ch->title ? ch->title : ch->id, fmt);
            fputs("\"]\n", f);
        }
        for (int i = ch->first; i < ch->first + ch->count; i++) {
            node(f, p, p->scenes[i], reach[i], false, fmt);
            drawn[i] = true;
        }
        fputs(fmt == GRAPH_DOT ? "  }\n" : "  end\n", f);
    }
    /* Scenes outside the chapter that it leads to, drawn plainly. */
    for (int i = 0; i < p->nscenes; i++) {
        const pk_scene *s = p->scenes[i];
        if (only >= 0 && s->chapter != only)
            continue;
        for (int c = 0; c < s->nchoices; c++)
            for (const pk_goto *g = s->choices[c]->go; g; g = g->next)
                if (!drawn[g->scene->index]) {
                    drawn[g->scene->index] = true;
                    node(f, p, g->scene, true, true, fmt);
                }
    }
    for (int i = 0; i < p->nscenes; i++) {
        const pk_scene *s = p->scenes[i];
        if (only >= 0 && s->chapter != only)
            continue;
        for (int c = 0; c < s->nchoices; c++) {
            int branch = 0;
            for (const pk_goto *g = s->choices[c]->go; g; g = g->next, branch++)
                edge(f, s, s->choices[c], g, branch, fmt);
        }
    }
    if (fmt == GRAPH_MERMAID) {
        fputs("  classDef unreachable fill:#f8d0d0,stroke:#c00000\n", f);
        fputs("  classDef ending stroke-width:3px\n", f);
        for (int i = 0; i < p->nscenes; i++) {
            if (only >= 0 && p->scenes[i]->chapter != only)
                continue;
            if (!reach[i])
                fprintf(f, "  class s%d unreachable\n", i);
            else if (p->scenes[i]->ending)
                fprintf(f, "  class s%d ending\n", i);
        }
    } else {
        fputs("}\n", f);
    }
    free(reach);
    free(drawn);
    return 0;
}
