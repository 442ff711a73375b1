"""aiswatch: AIS decoding, tracks, events and sanctions screening from Python.

A thin binding over libaiswatch (the library behind the `aiswatch` program): every
result comes from the same C code the command line runs, so the same input gives the
same messages, vessels and events. See docs/python.md.

    import aiswatch
    msgs = aiswatch.decode("day.nmea.zst")            # pandas DataFrame, one row a message
    run = aiswatch.scan(["day.nmea.zst"], gap_min_h=6, ports="UpdatedPub150.csv")
    run.events, run.vessels, run.positions             # DataFrames (GeoDataFrames with geopandas)
    aiswatch.screen("SDN.CSV", name="YU JONG 2")       # matches against sanctions lists
    layers = aiswatch.read_gpkg("run.gpkg")            # every layer of a scan's GeoPackage
"""
import ctypes
import json
import os
import sqlite3
import struct
import tempfile

import numpy as np
import pandas as pd

from . import _lib
from ._lib import AiswatchError, lib

__all__ = ["decode", "scan", "screen", "read_gpkg", "ScanResult", "AiswatchError", "OPTIONS"]
__version__ = "0.1.0"

#: every keyword that scan() and the distributed scan accept
OPTIONS = tuple(_lib.OPTION_NAMES)

try:  # optional: spatial results as GeoDataFrames
    import geopandas as _gpd
except ImportError:  # pragma: no cover - depends on the machine
    _gpd = None


def _view(owner, addr, n, dtype):
    """A numpy array over C memory, keeping `owner` (which frees it) alive while used."""
    dtype = np.dtype(dtype)
    if n == 0 or not addr:
        return np.empty(0, dtype)
    buf = (ctypes.c_char * (n * dtype.itemsize)).from_address(addr)
    buf._owner = owner
    return np.frombuffer(buf, dtype=dtype, count=n)


def _texts(arr):
    """Fixed-width C strings to Python strings (None when empty)."""
    out = np.empty(len(arr), dtype=object)
    for i, b in enumerate(arr):
        out[i] = b.decode("utf-8", "replace") if b else None
    return out


def _time(ms):
    """Unix milliseconds (int64, INT64_MIN for none) as datetime64[ms] without a copy."""
    return ms.view("datetime64[ms]")


def _jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line]


def _paths(paths):
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):  # as the CLI expands them: recursively, sorted, no dot files
            out.extend(_expand_dir(p))
        else:
            out.append(p)
    return out


def _expand_dir(d):
    out = []
    for name in sorted(os.listdir(d)):
        if name.startswith("."):
            continue
        full = os.path.join(d, name)
        out.extend(_expand_dir(full) if os.path.isdir(full) else [full])
    return out


class _Decoded:
    """Owns one aw_py_decoded; freed when the last array over it goes."""

    def __init__(self, path, opts, source_id=0, messages=True):
        err = _lib.errbuf()
        self.ptr = lib.aw_py_decode(os.fsencode(path), opts.ptr, source_id, messages, err, len(err))
        if not self.ptr:
            _lib.fail(err)

    def rows(self, table):
        return lib.aw_py_decoded_rows(self.ptr, table)

    def col(self, table, name, dtype):
        return _view(self, lib.aw_py_decoded_col(self.ptr, table, name.encode()), self.rows(table), dtype)

    def static_blob(self):
        n = self.rows(_lib.STATIC)
        return ctypes.string_at(lib.aw_py_decoded_static(self.ptr), n * _lib.STATIC_SIZE) if n else b""

    def info(self):
        return json.loads(_lib.take_text(lib.aw_py_decoded_info_json(self.ptr)))

    def __del__(self):
        if getattr(self, "ptr", None):
            lib.aw_py_decoded_free(self.ptr)
            self.ptr = None


_MESSAGE_COLUMNS = [
    ("msg_type", "u1"), ("repeat", "u1"), ("mmsi", "u4"), ("lat", "f8"), ("lon", "f8"), ("sog_kn", "f4"),
    ("cog_deg", "f4"), ("heading_deg", "f4"), ("nav_status", "u1"), ("imo", "u4"), ("ship_type", "u1"),
    ("draught_m", "f4"), ("length_m", "f4"), ("beam_m", "f4"),
]
_MESSAGE_TEXTS = [("channel", "S1"), ("name", "S21"), ("callsign", "S8"), ("destination", "S21")]


