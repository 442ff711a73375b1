#!/usr/bin/env bash
# scripts/fuzz.sh BUILD_DIR SECONDS — run the libFuzzer targets built by `make fuzz`.
#
#   SECONDS = 0  replay: every file of fuzz/corpus/<name>/ and fuzz/regressions/fuzz_<name>/
#                runs once through fuzz_<name> (-runs=0); any crash, leak, sanitizer report
#                or timeout fails the script. This is what `make check` runs.
#   SECONDS > 0  explore: each target fuzzes that long (targets run side by side, one per
#                core, niced). New inputs go to fuzz/corpus-work/<name>/ (gitignored); each
#                crasher is minimized and kept as fuzz/regressions/fuzz_<name>/<kind>_<sha1>,
#                and the script fails when there is a new one.
#
# Environment: AW_DATA (default ../shared/data next to the repo): its nmea/ folder is read
# as extra seeds for fuzz_nmea when it exists, never copied. FUZZ_JOBS: targets at once
# (default: number of cores). FUZZ_ARGS: extra libFuzzer flags for exploration.
set -euo pipefail

if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BUILD_DIR SECONDS   (SECONDS=0 replays the corpora and regressions)" >&2
  exit 2
fi
build=$1
secs=$2
root=$(cd "$(dirname "$0")/.." && pwd)
data=${AW_DATA:-$root/../shared/data}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

targets=()
for src in "$root"/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  if [ ! -x "$build/fuzz/$name" ]; then
    echo "fuzz.sh: $build/fuzz/$name is not built (run: make fuzz)" >&2
    exit 2
  fi
  targets+=("$name")
done

# Input size limits while exploring: NMEA, table or list text of a few hundred lines, AIS
# payloads a little past the longest legal reassembly, geography files (a TopoJSON needs
# room for its arcs) twice the list size.
max_len() { case $1 in fuzz_geo | fuzz_parts) echo 8192 ;; fuzz_nmea | fuzz_table | fuzz_sanctions) echo 4096 ;; *) echo 1200 ;; esac; }

replay() {
  local t=$1 short=${1#fuzz_} dirs=() d
  for d in "$root/fuzz/corpus/$short" "$root/fuzz/regressions/$t"; do
    [ -d "$d" ] && [ -n "$(ls -A "$d")" ] && dirs+=("$d")
  done
  if [ ${#dirs[@]} -eq 0 ]; then
    echo "fuzz.sh: $t: nothing to replay" >&2
    return 0
  fi
  local n log art
  n=$(find "${dirs[@]}" -type f | wc -l)
  log=$(mktemp)
  art=$(mktemp -d)
  if "$build/fuzz/$t" -runs=0 -max_len=1048576 -timeout=25 -rss_limit_mb=2048 -artifact_prefix="$art/" \
       "${dirs[@]}" >"$log" 2>&1; then
    echo "fuzz.sh: $t: $n inputs replayed, no failure"
    rm -rf "$log" "$art"
  else
    echo "fuzz.sh: $t: FAILED replaying $n inputs:" >&2
    grep -E "ERROR|SUMMARY|fuzz check failed|runtime error|#[0-9]+ 0x" -A1 "$log" | head -40 >&2
    echo "fuzz.sh: rerun: $build/fuzz/$t -runs=0 ${dirs[*]}" >&2
    rm -rf "$log" "$art"
    return 1
  fi
}

# Minimizes one crasher (when it reproduces) and files it under regressions/<target>/.
keep_crasher() {
  local t=$1 f=$2 kind base min sha
  base=$(basename "$f")
  kind=${base%%-*}
  min=$(mktemp)
  if [ "$kind" = crash ] &&
     "$build/fuzz/$t" -minimize_crash=1 -runs=20000 -max_total_time=60 -exact_artifact_path="$min" "$f" \
       >/dev/null 2>&1 && [ -s "$min" ]; then
    cp "$min" "$f"
  fi
  rm -f "$min"
  sha=$(sha1sum "$f" | cut -c1-16)
  if [ -e "$root/fuzz/regressions/$t/${kind}_$sha" ]; then
    rm -f "$f"
    return 1
  fi
  mv "$f" "$root/fuzz/regressions/$t/${kind}_$sha"
  echo "fuzz.sh: $t: new $kind kept as fuzz/regressions/$t/${kind}_$sha" >&2
  return 0
}

explore() {
  local t=$1 short=${1#fuzz_} work art seeds=() log
  work="$root/fuzz/corpus-work/$short"
  art="$root/fuzz/corpus-work/artifacts-$t"
  mkdir -p "$work" "$art" "$root/fuzz/regressions/$t"
  seeds=("$root/fuzz/corpus/$short")
  [ -n "$(ls -A "$root/fuzz/regressions/$t")" ] && seeds+=("$root/fuzz/regressions/$t")
  if [ "$t" = fuzz_nmea ] && [ -d "$data/nmea" ]; then seeds+=("$data/nmea"); fi
  log="$root/fuzz/corpus-work/$t.log"
  # -fork keeps going after a crash, so one bug does not end the run.
  # shellcheck disable=SC2086
  nice -n 10 "$build/fuzz/$t" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$art/" -print_final_stats=1 ${FUZZ_ARGS:-} "$work" "${seeds[@]}" >"$log" 2>&1 || true
  local stats
  stats=$(grep -Eo "#[0-9]+: cov: [0-9]+ ft: [0-9]+ corp: [0-9]+" "$log" | tail -1 || true)
  local execs
  execs=$(grep -Eo "exec/s: [0-9]+" "$log" | tail -1 || true)
  echo "fuzz.sh: $t: ${secs}s, ${stats:-no stats} ${execs:+($execs)}, log fuzz/corpus-work/$t.log"
  local new=0 f
  for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
    [ -e "$f" ] || continue
    if keep_crasher "$t" "$f"; then new=$((new + 1)); fi
  done
  [ "$new" -eq 0 ]
}

status=0
if [ "$secs" -eq 0 ]; then
  for t in "${targets[@]}"; do replay "$t" || status=1; done
else
  pids=()
  for t in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || status=1; done
    explore "$t" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
fi
exit $status
