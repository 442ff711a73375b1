/* event_query.c — the `events` layer's filters, WHERE clause and rows, shared by
 * `aiswatch events` and `aiswatch serve` (event_query.h). */
#include "event_query.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/gpkg.h"

static const char *const COLS[] = {"id",       "type",     "start",    "end",      "duration_h", "mmsi",   "mmsi1",
                                   "mmsi2",    "segment1", "segment2", "imo",      "names",      "flags",  "measures",
                                   "detail",   "linked",   "parameters", "sources", "sanctioned"};
_Static_assert(sizeof COLS / sizeof COLS[0] == CLI_EC_GEOM, "COLS and the CLI_EC_ enum agree");

/* ---- parsing ------------------------------------------------------------------------ */

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

/* The output is DATETIME text, which sorts as time does: filters compare text with text. */
bool cli_parse_iso(const char *s, char out[96]) {
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
    if (*p || y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || sec < 0 || sec > 59)
        return false;
    snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, sec, ms);
    return true;
}

bool cli_event_parse_bbox(const char *s, cli_event_filters *f) {
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

/* Names are kept as the library spells them, so the SQL compares with what scan wrote. */
bool cli_event_parse_types(char *arg, cli_event_filters *f) {
    char *save = NULL;
    for (char *tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int t = aw_event_type_parse(tok);
        if (t < 0 || f->ntypes == AW_EV_COUNT) return false;
        f->types[f->ntypes++] = aw_event_type_name((aw_event_type)t);
    }
    return f->ntypes > 0;
}

/* %text% with LIKE's wildcards in the text escaped, so a search for "50%" means it. */
bool cli_event_set_query(const char *text, cli_event_filters *f) {
    size_t n = 0;
    f->q[n++] = '%';
    for (const char *p = text; *p; p++) {
        if (n + 4 >= sizeof f->q) return false;
        if (*p == '%' || *p == '_' || *p == '\\') f->q[n++] = '\\';
        f->q[n++] = *p;
    }
    f->q[n++] = '%';
    f->q[n] = 0;
    return true;
}

/* ---- SQL ---------------------------------------------------------------------------- */

#define APPEND(...) (len += (size_t)snprintf(sql + len, len < cap ? cap - len : 0, __VA_ARGS__))

size_t cli_event_columns(char *sql, size_t cap, size_t len) {
    for (size_t i = 0; i < CLI_EC_GEOM; i++) APPEND("\"%s\", ", COLS[i]);
    APPEND("geom");
    return len;
}

size_t cli_event_where(const cli_event_filters *f, bool rtree, char *sql, size_t cap, size_t len) {
    APPEND(" WHERE 1");
    if (f->ntypes) {
        APPEND(" AND type IN (");
        for (size_t i = 0; i < f->ntypes; i++) APPEND("%s?%zu", i ? "," : "", i + 1);
        APPEND(")");
    }
    if (f->since[0]) APPEND(" AND \"end\" >= :since");
    if (f->until[0]) APPEND(" AND start <= :until");
    if (f->have_mmsi) APPEND(" AND (mmsi1 = :mmsi OR mmsi2 = :mmsi)");
    if (f->sanctioned) APPEND(" AND sanctioned IS NOT NULL");
    if (f->q[0]) APPEND(" AND (mmsi LIKE :q ESCAPE '\\' OR imo LIKE :q ESCAPE '\\' OR names LIKE :q ESCAPE '\\')");
    if (f->have_bbox) {
        bool wraps = f->w > f->e;
        APPEND(" AND geom IS NOT NULL");
        /* the R-tree's float32 boxes are rounded outward: it narrows, the point test decides */
        if (rtree)
            APPEND(" AND fid IN (SELECT id FROM rtree_events_geom WHERE maxy >= :s AND miny <= :n AND %s)",
                   wraps ? "(maxx >= :w OR minx <= :e)" : "maxx >= :w AND minx <= :e");
        APPEND(" AND ST_MinY(geom) BETWEEN :s AND :n AND %s",
               wraps ? "(ST_MinX(geom) >= :w OR ST_MinX(geom) <= :e)" : "ST_MinX(geom) BETWEEN :w AND :e");
    }
    return len;
}

void cli_event_bind(sqlite3_stmt *st, const cli_event_filters *f) {
    for (size_t i = 0; i < f->ntypes; i++) sqlite3_bind_text(st, (int)i + 1, f->types[i], -1, SQLITE_STATIC);
    int k;
    if ((k = sqlite3_bind_parameter_index(st, ":since"))) sqlite3_bind_text(st, k, f->since, -1, SQLITE_STATIC);
    if ((k = sqlite3_bind_parameter_index(st, ":until"))) sqlite3_bind_text(st, k, f->until, -1, SQLITE_STATIC);
    if ((k = sqlite3_bind_parameter_index(st, ":mmsi"))) sqlite3_bind_int64(st, k, (sqlite3_int64)f->mmsi);
    if ((k = sqlite3_bind_parameter_index(st, ":q"))) sqlite3_bind_text(st, k, f->q, -1, SQLITE_STATIC);
    if ((k = sqlite3_bind_parameter_index(st, ":w"))) sqlite3_bind_double(st, k, f->w);
    if ((k = sqlite3_bind_parameter_index(st, ":s"))) sqlite3_bind_double(st, k, f->s);
    if ((k = sqlite3_bind_parameter_index(st, ":e"))) sqlite3_bind_double(st, k, f->e);
    if ((k = sqlite3_bind_parameter_index(st, ":n"))) sqlite3_bind_double(st, k, f->n);
}

/* ---- rows --------------------------------------------------------------------------- */

const char *cli_trim_time(const char *s, char buf[40]) {
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

void cli_event_row(sqlite3_stmt *st, aw_event_row *r, cli_event_storage *rs) {
    memset(r, 0, sizeof *r);
    r->id = col_text(st, CLI_EC_ID);
    r->type = col_text(st, CLI_EC_TYPE);
    r->start = cli_trim_time(col_text(st, CLI_EC_START), rs->start);
    r->end = cli_trim_time(col_text(st, CLI_EC_END), rs->end);
    r->duration_h =
        sqlite3_column_type(st, CLI_EC_DURATION) == SQLITE_NULL ? NAN : sqlite3_column_double(st, CLI_EC_DURATION);
    r->lat = r->lon = NAN;
    double bbox[4];
    const void *blob = sqlite3_column_blob(st, CLI_EC_GEOM);
    if (blob && aw_gpkg_geom_bbox(blob, (size_t)sqlite3_column_bytes(st, CLI_EC_GEOM), NULL, bbox) == 0) {
        r->lon = (bbox[0] + bbox[1]) / 2;
        r->lat = (bbox[2] + bbox[3]) / 2;
    }
    if (sqlite3_column_type(st, CLI_EC_MMSI1) != SQLITE_NULL) r->nvessels = 1;
    if (r->nvessels && sqlite3_column_type(st, CLI_EC_MMSI2) != SQLITE_NULL) r->nvessels = 2;
    for (unsigned k = 0; k < r->nvessels; k++) {
        r->mmsi[k] = (uint32_t)sqlite3_column_int64(st, CLI_EC_MMSI1 + (int)k);
        r->segment[k] = (uint32_t)sqlite3_column_int64(st, CLI_EC_SEG1 + (int)k);
    }
    const char *part[2];
    split2(col_text(st, CLI_EC_IMO), ",", rs->imo, sizeof rs->imo, part);
    for (unsigned k = 0; k < 2; k++) r->imo[k] = part[k] ? (uint32_t)strtoul(part[k], NULL, 10) : 0;
    split2(col_text(st, CLI_EC_NAMES), " / ", rs->names, sizeof rs->names, r->name);
    split2(col_text(st, CLI_EC_FLAGS), ",", rs->flags, sizeof rs->flags, r->flag);
    r->measures = col_text(st, CLI_EC_MEASURES);
    r->detail = col_text(st, CLI_EC_DETAIL);
    r->linked = col_text(st, CLI_EC_LINKED);
    r->parameters = col_text(st, CLI_EC_PARAMETERS);
    r->sources = col_text(st, CLI_EC_SOURCES);
    r->sanctioned = col_text(st, CLI_EC_SANCTIONED);
}

const char *cli_event_json(const aw_event_row *r, char **buf, size_t *cap) {
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
