#!/usr/bin/env bash
# `npm run mutation`: StrykerJS over the folders listed in stryker.config.mjs (incremental, one
# test process), then the score per folder. Extra arguments go to Stryker, e.g.
# `npm run mutation -- --mutate 'src/lbrp/maglev/**/*.ts'` while working on one folder.
set -euo pipefail
cd "$(dirname "$0")/.."
npx stryker run "$@"
npx tsx scripts/mutation-summary.ts
