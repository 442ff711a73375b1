/* input.c — plain, gzip and zstd byte streams behind one read call.
 *
 * zlib's gz* layer would read plain files too, but through an extra copy; plain input
 * is the fast path (a day of NMEA is 10–20 GB), so it gets a bare read(). */
#include "aiswatch/input.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CAP (1u << 20)

struct aw_input {
    int fd;
    aw_compression comp;
    uint64_t raw_bytes;
    /* Compressed bytes read ahead (the sniffed header and the decompressors' input). */
    unsigned char *raw;
    size_t raw_len, raw_pos;
    bool eof;
    z_stream z;
    bool z_init;
    ZSTD_DStream *zs;
    bool mid_frame;        /* a gzip member or zstd frame has begun and not ended */
    char *peeked;          /* decompressed bytes already read by aw_input_peek */
    size_t peeked_len, peeked_pos;
    /* SHA-256 of the raw bytes, fed where they come off the file descriptor (every read
     * goes through note_raw), so the digest names the file as stored, compressed or not,
     * without a second pass over a file of many gigabytes. NULL when OpenSSL failed: the
     * input still reads, it only has no digest. */
    EVP_MD_CTX *sha;
    bool sha_done;
    unsigned char digest[32];
};

/* Counts and hashes raw bytes just read from the descriptor. */
static void note_raw(aw_input *in, const void *p, size_t n) {
    in->raw_bytes += (uint64_t)n;
    if (in->sha && n && EVP_DigestUpdate(in->sha, p, n) != 1) {
        EVP_MD_CTX_free(in->sha);
        in->sha = NULL;
    }
}

static ssize_t read_full(int fd, void *buf, size_t cap) {
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n >= 0 || errno != EINTR) return n;
    }
}

