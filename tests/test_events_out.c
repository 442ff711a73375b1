/* test_events_out.c — events into the GeoPackage and into JSON (event_out.h).
 *
 * Builds a tiny aw_tracks and aw_events by hand — two vessels, an encounter linked both
 * ways to a draught change, a gap elsewhere and an identity change with no place — writes
 * them with aw_events_write_gpkg() and reads the file back with SQLite: layers, counts,
 * the context window's bounds, in_event flags, identity at the time, measures and
 * parameters as JSON (SQLite's json functions parse them).
 *
 *   test_events_out                  run the tests
 *   test_events_out --fixture FILE   write that GeoPackage to FILE and the library's JSON of
 *                                    its events to FILE.jsonl (for test_events_cli.sh)
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiswatch/event.h"
#include "aiswatch/event_out.h"
#include "aiswatch/gpkg.h"
#include "aiswatch/track.h"
#include "check.h"

#define H (3600 * 1000LL)
#define T0 1459382400000LL /* 2016-03-31T00:00:00Z */
#define MMSI_A 636012345u /* Liberia: positions every 30 min over 24 h */
#define MMSI_B 445123456u /* DPRK: positions every 30 min from 6 h to 20 h */

static const char *const SOURCES[] = {"day1.nmea", "day2.nmea", "feed-b.nmea"};

typedef struct fixture {
    aw_tracks t;
    aw_events ev;
    aw_ident_change hist[3];
    aw_vessel ves[2];
} fixture;

static void add_positions(fixture *f, size_t *i, uint32_t mmsi, int64_t from, int64_t to, double lat, double lon) {
    aw_tracks *t = &f->t;
    for (int64_t ms = from; ms <= to; ms += H / 2, (*i)++) {
        t->time_ms[*i] = ms;
        t->mmsi[*i] = mmsi;
        t->segment[*i] = 0;
        t->lat[*i] = lat + (double)(ms - from) / H * 0.001;
        t->lon[*i] = lon;
        t->sog_kn[*i] = mmsi == MMSI_A && ms == T0 ? NAN : 0.44f;
        t->cog_deg[*i] = 91.0f;
        t->heading_deg[*i] = mmsi == MMSI_A ? 90 : 511;
        t->nav_status[*i] = 0;
        t->msg_type[*i] = 1;
        t->source_id[*i] = mmsi == MMSI_B ? 2 : ms < T0 + 10 * H ? 0 : 1;
    }
}

/* First index of vessel v's positions at or after ms. */
static size_t at(const fixture *f, size_t v, int64_t ms) {
    size_t i = f->ves[v].first;
    while (i < f->ves[v].first + f->ves[v].count && f->t.time_ms[i] < ms) i++;
    return i;
}

static aw_event *new_event(fixture *f, aw_event_type type, const char *id, int64_t s, int64_t e, double lat,
                           double lon) {
    aw_event *ev = &f->ev.v[f->ev.n++];
    memset(ev, 0, sizeof *ev);
    snprintf(ev->id, sizeof ev->id, "%s", id);
    ev->type = type;
    ev->start_ms = s;
    ev->end_ms = e;
    ev->lat = lat;
    ev->lon = lon;
    return ev;
}

static void add_vessel(const fixture *f, aw_event *ev, size_t v, int64_t s, int64_t e) {
    aw_event_vessel *x = &ev->vessels[ev->nvessels++];
    x->mmsi = f->ves[v].mmsi;
    x->segment = 0;
    x->vessel = v;
    x->first = at(f, v, s);
    x->count = at(f, v, e + 1) - x->first;
}

static void add_measure(aw_event *ev, const char *name, double v) {
    ev->measures[ev->nmeasures++] = (aw_measure){name, v};
}

