/* watch.c — the live watch engine (watch.h): bytes per source in, scan's events out as
 * alerts, over a window of recent feed time.
 *
 * Why re-run scan's stages instead of incremental detectors: "the events a watch writes
 * equal those scan finds on the same messages" then holds by construction. Each tick
 * builds tracks over the window (aw_tracks_build) and detects (aw_detect); the work per
 * tick is proportional to the window, which bounds the feed rate a watch sustains
 * (docs/watch.md has the measured cost). Between ticks the engine only decodes and
 * appends rows.
 *
 * Segment numbers: aw_tracks_build numbers an MMSI's segments in order of their first
 * position *in the window*, so once the oldest rows expire the numbers could shift and
 * with them event ids. After each build every new segment is matched to the segment of
 * the previous run holding its positions (same MMSI and time) and takes that number;
 * a segment with no such position takes the next unused number of its MMSI. */
#include "aiswatch/watch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aiswatch/columns.h"
#include "aiswatch/event_out.h"

#include "fmt.h"
#include "obs_vec.h"

#define REC_DARK 100
#define REC_LISTED 101
#define KN_MS 0.514444
#define NM_KM 1.852

#define SECOND_OBS 64 /* static reports of one second of one source remembered, at most */

typedef struct source {
    char *name;
    aw_decoder *dec;
    char *line;            /* the unfinished line, max_line bytes */
    size_t len;
    bool overflow;         /* the current line is too long: drop up to its newline */
    int64_t high_ms;       /* the latest message time of this source */
    int64_t resume_ms;     /* drop older messages until one passes this (AW_TIME_NONE: off) */
    /* The static reports of this source's latest second (hashes): re-sent after a
     * reconnect, each is dropped once (a re-sent position is dropped by scan's duplicate
     * rule, but a static report would count twice in the identity history). */
    int64_t last_obs_ms;
    uint64_t last_obs[SECOND_OBS];
    uint16_t n_last_obs;
    uint64_t resent_obs[SECOND_OBS]; /* those not yet seen again since the resume */
    uint16_t n_resent_obs;
    uint16_t row_src;      /* the source id its rows carry: the first source of the same name, so
                              one listener's connections are one name in an event's "sources" */
} source;

/* One alerted id: event, dark vessel or listed vessel. */
typedef struct rec {
    char id[64];
    uint64_t h_alerted, h_latest; /* FNV-1a of the alerted and of the latest JSON */
    uint64_t h_core;       /* of the alerted span, vessels and links: what makes an update worth sending */
    int64_t start, end;
    uint32_t last_tick;
    uint8_t type;          /* aw_event_type, REC_DARK or REC_LISTED */
    uint8_t dead;
    uint8_t settled_sent;  /* an update with settled=true went out */
    uint8_t quiet;         /* found cut by the window's start: never alerted */
} rec;

/* A vessel's last known position, kept after its rows leave the window, so that a
 * `dark` alert does not need the horizon to outlast the gap threshold (a fast feed fits in
 * memory only with a short horizon), and the row itself, put back into each run while the
 * vessel is silent, so that the gap it closes when heard again is found as scan finds it.
 * Sorted by MMSI. */
typedef struct seen {
    uint32_t mmsi, segment, imo; /* imo 0: none */
    char name[21];               /* "": none */
    int64_t time_ms;
    double lat, lon;
    float sog_kn, cog_deg;       /* NAN: not available */
    uint16_t heading_deg, source_id;
    uint8_t nav_status, msg_type;
    uint8_t has_row;             /* 0: from a version-2 state, which kept the place only */
} seen;

/* The version-2 state's entry: the place without the rest of the row. */
typedef struct seen_v2 {
    uint32_t mmsi, segment, imo;
    char name[21];
    int64_t time_ms;
    double lat, lon;
} seen_v2;

#define SEEN_KEEP_MS ((int64_t)7 * 24 * 3600000) /* how long a silent vessel is remembered */


struct aw_watch {
    aw_watch_opts o;
    source *src;
    size_t nsrc;
    const char **src_names;
    aw_columns pos;
    obs_vec obs;
    int64_t feed_ms, next_tick_ms, min_ms;
    int64_t last_run_ms;   /* feed time of the last detector run (AW_TIME_NONE: none yet) */
    int64_t cut_ms;        /* rows before this have been dropped (expiry, eviction); INT64_MIN: none */
    int64_t horizon_ms, tick_ms, settle_ms;
    /* the previous run's vessels, for carrying segment numbers */
    uint32_t *pv_mmsi, *pv_seg;
    size_t *pv_first, *pv_count, npv;
    int64_t *pt;
    size_t npt;
    seen *seen;
    size_t nseen;
    /* alerted ids */
    rec *recs;
    size_t nrec, caprec;
    uint32_t *idx;         /* open addressing: rec index + 1, 0 empty */
    size_t idxcap;
    /* screened vessels: (segment << 32 | mmsi) -> identity hash + 1 */
    uint64_t *scr_key, *scr_val;
    size_t scr_cap, scr_n;
    uint64_t seq;
    uint32_t tick_no;
    int64_t now_ms;
    int cur_src;
    bool oom, in_tick;
    double last_tick_end;  /* CLOCK_MONOTONIC seconds */
    aw_watch_stats st;
    char *jbuf, *abuf;
    size_t jcap, acap;
};

static int tick(aw_watch *w, bool flush);

static const char *const kind_names[AW_ALERT_KINDS] = {"new", "update", "withdrawn", "dark", "listed"};

const char *aw_alert_kind_name(aw_alert_kind k) { return (unsigned)k < AW_ALERT_KINDS ? kind_names[k] : "?"; }

void aw_watch_opts_default(aw_watch_opts *o) {
    memset(o, 0, sizeof *o);
    aw_event_params_default(&o->events);
    aw_track_params_default(&o->tracks);
    aw_screen_params_default(&o->screen);
    o->horizon_h = 48;
    o->tick_min = 10;
    o->settle_h = 0;
    o->max_positions = 20000000;
    o->max_line = 1024;
    o->max_future_s = 3600;
    o->dark_alerts = true;
    o->max_busy = 0.5;
    o->anchorage_min_vessels = 10; /* aw_scan_opts_default's */
}

static uint64_t fnv(const void *p, size_t n, uint64_t h) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}
#define FNV0 14695981039346656037ULL

/* ---- ISO time ------------------------------------------------------------------------ */

/* ISO 8601 UTC as event JSON writes it (milliseconds only when not 0). */
static void iso(char *buf, size_t cap, int64_t ms) {
    char t[40];
    *fmt_iso_ms(t, ms) = 0;
    snprintf(buf, cap, "%s", t);
}

static void stamp(char *buf, size_t cap, int64_t ms) {
    char t[40];
    iso(t, sizeof t, ms - ((ms % 1000) + 1000) % 1000);
    /* 2023-11-15T02:50:00Z -> 20231115T025000, as event ids are stamped */
    snprintf(buf, cap, "%.4s%.2s%.2sT%.2s%.2s%.2s", t, t + 5, t + 8, t + 11, t + 14, t + 17);
}

/* ---- records ------------------------------------------------------------------------- */

static uint64_t id_hash(const char *id) { return fnv(id, strlen(id), FNV0); }

static int idx_rebuild(aw_watch *w, size_t want) {
    size_t cap = 64;
    while (cap < want * 2) cap *= 2;
    uint32_t *idx = calloc(cap, sizeof *idx);
    if (!idx) return -1;
    for (size_t i = 0; i < w->nrec; i++) {
        if (w->recs[i].dead) continue;
        size_t h = (size_t)id_hash(w->recs[i].id) & (cap - 1);
        while (idx[h]) h = (h + 1) & (cap - 1);
        idx[h] = (uint32_t)(i + 1);
    }
    free(w->idx);
    w->idx = idx;
    w->idxcap = cap;
    return 0;
}

static rec *rec_find(aw_watch *w, const char *id) {
    if (!w->idxcap) return NULL;
    size_t h = (size_t)id_hash(id) & (w->idxcap - 1);
    while (w->idx[h]) {
        rec *r = &w->recs[w->idx[h] - 1];
        if (!r->dead && strcmp(r->id, id) == 0) return r;
        h = (h + 1) & (w->idxcap - 1);
    }
    return NULL;
}

