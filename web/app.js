// aiswatch web UI: event list with filters, events on a Leaflet map over Natural Earth land,
// an event's tracks, timeline charts, identities and sanctions matches. Everything comes from
// this server (/api/, /vendor/); no build step, no other library than Leaflet.
"use strict";

const TYPES = {
  encounter:         { label: "encounter",         color: "#e41a1c", r: 7 },
  dark_rendezvous:   { label: "dark rendezvous",   color: "#8e2c9e", r: 7 },
  loitering:         { label: "loitering",         color: "#ff7f00", r: 5 },
  gap:               { label: "AIS gap",           color: "#1b3a8a", r: 5 },
  identity_conflict: { label: "identity conflict", color: "#8c510a", r: 5 },
  identity_change:   { label: "identity change",   color: "#e7298a", r: 5 },
  position_spoof:    { label: "position spoof",    color: "#252525", r: 5 },
  draught_change:    { label: "draught change",    color: "#1a9850", r: 5 },
};
const OTHER = { label: "other", color: "#777", r: 5 };
const VESSEL_COLORS = ["#d95f02", "#6a3d9a"];
const DIST_COLOR = "#0b6e4f";
const PAGE = 500;          // list page
const MAP_PAGE = 5000;     // events per request when loading the map layer
const MAP_ALL_MAX = 20000; // up to this many matching events, load them all once; else by view
const MAP_VIEW_MAX = 40000;// at most this many in one view
const CELL_PX = 44;        // clustering grid cell on screen
const CLUSTER_MAX_ZOOM = 9;// at and above this zoom every event is drawn on its own

const $ = (id) => document.getElementById(id);
const typeInfo = (t) => TYPES[t] || OTHER;
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const fmtNum = (v, d = 1) => (v == null || Number.isNaN(v) ? "–" : Number.isInteger(v) ? String(v) : Number(v).toFixed(d));
const pad = (n) => String(n).padStart(2, "0");
const tms = (iso) => Date.parse(iso);
function fmtTime(iso, withSec = false) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` +
    (withSec ? `:${pad(d.getUTCSeconds())}` : "");
}
function fmtDur(h) {
  if (h == null) return "–";
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} d (${Math.round(h)} h)`;
}
function fmtPlace(lat, lon) {
  if (lat == null || lon == null) return "no place";
  return `${Math.abs(lat).toFixed(4)}°${lat < 0 ? "S" : "N"} ${Math.abs(lon).toFixed(4)}°${lon < 0 ? "W" : "E"}`;
}
function unitOf(key) {
  const u = [["_kn", "kn"], ["_km", "km"], ["_nm", "nm"], ["_m", "m"], ["_h", "h"], ["_deg", "°"], ["_min", "min"]];
  for (const [s, n] of u) if (key.endsWith(s) || key.includes(s + "_")) return n;
  return "";
}
function vesselLabel(ev, i) {
  const n = ev.names && ev.names[i];
  return n ? `${n} (${ev.mmsi[i]})` : String(ev.mmsi[i]);
}

// ---------------------------------------------------------------- API
const inflight = new Map();
async function api(path, key) {
  // `key` names a request slot: a newer request in the same slot aborts the older one.
  let ctl;
  if (key) {
    inflight.get(key)?.abort();
    ctl = new AbortController();
    inflight.set(key, ctl);
  }
  const r = await fetch(path, ctl ? { signal: ctl.signal } : undefined);
  if (key && inflight.get(key) === ctl) inflight.delete(key);
  let body = null;
  try { body = await r.json(); } catch (_) { /* not JSON */ }
  if (!r.ok) throw new Error((body && (body.error || body.message)) || `${r.status} ${r.statusText}`);
  return body;
}
const isAbort = (e) => e && e.name === "AbortError";
function status(msg) { $("status").textContent = msg || ""; }

// ---------------------------------------------------------------- state
const state = {
  meta: null,
  filters: null,       // the query string of the current filters (without paging)
  listOffset: 0, listTotal: 0, listEvents: [],
  mapMode: "all",      // "all": every matching event loaded; "view": only the current view
  mapEvents: [],       // events on the map (with a place)
  mapTotal: 0,
  selected: null,      // the event id shown in the detail panel
  detail: null,        // /api/events/{id} answer
};

// ---------------------------------------------------------------- map
let map, eventRenderer, eventLayer, selLayer, vesselLayer, landRenderer;
function initMap() {
  map = L.map("map", { worldCopyJump: true, minZoom: 2, maxZoom: 16, zoomSnap: 0.5, preferCanvas: false, attributionControl: false });
  map.createPane("land").style.zIndex = 200;
  map.createPane("events").style.zIndex = 350; // under the selected tracks (overlayPane, 400)
  landRenderer = L.canvas({ pane: "land", padding: 0.3 });
  eventRenderer = L.canvas({ pane: "events", padding: 0.2, tolerance: 3 });
  eventLayer = L.layerGroup().addTo(map);
  vesselLayer = L.layerGroup().addTo(map);
  selLayer = L.layerGroup().addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  const attribution = L.control.attribution({ prefix: false }).addTo(map);
  attribution.addAttribution("Natural Earth (world-atlas) · Leaflet");
  map.setView([20, 20], 2);
  map.on("zoomend", () => { drawEvents(); redrawTracks(); });
  map.on("moveend", onMoveEnd);
  loadLand();
}
async function loadLand() {
  try {
    const topo = await api("/vendor/world-atlas/land-50m.json");
    const land = topojson.feature(topo, topo.objects.land);
    L.geoJSON(land, {
      pane: "land", renderer: landRenderer, interactive: false,
      style: { color: "#b3aa96", weight: 0.6, fillColor: "#f2efe6", fillOpacity: 1 },
    }).addTo(map);
  } catch (e) {
    status(`land not loaded: ${e.message}`);
  }
}
let moveTimer = null;
function onMoveEnd() {
  clearTimeout(moveTimer);
  moveTimer = setTimeout(() => {
    if (state.mapMode === "view") loadMapEvents();
    else drawEvents();
    if ($("inview").checked) loadList(true);
  }, 250);
}
function viewBbox() {
  const b = map.getBounds();
  let w = b.getWest(), e = b.getEast();
  const s = Math.max(-90, b.getSouth()), n = Math.min(90, b.getNorth());
  if (e - w >= 360) { w = -180; e = 180; }
  else {
    const wrap = (x) => ((((x + 180) % 360) + 360) % 360) - 180;
    w = wrap(w); e = wrap(e);
    if (e === -180) e = 180;
  }
  return [w, s, e, n].map((x) => +x.toFixed(5)).join(",");
}

