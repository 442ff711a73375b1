/* gpkg.c — the GeoPackage 1.3 writer: SQLite tables, GeoPackage binary geometry, the
 * R-tree spatial index.
 *
 * Speed comes from doing what SQLite is good at and nothing else: one connection in
 * exclusive locking mode, one transaction for the whole run, rows gathered per layer
 * (values and geometry blobs in one buffer) and written a thousand at a time by one
 * INSERT … SELECT from a virtual table over that buffer, not a statement step each,
 * and the spatial index packed once at the end from boxes kept in memory, instead of
 * a trigger per row. No step re-reads the table or sorts through temporary files, so
 * the cost of a row stays flat as a layer grows to tens of millions of rows. A fresh
 * file is written with the journal off and synchronous off: its safety comes from the
 * temporary name and the rename in aw_gpkg_finish(), not from SQLite. Appending
 * changes a file someone may care about, so there SQLite's own journal stays on (see
 * gpkg.h).
 */
#include "aiswatch/gpkg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fmt.h"

#define GPKG_APPLICATION_ID 0x47504B47 /* 'GPKG' */
#define GPKG_USER_VERSION 10300
#define GPKG_SRS_ID 4326
#define RTREE_EXT_DEF "http://www.geopackage.org/spec120/#extension_rtree"

/* One entry of the spatial index: a row's fid and its box as the rtree module stores it. */
typedef struct rt_cell {
    int64_t id;
    float box[4]; /* minx, maxx, miny, maxy */
} rt_cell;

/* Rows whose index boxes a fresh layer keeps in memory for the bulk load: 16 bytes a
 * row while inserting, 16 more for the sort at finish (32 bytes a row at the peak:
 * 2.4 GiB for the 75 M positions of a day of global AIS, which the tracks hold in
 * memory anyway at more than that a row). Beyond it, or when memory runs out, finish
 * reads the boxes back through SQLite's sorter: bounded memory, but it re-reads the
 * whole table and spills to temporary files, several times slower per row. */
#define RT_MEM_MAX_ROWS ((size_t)1 << 27)

typedef struct column {
    char *name;
    aw_field_type type;
} column;

/* A value of a row waiting in a layer's batch, as SQLite will take it. */
typedef struct cell {
    int type;                 /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_BLOB */
    union {
        int64_t i;
        double d;
        struct {
            size_t off;       /* text or blob bytes in the layer's arena */
            int len;
        } b;
    };
} cell;

/* Rows are not inserted one statement each but gathered and written by one
 * INSERT … SELECT from the aw_batch virtual table: a statement step per row (binding,
 * opening a cursor, descending the B-tree, halting) costs about as much as the insert
 * itself, 1.3 µs against 0.65 µs a row of the positions layer. A batch is written
 * when it holds BATCH_ROWS rows or BATCH_BYTES of text and geometry. */
#define BATCH_ROWS 1024
#define BATCH_BYTES ((size_t)1 << 20)

typedef struct layer {
    char *name;
    aw_geom_kind kind;
    column *cols;
    size_t ncols;
    sqlite3_stmt *insert;     /* INSERT INTO t (geom, columns…) SELECT * FROM the batch */
    size_t nvals;             /* values a row: the geometry (spatial layers) and the columns */
    cell *cells;              /* BATCH_ROWS × nvals */
    size_t pending;           /* rows in the batch */
    unsigned char *arena;     /* their text and geometry bytes */
    size_t arena_len, arena_cap;
    uint64_t flushed;         /* rows written to the table */
    double ext[4];            /* min_x, max_x, min_y, max_y of everything in the layer */
    bool has_ext;
    uint64_t rows;
    uint64_t placed;   /* rows with a geometry: the ones the spatial index holds */
    /* Index box of the row with fid first_fid + i, NaN for a row without geometry; kept
     * while the fids run on without a hole and the rows fit in RT_MEM_MAX_ROWS (see
     * finish). The fid is implied: a row costs 16 bytes, not 24. */
    float (*boxes)[4];
    size_t nboxes, boxcap;
    int64_t first_fid;
    bool boxes_dropped;       /* …they did not: finish sorts with SQLite instead */
    bool reused;              /* append mode: the table was there before this run */
    bool reused_rtree;        /* …and had its spatial index, whose insert trigger we dropped */
    int64_t old_max_fid;      /* …and its rows up to here are indexed already */
} layer;

/* The %_rowid rows (fid -> leaf node) of the index being built, which the leafmap
 * virtual table serves to one INSERT … SELECT (see rtree_bulk_load). */
typedef struct leafmap {
    const uint32_t *leaf_of; /* leaf of fid min_fid + i; 0 for a row that is not indexed */
    int64_t min_fid;
    size_t n;
} leafmap;

struct aw_gpkg {
    sqlite3 *db;
    leafmap leafmap;          /* set only while a bulk load writes %_rowid */
    char *path;
    char *tmp_path;           /* NULL when appending in place */
    bool in_tx;
    bool finished;
    bool failed;              /* an insert or finish failed: only close is allowed */
    layer *layers;
    size_t nlayers, cap;
};

