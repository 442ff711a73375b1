/* test_track.c — tracks and identities: cleaning, duplicates, segments, history. */
#include <math.h>
#include <string.h>

#include "aiswatch/track.h"
#include "check.h"
#include "obs_vec.h"
#include "recs.h"

static void push_pos(aw_columns *c, uint32_t mmsi, int64_t t_ms, double lat, double lon, double sog) {
    aw_msg m = {.msg_type = 1, .mmsi = mmsi};
    m.u.pos = (aw_pos_report){.status = 0, .speed = (uint16_t)lround(sog * 10), .course = 900, .heading = 90,
                              .lat = (int32_t)lround(lat * AW_LATLON_SCALE), .lon = (int32_t)lround(lon * AW_LATLON_SCALE)};
    aw_msg_meta meta = {.time_ms = t_ms};
    aw_columns_push_src(c, &m, &meta, 3);
}

static void positions_are_cleaned_and_counted(void) {
    aw_columns c = {0};
    int64_t t0 = 1700000000000LL;
    for (int i = 0; i < 10; i++) push_pos(&c, 211000001, t0 + i * 60000LL, 54.0, 10.0 + i * 0.003, 10);
    push_pos(&c, 211000001, t0 + 3 * 60000LL + 2000, 54.0, 10.0 + 3 * 0.003, 10); /* heard twice */
    push_pos(&c, 211000001, AW_TIME_NONE, 54.0, 10.0, 10);                        /* untimed */
    push_pos(&c, 211000001, t0 + 30000, 91.0, 181.0, 10);                          /* not available */
    push_pos(&c, 211000001, t0 + 40000, 0.0, 0.0, 10);                             /* null island */
    /* Reports arrive out of order: the track is still time ordered. */
    push_pos(&c, 211000002, t0 + 120000, 55.0, 11.0, 0);
    push_pos(&c, 211000002, t0, 55.0, 11.0, 0);
    aw_tracks t;
    char err[256];
    CHECK_EQ_INT(aw_tracks_build(&c, NULL, 0, NULL, &t, err, sizeof err), 0);
    CHECK_EQ_INT(t.stats.positions_in, 16);
    CHECK_EQ_INT(t.stats.untimed, 1);
    CHECK_EQ_INT(t.stats.not_available, 1);
    CHECK_EQ_INT(t.stats.out_of_range, 1);
    CHECK_EQ_INT(t.stats.duplicates, 1);
    CHECK_EQ_INT(t.n, 12);
    CHECK_EQ_INT(t.nvessels, 2);
    CHECK_EQ_INT(t.vessels[0].mmsi, 211000001);
    CHECK_EQ_INT(t.vessels[0].count, 10);
    CHECK_EQ_INT(t.vessels[1].count, 2);
    CHECK_EQ_INT(t.time_ms[t.vessels[1].first], t0);
    CHECK_EQ_INT(t.source_id[0], 3);
    CHECK(fabs(t.sog_kn[0] - 10.0f) < 1e-6);
    aw_tracks_free(&t);
    aw_columns_free(&c);
}

static void shared_mmsi_becomes_two_segments(void) {
    aw_columns c = {0};
    int64_t t0 = 1700000000000LL;
    /* Two ships 300 km apart report alternately under one MMSI for two hours. */
    for (int i = 0; i < 60; i++) {
        push_pos(&c, 416000000, t0 + i * 120000LL, 22.0 + i * 0.001, 120.0, 5);
        push_pos(&c, 416000000, t0 + i * 120000LL + 60000, 25.0 + i * 0.001, 121.0, 5);
    }
    aw_tracks t;
    char err[256];
    CHECK_EQ_INT(aw_tracks_build(&c, NULL, 0, NULL, &t, err, sizeof err), 0);
    CHECK_EQ_INT(t.nvessels, 2);
    CHECK_EQ_INT(t.stats.segments, 2);
    if (t.nvessels == 2) {
        CHECK_EQ_INT(t.vessels[0].count, 60);
        CHECK_EQ_INT(t.vessels[1].count, 60);
        CHECK(t.lat[t.vessels[0].first] < 23 && t.lat[t.vessels[1].first] > 24);
    }
    aw_tracks_free(&t);
    aw_columns_free(&c);
}

