/* columns.c — struct-of-arrays storage of positions for the analysis stages. */
#include "aiswatch/columns.h"

#include <stdlib.h>
#include <string.h>

#include "bigarray.h"

#define NCOLS 11

static void fields(aw_columns *c, void **f[NCOLS], size_t sz[NCOLS]) {
    size_t k = 0;
#define F(field) f[k] = (void **)&c->field, sz[k++] = sizeof *c->field
    F(time_ms); F(mmsi); F(lat); F(lon); F(sog_dkn); F(cog_ddeg); F(heading_deg); F(msg_type);
    F(nav_status); F(second); F(source_id);
#undef F
}

/* Small columns are malloc()ed; from 1 MiB (of time_ms) every column is a mapping of its
 * own, grown by mremap (bigarray.h says why). */
static int grow(aw_columns *c, size_t need) {
    if (need <= c->cap) return 0;
    size_t cap = c->cap ? c->cap : 4096;
    while (cap < need) cap *= 2;
    void **f[NCOLS];
    size_t sz[NCOLS];
    fields(c, f, sz);
    bool to_map = c->mapped || cap * sizeof *c->time_ms >= AW_MAP_MIN_BYTES;
    if (!to_map) {
        for (int k = 0; k < NCOLS; k++) {
            void *p = realloc(*f[k], cap * sz[k]);
            if (!p) return -1;
            *f[k] = p;
        }
    } else if (c->mapped) {
        for (int k = 0; k < NCOLS; k++) {
            void *p = aw_map_grow(*f[k], c->n * sz[k], c->cap * sz[k], cap * sz[k]);
            if (!p) {
                /* Give back what the columns before got: shrinking stays in place. */
                for (int j = 0; j < k; j++)
                    *f[j] = mremap(*f[j], aw_map_bytes(cap * sz[j]), aw_map_bytes(c->cap * sz[j]), 0);
                return -1;
            }
            *f[k] = p;
        }
    } else {
        void *q[NCOLS];
        for (int k = 0; k < NCOLS; k++) {
            q[k] = aw_map_new(cap * sz[k]);
            if (!q[k]) {
                for (int j = 0; j < k; j++) munmap(q[j], aw_map_bytes(cap * sz[j]));
                return -1;
            }
        }
        for (int k = 0; k < NCOLS; k++) {
            if (c->n) memcpy(q[k], *f[k], c->n * sz[k]);
            free(*f[k]);
            *f[k] = q[k];
        }
        c->mapped = true;
    }
    c->cap = cap;
    return 0;
}

int aw_columns_push(aw_columns *c, const aw_msg *m, const aw_msg_meta *meta) {
    return aw_columns_push_src(c, m, meta, 0);
}

bool aw_pos_fields_of(const aw_msg *m, aw_pos_fields *f) {
    f->nav_status = 15, f->second = 60;
    switch (m->msg_type) {
    case 1: case 2: case 3:
        f->lat = m->u.pos.lat, f->lon = m->u.pos.lon, f->sog_dkn = m->u.pos.speed, f->cog_ddeg = m->u.pos.course;
        f->heading_deg = m->u.pos.heading, f->nav_status = m->u.pos.status, f->second = m->u.pos.second;
        return true;
    case 18: case 19:
        f->lat = m->u.cb.lat, f->lon = m->u.cb.lon, f->sog_dkn = m->u.cb.speed, f->cog_ddeg = m->u.cb.course;
        f->heading_deg = m->u.cb.heading, f->second = m->u.cb.second;
        return true;
    case 27:
        /* 1/10 minute: scale to the common unit, keeping the not-available codes. */
        f->lat = m->u.lr.lat == 91 * 600 ? AW_LAT_NA : m->u.lr.lat * 1000;
        f->lon = m->u.lr.lon == 181 * 600 ? AW_LON_NA : m->u.lr.lon * 1000;
        f->sog_dkn = m->u.lr.speed == 63 ? AW_SPEED_NA : (uint16_t)(m->u.lr.speed * 10);
        f->cog_ddeg = m->u.lr.course == 511 ? AW_COURSE_NA : (uint16_t)(m->u.lr.course * 10);
        f->heading_deg = AW_HEADING_NA, f->nav_status = m->u.lr.status;
        return true;
    default:
        return false;
    }
}

int aw_columns_push_src(aw_columns *c, const aw_msg *m, const aw_msg_meta *meta, uint16_t source_id) {
    aw_pos_fields f;
    if (!aw_pos_fields_of(m, &f)) return 0;
    if (c->n == c->cap && grow(c, c->n + 1) < 0) return -1;
    size_t i = c->n++;
    c->time_ms[i] = meta ? meta->time_ms : AW_TIME_NONE;
    c->mmsi[i] = m->mmsi;
    c->lat[i] = f.lat;
    c->lon[i] = f.lon;
    c->sog_dkn[i] = f.sog_dkn;
    c->cog_ddeg[i] = f.cog_ddeg;
    c->heading_deg[i] = f.heading_deg;
    c->msg_type[i] = m->msg_type;
    c->nav_status[i] = f.nav_status;
    c->second[i] = f.second;
    c->source_id[i] = source_id;
    return 0;
}

int aw_columns_append(aw_columns *dst, const aw_columns *src) {
    if (src->n == 0) return 0;
    if (grow(dst, dst->n + src->n) < 0) return -1;
    size_t o = dst->n, n = src->n;
    memcpy(dst->time_ms + o, src->time_ms, n * sizeof *src->time_ms);
    memcpy(dst->mmsi + o, src->mmsi, n * sizeof *src->mmsi);
    memcpy(dst->lat + o, src->lat, n * sizeof *src->lat);
    memcpy(dst->lon + o, src->lon, n * sizeof *src->lon);
    memcpy(dst->sog_dkn + o, src->sog_dkn, n * sizeof *src->sog_dkn);
    memcpy(dst->cog_ddeg + o, src->cog_ddeg, n * sizeof *src->cog_ddeg);
    memcpy(dst->heading_deg + o, src->heading_deg, n * sizeof *src->heading_deg);
    memcpy(dst->msg_type + o, src->msg_type, n * sizeof *src->msg_type);
    memcpy(dst->nav_status + o, src->nav_status, n * sizeof *src->nav_status);
    memcpy(dst->second + o, src->second, n * sizeof *src->second);
    memcpy(dst->source_id + o, src->source_id, n * sizeof *src->source_id);
    dst->n += n;
    return 0;
}

void aw_columns_free(aw_columns *c) {
    void **f[NCOLS];
    size_t sz[NCOLS];
    fields(c, f, sz);
    for (int k = 0; k < NCOLS; k++) aw_array_free(*f[k], c->cap * sz[k], c->mapped);
    memset(c, 0, sizeof *c);
}

