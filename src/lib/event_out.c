/* event_out.c — events into the GeoPackage (`events`, `event_tracks`) and into JSON.
 *
 * Every event becomes one flat aw_event_row first (identity at the time, measures and
 * parameters as JSON text, linked ids, source files), and both outputs are written from
 * that row, so the GeoPackage and the JSON cannot disagree. The text of a row lives in
 * one scratch object reused across events: a run with a million events allocates a few
 * buffers, not a million. */
#include "aiswatch/event_out.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/mid.h"
#include "fmt.h"

/* ---- a string builder with snprintf's contract ---------------------------------------
 * Growing (owned buffer, realloc) or fixed (the caller's buffer: what fits is written, the
 * length counts everything, so callers learn the size they need). */
typedef struct jw {
    char *buf;
    size_t cap, len;
    bool grow, oom;
} jw;

static void jw_put(jw *w, const char *s, size_t n) {
    if (w->grow) {
        if (w->len + n + 1 > w->cap && !w->oom) {
            size_t cap = w->cap ? w->cap : 256;
            while (cap < w->len + n + 1) cap *= 2;
            char *b = realloc(w->buf, cap);
            if (!b) w->oom = true;
            else w->buf = b, w->cap = cap;
        }
        if (!w->oom) memcpy(w->buf + w->len, s, n);
    } else if (w->len + 1 < w->cap) { /* fixed: what fits, keeping a byte for the NUL */
        size_t room = w->cap - 1 - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len += n;
}

static void jw_str(jw *w, const char *s) { jw_put(w, s, strlen(s)); }

static void jw_fmt(jw *w, const char *fmt, ...) {
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) jw_put(w, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* NUL-terminates (truncating a fixed buffer) and returns the string. */
static const char *jw_end(jw *w) {
    if (w->cap == 0) return "";
    w->buf[w->len < w->cap ? w->len : w->cap - 1] = 0;
    return w->buf;
}

static void jw_json_str(jw *w, const char *s) {
    if (!s) {
        jw_str(w, "null");
        return;
    }
    jw_put(w, "\"", 1);
    /* escape in slices: fmt_json_esc writes at most 6 bytes per input byte */
    char tmp[6 * 64];
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 64) {
        size_t k = n - i < 64 ? n - i : 64;
        char *e = fmt_json_esc(tmp, s + i, k);
        jw_put(w, tmp, (size_t)(e - tmp));
    }
    jw_put(w, "\"", 1);
}

/* JSON has no NaN: unknown numbers are null. %.10g keeps what a measure means (metres,
 * hours, knots) without binary noise. */
static void jw_num(jw *w, double v) {
    if (isfinite(v)) jw_fmt(w, "%.10g", v);
    else jw_str(w, "null");
}

/* A list from text separated by `sep`: strings, or null for empty items. */
static void jw_split_list(jw *w, const char *s, const char *sep) {
    jw_put(w, "[", 1);
    if (s && *s) {
        size_t seplen = strlen(sep);
        char item[256];
        for (bool first = true;; first = false) {
            const char *e = strstr(s, sep);
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (!first) jw_put(w, ",", 1);
            if (n >= sizeof item) n = sizeof item - 1;
            memcpy(item, s, n);
            item[n] = 0;
            jw_json_str(w, item);
            if (!e) break;
            s = e + seplen;
        }
    }
    jw_put(w, "]", 1);
}

/* A JSON object stored as text: verbatim when it looks like one, else {} (a hand-edited
 * file must not make the output invalid JSON). */
static void jw_object(jw *w, const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}') jw_put(w, s, n);
    else jw_str(w, "{}");
}

