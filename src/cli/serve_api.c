/* serve_api.c — the JSON API of `aiswatch serve` (docs in serve.c's header and the report).
 *
 * Every answer is built in memory with open_memstream and sent whole: the largest is a
 * page of 10,000 events or a track of 100,000 points, a few megabytes. Events print as
 * `aiswatch events` prints them and vessels as `aiswatch vessels` does, through the same
 * code (event_query.h, cli_vessels_write), so the web page and the command line agree.
 * Times are printed as everywhere in aiswatch: ISO 8601 UTC, "Z" on whole seconds. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/geo.h"
#include "aiswatch/gpkg.h"
#include "cli.h"
#include "event_query.h"
#include "serve.h"

enum { LIMIT_DEFAULT = 500, LIMIT_MAX = 10000, TRACK_MAX = 100000 };
/* Two vessels' points are paired for the distance series when this close in time. */
#define PAIR_MAX_MS (10 * 60 * 1000)

typedef struct reply {
    FILE *out;
    int status;
    char err[256];
} reply;

static int fail(reply *r, int status, const char *fmt, const char *what) {
    snprintf(r->err, sizeof r->err, fmt, what);
    r->status = status;
    return status;
}

/* ---- JSON and time helpers --------------------------------------------------------------- */

static void put_str(FILE *out, const char *s) {
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void put_time(FILE *out, const char *s) {
    char buf[40];
    put_str(out, cli_trim_time(s, buf));
}

static void put_num(FILE *out, double v, const char *fmt) {
    if (isfinite(v)) fprintf(out, fmt, v);
    else fputs("null", out);
}

static double col_double(sqlite3_stmt *st, int i) {
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Any column as JSON: numbers as numbers, text as strings. */
static void put_col(FILE *out, sqlite3_stmt *st, int i) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: fputs("null", out); break;
    case SQLITE_INTEGER: fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: put_num(out, sqlite3_column_double(st, i), "%.10g"); break;
    case SQLITE_BLOB: fputs("null", out); break;
    default: put_str(out, (const char *)sqlite3_column_text(st, i));
    }
}

/* GeoPackage DATETIME text to Unix milliseconds (days from the civil date, as in Howard
 * Hinnant's algorithm: no time zone, no libc locale). */
static bool datetime_ms(const char *s, int64_t *ms) {
    int y, mo, d, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return false;
    int frac = 0, digits = 0;
    if (s[n] == '.')
        for (const char *p = s + n + 1; *p >= '0' && *p <= '9' && digits < 3; p++, digits++) frac = frac * 10 + (*p - '0');
    for (; digits < 3; digits++) frac *= 10;
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    *ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + frac;
    return true;
}

static bool point_of(sqlite3_stmt *st, int i, double *lon, double *lat) {
    double bbox[4];
    const void *blob = sqlite3_column_blob(st, i);
    if (!blob || aw_gpkg_geom_bbox(blob, (size_t)sqlite3_column_bytes(st, i), NULL, bbox) != 0) return false;
    *lon = (bbox[0] + bbox[1]) / 2;
    *lat = (bbox[2] + bbox[3]) / 2;
    return true;
}

