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
double aw_geo_shore_km_scan(const aw_geo *g, double lat, double lon);
/* Size of the land index, for benchmarks and docs. */
void aw_geo_land_stats(const aw_geo *g, size_t *edges, size_t *cell_edges, size_t *cells,
                       size_t *mixed_cells);

#endif
