#!/usr/bin/env bash
# Configures and builds tgkeep into ./build (or $TGKEEP_BUILD_DIR). Extra arguments are passed
# to `cmake --build` (e.g. `--target tgkeep`). Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=()
[ "${TGKEEP_WITH_TESTS:-0}" = 1 ] && with_tests=(--with-tests)
bash scripts/install-deps.sh "${with_tests[@]}"

build_dir=${TGKEEP_BUILD_DIR:-build}
cmake_args=(-S . -B "$build_dir" -DCMAKE_BUILD_TYPE=${TGKEEP_BUILD_TYPE:-RelWithDebInfo})
if [ "${TGKEEP_WITH_TESTS:-0}" = 1 ]; then
  cmake_args+=(-DTGKEEP_TESTS=ON -DTGKEEP_BENCH=ON)
else
  cmake_args+=(-DTGKEEP_TESTS=OFF -DTGKEEP_BENCH=OFF)  # the bot alone needs no test packages
fi
if [ ! -f "$build_dir/CMakeCache.txt" ] || [ "${TGKEEP_WITH_TESTS:-0}" = 1 ]; then
  cmake "${cmake_args[@]}" >/dev/null
fi
cmake --build "$build_dir" -j"$(nproc)" "$@"