static int64_t count_of(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int64_t max_fid(sqlite3 *db) { return count_of(db, "SELECT coalesce(max(fid), 0) FROM positions"); }

static int db_error(reply *r, sqlite3 *db) { return fail(r, 500, "reading the GeoPackage: %s", sqlite3_errmsg(db)); }

static bool parse_count(const char *s, unsigned long long max, unsigned long long *v) {
    return cli_parse_uint(s, v) && *v <= max;
}

/* ---- /api/meta ----------------------------------------------------------------------------- */

static int api_meta(sqlite3 *db, const serve_file *f, reply *r) {
    FILE *out = r->out;
    int64_t ne = f->events ? count_of(db, "SELECT count(*) FROM events") : 0;
    int64_t nv = f->vessels ? count_of(db, "SELECT count(*) FROM vessels") : 0;
    /* count(*) reads every row (seconds at 100 M): the count made at start while the file
     * is the one measured then */
    int64_t np = !f->positions ? 0
                 : f->ranges && max_fid(db) == f->positions_max_fid ? f->positions_count
                                                                   : count_of(db, "SELECT count(*) FROM positions");
    if (ne < 0 || nv < 0 || np < 0) return db_error(r, db);
    fputs("{\"file\":", out);
    put_str(out, f->base);
    fprintf(out, ",\"counts\":{\"events\":%lld,\"vessels\":%lld,\"positions\":%lld}", (long long)ne, (long long)nv,
            (long long)np);
    /* true: a vessel's positions are read as one run of rows, not searched for */
    fprintf(out, ",\"positions_in_vessel_order\":%s,\"bbox\":", f->ranges ? "true" : "false");
    /* from the points themselves: gpkg_contents' extent is optional in GeoPackage */
    bool have_bbox = false;
    sqlite3_stmt *st = NULL;
    if (ne > 0 && sqlite3_prepare_v2(db,
                                     "SELECT min(ST_MinX(geom)), min(ST_MinY(geom)), max(ST_MaxX(geom)), "
                                     "max(ST_MaxY(geom)) FROM events WHERE geom IS NOT NULL",
                                     -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        fprintf(out, "[%.7f,%.7f,%.7f,%.7f]", sqlite3_column_double(st, 0), sqlite3_column_double(st, 1),
                sqlite3_column_double(st, 2), sqlite3_column_double(st, 3));
        have_bbox = true;
    }
    sqlite3_finalize(st);
    if (!have_bbox) fputs("null", out);
    fputs(",\"types\":{", out);
    st = NULL;
    if (f->events) {
        if (sqlite3_prepare_v2(db, "SELECT type, count(*) FROM events GROUP BY type ORDER BY type", -1, &st, NULL) !=
            SQLITE_OK)
            return db_error(r, db);
        for (int i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
            if (i) fputc(',', out);
            put_str(out, (const char *)sqlite3_column_text(st, 0));
            fprintf(out, ":%lld", (long long)sqlite3_column_int64(st, 1));
        }
        sqlite3_finalize(st);
    }
    fputs("}}", out);
    return 200;
}

/* ---- /api/events --------------------------------------------------------------------------- */

/* Reads the filters of /api/events; 0 or the 400 already set in r. */
static int event_filters(serve_arg_fn arg, void *cls, cli_event_filters *flt, reply *r) {
    memset(flt, 0, sizeof *flt);
    const char *v;
    if ((v = arg(cls, "type")) && *v) {
        char buf[512];
        if (strlen(v) >= sizeof buf) return fail(r, 400, "type: too long%s", "");
        strcpy(buf, v);
        if (!cli_event_parse_types(buf, flt)) return fail(r, 400, "type: unknown event type in '%s'", v);
    }
    if ((v = arg(cls, "since")) && !cli_parse_iso(v, flt->since))
        return fail(r, 400, "since: wants an ISO 8601 UTC time such as 2016-03-31T12:00:00Z, not '%.100s'", v);
    if ((v = arg(cls, "until")) && !cli_parse_iso(v, flt->until))
        return fail(r, 400, "until: wants an ISO 8601 UTC time such as 2016-03-31T12:00:00Z, not '%.100s'", v);
    if (flt->since[0] && flt->until[0] && strcmp(flt->since, flt->until) > 0)
        return fail(r, 400, "since is after until%s", "");
    if ((v = arg(cls, "bbox")) && !cli_event_parse_bbox(v, flt))
        return fail(r, 400, "bbox: wants W,S,E,N in degrees (-180..180, -90..90, S <= N), not '%.100s'", v);
    if ((v = arg(cls, "sanctioned"))) {
        if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) flt->sanctioned = true;
        else if (strcmp(v, "0") != 0 && strcmp(v, "false") != 0 && *v)
            return fail(r, 400, "sanctioned: 1 or 0, not '%.100s'", v);
    }
    if ((v = arg(cls, "mmsi"))) {
        if (!parse_count(v, 999999999, &flt->mmsi)) return fail(r, 400, "mmsi: a number of up to 9 digits, not '%.100s'", v);
        flt->have_mmsi = true;
    }
    if ((v = arg(cls, "q")) && *v && !cli_event_set_query(v, flt)) return fail(r, 400, "q: too long%s", "");
    return 0;
}

static int api_events(sqlite3 *db, const serve_file *f, serve_arg_fn arg, void *cls, reply *r) {
    cli_event_filters flt;
    if (event_filters(arg, cls, &flt, r)) return r->status;
    unsigned long long limit = LIMIT_DEFAULT, offset = 0;
    const char *v;
    if ((v = arg(cls, "limit")) && !parse_count(v, LIMIT_MAX, &limit))
        return fail(r, 400, "limit: a number from 0 to 10000, not '%.100s'", v);
    if ((v = arg(cls, "offset")) && !parse_count(v, INT64_MAX, &offset))
        return fail(r, 400, "offset: a number from 0, not '%.100s'", v);
    if (!f->events) {
        fprintf(r->out, "{\"total\":0,\"offset\":%llu,\"events\":[]}", offset);
        return 200;
    }
    char where[2048], sql[4096];
    size_t wl = cli_event_where(&flt, f->rtree_events, where, sizeof where, 0);
    if (wl >= sizeof where) return fail(r, 500, "query too long%s", "");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM events%s", where);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(r, db);
    cli_event_bind(st, &flt);
    int64_t total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    if (total < 0) return db_error(r, db);

    size_t len = cli_event_columns(sql, sizeof sql, (size_t)snprintf(sql, sizeof sql, "SELECT "));
    snprintf(sql + len, sizeof sql - len, " FROM events%s ORDER BY start, id LIMIT %llu OFFSET %llu", where, limit,
             offset);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(r, db);
    cli_event_bind(st, &flt);
    fprintf(r->out, "{\"total\":%lld,\"offset\":%llu,\"events\":[", (long long)total, offset);
    char *json = NULL;
    size_t cap = 0;
    int src, n = 0;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        aw_event_row row;
        cli_event_storage rs;
        cli_event_row(st, &row, &rs);
        const char *j = cli_event_json(&row, &json, &cap);
        if (!j) break;
        if (n++) fputc(',', r->out);
        fputs(j, r->out);
    }
    free(json);
    sqlite3_finalize(st);
    if (src != SQLITE_DONE) return src == SQLITE_ROW ? fail(r, 500, "out of memory%s", "") : db_error(r, db);
    fputs("]}", r->out);
    return 200;
}

