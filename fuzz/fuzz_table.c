/* fuzz_table.c — the position-table readers: aw_table_detect() and aw_table_lines().
 *
 * Input: three control bytes, then the table text.
 *   byte 0: bits 0-2 pick the --columns mapping (none: the format is detected from the
 *           text itself; or one of a few fixed mappings: by index, by header name, with
 *           `;delimiter=;;time=dayfirst`, `;tz=+02:00`, a JSON key mapping, …); bit 3
 *           cuts the head given to detection at byte 2 * 8 (a peek that ends mid-line);
 *           bits 4-5 the error buffer size (none, 1, 16, 256 bytes); bit 6 a large first
 *           line number; bit 7 drops the message callback in the reference run.
 *   byte 1: the line after which the text is split in two chunks.
 *   byte 2: the head length when bit 3 of byte 0 is set.
 * Checks, for each input:
 *   - detection is memory safe on an exact-size head and an exact-size mapping string,
 *     fills a map that keeps its own invariants, and a refusal leaves a terminated,
 *     non-empty message in the error buffer;
 *   - when a format is detected, the whole text (reference run) and the same text in two
 *     chunks at a line boundary, each in its own exact-size buffer, with first_line_no
 *     continuing, give the same stats and the same messages in the same order;
 *   - every reject names a line of its chunk and a pointer/length inside the chunk; every
 *     message has a line number in range, in order, values in their protocol ranges,
 *     six-bit text, and passes every formatter (fuzz_common.h);
 *   - stats add up: lines and bytes as read, messages as delivered, by_type summing to
 *     messages, and rejects + rows that gave messages + comments + non-vessel rows never
 *     more than the lines.
 */
#include "aiswatch/table.h"
#include "fuzz_common.h"

static const char *const mappings[8] = {
    NULL, /* detect: NOAA, DMA, JSON lines, aiswatch CSV */
    NULL, /* detect, then a UTC offset set by the caller */
    "mmsi=1,time=2,lat=3,lon=4,sog=5,cog=6,heading=7,name=8,class=9",
    "mmsi=MMSI,time=BaseDateTime,lat=LAT,lon=LON,sog=SOG,cog=COG,heading=Heading,name=VesselName,"
    "imo=IMO,callsign=CallSign,shiptype=VesselType,status=Status,length=Length,width=Width,"
    "draught=Draft,class=TransceiverClass;tz=+02:00",
    "mmsi=ID,time=when,lat=y,lon=x,class=cls,msg_type=type,second=sec,destination=dest;delimiter=;;time=dayfirst",
    "mmsi=vessel_id,lat=y,lon=x,time=t,sog=speed_kn,name=vessel,class=cls,msg_type=kind;time=epoch",
    "mmsi=1,lat=2,lon=3,time=4,imo=5,callsign=6,shiptype=7,to_bow=8,to_stern=9,to_port=10,"
    "to_starboard=11,draught=12,status=13;delimiter=tab;time=monthfirst;tz=-05:30",
    "mmsi=1,lat=2,lon=3;delimiter=|",
};

typedef struct ctx {
    fuzz_out out;
    const char *buf;           /* the chunk being read */
    size_t len;
    uint64_t first, last;      /* its line numbers */
    uint64_t last_line;        /* of the last message or reject */
    bool last_was_msg;
    uint64_t delivered, rejected, msg_rows;
    uint64_t hash;             /* of the messages, to compare runs */
    bool formats;              /* full formatter checks (the split run) */
} ctx;

static uint64_t mix(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static bool lat_ok(int32_t v) { return v == AW_LAT_NA || (v >= -54000000 && v <= 54000000); }
static bool lon_ok(int32_t v) { return v == AW_LON_NA || (v >= -108000000 && v <= 108000000); }

/* put_text's promise: upper-case six-bit characters, no '@', no blank at either end. */
static void text_ok(const char *s, size_t cap, const char *what) {
    const char *z = memchr(s, 0, cap);
    FUZZ_CHECK(z != NULL, "%s not terminated", what);
    size_t n = (size_t)(z - s);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x60 && s[i] != '@', "%s: byte 0x%02x", what, (unsigned char)s[i]);
    FUZZ_CHECK(n == 0 || (s[0] != ' ' && s[n - 1] != ' '), "%s: blank at an end: '%s'", what, s);
}

