#!/usr/bin/env bash
# The first README command: builds tgkeep and runs the bot on the embedded default (SQLite in
# ./data). Arguments go to `tgkeep run` (see `tgkeep run --help`).
#
# With a bot token (TELEGRAM_BOT_TOKEN, BOT_TOKEN or TGKEEP_TOKEN) the bot talks to Telegram.
# Without one, it starts `tgkeep sandbox` (a local Bot API server with a web chat page) on
# 127.0.0.1:8081 (or a free port, or TGKEEP_SANDBOX_PORT), runs the bot against it, prints the
# page's URL, and stops the sandbox when the bot stops.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --target tgkeep >&2
bin="${TGKEEP_BUILD_DIR:-build}/src/app/tgkeep"

if [ -n "${TELEGRAM_BOT_TOKEN:-}${BOT_TOKEN:-}${TGKEEP_TOKEN:-}" ]; then
  exec "$bin" run "$@"
fi

out=$(mktemp)
sandbox_pid=
cleanup() {
  if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -f "$out"
}
trap cleanup EXIT

start_sandbox() {
  "$bin" sandbox --port "$1" >"$out" 2>&1 &
  sandbox_pid=$!
  for _ in $(seq 100); do
    grep -q '^listening ' "$out" && return 0
    kill -0 "$sandbox_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
start_sandbox "${TGKEEP_SANDBOX_PORT:-8081}" || start_sandbox 0 || {
  cat "$out" >&2
  echo "tgkeep: the sandbox did not start" >&2
  exit 1
}
address=$(sed -n 's/^listening //p' "$out" | head -n 1)
echo "tgkeep: no TELEGRAM_BOT_TOKEN is set, so the bot runs against a local sandbox." >&2
echo "tgkeep: open http://$address/ to chat with it (Ctrl-C stops both)." >&2
echo "tgkeep: to use Telegram, create a bot with @BotFather and set TELEGRAM_BOT_TOKEN." >&2
TELEGRAM_API_URL="http://$address" TELEGRAM_BOT_TOKEN="123456:sandbox-0123456789-abcdefghijklmnopqr" \
  "$bin" run "$@"