size_t aw_event_row_json(const aw_event_row *r, char *out, size_t cap) {
    jw w = {.buf = out, .cap = cap};
    unsigned nv = r->nvessels > 2 ? 2 : r->nvessels;
    jw_str(&w, "{\"id\":");
    jw_json_str(&w, r->id);
    jw_str(&w, ",\"type\":");
    jw_json_str(&w, r->type);
    jw_str(&w, ",\"start\":");
    jw_json_str(&w, r->start);
    jw_str(&w, ",\"end\":");
    jw_json_str(&w, r->end);
    jw_str(&w, ",\"duration_h\":");
    jw_num(&w, r->duration_h);
    if (isfinite(r->lat) && isfinite(r->lon)) jw_fmt(&w, ",\"lat\":%.7f,\"lon\":%.7f", r->lat, r->lon);
    else jw_str(&w, ",\"lat\":null,\"lon\":null");
    jw_str(&w, ",\"mmsi\":[");
    for (unsigned i = 0; i < nv; i++) jw_fmt(&w, "%s%" PRIu32, i ? "," : "", r->mmsi[i]);
    jw_str(&w, "],\"segment\":[");
    for (unsigned i = 0; i < nv; i++) jw_fmt(&w, "%s%" PRIu32, i ? "," : "", r->segment[i]);
    jw_str(&w, "],\"imo\":[");
    for (unsigned i = 0; i < nv; i++) {
        if (i) jw_put(&w, ",", 1);
        if (r->imo[i]) jw_fmt(&w, "%" PRIu32, r->imo[i]);
        else jw_str(&w, "null");
    }
    jw_str(&w, "],\"names\":[");
    for (unsigned i = 0; i < nv; i++) {
        if (i) jw_put(&w, ",", 1);
        jw_json_str(&w, r->name[i] && *r->name[i] ? r->name[i] : NULL);
    }
    jw_str(&w, "],\"flags\":[");
    for (unsigned i = 0; i < nv; i++) {
        if (i) jw_put(&w, ",", 1);
        jw_json_str(&w, r->flag[i] && *r->flag[i] ? r->flag[i] : NULL);
    }
    jw_str(&w, "],\"measures\":");
    jw_object(&w, r->measures);
    jw_str(&w, ",\"detail\":");
    jw_json_str(&w, r->detail && *r->detail ? r->detail : NULL);
    jw_str(&w, ",\"linked\":");
    jw_split_list(&w, r->linked, ",");
    jw_str(&w, ",\"parameters\":");
    jw_object(&w, r->parameters);
    jw_str(&w, ",\"sources\":");
    jw_split_list(&w, r->sources, ",");
    jw_str(&w, ",\"sanctioned\":");
    jw_str(&w, r->sanctioned ? r->sanctioned : "null");
    jw_put(&w, "}", 1);
    jw_end(&w);
    return w.len;
}

/* ---- building a row from an aw_event -------------------------------------------------- */

/* Every field of aw_event_params, by name. The assertion below fails to compile when a
 * field is added to the struct and not here, so `parameters` always says everything. */
#define P(f) {#f, offsetof(aw_event_params, f)}
static const struct {
    const char *name;
    size_t off;
} PARAMS[] = {
    P(encounter_distance_m), P(encounter_min_h),   P(encounter_max_kn),      P(encounter_grid_min),
    P(encounter_max_interp_h), P(encounter_merge_h), P(encounter_min_port_km), P(loiter_max_kn),
    P(loiter_min_h),         P(loiter_min_shore_nm), P(gap_min_h),           P(gap_min_port_km),
    P(max_transit_kn),       P(draught_change_m),  P(spoof_max_kn),          P(spoof_min_inland_km),
    P(context_h),            P(draught_window_h),
};
#undef P
_Static_assert(sizeof(aw_event_params) == sizeof PARAMS / sizeof PARAMS[0] * sizeof(double),
               "a field of aw_event_params is missing from PARAMS in event_out.c");

static void params_json(jw *w, const aw_event_params *p) {
    jw_put(w, "{", 1);
    for (size_t i = 0; i < sizeof PARAMS / sizeof PARAMS[0]; i++) {
        jw_fmt(w, "%s\"%s\":", i ? "," : "", PARAMS[i].name);
        jw_num(w, *(const double *)((const char *)p + PARAMS[i].off));
    }
    jw_put(w, "}", 1);
}

/* Scratch shared by all events of one call: the row's text and the source bitmap. */
typedef struct row_text {
    aw_event_row row;
    char start[32], end[32];
    jw measures, linked, sources, params;
    jw mmsi_txt, imo_txt, names_txt, flags_txt; /* the GeoPackage's joined forms */
    uint8_t *seen;        /* one byte per source name */
    uint16_t *picked;     /* distinct source ids of this event */
    size_t npicked;
} row_text;

static void row_text_free(row_text *rt) {
    jw *all[] = {&rt->measures, &rt->linked, &rt->sources, &rt->params,
                 &rt->mmsi_txt, &rt->imo_txt, &rt->names_txt, &rt->flags_txt};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]->buf);
    free(rt->seen);
    free(rt->picked);
}

