#!/usr/bin/env bash
# The README's first command (`npm run demo`): set up what is missing, build, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/demo/main.js "$@"