/* Vessel 0 is B (the lower MMSI), vessel 1 is A: aw_tracks orders by mmsi. */
static void fixture_build(fixture *f) {
    memset(f, 0, sizeof *f);
    aw_tracks *t = &f->t;
    size_t n = 29 + 49;
    t->time_ms = calloc(n, sizeof *t->time_ms);
    t->mmsi = calloc(n, sizeof *t->mmsi);
    t->segment = calloc(n, sizeof *t->segment);
    t->lat = calloc(n, sizeof *t->lat);
    t->lon = calloc(n, sizeof *t->lon);
    t->sog_kn = calloc(n, sizeof *t->sog_kn);
    t->cog_deg = calloc(n, sizeof *t->cog_deg);
    t->heading_deg = calloc(n, sizeof *t->heading_deg);
    t->nav_status = calloc(n, 1);
    t->msg_type = calloc(n, 1);
    t->source_id = calloc(n, sizeof *t->source_id);
    size_t i = 0;
    add_positions(f, &i, MMSI_B, T0 + 6 * H, T0 + 20 * H, 38.2505, 129.5003);
    add_positions(f, &i, MMSI_A, T0, T0 + 24 * H, 38.25, 129.5);
    t->n = i;

    /* A was OCEAN STAR until 9 h (overlapping the encounter), SEA PEARL from 15 h; B has no
     * history, only a current name. */
    f->hist[0] = (aw_ident_change){MMSI_A, 0, AW_ID_NAME, "OCEAN STAR", T0 - 240 * H, T0 + 9 * H, 7};
    f->hist[1] = (aw_ident_change){MMSI_A, 0, AW_ID_NAME, "SEA PEARL", T0 + 15 * H, T0 + 23 * H, 4};
    f->hist[2] = (aw_ident_change){MMSI_A, 0, AW_ID_IMO, "9074729", T0 - 240 * H, T0 + 23 * H, 11};
    t->history = f->hist;
    t->nhistory = 3;
    f->ves[0] = (aw_vessel){.mmsi = MMSI_B, .first = 0, .count = 29, .hist_first = 3, .hist_count = 0};
    f->ves[0].ident.fields = 1u << AW_ID_NAME;
    snprintf(f->ves[0].ident.name, sizeof f->ves[0].ident.name, "KUM UN SAN 3");
    f->ves[1] = (aw_vessel){.mmsi = MMSI_A, .first = 29, .count = 49, .hist_first = 0, .hist_count = 3};
    f->ves[1].ident.fields = (1u << AW_ID_NAME) | (1u << AW_ID_IMO);
    snprintf(f->ves[1].ident.name, sizeof f->ves[1].ident.name, "SEA PEARL");
    f->ves[1].ident.imo = 9074729;
    t->vessels = f->ves;
    t->nvessels = 2;

    f->ev.v = calloc(8, sizeof *f->ev.v);
    f->ev.cap = 8;
    aw_event *e = new_event(f, AW_EV_ENCOUNTER, "encounter-445123456-636012345-20160331T0800Z", T0 + 8 * H,
                            T0 + 12 * H, 38.2505, 129.5002);
    add_vessel(f, e, 0, e->start_ms, e->end_ms);
    add_vessel(f, e, 1, e->start_ms, e->end_ms);
    add_measure(e, "duration_h", 4);
    add_measure(e, "median_distance_m", 210.5);
    add_measure(e, "median_speed_kn", NAN);
    e->links[e->nlinks++] = 1;

    e = new_event(f, AW_EV_DRAUGHT_CHANGE, "draught_change-636012345-20160331T0700Z", T0 + 7 * H, T0 + 14 * H,
                  38.2507, 129.5);
    add_vessel(f, e, 1, e->start_ms, e->end_ms);
    add_measure(e, "draught_before_m", 9.2);
    add_measure(e, "draught_after_m", 11.6);
    snprintf(e->detail, sizeof e->detail, "draught 9.2 m -> 11.6 m across \"encounter\"");
    e->links[e->nlinks++] = 0;

    e = new_event(f, AW_EV_GAP, "gap-636012345-20160331T2000Z", T0 + 20 * H, T0 + 22 * H, 10.5, -70.25);
    add_vessel(f, e, 1, e->start_ms, e->end_ms);
    add_measure(e, "gap_h", 2);

    e = new_event(f, AW_EV_IDENTITY_CHANGE, "identity_change-445123456-20160331T1000Z", T0 + 10 * H, T0 + 10 * H,
                  NAN, NAN);
    add_vessel(f, e, 0, e->start_ms, e->end_ms);
    snprintf(e->detail, sizeof e->detail, "name: CHON MA SAN -> KUM UN SAN 3");
}

static void fixture_free(fixture *f) {
    aw_tracks *t = &f->t;
    free(t->time_ms), free(t->mmsi), free(t->segment), free(t->lat), free(t->lon), free(t->sog_kn);
    free(t->cog_deg), free(t->heading_deg), free(t->nav_status), free(t->msg_type), free(t->source_id);
    free(f->ev.v);
}

