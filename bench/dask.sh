#!/usr/bin/env bash
# bench/dask.sh — `aiswatch scan --dask local:N` (N = 1, 2, 4 worker processes of one
# thread) against the single-process `aiswatch scan` (all cores) on the same input in the
# same run: the global simulation (`simulate --global`, 21000 vessels for 24 h, about 30 M
# messages; without --global, 15000 vessels on the simulator's lanes),
# cut into 8 files. Prints each time, the overhead against the single process, and checks
# that every run found the same events.
# A benchmark, not a test; the machine's cores are shared with whatever else runs.
# Environment: AW_BIN, BENCH_VESSELS, BENCH_HOURS, BENCH_FILES,
# BENCH_WORKERS ("1 2 4"), BENCH_DIR (default build/bench/dask; needs ~6 GB for the default).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AW_BIN:-$root/build/aiswatch}
global=()
"$bin" simulate --help 2>&1 | grep -q -- '--global' && global=(--global)
# about 30 M messages a day: the global mode's message mix (bench/global.sh) or the lanes'
vessels=${BENCH_VESSELS:-$([ ${#global[@]} -gt 0 ] && echo 21000 || echo 15000)}
hours=${BENCH_HOURS:-24}
nfiles=${BENCH_FILES:-8}
workers=${BENCH_WORKERS:-1 2 4}
out=${BENCH_DIR:-$root/build/bench/dask}
py=${AISWATCH_PYTHON:-/usr/bin/python3}
die() { echo "bench: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin not built (make build)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found"
"$py" -c 'import dask, distributed' 2>/dev/null || die "$py lacks dask/distributed (scripts/install-deps.sh)"
mkdir -p "$out"
in=$out/in-$vessels-$hours
if [ ! -s "$in/part0.nmea" ]; then
  scen=(--scenario all)
  [ ${#global[@]} -gt 0 ] && scen=()  # the global mode plants every scenario itself
  echo "simulating $vessels vessels for $hours h ${global[*]} ..."
  "$bin" simulate "${global[@]}" "${scen[@]}" --vessels "$vessels" --hours "$hours" --seed 5 \
    -o "$out/sim.nmea" --ports-out "$out/ports.csv" 2>&1 | tail -1
  mkdir -p "$in.tmp"
  # Cut at lines that begin a message, so no multipart message is split between files.
  "$py" - "$out/sim.nmea" "$in.tmp" "$nfiles" <<'PY'
import os, re, sys
src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = os.path.getsize(src)
outs = [open(os.path.join(dst, "part%d.nmea" % i), "wb") for i in range(k)]
f, done = 0, 0
with open(src, "rb") as fh:
    for line in fh:
        done += len(line)
        if f < k - 1 and done > size * (f + 1) // k:
            m = re.search(rb"!AIVDM,(\d),(\d),", line)
            if m and m.group(2) == b"1":
                f += 1
        outs[f].write(line)
for o in outs:
    o.close()
PY
  rm -f "$out/sim.nmea"
  rm -rf "$in" && mv "$in.tmp" "$in"
fi
msgs_bytes=$(du -sb "$in" | cut -f1)
echo "input: $in ($nfiles files, $((msgs_bytes / 1000000)) MB); $(nproc) cores, shared with other work"

timed() { # label, command...: prints the wall time
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/time" "$@" >"$out/$label.log" 2>&1 || { tail -20 "$out/$label.log"; die "$label failed"; }
  read -r secs kb <"$out/time"
  echo "$secs"
}

single=$(timed single "$bin" scan "$in" --ports "$out/ports.csv" --no-positions -o "$out/single.gpkg")
"$bin" events "$out/single.gpkg" --format jsonl >"$out/single.jsonl" 2>/dev/null
events=$(wc -l <"$out/single.jsonl")
printf '%-28s %8s s   %s events\n' "aiswatch scan (1 process)" "$single" "$events"
for n in $workers; do
  rm -rf "$out/dask$n.gpkg" "$out/dask$n.gpkg.parts"
  t=$(timed "dask$n" "$bin" scan --dask "local:$n" "$in" --ports "$out/ports.csv" --no-positions -o "$out/dask$n.gpkg")
  "$bin" events "$out/dask$n.gpkg" --format jsonl >"$out/dask$n.jsonl" 2>/dev/null
  same=identical; cmp -s "$out/single.jsonl" "$out/dask$n.jsonl" || same="DIFFERENT"
  stages=$(grep -o 'time: .*' "$out/dask$n.log" | sed 's/time: //')
  printf '%-28s %8s s   x%.2f of the single process; events %s\n' "scan --dask local:$n" "$t" \
    "$(echo "$t / $single" | bc -l)" "$same"
  echo "    ($stages)"
done
