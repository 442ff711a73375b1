/* test_watch.c — the live watch engine fed bytes, no sockets: its alerts end equal to
 * scan's events on the same messages, segment numbers survive the window sliding, a
 * checkpoint restores without repeating an alert, two connections of one listener do
 * not mix, and hostile input is counted in bounded memory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/columns.h"
#include "aiswatch/encode.h"
#include "aiswatch/event_out.h"
#include "aiswatch/sim.h"
#include "aiswatch/watch.h"
#include "check.h"

/* ---- helpers ---------------------------------------------------------------------------- */

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static int text_add(void *ctx, const char *d, size_t n) {
    text *t = ctx;
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p) return -1;
    }
    memcpy(t->p + t->n, d, n);
    t->n += n;
    t->p[t->n] = 0;
    return 0;
}

/* What a consumer of the alerts ends up believing: the last JSON of each event id. */
typedef struct board {
    char id[256][64];
    char *json[256];
    size_t n;
    size_t by_kind[AW_ALERT_KINDS];
    uint64_t last_seq;
    bool seq_ok;
    char last_dark[1024];
} board;

static char *event_of(const char *alert) {
    const char *e = strstr(alert, ",\"event\":");
    if (!e) return NULL;
    e += strlen(",\"event\":");
    size_t n = strlen(e);
    char *s = malloc(n);
    memcpy(s, e, n - 1); /* drop the alert's closing brace */
    s[n - 1] = 0;
    return s;
}

static void on_alert(void *ctx, const aw_alert *a) {
    board *b = ctx;
    if (getenv("AW_TEST_VERBOSE")) fprintf(stderr, "%.200s\n", a->json);
    b->by_kind[a->kind]++;
    if (a->seq != b->last_seq + 1) b->seq_ok = false;
    b->last_seq = a->seq;
    if (a->kind == AW_ALERT_DARK) snprintf(b->last_dark, sizeof b->last_dark, "%s", a->json);
    if (a->kind != AW_ALERT_NEW && a->kind != AW_ALERT_UPDATE && a->kind != AW_ALERT_WITHDRAWN) return;
    size_t i = 0;
    while (i < b->n && strcmp(b->id[i], a->id) != 0) i++;
    if (a->kind == AW_ALERT_WITHDRAWN) {
        if (i < b->n) {
            free(b->json[i]);
            b->json[i] = NULL;
        }
        return;
    }
    if (i == b->n) {
        if (b->n == 256) return;
        snprintf(b->id[b->n++], 64, "%s", a->id);
    }
    free(b->json[i]);
    b->json[i] = event_of(a->json);
}

static void board_free(board *b) {
    for (size_t i = 0; i < b->n; i++) free(b->json[i]);
}

static size_t board_live(const board *b) {
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) n += b->json[i] != NULL;
    return n;
}

static const char *board_get(const board *b, const char *id) {
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->id[i], id) == 0) return b->json[i];
    return NULL;
}

/* scan's stages on all of `in` at once: the reference. */
typedef struct ref {
    aw_columns pos;
    aw_static_obs *obs;
    size_t nobs, cap;
} ref;

static void ref_msg(void *ctx, const aw_msg *m, const aw_msg_meta *meta) {
    ref *r = ctx;
    aw_columns_push_src(&r->pos, m, meta, 0);
    aw_static_obs o;
    if (aw_static_from_msg(m, meta->time_ms, &o) && o.fields && meta->time_ms != AW_TIME_NONE) {
        if (r->nobs == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 1024;
            r->obs = realloc(r->obs, r->cap * sizeof *r->obs);
        }
        r->obs[r->nobs++] = o;
    }
}

/* geo non-NULL: the anchorages scan derives (anch_min vessels) are added to it. */
static void scan_reference(const text *in, aw_geo *geo, unsigned anch_min, aw_tracks *t, aw_events *ev) {
    ref r = {0};
    aw_decoder *d = aw_decoder_new(NULL);
    aw_decode_stats st = {0};
    aw_decoder_lines(d, in->p, in->n, &st, ref_msg, &r);
    aw_decoder_free(d);
    char err[256];
    const char *skipped;
    CHECK(aw_tracks_build(&r.pos, r.obs, r.nobs, NULL, t, err, sizeof err) == 0);
    if (geo && anch_min) CHECK(aw_anchorages_derive(t, geo, AW_ANCHORAGE_CELL_DEG, anch_min) >= 0);
    CHECK(aw_detect(t, geo, NULL, ev, &skipped, err, sizeof err) == 0);
    aw_columns_free(&r.pos);
    free(r.obs);
}

