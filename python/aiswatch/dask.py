"""aiswatch.dask: one `aiswatch scan` over many files on a Dask distributed cluster.

The events come out identical to a single-machine scan of the same inputs (docs/
distributed.md states the guarantee and its limits). The job runs in four stages, each
a set of Dask tasks calling libaiswatch:

1. decode, one task per input file: NMEA or tables to raw position columns and static
   reports, split by MMSI into B buckets (mmsi % B);
2. tracks, one task per bucket: every position of its MMSIs from all files, in input
   order, through aw_tracks_build(), so segments (numbered per MMSI from its first
   report) are exactly the single machine's; identity events and position spoofing (which
   look at one MMSI's whole history), sanctions screening, and the bucket's GeoPackage
   (positions, tracks, vessels, identity_history, sanctions_matches); the at-rest cells
   behind derived anchorages, summed over buckets on the driver;
3. windows, one task per time partition [T, T + partition_h): the tracks of every bucket
   cut to the partition plus `overlap_h` on each side (and each segment's nearest position
   beyond), with the vessels' whole identities, through aw_detect() with the global
   anchorages; the partition keeps the encounters, loitering, gaps, dark rendezvous and
   draught changes it owns (those that start inside it; a draught change goes with the
   event that made it) and checks that none of them, nor any event they link to or could
   link to, comes within a margin of the window's edges. A window that fails the check is
   run again with twice the overlap, up to the whole time range, where it is the single
   machine's computation; a window also runs again when another window saw one of its
   events whole and the owner did not report it the same way;
4. merge: the bucket and window GeoPackages (kept in PARTS_DIR) into one.

Dask retries a task whose worker died, recomputing lost inputs from their lineage.
"""
import argparse
import ctypes
import hashlib
import json
import math
import os
import sqlite3
import sys
import threading
import time

import numpy as np

from . import _lib
from ._lib import AiswatchError, lib

_POS_COLUMNS = [("time_ms", "i8"), ("mmsi", "u4"), ("lat", "i4"), ("lon", "i4"), ("sog_dkn", "u2"),
                ("cog_ddeg", "u2"), ("heading_deg", "u2"), ("msg_type", "u1"), ("nav_status", "u1"),
                ("second", "u1"), ("source_id", "u2")]
_PRIMARY = ("encounter", "loitering", "gap")
_FROM_WINDOWS = ("encounter", "loitering", "gap", "dark_rendezvous", "draught_change")
_FROM_BUCKETS = ("identity_conflict", "identity_change", "position_spoof")
_HOUR = 3600000
_CELL_DEG = 0.01  # the anchorage grid of aw_scan_finish()


# ---------------------------------------------------------------------------- tasks

def _decode_task(path, source_id, params, nbuckets):
    """Stage 1: one input into per-bucket raw columns and static reports."""
    from . import _Decoded

    opts = _lib.Opts(**params)
    try:
        d = _Decoded(path, opts, source_id, False)
    except AiswatchError as e:
        return {"info": {"path": path, "bytes": None, "sha256": "", "format": None, "error": str(e), "stats": None},
                "tmin": None, "tmax": None, "parts": [None] * nbuckets}
    info = d.info()
    P, S = _lib.POSITIONS, _lib.STATIC
    cols = {name: np.array(d.col(P, name, dt)) for name, dt in _POS_COLUMNS}
    obs = np.frombuffer(d.static_blob(), dtype=np.uint8).reshape(-1, _lib.STATIC_SIZE)
    obs_mmsi = np.array(d.col(S, "mmsi", "u4"))
    none = np.iinfo(np.int64).min
    lo, hi = int(params.get("time_from_ms", none)), int(params.get("time_to_ms", np.iinfo(np.int64).max))
    if lo != none or hi != np.iinfo(np.int64).max:  # the scan's time window, as aw_scan keeps it
        t = cols["time_ms"]
        keep = (t == none) | ((t >= lo) & (t < hi))
        cols = {k: v[keep] for k, v in cols.items()}
        ot = np.array(d.col(S, "time_ms", "i8"))
        keep = (ot >= lo) & (ot < hi)
        obs, obs_mmsi = obs[keep], obs_mmsi[keep]
    t = cols["time_ms"]
    timed = t[t != none]
    # One stable sort by bucket (a radix sort on 16-bit keys) and one gather per column,
    # rather than a pass per bucket: input order is kept within each bucket.
    pb = (cols["mmsi"] % nbuckets).astype(np.uint16)
    ob = (obs_mmsi % nbuckets).astype(np.uint16)
    order, oorder = np.argsort(pb, kind="stable"), np.argsort(ob, kind="stable")
    cuts = np.cumsum(np.bincount(pb, minlength=nbuckets))[:-1]
    ocuts = np.cumsum(np.bincount(ob, minlength=nbuckets))[:-1]
    split = {k: np.split(v[order], cuts) for k, v in cols.items()}
    osplit = np.split(obs[oorder], ocuts)
    parts = [({k: split[k][b] for k in cols}, osplit[b].tobytes()) for b in range(nbuckets)]
    return {"info": info, "tmin": int(timed.min()) if len(timed) else None,
            "tmax": int(timed.max()) if len(timed) else None, "parts": parts}


