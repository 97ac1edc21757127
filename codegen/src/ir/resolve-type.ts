// Resolves a `type` statement to an IrType: built-in types with their restrictions, typedef chains
// (restrictions merged, defaults and units inherited), unions, enums with implicit values.

import { type CodegenError, makeError } from '../parse/diagnostics';
import type { Statement } from '../parse/parser';
import { checkValue } from './check-value';
import { INT_BOUNDS, LENGTH_BOUNDS, type NumberSyntax, decimalBounds, parseRangeExpr } from './ranges';
import {
  type Found,
  type ParsedModule,
  type Scope,
  lookupDefinition,
  moduleForPrefix,
  prefixOf,
  scopeOf,
  splitRef,
} from './scope';
import type { IntBase, IrEnumValue, IrType, NumRange } from './types';

/** What the builders need while resolving: the module being loaded and the error list. */
export interface TypeContext {
  root: ParsedModule;
  errors: CodegenError[];
}

/** A resolved type with what its typedef chain contributes to a leaf. */
export interface ResolvedType {
  type: IrType;
  /** The nearest `default` along the typedef chain. */
  default?: string;
  /** The nearest `units` along the typedef chain. */
  units?: string;
}

const INT_BASES = new Set<string>(Object.keys(INT_BOUNDS));
const BUILTINS = new Set<string>([
  ...INT_BASES,
  'decimal64',
  'string',
  'boolean',
  'empty',
  'enumeration',
  'union',
  'leafref',
  'binary',
  'bits',
  'identityref',
  'instance-identifier',
]);

/** Keeps going after an unresolvable type; the load fails anyway because an error was reported. */
const PLACEHOLDER: IrType = { kind: 'string', patterns: [], length: [] };

const typedefCache = new WeakMap<Statement, ResolvedType | 'resolving'>();

/** Resolves `stmt` (a `type` statement) written in `scope`; problems are reported, never thrown. */
export function resolveType(stmt: Statement, scope: Scope, ctx: TypeContext): ResolvedType {
  const ref = stmt.arg ?? '';
  const { prefix, name } = splitRef(ref);
  if (prefix === undefined && BUILTINS.has(name)) {
    return { type: restrictType(newBuiltin(name), stmt, false, scope, ctx) };
  }
  const found = lookupDefinition('typedef', scope, ref, stmt.loc, ctx.errors);
  if (!found) return { type: PLACEHOLDER };
  const base = resolveTypedef(found, ctx);
  const type = restrictType(structuredClone(base.type), stmt, true, scope, ctx);
  type.typedef = typedefName(found, ctx.root);
  return { ...base, type };
}

/** Resolves every typedef of `module`, used or not, so problems in unused ones are reported too. */
export function checkAllTypedefs(module: ParsedModule, ctx: TypeContext): void {
  const visit = (stmt: Statement, scope: Scope): void => {
    for (const c of stmt.children) {
      if (c.prefix !== undefined) continue;
      if (c.keyword === 'typedef') resolveTypedef({ stmt: c, scope }, ctx);
      if (c.children.length > 0) visit(c, scopeOf(c, scope, module, ctx.errors));
    }
  };
  visit(module.stmt, module.top);
}

function resolveTypedef(found: Found, ctx: TypeContext): ResolvedType {
  const cached = typedefCache.get(found.stmt);
  if (cached === 'resolving') {
    ctx.errors.push(
      makeError('typedef-cycle', found.stmt.loc, `typedef "${found.stmt.arg}" refers to itself`),
    );
    return { type: PLACEHOLDER };
  }
  if (cached) return cached;
  typedefCache.set(found.stmt, 'resolving');
  const typeStmt = found.stmt.children.find((c) => c.keyword === 'type' && c.prefix === undefined);
  const inner = typeStmt ? resolveType(typeStmt, found.scope, ctx) : { type: PLACEHOLDER };
  const defStmt = coreChild(found.stmt, 'default');
  const units = coreChild(found.stmt, 'units')?.arg ?? inner.units;
  const resolved: ResolvedType = { type: inner.type, default: defStmt?.arg ?? inner.default, units };
  // An inherited default must still fit the typedef's narrower restrictions (RFC 7950 §7.3.4).
  const reason = resolved.default === undefined ? undefined : checkValue(inner.type, resolved.default);
  if (reason) {
    const what = defStmt ? 'default' : 'inherited default';
    const detail = `invalid ${what} "${resolved.default}" of typedef "${found.stmt.arg}": ${reason}`;
    ctx.errors.push(makeError('bad-default', (defStmt ?? found.stmt).loc, detail));
  }
  typedefCache.set(found.stmt, resolved);
  return resolved;
}

/** `name` for the loaded module's own typedefs, else `prefix:name` with the prefix it imports them by. */
function typedefName(found: Found, root: ParsedModule): string {
  const name = found.stmt.arg ?? '';
  const m = found.scope.module;
  if (m === root) return name;
  return `${prefixOf(root, m) ?? m.name}:${name}`;
}

