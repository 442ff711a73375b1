/* test_encode_roundtrip.c — the encoder is the exact inverse of the decoder.
 *
 * Property: for random messages of types 1, 2, 3, 5, 18, 24A and 24B with every field
 * drawn across its whole bit range (not-available codes, extremes and negative
 * positions favoured), encode -> aw_ais_decode gives back every field, a decoded message
 * is a fixed point of decode(encode()), and the NMEA sentences are well formed with
 * correct checksums, carry that payload, and come back whole through aiswatch's own NMEA
 * reader. Real captures (gpsd, DMA) re-encode to the identical payloads; fixed vectors
 * are rebuilt byte for byte; error paths return the documented codes.
 */
#include "aiswatch/ais.h"
#include "aiswatch/encode.h"
#include "aiswatch/nmea.h"

#include "check.h"

#include <ctype.h>
#include <stdint.h>

enum { RANDOM_MESSAGES = 120000, MAX_REPORTED_FAILURES = 40 };

/* ---- seeded PRNG (splitmix64), state owned by the caller ---------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t rng_below(rng *r, uint32_t n) { return (uint32_t)(rng_next(r) % n); }

/* Any value of `width` bits; one draw in four is a special value instead. */
static uint32_t draw_u(rng *r, unsigned width, const uint32_t *special, size_t nspecial) {
    uint32_t max = width >= 32 ? 0xffffffffu : (1u << width) - 1u;
    uint32_t pick = rng_below(r, 8);
    if (pick == 0) return max;
    if (pick == 1) return 0;
    if (pick == 2 && nspecial) return special[rng_below(r, (uint32_t)nspecial)];
    return (uint32_t)rng_next(r) & max;
}

