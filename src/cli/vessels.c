/* vessels.c — `aiswatch vessels RUN.gpkg`: each vessel's current identity and identity
 * history, one record per MMSI and track segment, for scripts.
 *
 * Reads the `vessels` and `identity_history` layers that `aiswatch scan` writes
 * (docs/geopackage.md) straight from SQLite: both are read in (mmsi, segment) order and
 * merged, so memory holds one vessel's history at a time whatever the file's size.
 * JSON lines carry the whole history (each value with first/last seen and its count);
 * CSV, being flat, carries per field the distinct values in the order first seen,
 * separated by '|' (a character AIS's six-bit text cannot hold). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/gpkg.h"
#include "cli.h"

/* Identity fields in the order records list them (the schema's `field` values). */
static const char *const HISTORY_FIELDS[] = {"name",     "imo",    "callsign",  "ship_type",
                                             "length_m", "beam_m", "draught_m", "destination"};
#define N_HISTORY_FIELDS (sizeof HISTORY_FIELDS / sizeof HISTORY_FIELDS[0])

/* Columns of the vessels layer, in output order (geometry aside). */
static const char *const VESSEL_COLS[] = {
    "mmsi",     "segment",   "name",        "imo",  "imo_valid",    "callsign",    "ship_type",  "ship_type_text",
    "length_m", "beam_m",    "draught_m",   "destination", "flag",  "flag_country", "n_positions", "first_seen",
    "last_seen",
};
#define N_VESSEL_COLS (sizeof VESSEL_COLS / sizeof VESSEL_COLS[0])

typedef struct hist_row {
    char *field, *value, *first_seen, *last_seen;
    int64_t n_reports;
    bool has_n;
} hist_row;

typedef struct history {
    hist_row *rows;
    size_t n, cap;
} history;

static char *dup_col(sqlite3_stmt *st, int i) {
    const unsigned char *s = sqlite3_column_text(st, i);
    if (!s) return NULL;
    size_t n = strlen((const char *)s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void history_clear(history *h) {
    for (size_t i = 0; i < h->n; i++) {
        free(h->rows[i].field);
        free(h->rows[i].value);
        free(h->rows[i].first_seen);
        free(h->rows[i].last_seen);
    }
    h->n = 0;
}

/* ---- output ------------------------------------------------------------------------- */

/* Times as the rest of aiswatch prints them: GeoPackage's ".000Z" on whole seconds
 * becomes "Z", so they compare equal to `aiswatch decode` times. */
static void put_time_body(FILE *out, const char *s) {
    size_t n = strlen(s);
    if (n >= 5 && strcmp(s + n - 5, ".000Z") == 0) {
        fwrite(s, 1, n - 5, out);
        fputc('Z', out);
    } else {
        fputs(s, out);
    }
}

static void put_json_str(FILE *out, const char *s, bool is_time) {
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    if (is_time) {
        put_time_body(out, s);
    } else {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
            if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
            else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
            else fputc(*p, out);
        }
    }
    fputc('"', out);
}

static bool is_time_col(const char *name) { return strstr(name, "_seen") != NULL; }

/* A column value as JSON: numbers stay numbers, imo_valid becomes a boolean. */
static void put_json_col(FILE *out, sqlite3_stmt *st, int i, const char *name) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: fputs("null", out); break;
    case SQLITE_INTEGER:
        if (strcmp(name, "imo_valid") == 0) fputs(sqlite3_column_int64(st, i) ? "true" : "false", out);
        else fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT: fprintf(out, "%.10g", sqlite3_column_double(st, i)); break;
    default: put_json_str(out, (const char *)sqlite3_column_text(st, i), is_time_col(name));
    }
}

static void put_csv_field(FILE *out, const char *s, bool is_time) {
    if (!s) return;
    if (is_time) {
        put_time_body(out, s);
        return;
    }
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

static void put_csv_col(FILE *out, sqlite3_stmt *st, int i, const char *name) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: break;
    case SQLITE_INTEGER: fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: fprintf(out, "%.10g", sqlite3_column_double(st, i)); break;
    default: put_csv_field(out, (const char *)sqlite3_column_text(st, i), is_time_col(name));
    }
}

