/* track.c — positions grouped per MMSI, cleaned, segmented, and vessel identities.
 *
 * One sort of a compact index by (mmsi, time) puts every MMSI's reports together in
 * time order; each MMSI block is then cleaned (untimed, not-available, impossible and
 * duplicate reports dropped and counted), segmented, and reordered stably by segment
 * so that every (mmsi, segment) vessel is one contiguous range. Static reports are
 * attached to the segment whose positions are nearest in time, then folded into runs
 * of equal values: the identity history. */
#include "aiswatch/track.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiswatch/segment.h"

static const char *const field_names[AW_ID_COUNT] = {
    "name", "imo", "callsign", "ship_type", "length_m", "beam_m", "draught_m", "destination",
};

const char *aw_id_field_name(aw_id_field f) { return (unsigned)f < AW_ID_COUNT ? field_names[f] : "?"; }

void aw_track_params_default(aw_track_params *p) {
    p->duplicate_window_ms = 30000; /* receivers' clocks and satellite stamping */
    p->max_speed_kn = 0; /* segment.h's default */
    p->threads = 0;
}

static void set_text(aw_static_obs *o, aw_id_field f, char *dst, size_t cap, const char *src) {
    if (!src[0]) return;
    snprintf(dst, cap, "%s", src);
    o->fields |= (uint16_t)(1u << f);
}

bool aw_static_from_msg(const aw_msg *m, int64_t time_ms, aw_static_obs *o) {
    memset(o, 0, sizeof *o);
    o->time_ms = time_ms;
    o->mmsi = m->mmsi;
    unsigned bow = 0, stern = 0, port = 0, starboard = 0;
    switch (m->msg_type) {
    case 5: {
        const aw_static_voyage *v = &m->u.voy;
        set_text(o, AW_ID_NAME, o->name, sizeof o->name, v->shipname);
        set_text(o, AW_ID_CALLSIGN, o->callsign, sizeof o->callsign, v->callsign);
        set_text(o, AW_ID_DESTINATION, o->destination, sizeof o->destination, v->destination);
        if (v->imo) o->imo = v->imo, o->fields |= 1u << AW_ID_IMO;
        if (v->shiptype) o->shiptype = v->shiptype, o->fields |= 1u << AW_ID_SHIPTYPE;
        if (v->draught) o->draught_dm = v->draught, o->fields |= 1u << AW_ID_DRAUGHT;
        bow = v->to_bow, stern = v->to_stern, port = v->to_port, starboard = v->to_starboard;
        break;
    }
    case 19: {
        const aw_classb_pos *c = &m->u.cb;
        set_text(o, AW_ID_NAME, o->name, sizeof o->name, c->shipname);
        if (c->shiptype) o->shiptype = c->shiptype, o->fields |= 1u << AW_ID_SHIPTYPE;
        bow = c->to_bow, stern = c->to_stern, port = c->to_port, starboard = c->to_starboard;
        break;
    }
    case 24: {
        const aw_static_b *s = &m->u.sb;
        if (s->partno == 0) {
            set_text(o, AW_ID_NAME, o->name, sizeof o->name, s->shipname);
        } else {
            set_text(o, AW_ID_CALLSIGN, o->callsign, sizeof o->callsign, s->callsign);
            if (s->shiptype) o->shiptype = s->shiptype, o->fields |= 1u << AW_ID_SHIPTYPE;
            if (!s->auxiliary) bow = s->to_bow, stern = s->to_stern, port = s->to_port, starboard = s->to_starboard;
        }
        break;
    }
    default:
        return false;
    }
    if (bow + stern) o->length_m = (uint16_t)(bow + stern), o->fields |= 1u << AW_ID_LENGTH;
    if (port + starboard) o->beam_m = (uint16_t)(port + starboard), o->fields |= 1u << AW_ID_BEAM;
    return true;
}

static void field_value(const aw_static_obs *o, aw_id_field f, char *buf, size_t cap) {
    switch (f) {
    case AW_ID_NAME: snprintf(buf, cap, "%s", o->name); break;
    case AW_ID_IMO: snprintf(buf, cap, "%u", o->imo); break;
    case AW_ID_CALLSIGN: snprintf(buf, cap, "%s", o->callsign); break;
    case AW_ID_SHIPTYPE: snprintf(buf, cap, "%u", o->shiptype); break;
    case AW_ID_LENGTH: snprintf(buf, cap, "%u", o->length_m); break;
    case AW_ID_BEAM: snprintf(buf, cap, "%u", o->beam_m); break;
    case AW_ID_DRAUGHT: snprintf(buf, cap, "%u.%u", o->draught_dm / 10, o->draught_dm % 10); break;
    case AW_ID_DESTINATION: snprintf(buf, cap, "%s", o->destination); break;
    default: buf[0] = 0;
    }
}

