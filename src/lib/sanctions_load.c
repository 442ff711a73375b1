/* sanctions_load.c — list files as published into vessel entries (docs/sanctions.md).
 * Every format is told by content, never by the file name: XML by its root element,
 * JSON lines by '{', CSV by its first record (OFAC SDN has no header and 12 columns; the
 * others are told by their header names). */
#include "file_read.h"
#include "sanctions_priv.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct ld {
    aw_lists *l;
    const char *path, *base; /* base: file name without directories, for entry ids */
    aw_list_report_fn report;
    void *ctx;
    long added;
} ld;

static void ld_report(ld *c, size_t rec, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->l->st.skipped++;
    if (c->report) c->report(c->ctx, c->path, rec, msg);
}

/* A problem that does not cost the record (it is kept without the bad value): reported,
 * not counted as skipped. */
static void ld_note(ld *c, size_t rec, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->report) c->report(c->ctx, c->path, rec, msg);
}

static char *xstrndup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

static char *trimdup(const char *s) {
    if (!s) return xstrndup("", 0);
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return xstrndup(s, n);
}

static bool commit(ld *c, sl_draft *d) {
    if (!d->entry_id) d->entry_id = xstrndup("", 0);
    bool ok = sl_commit(c->l, d);
    sl_draft_free(d);
    if (ok) c->added++;
    return ok;
}

/* ---- numbers ---- */

/* Seven digits after an optional "IMO" (any case, spaces, ':' or '-'): "IMO 9187629",
 * "IMO9562233", "9187629". Returns 0 when the text is not one IMO number. */
static uint32_t parse_imo(const char *s) {
    if (!s) return 0;
    while (isspace((unsigned char)*s)) s++;
    if (strncasecmp(s, "IMO", 3) == 0) s += 3;
    while (*s == ' ' || *s == ':' || *s == '-' || *s == '.') s++;
    uint32_t v = 0;
    int nd = 0;
    for (; isdigit((unsigned char)*s); s++, nd++) v = v * 10 + (uint32_t)(*s - '0');
    while (isspace((unsigned char)*s)) s++;
    return nd == 7 && !*s ? v : 0;
}

static uint32_t parse_mmsi(const char *s) {
    if (!s) return 0;
    while (isspace((unsigned char)*s)) s++;
    uint32_t v = 0;
    int nd = 0;
    for (; isdigit((unsigned char)*s); s++, nd++) v = v * 10 + (uint32_t)(*s - '0');
    while (isspace((unsigned char)*s)) s++;
    return nd == 9 && !*s ? v : 0;
}

static bool blank(const char *s) {
    if (!s) return true;
    while (isspace((unsigned char)*s)) s++;
    return !*s;
}

/* Splits "a; b;c" (or another separator) into the vector, trimmed. */
static void split_push(sl_strv *v, const char *s, char sep) {
    while (s && *s) {
        const char *e = strchr(s, sep);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        while (n && isspace((unsigned char)*s)) s++, n--;
        while (n && isspace((unsigned char)s[n - 1])) n--;
        if (n) sl_strv_push(v, s, n);
        if (!e) break;
        s = e + 1;
    }
}

/* ---- CSV ---- */

typedef struct csv {
    const char *p, *end;
    size_t line;  /* line where the current record starts (1-based) */
    size_t next_line;
    char **f;     /* fields of the current record, owned */
    size_t nf, cap;
} csv;

static void csv_clear(csv *r) {
    for (size_t i = 0; i < r->nf; i++) free(r->f[i]);
    r->nf = 0;
}

static void csv_free(csv *r) {
    csv_clear(r);
    free(r->f);
}

/* Reads one record: 1 ok, 0 end, -1 broken (unterminated quote; the rest of the file is
 * one broken record then, which is reported and not guessed at). */
static int csv_next(csv *r) {
    csv_clear(r);
    /* 0x1A is the DOS end-of-file byte OFAC still appends. */
    while (r->p < r->end && (*r->p == '\r' || *r->p == '\n' || *r->p == 0x1A)) {
        if (*r->p == '\n') r->next_line++;
        r->p++;
    }
    if (r->p >= r->end) return 0;
    r->line = r->next_line;
    for (;;) {
        char *buf = NULL;
        size_t n = 0, bcap = 0;
        bool quoted = false;
        if (r->p < r->end && *r->p == '"') {
            quoted = true;
            r->p++;
        }
        for (;;) {
            if (r->p >= r->end) {
                if (quoted) {
                    free(buf);
                    return -1;
                }
                break;
            }
            char ch = *r->p;
            if (quoted) {
                if (ch == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        r->p++;
                    } else {
                        quoted = false;
                        r->p++;
                        continue;
                    }
                }
                if (ch == '\n') r->next_line++;
            } else if (ch == ',' || ch == '\n' || ch == '\r') {
                break;
            }
            if (n + 2 > bcap) {
                bcap = bcap ? bcap * 2 : 64;
                char *nb = realloc(buf, bcap);
                if (!nb) {
                    free(buf);
                    return -1;
                }
                buf = nb;
            }
            buf[n++] = ch;
            r->p++;
        }
        if (r->nf == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 16;
            char **nf = realloc(r->f, r->cap * sizeof *nf);
            if (!nf) {
                free(buf);
                return -1;
            }
            r->f = nf;
        }
        r->f[r->nf++] = buf ? (buf[n] = 0, buf) : xstrndup("", 0);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        break;
    }
    return 1;
}

