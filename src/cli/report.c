/* report.c — `aiswatch report RUN.gpkg EVENT_ID -o FILE.html|FILE.pdf`: one event's
 * evidence sheet.
 *
 * The sheet is one HTML file with nothing outside it (inline CSS, inline SVG, no fonts or
 * scripts to fetch): it has to open on an analyst's offline machine and still show the
 * same thing years later in a case file. Everything on it is read from the GeoPackage the
 * scan wrote — the event, its evidence positions (event_tracks), the vessels' identities
 * and history, the sanctions matches, the parameters and the input files with their
 * SHA-256 — so the sheet is reproducible from the file it cites. The PDF is the same HTML
 * printed by headless Chromium, so the two never disagree. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aiswatch/geo.h"
#include "aiswatch/gpkg.h"
#include "cli.h"
#include "event_query.h"

#ifndef AW_VERSION
#define AW_VERSION "dev"
#endif

#define PDF_TIMEOUT_S 120
#define MAX_VES 2

static const char *const COLORS[MAX_VES] = {"#c0392b", "#1f5fa8"};

typedef struct tpt {
    int64_t ms;
    double lat, lon, sog, cog;
    bool in_event;
} tpt;

typedef struct vtrack {
    int64_t mmsi, segment;
    tpt *p;
    size_t n, cap;
} vtrack;

typedef struct hist {
    char field[24];
    char value[128];
    int64_t first, last, n;
    char first_s[40], last_s[40];
} hist;

typedef struct report {
    sqlite3 *db;
    FILE *f;
    aw_event_row ev;
    int64_t start_ms, end_ms;
    vtrack v[MAX_VES];
    unsigned nv;
    int64_t t0, t1;          /* the time axis: every evidence position */
    double thresh_m;         /* encounter_distance_m of the run, NAN when unknown */
    aw_geo *geo;             /* NULL: no coastline */
    const char *land_note;
} report;

/* ---- small helpers --------------------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

static double col_real(sqlite3_stmt *st, int i) {
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static bool table_exists(sqlite3 *db, const char *name) {
    sqlite3_stmt *st;
    bool yes = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

/* GeoPackage DATETIME text (or the trimmed form) to Unix milliseconds. */
static bool parse_ms(const char *s, int64_t *ms) {
    int y, mo, d, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return false;
    int frac = 0;
    if (s[n] == '.') {
        int digits = 0;
        for (const char *p = s + n + 1; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3) frac = frac * 10 + (*p - '0');
        for (; digits < 3; digits++) frac *= 10;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    *ms = (int64_t)timegm(&tm) * 1000 + frac;
    return true;
}

static void fmt_ms(int64_t ms, char *buf, size_t cap, const char *fmt) {
    time_t s = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, cap, fmt, &tm);
}

/* Text into HTML (element content and attribute values alike). */
static void esc(FILE *f, const char *s) {
    if (!s) return;
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void td_text(FILE *f, const char *s) {
    fputs("<td>", f);
    if (s && *s) esc(f, s);
    else fputs("<span class=na>—</span>", f);
    fputs("</td>", f);
}

static void td_num(FILE *f, double v, const char *fmt) {
    if (isnan(v)) {
        fputs("<td class=num><span class=na>—</span></td>", f);
        return;
    }
    fputs("<td class=num>", f);
    fprintf(f, fmt, v);
    fputs("</td>", f);
}

static void fmt_latlon(double lat, double lon, char *buf, size_t cap) {
    if (isnan(lat) || isnan(lon)) snprintf(buf, cap, "—");
    else snprintf(buf, cap, "%.5f° %c, %.5f° %c", fabs(lat), lat >= 0 ? 'N' : 'S', fabs(lon), lon >= 0 ? 'E' : 'W');
}

static int vessel_of(const report *r, int64_t mmsi, int64_t segment) {
    for (unsigned k = 0; k < r->nv; k++)
        if (r->v[k].mmsi == mmsi && r->v[k].segment == segment) return (int)k;
    return -1;
}

static const char *vessel_label(const report *r, unsigned k, char *buf, size_t cap) {
    const char *name = k < 2 ? r->ev.name[k] : NULL;
    if (name && *name) snprintf(buf, cap, "%s (%lld)", name, (long long)r->v[k].mmsi);
    else snprintf(buf, cap, "MMSI %lld", (long long)r->v[k].mmsi);
    return buf;
}

/* ---- reading ----------------------------------------------------------------------------- */

static const char *check_file(sqlite3 *db) {
    sqlite3_stmt *st;
    const char *why = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) != SQLITE_OK) return sqlite3_errmsg(db);
    if (sqlite3_step(st) != SQLITE_ROW) why = sqlite3_errmsg(db);
    else if (sqlite3_column_int64(st, 0) != 0x47504B47) why = "no GeoPackage application_id";
    sqlite3_finalize(st);
    if (why) return why;
    if (!table_exists(db, "events") || !table_exists(db, "event_tracks")) return "no events and event_tracks layers";
    return NULL;
}

static int load_tracks(report *r) {
    for (unsigned k = 0; k < r->ev.nvessels && k < MAX_VES; k++) {
        r->v[k].mmsi = r->ev.mmsi[k];
        r->v[k].segment = r->ev.segment[k];
    }
    r->nv = r->ev.nvessels > MAX_VES ? MAX_VES : r->ev.nvessels;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT mmsi, segment, time, sog_kn, cog_deg, in_event, geom FROM event_tracks"
                           " WHERE event_id = ?1 ORDER BY mmsi, segment, time",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, r->ev.id, -1, SQLITE_STATIC);
    r->t0 = r->start_ms, r->t1 = r->end_ms;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = vessel_of(r, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
        if (k < 0) continue;
        tpt p;
        double bbox[4];
        const void *blob = sqlite3_column_blob(st, 6);
        if (!parse_ms(col_text(st, 2), &p.ms) || !blob ||
            aw_gpkg_geom_bbox(blob, (size_t)sqlite3_column_bytes(st, 6), NULL, bbox) != 0)
            continue; /* a point without time or place cannot be drawn */
        p.lon = bbox[0], p.lat = bbox[2];
        p.sog = col_real(st, 3), p.cog = col_real(st, 4);
        p.in_event = sqlite3_column_int(st, 5) != 0;
        vtrack *v = &r->v[k];
        if (v->n == v->cap) {
            size_t cap = v->cap ? v->cap * 2 : 256;
            tpt *np = realloc(v->p, cap * sizeof *np);
            if (!np) {
                sqlite3_finalize(st);
                return -1;
            }
            v->p = np, v->cap = cap;
        }
        v->p[v->n++] = p;
        if (p.ms < r->t0) r->t0 = p.ms;
        if (p.ms > r->t1) r->t1 = p.ms;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static size_t load_history(sqlite3 *db, int64_t mmsi, int64_t segment, hist **out) {
    *out = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT field, value, first_seen, last_seen, n_reports FROM identity_history"
                           " WHERE mmsi = ?1 AND segment = ?2 ORDER BY fid",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, mmsi);
    sqlite3_bind_int64(st, 2, segment);
    size_t n = 0, cap = 0;
    hist *h = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            hist *nh = realloc(h, cap * sizeof *nh);
            if (!nh) break;
            h = nh;
        }
        hist *e = &h[n];
        memset(e, 0, sizeof *e);
        snprintf(e->field, sizeof e->field, "%s", col_text(st, 0) ? col_text(st, 0) : "");
        snprintf(e->value, sizeof e->value, "%s", col_text(st, 1) ? col_text(st, 1) : "");
        char buf[40];
        snprintf(e->first_s, sizeof e->first_s, "%s", col_text(st, 2) ? cli_trim_time(col_text(st, 2), buf) : "");
        snprintf(e->last_s, sizeof e->last_s, "%s", col_text(st, 3) ? cli_trim_time(col_text(st, 3), buf) : "");
        if (!parse_ms(e->first_s, &e->first)) e->first = INT64_MIN;
        if (!parse_ms(e->last_s, &e->last)) e->last = INT64_MAX;
        e->n = sqlite3_column_int64(st, 4);
        n++;
    }
    sqlite3_finalize(st);
    *out = h;
    return n;
}

/* The value a field had at the event, by the rule the events layer uses (docs/geopackage.md):
 * the value whose [first_seen, last_seen] is nearest the event, overlapping counting as 0
 * and, among overlapping ones, the longest overlap. */
