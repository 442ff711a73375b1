#!/usr/bin/env bash
# Speed of the land index (docs/geography.md): builds bench/geo_bench.c against the
# library in build/ and runs it on node_modules/world-atlas/land-10m.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD:-$root/build}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cc -O2 -std=c17 -D_GNU_SOURCE -I"$root/include" -I"$root/src/lib" "$root/bench/geo_bench.c" "$build/libaiswatch.a" \
   -ljansson -lzstd -lz -lsqlite3 -lpthread -lm -o "$out/geo_bench"
"$out/geo_bench" "$root/node_modules/world-atlas/land-10m.json"
