/* recs.h — positions kept as the track builder's own 32-byte records, bucketed by MMSI
 * range as the decoding workers push them (internal; implemented in track.c).
 *
 * What scan hands to the track builder instead of position columns: the rows are
 * written once, already grouped by the high bits of their MMSI, so the builder needs no
 * pass to count them and no scatter into a second copy; it gathers each bucket into a
 * scratch it reuses and works there, giving the store's pages back as it goes. Unusable
 * rows (untimed, not available, out of range) are counted at the push and not kept. */
#ifndef AISWATCH_RECS_H
#define AISWATCH_RECS_H

#include <stddef.h>
#include <stdint.h>

#include "aiswatch/ais.h"
#include "aiswatch/nmea.h"
#include "aiswatch/track.h"

typedef struct aw_rec_store aw_rec_store;

/* An empty store, or NULL when memory runs out. */
aw_rec_store *aw_recs_new(void);
/* Keeps m when it is a position report (types 1, 2, 3, 18, 19, 27); other messages are
 * ignored. Returns 0, or -1 when memory runs out (the row is lost and the store says so
 * at the build). */
int aw_recs_push(aw_rec_store *s, const aw_msg *m, const aw_msg_meta *meta, uint16_t source_id);
void aw_recs_free(aw_rec_store *s);

/* aw_tracks_build_blocks over stores, rows numbered store after store (the order ties in
 * time keep), consuming them: they are emptied, not freed. */
int aw_tracks_build_recs(aw_rec_store *const *stores, size_t nstores, const aw_static_block *obs,
                         size_t nobs_blocks, const aw_track_params *p, aw_tracks *out, char *err, size_t errcap);

#endif
