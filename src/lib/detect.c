/* detect.c — events from tracks: encounters, loitering, gaps, dark rendezvous, identity
 * conflicts and changes, position spoofing, draught changes.
 *
 * Encounters follow Global Fishing Watch's method: every vessel is resampled to a fixed
 * time grid (no interpolation across long gaps), each time bin is joined against itself
 * through a sort by grid cell (neighbouring cells only, never all pairs), the close pairs
 * are gathered per pair into runs, runs of one pair closer in time than the merge window
 * are merged, and a run becomes an encounter when it lasts long enough, both vessels are
 * slow (median speed) and it lies away from ports, anchorages and land. The other
 * detectors walk each vessel's time-ordered positions once. Every threshold is a field of
 * aw_event_params and is written into each event's evidence by the output stage.
 */
#include "aiswatch/event.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiswatch/mid.h"

#define NM_KM 1.852
#define KN_MS (1852.0 / 3600.0)

static const char *const type_names[AW_EV_COUNT] = {
    "encounter", "loitering", "gap", "dark_rendezvous", "identity_conflict", "identity_change",
    "position_spoof", "draught_change",
};

const char *aw_event_type_name(aw_event_type t) { return (unsigned)t < AW_EV_COUNT ? type_names[t] : "?"; }

int aw_event_type_parse(const char *name) {
    for (int i = 0; i < AW_EV_COUNT; i++)
        if (strcmp(name, type_names[i]) == 0) return i;
    return -1;
}

void aw_event_params_default(aw_event_params *p) {
    *p = (aw_event_params){
        .encounter_distance_m = 500,
        .encounter_min_h = 2,
        .encounter_max_kn = 2,
        .encounter_grid_min = 10,
        .encounter_max_interp_h = 1,
        .encounter_merge_h = 4,
        .encounter_min_port_km = 10,
        .loiter_max_kn = 2,
        .loiter_min_h = 4,
        .loiter_min_shore_nm = 20,
        .gap_min_h = 12,
        .gap_min_port_km = 5,
        .max_transit_kn = 15,
        .draught_change_m = 1.0,
        .spoof_max_kn = 50,
        .spoof_min_inland_km = 50, /* canals, lakes and rivers lie inside 1:10m land (Suez: 18 km) */
        .context_h = 6,
        .draught_window_h = 24,
    };
}

void aw_events_free(aw_events *e) {
    free(e->v);
    memset(e, 0, sizeof *e);
}

typedef struct ctx {
    const aw_tracks *t;
    const aw_geo *geo;
    const aw_event_params *p;
    aw_events *out;
    bool oom;
    bool have_land, have_ports;
} ctx;

static aw_event *new_event(ctx *c, aw_event_type type, int64_t start, int64_t end) {
    aw_events *e = c->out;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 256;
        aw_event *v = realloc(e->v, cap * sizeof *v);
        if (!v) return c->oom = true, NULL;
        e->v = v;
        e->cap = cap;
    }
    aw_event *ev = &e->v[e->n++];
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->start_ms = start;
    ev->end_ms = end;
    ev->lat = ev->lon = NAN;
    return ev;
}

static void add_measure(aw_event *ev, const char *name, double value) {
    /* "Beyond the search radius" (infinity) is unknown, not a number to print. */
    if (!isfinite(value)) value = NAN;
    if (ev->nmeasures < AW_EV_MAX_MEASURES) ev->measures[ev->nmeasures++] = (aw_measure){name, value};
}

static void add_vessel(ctx *c, aw_event *ev, size_t vi, int64_t from, int64_t to) {
    if (ev->nvessels >= 2) return;
    const aw_vessel *v = &c->t->vessels[vi];
    /* Evidence: the vessel's positions inside the event (at least the nearest one). */
    const int64_t *tm = c->t->time_ms;
    size_t lo = v->first, hi = v->first + v->count;
    size_t a = lo, b = hi;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (tm[m] < from) a = m + 1;
        else b = m;
    }
    size_t first = a;
    a = first, b = hi;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (tm[m] <= to) a = m + 1;
        else b = m;
    }
    size_t end = a;
    if (first == end && v->count) {
        if (first == hi) first = hi - 1;
        end = first + 1;
    }
    ev->vessels[ev->nvessels++] = (aw_event_vessel){v->mmsi, v->segment, vi, first, end - first};
}

static void link_events(aw_events *e, size_t a, size_t b) {
    if (e->v[a].nlinks < AW_EV_MAX_LINKS) e->v[a].links[e->v[a].nlinks++] = (uint32_t)b;
    if (e->v[b].nlinks < AW_EV_MAX_LINKS) e->v[b].links[e->v[b].nlinks++] = (uint32_t)a;
}

static void stamp(char *buf, size_t cap, int64_t ms) {
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400), sod = s - days * 86400;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097), yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    long long y = (long long)yoe + era * 400 + (m <= 2);
    snprintf(buf, cap, "%04lld%02u%02uT%02d%02d%02d", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

static void make_id(aw_event *ev) {
    char ts[32];
    stamp(ts, sizeof ts, ev->start_ms);
    if (ev->nvessels == 2 && ev->vessels[0].mmsi != ev->vessels[1].mmsi)
        snprintf(ev->id, sizeof ev->id, "%s-%u-%u-%s", type_names[ev->type], ev->vessels[0].mmsi,
                 ev->vessels[1].mmsi, ts);
    else if (ev->nvessels == 2)
        snprintf(ev->id, sizeof ev->id, "%s-%u.%u.%u-%s", type_names[ev->type], ev->vessels[0].mmsi,
                 ev->vessels[0].segment, ev->vessels[1].segment, ts);
    else if (ev->nvessels == 1)
        snprintf(ev->id, sizeof ev->id, "%s-%u.%u-%s", type_names[ev->type], ev->vessels[0].mmsi,
                 ev->vessels[0].segment, ts);
    else
        snprintf(ev->id, sizeof ev->id, "%s-%s", type_names[ev->type], ts);
}

/* Speed at a position: the reported SOG, or else the speed implied by its neighbours. */
static double speed_at(const aw_tracks *t, const aw_vessel *v, size_t i) {
    if (!isnan(t->sog_kn[i])) return t->sog_kn[i];
    size_t lo = v->first, hi = v->first + v->count;
    size_t a = i > lo ? i - 1 : i, b = i + 1 < hi ? i + 1 : i;
    if (a == b || t->time_ms[b] == t->time_ms[a]) return NAN;
    return aw_distance_m(t->lat[a], t->lon[a], t->lat[b], t->lon[b]) / ((t->time_ms[b] - t->time_ms[a]) / 1000.0) /
           KN_MS;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) v[m++] = v[i];
    if (!m) return NAN;
    qsort(v, m, sizeof *v, cmp_double);
    return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

/* Distance to the nearest port or anchorage in km (NAN when none is known nearby). */
static double port_km(ctx *c, double lat, double lon, double max_km) {
    if (!c->geo) return NAN;
    aw_place p = aw_geo_nearest_port(c->geo, lat, lon, max_km);
    aw_place a = aw_geo_nearest_anchorage(c->geo, lat, lon, max_km);
    if (isnan(p.km)) return a.km;
    if (isnan(a.km)) return p.km;
    return p.km < a.km ? p.km : a.km;
}

/* ------------------------------------------------------------------ encounters */

typedef struct sample {
    int32_t bin;
    uint32_t vessel;
    int32_t cy, cx;        /* grid cell */
    float lat, lon, kn;
} sample;

typedef struct close_pair {
    uint32_t a, b;         /* vessel indexes, a < b */
    int32_t bin;
    float dist_m, kn_a, kn_b;
    float lat, lon;        /* midpoint */
} close_pair;

static int cmp_sample(const void *x, const void *y) {
    const sample *a = x, *b = y;
    if (a->bin != b->bin) return a->bin < b->bin ? -1 : 1;
    if (a->cy != b->cy) return a->cy < b->cy ? -1 : 1;
    if (a->cx != b->cx) return a->cx < b->cx ? -1 : 1;
    return a->vessel < b->vessel ? -1 : a->vessel > b->vessel;
}

typedef struct skey {
    uint64_t key;
    uint32_t i;
} skey;

/* Stable least-significant-digit radix sort of k[0..n) by the low `bits` bits of key
 * into out[0..n); k is overwritten (scratch). */
static void radix_keys(skey *k, skey *out, size_t n, unsigned bits) {
    enum { DIGIT = 11, BUCKETS = 1 << DIGIT };
    size_t count[BUCKETS];
    skey *src = k, *dst = out;
    for (unsigned shift = 0; shift < bits; shift += DIGIT) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) count[(src[i].key >> shift) & (BUCKETS - 1)]++;
        size_t at = 0;
        for (size_t d = 0; d < BUCKETS; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[(src[i].key >> shift) & (BUCKETS - 1)]++] = src[i];
        skey *x = src;
        src = dst, dst = x;
    }
    if (src != out) memcpy(out, src, n * sizeof *src);
}

