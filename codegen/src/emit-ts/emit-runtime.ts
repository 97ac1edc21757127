// Emits runtime.ts: the small helpers generated classes call to read and write REST JSON
// (type checks with schema paths in messages, member order, key strings). Same text for every
// module, so generated code imports nothing outside its own directory.

import type { TextWriter } from './text-writer';

// The helper source, written as is below the file header. Kept as text: it is emitted, not run here.
const RUNTIME_SOURCE = `/** A JSON object as read from or written to the REST API. */
export type JsonObject = Record<string, unknown>;

/** Thrown by fromJson for a value of the wrong JSON type; validate request bodies first. */
export class JsonShapeError extends TypeError {}

function fail(expected: string, value: unknown, path: string): never {
  throw new JsonShapeError(\`invalid value \${JSON.stringify(value)} at \${path}: expected \${expected}\`);
}

/** Returns \`v\` as a JSON object; throws JsonShapeError for anything else. */
export function asObject(v: unknown, path: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('an object', v, path);
  return v as JsonObject;
}

/** Returns \`v\` as an array; throws JsonShapeError for anything else. */
export function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail('an array', v, path);
  return v;
}

/** Returns \`v\` as a string; throws JsonShapeError for anything else. */
export function asString(v: unknown, path: string): string {
  if (typeof v !== 'string') fail('a string', v, path);
  return v;
}

/** Returns \`v\` as a boolean; throws JsonShapeError for anything else. */
export function asBoolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail('a boolean', v, path);
  return v;
}

/** Returns \`v\` as an integer; \`wide\` (int64, uint64) also accepts a string of digits. */
export function asInteger(v: unknown, path: string, wide = false): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (wide && typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  return fail('an integer', v, path);
}

/** Returns \`v\` as a decimal64 value: a number, or a string of a decimal number. */
export function asDecimal(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?[0-9]+(\\.[0-9]+)?$/.test(v)) return Number(v);
  return fail('a decimal number', v, path);
}

/** Returns the enum name equal to \`v\` ignoring case, in its YANG spelling. */
export function asEnum<T extends string>(v: unknown, names: readonly T[], path: string): T {
  const lower = typeof v === 'string' ? v.toLowerCase() : undefined;
  const hit = names.find((n) => n.toLowerCase() === lower);
  return hit ?? fail(\`one of \${names.join(', ')}\`, v, path);
}

/** Returns true for the JSON value of an \`empty\` leaf, \`[null]\`. */
export function asEmpty(v: unknown, path: string): true {
  if (Array.isArray(v) && v.length === 1 && v[0] === null) return true;
  return fail('[null]', v, path);
}

/** Returns a union member's JSON value as it is: a string, number, boolean or \`[null]\`. */
export function asScalar(v: unknown, path: string): string | number | boolean | [null] {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.length === 1 && v[0] === null) return [null];
  return fail('a string, number or boolean', v, path);
}

/** Returns a key value, or throws when it is unset (a programmer error). */
export function requireKey<T>(v: T | undefined, path: string): T {
  if (v === undefined) throw new Error(\`key \${path} is not set\`);
  return v;
}

/** Returns the names of \`members\` present in \`json\`, in the order \`json\` has them. */
export function memberOrder(json: JsonObject, members: readonly string[]): string[] {
  return Object.keys(json).filter((k) => members.includes(k));
}

/** Returns \`out\` with the members named in \`order\` first, in that order, then the others. */
export function orderMembers(out: JsonObject, order: readonly string[] | undefined): JsonObject {
  if (order === undefined) return out;
  const sorted: JsonObject = {};
  for (const k of order) if (k in out) sorted[k] = out[k];
  for (const k of Object.keys(out)) if (!(k in sorted)) sorted[k] = out[k];
  return sorted;
}

/** Joins key values URL-encoded with "/", as they appear in REST paths. */
export function keyString(values: readonly unknown[]): string {
  return values.map((v) => encodeURIComponent(String(v))).join('/');
}`;

/** Emits the body of runtime.ts (the caller writes the header). */
export function emitRuntime(w: TextWriter): void {
  for (const line of RUNTIME_SOURCE.split('\n')) w.line(line);
}
