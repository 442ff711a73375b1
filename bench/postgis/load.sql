-- bench/postgis/load.sql — the "load" of bench/postgis.sh: the decoded positions (a CSV
-- made by `aiswatch decode --format csv`, position reports only) into a spatial table, the
-- way an analyst loads AIS into PostGIS: COPY, a geography point per row, indexes.
-- The data arrives on psql's standard input (\copy … FROM pstdin).
\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Created and filled in one transaction: with wal_level=minimal the COPY writes no WAL.
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
    geog        geography(Point, 4326) GENERATED ALWAYS AS
                (CASE WHEN lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180
                      THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END) STORED
);
\copy positions (time, msg_type, mmsi, lat, lon, sog_kn, cog_deg, heading_deg, nav_status) FROM pstdin WITH (FORMAT csv, HEADER true)
COMMIT;

-- The indexes an AIS table gets: per-vessel time order (what the resampling reads) and
-- the spatial one.
CREATE INDEX positions_mmsi_time ON positions (mmsi, time);
CREATE INDEX positions_geog ON positions USING gist (geog);
VACUUM ANALYZE positions;
