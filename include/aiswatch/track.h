/* aiswatch/track.h — from decoded messages to clean tracks and vessel identities.
 *
 * Promise: aw_tracks_build() takes every position (aw_columns) and static report
 * (aw_static_obs) of a run and returns, per MMSI, its positions in time order with the
 * same report heard by several receivers kept once, "not available" and impossible
 * positions and untimed messages dropped and counted, each MMSI split into segments
 * wherever no single ship could have made the move (segment.h), and per MMSI and
 * segment a vessel with its identity history (name, IMO, call sign, ship type,
 * dimensions, draught, destination, each value with first and last seen) and its flag
 * from the MID. The caller owns the inputs; aw_tracks owns its arrays until
 * aw_tracks_free().
 */
#ifndef AISWATCH_TRACK_H
#define AISWATCH_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/ais.h"
#include "aiswatch/columns.h"

/* Identity fields, as bits of aw_static_obs.fields and values of aw_ident_change.field. */
typedef enum aw_id_field {
    AW_ID_NAME, AW_ID_IMO, AW_ID_CALLSIGN, AW_ID_SHIPTYPE, AW_ID_LENGTH, AW_ID_BEAM, AW_ID_DRAUGHT,
    AW_ID_DESTINATION, AW_ID_COUNT
} aw_id_field;

const char *aw_id_field_name(aw_id_field f); /* "name", "imo", "callsign", … "length_m" */

/* What one static report (type 5, 19, 24 A/B, or a table row's static columns) said. */
typedef struct aw_static_obs {
    int64_t time_ms;
    uint32_t mmsi;
    uint16_t fields;       /* bit (1 << aw_id_field) set for each field the report carries */
    uint32_t imo;
    uint8_t shiptype;
    uint8_t draught_dm;    /* 0.1 m */
    uint16_t length_m, beam_m;
    char name[21], callsign[8], destination[21];
} aw_static_obs;

/* Fills *obs from a static message; false for other messages. Empty texts, IMO 0, ship
 * type 0, zero dimensions and draught 0 are "not available" and leave their bit clear. */
bool aw_static_from_msg(const aw_msg *m, int64_t time_ms, aw_static_obs *obs);

typedef struct aw_ident_change {
    uint32_t mmsi, segment;
    uint8_t field;         /* aw_id_field */
    char value[24];        /* as text: names verbatim, numbers in decimal, metres with 1 decimal */
    int64_t first_seen_ms, last_seen_ms;
    uint32_t n_reports;
} aw_ident_change;

typedef struct aw_vessel {
    uint32_t mmsi, segment;
    size_t first, count;   /* its positions: aw_tracks arrays [first, first + count) */
    int64_t first_seen_ms, last_seen_ms; /* positions and static reports */
    aw_static_obs ident;   /* latest value of each field (fields mask tells which are known) */
    size_t hist_first, hist_count; /* its identity history in aw_tracks.history */
} aw_vessel;

typedef struct aw_track_stats {
    uint64_t positions_in;   /* position reports given */
    uint64_t untimed;        /* dropped: no time */
    uint64_t not_available;  /* dropped: lat 91 / lon 181 */
    uint64_t out_of_range;   /* dropped: |lat| > 90, |lon| > 180, or 0,0 */
    uint64_t duplicates;     /* dropped: the same report from another receiver */
    uint64_t positions;      /* kept */
    uint64_t static_reports; /* static reports given */
    uint64_t mmsis, segments;
} aw_track_stats;

typedef struct aw_track_params {
    /* Reports of one MMSI at most this far apart in time, with identical content (position,
     * speed, course, heading and the report's own UTC second), are one report heard twice. */
    int64_t duplicate_window_ms;
    double max_speed_kn;     /* segmentation: see segment.h */
    unsigned threads;        /* 0: every online core */
} aw_track_params;

void aw_track_params_default(aw_track_params *p);

typedef struct aw_tracks {
    size_t n;                /* kept positions, ordered by mmsi, segment, time */
    int64_t *time_ms;
    uint32_t *mmsi, *segment;
    double *lat, *lon;       /* degrees */
    float *sog_kn, *cog_deg; /* NAN when not available */
    uint16_t *heading_deg;   /* 511 n/a */
    uint8_t *nav_status, *msg_type;
    uint16_t *source_id;
    aw_vessel *vessels;      /* ordered by mmsi, segment */
    size_t nvessels;
    aw_ident_change *history;
    size_t nhistory;
    aw_track_stats stats;
} aw_tracks;

/* Returns 0, or -1 with a message in err (out of memory). */
int aw_tracks_build(const aw_columns *pos, const aw_static_obs *obs, size_t nobs, const aw_track_params *p,
                    aw_tracks *out, char *err, size_t errcap);
/* The same, consuming pos: each of its columns is freed as soon as it has been read,
 * and pos is left empty, so the peak memory stays near the larger of the positions and
 * the tracks instead of their sum. */
int aw_tracks_build_consume(aw_columns *pos, const aw_static_obs *obs, size_t nobs, const aw_track_params *p,
                            aw_tracks *out, char *err, size_t errcap);
/* Static reports held in one of several arrays, read one after the other. */
typedef struct aw_static_block {
    const aw_static_obs *v;
    size_t n;
} aw_static_block;

/* The same over positions held in several blocks (rows numbered block after block),
 * consuming every block, and static reports in several blocks (not consumed). */
int aw_tracks_build_blocks(aw_columns *blocks, size_t nblocks, const aw_static_block *obs, size_t nobs_blocks,
                           const aw_track_params *p, aw_tracks *out, char *err, size_t errcap);
void aw_tracks_free(aw_tracks *t);

#endif
