#!/usr/bin/env bash
# `aiswatch events` on a GeoPackage written by the library's event writer
# (test_events_out --fixture): every filter and format, the same JSON as the library's
# aw_event_json(), valid GeoJSON, and exit codes 1 (bad arguments) and 2 (not our file).
#
# The fixture's events, in start order (see tests/test_events_out.c):
#   draught_change  07:00-14:00  636012345            at 38.2507 N 129.5 E
#   encounter       08:00-12:00  445123456,636012345  at 38.2505 N 129.5002 E
#   identity_change 10:00        445123456            no place
#   gap             20:00-22:00  636012345            at 10.5 N 70.25 W
set -u
AW=${AW_BIN:-build/aiswatch}
FIXTURE=./test_events_out
[ -x "$FIXTURE" ] || FIXTURE="$(dirname "$AW")/tests/test_events_out"
if [ ! -x "$FIXTURE" ]; then
  echo "test_events_cli: cannot find the test_events_out program (build the tests first)"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }

# The ids `aiswatch events ARGS...` prints, by type, in order, space separated.
ids() { "$AW" events "$@" 2>/dev/null | python3 -c 'import json,sys; print(" ".join(json.loads(l)["type"] for l in sys.stdin))'; }

"$FIXTURE" --fixture "$tmp/run.gpkg"
ok "fixture written" '[ -s "$tmp/run.gpkg" ] && [ -s "$tmp/run.gpkg.jsonl" ]'
F="$tmp/run.gpkg"

"$AW" events "$F" > "$tmp/all.jsonl" 2> "$tmp/err"
ok "exits 0" '[ $? -eq 0 ]'
ok "one line per event, summary on stderr" '[ "$(wc -l < "$tmp/all.jsonl")" -eq 4 ] && grep -q "4 events" "$tmp/err"'
ok "oldest first" '[ "$(ids "$F")" = "draught_change encounter identity_change gap" ]'
ok "the same JSON as the library writes (aw_event_json)" 'diff <(sort "$tmp/all.jsonl") <(sort "$F.jsonl") > /dev/null'
python3 - "$tmp/all.jsonl" > "$tmp/py.out" 2>&1 <<'PY'
import json, sys
ev = {e["type"]: e for e in map(json.loads, open(sys.argv[1]))}
for e in ev.values():
    for k in ("id", "type", "start", "end", "lat", "lon", "mmsi", "imo", "names", "measures", "linked", "detail", "parameters"):
        assert k in e, (k, e)
    assert all(isinstance(m, int) for m in e["mmsi"]) and isinstance(e["measures"], dict), e
    assert isinstance(e["linked"], list) and isinstance(e["parameters"], dict), e
    assert e["parameters"]["context_h"] == 6 and len(e["parameters"]) == 18, e["parameters"]
enc = ev["encounter"]
assert enc["mmsi"] == [445123456, 636012345] and enc["imo"] == [None, 9074729], enc
assert enc["names"] == ["KUM UN SAN 3", "OCEAN STAR"] and enc["flags"] == ["KP", "LR"], enc
assert enc["start"] == "2016-03-31T08:00:00Z" and enc["end"] == "2016-03-31T12:00:00Z", enc
assert enc["measures"] == {"duration_h": 4, "median_distance_m": 210.5, "median_speed_kn": None}, enc
assert enc["linked"] == [ev["draught_change"]["id"]] and ev["draught_change"]["linked"] == [enc["id"]]
assert abs(enc["lat"] - 38.2505) < 1e-9 and abs(enc["lon"] - 129.5002) < 1e-9, enc
assert enc["sources"] == ["day1.nmea", "day2.nmea", "feed-b.nmea"], enc
assert ev["gap"]["names"] == ["SEA PEARL"], ev["gap"]
assert ev["draught_change"]["detail"] == 'draught 9.2 m -> 11.6 m across "encounter"'
idc = ev["identity_change"]
assert idc["lat"] is None and idc["lon"] is None and idc["measures"] == {} and idc["linked"] == [], idc
print("ok")
PY
ok "jsonl fields, lists, objects and nulls (python json)" 'grep -qx ok "$tmp/py.out" || { cat "$tmp/py.out"; false; }'