static int row_text_init(row_text *rt, const aw_event_params *p, size_t nsources) {
    memset(rt, 0, sizeof *rt);
    jw *all[] = {&rt->measures, &rt->linked, &rt->sources, &rt->params,
                 &rt->mmsi_txt, &rt->imo_txt, &rt->names_txt, &rt->flags_txt};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) all[i]->grow = true;
    aw_event_params defaults;
    if (!p) {
        aw_event_params_default(&defaults);
        p = &defaults;
    }
    params_json(&rt->params, p);
    jw_end(&rt->params);
    if (nsources) {
        rt->seen = calloc(nsources, 1);
        rt->picked = malloc(nsources * sizeof *rt->picked);
        if (!rt->seen || !rt->picked) return -1;
    }
    return rt->params.oom ? -1 : 0;
}

/* The history value of field f nearest the event's [s, e]; NULL when there is none. */
static const aw_ident_change *ident_at(const aw_tracks *t, const aw_vessel *v, aw_id_field f, int64_t s, int64_t e) {
    const aw_ident_change *best = NULL;
    int64_t best_d = INT64_MAX, best_ov = -1;
    for (size_t i = v->hist_first; i < v->hist_first + v->hist_count && i < t->nhistory; i++) {
        const aw_ident_change *h = &t->history[i];
        if (h->field != f) continue;
        int64_t d = h->first_seen_ms > e ? h->first_seen_ms - e : s > h->last_seen_ms ? s - h->last_seen_ms : 0;
        int64_t ov = d ? -1 : (h->last_seen_ms < e ? h->last_seen_ms : e) - (h->first_seen_ms > s ? h->first_seen_ms : s);
        /* ties go to the later value: history runs are in time order */
        if (d < best_d || (d == best_d && ov >= best_ov)) best = h, best_d = d, best_ov = ov;
    }
    return best;
}

