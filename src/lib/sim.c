/* sim.c — synthetic AIS traffic with known ground truth (see aiswatch/sim.h).
 *
 * Every vessel follows a chain of legs: straight, constant-speed pieces between two
 * points (positions interpolated linearly in latitude and longitude, which over a leg of
 * a few hundred miles is close to the rhumb line a ship would steer). Scenario vessels
 * get their whole chain at set-up; background vessels make theirs as they go, from a
 * table of sea lanes between real World Port Index ports. A timing wheel of one-second
 * slots wakes each vessel when its next report is due, so the cost is a constant per
 * message whatever the fleet size, and the output comes out in time order.
 *
 * Why the geography is a compiled-in table: the simulator must work without the shared
 * data (make demo, the Python binding), and great circles between ports cross land,
 * which the land detector would flag. The default mode's 21 lanes were drawn by hand,
 * the global mode's 119 (sim_world.c) routed over Natural Earth 1:10m land; the ports
 * are World Port Index positions (Pub. 150). tests/test_simulate_lanes.c walks every
 * lane against 1:10m land. docs/simulate.md lists them.
 *
 * The global mode adds who hears each report (shore receivers within 40 nm, satellite
 * passes beyond, duplicates where two receivers overlap), the message types a global
 * feed carries besides positions and statics (4, 19, 21, 27, packed here as
 * aw_ais_encode writes only 1-3, 5, 18 and 24), garbage lines, and plants each
 * scenario many times: its builder runs at a random open-sea place and time, and the
 * result is kept only if all its legs lie on open sea clear of every other instance
 * (snapshot, build, check, keep or roll back). Truth times that depend on reception are
 * patched after the run with what receivers heard.
 */
#include "aiswatch/sim.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aiswatch/encode.h"
#include "aiswatch/event.h"
#include "sim_world.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define DEG (M_PI / 180.0)
#define EARTH_NM 3440.065 /* mean Earth radius in nautical miles */

/* ---- the sea-lane table ------------------------------------------------------------ */

/* The first table (the default mode's): 22 ports, 21 lanes. The global mode's 99 ports
 * and 119 lanes are in sim_world.c. */
static const sim_port ports0[] = {
    {"SINGAPORE", 1.220, 103.850, 50000, 0},
    {"COLOMBO", 6.950, 79.820, 49240, 0},
    {"SALALAH", 16.930, 54.040, 48230, 0},
    {"DJIBOUTI", 11.630, 43.170, 47850, 0},
    {"ALGECIRAS", 36.120, -5.410, 38310, 0},
    {"SINES", 37.930, -8.890, 38005, 0},
    {"LAS PALMAS", 28.140, -15.380, 38170, 0},
    {"DAKAR", 14.660, -17.410, 45820, 0},
    {"CAPE TOWN", -33.890, 18.440, 46770, 0},
    {"DURBAN", -29.880, 31.080, 46850, 0},
    {"PORT LOUIS", -20.150, 57.470, 47720, 0},
    {"SANTOS", -24.030, -46.300, 12970, 0},
    {"HALIFAX", 44.620, -63.550, 6340, 0},
    {"LOS ANGELES", 33.710, -118.250, 16080, 0},
    {"HONOLULU", 21.290, -157.880, 56280, 0},
    {"YOKOHAMA", 35.445, 139.650, 61390, 0},
    {"FREMANTLE", -32.050, 115.720, 54520, 0},
    {"MOMBASA", -4.070, 39.690, 47100, 0},
    {"CALLAO", -12.050, -77.170, 14950, 0},
    {"BALBOA", 8.890, -79.520, 15410, 0},
    {"SOHAR", 24.530, 56.650, 48257, 0},
    {"PORT HEDLAND", -20.250, 118.570, 54620, 0},
};
static const sim_lane_pt lane_pts0[] = {
    {44.620, -63.550}, {44.000, -63.000}, {42.600, -50.000}, {40.000, -25.000}, {38.600, -10.500}, {37.950, -9.200}, {37.930, -8.890},
    {37.930, -8.890}, {37.600, -9.100}, {36.900, -9.300}, {36.300, -7.500}, {35.950, -6.000}, {35.970, -5.500}, {36.050, -5.400}, {36.120, -5.410},
    {37.930, -8.890}, {37.500, -9.300}, {29.000, -15.300}, {28.200, -15.380}, {28.140, -15.380},
    {28.140, -15.380}, {28.000, -15.250}, {27.500, -15.300}, {20.000, -18.000}, {15.000, -17.700}, {14.500, -17.500}, {14.660, -17.410},
    {14.660, -17.410}, {14.300, -17.600}, {5.000, -26.000}, {-5.000, -32.500}, {-20.000, -39.000}, {-24.500, -42.000}, {-24.200, -45.800}, {-24.030, -46.300},
    {-24.030, -46.300}, {-24.300, -46.000}, {-30.000, -20.000}, {-33.800, 17.900}, {-33.800, 18.300}, {-33.890, 18.440},
    {-33.890, 18.440}, {-33.800, 18.300}, {-34.500, 18.200}, {-35.300, 19.500}, {-35.500, 21.500}, {-34.600, 26.500}, {-33.700, 28.000}, {-31.500, 30.500}, {-29.880, 31.120}, {-29.880, 31.080},
    {-29.880, 31.080}, {-29.900, 31.300}, {-27.000, 45.000}, {-22.000, 56.000}, {-20.700, 57.000}, {-20.150, 57.300}, {-20.150, 57.470},
    {-20.150, 57.470}, {-20.000, 57.200}, {5.500, 79.500}, {6.950, 79.780}, {6.950, 79.820},
    {6.950, 79.820}, {7.000, 79.600}, {8.300, 75.400}, {15.500, 57.500}, {16.800, 54.200}, {16.930, 54.040},
    {16.930, 54.040}, {16.500, 54.000}, {14.500, 52.000}, {13.500, 49.000}, {12.200, 45.500}, {11.800, 43.800}, {11.650, 43.200}, {11.630, 43.170},
    {6.950, 79.820}, {6.300, 79.600}, {5.700, 80.200}, {5.600, 81.000}, {6.000, 90.000}, {6.300, 94.500}, {5.600, 98.000}, {4.000, 99.700}, {2.800, 100.900}, {2.300, 101.700}, {1.600, 102.600}, {1.300, 103.300}, {1.150, 103.600}, {1.200, 103.800}, {1.220, 103.850},
    {1.220, 103.850}, {1.250, 104.200}, {1.500, 104.600}, {5.000, 106.000}, {11.500, 110.000}, {15.000, 110.500}, {18.500, 112.000}, {21.500, 120.500}, {21.600, 122.000}, {30.000, 135.000}, {33.000, 140.500}, {34.600, 139.750}, {35.000, 139.750}, {35.150, 139.740}, {35.270, 139.760}, {35.330, 139.750}, {35.445, 139.650},
    {35.445, 139.650}, {35.330, 139.750}, {35.270, 139.760}, {35.150, 139.740}, {35.000, 139.750}, {34.850, 139.700}, {34.000, 140.500}, {30.000, 160.000}, {21.000, 199.000}, {21.150, 201.700}, {21.290, -157.880},
    {21.290, -157.880}, {21.200, -158.200}, {21.600, -158.400}, {22.500, -157.800}, {33.000, -120.000}, {33.700, -119.300}, {33.650, -118.400}, {33.710, -118.250},
    {33.710, -118.250}, {33.500, -118.200}, {32.500, -117.600}, {27.500, -116.000}, {22.500, -110.500}, {18.000, -106.000}, {15.000, -98.000}, {12.000, -92.000}, {10.000, -88.000}, {6.800, -82.500}, {7.000, -79.700}, {8.500, -79.300}, {8.890, -79.520},
    {8.890, -79.520}, {8.500, -79.300}, {7.000, -79.800}, {1.000, -81.500}, {-5.000, -82.000}, {-12.000, -77.300}, {-12.050, -77.170},
    {-32.050, 115.720}, {-32.080, 115.550}, {-32.000, 115.300}, {-21.000, 58.000}, {-20.700, 57.000}, {-20.150, 57.300}, {-20.150, 57.470},
    {-32.050, 115.720}, {-31.500, 115.300}, {-26.000, 112.300}, {-21.800, 113.500}, {-19.800, 116.500}, {-20.100, 118.500}, {-20.250, 118.570},
    {24.530, 56.650}, {24.000, 58.000}, {23.900, 58.900}, {22.600, 60.200}, {19.500, 59.200}, {17.500, 57.000}, {16.800, 56.000}, {16.800, 54.200}, {16.930, 54.040},
    {-4.070, 39.690}, {-4.100, 39.900}, {2.000, 50.000}, {11.500, 55.000}, {16.500, 54.300}, {16.930, 54.040},
};
static const sim_lane lanes0[] = {
    {12, 5, 0, 7}, /* HAL-SIE */
    {5, 4, 7, 8}, /* SIE-ALG */
    {5, 6, 15, 5}, /* SIE-LPA */
    {6, 7, 20, 7}, /* LPA-DKR */
    {7, 11, 27, 8}, /* DKR-SSZ */
    {11, 8, 35, 6}, /* SSZ-CPT */
    {8, 9, 41, 10}, /* CPT-DUR */
    {9, 10, 51, 7}, /* DUR-PLU */
    {10, 1, 58, 5}, /* PLU-CMB */
    {1, 2, 63, 6}, /* CMB-SLL */
    {2, 3, 69, 8}, /* SLL-JIB */
    {1, 0, 77, 15}, /* CMB-SIN */
    {0, 15, 92, 17}, /* SIN-YOK */
    {15, 14, 109, 11}, /* YOK-HNL */
    {14, 13, 120, 8}, /* HNL-LAX */
    {13, 19, 128, 13}, /* LAX-BLB */
    {19, 18, 141, 7}, /* BLB-CLL */
    {16, 10, 148, 7}, /* FRE-PLU */
    {16, 21, 155, 7}, /* FRE-PHE */
    {20, 2, 162, 9}, /* SOH-SLL */
    {17, 2, 171, 6}, /* MBA-SLL */
};

#define NPORTS0 (sizeof ports0 / sizeof ports0[0])
#define NLANES0 (sizeof lanes0 / sizeof lanes0[0])
#define MAX_PORTS 128
#define MAX_PORT_LANES 16

/* ---- small tools ---------------------------------------------------------------------- */

/* splitmix64: seedable, fast, and the same on every platform. */
static uint64_t rnd_next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double rnd_uniform(uint64_t *s) { return (double)(rnd_next(s) >> 11) * (1.0 / 9007199254740992.0); }
/* Roughly normal (Irwin-Hall of four): enough for GPS scatter, no log() per call. */
static double rnd_normal(uint64_t *s) {
    return (rnd_uniform(s) + rnd_uniform(s) + rnd_uniform(s) + rnd_uniform(s) - 2.0) * 1.7320508;
}
static uint64_t hash64(uint64_t x) {
    uint64_t s = x;
    return rnd_next(&s);
}

static double dist_nm(double lat1, double lon1, double lat2, double lon2) {
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double h = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_NM * asin(sqrt(h < 1 ? h : 1));
}
static double bearing_deg(double lat1, double lon1, double lat2, double lon2) {
    double y = sin((lon2 - lon1) * DEG) * cos(lat2 * DEG);
    double x = cos(lat1 * DEG) * sin(lat2 * DEG) - sin(lat1 * DEG) * cos(lat2 * DEG) * cos((lon2 - lon1) * DEG);
    double b = atan2(y, x) / DEG;
    return b < 0 ? b + 360 : b;
}
/* A point dist_nm away on a bearing, flat-earth: scenario distances are tens of miles. */
static void offset_nm(double lat, double lon, double brg_deg, double d_nm, double *olat, double *olon) {
    *olat = lat + d_nm * cos(brg_deg * DEG) / 60.0;
    *olon = lon + d_nm * sin(brg_deg * DEG) / (60.0 * cos(lat * DEG));
}
static double wrap_lon(double lon) {
    while (lon >= 180) lon -= 360;
    while (lon < -180) lon += 360;
    return lon;
}

/* A valid IMO number: six digits and their check digit. */
static uint32_t imo_make(uint64_t h) {
    uint32_t base = 900000 + (uint32_t)(h % 99999), sum = 0, b = base;
    for (int w = 2; w <= 7; w++, b /= 10) sum += (b % 10) * (uint32_t)w;
    return base * 10 + sum % 10;
}

static void iso_time(int64_t t, char out[24]) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- vessels and legs ---------------------------------------------------------------- */

enum { NAV_UNDERWAY = 0, NAV_ANCHORED = 1, NAV_MOORED = 5 };

typedef struct leg {
    int64_t t0, t1;
    double lat0, lon0, lat1, lon1; /* lon1 unwrapped to within 180 degrees of lon0 */
    float sog_kn, cog_deg;
    uint8_t status;
    bool dark;                     /* transponder off for the whole leg */
    bool spoof;                    /* the reported positions are false (and on land) */
    uint32_t owner;                /* scenario vessel index while plans are built */
} leg;

typedef struct ident {
    char name[21], callsign[8], dest[21];
    uint32_t imo;
    uint8_t draught_dm;
} ident;

typedef struct vessel {
    uint32_t mmsi;
    bool class_b;
    uint8_t shiptype, pos_type;
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
    int32_t ident;        /* index of two idents (before and after id_switch) in sim.idents,
                             -1 for background vessels, whose identity is made from their
                             number when it is sent */
    int64_t id_switch;
    leg cur;
    uint32_t plan_first, plan_n, plan_i; /* scenario legs in sim.legs */
    /* background: lane, direction, next waypoint, in port or not */
    int16_t lane, wp;
    int8_t dir;
    bool in_port;
    float speed_kn;
    int64_t next_pos, next_static;
    uint32_t count;
    /* global mode */
    uint8_t kind;         /* VK_SHIP, or a fixed station: VK_BASE (type 4), VK_ATON (type 21) */
    bool ext19;           /* a class B that also sends type 19 with its static reports */
    uint16_t station;     /* VK_BASE and VK_ATON: its shore station */
    int64_t next_lr;      /* class A: next type 27 (sent when out of shore range) */
    uint32_t fix_head;    /* truth times that wait on this vessel's reception: index + 1 */
    uint32_t cov_cell;    /* the coverage cell last looked up (+ 1, 0 = none) and its */
    uint16_t cov[2];      /* receivers: a ship stays in a cell for an hour or more */
} vessel;

enum { VK_SHIP = 0, VK_BASE, VK_ATON };

