/* track.c — positions grouped per MMSI, cleaned, segmented, and vessel identities.
 *
 * Positions come as columns (a radix sort by MMSI, below, puts every MMSI's reports
 * together) or as records the decoding workers already bucketed by MMSI (recs.h: each
 * bucket is gathered and sorted by MMSI in a scratch); then each MMSI's are sorted by time;
 * each MMSI block is cleaned (untimed, not-available, impossible and duplicate reports
 * dropped and counted), segmented, and reordered stably by segment so that every
 * (mmsi, segment) vessel is one contiguous range. Static reports are attached to the
 * segment whose positions are nearest in time, then folded into runs of equal values:
 * the identity history. The per-MMSI work is shared between threads by ranges of
 * MMSIs, each writing its rows straight into the result, so the output is the same
 * whatever the number of threads. */
#include "aiswatch/track.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aiswatch/segment.h"

#include "bigarray.h"
#include "recs.h"

static const char *const field_names[AW_ID_COUNT] = {
    "name", "imo", "callsign", "ship_type", "length_m", "beam_m", "draught_m", "destination",
};

const char *aw_id_field_name(aw_id_field f) { return (unsigned)f < AW_ID_COUNT ? field_names[f] : "?"; }

void aw_track_params_default(aw_track_params *p) {
    p->duplicate_window_ms = 30000; /* receivers' clocks and satellite stamping */
    p->max_speed_kn = 0; /* segment.h's default */
    p->threads = 0;
}

/* dst is zeroed by the caller. Not snprintf: a million and a half static reports a day
 * made its format parsing a visible share of decoding. */
static void set_text(aw_static_obs *o, aw_id_field f, char *dst, size_t cap, const char *src) {
    if (!src[0]) return;
    memcpy(dst, src, strnlen(src, cap - 1));
    o->fields |= (uint16_t)(1u << f);
}

bool aw_static_from_msg(const aw_msg *m, int64_t time_ms, aw_static_obs *o) {
    /* Asked of every message: position reports, nine in ten, leave before the memset. */
    if (m->msg_type != 5 && m->msg_type != 19 && m->msg_type != 24) return false;
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

static bool field_equal(const aw_static_obs *a, const aw_static_obs *b, aw_id_field f) {
    switch (f) {
    case AW_ID_NAME: return strcmp(a->name, b->name) == 0;
    case AW_ID_IMO: return a->imo == b->imo;
    case AW_ID_CALLSIGN: return strcmp(a->callsign, b->callsign) == 0;
    case AW_ID_SHIPTYPE: return a->shiptype == b->shiptype;
    case AW_ID_LENGTH: return a->length_m == b->length_m;
    case AW_ID_BEAM: return a->beam_m == b->beam_m;
    case AW_ID_DRAUGHT: return a->draught_dm == b->draught_dm;
    case AW_ID_DESTINATION: return strcmp(a->destination, b->destination) == 0;
    default: return true;
    }
}

/* One usable position, as the track builder moves it: 32 bytes, so that a run's rows,
 * once grouped by MMSI, are read in sequence rather than gathered from eleven columns. */
typedef struct prec {
    int64_t time_ms;
    int32_t lat, lon;       /* 1/10000 minute */
    uint32_t rank;          /* the MMSI's place in MMSI order */
    uint16_t sog_dkn, cog_ddeg, heading_deg, source_id;
    uint8_t msg_type, nav_status, second, pad;
} prec;

/* One transmission heard by two receivers: the same content, including the report's
 * own UTC second, stamped a little apart by the receivers' clocks. Two transmissions of
 * a ship lying still differ in that second; reports without one (tables, type 27) must
 * also have the same receive time. */
static bool same_report(const prec *a, const prec *b, int64_t window_ms) {
    if (a->second != b->second) return false;
    if (a->time_ms - b->time_ms > (a->second < 60 ? window_ms : 0)) return false;
    return a->lat == b->lat && a->lon == b->lon && a->sog_dkn == b->sog_dkn && a->cog_ddeg == b->cog_ddeg &&
           a->heading_deg == b->heading_deg && a->msg_type == b->msg_type;
}

/* ---- grouping by MMSI ------------------------------------------------------------------
 * A hash of the MMSIs gives each a dense id, ranked in MMSI order. One sequential pass
 * (each core a range of the rows, writing in every bucket after the ranges before it)
 * writes every usable row as a 32-byte record into the bucket of its rank's high bits
 * (a few thousand output streams, which the caches absorb), and each bucket, small
 * enough to stay in cache, is then sorted by exact rank: a stable radix sort in two
 * steps, so each MMSI's rows keep their input order. Within an MMSI, rows are sorted by
 * (time, input order): the pipeline's workers each keep their rows in input order, so
 * an MMSI's rows are a few ascending runs, merged in linear time. The positions'
 * columns are released as they are read when the caller gives them up, and the records
 * as the per-MMSI work consumes them, so the peak stays near one copy of the data. */

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


/* Gives back the pages of [p, p + bytes) that lie wholly inside it: memory already read
 * and not needed again, inside an allocation freed later as a whole. */
static void release(void *p, size_t bytes) {
    uintptr_t page = 4096, a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + bytes) & ~(page - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_DONTNEED);
}

/* ---- per-MMSI work, split between threads ---------------------------------------------- */

typedef struct part {
    size_t r0, r1;           /* MMSIs [r0, r1) of the sorted order */
    size_t base;             /* where its rows go in the result: its first row's place in the input order */
    size_t to;               /* where they end up once the parts are joined */
    size_t n;                /* rows kept, in final order (by segment, then time) from base */
    aw_vessel *vessels;      /* first relative to this part */
    size_t nvessels, cap_vessels;
    aw_ident_change *history;
    size_t nhistory, cap_history;
    uint64_t duplicates, mmsis, segments;
    bool oom;
    char err[160];
} part;

typedef struct shared {
    aw_tracks *t;                      /* the result's columns, room for every usable row */
    prec *rec;                         /* usable rows grouped by rank */
    bool release;                      /* give back rec's pages once read */
    const aw_track_params *params;
    const uint32_t *sorted_mmsi;       /* by rank */
    const size_t *row_off, *obs_off;   /* by rank, n + 1 entries */
    const aw_static_obs *const *obs;   /* static reports grouped by rank */
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
        const aw_static_obs *run_obs = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!(obs[i]->fields & (1u << f))) continue;
            if (run && field_equal(run_obs, obs[i], (aw_id_field)f)) {
                run->last_seen_ms = obs[i]->time_ms;
                run->n_reports++;
                continue;
            }
            run = add_change(pt);
            if (!run) return;
            run_obs = obs[i];
            run->mmsi = v->mmsi;
            run->segment = v->segment;
            run->field = (uint8_t)f;
            field_value(obs[i], (aw_id_field)f, run->value, sizeof run->value);
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
    if (n > w->cap || !w->keys) {
        size_t cap = n + n / 2 + 64;
        FIT(keys, cap); FIT(tmp, cap); FIT(order, cap); FIT(seg, cap); FIT(tms, cap);
        FIT(lat, cap); FIT(lon, cap); FIT(sog, cap); FIT(cog, cap);
        w->cap = cap;
    }
    if (nobs > w->cap_obs || !w->obs) {
        size_t cap = nobs + nobs / 2 + 64;
        FIT(obs, cap); FIT(obs_sorted, cap); FIT(okeys, cap); FIT(otmp, cap); FIT(best, cap);
        w->cap_obs = cap;
    }
