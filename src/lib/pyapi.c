/* pyapi.c — flat entry points for the Python binding (see aiswatch/pyapi.h).
 *
 * Decoding keeps input order: each worker writes fixed-size records of its messages into
 * the pipeline's ordered output, and the reading thread appends them to the columns, so
 * two runs on one file give the same rows in the same order. Packed tracks are a plain
 * little header and the arrays one after another; they never leave the machine's byte
 * order (Dask moves them between processes of one cluster). */
#include "aiswatch/pyapi.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aiswatch/columns.h"
#include "aiswatch/event_out.h"
#include "aiswatch/gpkg.h"
#include "aiswatch/input.h"
#include "aiswatch/mid.h"
#include "aiswatch/pipeline.h"
#include "aiswatch/scan.h"
#include "aiswatch/table.h"
#include "aiswatch/tracks_gpkg.h"
#include "fmt.h"

#define HEAD_BYTES 65536
#define MAX_LISTS 64

void aw_py_free(void *p) { free(p); }

/* ---- a growable string -------------------------------------------------------------- */

typedef struct sb {
    char *p;
    size_t len, cap;
    bool oom;
} sb;

static void sb_put(sb *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_str(sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_fmt(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(sb *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void sb_jstr(sb *b, const char *s) {
    if (!s) {
        sb_str(b, "null");
        return;
    }
    char tmp[6 * 64];
    sb_put(b, "\"", 1);
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 64) {
        size_t k = n - i < 64 ? n - i : 64;
        sb_put(b, tmp, (size_t)(fmt_json_esc(tmp, s + i, k) - tmp));
    }
    sb_put(b, "\"", 1);
}

static void sb_num(sb *b, double v) {
    if (isfinite(v)) sb_fmt(b, "%.10g", v);
    else sb_str(b, "null");
}

static char *sb_take(sb *b) {
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    if (!b->p) return calloc(1, 1);
    return b->p;
}

/* ---- options ------------------------------------------------------------------------ */

struct aw_py_opts {
    aw_scan_opts so;
    char *columns, *land, *ports, *anchorages;
    bool no_land;
    char *lists[MAX_LISTS];
    size_t nlists;
};

#define EP(f) {#f, offsetof(aw_event_params, f)}
static const struct {
    const char *name;
    size_t off;
} EVENT_PARAMS[] = {
    EP(encounter_distance_m), EP(encounter_min_h),    EP(encounter_max_kn),     EP(encounter_grid_min),
    EP(encounter_max_interp_h), EP(encounter_merge_h), EP(encounter_min_port_km), EP(loiter_max_kn),
    EP(loiter_min_h),         EP(loiter_min_shore_nm), EP(gap_min_h),            EP(gap_min_port_km),
    EP(max_transit_kn),       EP(draught_change_m),   EP(spoof_max_kn),         EP(spoof_min_inland_km),
    EP(context_h),            EP(draught_window_h),
};
#undef EP
#define NEP (sizeof EVENT_PARAMS / sizeof EVENT_PARAMS[0])
_Static_assert(sizeof(aw_event_params) == NEP * sizeof(double), "a field of aw_event_params is missing in pyapi.c");

static const char *const OTHER_OPTS[] = {
    "duplicate_window_ms", "max_speed_kn", "anchorage_min_vessels", "name_min_score", "threads", "events",
    "accept_bad_checksum", "time_from_ms", "time_to_ms", "columns", "land", "no_land", "ports", "anchorages",
    "lists",
};
#define NOTHER (sizeof OTHER_OPTS / sizeof OTHER_OPTS[0])

const char *aw_py_opts_name(size_t i) {
    if (i < NEP) return EVENT_PARAMS[i].name;
    if (i < NEP + NOTHER) return OTHER_OPTS[i - NEP];
    return NULL;
}

aw_py_opts *aw_py_opts_new(void) {
    aw_py_opts *o = calloc(1, sizeof *o);
    if (o) aw_scan_opts_default(&o->so);
    return o;
}

void aw_py_opts_free(aw_py_opts *o) {
    if (!o) return;
    free(o->columns);
    free(o->land);
    free(o->ports);
    free(o->anchorages);
    for (size_t i = 0; i < o->nlists; i++) free(o->lists[i]);
    free(o);
}

static int set_str(char **dst, const char *v, char *err, size_t errcap) {
    char *c = strdup(v);
    if (!c) return snprintf(err, errcap, "out of memory"), -1;
    free(*dst);
    *dst = c;
    return 0;
}

int aw_py_opts_set(aw_py_opts *o, const char *name, const char *value, char *err, size_t errcap) {
    char *end;
    for (size_t i = 0; i < NEP; i++) {
        if (strcmp(name, EVENT_PARAMS[i].name) != 0) continue;
        double v = strtod(value, &end);
        if (end == value || *end || !(v >= 0) || isinf(v))
            return snprintf(err, errcap, "%s takes a number >= 0, not '%s'", name, value), -1;
        *(double *)((char *)&o->so.event + EVENT_PARAMS[i].off) = v;
        return 0;
    }
    if (!strcmp(name, "columns")) return set_str(&o->columns, value, err, errcap);
    if (!strcmp(name, "land")) return set_str(&o->land, value, err, errcap);
    if (!strcmp(name, "ports")) return set_str(&o->ports, value, err, errcap);
    if (!strcmp(name, "anchorages")) return set_str(&o->anchorages, value, err, errcap);
    if (!strcmp(name, "lists")) {
        char *copy = strdup(value);
        if (!copy) return snprintf(err, errcap, "out of memory"), -1;
        int rc = 0;
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (o->nlists == MAX_LISTS) {
                rc = -1;
                snprintf(err, errcap, "at most %d lists", MAX_LISTS);
                break;
            }
            if (!(o->lists[o->nlists] = strdup(tok))) {
                rc = -1;
                snprintf(err, errcap, "out of memory");
                break;
            }
            o->nlists++;
        }
        free(copy);
        return rc;
    }
    if (!strcmp(name, "max_speed_kn") || !strcmp(name, "name_min_score")) {
        double v = strtod(value, &end);
        if (end == value || *end || !(v >= 0) || isinf(v))
            return snprintf(err, errcap, "%s takes a number >= 0, not '%s'", name, value), -1;
        if (name[0] == 'm') o->so.track.max_speed_kn = v;
        else if (v > 0 && v <= 1) o->so.screen.name_min_score = v;
        else return snprintf(err, errcap, "name_min_score takes a number in (0, 1]"), -1;
        return 0;
    }
    long long v = strtoll(value, &end, 10);
    if (end == value || *end) return snprintf(err, errcap, "%s takes a whole number, not '%s'", name, value), -1;
    if (!strcmp(name, "time_from_ms")) o->so.time_from_ms = v;
    else if (!strcmp(name, "time_to_ms")) o->so.time_to_ms = v;
    else if (v < 0) return snprintf(err, errcap, "%s takes a whole number >= 0", name), -1;
    else if (!strcmp(name, "duplicate_window_ms")) o->so.track.duplicate_window_ms = v;
    else if (!strcmp(name, "anchorage_min_vessels")) o->so.anchorage_min_vessels = (unsigned)v;
    else if (!strcmp(name, "threads")) {
        if (v > 64) return snprintf(err, errcap, "threads takes 0..64"), -1;
        o->so.threads = (unsigned)v;
    } else if (!strcmp(name, "events")) o->so.events = v != 0;
    else if (!strcmp(name, "accept_bad_checksum")) o->so.decoder.accept_bad_checksum = v != 0;
    else if (!strcmp(name, "no_land")) o->no_land = v != 0;
    else return snprintf(err, errcap, "unknown option '%s'", name), -1;
    return 0;
}

aw_geo *aw_py_geo_load(const aw_py_opts *o, const char *search_dir, bool with_places, char *err, size_t errcap) {
    aw_geo *g = aw_geo_new();
    if (!g) return snprintf(err, errcap, "out of memory"), NULL;
    char buf[4096];
    const char *land = o->land;
    if (!land && !o->no_land) land = aw_geo_default_land(search_dir, buf, sizeof buf);
    if (land && !o->no_land && aw_geo_load_land(g, land, err, errcap) < 0) goto fail;
    if (with_places && o->ports && aw_geo_load_ports(g, o->ports, err, errcap) < 0) goto fail;
    if (with_places && o->anchorages && aw_geo_load_anchorages(g, o->anchorages, err, errcap) < 0) goto fail;
    return g;
fail:
    aw_geo_free(g);
    return NULL;
}

aw_lists *aw_py_lists_load(const aw_py_opts *o, char *err, size_t errcap) {
    if (errcap) err[0] = 0;
    if (!o->nlists) return NULL;
    aw_lists *l = aw_lists_new();
    if (!l) return snprintf(err, errcap, "out of memory"), NULL;
    for (size_t i = 0; i < o->nlists; i++)
        if (aw_lists_load(l, o->lists[i], NULL, NULL, err, errcap) < 0) {
            aw_lists_free(l);
            return NULL;
        }
    return l;
}

char *aw_py_screen_query(const aw_lists *l, const aw_py_opts *o, uint32_t mmsi, uint32_t imo, const char *name,
                         const char *callsign) {
    const aw_flag *flag = mmsi ? aw_flag_of_mmsi(mmsi) : NULL;
    aw_screen_query q = {mmsi, &imo, imo ? 1 : 0, &name, name ? 1 : 0, &callsign, callsign ? 1 : 0,
                         flag ? flag->iso2 : NULL};
    aw_match m[64];
    size_t n = aw_screen(l, &q, &o->so.screen, m, 64);
    if (n > 64) n = 64;
    sb b = {0};
    char line[4096];
    for (size_t i = 0; i < n; i++) {
        aw_match_json(l, mmsi, &m[i], line, sizeof line);
        sb_str(&b, line);
        sb_put(&b, "\n", 1);
    }
    return sb_take(&b);
}

/* ---- JSON of tracks, vessels, events ---------------------------------------------------- */

char *aw_py_vessels_jsonl(const aw_tracks *t, const char *const *vessel_sanctions) {
    sb b = {0};
    for (size_t vi = 0; vi < t->nvessels; vi++) {
        const aw_vessel *v = &t->vessels[vi];
        const aw_static_obs *id = &v->ident;
        const aw_flag *flag = aw_flag_of_mmsi(v->mmsi);
#define HAS(f) (id->fields & (1u << (f)))
        sb_fmt(&b, "{\"mmsi\":%u,\"segment\":%u,\"name\":", v->mmsi, v->segment);
        sb_jstr(&b, HAS(AW_ID_NAME) ? id->name : NULL);
        if (HAS(AW_ID_IMO)) sb_fmt(&b, ",\"imo\":%u,\"imo_valid\":%s", id->imo, aw_imo_valid(id->imo) ? "true" : "false");
        else sb_str(&b, ",\"imo\":null,\"imo_valid\":null");
        sb_str(&b, ",\"callsign\":");
        sb_jstr(&b, HAS(AW_ID_CALLSIGN) ? id->callsign : NULL);
        if (HAS(AW_ID_SHIPTYPE)) {
            sb_fmt(&b, ",\"ship_type\":%u,\"ship_type_text\":", id->shiptype);
            sb_jstr(&b, aw_shiptype_text(id->shiptype));
        } else {
            sb_str(&b, ",\"ship_type\":null,\"ship_type_text\":null");
        }
        sb_str(&b, ",\"length_m\":");
        sb_num(&b, HAS(AW_ID_LENGTH) ? id->length_m : NAN);
        sb_str(&b, ",\"beam_m\":");
        sb_num(&b, HAS(AW_ID_BEAM) ? id->beam_m : NAN);
        sb_str(&b, ",\"draught_m\":");
        sb_num(&b, HAS(AW_ID_DRAUGHT) ? id->draught_dm / 10.0 : NAN);
        sb_str(&b, ",\"destination\":");
        sb_jstr(&b, HAS(AW_ID_DESTINATION) ? id->destination : NULL);
#undef HAS
        sb_str(&b, ",\"flag\":");
        sb_jstr(&b, flag ? flag->iso2 : NULL);
        sb_str(&b, ",\"flag_country\":");
        sb_jstr(&b, flag ? flag->name : NULL);
        sb_fmt(&b, ",\"n_positions\":%zu", v->count);
        if (v->first_seen_ms != INT64_MAX) sb_fmt(&b, ",\"first_seen_ms\":%lld", (long long)v->first_seen_ms);
        else sb_str(&b, ",\"first_seen_ms\":null");
        if (v->last_seen_ms != INT64_MIN) sb_fmt(&b, ",\"last_seen_ms\":%lld", (long long)v->last_seen_ms);
        else sb_str(&b, ",\"last_seen_ms\":null");
        if (v->count) {
            size_t last = v->first + v->count - 1;
            sb_fmt(&b, ",\"lat\":%.7f,\"lon\":%.7f", t->lat[last], t->lon[last]);
        } else {
            sb_str(&b, ",\"lat\":null,\"lon\":null");
        }
        const char *s = vessel_sanctions ? vessel_sanctions[vi] : NULL;
        sb_str(&b, ",\"sanctions\":");
        sb_str(&b, s ? s : "null");
        sb_str(&b, "}\n");
    }
    return sb_take(&b);
}

char *aw_py_history_jsonl(const aw_tracks *t) {
    sb b = {0};
    for (size_t i = 0; i < t->nhistory; i++) {
        const aw_ident_change *h = &t->history[i];
        sb_fmt(&b, "{\"mmsi\":%u,\"segment\":%u,\"field\":\"%s\",\"value\":", h->mmsi, h->segment,
               aw_id_field_name((aw_id_field)h->field));
        sb_jstr(&b, h->value);
        sb_fmt(&b, ",\"first_seen_ms\":%lld,\"last_seen_ms\":%lld,\"n_reports\":%u}\n", (long long)h->first_seen_ms,
               (long long)h->last_seen_ms, h->n_reports);
    }
    return sb_take(&b);
}

char *aw_py_events_jsonl(const aw_events *e, const aw_tracks *t, const aw_py_opts *o, const char *const *names,
                         size_t nnames) {
    sb b = {0};
    size_t cap = 4096;
    char *line = malloc(cap);
    if (!line) return NULL;
    for (size_t i = 0; i < e->n && !b.oom; i++) {
        size_t n = aw_event_json(e, i, t, &o->so.event, names, nnames, line, cap);
        if (n >= cap) {
            char *p = realloc(line, n + 1);
            if (!p) {
                b.oom = true;
                break;
            }
            line = p;
            cap = n + 1;
            n = aw_event_json(e, i, t, &o->so.event, names, nnames, line, cap);
        }
        sb_put(&b, line, n);
        sb_put(&b, "\n", 1);
    }
    free(line);
    return sb_take(&b);
}

size_t aw_py_events_count(const aw_events *e) { return e ? e->n : 0; }

void aw_py_events_meta(const aw_events *e, int64_t *start, int64_t *end, int32_t *type, int64_t *first_link_start) {
    for (size_t i = 0; i < e->n; i++) {
        const aw_event *v = &e->v[i];
        start[i] = v->start_ms;
        end[i] = v->end_ms;
        type[i] = (int32_t)v->type;
        first_link_start[i] = v->nlinks && v->links[0] < e->n ? e->v[v->links[0]].start_ms : INT64_MIN;
    }
}

void aw_py_events_free(aw_events *e) {
    if (!e) return;
    aw_events_free(e);
    free(e);
}

/* ---- tracks accessors ---------------------------------------------------------------- */

size_t aw_py_tracks_rows(const aw_tracks *t) { return t->n; }
size_t aw_py_tracks_vessels(const aw_tracks *t) { return t->nvessels; }

const void *aw_py_tracks_col(const aw_tracks *t, const char *name) {
    if (!strcmp(name, "time_ms")) return t->time_ms;
    if (!strcmp(name, "mmsi")) return t->mmsi;
    if (!strcmp(name, "segment")) return t->segment;
    if (!strcmp(name, "lat")) return t->lat;
    if (!strcmp(name, "lon")) return t->lon;
    if (!strcmp(name, "sog_kn")) return t->sog_kn;
    if (!strcmp(name, "cog_deg")) return t->cog_deg;
    if (!strcmp(name, "heading_deg")) return t->heading_deg;
    if (!strcmp(name, "nav_status")) return t->nav_status;
    if (!strcmp(name, "msg_type")) return t->msg_type;
    if (!strcmp(name, "source_id")) return t->source_id;
    return NULL;
}

void aw_py_tracks_free(aw_tracks *t) {
    if (!t) return;
    aw_tracks_free(t);
    free(t);
}

/* ---- decoding --------------------------------------------------------------------------- */

/* What a worker writes per message into the ordered output. */
typedef struct rec {
    int64_t time_ms;
    uint32_t mmsi;
    uint8_t msg_type, repeat, nav_status, second;
    char channel;
    bool has_pos, has_static;
    int32_t lat, lon;
    uint16_t sog_dkn, cog_ddeg, heading_deg;
    aw_static_obs st;
} rec;

#define GROWV(p, n, cap)                                                                                        \
    do {                                                                                                         \
        void *q_ = realloc((p), (cap) * sizeof *(p));                                                            \
        if (!q_) return -1;                                                                                      \
        (p) = q_;                                                                                                \
    } while (0)

typedef struct msg_table {
    size_t n, cap;
    int64_t *time_ms;
    uint32_t *mmsi, *imo;
    uint8_t *msg_type, *repeat, *nav_status, *ship_type;
    char *channel;
    double *lat, *lon;
    float *sog_kn, *cog_deg, *heading_deg, *draught_m, *length_m, *beam_m;
    char (*name)[21], (*callsign)[8], (*destination)[21];
} msg_table;

static int msg_table_grow(msg_table *m) {
    size_t cap = m->cap ? m->cap * 2 : 4096;
    GROWV(m->time_ms, m->n, cap);
    GROWV(m->mmsi, m->n, cap);
    GROWV(m->imo, m->n, cap);
    GROWV(m->msg_type, m->n, cap);
    GROWV(m->repeat, m->n, cap);
    GROWV(m->nav_status, m->n, cap);
    GROWV(m->ship_type, m->n, cap);
    GROWV(m->channel, m->n, cap);
    GROWV(m->lat, m->n, cap);
    GROWV(m->lon, m->n, cap);
    GROWV(m->sog_kn, m->n, cap);
    GROWV(m->cog_deg, m->n, cap);
    GROWV(m->heading_deg, m->n, cap);
    GROWV(m->draught_m, m->n, cap);
    GROWV(m->length_m, m->n, cap);
    GROWV(m->beam_m, m->n, cap);
    GROWV(m->name, m->n, cap);
    GROWV(m->callsign, m->n, cap);
    GROWV(m->destination, m->n, cap);
    m->cap = cap;
    return 0;
}

static void msg_table_free(msg_table *m) {
    void *all[] = {m->time_ms, m->mmsi,    m->imo,         m->msg_type,  m->repeat,   m->nav_status, m->ship_type,
                   m->channel, m->lat,     m->lon,         m->sog_kn,    m->cog_deg,  m->heading_deg, m->draught_m,
                   m->length_m, m->beam_m, m->name,        m->callsign,  m->destination};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

struct aw_py_decoded {
    bool want_messages;
    uint16_t source_id;
    msg_table msgs;
    aw_columns pos;
    aw_static_obs *obs;
    uint32_t *obs_mmsi;
    int64_t *obs_time;
    size_t nobs, cap_obs;
    bool oom;
    /* the input */
    char *path;
    uint64_t bytes;
    char sha256[65];
    const char *format;
    aw_decode_stats stats;
    char read_error[1024];
};

static int obs_add(aw_py_decoded *d, const aw_static_obs *o) {
    if (d->nobs == d->cap_obs) {
        size_t cap = d->cap_obs ? d->cap_obs * 2 : 1024;
        GROWV(d->obs, d->nobs, cap);
        GROWV(d->obs_mmsi, d->nobs, cap);
        GROWV(d->obs_time, d->nobs, cap);
        d->cap_obs = cap;
    }
    d->obs[d->nobs] = *o;
    d->obs_mmsi[d->nobs] = o->mmsi;
    d->obs_time[d->nobs] = o->time_ms;
    d->nobs++;
    return 0;
}

static int msg_add(msg_table *m, const rec *r) {
    if (m->n == m->cap && msg_table_grow(m) < 0) return -1;
    size_t i = m->n++;
    m->time_ms[i] = r->time_ms;
    m->mmsi[i] = r->mmsi;
    m->msg_type[i] = r->msg_type;
    m->repeat[i] = r->repeat;
    m->channel[i] = r->channel;
    m->nav_status[i] = r->has_pos ? r->nav_status : 15;
    bool pos_ok = r->has_pos && r->lat != AW_LAT_NA && r->lon != AW_LON_NA;
    m->lat[i] = pos_ok ? r->lat / AW_LATLON_SCALE : NAN;
    m->lon[i] = pos_ok ? r->lon / AW_LATLON_SCALE : NAN;
    m->sog_kn[i] = r->has_pos && r->sog_dkn != AW_SPEED_NA ? r->sog_dkn / 10.0f : NAN;
    m->cog_deg[i] = r->has_pos && r->cog_ddeg < AW_COURSE_NA ? r->cog_ddeg / 10.0f : NAN;
    m->heading_deg[i] = r->has_pos && r->heading_deg != AW_HEADING_NA ? (float)r->heading_deg : NAN;
    const aw_static_obs *s = &r->st;
    bool st = r->has_static;
#define HAS(f) (st && (s->fields & (1u << (f))))
    m->imo[i] = HAS(AW_ID_IMO) ? s->imo : 0;
    m->ship_type[i] = HAS(AW_ID_SHIPTYPE) ? s->shiptype : 0;
    m->draught_m[i] = HAS(AW_ID_DRAUGHT) ? s->draught_dm / 10.0f : NAN;
    m->length_m[i] = HAS(AW_ID_LENGTH) ? (float)s->length_m : NAN;
    m->beam_m[i] = HAS(AW_ID_BEAM) ? (float)s->beam_m : NAN;
    memset(m->name[i], 0, sizeof m->name[i]);
    if (HAS(AW_ID_NAME)) memcpy(m->name[i], s->name, sizeof m->name[i]);
    memset(m->callsign[i], 0, sizeof m->callsign[i]);
    if (HAS(AW_ID_CALLSIGN)) memcpy(m->callsign[i], s->callsign, sizeof m->callsign[i]);
    memset(m->destination[i], 0, sizeof m->destination[i]);
    if (HAS(AW_ID_DESTINATION)) memcpy(m->destination[i], s->destination, sizeof m->destination[i]);
#undef HAS
    return 0;
}

/* A worker's scratch: one row of columns, to extract positions the way columns.c does. */
typedef struct dworker {
    aw_columns one;
    bool oom;
} dworker;

static void *dworker_new(void *ctx, unsigned worker) {
    (void)ctx, (void)worker;
    return calloc(1, sizeof(dworker));
}

static void dworker_free(void *ctx, void *wstate) {
    aw_py_decoded *d = ctx;
    dworker *w = wstate;
    if (!w) {
        d->oom = true;
        return;
    }
    if (w->oom) d->oom = true; /* set in a worker thread, read after the run */
    aw_columns_free(&w->one);
    free(w);
}

static void don_msg(void *wstate, aw_buf *out, const aw_msg *msg, const aw_msg_meta *meta) {
    dworker *w = wstate;
    if (!w) return;
    rec r;
    memset(&r, 0, sizeof r);
    r.time_ms = meta->time_ms;
    r.mmsi = msg->mmsi;
    r.msg_type = msg->msg_type;
    r.repeat = msg->repeat;
    r.channel = meta->channel;
    w->one.n = 0;
    if (aw_columns_push(&w->one, msg, meta) < 0) {
        w->oom = true;
        return;
    }
    if (w->one.n == 1) {
        r.has_pos = true;
        r.lat = w->one.lat[0], r.lon = w->one.lon[0];
        r.sog_dkn = w->one.sog_dkn[0], r.cog_ddeg = w->one.cog_ddeg[0], r.heading_deg = w->one.heading_deg[0];
        r.nav_status = w->one.nav_status[0], r.second = w->one.second[0];
    }
    r.has_static = aw_static_from_msg(msg, meta->time_ms, &r.st);
    char *p = aw_buf_reserve(out, sizeof r);
    if (!p) {
        w->oom = true;
        return;
    }
    memcpy(p, &r, sizeof r);
    out->len += sizeof r;
}

static bool dwrite(void *ctx, const char *data, size_t len) {
    aw_py_decoded *d = ctx;
    for (size_t off = 0; off + sizeof(rec) <= len; off += sizeof(rec)) {
        rec r;
        memcpy(&r, data + off, sizeof r);
        if (d->want_messages && msg_add(&d->msgs, &r) < 0) return d->oom = true, false;
        if (r.has_pos) {
            aw_columns one = {.n = 1,
                              .time_ms = &r.time_ms,
                              .mmsi = &r.mmsi,
                              .lat = &r.lat,
                              .lon = &r.lon,
                              .sog_dkn = &r.sog_dkn,
                              .cog_ddeg = &r.cog_ddeg,
                              .heading_deg = &r.heading_deg,
                              .msg_type = &r.msg_type,
                              .nav_status = &r.nav_status,
                              .second = &r.second,
                              .source_id = &d->source_id};
            if (aw_columns_append(&d->pos, &one) < 0) return d->oom = true, false;
        }
        /* As the scan keeps them: timed, and saying something. */
        if (r.has_static && r.time_ms != AW_TIME_NONE && r.st.fields && obs_add(d, &r.st) < 0)
            return d->oom = true, false;
    }
    return true;
}

void aw_py_decoded_free(aw_py_decoded *d) {
    if (!d) return;
    msg_table_free(&d->msgs);
    aw_columns_free(&d->pos);
    free(d->obs);
    free(d->obs_mmsi);
    free(d->obs_time);
    free(d->path);
    free(d);
}

aw_py_decoded *aw_py_decode(const char *path, const aw_py_opts *o, unsigned source_id, bool messages, char *err,
                            size_t errcap) {
    aw_py_decoded *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(path))) {
        free(d);
        return snprintf(err, errcap, "out of memory"), NULL;
    }
    d->want_messages = messages;
    d->source_id = (uint16_t)source_id;
    aw_input *in = aw_input_open(path, err, errcap);
    if (!in) {
        aw_py_decoded_free(d);
        return NULL;
    }
    char *head = malloc(HEAD_BYTES);
    ssize_t nh = head ? aw_input_peek(in, head, HEAD_BYTES, err, errcap) : -1;
    aw_table_map map;
    char derr[256];
    int fmt = nh < 0 ? -1 : aw_table_detect(head, (size_t)nh, o->columns, &map, derr, sizeof derr);
    free(head);
    if (fmt < 0) {
        if (nh >= 0) snprintf(err, errcap, "%s: %s", path, derr);
        aw_input_close(in);
        aw_py_decoded_free(d);
        return NULL;
    }
    aw_pipeline_opts popts = {
        .threads = o->so.threads,
        .decoder = o->so.decoder,
        .table = fmt == AW_TABLE_NONE ? NULL : &map,
    };
    aw_pipeline_hooks hooks = {
        .worker_new = dworker_new,
        .worker_free = dworker_free,
        .on_msg = don_msg,
        .write_fn = dwrite,
        .ctx = d,
    };
    char perr[256];
    if (aw_pipeline_run(in, &popts, &hooks, &d->stats, perr, sizeof perr) < 0)
        snprintf(d->read_error, sizeof d->read_error, "%.400s: %.300s (what was read before is kept)", path, perr);
    d->bytes = aw_input_raw_bytes(in);
    d->format = aw_scan_format_name(fmt, aw_input_compression(in));
    (void)aw_input_sha256(in, d->sha256);
    aw_input_close(in);
    if (d->oom) {
        snprintf(err, errcap, "out of memory while reading %s", path);
        aw_py_decoded_free(d);
        return NULL;
    }
    return d;
}

size_t aw_py_decoded_rows(const aw_py_decoded *d, int table) {
    return table == AW_PY_MESSAGES ? d->msgs.n : table == AW_PY_POSITIONS ? d->pos.n : d->nobs;
}

size_t aw_py_static_size(void) { return sizeof(aw_static_obs); }
const void *aw_py_decoded_static(const aw_py_decoded *d) { return d->obs; }

const void *aw_py_decoded_col(const aw_py_decoded *d, int table, const char *name) {
    if (table == AW_PY_POSITIONS) {
        const aw_columns *c = &d->pos;
        if (!strcmp(name, "time_ms")) return c->time_ms;
        if (!strcmp(name, "mmsi")) return c->mmsi;
        if (!strcmp(name, "lat")) return c->lat;
        if (!strcmp(name, "lon")) return c->lon;
        if (!strcmp(name, "sog_dkn")) return c->sog_dkn;
        if (!strcmp(name, "cog_ddeg")) return c->cog_ddeg;
        if (!strcmp(name, "heading_deg")) return c->heading_deg;
        if (!strcmp(name, "msg_type")) return c->msg_type;
        if (!strcmp(name, "nav_status")) return c->nav_status;
        if (!strcmp(name, "second")) return c->second;
        if (!strcmp(name, "source_id")) return c->source_id;
        return NULL;
    }
    if (table == AW_PY_STATIC) {
        if (!strcmp(name, "mmsi")) return d->obs_mmsi;
        if (!strcmp(name, "time_ms")) return d->obs_time;
        return NULL;
    }
    const msg_table *m = &d->msgs;
    static const char *const names[] = {"time_ms", "mmsi",     "imo",     "msg_type",    "repeat",    "nav_status",
                                        "ship_type", "channel", "lat",     "lon",         "sog_kn",    "cog_deg",
                                        "heading_deg", "draught_m", "length_m", "beam_m", "name",      "callsign",
                                        "destination"};
    const void *cols[] = {m->time_ms, m->mmsi,    m->imo,       m->msg_type,  m->repeat,   m->nav_status, m->ship_type,
                          m->channel, m->lat,     m->lon,       m->sog_kn,    m->cog_deg,  m->heading_deg, m->draught_m,
                          m->length_m, m->beam_m, m->name,      m->callsign,  m->destination};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) return cols[i];
    return NULL;
}

