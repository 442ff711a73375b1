"""The distributed scan on a LocalCluster of 4 worker processes finds exactly the events of
a single-machine `aiswatch scan` of the same files, with events that run across the
partition boundaries, and still does when a worker is killed in the middle of the run."""
import json
import os
import signal

import pytest

import aiswatch.dask as awd

from conftest import PARTITION_H, run

distributed = pytest.importorskip("distributed")

HOUR = 3600000
WINDOW_TYPES = {"encounter", "loitering", "gap", "dark_rendezvous", "draught_change"}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=4, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def ms(iso):
    import pandas as pd
    return int(pd.Timestamp(iso).value // 1_000_000)


def straddling(events_jsonl):
    """Events of the time-partitioned types that contain a partition boundary."""
    S = PARTITION_H * HOUR
    out = []
    for line in events_jsonl.splitlines():
        e = json.loads(line)
        s, t = ms(e["start"]), ms(e["end"])
        if e["type"] in WINDOW_TYPES and (s // S) != (t // S):
            out.append(e["id"])
    return out


def vessels(gpkg):
    return sorted(run("vessels", gpkg).stdout.splitlines())


def scan(client, sim, out, overlap_h, **kw):
    return awd.scan(client, [sim["inputs"]], str(out), partition_h=PARTITION_H, overlap_h=overlap_h,
                    ports=sim["ports"], lists=sim["watch"], **kw)


def test_events_identical_to_the_single_machine_scan(client, sim, tmp_path):
    across = straddling(sim["events"])
    # The scenario is what the test claims: encounters, loiterings, gaps and the dark
    # rendezvous cross the 6-hour boundaries.
    assert len(across) >= 4 and {i.split("-")[0] for i in across} >= {"encounter", "loitering", "gap"}
    out = tmp_path / "dist.gpkg"
    # No overlap to begin with: each partition reads only its own 6 hours (and each
    # track's nearest position beyond), so every window with a straddling event must
    # notice and read further. (Without those checks this input gives 19 lines of
    # difference; with a fixed 3-hour overlap, 2.)
    r = scan(client, sim, out, overlap_h=0)
    got = run("events", out, "--format", "jsonl").stdout
    assert got == sim["events"]
    assert vessels(out) == vessels(sim["single"])
    assert r["retries"] >= 3
    assert any(w["owned"] and not w["full"] and w["overlap_h"] > 0 for w in r["windows"])
    assert len(os.listdir(r["parts_dir"])) >= r["buckets"]


def test_a_killed_worker_changes_nothing(client, sim, tmp_path):
    killed = {}

    def kill_busiest(stage):
        if stage != "windows" or killed:
            return
        # The worker holding the most buckets' tracks dies: Dask must recompute what it
        # held from the lineage and run its tasks elsewhere.
        has = client.has_what()
        addr = max(has, key=lambda a: sum(str(k).startswith("_tracks_task") for k in has[a]))
        pid = client.run(os.getpid, workers=[addr])[addr]
        os.kill(pid, signal.SIGKILL)
        killed["pid"], killed["keys"] = pid, sum(str(k).startswith("_tracks_task") for k in has[addr])

    out = tmp_path / "killed.gpkg"
    with distributed.get_task_stream(client) as ts:
        r = scan(client, sim, out, overlap_h=10, on_stage=kill_busiest)
    assert killed and killed["keys"] > 0
    assert killed["pid"] not in client.run(os.getpid).values()
    # The dead worker's buckets were computed again (same task keys, run twice).
    runs = [t["key"] for t in ts.data if str(t["key"]).startswith("_tracks_task")]
    assert len(runs) > r["buckets"] and len(set(runs)) == r["buckets"]
    assert run("events", out, "--format", "jsonl").stdout == sim["events"]
    assert vessels(out) == vessels(sim["single"])


def test_time_window_as_the_single_scan_keeps_it(client, sim, tmp_path):
    """time_from_ms/time_to_ms: the distributed scan keeps what aw_scan keeps."""
    import aiswatch

    lo, hi = (1700000000 + 3 * 3600) * 1000, (1700000000 + 27 * 3600) * 1000
    ref = aiswatch.scan([sim["inputs"]], output=tmp_path / "one.gpkg", ports=sim["ports"], time_from_ms=lo,
                        time_to_ms=hi)
    out = tmp_path / "window.gpkg"
    awd.scan(client, [sim["inputs"]], str(out), partition_h=PARTITION_H, ports=sim["ports"], time_from_ms=lo,
             time_to_ms=hi)
    got = run("events", out, "--format", "jsonl").stdout
    assert got == run("events", tmp_path / "one.gpkg", "--format", "jsonl").stdout
    assert got != sim["events"] and ref.summary["outside_window"] > 0


def test_the_program_hands_scan_dask_to_the_python_driver(sim, tmp_path):
    """`aiswatch scan --dask local:2 …` runs this package and writes the same events."""
    out = tmp_path / "cli.gpkg"
    p = run("scan", "--dask", "local:2", sim["inputs"], "--ports", sim["ports"], "--lists", sim["watch"],
            "--partition-h", PARTITION_H, "-o", out)
    assert "time partitions" in p.stderr
    assert run("events", out, "--format", "jsonl").stdout == sim["events"]
    bad = run("scan", sim["inputs"], "-o", out, "--dask", check=False)
    assert bad.returncode == 1 and "--dask needs the scheduler address" in bad.stderr
    bad = run("scan", "--dask", "local:1", sim["inputs"], "-o", out, "--gap-min-h", "x", check=False)
    assert bad.returncode != 0 and "gap_min_h takes a number" in bad.stderr