def decode(source, **params):
    """Decodes one input into a DataFrame, one row per AIS message, in input order.

    source: a path (NMEA log or position table; plain, gzip or zstd) or the bytes of one.
    params: decoder options (accept_bad_checksum, threads, columns).
    Columns (units in the names; NaN when not available or not carried by the type):
    time (datetime64[ms], NaT when the input gives none), msg_type, repeat, mmsi, channel,
    lat, lon (degrees), sog_kn, cog_deg, heading_deg, nav_status (15: none), imo (0: none),
    ship_type (0: none), draught_m, length_m, beam_m, name, callsign, destination (None when
    not given). Numeric columns are views of the library's arrays (no copy).
    df.attrs["input"] holds the read summary (bytes, sha256, format, counts by reason).
    """
    opts = _lib.Opts(**params)
    tmp = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        tmp = tempfile.NamedTemporaryFile(prefix="aiswatch-", delete=False)
        tmp.write(bytes(source))
        tmp.close()
        path = tmp.name
    else:
        path = os.fspath(source)
    try:
        d = _Decoded(path, opts, 0, True)
    finally:
        if tmp:
            os.unlink(tmp.name)
    M = _lib.MESSAGES
    cols = {"time": _time(d.col(M, "time_ms", "i8"))}
    for name, dt in _MESSAGE_COLUMNS:
        cols[name] = d.col(M, name, dt)
    for name, dt in _MESSAGE_TEXTS:
        cols[name] = _texts(d.col(M, name, dt))
    order = ["time", "msg_type", "repeat", "mmsi", "channel", "lat", "lon", "sog_kn", "cog_deg", "heading_deg",
             "nav_status", "imo", "ship_type", "name", "callsign", "destination", "draught_m", "length_m", "beam_m"]
    df = pd.DataFrame({k: cols[k] for k in order}, copy=False)
    info = d.info()
    if tmp:
        info["path"] = None
    df.attrs["input"] = info
    return df


class _Tracks:
    """Positions of an aw_tracks as zero-copy columns; `owner` keeps the C object alive."""

    COLUMNS = [("mmsi", "u4"), ("segment", "u4"), ("lat", "f8"), ("lon", "f8"), ("sog_kn", "f4"), ("cog_deg", "f4"),
               ("heading_deg", "u2"), ("nav_status", "u1"), ("msg_type", "u1"), ("source_id", "u2")]

    @staticmethod
    def frame(owner, tracks_ptr, source_names):
        n = lib.aw_py_tracks_rows(tracks_ptr)

        def col(name, dt):
            return _view(owner, lib.aw_py_tracks_col(tracks_ptr, name.encode()), n, dt)

        cols = {"time": _time(col("time_ms", "i8"))}
        for name, dt in _Tracks.COLUMNS:
            cols[name] = col(name, dt)
        sid = cols.pop("source_id")
        cols["source"] = pd.Categorical.from_codes(sid.astype(np.int64), categories=list(source_names)) \
            if len(source_names) else pd.Categorical([None] * n)
        return pd.DataFrame(cols, copy=False)


def _events_frame(records):
    cols = ["id", "type", "start", "end", "duration_h", "lat", "lon", "mmsi", "segment", "imo", "names", "flags",
            "measures", "detail", "linked", "parameters", "sources", "sanctioned"]
    df = pd.DataFrame(records, columns=cols)
    df["start"] = pd.to_datetime(df["start"], utc=True)
    df["end"] = pd.to_datetime(df["end"], utc=True)
    return _geo(df, "lon", "lat")


def _geo(df, x, y):
    if _gpd is None:
        return df
    return _gpd.GeoDataFrame(df, geometry=_gpd.points_from_xy(df[x], df[y]), crs="EPSG:4326")


