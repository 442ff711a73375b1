/* aiswatch/scan.h — the whole batch job as one object: inputs in, a GeoPackage out.
 *
 * Promise: aw_scan_add() reads one input (NMEA or a position table, told by content;
 * plain, gzip or zstd) on all cores and keeps its positions and static reports;
 * aw_scan_finish() builds tracks and identities over everything added (an MMSI split
 * across files is one track), finds events and screens vessels against the lists;
 * aw_scan_write_gpkg() writes the layers `aiswatch scan` writes (positions, tracks,
 * vessels, identity_history, sanctions_matches, inputs, events, event_tracks). The CLI,
 * the live watch and the Python binding all run scans through this object, so they
 * find the same events on the same messages.
 *
 * Ownership: geo and lists given in the options are only read (derived anchorages are
 * added to geo) and must outlive the scan. Results belong to the scan until
 * aw_scan_free(). Errors: -1 (or NULL) with a message in err; nothing is printed.
 */
#ifndef AISWATCH_SCAN_H
#define AISWATCH_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/event.h"
#include "aiswatch/geo.h"
#include "aiswatch/input.h"
#include "aiswatch/nmea.h"
#include "aiswatch/sanctions.h"
#include "aiswatch/track.h"

typedef struct aw_scan_opts {
    unsigned threads;              /* 0: every online core */
    aw_decoder_opts decoder;       /* checksum policy, prefix time zone */
    const char *columns;           /* column mapping for other CSVs (docs/formats.md), or NULL */
    aw_track_params track;
    bool events;                   /* run the detectors (default true) */
    aw_event_params event;
    aw_geo *geo;                   /* land, ports, anchorages; NULL: rules needing them skipped */
    unsigned anchorage_min_vessels; /* derive anchorages from the data (default 10; 0 off) */
    const aw_lists *lists;         /* sanctions lists to screen against, or NULL */
    aw_screen_params screen;
    /* Only positions and static reports with time in [time_from_ms, time_to_ms) are kept
     * (defaults: everything); a partition of a distributed scan reads its window. */
    int64_t time_from_ms, time_to_ms;
    /* Optional hooks, called from the thread that calls aw_scan_add(). */
    void (*progress)(void *ctx, uint64_t input_bytes, uint64_t messages); /* of the current input */
    /* When set, every line or row that could not be used, as "path:line: reason: text\n". */
    void (*reject_log)(void *ctx, const char *data, size_t len);
    void *ctx;
} aw_scan_opts;

void aw_scan_opts_default(aw_scan_opts *o);

/* What one input was: an evidence sheet cites the files by their SHA-256. */
typedef struct aw_scan_input {
    const char *path;
    bool read;              /* opened and run through the pipeline */
    uint64_t bytes;         /* raw (as stored) bytes read */
    char sha256[65];        /* "" when it was not read to its end */
    const char *format;     /* "nmea", "noaa_csv+gzip", … or NULL when not recognised */
    aw_decode_stats stats;
} aw_scan_input;

typedef struct aw_scan aw_scan;

aw_scan *aw_scan_new(const aw_scan_opts *o, char *err, size_t errcap);

/* Reads one input ("-" is stdin) to its end. Returns 0; 1 when it held no AIS message or
 * position (err says so, the input is still listed); -1 when it could not be opened or
 * recognised, or the read failed part way (what was read before is kept) or memory ran
 * out. Inputs are numbered in the order added: that is the source_id of their rows. */
int aw_scan_add(aw_scan *s, const char *path, char *err, size_t errcap);

/* Tracks, events and screening over everything added. Returns 0, or -1 (nothing usable
 * was read, or memory ran out). Call once, after the last aw_scan_add(). */
int aw_scan_finish(aw_scan *s, char *err, size_t errcap);

/* Writes the run's layers to path (replaced unless append). with_positions adds the
 * positions layer. Returns 0 or -1. */
int aw_scan_write_gpkg(aw_scan *s, const char *path, bool append, bool with_positions, char *err,
                       size_t errcap);

/* aw_scan_finish() then aw_scan_write_gpkg(), with the layers that do not depend on the
 * events (tracks, vessels, identity history, positions, inputs) written on a thread of
 * their own while the detectors run. The file is the same. */
int aw_scan_finish_gpkg(aw_scan *s, const char *path, bool append, bool with_positions, char *err,
                        size_t errcap);

/* Results; valid after aw_scan_finish() until aw_scan_free(). */
typedef struct aw_scan_result {
    const aw_tracks *tracks;
    const aw_events *events;                /* empty when events were off */
    const aw_vessel_screen *screened;       /* per tracks vessel, or NULL without lists */
    const char *const *vessel_sanctions;    /* per tracks vessel: JSON array or NULL; NULL without lists */
    aw_decode_stats decode;                 /* over all inputs */
    uint64_t untimed_static;                /* static reports without time, left out */
    uint64_t outside_window;                /* positions and static reports outside [time_from, time_to) */
    long anchorages_derived;
    const char *skipped_rules;              /* rules skipped for missing geography, or NULL */
    const aw_scan_input *inputs;
    size_t ninputs;
    const char *const *source_names;        /* base names of the inputs, by source_id */
    /* Seconds spent: reading and decoding, tracks, events (with screening). */
    double t_read, t_tracks, t_events;
    double cpu_read, cpu_tracks, cpu_events; /* CPU seconds of all threads in the same stages */
    /* aw_scan_finish_gpkg() only: the wall seconds it spent writing after the detectors
     * ended, and the CPU seconds of all the writing. */
    double t_write, cpu_write;
    /* Rows written by the last aw_scan_write_gpkg(): positions, tracks, vessels,
     * identity_history. */
    uint64_t rows_written[4];
} aw_scan_result;

void aw_scan_result_get(const aw_scan *s, aw_scan_result *out);

void aw_scan_free(aw_scan *s);

/* The `inputs` table's name for a format told by aw_table_detect() (AW_TABLE_NONE is
 * NMEA) and a compression: "nmea", "noaa_csv+gzip", … or "unknown". */
const char *aw_scan_format_name(int fmt, aw_compression comp);

#endif
