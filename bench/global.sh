#!/usr/bin/env bash
# bench/global.sh — a day of global AIS on one machine: `aiswatch simulate --global`
# writes ~10 M, ~30 M and ~100 M-message days (real sea lanes between World Port Index
# ports, class A/B mix, satellite-style reception, planted encounters, loitering, gaps…),
# and the whole `aiswatch scan` runs on each: GeoPackage with events, event tracks, daily
# tracks, vessels and identity history. Prints wall time, messages/s, peak memory, CPU
# seconds per stage, events found, and the growth from one size to the next (cost linear
# in size means time ratio ≈ size ratio). The positions layer (one row per position) is
# left out by default above 10 M messages; a second run per size writes it too
# (--positions) and reports its time. As a peer, gpsd's `gpsdecode` decodes the smallest
# input (decoding only: no tracks, no events, no file). A benchmark, not a test.
#
# Targets on a 2-core, 24 GiB machine (issue 7): 100 M messages in at most 60 s, at most
# 8 GiB peak memory, cost linear in size.
#
# Environment: GLOBAL_VESSELS (fleet per size, default "7000 21000 70000": ~10/30/100 M
# messages in 24 h), GLOBAL_HOURS (24), GLOBAL_POSITIONS (1: also time --positions),
# GLOBAL_PEER (1: gpsdecode on the smallest input), AW_BIN. Inputs are kept in
# build/bench/global-*.nmea (about 93 bytes a message: ~14 GB for the three) and reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AW_BIN:-$root/build/aiswatch}
fleets=${GLOBAL_VESSELS:-"7000 21000 70000"}
hours=${GLOBAL_HOURS:-24}
with_positions=${GLOBAL_POSITIONS:-1}
peer=${GLOBAL_PEER:-1}
out=$root/build/bench
die() { echo "bench: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin not built (make build)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (scripts/install-deps.sh)"
mkdir -p "$out"
global=--global
"$bin" simulate --help 2>&1 | grep -q -- --global || global=""
[ -n "$global" ] || echo "bench: this simulate has no --global mode; background traffic only" >&2

# scan_once INPUT GPKG LOG [OPTS...]: wall seconds and peak KiB into $wall and $kb
scan_once() {
  local input=$1 gpkg=$2 log=$3
  shift 3
  rm -f "$gpkg"
  /usr/bin/time -f '%e %M' -o "$log.time" "$bin" scan "$@" --ports "$out/global-ports.csv" "$input" -o "$gpkg" \
    2>"$log" || die "scan of $input failed (see $log)"
  read -r wall kb <"$log.time"
}

printf '%-8s %12s %8s %12s %9s %26s %8s %10s  %s\n' vessels messages wall_s "messages/s" peak_MiB \
  "cpu_s read/tracks/ev/gpkg" growth "+pos_s" events
prev_msgs="" prev_wall=""
smallest=""
for n in $fleets; do
  f=$out/global-$n-$hours.nmea
  if [ ! -s "$f" ]; then
    # shellcheck disable=SC2086
    "$bin" simulate $global --vessels "$n" --hours "$hours" --seed 1 -o "$f.tmp" --truth "$out/global-$n-$hours.truth.jsonl" \
      --ports-out "$out/global-ports.csv" 2>"$out/global-$n-$hours.sim.log" || die "simulate failed"
    mv "$f.tmp" "$f"
  fi
  [ -s "$out/global-ports.csv" ] || "$bin" simulate $global --vessels 1 --hours 1 -o /dev/null \
    --ports-out "$out/global-ports.csv" 2>/dev/null
  [ -n "$smallest" ] || smallest=$f
  cat "$f" >/dev/null # the same page-cache state for every run
  log=$out/global-$n.log
  scan_once "$f" "$out/global-$n.gpkg" "$log"
  msgs=$(grep -Eo '[0-9]+ messages in' "$log" | head -1 | grep -Eo '^[0-9]+')
  cpu=$(grep -Eo 'CPU, all threads: [0-9., s]+' "$log" | sed -E 's/CPU, all threads: //; s/ s$//; s/, /\//g')
  events=$(grep -Eo 'events: [0-9]+[^(]*' "$log" | sed -E 's/ +$//')
  pos_s="-"
  if [ "$with_positions" = 1 ]; then
    scan_once "$f" "$out/global-$n-pos.gpkg" "$out/global-$n-pos.log" --positions
    pos_s=$(awk '{print $1}' "$out/global-$n-pos.log.time")
    rm -f "$out/global-$n-pos.gpkg"
    read -r wall kb <"$log.time" # the run without positions is the row
  fi
  growth="-"
  if [ -n "$prev_msgs" ]; then
    growth=$(awk -v m="$msgs" -v pm="$prev_msgs" -v w="$wall" -v pw="$prev_wall" \
      'BEGIN{printf "%.2f/%.2f", w / pw, m / pm}')
  fi
  awk -v n="$n" -v m="$msgs" -v w="$wall" -v kb="$kb" -v c="$cpu" -v g="$growth" -v p="$pos_s" -v e="$events" \
    'BEGIN{printf "%-8d %12d %8.1f %12.0f %9.0f %26s %8s %10s  %s\n", n, m, w, m / w, kb / 1024, c, g, p, e}'
  prev_msgs=$msgs prev_wall=$wall
done
echo "(growth: time ratio / size ratio to the previous row: equal means linear; +pos_s: wall of the"
echo " same scan with --positions; cpu_s: CPU seconds of all threads in read+decode / tracks /"
echo " events / GeoPackage; $(nproc) cores; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "$peer" = 1 ] && command -v gpsdecode >/dev/null; then
  # gpsdecode reads bare sentences: the tag blocks are cut off first (not timed).
  bare=$smallest.bare
  [ -s "$bare" ] || sed -E 's/^\\[^\\]*\\//' "$smallest" >"$bare"
  t0=$(date +%s%N)
  gpsdecode -u -j <"$bare" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  first=${fleets%% *}
  scan_s=$(awk '{print $1}' "$out/global-$first.log.time")
  awk -v g="$(( (t1 - t0) / 1000000 ))" -v s="$scan_s" -v f="$smallest" 'BEGIN{
    printf "peer: gpsdecode -u -j decoding %s only: %.1f s; the whole aiswatch scan: %.1f s (%.1fx)\n",
      f, g / 1000, s, g / 1000 / s }'
fi
