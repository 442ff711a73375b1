#!/usr/bin/env python3
"""aiswatch simulate end to end: the same seed gives the same bytes, every scenario writes
NMEA that decodes (nothing skipped unless `noise` is on), the truth file lists every
scenario's events and traps, and the decoded positions show what the truth says happened.
Speed is printed for information only."""
import atexit
import shutil
import csv, json, math, os, subprocess, sys, tempfile, time
from datetime import datetime, timezone

AW = os.environ.get("AW_BIN", "build/aiswatch")
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
passed = failed = 0

def ok(name, cond):
    global passed, failed
    if cond: passed += 1
    else:
        failed += 1
        print("FAIL:", name)

def run(*args):
    return subprocess.run([AW, *args], capture_output=True, text=True)

def sim(name, *args):
    out, truth = os.path.join(tmp, name + ".nmea"), os.path.join(tmp, name + ".jsonl")
    r = run("simulate", "-q", *args, "-o", out, "--truth", truth)
    return r, out, truth

def km(a, b, c, d):
    p = math.pi / 180
    h = math.sin((c - a) * p / 2) ** 2 + math.cos(a * p) * math.cos(c * p) * math.sin((d - b) * p / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, h)))

def epoch(iso):
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()

SCENARIOS = {"encounter": {"encounter", "loitering", "draught_change"}, "loitering": {"loitering"}, "gap": {"gap"},
             "dark_rendezvous": {"dark_rendezvous", "loitering", "gap"}, "identity_conflict": {"identity_conflict"},
             "identity_change": {"identity_change"}, "position_spoof": {"position_spoof"}}
TRAPS = ["passing", "short_meeting", "anchorage", "class_b", "near_port"]

# Determinism, and a different seed gives different bytes.
r1, a, _ = sim("det1", "--scenario", "all", "--vessels", "30", "--seed", "5")
r2, b, _ = sim("det2", "--scenario", "all", "--vessels", "30", "--seed", "5")
r3, c, _ = sim("det3", "--scenario", "all", "--vessels", "30", "--seed", "6")
ok("simulate exits 0", r1.returncode == 0 and r2.returncode == 0 and r3.returncode == 0)
ok("same seed, same bytes", open(a, "rb").read() == open(b, "rb").read())
ok("another seed, other bytes", open(a, "rb").read() != open(c, "rb").read())

# Each scenario alone: decodes, nothing skipped, its truth lines present.
for name, types in list(SCENARIOS.items()) + [(t, None) for t in TRAPS]:
    r, out, truth = sim("sc-" + name, "--scenario", name, "--vessels", "0")
    ok(name + ": exits 0", r.returncode == 0)
    d = run("decode", "--format", "none", out)
    ok(name + ": decodes", d.returncode == 0 and "messages by type" in d.stderr)
    ok(name + ": nothing skipped", "skipped: none" in d.stderr)
    lines = [json.loads(x) for x in open(truth)]
    if types:
        ok(name + ": truth lists its events", types == {x["type"] for x in lines if "type" in x})
    else:
        ok(name + ": truth lists the trap", [x["trap"] for x in lines] == [name])
    ok(name + ": truth lines name the scenario", all(x["scenario"].endswith(name) for x in lines))

# Everything together, with background traffic and noise.
r, out, truth = sim("all", "--scenario", "all", "--vessels", "50", "--seed", "11")
ok("all: exits 0", r.returncode == 0)
lines = [json.loads(x) for x in open(truth)]
events = [x for x in lines if "type" in x]
traps = [x for x in lines if "trap" in x]
ok("all: 15 planted events", len(events) == 15)
ok("all: 6 traps including noise", sorted(x["trap"] for x in traps) == sorted(TRAPS + ["noise"]))
ok("all: every event has start <= end and a position",
   all(epoch(x["start"]) <= epoch(x["end"]) and -90 <= x["lat"] <= 90 for x in events))
d = run("decode", "--format", "none", out)
ok("all with noise: bad checksums and lost fragments are counted",
   "bad_checksum=" in d.stderr and "incomplete_multipart=" in d.stderr)

# The decoded positions show what the truth claims (no noise, so exact).
r, out, truth = sim("clean", "--scenario",
                    "encounter,loitering,gap,dark_rendezvous,identity_conflict,identity_change,position_spoof,traps",
                    "--vessels", "0", "--seed", "2")
rows = list(csv.DictReader(subprocess.run([AW, "decode", "-q", "--format", "csv", out], capture_output=True,
                                          text=True).stdout.splitlines()))
pos, static = {}, {}
for x in rows:
    t, m = epoch(x["time"]), int(x["mmsi"])
    if x["lat"]:
        pos.setdefault(m, []).append((t, float(x["lat"]), float(x["lon"]), float(x["sog_kn"])))
    elif x["msg_type"] == "5":
        static.setdefault(m, []).append((t, x["shipname"], x["imo"], x["draught_m"]))
truth = {x.get("id") or x["trap"]: x for x in map(json.loads, open(truth))}

