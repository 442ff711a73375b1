#!/usr/bin/env python3
"""`aiswatch simulate --global` at a small size, end to end, at two seeds: the global
message mix is there, noise and satellite reception are there and counted, duplicates from
two shore receivers are dropped by scan, and `aiswatch scan` finds exactly what the truth
file says was planted — every planted event (right type, right MMSIs, start and end within
the tolerance below), nothing on a trap's vessels, and no event the truth does not list.

Background traffic plants no event by construction (docs/simulate.md): it never slows at
sea, never shares an MMSI or changes identity, and its silences between satellite passes
last under an hour (the gap rule needs 12 h), so any unlisted event is a failure.

Under a sanitizer build (5-10x slower) the fleet is 100 vessels instead of 400; the planted
events are the same either way (--event-rate keeps a handful of each)."""
import atexit
import shutil
import json, os, sqlite3, subprocess, sys, tempfile
from datetime import datetime, timezone

AW = os.environ.get("AW_BIN", "build/aiswatch")
SRC = os.environ.get("AW_SRC", os.path.join(os.path.dirname(__file__), ".."))
LAND = os.path.join(SRC, "node_modules", "world-atlas", "land-10m.json")
if not os.path.exists(LAND):
    sys.exit(f"missing {LAND}: run scripts/install-deps.sh (npm ci)")
with open(AW, "rb") as f:
    SANITIZED = b"__asan_init" in f.read()
VESSELS = int(os.environ.get("AW_SIM_GLOBAL_VESSELS", "100" if SANITIZED else "400"))
RATE = str(10000 / VESSELS)  # about the counts of 10,000 vessel-days whatever the fleet
SEEDS = [1, 2]
TOL_H = 1.0  # an encounter or loitering seen through satellite passes (45 min apart)
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)  # 300 MB of inputs and GeoPackages
passed = failed = 0


