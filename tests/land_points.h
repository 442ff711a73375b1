/* land_points.h — query points that probe the land index's boundary conventions.
 *
 * Around Natural Earth's real edges: points exactly on vertices, on cell sides and corners,
 * on the latitude-band boundaries of a cell, exactly on an edge where it crosses a band
 * boundary, exactly at the latitude where an edge crosses a cell's west side, and one ulp
 * either side of these. Each point says whether it is degenerate (see lp_points).
 */
#ifndef AW_TEST_LAND_POINTS_H
#define AW_TEST_LAND_POINTS_H

#include "aiswatch/geo.h"
#include "geo_priv.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#define LP_CELL 0.25         /* the index's cell (LAND_CELL_DEG) */
#define LP_BAND (LP_CELL / 8) /* its latitude bands (LAND_BANDS) */
#define LP_PER_EDGE 26       /* at most this many points per edge */

/* xorshift: the same points every run. */
static inline double lp_rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (*s >> 11) * (1.0 / 9007199254740992.0);
}

static inline double lp_clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The points of one edge. `degenerate`: the point, or the corner of the index's L-path, is
 * on the edge up to rounding, where the index and the scan may round differently. */
typedef struct lp_points {
    double lat[LP_PER_EDGE], lon[LP_PER_EDGE];
    bool degenerate[LP_PER_EDGE];
    size_t n;
} lp_points;

static inline void lp_put(lp_points *p, bool degenerate, double y, double x) {
    p->lat[p->n] = lp_clamp(y, -90, 90);
    p->lon[p->n] = lp_clamp(x, -180, 180);
    p->degenerate[p->n] = degenerate;
    p->n++;
}

/* Grid line at or below v. */
static inline double lp_floor(double v, double origin) { return origin + floor((v - origin) / LP_CELL) * LP_CELL; }

/* Up to LP_PER_EDGE points around edge k into *p. */
static inline void land_points_of_edge(const aw_geo *g, size_t k, uint64_t *s, lp_points *p) {
    double v[4];
    aw_geo_land_edge(g, k, v);
    double ax = v[0], ay = v[1], bx = v[2], by = v[3];
    p->n = 0;
    double j = (lp_rnd(s) - 0.5) * 0.5; /* jitter within about a cell */
    lp_put(p, true, ay, ax); /* a vertex */
    lp_put(p, true, by, bx);
    lp_put(p, true, nextafter(ay, 91), ax);
    lp_put(p, true, nextafter(ay, -91), nextafter(ax, 181));
    lp_put(p, true, (ay + by) / 2, (ax + bx) / 2); /* about on the edge */
    lp_put(p, false, ay, ax + j);                  /* a leg along a vertex's latitude */
    lp_put(p, false, ay + j, ax);                  /* and along its longitude */
    double x0 = lp_floor(ax, -180), y0 = lp_floor(ay, -90);
    lp_put(p, false, y0, x0);           /* the cell's corner */
    lp_put(p, false, ay + j / 4, x0);   /* on its west side */
    lp_put(p, false, y0, ax + j / 4);   /* on its south side */
    lp_put(p, false, ay + j / 4, nextafter(x0, -181)); /* one ulp into the cell west */
    lp_put(p, false, nextafter(y0, -91), ax + j / 4);  /* and south */
    /* On a band boundary of the vertex's cell, and just below it. */
    double yb = y0 + floor(lp_rnd(s) * 9) * LP_BAND;
    lp_put(p, false, yb, ax + j / 8);
    lp_put(p, false, nextafter(yb, -91), ax + j / 8);
    /* Exactly on the edge where it crosses a band boundary (cross_lon's expression). */
    double ylo = fmin(ay, by), yhi = fmax(ay, by);
    double yc = lp_floor(yhi, -90) + floor((yhi - lp_floor(yhi, -90)) / LP_BAND) * LP_BAND;
    if (yc >= ylo && yc < yhi && ay != by) {
        double x = ax + (yc - ay) * (bx - ax) / (by - ay);
        lp_put(p, true, yc, x);
        lp_put(p, true, yc, nextafter(x, 181));
        lp_put(p, true, yc, nextafter(x, -181));
    }
    /* Where the edge crosses a grid line xg, a cell's west side (cross_lat's expression):
     * that latitude seen from xg itself and from inside the cell east of it, where the
     * L-path turns south on the edge. */
    double xg = lp_floor(fmax(ax, bx), -180);
    if ((ax > xg) != (bx > xg)) {
        double y = ay + (xg - ax) * (by - ay) / (bx - ax);
        double east = xg + lp_rnd(s) * LP_CELL;
        lp_put(p, true, y, xg);
        lp_put(p, true, y, east);
        lp_put(p, true, nextafter(y, 91), east);
        lp_put(p, true, nextafter(y, -91), east);
        lp_put(p, true, y, nextafter(xg, 181));
        lp_put(p, false, y + LP_BAND / 2, east); /* clear of it */
    }
}

#endif
