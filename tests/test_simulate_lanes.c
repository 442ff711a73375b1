/* test_simulate_lanes.c — no simulator lane crosses land.
 *
 * Every lane of both modes (aw_sim_lane) is walked the way ships sail it — straight in
 * latitude and longitude between its points — and sampled every kilometre against Natural
 * Earth 1:10m land (aiswatch/geo.h), except within each port's approach distance, where
 * harbour and river approaches are land at 1:10m. The global lanes must also keep
 * AW_SIM_LANE_JITTER_KM from the shore, since ships steer jittered waypoints. */
#include "aiswatch/geo.h"
#include "aiswatch/sim.h"

#include "check.h"

#include <math.h>

static double wrap(double lon) {
    while (lon >= 180) lon -= 360;
    while (lon < -180) lon += 360;
    return lon;
}

/* Samples lane i of a mode; returns the samples on land, printing the first few. */
static long lane_on_land(const aw_geo *g, bool global, size_t i, long *samples, long *near_shore) {
    static double lat[4096], lon[4096];
    aw_sim_lane_info in;
    if (aw_sim_lane(global, i, &in, lat, lon, 4096) != 0 || in.npoints < 2 || in.npoints > 4096) return -1;
    long bad = 0;
    double alat = lat[0], alon = wrap(lon[0]), blat = lat[in.npoints - 1], blon = wrap(lon[in.npoints - 1]);
    for (size_t k = 0; k + 1 < in.npoints; k++) {
        double km = aw_distance_m(lat[k], wrap(lon[k]), lat[k + 1], wrap(lon[k + 1])) / 1000;
        long n = (long)ceil(km) + 1;
        for (long j = 0; j <= n; j++) {
            double f = (double)j / (double)n;
            double dlon = lon[k + 1] - lon[k]; /* as the simulator sails: the short way round */
            dlon += dlon > 180 ? -360 : dlon < -180 ? 360 : 0;
            double la = lat[k] + f * (lat[k + 1] - lat[k]), lo = wrap(lon[k] + f * dlon);
            if (aw_distance_m(la, lo, alat, alon) < in.from_approach_km * 1000 ||
                aw_distance_m(la, lo, blat, blon) < in.to_approach_km * 1000)
                continue;
            (*samples)++;
            if (aw_geo_on_land(g, la, lo)) {
                if (bad++ < 3)
                    fprintf(stderr, "%s lane %zu %s-%s: land at %.4f %.4f\n", global ? "global" : "default", i,
                            in.from, in.to, la, lo);
            } else if (global && aw_geo_shore_km(g, la, lo, 5) < AW_SIM_LANE_JITTER_KM) {
                if ((*near_shore)++ < 3)
                    fprintf(stderr, "global lane %zu %s-%s: %.2f km from shore at %.4f %.4f\n", i, in.from, in.to,
                            aw_geo_shore_km(g, la, lo, 5), la, lo);
            }
        }
    }
    return bad;
}

int main(void) {
    const char *root = getenv("AW_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/node_modules/world-atlas/land-10m.json", root ? root : "..");
    aw_geo *g = aw_geo_new();
    char err[256];
    if (aw_geo_load_land(g, path, err, sizeof err) != 0) {
        fprintf(stderr, "test_simulate_lanes: needs Natural Earth land (%s): run scripts/install-deps.sh\n", err);
        return 1;
    }
    CHECK_EQ_INT(aw_sim_lane_count(false), 21);
    CHECK(aw_sim_lane_count(true) >= 100);
    for (int mode = 0; mode < 2; mode++) {
        long samples = 0, land = 0, near = 0;
        for (size_t i = 0; i < aw_sim_lane_count(mode); i++) {
            long b = lane_on_land(g, mode, i, &samples, &near);
            CHECK(b == 0);
            land += b > 0 ? b : 0;
        }
        fprintf(stderr, "%s lanes: %zu lanes, %ld samples 1 km apart, %ld on land, %ld closer than %.1f km to shore\n",
                mode ? "global" : "default", aw_sim_lane_count(mode), samples, land, near, AW_SIM_LANE_JITTER_KM);
        CHECK(samples > (mode ? 100000 : 30000));
        CHECK_EQ_INT(near, 0);
    }
    aw_sim_lane_info in;
    double la, lo;
    CHECK(aw_sim_lane(true, aw_sim_lane_count(true), &in, &la, &lo, 1) == -1);
    aw_geo_free(g);
    return check_report("simulate_lanes");
}