static aw_watch *new_watch_geo(board *b, double horizon_h, double tick_min, aw_geo *geo, unsigned anch_min) {
    aw_watch_opts o;
    aw_watch_opts_default(&o);
    o.geo = geo;
    o.anchorage_min_vessels = anch_min;
    o.tick_min = tick_min;
    o.max_busy = 1; /* every tick, so the test does not depend on the machine's speed */
    o.horizon_h = horizon_h;
    o.on_alert = on_alert;
    o.ctx = b;
    char err[256];
    aw_watch *w = aw_watch_new(&o, err, sizeof err);
    CHECK(w != NULL);
    CHECK(aw_watch_add_source(w, "sim") == 0);
    b->seq_ok = true;
    return w;
}

static aw_watch *new_watch(board *b, double horizon_h, double tick_min) {
    return new_watch_geo(b, horizon_h, tick_min, NULL, 0);
}

/* Feeds in chunks of pseudo-random sizes, cutting lines anywhere. */
static void feed_chunks(aw_watch *w, const char *p, size_t n, unsigned seed) {
    size_t at = 0;
    while (at < n) {
        seed = seed * 1103515245u + 12345u;
        size_t k = 1 + (seed >> 8) % 7000;
        if (k > n - at) k = n - at;
        CHECK(aw_watch_feed(w, 0, p + at, k, AW_TIME_NONE) == 0);
        at += k;
    }
}

static void expect_scan_events_geo(const board *b, const text *in, aw_geo *geo, unsigned anch_min) {
    aw_tracks t;
    aw_events ev = {0};
    scan_reference(in, geo, anch_min, &t, &ev);
    const char *names[] = {"sim"};
    char *buf = malloc(1 << 20);
    CHECK(ev.n > 0);
    CHECK_EQ_INT(board_live(b), ev.n);
    for (size_t i = 0; i < ev.n; i++) {
        aw_event_json(&ev, i, &t, NULL, names, 1, buf, 1 << 20);
        const char *got = board_get(b, ev.v[i].id);
        if (!got) {
            CHECK(!"event id not alerted");
            fprintf(stderr, "  missing %s\n", ev.v[i].id);
        } else if (strcmp(got, buf) != 0) {
            CHECK(!"alerted event differs from scan's");
            fprintf(stderr, "  watch %s\n  scan  %s\n", got, buf);
        }
    }
    free(buf);
    aw_events_free(&ev);
    aw_tracks_free(&t);
}

static void expect_scan_events(const board *b, const text *in) { expect_scan_events_geo(b, in, NULL, 0); }