static void check_msg(const aw_msg *m) {
    FUZZ_CHECK(m->mmsi >= 1 && m->mmsi <= 999999999, "mmsi %u", m->mmsi);
    switch (m->msg_type) {
    case 1: case 2: case 3:
        FUZZ_CHECK(lat_ok(m->u.pos.lat) && lon_ok(m->u.pos.lon), "pos %d %d", m->u.pos.lat, m->u.pos.lon);
        FUZZ_CHECK(m->u.pos.speed <= 1023 && m->u.pos.course <= 3600 && m->u.pos.status <= 15 &&
                       (m->u.pos.heading <= 359 || m->u.pos.heading == 511) && m->u.pos.second <= 63,
                   "type %u fields", m->msg_type);
        break;
    case 4:
        FUZZ_CHECK(lat_ok(m->u.base.lat) && lon_ok(m->u.base.lon), "base %d %d", m->u.base.lat, m->u.base.lon);
        FUZZ_CHECK(m->u.base.year <= 9999 && m->u.base.month <= 12 && m->u.base.day <= 31 &&
                       m->u.base.hour <= 24 && m->u.base.minute <= 60 && m->u.base.second <= 63,
                   "type 4 time %u-%u-%u %u:%u:%u", m->u.base.year, m->u.base.month, m->u.base.day,
                   m->u.base.hour, m->u.base.minute, m->u.base.second);
        break;
    case 5:
        text_ok(m->u.voy.shipname, sizeof m->u.voy.shipname, "shipname");
        text_ok(m->u.voy.callsign, sizeof m->u.voy.callsign, "callsign");
        text_ok(m->u.voy.destination, sizeof m->u.voy.destination, "destination");
        FUZZ_CHECK(m->u.voy.imo <= 0x3FFFFFFF && m->u.voy.to_bow <= 511 && m->u.voy.to_stern <= 511 &&
                       m->u.voy.to_port <= 63 && m->u.voy.to_starboard <= 63,
                   "type 5 fields");
        break;
    case 9:
        FUZZ_CHECK(lat_ok(m->u.sar.lat) && lon_ok(m->u.sar.lon), "sar %d %d", m->u.sar.lat, m->u.sar.lon);
        FUZZ_CHECK(m->u.sar.speed <= 1023 && m->u.sar.course <= 3600 && m->u.sar.second <= 63, "type 9 fields");
        break;
    case 18:
        FUZZ_CHECK(lat_ok(m->u.cb.lat) && lon_ok(m->u.cb.lon), "class B %d %d", m->u.cb.lat, m->u.cb.lon);
        FUZZ_CHECK(m->u.cb.speed <= 1023 && m->u.cb.course <= 3600 &&
                       (m->u.cb.heading <= 359 || m->u.cb.heading == 511) && m->u.cb.second <= 63,
                   "type 18 fields");
        break;
    case 21:
        FUZZ_CHECK(lat_ok(m->u.aton.lat) && lon_ok(m->u.aton.lon), "aton %d %d", m->u.aton.lat, m->u.aton.lon);
        text_ok(m->u.aton.name, sizeof m->u.aton.name, "aton name");
        FUZZ_CHECK(m->u.aton.second <= 63, "type 21 second");
        break;
    case 24:
        FUZZ_CHECK(m->u.sb.partno <= 1, "partno %u", m->u.sb.partno);
        if (m->u.sb.partno == 0) {
            text_ok(m->u.sb.shipname, sizeof m->u.sb.shipname, "24A name");
            FUZZ_CHECK(m->u.sb.shipname[0], "empty part A");
        } else {
            text_ok(m->u.sb.callsign, sizeof m->u.sb.callsign, "24B callsign");
        }
        break;
    default:
        FUZZ_CHECK(false, "a table row became type %u", m->msg_type);
    }
}

static void on_msg(void *vctx, const aw_msg *m, const aw_msg_meta *meta) {
    ctx *c = vctx;
    c->delivered++;
    FUZZ_CHECK(meta->line_no >= c->first && meta->line_no <= c->last, "message line %llu outside %llu..%llu",
               (unsigned long long)meta->line_no, (unsigned long long)c->first, (unsigned long long)c->last);
    FUZZ_CHECK(meta->line_no > c->last_line || (meta->line_no == c->last_line && c->last_was_msg),
               "message line %llu after line %llu", (unsigned long long)meta->line_no,
               (unsigned long long)c->last_line);
    if (!(c->last_was_msg && meta->line_no == c->last_line)) c->msg_rows++;
    c->last_line = meta->line_no;
    c->last_was_msg = true;
    FUZZ_CHECK(meta->source == NULL && meta->source_len == 0, "table meta with a source");
    c->hash = mix(c->hash, &meta->line_no, sizeof meta->line_no);
    c->hash = mix(c->hash, &meta->time_ms, sizeof meta->time_ms);
    c->hash = mix(c->hash, m, sizeof *m);
    if (!c->formats) return;
    check_msg(m);
    fuzz_all_formats(&c->out, m, meta, (unsigned)c->delivered);
}