// Web Mercator pixel coordinates at zoom z (what Leaflet's project() gives, without the overhead).
function mercX(lon, scale) { return ((lon + 180) / 360) * scale; }
function mercY(lat, scale) {
  const s = Math.sin((Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180);
  return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale;
}

// Events on the map: a grid of CELL_PX cells on screen; a cell with several events is one
// circle sized by its count (coloured by its most frequent type), a lone event its own marker.
function drawEvents() {
  eventLayer.clearLayers();
  const evs = state.mapEvents;
  if (!evs.length) return;
  const z = map.getZoom();
  const scale = 256 * Math.pow(2, z);
  const b = map.getBounds().pad(0.2);
  const south = b.getSouth(), north = b.getNorth();
  const west = b.getWest(), east = b.getEast(), full = east - west >= 360;
  const inView = (e) => {
    if (e.lat < south || e.lat > north) return false;
    if (full) return true;
    // compare in the longitude frame of the view (which may run past ±180)
    let lon = e.lon;
    while (lon < west) lon += 360;
    while (lon > east) lon -= 360;
    return lon >= west;
  };
  const shift = (e) => { // the copy of the event's longitude that lies in the view
    let lon = e.lon; const c = (west + east) / 2;
    while (lon < c - 180) lon += 360;
    while (lon > c + 180) lon -= 360;
    return lon;
  };
  const cluster = z < CLUSTER_MAX_ZOOM;
  const cells = new Map();
  const singles = [];
  for (const e of evs) {
    if (!inView(e)) continue;
    if (!cluster) { singles.push(e); continue; }
    const lon = shift(e);
    const key = Math.floor(mercX(lon, scale) / CELL_PX) + "," + Math.floor(mercY(e.lat, scale) / CELL_PX);
    let c = cells.get(key);
    if (!c) { c = { n: 0, lat: 0, lon: 0, types: {}, sanctioned: 0, first: e }; cells.set(key, c); }
    c.n++; c.lat += e.lat; c.lon += lon; c.types[e.type] = (c.types[e.type] || 0) + 1;
    if (e.sanctioned) c.sanctioned++;
  }
  for (const c of cells.values()) {
    if (c.n === 1) { singles.push(c.first); continue; }
    const top = Object.entries(c.types).sort((a, b) => b[1] - a[1]);
    const ll = [c.lat / c.n, c.lon / c.n];
    const m = L.circleMarker(ll, {
      renderer: eventRenderer, radius: Math.min(19, 6 + 2.2 * Math.log2(c.n)),
      color: c.sanctioned ? "#000" : "#fff", weight: c.sanctioned ? 2.5 : 1.5,
      fillColor: typeInfo(top[0][0]).color, fillOpacity: 0.75,
    });
    m.bindTooltip(`<b>${c.n} events</b>${c.sanctioned ? ` · ${c.sanctioned} sanctioned` : ""}<br>` +
      top.map(([t, n]) => `${esc(typeInfo(t).label)}: ${n}`).join("<br>") + "<br><i>click to zoom in</i>");
    m.on("click", () => map.setView(ll, Math.min(map.getZoom() + 2, CLUSTER_MAX_ZOOM)));
    eventLayer.addLayer(m);
  }
  for (const e of singles) {
    const ti = typeInfo(e.type);
    const sel = e.id === state.selected;
    const m = L.circleMarker([e.lat, full ? e.lon : shift(e)], {
      renderer: eventRenderer, radius: ti.r + (sel ? 3 : 0),
      color: e.sanctioned ? "#000" : sel ? "#ffd400" : "#fff", weight: e.sanctioned || sel ? 2.5 : 1.2,
      fillColor: ti.color, fillOpacity: 0.9,
    });
    m.bindTooltip(`<b>${esc(ti.label)}</b> ${e.sanctioned ? '<span class="badge">sanctioned</span>' : ""}<br>` +
      `${esc(fmtTime(e.start))} · ${esc(fmtDur(e.duration_h))}<br>${esc((e.names || []).filter(Boolean).join(" / ") || e.mmsi.join(", "))}`);
    m.on("click", () => selectEvent(e.id));
    eventLayer.addLayer(m);
  }
}

function drawLegend() {
  const types = Object.keys(state.meta?.types || {});
  const all = [...new Set([...Object.keys(TYPES).filter((t) => types.includes(t)), ...types])];
  $("legend").innerHTML = all.map((t) =>
    `<div><span class="swatch" style="background:${typeInfo(t).color}"></span>${esc(typeInfo(t).label)}</div>`).join("") +
    `<div><span class="ring"></span>sanctioned participant</div>` +
    `<div><span class="swatch" style="background:#999;width:14px;height:14px"></span>several (zoom in)</div>`;
}

// ---------------------------------------------------------------- filters and list
function buildFilters() {
  const types = state.meta.types || {};
  const names = [...Object.keys(TYPES).filter((t) => t in types), ...Object.keys(types).filter((t) => !(t in TYPES))];
  $("type-list").innerHTML = names.map((t) =>
    `<label title="${esc(t)}"><input type="checkbox" name="type" value="${esc(t)}" checked>` +
    `<span class="swatch" style="background:${typeInfo(t).color}"></span>${esc(typeInfo(t).label)}` +
    `<span class="n" data-type="${esc(t)}">${types[t]}</span></label>`).join("");
  $("types-all").onclick = () => { document.querySelectorAll("#type-list input").forEach((i) => (i.checked = true)); refresh(); };
  $("types-none").onclick = () => { document.querySelectorAll("#type-list input").forEach((i) => (i.checked = false)); refresh(); };
  document.querySelectorAll("#type-list input, #sanctioned, #since, #until").forEach((i) => i.addEventListener("change", refresh));
  $("inview").addEventListener("change", () => loadList(true));
  let qt = null;
  $("q").addEventListener("input", () => { clearTimeout(qt); qt = setTimeout(refresh, 300); });
  $("more").onclick = () => loadList(false);
}
function filterQuery() {
  const p = new URLSearchParams();
  const boxes = [...document.querySelectorAll("#type-list input")];
  const on = boxes.filter((i) => i.checked).map((i) => i.value);
  if (on.length < boxes.length) p.set("type", on.length ? on.join(",") : "none");
  const iso = (v) => (v ? (v.length === 16 ? v + ":00Z" : v + "Z") : null);
  if ($("since").value) p.set("since", iso($("since").value));
  if ($("until").value) p.set("until", iso($("until").value));
  if ($("sanctioned").checked) p.set("sanctioned", "1");
  const q = $("q").value.trim();
  if (q) p.set("q", q);
  return p;
}
function noTypes() { return ![...document.querySelectorAll("#type-list input")].some((i) => i.checked); }
function refresh() {
  loadList(true);
  loadMapEvents(true);
}
async function loadList(reset) {
  const p = filterQuery();
  if (reset) { state.listOffset = 0; state.listEvents = []; $("event-list").innerHTML = ""; }
  if (noTypes()) { state.listTotal = 0; renderListHead(); $("more").hidden = true; return; }
  if ($("inview").checked) p.set("bbox", viewBbox());
  p.set("limit", PAGE);
  p.set("offset", state.listOffset);
  status("loading events…");
  try {
    const r = await api(`/api/events?${p}`, "list");
    state.listTotal = r.total;
    state.listEvents.push(...r.events);
    state.listOffset += r.events.length;
    appendList(r.events);
    renderListHead();
    $("more").hidden = state.listOffset >= r.total || r.events.length === 0;
    status("");
  } catch (e) {
    if (!isAbort(e)) status(`events: ${e.message}`);
  }
}
function renderListHead() {
  const shown = state.listEvents.length;
  $("list-count").textContent = state.listTotal === 0 ? "no events match" :
    `${shown.toLocaleString("en")} of ${state.listTotal.toLocaleString("en")} events` + ($("inview").checked ? " in view" : "");
  $("list-count").dataset.total = state.listTotal;
}
function appendList(evs) {
  const frag = document.createDocumentFragment();
  for (const e of evs) {
    const li = document.createElement("li");
    li.dataset.id = e.id;
    li.dataset.type = e.type;
    if (e.id === state.selected) li.classList.add("sel");
    const who = (e.mmsi || []).map((m, i) => (e.names && e.names[i]) || m).join(" / ");
    li.innerHTML = `<span class="swatch" style="background:${typeInfo(e.type).color}"></span>` +
      `<span class="t">${esc(typeInfo(e.type).label)} ${e.sanctioned ? '<span class="badge">sanctioned</span>' : ""}</span>` +
      `<span class="when">${esc(fmtTime(e.start))} · ${esc(fmtDur(e.duration_h))}</span>` +
      `<span class="who">${esc(who)}</span>`;
    frag.appendChild(li);
  }
  $("event-list").appendChild(frag);
}

// The map layer: all matching events when they are few, else those of the current view.
async function loadMapEvents(filtersChanged) {
  const p = filterQuery();
  const key = p.toString();
  if (noTypes()) { state.mapEvents = []; drawEvents(); return; }
  try {
    if (filtersChanged || state.filters !== key) {
      state.filters = key;
      const probe = new URLSearchParams(p); probe.set("limit", "1");
      const r = await api(`/api/events?${probe}`, "mapcount");
      state.mapTotal = r.total;
      state.mapMode = r.total <= MAP_ALL_MAX ? "all" : "view";
    }
    const q = new URLSearchParams(p);
    if (state.mapMode === "view") q.set("bbox", viewBbox());
    const out = [];
    let total = Infinity;
    const cap = state.mapMode === "view" ? MAP_VIEW_MAX : MAP_ALL_MAX;
    for (let off = 0; off < total && off < cap; off += MAP_PAGE) {
      q.set("limit", MAP_PAGE); q.set("offset", off);
      const r = await api(`/api/events?${q}`, "map");
      total = r.total;
      for (const e of r.events) if (e.lat != null && e.lon != null) out.push(e);
      if (!r.events.length) break;
      if (state.mapMode === "view") { state.mapEvents = out; drawEvents(); }
    }
    state.mapEvents = out;
    const note = $("map-note");
    if (state.mapMode === "view") {
      note.hidden = false;
      note.textContent = total > cap ? `${total.toLocaleString("en")} events in view: showing the first ${cap.toLocaleString("en")}; zoom in for all`
        : `${state.mapTotal.toLocaleString("en")} events: loading those in view`;
    } else note.hidden = true;
    drawEvents();
  } catch (e) {
    if (!isAbort(e)) status(`map: ${e.message}`);
  }
}

// ---------------------------------------------------------------- tracks, simplified by zoom
// Each track keeps its points in Web Mercator units [0,1) with a Douglas–Peucker significance
// per point (the tolerance below which it is kept); a zoom keeps the points above 0.7 px.
function significance(xs, ys) {
  const n = xs.length, sig = new Float64Array(n);
  if (n === 0) return sig;
  sig[0] = sig[n - 1] = Infinity;
  const stack = [[0, n - 1, Infinity]];
  while (stack.length) {
    const [a, b, parent] = stack.pop();
    if (b - a < 2) continue;
    const ax = xs[a], ay = ys[a], dx = xs[b] - ax, dy = ys[b] - ay, L2 = dx * dx + dy * dy;
    let best = -1, bi = -1;
    for (let i = a + 1; i < b; i++) {
      let px = xs[i] - ax, py = ys[i] - ay, d;
      if (L2 === 0) d = px * px + py * py;
      else {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / L2));
        px -= t * dx; py -= t * dy; d = px * px + py * py;
      }
      if (d > best) { best = d; bi = i; }
    }
    const s = Math.min(Math.sqrt(best), parent);
    sig[bi] = s;
    stack.push([a, bi, s], [bi, b, s]);
  }
  return sig;
}
function prepTrack(points, lonIdx = 1, latIdx = 2) {
  // unwrap longitudes so a track across the antimeridian stays continuous
  const n = points.length, lon = new Float64Array(n), lat = new Float64Array(n), xs = new Float64Array(n), ys = new Float64Array(n);
  let prev = null;
  for (let i = 0; i < n; i++) {
    let x = points[i][lonIdx];
    if (prev != null) { while (x - prev > 180) x -= 360; while (x - prev < -180) x += 360; }
    prev = x; lon[i] = x; lat[i] = points[i][latIdx];
    xs[i] = mercX(x, 1); ys[i] = mercY(lat[i], 1);
  }
  return { lon, lat, sig: significance(xs, ys) };
}
function simplifiedIdx(tr, from = 0, to = tr.lat.length - 1) {
  const tol = 0.7 / (256 * Math.pow(2, map.getZoom()));
  const idx = [];
  for (let i = from; i <= to; i++) if (i === from || i === to || tr.sig[i] > tol) idx.push(i);
  return idx;
}

