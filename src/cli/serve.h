/* serve.h — the parts of `aiswatch serve` (serve.c: HTTP, files, the command; serve_api.c:
 * the JSON API), kept apart so the API knows nothing of HTTP. */
#ifndef AW_CLI_SERVE_H
#define AW_CLI_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <sqlite3.h>

/* What the served GeoPackage holds, looked up once at start (the file is only read). */
/* The positions of one MMSI: fids first_fid..last_fid (scan writes the layer in vessel
 * order, so they are one run). */
typedef struct serve_range {
    uint32_t mmsi;
    int64_t first_fid, last_fid;
} serve_range;

typedef struct serve_file {
    const char *path, *base;
    bool events, event_tracks, positions, tracks, vessels, history, sanctions, rtree_events;
    /* Per MMSI, ascending, when the positions layer was found in vessel order at start
     * (serve_position_ranges); NULL: a vessel's track is searched for in the whole layer. */
    serve_range *ranges;
    size_t nranges;
    int64_t positions_max_fid; /* at start: a file changed under the server is noticed */
    int64_t positions_count;   /* at start, with ranges: the rows (count(*) reads them all) */
} serve_file;

/* Where each MMSI's positions are, when the positions layer holds the rows the vessels
 * layer counts, in vessel order, fids 1..N (as scan writes it): the first and the last row
 * of every vessel are looked up and must be its own, and no row may follow the last
 * vessel's. Anything else (a filtered, merged or hand-edited file) leaves f->ranges NULL,
 * and a vessel's track is then searched for in the whole layer, as before. Queries keep
 * `mmsi = ?` besides the range, so a row deleted or changed by hand later cannot be shown
 * under another vessel. -1 only when out of memory. */
int serve_position_ranges(sqlite3 *db, serve_file *f);

/* A request's query parameter by name (decoded), or NULL. */
typedef const char *(*serve_arg_fn)(void *cls, const char *key);

/* Answers GET `path` (starting with "/api/") from db, a read-only connection owned by the
 * calling thread. Returns the HTTP status and, in *body (malloc'd, the caller frees), the
 * JSON answer: the resource, or {"error": "..."} for 400 and 404. 500 with *body NULL when
 * out of memory. */
int serve_api(sqlite3 *db, const serve_file *f, const char *path, serve_arg_fn arg, void *cls, char **body,
              size_t *len);

#endif
