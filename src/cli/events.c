/* events.c — `aiswatch events RUN.gpkg`: the events a scan found, filtered, as JSON lines,
 * CSV or a GeoJSON FeatureCollection.
 *
 * Reads the `events` layer (docs/geopackage.md) with one prepared statement that carries
 * every filter, so SQLite does the selecting: a window goes through the layer's R-tree
 * (`rtree_events_geom`) when the file has it, and is then checked exactly on each point
 * (the R-tree holds float32-rounded boxes). JSON lines are the library's own event JSON
 * (aw_event_row_json), so an event prints the same here as anywhere else. The filters,
 * the SQL and the row reading are shared with `aiswatch serve` (event_query.h). Memory
 * is one row at a time. */
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
#include "event_query.h"

enum out_format { OUT_JSONL, OUT_CSV, OUT_GEOJSON };

typedef cli_event_filters filters;

/* ---- output --------------------------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

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
    static const int rest[] = {CLI_EC_MMSI, CLI_EC_MMSI1, CLI_EC_MMSI2, CLI_EC_SEG1, CLI_EC_SEG2, CLI_EC_IMO, CLI_EC_NAMES, CLI_EC_FLAGS,
                               CLI_EC_MEASURES, CLI_EC_DETAIL, CLI_EC_LINKED, CLI_EC_PARAMETERS, CLI_EC_SOURCES, CLI_EC_SANCTIONED};
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
            if (!cli_event_parse_types(optarg, &f)) {
                fprintf(stderr, "aiswatch events: --type takes event types separated by commas (");
                for (int t = 0; t < AW_EV_COUNT; t++) fprintf(stderr, "%s%s", t ? ", " : "", aw_event_type_name((aw_event_type)t));
                fprintf(stderr, ")\n");
                return AW_EXIT_USAGE;
            }
            break;
        case 's':
        case 'u':
            if (!cli_parse_iso(optarg, c == 's' ? f.since : f.until)) {
                fprintf(stderr, "aiswatch events: --%s wants an ISO 8601 UTC time such as 2016-03-31T12:00:00Z, not '%s'\n",
                        c == 's' ? "since" : "until", optarg);
                return AW_EXIT_USAGE;
            }
            break;
        case 'b':
            if (!cli_event_parse_bbox(optarg, &f)) {
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

    /* One statement, every filter a bound parameter; the window is tested in SQL on the
     * point itself (through the R-tree first when there is one). */
    cli_gpkg_functions(db);
    char sql[2048];
    size_t len = cli_event_columns(sql, sizeof sql, (size_t)snprintf(sql, sizeof sql, "SELECT "));
    len += (size_t)snprintf(sql + len, sizeof sql - len, " FROM events");
    len = cli_event_where(&f, rtree, sql, sizeof sql, len);
    snprintf(sql + len, sizeof sql - len, " ORDER BY start, id");

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "aiswatch events: %s: not an aiswatch GeoPackage with events (%s)\n", path,
                sqlite3_errmsg(db));
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    cli_event_bind(st, &f);

    if (fmt == OUT_CSV) put_csv_header(stdout);
    if (fmt == OUT_GEOJSON) fputs("{\"type\":\"FeatureCollection\",\"features\":[", stdout);
    char *json = NULL;
    size_t json_cap = 0;
    unsigned long long n = 0;
    int src, rc = AW_EXIT_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        aw_event_row r;
        cli_event_storage rs;
        cli_event_row(st, &r, &rs);
        if (fmt == OUT_CSV) {
            put_csv(stdout, st, &r);
        } else {
            const char *j = cli_event_json(&r, &json, &json_cap);
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
