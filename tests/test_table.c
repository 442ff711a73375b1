/* test_table.c — the table readers on their real samples (NOAA, Ever Given CSV with a
 * --columns mapping, GFW JSON lines), on a small DMA sample in tests/data, and on
 * hand-made bad rows, quoting, BOMs and detection. */
#include "check.h"

#include "aiswatch/table.h"

#include <stdint.h>

typedef struct got {
    aw_msg m;
    int64_t t;
    uint64_t line;
} got;

typedef struct coll {
    got *v;
    size_t n, cap;
    size_t nrej;
    uint64_t rej_line[64];
    aw_reject rej_reason[64];
} coll;

static void on_msg(void *ctx, const aw_msg *m, const aw_msg_meta *meta) {
    coll *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        if (!c->v) abort();
    }
    c->v[c->n++] = (got){*m, meta->time_ms, meta->line_no};
    CHECK(meta->source == NULL);
}

static void on_reject(void *ctx, uint64_t line_no, aw_reject reason, const char *line, size_t len) {
    coll *c = ctx;
    (void)line, (void)len;
    if (c->nrej < 64) {
        c->rej_line[c->nrej] = line_no;
        c->rej_reason[c->nrej] = reason;
    }
    c->nrej++;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) abort();
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

/* Detects and reads a whole buffer; returns the format. */
static int read_all(const char *buf, size_t len, const char *columns, aw_decode_stats *st, coll *c) {
    aw_table_map map;
    char err[200];
    memset(st, 0, sizeof *st);
    memset(c, 0, sizeof *c);
    int fmt = aw_table_detect(buf, len, columns, &map, err, sizeof err);
    if (fmt <= 0) return fmt;
    aw_table_lines(&map, buf, len, 1, st, on_msg, on_reject, c);
    return fmt;
}

static int read_file(const char *rel, const char *columns, aw_decode_stats *st, coll *c, char **keep) {
    char path[512];
    size_t len;
    char *buf = slurp(check_data_path(rel, path, sizeof path), &len);
    int fmt = read_all(buf, len, columns, st, c);
    if (keep) *keep = buf;
    else free(buf);
    return fmt;
}

static const got *find_line(const coll *c, uint64_t line, int type) {
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].line == line && c->v[i].m.msg_type == type) return &c->v[i];
    return NULL;
}

static uint64_t total_rejects(const aw_decode_stats *st) {
    uint64_t n = 0;
    for (int i = 0; i < AW_REJ_COUNT; i++) n += st->rejects[i];
    return n;
}

/* Degrees as written ("43.07917", "-70.757") to 1/10000 minute, independently of the
 * library: decimal digits scaled exactly, the sample values have at most 5 decimals. */
static long long text_to_raw(const char *s, size_t n) {
    long long v = 0;
    int frac = -1;
    bool neg = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-') neg = true;
        else if (s[i] == '.') frac = 0;
        else {
            v = v * 10 + (s[i] - '0');
            if (frac >= 0) frac++;
        }
    }
    if (frac < 0) frac = 0;
    for (; frac < 5; frac++) v *= 10;
    return (neg ? -v : v) * 6;
}

/* Field `k` (0-based) of a comma-separated line. */
static bool nth_field(const char *line, const char *end, int k, const char **s, size_t *n) {
    for (int i = 0; i < k; i++) {
        line = memchr(line, ',', (size_t)(end - line));
        if (!line) return false;
        line++;
    }
    const char *e = memchr(line, ',', (size_t)(end - line));
    if (!e) e = end;
    *s = line;
    *n = (size_t)(e - line);
    return true;
}

/* Every position of a sample comes back to the digits of its table, exactly. */
static void check_roundtrip(const char *buf, size_t len, const coll *c, int lat_col, int lon_col) {
    const char *p = buf, *end = buf + len;
    uint64_t line = 0;
    size_t i = 0, checked = 0, bad = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le > p && le[-1] == '\r') le--;
        line++;
        while (i < c->n && c->v[i].line < line) i++;
        if (i < c->n && c->v[i].line == line) {
            const aw_msg *m = &c->v[i].m;
            int32_t lat = m->msg_type == 18 ? m->u.cb.lat : m->u.pos.lat;
            int32_t lon = m->msg_type == 18 ? m->u.cb.lon : m->u.pos.lon;
            const char *s;
            size_t n;
            if (nth_field(p, le, lat_col, &s, &n) && text_to_raw(s, n) != lat) bad++;
            if (nth_field(p, le, lon_col, &s, &n) && text_to_raw(s, n) != lon) bad++;
            checked++;
        }
        p = nl ? nl + 1 : end;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(checked > 0);
}

