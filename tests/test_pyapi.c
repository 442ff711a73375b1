/* test_pyapi.c — the flat entry points behind the Python binding and the distributed scan
 * (aiswatch/pyapi.h, gpkg_merge.h, tracks_gpkg.h), in C so that they also run under ASan:
 * tracks built per MMSI bucket and packed, unpacked and merged are the single scan's
 * tracks; events found on them are the single scan's events; windows keep what they
 * promise; partition GeoPackages merge into one with every row. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiswatch/gpkg_merge.h"
#include "aiswatch/pyapi.h"
#include "aiswatch/sim.h"
#include "check.h"

static char dir[] = "/tmp/aw_pyapi_XXXXXX";

static const char *tmp(const char *name) {
    static char buf[8][256];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

static long long count(const char *gpkg, const char *sql) {
    sqlite3 *db;
    long long n = -1;
    if (sqlite3_open_v2(gpkg, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

/* The raw columns of d restricted to MMSIs with mmsi % 2 == parity, then tracks. */
static aw_tracks *bucket_tracks(const aw_py_decoded *d, unsigned parity, const aw_py_opts *o) {
    size_t n = aw_py_decoded_rows(d, AW_PY_POSITIONS), ns = aw_py_decoded_rows(d, AW_PY_STATIC);
    static const char *const names[] = {"time_ms", "mmsi", "lat", "lon", "sog_dkn", "cog_ddeg", "heading_deg",
                                        "msg_type", "nav_status", "second", "source_id"};
    static const size_t width[] = {8, 4, 4, 4, 2, 2, 2, 1, 1, 1, 2};
    const uint32_t *mmsi = aw_py_decoded_col(d, AW_PY_POSITIONS, "mmsi");
    uint8_t *cols[11];
    size_t k = 0;
    for (int c = 0; c < 11; c++) cols[c] = malloc(n * width[c] + 1);
    for (size_t i = 0; i < n; i++) {
        if (mmsi[i] % 2 != parity) continue;
        for (int c = 0; c < 11; c++)
            memcpy(cols[c] + k * width[c], (const uint8_t *)aw_py_decoded_col(d, AW_PY_POSITIONS, names[c]) + i * width[c],
                   width[c]);
        k++;
    }
    const uint32_t *smmsi = aw_py_decoded_col(d, AW_PY_STATIC, "mmsi");
    const uint8_t *blob = aw_py_decoded_static(d);
    size_t sz = aw_py_static_size(), m = 0;
    uint8_t *obs = malloc(ns * sz + 1);
    for (size_t i = 0; i < ns; i++)
        if (smmsi[i] % 2 == parity) memcpy(obs + m++ * sz, blob + i * sz, sz);
    char err[256];
    aw_tracks *t = aw_py_tracks_build(k, (void *)cols[0], (void *)cols[1], (void *)cols[2], (void *)cols[3],
                                      (void *)cols[4], (void *)cols[5], (void *)cols[6], cols[7], cols[8], cols[9],
                                      (void *)cols[10], obs, m, o, err, sizeof err);
    CHECK(t != NULL);
    for (int c = 0; c < 11; c++) free(cols[c]);
    free(obs);
    return t;
}

static bool same_tracks(const aw_tracks *a, const aw_tracks *b) {
    if (a->n != b->n || a->nvessels != b->nvessels || a->nhistory != b->nhistory) return false;
    if (memcmp(a->time_ms, b->time_ms, a->n * 8) || memcmp(a->mmsi, b->mmsi, a->n * 4) ||
        memcmp(a->segment, b->segment, a->n * 4) || memcmp(a->lat, b->lat, a->n * 8) ||
        memcmp(a->source_id, b->source_id, a->n * 2))
        return false;
    for (size_t i = 0; i < a->nvessels; i++)
        if (a->vessels[i].mmsi != b->vessels[i].mmsi || a->vessels[i].segment != b->vessels[i].segment ||
            a->vessels[i].first != b->vessels[i].first || a->vessels[i].count != b->vessels[i].count ||
            a->vessels[i].hist_count != b->vessels[i].hist_count)
            return false;
    for (size_t i = 0; i < a->nhistory; i++)
        if (strcmp(a->history[i].value, b->history[i].value) || a->history[i].mmsi != b->history[i].mmsi)
            return false;
    return true;
}

