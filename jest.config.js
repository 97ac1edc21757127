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
// Kernel and e2e hooks compile programs and start daemons: a longer default timeout (see the file).
const slowSuite = { setupFilesAfterEnv: ['<rootDir>/test/fixtures/slow-suite-timeout.ts'] };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/{unit,golden,compat}/**/*.test.ts'] },
    { ...common, ...slowSuite, displayName: 'kernel', testMatch: ['<rootDir>/test/kernel/**/*.test.ts'] },
    { ...common, ...slowSuite, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