static unsigned bits_for(uint64_t range) {
    unsigned b = 0;
    while (b < 64 && (range >> b)) b++;
    return b;
}

/* Sorts samples (made in vessel order) as cmp_sample does, by stable radix sorts of bin
 * and then of (cy, cx) packed in 64 bits: equal keys keep their vessel order. false when
 * the ranges do not fit or memory runs out (the caller sorts otherwise). */
static bool sort_samples(sample *S, size_t n) {
    int32_t b0 = S[0].bin, b1 = b0, y0 = S[0].cy, y1 = y0, x0 = S[0].cx, x1 = x0;
    for (size_t i = 1; i < n; i++) {
        if (S[i].vessel < S[i - 1].vessel) return false; /* not in vessel order: no tie-break */
        b0 = S[i].bin < b0 ? S[i].bin : b0, b1 = S[i].bin > b1 ? S[i].bin : b1;
        y0 = S[i].cy < y0 ? S[i].cy : y0, y1 = S[i].cy > y1 ? S[i].cy : y1;
        x0 = S[i].cx < x0 ? S[i].cx : x0, x1 = S[i].cx > x1 ? S[i].cx : x1;
    }
    unsigned bx = bits_for((uint64_t)((int64_t)x1 - x0)), by = bits_for((uint64_t)((int64_t)y1 - y0)),
             bb = bits_for((uint64_t)((int64_t)b1 - b0));
    if (bx + by > 64 || bb > 24 || n > UINT32_MAX) return false;
    size_t nbins = (size_t)((int64_t)b1 - b0) + 1, *bin_at = calloc(nbins + 1, sizeof *bin_at);
    sample *by_bin = malloc(n * sizeof *by_bin);
    if (!bin_at || !by_bin) {
        free(bin_at), free(by_bin);
        return false;
    }
    /* By bin first, moving the samples themselves (a counting sort: a day is 144 bins, so
     * few output streams), then each bin, small enough for the cache, by cell through
     * keys, gathered back into S. */
    for (size_t i = 0; i < n; i++) bin_at[S[i].bin - b0 + 1]++;
    size_t widest = 0;
    for (size_t b = 0; b < nbins; b++) {
        widest = bin_at[b + 1] > widest ? bin_at[b + 1] : widest;
        bin_at[b + 1] += bin_at[b];
    }
    for (size_t i = 0; i < n; i++) by_bin[bin_at[S[i].bin - b0]++] = S[i];
    skey *k = malloc(widest * sizeof *k), *out = malloc(widest * sizeof *out);
    if (!k || !out) {
        free(bin_at), free(by_bin), free(k), free(out);
        return false; /* S is untouched */
    }
    for (size_t b = 0, lo = 0; b < nbins; lo = bin_at[b++]) {
        size_t m = bin_at[b] - lo;
        const sample *src = by_bin + lo;
        for (size_t i = 0; i < m; i++)
            k[i] = (skey){(uint64_t)((int64_t)src[i].cy - y0) << bx | (uint64_t)((int64_t)src[i].cx - x0), (uint32_t)i};
        radix_keys(k, out, m, bx + by);
        for (size_t i = 0; i < m; i++) S[lo + i] = src[out[i].i];
    }
    free(bin_at), free(by_bin), free(k), free(out);
    return true;
}

/* Sorts close pairs, made bin by bin, as cmp_pair does: a stable radix sort by (a, b)
 * keeps each pair's bins in order. false when memory runs out (the caller sorts). */
static bool sort_pairs(close_pair *P, size_t n) {
    uint32_t max_a = 0, max_b = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && P[i].bin < P[i - 1].bin) return false; /* not made bin by bin */
        max_a = P[i].a > max_a ? P[i].a : max_a, max_b = P[i].b > max_b ? P[i].b : max_b;
    }
    if (n > UINT32_MAX) return false;
    unsigned bb = bits_for(max_b);
    skey *k = malloc(n * sizeof *k), *out = malloc(n * sizeof *out);
    close_pair *sorted = malloc(n * sizeof *sorted);
    if (!k || !out || !sorted) {
        free(k), free(out), free(sorted);
        return false;
    }
    for (size_t i = 0; i < n; i++) k[i] = (skey){(uint64_t)P[i].a << bb | P[i].b, (uint32_t)i};
    radix_keys(k, out, n, bits_for(max_a) + bb);
    for (size_t i = 0; i < n; i++) sorted[i] = P[out[i].i];
    memcpy(P, sorted, n * sizeof *P);
    free(k), free(out), free(sorted);
    return true;
}

static int cmp_pair(const void *x, const void *y) {
    const close_pair *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    return a->bin < b->bin ? -1 : a->bin > b->bin;
}

typedef struct vec {
    void *v;
    size_t n, cap, size;
} vec;

