// The version written into generated headers is the package's version.

import * as fs from 'fs';
import * as path from 'path';
import { GENERATOR_NAME, GENERATOR_VERSION } from '../../../codegen/src/version';

test('GENERATOR_NAME and GENERATOR_VERSION match codegen/package.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../codegen/package.json'), 'utf8'));
  expect([GENERATOR_NAME, GENERATOR_VERSION]).toEqual([pkg.name, pkg.version]);
});
