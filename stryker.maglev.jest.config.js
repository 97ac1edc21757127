// Jest configuration for the Maglev mutation run (stryker.maglev.config.mjs): only the fast Maglev
// unit tests, on small prime tables. The full-size Maglev tests take minutes per run and would be
// rerun for every one of the folder's mutants (Stryker estimated 26 hours).
'use strict';
const unit = require('./jest.config.js').projects.find((p) => p.displayName === 'unit');
module.exports = {
  ...unit,
  testMatch: [
    '<rootDir>/test/unit/lbrp/maglev/*.fast.test.ts',
    '<rootDir>/test/unit/lbrp/maglev/{id-hash,maglev-delta,table-size}.test.ts',
  ],
};
