// Compiles dataplane C into a BPF object with clang, caching objects by content. The cache key
// covers clang's version, every flag and define, the entry source and every file clang read
// (its -MD dependency list, kept as a manifest, as ccache's direct mode does).
// Runs when a cube is created or reloaded, never per packet.

import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { CompileError } from './kernel-error';

/** What to compile. Give `sourcePath`, or `files` + `entry` for source held in memory. */
export interface CompileOptions {
  /** Entry C file on disk. */
  sourcePath?: string;
  /** In-memory sources by relative path (e.g. received over gRPC); written under cacheDir. */
  files?: Record<string, string>;
  /** Entry file among `files`. */
  entry?: string;
  /** `-I` directories, searched in order. Relative ones resolve against the current directory. */
  includeDirs?: string[];
  /** `-DNAME=value` macros (the Polycube way of parameterising a cube's code). */
  defines?: Record<string, string | number>;
  /** Where objects, manifests and in-memory sources are kept. */
  cacheDir: string;
  /** Treat warnings as errors (default false; warnings are returned either way). */
  werror?: boolean;
  /** Extra clang flags, appended after the standard ones. */
  extraFlags?: string[];
  /** clang binary (default `$LBRP_CLANG` or `clang` on PATH). */
  clang?: string;
}

/** A compiled object. */
export interface CompileResult {
  /** Path of the object inside cacheDir; immutable, shared by identical compiles. */
  objPath: string;
  /** True when the object came from the cache and clang was not run. */
  cached: boolean;
  /** clang's warnings from the compile that produced the object ('' on a cache hit). */
  warnings: string;
}

interface Manifest {
  deps: Array<{ path: string; sha256: string }>;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BPF_CPU = 'v3'; // ALU32 + JMP32: kernels >= 5.1; the generated code is smaller and faster
const clangVersions = new Map<string, string>();
let multiarchDir: string | undefined;

/**
 * Compiles to a BPF object, or returns the cached one. Throws CompileError with clang's
 * diagnostics when clang fails, TypeError for malformed options. Never loads anything.
 */
export async function compileBpf(opts: CompileOptions): Promise<CompileResult> {
  const clang = opts.clang ?? process.env.LBRP_CLANG ?? 'clang';
  const sourcePath = opts.sourcePath ? resolve(opts.sourcePath) : writeSources(opts);
  const flags = buildFlags(opts);
  const baseKey = sha256(['v1', clangVersion(clang), flags.join('\0'), sourcePath, readFileSync(sourcePath)]);
  const objDir = join(opts.cacheDir, 'obj');
  const manifestPath = join(opts.cacheDir, 'manifest', `${baseKey}.json`);
  const hit = lookupCache(manifestPath, baseKey, objDir, sourcePath);
  if (hit) return { objPath: hit, cached: true, warnings: '' };

  mkdirSync(objDir, { recursive: true });
  const tmp = join(objDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const warnings = await runClang(
      clang,
      [...flags, '-MD', '-MF', `${tmp}.d`, '-c', sourcePath, '-o', `${tmp}.o`],
      sourcePath,
    );
    const manifest: Manifest = { deps: parseDepFile(readFileSync(`${tmp}.d`, 'utf8')).map(hashDep) };
    const objPath = objectPath(objDir, objectKey(baseKey, manifest), sourcePath);
    mkdirSync(dirname(objPath), { recursive: true });
    renameSync(`${tmp}.o`, objPath);
    mkdirSync(dirname(manifestPath), { recursive: true });
    writeFileSync(`${manifestPath}.tmp-${process.pid}`, JSON.stringify(manifest));
    renameSync(`${manifestPath}.tmp-${process.pid}`, manifestPath);
    return { objPath, cached: false, warnings };
  } finally {
    rmSync(`${tmp}.o`, { force: true });
    rmSync(`${tmp}.d`, { force: true });
  }
}

/** The clang flags used for every compile, in order (exported for logs and the README). */
export function buildFlags(
  opts: Pick<CompileOptions, 'includeDirs' | 'defines' | 'werror' | 'extraFlags'>,
): string[] {
  const flags = ['-target', 'bpf', `-mcpu=${BPF_CPU}`, '-O2', '-g', '-Wall'];
  if (opts.werror) flags.push('-Werror');
  for (const dir of opts.includeDirs ?? []) flags.push(`-I${resolve(dir)}`);
  const arch = archIncludeDir();
  if (arch) flags.push('-idirafter', arch); // <asm/types.h> lives in the multiarch dir
  for (const name of Object.keys(opts.defines ?? {}).sort()) {
    const value = String((opts.defines as Record<string, string | number>)[name]);
    if (!NAME_RE.test(name)) throw new TypeError(`invalid macro name ${JSON.stringify(name)}`);
    if (/[\r\n]/.test(value)) throw new TypeError(`macro ${name}: value has a line break`);
    flags.push(`-D${name}=${value}`);
  }
  return [...flags, ...(opts.extraFlags ?? [])];
}

function writeSources(opts: CompileOptions): string {
  if (!opts.files || !opts.entry) throw new TypeError('compileBpf needs sourcePath, or files and entry');
  if (!(opts.entry in opts.files)) throw new TypeError(`entry ${opts.entry} is not among files`);
  const names = Object.keys(opts.files).sort();
  const files = opts.files;
  const dir = join(opts.cacheDir, 'src', sha256(names.flatMap((n) => [n, files[n]])));
  for (const name of names) {
    const rel = normalize(name);
    if (isAbsolute(rel) || rel.startsWith('..'))
      throw new TypeError(`source path ${name} leaves the source tree`);
    const path = join(dir, rel);
    if (existsSync(path) && readFileSync(path, 'utf8') === files[name]) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, files[name]);
  }
  return join(dir, normalize(opts.entry));
}