def ok(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", name, detail)


def t(iso):
    return datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def run(*args):
    return subprocess.run([AW, *args], capture_output=True, text=True)


def matches(d, x):
    """Same type, a vessel in common, and the detected span where the planted one is. A
    dark rendezvous is found as the overlap of the loitering and the gap, so it need only
    lie within the planted span."""
    if d["type"] != x["type"] or not set(d["mmsi"]) & set(x["mmsi"]):
        return False
    ds, de, xs, xe, tol = t(d["start"]), t(d["end"]), t(x["start"]), t(x["end"]), TOL_H * 3600
    if d["type"] == "dark_rendezvous":
        return xs - tol <= ds and de <= xe + tol and ds < de
    return abs(ds - xs) <= tol and abs(de - xe) <= tol


def type_counts(stderr):
    line = next(l for l in stderr.splitlines() if "messages by type:" in l)
    return {int(k): int(v.split()[0]) for k, v in (w.split("=") for w in line.split(":", 1)[1].split() if "=" in w)}


# The same seed gives the same bytes (a small run).
a, b = os.path.join(tmp, "d1.nmea"), os.path.join(tmp, "d2.nmea")
r1 = run("simulate", "--global", "-q", "--vessels", "40", "--seed", "9", "-o", a)
r2 = run("simulate", "--global", "-q", "--vessels", "40", "--seed", "9", "-o", b)
ok("deterministic", r1.returncode == 0 and r2.returncode == 0 and open(a, "rb").read() == open(b, "rb").read())

for seed in SEEDS:
    nmea, truth_path, ports, gpkg = (os.path.join(tmp, f"g{seed}.{x}") for x in ("nmea", "truth", "csv", "gpkg"))
    r = run("simulate", "--global", "--vessels", str(VESSELS), "--hours", "24", "--event-rate", RATE, "--seed",
            str(seed), "-o", nmea, "--truth", truth_path, "--ports-out", ports)
    ok(f"seed {seed}: simulate exits 0", r.returncode == 0, r.stderr[-500:])
    print(r.stderr.strip())
    sim_types = type_counts(r.stderr)
    truth = [json.loads(l) for l in open(truth_path)]
    planted = [x for x in truth if "type" in x]
    traps = [x for x in truth if "trap" in x]
    kinds = {x["scenario"] for x in truth}
    ok(f"seed {seed}: every scenario planted", kinds >= {"encounter", "loitering", "gap", "dark_rendezvous",
                                                        "identity_conflict", "identity_change", "position_spoof",
                                                        "trap_passing", "trap_short_meeting", "trap_anchorage",
                                                        "trap_class_b", "trap_near_port", "noise"}, sorted(kinds))
    ok(f"seed {seed}: more than one of the common kinds",
       sum(x["type"] == "encounter" for x in planted) >= 2 and sum(x["scenario"] == "gap" for x in planted) >= 2)
    ok(f"seed {seed}: planted events at distinct open-sea places",
       len({(round(x["lat"], 1), round(x["lon"], 1)) for x in planted if x["scenario"] == "loitering"}) ==
       sum(x["scenario"] == "loitering" for x in planted))

    # The global mix, as written and as decoded.
    d = run("decode", "--format", "none", nmea)
    types = type_counts(d.stderr)
    total = sum(types.values())
    share = lambda *ks: sum(types.get(k, 0) for k in ks) / total
    ok(f"seed {seed}: every type of the mix decodes", all(types.get(k, 0) > 0 for k in (1, 2, 3, 4, 5, 18, 19, 21, 24, 27)),
       types)
    ok(f"seed {seed}: shares near the documented mix",
       0.55 <= share(1, 2, 3) <= 0.75 and 0.05 <= share(5) <= 0.15 and 0.08 <= share(18) <= 0.20 and
       0.02 <= share(24) <= 0.10 and 0.01 <= share(4) <= 0.10 and 0.002 <= share(21) <= 0.03 and
       0.005 <= share(27) <= 0.05, {k: round(v / total, 3) for k, v in types.items()})
    ok(f"seed {seed}: decoded what was written, less the noise",
       all(abs(types.get(k, 0) - v) <= 0.03 * v + 5 for k, v in sim_types.items()))
    ok(f"seed {seed}: noise is counted by the reader",
       all(w in d.stderr for w in ("bad_checksum=", "incomplete_multipart=", "not_nmea=")))

    # Scan with the simulator's ports, and the events against the truth.
    s = run("scan", nmea, "--land", LAND, "--ports", ports, "-o", gpkg)
    ok(f"seed {seed}: scan exits 0", s.returncode == 0, s.stderr[-800:])
    dup = [l for l in s.stderr.splitlines() if "duplicates=" in l]
    ok(f"seed {seed}: scan drops the duplicates of two receivers",
       dup and int(dup[0].split("duplicates=")[1].split(")")[0].split()[0]) > 1000, dup)
    ev = run("events", gpkg, "--format", "jsonl")
    detected = [json.loads(l) for l in ev.stdout.splitlines()]
    for x in planted:
        ok(f"seed {seed}: found {x['id']} ({x['type']} {x['mmsi']} {x['start']}..{x['end']})",
           any(matches(dd, x) for dd in detected),
           [(dd["type"], dd["start"], dd["end"]) for dd in detected if set(dd["mmsi"]) & set(x["mmsi"])])
    for dd in detected:
        ok(f"seed {seed}: detected {dd['id']} is planted", any(matches(dd, x) for x in planted),
           (dd["type"], dd["mmsi"], dd["start"], dd["end"], dd.get("detail", "")))
    trap_mmsi = {m: x["trap"] for x in traps for m in x["mmsi"]}
    hits = [(dd["id"], trap_mmsi[m]) for dd in detected for m in dd["mmsi"] if m in trap_mmsi]
    ok(f"seed {seed}: no trap reported", not hits, hits)

    # Satellite reception: a loiterer far out at sea is heard in passes, with silences
    # between them of most of the 45-minute revisit, never of hours.
    db = sqlite3.connect(gpkg)
    lo = next(x for x in planted if x["scenario"] == "loitering")
    times = [t(r[0]) for r in db.execute("SELECT time FROM positions WHERE mmsi = ? ORDER BY time", (lo["mmsi"][0],))]
    gaps = sorted(b - a for a, b in zip(times, times[1:]))
    ok(f"seed {seed}: open-sea reports come in satellite passes",
       len(gaps) > 50 and 20 * 60 <= gaps[-1] <= 55 * 60 and gaps[len(gaps) // 2] <= 300,
       (len(gaps), gaps[-3:] if gaps else None))
    db.close()
    raw = open(nmea, "rb").read()
    ok(f"seed {seed}: heard by shore receivers and satellites (tag block s:)",
       raw.count(b",s:sat-") > 1000 and raw.count(b",s:rx") > 10 * raw.count(b",s:sat-") // 10)

print("simulate_global: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
