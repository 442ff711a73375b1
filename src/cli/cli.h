/* cli.h — the aiswatch program's subcommands and the helpers they share. */
#ifndef AW_CLI_H
#define AW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

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

#endif
