/* simulate.c — `aiswatch simulate`: synthetic AIS NMEA made with the encoder.
 *
 * Vessels sail straight courses (flat-earth dead reckoning, fine over hours) from
 * seeded random starts; class A sends type 1 and type 5, class B type 18 and type 24
 * A/B, behind NMEA 4.0 tag blocks with the time. The same seed gives the same bytes,
 * so tests and the demo can ship no data. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/encode.h"
#include "cli.h"

typedef struct vessel {
    uint32_t mmsi;
    bool class_b;
    double lat, lon, sog_kn, cog_deg;
    char name[21];
    uint32_t imo;
} vessel;

/* splitmix64: small, seedable, good enough for synthetic traffic. */
static uint64_t next_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double uniform(uint64_t *s) { return (next_rand(s) >> 11) * (1.0 / 9007199254740992.0); }

/* A valid IMO number: six digits and their check digit. */
static uint32_t make_imo(uint64_t *s) {
    uint32_t base = 100000 + (uint32_t)(next_rand(s) % 900000);
    uint32_t sum = 0, b = base;
    for (int w = 2; w <= 7; w++, b /= 10) sum += (b % 10) * (uint32_t)w;
    return base * 10 + sum % 10;
}

static int emit(FILE *out, const aw_msg *m, int64_t t, unsigned seq) {
    char buf[AW_ENC_NMEA_MAX];
    aw_encode_opts o = {.channel = (seq & 1) ? 'B' : 'A', .seq_id = (uint8_t)(seq % 10),
                        .tags = AW_TAG_FIRST, .has_time = true, .time_s = t, .source = "aiswatch-sim"};
    int n = aw_nmea_encode(m, &o, buf, sizeof buf);
    if (n < 0) return -1;
    return fwrite(buf, 1, (size_t)n, out) == (size_t)n ? 0 : -1;
}

