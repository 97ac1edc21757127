// The yang-ts-codegen command: argument parsing, errors printed as file:line:col with exit 1 and
// nothing written, and a run that writes <outdir>/<module>/ and drops stale files there.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, parseArgs, writeGenerated } from '../../../../codegen/src/bin/cli';
import { REPO_ROOT } from '../helpers/lbrp';

describe('parseArgs', () => {
  test.each([
    {
      name: 'file, search path list and output',
      inArgs: ['a.yang', '--path', `x${path.delimiter}y`, '-o', 'out'],
      want: { file: 'a.yang', searchPath: ['x', 'y'], outDir: 'out' },
    },
    {
      name: 'repeated --path accumulates',
      inArgs: ['-p', 'x', 'a.yang', '--path', 'y', '--out', 'o'],
      want: { file: 'a.yang', searchPath: ['x', 'y'], outDir: 'o' },
    },
    { name: 'missing output', inArgs: ['a.yang'], want: { error: 'missing -o <outdir>' } },
    {
      name: 'two files',
      inArgs: ['a.yang', 'b.yang', '-o', 'o'],
      want: { error: 'expected exactly one YANG file' },
    },
    { name: 'unknown option', inArgs: ['a.yang', '-x'], want: { error: 'unknown option -x' } },
    { name: 'option without value', inArgs: ['a.yang', '-o'], want: { error: '-o needs a directory' } },
  ])('$name', ({ inArgs, want }) => {
    expect(parseArgs(inArgs)).toEqual(want);
  });
});

describe('main', () => {
  let tmp: string;
  let stderr: string;
  let cwd: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-cli-'));
    stderr = '';
    cwd = process.cwd();
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    process.chdir(cwd);
    jest.restoreAllMocks();
    process.exitCode = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  // Every error of the run is printed with its location, and the output directory is untouched.
  test('reports errors as file:line:col and exits 1 without writing', () => {
    fs.writeFileSync(
      path.join(tmp, 'bad.yang'),
      'module bad {\n  namespace "urn:bad";\n  prefix b;\n  leaf x { type nosuch; }\n}\n',
    );
    process.chdir(tmp);
    expect(main(['bad.yang', '-o', 'out'])).toBe(1);
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/^bad\.yang:4:\d+: .*nosuch/m);
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
  });

  test('a usage error exits 2', () => {
    expect(main([])).toBe(2);
    expect(stderr).toContain('usage: yang-ts-codegen');
  });

  // A successful run writes the module directory with paths relative to the working directory.
  test('writes <outdir>/<module>/ for lbrp', () => {
    process.chdir(REPO_ROOT);
    const out = path.join(tmp, 'gen');
    expect(main(['datamodel/lbrp.yang', '--path', 'datamodel', '-o', out])).toBe(0);
    expect(fs.readdirSync(path.join(out, 'lbrp')).sort()).toEqual([
      'drop.ts',
      'index.ts',
      'lbrp.ts',
      'ports.ts',
      'routes.json',
      'runtime.ts',
      'schema.json',
      'service.ts',
      'src-ip-rewrite.ts',
    ]);
    expect(fs.readFileSync(path.join(out, 'lbrp', 'lbrp.ts'), 'utf8')).toContain(
      '// Inputs: datamodel/lbrp.yang,',
    );
  });
});

describe('writeGenerated', () => {
  // The module directory belongs to the generator: files it no longer produces are removed,
  // other directories are left alone.
  test('removes stale files of the module directory only', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-write-'));
    try {
      fs.mkdirSync(path.join(tmp, 'm'));
      fs.mkdirSync(path.join(tmp, 'other'));
      fs.writeFileSync(path.join(tmp, 'm', 'old.ts'), 'x');
      fs.writeFileSync(path.join(tmp, 'other', 'keep.ts'), 'x');
      writeGenerated(tmp, [{ path: 'm/new.ts', content: 'y\n' }]);
      expect(fs.readdirSync(path.join(tmp, 'm'))).toEqual(['new.ts']);
      expect(fs.readdirSync(path.join(tmp, 'other'))).toEqual(['keep.ts']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