/* ---- /api/events/{id} -------------------------------------------------------------------- */

typedef struct tpoint {
    int64_t ms;
    char time[32];
    double lon, lat, sog, cog;
    int in_event;
} tpoint;

typedef struct tgroup {
    int64_t mmsi, segment;
    size_t first, n;
} tgroup;

/* The point of `b` (sorted by time) nearest in time to ms, or -1. */
static long nearest(const tpoint *b, size_t n, int64_t ms) {
    if (!n) return -1;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b[mid].ms < ms) lo = mid + 1;
        else hi = mid;
    }
    long best = lo < n ? (long)lo : (long)n - 1;
    if (lo > 0 && (lo == n || ms - b[lo - 1].ms <= b[lo].ms - ms)) best = (long)lo - 1;
    return best;
}

static int event_tracks(sqlite3 *db, const serve_file *f, const char *id, const aw_event_row *ev, reply *r) {
    FILE *out = r->out;
    tpoint *pts = NULL;
    tgroup *groups = NULL;
    size_t npts = 0, cpts = 0, ngroups = 0, cgroups = 0;
    int status = 200;
    sqlite3_stmt *st = NULL;
    if (f->event_tracks) {
        if (sqlite3_prepare_v2(db,
                               "SELECT mmsi, segment, time, sog_kn, cog_deg, in_event, geom FROM event_tracks"
                               " WHERE event_id = ?1 ORDER BY mmsi, segment, time",
                               -1, &st, NULL) != SQLITE_OK)
            return db_error(r, db);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t m = sqlite3_column_int64(st, 0), s = sqlite3_column_int64(st, 1);
            if (!ngroups || groups[ngroups - 1].mmsi != m || groups[ngroups - 1].segment != s) {
                if (ngroups == cgroups) {
                    size_t c = cgroups ? cgroups * 2 : 4;
                    tgroup *g = realloc(groups, c * sizeof *g);
                    if (!g) break;
                    groups = g, cgroups = c;
                }
                groups[ngroups++] = (tgroup){m, s, npts, 0};
            }
            if (npts == cpts) {
                size_t c = cpts ? cpts * 2 : 256;
                tpoint *p = realloc(pts, c * sizeof *p);
                if (!p) break;
                pts = p, cpts = c;
            }
            tpoint *p = &pts[npts];
            const char *t = (const char *)sqlite3_column_text(st, 2);
            if (!t || !datetime_ms(t, &p->ms)) continue; /* an untimed point cannot be placed on the timeline */
            char buf[40];
            snprintf(p->time, sizeof p->time, "%s", cli_trim_time(t, buf));
            if (!point_of(st, 6, &p->lon, &p->lat)) continue;
            p->sog = col_double(st, 3);
            p->cog = col_double(st, 4);
            p->in_event = sqlite3_column_int(st, 5) != 0;
            npts++;
            groups[ngroups - 1].n++;
        }
        if (src != SQLITE_DONE) status = src == SQLITE_ROW ? fail(r, 500, "out of memory%s", "") : db_error(r, db);
        sqlite3_finalize(st);
    }
    if (status != 200) {
        free(pts);
        free(groups);
        return status;
    }
    /* the event's first vessel first, then its second, then anything else */
    long g1 = -1, g2 = -1;
    for (size_t g = 0; g < ngroups; g++) {
        for (unsigned k = 0; k < ev->nvessels; k++)
            if (groups[g].mmsi == ev->mmsi[k] && groups[g].segment == ev->segment[k] && groups[g].n) {
                if (k == 0 && g1 < 0) g1 = (long)g;
                else if (k == 1 && g2 < 0 && (long)g != g1) g2 = (long)g;
            }
    }
    fputs(",\"tracks\":[", out);
    int written = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (size_t g = 0; g < ngroups; g++) {
            bool is1 = (long)g == g1, is2 = (long)g == g2;
            if ((pass == 0 && !is1) || (pass == 1 && !is2) || (pass == 2 && (is1 || is2))) continue;
            if (written++) fputc(',', out);
            fprintf(out, "{\"mmsi\":%lld,\"segment\":%lld,\"points\":[", (long long)groups[g].mmsi,
                    (long long)groups[g].segment);
            for (size_t i = 0; i < groups[g].n; i++) {
                const tpoint *p = &pts[groups[g].first + i];
                fprintf(out, "%s[\"%s\",%.7f,%.7f,", i ? "," : "", p->time, p->lon, p->lat);
                put_num(out, p->sog, "%.10g");
                fputc(',', out);
                put_num(out, p->cog, "%.10g");
                fprintf(out, ",%d]", p->in_event);
            }
            fputs("]}", out);
        }
    }
    fputs("],\"distance\":[", out);
    if (ev->nvessels == 2 && g1 >= 0 && g2 >= 0) {
        const tpoint *a = pts + groups[g1].first, *b = pts + groups[g2].first;
        size_t na = groups[g1].n, nb = groups[g2].n;
        int n = 0;
        for (size_t i = 0; i < na; i++) {
            long j = nearest(b, nb, a[i].ms);
            if (j < 0 || llabs(b[j].ms - a[i].ms) > PAIR_MAX_MS) continue;
            double d = aw_distance_m(a[i].lat, a[i].lon, b[j].lat, b[j].lon);
            fprintf(out, "%s[\"%s\",%.1f]", n++ ? "," : "", a[i].time, d);
        }
    }
    fputc(']', out);
    free(pts);
    free(groups);
    return 200;
}

