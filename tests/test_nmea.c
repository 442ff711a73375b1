/* test_nmea.c — the NMEA layer: framing, checksums, tag blocks, log prefixes,
 * multipart reassembly and what gets counted when input is bad. */
#include <stdio.h>
#include <string.h>

#include "aiswatch/nmea.h"
#include "check.h"

typedef struct got {
    int n;
    aw_msg msg[16];
    int64_t time_ms[16];
    char source[16][AW_SOURCE_MAX + 1];
    char channel[16];
    int fragments[16];
} got;

static void collect(void *ctx, const aw_msg *m, const aw_msg_meta *meta) {
    got *g = ctx;
    if (g->n >= 16) return;
    g->msg[g->n] = *m;
    g->time_ms[g->n] = meta->time_ms;
    g->source[g->n][0] = 0;
    if (meta->source) {
        memcpy(g->source[g->n], meta->source, meta->source_len);
        g->source[g->n][meta->source_len] = 0;
    }
    g->channel[g->n] = meta->channel;
    g->fragments[g->n] = meta->fragments;
    g->n++;
}

static void run(const char *text, const aw_decoder_opts *opts, got *g, aw_decode_stats *st) {
    memset(g, 0, sizeof *g);
    memset(st, 0, sizeof *st);
    aw_decoder *dec = aw_decoder_new(opts);
    aw_decoder_lines(dec, text, strlen(text), st, collect, g);
    aw_decoder_finish(dec, st);
    aw_decoder_free(dec);
}

/* Real sentences from the gpsd and libais samples. */
#define T1 "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
#define T5A "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C"
#define T5B "!AIVDM,2,2,1,A,88888888880,2*25"
#define T5B_CH_B "!AIVDM,2,2,1,B,88888888880,2*26"

static void single_sentence_decodes(void) {
    got g;
    aw_decode_stats st;
    run(T1 "\r\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.msg[0].msg_type, 1);
    CHECK_EQ_INT(g.msg[0].mmsi, 371798000);
    CHECK_EQ_INT(g.msg[0].u.pos.speed, 123);
    CHECK_EQ_INT(g.time_ms[0], AW_TIME_NONE);
    CHECK_EQ_INT(st.untimed, 1);
    CHECK_EQ_INT(g.channel[0], 'A');
    CHECK_EQ_INT(st.by_type[1], 1);
}

static void bad_checksum_is_counted_and_skipped_unless_accepted(void) {
    got g;
    aw_decode_stats st;
    const char *bad = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B\n";
    run(bad, NULL, &g, &st);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_CHECKSUM], 1);
    aw_decoder_opts o = {.accept_bad_checksum = true};
    run(bad, &o, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_CHECKSUM], 1);
}