static void stats_json(sb *b, const aw_decode_stats *s) {
    sb_fmt(b,
           "{\"lines\":%llu,\"bytes\":%llu,\"comments\":%llu,\"sentences\":%llu,\"tagblocks\":%llu,"
           "\"messages\":%llu,\"truncated\":%llu,\"untimed\":%llu,\"non_vessel_rows\":%llu,\"rejects\":{",
           (unsigned long long)s->lines, (unsigned long long)s->bytes, (unsigned long long)s->comments,
           (unsigned long long)s->sentences, (unsigned long long)s->tagblocks, (unsigned long long)s->messages,
           (unsigned long long)s->truncated, (unsigned long long)s->untimed, (unsigned long long)s->non_vessel_rows);
    bool first = true;
    for (int r = 0; r < AW_REJ_COUNT; r++) {
        if (!s->rejects[r]) continue;
        sb_fmt(b, "%s\"%s\":%llu", first ? "" : ",", aw_reject_name((aw_reject)r), (unsigned long long)s->rejects[r]);
        first = false;
    }
    sb_str(b, "}}");
}

char *aw_py_decoded_info_json(const aw_py_decoded *d) {
    sb b = {0};
    sb_str(&b, "{\"path\":");
    sb_jstr(&b, d->path);
    sb_fmt(&b, ",\"bytes\":%llu,\"sha256\":", (unsigned long long)d->bytes);
    sb_jstr(&b, d->sha256);
    sb_str(&b, ",\"format\":");
    sb_jstr(&b, d->format);
    sb_str(&b, ",\"read_error\":");
    sb_jstr(&b, d->read_error);
    sb_str(&b, ",\"stats\":");
    stats_json(&b, &d->stats);
    sb_str(&b, "}");
    return sb_take(&b);
}

