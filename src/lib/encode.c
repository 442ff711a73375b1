/* encode.c — AIS payload and NMEA sentence encoding (contract in aiswatch/encode.h).
 *
 * Written for the simulator and the demo, which generate up to 10^8 messages: fields go
 * straight into armoured characters through a 64-bit accumulator, with no intermediate
 * bit array and no printf. The output length of each message type is fixed, so the
 * buffer is checked once up front and the layouts below write without bounds checks.
 * Out-of-range field values are OR-ed into one flag that is tested once at the end,
 * which keeps the per-field path free of error branches.
 */
#include "aiswatch/encode.h"

#include <string.h>

/* Six-bit value -> payload armour character (the inverse of the decoder's table). */
static const char ARMOUR[65] = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw";
static const char HEX[17] = "0123456789ABCDEF";

/* Payload bit lengths of what we encode. */
enum { BITS_POS = 168, BITS_VOYAGE = 424, BITS_CLASSB = 168, BITS_STATIC_B = 168 };

typedef struct sixw {
    uint64_t acc;   /* pending bits in the low `nbits` bits; higher bits are stale */
    unsigned nbits; /* 0..5 between calls */
    uint32_t over;  /* non-zero once any field has overflowed its width */
    char *out;
} sixw;

/* Append `width` (1..30) bits of v, MSB first; emit every completed character. */
static inline void put_u(sixw *w, uint32_t v, unsigned width) {
    uint32_t mask = (1u << width) - 1u;
    w->over |= v & ~mask;
    w->acc = (w->acc << width) | (v & mask);
    w->nbits += width;
    while (w->nbits >= 6) {
        w->nbits -= 6;
        *w->out++ = ARMOUR[(w->acc >> w->nbits) & 63u];
    }
}

/* Two's complement in `width` bits; values outside [-2^(width-1), 2^(width-1)) overflow. */
static inline void put_s(sixw *w, int32_t v, unsigned width) {
    int64_t half = (int64_t)1 << (width - 1);
    w->over |= (uint32_t)((int64_t)v < -half || (int64_t)v >= half);
    put_u(w, (uint32_t)v & ((1u << width) - 1u), width);
}

static inline void put_b(sixw *w, bool b) { put_u(w, b ? 1u : 0u, 1); }

/* ASCII -> six-bit value, folding what the alphabet lacks (see encode.h). */
static inline uint32_t sixbit_of(unsigned char c) {
    if (c >= 'a' && c <= '~')
        c = (unsigned char)(c - 32); /* a-z { | } ~ -> A-Z [ \ ] ^ */
    else if (c == '`')
        c = '\'';
    if (c >= 64 && c <= 95) return c - 64u;
    if (c >= 32 && c <= 63) return c;
    return 32; /* space: keeps the rest of the text instead of ending it like '@' would */
}

/* `nchars` characters of s (NUL-terminated or exactly nchars long), '@'-padded. */
static void put_text(sixw *w, const char *s, unsigned nchars) {
    unsigned i = 0;
    for (; i < nchars && s[i]; i++) put_u(w, sixbit_of((unsigned char)s[i]), 6);
    for (; i < nchars; i++) put_u(w, 0, 6);
}

static void put_header(sixw *w, const aw_msg *m) {
    put_u(w, m->msg_type, 6);
    put_u(w, m->repeat, 2);
    put_u(w, m->mmsi, 30);
}

static void layout_pos(sixw *w, const aw_msg *m) { /* types 1-3 */
    const aw_pos_report *p = &m->u.pos;
    put_header(w, m);
    put_u(w, p->status, 4);
    put_s(w, p->turn, 8);
    put_u(w, p->speed, 10);
    put_b(w, p->accuracy);
    put_s(w, p->lon, 28);
    put_s(w, p->lat, 27);
    put_u(w, p->course, 12);
    put_u(w, p->heading, 9);
    put_u(w, p->second, 6);
    put_u(w, p->maneuver, 2);
    put_u(w, p->spare, 3);
    put_b(w, p->raim);
    put_u(w, p->radio, 19);
}

static void layout_voyage(sixw *w, const aw_msg *m) { /* type 5 */
    const aw_static_voyage *v = &m->u.voy;
    put_header(w, m);
    put_u(w, v->ais_version, 2);
    put_u(w, v->imo, 30);
    put_text(w, v->callsign, 7);
    put_text(w, v->shipname, 20);
    put_u(w, v->shiptype, 8);
    put_u(w, v->to_bow, 9);
    put_u(w, v->to_stern, 9);
    put_u(w, v->to_port, 6);
    put_u(w, v->to_starboard, 6);
    put_u(w, v->epfd, 4);
    put_u(w, v->month, 4);
    put_u(w, v->day, 5);
    put_u(w, v->hour, 5);
    put_u(w, v->minute, 6);
    put_u(w, v->draught, 8);
    put_text(w, v->destination, 20);
    put_b(w, v->dte);
    put_u(w, 0, 1); /* spare */
}