let trackDraw = []; // what to redraw on zoom: functions
function redrawTracks() { for (const f of trackDraw) f(); }

function drawEventTracks(d) {
  selLayer.clearLayers();
  trackDraw = [];
  const bounds = L.latLngBounds([]);
  const ev = d.event;
  d.tracks.forEach((t, k) => {
    if (!t.points || !t.points.length) return;
    const color = VESSEL_COLORS[k % VESSEL_COLORS.length];
    const cls = `track track-${"ab"[k] || k}`;
    const tr = prepTrack(t.points);
    // keep the points where the event begins and ends at every zoom
    for (let i = 1; i < t.points.length; i++) {
      if (!!t.points[i][5] !== !!t.points[i - 1][5]) tr.sig[i] = tr.sig[i - 1] = Infinity;
    }
    const group = L.layerGroup().addTo(selLayer);
    const draw = () => {
      group.clearLayers();
      const idx = simplifiedIdx(tr);
      // split into runs of in_event / context so the event part is highlighted
      let run = [], inEv = null;
      const flush = () => {
        if (run.length > 1) {
          L.polyline(run, inEv
            ? { color, weight: 5, opacity: 0.95, className: `${cls} in-event`, smoothFactor: 0 }
            : { color, weight: 2, opacity: 0.8, dashArray: "5 5", className: `${cls} context`, smoothFactor: 0 }).addTo(group);
        }
      };
      // the segment joining a context point and an event point is drawn as context
      let prev = null;
      for (const i of idx) {
        const ie = !!t.points[i][5];
        const ll = [tr.lat[i], tr.lon[i]];
        if (inEv === true && !ie) { flush(); run = [prev, ll]; }
        else if (inEv === false && ie) { run.push(ll); flush(); run = [ll]; }
        else run.push(ll);
        inEv = ie; prev = ll;
      }
      flush();
    };
    draw();
    trackDraw.push(draw);
    for (let i = 0; i < tr.lat.length; i++) bounds.extend([tr.lat[i], tr.lon[i]]);
    // time markers: about a dozen ticks along the track, the first and last labelled
    const t0 = tms(t.points[0][0]), t1 = tms(t.points[t.points.length - 1][0]);
    const step = niceTimeStep((t1 - t0) / 10);
    let next = Math.ceil(t0 / step) * step;
    for (let i = 0; i < t.points.length; i++) {
      const ti = tms(t.points[i][0]);
      if (ti < next && i !== 0 && i !== t.points.length - 1) continue;
      while (next <= ti) next += step;
      const edge = i === 0 || i === t.points.length - 1;
      const m = L.circleMarker([tr.lat[i], tr.lon[i]], {
        radius: edge ? 5 : 3, color: "#fff", weight: 1, fillColor: color, fillOpacity: 1, className: `tick ${cls}-tick`,
      }).addTo(selLayer);
      const p = t.points[i];
      m.bindTooltip(`${esc(vesselLabel(ev, k))}<br>${esc(fmtTime(p[0], true))} UTC<br>` +
        `${p[3] != null ? fmtNum(p[3]) + " kn" : "speed –"}${p[4] != null ? " · " + fmtNum(p[4], 0) + "°" : ""}`);
      if (k === 0 || edge) {
        const lbl = edge ? `${i === 0 ? "▶ " : "■ "}${(ev.names && ev.names[k]) || t.mmsi} ${fmtTime(p[0]).slice(5)}` : fmtTime(p[0]).slice(11);
        L.tooltip({ permanent: true, direction: "right", className: "tick-label", offset: [4, 0], interactive: false })
          .setLatLng([tr.lat[i], tr.lon[i]]).setContent(esc(lbl)).addTo(selLayer);
      }
    }
  });
  if (ev.lat != null) {
    L.circleMarker([ev.lat, ev.lon], { radius: 9, color: "#ffd400", weight: 3, fill: false, className: "event-place" })
      .bindTooltip(esc(typeInfo(ev.type).label)).addTo(selLayer);
    bounds.extend([ev.lat, ev.lon]);
    if (ev.measures && ev.measures.end_lat != null) bounds.extend([ev.measures.end_lat, ev.measures.end_lon]);
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 13 });
}
function niceTimeStep(ms) {
  const steps = [60e3, 5 * 60e3, 10 * 60e3, 15 * 60e3, 30 * 60e3, 3600e3, 2 * 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3, 30 * 86400e3];
  for (const s of steps) if (s >= ms) return s;
  return steps[steps.length - 1];
}

