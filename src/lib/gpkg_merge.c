/* gpkg_merge.c — GeoPackages of one run joined into one (see aiswatch/gpkg_merge.h).
 *
 * Each source is read with SQLite (read-only) and its rows go through aw_gpkg_insert(),
 * so the merged file gets what the writer gives every file: the GeoPackage metadata,
 * extents and spatial indexes packed in bulk at the end. Geometry blobs are decoded
 * back to coordinates (GeoPackage header, then WKB in either byte order). */
#include "aiswatch/gpkg_merge.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aiswatch/gpkg.h"

#define MAX_COLS 64
#define MAX_LAYERS 64

typedef struct mlayer {
    char *name;
    aw_geom_kind kind;
    aw_field fields[MAX_COLS];
    char *names[MAX_COLS];
    size_t nfields;
    int handle;
    char *index_cols[8];
    size_t nindex;
} mlayer;

static aw_field_type type_of(const char *decl) {
    if (!decl) return AW_FIELD_TEXT;
    if (!strcasecmp(decl, "INTEGER")) return AW_FIELD_INTEGER;
    if (!strcasecmp(decl, "REAL") || !strcasecmp(decl, "DOUBLE")) return AW_FIELD_REAL;
    if (!strcasecmp(decl, "DATETIME")) return AW_FIELD_DATETIME;
    if (!strcasecmp(decl, "DATE")) return AW_FIELD_DATE;
    return AW_FIELD_TEXT;
}

static double rd_double(const unsigned char *p, bool le) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = le ? p[i] : p[7 - i];
    double d;
    memcpy(&d, b, 8);
    return d;
}

static uint32_t rd_u32(const unsigned char *p, bool le) {
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

long aw_gpkg_geom_points(const void *blob, size_t len, double **xy, size_t *cap) {
    static const size_t env_bytes[8] = {0, 32, 48, 48, 64, 0, 0, 0};
    const unsigned char *g = blob;
    if (!g || len < 8 || g[0] != 'G' || g[1] != 'P') return -1;
    uint8_t flags = g[3];
    if (flags & 0x10) return 0; /* empty */
    size_t off = 8 + env_bytes[(flags >> 1) & 7];
    if (len < off + 5) return -1;
    const unsigned char *w = g + off;
    bool le = w[0] == 1;
    uint32_t type = rd_u32(w + 1, le);
    size_t n, at;
    if (type == 1) n = 1, at = 5;
    else if (type == 2 && len >= off + 9) n = rd_u32(w + 5, le), at = 9;
    else return -1;
    if (n > (len - off - at) / 16) return -1;
    if (2 * n > *cap) {
        size_t c = 2 * n * 2;
        double *p = realloc(*xy, c * sizeof *p);
        if (!p) return -1;
        *xy = p;
        *cap = c;
    }
    for (size_t i = 0; i < n; i++) {
        (*xy)[2 * i] = rd_double(w + at + 16 * i, le);
        (*xy)[2 * i + 1] = rd_double(w + at + 16 * i + 8, le);
    }
    return (long)n;
}

static void layer_free(mlayer *L) {
    free(L->name);
    for (size_t i = 0; i < L->nfields; i++) free(L->names[i]);
    for (size_t i = 0; i < L->nindex; i++) free(L->index_cols[i]);
}

/* Reads a source layer's declaration; 0 or -1. */
static int read_layer(sqlite3 *db, const char *name, const char *data_type, mlayer *L, char *err, size_t errcap) {
    memset(L, 0, sizeof *L);
    L->handle = -1;
    L->name = strdup(name);
    L->kind = AW_GEOM_NONE;
    if (!strcmp(data_type, "features")) {
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db, "SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name=?1", -1, &st,
                           NULL);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *g = (const char *)sqlite3_column_text(st, 0);
            L->kind = g && !strcasecmp(g, "LINESTRING") ? AW_GEOM_LINESTRING : AW_GEOM_POINT;
        }
        sqlite3_finalize(st);
    }
    char *sql = sqlite3_mprintf("PRAGMA table_info(\"%w\")", name);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return snprintf(err, errcap, "%s: %s", name, sqlite3_errmsg(db)), -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 1), *decl = (const char *)sqlite3_column_text(st, 2);
        if (!col || !strcmp(col, "fid") || !strcmp(col, "geom")) continue;
        if (L->nfields == MAX_COLS) {
            sqlite3_finalize(st);
            return snprintf(err, errcap, "%s: more than %d columns", name, MAX_COLS), -1;
        }
        L->names[L->nfields] = strdup(col);
        L->fields[L->nfields] = (aw_field){L->names[L->nfields], type_of(decl)};
        L->nfields++;
    }
    sqlite3_finalize(st);
    /* Plain indexes: "CREATE INDEX name ON "t" (cols)". */
    sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=?1 AND sql NOT NULL", -1,
                       &st, NULL);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && L->nindex < 8) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        const char *a = s ? strrchr(s, '(') : NULL, *b = s ? strrchr(s, ')') : NULL;
        if (!a || !b || b <= a) continue;
        L->index_cols[L->nindex++] = strndup(a + 1, (size_t)(b - a - 1));
    }
    sqlite3_finalize(st);
    return 0;
}

