/* test_gpkg.c — the GeoPackage writer: what it writes is read back byte by byte with
 * SQLite (metadata tables, typed values, GeoPackage binary geometry, the R-tree index),
 * append reuses layers and refuses different ones, a new run replaces the file, and a
 * run that does not finish leaves the previous file untouched.
 *
 *   test_gpkg                              the tests (and an informative insert rate)
 *   test_gpkg --bench N [FILE]             N point rows into FILE, prints rows/s
 *   test_gpkg --fixture-vessels FILE       the `aiswatch scan` schema with a few vessels,
 *                                          for tests/test_vessels.sh
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aiswatch/gpkg.h"
#include "check.h"

static char err[512];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool file_exists(const char *p) { return access(p, F_OK) == 0; }

/* ---- reading back ------------------------------------------------------------------- */

static sqlite3 *db_open(const char *path) {
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
        exit(1);
    }
    return db;
}

static int64_t q_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    int64_t v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(db));
        return v;
    }
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -998 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static double q_real(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return v;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The first column of the first row as text ("<null>", "<none>" or "<error>"). */
static const char *q_text(sqlite3 *db, const char *sql) {
    static char buf[4096];
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(db));
        return "<error>";
    }
    if (sqlite3_step(st) != SQLITE_ROW) snprintf(buf, sizeof buf, "<none>");
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL) snprintf(buf, sizeof buf, "<null>");
    else snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* The blob of the first row, copied into buf; its length or -1. */
