/* main.c — `aiswatch`: dispatch to one file per subcommand. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

#ifndef AW_VERSION
#define AW_VERSION "dev"
#endif

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"decode", cmd_decode, "decode AIS NMEA to JSON lines, CSV or gpsd JSON-AIS"},
    {"scan", cmd_scan, "read AIS, build tracks and vessel identities, write a GeoPackage"},
    {"screen", cmd_screen, "screen one identity, or re-screen a GeoPackage, against sanctions lists"},
    {"simulate", cmd_simulate, "write realistic AIS traffic with planted events and a truth file"},
    {"events", cmd_events, "print the events a scan found, filtered, as JSON lines, CSV or GeoJSON"},
    {"serve", cmd_serve, "serve a scan's GeoPackage read-only: the web map and its JSON API on 127.0.0.1"},
    {"report", cmd_report, "write one event's evidence sheet (self-contained HTML, or PDF via Chromium)"},
    {"vessels", cmd_vessels, "print each vessel's identity and identity history from a scan's GeoPackage"},
    {"watch", cmd_watch, "run the detectors live on TCP, UDP or growing-file AIS feeds and alert as events appear"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: aiswatch COMMAND [OPTIONS] [FILE...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n`aiswatch COMMAND --help` for the options of one command.\n");
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool cli_parse_uint(const char *s, unsigned long long *out) {
    if (!s || !*s || *s == '-') return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end) return false;
    *out = v;
    return true;
}

static void print_count(FILE *f, const char *name, unsigned long long v) {
    if (v) fprintf(f, " %s=%llu", name, v);
}

void cli_print_summary(FILE *f, const char *cmd, const aw_decode_stats *st, double seconds) {
    fprintf(f, "aiswatch %s: %llu lines, %llu AIS sentences, %llu messages", cmd, (unsigned long long)st->lines,
            (unsigned long long)st->sentences, (unsigned long long)st->messages);
    if (seconds > 0)
        fprintf(f, " in %.3f s (%.0f sentences/s, %.1f MB/s)", seconds, st->sentences / seconds,
                st->bytes / seconds / 1e6);
    fprintf(f, "\n  messages by type:");
    for (int t = 1; t < 28; t++) print_count(f, (char[4]){(char)('0' + t / 10), (char)('0' + t % 10), 0}, st->by_type[t]);
    fprintf(f, "\n  skipped:");
    unsigned long long skipped = 0;
    for (int r = 0; r < AW_REJ_COUNT; r++) {
        print_count(f, aw_reject_name((aw_reject)r), st->rejects[r]);
        skipped += st->rejects[r];
    }
    if (!skipped) fprintf(f, " none");
    fprintf(f, "\n  notes:");
    print_count(f, "comment_or_blank_lines", st->comments);
    print_count(f, "tag_blocks", st->tagblocks);
    print_count(f, "tag_block_bad_checksum", st->tagblock_bad_checksum);
    print_count(f, "messages_without_time", st->untimed);
    print_count(f, "truncated_payloads", st->truncated);
    print_count(f, "table_rows_not_vessel_reports", st->non_vessel_rows);
    fprintf(f, "\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? AW_EXIT_USAGE : AW_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("aiswatch %s\n", AW_VERSION);
        return AW_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "aiswatch: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return AW_EXIT_USAGE;
}