/* OFAC's null is "-0-" (published as `-0- `). */
static const char *sdn_val(const char *s) {
    const char *t = s;
    while (isspace((unsigned char)*t)) t++;
    if (strncmp(t, "-0-", 3) == 0 && blank(t + 3)) return "";
    return s;
}

/* ---- OFAC SDN.CSV ---- */

typedef struct sdn_v {
    long ent;
    sl_draft d;
    sl_strv comments; /* SDN_COMMENTS.CSV overflow, appended to Remarks */
} sdn_v;

static sdn_v *sdn_find(sdn_v *v, size_t n, long ent) {
    size_t lo = 0, hi = n; /* vessel rows are sorted by ent_num before the joins */
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (v[m].ent < ent) lo = m + 1;
        else hi = m;
    }
    return lo < n && v[lo].ent == ent ? &v[lo] : NULL;
}

static int sdn_cmp(const void *a, const void *b) {
    long x = ((const sdn_v *)a)->ent, y = ((const sdn_v *)b)->ent;
    return x < y ? -1 : x > y;
}

static bool parse_long(const char *s, long *out) {
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (e == s || errno) return false;
    while (isspace((unsigned char)*e)) e++;
    if (*e) return false;
    *out = v;
    return true;
}

/* Pulls IMO, MMSI, former names and former flags out of the Remarks prose:
 * "Vessel Registration Identification IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA';
 *  Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; Linked To: …". */
static void sdn_remarks(ld *c, size_t rec, sl_draft *d) {
    const char *r = d->remarks ? d->remarks : "";
    for (const char *s = r; (s = strstr(s, "IMO")); s += 3) {
        if (s > r && isalnum((unsigned char)s[-1])) continue;
        const char *t = s + 3;
        while (*t == ' ' || *t == ':') t++;
        uint32_t v = 0;
        int nd = 0;
        for (; isdigit((unsigned char)*t); t++, nd++) v = v * 10 + (uint32_t)(*t - '0');
        if (nd == 0) continue;
        if (nd != 7 || isalnum((unsigned char)*t)) {
            ld_note(c, rec, "entry %s: IMO number not understood in Remarks; kept without it", d->entry_id);
            continue;
        }
        if (d->imo && d->imo != v) {
            ld_note(c, rec, "entry %s: second IMO %u in Remarks ignored", d->entry_id, (unsigned)v);
            continue;
        }
        d->imo = v;
    }
    for (const char *s = r; (s = strstr(s, "MMSI")); s += 4) {
        const char *t = s + 4;
        while (*t == ' ' || *t == ':') t++;
        uint32_t v = 0;
        int nd = 0;
        for (; isdigit((unsigned char)*t); t++, nd++) v = v * 10 + (uint32_t)(*t - '0');
        if (nd == 9 && !d->mmsi) d->mmsi = v;
        else if (nd != 9) ld_note(c, rec, "entry %s: MMSI not understood in Remarks; kept without it", d->entry_id);
    }
    static const char *const tags[] = {"f.k.a. '", "a.k.a. '", "n.k.a. '"};
    for (size_t k = 0; k < 3; k++)
        for (const char *s = r; (s = strstr(s, tags[k]));) {
            s += strlen(tags[k]);
            /* The name ends at a quote followed by ';', '.', ')' or the end: names such as
             * "D'S SUPERMARKET" carry quotes of their own. */
            const char *e = s;
            for (; *e; e++)
                if (*e == '\'' && (e[1] == ';' || e[1] == '.' || e[1] == ')' || e[1] == 0 || e[1] == ',')) break;
            if (!*e) break;
            if (e > s) sl_strv_push(&d->aliases, s, (size_t)(e - s));
            s = e;
        }
    for (const char *s = r; (s = strstr(s, "Former Vessel Flag "));) {
        s += strlen("Former Vessel Flag ");
        const char *e = s;
        while (*e && *e != ';') e++;
        size_t n = (size_t)(e - s);
        if (n && s[n - 1] == '.') n--; /* the last item ends the sentence */
        if (n && !(n == 14 && strncmp(s, "None Identified", 14) == 0) && strncmp(s, "None Identified", 15) != 0)
            sl_strv_push(&d->past_flags, s, n);
        s = e;
    }
}

static char *sibling(const char *path, const char *from, const char *to) {
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    /* The last "sdn" of the name (any case) is replaced, keeping the case of the name. */
    const char *hit = NULL;
    for (const char *s = base; *s; s++)
        if (strncasecmp(s, from, strlen(from)) == 0) hit = s;
    if (!hit) return NULL;
    bool upper = isupper((unsigned char)hit[0]);
    size_t pre = (size_t)(hit - path), tl = strlen(to), fl = strlen(from);
    char *out = malloc(strlen(path) - fl + tl + 1);
    if (!out) return NULL;
    memcpy(out, path, pre);
    for (size_t i = 0; i < tl; i++) out[pre + i] = upper ? (char)toupper((unsigned char)to[i]) : to[i];
    strcpy(out + pre + tl, hit + fl);
    return out;
}

