#!/usr/bin/env bash
# End to end: the CLI the way the README uses it — simulate, decode in every format,
# compressed and piped input, threads, exit codes and the summary.
set -u
AW=${AW_BIN:-build/aiswatch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }

"$AW" simulate --vessels 40 --hours 2 --seed 7 -o "$tmp/sim.nmea"
ok "simulate writes sentences" '[ "$(grep -c "!AIVDM" "$tmp/sim.nmea")" -gt 4000 ]'
"$AW" simulate --vessels 40 --hours 2 --seed 7 -o "$tmp/sim2.nmea"
ok "simulate is deterministic" 'cmp -s "$tmp/sim.nmea" "$tmp/sim2.nmea"'

"$AW" decode "$tmp/sim.nmea" > "$tmp/out.jsonl" 2> "$tmp/err"
ok "decode exits 0" '[ $? -eq 0 ]'
sentences=$(grep -c '!AIVDM' "$tmp/sim.nmea")
multipart_tails=$(grep -c '!AIVDM,2,2' "$tmp/sim.nmea")
ok "every simulated message decodes" '[ "$(wc -l < "$tmp/out.jsonl")" -eq $((sentences - multipart_tails)) ]'
ok "summary says nothing was skipped" 'grep -q "skipped: none" "$tmp/err"'
ok "times come from the tag blocks" '! grep -q "\"time\":null" "$tmp/out.jsonl"'
ok "sources come from the tag blocks" 'grep -q "\"source\":\"aiswatch-sim\"" "$tmp/out.jsonl"'

"$AW" decode -q --threads 1 "$tmp/sim.nmea" > "$tmp/out1.jsonl"
ok "one thread and all threads write the same bytes" 'cmp -s "$tmp/out.jsonl" "$tmp/out1.jsonl"'
"$AW" decode -q --threads 2 "$tmp/sim.nmea" > "$tmp/out2.jsonl"
ok "two threads write the same bytes" 'cmp -s "$tmp/out.jsonl" "$tmp/out2.jsonl"'

gzip -c "$tmp/sim.nmea" > "$tmp/sim.gz"
zstd -q -c "$tmp/sim.nmea" > "$tmp/sim.weird-name"
"$AW" decode -q "$tmp/sim.gz" > "$tmp/gz.jsonl"
"$AW" decode -q "$tmp/sim.weird-name" > "$tmp/zst.jsonl"
"$AW" decode -q - < "$tmp/sim.nmea" > "$tmp/stdin.jsonl"
ok "gzip input decodes the same" 'cmp -s "$tmp/out.jsonl" "$tmp/gz.jsonl"'
ok "zstd input, told by magic bytes, decodes the same" 'cmp -s "$tmp/out.jsonl" "$tmp/zst.jsonl"'
ok "stdin decodes the same" 'cmp -s "$tmp/out.jsonl" "$tmp/stdin.jsonl"'

"$AW" decode -q --format csv "$tmp/sim.nmea" > "$tmp/out.csv"
ok "csv has a header and a row per message" '[ "$(wc -l < "$tmp/out.csv")" -eq $(( $(wc -l < "$tmp/out.jsonl") + 1 )) ]'
ok "csv header names the columns" 'head -1 "$tmp/out.csv" | grep -q "^time,msg_type,mmsi,channel,lat,lon,sog_kn"'

"$AW" decode --format none "$tmp/sim.nmea" > "$tmp/none.out" 2> "$tmp/none.err"
ok "count-only writes nothing to stdout" '[ ! -s "$tmp/none.out" ]'
ok "count-only reports the columnar rows" 'grep -q "columnar positions:" "$tmp/none.err"'

"$AW" decode -q --gpsd "$tmp/sim.nmea" > "$tmp/gpsd.json"
ok "gpsd output is JSON-AIS" 'head -1 "$tmp/gpsd.json" | grep -q "\"class\":\"AIS\""'
if command -v gpsdecode >/dev/null; then
  sed 's/^\\[^\\]*\\//' "$tmp/sim.nmea" | gpsdecode -u -j | tr -d "\r" > "$tmp/gpsdecode.json"
  # gpsd 3.22 (Debian 12) drops type 24 part A of 168 bits, which M.1371-5 specifies and
  # the encoder writes, and so the merged part B; later gpsd accepts them, as aiswatch does.
  grep -v '"type":24,' "$tmp/gpsd.json" > "$tmp/gpsd-no24.json"
  grep -v '"type":24,' "$tmp/gpsdecode.json" > "$tmp/gpsdecode-no24.json"
  ok "aiswatch --gpsd equals gpsdecode -u -j on simulated traffic" 'cmp -s "$tmp/gpsd-no24.json" "$tmp/gpsdecode-no24.json"'
fi

printf 'this is not AIS\nat all\n' > "$tmp/junk.txt"
"$AW" decode "$tmp/junk.txt" > /dev/null 2> "$tmp/junk.err"
ok "a file with nothing usable exits 2" '[ $? -eq 2 ]'
ok "and the summary counts its lines" 'grep -q "not_nmea=2" "$tmp/junk.err"'
"$AW" decode "$tmp/does-not-exist" > /dev/null 2>&1
ok "a missing file exits 2" '[ $? -eq 2 ]'
"$AW" decode --format xml "$tmp/sim.nmea" > /dev/null 2>&1
ok "a bad option exits 1" '[ $? -eq 1 ]'
# A file cut mid-sentence still yields everything before the cut.
head -c 100000 "$tmp/sim.nmea" > "$tmp/cut.nmea"
"$AW" decode -q "$tmp/cut.nmea" > "$tmp/cut.jsonl"
ok "a truncated file keeps what came before the cut" '[ "$(wc -l < "$tmp/cut.jsonl")" -gt 1000 ]'
# A watch window shorter than a pattern cannot see it: said at start, not left silent.
"$AW" watch --horizon-h 8 --once --no-land "file://$tmp/cut.nmea" > /dev/null 2> "$tmp/short.err"
ok "a watch horizon under the draught window is warned about" 'grep -q "draught changes cannot be seen whole" "$tmp/short.err"'
ok "but not for gaps, which need no horizon" '! grep -q "gap threshold" "$tmp/short.err"'
"$AW" watch --once --no-land "file://$tmp/cut.nmea" > /dev/null 2> "$tmp/long.err"
ok "the default horizon is not" '! grep -q "warning" "$tmp/long.err"'
# A window too small for the feed says so while it runs, once the first rows are evicted.
"$AW" watch --once --no-land --max-positions 200 "file://$tmp/cut.nmea" > /dev/null 2> "$tmp/full.err"
ok "a full window is warned about" 'grep -q "the window is full (--max-positions 200)" "$tmp/full.err"'
ok "once an hour, not per row" '[ "$(grep -c "window is full" "$tmp/full.err")" -eq 1 ]'

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
