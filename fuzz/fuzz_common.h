/* fuzz_common.h — checks shared by the libFuzzer targets.
 *
 * Every decoded message goes through every formatter into a heap buffer of exactly
 * the documented maximum size (so AddressSanitizer sees any overrun), and each output
 * must be what its contract promises: one well-formed JSON object (or one CSV row with
 * the header's column count) ending in a single newline. A broken promise aborts, which
 * libFuzzer reports as a crash with the input that caused it.
 */
#ifndef AW_FUZZ_COMMON_H
#define AW_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/ais.h"
#include "aiswatch/appmsg.h"
#include "aiswatch/format.h"
#include "aiswatch/gpsd_json.h"
#include "aiswatch/nmea.h"

#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "fuzz check failed at %s:%d: %s\n", __FILE__,       \
                    __LINE__, #cond);                                           \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* ---- a strict JSON syntax check (RFC 8259), enough for one-line objects ---------- */

typedef struct jcur {
    const char *p, *end;
    int depth;
} jcur;

static bool j_value(jcur *c);

static void j_ws(jcur *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
}

static bool j_lit(jcur *c, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0) return false;
    c->p += n;
    return true;
}

static bool j_hex(char h) {
    return (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
}

static bool j_string(jcur *c) {
    if (c->p >= c->end || *c->p != '"') return false;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"') return true;
        if (ch < 0x20) return false;
        if (ch == '\\') {
            if (c->p >= c->end) return false;
            char e = *c->p++;
            if (e == 'u') {
                if (c->end - c->p < 4) return false;
                for (int i = 0; i < 4; i++)
                    if (!j_hex(c->p[i])) return false;
                c->p += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == 0) {
                return false;
            }
        }
    }
    return false;
}

static bool j_digits(jcur *c) {
    const char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    return c->p > s;
}

static bool j_number(jcur *c) {
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p >= c->end) return false;
    if (*c->p == '0') {
        c->p++;
    } else if (!j_digits(c)) {
        return false;
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!j_digits(c)) return false;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (!j_digits(c)) return false;
    }
    return true;
}

static bool j_object(jcur *c) {
    c->p++; /* '{' */
    j_ws(c);
    if (c->p < c->end && *c->p == '}') return c->p++, true;
    for (;;) {
        j_ws(c);
        if (!j_string(c)) return false;
        j_ws(c);
        if (c->p >= c->end || *c->p++ != ':') return false;
        if (!j_value(c)) return false;
        j_ws(c);
        if (c->p >= c->end) return false;
        char ch = *c->p++;
        if (ch == '}') return true;
        if (ch != ',') return false;
    }
}

static bool j_array(jcur *c) {
    c->p++; /* '[' */
    j_ws(c);
    if (c->p < c->end && *c->p == ']') return c->p++, true;
    for (;;) {
        if (!j_value(c)) return false;
        j_ws(c);
        if (c->p >= c->end) return false;
        char ch = *c->p++;
        if (ch == ']') return true;
        if (ch != ',') return false;
    }
}

static bool j_value(jcur *c) {
    j_ws(c);
    if (c->p >= c->end || ++c->depth > 32) return false;
    bool ok;
    switch (*c->p) {
    case '{': ok = j_object(c); break;
    case '[': ok = j_array(c); break;
    case '"': ok = j_string(c); break;
    case 't': ok = j_lit(c, "true"); break;
    case 'f': ok = j_lit(c, "false"); break;
    case 'n': ok = j_lit(c, "null"); break;
    default: ok = j_number(c); break;
    }
    c->depth--;
    return ok;
}

/* One JSON object and a newline, nothing else. */
static bool fuzz_json_line_ok(const char *s, size_t n) {
    if (n < 3 || s[n - 1] != '\n' || s[0] != '{') return false;
    jcur c = {s, s + n - 1, 0};
    return j_value(&c) && c.p == c.end;
}

/* Fields of one CSV row (RFC 4180 quoting), or -1 when the row is malformed. */
static int fuzz_csv_fields(const char *s, size_t n) {
    if (n == 0 || s[n - 1] != '\n') return -1;
    int fields = 1;
    bool quoted = false;
    for (size_t i = 0; i + 1 < n; i++) {
        char ch = s[i];
        if (quoted) {
            if (ch == '"') {
                if (i + 2 < n && s[i + 1] == '"') i++;
                else quoted = false;
            }
        } else if (ch == '"') {
            if (i > 0 && s[i - 1] != ',') return -1;
            quoted = true;
        } else if (ch == ',') {
            fields++;
        } else if (ch == '\n' || ch == '\r') {
            return -1;
        } else if (i > 0 && s[i - 1] == '"' && ch != ',') {
            return -1; /* text after a closing quote */
        }
    }
    return quoted ? -1 : fields;
}