#define WHEEL 1024           /* > the longest wait between two reports (360 s) */
#define OUT_CAP (1u << 20)
#define MAX_SC_VESSELS 64     /* the default mode's scenario vessels */
#define TRUTH_CAP (64 * 1024)  /* initial truth buffer; it grows */

/* Global mode reception (docs/simulate.md): shore receivers hear 40 nm; elsewhere a
 * satellite pass of PASS_W_S seconds every PASS_P_S seconds (the phase varies by 10-degree
 * cell), hearing a fraction of what is sent in view. */
#define COV_DEG 0.25
#define COV_COLS 1440
#define COV_ROWS 720
#define RX_RANGE_KM 74.08     /* 40 nm */
#define PASS_P_S 2700
#define PASS_W_S 600
#define N_SATS 12

/* A truth time to be replaced, once the run is over, by when a receiver heard the vessel:
 * in the global mode reception, not the schedule, decides what a reader can see (the
 * last position heard before a vessel went dark, the first static report heard with its
 * new name...). Times in the truth are 20 bytes wide, so they are patched in place. */
enum { FIX_POS_LAST_BEFORE, FIX_POS_FIRST_FROM, FIX_STATIC_LAST_BEFORE, FIX_STATIC_FIRST_FROM };
typedef struct truth_fix {
    size_t off;       /* of the time string in the truth buffer */
    uint32_t vessel;
    uint8_t kind;     /* FIX_... */
    int64_t at;       /* the time the kind refers to */
    int64_t heard;    /* INT64_MIN while nothing heard */
    uint32_t next;    /* the vessel's next fix, index + 1 */
} truth_fix;
typedef struct fix_req {
    int vessel;       /* -1: none */
    uint8_t kind;
    int64_t at;
} fix_req;

typedef struct site {         /* where and when a planted scenario lives */
    double lat0, lat1, lon0, lon1;
    int64_t t0, t1;
} site;

typedef struct sim {
    aw_sim_opts o;
    int64_t end_s;
    vessel *v;
    size_t nv, nsc;
    int32_t *next;          /* wheel chains */
    int32_t head[WHEEL];
    leg *legs;
    size_t nlegs, caplegs;
    ident *idents;          /* two per scenario vessel */
    size_t nidents, capsc;  /* capsc: room for scenario vessels (and 2 x capsc idents) */
    /* the lane table of the mode */
    const sim_port *ports;
    const sim_lane_pt *lane_pts;
    const sim_lane *lanes;
    size_t nports, nlanes;
    double spread_inner, spread_end; /* waypoint jitter, degrees */
    uint16_t port_lanes[MAX_PORTS][MAX_PORT_LANES]; /* lane | (direction bit << 15) leaving each port */
    uint8_t port_nlanes[MAX_PORTS];
    uint64_t noise_rng;
    bool noise;
    unsigned seq, group;
    char *out;
    size_t outlen;
    aw_sim_write_fn write;
    void *write_ctx;
    int failed;
    char *truth;
    size_t truthlen, truthcap;
    aw_sim_stats st;
    /* where and when scenario builders plant: the run itself in the default mode */
    bool global;
    int64_t base_s, sc_end_s;     /* the scenario's time window */
    uint32_t sc_hours;            /* its length in hours */
    unsigned inst;                /* instance number of the scenario, from 1 */
    double place_lat, place_lon;  /* global: the scenario's centre */
    double spoof_lat, spoof_lon, spoof_h;
    /* global mode */
    uint16_t *cov;                /* COV_ROWS x COV_COLS x 2: shore stations + 1 in range */
    char (*stname)[16];           /* station names for s: */
    size_t nstations;
    uint8_t *near_lane;           /* 180 x 360: one-degree cells within a cell of a lane */
    site *sites;
    size_t nsites, capsites;
    truth_fix *fixes;
    size_t nfixes, capfixes;
    fix_req fix[2];               /* for the next truth_line's start and end */
    uint64_t rx_rng;
    const char *cur_src, *dup_src; /* s: of the message being written, and of its duplicate */
    size_t fixed_first;           /* vessels [fixed_first, nv) are base stations and AtoN */
    char *err;
    size_t errcap;
} sim;

static int fail(sim *s, const char *msg) {
    if (s->err && s->errcap) snprintf(s->err, s->errcap, "%s", msg);
    return -1;
}

/* ---- truth ----------------------------------------------------------------------------- */

static void truth_printf(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void truth_printf(sim *s, const char *fmt, ...) {
    for (int tries = 0; tries < 2; tries++) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = s->truthcap - s->truthlen;
        int n = vsnprintf(s->truth + s->truthlen, room, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < room) {
            s->truthlen += (size_t)n;
            return;
        }
        size_t cap = 2 * s->truthcap + (size_t)n;
        char *nt = realloc(s->truth, cap);
        if (!nt) {
            s->failed = 1;
            return;
        }
        s->truth = nt;
        s->truthcap = cap;
    }
}

/* One truth line. kind is "type" for events, "trap" for traps; extra is more JSON
 * members (starting with a comma) or "". */
static void truth_line(sim *s, const char *kind, const char *what, const char *id, const uint32_t *mmsi,
                       int nmmsi, int64_t t0, int64_t t1, double lat, double lon, const char *scenario,
                       const char *extra) {
    char a[24], b[24];
    iso_time(t0, a);
    iso_time(t1, b);
    truth_printf(s, "{\"%s\": \"%s\"", kind, what);
    if (id) truth_printf(s, ", \"id\": \"%s\"", id);
    truth_printf(s, ", \"mmsi\": [");
    for (int i = 0; i < nmmsi; i++) truth_printf(s, "%s%u", i ? ", " : "", mmsi[i]);
    size_t at = s->truthlen + strlen("], \"start\": \"");
    truth_printf(s, "], \"start\": \"%s\", \"end\": \"%s\", \"lat\": %.5f, \"lon\": %.5f, \"scenario\": \"%s\"%s}\n",
                 a, b, lat, wrap_lon(lon), scenario, extra);
    for (int k = 0; k < 2 && s->global; k++) {
        int vi = s->fix[k].vessel;
        if (vi < 0) continue;
        if (s->nfixes == s->capfixes) {
            size_t cap = s->capfixes ? 2 * s->capfixes : 64;
            truth_fix *nf = realloc(s->fixes, cap * sizeof *nf);
            if (!nf) {
                s->failed = 1;
                break;
            }
            s->fixes = nf, s->capfixes = cap;
        }
        s->fixes[s->nfixes++] = (truth_fix){.off = at + (k ? 20 + strlen("\", \"end\": \"") : 0),
                                            .vessel = (uint32_t)vi, .kind = s->fix[k].kind, .at = s->fix[k].at,
                                            .heard = INT64_MIN};
    }
    s->fix[0].vessel = s->fix[1].vessel = -1;
    if (kind[0] == 't' && kind[1] == 'y') {
        s->st.events++;
        int ty = aw_event_type_parse(what);
        if (ty >= 0 && ty < 8) s->st.events_by_type[ty]++;
    } else
        s->st.traps++;
}

/* The next truth line's start (which 0) or end (1) is what receivers heard of v. */
static void truth_heard(sim *s, int which, const vessel *v, int kind, int64_t at) {
    s->fix[which] = (fix_req){(int)(v - s->v), (uint8_t)kind, at};
}

/* A receiver heard v at t: settle the truth times that wait on it. */
static void heard(sim *s, vessel *v, int64_t t, bool is_static) {
    for (uint32_t k = v->fix_head; k; k = s->fixes[k - 1].next) {
        truth_fix *f = &s->fixes[k - 1];
        if ((f->kind >= FIX_STATIC_LAST_BEFORE) != is_static) continue;
        bool before = f->kind == FIX_POS_LAST_BEFORE || f->kind == FIX_STATIC_LAST_BEFORE;
        if (before ? t < f->at : t >= f->at && f->heard == INT64_MIN) f->heard = t;
    }
}

/* ---- scenario building ------------------------------------------------------------------ */

/* Planned reports of scenario vessels are computed from the leg chain; these helpers
 * append legs that start where and when the previous one ended. */
typedef struct pen {
    sim *s;
    vessel *v;
    int64_t t;
    double lat, lon;
} pen;

static int leg_push(sim *s, const leg *l) {
    if (s->nlegs == s->caplegs) {
        size_t cap = s->caplegs ? 2 * s->caplegs : 256;
        leg *nl = realloc(s->legs, cap * sizeof *nl);
        if (!nl) return -1;
        s->legs = nl;
        s->caplegs = cap;
    }
    s->legs[s->nlegs++] = *l;
    return 0;
}

static void leg_fill(leg *l, int64_t t0, int64_t t1, double lat0, double lon0, double lat1, double lon1) {
    if (lon1 - lon0 > 180) lon1 -= 360;
    if (lon1 - lon0 < -180) lon1 += 360;
    *l = (leg){.t0 = t0, .t1 = t1, .lat0 = lat0, .lon0 = lon0, .lat1 = lat1, .lon1 = lon1};
    double d = dist_nm(lat0, lon0, lat1, lon1);
    double h = (double)(t1 - t0) / 3600.0;
    l->sog_kn = (float)(h > 0 ? d / h : 0);
    l->cog_deg = d > 1e-6 ? (float)bearing_deg(lat0, lon0, lat1, lon1) : 0;
}

static int64_t hrs(const sim *s, double h) { return s->base_s + (int64_t)llround(h * 3600.0); }

/* Sail (or drift) to a point, arriving at hour t1h. */
static void pen_to(pen *p, double t1h, double lat, double lon, uint8_t status, bool dark) {
    leg l;
    int64_t t1 = hrs(p->s, t1h);
    leg_fill(&l, p->t, t1, p->lat, p->lon, lat, lon);
    l.owner = (uint32_t)(p->v - p->s->v);
    l.status = status;
    l.dark = dark;
    if (leg_push(p->s, &l) == 0) p->v->plan_n++;
    else p->s->failed = 1;
    p->t = t1;
    p->lat = lat;
    p->lon = wrap_lon(lon);
}
/* Move on a bearing at a speed until hour t1h. */
static void pen_run(pen *p, double t1h, double brg, double kn, uint8_t status, bool dark) {
    double lat, lon, h = (double)(hrs(p->s, t1h) - p->t) / 3600.0;
    offset_nm(p->lat, p->lon, brg, kn * h, &lat, &lon);
    pen_to(p, t1h, lat, lon, status, dark);
    if (kn < 0.05) p->s->legs[p->s->nlegs - 1].cog_deg = (float)brg; /* heading at anchor */
}

/* Instance k of a scenario gets MMSIs 10 (k - 1) above the first's: distinct for the
 * thousands of instances a large global run plants, and never a background MID. */
static uint32_t sc_mmsi(const sim *s, uint32_t m) { return m + 10u * (s->inst - 1); }
/* The scenario's centre: its fixed stretch of ocean, or in the global mode the place
 * chosen for this instance. */
static double at_lat(const sim *s, double dflt) { return s->global ? s->place_lat : dflt; }
static double at_lon(const sim *s, double dflt) { return s->global ? s->place_lon : dflt; }
/* A truth id for this instance: "encounter-3", "encounter-3-loiter-a". */
static const char *sc_id(sim *s, char buf[64], const char *base, const char *suffix) {
    snprintf(buf, 64, "%s-%u%s", base, s->inst, suffix);
    return buf;
}

static vessel *sc_vessel(sim *s, uint32_t mmsi, bool class_b, uint8_t shiptype, const char *name,
                         const char *callsign, uint32_t imo, double draught_m, pen *p, double lat, double lon) {
    if (s->nsc >= s->capsc || s->nidents + 2 > 2 * s->capsc) {
        s->failed = 1;
        return NULL;
    }
    vessel *v = &s->v[s->nsc++];
    *v = (vessel){.mmsi = mmsi, .class_b = class_b, .shiptype = shiptype, .pos_type = 1,
                  .to_bow = class_b ? 8 : (uint16_t)(shiptype / 10 == 8 ? 200 : 150), .to_stern = class_b ? 4 : 40,
                  .to_port = class_b ? 2 : 22, .to_starboard = class_b ? 2 : 22, .ident = (int32_t)s->nidents,
                  .id_switch = INT64_MAX, .plan_first = (uint32_t)s->nlegs, .lane = -1,
                  .fix_head = 0};
    ident *id = &s->idents[s->nidents];
    memset(id, 0, 2 * sizeof *id);
    if (s->inst > 1) snprintf(id->name, sizeof id->name, "%.15s %u", name, s->inst % 10000);
    else snprintf(id->name, sizeof id->name, "%s", name);
    snprintf(id->callsign, sizeof id->callsign, "%s", callsign);
    snprintf(id->dest, sizeof id->dest, "%s", class_b ? "" : "FOR ORDERS");
    id->imo = imo;
    id->draught_dm = (uint8_t)lround(draught_m * 10);
    id[1] = id[0];
    s->nidents += 2;
    *p = (pen){.s = s, .v = v, .t = s->base_s, .lat = lat, .lon = lon};
    return v;
}

/* The static-report phase of a vessel: its reports go out at start + phase + k * 360. */
static int64_t static_phase(const vessel *v) { return (int64_t)(hash64(v->mmsi ^ 0x5747u) % 360); }
/* Time of the first static report at or after t (of a vessel that transmits then). */
static int64_t static_at_or_after(const sim *s, const vessel *v, int64_t t) {
    int64_t first = s->o.start_s + static_phase(v);
    if (t <= first) return first;
    return first + ((t - first + 359) / 360) * 360;
}

/* Each scenario is placed on its own stretch of open sea (or its own port), hundreds of
 * kilometres from the others and from the background lanes; the seed moves each site by up
 * to a few tens of miles and varies durations within ranges that stay clear of the
 * detectors' thresholds. Hours are from s->base_s: the start of the run, or in the global
 * mode the start of the instance's 24 h window, whose centre is at_lat/at_lon (chosen and
 * checked by plant_global). */

