/* appmsg.c — interpretation of type 6/8 application payloads (see aiswatch/appmsg.h).
 *
 * The standards and gpsd give field positions as offsets into the whole message,
 * and two of gpsd's IMO236 layouts read bits that lie inside the header. So the
 * header is rebuilt in front of the data bits (both headers end on a byte boundary:
 * 88 bits for type 6, 56 for type 8) and every field is read at its message offset.
 * This costs one 140-byte copy per binary message, which are rare, and keeps each
 * layout below a plain transcription of its table.
 */
#include "aiswatch/appmsg.h"

#include <string.h>

typedef struct appbits {
    uint8_t b[AW_MAX_DATA_BYTES + 16];
    size_t nbits; /* header + data, the length gpsd checks against */
} appbits;

static void put_bits(uint8_t *b, size_t start, unsigned width, uint32_t v) {
    for (unsigned i = 0; i < width; i++) {
        size_t at = start + i;
        if ((v >> (width - 1 - i)) & 1u) b[at >> 3] |= (uint8_t)(0x80u >> (at & 7));
    }
}

static inline uint32_t U(const appbits *a, size_t start, unsigned width) {
    return aw_bits_u(a->b, a->nbits, start, width);
}

static inline int32_t S(const appbits *a, size_t start, unsigned width) {
    return aw_bits_s(a->b, a->nbits, start, width);
}

/* Fixed-width six-bit text; `size` is the destination size, as gpsd's UCHARS. */
static void T(const appbits *a, size_t start, char *out, size_t size) {
    aw_bits_text(a->b, a->nbits, start, (unsigned)(size - 1), out);
}

/* Text running to the end of the message, at most size - 1 characters. */
static void T_rest(const appbits *a, size_t start, char *out, size_t size) {
    if (a->nbits <= start) {
        out[0] = '\0';
        return;
    }
    size_t n = (a->nbits - start) / 6;
    if (n > size - 1) n = size - 1;
    aw_bits_text(a->b, a->nbits, start, (unsigned)n, out);
}

static void rebuild(const aw_msg *m, appbits *a) {
    const aw_binary *bin = &m->u.bin;
    size_t hdr = m->msg_type == 6 ? 88 : 56;
    memset(a->b, 0, sizeof a->b);
    put_bits(a->b, 0, 6, m->msg_type);
    put_bits(a->b, 6, 2, m->repeat);
    put_bits(a->b, 8, 30, m->mmsi);
    if (m->msg_type == 6) {
        put_bits(a->b, 38, 2, bin->seqno);
        put_bits(a->b, 40, 30, bin->dest_mmsi);
        put_bits(a->b, 70, 1, bin->retransmit);
        put_bits(a->b, 72, 10, bin->dac);
        put_bits(a->b, 82, 6, bin->fid);
    } else {
        put_bits(a->b, 40, 10, bin->dac);
        put_bits(a->b, 50, 6, bin->fid);
    }
    size_t nbytes = ((size_t)bin->bitcount + 7) / 8;
    if (nbytes > AW_MAX_DATA_BYTES) nbytes = AW_MAX_DATA_BYTES;
    memcpy(a->b + hdr / 8, bin->data, nbytes);
    a->nbits = hdr + bin->bitcount;
}

static void decode_tidal(const appbits *a, bool imo236, aw_app *out) {
    /* IMO236 puts latitude first in 93-bit elements of 1/10000 minute; IMO289 uses
     * 88-bit elements of 1/1000 minute, longitude first. gpsd counts an element
     * whenever its first bit is inside the message. */
    const size_t base = 97, size = imo236 ? 93 : 88;
    out->u.tidal.month = (uint8_t)U(a, 88, 4);
    out->u.tidal.day = (uint8_t)U(a, 92, 5);
    unsigned n = 0;
    for (; base + size * n <= a->nbits && n < AW_APP_MAX_TIDALS; n++) {
        size_t at = base + size * n;
        aw_app_tidal *t = &out->u.tidal.tidals[n];
        if (imo236) {
            t->lat = S(a, at, 27);
            t->lon = S(a, at + 27, 28);
            at += 55;
        } else {
            t->lon = S(a, at, 25);
            t->lat = S(a, at + 25, 24);
            at += 49;
        }
        t->from_hour = (uint8_t)U(a, at, 5);
        t->from_min = (uint8_t)U(a, at + 5, 6);
        t->to_hour = (uint8_t)U(a, at + 11, 5);
        t->to_min = (uint8_t)U(a, at + 16, 6);
        t->cdir = (uint16_t)U(a, at + 22, 9);
        t->cspeed = (uint8_t)U(a, at + 31, imo236 ? 7 : 8);
    }
    out->u.tidal.ntidals = (uint8_t)n;
}

