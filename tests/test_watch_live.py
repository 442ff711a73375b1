"""`aiswatch watch` end to end, on 127.0.0.1 only: a replay server streams a simulated
scenario (times from tag blocks, faster than real time); the alerts must end equal to
`aiswatch scan` + `aiswatch events` on the same file and match the scenario's truth; the
feed drops and returns without losing anything; kill -9 in the middle of an encounter
and a restart with the same --state report it once, complete; a webhook that fails
first is retried; a slow webhook does not hold up reading; an MQTT broker away at start
gets every alert when it comes; hostile input over TCP and UDP is counted, not fatal;
two feeders on one listener do not mix."""
import http.server
import json
import select
import os
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

AW = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
SRC = os.environ.get("AW_SRC", os.path.join(os.path.dirname(__file__), ".."))
PORTS = os.path.join(DATA, "ports", "wpi", "UpdatedPub150.csv")
LAND = os.path.join(SRC, "node_modules", "world-atlas", "land-10m.json")
if not os.path.exists(PORTS):
    sys.exit(f"missing test data {PORTS}: this test needs ../shared/data (set AW_DATA)")
if not os.path.exists(LAND):
    sys.exit(f"missing {LAND}: run scripts/install-deps.sh (npm ci)")
GEO = ["--land", LAND, "--ports", PORTS]
tmp = tempfile.mkdtemp()
failures = []
passed = 0


T0 = time.time()


def section(name):
    print(f"[{time.time() - T0:6.1f} s] {name}", flush=True)


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what)


nmea, truth_path, gpkg = (os.path.join(tmp, "s." + x) for x in ("nmea", "truth", "gpkg"))
subprocess.run([AW, "simulate", "--scenario", "all", "--vessels", "5", "--hours", "24", "--seed", "3", "-o", nmea,
                "--truth", truth_path], check=True, capture_output=True)
subprocess.run([AW, "scan", nmea, *GEO, "--no-positions", "-o", gpkg], check=True,
               capture_output=True)
scan = {e["id"]: e for e in map(json.loads, subprocess.run([AW, "events", gpkg], capture_output=True, text=True,
                                                            check=True).stdout.splitlines())}
truth = [json.loads(l) for l in open(truth_path)]
lines = open(nmea, "rb").read().splitlines(keepends=True)


def tag_time(line):
    i = line.find(b"c:")
    return int(line[i + 2:line.index(b"*", i)].split(b",")[0]) if i >= 0 else None


class Replay(socketserver.ThreadingTCPServer):
    """Connection k streams plan[k] = (first line, last line, pause_event or None); later
    connections get nothing and stay open."""
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, plan):
        self.plan, self.conns, self.stop = plan, 0, threading.Event()
        super().__init__(("127.0.0.1", 0), ReplayHandler)


class ReplayHandler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        k = srv.conns
        srv.conns += 1
        if k >= len(srv.plan):
            srv.stop.wait(60)
            return
        a, b, pause = srv.plan[k]
        try:
            for i in range(a, b, 2000):
                self.request.sendall(b"".join(lines[i:min(i + 2000, b)]))
            if pause is not None:
                pause.wait(60)
        except OSError:
            pass


def serve(plan):
    srv = Replay(plan)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def read_alerts(*paths):
    out = []
    for p in paths:
        if os.path.exists(p):
            out += [json.loads(l) for l in open(p) if l.strip()]
    return out


def final_events(alerts):
    last = {}
    for a in alerts:
        if a["alert"] in ("new", "update"):
            last[a["id"]] = a["event"]
        elif a["alert"] == "withdrawn":
            last.pop(a["id"], None)
    return last


def same_as_scan(last, what):
    check(set(last) == set(scan), f"{what}: alerted ids {sorted(set(last) ^ set(scan))} differ from scan's")
    for k in set(last) & set(scan):
        a, b = dict(last[k]), dict(scan[k])
        a.pop("sources"), b.pop("sources")
        check(a == b, f"{what}: {k} differs from scan: " + str({x: (a[x], b.get(x)) for x in a if a[x] != b.get(x)}))


