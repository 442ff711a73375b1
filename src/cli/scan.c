/* scan.c — `aiswatch scan INPUT… -o run.gpkg`: every input read (NMEA or a position
 * table, told by content), tracks and identities built, a GeoPackage written.
 *
 * Inputs are decoded on all cores by the pipeline; each worker keeps its positions in
 * columns and its static reports in a list, merged when an input ends. Tracks are then
 * built once over everything, so an MMSI split across files is one track. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aiswatch/columns.h"
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

typedef struct obs_list {
    aw_static_obs *v;
    size_t n, cap;
} obs_list;

typedef struct scan_ctx {
    pthread_mutex_t mu;
    aw_columns pos;
    obs_list obs;
    uint64_t untimed_static;
    bool oom;
    uint16_t source_id;       /* the input being read */
    const char *source_path;
    bool verbose;
    /* progress */
    bool tty;
    double t0, last_progress;
    uint64_t total_bytes, done_bytes;
} scan_ctx;

typedef struct worker_state {
    scan_ctx *ctx;
    aw_columns pos;
    obs_list obs;
    uint64_t untimed_static;
    bool oom;
} worker_state;

static int obs_push(obs_list *l, const aw_static_obs *o) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        aw_static_obs *v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *o;
    return 0;
}

static void *worker_new(void *ctx, unsigned worker) {
    (void)worker;
    worker_state *w = calloc(1, sizeof *w);
    if (w) w->ctx = ctx;
    return w;
}

static void worker_free(void *ctx, void *wstate) {
    scan_ctx *c = ctx;
    worker_state *w = wstate;
    if (!w) {
        c->oom = true;
        return;
    }
    pthread_mutex_lock(&c->mu);
    if (aw_columns_append(&c->pos, &w->pos) < 0 || w->oom) c->oom = true;
    for (size_t i = 0; i < w->obs.n && !c->oom; i++)
        if (obs_push(&c->obs, &w->obs.v[i]) < 0) c->oom = true;
    c->untimed_static += w->untimed_static;
    pthread_mutex_unlock(&c->mu);
    aw_columns_free(&w->pos);
    free(w->obs.v);
    free(w);
}

static void on_msg(void *wstate, aw_buf *out, const aw_msg *msg, const aw_msg_meta *meta) {
    (void)out;
    worker_state *w = wstate;
    if (!w) return;
    if (aw_columns_push_src(&w->pos, msg, meta, w->ctx->source_id) < 0) w->oom = true;
    aw_static_obs o;
    if (aw_static_from_msg(msg, meta->time_ms, &o)) {
        if (meta->time_ms == AW_TIME_NONE) w->untimed_static++;
        else if (o.fields && obs_push(&w->obs, &o) < 0) w->oom = true;
    }
}

static void on_reject(void *wstate, aw_buf *log, uint64_t line_no, aw_reject reason, const char *line, size_t len) {
    worker_state *w = wstate;
    if (!w) return;
    size_t show = len > 200 ? 200 : len;
    char *p = aw_buf_reserve(log, show + 512);
    if (!p) return;
    int n = snprintf(p, 512, "%s:%llu: %s: ", w->ctx->source_path, (unsigned long long)line_no,
                     aw_reject_name(reason));
    if (n < 0) return;
    p += n;
    for (size_t i = 0; i < show; i++) *p++ = (line[i] >= 32 && line[i] < 127) ? line[i] : '?';
    *p++ = '\n';
    log->len += (size_t)n + show + 1;
}

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

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void list_report(void *ctx, const char *file, size_t record, const char *reason) {
    (void)ctx;
    fprintf(stderr, "aiswatch scan: %s: record %zu skipped: %s\n", file, record, reason);
}

