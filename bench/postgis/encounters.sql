-- bench/postgis/encounters.sql — aiswatch's encounter rule (docs/events.md, src/lib/detect.c)
-- written in SQL/PostGIS the way an analyst would: resampling with generate_series and
-- window functions, a per-bin self-join with ST_DWithin on geography under a GiST index,
-- gaps-and-islands for runs, medians with percentile_cont, ports and land with ST_DWithin
-- and ST_Intersects. Reads the tables of load.sql and reference.sql; leaves enc_events (the
-- encounters) and enc_runs (every run of close bins, with the reason it was rejected).
--
-- Parameters (psql -v), the defaults of aiswatch scan:
--   grid_s 600, max_interp_s 3600, dist_m 500, min_h 2, max_kn 2, merge_h 4, port_km 10,
--   anch_cell_deg 0.01, anch_min_vessels 10 (0: no anchorages derived from the data)
--
-- Where this differs from aiswatch on purpose (docs/performance.md lists the effects):
--   * No track segmentation: a vessel is an MMSI. aiswatch splits an MMSI into segments where
--     the implied speed is impossible (GFW's segmenter, a sequential state machine that plain
--     SQL does not express) and pairs segments. Two ships sharing one MMSI are interpolated
--     here as one zig-zagging track.
--   * No removal of duplicate reports (aiswatch drops a report repeated within 30 s by
--     another receiver): a repeat a few seconds later at the same place changes no sample.
--   * Every resampled point is tested against ports and land; aiswatch tests a point only
--     when the vessel has moved more than 200 m since the last test.
\set ON_ERROR_STOP on
\timing on
SET client_min_messages = warning;

-- Speed in knots between two reports: the haversine on aiswatch's sphere (R = 6371.0088 km)
-- over the time between them; NULL when they share a time (or one is missing).
CREATE OR REPLACE FUNCTION enc_implied_kn(lat_a float8, lon_a float8, ts_a bigint,
                                          lat_b float8, lon_b float8, ts_b bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ts_b <> ts_a THEN
        2 * 6371008.8 * asin(least(1, sqrt(sin(radians(lat_b - lat_a) / 2) ^ 2
            + cos(radians(lat_a)) * cos(radians(lat_b)) * sin(radians(lon_b - lon_a) / 2) ^ 2)))
        / (ts_b - ts_a) / (1852.0 / 3600.0) END
$$;

\echo step: points
-- 1. Track points: cleaned like aiswatch's track stage (not-available and out-of-range
--    positions and (0,0) dropped), coordinates rounded back to the AIS unit of 1/600000°
--    (the CSV prints 7 decimals) so every comparison sees the values aiswatch sees, and a
--    speed: the reported SOG, else the speed implied by the neighbouring reports. One
--    window pass (one sort of the positions) also gives each point its successor with the
--    successor's speed, which the resampling needs.
DROP TABLE IF EXISTS enc_points;
CREATE UNLOGGED TABLE enc_points AS
WITH p AS (
    SELECT mmsi, extract(epoch FROM time)::bigint AS ts,
           round(lat * 600000) / 600000 AS lat, round(lon * 600000) / 600000 AS lon,
           sog_kn::float8 AS sog
    FROM positions
    WHERE msg_type IN (1, 2, 3, 18, 19, 27)
      AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 AND NOT (lat = 0 AND lon = 0)
), n AS (
    SELECT p.*,
           lag(ts) OVER w AS ts0, lag(lat) OVER w AS lat0, lag(lon) OVER w AS lon0,
           lead(ts) OVER w AS ts1, lead(lat) OVER w AS lat1, lead(lon) OVER w AS lon1, lead(sog) OVER w AS sog1,
           lead(ts, 2) OVER w AS ts2, lead(lat, 2) OVER w AS lat2, lead(lon, 2) OVER w AS lon2,
           count(*) OVER (PARTITION BY mmsi) AS reports
    FROM p
    WINDOW w AS (PARTITION BY mmsi ORDER BY ts)
)
SELECT mmsi, ts, lat, lon, reports,
       coalesce(sog, enc_implied_kn(coalesce(lat0, lat), coalesce(lon0, lon), coalesce(ts0, ts),
                                    coalesce(lat1, lat), coalesce(lon1, lon), coalesce(ts1, ts))) AS kn,
       ts1, lat1, lon1,
       CASE WHEN ts1 IS NOT NULL THEN
           coalesce(sog1, enc_implied_kn(lat, lon, ts, coalesce(lat2, lat1), coalesce(lon2, lon1), coalesce(ts2, ts1)))
       END AS kn1
