#!/usr/bin/env bash
# Browser test of the web UI: simulate a scenario, scan it, serve the GeoPackage on 127.0.0.1
# and drive Debian's chromium through tests/web_test.mjs (playwright-core). Prints
# "web: N passed, M failed". Screenshots go to build/web-test/ (web-event.png, web-vessel.png).
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
aw="${AISWATCH:-$root/build/aiswatch}"
shots="$root/build/web-test"
fail() { echo "FAIL: $*"; echo "web: 0 passed, 1 failed"; exit 1; }

[ -x "$aw" ] || fail "$aw not built (run make)"
"$aw" serve --help >/dev/null 2>&1 || "$aw" 2>&1 | grep -q '\bserve\b' ||
  fail "'aiswatch serve' does not exist yet in $aw"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "chromium not installed (scripts/install-deps.sh)"
[ -d "$root/node_modules/playwright-core" ] || fail "playwright-core missing (npm ci)"
command -v node >/dev/null || fail "node not installed"

tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

cd "$tmp" || fail "no temp dir"
"$aw" simulate --scenario all --vessels 20 --seed 5 -o x.nmea --ports-out p.csv --truth t.jsonl 2>sim.err ||
  fail "simulate: $(tail -3 sim.err)"
"$aw" scan x.nmea --ports p.csv -o run.gpkg 2>scan.err || fail "scan: $(tail -3 scan.err)"

"$aw" serve run.gpkg --port 0 --bind 127.0.0.1 >serve.out 2>serve.err &
server=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -ohE 'http://127\.0\.0\.1:[0-9]+/?' serve.out serve.err 2>/dev/null | head -1)"
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || fail "serve printed no URL: $(cat serve.out serve.err | tail -5)"

mkdir -p "$shots"
node "$root/tests/web_test.mjs" "$url" "$shots"
rc=$?
echo "screenshots: $shots/web-event.png $shots/web-vessel.png"
exit $rc
