// Loads a module and, through the search path, every module it imports; records prefixes, top-level
// scopes, extensions and identities. First step of ir/load-module.ts; builds no schema nodes.

import * as fs from 'fs';
import * as path from 'path';
import { type CodegenError, makeError } from '../parse/diagnostics';
import { type Statement, parseYang } from '../parse/parser';
import { type ParsedModule, type Scope, moduleForPrefix, scopeOf } from './scope';

/** Where imported modules are looked for, and what paths in locations are relative to. */
export interface LoadOptions {
  /** Directories searched in order for `<name>.yang` and `<name>@<revision>.yang`; then the importer's own directory. */
  searchPath: string[];
  /** Directory that file names in locations and `IrModule.sources` are relative to; default `process.cwd()`. */
  rootDir?: string;
}

/** Parses modules once each and resolves their imports; all problems are appended to `errors`. */
export class ModuleRegistry {
  /** Every loaded module in load order (the root first, then imports depth-first). */
  readonly modules: ParsedModule[] = [];
  private readonly byName = new Map<string, ParsedModule | 'loading' | undefined>();
  private readonly rootDir: string;

  constructor(
    private readonly opts: LoadOptions,
    readonly errors: CodegenError[],
  ) {
    this.rootDir = path.resolve(opts.rootDir ?? process.cwd());
  }

  /** Loads the root module from text; `file` names it in locations and anchors its directory. */
  loadRoot(text: string, file: string): ParsedModule | undefined {
    return this.loadText(text, path.resolve(file), undefined);
  }

  private display(abs: string): string {
    return path.relative(this.rootDir, abs).split(path.sep).join('/');
  }

  private loadText(text: string, abs: string, expectedName: string | undefined): ParsedModule | undefined {
    const file = this.display(abs);
    const parsed = parseYang(text, file);
    this.errors.push(...parsed.errors);
    const stmt = parsed.statement;
    if (!stmt || stmt.arg === undefined) return undefined;
    if (stmt.keyword === 'submodule') {
      this.errors.push(
        makeError('unsupported', stmt.loc, `submodule "${stmt.arg}" is not supported: use a module`),
      );
      return undefined;
    }
    if (expectedName !== undefined && stmt.arg !== expectedName) {
      this.errors.push(
        makeError('wrong-module', stmt.loc, `file holds module "${stmt.arg}", expected "${expectedName}"`),
      );
      return undefined;
    }
    const module = this.register(stmt, file);
    this.resolveImports(module, path.dirname(abs));
    this.collectDefinitions(module);
    this.checkExtensionStatements(module, stmt);
    this.byName.set(module.name, module);
    return module;
  }

  private register(stmt: Statement, file: string): ParsedModule {
    const prefix = stmt.children.find((c) => c.keyword === 'prefix' && c.prefix === undefined)?.arg ?? '';
    const module: ParsedModule = {
      name: stmt.arg ?? '',
      prefix,
      file,
      stmt,
      imports: new Map(),
      // The top scope points back at its module, so it is filled in right below.
      top: undefined as unknown as Scope,
      extensions: new Map(),
      identities: new Map(),
    };
    module.top = scopeOf(stmt, undefined, module, this.errors);
    this.byName.set(module.name, 'loading');
    this.modules.push(module);
    return module;
  }

  private resolveImports(module: ParsedModule, dir: string): void {
    for (const c of module.stmt.children) {
      if (c.prefix !== undefined) continue;
      if (c.keyword === 'include') {
        this.errors.push(makeError('unsupported', c.loc, `include of submodule "${c.arg}" is not supported`));
      }
      if (c.keyword !== 'import' || c.arg === undefined) continue;
      const prefix = c.children.find((p) => p.keyword === 'prefix')?.arg;
      const revision = c.children.find((p) => p.keyword === 'revision-date')?.arg;
      if (prefix === undefined) continue;
      if (module.imports.has(prefix) || prefix === module.prefix) {
        this.errors.push(makeError('duplicate', c.loc, `duplicate prefix "${prefix}"`));
        continue;
      }
      module.imports.set(prefix, this.importModule(c, c.arg, revision, dir));
    }
  }