static int fail(char *err, size_t errcap, const char *fmt, ...) {
    if (err && errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int db_fail(aw_gpkg *g, char *err, size_t errcap, const char *what) {
    return fail(err, errcap, "%s: %s: %s", g->tmp_path ? g->tmp_path : g->path, what, sqlite3_errmsg(g->db));
}

static int exec(aw_gpkg *g, const char *sql, char *err, size_t errcap) {
    char *msg = NULL;
    if (sqlite3_exec(g->db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    fail(err, errcap, "%s: %s (in: %.80s)", g->tmp_path ? g->tmp_path : g->path, msg ? msg : "SQLite error", sql);
    sqlite3_free(msg);
    return -1;
}

/* Runs a formatted statement; sqlite3_mprintf's %w and %q quote identifiers and
 * strings, so names never need escaping by hand. */
static int execf(aw_gpkg *g, char *err, size_t errcap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!sql) return fail(err, errcap, "out of memory");
    int rc = exec(g, sql, err, errcap);
    sqlite3_free(sql);
    return rc;
}

/* The single integer a query returns; `dflt` when it returns no row or NULL. */
static int query_int(aw_gpkg *g, int64_t *out, int64_t dflt, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!sql) return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(g->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return -1;
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ? sqlite3_column_int64(st, 0) : dflt;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static bool valid_name(const char *s) {
    if (!s || !*s || strlen(s) > 64) return false;
    if (!(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) return false;
    for (const char *p = s; *p; p++)
        if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

static const char *field_sql_type(aw_field_type t) {
    switch (t) {
    case AW_FIELD_INTEGER: return "INTEGER";
    case AW_FIELD_REAL: return "REAL";
    case AW_FIELD_TEXT: return "TEXT";
    case AW_FIELD_DATETIME: return "DATETIME";
    case AW_FIELD_DATE: return "DATE";
    }
    return "TEXT";
}

static const char *geom_sql_type(aw_geom_kind k) { return k == AW_GEOM_POINT ? "POINT" : "LINESTRING"; }

/* The float a min (max) coordinate is stored as: never above (below) the double, as
 * the rtree module rounds, so the box always contains the geometry. */
static float round_down(double d) {
    float f = (float)d;
    return (double)f > d ? nextafterf(f, -INFINITY) : f;
}
static float round_up(double d) {
    float f = (float)d;
    return (double)f < d ? nextafterf(f, INFINITY) : f;
}

/* ---- GeoPackage binary -------------------------------------------------------------- */

/* Little-endian stores that compile to plain moves on little-endian hosts and stay
 * correct elsewhere. */
static inline unsigned char *put_u32le(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
    return p + 4;
}

static inline unsigned char *put_f64le(unsigned char *p, double d) {
    uint64_t v;
    memcpy(&v, &d, 8);
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
    return p + 8;
}

static uint32_t get_u32(const unsigned char *p, bool le) {
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static double get_f64(const unsigned char *p, bool le) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[le ? i : 7 - i] << (8 * i);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* GP header (magic, version 0, flags: envelope [minx,maxx,miny,maxy], little endian),
 * srs_id, the envelope, then WKB point (type 1) or line string (type 2). */
static size_t geom_encode(unsigned char *out, aw_geom_kind kind, const double *xy, size_t n, const double env[4]) {
    unsigned char *p = out;
    *p++ = 'G';
    *p++ = 'P';
    *p++ = 0;                 /* version 1 of the format is encoded as 0 */
    *p++ = (1 << 1) | 1;      /* envelope code 1, little-endian header */
    p = put_u32le(p, GPKG_SRS_ID);
    for (int i = 0; i < 4; i++) p = put_f64le(p, env[i]);
    *p++ = 1;                 /* WKB little endian */
    if (kind == AW_GEOM_POINT) {
        p = put_u32le(p, 1);
    } else {
        p = put_u32le(p, 2);
        p = put_u32le(p, (uint32_t)n);
    }
    for (size_t i = 0; i < 2 * n; i++) p = put_f64le(p, xy[i]);
    return (size_t)(p - out);
}

int aw_gpkg_geom_bbox(const void *blob, size_t len, int32_t *srs_id, double bbox[4]) {
    const unsigned char *b = blob;
    if (!b || len < 8 || b[0] != 'G' || b[1] != 'P') return -1;
    unsigned flags = b[3];
    bool le = flags & 1;
    unsigned env = (flags >> 1) & 7;
    if (flags & 0x20) return -1; /* extended GeoPackage geometry: not ours to read */
    static const size_t env_bytes[8] = {0, 32, 48, 48, 64, 0, 0, 0};
    if (env > 4) return -1;
    if (srs_id) *srs_id = (int32_t)get_u32(b + 4, le);
    if (flags & 0x10) return 1;  /* empty */
    if (len < 8 + env_bytes[env]) return -1;
    if (env) {
        /* Every envelope starts with minx, maxx, miny, maxy; z and m follow. */
        for (int i = 0; i < 4; i++) bbox[i] = get_f64(b + 8 + 8 * i, le);
        return 0;
    }
    const unsigned char *w = b + 8;
    size_t wlen = len - 8;
    if (wlen < 5) return -1;
    bool wle = w[0] == 1;
    uint32_t type = get_u32(w + 1, wle);
    if (type == 1) {
        if (wlen < 21) return -1;
        double x = get_f64(w + 5, wle), y = get_f64(w + 13, wle);
        if (isnan(x) && isnan(y)) return 1; /* WKB's empty point */
        bbox[0] = bbox[1] = x;
        bbox[2] = bbox[3] = y;
        return 0;
    }
    if (type == 2) {
        if (wlen < 9) return -1;
        uint32_t n = get_u32(w + 5, wle);
        if (n == 0) return 1;
        if ((wlen - 9) / 16 < n) return -1;
        bbox[0] = bbox[2] = INFINITY;
        bbox[1] = bbox[3] = -INFINITY;
        for (uint32_t i = 0; i < n; i++) {
            double x = get_f64(w + 9 + 16 * i, wle), y = get_f64(w + 17 + 16 * i, wle);
            bbox[0] = fmin(bbox[0], x);
            bbox[1] = fmax(bbox[1], x);
            bbox[2] = fmin(bbox[2], y);
            bbox[3] = fmax(bbox[3], y);
        }
        return 0;
    }
    return -1;
}

/* ST_MinX/ST_MaxX/ST_MinY/ST_MaxY/ST_IsEmpty, the functions the gpkg_rtree_index
 * triggers and our bulk fill call. GDAL and SpatiaLite provide them in their own
 * connections; ours must too. The user data says which bbox member, or 4 for IsEmpty. */
static void sql_geom_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_null(ctx);
        return;
    }
    intptr_t which = (intptr_t)sqlite3_user_data(ctx);
    double bbox[4];
    int rc = aw_gpkg_geom_bbox(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), NULL, bbox);
    if (which == 4)
        sqlite3_result_int(ctx, rc == 1);
    else if (rc == 0)
        sqlite3_result_double(ctx, bbox[which]);
    else
        sqlite3_result_null(ctx);
}

static void sql_hilbert(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* aw_leafmap(id, nodeno): an eponymous virtual table over the connection's leafmap.
 * Writing %_rowid with one INSERT statement per row costs a statement step, a cursor
 * opened and a B-tree descent each (~0.7 µs a row, 5 s for 7.5 M positions); one
 * INSERT … SELECT FROM aw_leafmap keeps its cursor at the end of the table and appends. */
typedef struct lm_vtab {
    sqlite3_vtab base;
    const leafmap *map;
} lm_vtab;

typedef struct row_cursor {
    sqlite3_vtab_cursor base;
    size_t i;
} row_cursor;

static int lm_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **errmsg) {
    (void)argc, (void)argv, (void)errmsg;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id INTEGER, nodeno INTEGER)");
    if (rc != SQLITE_OK) return rc;
    lm_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v) return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->map = aux;
    *out = &v->base;
    return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *v) {
    sqlite3_free(v);
    return SQLITE_OK;
}

static int lm_best_index(sqlite3_vtab *v, sqlite3_index_info *info) {
    size_t n = ((lm_vtab *)v)->map->n;
    info->estimatedCost = (double)n;
    info->estimatedRows = (sqlite3_int64)n;
    return SQLITE_OK;
}

static int vt_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
    (void)v;
    row_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c) return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *c) {
    sqlite3_free(c);
    return SQLITE_OK;
}

static const leafmap *lm_map(sqlite3_vtab_cursor *c) { return ((lm_vtab *)c->pVtab)->map; }

static int lm_next(sqlite3_vtab_cursor *cur) {
    row_cursor *c = (row_cursor *)cur;
    const leafmap *m = lm_map(cur);
    do c->i++;
    while (c->i < m->n && !m->leaf_of[c->i]);
    return SQLITE_OK;
}

static int lm_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc, sqlite3_value **argv) {
    (void)idx, (void)idxstr, (void)argc, (void)argv;
    row_cursor *c = (row_cursor *)cur;
    const leafmap *m = lm_map(cur);
    c->i = 0;
    if (m->n && !m->leaf_of[0]) lm_next(cur);
    return SQLITE_OK;
}

static int lm_eof(sqlite3_vtab_cursor *cur) { return ((row_cursor *)cur)->i >= lm_map(cur)->n; }

static int lm_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    const leafmap *m = lm_map(cur);
    size_t i = ((row_cursor *)cur)->i;
    sqlite3_result_int64(ctx, col == 0 ? m->min_fid + (int64_t)i : (int64_t)m->leaf_of[i]);
    return SQLITE_OK;
}

static int lm_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
    *rowid = lm_map(cur)->min_fid + (int64_t)((row_cursor *)cur)->i;
    return SQLITE_OK;
}

/* xCreate NULL: eponymous only, nothing of it is ever stored in the file. */
static const sqlite3_module LEAFMAP_MODULE = {
    .xConnect = lm_connect,
    .xBestIndex = lm_best_index,
    .xDisconnect = vt_disconnect,
    .xOpen = vt_open,
    .xClose = vt_close,
    .xFilter = lm_filter,
    .xNext = lm_next,
    .xEof = lm_eof,
    .xColumn = lm_column,
    .xRowid = lm_rowid,
};

/* aw_batch(layer): the rows waiting in one layer's batch, as a table of nvals columns
 * (temp.aw_batch_N, made by prepare_insert; the module's data is the aw_gpkg handle). */
typedef struct bt_vtab {
    sqlite3_vtab base;
    aw_gpkg *g;
    size_t layer;
} bt_vtab;

static int bt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **errmsg) {
    aw_gpkg *g = aux;
    char *end = NULL;
    unsigned long li = argc == 4 ? strtoul(argv[3], &end, 10) : 0;
    /* The layer being declared is g->layers[g->nlayers], not yet counted. */
    if (argc != 4 || end == argv[3] || *end || li > g->nlayers || li >= g->cap) {
        *errmsg = sqlite3_mprintf("aw_batch: no such layer");
        return SQLITE_ERROR;
    }
    char *sql = sqlite3_mprintf("CREATE TABLE x(c0");
    for (size_t c = 1; sql && c < g->layers[li].nvals; c++) sql = sqlite3_mprintf("%z, c%llu", sql, (unsigned long long)c);
    if (sql) sql = sqlite3_mprintf("%z)", sql);
    if (!sql) return SQLITE_NOMEM;
    int rc = sqlite3_declare_vtab(db, sql);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return rc;
    bt_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v) return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->g = g;
    v->layer = li;
    *out = &v->base;
    return SQLITE_OK;
}

static const layer *bt_layer(sqlite3_vtab_cursor *c) {
    const bt_vtab *v = (const bt_vtab *)c->pVtab;
    return &v->g->layers[v->layer];
}

static int bt_best_index(sqlite3_vtab *v, sqlite3_index_info *info) {
    (void)v;
    info->estimatedCost = BATCH_ROWS;
    info->estimatedRows = BATCH_ROWS;
    return SQLITE_OK;
}

static int bt_next(sqlite3_vtab_cursor *cur) {
    ((row_cursor *)cur)->i++;
    return SQLITE_OK;
}

static int bt_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc, sqlite3_value **argv) {
    (void)idx, (void)idxstr, (void)argc, (void)argv;
    ((row_cursor *)cur)->i = 0;
    return SQLITE_OK;
}

static int bt_eof(sqlite3_vtab_cursor *cur) { return ((row_cursor *)cur)->i >= bt_layer(cur)->pending; }

