/* fuzz_sanctions.c — sanctions list files through aw_lists_load() and the matcher.
 *
 * Input: one control byte, then the list text.
 *   byte 0: bits 0-3 pick the file name (below) the text is written to, in a temporary
 *           directory made once per process: the loaders tell formats by content, but
 *           the OFAC companions (ALT / SDN_COMMENTS) are found by name beside the file;
 *           bits 4-5 the companions written beside it (none, ALT, SDN_COMMENTS, both);
 *           bit 6 loads the file a second time into the same lists; bit 7 drops the
 *           report callback and gives a 1-byte error buffer.
 *   The text is cut at each "\n~~~\n": the first part is the list file, the second the
 *   first companion, the third the second companion (when bits 4-5 ask for them).
 * Checks, for each input:
 *   - the report callback gets the file loaded or one of its companions, a record number
 *     within the file, a terminated non-empty reason; the skipped count never grows by
 *     more than the reports;
 *   - a refusal leaves a terminated, non-empty message; a load returns the entries added;
 *   - every entry: every string non-NULL and terminated, the alias and past-flag arrays
 *     NULL-terminated, aliases non-empty, distinct and not the name, numbers in range;
 *     the stats agree with the entries;
 *   - aw_name_normalise on every name and alias, into exact-size buffers from 0 to 300
 *     bytes: each result a prefix of the longest, upper case, idempotent;
 *   - aw_screen with a query built from the first entries (their IMOs, the first MMSI,
 *     names, call signs) finds every entry with a valid IMO of the query, the query MMSI,
 *     or a name that normalises to a query name; the matches are ranked, one per entry,
 *     and each one formats (aw_match_json) as one JSON object.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiswatch/sanctions.h"

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#include "fuzz_common.h"
#pragma clang diagnostic pop

/* Main file name, then the names sibling() must find for ALT and SDN_COMMENTS. */
static const char *const names[16][3] = {
    {"sdn.csv", "alt.csv", "sdn_comments.csv"},
    {"SDN.CSV", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"list.xml", "alt.xml", "comments.xml"},
    {"uksl.xml", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"vessels.jsonl", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"maritime.csv", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"watch.csv", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"x.txt", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"Sdn.csv", "ALT.csv", "SDN_COMMENTS.csv"},
    {"sdn-2024.sdn.csv", "sdn-2024.alt.csv", "sdn-2024.sdn_comments.csv"},
    {"sdn.xml", "alt.xml", "sdn_comments.xml"},
    {"un1718.csv", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"sdn", "alt", "sdn_comments"},
    {"opensanctions.json", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"SDN.CSV", "ALT.CSV", "SDN_COMMENTS.CSV"},
    {"noext", "ALT.CSV", "SDN_COMMENTS.CSV"},
};

static char tmpdir[64];
static char paths[3][128]; /* main, ALT, SDN_COMMENTS of the current input */
static size_t path_lines[3];

static void cleanup_files(void) {
    for (int i = 0; i < 3; i++)
        if (paths[i][0]) unlink(paths[i]);
}

static void cleanup(void) {
    cleanup_files();
    rmdir(tmpdir);
}

static void setup(void) {
    if (tmpdir[0]) return;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/aw-fuzz-sl-XXXXXX", base && strlen(base) < 40 ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        abort();
    }
    atexit(cleanup);
}

