// Jest projects: `unit` (pure TS, parallel) and `kernel` / `e2e` (root, real kernel, run in band).
'use strict';
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    '^yang-ts-codegen$': '<rootDir>/codegen/src/index.ts',
    '^yang-ts-codegen/(.*)$': '<rootDir>/codegen/src/$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/{unit,golden,compat}/**/*.test.ts'] },
    // Kernel and e2e hooks compile programs (clang) and start daemons: seconds on a busy 2-core host,
    // so jest's 5 s default would turn load into failures. Tests that need longer still say so.
    {
      ...common,
      displayName: 'kernel',
      testTimeout: 60_000,
      testMatch: ['<rootDir>/test/kernel/**/*.test.ts'],
    },
    { ...common, displayName: 'e2e', testTimeout: 60_000, testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
