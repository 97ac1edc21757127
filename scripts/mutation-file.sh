#!/usr/bin/env bash
# Mutates one source file against the unit tests named after it (stryker.file.config.mjs):
#   scripts/mutation-file.sh src/polycubed/rest/json-reader.ts test/unit/polycubed/rest/json-reader.test.ts [more tests]
# Report: reports/mutation/files/<name>.json (name = the file's base name); incremental file
# .cache/mu-<name>.json. Extra Stryker options go in STRYKER_ARGS (e.g. "--concurrency 2").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: $0 <source file> <test file>..." >&2
  exit 2
fi
src=$1
shift
name=$(basename "$src" .ts)
tests=$(IFS=,; echo "$*")
# shellcheck disable=SC2086
MUTATION_NAME=$name MUTATION_TESTS=$tests npx stryker run stryker.file.config.mjs --mutate "$src" ${STRYKER_ARGS:-}
npx tsx scripts/mutation-summary.ts --by-file "reports/mutation/files/$name.json"