/* The history fields in output order: the schema's first, then any others as met. */
static size_t history_fields(const history *h, const char **fields, size_t cap) {
    size_t n = 0;
    for (size_t f = 0; f < N_HISTORY_FIELDS && n < cap; f++) fields[n++] = HISTORY_FIELDS[f];
    for (size_t i = 0; i < h->n; i++) {
        bool known = false;
        for (size_t f = 0; f < n && !known; f++) known = strcmp(fields[f], h->rows[i].field) == 0;
        if (!known && n < cap) fields[n++] = h->rows[i].field;
    }
    return n;
}

/* One record; `end` follows it ("\n" for JSON lines, "" inside a JSON array). */
static void put_jsonl(FILE *out, sqlite3_stmt *v, const history *h, const double *lonlat, const char *end) {
    fputc('{', out);
    for (size_t c = 0; c < N_VESSEL_COLS; c++) {
        fprintf(out, "%s\"%s\":", c ? "," : "", VESSEL_COLS[c]);
        put_json_col(out, v, (int)c, VESSEL_COLS[c]);
    }
    if (lonlat) fprintf(out, ",\"lon\":%.7f,\"lat\":%.7f", lonlat[0], lonlat[1]);
    else fputs(",\"lon\":null,\"lat\":null", out);
    fputs(",\"history\":{", out);
    const char *fields[64];
    size_t nf = history_fields(h, fields, 64);
    bool first_field = true;
    for (size_t f = 0; f < nf; f++) {
        bool any = false;
        for (size_t i = 0; i < h->n; i++) {
            const hist_row *r = &h->rows[i];
            if (strcmp(r->field, fields[f]) != 0) continue;
            if (!any) {
                fprintf(out, "%s\"%s\":[", first_field ? "" : ",", fields[f]);
                first_field = false;
            } else {
                fputc(',', out);
            }
            any = true;
            fputs("{\"value\":", out);
            put_json_str(out, r->value, false);
            fputs(",\"first_seen\":", out);
            put_json_str(out, r->first_seen, true);
            fputs(",\"last_seen\":", out);
            put_json_str(out, r->last_seen, true);
            if (r->has_n) fprintf(out, ",\"n_reports\":%lld}", (long long)r->n_reports);
            else fputs(",\"n_reports\":null}", out);
        }
        if (any) fputc(']', out);
    }
    fputs("}}", out);
    fputs(end, out);
}

static void put_csv_header(FILE *out) {
    for (size_t c = 0; c < N_VESSEL_COLS; c++) fprintf(out, "%s,", VESSEL_COLS[c]);
    fputs("lon,lat", out);
    for (size_t f = 0; f < N_HISTORY_FIELDS; f++) fprintf(out, ",%s_history", HISTORY_FIELDS[f]);
    fputc('\n', out);
}

static void put_csv(FILE *out, sqlite3_stmt *v, const history *h, const double *lonlat) {
    for (size_t c = 0; c < N_VESSEL_COLS; c++) {
        put_csv_col(out, v, (int)c, VESSEL_COLS[c]);
        fputc(',', out);
    }
    if (lonlat) fprintf(out, "%.7f,%.7f", lonlat[0], lonlat[1]);
    else fputc(',', out);
    for (size_t f = 0; f < N_HISTORY_FIELDS; f++) {
        /* distinct values, in the order first seen (rows arrive sorted by first_seen) */
        char *joined = NULL;
        size_t len = 0;
        for (size_t i = 0; i < h->n; i++) {
            const hist_row *r = &h->rows[i];
            if (!r->value || strcmp(r->field, HISTORY_FIELDS[f]) != 0) continue;
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++)
                seen = h->rows[j].value && strcmp(h->rows[j].field, r->field) == 0 && strcmp(h->rows[j].value, r->value) == 0;
            if (seen) continue;
            size_t vl = strlen(r->value);
            char *n = realloc(joined, len + vl + 2);
            if (!n) break;
            joined = n;
            if (len) joined[len++] = '|';
            memcpy(joined + len, r->value, vl + 1);
            len += vl;
        }
        fputc(',', out);
        put_csv_field(out, joined, false);
        free(joined);
    }
    fputc('\n', out);
}

