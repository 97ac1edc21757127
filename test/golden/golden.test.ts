// Golden cases of the generator: each test/golden/<case>/input/<case>.yang, and the real model
// datamodel/lbrp.yang read in place, is generated and compared with expected/<file>.golden (unified
// diff on mismatch; `npm run golden:update` rewrites them). A change of the model thus fails here
// until the goldens are regenerated and reviewed. Every case is generated twice to catch
// nondeterminism; the .ts goldens must type-check.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unifiedDiff } from '../../codegen/src/diff/unified-diff';
import { generateModule, type GeneratedFile } from '../../codegen/src/emit-ts/generate-module';
import { loadModule } from '../../codegen/src/ir/load-module';

const GOLDEN_DIR = __dirname;
const REPO_ROOT = path.resolve(GOLDEN_DIR, '../..');
const UPDATE = process.env.GOLDEN_UPDATE === '1';
/** Cases whose input is the project's own model, read where it lives (a copy would go stale). */
const MODEL_CASES: Record<string, string> = { lbrp: path.join(REPO_ROOT, 'datamodel') };
const CASES = fs
  .readdirSync(GOLDEN_DIR)
  .filter((d) => fs.existsSync(path.join(GOLDEN_DIR, d, 'input')) || d in MODEL_CASES)
  .sort();

/**
 * Generates a case; file names in headers are relative to the case directory (`input/x.yang`),
 * or to the repository for the model's own cases (`datamodel/lbrp.yang`, as in src/generated).
 */
function generateCase(name: string): GeneratedFile[] {
  const model = MODEL_CASES[name];
  const input = model ?? path.join(GOLDEN_DIR, name, 'input');
  const rootDir = model ? REPO_ROOT : path.join(GOLDEN_DIR, name);
  const { module, errors } = loadModule(path.join(input, `${name}.yang`), { searchPath: [input], rootDir });
  if (!module) throw new Error(errors.map((e) => e.message).join('\n'));
  const out = generateModule(module);
  if (out.errors.length > 0) throw new Error(out.errors.map((e) => e.message).join('\n'));
  return out.files;
}

/** The golden file name of a generated file: its base name plus `.golden`. */
const goldenName = (f: GeneratedFile): string => `${path.basename(f.path)}.golden`;

function listGoldens(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.golden')).sort() : [];
}

describe.each(CASES)('golden case %s', (name) => {
  const expectedDir = path.join(GOLDEN_DIR, name, 'expected');

  // The generator is deterministic: two runs give byte-identical files.
  test('generating twice gives the same output', () => {
    const first = generateCase(name);
    const second = generateCase(name);
    const diffs = first.map((f, i) => unifiedDiff(f.content, second[i]?.content ?? '', `run1/${f.path}`, `run2/${f.path}`));
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    expect(diffs.join('')).toBe('');
  });

  // The output equals the reviewed goldens, file for file.
  test('output matches expected/', () => {
    const files = generateCase(name);
    if (UPDATE) {
      fs.mkdirSync(expectedDir, { recursive: true });
      const keep = new Set(files.map(goldenName));
      for (const g of listGoldens(expectedDir)) if (!keep.has(g)) fs.rmSync(path.join(expectedDir, g));
      for (const f of files) fs.writeFileSync(path.join(expectedDir, goldenName(f)), f.content);
      return;
    }
    const problems: string[] = [];
    for (const f of files) {
      const file = path.join(expectedDir, goldenName(f));
      const want = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      problems.push(unifiedDiff(want, f.content, `expected/${goldenName(f)}`, `generated/${goldenName(f)}`));
    }
    const generated = new Set(files.map(goldenName));
    for (const g of listGoldens(expectedDir)) if (!generated.has(g)) problems.push(`stale golden expected/${g}\n`);
    const report = problems.join('');
    if (report !== '') throw new Error(`${report}golden mismatch in case ${name}: run npm run golden:update`);
  });
});

// The .ts goldens compile under the project's strict compiler options, outside the tree.
test('the .ts goldens type-check with tsc --noEmit', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-tsc-'));
  try {
    for (const name of CASES) {
      const expectedDir = path.join(GOLDEN_DIR, name, 'expected');
      fs.mkdirSync(path.join(tmp, name));
      for (const g of listGoldens(expectedDir).filter((f) => f.endsWith('.ts.golden'))) {
        fs.copyFileSync(path.join(expectedDir, g), path.join(tmp, name, g.replace(/\.golden$/, '')));
      }
    }
    const tsconfig = {
      extends: path.join(REPO_ROOT, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true, types: [], sourceMap: false },
      include: ['*/*.ts'],
    };
    fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = require.resolve('typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', path.join(tmp, 'tsconfig.json')], { encoding: 'utf8' });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`tsc failed on the goldens:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 60_000);
