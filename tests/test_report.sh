#!/usr/bin/env bash
# `aiswatch report`: the evidence sheet of a simulated encounter with a listed tanker (its
# IMO on a watch list, as in test_screen.py) holds both vessels, the event's times, the
# match basis, the input file's SHA-256 as sha256sum computes it and the version, and
# fetches nothing from outside; its PDF (headless Chromium) is a PDF whose text says the
# same. Exit 2 for an unknown event and for a file that is not a scan's GeoPackage.
set -uo pipefail
AW="${AW_BIN:-build/aiswatch}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  local what="$1"
  shift
  if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
holds() { grep -qF -- "$2" "$1"; }

nmea="$tmp/enc.nmea"
"$AW" simulate --scenario encounter --seed 11 -o "$nmea" --truth "$tmp/enc.truth" --ports-out "$tmp/ports.csv" 2>/dev/null
"$AW" scan "$nmea" --ports "$tmp/ports.csv" -o "$tmp/plain.gpkg" -q
read -r a b < <(python3 -c 'import json,sys
e=[json.loads(l) for l in open(sys.argv[1]) if "\"type\": \"encounter\"" in l][0]
print(*e["mmsi"])' "$tmp/enc.truth")
imo="$("$AW" vessels "$tmp/plain.gpkg" --mmsi "$a" 2>/dev/null | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["imo"])')"
printf 'imo,mmsi,name,list,program\n%s,,SOME OTHER NAME,analyst watch list,TEST-IMO\n' "$imo" > "$tmp/watch.csv"
run="$tmp/run.gpkg"
check "scan with --lists" "$AW" scan "$nmea" --ports "$tmp/ports.csv" --lists "$tmp/watch.csv" -o "$run" -q

# The encounter as `aiswatch events` prints it: id, times, names.
"$AW" events "$run" --type encounter 2>/dev/null | head -1 > "$tmp/enc.json"
field() { python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); v=e[sys.argv[2]]; print(v[int(sys.argv[3])] if len(sys.argv)>3 else v)' "$tmp/enc.json" "$@"; }
id="$(field id)"
start="$(field start)"
end="$(field end)"
name_a="$(field names 0)"
name_b="$(field names 1)"
sha="$(sha256sum "$nmea" | cut -d' ' -f1)"
version="$("$AW" --version | cut -d' ' -f2)"
check "an encounter was found ($id)" test -n "$id"

# The inputs table: one row, the digest sha256sum gives.
check "inputs table holds the input's SHA-256" test "$(sqlite3 "$run" 'SELECT sha256 FROM inputs')" = "$sha"
check "inputs table holds the size" test "$(sqlite3 "$run" 'SELECT bytes FROM inputs')" = "$(stat -c %s "$nmea")"
zstd -q -f "$nmea" -o "$tmp/enc.nmea.zst"
"$AW" scan "$tmp/enc.nmea.zst" -o "$tmp/z.gpkg" -q --no-events
check "a zstd input is hashed as stored" \
  test "$(sqlite3 "$tmp/z.gpkg" 'SELECT sha256 || format FROM inputs')" = "$(sha256sum "$tmp/enc.nmea.zst" | cut -d' ' -f1)nmea+zstd"
"$AW" scan - -o "$tmp/stdin.gpkg" -q --no-events < "$nmea"
check "stdin is hashed too" test "$(sqlite3 "$tmp/stdin.gpkg" 'SELECT sha256 FROM inputs')" = "$sha"

html="$tmp/r.html"
check "report -o r.html" "$AW" report "$run" "$id" -o "$html"
for s in "$name_a" "$name_b" "$a" "$b" "$start" "$end" "$sha" "aiswatch $version" "<b>imo</b>" "analyst watch list" \
         "<svg class=map" "Distance between the vessels" "Reported draught" "Speed over ground" "@media print"; do
  check "HTML holds '$s'" holds "$html" "$s"
done
check "HTML has no external resource" bash -c "! grep -Eiq '(src|href)=\"?(https?:)?//' '$html' && ! grep -Eiq '@import|url\\(' '$html'"
check "no stray temporary file" bash -c "! ls '$tmp'/r.html.tmp"

pdf="$tmp/r.pdf"
check "report -o r.pdf" "$AW" report "$run" "$id" -o "$pdf"
check "PDF starts with %PDF" bash -c "head -c 4 '$pdf' | grep -q '%PDF'"
pdftotext -layout "$pdf" "$tmp/r.txt" 2>/dev/null
for s in "$name_a" "$name_b" "$sha"; do
  check "PDF text holds '$s'" holds "$tmp/r.txt" "$s"
done

"$AW" report "$run" no-such-event -o "$tmp/x.html" 2>/dev/null
check "unknown event exits 2" test $? -eq 2
"$AW" report "$nmea" "$id" -o "$tmp/x.html" 2>/dev/null
check "a file that is not a GeoPackage exits 2" test $? -eq 2
"$AW" scan "$nmea" -o "$tmp/noev.gpkg" -q --no-events
"$AW" report "$tmp/noev.gpkg" "$id" -o "$tmp/x.html" 2>/dev/null
check "a GeoPackage without events exits 2" test $? -eq 2
"$AW" report "$run" "$id" -o "$tmp/x.txt" 2>/dev/null
check "an output that is neither .html nor .pdf is a usage error" test $? -eq 1
AW_CHROMIUM=no-such-browser "$AW" report "$run" "$id" -o "$tmp/x.pdf" 2> "$tmp/err.txt"
check "missing Chromium exits 2 with a clear message" bash -c "test $? -eq 2 && grep -q 'Chromium not found' '$tmp/err.txt'"
check "no PDF left by a failed print" test ! -e "$tmp/x.pdf"

echo "report: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