static int32_t draw_s(rng *r, unsigned width, const int32_t *special, size_t nspecial) {
    int32_t lo = -(int32_t)(1u << (width - 1)), hi = (int32_t)(1u << (width - 1)) - 1;
    uint32_t pick = rng_below(r, 8);
    if (pick == 0) return lo;
    if (pick == 1) return hi;
    if (pick == 2 && nspecial) return special[rng_below(r, (uint32_t)nspecial)];
    return lo + (int32_t)(rng_next(r) % ((uint64_t)1 << width));
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char SIXBIT[65] = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

/* Random text of up to `n` characters from the whole six-bit alphabet, '@' included
 * (mid-text '@' is where a decoder stops), with some lower-case letters mixed in. */
static void draw_text(rng *r, char *out, unsigned n) {
    unsigned len = rng_below(r, 4) == 0 ? n : rng_below(r, n + 1);
    for (unsigned i = 0; i < len; i++) {
        uint32_t k = rng_below(r, 80);
        if (k == 0 && rng_below(r, 4) != 0) k = 1 + rng_below(r, 63); /* '@' rarer: keep texts long */
        out[i] = k < 64 ? SIXBIT[k] : (char)('a' + (k - 64));
    }
    out[len] = '\0';
}

/* What the decoder must return for text the encoder was given: lower case folded, then
 * everything from the first '@' on and trailing spaces removed (AIVDM decoding rules). */
static void expect_text(const char *in, unsigned n, char *out) {
    unsigned i = 0;
    for (; i < n && in[i]; i++) {
        char c = (char)toupper((unsigned char)in[i]);
        if (c == '@') break;
        out[i] = c;
    }
    while (i > 0 && out[i - 1] == ' ') i--;
    out[i] = '\0';
}

/* ---- random messages ------------------------------------------------------------ */

static const int32_t LAT_SPECIAL[] = {AW_LAT_NA, 54000000, -54000000, 0, -1, 1};
static const int32_t LON_SPECIAL[] = {AW_LON_NA, 108000000, -108000000, 0, -1, 1};
static const uint32_t SPEED_SPECIAL[] = {AW_SPEED_NA, 1022, 0, 1};
static const uint32_t COURSE_SPECIAL[] = {AW_COURSE_NA, 3599, 0};
static const uint32_t HEADING_SPECIAL[] = {AW_HEADING_NA, 359, 0};
static const uint32_t SECOND_SPECIAL[] = {60, 61, 62, 63, 59};
static const uint32_t MMSI_SPECIAL[] = {999999999, 100000000, 980000000, 989999999, 366123456};
static const int32_t TURN_SPECIAL[] = {AW_TURN_NA, -127, 127, 0, 126, -126};

static uint32_t draw_mmsi(rng *r) { return draw_u(r, 30, MMSI_SPECIAL, N_OF(MMSI_SPECIAL)); }

static void random_pos(rng *r, aw_msg *m) {
    aw_pos_report *p = &m->u.pos;
    m->msg_type = (uint8_t)(1 + rng_below(r, 3));
    p->status = (uint8_t)draw_u(r, 4, NULL, 0);
    p->turn = (int8_t)draw_s(r, 8, TURN_SPECIAL, N_OF(TURN_SPECIAL));
    p->speed = (uint16_t)draw_u(r, 10, SPEED_SPECIAL, N_OF(SPEED_SPECIAL));
    p->accuracy = rng_below(r, 2);
    p->lon = draw_s(r, 28, LON_SPECIAL, N_OF(LON_SPECIAL));
    p->lat = draw_s(r, 27, LAT_SPECIAL, N_OF(LAT_SPECIAL));
    p->course = (uint16_t)draw_u(r, 12, COURSE_SPECIAL, N_OF(COURSE_SPECIAL));
    p->heading = (uint16_t)draw_u(r, 9, HEADING_SPECIAL, N_OF(HEADING_SPECIAL));
    p->second = (uint8_t)draw_u(r, 6, SECOND_SPECIAL, N_OF(SECOND_SPECIAL));
    p->maneuver = (uint8_t)draw_u(r, 2, NULL, 0);
    p->spare = (uint8_t)draw_u(r, 3, NULL, 0);
    p->raim = rng_below(r, 2);
    p->radio = draw_u(r, 19, NULL, 0);
}

static void random_voyage(rng *r, aw_msg *m) {
    static const uint32_t imo_special[] = {9134270, 1000000, 9999999};
    aw_static_voyage *v = &m->u.voy;
    m->msg_type = 5;
    v->ais_version = (uint8_t)draw_u(r, 2, NULL, 0);
    v->imo = draw_u(r, 30, imo_special, N_OF(imo_special));
    draw_text(r, v->callsign, 7);
    draw_text(r, v->shipname, 20);
    v->shiptype = (uint8_t)draw_u(r, 8, NULL, 0);
    v->to_bow = (uint16_t)draw_u(r, 9, NULL, 0);
    v->to_stern = (uint16_t)draw_u(r, 9, NULL, 0);
    v->to_port = (uint8_t)draw_u(r, 6, NULL, 0);
    v->to_starboard = (uint8_t)draw_u(r, 6, NULL, 0);
    v->epfd = (uint8_t)draw_u(r, 4, NULL, 0);
    v->month = (uint8_t)draw_u(r, 4, NULL, 0);
    v->day = (uint8_t)draw_u(r, 5, NULL, 0);
    v->hour = (uint8_t)draw_u(r, 5, (const uint32_t[]){24}, 1);
    v->minute = (uint8_t)draw_u(r, 6, (const uint32_t[]){60}, 1);
    v->draught = (uint8_t)draw_u(r, 8, NULL, 0);
    draw_text(r, v->destination, 20);
    v->dte = rng_below(r, 2);
}

static void random_classb(rng *r, aw_msg *m) {
    aw_classb_pos *b = &m->u.cb;
    m->msg_type = 18;
    b->reserved = (uint8_t)draw_u(r, 8, NULL, 0);
    b->speed = (uint16_t)draw_u(r, 10, SPEED_SPECIAL, N_OF(SPEED_SPECIAL));
    b->accuracy = rng_below(r, 2);
    b->lon = draw_s(r, 28, LON_SPECIAL, N_OF(LON_SPECIAL));
    b->lat = draw_s(r, 27, LAT_SPECIAL, N_OF(LAT_SPECIAL));
    b->course = (uint16_t)draw_u(r, 12, COURSE_SPECIAL, N_OF(COURSE_SPECIAL));
    b->heading = (uint16_t)draw_u(r, 9, HEADING_SPECIAL, N_OF(HEADING_SPECIAL));
    b->second = (uint8_t)draw_u(r, 6, SECOND_SPECIAL, N_OF(SECOND_SPECIAL));
    b->regional = (uint8_t)draw_u(r, 2, NULL, 0);
    b->cs = rng_below(r, 2);
    b->display = rng_below(r, 2);
    b->dsc = rng_below(r, 2);
    b->band = rng_below(r, 2);
    b->msg22 = rng_below(r, 2);
    b->assigned = rng_below(r, 2);
    b->raim = rng_below(r, 2);
    b->radio = draw_u(r, 20, NULL, 0);
}

static void random_static_b(rng *r, aw_msg *m, unsigned partno) {
    aw_static_b *s = &m->u.sb;
    m->msg_type = 24;
    s->partno = (uint8_t)partno;
    if (partno == 0) {
        draw_text(r, s->shipname, 20);
        return;
    }
    /* Auxiliary craft (98xxxxxxx) in a third of part B messages. */
    if (rng_below(r, 3) == 0) m->mmsi = 980000000u + rng_below(r, 10000000);
    s->shiptype = (uint8_t)draw_u(r, 8, NULL, 0);
    draw_text(r, s->vendorid, 7); /* characters 4-7 must be ignored: model/serial win */
    s->model = (uint8_t)draw_u(r, 4, NULL, 0);
    s->serial = draw_u(r, 20, NULL, 0);
    draw_text(r, s->callsign, 7);
    s->mothership_mmsi = draw_mmsi(r);
    s->to_bow = (uint16_t)draw_u(r, 9, NULL, 0);
    s->to_stern = (uint16_t)draw_u(r, 9, NULL, 0);
    s->to_port = (uint8_t)draw_u(r, 6, NULL, 0);
    s->to_starboard = (uint8_t)draw_u(r, 6, NULL, 0);
}

static void random_msg(rng *r, aw_msg *m) {
    memset(m, 0, sizeof *m);
    m->repeat = (uint8_t)draw_u(r, 2, NULL, 0);
    m->mmsi = draw_mmsi(r);
    switch (rng_below(r, 6)) {
    case 0: case 1: random_pos(r, m); break;
    case 2: random_voyage(r, m); break;
    case 3: random_classb(r, m); break;
    case 4: random_static_b(r, m, 0); break;
    default: random_static_b(r, m, 1); break;
    }
}

/* ---- comparing what went in with what came out ---------------------------------- */

#define SAME(field) CHECK_EQ_INT(got->field, want->field)

static void expect_same_text(const char *got, const char *sent, unsigned n) {
    char want[32];
    expect_text(sent, n, want);
    CHECK_EQ_STR(got, want);
}

/* gpsd's 7-character vendorid: the three vendor characters, then model and serial read
 * as four more six-bit characters. */
static void expect_vendorid(const aw_static_b *got, const aw_static_b *sent) {
    char raw[8];
    unsigned i = 0;
    for (; i < 3 && sent->vendorid[i]; i++) raw[i] = sent->vendorid[i];
    for (; i < 3; i++) raw[i] = '@';
    uint32_t tail = (uint32_t)sent->model << 20 | sent->serial;
    for (unsigned k = 0; k < 4; k++) raw[3 + k] = SIXBIT[(tail >> (18 - 6 * k)) & 63];
    raw[7] = '\0';
    expect_same_text(got->vendorid, raw, 7);
}

static void expect_decoded(const aw_msg *got, const aw_msg *want) {
    SAME(msg_type);
    SAME(repeat);
    SAME(mmsi);
    CHECK(!got->truncated);
    switch (want->msg_type) {
    case 1: case 2: case 3:
        CHECK_EQ_INT(got->bits, 168);
        SAME(u.pos.status); SAME(u.pos.turn); SAME(u.pos.speed); SAME(u.pos.accuracy);
        SAME(u.pos.lon); SAME(u.pos.lat); SAME(u.pos.course); SAME(u.pos.heading);
        SAME(u.pos.second); SAME(u.pos.maneuver); SAME(u.pos.spare); SAME(u.pos.raim);
        SAME(u.pos.radio);
        break;
    case 5:
        CHECK_EQ_INT(got->bits, 424);
        SAME(u.voy.ais_version); SAME(u.voy.imo);
        expect_same_text(got->u.voy.callsign, want->u.voy.callsign, 7);
        expect_same_text(got->u.voy.shipname, want->u.voy.shipname, 20);
        SAME(u.voy.shiptype); SAME(u.voy.to_bow); SAME(u.voy.to_stern); SAME(u.voy.to_port);
        SAME(u.voy.to_starboard); SAME(u.voy.epfd); SAME(u.voy.month); SAME(u.voy.day);
        SAME(u.voy.hour); SAME(u.voy.minute); SAME(u.voy.draught);
        expect_same_text(got->u.voy.destination, want->u.voy.destination, 20);
        SAME(u.voy.dte);
        break;
    case 18:
        CHECK_EQ_INT(got->bits, 168);
        SAME(u.cb.reserved); SAME(u.cb.speed); SAME(u.cb.accuracy); SAME(u.cb.lon);
        SAME(u.cb.lat); SAME(u.cb.course); SAME(u.cb.heading); SAME(u.cb.second);
        SAME(u.cb.regional); SAME(u.cb.cs); SAME(u.cb.display); SAME(u.cb.dsc);
        SAME(u.cb.band); SAME(u.cb.msg22); SAME(u.cb.assigned); SAME(u.cb.raim);
        SAME(u.cb.radio);
        break;
    case 24:
        CHECK_EQ_INT(got->bits, 168);
        SAME(u.sb.partno);
        if (want->u.sb.partno == 0) {
            expect_same_text(got->u.sb.shipname, want->u.sb.shipname, 20);
            break;
        }
        SAME(u.sb.shiptype);
        expect_vendorid(&got->u.sb, &want->u.sb);
        SAME(u.sb.model); SAME(u.sb.serial);
        expect_same_text(got->u.sb.callsign, want->u.sb.callsign, 7);
        bool aux = want->mmsi / 10000000u == 98u;
        CHECK_EQ_INT(got->u.sb.auxiliary, aux);
        if (aux) {
            SAME(u.sb.mothership_mmsi);
        } else {
            SAME(u.sb.to_bow); SAME(u.sb.to_stern); SAME(u.sb.to_port); SAME(u.sb.to_starboard);
        }
        break;
    }
}

/* ---- NMEA sentence shape -------------------------------------------------------- */

static unsigned xor_of(const char *p, size_t n) {
    unsigned c = 0;
    for (size_t i = 0; i < n; i++) c ^= (unsigned char)p[i];
    return c;
}

static int hex_of(const char *p) {
    int v = 0;
    for (int i = 0; i < 2; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Parse the output of aw_nmea_encode() strictly and check it against the options and the
 * payload it should carry. Returns false (after failing CHECKs) when malformed. */
static bool check_sentences(const char *text, size_t len, const aw_encode_opts *o,
                            const char *payload, size_t plen, unsigned fill) {
    const char *talker = o->talker ? o->talker : "AIVDM";
    unsigned nfrag_want = (unsigned)((plen + 59) / 60);
    char joined[600];
    size_t jlen = 0;
    unsigned frag = 0;
    const char *p = text, *end = text + len;
    bool ok = true;
    while (p < end && ok) {
        const char *eol = strstr(p, "\r\n");
        CHECK(eol != NULL);
        if (!eol) return false;
        frag++;
        /* optional tag block */
        bool group = o->tags == AW_TAG_GROUP && nfrag_want > 1;
        bool stamp = frag == 1 || group;
        bool want_tag = o->tags != AW_TAG_NONE &&
                        (group || (stamp && (o->has_time || (o->source && o->source[0]))));
        CHECK_EQ_INT(*p == '\\', want_tag);
        if (*p == '\\') {
            const char *close = memchr(p + 1, '\\', (size_t)(eol - p - 1));
            CHECK(close != NULL && close - p >= 4 && close[-3] == '*');
            if (!close) return false;
            CHECK_EQ_INT(hex_of(close - 2), xor_of(p + 1, (size_t)(close - 3 - (p + 1))));
            char tag[80];
            size_t tl = (size_t)(close - 3 - (p + 1));
            memcpy(tag, p + 1, tl);
            tag[tl] = '\0';
            char want[80] = "";
            size_t wl = 0;
            if (group)
                wl += (size_t)snprintf(want + wl, sizeof want - wl, "g:%u-%u-%u,", frag, nfrag_want,
                                       (unsigned)o->group_id);
            if (stamp && o->has_time)
                wl += (size_t)snprintf(want + wl, sizeof want - wl, "c:%lld,", (long long)o->time_s);
            if (stamp && o->source && o->source[0])
                wl += (size_t)snprintf(want + wl, sizeof want - wl, "s:%s,", o->source);
            if (wl) want[wl - 1] = '\0';
            CHECK_EQ_STR(tag, want);
            p = close + 1;
        }
        /* !TTTTT,n,i,seq,chan,payload,fill*hh */
        CHECK(*p == '!');
        const char *star = memchr(p, '*', (size_t)(eol - p));
        CHECK(star != NULL && eol - star == 3);
        if (!star || *p != '!') return false;
        CHECK_EQ_INT(hex_of(star + 1), xor_of(p + 1, (size_t)(star - p - 1)));
        CHECK(eol - p <= 82);
        char body[100];
        size_t bl = (size_t)(star - p - 1);
        memcpy(body, p + 1, bl);
        body[bl] = '\0';
        char *f[8];
        int nf = 0;
        for (char *s = body; nf < 8;) {
            f[nf++] = s;
            char *c = strchr(s, ',');
            if (!c) break;
            *c = '\0';
            s = c + 1;
        }
        CHECK_EQ_INT(nf, 7);
        if (nf != 7) return false;
        CHECK_EQ_STR(f[0], talker);
        CHECK_EQ_INT(atoi(f[1]), nfrag_want);
        CHECK_EQ_INT(atoi(f[2]), frag);
        if (nfrag_want > 1)
            CHECK_EQ_INT(f[3][0] - '0', o->seq_id);
        else
            CHECK_EQ_STR(f[3], "");
        char chan[2] = {o->channel, '\0'};
        CHECK_EQ_STR(f[4], chan);
        size_t fl = strlen(f[5]);
        CHECK(fl >= 1 && fl <= 60);
        if (jlen + fl < sizeof joined) {
            memcpy(joined + jlen, f[5], fl);
            jlen += fl;
        }
        CHECK_EQ_INT(atoi(f[6]), frag == nfrag_want ? fill : 0);
        ok = frag <= nfrag_want;
        p = eol + 2;
    }
    CHECK_EQ_INT(frag, nfrag_want);
    joined[jlen] = '\0';
    CHECK_EQ_INT(jlen, plen);
    CHECK(jlen == plen && memcmp(joined, payload, plen) == 0);
    return ok;
}

static void random_opts(rng *r, aw_encode_opts *o, char *source) {
    static const char *const talkers[] = {NULL, "AIVDM", "AIVDO", "BSVDM", "ABVDM"};
    static const char channels[] = {0, 'A', 'B', '1', '2'};
    memset(o, 0, sizeof *o);
    o->talker = talkers[rng_below(r, N_OF(talkers))];
    o->channel = channels[rng_below(r, N_OF(channels))];
    o->seq_id = (uint8_t)rng_below(r, 10);
    o->tags = (aw_tag_mode)rng_below(r, 3);
    o->has_time = rng_below(r, 2);
    o->time_s = (int64_t)(rng_next(r) % 4102444800u); /* up to 2100 */
    if (rng_below(r, 50) == 0) o->time_s = INT64_MIN;
    unsigned sl = rng_below(r, 16);
    for (unsigned i = 0; i < sl; i++) source[i] = (char)('a' + rng_below(r, 26));
    source[sl] = '\0';
    o->source = rng_below(r, 4) ? source : NULL;
    o->group_id = rng_below(r, 100000);
}

/* ---- the tests ------------------------------------------------------------------- */

static void random_messages_round_trip_through_payload_and_sentences(void) {
    rng r = {0x5eed0a15ull};
    unsigned per_type[25] = {0};
    for (unsigned n = 0; n < RANDOM_MESSAGES && check_failures < MAX_REPORTED_FAILURES; n++) {
        aw_msg m, got, again;
        random_msg(&r, &m);
        per_type[m.msg_type]++;

        char payload[AW_ENC_PAYLOAD_MAX + 1];
        unsigned fill = 9;
        int len = aw_ais_encode(&m, payload, sizeof payload, &fill);
        CHECK_EQ_INT(len, m.msg_type == 5 ? 71 : 28);
        CHECK_EQ_INT(fill, m.msg_type == 5 ? 2 : 0);
        if (len < 0) continue;
        CHECK_EQ_INT(strlen(payload), len);

        memset(&got, 0xa5, sizeof got); /* stale bytes must not leak into the result */
        CHECK_EQ_INT(aw_ais_decode(payload, (size_t)len, fill, &got), AW_AIS_OK);
        expect_decoded(&got, &m);

        /* A decoded message is a fixed point: encoding it again decodes to itself, and
         * from then on the payload no longer changes. (The first payload may differ
         * from the second only where text continued after an '@'.) */
        char payload2[AW_ENC_PAYLOAD_MAX + 1], payload3[AW_ENC_PAYLOAD_MAX + 1];
        unsigned fill2 = 9, fill3 = 9;
        CHECK_EQ_INT(aw_ais_encode(&got, payload2, sizeof payload2, &fill2), len);
        CHECK_EQ_INT(fill2, fill);
        CHECK_EQ_INT(aw_ais_decode(payload2, (size_t)len, fill2, &again), AW_AIS_OK);
        expect_decoded(&again, &got);
        CHECK_EQ_INT(aw_ais_encode(&again, payload3, sizeof payload3, &fill3), len);
        CHECK_EQ_STR(payload3, payload2);

        {
            aw_encode_opts o;
            char source[16];
            random_opts(&r, &o, source);
            char text[AW_ENC_NMEA_MAX];
            int tl = aw_nmea_encode(&m, &o, text, sizeof text);
            CHECK(tl > 0);
            if (tl > 0) {
                CHECK_EQ_INT(strlen(text), tl);
                check_sentences(text, (size_t)tl, &o, payload, (size_t)len, fill);
            }
        }
    }
    /* every kind was exercised in quantity */
    CHECK(per_type[1] + per_type[2] + per_type[3] > RANDOM_MESSAGES / 5);
    CHECK(per_type[1] > 1000 && per_type[2] > 1000 && per_type[3] > 1000);
    CHECK(per_type[5] > RANDOM_MESSAGES / 10);
    CHECK(per_type[18] > RANDOM_MESSAGES / 10);
    CHECK(per_type[24] > RANDOM_MESSAGES / 5);
}

/* One real message reassembled from its fragments, with the sentences it came in. */
typedef struct real_msg {
    char payload[600];
    size_t len;
    unsigned fill;
    char sentences[1200]; /* each fragment up to the checksum, followed by CR LF */
    size_t slen;
    bool resplittable;    /* every fragment but the last holds 60 characters, as we split */
    char talker[6], channel, seq;
} real_msg;

typedef struct sweep_stats {
    unsigned canonical, identical, differing, sentences_identical, short_24a;
    unsigned by_type[25];
} sweep_stats;

/* Compare a real message with its re-encoding. Returns true when identical. */
static bool reencode_real(const real_msg *cur, sweep_stats *st) {
    aw_msg m;
    if (aw_ais_decode(cur->payload, cur->len, cur->fill, &m) != AW_AIS_OK) return false;
    bool supported = m.msg_type <= 3 || m.msg_type == 5 || m.msg_type == 18 ||
                     (m.msg_type == 24 && m.u.sb.partno <= 1);
    if (!supported) return false;
    char again[AW_ENC_PAYLOAD_MAX + 1];
    unsigned fill = 9;
    int n = aw_ais_encode(&m, again, sizeof again, &fill);
    CHECK(n > 0);
    if (n <= 0) return false;

    /* Part A sent in 160 bits (common in the field): our 168 bits start with the same
     * 160 when the name is '@'-padded. */
    bool short_a = m.msg_type == 24 && m.u.sb.partno == 0 && m.bits == 160 && cur->len == 27;
    bool same;
    if (short_a) {
        st->short_24a++;
        unsigned a = (unsigned)(again[26] - 48), b = (unsigned)(cur->payload[26] - 48);
        a -= a > 40 ? 8 : 0;
        b -= b > 40 ? 8 : 0;
        same = memcmp(again, cur->payload, 26) == 0 && a >> 2 == b >> 2;
        if (same) return true;
    } else {
        if (m.bits != (m.msg_type == 5 ? 424 : 168)) return false;
        st->canonical++;
        CHECK_EQ_INT(n, (int)cur->len);
        CHECK_EQ_INT(fill, cur->fill);
        same = n == (int)cur->len && memcmp(again, cur->payload, cur->len) == 0;
    }
    if (same) {
        st->identical++;
        st->by_type[m.msg_type]++;
        if (cur->resplittable && cur->talker[0] && cur->channel != ',') {
            aw_encode_opts o = {.talker = cur->talker, .channel = cur->channel,
                                .seq_id = (uint8_t)(cur->seq >= '0' && cur->seq <= '9' ? cur->seq - '0' : 0)};
            char out[1200];
            int tl = aw_nmea_wrap(cur->payload, cur->len, cur->fill, &o, out, sizeof out);
            if (tl == (int)cur->slen && memcmp(out, cur->sentences, cur->slen) == 0)
                st->sentences_identical++;
        }
        return true;
    }
    /* Whatever differs (spare bits, text after its '@' terminator, space padding), the
     * re-encoded payload decodes to the same message. */
    st->differing++;
    aw_msg back;
    CHECK_EQ_INT(aw_ais_decode(again, (size_t)n, fill, &back), AW_AIS_OK);
    expect_decoded(&back, &m);
    return false;
}

/* Sweep a capture: decode each real message of an encodable type and re-encode it. */
static void sweep_capture(const char *rel, sweep_stats *st) {
    char path[512];
    FILE *f = fopen(check_data_path(rel, path, sizeof path), "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[1024];
    real_msg cur;
    memset(&cur, 0, sizeof cur);
    while (fgets(line, sizeof line, f)) {
        char *start = strchr(line, '!');
        if (!start) continue;
        char *star = strchr(start, '*');
        if (!star) continue;
        size_t sent_len = (size_t)(star + 3 - start);
        char copy[1024];
        memcpy(copy, start, sent_len);
        copy[sent_len] = '\0';
        char *field[8];
        int nf = 0;
        for (char *s = start; nf < 8;) {
            field[nf++] = s;
            char *c = strchr(s, ',');
            if (!c) break;
            *c = '\0';
            s = c + 1;
        }
        if (nf < 7 || strlen(field[0]) != 6) continue;
        int count = atoi(field[1]), index = atoi(field[2]);
        if (index == 1) {
            cur.len = cur.slen = 0;
            cur.resplittable = true;
            memcpy(cur.talker, field[0] + 1, 5);
            cur.talker[5] = '\0';
            cur.channel = field[4][0] ? field[4][0] : ',';
            cur.seq = field[3][0];
        }
        size_t fl = strlen(field[5]);
        if (cur.len + fl >= sizeof cur.payload || cur.slen + sent_len + 2 >= sizeof cur.sentences)
            continue;
        if (index != count && fl != 60) cur.resplittable = false;
        memcpy(cur.payload + cur.len, field[5], fl);
        cur.len += fl;
        cur.payload[cur.len] = '\0';
        memcpy(cur.sentences + cur.slen, copy, sent_len);
        memcpy(cur.sentences + cur.slen + sent_len, "\r\n", 2);
        cur.slen += sent_len + 2;
        if (index != count) continue;
        cur.fill = (unsigned)atoi(field[6]);
        reencode_real(&cur, st);
    }
    fclose(f);
}

/* Real messages re-encode to the identical payload, and usually the identical sentences.
 * Differences may only come from bits the decoder does not keep (spare bits, text after
 * an '@', space padding); reencode_real() checks that those still decode the same. */
static void real_messages_reencode_to_identical_payloads(void) {
    sweep_stats st;
    memset(&st, 0, sizeof st);
    sweep_capture("nmea/gpsd/sample.aivdm", &st);
    sweep_capture("nmea/dma/decode_encode_messages.txt", &st);
    sweep_capture("nmea/dma/ais250.txt", &st);
    printf("real captures: %u canonical messages of encodable types, %u identical payloads "
           "(%u whole sentences), %u differ only in dropped bits; types 1-3: %u, 5: %u, 18: %u, "
           "24: %u identical; %u 160-bit part A prefixes\n",
           st.canonical, st.identical, st.sentences_identical, st.differing,
           st.by_type[1] + st.by_type[2] + st.by_type[3], st.by_type[5], st.by_type[18],
           st.by_type[24], st.short_24a);
    CHECK(st.canonical >= 100);
    CHECK(st.identical * 10 >= st.canonical * 8);
    CHECK(st.sentences_identical * 10 >= st.identical * 8);
    CHECK(st.by_type[1] + st.by_type[2] + st.by_type[3] >= 50);
    CHECK(st.by_type[18] >= 3);
    CHECK(st.by_type[24] >= 2);
}

static void known_type1_sentence_is_reproduced_byte_for_byte(void) {
    const char *want = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n";
    aw_msg m;
    CHECK_EQ_INT(aw_ais_decode("15RTgt0PAso;90TKcjM8h6g208CQ", 28, 0, &m), AW_AIS_OK);
    CHECK_EQ_INT(m.mmsi, 371798000);
    CHECK_EQ_INT(m.u.pos.lon, -74037230);
    CHECK_EQ_INT(m.u.pos.lat, 29028980);

    /* Built from scratch with the values gpsd prints for this sentence. */
    aw_msg b;
    memset(&b, 0, sizeof b);
    b.msg_type = 1;
    b.mmsi = 371798000;
    b.u.pos = (aw_pos_report){.status = 0, .turn = -127, .speed = 123, .accuracy = true,
                              .lon = -74037230, .lat = 29028980, .course = 2240, .heading = 215,
                              .second = 33, .maneuver = 0, .spare = 0, .raim = false,
                              .radio = 34017};
    aw_encode_opts o = {.channel = 'A'};
    char out[AW_ENC_NMEA_MAX];
    CHECK_EQ_INT(aw_nmea_encode(&b, &o, out, sizeof out), (int)strlen(want));
    CHECK_EQ_STR(out, want);
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, out, sizeof out), (int)strlen(want));
    CHECK_EQ_STR(out, want);
}

static void type5_splits_into_two_fragments_with_a_sequential_id(void) {
    /* EVER DIADEM in gpsd's sample.aivdm; its transmitter pads text with spaces, not
     * '@', so giving the encoder space-padded text reproduces the sentences exactly. */
    const char *want = "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C\r\n"
                       "!AIVDM,2,2,1,A,88888888880,2*25\r\n";
    aw_msg m;
    memset(&m, 0, sizeof m);
    m.msg_type = 5;
    m.mmsi = 351759000;
    m.u.voy = (aw_static_voyage){.imo = 9134270, .callsign = "3FOF8  ",
                                 .shipname = "EVER DIADEM         ", .shiptype = 70,
                                 .to_bow = 225, .to_stern = 70, .to_port = 1,
                                 .to_starboard = 31, .epfd = 1, .month = 5, .day = 15,
                                 .hour = 14, .minute = 0, .draught = 122,
                                 .destination = "NEW YORK            "};
    aw_encode_opts o = {.channel = 'A', .seq_id = 1};
    char out[AW_ENC_NMEA_MAX];
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, out, sizeof out), (int)strlen(want));
    CHECK_EQ_STR(out, want);

    /* With the text as decoded (no padding) the encoder pads with '@' as the standard
     * says, and the sentences change only in the padding. */
    snprintf(m.u.voy.callsign, sizeof m.u.voy.callsign, "3FOF8");
    snprintf(m.u.voy.shipname, sizeof m.u.voy.shipname, "EVER DIADEM");
    snprintf(m.u.voy.destination, sizeof m.u.voy.destination, "NEW YORK");
    o = (aw_encode_opts){.talker = "AIVDO", .channel = 'B', .seq_id = 7};
    int n = aw_nmea_encode(&m, &o, out, sizeof out);
    CHECK(n > 0);
    const char *first = "!AIVDO,2,1,7,B,55?MbV02;H;s<HtKP00EHE:0@T4@Dl0000000016L961O5Gf0NSQEp6ClRh0,0*";
    CHECK(strncmp(out, first, strlen(first)) == 0);
    CHECK(strstr(out, "\r\n!AIVDO,2,2,7,B,00000000000,2*") != NULL);
}

