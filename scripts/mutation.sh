#!/usr/bin/env bash
# `npm run mutation`: StrykerJS over the folders listed in stryker.config.mjs, then over
# src/lbrp/maglev with its fast tests (stryker.maglev.config.mjs), both incremental with one test
# process, then the score per folder of both reports. Extra arguments go to the first Stryker run,
# e.g. `npm run mutation -- --mutate 'src/lbrp/model/**/*.ts'` while working on one folder;
# `npm run mutation:maglev` runs the Maglev part alone.
set -euo pipefail
cd "$(dirname "$0")/.."
npx stryker run "$@"
npx stryker run stryker.maglev.config.mjs
npx tsx scripts/mutation-summary.ts reports/mutation/mutation.json reports/mutation/maglev/mutation.json
