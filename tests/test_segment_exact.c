/* test_segment_exact.c — the segmenter's shortcuts (tables, caches, bounds; see the head
 * of src/lib/segment.c) change no output: on random tracks built to reach every branch
 * (shared MMSIs, glitches, ships lying still, equal times, gaps past max_hours, NaN and
 * 102.3 kn speeds, courses of 360, -0.0 and off the 0.1-degree grid, the antimeridian,
 * the poles) and random parameters, aw_segment_track_motion() gives exactly the segment
 * numbers of the plain loop kept below, the implementation the shortcuts replaced. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/segment.h"
#include "check.h"

/* ---- the plain loop: every candidate scored in full, every value computed as it comes ---- */

#define NONE UINT32_MAX

typedef struct ref_motion {
    double ve, vn, speed;
} ref_motion;

typedef struct ref_match {
    double score;
    uint32_t cand;
    unsigned lookback;
} ref_match;

typedef struct ref_work {
    ref_motion *mot;
    uint32_t *seg, *prev, *tail, *count, *remap, *open;
    double *score;
    uint8_t *dropped;
} ref_work;

static ref_motion ref_motion_at(const float *sog, const float *cog, size_t i) {
    ref_motion m = {0, 0, 0};
    if (!sog || !cog) return m;
    double s = sog[i], c = cog[i];
    if (!(s > 0) || s >= 102.2) return m;
    if (!(c >= 0) || c >= 360.0) return m;
    double r = c * (M_PI / 180.0);
    m.ve = s * sin(r);
    m.vn = s * cos(r);
    m.speed = s;
    return m;
}

static double ref_discrepancy(double lat1, double lon1, ref_motion m1, double lat2, double lon2, ref_motion m2,
                              double hours, double shape) {
    double dlon = lon2 - lon1;
    if (dlon > 180.0) dlon -= 360.0;
    else if (dlon < -180.0) dlon += 360.0;
    double coslat = cos((lat1 + lat2) * (0.5 * M_PI / 180.0));
    double de = 60.0 * coslat * dlon, dn = 60.0 * (lat2 - lat1);
    double dist = sqrt(de * de + dn * dn);
    if (m1.speed == 0 && m2.speed == 0) return dist;
    double e1 = de - m1.ve * hours, n1 = dn - m1.vn * hours, e2 = de - m2.ve * hours, n2 = dn - m2.vn * hours;
    double d1 = 0.5 * (sqrt(e1 * e1 + n1 * n1) + sqrt(e2 * e2 + n2 * n2));
    double d2 = dist * shape;
    double best = d1 < d2 ? d1 : d2;
    double n21 = INFINITY, n12 = INFINITY;
    if (m1.speed > 0) {
        double t = (de * m1.ve + dn * m1.vn) / m1.speed;
        if (t > 0 && t <= m1.speed * hours) n21 = fabs(de * m1.vn - dn * m1.ve) / m1.speed;
    }
    if (m2.speed > 0) {
        double t = (de * m2.ve + dn * m2.vn) / m2.speed;
        if (t > 0 && t <= m2.speed * hours) n12 = fabs(de * m2.vn - dn * m2.ve) / m2.speed;
    }
    double d3 = 0.5 * (n21 + n12) * shape;
    return d3 < best ? d3 : best;
}

static ref_match ref_segment_match(const ref_work *w, uint32_t s, size_t i, const int64_t *t, const double *lat,
                                   const double *lon, const aw_segment_params *p, double alpha0) {
    ref_match best = {0, NONE, 0};
    double best_lb = 0, existing = 0;
    ref_motion mi = w->mot[i];
    uint32_t k = w->tail[s];
    for (unsigned lb = 0; lb < p->lookback && k != NONE; lb++, k = w->prev[k]) {
        double hours = (double)(t[i] - t[k]) / 3.6e6;
        if (hours > p->max_hours) break;
        double padded = sqrt(hours * hours + p->buffer_hours * p->buffer_hours);
        double lb_div = lb * p->lookback_factor > 1.0 ? lb * p->lookback_factor : 1.0;
        double bound = 1.0 / padded / lb_div;
        if (!(bound > existing && bound > best_lb)) {
            existing = w->score[k];
            continue;
        }
        double ratio = hours / p->penalty_hours;
        double ph = hours / (1.0 + (p->hours_exp == 0.5 ? sqrt(ratio) : pow(ratio, 1.0 - p->hours_exp)));
        double disc = ref_discrepancy(lat[k], lon[k], w->mot[k], lat[i], lon[i], mi, ph, p->shape_factor);
        double allowed = padded * p->max_speed_kn;
        if (disc <= allowed) {
            double a = alpha0 * disc / allowed;
            double score = exp(-a * a) / padded;
            double score_lb = score / lb_div;
            if (score_lb > existing && score_lb > best_lb) {
                best_lb = score_lb;
                best.score = score;
                best.cand = k;
                best.lookback = lb;
            }
        }
        existing = w->score[k];
    }
    return best;
}

