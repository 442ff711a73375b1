#!/usr/bin/env bash
# bench/watch.sh — `aiswatch watch` fed from a local TCP replay, all detectors on (land,
# ports), against peers on the same stream in the same run:
#   - socat reading the same TCP stream into /dev/null: the transport ceiling;
#   - gpsd's gpsdecode merely decoding the same sentences (from a file).
# Prints sustained messages/s of each and the ratios, then the latency from the message
# that completes an encounter to its alert on watch's stdout.
# Input: `aiswatch simulate --scenario all --vessels $BENCH_VESSELS (1000) --hours 24`.
# A benchmark, not a test. Environment: AW_BIN, AW_DATA, BENCH_VESSELS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${AW_DATA:-$root/../shared/data}
bin=${AW_BIN:-$root/build/aiswatch}
vessels=${BENCH_VESSELS:-1000}
out=$root/build/bench
die() { echo "bench: $*" >&2; exit 1; }
for tool in socat gpsdecode python3; do command -v $tool >/dev/null || die "$tool not found (scripts/install-deps.sh)"; done
[ -x "$bin" ] || die "$bin not built (make build)"
ports=$data/ports/wpi/UpdatedPub150.csv
land=$root/node_modules/world-atlas/land-10m.json
[ -f "$ports" ] || die "missing $ports (set AW_DATA)"
[ -f "$land" ] || die "missing $land (scripts/install-deps.sh)"
mkdir -p "$out"
input=$out/watch-$vessels.nmea
if [ ! -s "$input" ]; then
  "$bin" simulate --scenario all --vessels "$vessels" --hours 24 --seed 7 -o "$input.tmp" >/dev/null 2>&1
  mv "$input.tmp" "$input"
fi
exec python3 - "$bin" "$input" "$land" "$ports" <<'PY'
import json, os, socket, subprocess, sys, threading, time
bin, path, land, ports = sys.argv[1:5]
data = open(path, "rb").read()
lines = data.splitlines(keepends=True)
geo = ["--land", land, "--ports", ports]

watcher = []

def cpu_of(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])

def wait_idle():
    """Until the watch has worked through what it was sent (its CPU time stands still)."""
    while not watcher:
        time.sleep(0.01)
    last, still = -1, 0
    for _ in range(2400):
        c = cpu_of(watcher[0].pid)
        still = still + 1 if c == last else 0
        if still >= 10:
            return
        last = c
        time.sleep(0.05)

def sender(chunks, pause_before=None, ready=None, sent_at=None):
    """A one-connection TCP server on 127.0.0.1 sending `chunks`; returns its port."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    def run():
        c, _ = srv.accept()
        for i, ch in enumerate(chunks):
            if pause_before is not None and i == pause_before:
                wait_idle()
                sent_at.append(time.monotonic())
            c.sendall(ch)
        c.close()
        srv.close()
    threading.Thread(target=run, daemon=True).start()
    return srv.getsockname()[1]

blocks = [data[i:i + (4 << 20)] for i in range(0, len(data), 4 << 20)]
def messages_of(stderr):
    return int(stderr.split(" messages")[0].split(", ")[-1])

def watch_rate(extra):
    port = sender(blocks)
    t0 = time.monotonic()
    p = subprocess.run([bin, "watch", f"tcp://127.0.0.1:{port}", *geo, "--once", "--alerts", "/dev/null", *extra],
                       capture_output=True, text=True)
    el = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("watch failed: " + p.stderr[-2000:])
    det = [l for l in p.stderr.splitlines() if "detector runs" in l][0].strip()
    stream = [l for l in p.stderr.splitlines() if "streaming:" in l][0]
    t_stream = float(stream.split(" in ")[1].split(" s")[0])
    return messages_of(p.stderr), el, det, t_stream

if not os.environ.get("BENCH_LATENCY_ONLY"):
    # transport ceiling: socat from the same sender to /dev/null
    port = sender(blocks)
    t0 = time.monotonic()
    subprocess.run(["socat", "-u", f"TCP:127.0.0.1:{port}", "OPEN:/dev/null"], check=True)
    t_socat = time.monotonic() - t0
    # gpsdecode: decode only, from the file
    t0 = time.monotonic()
    with open(path, "rb") as f:
        subprocess.run(["gpsdecode", "-u", "-j"], stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_gpsd = time.monotonic() - t0
    n, t_w, det, ts = watch_rate([])
    n1, t_w1, det1, ts1 = watch_rate(["--max-busy", "1"])
    print(f"input: {len(lines)} lines, {len(data)/1e6:.0f} MB, {n} messages ({path})")
    print(f"socat TCP -> /dev/null         {t_socat:7.2f} s  {n/t_socat:12,.0f} messages/s (transport ceiling)")
    print(f"gpsdecode -u -j (decode only)  {t_gpsd:7.2f} s  {n/t_gpsd:12,.0f} messages/s")
    print(f"aiswatch watch (default)       {t_w:7.2f} s  {n/t_w:12,.0f} messages/s   {det}")
    print(f"  of which streaming           {ts:7.2f} s  {n/ts:12,.0f} messages/s   (the rest: start-up and the final run)")
    print(f"aiswatch watch --max-busy 1    {t_w1:7.2f} s  {n/t_w1:12,.0f} messages/s   {det1}")
    print(f"  of which streaming           {ts1:7.2f} s  {n/ts1:12,.0f} messages/s")
    print(f"ratios: watch / gpsdecode = {t_gpsd/t_w:.2f}x, watch / socat = {t_socat/t_w:.2f} of the transport ceiling")

# latency: find the tick that alerts the planted encounter, send everything before the
# message that triggers it, wait until the watch is idle, send that message, time the alert.
port = sender(blocks)
p = subprocess.run([bin, "watch", f"tcp://127.0.0.1:{port}", *geo, "--once", "--max-busy", "1", "-q",
                    "--no-dark"], capture_output=True, text=True)
enc = [json.loads(l) for l in p.stdout.splitlines() if '"alert":"new"' in l and '"encounter"' in l]
planted = [a for a in enc if "613100001" in a["id"]] or enc
if not planted:
    sys.exit("no encounter alerted")
ft = planted[0]["feed_time"]
import datetime
f_s = datetime.datetime.fromisoformat(ft.replace("Z", "+00:00")).timestamp()
def tag(l):
    i = l.find(b"c:")
    return int(l[i + 2:l.index(b"*", i)].split(b",")[0]) if i >= 0 else 0
k = next(i for i, l in enumerate(lines) if tag(l) >= f_s)
sent_at = []
chunks = [b"".join(lines[:k]), lines[k], b"".join(lines[k + 1:])]
port = sender(chunks, pause_before=1, sent_at=sent_at)
w = subprocess.Popen([bin, "watch", f"tcp://127.0.0.1:{port}", *geo, "--once", "--max-busy", "1", "-q", "--no-dark"],
                     stdout=subprocess.PIPE, text=True, bufsize=1)
watcher.append(w)
got = None
for line in w.stdout:
    if planted[0]["id"] in line and '"alert":"new"' in line:
        got = time.monotonic()
        break
w.stdout.close()
w.wait()
if got is None or not sent_at:
    sys.exit("latency: the encounter alert did not come")
print(f"latency: message that completes {planted[0]['id']} -> its alert: {(got - sent_at[0]) * 1000:.1f} ms "
      f"(one detector run over the window at that point; feed time of the tick {ft})")
PY
