/* aiswatch/ais.h — AIS message bit decoding (ITU-R M.1371-5, AIVDM/AIVDO).
 *
 * Promise: aw_ais_decode() turns one reassembled six-bit payload into a fixed-size
 * aw_msg record, with no allocation. Every field keeps its raw protocol value and
 * unit (lat/lon in 1/10000 minute, speed in 0.1 kn, course in 0.1 degree, draught
 * in 0.1 m), so "not available" codes (lat 91° = 54600000, lon 181° = 108600000,
 * speed 1023, heading 511, draught 0) stay distinct from real values. Field names
 * follow the AIVDM/AIVDO decoding document and gpsd's JSON-AIS vocabulary.
 *
 * Text fields are six-bit ASCII up to the first '@' (the padding character), trailing spaces
 * removed, NUL-terminated.
 * Binary payloads (types 6, 8, 17, 25, 26 and unknown application messages) are kept
 * as raw bits, MSB first, in `data` with `bitcount` valid bits; aw_app_decode() in
 * aiswatch/appmsg.h interprets the common DAC/FID pairs on demand.
 */
#ifndef AISWATCH_AIS_H
#define AISWATCH_AIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Raw positions are in 1/10000 minute: divide by this to get degrees. */
#define AW_LATLON_SCALE 600000.0
#define AW_LAT_NA 54600000  /* 91 degrees */
#define AW_LON_NA 108600000 /* 181 degrees */
#define AW_SPEED_NA 1023
#define AW_COURSE_NA 3600
#define AW_HEADING_NA 511
#define AW_TURN_NA (-128)

/* Longest payload we keep: 5 slots (type 8 / 6 / 25 / 26) is 1008 bits; the
 * longest legal NMEA reassembly (9 fragments) can carry more, which we truncate
 * and flag in aw_msg.truncated. */
#define AW_MAX_PAYLOAD_BITS 1024
#define AW_MAX_DATA_BYTES (AW_MAX_PAYLOAD_BITS / 8)

typedef enum aw_ais_err {
    AW_AIS_OK = 0,
    AW_AIS_EMPTY,        /* payload has no bits */
    AW_AIS_BAD_CHAR,     /* a character outside the six-bit armour alphabet */
    AW_AIS_BAD_TYPE,     /* message type 0 or 28..63 */
    AW_AIS_TOO_SHORT,    /* fewer bits than the type's minimum length */
    AW_AIS_ERR_COUNT
} aw_ais_err;

/* Short stable names ("too_short", …) for summaries. */
const char *aw_ais_err_name(aw_ais_err err);

typedef struct aw_pos_report { /* types 1, 2, 3 */
    uint8_t status;       /* navigation status 0..15, 15 = not defined */
    int8_t turn;          /* raw ROT indicator, -128 = not available */
    uint16_t speed;       /* 0.1 kn, 1023 n/a, 1022 = 102.2 kn or more */
    bool accuracy;
    int32_t lon, lat;     /* 1/10000 minute */
    uint16_t course;      /* 0.1 deg, 3600 n/a */
    uint16_t heading;     /* deg, 511 n/a */
    uint8_t second;       /* 60 n/a, 61..63 special */
    uint8_t maneuver;
    uint8_t spare;
    bool raim;
    uint32_t radio;       /* 19 bits */
} aw_pos_report;

typedef struct aw_base_report { /* types 4, 11 */
    uint16_t year;
    uint8_t month, day, hour, minute, second;
    bool accuracy;
    int32_t lon, lat;
    uint8_t epfd;
    bool raim;
    uint32_t radio;
} aw_base_report;

typedef struct aw_static_voyage { /* type 5 */
    uint8_t ais_version;
    uint32_t imo;
    char callsign[8];
    char shipname[21];
    uint8_t shiptype;
    uint16_t to_bow;
    uint16_t to_stern;
    uint8_t to_port, to_starboard;
    uint8_t epfd;
    uint8_t month, day, hour, minute; /* ETA */
    uint8_t draught;                  /* 0.1 m, 0 n/a */
    char destination[21];
    bool dte;
} aw_static_voyage;