static text simulated(void) {
    aw_sim_opts so;
    aw_sim_opts_default(&so);
    so.background = 0;
    char err[256];
    CHECK(aw_sim_scenarios_parse("all", &so.scenarios, err, sizeof err) == 0);
    text in = {0};
    CHECK(aw_sim_run(&so, text_add, &in, NULL, NULL, NULL, err, sizeof err) == 0);
    return in;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void alerts_end_equal_to_scan_events(const text *in) {
    board b = {0};
    aw_watch *w = new_watch(&b, 48, 30);
    feed_chunks(w, in->p, in->n, 7);
    CHECK(aw_watch_finish(w) == 0);
    expect_scan_events(&b, in);
    CHECK(b.by_kind[AW_ALERT_NEW] > 0);
    CHECK(b.seq_ok);
    aw_watch_stats st;
    aw_watch_stats_get(w, &st);
    CHECK(st.ticks >= 48); /* a tick every 30 feed minutes of 24 h */
    board_free(&b);
    aw_watch_free(w);
}

/* The MMSI of a sentence whose payload starts the message (bits 8..37), or 0. */
static uint32_t line_mmsi(const char *line, size_t n) {
    const char *v = memmem(line, n, "VDM,", 4);
    int commas = 0;
    for (const char *q = v; q && q < line + n; q++)
        if (*q == ',' && ++commas == 5) {
            uint64_t bits = 0;
            for (int i = 0; i < 7; i++) {
                int c = q + 1 + i < line + n ? q[1 + i] - 48 : 0;
                bits = bits << 6 | (uint64_t)((c > 40 ? c - 8 : c) & 63);
            }
            return (uint32_t)(bits >> (42 - 38) & 0x3fffffff);
        }
    return 0;
}

/* Two connections of one listener (two receivers hearing different ships): two sources
 * of one name, fed at once in chunks that cut lines anywhere. Each has its own line
 * buffer and decoder, so nothing mixes; their rows are one source, named once under
 * "sources": the events equal scan's on the whole input (expect_scan_events compares the
 * JSON, "sources" included). */
static void two_connections_of_one_name_do_not_mix(const text *in) {
    text part[2] = {{0}, {0}};
    int to = 0;
    for (const char *p = in->p, *end = in->p + in->n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl + 1 : end) - p);
        /* A later fragment follows its first. */
        if (!memmem(p, n, "VDM,2,2,", 8)) to = (int)(line_mmsi(p, n) & 1);
        CHECK(text_add(&part[to], p, n) == 0);
        p += n;
    }
    CHECK(part[0].n > in->n / 4 && part[1].n > in->n / 4);
    board b = {0};
    aw_watch *w = new_watch(&b, 48, 30);
    CHECK(aw_watch_add_source(w, "sim") == 1);
    size_t at[2] = {0, 0};
    unsigned seed = 11;
    while (at[0] < part[0].n || at[1] < part[1].n) {
        seed = seed * 1103515245u + 12345u;
        size_t k = 1 + (seed >> 8) % 3000;
        for (int i = 0; i < 2; i++) {
            size_t ki = k < part[i].n - at[i] ? k : part[i].n - at[i];
            if (ki) CHECK(aw_watch_feed(w, i, part[i].p + at[i], ki, AW_TIME_NONE) == 0);
            at[i] += ki;
        }
    }
    CHECK(aw_watch_finish(w) == 0);
    expect_scan_events(&b, in);
    CHECK(b.seq_ok);
    board_free(&b);
    aw_watch_free(w);
    free(part[0].p), free(part[1].p);
}

/* The watch killed and started again: its state saved (with the caller's bytes `user`),
 * the watch dropped, a new one on the same board loaded from the state. */
static aw_watch *restarted(aw_watch *w, board *b, double horizon_h, double tick_min, const char *user) {
    FILE *f = tmpfile();
    char err[256];
    size_t len = user ? strlen(user) : 0;
    CHECK(aw_watch_save(w, f, user, len, err, sizeof err) == 0);
    aw_watch_free(w);
    rewind(f);
    w = new_watch(b, horizon_h, tick_min);
    void *got;
    size_t got_len;
    CHECK(aw_watch_load(w, f, &got, &got_len, err, sizeof err) == 0);
    CHECK(got_len == len && (!len || (got && memcmp(got, user, len) == 0)));
    free(got);
    fclose(f);
    return w;
}

/* A state as older code wrote it, made from a version-3 save of one source with no user
 * bytes. Version 2 (session 4) kept remembered vessels by place only, 64 bytes each, and a
 * source's progress as its latest time only; version 1 kept no remembered vessels. After
 * the 80-byte head the source is [latest][its second's static reports: time, count,
 * hashes]; the tail is [entry size][count][entries][user length 0][FNV-1a of all before]. */
static FILE *as_version(aw_watch *w, uint64_t version) {
    FILE *f = tmpfile();
    char err[256];
    CHECK(aw_watch_save(w, f, NULL, 0, err, sizeof err) == 0);
    long len = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)len);
    CHECK(fread(b, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    uint64_t nobs;
    memcpy(&nobs, b + 96, 8);
    size_t drop = 16 + nobs * 8; /* the second's reports: not in versions 1 and 2 */
    memmove(b + 88, b + 88 + drop, (size_t)len - 88 - drop);
    len -= (long)drop;
    const size_t v3 = 80, v2 = 64;
    size_t nseen = 0, at = 0;
    uint64_t size = 0, count = 1;
    for (; nseen * v3 + 32 <= (size_t)len; nseen++) { /* the entry count that fits the tail */
        at = (size_t)len - (16 + nseen * v3 + 16);
        memcpy(&size, b + at, 8);
        memcpy(&count, b + at + 8, 8);
        if (size == v3 && count == nseen) break;
    }
    CHECK(size == v3 && count == nseen);
    memcpy(b + 8, &version, 8);
    size_t o = at;
    if (version == 2) {
        size = v2;
        memcpy(b + at, &size, 8);
        o = at + 16;
        for (size_t i = 0; i < nseen; i++, o += v2) memmove(b + o, b + at + 16 + i * v3, v2); /* the place: a prefix */
    }
    memset(b + o, 0, 8); /* no user bytes */
    o += 8;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < o; i++) h = (h ^ b[i]) * 1099511628211ULL;
    memcpy(b + o, &h, 8);
    o += 8;
    f = tmpfile();
    CHECK(fwrite(b, 1, o, f) == o);
    rewind(f);
    free(b);
    return f;
}