static void merge_ident(aw_static_obs *cur, const aw_static_obs *o) {
    if (o->fields & (1u << AW_ID_NAME)) memcpy(cur->name, o->name, sizeof cur->name);
    if (o->fields & (1u << AW_ID_IMO)) cur->imo = o->imo;
    if (o->fields & (1u << AW_ID_CALLSIGN)) memcpy(cur->callsign, o->callsign, sizeof cur->callsign);
    if (o->fields & (1u << AW_ID_SHIPTYPE)) cur->shiptype = o->shiptype;
    if (o->fields & (1u << AW_ID_LENGTH)) cur->length_m = o->length_m;
    if (o->fields & (1u << AW_ID_BEAM)) cur->beam_m = o->beam_m;
    if (o->fields & (1u << AW_ID_DRAUGHT)) cur->draught_dm = o->draught_dm;
    if (o->fields & (1u << AW_ID_DESTINATION)) memcpy(cur->destination, o->destination, sizeof cur->destination);
    cur->fields |= o->fields;
    if (o->time_ms > cur->time_ms) cur->time_ms = o->time_ms;
}

/* One transmission heard by two receivers: the same content, including the report's
 * own UTC second, stamped a little apart by the receivers' clocks. Two transmissions of
 * a ship lying still differ in that second; reports without one (tables, type 27) must
 * also have the same receive time. */
static bool same_report(const aw_columns *c, uint32_t a, uint32_t b, int64_t dt_ms, int64_t window_ms) {
    if (c->second[a] != c->second[b]) return false;
    if (dt_ms > (c->second[a] < 60 ? window_ms : 0)) return false;
    return c->lat[a] == c->lat[b] && c->lon[a] == c->lon[b] && c->sog_dkn[a] == c->sog_dkn[b] &&
           c->cog_ddeg[a] == c->cog_ddeg[b] && c->heading_deg[a] == c->heading_deg[b] &&
           c->msg_type[a] == c->msg_type[b];
}

/* ---- grouping by MMSI ------------------------------------------------------------------
 * A hash of the MMSIs gives each a dense id; a counting sort of the usable rows by MMSI
 * (stable, so each MMSI's rows keep their input order) costs two passes over the data
 * instead of a comparison sort of it. Within an MMSI, rows are sorted by (time, row): the
 * pipeline's workers each keep their rows in input order, so an MMSI's rows are a few
 * ascending runs, merged in linear time. */

#define NO_ID UINT32_MAX

typedef struct mmsi_index {
    uint32_t *key;   /* MMSI, or NO_ID for an empty slot (MMSIs have 30 bits) */
    uint32_t *id;
    size_t mask, n;
} mmsi_index;

static int index_init(mmsi_index *h, size_t cap_pow2) {
    h->key = malloc(cap_pow2 * sizeof *h->key);
    h->id = malloc(cap_pow2 * sizeof *h->id);
    if (!h->key || !h->id) return -1;
    memset(h->key, 0xff, cap_pow2 * sizeof *h->key);
    h->mask = cap_pow2 - 1;
    h->n = 0;
    return 0;
}

static int index_grow(mmsi_index *h) {
    mmsi_index g;
    if (index_init(&g, (h->mask + 1) * 2) < 0) {
        free(g.key), free(g.id);
        return -1;
    }
    for (size_t i = 0; i <= h->mask; i++) {
        if (h->key[i] == NO_ID) continue;
        size_t j = (h->key[i] * 2654435761u) & g.mask;
        while (g.key[j] != NO_ID) j = (j + 1) & g.mask;
        g.key[j] = h->key[i];
        g.id[j] = h->id[i];
    }
    g.n = h->n;
    free(h->key), free(h->id);
    *h = g;
    return 0;
}

/* The dense id of mmsi, added when new; NO_ID when memory runs out. */
static inline uint32_t index_get(mmsi_index *h, uint32_t mmsi) {
    size_t j = (mmsi * 2654435761u) & h->mask;
    while (h->key[j] != NO_ID) {
        if (h->key[j] == mmsi) return h->id[j];
        j = (j + 1) & h->mask;
    }
    if ((h->n + 1) * 2 > h->mask + 1) {
        if (index_grow(h) < 0) return NO_ID;
        return index_get(h, mmsi);
    }
    h->key[j] = mmsi;
    h->id[j] = (uint32_t)h->n;
    return (uint32_t)h->n++;
}

typedef struct tkey {
    int64_t time_ms;
    uint32_t row;
} tkey;

static inline bool tkey_less(const tkey *a, const tkey *b) {
    return a->time_ms < b->time_ms || (a->time_ms == b->time_ms && a->row < b->row);
}

static int cmp_tkey(const void *a, const void *b) {
    const tkey *x = a, *y = b;
    return tkey_less(x, y) ? -1 : tkey_less(y, x);
}

