/* sanctions_priv.h — what the list loaders (sanctions_load.c) and the matcher
 * (sanctions.c) share: the string arena, the draft entry a loader fills, and the indexes. */
#ifndef AW_SANCTIONS_PRIV_H
#define AW_SANCTIONS_PRIV_H

#include "aiswatch/sanctions.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"


/* A growable list of owned strings, used while a record is being read. */
typedef struct sl_strv {
    char **v;
    size_t n, cap;
} sl_strv;

/* One vessel record as a loader collects it, before it is frozen into the arena. */
typedef struct sl_draft {
    const char *list;
    char *entry_id, *name, *programs, *callsign, *flag, *remarks;
    sl_strv aliases, past_flags;
    uint32_t imo, mmsi;
} sl_draft;

/* Posting of an index: a key (IMO, MMSI or name hash) and the entry it leads to. */
typedef struct sl_posting {
    uint64_t key;
    uint32_t entry;
    uint32_t name; /* index into names[] for the name index, else 0 */
} sl_posting;

typedef struct sl_index {
    sl_posting *p;
    size_t n;
    uint32_t *slots; /* open addressing: 1 + first posting of a key, 0 when empty */
    size_t mask;
} sl_index;

/* A normalised name of an entry (primary or alias) with what the fuzzy filter needs. */
typedef struct sl_name {
    const char *norm;
    uint32_t entry;
    uint16_t len;
    bool alias;
    uint32_t digits;   /* hash of the digit sequence: sister ships differ only there */
    uint64_t hist[4];  /* bit k of hist[c]: symbol k occurs more than c times */
    bool hist_over;    /* some symbol occurs more than 4 times: the bound does not hold */
} sl_name;

struct aw_lists {
    aw_list_entry *e;
    size_t n, cap;
    char **cs_norm; /* per entry: call sign upper-case, letters and digits only */
    aw_arena arena;         /* entry strings: never move, so pointers stay valid while more lists load */
    aw_list_stats st;
    sl_index imo, mmsi, name;
    sl_name *names;
    size_t nnames;
    uint32_t *bucket;  /* names[] order sorted by (first byte, length); bucket_at[b]..bucket_at[b+1] */
    size_t bucket_at[257];
};

char *sl_strdup(aw_lists *l, const char *s);
void sl_strv_push(sl_strv *v, const char *s, size_t n);
void sl_strv_free(sl_strv *v);
void sl_draft_free(sl_draft *d);
/* Freezes a draft into an entry; returns false when out of memory. */
bool sl_commit(aw_lists *l, sl_draft *d);
/* Rebuilds every index after a load (the lists are read-only afterwards). */
bool sl_build_indexes(aw_lists *l);

/* IMO ship number check digit: sum(d[i] * (7 - i), i = 0..5) mod 10 == d[6]. */
bool sl_imo_valid(uint32_t imo);
/* Loads one file; the format is told by content. Implemented in sanctions_load.c. */
long sl_load_file(aw_lists *l, const char *path, aw_list_report_fn report, void *ctx, char *err, size_t errcap);

#endif