/* ---- the whole scan --------------------------------------------------------------------- */

struct aw_py_scan {
    aw_scan *scan;
    aw_geo *geo;
    aw_lists *lists;
    aw_py_opts opts; /* copy of the scalar options (for the event parameters) */
    sb warnings;
};

static void scan_warn(aw_py_scan *s, const char *msg) {
    sb_jstr(&s->warnings, msg);
    sb_put(&s->warnings, ",", 1);
}

void aw_py_scan_free(aw_py_scan *s) {
    if (!s) return;
    aw_scan_free(s->scan);
    aw_lists_free(s->lists);
    aw_geo_free(s->geo);
    free(s->warnings.p);
    free(s);
}

aw_py_scan *aw_py_scan_run(const aw_py_opts *o, const char *const *paths, size_t n, const char *search_dir,
                           const char *gpkg_path, bool with_positions, char *err, size_t errcap) {
    aw_py_scan *s = calloc(1, sizeof *s);
    if (!s) return snprintf(err, errcap, "out of memory"), NULL;
    s->opts.so = o->so;
    aw_scan_opts so = o->so;
    so.columns = o->columns;
    if (so.events && !(s->geo = aw_py_geo_load(o, search_dir, true, err, errcap))) goto fail;
    if (!(s->lists = aw_py_lists_load(o, err, errcap)) && err[0]) goto fail;
    so.geo = s->geo;
    so.lists = s->lists;
    if (!(s->scan = aw_scan_new(&so, err, errcap))) goto fail;
    for (size_t i = 0; i < n; i++) {
        char e2[512];
        int r = aw_scan_add(s->scan, paths[i], e2, sizeof e2);
        if (r != 0) scan_warn(s, e2);
        if (r < 0 && strstr(e2, "out of memory")) {
            snprintf(err, errcap, "%s", e2);
            goto fail;
        }
    }
    if (gpkg_path ? aw_scan_finish_gpkg(s->scan, gpkg_path, false, with_positions, err, errcap) < 0
                  : aw_scan_finish(s->scan, err, errcap) < 0)
        goto fail;
    return s;
fail:
    aw_py_scan_free(s);
    return NULL;
}