static void tag_blocks_carry_time_source_and_groups(void) {
    aw_msg m;
    memset(&m, 0, sizeof m);
    m.msg_type = 1;
    m.mmsi = 371798000;
    m.u.pos = (aw_pos_report){.turn = -127, .speed = 123, .accuracy = true, .lon = -74037230,
                              .lat = 29028980, .course = 2240, .heading = 215, .second = 33,
                              .radio = 34017};
    aw_encode_opts o = {.channel = 'A', .tags = AW_TAG_FIRST, .has_time = true,
                        .time_s = 1241544035, .source = "r003669945"};
    char out[AW_ENC_NMEA_MAX];
    CHECK(aw_nmea_encode(&m, &o, out, sizeof out) > 0);
    char want[160];
    const char *body = "c:1241544035,s:r003669945";
    snprintf(want, sizeof want, "\\%s*%02X\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n",
             body, xor_of(body, strlen(body)));
    CHECK_EQ_STR(out, want);

    /* Group mode on one fragment: no g: (nothing to regroup). */
    o.tags = AW_TAG_GROUP;
    o.group_id = 42;
    CHECK(aw_nmea_encode(&m, &o, out, sizeof out) > 0);
    CHECK_EQ_STR(out, want);

    /* Group mode on a type 5: g:, c: and s: on both fragments. */
    m.msg_type = 5;
    memset(&m.u, 0, sizeof m.u);
    CHECK(aw_nmea_encode(&m, &o, out, sizeof out) > 0);
    CHECK(strncmp(out, "\\g:1-2-42,c:1241544035,s:r003669945*", 36) == 0);
    CHECK(strstr(out, "\r\n\\g:2-2-42,c:1241544035,s:r003669945*") != NULL);

    /* First mode on a type 5: one tag block, on the first fragment. */
    o.tags = AW_TAG_FIRST;
    CHECK(aw_nmea_encode(&m, &o, out, sizeof out) > 0);
    CHECK(strncmp(out, "\\c:1241544035,s:r003669945*", 27) == 0);
    CHECK(strstr(out, "\r\n!AIVDM,2,2,0,A,") != NULL);

    /* Nothing to say: no tag block at all. */
    aw_encode_opts bare = {.tags = AW_TAG_FIRST};
    m.msg_type = 1;
    CHECK(aw_nmea_encode(&m, &bare, out, sizeof out) > 0);
    CHECK(out[0] == '!');
}