def _info_of(decoded):
    return {k: decoded[k] for k in ("info", "tmin", "tmax")}


def _part_of(decoded, b):
    return decoded["parts"][b]


class _Geo:
    """Geography per worker process. Land takes a second or two to load, so each process
    loads it once per configuration (with ports and anchorages) and adds the run's derived
    anchorages to it when the first window asks; a window wanting other derived anchorages
    (another run on the same cluster) gets a geography of its own. The tracks stage asks
    land only (position spoofing), which added anchorages do not change."""
    lock = threading.Lock()
    base = {}   # configuration -> [geo, derived key or None]
    other = {}  # (configuration, derived key) -> geo

    @classmethod
    def _load(cls, params, search_dir):
        opts = _lib.Opts(**params)
        err = _lib.errbuf()
        ptr = lib.aw_py_geo_load(opts.ptr, search_dir.encode(), True, err, len(err))
        if not ptr:
            _lib.fail(err)
        return ptr

    @classmethod
    def get(cls, params, search_dir, derived=None):
        conf = (json.dumps({k: v for k, v in params.items() if k in ("land", "no_land", "ports", "anchorages")},
                           sort_keys=True, default=str), search_dir)
        dkey = hashlib.sha1(derived.tobytes()).hexdigest() if derived is not None else None
        with cls.lock:
            entry = cls.base.get(conf)
            if entry is None:
                entry = cls.base[conf] = [cls._load(params, search_dir), None]
            if dkey is None or entry[1] == dkey:
                return entry[0]
            if entry[1] is None:
                cls._add(entry[0], derived)
                entry[1] = dkey
                return entry[0]
            g = cls.other.get((conf, dkey))
            if g is None:
                g = cls.other[(conf, dkey)] = cls._load(params, search_dir)
                cls._add(g, derived)
            return g

    @staticmethod
    def _add(g, derived):
        if len(derived):
            d = np.ascontiguousarray(derived, dtype=np.int64)
            lib.aw_py_geo_add_derived(g, d.ctypes.data, len(d), _CELL_DEG)


def _write_events_gpkg(path, tracks, events, opts, names, sanctions, keep_ids, tracks_layers=False, screened=None,
                       lists=None, with_positions=True):
    """Writes tracks' layers and/or events (only those in keep_ids) to path, atomically."""
    tmp = path + ".part"
    name_arr = _lib.cstrings(names)
    err = _lib.errbuf()
    if lib.aw_py_write_gpkg(tmp.encode(), tracks, events, screened, lists, sanctions, opts.ptr, name_arr, len(names),
                            tracks_layers, with_positions, err, len(err)) < 0:
        _lib.fail(err)
    if events:
        con = sqlite3.connect(tmp)
        con.execute("CREATE TEMP TABLE keep (id TEXT PRIMARY KEY)")
        con.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(i,) for i in keep_ids])
        con.execute("DELETE FROM events WHERE id NOT IN (SELECT id FROM keep)")
        con.execute("DELETE FROM event_tracks WHERE event_id NOT IN (SELECT id FROM keep)")
        con.commit()
        con.close()
    os.replace(tmp, path)