static void noaa_sample_reads_every_row_with_its_static_data(void) {
    aw_decode_stats st;
    coll c;
    char *buf;
    CHECK_EQ_INT(read_file("positions/noaa-marinecadastre/test_data_noaa_20230101.csv", NULL, &st, &c, &buf),
                 AW_TABLE_NOAA);
    CHECK_EQ_INT(st.lines, 1001);
    CHECK_EQ_INT(st.comments, 1);
    CHECK_EQ_INT(total_rejects(&st), 0);
    CHECK_EQ_INT(st.by_type[1], 954);
    CHECK_EQ_INT(st.by_type[18], 46);
    CHECK_EQ_INT(st.by_type[5], 952);
    CHECK_EQ_INT(st.by_type[24], 92);
    CHECK_EQ_INT(st.messages, 954 + 46 + 952 + 92);
    CHECK_EQ_INT(st.untimed, 0);

    /* 636021061,2023-01-11T00:00:00,26.09241,-80.04806,8.8,272.7,270.0,MSC NAISHA III,
     * IMO9307839,5LCB4,70,8.0,208.0,30.0,8.0,70.0,A */
    const got *g = find_line(&c, 3, 1);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_INT(g->m.mmsi, 636021061);
        CHECK_EQ_INT(g->t, 1673395200000LL);
        CHECK_EQ_INT(g->m.u.pos.lat, 15655446);
        CHECK_EQ_INT(g->m.u.pos.lon, -48028836);
        CHECK_EQ_INT(g->m.u.pos.speed, 88);
        CHECK_EQ_INT(g->m.u.pos.course, 2727);
        CHECK_EQ_INT(g->m.u.pos.heading, 270);
        CHECK_EQ_INT(g->m.u.pos.status, 8);
        CHECK_EQ_INT(g->m.u.pos.second, 0);
    }
    g = find_line(&c, 3, 5);
    CHECK(g != NULL && g > find_line(&c, 3, 1)); /* static after position */
    if (g) {
        CHECK_EQ_INT(g->m.u.voy.imo, 9307839);
        CHECK_EQ_STR(g->m.u.voy.shipname, "MSC NAISHA III");
        CHECK_EQ_STR(g->m.u.voy.callsign, "5LCB4");
        CHECK_EQ_INT(g->m.u.voy.shiptype, 70);
        CHECK_EQ_INT(g->m.u.voy.to_bow, 208);
        CHECK_EQ_INT(g->m.u.voy.to_stern, 0);
        CHECK_EQ_INT(g->m.u.voy.to_port, 30);
        CHECK_EQ_INT(g->m.u.voy.draught, 80);
        CHECK_EQ_STR(g->m.u.voy.destination, "");
    }
    /* 367752440 ... COG 360.0 and heading 95: COG 360 is the protocol's n/a code. */
    g = find_line(&c, 2, 1);
    CHECK(g && g->m.u.pos.course == AW_COURSE_NA && g->m.u.pos.heading == 95 && g->m.u.pos.status == 0);
    /* Class B: 338228393 GITANA, ship type 37, no dimensions, Heading 511. */
    for (size_t i = 0; i < c.n; i++) {
        if (c.v[i].m.mmsi != 338228393) continue;
        const aw_msg *m = &c.v[i].m;
        if (m->msg_type == 18) {
            CHECK_EQ_INT(m->u.cb.heading, AW_HEADING_NA);
            CHECK_EQ_INT(m->u.cb.course, 2082);
            CHECK_EQ_INT(m->u.cb.second, 13);
        } else if (m->msg_type == 24 && m->u.sb.partno == 0) {
            CHECK_EQ_STR(m->u.sb.shipname, "GITANA");
        } else if (m->msg_type == 24) {
            CHECK_EQ_INT(m->u.sb.shiptype, 37);
        } else {
            CHECK(false);
        }
    }
    /* An IMO column holding a ten-digit number that still fits the 30-bit field. */
    g = find_line(&c, 271, 5);
    CHECK(g && g->m.u.voy.imo == 1050000000 && g->m.u.voy.draught == 25);
    check_roundtrip(buf, strlen(buf), &c, 2, 3);
    free(buf);
    free(c.v);
}