static void on_reject(void *vctx, uint64_t line_no, aw_reject reason, const char *line, size_t len) {
    ctx *c = vctx;
    c->rejected++;
    FUZZ_CHECK(line_no >= c->first && line_no <= c->last, "reject line %llu outside %llu..%llu",
               (unsigned long long)line_no, (unsigned long long)c->first, (unsigned long long)c->last);
    FUZZ_CHECK(line_no > c->last_line, "reject line %llu after line %llu",
               (unsigned long long)line_no, (unsigned long long)c->last_line);
    c->last_line = line_no;
    c->last_was_msg = false;
    FUZZ_CHECK(reason == AW_REJ_SHORT_ROW || reason == AW_REJ_BAD_FIELD || reason == AW_REJ_BAD_ENCODING,
               "table reject reason %d", (int)reason);
    FUZZ_CHECK(line != NULL && line >= c->buf && len <= c->len && (size_t)(line - c->buf) <= c->len - len,
               "reject text outside its chunk (offset %td, len %zu, chunk %zu)", line - c->buf, len, c->len);
    FUZZ_CHECK(memchr(line, '\n', len) == NULL, "reject text spans lines");
    volatile char sink = 0;
    for (size_t i = 0; i < len; i++) sink ^= line[i]; /* ASan reads */
    (void)sink;
    c->hash = mix(c->hash, &line_no, sizeof line_no);
    c->hash = mix(c->hash, &reason, sizeof reason);
}

/* One aw_table_lines call on a private exact-size copy of [p, p+n). */
static void run_chunk(const aw_table_map *map, const char *p, size_t n, uint64_t first, uint64_t nlines,
                      aw_decode_stats *st, ctx *c, bool with_fn) {
    char *copy = malloc(n ? n : 1);
    if (!copy) abort();
    if (n) memcpy(copy, p, n);
    c->buf = copy;
    c->len = n;
    c->first = first;
    c->last = first + nlines - 1; /* nlines 0: an empty range */
    aw_table_lines(map, copy, n, first, st, with_fn ? on_msg : NULL, on_reject, c);
    free(copy);
}

static uint64_t count_lines(const char *p, size_t n) {
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++) k += p[i] == '\n';
    return k + (n > 0 && p[n - 1] != '\n');
}

