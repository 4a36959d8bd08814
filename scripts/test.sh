#!/usr/bin/env bash
# The one test command (`npm test`): set up what is missing, build, run every test file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Formatting is part of the suite: a file the formatter would change fails the run (fix: npm run format).
npx prettier --check --log-level warn .
# So is the linter (typescript-eslint's strict and stylistic type-checked rules, eslint.config.mjs): any
# problem, error or warning, fails the run (see them with npm run lint).
npx eslint --max-warnings 0 .
# The compiled form of every test source: a test deleted or moved in the sources does not live on in
# dist/ (tsc never removes what it compiled before).
mapfile -t files < <(find src test bench demo -name '*.test.ts' | sort | sed -e 's|^|dist/|' -e 's|\.ts$|.js|')
# A hung test fails instead of hanging the run. Node 20 applies --test-timeout to each test FILE as a
# whole (newer Node to each test); the slowest file, copy-memory (a 1 GiB layer built, pushed and
# copied twice), takes 50-100 s on two shared cores with a cold fixture cache, but copy-resume (a 1 GiB
# layer resumed, and upload sessions) went past 300 s on two cores at load 20-30: 15 minutes leaves room
# for a crowded machine and still ends a stuck run. A file whose tests all passed but that leaves a
# server or child process open never exits either, so it fails the same way (no --test-force-exit).
# Arguments after `npm test --` come last and win (e.g. --test-timeout=600000).
exec node --test --test-concurrency=2 --test-timeout=900000 "$@" "${files[@]}"
