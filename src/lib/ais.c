/* ais.c — six-bit de-armouring and field extraction for AIS message types 1–27.
 *
 * The payload is first packed into a zero-padded byte buffer (4 characters → 3 bytes),
 * so every field is one unaligned 64-bit big-endian load, a shift and a mask: no
 * branch per bit and no allocation. Bit offsets follow ITU-R M.1371-5 Annex 8 and the
 * AIVDM/AIVDO decoding document; length rules follow the "accept long, reject short"
 * practice of receivers in the field (see aw_ais_min_bits).
 */
#include "aiswatch/ais.h"

#include <string.h>

/* Packed bits plus 8 zero bytes so a 64-bit load never leaves the buffer. */
_Static_assert(AW_MAX_DATA_BYTES + 16 >= 64 + 80, "decode_fields zeroes 80 bytes after up to 64");
_Static_assert((AW_MAX_PAYLOAD_BITS / 6 + 1) / 8 * 6 + 2 <= AW_MAX_DATA_BYTES + 16, "aw_ais_decode's word stores fit");
typedef struct bitbuf {
    uint8_t b[AW_MAX_DATA_BYTES + 16];
    size_t nbits;
} bitbuf;

static const char *const err_names[AW_AIS_ERR_COUNT] = {
    [AW_AIS_OK] = "ok",
    [AW_AIS_EMPTY] = "empty_payload",
    [AW_AIS_BAD_CHAR] = "bad_payload_char",
    [AW_AIS_BAD_TYPE] = "bad_msg_type",
    [AW_AIS_TOO_SHORT] = "too_short",
};

const char *aw_ais_err_name(aw_ais_err err) {
    return (unsigned)err < AW_AIS_ERR_COUNT ? err_names[err] : "unknown";
}

/* Minimum lengths: the shortest message that still carries every mandatory field.
 * Type 5 accepts 420 bits because many transmitters in the wild send 420 or 422;
 * types 1-3 accept 163, as gpsd does: some senders cut the radio status short. */
static const uint16_t min_bits[28] = {
    0,   163, 163, 163, 168, 420, 88, 72, 56, 168, 72,  168, 72,  72,
    40,  88,  96,  80,  168, 312, 72, 272, 168, 160, 160, 40,  60,  96,
};

unsigned aw_ais_min_bits(unsigned msg_type) {
    return msg_type < 28 ? min_bits[msg_type] : 0;
}

/* Six-bit value | 0x40; 0 marks characters outside the armour alphabet ('0'..'W', '`'..'w'). */
static const uint8_t armour[256] = {
#define R(c) [c] = (uint8_t)(0x40 | ((c) - 48 > 40 ? (c) - 56 : (c) - 48))
    R('0'), R('1'), R('2'), R('3'), R('4'), R('5'), R('6'), R('7'), R('8'), R('9'),
    R(':'), R(';'), R('<'), R('='), R('>'), R('?'), R('@'), R('A'), R('B'), R('C'),
    R('D'), R('E'), R('F'), R('G'), R('H'), R('I'), R('J'), R('K'), R('L'), R('M'),
    R('N'), R('O'), R('P'), R('Q'), R('R'), R('S'), R('T'), R('U'), R('V'), R('W'),
    R('`'), R('a'), R('b'), R('c'), R('d'), R('e'), R('f'), R('g'), R('h'), R('i'),
    R('j'), R('k'), R('l'), R('m'), R('n'), R('o'), R('p'), R('q'), R('r'), R('s'),
    R('t'), R('u'), R('v'), R('w'),
#undef R
};

static inline uint64_t load_be64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

/* Field of `width` (1..32) bits at `start`; the buffer is zero past nbits. */
static inline uint32_t ub(const bitbuf *bb, size_t start, unsigned width) {
    uint64_t v = load_be64(bb->b + (start >> 3)) << (start & 7);
    return (uint32_t)(v >> (64 - width));
}

static inline int32_t sb(const bitbuf *bb, size_t start, unsigned width) {
    uint64_t v = load_be64(bb->b + (start >> 3)) << (start & 7);
    return (int32_t)((int64_t)v >> (64 - width));
}

static const char sixbit_ascii[64] =
    "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

/* Six-bit text up to the first '@' (the padding character), trailing spaces trimmed,
 * as gpsd and the decoding document read it. */
