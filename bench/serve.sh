#!/usr/bin/env bash
# bench/serve.sh — `aiswatch serve` under load (issue 6): requests/s and latency of
# /api/events at 50 concurrent connections on a GeoPackage with about 100k events, and the
# server's resident memory sampled every second to show it stays flat. A benchmark, not a test.
#
# The GeoPackage: a simulated day with every planted scenario (`simulate --scenario all`),
# scanned as usual (16 events), then its `events` rows copied until there are EVENTS rows.
# Copy k moves every time by k x 2 h (ids and links follow: their stamps are shifted too)
# and every place by a deterministic jitter of up to 3 degrees; the rows go in through the
# layer's own R-tree triggers (ST_MinX & co. are defined for the load), so rtree_events_geom
# holds every row, and gpkg_contents gets the layer's extent. The copies have no
# event_tracks rows: /api/events/ID on a copy answers with empty tracks (not benchmarked).
# The file is kept under build/bench/ and reused while it holds EVENTS rows.
#
# Then `aiswatch serve FILE --port 0 --bind 127.0.0.1` and `wrk` (Debian package wrk) for
# DURATION seconds per URL: all events, a bounding box, a type filter, 100 a page. Every
# request goes to 127.0.0.1. The server is always stopped at the end.
# Environment: EVENTS (default 100000), DURATION (20), CONNECTIONS (50), THREADS (2), AW_BIN.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AW_BIN:-$root/build/aiswatch}
events=${EVENTS:-100000}
duration=${DURATION:-20}
conns=${CONNECTIONS:-50}
threads=${THREADS:-2}
out=$root/build/bench
mkdir -p "$out"
[ -x "$bin" ] || { echo "bench: $bin not built (run make)" >&2; exit 1; }
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is not installed; on Debian: sudo apt-get install wrk" >&2
  exit 1
fi
command -v python3 >/dev/null 2>&1 || { echo "bench: python3 is needed to build the GeoPackage" >&2; exit 1; }

gpkg=$out/serve-$events.gpkg
have=$(python3 -c 'import sqlite3,sys
try: print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM events").fetchone()[0])
except Exception: print(0)' "$gpkg" 2>/dev/null || echo 0)
if [ ! -s "$gpkg" ] || [ "$have" != "$events" ]; then
  echo "bench: building $(basename "$gpkg") ($events events)"
  "$bin" simulate --scenario all --seed 1 -o "$out/serve-src.nmea" --ports-out "$out/serve-ports.csv" 2>/dev/null
  rm -f "$out/serve-src.gpkg"
  "$bin" scan "$out/serve-src.nmea" --ports "$out/serve-ports.csv" -o "$out/serve-src.gpkg" 2>/dev/null
  rm -f "$gpkg.tmp"
  cp "$out/serve-src.gpkg" "$gpkg.tmp"
  python3 - "$gpkg.tmp" "$events" <<'EOF'
import datetime, random, re, sqlite3, struct, sys

path, want = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)

# GeoPackage binary (as aiswatch writes it and as the spec allows): 'GP', version, flags
# (bit 0 byte order, bits 1-3 envelope kind), srs_id, envelope, then WKB.
ENV = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

def point_of(b):
    if b is None or len(b) < 8 or b[:2] != b"GP":
        return None
    kind = (b[3] >> 1) & 7
    o = 8 + ENV[kind]
    bo = "<" if b[o] == 1 else ">"
    (typ,) = struct.unpack(bo + "I", b[o + 1:o + 5])
    if typ != 1:
        raise SystemExit(f"bench: events geometry type {typ}, a POINT was expected")
    return struct.unpack(bo + "dd", b[o + 5:o + 21])

def point_blob(x, y):
    return (b"GP\x00\x03" + struct.pack("<i", 4326) + struct.pack("<4d", x, x, y, y)
            + b"\x01" + struct.pack("<I", 1) + struct.pack("<dd", x, y))

def coord(i):
    return lambda b: None if point_of(b) is None else point_of(b)[i]

# the R-tree triggers of the layer call these, as GDAL or SpatiaLite would provide them
db.create_function("ST_IsEmpty", 1, lambda b: None if b is None else int(point_of(b) is None), deterministic=True)
db.create_function("ST_MinX", 1, coord(0), deterministic=True)
db.create_function("ST_MaxX", 1, coord(0), deterministic=True)
db.create_function("ST_MinY", 1, coord(1), deterministic=True)
db.create_function("ST_MaxY", 1, coord(1), deterministic=True)

cols = [r[1] for r in db.execute("PRAGMA table_info(events)") if r[1] != "fid"]
rows = [dict(zip(cols, r)) for r in db.execute("SELECT " + ",".join(f'"{c}"' for c in cols) + " FROM events ORDER BY fid")]
if not rows:
    raise SystemExit("bench: the scanned run has no events")

STAMP = re.compile(r"\d{8}T\d{6}")

def shift_time(s, d):
    if s is None:
        return None
    t = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S") + d
    return t.strftime("%Y-%m-%dT%H:%M:%S") + s[19:]

def shift_ids(s, d):
    if s is None:
        return None
    return STAMP.sub(lambda m: (datetime.datetime.strptime(m.group(0), "%Y%m%dT%H%M%S") + d).strftime("%Y%m%dT%H%M%S"), s)

