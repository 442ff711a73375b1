#!/usr/bin/env bash
# `make demo`: simulate a day's slice of traffic with the encoder, then decode it three
# ways. Uses only data the project makes itself.
set -euo pipefail
build=${1:-build}
aw="$build/aiswatch"
out=out/demo
mkdir -p "$out"
echo "== aiswatch simulate: 300 vessels, 6 hours, one report a minute"
"$aw" simulate --vessels 300 --hours 6 --seed 42 -o "$out/sample.nmea"
echo "   $(wc -l < "$out/sample.nmea") sentences in $out/sample.nmea"
echo "== aiswatch decode (JSON lines, aiswatch schema)"
"$aw" decode "$out/sample.nmea" -o "$out/sample.jsonl"
head -2 "$out/sample.jsonl"
echo "== aiswatch decode --gpsd (gpsd JSON-AIS)"
"$aw" decode -q --gpsd "$out/sample.nmea" -o "$out/sample.gpsd.json"
head -1 "$out/sample.gpsd.json"
echo "== aiswatch decode --format csv"
"$aw" decode -q --format csv "$out/sample.nmea" -o "$out/sample.csv"
head -3 "$out/sample.csv"
echo "== outputs in $out/"
