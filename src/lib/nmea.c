/* nmea.c — NMEA 0183 framing for AIS: line prefixes, tag blocks, sentence fields,
 * checksums and multipart reassembly.
 *
 * The hot path is one pass per line with no copy: memchr finds the line end, one scan
 * 16 bytes a step (scan_to_star) finds a tag block's or sentence's star while it XORs
 * the checksum and counts the commas, the fixed-shape fields are read in place and the
 * payload pointer is handed straight to the bit decoder. Only multipart fragments are
 * copied, into a fixed table of reassembly slots whose size bounds memory whatever
 * the input does; a slot left open too long (in lines) or pushed out by a full table is
 * counted as incomplete.
 */
#include "aiswatch/nmea.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define REASM_CHARS 200 /* 1200 bits: more than AW_MAX_PAYLOAD_BITS, so truncation is seen */

static const char *const reject_names[AW_REJ_COUNT] = {
    [AW_REJ_BAD_CHECKSUM] = "bad_checksum",
    [AW_REJ_NO_CHECKSUM] = "no_checksum",
    [AW_REJ_MALFORMED] = "malformed_sentence",
    [AW_REJ_OTHER_NMEA] = "other_nmea",
    [AW_REJ_NOT_NMEA] = "not_nmea",
    [AW_REJ_ORPHAN_FRAGMENT] = "orphan_fragment",
    [AW_REJ_OUT_OF_ORDER] = "out_of_order_fragment",
    [AW_REJ_INCOMPLETE] = "incomplete_multipart",
    [AW_REJ_EMPTY_PAYLOAD] = "empty_payload",
    [AW_REJ_BAD_PAYLOAD_CHAR] = "bad_payload_char",
    [AW_REJ_BAD_MSG_TYPE] = "bad_msg_type",
    [AW_REJ_TOO_SHORT] = "too_short",
    [AW_REJ_SHORT_ROW] = "short_row",
    [AW_REJ_BAD_FIELD] = "bad_field",
    [AW_REJ_BAD_ENCODING] = "bad_encoding",
};

const char *aw_reject_name(aw_reject r) {
    return (unsigned)r < AW_REJ_COUNT ? reject_names[r] : "unknown";
}

void aw_stats_add(aw_decode_stats *dst, const aw_decode_stats *src) {
    dst->lines += src->lines;
    dst->bytes += src->bytes;
    dst->comments += src->comments;
    dst->sentences += src->sentences;
    dst->tagblocks += src->tagblocks;
    dst->tagblock_bad_checksum += src->tagblock_bad_checksum;
    dst->messages += src->messages;
    dst->truncated += src->truncated;
    dst->untimed += src->untimed;
    dst->non_vessel_rows += src->non_vessel_rows;
    for (int i = 0; i < AW_REJ_COUNT; i++) dst->rejects[i] += src->rejects[i];
    for (int i = 0; i < 28; i++) dst->by_type[i] += src->by_type[i];
}

typedef struct slot {
    uint64_t key;
    uint64_t key_nosource; /* the key without the source, for tails whose tag block lost s: */
    uint64_t opened_line;
    int64_t time_ms;
    uint8_t count, next;
    char channel;
    bool own;
    char talker[3];
    uint8_t source_len;
    char source[AW_SOURCE_MAX];
    uint16_t len;
    size_t total_len;      /* characters received, kept or not */
    char payload[REASM_CHARS];
} slot;

struct aw_decoder {
    aw_decoder_opts opts;
    uint64_t line_no;
    aw_row_reject_fn reject_fn; /* per-line reports for --verbose, may be NULL */
    void *reject_ctx;
    const char *cur_line;       /* the line being read, for the reports */
    size_t cur_len;
    int64_t pghp_time_ms;      /* Gatehouse stamp waiting for the next sentence */
    char prefix_cache[32];     /* last line prefix seen and its time: logs repeat a second */
    size_t prefix_cache_len;
    int64_t prefix_cache_ms;
    uint64_t open_mask;         /* bit i: slots[i] holds an open message */
    slot slots[AW_REASM_SLOTS];
};
_Static_assert(AW_REASM_SLOTS <= 64, "open_mask has a bit per slot");

/* Tags of the tag block(s) in front of a sentence. */
typedef struct tags {
    int64_t time_ms;
    const char *source;
    uint8_t source_len;
    bool has_group;
    uint8_t group_num, group_total;
    uint32_t group_id;
} tags;

aw_decoder *aw_decoder_new(const aw_decoder_opts *opts) {
    aw_decoder *dec = calloc(1, sizeof *dec);
    if (!dec) return NULL;
    if (opts) dec->opts = *opts;
    if (dec->opts.max_open_lines == 0) dec->opts.max_open_lines = 1000;
    dec->pghp_time_ms = AW_TIME_NONE;
    return dec;
}