def t(s):
    import datetime
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


section('1. Replay')
# 1. Replay with a dropped connection: reconnects, loses nothing the feed re-sends,
#    alerts end equal to scan's events and find the truth.
cut = len(lines) * 2 // 5
srv = serve([(0, cut, None), (0, len(lines), None)])
alerts_path = os.path.join(tmp, "a1.jsonl")
p = subprocess.run([AW, "watch", f"tcp://127.0.0.1:{srv.server_address[1]}", *GEO, "--exit-idle", "1",
                    "--max-busy", "1", "--tick-min", "30", "--alerts", alerts_path], capture_output=True, text=True, timeout=120)
srv.stop.set()
check(p.returncode == 0, f"watch over TCP exited {p.returncode}: {p.stderr[-2000:]}")
check("connections" in p.stderr and srv.conns >= 2, "the watch reconnected after the feed dropped")
check("resent=0" not in p.stderr, "what the feed re-sent was recognised (resent > 0)")
alerts = read_alerts(alerts_path)
last = final_events(alerts)
same_as_scan(last, "TCP replay")
planted = [x for x in truth if "type" in x]
for x in planted:
    hit = any(d["type"] == x["type"] and set(d["mmsi"]) & set(x["mmsi"]) and t(d["start"]) <= t(x["end"]) + 3600
              and t(x["start"]) <= t(d["end"]) + 3600 for d in last.values())
    check(hit, f"planted {x['type']} {x['mmsi']} alerted")
trap_mmsi = {m for x in truth if "trap" in x for m in x["mmsi"]}
check(not [d for d in last.values() if set(d["mmsi"]) & trap_mmsi], "no alert on a trap's vessels")
gap = next(x for x in planted if x["type"] == "gap" and len(x["mmsi"]) == 1)
dark = [a for a in alerts if a["alert"] == "dark" and a["vessel"]["mmsi"] == gap["mmsi"][0]]
check(len(dark) == 1, "the silent ship was reported dark once before it reappeared")
seqs = [a["seq"] for a in alerts]
check(seqs == list(range(1, len(seqs) + 1)), "alerts are numbered 1, 2, 3, ...")

section('2. kill -9')
# 2. kill -9 in the middle of the encounter, restart with the same --state.
enc = next(x for x in planted if x["type"] == "encounter")
pause_at = next(i for i, l in enumerate(lines) if (tag_time(l) or 0) >= t(enc["start"]) + 3 * 3600)
check(t(enc["end"]) > t(enc["start"]) + 3 * 3600, "the kill falls inside the encounter")
pause = threading.Event()
srv = serve([(0, pause_at, pause), (0, len(lines), None)])
state = os.path.join(tmp, "state")
a1, a2 = os.path.join(tmp, "k1.jsonl"), os.path.join(tmp, "k2.jsonl")
cmd = [AW, "watch", f"tcp://127.0.0.1:{srv.server_address[1]}", *GEO, "--state", state, "--checkpoint-s", "0.2"]
w = subprocess.Popen(cmd + ["--alerts", a1], stderr=subprocess.DEVNULL)
deadline = time.time() + 60
enc_id = None
while time.time() < deadline and not enc_id:
    time.sleep(0.2)
    enc_id = next((a["id"] for a in read_alerts(a1) if a["id"].startswith("encounter-")), None)
check(enc_id is not None, "the encounter was alerted before the kill")
time.sleep(1.0)
w.send_signal(signal.SIGKILL)
w.wait()
pause.set()
p = subprocess.run(cmd + ["--alerts", a2, "--once"], capture_output=True, text=True, timeout=120)
srv.stop.set()
check(p.returncode == 0, f"restarted watch exited {p.returncode}: {p.stderr[-2000:]}")
check("restored" in p.stderr, "the restart restored the state")
both = read_alerts(a1, a2)
news = [a for a in both if a["alert"] == "new" and a["id"] == enc_id]
check(len(news) == 1, f"the encounter was alerted new once, not {len(news)} times")
seqs = [a["seq"] for a in both]
check(seqs == list(range(1, len(seqs) + 1)), "no alert repeated or lost across the kill (seq 1..n)")
same_as_scan(final_events(both), "kill -9 and restart")