static void evergiven_csv_reads_with_a_column_mapping(void) {
    aw_decode_stats st;
    coll c;
    char *buf;
    CHECK_EQ_INT(read_file("positions/movingpandas-evergiven/boat-positions.csv",
                           "mmsi=ID,time=ais_pos_timestamp,lon=longitude,lat=latitude;time=dayfirst", &st, &c,
                           &buf),
                 AW_TABLE_CSV_MAPPED);
    CHECK_EQ_INT(st.lines, 22288);
    CHECK_EQ_INT(st.comments, 1); /* the header, behind its BOM */
    CHECK_EQ_INT(total_rejects(&st), 0);
    CHECK_EQ_INT(st.by_type[1], 22287);
    CHECK_EQ_INT(st.messages, 22287);
    uint8_t seen[257] = {0};
    size_t distinct = 0;
    for (size_t i = 0; i < c.n; i++) {
        uint32_t id = c.v[i].m.mmsi;
        if (id <= 256 && !seen[id]) seen[id] = 1, distinct++;
    }
    CHECK_EQ_INT(distinct, 256);
    /* 1,20/03/2021 00:22,32.32925,31.4386 */
    CHECK(c.n > 0 && c.v[0].line == 2 && c.v[0].m.mmsi == 1 && c.v[0].t == 1616199720000LL);
    CHECK(c.n > 0 && c.v[0].m.u.pos.lat == 18863160 && c.v[0].m.u.pos.lon == 19397550);
    CHECK(c.n > 0 && c.v[0].m.u.pos.speed == AW_SPEED_NA && c.v[0].m.u.pos.status == 15 &&
          c.v[0].m.u.pos.heading == AW_HEADING_NA && c.v[0].m.u.pos.second == 0);
    check_roundtrip(buf, strlen(buf), &c, 3, 2);
    free(buf);
    free(c.v);

    /* The same by 1-based column numbers. */
    CHECK_EQ_INT(read_file("positions/movingpandas-evergiven/boat-positions.csv", "mmsi=1,time=2,lon=3,lat=4;time=dayfirst",
                           &st, &c, NULL),
                 AW_TABLE_CSV_MAPPED);
    CHECK_EQ_INT(st.by_type[1], 22287);
    CHECK_EQ_INT(st.comments, 1);
    CHECK_EQ_INT(total_rejects(&st), 0);
    free(c.v);
}

static void gfw_json_lines_read_with_not_available_positions_kept(void) {
    aw_decode_stats st;
    coll c;
    CHECK_EQ_INT(read_file("positions/gfw-gpsdio-segment/416000000.json", NULL, &st, &c, NULL), AW_TABLE_JSONL);
    CHECK_EQ_INT(st.lines, 1668);
    CHECK_EQ_INT(total_rejects(&st), 0);
    CHECK_EQ_INT(st.by_type[1], 1668);
    CHECK_EQ_INT(st.messages, 1668);
    /* {"ssvid": 416000000, "lat": 22.568214416503906, "lon": 120.31088256835938,
     *  "timestamp": "2014-01-01 01:14:25.000000", "course": 0, "speed": 0} */
    CHECK(c.n > 0 && c.v[0].m.mmsi == 416000000 && c.v[0].t == 1388538865000LL);
    CHECK(c.n > 0 && c.v[0].m.u.pos.lat == 13540929 && c.v[0].m.u.pos.lon == 72186530);
    CHECK(c.n > 0 && c.v[0].m.u.pos.speed == 0 && c.v[0].m.u.pos.course == 0 && c.v[0].m.u.pos.second == 25);
    size_t outside = 0;
    for (size_t i = 0; i < c.n; i++)
        outside += c.v[i].m.u.pos.lat == AW_LAT_NA || c.v[i].m.u.pos.lon == AW_LON_NA;
    CHECK_EQ_INT(outside, 0);
    free(c.v);

    /* 263576000.json: 19 rows with null positions and one with lat 91 / lon 181 / speed
     * 102.3 / course 360 (line 219): positions without a place, not rejects. */
    CHECK_EQ_INT(read_file("positions/gfw-gpsdio-segment/263576000.json", NULL, &st, &c, NULL), AW_TABLE_JSONL);
    CHECK_EQ_INT(total_rejects(&st), 0);
    CHECK_EQ_INT(st.by_type[1], 948);
    size_t na = 0;
    for (size_t i = 0; i < c.n; i++) na += c.v[i].m.u.pos.lat == AW_LAT_NA && c.v[i].m.u.pos.lon == AW_LON_NA;
    CHECK_EQ_INT(na, 20);
    const got *g = find_line(&c, 219, 1);
    CHECK(g && g->m.u.pos.lat == AW_LAT_NA && g->m.u.pos.lon == AW_LON_NA && g->m.u.pos.speed == AW_SPEED_NA &&
          g->m.u.pos.course == AW_COURSE_NA);
    g = find_line(&c, 1, 1); /* -23.2656002045, 97.1636123657, speed 2.2999999523, course 267.0 */
    CHECK(g && g->m.u.pos.lat == -13959360 && g->m.u.pos.speed == 23 && g->m.u.pos.course == 2670);
    free(c.v);
}

