/* watch.c — `aiswatch watch SOURCE… --alerts TARGET…`: live feeds in, alerts out.
 *
 * The engine (aiswatch/watch.h) does the AIS work; this file owns what a live program
 * needs around it: sockets (TCP client with reconnect, backoff and jitter; TCP listener;
 * UDP), files followed as they grow, one poll() loop, signals, the alert sinks (JSON
 * lines to stdout or a file, HTTP POST through libcurl with retry) and the state
 * directory.
 *
 * Delivery: alerts of one read are first put in an outbox; with --state the outbox is
 * checkpointed together with the window and the alerts still queued (DIR/state, written
 * to DIR/state.tmp, fsync'd and renamed), then queued. Each sink has its own thread,
 * which delivers the queue in seq order and writes the last seq it delivered to its line
 * of DIR/delivered; an alert leaves the queue (and later checkpoints) once every sink has
 * delivered it. A restart queues the outbox again and each sink skips what its line says
 * it has, so a kill -9 anywhere loses no alert and repeats at most the one being written
 * to each sink. Why threads: a webhook being retried or a broker that is away must not
 * hold up reading; the queue is bounded (--queue), and when it is full reading waits. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aiswatch/event_out.h"
#include "aiswatch/geo.h"
#include "aiswatch/gpkg.h"
#include "aiswatch/tracks_gpkg.h"
#include "aiswatch/sanctions.h"
#include "aiswatch/watch.h"
#include "cli.h"

#ifdef AW_HAVE_MOSQUITTO
#include <mosquitto.h>
#endif

#define READ_BUF (256 * 1024)

typedef enum { SRC_TCP, SRC_LISTEN, SRC_UDP, SRC_FILE } src_kind;

/* A connection of a tcp-listen:// source: its own engine source (line buffer, decoder),
 * so two feeders' partial lines and multipart fragments never mix. */
typedef struct feeder {
    int fd;                /* -1: the slot is free */
    int id;                /* engine source */
    char peer[64];         /* address of the slot's last connection; "" unknown */
    bool used;
} feeder;

typedef struct wsource {
    src_kind kind;
    char *spec;            /* as given */
    char host[256], port[16];
    char *path;            /* SRC_FILE */
    int id;                /* engine source (SRC_LISTEN: its first feeder's) */
    int fd;                /* the connection, the datagram socket or the file; -1 */
    int lfd;               /* SRC_LISTEN: the listening socket */
    feeder *feeders;       /* SRC_LISTEN: --max-feeders slots */
    size_t nfeeders, open_feeders;
    bool connecting, ended, ever_connected;
    double retry_at, backoff;
    uint64_t offset;       /* SRC_FILE: bytes read */
    uint64_t connects, bytes, refused;
} wsource;

typedef struct outbox_item {
    uint64_t seq;
    char *json;
    size_t len;
} outbox_item;

struct watch_cli;

typedef struct sink {
    enum { SINK_FILE, SINK_HTTP, SINK_MQTT } kind;
    int index;             /* its line in DIR/delivered */
    const char *target;
    struct watch_cli *c;
    FILE *f;
    CURL *curl;
    pthread_t thread;
    bool started;
    /* under the queue's mutex: */
    uint64_t next;         /* absolute queue position of its next alert */
    uint64_t mark;         /* the last seq it delivered (DIR/delivered) */
    bool done;             /* its thread gave up (a broker still away at exit) */
    uint64_t sent, failed;
#ifdef AW_HAVE_MOSQUITTO
    struct mosquitto *mq;
    char topic[256], mq_host[256];
    int mq_port;
    bool mq_looping;       /* the first connection was made: libmosquitto's thread runs */
    /* under mq_mu: the network thread's news */
    pthread_mutex_t mq_mu;
    pthread_cond_t mq_cond;
    bool mq_init, connected;
    int acked_mid;
#endif
} sink;

/* The bounded queue between the loop and the sinks' threads. The loop appends alerts
 * (after the checkpoint that holds them) and drops an alert once every sink is past
 * it; only the loop changes the ring, so an alert's text stays put while a sink
 * delivers it. Positions are absolute (first .. first + n). */
typedef struct alert_queue {
    pthread_mutex_t mu;
    pthread_cond_t more;   /* to the sinks: an alert was appended, or stopping */
    pthread_cond_t room;   /* to the loop: a sink moved on */
    outbox_item *ring;
    size_t cap, head, n;
    uint64_t first;        /* absolute position of ring[head] */
    bool stopping;         /* deliver what is queued, then end */
    bool abandon;          /* stopping, and the state keeps the queue: end after the alert in hand */
    double give_up_at;     /* stopping: a sink waiting for a broker gives up then (monotonic) */
} alert_queue;

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

typedef struct watch_cli {
    wsource *src;
    size_t nsrc;
    uint64_t warned_evicted; /* evictions when the window-full warning was last given */
    double warned_at;
    bool warned;
    outbox_item *out;      /* alerts of this read, not yet in the queue */
    size_t nout, capout;
    alert_queue q;
    int delivered_fd;      /* DIR/delivered */
    sink *sinks;
    size_t nsinks;
    const char *state_dir;
    const char *gpkg_path;  /* -o: the live GeoPackage */
    bool gpkg_tracks;       /* --output-tracks: with the window's tracks, vessels and identities */
    aw_watch *w;
    int retries;
    bool quiet, oom;
} watch_cli;

static double now_s(void) { return cli_now(); }

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- alerts ---------------------------------------------------------------------------- */

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* An absolute deadline `s` seconds from now, for pthread_cond_timedwait (CLOCK_REALTIME). */
static struct timespec deadline_in(double s) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long ns = ts.tv_nsec + (long)(s * 1e9);
    ts.tv_sec += ns / 1000000000L;
    ts.tv_nsec = ns % 1000000000L;
    return ts;
}

static void on_alert(void *ctx, const aw_alert *a) {
    watch_cli *c = ctx;
    if (c->nout == c->capout) {
        size_t cap = c->capout ? c->capout * 2 : 64;
        outbox_item *v = realloc(c->out, cap * sizeof *v);
        if (!v) {
            c->oom = true;
            return;
        }
        c->out = v;
        c->capout = cap;
    }
    char *j = malloc(a->json_len + 1);
    if (!j) {
        c->oom = true;
        return;
    }
    memcpy(j, a->json, a->json_len);
    j[a->json_len] = 0;
    c->out[c->nout++] = (outbox_item){a->seq, j, a->json_len};
}

static size_t curl_discard(char *p, size_t s, size_t n, void *u) {
    (void)p, (void)u;
    return s * n;
}

