#!/usr/bin/env bash
# bench/events.sh — event detection must stay near-linear in the fleet size: simulated
# 24 h of traffic for 1k, 10k and 50k simultaneous vessels, each scanned (without the
# positions layer) with events on; prints wall time, messages/s and the time of the
# event stage alone. The encounter search joins each 10-minute bin through a cell sort,
# so it never compares all pairs. A benchmark, not a test.
# Environment: EVENTS_SIZES (default "1000 10000 50000"), EVENTS_HOURS (24), AW_BIN.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AW_BIN:-$root/build/aiswatch}
sizes=${EVENTS_SIZES:-"1000 10000 50000"}
hours=${EVENTS_HOURS:-24}
out=$root/build/bench
mkdir -p "$out"
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 1; }
printf '%-9s %12s %9s %9s %14s %10s %10s %9s\n' vessels messages scan_s events_s "messages/s" events_per_s peak_MiB events
prev=""
for n in $sizes; do
  f=$out/events-$n.nmea
  [ -s "$f" ] || "$bin" simulate --vessels "$n" --hours "$hours" --seed 1 -o "$f" --ports-out "$out/ports.csv" 2>/dev/null
  [ -s "$out/ports.csv" ] || "$bin" simulate --hours 1 --vessels 1 -o /dev/null --ports-out "$out/ports.csv" 2>/dev/null
  log=$out/events-$n.log
  /usr/bin/time -f '%e %M' -o "$out/time-$n" "$bin" scan --no-positions --ports "$out/ports.csv" "$f" \
    -o "$out/events-$n.gpkg" 2>"$log"
  read -r wall kb <"$out/time-$n"
  msgs=$(grep -Eo '[0-9]+ messages' "$log" | head -1 | grep -Eo '[0-9]+')
  ev_s=$(grep -Eo 'events [0-9.]+ s' "$log" | grep -Eo '[0-9.]+')
  nev=$(grep -Eo 'events: [0-9]+' "$log" | grep -Eo '[0-9]+')
  awk -v n="$n" -v m="$msgs" -v w="$wall" -v e="$ev_s" -v kb="$kb" -v ne="$nev" 'BEGIN{
    printf "%-9d %12d %9.2f %9.2f %14.0f %10.0f %10.0f %9d\n", n, m, w, e, m / w, (e > 0 ? m / e : 0), kb / 1024, ne }'
done
echo "(events_per_s: messages per second of the event stage alone; near-constant means near-linear)"
