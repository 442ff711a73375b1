/* test_segment.c — track segmentation against GFW's own expected output and synthetic
 * ships: shared MMSIs split, one ship stays whole, spoofed jumps are singled out. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/segment.h"
#include "check.h"

/* ---- a minimal reader for GFW's JSON-lines test tracks ---- */

typedef struct track {
    size_t n;
    int64_t t[4096];
    double lat[4096], lon[4096];
    float sog[4096], cog[4096];
    char label[4096][48]; /* "segment" or "expected" value, "" when absent */
} track;

static int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Value text after "key": in line, or NULL. */
static const char *field(const char *line, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    return p;
}

/* 1 when the number is present (not null), value in *v. */
static int num(const char *line, const char *key, double *v) {
    const char *p = field(line, key);
    if (!p || *p == 'n') return 0;
    if (*p == '"') p++;
    *v = strtod(p, NULL);
    return 1;
}

static int64_t parse_time_ms(const char *p) {
    /* "2014-01-01 01:14:25.000000" or "2014-01-01T01:14:25.000000Z" */
    int Y, M, D, h, m;
    double s;
    if (sscanf(p + 1, "%d-%d-%d%*c%d:%d:%lf", &Y, &M, &D, &h, &m, &s) != 6) return INT64_MIN;
    return (days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60) * 1000 + (int64_t)llround(s * 1000);
}

/* Reads every row with an available position (not null, not lat 91 / lon 181 or beyond)
 * and drops consecutive rows with identical time and position, as the track stage does
 * with receiver duplicates. Counts what it dropped. */
static void load(const char *rel, track *tr, const char *label_key, int *na, int *dups) {
    char path[512], line[1024];
    FILE *f = fopen(check_data_path(rel, path, sizeof path), "r");
    tr->n = 0;
    *na = *dups = 0;
    while (fgets(line, sizeof line, f)) {
        double lat, lon, sog = NAN, cog = NAN;
        const char *ts = field(line, "timestamp");
        if (!ts) continue;
        if (!num(line, "lat", &lat) || !num(line, "lon", &lon) || fabs(lat) > 90 || fabs(lon) > 180) {
            (*na)++;
            continue;
        }
        num(line, "speed", &sog);
        num(line, "course", &cog);
        int64_t t = parse_time_ms(ts);
        size_t i = tr->n;
        if (i && tr->t[i - 1] == t && tr->lat[i - 1] == lat && tr->lon[i - 1] == lon) {
            (*dups)++;
            continue;
        }
        if (i >= 4096) break;
        tr->t[i] = t;
        tr->lat[i] = lat;
        tr->lon[i] = lon;
        tr->sog[i] = (float)sog;
        tr->cog[i] = (float)cog;
        tr->label[i][0] = 0;
        const char *lp = label_key ? field(line, label_key) : NULL;
        if (lp && *lp == '"') {
            size_t k = 0;
            for (lp++; *lp && *lp != '"' && k + 1 < sizeof tr->label[i]; lp++) tr->label[i][k++] = *lp;
            tr->label[i][k] = 0;
        }
        tr->n++;
    }
    fclose(f);
}

/* ---- agreement between two labellings of the same points ---- */

typedef struct agreement {
    double pair_agree; /* fraction of point pairs on which both say same/different */
    double ari;        /* adjusted Rand index (Hubert & Arabie 1985) */
} agreement;

static agreement compare(const uint32_t *a, const uint32_t *b, size_t n) {
    /* Pair counts straight from the definition: n is small in tests. */
    double same_both = 0, same_a = 0, same_b = 0, agree = 0, pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int sa = a[i] == a[j], sb = b[i] == b[j];
            same_both += sa && sb;
            same_a += sa;
            same_b += sb;
            agree += sa == sb;
            pairs++;
        }
    agreement r;
    r.pair_agree = pairs ? agree / pairs : 1.0;
    double expected = same_a * same_b / pairs, maxi = 0.5 * (same_a + same_b);
    r.ari = maxi == expected ? 1.0 : (same_both - expected) / (maxi - expected);
    return r;
}

/* Turns string labels into numbers in order of first appearance. */
static uint32_t number_labels(const track *tr, uint32_t *out) {
    uint32_t next = 0;
    for (size_t i = 0; i < tr->n; i++) {
        out[i] = UINT32_MAX;
        for (size_t j = 0; j < i; j++)
            if (strcmp(tr->label[i], tr->label[j]) == 0) {
                out[i] = out[j];
                break;
            }
        if (out[i] == UINT32_MAX) out[i] = next++;
    }
    return next;
}

