/* fuzz_geo.c — the geography loaders (aw_geo_load_ports / _anchorages / _land) and the
 * queries on what they loaded.
 *
 * Input: one control byte, then the file text.
 *   byte 0: (byte % 3) picks the loader: 0 WPI port CSV, 1 GFW anchorage CSV, 2 TopoJSON
 *           land. The text is written to a file in a temporary directory made once per
 *           process (removed at exit) and loaded into a fresh aw_geo.
 * Checks, for each input:
 *   - the return/err contract: ports and anchorages return the count loaded or -1, land 0
 *     or -1; a failure leaves a terminated, non-empty message;
 *   - at fixed points (poles, the seam, ±90/±180, NAN, out of range) and at points derived
 *     from the input bytes (scaled into range, and raw doubles that may be NAN/INFINITY):
 *     aw_geo_on_land is false for invalid positions and without land;
 *     aw_geo_shore_km(max 50) is NAN without land or for an invalid position, else >= 0 or
 *     INFINITY, and within 50 km it agrees with the scan to 0.1 %; aw_geo_nearest_port /
 *     _anchorage give NAN and "" when none, else a distance within the radius that matches
 *     the place's own position, non-NULL terminated strings and a position in range, and a
 *     larger radius never finds a farther place (radii 0, 50, 1000 km; 30000 km, the whole
 *     Earth, at a few points only, as it visits every cell).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiswatch/geo.h"
#include "../src/lib/geo_priv.h"

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#include "fuzz_common.h"
#pragma clang diagnostic pop

static char tmpdir[64];
static char path[128];

static void cleanup(void) {
    if (path[0]) unlink(path);
    rmdir(tmpdir);
}

static void setup(void) {
    if (tmpdir[0]) return;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/aw-fuzz-geo-XXXXXX", base && strlen(base) < 40 ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(path, sizeof path, "%s/geo.dat", tmpdir);
    atexit(cleanup);
}

static void write_file(const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static bool valid(double lat, double lon) { return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; }

static void check_place(const aw_place *p, double lat, double lon, double max_km, const char *what) {
    FUZZ_CHECK(p->name && p->country, "%s: NULL name or country", what);
    volatile size_t n = strlen(p->name) + strlen(p->country); /* ASan sees an unterminated string */
    (void)n;
    if (isnan(p->km)) {
        FUZZ_CHECK(isnan(p->lat) && isnan(p->lon) && !p->name[0] && !p->country[0],
                   "%s: none found but lat %g lon %g name '%s'", what, p->lat, p->lon, p->name);
        return;
    }
    FUZZ_CHECK(valid(lat, lon), "%s: found %g km from invalid (%g, %g)", what, p->km, lat, lon);
    FUZZ_CHECK(p->km >= 0 && p->km <= max_km, "%s: %g km, radius %g", what, p->km, max_km);
    FUZZ_CHECK(valid(p->lat, p->lon), "%s: place at (%g, %g)", what, p->lat, p->lon);
    double d = aw_distance_m(lat, lon, p->lat, p->lon) / 1000.0;
    FUZZ_CHECK(fabs(d - p->km) <= 1e-9 * (1 + d), "%s: %g km, but the place is %g km away", what, p->km, d);
}