static bool load_companion(ld *c, const char *path, sdn_v *v, size_t nv, bool alt) {
    size_t len;
    char err[256];
    char *buf = aw_read_file(path, &len, err, sizeof err);
    if (!buf) return false; /* not beside it: nothing to join */
    c->l->st.files++;
    csv r = {.p = buf, .end = buf + len, .next_line = 1};
    int k;
    while ((k = csv_next(&r)) != 0) {
        if (k < 0) {
            if (c->report) c->report(c->ctx, path, r.line, "unterminated quoted field; rest of the companion file not read");
            c->l->st.skipped++;
            break;
        }
        long ent;
        size_t need = alt ? 4 : 2;
        if (r.nf < need || !parse_long(r.f[0], &ent)) {
            if (c->report) c->report(c->ctx, path, r.line, alt ? "ALT row needs ent_num, alt_num, alt_type, alt_name" : "SDN_COMMENTS row needs ent_num, remarks");
            c->l->st.skipped++;
            continue;
        }
        sdn_v *e = sdn_find(v, nv, ent);
        if (!e) continue; /* not a vessel */
        if (alt) {
            const char *name = sdn_val(r.f[3]);
            char *t = trimdup(name);
            if (t && t[0]) sl_strv_push(&e->d.aliases, t, strlen(t));
            free(t);
        } else {
            const char *t = sdn_val(r.f[1]);
            sl_strv_push(&e->comments, t, strlen(t));
        }
    }
    csv_free(&r);
    free(buf);
    return true;
}

static long load_sdn_csv(ld *c, const char *buf, size_t len) {
    csv r = {.p = buf, .end = buf + len, .next_line = 1};
    sdn_v *v = NULL;
    size_t nv = 0, cap = 0;
    int k;
    while ((k = csv_next(&r)) != 0) {
        if (k < 0) {
            ld_report(c, r.line, "unterminated quoted field; rest of the file not read");
            break;
        }
        c->l->st.records++;
        long ent;
        if (r.nf != 12 || !parse_long(r.f[0], &ent)) {
            ld_report(c, r.line, "SDN row has %zu fields, expected 12 starting with ent_num", r.nf);
            continue;
        }
        if (strcmp(sdn_val(r.f[2]), "vessel") != 0) continue;
        if (blank(sdn_val(r.f[1]))) {
            ld_report(c, r.line, "vessel entry %ld without a name", ent);
            continue;
        }
        if (nv == cap) {
            cap = cap ? cap * 2 : 256;
            sdn_v *nv2 = realloc(v, cap * sizeof *nv2);
            if (!nv2) break;
            v = nv2;
        }
        sdn_v *e = &v[nv++];
        memset(e, 0, sizeof *e);
        e->ent = ent;
        e->d.list = "OFAC SDN";
        e->d.entry_id = trimdup(r.f[0]);
        e->d.name = trimdup(sdn_val(r.f[1]));
        /* Programs: "SDGT] [IFSR" — the brackets of "[SDGT] [IFSR]" with the outer ones cut. */
        sl_strv pr = {0};
        const char *p = sdn_val(r.f[3]);
        for (const char *s = p; *s;) {
            const char *e2 = strstr(s, "] [");
            size_t n = e2 ? (size_t)(e2 - s) : strlen(s);
            while (n && (*s == '[' || *s == ' ')) s++, n--;
            while (n && (s[n - 1] == ']' || s[n - 1] == ' ')) n--;
            if (n) sl_strv_push(&pr, s, n);
            if (!e2) break;
            s = e2 + 3;
        }
        size_t tot = 1;
        for (size_t i = 0; i < pr.n; i++) tot += strlen(pr.v[i]) + 2;
        e->d.programs = calloc(1, tot);
        for (size_t i = 0; e->d.programs && i < pr.n; i++) {
            if (i) strcat(e->d.programs, "; ");
            strcat(e->d.programs, pr.v[i]);
        }
        sl_strv_free(&pr);
        e->d.callsign = trimdup(sdn_val(r.f[5]));
        e->d.flag = trimdup(sdn_val(r.f[9]));
        e->d.remarks = trimdup(sdn_val(r.f[11]));
        e->comments.n = 0;
        /* the record line travels in imo until the remarks are parsed after the joins */
        e->d.imo = (uint32_t)r.line;
    }
    csv_free(&r);
    if (nv) qsort(v, nv, sizeof *v, sdn_cmp);
    /* Companions beside the file: ALT (aliases) and SDN_COMMENTS (Remarks overflow). */
    const char *names[2][2] = {{"sdn", "alt"}, {"sdn", "sdn_comments"}};
    for (int i = 0; i < 2; i++) {
        char *sp = sibling(c->path, names[i][0], names[i][1]);
        if (sp) load_companion(c, sp, v, nv, i == 0);
        free(sp);
    }
    bool ok = true;
    for (size_t i = 0; i < nv; i++) {
        sdn_v *e = &v[i];
        size_t rec = e->d.imo;
        e->d.imo = 0;
        if (e->comments.n) {
            size_t tot = strlen(e->d.remarks) + 1;
            for (size_t j = 0; j < e->comments.n; j++) tot += strlen(e->comments.v[j]);
            char *m = malloc(tot);
            if (m) {
                strcpy(m, e->d.remarks);
                /* The overflow continues the text mid-word: joined without a separator. */
                for (size_t j = 0; j < e->comments.n; j++) strcat(m, e->comments.v[j]);
                free(e->d.remarks);
                e->d.remarks = m;
            }
        }
        sl_strv_free(&e->comments);
        sdn_remarks(c, rec, &e->d);
        if (ok && !commit(c, &e->d)) ok = false;
        sl_draft_free(&e->d);
    }
    free(v);
    return ok ? c->added : -1;
}

