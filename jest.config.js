// Jest projects: `unit` (pure TS, parallel) and `kernel` / `e2e` (root, real kernel, run in band).
'use strict';
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    '^yang-ts-codegen$': '<rootDir>/codegen/src/index.ts',
    '^yang-ts-codegen/(.*)$': '<rootDir>/codegen/src/$1',
  },
  // Stryker's sandboxes (`npm run mutation`) are copies of the repo under .cache/; without this,
  // a run in progress makes a second `yang-ts-codegen` package visible to every jest run here.
  modulePathIgnorePatterns: ['<rootDir>/.cache/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
};
/** Kernel and e2e tests get a 60 s default timeout (test/fixtures/slow-host-timeout.ts says why). */
const slowHost = { setupFilesAfterEnv: ['<rootDir>/test/fixtures/slow-host-timeout.ts'] };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/{unit,golden,compat}/**/*.test.ts'] },
    { ...common, displayName: 'kernel', testMatch: ['<rootDir>/test/kernel/**/*.test.ts'], ...slowHost },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], ...slowHost },
  ],
};