# --type
ok "--type encounter" '[ "$(ids --type encounter "$F")" = "encounter" ]'
ok "--type gap,encounter (any order)" '[ "$(ids --type gap,encounter "$F")" = "encounter gap" ]'
"$AW" events --type tanker "$F" > /dev/null 2> "$tmp/err"
ok "--type of an unknown type: exit 1, lists the types" '[ $? -eq 1 ] && grep -q "dark_rendezvous" "$tmp/err"'

# --since / --until: events overlapping the window
ok "--since keeps events ending at or after it" '[ "$(ids --since 2016-03-31T13:00:00Z "$F")" = "draught_change gap" ]'
ok "--since at an event's exact end keeps it" '[ "$(ids --since 2016-03-31T22:00:00Z "$F")" = "gap" ]'
ok "--until keeps events starting at or before it" '[ "$(ids --until 2016-03-31T08:00 "$F")" = "draught_change encounter" ]'
ok "--since and --until together" '[ "$(ids --since "2016-03-31 09:30" --until 2016-03-31T10:30:00.000Z "$F")" = "draught_change encounter identity_change" ]'
ok "--since a date" '[ "$(ids --since 2016-04-01 "$F")" = "" ]'
"$AW" events --since yesterday "$F" > /dev/null 2>&1
ok "--since junk: exit 1" '[ $? -eq 1 ]'
"$AW" events --since 2016-02-30 "$F" > /dev/null 2>&1
ok "--since an impossible date: exit 1" '[ $? -eq 1 ]'
"$AW" events --since 2016-04-01 --until 2016-03-01 "$F" > /dev/null 2>&1
ok "--since after --until: exit 1" '[ $? -eq 1 ]'

# --bbox (through the R-tree), then without the R-tree
ok "--bbox around the Korean events" '[ "$(ids --bbox 129,38,130,39 "$F")" = "draught_change encounter" ]'
ok "--bbox around the gap" '[ "$(ids --bbox -71,10,-70,11 "$F")" = "gap" ]'
ok "--bbox at 0,0 has no placeless event" '[ "$(ids --bbox -1,-1,1,1 "$F")" = "" ]'
ok "--bbox a point exactly on the edge" '[ "$(ids --bbox 129.5,38.2507,129.5,38.2507 "$F")" = "draught_change" ]'
ok "--bbox across the antimeridian (W > E)" '[ "$(ids --bbox 120,30,-80,50 "$F")" = "draught_change encounter" ]'
cp "$F" "$tmp/nortree.gpkg"
sqlite3 "$tmp/nortree.gpkg" "DROP TABLE rtree_events_geom"
ok "--bbox without the R-tree: same answer" '[ "$(ids --bbox 129,38,130,39 "$tmp/nortree.gpkg")" = "draught_change encounter" ]'
for bad in "1,2,3" "0,50,1,40" "0,0,200,1" "a,b,c,d" "1,2,3,4,5"; do
  "$AW" events --bbox "$bad" "$F" > /dev/null 2>&1
  ok "--bbox $bad: exit 1" '[ $? -eq 1 ]'
done

# --mmsi, and filters together
ok "--mmsi as either vessel" '[ "$(ids --mmsi 445123456 "$F")" = "encounter identity_change" ]'
ok "--mmsi unknown: nothing" '[ "$(ids --mmsi 1 "$F")" = "" ]'
"$AW" events --mmsi 12x "$F" > /dev/null 2>&1
ok "--mmsi junk: exit 1" '[ $? -eq 1 ]'
ok "all filters together" '[ "$(ids --type encounter,gap,draught_change --mmsi 636012345 --bbox 129,38,130,39 --since 2016-03-31T11:00Z --until 2016-03-31T12:00Z "$F")" = "draught_change encounter" ]'

