/* pipeline.c — chunked, ordered, multi-threaded decoding.
 *
 * One reading thread cuts the stream into chunks and writes results back in order; N
 * workers decode. A chunk ends just before a line that starts a message (a single
 * sentence or a first fragment, with a Gatehouse stamp kept with its sentence), so
 * multipart messages that arrive in sequence are never split. Fragments interleaved
 * across a boundary are counted as incomplete/orphan, as a lone decoder would at a
 * file boundary. Workers keep their decoder across chunks only for its prefix cache:
 * reassembly state is flushed at each chunk end. */
#include "aiswatch/pipeline.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOKBACK_LINES 64

char *aw_buf_reserve(aw_buf *b, size_t need) {
    if (b->cap - b->len < need) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap - b->len < need) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return NULL;
        b->data = d;
        b->cap = cap;
    }
    return b->data + b->len;
}

typedef enum { JOB_FREE, JOB_READY, JOB_BUSY, JOB_DONE } job_state;

typedef struct job {
    char *data;
    size_t len;
    uint64_t first_line; /* lines before this chunk */
    aw_buf out;
    aw_buf log;
    aw_decode_stats stats;
    job_state state;
    uint64_t seq;
} job;

typedef struct shared {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    job *jobs;
    unsigned njobs;
    bool quit;
    const aw_pipeline_opts *opts;
    const aw_pipeline_hooks *hooks;
    bool failed;
} shared;

typedef struct worker {
    shared *sh;
    unsigned id;
    pthread_t thread;
} worker;

typedef struct emit_ctx {
    const aw_pipeline_hooks *hooks;
    void *wstate;
    aw_buf *out;
    aw_buf *log;
} emit_ctx;

static void emit(void *ctx, const aw_msg *msg, const aw_msg_meta *meta) {
    emit_ctx *e = ctx;
    e->hooks->on_msg(e->wstate, e->out, msg, meta);
}

static void emit_reject(void *ctx, uint64_t line_no, aw_reject reason, const char *line, size_t len) {
    emit_ctx *e = ctx;
    e->hooks->on_reject(e->wstate, e->log, line_no, reason, line, len);
}

static void *worker_main(void *arg) {
    worker *w = arg;
    shared *sh = w->sh;
    void *wstate = sh->hooks->worker_new ? sh->hooks->worker_new(sh->hooks->ctx, w->id) : NULL;
    aw_decoder *dec = aw_decoder_new(&sh->opts->decoder);
    if (!dec) {
        pthread_mutex_lock(&sh->mu);
        sh->failed = true;
        pthread_cond_broadcast(&sh->done);
        pthread_mutex_unlock(&sh->mu);
        return NULL;
    }
    pthread_mutex_lock(&sh->mu);
    for (;;) {
        job *j = NULL;
        while (!sh->quit) {
            for (unsigned i = 0; i < sh->njobs; i++) {
                if (sh->jobs[i].state == JOB_READY && (!j || sh->jobs[i].seq < j->seq)) j = &sh->jobs[i];
            }
            if (j) break;
            pthread_cond_wait(&sh->work, &sh->mu);
        }
        if (!j) break;
        j->state = JOB_BUSY;
        pthread_mutex_unlock(&sh->mu);

        memset(&j->stats, 0, sizeof j->stats);
        j->out.len = 0;
        j->log.len = 0;
        emit_ctx e = {sh->hooks, wstate, &j->out, &j->log};
        aw_row_reject_fn rej = sh->hooks->on_reject ? emit_reject : NULL;
        const aw_table_map *table = sh->opts->table;
        if (table && table->format != AW_TABLE_NONE) {
            aw_table_lines(table, j->data, j->len, j->first_line + 1, &j->stats, sh->hooks->on_msg ? emit : NULL,
                           rej, &e);
        } else {
            aw_decoder_on_reject(dec, rej, &e);
            aw_decoder_set_line(dec, j->first_line);
            aw_decoder_lines(dec, j->data, j->len, &j->stats, sh->hooks->on_msg ? emit : NULL, &e);
            aw_decoder_finish(dec, &j->stats);
        }

        pthread_mutex_lock(&sh->mu);
        j->state = JOB_DONE;
        pthread_cond_broadcast(&sh->done);
    }
    pthread_mutex_unlock(&sh->mu);
    aw_decoder_free(dec);
    if (sh->hooks->worker_free) sh->hooks->worker_free(sh->hooks->ctx, wstate);
    return NULL;
}

