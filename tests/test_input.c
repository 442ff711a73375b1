/* test_input.c — files are read, peeked and hashed as sha256sum sees them; a file cut
 * shorter while it is read (logrotate's copytruncate) ends the input early, without a
 * crash. (Files are read, not mapped: a mapped file cut shorter kills the process with
 * SIGBUS, and mapping gained nothing measurable in the scan.) */
#include "aiswatch/input.h"
#include "aiswatch/pipeline.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* A file of `len` pseudo-random NMEA-ish bytes; its path in `path`. */
static char *make_file(char *path, size_t cap, size_t len) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/aw_test_input_%ld.nmea", dir && *dir ? dir : "/tmp", (long)getpid());
    char *data = malloc(len ? len : 1);
    uint32_t x = 12345;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (i % 80 == 79) ? '\n' : (char)('0' + (x >> 16) % 64);
    }
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    return data;
}

/* The digest of the file read through a pipe (stdin's inline path) by sha256sum. */
static void reference_sha(const char *path, char hex[65]) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sha256sum < %s", path);
    FILE *p = popen(cmd, "r");
    hex[0] = 0;
    if (p && fscanf(p, "%64s", hex) != 1) hex[0] = 0;
    if (p) pclose(p);
}

static void file_reads_peeks_and_hashes_like_sha256sum(void) {
    char path[256], err[256], want[65], got[65];
    size_t len = (size_t)9 << 20; /* several hash steps, not a multiple of a page */
    len += 123;
    char *data = make_file(path, sizeof path, len);
    reference_sha(path, want);
    aw_input *in = aw_input_open(path, err, sizeof err);
    CHECK(in != NULL);
    char head[100];
    CHECK_EQ_INT(aw_input_peek(in, head, sizeof head, err, sizeof err), sizeof head);
    CHECK(memcmp(head, data, sizeof head) == 0);
    CHECK_EQ_INT(aw_input_sha256(in, got), -1); /* not read to the end yet */
    char *buf = malloc(1 << 20);
    size_t at = 0;
    ssize_t n;
    bool same = true;
    while ((n = aw_input_read(in, buf, 1 << 20, err, sizeof err)) > 0) {
        same = same && memcmp(buf, data + at, (size_t)n) == 0;
        at += (size_t)n;
    }
    CHECK(same);
    CHECK_EQ_INT(at, len);
    CHECK_EQ_INT(aw_input_raw_bytes(in), len);
    CHECK_EQ_INT(aw_input_sha256(in, got), 0);
    CHECK(strcmp(got, want) == 0);
    aw_input_close(in);
    free(buf);
    free(data);
    unlink(path);
}

static void closing_early_gives_no_digest(void) {
    char path[256], err[256], got[65];
    char *data = make_file(path, sizeof path, (size_t)8 << 20);
    aw_input *in = aw_input_open(path, err, sizeof err);
    CHECK(in != NULL);
    char buf[4096];
    CHECK_EQ_INT(aw_input_read(in, buf, sizeof buf, err, sizeof err), sizeof buf);
    CHECK_EQ_INT(aw_input_sha256(in, got), -1);
    CHECK_EQ_INT(got[0], 0);
    aw_input_close(in);
    free(data);
    unlink(path);
}

static bool count_write(void *ctx, const char *data, size_t len) {
    (void)data;
    *(size_t *)ctx += len;
    return true;
}

static void pipeline_hashes_what_it_decodes(void) {
    char path[256], err[256], want[65], got[65];
    char *data = make_file(path, sizeof path, (size_t)3 << 20);
    free(data);
    reference_sha(path, want);
    aw_input *in = aw_input_open(path, err, sizeof err);
    CHECK(in != NULL);
    size_t written = 0;
    aw_pipeline_opts opts = {.threads = 2, .chunk_bytes = 1 << 16};
    aw_pipeline_hooks hooks = {.write_fn = count_write, .ctx = &written};
    aw_decode_stats st;
    memset(&st, 0, sizeof st);
    CHECK_EQ_INT(aw_pipeline_run(in, &opts, &hooks, &st, err, sizeof err), 0);
    CHECK_EQ_INT(st.bytes, (size_t)3 << 20);
    CHECK_EQ_INT(st.lines, (((size_t)3 << 20) + 79) / 80);
    CHECK_EQ_INT(aw_input_sha256(in, got), 0);
    CHECK(strcmp(got, want) == 0);
    aw_input_close(in);
    unlink(path);
}

