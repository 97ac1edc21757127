// StrykerJS configuration for the Maglev folder (`npm run mutation:maglev`): the shared settings of
// stryker.config.mjs, mutating src/lbrp/maglev only and running only its fast unit tests
// (stryker.maglev.jest.config.js), with its own incremental file and reports.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  jest: { projectType: 'custom', configFile: 'stryker.maglev.jest.config.js' },
  mutate: ['src/lbrp/maglev/**/*.ts'],
  incrementalFile: '.cache/stryker-incremental-maglev.json',
  jsonReporter: { fileName: 'reports/mutation/maglev/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/maglev/mutation.html' },
  tempDirName: '.cache/stryker-tmp-maglev',
};
