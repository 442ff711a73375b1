/* events.c — `aiswatch events RUN.gpkg`: the events a scan found, filtered, as JSON lines,
 * CSV or a GeoJSON FeatureCollection.
 *
 * Reads the `events` layer (docs/geopackage.md) with one prepared statement that carries
 * every filter, so SQLite does the selecting: a window goes through the layer's R-tree
 * (`rtree_events_geom`) when the file has it, and is then checked exactly on each point
 * (the R-tree holds float32-rounded boxes). JSON lines are the library's own event JSON
 * (aw_event_row_json), so an event prints the same here as anywhere else. Memory is one
 * row at a time. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/event.h"
#include "aiswatch/event_out.h"
#include "aiswatch/gpkg.h"
#include "cli.h"

enum out_format { OUT_JSONL, OUT_CSV, OUT_GEOJSON };

typedef struct filters {
    const char *types[AW_EV_COUNT];
    size_t ntypes;
    char since[96], until[96]; /* GeoPackage DATETIME text, "" when not given */
    bool have_bbox, have_mmsi, sanctioned;
    double w, s, e, n;
    unsigned long long mmsi;
} filters;

/* Columns read, in this order; geom is read last. */
static const char *const COLS[] = {"id",       "type",     "start",  "end",   "duration_h", "mmsi",
                                   "mmsi1",    "mmsi2",    "segment1", "segment2", "imo", "names",
                                   "flags",    "measures", "detail", "linked", "parameters", "sources",
                                   "sanctioned"};
#define N_COLS (sizeof COLS / sizeof COLS[0])
enum { C_ID, C_TYPE, C_START, C_END, C_DURATION, C_MMSI, C_MMSI1, C_MMSI2, C_SEG1, C_SEG2, C_IMO, C_NAMES,
       C_FLAGS, C_MEASURES, C_DETAIL, C_LINKED, C_PARAMETERS, C_SOURCES, C_SANCTIONED, C_GEOM };

/* ---- arguments ---------------------------------------------------------------------- */

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

/* ISO 8601 UTC (YYYY-MM-DD, optionally THH:MM[:SS[.fff]] and Z; a space for T) into the
 * GeoPackage's DATETIME text, which sorts as time does: filters compare text with text. */
static bool parse_iso(const char *s, char out[96]) {
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return false;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5) return false;
        p += 1 + k;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &k) != 1 || k != 2) return false;
            p += 3;
            if (*p == '.') {
                int digits = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                    if (digits < 3) ms = ms * 10 + (*p - '0');
                if (!digits) return false;
                for (; digits < 3; digits++) ms *= 10;
            }
        }
    }
    if (*p == 'Z') p++;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59) return false;
    snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, sec, ms);
    return true;
}

static bool parse_bbox(const char *s, filters *f) {
    double v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(v[i]) || *end != (i < 3 ? ',' : '\0')) return false;
        p = end + 1;
    }
    if (fabs(v[0]) > 180 || fabs(v[2]) > 180 || fabs(v[1]) > 90 || fabs(v[3]) > 90 || v[1] > v[3]) return false;
    f->w = v[0], f->s = v[1], f->e = v[2], f->n = v[3];
    f->have_bbox = true;
    return true;
}

/* --type encounter,gap: every name known, kept as the library spells it. */
static bool parse_types(char *arg, filters *f) {
    for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
        int t = aw_event_type_parse(tok);
        if (t < 0 || f->ntypes == AW_EV_COUNT) return false;
        f->types[f->ntypes++] = aw_event_type_name((aw_event_type)t);
    }
    return f->ntypes > 0;
}

/* A window W > E crosses the antimeridian. */
static bool in_bbox(const filters *f, double lon, double lat) {
    if (lat < f->s || lat > f->n) return false;
    return f->w <= f->e ? lon >= f->w && lon <= f->e : lon >= f->w || lon <= f->e;
}

