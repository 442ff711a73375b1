/* sanctions.c — the list container, name normalisation, indexes and aw_screen().
 * Loaders are in sanctions_load.c; rules and strengths are in docs/sanctions.md. */
#include "sanctions_priv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena and drafts ---- */

static void *sl_alloc(aw_lists *l, size_t n) { return aw_arena_alloc(&l->arena, n); }

char *sl_strdup(aw_lists *l, const char *s) { return aw_arena_strdup(&l->arena, s); }

void sl_strv_push(sl_strv *v, const char *s, size_t n) {
    /* Out of memory here loses one alias; the caller cannot do better and must not crash. */
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        char **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) return;
        v->v = nv;
        v->cap = cap;
    }
    char *c = malloc(n + 1);
    if (!c) return;
    memcpy(c, s, n);
    c[n] = 0;
    v->v[v->n++] = c;
}

void sl_strv_free(sl_strv *v) {
    for (size_t i = 0; i < v->n; i++) free(v->v[i]);
    free(v->v);
    memset(v, 0, sizeof *v);
}

void sl_draft_free(sl_draft *d) {
    free(d->entry_id);
    free(d->name);
    free(d->programs);
    free(d->callsign);
    free(d->flag);
    free(d->remarks);
    sl_strv_free(&d->aliases);
    sl_strv_free(&d->past_flags);
    memset(d, 0, sizeof *d);
}

static const char *const *sl_freeze_strv(aw_lists *l, const sl_strv *v, const char *skip) {
    const char **a = sl_alloc(l, (v->n + 1) * sizeof *a);
    if (!a) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!v->v[i][0] || (skip && strcmp(v->v[i], skip) == 0)) continue;
        bool dup = false; /* the same alias from Remarks and ALT.CSV is one alias */
        for (size_t j = 0; j < k && !dup; j++) dup = strcmp(a[j], v->v[i]) == 0;
        if (dup) continue;
        a[k] = sl_strdup(l, v->v[i]);
        if (!a[k]) return NULL;
        k++;
    }
    a[k] = NULL;
    return a;
}

static void cs_normalise(const char *s, char *out, size_t cap) {
    size_t k = 0;
    for (; s && *s && k + 1 < cap; s++)
        if (isalnum((unsigned char)*s)) out[k++] = (char)toupper((unsigned char)*s);
    out[k] = 0;
}

bool sl_commit(aw_lists *l, sl_draft *d) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        aw_list_entry *ne = realloc(l->e, cap * sizeof *ne);
        if (!ne) return false;
        l->e = ne;
        char **nc = realloc(l->cs_norm, cap * sizeof *nc);
        if (!nc) return false;
        l->cs_norm = nc;
        l->cap = cap;
    }
    aw_list_entry *e = &l->e[l->n];
    e->list = sl_strdup(l, d->list);
    e->entry_id = sl_strdup(l, d->entry_id);
    e->name = sl_strdup(l, d->name);
    e->aliases = sl_freeze_strv(l, &d->aliases, d->name);
    e->programs = sl_strdup(l, d->programs);
    e->imo = d->imo;
    e->mmsi = d->mmsi;
    e->callsign = sl_strdup(l, d->callsign);
    e->flag = sl_strdup(l, d->flag);
    e->past_flags = sl_freeze_strv(l, &d->past_flags, NULL);
    e->remarks = sl_strdup(l, d->remarks);
    char cs[32];
    cs_normalise(d->callsign, cs, sizeof cs);
    l->cs_norm[l->n] = sl_strdup(l, cs);
    if (!e->list || !e->entry_id || !e->name || !e->aliases || !e->programs || !e->callsign || !e->flag ||
        !e->past_flags || !e->remarks || !l->cs_norm[l->n])
        return false;
    l->st.vessels++;
    if (e->imo) l->st.imos++;
    if (e->mmsi) l->st.mmsis++;
    for (const char *const *a = e->aliases; *a; a++) l->st.aliases++;
    l->n++;
    return true;
}

