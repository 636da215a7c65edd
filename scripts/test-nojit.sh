#!/bin/bash
# The interpreter-only build (-DCONFORM_WITH_JIT=OFF) end to end: configure BUILD (default
# build-nojit), build everything, run the whole ctest suite there (the native engine's tests are
# not registered in that configuration), and check with ldd that the `conform` command,
# libconform.so and the Python module do not load libLLVM. `make test-nojit` runs it.
# Not part of `make test` / CI's ctest (a second full build); the normal build's ctest has
# embed.nojit_configures, which checks in seconds that the option configures without LLVM.
set -euo pipefail
BUILD=${1:-build-nojit}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
cd "$(dirname "$0")/.."
start=$(date +%s)
extra=()
command -v ccache >/dev/null && extra+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFORM_WITH_JIT=OFF -DCONFORM_BUILD_BENCH=OFF "${extra[@]}"
cmake --build "$BUILD" -j"$JOBS"
built=$(date +%s)
(cd "$BUILD" && ctest --output-on-failure -j"$JOBS")
tested=$(date +%s)
status=0
for f in "$BUILD/cli/conform" "$BUILD"/api/libconform.so "$BUILD"/python/conform/_conform*.so; do
  [ -e "$f" ] || continue
  if ldd "$f" | grep -i llvm; then
    echo "test-nojit: $f loads LLVM" >&2
    status=1
  else
    echo "test-nojit: $f: no LLVM among $(ldd "$f" | wc -l) libraries"
  fi
done
echo "test-nojit: build $((built - start)) s, ctest $((tested - built)) s"
exit $status