section('2b. kill -9 on a followed file')
# 2b. The same on a log followed as it grows: the restart resumes at the saved offset.
grow2, state2 = os.path.join(tmp, "grow2.nmea"), os.path.join(tmp, "state2")
with open(grow2, "wb") as f:
    f.writelines(lines[:pause_at])
f1, f2 = os.path.join(tmp, "f1.jsonl"), os.path.join(tmp, "f2.jsonl")
cmd = [AW, "watch", "file://" + grow2, *GEO, "--state", state2, "--checkpoint-s", "0.2"]
w = subprocess.Popen(cmd + ["--alerts", f1], stderr=subprocess.DEVNULL)
deadline = time.time() + 60
while time.time() < deadline and not any(a["id"] == enc_id for a in read_alerts(f1)):
    time.sleep(0.2)
# The file stops short: the ticks that waited for --max-busy must run when it goes quiet.
check(any(a["id"] == enc_id for a in read_alerts(f1)), "file: the encounter alerted before the kill")
time.sleep(1.0)
w.send_signal(signal.SIGKILL)
w.wait()
with open(grow2, "ab") as f:
    f.writelines(lines[pause_at:])
p = subprocess.run(cmd + ["--alerts", f2, "--once"], capture_output=True, text=True, timeout=120)
check(p.returncode == 0 and "restored" in p.stderr, f"restart on the file: {p.returncode} {p.stderr[-800:]}")
check("resent=0" in p.stderr, "a file resumes at its offset: nothing re-sent, nothing dropped as re-sent")
both = read_alerts(f1, f2)
check([a["seq"] for a in both] == list(range(1, len(both) + 1)), "file: seq 1..n across the kill")
check(len([a for a in both if a["alert"] == "new" and a["id"] == enc_id]) == 1, "file: the encounter new once")
same_as_scan(final_events(both), "kill -9 on a followed file")

section('3. A webhook')
# 3. A webhook that fails first: retried, every alert delivered once.
class Hook(http.server.BaseHTTPRequestHandler):
    bodies, calls = [], [0]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.calls[0] += 1
        ok = Hook.calls[0] > 1
        if ok:
            Hook.bodies.append(json.loads(body))
        self.send_response(200 if ok else 503)
        self.end_headers()

    def log_message(self, *a):
        pass


def serve_http(handler):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


hook = serve_http(Hook)
a3 = os.path.join(tmp, "h.jsonl")
listed_mmsi = enc["mmsi"][0]
watchlist = os.path.join(tmp, "watch.csv")
open(watchlist, "w").write(f"imo,mmsi,name,list,program\n,{listed_mmsi},SOME TANKER,analyst watch list,TEST\n")
p = subprocess.run([AW, "watch", "file://" + nmea, *GEO, "--lists", watchlist, "--once", "--alerts", a3, "--alerts",
                    f"http://127.0.0.1:{hook.server_address[1]}/hook", "--retries", "3"], capture_output=True,
                   text=True, timeout=120)
hook.shutdown()
filed = read_alerts(a3)
check(p.returncode == 0, f"watch with a webhook exited {p.returncode}")
check(Hook.calls[0] == len(filed) + 1, f"one retry: {Hook.calls[0]} posts for {len(filed)} alerts")
check(Hook.bodies == filed, "the webhook got every alert, once, as the file did")
listed = [a for a in filed if a["alert"] == "listed"]
check(len(listed) == 1 and listed[0]["vessel"]["mmsi"] == listed_mmsi and
      listed[0]["sanctions"][0]["list"] == "analyst watch list", f"the listed tanker alerted once: {listed}")

section('3a. A slow webhook')
# 3a. A webhook that takes 1 s a request: its alerts wait in the queue while the watch
#     reads on, so the file sink has every alert long before the webhook; the webhook
#     still gets them all, once, in seq order.
class SlowHook(Hook):
    got, delay_s = [], 1.0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(SlowHook.delay_s)
        SlowHook.got.append((time.time(), json.loads(body)))
        self.send_response(200)
        self.end_headers()


