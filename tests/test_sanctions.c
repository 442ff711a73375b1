/* test_sanctions.c — list loaders against the real published files (counts from
 * ../shared/data/MANIFEST.md) and the matching rules of docs/sanctions.md. */
#include "aiswatch/sanctions.h"
#include "check.h"

#include <stdint.h>

typedef struct reports {
    int n;
    char last[256];
} reports;

static void on_report(void *ctx, const char *file, size_t rec, const char *reason) {
    reports *r = ctx;
    r->n++;
    snprintf(r->last, sizeof r->last, "%s:%zu: %s", file, rec, reason);
}

static char srcbuf[4096];
/* tests/data/sanctions/ in the source tree (AW_SRC, set by ctest). */
static const char *src_path(const char *rel) {
    const char *root = getenv("AW_SRC");
    snprintf(srcbuf, sizeof srcbuf, "%s/tests/data/sanctions/%s", root ? root : "..", rel);
    return srcbuf;
}

static long load(aw_lists *l, const char *path, reports *r) {
    char err[512];
    long n = aw_lists_load(l, path, on_report, r, err, sizeof err);
    if (n < 0) fprintf(stderr, "load %s: %s\n", path, err);
    return n;
}

static const aw_list_entry *find_entry(const aw_lists *l, const char *name) {
    for (size_t i = 0; i < aw_lists_count(l); i++)
        if (strcmp(aw_lists_entry(l, i)->name, name) == 0) return aw_lists_entry(l, i);
    return NULL;
}

static bool has_alias(const aw_list_entry *e, const char *a) {
    for (const char *const *p = e ? e->aliases : NULL; p && *p; p++)
        if (strcmp(*p, a) == 0) return true;
    return false;
}

/* Screens one name (and optional IMO, MMSI, call sign); returns the number of matches. */
static size_t screen(const aw_lists *l, uint32_t imo, uint32_t mmsi, const char *name, const char *cs, aw_match *m, size_t cap) {
    const char *names[1] = {name};
    const char *css[1] = {cs};
    aw_screen_query q = {.mmsi = mmsi, .imos = &imo, .nimos = imo ? 1 : 0, .names = names, .nnames = name ? 1 : 0,
                         .callsigns = css, .ncallsigns = cs ? 1 : 0};
    aw_screen_params p;
    aw_screen_params_default(&p);
    return aw_screen(l, &q, &p, m, cap);
}

static void test_normalise(void) {
    char a[64], b[64];
    aw_name_normalise("YU JONG 2", a, sizeof a);
    aw_name_normalise("M/V Yu-Jong-2", b, sizeof b);
    CHECK_EQ_STR(a, "YUJONG2");
    CHECK_EQ_STR(b, "YUJONG2");
    aw_name_normalise("M.T. Sea  Breeze", a, sizeof a);
    CHECK_EQ_STR(a, "SEABREEZE");
    aw_name_normalise("MV", a, sizeof a); /* a prefix alone is the name */
    CHECK_EQ_STR(a, "MV");
    aw_name_normalise("SS United States", a, sizeof a);
    CHECK_EQ_STR(a, "UNITEDSTATES");
    CHECK_EQ_INT(aw_name_normalise("ABCDEFGH", a, 4), 3);
}

