#!/usr/bin/env bash
# Installs what aiswatch needs to build and test: Debian packages, then the npm package
# world-atlas (Natural Earth land, pinned in package-lock.json) into node_modules/.
# Idempotent: does nothing when everything is present.
set -euo pipefail
packages=(build-essential cmake pkg-config clang libclang-rt-14-dev zlib1g-dev libzstd-dev
          python3 gpsd-clients zstd gzip time
          libsqlite3-dev sqlite3 gdal-bin libjansson-dev libxml2-dev libmicrohttpd-dev
          libssl-dev  # libcrypto: SHA-256 of each input (src/lib/input.c)
          libcurl4-openssl-dev  # `aiswatch watch` webhooks (src/cli/watch.c)
          socat       # bench/watch.sh: the TCP transport ceiling
          libmosquitto-dev mosquitto mosquitto-clients  # watch's MQTT alerts and their test broker
          chromium    # the web UI's browser test (tests/test_web.sh) and `report -o FILE.pdf`
          poppler-utils  # pdftotext: tests/test_report.sh reads the report's PDF
          # the Python package (python/) and the distributed scan on Dask (docs/python.md)
          python3-numpy python3-pandas python3-dask python3-distributed python3-pytest)
# npm from Debian only when none is installed (a newer one from elsewhere is fine).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Land data for src/lib/geo.c and the web page's Leaflet and topojson-client (served by
# `aiswatch serve` under /vendor/), exactly the versions the lock file pins.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$root/node_modules/world-atlas/land-10m.json" ] || [ ! -f "$root/node_modules/leaflet/dist/leaflet.js" ] ||
   [ ! -f "$root/node_modules/topojson-client/dist/topojson-client.min.js" ] ||
   [ ! -d "$root/node_modules/playwright-core" ]; then
  echo "install-deps: npm ci (world-atlas, leaflet, topojson-client; playwright-core for the browser test)"
  (cd "$root" && npm ci --no-audit --no-fund)
fi