function newBuiltin(name: string): IrType {
  if (INT_BASES.has(name)) return { kind: 'int', base: name as IntBase, range: [] };
  switch (name) {
    case 'string':
      return { kind: 'string', patterns: [], length: [] };
    case 'binary':
      return { kind: 'binary', length: [] };
    case 'decimal64':
      return { kind: 'decimal64', fractionDigits: 0, range: [] };
    case 'enumeration':
      return { kind: 'enumeration', enums: [] };
    case 'bits':
      return { kind: 'bits', bits: [] };
    case 'union':
      return { kind: 'union', types: [] };
    case 'leafref':
      return { kind: 'leafref', path: '' };
    case 'identityref':
      return { kind: 'identityref', bases: [] };
    case 'boolean':
    case 'empty':
    case 'instance-identifier':
      return { kind: name };
    default:
      throw new Error(`not a built-in type: ${name}`);
  }
}

/** Applies the substatements of `stmt` to `type`; `derived` is set when `type` came from a typedef. */
function restrictType(
  type: IrType,
  stmt: Statement,
  derived: boolean,
  scope: Scope,
  ctx: TypeContext,
): IrType {
  const err = (s: Statement, detail: string): void =>
    void ctx.errors.push(makeError('bad-restriction', s.loc, detail));
  const subs = stmt.children.filter((c) => c.prefix === undefined);
  const digits = subs.find((c) => c.keyword === 'fraction-digits');
  if (digits) {
    if (type.kind === 'decimal64' && !derived) type.fractionDigits = Number(digits.arg);
    else err(digits, `"fraction-digits" is allowed only on decimal64 itself, not on "${stmt.arg}"`);
  }
  const enums: Statement[] = [];
  const bits: Statement[] = [];
  for (const s of subs) {
    switch (s.keyword) {
      case 'fraction-digits':
        break;
      case 'range':
        if (type.kind === 'int') type.range = narrow(type.range, INT_BOUNDS[type.base], s, 'integer', ctx);
        else if (type.kind === 'decimal64')
          type.range = narrow(type.range, decimalBounds(type.fractionDigits), s, 'decimal', ctx);
        else err(s, `"range" is not allowed on type "${stmt.arg}": expected an integer or decimal64 type`);
        break;
      case 'length':
        if (type.kind === 'string' || type.kind === 'binary')
          type.length = narrow(type.length, LENGTH_BOUNDS, s, 'integer', ctx);
        else err(s, `"length" is not allowed on type "${stmt.arg}": expected a string or binary type`);
        break;
      case 'pattern':
        if (type.kind === 'string')
          type.patterns.push({ regex: s.arg ?? '', invert: coreChild(s, 'modifier') !== undefined });
        else err(s, `"pattern" is not allowed on type "${stmt.arg}": expected a string type`);
        break;
      case 'enum':
        if (type.kind === 'enumeration') enums.push(s);
        else err(s, `"enum" is not allowed on type "${stmt.arg}": expected an enumeration`);
        break;
      case 'bit':
        if (type.kind === 'bits') bits.push(s);
        else err(s, `"bit" is not allowed on type "${stmt.arg}": expected a bits type`);
        break;
      case 'path':
        if (type.kind === 'leafref' && !derived) type.path = s.arg ?? '';
        else err(s, `"path" is allowed only on leafref itself, not on "${stmt.arg}"`);
        break;
      case 'require-instance':
        if (type.kind !== 'leafref' && type.kind !== 'instance-identifier') {
          err(
            s,
            `"require-instance" is not allowed on type "${stmt.arg}": expected leafref or instance-identifier`,
          );
        }
        break;
      case 'base':
        if (type.kind === 'identityref' && !derived) type.bases.push(...resolveIdentity(s, scope, ctx));
        else err(s, `"base" is allowed only on identityref itself, not on "${stmt.arg}"`);
        break;
      case 'type':
        if (type.kind === 'union' && !derived) type.types.push(resolveType(s, scope, ctx).type);
        else err(s, `member types are allowed only on union itself, not on "${stmt.arg}"`);
        break;
    }
  }
  if (type.kind === 'enumeration' && (enums.length > 0 || !derived))
    type.enums = buildEnums(type.enums, enums, derived, ctx);
  if (type.kind === 'bits' && (bits.length > 0 || !derived))
    type.bits = buildBits(type.bits, bits, derived, ctx);
  if (!derived) checkComplete(type, stmt, ctx);
  return type;
}

function narrow(
  current: NumRange[],
  bounds: NumRange,
  s: Statement,
  syntax: NumberSyntax,
  ctx: TypeContext,
): NumRange[] {
  const parsed = parseRangeExpr(s.arg ?? '', current.length > 0 ? current : [bounds], syntax);
  if ('ranges' in parsed) return parsed.ranges;
  ctx.errors.push(
    makeError('bad-restriction', s.argLoc ?? s.loc, `invalid ${s.keyword} "${s.arg}": ${parsed.error}`),
  );
  return current;
}