const aw_tracks *aw_py_scan_tracks(const aw_py_scan *s) {
    aw_scan_result r;
    aw_scan_result_get(s->scan, &r);
    return r.tracks;
}

char *aw_py_scan_vessels_jsonl(const aw_py_scan *s) {
    aw_scan_result r;
    aw_scan_result_get(s->scan, &r);
    return aw_py_vessels_jsonl(r.tracks, r.vessel_sanctions);
}

char *aw_py_scan_events_jsonl(const aw_py_scan *s) {
    aw_scan_result r;
    aw_scan_result_get(s->scan, &r);
    return aw_py_events_jsonl(r.events, r.tracks, &s->opts, r.source_names, r.ninputs);
}

char *aw_py_scan_summary_json(const aw_py_scan *s) {
    aw_scan_result r;
    aw_scan_result_get(s->scan, &r);
    const aw_track_stats *ts = &r.tracks->stats;
    sb b = {0};
    sb_str(&b, "{\"decode\":");
    stats_json(&b, &r.decode);
    sb_fmt(&b,
           ",\"tracks\":{\"positions_in\":%llu,\"untimed\":%llu,\"not_available\":%llu,\"out_of_range\":%llu,"
           "\"duplicates\":%llu,\"positions\":%llu,\"static_reports\":%llu,\"mmsis\":%llu,\"segments\":%llu}",
           (unsigned long long)ts->positions_in, (unsigned long long)ts->untimed,
           (unsigned long long)ts->not_available, (unsigned long long)ts->out_of_range,
           (unsigned long long)ts->duplicates, (unsigned long long)ts->positions,
           (unsigned long long)ts->static_reports, (unsigned long long)ts->mmsis, (unsigned long long)ts->segments);
    sb_fmt(&b, ",\"untimed_static\":%llu,\"outside_window\":%llu,\"anchorages_derived\":%ld,\"skipped_rules\":",
           (unsigned long long)r.untimed_static, (unsigned long long)r.outside_window, r.anchorages_derived);
    sb_jstr(&b, r.skipped_rules);
    sb_fmt(&b, ",\"seconds\":{\"read\":%.3f,\"tracks\":%.3f,\"events\":%.3f},\"inputs\":[", r.t_read, r.t_tracks,
           r.t_events);
    for (size_t i = 0; i < r.ninputs; i++) {
        const aw_scan_input *in = &r.inputs[i];
        sb_str(&b, i ? ",{\"path\":" : "{\"path\":");
        sb_jstr(&b, in->path);
        sb_fmt(&b, ",\"read\":%s,\"bytes\":%llu,\"sha256\":", in->read ? "true" : "false",
               (unsigned long long)in->bytes);
        sb_jstr(&b, in->sha256);
        sb_str(&b, ",\"format\":");
        sb_jstr(&b, in->format);
        sb_str(&b, ",\"stats\":");
        stats_json(&b, &in->stats);
        sb_str(&b, "}");
    }
    sb_str(&b, "],\"warnings\":[");
    if (s->warnings.len) sb_put(&b, s->warnings.p, s->warnings.len - 1); /* without the last comma */
    sb_str(&b, "]}");
    return sb_take(&b);
}