static int q_blob(sqlite3 *db, const char *sql, unsigned char *buf, int cap) {
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        n = sqlite3_column_bytes(st, 0);
        if (n > cap) n = cap;
        memcpy(buf, sqlite3_column_blob(st, 0), (size_t)n);
    }
    sqlite3_finalize(st);
    return n;
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double le64d(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* ---- the sample ----------------------------------------------------------------------- */

static const aw_field POS_FIELDS[] = {
    {"time", AW_FIELD_DATETIME}, {"mmsi", AW_FIELD_INTEGER}, {"sog_kn", AW_FIELD_REAL},
    {"source", AW_FIELD_TEXT},   {"day", AW_FIELD_DATE},
};
static const aw_field LINE_FIELDS[] = {{"mmsi", AW_FIELD_INTEGER}, {"n_points", AW_FIELD_INTEGER}};
static const aw_field NOTE_FIELDS[] = {{"key", AW_FIELD_TEXT}, {"value", AW_FIELD_REAL}};

#define T0_MS 1459382401000LL /* 2016-03-31T00:00:01Z */

/* Positions mmsi base+i at (lon0 + i/10, 49 + i/100); one line; one attributes row. */
static int write_sample(const char *path, bool append, int npos, int64_t mmsi_base, double lon0) {
    aw_gpkg *g = aw_gpkg_open(path, append, err, sizeof err);
    if (!g) {
        fprintf(stderr, "open: %s\n", err);
        return -1;
    }
    int pos = aw_gpkg_layer(g, "positions", AW_GEOM_POINT, POS_FIELDS, 5, err, sizeof err);
    int trk = pos >= 0 ? aw_gpkg_layer(g, "tracks", AW_GEOM_LINESTRING, LINE_FIELDS, 2, err, sizeof err) : -1;
    int note = trk >= 0 ? aw_gpkg_layer(g, "notes", AW_GEOM_NONE, NOTE_FIELDS, 2, err, sizeof err) : -1;
    if (note < 0) {
        fprintf(stderr, "layer: %s\n", err);
        aw_gpkg_close(g);
        return -1;
    }
    for (int i = 0; i < npos; i++) {
        aw_value v[5] = {AW_V_TIME_MS(T0_MS + i * 1500LL), AW_V_INT(mmsi_base + i),
                         i == 1 ? AW_V_NULL : AW_V_REAL(7.5 + i), AW_V_TEXT(i ? "rx-b" : "rx-a"),
                         AW_V_TIME_MS(T0_MS + i * 86400000LL)};
        double xy[2] = {lon0 + i / 10.0, 49.0 + i / 100.0};
        if (aw_gpkg_insert(g, pos, v, xy, 1, err, sizeof err) < 0) {
            fprintf(stderr, "insert: %s\n", err);
            aw_gpkg_close(g);
            return -1;
        }
    }
    aw_value lv[2] = {AW_V_INT(mmsi_base), AW_V_INT(3)};
    double line[6] = {lon0, 49.0, lon0 + 1.0, 48.5, lon0 + 0.5, 50.0};
    aw_value nv[2] = {AW_V_TEXT("speed_kn"), AW_V_INT(25)};
    if (aw_gpkg_insert(g, trk, lv, line, 3, err, sizeof err) < 0 ||
        aw_gpkg_insert(g, note, nv, NULL, 0, err, sizeof err) < 0 || aw_gpkg_finish(g, err, sizeof err) < 0) {
        fprintf(stderr, "write: %s\n", err);
        aw_gpkg_close(g);
        return -1;
    }
    aw_gpkg_close(g);
    return 0;
}

static void test_fresh_file(const char *path) {
    CHECK(write_sample(path, false, 3, 227000000, 1.25) == 0);
    char tmp[620];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(!file_exists(tmp));
    sqlite3 *db = db_open(path);
    CHECK_EQ_INT(q_int(db, "PRAGMA application_id"), 0x47504B47);
    CHECK_EQ_INT(q_int(db, "PRAGMA user_version"), 10300);
    CHECK_EQ_STR(q_text(db, "PRAGMA integrity_check"), "ok");
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (-1, 0, 4326)"), 3);
    CHECK_EQ_STR(q_text(db, "SELECT organization || ':' || organization_coordsys_id FROM gpkg_spatial_ref_sys"
                            " WHERE srs_id=4326"), "EPSG:4326");
    CHECK_EQ_STR(q_text(db, "SELECT data_type FROM gpkg_contents WHERE table_name='positions'"), "features");
    CHECK_EQ_STR(q_text(db, "SELECT data_type FROM gpkg_contents WHERE table_name='notes'"), "attributes");
    CHECK_EQ_INT(q_int(db, "SELECT srs_id FROM gpkg_contents WHERE table_name='tracks'"), 4326);
    CHECK_EQ_STR(q_text(db, "SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name='positions'"),
                 "POINT");
    CHECK_EQ_STR(q_text(db, "SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name='tracks'"),
                 "LINESTRING");
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM gpkg_geometry_columns WHERE table_name='notes'"), 0);
    /* Extents: positions span lon 1.25..1.45, lat 49..49.02. */
    CHECK(fabs(q_real(db, "SELECT min_x FROM gpkg_contents WHERE table_name='positions'") - 1.25) < 1e-12);
    CHECK(fabs(q_real(db, "SELECT max_x FROM gpkg_contents WHERE table_name='positions'") - 1.45) < 1e-12);
    CHECK(fabs(q_real(db, "SELECT min_y FROM gpkg_contents WHERE table_name='positions'") - 49.0) < 1e-12);
    CHECK(fabs(q_real(db, "SELECT max_y FROM gpkg_contents WHERE table_name='positions'") - 49.02) < 1e-12);
    CHECK(fabs(q_real(db, "SELECT max_y FROM gpkg_contents WHERE table_name='tracks'") - 50.0) < 1e-12);
    CHECK_EQ_INT(q_int(db, "SELECT last_change LIKE '____-__-__T__:__:__.___Z' FROM gpkg_contents"
                           " WHERE table_name='notes'"), 1);

    /* Values, with their storage classes. */
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM positions"), 3);
    CHECK_EQ_STR(q_text(db, "SELECT time FROM positions WHERE fid=1"), "2016-03-31T00:00:01.000Z");
    CHECK_EQ_STR(q_text(db, "SELECT time FROM positions WHERE fid=2"), "2016-03-31T00:00:02.500Z");
    CHECK_EQ_STR(q_text(db, "SELECT day FROM positions WHERE fid=3"), "2016-04-02");
    CHECK_EQ_INT(q_int(db, "SELECT mmsi FROM positions WHERE fid=3"), 227000002);
    CHECK_EQ_STR(q_text(db, "SELECT typeof(sog_kn) || typeof(mmsi) || typeof(time) FROM positions WHERE fid=1"),
                 "realintegertext");
    CHECK_EQ_STR(q_text(db, "SELECT sog_kn FROM positions WHERE fid=2"), "<null>");
    CHECK_EQ_STR(q_text(db, "SELECT source FROM positions WHERE fid=1"), "rx-a");
    CHECK_EQ_STR(q_text(db, "SELECT key || '=' || value FROM notes"), "speed_kn=25.0");

    /* Point geometry: GP header with envelope, little-endian WKB point. */
    unsigned char b[256];
    int n = q_blob(db, "SELECT geom FROM positions WHERE fid=2", b, sizeof b);
    CHECK_EQ_INT(n, 8 + 32 + 21);
    if (n == 61) {
        CHECK(b[0] == 'G' && b[1] == 'P');
        CHECK_EQ_INT(b[2], 0);    /* version */
        CHECK_EQ_INT(b[3], 0x03); /* envelope [minx,maxx,miny,maxy], little endian, not empty */
        CHECK_EQ_INT(le32(b + 4), 4326);
        CHECK(le64d(b + 8) == 1.35 && le64d(b + 16) == 1.35);
        CHECK(le64d(b + 24) == 49.01 && le64d(b + 32) == 49.01);
        CHECK_EQ_INT(b[40], 1);   /* WKB little endian */
        CHECK_EQ_INT(le32(b + 41), 1);
        CHECK(le64d(b + 45) == 1.35 && le64d(b + 53) == 49.01);
    }
    /* Line string: envelope of all points, WKB type 2 with its point count. */
    n = q_blob(db, "SELECT geom FROM tracks", b, sizeof b);
    CHECK_EQ_INT(n, 8 + 32 + 9 + 3 * 16);
    if (n == 97) {
        CHECK_EQ_INT(b[3], 0x03);
        CHECK(le64d(b + 8) == 1.25 && le64d(b + 16) == 2.25 && le64d(b + 24) == 48.5 && le64d(b + 32) == 50.0);
        CHECK_EQ_INT(le32(b + 41), 2);
        CHECK_EQ_INT(le32(b + 45), 3);
        CHECK(le64d(b + 49) == 1.25 && le64d(b + 57) == 49.0 && le64d(b + 81) == 1.75 && le64d(b + 89) == 50.0);
    }
    int32_t srs = 0;
    double bbox[4];
    CHECK_EQ_INT(aw_gpkg_geom_bbox(b, (size_t)n, &srs, bbox), 0);
    CHECK_EQ_INT(srs, 4326);
    CHECK(bbox[0] == 1.25 && bbox[3] == 50.0);

    /* Spatial index: registered, filled, with its triggers. */
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM gpkg_extensions WHERE extension_name='gpkg_rtree_index'"
                           " AND column_name='geom' AND scope='write-only'"
                           " AND table_name IN ('positions', 'tracks')"), 2);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_positions_geom"), 3);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_tracks_geom"), 1);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='rtree_notes_geom'"), 0);
    CHECK(fabs(q_real(db, "SELECT minx FROM rtree_positions_geom WHERE id=2") - 1.35) < 1e-5);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_positions_geom WHERE minx > 1.3 AND maxx < 1.4"), 1);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type='trigger'"
                           " AND name LIKE 'rtree_positions_geom_%'"), 6);
    CHECK_EQ_STR(q_text(db, "SELECT rtreecheck('rtree_positions_geom')"), "ok");
    CHECK_EQ_STR(q_text(db, "SELECT rtreecheck('rtree_tracks_geom')"), "ok");
    sqlite3_close(db);
}

