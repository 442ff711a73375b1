// Browser test of the web UI (web/): playwright-core driving Debian's chromium against a
// running `aiswatch serve`. Usage: node tests/web_test.mjs URL [SCREENSHOT_DIR]
// Prints "web: N passed, M failed" and exits 1 when anything failed.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const url = process.argv[2];
const shotDir = process.argv[3] || tmpdir();
if (!url) {
  console.error("usage: node tests/web_test.mjs URL [SCREENSHOT_DIR]");
  process.exit(1);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const origin = new URL(url).origin;

let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL: ${what}`); }
}

const profile = mkdtempSync(join(tmpdir(), "aiswatch-chromium-"));
const outside = [], consoleErrors = [], failedRequests = [];
let browser;
try {
  // a persistent context is how playwright takes a fresh --user-data-dir
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1500, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage"],
  });
  const page = browser.pages()[0] || await browser.newPage();
  page.on("request", (r) => {
    const u = r.url();
    if (u.startsWith("data:") || u.startsWith("blob:")) return;
    const h = new URL(u).hostname;
    if (h !== "127.0.0.1") outside.push(u);
  });
  page.on("requestfailed", (r) => {
    const f = r.failure();
    if (!(f && /ERR_ABORTED/.test(f.errorText))) failedRequests.push(`${r.url()} ${f && f.errorText}`);
  });
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));

  const get = async (path) => (await fetch(origin + path)).json();
  const meta = await get("/api/meta");

  // 1. the page loads and lists the events
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("#event-list li", { timeout: 20000 });
  const shown = await page.$$eval("#event-list li", (l) => l.length);
  check(shown === Math.min(meta.counts.events, 500), `list shows ${shown} events, meta has ${meta.counts.events}`);
  const counts = await page.evaluate(() => ({
    events: +document.getElementById("count-events").dataset.n,
    vessels: +document.getElementById("count-vessels").dataset.n,
    positions: +document.getElementById("count-positions").dataset.n,
    total: +document.getElementById("list-count").dataset.total,
    types: Object.fromEntries([...document.querySelectorAll("#type-list .n")].map((s) => [s.dataset.type, +s.textContent])),
    text: document.getElementById("top").textContent,
  }));
  check(counts.events === meta.counts.events && counts.vessels === meta.counts.vessels &&
    counts.positions === meta.counts.positions, `header counts ${JSON.stringify(counts)} vs meta ${JSON.stringify(meta.counts)}`);
  check(counts.text.includes(meta.counts.positions.toLocaleString("en")), "positions count visible in the header");
  check(counts.total === meta.counts.events, `list total ${counts.total} vs ${meta.counts.events}`);
  check(JSON.stringify(Object.entries(counts.types).sort()) === JSON.stringify(Object.entries(meta.types).sort()),
    `type counts ${JSON.stringify(counts.types)} vs ${JSON.stringify(meta.types)}`);
  // land drawn (canvas in the land pane) and events drawn (canvas in the events pane)
  await page.waitForFunction(() => document.querySelector(".leaflet-land-pane canvas"), null, { timeout: 20000 });
  check(await page.$(".leaflet-events-pane canvas") !== null, "event markers canvas");

  // 2. filter to encounters
  check(meta.types.encounter > 0, "the scenario has an encounter");
  await page.click("#types-none");
  await page.check('#type-list input[value="encounter"]');
  await page.waitForFunction((n) => {
    const li = [...document.querySelectorAll("#event-list li")];
    return li.length === n && li.every((x) => x.dataset.type === "encounter");
  }, meta.types.encounter, { timeout: 10000 }).then(() => check(true), () => check(false, "list filtered to encounters"));

  // 3. click the first: both tracks, the distance chart
  const first = await page.$eval("#event-list li", (li) => li.dataset.id);
  await page.click("#event-list li");
  await page.waitForSelector("#chart-distance", { timeout: 10000 });
  await page.waitForFunction(() => document.querySelectorAll("path.track-a").length > 0 && document.querySelectorAll("path.track-b").length > 0,
    null, { timeout: 10000 }).then(() => check(true), () => check(false, "both tracks drawn"));
  check(await page.$$eval("path.track-a.in-event", (p) => p.length) > 0 && await page.$$eval("path.track-b.in-event", (p) => p.length) > 0,
    "in-event parts of both tracks highlighted");
  check(await page.$$eval(".track-a-tick, .track-b-tick", (p) => p.length) >= 4, "time markers on the tracks");
  const chart = await page.$eval("#chart-distance", (c) => {
    const g = c.getContext("2d");
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let line = 0, any = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) any++;
      if (d[i + 3] > 200 && Math.abs(d[i] - 0x0b) < 40 && Math.abs(d[i + 1] - 0x6e) < 40 && Math.abs(d[i + 2] - 0x4f) < 40) line++;
    }
    return { points: +c.dataset.points, line, any };
  });
  check(chart.points > 0 && chart.line > 50, `distance chart drawn ${JSON.stringify(chart)}`);
  const detail = await page.$eval("#detail-body", (d) => d.textContent);
  const ev = (await get(`/api/events/${encodeURIComponent(first)}`)).event;
  check(ev.names.filter(Boolean).every((n) => detail.includes(n)) && ev.mmsi.every((m) => detail.includes(String(m))),
    "detail names both vessels");
  check(await page.$eval("#report-link", (a) => a.getAttribute("href")) === `/report/${encodeURIComponent(first)}`, "report link");
  await page.waitForFunction(() => +document.getElementById("chart-draught").dataset.points > 0, null, { timeout: 10000 })
    .then(() => check(true), () => check(false, "draught chart drawn"));
  check(+(await page.$eval("#chart-speed", (c) => c.dataset.points)) > 0, "speed chart drawn");
  await page.screenshot({ path: join(shotDir, "web-event.png") });

  // 4. the vessel view
  await page.click("#detail-body .vessel-link");
  await page.waitForSelector("#vessel-view table.history", { timeout: 10000 })
    .then(() => check(true), () => check(false, "vessel view with identity history"));
  await page.waitForSelector("path.vessel-track", { timeout: 10000 })
    .then(() => check(true), () => check(false, "vessel track drawn"));
  await page.screenshot({ path: join(shotDir, "web-vessel.png") });
  await page.click("#back");
  await page.waitForSelector("#chart-distance", { timeout: 10000 }).then(() => check(true), () => check(false, "back to the event"));

  // 5. nothing left 127.0.0.1, no console errors, no failed requests
  check(outside.length === 0, `requests outside 127.0.0.1: ${outside.join(" ")}`);
  check(consoleErrors.length === 0, `console errors: ${consoleErrors.join(" | ")}`);
  check(failedRequests.length === 0, `failed requests: ${failedRequests.join(" ")}`);
} catch (e) {
  check(false, `unexpected: ${e && e.stack || e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
