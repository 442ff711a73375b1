/* serve.c — `aiswatch serve RUN.gpkg`: the analyst's web view over HTTP (issue 6).
 *
 * libmicrohttpd (Debian's libmicrohttpd-dev) runs the server: a small pool of threads,
 * each answering its connections one request at a time. The GeoPackage is only read:
 * each thread opens its own read-only SQLite connection on first use (a connection must
 * not be shared between threads mid-statement, and one per thread needs no lock), kept
 * until the thread ends. Bound to 127.0.0.1 unless --bind says otherwise: the file may
 * hold what an analyst must not publish.
 *
 * Routes: /api/... is the JSON API (serve_api.c); /vendor/leaflet/, /vendor/world-atlas/
 * and /vendor/topojson-client/ are the npm packages in node_modules/ (so the page works
 * offline); anything else is a file of the web root, / being index.html. Only GET and HEAD.
 *
 * File paths: libmicrohttpd decodes %XX before we see the path, through unescape() below,
 * which turns a decoded NUL into a control character so that no name can be cut short.
 * A path is refused when any segment is empty, ".", "..", or starts with a dot, or it holds
 * a backslash, a '%' (a second encoding) or a control character; what remains is resolved
 * with realpath() and must still lie under its root. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "serve.h"

enum { POOL_THREADS = 4, CONNECTION_TIMEOUT_S = 30 };

typedef struct server {
    serve_file file;
    char web[PATH_MAX];  /* real path of the web root, "" when there is none */
    char node[PATH_MAX]; /* real path of node_modules, "" when there is none */
    pthread_key_t db_key;
} server;

/* ---- one read-only connection per thread --------------------------------------------------- */

static void close_db(void *db) { sqlite3_close(db); }

static sqlite3 *thread_db(server *s) {
    sqlite3 *db = pthread_getspecific(s->db_key);
    if (db) return db;
    if (sqlite3_open_v2(s->file.path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    cli_gpkg_functions(db); /* ST_MinX/ST_MinY: the events window test and /api/meta's bbox */
    pthread_setspecific(s->db_key, db);
    return db;
}

/* ---- responses ------------------------------------------------------------------------------- */

static enum MHD_Result send_buffer(struct MHD_Connection *c, unsigned status, const char *type, void *body,
                                   size_t len, enum MHD_ResponseMemoryMode mode) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE) free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg) {
    char buf[256];
    int n = snprintf(buf, sizeof buf, "{\"error\":\"%s\"}", msg); /* msg: our own text, nothing to escape */
    return send_buffer(c, status, "application/json", buf, (size_t)n, MHD_RESPMEM_MUST_COPY);
}

/* ---- static files ------------------------------------------------------------------------------ */

static const char *mime_type(const char *path) {
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"}, {".json", "application/json"}, {".topojson", "application/json"},
        {".geojson", "application/geo+json"}, {".map", "application/json"}, {".svg", "image/svg+xml"},
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"},
        {".ico", "image/x-icon"}, {".webp", "image/webp"}, {".woff", "font/woff"}, {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"}, {".md", "text/plain; charset=utf-8"}, {".pdf", "application/pdf"},
    };
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

/* A relative path we are willing to look up (see the header comment). */
static bool safe_rel_path(const char *rel) {
    if (!*rel) return false;
    for (const char *seg = rel; *seg;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || seg[0] == '.') return false;
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)seg[i];
            if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == '%') return false;
        }
        if (!end) break;
        seg = end + 1;
        if (!*seg) return false; /* a trailing slash names a directory */
    }
    return true;
}

/* root/sub/rel, if it is a regular file under root/sub once every link is resolved. */
static enum MHD_Result send_file(struct MHD_Connection *c, const char *root, const char *sub, const char *rel) {
    if (!root[0]) return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
    if (!safe_rel_path(rel)) return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
    char base[PATH_MAX], joined[PATH_MAX], real_base[PATH_MAX], real[PATH_MAX];
    if (snprintf(base, sizeof base, "%s%s%s", root, *sub ? "/" : "", sub) >= (int)sizeof base ||
        snprintf(joined, sizeof joined, "%s/%s", base, rel) >= (int)sizeof joined || !realpath(base, real_base) ||
        !realpath(joined, real))
        return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
    size_t bl = strlen(real_base);
    if (strncmp(real, real_base, bl) != 0 || real[bl] != '/') return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0) return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd); /* owns fd from here */
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, mime_type(real));
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

