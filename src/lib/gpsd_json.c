/* gpsd_json.c — gpsd's JSON-AIS vocabulary (see aiswatch/gpsd_json.h).
 *
 * Each type is written as one run of literal key fragments and numbers appended
 * to `out`: the caller guarantees AW_GPSD_JSON_MAX bytes, so appends never check
 * bounds (every variable-length part — text, hex data, arrays — is capped by the
 * aw_msg / aw_app sizes, which AW_GPSD_JSON_MAX covers). Integers are formatted by
 * hand because they are most of every line; scaled floats go through snprintf so
 * that rounding is exactly printf's, which is what gpsd uses.
 *
 * Key order, legends and formats follow the gpsd release that produced gpsd's own
 * regression files (sample.aivdm.js.chk, *.log.chk): newer than Debian's 3.22 in
 * a few legends and in scaled precision. Where gpsd prints invalid JSON or reads
 * memory it never wrote we print the evident intent; docs/gpsd-differences.md
 * lists each case.
 */
#include "aiswatch/gpsd_json.h"

#include <stdio.h>
#include <string.h>

#include "aiswatch/appmsg.h"

#define LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static char *put_u(char *p, uint32_t v) {
    char tmp[10];
    char *t = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned r = v % 100;
        v /= 100;
        t -= 2;
        memcpy(t, digit_pairs + 2 * r, 2);
    }
    if (v >= 10) {
        t -= 2;
        memcpy(t, digit_pairs + 2 * v, 2);
    } else {
        *--t = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - t);
    memcpy(p, t, n);
    return p + n;
}

static char *put_i(char *p, int32_t v) {
    if (v < 0) {
        *p++ = '-';
        return put_u(p, 0u - (uint32_t)v);
    }
    return put_u(p, (uint32_t)v);
}

/* Two digits at least, as printf "%02u". */
static char *put_u02(char *p, unsigned v) {
    if (v < 10) *p++ = '0';
    return put_u(p, v);
}

static char *put_bool(char *p, bool b) {
    return b ? LIT(p, "true") : LIT(p, "false");
}

/* gpsd's json_stringify: quote and backslash escaped, control and non-ASCII bytes
 * as \b \f \n \r \t or \u00XX. Six-bit text only ever needs the first two. */
static char *put_esc(char *p, const char *s, size_t max) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < max && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            if (c == '"' || c == '\\') *p++ = '\\';
            *p++ = (char)c;
            continue;
        }
        *p++ = '\\';
        switch (c) {
        case '\b': *p++ = 'b'; break;
        case '\f': *p++ = 'f'; break;
        case '\n': *p++ = 'n'; break;
        case '\r': *p++ = 'r'; break;
        case '\t': *p++ = 't'; break;
        default:
            p = LIT(p, "u00");
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    return p;
}

static char *put_str(char *p, const char *s) {
    *p++ = '"';
    p = put_esc(p, s, (size_t)-1);
    *p++ = '"';
    return p;
}

static char *put_fmt(char *p, const char *fmt, double v) {
    int n = snprintf(p, 48, fmt, v);
    return p + (n > 0 ? (n < 48 ? n : 47) : 0);
}

/* "bitcount:hex" of the data bytes, as gpsd's gpsd_hexdump. */
static char *put_data(char *p, unsigned bitcount, const uint8_t *data) {
    static const char hex[] = "0123456789abcdef";
    p = LIT(p, "\"data\":\"");
    p = put_u(p, bitcount);
    *p++ = ':';
    unsigned nbytes = (bitcount + 7) / 8;
    if (nbytes > AW_MAX_DATA_BYTES) nbytes = AW_MAX_DATA_BYTES;
    for (unsigned i = 0; i < nbytes; i++) {
        *p++ = hex[data[i] >> 4];
        *p++ = hex[data[i] & 15];
    }
    *p++ = '"';
    return p;
}

/* ---- legends (gpsd's controlled vocabulary) ---- */

static const char *const nav_legends[16] = {
    "Under way using engine",
    "At anchor",
    "Not under command",
    "Restricted maneuverability",
    "Constrained by her draught",
    "Moored",
    "Aground",
    "Engaged in fishing",
    "Under way sailing",
    "Reserved for HSC",
    "Reserved for WIG",
    "Power-driven vessel towing astern",
    "Power-driven vessel pushing ahead or towing alongside",
    "Reserved",
    "AIS-SART is active",
    "Not defined",
};

static const char *const epfd_legends[16] = {
    "Undefined",     "GPS",           "GLONASS",       "Combined GPS/GLONASS",
    "Loran-C",       "Chayka",        "Integrated navigation system", "Surveyed",
    "Galileo",       "Reserved (9)",  "Reserved (10)", "Reserved (11)",
    "Reserved (12)", "Reserved (13)", "Reserved (14)", "Internal GNSS",
};

static const char *const ship_type_legends[100] = {
    "Not available",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use", "Reserved for future use",
    "Reserved for future use",
    "Wing in ground (WIG) - all ships of this type",
    "Wing in ground (WIG) - Hazardous category A",
    "Wing in ground (WIG) - Hazardous category B",
    "Wing in ground (WIG) - Hazardous category C",
    "Wing in ground (WIG) - Hazardous category D",
    "Wing in ground (WIG) - Reserved for future use",
    "Wing in ground (WIG) - Reserved for future use",
    "Wing in ground (WIG) - Reserved for future use",
    "Wing in ground (WIG) - Reserved for future use",
    "Wing in ground (WIG) - Reserved for future use",
    "Fishing",
    "Towing",
    "Towing: length exceeds 200m or breadth exceeds 25m",
    "Dredging or underwater ops",
    "Diving ops",
    "Military ops",
    "Sailing",
    "Pleasure Craft",
    "Reserved",
    "Reserved",
    "High speed craft (HSC) - all ships of this type",
    "High speed craft (HSC) - Hazardous category A",
    "High speed craft (HSC) - Hazardous category B",
    "High speed craft (HSC) - Hazardous category C",
    "High speed craft (HSC) - Hazardous category D",
    "High speed craft (HSC) - Reserved for future use",
    "High speed craft (HSC) - Reserved for future use",
    "High speed craft (HSC) - Reserved for future use",
    "High speed craft (HSC) - Reserved for future use",
    "High speed craft (HSC) - No additional information",
    "Pilot Vessel",
    "Search and Rescue vessel",
    "Tug",
    "Port Tender",
    "Anti-pollution equipment",
    "Law Enforcement",
    "Spare - Local Vessel",
    "Spare - Local Vessel",
    "Medical Transport",
    "Ship according to RR Resolution No. 18",
    "Passenger - all ships of this type",
    "Passenger - Hazardous category A",
    "Passenger - Hazardous category B",
    "Passenger - Hazardous category C",
    "Passenger - Hazardous category D",
    "Passenger - Reserved for future use",
    "Passenger - Reserved for future use",
    "Passenger - Reserved for future use",
    "Passenger - Reserved for future use",
    "Passenger - No additional information",
    "Cargo - all ships of this type",
    "Cargo - Hazardous category A",
    "Cargo - Hazardous category B",
    "Cargo - Hazardous category C",
    "Cargo - Hazardous category D",
    "Cargo - Reserved for future use",
    "Cargo - Reserved for future use",
    "Cargo - Reserved for future use",
    "Cargo - Reserved for future use",
    "Cargo - No additional information",
    "Tanker - all ships of this type",
    "Tanker - Hazardous category A",
    "Tanker - Hazardous category B",
    "Tanker - Hazardous category C",
    "Tanker - Hazardous category D",
    "Tanker - Reserved for future use",
    "Tanker - Reserved for future use",
    "Tanker - Reserved for future use",
    "Tanker - Reserved for future use",
    "Tanker - No additional information",
    "Other Type - all ships of this type",
    "Other Type - Hazardous category A",
    "Other Type - Hazardous category B",
    "Other Type - Hazardous category C",
    "Other Type - Hazardous category D",
    "Other Type - Reserved for future use",
    "Other Type - Reserved for future use",
    "Other Type - Reserved for future use",
    "Other Type - Reserved for future use",
    "Other Type - no additional information",
};

static const char *shiptype_text(unsigned t) {
    return t < 100 ? ship_type_legends[t] : "INVALID SHIP TYPE";
}

static const char *const station_type_legends[16] = {
    "All types of mobiles",
    "Reserved for future use",
    "All types of Class B mobile stations",
    "SAR airborne mobile station",
    "Aid to Navigation station",
    "Class B shipborne mobile station",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
};