class ScanResult:
    """What aiswatch.scan() found. DataFrames (GeoDataFrames with geopandas):

    events: one row per event, the columns of `aiswatch events --format jsonl` (start and
      end as UTC timestamps, measures and parameters as dicts, mmsi/segment/names as lists);
    vessels: one row per (mmsi, segment) with its latest identity, flag and sanctions;
    identity_history: every run of one identity value with first/last seen;
    positions: every kept position (time, mmsi, segment, lat, lon, sog_kn, cog_deg,
      heading_deg (511: none), nav_status, msg_type, source), zero-copy, a plain DataFrame
      (positions_geo() makes the GeoDataFrame);
    summary: dict of what was read, kept and dropped, per input and in total.
    """

    def __init__(self, ptr, names):
        self._ptr = ptr
        self._names = names
        self.summary = json.loads(_lib.take_text(lib.aw_py_scan_summary_json(ptr)))
        self._cache = {}

    def __del__(self):
        if getattr(self, "_ptr", None):
            lib.aw_py_scan_free(self._ptr)
            self._ptr = None

    @property
    def events(self):
        if "events" not in self._cache:
            self._cache["events"] = _events_frame(_jsonl(_lib.take_text(lib.aw_py_scan_events_jsonl(self._ptr))))
        return self._cache["events"]

    @property
    def events_jsonl(self):
        """The events as JSON lines, byte for byte as `aiswatch events --format jsonl` prints them
        (the sanctioned key is null here; the GeoPackage holds the participants' matches)."""
        return _lib.take_text(lib.aw_py_scan_events_jsonl(self._ptr))

    @property
    def vessels(self):
        if "vessels" not in self._cache:
            rows = _jsonl(_lib.take_text(lib.aw_py_scan_vessels_jsonl(self._ptr)))
            df = pd.DataFrame(rows)
            for c in ("first_seen", "last_seen"):
                if c + "_ms" in df:
                    df[c] = pd.to_datetime(df.pop(c + "_ms"), unit="ms", utc=True)
            self._cache["vessels"] = _geo(df, "lon", "lat") if len(df) else df
        return self._cache["vessels"]

    @property
    def identity_history(self):
        t = lib.aw_py_scan_tracks(self._ptr)
        df = pd.DataFrame(_jsonl(_lib.take_text(lib.aw_py_history_jsonl(t))),
                          columns=["mmsi", "segment", "field", "value", "first_seen_ms", "last_seen_ms", "n_reports"])
        for c in ("first_seen", "last_seen"):
            df[c] = pd.to_datetime(df.pop(c + "_ms"), unit="ms", utc=True)
        return df

    @property
    def positions(self):
        """A plain DataFrame (lat/lon columns; numeric columns are views of the library's
        arrays): a GeoDataFrame of millions of points costs seconds, see positions_geo()."""
        return _Tracks.frame(self, lib.aw_py_scan_tracks(self._ptr), self._names)

    def positions_geo(self):
        """The positions as a GeoDataFrame (needs geopandas; slow for millions of rows)."""
        if _gpd is None:
            raise AiswatchError("positions_geo() needs geopandas (Debian: python3-geopandas)")
        return _geo(self.positions, "lon", "lat")


def scan(paths, output=None, with_positions=True, **params):
    """Runs `aiswatch scan` on the inputs (files, directories, as the CLI takes them).

    output: a GeoPackage to write as the CLI would (None: results in memory only).
    params: every `aiswatch scan` option by its name: event thresholds (encounter_distance_m,
    encounter_min_h, …, gap_min_h, context_h; see aiswatch.OPTIONS), ports, anchorages,
    land, no_land, anchorage_min_vessels, lists (a path or a list of paths),
    name_min_score, events (False: tracks only), columns, accept_bad_checksum, threads,
    time_from_ms/time_to_ms. Raises AiswatchError with the library's message when nothing
    usable was read; problems with single inputs are in result.summary["warnings"].
    """
    opts = _lib.Opts(**params)
    files = _paths(paths)
    arr = _lib.cstrings(files)
    err = _lib.errbuf()
    ptr = lib.aw_py_scan_run(opts.ptr, arr, len(files), _lib.LIB_DIR.encode(),
                             os.fsencode(output) if output else None, with_positions, err, len(err))
    if not ptr:
        _lib.fail(err)
    return ScanResult(ptr, [os.path.basename(f) for f in files])


