/* table.c — decoded-position tables (NOAA MarineCadastre CSV, Danish Maritime Authority
 * CSV, JSON lines, any CSV with a column mapping) read into the same aw_msg records the
 * NMEA decoder produces.
 *
 * A row is read in place. The CSV splitter records where each wanted field starts and
 * ends (a quoted field keeps its doubled quotes until its text is needed); the JSON
 * scanner walks one flat object and hands each known key's value over. Numbers go
 * through an exact decimal parser (an integer mantissa and a power of ten, rounded half
 * away from zero into the protocol's fixed units), so 43.07917 becomes 25847502 in
 * 1/10000 minute with no binary floating point in between and the table's values come
 * back digit for digit. Times are computed from the civil date, without libc. Nothing is
 * allocated; the only copies are the text fields written into the message record.
 *
 * Policy for values (docs/formats.md): lat/lon outside the globe, a bad MMSI, or any
 * number or time that does not parse rejects the row (AW_REJ_BAD_FIELD); lat 91 and
 * lon 181 are the protocol's own "not available" codes and stay positions without a
 * place; speeds, courses, headings and static values out of their field's range become
 * "not available" (or the field's maximum), since the rest of the row is still good.
 */
#include "aiswatch/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { CLS_UNKNOWN, CLS_A, CLS_B, CLS_BASE, CLS_ATON, CLS_SAR };
enum { TXT_PLAIN, TXT_CSVQ, TXT_JSON, TXT_JSON_NUM }; /* how a value is written */

typedef struct span {
    const char *p;
    uint32_t len;
    uint8_t kind;
} span;

/* ---------------------------------------------------------------- names and aliases */

typedef struct alias {
    const char *name;
    uint8_t len;
    uint8_t col;
} alias;

#define A_(s, c) {s, sizeof(s) - 1, c}
/* Field names for --columns, JSON keys and NOAA/DMA header names, compared without case. */
static const alias aliases[] = {
    A_("mmsi", AW_COL_MMSI), A_("ssvid", AW_COL_MMSI), A_("userid", AW_COL_MMSI),
    A_("time", AW_COL_TIME), A_("timestamp", AW_COL_TIME), A_("basedatetime", AW_COL_TIME),
    A_("datetime", AW_COL_TIME), A_("# timestamp", AW_COL_TIME),
    A_("lat", AW_COL_LAT), A_("latitude", AW_COL_LAT),
    A_("lon", AW_COL_LON), A_("lng", AW_COL_LON), A_("long", AW_COL_LON), A_("longitude", AW_COL_LON),
    A_("sog", AW_COL_SOG), A_("speed", AW_COL_SOG), A_("cog", AW_COL_COG), A_("course", AW_COL_COG),
    A_("heading", AW_COL_HEADING), A_("true_heading", AW_COL_HEADING),
    A_("name", AW_COL_NAME), A_("shipname", AW_COL_NAME), A_("vesselname", AW_COL_NAME),
    A_("vessel_name", AW_COL_NAME), A_("ship_name", AW_COL_NAME),
    A_("imo", AW_COL_IMO), A_("imo_number", AW_COL_IMO),
    A_("callsign", AW_COL_CALLSIGN), A_("call_sign", AW_COL_CALLSIGN),
    A_("shiptype", AW_COL_SHIPTYPE), A_("ship_type", AW_COL_SHIPTYPE), A_("ship type", AW_COL_SHIPTYPE),
    A_("vesseltype", AW_COL_SHIPTYPE), A_("vessel_type", AW_COL_SHIPTYPE),
    A_("status", AW_COL_STATUS), A_("nav_status", AW_COL_STATUS), A_("navstatus", AW_COL_STATUS),
    A_("navigational status", AW_COL_STATUS),
    A_("length", AW_COL_LENGTH), A_("width", AW_COL_WIDTH), A_("beam", AW_COL_WIDTH),
    A_("draught", AW_COL_DRAUGHT), A_("draft", AW_COL_DRAUGHT), A_("destination", AW_COL_DESTINATION),
    A_("class", AW_COL_CLASS), A_("transceiverclass", AW_COL_CLASS), A_("transceiver_class", AW_COL_CLASS),
    A_("type of mobile", AW_COL_CLASS),
    A_("to_bow", AW_COL_TO_BOW), A_("to_stern", AW_COL_TO_STERN), A_("to_port", AW_COL_TO_PORT),
    A_("to_starboard", AW_COL_TO_STARBOARD),
    /* aiswatch's own CSV (decode --format csv) names units in its columns. */
    A_("sog_kn", AW_COL_SOG), A_("cog_deg", AW_COL_COG), A_("heading_deg", AW_COL_HEADING),
    A_("draught_m", AW_COL_DRAUGHT), A_("to_bow_m", AW_COL_TO_BOW), A_("to_stern_m", AW_COL_TO_STERN),
    A_("to_port_m", AW_COL_TO_PORT), A_("to_starboard_m", AW_COL_TO_STARBOARD),
    A_("msg_type", AW_COL_MSGTYPE), A_("message_type", AW_COL_MSGTYPE), A_("second", AW_COL_SECOND),
    A_("utc_second", AW_COL_SECOND),
};

static inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

static bool eq_nocase(const char *a, size_t n, const char *lit, size_t litn) {
    if (n != litn) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lit[i]) return false;
    return true;
}

static bool prefix_nocase(const char *a, size_t n, const char *lit) {
    size_t i = 0;
    for (; lit[i]; i++)
        if (i >= n || lower(a[i]) != lit[i]) return false;
    return true;
}

static int alias_col(const char *s, size_t n) {
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (aliases[i].len == n && eq_nocase(s, n, aliases[i].name, n)) return aliases[i].col;
    return -1;
}

/* DMA writes navigation status as text; first matching prefix wins, so the longer
 * "under way using" comes before "under way sailing" only by wording, not by order. */
static const struct { const char *prefix; uint8_t code; } status_names[] = {
    {"under way using", 0}, {"at anchor", 1}, {"not under command", 2}, {"restricted", 3},
    {"constrained", 4}, {"moored", 5}, {"aground", 6}, {"engaged in fishing", 7},
    {"under way sailing", 8}, {"reserved for future amendment [hsc", 9},
    {"reserved for future amendment [wig", 10}, {"power-driven vessel towing astern", 11},
    {"power-driven vessel pushing", 12}, {"reserved for future use", 13}, {"ais-sart", 14},
    {"ais sart", 14},
};

/* DMA ship type words and the AIS code that stands for each (the first code of its
 * range; the cargo category digit is not in this column). */
static const struct { const char *name; uint8_t code; } shiptype_names[] = {
    {"wig", 20}, {"fishing", 30}, {"towing", 31}, {"towing long/wide", 32}, {"dredging", 33},
    {"diving", 34}, {"military", 35}, {"sailing", 36}, {"pleasure", 37}, {"hsc", 40},
    {"pilot", 50}, {"sar", 51}, {"tug", 52}, {"port tender", 53}, {"anti-pollution", 54},
    {"law enforcement", 55}, {"spare 1", 56}, {"spare 2", 57}, {"medical", 58},
    {"not party to conflict", 59}, {"passenger", 60}, {"cargo", 70}, {"tanker", 80}, {"other", 90},
};

/* ---------------------------------------------------------------- exact decimals */

typedef struct decnum {
    uint64_t m; /* at most 18 significant digits: m * 6 still fits in 64 bits */
    int e;      /* value = m * 10^e */
    bool neg;
} decnum;

static const uint64_t pow10_u64[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
    1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL};

/* (2^62) / 10^e: what may be scaled by 10^e and stay at most 2^62 (a constant table, as
 * a division by a power read from a table is a real one). */
static const uint64_t pow10_limit[19] = {
    4611686018427387904ULL, 461168601842738790ULL, 46116860184273879ULL,
    4611686018427387ULL, 461168601842738ULL, 46116860184273ULL,
    4611686018427ULL, 461168601842ULL, 46116860184ULL,
    4611686018ULL, 461168601ULL, 46116860ULL,
    4611686ULL, 461168ULL, 46116ULL,
    4611ULL, 461ULL, 46ULL,
    4ULL,
};

static inline bool is_dig(char c) { return (unsigned)(c - '0') < 10; }