static const hist *at_the_time(const hist *h, size_t n, const char *field, int64_t s, int64_t e) {
    const hist *best = NULL;
    double best_key = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(h[i].field, field) != 0) continue;
        double lo = (double)(h[i].first > s ? h[i].first : s), hi = (double)(h[i].last < e ? h[i].last : e);
        double key = hi >= lo ? -(hi - lo) - 1 : lo - hi; /* negative: overlapping, longer is smaller */
        if (key < best_key) best_key = key, best = &h[i];
    }
    return best;
}

/* ---- distance between the two vessels ------------------------------------------------- */

/* Vessel b's position at time ms, linear between its reports when they are at most an
 * hour apart: the chart must not draw a line across a silence. */
static bool interp(const vtrack *b, int64_t ms, double *lat, double *lon) {
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b->p[mid].ms < ms) lo = mid + 1;
        else hi = mid;
    }
    if (lo < b->n && b->p[lo].ms == ms) {
        *lat = b->p[lo].lat, *lon = b->p[lo].lon;
        return true;
    }
    if (lo == 0 || lo == b->n) return false;
    const tpt *p = &b->p[lo - 1], *q = &b->p[lo];
    if (q->ms - p->ms > 3600000) return false;
    double f = (double)(ms - p->ms) / (double)(q->ms - p->ms);
    *lat = p->lat + f * (q->lat - p->lat);
    *lon = p->lon + f * (q->lon - p->lon);
    return true;
}

/* d[i] for each point of vessel 0 (NAN where vessel 1 cannot be placed). */
static double *distances(const report *r) {
    if (r->nv < 2 || !r->v[0].n || !r->v[1].n) return NULL;
    double *d = malloc(r->v[0].n * sizeof *d);
    if (!d) return NULL;
    for (size_t i = 0; i < r->v[0].n; i++) {
        double lat, lon;
        d[i] = interp(&r->v[1], r->v[0].p[i].ms, &lat, &lon)
                   ? aw_distance_m(r->v[0].p[i].lat, r->v[0].p[i].lon, lat, lon)
                   : NAN;
    }
    return d;
}

/* ---- SVG: time charts ------------------------------------------------------------------- */

enum { CW = 680, CH = 170, ML = 58, MR = 12, MT = 22, MB = 30 };

typedef struct chart {
    int64_t t0, t1;
    double y0, y1;
    bool logy;
} chart;

static double cx(const chart *c, int64_t ms) {
    double span = (double)(c->t1 - c->t0);
    return ML + (span > 0 ? (double)(ms - c->t0) / span : 0.5) * (CW - ML - MR);
}

static double cy(const chart *c, double v) {
    double a = c->y0, b = c->y1;
    if (c->logy) v = log10(v > 1 ? v : 1), a = log10(a), b = log10(b);
    double f = b > a ? (v - a) / (b - a) : 0.5;
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    return CH - MB - f * (CH - MT - MB);
}

/* A tick step that gives at most ~8 labels across the window. */
static int64_t time_step(int64_t span_ms) {
    static const int64_t steps[] = {600000, 1800000, 3600000, 7200000, 10800000, 21600000, 43200000, 86400000};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span_ms / steps[i] <= 8) return steps[i];
    return 86400000 * ((span_ms / 86400000) / 8 + 1);
}

static void chart_begin(FILE *f, const chart *c, const char *title, const char *unit, const report *r) {
    fprintf(f, "<svg class=chart viewBox=\"0 0 %d %d\" role=img aria-label=\"", CW, CH);
    esc(f, title);
    fputs("\">\n", f);
    /* the event's span, shaded: what lies inside is the finding, the rest context */
    fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=span />\n", cx(c, r->start_ms), MT,
            fmax(cx(c, r->end_ms) - cx(c, r->start_ms), 1.0), CH - MT - MB);
    fprintf(f, "<text x=\"%d\" y=\"14\" class=ct>", ML);
    esc(f, title);
    fprintf(f, "</text><text x=\"%d\" y=\"14\" class=cu text-anchor=end>", CW - MR);
    esc(f, unit);
    fputs("</text>\n", f);
    /* y grid */
    if (c->logy) {
        for (double v = 1; v <= c->y1 * 1.0001; v *= 10) {
            if (v < c->y0) continue;
            double y = cy(c, v);
            fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=grid />", ML, CW - MR, y, y);
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=yl text-anchor=end>", ML - 4, y + 3);
            if (v >= 1000) fprintf(f, "%g km", v / 1000);
            else fprintf(f, "%g m", v);
            fputs("</text>\n", f);
        }
    } else {
        double span = c->y1 - c->y0, step = pow(10, floor(log10(span > 0 ? span : 1)));
        if (span / step < 3) step /= 2;
        if (span / step > 6) step *= 2;
        for (double v = ceil(c->y0 / step) * step; v <= c->y1 + 1e-9; v += step) {
            double y = cy(c, v);
            fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=grid />", ML, CW - MR, y, y);
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=yl text-anchor=end>%g</text>\n", ML - 4, y + 3, v);
        }
    }
    /* time axis */
    int64_t step = time_step(c->t1 - c->t0);
    int64_t first = (c->t0 / step + (c->t0 % step != 0)) * step;
    int last_day = -1;
    for (int64_t t = first; t <= c->t1; t += step) {
        double x = cx(c, t);
        char hm[16], day[16];
        fmt_ms(t, hm, sizeof hm, "%H:%M");
        fmt_ms(t, day, sizeof day, "%m-%d");
        int d = (int)(t / 86400000);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=grid />", x, x, MT, CH - MB);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=xl text-anchor=middle>%s</text>", x, CH - MB + 12, hm);
        if (d != last_day) fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=xl text-anchor=middle>%s</text>", x, CH - MB + 24, day);
        fputc('\n', f);
        last_day = d;
    }
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=frame />\n", ML, MT, CW - ML - MR,
            CH - MT - MB);
}

/* A polyline of (ms, value) broken where the value is missing or the reports are more
 * than an hour apart; the values are val[i], or the points' speeds when val is NULL. */
static void chart_series(FILE *f, const chart *c, const tpt *p, const double *val, size_t n, const char *color,
                         double width) {
    bool open = false;
    int64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        double v = val ? val[i] : p[i].sog;
        if (isnan(v) || (c->logy && v <= 0)) {
            if (open) fputs("\"/>\n", f);
            open = false;
            continue;
        }
        if (open && p[i].ms - prev > 3600000) {
            fputs("\"/>\n", f);
            open = false;
        }
        if (!open) fprintf(f, "<polyline fill=none stroke=\"%s\" stroke-width=\"%.1f\" points=\"", color, width);
        fprintf(f, "%.1f,%.1f ", cx(c, p[i].ms), cy(c, v));
        open = true;
        prev = p[i].ms;
    }
    if (open) fputs("\"/>\n", f);
}

static void legend(FILE *f, const report *r) {
    fputs("<p class=legend>", f);
    for (unsigned k = 0; k < r->nv; k++) {
        char lb[160];
        fprintf(f, "<span><i style=\"background:%s\"></i>", COLORS[k]);
        esc(f, vessel_label(r, k, lb, sizeof lb));
        fputs("</span> ", f);
    }
    fputs("<span><i class=spanbox></i>the event's span</span></p>\n", f);
}