def _events_of(events, tracks, opts, names):
    """Events as records: id, type, start, end, key (ownership time), vessels, links, json."""
    n = lib.aw_py_events_count(events)
    if n == 0:
        return []
    start, end = np.empty(n, np.int64), np.empty(n, np.int64)
    typ, first_link = np.empty(n, np.int32), np.empty(n, np.int64)
    lib.aw_py_events_meta(events, start.ctypes.data, end.ctypes.data, typ.ctypes.data, first_link.ctypes.data)
    name_arr = _lib.cstrings(names)
    lines = _lib.take_text(lib.aw_py_events_jsonl(events, tracks, opts.ptr, name_arr, len(names))).splitlines()
    out = []
    for i, line in enumerate(lines):
        j = json.loads(line)
        t = _lib.EVENT_TYPES[typ[i]]
        key = int(first_link[i]) if t == "draught_change" and first_link[i] != np.iinfo(np.int64).min \
            else int(start[i])
        out.append({"id": j["id"], "type": t, "start": int(start[i]), "end": int(end[i]), "key": key,
                    "vessels": set(zip(j["mmsi"], j["segment"])), "links": j["linked"], "json": line,
                    "body": _without_links(j)})
    return out


def _without_links(j):
    j = dict(j)
    j.pop("linked", None)
    return json.dumps(j, sort_keys=True)


def _tracks_task(bucket, parts, params, search_dir, parts_dir, names, with_positions):
    """Stage 2: one bucket's tracks, identity events, screening, GeoPackage, packed tracks."""
    opts = _lib.Opts(**params)
    parts = [p for p in parts if p is not None]
    cols = {name: np.ascontiguousarray(np.concatenate([p[0][name] for p in parts]) if parts else np.empty(0, dt))
            for name, dt in _POS_COLUMNS}
    obs = b"".join(p[1] for p in parts)
    nobs = len(obs) // _lib.STATIC_SIZE
    obs_buf = ctypes.create_string_buffer(obs, len(obs) or 1)
    err = _lib.errbuf()
    t = lib.aw_py_tracks_build(len(cols["time_ms"]), *[cols[name].ctypes.data for name, _ in _POS_COLUMNS],
                               obs_buf, nobs, opts.ptr, err, len(err))
    if not t:
        _lib.fail(err)
    events = screened = lists = None
    sanctions = None
    nv = lib.aw_py_tracks_vessels(t)
    try:
        lists = lib.aw_py_lists_load(opts.ptr, err, len(err))
        if not lists and err.value:
            _lib.fail(err)
        if lists:
            screened = lib.aw_py_screen_tracks(lists, t, opts.ptr)
            if not screened:
                raise AiswatchError("out of memory screening vessels")
            sanctions = (ctypes.c_char_p * max(1, nv))(*[lib.aw_py_screen_json(screened, i) for i in range(nv)])
        keep = []
        if opts.params.get("events", True):
            # Spoofing asks land only; identity events ask nothing of geography.
            geo = _Geo.get(params, search_dir)
            events = lib.aw_py_detect(t, geo, opts.ptr, False, err, len(err))
            if not events:
                _lib.fail(err)
            keep = [e["id"] for e in _events_of(events, t, opts, names) if e["type"] in _FROM_BUCKETS]
        path = os.path.join(parts_dir, "bucket-%04d.gpkg" % bucket)
        _write_events_gpkg(path, t, events, opts, names, sanctions, keep, True, screened, lists, with_positions)
        cells_p, counts_p = ctypes.c_void_p(), ctypes.c_void_p()
        nc = lib.aw_py_rest_cells(t, _CELL_DEG, ctypes.byref(cells_p), ctypes.byref(counts_p))
        if nc < 0:
            raise AiswatchError("out of memory counting anchorage cells")
        cells = np.frombuffer(ctypes.string_at(cells_p, nc * 8), np.int64).copy() if nc else np.empty(0, np.int64)
        counts = np.frombuffer(ctypes.string_at(counts_p, nc * 4), np.uint32).copy() if nc else np.empty(0, np.uint32)
        lib.aw_py_free(cells_p)
        lib.aw_py_free(counts_p)
        size = ctypes.c_size_t()
        pk = lib.aw_py_tracks_pack(t, sanctions, np.iinfo(np.int64).min, np.iinfo(np.int64).max, ctypes.byref(size))
        if not pk:
            raise AiswatchError("out of memory packing tracks")
        pack = ctypes.string_at(pk, size.value)
        lib.aw_py_free(pk)
        return {"bucket": bucket, "path": path, "pack": pack, "cells": cells, "counts": counts,
                "positions": int(lib.aw_py_tracks_rows(t)), "vessels": int(nv)}
    finally:
        if events:
            lib.aw_py_events_free(events)
        if screened:
            lib.aw_py_screen_free(screened, nv)
        if lists:
            lib.aw_lists_free(lists)
        lib.aw_py_tracks_free(t)