def within(m, t0, t1):
    return [p for p in pos.get(m, []) if t0 <= p[0] <= t1]

e = truth["encounter-1"]
t0, t1 = epoch(e["start"]), epoch(e["end"])
a, b = within(e["mmsi"][0], t0 + 60, t1 - 60), within(e["mmsi"][1], t0 + 60, t1 - 60)
ok("encounter: both slower than 1 kn alongside", all(p[3] < 1 for p in a + b) and len(a) > 100)
ok("encounter: at most 100 m apart, at least 2 h", t1 - t0 >= 7200 and max(
    min(km(p[1], p[2], q[1], q[2]) for q in b) for p in a) < 0.1)
before = within(e["mmsi"][0], t0 - 4 * 3600, t0 - 1800)
ok("encounter: converged from afar at speed", before and min(p[3] for p in before) > 10)
for k, sign in (("encounter-1-draught-a", -1), ("encounter-1-draught-b", 1)):
    ev = truth[k]
    dr = [(t, float(dm)) for t, _, _, dm in static[ev["mmsi"][0]]]
    old = [v for t, v in dr if t < epoch(ev["start"])]
    new = [v for t, v in dr if t >= epoch(ev["end"])]
    ok(k + ": draught moves 2 m or more", old and new and sign * (new[0] - old[-1]) >= 2)

lo = truth["loitering-1"]
ps = within(lo["mmsi"][0], epoch(lo["start"]) + 60, epoch(lo["end"]) - 60)
ok("loitering: below 1 kn for 6 h", all(p[3] < 1 for p in ps) and epoch(lo["end"]) - epoch(lo["start"]) >= 6 * 3600)

for gid, h in (("gap-1", 18), ("dark-rendezvous-1-gap", 14)):
    g = truth[gid]
    ps = pos[g["mmsi"][0]]
    inside = within(g["mmsi"][0], epoch(g["start"]) + 1, epoch(g["end"]) - 1)
    last = max(p for p in ps if p[0] <= epoch(g["start"]))
    first = min(p for p in ps if p[0] >= epoch(g["end"]))
    ok(gid + ": silent for %d h" % h, not inside and first[0] - last[0] >= h * 3600)
    ok(gid + ": resumes where a ship could be", km(last[1], last[2], first[1], first[2]) / 1.852 / h <= 15)

dr = truth["dark-rendezvous-1"]
g = truth["dark-rendezvous-1-gap"]
via = (km(g["lat"], g["lon"], dr["lat"], dr["lon"]) + km(dr["lat"], dr["lon"], g["end_lat"], g["end_lon"])) / 1.852
ok("dark rendezvous: reachable via the loiterer at <= 15 kn", via / 14 <= 15 and via >= 100)

ic = truth["identity-conflict-1"]
ps = within(ic["mmsi"][0], epoch(ic["start"]) + 600, epoch(ic["end"]) - 600)
far = [(p, q) for p, q in zip(ps, ps[1:]) if q[0] - p[0] < 120 and km(p[1], p[2], q[1], q[2]) > 450]
ok("identity conflict: one MMSI in two places 500 km apart at once", len(far) > 100)

nm = truth["identity-change-name"]
names = [(t, n) for t, n, _, _ in static[nm["mmsi"][0]]]
ok("identity change: renamed", {n for _, n in names} == {"GOLDEN LOTUS", "SEA MAPLE"})
imo = int(static[truth["identity-change-imo"]["mmsi"][0]][0][2])
digits = [int(ch) for ch in str(imo)]
ok("identity change: IMO check digit is wrong", sum(d * (7 - i) for i, d in enumerate(digits[:6])) % 10 != digits[6])
ok("identity change: MID 299", truth["identity-change-mid"]["mmsi"][0] // 1000000 == 299)

sp = truth["position-spoof-1"]
ps = within(sp["mmsi"][0], epoch(sp["start"]), epoch(sp["end"]) - 1)
ok("spoof: 30 min of positions far inland", ps and all(p[2] > 17.5 for p in ps))
ok("spoof: at sea before and after", all(p[2] < 13.5 for p in pos[sp["mmsi"][0]] if p not in ps))

an = truth["anchorage"]
ps = [within(m, epoch(an["start"]) + 600, epoch(an["end"]) - 600) for m in an["mmsi"]]
ok("anchorage trap: ten ships within 500 m of each other",
   all(km(a[0][1], a[0][2], b[0][1], b[0][2]) < 0.5 for a in ps for b in ps))
pa = truth["passing"]
a, b = pos[pa["mmsi"][0]], pos[pa["mmsi"][1]]
close = min(km(p[1], p[2], q[1], q[2]) for p in a for q in b if abs(p[0] - q[0]) < 40)
ok("passing trap: within 300 m at 12 kn", close < 0.3)

# Speed, for information: about a million messages.
t = time.time()
r = run("simulate", "--vessels", "2000", "--hours", "8", "--seed", "1", "-o", os.devnull)
print("speed:", r.stderr.strip())
print("simulate: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