function lookupCache(
  manifestPath: string,
  baseKey: string,
  objDir: string,
  sourcePath: string,
): string | undefined {
  if (!existsSync(manifestPath)) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  for (const dep of manifest.deps) {
    if (!existsSync(dep.path) || sha256([readFileSync(dep.path)]) !== dep.sha256) return undefined;
  }
  const objPath = objectPath(objDir, objectKey(baseKey, manifest), sourcePath);
  return existsSync(objPath) ? objPath : undefined;
}

/** `<objDir>/<key>/<source base name>.o`: the file name gives the loaded object its name. */
function objectPath(objDir: string, key: string, sourcePath: string): string {
  return join(objDir, key, `${basename(sourcePath).replace(/\.c$/, '')}.o`);
}

function objectKey(baseKey: string, manifest: Manifest): string {
  return sha256([baseKey, ...manifest.deps.flatMap((d) => [d.path, d.sha256])]);
}

function hashDep(path: string): { path: string; sha256: string } {
  const abs = resolve(path);
  return { path: abs, sha256: sha256([readFileSync(abs)]) };
}

/** Dependencies from a Makefile-style depfile ("obj.o: a.c b.h \\\n c.h"). */
function parseDepFile(text: string): string[] {
  const body = text.replace(/\\\r?\n/g, ' ');
  const colon = body.indexOf(': ');
  const deps = (colon < 0 ? body : body.slice(colon + 2))
    .replace(/\\ /g, '\0')
    .split(/\s+/)
    .filter(Boolean)
    .map((d) => d.replace(/\0/g, ' '));
  return [...new Set(deps)].sort();
}

function runClang(clang: string, args: string[], sourcePath: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(clang, args, { maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolvePromise(stderr);
      const code = typeof err.code === 'number' ? err.code : null;
      reject(new CompileError(sourcePath, stderr || err.message, code));
    });
  });
}

function clangVersion(clang: string): string {
  let version = clangVersions.get(clang);
  if (version === undefined) {
    try {
      version = execFileSync(clang, ['--version'], { encoding: 'utf8' });
    } catch (err) {
      throw new CompileError('(clang)', `cannot run ${clang}: ${(err as Error).message}`, null);
    }
    clangVersions.set(clang, version);
  }
  return version;
}

/** The Debian multiarch include dir (/usr/include/x86_64-linux-gnu), if present. */
function archIncludeDir(): string | undefined {
  if (multiarchDir !== undefined) return multiarchDir || undefined;
  const guesses: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
  let triple = guesses[process.arch] ?? '';
  for (const [cmd, args] of [
    ['gcc', ['-print-multiarch']],
    ['dpkg-architecture', ['-qDEB_HOST_MULTIARCH']],
  ] as const) {
    try {
      const out = execFileSync(cmd, [...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (out) {
        triple = out;
        break;
      }
    } catch {
      // try the next way of asking
    }
  }
  const dir = `/usr/include/${triple}`;
  multiarchDir = triple && existsSync(dir) ? dir : '';
  return multiarchDir || undefined;
}

function sha256(parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(Buffer.byteLength(p)));
    h.update(':');
    h.update(p);
  }
  return h.digest('hex');
}