/* [+-]digits[.digits][(e|E)[+-]digits], the whole span. `point2` is a second decimal
 * separator (',' where the delimiter is not a comma) or 0. Digits beyond the 18th
 * significant one are dropped: a double's shortest form has at most 17. */
static bool dec_parse(const char *p, const char *end, char point2, decnum *d) {
    uint64_t m = 0;
    int e = 0, sig = 0;
    bool any = false;
    d->neg = false;
    if (p < end && (*p == '-' || *p == '+')) d->neg = *p++ == '-';
    /* Most cells are short plain decimals ("25.1507233", "12.0"): at most 18 digits in
     * all cannot pass 18 significant ones, so they are read without counting them. The
     * result is the one of the general loop below. */
    if (end - p <= 18) {
        const char *q = p;
        while (q < end && is_dig(*q)) m = m * 10 + (uint64_t)(*q++ - '0');
        long digits = q - p;
        if (q < end && (*q == '.' || (point2 && *q == point2))) {
            const char *frac = ++q;
            for (; q < end && is_dig(*q); q++) m = m * 10 + (uint64_t)(*q - '0');
            e = -(int)(q - frac);
            digits += q - frac;
        }
        if (q == end && digits > 0) {
            d->m = m;
            d->e = e;
            return true;
        }
        m = 0, e = 0; /* an exponent, or no digit: the general loop decides */
    }
    for (; p < end && is_dig(*p); p++) {
        any = true;
        if (sig < 18) {
            m = m * 10 + (uint64_t)(*p - '0');
            sig += m != 0;
        } else {
            e++;
        }
    }
    if (p < end && (*p == '.' || (point2 && *p == point2))) {
        for (p++; p < end && is_dig(*p); p++) {
            any = true;
            if (sig < 18) {
                m = m * 10 + (uint64_t)(*p - '0');
                sig += m != 0;
                e--;
            }
        }
    }
    if (!any) return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = false;
        int x = 0;
        p++;
        if (p < end && (*p == '-' || *p == '+')) eneg = *p++ == '-';
        if (p >= end || !is_dig(*p)) return false;
        for (; p < end && is_dig(*p); p++)
            if (x < 100000) x = x * 10 + (*p - '0');
        e += eneg ? -x : x;
    }
    d->m = m;
    d->e = e;
    return p == end;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* How many of the 8 bytes of w (first byte lowest) lead as ASCII digits. After the
 * subtraction a byte is 0..9 exactly for a digit; a borrow out of a non-digit byte only
 * touches the bytes after it, which are not counted. */
static inline unsigned digit_run8(uint64_t w) {
    uint64_t d = w - 0x3030303030303030ULL;
    uint64_t bad = (d | (d + 0x7676767676767676ULL)) & 0x8080808080808080ULL;
    return bad ? (unsigned)__builtin_ctzll(bad) >> 3 : 8;
}

/* The value of the first k (1..8) bytes of w, all digits, read as a decimal number:
 * the bytes after them are shifted out and zeros (leading zero digits) shifted in, then
 * pairs, quads and the whole are combined by multiplication. */