static bool http_post(watch_cli *c, sink *k, const char *json, size_t len) {
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    bool ok = false;
    double wait = 0.2;
    for (int attempt = 0; attempt <= c->retries && !ok; attempt++) {
        if (attempt) {
            struct timespec ts = {(time_t)wait, (long)((wait - floor(wait)) * 1e9)};
            nanosleep(&ts, NULL);
            wait = wait * 2 > 10 ? 10 : wait * 2;
        }
        curl_easy_reset(k->curl);
        curl_easy_setopt(k->curl, CURLOPT_URL, k->target);
        curl_easy_setopt(k->curl, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(k->curl, CURLOPT_POSTFIELDSIZE, (long)len);
        curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(k->curl, CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(k->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, curl_discard);
        CURLcode rc = curl_easy_perform(k->curl);
        long status = 0;
        if (rc == CURLE_OK) curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &status);
        ok = rc == CURLE_OK && status >= 200 && status < 300;
        if (!ok && !c->quiet)
            fprintf(stderr, "aiswatch watch: %s: %s (attempt %d of %d)\n", k->target,
                    rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error status", attempt + 1, c->retries + 1);
    }
    curl_slist_free_all(hdr);
    return ok;
}

/* The sink's thread stops waiting for a broker: only when stopping, after give_up_at. */
static bool giving_up(watch_cli *c) {
    pthread_mutex_lock(&c->q.mu);
    bool g = c->q.stopping && (c->q.abandon || mono_now() >= c->q.give_up_at);
    pthread_mutex_unlock(&c->q.mu);
    return g;
}

#ifdef AW_HAVE_MOSQUITTO
static void on_connect(struct mosquitto *mq, void *obj, int rc) {
    (void)mq;
    sink *k = obj;
    pthread_mutex_lock(&k->mq_mu);
    if (rc == 0) k->connected = true;
    pthread_cond_broadcast(&k->mq_cond);
    pthread_mutex_unlock(&k->mq_mu);
}

static void on_disconnect(struct mosquitto *mq, void *obj, int rc) {
    (void)mq, (void)rc;
    sink *k = obj;
    pthread_mutex_lock(&k->mq_mu);
    k->connected = false;
    pthread_mutex_unlock(&k->mq_mu);
}

static void on_puback(struct mosquitto *mq, void *obj, int mid) {
    (void)mq;
    sink *k = obj;
    pthread_mutex_lock(&k->mq_mu);
    k->acked_mid = mid;
    pthread_cond_broadcast(&k->mq_cond);
    pthread_mutex_unlock(&k->mq_mu);
}

/* mqtt://HOST[:PORT]/TOPIC. Nothing connects here: the sink's thread makes the first
 * connection (retrying 1 s doubling to 30 s), then libmosquitto's network thread keeps it
 * (reconnecting with the same backoff), so a broker that is away at start or goes away
 * later only delays the alerts: they wait in the queue. -1: a bad target. */
static int mqtt_open(sink *k) {
    char host[256], port[16] = "1883";
    const char *h = k->target + 7, *slash = strchr(h, '/');
    if (!slash || !slash[1] || (size_t)(slash - h) >= sizeof host || slash == h) return -1;
    snprintf(host, sizeof host, "%.*s", (int)(slash - h), h);
    snprintf(k->topic, sizeof k->topic, "%s", slash + 1);
    char *colon = strrchr(host, ':');
    if (colon) {
        snprintf(port, sizeof port, "%s", colon + 1);
        *colon = 0;
    }
    snprintf(k->mq_host, sizeof k->mq_host, "%s", host);
    k->mq_port = atoi(port);
    if (!host[0] || k->mq_port <= 0 || k->mq_port > 65535) return -1;
    pthread_mutex_init(&k->mq_mu, NULL);
    pthread_cond_init(&k->mq_cond, NULL);
    k->mq_init = true;
    k->acked_mid = -1;
    mosquitto_lib_init();
    k->mq = mosquitto_new(NULL, true, k);
    if (!k->mq) return -1;
    mosquitto_publish_callback_set(k->mq, on_puback);
    mosquitto_connect_callback_set(k->mq, on_connect);
    mosquitto_disconnect_callback_set(k->mq, on_disconnect);
    mosquitto_reconnect_delay_set(k->mq, 1, 30, true);
    return 0;
}

/* The first connection, from the sink's thread: libmosquitto's own loop reconnects only
 * once it has connected. 0, or -1 given up (stopping). */
static int mqtt_first_connect(watch_cli *c, sink *k) {
    double delay = 1, next_try = 0;
    while (!k->mq_looping) {
        if (mono_now() >= next_try) {
            if (mosquitto_connect(k->mq, k->mq_host, k->mq_port, 30) == MOSQ_ERR_SUCCESS &&
                mosquitto_loop_start(k->mq) == MOSQ_ERR_SUCCESS) {
                k->mq_looping = true;
                break;
            }
            next_try = mono_now() + delay;
            delay = delay * 2 > 30 ? 30 : delay * 2;
        }
        if (giving_up(c)) return -1;
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* One alert, QoS 1: delivered when the broker acknowledges it (PUBACK). While the broker
 * is away this waits (the queue holds the rest); it gives up only when stopping. An
 * unacknowledged message is re-sent by libmosquitto on reconnect; one not acknowledged
 * 10 s after a reconnect is published again (QoS 1 is at least once anyway).
 * 1 delivered, -1 given up. */
static int mqtt_publish(watch_cli *c, sink *k, const char *json, size_t len) {
    if (!k->mq_looping && mqtt_first_connect(c, k) < 0) return -1;
    int mid = -1;
    double sent_at = 0;
    pthread_mutex_lock(&k->mq_mu);
    for (;;) {
        if (mid >= 0 && k->acked_mid == mid) break;
        if (k->connected && (mid < 0 || mono_now() - sent_at > 10)) {
            pthread_mutex_unlock(&k->mq_mu);
            int rc = mosquitto_publish(k->mq, &mid, k->topic, (int)len, json, 1, false);
            pthread_mutex_lock(&k->mq_mu);
            if (rc != MOSQ_ERR_SUCCESS) mid = -1;
            sent_at = mono_now();
            continue;
        }
        struct timespec ts = deadline_in(0.1);
        pthread_cond_timedwait(&k->mq_cond, &k->mq_mu, &ts);
        if (mid >= 0 && k->acked_mid == mid) break;
        pthread_mutex_unlock(&k->mq_mu);
        bool g = giving_up(c);
        pthread_mutex_lock(&k->mq_mu);
        if (g) {
            pthread_mutex_unlock(&k->mq_mu);
            return -1;
        }
    }
    pthread_mutex_unlock(&k->mq_mu);
    return 1;
}
#endif

/* 1 delivered, 0 failed (counted, the sink moves on), -1 given up (stays queued). */
static int deliver_one(watch_cli *c, sink *k, const outbox_item *it) {
    if (k->kind == SINK_FILE)
        return fwrite(it->json, 1, it->len, k->f) == it->len && fputc('\n', k->f) != EOF && fflush(k->f) == 0;
    if (k->kind == SINK_HTTP) return http_post(c, k, it->json, it->len);
#ifdef AW_HAVE_MOSQUITTO
    return mqtt_publish(c, k, it->json, it->len);
#else
    return 0;
#endif
}

/* DIR/delivered: a line per --alerts target, in their order: the last seq it delivered. */
static int write_mark(watch_cli *c, const sink *k, uint64_t seq) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%020llu\n", (unsigned long long)seq);
    return pwrite(c->delivered_fd, buf, (size_t)n, (off_t)k->index * n) == n && fdatasync(c->delivered_fd) == 0 ? 0
                                                                                                               : -1;
}

/* A file written by one line (an older watch) gives every target that line. */
static void read_marks(watch_cli *c) {
    char path[4096], buf[32];
    snprintf(path, sizeof path, "%s/delivered", c->state_dir);
    FILE *f = fopen(path, "r");
    uint64_t first = 0;
    for (size_t i = 0; i < c->nsinks; i++) {
        if (f && fgets(buf, sizeof buf, f)) c->sinks[i].mark = strtoull(buf, NULL, 10);
        else c->sinks[i].mark = first;
        if (i == 0) first = c->sinks[i].mark;
    }
    if (f) fclose(f);
}

/* A sink's thread: delivers the queue in seq order, skipping what its mark says it has
 * (alerts restored from the outbox), and writes its mark after each one. */
static void *sink_main(void *arg) {
    sink *k = arg;
    watch_cli *c = k->c;
    alert_queue *q = &c->q;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (k->next == q->first + q->n && !q->stopping) pthread_cond_wait(&q->more, &q->mu);
        if (k->next == q->first + q->n || q->abandon) break; /* stopping: all delivered, or kept */
        const outbox_item *it = &q->ring[(q->head + (k->next - q->first)) % q->cap];
        uint64_t mark = k->mark;
        pthread_mutex_unlock(&q->mu);
        int ok = 1;
        if (it->seq > mark) {
            ok = deliver_one(c, k, it);
            if (ok >= 0 && c->state_dir && write_mark(c, k, it->seq) < 0)
                fprintf(stderr, "aiswatch watch: %s/delivered: %s\n", c->state_dir, strerror(errno));
        }
        pthread_mutex_lock(&q->mu);
        if (ok < 0) {
            k->done = true;
            pthread_cond_broadcast(&q->room);
            break;
        }
        if (it->seq > k->mark) {
            k->mark = it->seq;
            if (ok) k->sent++;
            else k->failed++;
        }
        k->next++;
        pthread_cond_broadcast(&q->room);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* Drops from the queue what every sink is past. Under the mutex. */
static void queue_trim(watch_cli *c) {
    alert_queue *q = &c->q;
    uint64_t low = q->first + q->n;
    for (size_t i = 0; i < c->nsinks; i++)
        if (c->sinks[i].next < low) low = c->sinks[i].next;
    while (q->first < low) {
        free(q->ring[q->head].json);
        q->head = (q->head + 1) % q->cap;
        q->first++;
        q->n--;
    }
}

static int queue_start(watch_cli *c, size_t cap) {
    alert_queue *q = &c->q;
    q->cap = cap;
    if (!(q->ring = calloc(cap, sizeof *q->ring))) return -1;
    /* A consumer of stdout that goes away must not kill the watch; SIGINT/SIGTERM go to
     * the loop, not to a sink's thread. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = 0;
    for (size_t i = 0; i < c->nsinks && rc == 0; i++) {
        c->sinks[i].c = c;
        if (pthread_create(&c->sinks[i].thread, NULL, sink_main, &c->sinks[i]) != 0) rc = -1;
        else c->sinks[i].started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Waits until every sink has delivered the queue (or gave up: a broker away for
 * `linger_s` after the stop), then ends their threads. With `keep` (a signal, and a state
 * that holds the queue for the next start) each sink ends after the alert in hand. */
static void queue_stop(watch_cli *c, double linger_s, bool keep) {
    alert_queue *q = &c->q;
    pthread_mutex_lock(&q->mu);
    q->stopping = true;
    q->abandon = keep;
    q->give_up_at = mono_now() + linger_s;
    pthread_cond_broadcast(&q->more);
    pthread_mutex_unlock(&q->mu);
    for (size_t i = 0; i < c->nsinks; i++)
        if (c->sinks[i].started) {
            pthread_join(c->sinks[i].thread, NULL);
            c->sinks[i].started = false;
        }
    pthread_mutex_lock(&q->mu);
    queue_trim(c);
    pthread_mutex_unlock(&q->mu);
}

/* ---- state ----------------------------------------------------------------------------- */

/* The state holds, after the window, per source its file offset (at its last whole line),
 * then the outbox: the alerts still queued (some sink has not delivered them) and those of
 * this read. Only the loop changes the queue, so it reads it here without the lock. */
static int checkpoint(watch_cli *c) {
    if (!c->state_dir) return 0;
    const alert_queue *q = &c->q;
    size_t len = 8 + 8 * c->nsrc + 8;
    for (size_t i = 0; i < q->n; i++) len += 16 + q->ring[(q->head + i) % q->cap].len;
    for (size_t i = 0; i < c->nout; i++) len += 16 + c->out[i].len;
    unsigned char *u = malloc(len), *p = u;
    if (!u) return -1;
    uint64_t v = c->nsrc;
    memcpy(p, &v, 8), p += 8;
    for (size_t i = 0; i < c->nsrc; i++) {
        v = c->src[i].kind == SRC_FILE ? c->src[i].offset - aw_watch_source_pending(c->w, c->src[i].id) : 0;
        memcpy(p, &v, 8), p += 8;
    }
    v = q->n + c->nout;
    memcpy(p, &v, 8), p += 8;
    for (size_t i = 0; i < q->n + c->nout; i++) {
        const outbox_item *it = i < q->n ? &q->ring[(q->head + i) % q->cap] : &c->out[i - q->n];
        memcpy(p, &it->seq, 8), p += 8;
        v = it->len;
        memcpy(p, &v, 8), p += 8;
        memcpy(p, it->json, it->len), p += it->len;
    }
    char tmp[4096], fin[4096], err[256];
    snprintf(tmp, sizeof tmp, "%s/state.tmp", c->state_dir);
    snprintf(fin, sizeof fin, "%s/state", c->state_dir);
    FILE *f = fopen(tmp, "wb");
    int rc = -1;
    if (f) {
        rc = aw_watch_save(c->w, f, u, len, err, sizeof err);
        if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0)) rc = -1;
        if (fclose(f) != 0) rc = -1;
        if (rc == 0 && rename(tmp, fin) != 0) rc = -1;
        if (rc == 0) {
            int dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY);
            if (dfd >= 0) {
                (void)fsync(dfd);
                close(dfd);
            }
        }
    }
    if (rc < 0) fprintf(stderr, "aiswatch watch: checkpoint to %s failed: %s\n", fin, strerror(errno));
    free(u);
    return rc;
}

/* The alerts of a read: checkpointed (when stateful) before any sink sees them, then
 * queued. A full queue makes the loop wait for the sinks (reading pauses; the kernel
 * buffers the feed). On a stop signal it waits no longer when the state keeps the rest,
 * or, without a state, once the linger time is over. */
static void flush_outbox(watch_cli *c) {
    if (!c->nout) return;
    if (c->state_dir) checkpoint(c);
    alert_queue *q = &c->q;
    size_t i = 0;
    double stop_wait_until = -1;
    pthread_mutex_lock(&q->mu);
    while (i < c->nout) {
        queue_trim(c);
        if (q->n == q->cap) {
            if (stop_signal) {
                if (c->state_dir) break;
                if (stop_wait_until < 0) stop_wait_until = mono_now() + 10;
                if (mono_now() > stop_wait_until) break;
            }
            bool all_done = true;
            for (size_t k = 0; k < c->nsinks; k++) all_done &= c->sinks[k].done;
            if (all_done) break;
            struct timespec ts = deadline_in(0.1);
            pthread_cond_timedwait(&q->room, &q->mu, &ts);
            continue;
        }
        q->ring[(q->head + q->n) % q->cap] = c->out[i++];
        q->n++;
        pthread_cond_broadcast(&q->more);
    }
    pthread_mutex_unlock(&q->mu);
    /* What did not fit stays for the final checkpoint (with --state) or is lost, counted. */
    memmove(c->out, c->out + i, (c->nout - i) * sizeof *c->out);
    c->nout -= i;
}

static int restore(watch_cli *c) {
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/state", c->state_dir);
    FILE *f = fopen(path, "rb");
    if (!f) return errno == ENOENT ? 0 : -1;
    void *u = NULL;
    size_t ulen = 0;
    int rc = aw_watch_load(c->w, f, &u, &ulen, err, sizeof err);
    fclose(f);
    if (rc < 0) {
        fprintf(stderr, "aiswatch watch: %s: %s\n", path, err);
        return -1;
    }
    const unsigned char *p = u, *end = p + ulen;
    uint64_t v = 0;
    if (ulen >= 8) memcpy(&v, p, 8), p += 8;
    if (v != c->nsrc || (size_t)(end - p) < 8 * c->nsrc + 8) {
        free(u);
        fprintf(stderr, "aiswatch watch: %s: written for other sources\n", path);
        return -1;
    }
    for (size_t i = 0; i < c->nsrc; i++) {
        memcpy(&v, p, 8), p += 8;
        if (c->src[i].kind == SRC_FILE) {
            c->src[i].offset = v; /* exact: nothing comes twice, late lines are kept */
            aw_watch_source_resume(c->w, c->src[i].id, false);
        }
    }
    uint64_t nout;
    memcpy(&nout, p, 8), p += 8;
    /* Alerts made before the stop but not delivered by every sink: queued again; each
     * sink skips those its line of DIR/delivered says it has. */
    for (uint64_t i = 0; i < nout && end - p >= 16; i++) {
        aw_alert a = {0};
        memcpy(&a.seq, p, 8), p += 8;
        memcpy(&v, p, 8), p += 8;
        if ((uint64_t)(end - p) < v) break;
        a.json = (const char *)p;
        a.json_len = (size_t)v;
        on_alert(c, &a);
        p += v;
    }
    free(u);
    aw_watch_stats st;
    aw_watch_stats_get(c->w, &st);
    if (!c->quiet)
        fprintf(stderr, "aiswatch watch: restored %s: %zu positions, %zu static reports, %zu alerted ids\n", path,
                st.window_positions, st.window_static, st.records);
    return c->oom ? -1 : 0;
}

/* ---- sources --------------------------------------------------------------------------- */

static int parse_hostport(const char *s, char *host, size_t hcap, char *port, size_t pcap) {
    const char *colon = strrchr(s, ':');
    if (!colon || !colon[1]) return -1;
    size_t hl = (size_t)(colon - s);
    if (hl >= hcap || strlen(colon + 1) >= pcap) return -1;
    memcpy(host, s, hl);
    host[hl] = 0;
    if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    snprintf(port, pcap, "%s", colon + 1);
    for (const char *q = port; *q; q++)
        if (*q < '0' || *q > '9') return -1;
    return 0;
}

static int parse_source(const char *spec, wsource *s) {
    memset(s, 0, sizeof *s);
    s->fd = s->lfd = -1;
    s->spec = (char *)spec;
    s->backoff = 0.5;
    if (strncmp(spec, "tcp://", 6) == 0) {
        s->kind = SRC_TCP;
        return parse_hostport(spec + 6, s->host, sizeof s->host, s->port, sizeof s->port);
    }
    if (strncmp(spec, "tcp-listen://", 13) == 0) {
        s->kind = SRC_LISTEN;
        return parse_hostport(spec + 13, s->host, sizeof s->host, s->port, sizeof s->port);
    }
    if (strncmp(spec, "udp://", 6) == 0) {
        s->kind = SRC_UDP;
        return parse_hostport(spec + 6, s->host, sizeof s->host, s->port, sizeof s->port);
    }
    s->kind = SRC_FILE;
    s->path = (char *)(strncmp(spec, "file://", 7) == 0 ? spec + 7 : spec);
    return *s->path ? 0 : -1;
}

static int bind_socket(wsource *s, int type) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = type, .ai_flags = AI_PASSIVE}, *ai = NULL;
    if (getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &ai) != 0 || !ai) return -1;
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd >= 0 && (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || (type == SOCK_STREAM && listen(fd, 8) < 0))) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static void tcp_connect(wsource *s) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(s->host, s->port, &hints, &ai) != 0 || !ai) return;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc == 0 || errno == EINPROGRESS) {
            s->fd = fd;
            s->connecting = rc != 0;
        } else {
            close(fd);
        }
    }
    freeaddrinfo(ai);
}