static void checkpoint_restores_without_repeating_an_alert(const text *in) {
    /* One watch fed everything; another killed half-way (state saved, then dropped),
     * restored into a third which is fed the rest: the same alerts, numbered on. */
    board whole = {0};
    aw_watch *w = new_watch(&whole, 48, 30);
    feed_chunks(w, in->p, in->n, 3);
    CHECK(aw_watch_finish(w) == 0);
    aw_watch_free(w);

    board b = {0};
    w = new_watch(&b, 48, 30);
    size_t half = in->n / 2;
    while (in->p[half - 1] != '\n') half++;
    feed_chunks(w, in->p, half, 3);
    w = restarted(w, &b, 48, 30, "offsets");
    feed_chunks(w, in->p + half, in->n - half, 3);
    CHECK(aw_watch_finish(w) == 0);
    CHECK(b.seq_ok);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_NEW], whole.by_kind[AW_ALERT_NEW]);
    CHECK_EQ_INT(b.last_seq, whole.last_seq);
    expect_scan_events(&b, in);
    aw_watch_free(w);

    /* Restored from the state as the first version wrote it (no remembered vessels, which
     * a 48 h horizon over this day never needs): the same alerts. */
    board v1 = {0};
    w = new_watch(&v1, 48, 30);
    feed_chunks(w, in->p, half, 3);
    FILE *old = as_version(w, 1);
    aw_watch_free(w);
    w = new_watch(&v1, 48, 30);
    void *u1;
    size_t u1len;
    char e1[256];
    CHECK(aw_watch_load(w, old, &u1, &u1len, e1, sizeof e1) == 0);
    fclose(old);
    free(u1);
    feed_chunks(w, in->p + half, in->n - half, 3);
    CHECK(aw_watch_finish(w) == 0);
    CHECK(v1.seq_ok);
    CHECK_EQ_INT(v1.last_seq, whole.last_seq);
    expect_scan_events(&v1, in);
    aw_watch_free(w);
    board_free(&v1);

    /* A damaged state is refused and leaves the watch as it was. */
    board c = {0};
    w = new_watch(&c, 48, 30);
    FILE *f = tmpfile();
    char err[256];
    void *user;
    size_t ulen;
    fwrite("AWWATCH\n\1\0\0\0\0\0\0\0garbage", 1, 23, f);
    rewind(f);
    CHECK(aw_watch_load(w, f, &user, &ulen, err, sizeof err) < 0);
    fclose(f);
    aw_watch_free(w);
    board_free(&whole);
    board_free(&b);
}

/* One position report (type 1, due east at speed_dkn tenths of a knot), tag-block stamped
 * at t, appended to in. */
static void add_report(text *in, uint32_t mmsi, int64_t t, double lat, double lon, uint16_t speed_dkn) {
    aw_msg m = {0};
    m.msg_type = 1;
    m.mmsi = mmsi;
    m.u.pos.status = 0;
    m.u.pos.turn = -128;
    m.u.pos.speed = speed_dkn;
    m.u.pos.course = 900;
    m.u.pos.heading = 90;
    m.u.pos.second = (uint8_t)(t % 60);
    m.u.pos.lat = (int32_t)lround(lat * 600000);
    m.u.pos.lon = (int32_t)lround(lon * 600000);
    char line[512];
    aw_encode_opts eo = {.tags = AW_TAG_FIRST, .has_time = true, .time_s = t, .channel = 'A'};
    int n = aw_nmea_encode(&m, &eo, line, sizeof line);
    CHECK(n > 0);
    if (n > 0) text_add(in, line, (size_t)n);
}

/* Two ships on one MMSI: X sails, Y (segment 1) lies still and, after a silence,
 * loiters again: an event whose id names its segment. Later the window starts where
 * Y's positions come first, so a fresh build would number Y 0: the carried number
 * must hold, and the loitering keep its id. */
