/* test_track.c — tracks and identities: cleaning, duplicates, segments, history. */
#include <math.h>
#include <string.h>

#include "aiswatch/track.h"
#include "check.h"
#include "obs_vec.h"

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

int main(void) {
    positions_are_cleaned_and_counted();
    shared_mmsi_becomes_two_segments();
    identity_history_keeps_every_value_with_its_times();
    big_columns_grow_and_join_the_same_on_any_thread_count();
    static_reports_grow_through_mappings();
    return check_report("track");
}
