#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmark need on a Debian machine that has only
# Node 20+ and npm, then builds. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v openssl >/dev/null || need+=(openssl)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v tinyproxy >/dev/null || need+=(tinyproxy)
command -v redis-server >/dev/null || need+=(redis-server)
command -v script >/dev/null || need+=(bsdutils)
[ -x /usr/bin/time ] || need+=(time)
# The dashboard's browser tests drive Debian's chromium (playwright-core never downloads a browser here).
[ -x /usr/bin/chromium ] || need+=(chromium)
if ((${#need[@]})); then
  sudo=''
  [ "$(id -u)" = 0 ] || sudo='sudo'
  echo "setup: installing Debian packages: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

npm run -s build