/* ---- CSV with a header: UN 1718 vessels, OpenSanctions maritime.csv, watch list ---- */

static void header_key(const char *s, char *out, size_t cap) {
    size_t k = 0;
    for (; *s && k + 1 < cap; s++)
        if (isalnum((unsigned char)*s)) out[k++] = (char)tolower((unsigned char)*s);
    out[k] = 0;
}

/* Column of the first header among the accepted spellings (compared without case, spaces
 * or punctuation), or -1. */
static int col(const csv *h, const char *const *names) {
    char k[64], w[64];
    for (const char *const *n = names; *n; n++) {
        header_key(*n, w, sizeof w);
        for (size_t i = 0; i < h->nf; i++) {
            header_key(h->f[i], k, sizeof k);
            if (strcmp(k, w) == 0) return (int)i;
        }
    }
    return -1;
}

enum { F_NAME, F_IMO, F_MMSI, F_FLAG, F_CALLSIGN, F_TYPE, F_DATE, F_OWNER, F_BASIS, F_FORMER, F_LIST, F_PROGRAM,
       F_KIND, F_ID, F_DATASETS, F_ALIASES, F_RISK, F_N };

static const char *const H_NAME[] = {"vessel name", "name", "vessel", "ship name", NULL};
static const char *const H_IMO[] = {"imo", "imo number", "imo no", "imo no.", NULL};
static const char *const H_MMSI[] = {"mmsi", NULL};
static const char *const H_FLAG[] = {"flag", "current flag", NULL};
static const char *const H_CALLSIGN[] = {"call sign", "callsign", NULL};
static const char *const H_TYPE[] = {"type", "vessel type", "ship type", NULL};
static const char *const H_DATE[] = {"date of designation", "designation date", "designated", "listed on", NULL};
static const char *const H_OWNER[] = {"owner", "registered owner", "owner/operator", NULL};
static const char *const H_BASIS[] = {"legal basis", "basis", "resolution", NULL};
static const char *const H_FORMER[] = {"former names", "aliases", "previous names", NULL};

static char *cell(const csv *r, int i) { return i >= 0 && (size_t)i < r->nf ? trimdup(r->f[i]) : xstrndup("", 0); }

typedef enum { CSV_UN1718, CSV_MARITIME, CSV_WATCH } csv_kind;

