/* geo.c — land, distance from shore, ports and anchorages (see aiswatch/geo.h).
 *
 * Land. world-atlas's land-10m.json is Natural Earth's 1:10m land as TopoJSON: quantized,
 * delta-encoded arcs, and rings that list arc indexes (~i = arc i reversed). We keep only
 * edges: every consecutive pair of points of every arc that the `land` object uses an odd
 * number of times. Land is then "inside under the even-odd rule", which needs no ring
 * assembly, no winding convention, and makes an arc shared by two polygons (an inner
 * border, used twice) cancel itself as it should.
 *
 * The antimeridian. Natural Earth rings are spherical: some edges jump from lon 179.9 to
 * -180 (Chukotka, Fiji) and Antarctica's ring crosses it once, encircling the South Pole.
 * We split every edge that crosses lon ±180 at the seam and decide inside-ness with a path
 * that never leaves the cylinder: from the point west to just east of the seam
 * (lon -180 + δ), then north to the North Pole, which Natural Earth leaves at sea. The
 * parity of crossings along that path is the answer — Antarctica needs no artificial
 * closing edge, and edges lying exactly on the seam (the cut lines of split polygons)
 * are never crossed, so they are dropped, as they are no coastline either.
 *
 * The index. A grid of LAND_CELL_DEG cells (a power of two, so every cell boundary is an
 * exact double). Each cell stores the land state of its south-west corner (computed once
 * from the seam path) and the edges whose bounding box touches it. A query in a cell
 * without edges is its corner's state; otherwise it walks an L-shaped path inside the cell
 * — west along its own latitude to the cell's west side, then south to the corner — and
 * flips the corner's state at each crossing of the cell's edges. Every test uses the same
 * half-open predicates as the corner computation (a vertex exactly on a line counts as
 * below / west of it, i.e. the lines are moved by an infinitesimal δ), and vertices that
 * fall exactly on a grid corner are moved by one float ulp at load, so path and corner
 * always agree. Two lists make the walk cheap without changing a single crossing: the west
 * leg tests only the edges filed under the point's latitude band (LAND_BANDS a cell; an
 * edge is filed under every band its latitude range reaches, so none that spans the
 * point's latitude is missed), and the south leg counts, in a sorted list built with the
 * same cross_lat, the west-side crossings at or below the point. aw_geo_on_land_cell_walk
 * (geo_priv.h) keeps the walk over all the cell's edges, which tests hold the index to.
 *
 * Shore distance. Nearest edge by growing a box of cells around the point until the best
 * distance found is inside the box, skipping cells farther than the best. Distances are
 * measured in an equirectangular projection centred on the query (x = Δlon·cos φ0), the
 * reported value is the haversine distance to the nearest point found that way. See
 * docs/geography.md for the error.
 *
 * Ports and anchorages. Points hashed into a grid of POINT_CELL_DEG cells (per-cell
 * linked lists, so aw_geo_add_anchorage is O(1)); the nearest is found by a ring search
 * whose box bounds are exact for great-circle distance, and compared by haversine.
 *
 * Nothing here is global: an aw_geo owns all its memory, and queries only read it.
 */
#include "aiswatch/geo.h"

#include "arena.h"
#include "file_read.h"
#include "geo_priv.h"
#include "topo_arcs.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_RADIUS_KM 6371.0088
#define KM_PER_DEG (EARTH_RADIUS_KM * M_PI / 180.0)
#define DEG2RAD (M_PI / 180.0)

/* 1/4° (~28 km): 1,036,800 cells, 40,502 of them on the coast holding 11.6 edges on
 * average at 1:10m. Measured against 1/8° and 1/2° (docs/geography.md): finer cells cost
 * shore_km more cell visits than they save edge tests, coarser ones slow on_land near the
 * coast. */
#define LAND_CELL_DEG 0.25
#define LAND_COLS ((int)(360 / LAND_CELL_DEG))
#define LAND_ROWS ((int)(180 / LAND_CELL_DEG))
/* Cap on the cell-edge entries of the index: a coastline edge spans a cell or two (1:10m
 * averages ~1.2 entries per edge), so 64 per edge plus 4M (64 MB) leaves any real
 * coastline far inside it, while a few long edges of a malformed file (one edge across a
 * hemisphere is 500,000 cells) would otherwise cost gigabytes and seconds. */
#define LAND_MAX_CELL_EDGES(nedges) ((size_t)(nedges) * 64 + ((size_t)1 << 22))
/* Latitude bands of a mixed cell (1/32°, ~3.5 km, at 8): the west leg of an on_land query
 * tests only the edges of the point's band instead of all the cell's edges. */
#define LAND_BANDS 8
#define LAND_BIT 0x80000000u
#define OFFSET_MASK 0x7fffffffu

#define POINT_CELL_DEG 0.25
#define POINT_COLS ((int)(360 / POINT_CELL_DEG))
#define POINT_ROWS ((int)(180 / POINT_CELL_DEG))

/* One coastline segment in degrees. float: the source is quantized to ~0.0036°, and a float
 * at 180° resolves 1.5e-5°, so the copy loses nothing that was there and halves the cache
 * traffic of the hot loops. */
typedef struct edge {
    float ax, ay, bx, by; /* lon, lat of both ends */
} edge;

typedef struct land {
    /* LAND_ROWS*LAND_COLS+1: the number m of mixed cells (cells with edges) before this one,
     * | LAND_BIT (corner on land). Cell c is mixed when cell[c+1] & MASK differs; it is then
     * mixed cell m, and these arrays, indexed by m, hold its edges. */
    uint32_t *cell;
    uint32_t *mixed_edge; /* nmixed+1: its edges are cell_edges[mixed_edge[m] .. mixed_edge[m+1]) */
    edge *cell_edges;     /* each edge whose bounding box touches the (closed) cell */
    /* nmixed*LAND_BANDS+1: band b of mixed cell m is band_edges[i .. i+1), i = m*LAND_BANDS+b:
     * the cell's edges whose latitude range can span a latitude of the band. Copies (10 MB)
     * rather than 4-byte indexes into cell_edges (2.5 MB): a query in a random coastal cell
     * then misses the cache one time fewer, and measured ~15 % faster. */
    uint32_t *mixed_band;
    edge *band_edges;
    /* nmixed+1: west_lat[mixed_west[m] .. mixed_west[m+1]) are the latitudes above the cell's
     * south-west corner where its edges cross its west side, ascending. */
    uint32_t *mixed_west;
    double *west_lat;
    edge *edges; /* each edge once (the brute-force scans and the build read these) */
    size_t nedges, ncell_edges, nmixed, nband_edges, nwest;
} land;

typedef struct point {
    double lat, lon;
    const char *name, *country;
} point;

typedef struct pointset {
    point *pts;
    int32_t *next; /* next point in the same cell, -1 at the end */
    int32_t *head; /* POINT_ROWS*POINT_COLS first points, allocated with the first point */
    size_t n, cap;
} pointset;

