-- bench/postgis/load.sql — the "load" of bench/postgis.sh: the decoded positions (a CSV
-- made by `aiswatch decode --format csv`, position reports only) into a spatial table, the
-- way an analyst loads AIS into PostGIS: COPY, a point per row, indexes. The point is a
-- geometry in EPSG:4326 (queries cast it to geography for metres): its GiST index builds
-- by sorting (PostGIS 3 on PostgreSQL 15), 4× faster here than one on a geography column.
-- The data arrives on psql's standard input (\copy … FROM pstdin).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\timing on
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Created and filled in one transaction: with wal_level=minimal the COPY writes no WAL.
\echo step: copy
BEGIN;
DROP TABLE IF EXISTS positions;
CREATE TABLE positions (
    time        timestamptz NOT NULL,
    msg_type    smallint    NOT NULL,
    mmsi        integer     NOT NULL,
    lat         double precision,
    lon         double precision,
    sog_kn      real,
    cog_deg     real,
    heading_deg smallint,
    nav_status  smallint,
    -- Filled during the COPY itself (no second pass over the table).
    geom        geometry(Point, 4326) GENERATED ALWAYS AS
                (CASE WHEN lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180
                      THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED
);
\copy positions (time, msg_type, mmsi, lat, lon, sog_kn, cog_deg, heading_deg, nav_status) FROM pstdin WITH (FORMAT csv, HEADER true)
COMMIT;

-- The indexes an AIS table gets: per-vessel time order (what the resampling reads) and
-- the spatial one.
\echo step: btree
CREATE INDEX positions_mmsi_time ON positions (mmsi, time);
\echo step: gist
CREATE INDEX positions_geom ON positions USING gist (geom);
\echo step: analyze
VACUUM ANALYZE positions;
