/* screen_tracks.c — every vessel of a run screened against the loaded lists, with all it
 * ever said about itself: a renamed ship is caught under its former name too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/mid.h"
#include "aiswatch/sanctions.h"
#include "aiswatch/track.h"
#include "fmt.h"

#define MAX_VALUES 64
#define MAX_MATCHES 32

static char *put_json_str(char *p, const char *s) {
    *p++ = '"';
    p = fmt_json_esc(p, s ? s : "", s ? strlen(s) : 0);
    *p++ = '"';
    return p;
}

size_t aw_match_json(const aw_lists *l, uint32_t mmsi, const aw_match *m, char *out, size_t cap) {
    const aw_list_entry *e = aw_lists_entry(l, m->entry);
    /* Escaped text can grow six-fold: write into a scratch big enough, then copy. */
    size_t need = 256 + 6 * (strlen(e->list) + strlen(e->entry_id) + strlen(e->name) +
                             strlen(e->programs ? e->programs : "") + strlen(m->matched_value));
    char *buf = malloc(need);
    if (!buf || cap == 0) {
        free(buf);
        return 0;
    }
    char *p = buf;
    p = fmt_str(p, "{\"mmsi\":");
    p = fmt_u64(p, mmsi);
    p = fmt_str(p, ",\"list\":");
    p = put_json_str(p, e->list);
    p = fmt_str(p, ",\"entry_id\":");
    p = put_json_str(p, e->entry_id);
    p = fmt_str(p, ",\"name\":");
    p = put_json_str(p, e->name);
    p = fmt_str(p, ",\"programs\":");
    p = put_json_str(p, e->programs);
    p = fmt_str(p, ",\"basis\":");
    p = put_json_str(p, aw_match_basis_name(m->basis));
    p += sprintf(p, ",\"score\":%.3f", m->score);
    p = fmt_str(p, ",\"matched\":");
    p = put_json_str(p, m->matched_value);
    p = fmt_str(p, m->former_name ? ",\"former_name\":true}" : ",\"former_name\":false}");
    size_t n = (size_t)(p - buf);
    if (n >= cap) n = 0; /* never a cut object */
    memcpy(out, buf, n);
    out[n] = 0;
    free(buf);
    return n;
}

aw_vessel_screen *aw_screen_tracks(const aw_lists *l, const aw_tracks *t, const aw_screen_params *p) {
    aw_vessel_screen *res = calloc(t->nvessels ? t->nvessels : 1, sizeof *res);
    if (!res) return NULL;
    aw_screen_params defaults;
    if (!p) {
        aw_screen_params_default(&defaults);
        p = &defaults;
    }
    for (size_t vi = 0; vi < t->nvessels; vi++) {
        const aw_vessel *v = &t->vessels[vi];
        uint32_t imos[MAX_VALUES];
        const char *names[MAX_VALUES], *calls[MAX_VALUES];
        size_t ni = 0, nn = 0, nc = 0;
        /* The latest name first: the query says which name is current. */
        if (v->ident.fields & (1u << AW_ID_NAME)) names[nn++] = v->ident.name;
        for (size_t h = v->hist_first; h < v->hist_first + v->hist_count; h++) {
            const aw_ident_change *x = &t->history[h];
            if (x->field == AW_ID_IMO && ni < MAX_VALUES) imos[ni++] = (uint32_t)strtoul(x->value, NULL, 10);
            if (x->field == AW_ID_NAME && nn < MAX_VALUES && strcmp(x->value, v->ident.name) != 0) names[nn++] = x->value;
            if (x->field == AW_ID_CALLSIGN && nc < MAX_VALUES) calls[nc++] = x->value;
        }
        const aw_flag *flag = aw_flag_of_mmsi(v->mmsi);
        aw_screen_query q = {v->mmsi, imos, ni, names, nn, calls, nc, flag ? flag->iso2 : NULL};
        aw_match m[MAX_MATCHES];
        size_t n = aw_screen(l, &q, p, m, MAX_MATCHES);
        if (n > MAX_MATCHES) n = MAX_MATCHES;
        if (!n) continue;
        res[vi].matches = malloc(n * sizeof *m);
        size_t cap = 64 + n * 4096, len = 0;
        res[vi].json = malloc(cap);
        if (!res[vi].matches || !res[vi].json) {
            aw_vessel_screen_free(res, t->nvessels);
            return NULL;
        }
        memcpy(res[vi].matches, m, n * sizeof *m);
        res[vi].nmatches = n;
        res[vi].json[len++] = '[';
        for (size_t k = 0; k < n; k++) {
            if (k) res[vi].json[len++] = ',';
            len += aw_match_json(l, v->mmsi, &m[k], res[vi].json + len, cap - len - 2);
        }
        res[vi].json[len++] = ']';
        res[vi].json[len] = 0;
    }
    return res;
}

void aw_vessel_screen_free(aw_vessel_screen *s, size_t n) {
    if (!s) return;
    for (size_t i = 0; i < n; i++) {
        free(s[i].matches);
        free(s[i].json);
    }
    free(s);
}
