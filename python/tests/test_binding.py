"""The Python binding gives what the program gives on the same input, in the documented
dtypes and units, and turns the library's errors into exceptions carrying its message."""
import json
import math
import os
import sqlite3

import pandas as pd
import pytest

import aiswatch
from aiswatch import AiswatchError

from conftest import run


def by_start_id(jsonl):
    rows = [json.loads(l) for l in jsonl.splitlines() if l]
    return sorted(rows, key=lambda r: (r["start"], r["id"]))


def test_decode_rows_equal_the_cli_decode(sim):
    path = sim["files"][1]
    df = aiswatch.decode(path)
    cli = [json.loads(l) for l in run("decode", path).stdout.splitlines()]
    assert len(df) == len(cli) > 1000
    for i in (0, 1, len(cli) // 2, len(cli) - 1):
        row, ref = df.iloc[i], cli[i]
        assert row["mmsi"] == ref["mmsi"] and row["msg_type"] == ref["msg_type"]
        assert row["time"] == pd.Timestamp(ref["time"]).tz_localize(None)
        if "lat" in ref and abs(ref["lat"]) <= 90:
            assert round(row["lat"], 7) == ref["lat"] and round(row["lon"], 7) == ref["lon"]
    # Every message type and MMSI count the same.
    assert df["msg_type"].value_counts().to_dict() == pd.Series([r["msg_type"] for r in cli]).value_counts().to_dict()
    assert df["mmsi"].nunique() == len({r["mmsi"] for r in cli})
    # Static reports: the names the CLI decodes.
    names = {r["shipname"].strip() for r in cli if r.get("shipname")}
    assert set(df["name"].dropna()) <= names and len(df["name"].dropna()) > 0


def test_decode_dtypes_units_and_zero_copy(sim):
    df = aiswatch.decode(sim["files"][0])
    expect = {"msg_type": "uint8", "repeat": "uint8", "mmsi": "uint32", "lat": "float64", "lon": "float64",
              "sog_kn": "float32", "cog_deg": "float32", "heading_deg": "float32", "nav_status": "uint8",
              "imo": "uint32", "ship_type": "uint8", "draught_m": "float32", "length_m": "float32",
              "beam_m": "float32", "name": "object", "callsign": "object", "destination": "object",
              "channel": "object"}
    assert {k: str(df[k].dtype) for k in expect} == expect
    assert str(df["time"].dtype).startswith("datetime64")
    pos = df[df["msg_type"].isin([1, 2, 3, 18, 19, 27])]
    assert pos["lat"].between(-90, 90).all() and pos["lon"].between(-180, 180).all()
    assert (pos["sog_kn"].dropna() < 102.3).all() and (pos["cog_deg"].dropna() < 360).all()
    static = df[df["msg_type"] == 5]
    assert static["lat"].isna().all() and (static["draught_m"].dropna() < 25.6).all()
    # Numeric columns are views of the library's arrays, not copies.
    for col in ("lat", "mmsi", "sog_kn"):
        assert not df[col].values.flags.owndata
    assert df.attrs["input"]["stats"]["messages"] == len(df)
    assert len(df.attrs["input"]["sha256"]) == 64


def test_decode_bytes_equals_path(sim):
    path = sim["files"][2]
    a = aiswatch.decode(path)
    b = aiswatch.decode(open(path, "rb").read())
    pd.testing.assert_frame_equal(a, b)


def test_scan_events_equal_the_cli(sim, tmp_path):
    out = tmp_path / "py.gpkg"
    r = aiswatch.scan([sim["inputs"]], output=out, ports=sim["ports"], lists=sim["watch"])
    cli_events = run("events", sim["single"], "--format", "jsonl").stdout
    # The GeoPackage the binding wrote prints the same bytes as the CLI's.
    assert run("events", out, "--format", "jsonl").stdout == cli_events
    # In memory: the same events (the JSON form leaves participants' sanctions to the GeoPackage).
    mine = by_start_id(r.events_jsonl)
    ref = by_start_id(cli_events)
    for m in ref:
        m["sanctioned"] = None
    assert mine == ref
    ev = r.events
    assert len(ev) == len(ref) and set(ev["type"]) >= {"encounter", "loitering", "gap", "dark_rendezvous"}
    assert str(ev["start"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(ev["measures"].iloc[0], dict)


def test_scan_vessels_and_positions_equal_the_cli(sim):
    r = aiswatch.scan([sim["inputs"]], ports=sim["ports"], lists=sim["watch"])
    cli = [json.loads(l) for l in run("vessels", sim["single"]).stdout.splitlines()]
    v = r.vessels
    assert len(v) == len(cli)
    got = {(int(a), int(b)): (n, i) for a, b, n, i in zip(v["mmsi"], v["segment"], v["name"], v["imo"])}
    for c in cli:
        name, imo = got[(c["mmsi"], c["segment"])]
        assert name == c.get("name") and (imo == c.get("imo") or (c.get("imo") is None and math.isnan(imo)))
    assert v["sanctions"].notna().sum() >= 1  # the watch-listed vessels
    p = r.positions
    con = sqlite3.connect(sim["single"])
    n, mmsis = con.execute("SELECT count(*), count(DISTINCT mmsi) FROM positions").fetchone()
    con.close()
    assert len(p) == n and p["mmsi"].nunique() == mmsis
    assert {"time", "mmsi", "segment", "lat", "lon", "sog_kn", "cog_deg", "heading_deg", "source"} <= set(p.columns)
    assert str(p["segment"].dtype) == "uint32" and not p["lat"].values.flags.owndata
    assert set(p["source"].cat.categories) == {os.path.basename(f) for f in sim["files"]}
    assert r.summary["tracks"]["positions"] == n


def test_screen_finds_the_watch_listed_imo(sim):
    imo = next(int(l.split(",")[0]) for l in open(sim["watch"]).read().splitlines()[1:])
    m = aiswatch.screen(sim["watch"], imo=imo)
    assert len(m) >= 1 and m.iloc[0]["basis"] == "imo" and m.iloc[0]["list"] == "test watch list"
    assert len(aiswatch.screen(sim["watch"], name="NO SUCH SHIP AT ALL")) == 0


def test_read_gpkg_layers(sim):
    layers = aiswatch.read_gpkg(sim["single"], geo=False)
    assert {"positions", "tracks", "vessels", "identity_history", "inputs", "events", "event_tracks"} <= set(layers)
    assert len(layers["events"]) == len(sim["events"].splitlines())
    assert layers["positions"]["lat"].between(-90, 90).all()
    assert isinstance(layers["tracks"]["coords"].iloc[0], list)
    assert len(aiswatch.read_gpkg(sim["single"], "inputs")) == 4
    if aiswatch._gpd is not None:
        ev = aiswatch.read_gpkg(sim["single"], "events")
        assert ev.crs.to_epsg() == 4326 and ev.geometry.iloc[0].x == ev["lon"].iloc[0]


def test_errors_carry_the_library_message(sim, tmp_path):
    with pytest.raises(AiswatchError, match="No such file"):
        aiswatch.decode(str(tmp_path / "missing.nmea"))
    with pytest.raises(AiswatchError, match="gap_min_h takes a number >= 0"):
        aiswatch.scan([sim["files"][0]], gap_min_h=-1)
    with pytest.raises(TypeError, match="unknown option 'gap_hours'"):
        aiswatch.scan([sim["files"][0]], gap_hours=3)
    empty = tmp_path / "empty.txt"
    empty.write_text("not ais\n")
    with pytest.raises(AiswatchError, match="nothing usable was read"):
        aiswatch.scan([str(empty)])
    with pytest.raises(AiswatchError, match="not a GeoPackage"):
        aiswatch.read_gpkg(str(empty))
    with pytest.raises(AiswatchError):
        aiswatch.screen(str(empty), name="X")