static void ref_close_open(ref_work *w, size_t *nopen, size_t j) { w->open[j] = w->open[--*nopen]; }

static void ref_new_segment(ref_work *w, size_t *nopen, uint32_t *nseg, size_t i, const int64_t *t,
                            const aw_segment_params *p) {
    if (*nopen >= p->max_open_segments) {
        size_t stalest = 0;
        for (size_t j = 1; j < *nopen; j++)
            if (t[w->tail[w->open[j]]] < t[w->tail[w->open[stalest]]]) stalest = j;
        ref_close_open(w, nopen, stalest);
    }
    uint32_t s = (*nseg)++;
    w->tail[s] = (uint32_t)i;
    w->count[s] = 1;
    w->seg[i] = s;
    w->prev[i] = NONE;
    w->score[i] = 0;
    w->open[(*nopen)++] = s;
}

/* Valid input and params only: the tests below give nothing else. */
static int ref_segment(const int64_t *time_ms, const double *lat, const double *lon, const float *sog_kn,
                       const float *cog_deg, size_t n, const aw_segment_params *p, ref_work *w, uint32_t *out) {
    const double alpha0 = p->max_speed_kn / p->penalty_speed_kn;
    size_t nopen = 0;
    uint32_t nseg = 0;
    memset(w->dropped, 0, n);
    for (size_t i = 0; i < n; i++) w->mot[i] = ref_motion_at(sog_kn, cog_deg, i);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < nopen;) {
            if ((double)(time_ms[i] - time_ms[w->tail[w->open[j]]]) / 3.6e6 > p->max_hours) ref_close_open(w, &nopen, j);
            else j++;
        }
        size_t best_j = SIZE_MAX, nmatch = 0;
        ref_match best = {0, NONE, 0};
        double best_w = 0, second_w = 0;
        for (size_t j = 0; j < nopen; j++) {
            uint32_t s = w->open[j];
            ref_match m = ref_segment_match(w, s, i, time_ms, lat, lon, p, alpha0);
            if (m.score <= 0) continue;
            nmatch++;
            double c = (double)w->count[s] / p->short_seg_threshold;
            double wt = m.score * c / sqrt(1.0 + c * c);
            if (wt > best_w) {
                second_w = best_w;
                best_w = wt;
                best = m;
                best_j = j;
            } else if (wt > second_w) {
                second_w = wt;
            }
        }
        if (nmatch == 0) {
            ref_new_segment(w, &nopen, &nseg, i, time_ms, p);
            continue;
        }
        if (nmatch > 1 && p->ambiguity_factor > 0 && second_w * p->ambiguity_factor >= best_w) {
            double cut = best_w / p->ambiguity_factor;
            for (size_t j = 0; j < nopen;) {
                uint32_t s = w->open[j];
                ref_match m = ref_segment_match(w, s, i, time_ms, lat, lon, p, alpha0);
                double c = (double)w->count[s] / p->short_seg_threshold;
                if (m.score > 0 && m.score * c / sqrt(1.0 + c * c) >= cut) ref_close_open(w, &nopen, j);
                else j++;
            }
            ref_new_segment(w, &nopen, &nseg, i, time_ms, p);
            continue;
        }
        /* Every weight underflowed to 0 (a tiny penalty speed makes exp() subnormal): the
         * original indexed open[SIZE_MAX] here; both now start a new segment. */
        if (best_j == SIZE_MAX) {
            ref_new_segment(w, &nopen, &nseg, i, time_ms, p);
            continue;
        }
        uint32_t s = w->open[best_j];
        for (uint32_t k = w->tail[s]; k != best.cand; k = w->prev[k]) w->dropped[k] = 1;
        w->prev[i] = best.cand;
        w->tail[s] = (uint32_t)i;
        w->count[s]++;
        w->seg[i] = s;
        w->score[i] = best.score;
    }
    for (size_t i = 0; i < n; i++)
        if (w->dropped[i]) w->seg[i] = nseg++;
    for (uint32_t s = 0; s < nseg; s++) w->remap[s] = NONE;
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t s = w->seg[i];
        if (w->remap[s] == NONE) w->remap[s] = next++;
        out[i] = w->remap[s];
    }
    return (int)next;
}