static void text_at(const bitbuf *bb, size_t start, unsigned nchars, char *out) {
    unsigned i = 0;
    for (; i < nchars; i++) {
        char c = sixbit_ascii[ub(bb, start + 6 * (size_t)i, 6)];
        if (c == '@') break;
        out[i] = c;
    }
    while (i > 0 && out[i - 1] == ' ') i--;
    out[i] = '\0';
}

/* Characters of text that fit between `start` and the end of the message. */
static unsigned chars_left(const bitbuf *bb, size_t start, unsigned cap) {
    if (bb->nbits <= start) return 0;
    size_t n = (bb->nbits - start) / 6;
    return n < cap ? (unsigned)n : cap;
}

static void copy_data(const bitbuf *bb, size_t start, uint8_t *data, uint16_t *bitcount) {
    size_t n = bb->nbits > start ? bb->nbits - start : 0;
    if (n > AW_MAX_PAYLOAD_BITS) n = AW_MAX_PAYLOAD_BITS;
    *bitcount = (uint16_t)n;
    size_t nbytes = (n + 7) / 8;
    for (size_t i = 0; i < nbytes; i++) data[i] = (uint8_t)ub(bb, start + 8 * i, 8);
    if (n & 7) data[nbytes - 1] &= (uint8_t)(0xff << (8 - (n & 7)));
    memset(data + nbytes, 0, AW_MAX_DATA_BYTES - nbytes);
}

static void decode_pos(const bitbuf *bb, aw_pos_report *p) {
    p->status = (uint8_t)ub(bb, 38, 4);
    p->turn = (int8_t)sb(bb, 42, 8);
    p->speed = (uint16_t)ub(bb, 50, 10);
    p->accuracy = ub(bb, 60, 1);
    p->lon = sb(bb, 61, 28);
    p->lat = sb(bb, 89, 27);
    p->course = (uint16_t)ub(bb, 116, 12);
    p->heading = (uint16_t)ub(bb, 128, 9);
    p->second = (uint8_t)ub(bb, 137, 6);
    p->maneuver = (uint8_t)ub(bb, 143, 2);
    p->spare = (uint8_t)ub(bb, 145, 3);
    p->raim = ub(bb, 148, 1);
    p->radio = ub(bb, 149, bb->nbits < 168 ? (unsigned)(bb->nbits - 149) : 19); /* 163..167-bit senders */
}

static void decode_base(const bitbuf *bb, aw_base_report *p) {
    p->year = (uint16_t)ub(bb, 38, 14);
    p->month = (uint8_t)ub(bb, 52, 4);
    p->day = (uint8_t)ub(bb, 56, 5);
    p->hour = (uint8_t)ub(bb, 61, 5);
    p->minute = (uint8_t)ub(bb, 66, 6);
    p->second = (uint8_t)ub(bb, 72, 6);
    p->accuracy = ub(bb, 78, 1);
    p->lon = sb(bb, 79, 28);
    p->lat = sb(bb, 107, 27);
    p->epfd = (uint8_t)ub(bb, 134, 4);
    p->raim = ub(bb, 148, 1);
    p->radio = ub(bb, 149, 19);
}

static void decode_voyage(const bitbuf *bb, aw_static_voyage *p) {
    p->ais_version = (uint8_t)ub(bb, 38, 2);
    p->imo = ub(bb, 40, 30);
    text_at(bb, 70, 7, p->callsign);
    text_at(bb, 112, 20, p->shipname);
    p->shiptype = (uint8_t)ub(bb, 232, 8);
    p->to_bow = (uint16_t)ub(bb, 240, 9);
    p->to_stern = (uint16_t)ub(bb, 249, 9);
    p->to_port = (uint8_t)ub(bb, 258, 6);
    p->to_starboard = (uint8_t)ub(bb, 264, 6);
    p->epfd = (uint8_t)ub(bb, 270, 4);
    p->month = (uint8_t)ub(bb, 274, 4);
    p->day = (uint8_t)ub(bb, 278, 5);
    p->hour = (uint8_t)ub(bb, 283, 5);
    p->minute = (uint8_t)ub(bb, 288, 6);
    p->draught = (uint8_t)ub(bb, 294, 8);
    text_at(bb, 302, chars_left(bb, 302, 20), p->destination);
    p->dte = ub(bb, 422, 1);
}

