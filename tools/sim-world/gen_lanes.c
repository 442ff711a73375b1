/* gen_lanes.c — development tool: routes sea lanes between World Port Index ports by A*
 * on a 0.1-degree grid over Natural Earth 1:10m land, simplifies each route to the fewest
 * waypoints whose straight (linear lat/lon) legs stay >= MARGIN km from shore (sampled every
 * 0.5 km) except within END_KM of the ports, and prints the C tables for sim_world.c.
 * Usage: gen_lanes LAND.json PORTS.txt LANES.txt > table.c */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aiswatch/geo.h"

#define RES 0.1
#define NX 3600
#define NY 1800
#define END_KM 12.0
static double end_km[256];
#define MARGIN 1.0
static aw_geo *geo;
static unsigned char *state; /* 0 unknown, 1 water ok, 2 blocked */
static float *shore;
typedef struct { char code[8]; char name[24]; int wpi; double lat, lon, end_km; } port;
static port ports[256]; static int nports;

static double dkm(double a, double b, double c, double d) { return aw_distance_m(a, b, c, d) / 1000; }
static double wrapl(double x) { while (x >= 180) x -= 360; while (x < -180) x += 360; return x; }
static void cell_ll(int i, double *lat, double *lon) { *lat = -90 + (i / NX + 0.5) * RES; *lon = -180 + (i % NX + 0.5) * RES; }
static float shore_of(int i) {
    if (isnan(shore[i])) { double la, lo; cell_ll(i, &la, &lo); shore[i] = (float)aw_geo_shore_km(geo, la, lo, 40); }
    return shore[i];
}
static int water(int i) {
    if (!state[i]) { double la, lo; cell_ll(i, &la, &lo);
        state[i] = (!aw_geo_on_land(geo, la, lo) && shore_of(i) >= MARGIN + 0.3) ? 1 : 2; }
    return state[i] == 1;
}
/* binary heap of (f, cell) */
typedef struct { float f; int i; } hn;
static hn *heap; static int hn_n;
static void hpush(float f, int i) { int k = hn_n++; while (k) { int p = (k - 1) / 2; if (heap[p].f <= f) break; heap[k] = heap[p]; k = p; } heap[k] = (hn){f, i}; }
static hn hpop(void) { hn top = heap[0], x = heap[--hn_n]; int k = 0; for (;;) { int c = 2 * k + 1; if (c >= hn_n) break; if (c + 1 < hn_n && heap[c + 1].f < heap[c].f) c++; if (heap[c].f >= x.f) break; heap[k] = heap[c]; k = c; } heap[k] = x; return top; }
static float *g; static int *from; static unsigned char *closed;
static int cell_of(double lat, double lon) { int r = (int)floor((lat + 90) / RES), c = (int)floor((wrapl(lon) + 180) / RES); if (r < 0) r = 0; if (r >= NY) r = NY - 1; return r * NX + c; }

