/* obs_vec.h — a growable array of static reports (internal): what the scan's and the
 * watch's decoding workers collect before tracks are built. */
#ifndef AISWATCH_OBS_VEC_H
#define AISWATCH_OBS_VEC_H

#include <stdlib.h>

#include "aiswatch/track.h"

typedef struct obs_vec {
    aw_static_obs *v;
    size_t n, cap;
} obs_vec;

/* Appends *o; -1 when memory runs out (the vector is unchanged). */
static inline int obs_push(obs_vec *l, const aw_static_obs *o) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        aw_static_obs *v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *o;
    return 0;
}

#endif