/* Backoff doubling to 30 s, with ±25 % jitter so many watchers do not reconnect in step. */
static void schedule_retry(wsource *s) {
    double j = 0.75 + 0.5 * ((double)rand() / RAND_MAX);
    s->retry_at = now_s() + s->backoff * j;
    s->backoff = s->backoff * 2 > 30 ? 30 : s->backoff * 2;
}

static void source_closed(watch_cli *c, wsource *s, bool once) {
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    s->connecting = false;
    aw_watch_source_reset(c->w, s->id);
    if (s->kind == SRC_TCP) {
        if (once && s->ever_connected) {
            s->ended = true;
            return;
        }
        /* A peer that comes back re-sends from where it likes: drop what we had. */
        aw_watch_source_resume(c->w, s->id, true);
        schedule_retry(s);
    }
}

/* A feeder of a tcp-listen:// source went away: its slot is free again. */
static void feeder_closed(watch_cli *c, wsource *s, feeder *f, bool once) {
    close(f->fd);
    f->fd = -1;
    s->open_feeders--;
    aw_watch_source_reset(c->w, f->id);
    if (once && s->open_feeders == 0) s->ended = true;
}

/* A new feeder takes a free slot: the one its address had before (what it re-sends is
 * then dropped as resent, as for a tcp:// reconnect), else one never used, else any
 * (starting fresh). Past --max-feeders the connection is closed and counted. */