static int write_file(const char *path, const fixture *f, bool append, char *err, size_t errcap) {
    aw_gpkg *g = aw_gpkg_open(path, append, err, errcap);
    int rc = g && aw_events_write_gpkg(g, &f->t, &f->ev, NULL, SOURCES, 3, err, errcap) == 0 &&
                     aw_gpkg_finish(g, err, errcap) == 0
                 ? 0
                 : -1;
    aw_gpkg_close(g);
    return rc;
}

/* ---- reading back ------------------------------------------------------------------- */

static sqlite3 *db;

static long long q_int(const char *sql) {
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fprintf(stderr, "sql: %s: %s\n", sqlite3_errmsg(db), sql);
    else if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char q_buf[1024];
static const char *q_text(const char *sql) {
    sqlite3_stmt *st = NULL;
    snprintf(q_buf, sizeof q_buf, "<error>");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fprintf(stderr, "sql: %s: %s\n", sqlite3_errmsg(db), sql);
    else if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(q_buf, sizeof q_buf, "%s", sqlite3_column_type(st, 0) == SQLITE_NULL ? "<null>" : (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return q_buf;
}

#define ENC "(SELECT id FROM events WHERE type = 'encounter')"

static void layers_and_counts_are_right(void) {
    CHECK_EQ_INT(q_int("SELECT count(*) FROM gpkg_contents WHERE table_name IN ('events','event_tracks') AND data_type = 'features'"), 2);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM gpkg_geometry_columns WHERE table_name = 'events' AND geometry_type_name = 'POINT'"), 1);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM sqlite_master WHERE name = 'rtree_events_geom'"), 1);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM events"), 4);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM rtree_events_geom"), 3); /* the identity change has no place */
    CHECK_EQ_INT(q_int("SELECT count(*) FROM events WHERE geom IS NULL"), 1);
}

/* Context: 6 h either side of 08:00–12:00 is 02:00–18:00. A reports every 30 min all day
 * (33 in the window, 9 inside); B only from 06:00 (25 in the window, 9 inside). */
static void context_window_bounds_and_in_event_flags(void) {
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE event_id = " ENC " AND mmsi = 636012345"), 33);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE event_id = " ENC " AND mmsi = 445123456"), 25);
    CHECK_EQ_STR(q_text("SELECT min(time) FROM event_tracks WHERE event_id = " ENC " AND mmsi = 636012345"),
                 "2016-03-31T02:00:00.000Z");
    CHECK_EQ_STR(q_text("SELECT max(time) FROM event_tracks WHERE event_id = " ENC " AND mmsi = 636012345"),
                 "2016-03-31T18:00:00.000Z");
    CHECK_EQ_STR(q_text("SELECT min(time) FROM event_tracks WHERE event_id = " ENC " AND mmsi = 445123456"),
                 "2016-03-31T06:00:00.000Z");
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE event_id = " ENC " AND in_event = 1 AND mmsi = 636012345"), 9);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE event_id = " ENC " AND in_event = 1 AND mmsi = 445123456"), 9);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE in_event = 1 AND (time < '2016-03-31T08:00:00.000Z' OR "
                       "time > '2016-03-31T12:00:00.000Z') AND event_id = " ENC),
                 0);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE in_event = 0 AND time >= '2016-03-31T08:00:00.000Z' AND "
                       "time <= '2016-03-31T12:00:00.000Z' AND event_id = " ENC),
                 0);
    /* gap 20:00–22:00: 14:00 to the end of A's day at 24:00 = 21 reports */
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE event_id LIKE 'gap-%'"), 21);
    /* an instant event (identity change at 10:00): B from 06:00 to 16:00 */
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE event_id LIKE 'identity_change-%'"), 21);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE event_id LIKE 'identity_change-%' AND in_event = 1"), 1);
    /* not-available values are NULL, not 511 or NaN */
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE mmsi = 445123456 AND heading_deg IS NOT NULL"), 0);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM event_tracks WHERE mmsi = 636012345 AND heading_deg = 90"),
                 q_int("SELECT count(*) FROM event_tracks WHERE mmsi = 636012345"));
    CHECK_EQ_STR(q_text("SELECT sog_kn FROM event_tracks WHERE mmsi = 636012345 LIMIT 1"), "0.4");
}