hook = serve_http(SlowHook)
a5 = os.path.join(tmp, "slow.jsonl")
t_start = time.time()
w = subprocess.Popen([AW, "watch", "file://" + nmea, *GEO, "--once", "--alerts", a5, "--alerts",
                      f"http://127.0.0.1:{hook.server_address[1]}/hook"], stderr=subprocess.PIPE, text=True)
# The feed is read, and the file sink written, while the webhook is still at its first alerts.
deadline = time.time() + 120
file_done = None
while time.time() < deadline and w.poll() is None:
    n, h = len(read_alerts(a5)), len(SlowHook.got)
    if n >= 10 and file_done is None:
        file_done = (round(time.time() - t_start, 1), n, h)
    time.sleep(0.2)
_, err = w.communicate(timeout=120)
hook.shutdown()
filed = read_alerts(a5)
check(w.returncode == 0, f"watch with a slow webhook exited {w.returncode}: {err[-800:]}")
loop_s = float(err.split("streaming: ")[1].split(" messages in ")[1].split(" s")[0])


def summary(err):
    """What was decoded, and the lines rejected as damaged (not the multiparts left open at
    the end, which depend on where a feed stops)."""
    out = [l.strip() for l in err.splitlines() if l.strip().startswith("messages by type:")]
    return out + [x for x in err.split() if x.startswith("bad_checksum=")]


file_summary = summary(err)
check(loop_s < 5 and len(filed) >= 10, f"the feed was read in {loop_s} s although the webhook needs {len(filed)} s")
check(file_done is not None and file_done[2] < 3,
      f"(s, file alerts, webhook alerts): 10 alerts in the file while the webhook had < 3: {file_done}")
check([b for _, b in SlowHook.got] == filed, f"the slow webhook got every alert once, in seq order "
                                             f"({len(SlowHook.got)} of {len(filed)})")
check(SlowHook.got and SlowHook.got[-1][0] - t_start >= len(filed) * 0.9, "the webhook really was slow")

section('3b0. kill -9 with a webhook behind')
# 3b0. kill -9 while the slow webhook is behind the file sink: each sink has its own line
#      in DIR/delivered, so the restart gives the webhook what it missed (at most the one
#      in flight again) and the file nothing twice.
SlowHook.got, SlowHook.delay_s = [], 0.3
hook = serve_http(SlowHook)
state3, k1, k2 = os.path.join(tmp, "state3"), os.path.join(tmp, "kh1.jsonl"), os.path.join(tmp, "kh2.jsonl")
cmd = [AW, "watch", "file://" + nmea, *GEO, "--state", state3, "--checkpoint-s", "0.2", "--alerts", None,
       "--alerts", f"http://127.0.0.1:{hook.server_address[1]}/hook"]
cmd[cmd.index(None)] = k1
w = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
deadline = time.time() + 60
while time.time() < deadline and len(SlowHook.got) < 3:
    time.sleep(0.1)
time.sleep(0.5)
w.send_signal(signal.SIGKILL)
w.wait()
before = len(SlowHook.got)
cmd[cmd.index(k1)] = k2
p = subprocess.run(cmd + ["--once"], capture_output=True, text=True, timeout=120)
hook.shutdown()
filed = read_alerts(k1, k2)
hooked = [b["seq"] for _, b in SlowHook.got]
check(p.returncode == 0 and "restored" in p.stderr, f"restart with a webhook behind: {p.returncode} {p.stderr[-800:]}")
check(before < len(read_alerts(k1)), f"the webhook was behind at the kill ({before} of {len(read_alerts(k1))})")
check([a["seq"] for a in filed] == list(range(1, len(filed) + 1)), "file sink: seq 1..n across the kill")
check(sorted(set(hooked)) == [a["seq"] for a in filed] and len(hooked) - len(set(hooked)) <= 1 and
      hooked == sorted(hooked), f"webhook: every alert across the kill, in order, at most one twice: {hooked}")