/* ---- the command -------------------------------------------------------------------- */

/* Is this a GeoPackage with the two layers this command reads? NULL, or why not. */
static const char *check_file(sqlite3 *db) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) != SQLITE_OK) return sqlite3_errmsg(db);
    int rc = sqlite3_step(st);
    int64_t app = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return sqlite3_errmsg(db);
    if (app != 0x47504B47) return "no GeoPackage application_id";
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM gpkg_contents WHERE table_name IN ('vessels', 'identity_history')",
                           -1, &st, NULL) != SQLITE_OK)
        return "no gpkg_contents table";
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return n == 2 ? NULL : "no vessels and identity_history layers";
}

/* The records of every vessel, or of one MMSI, to out (see cli.h). Merges the two layers,
 * both read in (mmsi, segment) order, so memory holds one vessel's history at a time. */
int cli_vessels_write(sqlite3 *db, bool have_mmsi, unsigned long long mmsi, cli_vessels_form form, FILE *out,
                      unsigned long long *n, const char **why) {
    /* Both sides sorted by (mmsi, segment); history also by first_seen. */
    char vsql[1024], hsql[512];
    int p = snprintf(vsql, sizeof vsql, "SELECT ");
    for (size_t i = 0; i < N_VESSEL_COLS; i++) p += snprintf(vsql + p, sizeof vsql - (size_t)p, "\"%s\", ", VESSEL_COLS[i]);
    snprintf(vsql + p, sizeof vsql - (size_t)p, "geom FROM vessels%s ORDER BY mmsi, segment",
             have_mmsi ? " WHERE mmsi = ?1" : "");
    snprintf(hsql, sizeof hsql,
             "SELECT mmsi, segment, field, value, first_seen, last_seen, n_reports FROM identity_history%s"
             " ORDER BY mmsi, segment, first_seen, field",
             have_mmsi ? " WHERE mmsi = ?1" : "");
    sqlite3_stmt *vst = NULL, *hst = NULL;
    if (sqlite3_prepare_v2(db, vsql, -1, &vst, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, hsql, -1, &hst, NULL) != SQLITE_OK) {
        *why = sqlite3_errmsg(db);
        sqlite3_finalize(vst);
        sqlite3_finalize(hst);
        return -1;
    }
    if (have_mmsi) {
        sqlite3_bind_int64(vst, 1, (sqlite3_int64)mmsi);
        sqlite3_bind_int64(hst, 1, (sqlite3_int64)mmsi);
    }

    if (form == CLI_VESSELS_CSV) put_csv_header(out);
    history h = {0};
    int hrc = sqlite3_step(hst);
    int vrc;
    unsigned long long nvessels = 0;
    *n = 0;
    bool oom = false;
    while ((vrc = sqlite3_step(vst)) == SQLITE_ROW) {
        int64_t vm = sqlite3_column_int64(vst, 0), vs = sqlite3_column_int64(vst, 1);
        history_clear(&h);
        /* Skip history rows of vessels before this one (none expected), gather this one's. */
        while (hrc == SQLITE_ROW) {
            int64_t hm = sqlite3_column_int64(hst, 0), hs = sqlite3_column_int64(hst, 1);
            if (hm > vm || (hm == vm && hs > vs)) break;
            if (hm == vm && hs == vs && sqlite3_column_type(hst, 2) != SQLITE_NULL) {
                if (h.n == h.cap) {
                    size_t cap = h.cap ? h.cap * 2 : 16;
                    hist_row *r = realloc(h.rows, cap * sizeof *r);
                    if (!r) {
                        oom = true;
                        break;
                    }
                    h.rows = r;
                    h.cap = cap;
                }
                hist_row *r = &h.rows[h.n++];
                r->field = dup_col(hst, 2);
                r->value = dup_col(hst, 3);
                r->first_seen = dup_col(hst, 4);
                r->last_seen = dup_col(hst, 5);
                r->has_n = sqlite3_column_type(hst, 6) != SQLITE_NULL;
                r->n_reports = sqlite3_column_int64(hst, 6);
                if (!r->field) {
                    oom = true;
                    break;
                }
            }
            hrc = sqlite3_step(hst);
        }
        if (oom) break;
        double bbox[4], lonlat[2];
        const void *blob = sqlite3_column_blob(vst, (int)N_VESSEL_COLS);
        bool has_pos = blob && aw_gpkg_geom_bbox(blob, (size_t)sqlite3_column_bytes(vst, (int)N_VESSEL_COLS), NULL,
                                                 bbox) == 0;
        if (has_pos) {
            lonlat[0] = (bbox[0] + bbox[1]) / 2;
            lonlat[1] = (bbox[2] + bbox[3]) / 2;
        }
        if (form == CLI_VESSELS_CSV) {
            put_csv(out, vst, &h, has_pos ? lonlat : NULL);
        } else {
            if (form == CLI_VESSELS_ARRAY && nvessels) fputc(',', out);
            put_jsonl(out, vst, &h, has_pos ? lonlat : NULL, form == CLI_VESSELS_ARRAY ? "" : "\n");
        }
        nvessels++;
    }
    int rc = 0;
    if (oom) {
        *why = "out of memory";
        rc = -1;
    } else if (vrc != SQLITE_DONE || (hrc != SQLITE_DONE && hrc != SQLITE_ROW)) {
        *why = sqlite3_errmsg(db);
        rc = -1;
    }
    history_clear(&h);
    free(h.rows);
    sqlite3_finalize(vst);
    sqlite3_finalize(hst);
    *n = nvessels;
    return rc;
}

