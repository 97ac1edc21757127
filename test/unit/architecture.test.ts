// The shape of src/ and codegen/src/: which folder may import which (the layers the README's
// Layout section and docs/architecture.md describe), files private to their folder, and no import
// cycle between files (type-only imports included: a cycle of types still ties two modules
// together). Imports are read and resolved with TypeScript's own preprocessor and module
// resolution, so `import type`, re-exports and dynamic `import()` all count. A failure names the
// importing file and the specifier.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const REPO = path.resolve(__dirname, '../..');

/**
 * Folder → the folders it may import from (its own files always). A folder of src/ is its first
 * level, or its second one under polycubed/ and lbrp/ (their parts are layers of their own); a
 * file directly in one of those is its parent ("polycubed", "lbrp"). Keep in step with
 * docs/architecture.md.
 */
const SRC_LAYERS: Record<string, readonly string[]> = {
  common: [],
  proto: [],
  generated: [],
  cli: [],
  // The status page's browser code (served from rest/ by file path): imports nothing.
  ui: [],
  'service-kit': ['proto', 'common'],
  'polycubed/runtime': ['common'],
  'polycubed/core': ['polycubed/runtime', 'proto', 'common'],
  'polycubed/grpc': ['polycubed/core', 'proto', 'common'],
  'polycubed/rest': ['polycubed/core', 'common'],
  polycubed: ['polycubed/core', 'polycubed/grpc', 'polycubed/rest', 'polycubed/runtime', 'common'],
  'lbrp/dataplane': [],
  'lbrp/maglev': [],
  'lbrp/model': ['generated', 'common'],
  'lbrp/sync': ['lbrp/model', 'lbrp/maglev', 'lbrp/dataplane', 'service-kit', 'common'],
  'lbrp/stats': ['lbrp/dataplane', 'lbrp/sync', 'service-kit', 'common'],
  'lbrp/slow-path': ['lbrp/dataplane', 'lbrp/model', 'service-kit', 'common'],
  'lbrp/requests': ['lbrp/model', 'lbrp/stats', 'lbrp/sync', 'service-kit', 'generated', 'common'],
  // Health checks: probes (host sockets), the rise/fall state, the monitor the service runs.
  'lbrp/health': ['lbrp/model', 'lbrp/sync', 'lbrp/requests', 'generated', 'common'],
  lbrp: [
    'lbrp/health',
    'lbrp/dataplane',
    'lbrp/maglev',
    'lbrp/model',
    'lbrp/sync',
    'lbrp/stats',
    'lbrp/slow-path',
    'lbrp/requests',
    'service-kit',
    'generated',
    'common',
  ],
  // Several nodes: BGP announcement through BIRD (REST client, no imports) and the resolved
  // Maglev snapshot read from pinned maps (tests and tools on the node itself).
  cluster: ['polycubed/runtime', 'lbrp/dataplane'],
  // src/main.ts: polycubed and the lbrp service in one process.
  'main.ts': ['polycubed', 'polycubed/core', 'polycubed/grpc', 'polycubed/rest', 'lbrp', 'common'],
};

/** The code generator's pipeline: parse → ir → schema → routes → emit-ts (→ diff) → bin. */
const CODEGEN_LAYERS: Record<string, readonly string[]> = {
  'version.ts': [],
  parse: [],
  ir: ['parse'],
  schema: ['ir'],
  routes: ['ir', 'schema'],
  'emit-ts': ['ir', 'schema', 'routes', 'version.ts'],
  diff: ['ir', 'emit-ts'],
  'index.ts': ['parse', 'ir', 'schema', 'routes', 'emit-ts', 'diff', 'version.ts'],
  bin: ['parse', 'ir', 'schema', 'routes', 'emit-ts', 'diff', 'version.ts', 'index.ts'],
};

/** Files only their own folder may import: the raw FFI is wrapped by the rest of runtime/. */
const PRIVATE_FILES = ['src/polycubed/runtime/libbpf-ffi.ts'];

