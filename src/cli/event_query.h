/* event_query.h — reading the `events` layer, shared by `aiswatch events` and `aiswatch serve`:
 * the filters (parsed from the same text either way), one WHERE clause carrying them as
 * bound parameters, and a row turned into the library's aw_event_row so that an event
 * prints the same bytes from the command line, from the server and from the library. */
#ifndef AW_CLI_EVENT_QUERY_H
#define AW_CLI_EVENT_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "aiswatch/event.h"
#include "aiswatch/event_out.h"

typedef struct cli_event_filters {
    const char *types[AW_EV_COUNT];
    size_t ntypes;
    char since[96], until[96]; /* GeoPackage DATETIME text, "" when not given */
    bool have_bbox, have_mmsi, sanctioned;
    double w, s, e, n;         /* W > E crosses the antimeridian */
    unsigned long long mmsi;
    char q[260];               /* LIKE pattern for mmsi, imo and names; "" when not given */
} cli_event_filters;

/* ISO 8601 UTC (YYYY-MM-DD, optionally THH:MM[:SS[.fff]] and Z; a space for T) into the
 * GeoPackage's DATETIME text. False on anything else. */
bool cli_parse_iso(const char *s, char out[96]);
/* W,S,E,N in degrees into f's window. False when malformed or out of range. */
bool cli_event_parse_bbox(const char *s, cli_event_filters *f);
/* Event type names separated by commas (arg is cut up by strtok). False on an unknown one. */
bool cli_event_parse_types(char *arg, cli_event_filters *f);
/* Text to search in the events' mmsi, imo and names (case-insensitive for ASCII). False
 * when too long. */
bool cli_event_set_query(const char *text, cli_event_filters *f);

/* Columns cli_event_columns() selects, in this order; geom is last. */
enum { CLI_EC_ID, CLI_EC_TYPE, CLI_EC_START, CLI_EC_END, CLI_EC_DURATION, CLI_EC_MMSI, CLI_EC_MMSI1, CLI_EC_MMSI2,
       CLI_EC_SEG1, CLI_EC_SEG2, CLI_EC_IMO, CLI_EC_NAMES, CLI_EC_FLAGS, CLI_EC_MEASURES, CLI_EC_DETAIL, CLI_EC_LINKED,
       CLI_EC_PARAMETERS, CLI_EC_SOURCES, CLI_EC_SANCTIONED, CLI_EC_GEOM };

/* The column list of the layer as row_from_stmt reads it ("id", ..., geom), appended at sql+len. */
size_t cli_event_columns(char *sql, size_t cap, size_t len);
/* " WHERE ..." for f, appended; `rtree` when the file has rtree_events_geom. The exact
 * window test calls ST_MinX/ST_MinY: register them with cli_gpkg_functions(). */
size_t cli_event_where(const cli_event_filters *f, bool rtree, char *sql, size_t cap, size_t len);
/* Binds f's values to a statement prepared from cli_event_where()'s text. */
void cli_event_bind(sqlite3_stmt *st, const cli_event_filters *f);

/* Storage for the parts of a row that are rewritten (times, split lists). */
typedef struct cli_event_storage {
    char start[40], end[40], imo[64], names[128], flags[32];
} cli_event_storage;

/* Fills r from the current row of a statement whose first columns are
 * cli_event_columns(); r points into st and rs, valid until the next step. */
void cli_event_row(sqlite3_stmt *st, aw_event_row *r, cli_event_storage *rs);
/* The row's JSON in *buf, grown as needed; NULL when out of memory. */
const char *cli_event_json(const aw_event_row *r, char **buf, size_t *cap);
/* GeoPackage's ".000Z" on whole seconds as "Z", as every aiswatch output prints times. */
const char *cli_trim_time(const char *s, char buf[40]);

#endif
