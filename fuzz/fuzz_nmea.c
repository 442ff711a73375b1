/* fuzz_nmea.c — arbitrary bytes through the NMEA layer and everything downstream.
 *
 * The whole input is decoded as text lines. Its first byte (still part of the input,
 * so real captures work as seeds) picks the decoder options: bit 0 accepts bad
 * checksums, bits 1-2 pick a small max_open_lines (1..3, or the default), bit 3 a
 * local-time offset for line prefixes. Every delivered message goes through every
 * formatter (fuzz_common.h), every line through aw_nmea_line_starts_message, and the
 * stats must add up.
 */
#include "fuzz_common.h"

typedef struct ctx {
    fuzz_out out;
    uint64_t delivered;
    uint64_t last_line;
    uint64_t lines_in_input;
} ctx;

static void on_msg(void *vctx, const aw_msg *m, const aw_msg_meta *meta) {
    ctx *c = vctx;
    c->delivered++;
    FUZZ_CHECK(meta->line_no >= 1 && meta->line_no <= c->lines_in_input, "line_no %llu of %llu",
               (unsigned long long)meta->line_no, (unsigned long long)c->lines_in_input);
    FUZZ_CHECK(meta->line_no >= c->last_line, "line_no went back: %llu after %llu",
               (unsigned long long)meta->line_no, (unsigned long long)c->last_line);
    c->last_line = meta->line_no;
    FUZZ_CHECK(meta->fragments >= 1 && meta->fragments <= 9, "fragments %u", meta->fragments);
    FUZZ_CHECK(meta->source_len <= AW_SOURCE_MAX, "source_len %u", meta->source_len);
    FUZZ_CHECK(meta->source_len == 0 || meta->source != NULL, "source_len without source");
    volatile char sink = 0;
    for (unsigned i = 0; meta->source && i < meta->source_len; i++) sink ^= meta->source[i]; /* ASan reads */
    (void)sink;
    FUZZ_CHECK(meta->talker[2] == 0, "talker not terminated");
    fuzz_all_formats(&c->out, m, meta, (unsigned)c->delivered);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *buf = (const char *)data;
    uint8_t flags = data[0];
    static const unsigned open_lines[4] = {0, 1, 2, 3};
    aw_decoder_opts opts = {
        .accept_bad_checksum = flags & 1,
        .max_open_lines = open_lines[(flags >> 1) & 3],
        .prefix_utc_offset_s = (flags & 8) ? 7200 : 0,
    };

    ctx c = {0};
    fuzz_out_init(&c.out);

    /* Every line, as the pipeline's chunker sees it. */
    const char *p = buf, *end = buf + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        c.lines_in_input++;
        (void)aw_nmea_line_starts_message(p, (size_t)(le - p));
        unsigned count, num;
        uint32_t group;
        (void)aw_nmea_line_fragment(p, (size_t)(le - p), &count, &num, &group);
        p = nl ? nl + 1 : end;
    }

    aw_decoder *dec = aw_decoder_new(&opts);
    if (!dec) abort();
    aw_decode_stats st = {0};
    aw_decoder_lines(dec, buf, size, &st, on_msg, &c);
    aw_decoder_finish(dec, &st);

    FUZZ_CHECK(st.lines == c.lines_in_input, "lines %llu vs %llu", (unsigned long long)st.lines,
               (unsigned long long)c.lines_in_input);
    FUZZ_CHECK(st.bytes == size, "bytes");
    FUZZ_CHECK(st.messages == c.delivered, "messages %llu, delivered %llu", (unsigned long long)st.messages,
               (unsigned long long)c.delivered);
    uint64_t by_type = 0;
    for (int i = 0; i < 28; i++) by_type += st.by_type[i];
    FUZZ_CHECK(by_type == st.messages && st.by_type[0] == 0, "by_type");
    FUZZ_CHECK(st.truncated <= st.messages && st.untimed <= st.messages, "truncated/untimed");
    FUZZ_CHECK(st.messages <= st.sentences, "more messages than sentences");

    /* The same input again, split at an arbitrary line end, into a decoder that is
     * reused: what the pipeline does with chunks. Only memory safety is checked here. */
    const char *cut = memchr(buf + size / 2, '\n', size - size / 2);
    if (cut) {
        aw_decode_stats st2 = {0};
        size_t n1 = (size_t)(cut - buf) + 1;
        aw_decoder_lines(dec, buf, n1, &st2, NULL, NULL);
        aw_decoder_finish(dec, &st2);
        aw_decoder_lines(dec, buf + n1, size - n1, &st2, NULL, NULL);
        aw_decoder_finish(dec, &st2);
        FUZZ_CHECK(st2.lines == st.lines, "split lines");
    }
    aw_decoder_free(dec);

    /* The smallest reassembly window and bad checksums on, whatever the first byte said. */
    if (flags & 0x10) {
        aw_decoder_opts o2 = {.accept_bad_checksum = true, .max_open_lines = 1};
        aw_decoder *d2 = aw_decoder_new(&o2);
        if (!d2) abort();
        aw_decode_stats st3 = {0};
        c.last_line = 0;
        c.delivered = 0;
        aw_decoder_lines(d2, buf, size, &st3, on_msg, &c);
        aw_decoder_finish(d2, &st3);
        FUZZ_CHECK(st3.messages == c.delivered, "messages (2nd decoder)");
        aw_decoder_free(d2);
    }
    fuzz_out_free(&c.out);
    return 0;
}