void aw_decoder_free(aw_decoder *dec) { free(dec); }

uint8_t aw_nmea_checksum(const char *start, size_t len) {
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, start + i, 8);
        acc ^= w;
    }
    acc ^= acc >> 32;
    acc ^= acc >> 16;
    acc ^= acc >> 8;
    uint8_t x = (uint8_t)acc;
    for (; i < len; i++) x ^= (uint8_t)start[i];
    return x;
}

/* One pass over [p, end) to the first '*' or `stop` (pass '*' for none): returns it or
 * NULL, with the XOR of the bytes before it in *sum and the number of commas before it
 * in *commas (exact: callers walk fields by it). This replaces, per sentence, a memchr
 * for the star, a checksum loop and a memchr for the payload's closing comma (see
 * parse_fields). Loads stay inside [p, end): the buffer may be memory that ends
 * at a page end; the last bytes are read by reloading the block that ends at `end`. */
#if defined(__SSE2__)
/* 16 bytes a step. keep_below + 16 - k: a mask of the bytes before index k. */
static const uint8_t keep_below[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static inline const char *scan_to_star(const char *p, const char *end, char stop, uint8_t *sum,
                                       unsigned *commas) {
    const __m128i stars = _mm_set1_epi8('*'), stops = _mm_set1_epi8(stop), comma_v = _mm_set1_epi8(',');
    __m128i acc = _mm_setzero_si128();
    /* Commas are counted in two 64-bit lanes: psadbw adds the 0/1 bytes of a block. */
    const __m128i one = _mm_set1_epi8(1), zero = _mm_setzero_si128();
    __m128i ncv = _mm_setzero_si128();
    unsigned nc = 0;
    const char *start = p;
    const char *hit_at = NULL;
    while (p < end) {
        size_t left = (size_t)(end - p);
        unsigned seen = 0; /* bytes at the front of w that were scanned already */
        __m128i w;
        if (left >= 16) {
            w = _mm_loadu_si128((const __m128i *)(const void *)p);
        } else if (end - start >= 16) {
            w = _mm_loadu_si128((const __m128i *)(const void *)(end - 16));
            seen = (unsigned)(16 - left);
        } else {
            break; /* shorter than a block: bytes below */
        }
        unsigned hit = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(w, stars), _mm_cmpeq_epi8(w, stops)));
        __m128i cm = _mm_and_si128(_mm_cmpeq_epi8(w, comma_v), one);
        hit = hit >> seen << seen;
        if (!hit && !seen) {
            acc = _mm_xor_si128(acc, w);
            ncv = _mm_add_epi64(ncv, _mm_sad_epu8(cm, zero));
            p += 16;
            continue;
        }
        unsigned upto = hit ? (unsigned)__builtin_ctz(hit) : 16; /* block index of the hit */
        __m128i in = _mm_andnot_si128(_mm_loadu_si128((const __m128i *)(const void *)(keep_below + 16 - seen)),
                                      _mm_loadu_si128((const __m128i *)(const void *)(keep_below + 16 - upto)));
        acc = _mm_xor_si128(acc, _mm_and_si128(w, in));
        ncv = _mm_add_epi64(ncv, _mm_sad_epu8(_mm_and_si128(cm, in), zero));
        p += upto - seen;
        if (hit) {
            hit_at = p;
            break;
        }
    }
    uint64_t lanes[2];
    _mm_storeu_si128((__m128i *)(void *)lanes, ncv);
    nc = (unsigned)(lanes[0] + lanes[1]);
    _mm_storeu_si128((__m128i *)(void *)lanes, acc);
    uint64_t a = lanes[0] ^ lanes[1];
    a ^= a >> 32;
    a ^= a >> 16;
    a ^= a >> 8;
    uint8_t x = (uint8_t)a;
    if (!hit_at) {
        for (; p < end; p++) {
            if (*p == '*' || *p == stop) break;
            x ^= (uint8_t)*p;
            nc += *p == ',';
        }
        if (p == end) return NULL;
        hit_at = p;
    }
    *sum = x;
    *commas = nc;
    return hit_at;
}
#else
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Word-at-a-time scanning (SWAR). bytes_eq() sets the high bit of every byte of w that
 * equals the byte broadcast in `b`, exactly: the per-byte sum (x & 0x7f) + 0x7f cannot
 * carry into the next byte, so no false positives (unlike the classic haszero trick). */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
static inline uint64_t bytes_eq(uint64_t w, uint64_t b) {
    uint64_t x = w ^ b;
    return ~(((x & ~HIGHS) + ~HIGHS) | x) & HIGHS;
}

