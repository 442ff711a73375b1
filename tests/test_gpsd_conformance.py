#!/usr/bin/env python3
"""gpsd conformance: `aiswatch decode --gpsd` against gpsd's own regression files.

Runs the CLI the way a gpsd user would and compares, object by object as parsed
JSON (the "device" key ignored), with the expected output gpsd ships:

  - sample.aivdm            -> sample.aivdm.ju.chk (unscaled, gpsdecode -u -j)
  - sample.aivdm --scaled   -> sample.aivdm.js.chk (scaled, gpsdecode -j)
  - every *.log             -> the AIS objects of its *.log.chk (gpsd daemon
    replays: the .chk interleaves echoed input with JSON; keep "class":"AIS",
    drop consecutive duplicates, which the daemon repeats after GPS reports).

Differences we accept on purpose are listed in KNOWN_EXCEPTIONS, each with its
reason; docs/gpsd-differences.md explains them. Anything else fails.

Environment: AW_BIN (the aiswatch program), AW_DATA (the shared data directory).
"""
import glob
import json
import os
import subprocess
import sys

# (file, object index, key) -> reason. Keep this short; each entry is documented
# in docs/gpsd-differences.md.
KNOWN_EXCEPTIONS = {}


def fail_setup(msg):
    print("gpsd_conformance: setup error: " + msg, file=sys.stderr)
    print("gpsd_conformance: 0 passed, 1 failed")
    sys.exit(1)


def parse_lines(text, what):
    objs = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise SystemExit("gpsd_conformance: %s line %d is not JSON (%s): %s" % (what, n, e, line[:200]))
        obj.pop("device", None)
        objs.append(obj)
    return objs


def chk_ais_objects(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        objs = [o for o in parse_lines(f.read(), path) if o.get("class") == "AIS"]
    out = []
    for o in objs:
        if out and out[-1] == o:
            continue
        out.append(o)
    return out


def run_decode(aw_bin, path, scaled):
    cmd = [aw_bin, "decode", "--gpsd"] + (["--scaled"] if scaled else []) + [path]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("gpsd_conformance: %s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr[-500:]))
    return parse_lines(r.stdout, " ".join(cmd))


def describe(obj):
    return "type %s mmsi %s" % (obj.get("type"), obj.get("mmsi"))


def compare(name, got, want, dedup):
    """Returns (passed, failures) for one input file."""
    if dedup:
        # the daemon repeats an AIS object after GPS reports; our output has no GPS
        # reports, but two identical consecutive messages would be collapsed in .chk
        deduped = []
        for o in got:
            if deduped and deduped[-1] == o:
                continue
            deduped.append(o)
        got = deduped
    failures = []
    passed = 0
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g is None or w is None:
            failures.append("%s object %d: %s" % (name, i, "missing in output, expected " + describe(w) if g is None
                                                  else "unexpected extra object " + describe(g)))
            continue
        if g == w:
            passed += 1
            continue
        diffs = []
        for k in list(w.keys()) + [k for k in g.keys() if k not in w]:
            if g.get(k, "<absent>") != w.get(k, "<absent>"):
                if (name, i, k) in KNOWN_EXCEPTIONS:
                    continue
                diffs.append("%s: got %r, expected %r" % (k, g.get(k, "<absent>"), w.get(k, "<absent>")))
        if diffs:
            failures.append("%s object %d (%s): %s" % (name, i, describe(w), "; ".join(diffs)))
        else:
            passed += 1
    return passed, failures


def main():
    aw_bin = os.environ.get("AW_BIN")
    aw_data = os.environ.get("AW_DATA")
    if not aw_bin or not os.access(aw_bin, os.X_OK):
        fail_setup("AW_BIN must name the built aiswatch program (got %r)" % aw_bin)
    if not aw_data or not os.path.isdir(os.path.join(aw_data, "nmea", "gpsd")):
        fail_setup("AW_DATA must name the shared data directory with nmea/gpsd/ (got %r)" % aw_data)
    gdir = os.path.join(aw_data, "nmea", "gpsd")

    cases = [
        ("sample.aivdm (unscaled)", "sample.aivdm", "sample.aivdm.ju.chk", False, False),
        ("sample.aivdm (scaled)", "sample.aivdm", "sample.aivdm.js.chk", True, False),
    ]
    for log in sorted(glob.glob(os.path.join(gdir, "*.log"))):
        base = os.path.basename(log)
        if os.path.exists(log + ".chk"):
            cases.append((base, base, base + ".chk", False, True))

    total_pass = total_fail = 0
    for name, inp, chk, scaled, daemon in cases:
        got = run_decode(aw_bin, os.path.join(gdir, inp), scaled)
        if daemon:
            want = chk_ais_objects(os.path.join(gdir, chk))
        else:
            with open(os.path.join(gdir, chk), encoding="utf-8") as f:
                want = parse_lines(f.read(), chk)
        passed, failures = compare(name, got, want, daemon)
        total_pass += passed
        total_fail += len(failures)
        status = "ok" if not failures else "FAIL"
        print("%-32s %4d objects, %4d passed, %3d failed  %s" % (name, len(want), passed, len(failures), status))
        for f in failures[:20]:
            print("    " + f)
        if len(failures) > 20:
            print("    ... %d more" % (len(failures) - 20))

    print("gpsd_conformance: %d passed, %d failed" % (total_pass, total_fail))
    sys.exit(1 if total_fail else 0)


if __name__ == "__main__":
    main()
