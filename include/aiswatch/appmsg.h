/* aiswatch/appmsg.h — application messages carried by AIS types 6 and 8.
 *
 * Promise: aw_app_decode() interprets the binary payload of a decoded type 6
 * (addressed) or type 8 (broadcast) message — the DAC/FID pair and data bits of
 * aw_msg.u.bin — into a fixed-size tagged union, with no allocation. It covers
 * every DAC/FID pair that gpsd decodes (IMO236, IMO289, Inland AIS DAC 200, UK/ROI
 * AtoN monitoring DAC 235/250) and applies gpsd's acceptance rules, so a message
 * gpsd would print as raw "data" comes back as AW_APP_RAW. Values stay raw protocol
 * values and units, field names follow gpsd's JSON-AIS vocabulary.
 *
 * Where gpsd's layout differs from the standard (IMO236 FID 15 and 16 read from
 * fixed offsets that overlap the header) we follow gpsd, so that the two agree.
 * Arrays are capped at gpsd's sizes (3 tidal windows, 28 cargos, 16 waypoints,
 * 4 targets, 4 gauges); longer payloads are cut, where gpsd overflows.
 */
#ifndef AISWATCH_APPMSG_H
#define AISWATCH_APPMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "aiswatch/ais.h"

typedef enum aw_app_kind {
    AW_APP_RAW = 0,            /* not interpreted: print data bits */
    /* type 6 */
    AW_APP_INLAND_ETA,         /* DAC 200 FID 21: ETA at lock/bridge/terminal */
    AW_APP_INLAND_RTA,         /* DAC 200 FID 22: RTA at lock/bridge/terminal */
    AW_APP_INLAND_PERSONS,     /* DAC 200 FID 55: persons on board */
    AW_APP_ATON_MONITOR,       /* DAC 235/250 FID 10: GLA AtoN monitoring data */
    AW_APP_DANGEROUS_CARGO_236,/* DAC 1 FID 12 */
    AW_APP_TIDAL_WINDOW_236,   /* DAC 1 FID 14 */
    AW_APP_CLEARANCE_TIME,     /* DAC 1 FID 18 */
    AW_APP_BERTHING_DATA,      /* DAC 1 FID 20 */
    AW_APP_DANGEROUS_CARGO_289,/* DAC 1 FID 25 */
    AW_APP_TIDAL_WINDOW_289,   /* DAC 1 FID 32 */
    /* types 6 and 8 */
    AW_APP_EXT_SHIP_STATIC,    /* DAC 1 FID 15: air draught */
    AW_APP_PERSONS_ON_BOARD,   /* DAC 1 FID 16 */
    AW_APP_ROUTE_INFO,         /* DAC 1 FID 28 (type 6) / FID 27 (type 8) */
    AW_APP_TEXT_DESCRIPTION,   /* DAC 1 FID 30 (type 6) / FID 29 (type 8) */
    /* type 8 */
    AW_APP_MET_HYDRO_236,      /* DAC 1 FID 11 */
    AW_APP_FAIRWAY_CLOSED,     /* DAC 1 FID 13 */
    AW_APP_VTS_TARGETS,        /* DAC 1 FID 17 */
    AW_APP_TRAFFIC_SIGNAL,     /* DAC 1 FID 19 */
    AW_APP_MET_HYDRO_289,      /* DAC 1 FID 31 */
    AW_APP_INLAND_STATIC,      /* DAC 200 FID 10: inland ship static and voyage data */
    AW_APP_EMMA_WARNING,       /* DAC 200 FID 23 */
    AW_APP_WATER_LEVEL,        /* DAC 200 FID 24 */
    AW_APP_SIGNAL_STATUS,      /* DAC 200 FID 40 */
    AW_APP_KIND_COUNT
} aw_app_kind;

#define AW_APP_MAX_TIDALS 3
#define AW_APP_MAX_CARGOS 28
#define AW_APP_MAX_WAYPOINTS 16
#define AW_APP_MAX_TARGETS 4
#define AW_APP_MAX_GAUGES 4
#define AW_APP_TEXT_MAX 162 /* 161 six-bit characters + NUL */