static void decode_classb(const bitbuf *bb, unsigned type, aw_classb_pos *p) {
    memset(p, 0, sizeof *p);
    p->reserved = (uint8_t)ub(bb, 38, 8);
    p->speed = (uint16_t)ub(bb, 46, 10);
    p->accuracy = ub(bb, 56, 1);
    p->lon = sb(bb, 57, 28);
    p->lat = sb(bb, 85, 27);
    p->course = (uint16_t)ub(bb, 112, 12);
    p->heading = (uint16_t)ub(bb, 124, 9);
    p->second = (uint8_t)ub(bb, 133, 6);
    if (type == 18) {
        p->regional = (uint8_t)ub(bb, 139, 2);
        p->cs = ub(bb, 141, 1);
        p->display = ub(bb, 142, 1);
        p->dsc = ub(bb, 143, 1);
        p->band = ub(bb, 144, 1);
        p->msg22 = ub(bb, 145, 1);
        p->assigned = ub(bb, 146, 1);
        p->raim = ub(bb, 147, 1);
        p->radio = ub(bb, 148, 20);
    } else {
        p->regional = (uint8_t)ub(bb, 139, 4);
        text_at(bb, 143, 20, p->shipname);
        p->shiptype = (uint8_t)ub(bb, 263, 8);
        p->to_bow = (uint16_t)ub(bb, 271, 9);
        p->to_stern = (uint16_t)ub(bb, 280, 9);
        p->to_port = (uint8_t)ub(bb, 289, 6);
        p->to_starboard = (uint8_t)ub(bb, 295, 6);
        p->epfd = (uint8_t)ub(bb, 301, 4);
        p->raim = ub(bb, 305, 1);
        p->dte = ub(bb, 306, 1);
        p->assigned = ub(bb, 307, 1);
    }
}

static void decode_static_b(const bitbuf *bb, uint32_t mmsi, aw_static_b *p) {
    memset(p, 0, sizeof *p);
    p->partno = (uint8_t)ub(bb, 38, 2);
    if (p->partno == 0) {
        text_at(bb, 40, chars_left(bb, 40, 20), p->shipname);
        return;
    }
    p->shiptype = (uint8_t)ub(bb, 40, 8);
    /* The vendor id field was 42 bits of text before M.1371-4 split it into a
     * 3-character manufacturer, a 4-bit model and a 20-bit serial; keep both views. */
    text_at(bb, 48, 7, p->vendorid);
    p->model = (uint8_t)ub(bb, 66, 4);
    p->serial = ub(bb, 70, 20);
    text_at(bb, 90, 7, p->callsign);
    p->auxiliary = mmsi / 10000000 == 98;
    if (p->auxiliary) {
        p->mothership_mmsi = ub(bb, 132, 30);
    } else {
        p->to_bow = (uint16_t)ub(bb, 132, 9);
        p->to_stern = (uint16_t)ub(bb, 141, 9);
        p->to_port = (uint8_t)ub(bb, 150, 6);
        p->to_starboard = (uint8_t)ub(bb, 156, 6);
    }
}

static void decode_aton(const bitbuf *bb, aw_aid_nav *p) {
    p->aid_type = (uint8_t)ub(bb, 38, 5);
    text_at(bb, 43, 20, p->name);
    p->accuracy = ub(bb, 163, 1);
    p->lon = sb(bb, 164, 28);
    p->lat = sb(bb, 192, 27);
    p->to_bow = (uint16_t)ub(bb, 219, 9);
    p->to_stern = (uint16_t)ub(bb, 228, 9);
    p->to_port = (uint8_t)ub(bb, 237, 6);
    p->to_starboard = (uint8_t)ub(bb, 243, 6);
    p->epfd = (uint8_t)ub(bb, 249, 4);
    p->second = (uint8_t)ub(bb, 253, 6);
    p->off_position = ub(bb, 259, 1);
    p->regional = (uint8_t)ub(bb, 260, 8);
    p->raim = ub(bb, 268, 1);
    p->virtual_aid = ub(bb, 269, 1);
    p->assigned = ub(bb, 270, 1);
    /* The extension continues the full 20 characters, padding spaces included, so the
     * name is read untrimmed first and trimmed once joined (as gpsd and the standard do). */
    unsigned ext = chars_left(bb, 272, 14);
    if (ext > 0) {
        unsigned i = 0;
        for (; i < 20; i++) {
            char c = sixbit_ascii[ub(bb, 43 + 6 * (size_t)i, 6)];
            if (c == '@') break;
            p->name[i] = c;
        }
        if (i == 20) {
            text_at(bb, 272, ext, p->name + 20);
            if (p->name[20] == '\0') text_at(bb, 43, 20, p->name);
        } else {
            /* A short name has no extension: the loop above overwrote its terminator. */
            text_at(bb, 43, 20, p->name);
        }
    }
}