static void sc_encounter(sim *s, uint64_t *r) {
    double mlat = at_lat(s, 30.5) + 0.3 * (rnd_uniform(r) - 0.5), mlon = at_lon(s, 124.5) + 0.3 * (rnd_uniform(r) - 0.5);
    double dur_h = 5.0 + 2.5 * rnd_uniform(r); /* 5-7.5 h: real median 7.3 h (GFW) */
    double meet_h = 4.5, part_h = meet_h + dur_h, drift_brg = 360 * rnd_uniform(r);
    uint32_t ma = sc_mmsi(s, 613100001), mb = sc_mmsi(s, 620100002);
    pen pa, pb;
    double alat, alon, blat, blon;
    offset_nm(mlat, mlon, 250, 12 * meet_h, &alat, &alon);
    offset_nm(mlat, mlon, 20, 11 * meet_h, &blat, &blon);
    vessel *a = sc_vessel(s, ma, false, 80, "ORIENT PEARL", "TJAB1", imo_make(hash64(ma)), 15.2, &pa, alat, alon);
    vessel *b = sc_vessel(s, mb, false, 80, "KAPITAN ROSS", "D6AB2", imo_make(hash64(mb)), 8.1, &pb, blat, blon);
    if (!a || !b) return;
    /* alongside: b lies 60 m abeam of a (real median distance ~40 m), both drifting slowly */
    double elat, elon, b_lat, b_lon;
    pen_to(&pa, meet_h, mlat, mlon, NAV_UNDERWAY, false);
    offset_nm(mlat, mlon, drift_brg + 90, 60 / 1852.0, &b_lat, &b_lon);
    pen_to(&pb, meet_h, b_lat, b_lon, NAV_UNDERWAY, false);
    pen_run(&pa, part_h, drift_brg, 0.45, NAV_UNDERWAY, false);
    pen_run(&pb, part_h, drift_brg, 0.45, NAV_UNDERWAY, false);
    elat = pa.lat;
    elon = pa.lon;
    pen_run(&pa, s->sc_hours, 250, 12.5, NAV_UNDERWAY, false);
    pen_run(&pb, s->sc_hours, 40, 11.5, NAV_UNDERWAY, false);
    /* cargo moved: a's draught falls 3.4 m, b's rises 3.5 m, reported from 30 min after */
    int64_t sw = hrs(s, part_h + 0.5);
    a->id_switch = b->id_switch = sw;
    s->idents[a->ident + 1].draught_dm = 118;
    s->idents[b->ident + 1].draught_dm = 116;
    uint32_t m[2] = {ma, mb};
    int64_t t0 = hrs(s, meet_h), t1 = hrs(s, part_h);
    double clat = (mlat + elat) / 2, clon = (mlon + elon) / 2;
    char x[160], id[64], id2[64];
    sc_id(s, id, "encounter", "");
    snprintf(x, sizeof x, ", \"distance_m\": 60, \"speed_kn\": 0.45, \"duration_h\": %.2f", dur_h);
    truth_line(s, "type", "encounter", id, m, 2, t0, t1, clat, clon, "encounter", x);
    /* Both lie below 2 kn for over 4 h far from shore: that is loitering as well. */
    snprintf(x, sizeof x, ", \"part_of\": \"%s\", \"speed_kn\": 0.45", id);
    truth_line(s, "type", "loitering", sc_id(s, id2, "encounter", "-loiter-a"), &m[0], 1, t0, t1, clat, clon,
               "encounter", x);
    truth_line(s, "type", "loitering", sc_id(s, id2, "encounter", "-loiter-b"), &m[1], 1, t0, t1, clat, clon,
               "encounter", x);
    int64_t ta = static_at_or_after(s, a, sw), tb = static_at_or_after(s, b, sw);
    snprintf(x, sizeof x, ", \"linked\": \"%s\", \"draught_before_m\": 15.2, \"draught_after_m\": 11.8", id);
    truth_heard(s, 1, a, FIX_STATIC_FIRST_FROM, sw);
    truth_line(s, "type", "draught_change", sc_id(s, id2, "encounter", "-draught-a"), &m[0], 1, t0, ta, clat, clon,
               "encounter", x);
    snprintf(x, sizeof x, ", \"linked\": \"%s\", \"draught_before_m\": 8.1, \"draught_after_m\": 11.6", id);
    truth_heard(s, 1, b, FIX_STATIC_FIRST_FROM, sw);
    truth_line(s, "type", "draught_change", sc_id(s, id2, "encounter", "-draught-b"), &m[1], 1, t0, tb, clat, clon,
               "encounter", x);
}

static void sc_loitering(sim *s, uint64_t *r) {
    double llat = at_lat(s, 35.0) + 0.5 * (rnd_uniform(r) - 0.5), llon = at_lon(s, -40.0) + 0.5 * (rnd_uniform(r) - 0.5);
    double t0h = 3.0, t1h = 9.0, lat0, lon0;
    uint32_t m = sc_mmsi(s, 667200001);
    pen p;
    offset_nm(llat, llon, 270, 36, &lat0, &lon0);
    vessel *v = sc_vessel(s, m, false, 80, "NOBLE TIDE", "9LAB3", imo_make(hash64(m)), 12.0, &p, lat0, lon0);
    if (!v) return;
    pen_to(&p, t0h, llat, llon, NAV_UNDERWAY, false);
    pen_run(&p, t1h, 135, 0.5, NAV_UNDERWAY, false);
    pen_run(&p, s->sc_hours, 80, 12.0, NAV_UNDERWAY, false);
    char id[64];
    truth_line(s, "type", "loitering", sc_id(s, id, "loitering", ""), &m, 1, hrs(s, t0h), hrs(s, t1h), llat, llon, "loitering",
               ", \"speed_kn\": 0.5, \"duration_h\": 6");
}

static void sc_gap(sim *s, uint64_t *r) {
    double lat = at_lat(s, 38.0) + 0.5 * (rnd_uniform(r) - 0.5), lon = at_lon(s, -152.0) + 0.5 * (rnd_uniform(r) - 0.5);
    uint32_t m = sc_mmsi(s, 457300001);
    pen p;
    vessel *v = sc_vessel(s, m, false, 70, "BRIGHT HORIZON", "JVAB4", imo_make(hash64(m)), 9.5, &p, lat, lon);
    if (!v) return;
    pen_run(&p, 3.0, 95, 13.0, NAV_UNDERWAY, false);
    double glat = p.lat, glon = p.lon;
    pen_run(&p, 21.0, 95, 13.0, NAV_UNDERWAY, true); /* dark: where a ship at 13 kn would be */
    char x[160];
    snprintf(x, sizeof x, ", \"end_lat\": %.5f, \"end_lon\": %.5f, \"duration_h\": 18, \"distance_nm\": 234",
             p.lat, wrap_lon(p.lon));
    pen_run(&p, s->sc_hours, 95, 13.0, NAV_UNDERWAY, false);
    char id[64];
    truth_heard(s, 0, v, FIX_POS_LAST_BEFORE, hrs(s, 3.0));
    truth_heard(s, 1, v, FIX_POS_FIRST_FROM, hrs(s, 21.0));
    truth_line(s, "type", "gap", sc_id(s, id, "gap", ""), &m, 1, hrs(s, 3.0), hrs(s, 21.0), glat, glon, "gap", x);
}

static void sc_dark_rendezvous(sim *s, uint64_t *r) {
    double plat = at_lat(s, -10.0) + 0.5 * (rnd_uniform(r) - 0.5), plon = at_lon(s, 80.0) + 0.5 * (rnd_uniform(r) - 0.5);
    uint32_t ma = sc_mmsi(s, 341400001), mb = sc_mmsi(s, 312400002);
    pen pa, pb;
    double lat, lon;
    offset_nm(plat, plon, 200, 24, &lat, &lon);
    vessel *a = sc_vessel(s, ma, false, 80, "SILVER DAWN", "V4AB5", imo_make(hash64(ma)), 14.0, &pa, lat, lon);
    /* B comes from 72 nm west at 12 kn, goes dark 60 nm west of A's spot, and reappears
     * 60 nm east of it 14 h later: 120 nm in 14 h (8.6 kn) through A's position. */
    offset_nm(plat, plon, 270, 72, &lat, &lon);
    vessel *b = sc_vessel(s, mb, false, 80, "LUNA GRACE", "V3AB6", imo_make(hash64(mb)), 9.0, &pb, lat, lon);
    if (!a || !b) return;
    pen_to(&pa, 2.0, plat, plon, NAV_UNDERWAY, false);
    pen_run(&pa, 10.0, 300, 0.3, NAV_UNDERWAY, false);
    double aelat = pa.lat, aelon = pa.lon;
    pen_run(&pa, s->sc_hours, 200, 12.0, NAV_UNDERWAY, false);
    double glat, glon, elat, elon;
    offset_nm(plat, plon, 270, 60, &glat, &glon);
    offset_nm(plat, plon, 90, 60, &elat, &elon);
    pen_to(&pb, 1.0, glat, glon, NAV_UNDERWAY, false);
    pen_to(&pb, 6.0, plat, plon + 0.001, NAV_UNDERWAY, true);
    pen_to(&pb, 10.0, aelat, aelon + 0.001, NAV_UNDERWAY, true);
    pen_to(&pb, 15.0, elat, elon, NAV_UNDERWAY, true);
    pen_run(&pb, s->sc_hours, 90, 12.0, NAV_UNDERWAY, false);
    uint32_t m[2] = {ma, mb};
    char x[200], id[64], id2[64];
    sc_id(s, id, "dark-rendezvous", "");
    snprintf(x, sizeof x, ", \"part_of\": \"%s\", \"speed_kn\": 0.3", id);
    truth_line(s, "type", "loitering", sc_id(s, id2, "dark-rendezvous", "-loiter"), &m[0], 1, hrs(s, 2.0),
               hrs(s, 10.0), plat, plon, "dark_rendezvous", x);
    snprintf(x, sizeof x, ", \"part_of\": \"%s\", \"end_lat\": %.5f, \"end_lon\": %.5f, \"duration_h\": 14", id,
             elat, wrap_lon(elon));
    truth_heard(s, 0, b, FIX_POS_LAST_BEFORE, hrs(s, 1.0));
    truth_heard(s, 1, b, FIX_POS_FIRST_FROM, hrs(s, 15.0));
    truth_line(s, "type", "gap", sc_id(s, id2, "dark-rendezvous", "-gap"), &m[1], 1, hrs(s, 1.0), hrs(s, 15.0), glat,
               glon, "dark_rendezvous", x);
    snprintf(x, sizeof x, ", \"loitering\": %u, \"dark\": %u, \"required_kn\": 8.6", ma, mb);
    truth_heard(s, 0, b, FIX_POS_LAST_BEFORE, hrs(s, 1.0));
    truth_heard(s, 1, b, FIX_POS_FIRST_FROM, hrs(s, 15.0));
    truth_line(s, "type", "dark_rendezvous", id, m, 2, hrs(s, 1.0), hrs(s, 15.0), plat, plon, "dark_rendezvous", x);
}

static void sc_identity_conflict(sim *s, uint64_t *r) {
    double lat = at_lat(s, -42.0) + 0.4 * (rnd_uniform(r) - 0.5), lon = at_lon(s, -20.0) + 0.4 * (rnd_uniform(r) - 0.5);
    uint32_t m = sc_mmsi(s, 273500001), imo = imo_make(hash64(m));
    pen p1, p2;
    /* 6.3 degrees of longitude at 42 S: 520 km (elsewhere the degrees that make 520 km).
     * Same identity: a cloned transponder. */
    double dlon = s->global ? 520.0 / (111.32 * cos(lat * DEG)) : 6.3;
    vessel *a = sc_vessel(s, m, false, 80, "VOLGA STAR", "UBAB7", imo, 11.0, &p1, lat, lon);
    vessel *b = sc_vessel(s, m, false, 80, "VOLGA STAR", "UBAB7", imo, 11.0, &p2, lat, lon + dlon);
    if (!a || !b) return;
    pen_run(&p1, s->sc_hours, 90, 11.0, NAV_UNDERWAY, false);
    pen_run(&p2, 1.0, 90, 11.0, NAV_UNDERWAY, true);
    double lat2 = p2.lat, lon2 = p2.lon;
    pen_run(&p2, 13.0, 90, 11.0, NAV_UNDERWAY, false);
    pen_run(&p2, s->sc_hours, 90, 11.0, NAV_UNDERWAY, true);
    char x[160];
    snprintf(x, sizeof x, ", \"lat2\": %.5f, \"lon2\": %.5f, \"distance_km\": 520", lat2, wrap_lon(lon2));
    char id[64];
    truth_heard(s, 0, b, FIX_POS_FIRST_FROM, hrs(s, 1.0));
    truth_heard(s, 1, b, FIX_POS_LAST_BEFORE, hrs(s, 13.0));
    truth_line(s, "type", "identity_conflict", sc_id(s, id, "identity-conflict", ""), &m, 1, hrs(s, 1.0), hrs(s, 13.0), lat,
               lon + 11.0 / 60 / cos(lat * DEG), "identity_conflict", x);
}

static void sc_identity_change(sim *s, uint64_t *r) {
    double lat = at_lat(s, 15.0) + 0.4 * (rnd_uniform(r) - 0.5), lon = at_lon(s, 88.0) + 0.4 * (rnd_uniform(r) - 0.5);
    uint32_t m1 = sc_mmsi(s, 518600001), m2 = sc_mmsi(s, 671600002), m3 = sc_mmsi(s, 299600003); /* MID 299 is not allocated */
    pen p1, p2, p3;
    vessel *a = sc_vessel(s, m1, false, 80, "GOLDEN LOTUS", "E5AB8", imo_make(hash64(m1)), 10.0, &p1, lat, lon);
    uint32_t bad = imo_make(hash64(m2));
    bad = bad / 10 * 10 + (bad % 10 + 3) % 10; /* wrong check digit */
    vessel *b = sc_vessel(s, m2, false, 70, "HAPPY FORTUNE", "5VAB9", bad, 8.0, &p2, lat + 1.0, lon);
    vessel *c = sc_vessel(s, m3, false, 70, "NORTHERN WIND", "XXAB1", imo_make(hash64(m3)), 8.0, &p3, lat, lon + 1.0);
    if (!a || !b || !c) return;
    pen_run(&p1, s->sc_hours, 200, 11.0, NAV_UNDERWAY, false);
    pen_run(&p2, s->sc_hours, 20, 10.0, NAV_UNDERWAY, false);
    pen_run(&p3, s->sc_hours, 160, 10.0, NAV_UNDERWAY, false);
    int64_t sw = hrs(s, 12.0);
    a->id_switch = sw;
    if (s->inst > 1) snprintf(s->idents[a->ident + 1].name, 21, "SEA MAPLE %u", s->inst % 10000);
    else snprintf(s->idents[a->ident + 1].name, 21, "SEA MAPLE");
    snprintf(s->idents[a->ident + 1].callsign, 8, "T8AC2");
    int64_t t_new = static_at_or_after(s, a, sw), t_old = t_new - 360;
    double la = lat - 11.0 * 12 * cos(20 * DEG) / 60, lo = lon - 11.0 * 12 * sin(20 * DEG) / 60 / cos(lat * DEG);
    char x[120], id[64];
    snprintf(x, sizeof x, ", \"reason\": \"name_callsign\", \"before\": \"%s/E5AB8\", \"after\": \"%s/T8AC2\"",
             s->idents[a->ident].name, s->idents[a->ident + 1].name);
    /* ids "identity-change-name" for the first instance (as ever), "identity-change-name-3" */
    snprintf(id, sizeof id, "identity-change-name");
    if (s->inst > 1) sc_id(s, id, "identity-change-name", "");
    truth_heard(s, 0, a, FIX_STATIC_LAST_BEFORE, sw);
    truth_heard(s, 1, a, FIX_STATIC_FIRST_FROM, sw);
    truth_line(s, "type", "identity_change", id, &m1, 1, t_old, t_new, la, lo, "identity_change", x);
    snprintf(x, sizeof x, ", \"reason\": \"imo_check_digit\", \"imo\": %u", bad);
    snprintf(id, sizeof id, "identity-change-imo");
    if (s->inst > 1) sc_id(s, id, "identity-change-imo", "");
    truth_heard(s, 0, b, FIX_STATIC_FIRST_FROM, s->base_s);
    truth_heard(s, 1, b, FIX_STATIC_LAST_BEFORE, INT64_MAX);
    truth_line(s, "type", "identity_change", id, &m2, 1, s->base_s, s->sc_end_s, lat + 1.0, lon,
               "identity_change", x);
    snprintf(id, sizeof id, "identity-change-mid");
    if (s->inst > 1) sc_id(s, id, "identity-change-mid", "");
    truth_heard(s, 0, c, FIX_POS_FIRST_FROM, s->base_s);
    truth_heard(s, 1, c, FIX_POS_LAST_BEFORE, INT64_MAX);
    truth_line(s, "type", "identity_change", id, &m3, 1, s->base_s, s->sc_end_s, lat, lon + 1.0,
               "identity_change", ", \"reason\": \"mid_unallocated\", \"mid\": 299");
}