aw_input *aw_input_open(const char *path, char *err, size_t errcap) {
    aw_input *in = calloc(1, sizeof *in);
    if (!in || !(in->raw = malloc(RAW_CAP))) {
        free(in);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    in->sha = EVP_MD_CTX_new();
    if (in->sha && EVP_DigestInit_ex(in->sha, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(in->sha);
        in->sha = NULL;
    }
    if (strcmp(path, "-") == 0) {
        in->fd = STDIN_FILENO;
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0) {
            snprintf(err, errcap, "%s: %s", path, strerror(errno));
            EVP_MD_CTX_free(in->sha);
            free(in->raw);
            free(in);
            return NULL;
        }
#ifdef POSIX_FADV_SEQUENTIAL
        (void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    /* Sniff up to 4 bytes; a short file is simply plain. */
    while (in->raw_len < 4) {
        ssize_t n = read_full(in->fd, in->raw + in->raw_len, RAW_CAP - in->raw_len);
        if (n < 0) {
            snprintf(err, errcap, "%s: %s", path, strerror(errno));
            aw_input_close(in);
            return NULL;
        }
        if (n == 0) {
            in->eof = true;
            break;
        }
        note_raw(in, in->raw + in->raw_len, (size_t)n);
        in->raw_len += (size_t)n;
    }
    const unsigned char *m = in->raw;
    if (in->raw_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        in->comp = AW_GZIP;
        /* 16 + MAX_WBITS: gzip wrapper, and concatenated members handled in read. */
        if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK) {
            snprintf(err, errcap, "%s: zlib init failed", path);
            aw_input_close(in);
            return NULL;
        }
        in->z_init = true;
    } else if (in->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        in->comp = AW_ZSTD;
        in->zs = ZSTD_createDStream();
        if (!in->zs || ZSTD_isError(ZSTD_initDStream(in->zs))) {
            snprintf(err, errcap, "%s: zstd init failed", path);
            aw_input_close(in);
            return NULL;
        }
    }
    return in;
}

/* Makes sure compressed bytes are waiting in raw; false at end of file. */
static int fill_raw(aw_input *in, char *err, size_t errcap) {
    if (in->raw_pos < in->raw_len) return 1;
    if (in->eof) return 0;
    ssize_t n = read_full(in->fd, in->raw, RAW_CAP);
    if (n < 0) {
        snprintf(err, errcap, "read: %s", strerror(errno));
        return -1;
    }
    in->raw_pos = 0;
    in->raw_len = (size_t)n;
    note_raw(in, in->raw, (size_t)n);
    if (n == 0) in->eof = true;
    return n > 0;
}

static ssize_t read_stream(aw_input *in, char *buf, size_t cap, char *err, size_t errcap);

ssize_t aw_input_read(aw_input *in, char *buf, size_t cap, char *err, size_t errcap) {
    if (in->peeked_pos < in->peeked_len) {
        size_t n = in->peeked_len - in->peeked_pos;
        if (n > cap) n = cap;
        memcpy(buf, in->peeked + in->peeked_pos, n);
        in->peeked_pos += n;
        return (ssize_t)n;
    }
    return read_stream(in, buf, cap, err, errcap);
}

ssize_t aw_input_peek(aw_input *in, char *buf, size_t cap, char *err, size_t errcap) {
    if (in->peeked) {
        size_t n = in->peeked_len < cap ? in->peeked_len : cap;
        memcpy(buf, in->peeked, n);
        return (ssize_t)n;
    }
    in->peeked = malloc(cap ? cap : 1);
    if (!in->peeked) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read_stream(in, in->peeked + got, cap - got, err, errcap);
        if (n < 0) return -1;
        if (n == 0) break;
        got += (size_t)n;
    }
    in->peeked_len = got;
    memcpy(buf, in->peeked, got);
    return (ssize_t)got;
}

static ssize_t read_stream(aw_input *in, char *buf, size_t cap, char *err, size_t errcap) {
    if (in->comp == AW_PLAIN) {
        if (in->raw_pos < in->raw_len) {
            size_t n = in->raw_len - in->raw_pos;
            if (n > cap) n = cap;
            memcpy(buf, in->raw + in->raw_pos, n);
            in->raw_pos += n;
            return (ssize_t)n;
        }
        if (in->eof) return 0;
        size_t got = 0;
        /* Fill the caller's buffer: pipes return small reads, workers want big chunks. */
        while (got < cap) {
            ssize_t n = read_full(in->fd, buf + got, cap - got);
            if (n < 0) {
                snprintf(err, errcap, "read: %s", strerror(errno));
                return -1;
            }
            if (n == 0) {
                in->eof = true;
                break;
            }
            note_raw(in, buf + got, (size_t)n);
            got += (size_t)n;
        }
        return (ssize_t)got;
    }
    size_t out = 0;
    while (out < cap) {
        int r = fill_raw(in, err, errcap);
        if (r < 0) return -1;
        if (r == 0) {
            /* The file ended inside a compressed frame: say so, after handing over what
             * was decompressed, so a cut download is never taken for a whole one. */
            if (in->mid_frame && out == 0) {
                snprintf(err, errcap, "%s: the compressed file ends early (truncated?)",
                         in->comp == AW_GZIP ? "gzip" : "zstd");
                in->mid_frame = false;
                return -1;
            }
            break;
        }
        if (in->comp == AW_GZIP) {
            in->z.next_in = in->raw + in->raw_pos;
            in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
            in->z.next_out = (Bytef *)buf + out;
            in->z.avail_out = (uInt)(cap - out);
            int zr = inflate(&in->z, Z_NO_FLUSH);
            size_t used = (in->raw_len - in->raw_pos) - in->z.avail_in;
            in->raw_pos += used;
            out = cap - in->z.avail_out;
            in->mid_frame = zr != Z_STREAM_END;
            if (zr == Z_STREAM_END) {
                inflateReset(&in->z); /* a following gzip member continues the stream */
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                snprintf(err, errcap, "gzip: %s", in->z.msg ? in->z.msg : "corrupt data");
                return out ? (ssize_t)out : -1;
            }
        } else {
            ZSTD_inBuffer ib = {in->raw, in->raw_len, in->raw_pos};
            ZSTD_outBuffer ob = {buf, cap, out};
            size_t zr = ZSTD_decompressStream(in->zs, &ob, &ib);
            in->raw_pos = ib.pos;
            out = ob.pos;
            in->mid_frame = !ZSTD_isError(zr) && zr != 0;
            if (ZSTD_isError(zr)) {
                snprintf(err, errcap, "zstd: %s", ZSTD_getErrorName(zr));
                return out ? (ssize_t)out : -1;
            }
        }
    }
    return (ssize_t)out;
}

aw_compression aw_input_compression(const aw_input *in) { return in->comp; }
uint64_t aw_input_raw_bytes(const aw_input *in) { return in->raw_bytes; }

int aw_input_sha256(const aw_input *in, char hex[65]) {
    hex[0] = 0;
    if (!in->eof) return -1; /* a digest of part of the file would name no file */
    /* The aw_input is const to callers (asking does not change what was read); the
     * digest is finalised once, on the first ask, and kept. */
    aw_input *m = (aw_input *)in;
    if (!m->sha_done) {
        unsigned int len = 0;
        if (!m->sha || EVP_DigestFinal_ex(m->sha, m->digest, &len) != 1 || len != 32) {
            EVP_MD_CTX_free(m->sha);
            m->sha = NULL;
            return -1;
        }
        EVP_MD_CTX_free(m->sha);
        m->sha = NULL;
        m->sha_done = true;
    }
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", m->digest[i]);
    return 0;
}

void aw_input_close(aw_input *in) {
    if (!in) return;
    if (in->z_init) inflateEnd(&in->z);
    if (in->zs) ZSTD_freeDStream(in->zs);
    if (in->fd > 2) close(in->fd);
    EVP_MD_CTX_free(in->sha);
    free(in->raw);
    free(in->peeked);
    free(in);
}