/* Sorts k[0..n) by (time, row), using tmp[0..n). */
static void sort_runs(tkey *k, tkey *tmp, size_t n) {
    size_t runs = 1;
    for (size_t i = 1; i < n; i++) runs += tkey_less(&k[i], &k[i - 1]);
    if (runs == 1) return;
    if (runs > 32) {
        qsort(k, n, sizeof *k, cmp_tkey);
        return;
    }
    /* Bottom-up merges of the natural runs, found afresh on each pass. */
    tkey *src = k, *dst = tmp;
    while (runs > 1) {
        size_t i = 0, o = 0;
        runs = 0;
        while (i < n) {
            size_t a = i, ae = i + 1;
            while (ae < n && !tkey_less(&src[ae], &src[ae - 1])) ae++;
            size_t b = ae, be = ae < n ? ae + 1 : n;
            while (be < n && !tkey_less(&src[be], &src[be - 1])) be++;
            while (a < ae && b < be) dst[o++] = tkey_less(&src[b], &src[a]) ? src[b++] : src[a++];
            while (a < ae) dst[o++] = src[a++];
            while (b < be) dst[o++] = src[b++];
            i = be;
            runs++;
        }
        tkey *x = src;
        src = dst;
        dst = x;
    }
    if (src != k) memcpy(k, src, n * sizeof *k);
}

/* ---- per-MMSI work, split between threads ---------------------------------------------- */

typedef struct part {
    /* input: MMSIs [r0, r1) of the sorted order */
    size_t r0, r1;
    /* output: kept rows in final order (by segment, then time), their segment, the
     * vessels (first relative to this part) and identity history */
    uint32_t *rows, *seg;
    size_t n, cap;
    aw_vessel *vessels;
    size_t nvessels, cap_vessels;
    aw_ident_change *history;
    size_t nhistory, cap_history;
    uint64_t duplicates, mmsis, segments;
    bool oom;
    char err[160];
} part;

typedef struct shared {
    const aw_columns *pos;
    const aw_track_params *params;
    const uint32_t *sorted_mmsi;       /* by rank */
    const size_t *row_off, *obs_off;   /* by rank, n + 1 entries */
    const uint32_t *perm;              /* usable rows grouped by rank */
    const aw_static_obs *obs;
    const uint32_t *obs_perm;          /* static reports grouped by rank */
} shared;

static aw_vessel *add_vessel(part *pt, uint32_t mmsi, uint32_t segment) {
    if (pt->nvessels == pt->cap_vessels) {
        size_t cap = pt->cap_vessels ? pt->cap_vessels * 2 : 1024;
        aw_vessel *v = realloc(pt->vessels, cap * sizeof *v);
        if (!v) return pt->oom = true, NULL;
        pt->vessels = v;
        pt->cap_vessels = cap;
    }
    aw_vessel *v = &pt->vessels[pt->nvessels++];
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    v->segment = segment;
    v->ident.mmsi = mmsi;
    v->ident.time_ms = INT64_MIN;
    v->first_seen_ms = INT64_MAX;
    v->last_seen_ms = INT64_MIN;
    return v;
}

static aw_ident_change *add_change(part *pt) {
    if (pt->nhistory == pt->cap_history) {
        size_t cap = pt->cap_history ? pt->cap_history * 2 : 1024;
        aw_ident_change *h = realloc(pt->history, cap * sizeof *h);
        if (!h) return pt->oom = true, NULL;
        pt->history = h;
        pt->cap_history = cap;
    }
    return &pt->history[pt->nhistory++];
}

/* Folds a vessel's static reports (time order) into its current identity and history. */
static void fold_identity(part *pt, aw_vessel *v, const aw_static_obs *const *obs, size_t n) {
    v->hist_first = pt->nhistory;
    for (int f = 0; f < AW_ID_COUNT; f++) {
        aw_ident_change *run = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!(obs[i]->fields & (1u << f))) continue;
            char value[24];
            field_value(obs[i], (aw_id_field)f, value, sizeof value);
            if (run && strcmp(run->value, value) == 0) {
                run->last_seen_ms = obs[i]->time_ms;
                run->n_reports++;
                continue;
            }
            run = add_change(pt);
            if (!run) return;
            run->mmsi = v->mmsi;
            run->segment = v->segment;
            run->field = (uint8_t)f;
            memcpy(run->value, value, sizeof value);
            run->first_seen_ms = run->last_seen_ms = obs[i]->time_ms;
            run->n_reports = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        merge_ident(&v->ident, obs[i]);
        if (obs[i]->time_ms < v->first_seen_ms) v->first_seen_ms = obs[i]->time_ms;
        if (obs[i]->time_ms > v->last_seen_ms) v->last_seen_ms = obs[i]->time_ms;
    }
    v->hist_count = pt->nhistory - v->hist_first;
}

