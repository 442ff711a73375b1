/* decode.c — `aiswatch decode`: NMEA in, one object per message out.
 *
 * All formatting happens in the pipeline's worker threads into per-chunk buffers, which
 * the pipeline hands back in input order; this file only picks the formatter. */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include "aiswatch/columns.h"
#include "aiswatch/format.h"
#include "aiswatch/gpsd_json.h"
#include "aiswatch/input.h"
#include "aiswatch/pipeline.h"
#include "cli.h"

typedef enum { OUT_JSONL, OUT_CSV, OUT_GPSD, OUT_NONE } out_kind;

typedef struct decode_ctx {
    out_kind kind;
    bool scaled;
    const char *device;
    int out_fd;
    pthread_mutex_t mu;
    aw_columns columns;   /* --format none: every worker's positions, merged at the end */
    bool oom;
    aw_gpsd_json t24;     /* --gpsd: the type 24 part A names, in input order (write_fn's) */
    char t24_out[AW_GPSD_JSON_MAX];
} decode_ctx;

typedef struct worker_state {
    decode_ctx *ctx;
    aw_gpsd_json gpsd;
    aw_columns columns;
    bool oom;
} worker_state;

static void *worker_new(void *ctx, unsigned worker) {
    (void)worker;
    decode_ctx *c = ctx;
    worker_state *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->ctx = c;
    aw_gpsd_json_init(&w->gpsd, c->scaled);
    w->gpsd.defer24 = true; /* merged in input order by write_fn */
    return w;
}

static void worker_free(void *ctx, void *wstate) {
    decode_ctx *c = ctx;
    worker_state *w = wstate;
    if (!w) return;
    pthread_mutex_lock(&c->mu);
    if (aw_columns_append(&c->columns, &w->columns) < 0 || w->oom) c->oom = true;
    pthread_mutex_unlock(&c->mu);
    aw_columns_free(&w->columns);
    free(w);
}

static void on_msg(void *wstate, aw_buf *out, const aw_msg *msg, const aw_msg_meta *meta) {
    worker_state *w = wstate;
    if (!w) return;
    switch (w->ctx->kind) {
    case OUT_NONE:
        if (aw_columns_push(&w->columns, msg, meta) < 0) w->oom = true;
        return;
    case OUT_GPSD: {
        char *p = aw_buf_reserve(out, AW_GPSD_JSON_MAX);
        if (!p) return;
        out->len += aw_gpsd_json_format(&w->gpsd, msg, w->ctx->device, p, AW_GPSD_JSON_MAX);
        return;
    }
    case OUT_JSONL: {
        char *p = aw_buf_reserve(out, AW_FORMAT_MAX);
        if (p) out->len += aw_format_json(msg, meta, p);
        return;
    }
    case OUT_CSV: {
        char *p = aw_buf_reserve(out, AW_FORMAT_MAX);
        if (p) out->len += aw_format_csv(msg, meta, p);
        return;
    }
    }
}