static inline uint64_t digits8_value(uint64_t w, unsigned k) {
    uint64_t d = (w - 0x3030303030303030ULL) << (8 * (8 - k));
    d = d * 10 + (d >> 8);
    return (((d & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
            (((d >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
}
#endif

/* dec_parse, reading up to eight digits before and eight after the point in a few
 * operations when the bytes up to `limit` (inside the caller's buffer) allow the 8-byte
 * loads; any other shape goes to dec_parse. Same result. */
static bool dec_parse_wide(const char *p, const char *end, const char *limit, char point2, decnum *d) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const char *q = p;
    bool neg = false;
    if (q < end && (*q == '-' || *q == '+')) neg = *q++ == '-';
    static const uint64_t scale[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (limit - q >= 8) {
        uint64_t w;
        memcpy(&w, q, 8);
        unsigned ki = digit_run8(w);
        uint64_t m = ki ? digits8_value(w, ki) : 0;
        if (ki == 8) { /* nine digits and more: an MMSI, a time in seconds */
            if (limit - q < 16) goto general;
            memcpy(&w, q + 8, 8);
            unsigned k2 = digit_run8(w);
            if (k2 == 8) goto general;
            if (k2) m = m * scale[k2] + digits8_value(w, k2);
            ki += k2;
        }
        if ((long)ki <= end - q) {
            const char *r = q + ki;
            int e = 0;
            unsigned kf = 0;
            if (r < end && (*r == '.' || (point2 && *r == point2))) {
                r++;
                if (limit - r < 8) goto general;
                uint64_t x;
                memcpy(&x, r, 8);
                kf = digit_run8(x);
                /* at most 18 digits in all: dec_parse keeps every one of them too */
                if (kf == 8 || (long)kf > end - r || ki + kf > 18) goto general;
                if (kf) m = m * scale[kf] + digits8_value(x, kf);
                e = -(int)kf;
                r += kf;
            }
            if (r == end && ki + kf > 0) {
                d->neg = neg;
                d->m = m;
                d->e = e;
                return true;
            }
        }
    }
general:
#endif
    (void)limit;
    return dec_parse(p, end, point2, d);
}

/* round(d * k * 10^p), half away from zero. False when the result passes 2^62. */
static bool dec_scale_any(const decnum *d, unsigned k, int p, int64_t *out);

/* dec_scale_any, with the case of most cells (an integer read as an integer: a type, an
 * MMSI, a heading, a status) done in line. */
static inline bool dec_scale(const decnum *d, unsigned k, int p, int64_t *out) {
    if (k == 1 && d->e + p == 0) {
        if (d->m > (UINT64_C(1) << 62)) return false;
        *out = d->neg ? -(int64_t)d->m : (int64_t)d->m;
        return true;
    }
    return dec_scale_any(d, k, p, out);
}

static bool dec_scale_any(const decnum *d, unsigned k, int p, int64_t *out) {
    uint64_t mk = d->m * k, v;
    int e = d->e + p;
    if (mk == 0) {
        v = 0;
    } else if (e >= 0) {
        if (e > 18 || mk > pow10_limit[e]) return false;
        v = mk * pow10_u64[e];
    } else if (e < -19) {
        v = 0; /* mk < 6e18: under half of 10^20 */
    } else {
        /* Constant divisors, so the compiler multiplies instead of dividing. */
        uint64_t q;
        switch (-e) {
        case 1: q = mk / 10ULL; break;
        case 2: q = mk / 100ULL; break;
        case 3: q = mk / 1000ULL; break;
        case 4: q = mk / 10000ULL; break;
        case 5: q = mk / 100000ULL; break;
        case 6: q = mk / 1000000ULL; break;
        case 7: q = mk / 10000000ULL; break;
        case 8: q = mk / 100000000ULL; break;
        case 9: q = mk / 1000000000ULL; break;
        case 10: q = mk / 10000000000ULL; break;
        case 11: q = mk / 100000000000ULL; break;
        case 12: q = mk / 1000000000000ULL; break;
        case 13: q = mk / 10000000000000ULL; break;
        case 14: q = mk / 100000000000000ULL; break;
        case 15: q = mk / 1000000000000000ULL; break;
        case 16: q = mk / 10000000000000000ULL; break;
        case 17: q = mk / 100000000000000000ULL; break;
        case 18: q = mk / 1000000000000000000ULL; break;
        default: q = mk / pow10_u64[19]; break;
        }
        uint64_t div = pow10_u64[-e], r = mk - q * div;
        v = q + (r >= div - r);
    }
    if (v > (UINT64_C(1) << 62)) return false;
    *out = d->neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* ---------------------------------------------------------------- times */

static int64_t days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

/* Reads 1..maxd digits. */
static bool rd_int(const char **pp, const char *end, int mind, int maxd, int *v) {
    const char *p = *pp;
    int n = 0, x = 0;
    while (p < end && n < maxd && is_dig(*p)) x = x * 10 + (*p++ - '0'), n++;
    if (n < mind) return false;
    *pp = p;
    *v = x;
    return true;
}

static bool valid_date(int y, int m, int d) {
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
    return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

/* `[T| ]HH:MM[:SS[.fff…]][Z| UTC|±HH[:MM]]` after a date, or nothing (midnight). Sets *ms
 * to the time of day and *utc when the text names its offset (applied to *ms). */
static bool parse_clock(const char *p, const char *end, int64_t *ms, bool *utc) {
    int h = 0, mi = 0, s = 0, frac = 0;
    *ms = 0;
    *utc = false;
    if (p == end) return true;
    if (*p != 'T' && *p != ' ') return false;
    while (p < end && (*p == 'T' || *p == ' ')) p++;
    if (!rd_int(&p, end, 1, 2, &h) || p >= end || *p++ != ':' || !rd_int(&p, end, 2, 2, &mi)) return false;
    if (p < end && *p == ':') {
        p++;
        if (!rd_int(&p, end, 2, 2, &s)) return false;
        if (p < end && (*p == '.' || *p == ',')) {
            int n = 0;
            for (p++; p < end && is_dig(*p); p++, n++)
                if (n < 3) frac = frac * 10 + (*p - '0');
            if (n == 0) return false;
            for (; n < 3; n++) frac *= 10;
        }
    }
    if (h > 23 || mi > 59 || s > 60) return false;
    int64_t off_s = 0;
    while (p < end && *p == ' ') p++;
    if (p < end) {
        if (*p == 'Z' && p + 1 == end) {
            *utc = true;
        } else if (end - p == 3 && prefix_nocase(p, 3, "utc")) {
            *utc = true;
        } else if (*p == '+' || *p == '-') {
            int oh = 0, om = 0;
            bool neg = *p++ == '-';
            if (!rd_int(&p, end, 2, 2, &oh)) return false;
            if (p < end && *p == ':') p++;
            if (p < end && !rd_int(&p, end, 2, 2, &om)) return false;
            if (p != end || oh > 14 || om > 59) return false;
            off_s = (neg ? -1 : 1) * (oh * 3600 + om * 60);
            *utc = true;
        } else {
            return false;
        }
    }
    *ms = ((int64_t)h * 3600 + mi * 60 + s - off_s) * 1000 + frac;
    return true;
}

static bool parse_iso(const char *p, const char *end, int64_t *ms, bool *utc) {
    int y, m, d;
    if (!rd_int(&p, end, 4, 4, &y) || p >= end || (*p != '-' && *p != '/')) return false;
    char sep = *p++;
    if (!rd_int(&p, end, 1, 2, &m) || p >= end || *p++ != sep || !rd_int(&p, end, 1, 2, &d)) return false;
    if (!valid_date(y, m, d)) return false;
    int64_t tod;
    if (!parse_clock(p, end, &tod, utc)) return false;
    *ms = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000 + tod;
    return true;
}

static bool parse_dmy(const char *p, const char *end, bool dayfirst, int64_t *ms, bool *utc) {
    int a, b, y;
    if (!rd_int(&p, end, 1, 2, &a) || p >= end || (*p != '/' && *p != '-' && *p != '.')) return false;
    char sep = *p++;
    if (!rd_int(&p, end, 1, 2, &b) || p >= end || *p++ != sep || !rd_int(&p, end, 4, 4, &y)) return false;
    int d = dayfirst ? a : b, m = dayfirst ? b : a;
    if (!valid_date(y, m, d)) return false;
    int64_t tod;
    if (!parse_clock(p, end, &tod, utc)) return false;
    *ms = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000 + tod;
    return true;
}

/* Seconds or milliseconds since 1970: 1e11 s is the year 5138, 1e11 ms is 1973. Only
 * the years the date forms accept (1900..2200): a time far outside them does not fit a
 * report's date fields (a type 4's year) and is not a time. */
static bool parse_epoch(const char *p, const char *end, int64_t *ms) {
    decnum d;
    int64_t s;
    if (!dec_parse(p, end, 0, &d) || !dec_scale(&d, 1, 0, &s)) return false;
    bool ok = s >= 100000000000 || s <= -100000000000 ? dec_scale(&d, 1, 0, ms) : dec_scale(&d, 1, 3, ms);
    return ok && *ms >= days_from_civil(1900, 1, 1) * 86400000 && *ms < days_from_civil(2201, 1, 1) * 86400000;
}

static bool parse_time(const aw_table_map *map, const char *p, const char *end, bool json_num, int64_t *ms) {
    bool utc = false, ok;
    if (json_num || map->time_form == AW_TIME_EPOCH) return parse_epoch(p, end, ms);
    if (map->time_form == AW_TIME_ISO || (end - p > 4 && p[4] == '-')) {
        ok = parse_iso(p, end, ms, &utc);
        /* An ISO column holding bare numbers is an epoch column. */
        if (!ok && map->time_form == AW_TIME_ISO) return parse_epoch(p, end, ms);
    } else {
        ok = parse_dmy(p, end, map->time_form == AW_TIME_DAYFIRST, ms, &utc);
    }
    if (ok && !utc) *ms -= (int64_t)map->utc_offset_s * 1000;
    return ok;
}

/* ---------------------------------------------------------------- text */

/* Latin-1 letters U+00C0..U+00FF folded to the six-bit alphabet. */
static const char latin1_fold[65] = "AAAAAAACEEEEIIIIDNOOOOOXOUUUUYTSAAAAAAACEEEEIIIIDNOOOOO/OUUUUYTY";

static int hexval(char c) {
    if (is_dig(c)) return c - '0';
    c = lower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* The six-bit character of each ASCII byte as put_text writes it: letters upper-cased,
 * control characters as spaces, the rest of 0x60..0x7F as '?', 0 for '@' (the end). */
static const char ascii_sixbit[128] = {
    ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
    ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
    ' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    0, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '[', '\\', ']', '^', '_',
    '?', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '?', '?', '?', '?', '?',
};

/* Writes a table text into a message text field: upper case, the six-bit alphabet
 * (others as '?'), at most cap-1 characters, trimmed, NUL-terminated; '@' ends the text
 * as it does on the air. The input is valid UTF-8 (checked per row). */
static void put_text(char *out, size_t cap, span s) {
    const char *p = s.p, *end = s.p ? s.p + s.len : s.p; /* an absent text is a null span */
    size_t n = 0, keep = 0;
    while (p < end && n + 1 < cap) {
        uint32_t cp = (unsigned char)*p++;
        /* Most names: plain ASCII, no quote or escape to undo. */
        if (cp < 0x80 && (s.kind == TXT_PLAIN || (cp != '"' && cp != '\\'))) {
            char c = ascii_sixbit[cp];
            if (!c) break;
            if (c == ' ' && n == 0) continue;
            out[n++] = c;
            if (c != ' ') keep = n;
            continue;
        }
        if (cp == '"' && s.kind == TXT_CSVQ && p < end && *p == '"') {
            p++;
        } else if (cp == '\\' && s.kind == TXT_JSON && p < end) {
            char e = *p++;
            cp = e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't' ? ' ' : (unsigned char)e;
            if (e == 'u') {
                cp = 0;
                for (int i = 0; i < 4; i++) {
                    int h = p < end ? hexval(*p) : -1;
                    if (h < 0) break;
                    cp = cp * 16 + (uint32_t)h;
                    p++;
                }
            }
        } else if (cp >= 0x80) {
            int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : 1;
            cp &= 0x3Fu >> more;
            for (; more > 0 && p < end; more--) cp = cp << 6 | ((unsigned char)*p++ & 0x3F);
        }
        char c;
        if (cp >= 'a' && cp <= 'z') c = (char)(cp - 32);
        else if (cp == '@') break;
        else if (cp >= 0x20 && cp < 0x60) c = (char)cp;
        else if (cp < 0x20) c = ' ';
        else if (cp >= 0xC0 && cp <= 0xFF) c = latin1_fold[cp - 0xC0];
        else c = '?';
        if (c == ' ' && n == 0) continue;
        out[n++] = c;
        if (c != ' ') keep = n;
    }
    out[keep] = 0;
}

/* ---------------------------------------------------------------- one row */

typedef struct row {
    uint32_t mmsi;
    int64_t time_ms;
    int32_t lat, lon;
    int32_t sog;         /* 0.1 kn, unclamped (a SAR aircraft goes faster than 102.2 kn); -1 n/a */
    uint16_t cog, heading;
    uint8_t status, cls, shiptype, draught;
    uint32_t imo;
    int dim[4];          /* to_bow, to_stern, to_port, to_starboard in m; -1 absent */
    int length, width;   /* m; -1 absent */
    span name, callsign, destination;
    bool has_mmsi, has_static;
    bool has_pos;        /* a latitude or longitude cell held a value (a n/a code counts) */
    bool no_vessel;      /* a message type that is neither a position nor static data */
    int report_second;   /* the AIS second field when the table has it; -1 otherwise */
    uint8_t msg_type;    /* the AIS message type when the table has it; 0 otherwise */
    uint32_t seen;       /* columns already set: the first alias present wins (JSON) */
} row;

/* Copies n bytes in 16-byte moves: for structs cleared on every row, which the compiler
 * otherwise clears with a `rep stos` or `rep movs` whose start-up cost is paid each time. */
static inline void copy_blocks(void *dst, const void *src, size_t n) {
#if defined(__SSE2__)
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm_storeu_si128((__m128i *)(void *)((char *)dst + i),
                         _mm_loadu_si128((const __m128i *)(const void *)((const char *)src + i)));
    if (i < n) memcpy((char *)dst + i, (const char *)src + i, n - i);
#else
    memcpy(dst, src, n);
#endif
}

/* A row before any cell is read. */
static const row row_blank = {
    .time_ms = AW_TIME_NONE,
    .lat = AW_LAT_NA,
    .lon = AW_LON_NA,
    .sog = -1,
    .cog = AW_COURSE_NA,
    .heading = AW_HEADING_NA,
    .status = 15,
    .dim = {-1, -1, -1, -1},
    .length = -1,
    .width = -1,
    .report_second = -1,
};

static void row_reset(row *r) { copy_blocks(r, &row_blank, sizeof *r); }

static bool is_na_word(const char *p, size_t n) {
    if (n == 0) return true;
    switch (lower(p[0])) {
    case 'u': return eq_nocase(p, n, "unknown", 7) || eq_nocase(p, n, "undefined", 9);
    case 'n':
        return eq_nocase(p, n, "null", 4) || eq_nocase(p, n, "none", 4) || eq_nocase(p, n, "nan", 3) ||
               eq_nocase(p, n, "na", 2) || eq_nocase(p, n, "n/a", 3);
    case '-': return n == 1;
    default: return false;
    }
}

static uint8_t class_of(const char *p, size_t n) {
    if (prefix_nocase(p, n, "class ")) p += 6, n -= 6;
    if (n == 1) {
        char c = lower(p[0]);
        return c == 'a' ? CLS_A : c == 'b' ? CLS_B : CLS_UNKNOWN;
    }
    if (eq_nocase(p, n, "base station", 12)) return CLS_BASE;
    if (eq_nocase(p, n, "aton", 4)) return CLS_ATON;
    if (prefix_nocase(p, n, "sar air")) return CLS_SAR;
    return CLS_UNKNOWN;
}

/* The last time cell read and what it gave: exports sorted by time write the same
 * timestamp on many rows in a row, and parse_time is a function of the text alone. */
typedef struct time_cache {
    char text[40];
    uint8_t len;
    bool json_num, ok;
    int64_t ms;
} time_cache;

static bool parse_time_cached(const aw_table_map *map, time_cache *tc, const char *p, const char *end,
                              bool json_num, int64_t *ms) {
    size_t n = (size_t)(end - p);
    if (n > sizeof tc->text) return parse_time(map, p, end, json_num, ms);
    if (n == tc->len && json_num == tc->json_num && memcmp(p, tc->text, n) == 0) {
        if (tc->ok) *ms = tc->ms;
        return tc->ok;
    }
    int64_t v = 0;
    bool ok = parse_time(map, p, end, json_num, &v);
    memcpy(tc->text, p, n);
    tc->len = (uint8_t)n;
    tc->json_num = json_num;
    tc->ok = ok;
    tc->ms = v;
    if (ok) *ms = v;
    return ok;
}

/* Reads one value into the row. Returns false for an unparsable value. `limit` is the end
 * of the buffer the value lies in: reads may go that far. */
static bool set_field(const aw_table_map *map, time_cache *tc, const char *limit, row *r, int col, span v) {
    const char *p = v.p, *end = v.p + v.len;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
    size_t n = (size_t)(end - p);
    bool text_col = col == AW_COL_NAME || col == AW_COL_CALLSIGN || col == AW_COL_DESTINATION;
    if (text_col) {
        if (n == 0 || (map->format == AW_TABLE_DMA && is_na_word(p, n))) return true;
        span t = {p, (uint32_t)n, v.kind};
        if (col == AW_COL_NAME) r->name = t;
        else if (col == AW_COL_CALLSIGN) r->callsign = t;
        else r->destination = t;
        r->has_static = true;
        return true;
    }
    /* A cell starting with a digit, or '-' and more, is no "not available" word: most
     * cells, spared the call. */
    bool maybe_na = n == 0 || !(is_dig(*p) || (*p == '-' && n > 1));
    if (v.kind != TXT_JSON_NUM && maybe_na && is_na_word(p, n)) return true;
    if (col == AW_COL_TIME) return parse_time_cached(map, tc, p, end, v.kind == TXT_JSON_NUM, &r->time_ms);
    if (col == AW_COL_CLASS) {
        r->cls = class_of(p, n);
        return true;
    }
    if (col == AW_COL_IMO) {
        if (n >= 3 && prefix_nocase(p, n, "imo")) p += 3;
        while (p < end && *p == ' ') p++;
    }
    decnum d;
    bool numeric = dec_parse_wide(p, end, limit, map->delimiter != ',' && map->format != AW_TABLE_JSONL ? ',' : 0, &d);
    if (!numeric && col == AW_COL_STATUS) {
        for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
            if (prefix_nocase(p, n, status_names[i].prefix)) {
                r->status = status_names[i].code;
                break;
            }
        return true; /* "Unknown value" and other words: 15 */
    }
    if (!numeric && col == AW_COL_SHIPTYPE) {
        for (size_t i = 0; i < sizeof shiptype_names / sizeof shiptype_names[0]; i++) {
            const char *s = shiptype_names[i].name;
            if (eq_nocase(p, n, s, strlen(s))) {
                r->shiptype = shiptype_names[i].code;
                r->has_static = true;
                break;
            }
        }
        return true; /* "Reserved", "Undefined": not available */
    }
    if (!numeric) return false;
    int64_t x, fine;
    switch (col) {
    case AW_COL_MMSI:
        if (!dec_scale(&d, 1, 0, &x)) return false;
        /* A fraction must be zero ("123.0"); without a point there is none to check. */
        if (d.e < 0 && (!dec_scale(&d, 1, 1, &fine) || fine != x * 10)) return false;
        if (x < 1 || x > 999999999) return false;
        r->mmsi = (uint32_t)x;
        r->has_mmsi = true;
        return true;
    case AW_COL_LAT:
        if (!dec_scale(&d, 6, 5, &x)) return false;
        if (x != AW_LAT_NA && (x < -54000000 || x > 54000000)) return false;
        r->lat = (int32_t)x;
        r->has_pos = true;
        return true;
    case AW_COL_LON:
        if (!dec_scale(&d, 6, 5, &x)) return false;
        if (x != AW_LON_NA && (x < -108000000 || x > 108000000)) return false;
        r->lon = (int32_t)x;
        r->has_pos = true;
        return true;
    case AW_COL_SECOND:
        if (!dec_scale(&d, 1, 0, &x) || x < 0 || x > 63) return false;
        r->report_second = (int)x;
        return true;
    case AW_COL_MSGTYPE:
        if (!dec_scale(&d, 1, 0, &x) || x < 1 || x > 27) return false;
        r->msg_type = (uint8_t)x;
        switch (x) {
        case 1: case 2: case 3: case 5: case 27: r->cls = CLS_A; break;
        case 18: case 19: case 24: r->cls = CLS_B; break;
        case 4: case 11: r->cls = CLS_BASE; break;
        case 21: r->cls = CLS_ATON; break;
        case 9: r->cls = CLS_SAR; break;
        default: r->no_vessel = true; break;
        }
        return true;
    case AW_COL_SOG:
        if (!dec_scale(&d, 1, 1, &x)) return false;
        /* Exactly 102.3 is the protocol's "not available" written out as a number. */
        if (x == 1023 && (!dec_scale(&d, 1, 2, &fine) || fine == 10230)) x = -1;
        r->sog = x < 0 ? -1 : x > 100000 ? 100000 : (int32_t)x;
        return true;
    case AW_COL_COG:
        if (!dec_scale(&d, 1, 1, &x)) return false;
        /* 359.96 rounds to north; 360.0 is the n/a code. */
        if (x == 3600 && dec_scale(&d, 1, 2, &fine) && fine < 36000) x = 0;
        r->cog = x < 0 || x > 3600 ? AW_COURSE_NA : (uint16_t)x;
        return true;
    case AW_COL_HEADING:
        if (!dec_scale(&d, 1, 0, &x)) return false;
        if (x == 360 && dec_scale(&d, 1, 1, &fine) && fine < 3600) x = 0;
        r->heading = x < 0 || x > 359 ? AW_HEADING_NA : (uint16_t)x;
        return true;
    case AW_COL_STATUS:
        if (!dec_scale(&d, 1, 0, &x)) return false;
        r->status = x < 0 || x > 15 ? 15 : (uint8_t)x;
        return true;
    case AW_COL_SHIPTYPE:
        if (!dec_scale(&d, 1, 0, &x)) return false;
        r->shiptype = x < 0 || x > 255 ? 0 : (uint8_t)x;
        r->has_static |= r->shiptype != 0;
        return true;
    case AW_COL_IMO:
        if (d.neg || !dec_scale(&d, 1, 0, &x)) return false;
        r->imo = x > 0x3FFFFFFF ? 0 : (uint32_t)x; /* 30 bits on the air */
        r->has_static |= r->imo != 0;
        return true;
    case AW_COL_DRAUGHT:
        if (!dec_scale(&d, 1, 1, &x)) return false;
        r->draught = x < 0 ? 0 : x > 255 ? 255 : (uint8_t)x;
        r->has_static |= r->draught != 0;
        return true;
    default: /* dimensions in metres */
        if (!dec_scale(&d, 1, 0, &x)) return false;
        if (x < 0) return true;
        if (x > 1000) x = 1000;
        if (col == AW_COL_LENGTH) r->length = (int)x;
        else if (col == AW_COL_WIDTH) r->width = (int)x;
        else r->dim[col - AW_COL_TO_BOW] = (int)x;
        r->has_static |= x != 0;
        return true;
    }
}

/* ---------------------------------------------------------------- messages */

typedef struct sink {
    aw_decode_stats *st;
    aw_msg_fn fn;
    void *ctx;
    aw_msg_meta meta;
    bool map_has_pos;    /* the table has position columns */
} sink;

static void deliver(sink *k, const aw_msg *m) {
    k->st->messages++;
    k->st->by_type[m->msg_type]++;
    if (k->meta.time_ms == AW_TIME_NONE) k->st->untimed++;
    if (k->fn) k->fn(k->ctx, m, &k->meta);
}

static uint16_t clamp_u(int v, int max) { return v < 0 ? 0 : v > max ? (uint16_t)max : (uint16_t)v; }

/* Dimensions from the reference point: A/B/C/D when the table gives them, else the
 * overall length and width measured from the bow and port side. */
static void row_dims(const row *r, uint16_t *bow, uint16_t *stern, uint8_t *port, uint8_t *stbd) {
    bool abcd = r->dim[0] >= 0 || r->dim[1] >= 0 || r->dim[2] >= 0 || r->dim[3] >= 0;
    *bow = clamp_u(abcd ? r->dim[0] : r->length, 511);
    *stern = clamp_u(abcd ? r->dim[1] : 0, 511);
    *port = (uint8_t)clamp_u(abcd ? r->dim[2] : r->width, 63);
    *stbd = (uint8_t)clamp_u(abcd ? r->dim[3] : 0, 63);
}

/* Zeroes the whole message, every byte: readers may hash or copy it whole. */
static void msg_zero(aw_msg *m) {
    static const aw_msg blank;
    copy_blocks(m, &blank, sizeof *m);
}

static void emit_row(const row *r, sink *k) {
    aw_msg m;
    /* Vessels say 102.2 kn for anything faster; 1023 is reserved for "not available". */
    uint16_t speed = r->sog < 0 ? AW_SPEED_NA : r->sog > 1022 ? 1022 : (uint16_t)r->sog;
    uint8_t second = 60;
    int64_t day = 0, sod = 0;
    if (r->time_ms != AW_TIME_NONE) {
        int64_t s = r->time_ms >= 0 ? r->time_ms / 1000 : -((-r->time_ms + 999) / 1000);
        day = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
        sod = s - day * 86400;
        second = (uint8_t)(sod % 60);
    }
    if (r->report_second >= 0) second = (uint8_t)r->report_second;
    k->meta.time_ms = r->time_ms;

    /* A row of a table that has position columns but leaves them empty carries static
     * data only (a type 5 row of aiswatch's own CSV): no position message for it. */
    bool position = r->has_pos || !k->map_has_pos || !r->has_static;
    if (position) {
        msg_zero(&m);
        switch (r->cls) {
        case CLS_B:
            m.msg_type = 18;
            m.bits = 168;
            m.u.cb.speed = speed;
            m.u.cb.lon = r->lon;
            m.u.cb.lat = r->lat;
            m.u.cb.course = r->cog;
            m.u.cb.heading = r->heading;
            m.u.cb.second = second;
            break;
        case CLS_BASE:
            m.msg_type = 4;
            m.bits = 168;
            if (r->time_ms != AW_TIME_NONE) {
                int y;
                unsigned mo, d;
                civil_from_days(day, &y, &mo, &d);
                m.u.base.year = (uint16_t)y;
                m.u.base.month = (uint8_t)mo;
                m.u.base.day = (uint8_t)d;
                m.u.base.hour = (uint8_t)(sod / 3600);
                m.u.base.minute = (uint8_t)(sod / 60 % 60);
                m.u.base.second = second;
            } else {
                m.u.base.hour = 24, m.u.base.minute = 60, m.u.base.second = 60;
            }
            m.u.base.lon = r->lon;
            m.u.base.lat = r->lat;
            break;
        case CLS_ATON:
            m.msg_type = 21;
            m.bits = 272;
            put_text(m.u.aton.name, sizeof m.u.aton.name, r->name);
            m.u.aton.lon = r->lon;
            m.u.aton.lat = r->lat;
            row_dims(r, &m.u.aton.to_bow, &m.u.aton.to_stern, &m.u.aton.to_port, &m.u.aton.to_starboard);
            m.u.aton.second = second;
            break;
        case CLS_SAR:
            m.msg_type = 9;
            m.bits = 168;
            m.u.sar.alt = 4095;
            m.u.sar.speed = r->sog < 0 ? 1023 : r->sog >= 10220 ? 1022 : (uint16_t)((r->sog + 5) / 10);
            m.u.sar.lon = r->lon;
            m.u.sar.lat = r->lat;
            m.u.sar.course = r->cog;
            m.u.sar.second = second;
            break;
        default:
            /* Keep types 2 and 3 as they were: the type is part of what makes a report. */
            m.msg_type = r->msg_type == 2 || r->msg_type == 3 ? r->msg_type : 1;
            m.bits = 168;
            m.u.pos.status = r->status;
            m.u.pos.turn = AW_TURN_NA;
            m.u.pos.speed = speed;
            m.u.pos.lon = r->lon;
            m.u.pos.lat = r->lat;
            m.u.pos.course = r->cog;
            m.u.pos.heading = r->heading;
            m.u.pos.second = second;
            break;
        }
        m.mmsi = r->mmsi;
        deliver(k, &m);
    }
    if (!r->has_static || r->cls == CLS_BASE || r->cls == CLS_ATON || r->cls == CLS_SAR) return;

    if (r->cls != CLS_B) {
        msg_zero(&m);
        m.mmsi = r->mmsi;
        aw_static_voyage *v = &m.u.voy;
        m.msg_type = 5;
        m.bits = 424;
        v->imo = r->imo;
        put_text(v->callsign, sizeof v->callsign, r->callsign);
        put_text(v->shipname, sizeof v->shipname, r->name);
        v->shiptype = r->shiptype;
        row_dims(r, &v->to_bow, &v->to_stern, &v->to_port, &v->to_starboard);
        v->hour = 24, v->minute = 60; /* ETA not available */
        v->draught = r->draught;
        put_text(v->destination, sizeof v->destination, r->destination);
        deliver(k, &m);
        return;
    }
    /* Class B: part A carries the name, part B the type, call sign and dimensions; a
     * part with nothing to say is not sent. IMO, draught and destination have no place. */
    msg_zero(&m);
    m.mmsi = r->mmsi;
    m.msg_type = 24;
    m.bits = 160;
    put_text(m.u.sb.shipname, sizeof m.u.sb.shipname, r->name);
    if (m.u.sb.shipname[0]) deliver(k, &m);
    msg_zero(&m);
    m.mmsi = r->mmsi;
    m.msg_type = 24;
    m.bits = 168;
    m.u.sb.partno = 1;
    m.u.sb.shiptype = r->shiptype;
    put_text(m.u.sb.callsign, sizeof m.u.sb.callsign, r->callsign);
    row_dims(r, &m.u.sb.to_bow, &m.u.sb.to_stern, &m.u.sb.to_port, &m.u.sb.to_starboard);
    if (m.u.sb.shiptype || m.u.sb.callsign[0] || m.u.sb.to_bow || m.u.sb.to_stern || m.u.sb.to_port ||
        m.u.sb.to_starboard)
        deliver(k, &m);
}

/* ---------------------------------------------------------------- CSV */

typedef struct field {
    const char *p;
    uint32_t len;
    bool quoted;
} field;

/* Splits a line into fields, storing the first `keep`. A field that starts with a quote
 * runs to the matching quote ("" inside is a quote). Returns the number of fields, or
 * -1 for a quote that is never closed (a field broken across lines). */
static long csv_split(const char *p, const char *end, char delim, field *f, unsigned keep) {
    unsigned n = 0;
    for (;;) {
        const char *s = p, *fe;
        bool q = false;
        if (p < end && *p == '"') {
            q = true;
            s = ++p;
            for (;;) {
                const char *qq = memchr(p, '"', (size_t)(end - p));
                if (!qq) return -1;
                if (qq + 1 < end && qq[1] == '"') {
                    p = qq + 2;
                    continue;
                }
                fe = qq;
                p = qq + 1;
                break;
            }
            while (p < end && *p != delim) p++; /* stray text after the closing quote */
        } else {
            const char *d = memchr(p, delim, (size_t)(end - p));
            fe = d ? d : end;
            p = fe;
        }
        if (n < keep) f[n] = (field){s, (uint32_t)(fe - s), q};
        n++;
        if (p >= end) return n;
        p++;
    }
}

/* csv_split for the rows of nearly every export, with no quote: one SSE2 pass finds the
 * delimiters 16 bytes at a time instead of a memchr call per cell, and notes whether the
 * line holds a byte text_ok() must look at (a NUL or one above 0x7F): *plain_ascii is
 * false then, and for every line it hands to csv_split, which it does when the line has a
 * quote anywhere, so the fields are always csv_split's. */
static long csv_split_fast(const char *p, const char *end, char delim, field *f, unsigned keep,
                           bool *plain_ascii) {
#if defined(__SSE2__)
    const __m128i dv = _mm_set1_epi8(delim), qv = _mm_set1_epi8('"'), zv = _mm_setzero_si128();
    const char *s = p, *b = p;
    unsigned n = 0, odd = 0;
    *plain_ascii = false;
    if (end - p < 16) return csv_split(p, end, delim, f, keep);
    for (;;) {
        unsigned seen = 0; /* bytes at the front of w that an earlier block held */
        if (end - b < 16) {
            if (b == end) break;
            seen = (unsigned)(16 - (end - b));
            b = end - 16; /* the last block, reloaded to end at the line's end */
        }
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)b);
        odd |= (unsigned)_mm_movemask_epi8(w) | (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, zv));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(w, qv))) return csv_split(p, end, delim, f, keep);
        unsigned dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, dv)) >> seen << seen;
        for (; dm; dm &= dm - 1) {
            const char *d = b + __builtin_ctz(dm);
            if (n < keep) f[n] = (field){s, (uint32_t)(d - s), false};
            n++;
            s = d + 1;
        }
        b += 16;
    }
    if (n < keep) f[n] = (field){s, (uint32_t)(end - s), false};
    *plain_ascii = odd == 0;
    return n + 1;
#else
    *plain_ascii = false;
    return csv_split(p, end, delim, f, keep);
#endif
}

/* ---------------------------------------------------------------- JSON lines */

static const char *json_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    return p;
}

/* p at an opening quote: returns the closing quote or NULL; *esc when a backslash occurs. */
static const char *json_str_end(const char *p, const char *end, bool *esc) {
    for (p++;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q) return NULL;
        const char *b = q;
        while (b > p && b[-1] == '\\') b--;
        if (b != q) *esc = true;
        if (((q - b) & 1) == 0) return q;
        p = q + 1;
    }
}

