#!/usr/bin/env bash
# bench/postgis.sh — aiswatch's encounter search against the same rule written in
# SQL/PostGIS (bench/postgis/encounters.sql), on the same ~10M-message input in the same
# run: are the same encounters found, and how long does each side take?
#
#   PostGIS: the positions decoded once (aiswatch decode --format csv), COPY'd into a
#            spatial table with its indexes ("load"), ports and Natural Earth land beside
#            them, then the encounter SQL ("query").
#   aiswatch: `aiswatch scan` on the raw NMEA, end to end (decode, tracks, every detector,
#            GeoPackage), with the same ports and land; and, for the default rule, on the
#            very CSV PostGIS COPYs (both sides then start from the same bytes).
#
# Steps: installs PostgreSQL and PostGIS with apt-get when missing (Debian 12), starts a
# private throwaway cluster (initdb in a temporary directory, unix socket only, removed on
# exit), tuned for a bulk-load benchmark (fsync off: a crash loses nothing here), then
# prints both sides' encounters matched by MMSI pair and overlapping time, and the times.
# The same rule with other port exclusions compares the two definitions on more cases:
# "near" (ports only, at 1 km, no derived anchorages: the near-port trap becomes an
# encounter) and "noports" (nothing excluded: ~45,000 encounters among moored ships in the
# scenario mix; aiswatch then spends minutes writing their evidence, so it is not run by
# default). A benchmark, not a test.
#
# Environment: PG_VESSELS (7000 with --global, else 5000: ~10M messages), PG_HOURS (24),
#   PG_GLOBAL (1: simulate --global when available), PG_EVENT_RATE (10, with --global),
#   PG_VARIANTS ("default near"; also "noports"; "load": stop after the load),
#   PG_SCAN_RUNS (3: aiswatch scan's best of), PG_QUERY_RUNS (2: the encounter query's best
#   of; its tables are dropped and made again each time), PG_SHARED_BUFFERS (2GB), PG_WORK_MEM (256MB),
#   PG_KEEP=1 (leave the cluster running to explore; the command to stop it is printed),
#   PG_BIN (PostgreSQL's bin directory), AW_BIN. Inputs are kept in build/bench/pg/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AW_BIN:-$root/build/aiswatch}
hours=${PG_HOURS:-24}
# The world at scale (`simulate --global`: real lanes, satellite passes, duplicates from
# several receivers, events planted in the traffic) when this aiswatch has it, with the
# planting rate raised (PG_EVENT_RATE) so that a day holds more than one encounter;
# otherwise the scenario mix beside background traffic.
if [ "${PG_GLOBAL:-1}" = 1 ] && "$bin" simulate --help 2>&1 | grep -q -- --global; then
  vessels=${PG_VESSELS:-7000}
  event_rate=${PG_EVENT_RATE:-10}
  sim=(--global --event-rate "$event_rate")
  tag=global-$vessels-$hours-x$event_rate
else
  vessels=${PG_VESSELS:-5000}
  sim=(--scenario all)
  tag=sim-$vessels-$hours
fi
variants=${PG_VARIANTS:-"default near"}
out=$root/build/bench/pg
sqldir=$root/bench/postgis
land_json=$root/node_modules/world-atlas/land-10m.json
die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }
[ -x "$bin" ] || die "$bin not built (make build)"
[ -s "$land_json" ] || die "$land_json missing (scripts/install-deps.sh)"
for tool in python3 ogr2ogr; do command -v $tool >/dev/null || die "$tool not found (scripts/install-deps.sh)"; done
[ -x /usr/bin/time ] || die "/usr/bin/time not found"
mkdir -p "$out"

# ---------------------------------------------------------------- PostgreSQL + PostGIS
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)}
have_postgis() { [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] &&
  ls "$("$pg_bin/pg_config" --sharedir)"/extension/postgis.control >/dev/null 2>&1; }
if ! have_postgis; then
  say "installing postgresql-15 and postgresql-15-postgis-3 (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
  pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
  have_postgis || die "PostGIS still missing after apt-get"
