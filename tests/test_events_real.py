"""Events on real data: the traps of the field must not fire.
- Suez, March 2021 (Ever Given blockage): ships waiting at anchorages, many pairs within
  500 m at low speed for hours: no encounter with GFW's anchorages (and the figure that
  data-derived anchorages alone achieve is printed).
- The river Seine: barges moored on the river (on land at 1:10m): no encounter.
- The Caribbean log: ships at berth: no encounter.
Needs ../shared/data and Natural Earth land (scripts/install-deps.sh)."""
import atexit
import shutil
import json
import os
import subprocess
import sys
import tempfile

AW = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
SRC = os.environ.get("AW_SRC", os.path.join(os.path.dirname(__file__), ".."))
if not os.path.isdir(os.path.join(DATA, "positions")):
    sys.exit(f"missing test data {DATA}: this test needs ../shared/data (set AW_DATA)")
LAND = os.path.join(SRC, "node_modules", "world-atlas", "land-10m.json")
if not os.path.exists(LAND):
    sys.exit(f"missing {LAND}: run scripts/install-deps.sh (npm ci)")
PORTS = os.path.join(DATA, "ports", "wpi", "UpdatedPub150.csv")
ANCH = os.path.join(DATA, "ports", "gfw-anchorages", "anchorage_overrides.csv")
EVER = os.path.join(DATA, "positions", "movingpandas-evergiven", "boat-positions.csv")
EVER_COLS = "mmsi=ID,time=ais_pos_timestamp,lon=longitude,lat=latitude;time=dayfirst"
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
passed = failed = 0


def check(cond, what):
    global passed, failed
    passed += bool(cond)
    failed += not cond
    if not cond:
        print("FAIL:", what)


def scan(name, *args):
    out = os.path.join(tmp, name + ".gpkg")
    p = subprocess.run([AW, "scan", "--land", LAND, *args, "-o", out], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        print(p.stderr)
    ev = subprocess.run([AW, "events", out], capture_output=True, text=True).stdout
    return p, [json.loads(l) for l in ev.splitlines()]


def of_type(events, t):
    return [e for e in events if e["type"] == t]


p, ev = scan("suez", EVER, "--columns", EVER_COLS, "--ports", PORTS, "--anchorages", ANCH)
check(p.returncode == 0, "Suez scan")
check(of_type(ev, "encounter") == [], f"Suez with GFW anchorages: no encounter ({len(of_type(ev, 'encounter'))})")
check(of_type(ev, "position_spoof") == [], "Suez: ships in the canal and the lakes are not spoofing")
for m in (10, 5):
    p, ev = scan(f"suez-derived-{m}", EVER, "--columns", EVER_COLS, "--ports", PORTS, "--anchorage-min-vessels", str(m))
    print(f"  Suez, WPI ports and data-derived anchorages only (>= {m} still vessels a cell): "
          f"{len(of_type(ev, 'encounter'))} encounters")
p, ev = scan("suez-none", EVER, "--columns", EVER_COLS, "--anchorage-min-vessels", "0")
n_raw = len(of_type(ev, "encounter"))
print(f"  Suez without any port or anchorage: {n_raw} encounters (the trap, shown to be real)")
check(n_raw > 0, "without anchorages the Suez waiting ships would be reported: the test can fail")

seine = [os.path.join(DATA, "nmea", "caribewave-vernon", f) for f in sorted(os.listdir(os.path.join(DATA, "nmea", "caribewave-vernon"))) if f.startswith("ais_vernon")]
p, ev = scan("seine", *seine, "--log-tz", "Europe/Paris", "--ports", PORTS)
check(p.returncode == 0, "Seine scan")
check(of_type(ev, "encounter") == [], f"Seine: no encounter for barges moored on the river ({len(of_type(ev, 'encounter'))})")
check(of_type(ev, "loitering") == [], "Seine: no loitering on the river (20 nm from shore)")

cw = os.path.join(DATA, "nmea", "caribewave-vernon", "log_ais_cw17.csv.log")
p, ev = scan("caribbean", cw, "--ports", PORTS)
check(p.returncode == 0, "Caribbean scan")
check(of_type(ev, "encounter") == [], f"Caribbean: no encounter for ships at berth ({len(of_type(ev, 'encounter'))})")

print(f"events_real: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
