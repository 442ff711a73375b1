/* scan.c — the batch job (see aiswatch/scan.h).
 *
 * Inputs are decoded on all cores by the pipeline; each worker writes its positions as
 * bucketed records into the store of its index (recs.h), kept from input to input, and
 * its static reports into a list handed to the scan when an input ends. Tracks are then
 * built once over everything, so an MMSI split across files is one track. */
#include "aiswatch/scan.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "aiswatch/event_out.h"
#include "aiswatch/gpkg.h"
#include "aiswatch/input.h"
#include "aiswatch/pipeline.h"
#include "aiswatch/table.h"
#include "aiswatch/tracks_gpkg.h"

#include "obs_vec.h"
#include "recs.h"

#define HEAD_BYTES 65536


struct aw_scan {
    aw_scan_opts o;
    pthread_mutex_t mu;
    aw_rec_store **stores; /* each worker's positions, over every input, by worker */
    size_t nstores;
    obs_vec *obs;       /* and its static reports: read in place, not joined */
    size_t nobs, cap_obs;
    uint64_t untimed_static, outside_window;
    bool oom;
    /* inputs, by source_id */
    aw_scan_input *inputs;
    char **names;
    size_t ninputs, cap_inputs;
    const char *cur_path; /* the input being read */
    aw_decode_stats total;
    /* results */
    bool finished;
    aw_tracks tracks;
    aw_events events;
    aw_vessel_screen *screened;
    const char **vessel_sanctions;
    long derived;
    const char *skipped_rules;
    double t_read, t_tracks, t_events;
    double cpu_read, cpu_tracks, cpu_events;
    double t_write, cpu_write; /* aw_scan_finish_gpkg(): after the detectors, and all of the layers' CPU */
    uint64_t rows[4]; /* positions, tracks, vessels, identity_history written */
};

typedef struct worker_state {
    aw_scan *s;
    aw_rec_store *recs; /* the scan's store of this worker's index */
    obs_vec obs;
    uint64_t untimed_static, outside_window;
    bool oom;
} worker_state;

/* CPU seconds of the whole process, all threads: on a shared machine, wall time says
 * little about the work done. */
static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

void aw_scan_opts_default(aw_scan_opts *o) {
    memset(o, 0, sizeof *o);
    aw_track_params_default(&o->track);
    o->events = true;
    aw_event_params_default(&o->event);
    o->anchorage_min_vessels = 10;
    aw_screen_params_default(&o->screen);
    o->time_from_ms = INT64_MIN;
    o->time_to_ms = INT64_MAX;
}


/* A worker's positions go to the store of its index, kept from input to input: inputs
 * are read one after another, so no two live workers share one. */
static void *worker_new(void *ctx, unsigned worker) {
    aw_scan *s = ctx;
    worker_state *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->s = s;
    pthread_mutex_lock(&s->mu);
    if (worker >= s->nstores) {
        aw_rec_store **st = realloc(s->stores, (worker + 1) * sizeof *st);
        if (st) {
            for (size_t k = s->nstores; k <= worker; k++) st[k] = NULL;
            s->stores = st, s->nstores = worker + 1;
        }
    }
    if (worker < s->nstores && !s->stores[worker]) s->stores[worker] = aw_recs_new();
    w->recs = worker < s->nstores ? s->stores[worker] : NULL;
    pthread_mutex_unlock(&s->mu);
    if (!w->recs) w->oom = true;
    return w;
}

static void worker_free(void *ctx, void *wstate) {
    aw_scan *s = ctx;
    worker_state *w = wstate;
    if (!w) {
        s->oom = true;
        return;
    }
    pthread_mutex_lock(&s->mu);
    if (w->oom) s->oom = true;
    if (w->obs.n && s->nobs == s->cap_obs) {
        size_t cap = s->cap_obs ? s->cap_obs * 2 : 16;
        obs_vec *o = realloc(s->obs, cap * sizeof *o);
        if (o) s->obs = o, s->cap_obs = cap;
    }
    if (w->obs.n && s->nobs < s->cap_obs) {
        s->obs[s->nobs++] = w->obs; /* moved, not copied */
        w->obs = (obs_vec){0};
    } else if (w->obs.n) {
        s->oom = true;
    }
    s->untimed_static += w->untimed_static;
    s->outside_window += w->outside_window;
    pthread_mutex_unlock(&s->mu);
    obs_free(&w->obs);
    free(w);
}