static void segment_numbers_survive_the_window_sliding(void) {
    text in = {0};
    const uint32_t mmsi = 636012345;
    int64_t t0 = 1700000000 - 1700000000 % 3600;
    for (int64_t s = 0; s <= 60 * 3600; s += 60) {
        for (int ship = 0; ship < 2; ship++) {
            int64_t t = t0 + s + (ship ? 5 : 30);
            double h = s / 3600.0;
            if (ship == 0 && h >= 9 && h < 11) continue;   /* ship X pauses */
            if (ship == 1 && h < 1) continue;              /* ship Y starts later */
            if (ship == 1 && h > 10.1 && h < 23) continue; /* and is silent 13 h */
            double lat = ship ? 5.0 : 0.0, lon = ship ? -25.0 + 0.5 * h / 60.0 : -30.0 + 10.0 * h / 60.0;
            add_report(&in, mmsi, t, lat, lon, ship ? 5 : 100); /* Y 0.5 kn, X 10 kn due east */
        }
    }
    board b = {0};
    aw_watch *w = new_watch(&b, 30, 10);
    feed_chunks(w, in.p, in.n, 11);
    CHECK(aw_watch_finish(w) == 0);
    /* Y's second loitering alerted under scan's id, never under another number, and
     * nothing withdrawn; the loitering cut by the window's start is not news. */
    const char *want = "loitering-636012345.1-20231115T210005";
    CHECK(board_get(&b, want) != NULL);
    CHECK(board_get(&b, "loitering-636012345.0-20231115T210005") == NULL);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_WITHDRAWN], 0);
    size_t loiter = 0;
    for (size_t i = 0; i < b.n; i++) loiter += strncmp(b.id[i], "loitering-", 10) == 0;
    CHECK_EQ_INT(loiter, 2);
    if (loiter != 2) for (size_t i = 0; i < b.n; i++) fprintf(stderr, "  alerted %s\n", b.id[i]);
    aw_tracks t;
    aw_events ev = {0};
    scan_reference(&in, NULL, 0, &t, &ev);
    bool found = false;
    for (size_t i = 0; i < ev.n; i++) found |= strcmp(ev.v[i].id, want) == 0;
    CHECK(found);
    if (!found) for (size_t i = 0; i < ev.n; i++) fprintf(stderr, "  ref %s\n", ev.v[i].id);
    aw_events_free(&ev);
    aw_tracks_free(&t);
    board_free(&b);
    aw_watch_free(w);
    free(in.p);
}

/* 30 h of two ships sailing east at 10 kn: X (366000001) falls silent after an hour, Y
 * (366000002) goes on. */
static text x_falls_silent(void) {
    text in = {0};
    int64_t t0 = 1700000000 - 1700000000 % 3600;
    for (int64_t s = 0; s <= 30 * 3600; s += 60) {
        for (int ship = 0; ship < 2; ship++) {
            if (ship == 0 && s > 3600) continue;
            double h = s / 3600.0;
            add_report(&in, ship ? 366000002 : 366000001, t0 + s + (ship ? 5 : 30), ship ? 6.0 : 5.0,
                       -30.0 + 10.0 * h / 60.0, 100);
        }
    }
    return in;
}

/* A fast feed fits in memory only with a short horizon. A vessel that goes dark is still
 * alerted, once, when the horizon is shorter than the gap threshold: its last position is
 * remembered after its rows leave the window, across a restart too. */
static void dark_alert_outlives_a_short_horizon(void) {
    text in = x_falls_silent();
    board b = {0};
    aw_watch *w = new_watch(&b, 6, 10); /* 6 h of window, 12 h of gap threshold */
    size_t cut = in.n * 2 / 3;          /* 20 h in: after the alert */
    while (in.p[cut - 1] != '\n') cut++;
    feed_chunks(w, in.p, cut, 5);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_DARK], 1);
    w = restarted(w, &b, 6, 10, NULL);
    feed_chunks(w, in.p + cut, in.n - cut, 5);
    CHECK(aw_watch_finish(w) == 0);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_DARK], 1); /* not again after the restart */
    CHECK(strstr(b.last_dark, "\"id\":\"dark-366000001-") != NULL);
    CHECK(strstr(b.last_dark, "2023-11-14T23:00:30") != NULL);
    if (b.by_kind[AW_ALERT_DARK] != 1 || !strstr(b.last_dark, "dark-366000001-"))
        fprintf(stderr, "  dark alerts %zu, last %.300s\n", b.by_kind[AW_ALERT_DARK], b.last_dark);
    board_free(&b);
    aw_watch_free(w);
    free(in.p);
}