static int bt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    const layer *L = bt_layer(cur);
    const cell *c = &L->cells[((row_cursor *)cur)->i * L->nvals + (size_t)col];
    switch (c->type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, c->i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, c->d); break;
    case SQLITE_TEXT: sqlite3_result_text(ctx, (const char *)L->arena + c->b.off, c->b.len, SQLITE_STATIC); break;
    case SQLITE_BLOB: sqlite3_result_blob(ctx, L->arena + c->b.off, c->b.len, SQLITE_STATIC); break;
    default: sqlite3_result_null(ctx);
    }
    return SQLITE_OK;
}

static int bt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
    *rowid = (sqlite3_int64)((row_cursor *)cur)->i;
    return SQLITE_OK;
}

/* The same function for xCreate and xConnect: a table in the temp schema, never in the file. */
static const sqlite3_module BATCH_MODULE = {
    .xCreate = bt_connect,
    .xConnect = bt_connect,
    .xBestIndex = bt_best_index,
    .xDisconnect = vt_disconnect,
    .xDestroy = vt_disconnect,
    .xOpen = vt_open,
    .xClose = vt_close,
    .xFilter = bt_filter,
    .xNext = bt_next,
    .xEof = bt_eof,
    .xColumn = bt_column,
    .xRowid = bt_rowid,
};

static int register_functions(sqlite3 *db, aw_gpkg *g) {
    if (sqlite3_create_module(db, "aw_leafmap", &LEAFMAP_MODULE, &g->leafmap) != SQLITE_OK ||
        sqlite3_create_module(db, "aw_batch", &BATCH_MODULE, g) != SQLITE_OK)
        return -1;
    static const char *names[] = {"ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY", "ST_IsEmpty"};
    for (intptr_t i = 0; i < 5; i++)
        if (sqlite3_create_function(db, names[i], 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, (void *)i, sql_geom_fn,
                                    NULL, NULL) != SQLITE_OK)
            return -1;
    return sqlite3_create_function(db, "aw_hilbert", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_hilbert, NULL,
                                   NULL) == SQLITE_OK ? 0 : -1;
}

/* ---- open ---------------------------------------------------------------------------- */

static const char *const METADATA_SQL =
    "CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys ("
    " srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,"
    " organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);"
    "CREATE TABLE IF NOT EXISTS gpkg_contents ("
    " table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,"
    " description TEXT DEFAULT '',"
    " last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
    " min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,"
    " CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));"
    "CREATE TABLE IF NOT EXISTS gpkg_geometry_columns ("
    " table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,"
    " srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,"
    " CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),"
    " CONSTRAINT uk_gc_table_name UNIQUE (table_name),"
    " CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),"
    " CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE IF NOT EXISTS gpkg_extensions ("
    " table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,"
    " scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));"
    "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES"
    " ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),"
    " ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),"
    " ('WGS 84 geodetic', 4326, 'EPSG', 4326,"
    "  'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,"
    "AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,"
    "AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],"
    "AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]',"
    "  'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');";

static char *str_dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void release(aw_gpkg *g) {
    for (size_t i = 0; i < g->nlayers; i++) {
        layer *L = &g->layers[i];
        sqlite3_finalize(L->insert);
        for (size_t c = 0; c < L->ncols; c++) free(L->cols[c].name);
        free(L->cols);
        free(L->name);
        free(L->cells);
        free(L->arena);
        free(L->boxes);
    }
    free(g->layers);
    g->layers = NULL;
    g->nlayers = 0;
    if (g->db) sqlite3_close(g->db);
    g->db = NULL;
}

/* Is the open database a GeoPackage? Older GeoPackages (1.0) said 'GP10'. */
static bool is_geopackage(aw_gpkg *g) {
    int64_t app = 0, has_contents = 0;
    if (query_int(g, &app, 0, "PRAGMA application_id") < 0) return false;
    if (query_int(g, &has_contents, 0,
                  "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='gpkg_contents'") < 0)
        return false;
    return has_contents && (app == GPKG_APPLICATION_ID || app == 0x47503130 || app == 0x47503131);
}

