/* aiswatch/geo.h — the geography the detectors ask about: land, distance from shore,
 * ports and anchorages.
 *
 * Promise: once loaded, every question is answered from an index in (amortised)
 * constant time — a grid over the coastline and over the port and anchorage points —
 * never by scanning every polygon or port. Land and shore come from Natural Earth
 * (npm `world-atlas`, TopoJSON, 1:10m); ports from the NGA World Port Index CSV; named
 * anchorages from GFW's anchorage CSV, plus anchorages derived from the data (cells where
 * many distinct vessels stay put). Any source may be absent: then its questions answer
 * "unknown" (NAN / false) and callers skip the rules that need it. An aw_geo is
 * read-only after loading and may be shared between threads.
 */
#ifndef AISWATCH_GEO_H
#define AISWATCH_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct aw_geo aw_geo;

aw_geo *aw_geo_new(void);
void aw_geo_free(aw_geo *g);

/* Natural Earth land from a world-atlas TopoJSON file (land-10m.json; its `land` object,
 * quantized or not). Replaces land loaded before. 0, or -1 with a message (the aw_geo then
 * keeps what it had). */
int aw_geo_load_land(aw_geo *g, const char *topojson_path, char *err, size_t errcap);
/* Where the project's install put world-atlas: node_modules/world-atlas/land-10m.json in
 * `exe_dir` (the program's folder, may be NULL) or up to three folders above it, else in
 * the current directory. Returns `buf` holding the path, or NULL. */
const char *aw_geo_default_land(const char *exe_dir, char *buf, size_t cap);

/* NGA World Port Index CSV (Pub. 150 "UpdatedPub150.csv": columns found by name, "Main
 * Port Name", "Latitude", "Longitude", "UN/LOCODE"). Appends; rows without a valid position
 * are skipped. Returns the ports loaded or -1 with a message. */
long aw_geo_load_ports(aw_geo *g, const char *csv_path, char *err, size_t errcap);
/* GFW anchorage CSV (s2id,latitude,longitude,label,sublabel,iso3; found by name). Appends;
 * rows without a valid position are skipped. Returns the points loaded or -1. */
long aw_geo_load_anchorages(aw_geo *g, const char *csv_path, char *err, size_t errcap);
/* Adds one anchorage point (for anchorages derived from the data); the label is copied
 * (a label equal to the last one added this way is shared, not copied again). Part of
 * loading: not concurrent with queries. 0, or -1 for a bad position. */
int aw_geo_add_anchorage(aw_geo *g, double lat, double lon, const char *label);
/* How many anchorage points are loaded or added. */
size_t aw_geo_anchorage_count(const aw_geo *g);
/* Removes the anchorage points added after the first n, newest first, so the geo answers
 * exactly as it did when it held n (a live watch derives anchorages from each window and
 * takes them away again). Not concurrent with queries. */
void aw_geo_drop_anchorages(aw_geo *g, size_t n);

bool aw_geo_has_land(const aw_geo *g);
/* True on land (inside a Natural Earth land polygon, lakes not subtracted; the South Pole
 * is land). False for positions outside lat ±90 / lon ±180 and NAN; lon 180 is lon -180. */
bool aw_geo_on_land(const aw_geo *g, double lat, double lon);
/* Distance to the nearest coastline in km (0 on the line; positive on land and at sea
 * alike), NAN without land data or for an invalid position. The nearest edge point is the
 * exact minimum in an equirectangular projection centred on the query; the value returned
 * is the great-circle distance to that point (never short; measured at most 0.1 % long
 * within 50 km of shore up to 80° of latitude, docs/geography.md). Cuts along the antimeridian are no coast. Beyond `max_km`
 * it returns some value > max_km (the search stops there), INFINITY when it found none. */
double aw_geo_shore_km(const aw_geo *g, double lat, double lon, double max_km);

typedef struct aw_place {
    double km;          /* distance, NAN when none within the search radius */
    double lat, lon;
    const char *name;   /* port name or anchorage label, "" when none; owned by the aw_geo */
    const char *country;/* WPI: ISO 3166 alpha-2 from the UN/LOCODE; GFW: its iso3; or "" */
} aw_place;

/* Nearest port and nearest anchorage within max_km by great-circle distance (km, lat, lon
 * NAN and name "" when none, or for an invalid position). */
aw_place aw_geo_nearest_port(const aw_geo *g, double lat, double lon, double max_km);
aw_place aw_geo_nearest_anchorage(const aw_geo *g, double lat, double lon, double max_km);

/* Great-circle distance in metres (haversine, mean Earth radius 6371.0088 km). */
double aw_distance_m(double lat1, double lon1, double lat2, double lon2);

#endif
