/* aiswatch/format.h — aiswatch's own output schema for decoded messages.
 *
 * Promise: one JSON object (or CSV row) per message in field units — time ISO 8601
 * UTC, degrees, knots, metres — with protocol "not available" values written as
 * null (JSON) or empty (CSV), never as fake numbers. The schema is documented in
 * docs/schema.md. Functions write at most AW_FORMAT_MAX bytes, newline included,
 * and return the number written. */
#ifndef AISWATCH_FORMAT_H
#define AISWATCH_FORMAT_H

#include <stddef.h>

#include "aiswatch/ais.h"
#include "aiswatch/nmea.h"

#define AW_FORMAT_MAX 4096

size_t aw_format_json(const aw_msg *m, const aw_msg_meta *meta, char *out);
size_t aw_format_csv(const aw_msg *m, const aw_msg_meta *meta, char *out);
/* The CSV header line, newline included. */
const char *aw_format_csv_header(void);

/* Unit conversions shared by every stage; NAN where the protocol says not available. */
double aw_lat_deg(int32_t raw);   /* 1/10000 min → degrees */
double aw_lon_deg(int32_t raw);

#endif