typedef struct aw_binary { /* types 6, 8, 25, 26: addressed/broadcast binary */
    uint8_t seqno;         /* type 6 */
    uint32_t dest_mmsi;    /* type 6, 25/26 when addressed */
    bool retransmit;       /* type 6 */
    bool addressed, structured; /* types 25, 26 */
    uint16_t dac;          /* types 6, 8 */
    uint8_t fid;           /* types 6, 8 */
    uint16_t app_id;       /* types 25, 26 when structured: dac<<6 | fid */
    uint32_t radio;        /* type 26 */
    uint16_t bitcount;     /* application data bits after the header */
    uint8_t data[AW_MAX_DATA_BYTES];
} aw_binary;

typedef struct aw_ack { /* types 7, 13: up to four acknowledged stations */
    uint8_t count;
    uint32_t mmsi[4];
    uint8_t seqno[4];
} aw_ack;

typedef struct aw_sar_report { /* type 9 */
    uint16_t alt;          /* m, 4095 n/a */
    uint16_t speed;        /* kn (whole knots), 1023 n/a */
    bool accuracy;
    int32_t lon, lat;
    uint16_t course;
    uint8_t second;
    uint8_t regional;
    bool dte, assigned, raim;
    uint32_t radio;
} aw_sar_report;

typedef struct aw_text_msg { /* types 12, 14 */
    uint8_t seqno;         /* type 12 */
    uint32_t dest_mmsi;    /* type 12 */
    bool retransmit;       /* type 12 */
    char text[162];        /* 968 bits / 6 + NUL */
} aw_text_msg;

typedef struct aw_interrogation { /* type 15 */
    uint32_t mmsi1;
    uint8_t type1_1;
    uint16_t offset1_1;
    uint8_t type1_2;
    uint16_t offset1_2;
    uint32_t mmsi2;
    uint8_t type2_1;
    uint16_t offset2_1;
} aw_interrogation;

typedef struct aw_assign { /* type 16 */
    uint32_t mmsi1;
    uint16_t offset1, increment1;
    uint32_t mmsi2;
    uint16_t offset2, increment2;
} aw_assign;

typedef struct aw_dgnss { /* type 17 */
    int32_t lon, lat;      /* 1/10 minute */
    uint16_t bitcount;
    uint8_t data[AW_MAX_DATA_BYTES];
} aw_dgnss;

typedef struct aw_classb_pos { /* types 18, 19 */
    uint8_t reserved;
    uint16_t speed;
    bool accuracy;
    int32_t lon, lat;
    uint16_t course;
    uint16_t heading;
    uint8_t second;
    uint8_t regional;
    /* type 18 only */
    bool cs, display, dsc, band, msg22;
    /* both */
    bool assigned, raim;
    uint32_t radio;        /* type 18 */
    /* type 19 only */
    char shipname[21];
    uint8_t shiptype;
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
    uint8_t epfd;
    bool dte;
} aw_classb_pos;

typedef struct aw_slot_mgmt { /* type 20: up to four reservations */
    uint8_t count;
    uint16_t offset[4];
    uint8_t number[4];
    uint8_t timeout[4];
    uint16_t increment[4];
} aw_slot_mgmt;

typedef struct aw_aid_nav { /* type 21 */
    uint8_t aid_type;
    char name[35];         /* name (20 chars) followed by name extension (up to 14) */
    bool accuracy;
    int32_t lon, lat;
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
    uint8_t epfd;
    uint8_t second;
    bool off_position;
    uint8_t regional;
    bool raim, virtual_aid, assigned;
} aw_aid_nav;

typedef struct aw_channel_mgmt { /* type 22 */
    uint16_t channel_a, channel_b;
    uint8_t txrx;
    bool power;
    bool addressed;
    int32_t ne_lon, ne_lat, sw_lon, sw_lat; /* 1/10 minute, broadcast form */
    uint32_t dest1, dest2;                  /* addressed form */
    bool band_a, band_b;
    uint8_t zonesize;
} aw_channel_mgmt;