static void test_sdn_full(void) {
    char p[1024];
    aw_lists *l = aw_lists_new();
    reports r = {0};
    long n = load(l, check_data_path("sanctions/ofac/sdn_2024-05-03.csv", p, sizeof p), &r);
    const aw_list_stats *st = aw_lists_stats(l);
    CHECK_EQ_INT(n, 851);
    CHECK_EQ_INT(st->vessels, 851);
    CHECK_EQ_INT(st->imos, 844);
    CHECK_EQ_INT(st->mmsis, 154);
    CHECK_EQ_INT(st->records, 14965);
    CHECK_EQ_INT(st->skipped, 0);
    const aw_list_entry *e = find_entry(l, "ARTAVIL");
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ_INT(e->imo, 9187629);
        CHECK_EQ_INT(e->mmsi, 572469210);
        CHECK_EQ_STR(e->callsign, "T2EU4");
        CHECK(has_alias(e, "ALPHA"));
        CHECK(e->past_flags[0] && strcmp(e->past_flags[0], "Malta") == 0);
        int nf = 0;
        for (const char *const *f = e->past_flags; *f; f++) nf++;
        CHECK_EQ_INT(nf, 3); /* Malta, Tuvalu, Tanzania; "None Identified" is not a flag */
    }
    /* "IMO  8730455" with two spaces is still the IMO. */
    CHECK(find_entry(l, "EBANO") && find_entry(l, "EBANO")->imo == 7406784);
    aw_match m[8];
    /* renamed vessel: EBANO f.k.a. SAND SWAN */
    size_t k = screen(l, 0, 0, "Sand Swan", NULL, m, 8);
    CHECK(k >= 1);
    if (k >= 1) {
        CHECK_EQ_STR(aw_lists_entry(l, m[0].entry)->name, "EBANO");
        CHECK(m[0].former_name);
        CHECK_EQ_INT(m[0].basis, AW_MATCH_NAME);
    }
    k = screen(l, 9187629, 0, NULL, NULL, m, 8);
    CHECK(k == 1 && m[0].basis == AW_MATCH_IMO && strcmp(m[0].matched_value, "9187629") == 0);
    /* the same digits with a wrong check digit */
    CHECK_EQ_INT(screen(l, 9187628, 0, NULL, NULL, m, 8), 0);
    k = screen(l, 0, 572469210, NULL, NULL, m, 8);
    CHECK(k == 1 && m[0].basis == AW_MATCH_MMSI);
    aw_lists_free(l);

    l = aw_lists_new();
    n = load(l, check_data_path("sanctions/ofac/sdn_2024-05-03_vessels.csv", p, sizeof p), &r);
    st = aw_lists_stats(l);
    CHECK_EQ_INT(n, 851);
    /* The manifest says 842 here; the vessel rows are byte-identical to the full file's, and
     * two of them write "IMO  8730455" with two spaces: 844 is what the file holds. */
    CHECK_EQ_INT(st->imos, 844);
    CHECK_EQ_INT(st->mmsis, 154);
    CHECK_EQ_INT(st->records, 851);
    aw_lists_free(l);
}

static void test_sdn_xml(void) {
    char p[1024];
    aw_lists *l = aw_lists_new();
    reports r = {0};
    long n = load(l, check_data_path("sanctions/ofac/sdn_xml_excerpt_2026-04-30.xml", p, sizeof p), &r);
    const aw_list_stats *st = aw_lists_stats(l);
    CHECK_EQ_INT(n, 7);
    CHECK_EQ_INT(st->imos, 6);
    CHECK_EQ_INT(st->mmsis, 2);
    CHECK_EQ_INT(st->skipped, 0);
    const aw_list_entry *e = find_entry(l, "RYONG GUN BONG"); /* bare IMO number */
    CHECK(e && e->imo == 8606173);
    e = find_entry(l, "EBANO");
    CHECK(has_alias(e, "SAND SWAN"));
    e = find_entry(l, "ARTAVIL");
    CHECK(e && e->mmsi == 572469210 && e->past_flags[0] != NULL);
    aw_lists_free(l);
}

static void test_uk(void) {
    char p[1024];
    aw_lists *l = aw_lists_new();
    reports r = {0};
    long n = load(l, check_data_path("sanctions/uk/uksl_ship_fragment_DPR0075_trimmed.xml", p, sizeof p), &r);
    CHECK_EQ_INT(n, 1);
    const aw_list_entry *e = aw_lists_entry(l, 0);
    if (e) {
        CHECK_EQ_STR(e->name, "Petrel 8");
        CHECK_EQ_STR(e->entry_id, "DPR0075");
        CHECK_EQ_STR(e->list, "UK");
        CHECK_EQ_INT(e->imo, 9562233);
        CHECK_EQ_STR(e->flag, "Comoros");
        CHECK(has_alias(e, "Jal Vahini"));
        CHECK(e->past_flags[0] && strcmp(e->past_flags[0], "India") == 0);
    }
    aw_match m[4];
    size_t k = screen(l, 0, 0, "JAL VAHINI", NULL, m, 4);
    CHECK(k == 1 && m[0].former_name);
    /* sister ship: same name but another number is not a fuzzy match */
    CHECK_EQ_INT(screen(l, 0, 0, "PETREL 9", NULL, m, 4), 0);
    aw_lists_free(l);
}