static void dma_csv_maps_text_columns_and_station_kinds(void) {
    char path[512];
    const char *src = getenv("AW_SRC");
    snprintf(path, sizeof path, "%s/tests/data/dma_aisdk_sample.csv", src ? src : "..");
    size_t len;
    char *buf = slurp(path, &len);
    CHECK(buf != NULL);
    if (!buf) return;
    aw_decode_stats st;
    coll c;
    CHECK_EQ_INT(read_all(buf, len, NULL, &st, &c), AW_TABLE_DMA);
    CHECK_EQ_INT(st.comments, 1);
    CHECK_EQ_INT(total_rejects(&st), 0);
    CHECK_EQ_INT(st.by_type[1], 6);
    CHECK_EQ_INT(st.by_type[5], 4);
    CHECK_EQ_INT(st.by_type[18], 1);
    CHECK_EQ_INT(st.by_type[24], 2);
    CHECK_EQ_INT(st.by_type[4], 1);
    CHECK_EQ_INT(st.by_type[21], 1);
    CHECK_EQ_INT(st.by_type[9], 1);
    CHECK_EQ_INT(st.messages, 16);

    const got *g = find_line(&c, 2, 4); /* Base Station: date and time in the report */
    CHECK(g && g->m.mmsi == 2190068 && g->m.u.base.year == 2024 && g->m.u.base.month == 3 && g->m.u.base.day == 1 &&
          g->m.u.base.hour == 0 && g->m.u.base.lat == 33286160);
    g = find_line(&c, 3, 1);
    CHECK(g && g->m.u.pos.status == 5 && g->m.u.pos.heading == 17 && g->t == 1709251200000LL);
    g = find_line(&c, 4, 1);
    CHECK(g && g->m.u.pos.status == 0 && g->m.u.pos.speed == 112 && g->t == 1709251201000LL);
    g = find_line(&c, 4, 5);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_INT(g->m.u.voy.imo, 9361639);
        CHECK_EQ_STR(g->m.u.voy.shipname, "KATTEGAT EXPRESS");
        CHECK_EQ_STR(g->m.u.voy.callsign, "OZBK2");
        CHECK_EQ_STR(g->m.u.voy.destination, "DKAAR");
        CHECK_EQ_INT(g->m.u.voy.shiptype, 70);
        CHECK_EQ_INT(g->m.u.voy.draught, 61);
        /* A/B/C/D win over length and width. */
        CHECK(g->m.u.voy.to_bow == 118 && g->m.u.voy.to_stern == 24 && g->m.u.voy.to_port == 12 &&
              g->m.u.voy.to_starboard == 11);
    }
    g = find_line(&c, 5, 18);
    CHECK(g && g->m.u.cb.speed == 43 && g->m.u.cb.heading == AW_HEADING_NA);
    for (size_t i = 0; i < c.n; i++) {
        if (c.v[i].line != 5 || c.v[i].m.msg_type != 24) continue;
        if (c.v[i].m.u.sb.partno == 0) {
            CHECK_EQ_STR(c.v[i].m.u.sb.shipname, "ARO FARGEN"); /* ÆRØ FÆRGEN folded to six-bit */
        } else {
            CHECK_EQ_INT(c.v[i].m.u.sb.shiptype, 36);
            CHECK_EQ_STR(c.v[i].m.u.sb.callsign, "5QX219");
            CHECK_EQ_INT(c.v[i].m.u.sb.to_bow, 8);
        }
    }
    g = find_line(&c, 6, 21);
    CHECK(g && g->m.mmsi == 992191010);
    if (g) CHECK_EQ_STR(g->m.u.aton.name, "MIDDELFART N");
    g = find_line(&c, 7, 1);
    CHECK(g && g->m.u.pos.status == 7);
    g = find_line(&c, 7, 5);
    CHECK(g && g->m.u.voy.shiptype == 30 && g->m.u.voy.imo == 0);
    if (g) CHECK_EQ_STR(g->m.u.voy.destination, "FISHING GROUND");
    g = find_line(&c, 8, 5);
    CHECK(g && g->m.u.voy.shiptype == 80 && g->m.u.voy.draught == 108);
    g = find_line(&c, 9, 9);
    CHECK(g && g->m.mmsi == 111219503 && g->m.u.sar.speed == 118 && g->m.u.sar.course == 900);
    g = find_line(&c, 10, 1);
    CHECK(g && g->m.u.pos.status == 1);
    g = find_line(&c, 10, 5);
    CHECK(g && g->m.u.voy.shiptype == 60);
    CHECK(find_line(&c, 11, 5) == NULL); /* no static columns: no type 5 */
    free(c.v);
    free(buf);
}

