/* fuzz_ais.c — the bit decoder, the encoder round trip and the sentence layer.
 *
 * Input: first byte = fill bits (any value: the decoder clamps), the rest = armoured
 * payload characters. Checks, for each input:
 *   - aw_ais_decode() and aw_ais_decode_bits() (the same bytes as raw bits) are memory
 *     safe, and whatever they decode passes every formatter (fuzz_common.h);
 *   - a decoded type 1/2/3/5/18/24 re-encodes with aw_ais_encode() and decodes back to
 *     the same fields (type 24 parts 2 and 3 have no encoding: they must be refused);
 *   - the payload wrapped into sentences by aw_nmea_wrap() comes back out of the NMEA
 *     decoder as the same message, or the same reject, as the direct decode;
 *   - aw_bits_u/aw_bits_s/aw_bits_text stay inside their width and read zeros past the end.
 */
#include "aiswatch/encode.h"
#include "fuzz_common.h"

static int64_t pick_time(uint8_t b) {
    switch (b & 7) {
    case 0: return AW_TIME_NONE;
    case 1: return 0;
    case 2: return -1;                      /* 1969-12-31T23:59:59.999Z */
    case 3: return 1459461600123LL;         /* 2016 */
    case 4: return 253402300800000LL;       /* 10000-01-01: past four-digit years */
    case 5: return -62167219200001LL;       /* before year 0 */
    case 6: return (int64_t)1 << 50;
    default: return -((int64_t)1 << 50);
    }
}

static void fuzz_meta(aw_msg_meta *meta, const uint8_t *data, size_t size) {
    uint8_t b = size > 1 ? data[size - 1] : 0;
    static const char chans[8] = {0, 'A', 'B', '1', '2', '"', ',', '\\'};
    *meta = (aw_msg_meta){
        .time_ms = pick_time(b),
        .line_no = 1,
        .channel = chans[(b >> 3) & 7],
        .own = (b >> 6) & 1,
        .talker = "AI",
        .source = (b & 0x80) ? "src,\"x\\" : NULL,
        .source_len = (b & 0x80) ? 7 : 0,
        .fragments = 1,
    };
}

/* Text fields hold a string: what follows the terminator (trimmed spaces) is not part
 * of the value. */
static void clear_tail(char *s, size_t size) {
    size_t n = strnlen(s, size);
    FUZZ_CHECK(n < size, "text field not terminated");
    memset(s + n, 0, size - n);
}

static void normalize(aw_msg *m) {
    switch (m->msg_type) {
    case 5:
        clear_tail(m->u.voy.callsign, sizeof m->u.voy.callsign);
        clear_tail(m->u.voy.shipname, sizeof m->u.voy.shipname);
        clear_tail(m->u.voy.destination, sizeof m->u.voy.destination);
        break;
    case 24:
        clear_tail(m->u.sb.shipname, sizeof m->u.sb.shipname);
        clear_tail(m->u.sb.vendorid, sizeof m->u.sb.vendorid);
        clear_tail(m->u.sb.callsign, sizeof m->u.sb.callsign);
        break;
    default:
        break;
    }
}

/* Fields of the types aw_ais_encode() writes, compared member by member. Both records
 * were zeroed before decoding and their text tails cleared, so padding compares equal. */
static bool same_fields(aw_msg *a, aw_msg *b) {
    normalize(a);
    normalize(b);
    if (a->msg_type != b->msg_type || a->repeat != b->repeat || a->mmsi != b->mmsi) return false;
    switch (a->msg_type) {
    case 1: case 2: case 3: return memcmp(&a->u.pos, &b->u.pos, sizeof a->u.pos) == 0;
    case 5: return memcmp(&a->u.voy, &b->u.voy, sizeof a->u.voy) == 0;
    case 18: return memcmp(&a->u.cb, &b->u.cb, sizeof a->u.cb) == 0;
    case 24: return memcmp(&a->u.sb, &b->u.sb, sizeof a->u.sb) == 0;
    default: return false;
    }
}

static void hexdump(const char *what, const void *p, size_t n) {
    const uint8_t *b = p;
    fprintf(stderr, "%s:", what);
    for (size_t i = 0; i < n; i++) fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", b[i]);
    fputc('\n', stderr);
}

