/* test_detect.c — each detector on tracks built by hand, with the traps that must not
 * fire. No geography here (tests/test_scan_events.py runs the whole thing with land,
 * ports and anchorages). */
#include <math.h>
#include <string.h>

#include "aiswatch/event.h"
#include "check.h"

#define H 3600000LL
#define T0 1700000000000LL

static aw_columns cols;
static aw_static_obs obs[64];
static size_t nobs;

static void pos(uint32_t mmsi, int64_t t, double lat, double lon, double kn) {
    aw_msg m = {.msg_type = 1, .mmsi = mmsi};
    m.u.pos = (aw_pos_report){.speed = (uint16_t)lround(kn * 10), .course = 900, .heading = 90,
                              .second = (uint8_t)(t / 1000 % 60), .lat = (int32_t)lround(lat * AW_LATLON_SCALE),
                              .lon = (int32_t)lround(lon * AW_LATLON_SCALE)};
    aw_msg_meta meta = {.time_ms = t};
    aw_columns_push(&cols, &m, &meta);
}

/* A vessel sailing east at kn knots from (lat, lon) between t0 and t1, a report every 3 min. */
static void sail(uint32_t mmsi, int64_t t0, int64_t t1, double lat, double lon, double kn) {
    for (int64_t t = t0; t <= t1; t += 180000) {
        double nm = kn * (t - t0) / 3600000.0;
        pos(mmsi, t, lat, lon + nm / 60.0 / cos(lat * M_PI / 180), kn);
    }
}

static void voyage(uint32_t mmsi, int64_t t, const char *name, uint32_t imo, uint8_t draught_dm) {
    aw_msg m = {.msg_type = 5, .mmsi = mmsi};
    strcpy(m.u.voy.shipname, name);
    m.u.voy.imo = imo;
    m.u.voy.shiptype = 80;
    m.u.voy.draught = draught_dm;
    aw_static_from_msg(&m, t, &obs[nobs++]);
}

static size_t count(const aw_events *e, aw_event_type ty) {
    size_t n = 0;
    for (size_t i = 0; i < e->n; i++) n += e->v[i].type == ty;
    return n;
}

static const aw_event *find(const aw_events *e, aw_event_type ty, uint32_t mmsi) {
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].type == ty)
            for (unsigned k = 0; k < e->v[i].nvessels; k++)
                if (e->v[i].vessels[k].mmsi == mmsi) return &e->v[i];
    return NULL;
}

static double measure(const aw_event *e, const char *name) {
    for (unsigned i = 0; i < e->nmeasures; i++)
        if (strcmp(e->measures[i].name, name) == 0) return e->measures[i].value;
    return NAN;
}

