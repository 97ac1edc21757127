// The body pipeline of REST spec §6.3: path keys checked (ancestors → bad-element), body parsed,
// the element's own keys and the cube name copied in, validated against the route's JSON Schema
// (defaults filled on create, ranges enforced), enums re-spelled — and only then a ConfigOp for
// Daemon.execute. Nothing here changes state; a refused request never reaches the daemon.

import {
  convertPathKey,
  parsePathKey,
  type BodyOp,
  type IrLeaf,
  type KeyValue,
  type RouteRow,
} from 'yang-ts-codegen';
import { cubeError, type CubeError } from '../../common/errors';
import type { ConfigKey, ConfigOp, Op } from '../core/types';
import { IN_THREAD_READERS, type BodyChecker } from './body-check';
import { enumSpelling } from './enum-spelling';
import { decodeCubeSegment, decodeKeySegment } from './request-path';
import { METHOD_OPS } from './rest-context';
import type { Method } from './route-tree';

export { bodyErrors } from './body-check';

/**
 * Outcome of the pipeline: the operation to execute, or the errors to answer with (at most
 * MAX_ERROR_ITEMS from body validation; `omitted` counts the others).
 */
export type ConfigRequestResult =
  { ok: true; op: ConfigOp } | { ok: false; errors: CubeError[]; omitted?: number };

/** The request parts the pipeline reads. */
export interface ConfigRequestInput {
  row: RouteRow;
  method: Method;
  /** Raw `:param` values of the matched route. */
  params: Record<string, string>;
  /** Body text ("" when none). */
  body: string;
  maxJsonDepth: number;
  /** Who checks the body (parse, validate): default in this thread, pausing between slices. */
  checkBody?: BodyChecker;
}

/** The in-thread body check, handing the event loop back between slices. */
export const checkBodyInThread: BodyChecker = IN_THREAD_READERS.check;

/** The canonical text of a key value: YANG spelling for enums, decimal for numbers. */
function canonicalKey(leaf: IrLeaf, value: KeyValue): string {
  return String(enumSpelling(leaf.type, value));
}

/** Path keys of a request: every list key along the path and the target element's own typed keys. */
interface PathKeys {
  keys: ConfigKey[];
  own: Record<string, KeyValue>;
}

/**
 * Checks the list keys in the path. Ancestor keys (and, unless `ownAsBody`, the target element's
 * own keys) must pass their validators → else bad-element. With `ownAsBody` the element's own
 * keys are only converted (uint16 "80" → 80; an unconvertible segment stays a string) so the
 * body validation names them (bad-attribute), as polycubed does for POST/PUT/PATCH; a segment
 * that does not percent-decode (or decodes to a NUL) is a bad-attribute right away.
 */
export function readPathKeys(
  row: RouteRow,
  params: Record<string, string>,
  ownAsBody: boolean,
): { ok: true; value: PathKeys } | { ok: false; errors: CubeError[] } {
  const keys: ConfigKey[] = [];
  const own: Record<string, KeyValue> = {};
  const errors: CubeError[] = [];
  for (const p of row.params) {
    if (!p.list) continue;
    const raw = params[p.param] ?? '';
    const decoded = decodeKeySegment(raw);
    if (ownAsBody && row.kind === 'element' && p.list === row.node) {
      if (decoded === undefined) {
        errors.push(cubeError('CUBE_ERR_BAD_ATTRIBUTE', { info: p.key, path: row.schemaPath }));
        continue;
      }
      const value = convertPathKey(p.leaf, decoded) ?? decoded;
      own[p.key] = value;
      keys.push({ list: p.list.name, name: p.key, value: canonicalKey(p.leaf, value) });
      continue;
    }
    const parsed = decoded === undefined ? undefined : parsePathKey(p.leaf, decoded);
    if (!parsed?.ok) {
      errors.push(cubeError('CUBE_ERR_BAD_ELEMENT', { info: p.key, path: row.schemaPath }));
      continue;
    }
    keys.push({ list: p.list.name, name: p.key, value: canonicalKey(p.leaf, parsed.value) });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { keys, own } };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Runs the pipeline for a request on a YANG-generated route (every kind but key-prefix) and
 * returns the ConfigOp to execute. The cube name is the percent-decoded `:name` segment;
 * for the service collection it comes from the body's `name`.
 */
export async function buildConfigRequest(
  input: ConfigRequestInput,
  service: string,
): Promise<ConfigRequestResult> {
  const { row, method } = input;
  const op = METHOD_OPS[method];
  if (op === undefined || row.kind === 'key-prefix')
    throw new Error(`no configuration operation for ${method} ${row.path}`);
  const writes = op === 'CREATE' || op === 'REPLACE' || op === 'UPDATE';
  const pathKeys = readPathKeys(row, input.params, writes);
  if (!pathKeys.ok) return pathKeys;
  const cube = decodeCubeSegment(input.params.name ?? '');
  if (cube === undefined) {
    const message = 'invalid cube name: the URL segment is not valid percent-encoded UTF-8 without NUL';
    return { ok: false, errors: [cubeError('CUBE_ERR_BAD_NAME', { message, info: 'name' })] };
  }
  const base = {
    service,
    cube,
    path: row.schemaPath,
    keys: pathKeys.value.keys,
    isCollection: row.kind === 'list',
  };
  if (!writes || !row.body) return { ok: true, op: { ...base, op } };

  // The cube itself: PUT creates exactly like POST (REST spec §6.2).
  const cubeTarget = row.kind === 'cube' || row.kind === 'service';
  const effectiveOp: Op = cubeTarget && op === 'REPLACE' ? 'CREATE' : op;
  const bodyOp: BodyOp = effectiveOp === 'UPDATE' ? 'update' : 'create';
  const checked = await (input.checkBody ?? checkBodyInThread)(row, {
    bodyOp,
    text: input.body,
    maxJsonDepth: input.maxJsonDepth,
    own: pathKeys.value.own,
    cube: base.cube,
  });
  if (!checked.ok) return checked;
  const value = checked.value;

  if (cubeTarget && isObject(value)) {
    if (
      effectiveOp === 'CREATE' &&
      value['service-name'] !== undefined &&
      value['service-name'] !== service
    ) {
      return {
        ok: false,
        errors: [cubeError('CUBE_ERR_INVALID_VALUE', { info: 'service-name', path: row.schemaPath })],
      };
    }
    if (row.kind === 'service') {
      if (typeof value.name !== 'string') {
        return {
          ok: false,
          errors: [cubeError('CUBE_ERR_MISSING_ATTRIBUTE', { info: 'name', path: row.schemaPath })],
        };
      }
      base.cube = value.name;
    }
  }
  return { ok: true, op: { ...base, op: effectiveOp, body: value } };
}