static void roundtrip(const aw_msg *decoded, const char *payload, size_t len, unsigned fill) {
    aw_msg copy = *decoded, *m = &copy;
    unsigned t = m->msg_type;
    if (t != 1 && t != 2 && t != 3 && t != 5 && t != 18 && t != 24) return;
    char enc[AW_ENC_PAYLOAD_MAX + 1];
    unsigned efill = 99;
    int n = aw_ais_encode(m, enc, sizeof enc, &efill);
    if (t == 24 && m->u.sb.partno > 1) {
        FUZZ_CHECK(n == AW_ENC_ERR_TYPE, "type 24 part %u encoded: %d", m->u.sb.partno, n);
        return;
    }
    FUZZ_CHECK(n > 0 && efill <= 5, "aw_ais_encode of a decoded type %u failed: %d (%s); payload %.*s fill %u", t,
               n, aw_enc_err_name(n), (int)len, payload, fill);
    FUZZ_CHECK((size_t)n < sizeof enc && enc[n] == 0, "payload not terminated");
    aw_msg back;
    memset(&back, 0, sizeof back);
    aw_ais_err err = aw_ais_decode(enc, (size_t)n, efill, &back);
    FUZZ_CHECK(err == AW_AIS_OK, "re-decode of type %u: %s; in %.*s fill %u, out %s fill %u", t,
               aw_ais_err_name(err), (int)len, payload, fill, enc, efill);
    if (!same_fields(m, &back)) {
        hexdump("decoded", m, sizeof *m);
        hexdump("re-decoded", &back, sizeof back);
        FUZZ_CHECK(0, "round trip changed type %u fields: in %.*s fill %u, re-encoded %s fill %u", t, (int)len,
                   payload, fill, enc, efill);
    }
    /* The re-encoded payload is a fixed point of encode(decode()). */
    char enc2[AW_ENC_PAYLOAD_MAX + 1];
    unsigned efill2 = 0;
    int n2 = aw_ais_encode(&back, enc2, sizeof enc2, &efill2);
    FUZZ_CHECK(n2 == n && efill2 == efill && memcmp(enc, enc2, (size_t)n) == 0, "encode not stable: %s vs %s",
               enc, enc2);
}

typedef struct wrap_ctx {
    unsigned count;
    aw_msg msg;
    aw_msg_meta meta;
} wrap_ctx;

static void wrap_cb(void *vctx, const aw_msg *m, const aw_msg_meta *meta) {
    wrap_ctx *w = vctx;
    if (w->count++ == 0) {
        w->msg = *m;
        w->meta = *meta;
    }
}

/* The payload through the sentence layer and back. */
static void through_nmea(const char *payload, size_t len, unsigned fill, aw_ais_err direct_err,
                         const aw_msg *direct, fuzz_out *o) {
    if (len == 0 || len > 9u * AW_ENC_FRAGMENT_CHARS || direct_err == AW_AIS_BAD_CHAR) return;
    fill = fill > 5 ? 5 : fill;
    aw_encode_opts eo = {.channel = 'B', .seq_id = (uint8_t)(len % 10)};
    char *text = malloc(9 * (AW_ENC_FRAGMENT_CHARS + 64 + 32));
    if (!text) abort();
    int n = aw_nmea_wrap(payload, len, fill, &eo, text, 9 * (AW_ENC_FRAGMENT_CHARS + 64 + 32));
    FUZZ_CHECK(n > 0, "aw_nmea_wrap of %zu valid characters: %d", len, n);
    aw_decoder *dec = aw_decoder_new(NULL);
    if (!dec) abort();
    aw_decode_stats st = {0};
    wrap_ctx w = {0};
    aw_decoder_lines(dec, text, (size_t)n, &st, wrap_cb, &w);
    aw_decoder_finish(dec, &st);
    aw_decoder_free(dec);
    unsigned frags = (unsigned)((len + AW_ENC_FRAGMENT_CHARS - 1) / AW_ENC_FRAGMENT_CHARS);
    FUZZ_CHECK(st.sentences == frags && st.rejects[AW_REJ_BAD_CHECKSUM] == 0 && st.rejects[AW_REJ_MALFORMED] == 0,
               "wrapped sentences not read back: %.*s", n, text);
    if (direct_err != AW_AIS_OK) {
        FUZZ_CHECK(w.count == 0 && st.rejects[AW_REJ_EMPTY_PAYLOAD + (direct_err - AW_AIS_EMPTY)] == 1,
                   "direct decode says %s, NMEA decoder delivered %u: %.*s", aw_ais_err_name(direct_err), w.count,
                   n, text);
    } else {
        FUZZ_CHECK(w.count == 1, "direct decode OK, NMEA decoder delivered %u: %.*s", w.count, n, text);
        FUZZ_CHECK(w.meta.fragments == frags && w.meta.channel == 'B', "meta");
        FUZZ_CHECK(w.msg.msg_type == direct->msg_type && w.msg.mmsi == direct->mmsi &&
                       w.msg.truncated == direct->truncated,
                   "NMEA round trip changed the header: %.*s", n, text);
        FUZZ_CHECK(w.msg.bits == direct->bits, "NMEA round trip: bits %u, direct %u (%zu chars, fill %u)",
                   w.msg.bits, direct->bits, len, fill);
        /* Same fields: compare through the formatter, which writes every one of them. */
        char *a = malloc(AW_GPSD_JSON_MAX), *b = malloc(AW_GPSD_JSON_MAX);
        if (!a || !b) abort();
        aw_gpsd_json s1, s2;
        aw_gpsd_json_init(&s1, false);
        aw_gpsd_json_init(&s2, false);
        s1.split24 = s2.split24 = true;
        size_t na = aw_gpsd_json_format(&s1, direct, NULL, a, AW_GPSD_JSON_MAX);
        size_t nb = aw_gpsd_json_format(&s2, &w.msg, NULL, b, AW_GPSD_JSON_MAX);
        FUZZ_CHECK(na == nb && memcmp(a, b, na) == 0, "NMEA round trip changed fields:\n%.*s%.*s", (int)na, a,
                   (int)nb, b);
        if (direct->msg_type == 24) {
            /* decode --gpsd on several threads: a worker's record, resolved in input order,
             * is what one state prints. A part A of the same MMSI goes first, so that a
             * part B has a name to merge. */
            char *c = malloc(AW_GPSD_JSON_MAX);
            if (!c) abort();
            aw_gpsd_json plain, worker, order;
            aw_gpsd_json_init(&plain, false);
            aw_gpsd_json_init(&worker, false);
            aw_gpsd_json_init(&order, false);
            worker.defer24 = true;
            aw_msg part_a = *direct;
            part_a.u.sb.partno = 0;
            snprintf(part_a.u.sb.shipname, sizeof part_a.u.sb.shipname, "FUZZ %u", direct->mmsi % 1000);
            const aw_msg *seq[2] = {&part_a, direct};
            for (int k = 0; k < 2; k++) {
                size_t n1 = aw_gpsd_json_format(&plain, seq[k], "dev", a, AW_GPSD_JSON_MAX);
                size_t nr = aw_gpsd_json_format(&worker, seq[k], "dev", b, AW_GPSD_JSON_MAX);
                FUZZ_CHECK(nr == 0 || (b[0] == AW_GPSD_DEFER24 && b[nr - 1] == '\n'), "deferred record shape");
                size_t n2 = nr ? aw_gpsd_json_resolve24(&order, b, nr - 1, c, AW_GPSD_JSON_MAX) : 0;
                FUZZ_CHECK(n1 == n2 && memcmp(a, c, n1) == 0, "deferred type 24 differs:\n%.*s%.*s", (int)n1, a,
                           (int)n2, c);
            }
            free(c);
        }
        free(a);
        free(b);
        fuzz_all_formats(o, &w.msg, &w.meta, 1);
    }
    free(text);
}