static int fuzz_csv_header_fields(void) {
    const char *h = aw_format_csv_header();
    return fuzz_csv_fields(h, strlen(h));
}

/* ---- every formatter on one message ------------------------------------------------ */

typedef struct fuzz_out {
    char *json;  /* AW_FORMAT_MAX bytes */
    char *csv;   /* AW_FORMAT_MAX bytes */
    char *gpsd;  /* AW_GPSD_JSON_MAX bytes */
    aw_gpsd_json gpsd_raw, gpsd_scaled;
    int csv_fields;
    char long_device[AW_GPSD_JSON_DEVICE_MAX + 40];
} fuzz_out;

static void fuzz_out_init(fuzz_out *o) {
    o->json = malloc(AW_FORMAT_MAX);
    o->csv = malloc(AW_FORMAT_MAX);
    o->gpsd = malloc(AW_GPSD_JSON_MAX);
    if (!o->json || !o->csv || !o->gpsd) abort();
    aw_gpsd_json_init(&o->gpsd_raw, false);
    aw_gpsd_json_init(&o->gpsd_scaled, true);
    o->csv_fields = fuzz_csv_header_fields();
    /* Longer than the documented cut, with every character that needs escaping. */
    size_t n = sizeof o->long_device - 1;
    for (size_t i = 0; i < n; i++) o->long_device[i] = "\"\\\x01\x7f\xc3 dev/\t"[i % 11];
    o->long_device[n] = 0;
}

static void fuzz_out_free(fuzz_out *o) {
    free(o->json);
    free(o->csv);
    free(o->gpsd);
}

static void fuzz_all_formats(fuzz_out *o, const aw_msg *m, const aw_msg_meta *meta, unsigned variant) {
    FUZZ_CHECK(m->msg_type >= 1 && m->msg_type <= 27, "msg_type %u", m->msg_type);

    size_t n = aw_format_json(m, meta, o->json);
    FUZZ_CHECK(n > 0 && n <= AW_FORMAT_MAX, "json length %zu", n);
    FUZZ_CHECK(fuzz_json_line_ok(o->json, n), "aw_format_json, type %u: %.*s", m->msg_type, (int)n, o->json);

    n = aw_format_csv(m, meta, o->csv);
    FUZZ_CHECK(n > 0 && n <= AW_FORMAT_MAX, "csv length %zu", n);
    int f = fuzz_csv_fields(o->csv, n);
    FUZZ_CHECK(f == o->csv_fields, "aw_format_csv, type %u: %d fields, header has %d: %.*s", m->msg_type, f,
               o->csv_fields, (int)n, o->csv);

    const char *device = variant % 3 == 0 ? NULL : variant % 3 == 1 ? "stdin" : o->long_device;
    aw_gpsd_json *states[2] = {&o->gpsd_raw, &o->gpsd_scaled};
    for (int k = 0; k < 2; k++) {
        states[k]->split24 = (variant & 4) != 0;
        n = aw_gpsd_json_format(states[k], m, device, o->gpsd, AW_GPSD_JSON_MAX);
        FUZZ_CHECK(n <= AW_GPSD_JSON_MAX, "gpsd length %zu", n);
        if (n)
            FUZZ_CHECK(fuzz_json_line_ok(o->gpsd, n), "aw_gpsd_json_format (%s), type %u: %.*s",
                       k ? "scaled" : "unscaled", m->msg_type, (int)n, o->gpsd);
        /* Too small a buffer is refused, never written past. */
        FUZZ_CHECK(aw_gpsd_json_format(states[k], m, device, o->gpsd, AW_GPSD_JSON_MAX - 1) == 0, "cap");
    }
    (void)aw_gpsd_accepts(m);

    aw_app app;
    bool interpreted = aw_app_decode(m, &app);
    FUZZ_CHECK((unsigned)app.kind < AW_APP_KIND_COUNT, "app kind %u", (unsigned)app.kind);
    FUZZ_CHECK(interpreted == (app.kind != AW_APP_RAW), "aw_app_decode result %d kind %u", interpreted,
               (unsigned)app.kind);
    if (m->msg_type != 6 && m->msg_type != 8) FUZZ_CHECK(app.kind == AW_APP_RAW, "app kind for type %u", m->msg_type);
}

#endif
