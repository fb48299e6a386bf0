/*
 * graph: the story as a graph, for authors: Graphviz DOT and Mermaid.
 * Chapters are clusters (subgraphs), scenes are nodes labelled with their
 * id and title, choices are edges labelled with their id. Endings are
 * marked (double border / stadium shape), choices with an `if` (shown only
 * sometimes) are dashed, choices with an `enabled_if` (sometimes disabled)
 * are dotted and grey, a conditional goto's branches are labelled
 * "branch N" and "otherwise" in the order they are tried, and scenes that
 * no goto path reaches are highlighted.
 */
#ifndef IWM_GRAPH_H
#define IWM_GRAPH_H

#include <stdio.h>

#include "pack_int.h"

typedef enum graph_format { GRAPH_DOT, GRAPH_MERMAID } graph_format;

/* Writes the graph of p to f. chapter: an id to draw only that chapter
 * (with the scenes it leads to outside it drawn plainly), or NULL for all.
 * Returns 0, or -1 when there is no such chapter. */
int graph_write(const pack *p, graph_format fmt, const char *chapter, FILE *f);

#endif