struct aw_geo {
    land *land;
    pointset ports, anchorages;
    aw_arena strings; /* names handed out in aw_place stay valid for the aw_geo's life */
    const char *added_label; /* the last label of aw_geo_add_anchorage, in strings */
};

static void set_err(char *err, size_t cap, const char *fmt, ...) {
    if (!err || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

double aw_distance_m(double lat1, double lon1, double lat2, double lon2) {
    double p1 = lat1 * DEG2RAD, p2 = lat2 * DEG2RAD;
    double sdp = sin((p2 - p1) / 2), sdl = sin((lon2 - lon1) * DEG2RAD / 2);
    double h = sdp * sdp + cos(p1) * cos(p2) * sdl * sdl;
    if (h > 1) h = 1;
    return 2 * EARTH_RADIUS_KM * 1000.0 * asin(sqrt(h));
}

static bool valid_pos(double lat, double lon) {
    return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; /* false for NAN too */
}

/* ---------------------------------------------------------------- strings */

static const char *intern(aw_geo *g, const char *s) {
    if (!s[0]) return "";
    return aw_arena_strdup(&g->strings, s);
}

/* ---------------------------------------------------------------- lifetime */

aw_geo *aw_geo_new(void) { return calloc(1, sizeof(aw_geo)); }

static void land_free(land *l) {
    if (!l) return;
    free(l->cell);
    free(l->mixed_edge);
    free(l->cell_edges);
    free(l->mixed_band);
    free(l->band_edges);
    free(l->mixed_west);
    free(l->west_lat);
    free(l->edges);
    free(l);
}

static void pointset_free(pointset *s) {
    free(s->pts);
    free(s->next);
    free(s->head);
    memset(s, 0, sizeof *s);
}

void aw_geo_free(aw_geo *g) {
    if (!g) return;
    land_free(g->land);
    pointset_free(&g->ports);
    pointset_free(&g->anchorages);
    aw_arena_free(&g->strings);
    free(g);
}

/* ---------------------------------------------------------------- land: predicates */

/* Where edge e crosses latitude y / longitude x. The build and every query call these same
 * two functions, so a crossing computed twice is the same double twice. */
static inline double cross_lon(const edge *e, double y) {
    return e->ax + (y - e->ay) * ((double)e->bx - e->ax) / ((double)e->by - e->ay);
}
static inline double cross_lat(const edge *e, double x) {
    return e->ay + (x - e->ax) * ((double)e->by - e->ay) / ((double)e->bx - e->ax);
}
/* Half-open: a vertex exactly on the line counts as south / west of it. */
static inline bool spans_lat(const edge *e, double y) { return (e->ay > y) != (e->by > y); }
static inline bool spans_lon(const edge *e, double x) { return (e->ax > x) != (e->bx > x); }
/* 1 when e crosses the leg west along lat from lon to x0 (x0 < x <= lon), else 0. */
static inline unsigned crosses_west(const edge *e, double lat, double x0, double lon) {
    if (!spans_lat(e, lat)) return 0;
    double x = cross_lon(e, lat);
    return (x > x0) & (x <= lon);
}

static inline double cell_x0(int c) { return -180.0 + c * LAND_CELL_DEG; }
static inline double cell_y0(int r) { return -90.0 + r * LAND_CELL_DEG; }

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Cell index along one axis of coordinate v, origin <= v <= origin + n cells: the i with
 * origin + i*size <= v < origin + (i+1)*size exactly (clamped to n-1 at the far end). The
 * quotient t is >= 0, so truncation is its floor (floor() itself is a ~25-instruction
 * sequence on x86-64 without SSE4.1). t is off by less than 1e-13 (the rounding of
 * v - origin), so when its fraction is farther than 1e-9 from a whole number, i is right;
 * otherwise the exact boundaries decide. */
static inline int grid_cell(double v, double origin, int n) {
    double t = (v - origin) / LAND_CELL_DEG;
    int i = (int)t;
    double f = t - i;
    if (f > 1e-9 && f < 1 - 1e-9) return i;
    i = clampi(i, 0, n - 1);
    while (i > 0 && v < origin + i * LAND_CELL_DEG) i--;
    while (i < n - 1 && v >= origin + (i + 1) * LAND_CELL_DEG) i++;
    return i;
}

/* Cell of a valid position. lon 180 is lon -180. */
static inline void land_cell_of(double lat, double lon, int *row, int *col) {
    if (lon >= 180) lon = -180;
    *col = grid_cell(lon, -180.0, LAND_COLS);
    *row = grid_cell(lat, -90.0, LAND_ROWS);
}

/* ---------------------------------------------------------------- land: loading */

typedef struct edgevec {
    edge *v;
    size_t n, cap;
} edgevec;

static int edgevec_push(edgevec *ev, double ax, double ay, double bx, double by) {
    if (ax == bx && ay == by) return 0;
    /* On the seam: the cut line of a split polygon, crossed by no path and no coast. */
    if (ax == bx && (ax == 180 || ax == -180)) return 0;
    if (ev->n == ev->cap) {
        size_t cap = ev->cap ? ev->cap * 2 : 1 << 16;
        edge *v = realloc(ev->v, cap * sizeof *v);
        if (!v) return -1;
        ev->v = v;
        ev->cap = cap;
    }
    ev->v[ev->n++] = (edge){(float)ax, (float)ay, (float)bx, (float)by};
    return 0;
}

/* A vertex as stored: float, inside the lon/lat box, and never exactly on a grid corner
 * (moved one ulp north or south), so that no edge passes through a corner. */
static void to_vertex(double lon, double lat, double *vlon, double *vlat) {
    if (lon < -180) lon = -180;
    if (lon > 180) lon = 180;
    if (lat < -90) lat = -90;
    if (lat > 90) lat = 90;
    float x = (float)lon, y = (float)lat;
    double fx = (x + 180.0) / LAND_CELL_DEG, fy = (y + 90.0) / LAND_CELL_DEG;
    if (fx == floor(fx) && fy == floor(fy)) y = nextafterf(y, y < 90 ? 91.0f : -91.0f);
    *vlon = x;
    *vlat = y;
}

/* One edge of an arc; split in two at lon ±180 when its short way round crosses it. */
static int add_edge(edgevec *ev, double ax, double ay, double bx, double by) {
    double dx = bx - ax;
    if (dx <= 180 && dx >= -180) return edgevec_push(ev, ax, ay, bx, by);
    double seam = dx < -180 ? 180 : -180; /* the seam on a's side */
    double bxu = dx < -180 ? bx + 360 : bx - 360;
    double t = bxu == ax ? 0 : (seam - ax) / (bxu - ax);
    double slon, slat;
    to_vertex(seam, ay + t * (by - ay), &slon, &slat);
    if (edgevec_push(ev, ax, ay, seam, slat)) return -1;
    return edgevec_push(ev, -seam, slat, bx, by);
}

/* Counts, for each arc, how often the object's rings use it. */
static int count_arc_uses(json_t *geom, unsigned *uses, size_t narcs, char *err, size_t cap) {
    const char *type = json_string_value(json_object_get(geom, "type"));
    if (!type) {
        set_err(err, cap, "land: geometry without a type");
        return -1;
    }
    if (!strcmp(type, "GeometryCollection")) {
        json_t *gs = json_object_get(geom, "geometries");
        size_t i;
        json_t *g;
        json_array_foreach(gs, i, g) if (count_arc_uses(g, uses, narcs, err, cap)) return -1;
        return 0;
    }
    int depth; /* array levels above the arc indexes */
    if (!strcmp(type, "Polygon"))
        depth = 2;
    else if (!strcmp(type, "MultiPolygon"))
        depth = 3;
    else
        return 0; /* points and lines bound no land */
    json_t *stack[3];
    size_t idx[3];
    stack[0] = json_object_get(geom, "arcs");
    if (!json_is_array(stack[0])) {
        set_err(err, cap, "land: %s without arcs", type);
        return -1;
    }
    /* Iterative walk of the nested arrays down to the integer arc indexes. */
    int level = 0;
    idx[0] = 0;
    while (level >= 0) {
        json_t *a = stack[level];
        if (idx[level] >= json_array_size(a)) {
            level--;
            if (level >= 0) idx[level]++;
            continue;
        }
        json_t *item = json_array_get(a, idx[level]);
        if (level == depth - 1) {
            if (!json_is_integer(item)) {
                set_err(err, cap, "land: arc reference is not an integer");
                return -1;
            }
            json_int_t k = json_integer_value(item);
            if (k < 0) k = ~k;
            if ((size_t)k >= narcs) {
                set_err(err, cap, "land: arc %lld out of range (%zu arcs)", (long long)k, narcs);
                return -1;
            }
            uses[k]++;
            idx[level]++;
        } else {
            if (!json_is_array(item)) {
                set_err(err, cap, "land: malformed %s arcs", type);
                return -1;
            }
            stack[++level] = item;
            idx[level] = 0;
        }
    }
    return 0;
}

static int edges_from_topojson(json_t *root, const topo_arcs *arcs, edgevec *ev, char *err, size_t cap) {
    json_t *objects = json_object_get(root, "objects");
    json_t *obj = json_object_get(objects, "land");
    json_t *dom_arcs = json_object_get(root, "arcs");
    if (!json_is_array(dom_arcs) || !obj) {
        set_err(err, cap, "land: not a TopoJSON topology with an object \"land\"");
        return -1;
    }
    if (json_array_size(dom_arcs) != 0) { /* a second "arcs" member, or one spelt with escapes */
        set_err(err, cap, "land: more than one \"arcs\" member");
        return -1;
    }
    double sx = 1, sy = 1, tx = 0, ty = 0;
    json_t *tr = json_object_get(root, "transform");
    bool quantized = tr != NULL;
    if (quantized) {
        json_t *s = json_object_get(tr, "scale"), *t = json_object_get(tr, "translate");
        if (!json_is_number(json_array_get(s, 0)) || !json_is_number(json_array_get(s, 1)) ||
            !json_is_number(json_array_get(t, 0)) || !json_is_number(json_array_get(t, 1))) {
            set_err(err, cap, "land: malformed transform");
            return -1;
        }
        sx = json_number_value(json_array_get(s, 0));
        sy = json_number_value(json_array_get(s, 1));
        tx = json_number_value(json_array_get(t, 0));
        ty = json_number_value(json_array_get(t, 1));
    }
    size_t narcs = arcs->n;
    unsigned *uses = calloc(narcs ? narcs : 1, sizeof *uses);
    if (!uses) {
        set_err(err, cap, "land: out of memory");
        return -1;
    }
    if (count_arc_uses(obj, uses, narcs, err, cap)) {
        free(uses);
        return -1;
    }
    for (size_t k = 0; k < narcs; k++) {
        if (uses[k] % 2 == 0) continue; /* unused, or an inner border used from both sides */
        double qx = 0, qy = 0, plon = 0, plat = 0;
        for (size_t i = arcs->off[k]; i < arcs->off[k + 1]; i++) {
            double x = arcs->xy[2 * i], y = arcs->xy[2 * i + 1];
            double lon, lat;
            if (quantized) { /* positions are deltas from the previous one */
                qx += x;
                qy += y;
                to_vertex(tx + qx * sx, ty + qy * sy, &lon, &lat);
            } else {
                to_vertex(x, y, &lon, &lat);
            }
            if (i > arcs->off[k] && add_edge(ev, plon, plat, lon, lat)) {
                free(uses);
                set_err(err, cap, "land: out of memory");
                return -1;
            }
            plon = lon;
            plat = lat;
        }
    }
    free(uses);
    return 0;
}

typedef struct crossing {
    int row;
    double x;
} crossing;

static int cmp_crossing(const void *a, const void *b) {
    const crossing *p = a, *q = b;
    if (p->row != q->row) return p->row < q->row ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

static inline double minf(float a, float b) { return a < b ? a : b; } /* fmin is a call */
static inline double maxf(float a, float b) { return a < b ? b : a; }

static void edge_cells(const edge *e, int *r0, int *r1, int *c0, int *c1) {
    double xlo = minf(e->ax, e->bx), xhi = maxf(e->ax, e->bx);
    double ylo = minf(e->ay, e->by), yhi = maxf(e->ay, e->by);
    /* Closed cells: an edge touching a cell's boundary belongs to it too. Vertices lie in
     * the lon/lat box (to_vertex), so the quotients are >= 0 and truncation is floor. */
    *c0 = clampi((int)((xlo + 180) / LAND_CELL_DEG), 0, LAND_COLS - 1);
    *c1 = clampi((int)((xhi + 180) / LAND_CELL_DEG), 0, LAND_COLS - 1);
    *r0 = clampi((int)((ylo + 90) / LAND_CELL_DEG), 0, LAND_ROWS - 1);
    *r1 = clampi((int)((yhi + 90) / LAND_CELL_DEG), 0, LAND_ROWS - 1);
    /* A boundary exactly at the low side belongs to the cell below as well. */
    if (*c0 > 0 && xlo == cell_x0(*c0)) (*c0)--;
    if (*r0 > 0 && ylo == cell_y0(*r0)) (*r0)--;
}

/* Band of latitude y in the cell whose south side is y0: floor((y - y0) / band height),
 * clamped to the cell's bands. The build files an edge under band_of(its lowest latitude) ..
 * band_of(its highest); a query looks in band_of(lat). Only monotonicity matters for
 * exactness: an edge that spans lat has ylo <= lat < yhi, so its band range holds lat's
 * band, however (y - y0) rounds. */
static inline int band_of(double y, double y0) {
    double t = (y - y0) * (LAND_BANDS / LAND_CELL_DEG);
    return t <= 0 ? 0 : t >= LAND_BANDS - 1 ? LAND_BANDS - 1 : (int)t;
}

/* The bands of row r's cells whose latitudes edge e can span; false when none. A query in
 * row r has y0 <= lat, and lat < y1 below the top row (land_cell_of), and e spans lat only
 * when ylo <= lat < yhi: a horizontal edge never does, nor one wholly below y0 or (below
 * the top row) wholly at or above y1. */
static bool edge_bands(const edge *e, int r, int *b0, int *b1) {
    double ylo = minf(e->ay, e->by), yhi = maxf(e->ay, e->by);
    double y0 = cell_y0(r);
    if (!(ylo < yhi) || yhi <= y0 || (r < LAND_ROWS - 1 && ylo >= cell_y0(r + 1))) return false;
    *b0 = band_of(ylo, y0);
    *b1 = band_of(yhi, y0);
    return true;
}

/* Renumbers cell[] from cell_edges offsets to mixed-cell numbers and fills mixed_edge[];
 * *where gets each mixed cell's index in cell[] (the caller frees it). */
static int land_mixed(land *l, uint32_t **where) {
    size_t ncells = (size_t)LAND_ROWS * LAND_COLS, nmixed = 0;
    for (size_t c = 0; c < ncells; c++) nmixed += l->cell[c] != l->cell[c + 1];
    l->mixed_edge = malloc((nmixed + 1) * sizeof *l->mixed_edge);
    *where = malloc((nmixed ? nmixed : 1) * sizeof **where);
    if (!l->mixed_edge || !*where) return -1;
    uint32_t m = 0, lo = l->cell[0];
    for (size_t c = 0; c < ncells; c++) {
        uint32_t hi = l->cell[c + 1];
        l->cell[c] = m;
        if (hi != lo) {
            (*where)[m] = (uint32_t)c;
            l->mixed_edge[m++] = lo;
        }
        lo = hi;
    }
    l->cell[ncells] = m;
    l->mixed_edge[m] = lo;
    l->nmixed = nmixed;
    return 0;
}

/* Fills mixed_band[] and band_edges[]: each edge of a mixed cell filed under every band of
 * it whose latitudes it can span. -1 out of memory, -2 past LAND_MAX_CELL_EDGES entries (a
 * long edge runs through every band of the rows it crosses). */
static int land_bands(land *l, const uint32_t *where) {
    size_t nb = l->nmixed * LAND_BANDS;
    uint32_t *count = calloc(nb + 1, sizeof *count);
    if (!count) return -1;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t m = 0; m < l->nmixed; m++) {
            int r = (int)(where[m] / LAND_COLS);
            uint32_t *band = count + (size_t)m * LAND_BANDS;
            for (uint32_t k = l->mixed_edge[m]; k < l->mixed_edge[m + 1]; k++) {
                int b0, b1;
                if (!edge_bands(&l->cell_edges[k], r, &b0, &b1)) continue;
                for (int b = b0; b <= b1; b++) {
                    if (pass == 0)
                        band[b]++;
                    else
                        l->band_edges[band[b]++] = l->cell_edges[k];
                }
                if (pass == 0) total += (size_t)(b1 - b0 + 1);
            }
        }
        if (pass == 0) {
            if (total > OFFSET_MASK || total > LAND_MAX_CELL_EDGES(l->nedges)) {
                free(count);
                return -2;
            }
            l->band_edges = malloc((total ? total : 1) * sizeof *l->band_edges);
            l->mixed_band = malloc((nb + 1) * sizeof *l->mixed_band);
            if (!l->band_edges || !l->mixed_band) {
                free(count);
                return -1;
            }
            uint32_t run = 0; /* offsets: the first pass's counts become fill positions */
            for (size_t i = 0; i <= nb; i++) {
                uint32_t n = count[i];
                count[i] = l->mixed_band[i] = run;
                run += n;
            }
        }
    }
    free(count);
    l->nband_edges = total;
    return 0;
}

/* Fills mixed_west[] and west_lat[]: where each mixed cell's edges cross its west side x0
 * above its south-west corner (the crossings the south leg of a query can meet), sorted. */
static int land_west(land *l, const uint32_t *where) {
    l->mixed_west = malloc((l->nmixed + 1) * sizeof *l->mixed_west);
    if (!l->mixed_west) return -1;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        total = 0;
        for (uint32_t m = 0; m < l->nmixed; m++) {
            double x0 = cell_x0((int)(where[m] % LAND_COLS)), y0 = cell_y0((int)(where[m] / LAND_COLS));
            if (pass == 0) l->mixed_west[m] = (uint32_t)total;
            size_t first = total;
            for (uint32_t k = l->mixed_edge[m]; k < l->mixed_edge[m + 1]; k++) {
                const edge *e = &l->cell_edges[k];
                if (!spans_lon(e, x0)) continue;
                double y = cross_lat(e, x0);
                if (!(y > y0)) continue;
                if (pass == 1) { /* insertion sort: a cell's side is crossed a few times */
                    size_t i = total;
                    while (i > first && l->west_lat[i - 1] > y) {
                        l->west_lat[i] = l->west_lat[i - 1];
                        i--;
                    }
                    l->west_lat[i] = y;
                }
                total++;
            }
        }
        if (pass == 0) {
            l->mixed_west[l->nmixed] = (uint32_t)total; /* <= the cell-edge entries */
            l->west_lat = malloc((total ? total : 1) * sizeof *l->west_lat);
            if (!l->west_lat) return -1;
        }
    }
    l->nwest = total;
    return 0;
}