/* Enough points for a three-level packed tree: SQLite's own check passes and a window
 * query through the index finds exactly what a scan of the table finds. */
static void test_rtree_bulk(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/rtree.gpkg", dir);
    for (int round = 0; round < 3; round++) {
        /* round 0 writes; 1 appends a few rows (index updated in place); 2 appends many (index packed anew) */
        int n = round == 0 ? 6000 : round == 1 ? 10 : 5000;
        aw_gpkg *g = aw_gpkg_open(path, round > 0, err, sizeof err);
        CHECK(g != NULL);
        if (!g) return;
        static const aw_field f[] = {{"i", AW_FIELD_INTEGER}};
        int l = aw_gpkg_layer(g, "pts", AW_GEOM_POINT, f, 1, err, sizeof err);
        CHECK(l >= 0);
        uint64_t s = 7 + (uint64_t)round;
        for (int i = 0; i < n && l >= 0; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double xy[2] = {(double)(s >> 11) / 9007199254740992.0 * 40 - 20, (double)((s >> 20) & 0xffff) / 65536.0 * 30};
            aw_value v[1] = {AW_V_INT(i)};
            if (aw_gpkg_insert(g, l, v, xy, 1, err, sizeof err) < 0) break;
        }
        CHECK_EQ_INT(aw_gpkg_finish(g, err, sizeof err), 0);
        aw_gpkg_close(g);
        sqlite3 *db = db_open(path);
        int64_t total = round == 0 ? 6000 : round == 1 ? 6010 : 11010;
        CHECK_EQ_STR(q_text(db, "SELECT rtreecheck('rtree_pts_geom')"), "ok");
        CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_pts_geom"), total);
        CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_pts_geom_rowid"), total);
        CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_pts_geom WHERE minx >= -3 AND maxx <= 4.5 AND miny >= 10"
                               " AND maxy <= 12"),
                     q_int(db, "SELECT count(*) FROM pts p WHERE EXISTS (SELECT 1 FROM rtree_pts_geom r"
                               " WHERE r.id = p.fid AND r.minx >= -3 AND r.maxx <= 4.5 AND r.miny >= 10"
                               " AND r.maxy <= 12)"));
        CHECK(q_int(db, "SELECT count(*) FROM rtree_pts_geom WHERE minx >= -3 AND maxx <= 4.5 AND miny >= 10"
                        " AND maxy <= 12") > 0);
        CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name='rtree_pts_geom_insert'"), 1);
        sqlite3_close(db);
    }
}

/* Rows are written in batches (by count, and by bytes for long lines), layer by layer,
 * with rows of other layers and an index in between: every row lands once, in order,
 * with its own values, and the spatial index holds exactly the rows with a geometry. */