static long load_header_csv(ld *c, csv *r, csv_kind kind) {
    int ci[F_N];
    for (int i = 0; i < F_N; i++) ci[i] = -1;
    ci[F_NAME] = col(r, H_NAME);
    ci[F_IMO] = col(r, H_IMO);
    ci[F_MMSI] = col(r, H_MMSI);
    ci[F_FLAG] = col(r, H_FLAG);
    ci[F_CALLSIGN] = col(r, H_CALLSIGN);
    if (kind == CSV_UN1718) {
        ci[F_TYPE] = col(r, H_TYPE);
        ci[F_DATE] = col(r, H_DATE);
        ci[F_OWNER] = col(r, H_OWNER);
        ci[F_BASIS] = col(r, H_BASIS);
        ci[F_FORMER] = col(r, H_FORMER);
    } else if (kind == CSV_MARITIME) {
        ci[F_KIND] = col(r, (const char *const[]){"type", NULL});
        ci[F_ID] = col(r, (const char *const[]){"id", NULL});
        ci[F_DATASETS] = col(r, (const char *const[]){"datasets", NULL});
        ci[F_ALIASES] = col(r, (const char *const[]){"aliases", NULL});
        ci[F_RISK] = col(r, (const char *const[]){"risk", NULL});
    } else {
        ci[F_LIST] = col(r, (const char *const[]){"list", NULL});
        ci[F_PROGRAM] = col(r, (const char *const[]){"program", NULL});
    }
    size_t ncols = r->nf;
    int k;
    bool ok = true;
    while (ok && (k = csv_next(r)) != 0) {
        if (k < 0) {
            ld_report(c, r->line, "unterminated quoted field; rest of the file not read");
            break;
        }
        c->l->st.records++;
        if (r->nf != ncols) {
            ld_report(c, r->line, "row has %zu fields, the header %zu", r->nf, ncols);
            continue;
        }
        sl_draft d = {0};
        if (kind == CSV_MARITIME) {
            char *t = cell(r, ci[F_KIND]);
            /* ORGANIZATION rows carry company IMO numbers: never vessel entries. */
            bool vessel = t && strcasecmp(t, "VESSEL") == 0;
            free(t);
            if (!vessel) continue;
        }
        d.name = cell(r, ci[F_NAME]);
        char *imo = cell(r, ci[F_IMO]), *mmsi = cell(r, ci[F_MMSI]);
        if (imo && !blank(imo) && !(d.imo = parse_imo(imo))) {
            ld_report(c, r->line, "IMO '%s' is not a 7-digit number", imo);
            free(imo), free(mmsi), sl_draft_free(&d);
            continue;
        }
        if (mmsi && !blank(mmsi) && !(d.mmsi = parse_mmsi(mmsi))) {
            ld_report(c, r->line, "MMSI '%s' is not a 9-digit number", mmsi);
            free(imo), free(mmsi), sl_draft_free(&d);
            continue;
        }
        if (blank(d.name) && !d.imo && !d.mmsi) {
            ld_report(c, r->line, "row without a name, IMO or MMSI");
            free(imo), free(mmsi), sl_draft_free(&d);
            continue;
        }
        d.flag = cell(r, ci[F_FLAG]);
        d.callsign = cell(r, ci[F_CALLSIGN]);
        char ev[512];
        if (kind == CSV_UN1718) {
            d.list = "UN 1718";
            char *basis = cell(r, ci[F_BASIS]), *date = cell(r, ci[F_DATE]), *owner = cell(r, ci[F_OWNER]),
                 *type = cell(r, ci[F_TYPE]), *former = cell(r, ci[F_FORMER]);
            d.programs = xstrndup(blank(basis) ? "DPRK" : basis, strlen(blank(basis) ? "DPRK" : basis));
            snprintf(ev, sizeof ev, "IMO %s; MMSI %s; type %s; owner %s; designated %s", imo, mmsi, type, owner, date);
            split_push(&d.aliases, former, ';');
            char id[64];
            snprintf(id, sizeof id, "%s:%zu", c->base, r->line);
            d.entry_id = xstrndup(id, strlen(id));
            free(basis), free(date), free(owner), free(type), free(former);
        } else if (kind == CSV_MARITIME) {
            d.list = "OpenSanctions";
            d.entry_id = cell(r, ci[F_ID]);
            d.programs = cell(r, ci[F_DATASETS]);
            char *al = cell(r, ci[F_ALIASES]), *risk = cell(r, ci[F_RISK]);
            split_push(&d.aliases, al, ';');
            snprintf(ev, sizeof ev, "imo %s; mmsi %s; risk %s", imo, mmsi, risk);
            free(al), free(risk);
        } else {
            char *list = cell(r, ci[F_LIST]);
            /* The watch list names itself per row; "watch list" when the column is empty. */
            d.list = blank(list) ? "watch list" : list;
            d.programs = cell(r, ci[F_PROGRAM]);
            char id[64];
            snprintf(id, sizeof id, "%s:%zu", c->base, r->line);
            d.entry_id = xstrndup(id, strlen(id));
            snprintf(ev, sizeof ev, "imo %s; mmsi %s", imo, mmsi);
            d.remarks = xstrndup(ev, strlen(ev));
            ok = commit(c, &d);
            free(list), free(imo), free(mmsi);
            continue;
        }
        d.remarks = xstrndup(ev, strlen(ev));
        free(imo), free(mmsi);
        ok = commit(c, &d);
    }
    return ok ? c->added : -1;
}

static long load_csv(ld *c, const char *buf, size_t len, char *err, size_t errcap) {
    csv r = {.p = buf, .end = buf + len, .next_line = 1};
    /* skip a UTF-8 byte order mark */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) r.p += 3;
    int k = csv_next(&r);
    long out = -1;
    long ent;
    if (k <= 0) {
        snprintf(err, errcap, "%s: empty or unreadable CSV", c->path);
    } else if (r.nf == 12 && parse_long(r.f[0], &ent)) {
        csv_free(&r);
        return load_sdn_csv(c, buf, len);
    } else if ((r.nf == 5 || r.nf == 2 || r.nf == 6) && parse_long(r.f[0], &ent)) {
        snprintf(err, errcap, "%s: an OFAC companion file (ALT/ADD/SDN_COMMENTS); load the SDN file beside it", c->path);
    } else if (col(&r, (const char *const[]){"list", NULL}) >= 0 && col(&r, (const char *const[]){"program", NULL}) >= 0 &&
               col(&r, H_IMO) >= 0 && col(&r, H_MMSI) >= 0 && col(&r, (const char *const[]){"name", NULL}) >= 0) {
        out = load_header_csv(c, &r, CSV_WATCH);
    } else if (col(&r, (const char *const[]){"type", NULL}) >= 0 && col(&r, (const char *const[]){"risk", NULL}) >= 0 &&
               col(&r, (const char *const[]){"id", NULL}) >= 0 && col(&r, (const char *const[]){"imo", NULL}) >= 0) {
        out = load_header_csv(c, &r, CSV_MARITIME);
    } else if (col(&r, H_NAME) >= 0 && col(&r, H_IMO) >= 0) {
        out = load_header_csv(c, &r, CSV_UN1718);
    } else {
        snprintf(err, errcap, "%s: CSV of unknown layout (see docs/sanctions.md for the accepted headers)", c->path);
    }
    if (out < 0 && !err[0]) snprintf(err, errcap, "%s: out of memory", c->path);
    csv_free(&r);
    return out;
}