static int api_event(sqlite3 *db, const serve_file *f, const char *id, reply *r) {
    if (!*id || strchr(id, '/')) return fail(r, 404, "no such path%s", "");
    if (!f->events) return fail(r, 404, "no event '%.200s' (the file has no events layer)", id);
    char sql[2048];
    size_t len = cli_event_columns(sql, sizeof sql, (size_t)snprintf(sql, sizeof sql, "SELECT "));
    snprintf(sql + len, sizeof sql - len, " FROM events WHERE id = ?1");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(r, db);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        sqlite3_finalize(st);
        return src == SQLITE_DONE ? fail(r, 404, "no event '%.200s'", id) : db_error(r, db);
    }
    aw_event_row ev;
    cli_event_storage rs;
    cli_event_row(st, &ev, &rs);
    char *json = NULL, *linked = NULL;
    size_t cap = 0;
    int status = 200;
    if (!cli_event_json(&ev, &json, &cap) || (ev.linked && !(linked = strdup(ev.linked)))) {
        status = fail(r, 500, "out of memory%s", "");
    } else {
        fputs("{\"event\":", r->out);
        fputs(json, r->out);
    }
    /* the event's own values are copied before the statement moves on to its links */
    aw_event_row keep = {.nvessels = ev.nvessels};
    memcpy(keep.mmsi, ev.mmsi, sizeof ev.mmsi);
    memcpy(keep.segment, ev.segment, sizeof ev.segment);
    if (status == 200) {
        fputs(",\"linked\":[", r->out);
        int n = 0;
        char *save = NULL;
        for (char *lid = linked ? strtok_r(linked, ",", &save) : NULL; lid; lid = strtok_r(NULL, ",", &save)) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, lid, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_ROW) continue; /* a link to an event not in this file */
            aw_event_row lr;
            cli_event_storage lrs;
            cli_event_row(st, &lr, &lrs);
            if (!cli_event_json(&lr, &json, &cap)) {
                status = fail(r, 500, "out of memory%s", "");
                break;
            }
            if (n++) fputc(',', r->out);
            fputs(json, r->out);
        }
        fputc(']', r->out);
    }
    sqlite3_finalize(st);
    free(json);
    free(linked);
    if (status == 200) status = event_tracks(db, f, id, &keep, r);
    if (status == 200) fputc('}', r->out);
    return status;
}