def _path_of(result):
    return result["path"]


def _cells_of(result):
    return result["cells"], result["counts"]


def _unpack(packs):
    arr = (ctypes.c_void_p * max(1, len(packs)))()
    lens = (ctypes.c_size_t * max(1, len(packs)))()
    bufs = []
    for i, p in enumerate(packs):
        b = ctypes.create_string_buffer(p, len(p))
        bufs.append(b)
        arr[i] = ctypes.addressof(b)
        lens[i] = len(p)
    sanct = ctypes.POINTER(ctypes.c_char_p)()
    err = _lib.errbuf()
    t = lib.aw_py_tracks_unpack(arr, lens, len(packs), ctypes.byref(sanct), err, len(err))
    if not t:
        _lib.fail(err)
    return t, sanct


def _slice_task(result, start, stop):
    """The part of one bucket's tracks a window [start, stop) needs."""
    t, sanct = _unpack([result["pack"]])
    try:
        size = ctypes.c_size_t()
        pk = lib.aw_py_tracks_pack(t, sanct, start, stop, ctypes.byref(size))
        if not pk:
            raise AiswatchError("out of memory packing tracks")
        out = ctypes.string_at(pk, size.value)
        lib.aw_py_free(pk)
        return out
    finally:
        lib.aw_py_strings_free(sanct, lib.aw_py_tracks_vessels(t))
        lib.aw_py_tracks_free(t)


def _margin_ms(params):
    """How far from a window's edge an event must end (and its related events lie) for the
    window to have seen everything that decides it: event_tracks' context, an encounter's
    merge window plus interpolation and a grid step, a loiterer's silence."""
    p = {"context_h": 6.0, "encounter_merge_h": 4.0, "encounter_max_interp_h": 1.0, "encounter_grid_min": 10.0}
    p.update({k: float(v) for k, v in params.items() if k in p})
    h = max(p["context_h"], p["encounter_merge_h"] + p["encounter_max_interp_h"] + 2 * p["encounter_grid_min"] / 60,
            2.0 + p["encounter_grid_min"] / 60)
    return int(math.ceil(h * _HOUR))


