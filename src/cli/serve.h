/* serve.h — the parts of `aiswatch serve` (serve.c: HTTP, files, the command; serve_api.c:
 * the JSON API), kept apart so the API knows nothing of HTTP. */
#ifndef AW_CLI_SERVE_H
#define AW_CLI_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

/* What the served GeoPackage holds, looked up once at start (the file is only read). */
typedef struct serve_file {
    const char *path, *base;
    bool events, event_tracks, positions, tracks, vessels, history, sanctions, rtree_events;
} serve_file;

/* A request's query parameter by name (decoded), or NULL. */
typedef const char *(*serve_arg_fn)(void *cls, const char *key);

/* Answers GET `path` (starting with "/api/") from db, a read-only connection owned by the
 * calling thread. Returns the HTTP status and, in *body (malloc'd, the caller frees), the
 * JSON answer: the resource, or {"error": "..."} for 400 and 404. 500 with *body NULL when
 * out of memory. */
int serve_api(sqlite3 *db, const serve_file *f, const char *path, serve_arg_fn arg, void *cls, char **body,
              size_t *len);

#endif
