/* fuzz_parts.c — the readers of the distributed scan's parts: packed tracks
 * (aw_py_tracks_unpack) and GeoPackage geometry blobs (aw_gpkg_geom_points, which the
 * merge of partition GeoPackages reads).
 *
 * Input: one control byte, then the data.
 *   byte 0: bit 0 picks the reader (0: geometry blob, 1: packed tracks); bit 1 gives the
 *           geometry reader a grown buffer to begin with; bit 2 passes the pack twice.
 * Checks: never a read outside the data (each call gets an exact-size copy); a geometry
 * is -1, 0 or n points with n * 16 bytes of coordinates inside the blob, every one read;
 * unpacked tracks keep their promises: vessels in (mmsi, segment) order, each one's
 * positions and history inside the arrays, positions of one vessel counted once; and
 * what unpacks packs again to a pack that unpacks to the same tracks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/gpkg_merge.h"
#include "aiswatch/pyapi.h"

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "fuzz check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

static void check_tracks(const aw_tracks *t) {
    size_t covered = 0;
    for (size_t i = 0; i < t->nvessels; i++) {
        const aw_vessel *v = &t->vessels[i];
        CHECK(v->first <= t->n && v->count <= t->n - v->first);
        CHECK(v->hist_first <= t->nhistory && v->hist_count <= t->nhistory - v->hist_first);
        CHECK(v->first == covered);
        covered += v->count;
        if (i)
            CHECK(t->vessels[i - 1].mmsi < v->mmsi ||
                  (t->vessels[i - 1].mmsi == v->mmsi && t->vessels[i - 1].segment <= v->segment));
        volatile double sum = 0;
        for (size_t k = v->first; k < v->first + v->count; k++) sum += t->lat[k] + (double)t->time_ms[k];
        (void)sum;
    }
    CHECK(covered == t->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t ctl = data[0];
    size_t n = size - 1;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return 0;
    memcpy(buf, data + 1, n);
    char err[128];
    if (!(ctl & 1)) {
        size_t cap = ctl & 2 ? 4 : 0;
        double *xy = cap ? malloc(cap * sizeof *xy) : NULL;
        long np = aw_gpkg_geom_points(buf, n, &xy, &cap);
        CHECK(np >= -1);
        if (np > 0) {
            CHECK((size_t)np * 16 <= n && (size_t)np * 2 <= cap);
            volatile double sum = 0;
            for (long i = 0; i < 2 * np; i++) sum += xy[i];
            (void)sum;
        }
        free(xy);
    } else {
        const void *packs[2] = {buf, buf};
        size_t lens[2] = {n, n};
        char **sanct = NULL;
        aw_tracks *t = aw_py_tracks_unpack(packs, lens, ctl & 4 ? 2 : 1, &sanct, err, sizeof err);
        if (t) {
            check_tracks(t);
            size_t len2 = 0;
            void *again = aw_py_tracks_pack(t, (const char *const *)sanct, INT64_MIN, INT64_MAX, &len2);
            if (again) {
                const void *p2[1] = {again};
                char **s2 = NULL;
                aw_tracks *t2 = aw_py_tracks_unpack(p2, &len2, 1, &s2, err, sizeof err);
                CHECK(t2 && t2->n == t->n && t2->nvessels == t->nvessels && t2->nhistory == t->nhistory);
                CHECK(t->n == 0 || memcmp(t2->time_ms, t->time_ms, t->n * sizeof *t->time_ms) == 0);
                for (size_t i = 0; i < t->nvessels; i++)
                    CHECK((sanct[i] == NULL) == (s2[i] == NULL) && (!sanct[i] || !strcmp(sanct[i], s2[i])));
                aw_py_strings_free(s2, t2->nvessels);
                aw_py_tracks_free(t2);
                aw_py_free(again);
            }
            aw_py_strings_free(sanct, t->nvessels);
            aw_py_tracks_free(t);
        } else {
            CHECK(err[0]);
        }
    }
    free(buf);
    return 0;
}