static void bad_rows_are_counted_with_their_line_numbers(void) {
    static const char text[] =
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n"
        "367752440,2023-01-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n" /* 2 ok */
        "367752440,2023-01-11T00:00:00,4x.07917,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n" /* 3 */
        "367752440,2023-01-11T00:00:00,43.07917\n"                                                             /* 4 */
        "367752440,2023-01-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,SAN \xC3\x28OSE,,WDI9818,31,0.0,,,,52.0,A\n" /* 5 */
        "367752440,2023-01-11T00:00:00,95.0,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n"   /* 6 */
        "0,2023-01-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n"       /* 7 */
        "367752440,2023-13-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n" /* 8 */
        "\n"                                                                                                     /* 9 */
        "367752440,,43.07917,-70.75733,0.0,360.0,95.0,,,,,0.0,,,,,A\n"                                      /* 10 untimed */
        "367752440,2023-01-11T00:00:00,43.07917,-180.5,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n"  /* 11 */
        "367752440,2023-01-11T00:00:00,43.07917,-70.75733,0.0,36O.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A\n" /* 12 */
        "367752440,2023-01-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31,0.0,,,,52.0,A,extra\n" /* 13 */
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n" /* 14 */
        "1234567890,2023-01-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,,,,,0.0,,,,,A\n";                  /* 15 */
    size_t len = sizeof text - 1;
    /* A NUL inside row 16, built separately since a string literal would end there. */
    char buf[4096];
    memcpy(buf, text, len);
    static const char nul_row[] = "367752440,2023-01-11T00:00:00,43.07917,-70.75733,0.0,360.0,95.0,SAN\0JOSE,,,,0.0,,,,,A\n";
    memcpy(buf + len, nul_row, sizeof nul_row - 1);
    len += sizeof nul_row - 1;

    aw_decode_stats st;
    coll c;
    CHECK_EQ_INT(read_all(buf, len, NULL, &st, &c), AW_TABLE_NOAA);
    CHECK_EQ_INT(st.lines, 16);
    CHECK_EQ_INT(st.comments, 3);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_FIELD], 7);
    CHECK_EQ_INT(st.rejects[AW_REJ_SHORT_ROW], 2);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_ENCODING], 2);
    CHECK_EQ_INT(st.by_type[1], 2);
    CHECK_EQ_INT(st.by_type[5], 1);
    CHECK_EQ_INT(st.untimed, 1);
    CHECK_EQ_INT(st.bytes, len);
    static const uint64_t want_line[] = {3, 4, 5, 6, 7, 8, 11, 12, 13, 15, 16};
    static const aw_reject want_reason[] = {AW_REJ_BAD_FIELD, AW_REJ_SHORT_ROW, AW_REJ_BAD_ENCODING,
                                            AW_REJ_BAD_FIELD, AW_REJ_BAD_FIELD, AW_REJ_BAD_FIELD,
                                            AW_REJ_BAD_FIELD, AW_REJ_BAD_FIELD, AW_REJ_SHORT_ROW,
                                            AW_REJ_BAD_FIELD, AW_REJ_BAD_ENCODING};
    CHECK_EQ_INT(c.nrej, 11);
    for (size_t i = 0; i < 11 && i < c.nrej; i++) {
        CHECK_EQ_INT(c.rej_line[i], want_line[i]);
        CHECK_EQ_INT(c.rej_reason[i], want_reason[i]);
    }
    const got *g = find_line(&c, 10, 1);
    CHECK(g && g->t == AW_TIME_NONE && g->m.u.pos.second == 60);
    free(c.v);

    /* A chunk that starts mid-file keeps the caller's line numbers. */
    aw_table_map map;
    char err[128];
    CHECK_EQ_INT(aw_table_detect(text, sizeof text - 1, NULL, &map, err, sizeof err), AW_TABLE_NOAA);
    memset(&st, 0, sizeof st);
    memset(&c, 0, sizeof c);
    const char *chunk = text;
    for (int i = 0; i < 6; i++) chunk = strchr(chunk, '\n') + 1;
    aw_table_lines(&map, chunk, strlen(chunk), 7, &st, on_msg, on_reject, &c);
    CHECK(c.nrej > 0 && c.rej_line[0] == 7 && c.rej_reason[0] == AW_REJ_BAD_FIELD);
    CHECK(find_line(&c, 10, 1) != NULL);
    CHECK_EQ_INT(st.comments, 2); /* the blank line and the header met again */
    free(c.v);
}

