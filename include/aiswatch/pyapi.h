/* aiswatch/pyapi.h — flat entry points for the Python binding (python/aiswatch) and its
 * distributed scan, so that a ctypes caller never mirrors a library struct.
 *
 * Promise: options are set by name, results are read as plain arrays (zero-copy: the
 * pointers returned stay valid until the owning object is freed), as JSON text, or as
 * opaque byte blobs that only these functions read back (static reports, packed tracks).
 * Nothing here is a second implementation of a stage: decoding runs the pipeline, tracks
 * are aw_tracks_build(), events aw_detect(), output event_out and tracks_gpkg; what is
 * added is the plumbing a partitioned scan needs (tracks cut to a time window, and merged
 * back from MMSI partitions; the at-rest cells behind derived anchorages, counted per
 * partition so that a global sum reproduces aw_anchorages_derive()).
 *
 * Ownership: every object returned is freed by its own _free function; text returned
 * as char * is freed with aw_py_free(). Errors: NULL or -1 with a message in err.
 */
#ifndef AISWATCH_PYAPI_H
#define AISWATCH_PYAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/event.h"
#include "aiswatch/geo.h"
#include "aiswatch/sanctions.h"
#include "aiswatch/track.h"

void aw_py_free(void *p);

/* ---- options ------------------------------------------------------------------------ */

typedef struct aw_py_opts aw_py_opts;

aw_py_opts *aw_py_opts_new(void);
void aw_py_opts_free(aw_py_opts *o);
/* Sets one option by name; the value is text ("12", "0.5", "1", a path). Names: every
 * field of aw_event_params (encounter_distance_m, gap_min_h, …), duplicate_window_ms,
 * max_speed_kn, anchorage_min_vessels, name_min_score, threads, events, accept_bad_checksum,
 * time_from_ms, time_to_ms, columns, land, no_land, ports, anchorages, lists (a comma-separated
 * list; each call adds). 0, or -1 for an unknown name or a bad value. */
int aw_py_opts_set(aw_py_opts *o, const char *name, const char *value, char *err, size_t errcap);
/* The i-th option name, NULL past the last. */
const char *aw_py_opts_name(size_t i);

/* Geography per the options: land (given, or found from search_dir as the CLI finds it
 * from its own folder, unless no_land), and with_places: ports and anchorages files. An
 * empty aw_geo when nothing applies. */
aw_geo *aw_py_geo_load(const aw_py_opts *o, const char *search_dir, bool with_places, char *err, size_t errcap);
/* The lists of the options; NULL with err "" when none were given. */
aw_lists *aw_py_lists_load(const aw_py_opts *o, char *err, size_t errcap);
/* One identity against the lists: JSON lines of matches (aw_match_json), strongest first. */
char *aw_py_screen_query(const aw_lists *l, const aw_py_opts *o, uint32_t mmsi, uint32_t imo, const char *name,
                         const char *callsign);

/* ---- the whole scan (aw_scan, as `aiswatch scan` runs it) ------------------------------ */

typedef struct aw_py_scan aw_py_scan;

/* Reads every path, finishes, and writes gpkg_path when not NULL. Per-input problems do
 * not fail the call (they are in the summary's warnings); nothing usable read does. */
aw_py_scan *aw_py_scan_run(const aw_py_opts *o, const char *const *paths, size_t n, const char *search_dir,
                           const char *gpkg_path, bool with_positions, char *err, size_t errcap);
const aw_tracks *aw_py_scan_tracks(const aw_py_scan *s);
/* JSON: decode stats, track stats, inputs, warnings, skipped rules, seconds spent. */
char *aw_py_scan_summary_json(const aw_py_scan *s);
/* JSON lines, one per vessel / event, in the library's order. */
char *aw_py_scan_vessels_jsonl(const aw_py_scan *s);
char *aw_py_scan_events_jsonl(const aw_py_scan *s);
void aw_py_scan_free(aw_py_scan *s);

/* ---- tracks -------------------------------------------------------------------------- */

/* Columns of the kept positions: "time_ms" int64, "mmsi" uint32, "segment" uint32, "lat"
 * and "lon" double, "sog_kn" and "cog_deg" float (NAN n/a), "heading_deg" uint16 (511 n/a),
 * "nav_status" and "msg_type" uint8, "source_id" uint16. NULL for another name. */
const void *aw_py_tracks_col(const aw_tracks *t, const char *name);
size_t aw_py_tracks_rows(const aw_tracks *t);
size_t aw_py_tracks_vessels(const aw_tracks *t);
/* One JSON line per vessel (identity, first/last seen in ms, n_positions, and its
 * sanctions array from vessel_sanctions when given), and per identity history run. */
char *aw_py_vessels_jsonl(const aw_tracks *t, const char *const *vessel_sanctions);
char *aw_py_history_jsonl(const aw_tracks *t);

/* ---- decoding into columns -------------------------------------------------------------- */

enum { AW_PY_MESSAGES = 0, AW_PY_POSITIONS = 1, AW_PY_STATIC = 2 };

typedef struct aw_py_decoded aw_py_decoded;

/* Decodes one input on o's threads, in input order. Tables: AW_PY_POSITIONS (the raw
 * columns aw_tracks_build() reads, source_id = source_id), AW_PY_STATIC (static reports
 * with time, as a blob plus "mmsi" and "time_ms" columns) and, when `messages`,
 * AW_PY_MESSAGES: every message with "time_ms" int64 (INT64_MIN: none), "msg_type",
 * "repeat" uint8, "mmsi" uint32, "channel" char, "lat"/"lon" double and "sog_kn"/"cog_deg"/
 * "heading_deg" float (NAN when not available or not a position report), "nav_status" uint8
 * (15: none), "imo" uint32 (0: none), "ship_type" uint8 (0: none), "draught_m", "length_m",
 * "beam_m" float (NAN), "name" char[21], "callsign" char[8], "destination" char[21].
 * NULL and err when the input cannot be opened or recognised. */