// ---------------------------------------------------------------- charts (canvas, by hand)
// series: [{color, pts: [[t_ms, v]], step}], opts: {t0, t1, shade: [s, e], log, threshold, unit}
function drawChart(canvas, series, opts) {
  const dpr = window.devicePixelRatio || 1;
  const W = canvas.clientWidth || 420, H = canvas.clientHeight || 130;
  canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, H);
  const L0 = 48, R0 = 8, T0 = 8, B0 = 20, w = W - L0 - R0, h = H - T0 - B0;
  const { t0, t1 } = opts;
  let vals = [];
  for (const s of series) {
    for (const p of s.pts || []) if (p[1] != null && (!opts.log || p[1] > 0)) vals.push(p[1]);
    for (const p of s.segments || []) if (p[2] != null && !Number.isNaN(p[2])) vals.push(p[2]);
  }
  if (opts.threshold != null) vals.push(opts.threshold);
  g.font = "10px system-ui, sans-serif";
  g.fillStyle = "#5d6675";
  if (!vals.length || !(t1 > t0)) {
    g.fillText("no data", L0 + 4, T0 + 14);
    canvas.dataset.points = "0";
    return;
  }
  let lo = Math.min(...vals), hi = Math.max(...vals);
  const fx = (t) => L0 + ((t - t0) / (t1 - t0)) * w;
  let fy, yticks = [];
  if (opts.log) {
    lo = Math.pow(10, Math.floor(Math.log10(Math.max(lo, 1)))); hi = Math.pow(10, Math.ceil(Math.log10(Math.max(hi, lo * 10))));
    fy = (v) => T0 + h - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * h;
    for (let v = lo; v <= hi * 1.001; v *= 10) yticks.push(v);
  } else {
    if (opts.zero !== false) lo = Math.min(0, lo);
    if (hi === lo) hi = lo + 1;
    const step = niceStep((hi - lo) / 4);
    lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
    fy = (v) => T0 + h - ((v - lo) / (hi - lo)) * h;
    for (let v = lo; v <= hi + step / 2; v += step) yticks.push(+v.toFixed(6));
  }
  // event interval
  if (opts.shade) {
    const a = Math.max(L0, fx(opts.shade[0])), b = Math.min(L0 + w, fx(opts.shade[1]));
    g.fillStyle = "rgba(255, 196, 0, 0.22)";
    g.fillRect(a, T0, Math.max(b - a, 1.5), h);
  }
  // grid and axes
  g.strokeStyle = "#e3e7ec"; g.lineWidth = 1; g.fillStyle = "#5d6675"; g.textAlign = "right"; g.textBaseline = "middle";
  for (const v of yticks) {
    const y = Math.round(fy(v)) + 0.5;
    g.beginPath(); g.moveTo(L0, y); g.lineTo(L0 + w, y); g.stroke();
    g.fillText(fmtTick(v, opts.unit), L0 - 4, y);
  }
  const tstep = niceTimeStep((t1 - t0) / 6);
  g.textAlign = "center"; g.textBaseline = "top";
  let lastDay = null;
  for (let t = Math.ceil(t0 / tstep) * tstep; t <= t1; t += tstep) {
    const x = Math.round(fx(t)) + 0.5;
    g.beginPath(); g.moveTo(x, T0); g.lineTo(x, T0 + h); g.stroke();
    const d = new Date(t), day = d.toISOString().slice(5, 10);
    const label = tstep >= 86400e3 || day !== lastDay ? `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    lastDay = day;
    g.fillText(label, x, T0 + h + 4);
  }
  g.strokeStyle = "#9aa3ad"; g.strokeRect(L0 + 0.5, T0 + 0.5, w, h);
  if (opts.threshold != null) {
    const y = Math.round(fy(opts.threshold)) + 0.5;
    g.save(); g.strokeStyle = "#b3001b"; g.setLineDash([4, 3]); g.lineWidth = 1.2;
    g.beginPath(); g.moveTo(L0, y); g.lineTo(L0 + w, y); g.stroke(); g.restore();
    g.fillStyle = "#b3001b"; g.textAlign = "left"; g.textBaseline = "bottom";
    g.fillText(opts.thresholdLabel || fmtTick(opts.threshold, opts.unit), L0 + 4, y - 1);
  }
  // series (clipped to the plot)
  g.save(); g.beginPath(); g.rect(L0, T0, w, h); g.clip();
  let drawn = 0;
  for (const s of series) {
    g.strokeStyle = s.color; g.fillStyle = s.color; g.lineWidth = s.width || 1.6;
    if (s.segments) { // [t_start, t_end, v] horizontal bars
      for (const [a, b, v] of s.segments) {
        if (v == null) continue;
        const y = fy(v), xa = fx(a), xb = Math.max(fx(b), xa + 2);
        g.lineWidth = 3; g.beginPath(); g.moveTo(xa, y); g.lineTo(xb, y); g.stroke();
        g.beginPath(); g.arc(xa, y, 2.5, 0, 2 * Math.PI); g.arc(xb, y, 2.5, 0, 2 * Math.PI); g.fill();
        drawn++;
      }
      continue;
    }
    g.beginPath();
    let pen = false, prevT = null;
    for (const [t, v] of s.pts) {
      if (v == null || (opts.log && v <= 0)) { pen = false; continue; }
      const x = fx(t), y = fy(v);
      if (pen && !(s.maxGap && t - prevT > s.maxGap)) g.lineTo(x, y); else g.moveTo(x, y);
      pen = true; prevT = t; drawn++;
    }
    g.stroke();
  }
  g.restore();
  canvas.dataset.points = String(drawn);
}
function niceStep(x) {
  const p = Math.pow(10, Math.floor(Math.log10(x || 1))), m = x / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}
function fmtTick(v, unit) {
  if (unit === "m") return v >= 1000 ? `${+(v / 1000).toFixed(1)} km` : `${+v.toFixed(0)} m`;
  return `${+v.toFixed(2)}${unit ? " " + unit : ""}`;
}

// ---------------------------------------------------------------- detail panel
async function selectEvent(id, { pushHash = true } = {}) {
  state.selected = id;
  document.querySelectorAll("#event-list li.sel").forEach((li) => li.classList.remove("sel"));
  const li = document.querySelector(`#event-list li[data-id="${CSS.escape(id)}"]`);
  if (li) li.classList.add("sel");
  if (pushHash) history.replaceState(null, "", `#event=${encodeURIComponent(id)}`);
  $("detail").hidden = false;
  $("back").hidden = true;
  $("detail-body").innerHTML = `<p class="muted">loading ${esc(id)}…</p>`;
  map.invalidateSize();
  vesselLayer.clearLayers();
  try {
    const d = await api(`/api/events/${encodeURIComponent(id)}`, "detail");
    state.detail = d;
    state.draught = null;
    renderDetail(d);
    drawEventTracks(d);
    drawEvents();
    loadDraught(d);
  } catch (e) {
    if (!isAbort(e)) $("detail-body").innerHTML = `<p class="muted">could not load the event: ${esc(e.message)}</p>`;
  }
}