/* Skips a nested object or array, strings included; returns the position after it. */
static const char *json_skip_nested(const char *p, const char *end) {
    int depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            bool esc = false;
            p = json_str_end(p, end, &esc);
            if (!p) return NULL;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return p + 1;
        }
        p++;
    }
    return NULL;
}

typedef struct keyset {
    int n;
    uint8_t col[AW_COL_COUNT];
    uint8_t len[AW_COL_COUNT];
    const char *key[AW_COL_COUNT];
    uint32_t user_cols; /* columns the user named: built-in aliases do not feed them */
} keyset;

static int json_col(const keyset *ks, const char *k, size_t n) {
    for (int i = 0; i < ks->n; i++)
        if (ks->len[i] == n && memcmp(ks->key[i], k, n) == 0) return ks->col[i];
    int c = alias_col(k, n);
    return c >= 0 && !(ks->user_cols >> c & 1) ? c : -1;
}

/* One flat JSON object. Returns -1 on success or the reject reason. */
static int json_row(const aw_table_map *map, const keyset *ks, time_cache *tc, const char *p, const char *end,
                    row *r) {
    p = json_ws(p, end);
    if (p >= end || *p != '{') return AW_REJ_BAD_FIELD;
    p = json_ws(p + 1, end);
    if (p < end && *p == '}') return json_ws(p + 1, end) == end ? -1 : AW_REJ_BAD_FIELD;
    for (;;) {
        bool esc = false;
        if (p >= end || *p != '"') return AW_REJ_BAD_FIELD;
        const char *ke = json_str_end(p, end, &esc);
        if (!ke) return AW_REJ_BAD_FIELD;
        int col = esc ? -1 : json_col(ks, p + 1, (size_t)(ke - p - 1));
        p = json_ws(ke + 1, end);
        if (p >= end || *p != ':') return AW_REJ_BAD_FIELD;
        p = json_ws(p + 1, end);
        if (p >= end) return AW_REJ_BAD_FIELD;
        span v = {p, 0, TXT_PLAIN};
        bool null = false;
        if (*p == '"') {
            esc = false;
            const char *se = json_str_end(p, end, &esc);
            if (!se) return AW_REJ_BAD_FIELD;
            v = (span){p + 1, (uint32_t)(se - p - 1), esc ? TXT_JSON : TXT_PLAIN};
            p = se + 1;
        } else if (*p == '{' || *p == '[') {
            p = json_skip_nested(p, end);
            if (!p) return AW_REJ_BAD_FIELD;
            null = true; /* nested values carry nothing we read */
        } else {
            const char *s = p;
            while (p < end && *p != ',' && *p != '}' && *p != ' ' && *p != '\t') p++;
            size_t n = (size_t)(p - s);
            if (eq_nocase(s, n, "null", 4) || eq_nocase(s, n, "true", 4) || eq_nocase(s, n, "false", 5)) null = true;
            v = (span){s, (uint32_t)n, TXT_JSON_NUM};
        }
        if (col >= 0 && !null && !(r->seen >> col & 1)) {
            r->seen |= 1u << col;
            if (!set_field(map, tc, end, r, col, v)) return AW_REJ_BAD_FIELD;
        }
        p = json_ws(p, end);
        if (p >= end) return AW_REJ_BAD_FIELD;
        if (*p == '}') return json_ws(p + 1, end) == end ? -1 : AW_REJ_BAD_FIELD;
        if (*p != ',') return AW_REJ_BAD_FIELD;
        p = json_ws(p + 1, end);
    }
}

