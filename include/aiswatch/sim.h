/* aiswatch/sim.h — synthetic AIS traffic with known ground truth.
 *
 * Promise: aw_sim_run() writes tag-blocked !AIVDM sentences (through aw_nmea_encode) for
 * background vessels sailing between real World Port Index ports and for planted
 * scenarios (encounters, loitering, gaps, identity tricks, spoofing) and for traps that
 * look like events but are not, and writes one JSON line of ground truth per planted
 * event and per trap. With opts.global it simulates the world at a chosen size instead:
 * 119 lanes between 99 ports, the global message mix, shore and satellite reception with
 * duplicates, noise, and scenarios planted at rates per vessel-day at random open-sea
 * places. The same options give the same bytes on every machine. The
 * library keeps no global state: each call owns its vessels and buffers, and hands bytes
 * to the caller's write callbacks; it prints nothing. docs/simulate.md describes the
 * scenarios, the truth format and the message rates.
 */
#ifndef AISWATCH_SIM_H
#define AISWATCH_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Scenarios, one bit each, combinable. The traps must not produce events. */
typedef enum aw_sim_scenario {
    AW_SIM_ENCOUNTER = 1u << 0,          /* two tankers side by side, draughts change */
    AW_SIM_LOITERING = 1u << 1,          /* one vessel slow for 6 h far out at sea */
    AW_SIM_GAP = 1u << 2,                /* 18 h of silence at sea */
    AW_SIM_DARK_RENDEZVOUS = 1u << 3,    /* a loiterer, and a vessel dark nearby */
    AW_SIM_IDENTITY_CONFLICT = 1u << 4,  /* one MMSI in two places 500 km apart */
    AW_SIM_IDENTITY_CHANGE = 1u << 5,    /* renamed ship, bad IMO, unallocated MID */
    AW_SIM_POSITION_SPOOF = 1u << 6,     /* 30 min of positions 300 km inland */
    AW_SIM_TRAP_PASSING = 1u << 7,       /* two ships pass 200 m apart at 12 kn */
    AW_SIM_TRAP_SHORT_MEETING = 1u << 8, /* 1 h side by side at sea */
    AW_SIM_TRAP_ANCHORAGE = 1u << 9,     /* 10 ships at anchor off Fujairah */
    AW_SIM_TRAP_CLASS_B = 1u << 10,      /* class B craft moored together at a marina */
    AW_SIM_TRAP_NEAR_PORT = 1u << 11,    /* two tankers side by side 3 km from Lome */
    AW_SIM_NOISE = 1u << 12,             /* GPS noise, bad checksums, lost fragments */
    AW_SIM_ALL = (1u << 13) - 1,
} aw_sim_scenario;

/* "encounter", "trap_passing"… for one bit; NULL for anything else. */
const char *aw_sim_scenario_name(unsigned bit);
/* Parses a comma-separated list of names ("all", "none", "encounter,noise", and the
 * trap names with or without "trap_": "passing", "anchorage"…). 0, or -1 and the first
 * bad name copied to err. */
int aw_sim_scenarios_parse(const char *list, unsigned *mask, char *err, size_t errcap);

typedef struct aw_sim_opts {
    uint64_t seed;
    int64_t start_s;      /* Unix seconds of the first message */
    uint32_t hours;       /* length of the run; scenarios need AW_SIM_MIN_SCENARIO_HOURS */
    uint32_t background;  /* background vessels, at most AW_SIM_MAX_BACKGROUND */
    unsigned scenarios;   /* aw_sim_scenario bits */
    uint32_t report_s;    /* class A position interval under way at 0-14 kn (default 60;
                             the standard says 10, see docs/simulate.md) */
    bool global;          /* the global mode (docs/simulate.md): 119 lanes between 99 ports,
                             the global message mix (types 1-5, 18, 19, 21, 24, 27), shore
                             receivers and satellite passes, duplicates, noise and garbage
                             lines, and `scenarios` planted at random open-sea places at
                             rates per vessel-day (each kind at least once in runs of 24 h
                             or more) */
    double event_rate;    /* global mode: multiplies the planting rates (0 = 1) */
} aw_sim_opts;