/* ---- /api/vessels/{mmsi} -------------------------------------------------------------------- */

/* Vertices of a GeoPackage LINESTRING: the GP header (magic, version, flags with the
 * envelope kind and byte order, srs_id, envelope), then WKB. 2D only, as aiswatch writes;
 * returns the number of vertices and sets *xy to the first, or -1. */
static long line_vertices(const unsigned char *b, size_t n, const unsigned char **xy, bool *le) {
    static const size_t env_len[8] = {0, 32, 48, 48, 64, 0, 0, 0};
    if (n < 8 || b[0] != 'G' || b[1] != 'P') return -1;
    unsigned kind = (b[3] >> 1) & 7;
    if (kind > 4) return -1;
    size_t o = 8 + env_len[kind];
    if (n < o + 9) return -1;
    *le = b[o] == 1;
    uint32_t type, count;
    const unsigned char *t = b + o + 1, *c = b + o + 5;
    type = *le ? (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24
               : (uint32_t)t[3] | (uint32_t)t[2] << 8 | (uint32_t)t[1] << 16 | (uint32_t)t[0] << 24;
    if (type != 2) return -1;
    count = *le ? (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24
                : (uint32_t)c[3] | (uint32_t)c[2] << 8 | (uint32_t)c[1] << 16 | (uint32_t)c[0] << 24;
    if ((n - o - 9) / 16 < count) return -1;
    *xy = b + o + 9;
    return (long)count;
}

static double wkb_double(const unsigned char *p, bool le) {
    unsigned char tmp[8];
    for (int i = 0; i < 8; i++) tmp[i] = le ? p[i] : p[7 - i];
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--) bits = bits << 8 | tmp[i];
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* ---- where a vessel's positions are --------------------------------------------------------- */

/* Whether positions row `fid` is the given vessel's. */
static bool row_is(sqlite3_stmt *st, int64_t fid, int64_t mmsi, int64_t segment) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, fid);
    return sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == mmsi && sqlite3_column_int64(st, 1) == segment;
}