/* A vessel silent 14 h, heard again: with a 6 h horizon its rows left the window long
 * before, but its last row is remembered and put back into each run, so the gap it
 * closes is alerted as scan finds it on the whole feed (same JSON), once, across a
 * restart in the middle of the silence; the dark alert came first, once. Z, whose MMSI
 * has no valid form, is heard for an hour only: what its one remembered row says of
 * itself later is not alerted again under another id. */
/* How many events of a snapshot name `what` in their id. */
typedef struct named {
    const char *what;
    size_t n, events;
} named;

static int count_named(void *ctx, const aw_tracks *t, const aw_events *ev, const aw_event_params *p,
                       const char *const *names, size_t n) {
    (void)t, (void)p, (void)names, (void)n;
    named *c = ctx;
    c->events = ev->n;
    for (size_t i = 0; i < ev->n; i++) c->n += strstr(ev->v[i].id, c->what) != NULL;
    return 0;
}

static void gap_closed_after_the_window_let_go(void) {
    text in = {0};
    int64_t t0 = 1700000000 - 1700000000 % 3600;
    size_t cut = 0; /* 10 h in: X's rows have left the window, the gap is open */
    for (int64_t s = 0; s <= 24 * 3600; s += 60) {
        double h = s / 3600.0;
        if (s == 10 * 3600) cut = in.n;
        if (h <= 1) add_report(&in, 753767, t0 + s + 45, 7.0, -30.0 + 10.0 * h / 60.0, 100); /* Z */
        if (h <= 1 || h >= 15) /* X: an hour, 14 h of silence, then on */
            add_report(&in, 366000001, t0 + s + 30, 5.0, -30.0 + 10.0 * h / 60.0, 100);
        /* Y goes on, but for a silent spell in which the feed jumps 7 h: Z's rows leave the
         * window in one run, so what the run finds of Z's one remembered row is new to it. */
        if (h <= 1 || h >= 8) add_report(&in, 366000002, t0 + s + 5, 6.0, -30.0 + 10.0 * h / 60.0, 100);
    }
    aw_tracks t;
    aw_events ev = {0};
    scan_reference(&in, NULL, 0, &t, &ev);
    char *want = malloc(1 << 16);
    const char *names[] = {"sim"};
    const char *gap_id = NULL;
    for (size_t i = 0; i < ev.n; i++)
        if (ev.v[i].type == AW_EV_GAP) {
            CHECK(gap_id == NULL);
            gap_id = ev.v[i].id;
            aw_event_json(&ev, i, &t, NULL, names, 1, want, 1 << 16);
        }
    CHECK(gap_id != NULL);

    board b = {0};
    aw_watch *w = new_watch(&b, 6, 10);
    feed_chunks(w, in.p, cut, 9);
    w = restarted(w, &b, 6, 10, NULL);
    feed_chunks(w, in.p + cut, in.n - cut, 9);
    CHECK(aw_watch_finish(w) == 0);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_DARK], 2); /* X and Z, once each */
    const char *got = gap_id ? board_get(&b, gap_id) : NULL;
    CHECK(got != NULL);
    if (got && strcmp(got, want) != 0) {
        CHECK(!"the gap alert differs from scan's gap event");
        fprintf(stderr, "  watch %s\n  scan  %s\n", got, want);
    }
    size_t gaps = 0, z = 0;
    for (size_t i = 0; i < b.n; i++) gaps += strncmp(b.id[i], "gap-", 4) == 0;
    for (size_t i = 0; i < b.n; i++) z += strstr(b.id[i], "-753767.") != NULL;
    CHECK_EQ_INT(gaps, 1);
    CHECK_EQ_INT(z, 1); /* its identity event, when its rows were in the window */
    /* The live GeoPackage's events are the window's: not what Z's remembered row says. */
    named zn = {"-753767.", 0, 0};
    char err[256];
    CHECK(aw_watch_snapshot(w, count_named, &zn, err, sizeof err) == 0);
    CHECK_EQ_INT(zn.n, 0);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_WITHDRAWN], 0);
    CHECK(b.seq_ok);
    free(want);
    aw_events_free(&ev);
    aw_tracks_free(&t);
    board_free(&b);
    aw_watch_free(w);
    free(in.p);
}