static track tr; /* big: keep off the stack */
static uint32_t got[4096], want[4096];

static void gfw_shared_mmsi_416000000_matches_gfw_segmentation(aw_segment_work *w) {
    int na, dups;
    load("positions/gfw-gpsdio-segment/416000000.json", &tr, NULL, &na, &dups);
    /* The expected file lists the same rows grouped by segment: look each row up by
     * time and position. */
    static track ex;
    int na2, dups2;
    load("positions/gfw-gpsdio-segment/segmented-416000000.json", &ex, "segment", &na2, &dups2);
    CHECK_EQ_INT(tr.n, 1561); /* 1668 rows less 107 exact receiver duplicates */
    CHECK_EQ_INT(ex.n, tr.n);
    static track aligned;
    aligned.n = tr.n;
    size_t missing = 0;
    for (size_t i = 0; i < tr.n; i++) {
        aligned.label[i][0] = 0;
        for (size_t j = 0; j < ex.n; j++)
            if (ex.t[j] == tr.t[i] && ex.lat[j] == tr.lat[i] && ex.lon[j] == tr.lon[i]) {
                memcpy(aligned.label[i], ex.label[j], sizeof ex.label[j]);
                break;
            }
        missing += aligned.label[i][0] == 0;
    }
    CHECK_EQ_INT(missing, 0);
    uint32_t nwant = number_labels(&aligned, want);

    aw_segment_params p;
    aw_segment_params_default(&p);
    int nseg = aw_segment_track(tr.t, tr.lat, tr.lon, tr.n, &p, w, got);
    agreement a = compare(got, want, tr.n);
    printf("416000000: %zu points (%d not available, %d duplicates dropped); GFW %u segments, "
           "ours %d; pair agreement %.4f, adjusted Rand index %.4f\n",
           tr.n, na, dups, nwant, nseg, a.pair_agree, a.ari);
    /* Floors at what this implementation reaches (0.9556 / 0.729 / 59 segments); a change
     * that lowers them is a regression, not noise. The expected file comes from an older
     * gpsdio-segment (0.19/0.20 scoring: score / effective_hours^2, a 5 nm distance pad,
     * 2.5-day max_hours), which keeps apart several boats idling in one port that the
     * current Matcher we follow merges: most of the disagreement is there. */
    CHECK(a.pair_agree >= 0.955);
    CHECK(a.ari >= 0.72);
    CHECK(nseg >= 29 && nseg <= 65);

    /* Speed and course are all 0 in this file: the motion variant must agree exactly. */
    static uint32_t got2[4096];
    int nseg2 = aw_segment_track_motion(tr.t, tr.lat, tr.lon, tr.sog, tr.cog, tr.n, &p, w, got2);
    CHECK_EQ_INT(nseg2, nseg);
    CHECK(memcmp(got, got2, tr.n * sizeof *got) == 0);
}

/* One ship, but its "expected" labels come from an old gpsdio-segment (one 1223-point
 * segment plus noise). GFW's current test (tests/test_bad_segment.py) expects 14 closed
 * segments, 1 open and 2 discarded, i.e. 17, from its ambiguity rule: a time-shifted
 * fix forms a one-point segment, the ship later passes it, both segments match and are
 * closed. We reproduce that count exactly, with speed and course as GFW uses them. */
static void gfw_338013000_matches_current_gfw_segment_count(aw_segment_work *w) {
    int na, dups;
    load("positions/gfw-gpsdio-segment/338013000.json", &tr, "expected", &na, &dups);
    uint32_t nwant = number_labels(&tr, want);
    aw_segment_params p;
    aw_segment_params_default(&p);
    int nseg = aw_segment_track_motion(tr.t, tr.lat, tr.lon, tr.sog, tr.cog, tr.n, &p, w, got);
    agreement a = compare(got, want, tr.n);
    /* Size of our largest segment. */
    static uint32_t size[4096];
    memset(size, 0, sizeof size);
    uint32_t biggest = 0;
    for (size_t i = 0; i < tr.n; i++)
        if (++size[got[i]] > biggest) biggest = size[got[i]];
    printf("338013000: %zu points (%d not available, %d duplicates dropped); GFW %u segments, ours %d, "
           "largest %u points; pair agreement %.4f, ARI %.4f\n",
           tr.n, na, dups, nwant, nseg, biggest, a.pair_agree, a.ari);
    CHECK_EQ_INT(nseg, 17);
    CHECK(biggest >= 400);
    /* With the ambiguity rule off (always take the best segment) one ship stays one. */
    p.ambiguity_factor = 0;
    nseg = aw_segment_track_motion(tr.t, tr.lat, tr.lon, tr.sog, tr.cog, tr.n, &p, w, got);
    memset(size, 0, sizeof size);
    biggest = 0;
    for (size_t i = 0; i < tr.n; i++)
        if (++size[got[i]] > biggest) biggest = size[got[i]];
    a = compare(got, want, tr.n);
    printf("338013000 without ambiguity rule: %d segments, largest %u; pair agreement %.4f\n", nseg, biggest,
           a.pair_agree);
    CHECK(biggest >= 0.97 * tr.n);
    CHECK(a.pair_agree >= 0.95);
}

