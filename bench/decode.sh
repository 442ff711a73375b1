#!/usr/bin/env bash
# bench/decode.sh — decoding throughput of aiswatch against gpsd's gpsdecode.
#
# A benchmark, not a test: it prints numbers and checks the issue's targets, but only
# fails when something cannot run or the two decoders disagree.
#
# Input: the four real Vernon logs (../shared/data/nmea/caribewave-vernon/ais_vernon_*.log),
# their `YYYY-MM-DD HH:MM:SS, ` prefixes stripped so gpsdecode reads them, repeated until
# there are at least BENCH_SENTENCES lines (default 1,000,000); written to build/bench/.
# Each command runs BENCH_RUNS times (default 3) on that same file, output to /dev/null;
# the best wall time counts. Peak RSS is /usr/bin/time's %M of the best run.
#
# Environment: AW_DATA (default ../shared/data next to the repo), AW_BIN (default
# build/aiswatch), BENCH_SENTENCES, BENCH_RUNS.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data=${AW_DATA:-$root/../shared/data}
bin=${AW_BIN:-$root/build/aiswatch}
want=${BENCH_SENTENCES:-1000000}
runs=${BENCH_RUNS:-3}
out=$root/build/bench
src_dir=$data/nmea/caribewave-vernon

die() { echo "bench: $*" >&2; exit 1; }
command -v gpsdecode >/dev/null || die "gpsdecode not found: install gpsd-clients (scripts/install-deps.sh)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found: install time (scripts/install-deps.sh)"
command -v python3 >/dev/null || die "python3 not found"
[ -x "$bin" ] || die "$bin not built (make build)"
logs=("$src_dir"/ais_vernon_*.log)
[ -e "${logs[0]}" ] || die "no ais_vernon_*.log in $src_dir (set AW_DATA)"

mkdir -p "$out"
input=$out/vernon-$want.nmea
if [ ! -s "$input" ]; then
  one=$out/vernon-once.nmea
  sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}, *//' "${logs[@]}" >"$one"
  per=$(wc -l <"$one")
  reps=$(((want + per - 1) / per))
  : >"$input.tmp"
  for _ in $(seq "$reps"); do cat "$one" >>"$input.tmp"; done
  mv "$input.tmp" "$input"
  rm -f "$one"
fi
sentences=$(wc -l <"$input")
bytes=$(stat -c %s "$input")
cat "$input" >/dev/null # into the page cache
cores=$(nproc 2>/dev/null || echo '?')
echo "bench: $input"
echo "bench: $sentences sentences, $((bytes / 1048576)) MiB, $cores cores, best of $runs runs, output to /dev/null"
echo "bench: gpsdecode $(gpsdecode -V 2>&1 | head -1 | grep -Eo '[0-9]+\.[0-9.]+' | head -1), aiswatch $("$bin" --version 2>/dev/null | head -1 || echo '?')"
echo

# best_of LABEL CMD...: runs CMD (stdin = the input, stdout = /dev/null) and records
# the best wall time and that run's peak RSS in KiB.
declare -A best_s rss_kb
labels=()
best_of() {
  local label=$1
  shift
  local best="" best_rss="" i t0 t1 rssf
  rssf=$(mktemp)
  for i in $(seq "$runs"); do
    t0=$(date +%s%N)
    if ! /usr/bin/time -f %M -o "$rssf" "$@" <"$input" >/dev/null 2>/dev/null; then
      rm -f "$rssf"
      die "'$*' failed"
    fi
    t1=$(date +%s%N)
    local ns=$((t1 - t0))
    if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then
      best=$ns
      best_rss=$(tail -1 "$rssf")
    fi
  done
  rm -f "$rssf"
  labels+=("$label")
  best_s[$label]=$best
  rss_kb[$label]=$best_rss
}

best_of "gpsdecode -u -j" gpsdecode -u -j
best_of "aiswatch decode --gpsd" "$bin" decode --gpsd -q "$input"
best_of "aiswatch decode --gpsd --threads 1" "$bin" decode --gpsd -q --threads 1 "$input"
best_of "aiswatch decode --format none" "$bin" decode --format none -q "$input"
best_of "aiswatch decode --format none --threads 1" "$bin" decode --format none -q --threads 1 "$input"
best_of "aiswatch decode (jsonl)" "$bin" decode -q "$input"