  private importModule(
    stmt: Statement,
    name: string,
    revision: string | undefined,
    dir: string,
  ): ParsedModule | undefined {
    const known = this.byName.get(name);
    if (known === 'loading') {
      this.errors.push(makeError('import-cycle', stmt.loc, `circular import of module "${name}"`));
      return undefined;
    }
    if (this.byName.has(name)) return this.checkRevision(stmt, known, revision);
    const file = this.findModuleFile(name, revision, dir);
    if (!file) {
      const where = [...this.opts.searchPath, dir]
        .map((d) => this.display(path.resolve(d)) || '.')
        .join(', ');
      const what = revision ? `"${name}" (revision ${revision})` : `"${name}"`;
      this.errors.push(
        makeError('missing-import', stmt.loc, `cannot find module ${what} in search path ${where}`),
      );
      this.byName.set(name, undefined);
      return undefined;
    }
    const loaded = this.loadText(fs.readFileSync(file, 'utf8'), file, name);
    if (!loaded) this.byName.set(name, undefined);
    return this.checkRevision(stmt, loaded, revision);
  }

  private checkRevision(
    stmt: Statement,
    m: ParsedModule | undefined,
    revision: string | undefined,
  ): ParsedModule | undefined {
    if (!m || revision === undefined) return m;
    const revisions = m.stmt.children.filter((c) => c.keyword === 'revision').map((c) => c.arg);
    if (revisions.includes(revision)) return m;
    this.errors.push(makeError('missing-import', stmt.loc, `module "${m.name}" has no revision ${revision}`));
    return undefined;
  }

  /** `<name>@<revision>.yang` or `<name>.yang` when a revision is asked; else `<name>.yang` or the newest `<name>@*.yang`. */
  private findModuleFile(name: string, revision: string | undefined, dir: string): string | undefined {
    for (const d of [...this.opts.searchPath, dir].map((p) => path.resolve(p))) {
      const candidates = revision ? [`${name}@${revision}.yang`, `${name}.yang`] : [`${name}.yang`];
      for (const c of candidates) if (fs.existsSync(path.join(d, c))) return path.join(d, c);
      if (revision) continue;
      const dated = listDir(d)
        .filter((f) => f.startsWith(`${name}@`) && f.endsWith('.yang'))
        .sort();
      if (dated.length > 0) return path.join(d, dated[dated.length - 1]);
    }
    return undefined;
  }

  private collectDefinitions(module: ParsedModule): void {
    for (const c of module.stmt.children) {
      if (c.prefix !== undefined || c.arg === undefined) continue;
      const table =
        c.keyword === 'extension'
          ? module.extensions
          : c.keyword === 'identity'
            ? module.identities
            : undefined;
      if (!table) continue;
      if (table.has(c.arg))
        this.errors.push(makeError('duplicate', c.loc, `duplicate ${c.keyword} "${c.arg}"`));
      else table.set(c.arg, c);
    }
  }

  /** Every extension statement anywhere in the module must name a known prefix and extension. */
  private checkExtensionStatements(module: ParsedModule, stmt: Statement): void {
    for (const c of stmt.children) {
      if (c.prefix === undefined) {
        this.checkExtensionStatements(module, c);
        continue;
      }
      const owner = moduleForPrefix(module, c.prefix, c.loc, this.errors);
      if (!owner) continue;
      const def = owner.extensions.get(c.keyword);
      if (!def) {
        this.errors.push(
          makeError(
            'unknown-extension',
            c.loc,
            `unknown extension "${c.prefix}:${c.keyword}": module "${owner.name}" defines none`,
          ),
        );
        continue;
      }
      const takesArg = def.children.some((d) => d.keyword === 'argument');
      if (takesArg && c.arg === undefined) {
        this.errors.push(
          makeError('invalid-argument', c.loc, `missing argument of extension "${c.prefix}:${c.keyword}"`),
        );
      } else if (!takesArg && c.arg !== undefined) {
        this.errors.push(
          makeError(
            'invalid-argument',
            c.argLoc ?? c.loc,
            `extension "${c.prefix}:${c.keyword}" takes no argument`,
          ),
        );
      }
    }
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