/* ---- OpenSanctions FollowTheMoney JSON lines ---- */

static void ftm_push(sl_strv *v, json_t *props, const char *key) {
    json_t *a = json_object_get(props, key), *x;
    size_t i;
    json_array_foreach(a, i, x) if (json_is_string(x)) sl_strv_push(v, json_string_value(x), json_string_length(x));
}

static const char *ftm_first(json_t *props, const char *key) {
    json_t *a = json_object_get(props, key);
    json_t *x = json_array_get(a, 0);
    return json_is_string(x) ? json_string_value(x) : NULL;
}

static long load_ftm(ld *c, char *buf, size_t len) {
    size_t line = 0;
    bool ok = true;
    for (char *p = buf, *end = buf + len; ok && p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        line++;
        char *s = p;
        p = nl ? nl + 1 : end;
        bool empty = true;
        for (size_t i = 0; i < n && empty; i++) empty = isspace((unsigned char)s[i]);
        if (empty) continue;
        c->l->st.records++;
        json_error_t je;
        json_t *o = json_loadb(s, n, 0, &je);
        if (!o || !json_is_object(o)) {
            ld_report(c, line, "not a JSON object: %s", o ? "other JSON value" : je.text);
            json_decref(o);
            continue;
        }
        const char *schema = json_string_value(json_object_get(o, "schema"));
        json_t *props = json_object_get(o, "properties");
        /* Only Vessel entities: Company/Organization IMO numbers are company numbers. */
        if (!schema || strcmp(schema, "Vessel") != 0) {
            json_decref(o);
            continue;
        }
        if (!json_is_object(props)) {
            ld_report(c, line, "Vessel without properties");
            json_decref(o);
            continue;
        }
        sl_draft d = {.list = "OpenSanctions"};
        const char *id = json_string_value(json_object_get(o, "id"));
        d.entry_id = trimdup(id);
        const char *name = ftm_first(props, "name");
        if (!name) name = json_string_value(json_object_get(o, "caption"));
        d.name = trimdup(name);
        ftm_push(&d.aliases, props, "name");
        ftm_push(&d.aliases, props, "alias");
        ftm_push(&d.aliases, props, "previousName");
        ftm_push(&d.aliases, props, "weakAlias");
        ftm_push(&d.past_flags, props, "pastFlags");
        d.flag = trimdup(ftm_first(props, "flag"));
        d.callsign = trimdup(ftm_first(props, "callSign"));
        const char *imo = ftm_first(props, "imoNumber"), *mmsi = ftm_first(props, "mmsi");
        if (imo && !(d.imo = parse_imo(imo))) ld_note(c, line, "entity %s: IMO '%s' not understood; kept without it", d.entry_id, imo);
        if (mmsi && !(d.mmsi = parse_mmsi(mmsi))) ld_note(c, line, "entity %s: MMSI '%s' not understood; kept without it", d.entry_id, mmsi);
        sl_strv ds = {0};
        json_t *a = json_object_get(o, "datasets"), *x;
        size_t i;
        json_array_foreach(a, i, x) if (json_is_string(x)) sl_strv_push(&ds, json_string_value(x), json_string_length(x));
        ftm_push(&ds, props, "program");
        size_t tot = 1;
        for (i = 0; i < ds.n; i++) tot += strlen(ds.v[i]) + 2;
        d.programs = calloc(1, tot);
        for (i = 0; d.programs && i < ds.n; i++) {
            if (i) strcat(d.programs, "; ");
            strcat(d.programs, ds.v[i]);
        }
        sl_strv_free(&ds);
        char ev[128];
        snprintf(ev, sizeof ev, "imoNumber %s; mmsi %s", imo ? imo : "", mmsi ? mmsi : "");
        d.remarks = xstrndup(ev, strlen(ev));
        json_decref(o);
        if (blank(d.name) && !d.imo && !d.mmsi) {
            ld_report(c, line, "Vessel without a name, IMO or MMSI");
            sl_draft_free(&d);
            continue;
        }
        if (blank(d.name) && d.aliases.n) {
            free(d.name);
            d.name = trimdup(d.aliases.v[0]);
        }
        ok = commit(c, &d);
    }
    return ok ? c->added : -1;
}

/* ---- XML ---- */

static bool is(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name) {
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name)) return c;
    return NULL;
}