/* ---- public container ---- */

aw_lists *aw_lists_new(void) { return calloc(1, sizeof(aw_lists)); }

static void index_free(sl_index *x) {
    free(x->p);
    free(x->slots);
    memset(x, 0, sizeof *x);
}

void aw_lists_free(aw_lists *l) {
    if (!l) return;
    aw_arena_free(&l->arena);
    free(l->e);
    free(l->cs_norm);
    index_free(&l->imo);
    index_free(&l->mmsi);
    index_free(&l->name);
    free(l->names);
    free(l->bucket);
    free(l);
}

long aw_lists_load(aw_lists *l, const char *path, aw_list_report_fn report, void *ctx, char *err, size_t errcap) {
    if (errcap) err[0] = 0;
    size_t before = l->n;
    long r = sl_load_file(l, path, report, ctx, err, errcap);
    if (r < 0) return r;
    l->st.files++;
    if (!sl_build_indexes(l)) {
        snprintf(err, errcap, "out of memory building the list indexes");
        return -1;
    }
    return (long)(l->n - before);
}

const aw_list_stats *aw_lists_stats(const aw_lists *l) { return &l->st; }
size_t aw_lists_count(const aw_lists *l) { return l->n; }
const aw_list_entry *aw_lists_entry(const aw_lists *l, size_t i) { return i < l->n ? &l->e[i] : NULL; }

bool sl_imo_valid(uint32_t imo) {
    if (imo < 1000000 || imo > 9999999) return false;
    unsigned d[7], s = 0;
    for (int i = 6; i >= 0; i--, imo /= 10) d[i] = imo % 10;
    for (int i = 0; i < 6; i++) s += d[i] * (unsigned)(7 - i);
    return s % 10 == d[6];
}

/* ---- names ---- */

static bool is_prefix_token(const char *t, size_t n) {
    /* Vessel prefixes as written in AIS and on lists: motor vessel, motor tanker, steam ship,
     * motor yacht, fishing vessel. "M/V" and "M.T." arrive here as the two tokens M, V. */
    static const char *const p[] = {"MV", "MT", "SS", "MY", "FV", "MS", "TS"};
    for (size_t i = 0; i < sizeof p / sizeof *p; i++)
        if (n == 2 && memcmp(t, p[i], 2) == 0) return true;
    return false;
}

size_t aw_name_normalise(const char *name, char *out, size_t cap) {
    if (!cap) return 0;
    /* Tokens: runs of letters and digits (bytes >= 0x80 kept, so non-Latin names still
     * compare exactly); everything else separates. */
    const char *tok[64];
    size_t tlen[64], nt = 0;
    char up[256];
    size_t n = 0;
    for (const char *s = name ? name : ""; *s && n + 1 < sizeof up; s++) {
        unsigned char c = (unsigned char)*s;
        up[n++] = c >= 0x80 ? (char)c : (char)toupper(c);
    }
    up[n] = 0;
    for (size_t i = 0; i < n && nt < 64;) {
        unsigned char c = (unsigned char)up[i];
        if (!(isalnum(c) || c >= 0x80)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && (isalnum((unsigned char)up[j]) || (unsigned char)up[j] >= 0x80)) j++;
        tok[nt] = up + i;
        tlen[nt++] = j - i;
        i = j;
    }
    size_t first = 0;
    if (nt >= 3 && tlen[0] == 1 && tlen[1] == 1 && tok[0][0] == 'M' && strchr("VTSY", tok[1][0]))
        first = 2; /* M/V, M.T., M/S, M/Y */
    else if (nt >= 3 && tlen[0] == 1 && tlen[1] == 1 && tok[0][0] == 'F' && tok[1][0] == 'V')
        first = 2;
    else if (nt >= 2 && is_prefix_token(tok[0], tlen[0]))
        first = 1;
    size_t k = 0;
    for (size_t t = first; t < nt; t++)
        for (size_t i = 0; i < tlen[t] && k + 1 < cap; i++) out[k++] = tok[t][i];
    out[k] = 0;
    return k;
}

