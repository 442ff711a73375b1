#!/usr/bin/env python3
"""bench/postgis/compare.py — aiswatch's encounters against those of encounters.sql.

usage: compare.py AISWATCH.jsonl POSTGIS_EVENTS.csv POSTGIS_RUNS.csv [AISWATCH_IDENTITY.jsonl] [TRUTH.jsonl]

Two encounters match when they have the same MMSI pair and their time spans overlap (one to
one, in time order). For each encounter only one side found it says what the other side
saw: a PostGIS run of that pair rejected by a filter (and which), the MMSI split into
segments by aiswatch's track stage (identity or spoofing events on it), or nothing close.
The last line starts with "summary:".
"""
import csv
import json
import sys
from datetime import datetime, timezone


def iso(s):
    return datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def epoch(text):
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def describe(e):
    return (f"{e['a']}-{e['b']} {iso(e['start'])}..{iso(e['end'])} ({e['hours']:.2f} h, "
            f"median kn {fmt(e['kn1'])}/{fmt(e['kn2'])}, at {e['lat']:.4f},{e['lon']:.4f})")


def fmt(x):
    return "?" if x is None else f"{x:.2f}"


def num(s):
    return None if s in ("", None) else float(s)


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    aw = []
    with open(argv[1]) as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            m = o["measures"]
            a, b = sorted(o["mmsi"])
            aw.append(dict(a=a, b=b, start=epoch(o["start"]), end=epoch(o["end"]), hours=o["duration_h"],
                           kn1=m.get("median_speed_kn_1"), kn2=m.get("median_speed_kn_2"), lat=o["lat"],
                           lon=o["lon"], segments=o.get("segment") or [0, 0]))
    pg = []
    with open(argv[2], newline="") as f:
        for r in csv.DictReader(f):
            a, b = sorted((int(r["mmsi_a"]), int(r["mmsi_b"])))
            pg.append(dict(a=a, b=b, start=int(float(r["start_s"])), end=int(float(r["end_s"])),
                           hours=float(r["duration_h"]), kn1=num(r["median_speed_kn_1"]),
                           kn2=num(r["median_speed_kn_2"]), lat=float(r["lat"]), lon=float(r["lon"])))
    runs = {}
    with open(argv[3], newline="") as f:
        for r in csv.DictReader(f):
            a, b = sorted((int(r["mmsi_a"]), int(r["mmsi_b"])))
            runs.setdefault((a, b), []).append(dict(a=a, b=b, start=int(float(r["start_s"])), end=int(float(r["end_s"])),
                                                    hours=float(r["duration_h"]), kn1=num(r["median_speed_kn_1"]),
                                                    kn2=num(r["median_speed_kn_2"]), lat=float(r["lat"]),
                                                    lon=float(r["lon"]), reason=r["reason"] or "kept"))
    split = {}  # MMSI -> the aiswatch events that show its track was split into segments
    if len(argv) > 4 and argv[4]:
        with open(argv[4]) as f:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    for m in o["mmsi"]:
                        split.setdefault(m, set()).add(o["type"])
    truth = []
    if len(argv) > 5 and argv[5]:
        with open(argv[5]) as f:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    if o.get("type") == "encounter":
                        truth.append(o)

    pg_left = sorted(pg, key=lambda e: (e["start"], e["a"], e["b"]))
    by_pair = {}
    for e in pg_left:
        by_pair.setdefault((e["a"], e["b"]), []).append(e)
    matched, identical, only_aw = [], 0, []
    for e in sorted(aw, key=lambda e: (e["start"], e["a"], e["b"])):
        cands = [p for p in by_pair.get((e["a"], e["b"]), []) if p["start"] <= e["end"] and e["start"] <= p["end"]]
        if cands:
            p = cands[0]
            by_pair[(e["a"], e["b"])].remove(p)
            matched.append((e, p))
            identical += p["start"] == e["start"] and p["end"] == e["end"]
        else:
            only_aw.append(e)
    only_pg = [p for ps in by_pair.values() for p in ps]

    def why_not_pg(e):
        rs = [r for r in runs.get((e["a"], e["b"]), []) if r["start"] <= e["end"] and e["start"] <= r["end"]]
        seg = sorted(set().union(*(split.get(m, set()) for m in (e["a"], e["b"]))))
        tail = f"; aiswatch split an MMSI into segments ({', '.join(seg)})" if seg or any(e["segments"]) else ""
        if not rs:
            return "PostGIS has no close bins of this pair then" + tail
        return "PostGIS run(s) rejected: " + "; ".join(f"{r['reason']} ({r['hours']:.2f} h, kn {fmt(r['kn1'])}/{fmt(r['kn2'])}, "
                                                     f"{iso(r['start'])}..{iso(r['end'])})" for r in rs) + tail

    def why_not_aw(p):
        seg = sorted(set().union(*(split.get(m, set()) for m in (p["a"], p["b"]))))
        if seg:
            return f"aiswatch split an MMSI into segments ({', '.join(seg)}): its pairs differ"
        edge = []
        if abs(p["hours"] - 2.0) < 0.2:
            edge.append("duration at the 2 h threshold")
        if any(k is not None and abs(k - 2.0) < 0.15 for k in (p["kn1"], p["kn2"])):
            edge.append("median speed at the 2 kn threshold")
        return "not found by aiswatch" + (" (" + ", ".join(edge) + ")" if edge else "")

    print(f"aiswatch {len(aw)}, PostGIS {len(pg)}: matched {len(matched)} ({identical} with identical start and end), "
          f"only aiswatch {len(only_aw)}, only PostGIS {len(only_pg)}")
    shift = [(abs(p["start"] - e["start"]) + abs(p["end"] - e["end"])) / 60 for e, p in matched if
             (p["start"], p["end"]) != (e["start"], e["end"])]
    if shift:
        print(f"  matched with other bounds: {len(shift)}, start+end differ by {min(shift):.0f}-{max(shift):.0f} min")
        for e, p in matched:
            if (p["start"], p["end"]) != (e["start"], e["end"]):
                print(f"    aiswatch {describe(e)}\n     PostGIS {describe(p)}")
    for e in only_aw:
        print(f"  only aiswatch: {describe(e)}: {why_not_pg(e)}")
    for p in only_pg:
        print(f"  only PostGIS:  {describe(p)}: {why_not_aw(p)}")
    for t in truth:
        a, b = sorted(t["mmsi"])
        s, en = epoch(t["start"]), epoch(t["end"])
        f_aw = any(e["a"] == a and e["b"] == b and e["start"] <= en and s <= e["end"] for e in aw)
        f_pg = any(e["a"] == a and e["b"] == b and e["start"] <= en and s <= e["end"] for e in pg)
        print(f"  planted {t.get('id', '?')} {a}-{b}: aiswatch {'found' if f_aw else 'MISSED'}, "
              f"PostGIS {'found' if f_pg else 'MISSED'}")
    print(f"summary: aiswatch {len(aw)} encounters, PostGIS {len(pg)}, matched {len(matched)} "
          f"({identical} identical), only aiswatch {len(only_aw)}, only PostGIS {len(only_pg)}")


if __name__ == "__main__":
    main(sys.argv)
