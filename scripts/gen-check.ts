// `npm run gen:check` (part of `npm test`): regenerates src/generated/ into a temp dir with the
// arguments of the `codegen` npm script and fails with a unified diff when the committed files
// are stale, missing or extra (STYLE §7).

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs, runCodegen, writeGenerated } from '../codegen/src/bin/cli';
import { unifiedDiff } from '../codegen/src/diff/unified-diff';

const ROOT = path.resolve(__dirname, '..');

/** The codegen arguments from package.json's `codegen` script (after the command name). */
function codegenArgs(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = pkg.scripts.codegen.trim().split(/\s+/);
  if (words[0] !== 'yang-ts-codegen') throw new Error(`unexpected codegen script: ${pkg.scripts.codegen}`);
  return words.slice(1);
}

/** Files of `dir` (relative paths, sorted); [] when it does not exist. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: false })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

function read(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Compares the generated module dirs under `fresh` with the committed ones; prints diffs. */
function compare(fresh: string, committed: string, moduleDirs: string[]): number {
  let stale = 0;
  for (const dir of moduleDirs) {
    const names = [
      ...new Set([...listFiles(path.join(fresh, dir)), ...listFiles(path.join(committed, dir))]),
    ].sort();
    for (const name of names) {
      const rel = path.posix.join(dir, name.split(path.sep).join('/'));
      const want = read(path.join(fresh, dir, name));
      const have = read(path.join(committed, dir, name));
      const diff = unifiedDiff(have, want, `committed/${rel}`, `regenerated/${rel}`);
      if (diff !== '') {
        stale++;
        process.stdout.write(diff);
      }
    }
  }
  return stale;
}

function checkGenerated(): number {
  process.chdir(ROOT);
  const opts = parseArgs(codegenArgs());
  if ('error' in opts) throw new Error(`bad codegen script arguments: ${opts.error}`);
  const { files, errors } = runCodegen(opts, ROOT);
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${e}\n`);
    return 1;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-check-'));
  try {
    writeGenerated(tmp, files);
    const moduleDirs = [...new Set(files.map((f) => f.path.split('/')[0]))].sort();
    const stale = compare(tmp, path.resolve(ROOT, opts.outDir), moduleDirs);
    if (stale > 0) {
      process.stderr.write(
        `gen-check: ${stale} generated file(s) under ${opts.outDir} are stale; run npm run codegen\n`,
      );
      return 1;
    }
    process.stdout.write(`gen-check: ${files.length} generated files under ${opts.outDir} are current\n`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = checkGenerated();
