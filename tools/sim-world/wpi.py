"""Looks up World Port Index entries by name, to pick the ports of ports.txt.
Usage: python3 wpi.py NAME... (reads ../shared/data/ports/wpi/UpdatedPub150.csv, or $AW_DATA)."""
import csv
import os
import sys

data = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))
with open(os.path.join(data, "ports", "wpi", "UpdatedPub150.csv"), encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
for q in sys.argv[1:]:
    for r in rows:
        if q.lower() in r["Main Port Name"].lower():
            print(q, "|", r["Main Port Name"], r["World Port Index Number"], r["Latitude"], r["Longitude"],
                  r["UN/LOCODE"], r["Country Code"], r["Harbor Size"], r["Harbor Type"])
