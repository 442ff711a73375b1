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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/segment.h"

static const char *const field_names[AW_ID_COUNT] = {
    "name", "imo", "callsign", "ship_type", "length_m", "beam_m", "draught_m", "destination",
};

const char *aw_id_field_name(aw_id_field f) { return (unsigned)f < AW_ID_COUNT ? field_names[f] : "?"; }

void aw_track_params_default(aw_track_params *p) {
    p->duplicate_window_ms = 30000; /* receivers' clocks and satellite stamping */
    p->max_speed_kn = 0; /* segment.h's default */
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

/* Sort key: a report's MMSI, time and original row (for a stable, total order). */
typedef struct key {
    uint32_t mmsi;
    uint32_t row;
    int64_t time_ms;
} key;

static int cmp_key(const void *a, const void *b) {
    const key *x = a, *y = b;
    if (x->mmsi != y->mmsi) return x->mmsi < y->mmsi ? -1 : 1;
    if (x->time_ms != y->time_ms) return x->time_ms < y->time_ms ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int cmp_obs(const void *a, const void *b) {
    const aw_static_obs *x = *(const aw_static_obs *const *)a, *y = *(const aw_static_obs *const *)b;
    if (x->mmsi != y->mmsi) return x->mmsi < y->mmsi ? -1 : 1;
    if (x->time_ms != y->time_ms) return x->time_ms < y->time_ms ? -1 : 1;
    return x < y ? -1 : x > y;
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

typedef struct builder {
    aw_tracks *t;
    size_t cap_vessels, cap_history;
    bool oom;
} builder;

static aw_vessel *add_vessel(builder *b, uint32_t mmsi, uint32_t segment) {
    aw_tracks *t = b->t;
    if (t->nvessels == b->cap_vessels) {
        size_t cap = b->cap_vessels ? b->cap_vessels * 2 : 1024;
        aw_vessel *v = realloc(t->vessels, cap * sizeof *v);
        if (!v) return b->oom = true, NULL;
        t->vessels = v;
        b->cap_vessels = cap;
    }
    aw_vessel *v = &t->vessels[t->nvessels++];
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    v->segment = segment;
    v->ident.mmsi = mmsi;
    v->ident.time_ms = INT64_MIN;
    v->first_seen_ms = INT64_MAX;
    v->last_seen_ms = INT64_MIN;
    return v;
}

static aw_ident_change *add_change(builder *b) {
    aw_tracks *t = b->t;
    if (t->nhistory == b->cap_history) {
        size_t cap = b->cap_history ? b->cap_history * 2 : 1024;
        aw_ident_change *h = realloc(t->history, cap * sizeof *h);
        if (!h) return b->oom = true, NULL;
        t->history = h;
        b->cap_history = cap;
    }
    return &t->history[t->nhistory++];
}

/* Folds a vessel's static reports (time order) into its current identity and history. */
static void fold_identity(builder *b, aw_vessel *v, const aw_static_obs *const *obs, size_t n) {
    v->hist_first = b->t->nhistory;
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
            run = add_change(b);
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
    v->hist_count = b->t->nhistory - v->hist_first;
}

static int alloc_tracks(aw_tracks *t, size_t n) {
    size_t m = n ? n : 1;
    t->time_ms = malloc(m * sizeof *t->time_ms);
    t->mmsi = malloc(m * sizeof *t->mmsi);
    t->segment = malloc(m * sizeof *t->segment);
    t->lat = malloc(m * sizeof *t->lat);
    t->lon = malloc(m * sizeof *t->lon);
    t->sog_kn = malloc(m * sizeof *t->sog_kn);
    t->cog_deg = malloc(m * sizeof *t->cog_deg);
    t->heading_deg = malloc(m * sizeof *t->heading_deg);
    t->nav_status = malloc(m * sizeof *t->nav_status);
    t->msg_type = malloc(m * sizeof *t->msg_type);
    t->source_id = malloc(m * sizeof *t->source_id);
    return t->time_ms && t->mmsi && t->segment && t->lat && t->lon && t->sog_kn && t->cog_deg && t->heading_deg &&
                   t->nav_status && t->msg_type && t->source_id
               ? 0
               : -1;
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

int aw_tracks_build(const aw_columns *pos, const aw_static_obs *obs, size_t nobs, const aw_track_params *params,
                    aw_tracks *t, char *err, size_t errcap) {
    aw_track_params defaults;
    if (!params) {
        aw_track_params_default(&defaults);
        params = &defaults;
    }
    memset(t, 0, sizeof *t);
    if (errcap) err[0] = 0;
    t->stats.positions_in = pos->n;
    t->stats.static_reports = nobs;
    builder b = {.t = t};
    key *keys = malloc((pos->n ? pos->n : 1) * sizeof *keys);
    const aw_static_obs **sobs = malloc((nobs ? nobs : 1) * sizeof *sobs);
    uint32_t *seg = NULL, *order = NULL;
    const aw_static_obs **scratch = NULL;
    size_t scratch_cap = 0;
    aw_segment_work *work = aw_segment_work_new();
    int rc = -1;
    if (!keys || !sobs || !work || alloc_tracks(t, pos->n) < 0) goto out;

    /* Clean while building the keys: only usable reports are sorted. */
    size_t nk = 0;
    for (size_t i = 0; i < pos->n; i++) {
        int32_t lat = pos->lat[i], lon = pos->lon[i];
        if (pos->time_ms[i] == INT64_MIN) {
            t->stats.untimed++;
        } else if (lat == AW_LAT_NA || lon == AW_LON_NA) {
            t->stats.not_available++;
        } else if (lat > 90 * 600000 || lat < -90 * 600000 || lon > 180 * 600000 || lon < -180 * 600000 ||
                   (lat == 0 && lon == 0)) {
            t->stats.out_of_range++;
        } else {
            keys[nk++] = (key){pos->mmsi[i], (uint32_t)i, pos->time_ms[i]};
        }
    }
    qsort(keys, nk, sizeof *keys, cmp_key);
    for (size_t i = 0; i < nobs; i++) sobs[i] = &obs[i];
    qsort(sobs, nobs, sizeof *sobs, cmp_obs);

    seg = malloc((nk ? nk : 1) * sizeof *seg);
    order = malloc((nk ? nk : 1) * sizeof *order);
    double *lat = malloc((nk ? nk : 1) * sizeof *lat), *lon = malloc((nk ? nk : 1) * sizeof *lon);
    int64_t *tms = malloc((nk ? nk : 1) * sizeof *tms);
    float *sogf = malloc((nk ? nk : 1) * sizeof *sogf), *cogf = malloc((nk ? nk : 1) * sizeof *cogf);
    if (!seg || !order || !lat || !lon || !tms || !sogf || !cogf) {
        free(lat), free(lon), free(tms), free(sogf), free(cogf);
        goto out;
    }

    size_t k = 0, so = 0;
    while (k < nk || so < nobs) {
        /* The next MMSI in either list. */
        uint32_t mmsi = k < nk ? keys[k].mmsi : UINT32_MAX;
        if (so < nobs && sobs[so]->mmsi < mmsi) mmsi = sobs[so]->mmsi;
        size_t kb = k;
        while (k < nk && keys[k].mmsi == mmsi) k++;
        size_t ob = so;
        while (so < nobs && sobs[so]->mmsi == mmsi) so++;

        /* Drop duplicates heard by several receivers. */
        size_t n = 0;
        for (size_t i = kb; i < k; i++) {
            if (n && same_report(pos, keys[i].row, order[n - 1], keys[i].time_ms - tms[n - 1],
                                 params->duplicate_window_ms)) {
                t->stats.duplicates++;
                continue;
            }
            order[n] = keys[i].row;
            tms[n] = keys[i].time_ms;
            lat[n] = pos->lat[keys[i].row] / AW_LATLON_SCALE;
            lon[n] = pos->lon[keys[i].row] / AW_LATLON_SCALE;
            uint16_t sog = pos->sog_dkn[keys[i].row], cog = pos->cog_ddeg[keys[i].row];
            sogf[n] = sog == AW_SPEED_NA ? NAN : sog / 10.0f;
            cogf[n] = cog >= AW_COURSE_NA ? NAN : cog / 10.0f;
            n++;
        }
        uint32_t nseg = 0;
        if (n) {
            aw_segment_params sp;
            aw_segment_params_default(&sp);
            if (params->max_speed_kn > 0) sp.max_speed_kn = params->max_speed_kn;
            int r = aw_segment_track_motion(tms, lat, lon, sogf, cogf, n, &sp, work, seg);
            if (r < 0) {
                snprintf(err, errcap, "segmentation of MMSI %u: %s", mmsi, aw_segment_work_error(work));
                goto out_free;
            }
            nseg = (uint32_t)r;
        }
        t->stats.mmsis++;
        t->stats.segments += nseg ? nseg : 1;

        /* Vessels in segment order, each a contiguous, time-ordered range. */
        size_t vfirst = t->nvessels;
        for (uint32_t s = 0; s < (nseg ? nseg : 1); s++) {
            aw_vessel *v = add_vessel(&b, mmsi, s);
            if (!v) goto out_free;
            v->first = t->n;
            for (size_t i = 0; i < n; i++) {
                if (seg[i] != s) continue;
                uint32_t row = order[i];
                size_t o = t->n++;
                t->time_ms[o] = tms[i];
                t->mmsi[o] = mmsi;
                t->segment[o] = s;
                t->lat[o] = lat[i];
                t->lon[o] = lon[i];
                t->sog_kn[o] = pos->sog_dkn[row] == AW_SPEED_NA ? NAN : pos->sog_dkn[row] / 10.0f;
                t->cog_deg[o] = pos->cog_ddeg[row] >= AW_COURSE_NA ? NAN : pos->cog_ddeg[row] / 10.0f;
                t->heading_deg[o] = pos->heading_deg[row];
                t->nav_status[o] = pos->nav_status[row];
                t->msg_type[o] = pos->msg_type[row];
                t->source_id[o] = pos->source_id[row];
            }
            v->count = t->n - v->first;
            if (v->count) {
                v->first_seen_ms = t->time_ms[v->first];
                v->last_seen_ms = t->time_ms[v->first + v->count - 1];
            }
        }
        /* Each static report goes to the segment with the position nearest in time (the
         * static reports of an MMSI shared by two ships are split between them this way). */
        size_t nv = t->nvessels - vfirst, nob = so - ob;
        if (nob > scratch_cap) {
            const aw_static_obs **p2 = realloc(scratch, nob * sizeof *p2);
            if (!p2) goto out_free;
            scratch = p2;
            scratch_cap = nob;
        }
        for (uint32_t s = 0; s < nv; s++) {
            size_t cnt = 0;
            for (size_t i = ob; i < so; i++) {
                uint32_t best = 0;
                int64_t best_d = INT64_MAX;
                for (uint32_t c = 0; c < nv && nv > 1; c++) {
                    const aw_vessel *w = &t->vessels[vfirst + c];
                    if (!w->count) continue;
                    int64_t tt = sobs[i]->time_ms, d = 0;
                    if (tt < w->first_seen_ms) d = w->first_seen_ms - tt;
                    else if (tt > w->last_seen_ms) d = tt - w->last_seen_ms;
                    if (d < best_d) best_d = d, best = c;
                }
                if (best == s) scratch[cnt++] = sobs[i];
            }
            fold_identity(&b, &t->vessels[vfirst + s], scratch, cnt);
            if (b.oom) goto out_free;
        }
    }
    t->stats.positions = t->n;
    rc = 0;
out_free:
    free(lat), free(lon), free(tms), free(sogf), free(cogf);
out:
    if (b.oom || (rc < 0 && !err[0])) snprintf(err, errcap, "out of memory building tracks");
    if (b.oom) rc = -1;
    aw_segment_work_free(work);
    free(keys);
    free(sobs);
    free(seg);
    free(order);
    free(scratch);
    if (rc < 0) aw_tracks_free(t);
    return rc;
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
