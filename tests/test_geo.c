/* test_geo.c — land, shore distance, ports and anchorages (aiswatch/geo.h).
 *
 * Three kinds of evidence: small hand-written TopoJSON shapes whose answers follow from
 * spherical geometry (a straight coast, the antimeridian, a polar cap, a hole, a shared
 * border); places everyone can check on a map; and, for Natural Earth's 405k edges, the
 * index against a scan of every edge on random points, which must agree exactly.
 */
#include "aiswatch/geo.h"
#include "geo_priv.h"

#include "check.h"

#include <math.h>
#include <stdint.h>
#include <unistd.h>

#define KM_PER_DEG (6371.0088 * M_PI / 180.0)

static const char *src_path(const char *rel, char *buf, size_t cap) {
    const char *root = getenv("AW_SRC");
    snprintf(buf, cap, "%s/%s", root ? root : "..", rel);
    return buf;
}

/* Writes a TopoJSON text to a temporary file and loads it into a new aw_geo. */
static aw_geo *geo_from_text(const char *json) {
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/aw_geo_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(json, f);
    fclose(f);
    aw_geo *g = aw_geo_new();
    char err[256];
    int rc = aw_geo_load_land(g, path, err, sizeof err);
    unlink(path);
    if (rc) {
        fprintf(stderr, "load failed: %s\n", err);
        aw_geo_free(g);
        return NULL;
    }
    return g;
}

static bool near(double a, double b, double tol) { return fabs(a - b) <= tol; }

static void square_island_has_exact_shore_distances(void) {
    aw_geo *g = geo_from_text(
        "{\"type\":\"Topology\",\"objects\":{\"land\":{\"type\":\"Polygon\",\"arcs\":[[0]]}},"
        "\"arcs\":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}");
    CHECK(g != NULL);
    if (!g) return;
    CHECK(aw_geo_has_land(g));
    CHECK(aw_geo_on_land(g, 5, 5));
    CHECK(!aw_geo_on_land(g, 5, -1));
    CHECK(!aw_geo_on_land(g, 11, 5));
    /* 1° of longitude west of the straight N–S coast at lat 5: the great-circle distance to
     * the meridian is R·asin(sin 1°·cos 5°); we measure to the point due east, which is
     * longer by a second-order term (< 1 m here). */
    double to_meridian = 6371.0088 * asin(sin(M_PI / 180) * cos(5 * M_PI / 180));
    CHECK(near(aw_geo_shore_km(g, 5, -1, 500), to_meridian, 0.01));
    /* 1° due south of the E–W coast along the equator: exactly 1° of a great circle. */
    CHECK(near(aw_geo_shore_km(g, -1, 5, 500), KM_PER_DEG, 1e-3));
    /* Inland, the same rule: 2° from the south coast. */
    CHECK(near(aw_geo_shore_km(g, 2, 5, 500), 2 * KM_PER_DEG, 1e-3));
    /* Off the corner, the nearest point is the corner. */
    CHECK(near(aw_geo_shore_km(g, -1, -1, 500), aw_distance_m(-1, -1, 0, 0) / 1000, 1e-9));
    /* Beyond max_km the answer is only promised to exceed it. */
    CHECK(aw_geo_shore_km(g, 40, 40, 100) > 100);
    CHECK(aw_geo_shore_km(g, 5, 5, 0) >= 0);
    aw_geo_free(g);
}

