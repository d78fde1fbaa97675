#!/usr/bin/env bash
# Installs the Debian bookworm packages tgkeep needs to build, test and benchmark.
# Idempotent: packages already present are skipped, and apt-get runs only when needed.
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config ccache
  libboost1.81-dev libssl-dev libsimdjson-dev libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev libcli11-dev libhiredis-dev libpq-dev
)
# postgresql: the PostgreSQL 15 server binaries (initdb, postgres in /usr/lib/postgresql/15/bin)
# for the tests labelled `pg`, which start their own servers; the cluster the package may create
# is not used.
test_packages=(libgtest-dev libgmock-dev libbenchmark-dev python3 openssl clang libclang-rt-14-dev
  chromium fonts-noto-color-emoji redis-server postgresql)

want=("${build_packages[@]}")
if [ "${1:-}" = "--with-tests" ]; then
  want+=("${test_packages[@]}")
  # Node.js and npm run the browser test and the third-party emulator. A machine may have them
  # from elsewhere already (then Debian's packages would conflict): install only what is missing.
  command -v node >/dev/null || want+=(nodejs)
  command -v npm >/dev/null || want+=(npm)
fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "tgkeep: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