static void test_tiny_2025(void) {
    char p[1024];
    aw_lists *l = aw_lists_new();
    reports r = {0};
    long n = load(l, check_data_path("sanctions/ofac/tiny_2025_sdn.csv", p, sizeof p), &r);
    const aw_list_stats *st = aw_lists_stats(l);
    CHECK_EQ_INT(n, 4); /* IRIS MAKRAN, NS LEADER, FRUNZE, TASCA */
    CHECK_EQ_INT(st->records, 17);
    CHECK_EQ_INT(st->files, 3); /* the SDN file and both companions beside it */
    CHECK_EQ_INT(st->imos, 4);
    CHECK_EQ_INT(st->mmsis, 3);
    CHECK_EQ_INT(st->skipped, 0);
    const aw_list_entry *e = find_entry(l, "NS LEADER");
    CHECK(e && e->imo == 9339301 && e->mmsi == 636013272);
    /* ALT.CSV is joined on its first column (ent_num), not on alt_num: the alias row whose
     * alt_num happens to be 47371 belongs to entry 30221, not to NS LEADER. */
    CHECK(e && e->aliases[0] == NULL);
    CHECK(has_alias(find_entry(l, "IRIS MAKRAN"), "MAKRAN"));
    aw_lists_free(l);

    /* The real tiny set has no vessel among its ALT and SDN_COMMENTS rows, so the joins are
     * shown on a small set of the same layout: an alias only in ALT, and an IMO number cut
     * in two by the Remarks overflow ("IMO 91" + "23453"). */
    l = aw_lists_new();
    n = load(l, src_path("mini_sdn.csv"), &r);
    st = aw_lists_stats(l);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(st->files, 3);
    e = find_entry(l, "SEA BREEZE ONE");
    CHECK(e != NULL);
    if (e) {
        CHECK(has_alias(e, "PACIFIC BREEZE")); /* from ALT */
        CHECK(has_alias(e, "OLD BREEZE"));     /* from Remarks */
        CHECK_EQ_INT(e->imo, 9123453);          /* from SDN_COMMENTS */
        CHECK_EQ_INT(e->mmsi, 352000123);
        CHECK_EQ_STR(e->programs, "DPRK3; IRAN");
        CHECK(e->past_flags[0] && strcmp(e->past_flags[0], "Togo") == 0 && e->past_flags[1] == NULL);
    }
    /* the company's "Company Number IMO" is not a vessel and not loaded */
    aw_match m[4];
    CHECK_EQ_INT(screen(l, 9345673, 0, NULL, NULL, m, 4), 0);
    aw_lists_free(l);
}

static void test_un_and_eu(void) {
    char p[1024];
    aw_lists *l = aw_lists_new();
    reports r = {0};
    long n = load(l, check_data_path("sanctions/un/consolidated_2026-02-27.xml", p, sizeof p), &r);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(aw_lists_stats(l)->records, 1003); /* 730 individuals, 273 entities */
    n = load(l, check_data_path("sanctions/eu/fsf_excerpt_2026-08-05_EU.4198.83.xml", p, sizeof p), &r);
    CHECK_EQ_INT(n, 0);
    /* With ships loaded next to it, OMM's company number 1790183 (a valid ship check digit
     * by chance) still matches nothing; nor does the maritime.csv ORGANIZATION row with it. */
    CHECK(load(l, src_path("opensanctions_maritime.csv"), &r) == 1);
    CHECK(load(l, src_path("un1718_vessels.csv"), &r) == 3);
    aw_match m[4];
    CHECK_EQ_INT(screen(l, 1790183, 0, NULL, NULL, m, 4), 0);
    CHECK_EQ_INT(screen(l, 5342883, 0, NULL, NULL, m, 4), 0);
    CHECK_EQ_INT(aw_lists_stats(l)->skipped, 0);
    aw_lists_free(l);
}

