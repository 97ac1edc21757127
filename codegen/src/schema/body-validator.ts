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

/**
 * Outcome of a validation: the value to use (a copy, defaults filled on create) or the errors
 * (at most `maxErrors` of them, in answer order) and how many more there were.
 */
export type BodyResult = { ok: true; value: unknown } | { ok: false; errors: BodyError[]; omitted: number };

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
  | { kind: 'array'; item: Shape; name?: string; list?: IrDataNode }
  | { kind: 'value'; name: string };

const shapes = new WeakMap<IrDataNode, Shape>();

/** The shape of a member (cached per IR node: list elements share one). */
function memberShape(node: IrDataNode): Shape {
  let shape = shapes.get(node);
  if (!shape) shapes.set(node, (shape = buildMemberShape(node)));
  return shape;
}

function buildMemberShape(node: IrDataNode): Shape {
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
        list: node,
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

const orders = new WeakMap<object, Map<string, number>>();

/** Position of each member of `obj` in document order, computed once per object (not per error). */
function memberOrder(obj: object): Map<string, number> {
  let order = orders.get(obj);
  if (!order) {
    order = new Map();
    let i = 0;
    for (const k of Object.keys(obj)) order.set(k, i++);
    orders.set(obj, order);
  }
  return order;
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
    const order = memberOrder(pos.data as object).get(name) ?? 0;
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

/** Turns ajv's errors into polycubed's, deduplicated (unsorted; see firstErrors). */
function translateAll(errors: ErrorObject[], root: Shape, body: unknown, out: KeyedError[]): void {
  const seen = new Set<string>();
  for (const err of errors) {
    const e = translate(err, root, body);
    const id = `${e.tag}|${e.info ?? ''}|${e.key.join('.')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(e);
  }
}

/**
 * The first `max` errors in answer order (children in schema order, unknown members last) and
 * how many were left out. With a small `max` this is a linear selection, not a sort of them all.
 */
function firstErrors(all: KeyedError[], max: number): { errors: BodyError[]; omitted: number } {
  let picked: KeyedError[];
  if (all.length <= max || max >= 1000) {
    picked = [...all].sort((a, b) => compareKeys(a.key, b.key)).slice(0, max);
  } else {
    picked = [];
    for (const e of all) {
      if (picked.length === max && compareKeys(e.key, picked[max - 1].key) >= 0) continue;
      let at = picked.length;
      while (at > 0 && compareKeys(e.key, picked[at - 1].key) < 0) at--;
      picked.splice(at, 0, e);
      if (picked.length > max) picked.pop();
    }
  }
  return {
    errors: picked.map(({ tag, info }) => (info === undefined ? { tag } : { tag, info })),
    omitted: all.length - picked.length,
  };
}

/** Defines a member (so `__proto__` stays an ordinary member). */
function define(obj: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep-copies a JSON value (arrays and objects; other values are shared). */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) define(out, k, cloneJson(v));
    return out;
  }
  return value;
}

const memberIndexes = new WeakMap<object, Map<string, number>>();

function indexOfMember(shape: Shape & { kind: 'object' }, name: string): number | undefined {
  let idx = memberIndexes.get(shape.members);
  if (!idx) {
    idx = new Map(shape.members.map((m, i) => [m.name, i]));
    memberIndexes.set(shape.members, idx);
  }
  return idx.get(name);
}

/** Members looked at between two pauses of validateBodyAsync (a few milliseconds of work). */
export const VALIDATE_SLICE = 4096;

/** Lists longer than this are validated element by element, with pauses in between. */
const BIG_LIST = 256;

/** A long list of the pruned copy: its array, its shape and its sort-key position. */
interface BigList {
  arr: unknown[];
  shape: Shape & { kind: 'array' };
  key: number[];
}

/** What the pruning walk collects: unknown-member errors (at most `max` per object) and counts. */
interface Pruning {
  /** Long lists, innermost first (each recorded after its elements were copied). */
  big: BigList[];
  unknown: KeyedError[];
  /** Unknown members past the first `max` of their object: never among the first `max` errors. */
  omitted: number;
  max: number;
  /** Members visited since the last pause. */
  work: number;
}

/**
 * Deep-copies `value` following `shape`, leaving out members no schema node has: each one is
 * reported (invalid-value, sorted after the object's schema children, in document order) instead
 * of being handed to ajv. Constant work per member; yields every VALIDATE_SLICE members so a
 * caller can pause. A body of 100,000 unknown members costs one pass, and ajv sees only what the
 * schema knows.
 */
function* cloneKnown(value: unknown, shape: Shape, key: number[], p: Pruning): Generator<void, unknown> {
  if (++p.work >= VALIDATE_SLICE) {
    p.work = 0;
    yield;
  }
  if (Array.isArray(value)) {
    if (shape.kind !== 'array') return cloneJson(value);
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(yield* cloneKnown(value[i], shape.item, [...key, i], p));
    if (out.length > BIG_LIST && shape.list) p.big.push({ arr: out, shape, key });
    return out;
  }
  if (value === null || typeof value !== 'object' || shape.kind !== 'object') return cloneJson(value);
  const out: Record<string, unknown> = {};
  let order = 0;
  let unknownHere = 0;
  for (const k of Object.keys(value)) {
    const idx = indexOfMember(shape, k);
    if (idx === undefined) {
      if (unknownHere++ < p.max)
        p.unknown.push({ tag: 'invalid-value', info: k, key: [...key, UNKNOWN_MEMBER_BASE + order] });
      else p.omitted++;
      if (++p.work >= VALIDATE_SLICE) {
        p.work = 0;
        yield;
      }
    } else {
      const v = (value as Record<string, unknown>)[k];
      define(out, k, yield* cloneKnown(v, memberShape(shape.members[idx]), [...key, idx], p));
    }
    order++;
  }
  return out;
}

/** The validation as steps: yields where a caller may pause, returns the result. */
function* validateSteps(
  target: SchemaTarget,
  op: BodyOp,
  body: unknown,
  maxErrors: number,
): Generator<void, BodyResult> {
  if (target.kind === 'leaf' && body === null) {
    return { ok: false, errors: [{ tag: 'missing-attribute', info: target.node.name }], omitted: 0 };
  }
  const root = targetShape(target);
  const p: Pruning = { big: [], unknown: [], omitted: 0, max: maxErrors, work: 0 };
  const value = yield* cloneKnown(body, root, [], p);
  const found = p.unknown;
  // Long lists: each element through the list's element validator (same schema as the items of
  // the whole), pausing between slices; then emptied so the whole-body pass skips them.
  const detached: [unknown[], unknown[]][] = [];
  for (const b of p.big) {
    const list = b.shape.list as IrDataNode;
    if (!list.config || (op === 'update' && list.initOnly)) continue;
    const validateElement = validatorFor(
      { kind: 'element', node: list as SchemaTarget['node'] } as SchemaTarget,
      op,
    );
    for (let i = 0; i < b.arr.length; i++) {
      if (!validateElement(b.arr[i])) {
        const errs = (validateElement.errors ?? []).map((e) => ({
          ...e,
          instancePath: `/${i}${e.instancePath}`,
        }));
        const local: KeyedError[] = [];
        translateAll(errs, b.shape, b.arr, local);
        for (const e of local) found.push({ ...e, key: [...b.key, ...e.key] });
      }
      if (++p.work >= VALIDATE_SLICE / 8) {
        p.work = 0;
        yield;
      }
    }
    detached.push([b.arr, b.arr.splice(0)]);
  }
  const validate = validatorFor(target, op);
  const valid = validate(value);
  for (const [arr, items] of detached.reverse()) for (const item of items) arr.push(item);
  if (valid && found.length === 0) return { ok: true, value };
  translateAll(validate.errors ?? [], root, value, found);
  const first = firstErrors(found, maxErrors);
  return { ok: false, errors: first.errors, omitted: first.omitted + p.omitted };
}

/**
 * Validates a request body for `op` on `target` as polycubed does (REST spec §5.2) and returns
 * either the value to pass on (a deep copy of `body`; on create with YANG defaults filled in
 * nested objects present in the body) or every error found, children in schema order first and
 * unknown members last: unknown, config-false and (on update) init-only members → invalid-value;
 * absent mandatory members and list keys on create → missing-attribute; wrong JSON type,
 * pattern, enum (case-insensitive), range or length → bad-attribute, named by the leaf; a body of
 * the wrong JSON kind → invalid-value without info; a `null` leaf body → missing-attribute.
 * With `maxErrors`, only the first that many are returned (`omitted` counts the rest). Never
 * mutates `body`; never throws for any JSON input. Cost is linear in the size of `body`.
 */
export function validateBody(
  target: SchemaTarget,
  op: BodyOp,
  body: unknown,
  maxErrors = Number.POSITIVE_INFINITY,
): BodyResult {
  const steps = validateSteps(target, op, body, maxErrors);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * validateBody, awaiting `pause()` every VALIDATE_SLICE members of a large body so the caller's
 * event loop keeps serving other requests. Same result as validateBody.
 */
export async function validateBodyAsync(
  target: SchemaTarget,
  op: BodyOp,
  body: unknown,
  maxErrors: number,
  pause: () => Promise<void>,
): Promise<BodyResult> {
  const steps = validateSteps(target, op, body, maxErrors);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}