#undef FIT
    return true;
}

static void scratch_free(scratch *w) {
    free(w->keys), free(w->tmp), free(w->order), free(w->seg), free(w->seg_count), free(w->best), free(w->tms);
    free(w->lat), free(w->lon), free(w->sog), free(w->cog);
    free(w->obs), free(w->obs_sorted), free(w->okeys), free(w->otmp);
}

typedef struct part_job {
    const shared *sh;
    part *pt;
} part_job;

/* Cleans, segments and attaches identities to one MMSI: its nk records (a few runs in
 * input order) and its nob static reports. The kept rows go to the result from row
 * pt->base + pt->n on. False when the part must stop (pt->oom or pt->err says why). */
/* What a thread needs for the per-MMSI work: its scratch arrays and the segmenter's. */
typedef struct part_work {
    scratch w;
    aw_segment_work *seg;
    aw_segment_params sp;
    const aw_track_params *params;
} part_work;

static bool part_work_init(part_work *pw, const aw_track_params *params) {
    *pw = (part_work){.params = params};
    aw_segment_params_default(&pw->sp);
    if (params->max_speed_kn > 0) pw->sp.max_speed_kn = params->max_speed_kn;
    return (pw->seg = aw_segment_work_new()) != NULL;
}

static void part_work_free(part_work *pw) {
    aw_segment_work_free(pw->seg);
    scratch_free(&pw->w);
}

static bool part_mmsi(part *pt, part_work *pw, aw_tracks *T, uint32_t mmsi, const prec *rec, size_t nk,
                      const aw_static_obs *const *mobs, size_t nob) {
    scratch *w = &pw->w;
    aw_segment_work *work = pw->seg;
    const aw_segment_params *sp = &pw->sp;
    const aw_track_params *params = pw->params;
    if (!scratch_fit(w, nk, nob)) return pt->oom = true, false;
    for (size_t i = 0; i < nk; i++) w->keys[i] = (tkey){rec[i].time_ms, (uint32_t)i};
    sort_runs(w->keys, w->tmp, nk);

    /* Drop duplicates heard by several receivers. */
    size_t n = 0;
    for (size_t i = 0; i < nk; i++) {
        uint32_t k = w->keys[i].row;
        if (n && same_report(&rec[k], &rec[w->order[n - 1]], params->duplicate_window_ms)) {
            pt->duplicates++;
            continue;
        }
        w->order[n] = k;
        w->tms[n] = rec[k].time_ms;
        w->lat[n] = rec[k].lat / AW_LATLON_SCALE;
        w->lon[n] = rec[k].lon / AW_LATLON_SCALE;
        w->sog[n] = rec[k].sog_dkn == AW_SPEED_NA ? NAN : rec[k].sog_dkn / 10.0f;
        w->cog[n] = rec[k].cog_ddeg >= AW_COURSE_NA ? NAN : rec[k].cog_ddeg / 10.0f;
        n++;
    }
    uint32_t nseg = 0;
    if (n) {
        int rs = aw_segment_track_motion(w->tms, w->lat, w->lon, w->sog, w->cog, n, sp, work, w->seg);
        if (rs < 0) {
            snprintf(pt->err, sizeof pt->err, "segmentation of MMSI %u: %s", mmsi, aw_segment_work_error(work));
            return false;
        }
        nseg = (uint32_t)rs;
    }
    uint32_t nv = nseg ? nseg : 1;
    pt->mmsis++;
    pt->segments += nv;
    if (nv + 1 > w->cap_seg) {
        uint32_t *c = realloc(w->seg_count, (nv + 1) * sizeof *c);
        if (!c) return pt->oom = true, false;
        w->seg_count = c;
        w->cap_seg = nv + 1;
    }

    /* Vessels in segment order, each a contiguous, time-ordered range. */
    memset(w->seg_count, 0, (nv + 1) * sizeof *w->seg_count);
    for (size_t i = 0; i < n; i++) w->seg_count[w->seg[i] + 1]++;
    size_t vfirst = pt->nvessels, base = pt->n;
    for (uint32_t sgi = 0; sgi < nv; sgi++) {
        aw_vessel *v = add_vessel(pt, mmsi, sgi);
        if (!v) return false;
        w->seg_count[sgi + 1] += w->seg_count[sgi]; /* counts become starts */
        v->first = base + w->seg_count[sgi];
        v->count = w->seg_count[sgi + 1] - w->seg_count[sgi];
    }
    for (size_t i = 0; i < n; i++) {
        size_t o = pt->base + base + w->seg_count[w->seg[i]]++;
        const prec *p = &rec[w->order[i]];
        T->time_ms[o] = w->tms[i];
        T->mmsi[o] = mmsi;
        T->segment[o] = w->seg[i];
        T->lat[o] = w->lat[i];
        T->lon[o] = w->lon[i];
        T->sog_kn[o] = w->sog[i];
        T->cog_deg[o] = w->cog[i];
        T->heading_deg[o] = p->heading_deg;
        T->source_id[o] = p->source_id;
        T->nav_status[o] = p->nav_status;
        T->msg_type[o] = p->msg_type;
    }
    pt->n += n;
    for (uint32_t sgi = 0; sgi < nv; sgi++) {
        aw_vessel *v = &pt->vessels[vfirst + sgi];
        if (v->count) {
            v->first_seen_ms = T->time_ms[pt->base + v->first];
            v->last_seen_ms = T->time_ms[pt->base + v->first + v->count - 1];
        }
    }

    /* Static reports in time order; each goes to the segment with the position
     * nearest in time (the static reports of an MMSI shared by two ships are split
     * between them this way). */
    for (size_t i = 0; i < nob; i++) w->okeys[i] = (tkey){mobs[i]->time_ms, (uint32_t)i};
    sort_runs(w->okeys, w->otmp, nob);
    for (size_t i = 0; i < nob; i++) {
        const aw_static_obs *o = mobs[w->okeys[i].row];
        uint32_t best = 0;
        int64_t best_d = INT64_MAX;
        for (uint32_t c = 0; c < nv && nv > 1; c++) {
            const aw_vessel *x = &pt->vessels[vfirst + c];
            if (!x->count) continue;
            int64_t d = 0;
            if (o->time_ms == AW_TIME_NONE) d = INT64_MAX; /* untimed (a caller's): the first segment */
            else if (o->time_ms < x->first_seen_ms) d = x->first_seen_ms - o->time_ms;
            else if (o->time_ms > x->last_seen_ms) d = o->time_ms - x->last_seen_ms;
            if (d < best_d) best_d = d, best = c;
        }
        w->best[i] = best;
        w->obs[i] = o;
    }
    memset(w->seg_count, 0, (nv + 1) * sizeof *w->seg_count);
    for (size_t i = 0; i < nob; i++) w->seg_count[w->best[i] + 1]++;
    for (uint32_t sgi = 0; sgi < nv; sgi++) w->seg_count[sgi + 1] += w->seg_count[sgi];
    for (size_t i = 0; i < nob; i++) w->obs_sorted[w->seg_count[w->best[i]]++] = w->obs[i];
    for (uint32_t sgi = 0; sgi < nv && !pt->oom; sgi++) {
        size_t end = w->seg_count[sgi], start = sgi ? w->seg_count[sgi - 1] : 0;
        fold_identity(pt, &pt->vessels[vfirst + sgi], w->obs_sorted + start, end - start);
    }
    return !pt->oom;
}