static void scan_usage(FILE *f) {
    fprintf(f,
            "usage: aiswatch scan INPUT... -o run.gpkg [options]\n"
            "\n"
            "Reads AIS (NMEA logs, NOAA or DMA CSV, JSON lines of positions, any CSV with --columns;\n"
            "plain, gzip or zstd; files, directories or '-'), builds tracks and vessel identities and\n"
            "writes a GeoPackage with the layers positions, tracks, vessels and identity_history.\n"
            "  -o, --output FILE      the GeoPackage to write (replaced unless --append)\n"
            "  --append               add to an existing GeoPackage\n"
            "  --no-positions         leave out the positions layer (tracks keep every point)\n"
            "  --log-tz ZONE          line-prefix times of NMEA logs are local time in ZONE\n"
            "                         (e.g. Europe/Paris); default UTC\n"
            "  --columns MAP          column mapping for other CSVs, see docs/formats.md\n"
            "  --accept-bad-checksum  keep NMEA sentences whose checksum fails\n"
            "  --threads N            worker threads (default: all cores)\n"
            "  -v, --verbose          report every skipped line with its file and line number\n"
            "events (every threshold a parameter; defaults after Global Fishing Watch):\n"
            "  --ports FILE           NGA World Port Index CSV (UpdatedPub150.csv)\n"
            "  --anchorages FILE      GFW anchorage CSV (s2id,latitude,longitude,label,...)\n"
            "  --land FILE            Natural Earth land TopoJSON (default: world-atlas land-10m.json\n"
            "                         installed by scripts/install-deps.sh); --no-land to go without\n"
            "  --anchorage-min-vessels N  derive anchorages where N distinct vessels lay still in a\n"
            "                         1 km cell (default 10; 0 turns it off)\n"
            "  --encounter-distance-m M (500)  --encounter-min-h H (2)  --encounter-max-kn K (2)\n"
            "  --encounter-min-port-km K (10)  --loiter-max-kn K (2)  --loiter-min-h H (4)\n"
            "  --loiter-min-shore-nm N (20)  --gap-min-h H (12)  --max-transit-kn K (15)\n"
            "  --draught-change-m M (1.0)  --spoof-max-kn K (50)  --context-h H (6)\n"
            "  --no-events            tracks and vessels only\n"
            "sanctions:\n"
            "  --lists FILE[,FILE]    (repeatable) OFAC SDN.CSV or sdn.xml, UK Sanctions List XML, UN 1718 CSV,\n"
            "                         OpenSanctions (FtM JSON lines, maritime.csv), or imo,mmsi,name,list,program\n"
            "  --name-min-score S     fuzzy name matches at or above S (default 0.9)\n"
            "  -q, --quiet            no summary\n");
}

typedef struct layers {
    int positions, tracks, vessels, history;
} layers;

static const aw_field positions_fields[] = {
    {"time", AW_FIELD_DATETIME}, {"mmsi", AW_FIELD_INTEGER},   {"segment", AW_FIELD_INTEGER},
    {"sog_kn", AW_FIELD_REAL},   {"cog_deg", AW_FIELD_REAL},   {"heading_deg", AW_FIELD_INTEGER},
    {"nav_status", AW_FIELD_INTEGER}, {"msg_type", AW_FIELD_INTEGER}, {"source", AW_FIELD_TEXT},
};
static const aw_field tracks_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},         {"segment", AW_FIELD_INTEGER},    {"day", AW_FIELD_DATE},
    {"start_time", AW_FIELD_DATETIME}, {"end_time", AW_FIELD_DATETIME}, {"n_points", AW_FIELD_INTEGER},
};
static const aw_field vessels_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},        {"segment", AW_FIELD_INTEGER},   {"name", AW_FIELD_TEXT},
    {"imo", AW_FIELD_INTEGER},         {"imo_valid", AW_FIELD_INTEGER}, {"callsign", AW_FIELD_TEXT},
    {"ship_type", AW_FIELD_INTEGER},   {"ship_type_text", AW_FIELD_TEXT}, {"length_m", AW_FIELD_REAL},
    {"beam_m", AW_FIELD_REAL},         {"draught_m", AW_FIELD_REAL},    {"destination", AW_FIELD_TEXT},
    {"flag", AW_FIELD_TEXT},           {"flag_country", AW_FIELD_TEXT}, {"n_positions", AW_FIELD_INTEGER},
    {"first_seen", AW_FIELD_DATETIME}, {"last_seen", AW_FIELD_DATETIME}, {"sanctioned", AW_FIELD_INTEGER},
    {"sanctions", AW_FIELD_TEXT},
};
static const aw_field matches_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},       {"segment", AW_FIELD_INTEGER},  {"list", AW_FIELD_TEXT},
    {"entry_id", AW_FIELD_TEXT},      {"entry_name", AW_FIELD_TEXT},  {"programs", AW_FIELD_TEXT},
    {"basis", AW_FIELD_TEXT},         {"score", AW_FIELD_REAL},       {"matched_value", AW_FIELD_TEXT},
    {"former_name", AW_FIELD_INTEGER}, {"listed_imo", AW_FIELD_INTEGER}, {"listed_mmsi", AW_FIELD_INTEGER},
};
static const aw_field history_fields[] = {
    {"mmsi", AW_FIELD_INTEGER},        {"segment", AW_FIELD_INTEGER},   {"field", AW_FIELD_TEXT},
    {"value", AW_FIELD_TEXT},          {"first_seen", AW_FIELD_DATETIME}, {"last_seen", AW_FIELD_DATETIME},
    {"n_reports", AW_FIELD_INTEGER},
};
#define NF(a) (sizeof(a) / sizeof((a)[0]))