/* ---- parts of a partitioned scan -------------------------------------------------------- */

aw_tracks *aw_py_tracks_build(size_t n, const int64_t *time_ms, const uint32_t *mmsi, const int32_t *lat,
                              const int32_t *lon, const uint16_t *sog_dkn, const uint16_t *cog_ddeg,
                              const uint16_t *heading_deg, const uint8_t *msg_type, const uint8_t *nav_status,
                              const uint8_t *second, const uint16_t *source_id, const void *obs, size_t nobs,
                              const aw_py_opts *o, char *err, size_t errcap) {
    /* Only read by aw_tracks_build(): the casts never lead to a write. */
    aw_columns c = {.n = n,
                    .cap = n,
                    .time_ms = (int64_t *)time_ms,
                    .mmsi = (uint32_t *)mmsi,
                    .lat = (int32_t *)lat,
                    .lon = (int32_t *)lon,
                    .sog_dkn = (uint16_t *)sog_dkn,
                    .cog_ddeg = (uint16_t *)cog_ddeg,
                    .heading_deg = (uint16_t *)heading_deg,
                    .msg_type = (uint8_t *)msg_type,
                    .nav_status = (uint8_t *)nav_status,
                    .second = (uint8_t *)second,
                    .source_id = (uint16_t *)source_id};
    aw_tracks *t = calloc(1, sizeof *t);
    if (!t) return snprintf(err, errcap, "out of memory"), NULL;
    aw_track_params tp = o->so.track;
    if (tp.threads == 0) tp.threads = o->so.threads; /* as aw_scan_new() does */
    if (aw_tracks_build(&c, obs, nobs, &tp, t, err, errcap) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

/* The speed at a position as detect.c's anchorage rule reads it: the reported SOG, else
 * the speed implied by its neighbours in the segment. */
static double rest_speed(const aw_tracks *t, const aw_vessel *v, size_t i) {
    if (!isnan(t->sog_kn[i])) return t->sog_kn[i];
    size_t lo = v->first, hi = v->first + v->count;
    size_t a = i > lo ? i - 1 : i, b = i + 1 < hi ? i + 1 : i;
    if (a == b || t->time_ms[b] == t->time_ms[a]) return NAN;
    return aw_distance_m(t->lat[a], t->lon[a], t->lat[b], t->lon[b]) / ((t->time_ms[b] - t->time_ms[a]) / 1000.0) /
           (1852.0 / 3600.0);
}

typedef struct cell_mmsi {
    int64_t cell;
    uint32_t mmsi;
} cell_mmsi;

static int cmp_cell_mmsi(const void *x, const void *y) {
    const cell_mmsi *a = x, *b = y;
    if (a->cell != b->cell) return a->cell < b->cell ? -1 : 1;
    return a->mmsi < b->mmsi ? -1 : a->mmsi > b->mmsi;
}

long aw_py_rest_cells(const aw_tracks *t, double cell_deg, int64_t **cells_out, uint32_t **counts_out) {
    *cells_out = NULL, *counts_out = NULL;
    if (!(cell_deg > 0)) return 0;
    int64_t ncols = (int64_t)ceil(360.0 / cell_deg) + 1;
    cell_mmsi *cv = malloc((t->n ? t->n : 1) * sizeof *cv);
    if (!cv) return -1;
    size_t n = 0;
    for (size_t vi = 0; vi < t->nvessels; vi++)
        for (size_t i = t->vessels[vi].first; i < t->vessels[vi].first + t->vessels[vi].count; i++) {
            double kn = rest_speed(t, &t->vessels[vi], i);
            if (!(kn < 0.5)) continue;
            int64_t row = (int64_t)floor((t->lat[i] + 90) / cell_deg), col = (int64_t)floor((t->lon[i] + 180) / cell_deg);
            cv[n++] = (cell_mmsi){row * ncols + col, t->mmsi[i]};
        }
    qsort(cv, n, sizeof *cv, cmp_cell_mmsi);
    int64_t *cells = malloc((n ? n : 1) * sizeof *cells);
    uint32_t *counts = malloc((n ? n : 1) * sizeof *counts);
    if (!cells || !counts) {
        free(cv), free(cells), free(counts);
        return -1;
    }
    long m = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        uint32_t distinct = 0;
        while (b < n && cv[b].cell == cv[a].cell) {
            if (b == a || cv[b].mmsi != cv[b - 1].mmsi) distinct++;
            b++;
        }
        cells[m] = cv[a].cell;
        counts[m++] = distinct;
        a = b;
    }
    free(cv);
    *cells_out = cells, *counts_out = counts;
    return m;
}

int aw_py_geo_add_derived(aw_geo *g, const int64_t *cells, size_t n, double cell_deg) {
    int64_t ncols = (int64_t)ceil(360.0 / cell_deg) + 1;
    int added = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t row = cells[i] / ncols, col = cells[i] % ncols;
        if (aw_geo_add_anchorage(g, (row + 0.5) * cell_deg - 90, (col + 0.5) * cell_deg - 180, "derived") == 0) added++;
    }
    return added;
}