/* Text of a child element, trimmed and owned; "" when absent. */
static char *ctext(const xmlNode *n, const char *name) {
    xmlNode *c = name ? child(n, name) : (xmlNode *)n;
    if (!c) return xstrndup("", 0);
    xmlChar *t = xmlNodeGetContent(c);
    char *s = trimdup((const char *)t);
    xmlFree(t);
    return s;
}

static long load_ofac_xml(ld *c, xmlNode *root) {
    bool ok = true;
    for (xmlNode *e = root->children; ok && e; e = e->next) {
        if (!is(e, "sdnEntry")) continue;
        c->l->st.records++;
        size_t rec = (size_t)xmlGetLineNo(e);
        char *type = ctext(e, "sdnType");
        bool vessel = strcmp(type, "Vessel") == 0;
        free(type);
        if (!vessel) continue;
        sl_draft d = {.list = "OFAC SDN"};
        d.entry_id = ctext(e, "uid");
        d.name = ctext(e, "lastName");
        if (blank(d.name)) {
            ld_report(c, rec, "vessel entry %s without lastName", d.entry_id);
            sl_draft_free(&d);
            continue;
        }
        sl_strv pr = {0};
        for (xmlNode *p = child(child(e, "programList"), "program"); p; p = p->next)
            if (is(p, "program")) {
                char *t = ctext(p, NULL);
                sl_strv_push(&pr, t, strlen(t));
                free(t);
            }
        size_t tot = 1;
        for (size_t i = 0; i < pr.n; i++) tot += strlen(pr.v[i]) + 2;
        d.programs = calloc(1, tot);
        for (size_t i = 0; d.programs && i < pr.n; i++) {
            if (i) strcat(d.programs, "; ");
            strcat(d.programs, pr.v[i]);
        }
        sl_strv_free(&pr);
        char ev[512] = "";
        for (xmlNode *id = child(child(e, "idList"), "id"); id; id = id->next) {
            if (!is(id, "id")) continue;
            char *t = ctext(id, "idType"), *v = ctext(id, "idNumber");
            if (strcmp(t, "Vessel Registration Identification") == 0) {
                if (!(d.imo = parse_imo(v))) ld_note(c, (size_t)xmlGetLineNo(id), "entry %s: IMO '%s' not understood; kept without it", d.entry_id, v);
                snprintf(ev + strlen(ev), sizeof ev - strlen(ev), "%s%s %s", ev[0] ? "; " : "", t, v);
            } else if (strcmp(t, "MMSI") == 0) {
                if (!(d.mmsi = parse_mmsi(v))) ld_note(c, (size_t)xmlGetLineNo(id), "entry %s: MMSI '%s' not understood; kept without it", d.entry_id, v);
                snprintf(ev + strlen(ev), sizeof ev - strlen(ev), "%sMMSI %s", ev[0] ? "; " : "", v);
            } else if (strcmp(t, "Former Vessel Flag") == 0 && strcmp(v, "None Identified") != 0) {
                sl_strv_push(&d.past_flags, v, strlen(v));
            }
            free(t), free(v);
        }
        for (xmlNode *a = child(child(e, "akaList"), "aka"); a; a = a->next) {
            if (!is(a, "aka")) continue;
            char *ln = ctext(a, "lastName"), *fn = ctext(a, "firstName");
            if (fn[0]) {
                char full[512];
                snprintf(full, sizeof full, "%s %s", fn, ln);
                sl_strv_push(&d.aliases, full, strlen(full));
            } else if (ln[0]) {
                sl_strv_push(&d.aliases, ln, strlen(ln));
            }
            free(ln), free(fn);
        }
        xmlNode *vi = child(e, "vesselInfo");
        d.callsign = ctext(vi, "callSign");
        d.flag = ctext(vi, "vesselFlag");
        d.remarks = xstrndup(ev, strlen(ev));
        ok = commit(c, &d);
    }
    return ok ? c->added : -1;
}

static char *uk_name(xmlNode *nm) {
    /* Name1..Name6 are the parts; ships use Name6. */
    char buf[512] = "";
    for (int i = 1; i <= 6; i++) {
        char tag[16];
        snprintf(tag, sizeof tag, "Name%d", i);
        char *t = ctext(nm, tag);
        if (t[0]) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? " " : "", t);
        free(t);
    }
    return xstrndup(buf, strlen(buf));
}

