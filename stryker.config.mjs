// StrykerJS configuration for `npm run mutation`: mutates the pure model, request and REST folders
// and runs the unit tests that cover each mutant (perTest coverage). Reports go to
// reports/mutation/; scripts/mutation-summary.ts prints the score per folder. The Maglev folder has
// its own run over its fast tests (stryker.maglev.config.mjs, which reuses these settings).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'stryker.jest.config.js' },
  coverageAnalysis: 'perTest',
  mutate: ['src/lbrp/model/**/*.ts', 'src/lbrp/requests/**/*.ts', 'src/polycubed/rest/**/*.ts'],
  // The host has 2 cores shared with other work: one test process at a time.
  concurrency: 1,
  // Reruns after a test change reuse every result whose code and covering tests are unchanged.
  incremental: true,
  incrementalFile: '.cache/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.cache/stryker-tmp',
  ignorePatterns: ['.cache', 'bench/results', 'reports', 'coverage', 'dist', 'codegen/dist'],
  // A mutant that makes a test loop forever is killed by this timeout (ms over the normal run).
  timeoutMS: 10000,
  // The first run of every test (with coverage) takes minutes on a busy 2-core host.
  dryRunTimeoutMinutes: 30,
  // A mutant in module-level code (a constant table) is covered by every test, so it would rerun
  // the whole suite; those are left out and listed as ignored in the report.
  ignoreStatic: true,
};