/* Ten ships lie still for hours in one 1 km cell, a few hundred metres apart: scan
 * derives an anchorage there from the data and finds no encounter among them. The
 * watch derives it from its window the same way: the same events (none of them an
 * encounter), and the geo given back as it was after every run. */
static void derived_anchorages_as_in_scan(void) {
    text in = {0};
    int64_t t0 = 1700000000 - 1700000000 % 3600;
    for (int64_t s = 0; s <= 8 * 3600; s += 60)
        for (int k = 0; k < 10; k++)
            add_report(&in, 477000100 + (uint32_t)k, t0 + s + k, 10.0001 + 0.0008 * k, 120.0051, 0);
    aw_geo *plain = aw_geo_new(), *ref = aw_geo_new(), *live = aw_geo_new();
    CHECK(plain && ref && live);
    /* Without the derivation the still ships meet: what the anchorage must take away. */
    aw_tracks t;
    aw_events ev = {0};
    scan_reference(&in, plain, 0, &t, &ev);
    size_t encounters = 0;
    for (size_t i = 0; i < ev.n; i++) encounters += ev.v[i].type == AW_EV_ENCOUNTER;
    CHECK(encounters > 0);
    aw_events_free(&ev);
    aw_tracks_free(&t);

    board b = {0};
    aw_watch *w = new_watch_geo(&b, 48, 10, live, 10);
    feed_chunks(w, in.p, in.n, 3);
    CHECK(aw_watch_finish(w) == 0);
    aw_watch_stats st;
    aw_watch_stats_get(w, &st);
    CHECK_EQ_INT(st.anchorages_derived, 1);
    CHECK_EQ_INT(aw_geo_anchorage_count(live), 0);
    for (size_t i = 0; i < b.n; i++) CHECK(strncmp(b.id[i], "encounter-", 10) != 0);
    expect_scan_events_geo(&b, &in, ref, 10);
    CHECK_EQ_INT(aw_geo_anchorage_count(ref), 1);
    board_free(&b);
    aw_watch_free(w);
    aw_geo_free(plain), aw_geo_free(ref), aw_geo_free(live);
    free(in.p);
}

/* A watch restarted from a version-2 state keeps its remembered vessels: the silent one
 * is alerted dark once, from its remembered place. */
static void version_2_state_still_loads(void) {
    text in = x_falls_silent();
    board b = {0};
    aw_watch *w = new_watch(&b, 6, 10);
    size_t cut = in.n / 3; /* 10 h in: X only remembered, not yet dark */
    while (in.p[cut - 1] != '\n') cut++;
    feed_chunks(w, in.p, cut, 5);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_DARK], 0);
    FILE *f = as_version(w, 2);
    aw_watch_free(w);
    w = new_watch(&b, 6, 10);
    void *user;
    size_t user_len;
    char err[256];
    CHECK(aw_watch_load(w, f, &user, &user_len, err, sizeof err) == 0);
    fclose(f);
    free(user);
    feed_chunks(w, in.p + cut, in.n - cut, 5);
    CHECK(aw_watch_finish(w) == 0);
    CHECK_EQ_INT(b.by_kind[AW_ALERT_DARK], 1);
    CHECK(strstr(b.last_dark, "\"id\":\"dark-366000001-") != NULL);
    board_free(&b);
    aw_watch_free(w);
    free(in.p);
}

static void count_static(void *ctx, const aw_msg *m, const aw_msg_meta *meta) {
    aw_static_obs o;
    if (aw_static_from_msg(m, meta->time_ms, &o) && o.fields) ++*(size_t *)ctx;
}

/* A feed that drops right after a static report and re-sends its last lines on return
 * (a reconnect, or a restart from the state): what it re-sends of the second it had got
 * to is kept once, static reports included, so the identity histories and the events
 * stay scan's. */