static void sc_position_spoof(sim *s, uint64_t *r) {
    double lat = at_lat(s, -26.0) + 0.3 * (rnd_uniform(r) - 0.5), lon = at_lon(s, 12.5) + 0.3 * (rnd_uniform(r) - 0.5);
    uint32_t m = sc_mmsi(s, 572700001);
    pen p;
    vessel *v = sc_vessel(s, m, false, 70, "ATLANTIC GRACE", "T2AB3", imo_make(hash64(m)), 9.0, &p, lat, lon);
    if (!v) return;
    /* Sails north-west away from the Namibian coast; for 30 minutes its reports say it
     * lies 300 km inland (near 24.5 S 17.9 E, Kalahari), then they are true again. In the
     * global mode: for spoof_h (45 min, a satellite revisit, so a pass hears it) at a place
     * at least 100 km inland. */
    double slat = s->global ? s->spoof_lat : -24.5, slon = s->global ? s->spoof_lon : 17.9;
    double sh = s->global ? s->spoof_h : 0.5;
    pen_run(&p, 6.0, 340, 12.0, NAV_UNDERWAY, false);
    double rlat, rlon;
    offset_nm(p.lat, p.lon, 340, 12.0 * sh, &rlat, &rlon);
    pen q = p;
    q.lat = slat;
    q.lon = slon;
    pen_to(&q, 6.0 + sh, slat - 0.0005, slon + 0.0003, NAV_UNDERWAY, false);
    s->legs[s->nlegs - 1].sog_kn = 12.0; /* the spoofer keeps reporting its own speed */
    s->legs[s->nlegs - 1].cog_deg = 340;
    s->legs[s->nlegs - 1].spoof = true;
    p.t = q.t;
    p.lat = rlat;
    p.lon = rlon;
    pen_run(&p, s->sc_hours, 340, 12.0, NAV_UNDERWAY, false);
    char id[64];
    truth_heard(s, 0, v, FIX_POS_FIRST_FROM, hrs(s, 6.0));
    truth_heard(s, 1, v, FIX_POS_LAST_BEFORE, hrs(s, 6.0 + sh));
    truth_line(s, "type", "position_spoof", sc_id(s, id, "position-spoof", ""), &m, 1, hrs(s, 6.0), hrs(s, 6.0 + sh),
               slat, slon, "position_spoof",
               s->global ? ", \"inland_km_min\": 100, \"on_land\": true" : ", \"inland_km\": 300, \"on_land\": true");
}

static void trap_passing(sim *s, uint64_t *r) {
    double clat = at_lat(s, 20.0) + 0.5 * (rnd_uniform(r) - 0.5), clon = at_lon(s, -35.0) + 0.5 * (rnd_uniform(r) - 0.5);
    uint32_t ma = sc_mmsi(s, 248800001), mb = sc_mmsi(s, 244800002); /* ordinary European flags */
    double tc = 8.0, lat, lon;
    pen pa, pb;
    offset_nm(clat, clon, 270, 12 * tc, &lat, &lon);
    vessel *a = sc_vessel(s, ma, false, 70, "MARE NOSTRUM", "D5AC1", imo_make(hash64(ma)), 9.0, &pa, lat, lon);
    double blat0, blon0;
    offset_nm(clat, clon, 90, 200 / 1852.0, &blat0, &blon0); /* b crosses 200 m east of a's point */
    offset_nm(blat0, blon0, 180, 12 * tc, &lat, &lon);
    vessel *b = sc_vessel(s, mb, false, 70, "CAPE FRIO", "V7AC2", imo_make(hash64(mb)), 9.0, &pb, lat, lon);
    if (!a || !b) return;
    pen_to(&pa, tc, clat, clon, NAV_UNDERWAY, false);
    pen_run(&pa, s->sc_hours, 90, 12.0, NAV_UNDERWAY, false);
    pen_to(&pb, tc, blat0, blon0, NAV_UNDERWAY, false);
    pen_run(&pb, s->sc_hours, 0, 12.0, NAV_UNDERWAY, false);
    uint32_t m[2] = {ma, mb};
    truth_line(s, "trap", "passing", NULL, m, 2, hrs(s, tc) - 600, hrs(s, tc) + 600, clat, clon, "trap_passing",
               ", \"closest_m\": 200, \"speed_kn\": 12");
}

static void trap_short_meeting(sim *s, uint64_t *r) {
    double mlat = at_lat(s, 45.0) + 0.5 * (rnd_uniform(r) - 0.5), mlon = at_lon(s, -25.0) + 0.5 * (rnd_uniform(r) - 0.5);
    uint32_t ma = sc_mmsi(s, 248900001), mb = sc_mmsi(s, 241900002);
    double lat, lon, blat, blon;
    pen pa, pb;
    offset_nm(mlat, mlon, 200, 60, &lat, &lon);
    vessel *a = sc_vessel(s, ma, false, 80, "ARCTIC SUN", "D5AC3", imo_make(hash64(ma)), 10.0, &pa, lat, lon);
    offset_nm(mlat, mlon, 330, 55, &lat, &lon);
    vessel *b = sc_vessel(s, mb, false, 70, "BALTIC TRADER", "V7AC4", imo_make(hash64(mb)), 10.0, &pb, lat, lon);
    if (!a || !b) return;
    pen_to(&pa, 5.0, mlat, mlon, NAV_UNDERWAY, false);
    offset_nm(mlat, mlon, 90, 70 / 1852.0, &blat, &blon);
    pen_to(&pb, 5.0, blat, blon, NAV_UNDERWAY, false);
    pen_run(&pa, 6.0, 0, 0.5, NAV_UNDERWAY, false);
    pen_run(&pb, 6.0, 0, 0.5, NAV_UNDERWAY, false);
    pen_run(&pa, s->sc_hours, 30, 12.0, NAV_UNDERWAY, false);
    pen_run(&pb, s->sc_hours, 150, 11.0, NAV_UNDERWAY, false);
    uint32_t m[2] = {ma, mb};
    truth_line(s, "trap", "short_meeting", NULL, m, 2, hrs(s, 5.0), hrs(s, 6.0), mlat, mlon, "trap_short_meeting",
               ", \"distance_m\": 70, \"duration_h\": 1, \"why\": \"shorter than 2 h, slow for under 4 h\"");
}

static void trap_anchorage(sim *s, uint64_t *r) {
    (void)r;
    /* Fujairah anchorage (WPI 48262 Al Fujayrah, 25.173 N 56.369 E): ten ships 5-6 km east
     * of the port position, in a 2 x 5 block 90 m apart, at anchor for 12 h. */
    uint32_t m[10];
    for (int i = 0; i < 10; i++) {
        m[i] = sc_mmsi(s, 209100010u + (uint32_t)i);
        char name[21], cs[8];
        snprintf(name, sizeof name, "FUJAIRAH WAIT %d", i + 1);
        snprintf(cs, sizeof cs, "D5F%02d", i);
        double lat = 25.150 + (i % 2) * 90 / 111320.0, lon = 56.420 + (i / 2) * 90 / (111320.0 * cos(25.15 * DEG));
        pen p;
        vessel *v = sc_vessel(s, m[i], false, i % 3 ? 80 : 70, name, cs, imo_make(hash64(m[i])), 12.0, &p, lat, lon);
        if (!v) return;
        v->pos_type = 3;
        pen_run(&p, 12.0, 30.0 * i, 0.0, NAV_ANCHORED, false);
        pen_run(&p, s->sc_hours, 95, 10.0, NAV_UNDERWAY, false);
    }
    truth_line(s, "trap", "anchorage", NULL, m, 10, s->base_s, hrs(s, 12.0), 25.1505, 56.4218, "trap_anchorage",
               ", \"port\": \"Al Fujayrah (WPI 48262)\", \"port_km\": 5.7, \"why\": \"at anchor in a port area\"");
}

static void trap_class_b(sim *s, uint64_t *r) {
    (void)r;
    /* Port Vauban, Antibes (WPI 38980, 43.583 N 7.133 E): six pleasure craft moored 20 m
     * apart all day; two go out for a 3 h trip. */
    uint32_t m[6];
    for (int i = 0; i < 6; i++) {
        m[i] = sc_mmsi(s, 227700010u + (uint32_t)i);
        char name[21], cs[8];
        snprintf(name, sizeof name, "%s", (const char *[]){"JOLIE BRISE", "MISTRAL", "LE PETIT PRINCE", "AZUR",
                                                           "CALYPSO II", "SOLEIL"}[i]);
        snprintf(cs, sizeof cs, "FAB%03d", i);
        double lat = 43.5840 + (i % 3) * 20 / 111320.0, lon = 7.1350 + (i / 3) * 20 / (111320.0 * cos(43.58 * DEG));
        pen p;
        vessel *v = sc_vessel(s, m[i], true, 37, name, cs, 0, 0, &p, lat, lon);
        if (!v) return;
        if (i < 2) {
            pen_run(&p, 9.0, 0, 0.0, NAV_MOORED, false);
            pen_run(&p, 10.5, 150, 6.0, NAV_UNDERWAY, false);
            pen_to(&p, 12.0, lat, lon, NAV_UNDERWAY, false);
        }
        pen_run(&p, s->sc_hours, 0, 0.0, NAV_MOORED, false);
    }
    truth_line(s, "trap", "class_b", NULL, m, 6, s->base_s, s->sc_end_s, 43.5843, 7.1352, "trap_class_b",
               ", \"port\": \"Antibes (WPI 38980)\", \"why\": \"class B craft moored together in a marina\"");
}

static void trap_near_port(sim *s, uint64_t *r) {
    (void)r;
    /* Lome (WPI 46090, 6.133 N 1.283 E): two tankers side by side 3 km south of the port
     * position for 6 h, slower than 1 kn: an encounter in all but place. */
    uint32_t ma = sc_mmsi(s, 248200001), mb = sc_mmsi(s, 241200002);
    double lat = 6.1063, lon = 1.2833, blat, blon;
    pen pa, pb;
    vessel *a = sc_vessel(s, ma, false, 80, "GULF PRIDE", "D5AC5", imo_make(hash64(ma)), 13.0, &pa, 5.5, 1.2);
    vessel *b = sc_vessel(s, mb, false, 80, "WEST AFRICA SPIRIT", "V7AC6", imo_make(hash64(mb)), 7.0, &pb, 5.6, 1.6);
    if (!a || !b) return;
    pen_to(&pa, 3.0, lat, lon, NAV_UNDERWAY, false);
    offset_nm(lat, lon, 90, 50 / 1852.0, &blat, &blon);
    pen_to(&pb, 3.0, blat, blon, NAV_UNDERWAY, false);
    pen_run(&pa, 9.0, 270, 0.3, NAV_UNDERWAY, false);
    pen_run(&pb, 9.0, 270, 0.3, NAV_UNDERWAY, false);
    pen_run(&pa, s->sc_hours, 200, 11.0, NAV_UNDERWAY, false);
    pen_run(&pb, s->sc_hours, 160, 11.0, NAV_UNDERWAY, false);
    uint32_t m[2] = {ma, mb};
    truth_line(s, "trap", "near_port", NULL, m, 2, hrs(s, 3.0), hrs(s, 9.0), lat, lon + 0.0002, "trap_near_port",
               ", \"port\": \"Lome (WPI 46090)\", \"port_km\": 3, \"distance_m\": 50, \"why\": \"within 10 km of a port\"");
}

/* ---- background traffic ------------------------------------------------------------------- */

/* Background MMSIs use ten busy flags, and scenario vessels other MIDs, so the two never
 * share a number. Vessel i gets MID bg_mids[i % 10] and number i / 10: distinct for
 * the 10 million vessels allowed. */
static const uint16_t bg_mids[10] = {477, 538, 636, 353, 229, 370, 256, 563, 311, 215};

static uint32_t bg_mmsi(size_t i) { return bg_mids[i % 10] * 1000000u + (uint32_t)(i / 10); }

static const char *const name_a[16] = {"OCEAN", "NORDIC", "PACIFIC", "GOLDEN", "SEA", "STAR", "EAGLE", "ATLANTIC",
                                       "CORAL", "BLUE", "SOUTHERN", "EASTERN", "GRAND", "SILVER", "CAPE", "MARITIME"};
static const char *const name_b[16] = {"SPIRIT", "GLORY", "PIONEER", "TRADER", "CARRIER", "EXPRESS", "PRIDE", "VENTURE",
                                       "HARMONY", "DAWN", "QUEEN", "HOPE", "LEGEND", "FORTUNE", "VOYAGER", "BREEZE"};

