// List keys taken from URL path segments: typed conversion (uint16 "80" → 80), validation with
// the key leaf's own validators (→ bad-element <key>), and copying an element's own keys into its
// body (REST spec §5.2 "Path keys", §6.3 steps 1 and 5). Segments arrive percent-decoded.

import type { IrLeaf, IrList } from '../ir/types';
import { validateBody, type BodyError } from './body-validator';
import { keyLeaves } from '../ir/helpers';
import { parseLexical } from './yang-values';

/** A key value as the REST API carries it in JSON bodies. */
export type KeyValue = string | number | boolean;

/** Outcome of checking path keys: the typed values in key order, or one bad-element per bad key. */
export type PathKeyResult = { ok: true; values: KeyValue[] } | { ok: false; errors: BodyError[] };

/**
 * Converts one decoded path segment for key `leaf` into its JSON value without checking it
 * (uint16 "80" → 80, strings as given): what polycubed copies into the body of an element's own
 * POST/PUT/PATCH, where the keys are then validated as body members (→ bad-attribute). Returns
 * undefined when the segment is not a lexical value of the type's JSON kind (e.g. vport "abc").
 */
export function convertPathKey(leaf: IrLeaf, segment: string): KeyValue | undefined {
  return parseLexical(leaf.type, segment);
}

/**
 * Converts one decoded path segment for key `leaf` into its JSON value and checks it against
 * the leaf's type (pattern, enum ignoring case, range, length). A segment that is not a lexical
 * value of the type (e.g. "abc" for a uint16; polycubed answers 500 there) or fails a validator
 * gives `bad-element` named by the key. Never throws.
 */
export function parsePathKey(
  leaf: IrLeaf,
  segment: string,
): { ok: true; value: KeyValue } | { ok: false; error: BodyError } {
  const value = convertPathKey(leaf, segment);
  const bad = { ok: false as const, error: { tag: 'bad-element' as const, info: leaf.name } };
  if (value === undefined) return bad;
  const checked = validateBody({ kind: 'leaf', node: leaf }, 'update', value);
  return checked.ok ? { ok: true, value } : bad;
}

/**
 * Converts and checks the path segments of `list`'s keys (`segments[i]` for the i-th key in
 * `key` statement order). Returns every bad key, in key order. Throws if the number of segments
 * differs from the number of keys (a routing bug, not a client error).
 */
export function parsePathKeys(list: IrList, segments: string[]): PathKeyResult {
  const leaves = keyLeaves(list);
  if (segments.length !== leaves.length) {
    throw new Error(`list ${list.path} has ${leaves.length} keys, got ${segments.length} path segments`);
  }
  const values: KeyValue[] = [];
  const errors: BodyError[] = [];
  leaves.forEach((leaf, i) => {
    const r = parsePathKey(leaf, segments[i]);
    if (r.ok) values.push(r.value);
    else errors.push(r.error);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
}

/**
 * Returns a copy of the object `body` with `list`'s keys set to `values` under their YANG names
 * (§6.3 step 5, `FillKeys`): a key already in the body is overwritten in place, others are
 * appended in key order. `values` are typed values, e.g. from parsePathKeys.
 */
export function fillPathKeys(
  list: IrList,
  values: KeyValue[],
  body: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  list.keys.forEach((k, i) => {
    out[k] = values[i];
  });
  return out;
}