static void tag_block_gives_time_and_source(void) {
    got g;
    aw_decode_stats st;
    run("\\s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53*55\\!AIVDM,1,1,,B,13F?Vv700<DJuLEtvep`iToV0<00,0*78\n",
        NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.time_ms[0], 1418172113000LL);
    CHECK_EQ_STR(g.source[0], "rORBCOMM104");
    CHECK_EQ_INT(st.tagblocks, 1);
    CHECK_EQ_INT(st.tagblock_bad_checksum, 0);
    /* c: in milliseconds, tag checksum wrong: tags kept, the bad checksum counted. */
    run("\\c:1599239526500,s:sdr*00\\" T1 "\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.time_ms[0], 1599239526500LL);
    CHECK_EQ_INT(st.tagblock_bad_checksum, 1);
}

static void log_prefixes_give_time(void) {
    got g;
    aw_decode_stats st;
    run("2016-03-31 00:00:01, " T1 "\r\n1490075479," T1 "\n2016-03-31T10:00:02.250Z," T1 "\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 3);
    CHECK_EQ_INT(g.time_ms[0], 1459382401000LL);
    CHECK_EQ_INT(g.time_ms[1], 1490075479000LL);
    CHECK_EQ_INT(g.time_ms[2], 1459418402250LL);
    aw_decoder_opts o = {.prefix_utc_offset_s = 7200};
    run("2016-03-31 00:00:01, " T1 "\n", &o, &g, &st);
    CHECK_EQ_INT(g.time_ms[0], 1459382401000LL - 7200000);
}

static void gatehouse_stamps_next_sentence_and_trailer_wins(void) {
    got g;
    aw_decode_stats st;
    run("$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17\n!AIVDM,1,1,,B,15NBj>PP1gG>1PVKTDTUJOv00<0M,0*09\n" T1 "\n",
        NULL, &g, &st);
    CHECK_EQ_INT(g.n, 2);
    CHECK_EQ_INT(g.time_ms[0], 1210291200010LL);
    CHECK_EQ_INT(g.time_ms[1], AW_TIME_NONE); /* the stamp is used once */
    CHECK_EQ_INT(st.rejects[AW_REJ_OTHER_NMEA], 1);
    run("!AIVDM,1,1,,B,IFICEMae<`HfcEV4M8aEWM<2VH1j6?;6<t9>,0*51,1327992119173\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.time_ms[0], 1327992119173LL);
}

static void multipart_in_order_is_reassembled(void) {
    got g;
    aw_decode_stats st;
    run(T5A "\n" T5B "\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.msg[0].msg_type, 5);
    CHECK_EQ_INT(g.fragments[0], 2);
    CHECK_EQ_INT(st.sentences, 2);
    CHECK_EQ_INT(st.messages, 1);
}

static void multipart_interleaved_with_other_sentences_is_reassembled(void) {
    got g;
    aw_decode_stats st;
    run(T5A "\n" T1 "\n" T5B "\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 2);
    CHECK_EQ_INT(g.msg[0].msg_type, 1);
    CHECK_EQ_INT(g.msg[1].msg_type, 5);
}

static void multipart_on_other_channel_is_not_joined(void) {
    got g;
    aw_decode_stats st;
    run(T5A "\n" T5B_CH_B "\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(st.rejects[AW_REJ_ORPHAN_FRAGMENT], 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_INCOMPLETE], 1);
}

static void multipart_out_of_order_is_dropped_and_counted(void) {
    got g;
    aw_decode_stats st;
    run(T5B "\n" T5A "\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(st.rejects[AW_REJ_ORPHAN_FRAGMENT], 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_INCOMPLETE], 1);
    /* A first fragment repeated: the first copy never completes. */
    run(T5A "\n" T5A "\n" T5B "\n", NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_INCOMPLETE], 1);
}

static void tag_block_groups_join_fragments(void) {
    got g;
    aw_decode_stats st;
    run("\\g:1-2-1278,s:66,c:1661782369*43\\!AIVDM,2,1,3,A,56=nR7D00003A<I@E=@TmDh637OS60mA:222220N1@6427?P00888888,0*66\n"
        "\\g:2-2-1278*51\\!AIVDM,2,2,3,A,888888888888880,2*27\n",
        NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.msg[0].msg_type, 5);
    CHECK_EQ_INT(g.time_ms[0], 1661782369000LL);
    CHECK_EQ_STR(g.source[0], "66");
}

static void open_multiparts_are_bounded_and_counted(void) {
    /* 1000 first fragments with distinct sequence ids never completed. */
    static char text[200000];
    size_t len = 0;
    for (int i = 0; i < 1000; i++) {
        char body[128];
        int n = snprintf(body, sizeof body, "AIVDM,2,1,%d,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0", i);
        len += (size_t)snprintf(text + len, sizeof text - len, "!%s*%02X\n", body, aw_nmea_checksum(body, (size_t)n));
    }
    got g;
    aw_decode_stats st;
    run(text, NULL, &g, &st);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(st.sentences, 1000);
    CHECK_EQ_INT(st.rejects[AW_REJ_INCOMPLETE], 1000);
}

static void junk_and_other_nmea_are_counted(void) {
    got g;
    aw_decode_stats st;
    run("# comment\n\nhello world\n$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\n"
        "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0\n"
        "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ*56\n"
        "!AIVDM,1,1,,A,05RTgt0PAso;90TKcjM8h6g208CQ,0*4B\n"
        "!AIVDM,1,1,,A,15RTgt0PAs,0*65\n" T1 "\n",
        NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(st.comments, 2);
    CHECK_EQ_INT(st.rejects[AW_REJ_NOT_NMEA], 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_OTHER_NMEA], 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_NO_CHECKSUM], 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_MALFORMED], 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_BAD_MSG_TYPE], 1);
    CHECK_EQ_INT(st.rejects[AW_REJ_TOO_SHORT], 1);
    CHECK_EQ_INT(st.lines, 9);
}

static void several_sentences_on_one_line(void) {
    got g;
    aw_decode_stats st;
    run("\\c:1662052384,s:FM112*00\\!AIVDM,2,1,1,A,502CuBh0000000000000000000000000000000000000040Ht00000000000,0*37"
        "\\c:1662052384,s:FM112*00\\!AIVDM,2,2,1,A,00000000000,2*25\n",
        NULL, &g, &st);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.msg[0].msg_type, 5);
}

static void line_start_classification(void) {
    CHECK(aw_nmea_line_starts_message(T1, strlen(T1)));
    CHECK(aw_nmea_line_starts_message(T5A, strlen(T5A)));
    CHECK(!aw_nmea_line_starts_message(T5B, strlen(T5B)));
    CHECK(!aw_nmea_line_starts_message("$PGHP,1", 7));

    /* Fragments and the key that keeps interleaved messages apart. */
    unsigned count, num;
    uint32_t ga, gb, gc, gt1, gt2;
    CHECK(aw_nmea_line_fragment(T5A, strlen(T5A), &count, &num, &ga));
    CHECK(count == 2 && num == 1);
    CHECK(aw_nmea_line_fragment(T5B, strlen(T5B), &count, &num, &gb));
    CHECK(count == 2 && num == 2);
    CHECK(ga == gb); /* one message: same sequence id and channel */
    CHECK(aw_nmea_line_fragment(T5B_CH_B, strlen(T5B_CH_B), &count, &num, &gc));
    CHECK(gc != gb); /* the same sequence id on the other channel: another message */
    const char *t1 = "\\g:1-2-4711,c:1662052384*00\\!AIVDM,2,1,,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961,0*00";
    const char *t2 = "\\g:2-2-4711*00\\!AIVDM,2,2,,B,88888888880,2*00";
    CHECK(aw_nmea_line_fragment(t1, strlen(t1), &count, &num, &gt1));
    CHECK(aw_nmea_line_fragment(t2, strlen(t2), &count, &num, &gt2));
    CHECK(gt1 == gt2 && num == 2); /* a tag-block group names the message whatever the channel */
    CHECK(!aw_nmea_line_fragment("$PGHP,1", 7, &count, &num, &ga));
    CHECK(!aw_nmea_line_fragment("!AIVDM,2", 8, &count, &num, &ga));
}

int main(void) {
    single_sentence_decodes();
    bad_checksum_is_counted_and_skipped_unless_accepted();
    tag_block_gives_time_and_source();
    log_prefixes_give_time();
    gatehouse_stamps_next_sentence_and_trailer_wins();
    multipart_in_order_is_reassembled();
    multipart_interleaved_with_other_sentences_is_reassembled();
    multipart_on_other_channel_is_not_joined();
    multipart_out_of_order_is_dropped_and_counted();
    tag_block_groups_join_fragments();
    open_multiparts_are_bounded_and_counted();
    junk_and_other_nmea_are_counted();
    several_sentences_on_one_line();
    line_start_classification();
    return check_report("nmea");
}