/* Appends the decimal digits of x (at least `width`, zero-padded) at p; returns the end. */
static char *put_uint(char *p, unsigned x, int width) {
    char d[12];
    int n = 0;
    do d[n++] = (char)('0' + x % 10), x /= 10;
    while (x);
    while (n < width) d[n++] = '0';
    while (n) *p++ = d[--n];
    return p;
}

/* Called for every static report, so no printf: "%s %s %u" and "B%06u" by hand. */
static void bg_ident(const sim *s, size_t i, const vessel *v, ident *id) {
    uint64_t h = hash64(0xb6u + i);
    const char *a = name_a[h & 15], *b = name_b[(h >> 4) & 15];
    size_t la = strlen(a), lb = strlen(b);
    char *p = id->name; /* at most 8 + 1 + 8 + 1 + 3 = 21 with the NUL */
    memcpy(p, a, la), p += la, *p++ = ' ';
    memcpy(p, b, lb), p += lb, *p++ = ' ';
    *put_uint(p, (unsigned)(i % 1000), 1) = 0;
    id->callsign[0] = 'B';
    *put_uint(id->callsign + 1, (unsigned)(i % 1000000), 6) = 0;
    id->imo = imo_make(h >> 8);
    id->draught_dm = v->class_b ? 0 : (uint8_t)(60 + (h >> 40) % 100);
    const sim_lane *ln = &s->lanes[v->lane];
    int port = v->dir > 0 ? ln->to : ln->from;
    snprintf(id->dest, sizeof id->dest, "%s", s->ports[port].name);
}

static const sim_lane_pt *lane_pt(const sim *s, int lane, int k) { return &s->lane_pts[s->lanes[lane].first + k]; }

/* Waypoint k of a lane as vessel i steers it: inner points are moved up to 2 km so that
 * ships do not all follow one line; the ends (berths in port) up to 300 m. */
static void bg_waypoint(const sim *s, size_t i, int lane, int k, double *lat, double *lon) {
    const sim_lane_pt *p = lane_pt(s, lane, k);
    uint64_t h = hash64(((uint64_t)i << 16) ^ ((uint64_t)lane << 8) ^ (uint64_t)k);
    double spread = (k > 0 && k < s->lanes[lane].n - 1) ? s->spread_inner : s->spread_end;
    *lat = p->lat + ((double)(h & 0xffff) / 65535.0 - 0.5) * spread;
    *lon = p->lon + ((double)((h >> 16) & 0xffff) / 65535.0 - 0.5) * spread;
}

/* In port: moored 2-10 h (frac_left of that when the run starts mid-stay) where the
 * last leg ended. */
static void bg_dwell(vessel *v, int64_t t0, double lat, double lon, uint64_t *r, double frac_left) {
    int64_t dur = (int64_t)((2 + 8 * rnd_uniform(r)) * 3600 * frac_left) + 60;
    leg_fill(&v->cur, t0, t0 + dur, lat, lon, lat, lon);
    v->cur.status = NAV_MOORED;
    v->cur.cog_deg = (float)(360 * rnd_uniform(r));
    v->in_port = true;
}

static void bg_sail_to_wp(const sim *s, size_t i, vessel *v, int64_t t0, double lat, double lon) {
    double wlat, wlon;
    bg_waypoint(s, i, v->lane, v->wp, &wlat, &wlon);
    double d = dist_nm(lat, lon, wlat, wlon);
    int64_t dur = (int64_t)(d / v->speed_kn * 3600.0) + 1;
    leg_fill(&v->cur, t0, t0 + dur, lat, lon, wlat, wlon);
    v->cur.sog_kn = v->speed_kn;
    v->cur.status = NAV_UNDERWAY;
    v->in_port = false;
}

static void bg_next_leg(sim *s, size_t i, vessel *v) {
    uint64_t r = hash64(((uint64_t)i << 20) ^ (uint64_t)v->cur.t1 ^ s->o.seed);
    int64_t t0 = v->cur.t1;
    double lat = v->cur.lat1, lon = wrap_lon(v->cur.lon1);
    if (v->in_port) {
        int port = v->dir > 0 ? s->lanes[v->lane].to : s->lanes[v->lane].from;
        uint16_t pick = s->port_lanes[port][rnd_next(&r) % s->port_nlanes[port]];
        v->lane = (int16_t)(pick & 0x7fff);
        v->dir = (pick & 0x8000) ? -1 : 1;
        v->wp = (int16_t)(v->dir > 0 ? 1 : s->lanes[v->lane].n - 2);
        bg_sail_to_wp(s, i, v, t0, lat, lon);
        return;
    }
    int last = v->dir > 0 ? s->lanes[v->lane].n - 1 : 0;
    if (v->wp == last) {
        bg_dwell(v, t0, lat, lon, &r, 1.0);
        return;
    }
    v->wp = (int16_t)(v->wp + v->dir);
    bg_sail_to_wp(s, i, v, t0, lat, lon);
}

static void bg_init(sim *s, size_t i, vessel *v, uint64_t *r) {
    *v = (vessel){.mmsi = bg_mmsi(i - s->nsc), .ident = -1, .id_switch = INT64_MAX};
    size_t k = i - s->nsc;
    v->class_b = rnd_uniform(r) < 0.2;
    v->pos_type = v->class_b ? 18 : ((k % 7 == 3) ? 3 : 1);
    v->shiptype = v->class_b ? 37 : (rnd_uniform(r) < 0.4 ? 80 : 70);
    v->to_bow = v->class_b ? 10 : (uint16_t)(80 + rnd_next(r) % 200);
    v->to_stern = v->class_b ? 5 : 30;
    v->to_port = v->class_b ? 2 : 12;
    v->to_starboard = v->class_b ? 2 : 12;
    v->speed_kn = (float)(v->class_b ? 10 + 4 * rnd_uniform(r) : 10 + 8 * rnd_uniform(r));
    v->lane = (int16_t)(rnd_next(r) % s->nlanes);
    v->dir = (rnd_next(r) & 1) ? 1 : -1;
    const sim_lane *ln = &s->lanes[v->lane];
    if (rnd_uniform(r) < 0.15) { /* starts the run in port, part way through its stay */
        double lat, lon;
        bg_waypoint(s, k, v->lane, v->dir > 0 ? ln->n - 1 : 0, &lat, &lon);
        bg_dwell(v, s->o.start_s, lat, lon, r, rnd_uniform(r));
        return;
    }
    int seg = (int)(rnd_next(r) % (uint64_t)(ln->n - 1)); /* between points seg and seg + 1 */
    double f = rnd_uniform(r), alat, alon, blat, blon;
    bg_waypoint(s, k, v->lane, seg, &alat, &alon);
    bg_waypoint(s, k, v->lane, seg + 1, &blat, &blon);
    if (blon - alon > 180) blon -= 360;
    if (blon - alon < -180) blon += 360;
    double lat = alat + f * (blat - alat), lon = wrap_lon(alon + f * (blon - alon));
    v->wp = (int16_t)(v->dir > 0 ? seg + 1 : seg);
    bg_sail_to_wp(s, k, v, s->o.start_s, lat, lon);
}

/* ---- output ------------------------------------------------------------------------------- */

static int flush_out(sim *s) {
    if (s->outlen && !s->failed) {
        if (s->write(s->write_ctx, s->out, s->outlen) != 0) s->failed = 2;
        s->st.bytes += s->outlen;
    }
    s->outlen = 0;
    return s->failed ? -1 : 0;
}

/* Seconds to the next position report. ITU-R M.1371 class A: 3 min at anchor or moored
 * and slower than 3 kn, 10 s at 0-14 kn, 6 s at 14-23 kn; class B CS: 3 min at 2 kn or
 * less, else 30 s. We thin those (see docs/simulate.md): report_s (60) for 0-14 kn,
 * 0.6 x report_s above 14 kn, 3 min unchanged, class B 60 s / 3 min. */
static int64_t pos_interval(const sim *s, const vessel *v) {
    float sog = v->cur.sog_kn;
    if (v->class_b) return sog > 2 ? 60 : 180;
    if ((v->cur.status == NAV_ANCHORED || v->cur.status == NAV_MOORED) && sog <= 3) return 180;
    if (sog > 14) {
        int64_t f = (int64_t)s->o.report_s * 6 / 10;
        return f > 0 ? f : 1;
    }
    return s->o.report_s;
}

/* Garbage a receiver log really holds (global mode noise): a sentence cut short by a
 * restart, a line of line-noise bytes, another talker's NMEA, an empty line. */
static void emit_garbage(sim *s, const char *last, size_t lastlen) {
    uint64_t r = rnd_next(&s->noise_rng);
    char *p = s->out + s->outlen;
    size_t n = 0;
    switch (r % 4) {
    case 0: /* the start of the last line, cut */
        n = lastlen > 20 ? 10 + (size_t)((r >> 8) % (lastlen - 15)) : 0;
        memcpy(p, last, n);
        break;
    case 1: /* radio or serial line noise */
        n = 12 + (size_t)((r >> 8) % 40);
        for (size_t k = 0; k < n; k++) p[k] = (char)(33 + (rnd_next(&s->noise_rng) % 94));
        break;
    case 2: /* a GPS sentence on the same port */
        n = (size_t)snprintf(p, 96, "$GPGGA,%02u%02u%02u.00,5106.9792,N,00123.4512,W,1,08,0.9,12.3,M,47.0,M,,*%02X",
                             (unsigned)(r >> 8) % 24, (unsigned)(r >> 16) % 60, (unsigned)(r >> 24) % 60,
                             (unsigned)(r >> 32) & 0xff);
        break;
    default: /* empty */
        break;
    }
    p[n++] = '\r';
    p[n++] = '\n';
    s->outlen += n;
    s->st.garbage_lines++;
    s->st.sentences++;
}

/* Writes one message: aw_msg m through aw_nmea_encode, or (m NULL) an armoured payload
 * of `type` that fits one sentence through aw_nmea_wrap. Heard as s->cur_src, and again
 * as s->dup_src when a second receiver heard it too. Noise applies to the first copy. */
static void emit_msg(sim *s, const aw_msg *m, const char *payload, size_t plen, unsigned fill, unsigned type,
                     int64_t t, bool multi) {
    aw_encode_opts o = {.channel = (s->seq & 1) ? 'B' : 'A', .has_time = true, .time_s = t, .source = s->cur_src,
                        .tags = AW_TAG_FIRST};
    if (multi) {
        /* g: groups keep both fragments together for readers that key on the source */
        o.tags = AW_TAG_GROUP;
        o.seq_id = (uint8_t)(s->seq % 10);
        o.group_id = s->group = s->group % 99999 + 1;
    }
    s->seq++;
    for (int copy = 0; copy < (s->dup_src ? 2 : 1); copy++) {
        if (copy) o.source = s->dup_src;
        char *p = s->out + s->outlen;
        int n = m ? aw_nmea_encode(m, &o, p, AW_ENC_NMEA_MAX) : aw_nmea_wrap(payload, plen, fill, &o, p, AW_ENC_NMEA_MAX);
        if (n < 0) {
            s->failed = 3;
            return;
        }
        s->st.messages++;
        if (s->global) {
            s->st.by_type[type < 28 ? type : 0]++;
            if (copy) s->st.duplicates++;
            else if (s->cur_src[0] == 's') s->st.satellite++;
        }
        size_t len = (size_t)n;
        unsigned lines = multi ? 2 : 1;
        if (s->noise && !copy) {
            uint64_t r = rnd_next(&s->noise_rng);
            if (multi && (r % 1000) < 10) { /* ~1 %: the second fragment never arrives */
                char *nl = memchr(p, '\n', len);
                if (nl) {
                    len = (size_t)(nl - p) + 1;
                    lines = 1;
                    s->st.lost_fragments++;
                }
            } else if (!multi && (r >> 20) % 1000 < 5) { /* ~0.5 %: a flipped checksum digit */
                p[len - 3] = p[len - 3] == '0' ? '1' : '0';
                s->st.bad_checksums++;
            }
            if (s->global && (r >> 40) % 2000 == 0) { /* 0.05 %: a garbage line follows */
                s->st.sentences += lines;
                s->outlen += len;
                emit_garbage(s, p, len);
                if (s->outlen > OUT_CAP) flush_out(s);
                continue;
            }
        }
        s->st.sentences += lines;
        s->outlen += len;
        if (s->outlen > OUT_CAP) flush_out(s);
    }
}

static void emit(sim *s, const aw_msg *m, int64_t t, bool multi) { emit_msg(s, m, NULL, 0, 0, m->msg_type, t, multi); }

/* ---- global mode: who hears what ---------------------------------------------------------- */

/* Where a leg puts its vessel at t (lon wrapped). */
static void leg_pos(const leg *l, int64_t t, double *lat, double *lon) {
    double f = l->t1 > l->t0 ? (double)(t - l->t0) / (double)(l->t1 - l->t0) : 0;
    if (f > 1) f = 1;
    if (f < 0) f = 0;
    *lat = l->lat0 + f * (l->lat1 - l->lat0);
    *lon = wrap_lon(l->lon0 + f * (l->lon1 - l->lon0));
}

static size_t cov_cell(double lat, double lon) {
    int r = (int)((lat + 90) / COV_DEG), c = (int)((wrap_lon(lon) + 180) / COV_DEG);
    r = r < 0 ? 0 : r >= COV_ROWS ? COV_ROWS - 1 : r;
    c = c < 0 ? 0 : c >= COV_COLS ? COV_COLS - 1 : c;
    return (size_t)r * COV_COLS + (size_t)c;
}

/* The shore receivers in range of a vessel at (lat, lon), from its cache when it has not
 * changed cell (the 4 MB table is the only memory a report would otherwise miss in). */
static const uint16_t *cov_of(const sim *s, vessel *v, double lat, double lon) {
    size_t c = cov_cell(lat, lon);
    if (v->cov_cell != c + 1) {
        v->cov_cell = (uint32_t)c + 1;
        v->cov[0] = s->cov[2 * c], v->cov[1] = s->cov[2 * c + 1];
    }
    return v->cov;
}

static const char *const sat_names[N_SATS] = {"sat-1", "sat-2", "sat-3", "sat-4",  "sat-5",  "sat-6",
                                              "sat-7", "sat-8", "sat-9", "sat-10", "sat-11", "sat-12"};

/* Who hears a report sent from (lat, lon) at t: sets cur_src (and dup_src when a second
 * shore receiver hears it too). A shore receiver hears what is sent within 40 nm of it;
 * beyond, a satellite hears it with probability p_sat, and only while one is in view
 * (PASS_W_S seconds of every PASS_P_S, the phase set by the 10-degree cell). False when
 * nobody hears it. */
