// The bodies of framework endpoints read into plain data: an object body reduced to the members
// the endpoint reads (`/connect`, `/attach`, `POST /services`), and the cube array of `POST /cubes`
// split into one entry per cube (name, service, port peers, the configuration's JSON text). Like
// body-check.ts these run in this thread or in the body worker with the same result, so a large
// hostile body's parse never leaves its garbage in the event loop's heap.

import type { CubeError } from '../../common/errors';
import { parseJsonBody, parseJsonBodyAsync, type JsonBody } from './body-json';

/**
 * An object body's wanted members, or why the body is not one (the endpoint words the 400), or
 * the 503 of a full body-worker queue.
 */
export type ObjectBody =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; invalidJson: string }
  | { ok: false; notObject: true }
  | { ok: false; busy: CubeError };

/** One element of a `POST /cubes` array, as the batch planner needs it. */
export type BatchEntry =
  | { object: false }
  | {
      object: true;
      /** `name` when it is a string, else "". */
      name: string;
      /** `service-name` when it is a string. */
      service?: string;
      /** Port peers taken out of `ports` (set once every cube exists). */
      peers: { port: string; peer: string }[];
      /** The cube's configuration without the peers, as JSON text. */
      text: string;
    };

/** The cube array of `POST /cubes`, or why the body is not one (or a full queue's 503). */
export type CubeBatch =
  | { ok: true; entries: BatchEntry[] }
  | { ok: false; invalidJson: string }
  | { ok: false; notArray: true }
  | { ok: false; busy: CubeError };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(text: string, maxDepth: number, pause: boolean): JsonBody | Promise<JsonBody> {
  return pause ? parseJsonBodyAsync(text, maxDepth) : parseJsonBody(text, maxDepth);
}

/**
 * Reads an object body (empty: `{}`) and keeps only `members` (own members, `__proto__` as
 * data). With `pause`, hands the event loop back between slices of the text.
 */
export async function readObjectMembers(
  text: string,
  maxDepth: number,
  members: readonly string[],
  pause = false,
): Promise<ObjectBody> {
  const parsed = await parse(text, maxDepth, pause);
  if (!parsed.ok) return { ok: false, invalidJson: parsed.reason };
  const v = parsed.value ?? {};
  if (!isObject(v)) return { ok: false, notObject: true };
  const value: Json = {};
  for (const m of members) {
    if (Object.prototype.hasOwnProperty.call(v, m))
      Object.defineProperty(value, m, { value: v[m], enumerable: true, writable: true, configurable: true });
  }
  return { ok: true, value };
}

/** Strips `peer` from each port entry (REST spec §6.2, `utils::strip_port_peers`), collecting them. */
function stripPeers(config: Json): { config: Json; peers: { port: string; peer: string }[] } {
  const peers: { port: string; peer: string }[] = [];
  if (!Array.isArray(config.ports)) return { config, peers };
  const ports = config.ports.map((p) => {
    if (!isObject(p) || typeof p.peer !== 'string') return p;
    const { peer, ...rest } = p;
    if (peer !== '' && typeof p.name === 'string') peers.push({ port: p.name, peer });
    return rest;
  });
  return { config: { ...config, ports }, peers };
}

/** Splits the body of `POST /cubes` into its entries. With `pause`, as readObjectMembers. */
export async function splitCubeBatch(text: string, maxDepth: number, pause = false): Promise<CubeBatch> {
  const parsed = await parse(text, maxDepth, pause);
  if (!parsed.ok) return { ok: false, invalidJson: parsed.reason };
  if (!Array.isArray(parsed.value)) return { ok: false, notArray: true };
  const entries = parsed.value.map((entry: unknown): BatchEntry => {
    if (!isObject(entry)) return { object: false };
    const service = entry['service-name'];
    const { config, peers } = stripPeers(entry);
    return {
      object: true,
      name: typeof entry.name === 'string' ? entry.name : '',
      ...(typeof service === 'string' ? { service } : {}),
      peers,
      text: JSON.stringify(config),
    };
  });
  return { ok: true, entries };
}
