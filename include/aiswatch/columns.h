/* aiswatch/columns.h — the columnar (struct-of-arrays) form of vessel positions that
 * the analysis stages read.
 *
 * Promise: aw_columns_push() appends the position-bearing messages (types 1, 2, 3, 18,
 * 19, 27) and ignores the rest; values stay in protocol units (lat/lon in 1/10000
 * minute, type 27's 1/10 minute scaled up to match; speed and course in tenths) with
 * not-available codes kept. Arrays grow geometrically; the caller frees with
 * aw_columns_free(). */
#ifndef AISWATCH_COLUMNS_H
#define AISWATCH_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/ais.h"
#include "aiswatch/nmea.h"

typedef struct aw_columns {
    size_t n, cap;
    int64_t *time_ms;
    uint32_t *mmsi;
    int32_t *lat, *lon;     /* 1/10000 minute */
    uint16_t *sog_dkn;      /* 0.1 kn, 1023 n/a */
    uint16_t *cog_ddeg;     /* 0.1 deg, 3600 n/a */
    uint16_t *heading_deg;  /* 511 n/a */
    uint8_t *msg_type;
    uint8_t *nav_status;    /* 15 when the type carries none */
    uint8_t *second;        /* the report's own UTC second field, 60 when it carries none */
    uint16_t *source_id;    /* which input the row came from (the caller's numbering) */
    bool mapped;            /* grown past 1 MiB by aw_columns_push(): the arrays are mappings
                               of their own; false for arrays a caller malloc()ed */
} aw_columns;

/* One position report's fields in the columns' units. */
typedef struct aw_pos_fields {
    int32_t lat, lon;
    uint16_t sog_dkn, cog_ddeg, heading_deg;
    uint8_t nav_status, second;
} aw_pos_fields;

/* Fills *f from a position-bearing message; false for the others. */
bool aw_pos_fields_of(const aw_msg *m, aw_pos_fields *f);

/* Returns 0, or -1 when memory runs out (the row is not added). */
int aw_columns_push(aw_columns *c, const aw_msg *m, const aw_msg_meta *meta);
/* The same, recording which input the row came from. */
int aw_columns_push_src(aw_columns *c, const aw_msg *m, const aw_msg_meta *meta, uint16_t source_id);
/* Appends all rows of src to dst. */
int aw_columns_append(aw_columns *dst, const aw_columns *src);
void aw_columns_free(aw_columns *c);

#endif
