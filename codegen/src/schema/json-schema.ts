// JSON Schemas (draft-07, for ajv) of every REST body target of a module: the cube, containers,
// list elements, whole lists and leaf values, each for create (POST/PUT) and update (PATCH).
// Built from the IR only; compiled by schema/body-validator.ts, serialised by the emitter.

import type { IrAction, IrLeaf, IrLeafList, IrModule, IrParent, IrType, SourceLoc } from '../ir/types';
import {
  bodyMembers,
  cubeKeyLeaf,
  isMandatoryMember,
  type BodyOp,
  type IrDataNode,
  type SchemaTarget,
} from './schema-nodes';
import { translateXsdRegex } from './xsd-regex';
import { INT_BOUNDS } from '../ir/ranges';
import { parseLexical } from './yang-values';

/** A JSON Schema: an object of keywords, or `false` for a member that must be absent. */
export type JsonSchema = false | { [keyword: string]: unknown };

/** The custom ajv keyword for YANG enumerations: the value must equal a name, ignoring case. */
export const ENUM_KEYWORD = 'caseInsensitiveEnum';

/** A problem found while building schemas (e.g. an untranslatable pattern), with its location. */
export interface SchemaBuildError {
  loc: SourceLoc;
  message: string;
}

/** The create and update schemas of one target, named by its schema path. */
export interface SchemaSetEntry {
  /** Schema path of the node (`/lbrp/service/backend`); the cube is `/<module>`. */
  path: string;
  kind: SchemaTarget['kind'];
  create: JsonSchema;
  update: JsonSchema;
}

// Patterns of the string form of 64-bit integers and decimal64 (RFC 7951 §6.1).
const INT_STRING = '^-?[0-9]+$';
const UINT_STRING = '^[0-9]+$';
const DECIMAL_STRING = '^-?[0-9]+(\\.[0-9]+)?$';

// Bounds past the safe integer range (64-bit types, lengths up to 2^64-1) are left out of the
// schema: JSON numbers cannot state them exactly, and the string form is checked by pattern.
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Collects build errors while walking; the first error per location and message is kept. */
class BuildContext {
  readonly errors: SchemaBuildError[] = [];

  report(loc: SourceLoc, message: string): void {
    const dup = this.errors.some(
      (e) =>
        e.message === message && e.loc.file === loc.file && e.loc.line === loc.line && e.loc.col === loc.col,
    );
    if (!dup) this.errors.push({ loc, message });
  }
}

function rangeSchemas(
  ranges: { min: number; max: number }[],
  lo: string,
  hi: string,
): { [k: string]: number }[] {
  return ranges.map((r) => {
    const s: { [k: string]: number } = {};
    if (Math.abs(r.min) < UNBOUNDED) s[lo] = r.min;
    if (Math.abs(r.max) < UNBOUNDED) s[hi] = r.max;
    return s;
  });
}

/** Adds `ranges` to `schema` directly when there is one interval, else as `anyOf`. */
function withRanges(
  schema: { [k: string]: unknown },
  ranges: { min: number; max: number }[],
  lo: string,
  hi: string,
): { [k: string]: unknown } {
  const parts = rangeSchemas(ranges, lo, hi);
  if (parts.length === 1) return { ...schema, ...parts[0] };
  if (parts.length > 1) return { ...schema, anyOf: parts };
  return schema;
}

function stringSchema(
  type: Extract<IrType, { kind: 'string' }>,
  loc: SourceLoc,
  ctx: BuildContext,
): JsonSchema {
  let schema: { [k: string]: unknown } = withRanges(
    { type: 'string' },
    type.length,
    'minLength',
    'maxLength',
  );
  const checks: JsonSchema[] = [];
  for (const p of type.patterns) {
    const t = translateXsdRegex(p.regex);
    if (!t.ok) {
      ctx.report(loc, t.message);
      continue;
    }
    checks.push(p.invert ? { not: { pattern: t.source } } : { pattern: t.source });
  }
  if (checks.length === 1 && !('not' in (checks[0] as object)))
    schema = { ...schema, ...(checks[0] as object) };
  else if (checks.length > 0) schema = { ...schema, allOf: checks };
  return schema;
}

function intSchema(type: Extract<IrType, { kind: 'int' }>): JsonSchema {
  const ranges = type.range.length > 0 ? type.range : [INT_BOUNDS[type.base]];
  if (type.base !== 'int64' && type.base !== 'uint64') {
    return withRanges({ type: 'integer' }, ranges, 'minimum', 'maximum');
  }
  // 64-bit integers: a JSON integer within range, or a string of digits (range unchecked there).
  const numeric = withRanges({ type: 'integer' }, ranges, 'minimum', 'maximum');
  return { anyOf: [numeric, { type: 'string', pattern: type.base === 'uint64' ? UINT_STRING : INT_STRING }] };
}