static void query(const aw_geo *g, double lat, double lon, bool has_land, bool world) {
    bool ok = valid(lat, lon);
    bool land = aw_geo_on_land(g, lat, lon);
    FUZZ_CHECK(!land || (ok && has_land), "on land at invalid (%g, %g) or without land", lat, lon);
    /* Not compared with aw_geo_on_land_scan: for rings left open by a malformed file the
     * even-odd answer depends on the path to the pole, and the index and the scan take
     * different paths (fuzz/regressions/fuzz_geo/check_4a47d1c8caa5fd73 is such a file). */
    double s = aw_geo_shore_km(g, lat, lon, 50);
    if (!has_land || !ok) {
        FUZZ_CHECK(isnan(s), "shore %g km without land or at invalid (%g, %g)", s, lat, lon);
    } else {
        FUZZ_CHECK(s >= 0, "shore %g km at (%.17g, %.17g)", s, lat, lon);
        if (s <= 50) {
            double r = aw_geo_shore_km_scan(g, lat, lon);
            FUZZ_CHECK(fabs(r - s) <= 1e-3 * r + 1e-9, "shore %.17g km, scan %.17g km at (%.17g, %.17g)", s, r,
                       lat, lon);
        }
    }
    /* 30000 km covers the Earth: a scan of every point cell, so only when asked. */
    static const double radii[] = {0, 50, 1000, 30000};
    size_t nradii = world ? 4 : 3;
    for (int k = 0; k < 2; k++) {
        double prev = NAN;
        for (size_t i = 0; i < nradii; i++) {
            aw_place p = k ? aw_geo_nearest_anchorage(g, lat, lon, radii[i])
                           : aw_geo_nearest_port(g, lat, lon, radii[i]);
            check_place(&p, lat, lon, radii[i], k ? "anchorage" : "port");
            if (!isnan(prev))
                FUZZ_CHECK(!isnan(p.km) && p.km <= prev, "%s: radius %g finds %g km, a smaller one %g km",
                           k ? "anchorage" : "port", radii[i], p.km, prev);
            prev = p.km;
        }
    }
}

static const double fixed[][2] = {
    {0, 0},       {90, 0},      {-90, 0},       {90, 180},    {-90, -180}, {0, 180},     {0, -180},
    {45.5, 180},  {-45.5, -180}, {51.9, 4.1},   {1.25, 103.75}, {-33.9, 18.4}, {60, -179.999},
    {90.0000001, 0}, {0, 180.0000001}, {-91, 0}, {0, -181},   {NAN, 0},    {0, NAN},     {INFINITY, 0},
    {0, -INFINITY},
};

static uint32_t rd32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    setup();
    int which = data[0] % 3;
    const uint8_t *text = data + 1;
    size_t tn = size - 1;
    write_file(text, tn);

    aw_geo *g = aw_geo_new();
    if (!g) abort();
    char err[256];
    memset(err, 'x', sizeof err);
    long r;
    if (which == 0)
        r = aw_geo_load_ports(g, path, err, sizeof err);
    else if (which == 1)
        r = aw_geo_load_anchorages(g, path, err, sizeof err);
    else
        r = aw_geo_load_land(g, path, err, sizeof err);
    FUZZ_CHECK(r >= -1 && (which < 2 || r <= 0), "loader %d returned %ld", which, r);
    if (r < 0) {
        size_t n = strnlen(err, sizeof err);
        FUZZ_CHECK(n > 0 && n < sizeof err, "refused without a terminated message (%zu)", n);
    }
    bool has_land = aw_geo_has_land(g);
    FUZZ_CHECK(has_land == (which == 2 && r == 0), "has_land %d after loader %d returned %ld", has_land, which, r);
    if (which < 2 && r == 0) {
        aw_place p = which ? aw_geo_nearest_anchorage(g, 0, 0, 30000) : aw_geo_nearest_port(g, 0, 0, 30000);
        FUZZ_CHECK(isnan(p.km), "nothing loaded but found a place");
    }

    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) query(g, fixed[i][0], fixed[i][1], has_land, i < 2);
    /* Points from the input: the last bytes scaled into range, and raw doubles. */
    for (size_t k = 0; k < 4 && tn >= 8 * (k + 1); k++) {
        const uint8_t *p = text + tn - 8 * (k + 1);
        double lat = rd32(p) / 4294967295.0 * 180 - 90, lon = rd32(p + 4) / 4294967295.0 * 360 - 180;
        query(g, lat, lon, has_land, k == 0);
        query(g, round(lat * 4) / 4, round(lon * 4) / 4, has_land, false); /* grid corners and lines */
        double a, b;
        memcpy(&a, p, sizeof a);
        memcpy(&b, text + k * 8 % (tn - 7), sizeof b);
        query(g, a, b, has_land, false);
    }
    aw_geo_free(g);
    unlink(path);
    return 0;
}
