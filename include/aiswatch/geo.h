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

/* Natural Earth land from a world-atlas TopoJSON file (land-10m.json; its `land` object).
 * 0, or -1 with a message. */
int aw_geo_load_land(aw_geo *g, const char *topojson_path, char *err, size_t errcap);
/* Where the project's install put world-atlas (node_modules/world-atlas/land-10m.json
 * beside the program or the source tree), or NULL. `exe_dir` is the program's folder. */
const char *aw_geo_default_land(const char *exe_dir, char *buf, size_t cap);

/* NGA World Port Index CSV (Pub. 150 "UpdatedPub150.csv": columns named "Main Port Name",
 * "Latitude", "Longitude", "UN/LOCODE", "Country Code"…). Returns the ports loaded or -1. */
long aw_geo_load_ports(aw_geo *g, const char *csv_path, char *err, size_t errcap);
/* GFW anchorage CSV (s2id,latitude,longitude,label,sublabel,iso3). Returns points or -1. */
long aw_geo_load_anchorages(aw_geo *g, const char *csv_path, char *err, size_t errcap);
/* Adds one anchorage point (for anchorages derived from the data). */
int aw_geo_add_anchorage(aw_geo *g, double lat, double lon, const char *label);

bool aw_geo_has_land(const aw_geo *g);
/* True on land (inside a Natural Earth land polygon, lakes not subtracted). */
bool aw_geo_on_land(const aw_geo *g, double lat, double lon);
/* Distance to the nearest coastline in km (0 on the line; positive on land and at sea
 * alike), NAN without land data. Exact to the polygon edges; beyond `max_km` it may
 * return any value > max_km (the search stops there). */
double aw_geo_shore_km(const aw_geo *g, double lat, double lon, double max_km);

typedef struct aw_place {
    double km;          /* distance, NAN when none within the search radius */
    double lat, lon;
    const char *name;   /* port or anchorage label, may be "" */
    const char *country;/* ISO code when known, may be "" */
} aw_place;

/* Nearest port and nearest anchorage within max_km (km = NAN when none). */
aw_place aw_geo_nearest_port(const aw_geo *g, double lat, double lon, double max_km);
aw_place aw_geo_nearest_anchorage(const aw_geo *g, double lat, double lon, double max_km);

/* Great-circle distance in metres (haversine, mean Earth radius 6371.0088 km). */
double aw_distance_m(double lat1, double lon1, double lat2, double lon2);

#endif
