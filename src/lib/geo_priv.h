/* geo_priv.h — geo.c's reference answers, for tests only.
 *
 * These scan every coastline edge with the same predicates and metric the index uses, so a
 * test can demand that the indexed answer equals the brute-force one exactly. They are
 * O(number of edges): never call them from the pipeline.
 */
#ifndef AW_GEO_PRIV_H
#define AW_GEO_PRIV_H

#include "aiswatch/geo.h"

bool aw_geo_on_land_scan(const aw_geo *g, double lat, double lon);
/* aw_geo_on_land's L-path tested against every edge of the point's cell; the index looks at
 * fewer (one latitude band, the sorted west-side crossings) and must give this answer on
 * every point. It can differ from the scan's on degenerate points, where the two paths
 * round differently: within rounding of an edge, or at exactly the latitude where an edge
 * crosses the cell's west side (the L-path's corner is then on that edge). */
bool aw_geo_on_land_cell_walk(const aw_geo *g, double lat, double lon);
double aw_geo_shore_km_scan(const aw_geo *g, double lat, double lon);
/* Size of the land index, for benchmarks and docs (all zero but cells without land). */
typedef struct aw_land_stats {
    size_t edges;          /* coastline edges */
    size_t cells;          /* grid cells */
    size_t mixed_cells;    /* cells holding edges */
    size_t cell_edges;     /* edge copies filed under cells */
    size_t band_edges;     /* edge copies filed under the mixed cells' latitude bands */
    size_t west_crossings; /* crossings of the mixed cells' west sides */
    size_t bytes;          /* memory of the land index, edges included */
} aw_land_stats;
void aw_geo_land_stats(const aw_geo *g, aw_land_stats *stats);
/* Edge k < stats.edges of loaded land as stored (lon, lat of one end, then of the other), so
 * that tests can put points exactly on vertices and crossings. */
void aw_geo_land_edge(const aw_geo *g, size_t k, double v[4]);

#endif