static const char *const navaid_type_legends[32] = {
    "Unspecified",
    "Reference point",
    "RACON",
    "Fixed offshore structure",
    "Spare, Reserved for future use.",
    "Light, without sectors",
    "Light, with sectors",
    "Leading Light Front",
    "Leading Light Rear",
    "Beacon, Cardinal N",
    "Beacon, Cardinal E",
    "Beacon, Cardinal S",
    "Beacon, Cardinal W",
    "Beacon, Port hand",
    "Beacon, Starboard hand",
    "Beacon, Preferred Channel port hand",
    "Beacon, Preferred Channel starboard hand",
    "Beacon, Isolated danger",
    "Beacon, Safe water",
    "Beacon, Special mark",
    "Cardinal Mark N",
    "Cardinal Mark E",
    "Cardinal Mark S",
    "Cardinal Mark W",
    "Port hand Mark",
    "Starboard hand Mark",
    "Preferred Channel Port hand",
    "Preferred Channel Starboard hand",
    "Isolated danger",
    "Safe Water",
    "Special Mark",
    "Light Vessel / LANBY / Rigs",
};

/* ---- headers and scaled helpers ---- */

static char *put_header(const aw_gpsd_json *st, const aw_msg *m, const char *device, char *p) {
    p = LIT(p, "{\"class\":\"AIS\"");
    if (device && device[0]) {
        p = LIT(p, ",\"device\":\"");
        p = put_esc(p, device, AW_GPSD_JSON_DEVICE_MAX);
        *p++ = '"';
    }
    p = LIT(p, ",\"type\":");
    p = put_u(p, m->msg_type);
    p = LIT(p, ",\"repeat\":");
    p = put_u(p, m->repeat);
    p = LIT(p, ",\"mmsi\":");
    p = put_u(p, m->mmsi);
    return st->scaled ? LIT(p, ",\"scaled\":true") : LIT(p, ",\"scaled\":false");
}

/* "lon" and "lat" (in that order) of 1/10000-minute positions. */
static char *put_lonlat4(const aw_gpsd_json *st, char *p, int32_t lon, int32_t lat) {
    p = LIT(p, ",\"lon\":");
    p = st->scaled ? put_fmt(p, "%.7f", lon / AW_LATLON_SCALE) : put_i(p, lon);
    p = LIT(p, ",\"lat\":");
    return st->scaled ? put_fmt(p, "%.7f", lat / AW_LATLON_SCALE) : put_i(p, lat);
}

static char *put_tenths(const aw_gpsd_json *st, char *p, unsigned v) {
    return st->scaled ? put_fmt(p, "%.1f", v / 10.0) : put_u(p, v);
}

/* ---- message types ---- */

static char *fmt_pos(const aw_gpsd_json *st, const aw_pos_report *r, char *p) {
    p = LIT(p, ",\"status\":");
    p = put_u(p, r->status);
    p = LIT(p, ",\"status_text\":\"");
    p = put_esc(p, nav_legends[r->status & 15], 64);
    p = LIT(p, "\",\"turn\":");
    if (!st->scaled) {
        p = put_i(p, r->turn);
    } else if (r->turn == -128) {
        p = LIT(p, "\"n/a\"");
    } else if (r->turn == -127) {
        p = LIT(p, "\"fastleft\"");
    } else if (r->turn == 127) {
        p = LIT(p, "\"fastright\"");
    } else {
        /* ROT indicator = 4.733 * sqrt(deg/min), sign kept */
        double rot = r->turn / 4.733;
        rot *= rot;
        if (r->turn < 0) rot = -rot;
        *p++ = '"';
        p = put_fmt(p, "%.2f", rot);
        *p++ = '"';
    }
    p = LIT(p, ",\"speed\":");
    if (!st->scaled) p = put_u(p, r->speed);
    else if (r->speed == AW_SPEED_NA) p = LIT(p, "\"n/a\"");
    else if (r->speed == AW_SPEED_NA - 1) p = LIT(p, "\"fast\"");
    else p = put_fmt(p, "%.1f", r->speed / 10.0);
    p = LIT(p, ",\"accuracy\":");
    p = put_bool(p, r->accuracy);
    p = put_lonlat4(st, p, r->lon, r->lat);
    p = LIT(p, ",\"course\":");
    p = put_tenths(st, p, r->course);
    p = LIT(p, ",\"heading\":");
    p = put_u(p, r->heading);
    p = LIT(p, ",\"second\":");
    p = put_u(p, r->second);
    p = LIT(p, ",\"maneuver\":");
    p = put_u(p, r->maneuver);
    p = LIT(p, ",\"raim\":");
    p = put_bool(p, r->raim);
    p = LIT(p, ",\"radio\":");
    return put_u(p, r->radio);
}

static char *fmt_base(const aw_gpsd_json *st, const aw_base_report *r, char *p) {
    p = LIT(p, ",\"timestamp\":\"");
    /* %04u: years past 9999 are printed in full, as gpsd does */
    if (r->year < 1000) *p++ = '0';
    if (r->year < 100) *p++ = '0';
    if (r->year < 10) *p++ = '0';
    p = put_u(p, r->year);
    *p++ = '-';
    p = put_u02(p, r->month);
    *p++ = '-';
    p = put_u02(p, r->day);
    *p++ = 'T';
    p = put_u02(p, r->hour);
    *p++ = ':';
    p = put_u02(p, r->minute);
    *p++ = ':';
    p = put_u02(p, r->second);
    p = LIT(p, "Z\",\"accuracy\":");
    p = put_bool(p, r->accuracy);
    p = put_lonlat4(st, p, r->lon, r->lat);
    p = LIT(p, ",\"epfd\":");
    p = put_u(p, r->epfd);
    p = LIT(p, ",\"epfd_text\":\"");
    p = put_esc(p, epfd_legends[r->epfd & 15], 64);
    p = LIT(p, "\",\"raim\":");
    p = put_bool(p, r->raim);
    p = LIT(p, ",\"radio\":");
    return put_u(p, r->radio);
}

static char *put_epfd(char *p, unsigned epfd) {
    p = LIT(p, ",\"epfd\":");
    p = put_u(p, epfd);
    p = LIT(p, ",\"epfd_text\":\"");
    p = put_esc(p, epfd_legends[epfd & 15], 64);
    *p++ = '"';
    return p;
}

static char *put_shiptype(char *p, unsigned shiptype) {
    p = LIT(p, ",\"shiptype\":");
    p = put_u(p, shiptype);
    p = LIT(p, ",\"shiptype_text\":\"");
    p = put_esc(p, shiptype_text(shiptype), 64);
    *p++ = '"';
    return p;
}

static char *put_dims(char *p, unsigned bow, unsigned stern, unsigned port, unsigned starboard) {
    p = LIT(p, ",\"to_bow\":");
    p = put_u(p, bow);
    p = LIT(p, ",\"to_stern\":");
    p = put_u(p, stern);
    p = LIT(p, ",\"to_port\":");
    p = put_u(p, port);
    p = LIT(p, ",\"to_starboard\":");
    return put_u(p, starboard);
}

static char *fmt_voyage(const aw_gpsd_json *st, const aw_static_voyage *v, char *p) {
    p = LIT(p, ",\"imo\":");
    p = put_u(p, v->imo);
    p = LIT(p, ",\"ais_version\":");
    p = put_u(p, v->ais_version);
    p = LIT(p, ",\"callsign\":");
    p = put_str(p, v->callsign);
    p = LIT(p, ",\"shipname\":");
    p = put_str(p, v->shipname);
    p = put_shiptype(p, v->shiptype);
    p = put_dims(p, v->to_bow, v->to_stern, v->to_port, v->to_starboard);
    p = put_epfd(p, v->epfd);
    p = LIT(p, ",\"eta\":\"");
    p = put_u02(p, v->month);
    *p++ = '-';
    p = put_u02(p, v->day);
    *p++ = 'T';
    p = put_u02(p, v->hour);
    *p++ = ':';
    p = put_u02(p, v->minute);
    p = LIT(p, "Z\",\"draught\":");
    p = put_tenths(st, p, v->draught);
    p = LIT(p, ",\"destination\":");
    p = put_str(p, v->destination);
    p = LIT(p, ",\"dte\":");
    return put_u(p, v->dte);
}