static void on_msg(void *wstate, aw_buf *out, const aw_msg *msg, const aw_msg_meta *meta) {
    (void)out;
    worker_state *w = wstate;
    if (!w) return;
    const aw_scan_opts *o = &w->s->o;
    if (meta->time_ms != AW_TIME_NONE && (meta->time_ms < o->time_from_ms || meta->time_ms >= o->time_to_ms)) {
        w->outside_window++;
        return;
    }
    if (!w->recs || aw_recs_push(w->recs, msg, meta, (uint16_t)(w->s->ninputs - 1)) < 0) w->oom = true;
    aw_static_obs ob;
    if (aw_static_from_msg(msg, meta->time_ms, &ob)) {
        if (meta->time_ms == AW_TIME_NONE) w->untimed_static++;
        else if (ob.fields && obs_push(&w->obs, &ob) < 0) w->oom = true;
    }
}

static void on_reject(void *wstate, aw_buf *log, uint64_t line_no, aw_reject reason, const char *line, size_t len) {
    worker_state *w = wstate;
    if (!w) return;
    size_t show = len > 200 ? 200 : len;
    char *p = aw_buf_reserve(log, show + 512);
    if (!p) return;
    int n = snprintf(p, 512, "%.300s:%llu: %s: ", w->s->cur_path, (unsigned long long)line_no, aw_reject_name(reason));
    if (n < 0) return;
    p += n;
    for (size_t i = 0; i < show; i++) *p++ = (line[i] >= 32 && line[i] < 127) ? line[i] : '?';
    *p++ = '\n';
    log->len += (size_t)n + show + 1;
}

static void log_fn(void *ctx, const char *data, size_t len) {
    aw_scan *s = ctx;
    if (s->o.reject_log) s->o.reject_log(s->o.ctx, data, len);
}