/* Growable scratch arrays of one thread. */
typedef struct scratch {
    tkey *keys, *tmp;
    uint32_t *order, *seg, *seg_count, *best;
    int64_t *tms;
    double *lat, *lon;
    float *sog, *cog;
    const aw_static_obs **obs, **obs_sorted;
    tkey *okeys, *otmp;
    size_t cap, cap_obs, cap_seg;
} scratch;

static bool scratch_fit(scratch *w, size_t n, size_t nobs) {
#define FIT(field, count)                                                      \
    do {                                                                       \
        void *p_ = realloc(w->field, (count) * sizeof *w->field);              \
        if (!p_) return false;                                                 \
        w->field = p_;                                                         \
    } while (0)
    if (n > w->cap) {
        size_t cap = n + n / 2 + 64;
        FIT(keys, cap); FIT(tmp, cap); FIT(order, cap); FIT(seg, cap); FIT(tms, cap);
        FIT(lat, cap); FIT(lon, cap); FIT(sog, cap); FIT(cog, cap);
        w->cap = cap;
    }
    if (nobs > w->cap_obs) {
        size_t cap = nobs + nobs / 2 + 64;
        FIT(obs, cap); FIT(obs_sorted, cap); FIT(okeys, cap); FIT(otmp, cap); FIT(best, cap);
        w->cap_obs = cap;
    }
    return true;
}

static void scratch_free(scratch *w) {
    free(w->keys), free(w->tmp), free(w->order), free(w->seg), free(w->seg_count), free(w->best), free(w->tms);
    free(w->lat), free(w->lon), free(w->sog), free(w->cog);
    free(w->obs), free(w->obs_sorted), free(w->okeys), free(w->otmp);
}

static bool part_push(part *pt, uint32_t row, uint32_t seg) {
    if (pt->n == pt->cap) {
        size_t cap = pt->cap ? pt->cap * 2 : 65536;
        uint32_t *r = realloc(pt->rows, cap * sizeof *r);
        if (r) pt->rows = r;
        uint32_t *s = r ? realloc(pt->seg, cap * sizeof *s) : NULL;
        if (!r || !s) return !(pt->oom = true);
        pt->seg = s;
        pt->cap = cap;
    }
    pt->rows[pt->n] = row;
    pt->seg[pt->n++] = seg;
    return true;
}

typedef struct part_job {
    const shared *sh;
    part *pt;
} part_job;

