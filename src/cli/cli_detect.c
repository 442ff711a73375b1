/* cli_detect.c — the options scan and watch share (geography, the detectors' thresholds,
 * screening) and the loading of the geography, so the two commands cannot drift apart. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_detect_opts_default(cli_detect_opts *o) {
    memset(o, 0, sizeof *o);
    aw_event_params_default(&o->events);
    aw_screen_params_default(&o->screen);
    o->anchorage_min_vessels = 10; /* aw_scan_opts_default's */
}

/* The thresholds, in the order of their option codes (CLI_OPT_THRESHOLD + k). */
static double *threshold(aw_event_params *p, int k) {
    double *const of[] = {&p->encounter_distance_m, &p->encounter_min_h, &p->encounter_max_kn,
                          &p->encounter_min_port_km, &p->loiter_max_kn, &p->loiter_min_h,
                          &p->loiter_min_shore_nm, &p->gap_min_h, &p->max_transit_kn,
                          &p->draught_change_m, &p->spoof_max_kn, &p->context_h};
    return k >= 0 && k < (int)(sizeof of / sizeof of[0]) ? of[k] : NULL;
}

int cli_detect_opt(const char *cmd, int code, char *arg, const char *name, cli_detect_opts *o) {
    char *end;
    switch (code) {
    case CLI_OPT_PORTS: o->ports = arg; return 1;
    case CLI_OPT_ANCHORAGES: o->anchorages = arg; return 1;
    case CLI_OPT_LAND: o->land = arg; return 1;
    case CLI_OPT_NO_LAND: o->no_land = true; return 1;
    case CLI_OPT_ANCHORAGE_MIN: {
        unsigned long long v;
        if (!cli_parse_uint(arg, &v) || v > UINT_MAX) {
            fprintf(stderr, "aiswatch %s: --anchorage-min-vessels takes a whole number\n", cmd);
            return -1;
        }
        o->anchorage_min_vessels = (unsigned)v;
        return 1;
    }
    case CLI_OPT_LISTS: return cli_lists_arg(cmd, arg, o->lists, &o->nlists) ? 1 : -1;
    case CLI_OPT_NAME_MIN_SCORE: {
        double v = strtod(arg, &end);
        if (*end || !(v > 0 && v <= 1)) {
            fprintf(stderr, "aiswatch %s: --name-min-score takes a number in (0, 1]\n", cmd);
            return -1;
        }
        o->screen.name_min_score = v;
        return 1;
    }
    default: {
        double *dst = threshold(&o->events, code - CLI_OPT_THRESHOLD);
        if (!dst) return 0;
        double v = strtod(arg, &end);
        if (*end || !(v >= 0) || isinf(v)) {
            fprintf(stderr, "aiswatch %s: --%s takes a number >= 0\n", cmd, name);
            return -1;
        }
        *dst = v;
        return 1;
    }
    }
}

void cli_detect_usage(FILE *out) {
    fputs("  --ports FILE           NGA World Port Index CSV (UpdatedPub150.csv)\n"
          "  --anchorages FILE      GFW anchorage CSV (s2id,latitude,longitude,label,...)\n"
          "  --land FILE            Natural Earth land TopoJSON (default: world-atlas land-10m.json\n"
          "                         installed by scripts/install-deps.sh); --no-land to go without\n"
          "  --anchorage-min-vessels N  derive anchorages where N distinct vessels lay still in a\n"
          "                         1 km cell (default 10; 0 turns it off)\n"
          "  --encounter-distance-m M (500)  --encounter-min-h H (2)  --encounter-max-kn K (2)\n"
          "  --encounter-min-port-km K (10)  --loiter-max-kn K (2)  --loiter-min-h H (4)\n"
          "  --loiter-min-shore-nm N (20)  --gap-min-h H (12)  --max-transit-kn K (15)\n"
          "  --draught-change-m M (1.0)  --spoof-max-kn K (50)  --context-h H (6)\n"
          "sanctions:\n"
          "  --lists FILE[,FILE]    (repeatable) OFAC SDN.CSV or sdn.xml, UK Sanctions List XML, UN 1718 CSV,\n"
          "                         OpenSanctions (FtM JSON lines, maritime.csv), or imo,mmsi,name,list,program\n"
          "  --name-min-score S     fuzzy name matches at or above S (default 0.9)\n",
          out);
}

aw_geo *cli_detect_geo(const char *cmd, const cli_detect_opts *o, bool quiet, char *land, size_t land_cap) {
    land[0] = 0;
    aw_geo *geo = aw_geo_new();
    if (!geo) {
        fprintf(stderr, "aiswatch %s: out of memory\n", cmd);
        return NULL;
    }
    if (!o->no_land) {
        if (o->land) {
            snprintf(land, land_cap, "%s", o->land);
        } else {
            char exe[4096];
            ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
            exe[n > 0 ? n : 0] = 0;
            char *slash = strrchr(exe, '/');
            if (slash) *slash = 0;
            if (!aw_geo_default_land(exe, land, land_cap)) {
                land[0] = 0;
                if (!quiet)
                    fprintf(stderr, "aiswatch %s: no Natural Earth land found (run scripts/install-deps.sh or give "
                                    "--land); land and shore rules are skipped\n", cmd);
            }
        }
    }
    char err[512];
    if ((o->ports && aw_geo_load_ports(geo, o->ports, err, sizeof err) < 0) ||
        (o->anchorages && aw_geo_load_anchorages(geo, o->anchorages, err, sizeof err) < 0)) {
        fprintf(stderr, "aiswatch %s: %s\n", cmd, err);
        aw_geo_free(geo);
        return NULL;
    }
    if (land[0] && access(land, R_OK) != 0) {
        fprintf(stderr, "aiswatch %s: %s: %s\n", cmd, land, strerror(errno));
        aw_geo_free(geo);
        return NULL;
    }
    return geo;
}
