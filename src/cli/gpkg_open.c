/* gpkg_open.c — opening a GeoPackage that `aiswatch scan` wrote, for the commands that
 * read one (vessels, events): read-only, with one clear message when it is not ours. */
#include <errno.h>
#include <string.h>

#include "aiswatch/gpkg.h"
#include "cli.h"

sqlite3 *cli_open_gpkg(const char *cmd, const char *path, const char *what, const char *(*check)(sqlite3 *db),
                       int *rc) {
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        fprintf(stderr, "aiswatch %s: %s: %s\n", cmd, path, strerror(errno));
        *rc = AW_EXIT_INPUT;
        return NULL;
    }
    fclose(probe);
    sqlite3 *db = NULL;
    const char *why = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        why = db ? sqlite3_errmsg(db) : "cannot open";
    else
        why = check(db);
    if (why) {
        fprintf(stderr, "aiswatch %s: %s: not an aiswatch GeoPackage%s (%s); write one with `aiswatch scan`\n", cmd,
                path, what, why);
        sqlite3_close(db);
        *rc = AW_EXIT_INPUT;
        return NULL;
    }
    return db;
}

/* The SQL functions GeoPackage's R-tree triggers call (GDAL provides them; plain SQLite
 * does not), so that rows of a spatial table can be updated in place. */
static void st_bbox(sqlite3_context *ctx, int argc, sqlite3_value **argv, int which) {
    (void)argc;
    const void *blob = sqlite3_value_blob(argv[0]);
    int len = sqlite3_value_bytes(argv[0]);
    int32_t srs;
    double bbox[4];
    int r = blob ? aw_gpkg_geom_bbox(blob, (size_t)len, &srs, bbox) : 1;
    if (which < 0) {
        sqlite3_result_int(ctx, r != 0);
        return;
    }
    if (r != 0) sqlite3_result_null(ctx);
    else sqlite3_result_double(ctx, bbox[which]);
}
static void st_isempty(sqlite3_context *c, int n, sqlite3_value **v) { st_bbox(c, n, v, -1); }
static void st_minx(sqlite3_context *c, int n, sqlite3_value **v) { st_bbox(c, n, v, 0); }
static void st_maxx(sqlite3_context *c, int n, sqlite3_value **v) { st_bbox(c, n, v, 1); }
static void st_miny(sqlite3_context *c, int n, sqlite3_value **v) { st_bbox(c, n, v, 2); }
static void st_maxy(sqlite3_context *c, int n, sqlite3_value **v) { st_bbox(c, n, v, 3); }

void cli_gpkg_functions(sqlite3 *db) {
    static const struct {
        const char *name;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {{"ST_IsEmpty", st_isempty}, {"ST_MinX", st_minx}, {"ST_MaxX", st_maxx}, {"ST_MinY", st_miny},
               {"ST_MaxY", st_maxy}};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        sqlite3_create_function(db, fns[i].name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fns[i].fn, NULL, NULL);
}