static void identity_is_the_one_at_the_time(void) {
    CHECK_EQ_STR(q_text("SELECT names FROM events WHERE type = 'encounter'"), "KUM UN SAN 3 / OCEAN STAR");
    CHECK_EQ_STR(q_text("SELECT names FROM events WHERE type = 'gap'"), "SEA PEARL");
    CHECK_EQ_STR(q_text("SELECT imo FROM events WHERE type = 'encounter'"), ",9074729");
    CHECK_EQ_STR(q_text("SELECT imo FROM events WHERE type = 'identity_change'"), "<null>");
    CHECK_EQ_STR(q_text("SELECT flags FROM events WHERE type = 'encounter'"), "KP,LR");
    CHECK_EQ_STR(q_text("SELECT mmsi FROM events WHERE type = 'encounter'"), "445123456,636012345");
    CHECK_EQ_INT(q_int("SELECT mmsi1 FROM events WHERE type = 'encounter'"), MMSI_B);
    CHECK_EQ_INT(q_int("SELECT mmsi2 FROM events WHERE type = 'encounter'"), MMSI_A);
    CHECK_EQ_INT(q_int("SELECT mmsi2 IS NULL AND segment2 IS NULL FROM events WHERE type = 'gap'"), 1);
}

static void measures_parameters_links_and_sources(void) {
    CHECK_EQ_INT(q_int("SELECT count(*) FROM events WHERE json_valid(measures) AND json_valid(parameters)"), 4);
    CHECK_EQ_STR(q_text("SELECT json_extract(measures, '$.median_distance_m') FROM events WHERE type = 'encounter'"), "210.5");
    CHECK_EQ_STR(q_text("SELECT json_type(measures, '$.median_speed_kn') FROM events WHERE type = 'encounter'"), "null");
    CHECK_EQ_STR(q_text("SELECT measures FROM events WHERE type = 'identity_change'"), "{}");
    CHECK_EQ_INT(q_int("SELECT json_extract(parameters, '$.encounter_distance_m') FROM events WHERE type = 'gap'"), 500);
    CHECK_EQ_INT(q_int("SELECT json_extract(parameters, '$.context_h') FROM events WHERE type = 'gap'"), 6);
    CHECK_EQ_INT(q_int("SELECT count(*) FROM json_each((SELECT parameters FROM events LIMIT 1))"), (long long)(sizeof(aw_event_params) / sizeof(double)));
    CHECK_EQ_STR(q_text("SELECT linked FROM events WHERE type = 'encounter'"), "draught_change-636012345-20160331T0700Z");
    CHECK_EQ_STR(q_text("SELECT linked FROM events WHERE type = 'draught_change'"),
                 "encounter-445123456-636012345-20160331T0800Z");
    CHECK_EQ_STR(q_text("SELECT linked FROM events WHERE type = 'gap'"), "<null>");
    /* evidence of the encounter: A from day1 (before 10:00) and day2, B from feed-b */
    CHECK_EQ_STR(q_text("SELECT sources FROM events WHERE type = 'encounter'"), "day1.nmea,day2.nmea,feed-b.nmea");
    CHECK_EQ_STR(q_text("SELECT sources FROM events WHERE type = 'gap'"), "day2.nmea");
    CHECK_EQ_STR(q_text("SELECT start FROM events WHERE type = 'encounter'"), "2016-03-31T08:00:00.000Z");
    CHECK_EQ_STR(q_text("SELECT duration_h FROM events WHERE type = 'draught_change'"), "7.0");
    CHECK_EQ_STR(q_text("SELECT detail FROM events WHERE type = 'draught_change'"),
                 "draught 9.2 m -> 11.6 m across \"encounter\"");
}

