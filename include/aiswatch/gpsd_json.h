/* aiswatch/gpsd_json.h — gpsd-compatible JSON-AIS output.
 *
 * Promise: aw_gpsd_json_format() writes one decoded message as the JSON object
 * gpsd's `gpsdecode -u -j` prints (raw protocol values) or, with `scaled`, as
 * `gpsdecode -j` prints (degrees, knots, metres): same keys, same order, same
 * "*_text" legends, same number formats, so gpsd consumers and gpsd's regression
 * files apply unchanged. Known differences are listed in docs/gpsd-differences.md.
 *
 * Like gpsd, it prints nothing for messages whose length gpsd rejects, and holds
 * back type 24 part A until a part B of the same MMSI arrives, then prints the two
 * merged (gpsd's queue of 8 part-A names). That queue lives in the caller-owned
 * aw_gpsd_json state: one state per output stream, not shared between threads.
 * No allocation, no global state; the common types are formatted without printf.
 */
#ifndef AISWATCH_GPSD_JSON_H
#define AISWATCH_GPSD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/ais.h"

/* Bytes `out` must hold: the longest object (type 6 berthing data, or 161
 * characters of text escaped six-fold) plus a device name of up to
 * AW_GPSD_JSON_DEVICE_MAX characters escaped, with room to spare. */
#define AW_GPSD_JSON_MAX 4096
#define AW_GPSD_JSON_DEVICE_MAX 255 /* longer device names are cut */

/* Part-A names remembered while waiting for part B: gpsd's MAX_TYPE24_INTERLEAVE. */
#define AW_GPSD_T24_QUEUE 8

typedef struct aw_gpsd_json {
    bool scaled;  /* gpsdecode -j instead of -j -u */
    bool split24; /* print type 24 parts as they come, tagged "part" (gpsdecode -s) */
    bool defer24; /* type 24 parts (not split) as records for aw_gpsd_json_resolve24() */
    unsigned t24_next;
    struct {
        uint32_t mmsi; /* 0 = free slot (gpsd matches it too, as it does) */
        char shipname[21];
    } t24[AW_GPSD_T24_QUEUE];
} aw_gpsd_json;

void aw_gpsd_json_init(aw_gpsd_json *st, bool scaled);

/* Writes one JSON object followed by '\n' into out; returns bytes written (no NUL
 * is added), or 0 when gpsd prints nothing for this message (a length gpsd rejects,
 * a type 24 part held back) or when cap < AW_GPSD_JSON_MAX. `device` may be NULL
 * (then no "device" key). */
size_t aw_gpsd_json_format(aw_gpsd_json *st, const aw_msg *m, const char *device, char *out,
                           size_t cap);

/* Merging a type 24 part B with the part A name before it is a matter of input order,
 * which decoding workers that each see some chunks do not have. With defer24 set,
 * aw_gpsd_json_format() writes for each part a record line that starts with
 * AW_GPSD_DEFER24 (no JSON object line does: control bytes are escaped in JSON); one
 * state fed every record in input order by aw_gpsd_json_resolve24() then writes exactly
 * what a lone state would have printed for that part (or nothing: returns 0). `rec` is
 * one record without its '\n'; out must hold AW_GPSD_JSON_MAX bytes. */
#define AW_GPSD_DEFER24 '\x01'
size_t aw_gpsd_json_resolve24(aw_gpsd_json *st, const char *rec, size_t len, char *out, size_t cap);

/* True when gpsd accepts a message of this type and received length (aw_msg.bits). */
bool aw_gpsd_accepts(const aw_msg *m);

#endif