static void bit_readers(const uint8_t *bits, size_t nbits, const uint8_t *data, size_t size) {
    static const unsigned widths[] = {0, 1, 2, 6, 8, 12, 17, 27, 30, 31, 32, 33};
    size_t start = size >= 3 ? ((size_t)data[1] << 8 | data[2]) % (nbits + 40) : 0;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        unsigned w = widths[i];
        uint32_t u = aw_bits_u(bits, nbits, start, w);
        if (w == 0 || w > 32 || start >= nbits) FUZZ_CHECK(u == 0, "aw_bits_u past the end / bad width");
        if (w > 0 && w < 32) FUZZ_CHECK(u >> w == 0, "aw_bits_u wider than %u", w);
        int32_t s = aw_bits_s(bits, nbits, start, w);
        if (w > 0 && w < 32)
            FUZZ_CHECK(s >= -((int32_t)1 << (w - 1)) && s < ((int32_t)1 << (w - 1)), "aw_bits_s range %u", w);
    }
    char text[200];
    unsigned nchars = size >= 4 ? data[3] % 199 : 20;
    aw_bits_text(bits, nbits, start, nchars, text);
    FUZZ_CHECK(strlen(text) <= nchars, "aw_bits_text length");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    unsigned fill = data[0];
    const char *payload = (const char *)data + 1;
    size_t len = size - 1;
    fuzz_out o;
    fuzz_out_init(&o);
    aw_msg_meta meta;
    fuzz_meta(&meta, data, size);

    aw_msg m;
    memset(&m, 0, sizeof m);
    aw_ais_err err = aw_ais_decode(payload, len, fill, &m);
    FUZZ_CHECK((unsigned)err < AW_AIS_ERR_COUNT, "err %d", (int)err);
    if (err == AW_AIS_OK) {
        FUZZ_CHECK(m.msg_type >= 1 && m.msg_type <= 27, "type");
        FUZZ_CHECK(m.truncated == (len * 6 - (fill > 5 ? 5 : fill) > AW_MAX_PAYLOAD_BITS), "truncated flag: %zu chars",
                   len);
        fuzz_all_formats(&o, &m, &meta, fill);
        roundtrip(&m, payload, len, fill);
    }
    if (len <= 9u * AW_ENC_FRAGMENT_CHARS) through_nmea(payload, len, fill, err, &m, &o);

    /* The same bytes as raw bits, the low three bits of the first byte trimmed off the end. */
    const uint8_t *bits = data + 1;
    size_t nbits = len * 8 > (fill & 7) ? len * 8 - (fill & 7) : 0;
    memset(&m, 0, sizeof m);
    err = aw_ais_decode_bits(bits, nbits, &m);
    if (err == AW_AIS_OK) {
        fuzz_all_formats(&o, &m, &meta, fill >> 3);
        roundtrip(&m, payload, 0, 0);
    }
    bit_readers(bits, nbits, data, size);

    fuzz_out_free(&o);
    return 0;
}