def _window_task(k, slices, own, read, full, params, search_dir, derived, parts_dir, names):
    """Stage 3: the events one time partition owns, with the checks that they are whole."""
    opts = _lib.Opts(**params)
    t, sanct = _unpack(slices)
    events = None
    try:
        geo = _Geo.get(params, search_dir, derived)
        err = _lib.errbuf()
        events = lib.aw_py_detect(t, geo, opts.ptr, True, err, len(err))
        if not events:
            _lib.fail(err)
        evs = [e for e in _events_of(events, t, opts, names) if e["type"] in _FROM_WINDOWS]
        by_id = {e["id"]: e for e in evs}
        margin = _margin_ms(params)
        dw = int(float(params.get("draught_window_h", 24.0)) * _HOUR)
        lo, hi = read[0] + margin, read[1] - margin

        def span(e):  # a draught change lives where the events it reads lie
            if e["type"] != "draught_change":
                return e["start"], e["end"]
            ls = [by_id[i] for i in e["links"] if i in by_id]
            return (min(x["start"] for x in ls), max(x["end"] for x in ls)) if ls else (e["start"], e["end"])

        for e in evs:
            e["span"] = span(e)
            e["whole"] = e["span"][0] >= lo and e["span"][1] <= hi
        owned = [e for e in evs if own[0] <= e["key"] < own[1]]
        reasons = []
        if not full:
            edge = [e for e in evs if not e["whole"]]
            for e in owned:
                if not e["whole"]:
                    reasons.append(f"{e['id']} reaches the window's edge")
                    continue
                for lid in e["links"]:
                    L = by_id.get(lid)
                    if L is not None and not L["whole"]:
                        reasons.append(f"{e['id']} links {lid}, which reaches the window's edge")
                s0, s1 = e["span"]
                for x in edge:
                    x0, x1 = x["span"]
                    pair = {x["type"], e["type"]}
                    if pair == {"loitering", "gap"} and x0 <= s1 and x1 >= s0:
                        reasons.append(f"{e['id']} overlaps {x['id']} at the window's edge (dark rendezvous)")
                    elif (x["type"] in _PRIMARY and x["vessels"] & e["vessels"] and x1 + dw >= s0 and
                          x0 <= s1 + dw):
                        reasons.append(f"{e['id']} is near {x['id']} of the same vessel at the window's edge "
                                       "(draught change)")
        keep = [e["id"] for e in owned]
        path = os.path.join(parts_dir, "window-%04d.gpkg" % k)
        if not reasons:
            _write_events_gpkg(path, t, events, opts, names, sanct, keep)
        seen = {e["id"]: e["body"] for e in evs if e["type"] in _PRIMARY and e["whole"]}
        return {"k": k, "ok": not reasons, "reasons": reasons[:5], "path": path,
                "owned": {e["id"]: e["body"] for e in owned}, "seen": seen,
                "seen_keys": {e["id"]: e["key"] for e in evs if e["type"] in _PRIMARY and e["whole"]},
                "positions": int(lib.aw_py_tracks_rows(t))}
    finally:
        if events:
            lib.aw_py_events_free(events)
        lib.aw_py_strings_free(sanct, lib.aw_py_tracks_vessels(t))
        lib.aw_py_tracks_free(t)


# ---------------------------------------------------------------------------- driver

class DistributedResult(dict):
    """Summary of a distributed scan: output, parts_dir, inputs, windows (with the overlap
    each needed), retries, events by source, seconds per stage."""