static void json_form_is_the_cli_form(const fixture *f) {
    char buf[4096];
    size_t n = aw_event_json(&f->ev, 0, &f->t, NULL, SOURCES, 3, buf, sizeof buf);
    CHECK(n > 0 && n < sizeof buf);
    CHECK_EQ_INT(strlen(buf), n);
    static const char head[] = "{\"id\":\"encounter-445123456-636012345-20160331T0800Z\",\"type\":\"encounter\","
                       "\"start\":\"2016-03-31T08:00:00Z\",\"end\":\"2016-03-31T12:00:00Z\",\"duration_h\":4,"
                       "\"lat\":38.2505000,\"lon\":129.5002000,\"mmsi\":[445123456,636012345],\"segment\":[0,0],"
                       "\"imo\":[null,9074729],\"names\":[\"KUM UN SAN 3\",\"OCEAN STAR\"],\"flags\":[\"KP\",\"LR\"],"
                       "\"measures\":{\"duration_h\":4,\"median_distance_m\":210.5,\"median_speed_kn\":null},"
                       "\"detail\":null,\"linked\":[\"draught_change-636012345-20160331T0700Z\"],\"parameters\":{";
    CHECK(strncmp(buf, head, sizeof head - 1) == 0);
    CHECK(strstr(buf, "\"sources\":[\"day1.nmea\",\"day2.nmea\",\"feed-b.nmea\"],\"sanctioned\":null}") != NULL);
    /* snprintf's contract: a short buffer gets what fits, NUL-terminated, and the size */
    char small[16];
    CHECK_EQ_INT(aw_event_json(&f->ev, 0, &f->t, NULL, SOURCES, 3, small, sizeof small), n);
    CHECK_EQ_STR(small, "{\"id\":\"encounte");
    n = aw_event_json(&f->ev, 3, &f->t, NULL, NULL, 0, buf, sizeof buf);
    CHECK(strstr(buf, "\"lat\":null,\"lon\":null,") != NULL);
    CHECK(strstr(buf, "\"detail\":\"name: CHON MA SAN -> KUM UN SAN 3\"") != NULL);
    CHECK(strstr(buf, "\"sources\":[],\"sanctioned\":null}") != NULL);
}

static void bad_events_are_refused_with_a_message(fixture *f, const char *dir) {
    char path[512], err[256] = "";
    snprintf(path, sizeof path, "%s/bad.gpkg", dir);
    f->ev.v[1].links[0] = 99;
    CHECK(write_file(path, f, false, err, sizeof err) < 0);
    CHECK(strstr(err, "link") != NULL);
    f->ev.v[1].links[0] = 0;
    f->ev.v[2].vessels[0].vessel = 0; /* points at B, says A */
    err[0] = 0;
    CHECK(write_file(path, f, false, err, sizeof err) < 0);
    CHECK(strstr(err, "gap-636012345") != NULL);
    f->ev.v[2].vessels[0].vessel = 1;
    CHECK(access(path, F_OK) != 0); /* nothing left behind */
}

int main(int argc, char **argv) {
    fixture f;
    fixture_build(&f);
    char err[512];
    if (argc == 3 && strcmp(argv[1], "--fixture") == 0) {
        int rc = write_file(argv[2], &f, false, err, sizeof err);
        if (rc < 0) fprintf(stderr, "fixture: %s\n", err);
        /* FILE.jsonl: the library's JSON of each event, which `aiswatch events` must repeat */
        char jpath[1024], json[4096];
        snprintf(jpath, sizeof jpath, "%s.jsonl", argv[2]);
        FILE *jf = rc == 0 ? fopen(jpath, "w") : NULL;
        for (size_t i = 0; jf && i < f.ev.n; i++) {
            aw_event_json(&f.ev, i, &f.t, NULL, SOURCES, 3, json, sizeof json);
            fprintf(jf, "%s\n", json);
        }
        if (jf && fclose(jf) != 0) rc = -1;
        fixture_free(&f);
        return rc < 0;
    }
    char dir[] = "/tmp/aw_events_out_XXXXXX", path[512];
    if (!mkdtemp(dir)) return 2;
    snprintf(path, sizeof path, "%s/run.gpkg", dir);
    CHECK(write_file(path, &f, false, err, sizeof err) == 0);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        layers_and_counts_are_right();
        context_window_bounds_and_in_event_flags();
        identity_is_the_one_at_the_time();
        measures_parameters_links_and_sources();
        CHECK_EQ_STR(q_text("PRAGMA integrity_check"), "ok");
        CHECK_EQ_STR(q_text("SELECT rtreecheck('rtree_events_geom')"), "ok");
    }
    sqlite3_close(db);
    /* appending the same events reuses both layers */
    CHECK(write_file(path, &f, true, err, sizeof err) == 0);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        CHECK_EQ_INT(q_int("SELECT count(*) FROM events"), 8);
        CHECK_EQ_INT(q_int("SELECT count(*) FROM rtree_events_geom"), 6);
    }
    sqlite3_close(db);
    json_form_is_the_cli_form(&f);
    bad_events_are_refused_with_a_message(&f, dir);
    remove(path);
    rmdir(dir);
    fixture_free(&f);
    printf("test_events_out: %d passed, %d failed\n", check_count - check_failures, check_failures);
    return check_failures ? 1 : 0;
}