static uint64_t fnv64(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void name_features(sl_name *nm) {
    unsigned cnt[64] = {0};
    uint32_t dg = 2166136261u;
    for (const char *s = nm->norm; *s; s++) {
        unsigned char c = (unsigned char)*s;
        unsigned k = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '0' && c <= '9' ? 26 + (c - '0') : 36 + (c & 15);
        cnt[k]++;
        if (c >= '0' && c <= '9') dg = (dg ^ c) * 16777619u;
    }
    nm->digits = dg;
    memset(nm->hist, 0, sizeof nm->hist);
    nm->hist_over = false;
    for (unsigned k = 0; k < 64; k++) {
        for (unsigned c = 0; c < 4 && c < cnt[k]; c++) nm->hist[c] |= 1ULL << k;
        if (cnt[k] > 4) nm->hist_over = true;
    }
}

/* ---- indexes ---- */

static int posting_cmp(const void *a, const void *b) {
    const sl_posting *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->entry != y->entry) return x->entry < y->entry ? -1 : 1;
    return x->name < y->name ? -1 : x->name > y->name;
}

static bool index_build(sl_index *x) {
    free(x->slots);
    x->slots = NULL;
    x->mask = 0;
    if (x->n) qsort(x->p, x->n, sizeof *x->p, posting_cmp);
    size_t cap = 16;
    while (cap < 2 * x->n) cap *= 2;
    x->slots = calloc(cap, sizeof *x->slots);
    if (!x->slots) return false;
    x->mask = cap - 1;
    for (size_t i = 0; i < x->n; i++) {
        if (i && x->p[i].key == x->p[i - 1].key) continue;
        size_t h = mix64(x->p[i].key) & x->mask;
        while (x->slots[h]) h = (h + 1) & x->mask;
        x->slots[h] = (uint32_t)(i + 1);
    }
    return true;
}

/* First posting with this key, or NULL; the postings of one key are consecutive. */
static const sl_posting *index_find(const sl_index *x, uint64_t key, const sl_posting **end) {
    if (!x->slots) return NULL;
    for (size_t h = mix64(key) & x->mask; x->slots[h]; h = (h + 1) & x->mask) {
        const sl_posting *p = &x->p[x->slots[h] - 1];
        if (p->key == key) {
            const sl_posting *e = p;
            while (e < x->p + x->n && e->key == key) e++;
            *end = e;
            return p;
        }
    }
    return NULL;
}

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool push_name(aw_lists *l, size_t *cap, uint32_t entry, const char *raw, bool alias) {
    char buf[256];
    size_t n = aw_name_normalise(raw, buf, sizeof buf);
    if (!n) return true;
    if (l->nnames == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        sl_name *nn = realloc(l->names, *cap * sizeof *nn);
        if (!nn) return false;
        l->names = nn;
    }
    sl_name *nm = &l->names[l->nnames];
    nm->norm = sl_strdup(l, buf);
    if (!nm->norm) return false;
    nm->entry = entry;
    nm->len = (uint16_t)n;
    nm->alias = alias;
    name_features(nm);
    l->nnames++;
    return true;
}