fi
pg_version=$("$pg_bin/postgres" --version | awk '{print $3}')

# ---------------------------------------------------------------- inputs (kept)
nmea=$out/$tag.nmea
truth=$out/$tag.truth.jsonl
ports=$out/$tag.ports.csv
if [ ! -s "$nmea" ] || [ ! -s "$truth" ] || [ ! -s "$ports" ]; then
  say "simulating: ${sim[*]} --vessels $vessels --hours $hours --seed 1"
  "$bin" simulate "${sim[@]}" --vessels "$vessels" --hours "$hours" --seed 1 -o "$nmea.tmp" \
    --truth "$truth" --ports-out "$ports" 2>"$out/$tag.simulate.log"
  mv "$nmea.tmp" "$nmea"
fi
# The positions, decoded once, for COPY: position reports only (types 1-3, 18, 19, 27; the
# track stage of aiswatch uses no other), the columns a position table has.
csv=$out/$tag.positions.csv
if [ ! -s "$csv" ]; then
  say "decoding positions to $csv"
  t0=$(date +%s%N)
  "$bin" decode -q --format csv "$nmea" |
    awk -F, 'NR == 1 || ($2 ~ /^(1|2|3|18|19|27)$/ && $5 != "")' |
    cut -d, -f1,2,3,5,6,7,8,9,10 >"$csv.tmp"
  mv "$csv.tmp" "$csv"
  echo $(($(date +%s%N) - t0)) >"$csv.ns"
fi
decode_ns=$(cat "$csv.ns" 2>/dev/null || echo 0)
positions=$(($(wc -l <"$csv") - 1))
land_sql=$out/land-10m.pgdump.sql
if [ ! -s "$land_sql" ]; then
  ogr2ogr -f PGDump "$land_sql.tmp" "$land_json" land -nln land_raw -nlt MULTIPOLYGON -a_srs EPSG:4326 \
    -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE -lco CREATE_SCHEMA=OFF -lco DROP_TABLE=IF_EXISTS
  mv "$land_sql.tmp" "$land_sql"
fi
ports_rows=$out/ports-rows.csv
python3 - "$ports" >"$ports_rows" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    r = csv.DictReader(f)
    w = csv.writer(sys.stdout)
    w.writerow(["name", "lat", "lon"])
    for row in r:
        try:
            w.writerow([row["Main Port Name"], float(row["Latitude"]), float(row["Longitude"])])
        except (KeyError, ValueError):
            pass
PY

# ---------------------------------------------------------------- a private cluster
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/aiswatch-pg.XXXXXX")
run_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$pgdir"
  run_pg() { runuser -u postgres -- "$@"; }
  sudo_pg="runuser -u postgres -- "
fi
sampler_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  if [ "${PG_KEEP:-0}" = 1 ]; then
    say "cluster kept (PG_KEEP=1): $pg_bin/psql -h $pgdir -p ${port:-5432} -U postgres bench"
    say "stop it with: ${sudo_pg:-}$pg_bin/pg_ctl -D $pgdir/data stop && rm -rf $pgdir"
    return
  fi
  if [ -f "$pgdir/data/postmaster.pid" ]; then
    run_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pgdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
run_pg "$pg_bin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 ||
  { cat "$pgdir/initdb.log" >&2; die "initdb failed"; }
port=5432 # the socket lives in the private directory: no other server can share it
cat >>"$pgdir/data/postgresql.conf" <<EOF
listen_addresses = ''
timezone = 'UTC'
unix_socket_directories = '$pgdir'
port = $port
shared_buffers = ${PG_SHARED_BUFFERS:-2GB}
work_mem = ${PG_WORK_MEM:-256MB}
maintenance_work_mem = 1GB
effective_cache_size = 8GB
max_parallel_workers_per_gather = 2
max_parallel_maintenance_workers = 2
max_worker_processes = 8
# a throwaway benchmark cluster: durability off
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 16GB
checkpoint_timeout = 1h
EOF
run_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w start >/dev/null ||
  { cat "$pgdir/server.log" >&2; die "PostgreSQL did not start"; }