def screen(lists, name=None, imo=None, mmsi=None, callsign=None, name_min_score=None):
    """Matches one identity against sanctions lists (OFAC, UK, UN 1718, OpenSanctions,
    watch lists: any file `aiswatch scan --lists` reads). Returns a DataFrame of matches,
    strongest first: list, entry_id, name, programs, basis (imo, mmsi, name+callsign,
    name), score (1.0 exact), matched (the value that matched), former_name."""
    opts = _lib.Opts(lists=lists, name_min_score=name_min_score)
    err = _lib.errbuf()
    lp = lib.aw_py_lists_load(opts.ptr, err, len(err))
    if not lp:
        _lib.fail(err, "no lists given")
    try:
        text = _lib.take_text(lib.aw_py_screen_query(lp, opts.ptr, int(mmsi or 0), int(imo or 0),
                                                     name.encode() if name else None,
                                                     callsign.encode() if callsign else None))
    finally:
        lib.aw_lists_free(lp)
    return pd.DataFrame(_jsonl(text))


def _gp_xy(blob):
    """(lon, lat) of a GeoPackage point blob, or the coordinate list of a line string."""
    if blob is None:
        return None
    flags = blob[3]
    if flags & 0x10:
        return None
    off = 8 + (0, 32, 48, 48, 64, 0, 0, 0)[(flags >> 1) & 7]
    bo = "<" if blob[off] == 1 else ">"
    (typ,) = struct.unpack_from(bo + "I", blob, off + 1)
    if typ == 1:
        return struct.unpack_from(bo + "dd", blob, off + 5)
    if typ == 2:
        (n,) = struct.unpack_from(bo + "I", blob, off + 5)
        v = struct.unpack_from(bo + "%dd" % (2 * n), blob, off + 9)
        return list(zip(v[0::2], v[1::2]))
    return None


def read_gpkg(path, layer=None, geo=None):
    """Reads a scan's GeoPackage: one layer as a DataFrame, or, without `layer`, a dict of
    every layer. Point layers get lon and lat columns, line layers a coords column of
    (lon, lat) pairs. geo (default: whether geopandas is installed) makes feature layers
    GeoDataFrames (EPSG:4326); pass geo=False for large layers such as positions, whose
    geometries cost seconds per million rows to build."""
    path = os.fspath(path)
    if geo is None:
        geo = _gpd is not None
    if geo and _gpd is None:
        raise AiswatchError("geo=True needs geopandas (Debian: python3-geopandas)")
    if not os.path.exists(path):
        raise AiswatchError(f"{path}: no such file")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            layers = con.execute("SELECT table_name, data_type FROM gpkg_contents ORDER BY rowid").fetchall()
        except sqlite3.DatabaseError as e:
            raise AiswatchError(f"{path}: not a GeoPackage ({e})") from None
        if layer is not None and layer not in [l for l, _ in layers]:
            raise AiswatchError(f"{path}: no layer {layer!r} (layers: {', '.join(l for l, _ in layers)})")
        out = {}
        for name, kind in layers:
            if layer is not None and name != layer:
                continue
            df = pd.read_sql_query(f'SELECT * FROM "{name}" ORDER BY fid', con)
            if "geom" in df:
                geoms = [_gp_xy(g) for g in df.pop("geom")]
                lines = any(isinstance(g, list) for g in geoms)
                if lines:
                    df["coords"] = geoms
                else:
                    df["lon"] = [g[0] if g else np.nan for g in geoms]
                    df["lat"] = [g[1] if g else np.nan for g in geoms]
                if geo and lines:
                    from shapely.geometry import LineString
                    df = _gpd.GeoDataFrame(df, geometry=[LineString(c) if c else None for c in df["coords"]],
                                           crs="EPSG:4326")
                elif geo:
                    df = _geo(df, "lon", "lat")
            out[name] = df
        return out[layer] if layer is not None else out
    finally:
        con.close()