/* ---- output --------------------------------------------------------------------------- */

/* GeoPackage's ".000Z" on whole seconds printed as "Z", as every aiswatch output does. */
static const char *trim_time(const char *s, char buf[40]) {
    if (!s) return NULL;
    size_t n = strlen(s);
    if (n < 40 && n >= 5 && strcmp(s + n - 5, ".000Z") == 0) {
        memcpy(buf, s, n - 5);
        memcpy(buf + n - 5, "Z", 2);
        return buf;
    }
    return s;
}

static const char *col_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

/* Splits text at `sep` into at most two parts in buf (copied: the statement's text is
 * read-only). Missing parts stay NULL. */
static void split2(const char *s, const char *sep, char *buf, size_t cap, const char *part[2]) {
    part[0] = part[1] = NULL;
    if (!s) return;
    snprintf(buf, cap, "%s", s);
    part[0] = buf;
    char *at = strstr(buf, sep);
    if (at) {
        *at = 0;
        part[1] = at + strlen(sep);
    }
}

typedef struct row_storage {
    char start[40], end[40], imo[64], names[128], flags[32];
} row_storage;

static void row_from_stmt(sqlite3_stmt *st, aw_event_row *r, row_storage *rs, const double *lonlat) {
    memset(r, 0, sizeof *r);
    r->id = col_text(st, C_ID);
    r->type = col_text(st, C_TYPE);
    r->start = trim_time(col_text(st, C_START), rs->start);
    r->end = trim_time(col_text(st, C_END), rs->end);
    r->duration_h = sqlite3_column_type(st, C_DURATION) == SQLITE_NULL ? NAN : sqlite3_column_double(st, C_DURATION);
    r->lat = lonlat ? lonlat[1] : NAN;
    r->lon = lonlat ? lonlat[0] : NAN;
    if (sqlite3_column_type(st, C_MMSI1) != SQLITE_NULL) r->nvessels = 1;
    if (r->nvessels && sqlite3_column_type(st, C_MMSI2) != SQLITE_NULL) r->nvessels = 2;
    for (unsigned k = 0; k < r->nvessels; k++) {
        r->mmsi[k] = (uint32_t)sqlite3_column_int64(st, C_MMSI1 + (int)k);
        r->segment[k] = (uint32_t)sqlite3_column_int64(st, C_SEG1 + (int)k);
    }
    const char *part[2];
    split2(col_text(st, C_IMO), ",", rs->imo, sizeof rs->imo, part);
    for (unsigned k = 0; k < 2; k++) r->imo[k] = part[k] ? (uint32_t)strtoul(part[k], NULL, 10) : 0;
    split2(col_text(st, C_NAMES), " / ", rs->names, sizeof rs->names, r->name);
    split2(col_text(st, C_FLAGS), ",", rs->flags, sizeof rs->flags, r->flag);
    r->measures = col_text(st, C_MEASURES);
    r->detail = col_text(st, C_DETAIL);
    r->linked = col_text(st, C_LINKED);
    r->parameters = col_text(st, C_PARAMETERS);
    r->sources = col_text(st, C_SOURCES);
    r->sanctioned = col_text(st, C_SANCTIONED);
}

/* The row's JSON in buf, grown as needed; NULL when out of memory. */
static const char *row_json(const aw_event_row *r, char **buf, size_t *cap) {
    size_t need = aw_event_row_json(r, *buf, *cap);
    if (need >= *cap) {
        char *b = realloc(*buf, need + 1);
        if (!b) return NULL;
        *buf = b;
        *cap = need + 1;
        aw_event_row_json(r, *buf, *cap);
    }
    return *buf;
}