psql_() { PGOPTIONS='-c client_min_messages=warning' "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pgdir" -p "$port" -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE bench" >/dev/null
postmaster=$(head -1 "$pgdir/data/postmaster.pid")

# Peak memory of the server: the summed proportional set size (shared buffers counted
# once across processes) of the postmaster and its children, sampled twice a second.
sample_pss() { # FILE: writes the peak KiB into FILE until killed
  local peak=0 total pid
  while :; do
    total=0
    for pid in $postmaster $(ps -o pid= --ppid "$postmaster" 2>/dev/null); do
      total=$((total + $(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
    done
    [ "$total" -gt "$peak" ] && peak=$total && echo "$peak" >"$1"
    sleep 0.5
  done
}
measure() { # NAME CMD...: wall ns into NAME_ns, server peak PSS into NAME_kb
  local name=$1
  shift
  echo 0 >"$pgdir/pss"
  sample_pss "$pgdir/pss" &
  sampler_pid=$!
  local t0 t1
  t0=$(date +%s%N)
  "$@"
  t1=$(date +%s%N)
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  printf -v "${name}_ns" '%s' $((t1 - t0))
  printf -v "${name}_kb" '%s' "$(cat "$pgdir/pss")"
}

say "PostgreSQL $pg_version + PostGIS, cluster in $pgdir; loading $positions positions"
load_positions() { psql_ -d bench -f "$sqldir/load.sql" <"$csv" >"$out/load.log"; }
load_reference() {
  psql_ -d bench -f "$land_sql" >/dev/null
  psql_ -d bench -f "$sqldir/reference.sql" <"$ports_rows" >/dev/null
}
measure load_pos load_positions
measure load_ref load_reference
postgis_version=$(psql_ -d bench -Atc "SELECT postgis_lib_version()")
db_mb=$(psql_ -d bench -Atc "SELECT pg_database_size('bench') / 1048576")
steps() { # LOG: the seconds of each "step:" of a psql log with \timing on
  awk '/^step: /{sub(/^step: /, ""); s = $0; order[++n] = s} /^Time: /{t[s] += $2}
       END{for (i = 1; i <= n; i++) printf " %s %.1f s;", order[i], t[order[i]] / 1000}' "$1"
}
load_steps=$(steps "$out/load.log")
say "load steps:$load_steps"
[ "$variants" = load ] && exit 0

# ---------------------------------------------------------------- per variant
declare -A q_ns q_kb scan_ns scan_kb cmp_line cmp_csv_line
for v in $variants; do
  case $v in
    default) pv=(-v port_km=10 -v anch_min_vessels=10); av=() ;;
    near) pv=(-v port_km=1 -v anch_min_vessels=0); av=(--encounter-min-port-km 1 --anchorage-min-vessels 0) ;;
    noports) pv=(-v port_km=0 -v anch_min_vessels=0); av=(--encounter-min-port-km 0 --anchorage-min-vessels 0) ;;
    *) die "unknown variant $v (default, near, noports)" ;;
  esac
  say "[$v] PostGIS encounter query"
  run_query() {
    psql_ -d bench -v grid_s=600 -v max_interp_s=3600 -v dist_m=500 -v min_h=2 -v max_kn=2 -v merge_h=4 \
      -v anch_cell_deg=0.01 "${pv[@]}" -f "$sqldir/encounters.sql" >"$out/query-$v.log"
  }
  # best of PG_QUERY_RUNS, as the scan is best of its runs: each side at its best
  for _ in $(seq "${PG_QUERY_RUNS:-2}"); do
    measure query run_query
    if [ -z "${q_ns[$v]:-}" ] || [ "$query_ns" -lt "${q_ns[$v]}" ]; then
      q_ns[$v]=$query_ns
      q_kb[$v]=$query_kb
    fi
  done
  psql_ -d bench -c "\\copy (SELECT * FROM enc_events ORDER BY start, mmsi_a, mmsi_b) TO '$out/postgis-$v-events.csv' WITH (FORMAT csv, HEADER true)"
  psql_ -d bench -c "\\copy (SELECT * FROM enc_runs ORDER BY start_s, mmsi_a, mmsi_b) TO '$out/postgis-$v-runs.csv' WITH (FORMAT csv, HEADER true)"
  psql_ -d bench -Atc "SELECT 'samples ' || (SELECT count(*) FROM enc_samples) || ', close pairs ' || (SELECT count(*) FROM enc_close) || ', runs ' || (SELECT count(*) FROM enc_runs) || ', places ' || (SELECT count(*) FROM enc_places)" >"$out/postgis-$v-counts.txt"

  say "[$v] aiswatch scan"
  runs_av=("${av[@]}")
  for mode in full noposition csv; do
    extra=(--no-positions)
    input=$nmea
    # the positions layer is written by default only under 10M messages: ask for it
    [ $mode = full ] && extra=(--positions)
    # "csv": the very file PostGIS COPYs (decoded positions, no static reports), so that
    # both sides start from the same bytes.
    [ $mode = csv ] && input=$csv
    # "full" and "csv" only for the default rule: the rule's variants change nothing else.
    [ $mode != noposition ] && [ $v != default ] && continue
    gpkg=$out/scan-$v-$mode.gpkg
    # best of PG_SCAN_RUNS: a few seconds' run on a shared machine is at the mercy of its
    # neighbours (the query is best of PG_QUERY_RUNS likewise)
    for _ in $(seq "${PG_SCAN_RUNS:-3}"); do
      rm -f "$gpkg"
      t0=$(date +%s%N)
      /usr/bin/time -f %M -o "$out/scan.rss" "$bin" scan "${extra[@]}" "${runs_av[@]}" --ports "$ports" \
        "$input" -o "$gpkg" 2>"$out/scan.log" || die "aiswatch scan failed (see $out/scan.log)"
      t1=$(date +%s%N)
      if [ -z "${scan_ns[$v-$mode]:-}" ] || [ $((t1 - t0)) -lt "${scan_ns[$v-$mode]}" ]; then
        scan_ns[$v-$mode]=$((t1 - t0))
        scan_kb[$v-$mode]=$(tail -1 "$out/scan.rss")
        mv "$out/scan.log" "$out/scan-$v-$mode.log"
      fi
    done
  done
  "$bin" events "$out/scan-$v-noposition.gpkg" --type encounter --format jsonl >"$out/aiswatch-$v-events.jsonl" 2>/dev/null
  "$bin" events "$out/scan-$v-noposition.gpkg" --type identity_conflict,position_spoof --format jsonl \
    >"$out/aiswatch-$v-identity.jsonl" 2>/dev/null
  if [ -n "${scan_ns[$v-csv]:-}" ]; then
    "$bin" events "$out/scan-$v-csv.gpkg" --type encounter --format jsonl >"$out/aiswatch-$v-csv-events.jsonl" 2>/dev/null
    echo "== [$v] encounters: aiswatch on the COPY's CSV vs PostGIS"
    python3 "$sqldir/compare.py" "$out/aiswatch-$v-csv-events.jsonl" "$out/postgis-$v-events.csv" \
      "$out/postgis-$v-runs.csv" "$out/aiswatch-$v-identity.jsonl" "$truth" >"$out/compare-$v-csv.txt"
    cmp_csv_line[$v]=$(grep '^summary:' "$out/compare-$v-csv.txt" || true)
  fi
  rm -f "$out"/scan-$v-*.gpkg # up to 14 GB of evidence (noports): the events are extracted
  echo "== [$v] encounters: aiswatch vs PostGIS ($(cat "$out/postgis-$v-counts.txt"))"
  python3 "$sqldir/compare.py" "$out/aiswatch-$v-events.jsonl" "$out/postgis-$v-events.csv" "$out/postgis-$v-runs.csv" \
    "$out/aiswatch-$v-identity.jsonl" "$truth" | tee "$out/compare-$v.txt"
  cmp_line[$v]=$(grep '^summary:' "$out/compare-$v.txt" || true)
  echo "  PostGIS query steps:$(steps "$out/query-$v.log")"