/* How many bytes of a bytes_eq() mask are set: the multiply adds the eight 0/1 bytes
 * into the top byte (no popcnt instruction in baseline x86-64; libgcc's is a call). */
static inline unsigned count_marks(uint64_t m) { return (unsigned)(((m >> 7) * ONES) >> 56); }
#endif

static inline const char *scan_to_star(const char *p, const char *end, char stop, uint8_t *sum,
                                       unsigned *commas) {
    uint64_t acc = 0;
    unsigned nc = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t stars = ONES * '*', stops = ONES * (uint8_t)stop, comma_w = ONES * ',';
    const char *start = p;
    while (p < end) {
        uint64_t w;
        size_t left = (size_t)(end - p);
        if (left >= 8) {
            memcpy(&w, p, 8);
        } else if (end - start >= 8) {
            /* The last 1..7 bytes: reload the word that ends at `end` and shift out the
             * bytes already seen; the zeros shifted in match nothing. */
            memcpy(&w, end - 8, 8);
            w >>= 8 * (8 - left);
        } else {
            break; /* a range shorter than a word: bytes below */
        }
        uint64_t hit = bytes_eq(w, stars) | bytes_eq(w, stops);
        uint64_t cm = bytes_eq(w, comma_w);
        if (hit) {
            unsigned k = (unsigned)__builtin_ctzll(hit) / 8; /* bytes before the hit */
            uint64_t before = k ? ~0ULL >> (64 - 8 * k) : 0;
            acc ^= w & before;
            nc += count_marks(cm & before);
            p += k;
            goto found;
        }
        if (left < 8) return NULL;
        acc ^= w;
        nc += count_marks(cm);
        p += 8;
    }
#endif
    for (; p < end; p++) {
        if (*p == '*' || *p == stop) goto found;
        acc ^= (uint8_t)*p;
        nc += *p == ',';
    }
    return NULL;
found:
    acc ^= acc >> 32;
    acc ^= acc >> 16;
    acc ^= acc >> 8;
    *sum = (uint8_t)acc;
    *commas = nc;
    return p;
}
#endif

/* Hex digit values plus one; 0 for other bytes. */
static const uint8_t hex_plus1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

static inline int hexval(char c) { return (int)hex_plus1[(uint8_t)c] - 1; }

static inline bool is_digit(char c) { return (unsigned)(c - '0') < 10; }

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Reads `n` digits; -1 when one is not a digit. */
static long read_digits(const char *p, int n) {
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i])) return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* An epoch number in seconds or milliseconds (told apart by magnitude), with an
 * optional fraction. Returns the characters used, 0 when there is no number. */
