"""libais's tagblock.nmea against libais's tagblock.json: the tag-block fields
(time from c:, station from s:, the g: group joining a type 5) and the decoded ids."""
import datetime
import json
import os
import subprocess
import sys

AW_BIN = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
src = os.path.join(DATA, "nmea", "libais", "tagblock.nmea")
ref = os.path.join(DATA, "nmea", "libais", "tagblock.json")
if not os.path.exists(src):
    sys.exit(f"missing test data {src}: this test needs ../shared/data (set AW_DATA)")

out = subprocess.run([AW_BIN, "decode", "-q", src], capture_output=True, text=True, check=True).stdout
got = [json.loads(line) for line in out.splitlines()]
expected = [json.loads(line) for line in open(ref)]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


check(len(got) == len(expected), f"{len(got)} messages, expected {len(expected)}")
# libais keeps positions as float32 (7e-6 degrees apart at 161°); it emits messages in the order they complete, as aiswatch does.
for g, e in zip(got, expected):
    ts = datetime.datetime.strptime(e["tagblock_timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    check(g["time"] == ts.strftime("%Y-%m-%dT%H:%M:%SZ"), f"time {g['time']} vs {e['tagblock_timestamp']}")
    check(g["source"] == e["tagblock_station"], f"source {g.get('source')} vs {e['tagblock_station']}")
    check(g["mmsi"] == e["mmsi"] and g["msg_type"] == e["type"], f"ids {g['mmsi']}/{g['msg_type']}")
    if "lat" in e:
        check(abs(g["lat"] - e["lat"]) < 5e-5 and abs(g["lon"] - e["lon"]) < 5e-5, "position")
    if "shipname" in e:
        check(g["shipname"] == e["shipname"] and g["callsign"] == e["callsign"], "type 5 text")
print(f"tagblock: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
