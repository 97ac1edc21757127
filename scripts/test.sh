#!/usr/bin/env bash
# `npm test`: installs what is missing, then type-checks, lints, checks generated code for
# staleness and runs the unit, kernel and end-to-end suites. Ends with one summary line
# "N passed, N failed" over every jest project that ran.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

results=.cache/jest-results
rm -rf "$results" && mkdir -p "$results"
run_jest() { # project, extra args…
  local project=$1; shift
  npx jest --selectProjects "$project" --ci --json --outputFile="$results/$project.json" "$@"
}

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint . --max-warnings=0
echo "== generated code is current"; npx tsx scripts/gen-check.ts
echo "== unit"; run_jest unit
if [ "$(id -u)" -eq 0 ]; then
  echo "== kernel"; run_jest kernel --runInBand
  echo "== e2e"; run_jest e2e --runInBand --passWithNoTests
else
  echo "kernel and e2e suites skipped: they need root (CAP_BPF, CAP_NET_ADMIN)"
fi
node -e '
  const fs = require("fs"); let p = 0, f = 0;
  for (const n of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + n, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests;
  }
  console.log(`${p} passed, ${f} failed`);
  if (p === 0) { console.error("no test ran"); process.exit(1); }' "$results"