static char *fmt_classb(const aw_gpsd_json *st, unsigned type, const aw_classb_pos *c, char *p) {
    p = LIT(p, ",\"reserved\":");
    p = put_u(p, c->reserved);
    p = LIT(p, ",\"speed\":");
    p = put_tenths(st, p, c->speed);
    p = LIT(p, ",\"accuracy\":");
    p = put_bool(p, c->accuracy);
    p = put_lonlat4(st, p, c->lon, c->lat);
    p = LIT(p, ",\"course\":");
    p = put_tenths(st, p, c->course);
    p = LIT(p, ",\"heading\":");
    p = put_u(p, c->heading);
    p = LIT(p, ",\"second\":");
    p = put_u(p, c->second);
    p = LIT(p, ",\"regional\":");
    p = put_u(p, c->regional);
    if (type == 18) {
        p = LIT(p, ",\"cs\":");
        p = put_bool(p, c->cs);
        p = LIT(p, ",\"display\":");
        p = put_bool(p, c->display);
        p = LIT(p, ",\"dsc\":");
        p = put_bool(p, c->dsc);
        p = LIT(p, ",\"band\":");
        p = put_bool(p, c->band);
        p = LIT(p, ",\"msg22\":");
        p = put_bool(p, c->msg22);
        p = LIT(p, ",\"raim\":");
        p = put_bool(p, c->raim);
        p = LIT(p, ",\"radio\":");
        return put_u(p, c->radio);
    }
    p = LIT(p, ",\"shipname\":");
    p = put_str(p, c->shipname);
    p = put_shiptype(p, c->shiptype);
    p = put_dims(p, c->to_bow, c->to_stern, c->to_port, c->to_starboard);
    p = put_epfd(p, c->epfd);
    p = LIT(p, ",\"raim\":");
    p = put_bool(p, c->raim);
    p = LIT(p, ",\"dte\":");
    p = put_u(p, c->dte);
    p = LIT(p, ",\"assigned\":");
    return put_bool(p, c->assigned);
}

static char *fmt_sar(const aw_gpsd_json *st, const aw_sar_report *s, char *p) {
    p = LIT(p, ",\"alt\":");
    if (st->scaled && s->alt == 4095) p = LIT(p, "\"n/a\"");
    else if (st->scaled && s->alt == 4094) p = LIT(p, "\"high\"");
    else p = put_u(p, s->alt);
    p = LIT(p, ",\"speed\":");
    if (st->scaled && s->speed == 1023) p = LIT(p, "\"n/a\"");
    else if (st->scaled && s->speed == 1022) p = LIT(p, "\"fast\"");
    else p = put_u(p, s->speed);
    p = LIT(p, ",\"accuracy\":");
    p = put_bool(p, s->accuracy);
    p = put_lonlat4(st, p, s->lon, s->lat);
    p = LIT(p, ",\"course\":");
    p = put_tenths(st, p, s->course);
    p = LIT(p, ",\"second\":");
    p = put_u(p, s->second);
    p = LIT(p, ",\"regional\":");
    p = put_u(p, s->regional);
    p = LIT(p, ",\"dte\":");
    p = put_u(p, s->dte);
    p = LIT(p, ",\"raim\":");
    p = put_bool(p, s->raim);
    p = LIT(p, ",\"radio\":");
    return put_u(p, s->radio);
}

static char *fmt_aton(const aw_gpsd_json *st, const aw_aid_nav *a, char *p) {
    p = LIT(p, ",\"aid_type\":");
    p = put_u(p, a->aid_type);
    p = LIT(p, ",\"aid_type_text\":\"");
    p = put_esc(p, navaid_type_legends[a->aid_type & 31], 64);
    p = LIT(p, "\",\"name\":");
    p = put_str(p, a->name);
    /* gpsd puts accuracy after the position when scaled, before it when not */
    if (st->scaled) {
        p = put_lonlat4(st, p, a->lon, a->lat);
        p = LIT(p, ",\"accuracy\":");
        p = put_bool(p, a->accuracy);
    } else {
        p = LIT(p, ",\"accuracy\":");
        p = put_bool(p, a->accuracy);
        p = put_lonlat4(st, p, a->lon, a->lat);
    }
    p = put_dims(p, a->to_bow, a->to_stern, a->to_port, a->to_starboard);
    p = put_epfd(p, a->epfd);
    p = LIT(p, ",\"second\":");
    p = put_u(p, a->second);
    p = LIT(p, ",\"regional\":");
    p = put_u(p, a->regional);
    p = LIT(p, ",\"off_position\":");
    p = put_bool(p, a->off_position);
    p = LIT(p, ",\"raim\":");
    p = put_bool(p, a->raim);
    p = LIT(p, ",\"virtual_aid\":");
    return put_bool(p, a->virtual_aid);
}

/* Corners of types 22 and 23, 1/10 minute; scaled gpsd quotes them. */
static char *put_corner(const aw_gpsd_json *st, char *p, int32_t v) {
    if (!st->scaled) return put_i(p, v);
    *p++ = '"';
    p = put_fmt(p, "%f", v / 600.0);
    *p++ = '"';
    return p;
}

static char *put_area(const aw_gpsd_json *st, char *p, int32_t ne_lon, int32_t ne_lat,
                      int32_t sw_lon, int32_t sw_lat) {
    p = LIT(p, ",\"ne_lon\":");
    p = put_corner(st, p, ne_lon);
    p = LIT(p, ",\"ne_lat\":");
    p = put_corner(st, p, ne_lat);
    p = LIT(p, ",\"sw_lon\":");
    p = put_corner(st, p, sw_lon);
    p = LIT(p, ",\"sw_lat\":");
    return put_corner(st, p, sw_lat);
}

/* Type 24: gpsd prints a part B merged with the part A name it remembered for the
 * same MMSI, and nothing for a part A or an unmatched part B. */
static void t24_remember(aw_gpsd_json *st, uint32_t mmsi, const char *name, size_t len) {
    st->t24[st->t24_next].mmsi = mmsi;
    if (len >= sizeof st->t24[0].shipname) len = sizeof st->t24[0].shipname - 1;
    memcpy(st->t24[st->t24_next].shipname, name, len);
    st->t24[st->t24_next].shipname[len] = 0;
    st->t24_next = (st->t24_next + 1) % AW_GPSD_T24_QUEUE;
}

/* The part A name remembered for mmsi, taken (a repeated part B must not match again),
 * or NULL. Valid until the next t24_remember(). */
static const char *t24_take(aw_gpsd_json *st, uint32_t mmsi) {
    for (unsigned i = 0; i < AW_GPSD_T24_QUEUE; i++) {
        if (st->t24[i].mmsi == mmsi) {
            st->t24[i].mmsi = 0;
            return st->t24[i].shipname;
        }
    }
    return NULL;
}

static char *fmt_static_b_rest(const aw_msg *m, char *p);

static char *fmt_static_b(aw_gpsd_json *st, const aw_msg *m, char *p, bool *print) {
    const aw_static_b *s = &m->u.sb;
    const char *shipname = s->shipname;
    enum { PART_BOTH, PART_A, PART_B } part;
    if (s->partno == 0) {
        t24_remember(st, m->mmsi, s->shipname, strlen(s->shipname));
        part = PART_A;
    } else {
        const char *a = t24_take(st, m->mmsi);
        part = a ? PART_BOTH : PART_B;
        if (a) shipname = a;
    }
    *print = part == PART_BOTH || st->split24;
    if (!*print) return p;
    if (part == PART_A) p = LIT(p, ",\"part\":\"A\"");
    if (part == PART_B) p = LIT(p, ",\"part\":\"B\"");
    if (part != PART_B) {
        p = LIT(p, ",\"shipname\":");
        p = put_str(p, shipname);
    }
    if (part != PART_A) p = fmt_static_b_rest(m, p);
    return p;
}

/* A deferred part, over the object's header already at out[0, p - out): part A as
 * "\x01A" mmsi "\x02" name, part B as "\x01B" mmsi "\x02" header "\x02" the fields after
 * the name and the closing brace. AIS six-bit text holds no control byte, and JSON
 * escapes them, so neither separator can occur inside. Returns the end, '\n' added. */
static char *fmt_defer24(const aw_msg *m, char *out, char *p) {
    const aw_static_b *s = &m->u.sb;
    char head[24];
    char *h = head;
    *h++ = AW_GPSD_DEFER24;
    *h++ = s->partno == 0 ? 'A' : 'B';
    h = put_u(h, m->mmsi);
    *h++ = '\x02';
    size_t hl = (size_t)(h - head);
    if (s->partno == 0) {
        memcpy(out, head, hl);
        p = out + hl;
        size_t n = strlen(s->shipname);
        memcpy(p, s->shipname, n);
        p += n;
    } else {
        memmove(out + hl, out, (size_t)(p - out));
        memcpy(out, head, hl);
        p += hl;
        *p++ = '\x02';
        p = fmt_static_b_rest(m, p);
        *p++ = '}';
    }
    *p++ = '\n';
    return p;
}