static void put_csv_field(FILE *out, const char *s) {
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void put_csv_header(FILE *out) {
    fputs("id,type,start,end,duration_h,lat,lon,mmsi,mmsi1,mmsi2,segment1,segment2,imo,names,flags,measures,"
          "detail,linked,parameters,sources,sanctioned\n",
          out);
}

/* Flat columns as stored, in the order of the header; times as in the JSON. */
static void put_csv(FILE *out, sqlite3_stmt *st, const aw_event_row *r) {
    put_csv_field(out, r->id);
    fputc(',', out);
    put_csv_field(out, r->type);
    fputc(',', out);
    put_csv_field(out, r->start);
    fputc(',', out);
    put_csv_field(out, r->end);
    fputc(',', out);
    if (isfinite(r->duration_h)) fprintf(out, "%.10g", r->duration_h);
    fputc(',', out);
    if (isfinite(r->lat) && isfinite(r->lon)) fprintf(out, "%.7f,%.7f", r->lat, r->lon);
    else fputc(',', out);
    static const int rest[] = {C_MMSI, C_MMSI1, C_MMSI2, C_SEG1, C_SEG2, C_IMO, C_NAMES, C_FLAGS,
                               C_MEASURES, C_DETAIL, C_LINKED, C_PARAMETERS, C_SOURCES, C_SANCTIONED};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
        fputc(',', out);
        if (sqlite3_column_type(st, rest[i]) == SQLITE_INTEGER)
            fprintf(out, "%lld", (long long)sqlite3_column_int64(st, rest[i]));
        else
            put_csv_field(out, col_text(st, rest[i]));
    }
    fputc('\n', out);
}

/* One RFC 7946 Feature: the event's JSON as properties, its place as a Point (or a null
 * geometry), the event id as the feature id. */
static void put_feature(FILE *out, const aw_event_row *r, const char *json, bool first) {
    fputs(first ? "\n" : ",\n", out);
    fputs("{\"type\":\"Feature\",\"id\":", out);
    /* the id is the JSON's first value: reuse its escaped form */
    const char *id = json + strlen("{\"id\":");
    const char *id_end = strstr(id, ",\"type\":");
    if (r->id && id_end) fwrite(id, 1, (size_t)(id_end - id), out);
    else fputs("null", out);
    if (isfinite(r->lat) && isfinite(r->lon))
        fprintf(out, ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}", r->lon, r->lat);
    else
        fputs(",\"geometry\":null", out);
    fputs(",\"properties\":", out);
    fputs(json, out);
    fputc('}', out);
}

/* ---- the command -------------------------------------------------------------------- */

static int64_t query_count(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Is this a GeoPackage with an events layer? NULL, or why not. */
static const char *check_file(sqlite3 *db) {
    int64_t app = query_count(db, "PRAGMA application_id");
    if (app < 0) return sqlite3_errmsg(db);
    if (app != 0x47504B47) return "no GeoPackage application_id";
    if (query_count(db, "SELECT count(*) FROM gpkg_contents WHERE table_name = 'events'") != 1)
        return "no events layer";
    return NULL;
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: aiswatch events RUN.gpkg [options]\n"
            "  the events `aiswatch scan` found, oldest first (docs/events.md)\n"
            "  --type T[,T...]     only these types: encounter, loitering, gap, dark_rendezvous, ...\n"
            "  --since ISO         only events that end at or after this time (UTC)\n"
            "  --until ISO         only events that start at or before this time (UTC)\n"
            "  --bbox W,S,E,N      only events placed in this window (degrees; W > E crosses 180)\n"
            "  --mmsi N            only events involving this MMSI\n"
            "  --sanctioned        only events with a participant on a sanctions list (scan --lists)\n"
            "  --format F          jsonl (default), csv or geojson\n");
}

