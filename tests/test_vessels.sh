#!/usr/bin/env bash
# `aiswatch vessels` on a GeoPackage of the `aiswatch scan` schema, written by the library's
# writer (test_gpkg --fixture-vessels): records per MMSI and segment, identity history in
# first-seen order, --mmsi, CSV quoting, and exit 2 on files that are not ours.
set -u
AW=${AW_BIN:-build/aiswatch}
FIXTURE=./test_gpkg
[ -x "$FIXTURE" ] || FIXTURE="$(dirname "$AW")/tests/test_gpkg"
if [ ! -x "$FIXTURE" ]; then
  echo "test_vessels: cannot find the test_gpkg program (build the tests first)"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }

"$FIXTURE" --fixture-vessels "$tmp/run.gpkg"
ok "fixture written" '[ -s "$tmp/run.gpkg" ]'

"$AW" vessels "$tmp/run.gpkg" > "$tmp/v.jsonl" 2> "$tmp/err"
ok "exits 0" '[ $? -eq 0 ]'
ok "one record per MMSI and segment" '[ "$(wc -l < "$tmp/v.jsonl")" -eq 3 ]'
ok "summary on stderr" 'grep -q "3 vessel records" "$tmp/err"'
ok "sorted by mmsi then segment" '[ "$(grep -o "\"mmsi\":[0-9]*,\"segment\":[0-9]*" "$tmp/v.jsonl" | tr "\n" " ")" = "\"mmsi\":235000001,\"segment\":0 \"mmsi\":636012345,\"segment\":0 \"mmsi\":636012345,\"segment\":1 " ]'
python3 - "$tmp/v.jsonl" > "$tmp/py.out" 2>&1 <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
t = recs[1]
assert t["name"] == "SEA PEARL" and t["imo"] == 9074729 and t["imo_valid"] is True, t
assert t["flag"] == "LR" and t["ship_type_text"] == "Tanker" and t["draught_m"] == 11.6, t
assert [h["value"] for h in t["history"]["name"]] == ["OCEAN STAR", "SEA PEARL"], t["history"]
assert t["history"]["name"][0] == {"value": "OCEAN STAR", "first_seen": "2016-03-31T00:00:01Z",
                                   "last_seen": "2016-03-31T05:00:01Z", "n_reports": 7}, t["history"]["name"][0]
assert list(t["history"]) == ["name", "imo", "callsign", "draught_m", "destination"], list(t["history"])
assert abs(t["lon"] - 129.5) < 1e-9 and abs(t["lat"] - 38.25) < 1e-9
assert t["first_seen"] == "2016-03-31T00:00:01Z"
s = recs[2]
assert s["segment"] == 1 and s["name"] is None and s["history"] == {} and s["length_m"] is None, s
y = recs[0]
assert y["name"] == 'MY "WAVE", II' and y["imo"] is None and y["imo_valid"] is None, y
print("ok")
PY
ok "jsonl values, history order and nulls (python json)" 'grep -qx ok "$tmp/py.out" || { cat "$tmp/py.out"; false; }'

"$AW" vessels --mmsi 636012345 "$tmp/run.gpkg" > "$tmp/one.jsonl" 2>/dev/null
ok "--mmsi keeps that vessel's segments" '[ "$(wc -l < "$tmp/one.jsonl")" -eq 2 ] && ! grep -q 235000001 "$tmp/one.jsonl"'
"$AW" vessels --mmsi 1 "$tmp/run.gpkg" > "$tmp/none.jsonl" 2>/dev/null
ok "--mmsi of an unknown vessel prints nothing, exits 0" '[ $? -eq 0 ] && [ ! -s "$tmp/none.jsonl" ]'

"$AW" vessels --format csv "$tmp/run.gpkg" > "$tmp/v.csv" 2>/dev/null
ok "csv: header and a row per vessel" '[ "$(wc -l < "$tmp/v.csv")" -eq 4 ] && head -1 "$tmp/v.csv" | grep -q "^mmsi,segment,name,.*,name_history,"'
python3 - "$tmp/v.csv" > "$tmp/pycsv.out" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows[0]["name"] == 'MY "WAVE", II', rows[0]
assert rows[1]["name_history"] == "OCEAN STAR|SEA PEARL", rows[1]
assert rows[1]["draught_m_history"] == "9.2|11.6", rows[1]
assert rows[1]["last_seen"] == "2016-03-31T10:00:01Z", rows[1]
assert rows[2]["name"] == "" and rows[2]["name_history"] == "", rows[2]
print("ok")
PY
ok "csv quoting and history columns (python csv)" 'grep -qx ok "$tmp/pycsv.out" || { cat "$tmp/pycsv.out"; false; }'

echo "not a database" > "$tmp/junk.gpkg"
"$AW" vessels "$tmp/junk.gpkg" > /dev/null 2> "$tmp/err"
ok "a file that is not SQLite: exit 2" '[ $? -eq 2 ] && grep -q "not an aiswatch GeoPackage" "$tmp/err"'
sqlite3 "$tmp/other.gpkg" "PRAGMA application_id=1196444487; CREATE TABLE gpkg_contents(table_name TEXT, data_type TEXT);"
"$AW" vessels "$tmp/other.gpkg" > /dev/null 2> "$tmp/err"
ok "a GeoPackage without the scan layers: exit 2" '[ $? -eq 2 ] && grep -q "no vessels and identity_history" "$tmp/err"'
"$AW" vessels "$tmp/missing.gpkg" > /dev/null 2>&1
ok "a missing file: exit 2" '[ $? -eq 2 ]'
"$AW" vessels > /dev/null 2>&1
ok "no file: usage, exit 1" '[ $? -eq 1 ]'
"$AW" vessels --format xml "$tmp/run.gpkg" > /dev/null 2>&1
ok "bad --format: exit 1" '[ $? -eq 1 ]'

echo "test_vessels: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