done

# ---------------------------------------------------------------- the table
messages=$(grep -Eo '[0-9]+ messages' "$out/scan-default-noposition.log" 2>/dev/null | head -1 | grep -Eo '[0-9]+' || echo "?")
echo
echo "== input: aiswatch simulate ${sim[*]} --vessels $vessels --hours $hours --seed 1"
echo "== times ($(nproc) cores, shared; PostgreSQL $pg_version, PostGIS $postgis_version; $messages messages, $positions positions; database $db_mb MiB)"
ms() { awk -v ns="$1" 'BEGIN{printf "%.1f s", ns / 1e9}'; }
mib() { awk -v kb="$1" 'BEGIN{printf "%.0f MiB", kb / 1024}'; }
printf '%-58s %10s %12s\n' step wall peak
printf '%-58s %10s %12s\n' "CSV for COPY: aiswatch decode | awk | cut" "$(ms "$decode_ns")" "-"
printf '%-58s %10s %12s\n' "PostGIS load: COPY + point geometry + indexes" "$(ms "$load_pos_ns")" "$(mib "$load_pos_kb")"
echo "      (${load_steps# })"
printf '%-58s %10s %12s\n' "PostGIS load: ports + land (subdivided, indexed)" "$(ms "$load_ref_ns")" "$(mib "$load_ref_kb")"
load_ns=$((load_pos_ns + load_ref_ns))
for v in $variants; do
  printf '%-58s %10s %12s\n' "PostGIS encounter query [$v]" "$(ms "${q_ns[$v]}")" "$(mib "${q_kb[$v]}")"
  for mode in full noposition csv; do
    [ -n "${scan_ns[$v-$mode]:-}" ] || continue
    label="aiswatch scan --positions [$v]"
    [ $mode = noposition ] && label="aiswatch scan --no-positions [$v]"
    [ $mode = csv ] && label="aiswatch scan --no-positions, the COPY's CSV [$v]"
    printf '%-58s %10s %12s\n' "$label" "$(ms "${scan_ns[$v-$mode]}")" "$(mib "${scan_kb[$v-$mode]}")"
    echo "      ($(grep -Eo 'time: .*' "$out/scan-$v-$mode.log"); $(grep -Eo 'events: [0-9]+' "$out/scan-$v-$mode.log"))"
  done