static rec *rec_add(aw_watch *w, const char *id, uint8_t type) {
    if (w->nrec == w->caprec) {
        size_t cap = w->caprec ? w->caprec * 2 : 256;
        rec *v = realloc(w->recs, cap * sizeof *v);
        if (!v) return NULL;
        w->recs = v;
        w->caprec = cap;
    }
    if ((w->nrec + 1) * 2 > w->idxcap && idx_rebuild(w, w->nrec + 1) < 0) return NULL;
    rec *r = &w->recs[w->nrec];
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    r->type = type;
    size_t h = (size_t)id_hash(r->id) & (w->idxcap - 1);
    while (w->idx[h]) h = (h + 1) & (w->idxcap - 1);
    w->idx[h] = (uint32_t)(++w->nrec);
    return r;
}

static int rec_compact(aw_watch *w) {
    size_t j = 0;
    for (size_t i = 0; i < w->nrec; i++)
        if (!w->recs[i].dead) w->recs[j++] = w->recs[i];
    bool changed = j != w->nrec;
    w->nrec = j;
    return changed || !w->idxcap ? idx_rebuild(w, w->nrec) : 0;
}

/* ---- alerts -------------------------------------------------------------------------- */

static char *buf_need(char **b, size_t *cap, size_t need) {
    if (need <= *cap) return *b;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    char *p = realloc(*b, c);
    if (!p) return NULL;
    *b = p;
    *cap = c;
    return p;
}

/* Appends a JSON string (AIS text is printable ASCII; anything else is escaped). */
static size_t put_json_str(char *out, const char *s) {
    char *p = out;
    *p++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') *p++ = '\\', *p++ = (char)c;
        else if (c < 32 || c > 126) p += sprintf(p, "\\u%04x", c);
        else *p++ = (char)c;
    }
    *p++ = '"';
    *p = 0;
    return (size_t)(p - out);
}

/* Emits one alert: {"alert":K,"seq":N,"id":ID,"feed_time":T,<body>} */
static void emit(aw_watch *w, aw_alert_kind kind, const char *id, const char *body, size_t body_len) {
    char feed[40], idj[64 * 6 + 3];
    iso(feed, sizeof feed, w->feed_ms);
    put_json_str(idj, id);
    size_t need = body_len + strlen(idj) + 160;
    if (!buf_need(&w->abuf, &w->acap, need)) {
        w->oom = true;
        return;
    }
    w->seq++;
    int n = snprintf(w->abuf, w->acap, "{\"alert\":\"%s\",\"seq\":%llu,\"id\":%s,\"feed_time\":\"%s\"%s%.*s}",
                     kind_names[kind], (unsigned long long)w->seq, idj, feed, body_len ? "," : "", (int)body_len,
                     body);
    w->st.alerts[kind]++;
    if (w->o.on_alert)
        w->o.on_alert(w->o.ctx, &(aw_alert){kind, w->seq, id, w->abuf, n > 0 ? (size_t)n : 0});
}

static void emit_event(aw_watch *w, aw_alert_kind kind, const char *id, bool settled, const char *json, size_t len) {
    char *body = malloc(len + 64);
    if (!body) {
        w->oom = true;
        return;
    }
    int n = snprintf(body, len + 64, "\"settled\":%s,\"event\":%.*s", settled ? "true" : "false", (int)len, json);
    emit(w, kind, id, body, n > 0 ? (size_t)n : 0);
    free(body);
}

/* ---- the window ---------------------------------------------------------------------- */


/* Keeps the rows at or after `from`; returns how many left. */
static size_t window_cut(aw_watch *w, int64_t from) {
    aw_columns *c = &w->pos;
    size_t j = 0;
    int64_t min = INT64_MAX;
    for (size_t i = 0; i < c->n; i++) {
        if (c->time_ms[i] < from) continue;
        if (c->time_ms[i] < min) min = c->time_ms[i];
        if (i != j) {
            c->time_ms[j] = c->time_ms[i];
            c->mmsi[j] = c->mmsi[i];
            c->lat[j] = c->lat[i];
            c->lon[j] = c->lon[i];
            c->sog_dkn[j] = c->sog_dkn[i];
            c->cog_ddeg[j] = c->cog_ddeg[i];
            c->heading_deg[j] = c->heading_deg[i];
            c->msg_type[j] = c->msg_type[i];
            c->nav_status[j] = c->nav_status[i];
            c->second[j] = c->second[i];
            c->source_id[j] = c->source_id[i];
        }
        j++;
    }
    size_t gone = c->n - j;
    c->n = j;
    if (from > w->cut_ms) w->cut_ms = from;
    size_t k = 0;
    for (size_t i = 0; i < w->obs.n; i++) {
        if (w->obs.v[i].time_ms < from) continue;
        if (w->obs.v[i].time_ms < min) min = w->obs.v[i].time_ms;
        w->obs.v[k++] = w->obs.v[i];
    }
    gone += w->obs.n - k;
    w->obs.n = k;
    w->min_ms = min;
    return gone;
}

/* Room for one more row: past the cap, the oldest quarter of the window's time goes. */
static bool make_room(aw_watch *w, bool obs) {
    size_t cap = obs ? w->o.max_positions / 4 + 1 : w->o.max_positions;
    while ((obs ? w->obs.n : w->pos.n) >= cap) {
        if (w->min_ms >= w->feed_ms) return false;
        int64_t cut = w->min_ms + (w->feed_ms - w->min_ms) / 4 + 1;
        w->st.evicted += window_cut(w, cut);
    }
    return true;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A feed replayed faster than real time would spend all its time re-running the
 * detectors: a due tick waits until they have used at most max_busy of the wall time
 * since the last one ended. A live feed (ticks minutes apart) never waits. */
static bool tick_allowed(aw_watch *w) {
    if (w->o.max_busy >= 1) return true;
    if (!(w->o.max_busy > 0)) return false;
    double idle = w->st.last_tick_seconds * (1 / w->o.max_busy - 1);
    return mono_s() - w->last_tick_end >= idle;
}

/* A static report of the resumed second seen before: dropped, once per copy seen. */
static bool take_resent(source *s, uint64_t h) {
    for (uint16_t i = 0; i < s->n_resent_obs; i++)
        if (s->resent_obs[i] == h) {
            s->resent_obs[i] = s->resent_obs[--s->n_resent_obs];
            return true;
        }
    return false;
}

static void on_msg(void *ctx, const aw_msg *m, const aw_msg_meta *meta) {
    aw_watch *w = ctx;
    source *s = &w->src[w->cur_src];
    int64_t t = meta->time_ms;
    if (t == AW_TIME_NONE) {
        if (w->now_ms == AW_TIME_NONE) {
            w->st.untimed++;
            return;
        }
        t = w->now_ms;
    }
    if (w->now_ms != AW_TIME_NONE && t > w->now_ms + (int64_t)(w->o.max_future_s * 1000)) {
        w->st.future++;
        return;
    }
    bool boundary = false; /* in the second where the source had got to */
    if (s->resume_ms != AW_TIME_NONE) {
        if (t < s->resume_ms) {
            w->st.resent++;
            return;
        }
        boundary = t == s->resume_ms;
        if (!boundary) s->resume_ms = AW_TIME_NONE, s->n_resent_obs = 0;
    }
    if (w->feed_ms != AW_TIME_NONE && t < w->feed_ms - w->horizon_ms) {
        w->st.too_old++;
        return;
    }
    if (t > s->high_ms) s->high_ms = t;
    if (w->feed_ms == AW_TIME_NONE) {
        w->feed_ms = t;
        w->next_tick_ms = (t / w->tick_ms + 1) * w->tick_ms;
    } else if (t > w->feed_ms) {
        w->feed_ms = t;
    }
    if (t < w->min_ms) w->min_ms = t;
    aw_msg_meta m2 = *meta;
    m2.time_ms = t;
    if (make_room(w, false)) {
        size_t n0 = w->pos.n;
        if (aw_columns_push_src(&w->pos, m, &m2, s->row_src) < 0) w->oom = true;
        if (w->pos.n > n0) w->st.positions++;
    } else {
        w->st.evicted++;
    }
    aw_static_obs o;
    if (aw_static_from_msg(m, t, &o) && o.fields) {
        uint64_t h = fnv(&o, sizeof o, FNV0); /* zeroed padding: equal reports hash equal */
        if (boundary && take_resent(s, h)) {
            w->st.resent++;
        } else if (!make_room(w, true)) {
            w->st.evicted++;
        } else if (obs_push(&w->obs, &o) < 0) {
            w->oom = true;
        } else {
            w->st.static_reports++;
            if (t > s->last_obs_ms) s->last_obs_ms = t, s->n_last_obs = 0;
            if (t == s->last_obs_ms && s->n_last_obs < SECOND_OBS) s->last_obs[s->n_last_obs++] = h;
        }
    }
    if (w->feed_ms >= w->next_tick_ms && !w->in_tick && tick_allowed(w)) {
        if (tick(w, false) < 0) w->oom = true;
    }
}

/* ---- carrying segment numbers -------------------------------------------------------- */

static bool prev_has(const aw_watch *w, size_t pvi, int64_t t) {
    size_t lo = w->pv_first[pvi], hi = lo + w->pv_count[pvi];
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (w->pt[m] < t) lo = m + 1;
        else hi = m;
    }
    return lo < w->pv_first[pvi] + w->pv_count[pvi] && w->pt[lo] == t;
}

