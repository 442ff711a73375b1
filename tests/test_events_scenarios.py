"""Scenario tests with ground truth: `aiswatch simulate --scenario all` plants every event
type and the traps that must not fire; `aiswatch scan` must find the planted events with
recall and precision of at least 0.95 per type over several seeds, and report no event
on a trap's vessels. Needs ../shared/data (ports) and Natural Earth land."""
import atexit
import shutil
import collections
import datetime
import json
import os
import subprocess
import sys
import tempfile

AW = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
SRC = os.environ.get("AW_SRC", os.path.join(os.path.dirname(__file__), ".."))
PORTS = os.path.join(DATA, "ports", "wpi", "UpdatedPub150.csv")
LAND = os.path.join(SRC, "node_modules", "world-atlas", "land-10m.json")
if not os.path.exists(PORTS):
    sys.exit(f"missing test data {PORTS}: this test needs ../shared/data (set AW_DATA)")
if not os.path.exists(LAND):
    sys.exit(f"missing {LAND}: run scripts/install-deps.sh (npm ci)")
SEEDS = [1, 2, 3, 4, 5]
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)


def t(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def matches(d, truth):
    """Same type, a vessel in common, and overlapping in time (with an hour's slack)."""
    if d["type"] != truth["type"] or not set(d["mmsi"]) & set(truth["mmsi"]):
        return False
    return t(d["start"]) <= t(truth["end"]) + 3600 and t(truth["start"]) <= t(d["end"]) + 3600


tp = collections.Counter()
fn = collections.Counter()
fp = collections.Counter()
trap_hits = []
for seed in SEEDS:
    nmea, truth_path, gpkg = (os.path.join(tmp, f"s{seed}.{x}") for x in ("nmea", "truth", "gpkg"))
    subprocess.run([AW, "simulate", "--scenario", "all", "--vessels", "50", "--hours", "24", "--seed", str(seed),
                    "-o", nmea, "--truth", truth_path], check=True, capture_output=True)
    subprocess.run([AW, "scan", nmea, "--land", LAND, "--ports", PORTS, "--no-positions", "-o", gpkg],
                   check=True, capture_output=True)
    detected = [json.loads(l) for l in subprocess.run([AW, "events", gpkg], capture_output=True, text=True,
                                                       check=True).stdout.splitlines()]
    truth = [json.loads(l) for l in open(truth_path)]
    planted = [x for x in truth if "type" in x]
    traps = [x for x in truth if "trap" in x]
    for x in planted:
        if any(matches(d, x) for d in detected):
            tp[x["type"]] += 1
        else:
            fn[x["type"]] += 1
            print(f"seed {seed}: missed {x['type']} {x['mmsi']} {x['start']}..{x['end']}")
    for d in detected:
        if not any(matches(d, x) for x in planted):
            fp[d["type"]] += 1
            print(f"seed {seed}: not planted: {d['id']} {d.get('detail', '')}")
    trap_mmsi = {m: x["trap"] for x in traps for m in x["mmsi"]}
    for d in detected:
        hit = [trap_mmsi[m] for m in d["mmsi"] if m in trap_mmsi]
        if hit:
            trap_hits.append((seed, d["id"], hit))

passed = failed = 0
print(f"{'type':20} {'planted':>8} {'found':>6} {'recall':>7} {'precision':>9}")
for ty in sorted(set(tp) | set(fn) | set(fp)):
    planted_n = tp[ty] + fn[ty]
    recall = tp[ty] / planted_n if planted_n else 1.0
    # Detected events of the type: those that matched a planted one, plus the unplanted.
    found = sum(1 for _ in range(tp[ty])) + fp[ty]
    precision = tp[ty] / (tp[ty] + fp[ty]) if tp[ty] + fp[ty] else 1.0
    print(f"{ty:20} {planted_n:8} {found:6} {recall:7.2f} {precision:9.2f}")
    ok = recall >= 0.95 and precision >= 0.95
    passed += ok
    failed += not ok
for seed, eid, hit in trap_hits:
    print(f"seed {seed}: trap reported: {eid} on {hit}")
if trap_hits:
    failed += 1
else:
    passed += 1
print(f"events_scenarios: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