/* Fills the index from l->edges: cell[], the mixed cells' edges, bands and west crossings.
 * -1 out of memory, -2 when the edges span more cells than a coastline can (see
 * LAND_MAX_CELL_EDGES). */
static int land_index(land *l) {
    size_t ncells = (size_t)LAND_ROWS * LAND_COLS;
    size_t total = 0;
    for (size_t k = 0; k < l->nedges; k++) {
        int r0, r1, c0, c1;
        edge_cells(&l->edges[k], &r0, &r1, &c0, &c1);
        total += (size_t)(r1 - r0 + 1) * (c1 - c0 + 1);
    }
    if (total > OFFSET_MASK || total > LAND_MAX_CELL_EDGES(l->nedges)) return -2;
    uint32_t *count = calloc(ncells + 1, sizeof *count);
    if (!count) return -1;
    for (size_t k = 0; k < l->nedges; k++) {
        int r0, r1, c0, c1;
        edge_cells(&l->edges[k], &r0, &r1, &c0, &c1);
        for (int r = r0; r <= r1; r++)
            for (int c = c0; c <= c1; c++) count[(size_t)r * LAND_COLS + c]++;
    }
    l->cell = count; /* becomes the offsets in place */
    uint32_t run = 0;
    for (size_t c = 0; c <= ncells; c++) {
        uint32_t n = count[c];
        count[c] = run;
        run += n;
    }
    l->ncell_edges = total;
    l->cell_edges = malloc((total ? total : 1) * sizeof *l->cell_edges);
    uint32_t *fill = malloc(ncells * sizeof *fill);
    if (!l->cell_edges || !fill) {
        free(fill);
        return -1;
    }
    memcpy(fill, l->cell, ncells * sizeof *fill);
    for (size_t k = 0; k < l->nedges; k++) {
        int r0, r1, c0, c1;
        edge_cells(&l->edges[k], &r0, &r1, &c0, &c1);
        for (int r = r0; r <= r1; r++)
            for (int c = c0; c <= c1; c++) l->cell_edges[fill[(size_t)r * LAND_COLS + c]++] = l->edges[k];
    }
    free(fill);
    uint32_t *where = NULL;
    int rc = land_mixed(l, &where);
    if (!rc) rc = land_bands(l, where);
    if (!rc) rc = land_west(l, where);
    free(where);
    if (rc) return rc;

    /* Corner states. Corner (x0, y0) is on land when the path west along y0 to the seam and
     * then north to the pole crosses edges an odd number of times. */
    size_t ncross = 0, capcross = 1 << 16;
    crossing *cross = malloc(capcross * sizeof *cross);
    int *seam_above = calloc(LAND_ROWS, sizeof *seam_above);
    if (!cross || !seam_above) {
        free(cross);
        free(seam_above);
        return -1;
    }
    for (size_t k = 0; k < l->nedges; k++) {
        const edge *e = &l->edges[k];
        if (spans_lon(e, -180.0)) { /* crosses the northward part of the path */
            double y = cross_lat(e, -180.0);
            for (int r = 0; r < LAND_ROWS && cell_y0(r) < y; r++) seam_above[r]++;
        }
        double ylo = minf(e->ay, e->by), yhi = maxf(e->ay, e->by);
        int r0 = clampi((int)((ylo + 90) / LAND_CELL_DEG), 0, LAND_ROWS - 1);
        int r1 = clampi((int)((yhi + 90) / LAND_CELL_DEG), 0, LAND_ROWS - 1);
        for (int r = r0; r <= r1; r++) {
            double y0 = cell_y0(r);
            if (!spans_lat(e, y0)) continue;
            double x = cross_lon(e, y0);
            if (!(x > -180.0)) continue; /* at the seam: west of the path's x = -180 + δ */
            if (ncross == capcross) {
                capcross *= 2;
                crossing *nc = realloc(cross, capcross * sizeof *cross);
                if (!nc) {
                    free(cross);
                    free(seam_above);
                    return -1;
                }
                cross = nc;
            }
            cross[ncross++] = (crossing){r, x};
        }
    }
    qsort(cross, ncross, sizeof *cross, cmp_crossing);
    size_t i = 0;
    for (int r = 0; r < LAND_ROWS; r++) {
        unsigned parity = (unsigned)seam_above[r] & 1;
        for (int c = 0; c < LAND_COLS; c++) {
            double x0 = cell_x0(c);
            while (i < ncross && cross[i].row == r && cross[i].x <= x0) {
                parity ^= 1;
                i++;
            }
            if (parity) l->cell[(size_t)r * LAND_COLS + c] |= LAND_BIT;
        }
        while (i < ncross && cross[i].row == r) i++;
    }
    free(cross);
    free(seam_above);
    return 0;
}

