/* tracks_gpkg.c — tracks, vessels and identities into GeoPackage layers (see
 * aiswatch/tracks_gpkg.h). The layers and their values are those of `aiswatch scan`
 * (src/lib/scan.c writes the same through its own copy; keep the two in step until scan.c
 * calls this module). */
#include "aiswatch/tracks_gpkg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/mid.h"

#define NF(a) (sizeof(a) / sizeof((a)[0]))

static const aw_field positions_fields[] = {
    {"time", AW_FIELD_DATETIME}, {"mmsi", AW_FIELD_INTEGER},   {"segment", AW_FIELD_INTEGER},
    {"sog_kn", AW_FIELD_REAL},   {"cog_deg", AW_FIELD_REAL},   {"heading_deg", AW_FIELD_INTEGER},
    {"nav_status", AW_FIELD_INTEGER}, {"msg_type", AW_FIELD_INTEGER}, {"source", AW_FIELD_TEXT},
};
static const aw_field tracks_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},         {"segment", AW_FIELD_INTEGER},    {"day", AW_FIELD_DATE},
    {"start_time", AW_FIELD_DATETIME}, {"end_time", AW_FIELD_DATETIME}, {"n_points", AW_FIELD_INTEGER},
};
static const aw_field vessels_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},        {"segment", AW_FIELD_INTEGER},   {"name", AW_FIELD_TEXT},
    {"imo", AW_FIELD_INTEGER},         {"imo_valid", AW_FIELD_INTEGER}, {"callsign", AW_FIELD_TEXT},
    {"ship_type", AW_FIELD_INTEGER},   {"ship_type_text", AW_FIELD_TEXT}, {"length_m", AW_FIELD_REAL},
    {"beam_m", AW_FIELD_REAL},         {"draught_m", AW_FIELD_REAL},    {"destination", AW_FIELD_TEXT},
    {"flag", AW_FIELD_TEXT},           {"flag_country", AW_FIELD_TEXT}, {"n_positions", AW_FIELD_INTEGER},
    {"first_seen", AW_FIELD_DATETIME}, {"last_seen", AW_FIELD_DATETIME}, {"sanctioned", AW_FIELD_INTEGER},
    {"sanctions", AW_FIELD_TEXT},
};
static const aw_field matches_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},       {"segment", AW_FIELD_INTEGER},  {"list", AW_FIELD_TEXT},
    {"entry_id", AW_FIELD_TEXT},      {"entry_name", AW_FIELD_TEXT},  {"programs", AW_FIELD_TEXT},
    {"basis", AW_FIELD_TEXT},         {"score", AW_FIELD_REAL},       {"matched_value", AW_FIELD_TEXT},
    {"former_name", AW_FIELD_INTEGER}, {"listed_imo", AW_FIELD_INTEGER}, {"listed_mmsi", AW_FIELD_INTEGER},
};
static const aw_field history_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},        {"segment", AW_FIELD_INTEGER},   {"field", AW_FIELD_TEXT},
    {"value", AW_FIELD_TEXT},          {"first_seen", AW_FIELD_DATETIME}, {"last_seen", AW_FIELD_DATETIME},
    {"n_reports", AW_FIELD_INTEGER},
};

static const aw_field inputs_fields[] = {
    {"source_id", AW_FIELD_INTEGER}, {"path", AW_FIELD_TEXT},   {"basename", AW_FIELD_TEXT},
    {"bytes", AW_FIELD_INTEGER},     {"sha256", AW_FIELD_TEXT}, {"format", AW_FIELD_TEXT},
};

static aw_value opt_real(float v) { return isnan(v) ? AW_V_NULL : AW_V_REAL(round(v * 10.0) / 10.0); }

typedef struct layers {
    int positions, tracks, vessels, history;
} layers;