static void decode_chan(const bitbuf *bb, aw_channel_mgmt *p) {
    p->channel_a = (uint16_t)ub(bb, 40, 12);
    p->channel_b = (uint16_t)ub(bb, 52, 12);
    p->txrx = (uint8_t)ub(bb, 64, 4);
    p->power = ub(bb, 68, 1);
    p->addressed = ub(bb, 139, 1);
    if (p->addressed) {
        p->dest1 = ub(bb, 69, 30);
        p->dest2 = ub(bb, 104, 30);
        p->ne_lon = p->ne_lat = p->sw_lon = p->sw_lat = 0;
    } else {
        p->ne_lon = sb(bb, 69, 18);
        p->ne_lat = sb(bb, 87, 17);
        p->sw_lon = sb(bb, 104, 18);
        p->sw_lat = sb(bb, 122, 17);
        p->dest1 = p->dest2 = 0;
    }
    p->band_a = ub(bb, 140, 1);
    p->band_b = ub(bb, 141, 1);
    p->zonesize = (uint8_t)ub(bb, 142, 3);
}

static void decode_binary(const bitbuf *bb, unsigned type, aw_binary *p) {
    size_t data_at;
    p->seqno = 0;
    p->dest_mmsi = 0;
    p->retransmit = p->addressed = p->structured = false;
    p->dac = p->fid = 0;
    p->app_id = 0;
    p->radio = 0;
    if (type == 6) {
        p->seqno = (uint8_t)ub(bb, 38, 2);
        p->dest_mmsi = ub(bb, 40, 30);
        p->retransmit = ub(bb, 70, 1);
        p->dac = (uint16_t)ub(bb, 72, 10);
        p->fid = (uint8_t)ub(bb, 82, 6);
        data_at = 88;
    } else if (type == 8) {
        p->dac = (uint16_t)ub(bb, 40, 10);
        p->fid = (uint8_t)ub(bb, 50, 6);
        data_at = 56;
    } else { /* 25, 26 */
        p->addressed = ub(bb, 38, 1);
        p->structured = ub(bb, 39, 1);
        data_at = 40;
        if (p->addressed) {
            p->dest_mmsi = ub(bb, 40, 30);
            data_at = 70;
        }
        if (p->structured) {
            p->app_id = (uint16_t)ub(bb, data_at, 16);
            data_at += 16;
        }
    }
    bitbuf tmp;
    const bitbuf *src = bb;
    if (type == 26 && bb->nbits >= data_at + 20) {
        /* The radio status is the last 20 bits, whatever the data length. */
        p->radio = ub(bb, bb->nbits - 20, 20);
        memcpy(&tmp, bb, sizeof tmp);
        tmp.nbits -= 20;
        src = &tmp;
    }
    copy_data(src, data_at, p->data, &p->bitcount);
}