static void test_other_formats(void) {
    aw_lists *l = aw_lists_new();
    reports r = {0};
    CHECK_EQ_INT(load(l, src_path("un1718_vessels.csv"), &r), 3);
    CHECK_EQ_INT(load(l, src_path("watch.csv"), &r), 3);
    CHECK_EQ_INT(load(l, src_path("opensanctions_vessels.jsonl"), &r), 2);
    CHECK_EQ_INT(load(l, src_path("opensanctions_maritime.csv"), &r), 1);
    CHECK_EQ_INT(r.n, 0);
    const aw_list_entry *e = find_entry(l, "YU JONG 2");
    CHECK(e && e->imo == 8604917 && e->mmsi == 445112000 && strcmp(e->list, "UN 1718") == 0);
    CHECK(e && strcmp(e->programs, "Resolution 2397 (2017)") == 0);
    e = find_entry(l, "OCEAN WANDERER");
    CHECK(e && e->imo == 9234563 && e->mmsi == 511000222 && has_alias(e, "WANDERING STAR"));
    CHECK(e && e->past_flags[0] && e->past_flags[1] && !e->past_flags[2]);
    e = find_entry(l, "SILVER FERN");
    CHECK(e && e->imo == 9123453 && has_alias(e, "SILVER FERN I") && strcmp(e->list, "OpenSanctions") == 0);
    e = find_entry(l, "GREY GHOST");
    CHECK(e && strcmp(e->list, "Analyst watch") == 0 && strcmp(e->programs, "shadow fleet") == 0);
    e = find_entry(l, "BLUE HERON");
    CHECK(e && strcmp(e->list, "watch list") == 0);

    aw_match m[8];
    /* normalised exact: "M/V YUJONG-2" = "YU JONG 2" */
    size_t k = screen(l, 0, 0, "M/V YUJONG-2", NULL, m, 8);
    CHECK(k == 1 && m[0].basis == AW_MATCH_NAME && m[0].score == 1.0 && !m[0].former_name);
    /* supported by the call sign */
    k = screen(l, 0, 0, "YU JONG 2", "hmyj2", m, 8);
    CHECK(k == 1 && m[0].basis == AW_MATCH_NAME_CALLSIGN);
    /* fuzzy above the threshold, with its score */
    k = screen(l, 0, 0, "OCEAN WANDERRE", NULL, m, 8);
    CHECK(k == 1 && m[0].basis == AW_MATCH_NAME && m[0].score >= 0.9 && m[0].score < 1.0);
    /* a near miss below the threshold */
    CHECK_EQ_INT(screen(l, 0, 0, "OCEAN WONDER", NULL, m, 8), 0);
    CHECK_EQ_INT(screen(l, 0, 0, "YU JONG 3", NULL, m, 8), 0);
    /* the strongest basis wins, one match per entry, ranked IMO > MMSI > name */
    const char *names[2] = {"GREY GHOST", "OCEAN WANDERER"};
    uint32_t imos[1] = {9876543};
    aw_screen_query q = {.mmsi = 445112000, .imos = imos, .nimos = 1, .names = names, .nnames = 2};
    k = aw_screen(l, &q, NULL, m, 8);
    CHECK_EQ_INT(k, 3);
    if (k == 3) {
        CHECK_EQ_STR(aw_lists_entry(l, m[0].entry)->name, "GREY GHOST");
        CHECK_EQ_INT(m[0].basis, AW_MATCH_IMO);
        CHECK_EQ_STR(aw_lists_entry(l, m[1].entry)->name, "YU JONG 2");
        CHECK_EQ_INT(m[1].basis, AW_MATCH_MMSI);
        CHECK_EQ_INT(m[2].basis, AW_MATCH_NAME);
        CHECK(m[2].former_name); /* the vessel's own former name matched */
    }
    /* cap smaller than the matches: the count is still the total */
    CHECK_EQ_INT(aw_screen(l, &q, NULL, m, 1), 3);
    CHECK_EQ_STR(aw_match_basis_name(AW_MATCH_NAME_CALLSIGN), "name+callsign");
    aw_lists_free(l);
}

static void test_broken(void) {
    aw_lists *l = aw_lists_new();
    reports r = {0};
    char err[512];
    long n = aw_lists_load(l, src_path("broken_sdn.csv"), on_report, &r, err, sizeof err);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(r.n, 1);
    CHECK_EQ_INT(aw_lists_stats(l)->skipped, 1);
    CHECK(strstr(r.last, ":2:") != NULL); /* the truncated record's line */
    n = aw_lists_load(l, src_path("broken.xml"), on_report, &r, err, sizeof err);
    CHECK_EQ_INT(n, -1);
    CHECK_EQ_INT(r.n, 2);
    CHECK_EQ_INT(aw_lists_stats(l)->skipped, 2);
    CHECK_EQ_INT(aw_lists_count(l), 2); /* nothing of the broken document kept */
    n = aw_lists_load(l, src_path("mini_alt.csv"), on_report, &r, err, sizeof err);
    CHECK_EQ_INT(n, -1);
    CHECK(strstr(err, "companion") != NULL);
    n = aw_lists_load(l, src_path("does-not-exist.csv"), on_report, &r, err, sizeof err);
    CHECK_EQ_INT(n, -1);
    aw_lists_free(l);
}

int main(void) {
    test_normalise();
    test_sdn_full();
    test_sdn_xml();
    test_uk();
    test_tiny_2025();
    test_un_and_eu();
    test_other_formats();
    test_broken();
    printf("sanctions: %d passed, %d failed\n", check_count - check_failures, check_failures);
    return check_failures ? 1 : 0;
}