int cmd_simulate(int argc, char **argv) {
    static const struct option longopts[] = {
        {"vessels", required_argument, NULL, 'v'},
        {"hours", required_argument, NULL, 'H'},
        {"seed", required_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'i'},
        {"start", required_argument, NULL, 'S'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    unsigned long long vessels = 50, hours = 6, seed = 1, interval = 60, start = 1700000000;
    const char *out_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        unsigned long long *dst = NULL;
        switch (c) {
        case 'v': dst = &vessels; break;
        case 'H': dst = &hours; break;
        case 's': dst = &seed; break;
        case 'i': dst = &interval; break;
        case 'S': dst = &start; break;
        case 'o': out_path = optarg; continue;
        case 'h':
            printf("usage: aiswatch simulate [--vessels N] [--hours H] [--interval S] [--seed N] [--start EPOCH] "
                   "[-o FILE]\n");
            return AW_EXIT_OK;
        default: return AW_EXIT_USAGE;
        }
        if (!cli_parse_uint(optarg, dst) || (dst != &seed && *dst == 0)) {
            fprintf(stderr, "aiswatch simulate: bad number '%s'\n", optarg);
            return AW_EXIT_USAGE;
        }
    }
    if (vessels > 10000000 || hours > 24 * 366) {
        fprintf(stderr, "aiswatch simulate: at most 10 million vessels and a year\n");
        return AW_EXIT_USAGE;
    }
    FILE *out = out_path ? fopen(out_path, "wb") : stdout;
    if (!out) {
        fprintf(stderr, "aiswatch simulate: %s: %s\n", out_path, strerror(errno));
        return AW_EXIT_INPUT;
    }
    vessel *v = calloc(vessels, sizeof *v);
    if (!v) {
        fprintf(stderr, "aiswatch simulate: out of memory\n");
        return AW_EXIT_INPUT;
    }
    uint64_t rng = seed;
    for (size_t i = 0; i < vessels; i++) {
        v[i].class_b = uniform(&rng) < 0.2;
        /* MIDs of a few busy flags; the vessel number keeps MMSIs distinct. */
        static const uint32_t mids[] = {477, 538, 636, 353, 229, 370, 256, 563, 311, 215};
        v[i].mmsi = mids[next_rand(&rng) % 10] * 1000000u + (uint32_t)(i % 1000000);
        v[i].lat = -60 + 120 * uniform(&rng);
        v[i].lon = -180 + 360 * uniform(&rng);
        v[i].sog_kn = uniform(&rng) < 0.15 ? 0.1 * uniform(&rng) : 5 + 15 * uniform(&rng);
        v[i].cog_deg = 360 * uniform(&rng);
        snprintf(v[i].name, sizeof v[i].name, "SIM VESSEL %u", (unsigned)((i + 1) % 100000000));
        v[i].imo = make_imo(&rng);
    }
    unsigned seq = 0;
    int rc = AW_EXIT_OK;
    uint64_t steps = hours * 3600 / interval;
    for (uint64_t step = 0; step < steps && rc == AW_EXIT_OK; step++) {
        int64_t t = (int64_t)start + (int64_t)(step * interval);
        for (size_t i = 0; i < vessels; i++) {
            vessel *x = &v[i];
            double hours_step = interval / 3600.0;
            x->lat += x->sog_kn * hours_step / 60.0 * cos(x->cog_deg * M_PI / 180);
            x->lon += x->sog_kn * hours_step / 60.0 * sin(x->cog_deg * M_PI / 180) / cos(x->lat * M_PI / 180);
            if (x->lat > 85 || x->lat < -85) x->cog_deg = fmod(540 - x->cog_deg, 360), x->lat = x->lat > 0 ? 85 : -85;
            if (x->lon > 180) x->lon -= 360;
            if (x->lon < -180) x->lon += 360;
            aw_msg m = {.msg_type = x->class_b ? 18 : 1, .mmsi = x->mmsi};
            int32_t lat = (int32_t)lround(x->lat * AW_LATLON_SCALE), lon = (int32_t)lround(x->lon * AW_LATLON_SCALE);
            uint16_t sog = (uint16_t)lround(x->sog_kn * 10), cog = (uint16_t)(lround(x->cog_deg * 10) % 3600);
            int64_t tsec = t + (int64_t)(i % interval);
            if (x->class_b) {
                m.u.cb = (aw_classb_pos){.speed = sog, .lon = lon, .lat = lat, .course = cog,
                                         .heading = (uint16_t)(cog / 10), .second = (uint8_t)(tsec % 60), .cs = true};
            } else {
                m.u.pos = (aw_pos_report){.status = x->sog_kn < 0.5 ? 1 : 0, .turn = 0, .speed = sog, .lon = lon,
                                          .lat = lat, .course = cog, .heading = (uint16_t)(cog / 10),
                                          .second = (uint8_t)(tsec % 60)};
            }
            if (emit(out, &m, tsec, seq++) < 0) rc = AW_EXIT_INPUT;
            /* Static data every 6 minutes, as class A and B units send it. */
            if ((step * interval) % 360 < interval) {
                aw_msg s = {.mmsi = x->mmsi};
                if (x->class_b) {
                    s.msg_type = 24;
                    s.u.sb.partno = 0;
                    memcpy(s.u.sb.shipname, x->name, sizeof x->name);
                    if (emit(out, &s, tsec, seq++) < 0) rc = AW_EXIT_INPUT;
                    s.u.sb = (aw_static_b){.partno = 1, .shiptype = 37, .to_bow = 5, .to_stern = 7, .to_port = 2,
                                           .to_starboard = 2};
                    memcpy(s.u.sb.vendorid, "AWS", 4);
                    snprintf(s.u.sb.callsign, sizeof s.u.sb.callsign, "SB%05u", (unsigned)(i % 100000));
                } else {
                    s.msg_type = 5;
                    s.u.voy = (aw_static_voyage){.imo = x->imo, .shiptype = 80, .to_bow = 150, .to_stern = 30,
                                                 .to_port = 15, .to_starboard = 15, .epfd = 1, .month = 12,
                                                 .day = 24, .hour = 12, .minute = 0, .draught = 95};
                    memcpy(s.u.voy.shipname, x->name, sizeof x->name);
                    snprintf(s.u.voy.callsign, sizeof s.u.voy.callsign, "SA%05u", (unsigned)(i % 100000));
                    memcpy(s.u.voy.destination, "SIM PORT", 9);
                }
                if (emit(out, &s, tsec, seq++) < 0) rc = AW_EXIT_INPUT;
            }
        }
    }
    free(v);
    if (out_path && fclose(out) != 0) rc = AW_EXIT_INPUT;
    else if (!out_path) fflush(out);
    if (rc != AW_EXIT_OK) fprintf(stderr, "aiswatch simulate: write failed\n");
    return rc;
}