static aw_static_obs voyage(uint32_t mmsi, int64_t t, const char *name, uint32_t imo, uint8_t draught_dm) {
    aw_msg m = {.msg_type = 5, .mmsi = mmsi};
    strcpy(m.u.voy.shipname, name);
    strcpy(m.u.voy.callsign, "3FOF8");
    m.u.voy.imo = imo;
    m.u.voy.shiptype = 80;
    m.u.voy.to_bow = 200, m.u.voy.to_stern = 50, m.u.voy.to_port = 20, m.u.voy.to_starboard = 22;
    m.u.voy.draught = draught_dm;
    aw_static_obs o;
    CHECK(aw_static_from_msg(&m, t, &o));
    return o;
}

static void identity_history_keeps_every_value_with_its_times(void) {
    aw_columns c = {0};
    int64_t t0 = 1700000000000LL;
    for (int i = 0; i < 10; i++) push_pos(&c, 352000001, t0 + i * 3600000LL, 30.0, 125.0 + i * 0.01, 1);
    aw_static_obs obs[] = {
        voyage(352000001, t0 + 1000, "YU JONG 2", 8605026, 120),
        voyage(352000001, t0 + 2 * 3600000LL, "YU JONG 2", 8605026, 120),
        voyage(352000001, t0 + 5 * 3600000LL, "NEW NAME", 8605026, 85),
        voyage(352000099, t0, "NO POSITIONS", 0, 0),
    };
    aw_tracks t;
    char err[256];
    CHECK_EQ_INT(aw_tracks_build(&c, obs, 4, NULL, &t, err, sizeof err), 0);
    CHECK_EQ_INT(t.nvessels, 2);
    const aw_vessel *v = &t.vessels[0];
    CHECK_EQ_STR(v->ident.name, "NEW NAME");
    CHECK_EQ_INT(v->ident.imo, 8605026);
    CHECK_EQ_INT(v->ident.draught_dm, 85);
    CHECK_EQ_INT(v->ident.length_m, 250);
    CHECK_EQ_INT(v->ident.beam_m, 42);
    int names = 0, draughts = 0, imos = 0;
    for (size_t i = v->hist_first; i < v->hist_first + v->hist_count; i++) {
        const aw_ident_change *h = &t.history[i];
        if (h->field == AW_ID_NAME) {
            names++;
            if (strcmp(h->value, "YU JONG 2") == 0) {
                CHECK_EQ_INT(h->n_reports, 2);
                CHECK_EQ_INT(h->first_seen_ms, t0 + 1000);
                CHECK_EQ_INT(h->last_seen_ms, t0 + 2 * 3600000LL);
            }
        }
        if (h->field == AW_ID_DRAUGHT) draughts++;
        if (h->field == AW_ID_IMO) {
            imos++;
            CHECK_EQ_STR(h->value, "8605026");
        }
    }
    CHECK_EQ_INT(names, 2);
    CHECK_EQ_INT(draughts, 2);
    CHECK_EQ_INT(imos, 1);
    /* A vessel known only from static reports is kept, without positions. */
    CHECK_EQ_INT(t.vessels[1].mmsi, 352000099);
    CHECK_EQ_INT(t.vessels[1].count, 0);
    CHECK_EQ_STR(t.vessels[1].ident.name, "NO POSITIONS");
    aw_tracks_free(&t);
    aw_columns_free(&c);
}

/* Big inputs: columns grow through malloc, then their own mappings (grown by mremap,
 * huge pages asked for), over many doublings; several blocks are joined, on one thread
 * and on two, into the same tracks. */