static void test_batches(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/batches.gpkg", dir);
    aw_gpkg *g = aw_gpkg_open(path, false, err, sizeof err);
    CHECK(g != NULL);
    if (!g) return;
    static const aw_field pf[] = {{"i", AW_FIELD_INTEGER}, {"name", AW_FIELD_TEXT}, {"t", AW_FIELD_DATETIME}};
    static const aw_field lf[] = {{"n", AW_FIELD_INTEGER}};
    static const aw_field af[] = {{"k", AW_FIELD_INTEGER}};
    int pts = aw_gpkg_layer(g, "pts", AW_GEOM_POINT, pf, 3, err, sizeof err);
    int lines = aw_gpkg_layer(g, "lines", AW_GEOM_LINESTRING, lf, 1, err, sizeof err);
    int attrs = aw_gpkg_layer(g, "attrs", AW_GEOM_NONE, af, 1, err, sizeof err);
    CHECK(pts >= 0 && lines >= 0 && attrs >= 0);
    enum { NPTS = 5000, NLINE_PTS = 40000 }; /* a line of 640 kB: two fill a batch's bytes */
    double *xy = malloc(2 * NLINE_PTS * sizeof *xy);
    CHECK(xy != NULL);
    if (!xy || pts < 0 || lines < 0 || attrs < 0) {
        free(xy);
        aw_gpkg_close(g);
        return;
    }
    for (int k = 0; k < NLINE_PTS; k++) xy[2 * k] = -10 + k * 1e-4, xy[2 * k + 1] = 50 + (k % 7) * 1e-3;
    for (int i = 0; i < NPTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "row %d", i); /* a stack string: the writer must copy it */
        aw_value v[3] = {AW_V_INT(i), AW_V_TEXT(name), AW_V_TIME_MS(1700000000000 + (int64_t)i * 1000)};
        double p[2] = {(i % 100) * 0.5, (i / 100) * 0.25};
        /* every seventh row without a place */
        CHECK_EQ_INT(aw_gpkg_insert(g, pts, v, i % 7 ? p : NULL, i % 7 ? 1 : 0, err, sizeof err), 0);
        if (i % 1000 == 3) {
            aw_value lv[1] = {AW_V_INT(i)};
            CHECK_EQ_INT(aw_gpkg_insert(g, lines, lv, xy, NLINE_PTS, err, sizeof err), 0);
        }
        aw_value av[1] = {AW_V_INT(-i)};
        CHECK_EQ_INT(aw_gpkg_insert(g, attrs, av, NULL, 0, err, sizeof err), 0);
        if (i == 3500) {
            /* The rows so far leave SQLite's cache for the hidden file; nothing is visible. */
            CHECK_EQ_INT(aw_gpkg_flush(g, err, sizeof err), 0);
            CHECK(access(path, F_OK) != 0);
        }
        if (i == 2500) {
            CHECK_EQ_INT(aw_gpkg_index(g, attrs, "k", err, sizeof err), 0);
            /* a rejected row in the middle of a batch leaves no trace */
            aw_value bad[3] = {AW_V_TEXT("x"), AW_V_TEXT("y"), AW_V_NULL};
            CHECK_EQ_INT(aw_gpkg_insert(g, pts, bad, p, 1, err, sizeof err), -1);
        }
    }
    CHECK_EQ_INT(aw_gpkg_rows(g, pts), NPTS);
    CHECK_EQ_INT(aw_gpkg_finish(g, err, sizeof err), 0);
    aw_gpkg_close(g);
    free(xy);

    sqlite3 *db = db_open(path);
    CHECK_EQ_STR(q_text(db, "PRAGMA integrity_check"), "ok");
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM pts"), NPTS);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM pts WHERE i = fid - 1 AND name = 'row ' || i"
                           " AND t = strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + i, 'unixepoch')"), NPTS);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM pts WHERE (geom IS NULL) = (i % 7 = 0)"), NPTS);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM lines"), 5);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM lines WHERE length(geom) = 8 + 32 + 9 + 16 * 40000"), 5);
    CHECK_EQ_STR(q_text(db, "SELECT group_concat(n) FROM (SELECT n FROM lines ORDER BY fid)"), "3,1003,2003,3003,4003");
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM attrs WHERE k = 1 - fid"), NPTS);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'idx_attrs_k'"), 1);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'aw_%'"), 0); /* nothing of ours left */
    CHECK_EQ_STR(q_text(db, "SELECT rtreecheck('rtree_pts_geom')"), "ok");
    CHECK_EQ_STR(q_text(db, "SELECT rtreecheck('rtree_lines_geom')"), "ok");
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_pts_geom"), NPTS - (NPTS + 6) / 7);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_pts_geom r JOIN pts p ON p.fid = r.id"
                           " WHERE r.minx <= (p.i % 100) * 0.5 AND r.maxx >= (p.i % 100) * 0.5"
                           " AND r.miny <= (p.i / 100) * 0.25 AND r.maxy >= (p.i / 100) * 0.25"),
                 NPTS - (NPTS + 6) / 7);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_lines_geom"), 5);
    sqlite3_close(db);
}