static aw_ais_err decode_fields(bitbuf *bb, aw_msg *out) {
    /* Zero the padding so fields past the end read as zero. Reads past the end reach at
     * most 16 bytes beyond it (a 64-bit load, type 7/13's rounded-up last entry) or
     * byte 60 (type 5's last fixed field at bit 422); a fixed-size memset of 80 bytes
     * covers both and compiles to a few stores, where the whole tail was a call. */
    size_t used = (bb->nbits + 7) / 8;
    if (used <= 64)
        memset(bb->b + used, 0, 80);
    else
        memset(bb->b + used, 0, sizeof bb->b - used);
    if (bb->nbits & 7) bb->b[used - 1] &= (uint8_t)(0xff << (8 - (bb->nbits & 7)));

    if (bb->nbits < 6) return AW_AIS_EMPTY;
    unsigned type = ub(bb, 0, 6);
    if (type < 1 || type > 27) return AW_AIS_BAD_TYPE;
    if (bb->nbits < min_bits[type]) return AW_AIS_TOO_SHORT;
    out->msg_type = (uint8_t)type;
    out->repeat = (uint8_t)ub(bb, 6, 2);
    out->mmsi = ub(bb, 8, 30);

    switch (type) {
    case 1: case 2: case 3:
        decode_pos(bb, &out->u.pos);
        break;
    case 4: case 11:
        decode_base(bb, &out->u.base);
        break;
    case 5:
        decode_voyage(bb, &out->u.voy);
        break;
    case 6: case 8: case 25: case 26:
        decode_binary(bb, type, &out->u.bin);
        break;
    case 7: case 13: {
        aw_ack *a = &out->u.ack;
        memset(a, 0, sizeof *a);
        a->count = (uint8_t)((bb->nbits - 40 + 31) / 32); /* a cut-short last entry counts */
        if (a->count > 4) a->count = 4;
        if (a->count == 0) a->count = 1; /* 72 bits: one station without spare */
        for (unsigned i = 0; i < a->count; i++) {
            a->mmsi[i] = ub(bb, 40 + 32 * i, 30);
            a->seqno[i] = (uint8_t)ub(bb, 70 + 32 * i, 2);
        }
        break;
    }
    case 9: {
        aw_sar_report *p = &out->u.sar;
        p->alt = (uint16_t)ub(bb, 38, 12);
        p->speed = (uint16_t)ub(bb, 50, 10);
        p->accuracy = ub(bb, 60, 1);
        p->lon = sb(bb, 61, 28);
        p->lat = sb(bb, 89, 27);
        p->course = (uint16_t)ub(bb, 116, 12);
        p->second = (uint8_t)ub(bb, 128, 6);
        p->regional = (uint8_t)ub(bb, 134, 8);
        p->dte = ub(bb, 142, 1);
        p->assigned = ub(bb, 146, 1);
        p->raim = ub(bb, 147, 1);
        p->radio = ub(bb, 148, 20);
        break;
    }
    case 10:
        out->u.dest_mmsi = ub(bb, 40, 30);
        break;
    case 12: {
        aw_text_msg *t = &out->u.text;
        t->seqno = (uint8_t)ub(bb, 38, 2);
        t->dest_mmsi = ub(bb, 40, 30);
        t->retransmit = ub(bb, 70, 1);
        text_at(bb, 72, chars_left(bb, 72, sizeof t->text - 1), t->text);
        break;
    }
    case 14: {
        aw_text_msg *t = &out->u.text;
        t->seqno = 0;
        t->dest_mmsi = 0;
        t->retransmit = false;
        text_at(bb, 40, chars_left(bb, 40, sizeof t->text - 1), t->text);
        break;
    }
    case 15: {
        aw_interrogation *q = &out->u.inq;
        q->mmsi1 = ub(bb, 40, 30);
        q->type1_1 = (uint8_t)ub(bb, 70, 6);
        q->offset1_1 = (uint16_t)ub(bb, 76, 12);
        q->type1_2 = (uint8_t)ub(bb, 90, 6);
        q->offset1_2 = (uint16_t)ub(bb, 96, 12);
        q->mmsi2 = ub(bb, 110, 30);
        q->type2_1 = (uint8_t)ub(bb, 140, 6);
        q->offset2_1 = (uint16_t)ub(bb, 146, 12);
        break;
    }
    case 16: {
        aw_assign *a = &out->u.assign;
        a->mmsi1 = ub(bb, 40, 30);
        a->offset1 = (uint16_t)ub(bb, 70, 12);
        a->increment1 = (uint16_t)ub(bb, 82, 10);
        a->mmsi2 = ub(bb, 92, 30);
        a->offset2 = (uint16_t)ub(bb, 122, 12);
        a->increment2 = (uint16_t)ub(bb, 134, 10);
        break;
    }
    case 17: {
        aw_dgnss *d = &out->u.dgnss;
        d->lon = sb(bb, 40, 18);
        d->lat = sb(bb, 58, 17);
        copy_data(bb, 80, d->data, &d->bitcount);
        break;
    }
    case 18: case 19:
        decode_classb(bb, type, &out->u.cb);
        break;
    case 20: {
        aw_slot_mgmt *s = &out->u.slots;
        memset(s, 0, sizeof *s);
        s->count = (uint8_t)((bb->nbits - 40) / 30);
        if (s->count > 4) s->count = 4;
        for (unsigned i = 0; i < s->count; i++) {
            size_t at = 40 + 30 * (size_t)i;
            s->offset[i] = (uint16_t)ub(bb, at, 12);
            s->number[i] = (uint8_t)ub(bb, at + 12, 4);
            s->timeout[i] = (uint8_t)ub(bb, at + 16, 3);
            s->increment[i] = (uint16_t)ub(bb, at + 19, 11);
        }
        break;
    }
    case 21:
        decode_aton(bb, &out->u.aton);
        break;
    case 22:
        decode_chan(bb, &out->u.chan);
        break;
    case 23: {
        aw_group_assign *g = &out->u.group;
        g->ne_lon = sb(bb, 40, 18);
        g->ne_lat = sb(bb, 58, 17);
        g->sw_lon = sb(bb, 75, 18);
        g->sw_lat = sb(bb, 93, 17);
        g->stationtype = (uint8_t)ub(bb, 110, 4);
        g->shiptype = (uint8_t)ub(bb, 114, 8);
        g->txrx = (uint8_t)ub(bb, 144, 2);
        g->interval = (uint8_t)ub(bb, 146, 4);
        g->quiet = (uint8_t)ub(bb, 150, 4);
        break;
    }
    case 24:
        /* Part B needs 168 bits; part A is complete at 160. */
        if (ub(bb, 38, 2) != 0 && bb->nbits < 168) return AW_AIS_TOO_SHORT;
        decode_static_b(bb, out->mmsi, &out->u.sb);
        break;
    case 27: {
        aw_long_range *l = &out->u.lr;
        l->accuracy = ub(bb, 38, 1);
        l->raim = ub(bb, 39, 1);
        l->status = (uint8_t)ub(bb, 40, 4);
        l->lon = sb(bb, 44, 18);
        l->lat = sb(bb, 62, 17);
        l->speed = (uint8_t)ub(bb, 79, 6);
        l->course = (uint16_t)ub(bb, 85, 9);
        l->gnss = ub(bb, 94, 1);
        break;
    }
    }
    return AW_AIS_OK;
}