static bool rx_hear(sim *s, vessel *v, double lat, double lon, int64_t t, unsigned p_sat_pct) {
    s->dup_src = NULL;
    const uint16_t *cv = cov_of(s, v, lat, lon);
    uint16_t a = cv[0], b = cv[1];
    size_t c = v->cov_cell - 1;
    uint64_t r = rnd_next(&s->rx_rng);
    if (a) {
        s->cur_src = s->stname[a - 1];
        if (b && (r & 1)) s->dup_src = s->stname[b - 1]; /* half the reports in the overlap */
        return true;
    }
    uint64_t cell10 = (c / COV_COLS) / 40 * 36 + (c % COV_COLS) / 40;
    int64_t ph = (int64_t)(hash64(cell10 + 0x5a7e111e) % PASS_P_S), k = (t + ph) / PASS_P_S;
    if ((t + ph) % PASS_P_S >= PASS_W_S || (r >> 8) % 100 >= p_sat_pct) return false;
    s->cur_src = sat_names[(uint64_t)k % N_SATS];
    return true;
}

/* Six-bit payloads of the message types aw_ais_encode does not write (4, 19, 21, 27). */
typedef struct bitpack {
    char out[96];           /* type 19, the longest, is 52 characters */
    size_t n;
    uint64_t acc;
    unsigned nbits;
} bitpack;

static void bp_put(bitpack *b, uint32_t v, unsigned width) {
    b->acc = (b->acc << width) | (v & (uint32_t)((1ull << width) - 1));
    b->nbits += width;
    while (b->nbits >= 6) {
        b->nbits -= 6;
        unsigned x = (unsigned)(b->acc >> b->nbits) & 63u;
        if (b->n < sizeof b->out) b->out[b->n++] = (char)(x < 40 ? x + 48 : x + 56);
    }
}
static void bp_signed(bitpack *b, int32_t v, unsigned width) { bp_put(b, (uint32_t)v, width); }
static void bp_text(bitpack *b, const char *t, unsigned nchars) {
    for (unsigned k = 0; k < nchars; k++) {
        unsigned char c = *t ? (unsigned char)*t++ : '@';
        bp_put(b, c >= 64 && c <= 95 ? c - 64u : c >= 32 && c <= 63 ? c : 32u, 6);
    }
}
static size_t bp_finish(bitpack *b, unsigned *fill) {
    *fill = b->nbits ? 6 - b->nbits : 0;
    if (b->nbits) bp_put(b, 0, *fill);
    return b->n;
}

/* Type 27, long-range broadcast: what a class A sends every 3 minutes for satellites. */
static void send_long_range(sim *s, vessel *v, int64_t t, double lat, double lon) {
    const leg *l = &v->cur;
    bitpack b = {0};
    unsigned fill;
    bp_put(&b, 27, 6), bp_put(&b, 0, 2), bp_put(&b, v->mmsi, 30), bp_put(&b, 0, 1), bp_put(&b, 0, 1);
    bp_put(&b, l->status, 4);
    bp_signed(&b, (int32_t)lround(lon * 600), 18), bp_signed(&b, (int32_t)lround(lat * 600), 17);
    long kn = lround(l->sog_kn);
    bp_put(&b, (uint32_t)(kn > 62 ? 62 : kn), 6), bp_put(&b, (uint32_t)(lround(l->cog_deg) % 360), 9);
    bp_put(&b, 0, 1), bp_put(&b, 0, 1);
    size_t n = bp_finish(&b, &fill);
    emit_msg(s, NULL, b.out, n, fill, 27, t, false);
}

/* Type 19, extended class B report: position and static data in one. */
static void send_ext_b(sim *s, const vessel *v, const ident *id, int64_t t, double lat, double lon) {
    const leg *l = &v->cur;
    bitpack b = {0};
    unsigned fill;
    bp_put(&b, 19, 6), bp_put(&b, 0, 2), bp_put(&b, v->mmsi, 30), bp_put(&b, 0, 8);
    long sog = lround(l->sog_kn * 10);
    bp_put(&b, (uint32_t)(sog > 1022 ? 1022 : sog), 10), bp_put(&b, 0, 1);
    bp_signed(&b, (int32_t)lround(lon * AW_LATLON_SCALE), 28), bp_signed(&b, (int32_t)lround(lat * AW_LATLON_SCALE), 27);
    bp_put(&b, (uint32_t)(lround(l->cog_deg * 10) % 3600), 12), bp_put(&b, (uint32_t)(lround(l->cog_deg) % 360), 9);
    bp_put(&b, (uint32_t)(t % 60), 6), bp_put(&b, 0, 4);
    bp_text(&b, id->name, 20);
    bp_put(&b, v->shiptype, 8), bp_put(&b, v->to_bow, 9), bp_put(&b, v->to_stern, 9), bp_put(&b, v->to_port, 6);
    bp_put(&b, v->to_starboard, 6), bp_put(&b, 1, 4), bp_put(&b, 0, 1), bp_put(&b, 0, 1), bp_put(&b, 0, 1);
    bp_put(&b, 0, 4);
    size_t n = bp_finish(&b, &fill);
    emit_msg(s, NULL, b.out, n, fill, 19, t, false);
}

/* Base stations (type 4, every 10 s, heard by their own receiver) and aids to navigation
 * (type 21, every 3 minutes) at the shore stations. */
static void send_fixed(sim *s, vessel *v, int64_t t) {
    double lat = v->cur.lat0, lon = v->cur.lon0;
    bitpack b = {0};
    unsigned fill;
    if (v->kind == VK_BASE) {
        s->cur_src = s->stname[v->station];
        s->dup_src = NULL;
        struct tm tm;
        time_t tt = (time_t)t;
        gmtime_r(&tt, &tm);
        bp_put(&b, 4, 6), bp_put(&b, 0, 2), bp_put(&b, v->mmsi, 30), bp_put(&b, (uint32_t)tm.tm_year + 1900, 14);
        bp_put(&b, (uint32_t)tm.tm_mon + 1, 4), bp_put(&b, (uint32_t)tm.tm_mday, 5), bp_put(&b, (uint32_t)tm.tm_hour, 5);
        bp_put(&b, (uint32_t)tm.tm_min, 6), bp_put(&b, (uint32_t)tm.tm_sec, 6), bp_put(&b, 1, 1);
        bp_signed(&b, (int32_t)lround(lon * AW_LATLON_SCALE), 28), bp_signed(&b, (int32_t)lround(lat * AW_LATLON_SCALE), 27);
        bp_put(&b, 7, 4), bp_put(&b, 0, 10), bp_put(&b, 0, 1), bp_put(&b, 0, 19);
        size_t n = bp_finish(&b, &fill);
        emit_msg(s, NULL, b.out, n, fill, 4, t, false);
        return;
    }
    if (!rx_hear(s, v, lat, lon, t, 50)) {
        s->st.unheard++;
        return;
    }
    char name[21];
    snprintf(name, sizeof name, "%.11s BUOY %u", s->ports[sim_g_stations[v->station].port].name, v->mmsi % 1000);
    bp_put(&b, 21, 6), bp_put(&b, 0, 2), bp_put(&b, v->mmsi, 30), bp_put(&b, v->mmsi % 2 ? 25 : 26, 5);
    bp_text(&b, name, 20);
    bp_put(&b, 1, 1);
    bp_signed(&b, (int32_t)lround(lon * AW_LATLON_SCALE), 28), bp_signed(&b, (int32_t)lround(lat * AW_LATLON_SCALE), 27);
    bp_put(&b, 1, 9), bp_put(&b, 1, 9), bp_put(&b, 1, 6), bp_put(&b, 1, 6), bp_put(&b, 7, 4);
    bp_put(&b, (uint32_t)(t % 60), 6), bp_put(&b, 0, 1), bp_put(&b, 0, 8), bp_put(&b, 0, 1), bp_put(&b, 0, 1);
    bp_put(&b, 0, 1), bp_put(&b, 0, 1);
    size_t n = bp_finish(&b, &fill);
    emit_msg(s, NULL, b.out, n, fill, 21, t, false);
}

static void send_position(sim *s, vessel *v, int64_t t) {
    const leg *l = &v->cur;
    double f = l->t1 > l->t0 ? (double)(t - l->t0) / (double)(l->t1 - l->t0) : 0;
    if (f > 1) f = 1;
    double lat = l->lat0 + f * (l->lat1 - l->lat0), lon = l->lon0 + f * (l->lon1 - l->lon0);
    if (s->global) {
        if (!rx_hear(s, v, lat, lon, t, v->class_b ? 20 : 50)) { /* class B: 2 W, fewer heard */
            s->st.unheard++;
            return;
        }
        if (v->fix_head) heard(s, v, t, false);
    }
    if (s->noise) { /* GPS scatter, sigma ~10 m */
        lat += rnd_normal(&s->noise_rng) * 9e-5;
        lon += rnd_normal(&s->noise_rng) * 9e-5 / cos(lat * DEG);
    }
    lon = wrap_lon(lon);
    int32_t ilat = (int32_t)lround(lat * AW_LATLON_SCALE), ilon = (int32_t)lround(lon * AW_LATLON_SCALE);
    long sog = lround(l->sog_kn * 10);
    uint16_t speed = (uint16_t)(sog > 1022 ? 1022 : sog);
    uint16_t course = (uint16_t)(lround(l->cog_deg * 10) % 3600);
    uint16_t heading = (uint16_t)(lround(l->cog_deg) % 360);
    aw_msg m = {.msg_type = v->pos_type, .mmsi = v->mmsi};
    if (v->class_b) {
        m.msg_type = 18;
        m.u.cb = (aw_classb_pos){.speed = speed, .lon = ilon, .lat = ilat, .course = course, .heading = heading,
                                 .second = (uint8_t)(t % 60), .cs = true, .band = true, .msg22 = true};
    } else {
        m.u.pos = (aw_pos_report){.status = l->status, .turn = 0, .speed = speed, .lon = ilon, .lat = ilat,
                                  .course = course, .heading = heading, .second = (uint8_t)(t % 60)};
    }
    emit(s, &m, t, false);
}

static void send_static(sim *s, size_t i, vessel *v, int64_t t) {
    ident bg;
    const ident *id;
    if (v->ident >= 0) id = &s->idents[v->ident + (t >= v->id_switch ? 1 : 0)];
    else {
        bg_ident(s, i - s->nsc, v, &bg);
        id = &bg;
    }
    double lat = 0, lon = 0;
    if (s->global) {
        leg_pos(&v->cur, t, &lat, &lon);
        if (!rx_hear(s, v, lat, lon, t, v->class_b ? 20 : 50)) {
            s->st.unheard++;
            return;
        }
        if (v->fix_head) heard(s, v, t, true);
    }
    aw_msg m = {.mmsi = v->mmsi};
    if (v->class_b) {
        m.msg_type = 24;
        m.u.sb.partno = 0;
        memcpy(m.u.sb.shipname, id->name, sizeof id->name);
        emit(s, &m, t, false);
        m.u.sb = (aw_static_b){.partno = 1, .shiptype = v->shiptype, .to_bow = v->to_bow, .to_stern = v->to_stern,
                               .to_port = v->to_port, .to_starboard = v->to_starboard};
        memcpy(m.u.sb.vendorid, "AWS", 4);
        memcpy(m.u.sb.callsign, id->callsign, sizeof id->callsign);
        emit(s, &m, t, false);
        if (v->ext19) send_ext_b(s, v, id, t, lat, lon);
        return;
    }
    m.msg_type = 5;
    struct tm tm;
    time_t eta = (time_t)(t + 3 * 86400);
    gmtime_r(&eta, &tm);
    m.u.voy = (aw_static_voyage){.imo = id->imo, .shiptype = v->shiptype, .to_bow = v->to_bow,
                                 .to_stern = v->to_stern, .to_port = v->to_port, .to_starboard = v->to_starboard,
                                 .epfd = 1, .month = (uint8_t)(tm.tm_mon + 1), .day = (uint8_t)tm.tm_mday,
                                 .hour = (uint8_t)tm.tm_hour, .minute = 0, .draught = id->draught_dm};
    memcpy(m.u.voy.shipname, id->name, sizeof id->name);
    memcpy(m.u.voy.callsign, id->callsign, sizeof id->callsign);
    memcpy(m.u.voy.destination, id->dest, sizeof id->dest);
    emit(s, &m, t, true);
}

/* Moves a vessel onto the leg that holds time t. False when its plan is over. */
static bool advance(sim *s, size_t i, vessel *v, int64_t t) {
    while (t >= v->cur.t1) {
        if (v->lane >= 0) bg_next_leg(s, i, v);
        else {
            if (v->plan_i + 1 >= v->plan_n) return false;
            v->cur = s->legs[v->plan_first + ++v->plan_i];
        }
    }
    return true;
}

static void wheel_put(sim *s, size_t i, int64_t due, int64_t now) {
    if (due > now + WHEEL - 1) due = now + WHEEL - 1; /* wake early and look again */
    size_t slot = (size_t)(due % WHEEL);
    s->next[i] = s->head[slot];
    s->head[slot] = (int32_t)i;
}

static void step(sim *s, int64_t t) {
    size_t slot = (size_t)(t % WHEEL);
    int32_t i = s->head[slot];
    s->head[slot] = -1;
    while (i >= 0 && !s->failed) {
        int32_t nx = s->next[i];
        vessel *v = &s->v[i];
        if (v->kind != VK_SHIP) {
            if (t >= v->next_pos) {
                send_fixed(s, v, t);
                v->next_pos = t + (v->kind == VK_BASE ? 10 : 180);
            }
            wheel_put(s, (size_t)i, v->next_pos, t);
        } else if (advance(s, (size_t)i, v, t)) {
            if (v->cur.dark) {
                if (v->next_pos < v->cur.t1) v->next_pos = v->cur.t1;
                if (v->next_static < v->cur.t1) v->next_static = v->cur.t1;
                if (s->global && v->next_lr < v->cur.t1) v->next_lr = v->cur.t1;
            } else {
                if (t >= v->next_pos) {
                    send_position(s, v, t);
                    v->next_pos = t + pos_interval(s, v);
                }
                if (t >= v->next_static) {
                    send_static(s, (size_t)i, v, t);
                    v->next_static = t + 360;
                }
                if (s->global && !v->class_b && t >= v->next_lr) {
                    double lat, lon;
                    leg_pos(&v->cur, t, &lat, &lon);
                    /* sent on the long-range channels, which only satellites listen to */
                    if (!cov_of(s, v, lat, lon)[0]) {
                        if (rx_hear(s, v, lat, lon, t, 90)) {
                            send_long_range(s, v, t, lat, lon);
                            if (v->fix_head) heard(s, v, t, false);
                        } else
                            s->st.unheard++;
                    }
                    v->next_lr = t + 180;
                }
            }
            int64_t due = v->next_pos < v->next_static ? v->next_pos : v->next_static;
            if (s->global && !v->class_b && v->next_lr < due) due = v->next_lr;
            if (due <= t) due = t + 1;
            wheel_put(s, (size_t)i, due, t);
        }
        i = nx;
    }
}