/* ---------------------------------------------------------------- lines */

static uint64_t fnv1a(const char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    return h;
}

static bool utf8_valid(const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c == 0) return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t more;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) more = 1;
        else if (c >= 0xE0 && c <= 0xEF) more = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        else if (c >= 0xF0 && c <= 0xF4) more = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        else return false;
        if (i + more >= n) return false;
        if (p[i + 1] < lo || p[i + 1] > hi) return false;
        for (size_t j = 2; j <= more; j++)
            if ((p[i + j] & 0xC0) != 0x80) return false;
        i += more + 1;
    }
    return true;
}

/* The common case is plain ASCII: one branch-free pass tells it, the full check runs
 * only on rows with high bytes or NUL. */
static bool text_ok(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned char hi = 0, zero = 0;
    for (size_t i = 0; i < n; i++) {
        hi |= p[i];
        zero |= p[i] == 0;
    }
    if (zero) return false;
    return hi < 0x80 || utf8_valid(p, n);
}

void aw_table_lines(const aw_table_map *map, const char *buf, size_t len, uint64_t first_line_no,
                    aw_decode_stats *st, aw_msg_fn fn, aw_row_reject_fn reject_fn, void *ctx) {
    const char *p = buf, *end = buf + len;
    uint64_t line_no = first_line_no;
    bool json = map->format == AW_TABLE_JSONL;
    sink k = {st, fn, ctx, {0}, json || map->col[AW_COL_LAT] >= 0 || map->col[AW_COL_LON] >= 0};

    /* Per call, not per row: which fields to read and how far to split. */
    struct { uint8_t col; uint16_t idx; } want[AW_COL_COUNT];
    int nwant = 0;
    unsigned keep = 0;
    keyset ks = {0};
    for (int c = 0; c < AW_COL_COUNT; c++) {
        if (!json && map->col[c] >= 0 && map->col[c] < AW_TABLE_MAX_COLS) {
            want[nwant].col = (uint8_t)c;
            want[nwant++].idx = (uint16_t)map->col[c];
            if ((unsigned)map->col[c] + 1 > keep) keep = (unsigned)map->col[c] + 1;
        }
        if (json && map->json_key[c][0]) {
            ks.col[ks.n] = (uint8_t)c;
            ks.key[ks.n] = map->json_key[c];
            const char *z = memchr(map->json_key[c], 0, sizeof map->json_key[c]);
            ks.len[ks.n++] = (uint8_t)(z ? z - map->json_key[c] : (long)sizeof map->json_key[c]);
            ks.user_cols |= 1u << c;
        }
    }
    field f[AW_TABLE_MAX_COLS];
    row r;
    time_cache tc = {.len = UINT8_MAX}; /* no text is that long: nothing cached yet */

    st->bytes += len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *ls = p, *le = nl ? nl : end;
        p = nl ? nl + 1 : end;
        uint64_t this_line = line_no++;
        st->lines++;
        if (le > ls && le[-1] == '\r') le--;
        if (le - ls >= 3 && memcmp(ls, "\xEF\xBB\xBF", 3) == 0) ls += 3;
        size_t n = (size_t)(le - ls);
        const char *q = ls;
        while (q < le && (*q == ' ' || *q == '\t')) q++;
        if (q == le || *q == '#') {
            st->comments++;
            continue;
        }
        int rej = -1;
        /* A CSV line is split first: the pass that finds its cells also tells whether
         * text_ok() has anything to look at (the outcome is text_ok's either way). */
        long nf = 0;
        bool plain_ascii = false;
        if (!json) nf = csv_split_fast(ls, le, map->delimiter, f, keep, &plain_ascii);
        if (!plain_ascii && !text_ok(ls, n)) {
            rej = AW_REJ_BAD_ENCODING;
        } else if (map->header_len && n == map->header_len && fnv1a(ls, n) == map->header_hash) {
            st->comments++;
            continue;
        } else {
            row_reset(&r);
            if (json) {
                rej = json_row(map, &ks, &tc, ls, le, &r);
            } else {
                if (nf < 0) rej = AW_REJ_BAD_FIELD;
                else if ((unsigned long)nf != map->ncols) rej = AW_REJ_SHORT_ROW;
                for (int i = 0; rej < 0 && i < nwant; i++) {
                    const field *fl = &f[want[i].idx];
                    span v = {fl->p, fl->len, fl->quoted ? TXT_CSVQ : TXT_PLAIN};
                    if (!set_field(map, &tc, end, &r, want[i].col, v)) rej = AW_REJ_BAD_FIELD;
                }
            }
            if (rej < 0 && !r.has_mmsi) rej = AW_REJ_BAD_FIELD;
        }
        if (rej >= 0) {
            st->rejects[rej]++;
            if (reject_fn) reject_fn(ctx, this_line, (aw_reject)rej, ls, n);
            continue;
        }
        if (r.no_vessel) { /* e.g. a type 8 or 20 row of aiswatch's own CSV */
            st->non_vessel_rows++;
            continue;
        }
        k.meta.line_no = this_line;
        uint64_t before = st->messages;
        emit_row(&r, &k);
        /* Static data a station cannot carry (a base station's name) or that no class B
         * message has room for (IMO, draught): counted, never silently gone. */
        if (st->messages == before) st->non_vessel_rows++;
    }
}