/** Enum values: explicit `value`, else one above the highest so far (0 for the first); derived types keep base values. */
function buildEnums(
  base: IrEnumValue[],
  stmts: Statement[],
  derived: boolean,
  ctx: TypeContext,
): IrEnumValue[] {
  const out: IrEnumValue[] = [];
  let next = 0;
  for (const s of stmts) {
    const name = s.arg ?? '';
    const valueStmt = coreChild(s, 'value');
    const explicit = valueStmt?.arg !== undefined ? Number(valueStmt.arg) : undefined;
    const description = coreChild(s, 'description')?.arg;
    if (name === '' || name.trim() !== name) {
      ctx.errors.push(
        makeError(
          'bad-type',
          s.loc,
          `invalid enum name "${name}": expected no leading or trailing whitespace`,
        ),
      );
    }
    if (out.some((e) => e.name === name)) {
      ctx.errors.push(makeError('duplicate', s.loc, `duplicate enum "${name}"`));
      continue;
    }
    let value: number;
    if (derived) {
      const inherited = base.find((e) => e.name === name);
      if (!inherited || (explicit !== undefined && explicit !== inherited.value)) {
        ctx.errors.push(
          makeError(
            'bad-restriction',
            s.loc,
            `enum "${name}" is not in the base enumeration with that value`,
          ),
        );
        continue;
      }
      value = inherited.value;
    } else {
      value = explicit ?? next;
      if (value > INT_BOUNDS.int32.max || value < INT_BOUNDS.int32.min) {
        ctx.errors.push(makeError('bad-type', s.loc, `enum "${name}" value ${value} is outside int32`));
      }
      if (out.some((e) => e.value === value)) {
        ctx.errors.push(makeError('duplicate', s.loc, `enum "${name}" reuses value ${value}`));
      }
    }
    next = Math.max(next, value + 1);
    out.push(description === undefined ? { name, value } : { name, value, description });
  }
  return out;
}

function buildBits(
  base: { name: string; position: number }[],
  stmts: Statement[],
  derived: boolean,
  ctx: TypeContext,
): { name: string; position: number }[] {
  const out: { name: string; position: number }[] = [];
  let next = 0;
  for (const s of stmts) {
    const name = s.arg ?? '';
    const posStmt = coreChild(s, 'position');
    const explicit = posStmt?.arg !== undefined ? Number(posStmt.arg) : undefined;
    if (out.some((b) => b.name === name)) {
      ctx.errors.push(makeError('duplicate', s.loc, `duplicate bit "${name}"`));
      continue;
    }
    let position: number;
    if (derived) {
      const inherited = base.find((b) => b.name === name);
      if (!inherited || (explicit !== undefined && explicit !== inherited.position)) {
        ctx.errors.push(
          makeError('bad-restriction', s.loc, `bit "${name}" is not in the base bits type at that position`),
        );
        continue;
      }
      position = inherited.position;
    } else {
      position = explicit ?? next;
      if (position > INT_BOUNDS.uint32.max) {
        ctx.errors.push(
          makeError('bad-type', s.loc, `bit "${name}" position ${position} is outside 0..4294967295`),
        );
      }
      if (out.some((b) => b.position === position)) {
        ctx.errors.push(makeError('duplicate', s.loc, `bit "${name}" reuses position ${position}`));
      }
    }
    next = Math.max(next, position + 1);
    out.push({ name, position });
  }
  return out;
}

/** Identity bases as `module:identity`, checked against the defining module. */
function resolveIdentity(s: Statement, scope: Scope, ctx: TypeContext): string[] {
  const { prefix, name } = splitRef(s.arg ?? '');
  const m = moduleForPrefix(scope.module, prefix, s.loc, ctx.errors);
  if (!m) return [];
  if (!m.identities.has(name)) {
    ctx.errors.push(
      makeError('unknown-identity', s.loc, `unknown identity "${s.arg}" in module "${m.name}"`),
    );
    return [];
  }
  return [`${m.name}:${name}`];
}

/** Built-in types that need a substatement to be usable. */
function checkComplete(type: IrType, stmt: Statement, ctx: TypeContext): void {
  const need: Partial<Record<IrType['kind'], [boolean, string]>> = {
    decimal64: [type.kind === 'decimal64' && type.fractionDigits > 0, 'a "fraction-digits"'],
    enumeration: [type.kind === 'enumeration' && type.enums.length > 0, 'at least one "enum"'],
    bits: [type.kind === 'bits' && type.bits.length > 0, 'at least one "bit"'],
    union: [type.kind === 'union' && type.types.length > 0, 'at least one member "type"'],
    leafref: [type.kind === 'leafref' && type.path !== '', 'a "path"'],
    identityref: [stmt.children.some((c) => c.keyword === 'base' && c.prefix === undefined), 'a "base"'],
  };
  const rule = need[type.kind];
  if (rule && !rule[0])
    ctx.errors.push(makeError('bad-type', stmt.loc, `type "${stmt.arg}" needs ${rule[1]}`));
}

/** The first core (unprefixed) substatement with this keyword. */
export function coreChild(stmt: Statement, keyword: string): Statement | undefined {
  return stmt.children.find((c) => c.keyword === keyword && c.prefix === undefined);
}