static void usage(FILE *f) {
    fprintf(f, "usage: aiswatch vessels RUN.gpkg [--mmsi N] [--format jsonl|csv]\n"
               "  one record per vessel (MMSI and track segment): its current identity, last position\n"
               "  and identity history, read from the GeoPackage `aiswatch scan` wrote\n");
}

int cmd_vessels(int argc, char **argv) {
    static const struct option longopts[] = {
        {"mmsi", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    unsigned long long mmsi = 0;
    bool have_mmsi = false, csv = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (!cli_parse_uint(optarg, &mmsi) || mmsi > 999999999) {
                fprintf(stderr, "aiswatch vessels: --mmsi wants a number of up to 9 digits, not '%s'\n", optarg);
                return AW_EXIT_USAGE;
            }
            have_mmsi = true;
            break;
        case 'f':
            if (strcmp(optarg, "csv") == 0) csv = true;
            else if (strcmp(optarg, "jsonl") == 0) csv = false;
            else {
                fprintf(stderr, "aiswatch vessels: --format is jsonl or csv, not '%s'\n", optarg);
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
    const char *path = argv[optind];
    int rc_open;
    sqlite3 *db = cli_open_gpkg("vessels", path, "", check_file, &rc_open);
    if (!db) return rc_open;
    unsigned long long nvessels = 0;
    const char *why = NULL;
    int rc = cli_vessels_write(db, have_mmsi, mmsi, csv ? CLI_VESSELS_CSV : CLI_VESSELS_JSONL, stdout, &nvessels, &why);
    if (rc != 0) fprintf(stderr, "aiswatch vessels: %s: %s\n", path, why);
    sqlite3_close(db);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "aiswatch vessels: writing the output: %s\n", strerror(errno));
        return AW_EXIT_INPUT;
    }
    if (rc != 0) return AW_EXIT_INPUT;
    fprintf(stderr, "aiswatch vessels: %llu vessel records\n", nvessels);
    return AW_EXIT_OK;
}
