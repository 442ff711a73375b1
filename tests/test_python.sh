#!/usr/bin/env bash
# The Python package (python/aiswatch) and the distributed scan, by pytest (python/tests),
# against this build's libaiswatch.so: the binding equals the CLI, and the Dask scan on a
# LocalCluster of 4 workers equals a single-machine scan, also with a worker killed.
set -euo pipefail
: "${AW_BIN:?AW_BIN names the aiswatch program}" "${AW_SRC:?AW_SRC names the source tree}"
build=$(cd "$(dirname "$AW_BIN")" && pwd)
if grep -q '^AW_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  # Loading an ASan-instrumented libaiswatch.so into python3 needs the sanitizer runtime
  # preloaded into the interpreter (and Python's own allocations then trip LeakSanitizer):
  # the binding is tested in the plain build; its C entry points are the library's own.
  echo "SKIP: Python tests run in the plain build only (the sanitizer build cannot load into python3)"
  exit 77
fi
PY=${AISWATCH_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3)
if ! "$PY" -c 'import numpy, pandas, dask, distributed, pytest' 2>/dev/null; then
  echo "FAIL: $PY cannot import numpy, pandas, dask, distributed and pytest: run scripts/install-deps.sh"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export AISWATCH_LIB="$build/libaiswatch.so" PYTHONPATH="$AW_SRC/python${PYTHONPATH:+:$PYTHONPATH}"
cd "$AW_SRC"
"$PY" -m pytest python/tests -q -p no:cacheprovider --basetemp="$tmp/pytest" -W ignore::DeprecationWarning
