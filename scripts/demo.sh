#!/usr/bin/env bash
# `make demo`: simulate a day of traffic with every planted event and trap, scan it into a
# GeoPackage with land and the encounter rules, and list what was found next to the truth.
# Uses only data the project makes itself (and Natural Earth land from npm world-atlas).
set -euo pipefail
build=${1:-build}
aw="$build/aiswatch"
out=out/demo
mkdir -p "$out"
echo "== aiswatch simulate: every scenario and trap, 50 background vessels, 24 h"
"$aw" simulate --scenario all --vessels 50 --hours 24 --seed 42 -o "$out/sample.nmea" --truth "$out/truth.jsonl" \
  --ports-out "$out/ports.csv"
echo "== aiswatch scan -> $out/run.gpkg"
"$aw" scan "$out/sample.nmea" --ports "$out/ports.csv" -o "$out/run.gpkg"
echo "== aiswatch events (planted in the truth file: $(grep -c '"type"' "$out/truth.jsonl"))"
"$aw" events "$out/run.gpkg" --format csv | cut -d, -f1-8
echo "== one encounter in full"
"$aw" events "$out/run.gpkg" --type encounter > "$out/encounters.jsonl"
head -c 600 "$out/encounters.jsonl"; echo " ..."
echo "== aiswatch vessels --mmsi (the first encounter's first vessel)"
m=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["mmsi"][0])' "$out/encounters.jsonl")
"$aw" vessels "$out/run.gpkg" --mmsi "$m" > "$out/vessel.jsonl"
head -c 400 "$out/vessel.jsonl"; echo " ..."
echo "== outputs in $out/ (open run.gpkg in QGIS)"