static bool vec_reserve(ctx *c, vec *v, size_t n) {
    if (n <= v->cap) return true;
    void *p = realloc(v->v, n * v->size);
    if (!p) return c->oom = true, false;
    v->v = p;
    v->cap = n;
    return true;
}

static void *vec_push(ctx *c, vec *v) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4096;
        void *p = realloc(v->v, cap * v->size);
        if (!p) return c->oom = true, NULL;
        v->v = p;
        v->cap = cap;
    }
    return (char *)v->v + v->size * v->n++;
}

/* The encounter grid's samples of vessels [v0, v1) into *samples. */
static void encounter_samples(ctx *c, size_t v0, size_t v1, vec *samples) {
    const aw_tracks *t = c->t;
    const aw_event_params *p = c->p;
    int64_t step = (int64_t)(p->encounter_grid_min * 60000);
    int64_t max_interp = (int64_t)(p->encounter_max_interp_h * 3600000);
    if (step <= 0) return;
    double cell_deg = p->encounter_distance_m / 111195.0;
    for (size_t vi = v0; vi < v1; vi++) {
        const aw_vessel *v = &t->vessels[vi];
        if (v->count < 2) continue;
        /* Samples in port never make an encounter, and crowded ports would make the join
         * quadratic: leave them out. A ship at rest is checked once per place. */
        double last_lat = NAN, last_lon = NAN;
        bool last_excluded = false;
        size_t i = v->first, end = v->first + v->count;
        int64_t g = (t->time_ms[i] + step - 1) / step * step;
        for (; g <= t->time_ms[end - 1]; g += step) {
            while (i + 1 < end && t->time_ms[i + 1] <= g) i++;
            double lat, lon, kn;
            if (t->time_ms[i] == g) {
                lat = t->lat[i], lon = t->lon[i], kn = speed_at(t, v, i);
            } else {
                if (i + 1 >= end) break;
                int64_t dt = t->time_ms[i + 1] - t->time_ms[i];
                if (dt > max_interp) continue; /* no interpolation across the gap */
                double f = (double)(g - t->time_ms[i]) / (double)dt;
                lat = t->lat[i] + f * (t->lat[i + 1] - t->lat[i]);
                double dlon = t->lon[i + 1] - t->lon[i];
                if (dlon > 180) dlon -= 360;
                if (dlon < -180) dlon += 360;
                lon = t->lon[i] + f * dlon;
                if (lon > 180) lon -= 360;
                if (lon < -180) lon += 360;
                double ka = speed_at(t, v, i), kb = speed_at(t, v, i + 1);
                kn = isnan(ka) ? kb : isnan(kb) ? ka : ka + f * (kb - ka);
            }
            if (c->have_ports || c->have_land) {
                if (isnan(last_lat) || aw_distance_m(lat, lon, last_lat, last_lon) > 200) {
                    double pkm = c->have_ports ? port_km(c, lat, lon, p->encounter_min_port_km) : NAN;
                    last_excluded = (!isnan(pkm) && pkm <= p->encounter_min_port_km) ||
                                    (c->have_land && aw_geo_on_land(c->geo, lat, lon));
                    last_lat = lat, last_lon = lon;
                }
                if (last_excluded) continue;
            }
            sample *s = vec_push(c, samples);
            if (!s) return;
            *s = (sample){(int32_t)(g / step), (uint32_t)vi, (int32_t)floor(lat / cell_deg),
                          (int32_t)floor(lon / cell_deg), (float)lat, (float)lon, (float)kn};
        }
    }
}

/* Encounters from the grid's samples (consumed): pairs close in a time bin, merged
 * into runs. */
static void encounters_join(ctx *c, vec samples) {
    const aw_tracks *t = c->t;
    const aw_event_params *p = c->p;
    int64_t step = (int64_t)(p->encounter_grid_min * 60000);
    sample *S = samples.v;
    if (samples.n > 1 && !sort_samples(S, samples.n)) qsort(S, samples.n, sizeof *S, cmp_sample);

    /* Self-join of each time bin through its cell order: only neighbouring cells meet. */
    vec pairs = {.size = sizeof(close_pair)};
    for (size_t b0 = 0; b0 < samples.n;) {
        size_t b1 = b0;
        while (b1 < samples.n && S[b1].bin == S[b0].bin) b1++;
        for (size_t i = b0; i < b1; i++) {
            double coslat = cos(S[i].lat * M_PI / 180);
            int32_t dx = coslat > 0.01 ? (int32_t)ceil(1.0 / coslat) : 100;
            for (int32_t cy = S[i].cy; cy <= S[i].cy + 1; cy++) {
                /* Rows below are visited from their own side, so each pair is seen once
                 * per direction it can be found in; keep the one with a < b. */
                int32_t cx_lo = S[i].cx - dx, cx_hi = S[i].cx + dx;
                /* First sample in this bin with (cy, cx >= cx_lo). */
                size_t lo = b0, hi = b1;
                while (lo < hi) {
                    size_t m = lo + (hi - lo) / 2;
                    if (S[m].cy < cy || (S[m].cy == cy && S[m].cx < cx_lo)) lo = m + 1;
                    else hi = m;
                }
                for (size_t j = lo; j < b1 && S[j].cy == cy && S[j].cx <= cx_hi; j++) {
                    if (j == i || (cy == S[i].cy && j < i)) continue;
                    uint32_t va = S[i].vessel, vb = S[j].vessel;
                    if (t->vessels[va].mmsi == t->vessels[vb].mmsi) continue; /* one MMSI: identity, not a meeting */
                    double d = aw_distance_m(S[i].lat, S[i].lon, S[j].lat, S[j].lon);
                    if (d > p->encounter_distance_m) continue;
                    close_pair *cp = vec_push(c, &pairs);
                    if (!cp) goto out2;
                    bool swap = va > vb;
                    *cp = (close_pair){swap ? vb : va, swap ? va : vb, S[i].bin, (float)d,
                                       swap ? S[j].kn : S[i].kn, swap ? S[i].kn : S[j].kn,
                                       (S[i].lat + S[j].lat) / 2, (S[i].lon + S[j].lon) / 2};
                }
            }
        }
        b0 = b1;
    }
    close_pair *P = pairs.v;
    if (pairs.n > 1 && !sort_pairs(P, pairs.n)) qsort(P, pairs.n, sizeof *P, cmp_pair);

    int32_t merge_bins = (int32_t)(p->encounter_merge_h * 3600000 / step);
    double *buf = malloc((pairs.n ? pairs.n : 1) * sizeof *buf);
    if (!buf) {
        c->oom = true;
        goto out2;
    }
    for (size_t r0 = 0; r0 < pairs.n;) {
        /* One merged run: the same pair, each close bin less than the merge window after
         * the previous one. */
        size_t r1 = r0 + 1;
        while (r1 < pairs.n && P[r1].a == P[r0].a && P[r1].b == P[r0].b && P[r1].bin - P[r1 - 1].bin < merge_bins)
            r1++;
        size_t n = r1 - r0;
        int64_t start = (int64_t)P[r0].bin * step, end = (int64_t)P[r1 - 1].bin * step;
        double hours = (end - start) / 3600000.0;
        if (hours >= p->encounter_min_h) {
            for (size_t k = 0; k < n; k++) buf[k] = P[r0 + k].kn_a;
            double kn_a = median(buf, n);
            for (size_t k = 0; k < n; k++) buf[k] = P[r0 + k].kn_b;
            double kn_b = median(buf, n);
            /* Where: the median of the close samples' midpoints, so that a stretch sailed
             * together inside the merge window does not drag the place off the spot where
             * the pair lay (a port berth, say). */
            double mind = INFINITY;
            for (size_t k = 0; k < n; k++)
                if (P[r0 + k].dist_m < mind) mind = P[r0 + k].dist_m;
            for (size_t k = 0; k < n; k++) buf[k] = P[r0 + k].lat;
            double lat = median(buf, n);
            for (size_t k = 0; k < n; k++) buf[k] = P[r0 + k].lon;
            double lon = median(buf, n);
            for (size_t k = 0; k < n; k++) buf[k] = P[r0 + k].dist_m;
            double med_d = median(buf, n);
            bool slow = kn_a < p->encounter_max_kn && kn_b < p->encounter_max_kn;
            bool land = c->have_land && aw_geo_on_land(c->geo, lat, lon);
            double pkm = c->have_ports ? port_km(c, lat, lon, p->encounter_min_port_km * 3) : NAN;
            bool near_port = !isnan(pkm) && pkm <= p->encounter_min_port_km;
            if (slow && !land && !near_port) {
                aw_event *ev = new_event(c, AW_EV_ENCOUNTER, start, end);
                if (!ev) break;
                ev->lat = lat, ev->lon = lon;
                add_vessel(c, ev, P[r0].a, start, end);
                add_vessel(c, ev, P[r0].b, start, end);
                add_measure(ev, "duration_h", hours);
                add_measure(ev, "median_distance_m", med_d);
                add_measure(ev, "min_distance_m", mind);
                add_measure(ev, "median_speed_kn_1", kn_a);
                add_measure(ev, "median_speed_kn_2", kn_b);
                add_measure(ev, "close_samples", (double)n);
                add_measure(ev, "port_km", pkm);
                add_measure(ev, "shore_km", c->have_land ? aw_geo_shore_km(c->geo, lat, lon, 500) : NAN);
                make_id(ev);
            }
        }
        r0 = r1;
    }
    free(buf);
out2:
    free(pairs.v);
    free(samples.v);
}

