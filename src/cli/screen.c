/* screen.c — `aiswatch screen`: a one-off question (--imo, --mmsi, --name) against the
 * lists, or an existing GeoPackage re-screened in place without re-scanning: its vessels'
 * sanctions columns, its sanctions_matches table and its events' sanctioned participants
 * are rewritten from the identity history it holds. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/mid.h"
#include "aiswatch/sanctions.h"
#include "cli.h"

#define MAX_VALUES 64
#define MAX_MATCHES 32

static void usage(FILE *f) {
    fprintf(f, "usage: aiswatch screen --lists FILE[,FILE] (--imo N | --mmsi N | --name TEXT [--callsign C])\n"
               "       aiswatch screen RUN.gpkg --lists FILE[,FILE]\n"
               "  one identity: prints each match as a JSON line, strongest first\n"
               "  a GeoPackage: re-screens its vessels (all names and numbers in their history) and\n"
               "                rewrites vessels.sanctioned/sanctions, sanctions_matches and events.sanctioned\n"
               "  --name-min-score S  fuzzy name matches at or above S (default 0.9)\n");
}

static const char *check_file(sqlite3 *db) {
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM gpkg_contents WHERE table_name IN ('vessels','identity_history')",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n == 2 ? NULL : "no vessels and identity_history layers";
}

static int exec(sqlite3 *db, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "aiswatch screen: %s\n", msg ? msg : "SQL error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Re-screens every (mmsi, segment) of a GeoPackage in one transaction. */
static int rescreen(const char *path, const aw_lists *lists, const aw_screen_params *sp) {
    int rc;
    sqlite3 *db = cli_open_gpkg("screen", path, "", check_file, &rc);
    if (!db) return rc;
    sqlite3_close(db);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "aiswatch screen: %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    cli_gpkg_functions(db);
    /* Older runs lack the columns and the table: add them, registered as GeoPackage wants. */
    sqlite3_exec(db, "ALTER TABLE vessels ADD COLUMN sanctioned INTEGER", NULL, NULL, NULL);
    sqlite3_exec(db, "ALTER TABLE vessels ADD COLUMN sanctions TEXT", NULL, NULL, NULL);
    sqlite3_exec(db, "ALTER TABLE events ADD COLUMN sanctioned TEXT", NULL, NULL, NULL);
    if (exec(db, "BEGIN") < 0 ||
        exec(db, "CREATE TABLE IF NOT EXISTS sanctions_matches (fid INTEGER PRIMARY KEY, mmsi INTEGER, segment "
                 "INTEGER, list TEXT, entry_id TEXT, entry_name TEXT, programs TEXT, basis TEXT, score REAL, "
                 "matched_value TEXT, former_name INTEGER, listed_imo INTEGER, listed_mmsi INTEGER)") < 0 ||
        exec(db, "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, last_change) VALUES "
                 "('sanctions_matches', 'attributes', 'sanctions_matches', strftime('%Y-%m-%dT%H:%M:%fZ','now'))") < 0 ||
        exec(db, "DELETE FROM sanctions_matches") < 0 || exec(db, "UPDATE vessels SET sanctioned = 0, sanctions = NULL") < 0 ||
        exec(db, "UPDATE events SET sanctioned = NULL") < 0) {
        sqlite3_close(db);
        return AW_EXIT_INPUT;
    }
    sqlite3_stmt *vs = NULL, *hs = NULL, *up = NULL, *ins = NULL, *ev = NULL;
    sqlite3_prepare_v2(db, "SELECT mmsi, segment, name, imo, callsign FROM vessels ORDER BY mmsi, segment", -1, &vs, NULL);
    sqlite3_prepare_v2(db, "SELECT field, value FROM identity_history WHERE mmsi = ?1 AND segment = ?2", -1, &hs, NULL);
    sqlite3_prepare_v2(db, "UPDATE vessels SET sanctioned = 1, sanctions = ?3 WHERE mmsi = ?1 AND segment = ?2", -1, &up,
                       NULL);
    sqlite3_prepare_v2(db, "INSERT INTO sanctions_matches (mmsi, segment, list, entry_id, entry_name, programs, basis, "
                           "score, matched_value, former_name, listed_imo, listed_mmsi) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       -1, &ins, NULL);
    sqlite3_prepare_v2(db, "UPDATE events SET sanctioned = CASE WHEN sanctioned IS NULL THEN ?3 ELSE "
                           "substr(sanctioned, 1, length(sanctioned) - 1) || ',' || substr(?3, 2) END "
                           "WHERE (mmsi1 = ?1 AND segment1 = ?2) OR (mmsi2 = ?1 AND segment2 = ?2)",
                       -1, &ev, NULL);
    if (!vs || !hs || !up || !ins || !ev) {
        fprintf(stderr, "aiswatch screen: %s: %s\n", path, sqlite3_errmsg(db));
        rc = AW_EXIT_INPUT;
        goto out;
    }
    size_t nvessels = 0, nmatched = 0;
    char *json = malloc(MAX_MATCHES * 4096 + 64);
    while (json && sqlite3_step(vs) == SQLITE_ROW) {
        uint32_t mmsi = (uint32_t)sqlite3_column_int64(vs, 0);
        int64_t seg = sqlite3_column_int64(vs, 1);
        char store[MAX_VALUES][48];
        const char *names[MAX_VALUES], *calls[MAX_VALUES];
        uint32_t imos[MAX_VALUES];
        size_t nn = 0, nc = 0, ni = 0, ns = 0;
        const unsigned char *cur = sqlite3_column_text(vs, 2);
        if (cur) snprintf(store[ns], 48, "%s", cur), names[nn++] = store[ns++];
        sqlite3_bind_int64(hs, 1, mmsi);
        sqlite3_bind_int64(hs, 2, seg);
        while (sqlite3_step(hs) == SQLITE_ROW && ns < MAX_VALUES) {
            const char *f = (const char *)sqlite3_column_text(hs, 0), *v = (const char *)sqlite3_column_text(hs, 1);
            if (!f || !v) continue;
            if (strcmp(f, "imo") == 0) imos[ni++] = (uint32_t)strtoul(v, NULL, 10);
            else if (strcmp(f, "name") == 0 && (!cur || strcmp(v, (const char *)cur) != 0))
                snprintf(store[ns], 48, "%s", v), names[nn++] = store[ns++];
            else if (strcmp(f, "callsign") == 0) snprintf(store[ns], 48, "%s", v), calls[nc++] = store[ns++];
        }
        sqlite3_reset(hs);
        const aw_flag *flag = aw_flag_of_mmsi(mmsi);
        aw_screen_query q = {mmsi, imos, ni, names, nn, calls, nc, flag ? flag->iso2 : NULL};
        aw_match m[MAX_MATCHES];
        size_t n = aw_screen(lists, &q, sp, m, MAX_MATCHES);
        if (n > MAX_MATCHES) n = MAX_MATCHES;
        nvessels++;
        if (!n) continue;
        nmatched++;
        size_t len = 0, cap = MAX_MATCHES * 4096 + 64;
        json[len++] = '[';
        for (size_t k = 0; k < n; k++) {
            const aw_list_entry *e = aw_lists_entry(lists, m[k].entry);
            if (k) json[len++] = ',';
            len += aw_match_json(lists, mmsi, &m[k], json + len, cap - len - 2);
            sqlite3_bind_int64(ins, 1, mmsi);
            sqlite3_bind_int64(ins, 2, seg);
            sqlite3_bind_text(ins, 3, e->list, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 4, e->entry_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 5, e->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 6, e->programs, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 7, aw_match_basis_name(m[k].basis), -1, SQLITE_STATIC);
            sqlite3_bind_double(ins, 8, m[k].score);
            sqlite3_bind_text(ins, 9, m[k].matched_value, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ins, 10, m[k].former_name);
            if (e->imo) sqlite3_bind_int64(ins, 11, e->imo);
            else sqlite3_bind_null(ins, 11);
            if (e->mmsi) sqlite3_bind_int64(ins, 12, e->mmsi);
            else sqlite3_bind_null(ins, 12);
            sqlite3_step(ins);
            sqlite3_reset(ins);
        }
        json[len++] = ']';
        json[len] = 0;
        for (sqlite3_stmt *s2 = up;; s2 = ev) {
            sqlite3_bind_int64(s2, 1, mmsi);
            sqlite3_bind_int64(s2, 2, seg);
            sqlite3_bind_text(s2, 3, json, -1, SQLITE_TRANSIENT);
            sqlite3_step(s2);
            sqlite3_reset(s2);
            if (s2 == ev) break;
        }
    }
    free(json);
    rc = exec(db, "COMMIT") < 0 ? AW_EXIT_INPUT : AW_EXIT_OK;
    fprintf(stderr, "aiswatch screen: %s: %zu vessels screened, %zu matched\n", path, nvessels, nmatched);
out:
    sqlite3_finalize(vs);
    sqlite3_finalize(hs);
    sqlite3_finalize(up);
    sqlite3_finalize(ins);
    sqlite3_finalize(ev);
    sqlite3_close(db);
    return rc;
}

int cmd_screen(int argc, char **argv) {
    static const struct option longopts[] = {
        {"lists", required_argument, NULL, 'l'},  {"imo", required_argument, NULL, 'i'},
        {"mmsi", required_argument, NULL, 'm'},   {"name", required_argument, NULL, 'n'},
        {"callsign", required_argument, NULL, 'c'}, {"name-min-score", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},         {0, 0, 0, 0},
    };
    const char *lists_paths[CLI_MAX_LISTS];
    size_t nl = 0;
    unsigned long long imo = 0, mmsi = 0;
    const char *name = NULL, *callsign = NULL;
    aw_screen_params sp;
    aw_screen_params_default(&sp);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (!cli_lists_arg("screen", optarg, lists_paths, &nl)) return AW_EXIT_USAGE;
            break;
        case 'i':
        case 'm':
            if (!cli_parse_uint(optarg, c == 'i' ? &imo : &mmsi)) {
                fprintf(stderr, "aiswatch screen: --%s takes a number\n", c == 'i' ? "imo" : "mmsi");
                return AW_EXIT_USAGE;
            }
            break;
        case 'n': name = optarg; break;
        case 'c': callsign = optarg; break;
        case 's': {
            char *end;
            sp.name_min_score = strtod(optarg, &end);
            if (*end || !(sp.name_min_score > 0 && sp.name_min_score <= 1)) {
                fprintf(stderr, "aiswatch screen: --name-min-score takes a number in (0, 1]\n");
                return AW_EXIT_USAGE;
            }
            break;
        }
        case 'h': usage(stdout); return AW_EXIT_OK;
        default: usage(stderr); return AW_EXIT_USAGE;
        }
    }
    const char *gpkg = optind < argc ? argv[optind] : NULL;
    if (!nl || (!gpkg && !imo && !mmsi && !name) || (gpkg && (imo || mmsi || name)) || optind + (gpkg != NULL) != argc) {
        usage(stderr);
        return AW_EXIT_USAGE;
    }
    aw_lists *lists = cli_lists_load("screen", lists_paths, nl, true);
    if (!lists) return AW_EXIT_INPUT;
    int rc = AW_EXIT_OK;
    if (gpkg) {
        rc = rescreen(gpkg, lists, &sp);
    } else {
        uint32_t imos[1] = {(uint32_t)imo};
        const char *names[1] = {name}, *calls[1] = {callsign};
        const aw_flag *flag = mmsi ? aw_flag_of_mmsi((uint32_t)mmsi) : NULL;
        aw_screen_query q = {(uint32_t)mmsi, imos, imo ? 1 : 0, names, name ? 1 : 0, calls, callsign ? 1 : 0,
                             flag ? flag->iso2 : NULL};
        aw_match m[MAX_MATCHES];
        size_t n = aw_screen(lists, &q, &sp, m, MAX_MATCHES);
        if (n > MAX_MATCHES) n = MAX_MATCHES;
        char buf[8192];
        for (size_t k = 0; k < n; k++) {
            aw_match_json(lists, (uint32_t)mmsi, &m[k], buf, sizeof buf);
            puts(buf);
        }
        fprintf(stderr, "aiswatch screen: %zu matches\n", n);
    }
    aw_lists_free(lists);
    return rc;
}