static void quantized_arcs_with_hole_reversal_and_shared_border(void) {
    /* Delta-encoded, quantized to 0.1° from (-180, -90). Two squares [0,10]×[0,10] and
     * [10,20]×[0,10] share the border lon 10 (arc 1, used once each way); the second is
     * written with a reversed arc (~1); the first has a hole [4,6]×[4,6] (arc 3). */
    aw_geo *g = geo_from_text(
        "{\"type\":\"Topology\",\"transform\":{\"scale\":[0.1,0.1],\"translate\":[-180,-90]},"
        "\"objects\":{\"land\":{\"type\":\"GeometryCollection\",\"geometries\":["
        "{\"type\":\"MultiPolygon\",\"arcs\":[[[0,1],[3]],[[-2,2]]]}]}},"
        "\"arcs\":["
        "[[1900,900],[-100,0],[0,100],[100,0]],"     /* (10,0)→(0,0)→(0,10)→(10,10) */
        "[[1900,1000],[0,-100]],"                    /* (10,10)→(10,0) */
        "[[1900,1000],[100,0],[0,-100],[-100,0]],"   /* (10,10)→(20,10)→(20,0)→(10,0) */
        "[[1840,940],[20,0],[0,20],[-20,0],[0,-20]]" /* the hole */
        "]}");
    CHECK(g != NULL);
    if (!g) return;
    CHECK(aw_geo_on_land(g, 2, 2));
    CHECK(!aw_geo_on_land(g, 5, 5)); /* in the hole */
    CHECK(aw_geo_on_land(g, 2, 15));
    CHECK(aw_geo_on_land(g, 2, 9.99));
    CHECK(aw_geo_on_land(g, 2, 10.01));
    CHECK(!aw_geo_on_land(g, 2, 20.01));
    /* The shared border is no coast: from (lat 8, lon 10) the nearest coast is the north
     * side, 2° away, not the border under the point. */
    CHECK(near(aw_geo_shore_km(g, 8, 10, 1000), 2 * KM_PER_DEG, 1e-3));
    /* The hole's edge is a coast: (lat 3, lon 5) is 1° south of it, 3° from the sea. */
    CHECK(near(aw_geo_shore_km(g, 3, 5, 1000), KM_PER_DEG, 1e-3));
    aw_geo_free(g);
}

static void polygon_across_the_antimeridian(void) {
    /* A 20°×20° island centred on lon 180, written as spherical TopoJSON writes it: short
     * edges from 170 to -170. */
    aw_geo *g = geo_from_text(
        "{\"type\":\"Topology\",\"objects\":{\"land\":{\"type\":\"Polygon\",\"arcs\":[[0]]}},"
        "\"arcs\":[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]]]}");
    CHECK(g != NULL);
    if (!g) return;
    CHECK(aw_geo_on_land(g, 0, 179.9));
    CHECK(aw_geo_on_land(g, 0, -179.9));
    CHECK(aw_geo_on_land(g, 0, 180));
    CHECK(aw_geo_on_land(g, 0, -180));
    CHECK(aw_geo_on_land(g, 9.9, 175));
    CHECK(!aw_geo_on_land(g, 0, 0));
    CHECK(!aw_geo_on_land(g, 0, 169));
    CHECK(!aw_geo_on_land(g, 0, -169));
    CHECK(!aw_geo_on_land(g, 11, 180));
    /* The cut at lon 180 is no coast: the nearest is 10° away along the equator. */
    CHECK(near(aw_geo_shore_km(g, 0, 180, 5000), 10 * KM_PER_DEG, 1e-3));
    CHECK(near(aw_geo_shore_km(g, 0, -180, 5000), 10 * KM_PER_DEG, 1e-3));
    /* Outside, 1° east of lon -170 and 1° west of lon 170. */
    CHECK(near(aw_geo_shore_km(g, 0, -169, 5000), KM_PER_DEG, 1e-3));
    CHECK(near(aw_geo_shore_km(g, 0, 169, 5000), KM_PER_DEG, 1e-3));
    aw_geo_free(g);
}