static void text_is_folded_into_the_sixbit_alphabet(void) {
    aw_msg m, got;
    memset(&m, 0, sizeof m);
    m.msg_type = 24;
    m.mmsi = 271041815;
    snprintf(m.u.sb.shipname, sizeof m.u.sb.shipname, "proguy {a|b}~`x\tz\x7f\xe9!");
    char payload[AW_ENC_PAYLOAD_MAX + 1];
    unsigned fill;
    CHECK_EQ_INT(aw_ais_encode(&m, payload, sizeof payload, &fill), 28);
    CHECK_EQ_INT(aw_ais_decode(payload, 28, fill, &got), AW_AIS_OK);
    CHECK_EQ_STR(got.u.sb.shipname, "PROGUY [A\\B]^'X Z  !");

    /* a 20-character name with no NUL inside its field is read to the end of the field */
    memcpy(m.u.sb.shipname, "ABCDEFGHIJKLMNOPQRST", 20);
    CHECK_EQ_INT(aw_ais_encode(&m, payload, sizeof payload, &fill), 28);
    CHECK_EQ_INT(aw_ais_decode(payload, 28, fill, &got), AW_AIS_OK);
    CHECK_EQ_STR(got.u.sb.shipname, "ABCDEFGHIJKLMNOPQRST");
}

