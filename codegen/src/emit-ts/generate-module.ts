// Generates every file of one module for src/generated/<module>/: the config classes (one file
// for the root and one per top-level container or list), runtime.ts, index.ts, and the JSON
// serialisations of schema/ (schema.json) and routes/ (routes.json). Pure: returns the texts.

import type { IrModule } from '../ir/types';
import { buildSchemaSet, type SchemaBuildError } from '../schema/json-schema';
import { buildHelp, HELP_TYPES, type HelpAnswer, type HelpType } from '../routes/help';
import { API_BASE, buildRouteTable, type RouteRow } from '../routes/route-table';
import { emitClass, type FileContext } from './emit-class';
import { emitHeader, headerText } from './emit-header';
import { formatJson } from './format-json';
import { emitRuntime } from './emit-runtime';
import { type ClassNode, NameTable } from './name-table';
import { TextWriter } from './text-writer';
import type { RuntimeHelper } from './ts-types';

/** One generated file: its path relative to the output root (`<module>/<file>`) and its text. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** The outcome of a generation: the files (sorted by path) and any problem found on the way. */
export interface GenerateResult {
  files: GeneratedFile[];
  errors: SchemaBuildError[];
}

/** Returns `$path` of every class node from its REST route: `/lbrp/{name}/ports/{ports_name}`. */
function classPaths(rows: RouteRow[]): Map<ClassNode, string> {
  const out = new Map<ClassNode, string>();
  for (const r of rows) {
    if (r.kind === 'cube' || r.kind === 'container' || r.kind === 'element') {
      out.set(r.node, r.path.slice(API_BASE.length).replace(/:([^/]+)/g, '{$1}'));
    }
  }
  return out;
}

/** Emits one class file: header, imports, then each class (with its enum types) in schema order. */
function emitClassFile(
  names: NameTable,
  paths: Map<ClassNode, string>,
  file: string,
  sources: string[],
): string {
  const ctx: FileContext = { names, paths, use: new Set<RuntimeHelper>(), imports: new Map() };
  const nodes = names.classNodes().filter((n) => names.fileOf(n) === file);
  const body = new TextWriter();
  for (const node of nodes) emitClass(body, ctx, node);
  const w = new TextWriter();
  const first = nodes[0];
  const what = first.kind === 'module' ? `the ${first.name} cube` : paths.get(first);
  emitHeader(w, sources, `Config classes of ${what} and the enum types of their leaves.`);
  w.blank();
  w.line(`import { ${['type JsonObject', ...[...ctx.use].sort()].join(', ')} } from './runtime';`);
  for (const [from, classes] of [...ctx.imports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    w.line(`import { ${[...classes].sort().join(', ')} } from './${from}';`);
  }
  return `${w.toString()}\n${body.toString()}`;
}

function emitIndexFile(files: string[], sources: string[], module: IrModule): string {
  const w = new TextWriter();
  emitHeader(w, sources, `Public entry of the generated ${module.name} classes.`);
  w.blank();
  for (const f of files) w.line(`export * from './${f}';`);
  w.line(`export { JsonShapeError, type JsonObject } from './runtime';`);
  return w.toString();
}

function emitRuntimeFile(sources: string[]): string {
  const w = new TextWriter();
  emitHeader(w, sources, 'JSON reading and writing helpers of the generated classes.');
  w.blank();
  emitRuntime(w);
  return w.toString();
}

/** Serialises a JSON document with a `$comment` header member first. */
function jsonFile(sources: string[], doc: Record<string, unknown>): string {
  return `${formatJson({ $comment: headerText(sources), ...doc })}\n`;
}

/** The serialisable form of one route: no IR objects, just names, paths and static help. */
function describeRoute(row: RouteRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    path: row.path,
    kind: row.kind,
    methods: row.methods,
    schemaPath: row.schemaPath,
    params: row.params.map((p) =>
      p.list ? { param: p.param, key: p.key, list: p.list.path } : { param: p.param, key: p.key },
    ),
  };
  if (row.kind === 'key-prefix') out.keyCount = row.keyCount;
  if (row.body) out.body = row.body.kind;
  const help: Partial<Record<HelpType, HelpAnswer>> = {};
  for (const t of HELP_TYPES) {
    const h = buildHelp(row, t);
    if (h.ok) help[t] = h.answer;
  }
  if (Object.keys(help).length > 0) out.help = help;
  return out;
}

/**
 * Generates the files of `module` under `<module>/`. `sources` are the input YANG files as
 * written in headers (relative paths; default `module.sources`). Output depends only on the IR
 * and `sources`: no time, no absolute path, no hash order. Schema build problems (e.g. an
 * untranslatable pattern) are returned with their location; the files are produced anyway.
 */
export function generateModule(module: IrModule, sources: string[] = module.sources): GenerateResult {
  const names = new NameTable(module);
  const rows = buildRouteTable(module);
  const paths = classPaths(rows);
  const schema = buildSchemaSet(module);
  const classFiles = [...new Set(names.classNodes().map((n) => names.fileOf(n)))];
  const dir = module.name;
  const files: GeneratedFile[] = [
    ...classFiles.map((f) => ({ path: `${dir}/${f}.ts`, content: emitClassFile(names, paths, f, sources) })),
    { path: `${dir}/runtime.ts`, content: emitRuntimeFile(sources) },
    { path: `${dir}/index.ts`, content: emitIndexFile(classFiles, sources, module) },
    {
      path: `${dir}/schema.json`,
      content: jsonFile(sources, { module: module.name, targets: schema.entries }),
    },
    {
      path: `${dir}/routes.json`,
      content: jsonFile(sources, { module: module.name, routes: rows.map(describeRoute) }),
    },
  ];
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, errors: schema.errors };
}