section('3b. MQTT')
# 3b. MQTT: alerts published to a mosquitto broker started on 127.0.0.1.
def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_broker(port, persist_dir=None):
    """mosquitto on 127.0.0.1:port, once it accepts connections; with persist_dir, its
    sessions and queued messages survive a restart."""
    conf = os.path.join(tmp, f"mosquitto{port}.conf")
    keep = f"persistence true\npersistence_location {persist_dir}/\n" if persist_dir else ""
    open(conf, "w").write(f"listener {port} 127.0.0.1\nallow_anonymous true\n{keep}")
    broker = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return broker


def subscribe(port, topic, client_id=None):
    """With client_id: a durable session (QoS 1 messages are queued while it is away)."""
    durable = ["-c", "-i", client_id] if client_id else []
    return subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-q", "1", "-W", "90",
                             *durable], stdout=subprocess.PIPE, text=True)


def received(sub, port, topic):
    """After the watch's last alert, a marker: the subscriber has everything once it sees it."""
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-q", "1", "-m", "END"],
                   check=True)
    got = []
    for l in sub.stdout:
        if l.strip() == "END":
            break
        if l.strip() != "PROBE":  # a subscription probe re-sent to a durable session
            got.append(json.loads(l))
    sub.terminate()
    sub.wait()
    return got


mport = free_port(socket.SOCK_STREAM)
broker = start_broker(mport)
sub = subscribe(mport, "aiswatch/alerts")
time.sleep(1.0)  # subscribed before the first alert
a4 = os.path.join(tmp, "m.jsonl")
p = subprocess.run([AW, "watch", "file://" + nmea, *GEO, "--lists", watchlist, "--once", "--alerts", a4, "--alerts",
                    f"mqtt://127.0.0.1:{mport}/aiswatch/alerts"], capture_output=True, text=True, timeout=120)
got = received(sub, mport, "aiswatch/alerts")
broker.terminate()
broker.wait()
check(p.returncode == 0, f"watch publishing to MQTT exited {p.returncode}: {p.stderr[-500:]}")
check(sorted(a["seq"] for a in got) == [a["seq"] for a in read_alerts(a4)], f"MQTT got every alert once ({len(got)})")

# 3c. MQTT with the broker away at start: the alerts wait in the queue, the watch keeps
#     trying in the background and delivers them all when the broker comes (2 s later).
#     The subscriber's durable session is made (and the broker stopped) before the watch
#     starts, so what the watch publishes once the broker is back is queued for it however
#     late the subscriber reconnects (a slow machine made a plain subscriber miss them).
mport2 = free_port(socket.SOCK_STREAM)
a6 = os.path.join(tmp, "m2.jsonl")
keep = os.path.join(tmp, "mq-late")
os.makedirs(keep)
# mosquitto started as root drops to its own user before saving: it must reach the folder
os.chmod(tmp, os.stat(tmp).st_mode | 0o011)
os.chmod(keep, 0o777)
broker = start_broker(mport2, keep)
sub = subscribe(mport2, "aiswatch/late", "aw-late")
for _ in range(100):  # subscribed once a probe comes through
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(mport2), "-t", "aiswatch/late", "-q", "1", "-m",
                    "PROBE"], check=True)
    r, _, _ = select.select([sub.stdout], [], [], 0.2)
    if r and sub.stdout.readline().strip() == "PROBE":
        break
sub.terminate()
sub.wait()
broker.terminate()
broker.wait()
w = subprocess.Popen([AW, "watch", "file://" + nmea, *GEO, "--once", "--alerts", a6, "--alerts",
                      f"mqtt://127.0.0.1:{mport2}/aiswatch/late"], stderr=subprocess.PIPE, text=True)
time.sleep(2.0)
broker = start_broker(mport2, keep)
_, err = w.communicate(timeout=60)
sub = subscribe(mport2, "aiswatch/late", "aw-late")
got = received(sub, mport2, "aiswatch/late")
broker.terminate()
broker.wait()
check(w.returncode == 0, f"watch with the broker away at start exited {w.returncode}: {err[-500:]}")
check([a["seq"] for a in got] == [a["seq"] for a in read_alerts(a6)] and got,
      f"MQTT broker away at start: every alert once, in order, when it came ({len(got)})")