static void layout_classb(sixw *w, const aw_msg *m) { /* type 18 */
    const aw_classb_pos *b = &m->u.cb;
    put_header(w, m);
    put_u(w, b->reserved, 8);
    put_u(w, b->speed, 10);
    put_b(w, b->accuracy);
    put_s(w, b->lon, 28);
    put_s(w, b->lat, 27);
    put_u(w, b->course, 12);
    put_u(w, b->heading, 9);
    put_u(w, b->second, 6);
    put_u(w, b->regional, 2);
    put_b(w, b->cs);
    put_b(w, b->display);
    put_b(w, b->dsc);
    put_b(w, b->band);
    put_b(w, b->msg22);
    put_b(w, b->assigned);
    put_b(w, b->raim);
    put_u(w, b->radio, 20);
}

static bool is_auxiliary_mmsi(uint32_t mmsi) { return mmsi / 10000000u == 98u; }

static void layout_static_b(sixw *w, const aw_msg *m) { /* type 24, partno checked by caller */
    const aw_static_b *s = &m->u.sb;
    put_header(w, m);
    put_u(w, s->partno, 2);
    if (s->partno == 0) {
        put_text(w, s->shipname, 20);
        put_u(w, 0, 8); /* spare: M.1371-5 makes part A a full 168-bit slot */
        return;
    }
    put_u(w, s->shiptype, 8);
    put_text(w, s->vendorid, 3);
    put_u(w, s->model, 4);
    put_u(w, s->serial, 20);
    put_text(w, s->callsign, 7);
    if (is_auxiliary_mmsi(m->mmsi)) {
        put_u(w, s->mothership_mmsi, 30);
    } else {
        put_u(w, s->to_bow, 9);
        put_u(w, s->to_stern, 9);
        put_u(w, s->to_port, 6);
        put_u(w, s->to_starboard, 6);
    }
    put_u(w, 0, 6); /* spare */
}

int aw_ais_encode(const aw_msg *m, char *payload, size_t cap, unsigned *fill_bits) {
    if (!m || !payload) return AW_ENC_ERR_OPTS;
    unsigned nbits;
    switch (m->msg_type) {
    case 1: case 2: case 3: nbits = BITS_POS; break;
    case 5: nbits = BITS_VOYAGE; break;
    case 18: nbits = BITS_CLASSB; break;
    case 24:
        if (m->u.sb.partno > 1) return AW_ENC_ERR_TYPE;
        nbits = BITS_STATIC_B;
        break;
    default: return AW_ENC_ERR_TYPE;
    }
    unsigned nchars = (nbits + 5) / 6;
    if (cap < nchars) return AW_ENC_ERR_SPACE;

    sixw w = {.acc = 0, .nbits = 0, .over = 0, .out = payload};
    switch (m->msg_type) {
    case 5: layout_voyage(&w, m); break;
    case 18: layout_classb(&w, m); break;
    case 24: layout_static_b(&w, m); break;
    default: layout_pos(&w, m); break;
    }
    if (w.nbits) /* the last character's low bits are the fill */
        *w.out++ = ARMOUR[(w.acc << (6 - w.nbits)) & 63u];
    if (w.over) return AW_ENC_ERR_RANGE;
    if (cap > nchars) payload[nchars] = '\0';
    if (fill_bits) *fill_bits = nchars * 6 - nbits;
    return (int)nchars;
}

/* ---- sentence layer ---------------------------------------------------------- */

/* XOR of n bytes, eight at a time: the NMEA checksum over a whole sentence. */
static unsigned nmea_xor(const char *p, size_t n) {
    uint64_t x = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        x ^= word;
    }
    x ^= x >> 32;
    x ^= x >> 16;
    x ^= x >> 8;
    unsigned c = (unsigned)(x & 0xffu);
    for (; i < n; i++) c ^= (unsigned char)p[i];
    return c;
}

static bool is_armour(unsigned char c) { return (c >= 48 && c <= 87) || (c >= 96 && c <= 119); }

static bool valid_talker(const char *t) {
    for (int i = 0; i < 5; i++) {
        char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    }
    return t[5] == '\0';
}

/* Tag-block source: printable, no NMEA delimiters, at most 15 characters. Returns the
 * length, or -1 when invalid. */
static int source_len(const char *s) {
    if (!s) return 0;
    int n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (n >= 15 || c <= ' ' || c >= 127 || c == ',' || c == '*' || c == '\\' || c == '!' ||
            c == '$')
            return -1;
    }
    return n;
}