static void gfw_263576000_one_ship_is_few_segments(aw_segment_work *w) {
    int na, dups;
    load("positions/gfw-gpsdio-segment/263576000.json", &tr, NULL, &na, &dups);
    aw_segment_params p;
    aw_segment_params_default(&p);
    int nseg = aw_segment_track_motion(tr.t, tr.lat, tr.lon, tr.sog, tr.cog, tr.n, &p, w, got);
    static uint32_t size[4096];
    memset(size, 0, sizeof size);
    uint32_t biggest = 0;
    for (size_t i = 0; i < tr.n; i++)
        if (++size[got[i]] > biggest) biggest = size[got[i]];
    printf("263576000: %zu points (%d not available, %d duplicates dropped); ours %d segments, "
           "largest %u points\n",
           tr.n, na, dups, nseg, biggest);
    CHECK(nseg >= 1 && nseg <= 5);
    CHECK(biggest >= 0.98 * tr.n);
}

/* ---- synthetic ships ---- */

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL

static void two_ships_interleaved_100km_apart_are_two_segments(aw_segment_work *w) {
    /* Ship A steams east at 10 kn from (10N, 60E); ship B 100 km north does the same;
     * their reports alternate every 3 minutes for 12 hours. */
    int64_t t[480];
    double lat[480], lon[480];
    uint32_t seg[480];
    for (int i = 0; i < 480; i++) {
        t[i] = 1400000000000LL + i * 3 * MIN_MS;
        double h = i * 3.0 / 60.0;
        lat[i] = 10.0 + (i % 2 ? 100.0 / 111.2 : 0.0);
        lon[i] = 60.0 + 10.0 * h / (60.0 * cos(lat[i] * M_PI / 180));
    }
    aw_segment_params p;
    aw_segment_params_default(&p);
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 480, &p, w, seg), 2);
    int ok = 1;
    for (int i = 0; i < 480; i++) ok &= seg[i] == (uint32_t)(i % 2);
    CHECK(ok);
}

static void one_ship_with_a_3_day_gap_follows_gfw_max_hours(aw_segment_work *w) {
    /* 6 hours of reports, silence for 72 hours, 6 more hours 200 nm on (under 3 kn
     * average): plausible for one ship. GFW closes a segment after max_hours (24 h)
     * without a position, so by default this is two segments; with max_hours beyond the
     * gap it is one. */
    int64_t t[26];
    double lat[26], lon[26];
    uint32_t seg[26];
    for (int i = 0; i < 26; i++) {
        double h = i < 13 ? i * 0.5 : 78.0 + (i - 13) * 0.5;
        t[i] = 1400000000000LL + (int64_t)(h * HOUR_MS);
        lat[i] = -20.0 + (i < 13 ? h * 10.0 : 60.0 + 200.0 + (h - 78.0) * 10.0) / 60.0;
        lon[i] = 100.0;
    }
    aw_segment_params p;
    aw_segment_params_default(&p);
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 26, &p, w, seg), 2);
    CHECK_EQ_INT(seg[12], 0);
    CHECK_EQ_INT(seg[13], 1);
    p.max_hours = 96;
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 26, &p, w, seg), 1);
}

static void impossible_jump_is_not_merged_into_the_main_segment(aw_segment_work *w) {
    /* A ship at 12 kn reports every 2 minutes; report 20 puts it 300 nm away (a spoof
     * or a garbled position), then it goes on where it was. */
    int64_t t[40];
    double lat[40], lon[40];
    float sog[40], cog[40];
    uint32_t seg[40];
    for (int i = 0; i < 40; i++) {
        t[i] = 1400000000000LL + i * 2 * MIN_MS;
        lat[i] = 35.0 + 12.0 * (i * 2.0 / 60.0) / 60.0;
        lon[i] = 125.0;
        sog[i] = 12.0f;
        cog[i] = 0.0f;
    }
    lat[20] += 5.0;
    aw_segment_params p;
    aw_segment_params_default(&p);
    for (int motion = 0; motion < 2; motion++) {
        int nseg = motion ? aw_segment_track_motion(t, lat, lon, sog, cog, 40, &p, w, seg)
                          : aw_segment_track(t, lat, lon, 40, &p, w, seg);
        CHECK_EQ_INT(nseg, 2);
        CHECK(seg[20] != seg[0]);
        int main_ok = 1;
        for (int i = 0; i < 40; i++)
            if (i != 20) main_ok &= seg[i] == seg[0];
        CHECK(main_ok);
    }
}

