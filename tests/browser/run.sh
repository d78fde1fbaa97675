#!/bin/sh
# Runs the browser test of the sandbox chat page (sandbox_chat_test.mjs).
#
# Installs playwright-core from package-lock.json on first use (npm ci: from the npm cache when
# offline, else from the registry). The test needs SANDBOX_CMD and TGKEEP_BIN
# (see the header of sandbox_chat_test.mjs); when they are unset, the binaries of BUILD_DIR
# (default: build in the repository root) are used. Exit status: the test's (0 when all passed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build}

if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --prefer-offline)
fi
export SANDBOX_CMD="${SANDBOX_CMD:-$build/src/app/tgkeep sandbox}"
export TGKEEP_BIN="${TGKEEP_BIN:-$build/src/app/tgkeep}"
exec node "$here/sandbox_chat_test.mjs"
