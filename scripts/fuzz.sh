#!/usr/bin/env bash
# Fuzzes protocol code with libFuzzer, ASan and UBSan: the Bot API (fuzz/update_parser_fuzz.cpp,
# the default) or another target of fuzz/ (e.g. redis_reply_fuzz).
#
#   scripts/fuzz.sh [SECONDS] [TARGET]     (defaults: 600, update_parser_fuzz)
#
# Builds only the fuzz target, in build-fuzz/ (or $TGKEEP_FUZZ_BUILD_DIR), with clang. The working
# corpus is fuzz-corpus/NAME/ for TARGET NAME_fuzz (git-ignored): seeded from fuzz/corpus/NAME/ when
# that exists and kept between runs so each run starts where the last one stopped; fuzz/NAME.dict
# is used when it exists. Crash inputs go to fuzz-corpus/artifacts/. The full libFuzzer log is
# build-fuzz/TARGET.log. Exits non-zero on a finding.
set -euo pipefail

seconds="${1:-600}"
target="${2:-update_parser_fuzz}"
if ! [[ "$seconds" =~ ^[0-9]+$ && "$target" =~ ^[a-z0-9_]+_fuzz$ ]]; then
  echo "usage: $0 [SECONDS] [TARGET]" >&2
  exit 2
fi
name="${target%_fuzz}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TGKEEP_FUZZ_BUILD_DIR:-$root/build-fuzz}"
corpus="$root/fuzz-corpus/$name"
artifacts="$root/fuzz-corpus/artifacts"
log="$build/$target.log"

# Every translation unit is instrumented alike: coverage for the fuzzer, ASan and UBSan, and any
# UBSan report aborts so that it counts as a crash.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
flags+=" -fno-omit-frame-pointer"

generator=()
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DTGKEEP_FUZZ=ON -DTGKEEP_TESTS=OFF -DTGKEEP_BENCH=OFF -DTGKEEP_WERROR=OFF >/dev/null
cmake --build "$build" --target "$target" -j"$(nproc)" >/dev/null

mkdir -p "$corpus" "$artifacts"
if [[ -d "$root/fuzz/corpus/$name" ]]; then cp -n "$root/fuzz/corpus/$name"/* "$corpus"/; fi
dict=()
if [[ -f "$root/fuzz/$name.dict" ]]; then dict=(-dict="$root/fuzz/$name.dict"); fi

started="$(mktemp)"
trap 'rm -f "$started"' EXIT
set +e
"$build/fuzz/$target" "$corpus" "${dict[@]}" \
  -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
status=$?
set -e

execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
elapsed="$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
findings="$(find "$artifacts" -type f -newer "$started" | wc -l)"
echo "$target: execs=${execs:-?} seconds=${elapsed:-?} exec/s=${rate:-?}" \
  "crashes=$findings corpus=$(find "$corpus" -type f | wc -l) exit=$status log=$log"
if [[ $status -ne 0 || $findings -ne 0 ]]; then
  find "$artifacts" -type f -newer "$started" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