static void test_append(const char *path) {
    /* Two more positions further east; the layers are reused, fids continue. */
    CHECK(write_sample(path, true, 2, 538000000, 10.0) == 0);
    sqlite3 *db = db_open(path);
    CHECK_EQ_STR(q_text(db, "PRAGMA integrity_check"), "ok");
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM positions"), 5);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM tracks"), 2);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM notes"), 2);
    CHECK_EQ_INT(q_int(db, "SELECT mmsi FROM positions WHERE fid=4"), 538000000);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM gpkg_contents"), 3);
    CHECK(fabs(q_real(db, "SELECT min_x FROM gpkg_contents WHERE table_name='positions'") - 1.25) < 1e-12);
    CHECK(fabs(q_real(db, "SELECT max_x FROM gpkg_contents WHERE table_name='positions'") - 10.1) < 1e-12);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_positions_geom"), 5);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM rtree_positions_geom WHERE minx > 9"), 2);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM gpkg_extensions WHERE extension_name='gpkg_rtree_index'"), 2);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type='trigger'"
                           " AND name LIKE 'rtree_positions_geom_%'"), 6);
    CHECK_EQ_STR(q_text(db, "SELECT rtreecheck('rtree_positions_geom')"), "ok");
    sqlite3_close(db);

    /* A layer of the same name with other columns is refused, and the file is unchanged. */
    aw_gpkg *g = aw_gpkg_open(path, true, err, sizeof err);
    CHECK(g != NULL);
    if (g) {
        static const aw_field other[] = {{"time", AW_FIELD_DATETIME}, {"mmsi", AW_FIELD_TEXT}};
        CHECK_EQ_INT(aw_gpkg_layer(g, "positions", AW_GEOM_POINT, other, 2, err, sizeof err), -1);
        CHECK(strstr(err, "mmsi") != NULL);
        CHECK_EQ_INT(aw_gpkg_layer(g, "notes", AW_GEOM_POINT, NOTE_FIELDS, 2, err, sizeof err), -1);
        aw_gpkg_close(g);
    }
    db = db_open(path);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name='rtree_positions_geom_insert'"), 1);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM positions"), 5);
    sqlite3_close(db);
}

static void test_replace_and_abort(const char *path) {
    /* Without append the file is replaced. */
    CHECK(write_sample(path, false, 1, 111000000, -5.0) == 0);
    sqlite3 *db = db_open(path);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM positions"), 1);
    CHECK_EQ_INT(q_int(db, "SELECT mmsi FROM positions"), 111000000);
    sqlite3_close(db);

    /* A run that is abandoned, replacing or appending, leaves that file as it was. */
    for (int append = 0; append < 2; append++) {
        aw_gpkg *g = aw_gpkg_open(path, append, err, sizeof err);
        CHECK(g != NULL);
        if (!g) continue;
        int pos = aw_gpkg_layer(g, "positions", AW_GEOM_POINT, POS_FIELDS, 5, err, sizeof err);
        CHECK(pos >= 0);
        aw_value v[5] = {AW_V_NULL, AW_V_INT(999), AW_V_NULL, AW_V_NULL, AW_V_NULL};
        double xy[2] = {3, 4};
        CHECK_EQ_INT(aw_gpkg_insert(g, pos, v, xy, 1, err, sizeof err), 0);
        aw_gpkg_close(g);
        db = db_open(path);
        CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM positions"), 1);
        CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM tracks"), 1);
        sqlite3_close(db);
    }
    char tmp[620];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(!file_exists(tmp));
}