/* Cleans, segments and attaches identities to MMSIs [r0, r1). */
static void *run_part(void *arg) {
    part_job *job = arg;
    const shared *sh = job->sh;
    part *pt = job->pt;
    const aw_columns *pos = sh->pos;
    const aw_track_params *params = sh->params;
    scratch w = {0};
    aw_segment_work *work = aw_segment_work_new();
    aw_segment_params sp;
    aw_segment_params_default(&sp);
    if (params->max_speed_kn > 0) sp.max_speed_kn = params->max_speed_kn;
    if (!work) pt->oom = true;
    for (size_t r = pt->r0; r < pt->r1 && !pt->oom && !pt->err[0]; r++) {
        uint32_t mmsi = sh->sorted_mmsi[r];
        size_t kb = sh->row_off[r], nk = sh->row_off[r + 1] - kb;
        size_t ob = sh->obs_off[r], nob = sh->obs_off[r + 1] - ob;
        if (!scratch_fit(&w, nk, nob)) {
            pt->oom = true;
            break;
        }
        for (size_t i = 0; i < nk; i++) {
            uint32_t row = sh->perm[kb + i];
            w.keys[i] = (tkey){pos->time_ms[row], row};
        }
        sort_runs(w.keys, w.tmp, nk);

        /* Drop duplicates heard by several receivers. */
        size_t n = 0;
        for (size_t i = 0; i < nk; i++) {
            uint32_t row = w.keys[i].row;
            if (n && same_report(pos, row, w.order[n - 1], w.keys[i].time_ms - w.tms[n - 1],
                                 params->duplicate_window_ms)) {
                pt->duplicates++;
                continue;
            }
            w.order[n] = row;
            w.tms[n] = w.keys[i].time_ms;
            w.lat[n] = pos->lat[row] / AW_LATLON_SCALE;
            w.lon[n] = pos->lon[row] / AW_LATLON_SCALE;
            uint16_t sog = pos->sog_dkn[row], cog = pos->cog_ddeg[row];
            w.sog[n] = sog == AW_SPEED_NA ? NAN : sog / 10.0f;
            w.cog[n] = cog >= AW_COURSE_NA ? NAN : cog / 10.0f;
            n++;
        }
        uint32_t nseg = 0;
        if (n) {
            int rs = aw_segment_track_motion(w.tms, w.lat, w.lon, w.sog, w.cog, n, &sp, work, w.seg);
            if (rs < 0) {
                snprintf(pt->err, sizeof pt->err, "segmentation of MMSI %u: %s", mmsi, aw_segment_work_error(work));
                break;
            }
            nseg = (uint32_t)rs;
        }
        uint32_t nv = nseg ? nseg : 1;
        pt->mmsis++;
        pt->segments += nv;
        if (nv + 1 > w.cap_seg) {
            uint32_t *c = realloc(w.seg_count, (nv + 1) * sizeof *c);
            if (!c) {
                pt->oom = true;
                break;
            }
            w.seg_count = c;
            w.cap_seg = nv + 1;
        }

        /* Vessels in segment order, each a contiguous, time-ordered range. */
        memset(w.seg_count, 0, (nv + 1) * sizeof *w.seg_count);
        for (size_t i = 0; i < n; i++) w.seg_count[w.seg[i] + 1]++;
        size_t vfirst = pt->nvessels, base = pt->n;
        for (uint32_t sgi = 0; sgi < nv; sgi++) {
            aw_vessel *v = add_vessel(pt, mmsi, sgi);
            if (!v) break;
            w.seg_count[sgi + 1] += w.seg_count[sgi]; /* counts become starts */
            v->first = base + w.seg_count[sgi];
            v->count = w.seg_count[sgi + 1] - w.seg_count[sgi];
        }
        if (pt->oom) break;
        for (size_t i = 0; i < n && part_push(pt, 0, 0); i++) {}
        if (pt->oom) break;
        for (size_t i = 0; i < n; i++) {
            size_t o = base + w.seg_count[w.seg[i]]++;
            pt->rows[o] = w.order[i];
            pt->seg[o] = w.seg[i];
        }
        for (uint32_t sgi = 0; sgi < nv; sgi++) {
            aw_vessel *v = &pt->vessels[vfirst + sgi];
            if (v->count) {
                v->first_seen_ms = pos->time_ms[pt->rows[v->first]];
                v->last_seen_ms = pos->time_ms[pt->rows[v->first + v->count - 1]];
            }
        }

        /* Static reports in time order; each goes to the segment with the position
         * nearest in time (the static reports of an MMSI shared by two ships are split
         * between them this way). */
        for (size_t i = 0; i < nob; i++) {
            uint32_t k = sh->obs_perm[ob + i];
            w.okeys[i] = (tkey){sh->obs[k].time_ms, k};
        }
        sort_runs(w.okeys, w.otmp, nob);
        for (size_t i = 0; i < nob; i++) {
            const aw_static_obs *o = &sh->obs[w.okeys[i].row];
            uint32_t best = 0;
            int64_t best_d = INT64_MAX;
            for (uint32_t c = 0; c < nv && nv > 1; c++) {
                const aw_vessel *x = &pt->vessels[vfirst + c];
                if (!x->count) continue;
                int64_t d = 0;
                if (o->time_ms < x->first_seen_ms) d = x->first_seen_ms - o->time_ms;
                else if (o->time_ms > x->last_seen_ms) d = o->time_ms - x->last_seen_ms;
                if (d < best_d) best_d = d, best = c;
            }
            w.best[i] = best;
            w.obs[i] = o;
        }
        memset(w.seg_count, 0, (nv + 1) * sizeof *w.seg_count);
        for (size_t i = 0; i < nob; i++) w.seg_count[w.best[i] + 1]++;
        for (uint32_t sgi = 0; sgi < nv; sgi++) w.seg_count[sgi + 1] += w.seg_count[sgi];
        for (size_t i = 0; i < nob; i++) w.obs_sorted[w.seg_count[w.best[i]]++] = w.obs[i];
        for (uint32_t sgi = 0; sgi < nv && !pt->oom; sgi++) {
            size_t end = w.seg_count[sgi], start = sgi ? w.seg_count[sgi - 1] : 0;
            fold_identity(pt, &pt->vessels[vfirst + sgi], w.obs_sorted + start, end - start);
        }
    }
    aw_segment_work_free(work);
    scratch_free(&w);
    return NULL;
}

/* ---- the columns of the result, gathered in the final order ----------------------------- */

typedef enum gather_col { G_TIME, G_LAT, G_LON, G_SOG, G_COG, G_HEADING, G_STATUS, G_TYPE, G_SOURCE, G_COUNT } gather_col;

typedef struct gather_job {
    gather_col col;
    const aw_columns *pos;
    aw_tracks *t;
    const uint32_t *rows;
    size_t lo, hi;
} gather_job;