static size_t parse_epoch(const char *p, const char *end, int64_t *ms) {
    const char *q = p;
    int64_t v = 0;
    int nd = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The first eight digits at once (a Unix time has ten). */
    if (end - q >= 8) {
        uint64_t w;
        memcpy(&w, q, 8);
        if (((w & 0xF0F0F0F0F0F0F0F0ULL) | ((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4) ==
            0x3333333333333333ULL) {
            w -= 0x3030303030303030ULL;           /* digit values, first digit in the low byte */
            w = (w * 10) + (w >> 8);              /* pairs: 2-digit values in every other byte */
            w = (((w & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
                 (((w >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
            v = (int64_t)w;
            q += 8;
            nd = 8;
        }
    }
#endif
    while (q < end && is_digit(*q) && nd < 16) v = v * 10 + (*q++ - '0'), nd++;
    if (nd == 0 || (q < end && is_digit(*q))) return 0;
    int64_t frac_ms = 0;
    if (q < end && *q == '.') {
        q++;
        int k = 0;
        while (q < end && is_digit(*q)) {
            if (k < 3) frac_ms = frac_ms * 10 + (*q - '0'), k++;
            q++;
        }
        while (k < 3) frac_ms *= 10, k++;
    }
    /* Seconds reach 1e11 only in the year 5138; milliseconds pass it in 1973. */
    *ms = v >= 100000000000LL ? v : v * 1000 + frac_ms;
    return (size_t)(q - p);
}

/* `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS[.fff][Z]`; returns characters used. */
static size_t parse_iso(const char *p, const char *end, int64_t *ms) {
    if (end - p < 19 || p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') ||
        p[13] != ':' || p[16] != ':')
        return 0;
    long y = read_digits(p, 4), mo = read_digits(p + 5, 2), d = read_digits(p + 8, 2);
    long h = read_digits(p + 11, 2), mi = read_digits(p + 14, 2), s = read_digits(p + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        s < 0 || s > 60)
        return 0;
    const char *q = p + 19;
    int64_t frac = 0;
    if (q < end && *q == '.') {
        q++;
        int k = 0;
        while (q < end && is_digit(*q)) {
            if (k < 3) frac = frac * 10 + (*q - '0'), k++;
            q++;
        }
        while (k < 3) frac *= 10, k++;
    }
    if (q < end && *q == 'Z') q++;
    *ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + mi) * 60000 + s * 1000 + frac;
    return (size_t)(q - p);
}

/* $PGHP,1,yyyy,m,d,H,M,S,ms,…: Gatehouse's time of the following sentence. */
static bool parse_pghp(const char *s, const char *star, int64_t *ms) {
    const char *p = s + 6;
    if (star - p < 2 || p[0] != '1' || p[1] != ',') return false;
    p += 2;
    long f[7];
    for (int i = 0; i < 7; i++) {
        long v = 0;
        int nd = 0;
        while (p < star && is_digit(*p)) {
            if (++nd > 4) return false; /* before v can overflow */
            v = v * 10 + (*p++ - '0');
        }
        if (nd == 0 || p >= star || *p != ',') return false;
        p++;
        f[i] = v;
    }
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60 || f[6] > 999)
        return false;
    *ms = ((days_from_civil(f[0], (unsigned)f[1], (unsigned)f[2]) * 24 + f[3]) * 60 + f[4]) * 60000 +
          f[5] * 1000 + f[6];
    return true;
}

/* Parses one `\…\` tag block starting at p (on the backslash). Returns the pointer past
 * the closing backslash, or NULL when the block does not close on this line. */
static const char *parse_tagblock(const char *p, const char *end, tags *t, aw_decode_stats *st) {
    const char *body = p + 1;
    /* The closing backslash, and the star before it when there is one, in one pass:
     * the common block `\s:…,c:…*hh\` closes three bytes after its star. */
    uint8_t sum = 0;
    unsigned commas;
    const char *star = scan_to_star(body, end, '\\', &sum, &commas);
    if (!star) return NULL;
    const char *close = star;
    if (*star == '*') {
        const char *q = star + 1;
        while (q < end && q <= star + 3 && *q != '\\') q++;
        close = q < end && *q == '\\' ? q : memchr(q, '\\', (size_t)(end - q));
        if (!close) return NULL;
    } else {
        star = NULL;
    }
    st->tagblocks++;
    const char *fields_end = close;
    if (star) {
        fields_end = star;
        int h1 = close - star >= 3 ? hexval(star[1]) : -1, h2 = close - star >= 3 ? hexval(star[2]) : -1;
        if (h1 < 0 || h2 < 0 || sum != (uint8_t)(h1 << 4 | h2)) st->tagblock_bad_checksum++;
    }
    const char *f = body;
    while (f < fields_end) {
        /* The time, the tag on nearly every line, is parsed where it stands: the number
         * ends at its field's end or the tag is no time (the general path below). */
        if (f[0] == 'c' && fields_end - f > 2 && f[1] == ':') {
            int64_t ms;
            size_t used = parse_epoch(f + 2, fields_end, &ms);
            const char *q = f + 2 + used;
            if (used && (q == fields_end || *q == ',')) {
                t->time_ms = ms;
                commas -= q != fields_end;
                f = q + 1;
                continue;
            }
        }
        /* `commas` counts those left before fields_end: with none, the field runs to
         * the end (the source, usually), else a short loop finds its comma. */
        const char *fe = fields_end;
        if (commas) {
            fe = f;
            while (*fe != ',') fe++;
            commas--;
        }
        if (fe - f >= 2 && f[1] == ':') {
            const char *v = f + 2;
            switch (f[0]) {
            case 'c': {
                int64_t ms;
                size_t used = parse_epoch(v, fe, &ms); /* 0: no number, ms unset */
                if (used && used == (size_t)(fe - v)) t->time_ms = ms;
                break;
            }
            case 's': {
                size_t n = (size_t)(fe - v);
                t->source = v;
                t->source_len = (uint8_t)(n < AW_SOURCE_MAX ? n : AW_SOURCE_MAX);
                break;
            }
            case 'g': {
                /* g:<sentence>-<total>-<group id> */
                long a = 0, b = 0, id = 0;
                const char *q = v;
                int part = 0, nd = 0;
                bool ok = true;
                for (; q < fe && ok; q++) {
                    if (*q == '-') {
                        ok = nd > 0;
                        part++, nd = 0;
                        ok = ok && part <= 2;
                    } else if (is_digit(*q) && nd < 9) {
                        long *dst = part == 0 ? &a : part == 1 ? &b : &id;
                        *dst = *dst * 10 + (*q - '0');
                        nd++;
                    } else {
                        ok = false;
                    }
                }
                if (ok && part == 2 && nd > 0 && a >= 1 && b >= 1 && a <= b && b <= 9) {
                    t->has_group = true;
                    t->group_num = (uint8_t)a;
                    t->group_total = (uint8_t)b;
                    t->group_id = (uint32_t)id;
                }
                break;
            }
            default:
                break;
            }
        }
        f = fe + 1;
    }
    return close + 1;
}

/* Counts a reject and, for --verbose, reports it with the line it came from. Skipped
 * non-AIS NMEA is not an error and is only counted. */
static void reject(aw_decoder *dec, aw_decode_stats *st, aw_reject reason) {
    st->rejects[reason]++;
    if (dec->reject_fn && reason != AW_REJ_OTHER_NMEA)
        dec->reject_fn(dec->reject_ctx, dec->line_no, reason, dec->cur_line, dec->cur_len);
}

static uint64_t hash_bytes(uint64_t h, const void *data, size_t n) {
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* `received` is the payload length as received: more than `len` when reassembly kept
 * only the first REASM_CHARS characters. */
static void deliver(aw_decoder *dec, const char *payload, size_t len, size_t received, unsigned fill,
                    const aw_msg_meta *meta, aw_decode_stats *st, aw_msg_fn fn, void *ctx) {
    (void)dec;
    aw_msg msg;
    aw_ais_err err = aw_ais_decode(payload, len, fill, &msg);
    if (err != AW_AIS_OK) {
        reject(dec, st, AW_REJ_EMPTY_PAYLOAD + (err - AW_AIS_EMPTY));
        return;
    }
    if (received > len) {
        size_t bits = received * 6 - (fill > 5 ? 5 : fill);
        msg.bits = (uint16_t)(bits > 0xffff ? 0xffff : bits);
    }
    st->messages++;
    st->by_type[msg.msg_type]++;
    if (msg.truncated) st->truncated++;
    if (meta->time_ms == AW_TIME_NONE) st->untimed++;
    if (fn) fn(ctx, &msg, meta);
}

static void close_slot(aw_decoder *dec, slot *s) {
    dec->open_mask &= ~(UINT64_C(1) << (s - dec->slots));
}

static void expire_slots(aw_decoder *dec, aw_decode_stats *st) {
    for (uint64_t m = dec->open_mask; m; m &= m - 1) {
        slot *s = &dec->slots[__builtin_ctzll(m)];
        if (dec->line_no - s->opened_line > dec->opts.max_open_lines) {
            reject(dec, st, AW_REJ_INCOMPLETE);
            close_slot(dec, s);
        }
    }
}

static slot *find_slot(aw_decoder *dec, uint64_t key, uint64_t key_nosource, bool has_source) {
    /* Open slots in index order, as a walk of the whole table would find them. */
    for (uint64_t m = dec->open_mask; m; m &= m - 1)
        if (dec->slots[__builtin_ctzll(m)].key == key) return &dec->slots[__builtin_ctzll(m)];
    if (has_source) return NULL;
    /* Satellite feeds often tag only the first fragment with its source. */
    for (uint64_t m = dec->open_mask; m; m &= m - 1)
        if (dec->slots[__builtin_ctzll(m)].key_nosource == key_nosource) return &dec->slots[__builtin_ctzll(m)];
    return NULL;
}

static slot *new_slot(aw_decoder *dec, aw_decode_stats *st) {
    expire_slots(dec, st);
    uint64_t all = ~UINT64_C(0) >> (64 - AW_REASM_SLOTS);
    if (dec->open_mask != all) {
        int i = __builtin_ctzll(~dec->open_mask); /* the first free slot */
        dec->open_mask |= UINT64_C(1) << i;
        return &dec->slots[i];
    }
    slot *oldest = NULL;
    for (int i = 0; i < AW_REASM_SLOTS; i++) {
        slot *s = &dec->slots[i];
        if (!oldest || s->opened_line < oldest->opened_line) oldest = s;
    }
    /* Table full: the oldest open message is the least likely to complete. */
    reject(dec, st, AW_REJ_INCOMPLETE);
    return oldest;
}

typedef struct sentence {
    const char *payload;
    size_t payload_len;
    unsigned fill;
    unsigned frag_count, frag_num;
    int seq_id;
    char channel;
    bool own;
    char talker[3];
} sentence;

static void handle_fragment(aw_decoder *dec, const sentence *se, const tags *tg, int64_t time_ms,
                            aw_decode_stats *st, aw_msg_fn fn, void *ctx) {
    aw_msg_meta meta = {
        .time_ms = time_ms,
        .line_no = dec->line_no,
        .channel = se->channel,
        .own = se->own,
        .source = tg->source,
        .source_len = tg->source_len,
        .fragments = 1,
    };
    memcpy(meta.talker, se->talker, 3);
    if (se->frag_count == 1) {
        deliver(dec, se->payload, se->payload_len, se->payload_len, se->fill, &meta, st, fn, ctx);
        return;
    }
    /* Tag-block groups name the message; otherwise source, channel, sequence id and
     * fragment count do, as receivers interleave channels and sources. */
    uint64_t key = 0xcbf29ce484222325ULL, key_nosource = key;
    key_nosource = hash_bytes(key_nosource, &se->channel, 1);
    key_nosource = hash_bytes(key_nosource, &se->seq_id, sizeof se->seq_id);
    key_nosource = hash_bytes(key_nosource, &se->frag_count, sizeof se->frag_count);
    if (tg->has_group && tg->group_total == se->frag_count) {
        key = hash_bytes(key, "g", 1);
        key = hash_bytes(key, &tg->group_id, sizeof tg->group_id);
    } else {
        key = hash_bytes(key, tg->source ? tg->source : "", tg->source ? tg->source_len : 0);
        key = hash_bytes(key, &se->channel, 1);
        key = hash_bytes(key, &se->seq_id, sizeof se->seq_id);
    }
    key = hash_bytes(key, &se->frag_count, sizeof se->frag_count);

    slot *s = find_slot(dec, key, key_nosource, tg->source != NULL || se->frag_num == 1);
    if (se->frag_num == 1) {
        if (s) { /* a new first fragment: the previous message lost its tail */
            reject(dec, st, AW_REJ_INCOMPLETE);
        } else {
            s = new_slot(dec, st);
        }
        s->key = key;
        s->key_nosource = key_nosource;
        s->opened_line = dec->line_no;
        s->time_ms = time_ms;
        s->count = (uint8_t)se->frag_count;
        s->next = 2;
        s->channel = se->channel;
        s->own = se->own;
        memcpy(s->talker, se->talker, 3);
        s->source_len = tg->source ? tg->source_len : 0;
        if (s->source_len) memcpy(s->source, tg->source, s->source_len);
        size_t n = se->payload_len < REASM_CHARS ? se->payload_len : REASM_CHARS;
        memcpy(s->payload, se->payload, n);
        s->len = (uint16_t)n;
        s->total_len = se->payload_len;
        return;
    }
    if (!s) {
        reject(dec, st, AW_REJ_ORPHAN_FRAGMENT);
        return;
    }
    if (se->frag_num != s->next) {
        reject(dec, st, AW_REJ_OUT_OF_ORDER);
        close_slot(dec, s);
        return;
    }
    size_t room = REASM_CHARS - s->len;
    size_t n = se->payload_len < room ? se->payload_len : room;
    memcpy(s->payload + s->len, se->payload, n);
    s->len = (uint16_t)(s->len + n);
    s->total_len += se->payload_len;
    if (s->time_ms == AW_TIME_NONE) s->time_ms = time_ms;
    s->next++;
    if (se->frag_num < s->count) return;

    meta.time_ms = s->time_ms;
    meta.channel = s->channel;
    meta.own = s->own;
    memcpy(meta.talker, s->talker, 3);
    meta.source = s->source_len ? s->source : NULL;
    meta.source_len = s->source_len;
    meta.fragments = s->count;
    /* A payload cut at REASM_CHARS still decodes; aw_ais_decode flags it truncated. */
    deliver(dec, s->payload, s->len, s->total_len, se->fill, &meta, st, fn, ctx);
    close_slot(dec, s);
}

/* Fields of `!xxVDM,<count>,<num>,<seq>,<chan>,<payload>,<fill>*hh` between s and star;
 * `commas` counts the commas there. */
static bool parse_fields(const char *s, const char *star, unsigned commas, sentence *se) {
    const char *p = s + 7;
    if (p >= star || !is_digit(*p)) return false;
    se->frag_count = (unsigned)(*p++ - '0');
    if (p >= star || *p++ != ',' || p >= star || !is_digit(*p)) return false;
    se->frag_num = (unsigned)(*p++ - '0');
    if (p >= star || *p++ != ',') return false;
    se->seq_id = -1;
    if (is_digit(*p)) {
        se->seq_id = 0;
        while (p < star && is_digit(*p)) {
            se->seq_id = se->seq_id * 10 + (*p++ - '0');
            if (se->seq_id > 9999) return false; /* before it can overflow */
        }
    }
    if (p >= star || *p++ != ',') return false;
    se->channel = 0;
    if (*p != ',') se->channel = *p++;
    if (p >= star || *p++ != ',') return false;
    const char *payload = p;
    /* Five commas are behind us; when the sixth is the last, it is the one before the
     * fill digit and the payload holds none: no need to search for it. */
    const char *comma = commas == 6 && star - p >= 2 && star[-2] == ',' ? star - 2
                                                                        : memchr(p, ',', (size_t)(star - p));
    if (!comma) return false;
    se->payload = payload;
    se->payload_len = (size_t)(comma - payload);
    p = comma + 1;
    if (p + 1 != star || !is_digit(*p)) return false;
    se->fill = (unsigned)(*p - '0');
    if (se->frag_count == 0 || se->frag_num == 0 || se->frag_num > se->frag_count || se->fill > 5)
        return false;
    return true;
}

static void process_line(aw_decoder *dec, const char *line, const char *end, aw_decode_stats *st,
                         aw_msg_fn fn, void *ctx) {
    while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n')) end--;
    const char *p = line;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (p == end || *p == '#') {
        st->comments++;
        return;
    }
    int64_t prefix_ms = AW_TIME_NONE;
    if (is_digit(*p)) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t plen = comma ? (size_t)(comma - p) : 0;
        if (plen && plen == dec->prefix_cache_len && memcmp(p, dec->prefix_cache, plen) == 0) {
            prefix_ms = dec->prefix_cache_ms;
        } else if (plen) {
            int64_t ms;
            size_t used = parse_iso(p, comma, &ms);
            if (used == 0) used = parse_epoch(p, comma, &ms);
            if (used == plen) {
                if (plen > 4 && p[4] == '-') {
                    int32_t off = dec->opts.prefix_utc_offset_fn
                                      ? dec->opts.prefix_utc_offset_fn(dec->opts.prefix_utc_offset_ctx, ms)
                                      : dec->opts.prefix_utc_offset_s;
                    ms -= (int64_t)off * 1000;
                }
                prefix_ms = ms;
                if (plen < sizeof dec->prefix_cache) {
                    memcpy(dec->prefix_cache, p, plen);
                    dec->prefix_cache_len = plen;
                    dec->prefix_cache_ms = ms;
                }
            }
        }
        if (prefix_ms == AW_TIME_NONE) {
            reject(dec, st, AW_REJ_NOT_NMEA);
            return;
        }
        p = comma + 1;
    }

    tags tg = {.time_ms = AW_TIME_NONE};
    bool any = false;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (p >= end) break;
        if (*p == '\\') {
            /* Some exports join sentences with a literal "\r\n" written as text. */
            if (end - p >= 4 && memcmp(p, "\\r\\n", 4) == 0) {
                p += 4;
                continue;
            }
            const char *next = parse_tagblock(p, end, &tg, st);
            if (!next) break;
            p = next;
            continue;
        }
        if (*p != '!' && *p != '$') break;

        const char *s = p;
        uint8_t sum = 0;
        unsigned commas = 0;
        const char *star = scan_to_star(s + 1, end, '*', &sum, &commas);
        bool ais = end - s >= 7 && s[0] == '!' && s[3] == 'V' && s[4] == 'D' && (s[5] == 'M' || s[5] == 'O') &&
                   s[6] == ',';
        if (!star || end - star < 3) {
            if (ais) {
                st->sentences++;
                reject(dec, st, AW_REJ_NO_CHECKSUM);
            } else {
                /* `$`/`!` sentences without a checksum (`!AIPWR,…`) are NMEA we do not use. */
                reject(dec, st, AW_REJ_OTHER_NMEA);
            }
            any = true;
            break;
        }
        int h1 = hexval(star[1]), h2 = hexval(star[2]);
        bool sum_ok = h1 >= 0 && h2 >= 0 && sum == (uint8_t)(h1 << 4 | h2);
        p = star + 3;
        /* Trailing ",<epoch>" written by some receivers after the checksum. */
        int64_t trailer_ms = AW_TIME_NONE;
        if (p < end && *p == ',' && p + 1 < end && is_digit(p[1])) {
            int64_t ms;
            size_t used = parse_epoch(p + 1, end, &ms);
            if (used) {
                trailer_ms = ms;
                p += 1 + used;
            }
        }
        any = true;
        if (!ais) {
            if (!sum_ok) {
                reject(dec, st, AW_REJ_BAD_CHECKSUM);
            } else if (star - s >= 6 && memcmp(s, "$PGHP,", 6) == 0) {
                int64_t ms;
                if (parse_pghp(s, star, &ms)) dec->pghp_time_ms = trailer_ms != AW_TIME_NONE ? trailer_ms : ms;
                reject(dec, st, AW_REJ_OTHER_NMEA);
            } else {
                reject(dec, st, AW_REJ_OTHER_NMEA);
            }
            tg = (tags){.time_ms = AW_TIME_NONE};
            continue;
        }
        st->sentences++;
        if (!sum_ok) {
            reject(dec, st, AW_REJ_BAD_CHECKSUM);
            if (!dec->opts.accept_bad_checksum) {
                tg = (tags){.time_ms = AW_TIME_NONE};
                continue;
            }
        }
        sentence se;
        if (!parse_fields(s, star, commas, &se)) {
            reject(dec, st, AW_REJ_MALFORMED);
            tg = (tags){.time_ms = AW_TIME_NONE};
            continue;
        }
        se.own = s[5] == 'O';
        se.talker[0] = s[1];
        se.talker[1] = s[2];
        se.talker[2] = 0;
        int64_t t = tg.time_ms;
        if (t == AW_TIME_NONE) t = trailer_ms;
        if (t == AW_TIME_NONE) t = dec->pghp_time_ms;
        if (t == AW_TIME_NONE) t = prefix_ms;
        dec->pghp_time_ms = AW_TIME_NONE;
        handle_fragment(dec, &se, &tg, t, st, fn, ctx);
        tg = (tags){.time_ms = AW_TIME_NONE};
    }
    if (!any) reject(dec, st, AW_REJ_NOT_NMEA);
}

void aw_decoder_lines(aw_decoder *dec, const char *buf, size_t len, aw_decode_stats *st, aw_msg_fn fn,
                      void *ctx) {
    const char *p = buf, *end = buf + len;
    st->bytes += len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        dec->line_no++;
        st->lines++;
        dec->cur_line = p;
        dec->cur_len = (size_t)(le - p);
        process_line(dec, p, le, st, fn, ctx);
        p = nl ? nl + 1 : end;
    }
}

void aw_decoder_on_reject(aw_decoder *dec, aw_row_reject_fn fn, void *ctx) {
    dec->reject_fn = fn;
    dec->reject_ctx = ctx;
}

void aw_decoder_set_line(aw_decoder *dec, uint64_t line_no) { dec->line_no = line_no; }

void aw_decoder_finish(aw_decoder *dec, aw_decode_stats *st) {
    dec->cur_line = NULL;
    dec->cur_len = 0;
    for (uint64_t m = dec->open_mask; m; m &= m - 1) {
        reject(dec, st, AW_REJ_INCOMPLETE);
        close_slot(dec, &dec->slots[__builtin_ctzll(m)]);
    }
}

bool aw_nmea_line_fragment(const char *line, size_t len, unsigned *count, unsigned *num, uint32_t *group) {
    const char *end = line + len, *s = line;
    while ((s = memchr(s, '!', (size_t)(end - s))) != NULL) {
        if (end - s >= 11 && s[3] == 'V' && s[4] == 'D' && s[6] == ',' && is_digit(s[7]) && s[8] == ',' &&
            is_digit(s[9]) && s[10] == ',')
            break;
        s++;
    }
    if (!s) return false;
    *count = (unsigned)(s[7] - '0');
    *num = (unsigned)(s[9] - '0');
    /* A tag block's "g:num-total-id" names the message outright. */
    const char *tb_end = s;
    for (const char *g = line; g + 2 < tb_end; g++) {
        if (g[0] == 'g' && g[1] == ':' && (g == line || g[-1] == '\\' || g[-1] == ',')) {
            const char *p = g + 2;
            int dashes = 0;
            while (p < tb_end && dashes < 2)
                dashes += *p++ == '-';
            uint32_t id = 0;
            while (p < tb_end && is_digit(*p)) id = id * 10 + (uint32_t)(*p++ - '0');
            *group = id | 0x80000000u;
            return true;
        }
    }
    const char *q = s + 11; /* the sequence id, then the channel */
    uint32_t key = *count;
    while (q < end && *q != ',') key = key * 31 + (uint8_t)*q++;
    key = key * 31 + ',';
    if (q < end) q++;
    while (q < end && *q != ',') key = key * 31 + (uint8_t)*q++;
    *group = key & 0x7fffffffu;
    return true;
}

bool aw_nmea_line_starts_message(const char *line, size_t len) {
    const char *end = line + len;
    const char *s = line;
    /* The first AIS sentence on the line decides. */
    while ((s = memchr(s, '!', (size_t)(end - s))) != NULL) {
        if (end - s >= 11 && s[3] == 'V' && s[4] == 'D' && s[6] == ',' && is_digit(s[7]) && s[8] == ',' &&
            is_digit(s[9]))
            return s[9] == '1';
        s++;
    }
    return false;
}
