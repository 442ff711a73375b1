/* aiswatch/pipeline.h — decode input streams on all cores, keeping input order.
 *
 * Promise: the input is cut into chunks at line ends that begin a message (so a
 * multipart message is never split between workers), each chunk is decoded by one of
 * `threads` workers with its own aw_decoder, and whatever a worker writes for a chunk
 * into its aw_buf reaches `write_fn` in input order. Memory is bounded by
 * threads × chunk size, whatever the input length. */
#ifndef AISWATCH_PIPELINE_H
#define AISWATCH_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aiswatch/input.h"
#include "aiswatch/nmea.h"
#include "aiswatch/table.h"

/* A growable output buffer owned by the pipeline. */
typedef struct aw_buf {
    char *data;
    size_t len, cap;
} aw_buf;

/* Makes room for `need` more bytes; returns a pointer to data + len, or NULL. */
char *aw_buf_reserve(aw_buf *b, size_t need);

typedef struct aw_pipeline_hooks {
    /* Per-worker state, created in the worker thread before its first chunk. */
    void *(*worker_new)(void *ctx, unsigned worker);
    void (*worker_free)(void *ctx, void *wstate);
    /* One decoded message, in the worker thread; append output to *out. */
    void (*on_msg)(void *wstate, aw_buf *out, const aw_msg *msg, const aw_msg_meta *meta);
    /* Output of each chunk, in input order, in the reading thread. Returns false to stop. */
    bool (*write_fn)(void *ctx, const char *data, size_t len);
    /* Optional, for --verbose: a line or row that could not be used, in the worker thread;
     * append a report to *log. Logs reach log_fn in input order, like outputs. */
    void (*on_reject)(void *wstate, aw_buf *log, uint64_t line_no, aw_reject reason, const char *line,
                      size_t len);
    void (*log_fn)(void *ctx, const char *data, size_t len);
    void *ctx;
} aw_pipeline_hooks;

typedef struct aw_pipeline_opts {
    unsigned threads;          /* 0 = number of online cores */
    size_t chunk_bytes;        /* 0 = 4 MiB */
    aw_decoder_opts decoder;
    /* A decoded-position table (CSV, JSON lines) instead of NMEA; NULL or AW_TABLE_NONE
     * for NMEA. */
    const aw_table_map *table;
    /* Called now and then from the reading thread with input bytes so far. */
    void (*progress)(void *ctx, uint64_t raw_bytes, uint64_t messages);
    /* Line number of the input's first line minus one (for several inputs in a row: 0). */
    uint64_t first_line;
} aw_pipeline_opts;

/* Decodes one opened input to the end. Stats accumulate in *stats. Returns 0, or -1
 * with a message in err (read error, out of memory, write_fn refused). */
int aw_pipeline_run(aw_input *in, const aw_pipeline_opts *opts, const aw_pipeline_hooks *hooks,
                    aw_decode_stats *stats, char *err, size_t errcap);

#endif