aw_gpkg *aw_gpkg_open(const char *path, bool append, char *err, size_t errcap) {
    if (err && errcap) err[0] = 0;
    aw_gpkg *g = calloc(1, sizeof *g);
    if (!g || !(g->path = str_dup(path))) {
        free(g);
        fail(err, errcap, "out of memory");
        return NULL;
    }
    struct stat sb;
    bool in_place = append && stat(path, &sb) == 0;
    if (append && !in_place && errno != ENOENT) {
        fail(err, errcap, "%s: %s", path, strerror(errno));
        goto fail_free;
    }
    if (in_place && !S_ISREG(sb.st_mode)) {
        fail(err, errcap, "%s: not a regular file", path);
        goto fail_free;
    }
    const char *open_path = path;
    if (!in_place) {
        size_t n = strlen(path);
        if (!(g->tmp_path = malloc(n + 5))) {
            fail(err, errcap, "out of memory");
            goto fail_free;
        }
        memcpy(g->tmp_path, path, n);
        memcpy(g->tmp_path + n, ".tmp", 5);
        /* A .tmp left by a killed run is ours to replace. */
        if (unlink(g->tmp_path) < 0 && errno != ENOENT) {
            fail(err, errcap, "%s: %s", g->tmp_path, strerror(errno));
            goto fail_free;
        }
        open_path = g->tmp_path;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (in_place ? 0 : SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(open_path, &g->db, flags, NULL) != SQLITE_OK) {
        fail(err, errcap, "%s: %s", open_path, g->db ? sqlite3_errmsg(g->db) : "cannot open");
        goto fail_close;
    }
    sqlite3_extended_result_codes(g->db, 1);
    if (register_functions(g->db, g) < 0) {
        db_fail(g, err, errcap, "registering geometry functions");
        goto fail_close;
    }
    if (in_place) {
        if (!is_geopackage(g)) {
            fail(err, errcap, "%s: not a GeoPackage (cannot append to it)", path);
            goto fail_close;
        }
        /* The journal mode the file has (rollback or WAL) stays: both survive a crash.
         * synchronous=NORMAL costs a few fsyncs per commit, and there is one commit. */
        if (exec(g, "PRAGMA synchronous=NORMAL; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-131072;"
                    "BEGIN IMMEDIATE",
                 err, errcap) < 0)
            goto fail_close;
        g->in_tx = true;
        if (exec(g, METADATA_SQL, err, errcap) < 0) goto fail_close;
    } else {
        /* A new file is written in rowid order (the R-trees are loaded at the end), so a
         * big page cache buys nothing and each of its pages is a fresh page fault: at 10 M
         * messages 16 MiB took 0.4 CPU-s less than 128 MiB, positions layer included. */
        if (exec(g, "PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                    "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-16384;",
                 err, errcap) < 0)
            goto fail_close;
        if (execf(g, err, errcap, "PRAGMA application_id=%d; PRAGMA user_version=%d", GPKG_APPLICATION_ID,
                  GPKG_USER_VERSION) < 0)
            goto fail_close;
        if (exec(g, "BEGIN", err, errcap) < 0) goto fail_close;
        g->in_tx = true;
        if (exec(g, METADATA_SQL, err, errcap) < 0) goto fail_close;
    }
    return g;

fail_close:
    release(g);
    if (g->tmp_path) unlink(g->tmp_path);
fail_free:
    free(g->tmp_path);
    free(g->path);
    free(g);
    return NULL;
}

/* ---- layers ------------------------------------------------------------------------- */

/* Append mode: does the existing table have exactly our columns? */
static int check_existing(aw_gpkg *g, const char *name, aw_geom_kind kind, const aw_field *fields, size_t nfields,
                          char *err, size_t errcap) {
    int64_t is_features = 0, geom_ok = 0;
    query_int(g, &is_features, 0, "SELECT data_type='features' FROM gpkg_contents WHERE lower(table_name)=lower(%Q)",
              name);
    if ((kind != AW_GEOM_NONE) != (is_features != 0))
        return fail(err, errcap, "%s: layer %s exists as %s, not %s", g->path, name,
                    is_features ? "a feature layer" : "an attributes table",
                    kind == AW_GEOM_NONE ? "an attributes table" : "a feature layer");
    if (kind != AW_GEOM_NONE) {
        query_int(g, &geom_ok, 0,
                  "SELECT count(*) FROM gpkg_geometry_columns WHERE lower(table_name)=lower(%Q) AND column_name='geom'"
                  " AND upper(geometry_type_name)=%Q AND srs_id=%d",
                  name, geom_sql_type(kind), GPKG_SRS_ID);
        if (!geom_ok)
            return fail(err, errcap, "%s: layer %s exists with another geometry column (want geom %s, EPSG:4326)",
                        g->path, name, geom_sql_type(kind));
    }
    char *sql = sqlite3_mprintf("PRAGMA table_info(\"%w\")", name);
    sqlite3_stmt *st = NULL;
    int rc = sql ? sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return db_fail(g, err, errcap, "reading the columns of an existing layer");
    size_t want = nfields + 1 + (kind != AW_GEOM_NONE), i = 0;
    int result = 0;
    while (result == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cname = (const char *)sqlite3_column_text(st, 1);
        const char *ctype = (const char *)sqlite3_column_text(st, 2);
        const char *wname, *wtype;
        if (i == 0) {
            wname = "fid", wtype = "INTEGER";
        } else if (i == 1 && kind != AW_GEOM_NONE) {
            wname = "geom", wtype = geom_sql_type(kind);
        } else if (i < want) {
            size_t f = i - 1 - (kind != AW_GEOM_NONE);
            wname = fields[f].name, wtype = field_sql_type(fields[f].type);
        } else {
            result = fail(err, errcap, "%s: layer %s has more columns than this run writes (extra: %s)", g->path,
                          name, cname ? cname : "?");
            break;
        }
        if (!cname || !ctype || strcmp(cname, wname) != 0 || sqlite3_stricmp(ctype, wtype) != 0)
            result = fail(err, errcap, "%s: layer %s column %zu is %s %s, this run writes %s %s", g->path, name,
                          i + 1, cname ? cname : "?", ctype ? ctype : "?", wname, wtype);
        i++;
    }
    sqlite3_finalize(st);
    if (result == 0 && i < want)
        result = fail(err, errcap, "%s: layer %s has %zu columns, this run writes %zu", g->path, name, i, want);
    return result;
}

static int prepare_insert(aw_gpkg *g, layer *L, char *err, size_t errcap) {
    /* INSERT INTO "t" ("geom","a","b") SELECT * FROM temp.aw_batch_N */
    L->nvals = L->ncols + (L->kind != AW_GEOM_NONE);
    if (execf(g, err, errcap, "CREATE VIRTUAL TABLE temp.aw_batch_%llu USING aw_batch(%llu)",
              (unsigned long long)g->nlayers, (unsigned long long)g->nlayers) < 0)
        return -1;
    size_t cap = 64 + strlen(L->name) * 2;
    for (size_t c = 0; c < L->ncols; c++) cap += strlen(L->cols[c].name) * 2 + 8;
    char *sql = malloc(cap), *p = sql;
    if (!sql) return fail(err, errcap, "out of memory");
    p += sprintf(p, "INSERT INTO \"%s\" (", L->name); /* names were checked: no quotes inside */
    bool first = true;
    if (L->kind != AW_GEOM_NONE) p += sprintf(p, "\"geom\""), first = false;
    for (size_t c = 0; c < L->ncols; c++, first = false) p += sprintf(p, "%s\"%s\"", first ? "" : ",", L->cols[c].name);
    sprintf(p, ") SELECT * FROM temp.aw_batch_%zu", g->nlayers);
    int rc = sqlite3_prepare_v3(g->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &L->insert, NULL);
    free(sql);
    return rc == SQLITE_OK ? 0 : db_fail(g, err, errcap, "preparing the insert");
}

int aw_gpkg_layer(aw_gpkg *g, const char *name, aw_geom_kind kind, const aw_field *fields, size_t nfields,
                  char *err, size_t errcap) {
    if (!g || g->failed || g->finished) return fail(err, errcap, "GeoPackage writer is not open for writing");
    if (!valid_name(name)) return fail(err, errcap, "layer name '%s' must be letters, digits and _", name ? name : "");
    if (kind != AW_GEOM_NONE && kind != AW_GEOM_POINT && kind != AW_GEOM_LINESTRING)
        return fail(err, errcap, "layer %s: unknown geometry kind %d", name, (int)kind);
    if (nfields && !fields) return fail(err, errcap, "layer %s: no field list", name);
    for (size_t i = 0; i < nfields; i++) {
        if (!valid_name(fields[i].name) || !sqlite3_stricmp(fields[i].name, "fid") ||
            !sqlite3_stricmp(fields[i].name, "geom"))
            return fail(err, errcap, "layer %s: field name '%s' must be letters, digits and _, not fid or geom",
                        name, fields[i].name ? fields[i].name : "");
        if (fields[i].type > AW_FIELD_DATE) return fail(err, errcap, "layer %s: field %s has an unknown type", name, fields[i].name);
        for (size_t j = 0; j < i; j++)
            if (!sqlite3_stricmp(fields[i].name, fields[j].name))
                return fail(err, errcap, "layer %s: field %s appears twice", name, fields[i].name);
    }
    for (size_t i = 0; i < g->nlayers; i++)
        if (!sqlite3_stricmp(g->layers[i].name, name))
            return fail(err, errcap, "layer %s declared twice", name);
    if (g->nlayers == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        layer *n = realloc(g->layers, cap * sizeof *n);
        if (!n) return fail(err, errcap, "out of memory");
        g->layers = n;
        g->cap = cap;
    }
    layer *L = &g->layers[g->nlayers];
    memset(L, 0, sizeof *L);
    L->kind = kind;
    L->name = str_dup(name);
    L->cols = calloc(nfields ? nfields : 1, sizeof *L->cols);
    if (!L->name || !L->cols) goto oom;
    for (size_t i = 0; i < nfields; i++, L->ncols++) {
        if (!(L->cols[i].name = str_dup(fields[i].name))) goto oom;
        L->cols[i].type = fields[i].type;
    }

    int64_t exists = 0, in_contents = 0;
    if (query_int(g, &exists, 0, "SELECT count(*) FROM sqlite_master WHERE lower(name)=lower(%Q)", name) < 0 ||
        query_int(g, &in_contents, 0, "SELECT count(*) FROM gpkg_contents WHERE lower(table_name)=lower(%Q)", name) < 0) {
        db_fail(g, err, errcap, "looking for the layer");
        goto undo;
    }
    if (exists || in_contents) {
        if (g->tmp_path) { /* a fresh file: only a name clash with the metadata tables gets here */
            fail(err, errcap, "layer name %s is taken by a GeoPackage table", name);
            goto undo;
        }
        if (!exists || !in_contents) {
            fail(err, errcap, "%s: table %s exists but is not a GeoPackage layer", g->path, name);
            goto undo;
        }
        if (check_existing(g, name, kind, fields, nfields, err, errcap) < 0) goto undo;
        L->reused = true;
        if (query_int(g, &L->old_max_fid, 0, "SELECT max(fid) FROM \"%w\"", name) < 0) {
            db_fail(g, err, errcap, "reading an existing layer");
            goto undo;
        }
        if (kind != AW_GEOM_NONE) {
            sqlite3_stmt *st = NULL;
            char *sql = sqlite3_mprintf("SELECT min_x, max_x, min_y, max_y FROM gpkg_contents WHERE table_name=%Q", name);
            if (sql && sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
                sqlite3_column_type(st, 0) != SQLITE_NULL && L->old_max_fid > 0) {
                for (int i = 0; i < 4; i++) L->ext[i] = sqlite3_column_double(st, i);
                L->has_ext = true;
            }
            sqlite3_finalize(st);
            sqlite3_free(sql);
            int64_t has_rtree = 0;
            query_int(g, &has_rtree, 0, "SELECT count(*) FROM sqlite_master WHERE name='rtree_%q_geom'", name);
            if (has_rtree) {
                /* One trigger call per appended row is slow; the rows past old_max_fid
                 * are indexed in one go by finish, which puts the trigger back. If the
                 * run fails, the rollback restores the trigger. */
                if (execf(g, err, errcap, "DROP TRIGGER IF EXISTS \"rtree_%w_geom_insert\"", name) < 0) goto undo;
                L->reused_rtree = true;
            }
        }
    } else {
        char *sql = sqlite3_mprintf("CREATE TABLE \"%w\" (fid INTEGER PRIMARY KEY NOT NULL", name);
        if (sql && kind != AW_GEOM_NONE) sql = sqlite3_mprintf("%z, geom %s", sql, geom_sql_type(kind));
        for (size_t i = 0; sql && i < nfields; i++)
            sql = sqlite3_mprintf("%z, \"%w\" %s", sql, fields[i].name, field_sql_type(fields[i].type));
        if (sql) sql = sqlite3_mprintf("%z)", sql);
        if (!sql) goto oom;
        int rc = exec(g, sql, err, errcap);
        sqlite3_free(sql);
        if (rc < 0) goto undo;
        if (kind == AW_GEOM_NONE) {
            rc = execf(g, err, errcap,
                       "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)"
                       " VALUES (%Q, 'attributes', %Q, '')",
                       name, name);
        } else {
            rc = execf(g, err, errcap,
                       "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
                       " VALUES (%Q, 'features', %Q, '', %d);"
                       "INSERT INTO gpkg_geometry_columns VALUES (%Q, 'geom', %Q, %d, 0, 0)",
                       name, name, GPKG_SRS_ID, name, geom_sql_type(kind), GPKG_SRS_ID);
        }
        if (rc < 0) goto undo;
    }
    if (prepare_insert(g, L, err, errcap) < 0) goto undo;
    return (int)g->nlayers++;

oom:
    fail(err, errcap, "out of memory");
undo:
    /* The layer is not added; what SQL ran stays in the transaction but is harmless
     * only if the caller gives up, so a failed layer fails the whole run. */
    g->failed = true;
    for (size_t c = 0; c < L->ncols; c++) free(L->cols[c].name);
    free(L->cols);
    free(L->name);
    memset(L, 0, sizeof *L);
    return -1;
}

/* ---- rows --------------------------------------------------------------------------- */

/* GeoPackage's DATETIME form, always with milliseconds: 2016-03-31T00:00:01.000Z. */
static void format_time(char out[32], int64_t ms, bool date_only) {
    char *p = fmt_iso_ms(out, ms);
    if (date_only) {
        out[10] = 0;
        return;
    }
    if (p[-5] != '.') { /* whole second: fmt_iso_ms left the fraction out */
        memcpy(p - 1, ".000Z", 5);
        p += 4;
    }
    *p = 0;
}

static const char *const KIND_NAMES[] = {"null", "integer", "real", "text", "time"};

static void drop_boxes(layer *L) {
    free(L->boxes);
    L->boxes = NULL;
    L->nboxes = L->boxcap = 0;
    L->boxes_dropped = true;
}

/* Remembers the index box of the row just added (env NULL: it has no geometry); its fid
 * is checked when the batch is written. */
static void keep_box(layer *L, const double env[4]) {
    if (L->nboxes == L->boxcap) {
        size_t cap = L->boxcap ? L->boxcap * 2 : 4096;
        float(*b)[4] = cap <= RT_MEM_MAX_ROWS ? realloc(L->boxes, cap * sizeof *b) : NULL;
        if (!b) { /* too many, or no memory: not an error, the slower path remains */
            drop_boxes(L);
            return;
        }
        L->boxes = b;
        L->boxcap = cap;
    }
    float *box = L->boxes[L->nboxes++];
    if (!env) {
        box[0] = box[1] = box[2] = box[3] = NAN;
        return;
    }
    box[0] = round_down(env[0]);
    box[1] = round_up(env[1]);
    box[2] = round_down(env[2]);
    box[3] = round_up(env[3]);
}

/* Room for `n` more bytes in the layer's arena; NULL when out of memory. */
static unsigned char *arena_reserve(layer *L, size_t n) {
    if (n > L->arena_cap - L->arena_len) {
        size_t cap = L->arena_cap ? L->arena_cap : 64 * 1024;
        while (cap - L->arena_len < n) {
            if (cap > SIZE_MAX / 2) return NULL;
            cap *= 2;
        }
        unsigned char *a = realloc(L->arena, cap);
        if (!a) return NULL;
        L->arena = a;
        L->arena_cap = cap;
    }
    return L->arena + L->arena_len;
}

/* Writes the layer's batch into its table. */
static int flush_layer(aw_gpkg *g, layer *L, char *err, size_t errcap) {
    if (!L->pending) return 0;
    int rc = sqlite3_step(L->insert);
    sqlite3_reset(L->insert);
    size_t n = L->pending;
    L->pending = 0;
    L->arena_len = 0;
    if (rc != SQLITE_DONE) {
        g->failed = true;
        return db_fail(g, err, errcap, "insert");
    }
    if (L->boxes && !L->reused) {
        /* A fresh table numbers its rows on from the largest fid, so the boxes' fids run
         * on without a hole; if they ever did not, the slower path of finish copes. */
        int64_t last = sqlite3_last_insert_rowid(g->db);
        if (L->flushed == 0) L->first_fid = last - (int64_t)n + 1;
        if (last != L->first_fid + (int64_t)(L->flushed + n) - 1) drop_boxes(L);
    }
    L->flushed += n;
    return 0;
}

static int flush_all(aw_gpkg *g, char *err, size_t errcap) {
    for (size_t i = 0; i < g->nlayers; i++)
        if (flush_layer(g, &g->layers[i], err, errcap) < 0) return -1;
    return 0;
}

int aw_gpkg_insert(aw_gpkg *g, int layer_id, const aw_value *values, const double *lonlat, size_t npoints,
                   char *err, size_t errcap) {
    if (!g || g->failed || g->finished) return fail(err, errcap, "GeoPackage writer is not open for writing");
    if (layer_id < 0 || (size_t)layer_id >= g->nlayers) return fail(err, errcap, "no layer %d", layer_id);
    layer *L = &g->layers[layer_id];
    if (!L->cells && !(L->cells = malloc(BATCH_ROWS * (L->nvals ? L->nvals : 1) * sizeof *L->cells)))
        return fail(err, errcap, "out of memory");
    cell *row = &L->cells[L->pending * L->nvals], *out = row;
    size_t row_start = L->arena_len; /* a rejected row gives its arena bytes back */
    double env[4] = {0, 0, 0, 0};
    if (L->kind != AW_GEOM_NONE && npoints == 0) {
        /* A feature without a place (a vessel known only from its static reports):
         * GeoPackage allows a NULL geometry. */
        (out++)->type = SQLITE_NULL;
    } else if (L->kind != AW_GEOM_NONE) {
        if (L->kind == AW_GEOM_POINT ? npoints != 1 : npoints < 2)
            return fail(err, errcap, "layer %s: %zu points for a %s", L->name, npoints,
                        L->kind == AW_GEOM_POINT ? "point (needs 1)" : "line string (needs 2 or more)");
        if (npoints > (SIZE_MAX - 64) / 16 || npoints > UINT32_MAX)
            return fail(err, errcap, "layer %s: too many points", L->name);
        env[0] = env[1] = lonlat[0];
        env[2] = env[3] = lonlat[1];
        for (size_t i = 0; i < npoints; i++) {
            double x = lonlat[2 * i], y = lonlat[2 * i + 1];
            if (!isfinite(x) || !isfinite(y))
                return fail(err, errcap, "layer %s: coordinate %zu is not a number", L->name, i);
            env[0] = x < env[0] ? x : env[0];
            env[1] = x > env[1] ? x : env[1];
            env[2] = y < env[2] ? y : env[2];
            env[3] = y > env[3] ? y : env[3];
        }
        size_t need = 8 + 32 + 9 + 16 * npoints;
        unsigned char *blob = need <= INT_MAX ? arena_reserve(L, need) : NULL;
        if (!blob) return fail(err, errcap, "layer %s: out of memory for a geometry of %zu points", L->name, npoints);
        size_t len = geom_encode(blob, L->kind, lonlat, npoints, env);
        *out++ = (cell){.type = SQLITE_BLOB, .b = {L->arena_len, (int)len}};
        L->arena_len += len;
    } else if (npoints) {
        return fail(err, errcap, "layer %s is an attributes table: no points", L->name);
    }
    for (size_t c = 0; c < L->ncols; c++, out++) {
        const aw_value *v = &values[c];
        column *col = &L->cols[c];
        bool ok = true;
        out->type = SQLITE_NULL;
        switch (v->kind) {
        case AW_NULL: break;
        case AW_INT:
            if (col->type == AW_FIELD_INTEGER) *out = (cell){.type = SQLITE_INTEGER, .i = v->i};
            else if (col->type == AW_FIELD_REAL) *out = (cell){.type = SQLITE_FLOAT, .d = (double)v->i};
            else ok = false;
            break;
        case AW_REAL:
            if (col->type != AW_FIELD_REAL) ok = false;
            else if (isfinite(v->d)) *out = (cell){.type = SQLITE_FLOAT, .d = v->d};
            break;
        case AW_TEXT: {
            if (col->type == AW_FIELD_INTEGER || col->type == AW_FIELD_REAL) {
                ok = false;
                break;
            }
            if (!v->s) break;
            size_t n = strlen(v->s);
            unsigned char *p = n <= INT_MAX ? arena_reserve(L, n) : NULL;
            if (!p) {
                L->arena_len = row_start;
                return fail(err, errcap, "layer %s: column %s: out of memory for %zu bytes", L->name, col->name, n);
            }
            memcpy(p, v->s, n);
            *out = (cell){.type = SQLITE_TEXT, .b = {L->arena_len, (int)n}};
            L->arena_len += n;
            break;
        }
        case AW_TIME_MS: {
            if (col->type != AW_FIELD_DATETIME && col->type != AW_FIELD_DATE) {
                ok = false;
                break;
            }
            char text[32];
            format_time(text, v->i, col->type == AW_FIELD_DATE);
            size_t n = strlen(text);
            unsigned char *p = arena_reserve(L, n);
            if (!p) {
                L->arena_len = row_start;
                return fail(err, errcap, "out of memory");
            }
            memcpy(p, text, n);
            *out = (cell){.type = SQLITE_TEXT, .b = {L->arena_len, (int)n}};
            L->arena_len += n;
            break;
        }
        default: ok = false;
        }
        if (!ok) {
            L->arena_len = row_start;
            return fail(err, errcap, "layer %s: column %s (%s) given a %s value", L->name, col->name,
                        field_sql_type(col->type), (unsigned)v->kind < 5 ? KIND_NAMES[v->kind] : "unknown");
        }
    }
    /* The row is accepted: it counts from here, and is written with its batch. */
    if (npoints) {
        if (!L->has_ext) {
            memcpy(L->ext, env, sizeof env);
            L->has_ext = true;
        } else {
            L->ext[0] = env[0] < L->ext[0] ? env[0] : L->ext[0];
            L->ext[1] = env[1] > L->ext[1] ? env[1] : L->ext[1];
            L->ext[2] = env[2] < L->ext[2] ? env[2] : L->ext[2];
            L->ext[3] = env[3] > L->ext[3] ? env[3] : L->ext[3];
        }
    }
    L->pending++;
    L->rows++;
    if (npoints) L->placed++;
    if (L->kind != AW_GEOM_NONE && !L->boxes_dropped && !L->reused) keep_box(L, npoints ? env : NULL);
    if (L->pending == BATCH_ROWS || L->arena_len >= BATCH_BYTES) return flush_layer(g, L, err, errcap);
    return 0;
}

uint64_t aw_gpkg_rows(const aw_gpkg *g, int layer_id) {
    return g && layer_id >= 0 && (size_t)layer_id < g->nlayers ? g->layers[layer_id].rows : 0;
}

/* ---- finish ------------------------------------------------------------------------- */

/* Runs SQL in which every <t> stands for the layer name. Layer names were checked to be
 * [A-Za-z0-9_], so they need no quoting beyond the double quotes in the template; the
 * template form keeps the long trigger text readable, as the specification prints it. */
static int exec_template(aw_gpkg *g, const char *tmpl, const char *t, char *err, size_t errcap) {
    size_t tl = strlen(t), n = 1;
    for (const char *p = tmpl; *p; p++) n += strncmp(p, "<t>", 3) == 0 ? tl : 1;
    char *sql = malloc(n), *o = sql;
    if (!sql) return fail(err, errcap, "out of memory");
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "<t>", 3) == 0) {
            memcpy(o, t, tl);
            o += tl;
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    int rc = exec(g, sql, err, errcap);
    free(sql);
    return rc;
}