/* Where to cut data[0..len) so that the next chunk starts a message: returns the
 * length of this chunk; the rest carries over. The cut goes before a first (or only)
 * fragment that no message straddles: receivers interleave the parts of messages heard
 * on two channels (A1 B1 A2 B2), so cutting before B1 would leave A's parts on two sides,
 * and a message whose last parts lie past the end of the data must go whole into the
 * rest. Messages are followed over the last LOOKBACK_LINES lines; when no line there
 * will do, the last first fragment does, as before. */
typedef struct open_msg {
    uint32_t group;
    int first;                  /* the line of its first fragment */
    unsigned seen, count;       /* fragments so far, of how many */
} open_msg;

static size_t split_point(const char *data, size_t len) {
    const char *last_nl = memrchr(data, '\n', len);
    if (!last_nl) return len;
    size_t cut = (size_t)(last_nl - data) + 1;
    /* The last lines, oldest first. */
    size_t at[LOOKBACK_LINES];
    int n = 0;
    for (size_t line_end = cut; n < LOOKBACK_LINES && line_end > 0; n++) {
        size_t ls = line_end - 1;
        while (ls > 0 && data[ls - 1] != '\n') ls--;
        at[LOOKBACK_LINES - 1 - n] = ls;
        line_end = ls;
    }
    const size_t *line = at + (LOOKBACK_LINES - n);
    /* Fragments of each message: a cut before line c splits one that has parts on
     * both sides (straddle[c] > 0, from a difference array over its span). */
    unsigned count[LOOKBACK_LINES], num[LOOKBACK_LINES];
    uint32_t group[LOOKBACK_LINES];
    int straddle[LOOKBACK_LINES + 1] = {0};
    open_msg open[LOOKBACK_LINES];
    int nopen = 0;
    for (int c = 0; c < n; c++) {
        size_t end = c + 1 < n ? line[c + 1] : cut;
        if (!aw_nmea_line_fragment(data + line[c], end - line[c], &count[c], &num[c], &group[c])) {
            count[c] = num[c] = 0;
            continue;
        }
        int o = 0;
        while (o < nopen && open[o].group != group[c]) o++;
        if (num[c] <= 1) {
            if (o < nopen) open[o] = open[--nopen]; /* the previous one lost its tail anyway */
            if (count[c] > 1) open[nopen++] = (open_msg){group[c], c, 1, count[c]};
            continue;
        }
        int first = o < nopen ? open[o].first : -1; /* -1: began before these lines */
        straddle[first + 1]++, straddle[c + 1]--;
        if (o < nopen && ++open[o].seen >= open[o].count) open[o] = open[--nopen];
    }
    for (int o = 0; o < nopen; o++) straddle[open[o].first + 1]++; /* its rest is still to come */
    int best = -1, fallback = -1;
    for (int c = 0, split = 0; c < n; c++) {
        split += straddle[c];
        if (!count[c] || num[c] > 1) continue;
        fallback = c;
        if (!split) best = c;
    }
    int c = best >= 0 ? best : fallback;
    if (c < 0) return cut;
    size_t ls = line[c];
    /* Keep a Gatehouse stamp line with the sentence it stamps. */
    if (ls > 0) {
        size_t ps = ls - 1;
        while (ps > 0 && data[ps - 1] != '\n') ps--;
        if (ls - ps >= 5 && memcmp(data + ps, "$PGHP", 5) == 0) ls = ps;
    }
    return ls > 0 ? ls : cut;
}

static uint64_t count_newlines(const char *p, size_t len) {
    uint64_t n = 0;
    const char *end = p + len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) n++, p++;
    return n;
}

/* Writes every finished job that is next in order. Called with the mutex held. */
static bool flush_done(shared *sh, uint64_t *next_write, aw_decode_stats *stats, bool *write_failed) {
    bool any = false;
    for (;;) {
        job *j = NULL;
        for (unsigned i = 0; i < sh->njobs; i++)
            if (sh->jobs[i].state == JOB_DONE && sh->jobs[i].seq == *next_write) j = &sh->jobs[i];
        if (!j) return any;
        pthread_mutex_unlock(&sh->mu);
        aw_stats_add(stats, &j->stats);
        if (j->log.len && sh->hooks->log_fn) sh->hooks->log_fn(sh->hooks->ctx, j->log.data, j->log.len);
        if (j->out.len && sh->hooks->write_fn && !*write_failed &&
            !sh->hooks->write_fn(sh->hooks->ctx, j->out.data, j->out.len))
            *write_failed = true;
        if (sh->opts->progress) sh->opts->progress(sh->hooks->ctx, 0, stats->messages);
        pthread_mutex_lock(&sh->mu);
        j->state = JOB_FREE;
        (*next_write)++;
        any = true;
    }
}