static void decode_route(const appbits *a, size_t at, aw_app *out) {
    aw_app_route *r = &out->u.route;
    r->linkage = (uint16_t)U(a, at, 10);
    r->sender = (uint8_t)U(a, at + 10, 3);
    r->rtype = (uint8_t)U(a, at + 13, 5);
    r->month = (uint8_t)U(a, at + 18, 4);
    r->day = (uint8_t)U(a, at + 22, 5);
    r->hour = (uint8_t)U(a, at + 27, 5);
    r->minute = (uint8_t)U(a, at + 32, 6);
    r->duration = U(a, at + 38, 18);
    r->waycount = (uint8_t)U(a, at + 56, 5);
    unsigned n = r->waycount < AW_APP_MAX_WAYPOINTS ? r->waycount : AW_APP_MAX_WAYPOINTS;
    for (unsigned i = 0; i < n; i++) {
        size_t w = at + 61 + 55 * (size_t)i;
        r->waypoints[i].lon = S(a, w, 28);
        r->waypoints[i].lat = S(a, w + 28, 27);
    }
}

static bool decode_type6(const appbits *a, unsigned dac, unsigned fid, aw_app *out) {
    if (dac == 200) {
        aw_app_inland_eta *e = &out->u.eta;
        switch (fid) {
        case 21:
        case 22:
            if (a->nbits != (fid == 21 ? 248u : 232u)) return false;
            T(a, 88, e->country, sizeof e->country);
            T(a, 100, e->locode, sizeof e->locode);
            T(a, 118, e->section, sizeof e->section);
            T(a, 148, e->terminal, sizeof e->terminal);
            T(a, 178, e->hectometre, sizeof e->hectometre);
            e->month = (uint8_t)U(a, 208, 4);
            e->day = (uint8_t)U(a, 212, 5);
            e->hour = (uint8_t)U(a, 217, 5);
            e->minute = (uint8_t)U(a, 222, 6);
            if (fid == 21) {
                e->tugs = (uint8_t)U(a, 228, 3);
                e->airdraught = (uint16_t)U(a, 231, 12);
                out->kind = AW_APP_INLAND_ETA;
            } else {
                e->status = (uint8_t)U(a, 228, 2);
                out->kind = AW_APP_INLAND_RTA;
            }
            return true;
        case 55:
            if (a->nbits != 168) return false;
            out->u.inland_persons.crew = (uint8_t)U(a, 88, 8);
            out->u.inland_persons.passengers = (uint16_t)U(a, 96, 13);
            out->u.inland_persons.personnel = (uint8_t)U(a, 109, 8);
            out->kind = AW_APP_INLAND_PERSONS;
            return true;
        }
        return false;
    }
    if (dac == 235 || dac == 250) {
        if (fid != 10 || a->nbits != 136) return false;
        out->u.aton.ana_int = (uint16_t)U(a, 88, 10);
        out->u.aton.ana_ext1 = (uint16_t)U(a, 98, 10);
        out->u.aton.ana_ext2 = (uint16_t)U(a, 108, 10);
        out->u.aton.racon = (uint8_t)U(a, 118, 2);
        out->u.aton.light = (uint8_t)U(a, 120, 2);
        out->u.aton.alarm = U(a, 122, 1);
        out->u.aton.stat_ext = (uint8_t)U(a, 123, 8);
        out->u.aton.off_pos = U(a, 131, 1);
        out->kind = AW_APP_ATON_MONITOR;
        return true;
    }
    if (dac != 1) return false;
    switch (fid) {
    case 12: {
        aw_app_cargo236 *c = &out->u.cargo236;
        T(a, 88, c->lastport, sizeof c->lastport);
        c->lmonth = (uint8_t)U(a, 118, 4);
        c->lday = (uint8_t)U(a, 122, 5);
        c->lhour = (uint8_t)U(a, 127, 5);
        c->lminute = (uint8_t)U(a, 132, 6);
        T(a, 138, c->nextport, sizeof c->nextport);
        c->nmonth = (uint8_t)U(a, 168, 4);
        c->nday = (uint8_t)U(a, 172, 5);
        c->nhour = (uint8_t)U(a, 177, 5);
        c->nminute = (uint8_t)U(a, 182, 6);
        T(a, 188, c->dangerous, sizeof c->dangerous);
        T(a, 308, c->imdcat, sizeof c->imdcat);
        c->unid = (uint16_t)U(a, 332, 13);
        c->amount = (uint16_t)U(a, 345, 10);
        c->unit = (uint8_t)U(a, 355, 2);
        out->kind = AW_APP_DANGEROUS_CARGO_236;
        return true;
    }
    case 14:
        decode_tidal(a, true, out);
        out->kind = AW_APP_TIDAL_WINDOW_236;
        return true;
    case 15:
        /* gpsd reads the air draught at message bit 56, inside the destination
         * MMSI; the IMO236 table puts it at 88. Follow gpsd so output agrees. */
        out->u.ext_ship.airdraught = (uint16_t)U(a, 56, 11);
        out->kind = AW_APP_EXT_SHIP_STATIC;
        return true;
    case 16:
        out->u.persons.persons = (uint16_t)(a->nbits - 88 == 136 ? U(a, 88, 13) : U(a, 55, 13));
        out->kind = AW_APP_PERSONS_ON_BOARD;
        return true;
    case 18: {
        aw_app_clearance *c = &out->u.clearance;
        c->linkage = (uint16_t)U(a, 88, 10);
        c->month = (uint8_t)U(a, 98, 4);
        c->day = (uint8_t)U(a, 102, 5);
        c->hour = (uint8_t)U(a, 107, 5);
        c->minute = (uint8_t)U(a, 112, 6);
        T(a, 118, c->portname, sizeof c->portname);
        T(a, 238, c->destination, sizeof c->destination);
        c->lon = S(a, 268, 25);
        c->lat = S(a, 293, 24);
        out->kind = AW_APP_CLEARANCE_TIME;
        return true;
    }
    case 20: {
        aw_app_berthing *b = &out->u.berthing;
        b->linkage = (uint16_t)U(a, 88, 10);
        b->berth_length = (uint16_t)U(a, 98, 9);
        b->berth_depth = (uint8_t)U(a, 107, 8);
        b->position = (uint8_t)U(a, 115, 3);
        b->month = (uint8_t)U(a, 118, 4);
        b->day = (uint8_t)U(a, 122, 5);
        b->hour = (uint8_t)U(a, 127, 5);
        b->minute = (uint8_t)U(a, 132, 6);
        b->availability = U(a, 138, 1);
        uint8_t *svc[] = {&b->agent, &b->fuel, &b->chandler, &b->stevedore, &b->electrical,
                          &b->water, &b->customs, &b->cartage, &b->crane, &b->lift,
                          &b->medical, &b->navrepair, &b->provisions, &b->shiprepair,
                          &b->surveyor, &b->steam, &b->tugs, &b->solidwaste, &b->liquidwaste,
                          &b->hazardouswaste, &b->ballast, &b->additional, &b->regional1,
                          &b->regional2, &b->future1, &b->future2};
        for (size_t i = 0; i < sizeof svc / sizeof svc[0]; i++) *svc[i] = (uint8_t)U(a, 139 + 2 * i, 2);
        T(a, 191, b->berth_name, sizeof b->berth_name);
        b->berth_lon = S(a, 311, 25);
        b->berth_lat = S(a, 336, 24);
        out->kind = AW_APP_BERTHING_DATA;
        return true;
    }
    case 25: {
        aw_app_cargo289 *c = &out->u.cargo289;
        c->unit = (uint8_t)U(a, 88, 2);
        c->amount = (uint16_t)U(a, 90, 10);
        unsigned n = 0;
        for (; 100 + 17 * (size_t)n < a->nbits && n < AW_APP_MAX_CARGOS; n++) {
            c->cargos[n].code = (uint8_t)U(a, 100 + 17 * (size_t)n, 4);
            c->cargos[n].subtype = (uint16_t)U(a, 104 + 17 * (size_t)n, 13);
        }
        c->ncargos = (uint8_t)n;
        out->kind = AW_APP_DANGEROUS_CARGO_289;
        return true;
    }
    case 28:
        decode_route(a, 88, out);
        out->kind = AW_APP_ROUTE_INFO;
        return true;
    case 30:
        out->u.text.linkage = (uint16_t)U(a, 88, 10);
        /* gpsd's buffer for the addressed text holds 153 characters */
        T_rest(a, 98, out->u.text.text, 154);
        out->kind = AW_APP_TEXT_DESCRIPTION;
        return true;
    case 32:
        decode_tidal(a, false, out);
        out->kind = AW_APP_TIDAL_WINDOW_289;
        return true;
    }
    return false;
}