static int cmp_count_desc(const void *a, const void *b, void *arg) {
    const aw_vessel *v = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (v[x].count != v[y].count) return v[x].count > v[y].count ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void relabel(aw_tracks *t, size_t vi, uint32_t seg) {
    aw_vessel *v = &t->vessels[vi];
    v->segment = seg;
    for (size_t i = v->first; i < v->first + v->count; i++) t->segment[i] = seg;
    for (size_t h = v->hist_first; h < v->hist_first + v->hist_count; h++) t->history[h].segment = seg;
}

static void carry_segments(aw_watch *w, aw_tracks *t) {
    size_t pv0 = 0;
    for (size_t v0 = 0; v0 < t->nvessels;) {
        uint32_t mmsi = t->vessels[v0].mmsi;
        size_t v1 = v0 + 1;
        while (v1 < t->nvessels && t->vessels[v1].mmsi == mmsi) v1++;
        while (pv0 < w->npv && w->pv_mmsi[pv0] < mmsi) pv0++;
        size_t pv1 = pv0;
        while (pv1 < w->npv && w->pv_mmsi[pv1] == mmsi) pv1++;
        if (pv1 > pv0) {
            size_t n = v1 - v0, order[64];
            uint32_t taken[64];
            size_t ntaken = 0;
            uint32_t next = 0;
            for (size_t p = pv0; p < pv1; p++)
                if (w->pv_seg[p] + 1 > next) next = w->pv_seg[p] + 1;
            if (n > 64) n = 64; /* more segments than the segmenter keeps open: leave the rest as built */
            for (size_t k = 0; k < n; k++) order[k] = v0 + k;
            qsort_r(order, n, sizeof *order, cmp_count_desc, t->vessels);
            uint32_t newseg[64];
            for (size_t k = 0; k < n; k++) {
                const aw_vessel *v = &t->vessels[order[k]];
                uint32_t found = UINT32_MAX;
                /* Probe a few positions spread over the segment. */
                for (int q = 0; q < 5 && found == UINT32_MAX && v->count; q++) {
                    int64_t tm = t->time_ms[v->first + (v->count - 1) * (size_t)q / 4];
                    for (size_t p = pv0; p < pv1 && found == UINT32_MAX; p++) {
                        bool dup = false;
                        for (size_t j = 0; j < ntaken; j++) dup |= taken[j] == w->pv_seg[p];
                        if (!dup && prev_has(w, p, tm)) found = w->pv_seg[p];
                    }
                }
                if (found == UINT32_MAX) found = next++;
                taken[ntaken++] = found;
                newseg[k] = found;
            }
            for (size_t k = 0; k < n; k++) relabel(t, order[k], newseg[k]);
            /* Vessels of one MMSI stay ordered by segment. */
            for (size_t a = v0 + 1; a < v0 + n; a++)
                for (size_t b = a; b > v0 && t->vessels[b - 1].segment > t->vessels[b].segment; b--) {
                    aw_vessel tmp = t->vessels[b];
                    t->vessels[b] = t->vessels[b - 1];
                    t->vessels[b - 1] = tmp;
                }
        }
        pv0 = pv1;
        v0 = v1;
    }
}

static int keep_prev(aw_watch *w, const aw_tracks *t) {
    size_t nv = t->nvessels ? t->nvessels : 1, n = t->n ? t->n : 1;
    uint32_t *mm = malloc(nv * sizeof *mm), *sg = malloc(nv * sizeof *sg);
    size_t *fi = malloc(nv * sizeof *fi), *co = malloc(nv * sizeof *co);
    int64_t *pt = malloc(n * sizeof *pt);
    if (!mm || !sg || !fi || !co || !pt) {
        free(mm), free(sg), free(fi), free(co), free(pt);
        return -1;
    }
    for (size_t i = 0; i < t->nvessels; i++) {
        mm[i] = t->vessels[i].mmsi;
        sg[i] = t->vessels[i].segment;
        fi[i] = t->vessels[i].first;
        co[i] = t->vessels[i].count;
    }
    if (t->n) memcpy(pt, t->time_ms, t->n * sizeof *pt);
    free(w->pv_mmsi), free(w->pv_seg), free(w->pv_first), free(w->pv_count), free(w->pt);
    w->pv_mmsi = mm, w->pv_seg = sg, w->pv_first = fi, w->pv_count = co, w->pt = pt;
    w->npv = t->nvessels;
    w->npt = t->n;
    return 0;
}

/* ---- screening cache ----------------------------------------------------------------- */

static uint64_t *scr_slot(aw_watch *w, uint64_t key) {
    if ((w->scr_n + 1) * 2 > w->scr_cap) {
        size_t cap = w->scr_cap ? w->scr_cap * 2 : 1024;
        /* Bounded: a table past 4M vessels starts over (they are screened again). */
        bool reset = cap > (1u << 23);
        if (reset) cap = w->scr_cap;
        uint64_t *k = calloc(cap, sizeof *k), *v = calloc(cap, sizeof *v);
        if (!k || !v) {
            free(k), free(v);
            return NULL;
        }
        for (size_t i = 0; i < w->scr_cap && !reset; i++) {
            if (!w->scr_val[i]) continue;
            size_t h = (size_t)fnv(&w->scr_key[i], 8, FNV0) & (cap - 1);
            while (v[h]) h = (h + 1) & (cap - 1);
            k[h] = w->scr_key[i], v[h] = w->scr_val[i];
        }
        if (reset) w->scr_n = 0;
        free(w->scr_key), free(w->scr_val);
        w->scr_key = k, w->scr_val = v, w->scr_cap = cap;
    }
    size_t h = (size_t)fnv(&key, 8, FNV0) & (w->scr_cap - 1);
    while (w->scr_val[h] && w->scr_key[h] != key) h = (h + 1) & (w->scr_cap - 1);
    if (!w->scr_val[h]) {
        w->scr_key[h] = key;
        w->scr_n++;
    }
    return &w->scr_val[h];
}

/* ---- a tick -------------------------------------------------------------------------- */

static bool at_sea(const aw_watch *w, double lat, double lon) {
    const aw_geo *g = w->o.geo;
    if (!g) return true;
    if (aw_geo_has_land(g) && aw_geo_on_land(g, lat, lon)) return false;
    double lim = w->o.events.gap_min_port_km;
    aw_place p = aw_geo_nearest_port(g, lat, lon, lim * 2), a = aw_geo_nearest_anchorage(g, lat, lon, lim * 2);
    if (!isnan(p.km) && p.km <= lim) return false;
    if (!isnan(a.km) && a.km <= lim) return false;
    return true;
}

/* name NULL and imo 0: not known. */
static void vessel_json_of(char *out, size_t cap, uint32_t mmsi, uint32_t segment, const char *shipname, uint32_t imo,
                           int64_t last_ms, double lat, double lon, double silent_h) {
    char name[160], last[40];
    put_json_str(name, shipname ? shipname : "");
    iso(last, sizeof last, last_ms);
    int n = snprintf(out, cap, "{\"mmsi\":%u,\"segment\":%u,\"name\":%s,\"imo\":", mmsi, segment,
                     shipname ? name : "null");
    if (n < 0 || (size_t)n >= cap) return;
    if (imo) n += snprintf(out + n, cap - (size_t)n, "%u", imo);
    else n += snprintf(out + n, cap - (size_t)n, "null");
    if ((size_t)n >= cap) return;
    snprintf(out + n, cap - (size_t)n, ",\"last_seen\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"silent_h\":%.3f}", last, lat,
             lon, silent_h);
}

static void vessel_json(char *out, size_t cap, const aw_tracks *t, size_t vi, int64_t last_ms, double lat,
                        double lon, double silent_h) {
    const aw_vessel *v = &t->vessels[vi];
    vessel_json_of(out, cap, v->mmsi, v->segment, (v->ident.fields & (1u << AW_ID_NAME)) ? v->ident.name : NULL,
                   (v->ident.fields & (1u << AW_ID_IMO)) ? v->ident.imo : 0, last_ms, lat, lon, silent_h);
}

/* The row of the latest position of the MMSI whose vessels are [v0, v1), over all its
 * segments (as the gap rule reads it), and in *lv its vessel; SIZE_MAX when none. */
static size_t mmsi_last(const aw_tracks *t, size_t v0, size_t v1, size_t *lv) {
    size_t last = SIZE_MAX;
    *lv = v0;
    for (size_t vi = v0; vi < v1; vi++) {
        const aw_vessel *v = &t->vessels[vi];
        if (!v->count) continue;
        size_t i = v->first + v->count - 1;
        if (last == SIZE_MAX || t->time_ms[i] > t->time_ms[last]) last = i, *lv = vi;
    }
    return last;
}

/* The dark alert of a vessel last seen at time_ms (id and body as for one in the window);
 * an alert already made is only marked as still current. */
static void dark_alert(aw_watch *w, uint32_t mmsi, int64_t time_ms, const char *vessel) {
    char id[64], ts[32], body[1024];
    stamp(ts, sizeof ts, time_ms);
    snprintf(id, sizeof id, "dark-%u-%s", mmsi, ts);
    rec *r = rec_find(w, id);
    if (r) {
        r->last_tick = w->tick_no;
        return;
    }
    if (!(r = rec_add(w, id, REC_DARK))) {
        w->oom = true;
        return;
    }
    r->start = r->end = time_ms;
    r->last_tick = w->tick_no;
    int n = snprintf(body, sizeof body, "\"vessel\":%s", vessel);
    emit(w, AW_ALERT_DARK, id, body, (size_t)n);
}

/* A remembered vessel silent past the gap threshold at sea: its dark alert. */
static void remembered_dark(aw_watch *w, const seen *e, int64_t min_gap) {
    if (!w->o.dark_alerts || w->feed_ms - e->time_ms < min_gap || !at_sea(w, e->lat, e->lon)) return;
    char vj[600];
    vessel_json_of(vj, sizeof vj, e->mmsi, e->segment, e->name[0] ? e->name : NULL, e->imo, e->time_ms, e->lat, e->lon,
                   (w->feed_ms - e->time_ms) / 3600000.0);
    dark_alert(w, e->mmsi, e->time_ms, vj);
}

/* A remembered row older than every row in the window (so surely no longer in it): put
 * back into each run. */
static bool put_back(const aw_watch *w, const seen *e) { return e->has_row && e->time_ms < w->min_ms; }

/* The window's vessels' last positions merged into the remembered ones (both by MMSI);
 * those remembered only, silent past the gap threshold, alerted dark. Entries older than
 * SEEN_KEEP_MS go, and past a quarter of the row cap the oldest go first. */
static void remember_last_seen(aw_watch *w, const aw_tracks *t) {
    size_t cap = w->nseen;
    for (size_t v0 = 0; v0 < t->nvessels; v0++)
        if (!v0 || t->vessels[v0].mmsi != t->vessels[v0 - 1].mmsi) cap++;
    seen *out = malloc((cap ? cap : 1) * sizeof *out);
    if (!out) {
        w->oom = true;
        return;
    }
    int64_t min_gap = (int64_t)(w->o.events.gap_min_h * 3600000);
    size_t n = 0, a = 0;
    for (size_t v0 = 0; v0 <= t->nvessels;) {
        uint32_t vm = v0 < t->nvessels ? t->vessels[v0].mmsi : UINT32_MAX;
        /* remembered vessels before this MMSI: not in the window */
        for (; a < w->nseen && (v0 == t->nvessels || w->seen[a].mmsi < vm); a++) {
            const seen *e = &w->seen[a];
            if (w->feed_ms - e->time_ms > SEEN_KEEP_MS) continue;
            out[n++] = *e;
            remembered_dark(w, e, min_gap);
        }
        if (v0 == t->nvessels) break;
        size_t v1 = v0 + 1;
        while (v1 < t->nvessels && t->vessels[v1].mmsi == vm) v1++;
        size_t lv, last = mmsi_last(t, v0, v1, &lv);
        bool known = a < w->nseen && w->seen[a].mmsi == vm;
        if (known && last != SIZE_MAX && put_back(w, &w->seen[a]) && t->time_ms[last] == w->seen[a].time_ms) {
            /* Only its row put back: still silent, remembered as it was (name and IMO
             * included, whose reports have left the window). */
            if (w->feed_ms - w->seen[a].time_ms <= SEEN_KEEP_MS) {
                out[n++] = w->seen[a];
                remembered_dark(w, &w->seen[a], min_gap);
            }
        } else if (last != SIZE_MAX && (!known || t->time_ms[last] >= w->seen[a].time_ms)) {
            const aw_vessel *v = &t->vessels[lv];
            seen e = {.mmsi = vm, .segment = v->segment, .time_ms = t->time_ms[last], .lat = t->lat[last],
                      .lon = t->lon[last], .sog_kn = t->sog_kn[last], .cog_deg = t->cog_deg[last],
                      .heading_deg = t->heading_deg[last], .source_id = t->source_id[last],
                      .nav_status = t->nav_status[last], .msg_type = t->msg_type[last], .has_row = 1};
            if (v->ident.fields & (1u << AW_ID_IMO)) e.imo = v->ident.imo;
            if (v->ident.fields & (1u << AW_ID_NAME)) memcpy(e.name, v->ident.name, sizeof e.name - 1);
            out[n++] = e;
        } else if (known) {
            out[n++] = w->seen[a];
        }
        if (known) a++;
        v0 = v1;
    }
    size_t limit = w->o.max_positions / 4 + 1;
    while (n > limit) { /* a flood of MMSIs: the longest silent go */
        int64_t lo = INT64_MAX;
        for (size_t i = 0; i < n; i++)
            if (out[i].time_ms < lo) lo = out[i].time_ms;
        int64_t cut = lo + (w->feed_ms - lo) / 4 + 1;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (out[i].time_ms >= cut) out[k++] = out[i];
        if (k == n) break;
        n = k;
    }
    free(w->seen);
    w->seen = out;
    w->nseen = n;
}

static void dark_and_listed(aw_watch *w, const aw_tracks *t) {
    int64_t min_gap = (int64_t)(w->o.events.gap_min_h * 3600000);
    char id[64];
    for (size_t v0 = 0; v0 < t->nvessels && !w->oom;) {
        size_t v1 = v0 + 1;
        while (v1 < t->nvessels && t->vessels[v1].mmsi == t->vessels[v0].mmsi) v1++;
        size_t lv, last = mmsi_last(t, v0, v1, &lv);
        /* Only a remembered row put back: remember_last_seen speaks for it. */
        if (last != SIZE_MAX && t->time_ms[last] < w->min_ms) {
            v0 = v1;
            continue;
        }
        if (w->o.dark_alerts && last != SIZE_MAX && w->feed_ms - t->time_ms[last] >= min_gap &&
            at_sea(w, t->lat[last], t->lon[last])) {
            char vj[600];
            vessel_json(vj, sizeof vj, t, lv, t->time_ms[last], t->lat[last], t->lon[last],
                        (w->feed_ms - t->time_ms[last]) / 3600000.0);
            dark_alert(w, t->mmsi[last], t->time_ms[last], vj);
        }
        if (w->o.lists) {
            for (size_t vi = v0; vi < v1 && !w->oom; vi++) {
                const aw_vessel *v = &t->vessels[vi];
                snprintf(id, sizeof id, "listed-%u.%u", v->mmsi, v->segment);
                rec *r = rec_find(w, id);
                if (r) {
                    r->end = v->last_seen_ms;
                    r->last_tick = w->tick_no;
                    continue;
                }
                /* Screen a vessel again only when what it says about itself changed. */
                uint64_t h = fnv(&v->ident, sizeof v->ident, fnv(&v->hist_count, sizeof v->hist_count, FNV0)) | 1;
                uint64_t *slot = scr_slot(w, (uint64_t)v->segment << 32 | v->mmsi);
                if (!slot) {
                    w->oom = true;
                    return;
                }
                if (*slot == h) continue;
                *slot = h;
                aw_tracks one = *t;
                one.vessels = (aw_vessel *)&t->vessels[vi];
                one.nvessels = 1;
                aw_vessel_screen *s = aw_screen_tracks(w->o.lists, &one, &w->o.screen);
                if (!s) {
                    w->oom = true;
                    return;
                }
                if (s[0].nmatches && s[0].json) {
                    r = rec_add(w, id, REC_LISTED);
                    if (!r) {
                        w->oom = true;
                    } else {
                        r->start = v->first_seen_ms;
                        r->end = v->last_seen_ms;
                        r->last_tick = w->tick_no;
                        size_t last_i = v->count ? v->first + v->count - 1 : 0;
                        char vj[600];
                        vessel_json(vj, sizeof vj, t, vi, v->last_seen_ms, v->count ? t->lat[last_i] : NAN,
                                    v->count ? t->lon[last_i] : NAN, 0);
                        size_t need = strlen(vj) + strlen(s[0].json) + 64;
                        char *b = malloc(need);
                        if (b) {
                            int n = snprintf(b, need, "\"vessel\":%s,\"sanctions\":%s", vj, s[0].json);
                            emit(w, AW_ALERT_LISTED, id, b, (size_t)n);
                            free(b);
                        } else {
                            w->oom = true;
                        }
                    }
                }
                aw_vessel_screen_free(s, 1);
            }
        }
        v0 = v1;
    }
}

/* The remembered rows of silent vessels whose rows have left the window, appended to it
 * for one run (the caller truncates it back to *n0): when such a vessel is heard again,
 * the run sees the silence it closes, as scan would. -1 when memory runs out. */
static int put_back_rows(aw_watch *w, size_t *n0) {
    *n0 = w->pos.n;
    for (size_t i = 0; i < w->nseen; i++) {
        const seen *e = &w->seen[i];
        if (!put_back(w, e)) continue;
        int64_t time_ms = e->time_ms;
        uint32_t mmsi = e->mmsi;
        int32_t lat = (int32_t)lround(e->lat * AW_LATLON_SCALE), lon = (int32_t)lround(e->lon * AW_LATLON_SCALE);
        uint16_t sog = isnan(e->sog_kn) ? AW_SPEED_NA : (uint16_t)lroundf(e->sog_kn * 10);
        uint16_t cog = isnan(e->cog_deg) ? AW_COURSE_NA : (uint16_t)lroundf(e->cog_deg * 10);
        uint16_t heading = e->heading_deg, source = e->source_id;
        uint8_t type = e->msg_type, nav = e->nav_status, second = 60; /* the second is not kept */
        aw_columns one = {.n = 1, .cap = 1, .time_ms = &time_ms, .mmsi = &mmsi, .lat = &lat, .lon = &lon,
                          .sog_dkn = &sog, .cog_ddeg = &cog, .heading_deg = &heading, .msg_type = &type,
                          .nav_status = &nav, .second = &second, .source_id = &source};
        if (aw_columns_append(&w->pos, &one) < 0) {
            w->pos.n = *n0;
            return -1;
        }
    }
    return 0;
}

/* The window's tracks for a run: its rows and the remembered rows put back. */
static int window_tracks(aw_watch *w, aw_tracks *t, char *err, size_t errcap) {
    size_t n0;
    if (put_back_rows(w, &n0) < 0) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int rc = aw_tracks_build(&w->pos, w->obs.v, w->obs.n, &w->o.tracks, t, err, errcap);
    w->pos.n = n0;
    if (rc == 0) carry_segments(w, t);
    return rc;
}

/* An event from a remembered row put back to a row in the window (the gap a vessel closes
 * when heard again after its rows left the window) is news although it starts before the
 * window. One that ends before the window, as what a one-row track says of itself (an
 * MMSI of no valid form), was alerted when its rows were in the window, under the id of
 * its first row: not news. */
static bool closes_from_put_back(const aw_watch *w, const aw_event *e, int64_t edge) {
    if (e->end_ms < edge) return false;
    for (unsigned k = 0; k < e->nvessels; k++) {
        size_t lo = 0, hi = w->nseen;
        while (lo < hi) {
            size_t m = lo + (hi - lo) / 2;
            if (w->seen[m].mmsi < e->vessels[k].mmsi) lo = m + 1;
            else hi = m;
        }
        if (lo < w->nseen && w->seen[lo].mmsi == e->vessels[k].mmsi && put_back(w, &w->seen[lo]) &&
            w->seen[lo].time_ms == e->start_ms)
            return true;
    }
    return false;
}

/* The anchorages scan would derive from the same messages, added to the geo for one run
 * (the caller takes them away with aw_geo_drop_anchorages): -1 when memory ran out. */
static int derive_anchorages(aw_watch *w, const aw_tracks *t, char *err, size_t errcap) {
    if (!w->o.geo || !w->o.anchorage_min_vessels) return 0;
    long n = aw_anchorages_derive(t, w->o.geo, AW_ANCHORAGE_CELL_DEG, w->o.anchorage_min_vessels);
    if (n < 0) {
        snprintf(err, errcap, "out of memory deriving anchorages");
        return -1;
    }
    w->st.anchorages_derived = (size_t)n;
    return 0;
}

/* One detector run; `cut` first drops the rows older than the horizon. */
static int run(aw_watch *w, bool flush, bool cut) {
    size_t anchorages = aw_geo_anchorage_count(w->o.geo);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    w->in_tick = true;
    w->last_run_ms = w->feed_ms;
    int64_t from = w->feed_ms - w->horizon_ms;
    if (cut && w->min_ms < from) w->st.expired += window_cut(w, from);
    /* Where dropped rows may have changed what the detectors see: an hour of
     * interpolation and a tick past the cut. */
    int64_t edge = w->cut_ms == INT64_MIN ? INT64_MIN : w->cut_ms + 3600000 + w->tick_ms;
    w->next_tick_ms = (w->feed_ms / w->tick_ms + 1) * w->tick_ms;
    w->tick_no++;
    aw_tracks t;
    aw_events ev = {0};
    char err[256];
    int rc = -1;
    if (window_tracks(w, &t, err, sizeof err) < 0) goto out;
    const char *skipped;
    if (derive_anchorages(w, &t, err, sizeof err) < 0 ||
        aw_detect(&t, w->o.geo, &w->o.events, &ev, &skipped, err, sizeof err) < 0)
        goto out_t;
    for (size_t i = 0; i < ev.n && !w->oom; i++) {
        size_t need = aw_event_json(&ev, i, &t, &w->o.events, w->src_names, w->nsrc, w->jbuf, w->jcap);
        if (need >= w->jcap) {
            if (!buf_need(&w->jbuf, &w->jcap, need + 1)) goto out_e;
            need = aw_event_json(&ev, i, &t, &w->o.events, w->src_names, w->nsrc, w->jbuf, w->jcap);
        }
        const aw_event *e = &ev.v[i];
        uint64_t h = fnv(w->jbuf, need, FNV0);
        /* Counters such as reports_after grow while a ship sails on: after the update that
         * says an event ended, only a new span, new vessels or new links are news. */
        uint64_t core = fnv(&e->start_ms, 8, fnv(&e->end_ms, 8, FNV0));
        for (unsigned k = 0; k < e->nvessels; k++)
            core = fnv(&e->vessels[k].mmsi, 4, fnv(&e->vessels[k].segment, 4, core));
        for (unsigned k = 0; k < e->nlinks; k++) core = fnv(ev.v[e->links[k]].id, strlen(ev.v[e->links[k]].id), core);
        bool settled = w->feed_ms - e->end_ms >= w->settle_ms;
        rec *r = rec_find(w, e->id);
        if (!r) {
            if (!(r = rec_add(w, e->id, (uint8_t)e->type))) goto out_e;
            r->h_alerted = r->h_latest = h;
            r->h_core = core;
            r->settled_sent = settled;
            r->start = e->start_ms, r->end = e->end_ms, r->last_tick = w->tick_no;
            /* An event that starts where the window does is a longer one cut by expiry
             * (alerted under its own id when it began): not news. */
            if (e->start_ms >= edge || closes_from_put_back(w, e, edge)) {
                emit_event(w, AW_ALERT_NEW, e->id, settled, w->jbuf, need);
            } else {
                r->quiet = 1;
                w->st.cut_by_window++;
            }
            continue;
        }
        r->h_latest = h;
        r->start = e->start_ms, r->end = e->end_ms, r->last_tick = w->tick_no;
        bool news = r->quiet ? false : flush ? h != r->h_alerted : settled && h != r->h_alerted && (!r->settled_sent || core != r->h_core);
        if (news) {
            r->h_alerted = h;
            r->h_core = core;
            r->settled_sent |= settled;
            emit_event(w, AW_ALERT_UPDATE, e->id, settled, w->jbuf, need);
        }
    }
    dark_and_listed(w, &t);
    remember_last_seen(w, &t);
    /* Ids not found again: withdrawn while their data is still here, else retired. */
    int64_t keep_from = edge;
    for (size_t i = 0; i < w->nrec; i++) {
        rec *r = &w->recs[i];
        if (r->last_tick == w->tick_no) continue;
        if (r->type == REC_DARK || r->type == REC_LISTED) {
            /* A dark vessel whose position left the window is still remembered (and its
             * alert marked current by remember_last_seen) until it reports again. */
            if (r->end < from && r->last_tick != w->tick_no) r->dead = 1;
            continue;
        }
        if (r->start >= keep_from && !r->quiet) {
            char body[1];
            body[0] = 0;
            emit(w, AW_ALERT_WITHDRAWN, r->id, body, 0);
        }
        r->dead = 1;
    }
    if (rec_compact(w) < 0) goto out_e;
    if (keep_prev(w, &t) < 0) goto out_e;
    rc = w->oom ? -1 : 0;
out_e:
    aw_events_free(&ev);
out_t:
    aw_tracks_free(&t);
    aw_geo_drop_anchorages(w->o.geo, anchorages);
out:
    w->in_tick = false;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    w->st.last_tick_seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    w->last_tick_end = (double)t1.tv_sec + t1.tv_nsec / 1e9;
    w->st.tick_seconds += w->st.last_tick_seconds;
    w->st.ticks++;
    return rc;
}

static int tick(aw_watch *w, bool flush) {
    if (w->feed_ms == AW_TIME_NONE) return 0;
    /* The feed jumped by more than the horizon since the last run (an outage): rows that
     * came in since would leave unseen, their vessels' last reports never remembered and
     * their events never found. A run over the window as it stands sees them first. */
    if (w->last_run_ms != AW_TIME_NONE && w->feed_ms - w->horizon_ms > w->last_run_ms && run(w, false, false) < 0)
        return -1;
    return run(w, flush, true);
}

int aw_watch_tick(aw_watch *w) { return tick(w, false); }

int aw_watch_idle(aw_watch *w) {
    if (w->feed_ms == AW_TIME_NONE || w->feed_ms < w->next_tick_ms || w->in_tick) return 0;
    return tick(w, false);
}

/* The events whose data is all older than the window (what a one-row track put back says
 * of itself, an MMSI of no valid form) are not the window's: left out of a snapshot, and
 * links to them with them. */
static void drop_put_back_events(const aw_watch *w, aw_events *ev) {
    size_t k = 0;
    uint32_t *to = malloc((ev->n ? ev->n : 1) * sizeof *to);
    if (!to) return; /* out of memory: the snapshot keeps them */
    for (size_t i = 0; i < ev->n; i++) {
        to[i] = ev->v[i].end_ms < w->min_ms ? UINT32_MAX : (uint32_t)k;
        if (to[i] != UINT32_MAX) ev->v[k++] = ev->v[i];
    }
    for (size_t i = 0; i < k; i++) {
        aw_event *e = &ev->v[i];
        uint8_t m = 0;
        for (uint8_t l = 0; l < e->nlinks; l++)
            if (to[e->links[l]] != UINT32_MAX) e->links[m++] = to[e->links[l]];
        e->nlinks = m;
    }
    ev->n = k;
    free(to);
}

int aw_watch_snapshot(aw_watch *w, aw_watch_snapshot_fn fn, void *ctx, char *err, size_t errcap) {
    aw_tracks t;
    aw_events ev = {0};
    const char *skipped;
    if (window_tracks(w, &t, err, errcap) < 0) return -1;
    size_t anchorages = aw_geo_anchorage_count(w->o.geo);
    int rc = derive_anchorages(w, &t, err, errcap);
    if (rc == 0) rc = aw_detect(&t, w->o.geo, &w->o.events, &ev, &skipped, err, errcap);
    if (rc == 0) drop_put_back_events(w, &ev);
    if (rc == 0) rc = fn(ctx, &t, &ev, &w->o.events, w->src_names, w->nsrc);
    aw_geo_drop_anchorages(w->o.geo, anchorages);
    aw_events_free(&ev);
    aw_tracks_free(&t);
    return rc;
}

/* The feed ended: what each event is now is what it is. */
int aw_watch_finish(aw_watch *w) { return tick(w, true); }

/* ---- lines --------------------------------------------------------------------------- */

aw_watch *aw_watch_new(const aw_watch_opts *o, char *err, size_t errcap) {
    if (!(o->horizon_h > 0) || !(o->tick_min > 0) || o->max_positions < 16 || o->max_line < 16 ||
        !(o->settle_h >= 0) || !(o->max_future_s >= 0) || !(o->max_busy > 0 && o->max_busy <= 1)) {
        snprintf(err, errcap, "watch: horizon, tick, max_positions (>= 16), max_line (>= 16) must be positive, max_busy in (0, 1]");
        return NULL;
    }
    aw_watch *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    w->o = *o;
    w->feed_ms = w->next_tick_ms = w->last_run_ms = AW_TIME_NONE;
    w->min_ms = INT64_MAX;
    w->cut_ms = INT64_MIN;
    w->horizon_ms = (int64_t)(o->horizon_h * 3600000);
    w->tick_ms = (int64_t)(o->tick_min * 60000);
    if (w->tick_ms < 1000) w->tick_ms = 1000;
    double settle = o->settle_h > 0 ? o->settle_h
                                     : o->events.encounter_merge_h + o->events.encounter_grid_min / 60.0;
    w->settle_ms = (int64_t)(settle * 3600000);
    if (!buf_need(&w->jbuf, &w->jcap, 65536) || !buf_need(&w->abuf, &w->acap, 65536)) {
        aw_watch_free(w);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    return w;
}

void aw_watch_free(aw_watch *w) {
    if (!w) return;
    for (size_t i = 0; i < w->nsrc; i++) {
        free(w->src[i].name);
        free(w->src[i].line);
        aw_decoder_free(w->src[i].dec);
    }
    free(w->src);
    free(w->src_names);
    aw_columns_free(&w->pos);
    obs_free(&w->obs);
    free(w->pv_mmsi), free(w->pv_seg), free(w->pv_first), free(w->pv_count), free(w->pt);
    free(w->recs);
    free(w->seen);
    free(w->idx);
    free(w->scr_key), free(w->scr_val);
    free(w->jbuf), free(w->abuf);
    free(w);
}

int aw_watch_add_source(aw_watch *w, const char *name) {
    if (w->nsrc >= 65535) return -1;
    source *s = realloc(w->src, (w->nsrc + 1) * sizeof *s);
    if (!s) return -1;
    w->src = s;
    const char **names = realloc(w->src_names, (w->nsrc + 1) * sizeof *names);
    if (!names) return -1;
    w->src_names = names;
    s = &w->src[w->nsrc];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    s->line = malloc(w->o.max_line);
    s->dec = aw_decoder_new(&w->o.decoder);
    s->high_ms = s->last_obs_ms = INT64_MIN;
    s->resume_ms = AW_TIME_NONE;
    s->row_src = (uint16_t)w->nsrc;
    for (size_t i = 0; i < w->nsrc; i++)
        if (name && strcmp(w->src[i].name, name) == 0) {
            s->row_src = w->src[i].row_src;
            break;
        }
    if (!s->name || !s->line || !s->dec) {
        free(s->name), free(s->line), aw_decoder_free(s->dec);
        return -1;
    }
    names[w->nsrc] = s->name;
    return (int)w->nsrc++;
}

static void decode_line(aw_watch *w, int src, const char *line, size_t len) {
    w->cur_src = src;
    aw_decoder_lines(w->src[src].dec, line, len, &w->st.decode, on_msg, w);
}

int aw_watch_feed(aw_watch *w, int src, const char *buf, size_t len, int64_t now_ms) {
    if (src < 0 || (size_t)src >= w->nsrc) return -1;
    source *s = &w->src[src];
    w->now_ms = now_ms;
    w->st.decode.bytes += len;
    size_t max = w->o.max_line;
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (s->overflow || s->len + n > max) {
            /* Too long: drop it whole, up to its newline. */
            if (!s->overflow) w->st.lines_too_long++;
            s->overflow = true;
            s->len = 0;
        } else if (nl && s->len == 0) {
            decode_line(w, src, p, n); /* the usual case: no copy */
        } else {
            memcpy(s->line + s->len, p, n);
            s->len += n;
            if (nl) {
                decode_line(w, src, s->line, s->len);
                s->len = 0;
            }
        }
        if (!nl) break;
        s->overflow = false;
        p = nl + 1;
    }
    bool oom = w->oom;
    w->oom = false;
    return oom ? -1 : 0;
}

void aw_watch_source_reset(aw_watch *w, int src) {
    if (src < 0 || (size_t)src >= w->nsrc) return;
    source *s = &w->src[src];
    s->len = 0;
    s->overflow = false;
    aw_decoder_finish(s->dec, &w->st.decode);
}

void aw_watch_source_resume(aw_watch *w, int src, bool on) {
    if (src < 0 || (size_t)src >= w->nsrc) return;
    source *s = &w->src[src];
    s->resume_ms = on && s->high_ms != INT64_MIN ? s->high_ms : AW_TIME_NONE;
    s->n_resent_obs = 0;
    if (s->resume_ms != AW_TIME_NONE && s->last_obs_ms == s->high_ms) {
        memcpy(s->resent_obs, s->last_obs, s->n_last_obs * sizeof *s->last_obs);
        s->n_resent_obs = s->n_last_obs;
    }
}

size_t aw_watch_source_pending(const aw_watch *w, int src) {
    if (src < 0 || (size_t)src >= w->nsrc) return 0;
    return w->src[src].overflow ? 0 : w->src[src].len;
}

void aw_watch_stats_get(const aw_watch *w, aw_watch_stats *st) {
    *st = w->st;
    st->window_positions = w->pos.n;
    st->window_static = w->obs.n;
    st->records = w->nrec;
    st->feed_ms = w->feed_ms;
    st->window_from_ms = w->pos.n || w->obs.n ? w->min_ms : AW_TIME_NONE;
}

/* ---- state --------------------------------------------------------------------------- */

#define STATE_MAGIC "AWWATCH\n"
#define STATE_VERSION 3u /* 3: last-seen rows whole; 2: their places (read); 1: without them (read) */

typedef struct wr {
    FILE *f;
    uint64_t h;
    bool bad;
} wr;

static void put(wr *x, const void *p, size_t n) {
    if (!n) return;
    if (fwrite(p, 1, n, x->f) != n) x->bad = true;
    x->h = fnv(p, n, x->h);
}
static void put_u64(wr *x, uint64_t v) { put(x, &v, 8); }

static bool get(wr *x, void *p, size_t n) {
    if (!n) return true;
    if (fread(p, 1, n, x->f) != n) return x->bad = true, false;
    x->h = fnv(p, n, x->h);
    return true;
}
static uint64_t get_u64(wr *x) {
    uint64_t v = 0;
    get(x, &v, 8);
    return v;
}

/* A counted array as aw_watch_save() puts it: the count, then the elements. 0; -1 when
 * the count is damaged (past sane), -2 when memory runs out. */
static int get_array(wr *x, void **out, size_t *n, size_t elem, uint64_t sane) {
    uint64_t k = get_u64(x);
    if (x->bad || k > sane) return -1;
    void *p = malloc((k ? (size_t)k : 1) * elem);
    if (!p) return -2;
    get(x, p, (size_t)k * elem);
    *out = p;
    *n = (size_t)k;
    return 0;
}

int aw_watch_save(const aw_watch *w, FILE *f, const void *user, size_t user_len, char *err, size_t errcap) {
    wr x = {f, FNV0, false};
    put(&x, STATE_MAGIC, 8);
    put_u64(&x, STATE_VERSION);
    put_u64(&x, sizeof(aw_static_obs));
    put_u64(&x, sizeof(rec));
    put_u64(&x, (uint64_t)w->feed_ms);
    put_u64(&x, (uint64_t)w->next_tick_ms);
    put_u64(&x, (uint64_t)w->cut_ms);
    put_u64(&x, w->seq);
    put_u64(&x, w->tick_no);
    put_u64(&x, w->nsrc);
    for (size_t i = 0; i < w->nsrc; i++) {
        const source *s = &w->src[i];
        put_u64(&x, (uint64_t)s->high_ms);
        put_u64(&x, (uint64_t)s->last_obs_ms);
        put_u64(&x, s->n_last_obs);
        put(&x, s->last_obs, s->n_last_obs * sizeof *s->last_obs);
    }
    const aw_columns *c = &w->pos;
    put_u64(&x, c->n);
    put(&x, c->time_ms, c->n * sizeof *c->time_ms);
    put(&x, c->mmsi, c->n * sizeof *c->mmsi);
    put(&x, c->lat, c->n * sizeof *c->lat);
    put(&x, c->lon, c->n * sizeof *c->lon);
    put(&x, c->sog_dkn, c->n * sizeof *c->sog_dkn);
    put(&x, c->cog_ddeg, c->n * sizeof *c->cog_ddeg);
    put(&x, c->heading_deg, c->n * sizeof *c->heading_deg);
    put(&x, c->msg_type, c->n * sizeof *c->msg_type);
    put(&x, c->nav_status, c->n * sizeof *c->nav_status);
    put(&x, c->second, c->n * sizeof *c->second);
    put(&x, c->source_id, c->n * sizeof *c->source_id);
    put_u64(&x, w->obs.n);
    put(&x, w->obs.v, w->obs.n * sizeof *w->obs.v);
    put_u64(&x, w->npv);
    for (size_t i = 0; i < w->npv; i++) {
        put_u64(&x, w->pv_mmsi[i]);
        put_u64(&x, w->pv_seg[i]);
        put_u64(&x, w->pv_first[i]);
        put_u64(&x, w->pv_count[i]);
    }
    put_u64(&x, w->npt);
    put(&x, w->pt, w->npt * sizeof *w->pt);
    put_u64(&x, w->nrec);
    put(&x, w->recs, w->nrec * sizeof *w->recs);
    put_u64(&x, sizeof(seen));
    put_u64(&x, w->nseen);
    put(&x, w->seen, w->nseen * sizeof *w->seen);
    put_u64(&x, user_len);
    put(&x, user, user_len);
    uint64_t h = x.h;
    put_u64(&x, h);
    if (x.bad || fflush(f) != 0) {
        snprintf(err, errcap, "writing the watch state failed");
        return -1;
    }
    return 0;
}

int aw_watch_load(aw_watch *w, FILE *f, void **user, size_t *user_len, char *err, size_t errcap) {
    wr x = {f, FNV0, false};
    char magic[8];
    *user = NULL;
    *user_len = 0;
    if (!get(&x, magic, 8) || memcmp(magic, STATE_MAGIC, 8) != 0) {
        snprintf(err, errcap, "not an aiswatch watch state");
        return -1;
    }
    uint64_t ver = get_u64(&x), so = get_u64(&x), sr = get_u64(&x);
    if (ver < 1 || ver > STATE_VERSION || so != sizeof(aw_static_obs) || sr != sizeof(rec)) {
        snprintf(err, errcap, "watch state of another version (%llu)", (unsigned long long)ver);
        return -1;
    }
    /* Everything is read into fresh arrays and swapped in only when the file checks out. */
    aw_watch tmp = {0};
    int64_t feed = (int64_t)get_u64(&x), next = (int64_t)get_u64(&x), cut = (int64_t)get_u64(&x);
    uint64_t seq = get_u64(&x), tick_no = get_u64(&x), nsrc = get_u64(&x);
    if (x.bad || nsrc != w->nsrc) {
        snprintf(err, errcap, "watch state has %llu sources, this watch %zu", (unsigned long long)nsrc, w->nsrc);
        return -1;
    }
    source *high = calloc(nsrc ? nsrc : 1, sizeof *high); /* each source's progress */
    if (!high) goto oom;
    for (size_t i = 0; i < nsrc; i++) {
        high[i].high_ms = (int64_t)get_u64(&x);
        high[i].last_obs_ms = INT64_MIN;
        if (ver < 3) continue;
        high[i].last_obs_ms = (int64_t)get_u64(&x);
        uint64_t k = get_u64(&x);
        if (x.bad || k > SECOND_OBS) goto bad;
        high[i].n_last_obs = (uint16_t)k;
        get(&x, high[i].last_obs, (size_t)k * sizeof *high[i].last_obs);
    }
    uint64_t n = get_u64(&x);
    const uint64_t sane = (uint64_t)1 << 40;
    if (x.bad || n > sane) goto bad;
    aw_columns *c = &tmp.pos;
    size_t m = n ? (size_t)n : 1;
    c->time_ms = malloc(m * sizeof *c->time_ms);
    c->mmsi = malloc(m * sizeof *c->mmsi);
    c->lat = malloc(m * sizeof *c->lat);
    c->lon = malloc(m * sizeof *c->lon);
    c->sog_dkn = malloc(m * sizeof *c->sog_dkn);
    c->cog_ddeg = malloc(m * sizeof *c->cog_ddeg);
    c->heading_deg = malloc(m * sizeof *c->heading_deg);
    c->msg_type = malloc(m * sizeof *c->msg_type);
    c->nav_status = malloc(m * sizeof *c->nav_status);
    c->second = malloc(m * sizeof *c->second);
    c->source_id = malloc(m * sizeof *c->source_id);
    c->n = c->cap = (size_t)n;
    if (!c->time_ms || !c->mmsi || !c->lat || !c->lon || !c->sog_dkn || !c->cog_ddeg || !c->heading_deg ||
        !c->msg_type || !c->nav_status || !c->second || !c->source_id)
        goto oom;
    get(&x, c->time_ms, n * sizeof *c->time_ms);
    get(&x, c->mmsi, n * sizeof *c->mmsi);
    get(&x, c->lat, n * sizeof *c->lat);
    get(&x, c->lon, n * sizeof *c->lon);
    get(&x, c->sog_dkn, n * sizeof *c->sog_dkn);
    get(&x, c->cog_ddeg, n * sizeof *c->cog_ddeg);
    get(&x, c->heading_deg, n * sizeof *c->heading_deg);
    get(&x, c->msg_type, n * sizeof *c->msg_type);
    get(&x, c->nav_status, n * sizeof *c->nav_status);
    get(&x, c->second, n * sizeof *c->second);
    get(&x, c->source_id, n * sizeof *c->source_id);
    int ga = get_array(&x, (void **)&tmp.obs.v, &tmp.obs.n, sizeof *tmp.obs.v, sane);
    if (ga != 0) goto fail_array;
    tmp.obs.cap = tmp.obs.n;
    n = get_u64(&x);
    if (x.bad || n > sane) goto bad;
    m = n ? (size_t)n : 1;
    tmp.pv_mmsi = malloc(m * sizeof *tmp.pv_mmsi);
    tmp.pv_seg = malloc(m * sizeof *tmp.pv_seg);
    tmp.pv_first = malloc(m * sizeof *tmp.pv_first);
    tmp.pv_count = malloc(m * sizeof *tmp.pv_count);
    if (!tmp.pv_mmsi || !tmp.pv_seg || !tmp.pv_first || !tmp.pv_count) goto oom;
    tmp.npv = (size_t)n;
    for (size_t i = 0; i < n; i++) {
        tmp.pv_mmsi[i] = (uint32_t)get_u64(&x);
        tmp.pv_seg[i] = (uint32_t)get_u64(&x);
        tmp.pv_first[i] = (size_t)get_u64(&x);
        tmp.pv_count[i] = (size_t)get_u64(&x);
    }
    if ((ga = get_array(&x, (void **)&tmp.pt, &tmp.npt, sizeof *tmp.pt, sane)) != 0) goto fail_array;
    for (size_t i = 0; i < tmp.npv; i++)
        if (tmp.pv_first[i] > tmp.npt || tmp.pv_count[i] > tmp.npt - tmp.pv_first[i]) goto bad;
    if ((ga = get_array(&x, (void **)&tmp.recs, &tmp.nrec, sizeof *tmp.recs, sane)) != 0) goto fail_array;
    tmp.caprec = tmp.nrec;
    for (size_t i = 0; i < tmp.nrec; i++) tmp.recs[i].id[sizeof tmp.recs[i].id - 1] = 0;
    if (ver >= 3) {
        if (get_u64(&x) != sizeof(seen)) goto bad;
        if ((ga = get_array(&x, (void **)&tmp.seen, &tmp.nseen, sizeof *tmp.seen, sane)) != 0) goto fail_array;
        for (size_t i = 0; i < tmp.nseen; i++) tmp.seen[i].has_row = tmp.seen[i].has_row != 0;
    } else if (ver == 2) {
        seen_v2 *old = NULL;
        if (get_u64(&x) != sizeof(seen_v2)) goto bad;
        if ((ga = get_array(&x, (void **)&old, &tmp.nseen, sizeof *old, sane)) != 0) goto fail_array;
        if (!(tmp.seen = malloc((tmp.nseen ? tmp.nseen : 1) * sizeof *tmp.seen))) {
            free(old);
            goto oom;
        }
        for (size_t i = 0; i < tmp.nseen; i++) {
            const seen_v2 *o = &old[i];
            tmp.seen[i] = (seen){.mmsi = o->mmsi, .segment = o->segment, .imo = o->imo, .time_ms = o->time_ms,
                                 .lat = o->lat, .lon = o->lon, .sog_kn = NAN, .cog_deg = NAN, .heading_deg = 511};
            memcpy(tmp.seen[i].name, o->name, sizeof o->name);
        }
        free(old);
    }
    if (ver >= 2) {
        for (size_t i = 0; i < tmp.nseen; i++) {
            tmp.seen[i].name[sizeof tmp.seen[i].name - 1] = 0;
            if (i && tmp.seen[i].mmsi <= tmp.seen[i - 1].mmsi) goto bad; /* the merge needs them sorted */
        }
    }
    n = get_u64(&x);
    if (x.bad || n > sane) goto bad;
    void *u = n ? malloc((size_t)n) : NULL;
    if (n && !u) goto oom;
    get(&x, u, (size_t)n);
    uint64_t want = x.h, have = get_u64(&x);
    if (x.bad || want != have) {
        free(u);
        goto bad;
    }
    /* Checks out: swap in. */
    aw_columns_free(&w->pos);
    w->pos = tmp.pos;
    obs_free(&w->obs);
    w->obs = tmp.obs;
    free(w->pv_mmsi), free(w->pv_seg), free(w->pv_first), free(w->pv_count), free(w->pt);
    w->pv_mmsi = tmp.pv_mmsi, w->pv_seg = tmp.pv_seg, w->pv_first = tmp.pv_first, w->pv_count = tmp.pv_count;
    w->npv = tmp.npv, w->pt = tmp.pt, w->npt = tmp.npt;
    free(w->recs);
    w->recs = tmp.recs, w->nrec = tmp.nrec, w->caprec = tmp.caprec;
    free(w->seen);
    w->seen = tmp.seen, w->nseen = tmp.nseen;
    free(w->idx);
    w->idx = NULL, w->idxcap = 0;
    if (idx_rebuild(w, w->nrec) < 0) {
        free(u);
        free(high);
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    w->feed_ms = feed, w->next_tick_ms = next, w->cut_ms = cut, w->seq = seq, w->tick_no = (uint32_t)tick_no;
    /* Not kept: a run was due at next - tick at the latest, so no later than that. */
    w->last_run_ms = next == AW_TIME_NONE ? AW_TIME_NONE : next - w->tick_ms;
    w->min_ms = INT64_MAX;
    for (size_t i = 0; i < w->pos.n; i++)
        if (w->pos.time_ms[i] < w->min_ms) w->min_ms = w->pos.time_ms[i];
    for (size_t i = 0; i < w->obs.n; i++)
        if (w->obs.v[i].time_ms < w->min_ms) w->min_ms = w->obs.v[i].time_ms;
    for (size_t i = 0; i < nsrc; i++) {
        source *s = &w->src[i];
        s->high_ms = high[i].high_ms;
        s->last_obs_ms = high[i].last_obs_ms;
        s->n_last_obs = high[i].n_last_obs;
        memcpy(s->last_obs, high[i].last_obs, sizeof s->last_obs);
        aw_watch_source_resume(w, (int)i, true);
    }
    free(high);
    *user = u;
    *user_len = (size_t)n;
    return 0;
fail_array:
    if (ga == -2) goto oom;
bad:
    snprintf(err, errcap, "watch state is damaged (truncated or altered)");
    goto fail;
oom:
    snprintf(err, errcap, "out of memory reading the watch state");
fail:
    free(high);
    aw_columns_free(&tmp.pos);
    obs_free(&tmp.obs);
    free(tmp.pv_mmsi), free(tmp.pv_seg), free(tmp.pv_first), free(tmp.pv_count), free(tmp.pt);
    free(tmp.recs);
    free(tmp.seen);
    return -1;
}
