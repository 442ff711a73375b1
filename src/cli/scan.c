/* scan.c — `aiswatch scan INPUT… -o run.gpkg`: every input read (NMEA or a position
 * table, told by content), tracks and identities built, a GeoPackage written.
 *
 * The job itself is the library's (aiswatch/scan.h); this file parses the options,
 * loads the geography and the lists, expands directories, shows progress and prints
 * the summary. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aiswatch/scan.h"
#include "aiswatch/event.h"
#include "aiswatch/event_out.h"
#include "aiswatch/geo.h"
#include "aiswatch/gpkg.h"
#include "aiswatch/input.h"
#include "aiswatch/mid.h"
#include "aiswatch/pipeline.h"
#include "aiswatch/sanctions.h"
#include "aiswatch/table.h"
#include "aiswatch/track.h"
#include "cli.h"

#define HEAD_BYTES 65536

typedef struct land_load {
    aw_geo *geo;
    char path[4096];
    int rc;
    char err[512];
} land_load;

static void *load_land(void *arg) {
    land_load *j = arg;
    j->rc = aw_geo_load_land(j->geo, j->path, j->err, sizeof j->err);
    return NULL;
}

#define AW_POSITIONS_DEFAULT_MAX 10000000ULL

typedef struct scan_ctx {
    bool tty;
    double t0, last_progress;
    uint64_t total_bytes, done_bytes;
} scan_ctx;

static void log_fn(void *ctx, const char *data, size_t len) {
    (void)ctx;
    fwrite(data, 1, len, stderr);
}

static void progress(void *ctx, uint64_t raw_bytes, uint64_t messages) {
    scan_ctx *c = ctx;
    if (!c->tty || raw_bytes == 0) return;
    double now = cli_now();
    if (now - c->last_progress < 0.5) return;
    c->last_progress = now;
    uint64_t done = c->done_bytes + raw_bytes;
    double el = now - c->t0, rate = done / (el > 0 ? el : 1);
    double eta = c->total_bytes > done ? (c->total_bytes - done) / (rate > 0 ? rate : 1) : 0;
    fprintf(stderr, "\r%.1f / %.1f MB read, %.2f M messages/s, ETA %.0f s   ", done / 1e6, c->total_bytes / 1e6,
            messages / (el > 0 ? el : 1) / 1e6, eta);
}

/* The offset of a local wall-clock time in the zone of TZ (set once by the CLI). DST
 * changes fall on whole hours, so one mktime per hour is exact. */
static _Thread_local int64_t tz_cache_hour = INT64_MIN;
static _Thread_local int32_t tz_cache_off;

static int32_t tz_offset(void *ctx, int64_t local_ms) {
    (void)ctx;
    int64_t hour = local_ms >= 0 ? local_ms / 3600000 : -((-local_ms + 3599999) / 3600000);
    if (hour == tz_cache_hour) return tz_cache_off;
    time_t secs = (time_t)(hour * 3600);
    struct tm tm;
    gmtime_r(&secs, &tm);
    tm.tm_isdst = -1;
    time_t utc = mktime(&tm);
    tz_cache_hour = hour;
    tz_cache_off = (int32_t)(secs - utc);
    return tz_cache_off;
}

/* Inputs: files, directories (recursively, sorted), "-". */
typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static int paths_add(path_list *l, const char *p) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(p))) return -1;
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int expand(path_list *l, const char *path) {
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) return -1;
        path_list sub = {0};
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char buf[4096];
            snprintf(buf, sizeof buf, "%s/%s", path, e->d_name);
            if (paths_add(&sub, buf) < 0) break;
        }
        closedir(d);
        qsort(sub.v, sub.n, sizeof *sub.v, cmp_str);
        int rc = 0;
        for (size_t i = 0; i < sub.n; i++) {
            if (rc == 0) rc = expand(l, sub.v[i]);
            free(sub.v[i]);
        }
        free(sub.v);
        return rc;
    }
    return paths_add(l, path);
}