bool sl_build_indexes(aw_lists *l) {
    /* Rebuilt from scratch after every load: a few thousand entries take well under a
     * millisecond, and aw_screen() then reads only immutable tables (thread-safe). The
     * normalised names of earlier loads stay in the arena; they are small. */
    index_free(&l->imo);
    index_free(&l->mmsi);
    index_free(&l->name);
    free(l->names);
    free(l->bucket);
    l->names = NULL;
    l->bucket = NULL;
    l->nnames = 0;
    size_t ncap = 0;
    l->imo.p = malloc((l->n + 1) * sizeof *l->imo.p);
    l->mmsi.p = malloc((l->n + 1) * sizeof *l->mmsi.p);
    if (!l->imo.p || !l->mmsi.p) return false;
    for (size_t i = 0; i < l->n; i++) {
        const aw_list_entry *e = &l->e[i];
        /* An IMO without a valid check digit cannot be matched (both sides must be valid). */
        if (e->imo && sl_imo_valid(e->imo)) l->imo.p[l->imo.n++] = (sl_posting){e->imo, (uint32_t)i, 0};
        if (e->mmsi) l->mmsi.p[l->mmsi.n++] = (sl_posting){e->mmsi, (uint32_t)i, 0};
        if (!push_name(l, &ncap, (uint32_t)i, e->name, false)) return false;
        for (const char *const *a = e->aliases; *a; a++)
            if (!push_name(l, &ncap, (uint32_t)i, *a, true)) return false;
    }
    l->name.p = malloc((l->nnames + 1) * sizeof *l->name.p);
    l->bucket = malloc((l->nnames + 1) * sizeof *l->bucket);
    if (!l->name.p || !l->bucket) return false;
    for (size_t k = 0; k < l->nnames; k++) {
        l->name.p[l->name.n++] = (sl_posting){fnv64(l->names[k].norm), l->names[k].entry, (uint32_t)k};
        l->bucket[k] = (uint32_t)k;
    }
    if (!index_build(&l->imo) || !index_build(&l->mmsi) || !index_build(&l->name)) return false;
    /* Fuzzy buckets: names ordered by (first byte, length), sorted as packed keys so that
     * qsort needs no context (no state outside the object). */
    uint64_t *keys = malloc((l->nnames + 1) * sizeof *keys);
    if (!keys) return false;
    for (size_t i = 0; i < l->nnames; i++)
        keys[i] = (uint64_t)(unsigned char)l->names[i].norm[0] << 56 | (uint64_t)l->names[i].len << 32 | i;
    if (l->nnames) qsort(keys, l->nnames, sizeof *keys, u64_cmp);
    for (size_t i = 0; i < l->nnames; i++) l->bucket[i] = (uint32_t)keys[i];
    free(keys);
    size_t k = 0;
    for (unsigned b = 0; b < 256; b++) {
        l->bucket_at[b] = k;
        while (k < l->nnames && (unsigned char)l->names[l->bucket[k]].norm[0] == b) k++;
    }
    l->bucket_at[256] = k;
    return true;
}

/* ---- similarity ---- */

static double jaro_winkler(const char *a, size_t la, const char *b, size_t lb) {
    if (la > 64) la = 64;
    if (lb > 64) lb = 64;
    if (!la || !lb) return 0;
    size_t win = (la > lb ? la : lb) / 2;
    win = win ? win - 1 : 0;
    uint64_t ma = 0, mb = 0;
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > win ? i - win : 0, hi = i + win + 1 < lb ? i + win + 1 : lb;
        for (size_t j = lo; j < hi; j++)
            if (!(mb >> j & 1) && a[i] == b[j]) {
                ma |= 1ULL << i;
                mb |= 1ULL << j;
                m++;
                break;
            }
    }
    if (!m) return 0;
    size_t t = 0, j = 0;
    for (size_t i = 0; i < la; i++) {
        if (!(ma >> i & 1)) continue;
        while (!(mb >> j & 1)) j++;
        if (a[i] != b[j]) t++;
        j++;
    }
    double md = (double)m;
    double jaro = (md / la + md / lb + (md - t / 2.0) / md) / 3.0;
    size_t p = 0;
    while (p < 4 && p < la && p < lb && a[p] == b[p]) p++;
    return jaro + p * 0.1 * (1.0 - jaro);
}

/* Optimal-string-alignment distance (an adjacent transposition is one edit), strings of at
 * most 64 bytes. */