/* What each input was, byte for byte: an evidence sheet cites the files by their hash. */
typedef struct input_info {
    bool read;            /* opened and run through the pipeline */
    uint64_t bytes;       /* raw (as stored) bytes read */
    char sha256[65];      /* "" when the file was not read to its end */
    const char *format;
} input_info;

static const aw_field inputs_fields[] = {
    {"source_id", AW_FIELD_INTEGER}, {"path", AW_FIELD_TEXT},   {"basename", AW_FIELD_TEXT},
    {"bytes", AW_FIELD_INTEGER},     {"sha256", AW_FIELD_TEXT}, {"format", AW_FIELD_TEXT},
};

static const char *format_name(int fmt, aw_compression comp) {
    static const char *const table[] = {"nmea", "noaa_csv", "dma_csv", "jsonl", "csv_mapped", "aiswatch_csv"};
    static const char *const gz[] = {"nmea+gzip", "noaa_csv+gzip", "dma_csv+gzip", "jsonl+gzip", "csv_mapped+gzip",
                                     "aiswatch_csv+gzip"};
    static const char *const zs[] = {"nmea+zstd", "noaa_csv+zstd", "dma_csv+zstd", "jsonl+zstd", "csv_mapped+zstd",
                                     "aiswatch_csv+zstd"};
    if (fmt < 0 || fmt >= (int)NF(table)) return "unknown";
    return comp == AW_GZIP ? gz[fmt] : comp == AW_ZSTD ? zs[fmt] : table[fmt];
}

/* The `inputs` table: source_id is the input's index in this run, as positions and
 * events name their sources. Files that could not be opened are listed without a hash. */
static int write_inputs(aw_gpkg *g, const path_list *inputs, const input_info *info, char *err, size_t errcap) {
    int li = aw_gpkg_layer(g, "inputs", AW_GEOM_NONE, inputs_fields, NF(inputs_fields), err, errcap);
    if (li < 0) return -1;
    for (size_t i = 0; i < inputs->n; i++) {
        aw_value v[] = {AW_V_INT((int64_t)i),
                        AW_V_TEXT(inputs->v[i]),
                        AW_V_TEXT(base_name(inputs->v[i])),
                        info[i].read ? AW_V_INT((int64_t)info[i].bytes) : AW_V_NULL,
                        info[i].sha256[0] ? AW_V_TEXT(info[i].sha256) : AW_V_NULL,
                        info[i].format ? AW_V_TEXT(info[i].format) : AW_V_NULL};
        if (aw_gpkg_insert(g, li, v, NULL, 0, err, errcap) < 0) return -1;
    }
    return 0;
}

static aw_value opt_real(float v) { return isnan(v) ? AW_V_NULL : AW_V_REAL(round(v * 10.0) / 10.0); }