/* /vendor/PKG/... onto the npm package's files the page needs. */
static enum MHD_Result send_vendor(struct MHD_Connection *c, const server *s, const char *rest) {
    static const struct {
        const char *prefix, *dir;
    } map[] = {{"leaflet/", "leaflet/dist"}, {"world-atlas/", "world-atlas"},
               {"topojson-client/", "topojson-client/dist"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t n = strlen(map[i].prefix);
        if (strncmp(rest, map[i].prefix, n) == 0) return send_file(c, s->node, map[i].dir, rest + n);
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

/* ---- requests --------------------------------------------------------------------------------- */

static const char *query_arg(void *cls, const char *key) {
    return MHD_lookup_connection_value(cls, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **req) {
    (void)version, (void)upload_data, (void)upload_data_size, (void)req;
    server *s = cls;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD");
    if (strncmp(url, "/api/", 5) == 0) {
        sqlite3 *db = thread_db(s);
        if (!db) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot open the GeoPackage");
        char *body;
        size_t len;
        int status = serve_api(db, &s->file, url, query_arg, c, &body, &len);
        if (!body) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
        return send_buffer(c, (unsigned)status, "application/json", body, len, MHD_RESPMEM_MUST_FREE);
    }
    if (url[0] != '/') return send_error(c, MHD_HTTP_BAD_REQUEST, "bad path");
    if (strcmp(url, "/") == 0) return send_file(c, s->web, "", "index.html");
    if (strncmp(url, "/vendor/", 8) == 0) return send_vendor(c, s, url + 8);
    return send_file(c, s->web, "", url + 1);
}

/* libmicrohttpd's decoding of %XX, except that a NUL becomes 0x01: the path checks refuse
 * control characters, where a NUL would silently shorten the name. */
static int hex_value(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s) {
    (void)cls, (void)c;
    char *w = s;
    for (const char *p = s; *p; p++) {
        int hi = p[0] == '%' ? hex_value(p[1]) : -1, lo = hi >= 0 ? hex_value(p[2]) : -1;
        if (lo >= 0) {
            char ch = (char)(hi * 16 + lo);
            *w++ = ch ? ch : '\x01';
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = 0;
    return (size_t)(w - s);
}

/* ---- the command -------------------------------------------------------------------------------- */

static bool table_exists(sqlite3 *db, const char *name) {
    sqlite3_stmt *st = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'virtual table') AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

static const char *check_file(sqlite3 *db) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) != SQLITE_OK) return sqlite3_errmsg(db);
    int64_t app = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (app != 0x47504B47) return "no GeoPackage application_id";
    return table_exists(db, "gpkg_contents") ? NULL : "no gpkg_contents table";
}

/* `name` (a directory) in the program's folder or up to three above it (build/aiswatch ->
 * the checkout), then in the current directory, as aw_geo_default_land looks for land. */
static bool find_dir(const char *name, const char *must_hold, char out[PATH_MAX]) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    static const char *const up[] = {"", "../", "../../", "../../../"};
    char probe[PATH_MAX + 64];
    for (size_t i = 0; i <= sizeof up / sizeof *up; i++) {
        if (i < sizeof up / sizeof *up) {
            if (!exe[0]) continue;
            snprintf(probe, sizeof probe, "%s/%s%s/%s", exe, up[i], name, must_hold);
        } else {
            snprintf(probe, sizeof probe, "%s/%s", name, must_hold);
        }
        struct stat sb;
        if (stat(probe, &sb) != 0) continue;
        probe[strlen(probe) - strlen(must_hold) - 1] = 0;
        if (realpath(probe, out)) return true;
    }
    out[0] = 0;
    return false;
}

static void usage(FILE *f) {
    fprintf(f, "usage: aiswatch serve RUN.gpkg [--port 8080] [--bind 127.0.0.1] [--web DIR]\n"
               "  serves the GeoPackage `aiswatch scan` wrote, read-only: the web map and its JSON API\n"
               "  (/api/meta, /api/events, /api/events/ID, /api/vessels/MMSI); Ctrl-C stops it\n"
               "  --port N     TCP port (default 8080; 0 picks a free one and prints it)\n"
               "  --bind ADDR  address to listen on (default 127.0.0.1: this machine only)\n"
               "  --web DIR    the web page's files (default: web/ of the checkout)\n");
}

int cmd_serve(int argc, char **argv) {
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'}, {"bind", required_argument, NULL, 'b'},
        {"web", required_argument, NULL, 'w'},  {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    unsigned long long port = 8080;
    const char *bind_addr = "127.0.0.1", *web = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (!cli_parse_uint(optarg, &port) || port > 65535) {
                fprintf(stderr, "aiswatch serve: --port wants 0..65535, not '%s'\n", optarg);
                return AW_EXIT_USAGE;
            }
            break;
        case 'b': bind_addr = optarg; break;
        case 'w': web = optarg; break;
        case 'h': usage(stdout); return AW_EXIT_OK;
        default: usage(stderr); return AW_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return AW_EXIT_USAGE;
    }
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    bool v6 = false;
    if (inet_pton(AF_INET, bind_addr, &a4.sin_addr) != 1) {
        if (inet_pton(AF_INET6, bind_addr, &a6.sin6_addr) != 1) {
            fprintf(stderr, "aiswatch serve: --bind wants an IPv4 or IPv6 address, not '%s'\n", bind_addr);
            return AW_EXIT_USAGE;
        }
        v6 = true;
    }

    static server s; /* static: the pool threads read it until the daemon stops */
    memset(&s, 0, sizeof s);
    if (web) {
        struct stat sb;
        if (!realpath(web, s.web) || stat(s.web, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "aiswatch serve: --web %s: not a directory\n", web);
            return AW_EXIT_USAGE;
        }
    } else if (!find_dir("web", "index.html", s.web)) {
        fprintf(stderr, "aiswatch serve: no web/ folder found next to the program; serving the API only\n");
    }
    if (!find_dir("node_modules", "leaflet", s.node))
        fprintf(stderr, "aiswatch serve: no node_modules/leaflet found (run scripts/install-deps.sh); /vendor/ is empty\n");

    const char *path = argv[optind];
    int rc_open;
    sqlite3 *db = cli_open_gpkg("serve", path, "", check_file, &rc_open);
    if (!db) return rc_open;
    const char *slash = strrchr(path, '/');
    s.file.path = path;
    s.file.base = slash ? slash + 1 : path;
    s.file.events = table_exists(db, "events");
    s.file.event_tracks = table_exists(db, "event_tracks");
    s.file.positions = table_exists(db, "positions");
    s.file.tracks = table_exists(db, "tracks");
    s.file.vessels = table_exists(db, "vessels");
    s.file.history = table_exists(db, "identity_history");
    s.file.sanctions = table_exists(db, "sanctions_matches");
    s.file.rtree_events = table_exists(db, "rtree_events_geom");
    if (serve_position_ranges(db, &s.file) < 0) {
        fprintf(stderr, "aiswatch serve: out of memory\n");
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    sqlite3_close(db);
    if (pthread_key_create(&s.db_key, close_db) != 0) {
        fprintf(stderr, "aiswatch serve: out of memory\n");
        free(s.file.ranges);
        return AW_EXIT_INPUT;
    }

    /* The pool threads inherit this mask, so the signals come to sigwait() below. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | (v6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR,
        v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "aiswatch serve: cannot listen on %s port %llu (%s)\n", bind_addr, port,
                errno ? strerror(errno) : "in use or not allowed");
        pthread_key_delete(s.db_key);
        free(s.file.ranges);
        return AW_EXIT_INPUT;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : (unsigned)port;
    printf("aiswatch serve: http://%s%s%s:%u/ (%s)\n", v6 ? "[" : "", bind_addr, v6 ? "]" : "", bound, s.file.base);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d); /* joins the pool threads, whose connections close with them */
    pthread_key_delete(s.db_key);
    free(s.file.ranges);
    fprintf(stderr, "aiswatch serve: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return AW_EXIT_OK;
}