/* ---- global mode: planting ------------------------------------------------------------ */

/* Scenario instances per 10,000 vessel-days (docs/simulate.md, "Rates"), by scenario bit,
 * and the vessels each instance takes. */
static const double plant_rate[12] = {2, 3, 3, 1, 1, 1, 2, 2, 2, 0.5, 0.5, 1};
static const uint8_t plant_vessels[12] = {2, 1, 1, 2, 2, 3, 1, 2, 2, 10, 6, 2};
/* Port traps live at their port; the others anywhere on open sea. */
static const double port_trap_at[12][2] = {[9] = {25.15, 56.42}, [10] = {43.584, 7.135}, [11] = {6.106, 1.283}};

static size_t mask_cell(double lat, double lon) {
    int r = (int)floor(90 - lat), c = (int)floor(wrap_lon(lon) + 180);
    r = r < 0 ? 0 : r > 179 ? 179 : r;
    c = c < 0 ? 0 : c > 359 ? 359 : c;
    return (size_t)r * 360 + (size_t)c;
}
static char mask_at(size_t cell) { return sim_g_mask[cell / 360][cell % 360]; }

typedef struct snap {
    size_t nlegs, nsc, nidents, truthlen, nfixes;
    uint32_t events, traps, by_type[8];
} snap;

static void snap_take(const sim *s, snap *x) {
    *x = (snap){s->nlegs, s->nsc, s->nidents, s->truthlen, s->nfixes, s->st.events, s->st.traps, {0}};
    memcpy(x->by_type, s->st.events_by_type, sizeof x->by_type);
}
static void snap_restore(sim *s, const snap *x) {
    s->nlegs = x->nlegs, s->nsc = x->nsc, s->nidents = x->nidents, s->truthlen = x->truthlen, s->nfixes = x->nfixes;
    s->st.events = x->events, s->st.traps = x->traps;
    memcpy(s->st.events_by_type, x->by_type, sizeof x->by_type);
}

/* Is the scenario just built where it may be? Every leg sampled every 10 km: on open sea
 * (>= 80 km from any coast, a cell away from every lane) unless it is a port trap, and
 * its spoofed positions deep inland; and in space and time (with a degree and 6 h to
 * spare) clear of every scenario planted before, so no two interact. */
static bool site_ok(const sim *s, const snap *x, bool at_sea, site *out) {
    site b = {90, -90, 1e9, -1e9, INT64_MAX, INT64_MIN};
    for (size_t k = x->nlegs; k < s->nlegs; k++) {
        const leg *l = &s->legs[k];
        if (l->t0 < b.t0) b.t0 = l->t0;
        if (l->t1 > b.t1) b.t1 = l->t1;
        int n = (int)(dist_nm(l->lat0, l->lon0, l->lat1, l->lon1) * 1.852 / 10) + 1;
        for (int j = 0; j <= n; j++) {
            double f = (double)j / n, la = l->lat0 + f * (l->lat1 - l->lat0), lo = l->lon0 + f * (l->lon1 - l->lon0);
            size_t c = mask_cell(la, lo);
            if (l->spoof) {
                if (mask_at(c) != 'L') return false;
                continue;
            }
            if (at_sea && (mask_at(c) != 'o' || s->near_lane[c])) return false;
            double rel = wrap_lon(lo - s->place_lon);
            lo = s->place_lon + rel;
            if (la < b.lat0) b.lat0 = la;
            if (la > b.lat1) b.lat1 = la;
            if (lo < b.lon0) b.lon0 = lo;
            if (lo > b.lon1) b.lon1 = lo;
        }
    }
    if (b.lon0 < -180 || b.lon1 >= 180) return false; /* keeps the overlap test simple */
    for (size_t k = 0; k < s->nsites; k++) {
        const site *y = &s->sites[k];
        if (b.t0 - 6 * 3600 < y->t1 && y->t0 < b.t1 + 6 * 3600 && b.lat0 - 1 < y->lat1 && y->lat0 < b.lat1 + 1 &&
            b.lon0 - 1 < y->lon1 && y->lon0 < b.lon1 + 1)
            return false;
    }
    *out = b;
    return true;
}

/* How many instances of each scenario a global run plants. */
static void plant_counts(const aw_sim_opts *o, uint32_t n[12]) {
    double vd = (double)o->background * o->hours / 24.0, rate = o->event_rate > 0 ? o->event_rate : 1;
    uint64_t r = hash64(o->seed ^ 0x91a47ULL);
    for (unsigned k = 0; k < 12; k++) {
        double want = plant_rate[k] * vd / 1e4 * rate + rnd_uniform(&r);
        n[k] = 0;
        if (!(o->scenarios & (1u << k)) || o->hours < AW_SIM_MIN_SCENARIO_HOURS) continue;
        n[k] = want > 4e6 ? 4000000u : (uint32_t)want;
        if (n[k] == 0) n[k] = 1; /* every kind chosen is planted at least once */
    }
}

/* Plants n[k] instances of each scenario at random places and times (24 h windows), each
 * at the first of up to 200 tries that site_ok accepts; the others are counted. */
static int plant_global(sim *s, void (*const builders[12])(sim *, uint64_t *), const uint32_t n[12],
                        const uint32_t *open, size_t nopen, const uint32_t *inland, size_t ninland) {
    for (unsigned k = 0; k < 12; k++) {
        for (uint32_t j = 0; j < n[k]; j++) {
            uint64_t pr = hash64(s->o.seed * 0x9e3779b97f4a7c15ULL + ((uint64_t)k << 40) + j);
            bool placed = false;
            for (int attempt = 0; attempt < 200 && !placed && !s->failed; attempt++) {
                s->inst = j + 1;
                s->sc_hours = 24;
                s->base_s = s->o.start_s + 60 * (int64_t)(rnd_uniform(&pr) * (s->o.hours - 24) * 60);
                s->sc_end_s = s->base_s + 24 * 3600;
                bool at_sea = port_trap_at[k][0] == 0;
                if (at_sea) {
                    if (!nopen) break;
                    uint32_t c = open[rnd_next(&pr) % nopen];
                    s->place_lat = 90 - (double)(c / 360) - 0.2 - 0.6 * rnd_uniform(&pr);
                    s->place_lon = (double)(c % 360) - 180 + 0.2 + 0.6 * rnd_uniform(&pr);
                } else {
                    s->place_lat = port_trap_at[k][0], s->place_lon = port_trap_at[k][1];
                }
                if (ninland) {
                    uint32_t c = inland[rnd_next(&pr) % ninland];
                    s->spoof_lat = 90 - (double)(c / 360) - 0.5, s->spoof_lon = (double)(c % 360) - 180 + 0.5;
                }
                s->spoof_h = 0.75; /* a revisit's worth; under the 1 h overlap of a conflict */
                snap x;
                snap_take(s, &x);
                uint64_t br = rnd_next(&pr);
                builders[k](s, &br);
                site st;
                if (!s->failed && site_ok(s, &x, at_sea, &st)) {
                    if (s->nsites == s->capsites) {
                        size_t cap = s->capsites ? 2 * s->capsites : 64;
                        site *ns = realloc(s->sites, cap * sizeof *ns);
                        if (!ns) return -1;
                        s->sites = ns, s->capsites = cap;
                    }
                    s->sites[s->nsites++] = st;
                    s->st.planted[k]++;
                    placed = true;
                } else
                    snap_restore(s, &x);
            }
            if (s->failed) return -1;
            if (!placed) s->st.not_placed++;
        }
    }
    return 0;
}

/* Shore receivers: who hears each 0.25-degree cell, their names; the cells next to lanes;
 * the places scenarios may go. */
static int global_setup(sim *s, uint32_t **open, size_t *nopen, uint32_t **inland, size_t *ninland) {
    s->nstations = sim_g_nstations;
    s->cov = calloc((size_t)COV_ROWS * COV_COLS * 2, sizeof *s->cov);
    s->stname = calloc(s->nstations, sizeof *s->stname);
    s->near_lane = calloc(180 * 360, 1);
    *open = malloc(180 * 360 * sizeof **open);
    *inland = malloc(180 * 360 * sizeof **inland);
    if (!s->cov || !s->stname || !s->near_lane || !*open || !*inland) return -1;
    for (size_t q = 0; q < s->nstations; q++) {
        const sim_station *st = &sim_g_stations[q];
        char nm[24];
        size_t k = 0;
        for (const char *c = sim_g_ports[st->port].name; *c && k < sizeof nm - 1; c++)
            if (*c != ' ') nm[k++] = *c;
        nm[k] = 0;
        snprintf(s->stname[q], sizeof s->stname[q], "rx%03u-%.9s", (unsigned)(q % 1000), nm);
        double dlat = RX_RANGE_KM / 111.2, dlon = dlat / fmax(cos(st->lat * DEG), 0.05);
        for (double la = st->lat - dlat; la <= st->lat + dlat + COV_DEG; la += COV_DEG)
            for (double lo = st->lon - dlon; lo <= st->lon + dlon + COV_DEG; lo += COV_DEG) {
                size_t c = cov_cell(la, lo);
                double clat = (double)(c / COV_COLS) * COV_DEG - 90 + COV_DEG / 2;
                double clon = (double)(c % COV_COLS) * COV_DEG - 180 + COV_DEG / 2;
                if (dist_nm(clat, clon, st->lat, st->lon) * 1.852 > RX_RANGE_KM) continue;
                uint16_t *slot = &s->cov[2 * c];
                if (slot[0] == q + 1 || slot[1] == q + 1) continue;
                if (!slot[0]) slot[0] = (uint16_t)(q + 1);
                else if (!slot[1]) slot[1] = (uint16_t)(q + 1);
            }
    }
    for (size_t l = 0; l < s->nlanes; l++) {
        const sim_lane *ln = &s->lanes[l];
        for (int k = 0; k + 1 < ln->n; k++) {
            const sim_lane_pt *a = lane_pt(s, (int)l, k), *b = lane_pt(s, (int)l, k + 1);
            int n = (int)(dist_nm(a->lat, a->lon, b->lat, b->lon) / 10) + 1;
            for (int j = 0; j <= n; j++) {
                double f = (double)j / n, la = a->lat + f * (b->lat - a->lat), lo = a->lon + f * (b->lon - a->lon);
                for (int dr = -1; dr <= 1; dr++)
                    for (int dc = -1; dc <= 1; dc++) s->near_lane[mask_cell(la + dr, lo + dc)] = 1;
            }
        }
    }
    *nopen = *ninland = 0;
    for (uint32_t c = 0; c < 180 * 360; c++) {
        /* not among the icebergs: scenarios stay within 60 degrees of the equator */
        if (mask_at(c) == 'o' && !s->near_lane[c] && c / 360 >= 30 && c / 360 < 150) (*open)[(*nopen)++] = c;
        if (mask_at(c) == 'L') (*inland)[(*ninland)++] = c;
    }
    return 0;
}

/* Base stations at every shore station up to one per 120 vessels, and aids to
 * navigation up to one per 40 vessels, four per station at most. */
static void fixed_counts(const aw_sim_opts *o, size_t *nbase, size_t *naton) {
    size_t ns = sim_g_nstations;
    *nbase = o->background / 120, *naton = o->background / 40;
    if (*nbase < 1) *nbase = 1;
    if (*naton < 1) *naton = 1;
    if (*nbase > ns) *nbase = ns;
    if (*naton > 4 * ns) *naton = 4 * ns;
}

static void fixed_init(sim *s, size_t j, size_t nbase, vessel *v) {
    static const uint16_t mids[10] = {477, 538, 636, 353, 229, 370, 256, 563, 311, 215};
    bool base = j < nbase;
    size_t k = base ? j : j - nbase, ns = s->nstations;
    size_t q = base ? k * ns / nbase : k % ns;
    const sim_station *st = &sim_g_stations[q];
    double lat = st->lat, lon = st->lon;
    if (!base) { /* a buoy 1-6 km from the station */
        uint64_t h = hash64(0xa70aULL + k);
        offset_nm(lat, lon, (double)(h % 360), (1 + (double)((h >> 16) % 5000) / 1000) / 1.852, &lat, &lon);
    }
    *v = (vessel){.kind = base ? VK_BASE : VK_ATON, .station = (uint16_t)q, .ident = -1, .lane = -1,
                  .id_switch = INT64_MAX, .next_static = INT64_MAX, .next_lr = INT64_MAX};
    /* 00MIDxxxx for base stations, 99MIDxxxx for aids to navigation */
    v->mmsi = base ? mids[k % 10] * 10000u + (uint32_t)k : 990000000u + mids[k % 10] * 10000u + (uint32_t)(k % 10000);
    v->cur = (leg){.t0 = s->o.start_s, .t1 = INT64_MAX, .lat0 = lat, .lon0 = wrap_lon(lon), .lat1 = lat,
                   .lon1 = wrap_lon(lon)};
}

/* ---- public ----------------------------------------------------------------------------- */

static const char *const sc_names[] = {"encounter", "loitering", "gap", "dark_rendezvous", "identity_conflict",
                                       "identity_change", "position_spoof", "trap_passing", "trap_short_meeting",
                                       "trap_anchorage", "trap_class_b", "trap_near_port", "noise"};

const char *aw_sim_scenario_name(unsigned bit) {
    for (unsigned k = 0; k < sizeof sc_names / sizeof sc_names[0]; k++)
        if (bit == 1u << k) return sc_names[k];
    return NULL;
}