static int write_gpkg(aw_gpkg *g, const aw_tracks *t, const path_list *inputs, bool with_positions, layers *ly,
                      const aw_lists *lists, const aw_vessel_screen *screened, char *err, size_t errcap) {
    ly->positions = -1;
    if (with_positions &&
        (ly->positions = aw_gpkg_layer(g, "positions", AW_GEOM_POINT, positions_fields, NF(positions_fields), err,
                                       errcap)) < 0)
        return -1;
    if ((ly->tracks = aw_gpkg_layer(g, "tracks", AW_GEOM_LINESTRING, tracks_fields, NF(tracks_fields), err, errcap)) < 0 ||
        (ly->vessels = aw_gpkg_layer(g, "vessels", AW_GEOM_POINT, vessels_fields, NF(vessels_fields), err, errcap)) < 0 ||
        (ly->history = aw_gpkg_layer(g, "identity_history", AW_GEOM_NONE, history_fields, NF(history_fields), err,
                                     errcap)) < 0)
        return -1;

    if (with_positions) {
        for (size_t i = 0; i < t->n; i++) {
            const char *src = t->source_id[i] < inputs->n ? base_name(inputs->v[t->source_id[i]]) : "";
            aw_value v[] = {
                AW_V_TIME_MS(t->time_ms[i]), AW_V_INT(t->mmsi[i]), AW_V_INT(t->segment[i]),
                opt_real(t->sog_kn[i]), opt_real(t->cog_deg[i]),
                t->heading_deg[i] == AW_HEADING_NA ? AW_V_NULL : AW_V_INT(t->heading_deg[i]),
                t->nav_status[i] == 15 ? AW_V_NULL : AW_V_INT(t->nav_status[i]), AW_V_INT(t->msg_type[i]),
                AW_V_TEXT(src),
            };
            double xy[2] = {t->lon[i], t->lat[i]};
            if (aw_gpkg_insert(g, ly->positions, v, xy, 1, err, errcap) < 0) return -1;
        }
    }

    /* One LineString per vessel (mmsi, segment) per UTC day. */
    size_t cap = 0;
    double *xy = NULL;
    for (size_t vi = 0; vi < t->nvessels; vi++) {
        const aw_vessel *ves = &t->vessels[vi];
        size_t i = ves->first, end = ves->first + ves->count;
        while (i < end) {
            int64_t day = t->time_ms[i] >= 0 ? t->time_ms[i] / 86400000 : -((-t->time_ms[i] + 86399999) / 86400000);
            size_t j = i;
            while (j < end && t->time_ms[j] < (day + 1) * 86400000) j++;
            size_t n = j - i, npts = n < 2 ? 2 : n;
            if (npts * 2 > cap) {
                cap = npts * 2 * 2;
                double *p = realloc(xy, cap * sizeof *p);
                if (!p) {
                    free(xy);
                    snprintf(err, errcap, "out of memory");
                    return -1;
                }
                xy = p;
            }
            for (size_t k = 0; k < n; k++) xy[2 * k] = t->lon[i + k], xy[2 * k + 1] = t->lat[i + k];
            if (n == 1) xy[2] = xy[0], xy[3] = xy[1]; /* one report that day: a zero-length line */
            aw_value v[] = {AW_V_INT(ves->mmsi), AW_V_INT(ves->segment), AW_V_TIME_MS(day * 86400000),
                            AW_V_TIME_MS(t->time_ms[i]), AW_V_TIME_MS(t->time_ms[j - 1]), AW_V_INT((int64_t)n)};
            if (aw_gpkg_insert(g, ly->tracks, v, xy, npts, err, errcap) < 0) {
                free(xy);
                return -1;
            }
            i = j;
        }
    }
    free(xy);

    for (size_t vi = 0; vi < t->nvessels; vi++) {
        const aw_vessel *ves = &t->vessels[vi];
        const aw_static_obs *id = &ves->ident;
        const aw_flag *flag = aw_flag_of_mmsi(ves->mmsi);
#define HAS(f) (id->fields & (1u << (f)))
        aw_value v[] = {
            AW_V_INT(ves->mmsi),
            AW_V_INT(ves->segment),
            HAS(AW_ID_NAME) ? AW_V_TEXT(id->name) : AW_V_NULL,
            HAS(AW_ID_IMO) ? AW_V_INT(id->imo) : AW_V_NULL,
            HAS(AW_ID_IMO) ? AW_V_INT(aw_imo_valid(id->imo)) : AW_V_NULL,
            HAS(AW_ID_CALLSIGN) ? AW_V_TEXT(id->callsign) : AW_V_NULL,
            HAS(AW_ID_SHIPTYPE) ? AW_V_INT(id->shiptype) : AW_V_NULL,
            HAS(AW_ID_SHIPTYPE) ? AW_V_TEXT(aw_shiptype_text(id->shiptype)) : AW_V_NULL,
            HAS(AW_ID_LENGTH) ? AW_V_REAL(id->length_m) : AW_V_NULL,
            HAS(AW_ID_BEAM) ? AW_V_REAL(id->beam_m) : AW_V_NULL,
            HAS(AW_ID_DRAUGHT) ? AW_V_REAL(id->draught_dm / 10.0) : AW_V_NULL,
            HAS(AW_ID_DESTINATION) ? AW_V_TEXT(id->destination) : AW_V_NULL,
            flag ? AW_V_TEXT(flag->iso2) : AW_V_NULL,
            flag ? AW_V_TEXT(flag->name) : AW_V_NULL,
            AW_V_INT((int64_t)ves->count),
            ves->first_seen_ms == INT64_MAX ? AW_V_NULL : AW_V_TIME_MS(ves->first_seen_ms),
            ves->last_seen_ms == INT64_MIN ? AW_V_NULL : AW_V_TIME_MS(ves->last_seen_ms),
            screened ? AW_V_INT(screened[vi].nmatches > 0) : AW_V_NULL,
            screened && screened[vi].json ? AW_V_TEXT(screened[vi].json) : AW_V_NULL,
        };
#undef HAS
        size_t last = ves->first + ves->count - 1;
        double pt[2] = {ves->count ? t->lon[last] : 0, ves->count ? t->lat[last] : 0};
        if (aw_gpkg_insert(g, ly->vessels, v, pt, ves->count ? 1 : 0, err, errcap) < 0) return -1;
    }

    if (screened) {
        int lm = aw_gpkg_layer(g, "sanctions_matches", AW_GEOM_NONE, matches_fields, NF(matches_fields), err, errcap);
        if (lm < 0) return -1;
        for (size_t vi = 0; vi < t->nvessels; vi++) {
            for (size_t k = 0; k < screened[vi].nmatches; k++) {
                const aw_match *m = &screened[vi].matches[k];
                const aw_list_entry *e = aw_lists_entry(lists, m->entry);
                aw_value v[] = {AW_V_INT(t->vessels[vi].mmsi), AW_V_INT(t->vessels[vi].segment), AW_V_TEXT(e->list),
                                AW_V_TEXT(e->entry_id), AW_V_TEXT(e->name), AW_V_TEXT(e->programs),
                                AW_V_TEXT(aw_match_basis_name(m->basis)), AW_V_REAL(m->score),
                                AW_V_TEXT(m->matched_value), AW_V_INT(m->former_name),
                                e->imo ? AW_V_INT(e->imo) : AW_V_NULL, e->mmsi ? AW_V_INT(e->mmsi) : AW_V_NULL};
                if (aw_gpkg_insert(g, lm, v, NULL, 0, err, errcap) < 0) return -1;
            }
        }
    }

    for (size_t i = 0; i < t->nhistory; i++) {
        const aw_ident_change *h = &t->history[i];
        aw_value v[] = {AW_V_INT(h->mmsi),
                        AW_V_INT(h->segment),
                        AW_V_TEXT(aw_id_field_name((aw_id_field)h->field)),
                        AW_V_TEXT(h->value),
                        AW_V_TIME_MS(h->first_seen_ms),
                        AW_V_TIME_MS(h->last_seen_ms),
                        AW_V_INT(h->n_reports)};
        if (aw_gpkg_insert(g, ly->history, v, NULL, 0, err, errcap) < 0) return -1;
    }
    return 0;
}

