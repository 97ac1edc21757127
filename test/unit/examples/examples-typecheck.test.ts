// The examples' TypeScript (the demo) is outside the main tsconfig: it is type-checked here with
// examples/tsconfig.json (strict, like the rest).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '../../..');

test('examples type-check', () => {
  const tsc = join(REPO, 'node_modules/.bin/tsc');
  expect(() =>
    execFileSync(tsc, ['-p', join(REPO, 'examples/tsconfig.json')], { cwd: REPO, stdio: 'pipe' }),
  ).not.toThrow();
}, 60_000);
