/* aiswatch/gpkg_merge.h — several GeoPackages of one run into one.
 *
 * Promise: aw_gpkg_merge() writes dst (replaced, through the writer of gpkg.h: fresh
 * spatial indexes, extents) with every layer of the sources, rows appended in source
 * order and, within a source, in fid order. A layer found in several sources must have
 * the same geometry kind and columns in each. The plain indexes of a layer (as created
 * by aw_gpkg_index) are created again on the merged layer. Geometries are points and
 * line strings, as aiswatch writes them. Used by the distributed scan to join its
 * partitions' GeoPackages; any writer's files of that shape merge.
 *
 * Errors: -1 with a message (a source that is not such a GeoPackage, a layer whose
 * columns differ, the writer's own errors); dst is then left as it was.
 */
#ifndef AISWATCH_GPKG_MERGE_H
#define AISWATCH_GPKG_MERGE_H

#include <stddef.h>

int aw_gpkg_merge(const char *dst, const char *const *srcs, size_t nsrcs, char *err, size_t errcap);

/* The coordinates of a GeoPackage point or line-string blob (any byte order) as lon,lat
 * pairs into *xy, grown as needed (*cap doubles; the caller frees *xy). Returns the
 * number of points, 0 for an empty geometry, -1 for a blob of another kind or a broken
 * one (or when memory runs out). */
long aw_gpkg_geom_points(const void *blob, size_t len, double **xy, size_t *cap);

#endif