/* ------------------------------------------------------------------ loitering */

static void loitering(ctx *c) {
    const aw_tracks *t = c->t;
    const aw_event_params *p = c->p;
    /* A run of slow positions breaks at a silence longer than this: a loiterer is seen. */
    int64_t max_silence = 2 * 3600000LL;
    for (size_t vi = 0; vi < t->nvessels && !c->oom; vi++) {
        const aw_vessel *v = &t->vessels[vi];
        size_t end = v->first + v->count;
        size_t i = v->first;
        while (i < end) {
            double kn = speed_at(t, v, i);
            if (isnan(kn) || kn >= p->loiter_max_kn) {
                i++;
                continue;
            }
            size_t j = i + 1;
            while (j < end && t->time_ms[j] - t->time_ms[j - 1] <= max_silence) {
                double k2 = speed_at(t, v, j);
                if (isnan(k2) || k2 >= p->loiter_max_kn) break;
                j++;
            }
            double hours = (t->time_ms[j - 1] - t->time_ms[i]) / 3600000.0;
            if (hours >= p->loiter_min_h) {
                double lat = 0, lon = 0;
                for (size_t k = i; k < j; k++) lat += t->lat[k], lon += t->lon[k];
                lat /= (double)(j - i), lon /= (double)(j - i);
                double shore = c->have_land ? aw_geo_shore_km(c->geo, lat, lon, p->loiter_min_shore_nm * NM_KM * 2)
                                            : NAN;
                bool far = c->have_land ? !aw_geo_on_land(c->geo, lat, lon) &&
                                              shore >= p->loiter_min_shore_nm * NM_KM
                                        : true;
                if (far) {
                    aw_event *ev = new_event(c, AW_EV_LOITERING, t->time_ms[i], t->time_ms[j - 1]);
                    if (!ev) return;
                    ev->lat = lat, ev->lon = lon;
                    add_vessel(c, ev, vi, ev->start_ms, ev->end_ms);
                    double *buf = malloc((j - i) * sizeof *buf);
                    if (!buf) return (void)(c->oom = true);
                    for (size_t k = i; k < j; k++) buf[k - i] = speed_at(t, v, k);
                    add_measure(ev, "duration_h", hours);
                    add_measure(ev, "median_speed_kn", median(buf, j - i));
                    free(buf);
                    add_measure(ev, "shore_nm", shore / NM_KM);
                    add_measure(ev, "port_km", c->have_ports ? port_km(c, lat, lon, 200) : NAN);
                    add_measure(ev, "positions", (double)(j - i));
                    make_id(ev);
                }
            }
            i = j;
        }
    }
}

/* ------------------------------------------------------------------ gaps */

typedef struct idx_time {
    int64_t t;
    uint32_t i;
    uint32_t vessel;
} idx_time;