FROM n;

\echo step: places
-- 2. Anchorages derived from the data: 0.01° cells where at least anch_min_vessels distinct
--    MMSIs lay still (under 0.5 kn), placed at the cell's centre; with the ports, the places
--    no encounter may be near.
DROP TABLE IF EXISTS enc_places;
CREATE UNLOGGED TABLE enc_places AS
SELECT geog FROM ports
UNION ALL
SELECT ST_SetSRID(ST_MakePoint((c + 0.5) * :anch_cell_deg - 180, (r + 0.5) * :anch_cell_deg - 90), 4326)::geography
FROM (SELECT floor((lat + 90) / :anch_cell_deg)::bigint AS r, floor((lon + 180) / :anch_cell_deg)::bigint AS c
      FROM enc_points
      WHERE kn < 0.5 AND :anch_min_vessels > 0
      GROUP BY 1, 2
      HAVING count(DISTINCT mmsi) >= :anch_min_vessels) cells;
CREATE INDEX enc_places_geog ON enc_places USING gist (geog);
ANALYZE enc_places;

\echo step: samples
-- 3. Resampling to the grid: each report spans the grid times up to its successor; a grid
--    time that falls on a report takes it as is, one between two reports is interpolated
--    linearly (longitude across the antimeridian, speed between the two speeds), never
--    across a silence over max_interp_s. Vessels with a single report are left out.
DROP TABLE IF EXISTS enc_samples;
CREATE UNLOGGED TABLE enc_samples AS
WITH g AS (
    SELECT pt.*, gt, (gt - ts)::float8 / nullif(ts1 - ts, 0) AS f
    FROM enc_points pt
    CROSS JOIN LATERAL generate_series((ts + :grid_s - 1) / :grid_s * :grid_s, coalesce(ts1 - 1, ts), :grid_s) AS gt
    WHERE reports >= 2 AND (gt = ts OR ts1 - ts <= :max_interp_s)
), s AS (
    SELECT mmsi, (gt / :grid_s)::integer AS bin,
           CASE WHEN gt = ts THEN lat ELSE lat + f * (lat1 - lat) END AS lat,
           CASE WHEN gt = ts THEN lon ELSE
               lon + f * (lon1 - lon + CASE WHEN lon1 - lon > 180 THEN -360 WHEN lon1 - lon < -180 THEN 360 ELSE 0 END)
           END AS lon0,
           CASE WHEN gt = ts THEN kn ELSE coalesce(kn + f * (kn1 - kn), kn, kn1) END AS kn
    FROM g
), w AS (
    SELECT mmsi, bin, lat, CASE WHEN lon0 > 180 THEN lon0 - 360 WHEN lon0 < -180 THEN lon0 + 360 ELSE lon0 END AS lon, kn
    FROM s
)
SELECT mmsi, bin, lat::real AS lat, lon::real AS lon, kn::real AS kn,
       ST_SetSRID(ST_MakePoint(lon::real, lat::real), 4326)::geography AS geog