int aw_geo_load_land(aw_geo *g, const char *topojson_path, char *err, size_t errcap) {
    json_error_t jerr;
    size_t len = 0;
    /* The arcs, nearly all of the file, are read without a DOM (topo_arcs.h); jansson
     * reads the rest from memory. */
    char *text = aw_read_file(topojson_path, &len, err, errcap);
    if (!text) return -1;
    topo_arcs arcs;
    bool found;
    char aerr[200];
    char *rest = topo_arcs_split(text, len, &arcs, &found, &len, aerr, sizeof aerr);
    free(text);
    if (!rest) {
        set_err(err, errcap, "%s: %s", topojson_path, aerr);
        return -1;
    }
    json_t *root = json_loadb(rest, len, 0, &jerr);
    free(rest);
    if (!root) {
        topo_arcs_free(&arcs);
        set_err(err, errcap, "%s:%d: %s", topojson_path, jerr.line, jerr.text);
        return -1;
    }
    edgevec ev = {0};
    int rc = edges_from_topojson(root, &arcs, &ev, err, errcap);
    json_decref(root);
    topo_arcs_free(&arcs);
    if (rc) {
        free(ev.v);
        return -1;
    }
    if (ev.n == 0) {
        free(ev.v);
        set_err(err, errcap, "%s: the land object has no edges", topojson_path);
        return -1;
    }
    land *l = calloc(1, sizeof *l);
    if (!l) {
        free(ev.v);
        set_err(err, errcap, "land: out of memory");
        return -1;
    }
    l->edges = ev.v;
    l->nedges = ev.n;
    int irc = land_index(l);
    if (irc) {
        land_free(l);
        if (irc == -2)
            set_err(err, errcap, "%s: land edges too long (%zu edges cover too many %g-degree cells)",
                    topojson_path, ev.n, LAND_CELL_DEG);
        else
            set_err(err, errcap, "land: out of memory");
        return -1;
    }
    land_free(g->land);
    g->land = l;
    return 0;
}

