// Request-body validation for polycubed's REST layer: compiles the JSON Schemas of
// schema/json-schema.ts with ajv (defaults on create) and translates ajv errors into the
// RESTCONF error tags and member names polycubed answers with (REST spec §5.1–§5.2).

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { buildJsonSchema, ENUM_KEYWORD } from './json-schema';
import { bodyMembers, cubeKeyLeaf, type BodyOp, type IrDataNode, type SchemaTarget } from './schema-nodes';

/** RESTCONF error tags a body or path key can fail with. */
export type BodyErrorTag = 'invalid-value' | 'missing-attribute' | 'bad-attribute' | 'bad-element';

/** One body error: the tag and the `error-info` (member or key name; absent for a wrong body kind). */
export interface BodyError {
  tag: BodyErrorTag;
  info?: string;
}

/** Outcome of a validation: the value to use (a copy, defaults filled on create) or the errors. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; errors: BodyError[] };

// Sort key offset for members that are not in the schema: they come after every schema child.
const UNKNOWN_MEMBER_BASE = 1_000_000;

let sharedAjv: Ajv | undefined;

/** The one ajv instance: all errors, defaults on (only create schemas carry defaults), `u` regexes. */
function ajvInstance(): Ajv {
  if (!sharedAjv) {
    sharedAjv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictTypes: false });
    sharedAjv.addKeyword({
      keyword: ENUM_KEYWORD,
      type: 'string',
      schemaType: 'array',
      metaSchema: { type: 'array', items: { type: 'string' } },
      compile: (names: string[]) => {
        const lower = new Set(names.map((n) => n.toLowerCase()));
        return (data: string) => lower.has(data.toLowerCase());
      },
    });
  }
  return sharedAjv;
}

const compiled = new WeakMap<object, Map<string, ValidateFunction>>();

/** Returns the compiled validator of (target, op), compiling it on first use. */
function validatorFor(target: SchemaTarget, op: BodyOp): ValidateFunction {
  let perNode = compiled.get(target.node);
  if (!perNode) compiled.set(target.node, (perNode = new Map()));
  const key = `${target.kind}:${op}`;
  let fn = perNode.get(key);
  if (!fn) {
    const ajv = ajvInstance();
    const schema = buildJsonSchema(target, op).schema;
    fn = ajv.compile(schema);
    // The validator is cached here, per IR node; ajv keeping its own copy would only grow.
    ajv.removeSchema(schema);
    perNode.set(key, fn);
  }
  return fn;
}

/** What sits at a position of the body: an object with schema members, an array, or a value. */
type Shape =
  | { kind: 'object'; members: IrDataNode[]; name?: string }
  | { kind: 'array'; item: Shape; name?: string }
  | { kind: 'value'; name: string };

function memberShape(node: IrDataNode): Shape {
  switch (node.kind) {
    case 'leaf':
      return { kind: 'value', name: node.name };
    case 'leaf-list':
      return { kind: 'array', item: { kind: 'value', name: node.name }, name: node.name };
    case 'container':
      return { kind: 'object', members: bodyMembers(node), name: node.name };
    case 'list':
      return {
        kind: 'array',
        item: { kind: 'object', members: bodyMembers(node), name: node.name },
        name: node.name,
      };
  }
}

function targetShape(target: SchemaTarget): Shape {
  switch (target.kind) {
    case 'cube':
      return { kind: 'object', members: [cubeKeyLeaf(target.node), ...bodyMembers(target.node)] };
    case 'container':
    case 'element':
    case 'action':
      return { kind: 'object', members: bodyMembers(target.node) };
    case 'list':
      return memberShape(target.node);
    case 'leaf':
      return memberShape(target.node);
  }
}

/** A position reached by following an ajv instancePath through the shapes. */
interface Position {
  shape: Shape;
  /** Schema-order sort key: member indexes and array indexes from the root. */
  key: number[];
  /** Name of the innermost schema member on the way (the leaf, container or list). */
  name?: string;
  /** Body value at the position. */
  data: unknown;
}