/* A* from a to b; cells within END_KM of a or b pass even if blocked. Returns path length */
static double ea_km, eb_km;
static int astar(double alat, double alon, double blat, double blon, int *path, int cap) {
    static int touched_n; static int *touched;
    if (!touched) touched = malloc(sizeof(int) * NX * NY);
    for (int k = 0; k < touched_n; k++) { g[touched[k]] = INFINITY; closed[touched[k]] = 0; from[touched[k]] = -1; }
    touched_n = 0; hn_n = 0;
    int s = cell_of(alat, alon), t = cell_of(blat, blon);
    g[s] = 0; touched[touched_n++] = s; hpush(0, s);
    while (hn_n) {
        hn h = hpop(); int i = h.i;
        if (closed[i]) continue;
        closed[i] = 1;
        if (i == t) break;
        int r = i / NX, c = i % NX; double la, lo; cell_ll(i, &la, &lo);
        for (int dr = -1; dr <= 1; dr++) for (int dc = -1; dc <= 1; dc++) {
            if (!dr && !dc) continue;
            int rr = r + dr, cc = (c + dc + NX) % NX; if (rr < 0 || rr >= NY) continue;
            int j = rr * NX + cc; if (closed[j]) continue;
            double la2, lo2; cell_ll(j, &la2, &lo2);
            int near = dkm(la2, lo2, alat, alon) < ea_km || dkm(la2, lo2, blat, blon) < eb_km;
            if (!near && !water(j)) continue;
            double sh = near && state[j] != 1 ? 0 : shore_of(j);
            double f = 1 + 3 * fmax(0, (25 - sh) / 25);
            double ng = g[i] + dkm(la, lo, la2, lo2) * f;
            if (ng < g[j]) { if (isinf(g[j])) touched[touched_n++] = j; g[j] = (float)ng; from[j] = i; hpush((float)(ng + dkm(la2, lo2, blat, blon)), j); }
        }
    }
    if (!closed[t]) return -1;
    int n = 0; for (int i = t; i >= 0; i = from[i]) { if (n < cap) path[n++] = i; if (i == s) break; }
    for (int k = 0; k < n / 2; k++) { int x = path[k]; path[k] = path[n - 1 - k]; path[n - 1 - k] = x; }
    return n;
}
static double seg_e0, seg_e1;
/* segment valid: linear in lat/lon (lon unwrapped) */
static int seg_ok(double la0, double lo0, double la1, double lo1, double elat0, double elon0, double elat1, double elon1, double *bad_lat, double *bad_lon) {
    double len = dkm(la0, wrapl(lo0), la1, wrapl(lo1));
    int n = (int)(len / 0.5) + 1;
    for (int k = 0; k <= n; k++) {
        double f = (double)k / n, la = la0 + f * (la1 - la0), lo = wrapl(lo0 + f * (lo1 - lo0));
        if (dkm(la, lo, elat0, elon0) < seg_e0 || dkm(la, lo, elat1, elon1) < seg_e1) continue;
        if (aw_geo_on_land(geo, la, lo) || aw_geo_shore_km(geo, la, lo, 10) < MARGIN) { if (bad_lat) *bad_lat = la, *bad_lon = lo; return 0; }
    }
    return 1;
}
static double all_lat[100000], all_lon[100000]; static int all_n; static int lane_start[1000], lane_cnt[1000];
static int find_port(const char *code) { for (int i = 0; i < nports; i++) if (!strcmp(ports[i].code, code)) return i; fprintf(stderr, "no port %s\n", code); exit(1); }