int aw_pipeline_run(aw_input *in, const aw_pipeline_opts *opts, const aw_pipeline_hooks *hooks,
                    aw_decode_stats *stats, char *err, size_t errcap) {
    unsigned threads = opts->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (threads > 64) threads = 64;
    size_t chunk = opts->chunk_bytes ? opts->chunk_bytes : (size_t)4 << 20;

    shared sh = {.opts = opts, .hooks = hooks, .njobs = threads * 2 + 1};
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.work, NULL);
    pthread_cond_init(&sh.done, NULL);
    sh.jobs = calloc(sh.njobs, sizeof *sh.jobs);
    char *carry = malloc(chunk);
    worker *workers = calloc(threads, sizeof *workers);
    int rc = 0;
    bool ok = sh.jobs && carry && workers;
    for (unsigned i = 0; ok && i < sh.njobs; i++) ok = (sh.jobs[i].data = malloc(chunk)) != NULL;
    if (!ok) {
        snprintf(err, errcap, "out of memory");
        rc = -1;
        goto out;
    }
    unsigned started = 0;
    for (; started < threads; started++) {
        workers[started] = (worker){.sh = &sh, .id = started};
        if (pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]) != 0) break;
    }
    if (started == 0) {
        snprintf(err, errcap, "cannot start threads");
        rc = -1;
        goto out;
    }

    size_t carry_len = 0;
    /* Line numbers only matter for --verbose reports; counting costs a pass over the data. */
    bool count_lines = hooks->on_reject != NULL;
    uint64_t line_count = opts->first_line;
    bool eof = false, write_failed = false;
    uint64_t next_seq = 0, next_write = 0;
    pthread_mutex_lock(&sh.mu);
    while (!(eof && carry_len == 0) && !write_failed && !sh.failed) {
        job *j = NULL;
        for (;;) {
            flush_done(&sh, &next_write, stats, &write_failed);
            for (unsigned i = 0; i < sh.njobs && !j; i++)
                if (sh.jobs[i].state == JOB_FREE) j = &sh.jobs[i];
            if (j || sh.failed) break;
            pthread_cond_wait(&sh.done, &sh.mu);
        }
        if (!j) break;
        pthread_mutex_unlock(&sh.mu);

        memcpy(j->data, carry, carry_len);
        size_t len = carry_len;
        while (!eof && len < chunk) {
            ssize_t n = aw_input_read(in, j->data + len, chunk - len, err, errcap);
            if (n < 0) {
                rc = -1;
                eof = true;
                break;
            }
            if (n == 0) eof = true;
            len += (size_t)n;
        }
        size_t cut = eof ? len : split_point(j->data, len);
        carry_len = len - cut;
        memcpy(carry, j->data + cut, carry_len);
        j->len = cut;
        j->first_line = line_count;
        if (count_lines) line_count += count_newlines(j->data, cut);
        if (opts->progress) opts->progress(hooks->ctx, aw_input_raw_bytes(in), stats->messages);

        pthread_mutex_lock(&sh.mu);
        j->seq = next_seq++;
        j->state = JOB_READY;
        pthread_cond_signal(&sh.work);
    }
    while (next_write < next_seq && !sh.failed) {
        if (!flush_done(&sh, &next_write, stats, &write_failed)) pthread_cond_wait(&sh.done, &sh.mu);
    }
    sh.quit = true;
    pthread_cond_broadcast(&sh.work);
    pthread_mutex_unlock(&sh.mu);
    for (unsigned i = 0; i < started; i++) pthread_join(workers[i].thread, NULL);
    if (sh.failed && rc == 0) {
        snprintf(err, errcap, "out of memory in a worker");
        rc = -1;
    }
    if (write_failed && rc == 0) {
        snprintf(err, errcap, "output write failed");
        rc = -1;
    }
out:
    if (sh.jobs) {
        for (unsigned i = 0; i < sh.njobs; i++) {
            free(sh.jobs[i].data);
            free(sh.jobs[i].out.data);
            free(sh.jobs[i].log.data);
        }
    }
    free(sh.jobs);
    free(carry);
    free(workers);
    pthread_cond_destroy(&sh.work);
    pthread_cond_destroy(&sh.done);
    pthread_mutex_destroy(&sh.mu);
    return rc;
}
