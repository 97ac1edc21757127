// StrykerJS configuration for one REST file (scripts/mutation-file.sh): the settings of
// stryker.config.mjs, with only the unit tests named in MUTATION_TESTS (stryker.file.jest.config.js),
// an incremental file and reports named after MUTATION_NAME, and a short timeout. The timeout is
// what an endless-loop mutant costs: the file's tests take milliseconds, so 3 s over their normal
// time is ample on a busy host, where the folder config's 10 s made json-reader.ts a 2-hour run.
// A mutant that times out counts as detected (Stryker's definition).
import base from './stryker.config.mjs';

const name = process.env.MUTATION_NAME;
if (!name) throw new Error('stryker.file.config.mjs: set MUTATION_NAME');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  jest: { projectType: 'custom', configFile: 'stryker.file.jest.config.js' },
  incrementalFile: `.cache/mu-${name}.json`,
  jsonReporter: { fileName: `reports/mutation/files/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/files/${name}.html` },
  timeoutMS: 3000,
  dryRunTimeoutMinutes: 10,
};