aw_py_decoded *aw_py_decode(const char *path, const aw_py_opts *o, unsigned source_id, bool messages, char *err,
                            size_t errcap);
size_t aw_py_decoded_rows(const aw_py_decoded *d, int table);
const void *aw_py_decoded_col(const aw_py_decoded *d, int table, const char *name);
/* The static reports as one blob of aw_py_decoded_rows(d, AW_PY_STATIC) records. */
const void *aw_py_decoded_static(const aw_py_decoded *d);
size_t aw_py_static_size(void);
/* JSON: path, bytes, sha256, format, stats, read error ("" when none). */
char *aw_py_decoded_info_json(const aw_py_decoded *d);
void aw_py_decoded_free(aw_py_decoded *d);

/* ---- the parts of a partitioned scan ---------------------------------------------------- */

/* aw_tracks_build() over raw columns (AW_PY_POSITIONS layout) and a static blob. */
aw_tracks *aw_py_tracks_build(size_t n, const int64_t *time_ms, const uint32_t *mmsi, const int32_t *lat,
                              const int32_t *lon, const uint16_t *sog_dkn, const uint16_t *cog_ddeg,
                              const uint16_t *heading_deg, const uint8_t *msg_type, const uint8_t *nav_status,
                              const uint8_t *second, const uint16_t *source_id, const void *obs, size_t nobs,
                              const aw_py_opts *o, char *err, size_t errcap);
void aw_py_tracks_free(aw_tracks *t);

/* The at-rest cells aw_anchorages_derive() counts (cell_deg grid, positions under
 * 0.5 kn): distinct MMSIs per cell. Since partitions by MMSI never share an MMSI, the
 * sum over partitions is the global count. Returns the number of cells (arrays malloc'ed,
 * sorted by cell) or -1 when memory runs out. */
long aw_py_rest_cells(const aw_tracks *t, double cell_deg, int64_t **cells, uint32_t **counts);
/* Adds the anchorages of the given cells (ascending), as aw_anchorages_derive() would. */
int aw_py_geo_add_derived(aw_geo *g, const int64_t *cells, size_t n, double cell_deg);

/* aw_detect() with o's parameters. all false runs only the rules that read one MMSI's
 * whole history and no places (identity conflicts and changes, position spoofing): the
 * encounter, loitering and gap searches are turned off (their events, and the dark
 * rendezvous and draught changes built on them, are then missing). */
aw_events *aw_py_detect(const aw_tracks *t, const aw_geo *geo, const aw_py_opts *o, bool all, char *err,
                        size_t errcap);
size_t aw_py_events_count(const aw_events *e);
/* Per event: start and end (ms), type, and the start of its first linked event (INT64_MIN
 * when none). */
void aw_py_events_meta(const aw_events *e, int64_t *start, int64_t *end, int32_t *type, int64_t *first_link_start);
/* One JSON line per event, as `aiswatch events --format jsonl` prints it (sanctioned null). */
char *aw_py_events_jsonl(const aw_events *e, const aw_tracks *t, const aw_py_opts *o, const char *const *names,
                         size_t nnames);
void aw_py_events_free(aw_events *e);

/* Screening of every vessel of t (NULL when out of memory); the JSON of vessel i or NULL. */
aw_vessel_screen *aw_py_screen_tracks(const aw_lists *l, const aw_tracks *t, const aw_py_opts *o);
const char *aw_py_screen_json(const aw_vessel_screen *s, size_t i);
void aw_py_screen_free(aw_vessel_screen *s, size_t n);

/* Writes a GeoPackage (replaced): with tracks_layers the layers of aw_tracks_write_gpkg()
 * (screened and lists may be NULL), and the events (may be NULL) with their participants'
 * sanctions from vessel_sanctions (per vessel of t, may be NULL). */
int aw_py_write_gpkg(const char *path, const aw_tracks *t, const aw_events *e, const aw_vessel_screen *screened,
                     const aw_lists *lists, const char *const *vessel_sanctions, const aw_py_opts *o,
                     const char *const *names, size_t nnames, bool tracks_layers, bool with_positions, char *err,
                     size_t errcap);
int aw_py_write_inputs(const char *path, size_t n, const char *const *paths, const char *const *basenames,
                       const int64_t *bytes, const char *const *sha256, const char *const *formats, char *err,
                       size_t errcap);

/* Packs the tracks of t (with each vessel's sanctions JSON when given) that a window
 * [from, to) needs: every MMSI with a position inside, or with positions both before and
 * after; for each of its segments the positions inside plus the nearest one on each side
 * (so speeds, gaps and interpolation at the edges see the true neighbours). Identity,
 * history and first/last seen are the vessel's whole ones. INT64_MIN/INT64_MAX: all. */
void *aw_py_tracks_pack(const aw_tracks *t, const char *const *vessel_sanctions, int64_t from, int64_t to,
                        size_t *len);
/* Tracks from packs of disjoint MMSI sets, vessels in (mmsi, segment) order as
 * aw_tracks_build() orders them; *vessel_sanctions gets one string or NULL per vessel
 * (free with aw_py_strings_free). */
aw_tracks *aw_py_tracks_unpack(const void *const *packs, const size_t *lens, size_t n, char ***vessel_sanctions,
                               char *err, size_t errcap);
void aw_py_strings_free(char **v, size_t n);

#endif
