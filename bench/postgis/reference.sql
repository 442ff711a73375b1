-- bench/postgis/reference.sql — the places the encounter rule excludes, beside the
-- positions: ports (name, lat, lon on standard input: the ports `aiswatch scan --ports`
-- reads) and Natural Earth 1:10m land (table land_raw, loaded before this by psql from
-- ogr2ogr's PGDump of world-atlas land-10m.json, the file aiswatch reads), cut into small
-- pieces under a GiST index so a point-in-land test touches a few hundred vertices, not
-- the 500,000 of a continent.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP TABLE IF EXISTS ports;
CREATE TABLE ports (
    name text,
    lat  double precision NOT NULL,
    lon  double precision NOT NULL,
    geog geography(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED
);
\copy ports (name, lat, lon) FROM pstdin WITH (FORMAT csv, HEADER true)
CREATE INDEX ports_geog ON ports USING gist (geog);

DROP TABLE IF EXISTS land;
CREATE TABLE land AS
SELECT ST_Subdivide(ST_MakeValid(geom), 256)::geometry(Geometry, 4326) AS geom FROM land_raw;
CREATE INDEX land_geom ON land USING gist (geom);
DROP TABLE land_raw;
ANALYZE ports;
ANALYZE land;
