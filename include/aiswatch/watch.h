/* aiswatch/watch.h — the live watch engine: raw feed bytes in, alerts out.
 *
 * Promise: an aw_watch is fed raw bytes per source (aw_watch_feed); it cuts them into
 * lines (a line longer than max_line is dropped whole and counted), decodes each source
 * with its own aw_decoder (multipart reassembly per source), keeps a window of recent
 * positions and static reports (horizon_h of feed time, and at most max_positions
 * rows: older rows expire, an overflow evicts the oldest and counts them), and at every
 * tick of feed time (tick_min) runs exactly what `aiswatch scan` runs on the window —
 * aw_tracks_build() then aw_detect() — so the events it alerts are scan's events on the
 * same messages, with the same ids (segment numbers are carried from one run to the
 * next, see docs/watch.md). Alerts are JSON objects (one line each) handed to on_alert:
 *   "new"       an event id seen for the first time (an encounter the moment the pair
 *               passes the minimum duration);
 *   "update"    a settled event (its end older than the settle margin) whose JSON
 *               differs from the last alerted one: the update when it ends, then only
 *               when its span, vessels or links change (a linked draught change), not
 *               for counters that grow as a ship sails on (aw_watch_finish sends every
 *               difference);
 *   "withdrawn" an alerted event that the detectors no longer find although its data is
 *               still in the window;
 *   "dark"      a vessel last seen at sea has been silent for gap_min_h (the gap event
 *               follows as "new" when it reappears); its last report is remembered
 *               after its rows leave the window (7 days of feed time) and put back into
 *               every run while it is silent, so the horizon may be shorter than
 *               gap_min_h and the gap is still found as scan finds it;
 *   "listed"    a vessel matching a sanctions list is heard (again after it expired).
 * Every event alert carries the event exactly as `aiswatch events` prints it.
 *
 * Time is feed time (the messages' own tag-block or prefix times); a message without
 * one takes the arrival time the caller passes. Messages older than the window, more
 * than max_future_s ahead of the arrival clock, or re-sent after aw_watch_source_resume()
 * are dropped and counted. Nothing here touches sockets, files or signals: the program
 * owns those (src/cli/watch.c). The engine is single-threaded; aw_watch owns all its
 * memory; geo and lists passed in are borrowed and must outlive it.
 */
#ifndef AISWATCH_WATCH_H
#define AISWATCH_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aiswatch/event.h"
#include "aiswatch/geo.h"
#include "aiswatch/nmea.h"
#include "aiswatch/sanctions.h"
#include "aiswatch/track.h"

typedef enum aw_alert_kind {
    AW_ALERT_NEW, AW_ALERT_UPDATE, AW_ALERT_WITHDRAWN, AW_ALERT_DARK, AW_ALERT_LISTED, AW_ALERT_KINDS
} aw_alert_kind;

const char *aw_alert_kind_name(aw_alert_kind k); /* "new", "update", … */

typedef struct aw_alert {
    aw_alert_kind kind;
    uint64_t seq;          /* 1, 2, …: numbers every alert of this watch, across restarts */
    const char *id;        /* the event id, "dark-…" or "listed-…" */
    const char *json;      /* the whole alert, one JSON object, no newline */
    size_t json_len;
} aw_alert;

/* Called for each alert; the strings are valid during the call only. */
typedef void (*aw_alert_fn)(void *ctx, const aw_alert *a);

typedef struct aw_watch_opts {
    aw_event_params events;   /* the detectors' thresholds (aw_event_params_default) */
    aw_track_params tracks;   /* dedup window and segmentation (aw_track_params_default) */
    aw_screen_params screen;
    /* Land, ports, anchorages; may be NULL. Each detector run adds the anchorages derived
     * from the window to it and removes them after (aw_geo_drop_anchorages), so nothing
     * else may read it while the watch runs. */
    aw_geo *geo;
    unsigned anchorage_min_vessels; /* derive anchorages from the window as scan does (10; 0 off) */
    const aw_lists *lists;    /* sanctions lists; NULL: no "listed" alerts */
    double horizon_h;         /* window of feed time kept (48) */
    double tick_min;          /* detectors re-run every this many feed minutes (10) */
    double settle_h;          /* an event whose end is this old cannot change (0: merge + grid) */
    size_t max_positions;     /* rows kept at most (20 000 000) */
    size_t max_line;          /* longest line accepted, bytes (1024) */
    double max_future_s;      /* a message this far ahead of the arrival clock is dropped (3600) */
    bool dark_alerts;         /* "dark" alerts (true) */
    /* A due tick waits while the detectors have used more than this share of the wall
     * time since the last run ended (0.5): a replay faster than real time then runs them
     * every few tick intervals instead of every one. 1: every tick, always (tests). */
    double max_busy;
    aw_decoder_opts decoder;
    aw_alert_fn on_alert;
    void *ctx;
} aw_watch_opts;

void aw_watch_opts_default(aw_watch_opts *o);

