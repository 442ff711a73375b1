/* segment.c — GFW-style track segmentation of one MMSI (see aiswatch/segment.h).
 *
 * Data layout: per point we keep the raw segment id, a link to the previous kept point
 * of the same segment, the score it joined with and a dropped flag; per segment its
 * newest kept point, its point count and last time. Open segments are a small array
 * (at most max_open_segments), so one point costs open segments x lookback discrepancy
 * evaluations and nothing else. Dropping lookback points only ever removes a segment's
 * newest points, so the per-segment linked list stays a plain "previous kept point"
 * chain without deletion in the middle.
 *
 * Geometry is GFW's: a local flat-earth frame in nautical miles at the mean latitude
 * (longitude difference wrapped to ±180). At the distances that decide a match (tens of
 * nm) its error is far below the noise; at continental distances any point is rejected
 * anyway. Dead reckoning works directly in that frame rather than in degrees as GFW
 * does; the difference is second order in the displacement. Magnitudes are bounded
 * (nm on Earth, hours in a day), so plain sqrt replaces the slower overflow-safe hypot.
 *
 * Speed: every shortcut below is exact, so the output is bit for bit that of the plain
 * loop (tests/test_segment_exact.c keeps the plain loop and compares the two on random
 * tracks and params):
 *   - point i - 1 is always the newest point of an open segment when point i comes, so
 *     their score is computed for all points first, in a loop whose iterations do not
 *     wait for one another (the cosines, roots and exp() of successive points overlap);
 *   - a course arrives as a float that is almost always cog_ddeg / 10.0f; the sine and
 *     cosine of each of those 3600 values is computed once per work area, on first use;
 *   - what depends only on a candidate pair's time difference (the padded hours, the
 *     dead-reckoning hours, the allowance) comes from a small cache keyed by that
 *     difference: reports come at regular intervals, so it nearly always hits;
 *   - "silent for longer than max_hours" is one integer comparison of the time difference;
 *   - a candidate's score bound only falls as a segment is walked back, so once it
 *     cannot beat the best so far, nothing older can either; lookback divisors that are
 *     powers of two (GFW's 2 and 4) are applied as multiplications;
 *   - the latitude cosine is skipped when the longitudes are equal (the east offset is
 *     a zero either way), the course-line distances when a point is out of reach (that
 *     term is then infinite), exp() when the discrepancy is 0, and the weights of the
 *     candidates when only one segment matched (it wins whatever its weight);
 *   - the ambiguity rule reuses the first pass's matches instead of scoring again.
 * On a simulated day (7.5 M points, 7036 ships) that takes 0.52 of the plain loop's CPU
 * time; the libm cos() and exp() that remain are a quarter of what is left.
 */
#include "aiswatch/segment.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
/* Courses 0.0, 0.1, ... 359.9 degrees: the track stage's cog_ddeg / 10.0f. */
#define COURSES 3600
/* A power of two. Reports come at a few intervals per ship, so a few dozen entries
 * hold the time differences of a track's consecutive points. */
#define HOURS_CACHE 64
/* Lookbacks whose divisor is kept per call (GFW looks back 5). */
#define LOOKBACKS 16

typedef struct motion {
    double ve, vn, speed;
} motion;

typedef struct match {
    double score;      /* unweighted score of the chosen candidate, 0 = no match */
    uint32_t cand;     /* the segment point matched */
    unsigned lookback; /* how many newer points that drops */
} match;

/* What a candidate pair's time difference alone decides, for the params it was made for. */
typedef struct hours_entry {
    int64_t dt_ms;     /* the time difference these values are for */
    double padded;     /* sqrt(hours^2 + buffer_hours^2) */
    double inv_padded; /* 1 / padded: the score bound before the lookback divisor */
    double ph;         /* hours shortened for dead reckoning */
    double allowed;    /* padded * max_speed_kn: the largest discrepancy that matches, nm */
} hours_entry;