static unsigned osa_distance(const char *a, size_t la, const char *b, size_t lb) {
    unsigned r0[65], r1[65], r2[65];
    unsigned *pp = r0, *p = r1, *c = r2;
    for (size_t j = 0; j <= lb; j++) p[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        c[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = p[j] + 1;
            if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
            if (p[j - 1] + cost < v) v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v) v = pp[j - 2] + 1;
            c[j] = v;
        }
        unsigned *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[lb];
}

/* ---- screening ---- */

const char *aw_match_basis_name(aw_match_basis b) {
    switch (b) {
    case AW_MATCH_IMO: return "imo";
    case AW_MATCH_MMSI: return "mmsi";
    case AW_MATCH_NAME_CALLSIGN: return "name+callsign";
    case AW_MATCH_NAME: return "name";
    }
    return "?";
}

void aw_screen_params_default(aw_screen_params *p) { p->name_min_score = 0.9; }

typedef struct mset {
    aw_match *m;
    size_t n, cap;
    aw_match local[64];
} mset;

static bool better(const aw_match *a, const aw_match *b) {
    if (a->basis != b->basis) return a->basis < b->basis;
    if (a->score != b->score) return a->score > b->score;
    return a->former_name < b->former_name; /* the current name is the stronger evidence */
}

static void mset_add(mset *s, size_t entry, aw_match_basis basis, double score, const char *value, bool former) {
    aw_match m = {.entry = entry, .basis = basis, .score = score, .former_name = former};
    snprintf(m.matched_value, sizeof m.matched_value, "%s", value);
    for (size_t i = 0; i < s->n; i++)
        if (s->m[i].entry == entry) {
            if (better(&m, &s->m[i])) s->m[i] = m;
            return;
        }
    if (s->n == s->cap) {
        size_t cap = s->cap * 2;
        aw_match *nm = s->m == s->local ? malloc(cap * sizeof *nm) : realloc(s->m, cap * sizeof *nm);
        if (!nm) return; /* out of memory: the weaker tail of a huge match set is lost */
        if (s->m == s->local) memcpy(nm, s->local, sizeof s->local);
        s->m = nm;
        s->cap = cap;
    }
    s->m[s->n++] = m;
}