int aw_tracks_write_gpkg(aw_gpkg *g, const aw_tracks *t, const aw_vessel_screen *screened, const aw_lists *lists,
                         const char *const *source_names, size_t nsources, bool with_positions,
                         uint64_t rows_out[4], char *err, size_t errcap) {
    layers lys, *ly = &lys;
    ly->positions = -1;
    if (with_positions &&
        (ly->positions = aw_gpkg_layer(g, "positions", AW_GEOM_POINT, positions_fields, NF(positions_fields), err,
                                       errcap)) < 0)
        return -1;
    if ((ly->tracks = aw_gpkg_layer(g, "tracks", AW_GEOM_LINESTRING, tracks_fields, NF(tracks_fields), err, errcap)) < 0 ||
        (ly->vessels = aw_gpkg_layer(g, "vessels", AW_GEOM_POINT, vessels_fields, NF(vessels_fields), err, errcap)) < 0 ||
        (ly->history = aw_gpkg_layer(g, "identity_history", AW_GEOM_NONE, history_fields, NF(history_fields), err,
                                     errcap)) < 0)
        return -1;

    if (with_positions) {
        for (size_t i = 0; i < t->n; i++) {
            const char *src = source_names && t->source_id[i] < nsources ? source_names[t->source_id[i]] : "";
            aw_value v[] = {
                AW_V_TIME_MS(t->time_ms[i]), AW_V_INT(t->mmsi[i]), AW_V_INT(t->segment[i]),
                opt_real(t->sog_kn[i]), opt_real(t->cog_deg[i]),
                t->heading_deg[i] == AW_HEADING_NA ? AW_V_NULL : AW_V_INT(t->heading_deg[i]),
                t->nav_status[i] == 15 ? AW_V_NULL : AW_V_INT(t->nav_status[i]), AW_V_INT(t->msg_type[i]),
                AW_V_TEXT(src),
            };
            double xy[2] = {t->lon[i], t->lat[i]};
            if (aw_gpkg_insert(g, ly->positions, v, xy, 1, err, errcap) < 0) return -1;
        }
    }

    /* One LineString per vessel (mmsi, segment) per UTC day. */
    size_t cap = 0;
    double *xy = NULL;
    for (size_t vi = 0; vi < t->nvessels; vi++) {
        const aw_vessel *ves = &t->vessels[vi];
        size_t i = ves->first, end = ves->first + ves->count;
        while (i < end) {
            int64_t day = t->time_ms[i] >= 0 ? t->time_ms[i] / 86400000 : -((-t->time_ms[i] + 86399999) / 86400000);
            size_t j = i;
            while (j < end && t->time_ms[j] < (day + 1) * 86400000) j++;
            size_t n = j - i, npts = n < 2 ? 2 : n;
            if (npts * 2 > cap) {
                cap = npts * 2 * 2;
                double *p = realloc(xy, cap * sizeof *p);
                if (!p) {
                    free(xy);
                    snprintf(err, errcap, "out of memory");
                    return -1;
                }
                xy = p;
            }
            for (size_t k = 0; k < n; k++) xy[2 * k] = t->lon[i + k], xy[2 * k + 1] = t->lat[i + k];
            if (n == 1) xy[2] = xy[0], xy[3] = xy[1]; /* one report that day: a zero-length line */
            aw_value v[] = {AW_V_INT(ves->mmsi), AW_V_INT(ves->segment), AW_V_TIME_MS(day * 86400000),
                            AW_V_TIME_MS(t->time_ms[i]), AW_V_TIME_MS(t->time_ms[j - 1]), AW_V_INT((int64_t)n)};
            if (aw_gpkg_insert(g, ly->tracks, v, xy, npts, err, errcap) < 0) {
                free(xy);
                return -1;
            }
            i = j;
        }
    }
    free(xy);

    for (size_t vi = 0; vi < t->nvessels; vi++) {
        const aw_vessel *ves = &t->vessels[vi];
        const aw_static_obs *id = &ves->ident;
        const aw_flag *flag = aw_flag_of_mmsi(ves->mmsi);
#define HAS(f) (id->fields & (1u << (f)))
        aw_value v[] = {
            AW_V_INT(ves->mmsi),
            AW_V_INT(ves->segment),
            HAS(AW_ID_NAME) ? AW_V_TEXT(id->name) : AW_V_NULL,
            HAS(AW_ID_IMO) ? AW_V_INT(id->imo) : AW_V_NULL,
            HAS(AW_ID_IMO) ? AW_V_INT(aw_imo_valid(id->imo)) : AW_V_NULL,
            HAS(AW_ID_CALLSIGN) ? AW_V_TEXT(id->callsign) : AW_V_NULL,
            HAS(AW_ID_SHIPTYPE) ? AW_V_INT(id->shiptype) : AW_V_NULL,
            HAS(AW_ID_SHIPTYPE) ? AW_V_TEXT(aw_shiptype_text(id->shiptype)) : AW_V_NULL,
            HAS(AW_ID_LENGTH) ? AW_V_REAL(id->length_m) : AW_V_NULL,
            HAS(AW_ID_BEAM) ? AW_V_REAL(id->beam_m) : AW_V_NULL,
            HAS(AW_ID_DRAUGHT) ? AW_V_REAL(id->draught_dm / 10.0) : AW_V_NULL,
            HAS(AW_ID_DESTINATION) ? AW_V_TEXT(id->destination) : AW_V_NULL,
            flag ? AW_V_TEXT(flag->iso2) : AW_V_NULL,
            flag ? AW_V_TEXT(flag->name) : AW_V_NULL,
            AW_V_INT((int64_t)ves->count),
            ves->first_seen_ms == INT64_MAX ? AW_V_NULL : AW_V_TIME_MS(ves->first_seen_ms),
            ves->last_seen_ms == INT64_MIN ? AW_V_NULL : AW_V_TIME_MS(ves->last_seen_ms),
            screened ? AW_V_INT(screened[vi].nmatches > 0) : AW_V_NULL,
            screened && screened[vi].json ? AW_V_TEXT(screened[vi].json) : AW_V_NULL,
        };
#undef HAS
        size_t last = ves->first + ves->count - 1;
        double pt[2] = {ves->count ? t->lon[last] : 0, ves->count ? t->lat[last] : 0};
        if (aw_gpkg_insert(g, ly->vessels, v, pt, ves->count ? 1 : 0, err, errcap) < 0) return -1;
    }

    if (screened) {
        int lm = aw_gpkg_layer(g, "sanctions_matches", AW_GEOM_NONE, matches_fields, NF(matches_fields), err, errcap);
        if (lm < 0) return -1;
        for (size_t vi = 0; vi < t->nvessels; vi++) {
            for (size_t k = 0; k < screened[vi].nmatches; k++) {
                const aw_match *m = &screened[vi].matches[k];
                const aw_list_entry *e = aw_lists_entry(lists, m->entry);
                aw_value v[] = {AW_V_INT(t->vessels[vi].mmsi), AW_V_INT(t->vessels[vi].segment), AW_V_TEXT(e->list),
                                AW_V_TEXT(e->entry_id), AW_V_TEXT(e->name), AW_V_TEXT(e->programs),
                                AW_V_TEXT(aw_match_basis_name(m->basis)), AW_V_REAL(m->score),
                                AW_V_TEXT(m->matched_value), AW_V_INT(m->former_name),
                                e->imo ? AW_V_INT(e->imo) : AW_V_NULL, e->mmsi ? AW_V_INT(e->mmsi) : AW_V_NULL};
                if (aw_gpkg_insert(g, lm, v, NULL, 0, err, errcap) < 0) return -1;
            }
        }
    }

    for (size_t i = 0; i < t->nhistory; i++) {
        const aw_ident_change *h = &t->history[i];
        aw_value v[] = {AW_V_INT(h->mmsi),
                        AW_V_INT(h->segment),
                        AW_V_TEXT(aw_id_field_name((aw_id_field)h->field)),
                        AW_V_TEXT(h->value),
                        AW_V_TIME_MS(h->first_seen_ms),
                        AW_V_TIME_MS(h->last_seen_ms),
                        AW_V_INT(h->n_reports)};
        if (aw_gpkg_insert(g, ly->history, v, NULL, 0, err, errcap) < 0) return -1;
    }
    if (rows_out) {
        rows_out[0] = ly->positions >= 0 ? aw_gpkg_rows(g, ly->positions) : 0;
        rows_out[1] = aw_gpkg_rows(g, ly->tracks);
        rows_out[2] = aw_gpkg_rows(g, ly->vessels);
        rows_out[3] = aw_gpkg_rows(g, ly->history);
    }
    return 0;
}

int aw_inputs_write_gpkg(aw_gpkg *g, size_t n, const char *const *paths, const char *const *basenames,
                         const int64_t *bytes, const char *const *sha256, const char *const *formats, char *err,
                         size_t errcap) {
    int li = aw_gpkg_layer(g, "inputs", AW_GEOM_NONE, inputs_fields, NF(inputs_fields), err, errcap);
    if (li < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        aw_value v[] = {AW_V_INT((int64_t)i),
                        AW_V_TEXT(paths[i]),
                        AW_V_TEXT(basenames[i]),
                        bytes[i] >= 0 ? AW_V_INT(bytes[i]) : AW_V_NULL,
                        sha256[i] && sha256[i][0] ? AW_V_TEXT(sha256[i]) : AW_V_NULL,
                        formats[i] ? AW_V_TEXT(formats[i]) : AW_V_NULL};
        if (aw_gpkg_insert(g, li, v, NULL, 0, err, errcap) < 0) return -1;
    }
    return 0;
}
