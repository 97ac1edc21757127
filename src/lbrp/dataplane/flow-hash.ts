// TS mirror of flow_hash() in dataplane/lbrp/select.h: which Maglev slot a flow lands in.
// Lets tools and tests answer "where would this flow go" without the kernel. The C code hashes
// header words as loaded by a little-endian CPU (x86-64, arm64), and so does this mirror.

import { encodeFlowKey, FlowKey } from './map-layouts';

/** Same seed as FLOW_HASH_SEED in select.h. */
const FLOW_HASH_SEED = 0x9e3779b9;

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** flow_mix(): the final avalanche of three 32-bit words. */
export function flowMix(a: number, b: number, c: number): number {
  c = ((c ^ b) - rol32(b, 14)) >>> 0;
  a = ((a ^ c) - rol32(c, 11)) >>> 0;
  b = ((b ^ a) - rol32(a, 25)) >>> 0;
  c = ((c ^ b) - rol32(b, 16)) >>> 0;
  a = ((a ^ c) - rol32(c, 4)) >>> 0;
  b = ((b ^ a) - rol32(a, 14)) >>> 0;
  c = ((c ^ b) - rol32(b, 24)) >>> 0;
  return c;
}

/** flow_hash(): the 32-bit hash of a flow's 5-tuple (identical to the datapath's). */
export function hashFlow(k: FlowKey): number {
  const raw = encodeFlowKey(k);
  const init = (FLOW_HASH_SEED + ((k.proto << 24) >>> 0) + 12) >>> 0;
  return flowMix(
    (raw.readUInt32LE(0) + init) >>> 0,
    (raw.readUInt32LE(4) + init) >>> 0,
    ((((raw.readUInt16LE(8) << 16) | raw.readUInt16LE(10)) >>> 0) + init) >>> 0,
  );
}

/** The maglev_slots index a new session of this flow reads: slotBase + hash % tableSize. */
export function slotForFlow(k: FlowKey, slotBase: number, tableSize: number): number {
  if (tableSize <= 0) throw new RangeError(`table size must be positive, got ${tableSize}`);
  return slotBase + (hashFlow(k) % tableSize);
}