/* The gpkg_rtree_index triggers of GeoPackage 1.3 (Annex F.3), which keep the index
 * right when other tools (QGIS, GDAL) edit the layer later. */
static const char *const RTREE_INSERT_TRIGGER =
    "CREATE TRIGGER \"rtree_<t>_geom_insert\" AFTER INSERT ON \"<t>\""
    " WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
    " INSERT OR REPLACE INTO \"rtree_<t>_geom\" VALUES (NEW.fid,"
    " ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;";

static const char *const RTREE_OTHER_TRIGGERS =
    "CREATE TRIGGER \"rtree_<t>_geom_update1\" AFTER UPDATE OF geom ON \"<t>\""
    " WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
    " INSERT OR REPLACE INTO \"rtree_<t>_geom\" VALUES (NEW.fid,"
    " ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;"
    "CREATE TRIGGER \"rtree_<t>_geom_update2\" AFTER UPDATE OF geom ON \"<t>\""
    " WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom)) BEGIN"
    " DELETE FROM \"rtree_<t>_geom\" WHERE id = OLD.fid; END;"
    "CREATE TRIGGER \"rtree_<t>_geom_update3\" AFTER UPDATE ON \"<t>\""
    " WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN"
    " DELETE FROM \"rtree_<t>_geom\" WHERE id = OLD.fid;"
    " INSERT OR REPLACE INTO \"rtree_<t>_geom\" VALUES (NEW.fid,"
    " ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;"
    "CREATE TRIGGER \"rtree_<t>_geom_update4\" AFTER UPDATE ON \"<t>\""
    " WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom)) BEGIN"
    " DELETE FROM \"rtree_<t>_geom\" WHERE id IN (OLD.fid, NEW.fid); END;"
    "CREATE TRIGGER \"rtree_<t>_geom_delete\" AFTER DELETE ON \"<t>\""
    " WHEN old.geom NOT NULL BEGIN"
    " DELETE FROM \"rtree_<t>_geom\" WHERE id = OLD.fid; END;";