FROM w
-- Samples in port, at an anchorage or on land never make an encounter: left out before
-- the join, as aiswatch does (a crowded port would make the join quadratic).
WHERE NOT EXISTS (SELECT 1 FROM enc_places pl
                  WHERE ST_DWithin(pl.geog, ST_SetSRID(ST_MakePoint(w.lon, w.lat), 4326)::geography,
                                   :port_km * 1000.0, false))
  AND NOT EXISTS (SELECT 1 FROM land WHERE ST_Intersects(land.geom, ST_SetSRID(ST_MakePoint(w.lon, w.lat), 4326)));
CREATE INDEX enc_samples_bin_geog ON enc_samples USING gist (bin, geog);
ANALYZE enc_samples;

\echo step: close pairs
-- 4. The self-join per time bin: two MMSIs within dist_m (great circle on the sphere, as
--    aiswatch measures) in the same bin are close.
DROP TABLE IF EXISTS enc_close;
CREATE UNLOGGED TABLE enc_close AS
SELECT a.mmsi AS mmsi_a, b.mmsi AS mmsi_b, a.bin,
       ST_Distance(a.geog, b.geog, false) AS dist_m,
       a.kn AS kn_a, b.kn AS kn_b,
       ((a.lat + b.lat) / 2)::real AS lat, ((a.lon + b.lon) / 2)::real AS lon
FROM enc_samples a
JOIN enc_samples b ON b.bin = a.bin AND ST_DWithin(a.geog, b.geog, :dist_m, false) AND a.mmsi < b.mmsi;

\echo step: runs
-- 5. Runs (gaps and islands): the close bins of one pair, a new run wherever the previous
--    close bin is merge_h or more before. Medians as aiswatch takes them (percentile_cont
--    averages the two middle values and skips NULLs as aiswatch skips NaN); the place is the
--    median latitude and longitude of the pair's midpoints.
DROP TABLE IF EXISTS enc_runs;
CREATE UNLOGGED TABLE enc_runs AS
WITH c AS (
    SELECT *, bin - lag(bin) OVER (PARTITION BY mmsi_a, mmsi_b ORDER BY bin) AS step
    FROM enc_close
), r AS (
    SELECT *, count(*) FILTER (WHERE step IS NULL OR step >= (:merge_h * 3600 / :grid_s)::integer)
              OVER (PARTITION BY mmsi_a, mmsi_b ORDER BY bin) AS run
    FROM c
)
SELECT mmsi_a, mmsi_b, run,
       min(bin)::bigint * :grid_s AS start_s, max(bin)::bigint * :grid_s AS end_s,
       (max(bin) - min(bin))::float8 * :grid_s / 3600.0 AS duration_h,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY kn_a) AS median_speed_kn_1,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY kn_b) AS median_speed_kn_2,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY dist_m) AS median_distance_m,
       min(dist_m) AS min_distance_m,
       count(*) AS close_samples,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lat) AS lat,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lon) AS lon
FROM r
GROUP BY mmsi_a, mmsi_b, run;

\echo step: filters
-- 6. The filters, in aiswatch's order; the first that fails is the run's reason.
ALTER TABLE enc_runs ADD COLUMN reason text;
UPDATE enc_runs r SET reason = CASE
    WHEN r.duration_h < :min_h THEN 'short'
    WHEN NOT (r.median_speed_kn_1 < :max_kn AND r.median_speed_kn_2 < :max_kn) THEN 'fast'
    WHEN EXISTS (SELECT 1 FROM land WHERE ST_Intersects(land.geom, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326))) THEN 'land'
    WHEN EXISTS (SELECT 1 FROM enc_places pl
                 WHERE ST_DWithin(pl.geog, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)::geography,
                                  :port_km * 1000.0, false)) THEN 'port'
END;

DROP TABLE IF EXISTS enc_events;
CREATE UNLOGGED TABLE enc_events AS
SELECT mmsi_a, mmsi_b, to_timestamp(start_s) AS start, to_timestamp(end_s) AS "end", start_s, end_s, duration_h,
       median_distance_m, min_distance_m, median_speed_kn_1, median_speed_kn_2, close_samples, lat, lon
FROM enc_runs WHERE reason IS NULL;