static void check_map(const aw_table_map *map, int fmt) {
    FUZZ_CHECK((int)map->format == fmt, "format %d, map says %d", fmt, (int)map->format);
    FUZZ_CHECK(strchr(",;\t|", map->delimiter) && map->delimiter, "delimiter 0x%02x", (unsigned char)map->delimiter);
    FUZZ_CHECK((unsigned)map->time_form <= AW_TIME_EPOCH, "time form %d", (int)map->time_form);
    FUZZ_CHECK(map->utc_offset_s >= -14 * 3600 - 59 * 60 && map->utc_offset_s <= 14 * 3600 + 59 * 60, "tz %d",
               (int)map->utc_offset_s);
    for (int i = 0; i < AW_COL_COUNT; i++) {
        FUZZ_CHECK(memchr(map->json_key[i], 0, sizeof map->json_key[i]) != NULL, "json key %d", i);
        if (fmt == AW_TABLE_JSONL) continue;
        FUZZ_CHECK(map->col[i] >= -1 && map->col[i] < AW_TABLE_MAX_COLS, "col[%d] = %d", i, map->col[i]);
        FUZZ_CHECK(map->ncols == 0 || map->col[i] < (int)map->ncols, "col[%d] = %d of %u", i, map->col[i],
                   map->ncols);
    }
    if (fmt != AW_TABLE_JSONL) FUZZ_CHECK(map->col[AW_COL_MMSI] >= 0, "no mmsi column");
    FUZZ_CHECK(map->has_header || map->header_len == 0, "header length without a header");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 3) return 0;
    const uint8_t mode = data[0], cut_sel = data[1], head_sel = data[2];
    const char *text = (const char *)data + 3;
    const size_t len = size - 3;

    /* Detection, on an exact-size head, mapping and error buffer. */
    size_t head_len = len < 65536 ? len : 65536;
    if ((mode & 8) && (size_t)head_sel * 8 < head_len) head_len = (size_t)head_sel * 8;
    char *head = malloc(head_len ? head_len : 1);
    if (!head) abort();
    if (head_len) memcpy(head, text, head_len);
    const char *mapping = mappings[mode & 7];
    char *columns = NULL;
    if (mapping) {
        columns = malloc(strlen(mapping) + 1);
        if (!columns) abort();
        memcpy(columns, mapping, strlen(mapping) + 1);
    }
    static const size_t errcaps[4] = {0, 1, 16, 256};
    size_t errcap = errcaps[(mode >> 4) & 3];
    char *err = errcap ? malloc(errcap) : NULL;
    if (errcap && !err) abort();
    if (err) memset(err, 'x', errcap);

    aw_table_map map;
    int fmt = aw_table_detect(head, head_len, columns, &map, err, errcap);
    free(head);
    free(columns);
    FUZZ_CHECK(fmt >= -1 && fmt <= AW_TABLE_AISWATCH, "detect returned %d", fmt);
    if (err) {
        FUZZ_CHECK(memchr(err, 0, errcap) != NULL, "error message not terminated");
        if (fmt < 0 && errcap > 1) FUZZ_CHECK(err[0] != 0, "refusal without a message");
        if (fmt >= 0) FUZZ_CHECK(err[0] == 0, "message without a refusal: %s", err);
    }
    free(err);
    if (fmt < 0) {
        FUZZ_CHECK(mapping != NULL, "refusal without a mapping");
        return 0;
    }
    if (mapping) FUZZ_CHECK(fmt == AW_TABLE_JSONL || fmt == AW_TABLE_CSV_MAPPED, "mapping gave format %d", fmt);
    if (fmt == AW_TABLE_NONE) return 0;
    check_map(&map, fmt);
    if ((mode & 7) == 1) map.utc_offset_s = -14 * 3600; /* the caller's --tz, after detection */

    const uint64_t lines = count_lines(text, len);
    const uint64_t first = (mode & 0x40) ? (UINT64_C(1) << 40) : 1;

    /* Reference: the whole text in one call. */
    ctx c = {0};
    aw_decode_stats ref = {0};
    bool ref_fn = !(mode & 0x80);
    run_chunk(&map, text, len, first, lines, &ref, &c, ref_fn);
    const uint64_t ref_hash = c.hash, ref_rejected = c.rejected;
    if (ref_fn) FUZZ_CHECK(ref.messages == c.delivered, "messages %llu, delivered %llu",
                           (unsigned long long)ref.messages, (unsigned long long)c.delivered);

    /* Two chunks split after line k, line numbers continuing, formatters on. */
    uint64_t k = lines ? cut_sel % (lines + 1) : 0;
    size_t n1 = 0;
    for (uint64_t i = 0; i < k; i++) {
        const char *nl = memchr(text + n1, '\n', len - n1);
        n1 = nl ? (size_t)(nl - text) + 1 : len;
    }
    ctx s = {0};
    fuzz_out_init(&s.out);
    s.formats = true;
    aw_decode_stats st = {0};
    run_chunk(&map, text, n1, first, k, &st, &s, true);
    run_chunk(&map, text + n1, len - n1, first + k, lines - k, &st, &s, true);
    fuzz_out_free(&s.out);

    FUZZ_CHECK(st.lines == lines, "lines %llu, text has %llu", (unsigned long long)st.lines,
               (unsigned long long)lines);
    FUZZ_CHECK(st.bytes == len, "bytes %llu of %zu", (unsigned long long)st.bytes, len);
    FUZZ_CHECK(st.messages == s.delivered, "messages %llu, delivered %llu", (unsigned long long)st.messages,
               (unsigned long long)s.delivered);
    uint64_t by_type = 0, rejects = 0;
    for (int i = 0; i < 28; i++) by_type += st.by_type[i];
    for (int i = 0; i < AW_REJ_COUNT; i++) rejects += st.rejects[i];
    FUZZ_CHECK(by_type == st.messages, "by_type %llu, messages %llu", (unsigned long long)by_type,
               (unsigned long long)st.messages);
    FUZZ_CHECK(rejects == s.rejected && rejects == ref_rejected, "rejects %llu, reported %llu (whole: %llu)",
               (unsigned long long)rejects, (unsigned long long)s.rejected, (unsigned long long)ref_rejected);
    FUZZ_CHECK(st.untimed <= st.messages && st.sentences == 0 && st.truncated == 0, "untimed/sentences");
    FUZZ_CHECK(rejects + s.msg_rows + st.comments + st.non_vessel_rows <= st.lines,
               "rejects %llu + rows %llu + comments %llu + non-vessel %llu > lines %llu",
               (unsigned long long)rejects, (unsigned long long)s.msg_rows, (unsigned long long)st.comments,
               (unsigned long long)st.non_vessel_rows, (unsigned long long)st.lines);
    FUZZ_CHECK(memcmp(&st, &ref, sizeof st) == 0, "split at line %llu changes the stats", (unsigned long long)k);
    if (ref_fn) FUZZ_CHECK(s.hash == ref_hash, "split at line %llu changes the messages", (unsigned long long)k);
    return 0;
}