static void charts(report *r, const double *dist) {
    FILE *f = r->f;
    fputs("<section><h2>Timeline</h2>\n", f);
    legend(f, r);
    if (dist) {
        double mx = 0;
        for (size_t i = 0; i < r->v[0].n; i++)
            if (!isnan(dist[i]) && dist[i] > mx) mx = dist[i];
        if (!isnan(r->thresh_m) && r->thresh_m > mx) mx = r->thresh_m;
        chart c = {r->t0, r->t1, 10, pow(10, ceil(log10(mx > 100 ? mx : 100))), true};
        chart_begin(f, &c, "Distance between the vessels (log scale)", "metres", r);
        if (!isnan(r->thresh_m) && r->thresh_m > 0) {
            double y = cy(&c, r->thresh_m);
            fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=thresh />", ML, CW - MR, y, y);
            fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=tl text-anchor=end>threshold %g m</text>\n", CW - MR - 4,
                    y - 3, r->thresh_m);
        }
        chart_series(f, &c, r->v[0].p, dist, r->v[0].n, "#333", 1.4);
        fputs("</svg>\n<p class=note>Distance from each report of the first vessel to the second vessel's position "
              "at that time (linear between its reports, none across a silence over 1 h).</p>\n",
              f);
    }
    /* speeds */
    double mx = 2;
    for (unsigned k = 0; k < r->nv; k++)
        for (size_t i = 0; i < r->v[k].n; i++)
            if (!isnan(r->v[k].p[i].sog) && r->v[k].p[i].sog > mx) mx = r->v[k].p[i].sog;
    chart c = {r->t0, r->t1, 0, ceil(mx * 1.1), false};
    chart_begin(f, &c, "Speed over ground", "knots", r);
    for (unsigned k = 0; k < r->nv; k++)
        chart_series(f, &c, r->v[k].p, NULL, r->v[k].n, COLORS[k], 1.3);
    fputs("</svg>\n", f);
    /* draught: the values the vessels reported, each over the time it was reported */
    hist *h[MAX_VES] = {0};
    size_t nh[MAX_VES] = {0};
    double lo = INFINITY, hi = -INFINITY;
    for (unsigned k = 0; k < r->nv; k++) {
        nh[k] = load_history(r->db, r->v[k].mmsi, r->v[k].segment, &h[k]);
        for (size_t i = 0; i < nh[k]; i++)
            if (strcmp(h[k][i].field, "draught_m") == 0 && h[k][i].last >= r->t0 && h[k][i].first <= r->t1) {
                double v = atof(h[k][i].value);
                lo = fmin(lo, v), hi = fmax(hi, v);
            }
    }
    if (lo <= hi) {
        chart d = {r->t0, r->t1, floor(lo - 1 < 0 ? 0 : lo - 1), ceil(hi + 1), false};
        chart_begin(f, &d, "Reported draught", "metres", r);
        for (unsigned k = 0; k < r->nv; k++)
            for (size_t i = 0; i < nh[k]; i++) {
                if (strcmp(h[k][i].field, "draught_m") != 0) continue;
                int64_t a = h[k][i].first < r->t0 ? r->t0 : h[k][i].first;
                int64_t b = h[k][i].last > r->t1 ? r->t1 : h[k][i].last;
                if (b < a) continue;
                double y = cy(&d, atof(h[k][i].value)) + (k ? 1.5 : -1.5); /* equal values stay both visible */
                fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\" />",
                        cx(&d, a), fmax(cx(&d, b), cx(&d, a) + 1), y, y, COLORS[k]);
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=vl fill=\"%s\">", cx(&d, a) + 3, k ? y + 11 : y - 4, COLORS[k]);
                esc(f, h[k][i].value);
                fputs(" m</text>\n", f);
            }
        fputs("</svg>\n<p class=note>Each value from the identity history, drawn from the first to the last report "
              "that carried it (static reports come every few minutes; a change shows as a step).</p>\n",
              f);
    } else {
        fputs("<p class=note>No draught was reported in this window.</p>\n", f);
    }
    for (unsigned k = 0; k < r->nv; k++) free(h[k]);
    fputs("</section>\n", f);
}

/* ---- SVG: the map ------------------------------------------------------------------------ */

enum { MW = 680 };

typedef struct proj {
    double lon0, lat1, kx, ky;
    int w, h;
} proj;

static double px(const proj *p, double lon) { return (lon - p->lon0) * p->kx; }
static double py(const proj *p, double lat) { return (p->lat1 - lat) * p->ky; }

static void map(report *r, size_t closest_i, const double *dist) {
    FILE *f = r->f;
    double w = INFINITY, e = -INFINITY, s = INFINITY, n = -INFINITY;
    for (unsigned k = 0; k < r->nv; k++)
        for (size_t i = 0; i < r->v[k].n; i++) {
            w = fmin(w, r->v[k].p[i].lon), e = fmax(e, r->v[k].p[i].lon);
            s = fmin(s, r->v[k].p[i].lat), n = fmax(n, r->v[k].p[i].lat);
        }
    if (!isnan(r->ev.lat)) {
        w = fmin(w, r->ev.lon), e = fmax(e, r->ev.lon), s = fmin(s, r->ev.lat), n = fmax(n, r->ev.lat);
    }
    fputs("<section class=mapsec><h2>Map</h2>\n", f);
    if (!(w <= e)) {
        fputs("<p class=note>No evidence positions with a place: nothing to draw.</p></section>\n", f);
        return;
    }
    /* Equirectangular, scaled by cos(latitude) at the centre: true shape at this scale. */
    double latc = (s + n) / 2, cosl = cos(latc * M_PI / 180);
    double dx = (e - w) * cosl, dy = n - s, pad = fmax(fmax(dx, dy) * 0.12, 0.02);
    double minspan = 0.1; /* never closer than ~11 km across, so the coast has a chance to show */
    if (dx + 2 * pad < minspan) pad = (minspan - dx) / 2;
    w -= pad / cosl, e += pad / cosl, s -= pad, n += pad;
    dx = (e - w) * cosl, dy = n - s;
    if (dy / dx > 0.62) { /* keep the map on the first printed page, under the summary */
        double grow = (dy / 0.62 - dx) / 2 / cosl;
        w -= grow, e += grow, dx = (e - w) * cosl;
    } else if (dy / dx < 0.45) {
        double grow = (dx * 0.45 - dy) / 2;
        s -= grow, n += grow, dy = n - s;
    }
    proj p = {w, n, MW / (e - w), 0, MW, 0};
    p.ky = p.kx / cosl;
    p.h = (int)ceil(dy * p.ky);
    fprintf(f, "<svg class=map viewBox=\"0 0 %d %d\" role=img aria-label=\"map of the tracks\">\n", p.w, p.h);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" class=sea />\n", p.w, p.h);
    if (r->geo) {
        /* The land mask sampled at the centre of 2-pixel cells, runs of land merged into one
         * rectangle: each cell is exact at its centre, and the file stays small. */
        const int cell = 2;
        fputs("<g class=land>", f);
        for (int y = 0; y < p.h; y += cell) {
            double lat = n - (y + cell / 2.0) / p.ky;
            int run = -1;
            for (int x = 0; x <= p.w; x += cell) {
                bool land = x < p.w && aw_geo_on_land(r->geo, lat, w + (x + cell / 2.0) / p.kx);
                if (land && run < 0) run = x;
                if (!land && run >= 0) {
                    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", run, y, x - run, cell);
                    run = -1;
                }
            }
        }
        fputs("</g>\n", f);
    }
    /* graticule, labelled on the frame */
    double span = fmax(e - w, n - s), step = pow(10, floor(log10(span / 2)));
    if (span / step > 8) step *= 5;
    else if (span / step > 4) step *= 2;
    for (double lon = ceil(w / step) * step; lon <= e; lon += step) {
        double x = px(&p, lon);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%d\" class=grat /><text x=\"%.1f\" y=\"%d\" class=gl>%.*f°%c</text>\n",
                x, x, p.h, x + 2, p.h - 4, step < 1 ? (step < 0.1 ? 2 : 1) : 0, fabs(lon), lon >= 0 ? 'E' : 'W');
    }
    for (double lat = ceil(s / step) * step; lat <= n; lat += step) {
        double y = py(&p, lat);
        fprintf(f, "<line x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=grat /><text x=\"3\" y=\"%.1f\" class=gl>%.*f°%c</text>\n",
                p.w, y, y, y - 2, step < 1 ? (step < 0.1 ? 2 : 1) : 0, fabs(lat), lat >= 0 ? 'N' : 'S');
    }
    /* tracks: the context thin, the part inside the event thick */
    double placed[64][2]; /* time labels already drawn: a label that would cover one is left out */
    size_t nplaced = 0;
    for (unsigned k = 0; k < r->nv; k++) {
        const vtrack *v = &r->v[k];
        for (int pass = 0; pass < 2; pass++) {
            bool open = false;
            for (size_t i = 0; i < v->n; i++) {
                bool want = pass == 0 || v->p[i].in_event;
                bool gap = i > 0 && v->p[i].ms - v->p[i - 1].ms > 3600000;
                if (open && (!want || gap)) {
                    fputs("\"/>\n", f);
                    open = false;
                }
                if (!want) continue;
                if (!open)
                    fprintf(f, "<polyline fill=none stroke=\"%s\" stroke-width=\"%s\" %s points=\"", COLORS[k],
                            pass ? "3.2" : "1.2", pass ? "stroke-linecap=round" : "stroke-opacity=\"0.75\"");
                fprintf(f, "%.1f,%.1f ", px(&p, v->p[i].lon), py(&p, v->p[i].lat));
                open = true;
            }
            if (open) fputs("\"/>\n", f);
        }
        /* a silence of over an hour: dashed, so the eye does not read it as a sailed track */
        for (size_t i = 1; i < v->n; i++)
            if (v->p[i].ms - v->p[i - 1].ms > 3600000)
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\" "
                           "stroke-dasharray=\"4 4\"><title>no reports for %.1f h</title></line>\n",
                        px(&p, v->p[i - 1].lon), py(&p, v->p[i - 1].lat), px(&p, v->p[i].lon), py(&p, v->p[i].lat),
                        COLORS[k], (double)(v->p[i].ms - v->p[i - 1].ms) / 3.6e6);
        /* time labels: one per tick of the same step as the charts, at the first report at or after it */
        int64_t step_ms = time_step(r->t1 - r->t0);
        int64_t next = r->t0 / step_ms * step_ms;
        for (size_t i = 0; i < v->n; i++) {
            if (v->p[i].ms < next) continue;
            double x = px(&p, v->p[i].lon), y = py(&p, v->p[i].lat);
            next = (v->p[i].ms / step_ms + 1) * step_ms;
            bool crowded = nplaced == sizeof placed / sizeof placed[0];
            for (size_t j = 0; j < nplaced && !crowded; j++)
                crowded = fabs(placed[j][0] - x) < 34 && fabs(placed[j][1] - y) < 14;
            if (crowded) continue;
            placed[nplaced][0] = x, placed[nplaced][1] = y, nplaced++;
            char hm[16];
            fmt_ms(v->p[i].ms, hm, sizeof hm, "%H:%M");
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.4\" fill=\"%s\" /><text x=\"%.1f\" y=\"%.1f\" class=ml fill=\"%s\"%s>%s</text>\n",
                    x, y, COLORS[k], x + (k ? -5 : 5), y + (k ? 11 : -5), COLORS[k], k ? " text-anchor=end" : "", hm);
        }
        if (v->n) { /* start and end of the evidence */
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\"><title>first position</title></rect>\n",
                    px(&p, v->p[0].lon) - 3, py(&p, v->p[0].lat) - 3, COLORS[k]);
            fprintf(f, "<path d=\"M%.1f %.1fl4 7h-8z\" fill=\"%s\"><title>last position</title></path>\n",
                    px(&p, v->p[v->n - 1].lon), py(&p, v->p[v->n - 1].lat) - 4, COLORS[k]);
        }
    }
    if (dist && closest_i != SIZE_MAX) {
        const tpt *a = &r->v[0].p[closest_i];
        bool right = px(&p, a->lon) > p.w - 110; /* keep the label inside the frame */
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" class=ca /><text x=\"%.1f\" y=\"%.1f\" class=ml%s>closest approach</text>\n",
                px(&p, a->lon), py(&p, a->lat), px(&p, a->lon) + (right ? -9 : 9), py(&p, a->lat) + 14,
                right ? " text-anchor=end" : "");
    }
    /* scale bar */
    double km = pow(10, floor(log10(dx * 111.32 / 4)));
    if (dx * 111.32 / km > 8) km *= 2;
    double bar = km / 111.32 / cosl * p.kx;
    fprintf(f, "<g class=scale><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" class=sbg /><line x1=\"%d\" x2=\"%.1f\" "
               "y1=\"%d\" y2=\"%d\" /><text x=\"%d\" y=\"%d\">%g km</text></g>\n",
            p.w - (int)bar - 24, p.h - 26, bar + 20, p.w - (int)bar - 14, p.w - 14.0, p.h - 14, p.h - 14,
            p.w - (int)bar - 14, p.h - 17, km);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" class=frame />\n</svg>\n", p.w, p.h);
    fprintf(f, "<p class=note>Thin line: the vessel's reported positions in the %s around the event; thick: inside "
               "the event. Dashed: no reports for over an hour. Square: first position shown, triangle: last. Dots with times: the first report at "
               "or after each tick. ",
            "hours");
    fputs(r->land_note, f);
    fputs("</p>\n", f);
    legend(f, r);
    fputs("</section>\n", f);
}

