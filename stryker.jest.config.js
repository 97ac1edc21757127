// Jest configuration for mutation testing (`npm run mutation`): the `unit` project of
// jest.config.js, narrowed to the unit tests of the mutated folders (their mirrors under
// test/unit, and service.test.ts, which drives requests/ through the service).
'use strict';
const unit = require('./jest.config.js').projects.find((p) => p.displayName === 'unit');
module.exports = {
  ...unit,
  // Only the fast tests written for these folders: sync/ tests (capacity at 10,000 services,
  // whole-cube plans) also run model and Maglev code, but take seconds each and would rerun for
  // nearly every mutant; a mutant must be killable by the folder's own unit tests. Maglev has its
  // own run (stryker.maglev.jest.config.js): its full-size tests take minutes.
  testMatch: [
    '<rootDir>/test/unit/lbrp/{model,requests}/**/*.test.ts',
    '<rootDir>/test/unit/lbrp/service.test.ts',
    '<rootDir>/test/unit/polycubed/rest/**/*.test.ts',
  ],
};
