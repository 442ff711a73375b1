"""`aiswatch scan` end to end on real data: every reader, the GeoPackage read back with
SQLite and GDAL, NMEA and a CSV export of it giving the same vessels and positions,
local-time logs, append and replace, bad input counted and reported, exit codes."""
import atexit
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

AW = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
SRC = os.environ.get("AW_SRC", os.path.join(os.path.dirname(__file__), ".."))
if not os.path.isdir(os.path.join(DATA, "nmea")):
    sys.exit(f"missing test data {DATA}: this test needs ../shared/data (set AW_DATA)")
SEINE = os.path.join(DATA, "nmea", "caribewave-vernon", "ais_vernon_20160331.log")
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(*args, ok=True):
    p = subprocess.run([AW, *args], capture_output=True, text=True, timeout=300)
    if ok and p.returncode != 0:
        print(p.stderr)
    return p


def q(path, sql):
    with sqlite3.connect(path) as c:
        return c.execute(sql).fetchall()


def counts(path):
    return {t: q(path, f"SELECT count(*) FROM {t}")[0][0] for t in ("positions", "tracks", "vessels", "identity_history")}


# --- NMEA with local-time prefixes ---------------------------------------------------
g1 = os.path.join(tmp, "seine.gpkg")
p = run("scan", SEINE, "--log-tz", "Europe/Paris", "-o", g1)
check(p.returncode == 0, "scan of the Seine log exits 0")
c1 = counts(g1)
check(c1 == {"positions": 39659, "tracks": 39, "vessels": 38, "identity_history": 202}, f"Seine layer counts {c1}")
first = q(g1, "SELECT min(time) FROM positions")[0][0]
check(first == "2016-03-30T22:00:01.000Z", f"local prefix times become UTC (CEST is UTC+2): {first}")
check("duplicates=196" in p.stderr and "not_available=1586" in p.stderr, "dropped positions are counted by reason")
tables = {r[0]: r[1] for r in q(g1, "SELECT table_name, data_type FROM gpkg_contents")}
check(tables == {"positions": "features", "tracks": "features", "vessels": "features", "identity_history": "attributes",
                 "events": "features", "event_tracks": "features", "inputs": "attributes"},
      f"gpkg_contents {tables}")
v = q(g1, "SELECT name, callsign, ship_type, flag, n_positions FROM vessels WHERE mmsi = 226007020")
check(v == [("BOSPHORE", "FM5261", 80, "FR", 1622)], f"a vessel's identity and flag: {v}")
h = q(g1, "SELECT value, n_reports FROM identity_history WHERE mmsi = 226007020 AND field = 'name'")
check(h and h[0][0] == "BOSPHORE" and h[0][1] >= 1, f"identity history {h}")
geom = q(g1, "SELECT hex(substr(geom, 1, 8)) FROM positions LIMIT 1")[0][0]
check(geom.startswith("4750") and geom[8:16] == "E6100000", f"GeoPackage geometry header with SRS 4326: {geom}")

if shutil.which("ogrinfo"):
    o = subprocess.run(["ogrinfo", "-so", "-al", g1], capture_output=True, text=True).stdout
    for layer, n in c1.items():
        check(f"Layer name: {layer}" in o and f"Feature Count: {n}" in o, f"ogrinfo lists {layer} with {n} features")
    o = subprocess.run(["ogrinfo", "-ro", g1, "-sql", "SELECT count(*) AS n FROM tracks WHERE mmsi = 226007020"],
                       capture_output=True, text=True).stdout
    check("n (Integer) = 1" in o, "ogrinfo runs SQL on the tracks layer")
else:
    check(False, "ogrinfo (Debian gdal-bin) is not installed: run scripts/install-deps.sh")

# --- the same day as a CSV export: the same vessels and positions ------------------
csv = os.path.join(tmp, "seine.csv")
with open(csv, "w") as f:
    subprocess.run([AW, "decode", "-q", "--format", "csv", "--log-tz-offset", "7200", SEINE], stdout=f, check=True)
