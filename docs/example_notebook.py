"""A first session with aiswatch in Python: run it as a script or paste the cells into Jupyter.

    make                                              # builds build/aiswatch and build/libaiswatch.so
    PYTHONPATH=python /usr/bin/python3 docs/example_notebook.py

It simulates a day of traffic with planted events (so it needs no data), decodes it,
scans it, looks at an encounter and the ships in it, screens one of them against a watch
list, reads the GeoPackage back, and runs the same scan on a small Dask cluster.
"""
# %% Setup: the program (for the simulator) and a scratch folder
import csv
import os
import subprocess
import tempfile

import aiswatch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
AW = os.environ.get("AW_BIN", os.path.join(ROOT, "build", "aiswatch"))
work = tempfile.mkdtemp(prefix="aiswatch-example-")
nmea, ports = os.path.join(work, "day.nmea"), os.path.join(work, "ports.csv")
subprocess.run([AW, "simulate", "--scenario", "all", "--vessels", "50", "--seed", "3", "-o", nmea,
                "--ports-out", ports], check=True, capture_output=True)
print("simulated:", nmea, os.path.getsize(nmea) // 1000, "kB")

# %% Decode: one row per message, in input order
msgs = aiswatch.decode(nmea)
print(len(msgs), "messages;", msgs["mmsi"].nunique(), "MMSIs")
print(msgs["msg_type"].value_counts().sort_index().to_string())
print("skipped:", msgs.attrs["input"]["stats"]["rejects"])  # bad checksums, lost fragments…
fast = msgs[msgs["sog_kn"] > 20]
print("reports faster than 20 kn:", len(fast))

# %% Scan: tracks, vessels, events (with the simulator's ports, so port rules apply)
run = aiswatch.scan([nmea], output=os.path.join(work, "run.gpkg"), ports=ports)
ev = run.events
print(ev[["type", "start", "duration_h", "mmsi", "names"]].to_string())

# %% One encounter: its measures, and both ships' positions during it
enc = ev[ev["type"] == "encounter"].iloc[0]
print(enc["id"])
print({k: round(v, 2) if isinstance(v, float) else v for k, v in enc["measures"].items()})
pos = run.positions
both = pos[pos["mmsi"].isin(enc["mmsi"]) & pos["time"].between(enc["start"].tz_localize(None),
                                                                  enc["end"].tz_localize(None))]
print(both.groupby("mmsi")[["sog_kn", "lat", "lon"]].agg(["mean", "count"]).round(3).to_string())

# %% Who they are: identities and their history
v = run.vessels
print(v[v["mmsi"].isin(enc["mmsi"])][["mmsi", "name", "imo", "flag", "ship_type_text", "draught_m"]].to_string())
h = run.identity_history
print(h[h["mmsi"].isin(enc["mmsi"]) & (h["field"] == "draught_m")].to_string())

# %% Screening: put one of them on a watch list and ask
watch = os.path.join(work, "watch.csv")
imo = int(v[v["mmsi"] == enc["mmsi"][0]]["imo"].iloc[0])
with open(watch, "w", newline="") as f:
    csv.writer(f).writerows([["imo", "mmsi", "name", "list", "program"], [imo, "", "EXAMPLE", "my list", "DEMO"]])
print(aiswatch.screen(watch, imo=imo)[["list", "basis", "score", "matched"]].to_string())
listed = aiswatch.scan([nmea], ports=ports, lists=watch)
print("events with a listed participant:",
      sum(1 for s in listed.vessels["sanctions"] if s), "vessel(s) matched")

# %% The GeoPackage, read back (opens in QGIS too)
layers = aiswatch.read_gpkg(os.path.join(work, "run.gpkg"), geo=False)
print({name: len(df) for name, df in layers.items()})

# %% The same scan on a Dask cluster of 2 local processes: the same events
# In Jupyter:  import aiswatch.dask; aiswatch.dask.scan("local:2", [nmea], "dask.gpkg", ports=ports)
# A script must not start local worker processes at import time (they import the script
# again), so here the program runs it: `aiswatch scan --dask` hands the job to aiswatch.dask.
def events_of(gpkg):
    return subprocess.run([AW, "events", gpkg, "--format", "jsonl"], capture_output=True, text=True).stdout


if __name__ == "__main__":
    dask_gpkg = os.path.join(work, "dask.gpkg")
    p = subprocess.run([AW, "scan", "--dask", "local:2", nmea, "--ports", ports, "--partition-h", "6",
                        "-o", dask_gpkg], capture_output=True, text=True)
    if p.returncode == 0:
        print(p.stderr.strip().splitlines()[-2])
        print("Dask: events identical to the single scan:", events_of(dask_gpkg) == events_of(os.path.join(work, "run.gpkg")))
    else:
        print("Dask run failed (python3-dask and python3-distributed installed?):", p.stderr[-500:])
    print("files in", work)
