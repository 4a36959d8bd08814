#!/usr/bin/env bash
# `npm run bench`: set up what is missing (docker-registry, skopeo, GNU time, npm packages), build,
# then run the benchmark: picture-book vs `skopeo sync` vs a raw blob-streaming floor on two local
# registries. Options pass through: `npm run bench -- --quick`, `npm run bench -- --rounds 5 --large-mb 1024`,
# `npm run bench -- --help`. Figures go to bench/results/latest.json (--quick: .bench/quick.json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/time ]; then
  sudo=''
  [ "$(id -u)" = 0 ] || sudo='sudo'
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi
exec node dist/bench/main.js "$@"