bool aw_geo_has_land(const aw_geo *g) { return g && g->land; }

/* ---------------------------------------------------------------- land: queries */

/* An on_land query in a cell that holds edges: the point's lon (180 as -180), its cell's
 * south-west corner (x0, y0) and mixed-cell number m, and the corner's state. */
typedef struct land_query {
    double lon, x0, y0;
    uint32_t m;
    unsigned inside;
} land_query;

/* Fills *q; false when the answer needs no edges (invalid position, no land, or a cell
 * without edges), q->inside being then that answer. */
static inline bool land_query_start(const aw_geo *g, double lat, double lon, land_query *q) {
    q->inside = 0;
    if (!g || !g->land || !valid_pos(lat, lon)) return false;
    const land *l = g->land;
    int r, c;
    land_cell_of(lat, lon, &r, &c);
    size_t ci = (size_t)r * LAND_COLS + c;
    uint32_t w = l->cell[ci];
    q->m = w & OFFSET_MASK;
    q->inside = w >> 31;
    if ((l->cell[ci + 1] & OFFSET_MASK) == q->m) return false;
    if (lon >= 180) lon = -180;
    q->lon = lon;
    q->x0 = cell_x0(c);
    q->y0 = cell_y0(r);
    return true;
}

bool aw_geo_on_land(const aw_geo *g, double lat, double lon) {
    land_query q;
    if (!land_query_start(g, lat, lon, &q)) return q.inside;
    const land *l = g->land;
    unsigned inside = q.inside;
    /* L-path from the point: west to (x0, lat), then south to the corner (x0, y0). West: only
     * the edges of lat's band can span lat. */
    size_t bi = (size_t)q.m * LAND_BANDS + band_of(lat, q.y0);
    for (const edge *e = l->band_edges + l->mixed_band[bi], *end = l->band_edges + l->mixed_band[bi + 1];
         e < end; e++)
        inside ^= crosses_west(e, lat, q.x0, q.lon);
    /* South: the crossings of the west side in (y0, lat], counted from the sorted list. */
    const double *y = l->west_lat + l->mixed_west[q.m], *yend = l->west_lat + l->mixed_west[q.m + 1];
    while (y < yend && *y <= lat) {
        inside ^= 1;
        y++;
    }
    return inside;
}