/* ---- tables ------------------------------------------------------------------------------ */

static void position_row(FILE *f, const report *r, unsigned k, const tpt *q, const char *what) {
    char t[40], ll[96], lb[160];
    fmt_ms(q->ms, t, sizeof t, "%Y-%m-%dT%H:%M:%SZ");
    fmt_latlon(q->lat, q->lon, ll, sizeof ll);
    fputs("<tr>", f);
    fputs("<td class=t>", f);
    esc(f, t);
    fputs("</td>", f);
    fprintf(f, "<td><i class=dot style=\"background:%s\"></i>", COLORS[k]);
    esc(f, vessel_label(r, k, lb, sizeof lb));
    fputs("</td>", f);
    td_text(f, what);
    td_text(f, ll);
    td_num(f, q->sog, "%.1f");
    td_num(f, q->cog, "%.1f");
    double d = NAN, lat, lon;
    if (r->nv == 2 && interp(&r->v[1 - k], q->ms, &lat, &lon)) d = aw_distance_m(q->lat, q->lon, lat, lon);
    td_num(f, d, "%.0f");
    fputs("</tr>\n", f);
}

typedef struct keyrow {
    int64_t ms;
    unsigned k;
    size_t i;
    const char *what;
} keyrow;

static int cmp_key(const void *a, const void *b) {
    const keyrow *x = a, *y = b;
    if (x->ms != y->ms) return x->ms < y->ms ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

static void key_positions(report *r, size_t closest_i) {
    FILE *f = r->f;
    size_t cap = 64, n = 0;
    for (unsigned k = 0; k < r->nv; k++) cap += (size_t)((r->t1 - r->t0) / 3600000 + 2);
    keyrow *rows = malloc(cap * sizeof *rows);
    if (!rows) return;
    for (unsigned k = 0; k < r->nv; k++) {
        const vtrack *v = &r->v[k];
        size_t first_in = SIZE_MAX, last_in = SIZE_MAX;
        for (size_t i = 0; i < v->n; i++)
            if (v->p[i].in_event) {
                if (first_in == SIZE_MAX) first_in = i;
                last_in = i;
            }
        if (first_in != SIZE_MAX) rows[n++] = (keyrow){v->p[first_in].ms, k, first_in, "first in event"};
        if (last_in != SIZE_MAX && last_in != first_in) rows[n++] = (keyrow){v->p[last_in].ms, k, last_in, "last in event"};
        if (k == 0 && closest_i != SIZE_MAX) rows[n++] = (keyrow){v->p[closest_i].ms, k, closest_i, "closest approach"};
        /* every hour: the first report at or after each whole hour */
        int64_t next = v->n ? (v->p[0].ms + 3599999) / 3600000 * 3600000 : 0;
        for (size_t i = 0; i < v->n && n < cap; i++) {
            if (v->p[i].ms < next) continue;
            if (i != first_in && i != last_in && !(k == 0 && i == closest_i))
                rows[n++] = (keyrow){v->p[i].ms, k, i, "hourly"};
            next = (v->p[i].ms / 3600000 + 1) * 3600000;
        }
    }
    qsort(rows, n, sizeof *rows, cmp_key);
    fputs("<section><h2>Key positions</h2>\n<table class=pos><thead><tr><th>time (UTC)</th><th>vessel</th><th>what</th>"
          "<th>position</th><th>SOG kn</th><th>COG °</th><th>distance to the other m</th></tr></thead><tbody>\n",
          f);
    for (size_t j = 0; j < n; j++) position_row(f, r, rows[j].k, &r->v[rows[j].k].p[rows[j].i], rows[j].what);
    fputs("</tbody></table>\n<p class=note>As reported by AIS (event_tracks); the distance puts the other vessel "
          "where it was at that moment, linear between its reports.</p></section>\n",
          f);
    free(rows);
}

static const char *basis_words(const char *b) {
    if (!b) return "";
    if (!strcmp(b, "imo")) return "the IMO number the vessel reported equals the listed IMO number";
    if (!strcmp(b, "mmsi")) return "the vessel's MMSI equals the listed MMSI";
    if (!strcmp(b, "name+callsign")) return "the vessel's name and call sign both match the listed ones";
    if (!strcmp(b, "name")) return "the vessel's name matches a listed name (normalised or fuzzy, see score)";
    return "";
}

static void vessels_section(report *r) {
    FILE *f = r->f;
    static const char *const FIELDS[] = {"name", "imo", "callsign", "ship_type", "length_m", "beam_m", "draught_m",
                                         "destination"};
    fputs("<section><h2>Vessels</h2>\n", f);
    for (unsigned k = 0; k < r->nv; k++) {
        char lb[160];
        fprintf(f, "<div class=vessel><h3><i class=dot style=\"background:%s\"></i>", COLORS[k]);
        esc(f, vessel_label(r, k, lb, sizeof lb));
        fputs("</h3>\n", f);
        sqlite3_stmt *st;
        bool screened = false, listed = false;
        if (sqlite3_prepare_v2(r->db,
                               "SELECT name, imo, imo_valid, callsign, ship_type_text, length_m, beam_m, draught_m,"
                               " destination, flag, flag_country, first_seen, last_seen, n_positions, sanctioned"
                               " FROM vessels WHERE mmsi = ?1 AND segment = ?2",
                               -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, r->v[k].mmsi);
            sqlite3_bind_int64(st, 2, r->v[k].segment);
            if (sqlite3_step(st) == SQLITE_ROW) {
                char b1[40], b2[40], imo[48];
                if (sqlite3_column_type(st, 1) == SQLITE_NULL) imo[0] = 0;
                else
                    snprintf(imo, sizeof imo, "%lld%s", (long long)sqlite3_column_int64(st, 1),
                             sqlite3_column_int(st, 2) ? "" : " (check digit fails)");
                fprintf(f, "<table class=kv><tr><th>MMSI</th><td>%lld (track segment %lld)</td></tr>",
                        (long long)r->v[k].mmsi, (long long)r->v[k].segment);
                fputs("<tr><th>flag (from the MMSI)</th>", f);
                char flag[96];
                snprintf(flag, sizeof flag, "%s%s%s%s", col_text(st, 10) ? col_text(st, 10) : "",
                         col_text(st, 9) ? " (" : "", col_text(st, 9) ? col_text(st, 9) : "", col_text(st, 9) ? ")" : "");
                td_text(f, flag);
                fputs("</tr><tr><th>latest identity</th>", f);
                char id[512];
                snprintf(id, sizeof id, "%s · IMO %s · call sign %s · %s", col_text(st, 0) ? col_text(st, 0) : "—",
                         imo[0] ? imo : "—", col_text(st, 3) ? col_text(st, 3) : "—",
                         col_text(st, 4) ? col_text(st, 4) : "type unknown");
                td_text(f, id);
                fputs("</tr><tr><th>seen</th>", f);
                char seen[160];
                snprintf(seen, sizeof seen, "%s to %s, %lld positions",
                         col_text(st, 11) ? cli_trim_time(col_text(st, 11), b1) : "—",
                         col_text(st, 12) ? cli_trim_time(col_text(st, 12), b2) : "—",
                         (long long)sqlite3_column_int64(st, 13));
                td_text(f, seen);
                fputs("</tr></table>\n", f);
                screened = sqlite3_column_type(st, 14) != SQLITE_NULL;
                listed = screened && sqlite3_column_int(st, 14);
            }
        }
        sqlite3_finalize(st);

        hist *h;
        size_t nh = load_history(r->db, r->v[k].mmsi, r->v[k].segment, &h);
        fputs("<table class=ident><thead><tr><th>field</th><th>at the time of the event</th><th>every value reported"
              " (first seen – last seen, reports)</th></tr></thead><tbody>\n",
              f);
        for (size_t fi = 0; fi < sizeof FIELDS / sizeof FIELDS[0]; fi++) {
            const hist *now = at_the_time(h, nh, FIELDS[fi], r->start_ms, r->end_ms);
            size_t count = 0;
            for (size_t i = 0; i < nh; i++) count += strcmp(h[i].field, FIELDS[fi]) == 0;
            fprintf(f, "<tr%s><th>%s</th>", count > 1 ? " class=changed" : "", FIELDS[fi]);
            td_text(f, now ? now->value : NULL);
            fputs("<td>", f);
            if (!count) fputs("<span class=na>never reported</span>", f);
            for (size_t i = 0; i < nh; i++) {
                if (strcmp(h[i].field, FIELDS[fi]) != 0) continue;
                fputs("<div><b>", f);
                esc(f, h[i].value);
                fputs("</b> <span class=when>", f);
                esc(f, h[i].first_s);
                fputs(" – ", f);
                esc(f, h[i].last_s);
                fprintf(f, ", %lld</span></div>", (long long)h[i].n);
            }
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
        free(h);

        /* sanctions */
        fputs("<h4>Sanctions screening</h4>\n", f);
        if (!screened) {
            fputs("<p class=note>Not screened: the scan ran without <code>--lists</code> (use <code>aiswatch "
                  "screen</code>).</p>\n",
                  f);
        } else if (!listed) {
            fputs("<p>No list matched this vessel.</p>\n", f);
        } else if (table_exists(r->db, "sanctions_matches") &&
                   sqlite3_prepare_v2(r->db,
                                      "SELECT list, entry_id, entry_name, programs, basis, score, matched_value,"
                                      " former_name, listed_imo, listed_mmsi FROM sanctions_matches"
                                      " WHERE mmsi = ?1 AND segment = ?2 ORDER BY fid",
                                      -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, r->v[k].mmsi);
            sqlite3_bind_int64(st, 2, r->v[k].segment);
            fputs("<table class=sanc><thead><tr><th>list</th><th>entry</th><th>programs</th><th>basis</th>"
                  "<th>score</th><th>the vessel's value</th><th>listed IMO / MMSI</th></tr></thead><tbody>\n",
                  f);
            while (sqlite3_step(st) == SQLITE_ROW) {
                fputs("<tr>", f);
                td_text(f, col_text(st, 0));
                fputs("<td>", f);
                esc(f, col_text(st, 2));
                fputs(" <span class=when>(", f);
                esc(f, col_text(st, 1));
                fputs(")</span></td>", f);
                td_text(f, col_text(st, 3));
                fputs("<td><b>", f);
                esc(f, col_text(st, 4));
                fputs("</b><br><span class=when>", f);
                esc(f, basis_words(col_text(st, 4)));
                if (sqlite3_column_int(st, 7)) fputs("; a former name of the listed vessel", f);
                fputs("</span></td>", f);
                td_num(f, col_real(st, 5), "%.3f");
                td_text(f, col_text(st, 6));
                char ids[64];
                snprintf(ids, sizeof ids, "%s / %s", col_text(st, 8) ? col_text(st, 8) : "—",
                         col_text(st, 9) ? col_text(st, 9) : "—");
                td_text(f, ids);
                fputs("</tr>\n", f);
            }
            fputs("</tbody></table>\n", f);
            sqlite3_finalize(st);
        }
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
}

/* The event's own JSON column as a two-column table (sqlite's json_each: no second parser). */
static void json_table(report *r, const char *json, const char *highlight_prefix) {
    FILE *f = r->f;
    sqlite3_stmt *st;
    if (!json || sqlite3_prepare_v2(r->db, "SELECT key, value FROM json_each(?1)", -1, &st, NULL) != SQLITE_OK) {
        fputs("<p class=note>none recorded</p>\n", f);
        return;
    }
    sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
    fputs("<table class=kv>", f);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *key = col_text(st, 0);
        bool hl = highlight_prefix && key && strncmp(key, highlight_prefix, strlen(highlight_prefix)) == 0;
        fprintf(f, "<tr%s><th>", hl ? " class=used" : "");
        esc(f, key);
        fputs("</th>", f);
        td_text(f, col_text(st, 1) ? col_text(st, 1) : "null");
        fputs("</tr>", f);
    }
    fputs("</table>\n", f);
    sqlite3_finalize(st);
}

static void linked_section(report *r) {
    FILE *f = r->f;
    fputs("<section><h2>Linked events</h2>\n", f);
    if (!r->ev.linked || !*r->ev.linked) {
        fputs("<p class=note>none</p></section>\n", f);
        return;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT type, start, \"end\", names, detail FROM events WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        fputs("</section>\n", f);
        return;
    }
    fputs("<table><thead><tr><th>id</th><th>type</th><th>start</th><th>end</th><th>vessels</th><th>detail</th></tr>"
          "</thead><tbody>\n",
          f);
    char *ids = strdup(r->ev.linked);
    char *save = NULL;
    for (char *id = ids ? strtok_r(ids, ",", &save) : NULL; id; id = strtok_r(NULL, ",", &save)) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        fputs("<tr>", f);
        td_text(f, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            char b1[40], b2[40];
            td_text(f, col_text(st, 0));
            td_text(f, cli_trim_time(col_text(st, 1), b1));
            td_text(f, cli_trim_time(col_text(st, 2), b2));
            td_text(f, col_text(st, 3));
            td_text(f, col_text(st, 4));
        } else {
            fputs("<td colspan=5 class=na>not in this file</td>", f);
        }
        fputs("</tr>\n", f);
    }
    free(ids);
    sqlite3_finalize(st);
    fputs("</tbody></table>\n<p class=note>Each has its own sheet: <code>aiswatch report RUN.gpkg ID</code>.</p>"
          "</section>\n",
          f);
}

static void inputs_section(report *r) {
    FILE *f = r->f;
    fputs("<section><h2>Input files</h2>\n", f);
    sqlite3_stmt *st;
    if (!table_exists(r->db, "inputs") ||
        sqlite3_prepare_v2(r->db, "SELECT source_id, path, basename, bytes, sha256, format FROM inputs ORDER BY fid",
                           -1, &st, NULL) != SQLITE_OK) {
        fputs("<p class=note>Not recorded: this GeoPackage was written by a scan before aiswatch recorded its "
              "inputs. Re-run <code>aiswatch scan</code> to have them hashed.</p></section>\n",
              f);
        return;
    }
    /* The digest gets a row of its own, unbroken: a hash split over two lines in a PDF
     * cannot be searched for or pasted whole. */
    fputs("<table class=inputs><thead><tr><th>#</th><th>file (as given to scan)</th><th>format</th><th>bytes</th>"
          "<th>evidence</th></tr></thead><tbody>\n",
          f);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *base = col_text(st, 2);
        /* events.sources names the files the event's evidence came from, by base name */
        bool used = false;
        if (base && r->ev.sources) {
            size_t bl = strlen(base);
            for (const char *p = r->ev.sources; (p = strstr(p, base)) != NULL; p += bl)
                if ((p == r->ev.sources || p[-1] == ',') && (p[bl] == 0 || p[bl] == ',')) used = true;
        }
        fprintf(f, "<tr><td class=num>%lld</td>", (long long)sqlite3_column_int64(st, 0));
        td_text(f, col_text(st, 1));
        td_text(f, col_text(st, 5));
        td_num(f, col_real(st, 3), "%.0f");
        fprintf(f, "<td>%s</td></tr>\n<tr class=hashrow><td></td><td colspan=4 class=hash>SHA-256 ",
                used ? "this event" : "");
        if (col_text(st, 4)) esc(f, col_text(st, 4));
        else fputs("<span class=na>none: the file was not read to its end</span>", f);
        fputs("</td></tr>\n", f);
    }
    sqlite3_finalize(st);
    fputs("</tbody></table>\n<p class=note>Check a copy with <code>sha256sum FILE</code>: the same digest means the "
          "same bytes (for gzip and zstd files, the compressed bytes).</p></section>\n",
          f);
}