int main(void) {
    /* Encounter: two tankers 100 m apart, 0.3 kn, 5 h; draught of one drops 3 m. */
    sail(412000001, T0, T0 + 5 * H, 30.5, 124.5, 0.3);
    sail(412000002, T0, T0 + 5 * H, 30.5009, 124.5, 0.3);
    voyage(412000001, T0 - H, "TANKER ONE", 9187629, 150);
    voyage(412000001, T0 + 6 * H, "TANKER ONE", 9187629, 120);
    sail(412000001, T0 + 6 * H, T0 + 7 * H, 30.5, 124.6, 12);
    /* Trap: two ships passing 200 m apart at 12 kn. */
    sail(413000001, T0, T0 + 3 * H, 20.0, -40.0, 12);
    sail(413000002, T0, T0 + 3 * H, 20.0018, -40.0, 12);
    /* Trap: a meeting of 1 h only. */
    sail(414000001, T0, T0 + H, 10.0, -30.0, 0.2);
    sail(414000002, T0, T0 + H, 10.0005, -30.0, 0.2);
    /* Loitering: 6 h at 0.5 kn, alone. */
    sail(477000001, T0, T0 + 6 * H, -20.0, 60.0, 0.5);
    /* Gap: 18 h of silence between two positions 200 nm apart. */
    sail(416000001, T0, T0 + H, 0.0, 150.0, 11);
    sail(416000001, T0 + 19 * H, T0 + 20 * H, 0.0, 150.0 + 200.0 / 60, 11);
    /* Dark rendezvous: 417 loiters 10 h; 418 goes dark 14 h, 40 nm either side of it. */
    sail(417000001, T0 + 2 * H, T0 + 12 * H, 40.0, -50.0, 0.4);
    sail(538000001, T0, T0 + H, 40.0, -50.0 - 40.0 / 60 / cos(40 * M_PI / 180) - 0.1, 10);
    sail(538000001, T0 + 15 * H, T0 + 16 * H, 40.0, -50.0 + 40.0 / 60 / cos(40 * M_PI / 180), 10);
    /* Identity conflict: one MMSI, two ships 500 km apart for 4 h. */
    sail(419000001, T0, T0 + 4 * H, 35.0, 20.0, 10);
    sail(419000001, T0 + 90000, T0 + 4 * H + 90000, 35.0, 26.0, 10);
    /* Identity change and a bad IMO; an MMSI without a flag state. */
    sail(636000001, T0, T0 + 4 * H, -40.0, 10.0, 10);
    voyage(636000001, T0, "OLD NAME", 9187629, 80);
    voyage(636000001, T0 + 3 * H, "NEW NAME", 9187628, 80);
    sail(100123456, T0, T0 + H, -45.0, 10.0, 10);
    /* Spoofing: a jump of 300 km and back within 20 minutes. */
    sail(351000001, T0, T0 + 6 * H, 50.0, -20.0, 10);
    pos(351000001, T0 + 3 * H + 60000, 52.7, -20.0, 10);
    pos(351000001, T0 + 3 * H + 120000, 52.7, -20.0, 10);

    aw_tracks t;
    char err[256];
    CHECK_EQ_INT(aw_tracks_build(&cols, obs, nobs, NULL, &t, err, sizeof err), 0);
    aw_events ev = {0};
    aw_event_params p;
    aw_event_params_default(&p);
    const char *skipped;
    CHECK_EQ_INT(aw_detect(&t, NULL, &p, &ev, &skipped, err, sizeof err), 0);
    for (size_t i = 0; i < ev.n; i++) printf("  %s %s\n", ev.v[i].id, ev.v[i].detail);

    CHECK_EQ_INT(count(&ev, AW_EV_ENCOUNTER), 1);
    const aw_event *enc = find(&ev, AW_EV_ENCOUNTER, 412000001);
    CHECK(enc != NULL);
    if (enc) {
        CHECK(measure(enc, "duration_h") >= 4.8);
        CHECK(fabs(measure(enc, "median_distance_m") - 100) < 5);
        CHECK(enc->vessels[1].mmsi == 412000002);
        CHECK(enc->vessels[0].count > 90); /* evidence: every position inside */
    }
    CHECK(find(&ev, AW_EV_ENCOUNTER, 413000001) == NULL);
    CHECK(find(&ev, AW_EV_ENCOUNTER, 414000001) == NULL);
    const aw_event *dc = find(&ev, AW_EV_DRAUGHT_CHANGE, 412000001);
    CHECK(dc != NULL);
    if (dc) {
        CHECK(fabs(measure(dc, "change_m") + 3.0) < 1e-9);
        bool to_encounter = false; /* and to the two vessels' loitering, which it also spans */
        for (unsigned k = 0; k < dc->nlinks; k++) to_encounter |= ev.v[dc->links[k]].type == AW_EV_ENCOUNTER;
        CHECK(to_encounter);
    }
    CHECK(find(&ev, AW_EV_LOITERING, 477000001) != NULL);
    const aw_event *gap = find(&ev, AW_EV_GAP, 416000001);
    CHECK(gap != NULL);
    if (gap) CHECK(fabs(measure(gap, "gap_h") - 18) < 0.01);
    const aw_event *dr = find(&ev, AW_EV_DARK_RENDEZVOUS, 538000001);
    CHECK(dr != NULL);
    if (dr) CHECK(dr->vessels[0].mmsi == 417000001 && dr->nlinks == 2);
    CHECK(find(&ev, AW_EV_IDENTITY_CONFLICT, 419000001) != NULL);
    const aw_event *ch = find(&ev, AW_EV_IDENTITY_CHANGE, 636000001);
    CHECK(ch != NULL);
    int changes = 0;
    for (size_t i = 0; i < ev.n; i++)
        if (ev.v[i].type == AW_EV_IDENTITY_CHANGE && ev.v[i].vessels[0].mmsi == 636000001) changes++;
    CHECK_EQ_INT(changes, 3); /* name change, IMO change, the new IMO fails its check digit */
    CHECK(find(&ev, AW_EV_IDENTITY_CHANGE, 100123456) != NULL);
    CHECK(find(&ev, AW_EV_POSITION_SPOOF, 351000001) != NULL);
    /* Ids are unique. */
    for (size_t i = 0; i < ev.n; i++)
        for (size_t j = i + 1; j < ev.n; j++) CHECK(strcmp(ev.v[i].id, ev.v[j].id) != 0);

    /* Parameters change the result as expected. */
    aw_events ev2 = {0};
    p.encounter_min_h = 6;
    CHECK_EQ_INT(aw_detect(&t, NULL, &p, &ev2, &skipped, err, sizeof err), 0);
    CHECK_EQ_INT(count(&ev2, AW_EV_ENCOUNTER), 0);
    aw_events_free(&ev2);
    aw_event_params_default(&p);
    p.gap_min_h = 20;
    CHECK_EQ_INT(aw_detect(&t, NULL, &p, &ev2, &skipped, err, sizeof err), 0);
    CHECK(find(&ev2, AW_EV_GAP, 416000001) == NULL);
    aw_events_free(&ev2);

    aw_events_free(&ev);
    aw_tracks_free(&t);
    aw_columns_free(&cols);
    return check_report("detect");
}