section('4. A growing')
# 4. A growing file, and the live GeoPackage read by `aiswatch serve` while it changes.
import urllib.request
grow, live = os.path.join(tmp, "grow.nmea"), os.path.join(tmp, "live.gpkg")
with open(grow, "wb") as f:
    f.writelines(lines[:len(lines) // 3])
w = subprocess.Popen([AW, "watch", "file://" + grow, *GEO, "-o", live, "--output-s", "0.3", "--output-tracks",
                      "--alerts", os.path.join(tmp, "g.jsonl")], stderr=subprocess.DEVNULL)
for _ in range(300):
    if os.path.exists(live):
        break
    time.sleep(0.1)
sv = subprocess.Popen([AW, "serve", live, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
url = None
deadline = time.time() + 30
while time.time() < deadline:
    l = sv.stdout.readline()
    if not l:
        break
    if "http://" in l:
        url = l[l.index("http://"):].split()[0].rstrip("/")
        break
check(url is not None, "serve started on the live GeoPackage")
counts = []
def events_now():
    try:
        body = urllib.request.urlopen(url + "/api/events", timeout=5).read()
        j = json.loads(body)
        return len(j["events"] if isinstance(j, dict) else j)
    except Exception as e:
        return f"error {e}"
counts.append(events_now())
with open(grow, "ab") as f:
    f.writelines(lines[len(lines) // 3:])
# The watch follows the file: once the live file holds what scan found, stop it.
def live_events():
    out = subprocess.run([AW, "events", live], capture_output=True, text=True).stdout.splitlines()
    return {e["id"]: dict(e, sources=None) for e in map(json.loads, out)}


want = {k: dict(e, sources=None) for k, e in scan.items()}
deadline = time.time() + 120
while time.time() < deadline and live_events() != want:
    time.sleep(0.3)
counts.append(events_now())
w.send_signal(signal.SIGTERM)  # without --state: the open events are written as they stand
w.wait(timeout=60)
sv.terminate()
sv.wait()
check(all(isinstance(n, int) for n in counts) and counts[0] < counts[-1],
      f"serve saw the live GeoPackage grow while it ran: {counts[0]} -> {counts[-1]}")
ev = {e["id"]: e for e in map(json.loads, subprocess.run([AW, "events", live], capture_output=True, text=True,
                                                          check=True).stdout.splitlines())}
same_as_scan(ev, "live GeoPackage")
# --output-tracks: the window (here the whole day) as scan writes it, swapped in each time.
import sqlite3
def rows(path, q):
    con = sqlite3.connect(path)
    try:
        return con.execute(q).fetchall()
    finally:
        con.close()
for layer, order in (("vessels", "fid"), ("tracks", "mmsi, segment, day"), ("identity_history", "fid")):
    cols = "*" if layer != "tracks" else "mmsi, segment, day, start_time, end_time, n_points, geom"
    a = rows(live, f"SELECT {cols} FROM {layer} ORDER BY {order}")
    b = rows(gpkg, f"SELECT {cols} FROM {layer} ORDER BY {order}")
    check(a == b and a, f"live GeoPackage --output-tracks: {layer} as scan's ({len(a)} rows, scan {len(b)})")
check(rows(live, "SELECT rtreecheck('rtree_tracks_geom')") == [("ok",)], "live tracks' R-tree consistent")

section('5. Hostile')
# 5. Hostile input over a TCP listener and UDP: counted, no crash, the good lines used.

tport, uport = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
w = subprocess.Popen([AW, "watch", f"tcp-listen://127.0.0.1:{tport}", f"udp://127.0.0.1:{uport}", "--no-land",
                      "--once", "--max-line", "512", "--alerts", os.path.join(tmp, "x.jsonl")],
                     stderr=subprocess.PIPE, text=True)
for _ in range(100):
    try:
        c = socket.create_connection(("127.0.0.1", tport), timeout=1)
        break
    except OSError:
        time.sleep(0.05)
junk = bytes((i * 2654435761 >> 13) & 255 for i in range(1 << 20))
c.sendall(junk + b"\n" + b"A" * (4 << 20) + b"\n")
c.sendall(b"".join(lines[:2000]))
c.sendall(b"!AIVDM,2,1,3,A,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E\n!AIVDM,1,1,,A,1")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(2000, 2200):
    u.sendto(lines[i], ("127.0.0.1", uport))
u.sendto(junk[:1400], ("127.0.0.1", uport))
time.sleep(0.5)
c.close()
_, err = w.communicate(timeout=60)
check(w.returncode == 0, f"watch after hostile input exited {w.returncode}: {err[-1500:]}")
check("too_long_lines=" in err and "too_long_lines=0" not in err, "the endless line was counted")
check("not_nmea=" in err, "binary garbage was counted as not NMEA")
msgs = int(err.split(" messages")[0].split(", ")[-1])
check(msgs >= 1800, f"the good lines among the junk were decoded ({msgs} messages)")

section('6. Several feeders')
# 6. Two feeders on one tcp-listen:// at once, their bytes interleaved in chunks that cut
#    lines and split multipart messages: each connection has its own line buffer and
#    decoder, so nothing mixes and the events equal scan's. A third is over --max-feeders
#    2: refused and counted.
def groups(ls):
    """Lines in groups that keep a multipart message together."""
    out, cur = [], []
    for l in ls:
        cur.append(l)
        f = l[l.index(b"!"):].split(b",") if b"!" in l else []
        if len(f) < 3 or f[1] == f[2]:
            out.append(cur)
            cur = []
    return out + ([cur] if cur else [])


def mmsi_of(group):
    """The MMSI in the first sentence's payload (bits 8..37), or 0."""
    try:
        payload = group[0][group[0].index(b"!"):].split(b",")[5]
        bits = "".join(format((c - 48) - 8 * (c - 48 > 40), "06b") for c in payload[:7])
        return int(bits[8:38], 2)
    except (ValueError, IndexError):
        return 0


# Two receivers hearing different ships: split by MMSI, so each ship's reports keep their
# order (the order of equal-time reports of one ship is what scan's results may depend on).
feed_a, feed_b = [], []
for g in groups(lines):
    (feed_a if mmsi_of(g) % 2 == 0 else feed_b).extend(g)
feed_a, feed_b = b"".join(feed_a), b"".join(feed_b)
tport = free_port(socket.SOCK_STREAM)
a7 = os.path.join(tmp, "feeders.jsonl")
w = subprocess.Popen([AW, "watch", f"tcp-listen://127.0.0.1:{tport}", *GEO, "--once", "--max-feeders", "2",
                      "--max-busy", "1", "--tick-min", "30", "--alerts", a7], stderr=subprocess.PIPE, text=True)
for _ in range(100):
    try:
        ca = socket.create_connection(("127.0.0.1", tport), timeout=1)
        break
    except OSError:
        time.sleep(0.05)
cb = socket.create_connection(("127.0.0.1", tport))
time.sleep(0.3)
cx = socket.create_connection(("127.0.0.1", tport))  # the third: refused
time.sleep(0.3)
step = 997  # cuts lines anywhere
for i in range(0, max(len(feed_a), len(feed_b)), step):
    ca.sendall(feed_a[i:i + step])
    cb.sendall(feed_b[i:i + step])
ca.close()
cb.close()
_, err = w.communicate(timeout=120)
cx.close()
check(w.returncode == 0, f"watch with two feeders exited {w.returncode}: {err[-1500:]}")
check("refused=1" in err, "the third feeder was refused and counted: " + err[-300:])
check("2 connections" in err or "3 connections" in err, "two feeders were served at once")
check(summary(err) == file_summary, f"no line of one feeder was cut by the other's bytes: {summary(err)} "
                                    f"read from two feeders, {file_summary} from the file")
same_as_scan(final_events(read_alerts(a7)), "two feeders on one listener")

section("done")
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