/* ---------------------------------------------------------------- detection */

static void set_err(char *err, size_t cap, const char *fmt, const char *a, size_t alen) {
    if (err && cap) snprintf(err, cap, fmt, (int)alen, a);
}

/* Header cell without quotes and surrounding blanks. */
static void cell_trim(const field *c, const char **s, size_t *n) {
    const char *p = c->p, *e = c->p + c->len;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *s = p;
    *n = (size_t)(e - p);
}

static char pick_delimiter(const char *p, const char *end) {
    static const char cand[] = {',', ';', '\t', '|'};
    size_t best = 0;
    char d = ',';
    for (size_t i = 0; i < sizeof cand; i++) {
        size_t n = 0;
        for (const char *q = p; q < end; q++) n += *q == cand[i];
        if (n > best) best = n, d = cand[i];
    }
    return d;
}

/* NOAA and DMA headers: every cell the reader knows is mapped by name. */
static void map_named_header(aw_table_map *map, const field *f, unsigned n, bool dma) {
    for (unsigned i = 0; i < n && i < AW_TABLE_MAX_COLS; i++) {
        const char *s;
        size_t len;
        cell_trim(&f[i], &s, &len);
        int c = alias_col(s, len);
        if (dma && len == 1) {
            char x = lower(s[0]);
            c = x == 'a' ? AW_COL_TO_BOW : x == 'b' ? AW_COL_TO_STERN : x == 'c' ? AW_COL_TO_PORT
                : x == 'd' ? AW_COL_TO_STARBOARD : -1;
        }
        if (c >= 0 && map->col[c] < 0) map->col[c] = (int)i;
    }
}