static bool same_layer(const mlayer *a, const mlayer *b) {
    if (a->kind != b->kind || a->nfields != b->nfields) return false;
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->names[i], b->names[i]) || a->fields[i].type != b->fields[i].type) return false;
    return true;
}

static int copy_rows(sqlite3 *db, aw_gpkg *g, const mlayer *L, const char *src, double **xy, size_t *cap, char *err,
                     size_t errcap) {
    char *sql = sqlite3_mprintf("SELECT %s", L->kind == AW_GEOM_NONE ? "NULL" : "geom");
    for (size_t i = 0; sql && i < L->nfields; i++) sql = sqlite3_mprintf("%z, \"%w\"", sql, L->names[i]);
    if (sql) sql = sqlite3_mprintf("%z FROM \"%w\" ORDER BY fid", sql, L->name);
    if (!sql) return snprintf(err, errcap, "out of memory"), -1;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return snprintf(err, errcap, "%s: %s: %s", src, L->name, sqlite3_errmsg(db)), -1;
    aw_value v[MAX_COLS];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (size_t i = 0; i < L->nfields; i++) {
            int c = (int)i + 1;
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_INTEGER: v[i] = AW_V_INT(sqlite3_column_int64(st, c)); break;
            case SQLITE_FLOAT:
                v[i] = L->fields[i].type == AW_FIELD_INTEGER ? AW_V_INT((int64_t)sqlite3_column_double(st, c))
                                                             : AW_V_REAL(sqlite3_column_double(st, c));
                break;
            case SQLITE_NULL: v[i] = AW_V_NULL; break;
            default: v[i] = AW_V_TEXT((const char *)sqlite3_column_text(st, c));
            }
        }
        long np = 0;
        if (L->kind != AW_GEOM_NONE && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
            np = aw_gpkg_geom_points(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), xy, cap);
            if (np < 0) {
                sqlite3_finalize(st);
                return snprintf(err, errcap, "%s: %s: a geometry that is not a point or line string", src, L->name), -1;
            }
        }
        if (aw_gpkg_insert(g, L->handle, v, np ? *xy : NULL, (size_t)np, err, errcap) < 0) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return snprintf(err, errcap, "%s: %s: %s", src, L->name, sqlite3_errmsg(db)), -1;
    return 0;
}

int aw_gpkg_merge(const char *dst, const char *const *srcs, size_t nsrcs, char *err, size_t errcap) {
    aw_gpkg *g = aw_gpkg_open(dst, false, err, errcap);
    if (!g) return -1;
    mlayer layers[MAX_LAYERS];
    size_t nlayers = 0;
    double *xy = NULL;
    size_t cap = 0;
    int rc = -1;
    for (size_t s = 0; s < nsrcs; s++) {
        sqlite3 *db = NULL;
        if (sqlite3_open_v2(srcs[s], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
            snprintf(err, errcap, "%s: %s", srcs[s], db ? sqlite3_errmsg(db) : "cannot open");
            sqlite3_close(db);
            goto out;
        }
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT table_name, data_type FROM gpkg_contents ORDER BY rowid", -1, &st, NULL) !=
            SQLITE_OK) {
            snprintf(err, errcap, "%s: not a GeoPackage (%s)", srcs[s], sqlite3_errmsg(db));
            sqlite3_close(db);
            goto out;
        }
        int ok = 0;
        while (ok == 0 && sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0), *dt = (const char *)sqlite3_column_text(st, 1);
            mlayer L;
            if (read_layer(db, name, dt ? dt : "", &L, err, errcap) < 0) {
                layer_free(&L);
                ok = -1;
                break;
            }
            mlayer *M = NULL;
            for (size_t i = 0; i < nlayers; i++)
                if (!strcmp(layers[i].name, name)) M = &layers[i];
            if (M) {
                bool same = same_layer(M, &L);
                layer_free(&L);
                if (!same) {
                    snprintf(err, errcap, "%s: layer %s has other columns than in %s", srcs[s], name, srcs[0]);
                    ok = -1;
                    break;
                }
            } else {
                if (nlayers == MAX_LAYERS) {
                    layer_free(&L);
                    snprintf(err, errcap, "more than %d layers", MAX_LAYERS);
                    ok = -1;
                    break;
                }
                L.handle = aw_gpkg_layer(g, L.name, L.kind, L.fields, L.nfields, err, errcap);
                layers[nlayers++] = L;
                if (L.handle < 0) {
                    ok = -1;
                    break;
                }
                M = &layers[nlayers - 1];
            }
            ok = copy_rows(db, g, M, srcs[s], &xy, &cap, err, errcap);
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (ok < 0) goto out;
    }
    for (size_t i = 0; i < nlayers; i++)
        for (size_t k = 0; k < layers[i].nindex; k++)
            if (aw_gpkg_index(g, layers[i].handle, layers[i].index_cols[k], err, errcap) < 0) goto out;
    rc = aw_gpkg_finish(g, err, errcap);
out:
    aw_gpkg_close(g);
    for (size_t i = 0; i < nlayers; i++) layer_free(&layers[i]);
    free(xy);
    return rc;
}