/* ---- the page ---------------------------------------------------------------------------- */

static const char CSS[] =
    "@page{size:A4;margin:14mm 12mm 16mm 12mm}\n"
    "*{box-sizing:border-box}\n"
    "body{font:10pt/1.4 'DejaVu Sans','Liberation Sans',Arial,sans-serif;color:#111;max-width:190mm;margin:0 auto;"
    "padding:8px}\n"
    "h1{font-size:16pt;margin:0 0 2px}h2{font-size:12.5pt;border-bottom:1.5px solid #333;margin:16px 0 6px;"
    "break-after:avoid;page-break-after:avoid}h3{font-size:11pt;margin:8px 0 4px}h4{font-size:10pt;margin:8px 0 3px}\n"
    ".sub{color:#555;margin:0 0 8px}\n"
    "table{border-collapse:collapse;width:100%;margin:4px 0;font-size:8.6pt}\n"
    "th,td{border:1px solid #bbb;padding:2px 5px;text-align:left;vertical-align:top}\n"
    "thead th{background:#eee}thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}\n"
    "table.kv th{width:32%;background:#f5f5f5;font-weight:600}\n"
    "td.t{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "code{font-family:'DejaVu Sans Mono','Liberation Mono',monospace;font-size:8pt;word-break:break-all}\n"
    "td.hash{font-family:'DejaVu Sans Mono','Liberation Mono',monospace;font-size:8pt;white-space:nowrap}"
    "tr.hashrow td{border-top:none}\n"
    ".na{color:#999}.when{color:#555;font-size:8pt}.note{color:#444;font-size:8.4pt;margin:2px 0 6px}\n"
    "tr.changed th{background:#fff3c4}tr.used th{background:#e4efff}\n"
    ".flag{display:inline-block;background:#b00020;color:#fff;padding:1px 6px;border-radius:3px;font-weight:600}\n"
    "i.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px}\n"
    ".legend span{margin-right:14px;font-size:8.6pt}.legend i{display:inline-block;width:14px;height:4px;"
    "margin-right:4px;vertical-align:middle}.legend i.spanbox{height:10px;background:#fff1b8;border:1px solid #e0c25a}\n"
    "svg{display:block;width:100%;height:auto;margin:4px 0}\n"
    "svg text{font-family:'DejaVu Sans',Arial,sans-serif}\n"
    ".chart{break-inside:avoid;page-break-inside:avoid}.chart .span{fill:#fff1b8}.chart .grid{stroke:#ddd;"
    "stroke-width:.6}\n"
    ".chart .frame,.map .frame{fill:none;stroke:#666;stroke-width:.8}.ct{font-size:10px;font-weight:600}"
    ".cu,.yl,.xl{font-size:8.5px;fill:#444}.vl{font-size:8.5px}\n"
    ".thresh{stroke:#b00020;stroke-dasharray:5 3;stroke-width:1}.tl{font-size:8.5px;fill:#b00020}\n"
    ".map .sea{fill:#eaf2f8}.map .land rect{fill:#d9d2bf}.map .grat{stroke:#9ab;stroke-width:.4;"
    "stroke-dasharray:2 3}.gl{font-size:8px;fill:#567}.ml{font-size:8.5px;font-weight:600;paint-order:stroke;"
    "stroke:#fff;stroke-width:2.5px}\n"
    ".map .ca{fill:none;stroke:#000;stroke-width:1.2;stroke-dasharray:2 2}.scale line{stroke:#000;stroke-width:2}"
    ".scale text{font-size:8.5px}.scale .sbg{fill:#fff;fill-opacity:.8}\n"
    ".mapsec,.vessel{break-inside:avoid;page-break-inside:avoid}\n"
    ".summary td,.summary th{font-size:9pt}\n"
    "footer{margin-top:14px;border-top:1px solid #999;padding-top:4px;font-size:8pt;color:#444}\n"
    "@media print{body{padding:0;max-width:none}section{break-inside:auto}.pb{break-before:page;"
    "page-break-before:always}a{color:inherit;text-decoration:none}}\n";