int cmd_events(int argc, char **argv) {
    static const struct option longopts[] = {
        {"type", required_argument, NULL, 't'},  {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'}, {"bbox", required_argument, NULL, 'b'},
        {"mmsi", required_argument, NULL, 'm'},  {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},        {"sanctioned", no_argument, NULL, 'S'},
        {0, 0, 0, 0},
    };
    filters f = {0};
    enum out_format fmt = OUT_JSONL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (!parse_types(optarg, &f)) {
                fprintf(stderr, "aiswatch events: --type takes event types separated by commas (");
                for (int t = 0; t < AW_EV_COUNT; t++) fprintf(stderr, "%s%s", t ? ", " : "", aw_event_type_name((aw_event_type)t));
                fprintf(stderr, ")\n");
                return AW_EXIT_USAGE;
            }
            break;
        case 's':
        case 'u':
            if (!parse_iso(optarg, c == 's' ? f.since : f.until)) {
                fprintf(stderr, "aiswatch events: --%s wants an ISO 8601 UTC time such as 2016-03-31T12:00:00Z, not '%s'\n",
                        c == 's' ? "since" : "until", optarg);
                return AW_EXIT_USAGE;
            }
            break;
        case 'b':
            if (!parse_bbox(optarg, &f)) {
                fprintf(stderr, "aiswatch events: --bbox wants W,S,E,N in degrees (-180..180, -90..90, S <= N), not '%s'\n",
                        optarg);
                return AW_EXIT_USAGE;
            }
            break;
        case 'S': f.sanctioned = true; break;
        case 'm':
            if (!cli_parse_uint(optarg, &f.mmsi) || f.mmsi > 999999999) {
                fprintf(stderr, "aiswatch events: --mmsi wants a number of up to 9 digits, not '%s'\n", optarg);
                return AW_EXIT_USAGE;
            }
            f.have_mmsi = true;
            break;
        case 'f':
            if (strcmp(optarg, "jsonl") == 0) fmt = OUT_JSONL;
            else if (strcmp(optarg, "csv") == 0) fmt = OUT_CSV;
            else if (strcmp(optarg, "geojson") == 0) fmt = OUT_GEOJSON;
            else {
                fprintf(stderr, "aiswatch events: --format is jsonl, csv or geojson, not '%s'\n", optarg);
                return AW_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return AW_EXIT_OK;
        default: usage(stderr); return AW_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return AW_EXIT_USAGE;
    }
    if (f.since[0] && f.until[0] && strcmp(f.since, f.until) > 0) {
        fprintf(stderr, "aiswatch events: --since is after --until\n");
        return AW_EXIT_USAGE;
    }
    const char *path = argv[optind];
    int rc_open;
    sqlite3 *db = cli_open_gpkg("events", path, " with events", check_file, &rc_open);
    if (!db) return rc_open;
    bool rtree = query_count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'rtree_events_geom'") == 1;

    /* One statement, every filter a bound parameter. */
    char sql[2048];
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (size_t i = 0; i < N_COLS; i++) len += (size_t)snprintf(sql + len, sizeof sql - len, "\"%s\", ", COLS[i]);
    len += (size_t)snprintf(sql + len, sizeof sql - len, "geom FROM events WHERE 1");
    if (f.ntypes) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND type IN (");
        for (size_t i = 0; i < f.ntypes; i++) len += (size_t)snprintf(sql + len, sizeof sql - len, "%s?", i ? "," : "");
        len += (size_t)snprintf(sql + len, sizeof sql - len, ")");
    }
    if (f.since[0]) len += (size_t)snprintf(sql + len, sizeof sql - len, " AND \"end\" >= :since");
    if (f.until[0]) len += (size_t)snprintf(sql + len, sizeof sql - len, " AND start <= :until");
    if (f.have_mmsi) len += (size_t)snprintf(sql + len, sizeof sql - len, " AND (mmsi1 = :mmsi OR mmsi2 = :mmsi)");
    if (f.sanctioned) len += (size_t)snprintf(sql + len, sizeof sql - len, " AND sanctioned IS NOT NULL");
    if (f.have_bbox) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND geom IS NOT NULL");
        if (rtree)
            len += (size_t)snprintf(sql + len, sizeof sql - len,
                                    " AND fid IN (SELECT id FROM rtree_events_geom WHERE maxy >= :s AND miny <= :n"
                                    " AND %s)",
                                    f.w <= f.e ? "maxx >= :w AND minx <= :e" : "(maxx >= :w OR minx <= :e)");
    }
    snprintf(sql + len, sizeof sql - len, " ORDER BY start, id");

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "aiswatch events: %s: not an aiswatch GeoPackage with events (%s)\n", path,
                sqlite3_errmsg(db));
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    for (size_t i = 0; i < f.ntypes; i++) sqlite3_bind_text(st, (int)i + 1, f.types[i], -1, SQLITE_STATIC);
    int k;
    if ((k = sqlite3_bind_parameter_index(st, ":since"))) sqlite3_bind_text(st, k, f.since, -1, SQLITE_STATIC);
    if ((k = sqlite3_bind_parameter_index(st, ":until"))) sqlite3_bind_text(st, k, f.until, -1, SQLITE_STATIC);
    if ((k = sqlite3_bind_parameter_index(st, ":mmsi"))) sqlite3_bind_int64(st, k, (sqlite3_int64)f.mmsi);
    /* the R-tree's float32 boxes are rounded outward, so comparing with doubles is safe */
    if ((k = sqlite3_bind_parameter_index(st, ":w"))) sqlite3_bind_double(st, k, f.w);
    if ((k = sqlite3_bind_parameter_index(st, ":s"))) sqlite3_bind_double(st, k, f.s);
    if ((k = sqlite3_bind_parameter_index(st, ":e"))) sqlite3_bind_double(st, k, f.e);
    if ((k = sqlite3_bind_parameter_index(st, ":n"))) sqlite3_bind_double(st, k, f.n);

    if (fmt == OUT_CSV) put_csv_header(stdout);
    if (fmt == OUT_GEOJSON) fputs("{\"type\":\"FeatureCollection\",\"features\":[", stdout);
    char *json = NULL;
    size_t json_cap = 0;
    unsigned long long n = 0;
    int src, rc = AW_EXIT_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        double bbox[4], lonlat[2];
        const void *blob = sqlite3_column_blob(st, C_GEOM);
        bool placed = blob && aw_gpkg_geom_bbox(blob, (size_t)sqlite3_column_bytes(st, C_GEOM), NULL, bbox) == 0;
        if (placed) {
            lonlat[0] = (bbox[0] + bbox[1]) / 2;
            lonlat[1] = (bbox[2] + bbox[3]) / 2;
        }
        if (f.have_bbox && (!placed || !in_bbox(&f, lonlat[0], lonlat[1]))) continue;
        aw_event_row r;
        row_storage rs;
        row_from_stmt(st, &r, &rs, placed ? lonlat : NULL);
        if (fmt == OUT_CSV) {
            put_csv(stdout, st, &r);
        } else {
            const char *j = row_json(&r, &json, &json_cap);
            if (!j) {
                fprintf(stderr, "aiswatch events: out of memory\n");
                rc = AW_EXIT_INPUT;
                break;
            }
            if (fmt == OUT_JSONL) {
                fputs(j, stdout);
                fputc('\n', stdout);
            } else {
                put_feature(stdout, &r, j, n == 0);
            }
        }
        n++;
    }
    if (fmt == OUT_GEOJSON) fputs(n ? "\n]}\n" : "]}\n", stdout);
    if (rc == AW_EXIT_OK && src != SQLITE_DONE) {
        fprintf(stderr, "aiswatch events: %s: %s\n", path, sqlite3_errmsg(db));
        rc = AW_EXIT_INPUT;
    }
    free(json);
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "aiswatch events: writing the output: %s\n", strerror(errno));
        return AW_EXIT_INPUT;
    }
    if (rc == AW_EXIT_OK) fprintf(stderr, "aiswatch events: %llu events%s\n", n, rtree || !f.have_bbox ? "" : " (no R-tree: window checked row by row)");
    return rc;
}
