/* obs_vec.h — a growable array of static reports (internal): what the scan's and the
 * watch's decoding workers collect before tracks are built. */
#ifndef AISWATCH_OBS_VEC_H
#define AISWATCH_OBS_VEC_H

#include <stdlib.h>

#include "aiswatch/track.h"

#include "bigarray.h"

typedef struct obs_vec {
    aw_static_obs *v;
    size_t n, cap;
    bool mapped; /* past 1 MiB: a mapping of its own (bigarray.h) */
} obs_vec;

/* Room for need reports; -1 when memory runs out (the vector is unchanged). */
static inline int obs_reserve(obs_vec *l, size_t need) {
    if (need <= l->cap) return 0;
    size_t cap = l->cap ? l->cap : 1024;
    while (cap < need) cap *= 2;
    bool to_map = l->mapped || cap * sizeof *l->v >= AW_MAP_MIN_BYTES;
    aw_static_obs *v =
        aw_array_resize(l->v, l->n * sizeof *v, l->cap * sizeof *v, cap * sizeof *v, l->mapped, to_map);
    if (!v) return -1;
    l->v = v;
    l->cap = cap;
    l->mapped = to_map;
    return 0;
}

/* Appends *o; -1 when memory runs out (the vector is unchanged). */
static inline int obs_push(obs_vec *l, const aw_static_obs *o) {
    if (l->n == l->cap && obs_reserve(l, l->n + 1) < 0) return -1;
    l->v[l->n++] = *o;
    return 0;
}

static inline void obs_free(obs_vec *l) {
    aw_array_free(l->v, l->cap * sizeof *l->v, l->mapped);
    *l = (obs_vec){0};
}

#endif