static int cmp_idx_time(const void *x, const void *y) {
    const idx_time *a = x, *b = y;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static bool at_sea(ctx *c, double lat, double lon) {
    if (c->have_land && aw_geo_on_land(c->geo, lat, lon)) return false;
    if (c->have_ports) {
        double km = port_km(c, lat, lon, c->p->gap_min_port_km * 2);
        if (!isnan(km) && km <= c->p->gap_min_port_km) return false;
    }
    return true;
}

/* Calls fn for each MMSI of vessels [from, to) with its positions (all segments) in
 * time order. */
static void per_mmsi(ctx *c, size_t from, size_t to, void (*fn)(ctx *, const idx_time *, size_t, size_t, size_t)) {
    const aw_tracks *t = c->t;
    vec order = {.size = sizeof(idx_time)};
    for (size_t v0 = from; v0 < to && !c->oom;) {
        size_t v1 = v0 + 1;
        while (v1 < to && t->vessels[v1].mmsi == t->vessels[v0].mmsi) v1++;
        order.n = 0;
        for (size_t vi = v0; vi < v1; vi++)
            for (size_t i = t->vessels[vi].first; i < t->vessels[vi].first + t->vessels[vi].count; i++) {
                idx_time *x = vec_push(c, &order);
                if (!x) goto out;
                *x = (idx_time){t->time_ms[i], (uint32_t)i, (uint32_t)vi};
            }
        if (v1 - v0 > 1) qsort(order.v, order.n, sizeof(idx_time), cmp_idx_time);
        fn(c, order.v, order.n, v0, v1);
        v0 = v1;
    }
out:
    free(order.v);
}

static void gaps_of(ctx *c, const idx_time *o, size_t n, size_t v0, size_t v1) {
    (void)v0, (void)v1;
    const aw_tracks *t = c->t;
    const aw_event_params *p = c->p;
    int64_t min_gap = (int64_t)(p->gap_min_h * 3600000);
    for (size_t k = 1; k < n && !c->oom; k++) {
        int64_t dt = o[k].t - o[k - 1].t;
        if (dt < min_gap) continue;
        size_t a = o[k - 1].i, b = o[k].i;
        double d = aw_distance_m(t->lat[a], t->lon[a], t->lat[b], t->lon[b]);
        double kn = d / (dt / 1000.0) / KN_MS;
        /* Faster than any ship: not one vessel's silence but two ships on one MMSI. */
        if (kn > p->spoof_max_kn) continue;
        if (!at_sea(c, t->lat[a], t->lon[a]) || !at_sea(c, t->lat[b], t->lon[b])) continue;
        aw_event *ev = new_event(c, AW_EV_GAP, o[k - 1].t, o[k].t);
        if (!ev) return;
        ev->lat = t->lat[a], ev->lon = t->lon[a];
        add_vessel(c, ev, o[k - 1].vessel, o[k - 1].t, o[k - 1].t);
        if (o[k].vessel != o[k - 1].vessel) add_vessel(c, ev, o[k].vessel, o[k].t, o[k].t);
        add_measure(ev, "gap_h", dt / 3600000.0);
        add_measure(ev, "distance_km", d / 1000);
        add_measure(ev, "implied_speed_kn", kn);
        add_measure(ev, "end_lat", t->lat[b]);
        add_measure(ev, "end_lon", t->lon[b]);
        make_id(ev);
    }
}

/* ------------------------------------------------------------------ dark rendezvous */

static void dark_rendezvous(ctx *c, size_t n_before) {
    aw_events *e = c->out;
    const aw_tracks *t = c->t;
    double v = c->p->max_transit_kn * KN_MS; /* m/s */
    size_t n = e->n;
    for (size_t li = n_before; li < n && !c->oom; li++) {
        if (e->v[li].type != AW_EV_LOITERING) continue;
        for (size_t gi = n_before; gi < n && !c->oom; gi++) {
            aw_event *L = &e->v[li], *G = &e->v[gi];
            if (G->type != AW_EV_GAP || G->vessels[0].mmsi == L->vessels[0].mmsi) continue;
            if (G->start_ms > L->end_ms || G->end_ms < L->start_ms) continue;
            double slat = G->lat, slon = G->lon;
            size_t b = G->vessels[G->nvessels - 1].first;
            double elat = t->lat[b], elon = t->lon[b];
            double d1 = aw_distance_m(slat, slon, L->lat, L->lon), d2 = aw_distance_m(L->lat, L->lon, elat, elon);
            /* Could the silent vessel reach the loiterer, meet it while it loitered, and
             * be where it reappeared, at the transit speed? */
            double earliest = G->start_ms + d1 / v * 1000, latest = G->end_ms - d2 / v * 1000;
            double lo = earliest > L->start_ms ? earliest : (double)L->start_ms;
            double hi = latest < L->end_ms ? latest : (double)L->end_ms;
            if (lo > hi) continue;
            int64_t start = G->start_ms > L->start_ms ? G->start_ms : L->start_ms;
            int64_t end = G->end_ms < L->end_ms ? G->end_ms : L->end_ms;
            aw_event *ev = new_event(c, AW_EV_DARK_RENDEZVOUS, start, end);
            if (!ev) return;
            L = &e->v[li], G = &e->v[gi]; /* new_event may move the array */
            ev->lat = L->lat, ev->lon = L->lon;
            ev->vessels[0] = L->vessels[0];
            ev->vessels[1] = G->vessels[0];
            ev->nvessels = 2;
            add_measure(ev, "loitering_h", (L->end_ms - L->start_ms) / 3600000.0);
            add_measure(ev, "gap_h", (G->end_ms - G->start_ms) / 3600000.0);
            add_measure(ev, "gap_start_to_loiter_km", d1 / 1000);
            add_measure(ev, "loiter_to_gap_end_km", d2 / 1000);
            add_measure(ev, "required_speed_kn", (d1 + d2) / ((G->end_ms - G->start_ms) / 1000.0) / KN_MS);
            add_measure(ev, "meeting_window_h", (hi - lo) / 3600000.0);
            make_id(ev);
            size_t di = e->n - 1;
            link_events(e, di, li);
            link_events(e, di, gi);
        }
    }
}

/* ------------------------------------------------------------------ identity */

#define MIN_SEGMENT_POINTS 10

static void identity_conflicts(ctx *c) {
    const aw_tracks *t = c->t;
    for (size_t v0 = 0; v0 < t->nvessels && !c->oom;) {
        size_t v1 = v0 + 1;
        while (v1 < t->nvessels && t->vessels[v1].mmsi == t->vessels[v0].mmsi) v1++;
        for (size_t a = v0; a < v1; a++) {
            for (size_t b = a + 1; b < v1; b++) {
                const aw_vessel *A = &t->vessels[a], *B = &t->vessels[b];
                if (A->count < MIN_SEGMENT_POINTS || B->count < MIN_SEGMENT_POINTS) continue;
                int64_t s = t->time_ms[A->first] > t->time_ms[B->first] ? t->time_ms[A->first] : t->time_ms[B->first];
                int64_t e = t->time_ms[A->first + A->count - 1] < t->time_ms[B->first + B->count - 1]
                                ? t->time_ms[A->first + A->count - 1]
                                : t->time_ms[B->first + B->count - 1];
                if (e - s < 3600000) continue; /* two ships at once for at least an hour */
                /* Where each was when the overlap began. */
                size_t ia = A->first, ib = B->first;
                while (ia + 1 < A->first + A->count && t->time_ms[ia] < s) ia++;
                while (ib + 1 < B->first + B->count && t->time_ms[ib] < s) ib++;
                double d = aw_distance_m(t->lat[ia], t->lon[ia], t->lat[ib], t->lon[ib]);
                double dt = fabs((double)(t->time_ms[ia] - t->time_ms[ib])) / 1000.0;
                aw_event *ev = new_event(c, AW_EV_IDENTITY_CONFLICT, s, e);
                if (!ev) return;
                ev->lat = t->lat[ia], ev->lon = t->lon[ia];
                add_vessel(c, ev, a, s, e);
                add_vessel(c, ev, b, s, e);
                add_measure(ev, "overlap_h", (e - s) / 3600000.0);
                add_measure(ev, "distance_km", d / 1000);
                add_measure(ev, "implied_speed_kn", d / (dt + 60) / KN_MS);
                snprintf(ev->detail, sizeof ev->detail, "MMSI %u reported %.0f km apart at the same time",
                         A->mmsi, d / 1000);
                make_id(ev);
            }
        }
        v0 = v1;
    }
}

static void identity_changes(ctx *c) {
    const aw_tracks *t = c->t;
    for (size_t vi = 0; vi < t->nvessels && !c->oom; vi++) {
        const aw_vessel *v = &t->vessels[vi];
        double lat = v->count ? t->lat[v->first + v->count - 1] : NAN;
        double lon = v->count ? t->lon[v->first + v->count - 1] : NAN;
        /* A ship MMSI whose MID is no flag state: once per MMSI (its first segment). */
        aw_mmsi_kind kind = aw_mmsi_kind_of(v->mmsi);
        if (v->segment == 0 && ((kind == AW_MMSI_SHIP && !aw_flag_of_mmsi(v->mmsi)) || kind == AW_MMSI_INVALID)) {
            aw_event *ev = new_event(c, AW_EV_IDENTITY_CHANGE, v->first_seen_ms, v->last_seen_ms);
            if (!ev) return;
            ev->lat = lat, ev->lon = lon;
            add_vessel(c, ev, vi, v->first_seen_ms, v->last_seen_ms);
            if (kind == AW_MMSI_INVALID)
                snprintf(ev->detail, sizeof ev->detail, "MMSI %u has no valid form (MID %u is not a flag state)",
                         v->mmsi, aw_mmsi_mid(v->mmsi));
            else
                snprintf(ev->detail, sizeof ev->detail, "MID %u of MMSI %u is not a flag state", aw_mmsi_mid(v->mmsi),
                         v->mmsi);
            add_measure(ev, "mid", aw_mmsi_mid(v->mmsi));
            make_id(ev);
        }
        for (int f = 0; f < AW_ID_COUNT; f++) {
            if (f != AW_ID_NAME && f != AW_ID_IMO && f != AW_ID_CALLSIGN) continue;
            const aw_ident_change *prev = NULL;
            for (size_t h = v->hist_first; h < v->hist_first + v->hist_count; h++) {
                const aw_ident_change *x = &t->history[h];
                if (x->field != f) continue;
                if (f == AW_ID_IMO) {
                    uint32_t imo = (uint32_t)strtoul(x->value, NULL, 10);
                    if (!aw_imo_valid(imo)) {
                        aw_event *ev = new_event(c, AW_EV_IDENTITY_CHANGE, x->first_seen_ms, x->last_seen_ms);
                        if (!ev) return;
                        ev->lat = lat, ev->lon = lon;
                        add_vessel(c, ev, vi, x->first_seen_ms, x->last_seen_ms);
                        snprintf(ev->detail, sizeof ev->detail, "IMO %s fails its check digit", x->value);
                        add_measure(ev, "imo", imo);
                        make_id(ev);
                    }
                }
                /* The history lists runs per field in time order: a new run is a change. */
                if (prev && strcmp(prev->value, x->value) != 0) {
                    aw_event *ev = new_event(c, AW_EV_IDENTITY_CHANGE, prev->last_seen_ms, x->first_seen_ms);
                    if (!ev) return;
                    ev->lat = lat, ev->lon = lon;
                    add_vessel(c, ev, vi, prev->last_seen_ms, x->first_seen_ms);
                    snprintf(ev->detail, sizeof ev->detail, "%s: %s -> %s", aw_id_field_name((aw_id_field)f),
                             prev->value, x->value);
                    add_measure(ev, "reports_before", prev->n_reports);
                    add_measure(ev, "reports_after", x->n_reports);
                    make_id(ev);
                    /* The id must tell two changes of one vessel at one time apart. */
                    size_t len = strlen(ev->id);
                    snprintf(ev->id + len, sizeof ev->id - len, "-%s", aw_id_field_name((aw_id_field)f));
                }
                prev = x;
            }
        }
    }
}

/* ------------------------------------------------------------------ spoofing */

static void spoof_of(ctx *c, const idx_time *o, size_t n, size_t v0, size_t v1) {
    const aw_tracks *t = c->t;
    const aw_event_params *p = c->p;
    if (!n) return;
    bool *mark = calloc(n, sizeof *mark);
    if (!mark) return (void)(c->oom = true);
    /* On land, well inland, and reached or left by a jump no ship can make: a ship in a
     * canal, lake or river (inside 1:10m land too: Lake Timsah is 52 km from the coast)
     * gets there by sailing. */
    if (c->have_land) {
        bool *on = calloc(n, sizeof *on);
        if (!on) {
            free(mark);
            return (void)(c->oom = true);
        }
        /* on_land is cheap; the distance inland is asked only of runs that a jump enters
         * or leaves (river and canal traffic is on land at 1:10m for hours). */
        for (size_t k = 0; k < n; k++) on[k] = aw_geo_on_land(c->geo, t->lat[o[k].i], t->lon[o[k].i]);
        for (size_t k = 0; k < n;) {
            if (!on[k]) {
                k++;
                continue;
            }
            size_t k1 = k + 1;
            while (k1 < n && on[k1]) k1++;
            bool jump = false;
            if (k > 0) {
                size_t a = o[k - 1].i, b = o[k].i;
                double dt = (double)(o[k].t - o[k - 1].t) / 1000.0;
                jump |= aw_distance_m(t->lat[a], t->lon[a], t->lat[b], t->lon[b]) / (dt + 60) / KN_MS > p->spoof_max_kn;
            }
            if (k1 < n) {
                size_t a = o[k1 - 1].i, b = o[k1].i;
                double dt = (double)(o[k1].t - o[k1 - 1].t) / 1000.0;
                jump |= aw_distance_m(t->lat[a], t->lon[a], t->lat[b], t->lon[b]) / (dt + 60) / KN_MS > p->spoof_max_kn;
            }
            if (jump)
                for (size_t j = k; j < k1; j++)
                    mark[j] = aw_geo_shore_km(c->geo, t->lat[o[j].i], t->lon[o[j].i], p->spoof_min_inland_km * 2) >=
                              p->spoof_min_inland_km;
            k = k1;
        }
        free(on);
    }
    /* Short segments beside a main one that no ship could reach from it. */
    size_t main_v = v0;
    for (size_t vi = v0; vi < v1; vi++)
        if (t->vessels[vi].count > t->vessels[main_v].count) main_v = vi;
    const aw_vessel *M = &t->vessels[main_v];
    if (v1 - v0 > 1 && M->count >= MIN_SEGMENT_POINTS) {
        for (size_t k = 0; k < n; k++) {
            if (o[k].vessel == main_v || t->vessels[o[k].vessel].count >= MIN_SEGMENT_POINTS) continue;
            size_t i = o[k].i;
            /* The main segment's position nearest in time. */
            size_t lo = M->first, hi = M->first + M->count;
            while (lo < hi) {
                size_t m = lo + (hi - lo) / 2;
                if (t->time_ms[m] < t->time_ms[i]) lo = m + 1;
                else hi = m;
            }
            size_t j = lo < M->first + M->count ? lo : lo - 1;
            if (j > M->first && llabs(t->time_ms[j - 1] - t->time_ms[i]) < llabs(t->time_ms[j] - t->time_ms[i])) j--;
            double d = aw_distance_m(t->lat[i], t->lon[i], t->lat[j], t->lon[j]);
            double dt = fabs((double)(t->time_ms[i] - t->time_ms[j])) / 1000.0;
            if (d / (dt + 60) / KN_MS > p->spoof_max_kn) mark[k] = true;
        }
    }
    for (size_t k = 0; k < n && !c->oom;) {
        if (!mark[k]) {
            k++;
            continue;
        }
        size_t k1 = k + 1;
        while (k1 < n && mark[k1]) k1++;
        aw_event *ev = new_event(c, AW_EV_POSITION_SPOOF, o[k].t, o[k1 - 1].t);
        if (!ev) break;
        ev->lat = t->lat[o[k].i], ev->lon = t->lon[o[k].i];
        add_vessel(c, ev, o[k].vessel, o[k].t, o[k1 - 1].t);
        if (o[k].vessel != main_v) add_vessel(c, ev, main_v, o[k].t, o[k1 - 1].t);
        bool land = c->have_land && aw_geo_on_land(c->geo, ev->lat, ev->lon);
        add_measure(ev, "positions", (double)(k1 - k));
        add_measure(ev, "duration_h", (o[k1 - 1].t - o[k].t) / 3600000.0);
        add_measure(ev, "on_land", land);
        if (land) add_measure(ev, "inland_km", aw_geo_shore_km(c->geo, ev->lat, ev->lon, 2000));
        snprintf(ev->detail, sizeof ev->detail, "%s", land ? "positions on land" : "positions no ship could reach");
        make_id(ev);
        k = k1;
    }
    free(mark);
}

/* ------------------------------------------------------------------ draught */

/* The draught in effect at `start` (the last value first reported by then) and the
 * draught after the event: the last value first reported between start and end + window
 * (a change reported a while after the ships part still tells what they did). In dm, -1
 * when unknown; *tb and *ta are when each was reported. */
static void draught_around(const aw_tracks *t, const aw_vessel *v, int64_t start, int64_t end, int64_t window,
                           int *before, int64_t *tb, int *after, int64_t *ta) {
    *before = *after = -1;
    *tb = *ta = 0;
    int64_t best_b = INT64_MIN, best_a = INT64_MIN;
    for (size_t h = v->hist_first; h < v->hist_first + v->hist_count; h++) {
        const aw_ident_change *x = &t->history[h];
        if (x->field != AW_ID_DRAUGHT) continue;
        int dm = (int)lround(strtod(x->value, NULL) * 10);
        if (x->first_seen_ms <= start && x->first_seen_ms > best_b) {
            best_b = x->first_seen_ms;
            *before = dm;
            *tb = x->last_seen_ms < start ? x->last_seen_ms : start;
        }
        if (x->first_seen_ms > start && x->first_seen_ms <= end + window && x->first_seen_ms > best_a) {
            best_a = x->first_seen_ms;
            *after = dm;
            *ta = x->first_seen_ms;
        }
    }
    if (*after < 0 && *before >= 0) *after = *before, *ta = end; /* no new value: unchanged */
}

static void draught_changes(ctx *c, size_t n_before) {
    aw_events *e = c->out;
    const aw_tracks *t = c->t;
    size_t n = e->n;
    for (size_t i = n_before; i < n && !c->oom; i++) {
        aw_event_type ty = e->v[i].type;
        if (ty != AW_EV_ENCOUNTER && ty != AW_EV_LOITERING && ty != AW_EV_GAP) continue;
        for (unsigned k = 0; k < e->v[i].nvessels; k++) {
            const aw_event_vessel ev_v = e->v[i].vessels[k];
            const aw_vessel *v = &t->vessels[ev_v.vessel];
            int64_t tb, ta;
            int before, after;
            draught_around(t, v, e->v[i].start_ms, e->v[i].end_ms, (int64_t)(c->p->draught_window_h * 3600000),
                           &before, &tb, &after, &ta);
            if (before < 0 || after < 0) continue;
            double delta = (after - before) / 10.0;
            if (fabs(delta) < c->p->draught_change_m) continue;
            /* One change of draught may span several events (an encounter is also two
             * loiterings): one draught_change, linked to each. */
            size_t same = SIZE_MAX;
            for (size_t j = n; j < e->n; j++)
                if (e->v[j].type == AW_EV_DRAUGHT_CHANGE && e->v[j].vessels[0].vessel == ev_v.vessel &&
                    e->v[j].end_ms == ta && e->v[j].measures[2].value == delta)
                    same = j;
            if (same != SIZE_MAX) {
                link_events(e, same, i);
                continue;
            }
            aw_event *ev = new_event(c, AW_EV_DRAUGHT_CHANGE, tb, ta);
            if (!ev) return;
            const aw_event *src = &e->v[i];
            ev->lat = src->lat, ev->lon = src->lon;
            ev->vessels[0] = ev_v;
            ev->nvessels = 1;
            add_measure(ev, "draught_before_m", before / 10.0);
            add_measure(ev, "draught_after_m", after / 10.0);
            add_measure(ev, "change_m", delta);
            snprintf(ev->detail, sizeof ev->detail, "draught %.1f m -> %.1f m across %s %s", before / 10.0,
                     after / 10.0, type_names[src->type], src->id);
            make_id(ev);
            link_events(e, e->n - 1, i);
        }
    }
}

typedef struct cell_vessel {
    int64_t cell;
    uint32_t mmsi;
} cell_vessel;

static int cmp_cell_vessel(const void *x, const void *y) {
    const cell_vessel *a = x, *b = y;
    if (a->cell != b->cell) return a->cell < b->cell ? -1 : 1;
    return a->mmsi < b->mmsi ? -1 : a->mmsi > b->mmsi;
}

long aw_anchorages_derive(const aw_tracks *t, aw_geo *geo, double cell_deg, unsigned min_vessels) {
    if (cell_deg <= 0 || !geo) return 0;
    int64_t ncols = (int64_t)ceil(360.0 / cell_deg) + 1;
    cell_vessel *cv = malloc((t->n ? t->n : 1) * sizeof *cv);
    if (!cv) return -1;
    size_t n = 0;
    for (size_t vi = 0; vi < t->nvessels; vi++)
    for (size_t i = t->vessels[vi].first; i < t->vessels[vi].first + t->vessels[vi].count; i++) {
        double kn = speed_at(t, &t->vessels[vi], i); /* tables without SOG: the implied speed */
        if (!(kn < 0.5)) continue;
        int64_t row = (int64_t)floor((t->lat[i] + 90) / cell_deg), col = (int64_t)floor((t->lon[i] + 180) / cell_deg);
        cell_vessel x = {row * ncols + col, t->mmsi[i]};
        /* A ship at anchor reports from one cell for hours: only the first of a run counts
         * (the distinct count below is the same; the sort is of far fewer entries). */
        if (n && cv[n - 1].cell == x.cell && cv[n - 1].mmsi == x.mmsi) continue;
        cv[n++] = x;
    }
    qsort(cv, n, sizeof *cv, cmp_cell_vessel);
    long added = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        unsigned distinct = 0;
        while (b < n && cv[b].cell == cv[a].cell) {
            if (b == a || cv[b].mmsi != cv[b - 1].mmsi) distinct++;
            b++;
        }
        if (distinct >= min_vessels) {
            int64_t row = cv[a].cell / ncols, col = cv[a].cell % ncols;
            if (aw_geo_add_anchorage(geo, (row + 0.5) * cell_deg - 90, (col + 0.5) * cell_deg - 180, "derived") == 0)
                added++;
        }
        a = b;
    }
    free(cv);
    return added;
}