static void test_errors(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/errors.gpkg", dir);
    aw_gpkg *g = aw_gpkg_open(path, false, err, sizeof err);
    CHECK(g != NULL);
    if (!g) return;
    int pos = aw_gpkg_layer(g, "positions", AW_GEOM_POINT, POS_FIELDS, 5, err, sizeof err);
    int trk = aw_gpkg_layer(g, "tracks", AW_GEOM_LINESTRING, LINE_FIELDS, 2, err, sizeof err);
    CHECK(pos >= 0 && trk >= 0);
    CHECK_EQ_INT(aw_gpkg_layer(g, "positions", AW_GEOM_POINT, POS_FIELDS, 5, err, sizeof err), -1);
    CHECK(strstr(err, "twice") != NULL);
    CHECK_EQ_INT(aw_gpkg_layer(g, "bad name", AW_GEOM_NONE, NULL, 0, err, sizeof err), -1);
    static const aw_field fid_field[] = {{"fid", AW_FIELD_INTEGER}};
    CHECK_EQ_INT(aw_gpkg_layer(g, "x", AW_GEOM_NONE, fid_field, 1, err, sizeof err), -1);

    aw_value v[5] = {AW_V_NULL, AW_V_TEXT("227000000"), AW_V_NULL, AW_V_NULL, AW_V_NULL};
    double xy[4] = {1, 2, 3, 4};
    CHECK_EQ_INT(aw_gpkg_insert(g, pos, v, xy, 1, err, sizeof err), -1);
    CHECK(strstr(err, "mmsi") != NULL && strstr(err, "text") != NULL);
    v[1] = AW_V_INT(227000000);
    CHECK_EQ_INT(aw_gpkg_insert(g, pos, v, xy, 2, err, sizeof err), -1);
    double bad[2] = {NAN, 1};
    CHECK_EQ_INT(aw_gpkg_insert(g, pos, v, bad, 1, err, sizeof err), -1);
    aw_value lv[2] = {AW_V_INT(1), AW_V_INT(1)};
    CHECK_EQ_INT(aw_gpkg_insert(g, trk, lv, xy, 1, err, sizeof err), -1);
    CHECK_EQ_INT(aw_gpkg_insert(g, 7, lv, xy, 1, err, sizeof err), -1);
    /* Rejected rows leave the writer usable. */
    CHECK_EQ_INT(aw_gpkg_insert(g, pos, v, xy, 1, err, sizeof err), 0);
    CHECK_EQ_INT(aw_gpkg_insert(g, trk, lv, xy, 2, err, sizeof err), 0);
    CHECK_EQ_INT(aw_gpkg_rows(g, pos), 1);
    CHECK_EQ_INT(aw_gpkg_finish(g, err, sizeof err), 0);
    CHECK_EQ_INT(aw_gpkg_insert(g, pos, v, xy, 1, err, sizeof err), -1); /* after finish */
    aw_gpkg_close(g);

    /* Appending to something that is not a GeoPackage is refused and leaves it alone. */
    char junk[600];
    snprintf(junk, sizeof junk, "%s/junk.gpkg", dir);
    FILE *f = fopen(junk, "w");
    fputs("not a database at all, just text that is long enough to look like a header page\n", f);
    fclose(f);
    CHECK(aw_gpkg_open(junk, true, err, sizeof err) == NULL);
    CHECK(err[0] != 0);
    sqlite3 *plain;
    snprintf(junk, sizeof junk, "%s/plain.sqlite", dir);
    sqlite3_open(junk, &plain);
    sqlite3_exec(plain, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(plain);
    CHECK(aw_gpkg_open(junk, true, err, sizeof err) == NULL);
    CHECK(strstr(err, "not a GeoPackage") != NULL);

    /* Append to a missing file creates it. */
    snprintf(path, sizeof path, "%s/new-by-append.gpkg", dir);
    CHECK(write_sample(path, true, 2, 1, 0) == 0);
    sqlite3 *db = db_open(path);
    CHECK_EQ_INT(q_int(db, "SELECT count(*) FROM positions"), 2);
    sqlite3_close(db);
}

static void test_bbox_reader(void) {
    /* Big-endian header without envelope, big-endian WKB point: another writer's blob. */
    unsigned char b[29] = {'G', 'P', 0, 0x00, 0, 0, 0x10, 0xE6, 0, 0, 0, 0, 1};
    double x = -3.5, y = 47.25;
    uint64_t ux, uy;
    memcpy(&ux, &x, 8);
    memcpy(&uy, &y, 8);
    for (int i = 0; i < 8; i++) {
        b[13 + i] = (unsigned char)(ux >> (56 - 8 * i));
        b[21 + i] = (unsigned char)(uy >> (56 - 8 * i));
    }
    int32_t srs = 0;
    double bbox[4];
    CHECK_EQ_INT(aw_gpkg_geom_bbox(b, sizeof b, &srs, bbox), 0);
    CHECK_EQ_INT(srs, 4326);
    CHECK(bbox[0] == -3.5 && bbox[1] == -3.5 && bbox[2] == 47.25 && bbox[3] == 47.25);
    b[3] = 0x10; /* empty flag */
    CHECK_EQ_INT(aw_gpkg_geom_bbox(b, sizeof b, &srs, bbox), 1);
    CHECK_EQ_INT(aw_gpkg_geom_bbox(b, 5, &srs, bbox), -1);
    CHECK_EQ_INT(aw_gpkg_geom_bbox("XP", 2, &srs, bbox), -1);
}

/* ---- speed ---------------------------------------------------------------------------- */

static const aw_field BENCH_FIELDS[] = {
    {"time", AW_FIELD_DATETIME}, {"mmsi", AW_FIELD_INTEGER},     {"segment", AW_FIELD_INTEGER},
    {"sog_kn", AW_FIELD_REAL},   {"cog_deg", AW_FIELD_REAL},     {"heading_deg", AW_FIELD_INTEGER},
    {"nav_status", AW_FIELD_INTEGER}, {"msg_type", AW_FIELD_INTEGER}, {"source", AW_FIELD_TEXT},
};

/* Rows of the `positions` layer's shape; returns rows/s of the inserts and of the whole
 * run (with finish: the R-tree and the rename). Informative only: never a pass/fail. */
static int bench(const char *path, long n, double *insert_rate, double *total_rate) {
    double t0 = now_s();
    aw_gpkg *g = aw_gpkg_open(path, false, err, sizeof err);
    if (!g) return -1;
    int pos = aw_gpkg_layer(g, "positions", AW_GEOM_POINT, BENCH_FIELDS, 9, err, sizeof err);
    if (pos < 0) {
        aw_gpkg_close(g);
        return -1;
    }
    uint64_t s = 42;
    for (long i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        aw_value v[9] = {AW_V_TIME_MS(T0_MS + i * 100), AW_V_INT(200000000 + (int64_t)(s >> 40) % 20000),
                         AW_V_INT(0), AW_V_REAL((double)(s >> 54) / 10), AW_V_REAL((double)(s >> 52) / 11.4),
                         AW_V_INT(511), AW_V_INT(0), AW_V_INT(1), AW_V_TEXT("terrestrial")};
        double xy[2] = {-180.0 + (double)(s >> 11) / 9007199254740992.0 * 360.0,
                        -80.0 + (double)((s >> 20) & 0xfffff) / 1048576.0 * 160.0};
        if (aw_gpkg_insert(g, pos, v, xy, 1, err, sizeof err) < 0) {
            aw_gpkg_close(g);
            return -1;
        }
    }
    double t1 = now_s();
    int rc = aw_gpkg_finish(g, err, sizeof err);
    aw_gpkg_close(g);
    double t2 = now_s();
    *insert_rate = n / (t1 - t0);
    *total_rate = n / (t2 - t0);
    return rc;
}

/* ---- the `aiswatch scan` schema, for tests/test_vessels.sh ---------------------------- */

static int write_vessels_fixture(const char *path) {
    static const aw_field vessels[] = {
        {"mmsi", AW_FIELD_INTEGER},      {"segment", AW_FIELD_INTEGER},   {"name", AW_FIELD_TEXT},
        {"imo", AW_FIELD_INTEGER},       {"imo_valid", AW_FIELD_INTEGER}, {"callsign", AW_FIELD_TEXT},
        {"ship_type", AW_FIELD_INTEGER}, {"ship_type_text", AW_FIELD_TEXT}, {"length_m", AW_FIELD_REAL},
        {"beam_m", AW_FIELD_REAL},       {"draught_m", AW_FIELD_REAL},    {"destination", AW_FIELD_TEXT},
        {"flag", AW_FIELD_TEXT},         {"flag_country", AW_FIELD_TEXT}, {"n_positions", AW_FIELD_INTEGER},
        {"first_seen", AW_FIELD_DATETIME}, {"last_seen", AW_FIELD_DATETIME},
    };
    static const aw_field history[] = {
        {"mmsi", AW_FIELD_INTEGER}, {"segment", AW_FIELD_INTEGER},        {"field", AW_FIELD_TEXT},
        {"value", AW_FIELD_TEXT},   {"first_seen", AW_FIELD_DATETIME},    {"last_seen", AW_FIELD_DATETIME},
        {"n_reports", AW_FIELD_INTEGER},
    };
    static const aw_field positions[] = {
        {"time", AW_FIELD_DATETIME}, {"mmsi", AW_FIELD_INTEGER},       {"segment", AW_FIELD_INTEGER},
        {"sog_kn", AW_FIELD_REAL},   {"cog_deg", AW_FIELD_REAL},       {"heading_deg", AW_FIELD_INTEGER},
        {"nav_status", AW_FIELD_INTEGER}, {"msg_type", AW_FIELD_INTEGER}, {"source", AW_FIELD_TEXT},
    };
    static const aw_field tracks[] = {
        {"mmsi", AW_FIELD_INTEGER},        {"segment", AW_FIELD_INTEGER},   {"day", AW_FIELD_DATE},
        {"start_time", AW_FIELD_DATETIME}, {"end_time", AW_FIELD_DATETIME}, {"n_points", AW_FIELD_INTEGER},
    };
    aw_gpkg *g = aw_gpkg_open(path, false, err, sizeof err);
    if (!g) return -1;
    int pl = aw_gpkg_layer(g, "positions", AW_GEOM_POINT, positions, 9, err, sizeof err);
    int tl = pl >= 0 ? aw_gpkg_layer(g, "tracks", AW_GEOM_LINESTRING, tracks, 6, err, sizeof err) : -1;
    int vl = tl >= 0 ? aw_gpkg_layer(g, "vessels", AW_GEOM_POINT, vessels, 17, err, sizeof err) : -1;
    int hl = vl >= 0 ? aw_gpkg_layer(g, "identity_history", AW_GEOM_NONE, history, 7, err, sizeof err) : -1;
    if (hl < 0) goto fail;
    const int64_t t0 = T0_MS, h = 3600000;
    /* 1: a tanker renamed mid-run ("OCEAN STAR" -> "SEA PEARL"), and a second segment
     *    of its MMSI far away (a shared or spoofed MMSI) with no static data.
     * 2: a class B yacht with a quote and a comma in its name, no IMO, no draught. */
    const struct {
        int64_t mmsi, seg;
        const char *name;
        int64_t imo, imo_valid;
        const char *cs;
        int64_t type;
        const char *type_text;
        double len, beam, draught;
        const char *dest, *flag, *country;
        int64_t n;
        double lon, lat;
    } V[] = {
        {636012345, 0, "SEA PEARL", 9074729, 1, "D5AB7", 80, "Tanker", 182, 32, 11.6, "NAKHODKA", "LR", "Liberia",
         120, 129.5, 38.25},
        {636012345, 1, NULL, 0, 0, NULL, 0, NULL, NAN, NAN, NAN, NULL, "LR", "Liberia", 3, -70.0, 12.0},
        {235000001, 0, "MY \"WAVE\", II", 0, 0, "ZQ123", 37, "Pleasure craft", 18, 5, NAN, NULL, "GB",
         "United Kingdom", 40, -1.1, 50.7},
    };
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        aw_value v[17] = {
            AW_V_INT(V[i].mmsi),
            AW_V_INT(V[i].seg),
            V[i].name ? AW_V_TEXT(V[i].name) : AW_V_NULL,
            V[i].imo ? AW_V_INT(V[i].imo) : AW_V_NULL,
            V[i].imo ? AW_V_INT(V[i].imo_valid) : AW_V_NULL,
            V[i].cs ? AW_V_TEXT(V[i].cs) : AW_V_NULL,
            V[i].type ? AW_V_INT(V[i].type) : AW_V_NULL,
            V[i].type_text ? AW_V_TEXT(V[i].type_text) : AW_V_NULL,
            AW_V_REAL(V[i].len),
            AW_V_REAL(V[i].beam),
            AW_V_REAL(V[i].draught),
            V[i].dest ? AW_V_TEXT(V[i].dest) : AW_V_NULL,
            AW_V_TEXT(V[i].flag),
            AW_V_TEXT(V[i].country),
            AW_V_INT(V[i].n),
            AW_V_TIME_MS(t0 + (int64_t)i * h),
            AW_V_TIME_MS(t0 + (int64_t)(i + 10) * h),
        };
        double xy[2] = {V[i].lon, V[i].lat};
        if (aw_gpkg_insert(g, vl, v, xy, 1, err, sizeof err) < 0) goto fail;
        aw_value p[9] = {AW_V_TIME_MS(t0 + (int64_t)(i + 10) * h), AW_V_INT(V[i].mmsi), AW_V_INT(V[i].seg),
                         AW_V_REAL(10), AW_V_REAL(90), AW_V_INT(511), AW_V_INT(0), AW_V_INT(1), AW_V_TEXT("fixture")};
        if (aw_gpkg_insert(g, pl, p, xy, 1, err, sizeof err) < 0) goto fail;
    }
    /* Inserted out of order on purpose: `vessels` must sort by first_seen. */
    const struct {
        int64_t mmsi;
        const char *field, *value;
        int64_t first_h, last_h, n;
    } H[] = {
        {636012345, "name", "SEA PEARL", 6, 10, 4},
        {636012345, "name", "OCEAN STAR", 0, 5, 7},
        {636012345, "imo", "9074729", 0, 10, 11},
        {636012345, "callsign", "D5AB7", 0, 10, 11},
        {636012345, "draught_m", "9.2", 0, 5, 7},
        {636012345, "draught_m", "11.6", 6, 10, 4},
        {636012345, "destination", "NAKHODKA", 6, 10, 4},
        {235000001, "name", "MY \"WAVE\", II", 2, 12, 3},
    };
    for (size_t i = 0; i < sizeof H / sizeof H[0]; i++) {
        aw_value v[7] = {AW_V_INT(H[i].mmsi),         AW_V_INT(0),
                         AW_V_TEXT(H[i].field),       AW_V_TEXT(H[i].value),
                         AW_V_TIME_MS(t0 + H[i].first_h * h), AW_V_TIME_MS(t0 + H[i].last_h * h),
                         AW_V_INT(H[i].n)};
        if (aw_gpkg_insert(g, hl, v, NULL, 0, err, sizeof err) < 0) goto fail;
    }
    double line[4] = {129.0, 38.0, 129.5, 38.25};
    aw_value tv[6] = {AW_V_INT(636012345), AW_V_INT(0), AW_V_TIME_MS(t0), AW_V_TIME_MS(t0), AW_V_TIME_MS(t0 + 10 * h),
                      AW_V_INT(120)};
    if (aw_gpkg_insert(g, tl, tv, line, 2, err, sizeof err) < 0) goto fail;
    if (aw_gpkg_finish(g, err, sizeof err) < 0) goto fail;
    aw_gpkg_close(g);
    return 0;
fail:
    fprintf(stderr, "fixture: %s\n", err);
    aw_gpkg_close(g);
    return -1;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "--fixture-vessels") == 0) return write_vessels_fixture(argv[2]) == 0 ? 0 : 1;
    if (argc >= 3 && strcmp(argv[1], "--bench") == 0) {
        const char *path = argc >= 4 ? argv[3] : "bench.gpkg";
        double ins, tot;
        long n = atol(argv[2]);
        if (bench(path, n, &ins, &tot) < 0) {
            fprintf(stderr, "bench: %s\n", err);
            return 1;
        }
        printf("gpkg bench: %ld point rows (9 columns): inserts %.0f rows/s, with finish (R-tree, rename) %.0f rows/s\n",
               n, ins, tot);
        return 0;
    }

    char dir[] = "/tmp/aw_test_gpkg_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/run.gpkg", dir);
    test_fresh_file(path);
    test_append(path);
    test_replace_and_abort(path);
    test_errors(dir);
    test_rtree_bulk(dir);
    test_batches(dir);
    test_bbox_reader();

    snprintf(path, sizeof path, "%s/fixture.gpkg", dir);
    CHECK(write_vessels_fixture(path) == 0);

    double ins = 0, tot = 0;
    snprintf(path, sizeof path, "%s/bench.gpkg", dir);
    CHECK(bench(path, 200000, &ins, &tot) == 0);
    printf("info: 200000 point rows: inserts %.0f rows/s, with finish %.0f rows/s (not a pass/fail check)\n", ins, tot);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_report("test_gpkg");
}
