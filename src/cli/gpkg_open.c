/* gpkg_open.c — opening a GeoPackage that `aiswatch scan` wrote, for the commands that
 * read one (vessels, events): read-only, with one clear message when it is not ours. */
#include <errno.h>
#include <string.h>

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
