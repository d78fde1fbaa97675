#!/usr/bin/env bash
# The first README command: builds tgkeep and runs the bot on the embedded default (SQLite in
# ./data). Arguments go to `tgkeep run` (see `tgkeep run --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --target tgkeep >&2
exec "${TGKEEP_BUILD_DIR:-build}/src/app/tgkeep" run "$@"