static void decode_met236(const appbits *a, aw_app_met_hydro *m) {
    m->lat = S(a, 56, 24);
    m->lon = S(a, 80, 25);
    m->accuracy = false;
    m->day = (uint8_t)U(a, 105, 5);
    m->hour = (uint8_t)U(a, 110, 5);
    m->minute = (uint8_t)U(a, 115, 6);
    m->wspeed = (uint8_t)U(a, 121, 7);
    m->wgust = (uint8_t)U(a, 128, 7);
    m->wdir = (uint16_t)U(a, 135, 9);
    m->wgustdir = (uint16_t)U(a, 144, 9);
    m->airtemp = (int16_t)U(a, 153, 11);
    m->humidity = (uint8_t)U(a, 164, 7);
    m->dewpoint = (int16_t)U(a, 171, 10);
    m->pressure = (uint16_t)U(a, 181, 9);
    m->pressuretend = (uint8_t)U(a, 190, 2);
    m->visgreater = false;
    m->visibility = (uint8_t)U(a, 192, 8);
    m->waterlevel = (int16_t)U(a, 200, 9);
    m->leveltrend = (uint8_t)U(a, 209, 2);
    m->cspeed = (uint8_t)U(a, 211, 8);
    m->cdir = (uint16_t)U(a, 219, 9);
    m->cspeed2 = (uint8_t)U(a, 228, 8);
    m->cdir2 = (uint16_t)U(a, 236, 9);
    m->cdepth2 = (uint8_t)U(a, 245, 5);
    m->cspeed3 = (uint8_t)U(a, 250, 8);
    m->cdir3 = (uint16_t)U(a, 258, 9);
    m->cdepth3 = (uint8_t)U(a, 267, 5);
    m->waveheight = (uint8_t)U(a, 272, 8);
    m->waveperiod = (uint8_t)U(a, 280, 6);
    m->wavedir = (uint16_t)U(a, 286, 9);
    m->swellheight = (uint8_t)U(a, 295, 8);
    m->swellperiod = (uint8_t)U(a, 303, 6);
    m->swelldir = (uint16_t)U(a, 309, 9);
    m->seastate = (uint8_t)U(a, 318, 4);
    m->watertemp = (int16_t)U(a, 322, 10);
    m->preciptype = (uint8_t)U(a, 332, 3);
    m->salinity = (uint16_t)U(a, 335, 9);
    m->ice = (uint8_t)U(a, 344, 2);
}

