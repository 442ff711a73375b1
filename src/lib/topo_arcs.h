/* topo_arcs.h — the "arcs" member of a TopoJSON topology, read without a DOM (internal).
 *
 * Natural Earth's 1:10m land is ~3 MB of TopoJSON, nearly all of it the arcs: a few
 * hundred thousand [x, y] pairs. A DOM parser allocates a node per number, which made
 * loading land cost ~0.3 CPU-s, on every scan's start-up path. The arcs are read here
 * straight into flat arrays; the rest of the document (objects, transform: small) is
 * left to the DOM parser, with the arcs' value replaced by [].
 */
#ifndef AISWATCH_TOPO_ARCS_H
#define AISWATCH_TOPO_ARCS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct topo_arcs {
    size_t n;     /* arcs */
    size_t *off;  /* n + 1: arc k is positions [off[k], off[k + 1]) */
    double *xy;   /* x, y of every position, as written (extra coordinates dropped) */
} topo_arcs;

/* Finds the member "arcs" of the top-level object of text[0..len) and parses its value,
 * an array of arrays of positions (arrays of at least two numbers). Returns a copy of the
 * text (NUL-terminated, *out_len bytes) in which that value is replaced by [] and blanks,
 * for a DOM parser to read the rest; *found says whether the member was there (if not,
 * the copy is the text unchanged and arcs is empty). NULL with a message in err for a
 * malformed arcs value or when memory runs out. The rest of the text is not checked. */
char *topo_arcs_split(const char *text, size_t len, topo_arcs *arcs, bool *found, size_t *out_len, char *err,
                      size_t errcap);

void topo_arcs_free(topo_arcs *arcs);

#endif