static void detection_tells_each_format_and_leaves_nmea(void) {
    aw_table_map map;
    char err[200];
    static const char nmea[] = "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n";
    CHECK_EQ_INT(aw_table_detect(nmea, sizeof nmea - 1, NULL, &map, err, sizeof err), AW_TABLE_NONE);
    static const char tagged[] = "\\s:rORBCOMM000,c:1426118400*7A\\!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\n";
    CHECK_EQ_INT(aw_table_detect(tagged, sizeof tagged - 1, NULL, &map, err, sizeof err), AW_TABLE_NONE);
    static const char logcsv[] = "timestamp,message\n1489165201,!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n";
    CHECK_EQ_INT(aw_table_detect(logcsv, sizeof logcsv - 1, NULL, &map, err, sizeof err), AW_TABLE_NONE);
    CHECK_EQ_INT(aw_table_detect("", 0, NULL, &map, err, sizeof err), AW_TABLE_NONE);
    static const char bom_noaa[] = "\xEF\xBB\xBFMMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
                                   "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\r\n";
    CHECK_EQ_INT(aw_table_detect(bom_noaa, sizeof bom_noaa - 1, NULL, &map, err, sizeof err), AW_TABLE_NOAA);
    CHECK(map.ncols == 17 && map.col[AW_COL_CLASS] == 16 && map.col[AW_COL_DRAUGHT] == 14 && map.has_header);
    static const char json[] = "{\"mmsi\": 1, \"lat\": 1, \"lon\": 2}\n";
    CHECK_EQ_INT(aw_table_detect(json, sizeof json - 1, NULL, &map, err, sizeof err), AW_TABLE_JSONL);
    static const char dma[] = "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,"
                              "Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing "
                              "device,Draught,Destination,ETA,Data source type,A,B,C,D\n";
    CHECK_EQ_INT(aw_table_detect(dma, sizeof dma - 1, NULL, &map, err, sizeof err), AW_TABLE_DMA);
    CHECK(map.time_form == AW_TIME_DAYFIRST && map.col[AW_COL_TO_STARBOARD] == 25 && map.col[AW_COL_STATUS] == 5);

    /* --columns that do not fit the header say why. */
    static const char hdr[] = "ID,when,x,y\n1,2021-03-20 00:22,32.3,31.4\n";
    CHECK_EQ_INT(aw_table_detect(hdr, sizeof hdr - 1, "mmsi=ID,lat=y", &map, err, sizeof err), -1);
    CHECK(strstr(err, "lat and lon") != NULL);
    CHECK_EQ_INT(aw_table_detect(hdr, sizeof hdr - 1, "mmsi=ID,lat=latitude,lon=x", &map, err, sizeof err), -1);
    CHECK(strstr(err, "latitude") != NULL);
    CHECK_EQ_INT(aw_table_detect(hdr, sizeof hdr - 1, "vessel=ID", &map, err, sizeof err), -1);
    CHECK(strstr(err, "vessel") != NULL);
    CHECK_EQ_INT(aw_table_detect(hdr, sizeof hdr - 1, "lat=y,lon=x", &map, err, sizeof err), -1);
    CHECK_EQ_INT(aw_table_detect(hdr, sizeof hdr - 1, "mmsi=9,lat=y,lon=x", &map, err, sizeof err), -1);
    CHECK_EQ_INT(aw_table_detect(hdr, sizeof hdr - 1, "mmsi=ID;time=weekday", &map, err, sizeof err), -1);
    CHECK_EQ_INT(aw_table_detect(hdr, sizeof hdr - 1, "mmsi=ID,time=when,lat=y,lon=x;tz=+01:00", &map, err,
                                 sizeof err),
                 AW_TABLE_CSV_MAPPED);
    CHECK_EQ_INT(map.utc_offset_s, 3600);
    aw_decode_stats st;
    coll c;
    memset(&st, 0, sizeof st);
    memset(&c, 0, sizeof c);
    aw_table_lines(&map, hdr, sizeof hdr - 1, 1, &st, on_msg, on_reject, &c);
    CHECK(c.n == 1 && c.v[0].t == 1616199720000LL - 3600000);
    free(c.v);
}