/* ---- R-tree bulk load --------------------------------------------------------------
 *
 * Filling SQLite's rtree module one row at a time costs ~10 µs a row (every insert
 * rewrites its leaf and ancestors through SQL), which would make the index ten times
 * slower than the data. So the index is packed the way static R-trees are built: the
 * entries, sorted along a Hilbert curve (the boxes kept at insert time, radix-sorted in
 * memory; for an appended layer, or one beyond RT_MEM_MAX_ROWS, read back and sorted by
 * SQLite's sorter), fill leaves of the module's maximum size left to right; each
 * level above is packed the same way from the level below, and the last one written is
 * the root, node 1. The blobs follow the rtree module's documented format (rtree.c,
 * "Database Format of R-Tree Tables"): per node a 2-byte big-endian depth (root only),
 * a 2-byte cell count, then cells of an 8-byte big-endian id and four big-endian
 * float32 coordinates minx, maxx, miny, maxy; plus the %_rowid (entry → leaf) and
 * %_parent (node → parent) maps, %_rowid by one INSERT … SELECT from aw_leafmap. The
 * module itself keeps working on the result: later inserts, updates
 * and deletes by the triggers, and `SELECT rtreecheck(…)`, which the tests run. */

#define RTREE_MAX_CELLS 51 /* RTREE_MAXCELLS in rtree.c: no node holds more */

typedef struct rt_builder {
    aw_gpkg *g;
    sqlite3_stmt *node, *rowid, *parent;
    int node_size, max_cells;
    int64_t next_node;
    unsigned char *blob;
    uint32_t *leaf_of;  /* leaf node of fid min_fid + i, to write %_rowid in fid order */
    int64_t min_fid;
    rt_cell *up;        /* summaries of the nodes of the level being written */
    size_t nup, upcap;
} rt_builder;

static unsigned char *put_be(unsigned char *p, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--, v >>= 8) p[i] = (unsigned char)v;
    return p + bytes;
}

/* Writes one node holding cells[0..n) and records its summary in the level above. */
static int rt_write_node(rt_builder *b, int64_t nodeno, int depth, const rt_cell *cells, int n, bool leaf) {
    memset(b->blob, 0, (size_t)b->node_size);
    unsigned char *p = put_be(b->blob, (uint64_t)depth, 2);
    p = put_be(p, (uint64_t)n, 2);
    rt_cell sum = {nodeno, {INFINITY, -INFINITY, INFINITY, -INFINITY}};
    for (int i = 0; i < n; i++) {
        p = put_be(p, (uint64_t)cells[i].id, 8);
        for (int k = 0; k < 4; k++) {
            uint32_t u;
            memcpy(&u, &cells[i].box[k], 4);
            p = put_be(p, u, 4);
        }
        sum.box[0] = fminf(sum.box[0], cells[i].box[0]);
        sum.box[1] = fmaxf(sum.box[1], cells[i].box[1]);
        sum.box[2] = fminf(sum.box[2], cells[i].box[2]);
        sum.box[3] = fmaxf(sum.box[3], cells[i].box[3]);
        if (leaf && b->leaf_of) {
            b->leaf_of[cells[i].id - b->min_fid] = (uint32_t)nodeno;
            continue;
        }
        /* entry → leaf for leaves; child node → this node above them */
        sqlite3_stmt *map = leaf ? b->rowid : b->parent;
        sqlite3_bind_int64(map, 1, cells[i].id);
        sqlite3_bind_int64(map, 2, nodeno);
        int rc = sqlite3_step(map);
        sqlite3_reset(map);
        if (rc != SQLITE_DONE) return -1;
    }
    sqlite3_bind_int64(b->node, 1, nodeno);
    sqlite3_bind_blob(b->node, 2, b->blob, b->node_size, SQLITE_STATIC);
    int rc = sqlite3_step(b->node);
    sqlite3_reset(b->node);
    if (rc != SQLITE_DONE) return -1;
    if (nodeno != 1) {
        if (b->nup == b->upcap) {
            size_t cap = b->upcap ? b->upcap * 2 : 1024;
            rt_cell *u = realloc(b->up, cap * sizeof *u);
            if (!u) return -1;
            b->up = u;
            b->upcap = cap;
        }
        b->up[b->nup++] = sum;
    }
    return 0;
}