static void a_glitch_that_joined_is_dropped_when_the_track_goes_on(aw_segment_work *w) {
    /* A point 3 nm off the line 1 minute after the last fix is allowed (6.4 nm pad), so
     * it joins; the next fixes match the point before it much better, so it is dropped
     * from the segment as noise by the lookback rule and stands alone. */
    int64_t t[20];
    double lat[20], lon[20];
    uint32_t seg[20];
    for (int i = 0; i < 20; i++) {
        t[i] = 1400000000000LL + i * MIN_MS;
        lat[i] = 0.0;
        lon[i] = 30.0 + i * 0.002;
    }
    lat[10] = 3.0 / 60.0;
    aw_segment_params p;
    aw_segment_params_default(&p);
    int nseg = aw_segment_track(t, lat, lon, 20, &p, w, seg);
    CHECK_EQ_INT(nseg, 2);
    CHECK_EQ_INT(seg[9], 0);
    CHECK_EQ_INT(seg[10], 1);
    CHECK_EQ_INT(seg[11], 0);
    CHECK_EQ_INT(seg[19], 0);
}

static void errors_are_reported_not_guessed(aw_segment_work *w) {
    int64_t t[3] = {3000, 2000, 1000};
    double lat[3] = {0, 0, 0}, lon[3] = {0, 0, 0};
    uint32_t seg[3];
    aw_segment_params p;
    aw_segment_params_default(&p);
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 3, &p, w, seg), -1);
    CHECK_EQ_STR(aw_segment_work_error(w), "time not in order");
    t[0] = 0;
    t[1] = 1000;
    t[2] = 1000; /* equal times are fine */
    lat[1] = 91;
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 3, &p, w, seg), -1);
    CHECK_EQ_STR(aw_segment_work_error(w), "position out of range");
    lat[1] = 0;
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 3, &p, w, seg), 1);
    CHECK_EQ_STR(aw_segment_work_error(w), "");
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 0, &p, w, seg), 0);
    p.max_speed_kn = 0;
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 3, &p, w, seg), -1);
    CHECK_EQ_INT(aw_segment_track(t, lat, lon, 3, &p, NULL, seg), -1);
}

static void many_segments_stay_bounded_by_max_open(aw_segment_work *w) {
    /* 300 points each 1000 km from the last: every one is a new segment, and the open
     * list never exceeds its bound (the stalest is closed). */
    static int64_t t[300];
    static double lat[300], lon[300];
    static uint32_t seg[300];
    for (int i = 0; i < 300; i++) {
        t[i] = i * MIN_MS;
        lat[i] = -60.0 + (i % 13) * 10.0;
        lon[i] = -170.0 + (i * 37 % 340);
    }
    aw_segment_params p;
    aw_segment_params_default(&p);
    p.max_open_segments = 4;
    int nseg = aw_segment_track(t, lat, lon, 300, &p, w, seg);
    CHECK(nseg > 250);
    /* Numbered in order of first appearance: each point is an old number or the next one. */
    int ordered = 1;
    uint32_t next = 0;
    for (int i = 0; i < 300; i++) {
        ordered &= seg[i] <= next;
        if (seg[i] == next) next++;
    }
    CHECK(ordered);
    CHECK_EQ_INT(next, nseg);
}

int main(void) {
    aw_segment_work *w = aw_segment_work_new();
    CHECK(w != NULL);
    gfw_shared_mmsi_416000000_matches_gfw_segmentation(w);
    gfw_338013000_matches_current_gfw_segment_count(w);
    gfw_263576000_one_ship_is_few_segments(w);
    two_ships_interleaved_100km_apart_are_two_segments(w);
    one_ship_with_a_3_day_gap_follows_gfw_max_hours(w);
    impossible_jump_is_not_merged_into_the_main_segment(w);
    a_glitch_that_joined_is_dropped_when_the_track_goes_on(w);
    errors_are_reported_not_guessed(w);
    many_segments_stay_bounded_by_max_open(w);
    aw_segment_work_free(w);
    return check_report("test_segment");
}