static void feeder_accept(watch_cli *c, wsource *s) {
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    int fd = accept4(s->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    char peer[64] = "";
    if (getnameinfo((struct sockaddr *)&sa, sl, peer, sizeof peer, NULL, 0, NI_NUMERICHOST) != 0) peer[0] = 0;
    feeder *same = NULL, *fresh = NULL, *any = NULL;
    for (size_t i = 0; i < s->nfeeders; i++) {
        feeder *f = &s->feeders[i];
        if (f->fd >= 0) continue;
        if (!same && f->used && peer[0] && strcmp(f->peer, peer) == 0) same = f;
        if (!fresh && !f->used) fresh = f;
        if (!any) any = f;
    }
    feeder *f = same ? same : fresh ? fresh : any;
    if (!f) {
        close(fd);
        if (!s->refused++ && !c->quiet)
            fprintf(stderr, "aiswatch watch: %s: more than %zu feeders; refusing (counted)\n", s->spec, s->nfeeders);
        return;
    }
    /* After a restart the slots' addresses are unknown and the engine resumes them all. */
    if (f->peer[0] || f->used) aw_watch_source_resume(c->w, f->id, f == same);
    f->fd = fd;
    f->used = true;
    snprintf(f->peer, sizeof f->peer, "%s", peer);
    s->open_feeders++;
    s->ever_connected = true;
    s->connects++;
}

static int open_file(watch_cli *c, wsource *s) {
    (void)c;
    s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) return -1;
    struct stat st;
    if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_size < s->offset) s->offset = 0; /* replaced or truncated */
    if (lseek(s->fd, (off_t)s->offset, SEEK_SET) < 0) s->offset = 0;
    return 0;
}

/* ---- the live GeoPackage ---------------------------------------------------------------- */

/* The window's events (and with --output-tracks its tracks, vessels and identity
 * histories, as scan writes them) are written to PATH.next with the library's writers,
 * then moved into PATH inside one transaction (ATTACH, delete, insert: the R-tree
 * triggers follow), so `aiswatch serve` and `aiswatch events`, reading PATH in WAL mode,
 * see one whole version or the next, never half of one. The first version, or one with
 * layers the file lacks, is renamed in. */
typedef struct live_out {
    const char *tmp;
    bool tracks;
} live_out;