interface Import {
  from: string;
  to: string;
  specifier: string;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
};

/** Every import between files of `root` (relative to the repo), resolved to a file. */
function importsUnder(root: string): Import[] {
  const out: Import[] = [];
  const abs = path.join(REPO, root);
  for (const file of tsFiles(abs)) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const hit = ts.resolveModuleName(ref.fileName, file, OPTIONS, ts.sys).resolvedModule;
      if (!hit || hit.isExternalLibraryImport) continue;
      const target = path.resolve(hit.resolvedFileName);
      if (!target.startsWith(abs + path.sep)) continue;
      out.push({ from: path.relative(REPO, file), to: path.relative(REPO, target), specifier: ref.fileName });
    }
  }
  return out;
}

/** The layer a file belongs to (see SRC_LAYERS), for files under `root`. */
function layerOf(root: string, file: string, twoLevel: readonly string[]): string {
  const parts = path.relative(root, file).split(path.sep);
  if (parts.length === 1) return parts[0];
  if (twoLevel.includes(parts[0]) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0];
}

/** Imports that cross into a layer their own layer may not use, as readable lines. */
function forbiddenEdges(
  root: string,
  layers: Record<string, readonly string[]>,
  twoLevel: readonly string[],
): string[] {
  const bad: string[] = [];
  for (const i of importsUnder(root)) {
    const a = layerOf(root, i.from, twoLevel);
    const b = layerOf(root, i.to, twoLevel);
    if (a === b) continue;
    const allowed = layers[a];
    if (!allowed) bad.push(`${i.from}: folder "${a}" is not in the layer table (add it)`);
    else if (!allowed.includes(b))
      bad.push(`${i.from} imports '${i.specifier}' (${a} → ${b} is not allowed)`);
  }
  return bad;
}

/** Strongly connected groups of more than one file (Tarjan), each as a sorted list. */
function importCycles(imports: readonly Import[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const i of imports) {
    if (!next.has(i.from)) next.set(i.from, new Set());
    next.get(i.from)!.add(i.to);
    if (!next.has(i.to)) next.set(i.to, new Set());
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return groups;
}

describe('architecture', () => {
  // Every import between folders of src/ follows the layer table.
  it('src/: each folder imports only the layers below it', () => {
    expect(forbiddenEdges('src', SRC_LAYERS, ['polycubed', 'lbrp'])).toEqual([]);
  });

  // The code generator's stages import only earlier stages.
  it('codegen/src/: each stage imports only earlier stages', () => {
    expect(forbiddenEdges('codegen/src', CODEGEN_LAYERS, [])).toEqual([]);
  });

  // Private files are imported from their own folder only.
  it('private files stay private to their folder', () => {
    const leaks = importsUnder('src')
      .filter((i) => PRIVATE_FILES.includes(i.to) && path.dirname(i.from) !== path.dirname(i.to))
      .map((i) => `${i.from} imports '${i.specifier}'`);
    expect(leaks).toEqual([]);
  });

  // No two files import each other, directly or around a loop.
  it.each(['src', 'codegen/src'])('%s/: no import cycles', (root) => {
    expect(importCycles(importsUnder(root))).toEqual([]);
  });

  // The checks above see what they should: the import graph is not empty, and a cycle and a
  // forbidden edge built by hand are found.
  it('finds a cycle and a forbidden edge when there is one', () => {
    expect(importsUnder('src').length).toBeGreaterThan(300);
    const loop: Import[] = [
      { from: 'a.ts', to: 'b.ts', specifier: './b' },
      { from: 'b.ts', to: 'c.ts', specifier: './c' },
      { from: 'c.ts', to: 'a.ts', specifier: './a' },
      { from: 'c.ts', to: 'd.ts', specifier: './d' },
    ];
    expect(importCycles(loop)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(layerOf('src', 'src/lbrp/sync/map-plan.ts', ['lbrp'])).toBe('lbrp/sync');
    expect(layerOf('src', 'src/lbrp/service.ts', ['lbrp'])).toBe('lbrp');
  });
});