int serve_position_ranges(sqlite3 *db, serve_file *f) {
    f->ranges = NULL, f->nranges = 0, f->positions_max_fid = 0;
    if (!f->positions || !f->vessels) return 0;
    sqlite3_stmt *vs = NULL, *ps = NULL;
    serve_range *r = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    bool good = sqlite3_prepare_v2(db, "SELECT mmsi, segment, n_positions FROM vessels ORDER BY fid", -1, &vs, NULL) ==
                    SQLITE_OK &&
                sqlite3_prepare_v2(db, "SELECT mmsi, segment FROM positions WHERE fid = ?1", -1, &ps, NULL) == SQLITE_OK;
    int64_t next = 1, last_mmsi = -1, last_seg = -1;
    while (good && sqlite3_step(vs) == SQLITE_ROW) {
        int64_t mmsi = sqlite3_column_int64(vs, 0), seg = sqlite3_column_int64(vs, 1), count = sqlite3_column_int64(vs, 2);
        if (mmsi < 0 || mmsi > (int64_t)UINT32_MAX || count < 0 ||
            (mmsi == last_mmsi ? seg <= last_seg : mmsi < last_mmsi)) {
            good = false;
            break;
        }
        last_mmsi = mmsi, last_seg = seg;
        if (count == 0) continue; /* heard only in static reports: no rows */
        int64_t a = next, b = next + count - 1;
        if (!row_is(ps, a, mmsi, seg) || !row_is(ps, b, mmsi, seg)) {
            good = false;
            break;
        }
        if (n && r[n - 1].mmsi == (uint32_t)mmsi) {
            r[n - 1].last_fid = b;
        } else {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                serve_range *g = realloc(r, cap * sizeof *g);
                if (!g) {
                    rc = -1;
                    good = false;
                    break;
                }
                r = g;
            }
            r[n++] = (serve_range){(uint32_t)mmsi, a, b};
        }
        next = b + 1;
    }
    sqlite3_finalize(vs);
    sqlite3_finalize(ps);
    /* No row past the last vessel's (rows added by hand after the scan). */
    if (good && max_fid(db) != next - 1) good = false;
    if (!good || !n) {
        free(r);
        return rc;
    }
    int64_t rows = count_of(db, "SELECT count(*) FROM positions");
    if (rows < 0) {
        free(r);
        return 0;
    }
    f->ranges = r, f->nranges = n, f->positions_max_fid = next - 1, f->positions_count = rows;
    return 0;
}

/* The fids of the MMSI's positions: 1 and the range, 0 when it has none, -1 when the
 * whole layer must be searched (no ranges, or the file is not the one measured at start). */
static int position_range(sqlite3 *db, const serve_file *f, unsigned long long mmsi, int64_t *a, int64_t *b) {
    if (!f->ranges || max_fid(db) != f->positions_max_fid) return -1;
    size_t lo = 0, hi = f->nranges;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (f->ranges[m].mmsi < mmsi) lo = m + 1;
        else hi = m;
    }
    if (lo == f->nranges || f->ranges[lo].mmsi != mmsi) return 0;
    *a = f->ranges[lo].first_fid, *b = f->ranges[lo].last_fid;
    return 1;
}

