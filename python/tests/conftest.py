"""Shared fixtures: the CLI and library of the build under test, and a simulated day and a
half of traffic with every planted event, split into files, scanned once by the CLI.

The runner (tests/test_python.sh) sets AW_BIN (the program) and AISWATCH_LIB (the shared
library beside it); run by hand: AW_BIN=build/aiswatch python3 -m pytest python/tests."""
import csv
import json
import os
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
AW = os.environ.get("AW_BIN") or os.path.join(ROOT, "build", "aiswatch")
# 2023-11-14 22:13:20 UTC: the planted encounter, loiterings, gaps and the dark rendezvous
# then run across 00:00, 06:00 and 12:00 UTC, where 6-hour partitions begin.
START = 1700000000
PARTITION_H = 6


def run(*args, check=True):
    p = subprocess.run([AW, *map(str, args)], capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"aiswatch {' '.join(map(str, args))} failed: {p.stderr[-2000:]}")
    return p


def split_nmea(path, outdir, parts):
    """Cuts an NMEA log into `parts` files at lines that begin a message."""
    lines = open(path, "rb").read().splitlines()
    out, f = [[] for _ in range(parts)], 0
    cuts = [len(lines) * i // parts for i in range(1, parts)]
    for i, line in enumerate(lines):
        if f < parts - 1 and i >= cuts[f]:
            m = re.search(rb"!AIVDM,(\d),(\d),", line)
            if m and m.group(2) == b"1":
                f += 1
        out[f].append(line)
    paths = []
    for i, chunk in enumerate(out):
        p = os.path.join(outdir, f"part{i}.nmea")
        with open(p, "wb") as fh:
            fh.write(b"\n".join(chunk) + b"\n")
        paths.append(p)
    return paths


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    nmea, truth, ports = d / "all.nmea", d / "truth.jsonl", d / "ports.csv"
    run("simulate", "--scenario", "all", "--vessels", 60, "--hours", 36, "--seed", 11, "--start", START,
        "-o", nmea, "--truth", truth, "--ports-out", ports)
    inputs = d / "inputs"
    inputs.mkdir()
    files = split_nmea(nmea, inputs, 4)
    # A watch list naming the encounter's vessels by IMO, so sanctions reach the events.
    plain = d / "plain.gpkg"
    run("scan", inputs, "--ports", ports, "-o", plain)
    ev = [json.loads(l) for l in run("events", plain, "--type", "encounter", "--format", "jsonl").stdout.splitlines()]
    watch = d / "watch.csv"
    with open(watch, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["imo", "mmsi", "name", "list", "program"])
        for e in ev[:1]:
            for imo in e["imo"]:
                if imo:
                    w.writerow([imo, "", "LISTED VESSEL", "test watch list", "TEST"])
    single = d / "single.gpkg"
    run("scan", inputs, "--ports", ports, "--lists", watch, "-o", single)
    events = run("events", single, "--format", "jsonl").stdout
    return {"dir": d, "nmea": str(nmea), "files": [str(p) for p in files], "inputs": str(inputs), "ports": str(ports),
            "watch": str(watch), "single": str(single), "events": events, "plain": str(plain)}
