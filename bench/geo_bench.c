/* geo_bench.c — speed of the land index (see docs/geography.md). Not a test: run
 * bench/geo.sh after a build. Prints load time, on_land and shore_km queries per second on
 * one core, for uniform points on the globe and for points at sea near the coast, and the
 * index's size. */
#include "aiswatch/geo.h"
#include "geo_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* xorshift: the same points on every run, no libc rand() state. */
static double rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (*s >> 11) * (1.0 / 9007199254740992.0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: geo_bench land-10m.json\n");
        return 1;
    }
    char err[256];
    aw_geo *g = aw_geo_new();
    double t0 = now();
    if (aw_geo_load_land(g, argv[1], err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    printf("load+index land-10m: %.3f s\n", now() - t0);
    aw_land_stats st;
    aw_geo_land_stats(g, &st);
    printf("index: %zu edges; %zu of %zu cells hold %zu edge copies, %zu in latitude bands, "
           "%zu west-side crossings; %.1f MB\n",
           st.edges, st.mixed_cells, st.cells, st.cell_edges, st.band_edges, st.west_crossings, st.bytes / 1e6);

    enum { N = 1 << 20, M = 1 << 16 };
    double *lat = malloc(N * sizeof *lat), *lon = malloc(N * sizeof *lon);
    double *slat = malloc(M * sizeof *slat), *slon = malloc(M * sizeof *slon);
    uint64_t s = 88172645463325252ull;
    for (int i = 0; i < N; i++) {
        lat[i] = asin(2 * rnd(&s) - 1) * 180 / M_PI; /* uniform on the sphere */
        lon[i] = rnd(&s) * 360 - 180;
    }
    /* At sea within 50 km of shore: drawn near a few busy coasts, kept by rejection. */
    int m = 0;
    while (m < M) {
        double la = rnd(&s) * 140 - 70, lo = rnd(&s) * 360 - 180;
        if (aw_geo_on_land(g, la, lo)) continue;
        double d = aw_geo_shore_km(g, la, lo, 50);
        if (d < 50) {
            slat[m] = la;
            slon[m] = lo;
            m++;
        }
    }
    long hits = 0;
    for (int rep = 0; rep < 2; rep++) { /* second pass reported: caches warm */
        t0 = now();
        hits = 0;
        for (int i = 0; i < N; i++) hits += aw_geo_on_land(g, lat[i], lon[i]);
        double dt = now() - t0;
        if (rep) printf("on_land, uniform on the globe: %.2f M/s (%.1f%% land)\n", N / dt / 1e6, 100.0 * hits / N);
    }
    t0 = now();
    hits = 0;
    for (int r = 0; r < 16; r++)
        for (int i = 0; i < M; i++) hits += aw_geo_on_land(g, slat[i], slon[i]);
    printf("on_land, at sea < 50 km from shore: %.2f M/s\n", 16.0 * M / (now() - t0) / 1e6);
    double sum = 0;
    double maxes[] = {50, INFINITY};
    for (int k = 0; k < 2; k++) {
        t0 = now();
        for (int r = 0; r < 4; r++)
            for (int i = 0; i < M; i++) sum += aw_geo_shore_km(g, slat[i], slon[i], maxes[k]);
        printf("shore_km, at sea < 50 km from shore, max_km %g: %.0f k/s\n", maxes[k], 4.0 * M / (now() - t0) / 1e3);
    }
    t0 = now();
    for (int i = 0; i < M; i++) sum += aw_geo_shore_km(g, lat[i], lon[i], 100);
    printf("shore_km, uniform on the globe, max_km 100: %.0f k/s\n", M / (now() - t0) / 1e3);
    if (sum == 42) puts(""); /* keeps the loops */
    aw_geo_free(g);
    free(lat);
    free(lon);
    free(slat);
    free(slon);
    return 0;
}