static void scan_usage(FILE *out) {
    fputs("usage: aiswatch scan INPUT... -o run.gpkg [options]\n"
            "\n"
            "Reads AIS (NMEA logs, NOAA or DMA CSV, JSON lines of positions, any CSV with --columns;\n"
            "plain, gzip or zstd; files, directories or '-'), builds tracks and vessel identities and\n"
            "writes a GeoPackage with the layers positions, tracks, vessels and identity_history.\n"
            "  -o, --output FILE      the GeoPackage to write (replaced unless --append)\n"
            "  --append               add to an existing GeoPackage\n"
            "  --positions            write the positions layer (one row per kept position); the default\n"
            "                         for inputs under 10 million messages\n"
            "  --no-positions         leave it out (daily tracks keep every point)\n"
            "  --log-tz ZONE          line-prefix times of NMEA logs are local time in ZONE\n"
            "                         (e.g. Europe/Paris); default UTC\n"
            "  --columns MAP          column mapping for other CSVs, see docs/formats.md\n"
            "  --accept-bad-checksum  keep NMEA sentences whose checksum fails\n"
            "  --threads N            worker threads (default: all cores)\n"
            "  -v, --verbose          report every skipped line with its file and line number\n"
            "  -q, --quiet            no summary\n"
            "events (every threshold a parameter; defaults after Global Fishing Watch):\n"
            "  --no-events            tracks and vessels only\n",
          out);
    cli_detect_usage(out);
    fputs("  --dask SCHEDULER       run on a Dask cluster (tcp://HOST:8786, or local[:N]); see\n"
          "                         docs/distributed.md for its own options (--partition-h, --overlap-h)\n",
          out);
}

int cli_scan_dask(int argc, char **argv); /* scan_dask.c */