rng = random.Random(1)
insert = "INSERT INTO events (" + ",".join(f'"{c}"' for c in cols) + ") VALUES (" + ",".join("?" * len(cols)) + ")"
db.execute("BEGIN")
n, k = len(rows), 0
while n < want:
    k += 1
    d = datetime.timedelta(hours=2 * k)
    dx, dy = rng.uniform(-3, 3), rng.uniform(-3, 3)
    batch = []
    for r in rows[: want - n]:
        c = dict(r)
        c["id"], c["linked"] = shift_ids(r["id"], d), shift_ids(r["linked"], d)
        c["start"], c["end"] = shift_time(r["start"], d), shift_time(r["end"], d)
        p = point_of(r["geom"])
        if p is not None:
            x = (p[0] + dx + 180) % 360 - 180
            y = max(-89.0, min(89.0, p[1] + dy))
            c["geom"] = point_blob(x, y)
        batch.append([c[col] for col in cols])
    db.executemany(insert, batch)
    n += len(batch)
x0, y0, x1, y1 = db.execute("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_events_geom").fetchone()
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
db.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, last_change = ? WHERE table_name = 'events'",
           (x0, y0, x1, y1, now))
db.commit()
# the file must still be what a GeoPackage reader expects
total, ids = db.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchone()
placed = db.execute("SELECT count(*) FROM events WHERE geom IS NOT NULL").fetchone()[0]
indexed = db.execute("SELECT count(*) FROM rtree_events_geom").fetchone()[0]
check = db.execute("SELECT rtreecheck('rtree_events_geom')").fetchone()[0]
integrity = db.execute("PRAGMA quick_check").fetchone()[0]
if total != want or ids != total or indexed != placed or check != "ok" or integrity != "ok":
    raise SystemExit(f"bench: bad GeoPackage: events={total} distinct ids={ids} placed={placed} "
                     f"indexed={indexed} rtreecheck={check} quick_check={integrity}")
db.execute("VACUUM")
db.close()
print(f"bench: {total} events ({len(rows)} scanned x {k + 1}), {indexed} in the R-tree, extent "
      f"[{x0:.3f}, {y0:.3f}, {x1:.3f}, {y1:.3f}]")
EOF
  mv "$gpkg.tmp" "$gpkg"
fi

log=$out/serve.log
rss=$out/serve-rss
pid=""
sampler=""
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" serve "$gpkg" --port 0 --bind 127.0.0.1 >"$log" 2>"$log.err" &
pid=$!
url=""
for _ in $(seq 100); do
  url=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$log" 2>/dev/null | head -1 || true)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "bench: the server did not start:" >&2; cat "$log.err" >&2; exit 1; }
case "$url" in http://127.0.0.1:*) ;; *) echo "bench: not on 127.0.0.1: $url" >&2; exit 1 ;; esac

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null; }
echo "bench: $url serving $(basename "$gpkg"); wrk -t$threads -c$conns -d${duration}s per URL; RSS at start $(( $(rss_kb) / 1024 )) MiB"
printf '%-52s %10s %9s %9s %9s %9s %8s %12s\n' path "req/s" p50 p90 p99 max errors "RSS MiB"
all_rss=()
for path in "/api/events?limit=100" "/api/events?limit=100&bbox=120,25,130,35" "/api/events?limit=100&type=encounter,dark_rendezvous"; do
  # one request first: the answer must be a 200 with events in it
  first=$(curl -sf --max-time 30 -o - "$url$path" || true)
  [[ $first == '{"total":'[1-9]* ]] || { echo "bench: $path did not answer with events" >&2; exit 1; }
  : >"$rss"
  (while kill -0 "$pid" 2>/dev/null; do rss_kb >>"$rss"; sleep 1; done) &
  sampler=$!
  wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 10s --latency "$url$path" >"$out/serve-wrk.txt" 2>&1 || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  mapfile -t samples <"$rss"
  all_rss+=("${samples[@]}")
  awk -v path="$path" -v samples="${samples[*]}" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; return v * 1000 }
    /Requests\/sec:/ { rps = $2 }
    /^ +Latency +[0-9]/ { mx = ms($4) }
    /^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { err += $NF } /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    END {
      n = split(samples, s, " "); lo = hi = s[1]
      for (i = 2; i <= n; i++) { if (s[i] < lo) lo = s[i]; if (s[i] > hi) hi = s[i] }
      printf "%-52s %10.0f %7.1fms %7.1fms %7.1fms %7.1fms %8d %5.1f-%-6.1f\n", path, rps, p50, p90, p99, mx, err, lo / 1024, hi / 1024
    }' "$out/serve-wrk.txt"
done
lo=${all_rss[0]} hi=${all_rss[0]}
for v in "${all_rss[@]}"; do ((v < lo)) && lo=$v; ((v > hi)) && hi=$v; done
awk -v n=${#all_rss[@]} -v lo="$lo" -v hi="$hi" -v last="$(rss_kb)" 'BEGIN {
  printf "RSS over all runs (%d samples, one a second): min %.1f MiB, max %.1f MiB; after the runs %.1f MiB\n", n, lo / 1024, hi / 1024, last / 1024 }'
echo "(wrk's own output of the last run: $out/serve-wrk.txt; the server's log: $log.err)"