static void decode_met289(const appbits *a, aw_app_met_hydro *m) {
    m->lon = S(a, 56, 25);
    m->lat = S(a, 81, 24);
    m->accuracy = U(a, 105, 1);
    m->day = (uint8_t)U(a, 106, 5);
    m->hour = (uint8_t)U(a, 111, 5);
    m->minute = (uint8_t)U(a, 116, 6);
    m->wspeed = (uint8_t)U(a, 122, 7);
    m->wgust = (uint8_t)U(a, 129, 7);
    m->wdir = (uint16_t)U(a, 136, 9);
    m->wgustdir = (uint16_t)U(a, 145, 9);
    m->airtemp = (int16_t)S(a, 154, 11);
    m->humidity = (uint8_t)U(a, 165, 7);
    m->dewpoint = (int16_t)S(a, 172, 10);
    m->pressure = (uint16_t)U(a, 182, 9);
    m->pressuretend = (uint8_t)U(a, 191, 2);
    m->visgreater = U(a, 193, 1);
    m->visibility = (uint8_t)U(a, 194, 7);
    m->waterlevel = (int16_t)U(a, 201, 12);
    m->leveltrend = (uint8_t)U(a, 213, 2);
    m->cspeed = (uint8_t)U(a, 215, 8);
    m->cdir = (uint16_t)U(a, 223, 9);
    m->cspeed2 = (uint8_t)U(a, 232, 8);
    m->cdir2 = (uint16_t)U(a, 240, 9);
    m->cdepth2 = (uint8_t)U(a, 249, 5);
    m->cspeed3 = (uint8_t)U(a, 254, 8);
    m->cdir3 = (uint16_t)U(a, 262, 9);
    m->cdepth3 = (uint8_t)U(a, 271, 5);
    m->waveheight = (uint8_t)U(a, 276, 8);
    m->waveperiod = (uint8_t)U(a, 284, 6);
    m->wavedir = (uint16_t)U(a, 290, 9);
    m->swellheight = (uint8_t)U(a, 299, 8);
    m->swellperiod = (uint8_t)U(a, 307, 6);
    m->swelldir = (uint16_t)U(a, 313, 9);
    m->seastate = (uint8_t)U(a, 322, 4);
    m->watertemp = (int16_t)S(a, 326, 10);
    m->preciptype = (uint8_t)U(a, 336, 3);
    m->salinity = (uint16_t)U(a, 339, 9);
    m->ice = (uint8_t)U(a, 348, 2);
}