function follow(root: Shape, body: unknown, instancePath: string): Position {
  const pos: Position = { shape: root, key: [], name: root.name, data: body };
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/');
  for (const raw of segments) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    pos.data = (pos.data as Record<string, unknown> | undefined)?.[seg];
    const shape = pos.shape;
    if (shape.kind === 'object') {
      const idx = shape.members.findIndex((m) => m.name === seg);
      if (idx < 0) break;
      pos.key.push(idx);
      pos.shape = memberShape(shape.members[idx]);
      pos.name = seg;
    } else if (shape.kind === 'array') {
      pos.key.push(Number(seg));
      pos.shape = shape.item;
    }
  }
  return pos;
}

interface KeyedError extends BodyError {
  key: number[];
}

/** Translates one ajv error into a tag, member name and schema-order sort key. */
function translate(err: ErrorObject, root: Shape, body: unknown): KeyedError {
  const pos = follow(root, body, err.instancePath);
  const members = pos.shape.kind === 'object' ? pos.shape.members : [];
  if (err.keyword === 'required') {
    const name = (err.params as { missingProperty: string }).missingProperty;
    return {
      tag: 'missing-attribute',
      info: name,
      key: [...pos.key, members.findIndex((m) => m.name === name)],
    };
  }
  if (err.keyword === 'additionalProperties') {
    const name = (err.params as { additionalProperty: string }).additionalProperty;
    const order = Object.keys(pos.data as object).indexOf(name);
    return { tag: 'invalid-value', info: name, key: [...pos.key, UNKNOWN_MEMBER_BASE + order] };
  }
  if (err.keyword === 'false schema') return { tag: 'invalid-value', info: pos.name, key: pos.key };
  const structural =
    pos.shape.kind === 'object' || (pos.shape.kind === 'array' && pos.shape.item.kind === 'object');
  if (
    err.instancePath === '' &&
    root.kind !== 'value' &&
    !(root.kind === 'array' && root.item.kind === 'value')
  ) {
    return { tag: 'invalid-value', key: [] };
  }
  return { tag: structural ? 'invalid-value' : 'bad-attribute', info: pos.name, key: pos.key };
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Turns ajv's errors into polycubed's: deduplicated, children in schema order, unknown last. */
function translateAll(errors: ErrorObject[], target: SchemaTarget, body: unknown): BodyError[] {
  const root = targetShape(target);
  const seen = new Set<string>();
  const out: KeyedError[] = [];
  for (const err of errors) {
    const e = translate(err, root, body);
    const id = `${e.tag}|${e.info ?? ''}|${e.key.join('.')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(e);
  }
  out.sort((a, b) => compareKeys(a.key, b.key));
  return out.map(({ tag, info }) => (info === undefined ? { tag } : { tag, info }));
}

/**
 * Deep-copies a JSON value (arrays and objects; other values are shared). Members are defined,
 * not assigned, so a `__proto__` member stays an ordinary member (and is refused as unknown).
 */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: cloneJson(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * Validates a request body for `op` on `target` as polycubed does (REST spec §5.2) and returns
 * either the value to pass on (a deep copy of `body`; on create with YANG defaults filled in
 * nested objects present in the body) or every error found, children in schema order first and
 * unknown members last: unknown, config-false and (on update) init-only members → invalid-value;
 * absent mandatory members and list keys on create → missing-attribute; wrong JSON type,
 * pattern, enum (case-insensitive), range or length → bad-attribute, named by the leaf; a body of
 * the wrong JSON kind → invalid-value without info; a `null` leaf body → missing-attribute.
 * Never mutates `body`; never throws for any JSON input.
 */
export function validateBody(target: SchemaTarget, op: BodyOp, body: unknown): BodyResult {
  if (target.kind === 'leaf' && body === null) {
    return { ok: false, errors: [{ tag: 'missing-attribute', info: target.node.name }] };
  }
  const value = cloneJson(body);
  const validate = validatorFor(target, op);
  if (validate(value)) return { ok: true, value };
  return { ok: false, errors: translateAll(validate.errors ?? [], target, value) };
}
