/* format.c — aiswatch's own JSON-lines and CSV schema for decoded messages.
 * Field names follow the project's units-in-names convention (sog_kn, cog_deg,
 * draught_m); not-available codes become null/empty so no consumer mistakes 91° for
 * a latitude. */
#include "aiswatch/format.h"

#include <math.h>

#include "fmt.h"

char *fmt_iso_ms(char *p, int64_t ms) {
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int millis = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    /* civil_from_days (Howard Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999) y = 0;
    p = fmt_02(p, (unsigned)(y / 100));
    p = fmt_02(p, (unsigned)(y % 100));
    *p++ = '-';
    p = fmt_02(p, m);
    *p++ = '-';
    p = fmt_02(p, d);
    *p++ = 'T';
    p = fmt_02(p, (unsigned)(sod / 3600));
    *p++ = ':';
    p = fmt_02(p, (unsigned)(sod / 60 % 60));
    *p++ = ':';
    p = fmt_02(p, (unsigned)(sod % 60));
    if (millis) {
        *p++ = '.';
        *p++ = (char)('0' + millis / 100);
        p = fmt_02(p, (unsigned)(millis % 100));
    }
    *p++ = 'Z';
    return p;
}

double aw_lat_deg(int32_t raw) {
    return raw == AW_LAT_NA || raw > 90 * 600000 || raw < -90 * 600000 ? NAN : raw / AW_LATLON_SCALE;
}

double aw_lon_deg(int32_t raw) {
    return raw == AW_LON_NA || raw > 180 * 600000 || raw < -180 * 600000 ? NAN : raw / AW_LATLON_SCALE;
}

/* Degrees with 7 decimals from 1/10000-minute units (1e-7° is finer than the 1/600000°
 * of the protocol, so nothing is lost). */
static char *fmt_deg(char *p, int32_t raw, int32_t scale_per_deg) {
    int64_t num = (int64_t)raw * 10000000;
    int64_t q = num >= 0 ? (num + scale_per_deg / 2) / scale_per_deg : (num - scale_per_deg / 2) / scale_per_deg;
    return fmt_fixed(p, q, 7);
}

typedef struct jw {
    char *p;
} jw;

static void key(jw *w, const char *k) {
    *w->p++ = ',';
    *w->p++ = '"';
    w->p = fmt_str(w->p, k);
    *w->p++ = '"';
    *w->p++ = ':';
}
static void kv_u(jw *w, const char *k, uint64_t v) { key(w, k), w->p = fmt_u64(w->p, v); }
static void kv_i(jw *w, const char *k, int64_t v) { key(w, k), w->p = fmt_i64(w->p, v); }
static void kv_b(jw *w, const char *k, bool v) {
    key(w, k);
    w->p = v ? FMT_LIT(w->p, "true") : FMT_LIT(w->p, "false");
}
static void kv_null(jw *w, const char *k) { key(w, k), w->p = FMT_LIT(w->p, "null"); }
static void kv_s(jw *w, const char *k, const char *s) {
    key(w, k);
    *w->p++ = '"';
    w->p = fmt_json_esc(w->p, s, strlen(s));
    *w->p++ = '"';
}
/* Tenths, or null at the not-available code. */
static void kv_tenths(jw *w, const char *k, uint32_t v, uint32_t na) {
    if (v == na) return kv_null(w, k);
    key(w, k), w->p = fmt_fixed(w->p, v, 1);
}
static void kv_latlon(jw *w, int32_t lat, int32_t lon, int32_t per_deg) {
    bool ok = lat != 91 * per_deg && lon != 181 * per_deg && lat <= 90 * per_deg && lat >= -90 * per_deg &&
              lon <= 180 * per_deg && lon >= -180 * per_deg;
    if (!ok) {
        kv_null(w, "lat");
        kv_null(w, "lon");
        return;
    }
    key(w, "lat"), w->p = fmt_deg(w->p, lat, per_deg);
    key(w, "lon"), w->p = fmt_deg(w->p, lon, per_deg);
}
static void kv_hex(jw *w, const char *k, const uint8_t *data, unsigned bits) {
    static const char hex[] = "0123456789abcdef";
    key(w, k);
    *w->p++ = '"';
    for (unsigned i = 0; i < (bits + 7) / 8; i++) {
        *w->p++ = hex[data[i] >> 4];
        *w->p++ = hex[data[i] & 15];
    }
    *w->p++ = '"';
}
static void kv_dims(jw *w, unsigned bow, unsigned stern, unsigned port, unsigned starboard) {
    kv_u(w, "to_bow_m", bow);
    kv_u(w, "to_stern_m", stern);
    kv_u(w, "to_port_m", port);
    kv_u(w, "to_starboard_m", starboard);
}
static void kv_heading(jw *w, unsigned h) {
    if (h == AW_HEADING_NA) return kv_null(w, "heading_deg");
    kv_u(w, "heading_deg", h);
}

size_t aw_format_json(const aw_msg *m, const aw_msg_meta *meta, char *out) {
    jw w = {out};
    w.p = FMT_LIT(w.p, "{\"time\":");
    if (meta && meta->time_ms != AW_TIME_NONE) {
        *w.p++ = '"';
        w.p = fmt_iso_ms(w.p, meta->time_ms);
        *w.p++ = '"';
    } else {
        w.p = FMT_LIT(w.p, "null");
    }
    kv_u(&w, "msg_type", m->msg_type);
    kv_u(&w, "mmsi", m->mmsi);
    kv_u(&w, "repeat", m->repeat);
    if (meta && meta->channel) {
        char ch[2] = {meta->channel, 0};
        kv_s(&w, "channel", ch);
    }
    if (meta && meta->source) {
        key(&w, "source");
        *w.p++ = '"';
        w.p = fmt_json_esc(w.p, meta->source, meta->source_len);
        *w.p++ = '"';
    }
    if (meta && meta->own) kv_b(&w, "own", true);
    switch (m->msg_type) {
    case 1: case 2: case 3: {
        const aw_pos_report *p = &m->u.pos;
        kv_u(&w, "nav_status", p->status);
        kv_latlon(&w, p->lat, p->lon, 600000);
        kv_tenths(&w, "sog_kn", p->speed, AW_SPEED_NA);
        kv_tenths(&w, "cog_deg", p->course, AW_COURSE_NA);
        kv_heading(&w, p->heading);
        if (p->turn == AW_TURN_NA) kv_null(&w, "rot");
        else kv_i(&w, "rot", p->turn);
        kv_b(&w, "accuracy", p->accuracy);
        kv_u(&w, "second", p->second);
        kv_u(&w, "maneuver", p->maneuver);
        kv_b(&w, "raim", p->raim);
        kv_u(&w, "radio", p->radio);
        break;
    }
    case 4: case 11: {
        const aw_base_report *b = &m->u.base;
        key(&w, "utc");
        *w.p++ = '"';
        w.p = fmt_02(w.p, b->year / 100), w.p = fmt_02(w.p, b->year % 100), *w.p++ = '-';
        w.p = fmt_02(w.p, b->month), *w.p++ = '-', w.p = fmt_02(w.p, b->day), *w.p++ = 'T';
        w.p = fmt_02(w.p, b->hour), *w.p++ = ':', w.p = fmt_02(w.p, b->minute), *w.p++ = ':';
        w.p = fmt_02(w.p, b->second), *w.p++ = 'Z', *w.p++ = '"';
        kv_latlon(&w, b->lat, b->lon, 600000);
        kv_b(&w, "accuracy", b->accuracy);
        kv_u(&w, "epfd", b->epfd);
        kv_b(&w, "raim", b->raim);
        break;
    }
    case 5: {
        const aw_static_voyage *v = &m->u.voy;
        kv_u(&w, "ais_version", v->ais_version);
        kv_u(&w, "imo", v->imo);
        kv_s(&w, "callsign", v->callsign);
        kv_s(&w, "shipname", v->shipname);
        kv_u(&w, "ship_type", v->shiptype);
        kv_dims(&w, v->to_bow, v->to_stern, v->to_port, v->to_starboard);
        kv_u(&w, "epfd", v->epfd);
        key(&w, "eta");
        *w.p++ = '"';
        w.p = fmt_02(w.p, v->month), *w.p++ = '-', w.p = fmt_02(w.p, v->day), *w.p++ = 'T';
        w.p = fmt_02(w.p, v->hour), *w.p++ = ':', w.p = fmt_02(w.p, v->minute), *w.p++ = 'Z', *w.p++ = '"';
        kv_tenths(&w, "draught_m", v->draught, 0);
        kv_s(&w, "destination", v->destination);
        kv_b(&w, "dte", v->dte);
        break;
    }
    case 6: case 8: case 25: case 26: {
        const aw_binary *b = &m->u.bin;
        if (m->msg_type == 6) {
            kv_u(&w, "seqno", b->seqno);
            kv_u(&w, "dest_mmsi", b->dest_mmsi);
            kv_b(&w, "retransmit", b->retransmit);
        }
        if (m->msg_type == 6 || m->msg_type == 8) {
            kv_u(&w, "dac", b->dac);
            kv_u(&w, "fid", b->fid);
        } else {
            kv_b(&w, "addressed", b->addressed);
            kv_b(&w, "structured", b->structured);
            if (b->addressed) kv_u(&w, "dest_mmsi", b->dest_mmsi);
            if (b->structured) kv_u(&w, "app_id", b->app_id);
        }
        kv_u(&w, "data_bits", b->bitcount);
        kv_hex(&w, "data", b->data, b->bitcount);
        break;
    }
    case 7: case 13:
        key(&w, "acks");
        *w.p++ = '[';
        for (unsigned i = 0; i < m->u.ack.count; i++) {
            if (i) *w.p++ = ',';
            w.p = FMT_LIT(w.p, "{\"mmsi\":");
            w.p = fmt_u64(w.p, m->u.ack.mmsi[i]);
            w.p = FMT_LIT(w.p, ",\"seqno\":");
            w.p = fmt_u64(w.p, m->u.ack.seqno[i]);
            *w.p++ = '}';
        }
        *w.p++ = ']';
        break;
    case 9: {
        const aw_sar_report *s = &m->u.sar;
        if (s->alt == 4095) kv_null(&w, "alt_m");
        else kv_u(&w, "alt_m", s->alt);
        kv_latlon(&w, s->lat, s->lon, 600000);
        if (s->speed == AW_SPEED_NA) kv_null(&w, "sog_kn");
        else kv_u(&w, "sog_kn", s->speed);
        kv_tenths(&w, "cog_deg", s->course, AW_COURSE_NA);
        kv_b(&w, "accuracy", s->accuracy);
        kv_u(&w, "second", s->second);
        break;
    }
    case 10:
        kv_u(&w, "dest_mmsi", m->u.dest_mmsi);
        break;
    case 12: case 14:
        if (m->msg_type == 12) {
            kv_u(&w, "seqno", m->u.text.seqno);
            kv_u(&w, "dest_mmsi", m->u.text.dest_mmsi);
            kv_b(&w, "retransmit", m->u.text.retransmit);
        }
        kv_s(&w, "text", m->u.text.text);
        break;
    case 15: {
        const aw_interrogation *q = &m->u.inq;
        kv_u(&w, "mmsi1", q->mmsi1), kv_u(&w, "type1_1", q->type1_1), kv_u(&w, "offset1_1", q->offset1_1);
        kv_u(&w, "type1_2", q->type1_2), kv_u(&w, "offset1_2", q->offset1_2);
        kv_u(&w, "mmsi2", q->mmsi2), kv_u(&w, "type2_1", q->type2_1), kv_u(&w, "offset2_1", q->offset2_1);
        break;
    }
    case 16: {
        const aw_assign *a = &m->u.assign;
        kv_u(&w, "mmsi1", a->mmsi1), kv_u(&w, "offset1", a->offset1), kv_u(&w, "increment1", a->increment1);
        kv_u(&w, "mmsi2", a->mmsi2), kv_u(&w, "offset2", a->offset2), kv_u(&w, "increment2", a->increment2);
        break;
    }
    case 17:
        kv_latlon(&w, m->u.dgnss.lat, m->u.dgnss.lon, 600);
        kv_u(&w, "data_bits", m->u.dgnss.bitcount);
        kv_hex(&w, "data", m->u.dgnss.data, m->u.dgnss.bitcount);
        break;
    case 18: case 19: {
        const aw_classb_pos *c = &m->u.cb;
        kv_latlon(&w, c->lat, c->lon, 600000);
        kv_tenths(&w, "sog_kn", c->speed, AW_SPEED_NA);
        kv_tenths(&w, "cog_deg", c->course, AW_COURSE_NA);
        kv_heading(&w, c->heading);
        kv_b(&w, "accuracy", c->accuracy);
        kv_u(&w, "second", c->second);
        if (m->msg_type == 18) {
            kv_b(&w, "cs", c->cs), kv_b(&w, "display", c->display), kv_b(&w, "dsc", c->dsc);
            kv_b(&w, "band", c->band), kv_b(&w, "msg22", c->msg22);
        } else {
            kv_s(&w, "shipname", c->shipname);
            kv_u(&w, "ship_type", c->shiptype);
            kv_dims(&w, c->to_bow, c->to_stern, c->to_port, c->to_starboard);
            kv_u(&w, "epfd", c->epfd);
        }
        kv_b(&w, "assigned", c->assigned);
        kv_b(&w, "raim", c->raim);
        break;
    }
    case 20:
        key(&w, "reservations");
        *w.p++ = '[';
        for (unsigned i = 0; i < m->u.slots.count; i++) {
            if (i) *w.p++ = ',';
            w.p = FMT_LIT(w.p, "{\"offset\":"), w.p = fmt_u64(w.p, m->u.slots.offset[i]);
            w.p = FMT_LIT(w.p, ",\"number\":"), w.p = fmt_u64(w.p, m->u.slots.number[i]);
            w.p = FMT_LIT(w.p, ",\"timeout\":"), w.p = fmt_u64(w.p, m->u.slots.timeout[i]);
            w.p = FMT_LIT(w.p, ",\"increment\":"), w.p = fmt_u64(w.p, m->u.slots.increment[i]);
            *w.p++ = '}';
        }
        *w.p++ = ']';
        break;
    case 21: {
        const aw_aid_nav *a = &m->u.aton;
        kv_u(&w, "aid_type", a->aid_type);
        kv_s(&w, "name", a->name);
        kv_latlon(&w, a->lat, a->lon, 600000);
        kv_dims(&w, a->to_bow, a->to_stern, a->to_port, a->to_starboard);
        kv_u(&w, "epfd", a->epfd);
        kv_b(&w, "off_position", a->off_position);
        kv_b(&w, "virtual_aid", a->virtual_aid);
        break;
    }
    case 22: {
        const aw_channel_mgmt *c = &m->u.chan;
        kv_u(&w, "channel_a", c->channel_a), kv_u(&w, "channel_b", c->channel_b);
        kv_u(&w, "txrx", c->txrx), kv_b(&w, "power", c->power), kv_b(&w, "addressed", c->addressed);
        if (c->addressed) {
            kv_u(&w, "dest1", c->dest1), kv_u(&w, "dest2", c->dest2);
        } else {
            key(&w, "ne_lat"), w.p = fmt_deg(w.p, c->ne_lat, 600), key(&w, "ne_lon"), w.p = fmt_deg(w.p, c->ne_lon, 600);
            key(&w, "sw_lat"), w.p = fmt_deg(w.p, c->sw_lat, 600), key(&w, "sw_lon"), w.p = fmt_deg(w.p, c->sw_lon, 600);
        }
        kv_u(&w, "zonesize", c->zonesize);
        break;
    }
    case 23: {
        const aw_group_assign *g = &m->u.group;
        key(&w, "ne_lat"), w.p = fmt_deg(w.p, g->ne_lat, 600), key(&w, "ne_lon"), w.p = fmt_deg(w.p, g->ne_lon, 600);
        key(&w, "sw_lat"), w.p = fmt_deg(w.p, g->sw_lat, 600), key(&w, "sw_lon"), w.p = fmt_deg(w.p, g->sw_lon, 600);
        kv_u(&w, "station_type", g->stationtype), kv_u(&w, "ship_type", g->shiptype);
        kv_u(&w, "txrx", g->txrx), kv_u(&w, "interval", g->interval), kv_u(&w, "quiet_min", g->quiet);
        break;
    }
    case 24: {
        const aw_static_b *s = &m->u.sb;
        kv_s(&w, "part", s->partno == 0 ? "A" : "B");
        if (s->partno == 0) {
            kv_s(&w, "shipname", s->shipname);
        } else {
            kv_u(&w, "ship_type", s->shiptype);
            kv_s(&w, "vendor_id", s->vendorid);
            kv_s(&w, "callsign", s->callsign);
            if (s->auxiliary) kv_u(&w, "mothership_mmsi", s->mothership_mmsi);
            else kv_dims(&w, s->to_bow, s->to_stern, s->to_port, s->to_starboard);
        }
        break;
    }
    case 27: {
        const aw_long_range *l = &m->u.lr;
        kv_u(&w, "nav_status", l->status);
        kv_latlon(&w, l->lat, l->lon, 600);
        if (l->speed == 63) kv_null(&w, "sog_kn");
        else kv_u(&w, "sog_kn", l->speed);
        if (l->course == 511) kv_null(&w, "cog_deg");
        else kv_u(&w, "cog_deg", l->course);
        kv_b(&w, "accuracy", l->accuracy);
        kv_b(&w, "gnss", l->gnss);
        break;
    }
    }
    if (m->truncated) kv_b(&w, "truncated", true);
    *w.p++ = '}';
    *w.p++ = '\n';
    return (size_t)(w.p - out);
}

const char *aw_format_csv_header(void) {
    return "time,msg_type,mmsi,channel,lat,lon,sog_kn,cog_deg,heading_deg,nav_status,imo,callsign,shipname,"
           "ship_type,to_bow_m,to_stern_m,to_port_m,to_starboard_m,draught_m,destination,second\n";
}

static char *csv_text(char *p, const char *s) {
    /* Six-bit text holds commas and double quotes: always quote, double the quotes. */
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"') *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}

size_t aw_format_csv(const aw_msg *m, const aw_msg_meta *meta, char *out) {
    char *p = out;
    if (meta && meta->time_ms != AW_TIME_NONE) p = fmt_iso_ms(p, meta->time_ms);
    *p++ = ',';
    p = fmt_u64(p, m->msg_type);
    *p++ = ',';
    p = fmt_u64(p, m->mmsi);
    *p++ = ',';
    if (meta && meta->channel) {
        /* The channel is whatever byte the sentence had there: quote all but the usual. */
        char ch = meta->channel;
        bool plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (plain) {
            *p++ = ch;
        } else {
            char s[2] = {ch, 0};
            p = csv_text(p, s);
        }
    }
    int32_t lat = AW_LAT_NA, lon = AW_LON_NA;
    uint32_t sog = AW_SPEED_NA, cog = AW_COURSE_NA, hdg = AW_HEADING_NA;
    int status = -1, second = -1;
    const char *callsign = NULL, *name = NULL, *dest = NULL;
    long imo = -1, shiptype = -1, draught = -1;
    long dims[4] = {-1, -1, -1, -1};
    switch (m->msg_type) {
    case 1: case 2: case 3:
        lat = m->u.pos.lat, lon = m->u.pos.lon, sog = m->u.pos.speed, cog = m->u.pos.course;
        hdg = m->u.pos.heading, status = m->u.pos.status, second = m->u.pos.second;
        break;
    case 18: case 19:
        lat = m->u.cb.lat, lon = m->u.cb.lon, sog = m->u.cb.speed, cog = m->u.cb.course, hdg = m->u.cb.heading;
        second = m->u.cb.second;
        if (m->msg_type == 19) {
            name = m->u.cb.shipname, shiptype = m->u.cb.shiptype;
            dims[0] = m->u.cb.to_bow, dims[1] = m->u.cb.to_stern, dims[2] = m->u.cb.to_port, dims[3] = m->u.cb.to_starboard;
        }
        break;
    case 27:
        lat = m->u.lr.lat * 1000, lon = m->u.lr.lon * 1000, status = m->u.lr.status;
        sog = m->u.lr.speed == 63 ? AW_SPEED_NA : m->u.lr.speed * 10u;
        cog = m->u.lr.course == 511 ? AW_COURSE_NA : m->u.lr.course * 10u;
        break;
    case 4: case 11:
        lat = m->u.base.lat, lon = m->u.base.lon;
        break;
    case 9:
        lat = m->u.sar.lat, lon = m->u.sar.lon, cog = m->u.sar.course;
        sog = m->u.sar.speed == AW_SPEED_NA ? AW_SPEED_NA : m->u.sar.speed * 10u;
        break;
    case 21:
        lat = m->u.aton.lat, lon = m->u.aton.lon, name = m->u.aton.name;
        break;
    case 5:
        imo = m->u.voy.imo, callsign = m->u.voy.callsign, name = m->u.voy.shipname, shiptype = m->u.voy.shiptype;
        dims[0] = m->u.voy.to_bow, dims[1] = m->u.voy.to_stern, dims[2] = m->u.voy.to_port, dims[3] = m->u.voy.to_starboard;
        draught = m->u.voy.draught ? m->u.voy.draught : -1, dest = m->u.voy.destination;
        break;
    case 24:
        if (m->u.sb.partno == 0) {
            name = m->u.sb.shipname;
        } else {
            callsign = m->u.sb.callsign, shiptype = m->u.sb.shiptype;
            if (!m->u.sb.auxiliary) {
                dims[0] = m->u.sb.to_bow, dims[1] = m->u.sb.to_stern, dims[2] = m->u.sb.to_port, dims[3] = m->u.sb.to_starboard;
            }
        }
        break;
    }
    *p++ = ',';
    bool pos_ok = lat != AW_LAT_NA && lon != AW_LON_NA && lat <= 90 * 600000 && lat >= -90 * 600000 &&
                  lon <= 180 * 600000 && lon >= -180 * 600000;
    if (pos_ok) p = fmt_deg(p, lat, 600000);
    *p++ = ',';
    if (pos_ok) p = fmt_deg(p, lon, 600000);
    *p++ = ',';
    if (sog != AW_SPEED_NA) p = fmt_fixed(p, sog, 1);
    *p++ = ',';
    if (cog != AW_COURSE_NA && cog < 3600) p = fmt_fixed(p, cog, 1);
    *p++ = ',';
    if (hdg != AW_HEADING_NA) p = fmt_u64(p, hdg);
    *p++ = ',';
    if (status >= 0) p = fmt_u64(p, (unsigned)status);
    *p++ = ',';
    if (imo >= 0) p = fmt_u64(p, (unsigned long)imo);
    *p++ = ',';
    if (callsign) p = csv_text(p, callsign);
    *p++ = ',';
    if (name) p = csv_text(p, name);
    *p++ = ',';
    if (shiptype >= 0) p = fmt_u64(p, (unsigned long)shiptype);
    for (int i = 0; i < 4; i++) {
        *p++ = ',';
        if (dims[i] >= 0) p = fmt_u64(p, (unsigned long)dims[i]);
    }
    *p++ = ',';
    if (draught >= 0) p = fmt_fixed(p, draught, 1);
    *p++ = ',';
    if (dest) p = csv_text(p, dest);
    *p++ = ',';
    if (second >= 0) p = fmt_u64(p, (unsigned)second);
    *p++ = '\n';
    return (size_t)(p - out);
}
