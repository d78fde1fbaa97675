#!/bin/sh
# Cross-check: the real tgkeep binary against the third-party telegram-test-api emulator (npm),
# see docs/thirdparty-emulator.md. Installs the pinned package from package-lock.json when
# node_modules is missing, then runs the tests; the exit status is the tests'. Fails (exit 1)
# when node or npm is missing: scripts/install-deps.sh --with-tests installs them. Env: TGKEEP_BIN (default
# build/src/app/tgkeep of this checkout), NODE_BIN (default node).
set -eu
cd "$(dirname "$0")"
if ! command -v "${NODE_BIN:-node}" >/dev/null 2>&1; then
  echo "node is not installed: run scripts/install-deps.sh --with-tests" >&2
  exit 1
fi
if [ ! -d node_modules/telegram-test-api ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is not installed: run scripts/install-deps.sh --with-tests" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund
fi
PYTHONDONTWRITEBYTECODE=1 exec python3 -m unittest -v test_cross_check
