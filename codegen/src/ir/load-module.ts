// Entry of the IR stage: loads a YANG module and its imports, and resolves it into an IrModule.
// Emitters and polycubed call this; it reports every problem as a located CodegenError, never throws.

import * as fs from 'fs';
import { type CodegenError, makeError } from '../parse/diagnostics';
import type { Statement } from '../parse/parser';
import { type LoadOptions, ModuleRegistry } from './module-registry';
import { checkAllTypedefs, coreChild } from './resolve-type';
import { type ParsedModule, moduleForPrefix } from './scope';
import { buildSchemaTree } from './schema-tree';
import { POLYCUBE_BASE, convertNodes } from './to-ir';
import type { IrExtension, IrModule, IrServiceInfo } from './types';

export type { LoadOptions } from './module-registry';

/** The outcome of a load: the module when there were no errors, and every error found. */
export interface LoadResult {
  /** Present exactly when `errors` is empty. */
  module?: IrModule;
  /** Sorted by file, line and column; each message starts with `file:line:col:`. */
  errors: CodegenError[];
}

/** Which polycube-base extension fills which IrServiceInfo field. */
const SERVICE_FIELDS: Record<string, keyof IrServiceInfo> = {
  'service-name': 'name',
  'service-version': 'version',
  'service-description': 'description',
  'service-min-kernel-version': 'minKernelVersion',
};

/** Reads and resolves the module in `file`; imports are found through `opts.searchPath`. */
export function loadModule(file: string, opts: LoadOptions): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    return {
      errors: [makeError('unreadable', { file, line: 1, col: 1 }, `cannot read module file: ${reason}`)],
    };
  }
  return loadModuleFromText(text, file, opts);
}

/** Resolves the module in `text`; `file` names it in locations and anchors relative imports. */
export function loadModuleFromText(text: string, file: string, opts: LoadOptions): LoadResult {
  const errors: CodegenError[] = [];
  const registry = new ModuleRegistry(opts, errors);
  const root = registry.loadRoot(text, file);
  if (!root) return { errors: finish(errors) };
  const ctx = { root, errors };
  for (const m of registry.modules) checkAllTypedefs(m, ctx);
  const children = convertNodes(buildSchemaTree(ctx), { path: `/${root.name}`, config: true }, ctx);
  const module: IrModule = {
    kind: 'module',
    name: root.name,
    namespace: coreChild(root.stmt, 'namespace')?.arg ?? '',
    prefix: root.prefix,
    yangVersion: coreChild(root.stmt, 'yang-version')?.arg ?? '1',
    ...optional('description', coreChild(root.stmt, 'description')?.arg),
    ...optional('organization', coreChild(root.stmt, 'organization')?.arg),
    revisions: root.stmt.children
      .filter((c) => c.keyword === 'revision' && c.prefix === undefined)
      .map((c) => c.arg ?? ''),
    imports: importTable(root),
    service: {},
    extensions: moduleExtensions(root),
    children,
    sources: registry.modules.map((m) => m.file),
    loc: root.stmt.loc,
  };
  for (const e of module.extensions) {
    const field = SERVICE_FIELDS[e.keyword];
    if (e.module === POLYCUBE_BASE && field && e.arg !== undefined) module.service[field] = e.arg;
  }
  const all = finish(errors);
  return all.length > 0 ? { errors: all } : { module, errors: [] };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function importTable(root: ParsedModule): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of root.stmt.children) {
    const prefix = c.keyword === 'import' ? coreChild(c, 'prefix')?.arg : undefined;
    if (prefix !== undefined && c.arg !== undefined) out[prefix] = c.arg;
  }
  return out;
}

function moduleExtensions(root: ParsedModule): IrExtension[] {
  return root.stmt.children
    .filter((c): c is Statement & { prefix: string } => c.prefix !== undefined)
    .flatMap((c) => {
      const owner = moduleForPrefix(root, c.prefix, c.loc, []);
      if (!owner) return [];
      return [{ module: owner.name, keyword: c.keyword, ...optional('arg', c.arg) }];
    });
}

/** Drops repeats (a grouping used twice reports its problems once) and sorts by position. */
function finish(errors: CodegenError[]): CodegenError[] {
  const unique = [...new Map(errors.map((e) => [e.message, e])).values()];
  const byFile = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return unique.sort(
    (a, b) => byFile(a.loc.file, b.loc.file) || a.loc.line - b.loc.line || a.loc.col - b.loc.col,
  );
}