static void quoted_fields_delimiters_and_decimal_commas(void) {
    static const char text[] =
        "\"vessel id\";\"name\";\"lat\";\"lon\";\"when\"\n"
        "219000001;\"SMITH; \"\"JR\"\" boat\";55,5;12,25;\"01.03.2024 10:15\"\n"
        "219000002;\"unterminated;55,5;12,25;01.03.2024 10:15\n"
        "219000003;plain name;-0,0000025;0,0000025;01.03.2024 10:15:30.250\n";
    aw_decode_stats st;
    coll c;
    CHECK_EQ_INT(read_all(text, sizeof text - 1, "mmsi=vessel id,name=NAME,lat=lat,lon=lon,time=when;time=dayfirst",
                          &st, &c),
                 AW_TABLE_CSV_MAPPED);
    CHECK_EQ_INT(st.by_type[1], 2);
    CHECK_EQ_INT(st.by_type[5], 2);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_FIELD], 1);
    CHECK(c.nrej == 1 && c.rej_line[0] == 3);
    const got *g = find_line(&c, 2, 5);
    CHECK(g != NULL);
    if (g) CHECK_EQ_STR(g->m.u.voy.shipname, "SMITH; \"JR\" BOAT");
    g = find_line(&c, 2, 1);
    CHECK(g && g->m.u.pos.lat == 33300000 && g->m.u.pos.lon == 7350000 && g->t == 1709288100000LL);
    /* Half a unit rounds away from zero: ±1.5 -> ±2. */
    g = find_line(&c, 4, 1);
    CHECK(g && g->m.u.pos.lat == -2 && g->m.u.pos.lon == 2 && g->t == 1709288130250LL && g->m.u.pos.second == 30);
    free(c.v);
}

static void json_variants_keys_times_and_edge_values(void) {
    static const char text[] =
        "{\"mmsi\": \"219000001\", \"latitude\": 55.5, \"longitude\": 1.2e1, \"time\": 1709288100, \"sog\": 102.25,"
        " \"cog\": 359.96, \"heading\": 359.6, \"shipname\": \"NORD\\u00e6 \\\"X\\\"\", \"imo\": \"IMO9361639\","
        " \"extra\": {\"a\": [1, \"}\"]}, \"callsign\": null}\n"
        "{\"MMSI\": 219000002, \"lat\": 91, \"lon\": 181, \"timestamp\": 1709288100250, \"speed\": 102.3,"
        " \"course\": 360, \"class\": \"B\"}\n"
        "{\"mmsi\": 219000003, \"lat\": 55.5, \"lon\": 12.25, \"timestamp\": \"2024-03-01T11:15:00+01:00\"}\n"
        "{\"mmsi\": 219000004, \"lat\": 55.5 \"lon\": 12.25}\n"
        "{\"lat\": 55.5, \"lon\": 12.25}\n"
        "[1, 2]\n"
        "{\"mmsi\": 219000005, \"lat\": -90.5, \"lon\": 12.25}\n";
    aw_decode_stats st;
    coll c;
    CHECK_EQ_INT(read_all(text, sizeof text - 1, NULL, &st, &c), AW_TABLE_JSONL);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_FIELD], 4);
    CHECK(c.nrej == 4 && c.rej_line[0] == 4 && c.rej_line[1] == 5 && c.rej_line[2] == 6 && c.rej_line[3] == 7);
    const got *g = find_line(&c, 1, 1);
    CHECK(g && g->m.mmsi == 219000001 && g->t == 1709288100000LL && g->m.u.pos.lon == 7200000);
    CHECK(g && g->m.u.pos.speed == 1022 && g->m.u.pos.course == 0 && g->m.u.pos.heading == 0);
    g = find_line(&c, 1, 5);
    CHECK(g && g->m.u.voy.imo == 9361639 && g->m.u.voy.callsign[0] == 0);
    if (g) CHECK_EQ_STR(g->m.u.voy.shipname, "NORDA \"X\"");
    g = find_line(&c, 2, 18);
    CHECK(g && g->t == 1709288100250LL && g->m.u.cb.lat == AW_LAT_NA && g->m.u.cb.lon == AW_LON_NA &&
          g->m.u.cb.speed == AW_SPEED_NA && g->m.u.cb.course == AW_COURSE_NA);
    g = find_line(&c, 3, 1);
    CHECK(g && g->t == 1709288100000LL);
    free(c.v);

    /* --columns for JSON names keys; other fields keep their built-in names. */
    static const char mine[] = "{\"boat\": 7, \"lat\": 1.5, \"lon\": 2.5, \"mmsi\": 8}\n";
    CHECK_EQ_INT(read_all(mine, sizeof mine - 1, "mmsi=boat", &st, &c), AW_TABLE_JSONL);
    CHECK(c.n == 1 && c.v[0].m.mmsi == 7 && c.v[0].m.u.pos.lat == 900000);
    free(c.v);
}