static void ring_around_the_south_pole_is_land_to_the_pole(void) {
    /* Antarctica's shape: one ring crossing the antimeridian once. */
    aw_geo *g = geo_from_text(
        "{\"type\":\"Topology\",\"objects\":{\"land\":{\"type\":\"Polygon\",\"arcs\":[[0]]}},"
        "\"arcs\":[[[-120,-60],[0,-60],[120,-60],[-120,-60]]]}");
    CHECK(g != NULL);
    if (!g) return;
    CHECK(aw_geo_on_land(g, -90, 0));
    CHECK(aw_geo_on_land(g, -89.99, 123));
    CHECK(aw_geo_on_land(g, -70, 180));
    CHECK(aw_geo_on_land(g, -70, -60));
    CHECK(!aw_geo_on_land(g, -50, 60));
    CHECK(!aw_geo_on_land(g, 0, 0));
    CHECK(!aw_geo_on_land(g, 90, 0));
    CHECK(near(aw_geo_shore_km(g, -61, 0, 5000), KM_PER_DEG, 1e-3));
    CHECK(near(aw_geo_shore_km(g, -90, 0, 5000), 30 * KM_PER_DEG, 1e-3));
    aw_geo_free(g);
}

/* xorshift: the same points every run. */
static double rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (*s >> 11) * (1.0 / 9007199254740992.0);
}

static void natural_earth_places(const aw_geo *g) {
    CHECK(aw_geo_on_land(g, 48.8566, 2.3522)); /* Paris */
    CHECK(aw_geo_on_land(g, 49.09, 1.48));     /* Vernon, on the Seine */
    CHECK(aw_geo_on_land(g, 30.0444, 31.2357)); /* Cairo */
    CHECK(aw_geo_on_land(g, 30.5965, 32.2715)); /* Ismailia, on the Suez Canal */
    CHECK(aw_geo_on_land(g, 30.45, 32.35));     /* Suez Canal, Great Bitter Lake's north end */
    CHECK(aw_geo_on_land(g, 30.9, 32.33));      /* El Qantara, on the canal */
    CHECK(!aw_geo_on_land(g, 30, -40));         /* mid-Atlantic */
    CHECK(!aw_geo_on_land(g, 31, 124));         /* East China Sea */
    CHECK(!aw_geo_on_land(g, 29.5, 32.6));      /* Gulf of Suez */
    CHECK(aw_geo_on_land(g, -89, 0));           /* Antarctica, to the pole */
    CHECK(aw_geo_on_land(g, -90, 0));
    CHECK(!aw_geo_on_land(g, 90, 0));
    CHECK(aw_geo_on_land(g, 67, -175));  /* Chukotka, east of the antimeridian */
    CHECK(aw_geo_on_land(g, 67, 179.5)); /* and west of it */
    CHECK(aw_geo_on_land(g, 67, 180) == aw_geo_on_land(g, 67, -180));
    /* Paris is ~150 km from the Channel; the Gulf of Suez point ~11 km from either side. */
    double paris = aw_geo_shore_km(g, 48.8566, 2.3522, 1000);
    CHECK(paris > 120 && paris < 180);
    double suez = aw_geo_shore_km(g, 29.5, 32.6, 100);
    CHECK(suez > 3 && suez < 20);
    /* No phantom coast along the antimeridian cut through Chukotka (~22 km away). */
    CHECK(aw_geo_shore_km(g, 67, 179.5, 1000) > 50);
    CHECK(aw_geo_shore_km(g, 67, 180, 1000) > 50);
}

static void natural_earth_index_equals_scan(const aw_geo *g) {
    uint64_t s = 0x9E3779B97F4A7C15ull;
    int land_mismatch = 0, shore_mismatch = 0, coastal = 0;
    for (int i = 0; i < 400; i++) { /* uniform on the globe, on_land only */
        double lat = asin(2 * rnd(&s) - 1) * 180 / M_PI, lon = rnd(&s) * 360 - 180;
        land_mismatch += aw_geo_on_land(g, lat, lon) != aw_geo_on_land_scan(g, lat, lon);
        if (i < 40) /* unlimited search from anywhere, including far out at sea */
            shore_mismatch += aw_geo_shore_km(g, lat, lon, INFINITY) != aw_geo_shore_km_scan(g, lat, lon);
    }
    /* Near the coast, where the cells are mixed: within 30 km of shore, |lat| < 80. */
    while (coastal < 300) {
        double lat = rnd(&s) * 160 - 80, lon = rnd(&s) * 360 - 180;
        if (!(aw_geo_shore_km(g, lat, lon, 30) <= 30)) continue;
        coastal++;
        land_mismatch += aw_geo_on_land(g, lat, lon) != aw_geo_on_land_scan(g, lat, lon);
        double a = aw_geo_shore_km(g, lat, lon, 200), b = aw_geo_shore_km_scan(g, lat, lon);
        if (a != b) {
            shore_mismatch++;
            fprintf(stderr, "shore_km(%.6f, %.6f) = %.9f, scan %.9f\n", lat, lon, a, b);
        }
    }
    CHECK_EQ_INT(land_mismatch, 0);
    CHECK_EQ_INT(shore_mismatch, 0);
}