struct aw_segment_work {
    motion *mot;        /* each point's velocity, east and north (knots), computed once */
    size_t cap_pts;     /* capacity of the per-point arrays */
    uint32_t *seg;      /* raw segment id per point */
    uint32_t *prev;     /* previous kept point of the same segment, NONE at its start */
    double *score;      /* score the point joined with (0 for a segment's first point) */
    double *score_prev; /* score of point i against point i - 1 at lookback 0 (0: no match) */
    uint8_t *dropped;   /* 1 when a later point matched past it (lookback) */
    size_t cap_segs;    /* capacity of the per-segment arrays (raw ids) */
    uint32_t *tail;     /* newest kept point per raw segment */
    uint32_t *count;    /* points joined per raw segment */
    uint32_t *remap;    /* raw id -> output number */
    uint32_t *open;     /* raw ids of open segments */
    match *cand;        /* per open segment (index as in open): the current point's match */
    double *weight;     /* per open segment: that match weighted by the segment's length */
    size_t cap_open;
    const char *err;
    /* (double)dt_ms / 3.6e6 > max_hours holds exactly when dt_ms >= close_dt_ms, unless
     * close_never; worked out for max_hours == close_for_hours. */
    double close_for_hours;
    int64_t close_dt_ms;
    bool close_never;
    /* By time difference, for the params in hours_params (bit for bit): kept from one
     * track to the next while they stay the same. */
    hours_entry hours[HOURS_CACHE];
    double hours_params[4];
    bool hours_valid;
    /* Per lookback lb < LOOKBACKS: max(lb * lb_factor, 1), and its reciprocal when that is
     * a power of two (else 0). x * 2^-e and x / 2^e are both the correctly rounded
     * x / 2^e, so the same double, and a multiplication is much faster. */
    double lb_factor, lb_div[LOOKBACKS], lb_inv[LOOKBACKS];
    uint8_t course_known[COURSES];        /* 1 once course_bits/east/north[k] are filled */
    uint32_t course_bits[COURSES];        /* the float k / 10.0f, bit for bit */
    double course_east[COURSES], course_north[COURSES];
};

void aw_segment_params_default(aw_segment_params *p) {
    p->max_speed_kn = 25.0;
    p->buffer_hours = 0.25;
    p->max_hours = 24.0;
    p->penalty_hours = 4.0;
    p->hours_exp = 0.5;
    p->penalty_speed_kn = 5.0;
    p->lookback = 5;
    p->lookback_factor = 2.0;
    p->ambiguity_factor = 10.0;
    p->short_seg_threshold = 10;
    p->shape_factor = 4.0;
    p->max_open_segments = 100;
}

aw_segment_work *aw_segment_work_new(void) {
    aw_segment_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->err = "";
    w->close_for_hours = NAN;
    w->lb_factor = NAN;
    return w;
}

void aw_segment_work_free(aw_segment_work *w) {
    if (!w) return;
    free(w->mot);
    free(w->seg);
    free(w->prev);
    free(w->score);
    free(w->score_prev);
    free(w->dropped);
    free(w->tail);
    free(w->count);
    free(w->remap);
    free(w->open);
    free(w->cand);
    free(w->weight);
    free(w);
}

const char *aw_segment_work_error(const aw_segment_work *w) { return w ? w->err : "no work area"; }

static bool grow(void **p, size_t n, size_t elem) {
    void *q = realloc(*p, n * elem);
    if (!q) return false;
    *p = q;
    return true;
}

/* Sized for the whole track up front: a track has at most n raw segments (every point
 * starting one, plus dropped points each becoming one, which are points too). */
static bool reserve(aw_segment_work *w, size_t n, size_t open) {
    if (n > w->cap_pts) {
        size_t cap = w->cap_pts ? w->cap_pts : 1024;
        while (cap < n) cap *= 2;
        if (!grow((void **)&w->mot, cap, sizeof *w->mot) || !grow((void **)&w->seg, cap, sizeof *w->seg) || !grow((void **)&w->prev, cap, sizeof *w->prev) ||
            !grow((void **)&w->score, cap, sizeof *w->score) || !grow((void **)&w->score_prev, cap, sizeof *w->score_prev) ||
            !grow((void **)&w->dropped, cap, sizeof *w->dropped) ||
            !grow((void **)&w->tail, cap, sizeof *w->tail) || !grow((void **)&w->count, cap, sizeof *w->count) ||
            !grow((void **)&w->remap, cap, sizeof *w->remap))
            return false;
        w->cap_pts = w->cap_segs = cap;
    }
    if (open > w->cap_open) {
        if (!grow((void **)&w->open, open, sizeof *w->open) || !grow((void **)&w->cand, open, sizeof *w->cand) ||
            !grow((void **)&w->weight, open, sizeof *w->weight))
            return false;
        w->cap_open = open;
    }
    return true;
}

