/* aiswatch/encode.h — AIS message encoding: the inverse of aw_ais_decode().
 *
 * Promise: aw_ais_encode() turns an aw_msg of type 1, 2, 3, 5, 18 or 24 (parts A and
 * B) back into the six-bit armoured payload that aw_ais_decode() reads, bit for bit,
 * and aw_nmea_encode() wraps it in complete !AIVDM/!AIVDO sentences, optionally behind
 * an NMEA 4.0 tag block. Field values are the raw protocol values of aiswatch/ais.h;
 * nothing is scaled. Neither function allocates, keeps state or prints: the caller
 * owns every buffer, and errors come back as negative aw_enc_err values.
 *
 * Payload lengths written (ITU-R M.1371-5): types 1-3 and 18 168 bits, type 5 424
 * bits, type 24 part A and part B 168 bits each (part A with its 8 spare bits, as the
 * standard gives it, although many transmitters send only 160). Spare bits are zero.
 *
 * Text fields (shipname, callsign, destination, vendorid) are written in the six-bit
 * alphabet ('@', A-Z, '[', '\\', ']', '^', '_', space, '!'..'?'). Lower-case letters and
 * '{', '|', '}', '~' are folded to their upper-case ASCII partners ('a'->'A',
 * '{'->'['), '`' becomes '\'', and any other byte (control, DEL, non-ASCII) becomes a
 * space, so one stray byte never cuts a name short. Text shorter than its field is
 * padded with '@' (six-bit zero), as the standard says; a decoder strips that padding
 * and trailing spaces, so those are the only text changes a round trip can make.
 */
#ifndef AISWATCH_ENCODE_H
#define AISWATCH_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/ais.h"

/* Longest payload aw_ais_encode() writes: type 5, 424 bits = 71 characters. A buffer
 * of AW_ENC_PAYLOAD_MAX + 1 bytes always suffices and gets a NUL. */
#define AW_ENC_PAYLOAD_MAX 71

/* Longest output of aw_nmea_encode() for the encoded types: two sentences of at most
 * 80 bytes plus CR LF, each behind a tag block of at most 64 bytes, plus a NUL. */
#define AW_ENC_NMEA_MAX 320

/* Payload characters per fragment: 60 keeps a !AIVDM sentence within NMEA 0183's
 * 82-character limit, and is what real receivers emit. */
#define AW_ENC_FRAGMENT_CHARS 60

typedef enum aw_enc_err {
    AW_ENC_ERR_TYPE = -1,  /* msg_type not in 1, 2, 3, 5, 18, 24, or type 24 partno > 1 */
    AW_ENC_ERR_SPACE = -2, /* output buffer too small; its contents are unspecified */
    AW_ENC_ERR_RANGE = -3, /* a field value does not fit its bit width (mmsi >= 2^30, …) */
    AW_ENC_ERR_OPTS = -4,  /* bad talker, channel, seq_id, source or payload argument */
} aw_enc_err;

/* Short stable names ("range", …) for a negative return value; "ok" for >= 0. */
const char *aw_enc_err_name(int err);

/* Where an NMEA 4.0 tag block goes, if anywhere. */
typedef enum aw_tag_mode {
    AW_TAG_NONE = 0,   /* plain sentences */
    AW_TAG_FIRST,      /* \c:…,s:…*hh\ in front of the first fragment only */
    AW_TAG_GROUP,      /* \g:<frag>-<count>-<group_id>,c:…,s:…*hh\ in front of every fragment
                          of a multi-fragment message (the ORBCOMM form), so a reader can
                          regroup fragments by tag block; single fragments as FIRST */
} aw_tag_mode;

/* Sentence options. A zeroed struct (or NULL) is valid: !AIVDM, empty channel field,
 * sequential id 0 on multi-fragment messages, no tag block. */
typedef struct aw_encode_opts {
    const char *talker;   /* NULL = "AIVDM"; "AIVDO" for own ship, "BSVDM", …: exactly five
                             characters from A-Z and 0-9 */
    char channel;         /* 'A', 'B', '1' or '2'; 0 leaves the field empty */
    uint8_t seq_id;       /* 0-9: sequential message id written on multi-fragment messages
                             (single-fragment sentences leave it empty); rotate it per message */
    aw_tag_mode tags;
    bool has_time;        /* write c:<time_s> */
    int64_t time_s;       /* Unix seconds for c: */
    const char *source;   /* s:<source>, NULL or "" for none; at most 15 characters, none of
                             ',', '*', '\\', '!', '$' or control characters */
    uint32_t group_id;    /* g: group id for AW_TAG_GROUP, 0-99999 */
} aw_encode_opts;

/* Encode *m into armoured payload characters. Writes the payload to `payload` (NUL
 * terminated when cap leaves room), the pad bits of the last character to *fill_bits
 * (may be NULL), and returns the character count (28 for 168 bits, 71 for type 5), or
 * a negative aw_enc_err. m->bits and m->truncated are ignored.
 *
 * Type 24 part B: when m->mmsi is 98xxxxxxx (an auxiliary craft) bits 132-161 carry
 * m->u.sb.mothership_mmsi, otherwise the four dimensions; m->u.sb.auxiliary is not read,
 * so the choice is always the one the decoder makes. Of m->u.sb.vendorid only the first
 * three characters are written: bits 66-89 carry model and serial, which the decoder
 * also shows as vendorid characters 4-7 (gpsd's 7-character form). */
int aw_ais_encode(const aw_msg *m, char *payload, size_t cap, unsigned *fill_bits);

/* Encode *m as complete NMEA sentences, each ending in CR LF:
 *   [\tagblock*hh\]!AIVDM,<n>,<i>,<seqid>,<channel>,<payload>,<fill>*hh
 * with payloads split into fragments of at most AW_ENC_FRAGMENT_CHARS characters (type 5
 * takes two). `o` may be NULL. Returns the bytes written (a NUL follows when cap leaves
 * room) or a negative aw_enc_err. AW_ENC_NMEA_MAX bytes always suffice. */
int aw_nmea_encode(const aw_msg *m, const aw_encode_opts *o, char *out, size_t cap);

/* The sentence layer alone: wrap an already armoured payload (any message type, up to
 * 9 fragments) the way aw_nmea_encode() does. `fill_bits` 0-5 applies to the last
 * fragment. Returns bytes written or a negative aw_enc_err. */
int aw_nmea_wrap(const char *payload, size_t len, unsigned fill_bits, const aw_encode_opts *o,
                 char *out, size_t cap);

#endif