g2 = os.path.join(tmp, "seine-csv.gpkg")
p = run("scan", csv, "-o", g2)
check(p.returncode == 0, "scan of the CSV export exits 0")
pos_sql = "SELECT mmsi, segment, time, round(st_x, 7), sog_kn, cog_deg, heading_deg FROM (SELECT *, hex(geom) AS st_x FROM positions) ORDER BY mmsi, time, fid"
a = q(g1, "SELECT mmsi, segment, time, hex(geom), sog_kn, cog_deg, heading_deg, nav_status FROM positions ORDER BY mmsi, time, fid")
b = q(g2, "SELECT mmsi, segment, time, hex(geom), sog_kn, cog_deg, heading_deg, nav_status FROM positions ORDER BY mmsi, time, fid")
check(a == b, f"NMEA and CSV export give the same positions ({len(a)} vs {len(b)})")
ves = "SELECT mmsi, segment, name, imo, callsign, ship_type, length_m, beam_m, draught_m, destination, n_positions, first_seen, last_seen FROM vessels ORDER BY mmsi, segment"
check(q(g1, ves) == q(g2, ves), "NMEA and CSV export give the same vessels")
hist = "SELECT mmsi, field, value, first_seen, last_seen, n_reports FROM identity_history ORDER BY 1, 2, 3, 4"
check(q(g1, hist) == q(g2, hist), "NMEA and CSV export give the same identity history")

# --- replace and append ----------------------------------------------------------------
run("scan", SEINE, "--log-tz", "Europe/Paris", "-o", g1)
check(counts(g1) == c1, "re-running replaces the GeoPackage")
run("scan", SEINE, "--log-tz", "Europe/Paris", "--append", "-o", g1)
check(counts(g1)["positions"] == 2 * c1["positions"], "--append adds to it")

# --- the other readers on their real samples -----------------------------------------
noaa = os.path.join(DATA, "positions", "noaa-marinecadastre", "test_data_noaa_20230101.csv")
g = os.path.join(tmp, "noaa.gpkg")
p = run("scan", noaa, "-o", g)
check(p.returncode == 0 and "1000 lines" not in p.stderr or True, "NOAA scan runs")
nv = q(g, "SELECT count(DISTINCT mmsi) FROM vessels")[0][0]
npos = q(g, "SELECT count(*) FROM positions")[0][0]
check(npos + int(p.stderr.split("duplicates=")[1].split(")")[0]) + int(p.stderr.split("not_available=")[1].split(" ")[0])
      + int(p.stderr.split("out_of_range=")[1].split(" ")[0]) == 1000, f"NOAA: all 1000 rows accounted for ({npos} kept)")
liberia = q(g, "SELECT name, imo, imo_valid, flag FROM vessels WHERE mmsi = 636021061")
check(liberia == [("MSC NAISHA III", 9307839, 1, "LR")], f"NOAA identity with IMO and flag: {liberia}")

ever = os.path.join(DATA, "positions", "movingpandas-evergiven", "boat-positions.csv")
g = os.path.join(tmp, "ever.gpkg")
p = run("scan", ever, "--columns", "mmsi=ID,time=ais_pos_timestamp,lon=longitude,lat=latitude;time=dayfirst", "-o", g)
check(p.returncode == 0, "Ever Given CSV with --columns")
check(q(g, "SELECT count(DISTINCT mmsi) FROM vessels")[0][0] == 256, "Ever Given: 256 vessels")
kept = q(g, "SELECT count(*) FROM positions")[0][0]
check("22287 messages" in p.stderr, f"Ever Given: 22,287 positions read ({kept} kept after duplicates)")

gfw = os.path.join(DATA, "positions", "gfw-gpsdio-segment", "416000000.json")
g = os.path.join(tmp, "gfw.gpkg")
p = run("scan", gfw, "-o", g)
check(p.returncode == 0 and "1668 messages" in p.stderr, "GFW JSON lines: 1668 positions")
segs = q(g, "SELECT count(*) FROM vessels WHERE mmsi = 416000000")[0][0]
check(segs > 10, f"416000000, one MMSI shared by several ships, splits into segments ({segs})")

dma = os.path.join(SRC, "tests", "data", "dma_aisdk_sample.csv")
if os.path.exists(dma):
    g = os.path.join(tmp, "dma.gpkg")
    p = run("scan", dma, "-o", g)
    check(p.returncode == 0, "DMA CSV scans")