static void big_columns_grow_and_join_the_same_on_any_thread_count(void) {
    enum { BLOCKS = 2, ROWS = 1200000, SHIPS = 97 };
    int64_t t0 = 1700000000000LL;
    aw_tracks t[2];
    char err[256];
    for (int run = 0; run < 2; run++) {
        aw_columns blocks[BLOCKS] = {{0}};
        for (int b = 0; b < BLOCKS; b++) {
            for (int i = 0; i < ROWS; i++) {
                int k = b * ROWS + i;
                uint32_t mmsi = 211000000 + (uint32_t)(k % SHIPS);
                push_pos(&blocks[b], mmsi, t0 + (int64_t)(k / SHIPS) * 10000, 54.0 + (k % SHIPS) * 0.01,
                         10.0 + (k / SHIPS) * 0.0001, 12);
            }
            CHECK_EQ_INT(blocks[b].n, ROWS);
            CHECK(blocks[b].mapped);
            /* Values survive the moves: the last row pushed is where it was put. */
            int k = b * ROWS + ROWS - 1;
            CHECK_EQ_INT(blocks[b].mmsi[ROWS - 1], 211000000 + k % SHIPS);
            CHECK_EQ_INT(blocks[b].time_ms[ROWS - 1], t0 + (int64_t)(k / SHIPS) * 10000);
        }
        aw_track_params p;
        aw_track_params_default(&p);
        p.threads = run ? 2 : 1;
        CHECK_EQ_INT(aw_tracks_build_blocks(blocks, BLOCKS, NULL, 0, &p, &t[run], err, sizeof err), 0);
        for (int b = 0; b < BLOCKS; b++) CHECK_EQ_INT(blocks[b].n, 0); /* consumed */
    }
    CHECK_EQ_INT(t[0].n, BLOCKS * ROWS);
    CHECK_EQ_INT(t[0].nvessels, SHIPS);
    CHECK_EQ_INT(t[1].n, t[0].n);
    CHECK_EQ_INT(t[1].nvessels, t[0].nvessels);
    if (t[0].n == t[1].n) {
        CHECK(memcmp(t[0].time_ms, t[1].time_ms, t[0].n * sizeof *t[0].time_ms) == 0);
        CHECK(memcmp(t[0].mmsi, t[1].mmsi, t[0].n * sizeof *t[0].mmsi) == 0);
        CHECK(memcmp(t[0].lon, t[1].lon, t[0].n * sizeof *t[0].lon) == 0);
    }
    /* Each ship's track is in time order with every report. */
    size_t bad = 0;
    for (size_t v = 0; v < t[0].nvessels; v++) {
        const aw_vessel *ves = &t[0].vessels[v];
        if (ves->count != BLOCKS * ROWS / SHIPS && ves->count != BLOCKS * ROWS / SHIPS + 1) bad++;
        for (size_t i = ves->first + 1; i < ves->first + ves->count; i++) bad += t[0].time_ms[i] <= t[0].time_ms[i - 1];
    }
    CHECK_EQ_INT(bad, 0);
    aw_tracks_free(&t[0]);
    aw_tracks_free(&t[1]);
}

/* Static reports (an odd size: their mappings are not whole huge pages) grow past the
 * switch to a mapping and through many mremaps; every report is kept. */
