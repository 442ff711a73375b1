/* topo_arcs.c — the "arcs" member of a TopoJSON topology (see topo_arcs.h). */
#include "topo_arcs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cursor {
    const char *s, *end;
    topo_arcs *a;
    size_t cap_off, cap_xy, nxy; /* nxy: doubles in a->xy */
    const char *bad;             /* what was wrong, NULL while fine */
    const char *at;
} cursor;

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_digit(char c) { return (unsigned)(c - '0') < 10; }

static void skip_ws(cursor *c) {
    while (c->s < c->end && is_ws(*c->s)) c->s++;
}

static bool fail(cursor *c, const char *what) {
    if (!c->bad) c->bad = what, c->at = c->s;
    return false;
}

/* s at a '"': past the closing quote, or NULL when there is none. */
static const char *skip_string(const char *s, const char *end) {
    for (s++; s < end; s++) {
        if (*s == '\\') s++;
        else if (*s == '"') return s + 1;
    }
    return NULL;
}

/* Past one value of any kind (not checked: the DOM parser reads it), or NULL. */
static const char *skip_value(const char *s, const char *end) {
    if (s >= end) return NULL;
    if (*s == '"') return skip_string(s, end);
    if (*s != '[' && *s != '{') {
        while (s < end && !is_ws(*s) && *s != ',' && *s != '}' && *s != ']') s++;
        return s;
    }
    int depth = 0;
    while (s < end) {
        if (*s == '"') {
            if (!(s = skip_string(s, end))) return NULL;
            continue;
        }
        if (*s == '[' || *s == '{') depth++;
        else if ((*s == ']' || *s == '}') && --depth == 0) return s + 1;
        s++;
    }
    return NULL;
}

/* Where the value of the top-level member "arcs" starts, or NULL. Stops at the first
 * irregularity: the DOM parser then reports it. */
static const char *find_arcs(const char *s, const char *end) {
    while (s < end && is_ws(*s)) s++;
    if (s >= end || *s != '{') return NULL;
    for (s++;;) {
        while (s < end && is_ws(*s)) s++;
        if (s >= end || *s != '"') return NULL;
        const char *k = s + 1, *ke = skip_string(s, end);
        if (!ke) return NULL;
        bool is_arcs = ke - 1 - k == 4 && memcmp(k, "arcs", 4) == 0;
        for (s = ke; s < end && is_ws(*s); s++) {}
        if (s >= end || *s != ':') return NULL;
        for (s++; s < end && is_ws(*s); s++) {}
        if (is_arcs) return s;
        if (!(s = skip_value(s, end))) return NULL;
        while (s < end && is_ws(*s)) s++;
        if (s >= end || *s != ',') return NULL;
        s++;
    }
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    size_t ncap = *cap ? *cap : 1024;
    while (ncap < need) ncap *= 2;
    void *q = realloc(*p, ncap * elem);
    if (!q) return false;
    *p = q;
    *cap = ncap;
    return true;
}

/* A JSON number (RFC 8259 grammar, checked). Integers of up to 15 digits are converted
 * here, exactly as strtod would; the rest goes through strtod. */
static bool number(cursor *c, double *v) {
    const char *p = c->s, *start = p;
    bool neg = p < c->end && *p == '-';
    if (neg) p++;
    if (p >= c->end || !is_digit(*p)) return fail(c, "a number expected");
    int64_t acc = 0;
    int digits = 0;
    if (*p == '0') {
        p++, digits = 1;
    } else {
        while (p < c->end && is_digit(*p)) {
            if (digits < 18) acc = acc * 10 + (*p - '0');
            digits++, p++;
        }
    }
    bool simple = digits <= 15;
    if (p < c->end && *p == '.') {
        simple = false;
        if (++p >= c->end || !is_digit(*p)) return fail(c, "a digit expected after '.'");
        while (p < c->end && is_digit(*p)) p++;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        simple = false;
        p++;
        if (p < c->end && (*p == '+' || *p == '-')) p++;
        if (p >= c->end || !is_digit(*p)) return fail(c, "a digit expected in the exponent");
        while (p < c->end && is_digit(*p)) p++;
    }
    if (simple) {
        *v = neg ? -(double)acc : (double)acc;
    } else {
        char buf[64];
        if ((size_t)(p - start) >= sizeof buf) return fail(c, "a number too long");
        memcpy(buf, start, (size_t)(p - start));
        buf[p - start] = 0;
        *v = strtod(buf, NULL);
    }
    c->s = p;
    return true;
}