static void *run_gather(void *arg) {
    const gather_job *g = arg;
    const aw_columns *pos = g->pos;
    aw_tracks *t = g->t;
    const uint32_t *rows = g->rows;
    switch (g->col) {
    case G_TIME: for (size_t i = g->lo; i < g->hi; i++) t->time_ms[i] = pos->time_ms[rows[i]]; break;
    case G_LAT: for (size_t i = g->lo; i < g->hi; i++) t->lat[i] = pos->lat[rows[i]] / AW_LATLON_SCALE; break;
    case G_LON: for (size_t i = g->lo; i < g->hi; i++) t->lon[i] = pos->lon[rows[i]] / AW_LATLON_SCALE; break;
    case G_SOG:
        for (size_t i = g->lo; i < g->hi; i++) {
            uint16_t v = pos->sog_dkn[rows[i]];
            t->sog_kn[i] = v == AW_SPEED_NA ? NAN : v / 10.0f;
        }
        break;
    case G_COG:
        for (size_t i = g->lo; i < g->hi; i++) {
            uint16_t v = pos->cog_ddeg[rows[i]];
            t->cog_deg[i] = v >= AW_COURSE_NA ? NAN : v / 10.0f;
        }
        break;
    case G_HEADING: for (size_t i = g->lo; i < g->hi; i++) t->heading_deg[i] = pos->heading_deg[rows[i]]; break;
    case G_STATUS: for (size_t i = g->lo; i < g->hi; i++) t->nav_status[i] = pos->nav_status[rows[i]]; break;
    case G_TYPE: for (size_t i = g->lo; i < g->hi; i++) t->msg_type[i] = pos->msg_type[rows[i]]; break;
    case G_SOURCE: for (size_t i = g->lo; i < g->hi; i++) t->source_id[i] = pos->source_id[rows[i]]; break;
    default: break;
    }
    return NULL;
}

static unsigned online_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* Runs fn over jobs[0..n): n - 1 threads and the caller. */
static void run_threads(void *(*fn)(void *), void *jobs, size_t job_size, unsigned n) {
    pthread_t tid[64];
    bool started[64] = {0};
    for (unsigned i = 1; i < n; i++)
        started[i] = pthread_create(&tid[i], NULL, fn, (char *)jobs + i * job_size) == 0;
    fn(jobs);
    for (unsigned i = 1; i < n; i++) {
        if (started[i]) pthread_join(tid[i], NULL);
        else fn((char *)jobs + i * job_size); /* no thread: do its share here */
    }
}

typedef struct mmsi_rank {
    uint32_t mmsi, id;
} mmsi_rank;