static void errors_are_returned_not_guessed(void) {
    aw_msg m;
    char buf[AW_ENC_NMEA_MAX];
    unsigned fill;
    memset(&m, 0, sizeof m);
    m.msg_type = 1;
    m.mmsi = 123456789;
    m.u.pos.lat = AW_LAT_NA;
    m.u.pos.lon = AW_LON_NA;

    CHECK_EQ_INT(aw_ais_encode(&m, buf, 28, &fill), 28); /* exact fit, no NUL */
    CHECK_EQ_INT(aw_ais_encode(&m, buf, 27, &fill), AW_ENC_ERR_SPACE);
    CHECK_EQ_INT(aw_nmea_encode(&m, NULL, buf, 10), AW_ENC_ERR_SPACE);
    int full = aw_nmea_encode(&m, NULL, buf, sizeof buf);
    CHECK(full > 0);
    CHECK_EQ_INT(aw_nmea_encode(&m, NULL, buf, (size_t)full), full); /* exact fit */
    CHECK_EQ_INT(aw_nmea_encode(&m, NULL, buf, (size_t)full - 1), AW_ENC_ERR_SPACE);

    m.mmsi = 1u << 30;
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), AW_ENC_ERR_RANGE);
    m.mmsi = 123456789;
    m.u.pos.lat = 1 << 26;
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), AW_ENC_ERR_RANGE);
    m.u.pos.lat = -(1 << 26);
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), 28);
    m.u.pos.lat = -(1 << 26) - 1;
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), AW_ENC_ERR_RANGE);
    m.u.pos.lat = 0;
    m.u.pos.speed = 1024;
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), AW_ENC_ERR_RANGE);
    m.u.pos.speed = 0;
    m.repeat = 4;
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), AW_ENC_ERR_RANGE);
    m.repeat = 0;

    m.msg_type = 4;
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), AW_ENC_ERR_TYPE);
    CHECK_EQ_INT(aw_nmea_encode(&m, NULL, buf, sizeof buf), AW_ENC_ERR_TYPE);
    m.msg_type = 24;
    m.u.sb.partno = 2;
    CHECK_EQ_INT(aw_ais_encode(&m, buf, sizeof buf, &fill), AW_ENC_ERR_TYPE);
    m.u.sb.partno = 0;

    aw_encode_opts o = {.talker = "AIVD"};
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, buf, sizeof buf), AW_ENC_ERR_OPTS);
    o = (aw_encode_opts){.talker = "aivdm"};
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, buf, sizeof buf), AW_ENC_ERR_OPTS);
    o = (aw_encode_opts){.channel = ','};
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, buf, sizeof buf), AW_ENC_ERR_OPTS);
    o = (aw_encode_opts){.seq_id = 10};
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, buf, sizeof buf), AW_ENC_ERR_OPTS);
    o = (aw_encode_opts){.tags = AW_TAG_FIRST, .source = "a*b"};
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, buf, sizeof buf), AW_ENC_ERR_OPTS);
    o = (aw_encode_opts){.tags = AW_TAG_FIRST, .source = "sixteen-chars-xx"};
    CHECK_EQ_INT(aw_nmea_encode(&m, &o, buf, sizeof buf), AW_ENC_ERR_OPTS);
    CHECK_EQ_INT(aw_nmea_wrap("15RT,", 5, 0, NULL, buf, sizeof buf), AW_ENC_ERR_OPTS);
    CHECK_EQ_INT(aw_nmea_wrap("15RT", 4, 6, NULL, buf, sizeof buf), AW_ENC_ERR_OPTS);
    CHECK_EQ_STR(aw_enc_err_name(AW_ENC_ERR_RANGE), "range");
    CHECK_EQ_STR(aw_enc_err_name(3), "ok");
}