/* Position along a Hilbert curve of order 16 over the layer's extent. */
static uint32_t hilbert_key(double x, double y, const double ext[4]) {
    double w = ext[1] - ext[0], h = ext[3] - ext[2];
    /* Clamped: an entry may lie outside the extent (an envelope centre of a line across
     * the antimeridian, rows already in an appended file). */
    double fx = w > 0 ? (x - ext[0]) / w * 65535.0 : 0, fy = h > 0 ? (y - ext[2]) / h * 65535.0 : 0;
    uint32_t hx = fx > 0 ? (fx < 65535.0 ? (uint32_t)fx : 65535u) : 0;
    uint32_t hy = fy > 0 ? (fy < 65535.0 ? (uint32_t)fy : 65535u) : 0;
    uint32_t d = 0;
    for (uint32_t s = 1u << 15; s > 0; s >>= 1) {
        uint32_t rx = (hx & s) > 0, ry = (hy & s) > 0;
        d += s * s * ((3 * rx) ^ ry);
        if (!ry) {
            if (rx) {
                hx = 65535 - hx;
                hy = 65535 - hy;
            }
            uint32_t t = hx;
            hx = hy;
            hy = t;
        }
    }
    return d;
}

/* aw_hilbert(geom, min_x, max_x, min_y, max_y): the sort key of the bulk load. */
static void sql_hilbert(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    double bbox[4], ext[4];
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB ||
        aw_gpkg_geom_bbox(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), NULL, bbox) != 0) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    for (int i = 0; i < 4; i++) ext[i] = sqlite3_value_double(argv[i + 1]);
    sqlite3_result_int64(ctx, hilbert_key((bbox[0] + bbox[1]) / 2, (bbox[2] + bbox[3]) / 2, ext));
}

typedef struct rt_order {
    uint32_t key, idx;
} rt_order;

/* Sorts by key, rows of equal key in insertion order (so the tree is deterministic):
 * a least-significant-digit radix sort, stable by construction, 11 + 11 + 10 bits.
 * `tmp` has room for n. Returns the array that holds the result (a or tmp). */
