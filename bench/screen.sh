#!/usr/bin/env bash
# Speed of sanctions screening (docs/sanctions.md; issue 5 target: under 2 s for loading all
# lists and screening one million identities): builds bench/screen_bench.c against the
# library in build/ and runs it on every list in the shared data and in tests/data/sanctions.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD:-$root/build}"
data="${AW_DATA:-$root/../shared/data}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cc -O2 -std=c17 -D_GNU_SOURCE -I"$root/include" "$root/bench/screen_bench.c" "$build/libaiswatch.a" \
   -lxml2 -ljansson -lzstd -lz -lsqlite3 -lpthread -lm -o "$out/screen_bench"
lists=()
while IFS= read -r f; do lists+=("$f"); done < <(
  find "$data/sanctions" -type f \( -name '*.csv' -o -name '*.xml' -o -name '*.jsonl' \) \
       ! -name '*_alt.csv' ! -name '*_add.csv' ! -name '*_sdn_comments.csv' | sort
  for f in un1718_vessels.csv watch.csv opensanctions_vessels.jsonl opensanctions_maritime.csv mini_sdn.csv; do
    echo "$root/tests/data/sanctions/$f"
  done)
"$out/screen_bench" "$@" "${lists[@]}"
