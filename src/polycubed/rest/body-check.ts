// Steps 2–4 of the body pipeline (REST spec §6.3) for one write on a generated route: the body
// text parsed, the element's own keys and the cube name copied in, validated against the route's
// JSON Schema (defaults filled on create), enums re-spelled. Everything it takes and returns is
// plain data, so the same function runs in this thread (small bodies, pausing between slices) and
// in the body worker (large ones, body-worker.ts), with the same verdict.

import {
  convertPathKey,
  validateBody,
  validateBodyAsync,
  type BodyError,
  type BodyOp,
  type KeyValue,
  type RouteRow,
} from 'yang-ts-codegen';
import { REQUEST_TAGS, cubeError, type CubeError } from '../../common/errors';
import { parseJsonBody, parseJsonBodyAsync } from './body-json';
import { respellEnums } from './enum-spelling';
import { readObjectMembers, splitCubeBatch, type CubeBatch, type ObjectBody } from './framework-bodies';
import { MAX_ERROR_ITEMS } from './reply';

/** What the check needs besides the route row (structured-cloneable). */
export interface BodyCheckRequest {
  bodyOp: BodyOp;
  /** Body text ("" when none). */
  text: string;
  maxJsonDepth: number;
  /** The target element's own list keys from the path, written into an object body. */
  own: Record<string, KeyValue>;
  /** The cube name from the path, written into an object body of a cube route. */
  cube: string;
}

/** The value to execute, or the errors to answer with (`omitted` counts those left out). */
export type BodyCheckResult =
  { ok: true; value: unknown } | { ok: false; errors: CubeError[]; omitted?: number };

/** Runs the check of one body on one route; a body worker or the in-thread path. */
export type BodyChecker = (row: RouteRow, req: BodyCheckRequest) => Promise<BodyCheckResult>;

/** Who reads request bodies: in this thread (below), or the body worker for large ones. */
export interface BodyReaders {
  /** A write on a generated route (checkBody). */
  check: BodyChecker;
  /** A framework object body, only `members` kept (readObjectMembers). */
  object(text: string, maxDepth: number, members: readonly string[]): Promise<ObjectBody>;
  /** The cube array of `POST /cubes` (splitCubeBatch). */
  batch(text: string, maxDepth: number): Promise<CubeBatch>;
}

/** Lets the event loop run other callbacks (I/O included) before the caller goes on. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Defines a member (so `__proto__` stays data) at the end, or in place when it exists. */
function setMember(obj: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Turns codegen's body errors into catalogue errors located at `path`. */
export function bodyErrors(errors: readonly BodyError[], path: string): CubeError[] {
  return errors.map((e) =>
    cubeError(REQUEST_TAGS[e.tag].code, { path, ...(e.info !== undefined ? { info: e.info } : {}) }),
  );
}

/** The body to validate when the request carried none (§6.3 step 2; leaf reset, §6.2). */
function absentBody(row: RouteRow): BodyCheckResult {
  if (row.kind === 'leaf') {
    const leaf = row.node;
    if (leaf.kind === 'leaf' && leaf.default !== undefined) {
      const parsed = convertPathKey(leaf, leaf.default);
      if (parsed !== undefined) return { ok: true, value: parsed };
    }
    return {
      ok: false,
      errors: [cubeError('CUBE_ERR_MISSING_ATTRIBUTE', { info: leaf.name, path: leaf.path })],
    };
  }
  return { ok: true, value: {} };
}

/**
 * Checks one body for `row`. With `pause`, hands the event loop back between slices of the
 * text and of the members (the in-thread path); without, runs straight through (a worker).
 * Throws only on a bug (a route without a body schema).
 */
export async function checkBody(
  row: RouteRow,
  req: BodyCheckRequest,
  pause?: () => Promise<void>,
): Promise<BodyCheckResult> {
  if (!row.body) throw new Error(`no body schema for ${row.path}`);
  const parsed = pause
    ? await parseJsonBodyAsync(req.text, req.maxJsonDepth)
    : parseJsonBody(req.text, req.maxJsonDepth);
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  let body = parsed.value;
  if (body === undefined) {
    const absent = absentBody(row);
    if (!absent.ok) return absent;
    body = absent.value;
  }
  if (isObject(body)) {
    if (row.kind === 'element') for (const [k, v] of Object.entries(req.own)) setMember(body, k, v);
    if (row.kind === 'cube') setMember(body, 'name', req.cube);
  }
  const checked = pause
    ? await validateBodyAsync(row.body, req.bodyOp, body, MAX_ERROR_ITEMS, pause)
    : validateBody(row.body, req.bodyOp, body, MAX_ERROR_ITEMS);
  if (!checked.ok)
    return { ok: false, errors: bodyErrors(checked.errors, row.schemaPath), omitted: checked.omitted };
  return { ok: true, value: respellEnums(row.body, checked.value) };
}

/** Every body read in this thread, handing the event loop back between slices. */
export const IN_THREAD_READERS: BodyReaders = {
  check: (row, req) => checkBody(row, req, yieldToEventLoop),
  object: (text, maxDepth, members) => readObjectMembers(text, maxDepth, members, true),
  batch: (text, maxDepth) => splitCubeBatch(text, maxDepth, true),
};
