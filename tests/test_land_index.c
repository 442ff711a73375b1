/* test_land_index.c — aw_geo_on_land's index gives exactly the answers of the walk it
 * shortens, and the scan's wherever a point is not degenerate.
 *
 * The index answers a mixed cell from its corner state, the edges of the point's latitude
 * band and a sorted list of where edges cross the cell's west side. On every point it must
 * equal aw_geo_on_land_cell_walk, the same L-path tested against all the cell's edges (what
 * aw_geo_on_land computed before the bands). And it must equal aw_geo_on_land_scan, which
 * tests all of Natural Earth's 405k edges along another path, on random points and on every
 * probe of tests/land_points.h that is not within rounding of an edge: vertices, cell sides
 * and corners, band boundaries. Points within rounding of an edge may get the other answer
 * from the scan; they are counted, not failed.
 */
#include "aiswatch/geo.h"
#include "geo_priv.h"

#include "check.h"
#include "land_points.h"

#include <math.h>
#include <stdint.h>
#include <unistd.h>

enum { EDGES_PROBED = 600, UNIFORM = 2000, MAX_SHOWN = 10 };

static int walk_mismatches, scan_mismatches, degenerate_disagreements, degenerate_points;

static void show(const char *kind, double lat, double lon, const char *other, bool a, bool b) {
    fprintf(stderr, "%s point (%.17g, %.17g): index says %s, %s says %s\n", kind, lat, lon,
            a ? "land" : "sea", other, b ? "land" : "sea");
}

static void compare(const aw_geo *g, double lat, double lon, bool degenerate, const char *kind) {
    bool a = aw_geo_on_land(g, lat, lon);
    bool w = aw_geo_on_land_cell_walk(g, lat, lon), s = aw_geo_on_land_scan(g, lat, lon);
    check_count += 2;
    if (a != w) {
        check_failures++;
        if (++walk_mismatches <= MAX_SHOWN) show(kind, lat, lon, "cell walk", a, w);
    }
    degenerate_points += degenerate;
    if (a == s) return;
    if (degenerate) {
        degenerate_disagreements++;
    } else {
        check_failures++;
        if (++scan_mismatches <= MAX_SHOWN) show(kind, lat, lon, "scan", a, s);
    }
}

static void index_equals_walk_and_scan_around_edges(const aw_geo *g) {
    aw_land_stats st;
    aw_geo_land_stats(g, &st);
    uint64_t s = 0x2545F4914F6CDD1Dull;
    lp_points p;
    for (int i = 0; i < EDGES_PROBED; i++) {
        land_points_of_edge(g, (size_t)(lp_rnd(&s) * (double)st.edges), &s, &p);
        for (size_t k = 0; k < p.n; k++) compare(g, p.lat[k], p.lon[k], p.degenerate[k], "edge-probe");
    }
}

static void index_equals_walk_and_scan_on_random_points(const aw_geo *g) {
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < UNIFORM; i++) { /* uniform on the sphere */
        double lat = asin(2 * lp_rnd(&s) - 1) * 180 / M_PI, lon = lp_rnd(&s) * 360 - 180;
        compare(g, lat, lon, false, "uniform");
    }
    /* The seam and the poles. */
    const double fixed[][2] = {{0, 180}, {0, -180}, {67, 180}, {67, -180}, {-70, 180}, {-90, 0},
                               {90, 0},  {-90, -180}, {90, 180}, {65.5, 180}, {65.5, -180}};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        compare(g, fixed[i][0], fixed[i][1], false, "fixed");
}

static void index_is_small(const aw_geo *g) {
    aw_land_stats st;
    aw_geo_land_stats(g, &st);
    printf("land index: %zu edges, %zu of %zu cells mixed, %zu cell edges, %zu band edges, "
           "%zu west crossings, %.1f MB\n",
           st.edges, st.mixed_cells, st.cells, st.cell_edges, st.band_edges, st.west_crossings,
           st.bytes / 1e6);
    CHECK(st.mixed_cells > 0 && st.band_edges > 0 && st.west_crossings > 0);
    CHECK(st.bytes < 40u << 20); /* docs/geography.md gives the figures */
}

int main(void) {
    const char *root = getenv("AW_SRC");
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/node_modules/world-atlas/land-10m.json", root ? root : "..");
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "FAIL: %s is missing: run scripts/install-deps.sh (npm ci)\n", path);
        return 1;
    }
    aw_geo *g = aw_geo_new();
    if (aw_geo_load_land(g, path, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        aw_geo_free(g);
        return 1;
    }
    index_equals_walk_and_scan_around_edges(g);
    index_equals_walk_and_scan_on_random_points(g);
    index_is_small(g);
    printf("%d of %d degenerate points answered otherwise by the scan (allowed)\n",
           degenerate_disagreements, degenerate_points);
    if (walk_mismatches || scan_mismatches)
        fprintf(stderr, "the index disagrees with the cell walk on %d points, with the scan on %d\n",
                walk_mismatches, scan_mismatches);
    aw_geo_free(g);
    return check_report("land_index");
}