typedef struct aw_app_tidal {
    int32_t lon, lat;      /* 1/1000 minute */
    uint8_t from_hour, from_min, to_hour, to_min;
    uint16_t cdir;         /* degrees, 360 n/a */
    uint8_t cspeed;        /* 0.1 kn */
} aw_app_tidal;

typedef struct aw_app_inland_eta { /* 200/21 and 200/22 */
    char country[3], locode[4], section[6], terminal[6], hectometre[6];
    uint8_t month, day, hour, minute;
    uint8_t tugs;          /* 21 only */
    uint16_t airdraught;   /* 21 only, cm */
    uint8_t status;        /* 22 only */
} aw_app_inland_eta;

typedef struct aw_app_route {
    uint16_t linkage;
    uint8_t sender, rtype, month, day, hour, minute;
    uint32_t duration;     /* minutes */
    uint8_t waycount;      /* as received (0..31); waypoints kept: min(waycount, 16) */
    struct { int32_t lon, lat; } waypoints[AW_APP_MAX_WAYPOINTS]; /* 1/10000 minute */
} aw_app_route;

typedef struct aw_app_met_hydro { /* 1/11 (IMO236) and 1/31 (IMO289) */
    int32_t lon, lat;      /* 1/1000 minute */
    bool accuracy;         /* 31 only */
    uint8_t day, hour, minute;
    uint8_t wspeed, wgust;
    uint16_t wdir, wgustdir;
    int16_t airtemp;       /* 11: unsigned, offset 600; 31: signed 0.1 C */
    uint8_t humidity;
    int16_t dewpoint;      /* 11: unsigned, offset 200; 31: signed */
    uint16_t pressure;
    uint8_t pressuretend;
    bool visgreater;       /* 31 only */
    uint8_t visibility;
    int16_t waterlevel;    /* 11: 9 bits, 31: 12 bits */
    uint8_t leveltrend;
    uint8_t cspeed; uint16_t cdir;
    uint8_t cspeed2; uint16_t cdir2; uint8_t cdepth2;
    uint8_t cspeed3; uint16_t cdir3; uint8_t cdepth3;
    uint8_t waveheight, waveperiod; uint16_t wavedir;
    uint8_t swellheight, swellperiod; uint16_t swelldir;
    uint8_t seastate;
    int16_t watertemp;     /* 11: unsigned, 31: signed */
    uint8_t preciptype;
    uint16_t salinity;
    uint8_t ice;
} aw_app_met_hydro;

typedef struct aw_app_target {
    uint8_t idtype;        /* 0 mmsi, 1 imo, 2 callsign, 3 other */
    uint32_t id;           /* idtype 0, 1: low 32 bits of the 42-bit field, as gpsd */
    char id_text[8];       /* idtype 2, 3 */
    int32_t lat, lon;      /* 1/1000 minute */
    uint16_t course;
    uint8_t second;
    uint16_t speed;
} aw_app_target;

typedef struct aw_app_inland_persons {
    uint8_t crew;
    uint16_t passengers;
    uint8_t personnel;
} aw_app_inland_persons;

typedef struct aw_app_aton {
    uint16_t ana_int, ana_ext1, ana_ext2; /* 0.05 V */
    uint8_t racon, light;
    bool alarm;
    uint8_t stat_ext;
    bool off_pos;
} aw_app_aton;

typedef struct aw_app_cargo236 {
    char lastport[6];
    uint8_t lmonth, lday, lhour, lminute;
    char nextport[6];
    uint8_t nmonth, nday, nhour, nminute;
    char dangerous[21];
    char imdcat[5];
    uint16_t unid, amount;
    uint8_t unit;
} aw_app_cargo236;

typedef struct aw_app_tidal_window { /* TIDAL_WINDOW_236, _289 */
    uint8_t month, day;
    uint8_t ntidals;
    aw_app_tidal tidals[AW_APP_MAX_TIDALS];
} aw_app_tidal_window;

typedef struct aw_app_ext_ship {
    uint16_t airdraught;
} aw_app_ext_ship;

typedef struct aw_app_persons {
    uint16_t persons;
} aw_app_persons;

typedef struct aw_app_clearance {
    uint16_t linkage;
    uint8_t month, day, hour, minute;
    char portname[21];
    char destination[6];
    int32_t lon, lat;                  /* 1/1000 minute */
} aw_app_clearance;