/* Unit vector (east, north) of a course in degrees: the one place where both the table
 * and the courses outside it are computed, so that both give the same doubles. */
static void course_unit(double c, double *east, double *north) {
    double r = c * (M_PI / 180.0);
    *east = sin(r);
    *north = cos(r);
}

/* Motion of one point in the local frame: velocity (east, north) in kn. */
static motion motion_at(aw_segment_work *w, const float *sog, const float *cog, size_t i) {
    motion m = {0, 0, 0};
    if (!sog || !cog) return m;
    double s = sog[i], c = cog[i];
    /* 102.2+ kn is AIS "fast or not available"; a negative or NaN speed is garbage. */
    if (!(s > 0) || s >= 102.2) return m;
    /* An unknown course says nothing about direction: treat as not moving. GFW does so
     * below 0.35 kn and rejects the message above; we keep the position, which still
     * has to pass the distance test. */
    if (!(c >= 0) || c >= 360.0) return m;
    /* The table holds exactly the floats k / 10.0f (compared bit for bit, so -0.0 is not
     * taken for 0.0); any other course is computed as it comes. */
    float cf = cog[i];
    uint32_t bits;
    memcpy(&bits, &cf, sizeof bits);
    unsigned k = (unsigned)(cf * 10.0f + 0.5f);
    if (k < COURSES && !w->course_known[k]) {
        float tenths = (float)k / 10.0f;
        memcpy(&w->course_bits[k], &tenths, sizeof tenths);
        course_unit(tenths, &w->course_east[k], &w->course_north[k]);
        w->course_known[k] = 1;
    }
    double east, north;
    if (k < COURSES && w->course_bits[k] == bits) {
        east = w->course_east[k];
        north = w->course_north[k];
    } else {
        course_unit(c, &east, &north);
    }
    m.ve = s * east;
    m.vn = s * north;
    m.speed = s;
    return m;
}

/* GFW's discrepancy (nm) between point 1 (earlier) and point 2 after `hours` (already
 * penalised): the smallest of (1) the mean miss of dead reckoning forward from 1 and
 * backward from 2, (2) shape_factor x the distance (the ship stood still), and
 * (3) shape_factor x the mean distance of each point from the other's course line when
 * it lies along that line within reach. With no motion all three reduce to the distance. */
static double discrepancy(double lat1, double lon1, motion m1, double lat2, double lon2, motion m2,
                          double hours, double shape) {
    double dlon = lon2 - lon1;
    if (dlon > 180.0) dlon -= 360.0;
    else if (dlon < -180.0) dlon += 360.0;
    /* Equal longitudes make de a zero whatever the cosine, so it is not computed. (Only
     * the sign of that zero could differ, and it never shows: de is squared, compared
     * with 0 in t, or under fabs.) */
    double de = dlon;
    if (dlon != 0) {
        double coslat = cos((lat1 + lat2) * (0.5 * M_PI / 180.0));
        de = 60.0 * coslat * dlon;
    }
    double dn = 60.0 * (lat2 - lat1);
    double dist = sqrt(de * de + dn * dn);
    if (m1.speed == 0 && m2.speed == 0) return dist;
    double e1 = de - m1.ve * hours, n1 = dn - m1.vn * hours, e2 = de - m2.ve * hours, n2 = dn - m2.vn * hours;
    double d1 = 0.5 * (sqrt(e1 * e1 + n1 * n1) + sqrt(e2 * e2 + n2 * n2));
    double d2 = dist * shape;
    double best = d1 < d2 ? d1 : d2;
    /* (3) is infinite, so never the smallest, unless each point lies along the other's
     * course within reach: the distances from the course lines wait for that. */
    if (!(m1.speed > 0 && m2.speed > 0)) return best;
    double t21 = (de * m1.ve + dn * m1.vn) / m1.speed;
    if (!(t21 > 0 && t21 <= m1.speed * hours)) return best;
    double t12 = (de * m2.ve + dn * m2.vn) / m2.speed;
    if (!(t12 > 0 && t12 <= m2.speed * hours)) return best;
    double n21 = fabs(de * m1.vn - dn * m1.ve) / m1.speed;
    double n12 = fabs(de * m2.vn - dn * m2.ve) / m2.speed;
    double d3 = 0.5 * (n21 + n12) * shape;
    return d3 < best ? d3 : best;
}

