/* aiswatch/table.h — decoded-position tables: NOAA MarineCadastre CSV, Danish Maritime
 * Authority CSV, JSON lines of positions (GFW style and others) and any CSV described by a
 * column mapping, read as the same aw_msg records the NMEA decoder produces.
 *
 * Promise: aw_table_detect() tells the format from the first line(s) of the input (its
 * header, or its first JSON object), never from a file name, and fills an aw_table_map;
 * aw_table_lines() turns complete rows into messages through the same callback as
 * aw_decoder_lines(): a row's position becomes a type 1 (class A, or unknown class) or
 * type 18 (class B) message and its static columns, when any is present, a type 5
 * (class A) or type 24 part A + part B (class B) message, so every later stage reads one
 * kind of record. Rows whose class says "Base Station", "AtoN" or "SAR Airborne" become
 * a type 4, type 21 or type 9 report instead, so fixed stations never pose as vessels.
 * Values keep the protocol's units and "not available" codes (a missing
 * SOG is 1023, a missing heading 511, a missing draught 0). Rows that cannot be used are
 * counted in aw_decode_stats by reason and, when a reject callback is given, reported
 * with their line number; nothing is dropped silently. No allocation per row.
 */
#ifndef AISWATCH_TABLE_H
#define AISWATCH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/nmea.h"

typedef enum aw_table_format {
    AW_TABLE_NONE = 0,     /* not a table: NMEA or unknown */
    AW_TABLE_NOAA,         /* MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,… */
    AW_TABLE_DMA,          /* # Timestamp,Type of mobile,MMSI,Latitude,Longitude,… (day-first) */
    AW_TABLE_JSONL,        /* one JSON object per line: ssvid|mmsi, lat, lon, timestamp, … */
    AW_TABLE_CSV_MAPPED,   /* any delimited text with a --columns mapping */
    AW_TABLE_AISWATCH,     /* `aiswatch decode --format csv`: time,msg_type,mmsi,channel,lat,lon,… */
} aw_table_format;

/* Columns a table may carry; AW_COL_COUNT is the size of the index map. */
typedef enum aw_col {
    AW_COL_MMSI, AW_COL_TIME, AW_COL_LAT, AW_COL_LON, AW_COL_SOG, AW_COL_COG, AW_COL_HEADING,
    AW_COL_NAME, AW_COL_IMO, AW_COL_CALLSIGN, AW_COL_SHIPTYPE, AW_COL_STATUS, AW_COL_LENGTH,
    AW_COL_WIDTH, AW_COL_DRAUGHT, AW_COL_DESTINATION, AW_COL_CLASS, AW_COL_TO_BOW,
    AW_COL_TO_STERN, AW_COL_TO_PORT, AW_COL_TO_STARBOARD,
    AW_COL_MSGTYPE,        /* the AIS message type a row came from: tells class and station kind */
    AW_COL_SECOND,         /* the report's own UTC second field (0-63), which tells one
                              transmission heard twice from two transmissions */
    AW_COL_COUNT
} aw_col;

typedef enum aw_time_form {
    AW_TIME_ISO,           /* 2023-01-11T00:00:00[.ffffff][Z] or with a space */
    AW_TIME_DAYFIRST,      /* 20/03/2021 00:22[:ss] (DMA, movingpandas) */
    AW_TIME_MONTHFIRST,    /* 03/20/2021 00:22[:ss] */
    AW_TIME_EPOCH,         /* seconds or milliseconds since 1970, told apart by magnitude */
} aw_time_form;

/* Widest row a CSV mapping may point into (1-based index or header position). */
#define AW_TABLE_MAX_COLS 256

typedef struct aw_table_map {
    aw_table_format format;
    char delimiter;        /* ',' ';' '\t' '|' for CSV forms */
    aw_time_form time_form;
    int32_t utc_offset_s;  /* subtract from the table's times to get UTC (local-time exports) */
    int col[AW_COL_COUNT]; /* column index per field, -1 when absent (CSV forms) */
    char json_key[AW_COL_COUNT][24]; /* JSONL: the --columns key per field; "" = the
                                      * built-in key names of docs/formats.md */
    unsigned ncols;        /* header width (CSV forms): rows of another width are rejected */
    bool has_header;       /* the first line is a header to skip */
    /* The header line's length and FNV-1a hash (without BOM and CR), so the header is
     * recognised and skipped wherever it appears: a chunk start, concatenated files. */
    uint32_t header_len;
    uint64_t header_hash;
} aw_table_map;

/* Looks at the first bytes of an input (at least its first complete line). `columns`
 * is the user's --columns mapping or NULL; its syntax, documented in docs/formats.md, is
 * `field=COLUMN[,field=COLUMN…][;time=dayfirst|monthfirst|iso|epoch][;delimiter=;][;tz=+01:00]`
 * where COLUMN is a header name or a 1-based index (a JSON key for JSON lines), e.g.
 * `mmsi=ID,time=ais_pos_timestamp,lon=longitude,lat=latitude;time=dayfirst`.
 * `tz` sets map->utc_offset_s; a caller may also set it after detection.
 * Returns the format (AW_TABLE_NONE for NMEA or anything not a table) or -1 with a
 * message in err when `columns` is given but does not match the header. */
int aw_table_detect(const char *head, size_t len, const char *columns, aw_table_map *map, char *err,
                    size_t errcap);

/* Turns complete lines into messages (the header line is recognised and skipped wherever
 * it appears, so chunks may start anywhere). `first_line_no` is the 1-based number of the
 * first line in buf, for the meta and the reject reports. */
void aw_table_lines(const aw_table_map *map, const char *buf, size_t len, uint64_t first_line_no,
                    aw_decode_stats *stats, aw_msg_fn fn, aw_row_reject_fn reject_fn, void *ctx);

#endif