static int cmp_rank(const void *a, const void *b) {
    const mmsi_rank *x = a, *y = b;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

static int grow_counts(size_t **c, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 4096;
    while (ncap < need) ncap *= 2;
    size_t *p = realloc(*c, ncap * sizeof *p);
    if (!p) return -1;
    memset(p + *cap, 0, (ncap - *cap) * sizeof *p);
    *c = p;
    *cap = ncap;
    return 0;
}

#define FREE_COL(field)                  \
    do {                                 \
        if (consume) {                   \
            free(pos->field);            \
            pos->field = NULL;           \
        }                                \
    } while (0)

static int build(aw_columns *pos, bool consume, const aw_static_obs *obs, size_t nobs,
                 const aw_track_params *params, aw_tracks *t, char *err, size_t errcap) {
    aw_track_params defaults;
    if (!params) {
        aw_track_params_default(&defaults);
        params = &defaults;
    }
    memset(t, 0, sizeof *t);
    if (errcap) err[0] = 0;
    t->stats.positions_in = pos->n;
    t->stats.static_reports = nobs;
    if (pos->n >= UINT32_MAX || nobs >= UINT32_MAX) {
        snprintf(err, errcap, "more than 4294967294 positions or static reports in one run");
        return -1;
    }
    int rc = -1;
    mmsi_index h = {0};
    uint32_t *rid = malloc((pos->n ? pos->n : 1) * sizeof *rid), *oid = malloc((nobs ? nobs : 1) * sizeof *oid);
    size_t *count = NULL, *ocount = NULL, cap_count = 0, cap_ocount = 0;
    mmsi_rank *ranks = NULL;
    uint32_t *rank_of = NULL, *perm = NULL, *obs_perm = NULL, *sorted_mmsi = NULL, *rows = NULL;
    size_t *row_off = NULL, *obs_off = NULL;
    part *parts = NULL;
    unsigned nparts = 0;
    if (!rid || !oid || index_init(&h, 4096) < 0) goto out;

    /* Clean while grouping: only usable reports are kept. */
    size_t nk = 0;
    for (size_t i = 0; i < pos->n; i++) {
        int32_t lat = pos->lat[i], lon = pos->lon[i];
        rid[i] = NO_ID;
        if (pos->time_ms[i] == INT64_MIN) {
            t->stats.untimed++;
        } else if (lat == AW_LAT_NA || lon == AW_LON_NA) {
            t->stats.not_available++;
        } else if (lat > 90 * 600000 || lat < -90 * 600000 || lon > 180 * 600000 || lon < -180 * 600000 ||
                   (lat == 0 && lon == 0)) {
            t->stats.out_of_range++;
        } else {
            uint32_t id = index_get(&h, pos->mmsi[i]);
            if (id == NO_ID || grow_counts(&count, &cap_count, h.n) < 0) goto out;
            rid[i] = id;
            count[id]++;
            nk++;
        }
    }
    for (size_t i = 0; i < nobs; i++) {
        uint32_t id = index_get(&h, obs[i].mmsi);
        if (id == NO_ID || grow_counts(&ocount, &cap_ocount, h.n) < 0) goto out;
        oid[i] = id;
        ocount[id]++;
    }
    FREE_COL(mmsi);
    size_t nm = h.n;
    if (grow_counts(&count, &cap_count, nm + 1) < 0 || grow_counts(&ocount, &cap_ocount, nm + 1) < 0) goto out;
    ranks = malloc((nm ? nm : 1) * sizeof *ranks);
    rank_of = malloc((nm ? nm : 1) * sizeof *rank_of);
    sorted_mmsi = malloc((nm ? nm : 1) * sizeof *sorted_mmsi);
    row_off = malloc((nm + 1) * sizeof *row_off);
    obs_off = malloc((nm + 1) * sizeof *obs_off);
    perm = malloc((nk ? nk : 1) * sizeof *perm);
    obs_perm = malloc((nobs ? nobs : 1) * sizeof *obs_perm);
    if (!ranks || !rank_of || !sorted_mmsi || !row_off || !obs_off || !perm || !obs_perm) goto out;
    for (size_t j = 0; j <= h.mask; j++)
        if (h.key[j] != NO_ID) ranks[h.id[j]] = (mmsi_rank){h.key[j], h.id[j]};
    qsort(ranks, nm, sizeof *ranks, cmp_rank);
    row_off[0] = obs_off[0] = 0;
    for (size_t r = 0; r < nm; r++) {
        rank_of[ranks[r].id] = (uint32_t)r;
        sorted_mmsi[r] = ranks[r].mmsi;
        row_off[r + 1] = row_off[r] + count[ranks[r].id];
        obs_off[r + 1] = obs_off[r] + ocount[ranks[r].id];
    }
    /* count[] becomes each rank's cursor. */
    for (size_t r = 0; r < nm; r++) count[r] = row_off[r], ocount[r] = obs_off[r];
    for (size_t i = 0; i < pos->n; i++)
        if (rid[i] != NO_ID) perm[count[rank_of[rid[i]]]++] = (uint32_t)i;
    for (size_t i = 0; i < nobs; i++) obs_perm[ocount[rank_of[oid[i]]]++] = (uint32_t)i;
    free(rid), rid = NULL;
    free(oid), oid = NULL;

    /* Parts of about equal row counts, cut between MMSIs. */
    unsigned threads = params->threads ? params->threads : online_cores();
    if (threads > 64) threads = 64;
    if (threads > nm) threads = nm ? (unsigned)nm : 1;
    parts = calloc(threads, sizeof *parts);
    part_job *jobs = calloc(threads, sizeof *jobs);
    if (!parts || !jobs) {
        free(jobs);
        goto out;
    }
    nparts = threads;
    shared sh = {.pos = pos, .params = params, .sorted_mmsi = sorted_mmsi, .row_off = row_off, .obs_off = obs_off,
                 .perm = perm, .obs = obs, .obs_perm = obs_perm};
    size_t r = 0;
    for (unsigned p = 0; p < nparts; p++) {
        parts[p].r0 = r;
        size_t target = nk / nparts * (p + 1);
        if (p == nparts - 1) r = nm;
        else
            while (r < nm && row_off[r + 1] <= target) r++;
        parts[p].r1 = r;
        jobs[p] = (part_job){&sh, &parts[p]};
    }
    run_threads(run_part, jobs, sizeof *jobs, nparts);
    free(jobs);
    for (unsigned p = 0; p < nparts; p++) {
        if (parts[p].err[0]) {
            snprintf(err, errcap, "%s", parts[p].err);
            goto out;
        }
        if (parts[p].oom) goto out;
    }
    free(perm), perm = NULL;
    free(obs_perm), obs_perm = NULL;
    FREE_COL(second);

    /* The parts, end to end. */
    size_t n = 0, nv = 0, nh = 0;
    for (unsigned p = 0; p < nparts; p++) {
        n += parts[p].n, nv += parts[p].nvessels, nh += parts[p].nhistory;
        t->stats.duplicates += parts[p].duplicates;
        t->stats.mmsis += parts[p].mmsis;
        t->stats.segments += parts[p].segments;
    }
    t->vessels = malloc((nv ? nv : 1) * sizeof *t->vessels);
    t->history = malloc((nh ? nh : 1) * sizeof *t->history);
    t->segment = malloc((n ? n : 1) * sizeof *t->segment);
    t->mmsi = malloc((n ? n : 1) * sizeof *t->mmsi);
    rows = malloc((n ? n : 1) * sizeof *rows);
    if (!t->vessels || !t->history || !t->segment || !t->mmsi || !rows) goto out;
    size_t ro = 0, vo = 0, ho = 0;
    for (unsigned p = 0; p < nparts; p++) {
        part *pt = &parts[p];
        for (size_t i = 0; i < pt->nvessels; i++) {
            aw_vessel v = pt->vessels[i];
            v.first += ro;
            v.hist_first += ho;
            t->vessels[vo + i] = v;
            for (size_t k = 0; k < v.count; k++) t->mmsi[v.first + k] = v.mmsi;
        }
        if (pt->nhistory) memcpy(t->history + ho, pt->history, pt->nhistory * sizeof *pt->history);
        if (pt->n) {
            memcpy(t->segment + ro, pt->seg, pt->n * sizeof *pt->seg);
            memcpy(rows + ro, pt->rows, pt->n * sizeof *pt->rows);
        }
        ro += pt->n, vo += pt->nvessels, ho += pt->nhistory;
        free(pt->rows), free(pt->seg), free(pt->vessels), free(pt->history);
        pt->rows = pt->seg = NULL, pt->vessels = NULL, pt->history = NULL;
    }
    t->n = n;
    t->nvessels = nv;
    t->nhistory = nh;

    /* Column by column, each source column freed once read when consuming, so the peak is
     * the positions plus one column of the tracks more than the positions' share of it. */
    unsigned gthreads = threads;
    gather_job gj[64];
    for (int col = 0; col < G_COUNT; col++) {
        void **dst;
        size_t size;
        switch (col) {
        case G_TIME: dst = (void **)&t->time_ms, size = sizeof *t->time_ms; break;
        case G_LAT: dst = (void **)&t->lat, size = sizeof *t->lat; break;
        case G_LON: dst = (void **)&t->lon, size = sizeof *t->lon; break;
        case G_SOG: dst = (void **)&t->sog_kn, size = sizeof *t->sog_kn; break;
        case G_COG: dst = (void **)&t->cog_deg, size = sizeof *t->cog_deg; break;
        case G_HEADING: dst = (void **)&t->heading_deg, size = sizeof *t->heading_deg; break;
        case G_STATUS: dst = (void **)&t->nav_status, size = sizeof *t->nav_status; break;
        case G_TYPE: dst = (void **)&t->msg_type, size = sizeof *t->msg_type; break;
        default: dst = (void **)&t->source_id, size = sizeof *t->source_id; break;
        }
        if (!(*dst = malloc((n ? n : 1) * size))) goto out;
        for (unsigned g = 0; g < gthreads; g++)
            gj[g] = (gather_job){(gather_col)col, pos, t, rows, n / gthreads * g, g == gthreads - 1 ? n : n / gthreads * (g + 1)};
        run_threads(run_gather, gj, sizeof *gj, gthreads);
        switch (col) {
        case G_TIME: FREE_COL(time_ms); break;
        case G_LAT: FREE_COL(lat); break;
        case G_LON: FREE_COL(lon); break;
        case G_SOG: FREE_COL(sog_dkn); break;
        case G_COG: FREE_COL(cog_ddeg); break;
        case G_HEADING: FREE_COL(heading_deg); break;
        case G_STATUS: FREE_COL(nav_status); break;
        case G_TYPE: FREE_COL(msg_type); break;
        default: FREE_COL(source_id); break;
        }
    }
    t->stats.positions = t->n;
    rc = 0;
out:
    if (rc < 0 && !err[0]) snprintf(err, errcap, "out of memory building tracks");
    for (unsigned p = 0; p < nparts; p++)
        free(parts[p].rows), free(parts[p].seg), free(parts[p].vessels), free(parts[p].history);
    free(parts);
    free(h.key), free(h.id);
    free(rid), free(oid), free(count), free(ocount), free(ranks), free(rank_of), free(sorted_mmsi);
    free(row_off), free(obs_off), free(perm), free(obs_perm), free(rows);
    if (consume) aw_columns_free(pos);
    if (rc < 0) aw_tracks_free(t);
    return rc;
}
#undef FREE_COL

int aw_tracks_build(const aw_columns *pos, const aw_static_obs *obs, size_t nobs, const aw_track_params *params,
                    aw_tracks *t, char *err, size_t errcap) {
    return build((aw_columns *)pos, false, obs, nobs, params, t, err, errcap);
}

int aw_tracks_build_consume(aw_columns *pos, const aw_static_obs *obs, size_t nobs, const aw_track_params *params,
                            aw_tracks *t, char *err, size_t errcap) {
    return build(pos, true, obs, nobs, params, t, err, errcap);
}

void aw_tracks_free(aw_tracks *t) {
    free(t->time_ms);
    free(t->mmsi);
    free(t->segment);
    free(t->lat);
    free(t->lon);
    free(t->sog_kn);
    free(t->cog_deg);
    free(t->heading_deg);
    free(t->nav_status);
    free(t->msg_type);
    free(t->source_id);
    free(t->vessels);
    free(t->history);
    memset(t, 0, sizeof *t);
}
