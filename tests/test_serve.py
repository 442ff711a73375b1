#!/usr/bin/env python3
"""`aiswatch serve` against a running server on 127.0.0.1 (issue 6): every API endpoint, the
filters and paging of /api/events, an encounter's tracks and distance series, a vessel's
history and track, 400/404/405, path traversal attempts, static files and their MIME types.

A simulated encounter and gap are scanned into a GeoPackage; the server is started on a
free port (--port 0, the URL read from its first line) and always stopped at the end.
Requests go through http.client, which sends a path exactly as given (no `..` folding), so
traversal attempts reach the server as an attacker would send them."""
import atexit
import shutil
import datetime
import http.client
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

AW = os.environ.get("AW_BIN", "build/aiswatch")
DATA = os.environ.get("AW_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
REAL = os.path.join(DATA, "nmea", "caribewave-vernon", "ais_vernon_20160331.log")
passed = failed = 0


def ok(name, cond):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", name)


def ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


class Server:
    def __init__(self, args):
        self.proc = subprocess.Popen([AW, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = b""
        deadline = time.time() + 20
        while time.time() < deadline and b"\n" not in line:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                ch = os.read(self.proc.stdout.fileno(), 1)
                if not ch:
                    break
                line += ch
        self.line = line.decode()
        self.port = None
        if "http://127.0.0.1:" in self.line:
            self.port = int(self.line.split("http://127.0.0.1:")[1].split("/")[0])

    def get(self, path, method="GET"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path)
            r = c.getresponse()
            return r.status, r.getheader("Content-Type") or "", r.read()
        finally:
            c.close()

    def json(self, path):
        status, ctype, body = self.get(path)
        try:
            return status, ctype, json.loads(body)
        except ValueError:
            return status, ctype, None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def main():
    tmp = tempfile.mkdtemp(prefix="aw_serve_")
    atexit.register(shutil.rmtree, tmp, True)
    nmea, ports, gpkg = (os.path.join(tmp, n) for n in ("x.nmea", "p.csv", "run.gpkg"))
    subprocess.run([AW, "simulate", "--scenario", "encounter,gap", "--seed", "3", "-o", nmea, "--ports-out", ports],
                   check=True, capture_output=True, timeout=120)
    subprocess.run([AW, "scan", nmea, "--ports", ports, "-o", gpkg], check=True, capture_output=True, timeout=120)
    web = os.path.join(tmp, "web")
    os.mkdir(web)
    with open(os.path.join(web, "index.html"), "w") as f:
        f.write("<!doctype html><title>aiswatch</title>\n")
    with open(os.path.join(web, "app.js"), "w") as f:
        f.write("console.log('aiswatch');\n")
    with open(os.path.join(web, ".secret"), "w") as f:
        f.write("hidden\n")
    os.symlink("/etc/passwd", os.path.join(web, "passwd"))
    db = sqlite3.connect(gpkg)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("events", "vessels", "positions")}
    cli_events = [json.loads(l) for l in subprocess.run([AW, "events", gpkg], capture_output=True, text=True,
                                                        timeout=60).stdout.splitlines()]

    srv = Server([gpkg, "--port", "0", "--web", web])
    try:
        ok("prints its URL on 127.0.0.1 and the file", srv.port is not None and srv.line.startswith(
            "aiswatch serve: http://127.0.0.1:") and "(run.gpkg)" in srv.line)
        if srv.port is None:
            return
        # /api/meta
        status, ctype, meta = srv.json("/api/meta")
        ok("meta 200 JSON", status == 200 and ctype.startswith("application/json") and meta is not None)
        ok("meta counts equal the layers", meta and meta["counts"] == counts)
        ok("meta file is the base name", meta and meta["file"] == "run.gpkg")
        types = {}
        for e in cli_events:
            types[e["type"]] = types.get(e["type"], 0) + 1
        ok("meta types", meta and meta["types"] == types)
        lons = [e["lon"] for e in cli_events if e["lon"] is not None]
        lats = [e["lat"] for e in cli_events if e["lat"] is not None]
        ok("meta bbox", meta and all(abs(a - b) < 1e-6 for a, b in zip(meta["bbox"], [min(lons), min(lats), max(lons), max(lats)])))

        # /api/events: everything, the same objects `aiswatch events` prints, in the same order
        status, _, ev = srv.json("/api/events")
        ok("events 200", status == 200 and ev is not None)
        ok("events are aiswatch events' objects", ev and ev["total"] == len(cli_events) and ev["offset"] == 0 and ev["events"] == cli_events)
        status, _, ev = srv.json("/api/events?type=encounter,gap")
        ok("type filter", ev and sorted(e["type"] for e in ev["events"]) == ["encounter", "gap"] and ev["total"] == 2)
        enc = next(e for e in cli_events if e["type"] == "encounter")
        bbox = f"{enc['lon'] - 0.5},{enc['lat'] - 0.5},{enc['lon'] + 0.5},{enc['lat'] + 0.5}"
        status, _, ev = srv.json("/api/events?bbox=" + bbox)
        inside = [e["id"] for e in cli_events if e["lon"] is not None and abs(e["lon"] - enc["lon"]) <= 0.5 and abs(e["lat"] - enc["lat"]) <= 0.5]
        ok("bbox filter", ev and [e["id"] for e in ev["events"]] == inside and enc["id"] in inside and len(inside) < len(cli_events))
        status, _, ev = srv.json("/api/events?bbox=0,0,1,1")
        ok("bbox with nothing", ev and ev["total"] == 0 and ev["events"] == [])
        # times from the data that split the events in two
        since = sorted((e["end"] for e in cli_events), key=ts)[len(cli_events) // 2]
        status, _, ev = srv.json(f"/api/events?since={since}")
        want = [e["id"] for e in cli_events if ts(e["end"]) >= ts(since)]
        ok("since filter", ev and [e["id"] for e in ev["events"]] == want and 0 < len(want) < len(cli_events))
        until = sorted((e["start"] for e in cli_events), key=ts)[1]
        status, _, ev = srv.json(f"/api/events?until={until}")
        want = [e["id"] for e in cli_events if ts(e["start"]) <= ts(until)]
        ok("until filter", ev and [e["id"] for e in ev["events"]] == want and 0 < len(want) < len(cli_events))
        name = enc["names"][0]
        status, _, ev = srv.json("/api/events?q=" + name.split()[0].lower())
        ok("q on names (any case)", ev and ev["total"] > 0 and all(name in e["names"] for e in ev["events"]))
        status, _, ev = srv.json(f"/api/events?q={enc['mmsi'][1]}")
        ok("q on MMSI", ev and enc["id"] in [e["id"] for e in ev["events"]] and all(enc["mmsi"][1] in e["mmsi"] for e in ev["events"]))
        status, _, ev = srv.json(f"/api/events?q={enc['imo'][0]}")
        ok("q on IMO", ev and enc["id"] in [e["id"] for e in ev["events"]] and all(enc["imo"][0] in e["imo"] for e in ev["events"]))
        status, _, ev = srv.json("/api/events?q=NO_SUCH_SHIP")
        ok("q with no match", ev and ev["total"] == 0)
        status, _, ev = srv.json("/api/events?limit=2&offset=3")
        ok("paging", ev and ev["total"] == len(cli_events) and ev["offset"] == 3 and ev["events"] == cli_events[3:5])
        status, _, ev = srv.json("/api/events?sanctioned=1")
        ok("sanctioned filter (no lists screened: none)", status == 200 and ev and ev["total"] == 0)

        # /api/events/{id}
        status, _, one = srv.json("/api/events/" + enc["id"])
        ok("event 200", status == 200 and one is not None)
        if one:
            ok("event is the event", one["event"] == enc)
            ok("linked events", sorted(e["id"] for e in one["linked"]) == sorted(enc["linked"]))
            tr = one["tracks"]
            ok("two tracks, vessel 1 first", len(tr) == 2 and [t["mmsi"] for t in tr] == enc["mmsi"])
            ok("in_event flags both ways", all({p[5] for p in t["points"]} == {0, 1} for t in tr))
            ok("points in time order", all(t["points"] == sorted(t["points"], key=lambda p: ts(p[0])) for t in tr))
            ok("in_event inside [start, end]", all((ts(enc["start"]) <= ts(p[0]) <= ts(enc["end"])) == bool(p[5]) for t in tr for p in t["points"]))
            d = [m for _, m in one["distance"]]
            ok("distance series, minimum under 500 m", len(d) > 10 and min(d) < 500)
            ok("distance far apart in the approach", max(d) > 5000)
        status, _, one = srv.json("/api/events/" + next(e["id"] for e in cli_events if e["type"] == "gap"))
        ok("one-vessel event: one track, no distance", one and len(one["tracks"]) == 1 and one["distance"] == [])

        # /api/vessels/{mmsi}
        m = enc["mmsi"][0]
        status, _, v = srv.json(f"/api/vessels/{m}")
        ok("vessel 200", status == 200 and v is not None)
        if v:
            cli_v = [json.loads(l) for l in subprocess.run([AW, "vessels", gpkg, "--mmsi", str(m)], capture_output=True,
                                                           text=True, timeout=60).stdout.splitlines()]
            ok("vessel records as aiswatch vessels prints them", v["vessels"] == cli_v and "name" in v["vessels"][0]["history"])
            ok("vessel sanctions (none)", v["sanctions"] == [])
            n = db.execute("SELECT count(*) FROM positions WHERE mmsi = ?", (m,)).fetchone()[0]
            ok("vessel track: every position", len(v["track"]) == n and not v["simplified"] and len(v["track"][0]) == 4)
        status, _, v2 = srv.json(f"/api/vessels/{m}?from={enc['start']}&to={enc['end']}")
        ok("vessel track between two times", v2 and v and 0 < len(v2["track"]) < len(v["track"]) and all(
            ts(enc["start"]) <= ts(p[0]) <= ts(enc["end"]) for p in v2["track"]))
        ok("scan's positions are read by vessel, not searched for", meta and meta["positions_in_vessel_order"] is True)

        # errors
        for path, code in [("/api/events?bbox=1,2,3", 400), ("/api/events?bbox=0,50,10,40", 400),
                           ("/api/events?since=yesterday", 400), ("/api/events?until=2023-13-01", 400),
                           ("/api/events?type=party", 400), ("/api/events?limit=10001", 400),
                           ("/api/events?limit=-1", 400), ("/api/events?sanctioned=maybe", 400),
                           ("/api/vessels/abc", 400), (f"/api/vessels/{m}?from=noon", 400),
                           ("/api/nothing", 404), ("/api/events/no-such-event", 404), ("/api/vessels/1", 404),
                           ("/no/such/file.html", 404)]:
            status, ctype, body = srv.json(path)
            ok(f"{path} -> {code} with a message", status == code and ctype.startswith("application/json") and body and body.get("error"))
        status, _, _ = srv.get("/api/meta", method="POST")
        ok("POST -> 405", status == 405)
        status, _, _ = srv.get("/api/meta", method="DELETE")
        ok("DELETE -> 405", status == 405)
        status, _, body = srv.get("/api/meta", method="HEAD")
        ok("HEAD -> 200, no body", status == 200 and body == b"")

        # path traversal: never a file's contents
        for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/vendor/../../etc/passwd",
                     "/vendor/leaflet/../../../../etc/passwd", "/vendor/leaflet/%2e%2e/package.json",
                     "/..%2f..%2fetc%2fpasswd", "/%2F..%2F..%2Fetc%2Fpasswd", "//etc/passwd", "/index.html%00.js",
                     "/%252e%252e/%252e%252e/etc/passwd", "/passwd", "/.secret", "/vendor/world-atlas/../leaflet/package.json",
                     "/vendor/" + "../" * 8 + "etc/passwd", "/..\\..\\etc\\passwd"]:
            status, _, body = srv.get(path)
            ok(f"traversal {path} refused", status in (400, 404) and b"root:" not in body and b"hidden" not in body
               and b'"name"' not in body)

        # static files with their types
        status, ctype, body = srv.get("/")
        ok("/ is index.html", status == 200 and ctype.startswith("text/html") and b"aiswatch" in body)
        status, ctype, body = srv.get("/app.js")
        ok("a .js file as JavaScript", status == 200 and ctype.startswith("text/javascript") and b"console.log" in body)
        status, ctype, body = srv.get("/vendor/leaflet/leaflet.css")
        ok("/vendor/leaflet/ from node_modules/leaflet/dist", status == 200 and ctype.startswith("text/css") and b".leaflet" in body)
        status, ctype, body = srv.get("/vendor/topojson-client/topojson-client.min.js")
        ok("/vendor/topojson-client/", status == 200 and ctype.startswith("text/javascript"))
        status, ctype, body = srv.get("/vendor/world-atlas/land-110m.json")
        ok("/vendor/world-atlas/ as JSON", status == 200 and ctype.startswith("application/json") and body.startswith(b"{"))
    finally:
        rc = srv.stop()
        ok("stops cleanly on SIGTERM", rc == 0)

    # A file whose vessels layer no longer counts its positions (edited by hand) is searched
    # row by row, as before the by-vessel reading: every vessel's track is the same.
    odd = os.path.join(tmp, "odd.gpkg")
    shutil.copy(gpkg, odd)
    with sqlite3.connect(odd) as c:
        for fn in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):  # named by the R-tree triggers
            c.create_function(fn, 1, lambda g: 0)
        c.execute("UPDATE vessels SET n_positions = n_positions + 1 WHERE fid = 1")
    mmsis = [r[0] for r in db.execute("SELECT DISTINCT mmsi FROM vessels ORDER BY mmsi")] + [1, 999999999]
    a, b = Server([gpkg, "--port", "0", "--web", web]), Server([odd, "--port", "0", "--web", web])
    try:
        _, _, ma = a.json("/api/meta")
        _, _, mb = b.json("/api/meta")
        ok("an edited file is searched", ma and mb and ma["positions_in_vessel_order"] and not mb["positions_in_vessel_order"])
        same = True
        for m in mmsis:
            for q in ("", f"?from={enc['start']}&to={enc['end']}"):
                sa, _, va = a.json(f"/api/vessels/{m}{q}")
                sb, _, vb = b.json(f"/api/vessels/{m}{q}")
                same &= sa == sb and (sa != 200 or va["track"] == vb["track"])
        ok(f"every vessel's track read by vessel equals the search ({len(mmsis)} MMSIs)", same)
    finally:
        a.stop()
        b.stop()

    # A real day (some MMSIs heard only in static reports: vessels without positions): read
    # by vessel, every MMSI's track is its rows of the layer, in segment and time order.
    if not os.path.exists(REAL):
        ok(f"test data {REAL} (needs ../shared/data, or set AW_DATA)", False)
    else:
        real = os.path.join(tmp, "real.gpkg")
        subprocess.run([AW, "scan", REAL, "--no-land", "-o", real], check=True, capture_output=True, timeout=120)
        rdb = sqlite3.connect(real)
        r = Server([real, "--port", "0", "--web", web])
        try:
            _, _, meta = r.json("/api/meta")
            ok("a real day is read by vessel", meta and meta["positions_in_vessel_order"] is True)
            ok("it has vessels heard only in static reports",
               rdb.execute("SELECT count(*) FROM vessels WHERE n_positions = 0").fetchone()[0] > 0)
            good = True
            for (m,) in rdb.execute("SELECT DISTINCT mmsi FROM vessels ORDER BY mmsi").fetchall():
                _, _, v = r.json(f"/api/vessels/{m}")
                rows = rdb.execute("SELECT count(*) FROM positions WHERE mmsi = ?", (m,)).fetchone()[0]
                good &= v is not None and len(v["track"]) == rows
            ok("every MMSI's track has all its rows", good)
        finally:
            r.stop()
            rdb.close()
    db.close()
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("test_serve took over 240 s")))
    signal.alarm(240)
    try:
        main()
    except Exception as e:  # a crash is a failure, reported like the others
        ok(f"no exception ({e!r})", False)
    print(f"serve: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