static void write_file(const char *path, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static size_t count_lines(const uint8_t *p, size_t n) {
    size_t k = 1;
    for (size_t i = 0; i < n; i++) k += p[i] == '\n';
    return k;
}

typedef struct rctx {
    size_t reports;
} rctx;

static void on_report(void *vctx, const char *file, size_t record, const char *reason) {
    rctx *c = vctx;
    c->reports++;
    FUZZ_CHECK(file && reason, "NULL argument");
    int which = -1;
    for (int i = 0; i < 3; i++)
        if (paths[i][0] && strcmp(file, paths[i]) == 0) which = i;
    FUZZ_CHECK(which >= 0, "report for file %s", file);
    size_t rl = strlen(reason);
    FUZZ_CHECK(rl > 0 && rl < 256, "reason length %zu", rl);
    /* XML errors may name the line after the last (an unexpected end). */
    FUZZ_CHECK(record <= path_lines[which] + 1, "record %zu of %zu lines in %s: %s", record, path_lines[which], file,
               reason);
}

static bool imo_valid(uint32_t imo) {
    if (imo < 1000000 || imo > 9999999) return false;
    unsigned d[7], s = 0;
    for (int i = 6; i >= 0; i--, imo /= 10) d[i] = imo % 10;
    for (int i = 0; i < 6; i++) s += d[i] * (unsigned)(7 - i);
    return s % 10 == d[6];
}

static void check_str(const char *s, const char *what, size_t i) {
    FUZZ_CHECK(s != NULL, "entry %zu: %s NULL", i, what);
    volatile size_t n = strlen(s); /* ASan sees an unterminated string */
    (void)n;
}

static size_t check_strv(const char *const *v, const char *what, size_t i, const char *name) {
    FUZZ_CHECK(v != NULL, "entry %zu: %s NULL", i, what);
    size_t n = 0;
    for (; v[n]; n++) {
        check_str(v[n], what, i);
        FUZZ_CHECK(v[n][0], "entry %zu: empty %s", i, what);
        if (name) {
            FUZZ_CHECK(strcmp(v[n], name) != 0, "entry %zu: alias is the name '%s'", i, name);
            for (size_t j = 0; j < n; j++) FUZZ_CHECK(strcmp(v[j], v[n]) != 0, "entry %zu: alias twice '%s'", i, v[n]);
        }
    }
    return n;
}

static void check_normalise(const char *name) {
    enum { BIG = 300 };
    char *big = malloc(BIG);
    if (!big) abort();
    size_t nb = aw_name_normalise(name, big, BIG);
    FUZZ_CHECK(nb < BIG && big[nb] == 0 && strlen(big) == nb, "normalise length %zu", nb);
    for (size_t i = 0; i < nb; i++) {
        unsigned char c = (unsigned char)big[i];
        FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80, "normalised byte 0x%02x", c);
    }
    /* Normalised is a fixed point: the matcher normalises both sides. */
    char *again = malloc(BIG);
    if (!again) abort();
    size_t na = aw_name_normalise(big, again, BIG);
    FUZZ_CHECK(na == nb && memcmp(again, big, nb) == 0, "not idempotent: '%s' -> '%s' -> '%s'", name, big, again);
    free(again);
    /* Cap 0 writes nothing. */
    char guard = 'x';
    FUZZ_CHECK(aw_name_normalise(name, &guard, 0) == 0 && guard == 'x', "cap 0");
    static const size_t caps[] = {1, 2, 3, 8, 17, 64};
    for (size_t k = 0; k < sizeof caps / sizeof *caps; k++) {
        char *o = malloc(caps[k]);
        if (!o) abort();
        size_t n = aw_name_normalise(name, o, caps[k]);
        FUZZ_CHECK(n < caps[k] && o[n] == 0, "cap %zu gave %zu", caps[k], n);
        size_t want = nb < caps[k] - 1 ? nb : caps[k] - 1;
        FUZZ_CHECK(n == want && memcmp(o, big, n) == 0, "cap %zu: '%s' is not the start of '%s'", caps[k], o, big);
        free(o);
    }
    free(big);
}

static void check_entries(const aw_lists *l) {
    size_t n = aw_lists_count(l);
    const aw_list_stats *st = aw_lists_stats(l);
    FUZZ_CHECK(st->vessels == n, "vessels %zu, entries %zu", st->vessels, n);
    size_t imos = 0, mmsis = 0, aliases = 0;
    for (size_t i = 0; i < n; i++) {
        const aw_list_entry *e = aw_lists_entry(l, i);
        FUZZ_CHECK(e != NULL, "entry %zu NULL", i);
        check_str(e->list, "list", i);
        check_str(e->entry_id, "entry_id", i);
        check_str(e->name, "name", i);
        check_str(e->programs, "programs", i);
        check_str(e->callsign, "callsign", i);
        check_str(e->flag, "flag", i);
        check_str(e->remarks, "remarks", i);
        FUZZ_CHECK(e->list[0], "entry %zu: empty list name", i);
        aliases += check_strv(e->aliases, "alias", i, e->name);
        check_strv(e->past_flags, "past flag", i, NULL);
        FUZZ_CHECK(e->imo < 10000000, "entry %zu: IMO %u", i, (unsigned)e->imo);
        FUZZ_CHECK(e->mmsi < 1000000000, "entry %zu: MMSI %u", i, (unsigned)e->mmsi);
        imos += e->imo != 0;
        mmsis += e->mmsi != 0;
        check_normalise(e->name);
        for (const char *const *a = e->aliases; *a; a++) check_normalise(*a);
    }
    FUZZ_CHECK(aw_lists_entry(l, n) == NULL, "entry past the end");
    FUZZ_CHECK(st->imos == imos && st->mmsis == mmsis && st->aliases == aliases,
               "stats imos %zu/%zu mmsis %zu/%zu aliases %zu/%zu", st->imos, imos, st->mmsis, mmsis, st->aliases,
               aliases);
}

