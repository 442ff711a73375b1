#!/usr/bin/env bash
# Installs what aiswatch needs to build and test, from Debian's packages only.
# Idempotent: does nothing when everything is present.
set -euo pipefail
packages=(build-essential cmake pkg-config clang libclang-rt-14-dev zlib1g-dev libzstd-dev
          python3 gpsd-clients zstd gzip time
          libsqlite3-dev sqlite3 gdal-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