bool aw_geo_on_land_cell_walk(const aw_geo *g, double lat, double lon) {
    land_query q;
    if (!land_query_start(g, lat, lon, &q)) return q.inside;
    const land *l = g->land;
    unsigned inside = q.inside;
    for (const edge *e = l->cell_edges + l->mixed_edge[q.m], *end = l->cell_edges + l->mixed_edge[q.m + 1];
         e < end; e++) {
        inside ^= crosses_west(e, lat, q.x0, q.lon);
        if (spans_lon(e, q.x0)) {
            double y = cross_lat(e, q.x0);
            inside ^= (y > q.y0) & (y <= lat);
        }
    }
    return inside;
}

bool aw_geo_on_land_scan(const aw_geo *g, double lat, double lon) {
    if (!g || !g->land || !valid_pos(lat, lon)) return false;
    if (lon >= 180) lon = -180;
    unsigned inside = 0;
    for (size_t k = 0; k < g->land->nedges; k++) {
        const edge *e = &g->land->edges[k];
        inside ^= crosses_west(e, lat, -180.0, lon);
        if (spans_lon(e, -180.0)) inside ^= cross_lat(e, -180.0) > lat;
    }
    return inside;
}

/* Nearest point of an edge to the query, in the query's local projection (km). */
typedef struct nearest {
    double d2;        /* squared projected distance, km² */
    double lat, lon;  /* the nearest point, degrees (lon in the query's unwrapped frame) */
} nearest;

typedef struct frame {
    double lat, lon, kx, ky; /* query and km per degree of lon / lat there */
} frame;

static inline void edge_nearest(const frame *f, const edge *e, double shift, nearest *best) {
    double ax = (e->ax + shift - f->lon) * f->kx, ay = (e->ay - f->lat) * f->ky;
    double dx = ((double)e->bx - e->ax) * f->kx, dy = ((double)e->by - e->ay) * f->ky;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double px = ax + t * dx, py = ay + t * dy;
    double d2 = px * px + py * py;
    if (d2 < best->d2) {
        best->d2 = d2;
        best->lon = e->ax + shift + t * ((double)e->bx - e->ax);
        best->lat = e->ay + t * ((double)e->by - e->ay);
    }
}

static frame make_frame(double lat, double lon) {
    double kx = KM_PER_DEG * cos(lat * DEG2RAD);
    /* At the pole every longitude is the same place; keep kx positive for the box math. */
    if (kx < 1e-9) kx = 1e-9;
    return (frame){lat, lon, kx, KM_PER_DEG};
}

/* A box of cells around a point, columns unwrapped (may run below 0 or past cols-1). */
typedef struct box {
    int r0, r1, c0, c1;
} box;

static bool box_has(const box *b, int r, int c, int cols) {
    if (b->r0 > b->r1 || r < b->r0 || r > b->r1) return false;
    int off = ((c - b->c0) % cols + cols) % cols;
    return off <= b->c1 - b->c0;
}

/* Cells holding every position within dlat / dlon degrees of (lat, lon). */
static box box_around(double lat, double lon, double dlat, double dlon, double size, int rows,
                      int cols) {
    box b;
    b.r0 = clampi((int)floor((lat - dlat + 90) / size), 0, rows - 1);
    b.r1 = clampi((int)floor((lat + dlat + 90) / size), 0, rows - 1);
    int cc = (int)floor((lon + 180) / size);
    if (!(2 * dlon + 2 * size < 360)) { /* all the way round (also for dlon = inf) */
        b.c0 = cc - cols / 2;
        b.c1 = b.c0 + cols - 1;
    } else {
        b.c0 = (int)floor((lon - dlon + 180) / size) - 1;
        b.c1 = (int)floor((lon + dlon + 180) / size) + 1;
    }
    return b;
}

static bool box_is_world(const box *b, int rows, int cols) {
    return b->r0 == 0 && b->r1 == rows - 1 && b->c1 - b->c0 + 1 >= cols;
}

static void shore_visit(const land *l, const frame *f, const box *b, const box *seen,
                        nearest *best) {
    for (int r = b->r0; r <= b->r1; r++) {
        double y0 = cell_y0(r);
        double dy = f->lat < y0 ? y0 - f->lat : f->lat > y0 + LAND_CELL_DEG ? f->lat - y0 - LAND_CELL_DEG : 0;
        dy *= f->ky;
        for (int u = b->c0; u <= b->c1; u++) {
            int c = ((u % LAND_COLS) + LAND_COLS) % LAND_COLS;
            if (box_has(seen, r, c, LAND_COLS)) continue;
            size_t ci = (size_t)r * LAND_COLS + c;
            uint32_t m = l->cell[ci] & OFFSET_MASK;
            if ((l->cell[ci + 1] & OFFSET_MASK) == m) continue;
            uint32_t lo = l->mixed_edge[m], hi = l->mixed_edge[m + 1];
            double x0 = -180.0 + u * LAND_CELL_DEG; /* unwrapped */
            double dx = f->lon < x0 ? x0 - f->lon : f->lon > x0 + LAND_CELL_DEG ? f->lon - x0 - LAND_CELL_DEG : 0;
            dx *= f->kx;
            if (dx * dx + dy * dy >= best->d2) continue; /* nothing in it can be nearer */
            double shift = (double)(u - c) / LAND_COLS * 360.0;
            for (const edge *e = l->cell_edges + lo, *end = l->cell_edges + hi; e < end; e++)
                edge_nearest(f, e, shift, best);
        }
    }
}

double aw_geo_shore_km(const aw_geo *g, double lat, double lon, double max_km) {
    if (!g || !g->land || !valid_pos(lat, lon)) return NAN;
    if (!(max_km >= 0)) max_km = 0;
    if (lon >= 180) lon = -180;
    const land *l = g->land;
    frame f = make_frame(lat, lon);
    nearest best = {INFINITY, NAN, NAN};
    box seen = {1, 0, 0, -1}; /* empty */
    double R = 0;             /* the box covers every point within R km (projected) */
    for (;;) {
        box b = box_around(lat, lon, R / f.ky, R / f.kx, LAND_CELL_DEG, LAND_ROWS, LAND_COLS);
        shore_visit(l, &f, &b, &seen, &best);
        seen = b;
        double d = sqrt(best.d2);
        if (d <= R || R >= max_km || box_is_world(&b, LAND_ROWS, LAND_COLS)) break;
        /* The best so far bounds the answer: one more box of that radius settles it. */
        double next = isfinite(d) ? d : (R > 0 ? 2 * R : LAND_CELL_DEG * KM_PER_DEG);
        R = next < max_km ? next : max_km;
    }
    if (!isfinite(best.d2)) return INFINITY;
    return aw_distance_m(lat, lon, best.lat, best.lon) / 1000.0;
}

double aw_geo_shore_km_scan(const aw_geo *g, double lat, double lon) {
    if (!g || !g->land || !valid_pos(lat, lon)) return NAN;
    if (lon >= 180) lon = -180;
    frame f = make_frame(lat, lon);
    nearest best = {INFINITY, NAN, NAN};
    for (size_t k = 0; k < g->land->nedges; k++)
        for (int s = -1; s <= 1; s++) edge_nearest(&f, &g->land->edges[k], s * 360.0, &best);
    if (!isfinite(best.d2)) return INFINITY;
    return aw_distance_m(lat, lon, best.lat, best.lon) / 1000.0;
}