int cmd_scan(int argc, char **argv) {
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"append", no_argument, NULL, 'a'},
        {"no-positions", no_argument, NULL, 'P'},
        {"log-tz", required_argument, NULL, 'z'},
        {"columns", required_argument, NULL, 'c'},
        {"accept-bad-checksum", no_argument, NULL, 'b'},
        {"threads", required_argument, NULL, 't'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"ports", required_argument, NULL, 1001},
        {"anchorages", required_argument, NULL, 1002},
        {"land", required_argument, NULL, 1003},
        {"no-land", no_argument, NULL, 1004},
        {"anchorage-min-vessels", required_argument, NULL, 1005},
        {"no-events", no_argument, NULL, 1006},
        {"encounter-distance-m", required_argument, NULL, 2000},
        {"encounter-min-h", required_argument, NULL, 2001},
        {"encounter-max-kn", required_argument, NULL, 2002},
        {"encounter-min-port-km", required_argument, NULL, 2003},
        {"loiter-max-kn", required_argument, NULL, 2004},
        {"loiter-min-h", required_argument, NULL, 2005},
        {"loiter-min-shore-nm", required_argument, NULL, 2006},
        {"gap-min-h", required_argument, NULL, 2007},
        {"max-transit-kn", required_argument, NULL, 2008},
        {"draught-change-m", required_argument, NULL, 2009},
        {"spoof-max-kn", required_argument, NULL, 2010},
        {"context-h", required_argument, NULL, 2011},
        {"lists", required_argument, NULL, 1007},
        {"name-min-score", required_argument, NULL, 1008},
        {0, 0, 0, 0},
    };
    aw_event_params ep;
    aw_event_params_default(&ep);
    double *const param_of[] = {&ep.encounter_distance_m, &ep.encounter_min_h, &ep.encounter_max_kn,
                                &ep.encounter_min_port_km, &ep.loiter_max_kn, &ep.loiter_min_h,
                                &ep.loiter_min_shore_nm, &ep.gap_min_h, &ep.max_transit_kn,
                                &ep.draught_change_m, &ep.spoof_max_kn, &ep.context_h};
    const char *ports_path = NULL, *anch_path = NULL, *land_path = NULL;
    const char *list_paths[64];
    size_t nlist_paths = 0;
    aw_screen_params sp;
    aw_screen_params_default(&sp);
    bool no_land = false, events_on = true;
    unsigned long long anch_min = 10;
    const char *out_path = NULL, *columns = NULL, *log_tz = NULL;
    bool append = false, quiet = false, verbose = false, with_positions = true;
    aw_pipeline_opts opts = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:vqh", longopts, NULL)) != -1) {
        unsigned long long n;
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'a': append = true; break;
        case 'P': with_positions = false; break;
        case 'z': log_tz = optarg; break;
        case 'c': columns = optarg; break;
        case 'b': opts.decoder.accept_bad_checksum = true; break;
        case 't':
            if (!cli_parse_uint(optarg, &n) || n == 0 || n > 64) {
                fprintf(stderr, "aiswatch scan: --threads takes 1..64\n");
                return AW_EXIT_USAGE;
            }
            opts.threads = (unsigned)n;
            break;
        case 'v': verbose = true; break;
        case 'q': quiet = true; break;
        case 'h': scan_usage(stdout); return AW_EXIT_OK;
        case 1001: ports_path = optarg; break;
        case 1002: anch_path = optarg; break;
        case 1003: land_path = optarg; break;
        case 1004: no_land = true; break;
        case 1005:
            if (!cli_parse_uint(optarg, &anch_min)) {
                fprintf(stderr, "aiswatch scan: --anchorage-min-vessels takes a whole number\n");
                return AW_EXIT_USAGE;
            }
            break;
        case 1006: events_on = false; break;
        case 1007:
            /* Repeatable, and comma-separated: --lists sdn.csv,uksl.xml */
            for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
                if (nlist_paths == 64) {
                    fprintf(stderr, "aiswatch scan: at most 64 lists\n");
                    return AW_EXIT_USAGE;
                }
                list_paths[nlist_paths++] = tok;
            }
            break;
        case 1008: {
            char *end;
            sp.name_min_score = strtod(optarg, &end);
            if (*end || !(sp.name_min_score > 0 && sp.name_min_score <= 1)) {
                fprintf(stderr, "aiswatch scan: --name-min-score takes a number in (0, 1]\n");
                return AW_EXIT_USAGE;
            }
            break;
        }
        default:
            if (c >= 2000 && c < 2000 + (int)(sizeof param_of / sizeof param_of[0])) {
                char *end;
                double v = strtod(optarg, &end);
                if (*end || !(v >= 0) || isinf(v)) {
                    fprintf(stderr, "aiswatch scan: %s takes a number >= 0\n", argv[optind - 1]);
                    return AW_EXIT_USAGE;
                }
                *param_of[c - 2000] = v;
                break;
            }
            scan_usage(stderr);
            return AW_EXIT_USAGE;
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
        opts.decoder.prefix_utc_offset_fn = tz_offset;
    }

    aw_geo *geo = NULL;
    if (events_on) {
        char err[512], buf[4096];
        geo = aw_geo_new();
        if (!geo) {
            fprintf(stderr, "aiswatch scan: out of memory\n");
            return AW_EXIT_INPUT;
        }
        if (!no_land && !land_path) {
            char exe[4096];
            ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
            exe[n > 0 ? n : 0] = 0;
            char *slash = strrchr(exe, '/');
            if (slash) *slash = 0;
            land_path = aw_geo_default_land(exe, buf, sizeof buf);
            if (!land_path && !quiet)
                fprintf(stderr, "aiswatch scan: no Natural Earth land found (run scripts/install-deps.sh or give "
                                "--land); land and shore rules are skipped\n");
        }
        if (land_path && !no_land && aw_geo_load_land(geo, land_path, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch scan: %s\n", err);
            return AW_EXIT_INPUT;
        }
        if (ports_path && aw_geo_load_ports(geo, ports_path, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch scan: %s\n", err);
            return AW_EXIT_INPUT;
        }
        if (anch_path && aw_geo_load_anchorages(geo, anch_path, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch scan: %s\n", err);
            return AW_EXIT_INPUT;
        }
    }

    aw_lists *lists = NULL;
    if (nlist_paths) {
        lists = aw_lists_new();
        if (!lists) {
            fprintf(stderr, "aiswatch scan: out of memory\n");
            return AW_EXIT_INPUT;
        }
        for (size_t i = 0; i < nlist_paths; i++) {
            char err[512];
            long n = aw_lists_load(lists, list_paths[i], list_report, NULL, err, sizeof err);
            if (n < 0) {
                fprintf(stderr, "aiswatch scan: %s\n", err);
                aw_lists_free(lists);
                return AW_EXIT_INPUT;
            }
            if (!quiet) fprintf(stderr, "aiswatch scan: %s: %ld vessel entries\n", list_paths[i], n);
        }
    }

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

    scan_ctx ctx = {.verbose = verbose, .tty = isatty(STDERR_FILENO) && !quiet, .t0 = cli_now()};
    pthread_mutex_init(&ctx.mu, NULL);
    for (size_t i = 0; i < inputs.n; i++) {
        struct stat st;
        if (strcmp(inputs.v[i], "-") != 0 && stat(inputs.v[i], &st) == 0) ctx.total_bytes += (uint64_t)st.st_size;
    }
    aw_pipeline_hooks hooks = {
        .worker_new = worker_new,
        .worker_free = worker_free,
        .on_msg = on_msg,
        .on_reject = verbose ? on_reject : NULL,
        .log_fn = log_fn,
        .ctx = &ctx,
    };
    opts.progress = progress;
    aw_decode_stats total = {0};
    int unreadable = 0, not_ais = 0;
    input_info *info = calloc(inputs.n ? inputs.n : 1, sizeof *info);
    if (!info) {
        fprintf(stderr, "aiswatch scan: out of memory\n");
        return AW_EXIT_INPUT;
    }
    for (size_t i = 0; i < inputs.n; i++) {
        const char *path = inputs.v[i];
        char err[512], head[HEAD_BYTES];
        aw_input *in = aw_input_open(path, err, sizeof err);
        if (!in) {
            fprintf(stderr, "aiswatch scan: %s\n", err);
            unreadable++;
            continue;
        }
        ssize_t nh = aw_input_peek(in, head, sizeof head, err, sizeof err);
        aw_table_map map;
        int fmt = nh < 0 ? -1 : aw_table_detect(head, (size_t)nh, columns, &map, err, sizeof err);
        if (fmt < 0) {
            fprintf(stderr, "aiswatch scan: %s: %s\n", path, err);
            aw_input_close(in);
            unreadable++;
            continue;
        }
        opts.table = fmt == AW_TABLE_NONE ? NULL : &map;
        ctx.source_id = (uint16_t)i;
        ctx.source_path = path;
        aw_decode_stats st = {0};
        if (aw_pipeline_run(in, &opts, &hooks, &st, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch scan: %s: %s (what was read before is kept)\n", path, err);
            unreadable++;
        }
        ctx.done_bytes += aw_input_raw_bytes(in);
        info[i].read = true;
        info[i].bytes = aw_input_raw_bytes(in);
        info[i].format = format_name(fmt, aw_input_compression(in));
        (void)aw_input_sha256(in, info[i].sha256); /* "" when the read stopped early */
        aw_input_close(in);
        if (st.messages == 0) {
            fprintf(stderr, "aiswatch scan: %s: no AIS messages or positions found (%llu lines)\n", path,
                    (unsigned long long)st.lines);
            not_ais++;
        }
        aw_stats_add(&total, &st);
    }
    if (ctx.tty) fprintf(stderr, "\r%*s\r", 70, "");
    int rc = AW_EXIT_OK;
    if (ctx.oom) {
        fprintf(stderr, "aiswatch scan: out of memory while reading\n");
        rc = AW_EXIT_INPUT;
    }
    if (total.messages == 0) {
        fprintf(stderr, "aiswatch scan: nothing usable was read; %s not written\n", out_path);
        rc = AW_EXIT_INPUT;
    }
    double t_read = cli_now() - ctx.t0;

    aw_tracks tracks = {0};
    layers ly = {0};
    char err[512];
    double t_tracks = 0, t_write = 0;
    if (rc == AW_EXIT_OK) {
        double t1 = cli_now();
        if (aw_tracks_build(&ctx.pos, ctx.obs.v, ctx.obs.n, NULL, &tracks, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch scan: %s\n", err);
            rc = AW_EXIT_INPUT;
        }
        t_tracks = cli_now() - t1;
    }
    aw_columns_free(&ctx.pos);
    free(ctx.obs.v);
    aw_events events = {0};
    double t_events = 0;
    long derived = 0;
    const char *skipped_rules = NULL;
    if (rc == AW_EXIT_OK && events_on) {
        double t1 = cli_now();
        if (anch_min > 0) derived = aw_anchorages_derive(&tracks, geo, 0.01, (unsigned)anch_min);
        if (derived < 0 || aw_detect(&tracks, geo, &ep, &events, &skipped_rules, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch scan: %s\n", derived < 0 ? "out of memory deriving anchorages" : err);
            rc = AW_EXIT_INPUT;
        }
        t_events = cli_now() - t1;
    }
    aw_vessel_screen *screened = NULL;
    if (rc == AW_EXIT_OK && lists) {
        screened = aw_screen_tracks(lists, &tracks, &sp);
        if (!screened) {
            fprintf(stderr, "aiswatch scan: out of memory screening vessels\n");
            rc = AW_EXIT_INPUT;
        }
    }
    const char **vessel_sanctions = NULL;
    if (screened) {
        vessel_sanctions = calloc(tracks.nvessels ? tracks.nvessels : 1, sizeof *vessel_sanctions);
        for (size_t i = 0; vessel_sanctions && i < tracks.nvessels; i++) vessel_sanctions[i] = screened[i].json;
    }
    if (rc == AW_EXIT_OK) {
        double t1 = cli_now();
        aw_gpkg *g = aw_gpkg_open(out_path, append, err, sizeof err);
        const char **names = malloc((inputs.n ? inputs.n : 1) * sizeof *names);
        for (size_t i = 0; names && i < inputs.n; i++) names[i] = base_name(inputs.v[i]);
        if (!g || !names ||
            write_gpkg(g, &tracks, &inputs, with_positions, &ly, lists, screened, err, sizeof err) < 0 ||
            write_inputs(g, &inputs, info, err, sizeof err) < 0 ||
            (events_on && aw_events_write_gpkg_screened(g, &tracks, &events, &ep, names, inputs.n, vessel_sanctions,
                                                        err, sizeof err) < 0) ||
            aw_gpkg_finish(g, err, sizeof err) < 0) {
            fprintf(stderr, "aiswatch scan: %s: %s\n", out_path, err);
            rc = AW_EXIT_INPUT;
        }
        if (!quiet && g && rc == AW_EXIT_OK) {
            cli_print_summary(stderr, "scan", &total, t_read);
            const aw_track_stats *ts = &tracks.stats;
            fprintf(stderr,
                    "  tracks: %llu positions kept of %llu (dropped: untimed=%llu not_available=%llu "
                    "out_of_range=%llu duplicates=%llu); %llu MMSIs, %llu segments; %llu static reports "
                    "(untimed, left out: %llu)\n",
                    (unsigned long long)ts->positions, (unsigned long long)ts->positions_in,
                    (unsigned long long)ts->untimed, (unsigned long long)ts->not_available,
                    (unsigned long long)ts->out_of_range, (unsigned long long)ts->duplicates,
                    (unsigned long long)ts->mmsis, (unsigned long long)ts->segments,
                    (unsigned long long)ts->static_reports, (unsigned long long)ctx.untimed_static);
            fprintf(stderr, "  %s: positions=%llu tracks=%llu vessels=%llu identity_history=%llu\n", out_path,
                    ly.positions >= 0 ? (unsigned long long)aw_gpkg_rows(g, ly.positions) : 0ULL,
                    (unsigned long long)aw_gpkg_rows(g, ly.tracks), (unsigned long long)aw_gpkg_rows(g, ly.vessels),
                    (unsigned long long)aw_gpkg_rows(g, ly.history));
        }
        if (!quiet && rc == AW_EXIT_OK && events_on) {
            size_t by_type[AW_EV_COUNT] = {0};
            for (size_t i = 0; i < events.n; i++) by_type[events.v[i].type]++;
            fprintf(stderr, "  events: %zu", events.n);
            for (int ty = 0; ty < AW_EV_COUNT; ty++)
                if (by_type[ty]) fprintf(stderr, " %s=%zu", aw_event_type_name((aw_event_type)ty), by_type[ty]);
            fprintf(stderr, " (anchorages derived from the data: %ld)\n", derived);
            if (screened) {
                size_t nv = 0, ne = 0;
                for (size_t i = 0; i < tracks.nvessels; i++) nv += screened[i].nmatches > 0;
                for (size_t i = 0; i < events.n; i++)
                    for (unsigned k = 0; k < events.v[i].nvessels; k++)
                        if (screened[events.v[i].vessels[k].vessel].nmatches) {
                            ne++;
                            break;
                        }
                fprintf(stderr, "  sanctions: %zu vessels matched, %zu events with a listed participant\n", nv, ne);
            }
            if (skipped_rules) fprintf(stderr, "  note: %s\n", skipped_rules);
        }
        free(names);
        aw_gpkg_close(g);
        t_write = cli_now() - t1;
        if (!quiet && rc == AW_EXIT_OK)
            fprintf(stderr, "  time: read+decode %.2f s, tracks %.2f s, events %.2f s, GeoPackage %.2f s\n", t_read,
                    t_tracks, t_events, t_write);
        if (!quiet && (unreadable || not_ais))
            fprintf(stderr, "  inputs: %zu read, %d unreadable, %d without AIS\n", inputs.n, unreadable, not_ais);
    }
    aw_vessel_screen_free(screened, tracks.nvessels);
    free(vessel_sanctions);
    aw_lists_free(lists);
    aw_events_free(&events);
    aw_geo_free(geo);
    aw_tracks_free(&tracks);
    for (size_t i = 0; i < inputs.n; i++) free(inputs.v[i]);
    free(inputs.v);
    free(info);
    pthread_mutex_destroy(&ctx.mu);
    return rc;
}
