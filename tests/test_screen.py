"""Sanctions end to end: a simulated encounter where one tanker carries a listed IMO and
the other only a listed former name is marked, with the basis, in `aiswatch events
--sanctioned`; `aiswatch screen RUN.gpkg` re-screens a run made without lists to the same
result; one-off `aiswatch screen --imo/--mmsi/--name` questions on the real OFAC list."""
import atexit
import shutil
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

AW = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
SDN = os.path.join(DATA, "sanctions", "ofac", "sdn_2024-05-03.csv")
if not os.path.exists(SDN):
    sys.exit(f"missing test data {SDN}: this test needs ../shared/data (set AW_DATA)")
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
passed = failed = 0


def check(cond, what):
    global passed, failed
    passed += bool(cond)
    failed += not cond
    if not cond:
        print("FAIL:", what)


def run(*args):
    return subprocess.run([AW, *args], capture_output=True, text=True, timeout=300)


nmea, truth, ports = (os.path.join(tmp, x) for x in ("enc.nmea", "enc.truth", "ports.csv"))
run("simulate", "--scenario", "encounter", "--seed", "11", "-o", nmea, "--truth", truth, "--ports-out", ports)
enc = [json.loads(l) for l in open(truth) if '"type": "encounter"' in l][0]
a, b = enc["mmsi"]
plain = os.path.join(tmp, "plain.gpkg")
p = run("scan", nmea, "--ports", ports, "-o", plain)
check(p.returncode == 0, "scan without lists")
va = json.loads(run("vessels", plain, "--mmsi", str(a)).stdout.splitlines()[0])
vb = json.loads(run("vessels", plain, "--mmsi", str(b)).stdout.splitlines()[0])

# Vessel A's IMO on an analyst's watch list; vessel B's name only as a former name (f.k.a.)
# of an OFAC-format entry under another name and with no numbers.
watch = os.path.join(tmp, "watch.csv")
with open(watch, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["imo", "mmsi", "name", "list", "program"])
    w.writerow([va["imo"], "", "SOME OTHER NAME", "analyst watch list", "TEST-IMO"])
sdn = os.path.join(tmp, "fka_sdn.csv")
with open(sdn, "w", newline="") as f:
    f.write('99001,"RENAMED TANKER","vessel","DPRK3",-0- ,-0- ,"Crude Oil Tanker",-0- ,-0- ,-0- ,-0- ,'
            f'"f.k.a. \'{vb["name"]}\'."\r\n')
    f.write("\x1a")

run_gpkg = os.path.join(tmp, "listed.gpkg")
p = run("scan", nmea, "--ports", ports, "--lists", f"{watch},{sdn}", "-o", run_gpkg)
check(p.returncode == 0, "scan with --lists: " + p.stderr[-300:])
ev = [json.loads(l) for l in run("events", run_gpkg, "--sanctioned").stdout.splitlines()]
encs = [e for e in ev if e["type"] == "encounter"]
check(len(encs) == 1, f"the encounter is among the sanctioned events ({[e['type'] for e in ev]})")
if encs:
    s = encs[0]["sanctioned"]
    by = {m["mmsi"]: m for m in s}
    check(a in by and by[a]["basis"] == "imo" and by[a]["list"] == "analyst watch list",
          f"vessel A matched on its IMO: {by.get(a)}")
    check(b in by and by[b]["basis"].startswith("name") and by[b]["former_name"] and by[b]["entry_id"] == "99001",
          f"vessel B matched through a former name: {by.get(b)}")
every = [json.loads(l) for l in run("events", run_gpkg).stdout.splitlines()]
check(all(e["sanctioned"] is None for e in every if not set(e["mmsi"]) & {a, b}),
      "events without a listed participant carry no sanctions")
with sqlite3.connect(run_gpkg) as c:
    rows = c.execute("SELECT mmsi, basis FROM sanctions_matches ORDER BY mmsi").fetchall()
    flagged = c.execute("SELECT mmsi FROM vessels WHERE sanctioned = 1 ORDER BY mmsi").fetchall()
check(sorted(rows) == sorted([(a, "imo"), (b, by[b]["basis"] if encs else "name")]), f"sanctions_matches {rows}")
check([r[0] for r in flagged] == sorted([a, b]), f"vessels.sanctioned {flagged}")

# Re-screening the run made without lists gives the same marks.
p = run("screen", plain, "--lists", f"{watch},{sdn}")
check(p.returncode == 0, "screen RUN.gpkg: " + p.stderr[-300:])
ev2 = [json.loads(l) for l in run("events", plain, "--sanctioned").stdout.splitlines()]
check(sorted(e["id"] for e in ev2) == sorted(e["id"] for e in ev), "re-screening marks the same events")

# One-off questions against the real list.
m = [json.loads(l) for l in run("screen", "--lists", SDN, "--imo", "9187629").stdout.splitlines()]
check(m and m[0]["basis"] == "imo" and m[0]["name"] == "ARTAVIL", f"--imo 9187629: {m[:1]}")
m = [json.loads(l) for l in run("screen", "--lists", SDN, "--name", "M/V YU JONG-2").stdout.splitlines()]
check(m and m[0]["name"] == "YU JONG 2", f"--name 'M/V YU JONG-2': {m[:1]}")
m = [json.loads(l) for l in run("screen", "--lists", SDN, "--name", "SAND SWAN").stdout.splitlines()]
check(m and m[0]["name"] == "EBANO" and m[0]["former_name"], f"a former name: {m[:1]}")
m = [json.loads(l) for l in run("screen", "--lists", SDN, "--imo", "9187628").stdout.splitlines()]
check(m == [], "an IMO failing its check digit matches nothing")
print(f"screen: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