/** Returns the value schema of a leaf type (no default, no config handling). */
function typeSchema(type: IrType, loc: SourceLoc, ctx: BuildContext): JsonSchema {
  switch (type.kind) {
    case 'string':
      return stringSchema(type, loc, ctx);
    case 'int':
      return intSchema(type);
    case 'decimal64':
      return {
        anyOf: [
          withRanges({ type: 'number' }, type.range, 'minimum', 'maximum'),
          { type: 'string', pattern: DECIMAL_STRING },
        ],
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'empty':
      // RFC 7951 §6.9: the value of an `empty` leaf is `[null]`.
      return { const: [null] };
    case 'enumeration':
      return { type: 'string', [ENUM_KEYWORD]: type.enums.map((e) => e.name) };
    case 'union':
      return { anyOf: type.types.map((t) => typeSchema(t, loc, ctx)) };
    default:
      // leafref, bits, binary, identityref, instance-identifier: JSON strings (polycubed).
      return { type: 'string' };
  }
}

function leafSchema(leaf: IrLeaf, op: BodyOp, ctx: BuildContext): JsonSchema {
  const schema = typeSchema(leaf.type, leaf.loc, ctx);
  if (op === 'create' && leaf.default !== undefined && !leaf.isKey && schema !== false) {
    const value = parseLexical(leaf.type, leaf.default);
    if (value === undefined)
      ctx.report(leaf.loc, `default "${leaf.default}" of ${leaf.path} does not fit its type`);
    else return { ...schema, default: value };
  }
  return schema;
}

function leafListSchema(node: IrLeafList, op: BodyOp, ctx: BuildContext): JsonSchema {
  const schema: { [k: string]: unknown } = { type: 'array', items: typeSchema(node.type, node.loc, ctx) };
  if (op === 'create' && node.defaults.length > 0) {
    schema.default = node.defaults.map((d) => parseLexical(node.type, d) ?? d);
  }
  return schema;
}

/** Schema of a member inside a body: `false` when the member may not be written by `op`. */
function memberSchema(node: IrDataNode, op: BodyOp, ctx: BuildContext): JsonSchema {
  if (!node.config || (op === 'update' && node.initOnly)) return false;
  switch (node.kind) {
    case 'leaf':
      return leafSchema(node, op, ctx);
    case 'leaf-list':
      return leafListSchema(node, op, ctx);
    case 'container':
      return objectSchema(node, op, ctx);
    case 'list':
      return { type: 'array', items: objectSchema(node, op, ctx) };
  }
}

/** Schema of an object whose members are the body members of `parent` (plus `extra` first). */
function objectSchema(
  parent: IrParent | IrAction,
  op: BodyOp,
  ctx: BuildContext,
  extra: IrLeaf[] = [],
): JsonSchema {
  const properties: { [name: string]: JsonSchema } = {};
  const required: string[] = [];
  for (const leaf of extra) {
    properties[leaf.name] = leafSchema(leaf, op, ctx);
    if (op === 'create' && leaf.mandatory) required.push(leaf.name);
  }
  for (const child of bodyMembers(parent)) {
    properties[child.name] = memberSchema(child, op, ctx);
    if (op === 'create' && isMandatoryMember(child, parent)) required.push(child.name);
  }
  const schema: { [k: string]: unknown } = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  schema.additionalProperties = false;
  return schema;
}

/**
 * Returns the JSON Schema of `target` for `op` and the problems met building it. Create schemas
 * carry YANG defaults (`default`, filled by ajv `useDefaults`) and `required` mandatory members
 * and list keys; update schemas have neither and mark init-only members `false`. Config-false
 * members are `false` in both; unknown members are refused by `additionalProperties: false`.
 * Enumerations use the custom keyword ENUM_KEYWORD. The cube schema has the pseudo-key `name`.
 */
export function buildJsonSchema(
  target: SchemaTarget,
  op: BodyOp,
): { schema: JsonSchema; errors: SchemaBuildError[] } {
  const ctx = new BuildContext();
  let schema: JsonSchema;
  switch (target.kind) {
    case 'cube':
      schema = objectSchema(target.node, op, ctx, [cubeKeyLeaf(target.node)]);
      break;
    case 'container':
    case 'element':
    case 'action':
      schema = objectSchema(target.node, op, ctx);
      break;
    case 'list':
      schema = { type: 'array', items: objectSchema(target.node, op, ctx) };
      break;
    case 'leaf':
      schema =
        target.node.kind === 'leaf'
          ? typeSchema(target.node.type, target.node.loc, ctx)
          : { type: 'array', items: typeSchema(target.node.type, target.node.loc, ctx) };
      break;
  }
  return { schema, errors: ctx.errors };
}

/**
 * Lists every body target of `module` in schema order (cube first, then depth-first: containers,
 * each list as a whole list and as an element, leaves and leaf-lists, actions), with the
 * create and update schema of each. List keys are included as leaves only through their list.
 */
export function listSchemaTargets(module: IrModule): SchemaTarget[] {
  const out: SchemaTarget[] = [{ kind: 'cube', node: module }];
  const walk = (parent: IrParent): void => {
    for (const child of parent.children) {
      switch (child.kind) {
        case 'container':
          out.push({ kind: 'container', node: child });
          walk(child);
          break;
        case 'list':
          out.push({ kind: 'list', node: child }, { kind: 'element', node: child });
          walk(child);
          break;
        case 'action':
          out.push({ kind: 'action', node: child });
          break;
        default:
          if (!(child.kind === 'leaf' && child.isKey)) out.push({ kind: 'leaf', node: child });
      }
    }
  };
  walk(module);
  return out;
}

/** Returns the schema path naming `target` in schema sets: the node path, `/<module>` for the cube. */
export function targetPath(target: SchemaTarget): string {
  return target.kind === 'cube' ? `/${target.node.name}` : target.node.path;
}

/** Builds the create and update schemas of every target of `module` (see listSchemaTargets). */
export function buildSchemaSet(module: IrModule): { entries: SchemaSetEntry[]; errors: SchemaBuildError[] } {
  const entries: SchemaSetEntry[] = [];
  const ctx = new BuildContext();
  for (const target of listSchemaTargets(module)) {
    const create = buildJsonSchema(target, 'create');
    const update = buildJsonSchema(target, 'update');
    for (const e of [...create.errors, ...update.errors]) ctx.report(e.loc, e.message);
    entries.push({
      path: targetPath(target),
      kind: target.kind,
      create: create.schema,
      update: update.schema,
    });
  }
  return { entries, errors: ctx.errors };
}