ref=${best_s["gpsdecode -u -j"]}
printf '%-44s %9s %14s %12s %12s\n' command "best s" "sentences/s" "vs gpsdecode" "peak RSS"
for l in "${labels[@]}"; do
  ns=${best_s[$l]}
  awk -v l="$l" -v ns="$ns" -v ref="$ref" -v n="$sentences" -v kb="${rss_kb[$l]}" 'BEGIN {
    printf "%-44s %9.3f %14.0f %11.1fx %9.1f MiB\n", l, ns / 1e9, n / (ns / 1e9), ref / ns, kb / 1024 }'
done
echo

# Targets of the issue.
check() { # LABEL WHAT OK
  if [ "$3" = 1 ]; then echo "target met:    $1 ($2)"; else echo "target MISSED: $1 ($2)"; fi
}
g=${best_s["aiswatch decode --gpsd"]}
c=${best_s["aiswatch decode --format none"]}
check "decode --gpsd >= 10x gpsdecode -u -j" "$(awk -v a="$ref" -v b="$g" 'BEGIN{printf "%.1fx", a/b}')" \
  "$(awk -v a="$ref" -v b="$g" 'BEGIN{print (a/b >= 10) ? 1 : 0}')"
check "count-only >= 10M sentences/s on all cores" \
  "$(awk -v n="$sentences" -v ns="$c" 'BEGIN{printf "%.2fM/s", n/(ns/1e9)/1e6}')" \
  "$(awk -v n="$sentences" -v ns="$c" 'BEGIN{print (n/(ns/1e9) >= 1e7) ? 1 : 0}')"
echo

# Do the two agree? Same input, both outputs kept; compared line by line as JSON.
gpsdecode -u -j <"$input" >"$out/gpsdecode.jsonl" 2>/dev/null
"$bin" decode --gpsd -q "$input" >"$out/aiswatch-gpsd.jsonl"
python3 - "$out/gpsdecode.jsonl" "$out/aiswatch-gpsd.jsonl" <<'EOF'
import json, sys
a_path, b_path = sys.argv[1], sys.argv[2]
with open(a_path, encoding="utf-8", errors="replace") as f:
    a = f.read().splitlines()
with open(b_path, encoding="utf-8", errors="replace") as f:
    b = f.read().splitlines()
print("agreement: gpsdecode %d objects, aiswatch --gpsd %d objects" % (len(a), len(b)))
# Every 37th pair, plus the first and last 1000: parsed and compared as JSON values.
idx = sorted(set(range(0, min(len(a), len(b)), 37)) | set(range(min(1000, len(a), len(b))))
             | set(range(max(0, min(len(a), len(b)) - 1000), min(len(a), len(b)))))
same = bad_json = 0
diffs = []
by_key = {}
for i in idx:
    try:
        x, y = json.loads(a[i]), json.loads(b[i])
    except ValueError:
        bad_json += 1
        continue
    if x == y:
        same += 1
    else:
        keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
        for k in keys:
            ex = by_key.setdefault(k, [0, i + 1, x.get(k), y.get(k)])
            ex[0] += 1
        if len(diffs) < 5:
            diffs.append((i + 1, x.get("type"), keys[:8]))
n = len(idx)
print("agreement: %d of %d sampled objects identical as JSON%s" % (same, n,
      ", %d unparsable" % bad_json if bad_json else ""))
for line, t, keys in diffs:
    print("  line %d (type %s) differs in %s" % (line, t, ", ".join(keys)))
for k, (n_k, line, x, y) in sorted(by_key.items(), key=lambda kv: -kv[1][0]):
    print("  key %r differs in %d sampled objects, e.g. line %d: gpsdecode %r, aiswatch %r" % (k, n_k, line, x, y))
# gpsd's legends ("*_text") change between gpsd releases (3.22 says "Reserved" for nav
# status 14, newer ones "AIS-SART is active"); values must match whatever the version.
legends_only = all(k.endswith("_text") for k in by_key)
ok = len(a) == len(b) and (same == n or legends_only)
if ok and same != n:
    print("agreement: yes for every value; only *_text legends differ (gpsd release differences)")
else:
    print("agreement: %s" % ("yes" if ok else "NO"))
sys.exit(0 if ok else 1)
EOF