static char *put_uint(char *p, uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static char *put_int(char *p, int64_t v) {
    if (v < 0) {
        *p++ = '-';
        return put_uint(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_uint(p, (uint64_t)v);
}

/* Tag block for fragment `frag` of `nfrag` into tb (>= 64 bytes); 0 when it would be
 * empty. Longest: \g:9-9-99999,c:-9223372036854775808,s:<15 chars>*hh\ = 57 bytes. */
static size_t tag_block(char *tb, const aw_encode_opts *o, unsigned frag, unsigned nfrag, int srclen) {
    char *p = tb + 1;
    tb[0] = '\\';
    bool group = o->tags == AW_TAG_GROUP && nfrag > 1;
    bool stamp = frag == 1 || group; /* grouped fragments each carry c: and s:, as ORBCOMM does */
    if (group) {
        *p++ = 'g';
        *p++ = ':';
        *p++ = (char)('0' + frag);
        *p++ = '-';
        *p++ = (char)('0' + nfrag);
        *p++ = '-';
        p = put_uint(p, o->group_id);
    }
    if (stamp && o->has_time) {
        if (p > tb + 1) *p++ = ',';
        *p++ = 'c';
        *p++ = ':';
        p = put_int(p, o->time_s);
    }
    if (stamp && srclen > 0) {
        if (p > tb + 1) *p++ = ',';
        *p++ = 's';
        *p++ = ':';
        memcpy(p, o->source, (size_t)srclen);
        p += srclen;
    }
    if (p == tb + 1) return 0;
    unsigned ck = nmea_xor(tb + 1, (size_t)(p - (tb + 1)));
    *p++ = '*';
    *p++ = HEX[ck >> 4];
    *p++ = HEX[ck & 15u];
    *p++ = '\\';
    return (size_t)(p - tb);
}

int aw_nmea_wrap(const char *payload, size_t len, unsigned fill_bits, const aw_encode_opts *o,
                 char *out, size_t cap) {
    static const aw_encode_opts defaults = {0};
    if (!o) o = &defaults;
    const char *talker = o->talker ? o->talker : "AIVDM";
    char chan = o->channel;
    bool chan_ok = chan == 0 || (chan >= 'A' && chan <= 'Z') || (chan >= '0' && chan <= '9');
    int srclen = source_len(o->source);
    if (!payload || !out || len == 0 || len > 9u * AW_ENC_FRAGMENT_CHARS || fill_bits > 5 ||
        !valid_talker(talker) || !chan_ok || o->seq_id > 9 || o->tags > AW_TAG_GROUP || srclen < 0 ||
        (o->tags == AW_TAG_GROUP && o->group_id > 99999))
        return AW_ENC_ERR_OPTS;

    unsigned nfrag = (unsigned)((len + AW_ENC_FRAGMENT_CHARS - 1) / AW_ENC_FRAGMENT_CHARS);
    size_t pos = 0;
    for (unsigned i = 1; i <= nfrag; i++) {
        char tb[64];
        size_t tblen = o->tags != AW_TAG_NONE ? tag_block(tb, o, i, nfrag, srclen) : 0;
        size_t off = (size_t)(i - 1) * AW_ENC_FRAGMENT_CHARS;
        size_t flen = len - off < AW_ENC_FRAGMENT_CHARS ? len - off : AW_ENC_FRAGMENT_CHARS;
        /* "!" talker ",n,i," seq "," chan "," payload "," fill "*hh\r\n" */
        size_t need = tblen + 20 + (nfrag > 1) + (chan != 0) + flen;
        if (cap - pos < need) return AW_ENC_ERR_SPACE;

        char *p = out + pos;
        memcpy(p, tb, tblen);
        p += tblen;
        char *start = p;
        *p++ = '!';
        memcpy(p, talker, 5);
        p += 5;
        *p++ = ',';
        *p++ = (char)('0' + nfrag);
        *p++ = ',';
        *p++ = (char)('0' + i);
        *p++ = ',';
        if (nfrag > 1) *p++ = (char)('0' + o->seq_id);
        *p++ = ',';
        if (chan) *p++ = chan;
        *p++ = ',';
        for (size_t k = 0; k < flen; k++) {
            unsigned char c = (unsigned char)payload[off + k];
            if (!is_armour(c)) return AW_ENC_ERR_OPTS;
            p[k] = (char)c;
        }
        p += flen;
        *p++ = ',';
        *p++ = (char)('0' + (i == nfrag ? fill_bits : 0u));
        unsigned ck = nmea_xor(start + 1, (size_t)(p - (start + 1)));
        *p++ = '*';
        *p++ = HEX[ck >> 4];
        *p++ = HEX[ck & 15u];
        *p++ = '\r';
        *p++ = '\n';
        pos = (size_t)(p - out);
    }
    if (pos < cap) out[pos] = '\0';
    return (int)pos;
}

int aw_nmea_encode(const aw_msg *m, const aw_encode_opts *o, char *out, size_t cap) {
    char payload[AW_ENC_PAYLOAD_MAX + 1];
    unsigned fill = 0;
    int n = aw_ais_encode(m, payload, sizeof payload, &fill);
    if (n < 0) return n;
    return aw_nmea_wrap(payload, (size_t)n, fill, o, out, cap);
}

const char *aw_enc_err_name(int err) {
    switch (err) {
    case AW_ENC_ERR_TYPE: return "unsupported_type";
    case AW_ENC_ERR_SPACE: return "no_space";
    case AW_ENC_ERR_RANGE: return "range";
    case AW_ENC_ERR_OPTS: return "bad_argument";
    default: return err >= 0 ? "ok" : "unknown";
    }
}