static void long_payloads_wrap_into_up_to_nine_fragments(void) {
    char payload[541], out[1200];
    for (int i = 0; i < 540; i++) payload[i] = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"[i % 64];
    payload[540] = '\0';
    aw_encode_opts o = {.channel = 'B', .seq_id = 3, .tags = AW_TAG_GROUP, .group_id = 99999,
                        .has_time = true, .time_s = 1700000000};
    int n = aw_nmea_wrap(payload, 540, 4, &o, out, sizeof out);
    CHECK(n > 0);
    if (n > 0) check_sentences(out, (size_t)n, &o, payload, 540, 4);
    CHECK_EQ_INT(aw_nmea_wrap(payload, 541, 0, &o, out, sizeof out), AW_ENC_ERR_OPTS);
}

/* The whole stack: sentences from the encoder, fed to aiswatch's own NMEA decoder,
 * come back as the same messages in the same order with the tag-block metadata. */
typedef struct stack_case {
    aw_msg msg;
    aw_encode_opts o;
    char source[16];
} stack_case;

typedef struct stack_ctx {
    const stack_case *cases;
    size_t n, next;
} stack_ctx;

static void on_stack_msg(void *vctx, const aw_msg *got, const aw_msg_meta *meta) {
    stack_ctx *ctx = vctx;
    CHECK(ctx->next < ctx->n);
    if (ctx->next >= ctx->n || check_failures >= MAX_REPORTED_FAILURES) return;
    const stack_case *c = &ctx->cases[ctx->next++];
    expect_decoded(got, &c->msg);
    const char *talker = c->o.talker ? c->o.talker : "AIVDM";
    CHECK_EQ_INT(meta->fragments, c->msg.msg_type == 5 ? 2 : 1);
    CHECK_EQ_INT(meta->channel, c->o.channel);
    CHECK_EQ_INT(meta->own, talker[4] == 'O');
    CHECK(memcmp(meta->talker, talker, 2) == 0);
    bool tagged = c->o.tags != AW_TAG_NONE;
    CHECK_EQ_INT(meta->time_ms, tagged && c->o.has_time ? c->o.time_s * 1000 : AW_TIME_NONE);
    size_t srclen = tagged && c->o.source ? strlen(c->o.source) : 0;
    CHECK_EQ_INT(meta->source ? meta->source_len : 0, srclen);
    if (srclen && meta->source) CHECK(memcmp(meta->source, c->o.source, srclen) == 0);
}

