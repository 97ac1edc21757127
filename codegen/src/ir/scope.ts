// Lexical scopes of a parsed module (typedefs and groupings visible at a statement) and prefixed-name
// lookups across imported modules. Used by the ir/ builders; never produces IR nodes itself.

import { type CodegenError, type CodegenErrorCode, type SourceLoc, makeError } from '../parse/diagnostics';
import type { Statement } from '../parse/parser';

/** A parsed module with its import table and top-level definitions, as the IR builders see it. */
export interface ParsedModule {
  name: string;
  prefix: string;
  /** Display path (relative to the load's root directory). */
  file: string;
  stmt: Statement;
  /** Prefix → module; undefined when the import could not be loaded (already reported). */
  imports: Map<string, ParsedModule | undefined>;
  top: Scope;
  extensions: Map<string, Statement>;
  identities: Map<string, Statement>;
}

/** The typedefs and groupings declared directly in one statement, chained to the enclosing scope. */
export interface Scope {
  module: ParsedModule;
  typedefs: Map<string, Statement>;
  groupings: Map<string, Statement>;
  parent?: Scope;
}

/** A definition found by name, with the scope it was declared in. */
export interface Found {
  stmt: Statement;
  scope: Scope;
}

const scopes = new WeakMap<Statement, Scope>();

/** Returns (creating once) the scope of definitions declared directly inside `stmt`. */
export function scopeOf(
  stmt: Statement,
  parent: Scope | undefined,
  module: ParsedModule,
  errors: CodegenError[],
): Scope {
  const known = scopes.get(stmt);
  if (known) return known;
  const scope: Scope = { module, typedefs: new Map(), groupings: new Map(), parent };
  for (const child of stmt.children) {
    if (child.prefix !== undefined || child.arg === undefined) continue;
    const table =
      child.keyword === 'typedef'
        ? scope.typedefs
        : child.keyword === 'grouping'
          ? scope.groupings
          : undefined;
    if (!table) continue;
    const first = table.get(child.arg);
    if (first) {
      errors.push(
        makeError(
          'duplicate',
          child.loc,
          `duplicate ${child.keyword} "${child.arg}": first defined at line ${first.loc.line}`,
        ),
      );
    } else {
      table.set(child.arg, child);
    }
  }
  scopes.set(stmt, scope);
  return scope;
}

/** Splits `prefix:name` into its parts; the prefix is undefined when absent. */
export function splitRef(ref: string): { prefix?: string; name: string } {
  const colon = ref.indexOf(':');
  return colon < 0 ? { name: ref } : { prefix: ref.slice(0, colon), name: ref.slice(colon + 1) };
}

/**
 * Resolves the prefix of `ref` as written in `module`: the module itself, an import, `null` when the
 * import failed to load (already reported), or undefined after reporting an unknown prefix.
 */
export function moduleForPrefix(
  module: ParsedModule,
  prefix: string | undefined,
  loc: SourceLoc,
  errors: CodegenError[],
): ParsedModule | null | undefined {
  if (prefix === undefined || prefix === module.prefix) return module;
  if (module.imports.has(prefix)) return module.imports.get(prefix) ?? null;
  errors.push(
    makeError(
      'unknown-prefix',
      loc,
      `unknown prefix "${prefix}": module "${module.name}" imports no such prefix`,
    ),
  );
  return undefined;
}

/** Finds a typedef or grouping by (optionally prefixed) name; reports it when missing. */
export function lookupDefinition(
  kind: 'typedef' | 'grouping',
  scope: Scope,
  ref: string,
  loc: SourceLoc,
  errors: CodegenError[],
): Found | undefined {
  const { prefix, name } = splitRef(ref);
  const target = moduleForPrefix(scope.module, prefix, loc, errors);
  if (!target) return undefined;
  let s: Scope | undefined = target === scope.module ? scope : target.top;
  while (s) {
    const stmt = (kind === 'typedef' ? s.typedefs : s.groupings).get(name);
    if (stmt) return { stmt, scope: s };
    s = s.parent;
  }
  const code: CodegenErrorCode = kind === 'typedef' ? 'unknown-typedef' : 'unknown-grouping';
  errors.push(
    makeError(
      code,
      loc,
      `unknown ${kind} "${ref}"${target === scope.module ? '' : ` in module "${target.name}"`}`,
    ),
  );
  return undefined;
}

/** Finds the prefix `from` uses for `target` (its own prefix for itself), if it imports it. */
export function prefixOf(from: ParsedModule, target: ParsedModule): string | undefined {
  if (from === target) return from.prefix;
  for (const [prefix, m] of from.imports) if (m === target) return prefix;
  return undefined;
}
