/* aiswatch/nmea.h — NMEA 0183 framing of AIS: sentences, tag blocks, receiver log
 * prefixes and multipart reassembly, turning text lines into decoded aw_msg records.
 *
 * Promise: aw_decoder_lines() reads complete text lines (LF or CRLF) and calls back
 * once per decoded AIS message, without copying the input and without allocating per
 * sentence. Everything it could not use is counted in aw_decode_stats by reason, never
 * dropped silently. The decoder owns a bounded reassembly table (AW_REASM_SLOTS open
 * multipart messages); the caller owns the input buffer and the stats.
 *
 * Accepted around a sentence (`!xxVDM` / `!xxVDO`, any talker):
 *   - NMEA 4.0 tag blocks `\s:src,c:time,g:n-m-id,n:k*hh\` (one or several per line);
 *   - line prefixes `YYYY-MM-DD HH:MM:SS,` or `YYYY-MM-DDTHH:MM:SS[.fff]Z,` and `<epoch>,`;
 *   - Gatehouse `$PGHP,1,y,m,d,H,M,S,ms,…` lines, which stamp the next sentence;
 *   - a trailing `,<epoch s or ms>` after the checksum.
 * Times are Unix milliseconds, UTC; AW_TIME_NONE when the input carries none.
 */
#ifndef AISWATCH_NMEA_H
#define AISWATCH_NMEA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/ais.h"

#define AW_TIME_NONE INT64_MIN
#define AW_REASM_SLOTS 64
#define AW_SOURCE_MAX 32

/* Why input was not turned into a message. Order is the order of the summary. */
typedef enum aw_reject {
    AW_REJ_BAD_CHECKSUM,       /* sentence checksum does not match */
    AW_REJ_NO_CHECKSUM,        /* AIS sentence without `*hh` */
    AW_REJ_MALFORMED,          /* wrong field count or unparsable fragment fields */
    AW_REJ_OTHER_NMEA,         /* a valid non-AIS NMEA sentence ($GPGGA, $PSHI, …): skipped */
    AW_REJ_NOT_NMEA,           /* a line that is neither NMEA nor a comment */
    AW_REJ_ORPHAN_FRAGMENT,    /* fragment 2..n whose earlier fragments never came */
    AW_REJ_OUT_OF_ORDER,       /* fragment that skips or repeats a number */
    AW_REJ_INCOMPLETE,         /* multipart message never completed (timed out or evicted) */
    AW_REJ_EMPTY_PAYLOAD,      /* from aw_ais_err */
    AW_REJ_BAD_PAYLOAD_CHAR,
    AW_REJ_BAD_MSG_TYPE,
    AW_REJ_TOO_SHORT,
    AW_REJ_SHORT_ROW,          /* table row with fewer columns than its header */
    AW_REJ_BAD_FIELD,          /* table value that is not a number, a time or in range */
    AW_REJ_BAD_ENCODING,       /* table row with bytes that are not text (NUL, invalid UTF-8) */
    AW_REJ_COUNT
} aw_reject;

const char *aw_reject_name(aw_reject r);

typedef struct aw_decode_stats {
    uint64_t lines;            /* text lines read */
    uint64_t bytes;            /* input bytes read */
    uint64_t comments;         /* blank lines and `#` comments */
    uint64_t sentences;        /* AIS sentences (fragments) seen, valid or not */
    uint64_t tagblocks;        /* tag blocks parsed */
    uint64_t tagblock_bad_checksum; /* tags still used: the sentence has its own checksum */
    uint64_t messages;         /* decoded messages delivered */
    uint64_t truncated;        /* payloads longer than AW_MAX_PAYLOAD_BITS, kept truncated */
    uint64_t untimed;          /* messages with no time from any tag, prefix or trailer */
    uint64_t non_vessel_rows;  /* table rows that give no message: types that are neither positions nor
                                  static data, or static data the row's station kind cannot carry */
    uint64_t rejects[AW_REJ_COUNT];
    uint64_t by_type[28];
} aw_decode_stats;

void aw_stats_add(aw_decode_stats *dst, const aw_decode_stats *src);

/* Where a message came from: valid only during the callback. */
typedef struct aw_msg_meta {
    int64_t time_ms;           /* AW_TIME_NONE when unknown */
    uint64_t line_no;          /* 1-based line of the last fragment, counted by this decoder */
    char channel;              /* 'A', 'B', '1', '2' or 0 */
    bool own;                  /* VDO: own-vessel report */
    char talker[3];            /* "AI", "AB", "BS", … */
    const char *source;        /* tag-block `s:` source, may be NULL */
    uint8_t source_len;
    uint8_t fragments;         /* how many sentences made this message */
} aw_msg_meta;

typedef void (*aw_msg_fn)(void *ctx, const aw_msg *msg, const aw_msg_meta *meta);

typedef struct aw_decoder_opts {
    bool accept_bad_checksum;  /* keep sentences whose checksum fails (still counted) */
    unsigned max_open_lines;   /* a multipart not completed within this many lines expires; 0 = 1000 */
    int32_t prefix_utc_offset_s; /* seconds to subtract from local-time line prefixes (--log-tz) */
    /* Or, when set, the UTC offset in seconds of a local wall-clock time (Unix ms as if
     * UTC), for zones with daylight saving; called from worker threads. */
    int32_t (*prefix_utc_offset_fn)(void *ctx, int64_t local_ms);
    void *prefix_utc_offset_ctx;
} aw_decoder_opts;

typedef struct aw_decoder aw_decoder;

/* Returns NULL when out of memory. */
aw_decoder *aw_decoder_new(const aw_decoder_opts *opts);
void aw_decoder_free(aw_decoder *dec);

/* Decode every complete line in buf[0..len). A last line without a newline is decoded
 * too: callers split input at line ends. Stats accumulate in *stats. */
void aw_decoder_lines(aw_decoder *dec, const char *buf, size_t len, aw_decode_stats *stats,
                      aw_msg_fn fn, void *ctx);

/* Why a line or row could not be used, with its 1-based line number and text (text may
 * be NULL for multipart messages that expire); for --verbose reports. */
typedef void (*aw_row_reject_fn)(void *ctx, uint64_t line_no, aw_reject reason, const char *line, size_t len);

/* Reports every reject (except skipped non-AIS NMEA) to fn; NULL turns it off. */
void aw_decoder_on_reject(aw_decoder *dec, aw_row_reject_fn fn, void *ctx);

/* The number of the line read last: the next line read is line_no + 1. */
void aw_decoder_set_line(aw_decoder *dec, uint64_t line_no);

/* End of input: every multipart still open is counted as incomplete. */
void aw_decoder_finish(aw_decoder *dec, aw_decode_stats *stats);

/* Whether a chunk of input may start at this line without splitting a multipart
 * message: true for lines whose AIS sentence is a single fragment or a first fragment,
 * false for continuation fragments and for lines that hold no AIS sentence. */
bool aw_nmea_line_starts_message(const char *line, size_t len);
/* The fragment the line's first AIS sentence is: *num of *count, and in *group a key
 * that tells apart messages whose fragments interleave (the tag block's group id when
 * there is one, else channel, sequence id and count). False for lines without one. */
bool aw_nmea_line_fragment(const char *line, size_t len, unsigned *count, unsigned *num, uint32_t *group);

/* One armoured sentence checksum: XOR of the bytes between `!`/`$` and `*`. */
uint8_t aw_nmea_checksum(const char *start, size_t len);

#endif