static void encoded_sentences_decode_through_the_nmea_layer(void) {
    enum { N = 20000 };
    stack_case *cases = calloc(N, sizeof *cases);
    char *text = malloc((size_t)N * AW_ENC_NMEA_MAX);
    CHECK(cases && text);
    if (!cases || !text) return;
    rng r = {0xdecade5ull};
    size_t len = 0;
    for (size_t i = 0; i < N; i++) {
        stack_case *c = &cases[i];
        random_msg(&r, &c->msg);
        random_opts(&r, &c->o, c->source);
        if (c->o.time_s < 0) c->o.time_s = 0; /* c: is an unsigned epoch to the reader */
        c->o.source = c->o.source ? c->source : NULL;
        /* nmea.c keys multipart reassembly on the tag-block source, so a source written
         * on the first fragment only (AW_TAG_FIRST) orphans the second: group those. */
        if (c->o.tags == AW_TAG_FIRST && c->msg.msg_type == 5 && c->o.source) c->o.tags = AW_TAG_GROUP;
        int n = aw_nmea_encode(&c->msg, &c->o, text + len, AW_ENC_NMEA_MAX);
        CHECK(n > 0);
        if (n > 0) len += (size_t)n;
    }
    aw_decoder *dec = aw_decoder_new(NULL);
    CHECK(dec != NULL);
    if (dec) {
        aw_decode_stats st;
        memset(&st, 0, sizeof st);
        stack_ctx ctx = {.cases = cases, .n = N, .next = 0};
        aw_decoder_lines(dec, text, len, &st, on_stack_msg, &ctx);
        aw_decoder_finish(dec, &st);
        CHECK_EQ_INT(ctx.next, N);
        CHECK_EQ_INT(st.messages, N);
        for (int k = 0; k < AW_REJ_COUNT; k++) {
            if (st.rejects[k]) fprintf(stderr, "nmea layer rejected %llu: %s\n",
                                       (unsigned long long)st.rejects[k], aw_reject_name((aw_reject)k));
            CHECK_EQ_INT(st.rejects[k], 0);
        }
        CHECK_EQ_INT(st.tagblock_bad_checksum, 0);
        aw_decoder_free(dec);
    }
    free(text);
    free(cases);
}

int main(void) {
    known_type1_sentence_is_reproduced_byte_for_byte();
    type5_splits_into_two_fragments_with_a_sequential_id();
    tag_blocks_carry_time_source_and_groups();
    text_is_folded_into_the_sixbit_alphabet();
    errors_are_returned_not_guessed();
    long_payloads_wrap_into_up_to_nine_fragments();
    real_messages_reencode_to_identical_payloads();
    random_messages_round_trip_through_payload_and_sentences();
    encoded_sentences_decode_through_the_nmea_layer();
    return check_report("encode_roundtrip");
}