aw_events *aw_py_detect(const aw_tracks *t, const aw_geo *geo, const aw_py_opts *o, bool all, char *err,
                        size_t errcap) {
    aw_events *e = calloc(1, sizeof *e);
    if (!e) return snprintf(err, errcap, "out of memory"), NULL;
    aw_event_params p = o->so.event;
    if (!all) {
        /* No grid: no encounter search. Thresholds no run can reach: no loitering, no gap,
         * and so no dark rendezvous or draught change (a finite value: detect.c converts
         * the gap threshold to milliseconds). */
        p.encounter_grid_min = 0;
        p.loiter_min_h = p.gap_min_h = 1e12;
    }
    const char *skipped = NULL;
    if (aw_detect(t, geo, &p, e, &skipped, err, errcap) < 0) {
        aw_py_events_free(e);
        return NULL;
    }
    return e;
}

aw_vessel_screen *aw_py_screen_tracks(const aw_lists *l, const aw_tracks *t, const aw_py_opts *o) {
    return aw_screen_tracks(l, t, &o->so.screen);
}

const char *aw_py_screen_json(const aw_vessel_screen *s, size_t i) { return s[i].json; }
void aw_py_screen_free(aw_vessel_screen *s, size_t n) { aw_vessel_screen_free(s, n); }

