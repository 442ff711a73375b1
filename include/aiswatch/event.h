/* aiswatch/event.h — events found in tracks: what they are, what they rest on.
 *
 * Promise: every event carries a stable id, its type, time span and place, the vessels
 * involved (MMSI, segment, and their identity at the time), named measures, the ids of
 * linked events, the parameters used, and its evidence: for each vessel, the range of
 * positions in aw_tracks it rests on. aw_events owns its array; events refer into the
 * aw_tracks they were found in, which must outlive them.
 */
#ifndef AISWATCH_EVENT_H
#define AISWATCH_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/geo.h"
#include "aiswatch/track.h"

typedef enum aw_event_type {
    AW_EV_ENCOUNTER,
    AW_EV_LOITERING,
    AW_EV_GAP,
    AW_EV_DARK_RENDEZVOUS,
    AW_EV_IDENTITY_CONFLICT,
    AW_EV_IDENTITY_CHANGE,
    AW_EV_POSITION_SPOOF,
    AW_EV_DRAUGHT_CHANGE,
    AW_EV_COUNT
} aw_event_type;

const char *aw_event_type_name(aw_event_type t); /* "encounter", "loitering", "gap", … */
int aw_event_type_parse(const char *name);       /* -1 when unknown */

#define AW_EV_MAX_MEASURES 12
#define AW_EV_MAX_LINKS 4

typedef struct aw_measure {
    const char *name;    /* static string: "duration_h", "median_distance_m", … */
    double value;        /* NAN when unknown */
} aw_measure;

typedef struct aw_event_vessel {
    uint32_t mmsi, segment;
    size_t vessel;       /* index in aw_tracks.vessels */
    size_t first, count; /* evidence: positions [first, first + count) in aw_tracks */
} aw_event_vessel;

typedef struct aw_event {
    char id[64];         /* stable across runs on the same input: type, vessels, start */
    aw_event_type type;
    int64_t start_ms, end_ms;
    double lat, lon;     /* where: the mean position, or the gap's start, … */
    uint8_t nvessels;
    aw_event_vessel vessels[2];
    uint8_t nmeasures;
    aw_measure measures[AW_EV_MAX_MEASURES];
    char detail[160];    /* human words: "name: OLD NAME -> NEW NAME", "IMO 1234567 fails its check digit" */
    uint8_t nlinks;
    uint32_t links[AW_EV_MAX_LINKS]; /* indexes into aw_events.v */
} aw_event;

typedef struct aw_events {
    aw_event *v;
    size_t n, cap;
} aw_events;

void aw_events_free(aw_events *e);

/* Every threshold, with the defaults of DESIGN.md (Global Fishing Watch's). */
typedef struct aw_event_params {
    double encounter_distance_m;     /* 500 */
    double encounter_min_h;          /* 2 */
    double encounter_max_kn;         /* 2: median speed of both vessels */
    double encounter_grid_min;       /* 10: resampling step, minutes */
    double encounter_max_interp_h;   /* 1: no interpolation across longer gaps */
    double encounter_merge_h;        /* 4: runs of one pair closer than this merge */
    double encounter_min_port_km;    /* 10: from a port or anchorage */
    double loiter_max_kn;            /* 2 */
    double loiter_min_h;             /* 4 */
    double loiter_min_shore_nm;      /* 20 */
    double gap_min_h;                /* 12 */
    double gap_min_port_km;          /* 5: both ends must be at sea, away from port */
    double max_transit_kn;           /* 15: dark rendezvous reachability */
    double draught_change_m;         /* 1.0 */
    double spoof_max_kn;             /* 50: a jump faster than this is no ship's */
    double spoof_min_inland_km;      /* 50: on land at least this far from the shore */
    double context_h;                /* 6: event_tracks reach this far before and after */
    double draught_window_h;         /* 24: a draught reported up to this long after an event counts
                                        as its outcome (crews update it when they sail on) */
} aw_event_params;

void aw_event_params_default(aw_event_params *p);

/* Anchorages from the data itself, as GFW derives them: grid cells (cell_deg on a side)
 * where at least min_vessels distinct MMSIs lay still (under 0.5 kn) are added to geo as
 * anchorage points. Returns the number added, or -1 when memory runs out. `aiswatch scan`
 * and the live watch derive them on AW_ANCHORAGE_CELL_DEG cells. */
#define AW_ANCHORAGE_CELL_DEG 0.01
long aw_anchorages_derive(const aw_tracks *t, aw_geo *geo, double cell_deg, unsigned min_vessels);

/* Finds every event type in the tracks. geo may be NULL or partly loaded: rules that need
 * missing geography are skipped (and say so in *skipped, a static string or NULL).
 * Returns 0, or -1 with a message. */
int aw_detect(const aw_tracks *t, const aw_geo *geo, const aw_event_params *p, aw_events *out,
              const char **skipped, char *err, size_t errcap);

#endif