/* ---- random tracks ---- */

#define MAXN 700
#define MAX_OPEN 16

static uint64_t rng_state = 0x5eed5eed12345678u;

static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}
static double uni(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

typedef struct ship {
    double lat, lon, sog_kn, cog_deg;
    bool still;
} ship;

static int64_t t[MAXN];
static double lat[MAXN], lon[MAXN];
static float sog[MAXN], cog[MAXN];

static float random_course(double course) {
    switch (below(16)) {
    case 0: return NAN;
    case 1: return 360.0f;
    case 2: return -0.0f;
    case 3: return (float)(uni() * 360.0);     /* off the 0.1-degree grid */
    case 4: return 359.99997f;
    case 5: return (float)(uni() * 400.0 - 20.0); /* out of range either side */
    default: return (float)lround(course * 10.0) / 10.0f; /* cog_ddeg / 10.0f, as the track stage */
    }
}

static float random_speed(double sog_kn) {
    switch (below(20)) {
    case 0: return NAN;
    case 1: return 102.3f;
    case 2: return 102.2f;
    case 3: return 0.0f;
    case 4: return -1.0f;
    case 5: return (float)(uni() * 120.0);
    default: return (float)lround(sog_kn * 10.0) / 10.0f;
    }
}

/* n points of 1-4 ships sharing one MMSI, with glitches, in time order. */
static size_t random_track(void) {
    size_t n = 1 + below(below(4) ? 200 : MAXN);
    ship ships[4];
    unsigned nships = 1 + below(4);
    /* Near the antimeridian, near a pole, or anywhere. */
    unsigned where = below(4);
    for (unsigned s = 0; s < nships; s++) {
        ship *sh = &ships[s];
        sh->lat = where == 1 ? 89.0 + uni() : uni() * 140.0 - 70.0;
        sh->lon = where == 0 ? 179.5 + uni() * 0.4 : uni() * 360.0 - 180.0;
        if (below(3) == 0 && s) sh->lat = ships[0].lat + uni() * 0.5, sh->lon = ships[0].lon; /* close by */
        sh->sog_kn = below(4) ? uni() * 25.0 : 0.0;
        sh->cog_deg = uni() * 360.0;
        sh->still = below(4) == 0;
    }
    /* Reports at a ship's regular interval, sometimes the same instant, sometimes a gap
     * around or beyond max_hours. */
    static const int64_t steps[] = {0, 2000, 10000, 10000, 10000, 60000, 180000, 600000};
    int64_t now = 1700000000000 + (int64_t)below(1000000);
    for (size_t i = 0; i < n; i++) {
        int64_t dt;
        unsigned r = below(100);
        if (r < 3) dt = 24 * 3600000 + (int64_t)below(3) - 1; /* max_hours, give or take 1 ms */
        else if (r < 5) dt = (int64_t)(uni() * 60 * 3600000.0);
        else if (r < 8) dt = (int64_t)below(3600000);
        else dt = steps[below(sizeof steps / sizeof *steps)];
        now += dt;
        t[i] = now;
        ship *sh = &ships[below(nships)];
        if (!sh->still) {
            double h = dt / 3.6e6, d_nm = sh->sog_kn * h, r_course = sh->cog_deg * M_PI / 180.0;
            sh->lat += d_nm * cos(r_course) / 60.0;
            sh->lon += d_nm * sin(r_course) / (60.0 * fmax(cos(sh->lat * M_PI / 180.0), 0.01));
            if (sh->lat > 90.0) sh->lat = 180.0 - sh->lat, sh->cog_deg = fmod(sh->cog_deg + 180.0, 360.0);
            if (sh->lat < -90.0) sh->lat = -180.0 - sh->lat, sh->cog_deg = fmod(sh->cog_deg + 180.0, 360.0);
            if (sh->lon > 180.0) sh->lon -= 360.0;
            if (sh->lon < -180.0) sh->lon += 360.0;
            if (below(10) == 0) sh->cog_deg = fmod(sh->cog_deg + uni() * 60.0 + 330.0, 360.0);
        }
        double la = sh->lat, lo = sh->lon;
        unsigned g = below(50);
        if (g == 0) la = uni() * 180.0 - 90.0, lo = uni() * 360.0 - 180.0;   /* far glitch */
        else if (g == 1) la += uni() * 0.2 - 0.1;                            /* near glitch */
        else if (g == 2) lo = -lo;                                           /* sign flip */
        /* Positions as the track stage makes them: 1/10000 minute, mostly. */
        if (below(5)) la = round(la * 600000.0) / 600000.0, lo = round(lo * 600000.0) / 600000.0;
        lat[i] = fmin(fmax(la, -90.0), 90.0);
        lon[i] = fmin(fmax(lo, -180.0), 180.0);
        sog[i] = random_speed(sh->still ? 0.0 : sh->sog_kn);
        cog[i] = random_course(sh->cog_deg);
    }
    return n;
}

static void random_params(aw_segment_params *p) {
    aw_segment_params_default(p);
    if (below(3) == 0) return;
    static const double hours_exp[] = {0.5, 0.5, 0.0, 0.3, 1.0};
    static const double max_hours[] = {24.0, 24.0, 1.0, 0.01, 1e300};
    static const double penalty_speed[] = {5.0, 5.0, 1.0, 0.1};
    static const double buffer_hours[] = {0.25, 0.25, 0.01, 2.0};
    p->hours_exp = hours_exp[below(5)];
    p->max_hours = max_hours[below(5)];
    p->penalty_speed_kn = penalty_speed[below(4)];
    p->buffer_hours = buffer_hours[below(4)];
    p->max_speed_kn = below(2) ? 25.0 : 5.0 + uni() * 50.0;
    p->penalty_hours = below(2) ? 4.0 : 0.5 + uni() * 10.0;
    p->lookback = 1 + below(below(4) ? 8 : 20); /* past the 16 divisors kept per work area */
    p->lookback_factor = below(2) ? 2.0 : 1.0 + uni() * 2.0;
    p->ambiguity_factor = below(3) == 0 ? 0.0 : 1.0 + uni() * 20.0;
    p->short_seg_threshold = 1 + below(20);
    p->shape_factor = below(2) ? 4.0 : 0.5 + uni() * 8.0;
    p->max_open_segments = 1 + below(MAX_OPEN);
}

static void random_tracks_segment_exactly_as_the_plain_loop(aw_segment_work *w) {
    static ref_motion mot[MAXN];
    static uint32_t seg[MAXN], prev[MAXN], tail[MAXN], count[MAXN], remap[MAXN], open[MAX_OPEN];
    static double score[MAXN];
    static uint8_t dropped[MAXN];
    ref_work rw = {mot, seg, prev, tail, count, remap, open, score, dropped};
    static uint32_t want[MAXN], got[MAXN];
    int differing = 0, tracks = 0, segments = 0;
    for (int round = 0; round < 3000; round++) {
        size_t n = random_track();
        aw_segment_params p;
        random_params(&p);
        /* Positions only, then with speed and course, on the same work area (whose
         * tables and caches must not carry one call's params into the next). */
        for (int motion = 0; motion < 2; motion++) {
            const float *s = motion ? sog : NULL, *c = motion ? cog : NULL;
            int nwant = ref_segment(t, lat, lon, s, c, n, &p, &rw, want);
            int ngot = aw_segment_track_motion(t, lat, lon, s, c, n, &p, w, got);
            if (ngot != nwant || memcmp(want, got, n * sizeof *got) != 0) {
                if (differing++ < 5)
                    fprintf(stderr, "round %d (motion %d, %zu points): %d segments, plain loop %d\n", round, motion,
                            n, ngot, nwant);
            }
            tracks++;
            segments += nwant;
        }
    }
    printf("%d random tracks, %d segments in all, %d differing\n", tracks, segments, differing);
    CHECK_EQ_INT(differing, 0);
    CHECK(segments > 3 * tracks); /* the tracks split: the rules were exercised */
}

int main(void) {
    aw_segment_work *w = aw_segment_work_new();
    CHECK(w != NULL);
    random_tracks_segment_exactly_as_the_plain_loop(w);
    aw_segment_work_free(w);
    return check_report("test_segment_exact");
}
