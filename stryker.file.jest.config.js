// Jest configuration for mutating one REST file at a time: only the unit tests named in
// MUTATION_TESTS (comma-separated, relative to the repo), e.g.
//   MUTATION_TESTS=test/unit/polycubed/rest/json-reader.test.ts npx stryker run \
//     --jest.configFile stryker.file.jest.config.js --mutate src/polycubed/rest/json-reader.ts ...
// A mutant that loops forever ends in a timeout, after which Stryker restarts the test process;
// with a handful of test files that restart and the first (coverage) run take seconds, not the
// minutes of the whole REST folder's tests.
'use strict';
const unit = require('./jest.config.js').projects.find((p) => p.displayName === 'unit');
const tests = (process.env.MUTATION_TESTS ?? '')
  .split(',')
  .map((t) => t.trim())
  .filter((t) => t !== '');
if (tests.length === 0) throw new Error('stryker.file.jest.config.js: set MUTATION_TESTS');
module.exports = { ...unit, testMatch: tests.map((t) => `<rootDir>/${t}`) };