static int parse_tz(const char *s, size_t n, int32_t *off) {
    if (eq_nocase(s, n, "z", 1) || eq_nocase(s, n, "utc", 3)) {
        *off = 0;
        return 0;
    }
    const char *p = s, *end = s + n;
    int h = 0, m = 0;
    if (p >= end || (*p != '+' && *p != '-')) return -1;
    bool neg = *p++ == '-';
    if (!rd_int(&p, end, 1, 2, &h)) return -1;
    if (p < end && *p == ':') p++;
    if (p < end && !rd_int(&p, end, 2, 2, &m)) return -1;
    if (p != end || h > 14 || m > 59) return -1;
    *off = (neg ? -1 : 1) * (h * 3600 + m * 60);
    return 0;
}

/* The options after the first ';' of --columns. */
static int parse_options(const char *p, aw_table_map *map, char *err, size_t errcap) {
    while (*p) {
        if (*p == ';') {
            p++;
            continue;
        }
        if (strncmp(p, "delimiter=", 10) == 0) {
            p += 10;
            const char *v = p;
            /* The value may itself be ';', so the first character is taken as is. */
            size_t n = strcspn(p + (*p ? 1 : 0), ";") + (*p ? 1 : 0);
            if (eq_nocase(v, n, "tab", 3) || (n == 2 && v[0] == '\\' && v[1] == 't')) map->delimiter = '\t';
            else if (n == 1 && (v[0] == ',' || v[0] == ';' || v[0] == '\t' || v[0] == '|')) map->delimiter = v[0];
            else return set_err(err, errcap, "--columns: unknown delimiter '%.*s'", v, n), -1;
            p = v + n;
            continue;
        }
        size_t n = strcspn(p, ";");
        if (n > 5 && strncmp(p, "time=", 5) == 0) {
            const char *v = p + 5;
            size_t vn = n - 5;
            if (eq_nocase(v, vn, "iso", 3)) map->time_form = AW_TIME_ISO;
            else if (eq_nocase(v, vn, "dayfirst", 8)) map->time_form = AW_TIME_DAYFIRST;
            else if (eq_nocase(v, vn, "monthfirst", 10)) map->time_form = AW_TIME_MONTHFIRST;
            else if (eq_nocase(v, vn, "epoch", 5)) map->time_form = AW_TIME_EPOCH;
            else return set_err(err, errcap, "--columns: unknown time form '%.*s'", v, vn), -1;
        } else if (n > 3 && strncmp(p, "tz=", 3) == 0) {
            if (parse_tz(p + 3, n - 3, &map->utc_offset_s) < 0)
                return set_err(err, errcap, "--columns: bad tz '%.*s' (want +HH:MM)", p + 3, n - 3), -1;
        } else {
            return set_err(err, errcap, "--columns: unknown option '%.*s'", p, n), -1;
        }
        p += n;
    }
    return 0;
}

