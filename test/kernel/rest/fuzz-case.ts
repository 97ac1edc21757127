// One REST fuzz case: the request as it goes on the wire, what it is (label), what its bytes must
// contain (claims), and the answer it must get. Bodies are written with `toJson`, which keeps raw
// JSON text (`raw('{"__proto__":1}')`) as given, since a JS object literal cannot carry such members.

import type { RawRequest, RawResponse } from '../../fixtures/rest/http-client';

/** The answer a case must get. */
export type Expect =
  /** Must be refused: a 4xx, one of `status` when the spec fixes it. */
  | { kind: 'refuse'; status?: readonly number[] }
  /** Refused by a service rule (REST spec §5.3): exactly this status and plain-text message. */
  | { kind: 'rule'; status: number; message: string | RegExp }
  /** A read: any answer but a crash (no 5xx unless it is a documented service error). */
  | { kind: 'read' };

/** One fuzz request. */
export interface FuzzCase {
  /** What the case is, e.g. `wrongShape/unknown-member "__proto__"`. */
  label: string;
  req: RawRequest;
  expect: Expect;
  /** Texts the request (path + body as sent) must contain for the label to be true. */
  claims: string[];
}

/** JSON text embedded as is by `toJson`. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Raw JSON text (members like `__proto__`, duplicates, exact number spellings). */
export const raw = (text: string): RawJson => new RawJson(text);

/** JSON text of `v`; RawJson parts are copied verbatim, own enumerable members in order. */
export function toJson(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const members = Object.keys(v).map(
      (k) => `${JSON.stringify(k)}:${toJson((v as Record<string, unknown>)[k])}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A copy of `obj` with member `name` set as an own data property (safe for `__proto__`). */
export function withMember(
  obj: Record<string, unknown>,
  name: string,
  value: unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj))
    Object.defineProperty(out, k, { value: obj[k], enumerable: true, writable: true, configurable: true });
  Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** The JSON text of a member as it appears in a body written by toJson. */
export const memberText = (name: string, value: unknown): string =>
  `${JSON.stringify(name)}:${toJson(value)}`;

/** 5xx answers that are documented service or base-model errors (REST spec §5.3), not crashes. */
export const DOCUMENTED_5XX = [
  /^Cube \S+ does not exist$/,
  /^Port \S+ does not exist$/,
  /^There are no entries associated with that key$/,
  /^Port \S+ already exists$/,
];

/** Why `res` is the wrong answer to `c` (undefined when it is right). */
export function checkAnswer(c: FuzzCase, res: RawResponse): string | undefined {
  const e = c.expect;
  const got = `${res.status} ${res.body.slice(0, 160)}`;
  if (res.status === 0) return 'no answer';
  switch (e.kind) {
    case 'refuse':
      if (e.status ? !e.status.includes(res.status) : res.status < 400 || res.status > 499)
        return `expected ${e.status ? e.status.join('/') : '4xx'}, got ${got}`;
      return undefined;
    case 'rule':
      if (res.status !== e.status) return `expected ${e.status} ${String(e.message)}, got ${got}`;
      if (typeof e.message === 'string' ? res.body !== e.message : !e.message.test(res.body))
        return `expected message ${String(e.message)}, got ${got}`;
      return undefined;
    case 'read':
      if (res.status >= 500 && !DOCUMENTED_5XX.some((re) => re.test(res.body))) return `crash: ${got}`;
      return undefined;
  }
}

/**
 * The bytes of `c`'s request target and body exactly as they go on the wire (http-client writes
 * the request line in latin1 and the body in UTF-8). Throws when an encoder would change the
 * sample: a target character above U+00FF (latin1 keeps only its low byte) or a lone surrogate
 * in the body (UTF-8 turns it into U+FFFD), so no case sends something other than it says.
 */
export function wireBytes(c: FuzzCase): { target: Buffer; body: Buffer } {
  const target = Buffer.from(c.req.path, 'latin1');
  if (target.toString('latin1') !== c.req.path)
    throw new Error(`${c.label}: the request target has characters latin1 cannot carry`);
  const text = c.req.body ?? '';
  if (Buffer.isBuffer(text)) return { target, body: text };
  const body = Buffer.from(text, 'utf8');
  if (body.toString('utf8') !== text)
    throw new Error(`${c.label}: the body holds a lone surrogate, which UTF-8 would send as U+FFFD`);
  return { target, body };
}