static void file_cut_shorter_while_read_ends_early(void) {
    char path[256], err[256];
    size_t len = (size_t)8 << 20;
    char *data = make_file(path, sizeof path, len);
    aw_input *in = aw_input_open(path, err, sizeof err);
    CHECK(in != NULL);
    char *buf = malloc(1 << 16);
    CHECK_EQ_INT(aw_input_read(in, buf, 1 << 16, err, sizeof err), 1 << 16);
    CHECK_EQ_INT(truncate(path, (off_t)(len / 2)), 0);
    size_t at = 1 << 16;
    ssize_t n;
    while ((n = aw_input_read(in, buf, 1 << 16, err, sizeof err)) > 0) at += (size_t)n;
    CHECK(n == 0);
    CHECK(at <= len / 2 + (1 << 16)); /* what was buffered before the cut, at most */
    aw_input_close(in);
    free(buf);
    free(data);
    unlink(path);
}

static void count_msg(void *wstate, aw_buf *out, const aw_msg *msg, const aw_msg_meta *meta) {
    (void)wstate, (void)meta;
    char *p = aw_buf_reserve(out, 1);
    if (p) {
        *p = msg->msg_type == 5 ? '5' : '?';
        out->len++;
    }
}

static bool count_fives(void *ctx, const char *data, size_t len) {
    size_t *n = ctx;
    for (size_t i = 0; i < len; i++) *n += data[i] == '5';
    return true;
}

/* One sentence with its checksum, then a newline. */
static size_t put_sentence(char *out, const char *body) {
    return (size_t)sprintf(out, "!%s*%02X\n", body, aw_nmea_checksum(body, strlen(body)));
}

/* Two-part messages whose parts interleave (A1 B1 A2 B2, as receivers on two channels
 * send them), cut into small chunks: no cut may fall inside a message, whatever the
 * neighbours, so every message decodes and none is counted incomplete. */
static void interleaved_multipart_never_split_between_chunks(void) {
    static const char *p1 = "55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8", *p2 = "88888888880";
    const size_t groups = 4000;
    char *data = malloc(groups * 4 * 100), body[128];
    size_t len = 0;
    for (size_t g = 0; g < groups; g++) {
        int a = (int)(g % 5), b = a + 5; /* sequence ids: A on channel A, B on channel B */
        snprintf(body, sizeof body, "AIVDM,2,1,%d,A,%s,0", a, p1);
        len += put_sentence(data + len, body);
        snprintf(body, sizeof body, "AIVDM,2,1,%d,B,%s,0", b, p1);
        len += put_sentence(data + len, body);
        snprintf(body, sizeof body, "AIVDM,2,2,%d,A,%s,2", a, p2);
        len += put_sentence(data + len, body);
        snprintf(body, sizeof body, "AIVDM,2,2,%d,B,%s,2", b, p2);
        len += put_sentence(data + len, body);
    }
    const char *dir = getenv("TMPDIR");
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/aw_test_interleaved_%ld.nmea", dir && *dir ? dir : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(data, 1, len, f);
    fclose(f);
    free(data);
    for (size_t chunk = 1000; chunk <= 5000; chunk += 977) {
        aw_input *in = aw_input_open(path, err, sizeof err);
        CHECK(in != NULL);
        size_t fives = 0;
        aw_pipeline_opts opts = {.threads = 2, .chunk_bytes = chunk};
        aw_pipeline_hooks hooks = {.on_msg = count_msg, .write_fn = count_fives, .ctx = &fives};
        aw_decode_stats st;
        memset(&st, 0, sizeof st);
        CHECK_EQ_INT(aw_pipeline_run(in, &opts, &hooks, &st, err, sizeof err), 0);
        CHECK_EQ_INT(fives, groups * 2);
        CHECK_EQ_INT(st.rejects[AW_REJ_INCOMPLETE], 0);
        aw_input_close(in);
    }
    unlink(path);
}

int main(void) {
    interleaved_multipart_never_split_between_chunks();
    file_reads_peeks_and_hashes_like_sha256sum();
    closing_early_gives_no_digest();
    pipeline_hashes_what_it_decodes();
    file_cut_shorter_while_read_ends_early();
    return check_report("test_input");
}