static void summary(report *r, double min_d, int64_t min_ms) {
    FILE *f = r->f;
    char ll[96];
    fputs("<section><h2>Summary</h2><table class=\"kv summary\">", f);
    fputs("<tr><th>event</th><td><b>", f);
    esc(f, r->ev.type);
    fputs("</b> <code>", f);
    esc(f, r->ev.id);
    fputs("</code></td></tr>\n<tr><th>start (UTC)</th>", f);
    td_text(f, r->ev.start);
    fputs("</tr><tr><th>end (UTC)</th>", f);
    td_text(f, r->ev.end);
    fputs("</tr><tr><th>duration</th>", f);
    char dur[64] = "";
    if (!isnan(r->ev.duration_h)) snprintf(dur, sizeof dur, "%.2f h (%dh %02dmin)", r->ev.duration_h,
                                           (int)(r->ev.duration_h), (int)lround(fmod(r->ev.duration_h, 1) * 60) % 60);
    td_text(f, dur);
    fputs("</tr><tr><th>place</th>", f);
    fmt_latlon(r->ev.lat, r->ev.lon, ll, sizeof ll);
    td_text(f, ll);
    fputs("</tr><tr><th>vessels</th><td>", f);
    for (unsigned k = 0; k < r->ev.nvessels && k < 2; k++) {
        char lb[160];
        fprintf(f, "%s<i class=dot style=\"background:%s\"></i><b>", k ? "<br>" : "", COLORS[k]);
        esc(f, r->ev.name[k] && *r->ev.name[k] ? r->ev.name[k] : "(no name)");
        fprintf(f, "</b> MMSI %u", r->ev.mmsi[k]);
        if (r->ev.imo[k]) fprintf(f, " · IMO %u", r->ev.imo[k]);
        if (r->ev.flag[k] && *r->ev.flag[k]) {
            fputs(" · flag ", f);
            esc(f, r->ev.flag[k]);
        }
        (void)lb;
    }
    fputs("</td></tr><tr><th>detail</th>", f);
    td_text(f, r->ev.detail);
    fputs("</tr>", f);
    if (!isnan(min_d)) {
        char t[40], buf[96];
        fmt_ms(min_ms, t, sizeof t, "%Y-%m-%dT%H:%M:%SZ");
        snprintf(buf, sizeof buf, "%.0f m at %s (from the reported positions)", min_d, t);
        fputs("<tr><th>closest approach</th>", f);
        td_text(f, buf);
        fputs("</tr>", f);
    }
    fputs("<tr><th>sanctions</th><td>", f);
    if (r->ev.sanctioned) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(r->db,
                               "SELECT json_extract(value, '$.mmsi'), json_extract(value, '$.list'),"
                               " json_extract(value, '$.name'), json_extract(value, '$.basis'),"
                               " json_extract(value, '$.programs') FROM json_each(?1)",
                               -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, r->ev.sanctioned, -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW) {
                fprintf(f, "<div><span class=flag>LISTED</span> MMSI %lld on ", (long long)sqlite3_column_int64(st, 0));
                esc(f, col_text(st, 1));
                fputs(" as “", f);
                esc(f, col_text(st, 2));
                fputs("” (", f);
                esc(f, col_text(st, 4));
                fputs("), basis: <b>", f);
                esc(f, col_text(st, 3));
                fputs("</b></div>", f);
            }
            sqlite3_finalize(st);
        }
    } else {
        fputs("no participant matched a list (or the run was not screened; see Vessels)", f);
    }
    fputs("</td></tr><tr><th>measures</th><td>", f);
    /* one line of key = value: the measures belong to the summary, and a table of them
     * would push the map off the first printed page */
    sqlite3_stmt *ms;
    bool any = false;
    if (r->ev.measures && sqlite3_prepare_v2(r->db, "SELECT key, value, type FROM json_each(?1)", -1, &ms, NULL) ==
                              SQLITE_OK) {
        sqlite3_bind_text(ms, 1, r->ev.measures, -1, SQLITE_STATIC);
        while (sqlite3_step(ms) == SQLITE_ROW) {
            fputs(any ? " · " : "", f);
            esc(f, col_text(ms, 0));
            fputs(" = ", f);
            const char *type = col_text(ms, 2);
            if (type && !strcmp(type, "real")) fprintf(f, "%.6g", sqlite3_column_double(ms, 1));
            else esc(f, col_text(ms, 1) ? col_text(ms, 1) : "null");
            any = true;
        }
        sqlite3_finalize(ms);
    }
    if (!any) fputs("<span class=na>none recorded</span>", f);
    fputs("</td></tr></table>\n", f);
    fputs("</section>\n", f);
}