static bool expect(cursor *c, char ch, const char *what) {
    skip_ws(c);
    if (c->s >= c->end || *c->s != ch) return fail(c, what);
    c->s++;
    return true;
}

/* At '[' ... ']' or ',' after an element: true and past ']' when the list ends. */
static bool list_ends(cursor *c, bool *ended, const char *what) {
    skip_ws(c);
    if (c->s < c->end && *c->s == ']') {
        c->s++;
        *ended = true;
        return true;
    }
    *ended = false;
    if (c->s < c->end && *c->s == ',') {
        c->s++;
        return true;
    }
    return fail(c, what);
}

static bool position(cursor *c) {
    if (!expect(c, '[', "a position ([x, y]) expected")) return false;
    double xy[2];
    int n = 0;
    for (;;) {
        skip_ws(c);
        double v;
        if (!number(c, &v)) return false;
        if (n < 2) xy[n] = v;
        n++;
        bool ended;
        if (!list_ends(c, &ended, "',' or ']' expected in a position")) return false;
        if (ended) break;
    }
    if (n < 2) return fail(c, "a position has fewer than two coordinates");
    if (!grow((void **)&c->a->xy, &c->cap_xy, c->nxy + 2, sizeof *c->a->xy)) return fail(c, "out of memory");
    c->a->xy[c->nxy++] = xy[0];
    c->a->xy[c->nxy++] = xy[1];
    return true;
}

static bool arc(cursor *c) {
    if (!expect(c, '[', "an arc (an array of positions) expected")) return false;
    skip_ws(c);
    if (c->s < c->end && *c->s == ']') {
        c->s++;
    } else {
        for (;;) {
            if (!position(c)) return false;
            bool ended;
            if (!list_ends(c, &ended, "',' or ']' expected after a position")) return false;
            if (ended) break;
        }
    }
    topo_arcs *a = c->a;
    if (!grow((void **)&a->off, &c->cap_off, a->n + 2, sizeof *a->off)) return fail(c, "out of memory");
    a->off[++a->n] = c->nxy / 2;
    return true;
}

static bool arcs_value(cursor *c) {
    if (!grow((void **)&c->a->off, &c->cap_off, 1, sizeof *c->a->off)) return fail(c, "out of memory");
    c->a->off[0] = 0;
    if (!expect(c, '[', "the arcs are not an array")) return false;
    skip_ws(c);
    if (c->s < c->end && *c->s == ']') {
        c->s++;
        return true;
    }
    for (;;) {
        if (!arc(c)) return false;
        bool ended;
        if (!list_ends(c, &ended, "',' or ']' expected after an arc")) return false;
        if (ended) return true;
    }
}

char *topo_arcs_split(const char *text, size_t len, topo_arcs *arcs, bool *found, size_t *out_len, char *err,
                      size_t errcap) {
    memset(arcs, 0, sizeof *arcs);
    *found = false;
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = 0;
    *out_len = len;
    const char *end = text + len, *v = find_arcs(text, end);
    if (!v) return copy;
    cursor c = {.s = v, .end = end, .a = arcs};
    if (!arcs_value(&c)) {
        size_t line = 1;
        for (const char *p = text; p < c.at; p++) line += *p == '\n';
        snprintf(err, errcap, "arcs, line %zu: %s", line, c.bad);
        topo_arcs_free(arcs);
        free(copy);
        return NULL;
    }
    *found = true;
    /* "[]", then blanks: offsets and line numbers of the rest stay what they were. */
    size_t b = (size_t)(v - text), e = (size_t)(c.s - text);
    copy[b] = '[';
    copy[b + 1] = ']';
    for (size_t i = b + 2; i < e; i++)
        if (copy[i] != '\n') copy[i] = ' ';
    return copy;
}

void topo_arcs_free(topo_arcs *arcs) {
    free(arcs->off);
    free(arcs->xy);
    memset(arcs, 0, sizeof *arcs);
}
