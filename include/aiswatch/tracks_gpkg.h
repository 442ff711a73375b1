/* aiswatch/tracks_gpkg.h — tracks and vessels into a GeoPackage, from any aw_tracks.
 *
 * Promise: aw_tracks_write_gpkg() adds the layers `aiswatch scan` writes for its tracks
 * (positions, tracks, vessels, identity_history, and sanctions_matches when screened) to
 * a GeoPackage being written, with the same columns and values (docs/geopackage.md). It
 * serves callers that hold tracks without an aw_scan: the partitions of a distributed
 * scan, each writing the vessels of its MMSIs. source_names[i] names source_id i.
 *
 * Ownership: everything passed in is only read. Errors: -1 with a message in err.
 */
#ifndef AISWATCH_TRACKS_GPKG_H
#define AISWATCH_TRACKS_GPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/gpkg.h"
#include "aiswatch/sanctions.h"
#include "aiswatch/track.h"

/* screened: per vessel of t, or NULL (then no sanctions_matches layer and the vessels'
 * sanctioned column is NULL); lists: what screened refers to. rows_out (may be NULL)
 * gets the rows written: positions, tracks, vessels, identity_history. */
int aw_tracks_write_gpkg(aw_gpkg *g, const aw_tracks *t, const aw_vessel_screen *screened, const aw_lists *lists,
                         const char *const *source_names, size_t nsources, bool with_positions,
                         uint64_t rows_out[4], char *err, size_t errcap);

/* The `inputs` table: one row per input (source_id, path, basename, bytes, sha256,
 * format); bytes < 0, sha256 "" or format NULL are written as NULL. */
int aw_inputs_write_gpkg(aw_gpkg *g, size_t n, const char *const *paths, const char *const *basenames,
                         const int64_t *bytes, const char *const *sha256, const char *const *formats, char *err,
                         size_t errcap);

#endif
