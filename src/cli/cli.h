/* cli.h — the aiswatch program's subcommands and the helpers they share. */
#ifndef AW_CLI_H
#define AW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "aiswatch/event.h"
#include "aiswatch/geo.h"
#include "aiswatch/nmea.h"
#include "aiswatch/sanctions.h"

/* Exit codes of every subcommand (DESIGN.md). */
enum { AW_EXIT_OK = 0, AW_EXIT_USAGE = 1, AW_EXIT_INPUT = 2 };

int cmd_decode(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_vessels(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* The summary of what was read, skipped and why, to `f`. */
void cli_print_summary(FILE *f, const char *cmd, const aw_decode_stats *st, double seconds);

double cli_now(void);

/* Opens a GeoPackage written by `aiswatch scan` read-only; `check` says why the file is
 * not one this command can read (NULL when it is). On failure prints one message naming
 * `cmd` and `what` (" with events", or ""), sets *rc to the exit code and returns NULL. */
sqlite3 *cli_open_gpkg(const char *cmd, const char *path, const char *what, const char *(*check)(sqlite3 *db),
                       int *rc);
/* Registers ST_IsEmpty and ST_MinX/MaxX/MinY/MaxY, which GeoPackage's R-tree triggers call. */
void cli_gpkg_functions(sqlite3 *db);
/* Vessel records as `aiswatch vessels` prints them (vessels.c), of every vessel or of one
 * MMSI, to out: JSON lines, CSV, or the JSON objects separated by commas (for an array).
 * Returns 0, or -1 with the reason in *why; *n is the number of records. */
typedef enum { CLI_VESSELS_JSONL, CLI_VESSELS_CSV, CLI_VESSELS_ARRAY } cli_vessels_form;
int cli_vessels_write(sqlite3 *db, bool have_mmsi, unsigned long long mmsi, cli_vessels_form form, FILE *out,
                      unsigned long long *n, const char **why);
/* Parses a whole unsigned number; false on junk. */
bool cli_parse_uint(const char *s, unsigned long long *out);

/* --lists FILE[,FILE] (repeatable), for scan and watch: adds the files of one option to
 * paths[*n] (room for CLI_MAX_LISTS); false, with a message, when there are too many. */
#define CLI_MAX_LISTS 64
bool cli_lists_arg(const char *cmd, char *arg, const char **paths, size_t *n);
/* Loads them, reporting skipped records and (unless quiet) each file's count on stderr;
 * NULL, with a message, when one cannot be read or memory runs out. */
aw_lists *cli_lists_load(const char *cmd, const char *const *paths, size_t n, bool quiet);

/* The options scan and watch share (cli_detect.c): geography, the detectors' thresholds
 * and screening. A command puts CLI_DETECT_LONGOPTS in its getopt_long table and hands
 * every code it does not know to cli_detect_opt(). */
typedef struct cli_detect_opts {
    const char *ports, *anchorages, *land; /* NULL: none (land: the default file) */
    bool no_land;
    unsigned anchorage_min_vessels;        /* 10 */
    aw_event_params events;
    aw_screen_params screen;
    const char *lists[CLI_MAX_LISTS];
    size_t nlists;
} cli_detect_opts;

enum {
    CLI_OPT_PORTS = 1001, CLI_OPT_ANCHORAGES, CLI_OPT_LAND, CLI_OPT_NO_LAND, CLI_OPT_ANCHORAGE_MIN,
    CLI_OPT_LISTS = 1007, CLI_OPT_NAME_MIN_SCORE, CLI_OPT_THRESHOLD = 2000 /* .. 2011 */
};

#define CLI_DETECT_LONGOPTS                                                                                \
    {"ports", required_argument, NULL, CLI_OPT_PORTS},                                                     \
    {"anchorages", required_argument, NULL, CLI_OPT_ANCHORAGES},                                           \
    {"land", required_argument, NULL, CLI_OPT_LAND},                                                       \
    {"no-land", no_argument, NULL, CLI_OPT_NO_LAND},                                                       \
    {"anchorage-min-vessels", required_argument, NULL, CLI_OPT_ANCHORAGE_MIN},                             \
    {"lists", required_argument, NULL, CLI_OPT_LISTS},                                                     \
    {"name-min-score", required_argument, NULL, CLI_OPT_NAME_MIN_SCORE},                                   \
    {"encounter-distance-m", required_argument, NULL, CLI_OPT_THRESHOLD + 0},                              \
    {"encounter-min-h", required_argument, NULL, CLI_OPT_THRESHOLD + 1},                                   \
    {"encounter-max-kn", required_argument, NULL, CLI_OPT_THRESHOLD + 2},                                  \
    {"encounter-min-port-km", required_argument, NULL, CLI_OPT_THRESHOLD + 3},                             \
    {"loiter-max-kn", required_argument, NULL, CLI_OPT_THRESHOLD + 4},                                     \
    {"loiter-min-h", required_argument, NULL, CLI_OPT_THRESHOLD + 5},                                      \
    {"loiter-min-shore-nm", required_argument, NULL, CLI_OPT_THRESHOLD + 6},                               \
    {"gap-min-h", required_argument, NULL, CLI_OPT_THRESHOLD + 7},                                         \
    {"max-transit-kn", required_argument, NULL, CLI_OPT_THRESHOLD + 8},                                    \
    {"draught-change-m", required_argument, NULL, CLI_OPT_THRESHOLD + 9},                                  \
    {"spoof-max-kn", required_argument, NULL, CLI_OPT_THRESHOLD + 10},                                     \
    {"context-h", required_argument, NULL, CLI_OPT_THRESHOLD + 11}

void cli_detect_opts_default(cli_detect_opts *o);
/* Takes option `code` (long name `name`, for messages) with its argument: 1 when it was one
 * of these, 0 when not, -1 for a bad value (said on stderr). */
int cli_detect_opt(const char *cmd, int code, char *arg, const char *name, cli_detect_opts *o);
/* Their lines of the usage text. */
void cli_detect_usage(FILE *out);
/* A geo with the ports and anchorages loaded, and in land[] the land file to load ("" for
 * none: --no-land, or no default file, which is said unless quiet). NULL, with a message,
 * when a file cannot be read. The land itself is the caller's to load (scan does it on a
 * thread while reading its inputs). */
aw_geo *cli_detect_geo(const char *cmd, const cli_detect_opts *o, bool quiet, char *land, size_t land_cap);

#endif