int cmd_scan(int argc, char **argv) {
    for (int i = 1; i < argc; i++) /* the same job on a Dask cluster: the Python driver runs it */
        if (!strcmp(argv[i], "--dask") || !strncmp(argv[i], "--dask=", 7)) return cli_scan_dask(argc, argv);
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"append", no_argument, NULL, 'a'},
        {"no-positions", no_argument, NULL, 'P'},
        {"positions", no_argument, NULL, 'Q'},
        {"log-tz", required_argument, NULL, 'z'},
        {"columns", required_argument, NULL, 'c'},
        {"accept-bad-checksum", no_argument, NULL, 'b'},
        {"threads", required_argument, NULL, 't'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"no-events", no_argument, NULL, 1006},
        CLI_DETECT_LONGOPTS,
        {0, 0, 0, 0},
    };
    cli_detect_opts d;
    cli_detect_opts_default(&d);
    bool events_on = true;
    const char *out_path = NULL, *columns = NULL, *log_tz = NULL;
    bool append = false, quiet = false, verbose = false;
    int with_positions = -1; /* -1: by size */
    aw_scan_opts so;
    aw_scan_opts_default(&so);
    int c, li;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:vqh", longopts, &li)) != -1) {
        unsigned long long n;
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'a': append = true; break;
        case 'P': with_positions = 0; break;
        case 'Q': with_positions = 1; break;
        case 'z': log_tz = optarg; break;
        case 'c': columns = optarg; break;
        case 'b': so.decoder.accept_bad_checksum = true; break;
        case 't':
            if (!cli_parse_uint(optarg, &n) || n == 0 || n > 64) {
                fprintf(stderr, "aiswatch scan: --threads takes 1..64\n");
                return AW_EXIT_USAGE;
            }
            so.threads = (unsigned)n;
            break;
        case 'v': verbose = true; break;
        case 'q': quiet = true; break;
        case 'h': scan_usage(stdout); return AW_EXIT_OK;
        case 1006: events_on = false; break;
        default: {
            int k = c == '?' ? 0 : cli_detect_opt("scan", c, optarg, longopts[li].name, &d);
            if (k < 0) return AW_EXIT_USAGE;
            if (k == 0) {
                scan_usage(stderr);
                return AW_EXIT_USAGE;
            }
        }
        }
    }
    if (!out_path || optind >= argc) {
        fprintf(stderr, "aiswatch scan: needs INPUT... and -o run.gpkg\n");
        scan_usage(stderr);
        return AW_EXIT_USAGE;
    }
    if (log_tz) {
        /* The CLI owns the process environment: the zone applies to every NMEA prefix. */
        char probe[256];
        snprintf(probe, sizeof probe, "/usr/share/zoneinfo/%s", log_tz);
        if (strchr(log_tz, '/') && access(probe, R_OK) != 0) {
            fprintf(stderr, "aiswatch scan: unknown time zone '%s'\n", log_tz);
            return AW_EXIT_USAGE;
        }
        setenv("TZ", log_tz, 1);
        tzset();
        so.decoder.prefix_utc_offset_fn = tz_offset;
    }

    aw_geo *geo = NULL;
    land_load land_job = {0};
    pthread_t land_thread;
    char land_path[4096] = ""; /* lives here until the thread has it */
    bool land_started = false;
    if (events_on && !(geo = cli_detect_geo("scan", &d, quiet, land_path, sizeof land_path))) return AW_EXIT_INPUT;

    aw_lists *lists = NULL;
    if (d.nlists && !(lists = cli_lists_load("scan", d.lists, d.nlists, quiet))) return AW_EXIT_INPUT;

    path_list inputs = {0};
    for (int i = optind; i < argc; i++) {
        if (expand(&inputs, argv[i]) < 0) {
            fprintf(stderr, "aiswatch scan: %s: %s\n", argv[i], strerror(errno));
            return AW_EXIT_INPUT;
        }
    }
    if (inputs.n > 65535) {
        fprintf(stderr, "aiswatch scan: at most 65535 input files in one run\n");
        return AW_EXIT_USAGE;
    }

    scan_ctx ctx = {.tty = isatty(STDERR_FILENO) && !quiet, .t0 = cli_now()};
    for (size_t i = 0; i < inputs.n; i++) {
        struct stat st;
        if (strcmp(inputs.v[i], "-") != 0 && stat(inputs.v[i], &st) == 0) ctx.total_bytes += (uint64_t)st.st_size;
    }
    so.events = events_on;
    so.event = d.events;
    so.geo = geo;
    so.anchorage_min_vessels = d.anchorage_min_vessels;
    so.lists = lists;
    so.screen = d.screen;
    so.columns = columns;
    so.progress = progress;
    so.reject_log = verbose ? log_fn : NULL;
    so.ctx = &ctx;
    char err[512];
    aw_scan *scan = aw_scan_new(&so, err, sizeof err);
    if (!scan) {
        fprintf(stderr, "aiswatch scan: %s\n", err);
        return AW_EXIT_INPUT;
    }
    /* The land (a third of a second of TopoJSON) loads while the inputs are read: nothing
     * touches the geography until the scan finishes, and the thread is joined before. */
    if (geo && land_path[0]) {
        land_job = (land_load){.geo = geo};
        snprintf(land_job.path, sizeof land_job.path, "%s", land_path);
        land_started = pthread_create(&land_thread, NULL, load_land, &land_job) == 0;
        if (!land_started) load_land(&land_job);
    }
    int unreadable = 0, not_ais = 0, rc = AW_EXIT_OK;
    for (size_t i = 0; i < inputs.n; i++) {
        int r = aw_scan_add(scan, inputs.v[i], err, sizeof err);
        if (r != 0) fprintf(stderr, "%saiswatch scan: %s\n", ctx.tty ? "\r" : "", err);
        if (r < 0) unreadable++;
        if (r > 0) not_ais++;
        aw_scan_result res;
        aw_scan_result_get(scan, &res);
        ctx.done_bytes += res.inputs[i].bytes;
        if (strstr(err, "out of memory") && r < 0) {
            rc = AW_EXIT_INPUT;
            break;
        }
    }
    if (ctx.tty) fprintf(stderr, "\r%*s\r", 70, "");
    if (land_started) pthread_join(land_thread, NULL);
    land_started = false;
    if (land_job.rc < 0) {
        fprintf(stderr, "aiswatch scan: %s\n", land_job.err);
        rc = AW_EXIT_INPUT;
    }
    if (rc == AW_EXIT_OK && with_positions < 0) {
        /* A day of global AIS has some 100 million positions: as rows they would be
         * most of the file and most of the time, and the daily tracks hold them. */
        aw_scan_result r0;
        aw_scan_result_get(scan, &r0);
        with_positions = r0.decode.messages < AW_POSITIONS_DEFAULT_MAX;
        if (!with_positions && !quiet && r0.decode.messages)
            fprintf(stderr, "aiswatch scan: %llu messages: positions layer left out (--positions to write it)\n",
                    (unsigned long long)r0.decode.messages);
    }
    if (rc == AW_EXIT_OK && aw_scan_finish_gpkg(scan, out_path, append, with_positions == 1, err, sizeof err) < 0) {
        if (strcmp(err, "nothing usable was read") == 0)
            fprintf(stderr, "aiswatch scan: nothing usable was read; %s not written\n", out_path);
        else
            fprintf(stderr, "aiswatch scan: %s: %s\n", out_path, err);
        rc = AW_EXIT_INPUT;
    }
    aw_scan_result res;
    aw_scan_result_get(scan, &res);
    if (!quiet && rc == AW_EXIT_OK) {
        cli_print_summary(stderr, "scan", &res.decode, res.t_read);
        const aw_track_stats *ts = &res.tracks->stats;
        fprintf(stderr,
                "  tracks: %llu positions kept of %llu (dropped: untimed=%llu not_available=%llu "
                "out_of_range=%llu duplicates=%llu); %llu MMSIs, %llu segments; %llu static reports "
                "(untimed, left out: %llu)\n",
                (unsigned long long)ts->positions, (unsigned long long)ts->positions_in,
                (unsigned long long)ts->untimed, (unsigned long long)ts->not_available,
                (unsigned long long)ts->out_of_range, (unsigned long long)ts->duplicates,
                (unsigned long long)ts->mmsis, (unsigned long long)ts->segments,
                (unsigned long long)ts->static_reports, (unsigned long long)res.untimed_static);
        fprintf(stderr, "  %s: positions=%llu tracks=%llu vessels=%llu identity_history=%llu\n", out_path,
                (unsigned long long)res.rows_written[0], (unsigned long long)res.rows_written[1],
                (unsigned long long)res.rows_written[2], (unsigned long long)res.rows_written[3]);
        if (events_on) {
            const aw_events *events = res.events;
            size_t by_type[AW_EV_COUNT] = {0};
            for (size_t i = 0; i < events->n; i++) by_type[events->v[i].type]++;
            fprintf(stderr, "  events: %zu", events->n);
            for (int ty = 0; ty < AW_EV_COUNT; ty++)
                if (by_type[ty]) fprintf(stderr, " %s=%zu", aw_event_type_name((aw_event_type)ty), by_type[ty]);
            fprintf(stderr, " (anchorages derived from the data: %ld)\n", res.anchorages_derived);
            if (res.screened) {
                size_t nv = 0, ne = 0;
                for (size_t i = 0; i < res.tracks->nvessels; i++) nv += res.screened[i].nmatches > 0;
                for (size_t i = 0; i < events->n; i++)
                    for (unsigned k = 0; k < events->v[i].nvessels; k++)
                        if (res.screened[events->v[i].vessels[k].vessel].nmatches) {
                            ne++;
                            break;
                        }
                fprintf(stderr, "  sanctions: %zu vessels matched, %zu events with a listed participant\n", nv, ne);
            }
            if (res.skipped_rules) fprintf(stderr, "  note: %s\n", res.skipped_rules);
        }
        fprintf(stderr,
                "  time: read+decode %.2f s, tracks %.2f s, events %.2f s, GeoPackage %.2f s more "
                "(CPU, all threads: %.1f, %.1f, %.1f, %.1f s; tracks layers written during the events)\n",
                res.t_read, res.t_tracks, res.t_events, res.t_write, res.cpu_read, res.cpu_tracks, res.cpu_events,
                res.cpu_write);
    }
    if (!quiet && (unreadable || not_ais))
        fprintf(stderr, "  inputs: %zu read, %d unreadable, %d without AIS\n", inputs.n, unreadable, not_ais);
    aw_scan_free(scan);
    aw_lists_free(lists);
    aw_geo_free(geo);
    for (size_t i = 0; i < inputs.n; i++) free(inputs.v[i]);
    free(inputs.v);
    return rc;
}