/* Cleans, segments and attaches identities to MMSIs [r0, r1). */
static void *run_part(void *arg) {
    part_job *job = arg;
    const shared *sh = job->sh;
    part *pt = job->pt;
    part_work pw;
    if (!part_work_init(&pw, sh->params)) pt->oom = true;
    size_t released = sh->row_off[pt->r0];
    for (size_t r = pt->r0; r < pt->r1 && !pt->oom && !pt->err[0]; r++) {
        size_t kb = sh->row_off[r], nk = sh->row_off[r + 1] - kb;
        size_t ob = sh->obs_off[r], nob = sh->obs_off[r + 1] - ob;
        if (!part_mmsi(pt, &pw, sh->t, sh->sorted_mmsi[r], sh->rec + kb, nk, sh->obs + ob, nob)) break;
        if (sh->release && (kb + nk - released) * sizeof *sh->rec >= ((size_t)4 << 20)) {
            release(sh->rec + released, (kb + nk - released) * sizeof *sh->rec);
            released = kb + nk;
        }
    }
    part_work_free(&pw);
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

/* Closing the holes duplicates left between the parts, a column per job: a part only
 * moves down, never over rows of the next part not yet moved. */
typedef struct column_move {
    char *col;
    size_t elem;
    const part *parts;
    unsigned nparts;
} column_move;

typedef struct column_moves {
    const column_move *cm;
    size_t ncm, next;
    pthread_mutex_t mu;
} column_moves;

static void *run_moves(void *arg) {
    column_moves *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        size_t c = q->next++;
        pthread_mutex_unlock(&q->mu);
        if (c >= q->ncm) return NULL;
        const column_move *m = &q->cm[c];
        for (unsigned p = 0; p < m->nparts; p++) {
            const part *pt = &m->parts[p];
            if (pt->to != pt->base && pt->n)
                memmove(m->col + pt->to * m->elem, m->col + pt->base * m->elem, pt->n * m->elem);
        }
    }
}

