#!/usr/bin/env bash
# The second README command: installs what the tests need, builds everything, and runs the
# whole suite (labels unit, sqlite, redis, pg, e2e). Extra arguments go to ctest (e.g. `-L unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
TGKEEP_WITH_TESTS=1 bash scripts/build.sh
cd "${TGKEEP_BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 600 "$@"