static void resent_second_counts_once(const text *in) {
    size_t want = 0;
    aw_decoder *d = aw_decoder_new(NULL);
    aw_decode_stats ds = {0};
    aw_decoder_lines(d, in->p, in->n, &ds, count_static, &want);
    aw_decoder_free(d);
    const char *part2 = strstr(in->p + in->n / 2, "!AIVDM,2,2,"); /* a static report ends here */
    CHECK(part2 != NULL);
    if (!part2) return;
    size_t cut = (size_t)(strchr(part2, '\n') + 1 - in->p), back = cut;
    for (int k = 0; k < 40; k++) /* the feed re-sends its last 40 lines */
        for (back--; back > 0 && in->p[back - 1] != '\n'; back--) {}
    for (int restart = 0; restart < 2; restart++) {
        board b = {0};
        aw_watch *w = new_watch(&b, 48, 30);
        feed_chunks(w, in->p, cut, 3);
        if (restart) {
            w = restarted(w, &b, 48, 30, NULL);
        } else {
            aw_watch_source_reset(w, 0);
            aw_watch_source_resume(w, 0, true);
        }
        feed_chunks(w, in->p + back, in->n - back, 3);
        CHECK(aw_watch_finish(w) == 0);
        aw_watch_stats st;
        aw_watch_stats_get(w, &st);
        CHECK_EQ_INT(st.window_static, want);
        CHECK(st.resent > 0);
        expect_scan_events(&b, in);
        board_free(&b);
        aw_watch_free(w);
    }
}

static void hostile_input_is_counted_in_bounded_memory(const text *in) {
    board b = {0};
    aw_watch_opts o;
    aw_watch_opts_default(&o);
    o.max_busy = 1;
    o.max_positions = 5000;
    o.tick_min = 60;
    o.max_line = 256;
    o.on_alert = on_alert;
    o.ctx = &b;
    char err[256];
    aw_watch *w = aw_watch_new(&o, err, sizeof err);
    CHECK(w != NULL);
    CHECK(aw_watch_add_source(w, "junk") == 0);
    /* binary garbage, NULs included */
    char junk[65536];
    unsigned x = 1;
    for (size_t i = 0; i < sizeof junk; i++) x = x * 1664525u + 1013904223u, junk[i] = (char)(x >> 24);
    for (int r = 0; r < 32; r++) CHECK(aw_watch_feed(w, 0, junk, sizeof junk, AW_TIME_NONE) == 0);
    /* an endless line */
    memset(junk, 'A', sizeof junk);
    for (int r = 0; r < 64; r++) CHECK(aw_watch_feed(w, 0, junk, sizeof junk, AW_TIME_NONE) == 0);
    CHECK(aw_watch_feed(w, 0, "\n", 1, AW_TIME_NONE) == 0);
    /* half sentences */
    for (int r = 0; r < 1000; r++) CHECK(aw_watch_feed(w, 0, "!AIVDM,2,1,3,A,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E\n!AIVDM,1,1", 77 + 10, AW_TIME_NONE) == 0);
    aw_watch_stats st;
    aw_watch_stats_get(w, &st);
    CHECK(st.lines_too_long >= 1);
    CHECK(st.decode.rejects[AW_REJ_NOT_NMEA] > 0);
    CHECK_EQ_INT(st.window_positions, 0);
    /* Real traffic past the cap: the window stays under it, the rest is counted. */
    feed_chunks(w, in->p, in->n, 5);
    aw_watch_stats_get(w, &st);
    CHECK(st.window_positions < 5000);
    CHECK(st.evicted > 0);
    /* A message from the future (by the arrival clock) does not move feed time. */
    int64_t feed = st.feed_ms;
    char line[512];
    aw_msg m = {.msg_type = 1, .mmsi = 244000001};
    m.u.pos.lat = 600000, m.u.pos.lon = 600000, m.u.pos.speed = 10, m.u.pos.second = 1;
    aw_encode_opts eo = {.tags = AW_TAG_FIRST, .has_time = true, .time_s = feed / 1000 + 86400 * 365};
    int n = aw_nmea_encode(&m, &eo, line, sizeof line);
    CHECK(aw_watch_feed(w, 0, line, (size_t)n, feed + 1000) == 0);
    aw_watch_stats_get(w, &st);
    CHECK_EQ_INT(st.future, 1);
    CHECK_EQ_INT(st.feed_ms, feed);
    board_free(&b);
    aw_watch_free(w);
}

int main(void) {
    text in = simulated();
    if (!getenv("ONLY_SEG")) alerts_end_equal_to_scan_events(&in);
    if (!getenv("ONLY_SEG")) checkpoint_restores_without_repeating_an_alert(&in);
    if (!getenv("ONLY_SEG")) two_connections_of_one_name_do_not_mix(&in);
    resent_second_counts_once(&in);
    segment_numbers_survive_the_window_sliding();
    dark_alert_outlives_a_short_horizon();
    derived_anchorages_as_in_scan();
    gap_closed_after_the_window_let_go();
    version_2_state_still_loads();
    hostile_input_is_counted_in_bounded_memory(&in);
    free(in.p);
    return check_report("test_watch");
}