aw_ais_err aw_ais_decode(const char *payload, size_t len, unsigned fill_bits, aw_msg *out) {
    bitbuf bb;
    size_t maxchars = AW_MAX_PAYLOAD_BITS / 6 + 1;
    size_t n = len < maxchars ? len : maxchars;
    out->truncated = len > maxchars;
    if (len == 0) return AW_AIS_EMPTY;

    /* One pass validates and packs: every table entry of a valid character has 0x40
     * set, so AND-ing them all tells whether any was invalid. */
    uint8_t all = 0x40;
    for (size_t k = n; k < len; k++) all &= armour[(uint8_t)payload[k]];
    size_t i = 0, o = 0;
    /* Eight characters make six bytes: one 48-bit value stored as a big-endian word
     * (its two low zero bytes are overwritten next, or lie in the padding). */
    for (; i + 8 <= n; i += 8, o += 6) {
        const uint8_t *c = (const uint8_t *)payload + i;
        uint8_t a0 = armour[c[0]], a1 = armour[c[1]], a2 = armour[c[2]], a3 = armour[c[3]];
        uint8_t a4 = armour[c[4]], a5 = armour[c[5]], a6 = armour[c[6]], a7 = armour[c[7]];
        all &= (uint8_t)(a0 & a1 & a2 & a3 & a4 & a5 & a6 & a7);
        uint64_t v = (uint64_t)(a0 & 63) << 58 | (uint64_t)(a1 & 63) << 52 | (uint64_t)(a2 & 63) << 46 |
                     (uint64_t)(a3 & 63) << 40 | (uint64_t)(a4 & 63) << 34 | (uint64_t)(a5 & 63) << 28 |
                     (uint64_t)(a6 & 63) << 22 | (uint64_t)(a7 & 63) << 16;
        v = __builtin_bswap64(v);
        memcpy(bb.b + o, &v, 8);
    }
    for (; i + 4 <= n; i += 4, o += 3) {
        uint8_t a0 = armour[(uint8_t)payload[i]], a1 = armour[(uint8_t)payload[i + 1]];
        uint8_t a2 = armour[(uint8_t)payload[i + 2]], a3 = armour[(uint8_t)payload[i + 3]];
        all &= a0 & a1 & a2 & a3;
        uint32_t v = (uint32_t)(a0 & 63) << 18 | (uint32_t)(a1 & 63) << 12 | (uint32_t)(a2 & 63) << 6 | (a3 & 63);
        bb.b[o] = (uint8_t)(v >> 16);
        bb.b[o + 1] = (uint8_t)(v >> 8);
        bb.b[o + 2] = (uint8_t)v;
    }
    if (i < n) {
        uint32_t v = 0;
        unsigned k = 0;
        for (; i < n; i++, k++) {
            uint8_t a = armour[(uint8_t)payload[i]];
            all &= a;
            v |= (uint32_t)(a & 63) << (18 - 6 * k);
        }
        bb.b[o] = (uint8_t)(v >> 16);
        bb.b[o + 1] = (uint8_t)(v >> 8);
        bb.b[o + 2] = (uint8_t)v;
        o += 3;
    }
    if (!(all & 0x40)) return AW_AIS_BAD_CHAR;
    size_t nbits = n * 6;
    if (fill_bits > 5) fill_bits = 5;
    if (!out->truncated) nbits = nbits > fill_bits ? nbits - fill_bits : 0;
    if (nbits > AW_MAX_PAYLOAD_BITS) {
        nbits = AW_MAX_PAYLOAD_BITS;
        out->truncated = true;
    }
    bb.nbits = nbits;
    size_t received = len * 6 > fill_bits ? len * 6 - fill_bits : 0;
    out->bits = (uint16_t)(received > 0xffff ? 0xffff : received); /* as aw_ais_decode_bits */
    return decode_fields(&bb, out);
}