static int write_layers(void *ctx, const aw_tracks *t, const aw_events *ev, const aw_event_params *p,
                        const char *const *names, size_t nnames) {
    const live_out *lo = ctx;
    char err[512];
    aw_gpkg *g = aw_gpkg_open(lo->tmp, false, err, sizeof err);
    int rc = g &&
                     (!lo->tracks ||
                      aw_tracks_write_gpkg(g, t, NULL, NULL, names, nnames, false, NULL, err, sizeof err) == 0) &&
                     aw_events_write_gpkg(g, t, ev, p, names, nnames, err, sizeof err) == 0 &&
                     aw_gpkg_finish(g, err, sizeof err) == 0
                 ? 0
                 : -1;
    if (rc < 0) fprintf(stderr, "aiswatch watch: %s: %s\n", lo->tmp, err);
    aw_gpkg_close(g);
    return rc;
}

static bool has_table(sqlite3 *db, const char *name) {
    sqlite3_stmt *st = NULL;
    bool yes = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL) ==
                   SQLITE_OK &&
               sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

static int sql(sqlite3 *db, const char *q) {
    char *msg = NULL;
    int rc = sqlite3_exec(db, q, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "aiswatch watch: live GeoPackage: %s\n", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return rc == SQLITE_OK ? 0 : -1;
}

static void refresh_gpkg(watch_cli *c) {
    if (!c->gpkg_path) return;
    char tmp[4096], err[512];
    snprintf(tmp, sizeof tmp, "%s.next", c->gpkg_path);
    live_out lo = {tmp, c->gpkg_tracks};
    if (aw_watch_snapshot(c->w, write_layers, &lo, err, sizeof err) < 0) {
        unlink(tmp);
        return;
    }
    struct stat st;
    sqlite3 *db = NULL;
    bool fresh = stat(c->gpkg_path, &st) != 0;
    if (!fresh && c->gpkg_tracks && sqlite3_open_v2(c->gpkg_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
        fresh = !has_table(db, "identity_history"); /* written without --output-tracks */
    sqlite3_close(db);
    db = NULL;
    if (fresh) {
        if (rename(tmp, c->gpkg_path) != 0) {
            fprintf(stderr, "aiswatch watch: %s: %s\n", c->gpkg_path, strerror(errno));
            return;
        }
        if (sqlite3_open(c->gpkg_path, &db) == SQLITE_OK) sql(db, "PRAGMA journal_mode=WAL");
        sqlite3_close(db);
        return;
    }
    if (sqlite3_open(c->gpkg_path, &db) != SQLITE_OK) {
        fprintf(stderr, "aiswatch watch: %s: %s\n", c->gpkg_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    sqlite3_busy_timeout(db, 5000);
    cli_gpkg_functions(db); /* the R-tree triggers call ST_IsEmpty, ST_MinX, … */
    static const char *const layers[] = {"events", "event_tracks", "tracks", "vessels", "identity_history"};
    size_t nlayers = c->gpkg_tracks ? 5 : 2;
    char *q = sqlite3_mprintf("PRAGMA journal_mode=WAL; ATTACH %Q AS n; BEGIN IMMEDIATE;", tmp);
    for (size_t i = 0; q && i < nlayers; i++) {
        char *more = sqlite3_mprintf("%zDELETE FROM main.\"%w\"; INSERT INTO main.\"%w\" SELECT * FROM n.\"%w\";"
                                     "UPDATE main.gpkg_contents SET (min_x, min_y, max_x, max_y, last_change) = "
                                     "(SELECT min_x, min_y, max_x, max_y, last_change FROM n.gpkg_contents AS x WHERE "
                                     "x.table_name = main.gpkg_contents.table_name) WHERE table_name = %Q;",
                                     q, layers[i], layers[i], layers[i], layers[i]);
        q = more;
    }
    if (q) q = sqlite3_mprintf("%zCOMMIT; DETACH n;", q);
    if (!q || sql(db, q) < 0) sql(db, "ROLLBACK");
    sqlite3_free(q);
    sqlite3_close(db);
    unlink(tmp);
}

/* ---- the loop -------------------------------------------------------------------------- */

static void feed(watch_cli *c, wsource *s, int id, const char *buf, size_t n) {
    s->bytes += n;
    if (aw_watch_feed(c->w, id, buf, n, wall_ms()) < 0) c->oom = true;
    flush_outbox(c);
}

/* A feed too fast for --max-positions evicts rows long before --horizon-h: every event
 * longer than what is left is cut. Said at once and then hourly, not only in the summary. */
static void warn_full(watch_cli *c, double horizon_h, double max_positions, double now) {
    aw_watch_stats st;
    aw_watch_stats_get(c->w, &st);
    if (st.evicted == c->warned_evicted || (c->warned && now - c->warned_at < 3600)) return;
    double held_h = st.window_from_ms == AW_TIME_NONE ? 0 : (double)(st.feed_ms - st.window_from_ms) / 3600000.0;
    fprintf(stderr,
            "aiswatch watch: warning: the window is full (--max-positions %.0f): %llu rows evicted so far, it "
            "holds %.1f h of feed time instead of --horizon-h %g, and longer events are cut. Raise "
            "--max-positions (a detector run needs about 85 bytes a row at its peak; docs/watch.md)\n",
            max_positions, (unsigned long long)st.evicted, held_h, horizon_h);
    c->warned_evicted = st.evicted;
    c->warned_at = now;
    c->warned = true;
}

static void print_stats(watch_cli *c, double secs) {
    aw_watch_stats st;
    aw_watch_stats_get(c->w, &st);
    cli_print_summary(stderr, "watch", &st.decode, secs);
    fprintf(stderr,
            "  watch: positions=%llu static=%llu dropped: too_long_lines=%llu untimed=%llu too_old=%llu "
            "future=%llu resent=%llu; window: %zu positions %zu static (expired=%llu evicted=%llu)\n",
            (unsigned long long)st.positions, (unsigned long long)st.static_reports,
            (unsigned long long)st.lines_too_long, (unsigned long long)st.untimed, (unsigned long long)st.too_old,
            (unsigned long long)st.future, (unsigned long long)st.resent, st.window_positions, st.window_static,
            (unsigned long long)st.expired, (unsigned long long)st.evicted);
    fprintf(stderr, "  detector runs: %llu, %.3f s in all (last %.3f s); alerts:", (unsigned long long)st.ticks,
            st.tick_seconds, st.last_tick_seconds);
    for (int k = 0; k < AW_ALERT_KINDS; k++)
        fprintf(stderr, " %s=%llu", aw_alert_kind_name((aw_alert_kind)k), (unsigned long long)st.alerts[k]);
    fprintf(stderr, "\n");
    pthread_mutex_lock(&c->q.mu);
    for (size_t i = 0; i < c->nsinks; i++) {
        const sink *k = &c->sinks[i];
        uint64_t queued = c->q.first + c->q.n - k->next;
        if (k->failed || queued || k->kind != SINK_FILE)
            fprintf(stderr, "  %s: %llu delivered, %llu failed, %llu queued\n", k->target, (unsigned long long)k->sent,
                    (unsigned long long)k->failed, (unsigned long long)queued);
    }
    pthread_mutex_unlock(&c->q.mu);
    for (size_t i = 0; i < c->nsrc; i++) {
        const wsource *s = &c->src[i];
        fprintf(stderr, "  source %s: %llu bytes, %llu connections", s->spec, (unsigned long long)s->bytes,
                (unsigned long long)s->connects);
        if (s->kind == SRC_LISTEN)
            fprintf(stderr, " (%zu open, at most %zu; refused=%llu)", s->open_feeders, s->nfeeders,
                    (unsigned long long)s->refused);
        fprintf(stderr, "\n");
    }
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: aiswatch watch SOURCE... [--alerts TARGET]... [options]\n"
            "\n"
            "Runs scan's detectors live on AIS feeds and alerts as events appear (docs/watch.md).\n"
            "SOURCE: tcp://HOST:PORT (client, reconnects), tcp-listen://[HOST]:PORT, udp://[HOST]:PORT,\n"
            "        file://PATH or PATH (followed as it grows)\n"
            "  --alerts TARGET        '-' (stdout, the default), a file (appended), an http:// URL\n"
            "                         (POST, JSON body) or mqtt://HOST[:PORT]/TOPIC (QoS 1); repeatable\n"
            "  --retries N            webhook attempts after the first (default 5)\n"
            "  --queue N              alerts queued for the sinks at most (default 10000); when full,\n"
            "                         reading waits for the slowest sink\n"
            "  --max-feeders N        connections a tcp-listen:// source serves at once (default 8);\n"
            "                         more are refused and counted\n"
            "  --state DIR            checkpoint the window and alerted ids there; restore at start\n"
            "  -o, --output FILE      keep a live GeoPackage of the window's events (events, event_tracks)\n"
            "                         for `aiswatch serve` and `aiswatch events`, refreshed every --output-s\n"
            "                         seconds (60) and at exit\n"
            "  --output-tracks        with -o: also the window's tracks, vessels and identity_history, as\n"
            "                         scan writes them (rewritten at every refresh: costs time with the window)\n"
            "  --checkpoint-s S       checkpoint interval, seconds (default 60; also on alerts and exit)\n"
            "  --once                 stop when every stream source has ended (no reconnect)\n"
            "  --exit-idle S          stop after S seconds without input\n"
            "  --horizon-h H          feed time kept (default 48)\n"
            "  --tick-min M           detectors re-run every M feed minutes (default 10)\n"
            "  --settle-h H           an event ended this long ago is settled (default: merge window + grid)\n"
            "  --max-positions N      rows kept at most (default 20000000)\n"
            "  --max-line N           longest line accepted, bytes (default 1024)\n"
            "  --no-dark              no 'dark' alerts for vessels silent at sea\n"
            "  --max-busy F           share of wall time the detectors may take when the feed runs\n"
            "                         faster than real time (default 0.5; 1 runs every tick)\n"
            "  --stats-s S            print a summary every S seconds\n"
            "  -q, --quiet            no summary\n"
            "geography, thresholds and lists, as in `aiswatch scan` (derived anchorages come from the\n"
            "window at each run, as scan derives them from its input):\n");
    cli_detect_usage(f);
}

int cmd_watch(int argc, char **argv) {
    static const struct option longopts[] = {
        {"alerts", required_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {"state", required_argument, NULL, 's'},
        {"once", no_argument, NULL, 'O'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"retries", required_argument, NULL, 1000},
        {"no-dark", no_argument, NULL, 1009},
        {"checkpoint-s", required_argument, NULL, 3000},
        {"exit-idle", required_argument, NULL, 3001},
        {"horizon-h", required_argument, NULL, 3002},
        {"tick-min", required_argument, NULL, 3003},
        {"settle-h", required_argument, NULL, 3004},
        {"max-positions", required_argument, NULL, 3005},
        {"max-line", required_argument, NULL, 3006},
        {"stats-s", required_argument, NULL, 3007},
        {"max-busy", required_argument, NULL, 3008},
        {"output-s", required_argument, NULL, 3009},
        {"output-tracks", no_argument, NULL, 1012},
        {"max-feeders", required_argument, NULL, 3010},
        {"queue", required_argument, NULL, 3011},
        CLI_DETECT_LONGOPTS,
        {0, 0, 0, 0},
    };
    aw_watch_opts wo;
    aw_watch_opts_default(&wo);
    cli_detect_opts d;
    cli_detect_opts_default(&d);
    double checkpoint_s = 60, output_s = 60, exit_idle = 0, stats_s = 0, max_positions = (double)wo.max_positions,
           max_line = (double)wo.max_line, max_feeders = 8, queue_cap = 10000;
    double *const opt_of[] = {&checkpoint_s, &exit_idle, &wo.horizon_h,  &wo.tick_min, &wo.settle_h, &max_positions,
                              &max_line,     &stats_s,   &wo.max_busy,   &output_s,    &max_feeders, &queue_cap};
    const char *alert_targets[16];
    size_t ntargets = 0;
    bool once = false;
    watch_cli c = {.retries = 5,
                   .delivered_fd = -1,
                   .q = {.mu = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER,
                         .room = PTHREAD_COND_INITIALIZER}};
    int ch, li;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qh", longopts, &li)) != -1) {
        switch (ch) {
        case 'a':
            if (ntargets == 16) {
                fprintf(stderr, "aiswatch watch: at most 16 --alerts\n");
                return AW_EXIT_USAGE;
            }
            alert_targets[ntargets++] = optarg;
            break;
        case 's': c.state_dir = optarg; break;
        case 'o': c.gpkg_path = optarg; break;
        case 'O': once = true; break;
        case 'q': c.quiet = true; break;
        case 'h': usage(stdout); return AW_EXIT_OK;
        case 1000: {
            unsigned long long n;
            if (!cli_parse_uint(optarg, &n) || n > 100) {
                fprintf(stderr, "aiswatch watch: --retries takes 0..100\n");
                return AW_EXIT_USAGE;
            }
            c.retries = (int)n;
            break;
        }
        case 1009: wo.dark_alerts = false; break;
        case 1012: c.gpkg_tracks = true; break;
        default: {
            int k = ch == '?' ? 0 : cli_detect_opt("watch", ch, optarg, longopts[li].name, &d);
            if (k < 0) return AW_EXIT_USAGE;
            if (k > 0) break;
            double *dst = NULL;
            if (ch >= 3000 && ch < 3000 + (int)(sizeof opt_of / sizeof opt_of[0])) dst = opt_of[ch - 3000];
            if (!dst) {
                usage(stderr);
                return AW_EXIT_USAGE;
            }
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v >= 0) || isinf(v)) {
                fprintf(stderr, "aiswatch watch: %s takes a number >= 0\n", argv[optind - 1]);
                return AW_EXIT_USAGE;
            }
            *dst = v;
        }
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "aiswatch watch: needs at least one SOURCE\n");
        usage(stderr);
        return AW_EXIT_USAGE;
    }
    if (max_feeders < 1 || max_feeders > 1024 || queue_cap < 1 || queue_cap > 1e7) {
        fprintf(stderr, "aiswatch watch: --max-feeders takes 1..1024, --queue 1..10000000\n");
        return AW_EXIT_USAGE;
    }
    wo.max_positions = (size_t)max_positions;
    wo.max_line = (size_t)max_line;
    c.nsrc = (size_t)(argc - optind);
    c.src = calloc(c.nsrc, sizeof *c.src);
    if (!c.src) return AW_EXIT_INPUT;
    for (size_t i = 0; i < c.nsrc; i++)
        if (parse_source(argv[optind + (int)i], &c.src[i]) < 0) {
            fprintf(stderr, "aiswatch watch: bad source '%s' (tcp://HOST:PORT, tcp-listen://[HOST]:PORT, "
                            "udp://[HOST]:PORT, file://PATH)\n", argv[optind + (int)i]);
            free(c.src);
            return AW_EXIT_USAGE;
        }

    /* Geography and lists, as scan loads them. */
    char err[512], land[4096];
    aw_lists *lists = NULL;
    int rc = AW_EXIT_INPUT;
    aw_geo *geo = cli_detect_geo("watch", &d, c.quiet, land, sizeof land);
    if (!geo) goto out;
    if (land[0] && aw_geo_load_land(geo, land, err, sizeof err) < 0) {
        fprintf(stderr, "aiswatch watch: %s\n", err);
        goto out;
    }
    wo.geo = geo;
    wo.events = d.events;
    wo.screen = d.screen;
    wo.anchorage_min_vessels = d.anchorage_min_vessels;
    if (d.nlists) {
        if (!(lists = cli_lists_load("watch", d.lists, d.nlists, c.quiet))) goto out;
        wo.lists = lists;
    }

    /* Sinks. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!ntargets) alert_targets[ntargets++] = "-";
    c.sinks = calloc(ntargets, sizeof *c.sinks);
    if (!c.sinks) goto out;
    for (size_t i = 0; i < ntargets; i++) {
        sink *k = &c.sinks[c.nsinks++];
        k->target = alert_targets[i];
        k->index = (int)i;
        if (strncmp(k->target, "http://", 7) == 0 || strncmp(k->target, "https://", 8) == 0) {
            k->kind = SINK_HTTP;
            if (!(k->curl = curl_easy_init())) goto out;
        } else if (strncmp(k->target, "mqtt://", 7) == 0) {
            k->kind = SINK_MQTT;
#ifdef AW_HAVE_MOSQUITTO
            if (mqtt_open(k) < 0) {
                fprintf(stderr, "aiswatch watch: %s: not an MQTT target (mqtt://HOST[:PORT]/TOPIC)\n", k->target);
                rc = AW_EXIT_USAGE;
                goto out;
            }
#else
            fprintf(stderr, "aiswatch watch: this build has no MQTT (libmosquitto-dev was missing)\n");
            rc = AW_EXIT_USAGE;
            goto out;
#endif
        } else {
            k->kind = SINK_FILE;
            k->f = strcmp(k->target, "-") == 0 ? stdout : fopen(k->target, "a");
            if (!k->f) {
                fprintf(stderr, "aiswatch watch: %s: %s\n", k->target, strerror(errno));
                rc = AW_EXIT_USAGE;
                goto out;
            }
        }
    }

    /* A pattern longer than the window can never be seen whole: say so rather than
     * watch for it in silence (a short horizon is how a fast feed fits in memory). Gaps
     * need no horizon: each silent vessel's last report is remembered. */
    if (!c.quiet && wo.horizon_h <= wo.events.loiter_min_h)
        fprintf(stderr,
                "aiswatch watch: warning: --horizon-h %g is not longer than loitering's minimum (%g h): loitering "
                "cannot be seen whole\n", wo.horizon_h, wo.events.loiter_min_h);
    if (!c.quiet && wo.horizon_h < wo.events.draught_window_h)
        fprintf(stderr,
                "aiswatch watch: warning: --horizon-h %g is shorter than the draught window (%g h after an "
                "encounter): draught changes cannot be seen whole\n", wo.horizon_h, wo.events.draught_window_h);
    wo.on_alert = on_alert;
    wo.ctx = &c;
    c.w = aw_watch_new(&wo, err, sizeof err);
    if (!c.w) {
        fprintf(stderr, "aiswatch watch: %s\n", err);
        rc = AW_EXIT_USAGE;
        goto out;
    }
    for (size_t i = 0; i < c.nsrc; i++) {
        wsource *s = &c.src[i];
        if (s->kind != SRC_LISTEN) {
            if ((s->id = aw_watch_add_source(c.w, s->spec)) < 0) goto out;
            continue;
        }
        /* A listener's feeders: a slot each, declared now so the state's sources stay put. */
        s->nfeeders = (size_t)max_feeders;
        if (!(s->feeders = calloc(s->nfeeders, sizeof *s->feeders))) goto out;
        for (size_t j = 0; j < s->nfeeders; j++) {
            s->feeders[j].fd = -1;
            if ((s->feeders[j].id = aw_watch_add_source(c.w, s->spec)) < 0) goto out;
        }
        s->id = s->feeders[0].id;
    }
    if (c.state_dir) {
        mkdir(c.state_dir, 0755);
        struct stat st;
        if (stat(c.state_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "aiswatch watch: --state %s is not a directory\n", c.state_dir);
            rc = AW_EXIT_USAGE;
            goto out;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/delivered", c.state_dir);
        if ((c.delivered_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
            fprintf(stderr, "aiswatch watch: %s: %s\n", path, strerror(errno));
            goto out;
        }
        read_marks(&c);
        if (restore(&c) < 0) goto out;
    }
    if (queue_start(&c, (size_t)queue_cap) < 0) {
        fprintf(stderr, "aiswatch watch: cannot start the alert queue\n");
        goto out;
    }
    flush_outbox(&c); /* what the state's outbox held */

    /* Open what listens; clients and files open in the loop. */
    for (size_t i = 0; i < c.nsrc; i++) {
        wsource *s = &c.src[i];
        if (s->kind == SRC_LISTEN || s->kind == SRC_UDP) {
            int fd = bind_socket(s, s->kind == SRC_LISTEN ? SOCK_STREAM : SOCK_DGRAM);
            if (fd < 0) {
                fprintf(stderr, "aiswatch watch: %s: cannot listen: %s\n", s->spec, strerror(errno));
                rc = AW_EXIT_USAGE;
                goto out;
            }
            if (s->kind == SRC_LISTEN) s->lfd = fd;
            else s->fd = fd;
            if (!c.quiet) fprintf(stderr, "aiswatch watch: listening on %s\n", s->spec);
        }
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)(wall_ms() ^ getpid()));

    char *rbuf = malloc(READ_BUF);
    /* One poll entry per source, plus one per feeder slot of each listener. */
    size_t npoll = c.nsrc;
    for (size_t i = 0; i < c.nsrc; i++) npoll += c.src[i].nfeeders;
    struct pollfd *pfd = calloc(npoll, sizeof *pfd);
    wsource **psrc = calloc(npoll, sizeof *psrc);
    feeder **pfeed = calloc(npoll, sizeof *pfeed);
    if (!rbuf || !pfd || !psrc || !pfeed) goto out_loop;
    double t0 = now_s(), last_ckpt = t0, last_input = t0, last_stats = t0, last_gpkg = t0;
    while (!stop_signal && !c.oom) {
        double now = now_s();
        bool all_ended = true, any_stream = false;
        int timeout_ms = 200;
        size_t np = 0;
        for (size_t i = 0; i < c.nsrc; i++) {
            wsource *s = &c.src[i];
            if (s->kind != SRC_UDP) any_stream = true;
            if (s->kind != SRC_UDP && !s->ended) all_ended = false;
            if (s->ended) continue;
            switch (s->kind) {
            case SRC_TCP:
                if (s->fd < 0 && now >= s->retry_at) tcp_connect(s);
                if (s->fd < 0) {
                    if (s->retry_at <= now) schedule_retry(s);
                    continue;
                }
                psrc[np] = s, pfeed[np] = NULL;
                pfd[np++] = (struct pollfd){.fd = s->fd, .events = s->connecting ? POLLOUT : POLLIN};
                break;
            case SRC_LISTEN:
                /* Always accepted: over the cap a connection is refused and counted. */
                psrc[np] = s, pfeed[np] = NULL;
                pfd[np++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
                for (size_t j = 0; j < s->nfeeders; j++)
                    if (s->feeders[j].fd >= 0) {
                        psrc[np] = s, pfeed[np] = &s->feeders[j];
                        pfd[np++] = (struct pollfd){.fd = s->feeders[j].fd, .events = POLLIN};
                    }
                break;
            case SRC_UDP:
                psrc[np] = s, pfeed[np] = NULL;
                pfd[np++] = (struct pollfd){.fd = s->fd, .events = POLLIN};
                break;
            case SRC_FILE:
                if (s->fd < 0 && open_file(&c, s) < 0) continue;
                timeout_ms = 0; /* files are read until EOF, then polled by timer */
                break;
            }
        }
        if (once && any_stream && all_ended) break;
        if (exit_idle > 0 && now - last_input >= exit_idle) break;
        bool file_progress = false;
        for (size_t i = 0; i < c.nsrc; i++) {
            wsource *s = &c.src[i];
            if (s->kind != SRC_FILE || s->fd < 0 || s->ended) continue;
            ssize_t n = read(s->fd, rbuf, READ_BUF);
            if (n > 0) {
                s->offset += (uint64_t)n;
                feed(&c, s, s->id, rbuf, (size_t)n);
                file_progress = true;
                last_input = now_s();
            } else if (n == 0 && once) {
                /* A last line without a newline is a line at the end of a file. */
                if (aw_watch_source_pending(c.w, s->id)) feed(&c, s, s->id, "\n", 1);
                s->ended = true;
            } else if (n == 0) {
                struct stat st;
                if (stat(s->path, &st) == 0 && (uint64_t)st.st_size < s->offset) { /* truncated, rotated */
                    close(s->fd);
                    s->fd = -1;
                    s->offset = 0;
                    aw_watch_source_reset(c.w, s->id);
                }
            }
        }
        int pr = poll(pfd, (nfds_t)np, file_progress ? 0 : timeout_ms ? timeout_ms : 100);
        if (pr < 0 && errno != EINTR) break;
        if (pr == 0 && !file_progress) {
            /* Quiet: a tick that waited for --max-busy runs now. */
            if (aw_watch_idle(c.w) < 0) c.oom = true;
            flush_outbox(&c);
        }
        for (size_t i = 0; pr > 0 && i < np; i++) {
            wsource *s = psrc[i];
            feeder *f = pfeed[i];
            if (!pfd[i].revents) continue;
            if (s->kind == SRC_TCP && s->connecting) {
                int e = 0;
                socklen_t el = sizeof e;
                getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el);
                if (e) {
                    close(s->fd);
                    s->fd = -1;
                    s->connecting = false;
                    schedule_retry(s);
                    continue;
                }
                s->connecting = false;
                s->ever_connected = true;
                s->connects++;
                s->backoff = 0.5;
                if (!c.quiet) fprintf(stderr, "aiswatch watch: connected to %s\n", s->spec);
                continue;
            }
            if (s->kind == SRC_LISTEN && !f) {
                feeder_accept(&c, s);
                continue;
            }
            int fd = f ? f->fd : s->fd, id = f ? f->id : s->id;
            ssize_t n = s->kind == SRC_UDP ? recv(fd, rbuf, READ_BUF, 0) : read(fd, rbuf, READ_BUF);
            if (n > 0) {
                feed(&c, s, id, rbuf, (size_t)n);
                /* A datagram is whole lines: end its last one. */
                if (s->kind == SRC_UDP && rbuf[n - 1] != '\n') feed(&c, s, id, "\n", 1);
                last_input = now_s();
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                if (f) {
                    feeder_closed(&c, s, f, once);
                } else if (s->kind != SRC_UDP) {
                    if (!c.quiet) fprintf(stderr, "aiswatch watch: %s closed\n", s->spec);
                    source_closed(&c, s, once);
                }
            }
        }
        now = now_s();
        if (c.state_dir && checkpoint_s > 0 && now - last_ckpt >= checkpoint_s) {
            checkpoint(&c);
            last_ckpt = now;
        }
        if (c.gpkg_path && output_s > 0 && now - last_gpkg >= output_s) {
            refresh_gpkg(&c);
            last_gpkg = now_s();
        }
        if (stats_s > 0 && now - last_stats >= stats_s) {
            print_stats(&c, now - t0);
            last_stats = now;
        }
        if (!c.quiet) warn_full(&c, wo.horizon_h, max_positions, now);
    }
    double t_loop = now_s() - t0;
    /* Stopping: with --state the open events wait in the checkpoint for the next run;
     * without, or at the end of a finite feed, they are reported as they stand. */
    if (!c.state_dir || (once && !stop_signal)) {
        if (aw_watch_finish(c.w) < 0) c.oom = true;
    }
    flush_outbox(&c);
    /* The sinks deliver what is queued; a broker still away 10 s on gives up. */
    queue_stop(&c, 10, stop_signal && c.state_dir);
    for (size_t i = 0; i < c.nsinks; i++) {
        sink *k = &c.sinks[i];
        uint64_t left = c.nout;
        for (size_t j = 0; j < c.q.n; j++) left += c.q.ring[(c.q.head + j) % c.q.cap].seq > k->mark;
        if (!left) continue;
        if (!c.state_dir) k->failed += left;
        fprintf(stderr, "aiswatch watch: %s: %llu alerts not delivered%s\n", k->target, (unsigned long long)left,
                c.state_dir ? " (kept in the state for the next start)" : "");
    }
    if (c.state_dir) checkpoint(&c);
    refresh_gpkg(&c);
    if (!c.quiet) {
        print_stats(&c, now_s() - t0);
        aw_watch_stats st;
        aw_watch_stats_get(c.w, &st);
        fprintf(stderr, "  streaming: %llu messages in %.3f s (%.0f messages/s) before the final detector run\n",
                (unsigned long long)st.decode.messages, t_loop, t_loop > 0 ? st.decode.messages / t_loop : 0.0);
    }
    rc = c.oom ? AW_EXIT_INPUT : AW_EXIT_OK;
    if (!c.oom) {
        aw_watch_stats st;
        aw_watch_stats_get(c.w, &st);
        if (st.decode.messages == 0 && st.feed_ms == AW_TIME_NONE) rc = AW_EXIT_INPUT;
    }
out_loop:
    free(rbuf);
    free(pfd);
    free(psrc);
    free(pfeed);
out:
    queue_stop(&c, 0, false);
    for (size_t i = 0; i < c.nsrc; i++) {
        if (c.src[i].fd >= 0) close(c.src[i].fd);
        if (c.src[i].lfd >= 0) close(c.src[i].lfd);
        for (size_t j = 0; j < c.src[i].nfeeders; j++)
            if (c.src[i].feeders[j].fd >= 0) close(c.src[i].feeders[j].fd);
        free(c.src[i].feeders);
    }
    for (size_t i = 0; i < c.nsinks; i++) {
        if (c.sinks[i].f && c.sinks[i].f != stdout) fclose(c.sinks[i].f);
        if (c.sinks[i].curl) curl_easy_cleanup(c.sinks[i].curl);
#ifdef AW_HAVE_MOSQUITTO
        if (c.sinks[i].mq) {
            if (c.sinks[i].mq_looping) {
                mosquitto_disconnect(c.sinks[i].mq);
                mosquitto_loop_stop(c.sinks[i].mq, false);
            }
            mosquitto_destroy(c.sinks[i].mq);
            mosquitto_lib_cleanup();
        }
        if (c.sinks[i].mq_init) {
            pthread_mutex_destroy(&c.sinks[i].mq_mu);
            pthread_cond_destroy(&c.sinks[i].mq_cond);
        }
#endif
    }
    if (c.delivered_fd >= 0) close(c.delivered_fd);
    for (size_t i = 0; i < c.nout; i++) free(c.out[i].json);
    for (size_t i = 0; i < c.q.n; i++) free(c.q.ring[(c.q.head + i) % c.q.cap].json);
    free(c.q.ring);
    pthread_mutex_destroy(&c.q.mu);
    pthread_cond_destroy(&c.q.more);
    pthread_cond_destroy(&c.q.room);
    free(c.out);
    free(c.sinks);
    free(c.src);
    aw_watch_free(c.w);
    aw_lists_free(lists);
    aw_geo_free(geo);
    curl_global_cleanup();
    return rc;
}