/* The track of an MMSI between two times: every position, or every k-th beyond TRACK_MAX. */
static int vessel_track(sqlite3 *db, const serve_file *f, unsigned long long mmsi, const char *from, const char *to,
                        reply *r) {
    FILE *out = r->out;
    char where[256];
    int64_t fid_a = 0, fid_b = 0;
    int ranged = f->positions ? position_range(db, f, mmsi, &fid_a, &fid_b) : -1;
    snprintf(where, sizeof where, " WHERE mmsi = ?1%s%s%s",
             from[0] ? (f->positions ? " AND time >= ?2" : " AND end_time >= ?2") : "",
             to[0] ? (f->positions ? " AND time <= ?3" : " AND start_time <= ?3") : "",
             ranged == 1 ? " AND fid BETWEEN ?4 AND ?5" : ranged == 0 ? " AND 0" : "");
    char sql[512];
    if (f->positions) snprintf(sql, sizeof sql, "SELECT count(*) FROM positions%s", where);
    else if (f->tracks) snprintf(sql, sizeof sql, "SELECT coalesce(sum(n_points), 0) FROM tracks%s", where);
    else {
        fputs(",\"track\":[],\"track_source\":null,\"simplified\":false", out);
        return 200;
    }
    sqlite3_stmt *st = NULL;
    int64_t total = -1;
    for (int pass = 0; pass < 2; pass++) {
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(r, db);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)mmsi);
        if (from[0]) sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
        if (to[0]) sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
        if (ranged == 1) sqlite3_bind_int64(st, 4, fid_a), sqlite3_bind_int64(st, 5, fid_b);
        if (pass == 1) break;
        total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        if (total < 0) return db_error(r, db);
        /* segments apart (one MMSI shared by several ships is split into segments), each in time order */
        if (f->positions)
            snprintf(sql, sizeof sql, "SELECT time, sog_kn, geom, segment FROM positions%s ORDER BY segment, time", where);
        else
            snprintf(sql, sizeof sql,
                     "SELECT start_time, end_time, geom, segment FROM tracks%s ORDER BY segment, start_time", where);
    }
    int64_t k = total > TRACK_MAX ? (total + TRACK_MAX - 1) / TRACK_MAX : 1;
    fputs(",\"track\":[", out);
    int64_t i = 0, written = 0, last_segment = -1;
    char seg_starts[4096];
    size_t sl = 0;
    seg_starts[0] = 0;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seg = sqlite3_column_int64(st, 3);
        bool new_segment = seg != last_segment;
        last_segment = seg;
        if (f->positions) {
            double lon, lat;
            bool keep = i++ % k == 0;
            if (!keep || !point_of(st, 2, &lon, &lat)) continue;
            if (new_segment && sl < sizeof seg_starts - 24)
                sl += (size_t)snprintf(seg_starts + sl, sizeof seg_starts - sl, "%s%lld", sl ? "," : "", (long long)written);
            fputs(written++ ? "," : "", out);
            fputc('[', out);
            put_time(out, (const char *)sqlite3_column_text(st, 0));
            fprintf(out, ",%.7f,%.7f,", lon, lat);
            put_num(out, col_double(st, 1), "%.10g");
            fputc(']', out);
        } else {
            /* a line carries times only at its ends: inner vertices get null, not a guess */
            const unsigned char *xy;
            bool le;
            long nv = line_vertices(sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2), &xy, &le);
            if (new_segment && sl < sizeof seg_starts - 24)
                sl += (size_t)snprintf(seg_starts + sl, sizeof seg_starts - sl, "%s%lld", sl ? "," : "", (long long)written);
            for (long v = 0; v < nv; v++) {
                if (i++ % k != 0) continue;
                fputs(written++ ? ",[" : "[", out);
                if (v == 0) put_time(out, (const char *)sqlite3_column_text(st, 0));
                else if (v == nv - 1) put_time(out, (const char *)sqlite3_column_text(st, 1));
                else fputs("null", out);
                fprintf(out, ",%.7f,%.7f,null]", wkb_double(xy + 16 * v, le), wkb_double(xy + 16 * v + 8, le));
            }
        }
    }
    sqlite3_finalize(st);
    if (src != SQLITE_DONE) return db_error(r, db);
    fprintf(out, "],\"track_source\":\"%s\",\"segment_starts\":[%s],\"simplified\":%s", f->positions ? "positions" : "tracks",
            seg_starts, k > 1 ? "true" : "false");
    return 200;
}