static void bad_positions_never_crash(const aw_geo *g) {
    const double lats[] = {-90, 90, 0, NAN, 91, -91, INFINITY};
    const double lons[] = {-180, 180, 0, NAN, 181, -181, -INFINITY};
    for (size_t i = 0; i < sizeof lats / sizeof *lats; i++)
        for (size_t j = 0; j < sizeof lons / sizeof *lons; j++) {
            double lat = lats[i], lon = lons[j];
            bool valid = lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
            bool on = aw_geo_on_land(g, lat, lon);
            double km = aw_geo_shore_km(g, lat, lon, 100);
            aw_place p = aw_geo_nearest_port(g, lat, lon, 100);
            aw_place a = aw_geo_nearest_anchorage(g, lat, lon, 100);
            if (!valid) {
                CHECK(!on);
                CHECK(isnan(km));
                CHECK(isnan(p.km) && isnan(a.km));
            } else {
                CHECK(km >= 0);
            }
        }
    CHECK(aw_geo_add_anchorage(NULL, 0, 0, "x") == -1);
    CHECK(!aw_geo_on_land(NULL, 0, 0));
    CHECK(isnan(aw_geo_shore_km(NULL, 0, 0, 10)));
}

static void without_land_every_answer_is_unknown(void) {
    aw_geo *g = aw_geo_new();
    CHECK(!aw_geo_has_land(g));
    CHECK(!aw_geo_on_land(g, 48.85, 2.35));
    CHECK(isnan(aw_geo_shore_km(g, 48.85, 2.35, 100)));
    aw_place p = aw_geo_nearest_port(g, 51.9, 4.3, 100);
    CHECK(isnan(p.km));
    CHECK_EQ_STR(p.name, "");
    char err[256] = "";
    CHECK(aw_geo_load_land(g, "no/such/land.json", err, sizeof err) == -1);
    CHECK(strstr(err, "no/such/land.json") != NULL);
    CHECK(!aw_geo_has_land(g));
    aw_geo_free(g);
}