/* The detectors that read only tracks and geography run as independent tasks on all
 * cores, each into its own list; the lists are then joined in a fixed order, so the
 * events and their indexes are the same whatever the number of cores. Dark rendezvous
 * and draught changes read the events found before them, so they run after the join. */
typedef enum task_id {
    T_ENCOUNTERS, /* the grid sampling of the first half of the vessels; the join follows */
    T_ENCOUNTERS_2,
    T_SPOOF,
    T_SPOOF_2,
    T_LOITERING,
    T_GAPS,
    T_ID_CONFLICTS,
    T_ID_CHANGES,
    T_COUNT
} task_id;

typedef struct task_pool {
    ctx base;
    aw_events lists[T_COUNT];
    bool oom[T_COUNT];
    vec samples[2];    /* the encounter grid's, by half */
    int samples_done;
    size_t mmsi_half;  /* the first vessel of the MMSI that starts the second half */
    pthread_mutex_t mu;
    int next;
} task_pool;

/* The encounter search is the longest task: its sampling runs as two tasks, and the
 * one that finishes second joins the samples. */
static void encounter_half(task_pool *tp, ctx *c, int half) {
    size_t n = c->t->nvessels;
    vec *mine = &tp->samples[half];
    *mine = (vec){.size = sizeof(sample)};
    encounter_samples(c, half ? n / 2 : 0, half ? n : n / 2, mine);
    pthread_mutex_lock(&tp->mu);
    bool last = ++tp->samples_done == 2;
    pthread_mutex_unlock(&tp->mu);
    if (!last) return;
    c->out = &tp->lists[T_ENCOUNTERS];
    vec *a = &tp->samples[0], *b = &tp->samples[1];
    if (b->n && vec_reserve(c, a, a->n + b->n)) {
        memcpy((char *)a->v + a->n * a->size, b->v, b->n * b->size);
        a->n += b->n;
    }
    free(b->v);
    *b = (vec){0};
    vec all = *a;
    *a = (vec){0};
    encounters_join(c, all);
}