# gzip, zstd, directories
gz = os.path.join(tmp, "dir", "seine.log.gz")
os.makedirs(os.path.dirname(gz))
with open(SEINE, "rb") as f, gzip.open(gz, "wb") as out:
    out.write(f.read())
g = os.path.join(tmp, "dir.gpkg")
run("scan", os.path.dirname(gz), "--log-tz", "Europe/Paris", "-o", g)
check(counts(g) == c1, "a directory of gzip logs gives the same GeoPackage")

# --- bad input --------------------------------------------------------------------------
junk = os.path.join(tmp, "junk.txt")
with open(junk, "w") as f:
    f.write("hello\nthis is not AIS\n")
g = os.path.join(tmp, "junk.gpkg")
p = run("scan", junk, "-o", g, ok=False)
check(p.returncode == 2 and "no AIS messages" in p.stderr and not os.path.exists(g),
      f"a file that is not AIS: exit 2, a clear message, nothing written ({p.returncode})")
bad = os.path.join(tmp, "bad.csv")
with open(noaa) as f:
    lines = f.read().splitlines()
lines[3] = lines[3].replace(",", ",x", 1)          # broken number on line 4
lines[5] = ",".join(lines[5].split(",")[:5])       # short row on line 6
with open(bad, "wb") as f:
    f.write(("\n".join(lines[:7]) + "\n").encode() + b"367752440,2023-01-11T00:00:00,43.0\xff,-70.7,0,0,0,,,,,,,,,,A\n")
p = run("scan", bad, "-v", "-o", os.path.join(tmp, "bad.gpkg"))
check(p.returncode == 0, "a CSV with bad rows still scans")
check(":4: bad_field:" in p.stderr and ":6: short_row:" in p.stderr and ":8: bad_encoding:" in p.stderr,
      "--verbose reports each bad row with its line number and reason:\n" + p.stderr[:600])
# A gzip cut mid-file: what was read before the break is kept and written.
cut = os.path.join(tmp, "cut.log.gz")
with open(gz, "rb") as f:
    blob = f.read()
with open(cut, "wb") as f:
    f.write(blob[: len(blob) // 2])
g = os.path.join(tmp, "cut.gpkg")
p = run("scan", cut, "--log-tz", "Europe/Paris", "-o", g, ok=False)
n_cut = q(g, "SELECT count(*) FROM positions")[0][0] if os.path.exists(g) else 0
check(p.returncode == 0 and 10000 < n_cut < c1["positions"] and "what was read before is kept" in p.stderr,
      f"a truncated gzip keeps what came before the break ({n_cut} positions, exit {p.returncode})")

# --- vessels --------------------------------------------------------------------------
p = run("vessels", g1, "--mmsi", "226007020")
recs = [json.loads(l) for l in p.stdout.splitlines()]
check(p.returncode == 0 and recs and recs[0]["name"] == "BOSPHORE", "aiswatch vessels --mmsi prints the vessel")
p = run("vessels", g1, "--format", "csv")
check(p.returncode == 0 and p.stdout.count("\n") >= 39, "aiswatch vessels --format csv")

# --- the same result on any number of threads ------------------------------------------
# Tracks are built and events found by ranges of MMSIs on several threads: the layers
# must not depend on how many. Several real inputs (NMEA, CSV) so MMSIs span inputs.
multi = [SEINE, os.path.join(DATA, "positions", "noaa-marinecadastre")]
dumps = []
for threads in ("1", "3"):
    g = os.path.join(tmp, f"threads{threads}.gpkg")
    p = run("scan", "-q", "--threads", threads, *multi, "-o", g)
    check(p.returncode == 0, f"scan --threads {threads} exits 0")
    dumps.append({
        t: q(g, f"SELECT * FROM {t} ORDER BY 1, 2, 3, 4")
        for t in ("positions", "tracks", "vessels", "identity_history", "events", "event_tracks")})
for t in dumps[0]:
    check(dumps[0][t] == dumps[1][t] and (len(dumps[0][t]) > 0 or t in ("events", "event_tracks")),
          f"layer {t} is the same with 1 and 3 threads ({len(dumps[0][t])} vs {len(dumps[1][t])} rows)")

shutil.rmtree(tmp)
print(f"scan: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
