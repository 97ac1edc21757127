#!/usr/bin/env bash
# `npm run coverage` (root): runs the unit, kernel and e2e suites with coverage and prints line and
# branch coverage per folder of src/ and codegen/src/. In-process code is measured by jest (V8);
# code in child processes (daemon, lbrp service, CLI under tsx) through NODE_V8_COVERAGE, merged
# by scripts/coverage-report.ts. Kept out of `npm test`: it is slower.
# A partial run for a quick look: `COVERAGE_PROJECTS=unit npm run coverage -- test/compat/cli`
# (COVERAGE_DIR=dir writes elsewhere than coverage/).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "npm run coverage needs root: the kernel and e2e suites load eBPF programs" >&2
  exit 1
fi
bash scripts/ensure-deps.sh || exit 1

out=${COVERAGE_DIR:-coverage}
rm -rf "$out" && mkdir -p "$out/v8"
# Every node process of the run (jest, its workers, and every child they start) writes its V8
# coverage here on exit; the report keeps only what child processes ran (see coverage-report.ts).
export NODE_V8_COVERAGE="$(realpath -m "$out")/v8" # COVERAGE_DIR may be absolute
failed=()
patterns=("$@")
start=$SECONDS
run_jest() { # project, extra args…
  local project=$1; shift
  local t0=$SECONDS
  echo "== $project (with coverage)"
  # Measuring slows every test down: jest's 5 s default timeout (tests without their own) is raised.
  npx jest --ci --coverage --coverageProvider=v8 --testTimeout=60000 \
    --coverageReporters=json --coverageDirectory="$out/jest-$project" \
    --collectCoverageFrom='src/**/*.ts' --collectCoverageFrom='codegen/src/**/*.ts' \
    --collectCoverageFrom='!**/*.d.ts' --selectProjects "$project" "$@" -- "${patterns[@]}" || failed+=("$project")
  echo "$project: $((SECONDS - t0)) s" >>"$out/timing.txt"
}
for project in ${COVERAGE_PROJECTS:-unit kernel e2e}; do
  case $project in
    unit) run_jest unit ;;
    *) run_jest "$project" --runInBand ;;
  esac
done
unset NODE_V8_COVERAGE
echo "all suites: $((SECONDS - start)) s" >>"$out/timing.txt"

npx tsx scripts/coverage-report.ts "$out" || exit 1
cat "$out/timing.txt"
if [ ${#failed[@]} -gt 0 ]; then
  echo "tests failed in: ${failed[*]} (the figures above are from that run)" >&2
  exit 1
fi