done
echo
for v in $variants; do
  for mode in full noposition csv; do
    [ -n "${scan_ns[$v-$mode]:-}" ] || continue
    s=${scan_ns[$v-$mode]}
    # From the raw NMEA, PostGIS also needs a decoder: aiswatch's own CSV export, the
    # fastest at hand, is counted for it in the first ratio (none of the others).
    # On the CSV both sides start from the same file: no decoding to count for either.
    awk -v v="$v" -v m="$mode" -v d="$decode_ns" -v l="$load_ns" -v q="${q_ns[$v]}" -v s="$s" 'BEGIN{
      if (m == "csv")
        printf "ratio [%s, scan --no-positions on the COPY'"'"'s CSV]: load+query / aiswatch = %.1fx; query only / aiswatch = %.1fx\n",
          v, (l + q) / s, q / s
      else
        printf "ratio [%s, scan %s]: PostGIS decode+load+query / aiswatch = %.1fx; load+query / aiswatch = %.1fx; query only / aiswatch = %.1fx (target 50x)\n",
          v, (m == "full" ? "--positions" : "--no-positions"), (d + l + q) / s, (l + q) / s, q / s }'
  done
done
for v in $variants; do
  echo "${cmp_line[$v]} [$v]"
  [ -z "${cmp_csv_line[$v]:-}" ] || echo "${cmp_csv_line[$v]} [$v, aiswatch on the COPY's CSV]"
done