static void run_column_moves(const column_move *cm, size_t ncm, unsigned threads) {
    column_moves q = {.cm = cm, .ncm = ncm};
    pthread_mutex_init(&q.mu, NULL);
    run_threads(run_moves, &q, 0, threads); /* every thread takes columns from q */
    pthread_mutex_destroy(&q.mu);
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

/* Room for n records in *p (growing *cap to at least n, with `extra` more); false when
 * memory runs out (*p is kept). */
static bool fit_recs(prec **p, size_t *cap, size_t n, size_t extra) {
    if (n <= *cap) return true;
    prec *q = realloc(*p, (n + extra) * sizeof *q);
    if (!q) return false;
    *p = q, *cap = n + extra;
    return true;
}

/* The second step of the radix sort: buckets [b0, b1) each sorted by exact rank. */
typedef struct bucket_job {
    prec *rec;
    const size_t *row_off;
    size_t nm;
    unsigned shift;
    size_t b0, b1;
    bool oom;
} bucket_job;

static void *run_buckets(void *arg) {
    bucket_job *j = arg;
    prec *tmp = NULL;
    size_t cap = 0, *cur = NULL, cap_cur = 0;
    for (size_t b = j->b0; b < j->b1; b++) {
        size_t r0 = b << j->shift, r1 = (b + 1) << j->shift;
        if (r1 > j->nm) r1 = j->nm;
        if (r0 >= r1) continue;
        size_t lo = j->row_off[r0], hi = j->row_off[r1], n = hi - lo;
        if (n < 2 || r1 - r0 < 2) continue;
        if (!fit_recs(&tmp, &cap, n, 0)) {
            j->oom = true;
            break;
        }
        if (r1 - r0 > cap_cur) {
            size_t *c = realloc(cur, (r1 - r0) * sizeof *c);
            if (!c) {
                j->oom = true;
                break;
            }
            cur = c, cap_cur = r1 - r0;
        }
        for (size_t r = r0; r < r1; r++) cur[r - r0] = j->row_off[r] - lo;
        const prec *src = j->rec + lo;
        for (size_t i = 0; i < n; i++) tmp[cur[src[i].rank - r0]++] = src[i];
        memcpy(j->rec + lo, tmp, n * sizeof *tmp);
    }
    free(tmp);
    free(cur);
    return NULL;
}

/* Positions tracks cannot use, by reason. */
typedef struct dropped {
    uint64_t untimed, not_available, out_of_range;
} dropped;

/* True for a usable position; otherwise counts it under its reason. */
static inline bool usable_position(dropped *d, int64_t time_ms, int32_t lat, int32_t lon) {
    if (time_ms == INT64_MIN) return d->untimed++, false;
    if (lat == AW_LAT_NA || lon == AW_LON_NA) return d->not_available++, false;
    if (lat > 90 * 600000 || lat < -90 * 600000 || lon > 180 * 600000 || lon < -180 * 600000 ||
        (lat == 0 && lon == 0))
        return d->out_of_range++, false;
    return true;
}

static void add_dropped(aw_track_stats *st, const dropped *d) {
    st->untimed += d->untimed;
    st->not_available += d->not_available;
    st->out_of_range += d->out_of_range;
}

/* The first pass, on a range [g0, g1) of the rows in input order (across blocks):
 * counts the unusable reports and gives each usable row's MMSI an id of this range's
 * own (rid), with its row count; run_scatter then writes the rows as records. */
typedef struct count_job {
    aw_columns *blocks;
    size_t nblocks;
    uint32_t *rid;
    size_t g0, g1;
    mmsi_index h;
    size_t *count, cap_count;
    uint32_t *to_global; /* this range's id -> rank, once joined */
    size_t nk;
    dropped drop;
    prec *rec;
    size_t *cursor; /* by bucket: where this range's next record goes */
    unsigned shift;
    bool consume, oom;
} count_job;

/* The rows [lo, hi) of a block of n rows, whose first is row gb of the whole, that lie
 * in the job's range. */
static bool block_piece(const count_job *cj, size_t gb, size_t n, size_t *lo, size_t *hi) {
    *lo = cj->g0 > gb ? cj->g0 - gb : 0;
    *hi = cj->g1 > gb ? (cj->g1 - gb < n ? cj->g1 - gb : n) : 0;
    return *lo < *hi;
}

static void *run_count(void *arg) {
    count_job *cj = arg;
    for (size_t b = 0, gb = 0; b < cj->nblocks; gb += cj->blocks[b++].n) {
        aw_columns *pos = &cj->blocks[b];
        size_t lo, hi;
        if (!block_piece(cj, gb, pos->n, &lo, &hi)) continue;
        uint32_t *ids = cj->rid + gb;
        for (size_t i = lo; i < hi; i++) {
            ids[i] = NO_ID;
            if (usable_position(&cj->drop, pos->time_ms[i], pos->lat[i], pos->lon[i])) {
                uint32_t id = index_get(&cj->h, pos->mmsi[i]);
                if (id == NO_ID || grow_counts(&cj->count, &cj->cap_count, cj->h.n) < 0) {
                    cj->oom = true;
                    return NULL;
                }
                ids[i] = id;
                cj->count[id]++;
                cj->nk++;
            }
        }
    }
    return NULL;
}

static void *run_scatter(void *arg) {
    count_job *cj = arg;
    const size_t slab = (size_t)1 << 20;
    const uint32_t *rank = cj->to_global;
    for (size_t b = 0, gb = 0; b < cj->nblocks; gb += cj->blocks[b++].n) {
        aw_columns *pos = &cj->blocks[b];
        size_t lo, hi;
        if (!block_piece(cj, gb, pos->n, &lo, &hi)) continue;
        uint32_t *ids = cj->rid + gb;
        for (size_t i0 = lo; i0 < hi; i0 += slab) {
            size_t i1 = i0 + slab < hi ? i0 + slab : hi;
            for (size_t i = i0; i < i1; i++) {
                if (ids[i] == NO_ID) continue;
                uint32_t r = rank[ids[i]];
                cj->rec[cj->cursor[r >> cj->shift]++] = (prec){
                    .time_ms = pos->time_ms[i], .lat = pos->lat[i], .lon = pos->lon[i], .rank = r,
                    .sog_dkn = pos->sog_dkn[i], .cog_ddeg = pos->cog_ddeg[i], .heading_deg = pos->heading_deg[i],
                    .source_id = pos->source_id[i], .msg_type = pos->msg_type[i], .nav_status = pos->nav_status[i],
                    .second = pos->second[i]};
            }
            /* Only pages wholly inside this range's rows go: a neighbour may still read
             * the page they share. */
            if (cj->consume) {
#define RELEASE_COL(field) release(pos->field + i0, (i1 - i0) * sizeof *pos->field)
                RELEASE_COL(time_ms); RELEASE_COL(mmsi); RELEASE_COL(lat); RELEASE_COL(lon); RELEASE_COL(sog_dkn);
                RELEASE_COL(cog_ddeg); RELEASE_COL(heading_deg); RELEASE_COL(msg_type); RELEASE_COL(nav_status);
                RELEASE_COL(second); RELEASE_COL(source_id);
#undef RELEASE_COL
                release(ids + i0, (i1 - i0) * sizeof *ids);
            }
        }
    }
    return NULL;
}

/* The parts' results joined into t (its columns hold nk rows, each part's from its
 * base): vessels and histories end to end, rows moved down over the duplicates' holes.
 * The parts' own lists are freed. 0, or -1 with err set when a part failed or memory ran
 * out. */
static int join_parts(aw_tracks *t, part *parts, unsigned nparts, size_t nk, unsigned threads, char *err,
                      size_t errcap) {
    for (unsigned p = 0; p < nparts; p++) {
        if (parts[p].err[0]) {
            snprintf(err, errcap, "%s", parts[p].err);
            return -1;
        }
        if (parts[p].oom) return -1;
    }

    /* The parts, end to end: each part wrote from its first row's input place, and kept
     * at most that many rows, so closing the holes left by duplicates moves rows down
     * only. */
    size_t n = 0, nv = 0, nh = 0;
    for (unsigned p = 0; p < nparts; p++) {
        n += parts[p].n, nv += parts[p].nvessels, nh += parts[p].nhistory;
        t->stats.duplicates += parts[p].duplicates;
        t->stats.mmsis += parts[p].mmsis;
        t->stats.segments += parts[p].segments;
    }
    t->vessels = malloc((nv ? nv : 1) * sizeof *t->vessels);
    t->history = malloc((nh ? nh : 1) * sizeof *t->history);
    if (!t->vessels || !t->history) return -1;
    size_t ro = 0, vo = 0, ho = 0;
    for (unsigned p = 0; p < nparts; p++) {
        part *pt = &parts[p];
        for (size_t i = 0; i < pt->nvessels; i++) {
            aw_vessel v = pt->vessels[i];
            v.first += ro;
            v.hist_first += ho;
            t->vessels[vo + i] = v;
        }
        if (pt->nhistory) memcpy(t->history + ho, pt->history, pt->nhistory * sizeof *pt->history);
        pt->to = ro;
        ro += pt->n, vo += pt->nvessels, ho += pt->nhistory;
        free(pt->vessels), free(pt->history);
        pt->vessels = NULL, pt->history = NULL;
    }
    /* The columns side by side: each a few hundred MB to move at 10 M rows. */
    column_move cm[] = {
#define COL(field) {(char *)t->field, sizeof *t->field, parts, nparts}
        COL(time_ms), COL(mmsi), COL(segment), COL(lat), COL(lon), COL(sog_kn), COL(cog_deg),
        COL(heading_deg), COL(source_id), COL(nav_status), COL(msg_type),
#undef COL
    };
    if (nparts > 1) run_column_moves(cm, sizeof cm / sizeof *cm, threads);
    if (n < nk) {
#define SHRINK(field)                                                        \
    do {                                                                     \
        void *p_ = realloc(t->field, (n ? n : 1) * sizeof *t->field);        \
        if (p_) t->field = p_;                                               \
    } while (0)
        SHRINK(time_ms); SHRINK(mmsi); SHRINK(segment); SHRINK(lat); SHRINK(lon); SHRINK(sog_kn); SHRINK(cog_deg);
        SHRINK(heading_deg); SHRINK(source_id); SHRINK(nav_status); SHRINK(msg_type);
#undef SHRINK
    }
    t->n = n;
    t->nvessels = nv;
    t->nhistory = nh;
    t->stats.positions = t->n;
    return 0;
}

/* A build's start: the parameters to use (the defaults, kept in *defaults, when none are
 * given), an empty result and an empty message. */
static const aw_track_params *start_build(const aw_track_params *params, aw_track_params *defaults, aw_tracks *t,
                                          char *err, size_t errcap) {
    if (!params) {
        aw_track_params_default(defaults);
        params = defaults;
    }
    memset(t, 0, sizeof *t);
    if (errcap) err[0] = 0;
    return params;
}

static void free_blocks(aw_columns *blocks, size_t nblocks, bool consume) {
    if (consume)
        for (size_t b = 0; b < nblocks; b++) aw_columns_free(&blocks[b]);
}

static int build(aw_columns *blocks, size_t nblocks, bool consume, const aw_static_block *oblocks, size_t noblocks,
                 const aw_track_params *params, aw_tracks *t, char *err, size_t errcap) {
    aw_track_params defaults;
    params = start_build(params, &defaults, t, err, errcap);
    size_t npos = 0;
    for (size_t b = 0; b < nblocks; b++) npos += blocks[b].n;
    size_t nobs = 0;
    for (size_t b = 0; b < noblocks; b++) nobs += oblocks[b].n;
    t->stats.positions_in = npos;
    t->stats.static_reports = nobs;
    if (npos >= UINT32_MAX || nobs >= UINT32_MAX) {
        snprintf(err, errcap, "more than 4294967294 positions or static reports in one run");
        free_blocks(blocks, nblocks, consume);
        return -1;
    }
    int rc = -1;
    mmsi_index h = {0};
    uint32_t *rid = malloc((npos ? npos : 1) * sizeof *rid), *oid = malloc((nobs ? nobs : 1) * sizeof *oid);
    size_t *count = NULL, *ocount = NULL, cap_count = 0, cap_ocount = 0, *cursor = NULL;
    mmsi_rank *ranks = NULL;
    uint32_t *rank_of = NULL, *sorted_mmsi = NULL;
    const aw_static_obs **obs_perm = NULL;
    size_t *row_off = NULL, *obs_off = NULL;
    prec *rec = MAP_FAILED;
    size_t rec_bytes = 0;
    part *parts = NULL;
    unsigned nparts = 0;
    count_job *cjobs = NULL;
    unsigned ncj = 0;
    if (!rid || !oid || index_init(&h, 4096) < 0) goto out;

    unsigned threads = params->threads ? params->threads : online_cores();
    if (threads > 64) threads = 64;

    /* Clean while counting, on all cores: each thread takes a range of rows in input
     * order and gives their MMSIs ids of its own; the ids are joined below. */
    ncj = threads;
    if ((size_t)ncj > npos / 65536 + 1) ncj = (unsigned)(npos / 65536 + 1);
    cjobs = calloc(ncj, sizeof *cjobs);
    if (!cjobs) goto out;
    for (unsigned j = 0; j < ncj; j++) {
        cjobs[j] = (count_job){.blocks = blocks, .nblocks = nblocks, .rid = rid, .g0 = npos * j / ncj,
                               .g1 = npos * (j + 1) / ncj};
        if (index_init(&cjobs[j].h, 4096) < 0) goto out;
    }
    run_threads(run_count, cjobs, sizeof *cjobs, ncj);
    size_t nk = 0;
    for (unsigned j = 0; j < ncj; j++) {
        count_job *cj = &cjobs[j];
        if (cj->oom) goto out;
        add_dropped(&t->stats, &cj->drop);
        nk += cj->nk;
        if (!(cj->to_global = malloc((cj->h.n ? cj->h.n : 1) * sizeof *cj->to_global))) goto out;
        for (size_t k = 0; k <= cj->h.mask; k++) {
            if (cj->h.key[k] == NO_ID) continue;
            uint32_t id = index_get(&h, cj->h.key[k]);
            if (id == NO_ID || grow_counts(&count, &cap_count, h.n) < 0) goto out;
            cj->to_global[cj->h.id[k]] = id;
            count[id] += cj->count[cj->h.id[k]];
        }
    }
    for (size_t b = 0, i = 0; b < noblocks; b++) {
        for (size_t k = 0; k < oblocks[b].n; k++, i++) {
            uint32_t id = index_get(&h, oblocks[b].v[k].mmsi);
            if (id == NO_ID || grow_counts(&ocount, &cap_ocount, h.n) < 0) goto out;
            oid[i] = id;
            ocount[id]++;
        }
    }
    size_t nm = h.n;
    if (grow_counts(&count, &cap_count, nm + 1) < 0 || grow_counts(&ocount, &cap_ocount, nm + 1) < 0) goto out;
    ranks = malloc((nm ? nm : 1) * sizeof *ranks);
    rank_of = malloc((nm ? nm : 1) * sizeof *rank_of);
    sorted_mmsi = malloc((nm ? nm : 1) * sizeof *sorted_mmsi);
    row_off = malloc((nm + 1) * sizeof *row_off);
    obs_off = malloc((nm + 1) * sizeof *obs_off);
    obs_perm = malloc((nobs ? nobs : 1) * sizeof *obs_perm);
    if (!ranks || !rank_of || !sorted_mmsi || !row_off || !obs_off || !obs_perm) goto out;
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
    for (size_t r = 0; r < nm; r++) ocount[r] = obs_off[r];
    for (size_t b = 0, i = 0; b < noblocks; b++)
        for (size_t k = 0; k < oblocks[b].n; k++, i++) obs_perm[ocount[rank_of[oid[i]]]++] = &oblocks[b].v[k];
    free(oid), oid = NULL;

    /* Rows into the buckets of their rank's high bits (at most 4096 buckets), each
     * thread its rows after those of the threads before it: input order is kept. */
    unsigned shift = 0;
    while ((nm >> shift) > 4096) shift++;
    size_t nbuckets = nm ? ((nm - 1) >> shift) + 1 : 0;
    cursor = calloc((nbuckets + 1) * ncj, sizeof *cursor);
    rec_bytes = (nk ? nk : 1) * sizeof *rec;
    rec = mmap(NULL, rec_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!cursor || rec == MAP_FAILED) goto out;
    for (unsigned j = 0; j < ncj; j++) {
        count_job *cj = &cjobs[j];
        size_t *cur = cursor + (size_t)j * (nbuckets + 1);
        for (size_t l = 0; l < cj->h.n; l++) {
            uint32_t r = rank_of[cj->to_global[l]];
            cj->to_global[l] = r; /* from here on: the rank */
            cur[r >> shift] += cj->count[l];
        }
    }
    for (size_t b = 0; b < nbuckets; b++) {
        size_t at = row_off[b << shift];
        for (unsigned j = 0; j < ncj; j++) {
            size_t *c = &cursor[(size_t)j * (nbuckets + 1) + b], n = *c;
            *c = at;
            at += n;
        }
    }
    for (unsigned j = 0; j < ncj; j++) {
        cjobs[j].rec = rec;
        cjobs[j].cursor = cursor + (size_t)j * (nbuckets + 1);
        cjobs[j].shift = shift;
        cjobs[j].consume = consume;
    }
    run_threads(run_scatter, cjobs, sizeof *cjobs, ncj);
    if (consume)
        for (size_t b = 0; b < nblocks; b++) aw_columns_free(&blocks[b]);
    free(rid), rid = NULL;

    if (shift > 0) {
        bucket_job bj[64];
        unsigned nb = threads < nbuckets ? threads : (unsigned)nbuckets;
        for (unsigned j = 0; j < nb; j++)
            bj[j] = (bucket_job){rec, row_off, nm, shift, nbuckets * j / nb, nbuckets * (j + 1) / nb, false};
        run_threads(run_buckets, bj, sizeof *bj, nb);
        for (unsigned j = 0; j < nb; j++)
            if (bj[j].oom) goto out;
    }

    /* Parts of about equal row counts, cut between MMSIs. */
    if (threads > nm) threads = nm ? (unsigned)nm : 1;
    parts = calloc(threads, sizeof *parts);
    part_job *jobs = calloc(threads, sizeof *jobs);
    if (!parts || !jobs) {
        free(jobs);
        goto out;
    }
    nparts = threads;
#define ALLOC(field) (t->field = malloc((nk ? nk : 1) * sizeof *t->field)) != NULL
    if (!(ALLOC(time_ms) && ALLOC(mmsi) && ALLOC(segment) && ALLOC(lat) && ALLOC(lon) && ALLOC(sog_kn) &&
          ALLOC(cog_deg) && ALLOC(heading_deg) && ALLOC(source_id) && ALLOC(nav_status) && ALLOC(msg_type))) {
        free(jobs);
        goto out;
    }
#undef ALLOC
    shared sh = {.t = t, .rec = rec, .release = true, .params = params, .sorted_mmsi = sorted_mmsi, .row_off = row_off,
                 .obs_off = obs_off, .obs = obs_perm};
    size_t r = 0;
    for (unsigned p = 0; p < nparts; p++) {
        parts[p].r0 = r;
        size_t target = nk / nparts * (p + 1);
        if (p == nparts - 1) r = nm;
        else
            while (r < nm && row_off[r + 1] <= target) r++;
        parts[p].r1 = r;
        parts[p].base = row_off[parts[p].r0];
        jobs[p] = (part_job){&sh, &parts[p]};
    }
    run_threads(run_part, jobs, sizeof *jobs, nparts);
    free(jobs);
    munmap(rec, rec_bytes), rec = MAP_FAILED;
    rc = join_parts(t, parts, nparts, nk, threads, err, errcap);
out:
    if (rc < 0 && !err[0]) snprintf(err, errcap, "out of memory building tracks");
    for (unsigned p = 0; p < nparts; p++) free(parts[p].vessels), free(parts[p].history);
    free(parts);
    for (unsigned j = 0; cjobs && j < ncj; j++)
        free(cjobs[j].h.key), free(cjobs[j].h.id), free(cjobs[j].count), free(cjobs[j].to_global);
    free(cjobs);
    free(h.key), free(h.id);
    free(rid), free(oid), free(count), free(ocount), free(ranks), free(rank_of), free(sorted_mmsi);
    free(row_off), free(obs_off), free((void *)obs_perm), free(cursor);
    if (rec != MAP_FAILED) munmap(rec, rec_bytes);
    free_blocks(blocks, nblocks, consume);
    if (rc < 0) aw_tracks_free(t);
    return rc;
}

/* ---- records bucketed at the push (recs.h) ---------------------------------------------
 * A store holds chunks of REC_CHUNK records in one growing mapping; each bucket (the
 * MMSI's high bits) is a list of chunks. The build gathers a bucket's chunks, store after
 * store, into a scratch, sorts it by MMSI (stable: each MMSI's rows keep their order)
 * and does the per-MMSI work there; a chunk's pages are given back once gathered. */

#define REC_SHIFT 16                 /* MMSIs have 30 bits: 16384 buckets of 65536 MMSIs */
#define REC_BUCKETS ((size_t)1 << (30 - REC_SHIFT))
#define REC_LOW_MASK (((uint32_t)1 << REC_SHIFT) - 1)
#define REC_CHUNK 8192               /* records a chunk: 256 KiB, whole pages; a bucket's last
                                        one is touched only as far as it is filled */
#define NO_CHUNK UINT32_MAX

struct aw_rec_store {
    prec *arena;                     /* chunk c at arena + c * REC_CHUNK */
    uint32_t *next;                  /* chunk -> the next chunk of its bucket */
    size_t nchunks, cap_chunks;
    uint32_t head[REC_BUCKETS], tail[REC_BUCKETS], fill[REC_BUCKETS];
    size_t count[REC_BUCKETS];
    uint64_t in;                     /* position reports pushed, usable or not */
    dropped drop;
    bool oom;
};

aw_rec_store *aw_recs_new(void) {
    aw_rec_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    for (size_t b = 0; b < REC_BUCKETS; b++) s->head[b] = s->tail[b] = NO_CHUNK;
    return s;
}

static void recs_release(aw_rec_store *s) {
    aw_array_free(s->arena, s->cap_chunks * REC_CHUNK * sizeof *s->arena, true);
    free(s->next);
    s->arena = NULL, s->next = NULL;
    s->nchunks = s->cap_chunks = 0;
    for (size_t b = 0; b < REC_BUCKETS; b++) s->head[b] = s->tail[b] = NO_CHUNK, s->fill[b] = 0, s->count[b] = 0;
}

void aw_recs_free(aw_rec_store *s) {
    if (!s) return;
    recs_release(s);
    free(s);
}

static bool recs_new_chunk(aw_rec_store *s, size_t b) {
    if (s->nchunks == s->cap_chunks) {
        size_t cap = s->cap_chunks ? s->cap_chunks * 2 : 64;
        if (cap >= NO_CHUNK) return false;
        size_t bytes = REC_CHUNK * sizeof *s->arena;
        uint32_t *nx = realloc(s->next, cap * sizeof *nx); /* first: a bigger list alone is harmless */
        if (!nx) return false;
        s->next = nx;
        prec *a = s->arena ? aw_map_grow(s->arena, s->nchunks * bytes, s->cap_chunks * bytes, cap * bytes)
                           : aw_map_new(cap * bytes);
        if (!a) return false;
        s->arena = a;
        s->cap_chunks = cap;
    }
    uint32_t c = (uint32_t)s->nchunks++;
    s->next[c] = NO_CHUNK;
    if (s->tail[b] == NO_CHUNK) s->head[b] = c;
    else s->next[s->tail[b]] = c;
    s->tail[b] = c;
    s->fill[b] = 0;
    return true;
}

int aw_recs_push(aw_rec_store *s, const aw_msg *m, const aw_msg_meta *meta, uint16_t source_id) {
    aw_pos_fields f;
    if (!aw_pos_fields_of(m, &f)) return 0;
    s->in++;
    int64_t time_ms = meta ? meta->time_ms : AW_TIME_NONE;
    if (!usable_position(&s->drop, time_ms, f.lat, f.lon)) return 0;
    size_t b = (m->mmsi >> REC_SHIFT) & (REC_BUCKETS - 1);
    if ((s->tail[b] == NO_CHUNK || s->fill[b] == REC_CHUNK) && !recs_new_chunk(s, b)) {
        s->oom = true;
        return -1;
    }
    s->arena[(size_t)s->tail[b] * REC_CHUNK + s->fill[b]++] = (prec){
        .time_ms = time_ms, .lat = f.lat, .lon = f.lon, .rank = m->mmsi, .sog_dkn = f.sog_dkn,
        .cog_ddeg = f.cog_ddeg, .heading_deg = f.heading_deg, .source_id = source_id, .msg_type = m->msg_type,
        .nav_status = f.nav_status, .second = f.second};
    s->count[b]++;
    return 0;
}

/* A static report's MMSI and its place in input order. */
typedef struct obs_key {
    uint32_t mmsi, i;
} obs_key;

/* k[0..n) sorted by MMSI, stably (two 15-bit passes), using tmp[0..n). False when
 * memory runs out. */
static bool sort_obs_keys(obs_key *k, obs_key *tmp, size_t n) {
    size_t *cnt = malloc(((size_t)1 << 15) * sizeof *cnt);
    if (!cnt) return false;
    obs_key *src = k, *dst = tmp;
    for (unsigned shift = 0; shift < 30; shift += 15) {
        memset(cnt, 0, ((size_t)1 << 15) * sizeof *cnt);
        for (size_t i = 0; i < n; i++) cnt[(src[i].mmsi >> shift) & 0x7fff]++;
        size_t at = 0;
        for (size_t d = 0; d < ((size_t)1 << 15); d++) {
            size_t c = cnt[d];
            cnt[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) dst[cnt[(src[i].mmsi >> shift) & 0x7fff]++] = src[i];
        obs_key *x = src;
        src = dst, dst = x;
    }
    free(cnt);
    return true; /* two passes: the result is back in k */
}

typedef struct recs_shared {
    aw_rec_store *const *stores;
    size_t nstores;
    const size_t *bucket_rows;          /* by bucket, over all stores */
    const obs_key *okeys;               /* static reports by MMSI */
    const aw_static_obs *const *obs;    /* by input order */
    size_t nobs;
    aw_tracks *t;
    const aw_track_params *params;
} recs_shared;

typedef struct recs_job {
    const recs_shared *sh;
    part *pt;
    size_t b0, b1;                      /* buckets */
} recs_job;

/* The per-MMSI work of buckets [b0, b1), and of the static reports' MMSIs among them. */
static void *run_part_recs(void *arg) {
    recs_job *job = arg;
    const recs_shared *sh = job->sh;
    part *pt = job->pt;
    part_work pw;
    bool ready = part_work_init(&pw, sh->params);
    prec *sorted = NULL, *gather = NULL; /* gather: room to put one MMSI's rows input by input */
    size_t cap = 0, cap_gather = 0;
    uint32_t *low_id = calloc(REC_LOW_MASK + 1, sizeof *low_id); /* MMSI's low bits -> id + 1 */
    uint32_t *counts = NULL, *mmsis = NULL;
    const aw_static_obs **mobs = NULL;
    size_t cap_m = 0, cap_obs = 0;
    if (!ready || !low_id) pt->oom = true;
    /* The first static report at or after the part's first bucket. */
    size_t oi = 0, lo = 0, hi = sh->nobs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((sh->okeys[mid].mmsi >> REC_SHIFT) < job->b0) lo = mid + 1;
        else hi = mid;
    }
    oi = lo;
    for (size_t b = job->b0; b < job->b1 && !pt->oom && !pt->err[0]; b++) {
        size_t n = sh->bucket_rows[b];
        size_t oe = oi;
        while (oe < sh->nobs && (sh->okeys[oe].mmsi >> REC_SHIFT) == b) oe++;
        if (!n && oe == oi) continue;
        if (!fit_recs(&sorted, &cap, n, n / 2)) {
            pt->oom = true;
            break;
        }
        /* The bucket's MMSIs, each given an id at first sight (a table indexed by the
         * MMSI's low bits, cleared after the bucket) and counted: chunks are read store
         * after store, each in push order, which is the order the rows keep. */
        size_t nm = 0;
        for (size_t k = 0; k < sh->nstores && !pt->oom; k++) {
            const aw_rec_store *s = sh->stores[k];
            for (uint32_t c = s->head[b]; c != NO_CHUNK; c = s->next[c]) {
                size_t m = c == s->tail[b] ? s->fill[b] : REC_CHUNK;
                const prec *src = s->arena + (size_t)c * REC_CHUNK;
                for (size_t i = 0; i < m; i++) {
                    uint32_t *slot = &low_id[src[i].rank & REC_LOW_MASK];
                    if (!*slot) {
                        if (nm == cap_m) {
                            size_t cm = cap_m ? cap_m * 2 : 256;
                            uint32_t *cn = realloc(counts, cm * sizeof *cn), *mm = cn ? realloc(mmsis, cm * sizeof *mm) : NULL;
                            if (cn) counts = cn;
                            if (mm) mmsis = mm;
                            if (!cn || !mm) {
                                pt->oom = true;
                                break;
                            }
                            cap_m = cm;
                        }
                        mmsis[nm] = src[i].rank;
                        counts[nm] = 0;
                        *slot = (uint32_t)++nm;
                    }
                    counts[*slot - 1]++;
                }
                if (pt->oom) break;
            }
        }
        mmsi_rank *ord = pt->oom ? NULL : malloc((nm ? nm : 1) * sizeof *ord);
        uint32_t *start = ord ? malloc((nm ? nm : 1) * sizeof *start) : NULL;
        if (!ord || !start) {
            free(ord), free(start);
            for (size_t j = 0; j < nm; j++) low_id[mmsis[j] & REC_LOW_MASK] = 0;
            pt->oom = true;
            break;
        }
        /* In MMSI order (few per bucket), then each row straight to its MMSI's place;
         * a chunk's pages go back once it is read for the last time. */
        for (size_t j = 0; j < nm; j++) ord[j] = (mmsi_rank){mmsis[j], (uint32_t)j};
        qsort(ord, nm, sizeof *ord, cmp_rank);
        uint32_t at = 0;
        for (size_t j = 0; j < nm; j++) {
            start[ord[j].id] = at;
            at += counts[ord[j].id];
        }
        for (size_t k = 0; k < sh->nstores; k++) {
            const aw_rec_store *s = sh->stores[k];
            for (uint32_t c = s->head[b]; c != NO_CHUNK; c = s->next[c]) {
                size_t m = c == s->tail[b] ? s->fill[b] : REC_CHUNK;
                prec *src = s->arena + (size_t)c * REC_CHUNK;
                for (size_t i = 0; i < m; i++) sorted[start[low_id[src[i].rank & REC_LOW_MASK] - 1]++] = src[i];
                (void)madvise(src, (m * sizeof *src + 4095) & ~(size_t)4095, MADV_DONTNEED);
            }
        }
        for (size_t j = 0; j < nm; j++) low_id[mmsis[j] & REC_LOW_MASK] = 0;
        /* MMSI by MMSI, the static reports' own MMSIs among them, in MMSI order. */
        size_t j = 0, r = 0;
        while ((j < nm || oi < oe) && !pt->oom && !pt->err[0]) {
            uint32_t pm = j < nm ? ord[j].mmsi : UINT32_MAX, om = oi < oe ? sh->okeys[oi].mmsi : UINT32_MAX;
            uint32_t mmsi = pm < om ? pm : om;
            size_t nk = 0;
            if (pm == mmsi) nk = counts[ord[j++].id];
            size_t nob = 0;
            while (oi + nob < oe && sh->okeys[oi + nob].mmsi == mmsi) nob++;
            if (nob > cap_obs) {
                const aw_static_obs **x = realloc((void *)mobs, nob * sizeof *x);
                if (!x) {
                    pt->oom = true;
                    break;
                }
                mobs = x, cap_obs = nob;
            }
            for (size_t q = 0; q < nob; q++) mobs[q] = sh->obs[sh->okeys[oi + q].i];
            oi += nob;
            /* Rows are gathered worker by worker, each worker's over all inputs: put them
             * input by input (stably), so that ties in time keep the inputs' order. */
            prec *rec = sorted + r;
            bool mixed = false;
            for (size_t i = 1; i < nk && !mixed; i++) mixed = rec[i].source_id != rec[0].source_id;
            if (mixed) {
                if (!fit_recs(&gather, &cap_gather, nk, 0) || !scratch_fit(&pw.w, nk, 0)) {
                    pt->oom = true;
                    break;
                }
                for (size_t i = 0; i < nk; i++) pw.w.keys[i] = (tkey){rec[i].source_id, (uint32_t)i};
                sort_runs(pw.w.keys, pw.w.tmp, nk);
                for (size_t i = 0; i < nk; i++) gather[i] = rec[pw.w.keys[i].row];
                memcpy(rec, gather, nk * sizeof *rec);
            }
            if (!part_mmsi(pt, &pw, sh->t, mmsi, rec, nk, mobs, nob)) break;
            r += nk;
        }
        free(ord), free(start);
        oi = oe;
    }
    free(gather), free(sorted), free(counts), free(mmsis), free((void *)mobs), free(low_id);
    part_work_free(&pw);
    return NULL;
}

int aw_tracks_build_recs(aw_rec_store *const *stores, size_t nstores, const aw_static_block *oblocks,
                         size_t noblocks, const aw_track_params *params, aw_tracks *t, char *err, size_t errcap) {
    aw_track_params defaults;
    params = start_build(params, &defaults, t, err, errcap);
    int rc = -1;
    size_t *bucket_rows = calloc(REC_BUCKETS, sizeof *bucket_rows);
    obs_key *okeys = NULL, *otmp = NULL;
    const aw_static_obs **obs = NULL;
    part *parts = NULL;
    recs_job *jobs = NULL;
    unsigned nparts = 0;
    if (!bucket_rows) goto out;
    size_t npos = 0, nk = 0, nobs = 0;
    bool lost = false;
    for (size_t k = 0; k < nstores; k++) {
        const aw_rec_store *s = stores[k];
        lost |= s->oom;
        npos += s->in;
        add_dropped(&t->stats, &s->drop);
        for (size_t b = 0; b < REC_BUCKETS; b++) bucket_rows[b] += s->count[b];
    }
    for (size_t b = 0; b < REC_BUCKETS; b++) nk += bucket_rows[b];
    for (size_t b = 0; b < noblocks; b++) nobs += oblocks[b].n;
    t->stats.positions_in = npos;
    t->stats.static_reports = nobs;
    if (lost) goto out;
    if (npos >= UINT32_MAX || nobs >= UINT32_MAX) {
        snprintf(err, errcap, "more than 4294967294 positions or static reports in one run");
        goto out;
    }

    /* Static reports by MMSI, each MMSI's in input order. */
    okeys = malloc((nobs ? nobs : 1) * sizeof *okeys);
    otmp = malloc((nobs ? nobs : 1) * sizeof *otmp);
    obs = malloc((nobs ? nobs : 1) * sizeof *obs);
    if (!okeys || !otmp || !obs) goto out;
    for (size_t b = 0, i = 0; b < noblocks; b++)
        for (size_t k = 0; k < oblocks[b].n; k++, i++) {
            obs[i] = &oblocks[b].v[k];
            okeys[i] = (obs_key){oblocks[b].v[k].mmsi, (uint32_t)i};
        }
    if (!sort_obs_keys(okeys, otmp, nobs)) goto out;
    free(otmp), otmp = NULL;

#define ALLOC(field) (t->field = malloc((nk ? nk : 1) * sizeof *t->field)) != NULL
    if (!(ALLOC(time_ms) && ALLOC(mmsi) && ALLOC(segment) && ALLOC(lat) && ALLOC(lon) && ALLOC(sog_kn) &&
          ALLOC(cog_deg) && ALLOC(heading_deg) && ALLOC(source_id) && ALLOC(nav_status) && ALLOC(msg_type)))
        goto out;
#undef ALLOC

    /* Parts of about equal row counts, cut between buckets. */
    unsigned threads = params->threads ? params->threads : online_cores();
    if (threads > 64) threads = 64;
    parts = calloc(threads, sizeof *parts);
    jobs = calloc(threads, sizeof *jobs);
    if (!parts || !jobs) goto out;
    nparts = threads;
    recs_shared sh = {stores, nstores, bucket_rows, okeys, obs, nobs, t, params};
    size_t b = 0, row = 0;
    for (unsigned p = 0; p < nparts; p++) {
        size_t target = nk / nparts * (p + 1);
        jobs[p] = (recs_job){&sh, &parts[p], b, b};
        parts[p].base = row;
        if (p == nparts - 1) b = REC_BUCKETS, row = nk;
        else
            while (b < REC_BUCKETS && row + bucket_rows[b] <= target) row += bucket_rows[b++];
        jobs[p].b1 = b;
    }
    run_threads(run_part_recs, jobs, sizeof *jobs, nparts);
    for (size_t k = 0; k < nstores; k++) recs_release(stores[k]);
    rc = join_parts(t, parts, nparts, nk, threads, err, errcap);
out:
    if (rc < 0 && !err[0]) snprintf(err, errcap, "out of memory building tracks");
    for (unsigned p = 0; p < nparts; p++) free(parts[p].vessels), free(parts[p].history);
    free(parts), free(jobs);
    free(bucket_rows), free(okeys), free(otmp), free((void *)obs);
    for (size_t k = 0; rc < 0 && k < nstores; k++) recs_release(stores[k]);
    if (rc < 0) aw_tracks_free(t);
    return rc;
}

int aw_tracks_build(const aw_columns *pos, const aw_static_obs *obs, size_t nobs, const aw_track_params *params,
                    aw_tracks *t, char *err, size_t errcap) {
    aw_static_block ob = {obs, nobs};
    return build((aw_columns *)pos, 1, false, &ob, 1, params, t, err, errcap);
}

int aw_tracks_build_consume(aw_columns *pos, const aw_static_obs *obs, size_t nobs, const aw_track_params *params,
                            aw_tracks *t, char *err, size_t errcap) {
    aw_static_block ob = {obs, nobs};
    return build(pos, 1, true, &ob, 1, params, t, err, errcap);
}

int aw_tracks_build_blocks(aw_columns *blocks, size_t nblocks, const aw_static_block *obs, size_t nobs_blocks,
                           const aw_track_params *params, aw_tracks *t, char *err, size_t errcap) {
    return build(blocks, nblocks, true, obs, nobs_blocks, params, t, err, errcap);
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