static int match_cmp(const void *a, const void *b) {
    const aw_match *x = a, *y = b;
    if (better(x, y)) return -1;
    if (better(y, x)) return 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static bool callsign_supports(const aw_lists *l, size_t entry, char qcs[][32], size_t nq) {
    const char *cs = l->cs_norm[entry];
    if (!cs[0]) return false;
    for (size_t i = 0; i < nq; i++)
        if (strcmp(cs, qcs[i]) == 0) return true;
    return false;
}

size_t aw_screen(const aw_lists *l, const aw_screen_query *q, const aw_screen_params *p, aw_match *out, size_t cap) {
    aw_screen_params defp;
    if (!p) {
        aw_screen_params_default(&defp);
        p = &defp;
    }
    mset s = {.m = NULL, .n = 0, .cap = 64};
    s.m = s.local;
    char buf[48];
    const sl_posting *it, *end;
    for (size_t i = 0; i < q->nimos; i++) {
        if (!sl_imo_valid(q->imos[i])) continue;
        if ((it = index_find(&l->imo, q->imos[i], &end))) {
            snprintf(buf, sizeof buf, "%u", (unsigned)q->imos[i]);
            for (; it < end; it++) mset_add(&s, it->entry, AW_MATCH_IMO, 1.0, buf, false);
        }
    }
    if (q->mmsi && (it = index_find(&l->mmsi, q->mmsi, &end))) {
        snprintf(buf, sizeof buf, "%u", (unsigned)q->mmsi);
        for (; it < end; it++) mset_add(&s, it->entry, AW_MATCH_MMSI, 1.0, buf, false);
    }
    char qcs[8][32];
    size_t nqcs = 0;
    for (size_t i = 0; i < q->ncallsigns && nqcs < 8; i++) {
        cs_normalise(q->callsigns[i], qcs[nqcs], sizeof qcs[nqcs]);
        if (qcs[nqcs][0]) nqcs++;
    }
    double thr = p->name_min_score;
    /* JW <= 0.6 * jaro + 0.4 (prefix bonus at most 4 * 0.1), so a fuzzy match needs jaro >= jmin. */
    double jmin = (thr - 0.4) / 0.6;
    for (size_t i = 0; i < q->nnames; i++) {
        sl_name qn = {0};
        char norm[256];
        size_t n = aw_name_normalise(q->names[i], norm, sizeof norm);
        if (!n) continue;
        bool former_q = i > 0;
        uint64_t h = fnv64(norm);
        if ((it = index_find(&l->name, h, &end)))
            for (; it < end; it++) {
                const sl_name *nm = &l->names[it->name];
                if (strcmp(nm->norm, norm) != 0) continue;
                aw_match_basis b = callsign_supports(l, nm->entry, qcs, nqcs) ? AW_MATCH_NAME_CALLSIGN : AW_MATCH_NAME;
                mset_add(&s, nm->entry, b, 1.0, q->names[i], former_q || nm->alias);
            }
        if (thr >= 1.0 || thr <= 0.0 || n > 64) continue;
        qn.norm = norm;
        qn.len = (uint16_t)n;
        name_features(&qn);
        /* Fuzzy: names with the same first symbol (Jaro-Winkler weighs the start; a wrong first
         * letter is left to IMO/MMSI), the same digits (sister ships "PETREL 8" and "PETREL 9"
         * are different vessels) and a length ratio that can still reach the threshold. */
        unsigned char b0 = (unsigned char)norm[0];
        /* At most 2 edits (below): only lengths n-2 .. n+2, found by bisection in the bucket. */
        size_t lo = l->bucket_at[b0], hi = l->bucket_at[b0 + 1];
        size_t minlen = n > 2 ? n - 2 : 0;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (l->names[l->bucket[mid]].len < minlen) lo = mid + 1;
            else hi = mid;
        }
        for (size_t k = lo; k < l->bucket_at[b0 + 1]; k++) {
            const sl_name *nm = &l->names[l->bucket[k]];
            size_t a = n < nm->len ? n : nm->len, bl = n < nm->len ? nm->len : n;
            if (nm->len > n + 2) break; /* sorted by length: none further can reach */
            if (nm->len > 64) break;    /* osa_distance() takes at most 64 bytes, as the query */
            if ((2.0 + (double)a / bl) / 3.0 < jmin) continue;
            if (nm->digits != qn.digits) continue;
            if (!nm->hist_over && !qn.hist_over) {
                /* Matching symbols are at most the common multiset. */
                unsigned c = 0;
                for (int r = 0; r < 4; r++) c += (unsigned)__builtin_popcountll(nm->hist[r] & qn.hist[r]);
                if (((double)c / n + (double)c / nm->len + 1.0) / 3.0 < jmin) continue;
            }
            double sc = jaro_winkler(norm, n, nm->norm, nm->len);
            if (sc < thr || sc >= 1.0) continue; /* equal strings were handled exactly */
            /* Jaro-Winkler rewards a long shared start: "OCEAN WINNER" scores 0.90 against
             * "OCEAN WANDERER". A spelling variant is also a small edit: at most 2 edits, and at
             * most one per 4 letters of the shorter name. */
            unsigned d = osa_distance(norm, n, nm->norm, nm->len);
            if (d > 2 || d * 4 > a) continue;
            aw_match_basis b = callsign_supports(l, nm->entry, qcs, nqcs) ? AW_MATCH_NAME_CALLSIGN : AW_MATCH_NAME;
            mset_add(&s, nm->entry, b, sc, q->names[i], former_q || nm->alias);
        }
    }
    if (s.n > 1) qsort(s.m, s.n, sizeof *s.m, match_cmp);
    for (size_t i = 0; i < s.n && i < cap; i++) out[i] = s.m[i];
    size_t total = s.n;
    if (s.m != s.local) free(s.m);
    return total;
}