enum { QMAX = 8 };

static bool found(const aw_match *m, size_t nm, size_t entry, aw_match_basis *basis) {
    for (size_t i = 0; i < nm; i++)
        if (m[i].entry == entry) {
            *basis = m[i].basis;
            return true;
        }
    return false;
}

static void check_screen(const aw_lists *l, unsigned variant) {
    size_t n = aw_lists_count(l);
    if (!n) return;
    uint32_t imos[QMAX];
    const char *qnames[2 * QMAX], *qcs[QMAX];
    size_t nimos = 0, nnames = 0, ncs = 0;
    uint32_t mmsi = 0;
    size_t first = n > QMAX && (variant & 1) ? n - QMAX : 0; /* the first entries, or the last of a second load */
    for (size_t i = first; i < n && i < first + QMAX; i++) {
        const aw_list_entry *e = aw_lists_entry(l, i);
        imos[nimos++] = e->imo;
        if (!mmsi) mmsi = e->mmsi;
        qnames[nnames++] = e->name;
        if (e->aliases[0]) qnames[nnames++] = e->aliases[0];
        qcs[ncs++] = e->callsign;
    }
    aw_screen_query q = {.mmsi = mmsi, .imos = imos, .nimos = nimos, .names = qnames, .nnames = nnames,
                         .callsigns = qcs, .ncallsigns = ncs, .flag = NULL};
    aw_screen_params p;
    aw_screen_params_default(&p);
    if (variant & 2) p.name_min_score = 0.75;
    size_t total = aw_screen(l, &q, &p, NULL, 0);
    FUZZ_CHECK(total <= n, "%zu matches of %zu entries", total, n);
    aw_match *m = malloc((total + 1) * sizeof *m);
    if (!m) abort();
    size_t t2 = aw_screen(l, &q, &p, m, total);
    FUZZ_CHECK(t2 == total, "second screen %zu, first %zu", t2, total);
    for (size_t i = 0; i < total; i++) {
        FUZZ_CHECK(m[i].entry < n, "match entry %zu of %zu", m[i].entry, n);
        FUZZ_CHECK(m[i].basis >= AW_MATCH_IMO && m[i].basis <= AW_MATCH_NAME, "basis %d", (int)m[i].basis);
        FUZZ_CHECK(m[i].score > 0 && m[i].score <= 1.0, "score %g", m[i].score);
        FUZZ_CHECK(m[i].basis == AW_MATCH_NAME || m[i].basis == AW_MATCH_NAME_CALLSIGN || m[i].score == 1.0,
                   "number match with score %g", m[i].score);
        FUZZ_CHECK(memchr(m[i].matched_value, 0, sizeof m[i].matched_value) != NULL, "matched_value unterminated");
        for (size_t j = 0; j < i; j++) FUZZ_CHECK(m[j].entry != m[i].entry, "entry %zu matched twice", m[i].entry);
        if (i) {
            const aw_match *a = &m[i - 1], *b = &m[i];
            FUZZ_CHECK(a->basis < b->basis || (a->basis == b->basis && a->score >= b->score), "ranking at %zu", i);
        }
        /* One JSON object, exact-size buffers; one byte too few gives nothing. */
        char *js = malloc(4096 + 2);
        if (!js) abort();
        size_t jn = aw_match_json(l, mmsi, &m[i], js, 4096);
        if (jn) {
            FUZZ_CHECK(jn < 4096 && js[jn] == 0 && strlen(js) == jn, "aw_match_json length %zu", jn);
            js[jn] = '\n';
            FUZZ_CHECK(fuzz_json_line_ok(js, jn + 1), "aw_match_json: %.*s", (int)jn, js);
            char *small = malloc(jn);
            if (!small) abort();
            FUZZ_CHECK(aw_match_json(l, mmsi, &m[i], small, jn) == 0 && small[0] == 0, "cut JSON object");
            free(small);
        }
        free(js);
    }
    /* Everything the query names exactly is found. */
    char qn[2 * QMAX][256];
    for (size_t k = 0; k < nnames; k++) aw_name_normalise(qnames[k], qn[k], sizeof qn[k]);
    for (size_t i = 0; i < n; i++) {
        const aw_list_entry *e = aw_lists_entry(l, i);
        aw_match_basis b = 0;
        bool hit = found(m, total, i, &b);
        bool imo_q = false;
        for (size_t k = 0; k < nimos; k++) imo_q |= imos[k] == e->imo;
        if (imo_q && imo_valid(e->imo))
            FUZZ_CHECK(hit && b == AW_MATCH_IMO, "entry %zu (IMO %u) not found by its IMO", i, (unsigned)e->imo);
        if (mmsi && e->mmsi == mmsi)
            FUZZ_CHECK(hit && b <= AW_MATCH_MMSI, "entry %zu (MMSI %u) not found by its MMSI", i, (unsigned)mmsi);
        char en[256];
        if (aw_name_normalise(e->name, en, sizeof en))
            for (size_t k = 0; k < nnames; k++)
                if (strcmp(en, qn[k]) == 0) FUZZ_CHECK(hit, "entry %zu (name '%s') not found by name", i, e->name);
    }
    /* A small output array keeps the strongest match. */
    if (total) {
        aw_match one;
        FUZZ_CHECK(aw_screen(l, &q, &p, &one, 1) == total, "cap 1 total");
        FUZZ_CHECK(one.entry == m[0].entry && one.basis == m[0].basis, "cap 1 first match");
    }
    free(m);
}