int aw_table_detect(const char *head, size_t len, const char *columns, aw_table_map *map, char *err,
                    size_t errcap) {
    memset(map, 0, sizeof *map);
    map->format = AW_TABLE_NONE;
    map->delimiter = ',';
    map->time_form = AW_TIME_ISO;
    for (int c = 0; c < AW_COL_COUNT; c++) map->col[c] = -1;
    if (err && errcap) err[0] = 0;

    /* The first line that is not blank. */
    const char *p = head, *end = head + len, *ls = p, *le = p;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        ls = p;
        le = nl ? nl : end;
        if (le > ls && le[-1] == '\r') le--;
        const char *q = ls;
        while (q < le && (*q == ' ' || *q == '\t')) q++;
        if (q < le) break;
        p = nl ? nl + 1 : end;
        ls = le = p;
    }
    if (ls == le && !columns) return AW_TABLE_NONE;
    const char *q = ls;
    while (q < le && (*q == ' ' || *q == '\t')) q++;
    bool json = q < le && *q == '{';

    /* The mapping's field list: up to the first ';'. */
    const char *fields = columns, *opts = NULL;
    size_t fields_len = 0;
    if (columns) {
        const char *semi = strchr(columns, ';');
        fields_len = semi ? (size_t)(semi - columns) : strlen(columns);
        opts = semi;
        if (opts && parse_options(opts, map, err, errcap) < 0) return -1;
    }

    if (json) {
        map->format = AW_TABLE_JSONL;
        for (const char *f = fields; f && f < columns + fields_len;) {
            size_t n = strcspn(f, ",;");
            if (n > fields_len - (size_t)(f - columns)) n = fields_len - (size_t)(f - columns);
            const char *eq = memchr(f, '=', n);
            if (n == 0) {
                f++;
                continue;
            }
            if (!eq) return set_err(err, errcap, "--columns: '%.*s' is not field=KEY", f, n), -1;
            int c = alias_col(f, (size_t)(eq - f));
            if (c < 0) return set_err(err, errcap, "--columns: unknown field '%.*s'", f, (size_t)(eq - f)), -1;
            size_t kn = n - (size_t)(eq + 1 - f);
            if (kn == 0 || kn >= sizeof map->json_key[c])
                return set_err(err, errcap, "--columns: bad JSON key '%.*s'", eq + 1, kn), -1;
            memcpy(map->json_key[c], eq + 1, kn);
            map->json_key[c][kn] = 0;
            f += n + 1;
        }
        return map->format;
    }

    field hdr[AW_TABLE_MAX_COLS];
    if (!columns) {
        /* The header names the format. */
        bool dma = prefix_nocase(q, (size_t)(le - q), "# timestamp");
        if (dma) map->delimiter = pick_delimiter(ls, le);
        long n = csv_split(ls, le, map->delimiter, hdr, AW_TABLE_MAX_COLS);
        if (n < 2) return AW_TABLE_NONE;
        const char *s0, *s1;
        size_t n0, n1;
        cell_trim(&hdr[0], &s0, &n0);
        cell_trim(&hdr[1], &s1, &n1);
        bool noaa = eq_nocase(s0, n0, "mmsi", 4) && eq_nocase(s1, n1, "basedatetime", 12);
        bool own = eq_nocase(s0, n0, "time", 4) && eq_nocase(s1, n1, "msg_type", 8);
        if (!noaa && !dma && !own) return AW_TABLE_NONE;
        map->format = noaa ? AW_TABLE_NOAA : own ? AW_TABLE_AISWATCH : AW_TABLE_DMA;
        map->time_form = noaa || own ? AW_TIME_ISO : AW_TIME_DAYFIRST;
        map_named_header(map, hdr, (unsigned)n, dma);
        if (map->col[AW_COL_MMSI] < 0 || map->col[AW_COL_LAT] < 0 || map->col[AW_COL_LON] < 0)
            return map->format = AW_TABLE_NONE;
        map->ncols = (unsigned)n;
        map->has_header = true;
        map->header_len = (uint32_t)(le - ls);
        map->header_hash = fnv1a(ls, (size_t)(le - ls));
        return map->format;
    }

    /* A mapped CSV: resolve each field=COLUMN against the header. */
    map->format = AW_TABLE_CSV_MAPPED;
    bool delim_given = opts && strstr(opts, "delimiter=");
    if (!delim_given) map->delimiter = pick_delimiter(ls, le);
    long nh = ls < le ? csv_split(ls, le, map->delimiter, hdr, AW_TABLE_MAX_COLS) : 0;
    if (nh < 0) return set_err(err, errcap, "--columns: the first line has an unclosed quote%.*s", "", 0), -1;
    bool by_name = false;
    for (const char *f = fields; f < columns + fields_len;) {
        size_t n = strcspn(f, ",;");
        if (n > fields_len - (size_t)(f - columns)) n = fields_len - (size_t)(f - columns);
        if (n == 0) {
            f++;
            continue;
        }
        const char *eq = memchr(f, '=', n);
        if (!eq) return set_err(err, errcap, "--columns: '%.*s' is not field=COLUMN", f, n), -1;
        int c = alias_col(f, (size_t)(eq - f));
        if (c < 0) return set_err(err, errcap, "--columns: unknown field '%.*s'", f, (size_t)(eq - f)), -1;
        const char *v = eq + 1;
        size_t vn = n - (size_t)(v - f);
        size_t i = 0;
        bool digits = vn > 0 && vn < 5;
        for (i = 0; i < vn; i++) digits &= is_dig(v[i]);
        long idx = -1;
        if (digits) {
            idx = strtol(v, NULL, 10) - 1;
            if (idx < 0 || idx >= AW_TABLE_MAX_COLS || (nh > 0 && idx >= nh))
                return set_err(err, errcap, "--columns: column %.*s is past the end of the first line", v, vn), -1;
        } else {
            for (long h = 0; h < nh && h < AW_TABLE_MAX_COLS; h++) {
                const char *s;
                size_t sn;
                cell_trim(&hdr[h], &s, &sn);
                bool same = sn == vn;
                for (size_t j = 0; same && j < vn; j++) same = lower(s[j]) == lower(v[j]);
                if (same) {
                    idx = h;
                    break;
                }
            }
            if (idx < 0) return set_err(err, errcap, "--columns: no column '%.*s' in the header", v, vn), -1;
            by_name = true;
        }
        map->col[c] = (int)idx;
        f += n + 1;
    }
    if (map->col[AW_COL_MMSI] < 0) return set_err(err, errcap, "--columns: no mmsi column%.*s", "", 0), -1;
    if ((map->col[AW_COL_LAT] < 0) != (map->col[AW_COL_LON] < 0))
        return set_err(err, errcap, "--columns: lat and lon go together%.*s", "", 0), -1;
    map->ncols = (unsigned)nh;
    /* With indexes only, a first line whose MMSI cell is not a number is a header. */
    map->has_header = by_name;
    if (!by_name && nh > map->col[AW_COL_MMSI]) {
        const field *m = &hdr[map->col[AW_COL_MMSI]];
        decnum d;
        const char *s;
        size_t sn;
        cell_trim(m, &s, &sn);
        map->has_header = !dec_parse(s, s + sn, 0, &d);
    }
    if (map->has_header) {
        map->header_len = (uint32_t)(le - ls);
        map->header_hash = fnv1a(ls, (size_t)(le - ls));
    }
    return map->format;
}
