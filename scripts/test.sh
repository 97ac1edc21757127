#!/usr/bin/env bash
# `npm test`: installs what is missing, then type-checks, lints, checks generated code for
# staleness and runs the unit, kernel and end-to-end suites. Prints one closing summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint . --max-warnings=0
echo "== generated code is current"; npx tsx scripts/gen-check.ts
echo "== unit"; npx jest --selectProjects unit --ci
if [ "$(id -u)" -eq 0 ]; then
  echo "== kernel"; npx jest --selectProjects kernel --ci --runInBand
  echo "== e2e"; npx jest --selectProjects e2e --ci --runInBand --passWithNoTests
else
  echo "kernel and e2e suites skipped: they need root (CAP_BPF, CAP_NET_ADMIN)"
fi
