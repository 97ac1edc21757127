#!/usr/bin/env bash
# `npm test`: installs what is missing, then type-checks, lints, checks generated code for
# staleness and runs the unit, kernel and end-to-end suites (kernel and e2e need root). Prints
# passed/failed/skipped per jest project and ends with "N passed, N failed" (", N skipped" when
# any were); any failure, skip, or project that ran no test fails the run.
# `npm test -- unit` (or `-- unit kernel`, …) runs only the named projects: an explicit partial run.
set -euo pipefail
cd "$(dirname "$0")/.."

projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(unit kernel e2e)
needs_root=()
for p in "${projects[@]}"; do
  case "$p" in
    unit) ;;
    kernel | e2e) needs_root+=("$p") ;;
    *)
      echo "npm test: unknown project '$p' (unit, kernel, e2e)" >&2
      exit 2
      ;;
  esac
done
if [ ${#needs_root[@]} -gt 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "npm test: root is required by the suites: ${needs_root[*]} (CAP_BPF, CAP_NET_ADMIN, network namespaces)." >&2
  echo "Run it as root, or ask for a partial run explicitly: npm test -- unit (or npm run test:unit)." >&2
  exit 1
fi

bash scripts/ensure-deps.sh

results=.cache/jest-results
rm -rf "$results" && mkdir -p "$results"
status=0
run_jest() { # project, extra args…; a failing project does not stop the others
  local project=$1; shift
  echo "== $project"
  npx jest --selectProjects "$project" --ci --json --outputFile="$results/$project.json" "$@" || status=1
}

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint . --max-warnings=0
echo "== generated code is current"; npx tsx scripts/gen-check.ts
for p in "${projects[@]}"; do
  if [ "$p" = unit ]; then run_jest unit; else run_jest "$p" --runInBand; fi
done
echo "== summary"
npx tsx scripts/test-summary.ts "$results" "${projects[@]}" || status=1
exit "$status"