def _client(scheduler):
    from distributed import Client, LocalCluster

    if not isinstance(scheduler, str):
        return scheduler, None
    if scheduler.startswith("local"):
        n = int(scheduler.split(":", 1)[1]) if ":" in scheduler else (os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def scan(scheduler, paths, output, partition_h=24.0, overlap_h=None, buckets=None, with_positions=True,
         parts_dir=None, on_stage=None, **params):
    """Runs the scan of `paths` on a Dask cluster and writes `output` (a GeoPackage).

    scheduler: a distributed.Client, a scheduler address ("tcp://host:8786"), or "local[:N]"
      for a LocalCluster of N worker processes on this machine.
    partition_h: length of the time partitions (hours); overlap_h: how far each partition
      reads beyond its ends (default: gap_min_h + 24, the gap threshold plus a day-long
      event; grown per partition when an event needs more). buckets: MMSI partitions
      (default: twice the cluster's worker threads). parts_dir: where the partitions'
      GeoPackages go (default OUTPUT.parts; must be shared by the workers and this process).
    on_stage: called with the name of each stage as it starts ("decode", "tracks",
      "windows", "merge"), e.g. to report progress.
    params: the options of aiswatch.scan() (event thresholds, ports, anchorages, land, lists…).
    """
    from . import _paths

    for k in params:
        if k not in _lib.OPTION_NAMES:
            raise TypeError(f"unknown option {k!r}")
    _lib.Opts(**params)  # bad values fail here, before the cluster does any work
    params = dict(params)
    params.setdefault("threads", 1)  # Dask's workers are the parallelism
    files = _paths(paths)
    if not files:
        raise AiswatchError("no inputs")
    if len(files) > 65535:
        raise AiswatchError("at most 65535 input files in one run")
    if buckets is not None and not 1 <= int(buckets) <= 65535:
        raise AiswatchError("buckets takes 1..65535")
    names = [os.path.basename(f) for f in files]
    output = os.path.abspath(os.fspath(output))
    parts_dir = os.path.abspath(parts_dir or output + ".parts")
    os.makedirs(parts_dir, exist_ok=True)
    search_dir = _lib.LIB_DIR
    client, cluster = _client(scheduler)
    stage = on_stage or (lambda name: None)
    times = {}
    try:
        nthreads = sum(client.nthreads().values()) or 1
        B = int(buckets or max(1, 2 * nthreads))
        t0 = time.time()
        stage("decode")
        dec = [client.submit(_decode_task, f, i, params, B, pure=False) for i, f in enumerate(files)]
        infos = client.gather([client.submit(_info_of, d, pure=False) for d in dec])
        times["decode"] = time.time() - t0
        unreadable = [x["info"] for x in infos if x["info"].get("error")]
        tmins = [x["tmin"] for x in infos if x["tmin"] is not None]
        if not tmins:
            raise AiswatchError("nothing usable was read; " + output + " not written" +
                                ("".join("; " + u["error"] for u in unreadable)))
        tmin, tmax = min(tmins), max(x["tmax"] for x in infos if x["tmax"] is not None)

        t0 = time.time()
        stage("tracks")
        tracks = []
        for b in range(B):
            parts = [client.submit(_part_of, d, b, pure=False) for d in dec]
            tracks.append(client.submit(_tracks_task, b, parts, params, search_dir, parts_dir, names, with_positions,
                                        pure=False))
        cells = client.gather([client.submit(_cells_of, r, pure=False) for r in tracks])
        times["tracks"] = time.time() - t0
        derived = _derive(cells, int(params.get("anchorage_min_vessels", 10)))

        t0 = time.time()
        stage("windows")
        window_paths, retries, windows = [], 0, []
        if params.get("events", True) not in (False, 0, "0"):
            S = int(partition_h * _HOUR)
            margin = _margin_ms(params)
            P0 = int((overlap_h if overlap_h is not None else float(params.get("gap_min_h", 12)) + 24) * _HOUR)
            T0 = (tmin // S) * S
            K = (tmax - T0) // S + 1
            overlap = [P0] * K
            results = [None] * K
            todo = list(range(K))
            while todo:
                futs = {}
                for k in todo:
                    own = (T0 + k * S, T0 + (k + 1) * S)
                    read = (own[0] - overlap[k], own[1] + overlap[k])
                    full = read[0] <= tmin and read[1] > tmax
                    slices = [client.submit(_slice_task, r, read[0], read[1], pure=False) for r in tracks]
                    futs[k] = client.submit(_window_task, k, slices, own, read, full, params, search_dir, derived,
                                            parts_dir, names, pure=False)
                    results[k] = {"own": own, "read": read, "full": full}
                for k, f in futs.items():
                    results[k].update(f.result())
                todo = _recheck(results)
                for k in todo:
                    overlap[k] = max(2 * overlap[k], margin + _HOUR)
                    retries += 1
            windows = [{"k": r["k"], "own": r["own"], "overlap_h": overlap[r["k"]] / _HOUR, "full": r["full"],
                        "owned": len(r["owned"]), "positions": r["positions"]} for r in results]
            window_paths = [r["path"] for r in results if r["owned"]]
        times["windows"] = time.time() - t0

        t0 = time.time()
        stage("merge")
        bucket_paths = client.gather([client.submit(_path_of, r, pure=False) for r in tracks])
        inputs_path = os.path.join(parts_dir, "inputs.gpkg")
        _write_inputs(inputs_path, [x["info"] for x in infos], files, names)
        srcs = [inputs_path] + bucket_paths + window_paths
        err = _lib.errbuf()
        arr = _lib.cstrings(srcs)
        if lib.aw_gpkg_merge(output.encode(), arr, len(srcs), err, len(err)) < 0:
            _lib.fail(err)
        times["merge"] = time.time() - t0
        return DistributedResult(output=output, parts_dir=parts_dir, inputs=len(files), unreadable=unreadable,
                                 buckets=B, windows=windows, retries=retries, anchorages_derived=len(derived),
                                 seconds=times)
    finally:
        if cluster is not None:
            client.close()
            cluster.close()


def _derive(cells, min_vessels):
    """aw_anchorages_derive() over all buckets: cells where min_vessels distinct MMSIs lay still."""
    if min_vessels <= 0:
        return np.empty(0, np.int64)
    allc = [c for c, _ in cells if len(c)]
    if not allc:
        return np.empty(0, np.int64)
    c = np.concatenate(allc)
    n = np.concatenate([n for cc, n in cells if len(cc)]).astype(np.int64)
    uniq, inv = np.unique(c, return_inverse=True)  # ascending, as the library adds them
    tot = np.bincount(inv, weights=n).astype(np.int64)
    return uniq[tot >= min_vessels]


def _recheck(results):
    """Windows to run again: those whose own checks failed, and owners that did not report
    an event another window saw whole in the same form."""
    again = {r["k"] for r in results if not r["ok"]}
    bounds = [(r["own"], r["k"]) for r in results]
    for r in results:
        if not r["ok"]:
            continue
        for eid, body in r["seen"].items():
            key = r["seen_keys"][eid]
            for (a, b), k in bounds:
                if a <= key < b:
                    owner = results[k]
                    if owner["ok"] and not owner["full"] and owner["owned"].get(eid) != body:
                        again.add(k)
                    break
    return sorted(again)


def _write_inputs(path, infos, files, names):
    n = len(files)
    bytes_ = (ctypes.c_int64 * max(1, n))(*[(-1 if i.get("bytes") is None else i["bytes"]) for i in infos])
    err = _lib.errbuf()
    if lib.aw_py_write_inputs(path.encode(), n, _lib.cstrings(files), _lib.cstrings(names), bytes_,
                              _lib.cstrings([i.get("sha256") or "" for i in infos]),
                              _lib.cstrings([i.get("format") for i in infos]), err, len(err)) < 0:
        _lib.fail(err)


# ---------------------------------------------------------------------------- command line

def main(argv=None):
    """`aiswatch scan --dask SCHEDULER INPUT... -o run.gpkg [options]` lands here."""
    ap = argparse.ArgumentParser(prog="aiswatch scan --dask",
                                 description="One scan over many files on a Dask distributed cluster "
                                             "(docs/distributed.md).")
    ap.add_argument("scheduler", help="tcp://HOST:8786, or local[:N] for N worker processes here")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--partition-h", type=float, default=24.0)
    ap.add_argument("--overlap-h", type=float, default=None)
    ap.add_argument("--buckets", type=int, default=None)
    ap.add_argument("--parts-dir", default=None)
    ap.add_argument("--no-positions", action="store_true")
    ap.add_argument("--no-events", action="store_true")
    ap.add_argument("--no-land", action="store_true")
    ap.add_argument("--accept-bad-checksum", action="store_true")
    ap.add_argument("--threads", type=int, default=None, help="decoding threads per task (default 1)")
    ap.add_argument("-q", "--quiet", action="store_true")
    for name in _lib.OPTION_NAMES:
        if name in ("events", "no_land", "accept_bad_checksum", "threads", "time_from_ms", "time_to_ms"):
            continue
        ap.add_argument("--" + name.replace("_", "-"), dest="opt_" + name, action="append" if name == "lists" else None)
    a = ap.parse_args(argv)
    params = {k[4:]: v for k, v in vars(a).items() if k.startswith("opt_") and v is not None}
    if a.no_events:
        params["events"] = False
    if a.no_land:
        params["no_land"] = True
    if a.accept_bad_checksum:
        params["accept_bad_checksum"] = True
    if a.threads:
        params["threads"] = a.threads
    say = (lambda s: None) if a.quiet else (lambda s: print("aiswatch scan --dask: " + s, file=sys.stderr))
    t0 = time.time()
    try:
        r = scan(a.scheduler, a.inputs, a.output, partition_h=a.partition_h, overlap_h=a.overlap_h,
                 buckets=a.buckets, with_positions=not a.no_positions, parts_dir=a.parts_dir,
                 on_stage=lambda s: say(s + " …"), **params)
    except (AiswatchError, TypeError, OSError) as e:
        print(f"aiswatch scan --dask: {e}", file=sys.stderr)
        return 2
    for u in r["unreadable"]:
        say(u["error"])
    say(f"{r['output']}: {r['inputs']} inputs, {r['buckets']} MMSI buckets, {len(r['windows'])} time partitions "
        f"({r['retries']} run again with a wider overlap), {r['anchorages_derived']} anchorages derived; "
        f"partitions in {r['parts_dir']}")
    say("time: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["seconds"].items()) + f"; total {time.time() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    # Run from the package's own module, so that Dask pickles the tasks by reference
    # (as aiswatch.dask._decode_task…), not by value with this file's ctypes globals.
    from aiswatch.dask import main as _main

    sys.exit(_main())