void aw_geo_land_stats(const aw_geo *g, aw_land_stats *st) {
    const land *l = g ? g->land : NULL;
    size_t ncells = (size_t)LAND_ROWS * LAND_COLS;
    *st = (aw_land_stats){.cells = ncells};
    if (!l) return;
    st->edges = l->nedges;
    st->cell_edges = l->ncell_edges;
    st->mixed_cells = l->nmixed;
    st->band_edges = l->nband_edges;
    st->west_crossings = l->nwest;
    st->bytes = sizeof *l + (ncells + 1) * sizeof *l->cell + (l->nmixed + 1) * sizeof *l->mixed_edge +
                l->ncell_edges * sizeof *l->cell_edges +
                (l->nmixed * LAND_BANDS + 1) * sizeof *l->mixed_band + l->nband_edges * sizeof *l->band_edges +
                (l->nmixed + 1) * sizeof *l->mixed_west + l->nwest * sizeof *l->west_lat +
                l->nedges * sizeof *l->edges;
}

void aw_geo_land_edge(const aw_geo *g, size_t k, double v[4]) {
    const edge *e = &g->land->edges[k];
    v[0] = e->ax;
    v[1] = e->ay;
    v[2] = e->bx;
    v[3] = e->by;
}

/* ---------------------------------------------------------------- points */

static int point_cell(double lat, double lon) {
    if (lon >= 180) lon = -180;
    int c = clampi((int)floor((lon + 180) / POINT_CELL_DEG), 0, POINT_COLS - 1);
    int r = clampi((int)floor((lat + 90) / POINT_CELL_DEG), 0, POINT_ROWS - 1);
    return r * POINT_COLS + c;
}

static int pointset_add(pointset *s, double lat, double lon, const char *name,
                        const char *country) {
    if (!s->head) {
        size_t ncells = (size_t)POINT_ROWS * POINT_COLS;
        s->head = malloc(ncells * sizeof *s->head);
        if (!s->head) return -1;
        memset(s->head, 0xff, ncells * sizeof *s->head); /* -1: empty */
    }
    if (s->n == s->cap) {
        if (s->cap >= (size_t)INT32_MAX / 2) return -1;
        size_t cap = s->cap ? s->cap * 2 : 1024;
        point *p = realloc(s->pts, cap * sizeof *p);
        if (!p) return -1;
        s->pts = p;
        int32_t *nx = realloc(s->next, cap * sizeof *nx);
        if (!nx) return -1;
        s->next = nx;
        s->cap = cap;
    }
    int cell = point_cell(lat, lon);
    s->pts[s->n] = (point){lat, lon, name, country};
    s->next[s->n] = s->head[cell];
    s->head[cell] = (int32_t)s->n;
    s->n++;
    return 0;
}

/* The point grid's cells holding every position within km of (lat, lon). Exact for
 * great circles: such a point differs by at most R in latitude and by asin(sin(R)/cos(lat))
 * in longitude, unless the cap holds a pole. */
static box point_cells_within(double lat, double lon, double km) {
    double rad = km / EARTH_RADIUS_KM, dlat = rad / DEG2RAD, dlon = INFINITY;
    if (lat + dlat < 90 && lat - dlat > -90) {
        double sn = sin(rad) / cos(lat * DEG2RAD);
        if (sn < 1) dlon = asin(sn) / DEG2RAD;
    }
    return box_around(lat, lon, dlat, dlon, POINT_CELL_DEG, POINT_ROWS, POINT_COLS);
}

static aw_place pointset_nearest(const pointset *s, double lat, double lon, double max_km) {
    aw_place none = {NAN, NAN, NAN, "", ""};
    if (!s->n || !valid_pos(lat, lon)) return none;
    if (!(max_km >= 0)) max_km = 0;
    if (lon >= 180) lon = -180;
    /* Most questions come from open sea, with no point within max_km: one look at the
     * few cells that could hold one answers them. */
    if (max_km < 1000) {
        box b = point_cells_within(lat, lon, max_km);
        if ((b.r1 - b.r0 + 1) * (b.c1 - b.c0 + 1) <= 64) {
            bool any = false;
            for (int r = b.r0; r <= b.r1 && !any; r++)
                for (int u = b.c0; u <= b.c1 && !any; u++)
                    any = s->head[r * POINT_COLS + ((u % POINT_COLS) + POINT_COLS) % POINT_COLS] >= 0;
            if (!any) return none;
        }
    }
    double best_m = INFINITY;
    int32_t best_i = -1;
    box seen = {1, 0, 0, -1};
    double R = 0;
    for (;;) {
        box b = point_cells_within(lat, lon, R);
        for (int r = b.r0; r <= b.r1; r++)
            for (int u = b.c0; u <= b.c1; u++) {
                int c = ((u % POINT_COLS) + POINT_COLS) % POINT_COLS;
                if (box_has(&seen, r, c, POINT_COLS)) continue;
                for (int32_t i = s->head[r * POINT_COLS + c]; i >= 0; i = s->next[i]) {
                    double m = aw_distance_m(lat, lon, s->pts[i].lat, s->pts[i].lon);
                    if (m < best_m) {
                        best_m = m;
                        best_i = i;
                    }
                }
            }
        seen = b;
        double d = best_m / 1000.0;
        if (d <= R || R >= max_km || box_is_world(&b, POINT_ROWS, POINT_COLS)) break;
        double next = isfinite(d) ? d : (R > 0 ? 2 * R : POINT_CELL_DEG * KM_PER_DEG);
        R = next < max_km ? next : max_km;
    }
    if (best_i < 0 || best_m / 1000.0 > max_km) return none;
    const point *p = &s->pts[best_i];
    return (aw_place){best_m / 1000.0, p->lat, p->lon, p->name, p->country};
}

aw_place aw_geo_nearest_port(const aw_geo *g, double lat, double lon, double max_km) {
    if (!g) return (aw_place){NAN, NAN, NAN, "", ""};
    return pointset_nearest(&g->ports, lat, lon, max_km);
}

aw_place aw_geo_nearest_anchorage(const aw_geo *g, double lat, double lon, double max_km) {
    if (!g) return (aw_place){NAN, NAN, NAN, "", ""};
    return pointset_nearest(&g->anchorages, lat, lon, max_km);
}

int aw_geo_add_anchorage(aw_geo *g, double lat, double lon, const char *label) {
    if (!g || !valid_pos(lat, lon)) return -1;
    if (!label) label = "";
    /* A watch adds its derived anchorages again at every run: one copy of the label. */
    if (!g->added_label || strcmp(g->added_label, label) != 0) {
        const char *name = intern(g, label);
        if (!name) return -1;
        g->added_label = name;
    }
    return pointset_add(&g->anchorages, lat, lon, g->added_label, "");
}

size_t aw_geo_anchorage_count(const aw_geo *g) { return g ? g->anchorages.n : 0; }

