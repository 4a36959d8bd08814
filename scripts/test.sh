#!/usr/bin/env bash
# The one test command (`npm test`): set up what is missing, build, run every test file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mapfile -t files < <(find dist -name '*.test.js' | sort)
exec node --test --test-concurrency=2 "$@" "${files[@]}"
