/* simulate.c — `aiswatch simulate`: synthetic AIS with known ground truth.
 *
 * The generator lives in the library (aiswatch/sim.h) so tests and the Python binding
 * can run it too; this file parses options, names the files and prints the summary.
 * Without --scenario it writes background traffic only, as the first version did. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/sim.h"
#include "cli.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: aiswatch simulate [--global] [--scenario NAME[,NAME...]] [--vessels N] [--hours H] [--seed S]\n"
            "                         [--start EPOCH] [--interval S] -o OUT.nmea [--truth TRUTH.jsonl]\n"
            "  scenarios: all, traps, none, encounter, loitering, gap, dark_rendezvous, identity_conflict,\n"
            "             identity_change, position_spoof, passing, short_meeting, anchorage, class_b,\n"
            "             near_port, noise\n"
            "  --vessels    background vessels on sea lanes between real ports (default 50 with\n"
            "               scenarios, else 50)\n"
            "  --hours      length of the run (default 24 with scenarios, else 6; scenarios need 24)\n"
            "  --interval   class A report interval at 0-14 kn, seconds (default 60; ITU says 10)\n"
            "  --truth      JSON lines: one per planted event and per trap (docs/simulate.md)\n"
            "  --ports-out  CSV of the ports the simulator uses (World Port Index columns), for scan --ports\n"
            "  --global     the world: 119 lanes between 99 ports, the global message mix, shore receivers\n"
            "               and satellite passes, duplicates, noise, and the scenarios (default: all)\n"
            "               planted at random open-sea places at rates per vessel-day (default 1000\n"
            "               vessels, 24 h; docs/simulate.md)\n"
            "  --event-rate F  with --global: multiply the planting rates by F (default 1)\n");
}

int cmd_simulate(int argc, char **argv) {
    static const struct option longopts[] = {
        {"scenario", required_argument, NULL, 'c'}, {"vessels", required_argument, NULL, 'v'},
        {"hours", required_argument, NULL, 'H'},    {"seed", required_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'i'}, {"start", required_argument, NULL, 'S'},
        {"output", required_argument, NULL, 'o'},   {"truth", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {"ports-out", required_argument, NULL, 'P'},
        {"global", no_argument, NULL, 'g'},         {"event-rate", required_argument, NULL, 'e'},
        {0, 0, 0, 0},
    };
    aw_sim_opts o;
    aw_sim_opts_default(&o);
    unsigned long long vessels = 0, hours = 0, seed = 1, interval = 60, start = 1700000000;
    bool global = false, scenarios_given = false;
    double event_rate = 1;
    const char *out_path = NULL, *truth_path = NULL, *ports_path = NULL;
    bool quiet = false;
    char err[256];
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        unsigned long long *dst = NULL;
        switch (c) {
        case 'c':
            if (aw_sim_scenarios_parse(optarg, &o.scenarios, err, sizeof err) != 0) {
                fprintf(stderr, "aiswatch simulate: unknown scenario '%s'\n", err);
                return AW_EXIT_USAGE;
            }
            scenarios_given = true;
            continue;
        case 'g': global = true; continue;
        case 'e': {
            char *end;
            event_rate = strtod(optarg, &end);
            if (*end || !(event_rate > 0 && event_rate <= 1000)) {
                fprintf(stderr, "aiswatch simulate: bad --event-rate '%s' (0 < F <= 1000)\n", optarg);
                return AW_EXIT_USAGE;
            }
            continue;
        }
        case 'v': dst = &vessels; break;
        case 'H': dst = &hours; break;
        case 's': dst = &seed; break;
        case 'i': dst = &interval; break;
        case 'S': dst = &start; break;
        case 'o': out_path = optarg; continue;
        case 't': truth_path = optarg; continue;
        case 'P': ports_path = optarg; continue;
        case 'q': quiet = true; continue;
        case 'h': usage(stdout); return AW_EXIT_OK;
        default: usage(stderr); return AW_EXIT_USAGE;
        }
        if (!cli_parse_uint(optarg, dst) || (dst == &hours && *dst == 0) || (dst == &interval && *dst == 0)) {
            fprintf(stderr, "aiswatch simulate: bad number '%s'\n", optarg);
            return AW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return AW_EXIT_USAGE;
    }
    if (global && !scenarios_given) o.scenarios = AW_SIM_ALL;
    if (!vessels) vessels = global ? 1000 : 50;
    if (!hours) hours = global || (o.scenarios & ~(unsigned)AW_SIM_NOISE) ? AW_SIM_MIN_SCENARIO_HOURS : 6;
    if (vessels > AW_SIM_MAX_BACKGROUND || hours > 24 * 366 || interval > 180 || start > INT64_MAX / 2) {
        fprintf(stderr, "aiswatch simulate: at most 10 million vessels, a year, a 180 s interval\n");
        return AW_EXIT_USAGE;
    }
    o.seed = seed;
    o.start_s = (int64_t)start;
    o.hours = (uint32_t)hours;
    o.background = (uint32_t)vessels;
    o.report_s = (uint32_t)interval;
    o.global = global;
    o.event_rate = event_rate;
    if (ports_path && aw_sim_write_ports_for(&o, ports_path, err, sizeof err) != 0) {
        fprintf(stderr, "aiswatch simulate: %s\n", err);
        return AW_EXIT_INPUT;
    }
    if (!out_path) out_path = "/dev/stdout";
    aw_sim_stats st;
    double t0 = cli_now();
    if (aw_sim_write_files(&o, out_path, truth_path, &st, err, sizeof err) != 0) {
        fprintf(stderr, "aiswatch simulate: %s\n", err);
        return strstr(err, "hours") || strstr(err, "most") ? AW_EXIT_USAGE : AW_EXIT_INPUT;
    }
    double secs = cli_now() - t0;
    if (!quiet)
        fprintf(stderr,
                "aiswatch simulate: %llu messages, %llu sentences, %.1f MB in %.2f s (%.0f messages/s); "
                "%u planted events, %u traps; noise: %llu bad checksums, %llu lost fragments\n",
                (unsigned long long)st.messages, (unsigned long long)st.sentences, st.bytes / 1e6, secs,
                secs > 0 ? st.messages / secs : 0.0, st.events, st.traps, (unsigned long long)st.bad_checksums,
                (unsigned long long)st.lost_fragments);
    if (!quiet && global) {
        fprintf(stderr, "  messages by type:");
        for (int k = 0; k < 28; k++)
            if (st.by_type[k])
                fprintf(stderr, " %02d=%llu (%.1f%%)", k, (unsigned long long)st.by_type[k],
                        100.0 * (double)st.by_type[k] / (double)(st.messages ? st.messages : 1));
        fprintf(stderr,
                "\n  reception: %llu heard by satellite, %llu duplicates from a second shore receiver, %llu reports "
                "heard by no one; noise: %llu garbage lines\n  planted:",
                (unsigned long long)st.satellite, (unsigned long long)st.duplicates, (unsigned long long)st.unheard,
                (unsigned long long)st.garbage_lines);
        for (unsigned k = 0; k < 12; k++)
            if (st.planted[k]) fprintf(stderr, " %s=%u", aw_sim_scenario_name(1u << k), st.planted[k]);
        fprintf(stderr, " (not placed: %u)%s\n  truth events by type:", st.not_placed,
                hours < AW_SIM_MIN_SCENARIO_HOURS ? " none: runs shorter than 24 h plant nothing" : "");
        static const char *const ev[8] = {"encounter",         "loitering",       "gap",            "dark_rendezvous",
                                          "identity_conflict", "identity_change", "position_spoof", "draught_change"};
        for (int k = 0; k < 8; k++) fprintf(stderr, " %s=%u", ev[k], st.events_by_type[k]);
        fprintf(stderr, "\n");
    }
    return AW_EXIT_OK;
}
