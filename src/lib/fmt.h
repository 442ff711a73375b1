/* fmt.h — appending numbers and strings to a char buffer without printf.
 * Internal to the library: the output formatters run once per message, so integer
 * formatting is by hand (printf is 5–10× slower here). Callers size the buffer. */
#ifndef AW_FMT_H
#define AW_FMT_H

#include <stdint.h>
#include <string.h>

static inline char *fmt_str(char *p, const char *s) {
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

#define FMT_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

static inline char *fmt_u64(char *p, uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static inline char *fmt_i64(char *p, int64_t v) {
    if (v < 0) {
        *p++ = '-';
        return fmt_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return fmt_u64(p, (uint64_t)v);
}

/* Fixed-point: v / 10^decimals with exactly `decimals` digits after the point. */
static inline char *fmt_fixed(char *p, int64_t v, int decimals) {
    static const int64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    int64_t d = pow10[decimals];
    p = fmt_u64(p, (uint64_t)(v / d));
    if (decimals) {
        *p++ = '.';
        int64_t frac = v % d;
        for (int i = decimals - 1; i >= 0; i--) {
            p[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        p += decimals;
    }
    return p;
}

/* Two digits, zero padded. */
static inline char *fmt_02(char *p, unsigned v) {
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* JSON string body with escapes (no quotes). */
static inline char *fmt_json_esc(char *p, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            p = FMT_LIT(p, "\\u00");
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        } else {
            *p++ = (char)c;
        }
    }
    return p;
}

/* ISO 8601 UTC with milliseconds only when not whole seconds: 2016-03-31T00:00:01Z. */
char *fmt_iso_ms(char *p, int64_t ms);

#endif