static void static_reports_grow_through_mappings(void) {
    obs_vec v = {0};
    size_t n = 600000, bad = 0;
    for (size_t i = 0; i < n; i++) {
        aw_static_obs o = {.time_ms = (int64_t)i, .mmsi = (uint32_t)(i * 7)};
        if (obs_push(&v, &o) < 0) {
            bad++;
            break;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(v.n, n);
    CHECK(v.mapped);
    for (size_t i = 0; i < v.n; i += 997) bad += v.v[i].time_ms != (int64_t)i || v.v[i].mmsi != i * 7;
    CHECK_EQ_INT(bad, 0);
    obs_free(&v);
    CHECK(v.v == NULL && v.n == 0);
}

/* Two tracks are the same, array by array. */
static bool same_tracks(const aw_tracks *a, const aw_tracks *b) {
    if (a->n != b->n || a->nvessels != b->nvessels || a->nhistory != b->nhistory) return false;
    if (memcmp(&a->stats, &b->stats, sizeof a->stats) != 0) return false;
#define SAME(f) (a->n == 0 || memcmp(a->f, b->f, a->n * sizeof *a->f) == 0)
    bool cols = SAME(time_ms) && SAME(mmsi) && SAME(segment) && SAME(lat) && SAME(lon) && SAME(sog_kn) &&
                SAME(cog_deg) && SAME(heading_deg) && SAME(nav_status) && SAME(msg_type) && SAME(source_id);
#undef SAME
    if (!cols || memcmp(a->vessels, b->vessels, a->nvessels * sizeof *a->vessels) != 0) return false;
    for (size_t i = 0; i < a->nhistory; i++) { /* field by field: the text's tail and the padding are not set */
        const aw_ident_change *x = &a->history[i], *y = &b->history[i];
        if (x->mmsi != y->mmsi || x->segment != y->segment || x->field != y->field || strcmp(x->value, y->value) != 0 ||
            x->first_seen_ms != y->first_seen_ms || x->last_seen_ms != y->last_seen_ms || x->n_reports != y->n_reports)
            return false;
    }
    return true;
}

static uint32_t rnd(uint64_t *s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

/* Scan's path (records bucketed at the push, one store per worker over every input) gives
 * the tracks of the columns' path, whatever the split between stores: random reports of
 * MMSIs spread over the 30-bit range (one bucket crowded, some MMSIs only in static
 * reports), unusable rows, repeats heard by two receivers at the same time from two
 * inputs, two inputs split between three workers; 1 and 3 threads. */
static void records_bucketed_at_the_push_give_the_same_tracks(void) {
    enum { NMSG = 200000, NSTORE = 3, NINPUT = 2 };
    uint64_t rng = 42;
#define RND() rnd(&rng)
    aw_columns cols[NINPUT * NSTORE] = {{0}};
    aw_rec_store *st[2][NSTORE]; /* one set a build: a build consumes its stores */
    for (int k = 0; k < NSTORE; k++) st[0][k] = aw_recs_new(), st[1][k] = aw_recs_new();
    obs_vec ob = {0};
    int64_t t0 = 1700000000000LL;
    for (int i = 0; i < NMSG; i++) {
        int input = i >= NMSG / 2, worker = (int)(RND() % NSTORE);
        uint32_t mmsi = RND() % 4 ? 636000000 + RND() % 300 : RND() % (1u << 30); /* 636...: one bucket */
        aw_msg m = {.msg_type = RND() % 5 ? 1 : 18, .mmsi = mmsi};
        int32_t lat = (int32_t)(RND() % 100000000) - 50000000, lon = (int32_t)(RND() % 100000000) - 50000000;
        if (RND() % 1000 == 0) lat = AW_LAT_NA;
        uint16_t speed = (uint16_t)(RND() % 200);
        uint8_t second = (uint8_t)(RND() % 61);
        if (m.msg_type == 1)
            m.u.pos = (aw_pos_report){.speed = speed, .course = 900, .heading = 90, .lat = lat, .lon = lon,
                                      .second = second};
        else
            m.u.cb = (aw_classb_pos){.speed = speed, .course = 900, .heading = 511, .lat = lat, .lon = lon,
                                     .second = 60};
        aw_msg_meta meta = {.time_ms = RND() % 500 == 0 ? AW_TIME_NONE : t0 + (int64_t)(RND() % 86400) * 1000};
        int copies = 1 + (RND() % 20 == 0); /* sometimes heard twice */
        for (int copy = 0; copy < copies; copy++) {
            aw_columns_push_src(&cols[input * NSTORE + worker], &m, &meta, (uint16_t)input);
            CHECK_EQ_INT(aw_recs_push(st[0][worker], &m, &meta, (uint16_t)input), 0);
            CHECK_EQ_INT(aw_recs_push(st[1][worker], &m, &meta, (uint16_t)input), 0);
        }
        if (RND() % 50 == 0) { /* an untimed one now and then too: a caller's */
            uint32_t who = RND() % 3 ? mmsi : RND() % (1u << 30); /* some MMSIs only here */
            const char *name = RND() % 2 ? "A" : "B";
            uint32_t imo = 9000000 + RND() % 3;
            uint8_t draught = (uint8_t)(RND() % 100);
            aw_static_obs o = voyage(who, meta.time_ms, name, imo, draught);
            obs_push(&ob, &o);
        }
    }
#undef RND
    aw_static_block blk = {ob.v, ob.n};
    for (unsigned threads = 1; threads <= 3; threads += 2) {
        aw_track_params p;
        aw_track_params_default(&p);
        p.threads = threads;
        aw_columns copy[NINPUT * NSTORE] = {{0}};
        for (int b = 0; b < NINPUT * NSTORE; b++) aw_columns_append(&copy[b], &cols[b]);
        aw_tracks a, b;
        char err[256];
        CHECK_EQ_INT(aw_tracks_build_blocks(copy, NINPUT * NSTORE, &blk, 1, &p, &a, err, sizeof err), 0);
        CHECK_EQ_INT(aw_tracks_build_recs(st[threads / 2], NSTORE, &blk, 1, &p, &b, err, sizeof err), 0);
        CHECK(same_tracks(&a, &b));
        CHECK(a.n > 100000 && a.nvessels > 1000 && a.stats.duplicates > 1000 && a.stats.untimed > 0 &&
              a.stats.not_available > 0 && a.nhistory > 0);
        aw_tracks_free(&a);
        aw_tracks_free(&b);
    }
    for (int k = 0; k < NSTORE; k++) aw_recs_free(st[0][k]), aw_recs_free(st[1][k]);
    for (int b = 0; b < NINPUT * NSTORE; b++) aw_columns_free(&cols[b]);
    obs_free(&ob);
}

int main(void) {
    positions_are_cleaned_and_counted();
    shared_mmsi_becomes_two_segments();
    identity_history_keeps_every_value_with_its_times();
    big_columns_grow_and_join_the_same_on_any_thread_count();
    static_reports_grow_through_mappings();
    records_bucketed_at_the_push_give_the_same_tracks();
    return check_report("track");
}