/* Fills a cache entry: kept out of line so that the hit below stays small. */
static __attribute__((noinline)) const hours_entry *hours_fill(hours_entry *e, int64_t dt_ms,
                                                              const aw_segment_params *p) {
    double hours = (double)dt_ms / 3.6e6;
    e->dt_ms = dt_ms;
    e->padded = sqrt(hours * hours + p->buffer_hours * p->buffer_hours);
    e->inv_padded = 1.0 / e->padded;
    /* GFW's default exponent 0.5 makes this a square root: pow() is the dearer call. */
    double ratio = hours / p->penalty_hours;
    e->ph = hours / (1.0 + (p->hours_exp == 0.5 ? sqrt(ratio) : pow(ratio, 1.0 - p->hours_exp)));
    e->allowed = e->padded * p->max_speed_kn;
    return e;
}

/* The values of one time difference: from the cache, or computed into it. */
static inline const hours_entry *hours_of(aw_segment_work *w, int64_t dt_ms, const aw_segment_params *p) {
    hours_entry *e = &w->hours[((uint64_t)dt_ms * UINT64_C(0x9E3779B97F4A7C15)) >> 58];
    return e->dt_ms == dt_ms ? e : hours_fill(e, dt_ms, p);
}

/* Empties the cache when the params it depends on change, by making every entry that
 * of a difference of 0, so that no "empty" key can pass for a real difference. */
static void hours_params(aw_segment_work *w, const aw_segment_params *p) {
    double key[4] = {p->buffer_hours, p->penalty_hours, p->hours_exp, p->max_speed_kn};
    if (w->hours_valid && memcmp(key, w->hours_params, sizeof key) == 0) return;
    memcpy(w->hours_params, key, sizeof key);
    w->hours_valid = true;
    w->hours[0].dt_ms = -1;
    hours_entry zero = *hours_of(w, 0, p);
    for (size_t j = 0; j < HOURS_CACHE; j++) w->hours[j] = zero;
}

/* (double)dt_ms / 3.6e6 never falls as dt_ms rises, so "> max_hours" holds from one
 * integer on: found by bisection once per max_hours, not a division per comparison. */
static void close_threshold(aw_segment_work *w, double max_hours) {
    if (w->close_for_hours == max_hours) return;
    w->close_for_hours = max_hours;
    w->close_never = !((double)INT64_MAX / 3.6e6 > max_hours);
    int64_t lo = 0, hi = INT64_MAX;
    while (!w->close_never && lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((double)mid / 3.6e6 > max_hours) hi = mid;
        else lo = mid + 1;
    }
    w->close_dt_ms = lo;
}

static void lookback_divisors(aw_segment_work *w, const aw_segment_params *p) {
    if (memcmp(&w->lb_factor, &p->lookback_factor, sizeof w->lb_factor) == 0) return;
    w->lb_factor = p->lookback_factor;
    for (unsigned lb = 0; lb < LOOKBACKS; lb++) {
        double d = lb * p->lookback_factor > 1.0 ? lb * p->lookback_factor : 1.0;
        int e;
        w->lb_div[lb] = d;
        w->lb_inv[lb] = isfinite(d) && frexp(d, &e) == 0.5 ? 1.0 / d : 0;
    }
}

/* x / max(lb * lookback_factor, 1): the score divisor of looking back lb points. */
static inline double per_lookback(const aw_segment_work *w, double x, unsigned lb, const aw_segment_params *p) {
    if (lb >= LOOKBACKS) return x / (lb * p->lookback_factor > 1.0 ? lb * p->lookback_factor : 1.0);
    return w->lb_inv[lb] != 0 ? x * w->lb_inv[lb] : x / w->lb_div[lb];
}

/* Points dt_ms apart are further apart than max_hours. */
static bool too_old(const aw_segment_work *w, int64_t dt_ms) {
    return dt_ms >= w->close_dt_ms && !w->close_never;
}

/* Unweighted score of point i continuing from point k, h apart; 0 when too far. */
static double pair_score(const aw_segment_work *w, size_t k, size_t i, const double *lat, const double *lon,
                         const hours_entry *h, double shape, double alpha0) {
    double disc = discrepancy(lat[k], lon[k], w->mot[k], lat[i], lon[i], w->mot[i], h->ph, shape);
    if (!(disc <= h->allowed)) return 0;
    double a = alpha0 * disc / h->allowed;
    /* exp(-0) is exactly 1: a ship lying still repeats its position. */
    return a == 0 ? h->inv_padded : exp(-a * a) / h->padded;
}

