"""Every file under shared/data/nmea decodes without a crash, with the counts checked.

The expected counts in tests/expected/corpus_counts.json were reviewed by hand against the
files (bad checksums, truncated multiparts, empty payloads, type 28+ junk, Gatehouse stamps
with bad checksums, literal "\r\n" joins); any change in them is a behaviour change to explain.
Run with UPDATE=1 to print the current counts instead of checking them."""
import json
import os
import re
import subprocess
import sys

AW_BIN = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
EXPECTED = os.path.join(os.path.dirname(__file__), "expected", "corpus_counts.json")
NMEA = os.path.join(DATA, "nmea")
if not os.path.isdir(NMEA):
    sys.exit(f"missing test data {NMEA}: this test needs ../shared/data (set AW_DATA)")

SKIP_SUFFIXES = (".chk", ".json")


def summary(path, *extra):
    p = subprocess.run([AW_BIN, "decode", "--format", "none", *extra, path],
                       capture_output=True, text=True, timeout=120)
    if p.returncode < 0:
        raise AssertionError(f"{path}: killed by signal {-p.returncode}\n{p.stderr}")
    counts = {"exit": p.returncode}
    m = re.search(r"(\d+) lines, (\d+) AIS sentences, (\d+) messages", p.stderr)
    if not m:
        raise AssertionError(f"{path}: no summary on stderr:\n{p.stderr}")
    counts["lines"], counts["sentences"], counts["messages"] = map(int, m.groups())
    for section in ("messages by type", "skipped", "notes"):
        line = re.search(section + r":(.*)", p.stderr).group(1)
        for k, v in re.findall(r"(\w+)=(\d+)", line):
            counts[("type_" if section == "messages by type" else "") + k] = int(v)
    return counts


def main():
    files = []
    for root, _, names in os.walk(NMEA):
        for n in sorted(names):
            if not n.endswith(SKIP_SUFFIXES):
                files.append(os.path.relpath(os.path.join(root, n), NMEA))
    files.sort()
    got = {}
    passed = failed = 0
    for rel in files:
        path = os.path.join(NMEA, rel)
        c = summary(path)
        c1 = summary(path, "--threads", "1")
        got[rel] = c
        if c != c1:
            print(f"FAIL {rel}: 1 thread and all threads disagree:\n  {c1}\n  {c}")
            failed += 1
            continue
        passed += 1
    if os.environ.get("UPDATE"):
        print(json.dumps(got, indent=1, sort_keys=True))
        return 0
    with open(EXPECTED) as f:
        expected = json.load(f)
    for rel in files:
        exp = expected.get(rel)
        if exp is None:
            print(f"FAIL {rel}: no expected counts (run with UPDATE=1 and review)")
            failed += 1
        elif exp != got[rel]:
            diff = {k: (got[rel].get(k), exp.get(k)) for k in set(exp) | set(got[rel]) if exp.get(k) != got[rel].get(k)}
            print(f"FAIL {rel}: counts differ (got, expected): {diff}")
            failed += 1
        else:
            passed += 1
    print(f"corpus: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
