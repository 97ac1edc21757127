// The yang-ts-codegen command: `yang-ts-codegen <file.yang> --path <dir>[:<dir>] -o <outdir>`.
// Loads the module (parse/ → ir/), generates its files (emit-ts/) and writes <outdir>/<module>/,
// or prints every collected error as `file:line:col: message` and exits 1.

import * as fs from 'fs';
import * as path from 'path';
import { generateModule, type GeneratedFile } from '../emit-ts/generate-module';
import { loadModule } from '../ir/load-module';

const USAGE = 'usage: yang-ts-codegen <file.yang> [--path <dir>[:<dir>...]]... -o <outdir>';

/** Parsed command line. */
export interface CliOptions {
  file: string;
  /** Directories searched for imported modules, in order. */
  searchPath: string[];
  outDir: string;
}

/** Parses `argv` (without node and script); returns the options or a usage error message. */
export function parseArgs(argv: readonly string[]): CliOptions | { error: string } {
  const files: string[] = [];
  const searchPath: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string | undefined => argv[++i];
    if (arg === '--path' || arg === '-p') {
      const v = value();
      if (v === undefined) return { error: `${arg} needs a directory list` };
      searchPath.push(...v.split(path.delimiter).filter((d) => d !== ''));
    } else if (arg === '-o' || arg === '--out') {
      outDir = value();
      if (outDir === undefined) return { error: `${arg} needs a directory` };
    } else if (arg.startsWith('-')) {
      return { error: `unknown option ${arg}` };
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) return { error: 'expected exactly one YANG file' };
  if (outDir === undefined) return { error: 'missing -o <outdir>' };
  return { file: files[0], searchPath, outDir };
}

/**
 * Loads and generates without writing: the files (paths relative to the output root) or every
 * error as `file:line:col: message`. File names in errors and headers are relative to `rootDir`.
 */
export function runCodegen(
  opts: CliOptions,
  rootDir = process.cwd(),
): { files: GeneratedFile[]; errors: string[] } {
  const loaded = loadModule(opts.file, { searchPath: opts.searchPath, rootDir });
  if (!loaded.module) return { files: [], errors: loaded.errors.map((e) => e.message) };
  const generated = generateModule(loaded.module);
  const errors = generated.errors.map((e) => `${e.loc.file}:${e.loc.line}:${e.loc.col}: ${e.message}`);
  return { files: generated.files, errors };
}

/**
 * Writes `files` under `outDir` and removes every other file in the module directories they
 * belong to (those directories are owned by the generator). Unchanged files are not rewritten.
 */
export function writeGenerated(outDir: string, files: readonly GeneratedFile[]): void {
  const dirs = new Set(files.map((f) => path.dirname(f.path)));
  for (const dir of dirs) {
    const abs = path.join(outDir, dir);
    fs.mkdirSync(abs, { recursive: true });
    const keep = new Set(files.filter((f) => path.dirname(f.path) === dir).map((f) => path.basename(f.path)));
    for (const entry of fs.readdirSync(abs)) {
      if (!keep.has(entry)) fs.rmSync(path.join(abs, entry), { recursive: true, force: true });
    }
  }
  for (const f of files) {
    const abs = path.join(outDir, f.path);
    const old = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
    if (old !== f.content) fs.writeFileSync(abs, f.content);
  }
}

/**
 * Runs the command with `argv` (without node and script). Returns the exit code and also sets
 * `process.exitCode`: 0 when the files were written, 1 on errors (nothing is written), 2 on a
 * usage error.
 */
export function main(argv: readonly string[]): number {
  const opts = parseArgs(argv);
  let code = 0;
  if ('error' in opts) {
    process.stderr.write(`yang-ts-codegen: ${opts.error}\n${USAGE}\n`);
    code = 2;
  } else {
    const { files, errors } = runCodegen(opts);
    if (errors.length > 0) {
      for (const e of errors) process.stderr.write(`${e}\n`);
      code = 1;
    } else {
      writeGenerated(opts.outDir, files);
      process.stdout.write(`yang-ts-codegen: wrote ${files.length} files under ${opts.outDir}\n`);
    }
  }
  process.exitCode = code;
  return code;
}