typedef struct aw_group_assign { /* type 23 */
    int32_t ne_lon, ne_lat, sw_lon, sw_lat; /* 1/10 minute */
    uint8_t stationtype;
    uint8_t shiptype;
    uint8_t txrx;
    uint8_t interval;
    uint8_t quiet;
} aw_group_assign;

typedef struct aw_static_b { /* type 24 */
    uint8_t partno;        /* 0 = part A, 1 = part B */
    char shipname[21];     /* part A */
    uint8_t shiptype;      /* part B from here */
    char vendorid[8];      /* 3-char vendor id plus the unit model/serial as text (gpsd form) */
    uint8_t model;
    uint32_t serial;
    char callsign[8];
    bool auxiliary;        /* MMSI 98xxxxxxx: mothership_mmsi replaces dimensions */
    uint32_t mothership_mmsi;
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
} aw_static_b;

typedef struct aw_long_range { /* type 27 */
    bool accuracy, raim;
    uint8_t status;
    int32_t lon, lat;      /* 1/10 minute */
    uint8_t speed;         /* kn, 63 n/a */
    uint16_t course;       /* deg, 511 n/a */
    bool gnss;
} aw_long_range;

/* One decoded message. Fixed size: callers may keep arrays of these. */
typedef struct aw_msg {
    uint8_t msg_type;      /* 1..27 */
    uint8_t repeat;
    uint32_t mmsi;
    uint16_t bits;         /* payload length in bits as received */
    bool truncated;        /* payload longer than AW_MAX_PAYLOAD_BITS */
    union {
        aw_pos_report pos;        /* 1, 2, 3 */
        aw_base_report base;      /* 4, 11 */
        aw_static_voyage voy;     /* 5 */
        aw_binary bin;            /* 6, 8, 25, 26 */
        aw_ack ack;               /* 7, 13 */
        aw_sar_report sar;        /* 9 */
        uint32_t dest_mmsi;       /* 10 */
        aw_text_msg text;         /* 12, 14 */
        aw_interrogation inq;     /* 15 */
        aw_assign assign;         /* 16 */
        aw_dgnss dgnss;           /* 17 */
        aw_classb_pos cb;         /* 18, 19 */
        aw_slot_mgmt slots;       /* 20 */
        aw_aid_nav aton;          /* 21 */
        aw_channel_mgmt chan;     /* 22 */
        aw_group_assign group;    /* 23 */
        aw_static_b sb;           /* 24 */
        aw_long_range lr;         /* 27 */
    } u;
} aw_msg;

/* Decode `len` armoured payload characters with `fill_bits` pad bits at the end.
 * Returns AW_AIS_OK and fills *out, or an error and leaves *out unspecified. */
aw_ais_err aw_ais_decode(const char *payload, size_t len, unsigned fill_bits, aw_msg *out);

/* Decode from unpacked bits (MSB first in `bits`, `nbits` long). */
aw_ais_err aw_ais_decode_bits(const uint8_t *bits, size_t nbits, aw_msg *out);

/* Minimum payload length in bits accepted for a message type (0 for invalid types). */
unsigned aw_ais_min_bits(unsigned msg_type);

/* Unsigned / signed field extraction from MSB-first packed bits; shared by the
 * application-message decoders. `start` and `width` in bits, width <= 32.
 * Bits past `nbits` read as zero. */
uint32_t aw_bits_u(const uint8_t *bits, size_t nbits, size_t start, unsigned width);
int32_t aw_bits_s(const uint8_t *bits, size_t nbits, size_t start, unsigned width);
/* Six-bit text of `nchars` characters at `start`; trailing '@' and spaces removed.
 * `out` must hold nchars + 1 bytes. */
void aw_bits_text(const uint8_t *bits, size_t nbits, size_t start, unsigned nchars, char *out);

#endif