int main(void) {
    if (!mkdtemp(dir)) return perror("mkdtemp"), 1;
    char err[512];
    aw_sim_opts so;
    aw_sim_opts_default(&so);
    so.background = 12;
    CHECK(aw_sim_scenarios_parse("all", &so.scenarios, err, sizeof err) == 0);
    CHECK(aw_sim_write_files(&so, tmp("sim.nmea"), NULL, NULL, err, sizeof err) == 0);
    CHECK(aw_sim_write_ports(tmp("ports.csv"), err, sizeof err) == 0);

    aw_py_opts *o = aw_py_opts_new();
    CHECK(aw_py_opts_set(o, "ports", tmp("ports.csv"), err, sizeof err) == 0);
    CHECK(aw_py_opts_set(o, "no_land", "1", err, sizeof err) == 0);
    CHECK(aw_py_opts_set(o, "gap_min_h", "-2", err, sizeof err) < 0 && strstr(err, "gap_min_h"));
    CHECK(aw_py_opts_set(o, "no_such_option", "1", err, sizeof err) < 0 && strstr(err, "unknown option"));
    CHECK(aw_py_opts_set(o, "lists", "a.csv,b.csv", err, sizeof err) == 0);
    CHECK(aw_py_lists_load(o, err, sizeof err) == NULL && err[0]); /* a.csv does not exist */
    aw_py_opts_free(o);
    o = aw_py_opts_new();
    CHECK(aw_py_opts_set(o, "ports", tmp("ports.csv"), err, sizeof err) == 0);
    CHECK(aw_py_opts_set(o, "no_land", "1", err, sizeof err) == 0);
    CHECK(aw_py_opts_name(0) != NULL && aw_py_opts_name(1000) == NULL);

    /* The single scan, as the CLI runs it. */
    const char *paths[] = {tmp("sim.nmea")};
    aw_py_scan *single = aw_py_scan_run(o, paths, 1, NULL, tmp("single.gpkg"), true, err, sizeof err);
    CHECK(single != NULL);
    if (!single) return check_report("test_pyapi");
    char *ref_events = aw_py_scan_events_jsonl(single);
    CHECK(ref_events && strstr(ref_events, "\"type\":\"encounter\""));
    char *summary = aw_py_scan_summary_json(single);
    CHECK(summary && strstr(summary, "\"warnings\":[]"));
    free(summary);

    /* Decoding into columns: every message, positions and timed static reports. */
    aw_py_decoded *d = aw_py_decode(tmp("sim.nmea"), o, 0, true, err, sizeof err);
    CHECK(d != NULL);
    CHECK(aw_py_decode(tmp("missing.nmea"), o, 0, true, err, sizeof err) == NULL && strstr(err, "missing.nmea"));
    size_t nmsg = aw_py_decoded_rows(d, AW_PY_MESSAGES);
    CHECK(nmsg > 10000 && aw_py_decoded_rows(d, AW_PY_POSITIONS) > nmsg / 2);
    char *info = aw_py_decoded_info_json(d);
    char want[64];
    snprintf(want, sizeof want, "\"messages\":%zu,", nmsg);
    CHECK(info && strstr(info, want));
    free(info);
    const char (*names)[21] = aw_py_decoded_col(d, AW_PY_MESSAGES, "name");
    const uint8_t *type = aw_py_decoded_col(d, AW_PY_MESSAGES, "msg_type");
    size_t named = 0;
    for (size_t i = 0; i < nmsg; i++) named += type[i] == 5 && names[i][0];
    CHECK(named > 0);

    /* Two MMSI buckets, packed and merged back: the single scan's tracks. */
    aw_tracks *b0 = bucket_tracks(d, 0, o), *b1 = bucket_tracks(d, 1, o);
    size_t l0, l1;
    void *p0 = aw_py_tracks_pack(b0, NULL, INT64_MIN, INT64_MAX, &l0);
    void *p1 = aw_py_tracks_pack(b1, NULL, INT64_MIN, INT64_MAX, &l1);
    const void *packs[] = {p1, p0};
    size_t lens[] = {l1, l0};
    char **sanct;
    aw_tracks *merged = aw_py_tracks_unpack(packs, lens, 2, &sanct, err, sizeof err);
    CHECK(merged && same_tracks(merged, aw_py_scan_tracks(single)));
    size_t bad_len = l0 - 1;
    char **s2;
    CHECK(aw_py_tracks_unpack(packs + 1, &bad_len, 1, &s2, err, sizeof err) == NULL);

    /* At-rest cells per bucket sum to the whole run's; with the derived anchorages the
     * events on the merged tracks are the single scan's, byte for byte. */
    int64_t *c0, *c1, *ca;
    uint32_t *n0, *n1, *na;
    long k0 = aw_py_rest_cells(b0, 0.01, &c0, &n0), k1 = aw_py_rest_cells(b1, 0.01, &c1, &n1);
    long ka = aw_py_rest_cells(merged, 0.01, &ca, &na);
    uint64_t s0 = 0, sa = 0;
    for (long i = 0; i < k0; i++) s0 += n0[i];
    for (long i = 0; i < k1; i++) s0 += n1[i];
    for (long i = 0; i < ka; i++) sa += na[i];
    CHECK(ka > 0 && s0 == sa);
    int64_t derived[4096];
    size_t nd = 0;
    for (long i = 0; i < ka && nd < 4096; i++)
        if (na[i] >= 10) derived[nd++] = ca[i];
    aw_geo *geo = aw_py_geo_load(o, NULL, true, err, sizeof err);
    CHECK(geo != NULL && aw_py_geo_add_derived(geo, derived, nd, 0.01) == (int)nd);
    aw_events *ev = aw_py_detect(merged, geo, o, true, err, sizeof err);
    const char *src[] = {"sim.nmea"};
    char *got = ev ? aw_py_events_jsonl(ev, merged, o, src, 1) : NULL;
    CHECK(got && ref_events && strcmp(got, ref_events) == 0);
    size_t ne = aw_py_events_count(ev);
    int64_t *st = malloc(ne * 8 + 8), *en = malloc(ne * 8 + 8), *fl = malloc(ne * 8 + 8);
    int32_t *ty = malloc(ne * 4 + 4);
    aw_py_events_meta(ev, st, en, ty, fl);
    bool ordered = true;
    for (size_t i = 0; i < ne; i++) ordered &= st[i] <= en[i] && ty[i] >= 0 && ty[i] < AW_EV_COUNT;
    CHECK(ordered);

    /* A window keeps its positions plus one beyond each edge per segment. */
    int64_t from = merged->time_ms[0] + 6 * 3600000LL, to = from + 6 * 3600000LL;
    size_t lw;
    void *pw = aw_py_tracks_pack(merged, NULL, from, to, &lw);
    const void *wp[] = {pw};
    char **sw;
    aw_tracks *win = aw_py_tracks_unpack(wp, &lw, 1, &sw, err, sizeof err);
    CHECK(win && win->n < merged->n && win->n > 0);
    size_t outside_ok = 1;
    for (size_t v = 0; win && v < win->nvessels; v++) {
        size_t before = 0, after = 0;
        for (size_t i = win->vessels[v].first; i < win->vessels[v].first + win->vessels[v].count; i++)
            before += win->time_ms[i] < from, after += win->time_ms[i] >= to;
        outside_ok &= before <= 1 && after <= 1;
    }
    CHECK(outside_ok);

    /* Partition GeoPackages (tracks layers of each bucket, events, inputs) merge into the
     * single scan's rows. */
    CHECK(aw_py_write_gpkg(tmp("b0.gpkg"), b0, NULL, NULL, NULL, NULL, o, src, 1, true, true, err, sizeof err) == 0);
    CHECK(aw_py_write_gpkg(tmp("b1.gpkg"), b1, NULL, NULL, NULL, NULL, o, src, 1, true, true, err, sizeof err) == 0);
    CHECK(aw_py_write_gpkg(tmp("ev.gpkg"), merged, ev, NULL, NULL, NULL, o, src, 1, false, false, err, sizeof err) ==
          0);
    int64_t bytes = 1;
    const char *sha = "", *fmt = "nmea";
    CHECK(aw_py_write_inputs(tmp("in.gpkg"), 1, paths, src, &bytes, &sha, &fmt, err, sizeof err) == 0);
    const char *parts[] = {tmp("in.gpkg"), tmp("b0.gpkg"), tmp("b1.gpkg"), tmp("ev.gpkg")};
    CHECK(aw_gpkg_merge(tmp("merged.gpkg"), parts, 4, err, sizeof err) == 0);
    const char *queries[] = {"SELECT count(*) FROM positions", "SELECT count(*) FROM vessels",
                             "SELECT count(*) FROM tracks", "SELECT count(*) FROM identity_history",
                             "SELECT count(*) FROM events", "SELECT count(*) FROM event_tracks",
                             "SELECT sum(n_points) FROM tracks", "SELECT count(*) FROM rtree_positions_geom"};
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        long long a = count(tmp("merged.gpkg"), queries[i]), b = count(tmp("single.gpkg"), queries[i]);
        if (a != b) fprintf(stderr, "%s: merged %lld, single %lld\n", queries[i], a, b);
        CHECK(a == b && a > 0);
    }
    CHECK(count(tmp("merged.gpkg"), "SELECT count(*) FROM sqlite_master WHERE name='idx_events_start__id'") == 1);
    const char *not_gpkg[] = {tmp("sim.nmea")};
    CHECK(aw_gpkg_merge(tmp("bad.gpkg"), not_gpkg, 1, err, sizeof err) < 0 && err[0]);
    CHECK(access(tmp("bad.gpkg"), F_OK) != 0);

    free(st), free(en), free(fl), free(ty);
    free(c0), free(c1), free(ca), free(n0), free(n1), free(na);
    free(got);
    free(ref_events);
    aw_py_free(pw);
    aw_py_free(p0);
    aw_py_free(p1);
    aw_py_strings_free(sw, win ? win->nvessels : 0);
    aw_py_strings_free(sanct, merged ? merged->nvessels : 0);
    aw_py_tracks_free(win);
    aw_py_tracks_free(merged);
    aw_py_tracks_free(b0);
    aw_py_tracks_free(b1);
    aw_py_events_free(ev);
    aw_geo_free(geo);
    aw_py_decoded_free(d);
    aw_py_scan_free(single);
    aw_py_opts_free(o);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_report("test_pyapi");
}