static void run_task(task_pool *tp, int k) {
    ctx c = tp->base;
    c.out = &tp->lists[k];
    c.oom = false;
    switch ((task_id)k) {
    case T_ENCOUNTERS: encounter_half(tp, &c, 0); break;
    case T_ENCOUNTERS_2: encounter_half(tp, &c, 1); break;
    case T_LOITERING: loitering(&c); break;
    case T_GAPS: per_mmsi(&c, 0, c.t->nvessels, gaps_of); break;
    case T_ID_CONFLICTS: identity_conflicts(&c); break;
    case T_ID_CHANGES: identity_changes(&c); break;
    case T_SPOOF: per_mmsi(&c, 0, tp->mmsi_half, spoof_of); break;
    case T_SPOOF_2: per_mmsi(&c, tp->mmsi_half, c.t->nvessels, spoof_of); break;
    default: break;
    }
    tp->oom[k] = c.oom; /* each task's own flag: written by one thread */
}

static void *task_worker(void *arg) {
    task_pool *tp = arg;
    for (;;) {
        pthread_mutex_lock(&tp->mu);
        int k = tp->next < T_COUNT ? tp->next++ : -1;
        pthread_mutex_unlock(&tp->mu);
        if (k < 0) return NULL;
        run_task(tp, k);
    }
}