typedef struct aw_app_berthing {
    uint16_t linkage, berth_length;
    uint8_t berth_depth, position;
    uint8_t month, day, hour, minute;
    bool availability;
    /* service status codes, 2 bits each, in message order */
    uint8_t agent, fuel, chandler, stevedore, electrical, water, customs,
        cartage, crane, lift, medical, navrepair, provisions, shiprepair,
        surveyor, steam, tugs, solidwaste, liquidwaste, hazardouswaste,
        ballast, additional, regional1, regional2, future1, future2;
    char berth_name[21];
    int32_t berth_lon, berth_lat;      /* 1/1000 minute */
} aw_app_berthing;

typedef struct aw_app_cargo289 {
    uint8_t unit;
    uint16_t amount;
    uint8_t ncargos;
    struct { uint8_t code; uint16_t subtype; } cargos[AW_APP_MAX_CARGOS];
} aw_app_cargo289;

typedef struct aw_app_text {
    uint16_t linkage;
    char text[AW_APP_TEXT_MAX];
} aw_app_text;

typedef struct aw_app_fairway {
    char reason[21], closefrom[21], closeto[21];
    uint16_t radius;
    uint8_t extunit;
    uint8_t fday, fmonth, fhour, fminute;
    uint8_t tday, tmonth, thour, tminute;
} aw_app_fairway;

typedef struct aw_app_vts {
    uint8_t ntargets;
    aw_app_target targets[AW_APP_MAX_TARGETS];
} aw_app_vts;

typedef struct aw_app_signal {
    uint16_t linkage;
    char station[21];
    int32_t lon, lat;                  /* 1/1000 minute */
    uint8_t status, signal, hour, minute, nextsignal;
} aw_app_signal;

typedef struct aw_app_inland_static {
    char vin[9];
    uint16_t length, beam;             /* 0.1 m */
    uint16_t shiptype;                 /* ERI code */
    uint8_t hazard;
    uint16_t draught;                  /* cm */
    uint8_t loaded;
    bool speed_q, course_q, heading_q;
} aw_app_inland_static;

typedef struct aw_app_emma {
    uint8_t start_year, start_month, start_day;
    uint8_t end_year, end_month, end_day;
    uint8_t start_hour, start_minute, end_hour, end_minute;
    int32_t start_lon, start_lat, end_lon, end_lat; /* 1/10000 minute */
    uint8_t type;
    int16_t min, max;
    uint8_t intensity, wind;
} aw_app_emma;

typedef struct aw_app_water_level {
    char country[3];
    uint8_t ngauges;
    struct { uint16_t id; int16_t level; } gauges[AW_APP_MAX_GAUGES];
} aw_app_water_level;

typedef struct aw_app_signal_status {
    int32_t lon, lat;                  /* 1/10000 minute */
    uint8_t form;
    uint16_t facing;
    uint8_t direction;
    uint32_t status;
} aw_app_signal_status;

typedef struct aw_app {
    aw_app_kind kind;
    union {
        aw_app_inland_eta eta;                 /* INLAND_ETA, INLAND_RTA */
        aw_app_inland_persons inland_persons;
        aw_app_aton aton;
        aw_app_cargo236 cargo236;
        aw_app_tidal_window tidal;             /* TIDAL_WINDOW_236, _289 */
        aw_app_ext_ship ext_ship;
        aw_app_persons persons;
        aw_app_clearance clearance;
        aw_app_berthing berthing;
        aw_app_cargo289 cargo289;
        aw_app_route route;
        aw_app_text text;
        aw_app_met_hydro met;                  /* MET_HYDRO_236, _289 */
        aw_app_fairway fairway;
        aw_app_vts vts;
        aw_app_signal signal;
        aw_app_inland_static inland_static;
        aw_app_emma emma;
        aw_app_water_level water_level;
        aw_app_signal_status signal_status;
    } u;
} aw_app;

/* Interpret the application data of `m` (type 6 or 8). Always fills out->kind:
 * AW_APP_RAW for other types, unknown DAC/FID pairs, and payloads whose length or
 * values gpsd rejects. Returns true when the payload was interpreted. */
bool aw_app_decode(const aw_msg *m, aw_app *out);

#endif