static void ports_and_anchorages(aw_geo *g) {
    char path[1024], err[256] = "";
    long n = aw_geo_load_ports(g, check_data_path("ports/wpi/UpdatedPub150.csv", path, sizeof path),
                               err, sizeof err);
    CHECK_EQ_INT(n, 3802);
    aw_place p = aw_geo_nearest_port(g, 51.9, 4.3, 20); /* Port of Rotterdam */
    CHECK(p.km < 20);
    CHECK(!strcmp(p.name, "Rotterdam") || !strcmp(p.name, "Europoort") ||
          !strcmp(p.name, "Vlaardingen") || !strcmp(p.name, "Schiedam") ||
          !strcmp(p.name, "Maassluis"));
    CHECK_EQ_STR(p.country, "NL");
    CHECK(near(p.km * 1000, aw_distance_m(51.9, 4.3, p.lat, p.lon), 1e-6));
    p = aw_geo_nearest_port(g, 0, -140, 100); /* mid-Pacific */
    CHECK(isnan(p.km));

    /* 60,410 rows; one (POINTE NOIRE, longitude 1001) is not a position and is skipped. */
    n = aw_geo_load_anchorages(
        g, check_data_path("ports/gfw-anchorages/anchorage_overrides.csv", path, sizeof path), err,
        sizeof err);
    CHECK_EQ_INT(n, 60409);
    aw_place a = aw_geo_nearest_anchorage(g, 29.88, 32.55, 10); /* Suez roads */
    CHECK(a.km < 3);
    CHECK(!strncmp(a.name, "SUEZ", 4));
    CHECK_EQ_STR(a.country, "EGY");

    /* Derived anchorages, found across the antimeridian. */
    CHECK(aw_geo_add_anchorage(g, 10, 179.99, "derived") == 0);
    a = aw_geo_nearest_anchorage(g, 10, -179.99, 10);
    CHECK_EQ_STR(a.name, "derived");
    CHECK(near(a.km, aw_distance_m(10, 179.99, 10, -179.99) / 1000, 1e-9));
    CHECK(a.km < 2.3);
    CHECK(aw_geo_add_anchorage(g, 91, 0, "bad") == -1);

    /* Derived points taken away again (a live watch does, every run): the loaded points
     * answer as before, the next nearer one in the same cell included. */
    size_t loaded = aw_geo_anchorage_count(g);
    CHECK_EQ_INT(loaded, 60410);
    aw_place before = aw_geo_nearest_anchorage(g, 29.88, 32.55, 10);
    CHECK(aw_geo_add_anchorage(g, 29.8801, 32.5501, "derived") == 0);
    CHECK(aw_geo_add_anchorage(g, 29.88, 32.55, "derived") == 0);
    CHECK_EQ_STR(aw_geo_nearest_anchorage(g, 29.88, 32.55, 10).name, "derived");
    CHECK(aw_geo_nearest_anchorage(g, 29.88, 32.55, 10).km == 0);
    aw_geo_drop_anchorages(g, loaded + 1);
    CHECK(aw_geo_nearest_anchorage(g, 29.88, 32.55, 10).km > 0);
    aw_geo_drop_anchorages(g, loaded);
    CHECK_EQ_INT(aw_geo_anchorage_count(g), loaded);
    aw_place after = aw_geo_nearest_anchorage(g, 29.88, 32.55, 10);
    CHECK(after.km == before.km && after.lat == before.lat && after.lon == before.lon);
    CHECK_EQ_STR(after.name, before.name);
    aw_geo_drop_anchorages(g, loaded + 5); /* more than there are: nothing */
    CHECK_EQ_INT(aw_geo_anchorage_count(g), loaded);

    CHECK(aw_geo_load_ports(g, "no/such.csv", err, sizeof err) == -1);
}

int main(void) {
    square_island_has_exact_shore_distances();
    quantized_arcs_with_hole_reversal_and_shared_border();
    polygon_across_the_antimeridian();
    ring_around_the_south_pole_is_land_to_the_pole();
    without_land_every_answer_is_unknown();

    aw_geo *g = aw_geo_new();
    char path[1024], err[256];
    src_path("node_modules/world-atlas/land-10m.json", path, sizeof path);
    if (access(path, R_OK) != 0) {
        check_count++;
        check_failures++;
        fprintf(stderr, "FAIL: %s is missing: run scripts/install-deps.sh (npm ci)\n", path);
    } else if (aw_geo_load_land(g, path, err, sizeof err) != 0) {
        check_count++;
        check_failures++;
        fprintf(stderr, "FAIL: %s\n", err);
    } else {
        natural_earth_places(g);
        natural_earth_index_equals_scan(g);
        char buf[1024], dir[1024];
        CHECK(aw_geo_default_land(src_path("tests", dir, sizeof dir), buf, sizeof buf) != NULL);
    }
    ports_and_anchorages(g);
    bad_positions_never_crash(g);
    aw_geo_free(g);

    printf("geo: %d passed, %d failed\n", check_count - check_failures, check_failures);
    return check_failures ? 1 : 0;
}