static bool write_all(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Called in input order: where the workers left type 24 records (--gpsd), gpsd's
 * part A / part B merging is done here, as one gpsdecode reading the input would. */
static bool write_fn(void *ctx, const char *data, size_t len) {
    decode_ctx *c = ctx;
    if (c->kind != OUT_GPSD) return write_all(c->out_fd, data, len);
    const char *end = data + len;
    while (data < end) {
        const char *rec = memchr(data, AW_GPSD_DEFER24, (size_t)(end - data));
        if (!rec) return write_all(c->out_fd, data, (size_t)(end - data));
        if (!write_all(c->out_fd, data, (size_t)(rec - data))) return false;
        const char *nl = memchr(rec, '\n', (size_t)(end - rec));
        if (!nl) nl = end;
        size_t n = aw_gpsd_json_resolve24(&c->t24, rec, (size_t)(nl - rec), c->t24_out, sizeof c->t24_out);
        if (n && !write_all(c->out_fd, c->t24_out, n)) return false;
        data = nl < end ? nl + 1 : end;
    }
    return true;
}

static void decode_usage(FILE *f) {
    fprintf(f,
            "usage: aiswatch decode [--gpsd [--scaled]] [--format jsonl|csv|none] [options] [FILE...|-]\n"
            "\n"
            "Decodes AIS NMEA (plain, gzip or zstd; '-' or nothing for stdin) to one object per line.\n"
            "  --format jsonl     aiswatch's schema, degrees/knots/metres, ISO 8601 UTC (default)\n"
            "  --format csv       one row per message, the columns of docs/schema.md\n"
            "  --format none      decode into the columnar form only and print the summary\n"
            "  --gpsd             gpsd JSON-AIS, unscaled as `gpsdecode -u -j`\n"
            "  --scaled           with --gpsd: scaled as `gpsdecode -j`\n"
            "  --accept-bad-checksum  keep sentences whose checksum fails (still counted)\n"
            "  --log-tz-offset S  line-prefix times are local: subtract S seconds to get UTC\n"
            "  --threads N        worker threads (default: all cores)\n"
            "  -o FILE            write to FILE instead of stdout\n"
            "  -q, --quiet        no summary on stderr\n");
}

int cmd_decode(int argc, char **argv) {
    static const struct option longopts[] = {
        {"gpsd", no_argument, NULL, 'g'},
        {"scaled", no_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"accept-bad-checksum", no_argument, NULL, 'b'},
        {"log-tz-offset", required_argument, NULL, 'z'},
        {"threads", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    decode_ctx ctx = {.kind = OUT_JSONL, .device = "stdin", .out_fd = STDOUT_FILENO};
    aw_pipeline_opts opts = {0};
    bool gpsd = false, quiet = false, format_given = false;
    const char *out_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        unsigned long long v;
        switch (c) {
        case 'g': gpsd = true; break;
        case 's': ctx.scaled = true; break;
        case 'f':
            format_given = true;
            if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0) ctx.kind = OUT_JSONL;
            else if (strcmp(optarg, "csv") == 0) ctx.kind = OUT_CSV;
            else if (strcmp(optarg, "none") == 0) ctx.kind = OUT_NONE;
            else {
                fprintf(stderr, "aiswatch decode: unknown format '%s' (jsonl, csv, none)\n", optarg);
                return AW_EXIT_USAGE;
            }
            break;
        case 'b': opts.decoder.accept_bad_checksum = true; break;
        case 'z': {
            char *end;
            long s = strtol(optarg, &end, 10);
            if (*end || s < -86400 || s > 86400) {
                fprintf(stderr, "aiswatch decode: --log-tz-offset takes seconds\n");
                return AW_EXIT_USAGE;
            }
            opts.decoder.prefix_utc_offset_s = (int32_t)s;
            break;
        }
        case 't':
            if (!cli_parse_uint(optarg, &v) || v == 0 || v > 64) {
                fprintf(stderr, "aiswatch decode: --threads takes 1..64\n");
                return AW_EXIT_USAGE;
            }
            opts.threads = (unsigned)v;
            break;
        case 'o': out_path = optarg; break;
        case 'q': quiet = true; break;
        case 'h': decode_usage(stdout); return AW_EXIT_OK;
        default: decode_usage(stderr); return AW_EXIT_USAGE;
        }
    }
    if (gpsd) {
        if (format_given && ctx.kind != OUT_JSONL) {
            fprintf(stderr, "aiswatch decode: --gpsd writes JSON; it does not combine with --format %s\n",
                    ctx.kind == OUT_CSV ? "csv" : "none");
            return AW_EXIT_USAGE;
        }
        ctx.kind = OUT_GPSD;
    } else if (ctx.scaled) {
        fprintf(stderr, "aiswatch decode: --scaled goes with --gpsd\n");
        return AW_EXIT_USAGE;
    }
    if (out_path) {
        FILE *f = fopen(out_path, "wb");
        if (!f) {
            fprintf(stderr, "aiswatch decode: %s: %s\n", out_path, strerror(errno));
            return AW_EXIT_INPUT;
        }
        ctx.out_fd = dup(fileno(f));
        fclose(f);
    }
    pthread_mutex_init(&ctx.mu, NULL);
    if (ctx.kind == OUT_CSV) write_all(ctx.out_fd, aw_format_csv_header(), strlen(aw_format_csv_header()));

    aw_pipeline_hooks hooks = {
        .worker_new = worker_new,
        .worker_free = worker_free,
        .on_msg = on_msg,
        .write_fn = write_fn,
        .ctx = &ctx,
    };
    aw_decode_stats total = {0};
    int nfiles = argc - optind;
    int failed_inputs = 0;
    double t0 = cli_now();
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        const char *path = nfiles ? argv[optind + i] : "-";
        char err[512];
        aw_input *in = aw_input_open(path, err, sizeof err);
        if (!in) {
            fprintf(stderr, "aiswatch decode: %s\n", err);
            failed_inputs++;
            continue;
        }
        aw_decode_stats st = {0};
        if (aw_pipeline_run(in, &opts, &hooks, &st, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch decode: %s: %s\n", path, err);
            failed_inputs++;
        }
        aw_input_close(in);
        aw_stats_add(&total, &st);
    }
    double secs = cli_now() - t0;
    if (ctx.oom) fprintf(stderr, "aiswatch decode: out of memory storing positions\n");
    if (!quiet) {
        cli_print_summary(stderr, "decode", &total, secs);
        if (ctx.kind == OUT_NONE)
            fprintf(stderr, "  columnar positions: %zu rows\n", ctx.columns.n);
        if (failed_inputs) fprintf(stderr, "  inputs that could not be read: %d\n", failed_inputs);
    }
    aw_columns_free(&ctx.columns);
    pthread_mutex_destroy(&ctx.mu);
    if (out_path) close(ctx.out_fd);
    return total.messages == 0 ? AW_EXIT_INPUT : AW_EXIT_OK;
}