#define AW_SIM_MIN_SCENARIO_HOURS 24
#define AW_SIM_MAX_BACKGROUND 10000000u

/* seed 1, start 2023-11-14T22:13:20Z (1700000000), 24 h, no vessels, no scenarios,
 * report_s 60. */
void aw_sim_opts_default(aw_sim_opts *o);

/* Receives output; returns 0, or nonzero to stop the run (aw_sim_run then fails). */
typedef int (*aw_sim_write_fn)(void *ctx, const char *data, size_t len);

typedef struct aw_sim_stats {
    uint64_t messages;       /* AIS messages encoded (each copy of a duplicate counts) */
    uint64_t sentences;      /* NMEA lines written */
    uint64_t bytes;
    uint64_t bad_checksums;  /* sentences written with a wrong checksum (noise) */
    uint64_t lost_fragments; /* type 5 second fragments left out (noise) */
    uint32_t events;         /* truth lines that are planted events */
    uint32_t traps;          /* truth lines that are traps */
    /* global mode */
    uint64_t by_type[28];    /* messages written by AIS message type */
    uint64_t duplicates;     /* second copies heard by another shore receiver */
    uint64_t satellite;      /* messages heard by a satellite (s:sat-N) */
    uint64_t unheard;        /* reports made but heard by no receiver */
    uint64_t garbage_lines;  /* lines that are no AIS sentence (noise) */
    uint32_t events_by_type[8]; /* truth event lines by aw_event_type */
    uint32_t planted[13];    /* scenario instances planted, by scenario bit index */
    uint32_t not_placed;     /* instances for which no free place and time was found */
} aw_sim_stats;

/* Runs the simulation. NMEA goes to `nmea` in blocks of up to 1 MiB; truth JSON lines go
 * to `truth` (may be NULL) after the NMEA is complete. `stats` may be NULL. Returns 0, or
 * -1 with a message in err (bad options, out of memory, a write callback failed). */
int aw_sim_run(const aw_sim_opts *o, aw_sim_write_fn nmea, void *nmea_ctx, aw_sim_write_fn truth,
               void *truth_ctx, aw_sim_stats *stats, char *err, size_t errcap);

/* aw_sim_run() into files (truth_path may be NULL), for the CLI and the Python binding. */
int aw_sim_write_files(const aw_sim_opts *o, const char *nmea_path, const char *truth_path,
                       aw_sim_stats *stats, char *err, size_t errcap);

/* Writes the ports the simulator uses (its lane ends and its traps' ports) as a CSV with
 * World Port Index column names, so a run can be scanned with --ports without the WPI
 * file. Returns 0, or -1 with a message. */
int aw_sim_write_ports(const char *path, char *err, size_t errcap);
/* The same for a mode: with o->global the 99 ports of the global lanes and the traps'. */
int aw_sim_write_ports_for(const aw_sim_opts *o, const char *path, char *err, size_t errcap);

/* The sea lanes a mode sails (global false: the 21 lanes of the default mode; true: the
 * 119 of --global), for tests and maps. Ships sail straight in latitude and longitude
 * between the points (jittered per ship by at most AW_SIM_LANE_JITTER_KM). */
typedef struct aw_sim_lane_info {
    const char *from, *to;                   /* port names */
    double from_approach_km, to_approach_km; /* the lane may cross Natural Earth 1:10m land
                                                this close to each port (harbour and river
                                                approaches that 1:10m draws as land) */
    size_t npoints;
} aw_sim_lane_info;
#define AW_SIM_LANE_JITTER_KM 0.7 /* global mode; 2.8 in the default mode */
size_t aw_sim_lane_count(bool global);
/* Lane i: fills *info and up to cap points (longitudes may run past ±180 so that a lane
 * across the antimeridian stays continuous). 0, or -1 when i is out of range. */
int aw_sim_lane(bool global, size_t i, aw_sim_lane_info *info, double *lat, double *lon, size_t cap);

#endif
