/* sim_world.h — the simulator's compiled-in geography (private to sim.c and its tests).
 *
 * The global tables in sim_world.c were generated once from the World Port Index (Pub.
 * 150) and Natural Earth 1:10m land (docs/simulate.md, "How the global tables were
 * made"); they are data, not code, and the simulator needs neither source at run time.
 */
#ifndef AISWATCH_SIM_WORLD_H
#define AISWATCH_SIM_WORLD_H

#include <stddef.h>

typedef struct sim_port {
    const char *name;  /* written as the type 5 destination */
    double lat, lon;   /* where ships lie while in port: the WPI position */
    int wpi;           /* World Port Index number, 0 in the first (non-global) table */
    double approach_km;/* a lane may cross 1:10m land this close to the port (river and
                          harbour approaches that 1:10m draws as land); 0 = 10 km */
} sim_port;
typedef struct sim_lane_pt {
    double lat, lon;   /* longitudes may run past 180 so a lane across it stays continuous */
} sim_lane_pt;
typedef struct sim_lane {
    int from, to;      /* port indexes of the first and the last point */
    int first, n;      /* points lane_pts[first .. first + n) */
} sim_lane;
typedef struct sim_station {
    double lat, lon;   /* a shore receiver (and base station): every port, and points
                          within 30 km of the coast every ~120 km along the lanes */
    int port;          /* nearest port, for its name */
} sim_station;

extern const sim_port sim_g_ports[];
extern const size_t sim_g_nports;
extern const sim_lane_pt sim_g_lane_pts[];
extern const sim_lane sim_g_lanes[];
extern const size_t sim_g_nlanes;
extern const sim_station sim_g_stations[];
extern const size_t sim_g_nstations;
/* 180 rows (row 0 = 89-90 N, row 179 = 90-89 S) of 360 one-degree cells from 180 W:
 * 'o' every point of the cell is >= 80 km from any Natural Earth 1:10m coast, at sea
 * (and within 66 degrees of the equator); 'L' every point is >= 100 km inland (within 60
 * degrees); '.' anything else. */
extern const char *const sim_g_mask[180];

#endif