void aw_geo_drop_anchorages(aw_geo *g, size_t n) {
    if (!g) return;
    pointset *s = &g->anchorages;
    /* Each point was put at the head of its cell's list: undone newest first, every
     * list is again what it was. */
    while (s->n > n) {
        s->n--;
        const point *p = &s->pts[s->n];
        s->head[point_cell(p->lat, p->lon)] = s->next[s->n];
    }
}

/* ---------------------------------------------------------------- CSV */

typedef struct csv {
    char *buf, *p, *end;
} csv;

static int csv_open(csv *c, const char *path, char *err, size_t cap) {
    memset(c, 0, sizeof *c);
    size_t n = 0;
    char *buf = aw_read_file(path, &n, err, cap);
    if (!buf) return -1;
    c->buf = buf;
    c->p = buf;
    c->end = buf + n;
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) c->p += 3; /* UTF-8 BOM */
    return 0;
}

/* Splits the next RFC 4180 record in place (quotes removed, "" unescaped, fields
 * NUL-terminated). Returns the number of fields, 0 at the end of the input. Fields past
 * `max` are parsed and dropped. */
static int csv_record(csv *c, char **fields, int max) {
    if (c->p >= c->end) return 0;
    int n = 0;
    for (;;) {
        char *out = c->p, *start = c->p;
        if (*c->p == '"') {
            c->p++;
            while (c->p < c->end) {
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        *out++ = '"';
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                *out++ = *c->p++;
            }
            while (c->p < c->end && *c->p != ',' && *c->p != '\n') c->p++; /* junk after quote */
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n') c->p++;
            out = c->p;
        }
        char sep = c->p < c->end ? *c->p : '\n';
        if (out > start && out[-1] == '\r' && sep == '\n') out--;
        *out = '\0';
        if (n < max) fields[n] = start;
        n++;
        if (c->p < c->end) c->p++;
        if (sep == '\n') break;
    }
    return n < max ? n : max;
}

static int csv_column(char **fields, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(fields[i], name)) return i;
    return -1;
}

static bool parse_coord(const char *s, double lo, double hi, double *out) {
    char *endp;
    while (*s == ' ') s++;
    if (!*s) return false;
    double v = strtod(s, &endp);
    while (*endp == ' ') endp++;
    if (*endp || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

#define CSV_MAX_FIELDS 256

long aw_geo_load_ports(aw_geo *g, const char *csv_path, char *err, size_t errcap) {
    csv c;
    if (!g || csv_open(&c, csv_path, err, errcap)) return -1;
    char *f[CSV_MAX_FIELDS];
    int n = csv_record(&c, f, CSV_MAX_FIELDS);
    int iname = csv_column(f, n, "Main Port Name"), ilat = csv_column(f, n, "Latitude"),
        ilon = csv_column(f, n, "Longitude"), iloc = csv_column(f, n, "UN/LOCODE");
    if (iname < 0 || ilat < 0 || ilon < 0) {
        free(c.buf);
        set_err(err, errcap, "%s: no \"Main Port Name\", \"Latitude\" and \"Longitude\" columns",
                csv_path);
        return -1;
    }
    long loaded = 0;
    while ((n = csv_record(&c, f, CSV_MAX_FIELDS)) > 0) {
        double lat, lon;
        if (n <= iname || n <= ilat || n <= ilon) continue;
        if (!parse_coord(f[ilat], -90, 90, &lat) || !parse_coord(f[ilon], -180, 180, &lon)) continue;
        /* "Country Code" holds a country name in Pub. 150; the ISO alpha-2 code is the first
         * word of the UN/LOCODE ("NL RTM"), so that is what `country` carries. */
        char iso[3] = "";
        if (iloc >= 0 && iloc < n) {
            const char *s = f[iloc];
            while (*s == ' ') s++;
            if (s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && (s[2] == ' ' || !s[2])) {
                iso[0] = s[0];
                iso[1] = s[1];
            }
        }
        const char *name = intern(g, f[iname]), *country = intern(g, iso);
        if (!name || !country || pointset_add(&g->ports, lat, lon, name, country)) {
            free(c.buf);
            set_err(err, errcap, "%s: out of memory", csv_path);
            return -1;
        }
        loaded++;
    }
    free(c.buf);
    return loaded;
}

long aw_geo_load_anchorages(aw_geo *g, const char *csv_path, char *err, size_t errcap) {
    csv c;
    if (!g || csv_open(&c, csv_path, err, errcap)) return -1;
    char *f[CSV_MAX_FIELDS];
    int n = csv_record(&c, f, CSV_MAX_FIELDS);
    int ilat = csv_column(f, n, "latitude"), ilon = csv_column(f, n, "longitude"),
        ilabel = csv_column(f, n, "label"), iiso = csv_column(f, n, "iso3");
    if (ilat < 0 || ilon < 0) {
        free(c.buf);
        set_err(err, errcap, "%s: no \"latitude\" and \"longitude\" columns", csv_path);
        return -1;
    }
    long loaded = 0;
    /* Rows of one anchorage come together: share the previous row's strings when equal. */
    const char *prev_label = NULL, *prev_iso = NULL;
    while ((n = csv_record(&c, f, CSV_MAX_FIELDS)) > 0) {
        double lat, lon;
        if (n <= ilat || n <= ilon) continue;
        if (!parse_coord(f[ilat], -90, 90, &lat) || !parse_coord(f[ilon], -180, 180, &lon)) continue;
        const char *label = ilabel >= 0 && ilabel < n ? f[ilabel] : "";
        const char *iso = iiso >= 0 && iiso < n ? f[iiso] : "";
        if (!prev_label || strcmp(prev_label, label)) prev_label = intern(g, label);
        if (!prev_iso || strcmp(prev_iso, iso)) prev_iso = intern(g, iso);
        if (!prev_label || !prev_iso ||
            pointset_add(&g->anchorages, lat, lon, prev_label, prev_iso)) {
            free(c.buf);
            set_err(err, errcap, "%s: out of memory", csv_path);
            return -1;
        }
        loaded++;
    }
    free(c.buf);
    return loaded;
}

/* ---------------------------------------------------------------- default land file */

const char *aw_geo_default_land(const char *exe_dir, char *buf, size_t cap) {
    static const char rel[] = "node_modules/world-atlas/land-10m.json";
    /* The program's folder and up to three parents (build/aiswatch, build/src/…), then the
     * current directory. */
    static const char *const up[] = {"", "../", "../../", "../../../"};
    for (size_t i = 0; exe_dir && *exe_dir && i < sizeof up / sizeof *up; i++) {
        int n = snprintf(buf, cap, "%s/%s%s", exe_dir, up[i], rel);
        if (n < 0 || (size_t)n >= cap) return NULL;
        FILE *f = fopen(buf, "rb");
        if (f) {
            fclose(f);
            return buf;
        }
    }
    int n = snprintf(buf, cap, "%s", rel);
    if (n < 0 || (size_t)n >= cap) return NULL;
    FILE *f = fopen(buf, "rb");
    if (!f) return NULL;
    fclose(f);
    return buf;
}