static int cmp_u16(const void *a, const void *b) {
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int bad(char *err, size_t errcap, const aw_event *e, const char *what) {
    snprintf(err, errcap, "event %.48s: %s", e->id, what);
    return -1;
}

/* Fills rt->row (and the joined texts) for event i. */
static int build_row(row_text *rt, const aw_events *ev, size_t i, const aw_tracks *t,
                     const char *const *source_names, size_t nsources, char *err, size_t errcap) {
    const aw_event *e = &ev->v[i];
    aw_event_row *r = &rt->row;
    memset(r, 0, sizeof *r);
    if (e->nvessels > 2) return bad(err, errcap, e, "more than two vessels");
    if ((unsigned)e->type >= AW_EV_COUNT) return bad(err, errcap, e, "unknown type");
    r->id = e->id;
    r->type = aw_event_type_name(e->type);
    *fmt_iso_ms(rt->start, e->start_ms) = 0;
    *fmt_iso_ms(rt->end, e->end_ms) = 0;
    r->start = rt->start;
    r->end = rt->end;
    r->duration_h = (double)(e->end_ms - e->start_ms) / 3600000.0;
    r->lat = e->lat;
    r->lon = e->lon;
    r->nvessels = e->nvessels;

    jw *txt[] = {&rt->measures, &rt->linked, &rt->sources, &rt->mmsi_txt, &rt->imo_txt, &rt->names_txt, &rt->flags_txt};
    for (size_t k = 0; k < sizeof txt / sizeof txt[0]; k++) txt[k]->len = 0;

    rt->npicked = 0;
    bool any_imo = false, any_name = false, any_flag = false;
    for (unsigned k = 0; k < e->nvessels; k++) {
        const aw_event_vessel *ve = &e->vessels[k];
        if (ve->vessel >= t->nvessels) return bad(err, errcap, e, "vessel index outside the tracks");
        const aw_vessel *v = &t->vessels[ve->vessel];
        if (v->mmsi != ve->mmsi || v->segment != ve->segment)
            return bad(err, errcap, e, "vessel index points at another MMSI or segment");
        if (ve->first > t->n || ve->count > t->n - ve->first)
            return bad(err, errcap, e, "evidence range outside the tracks");
        r->mmsi[k] = ve->mmsi;
        r->segment[k] = ve->segment;

        const aw_ident_change *h = ident_at(t, v, AW_ID_NAME, e->start_ms, e->end_ms);
        r->name[k] = h ? h->value : (v->ident.fields & (1u << AW_ID_NAME)) ? v->ident.name : NULL;
        h = ident_at(t, v, AW_ID_IMO, e->start_ms, e->end_ms);
        r->imo[k] = h ? (uint32_t)strtoul(h->value, NULL, 10) : (v->ident.fields & (1u << AW_ID_IMO)) ? v->ident.imo : 0;
        const aw_flag *fl = aw_flag_of_mmsi(ve->mmsi);
        r->flag[k] = fl ? fl->iso2 : NULL;

        jw_fmt(&rt->mmsi_txt, "%s%" PRIu32, k ? "," : "", ve->mmsi);
        if (k) jw_str(&rt->imo_txt, ",");
        if (r->imo[k]) jw_fmt(&rt->imo_txt, "%" PRIu32, r->imo[k]), any_imo = true;
        if (k) jw_str(&rt->names_txt, " / ");
        if (r->name[k] && *r->name[k]) jw_str(&rt->names_txt, r->name[k]), any_name = true;
        if (k) jw_str(&rt->flags_txt, ",");
        if (r->flag[k]) jw_str(&rt->flags_txt, r->flag[k]), any_flag = true;

        /* sources: a byte per input file marks the ones met; O(evidence positions) */
        if (t->source_id && rt->seen)
            for (size_t j = ve->first; j < ve->first + ve->count; j++) {
                uint16_t s = t->source_id[j];
                if (s < nsources && !rt->seen[s]) rt->seen[s] = 1, rt->picked[rt->npicked++] = s;
            }
    }
    if (rt->npicked > 1) qsort(rt->picked, rt->npicked, sizeof *rt->picked, cmp_u16); /* input order */
    for (size_t k = 0; k < rt->npicked; k++) {
        rt->seen[rt->picked[k]] = 0;
        if (k) jw_str(&rt->sources, ",");
        jw_str(&rt->sources, source_names[rt->picked[k]] ? source_names[rt->picked[k]] : "");
    }

    jw_put(&rt->measures, "{", 1);
    for (unsigned k = 0; k < e->nmeasures && k < AW_EV_MAX_MEASURES; k++) {
        if (k) jw_put(&rt->measures, ",", 1);
        jw_json_str(&rt->measures, e->measures[k].name ? e->measures[k].name : "");
        jw_put(&rt->measures, ":", 1);
        jw_num(&rt->measures, e->measures[k].value);
    }
    jw_put(&rt->measures, "}", 1);

    for (unsigned k = 0; k < e->nlinks && k < AW_EV_MAX_LINKS; k++) {
        if (e->links[k] >= ev->n) return bad(err, errcap, e, "link to an event that does not exist");
        if (k) jw_put(&rt->linked, ",", 1);
        jw_str(&rt->linked, ev->v[e->links[k]].id);
    }

    for (size_t k = 0; k < sizeof txt / sizeof txt[0]; k++) {
        jw_end(txt[k]);
        if (txt[k]->oom) {
            snprintf(err, errcap, "out of memory");
            return -1;
        }
    }
    r->measures = rt->measures.buf;
    r->linked = rt->linked.len ? rt->linked.buf : NULL;
    r->sources = rt->sources.len ? rt->sources.buf : NULL;
    r->parameters = rt->params.buf;
    r->detail = e->detail[0] ? e->detail : NULL;
    if (!any_imo) rt->imo_txt.len = 0;
    if (!any_name) rt->names_txt.len = 0;
    if (!any_flag) rt->flags_txt.len = 0;
    return 0;
}

size_t aw_event_json(const aw_events *ev, size_t i, const aw_tracks *t, const aw_event_params *p,
                     const char *const *source_names, size_t nsources, char *out, size_t cap) {
    row_text rt;
    char err[128];
    size_t n = 0;
    if (i < ev->n && row_text_init(&rt, p, nsources) == 0 &&
        build_row(&rt, ev, i, t, source_names, nsources, err, sizeof err) == 0)
        n = aw_event_row_json(&rt.row, out, cap);
    else if (cap)
        out[0] = 0;
    row_text_free(&rt);
    return n;
}

/* ---- the GeoPackage layers ------------------------------------------------------------ */

static const aw_field EVENTS_FIELDS[] = {
    {"id", AW_FIELD_TEXT},         {"type", AW_FIELD_TEXT},       {"start", AW_FIELD_DATETIME},
    {"end", AW_FIELD_DATETIME},    {"duration_h", AW_FIELD_REAL}, {"mmsi", AW_FIELD_TEXT},
    {"mmsi1", AW_FIELD_INTEGER},   {"mmsi2", AW_FIELD_INTEGER},   {"segment1", AW_FIELD_INTEGER},
    {"segment2", AW_FIELD_INTEGER}, {"imo", AW_FIELD_TEXT},       {"names", AW_FIELD_TEXT},
    {"flags", AW_FIELD_TEXT},      {"measures", AW_FIELD_TEXT},   {"detail", AW_FIELD_TEXT},
    {"linked", AW_FIELD_TEXT},     {"parameters", AW_FIELD_TEXT}, {"sources", AW_FIELD_TEXT},
    {"sanctioned", AW_FIELD_TEXT},
};
static const aw_field EVENT_TRACKS_FIELDS[] = {
    {"event_id", AW_FIELD_TEXT}, {"mmsi", AW_FIELD_INTEGER},       {"segment", AW_FIELD_INTEGER},
    {"time", AW_FIELD_DATETIME}, {"sog_kn", AW_FIELD_REAL},        {"cog_deg", AW_FIELD_REAL},
    {"heading_deg", AW_FIELD_INTEGER}, {"in_event", AW_FIELD_INTEGER},
};
#define NF(a) (sizeof(a) / sizeof((a)[0]))

static aw_value opt_text(const jw *w) { return w->len ? AW_V_TEXT(w->buf) : AW_V_NULL; }

/* Speeds and courses to 0.1, as the positions layer writes them. */
static aw_value opt_tenth(float v) { return isnan(v) ? AW_V_NULL : AW_V_REAL(round(v * 10.0) / 10.0); }

/* First index in [lo, hi) whose time is >= ms (times are ascending within a vessel). */
static size_t lower_bound(const int64_t *time_ms, size_t lo, size_t hi, int64_t ms) {
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (time_ms[mid] < ms) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int write_context(aw_gpkg *g, int layer, const aw_tracks *t, const aw_event *e, int64_t ctx_ms, char *err,
                         size_t errcap) {
    for (unsigned k = 0; k < e->nvessels; k++) {
        const aw_vessel *v = &t->vessels[e->vessels[k].vessel];
        size_t end = v->first + v->count;
        if (end > t->n) return bad(err, errcap, e, "vessel's positions outside the tracks");
        for (size_t j = lower_bound(t->time_ms, v->first, end, e->start_ms - ctx_ms);
             j < end && t->time_ms[j] <= e->end_ms + ctx_ms; j++) {
            bool in = t->time_ms[j] >= e->start_ms && t->time_ms[j] <= e->end_ms;
            aw_value val[] = {
                AW_V_TEXT(e->id),
                AW_V_INT(v->mmsi),
                AW_V_INT(v->segment),
                AW_V_TIME_MS(t->time_ms[j]),
                opt_tenth(t->sog_kn[j]),
                opt_tenth(t->cog_deg[j]),
                t->heading_deg[j] == AW_HEADING_NA ? AW_V_NULL : AW_V_INT(t->heading_deg[j]),
                AW_V_INT(in),
            };
            double xy[2] = {t->lon[j], t->lat[j]};
            if (aw_gpkg_insert(g, layer, val, xy, 1, err, errcap) < 0) return -1;
        }
    }
    return 0;
}

int aw_events_write_gpkg(aw_gpkg *g, const aw_tracks *t, const aw_events *ev, const aw_event_params *p,
                         const char *const *source_names, size_t nsources, char *err, size_t errcap) {
    return aw_events_write_gpkg_screened(g, t, ev, p, source_names, nsources, NULL, err, errcap);
}

/* The participants' match arrays joined into one: "[a,b]" + "[c]" -> "[a,b,c]". */
static const char *join_sanctions(const aw_event *e, const char *const *vs, char *buf, size_t cap) {
    if (!vs) return NULL;
    size_t len = 0;
    for (unsigned k = 0; k < e->nvessels; k++) {
        const char *a = vs[e->vessels[k].vessel];
        if (!a || strlen(a) < 3) continue; /* NULL or "[]" */
        size_t n = strlen(a) - 2;          /* without the brackets */
        if (len + n + 3 >= cap) break;
        buf[len] = len ? ',' : '[';
        len++;
        memcpy(buf + len, a + 1, n);
        len += n;
    }
    if (!len) return NULL;
    buf[len++] = ']';
    buf[len] = 0;
    return buf;
}

int aw_events_write_gpkg_screened(aw_gpkg *g, const aw_tracks *t, const aw_events *ev, const aw_event_params *p,
                                  const char *const *source_names, size_t nsources,
                                  const char *const *vessel_sanctions, char *err, size_t errcap) {
    enum { SANCT_CAP = 1 << 16 };
    char *sanct_buf = vessel_sanctions ? malloc(SANCT_CAP) : NULL;
    if (vessel_sanctions && !sanct_buf) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    aw_event_params defaults;
    if (!p) {
        aw_event_params_default(&defaults);
        p = &defaults;
    }
    if (!source_names) nsources = 0;
    int lev = aw_gpkg_layer(g, "events", AW_GEOM_POINT, EVENTS_FIELDS, NF(EVENTS_FIELDS), err, errcap);
    if (lev < 0) return -1;
    int ltr = aw_gpkg_layer(g, "event_tracks", AW_GEOM_POINT, EVENT_TRACKS_FIELDS, NF(EVENT_TRACKS_FIELDS), err, errcap);
    if (ltr < 0) return -1;

    /* A context of NaN or below 0 means none; hours to ms, rounded. */
    double ctx_h = isfinite(p->context_h) && p->context_h > 0 ? p->context_h : 0;
    int64_t ctx_ms = (int64_t)llround(ctx_h * 3600000.0);

    row_text rt;
    int rc = row_text_init(&rt, p, nsources);
    if (rc < 0) snprintf(err, errcap, "out of memory");
    for (size_t i = 0; rc == 0 && ev && i < ev->n; i++) {
        const aw_event *e = &ev->v[i];
        if ((rc = build_row(&rt, ev, i, t, source_names, nsources, err, errcap)) < 0) break;
        const aw_event_row *r = &rt.row;
        const char *sanct = join_sanctions(e, vessel_sanctions, sanct_buf, SANCT_CAP);
        aw_value val[] = {
            AW_V_TEXT(e->id),
            AW_V_TEXT(r->type),
            AW_V_TIME_MS(e->start_ms),
            AW_V_TIME_MS(e->end_ms),
            AW_V_REAL(r->duration_h),
            opt_text(&rt.mmsi_txt),
            e->nvessels > 0 ? AW_V_INT(r->mmsi[0]) : AW_V_NULL,
            e->nvessels > 1 ? AW_V_INT(r->mmsi[1]) : AW_V_NULL,
            e->nvessels > 0 ? AW_V_INT(r->segment[0]) : AW_V_NULL,
            e->nvessels > 1 ? AW_V_INT(r->segment[1]) : AW_V_NULL,
            opt_text(&rt.imo_txt),
            opt_text(&rt.names_txt),
            opt_text(&rt.flags_txt),
            AW_V_TEXT(r->measures),
            r->detail ? AW_V_TEXT(r->detail) : AW_V_NULL,
            r->linked ? AW_V_TEXT(r->linked) : AW_V_NULL,
            AW_V_TEXT(r->parameters),
            r->sources ? AW_V_TEXT(r->sources) : AW_V_NULL,
            sanct ? AW_V_TEXT(sanct) : AW_V_NULL,
        };
        bool placed = isfinite(e->lat) && isfinite(e->lon);
        double xy[2] = {e->lon, e->lat};
        if ((rc = aw_gpkg_insert(g, lev, val, placed ? xy : NULL, placed ? 1 : 0, err, errcap)) < 0) break;
        rc = write_context(g, ltr, t, e, ctx_ms, err, errcap);
    }
    /* What `aiswatch events` and `serve` filter and sort on, and the event detail join. */
    if (rc == 0) rc = aw_gpkg_index(g, lev, "start, id", err, errcap);
    if (rc == 0) rc = aw_gpkg_index(g, lev, "type, start", err, errcap);
    if (rc == 0) rc = aw_gpkg_index(g, lev, "mmsi1", err, errcap);
    if (rc == 0) rc = aw_gpkg_index(g, lev, "mmsi2", err, errcap);
    if (rc == 0) rc = aw_gpkg_index(g, ltr, "event_id", err, errcap);
    row_text_free(&rt);
    free(sanct_buf);
    return rc;
}