int aw_py_write_gpkg(const char *path, const aw_tracks *t, const aw_events *e, const aw_vessel_screen *screened,
                     const aw_lists *lists, const char *const *vessel_sanctions, const aw_py_opts *o,
                     const char *const *names, size_t nnames, bool tracks_layers, bool with_positions, char *err,
                     size_t errcap) {
    aw_gpkg *g = aw_gpkg_open(path, false, err, errcap);
    if (!g) return -1;
    int rc = 0;
    if ((tracks_layers &&
         aw_tracks_write_gpkg(g, t, screened, lists, names, nnames, with_positions, NULL, err, errcap) < 0) ||
        (e && aw_events_write_gpkg_screened(g, t, e, &o->so.event, names, nnames, vessel_sanctions, err, errcap) < 0) ||
        aw_gpkg_finish(g, err, errcap) < 0)
        rc = -1;
    aw_gpkg_close(g);
    return rc;
}

int aw_py_write_inputs(const char *path, size_t n, const char *const *paths, const char *const *basenames,
                       const int64_t *bytes, const char *const *sha256, const char *const *formats, char *err,
                       size_t errcap) {
    aw_gpkg *g = aw_gpkg_open(path, false, err, errcap);
    if (!g) return -1;
    int rc = aw_inputs_write_gpkg(g, n, paths, basenames, bytes, sha256, formats, err, errcap) < 0 ||
                     aw_gpkg_finish(g, err, errcap) < 0
                 ? -1
                 : 0;
    aw_gpkg_close(g);
    return rc;
}

/* ---- packed tracks ------------------------------------------------------------------------ */

#define PACK_MAGIC 0x31505741u /* "AWP1" */

typedef struct pack_head {
    uint32_t magic, pad;
    uint64_t n, nvessels, nhistory, text_bytes;
} pack_head;

/* Per-position bytes: time, mmsi, segment, lat, lon, sog, cog, heading, nav, type, source. */
#define POS_BYTES (8 + 4 + 4 + 8 + 8 + 4 + 4 + 2 + 1 + 1 + 2)

static size_t lower(const int64_t *tm, size_t lo, size_t hi, int64_t ms) {
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (tm[m] < ms) lo = m + 1;
        else hi = m;
    }
    return lo;
}

/* The positions of vessel v a window [from, to) keeps: [a, b) inside plus one on each side. */
static void window_range(const aw_tracks *t, const aw_vessel *v, int64_t from, int64_t to, size_t *a, size_t *b) {
    size_t lo = v->first, hi = v->first + v->count;
    size_t x = lower(t->time_ms, lo, hi, from), y = lower(t->time_ms, x, hi, to);
    *a = x > lo ? x - 1 : x;
    *b = y < hi ? y + 1 : y;
}

void *aw_py_tracks_pack(const aw_tracks *t, const char *const *vessel_sanctions, int64_t from, int64_t to,
                        size_t *len) {
    bool all = from == INT64_MIN && to == INT64_MAX;
    uint8_t *keep = calloc(t->nvessels ? t->nvessels : 1, 1);
    if (!keep) return NULL;
    pack_head h = {PACK_MAGIC, 0, 0, 0, 0, 0};
    for (size_t v0 = 0; v0 < t->nvessels;) {
        size_t v1 = v0 + 1;
        while (v1 < t->nvessels && t->vessels[v1].mmsi == t->vessels[v0].mmsi) v1++;
        bool in = false, before = false, after = false;
        for (size_t vi = v0; vi < v1; vi++) {
            const aw_vessel *v = &t->vessels[vi];
            if (!v->count) continue;
            size_t lo = v->first, hi = v->first + v->count;
            size_t x = lower(t->time_ms, lo, hi, from), y = lower(t->time_ms, x, hi, to);
            in |= y > x, before |= x > lo, after |= y < hi;
        }
        bool take = all || in || (before && after);
        for (size_t vi = v0; vi < v1; vi++) {
            const aw_vessel *v = &t->vessels[vi];
            if (!take || (!all && !v->count)) continue;
            keep[vi] = 1;
            size_t a = v->first, b = v->first + v->count;
            if (!all) window_range(t, v, from, to, &a, &b);
            h.n += b - a;
            h.nvessels++;
            h.nhistory += v->hist_count;
            const char *s = vessel_sanctions ? vessel_sanctions[vi] : NULL;
            h.text_bytes += 4 + (s ? strlen(s) : 0);
        }
        v0 = v1;
    }
    size_t total = sizeof h + h.n * POS_BYTES + h.nvessels * sizeof(aw_vessel) + h.nhistory * sizeof(aw_ident_change) +
                   h.text_bytes;
    uint8_t *buf = malloc(total);
    if (!buf) {
        free(keep);
        return NULL;
    }
    memcpy(buf, &h, sizeof h);
    /* Column blocks one after another, each in vessel order. */
    uint8_t *p = buf + sizeof h;
    uint8_t *col[11];
    static const size_t width[11] = {8, 4, 4, 8, 8, 4, 4, 2, 1, 1, 2};
    for (int c = 0; c < 11; c++) {
        col[c] = p;
        p += h.n * width[c];
    }
    uint8_t *pv = p, *ph = pv + h.nvessels * sizeof(aw_vessel), *ps = ph + h.nhistory * sizeof(aw_ident_change);
    size_t o = 0, hist = 0;
    for (size_t vi = 0; vi < t->nvessels; vi++) {
        if (!keep[vi]) continue;
        const aw_vessel *v = &t->vessels[vi];
        size_t a = v->first, b = v->first + v->count;
        if (!all) window_range(t, v, from, to, &a, &b);
        size_t k = b - a;
        const void *src[11] = {t->time_ms + a, t->mmsi + a,     t->segment + a,    t->lat + a,
                               t->lon + a,     t->sog_kn + a,   t->cog_deg + a,    t->heading_deg + a,
                               t->nav_status + a, t->msg_type + a, t->source_id + a};
        for (int c = 0; c < 11; c++) memcpy(col[c] + o * width[c], src[c], k * width[c]);
        aw_vessel nv = *v;
        nv.first = o;
        nv.count = k;
        nv.hist_first = hist;
        memcpy(pv, &nv, sizeof nv);
        pv += sizeof nv;
        memcpy(ph, t->history + v->hist_first, v->hist_count * sizeof(aw_ident_change));
        ph += v->hist_count * sizeof(aw_ident_change);
        hist += v->hist_count;
        const char *s = vessel_sanctions ? vessel_sanctions[vi] : NULL;
        uint32_t sl = s ? (uint32_t)strlen(s) : UINT32_MAX;
        memcpy(ps, &sl, 4);
        ps += 4;
        if (s) memcpy(ps, s, sl), ps += sl;
        o += k;
    }
    free(keep);
    *len = total;
    return buf;
}

typedef struct vref {
    uint32_t mmsi, segment;
    uint32_t pack;
    size_t index;       /* in its pack */
    const uint8_t *text; /* its length-prefixed sanctions text */
} vref;