/* Best way for point i to continue segment s, per GFW's Matcher._compute_segment_match. */
static match segment_match(aw_segment_work *w, uint32_t s, size_t i, const int64_t *t, const double *lat,
                           const double *lon, const aw_segment_params *p, double alpha0) {
    match best = {0, NONE, 0};
    double best_lb = 0, existing = 0;
    uint32_t k = w->tail[s];
    for (unsigned lb = 0; lb < p->lookback && k != NONE; lb++, k = w->prev[k]) {
        int64_t dt_ms = t[i] - t[k];
        if (too_old(w, dt_ms)) break;
        const hours_entry *h = hours_of(w, dt_ms, p);
        /* exp() of a non-positive number is at most 1, so no candidate can score above
         * (1 / padded) / lb_div: when that cannot win, the discrepancy (the dear part:
         * a cosine, square roots, an exp) is not worth computing. Exact, not a heuristic.
         * Older points lie further back in time and are divided more, so their bound is
         * no higher: once it cannot beat the best so far, none of theirs can. */
        double bound = per_lookback(w, h->inv_padded, lb, p);
        if (!(bound > best_lb)) break;
        if (!(bound > existing)) {
            existing = w->score[k];
            continue;
        }
        double score = k + 1 == i && lb == 0 ? w->score_prev[i]
                                             : pair_score(w, k, i, lat, lon, h, p->shape_factor, alpha0);
        if (score > 0) {
            double score_lb = per_lookback(w, score, lb, p);
            /* Never drop points to get a match worse than the one they joined with. */
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

/* An open segment's match and weight move with it. */
static void close_open(aw_segment_work *w, size_t *nopen, size_t j) {
    size_t last = --*nopen;
    w->open[j] = w->open[last];
    w->cand[j] = w->cand[last];
    w->weight[j] = w->weight[last];
}

static uint32_t new_segment(aw_segment_work *w, size_t *nopen, uint32_t *nseg, size_t i, const int64_t *t,
                            const aw_segment_params *p) {
    if (*nopen >= p->max_open_segments) {
        size_t stalest = 0;
        for (size_t j = 1; j < *nopen; j++)
            if (t[w->tail[w->open[j]]] < t[w->tail[w->open[stalest]]]) stalest = j;
        close_open(w, nopen, stalest);
    }
    uint32_t s = (*nseg)++;
    w->tail[s] = (uint32_t)i;
    w->count[s] = 1;
    w->seg[i] = s;
    w->prev[i] = NONE;
    w->score[i] = 0;
    w->open[(*nopen)++] = s;
    return s;
}

static bool params_ok(const aw_segment_params *p) {
    return p->max_speed_kn > 0 && p->buffer_hours > 0 && p->max_hours > 0 && p->penalty_hours > 0 &&
           p->hours_exp >= 0 && p->hours_exp <= 1 && p->penalty_speed_kn > 0 && p->lookback >= 1 &&
           p->lookback_factor >= 1 && (p->ambiguity_factor >= 1 || p->ambiguity_factor == 0) && p->short_seg_threshold >= 1 &&
           p->shape_factor > 0 && p->max_open_segments >= 1;
}

int aw_segment_track_motion(const int64_t *time_ms, const double *lat, const double *lon, const float *sog_kn,
                            const float *cog_deg, size_t n, const aw_segment_params *p, aw_segment_work *w,
                            uint32_t *out) {
    if (!w) return -1;
    w->err = "";
    if (n == 0) return 0;
    if (!time_ms || !lat || !lon || !p || !out) return w->err = "NULL argument", -1;
    if (n >= ((size_t)1 << 31)) return w->err = "track too long", -1;
    if (!params_ok(p)) return w->err = "invalid parameter", -1;
    for (size_t i = 0; i < n; i++) {
        if (!(fabs(lat[i]) <= 90.0) || !(fabs(lon[i]) <= 180.0)) return w->err = "position out of range", -1;
        if (i && time_ms[i] < time_ms[i - 1]) return w->err = "time not in order", -1;
    }
    if (!reserve(w, n, p->max_open_segments)) return w->err = "out of memory", -1;

    const double alpha0 = p->max_speed_kn / p->penalty_speed_kn;
    size_t nopen = 0;
    uint32_t nseg = 0;
    memset(w->dropped, 0, n);
    hours_params(w, p);
    close_threshold(w, p->max_hours);
    lookback_divisors(w, p);
    for (size_t i = 0; i < n; i++) w->mot[i] = motion_at(w, sog_kn, cog_deg, i);
    /* Point i - 1 is always the newest point of an open segment when point i comes, so
     * their score is always wanted (unless max_hours or the bound rules it out). Computed
     * here, in a loop without dependences from one point to the next, the cosine, square
     * roots, divisions and exp() of successive points overlap in the processor instead
     * of waiting for each other. */
    for (size_t i = 1; i < n; i++) {
        int64_t dt_ms = time_ms[i] - time_ms[i - 1];
        const hours_entry *h = too_old(w, dt_ms) ? NULL : hours_of(w, dt_ms, p);
        w->score_prev[i] = h && h->inv_padded > 0 ? pair_score(w, i - 1, i, lat, lon, h, p->shape_factor, alpha0) : 0;
    }

    for (size_t i = 0; i < n; i++) {
        /* Close segments silent for longer than max_hours: points come in time order, so
         * nothing can join them again. */
        for (size_t j = 0; j < nopen;) {
            if (too_old(w, time_ms[i] - time_ms[w->tail[w->open[j]]])) close_open(w, &nopen, j);
            else j++;
        }
        /* Score every open segment. */
        size_t nmatch = 0, last_j = 0;
        for (size_t j = 0; j < nopen; j++) {
            w->cand[j] = segment_match(w, w->open[j], i, time_ms, lat, lon, p, alpha0);
            if (w->cand[j].score > 0) nmatch++, last_j = j;
        }
        if (nmatch == 0) {
            new_segment(w, &nopen, &nseg, i, time_ms, p);
            continue;
        }
        /* A lone candidate wins whatever its weight, as long as that is above 0: a score
         * of at least 1e-290 times a length factor of at least 2^-32 is. */
        size_t best_j = last_j;
        if (nmatch > 1 || !(w->cand[last_j].score >= 1e-290)) {
            /* Weigh the candidates down for short segments; keep the best and the runner-up. */
            best_j = SIZE_MAX;
            double best_w = 0, second_w = 0;
            for (size_t j = 0; j < nopen; j++) {
                if (w->cand[j].score <= 0) continue;
                double c = (double)w->count[w->open[j]] / p->short_seg_threshold;
                double wt = w->cand[j].score * c / sqrt(1.0 + c * c);
                w->weight[j] = wt;
                if (wt > best_w) {
                    second_w = best_w;
                    best_w = wt;
                    best_j = j;
                } else if (wt > second_w) {
                    second_w = wt;
                }
            }
            if (nmatch > 1 && p->ambiguity_factor > 0 && second_w * p->ambiguity_factor >= best_w) {
                /* Two segments could both be this ship: GFW closes every segment within the
                 * ambiguity factor of the best and starts afresh, rather than guess. */
                double cut = best_w / p->ambiguity_factor;
                for (size_t j = 0; j < nopen;) {
                    if (w->cand[j].score > 0 && w->weight[j] >= cut) close_open(w, &nopen, j);
                    else j++;
                }
                new_segment(w, &nopen, &nseg, i, time_ms, p);
                continue;
            }
            /* Every weight underflowed to 0 (absurd params only): no usable match. */
            if (best_j == SIZE_MAX) {
                new_segment(w, &nopen, &nseg, i, time_ms, p);
                continue;
            }
        }
        match best = w->cand[best_j];
        uint32_t s = w->open[best_j];
        for (uint32_t k = w->tail[s]; k != best.cand; k = w->prev[k]) w->dropped[k] = 1;
        w->prev[i] = best.cand;
        w->tail[s] = (uint32_t)i;
        w->count[s]++;
        w->seg[i] = s;
        w->score[i] = best.score;
    }

    /* Dropped points become one-point segments, then number segments by first point. */
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

int aw_segment_track(const int64_t *time_ms, const double *lat, const double *lon, size_t n,
                     const aw_segment_params *p, aw_segment_work *work, uint32_t *segment_out) {
    return aw_segment_track_motion(time_ms, lat, lon, NULL, NULL, n, p, work, segment_out);
}