static bool decode_type8(const appbits *a, unsigned dac, unsigned fid, aw_app *out) {
    size_t bitcount = a->nbits - 56;
    if (dac == 1) {
        switch (fid) {
        case 11:
            decode_met236(a, &out->u.met);
            out->kind = AW_APP_MET_HYDRO_236;
            return true;
        case 13: {
            aw_app_fairway *f = &out->u.fairway;
            T(a, 56, f->reason, sizeof f->reason);
            T(a, 176, f->closefrom, sizeof f->closefrom);
            T(a, 296, f->closeto, sizeof f->closeto);
            f->radius = (uint16_t)U(a, 416, 10);
            f->extunit = (uint8_t)U(a, 426, 2);
            f->fday = (uint8_t)U(a, 428, 5);
            f->fmonth = (uint8_t)U(a, 433, 4);
            f->fhour = (uint8_t)U(a, 437, 5);
            f->fminute = (uint8_t)U(a, 442, 6);
            f->tday = (uint8_t)U(a, 448, 5);
            f->tmonth = (uint8_t)U(a, 453, 4);
            f->thour = (uint8_t)U(a, 457, 5);
            f->tminute = (uint8_t)U(a, 462, 6);
            out->kind = AW_APP_FAIRWAY_CLOSED;
            return true;
        }
        case 15:
            out->u.ext_ship.airdraught = (uint16_t)U(a, 56, 11);
            out->kind = AW_APP_EXT_SHIP_STATIC;
            return true;
        case 16:
            /* IMO289 sends 136 data bits, IMO236 72; anything else is not this message. */
            if (bitcount == 136) out->u.persons.persons = (uint16_t)U(a, 88, 13);
            else if (bitcount == 72) out->u.persons.persons = (uint16_t)U(a, 55, 13);
            else return false;
            out->kind = AW_APP_PERSONS_ON_BOARD;
            return true;
        case 17: {
            unsigned n = 0;
            for (; 56 + 122 * (size_t)n <= a->nbits && n < AW_APP_MAX_TARGETS; n++) {
                size_t at = 56 + 122 * (size_t)n;
                aw_app_target *t = &out->u.vts.targets[n];
                memset(t, 0, sizeof *t);
                t->idtype = (uint8_t)U(a, at, 2);
                if (t->idtype < 2) t->id = U(a, at + 12, 32); /* low 32 of 42 bits */
                else T(a, at + 2, t->id_text, sizeof t->id_text);
                t->lat = S(a, at + 48, 24);
                t->lon = S(a, at + 72, 25);
                t->course = (uint16_t)U(a, at + 97, 9);
                t->second = (uint8_t)U(a, at + 106, 6);
                t->speed = (uint16_t)U(a, at + 112, 10);
            }
            out->u.vts.ntargets = (uint8_t)n;
            out->kind = AW_APP_VTS_TARGETS;
            return true;
        }
        case 19: {
            aw_app_signal *s = &out->u.signal;
            s->linkage = (uint16_t)U(a, 56, 10);
            T(a, 66, s->station, sizeof s->station);
            s->lon = S(a, 186, 25);
            s->lat = S(a, 211, 24);
            s->status = (uint8_t)U(a, 235, 2);
            s->signal = (uint8_t)U(a, 237, 5);
            s->hour = (uint8_t)U(a, 242, 5);
            s->minute = (uint8_t)U(a, 247, 6);
            s->nextsignal = (uint8_t)U(a, 253, 5);
            out->kind = AW_APP_TRAFFIC_SIGNAL;
            return true;
        }
        case 27:
            decode_route(a, 56, out);
            out->kind = AW_APP_ROUTE_INFO;
            return true;
        case 29:
            out->u.text.linkage = (uint16_t)U(a, 56, 10);
            T_rest(a, 66, out->u.text.text, AW_APP_TEXT_MAX);
            out->kind = AW_APP_TEXT_DESCRIPTION;
            return true;
        case 31:
            decode_met289(a, &out->u.met);
            out->kind = AW_APP_MET_HYDRO_289;
            return true;
        }
        return false;
    }
    if (dac != 200) return false;
    switch (fid) {
    case 10: {
        if (a->nbits != 168) return false;
        aw_app_inland_static *s = &out->u.inland_static;
        s->hazard = (uint8_t)U(a, 141, 3);
        /* gpsd's guard against foreign messages reusing 200/10: hazard codes stop at 5 */
        if (s->hazard > 5) return false;
        T(a, 56, s->vin, sizeof s->vin);
        s->length = (uint16_t)U(a, 104, 13);
        s->beam = (uint16_t)U(a, 117, 10);
        s->shiptype = (uint16_t)U(a, 127, 14);
        s->draught = (uint16_t)U(a, 144, 11);
        s->loaded = (uint8_t)U(a, 155, 2);
        s->speed_q = U(a, 157, 1);
        s->course_q = U(a, 158, 1);
        s->heading_q = U(a, 159, 1);
        out->kind = AW_APP_INLAND_STATIC;
        return true;
    }
    case 23: {
        if (a->nbits != 256) return false;
        aw_app_emma *e = &out->u.emma;
        e->start_year = (uint8_t)U(a, 56, 8);
        e->start_month = (uint8_t)U(a, 64, 4);
        e->start_day = (uint8_t)U(a, 68, 5);
        e->end_year = (uint8_t)U(a, 73, 8);
        e->end_month = (uint8_t)U(a, 81, 4);
        e->end_day = (uint8_t)U(a, 85, 5);
        e->start_hour = (uint8_t)U(a, 90, 5);
        e->start_minute = (uint8_t)U(a, 95, 6);
        e->end_hour = (uint8_t)U(a, 101, 5);
        e->end_minute = (uint8_t)U(a, 106, 6);
        e->start_lon = S(a, 112, 28);
        e->start_lat = S(a, 140, 27);
        e->end_lon = S(a, 167, 28);
        e->end_lat = S(a, 195, 27);
        e->type = (uint8_t)U(a, 222, 4);
        e->min = (int16_t)S(a, 226, 9);
        e->max = (int16_t)S(a, 235, 9);
        e->intensity = (uint8_t)U(a, 244, 2);
        e->wind = (uint8_t)U(a, 246, 4);
        out->kind = AW_APP_EMMA_WARNING;
        return true;
    }
    case 24: {
        if (a->nbits != 168) return false;
        aw_app_water_level *w = &out->u.water_level;
        T(a, 56, w->country, sizeof w->country);
        unsigned n = 0;
        for (; 68 + 25 * (size_t)n < a->nbits && n < AW_APP_MAX_GAUGES; n++) {
            w->gauges[n].id = (uint16_t)U(a, 68 + 25 * (size_t)n, 11);
            w->gauges[n].level = (int16_t)S(a, 79 + 25 * (size_t)n, 14);
        }
        w->ngauges = (uint8_t)n;
        out->kind = AW_APP_WATER_LEVEL;
        return true;
    }
    case 40: {
        if (a->nbits != 168) return false;
        aw_app_signal_status *s = &out->u.signal_status;
        s->lon = S(a, 56, 28);
        s->lat = S(a, 84, 27);
        s->form = (uint8_t)U(a, 111, 4);
        s->facing = (uint16_t)U(a, 115, 9);
        s->direction = (uint8_t)U(a, 124, 3);
        s->status = U(a, 127, 30);
        out->kind = AW_APP_SIGNAL_STATUS;
        return true;
    }
    }
    return false;
}

bool aw_app_decode(const aw_msg *m, aw_app *out) {
    out->kind = AW_APP_RAW;
    if (m->msg_type != 6 && m->msg_type != 8) return false;
    appbits a;
    rebuild(m, &a);
    bool ok = m->msg_type == 6 ? decode_type6(&a, m->u.bin.dac, m->u.bin.fid, out)
                               : decode_type8(&a, m->u.bin.dac, m->u.bin.fid, out);
    if (!ok) out->kind = AW_APP_RAW;
    return ok;
}