static long load_uk_xml(ld *c, xmlNode *root) {
    bool ok = true;
    for (xmlNode *e = root->children; ok && e; e = e->next) {
        if (!is(e, "Designation")) continue;
        c->l->st.records++;
        size_t rec = (size_t)xmlGetLineNo(e);
        char *kind = ctext(e, "IndividualEntityShip");
        bool ship = strcmp(kind, "Ship") == 0;
        free(kind);
        if (!ship) continue; /* entity IMO numbers are company numbers */
        sl_draft d = {.list = "UK"};
        d.entry_id = ctext(e, "UniqueID");
        d.programs = ctext(e, "RegimeName");
        for (xmlNode *nm = child(child(e, "Names"), "Name"); nm; nm = nm->next) {
            if (!is(nm, "Name")) continue;
            char *t = ctext(nm, "NameType"), *v = uk_name(nm);
            if (!d.name && strcasecmp(t, "Primary name") == 0) d.name = v;
            else if (v[0]) sl_strv_push(&d.aliases, v, strlen(v)), free(v);
            else free(v);
            free(t);
        }
        if (!d.name && d.aliases.n) d.name = xstrndup(d.aliases.v[0], strlen(d.aliases.v[0]));
        xmlNode *ship_n = child(child(e, "ShipDetails"), "Ship");
        char ev[256] = "";
        for (xmlNode *i = child(child(ship_n, "IMONumbers"), "IMONumber"); i; i = i->next) {
            if (!is(i, "IMONumber")) continue;
            char *v = ctext(i, NULL);
            uint32_t imo = parse_imo(v);
            if (!imo) ld_note(c, (size_t)xmlGetLineNo(i), "ship %s: IMO '%s' not understood; kept without it", d.entry_id, v);
            else if (!d.imo) d.imo = imo;
            snprintf(ev + strlen(ev), sizeof ev - strlen(ev), "%sIMONumber %s", ev[0] ? "; " : "", v);
            free(v);
        }
        d.flag = ctext(child(ship_n, "CurrentBelievedFlagOfShips"), "CurrentBelievedFlagOfShip");
        for (xmlNode *f = child(child(ship_n, "PreviousFlags"), "PreviousFlag"); f; f = f->next)
            if (is(f, "PreviousFlag")) {
                char *v = ctext(f, NULL);
                if (v[0]) sl_strv_push(&d.past_flags, v, strlen(v));
                free(v);
            }
        d.callsign = ctext(child(ship_n, "CallSigns"), "CallSign");
        d.remarks = xstrndup(ev, strlen(ev));
        if (blank(d.name) && !d.imo) {
            ld_report(c, rec, "ship designation %s without a name or IMO", d.entry_id);
            sl_draft_free(&d);
            continue;
        }
        if (!d.name) d.name = xstrndup("", 0);
        ok = commit(c, &d);
    }
    return ok ? c->added : -1;
}

/* UN consolidated list and EU financial sanctions: no vessel subjects at all. Their records
 * are counted; the IMO numbers in them belong to companies and never become vessel IMOs. */
static long count_records(ld *c, xmlNode *root, const char *a, const char *b) {
    for (xmlNode *n = root->children; n; n = n->next) {
        if (is(n, a) || is(n, b)) c->l->st.records++;
        else if (n->type == XML_ELEMENT_NODE) count_records(c, n, a, b);
    }
    return 0;
}

static long load_xml(ld *c, const char *buf, size_t len, char *err, size_t errcap) {
    xmlParserCtxtPtr px = xmlNewParserCtxt();
    if (!px) {
        snprintf(err, errcap, "%s: out of memory", c->path);
        return -1;
    }
    /* NONET: a list file never fetches anything; NOERROR/NOWARNING: libxml2 must not print,
     * the error is returned. */
    xmlDocPtr doc = xmlCtxtReadMemory(px, buf, (int)len, c->path, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(px);
        char msg[256];
        snprintf(msg, sizeof msg, "XML not well-formed: %s", e && e->message ? e->message : "parse error");
        size_t n = strlen(msg);
        while (n && msg[n - 1] == '\n') msg[--n] = 0;
        /* A broken document is one broken record: reported, counted, and nothing of it kept. */
        ld_report(c, e ? (size_t)e->line : 0, "%s", msg);
        snprintf(err, errcap, "%s: %s", c->path, msg);
        xmlFreeParserCtxt(px);
        return -1;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    long r = -1;
    if (is(root, "sdnList")) r = load_ofac_xml(c, root);
    else if (is(root, "Designations")) r = load_uk_xml(c, root);
    else if (is(root, "CONSOLIDATED_LIST")) r = count_records(c, root, "INDIVIDUAL", "ENTITY");
    else if (is(root, "export")) r = count_records(c, root, "sanctionEntity", "-");
    else snprintf(err, errcap, "%s: XML with root <%s> is not a known sanctions list", c->path, root ? (const char *)root->name : "");
    if (r < 0 && !err[0]) snprintf(err, errcap, "%s: out of memory", c->path);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(px);
    return r;
}

long sl_load_file(aw_lists *l, const char *path, aw_list_report_fn report, void *ctx, char *err, size_t errcap) {
    char dummy[1];
    if (!err || !errcap) err = dummy, errcap = sizeof dummy;
    err[0] = 0;
    size_t len;
    char *buf = aw_read_file(path, &len, err, errcap);
    if (!buf) return -1;
    const char *slash = strrchr(path, '/');
    ld c = {.l = l, .path = path, .base = slash ? slash + 1 : path, .report = report, .ctx = ctx};
    const char *p = buf;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    while (*p && isspace((unsigned char)*p)) p++;
    long r;
    if (*p == '<') r = load_xml(&c, buf, len, err, errcap);
    else if (*p == '{') r = load_ftm(&c, buf, len);
    else r = load_csv(&c, buf, len, err, errcap);
    if (r < 0 && !err[0]) snprintf(err, errcap, "%s: out of memory", path);
    free(buf);
    return r;
}