static rt_order *order_sort(rt_order *a, rt_order *tmp, size_t n) {
    static const int shift[3] = {0, 11, 22};
    size_t count[3][2048] = {{0}};
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 3; d++) count[d][(a[i].key >> shift[d]) & 2047]++;
    rt_order *src = a, *dst = tmp;
    for (int d = 0; d < 3; d++) {
        if (n == 0 || count[d][(src[0].key >> shift[d]) & 2047] == n) continue; /* one digit for all: no-op */
        size_t pos = 0;
        for (int k = 0; k < 2048; k++) {
            size_t c = count[d][k];
            count[d][k] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[d][(src[i].key >> shift[d]) & 2047]++] = src[i];
        rt_order *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

static int rtree_bulk_load(aw_gpkg *g, layer *L, char *err, size_t errcap) {
    const char *t = L->name;
    rt_builder b = {.g = g, .next_node = 2};
    sqlite3_stmt *sel = NULL;
    rt_cell *level = NULL;
    int rc = -1;
    int64_t size = 0;
    if (execf(g, err, errcap, "CREATE VIRTUAL TABLE \"rtree_%w_geom\" USING rtree(id, minx, maxx, miny, maxy)", t) < 0)
        return -1;
    /* The module fixes the node size when it creates the table (from the page size);
     * every node must have the root's size. */
    if (query_int(g, &size, 0, "SELECT length(data) FROM \"rtree_%w_geom_node\" WHERE nodeno=1", t) < 0 || size < 28)
        return fail(err, errcap, "%s: rtree_%s_geom: unexpected node size %lld", g->path, t, (long long)size);
    b.node_size = (int)size;
    b.max_cells = (b.node_size - 4) / 24 < RTREE_MAX_CELLS ? (b.node_size - 4) / 24 : RTREE_MAX_CELLS;
    b.blob = malloc((size_t)b.node_size);
    level = malloc((size_t)b.max_cells * sizeof *level);
    char *q_node = sqlite3_mprintf("INSERT OR REPLACE INTO \"rtree_%w_geom_node\" VALUES (?1, ?2)", t);
    char *q_rowid = sqlite3_mprintf("INSERT INTO \"rtree_%w_geom_rowid\" (rowid, nodeno) VALUES (?1, ?2)", t);
    char *q_parent = sqlite3_mprintf("INSERT INTO \"rtree_%w_geom_parent\" VALUES (?1, ?2)", t);
    char *q_sel = sqlite3_mprintf("SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), ST_MaxY(geom) FROM \"%w\""
                                  " WHERE geom NOT NULL AND NOT ST_IsEmpty(geom)"
                                  " ORDER BY aw_hilbert(geom, ?1, ?2, ?3, ?4)",
                                  t);
    /* The entries come from memory when every row's box is there (a fresh layer that
     * stayed under RT_MEM_MAX_ROWS), else from the table through SQLite's sorter. */
    bool in_memory = L->boxes && !L->reused && L->nboxes == L->rows;
    rt_order *order = NULL;
    size_t nplaced = 0;
    if (in_memory) {
        rt_order *tmp = NULL;
        if ((order = malloc((L->placed ? L->placed : 1) * sizeof *order)) != NULL &&
            (tmp = malloc((L->placed ? L->placed : 1) * sizeof *tmp)) != NULL) {
            for (size_t i = 0; i < L->nboxes && nplaced < L->placed; i++) {
                const float *bx = L->boxes[i];
                if (isnan(bx[0])) continue; /* a row without geometry */
                order[nplaced].key = hilbert_key(((double)bx[0] + bx[1]) / 2, ((double)bx[2] + bx[3]) / 2, L->ext);
                order[nplaced++].idx = (uint32_t)i;
            }
            rt_order *sorted = order_sort(order, tmp, nplaced);
            free(sorted == order ? tmp : order);
            order = sorted;
        } else {
            free(order);
            order = NULL;
            in_memory = false; /* no memory for the sort: SQLite's sorter can do with less */
        }
    }
    /* %_rowid is keyed by fid: filled in Hilbert order it costs a random B-tree insert
     * per row (~1 µs); remembering each row's leaf (4 bytes a row) lets it be written
     * in key order afterwards, at append speed. Without the memory, the slow way.
     * Allocated after the sort has given its scratch array back: the peak stays at
     * 32 bytes a row (boxes and order 16 + 8, leaf_of 4, or the sort's 8 before it). */
    int64_t max_fid = 0;
    if (query_int(g, &b.min_fid, 0, "SELECT min(fid) FROM \"%w\"", t) == 0 &&
        query_int(g, &max_fid, -1, "SELECT max(fid) FROM \"%w\"", t) == 0 && max_fid >= b.min_fid &&
        max_fid - b.min_fid < (int64_t)1 << 32)
        b.leaf_of = calloc((size_t)(max_fid - b.min_fid + 1), sizeof *b.leaf_of);
    bool ok = b.blob && level && q_node && q_rowid && q_parent && q_sel &&
              sqlite3_prepare_v2(g->db, q_node, -1, &b.node, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(g->db, q_rowid, -1, &b.rowid, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(g->db, q_parent, -1, &b.parent, NULL) == SQLITE_OK &&
              (in_memory || sqlite3_prepare_v2(g->db, q_sel, -1, &sel, NULL) == SQLITE_OK);
    sqlite3_free(q_node);
    sqlite3_free(q_rowid);
    sqlite3_free(q_parent);
    sqlite3_free(q_sel);
    if (!ok) {
        db_fail(g, err, errcap, "preparing the spatial index");
        goto done;
    }
    for (int i = 0; sel && i < 4; i++) sqlite3_bind_double(sel, i + 1, L->ext[i]);

    /* Leaves. A full leaf is written only when one more entry arrives, so a layer of
     * at most max_cells entries ends with its single leaf as the root. */
    int n = 0;
    bool wrote_leaf = false;
    for (size_t i = 0; in_memory && i < nplaced; i++) {
        if (n == b.max_cells) {
            if (rt_write_node(&b, b.next_node++, 0, level, n, true) < 0) goto db_error;
            wrote_leaf = true;
            n = 0;
        }
        uint32_t idx = order[i].idx;
        level[n].id = L->first_fid + idx;
        memcpy(level[n].box, L->boxes[idx], sizeof level[n].box);
        n++;
    }
    while (!in_memory && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        if (n == b.max_cells) {
            if (rt_write_node(&b, b.next_node++, 0, level, n, true) < 0) goto db_error;
            wrote_leaf = true;
            n = 0;
        }
        level[n].id = sqlite3_column_int64(sel, 0);
        level[n].box[0] = round_down(sqlite3_column_double(sel, 1));
        level[n].box[1] = round_up(sqlite3_column_double(sel, 2));
        level[n].box[2] = round_down(sqlite3_column_double(sel, 3));
        level[n].box[3] = round_up(sqlite3_column_double(sel, 4));
        n++;
    }
    if (!in_memory && rc != SQLITE_DONE) goto db_error;
    if (!wrote_leaf) {
        if (rt_write_node(&b, 1, 0, level, n, true) < 0) goto db_error;
    } else {
        if (n && rt_write_node(&b, b.next_node++, 0, level, n, true) < 0) goto db_error;
        /* Upper levels from the summaries of the level below, until one node holds all. */
        int depth = 1;
        while (b.nup > (size_t)b.max_cells) {
            rt_cell *below = b.up;
            size_t nbelow = b.nup;
            b.up = NULL;
            b.nup = b.upcap = 0;
            for (size_t i = 0; i < nbelow; i += (size_t)b.max_cells) {
                int k = nbelow - i < (size_t)b.max_cells ? (int)(nbelow - i) : b.max_cells;
                if (rt_write_node(&b, b.next_node++, depth, below + i, k, false) < 0) {
                    free(below);
                    goto db_error;
                }
            }
            free(below);
            depth++;
        }
        if (rt_write_node(&b, 1, depth, b.up, (int)b.nup, false) < 0) goto db_error;
    }
    if (b.leaf_of) {
        /* Skipped: the zeros of a deleted fid, or of a row without geometry. */
        g->leafmap = (leafmap){b.leaf_of, b.min_fid, (size_t)(max_fid - b.min_fid + 1)};
        int step = execf(g, err, errcap, "INSERT INTO \"rtree_%w_geom_rowid\" (rowid, nodeno) SELECT id, nodeno FROM aw_leafmap",
                         t);
        g->leafmap = (leafmap){NULL, 0, 0};
        if (step < 0) {
            rc = -1;
            goto done;
        }
    }
    rc = 0;
    goto done;
db_error:
    rc = db_fail(g, err, errcap, "writing the spatial index");
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(b.node);
    sqlite3_finalize(b.rowid);
    sqlite3_finalize(b.parent);
    free(order);
    free(b.blob);
    free(b.leaf_of);
    free(b.up);
    free(level);
    return rc;
}

static const char *const RTREE_REGISTER =
    "INSERT OR REPLACE INTO gpkg_extensions VALUES ('<t>', 'geom', 'gpkg_rtree_index',"
    " '" RTREE_EXT_DEF "', 'write-only');";

static int finish_layer(aw_gpkg *g, layer *L, char *err, size_t errcap) {
    const char *t = L->name;
    if (L->kind == AW_GEOM_NONE)
        return execf(g, err, errcap,
                     "UPDATE gpkg_contents SET last_change=strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ','now')"
                     " WHERE table_name=%Q",
                     t);
    /* Extents go in as bound doubles: no loss through text. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(g->db,
                           "UPDATE gpkg_contents SET last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now'),"
                           " min_x=?1, max_x=?2, min_y=?3, max_y=?4 WHERE table_name=?5",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(g, err, errcap, "updating gpkg_contents");
    for (int i = 0; i < 4; i++)
        if (L->has_ext) sqlite3_bind_double(st, i + 1, L->ext[i]);
    sqlite3_bind_text(st, 5, t, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(g, err, errcap, "updating gpkg_contents");
    if (L->reused_rtree) {
        /* A few rows more go in through the module; many more are cheaper to pack anew. */
        if ((int64_t)L->rows * 8 < L->old_max_fid) {
            if (L->rows && execf(g, err, errcap,
                                 "INSERT OR REPLACE INTO \"rtree_%w_geom\" SELECT fid, ST_MinX(geom), ST_MaxX(geom),"
                                 " ST_MinY(geom), ST_MaxY(geom) FROM \"%w\""
                                 " WHERE fid > %lld AND geom NOT NULL AND NOT ST_IsEmpty(geom)",
                                 t, t, (long long)L->old_max_fid) < 0)
                return -1;
            return exec_template(g, RTREE_INSERT_TRIGGER, t, err, errcap);
        }
        if (execf(g, err, errcap, "DROP TABLE \"rtree_%w_geom\"", t) < 0 || rtree_bulk_load(g, L, err, errcap) < 0)
            return -1;
        return exec_template(g, RTREE_INSERT_TRIGGER, t, err, errcap);
    }
    if (rtree_bulk_load(g, L, err, errcap) < 0 || exec_template(g, RTREE_REGISTER, t, err, errcap) < 0 ||
        exec_template(g, RTREE_INSERT_TRIGGER, t, err, errcap) < 0)
        return -1;
    return exec_template(g, RTREE_OTHER_TRIGGERS, t, err, errcap);
}

/* Makes the new file's bytes and its name durable before and after the rename, so a
 * power cut leaves either the old file or the whole new one. */
static int sync_path(const char *path, bool dir) {
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int aw_gpkg_flush(aw_gpkg *g, char *err, size_t errcap) {
    if (!g || g->failed || g->finished) return fail(err, errcap, "GeoPackage writer is not open for writing");
    if (flush_all(g, err, errcap) < 0) return -1;
    /* An existing file (append) keeps its rollback journal: its pages are left to the
     * commit, which journals them in one go. */
    if (!g->tmp_path) return 0;
    if (sqlite3_db_cacheflush(g->db) != SQLITE_OK) return db_fail(g, err, errcap, "writing the cache");
    if (sync_path(g->tmp_path, false) < 0) return fail(err, errcap, "%s: %s", g->tmp_path, strerror(errno));
    return 0;
}

int aw_gpkg_finish(aw_gpkg *g, char *err, size_t errcap) {
    if (!g || g->failed || g->finished) return fail(err, errcap, "GeoPackage writer is not open for writing");
    g->failed = true; /* until proven otherwise */
    if (flush_all(g, err, errcap) < 0) return -1;
    for (size_t i = 0; i < g->nlayers; i++)
        if (finish_layer(g, &g->layers[i], err, errcap) < 0) return -1;
    int64_t has_ogr_contents = 0;
    query_int(g, &has_ogr_contents, 0,
              "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='gpkg_ogr_contents'");
    for (size_t i = 0; has_ogr_contents && i < g->nlayers; i++)
        /* GDAL's cached feature count; NULL makes GDAL count again. */
        if (execf(g, err, errcap, "UPDATE gpkg_ogr_contents SET feature_count=NULL WHERE lower(table_name)=lower(%Q)",
                  g->layers[i].name) < 0)
            return -1;
    for (size_t i = 0; i < g->nlayers; i++) {
        sqlite3_finalize(g->layers[i].insert);
        g->layers[i].insert = NULL;
    }
    if (exec(g, "COMMIT", err, errcap) < 0) return -1;
    g->in_tx = false;
    if (sqlite3_close(g->db) != SQLITE_OK) return db_fail(g, err, errcap, "closing");
    g->db = NULL;
    if (g->tmp_path) {
        if (sync_path(g->tmp_path, false) < 0) return fail(err, errcap, "%s: %s", g->tmp_path, strerror(errno));
        if (rename(g->tmp_path, g->path) < 0)
            return fail(err, errcap, "renaming %s to %s: %s", g->tmp_path, g->path, strerror(errno));
        char *slash = strrchr(g->path, '/');
        if (slash) {
            *slash = 0;
            sync_path(slash == g->path ? "/" : g->path, true); /* best effort: the data is already safe */
            *slash = '/';
        } else {
            sync_path(".", true);
        }
    }
    g->finished = true;
    g->failed = false;
    return 0;
}

void aw_gpkg_close(aw_gpkg *g) {
    if (!g) return;
    if (g->db && g->in_tx) {
        for (size_t i = 0; i < g->nlayers; i++) {
            sqlite3_finalize(g->layers[i].insert);
            g->layers[i].insert = NULL;
        }
        sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
    }
    release(g);
    if (!g->finished && g->tmp_path) unlink(g->tmp_path);
    free(g->tmp_path);
    free(g->path);
    free(g);
}

int aw_gpkg_index(aw_gpkg *g, int layer_id, const char *columns, char *err, size_t errcap) {
    if (!g || g->failed || g->finished) return fail(err, errcap, "GeoPackage writer is not open for writing");
    if (layer_id < 0 || (size_t)layer_id >= g->nlayers) return fail(err, errcap, "no layer %d", layer_id);
    for (const char *c = columns; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == ',' || *c == ' '))
            return fail(err, errcap, "index columns '%s': names and commas only", columns);
    if (flush_layer(g, &g->layers[layer_id], err, errcap) < 0) return -1;
    char name[128], sql[512];
    size_t n = (size_t)snprintf(name, sizeof name, "idx_%s_%s", g->layers[layer_id].name, columns);
    for (size_t i = 0; i < n && i < sizeof name; i++)
        if (name[i] == ',' || name[i] == ' ') name[i] = '_';
    snprintf(sql, sizeof sql, "CREATE INDEX IF NOT EXISTS \"%s\" ON \"%s\" (%s)", name, g->layers[layer_id].name,
             columns);
    return exec(g, sql, err, errcap);
}
