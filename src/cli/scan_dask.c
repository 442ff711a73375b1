/* scan_dask.c — `aiswatch scan --dask SCHEDULER INPUT… -o run.gpkg`: the same scan on a
 * Dask distributed cluster. The program only hands the job to the Python driver
 * (python/aiswatch/dask.py, docs/distributed.md): it finds the package and the shared
 * library next to itself (the build tree: build/aiswatch, build/libaiswatch.so,
 * python/aiswatch) unless AISWATCH_PYTHONPATH / AISWATCH_LIB say otherwise, and runs
 * AISWATCH_PYTHON (default /usr/bin/python3, Debian's, which has python3-dask) with
 * the arguments as given, --dask and its address moved to the front. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_scan_dask(int argc, char **argv);

static bool exists(const char *p) { return access(p, R_OK) == 0; }

int cli_scan_dask(int argc, char **argv) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;

    char buf[4096 + 64];
    if (!getenv("AISWATCH_PYTHONPATH")) {
        static const char *const up[] = {"/../python", "/../../python", "/../../../python", "/../share/aiswatch/python"};
        for (size_t i = 0; i < sizeof up / sizeof *up; i++) {
            snprintf(buf, sizeof buf, "%s%s/aiswatch/dask.py", exe, up[i]);
            if (exists(buf)) {
                snprintf(buf, sizeof buf, "%s%s", exe, up[i]);
                setenv("AISWATCH_PYTHONPATH", buf, 1);
                break;
            }
        }
    }
    const char *pp = getenv("AISWATCH_PYTHONPATH");
    if (pp) {
        const char *old = getenv("PYTHONPATH");
        char *joined = malloc(strlen(pp) + (old ? strlen(old) + 1 : 0) + 1);
        if (!joined) return AW_EXIT_INPUT;
        sprintf(joined, "%s%s%s", pp, old ? ":" : "", old ? old : "");
        setenv("PYTHONPATH", joined, 1);
        free(joined);
    }
    snprintf(buf, sizeof buf, "%s/libaiswatch.so", exe);
    if (!getenv("AISWATCH_LIB") && exists(buf)) setenv("AISWATCH_LIB", buf, 1);
    const char *py = getenv("AISWATCH_PYTHON");
    if (!py) py = exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /* python3 -m aiswatch.dask SCHEDULER [the rest, without --dask ADDRESS] */
    char **args = calloc((size_t)argc + 4, sizeof *args);
    if (!args) return AW_EXIT_INPUT;
    size_t k = 0;
    args[k++] = (char *)py;
    args[k++] = "-m";
    args[k++] = "aiswatch.dask";
    const char *addr = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dask")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "aiswatch scan: --dask needs the scheduler address (tcp://HOST:8786 or local[:N])\n");
                free(args);
                return AW_EXIT_USAGE;
            }
            addr = argv[++i];
        } else if (!strncmp(argv[i], "--dask=", 7)) {
            addr = argv[i] + 7;
        }
    }
    args[k++] = (char *)addr;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dask")) i++;
        else if (strncmp(argv[i], "--dask=", 7)) args[k++] = argv[i];
    }
    args[k] = NULL;
    fflush(NULL);
    execvp(py, args);
    fprintf(stderr, "aiswatch scan: cannot run %s for --dask: ", py);
    perror(NULL);
    free(args);
    return AW_EXIT_INPUT;
}