/* The i-th part of the text between "\n~~~\n" separators (the separator's newlines
 * belong to neither part). */
static bool part(const uint8_t *p, size_t n, int i, const uint8_t **out, size_t *outn) {
    static const char sep[] = "\n~~~\n";
    const size_t sl = sizeof sep - 1;
    for (int k = 0;; k++) {
        const uint8_t *e = n >= sl ? memmem(p, n, sep, sl) : NULL;
        size_t len = e ? (size_t)(e - p) : n;
        if (k == i) {
            *out = p;
            *outn = len;
            return true;
        }
        if (!e) return false;
        p = e + sl;
        n -= len + sl;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    setup();
    uint8_t flags = data[0];
    const uint8_t *text = data + 1;
    size_t tn = size - 1;
    const char *const *nm = names[flags & 15];
    unsigned comp = (flags >> 4) & 3;

    memset(paths, 0, sizeof paths);
    memset(path_lines, 0, sizeof path_lines);
    const uint8_t *pp;
    size_t pn;
    part(text, tn, 0, &pp, &pn);
    snprintf(paths[0], sizeof paths[0], "%s/%s", tmpdir, nm[0]);
    write_file(paths[0], pp, pn);
    path_lines[0] = count_lines(pp, pn);
    int next = 1;
    for (int k = 1; k <= 2; k++) {
        if (!(comp & k)) continue;
        const uint8_t *cp = (const uint8_t *)"";
        size_t cn = 0;
        if (!part(text, tn, next++, &cp, &cn)) cp = (const uint8_t *)"", cn = 0;
        snprintf(paths[k], sizeof paths[k], "%s/%s", tmpdir, nm[k]);
        write_file(paths[k], cp, cn);
        path_lines[k] = count_lines(cp, cn);
    }

    aw_lists *l = aw_lists_new();
    if (!l) abort();
    rctx rc = {0};
    bool quiet = flags & 0x80;
    int loads = (flags & 0x40) ? 2 : 1;
    for (int k = 0; k < loads; k++) {
        char err[256];
        char *errb = quiet ? malloc(1) : err;
        size_t errcap = quiet ? 1 : sizeof err;
        if (!errb) abort();
        size_t before = aw_lists_count(l), skipped = aw_lists_stats(l)->skipped, reports = rc.reports;
        long r = aw_lists_load(l, paths[0], quiet ? NULL : on_report, quiet ? NULL : &rc, errb, errcap);
        FUZZ_CHECK(r >= -1, "aw_lists_load returned %ld", r);
        size_t rl = strnlen(errb, errcap);
        FUZZ_CHECK(rl < errcap, "error message unterminated");
        if (r < 0) {
            FUZZ_CHECK(quiet || rl > 0, "refused without a message");
            FUZZ_CHECK(aw_lists_count(l) >= before, "entries lost");
        } else {
            FUZZ_CHECK((size_t)r == aw_lists_count(l) - before, "returned %ld, added %zu", r,
                       aw_lists_count(l) - before);
        }
        if (!quiet)
            FUZZ_CHECK(aw_lists_stats(l)->skipped - skipped <= rc.reports - reports, "skipped %zu, reports %zu",
                       aw_lists_stats(l)->skipped - skipped, rc.reports - reports);
        if (quiet) free(errb);
        if (r < 0) break; /* the indexes are only rebuilt by a load that succeeds */
        check_entries(l);
        check_screen(l, flags + (unsigned)k);
    }
    aw_lists_free(l);
    cleanup_files();
    return 0;
}
