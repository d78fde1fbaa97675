#!/usr/bin/env bash
# Fuzzes the Bot API protocol code (fuzz/update_parser_fuzz.cpp) with libFuzzer, ASan and UBSan.
#
#   scripts/fuzz.sh [SECONDS]     (default 600)
#
# Builds only the fuzz target, in build-fuzz/, with clang. The working corpus is
# fuzz-corpus/update_parser/ (git-ignored): seeded from fuzz/corpus/update_parser/ and kept between
# runs so each run starts where the last one stopped. Crash inputs go to fuzz-corpus/artifacts/.
# The full libFuzzer log is build-fuzz/update_parser_fuzz.log. Exits non-zero on a finding.
set -euo pipefail

seconds="${1:-600}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
corpus="$root/fuzz-corpus/update_parser"
artifacts="$root/fuzz-corpus/artifacts"
log="$build/update_parser_fuzz.log"

# Every translation unit is instrumented alike: coverage for the fuzzer, ASan and UBSan, and any
# UBSan report aborts so that it counts as a crash.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
flags+=" -fno-omit-frame-pointer"

generator=()
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DTGKEEP_FUZZ=ON -DTGKEEP_TESTS=OFF -DTGKEEP_BENCH=OFF -DTGKEEP_WERROR=OFF >/dev/null
cmake --build "$build" --target update_parser_fuzz -j"$(nproc)" >/dev/null

mkdir -p "$corpus" "$artifacts"
cp -n "$root"/fuzz/corpus/update_parser/* "$corpus"/

started="$(mktemp)"
trap 'rm -f "$started"' EXIT
set +e
"$build/fuzz/update_parser_fuzz" "$corpus" \
  -dict="$root/fuzz/update_parser.dict" \
  -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
status=$?
set -e

execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
elapsed="$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
findings="$(find "$artifacts" -type f -newer "$started" | wc -l)"
echo "update_parser_fuzz: execs=${execs:-?} seconds=${elapsed:-?} exec/s=${rate:-?}" \
  "crashes=$findings corpus=$(find "$corpus" -type f | wc -l) exit=$status log=$log"
if [[ $status -ne 0 || $findings -ne 0 ]]; then
  find "$artifacts" -type f -newer "$started" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