function kvTable(obj, cls = "kv") {
  const keys = Object.keys(obj || {});
  if (!keys.length) return '<p class="muted">none</p>';
  return `<table class="${cls}">` + keys.map((k) => {
    const v = obj[k];
    const u = unitOf(k);
    const val = typeof v === "number" ? `${fmtNum(v, Math.abs(v) < 10 ? 2 : 1)}${u ? " " + u : ""}` : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? "–");
    return `<tr><th>${esc(k)}</th><td class="num">${esc(val)}</td></tr>`;
  }).join("") + "</table>";
}
const BASIS = {
  imo: "the IMO number", mmsi: "the MMSI", "name+callsign": "the name and call sign", name: "the name", callsign: "the call sign",
};
function sanctionsHtml(matches, names, none = "no participant matched a sanctions list") {
  if (!matches || !matches.length) return `<p class="muted">${esc(none)}</p>`;
  return matches.map((m) => {
    const who = names && names[m.mmsi] ? `${names[m.mmsi]} (${m.mmsi})` : m.mmsi;
    const basis = BASIS[m.basis] || m.basis;
    const why = `${esc(who)} matched <b>${esc(m.list)}</b> entry <b>${esc(m.name)}</b> on ${esc(basis)}` +
      (m.matched != null ? ` <code>${esc(m.matched)}</code>` : "") +
      (m.former_name ? " — a <b>former name</b> (f.k.a.) of the entry" : "") +
      (m.score != null && m.score < 1 ? ` (fuzzy, similarity ${fmtNum(m.score, 2)})` : "");
    return `<div class="sanc"><div class="why">${why}</div><table class="kv">` +
      [["list", m.list], ["entry id", m.entry_id], ["entry name", m.name], ["programs", m.programs], ["basis", m.basis],
        ["score", m.score != null ? fmtNum(m.score, 3) : null], ["matched value", m.matched], ["former name", m.former_name ? "yes" : "no"]]
        .map(([k, v]) => `<tr><th>${k}</th><td>${esc(v ?? "–")}</td></tr>`).join("") + "</table></div>";
  }).join("");
}

