/* aiswatch/input.h — byte streams from files or stdin, plain, gzip or zstd.
 *
 * Promise: the compression is told by the first bytes (gzip 1f 8b, zstd 28 b5 2f fd),
 * never by the file name; "-" is standard input. The caller owns the aw_input and
 * closes it; errors come back as a message in the caller's buffer. */
#ifndef AISWATCH_INPUT_H
#define AISWATCH_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct aw_input aw_input;

typedef enum aw_compression { AW_PLAIN, AW_GZIP, AW_ZSTD } aw_compression;

/* Opens path ("-" for stdin). Returns NULL and writes a message to err on failure. */
aw_input *aw_input_open(const char *path, char *err, size_t errcap);

/* Reads up to cap decompressed bytes; 0 at the end, -1 on error (message in err). */
ssize_t aw_input_read(aw_input *in, char *buf, size_t cap, char *err, size_t errcap);

/* Reads up to cap decompressed bytes from the start of the stream without consuming
 * them: the next reads return them again. Only before the first aw_input_read(). Returns
 * the bytes copied, or -1 on error. */
ssize_t aw_input_peek(aw_input *in, char *buf, size_t cap, char *err, size_t errcap);

aw_compression aw_input_compression(const aw_input *in);
/* Compressed bytes consumed so far: for progress against the file size. */
uint64_t aw_input_raw_bytes(const aw_input *in);
/* SHA-256 of the raw bytes (the file as stored: compressed bytes for gzip/zstd, what came
 * on stdin for "-"), computed as they are read, as 64 lowercase hex digits and a NUL in
 * hex. Valid once the end of input has been reached (aw_input_read() returned 0): returns
 * 0; returns -1 with hex "" before that, after a read error, or when OpenSSL failed. */
int aw_input_sha256(const aw_input *in, char hex[65]);

void aw_input_close(aw_input *in);

#endif