static int cmp_vref(const void *x, const void *y) {
    const vref *a = x, *b = y;
    if (a->mmsi != b->mmsi) return a->mmsi < b->mmsi ? -1 : 1;
    if (a->segment != b->segment) return a->segment < b->segment ? -1 : 1;
    return a->pack < b->pack ? -1 : a->pack > b->pack;
}

typedef struct pack_view {
    pack_head h;
    const uint8_t *col[11];
    const uint8_t *vessels, *history, *text;
} pack_view;

static int view_pack(const void *buf, size_t len, pack_view *v) {
    static const size_t width[11] = {8, 4, 4, 8, 8, 4, 4, 2, 1, 1, 2};
    if (len < sizeof v->h) return -1;
    memcpy(&v->h, buf, sizeof v->h);
    if (v->h.magic != PACK_MAGIC) return -1;
    /* Every element takes a byte or more: larger counts cannot fit (and must not overflow
     * the size computed next). */
    if (v->h.n > len || v->h.nvessels > len || v->h.nhistory > len || v->h.text_bytes > len) return -1;
    size_t need = sizeof v->h + v->h.n * POS_BYTES + v->h.nvessels * sizeof(aw_vessel) +
                  v->h.nhistory * sizeof(aw_ident_change) + v->h.text_bytes;
    if (need != len) return -1;
    const uint8_t *p = (const uint8_t *)buf + sizeof v->h;
    for (int c = 0; c < 11; c++) {
        v->col[c] = p;
        p += v->h.n * width[c];
    }
    v->vessels = p;
    v->history = p + v->h.nvessels * sizeof(aw_vessel);
    v->text = v->history + v->h.nhistory * sizeof(aw_ident_change);
    return 0;
}

void aw_py_strings_free(char **v, size_t n) {
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

aw_tracks *aw_py_tracks_unpack(const void *const *packs, const size_t *lens, size_t npacks, char ***vessel_sanctions,
                               char *err, size_t errcap) {
    static const size_t width[11] = {8, 4, 4, 8, 8, 4, 4, 2, 1, 1, 2};
    *vessel_sanctions = NULL;
    pack_view *pv = calloc(npacks ? npacks : 1, sizeof *pv);
    aw_tracks *t = calloc(1, sizeof *t);
    vref *refs = NULL;
    char **sanct = NULL;
    size_t n = 0, nv = 0, nh = 0;
    if (!pv || !t) goto oom;
    for (size_t i = 0; i < npacks; i++) {
        if (view_pack(packs[i], lens[i], &pv[i]) < 0) {
            snprintf(err, errcap, "pack %zu is not packed tracks", i);
            goto fail;
        }
        n += pv[i].h.n, nv += pv[i].h.nvessels, nh += pv[i].h.nhistory;
    }
    size_t m = n ? n : 1;
    t->time_ms = malloc(m * 8), t->mmsi = malloc(m * 4), t->segment = malloc(m * 4);
    t->lat = malloc(m * 8), t->lon = malloc(m * 8), t->sog_kn = malloc(m * 4), t->cog_deg = malloc(m * 4);
    t->heading_deg = malloc(m * 2), t->nav_status = malloc(m), t->msg_type = malloc(m), t->source_id = malloc(m * 2);
    t->vessels = malloc((nv ? nv : 1) * sizeof *t->vessels);
    t->history = malloc((nh ? nh : 1) * sizeof *t->history);
    refs = malloc((nv ? nv : 1) * sizeof *refs);
    sanct = calloc(nv ? nv : 1, sizeof *sanct);
    if (!t->time_ms || !t->mmsi || !t->segment || !t->lat || !t->lon || !t->sog_kn || !t->cog_deg ||
        !t->heading_deg || !t->nav_status || !t->msg_type || !t->source_id || !t->vessels || !t->history || !refs ||
        !sanct)
        goto oom;
    size_t r = 0;
    for (size_t i = 0; i < npacks; i++) {
        const uint8_t *tp = pv[i].text;
        uint64_t sum_pos = 0, sum_hist = 0;
        for (size_t k = 0; k < pv[i].h.nvessels; k++) {
            aw_vessel v;
            memcpy(&v, pv[i].vessels + k * sizeof v, sizeof v);
            uint32_t sl = UINT32_MAX;
            size_t left = (size_t)(pv[i].text + pv[i].h.text_bytes - tp);
            if (left >= 4) memcpy(&sl, tp, 4);
            /* A pack is this module's own output; still, nothing in it may point outside it. */
            if (v.first > pv[i].h.n || v.count > pv[i].h.n - v.first || v.hist_first > pv[i].h.nhistory ||
                v.hist_count > pv[i].h.nhistory - v.hist_first || left < 4 ||
                (sl != UINT32_MAX && sl > left - 4)) {
                snprintf(err, errcap, "pack %zu is damaged (vessel %zu)", i, k);
                goto fail;
            }
            refs[r++] = (vref){v.mmsi, v.segment, (uint32_t)i, k, tp};
            tp += 4 + (sl == UINT32_MAX ? 0 : sl);
            sum_pos += v.count, sum_hist += v.hist_count;
        }
        /* The vessels share out the arrays exactly: the copies below fill n rows. */
        if (sum_pos != pv[i].h.n || sum_hist != pv[i].h.nhistory) {
            snprintf(err, errcap, "pack %zu is damaged (its vessels do not cover its positions)", i);
            goto fail;
        }
    }
    qsort(refs, nv, sizeof *refs, cmp_vref);
    size_t o = 0, ho = 0;
    uint8_t *dst[11] = {(uint8_t *)t->time_ms, (uint8_t *)t->mmsi,        (uint8_t *)t->segment,
                        (uint8_t *)t->lat,     (uint8_t *)t->lon,         (uint8_t *)t->sog_kn,
                        (uint8_t *)t->cog_deg, (uint8_t *)t->heading_deg, t->nav_status,
                        t->msg_type,           (uint8_t *)t->source_id};
    for (size_t i = 0; i < nv; i++) {
        const pack_view *p = &pv[refs[i].pack];
        aw_vessel v;
        memcpy(&v, p->vessels + refs[i].index * sizeof v, sizeof v);
        for (int c = 0; c < 11; c++) memcpy(dst[c] + o * width[c], p->col[c] + v.first * width[c], v.count * width[c]);
        memcpy(t->history + ho, p->history + v.hist_first * sizeof(aw_ident_change),
               v.hist_count * sizeof(aw_ident_change));
        v.first = o;
        v.hist_first = ho;
        o += v.count;
        ho += v.hist_count;
        t->vessels[i] = v;
        uint32_t sl;
        memcpy(&sl, refs[i].text, 4);
        if (sl != UINT32_MAX) {
            if (!(sanct[i] = malloc((size_t)sl + 1))) goto oom;
            memcpy(sanct[i], refs[i].text + 4, sl);
            sanct[i][sl] = 0;
        }
    }
    t->n = n;
    t->nvessels = nv;
    t->nhistory = nh;
    t->stats.positions = n;
    free(pv);
    free(refs);
    *vessel_sanctions = sanct;
    return t;
oom:
    snprintf(err, errcap, "out of memory");
fail:
    free(pv);
    free(refs);
    aw_py_strings_free(sanct, nv);
    aw_py_tracks_free(t);
    return NULL;
}
