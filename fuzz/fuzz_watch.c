/* fuzz_watch.c — arbitrary bytes into the live watch engine: its line assembler (lines
 * cut anywhere, over-long lines, NULs), two sources' decoders, the window with a tiny
 * row cap and horizon, the detectors at every tick, and its state format.
 *
 * The first byte picks: bit 0 — the input is a state file to load (it must be refused
 * or, when it loads, the watch must keep working); bits 1-3 — the chunk size pattern;
 * bit 4 — save the state at the end and load it into a fresh watch (the round trip
 * must succeed). Every alert must be one JSON object with the fields the header
 * promises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiswatch/watch.h"

#define FUZZ_CHECK(cond, ...)                                                                          \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "fuzz check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                                              \
            fputc('\n', stderr);                                                                       \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

static void on_alert(void *ctx, const aw_alert *a) {
    (void)ctx;
    FUZZ_CHECK(a->json_len > 2 && a->json[0] == '{' && a->json[a->json_len - 1] == '}', "alert %.*s",
               (int)a->json_len, a->json);
    FUZZ_CHECK(strncmp(a->json, "{\"alert\":\"", 10) == 0, "alert kind first");
    FUZZ_CHECK(a->seq >= 1, "seq %llu", (unsigned long long)a->seq);
    FUZZ_CHECK(a->id && strlen(a->id) < 64, "id");
}

static aw_watch *make(void) {
    aw_watch_opts o;
    aw_watch_opts_default(&o);
    o.max_busy = 1;
    o.max_positions = 200;
    o.max_line = 128;
    o.horizon_h = 6;
    o.tick_min = 10;
    o.on_alert = on_alert;
    char err[256];
    aw_watch *w = aw_watch_new(&o, err, sizeof err);
    FUZZ_CHECK(w != NULL, "%s", err);
    FUZZ_CHECK(aw_watch_add_source(w, "a") == 0, "source a");
    FUZZ_CHECK(aw_watch_add_source(w, "b") == 1, "source b");
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    uint8_t flags = data[0];
    aw_watch *w = make();
    if (flags & 1) {
        FILE *f = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
        if (f) {
            void *user = NULL;
            size_t ulen = 0;
            char err[256];
            if (size > 1) (void)aw_watch_load(w, f, &user, &ulen, err, sizeof err);
            free(user);
            fclose(f);
        }
    }
    static const size_t chunk[8] = {1, 3, 7, 64, 200, 1000, 4096, 1 << 20};
    size_t step = chunk[(flags >> 1) & 7];
    for (size_t at = 0, k = 0; at < size; at += step, k++) {
        size_t n = size - at < step ? size - at : step;
        (void)aw_watch_feed(w, (int)(k & 1), (const char *)data + at, n, (k & 2) ? AW_TIME_NONE : 1700000000000);
    }
    aw_watch_source_reset(w, 1);
    aw_watch_source_resume(w, 0, true);
    (void)aw_watch_finish(w);
    aw_watch_stats st;
    aw_watch_stats_get(w, &st);
    FUZZ_CHECK(st.window_positions <= 200, "window %zu rows over its cap", st.window_positions);
    if (flags & 16) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        char err[256];
        FUZZ_CHECK(f && aw_watch_save(w, f, "u", 1, err, sizeof err) == 0, "save");
        fclose(f);
        aw_watch *w2 = make();
        f = fmemopen(buf, len, "rb");
        void *user = NULL;
        size_t ulen = 0;
        FUZZ_CHECK(f && aw_watch_load(w2, f, &user, &ulen, err, sizeof err) == 0, "round trip: %s", err);
        FUZZ_CHECK(ulen == 1 && user && ((char *)user)[0] == 'u', "user bytes");
        free(user);
        fclose(f);
        free(buf);
        (void)aw_watch_tick(w2);
        aw_watch_free(w2);
    }
    aw_watch_free(w);
    return 0;
}
