/* aiswatch/event_out.h — events as analysts receive them: GeoPackage layers and JSON.
 *
 * Promise: aw_events_write_gpkg() adds two layers to a GeoPackage being written:
 *   `events` (POINT at the event's place): one row per event, with the vessels' MMSIs,
 *     their IMOs, names and flags at the time of the event, the event's measures and the
 *     parameters of the run as JSON objects, the ids of linked events, and the input
 *     files its evidence positions came from;
 *   `event_tracks` (POINT): for each event and each vessel in it, that vessel's positions
 *     from context_h before the start to context_h after the end, each marked in_event
 *     (1 inside [start, end], 0 in the context window).
 * docs/geopackage.md lists the columns. Work per event is proportional to its positions
 * (a binary search into the vessel's time-ordered range) plus the vessel's identity
 * history; nothing is allocated per row.
 *
 * "At the time": for each identity field, the history value whose [first_seen, last_seen]
 * lies nearest the event's [start, end] (overlap counts as distance 0; among overlapping
 * values the one overlapping longest); the vessel's current value when the history has
 * none.
 *
 * One JSON form serves `aiswatch events`, live alerts and anything else that prints an
 * event: aw_event_row_json() writes an aw_event_row, which the library fills from an
 * aw_event (aw_event_json()) and the CLI fills from an `events` row, so both print the
 * same bytes for the same event.
 *
 * Ownership: everything passed in is only read during the call. Errors: -1 with a
 * message in err (a bad event, or the GeoPackage writer's own error).
 */
#ifndef AISWATCH_EVENT_OUT_H
#define AISWATCH_EVENT_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "aiswatch/event.h"
#include "aiswatch/gpkg.h"
#include "aiswatch/track.h"

/* Adds the `events` and `event_tracks` layers and their rows. `p` may be NULL (the
 * defaults). source_names[i] names input i of aw_tracks.source_id and is written as
 * given: pass what the positions layer's `source` column holds (scan: base names), so
 * the two can be joined. Ids out of range are left out. Returns 0 or -1. */
int aw_events_write_gpkg(aw_gpkg *g, const aw_tracks *t, const aw_events *ev, const aw_event_params *p,
                         const char *const *source_names, size_t nsources, char *err, size_t errcap);

/* The same, with each vessel's sanctions matches (vessel_sanctions[i] for aw_tracks
 * vessel i: a JSON array of match objects, or NULL) joined into each event's
 * `sanctioned` column. vessel_sanctions may be NULL (no lists were screened). */
int aw_events_write_gpkg_screened(aw_gpkg *g, const aw_tracks *t, const aw_events *ev, const aw_event_params *p,
                                  const char *const *source_names, size_t nsources,
                                  const char *const *vessel_sanctions, char *err, size_t errcap);

/* One event, flat, as printed. Every pointer may be NULL (printed as null, or as an
 * empty list / object); lists are aligned with mmsi[]: names[i] belongs to mmsi[i]. */
typedef struct aw_event_row {
    const char *id, *type;
    const char *start, *end;  /* ISO 8601 UTC: 2016-03-31T00:00:01Z (milliseconds when not 0) */
    double duration_h;        /* NAN when unknown */
    double lat, lon;          /* NAN when the event has no place */
    unsigned nvessels;        /* 0..2 */
    uint32_t mmsi[2], segment[2];
    uint32_t imo[2];          /* 0 when unknown */
    const char *name[2], *flag[2];
    const char *measures;     /* a JSON object, written verbatim */
    const char *detail;
    const char *linked;       /* ids, comma-separated */
    const char *parameters;   /* a JSON object, written verbatim */
    const char *sources;      /* file names, comma-separated */
    const char *sanctioned;   /* JSON array of the participants' sanctions matches, or NULL */
} aw_event_row;

/* Writes the row as one JSON object (no newline) into out and NUL-terminates it when it
 * fits. Returns the length the whole object needs, like snprintf: call again with a
 * larger buffer when the return is >= cap. Keys, in order: id, type, start, end,
 * duration_h, lat, lon, mmsi (list of integers), segment, imo (integers or null), names,
 * flags, measures (object), detail, linked (list of ids), parameters (object), sources. */
size_t aw_event_row_json(const aw_event_row *r, char *out, size_t cap);

/* Event i of ev as aw_event_row_json() prints it (identity at the time from t, the
 * parameters p or the defaults, sources from source_names as above). Same return. */
size_t aw_event_json(const aw_events *ev, size_t i, const aw_tracks *t, const aw_event_params *p,
                     const char *const *source_names, size_t nsources, char *out, size_t cap);

#endif