/* The fast readers (cells split 16 bytes at a time, decimals eight digits at a time) give
 * the general parser's values wherever a cell lies: long and short lines, the last block
 * of a line, digits past the eighth, a point with no digit on one side, a sign, and a last
 * line that ends the buffer without a newline (an exact-size copy: under AddressSanitizer
 * a read past it fails). */
static void numbers_read_exactly_wherever_the_cell_lies(void) {
    static const char text[] =
        "time,msg_type,mmsi,lat,lon,sog_kn,cog_deg,heading_deg\n"
        "2023-11-14T22:13:20Z,1,209100019,25.1507233,56.4233400,0.0,270.0,270\n"
        "2023-11-14T22:13:20Z,1,000000007,+1.5,-2.25,12.,.5,007\n"
        "2023-11-14T22:13:21Z,1,219000001,55.12345678,12.00000001,102.2,359.96,1\n"
        "2023-11-14T22:13:21Z,1,1234567890123456,1,2,3,4,5\n"
        "2023-11-14T22:13:21Z,1,219000003,-0.00000083,179.9999999,1,2,3\n"
        "2023-11-14T22:13:21Z,1,219000004,-89.99999991,1e1,0000000000000001.5,2,3\n"
        "1700000000,1,5,1,2,3,4,5\n"
        "2023-11-14T22:13:22Z,1,219000005,1.5,2.5,1.0,2.0,3";
    size_t len = sizeof text - 1;
    char *buf = malloc(len);
    if (!buf) abort();
    memcpy(buf, text, len);
    aw_decode_stats st;
    coll c;
    CHECK(read_all(buf, len, NULL, &st, &c) > 0);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_FIELD], 1); /* the 16-digit MMSI */
    CHECK(c.nrej >= 1 && c.rej_line[0] == 5);
    const got *g = find_line(&c, 2, 1);
    CHECK(g && g->m.mmsi == 209100019 && g->m.u.pos.lat == 15090434 && g->m.u.pos.lon == 33854004 &&
          g->m.u.pos.speed == 0 && g->m.u.pos.course == 2700 && g->m.u.pos.heading == 270);
    g = find_line(&c, 3, 1);
    CHECK(g && g->m.mmsi == 7 && g->m.u.pos.lat == 900000 && g->m.u.pos.lon == -1350000 && g->m.u.pos.speed == 120 &&
          g->m.u.pos.course == 5 && g->m.u.pos.heading == 7);
    g = find_line(&c, 4, 1);
    CHECK(g && g->m.u.pos.lat == 33074074 && g->m.u.pos.lon == 7200000 && g->m.u.pos.speed == 1022 &&
          g->m.u.pos.course == 0 && g->m.u.pos.heading == 1);
    g = find_line(&c, 6, 1);
    CHECK(g && g->m.u.pos.lat == 0 && g->m.u.pos.lon == 108000000);
    g = find_line(&c, 7, 1);
    CHECK(g && g->m.u.pos.lat == -54000000 && g->m.u.pos.lon == 6000000 && g->m.u.pos.speed == 15);
    g = find_line(&c, 8, 1);
    CHECK(g && g->m.mmsi == 5 && g->t == 1700000000000LL && g->m.u.pos.lat == 600000);
    g = find_line(&c, 9, 1);
    CHECK(g && g->m.mmsi == 219000005 && g->t == 1700000002000LL && g->m.u.pos.lat == 900000 &&
          g->m.u.pos.lon == 1500000 && g->m.u.pos.speed == 10 && g->m.u.pos.course == 20 && g->m.u.pos.heading == 3);
    free(c.v);
    free(buf);
}

int main(void) {
    noaa_sample_reads_every_row_with_its_static_data();
    evergiven_csv_reads_with_a_column_mapping();
    gfw_json_lines_read_with_not_available_positions_kept();
    dma_csv_maps_text_columns_and_station_kinds();
    bad_rows_are_counted_with_their_line_numbers();
    detection_tells_each_format_and_leaves_nmea();
    quoted_fields_delimiters_and_decimal_commas();
    json_variants_keys_times_and_edge_values();
    numbers_read_exactly_wherever_the_cell_lies();
    return check_report("test_table");
}