size_t aw_gpsd_json_resolve24(aw_gpsd_json *st, const char *rec, size_t len, char *out, size_t cap) {
    if (cap < AW_GPSD_JSON_MAX || len < 4 || rec[0] != AW_GPSD_DEFER24 || (rec[1] != 'A' && rec[1] != 'B'))
        return 0;
    const char *end = rec + len, *q = rec + 2;
    uint32_t mmsi = 0;
    while (q < end && *q >= '0' && *q <= '9') mmsi = mmsi * 10 + (uint32_t)(*q++ - '0');
    if (q >= end || *q != '\x02') return 0;
    q++;
    if (rec[1] == 'A') {
        t24_remember(st, mmsi, q, (size_t)(end - q));
        return 0;
    }
    const char *mid = memchr(q, '\x02', (size_t)(end - q));
    const char *name = t24_take(st, mmsi);
    if (!mid || !name) return 0;
    size_t nh = (size_t)(mid - q), nr = (size_t)(end - mid - 1);
    if (nh + nr + 6 * sizeof st->t24[0].shipname + 16 > cap) return 0;
    char *p = out;
    memcpy(p, q, nh), p += nh;
    p = LIT(p, ",\"shipname\":");
    p = put_str(p, name);
    memcpy(p, mid + 1, nr), p += nr;
    *p++ = '\n';
    return (size_t)(p - out);
}

/* Part B's fields after the name. */
static char *fmt_static_b_rest(const aw_msg *m, char *p) {
    const aw_static_b *s = &m->u.sb;
    p = put_shiptype(p, s->shiptype);
    p = LIT(p, ",\"vendorid\":");
    p = put_str(p, s->vendorid);
    p = LIT(p, ",\"model\":");
    p = put_u(p, s->model);
    p = LIT(p, ",\"serial\":");
    p = put_u(p, s->serial);
    p = LIT(p, ",\"callsign\":");
    p = put_str(p, s->callsign);
    if (m->mmsi / 10000000 == 98) {
        p = LIT(p, ",\"mothership_mmsi\":");
        p = put_u(p, s->mothership_mmsi);
    } else {
        p = put_dims(p, s->to_bow, s->to_stern, s->to_port, s->to_starboard);
    }
    return p;
}

/* ---- application messages (types 6 and 8) ---- */

/* "%02u-%02uT%02u:%02uZ" */
static char *put_mdhm(char *p, unsigned mo, unsigned d, unsigned h, unsigned mi, bool z) {
    p = put_u02(p, mo);
    *p++ = '-';
    p = put_u02(p, d);
    *p++ = 'T';
    p = put_u02(p, h);
    *p++ = ':';
    p = put_u02(p, mi);
    if (z) *p++ = 'Z';
    return p;
}

/* "%u-%uT%u:%u": gpsd's unpadded form for inland ETA/RTA and berthing arrival */
static char *put_mdhm_bare(char *p, unsigned mo, unsigned d, unsigned h, unsigned mi) {
    p = put_u(p, mo);
    *p++ = '-';
    p = put_u(p, d);
    *p++ = 'T';
    p = put_u(p, h);
    *p++ = ':';
    return put_u(p, mi);
}

static char *put_key_u(char *p, const char *key, size_t keylen, uint32_t v) {
    *p++ = ',';
    *p++ = '"';
    memcpy(p, key, keylen);
    p += keylen;
    *p++ = '"';
    *p++ = ':';
    return put_u(p, v);
}
#define KEY_U(p, key, v) put_key_u((p), (key), sizeof(key) - 1, (v))

static char *put_key_s(char *p, const char *key, size_t keylen, const char *s) {
    *p++ = ',';
    *p++ = '"';
    memcpy(p, key, keylen);
    p += keylen;
    *p++ = '"';
    *p++ = ':';
    return put_str(p, s);
}
#define KEY_S(p, key, s) put_key_s((p), (key), sizeof(key) - 1, (s))

/* Positions in 1/1000 minute (IMO289 style): scaled with six decimals. */
static char *put_pos3(const aw_gpsd_json *st, char *p, int32_t v) {
    return st->scaled ? put_fmt(p, "%.6f", v / 60000.0) : put_i(p, v);
}

static const char *const trends[4] = {"steady", "increasing", "decreasing", "N/A"};
static const char *const preciptypes[8] = {"reserved", "rain", "thunderstorm", "freezing rain",
                                           "mixed/ice", "snow", "reserved", "N/A"};
static const char *const ice_legends[4] = {"no", "yes", "reserved", "N/A"};

static char *fmt_met(const aw_gpsd_json *st, bool imo236, const aw_app_met_hydro *w, char *p) {
    bool sc = st->scaled;
    p = LIT(p, ",\"lat\":");
    p = put_pos3(st, p, w->lat);
    p = LIT(p, ",\"lon\":");
    p = put_pos3(st, p, w->lon);
    if (!imo236) {
        p = LIT(p, ",\"accuracy\":");
        p = put_bool(p, w->accuracy);
    }
    p = LIT(p, ",\"timestamp\":\"");
    p = put_u02(p, w->day);
    *p++ = 'T';
    p = put_u02(p, w->hour);
    *p++ = ':';
    p = put_u02(p, w->minute);
    *p++ = 'Z';
    *p++ = '"';
    p = KEY_U(p, "wspeed", w->wspeed);
    p = KEY_U(p, "wgust", w->wgust);
    p = KEY_U(p, "wdir", w->wdir);
    p = KEY_U(p, "wgustdir", w->wgustdir);
    p = KEY_U(p, "humidity", w->humidity);
    p = LIT(p, ",\"airtemp\":");
    if (!sc) p = put_i(p, w->airtemp);
    else p = put_fmt(p, "%.1f", (imo236 ? w->airtemp - 600 : w->airtemp) / 10.0);
    p = LIT(p, ",\"dewpoint\":");
    if (!sc) p = put_i(p, w->dewpoint);
    else p = put_fmt(p, "%.1f", (imo236 ? w->dewpoint - 200 : w->dewpoint) / 10.0);
    /* IMO236 codes 0 as 800 hPa, IMO289 as 799 hPa */
    p = LIT(p, ",\"pressure\":");
    p = put_u(p, sc ? w->pressure + (imo236 ? 800u : 799u) : w->pressure);
    p = LIT(p, ",\"pressuretend\":");
    if (sc) p = put_str(p, trends[w->pressuretend & 3]);
    else p = put_u(p, w->pressuretend);
    if (!imo236) {
        p = LIT(p, ",\"visgreater\":");
        p = put_bool(p, w->visgreater);
    }
    p = LIT(p, ",\"visibility\":");
    p = put_tenths(st, p, w->visibility);
    p = LIT(p, ",\"waterlevel\":");
    if (!sc) p = put_i(p, w->waterlevel);
    else if (imo236) p = put_fmt(p, "%.1f", (w->waterlevel - 100) / 10.0);
    else p = put_fmt(p, "%.1f", (w->waterlevel - 1000) / 100.0);
    p = LIT(p, ",\"leveltrend\":");
    if (sc) p = put_str(p, trends[w->leveltrend & 3]);
    else p = put_u(p, w->leveltrend);
    p = LIT(p, ",\"cspeed\":");
    p = put_tenths(st, p, w->cspeed);
    p = KEY_U(p, "cdir", w->cdir);
    p = LIT(p, ",\"cspeed2\":");
    p = put_tenths(st, p, w->cspeed2);
    p = KEY_U(p, "cdir2", w->cdir2);
    p = KEY_U(p, "cdepth2", w->cdepth2);
    p = LIT(p, ",\"cspeed3\":");
    p = put_tenths(st, p, w->cspeed3);
    p = KEY_U(p, "cdir3", w->cdir3);
    p = KEY_U(p, "cdepth3", w->cdepth3);
    p = LIT(p, ",\"waveheight\":");
    p = put_tenths(st, p, w->waveheight);
    p = KEY_U(p, "waveperiod", w->waveperiod);
    p = KEY_U(p, "wavedir", w->wavedir);
    p = LIT(p, ",\"swellheight\":");
    p = put_tenths(st, p, w->swellheight);
    p = KEY_U(p, "swellperiod", w->swellperiod);
    p = KEY_U(p, "swelldir", w->swelldir);
    p = KEY_U(p, "seastate", w->seastate);
    p = LIT(p, ",\"watertemp\":");
    if (!sc) p = put_i(p, w->watertemp);
    else p = put_fmt(p, "%.1f", (imo236 ? w->watertemp - 100 : w->watertemp) / 10.0);
    if (imo236) {
        p = KEY_U(p, "preciptype", w->preciptype);
        p = KEY_S(p, "preciptype_text", preciptypes[w->preciptype & 7]);
        p = LIT(p, ",\"salinity\":");
        p = put_tenths(st, p, w->salinity);
        p = KEY_U(p, "ice", w->ice);
        return KEY_S(p, "ice_text", ice_legends[w->ice & 3]);
    }
    /* IMO289: the legend replaces the code when scaled */
    if (sc) p = KEY_S(p, "preciptype", preciptypes[w->preciptype & 7]);
    else p = KEY_U(p, "preciptype", w->preciptype);
    p = LIT(p, ",\"salinity\":");
    p = put_tenths(st, p, w->salinity);
    if (sc) return KEY_S(p, "ice", ice_legends[w->ice & 3]);
    return KEY_U(p, "ice", w->ice);
}

