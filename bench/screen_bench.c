/* screen_bench.c — speed of list loading and aw_screen() (docs/sanctions.md). Not a test:
 * run bench/screen.sh after a build. Loads every list given, then screens N synthetic
 * vessel identities (default one million) on one core and prints the times and the matches
 * by basis. The identities are deterministic: most are random names and numbers; 1% carry a
 * listed IMO, 1% a listed MMSI, 2% a listed name (half of those with one letter changed),
 * so every path of the matcher is exercised. */
#include "aiswatch/sanctions.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint32_t valid_imo(uint64_t *s) {
    uint32_t base = 100000 + (uint32_t)(rnd(s) % 900000), d = base, sum = 0;
    for (int i = 5; i >= 0; i--, d /= 10) sum += (d % 10) * (uint32_t)(7 - i);
    return base * 10 + sum % 10;
}

static void random_name(uint64_t *s, char *out, size_t cap) {
    static const char *const syl[] = {"SEA", "STAR", "OCEAN", "NOR", "PAC", "IFIC", "LU", "NA", "KIM", "SONG", "RI", "VER",
                                      "TAN", "KER", "MAR", "IS", "GOLD", "EN", "WAVE", "BLUE", "AL", "PHA", "DE", "LTA"};
    size_t n = 0, k = 2 + rnd(s) % 3;
    out[0] = 0;
    for (size_t i = 0; i < k; i++) {
        const char *y = syl[rnd(s) % (sizeof syl / sizeof *syl)];
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i == 2 ? " " : "", y);
        if (n >= cap) break;
    }
    if (rnd(s) % 3 == 0 && n + 3 < cap) snprintf(out + n, cap - n, " %u", (unsigned)(rnd(s) % 9 + 1));
}

int main(int argc, char **argv) {
    size_t nid = 1000000;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        nid = strtoull(argv[2], NULL, 10);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: screen_bench [-n identities] list-file...\n");
        return 1;
    }
    double t0 = now();
    aw_lists *l = aw_lists_new();
    for (int i = first; i < argc; i++) {
        char err[512];
        long n = aw_lists_load(l, argv[i], NULL, NULL, err, sizeof err);
        if (n < 0) fprintf(stderr, "screen_bench: %s\n", err);
    }
    double t1 = now();
    const aw_list_stats *st = aw_lists_stats(l);
    size_t ne = aw_lists_count(l);
    printf("lists: %zu files, %zu records, %zu vessel entries, %zu IMOs, %zu MMSIs, %zu aliases, %zu skipped\n",
           st->files, st->records, st->vessels, st->imos, st->mmsis, st->aliases, st->skipped);
    printf("load: %.3f s\n", t1 - t0);
    if (!ne) return 1;

    /* Identities are generated first, so the timed loop is aw_screen() alone. */
    typedef struct ident {
        char n1[40], n2[40], cs[12];
        uint32_t imo, mmsi;
        unsigned nn;
    } ident;
    ident *id = malloc(nid * sizeof *id);
    if (!id) return 1;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < nid; i++) {
        ident *d = &id[i];
        d->imo = rnd(&seed) % 10 < 7 ? valid_imo(&seed) : 0;
        d->mmsi = 200000000 + (uint32_t)(rnd(&seed) % 600000000);
        random_name(&seed, d->n1, sizeof d->n1);
        random_name(&seed, d->n2, sizeof d->n2);
        snprintf(d->cs, sizeof d->cs, "%c%c%u", 'A' + (int)(rnd(&seed) % 26), 'A' + (int)(rnd(&seed) % 26),
                 (unsigned)(rnd(&seed) % 1000));
        unsigned r = (unsigned)(rnd(&seed) % 100);
        const aw_list_entry *e = aw_lists_entry(l, rnd(&seed) % ne);
        if (r == 0 && e->imo) d->imo = e->imo;
        else if (r == 1 && e->mmsi) d->mmsi = e->mmsi;
        else if (r == 2 || r == 3) {
            snprintf(d->n1, sizeof d->n1, "%s", e->name);
            size_t len = strlen(d->n1);
            if (r == 3 && len > 6) d->n1[len / 2 + 1] = d->n1[len / 2 + 1] == 'E' ? 'A' : 'E';
        }
        d->nn = 1 + (unsigned)(rnd(&seed) % 2);
    }
    size_t by[5] = {0}, total = 0;
    aw_screen_params p;
    aw_screen_params_default(&p);
    double t2 = now();
    for (size_t i = 0; i < nid; i++) {
        const ident *d = &id[i];
        const char *names[2] = {d->n1, d->n2};
        const char *css[1] = {d->cs};
        aw_screen_query q = {.mmsi = d->mmsi, .imos = &d->imo, .nimos = d->imo ? 1 : 0, .names = names,
                             .nnames = d->nn, .callsigns = css, .ncallsigns = 1};
        aw_match m[16];
        size_t k = aw_screen(l, &q, &p, m, 16);
        total += k;
        if (k) by[m[0].basis]++;
    }
    double screen = now() - t2;
    free(id);
    printf("screen: %zu identities in %.3f s on one core (%.2f us each)\n", nid, screen, screen / (double)nid * 1e6);
    printf("matched identities by strongest basis: imo %zu, mmsi %zu, name+callsign %zu, name %zu; %zu matches\n",
           by[AW_MATCH_IMO], by[AW_MATCH_MMSI], by[AW_MATCH_NAME_CALLSIGN], by[AW_MATCH_NAME], total);
    printf("total (load + screen): %.3f s — target under 2 s\n", (t1 - t0) + screen);
    aw_lists_free(l);
    return 0;
}