# --format csv
"$AW" events --format csv "$F" > "$tmp/e.csv" 2>/dev/null
python3 - "$tmp/e.csv" > "$tmp/pycsv.out" 2>&1 <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["type"] for r in rows] == ["draught_change", "encounter", "identity_change", "gap"], rows
enc = rows[1]
assert enc["mmsi"] == "445123456,636012345" and enc["mmsi1"] == "445123456" and enc["mmsi2"] == "636012345", enc
assert enc["names"] == "KUM UN SAN 3 / OCEAN STAR" and enc["imo"] == ",9074729", enc
assert enc["start"] == "2016-03-31T08:00:00Z" and enc["lat"] == "38.2505000", enc
assert json.loads(enc["measures"])["median_distance_m"] == 210.5
assert json.loads(enc["parameters"])["encounter_distance_m"] == 500
assert rows[0]["detail"] == 'draught 9.2 m -> 11.6 m across "encounter"', rows[0]
assert rows[2]["lat"] == "" and rows[2]["mmsi2"] == "", rows[2]
print("ok")
PY
ok "csv: flat columns, quoting (python csv)" 'grep -qx ok "$tmp/pycsv.out" || { cat "$tmp/pycsv.out"; false; }'
ok "csv with a filter: header and one row" '[ "$("$AW" events --format csv --type gap "$F" 2>/dev/null | wc -l)" -eq 2 ]'

# --format geojson: RFC 7946
"$AW" events --format geojson "$F" > "$tmp/e.geojson" 2>/dev/null
"$AW" events --format geojson --type loitering "$F" > "$tmp/empty.geojson" 2>/dev/null
"$AW" events --format geojson --bbox -71,10,-70,11 "$F" > "$tmp/gap.geojson" 2>/dev/null
python3 - "$tmp/e.geojson" "$tmp/empty.geojson" "$tmp/gap.geojson" > "$tmp/pygeo.out" 2>&1 <<'PY'
import json, sys
def check(fc):
    assert fc["type"] == "FeatureCollection" and isinstance(fc["features"], list), fc
    for f in fc["features"]:
        assert f["type"] == "Feature" and set(f) >= {"type", "geometry", "properties"}, f
        assert f["id"] == f["properties"]["id"], f
        g = f["geometry"]
        if g is not None:
            assert g["type"] == "Point" and len(g["coordinates"]) == 2, g
            lon, lat = g["coordinates"]
            assert -180 <= lon <= 180 and -90 <= lat <= 90, g
            assert abs(lon - f["properties"]["lon"]) < 1e-9 and abs(lat - f["properties"]["lat"]) < 1e-9
    return fc["features"]
all_ = check(json.load(open(sys.argv[1])))
assert [f["properties"]["type"] for f in all_] == ["draught_change", "encounter", "identity_change", "gap"]
assert all_[2]["geometry"] is None
assert all_[3]["geometry"]["coordinates"] == [-70.25, 10.5], all_[3]
assert check(json.load(open(sys.argv[2]))) == []
assert [f["properties"]["type"] for f in check(json.load(open(sys.argv[3])))] == ["gap"]
print("ok")
PY
ok "geojson: valid FeatureCollection, [lon, lat], null geometry, empty and filtered (python json)" 'grep -qx ok "$tmp/pygeo.out" || { cat "$tmp/pygeo.out"; false; }'

# exit codes
"$AW" events --format kml "$F" > /dev/null 2>&1
ok "bad --format: exit 1" '[ $? -eq 1 ]'
"$AW" events > /dev/null 2>&1
ok "no file: usage, exit 1" '[ $? -eq 1 ]'
"$AW" events "$F" "$F" > /dev/null 2>&1
ok "two files: usage, exit 1" '[ $? -eq 1 ]'
"$AW" events --help > /dev/null 2>&1
ok "--help: exit 0" '[ $? -eq 0 ]'
echo "not a database" > "$tmp/junk.gpkg"
"$AW" events "$tmp/junk.gpkg" > /dev/null 2> "$tmp/err"
ok "a file that is not SQLite: exit 2" '[ $? -eq 2 ] && grep -q "not an aiswatch GeoPackage" "$tmp/err"'
sqlite3 "$tmp/other.gpkg" "PRAGMA application_id=1196444487; CREATE TABLE gpkg_contents(table_name TEXT, data_type TEXT); INSERT INTO gpkg_contents VALUES ('vessels', 'features');"
"$AW" events "$tmp/other.gpkg" > /dev/null 2> "$tmp/err"
ok "a GeoPackage without the events layer: exit 2" '[ $? -eq 2 ] && grep -q "no events layer" "$tmp/err"'
"$AW" events "$tmp/missing.gpkg" > /dev/null 2>&1
ok "a missing file: exit 2" '[ $? -eq 2 ]'

echo "test_events_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
