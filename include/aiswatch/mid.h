/* aiswatch/mid.h — what an MMSI, an IMO number and a ship type code say by themselves.
 *
 * Promise: pure functions over const tables, no allocation, no state.
 *   - aw_flag_of_mmsi(): the flag (ISO 3166-1 alpha-2 code and English name) of the
 *     Maritime Identification Digits inside an MMSI, from the ITU "Table of Maritime
 *     Identification Digits" (ITU-R M.585 / Radio Regulations Appendix 42, as published
 *     at itu.int/en/ITU-R/terrestrial/fmd/Pages/mid.aspx), every MID 201-775 allocated.
 *     Territories with their own MID keep their own ISO code (416 Taiwan TW, 477 Hong
 *     Kong HK, 236 Gibraltar GI…); Azores 204 and Madeira 255 are PT; the French southern
 *     lands (501, 607, 618, 635) are TF; 306 (Curaçao, Sint Maarten, Bonaire…) is CW.
 *   - aw_mmsi_kind(): which kind of station an MMSI numbers (ITU-R M.585-9).
 *   - aw_imo_valid(): the IMO ship number check digit.
 *   - aw_shiptype_text(): the ITU-R M.1371 ship and cargo type legend.
 */
#ifndef AISWATCH_MID_H
#define AISWATCH_MID_H

#include <stdbool.h>
#include <stdint.h>

typedef struct aw_flag {
    uint16_t mid;     /* 201..775 */
    char iso2[3];     /* ISO 3166-1 alpha-2, NUL-terminated */
    const char *name; /* English short name; territories name their state in brackets */
} aw_flag;

/* Kinds of MMSI (ITU-R M.585-9 Annex 1). M = MID digit, x = any digit. */
typedef enum aw_mmsi_kind {
    AW_MMSI_INVALID = 0, /* not 9 digits or no known form */
    AW_MMSI_SHIP,        /* MIDxxxxxx, first digit 2..7 */
    AW_MMSI_GROUP,       /* 0MIDxxxxx, group of ship stations */
    AW_MMSI_COAST,       /* 00MIDxxxx, coast (and AIS base) station */
    AW_MMSI_SAR_AIRCRAFT,/* 111MIDxxx */
    AW_MMSI_HANDHELD,    /* 8MIDxxxxx, handheld VHF / diver radio */
    AW_MMSI_AUXILIARY,   /* 98MIDxxxx, craft associated with a parent ship */
    AW_MMSI_ATON,        /* 99MIDxxxx, aid to navigation */
    AW_MMSI_SART,        /* 970xxyyyy, AIS search and rescue transmitter: no MID */
    AW_MMSI_MOB,         /* 972xxyyyy, man overboard device: no MID */
    AW_MMSI_EPIRB,       /* 974xxyyyy, EPIRB-AIS: no MID */
} aw_mmsi_kind;

/* The kind of station an MMSI numbers. Forms with a MID need its first digit 2..7;
 * an unallocated MID of the right form still counts as that kind. */
aw_mmsi_kind aw_mmsi_kind_of(uint32_t mmsi);
/* Short stable name of a kind ("ship", "coast", "aton", …) for output columns. */
const char *aw_mmsi_kind_name(aw_mmsi_kind kind);

/* The MID carried by an MMSI of any kind that has one, or 0. */
unsigned aw_mmsi_mid(uint32_t mmsi);
/* The flag of an allocated MID, or NULL. */
const aw_flag *aw_flag_of_mid(unsigned mid);
/* The flag of the MID in any MMSI form that carries one; NULL for an invalid MMSI, a form
 * with no MID (SART, MOB, EPIRB) or an unallocated MID. The pointer is to a static table. */
const aw_flag *aw_flag_of_mmsi(uint32_t mmsi);

/* True for a 7-digit IMO ship number whose check digit holds:
 * sum(d[i] * (7 - i), i = 0..5) mod 10 == d[6]. Company and owner IMO numbers use
 * another scheme; tell them apart by record type, not by this test. */
bool aw_imo_valid(uint32_t imo);

/* The ITU-R M.1371 ship and cargo type legend for a type 5 / 19 / 24 shiptype value:
 * 0 "Not available", 1..99 the legend ("Tanker, Hazardous category A", …), 100..199
 * "Reserved for regional use", 200..255 "Reserved for future use". Never NULL; values
 * above 255 give "". */
const char *aw_shiptype_text(unsigned shiptype);

#endif