static const char *const route_types[32] = {
    "Undefined (default)", "Mandatory", "Recommended", "Alternative",
    "Recommended route through ice", "Ship route plan",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Reserved for future use.", "Reserved for future use.",
    "Reserved for future use.", "Cancel route identified by message linkage",
};

static char *fmt_route(const aw_gpsd_json *st, const aw_app_route *r, char *p) {
    p = KEY_U(p, "linkage", r->linkage);
    p = KEY_U(p, "sender", r->sender);
    p = KEY_U(p, "rtype", r->rtype);
    p = KEY_S(p, "rtype_text", route_types[r->rtype & 31]);
    p = LIT(p, ",\"start\":\"");
    p = put_mdhm(p, r->month, r->day, r->hour, r->minute, true);
    *p++ = '"';
    p = KEY_U(p, "duration", r->duration);
    p = LIT(p, ",\"waypoints\":[");
    unsigned n = r->waycount < AW_APP_MAX_WAYPOINTS ? r->waycount : AW_APP_MAX_WAYPOINTS;
    for (unsigned i = 0; i < n; i++) {
        if (i) *p++ = ',';
        p = LIT(p, "{\"lon\":");
        p = st->scaled ? put_fmt(p, "%.6f", r->waypoints[i].lon / 600000.0) : put_i(p, r->waypoints[i].lon);
        p = LIT(p, ",\"lat\":");
        p = st->scaled ? put_fmt(p, "%.6f", r->waypoints[i].lat / 600000.0) : put_i(p, r->waypoints[i].lat);
        *p++ = '}';
    }
    *p++ = ']';
    return p;
}

static char *fmt_tidal(const aw_gpsd_json *st, const aw_app_tidal_window *t, char *p) {
    p = KEY_U(p, "month", t->month);
    p = KEY_U(p, "day", t->day);
    p = LIT(p, ",\"tidals\":[");
    for (unsigned i = 0; i < t->ntidals; i++) {
        const aw_app_tidal *e = &t->tidals[i];
        if (i) *p++ = ',';
        p = LIT(p, "{\"lon\":");
        p = put_pos3(st, p, e->lon);
        p = LIT(p, ",\"lat\":");
        p = put_pos3(st, p, e->lat);
        p = KEY_U(p, "from_hour", e->from_hour);
        p = KEY_U(p, "from_min", e->from_min);
        p = KEY_U(p, "to_hour", e->to_hour);
        p = KEY_U(p, "to_min", e->to_min);
        p = KEY_U(p, "cdir", e->cdir);
        p = LIT(p, ",\"cspeed\":");
        p = put_tenths(st, p, e->cspeed);
        *p++ = '}';
    }
    *p++ = ']';
    return p;
}

static const char *const racon_status[4] = {"No RACON installed", "RACON not monitored",
                                            "RACON operational", "RACON ERROR"};
static const char *const light_status[4] = {"No light or no monitoring", "Light ON", "Light OFF",
                                            "Light ERROR"};
static const char *const rta_status[4] = {"Operational", "Limited operation", "Out of order",
                                          "N/A"};
static const char *const position_types[8] = {
    "Not available", "Port-side to", "Starboard-side to", "Mediterranean (end-on) mooring",
    "Mooring buoy",  "Anchorage",    "Reserved for future use", "Reserved for future use"};
static const char *const idtypes[4] = {"mmsi", "imo", "callsign", "other"};
static const char *const signal_legends[15] = {
    "N/A",
    "Serious emergency - stop or divert according to instructions.",
    "Vessels shall not proceed.",
    "Vessels may proceed. One way traffic.",
    "Vessels may proceed. Two way traffic.",
    "Vessels shall proceed on specific orders only.",
    "Vessels in main channel shall not proceed.",
    "Vessels in main channel shall proceed on specific orders only.",
    "Vessels in main channel shall proceed on specific orders only.",
    "I = \"in-bound\" only acceptable.",
    "O = \"out-bound\" only acceptable.",
    "F = both \"in- and out-bound\" acceptable.",
    "XI = Code will shift to \"I\" in due time.",
    "XO = Code will shift to \"O\" in due time.",
    "X = Vessels shall proceed only on direction.",
};

static const char *signal_text(unsigned n) {
    return n < 15 ? signal_legends[n] : "INVALID SIGNAL TYPE";
}

static char *put_analog(const aw_gpsd_json *st, char *p, const char *key, size_t keylen, unsigned v) {
    if (!st->scaled || v == 0) return put_key_u(p, key, keylen, v);
    *p++ = ',';
    *p++ = '"';
    memcpy(p, key, keylen);
    p += keylen;
    *p++ = '"';
    *p++ = ':';
    return put_fmt(p, "%.2f", v * 0.05);
}

/* Inland ship types: ERI codes, and the AIS ship type an ERI code maps to; gpsd
 * matches a value against either column, first match wins. */
