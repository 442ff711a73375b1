#!/usr/bin/env bash
# bench/csv.sh — aiswatch reading decoded AIS tables (CSV) against GDAL's `ogr2ogr` loading
# the same file into a GeoPackage, on the same input in the same run.
#
# Inputs, made here from one simulated global day (`aiswatch simulate --global`, kept in
# build/bench/csv/): aiswatch's own CSV (`decode --format csv`: every message, 21 columns,
# names quoted) and the NOAA MarineCadastre layout (17 columns, one row per position with
# the vessel's last static data on it, names unquoted: what US waters' daily files look
# like). For each: `ogr2ogr` CSV -> GeoPackage points (the peer: it only reads and loads),
# `aiswatch scan --no-events` with every position written (it also builds tracks and
# identities) and without, and scan's own read+decode stage on one thread. Best of
# BENCH_RUNS (3). A benchmark, not a test: it prints the ratios.
# Environment: CSV_VESSELS (2000: ~3 M messages), BENCH_RUNS, AW_BIN.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AW_BIN:-$root/build/aiswatch}
vessels=${CSV_VESSELS:-2000}
runs=${BENCH_RUNS:-3}
out=$root/build/bench/csv
die() { echo "bench: $*" >&2; exit 1; }
for tool in ogr2ogr gawk; do command -v $tool >/dev/null || die "$tool not found (scripts/install-deps.sh)"; done
[ -x /usr/bin/time ] || die "/usr/bin/time not found"
[ -x "$bin" ] || die "$bin not built (make build)"
mkdir -p "$out"

nmea=$out/global-$vessels.nmea
own=$out/global-$vessels.aiswatch.csv
noaa=$out/global-$vessels.noaa.csv
if [ ! -s "$noaa" ]; then
  echo "bench: simulating $vessels vessels for a day" >&2
  "$bin" simulate --global --vessels "$vessels" --hours 24 --seed 1 -o "$nmea" 2>/dev/null
  "$bin" decode --format csv -q "$nmea" -o "$own"
  # aiswatch's columns: time,msg_type,mmsi,channel,lat,lon,sog_kn,cog_deg,heading_deg,
  # nav_status,imo,callsign,shipname,ship_type,to_bow_m,to_stern_m,to_port_m,
  # to_starboard_m,draught_m,destination,second
  gawk -F, 'NR == 1 { print "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"; next }
    { gsub(/"/, "") }
    $2 == 5 || $2 == 24 {
      m = $3
      if ($13 != "") name[m] = $13; if ($11 != "") imo[m] = "IMO" $11; if ($12 != "") cs[m] = $12
      if ($14 != "") type[m] = $14; if ($15 != "" && $16 != "") len[m] = $15 + $16
      if ($17 != "" && $18 != "") wid[m] = $17 + $18; if ($19 != "") dr[m] = $19
      next }
    $2 == 1 || $2 == 2 || $2 == 3 || $2 == 18 || $2 == 19 {
      m = $3; t = $1; sub(/Z$/, "", t)
      print m "," t "," $5 "," $6 "," $7 "," $8 "," ($9 == "" ? "511.0" : $9 ".0") "," name[m] "," imo[m] "," cs[m] "," type[m] "," ($10 == "" ? "" : $10 ".0") "," len[m] "," wid[m] "," dr[m] "," type[m] "," (($2 == 18 || $2 == 19) ? "B" : "A") }' \
    "$own" >"$noaa.tmp"
  mv "$noaa.tmp" "$noaa"
fi

# best LABEL CMD...: the fastest of $runs runs, in ns, into ${LABEL}_ns (and its read+decode
# line, when the command is a scan, into ${LABEL}_read).
best() {
  local label=$1
  shift
  local b="" r=""
  for _ in $(seq "$runs"); do
    rm -f "$out/run.gpkg"
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>"$out/run.log" || die "$label failed (see $out/run.log)"
    t1=$(date +%s%N)
    if [ -z "$b" ] || [ $((t1 - t0)) -lt "$b" ]; then
      b=$((t1 - t0))
      r=$(grep -Eo 'read\+decode [0-9.]+ s' "$out/run.log" || true)
    fi
  done
  printf -v "${label}_ns" '%s' "$b"
  printf -v "${label}_read" '%s' "$r"
}

for kind in aiswatch noaa; do
  csv=$own
  [ $kind = noaa ] && csv=$noaa
  rows=$(($(wc -l <"$csv") - 1))
  mb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN{printf "%.0f", b / 1e6}')
  best ogr ogr2ogr -f GPKG "$out/run.gpkg" "$csv" -oo X_POSSIBLE_NAMES=lon,LON -oo Y_POSSIBLE_NAMES=lat,LAT \
    -a_srs EPSG:4326 -nln positions
  best full "$bin" scan --no-events --positions "$csv" -o "$out/run.gpkg"
  best nopos "$bin" scan --no-events --no-positions "$csv" -o "$out/run.gpkg"
  best one "$bin" scan --no-events --no-positions --threads 1 "$csv" -o "$out/run.gpkg"
  echo "== $kind CSV: $rows rows, $mb MB ($(nproc) cores, best of $runs)"
  row() { awk -v l="$1" -v ns="$2" -v n="$rows" -v x="$3" 'BEGIN{printf "%-58s %8.2f s %10.0f rows/s  %s\n", l, ns / 1e9, n / (ns / 1e9), x}'; }
  row "ogr2ogr CSV -> GeoPackage points (load only)" "$ogr_ns" ""
  row "aiswatch scan --no-events --positions" "$full_ns" "($full_read)"
  row "aiswatch scan --no-events --no-positions" "$nopos_ns" "($nopos_read)"
  row "aiswatch scan --no-events --no-positions --threads 1" "$one_ns" "($one_read)"
  awk -v a="$ogr_ns" -v b="$full_ns" -v k="$kind" \
    'BEGIN{printf "ratio [%s]: ogr2ogr load / aiswatch scan with every position written = %.1fx (target > 1)\n", k, a / b}'
done
rm -f "$out/run.gpkg"
