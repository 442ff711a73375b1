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

    p, f = check_type24_across_chunks(aw_bin, gdir)
    total_pass += p
    total_fail += f

    print("gpsd_conformance: %d passed, %d failed" % (total_pass, total_fail))
    sys.exit(1 if total_fail else 0)


def check_type24_across_chunks(aw_bin, gdir):
    """gpsd merges a type 24 part B with the part A before it in the input. Decoding
    workers each see only some 4 MB chunks, so the merge must not depend on which worker
    got which chunk: each part A here is followed by 5 MB of position reports before its
    part B, so the two always lie in different chunks. The output must be the same with 1,
    2 and 3 threads, and hold every pair merged."""
    with open(os.path.join(gdir, "sample.aivdm"), encoding="ascii", errors="replace") as f:
        lines = [ln.strip() for ln in f if ln.startswith("!AIVDM,1,1,")]
    part_a = "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D"        # 271041815 "PROGUY"
    part_b = "!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40"       # 271041815
    filler = [ln for ln in lines if ln.split(",")[5][:1] in ("1", "2", "3")]
    if part_a not in lines or part_b not in lines or not filler:
        print("type 24 across chunks: sample.aivdm lacks the expected sentences  FAIL")
        return 0, 1
    block = ("\n".join(filler) + "\n").encode()
    fill = block * (5_000_000 // len(block) + 1)
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t24.nmea")
        with open(path, "wb") as out:
            for _ in range(6):
                out.write((part_a + "\n").encode())
                out.write(fill)
                out.write((part_b + "\n").encode())
        outs = {}
        for threads in (1, 2, 3):
            r = subprocess.run([aw_bin, "decode", "--gpsd", "-q", "--threads", str(threads), path],
                               capture_output=True)
            if r.returncode != 0:
                print("type 24 across chunks: --threads %d exited %d  FAIL" % (threads, r.returncode))
                return 0, 1
            outs[threads] = r.stdout
    merged = [o for o in parse_lines(outs[1].decode(), "t24") if o.get("type") == 24]
    failures = 0
    if len(merged) != 6 or any(o.get("shipname") != "PROGUY" or o.get("callsign") != "TC6163" for o in merged):
        print("type 24 across chunks: %d merged objects, expected 6 named PROGUY  FAIL" % len(merged))
        failures += 1
    for threads in (2, 3):
        if outs[threads] != outs[1]:
            print("type 24 across chunks: --threads %d output differs from --threads 1  FAIL" % threads)
            failures += 1
    if not failures:
        print("type 24 across chunks: 6 pairs merged, same output on 1, 2 and 3 threads  ok")
    return (1 if not failures else 0), failures


if __name__ == "__main__":
    main()