static bool append_list(ctx *c, aw_events *src) {
    for (size_t i = 0; i < src->n; i++) {
        aw_event *ev = new_event(c, src->v[i].type, src->v[i].start_ms, src->v[i].end_ms);
        if (!ev) return false;
        *ev = src->v[i];
    }
    return true;
}

int aw_detect(const aw_tracks *t, const aw_geo *geo, const aw_event_params *p, aw_events *out,
              const char **skipped, char *err, size_t errcap) {
    aw_event_params defaults;
    if (!p) {
        aw_event_params_default(&defaults);
        p = &defaults;
    }
    ctx c = {.t = t, .geo = geo, .p = p, .out = out};
    c.have_land = geo && aw_geo_has_land(geo);
    c.have_ports = geo != NULL;
    if (skipped)
        *skipped = !c.have_land ? "no land data: encounters and loitering are not checked against land and shore"
                                : NULL;
    task_pool *tp = calloc(1, sizeof *tp);
    if (!tp) {
        snprintf(err, errcap, "out of memory detecting events");
        return -1;
    }
    tp->base = c;
    /* The spoofing halves split between two MMSIs: each MMSI is one call. */
    size_t h = t->nvessels / 2;
    while (h > 0 && h < t->nvessels && t->vessels[h].mmsi == t->vessels[h - 1].mmsi) h++;
    tp->mmsi_half = h;
    pthread_mutex_init(&tp->mu, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nthreads = cores < 1 ? 1 : cores > T_COUNT ? T_COUNT : (unsigned)cores;
    pthread_t tid[T_COUNT];
    unsigned started = 0;
    for (unsigned i = 1; i < nthreads; i++)
        if (pthread_create(&tid[started], NULL, task_worker, tp) == 0) started++;
    task_worker(tp);
    for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&tp->mu);

    size_t n0 = out->n;
    bool oom = false;
    for (int k = 0; k < T_COUNT; k++) oom |= tp->oom[k];
    if (!oom && append_list(&c, &tp->lists[T_ENCOUNTERS]) && append_list(&c, &tp->lists[T_LOITERING]) &&
        append_list(&c, &tp->lists[T_GAPS])) {
        dark_rendezvous(&c, n0);
        if (!c.oom) draught_changes(&c, n0);
        if (!c.oom && append_list(&c, &tp->lists[T_ID_CONFLICTS]) && append_list(&c, &tp->lists[T_ID_CHANGES]) &&
            append_list(&c, &tp->lists[T_SPOOF]))
            (void)append_list(&c, &tp->lists[T_SPOOF_2]);
    }
    for (int k = 0; k < T_COUNT; k++) aw_events_free(&tp->lists[k]);
    free(tp->samples[0].v), free(tp->samples[1].v);
    free(tp);
    if (oom || c.oom) {
        snprintf(err, errcap, "out of memory detecting events");
        return -1;
    }
    return 0;
}