static int write_html(report *r, FILE *f) {
    r->f = f;
    double *dist = distances(r);
    size_t closest_i = SIZE_MAX;
    double min_d = NAN;
    int64_t min_ms = 0;
    for (size_t i = 0; dist && i < r->v[0].n; i++)
        if (!isnan(dist[i]) && (isnan(min_d) || dist[i] < min_d)) min_d = dist[i], min_ms = r->v[0].p[i].ms, closest_i = i;
    char made[40];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(made, sizeof made, "%Y-%m-%dT%H:%M:%SZ", &tm);

    fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n<title>aiswatch evidence: ", f);
    esc(f, r->ev.id);
    fprintf(f, "</title>\n<meta name=generator content=\"aiswatch %s\">\n<style>\n%s</style></head><body>\n", AW_VERSION,
            CSS);
    fputs("<header><h1>Evidence sheet: ", f);
    esc(f, r->ev.type);
    for (unsigned k = 0; k < r->ev.nvessels && k < 2; k++) {
        fputs(k ? " / " : " — ", f);
        if (r->ev.name[k] && *r->ev.name[k]) esc(f, r->ev.name[k]);
        else fprintf(f, "MMSI %u", r->ev.mmsi[k]);
    }
    fputs("</h1><p class=sub>", f);
    esc(f, r->ev.start);
    fputs(" to ", f);
    esc(f, r->ev.end);
    fprintf(f, " · made by aiswatch %s on %s from the scan's GeoPackage</p></header>\n", AW_VERSION, made);
    summary(r, min_d, min_ms);
    map(r, closest_i, dist);
    charts(r, dist);
    key_positions(r, closest_i);
    fputs("<div class=pb></div>\n", f);
    vessels_section(r);
    linked_section(r);
    fputs("<section><h2>Parameters of the run</h2>\n<p class=note>Every detection parameter of the scan that found "
          "this event (docs/events.md); those of this event's rule are shaded.</p>\n",
          f);
    char prefix[40];
    snprintf(prefix, sizeof prefix, "%s_",
             !strcmp(r->ev.type, "loitering") ? "loiter" : !strcmp(r->ev.type, "position_spoof") ? "spoof"
                                                        : !strcmp(r->ev.type, "draught_change") ? "draught"
                                                                                                : r->ev.type);
    json_table(r, r->ev.parameters, prefix);
    fputs("</section>\n", f);
    inputs_section(r);
    fprintf(f, "<footer>aiswatch %s · report made %s · event <code>", AW_VERSION, made);
    esc(f, r->ev.id);
    fputs("</code> · every value above is read from the scan's GeoPackage; times are UTC.</footer>\n</body></html>\n",
          f);
    free(dist);
    return ferror(f) ? -1 : 0;
}

/* ---- PDF through headless Chromium --------------------------------------------------------- */

static bool find_exe(const char *name, char *out, size_t cap) {
    if (strchr(name, '/')) {
        snprintf(out, cap, "%s", name);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(out, cap, "%.*s/%s", (int)n, path, name);
        if (n && access(out, X_OK) == 0) return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    remove(p);
    return 0;
}

/* Runs Chromium with a deadline; its own chatter goes to a log in the temporary folder. */
static int print_pdf(const char *html_path, const char *tmpdir, const char *pdf_path, char *err, size_t errcap) {
    char exe[4096];
    const char *want = getenv("AW_CHROMIUM");
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome"};
    bool found = want ? find_exe(want, exe, sizeof exe) : false;
    for (size_t i = 0; !want && !found && i < sizeof names / sizeof names[0]; i++) found = find_exe(names[i], exe, sizeof exe);
    if (!found) {
        snprintf(err, errcap, "Chromium not found (%s); install Debian's chromium (scripts/install-deps.sh) or write "
                              "HTML with -o FILE.html",
                 want ? want : "no chromium, chromium-browser or google-chrome in PATH");
        return -1;
    }
    char profile[4400], url[4400], out_arg[4400], log[4400];
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", tmpdir);
    snprintf(url, sizeof url, "file://%s", html_path);
    snprintf(out_arg, sizeof out_arg, "--print-to-pdf=%s", pdf_path);
    snprintf(log, sizeof log, "%s/chromium.log", tmpdir);
    char *argv[] = {exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-extensions", "--no-pdf-header-footer", profile, out_arg, url, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errcap, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, STDIN_FILENO);
        setpgid(0, 0); /* its own group: a timeout ends Chromium's helper processes too */
        execv(exe, argv);
        _exit(127);
    }
    setpgid(pid, pid);
    int status = 0;
    double t0 = cli_now();
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            snprintf(err, errcap, "waitpid: %s", strerror(errno));
            return -1;
        }
        if (cli_now() - t0 > PDF_TIMEOUT_S) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(err, errcap, "Chromium did not finish the PDF within %d s", PDF_TIMEOUT_S);
            return -1;
        }
        usleep(50000);
    }
    FILE *pf = fopen(pdf_path, "rb");
    char magic[5] = {0};
    bool ok = pf && fread(magic, 1, 4, pf) == 4 && memcmp(magic, "%PDF", 4) == 0;
    if (pf) fclose(pf);
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char tail[300] = "";
        FILE *lf = fopen(log, "rb");
        if (lf) {
            fseek(lf, 0, SEEK_END);
            long sz = ftell(lf);
            fseek(lf, sz > (long)sizeof tail - 1 ? sz - (long)sizeof tail + 1 : 0, SEEK_SET);
            size_t n = fread(tail, 1, sizeof tail - 1, lf);
            tail[n] = 0;
            for (char *p = tail; *p; p++)
                if (*p == '\n') *p = ' ';
            fclose(lf);
        }
        snprintf(err, errcap, "Chromium failed to print the PDF (%s %d): %s",
                 WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), tail);
        return -1;
    }
    return 0;
}