static void progress_fn(void *ctx, uint64_t raw_bytes, uint64_t messages) {
    aw_scan *s = ctx;
    if (s->o.progress) s->o.progress(s->o.ctx, raw_bytes, messages);
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

const char *aw_scan_format_name(int fmt, aw_compression comp) {
    static const char *const table[] = {"nmea", "noaa_csv", "dma_csv", "jsonl", "csv_mapped", "aiswatch_csv"};
    static const char *const gz[] = {"nmea+gzip", "noaa_csv+gzip", "dma_csv+gzip", "jsonl+gzip", "csv_mapped+gzip",
                                     "aiswatch_csv+gzip"};
    static const char *const zs[] = {"nmea+zstd", "noaa_csv+zstd", "dma_csv+zstd", "jsonl+zstd", "csv_mapped+zstd",
                                     "aiswatch_csv+zstd"};
    if (fmt < 0 || fmt >= (int)(sizeof table / sizeof table[0])) return "unknown";
    return comp == AW_GZIP ? gz[fmt] : comp == AW_ZSTD ? zs[fmt] : table[fmt];
}


aw_scan *aw_scan_new(const aw_scan_opts *o, char *err, size_t errcap) {
    aw_scan *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    if (o) s->o = *o;
    else aw_scan_opts_default(&s->o);
    if (s->o.track.threads == 0) s->o.track.threads = s->o.threads;
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

int aw_scan_add(aw_scan *s, const char *path, char *err, size_t errcap) {
    if (s->finished) {
        snprintf(err, errcap, "scan already finished");
        return -1;
    }
    if (s->ninputs == 65535) {
        snprintf(err, errcap, "at most 65535 inputs in one run");
        return -1;
    }
    if (s->ninputs == s->cap_inputs) {
        size_t cap = s->cap_inputs ? s->cap_inputs * 2 : 16;
        aw_scan_input *in = realloc(s->inputs, cap * sizeof *in);
        if (in) s->inputs = in;
        char **nm = in ? realloc(s->names, cap * sizeof *nm) : NULL;
        if (!in || !nm) {
            snprintf(err, errcap, "out of memory");
            return -1;
        }
        s->names = nm;
        s->cap_inputs = cap;
    }
    char *copy = strdup(path);
    if (!copy) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    aw_scan_input *info = &s->inputs[s->ninputs];
    memset(info, 0, sizeof *info);
    info->path = copy;
    s->names[s->ninputs] = (char *)base_name(copy);
    s->ninputs++;

    char head[HEAD_BYTES];
    aw_input *in = aw_input_open(path, err, errcap);
    if (!in) return -1;
    ssize_t nh = aw_input_peek(in, head, sizeof head, err, errcap);
    aw_table_map map;
    char derr[256];
    int fmt = nh < 0 ? -1 : aw_table_detect(head, (size_t)nh, s->o.columns, &map, derr, sizeof derr);
    if (fmt < 0) {
        if (nh >= 0) snprintf(err, errcap, "%s: %s", path, derr);
        aw_input_close(in);
        return -1;
    }
    aw_pipeline_opts popts = {
        .threads = s->o.threads,
        .decoder = s->o.decoder,
        .table = fmt == AW_TABLE_NONE ? NULL : &map,
        .progress = progress_fn,
    };
    aw_pipeline_hooks hooks = {
        .worker_new = worker_new,
        .worker_free = worker_free,
        .on_msg = on_msg,
        .on_reject = s->o.reject_log ? on_reject : NULL,
        .log_fn = log_fn,
        .ctx = s,
    };
    s->cur_path = copy;
    double t0 = now_s(), c0 = cpu_s();
    char perr[256];
    int rc = 0;
    if (aw_pipeline_run(in, &popts, &hooks, &info->stats, perr, sizeof perr) < 0) {
        snprintf(err, errcap, "%s: %s (what was read before is kept)", path, perr);
        rc = -1;
    }
    s->t_read += now_s() - t0;
    s->cpu_read += cpu_s() - c0;
    info->read = true;
    info->bytes = aw_input_raw_bytes(in);
    info->format = aw_scan_format_name(fmt, aw_input_compression(in));
    (void)aw_input_sha256(in, info->sha256); /* "" when the read stopped early */
    aw_input_close(in);
    aw_stats_add(&s->total, &info->stats);
    if (s->oom) {
        snprintf(err, errcap, "out of memory while reading %s", path);
        return -1;
    }
    if (rc == 0 && info->stats.messages == 0) {
        snprintf(err, errcap, "%s: no AIS messages or positions found (%llu lines)", path,
                 (unsigned long long)info->stats.lines);
        return 1;
    }
    return rc;
}

static int check_finish(aw_scan *s, char *err, size_t errcap) {
    if (s->finished) {
        snprintf(err, errcap, "scan already finished");
        return -1;
    }
    s->finished = true;
    if (s->oom) {
        snprintf(err, errcap, "out of memory while reading");
        return -1;
    }
    if (s->total.messages == 0) {
        snprintf(err, errcap, "nothing usable was read");
        return -1;
    }
    return 0;
}

static void free_obs(aw_scan *s) {
    for (size_t b = 0; b < s->nobs; b++) obs_free(&s->obs[b]);
    free(s->obs);
    s->obs = NULL;
    s->nobs = s->cap_obs = 0;
}

static int build_tracks(aw_scan *s, char *err, size_t errcap) {
    double t1 = now_s(), c1 = cpu_s();
    aw_static_block *ob = calloc(s->nobs ? s->nobs : 1, sizeof *ob);
    int rc = -1;
    if (!ob) {
        snprintf(err, errcap, "out of memory");
    } else {
        for (size_t b = 0; b < s->nobs; b++) ob[b] = (aw_static_block){s->obs[b].v, s->obs[b].n};
        rc = aw_tracks_build_recs(s->stores, s->nstores, ob, s->nobs, &s->o.track, &s->tracks, err, errcap);
    }
    free(ob);
    free_obs(s);
    s->t_tracks = now_s() - t1;
    s->cpu_tracks = cpu_s() - c1;
    return rc;
}

static int screen(aw_scan *s, char *err, size_t errcap) {
    if (!s->o.lists) return 0;
    s->screened = aw_screen_tracks(s->o.lists, &s->tracks, &s->o.screen);
    s->vessel_sanctions = calloc(s->tracks.nvessels ? s->tracks.nvessels : 1, sizeof *s->vessel_sanctions);
    if (!s->screened || !s->vessel_sanctions) {
        snprintf(err, errcap, "out of memory screening vessels");
        return -1;
    }
    for (size_t i = 0; i < s->tracks.nvessels; i++) s->vessel_sanctions[i] = s->screened[i].json;
    return 0;
}

static int detect(aw_scan *s, char *err, size_t errcap) {
    if (!s->o.events) return 0;
    if (s->o.geo && s->o.anchorage_min_vessels > 0) {
        s->derived = aw_anchorages_derive(&s->tracks, s->o.geo, AW_ANCHORAGE_CELL_DEG, s->o.anchorage_min_vessels);
        if (s->derived < 0) {
            snprintf(err, errcap, "out of memory deriving anchorages");
            return -1;
        }
    }
    return aw_detect(&s->tracks, s->o.geo, &s->o.event, &s->events, &s->skipped_rules, err, errcap);
}

int aw_scan_finish(aw_scan *s, char *err, size_t errcap) {
    if (check_finish(s, err, errcap) < 0 || build_tracks(s, err, errcap) < 0) return -1;
    double t1 = now_s(), c1 = cpu_s();
    if (detect(s, err, errcap) < 0 || screen(s, err, errcap) < 0) return -1;
    s->t_events = now_s() - t1;
    s->cpu_events = cpu_s() - c1;
    return 0;
}

/* The inputs' table columns, by source_id. */
typedef struct input_cols {
    int64_t *bytes;
    const char **paths, **sha, **formats;
} input_cols;

static int input_cols_get(const aw_scan *s, input_cols *c) {
    size_t n = s->ninputs ? s->ninputs : 1;
    c->bytes = malloc(n * sizeof *c->bytes);
    c->paths = malloc(n * sizeof *c->paths);
    c->sha = malloc(n * sizeof *c->sha);
    c->formats = malloc(n * sizeof *c->formats);
    if (!c->bytes || !c->paths || !c->sha || !c->formats) return -1;
    for (size_t i = 0; i < s->ninputs; i++) {
        c->paths[i] = s->inputs[i].path;
        c->bytes[i] = s->inputs[i].read ? (int64_t)s->inputs[i].bytes : -1;
        c->sha[i] = s->inputs[i].sha256;
        c->formats[i] = s->inputs[i].format;
    }
    return 0;
}

static void input_cols_free(input_cols *c) { free(c->bytes), free(c->paths), free(c->sha), free(c->formats); }

/* The layers that do not depend on the events: tracks, vessels, identity history,
 * positions, inputs. */
typedef struct layer_job {
    aw_scan *s;
    aw_gpkg *g;
    bool with_positions;
    int rc;
    double cpu; /* this thread's CPU seconds */
    char err[256];
} layer_job;

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *write_track_layers(void *arg) {
    layer_job *j = arg;
    double c0 = thread_cpu_s();
    aw_scan *s = j->s;
    input_cols c;
    const char *const *names = (const char *const *)s->names;
    j->rc = -1;
    if (input_cols_get(s, &c) < 0)
        snprintf(j->err, sizeof j->err, "out of memory");
    else if (aw_tracks_write_gpkg(j->g, &s->tracks, s->screened, s->o.lists, names, s->ninputs, j->with_positions,
                                  s->rows, j->err, sizeof j->err) == 0 &&
             aw_inputs_write_gpkg(j->g, s->ninputs, c.paths, names, c.bytes, c.sha, c.formats, j->err,
                                  sizeof j->err) == 0 &&
             aw_gpkg_flush(j->g, j->err, sizeof j->err) == 0)
        j->rc = 0;
    input_cols_free(&c);
    j->cpu = thread_cpu_s() - c0;
    return NULL;
}

static int write_events(aw_scan *s, aw_gpkg *g, char *err, size_t errcap) {
    const char *const *names = (const char *const *)s->names;
    if (s->o.events && aw_events_write_gpkg_screened(g, &s->tracks, &s->events, &s->o.event, names, s->ninputs,
                                                     s->vessel_sanctions, err, errcap) < 0)
        return -1;
    return aw_gpkg_finish(g, err, errcap);
}

int aw_scan_write_gpkg(aw_scan *s, const char *path, bool append, bool with_positions, char *err, size_t errcap) {
    if (!s->finished || s->total.messages == 0) {
        snprintf(err, errcap, "nothing to write");
        return -1;
    }
    aw_gpkg *g = aw_gpkg_open(path, append, err, errcap);
    if (!g) return -1;
    layer_job j = {.s = s, .g = g, .with_positions = with_positions};
    write_track_layers(&j);
    int rc = j.rc;
    if (rc < 0) snprintf(err, errcap, "%s", j.err);
    else rc = write_events(s, g, err, errcap);
    aw_gpkg_close(g);
    return rc;
}

int aw_scan_finish_gpkg(aw_scan *s, const char *path, bool append, bool with_positions, char *err, size_t errcap) {
    if (check_finish(s, err, errcap) < 0 || build_tracks(s, err, errcap) < 0) return -1;
    double t1 = now_s(), c1 = cpu_s();
    if (screen(s, err, errcap) < 0) return -1;
    aw_gpkg *g = aw_gpkg_open(path, append, err, errcap);
    if (!g) return -1;
    /* The detectors leave a core idle part of the time (their tasks are of unequal
     * lengths, and the ones that read other events run after the join): the event-free
     * layers are written meanwhile. */
    layer_job j = {.s = s, .g = g, .with_positions = with_positions};
    pthread_t writer;
    bool threaded = pthread_create(&writer, NULL, write_track_layers, &j) == 0;
    int rc = detect(s, err, errcap);
    s->t_events = now_s() - t1;
    if (threaded) pthread_join(writer, NULL);
    else write_track_layers(&j);
    double c2 = cpu_s();
    s->cpu_events = c2 - c1 - j.cpu;
    if (rc == 0 && j.rc < 0) {
        snprintf(err, errcap, "%s", j.err);
        rc = -1;
    }
    if (rc == 0) rc = write_events(s, g, err, errcap);
    aw_gpkg_close(g);
    s->t_write = now_s() - t1 - s->t_events;
    s->cpu_write = cpu_s() - c2 + j.cpu;
    return rc;
}

void aw_scan_result_get(const aw_scan *s, aw_scan_result *r) {
    memset(r, 0, sizeof *r);
    r->tracks = &s->tracks;
    r->events = &s->events;
    r->screened = s->screened;
    r->vessel_sanctions = s->vessel_sanctions;
    r->decode = s->total;
    r->untimed_static = s->untimed_static;
    r->outside_window = s->outside_window;
    r->anchorages_derived = s->derived;
    r->skipped_rules = s->skipped_rules;
    r->inputs = s->inputs;
    r->ninputs = s->ninputs;
    r->source_names = (const char *const *)s->names;
    r->t_read = s->t_read;
    r->t_tracks = s->t_tracks;
    r->t_events = s->t_events;
    r->cpu_read = s->cpu_read;
    r->cpu_tracks = s->cpu_tracks;
    r->cpu_events = s->cpu_events;
    r->t_write = s->t_write;
    r->cpu_write = s->cpu_write;
    memcpy(r->rows_written, s->rows, sizeof r->rows_written);
}

void aw_scan_free(aw_scan *s) {
    if (!s) return;
    for (size_t i = 0; i < s->nstores; i++) aw_recs_free(s->stores[i]);
    free(s->stores);
    free_obs(s);
    aw_vessel_screen_free(s->screened, s->tracks.nvessels);
    free(s->vessel_sanctions);
    aw_events_free(&s->events);
    aw_tracks_free(&s->tracks);
    for (size_t i = 0; i < s->ninputs; i++) free((char *)s->inputs[i].path);
    free(s->inputs);
    free(s->names);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
