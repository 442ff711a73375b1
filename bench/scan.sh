#!/usr/bin/env bash
# bench/scan.sh — the whole `aiswatch scan` (decode, tracks, identities, GeoPackage
# written) against what peers take for a part of that work, on the same input in the
# same run:
#   - gpsd's `gpsdecode -u -j` merely decoding the input;
#   - GDAL's `ogr2ogr` merely loading the decoded positions (a CSV) into a GeoPackage.
# Input: the ~1M-sentence Seine file of bench/decode.sh (built here if missing).
# A benchmark, not a test: it prints the ratios and peak memory. Environment as decode.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${AW_DATA:-$root/../shared/data}
bin=${AW_BIN:-$root/build/aiswatch}
want=${BENCH_SENTENCES:-1000000}
runs=${BENCH_RUNS:-3}
out=$root/build/bench
die() { echo "bench: $*" >&2; exit 1; }
for tool in gpsdecode ogr2ogr python3; do command -v $tool >/dev/null || die "$tool not found (scripts/install-deps.sh)"; done
[ -x /usr/bin/time ] || die "/usr/bin/time not found"
[ -x "$bin" ] || die "$bin not built (make build)"
mkdir -p "$out"
input=$out/vernon-$want.nmea
if [ ! -s "$input" ]; then
  logs=("$data"/nmea/caribewave-vernon/ais_vernon_*.log)
  [ -e "${logs[0]}" ] || die "no ais_vernon_*.log under $data (set AW_DATA)"
  sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}, *//' "${logs[@]}" >"$out/once.nmea"
  reps=$(((want + $(wc -l <"$out/once.nmea") - 1) / $(wc -l <"$out/once.nmea")))
  for _ in $(seq "$reps"); do cat "$out/once.nmea"; done >"$input.tmp"
  mv "$input.tmp" "$input"
  rm -f "$out/once.nmea"
fi
# gpsdecode reads bare sentences; aiswatch gets the same sentences with their real receive
# times as NMEA 4.0 tag blocks (each repetition of the four days shifted by two weeks, so
# the tracks stay in time order).
timed=$out/vernon-$want.timed.nmea
if [ ! -s "$timed" ]; then
  python3 - "$data" "$want" >"$timed.tmp" <<'PY'
import calendar, functools, glob, sys, time
data, want = sys.argv[1], int(sys.argv[2])
logs = sorted(glob.glob(data + "/nmea/caribewave-vernon/ais_vernon_*.log"))
lines = []
for path in logs:
    with open(path, encoding="ascii", errors="replace") as f:
        for l in f:
            l = l.rstrip("\r\n")
            if len(l) > 21 and l[19] == ",":
                t = calendar.timegm(time.strptime(l[:19], "%Y-%m-%d %H:%M:%S"))
                lines.append((t, l[20:].lstrip()))
out, rep = [], 0
while len(out) < want:
    for t, s in lines:
        tag = "c:%d" % (t + rep * 14 * 86400)
        cs = functools.reduce(lambda a, c: a ^ ord(c), tag, 0)
        out.append("\\%s*%02X\\%s" % (tag, cs, s))
    rep += 1
sys.stdout.write("\n".join(out) + "\n")
PY
  mv "$timed.tmp" "$timed"
fi
sentences=$(wc -l <"$input")
cat "$input" "$timed" >/dev/null

csv=$out/positions.csv
"$bin" decode -q --format csv "$timed" | awk -F, 'NR == 1 || $5 != ""' >"$csv"
positions=$(($(wc -l <"$csv") - 1))

best() { # VAR CMD...: best wall seconds and its peak RSS (KiB) into VAR_s, VAR_kb
  local var=$1
  shift
  local b="" kb="" rssf
  rssf=$(mktemp)
  for _ in $(seq "$runs"); do
    rm -f "$out/ogr.gpkg" "$out/scan.gpkg"
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$rssf" "$@" >/dev/null 2>&1 || die "'$*' failed"
    t1=$(date +%s%N)
    if [ -z "$b" ] || [ $((t1 - t0)) -lt "$b" ]; then b=$((t1 - t0)); kb=$(tail -1 "$rssf"); fi
  done
  rm -f "$rssf"
  printf -v "${var}_s" '%s' "$b"
  printf -v "${var}_kb" '%s' "$kb"
}
best gpsd sh -c "gpsdecode -u -j < '$input'"
best ogr ogr2ogr -f GPKG "$out/ogr.gpkg" "$csv" -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326 -nln positions
best scan "$bin" scan -q "$timed" -o "$out/scan.gpkg"
best scan_np "$bin" scan -q --no-positions "$timed" -o "$out/scan.gpkg"

echo "bench: $sentences sentences, $positions positions, $(nproc) cores, best of $runs"
row() { awk -v l="$1" -v ns="$2" -v kb="$3" -v n="$sentences" 'BEGIN{printf "%-52s %8.3f s %12.0f sentences/s %9.1f MiB\n", l, ns/1e9, n/(ns/1e9), kb/1024}'; }
row "gpsdecode -u -j (decode only)" "$gpsd_s" "$gpsd_kb"
row "ogr2ogr CSV -> GeoPackage (positions load only)" "$ogr_s" "$ogr_kb"
row "aiswatch scan (everything, with positions layer)" "$scan_s" "$scan_kb"
row "aiswatch scan --no-positions" "$scan_np_s" "$scan_np_kb"
awk -v a="$gpsd_s" -v b="$scan_s" 'BEGIN{printf "ratio: gpsdecode time / aiswatch scan time = %.1fx (target > 1)\n", a/b}'
awk -v a="$ogr_s" -v b="$scan_s" 'BEGIN{printf "ratio: ogr2ogr load time / aiswatch scan time = %.1fx (target > 1)\n", a/b}'