int main(int argc, char **argv) {
    char err[256];
    geo = aw_geo_new();
    if (aw_geo_load_land(geo, argv[1], err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    state = calloc(NX * NY, 1); shore = malloc(sizeof(float) * NX * NY); g = malloc(sizeof(float) * NX * NY);
    from = malloc(sizeof(int) * NX * NY); closed = calloc(NX * NY, 1); heap = malloc(sizeof(hn) * NX * NY * 2);
    for (int i = 0; i < NX * NY; i++) shore[i] = NAN, g[i] = INFINITY, from[i] = -1;
    FILE *pf = fopen(argv[2], "r"); char line[512];
    while (fgets(line, sizeof line, pf)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        port *p = &ports[nports];
        if (sscanf(line, "%7s %d %lf %lf %23[^|\n]|%lf", p->code, &p->wpi, &p->lat, &p->lon, p->name, &p->end_km) >= 5) { if (p->end_km <= 0) p->end_km = END_KM; nports++; }
    }
    printf("static const sim_port gports[] = {\n");
    for (int i = 0; i < nports; i++) printf("    {\"%s\", %.4f, %.4f, %d, %.0f}, /* %d %s */\n", ports[i].name, ports[i].lat, ports[i].lon, ports[i].wpi, ports[i].end_km, i, ports[i].code);
    printf("};\n");
    FILE *lf = fopen(argv[3], "r");
    static int path[200000];
    char out_pts[1 << 20]; size_t olen = 0; char out_lanes[1 << 16]; size_t llen = 0;
    int first = 0, nl = 0, fails = 0;
    while (fgets(line, sizeof line, lf)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        char a[8], b[8]; int off = 0;
        if (sscanf(line, "%7s %7s%n", a, b, &off) < 2) continue;
        int pa = find_port(a), pb = find_port(b);
        /* optional via points "lat,lon" */
        double wl[32], wo[32]; int nw = 0;
        wl[nw] = ports[pa].lat; wo[nw++] = ports[pa].lon;
        char *q = line + off; double x, y; int m;
        while (sscanf(q, " %lf,%lf%n", &x, &y, &m) == 2) { wl[nw] = x; wo[nw++] = y; q += m; }
        wl[nw] = ports[pb].lat; wo[nw++] = ports[pb].lon;
        /* route each piece, concatenate */
        static double plat[200000], plon[200000]; int np = 0;
        int okr = 1;
        for (int k = 0; k + 1 < nw && okr; k++) {
            ea_km = k == 0 ? ports[pa].end_km : 0.1; eb_km = k + 2 == nw ? ports[pb].end_km : 0.1;
            int n = astar(wl[k], wo[k], wl[k + 1], wo[k + 1], path, 200000);
            if (n < 0) { fprintf(stderr, "lane %s-%s: no route piece %d\n", a, b, k); okr = 0; break; }
            if (np == 0) { plat[np] = wl[k]; plon[np++] = wo[k]; }
            for (int j = 1; j + 1 < n; j++) { double la, lo; cell_ll(path[j], &la, &lo); plat[np] = la; plon[np++] = lo; }
            plat[np] = wl[k + 1]; plon[np++] = wo[k + 1];
        }
        if (!okr) { fails++; continue; }
        for (int j = 1; j < np; j++) { /* unwrap */
            while (plon[j] - plon[j - 1] > 180) plon[j] -= 360;
            while (plon[j] - plon[j - 1] < -180) plon[j] += 360;
        }
        seg_e0 = ports[pa].end_km; seg_e1 = ports[pb].end_km;
        double e0l = plat[0], e0o = plon[0], e1l = plat[np - 1], e1o = wrapl(plon[np - 1]);
        int keep[4096], nk = 0; keep[nk++] = 0;
        int i = 0;
        while (i < np - 1) {
            int lo_ok = i + 1, step = 1;
            while (i + step * 2 < np && seg_ok(plat[i], plon[i], plat[i + step * 2], plon[i + step * 2], e0l, e0o, e1l, e1o, 0, 0)) step *= 2;
            lo_ok = i + step; if (lo_ok > np - 1) lo_ok = np - 1;
            int hi = i + step * 2 < np ? i + step * 2 : np - 1;
            if (hi > lo_ok && seg_ok(plat[i], plon[i], plat[hi], plon[hi], e0l, e0o, e1l, e1o, 0, 0)) lo_ok = hi;
            else while (hi - lo_ok > 1) { int mid = (lo_ok + hi) / 2; if (seg_ok(plat[i], plon[i], plat[mid], plon[mid], e0l, e0o, e1l, e1o, 0, 0)) lo_ok = mid; else hi = mid; }
            double bl, bo;
            if (!seg_ok(plat[i], plon[i], plat[lo_ok], plon[lo_ok], e0l, e0o, e1l, e1o, &bl, &bo)) fprintf(stderr, "lane %s-%s: step near land %.3f %.3f\n", a, b, bl, bo), fails++;
            keep[nk++] = lo_ok; i = lo_ok;
        }
        /* emit: shift whole lane so first lon in -180..180 */
        double len = 0;
        for (int k = 0; k + 1 < nk; k++) len += dkm(plat[keep[k]], wrapl(plon[keep[k]]), plat[keep[k + 1]], wrapl(plon[keep[k + 1]]));
        for (int k = 0; k < nk; k++) olen += sprintf(out_pts + olen, "%s{%.3f, %.3f},", k % 6 ? " " : "\n    ", plat[keep[k]], plon[keep[k]]);
        llen += sprintf(out_lanes + llen, "    {%d, %d, %d, %d}, /* %s-%s %.0f km */\n", pa, pb, first, nk, a, b, len);
        lane_start[nl] = all_n; for (int k = 0; k < nk; k++) { all_lat[all_n] = plat[keep[k]]; all_lon[all_n++] = plon[keep[k]]; } lane_cnt[nl] = nk;
        first += nk; nl++;
        fprintf(stderr, "lane %s-%s: %d cells -> %d points, %.0f km\n", a, b, np, nk, len);
    }
    printf("static const sim_lane_pt glane_pts[] = {%s\n};\n", out_pts);
    printf("static const sim_lane glanes[] = {\n%s};\n", out_lanes);
    /* receiver stations: every port, and a point every ~120 km along lanes within 30 km of shore */
    static double st_lat[4000], st_lon[4000]; static int st_port[4000]; int ns = 0;
    for (int i = 0; i < nports; i++) st_lat[ns] = ports[i].lat, st_lon[ns] = ports[i].lon, st_port[ns++] = i;
    for (int l = 0; l < nl; l++) {
        double since = 1e9;
        for (int k = 0; k + 1 < lane_cnt[l]; k++) {
            double la0 = all_lat[lane_start[l] + k], lo0 = all_lon[lane_start[l] + k], la1 = all_lat[lane_start[l] + k + 1], lo1 = all_lon[lane_start[l] + k + 1];
            double len = dkm(la0, wrapl(lo0), la1, wrapl(lo1)); int n = (int)(len / 5) + 1;
            for (int j = 0; j < n; j++) {
                double f = (double)j / n, la = la0 + f * (la1 - la0), lo = wrapl(lo0 + f * (lo1 - lo0));
                since += len / n;
                if (since < 120 || aw_geo_shore_km(geo, la, lo, 40) > 30) continue;
                int close = 0; for (int q = 0; q < ns; q++) if (dkm(la, lo, st_lat[q], st_lon[q]) < 90) { close = 1; break; }
                if (close) continue;
                int best = 0; for (int q = 0; q < nports; q++) if (dkm(la, lo, ports[q].lat, ports[q].lon) < dkm(la, lo, ports[best].lat, ports[best].lon)) best = q;
                st_lat[ns] = la, st_lon[ns] = lo, st_port[ns++] = best; since = 0;
            }
        }
    }
    printf("static const sim_station gstations[] = {");
    for (int q = 0; q < ns; q++) printf("%s{%.3f, %.3f, %d},", q % 5 ? " " : "\n    ", st_lat[q], st_lon[q], st_port[q]);
    printf("\n};\n");
    /* 1-degree mask: 'o' open sea (every point of the cell >= 80 km from shore), 'L' inland (>= 100 km) */
    printf("static const char *const gmask[180] = {\n");
    for (int r = 179; r >= 0; r--) {
        char row[361];
        for (int c = 0; c < 360; c++) {
            double la = -90 + r + 0.5, lo = -180 + c + 0.5;
            double hd = dkm(la, lo, la + 0.5, lo + 0.5) > dkm(la, lo, la - 0.5, lo + 0.5) ? dkm(la, lo, la + 0.5, lo + 0.5) : dkm(la, lo, la - 0.5, lo + 0.5);
            double sk = aw_geo_shore_km(geo, la, lo, 400);
            int land = aw_geo_on_land(geo, la, lo);
            row[c] = (!land && sk >= 80 + hd && fabs(la) < 66) ? 'o' : (land && sk >= 100 + hd && fabs(la) < 60) ? 'L' : '.';
        }
        row[360] = 0;
        printf("    \"%s\", /* %d */\n", row, r - 90);
    }
    printf("};\n");
    fprintf(stderr, "%d stations\n", ns);
    fprintf(stderr, "%d lanes, %d points, %d failures\n", nl, first, fails);
    return fails ? 2 : 0;
}
