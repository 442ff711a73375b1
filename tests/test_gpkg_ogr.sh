#!/usr/bin/env bash
# GDAL reads what the GeoPackage writer writes: ogrinfo lists every layer with its
# geometry type and feature count, types the DATETIME/DATE columns, sees the spatial
# index and uses it for a window, and reads values through SQL. The file is the scan
# schema from test_gpkg --fixture-vessels. ogrinfo comes with gdal-bin (install-deps).
set -u
AW=${AW_BIN:-build/aiswatch}
if ! command -v ogrinfo > /dev/null; then
  echo "test_gpkg_ogr: ogrinfo is missing: install gdal-bin (scripts/install-deps.sh does)"; exit 1
fi
FIXTURE=./test_gpkg
[ -x "$FIXTURE" ] || FIXTURE="$(dirname "$AW")/tests/test_gpkg"
if [ ! -x "$FIXTURE" ]; then
  echo "test_gpkg_ogr: cannot find the test_gpkg program (build the tests first)"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
F="$tmp/run.gpkg"
"$FIXTURE" --fixture-vessels "$F"

ogrinfo -ro -so -al "$F" > "$tmp/so" 2> "$tmp/so.err"
ok "ogrinfo -so -al succeeds" '[ $? -eq 0 ]'
ok "no GDAL warnings or errors" '! grep -Eqi "warning|error" "$tmp/so.err" "$tmp/so" || { cat "$tmp/so.err"; false; }'
# "name|geometry|count" per layer, in file order
awk '/^Layer name:/ {n=$3} /^Geometry:/ {sub(/^Geometry: /, ""); g=$0} /^Feature Count:/ {print n "|" g "|" $3}' "$tmp/so" > "$tmp/layers"
ok "positions: Point, 3 features" 'grep -qx "positions|Point|3" "$tmp/layers"'
ok "tracks: Line String, 1 feature" 'grep -qx "tracks|Line String|1" "$tmp/layers"'
ok "vessels: Point, 3 features" 'grep -qx "vessels|Point|3" "$tmp/layers"'
ok "identity_history: no geometry, 8 features" 'grep -qx "identity_history|None|8" "$tmp/layers"'
ok "EPSG:4326" 'grep -q "ID\[\"EPSG\",4326\]" "$tmp/so"'
ok "DATETIME column read as DateTime" 'grep -q "^first_seen: DateTime" "$tmp/so"'
ok "DATE column read as Date" 'grep -q "^day: Date" "$tmp/so"'
ok "extent from gpkg_contents" 'grep -q "^Extent: (-70.000000, 12.000000) - (129.500000, 50.700000)" "$tmp/so"'

ogrinfo -ro "$F" -sql "SELECT name, imo FROM vessels WHERE mmsi = 636012345 AND segment = 0" > "$tmp/sql" 2>&1
ok "SQL reads a text value" 'grep -q "name (String) = SEA PEARL" "$tmp/sql"'
ok "SQL reads an integer value" 'grep -q "imo (Integer.*) = 9074729" "$tmp/sql"'
ogrinfo -ro "$F" -sql "SELECT first_seen FROM identity_history WHERE value = 'OCEAN STAR'" > "$tmp/sqlt" 2>&1
ok "SQL reads a DateTime value" 'grep -q "first_seen (DateTime) = 2016/03/31 00:00:01" "$tmp/sqlt"'
ogrinfo -ro "$F" -sql "SELECT HasSpatialIndex('vessels', 'geom')" > "$tmp/idx" 2>&1
ok "GDAL sees the R-tree spatial index" 'grep -Eq "= 1$" "$tmp/idx"'
ogrinfo -ro -al -spat 128 37 131 40 "$F" vessels > "$tmp/spat" 2>&1
ok "a spatial window through the index finds the one vessel there" 'grep -q "Feature Count: 1" "$tmp/spat" && grep -q "SEA PEARL" "$tmp/spat"'
ogrinfo -ro "$F" tracks > "$tmp/wkt" 2>&1
ok "line geometry decodes" 'grep -q "LINESTRING (129 38,129.5 38.25)" "$tmp/wkt"'

echo "test_gpkg_ogr: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