int aw_sim_scenarios_parse(const char *list, unsigned *mask, char *err, size_t errcap) {
    *mask = 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        unsigned bit = 0;
        if (n == 3 && !strncmp(p, "all", 3)) bit = AW_SIM_ALL;
        else if (n == 4 && !strncmp(p, "none", 4)) bit = 0;
        else if (n == 5 && !strncmp(p, "traps", 5)) bit = AW_SIM_TRAP_PASSING | AW_SIM_TRAP_SHORT_MEETING |
                                                          AW_SIM_TRAP_ANCHORAGE | AW_SIM_TRAP_CLASS_B | AW_SIM_TRAP_NEAR_PORT;
        else {
            for (unsigned k = 0; k < sizeof sc_names / sizeof sc_names[0]; k++) {
                const char *nm = sc_names[k];
                size_t ln = strlen(nm);
                if ((ln == n && !strncmp(p, nm, n)) || (!strncmp(nm, "trap_", 5) && ln - 5 == n && !strncmp(p, nm + 5, n)))
                    bit = 1u << k;
            }
            if (!bit) {
                if (err && errcap) snprintf(err, errcap, "%.*s", (int)(n < 64 ? n : 64), p);
                return -1;
            }
        }
        *mask |= bit;
        p += n;
        if (*p == ',') p++;
    }
    return 0;
}

void aw_sim_opts_default(aw_sim_opts *o) {
    *o = (aw_sim_opts){.seed = 1, .start_s = 1700000000, .hours = 24, .report_s = 60};
}

int aw_sim_run(const aw_sim_opts *o, aw_sim_write_fn nmea, void *nmea_ctx, aw_sim_write_fn truth, void *truth_ctx,
               aw_sim_stats *stats, char *err, size_t errcap) {
    sim *s = calloc(1, sizeof *s);
    if (!s) {
        if (err && errcap) snprintf(err, errcap, "out of memory");
        return -1;
    }
    s->o = *o;
    s->err = err;
    s->errcap = errcap;
    s->write = nmea;
    s->write_ctx = nmea_ctx;
    int rc = -1;
    if (!nmea) {
        fail(s, "no output");
        goto done;
    }
    if (o->hours == 0 || o->hours > 24 * 366 || o->report_s == 0 || o->report_s > 180 || o->start_s < 0) {
        fail(s, "hours must be 1..8784 and the report interval 1..180 s");
        goto done;
    }
    if (o->background > AW_SIM_MAX_BACKGROUND) {
        fail(s, "at most 10 million background vessels");
        goto done;
    }
    if (!o->global && (o->scenarios & ~(unsigned)AW_SIM_NOISE & AW_SIM_ALL) && o->hours < AW_SIM_MIN_SCENARIO_HOURS) {
        fail(s, "scenarios need --hours 24 or more");
        goto done;
    }
    s->end_s = o->start_s + (int64_t)o->hours * 3600;
    s->noise = (o->scenarios & AW_SIM_NOISE) != 0;
    s->noise_rng = o->seed ^ 0x6e6f697365ULL;
    s->global = o->global;
    s->base_s = o->start_s, s->sc_end_s = s->end_s, s->sc_hours = o->hours, s->inst = 1;
    s->cur_src = "aiswatch-sim";
    s->fix[0].vessel = s->fix[1].vessel = -1;
    s->rx_rng = o->seed ^ 0x7278ULL;
    uint32_t nplant[12] = {0};
    size_t nbase = 0, naton = 0;
    s->capsc = MAX_SC_VESSELS;
    if (o->global) {
        plant_counts(o, nplant);
        fixed_counts(o, &nbase, &naton);
        s->capsc = 16;
        for (unsigned k = 0; k < 12; k++) s->capsc += (size_t)nplant[k] * plant_vessels[k];
    }
    s->out = malloc(OUT_CAP + 4 * AW_ENC_NMEA_MAX);
    s->truth = malloc(TRUTH_CAP);
    s->truthcap = TRUTH_CAP;
    s->idents = calloc(2 * s->capsc, sizeof *s->idents);
    s->v = calloc(s->capsc + (size_t)o->background + nbase + naton, sizeof *s->v);
    if (!s->out || !s->truth || !s->v || !s->idents) {
        fail(s, "out of memory");
        goto done;
    }
    if (o->global) {
        s->ports = sim_g_ports, s->nports = sim_g_nports, s->lane_pts = sim_g_lane_pts, s->lanes = sim_g_lanes;
        s->nlanes = sim_g_nlanes;
        s->spread_inner = 0.008, s->spread_end = 0.004; /* within AW_SIM_LANE_JITTER_KM */
    } else {
        s->ports = ports0, s->nports = NPORTS0, s->lane_pts = lane_pts0, s->lanes = lanes0, s->nlanes = NLANES0;
        s->spread_inner = 0.036, s->spread_end = 0.006;
    }
    for (size_t l = 0; l < s->nlanes; l++) { /* lanes leaving each port, both ways */
        int a = s->lanes[l].from, b = s->lanes[l].to;
        if (s->port_nlanes[a] < MAX_PORT_LANES) s->port_lanes[a][s->port_nlanes[a]++] = (uint16_t)l;
        if (s->port_nlanes[b] < MAX_PORT_LANES) s->port_lanes[b][s->port_nlanes[b]++] = (uint16_t)(l | 0x8000);
    }
    uint64_t r = o->seed * 0x2545f4914f6cdd1dULL + 1;
    static void (*const builders[])(sim *, uint64_t *) = {
        sc_encounter, sc_loitering, sc_gap, sc_dark_rendezvous, sc_identity_conflict, sc_identity_change,
        sc_position_spoof, trap_passing, trap_short_meeting, trap_anchorage, trap_class_b, trap_near_port};
    if (o->global) {
        uint32_t *open = NULL, *inland = NULL;
        size_t nopen = 0, ninland = 0;
        int prc = global_setup(s, &open, &nopen, &inland, &ninland);
        if (prc == 0) prc = plant_global(s, builders, nplant, open, nopen, inland, ninland);
        free(open);
        free(inland);
        if (prc != 0) s->failed = 1;
    } else {
        for (unsigned k = 0; k < sizeof builders / sizeof builders[0]; k++) {
            uint64_t sr = hash64(r + k); /* each scenario its own stream: adding one moves no other */
            if (o->scenarios & (1u << k)) builders[k](s, &sr);
        }
    }
    if (s->failed) {
        fail(s, "out of memory building scenarios");
        goto done;
    }
    /* Scenarios build several vessels' legs interleaved: group them by vessel, in order
     * (a stable counting sort by owner). */
    leg *sorted = malloc((s->nlegs ? s->nlegs : 1) * sizeof *sorted);
    uint32_t *at = calloc(s->nsc + 1, sizeof *at);
    if (!sorted || !at) {
        free(sorted);
        free(at);
        fail(s, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < s->nlegs; k++) at[s->legs[k].owner + 1]++;
    for (size_t i = 0; i < s->nsc; i++) at[i + 1] += at[i];
    for (size_t i = 0; i < s->nsc; i++) s->v[i].plan_first = at[i];
    for (size_t k = 0; k < s->nlegs; k++) sorted[at[s->legs[k].owner]++] = s->legs[k];
    free(at);
    free(s->legs);
    s->legs = sorted;
    for (size_t i = 0; i < s->nsc; i++) { /* a plan must cover the run (global: its 24 h window) */
        vessel *v = &s->v[i];
        v->cur = s->legs[v->plan_first];
        if (!o->global && s->legs[v->plan_first + v->plan_n - 1].t1 < s->end_s)
            s->legs[v->plan_first + v->plan_n - 1].t1 = s->end_s;
    }
    for (size_t k = 0; k < s->nfixes; k++) { /* each vessel's pending truth times */
        vessel *v = &s->v[s->fixes[k].vessel];
        s->fixes[k].next = v->fix_head;
        v->fix_head = (uint32_t)k + 1;
    }
    s->nv = s->nsc + o->background;
    uint64_t br = o->seed ^ 0xba5eba11ULL;
    size_t na = 0, nb = 0;
    for (size_t i = s->nsc; i < s->nv; i++) {
        bg_init(s, i, &s->v[i], &br);
        if (o->global) { /* the global mix: every 50th class A sends type 2, every 10th class B type 19 */
            vessel *v = &s->v[i];
            if (!v->class_b && na++ % 50 == 7) v->pos_type = 2;
            v->ext19 = v->class_b && nb++ % 10 == 3;
        }
    }
    s->fixed_first = s->nv;
    for (size_t j = 0; j < nbase + naton; j++) fixed_init(s, j, nbase, &s->v[s->nv++]);
    s->next = malloc(s->nv * sizeof *s->next);
    if (!s->next && s->nv) {
        fail(s, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < WHEEL; k++) s->head[k] = -1;
    /* Staggered first reports: vessel i first speaks within its first interval. */
    for (size_t i = s->nv; i-- > 0;) {
        vessel *v = &s->v[i];
        uint64_t h = hash64(v->mmsi + i);
        if (v->kind != VK_SHIP) {
            v->next_pos = o->start_s + (int64_t)(h % (v->kind == VK_BASE ? 10 : 180));
            wheel_put(s, i, v->next_pos, o->start_s);
            continue;
        }
        int64_t born = v->cur.t0 > o->start_s ? v->cur.t0 : o->start_s; /* global scenarios start later */
        v->next_pos = born + (int64_t)(h % 60);
        v->next_static = static_at_or_after(s, v, born);
        if (v->ident < 0) v->next_static = o->start_s + (int64_t)((h >> 16) % 360);
        v->next_lr = o->global ? born + (int64_t)((h >> 32) % 180) : INT64_MAX;
        wheel_put(s, i, v->next_pos < v->next_static ? v->next_pos : v->next_static, o->start_s);
    }
    for (int64_t t = o->start_s; t < s->end_s && !s->failed; t++) step(s, t);
    flush_out(s);
    if (s->failed) {
        fail(s, s->failed == 2 ? "write failed" : "encoding failed");
        goto done;
    }
    for (size_t k = 0; k < s->nfixes; k++) { /* what receivers heard, not what was sent */
        const truth_fix *f = &s->fixes[k];
        if (f->heard == INT64_MIN) continue;
        char iso[24];
        iso_time(f->heard, iso);
        memcpy(s->truth + f->off, iso, 20);
    }
    if (s->noise) {
        char x[300];
        int n = snprintf(x, sizeof x, ", \"gps_sigma_m\": 10, \"bad_checksums\": %llu, \"lost_fragments\": %llu",
                         (unsigned long long)s->st.bad_checksums, (unsigned long long)s->st.lost_fragments);
        if (o->global)
            n += snprintf(x + n, sizeof x - (size_t)n, ", \"garbage_lines\": %llu, \"duplicates\": %llu",
                          (unsigned long long)s->st.garbage_lines, (unsigned long long)s->st.duplicates);
        snprintf(x + n, sizeof x - (size_t)n, ", \"why\": \"noise must not make or break events\"");
        truth_line(s, "trap", "noise", NULL, NULL, 0, o->start_s, s->end_s, 0, 0, "noise", x);
    }
    if (truth && s->truthlen && truth(truth_ctx, s->truth, s->truthlen) != 0) {
        fail(s, "truth write failed");
        goto done;
    }
    rc = 0;
done:
    if (stats) *stats = s->st;
    free(s->out);
    free(s->truth);
    free(s->v);
    free(s->next);
    free(s->legs);
    free(s->idents);
    free(s->cov);
    free(s->stname);
    free(s->near_lane);
    free(s->sites);
    free(s->fixes);
    free(s);
    return rc;
}

static int file_write(void *ctx, const char *data, size_t len) {
    return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : -1;
}

int aw_sim_write_files(const aw_sim_opts *o, const char *nmea_path, const char *truth_path, aw_sim_stats *stats,
                       char *err, size_t errcap) {
    FILE *f = fopen(nmea_path, "wb"), *tf = NULL;
    if (!f) {
        if (err && errcap) snprintf(err, errcap, "%s: %s", nmea_path, strerror(errno));
        return -1;
    }
    if (truth_path && !(tf = fopen(truth_path, "wb"))) {
        if (err && errcap) snprintf(err, errcap, "%s: %s", truth_path, strerror(errno));
        fclose(f);
        return -1;
    }
    int rc = aw_sim_run(o, file_write, f, tf ? file_write : NULL, tf, stats, err, errcap);
    if (fclose(f) != 0 && rc == 0) {
        if (err && errcap) snprintf(err, errcap, "%s: %s", nmea_path, strerror(errno));
        rc = -1;
    }
    if (tf && fclose(tf) != 0 && rc == 0) {
        if (err && errcap) snprintf(err, errcap, "%s: %s", truth_path, strerror(errno));
        rc = -1;
    }
    return rc;
}

int aw_sim_write_ports(const char *path, char *err, size_t errcap) {
    aw_sim_opts o;
    aw_sim_opts_default(&o);
    return aw_sim_write_ports_for(&o, path, err, errcap);
}

int aw_sim_write_ports_for(const aw_sim_opts *o, const char *path, char *err, size_t errcap) {
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errcap, "%s: cannot write", path);
        return -1;
    }
    fprintf(f, "Main Port Name,Latitude,Longitude,UN/LOCODE,Country Code\n");
    if (o->global)
        for (size_t i = 0; i < sim_g_nports; i++)
            fprintf(f, "%s,%.4f,%.4f,,\n", sim_g_ports[i].name, sim_g_ports[i].lat, sim_g_ports[i].lon);
    else
        for (size_t i = 0; i < NPORTS0; i++)
            fprintf(f, "%s,%.4f,%.4f,,\n", ports0[i].name, ports0[i].lat, ports0[i].lon);
    /* The traps' ports, at their World Port Index positions. */
    fprintf(f, "Al Fujayrah,25.1730,56.3690,AE FJR,\nAntibes,43.5830,7.1330,FR ANT,\nLome,6.1330,1.2830,TG LFW,\n");
    if (fclose(f) != 0) {
        snprintf(err, errcap, "%s: write failed", path);
        return -1;
    }
    return 0;
}

size_t aw_sim_lane_count(bool global) { return global ? sim_g_nlanes : NLANES0; }

int aw_sim_lane(bool global, size_t i, aw_sim_lane_info *info, double *lat, double *lon, size_t cap) {
    if (i >= aw_sim_lane_count(global)) return -1;
    const sim_port *ps = global ? sim_g_ports : ports0;
    const sim_lane *l = global ? &sim_g_lanes[i] : &lanes0[i];
    const sim_lane_pt *pt = (global ? sim_g_lane_pts : lane_pts0) + l->first;
    const sim_port *a = &ps[l->from], *b = &ps[l->to];
    *info = (aw_sim_lane_info){.from = a->name, .to = b->name, .npoints = (size_t)l->n,
                               .from_approach_km = a->approach_km > 0 ? a->approach_km : 10,
                               .to_approach_km = b->approach_km > 0 ? b->approach_km : 10};
    for (size_t k = 0; k < (size_t)l->n && k < cap; k++) lat[k] = pt[k].lat, lon[k] = pt[k].lon;
    return 0;
}