static int api_vessel(sqlite3 *db, const serve_file *f, const char *arg_mmsi, serve_arg_fn arg, void *cls, reply *r) {
    unsigned long long mmsi;
    if (!parse_count(arg_mmsi, 999999999, &mmsi)) return fail(r, 400, "an MMSI is a number of up to 9 digits, not '%.100s'", arg_mmsi);
    char from[96] = "", to[96] = "";
    const char *v;
    if ((v = arg(cls, "from")) && !cli_parse_iso(v, from))
        return fail(r, 400, "from: wants an ISO 8601 UTC time such as 2016-03-31T12:00:00Z, not '%.100s'", v);
    if ((v = arg(cls, "to")) && !cli_parse_iso(v, to))
        return fail(r, 400, "to: wants an ISO 8601 UTC time such as 2016-03-31T12:00:00Z, not '%.100s'", v);
    if (from[0] && to[0] && strcmp(from, to) > 0) return fail(r, 400, "from is after to%s", "");
    if (!f->vessels || !f->history) return fail(r, 404, "no vessel %s (the file has no vessels layer)", arg_mmsi);
    FILE *out = r->out;
    fputs("{\"vessels\":[", out);
    unsigned long long n = 0;
    const char *why = NULL;
    if (cli_vessels_write(db, true, mmsi, CLI_VESSELS_ARRAY, out, &n, &why) != 0)
        return fail(r, 500, "reading the GeoPackage: %s", why);
    if (n == 0) return fail(r, 404, "no vessel %s", arg_mmsi);
    fputs("],\"sanctions\":[", out);
    if (f->sanctions) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT * FROM sanctions_matches WHERE mmsi = ?1 ORDER BY segment, fid", -1, &st,
                               NULL) != SQLITE_OK)
            return db_error(r, db);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)mmsi);
        int rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            fputs(rows++ ? ",{" : "{", out);
            int cols = sqlite3_column_count(st), put = 0;
            for (int c = 0; c < cols; c++) {
                const char *name = sqlite3_column_name(st, c);
                if (strcmp(name, "fid") == 0) continue;
                if (put++) fputc(',', out);
                put_str(out, name);
                fputc(':', out);
                put_col(out, st, c);
            }
            fputc('}', out);
        }
        sqlite3_finalize(st);
    }
    fputc(']', out);
    int status = vessel_track(db, f, mmsi, from, to, r);
    if (status == 200) fputc('}', out);
    return status;
}

/* ---- routing ----------------------------------------------------------------------------- */

int serve_api(sqlite3 *db, const serve_file *f, const char *path, serve_arg_fn arg, void *cls, char **body,
              size_t *len) {
    reply r = {.status = 200};
    char *buf = NULL;
    size_t n = 0;
    *body = NULL;
    *len = 0;
    r.out = open_memstream(&buf, &n);
    if (!r.out) return 500;
    int status;
    if (strcmp(path, "/api/meta") == 0) status = api_meta(db, f, &r);
    else if (strcmp(path, "/api/events") == 0) status = api_events(db, f, arg, cls, &r);
    else if (strncmp(path, "/api/events/", 12) == 0) status = api_event(db, f, path + 12, &r);
    else if (strncmp(path, "/api/vessels/", 13) == 0 && path[13] && !strchr(path + 13, '/'))
        status = api_vessel(db, f, path + 13, arg, cls, &r);
    else status = fail(&r, 404, "no such path: %.200s", path);
    if (status != 200) {
        /* the partial answer is dropped for the error */
        rewind(r.out);
        fputs("{\"error\":", r.out);
        put_str(r.out, r.err);
        fputc('}', r.out);
        long end = ftell(r.out);
        if (fclose(r.out) != 0 || end < 0) {
            free(buf);
            return 500;
        }
        n = (size_t)end;
    } else if (fclose(r.out) != 0) {
        free(buf);
        return 500;
    }
    *body = buf;
    *len = n;
    return status;
}
