/* cli_lists.c — the --lists option of scan and watch: its parsing and the loading. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

bool cli_lists_arg(const char *cmd, char *arg, const char **paths, size_t *n) {
    /* Repeatable, and comma-separated: --lists sdn.csv,uksl.xml */
    for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == CLI_MAX_LISTS) {
            fprintf(stderr, "aiswatch %s: at most %d lists\n", cmd, CLI_MAX_LISTS);
            return false;
        }
        paths[(*n)++] = tok;
    }
    return true;
}

static void list_report(void *ctx, const char *file, size_t record, const char *reason) {
    fprintf(stderr, "aiswatch %s: %s: record %zu skipped: %s\n", (const char *)ctx, file, record, reason);
}

aw_lists *cli_lists_load(const char *cmd, const char *const *paths, size_t n, bool quiet) {
    aw_lists *lists = aw_lists_new();
    if (!lists) {
        fprintf(stderr, "aiswatch %s: out of memory\n", cmd);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char err[512];
        long entries = aw_lists_load(lists, paths[i], list_report, (void *)cmd, err, sizeof err);
        if (entries < 0) {
            fprintf(stderr, "aiswatch %s: %s\n", cmd, err);
            aw_lists_free(lists);
            return NULL;
        }
        if (!quiet) fprintf(stderr, "aiswatch %s: %s: %ld vessel entries\n", cmd, paths[i], entries);
    }
    return lists;
}
