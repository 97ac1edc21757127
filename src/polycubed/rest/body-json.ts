// Request-body decoding: UTF-8 JSON text → value, with an empty body standing for "absent". The
// text goes through json-reader.ts (linear, duplicate members and deep nesting refused, paused
// between slices); step 2 of the body pipeline (REST spec §6.3).

import { cubeError, type CubeError } from '../../common/errors';
import { readJson, readJsonAsync, type JsonReadError, type JsonReadResult } from './json-reader';

/** Outcome: the value (undefined for an empty body), or why the text was refused. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; reason: string; error: CubeError };

/** The catalogue error of a refused body. */
export function bodyReadError(e: JsonReadError): CubeError {
  switch (e.kind) {
    case 'duplicate':
      return cubeError('CUBE_ERR_DUPLICATE_MEMBER', { info: e.member, pointer: e.pointer });
    case 'depth':
      return cubeError('CUBE_ERR_BODY_TOO_DEEP', { depth: e.depth, pointer: e.pointer });
    case 'syntax':
      return cubeError('CUBE_ERR_MALFORMED_BODY', { reason: e.reason });
  }
}

function toBody(r: JsonReadResult): JsonBody {
  if (r.ok) return r;
  const error = bodyReadError(r.error);
  return { ok: false, reason: error.message, error };
}

/**
 * Parses a request body in one piece (small framework bodies). Whitespace-only bodies give
 * `undefined`; otherwise the text must be one JSON value nesting at most `maxDepth`
 * arrays/objects, without duplicate member names. Never throws.
 */
export function parseJsonBody(text: string, maxDepth: number): JsonBody {
  if (text.trim() === '') return { ok: true, value: undefined };
  return toBody(readJson(text, maxDepth));
}

/** parseJsonBody, handing the event loop back between slices of the text. Never rejects. */
export async function parseJsonBodyAsync(text: string, maxDepth: number): Promise<JsonBody> {
  if (text.trim() === '') return { ok: true, value: undefined };
  return toBody(await readJsonAsync(text, maxDepth));
}