aw_ais_err aw_ais_decode_bits(const uint8_t *bits, size_t nbits, aw_msg *out) {
    bitbuf bb;
    out->truncated = nbits > AW_MAX_PAYLOAD_BITS;
    out->bits = (uint16_t)(nbits > 0xffff ? 0xffff : nbits);
    if (out->truncated) nbits = AW_MAX_PAYLOAD_BITS;
    memcpy(bb.b, bits, (nbits + 7) / 8);
    bb.nbits = nbits;
    return decode_fields(&bb, out);
}

uint32_t aw_bits_u(const uint8_t *bits, size_t nbits, size_t start, unsigned width) {
    if (width == 0 || width > 32 || start >= nbits) return 0;
    size_t nbytes = (nbits + 7) / 8;
    size_t first = start >> 3, last = (start + width - 1) >> 3;
    uint64_t acc = 0;
    for (size_t i = first; i <= last; i++) acc = acc << 8 | (i < nbytes ? bits[i] : 0);
    unsigned total = (unsigned)(last - first + 1) * 8;
    acc >>= total - ((start & 7) + width);
    acc &= width == 32 ? 0xffffffffu : ((1ull << width) - 1);
    if (start + width > nbits) {
        unsigned drop = (unsigned)(start + width - nbits);
        acc = acc >> drop << drop;
    }
    return (uint32_t)acc;
}

int32_t aw_bits_s(const uint8_t *bits, size_t nbits, size_t start, unsigned width) {
    uint32_t u = aw_bits_u(bits, nbits, start, width);
    if (width == 0 || width >= 32) return (int32_t)u;
    uint32_t sign = 1u << (width - 1);
    return (int32_t)((u ^ sign) - sign);
}

void aw_bits_text(const uint8_t *bits, size_t nbits, size_t start, unsigned nchars, char *out) {
    unsigned i = 0;
    for (; i < nchars; i++) {
        char c = sixbit_ascii[aw_bits_u(bits, nbits, start + 6 * (size_t)i, 6)];
        if (c == '@') break;
        out[i] = c;
    }
    while (i > 0 && out[i - 1] == ' ') i--;
    out[i] = '\0';
}