static const struct { uint16_t code, ais; const char *legend; } inland_shiptypes[] = {
    {8000, 99, "Vessel, type unknown"},
    {8010, 79, "Motor freighter"},
    {8020, 89, "Motor tanker"},
    {8021, 80, "Motor tanker, liquid cargo, type N"},
    {8022, 80, "Motor tanker, liquid cargo, type C"},
    {8023, 89, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
    {8030, 79, "Container vessel"},
    {8040, 80, "Gas tanker"},
    {8050, 79, "Motor freighter, tug"},
    {8060, 89, "Motor tanker, tug"},
    {8070, 79, "Motor freighter with one or more ships alongside"},
    {8080, 89, "Motor freighter with tanker"},
    {8090, 79, "Motor freighter pushing one or more freighters"},
    {8100, 89, "Motor freighter pushing at least one tank-ship"},
    {8110, 79, "Tug, freighter"},
    {8120, 89, "Tug, tanker"},
    {8130, 31, "Tug freighter, coupled"},
    {8140, 31, "Tug, freighter/tanker, coupled"},
    {8150, 99, "Freightbarge"},
    {8160, 99, "Tankbarge"},
    {8161, 90, "Tankbarge, liquid cargo, type N"},
    {8162, 90, "Tankbarge, liquid cargo, type C"},
    {8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
    {8170, 99, "Freightbarge with containers"},
    {8180, 90, "Tankbarge, gas"},
    {8210, 79, "Pushtow, one cargo barge"},
    {8220, 79, "Pushtow, two cargo barges"},
    {8230, 79, "Pushtow, three cargo barges"},
    {8240, 79, "Pushtow, four cargo barges"},
    {8250, 79, "Pushtow, five cargo barges"},
    {8260, 79, "Pushtow, six cargo barges"},
    {8270, 79, "Pushtow, seven cargo barges"},
    {8280, 79, "Pushtow, eigth cargo barges"},
    {8290, 79, "Pushtow, nine or more barges"},
    {8310, 80, "Pushtow, one tank/gas barge"},
    {8320, 80, "Pushtow, two barges at least one tanker or gas barge"},
    {8330, 80, "Pushtow, three barges at least one tanker or gas barge"},
    {8340, 80, "Pushtow, four barges at least one tanker or gas barge"},
    {8350, 80, "Pushtow, five barges at least one tanker or gas barge"},
    {8360, 80, "Pushtow, six barges at least one tanker or gas barge"},
    {8370, 80, "Pushtow, seven barges at least one tanker or gas barg"},
};

static const char *inland_shiptype_text(unsigned t) {
    for (size_t i = 0; i < sizeof inland_shiptypes / sizeof inland_shiptypes[0]; i++)
        if (inland_shiptypes[i].code == t || inland_shiptypes[i].ais == t) return inland_shiptypes[i].legend;
    return "Illegal ship type value.";
}

static const char *const hazard_types[6] = {"0 blue cones/lights", "1 blue cone/light",
                                            "2 blue cones/lights", "3 blue cones/lights",
                                            "4 B-Flag", "Unknown"};
static const char *const lstatus_types[3] = {"N/A (default)", "Unloaded", "Loaded"};
static const char *const emma_types[10] = {"Not Available", "Wind", "Rain", "Snow and ice",
                                           "Thunderstorm", "Fog", "Low temperature",
                                           "High temperature", "Flood", "Forest Fire"};
static const char *const emma_classes[3] = {"Slight", "Medium", "Strong"};
static const char *const emma_winds[9] = {"N/A", "North", "North East", "East", "South East",
                                          "South", "South West", "West", "North West"};
static const char *const direction_vocabulary[5] = {"Unknown", "Upstream", "Downstream",
                                                    "To left bank", "To right bank"};
static const char *const status_vocabulary[8] = {"Unknown", "No light", "White", "Yellow",
                                                 "Green", "Red", "White flashing",
                                                 "Yellow flashing."};

#define LEGEND(table, n, invalid) \
    ((unsigned)(n) < sizeof(table) / sizeof((table)[0]) ? (table)[n] : (invalid))

static char *fmt_app(const aw_gpsd_json *st, const aw_msg *m, char *p) {
    const aw_binary *bin = &m->u.bin;
    aw_app app;
    if (!aw_app_decode(m, &app)) {
        *p++ = ',';
        return put_data(p, bin->bitcount, bin->data);
    }
    bool sc = st->scaled;
    const aw_app *a = &app;
    switch (a->kind) {
    case AW_APP_INLAND_ETA:
    case AW_APP_INLAND_RTA: {
        const aw_app_inland_eta *e = &a->u.eta;
        p = KEY_S(p, "country", e->country);
        p = KEY_S(p, "locode", e->locode);
        p = KEY_S(p, "section", e->section);
        p = KEY_S(p, "terminal", e->terminal);
        p = KEY_S(p, "hectometre", e->hectometre);
        p = LIT(p, ",\"eta\":\"");
        p = put_mdhm_bare(p, e->month, e->day, e->hour, e->minute);
        *p++ = '"';
        if (a->kind == AW_APP_INLAND_ETA) {
            p = KEY_U(p, "tugs", e->tugs);
            return KEY_U(p, "airdraught", e->airdraught);
        }
        p = KEY_U(p, "status", e->status);
        return KEY_S(p, "status_text", rta_status[e->status & 3]);
    }
    case AW_APP_INLAND_PERSONS:
        p = KEY_U(p, "crew", a->u.inland_persons.crew);
        p = KEY_U(p, "passengers", a->u.inland_persons.passengers);
        return KEY_U(p, "personnel", a->u.inland_persons.personnel);
    case AW_APP_ATON_MONITOR: {
        const aw_app_aton *t = &a->u.aton;
        p = LIT(p, ",\"off_pos\":");
        p = put_bool(p, t->off_pos);
        p = LIT(p, ",\"alarm\":");
        p = put_bool(p, t->alarm);
        p = KEY_U(p, "stat_ext", t->stat_ext);
        p = put_analog(st, p, "ana_int", 7, t->ana_int);
        p = put_analog(st, p, "ana_ext1", 8, t->ana_ext1);
        p = put_analog(st, p, "ana_ext2", 8, t->ana_ext2);
        p = KEY_U(p, "racon", t->racon);
        p = KEY_S(p, "racon_text", racon_status[t->racon & 3]);
        p = KEY_U(p, "light", t->light);
        return KEY_S(p, "light_text", light_status[t->light & 3]);
    }
    case AW_APP_DANGEROUS_CARGO_236: {
        const aw_app_cargo236 *c = &a->u.cargo236;
        p = KEY_S(p, "lastport", c->lastport);
        p = LIT(p, ",\"departure\":\"");
        p = put_mdhm(p, c->lmonth, c->lday, c->lhour, c->lminute, true);
        *p++ = '"';
        p = KEY_S(p, "nextport", c->nextport);
        p = LIT(p, ",\"eta\":\"");
        p = put_mdhm(p, c->nmonth, c->nday, c->nhour, c->nminute, true);
        *p++ = '"';
        p = KEY_S(p, "dangerous", c->dangerous);
        p = KEY_S(p, "imdcat", c->imdcat);
        p = KEY_U(p, "unid", c->unid);
        p = KEY_U(p, "amount", c->amount);
        return KEY_U(p, "unit", c->unit);
    }
    case AW_APP_EXT_SHIP_STATIC:
        return KEY_U(p, "airdraught", a->u.ext_ship.airdraught);
    case AW_APP_PERSONS_ON_BOARD:
        return KEY_U(p, "persons", a->u.persons.persons);
    case AW_APP_CLEARANCE_TIME: {
        const aw_app_clearance *c = &a->u.clearance;
        p = KEY_U(p, "linkage", c->linkage);
        p = LIT(p, ",\"arrival\":\"");
        p = put_mdhm(p, c->month, c->day, c->hour, c->minute, true);
        *p++ = '"';
        p = KEY_S(p, "portname", c->portname);
        p = KEY_S(p, "destination", c->destination);
        p = LIT(p, ",\"lon\":");
        p = put_pos3(st, p, c->lon);
        p = LIT(p, ",\"lat\":");
        return put_pos3(st, p, c->lat);
    }
    case AW_APP_BERTHING_DATA: {
        const aw_app_berthing *b = &a->u.berthing;
        p = KEY_U(p, "linkage", b->linkage);
        p = KEY_U(p, "berth_length", b->berth_length);
        p = KEY_U(p, "position", b->position);
        p = KEY_S(p, "position_text", position_types[b->position & 7]);
        p = LIT(p, ",\"arrival\":\"");
        p = put_mdhm_bare(p, b->month, b->day, b->hour, b->minute);
        *p++ = '"';
        p = KEY_U(p, "availability", b->availability);
        const uint8_t svc[] = {b->agent, b->fuel, b->chandler, b->stevedore, b->electrical,
                               b->water, b->customs, b->cartage, b->crane, b->lift,
                               b->medical, b->navrepair, b->provisions, b->shiprepair,
                               b->surveyor, b->steam, b->tugs, b->solidwaste, b->liquidwaste,
                               b->hazardouswaste, b->ballast, b->additional, b->regional1,
                               b->regional2, b->future1, b->future2};
        static const char *const names[] = {
            "agent", "fuel", "chandler", "stevedore", "electrical", "water", "customs",
            "cartage", "crane", "lift", "medical", "navrepair", "provisions", "shiprepair",
            "surveyor", "steam", "tugs", "solidwaste", "liquidwaste", "hazardouswaste",
            "ballast", "additional", "regional1", "regional2", "future1", "future2"};
        for (size_t i = 0; i < sizeof svc; i++) p = put_key_u(p, names[i], strlen(names[i]), svc[i]);
        p = KEY_S(p, "berth_name", b->berth_name);
        p = LIT(p, ",\"berth_lon\":");
        p = put_pos3(st, p, b->berth_lon);
        p = LIT(p, ",\"berth_lat\":");
        p = put_pos3(st, p, b->berth_lat);
        p = LIT(p, ",\"berth_depth\":");
        return put_tenths(st, p, b->berth_depth);
    }
    case AW_APP_DANGEROUS_CARGO_289: {
        const aw_app_cargo289 *c = &a->u.cargo289;
        p = KEY_U(p, "unit", c->unit);
        p = KEY_U(p, "amount", c->amount);
        p = LIT(p, ",\"cargos\":[");
        for (unsigned i = 0; i < c->ncargos; i++) {
            if (i) *p++ = ',';
            p = LIT(p, "{\"code\":");
            p = put_u(p, c->cargos[i].code);
            p = LIT(p, ",\"subtype\":");
            p = put_u(p, c->cargos[i].subtype);
            *p++ = '}';
        }
        *p++ = ']';
        return p;
    }
    case AW_APP_ROUTE_INFO:
        return fmt_route(st, &a->u.route, p);
    case AW_APP_TEXT_DESCRIPTION:
        p = KEY_U(p, "linkage", a->u.text.linkage);
        return KEY_S(p, "text", a->u.text.text);
    case AW_APP_TIDAL_WINDOW_236:
    case AW_APP_TIDAL_WINDOW_289:
        return fmt_tidal(st, &a->u.tidal, p);
    case AW_APP_MET_HYDRO_236:
    case AW_APP_MET_HYDRO_289:
        return fmt_met(st, a->kind == AW_APP_MET_HYDRO_236, &a->u.met, p);
    case AW_APP_FAIRWAY_CLOSED: {
        const aw_app_fairway *f = &a->u.fairway;
        p = KEY_S(p, "reason", f->reason);
        p = KEY_S(p, "closefrom", f->closefrom);
        p = KEY_S(p, "closeto", f->closeto);
        p = KEY_U(p, "radius", f->radius);
        p = KEY_U(p, "extunit", f->extunit);
        p = LIT(p, ",\"from\":\"");
        p = put_mdhm(p, f->fmonth, f->fday, f->fhour, f->fminute, false);
        p = LIT(p, "\",\"to\":\"");
        p = put_mdhm(p, f->tmonth, f->tday, f->thour, f->tminute, false);
        *p++ = '"';
        return p;
    }
    case AW_APP_VTS_TARGETS: {
        const aw_app_vts *v = &a->u.vts;
        p = LIT(p, ",\"targets\":[");
        for (unsigned i = 0; i < v->ntargets; i++) {
            const aw_app_target *t = &v->targets[i];
            if (i) *p++ = ',';
            p = LIT(p, "{\"idtype\":");
            p = put_u(p, t->idtype);
            p = LIT(p, ",\"idtype_text\":");
            p = put_str(p, idtypes[t->idtype & 3]);
            *p++ = ',';
            p = put_str(p, idtypes[t->idtype & 3]);
            *p++ = ':';
            if (t->idtype < 2) {
                *p++ = '"';
                p = put_u(p, t->id);
                *p++ = '"';
            } else {
                p = put_str(p, t->id_text);
            }
            p = LIT(p, ",\"lat\":");
            p = put_pos3(st, p, t->lat);
            p = LIT(p, ",\"lon\":");
            p = put_pos3(st, p, t->lon);
            p = KEY_U(p, "course", t->course);
            p = KEY_U(p, "second", t->second);
            p = KEY_U(p, "speed", t->speed);
            *p++ = '}';
        }
        *p++ = ']';
        return p;
    }
    case AW_APP_TRAFFIC_SIGNAL: {
        const aw_app_signal *s = &a->u.signal;
        p = KEY_U(p, "linkage", s->linkage);
        p = KEY_S(p, "station", s->station);
        /* gpsd prints this position scaled in both modes */
        p = LIT(p, ",\"lon\":");
        p = put_fmt(p, "%.4f", s->lon / 60000.0);
        p = LIT(p, ",\"lat\":");
        p = put_fmt(p, "%.4f", s->lat / 60000.0);
        p = KEY_U(p, "status", s->status);
        p = KEY_U(p, "signal", s->signal);
        p = KEY_S(p, "signal_text", signal_text(s->signal));
        p = KEY_U(p, "hour", s->hour);
        p = KEY_U(p, "minute", s->minute);
        p = KEY_U(p, "nextsignal", s->nextsignal);
        return KEY_S(p, "nextsignal_text", signal_text(s->nextsignal));
    }
    case AW_APP_INLAND_STATIC: {
        const aw_app_inland_static *s = &a->u.inland_static;
        p = KEY_S(p, "vin", s->vin);
        p = KEY_U(p, "length", s->length);
        p = KEY_U(p, "beam", s->beam);
        p = KEY_U(p, "shiptype", s->shiptype);
        p = KEY_S(p, "shiptype_text", inland_shiptype_text(s->shiptype));
        p = KEY_U(p, "hazard", s->hazard);
        p = KEY_S(p, "hazard_text", LEGEND(hazard_types, s->hazard, "INVALID HAZARD TYPE"));
        p = KEY_U(p, "draught", s->draught);
        p = KEY_U(p, "loaded", s->loaded);
        p = KEY_S(p, "loaded_text", LEGEND(lstatus_types, s->loaded, "INVALID LOAD STATUS"));
        p = LIT(p, ",\"speed_q\":");
        p = put_bool(p, s->speed_q);
        p = LIT(p, ",\"course_q\":");
        p = put_bool(p, s->course_q);
        p = LIT(p, ",\"heading_q\":");
        return put_bool(p, s->heading_q);
    }
    case AW_APP_EMMA_WARNING: {
        const aw_app_emma *e = &a->u.emma;
        /* gpsd's start stamp passes hour, minute and day where day, hour and
         * minute belong; kept so that output agrees. */
        p = LIT(p, ",\"start\":\"");
        p = put_u(p, e->start_year + 2000u);
        *p++ = '-';
        p = put_mdhm(p, e->start_month, e->start_hour, e->start_minute, e->start_day, false);
        p = LIT(p, "\",\"end\":\"");
        p = put_u(p, e->end_year + 2000u);
        *p++ = '-';
        p = put_mdhm(p, e->end_month, e->end_day, e->end_hour, e->end_minute, false);
        *p++ = '"';
        p = LIT(p, ",\"start_lon\":");
        p = sc ? put_fmt(p, "%.7f", e->start_lon / AW_LATLON_SCALE) : put_i(p, e->start_lon);
        p = LIT(p, ",\"start_lat\":");
        p = sc ? put_fmt(p, "%.7f", e->start_lat / AW_LATLON_SCALE) : put_i(p, e->start_lat);
        p = LIT(p, ",\"end_lon\":");
        p = sc ? put_fmt(p, "%.7f", e->end_lon / AW_LATLON_SCALE) : put_i(p, e->end_lon);
        p = LIT(p, ",\"end_lat\":");
        p = sc ? put_fmt(p, "%.7f", e->end_lat / AW_LATLON_SCALE) : put_i(p, e->end_lat);
        p = KEY_U(p, "type", e->type);
        p = KEY_S(p, "type_text", LEGEND(emma_types, e->type, "INVALID EMMA TYPE"));
        p = LIT(p, ",\"min\":");
        p = put_i(p, e->min);
        p = LIT(p, ",\"max\":");
        p = put_i(p, e->max);
        p = KEY_U(p, "class", e->intensity);
        p = KEY_S(p, "class_text", LEGEND(emma_classes, e->intensity, "INVALID EMMA TYPE"));
        p = KEY_U(p, "wind", e->wind);
        return KEY_S(p, "wind_text", LEGEND(emma_winds, e->wind, "INVALID EMMA WIND DIRECTION"));
    }
    case AW_APP_WATER_LEVEL: {
        const aw_app_water_level *w = &a->u.water_level;
        p = KEY_S(p, "country", w->country);
        p = LIT(p, ",\"gauges\":[");
        for (unsigned i = 0; i < w->ngauges; i++) {
            if (i) *p++ = ',';
            p = LIT(p, "{\"id\":");
            p = put_u(p, w->gauges[i].id);
            p = LIT(p, ",\"level\":");
            p = put_i(p, w->gauges[i].level);
            *p++ = '}';
        }
        *p++ = ']';
        return p;
    }
    case AW_APP_SIGNAL_STATUS: {
        const aw_app_signal_status *s = &a->u.signal_status;
        p = put_lonlat4(st, p, s->lon, s->lat);
        p = KEY_U(p, "form", s->form);
        p = KEY_U(p, "facing", s->facing);
        p = KEY_U(p, "direction", s->direction);
        p = KEY_S(p, "direction_text", LEGEND(direction_vocabulary, s->direction, "INVALID DIRECTION"));
        p = KEY_U(p, "status", s->status);
        return KEY_S(p, "status_text", LEGEND(status_vocabulary, s->status, "INVALID STATUS"));
    }
    case AW_APP_RAW:
    case AW_APP_KIND_COUNT:
        break;
    }
    *p++ = ',';
    return put_data(p, bin->bitcount, bin->data);
}

/* ---- entry points ---- */

bool aw_gpsd_accepts(const aw_msg *m) {
    unsigned n = m->bits;
    switch (m->msg_type) {
    case 1: case 2: case 3: return n >= 163 && n <= 204;
    case 4: case 11: return n >= 168;
    case 5: return n >= 420;
    case 6: return n >= 88 && n <= 1008;
    case 7: case 13: return n >= 72 && n <= 168;
    case 8: return n >= 56 && n <= 1008;
    case 9: return n >= 168;
    case 10: return n >= 72;
    case 12: return n >= 72 && n <= 1008;
    case 14: return n >= 40 && n <= 960;
    case 15: return n >= 88 && n <= 168;
    case 16: return n >= 96 && n <= 168;
    case 17: return n >= 80 && n <= 816;
    case 18: return n >= 168;
    case 19: return n >= 312;
    case 20: return n >= 72 && n <= 186;
    case 21: return n >= 272 && n <= 368;
    case 22: return n >= 168;
    case 23: return n >= 160;
    case 24:
        if (m->u.sb.partno == 0) return n >= 160 && n <= 168;
        return m->u.sb.partno == 1 && n >= 168;
    case 25:
        return n >= 40 && n <= 168 &&
               n >= 40u + 16u * m->u.bin.structured + 30u * m->u.bin.addressed;
    case 26:
        return n >= 60 && n <= 1004 &&
               n >= 60u + 16u * m->u.bin.structured + 30u * m->u.bin.addressed;
    case 27: return n == 96 || n == 168;
    }
    return false;
}

void aw_gpsd_json_init(aw_gpsd_json *st, bool scaled) {
    memset(st, 0, sizeof *st);
    st->scaled = scaled;
}

size_t aw_gpsd_json_format(aw_gpsd_json *st, const aw_msg *m, const char *device, char *out,
                           size_t cap) {
    if (cap < AW_GPSD_JSON_MAX || m->truncated || !aw_gpsd_accepts(m)) return 0;
    char *p = put_header(st, m, device, out);
    switch (m->msg_type) {
    case 1: case 2: case 3:
        p = fmt_pos(st, &m->u.pos, p);
        break;
    case 4: case 11:
        p = fmt_base(st, &m->u.base, p);
        break;
    case 5:
        p = fmt_voyage(st, &m->u.voy, p);
        break;
    case 6:
        p = KEY_U(p, "seqno", m->u.bin.seqno);
        p = KEY_U(p, "dest_mmsi", m->u.bin.dest_mmsi);
        p = LIT(p, ",\"retransmit\":");
        p = put_bool(p, m->u.bin.retransmit);
        p = KEY_U(p, "dac", m->u.bin.dac);
        p = KEY_U(p, "fid", m->u.bin.fid);
        p = fmt_app(st, m, p);
        break;
    case 8:
        p = KEY_U(p, "dac", m->u.bin.dac);
        p = KEY_U(p, "fid", m->u.bin.fid);
        p = fmt_app(st, m, p);
        break;
    case 7: case 13:
        /* gpsd reads an acknowledgement wherever its first bit lies inside the message */
        for (unsigned i = 0; i < 4; i++) {
            uint32_t mmsi = 40 + 32 * i < m->bits ? m->u.ack.mmsi[i] : 0;
            static const char *const keys[4] = {",\"mmsi1\":", ",\"mmsi2\":", ",\"mmsi3\":", ",\"mmsi4\":"};
            memcpy(p, keys[i], 9);
            p = put_u(p + 9, mmsi);
        }
        break;
    case 9:
        p = fmt_sar(st, &m->u.sar, p);
        break;
    case 10:
        p = KEY_U(p, "dest_mmsi", m->u.dest_mmsi);
        break;
    case 12:
        p = KEY_U(p, "seqno", m->u.text.seqno);
        p = KEY_U(p, "dest_mmsi", m->u.text.dest_mmsi);
        p = LIT(p, ",\"retransmit\":");
        p = put_bool(p, m->u.text.retransmit);
        p = KEY_S(p, "text", m->u.text.text);
        break;
    case 14:
        p = KEY_S(p, "text", m->u.text.text);
        break;
    case 15: {
        const aw_interrogation *q = &m->u.inq;
        bool second = m->bits > 90, third = m->bits > 110;
        p = KEY_U(p, "mmsi1", q->mmsi1);
        p = KEY_U(p, "type1_1", q->type1_1);
        p = KEY_U(p, "offset1_1", q->offset1_1);
        p = KEY_U(p, "type1_2", second ? q->type1_2 : 0);
        p = KEY_U(p, "offset1_2", second ? q->offset1_2 : 0);
        p = KEY_U(p, "mmsi2", third ? q->mmsi2 : 0);
        p = KEY_U(p, "type2_1", third ? q->type2_1 : 0);
        p = KEY_U(p, "offset2_1", third ? q->offset2_1 : 0);
        break;
    }
    case 16: {
        const aw_assign *a = &m->u.assign;
        bool two = m->bits >= 144; /* gpsd zeroes the second station below 144 bits */
        p = KEY_U(p, "mmsi1", a->mmsi1);
        p = KEY_U(p, "offset1", a->offset1);
        p = KEY_U(p, "increment1", a->increment1);
        p = KEY_U(p, "mmsi2", two ? a->mmsi2 : 0);
        p = KEY_U(p, "offset2", two ? a->offset2 : 0);
        p = KEY_U(p, "increment2", two ? a->increment2 : 0);
        break;
    }
    case 17:
        p = LIT(p, ",\"lon\":");
        p = st->scaled ? put_fmt(p, "%.1f", m->u.dgnss.lon / 600.0) : put_i(p, m->u.dgnss.lon);
        p = LIT(p, ",\"lat\":");
        p = st->scaled ? put_fmt(p, "%.1f", m->u.dgnss.lat / 600.0) : put_i(p, m->u.dgnss.lat);
        *p++ = ',';
        p = put_data(p, m->u.dgnss.bitcount, m->u.dgnss.data);
        break;
    case 18: case 19:
        p = fmt_classb(st, m->msg_type, &m->u.cb, p);
        break;
    case 20: {
        const aw_slot_mgmt *s = &m->u.slots;
        for (unsigned i = 0; i < 4; i++) {
            bool have = i < s->count;
            char k[16] = ",\"offset1\":";
            k[8] = (char)('1' + i);
            memcpy(p, k, 11);
            p = put_u(p + 11, have ? s->offset[i] : 0);
            p = LIT(p, ",\"number");
            *p++ = (char)('1' + i);
            p = LIT(p, "\":");
            p = put_u(p, have ? s->number[i] : 0);
            p = LIT(p, ",\"timeout");
            *p++ = (char)('1' + i);
            p = LIT(p, "\":");
            p = put_u(p, have ? s->timeout[i] : 0);
            p = LIT(p, ",\"increment");
            *p++ = (char)('1' + i);
            p = LIT(p, "\":");
            p = put_u(p, have ? s->increment[i] : 0);
        }
        break;
    }
    case 21:
        p = fmt_aton(st, &m->u.aton, p);
        break;
    case 22: {
        const aw_channel_mgmt *c = &m->u.chan;
        p = KEY_U(p, "channel_a", c->channel_a);
        p = KEY_U(p, "channel_b", c->channel_b);
        p = KEY_U(p, "txrx", c->txrx);
        p = LIT(p, ",\"power\":");
        p = put_bool(p, c->power);
        if (c->addressed) {
            p = KEY_U(p, "dest1", c->dest1);
            p = KEY_U(p, "dest2", c->dest2);
        } else {
            p = put_area(st, p, c->ne_lon, c->ne_lat, c->sw_lon, c->sw_lat);
        }
        p = LIT(p, ",\"addressed\":");
        p = put_bool(p, c->addressed);
        p = LIT(p, ",\"band_a\":");
        p = put_bool(p, c->band_a);
        p = LIT(p, ",\"band_b\":");
        p = put_bool(p, c->band_b);
        p = KEY_U(p, "zonesize", c->zonesize);
        break;
    }
    case 23: {
        const aw_group_assign *g = &m->u.group;
        p = put_area(st, p, g->ne_lon, g->ne_lat, g->sw_lon, g->sw_lat);
        p = KEY_U(p, "stationtype", g->stationtype);
        p = KEY_S(p, "stationtype_text", station_type_legends[g->stationtype & 15]);
        p = put_shiptype(p, g->shiptype);
        p = KEY_U(p, "interval", g->interval);
        p = KEY_U(p, "quiet", g->quiet);
        break;
    }
    case 24: {
        if (st->defer24 && !st->split24) return (size_t)(fmt_defer24(m, out, p) - out);
        bool print;
        p = fmt_static_b(st, m, p, &print);
        if (!print) return 0;
        break;
    }
    case 25: case 26: {
        const aw_binary *b = &m->u.bin;
        p = LIT(p, ",\"addressed\":");
        p = put_bool(p, b->addressed);
        p = LIT(p, ",\"structured\":");
        p = put_bool(p, b->structured);
        p = KEY_U(p, "dest_mmsi", b->dest_mmsi);
        p = KEY_U(p, "app_id", b->app_id);
        *p++ = ',';
        if (m->msg_type == 26 && (b->bitcount & 7)) {
            /* gpsd copies whole bytes, so the last data byte carries the first bits
             * of the radio status that follows the data; rebuild that byte. */
            uint8_t data[AW_MAX_DATA_BYTES];
            unsigned last = b->bitcount / 8, used = b->bitcount & 7;
            memcpy(data, b->data, last + 1u);
            data[last] = (uint8_t)(data[last] | (b->radio >> (12 + used)));
            p = put_data(p, b->bitcount, data);
        } else {
            p = put_data(p, b->bitcount, b->data);
        }
        /* gpsd never decodes the type 26 radio status and prints 0 */
        if (m->msg_type == 26) p = LIT(p, ",\"radio\":0");
        break;
    }
    case 27: {
        const aw_long_range *l = &m->u.lr;
        p = KEY_U(p, "status", l->status);
        if (st->scaled) p = KEY_S(p, "status_text", nav_legends[l->status & 15]);
        p = LIT(p, ",\"accuracy\":");
        p = put_bool(p, l->accuracy);
        p = LIT(p, ",\"lon\":");
        p = st->scaled ? put_fmt(p, "%.4f", l->lon / 600.0) : put_i(p, l->lon);
        p = LIT(p, ",\"lat\":");
        p = st->scaled ? put_fmt(p, "%.4f", l->lat / 600.0) : put_i(p, l->lat);
        p = KEY_U(p, "speed", l->speed);
        p = KEY_U(p, "course", l->course);
        p = LIT(p, ",\"raim\":");
        p = put_bool(p, l->raim);
        p = LIT(p, ",\"gnss\":");
        p = put_bool(p, l->gnss);
        break;
    }
    default:
        return 0;
    }
    *p++ = '}';
    *p++ = '\n';
    return (size_t)(p - out);
}
