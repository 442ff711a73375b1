/* aiswatch/sanctions.h — sanctions lists as published, and vessels matched against them.
 *
 * Promise: aw_lists_load() reads a list file in any supported format, told by content
 * (OFAC SDN.CSV with its ALT/SDN_COMMENTS companions beside it, OFAC sdn.xml, the UK
 * Sanctions List XML, a UN 1718 designated-vessels CSV, OpenSanctions FollowTheMoney JSON
 * lines and maritime.csv, an analyst's `imo,mmsi,name,list,program` CSV), into one
 * aw_lists of vessel entries; records it cannot parse are counted and reported, never
 * silently dropped. aw_screen() matches one vessel identity (all its names and numbers)
 * against the entries through hash indexes (IMO, MMSI, normalised name) and returns the
 * matches ranked by strength, each saying on what it matched. aw_lists owns every string
 * it returns; it is read-only after loading and may be shared between threads.
 */
#ifndef AISWATCH_SANCTIONS_H
#define AISWATCH_SANCTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct aw_lists aw_lists;

typedef struct aw_list_entry {
    const char *list;        /* "OFAC SDN", "UK", "UN 1718", "OpenSanctions", or the watch list's name */
    const char *entry_id;    /* ent_num, UK unique id, OpenSanctions id, … */
    const char *name;        /* primary name as published */
    const char *const *aliases; /* former names, a.k.a., f.k.a.; NULL-terminated */
    const char *programs;    /* "DPRK3; IRAN", as published, '; ' separated */
    uint32_t imo;            /* ship IMO number, 0 when none (company numbers never here) */
    uint32_t mmsi;           /* 0 when none */
    const char *callsign;    /* may be "" */
    const char *flag;        /* as published, may be "" */
    const char *const *past_flags; /* NULL-terminated, may be empty */
    const char *remarks;     /* source text the numbers were taken from, for the evidence */
} aw_list_entry;

typedef struct aw_list_stats {
    size_t files, records, vessels, imos, mmsis, aliases;
    size_t skipped;          /* records that could not be parsed (reported through report_fn) */
} aw_list_stats;

aw_lists *aw_lists_new(void);
void aw_lists_free(aw_lists *l);

/* Reports a record that could not be parsed: file, line or record number, reason. */
typedef void (*aw_list_report_fn)(void *ctx, const char *file, size_t record, const char *reason);

/* Loads one list file (companions found beside it). Returns the vessel entries added,
 * or -1 with a message (unreadable file, unknown format). */
long aw_lists_load(aw_lists *l, const char *path, aw_list_report_fn report, void *ctx, char *err, size_t errcap);

const aw_list_stats *aw_lists_stats(const aw_lists *l);
size_t aw_lists_count(const aw_lists *l);
const aw_list_entry *aw_lists_entry(const aw_lists *l, size_t i);

/* Name normalisation used for matching: upper case, punctuation and spacing removed,
 * vessel prefixes (M/V, MV, MT, M.T., SS, …) dropped, so "M/V Yu-Jong 2" and "YUJONG 2"
 * both become "YUJONG2". Writes at most cap bytes including the NUL; returns the length. */
size_t aw_name_normalise(const char *name, char *out, size_t cap);

typedef enum aw_match_basis {
    AW_MATCH_IMO = 1,        /* strongest */
    AW_MATCH_MMSI,
    AW_MATCH_NAME_CALLSIGN,
    AW_MATCH_NAME,           /* weakest; includes fuzzy matches above the threshold */
} aw_match_basis;

const char *aw_match_basis_name(aw_match_basis b); /* "imo", "mmsi", "name+callsign", "name" */

typedef struct aw_match {
    size_t entry;            /* index for aw_lists_entry() */
    aw_match_basis basis;
    double score;            /* 1.0 for exact; the fuzzy name similarity otherwise */
    char matched_value[48];  /* the vessel's value that matched (its IMO, MMSI or name) */
    bool former_name;        /* matched one of the entry's aliases, or a former name of the vessel */
} aw_match;

/* One vessel identity with everything it ever said about itself. */
typedef struct aw_screen_query {
    uint32_t mmsi;
    const uint32_t *imos; size_t nimos;
    const char *const *names; size_t nnames;     /* the latest name first */
    const char *const *callsigns; size_t ncallsigns;
    const char *flag;        /* ISO alpha-2 from the MID, may be NULL */
} aw_screen_query;

typedef struct aw_screen_params {
    double name_min_score;   /* fuzzy name threshold, 0..1 (default 0.9) */
} aw_screen_params;

void aw_screen_params_default(aw_screen_params *p);

/* Matches one identity; writes up to cap matches, strongest first (basis, then score),
 * one per entry. Returns the number of matches found (may exceed cap). IMO matches need
 * a valid check digit on both sides. */
size_t aw_screen(const aw_lists *l, const aw_screen_query *q, const aw_screen_params *p, aw_match *out, size_t cap);

/* Every vessel of a run screened: all names, IMOs and call signs of its identity history
 * and its flag. json is a JSON array of match objects ({mmsi, list, entry_id, name,
 * programs, basis, score, matched, former_name}) or NULL when nothing matched. */
struct aw_tracks;
typedef struct aw_vessel_screen {
    size_t nmatches;
    aw_match *matches;
    char *json;
} aw_vessel_screen;

/* Returns t->nvessels results (free with aw_vessel_screen_free), or NULL when out of memory. */
aw_vessel_screen *aw_screen_tracks(const aw_lists *l, const struct aw_tracks *t, const aw_screen_params *p);
void aw_vessel_screen_free(aw_vessel_screen *s, size_t n);

/* One match as a JSON object (no trailing newline); returns the length written (< cap). */
size_t aw_match_json(const aw_lists *l, uint32_t mmsi, const aw_match *m, char *out, size_t cap);

#endif