function renderDetail(d) {
  const e = d.event, ti = typeInfo(e.type);
  const names = {};
  (e.mmsi || []).forEach((m, i) => { names[m] = e.names && e.names[i]; });
  const vessels = (e.mmsi || []).map((m, i) =>
    `<tr><td><span class="swatch" style="background:${VESSEL_COLORS[i % 2]}"></span></td>` +
    `<td>${esc((e.names && e.names[i]) || "–")}</td><td>${esc((e.imo && e.imo[i]) ?? "–")}</td>` +
    `<td>${esc(m)}${e.segment && e.segment[i] ? `<span class="muted">/${esc(e.segment[i])}</span>` : ""}</td><td>${esc((e.flags && e.flags[i]) || "–")}</td>` +
    `<td><button type="button" class="linkbtn vessel-link" data-mmsi="${esc(m)}">vessel view</button></td></tr>`).join("");
  const linked = d.linked && d.linked.length ? d.linked : (e.linked || []).map((id) => ({ id, type: id.split("-")[0] }));
  const hasTwo = d.tracks && d.tracks.filter((t) => t.points && t.points.length).length >= 2;
  const thr = e.parameters && e.parameters.encounter_distance_m != null ? e.parameters.encounter_distance_m : 500;
  $("detail-body").innerHTML = `
    <h2><span class="swatch" style="background:${ti.color};width:14px;height:14px"></span>${esc(ti.label)}
      ${e.sanctioned ? '<span class="badge">sanctioned</span>' : ""}</h2>
    <div class="id">${esc(e.id)}</div>
    <table class="kv" id="summary">
      <tr><th>start</th><td>${esc(fmtTime(e.start, true))} UTC</td></tr>
      <tr><th>end</th><td>${esc(fmtTime(e.end, true))} UTC</td></tr>
      <tr><th>duration</th><td>${esc(fmtDur(e.duration_h))}</td></tr>
      <tr><th>place</th><td>${esc(fmtPlace(e.lat, e.lon))}</td></tr>
    </table>
    <p><a id="report-link" href="/report/${encodeURIComponent(e.id)}" target="_blank" rel="noopener">report</a>
       <span class="muted">· evidence sheet for this event</span></p>
    ${e.detail ? `<p class="detailtext">${esc(e.detail)}</p>` : ""}
    <h3>Vessels</h3>
    <table id="vessels"><tr><th></th><th>name</th><th>IMO</th><th>MMSI</th><th>flag</th><th></th></tr>${vessels}</table>
    <h3>Sanctions</h3><div id="sanctions">${sanctionsHtml(e.sanctioned, names)}</div>
    <h3>Timeline</h3>
    ${hasTwo ? `<div class="chart-key">distance between the vessels <span><i style="background:#b3001b"></i>${esc(fmtTick(thr, "m"))} threshold</span><span class="muted">log scale</span></div>
      <canvas id="chart-distance" class="chart"></canvas>` : ""}
    <div class="chart-key">speed over ground ${(e.mmsi || []).map((m, i) => `<span><i style="background:${VESSEL_COLORS[i % 2]}"></i>${esc(names[m] || m)}</span>`).join("")}</div>
    <canvas id="chart-speed" class="chart"></canvas>
    <div class="chart-key">reported draught (first to last seen)</div>
    <canvas id="chart-draught" class="chart"></canvas>
    <h3>Measures</h3>${kvTable(e.measures)}
    <h3>Linked events</h3>
    ${linked.length ? `<ul class="plain" id="linked">${linked.map((l) =>
      `<li><button type="button" class="linkbtn event-link" data-id="${esc(l.id)}">${esc(typeInfo(l.type).label)}</button>
       <span class="muted">${l.start ? esc(fmtTime(l.start)) + " · " + esc(fmtDur(l.duration_h)) : esc(l.id)}</span></li>`).join("")}</ul>` : '<p class="muted">none</p>'}
    <h3>Sources</h3>
    ${e.sources && e.sources.length ? `<ul class="plain">${e.sources.map((s) => `<li><code>${esc(s)}</code></li>`).join("")}</ul>` : '<p class="muted">none recorded</p>'}
    <h3>Parameters</h3><details><summary>detection parameters of the run</summary>${kvTable(e.parameters)}</details>`;
  bindDetailLinks();
  drawTimeline(d, null);
}
function bindDetailLinks() {
  document.querySelectorAll("#detail-body .event-link").forEach((b) => (b.onclick = () => selectEvent(b.dataset.id)));
  document.querySelectorAll("#detail-body .vessel-link").forEach((b) => (b.onclick = () => showVessel(b.dataset.mmsi)));
}
function timeRange(d) {
  const e = d.event;
  let t0 = tms(e.start), t1 = tms(e.end);
  for (const t of d.tracks || []) for (const p of t.points || []) { const x = tms(p[0]); if (x < t0) t0 = x; if (x > t1) t1 = x; }
  if (!(t1 > t0)) { t0 -= 3600e3; t1 += 3600e3; }
  return [t0, t1];
}
function drawTimeline(d, draught) {
  const e = d.event;
  const [t0, t1] = timeRange(d);
  const shade = [tms(e.start), tms(e.end)];
  const cd = $("chart-distance");
  if (cd) {
    drawChart(cd, [{ color: DIST_COLOR, width: 2, pts: (d.distance || []).map(([t, m]) => [tms(t), m]), maxGap: 3 * 3600e3 }],
      { t0, t1, shade, log: true, unit: "m", threshold: e.parameters?.encounter_distance_m ?? 500 });
  }
  const cs = $("chart-speed");
  if (cs) {
    drawChart(cs, (d.tracks || []).map((t, k) => ({
      color: VESSEL_COLORS[k % 2], pts: (t.points || []).map((p) => [tms(p[0]), p[3]]), maxGap: 3 * 3600e3,
    })), { t0, t1, shade, unit: "kn" });
  }
  const cg = $("chart-draught");
  if (cg) {
    const series = (draught || []).map((segs, k) => ({ color: VESSEL_COLORS[k % 2], segments: segs }));
    drawChart(cg, series, { t0, t1, shade, unit: "m", zero: false });
    if (!draught) {
      const g = cg.getContext("2d"); g.fillStyle = "#5d6675"; g.font = "10px system-ui, sans-serif";
      g.fillText("loading draught…", 60, 24);
    }
  }
}
// Reported draught: the vessels' identity history (draught_m values with first/last seen).
async function loadDraught(d) {
  const e = d.event, id = e.id;
  const [t0, t1] = timeRange(d);
  const from = new Date(t0).toISOString(), to = new Date(t1).toISOString();
  const out = await Promise.all((e.mmsi || []).map(async (m, i) => {
    try {
      const v = await api(`/api/vessels/${m}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      const seg = e.segment ? e.segment[i] : null;
      const rec = (v.vessels || []).filter((x) => seg == null || x.segment === seg);
      const hist = (rec.length ? rec : v.vessels || []).flatMap((x) => normHistory(x.history));
      return hist.filter((h) => h.field === "draught_m").map((h) => [tms(h.first_seen), tms(h.last_seen), parseFloat(h.value)]);
    } catch (_) { return []; }
  }));
  if (state.selected === id && state.detail === d) {
    state.draught = out;
    if ($("chart-draught")) drawTimeline(d, out);
  }
}

// A vessel's identity history as a list of {field, value, first_seen, last_seen, n_reports}:
// the API may give that list, or (as `aiswatch vessels` prints) an object field -> [values].
function normHistory(h) {
  if (!h) return [];
  if (Array.isArray(h)) return h;
  return Object.entries(h).flatMap(([field, vals]) => (vals || []).map((v) => ({ field, ...v })));
}

// ---------------------------------------------------------------- vessel view
async function showVessel(mmsi) {
  $("detail").hidden = false;
  $("back").hidden = !state.detail;
  $("detail-body").innerHTML = `<p class="muted">loading vessel ${esc(mmsi)}…</p>`;
  try {
    const v = await api(`/api/vessels/${encodeURIComponent(mmsi)}`, "vessel");
    renderVessel(mmsi, v);
  } catch (e) {
    if (!isAbort(e)) $("detail-body").innerHTML = `<p class="muted">could not load vessel ${esc(mmsi)}: ${esc(e.message)}</p>`;
  }
}
function renderVessel(mmsi, v) {
  const recs = v.vessels || [];
  const id = (x) => `<table class="kv">` + [
    ["name", x.name], ["IMO", x.imo != null ? `${x.imo}${x.imo_valid === false || x.imo_valid === 0 ? " (check digit fails)" : ""}` : null],
    ["MMSI", x.mmsi], ["segment", x.segment], ["call sign", x.callsign],
    ["type", x.ship_type_text ? `${x.ship_type_text} (${x.ship_type})` : x.ship_type], ["flag", x.flag ? `${x.flag}${x.flag_country ? " – " + x.flag_country : ""}` : null],
    ["length × beam", x.length_m != null ? `${fmtNum(x.length_m)} × ${fmtNum(x.beam_m)} m` : null], ["draught", x.draught_m != null ? `${fmtNum(x.draught_m)} m` : null],
    ["destination", x.destination], ["positions", x.n_positions], ["first seen", x.first_seen && fmtTime(x.first_seen, true)], ["last seen", x.last_seen && fmtTime(x.last_seen, true)],
  ].filter(([, val]) => val != null && val !== "").map(([k, val]) => `<tr><th>${k}</th><td>${esc(val)}</td></tr>`).join("") + "</table>";
  const hist = (x) => normHistory(x.history).length ? `<table class="history"><tr><th>field</th><th>value</th><th>first seen</th><th>last seen</th><th>reports</th></tr>` +
    normHistory(x.history).map((h) => `<tr><td>${esc(h.field)}</td><td>${esc(h.value)}</td><td>${esc(fmtTime(h.first_seen))}</td><td>${esc(fmtTime(h.last_seen))}</td><td class="num">${esc(h.n_reports)}</td></tr>`).join("") + "</table>"
    : '<p class="muted">no identity reports</p>';
  const nm = {}; recs.forEach((x) => { nm[x.mmsi] = x.name; });
  $("detail-body").innerHTML = `<div id="vessel-view">
    <h2>${esc(recs[0]?.name || "MMSI " + mmsi)} ${v.sanctions && v.sanctions.length ? '<span class="badge">sanctioned</span>' : ""}</h2>
    <div class="id">MMSI ${esc(mmsi)}${recs.length > 1 ? ` · ${recs.length} track segments (one MMSI, several ships?)` : ""}</div>
    <p><button type="button" class="linkbtn" id="vessel-events">list this vessel's events</button></p>
    <h3>Sanctions matches</h3>${sanctionsHtml(v.sanctions, nm, "no sanctions list matched this vessel (or none was screened)")}
    ${recs.map((x) => `<h3>Identity${recs.length > 1 ? ` · segment ${esc(x.segment)}` : ""}</h3>${id(x)}<h3>Identity history</h3>${hist(x)}`).join("")}
    <h3>Track</h3><p class="muted">${(v.track || []).length.toLocaleString("en")} positions${v.simplified ? " (simplified by the server)" : ""}, drawn in grey on the map</p>
  </div>`;
  $("vessel-events").onclick = () => { $("q").value = String(mmsi); refresh(); };
  drawVesselTrack(v.track || []);
}
function drawVesselTrack(track) {
  vesselLayer.clearLayers();
  if (track.length < 2) return;
  const tr = prepTrack(track);
  const group = L.layerGroup().addTo(vesselLayer);
  const draw = () => {
    group.clearLayers();
    const idx = simplifiedIdx(tr);
    // break the line at silences over 6 h
    let run = [];
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j];
      if (run.length && tms(track[i][0]) - tms(track[idx[j - 1]][0]) > 6 * 3600e3) {
        if (run.length > 1) L.polyline(run, { color: "#39424e", weight: 1.5, opacity: 0.7, className: "vessel-track", smoothFactor: 0 }).addTo(group);
        run = [];
      }
      run.push([tr.lat[i], tr.lon[i]]);
    }
    if (run.length > 1) L.polyline(run, { color: "#39424e", weight: 1.5, opacity: 0.7, className: "vessel-track", smoothFactor: 0 }).addTo(group);
  };
  draw();
  trackDraw = trackDraw.filter((f) => !f.vessel);
  draw.vessel = true;
  trackDraw.push(draw);
  if (!state.detail) {
    const b = L.latLngBounds([]);
    for (let i = 0; i < tr.lat.length; i++) b.extend([tr.lat[i], tr.lon[i]]);
    map.fitBounds(b, { padding: [30, 30], maxZoom: 12 });
  }
}

function closeDetail() {
  state.selected = null; state.detail = null;
  selLayer.clearLayers(); vesselLayer.clearLayers(); trackDraw = [];
  $("detail").hidden = true;
  document.querySelectorAll("#event-list li.sel").forEach((li) => li.classList.remove("sel"));
  history.replaceState(null, "", location.pathname);
  map.invalidateSize();
  drawEvents();
}

// ---------------------------------------------------------------- start
async function main() {
  initMap();
  $("event-list").addEventListener("click", (ev) => {
    const li = ev.target.closest("li[data-id]");
    if (li) selectEvent(li.dataset.id);
  });
  $("close").onclick = closeDetail;
  $("back").onclick = () => {
    vesselLayer.clearLayers(); trackDraw = trackDraw.filter((f) => !f.vessel);
    if (state.detail) { $("back").hidden = true; renderDetail(state.detail); drawTimeline(state.detail, state.draught); }
  };
  let rt = null;
  window.addEventListener("resize", () => {
    clearTimeout(rt);
    rt = setTimeout(() => { if (state.detail && $("chart-speed")) drawTimeline(state.detail, state.draught); }, 150);
  });
  status("loading…");
  try {
    state.meta = await api("/api/meta");
  } catch (e) {
    status(`cannot reach the server: ${e.message}`);
    return;
  }
  const m = state.meta;
  $("file").textContent = m.file || "";
  $("count-events").textContent = m.counts.events.toLocaleString("en");
  $("count-vessels").textContent = m.counts.vessels.toLocaleString("en");
  $("count-positions").textContent = m.counts.positions.toLocaleString("en");
  for (const k of ["events", "vessels", "positions"]) $(`count-${k}`).dataset.n = m.counts[k];
  document.title = `aiswatch · ${m.file || ""}`;
  buildFilters();
  drawLegend();
  if (m.bbox) {
    const [w, s, e, n] = m.bbox;
    if (e > w || n > s) map.fitBounds([[s, w], [n, e]], { padding: [20, 20], maxZoom: 8 });
    else map.setView([s, w], 6);
  }
  status("");
  refresh();
  const h = location.hash.match(/^#event=(.+)$/);
  if (h) selectEvent(decodeURIComponent(h[1]), { pushHash: false });
  window.aiswatch = { state, map };
}
document.addEventListener("DOMContentLoaded", main);