/* ---- the command ------------------------------------------------------------------------- */

static void usage(FILE *f) {
    fprintf(f,
            "usage: aiswatch report RUN.gpkg EVENT_ID -o FILE.html|FILE.pdf [options]\n"
            "  one event's evidence sheet: summary, map of the tracks with the coastline, timeline charts,\n"
            "  key positions, identities and their history, sanctions matches with their basis, linked\n"
            "  events, the run's parameters, the input files with their SHA-256 (docs/report.md)\n"
            "  -o, --output FILE   .html: one self-contained file; .pdf: the same printed by headless Chromium\n"
            "                      (AW_CHROMIUM names another browser binary)\n"
            "  --land FILE         Natural Earth land TopoJSON for the coastline (default: world-atlas\n"
            "                      land-10m.json from the install); --no-land to draw none\n");
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int cmd_report(int argc, char **argv) {
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"land", required_argument, NULL, 1001},
        {"no-land", no_argument, NULL, 1002},     {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *out_path = NULL, *land_path = NULL;
    bool no_land = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 1001: land_path = optarg; break;
        case 1002: no_land = true; break;
        case 'h': usage(stdout); return AW_EXIT_OK;
        default: usage(stderr); return AW_EXIT_USAGE;
        }
    }
    if (argc - optind != 2 || !out_path) {
        fprintf(stderr, "aiswatch report: needs RUN.gpkg EVENT_ID and -o FILE.html|FILE.pdf\n");
        usage(stderr);
        return AW_EXIT_USAGE;
    }
    bool pdf = ends_with(out_path, ".pdf");
    if (!pdf && !ends_with(out_path, ".html") && !ends_with(out_path, ".htm")) {
        fprintf(stderr, "aiswatch report: -o takes a .html or .pdf file name\n");
        return AW_EXIT_USAGE;
    }
    const char *gpkg = argv[optind], *event_id = argv[optind + 1];
    int rc = AW_EXIT_OK;
    sqlite3 *db = cli_open_gpkg("report", gpkg, " with events", check_file, &rc);
    if (!db) return rc;

    report r = {.db = db, .thresh_m = NAN, .land_note = ""};
    char sql[2048];
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    len = cli_event_columns(sql, sizeof sql, len);
    snprintf(sql + len, sizeof sql - len, " FROM events WHERE id = ?1");
    sqlite3_stmt *est = NULL;
    cli_event_storage es;
    if (sqlite3_prepare_v2(db, sql, -1, &est, NULL) != SQLITE_OK) {
        fprintf(stderr, "aiswatch report: %s: %s\n", gpkg, sqlite3_errmsg(db));
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    sqlite3_bind_text(est, 1, event_id, -1, SQLITE_STATIC);
    if (sqlite3_step(est) != SQLITE_ROW) {
        fprintf(stderr, "aiswatch report: %s: no event '%s' (list them with `aiswatch events %s`)\n", gpkg, event_id,
                gpkg);
        sqlite3_finalize(est);
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    /* The row stays current (the statement is kept open) while the other queries run. */
    cli_event_row(est, &r.ev, &es);
    if (!parse_ms(r.ev.start, &r.start_ms) || !parse_ms(r.ev.end, &r.end_ms)) {
        fprintf(stderr, "aiswatch report: %s: event '%s' has no valid start and end\n", gpkg, event_id);
        sqlite3_finalize(est);
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    if (r.ev.parameters) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT json_extract(?1, '$.encounter_distance_m')", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, r.ev.parameters, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) r.thresh_m = col_real(st, 0);
            sqlite3_finalize(st);
        }
    }
    if (load_tracks(&r) < 0) {
        fprintf(stderr, "aiswatch report: %s: reading event_tracks: %s\n", gpkg, sqlite3_errmsg(db));
        rc = AW_EXIT_INPUT;
    }

    /* the coastline */
    char landbuf[4096], err[1024];
    if (rc == AW_EXIT_OK && !no_land) {
        if (!land_path) {
            char exe[4096];
            ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
            exe[n > 0 ? n : 0] = 0;
            char *slash = strrchr(exe, '/');
            if (slash) *slash = 0;
            land_path = aw_geo_default_land(exe, landbuf, sizeof landbuf);
        }
        if (land_path && (r.geo = aw_geo_new()) && aw_geo_load_land(r.geo, land_path, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch report: %s (the map is drawn without a coastline)\n", err);
            aw_geo_free(r.geo);
            r.geo = NULL;
        }
    }
    r.land_note = r.geo ? "Land: Natural Earth 1:10m, sampled every 2 pixels."
                        : "No coastline: Natural Earth land was not found (scripts/install-deps.sh installs it).";

    /* HTML: into the temporary folder for a PDF, else beside the output and renamed into place */
    char tmpdir[4096] = "", html_path[4300];
    if (rc == AW_EXIT_OK) {
        if (pdf) {
            const char *base = getenv("TMPDIR");
            snprintf(tmpdir, sizeof tmpdir, "%s/aiswatch-report-XXXXXX", base && *base ? base : "/tmp");
            if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "aiswatch report: temporary folder: %s\n", strerror(errno));
                tmpdir[0] = 0;
                rc = AW_EXIT_INPUT;
            }
            snprintf(html_path, sizeof html_path, "%s/report.html", tmpdir);
        } else {
            snprintf(html_path, sizeof html_path, "%s.tmp", out_path);
        }
    }
    if (rc == AW_EXIT_OK) {
        FILE *f = fopen(html_path, "w");
        if (!f || write_html(&r, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "aiswatch report: %s: %s\n", html_path, strerror(errno));
            rc = AW_EXIT_INPUT;
            remove(html_path);
        }
    }
    if (rc == AW_EXIT_OK && !pdf && rename(html_path, out_path) < 0) {
        fprintf(stderr, "aiswatch report: %s: %s\n", out_path, strerror(errno));
        remove(html_path);
        rc = AW_EXIT_INPUT;
    }
    if (rc == AW_EXIT_OK && pdf) {
        /* Chromium resolves the output against its own working folder: give it an absolute path. */
        char abs_out[4300];
        if (out_path[0] == '/') snprintf(abs_out, sizeof abs_out, "%s", out_path);
        else {
            char cwd[4096];
            if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
            snprintf(abs_out, sizeof abs_out, "%s/%s", cwd, out_path);
        }
        if (print_pdf(html_path, tmpdir, abs_out, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch report: %s\n", err);
            rc = AW_EXIT_INPUT;
        }
    }
    if (tmpdir[0]) nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc == AW_EXIT_OK)
        fprintf(stderr, "aiswatch report: %s: %s %s\n", out_path, r.ev.type, r.ev.id);
    aw_geo_free(r.geo);
    for (unsigned k = 0; k < MAX_VES; k++) free(r.v[k].p);
    sqlite3_finalize(est);
    sqlite3_close(db);
    return rc;
}