typedef struct aw_watch_stats {
    aw_decode_stats decode;   /* every source's decoder, added up */
    uint64_t lines_too_long;  /* lines over max_line, dropped whole */
    uint64_t untimed;         /* messages with no time and no arrival clock: dropped */
    uint64_t too_old;         /* older than the window */
    uint64_t future;          /* ahead of the arrival clock by more than max_future_s */
    uint64_t resent;          /* older than where a resumed source had got to */
    uint64_t positions;       /* position rows added to the window */
    uint64_t static_reports;  /* static reports added */
    uint64_t expired;         /* rows that left the window by time */
    uint64_t evicted;         /* rows pushed out by max_positions */
    uint64_t cut_by_window;   /* events first found starting at the window's start: the rest of
                                 a longer one cut by expiry, not alerted as new */
    uint64_t ticks;           /* detector runs */
    size_t anchorages_derived; /* by the last run (anchorage_min_vessels) */
    double tick_seconds;      /* wall time spent in them */
    double last_tick_seconds;
    uint64_t alerts[AW_ALERT_KINDS];
    size_t window_positions, window_static, records; /* now */
    int64_t feed_ms;          /* the latest message time (AW_TIME_NONE before any) */
    int64_t window_from_ms;   /* the oldest row's time (AW_TIME_NONE when empty) */
} aw_watch_stats;

typedef struct aw_watch aw_watch;

/* NULL when out of memory or an option is out of range (err says which). */
aw_watch *aw_watch_new(const aw_watch_opts *o, char *err, size_t errcap);
void aw_watch_free(aw_watch *w);

/* Declares a source ("tcp://host:port", a file name, …); its name is what event JSON
 * lists under "sources". Each source has its own line buffer, decoder (multipart
 * reassembly) and progress; sources declared with the same name (the connections of one
 * listener) are listed once under "sources". Returns its number (0, 1, …) or -1 (more
 * than 65535, or out of memory). */
int aw_watch_add_source(aw_watch *w, const char *name);

/* Feeds raw bytes of one source. now_ms is the arrival time (Unix ms) given to untimed
 * messages and used for the future check; AW_TIME_NONE when there is no clock (tests,
 * replays of files without times). Runs the detectors whenever feed time crosses a tick
 * and calls on_alert from inside. Returns 0, or -1 when memory ran out (the watch stays
 * usable; rows may have been lost and are counted as evicted). */
int aw_watch_feed(aw_watch *w, int src, const char *buf, size_t len, int64_t now_ms);

/* The source's connection ended: its unfinished line and open multipart messages are
 * dropped (counted by the decoder as incomplete). */
void aw_watch_source_reset(aw_watch *w, int src);

/* on: the source will re-send what it sent before (a reconnect): until its feed time
 * passes where it had got to, its older messages are dropped as "resent", and so are the
 * static reports of that very second it had already sent. aw_watch_load()
 * turns this on for every source; off suits a source that resumes exactly where it was
 * (a file at its saved offset), whose late messages are then kept. */
void aw_watch_source_resume(aw_watch *w, int src, bool on);

/* Bytes of the source's unfinished last line (a follower of a growing file resumes at
 * its read offset minus this). */
size_t aw_watch_source_pending(const aw_watch *w, int src);

/* The feed is quiet: runs a tick that came due but waited for max_busy (a replay that
 * stopped must not hold its alerts back). 0 or -1 (out of memory). */
int aw_watch_idle(aw_watch *w);

/* Runs the detectors now on the window (as a tick would). 0 or -1 (out of memory). */
int aw_watch_tick(aw_watch *w);

/* End of the feed: a last tick, then an "update" for every event whose latest JSON was
 * not alerted yet (events still open are reported as they stand). 0 or -1. */
int aw_watch_finish(aw_watch *w);

void aw_watch_stats_get(const aw_watch *w, aw_watch_stats *st);

/* The window as a tick sees it, for writers (the live GeoPackage): builds tracks (with
 * the carried segment numbers) and events over the window (not those whose data is all
 * older than the window: what a silent vessel's remembered row says of itself), calls fn
 * with them, the parameters and the source names, and frees them. Alerts nothing. Returns fn's return,
 * or -1 with a message (out of memory). */
typedef int (*aw_watch_snapshot_fn)(void *ctx, const aw_tracks *t, const aw_events *ev, const aw_event_params *p,
                                    const char *const *source_names, size_t nsources);
int aw_watch_snapshot(aw_watch *w, aw_watch_snapshot_fn fn, void *ctx, char *err, size_t errcap);

/* State that survives a restart: the window, the carried segment numbers, every
 * alerted id with the version last alerted, the sources' progress, the next alert
 * number, and `user` (opaque bytes of the caller: the program stores its file offsets
 * there). A versioned binary format (docs/watch.md); aw_watch_load() refuses other
 * versions and damaged files. The sources must be declared, in the same order, before
 * loading. Both return 0, or -1 with a message. */
int aw_watch_save(const aw_watch *w, FILE *f, const void *user, size_t user_len, char *err, size_t errcap);
/* *user is malloc'd (free it), or NULL when empty. */
int aw_watch_load(aw_watch *w, FILE *f, void **user, size_t *user_len, char *err, size_t errcap);

#endif
