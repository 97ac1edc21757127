// planMapWrites: the smallest ordered list of map writes that turns the kernel from one
// KernelState into another (as Katran's Vip returns ring deltas). Order keeps the datapath safe:
// backends first (drained/removed ones lose F_BACKEND_ACTIVE before any table stops naming them,
// new ones exist before a table names them), then changed Maglev slots, then the `services` entry
// that points at a table (a re-sized table swaps in with that one write), then deletions.
// backend_to_vip (dataplane/README.md): flags are cleared first, a new entry is written before the
// F_BACKEND_UNIQUE flag that relies on it, and an entry re-pointed or deleted (its service gone)
// after that service's `services` entry is deleted; ids it lets be flagged are flagged last.
// backend_ips: a new backend address is written before anything names it (so no later fragment
// from it is ever taken for untranslated traffic), and deleted last.

import type { MapWrite } from '../../service-kit';
import {
  encodeBackendValue,
  encodeBackendVipKey,
  encodeBackendVipValue,
  encodeIpv4Key,
  encodeServiceKey,
  encodeServiceValue,
  encodeSrcRewriteKey,
  encodeSrcRewriteValue,
  encodeU16,
  encodeU32,
  F_BACKEND_ACTIVE,
  F_BACKEND_UNIQUE,
  F_SERVICE_AFFINITY,
  F_BACKEND_VIP_UNIQUE,
  FROM_BACKEND,
  FROM_FRONTEND,
  STRUCT_LAYOUTS,
} from '../dataplane/map-layouts';
import { diffTables } from '../maglev/maglev-delta';
import { hostMask } from '../model/ipv4';
import {
  backendAddressKey,
  backendIpCounts,
  vipCounts,
  type KBackend,
  type KBackendVip,
  type KernelState,
  type KService,
} from './kernel-state';

/** Map names of the lbrp dataplane (dataplane/lbrp/lbrp_maps.h). */
export const MAPS = {
  services: 'services',
  vips: 'vips',
  slots: 'maglev_slots',
  backends: 'backends',
  frontendIps: 'ip_to_frontend_port',
  srcRewrite: 'src_ip_rewrite',
  serviceStats: 'service_stats',
  backendStats: 'backend_stats',
  sessions: 'sessions',
  backendVips: 'backend_to_vip',
  backendIps: 'backend_ips',
  sessionConfig: 'session_config',
  sessionEvents: 'session_events',
  serviceAffinity: 'service_affinity',
  dropStats: 'drop_stats',
} as const;

/** One CPU's zeroed lbrp_counters (per-CPU maps copy it to every CPU). */
const ZERO_COUNTERS = Buffer.alloc(STRUCT_LAYOUTS.lbrp_counters.size);

const backendValue = (b: KBackend, flags: number): Buffer =>
  encodeBackendValue({ ip: b.ip, port: b.port, flags });

/** The `backends` flags of backend `b` in `state`. */
const flagsOf = (state: KernelState, b: KBackend): number =>
  (b.active ? F_BACKEND_ACTIVE : 0) | (state.uniqueBackends.has(b.id) ? F_BACKEND_UNIQUE : 0);

const vipKeyBuf = (e: KBackendVip): Buffer => encodeBackendVipKey({ ip: e.ip, port: e.port, proto: e.proto });
const vipValueBuf = (e: KBackendVip): Buffer =>
  encodeBackendVipValue({
    vip: e.vip,
    vport: e.vport,
    flags: e.unique ? F_BACKEND_VIP_UNIQUE : 0,
    serviceId: e.serviceId,
  });
const sameVip = (x: KBackendVip | undefined, y: KBackendVip): boolean =>
  x !== undefined && x.serviceKey === y.serviceKey && x.serviceId === y.serviceId;

/** A service's `services` flags: F_SERVICE_AFFINITY with session-affinity CLIENT_IP. */
const serviceFlags = (s: KService): number => (s.affinityTimeout !== undefined ? F_SERVICE_AFFINITY : 0);

const serviceKeyBuf = (s: KService): Buffer =>
  encodeServiceKey({ vip: s.vip, vport: s.vport, proto: s.proto });

/** Per-state indexes the plan reads (never mutates). */
interface StateIndexes {
  byId?: ReadonlyMap<number, { b: KBackend; address: string }>;
  ips?: ReadonlyMap<string, number>;
  vips?: ReadonlyMap<string, number>;
}
/**
 * Indexes by state: a state is immutable, and the `next` of one plan is the `prev` of the next
 * one, so each index of a state is built once instead of twice (they cost O(every backend)).
 */
const indexes = new WeakMap<KernelState, StateIndexes>();

function indexOf<K extends keyof StateIndexes>(
  state: KernelState,
  which: K,
  build: (s: KernelState) => NonNullable<StateIndexes[K]>,
): NonNullable<StateIndexes[K]> {
  let entry = indexes.get(state);
  if (!entry) indexes.set(state, (entry = {}));
  return (entry[which] ??= build(state)) as NonNullable<StateIndexes[K]>;
}

/** Every backend of a state by kernel id, with its address key. */
function backendsById(state: KernelState): Map<number, { b: KBackend; address: string }> {
  const out = new Map<number, { b: KBackend; address: string }>();
  for (const s of state.services.values())
    for (const b of s.backends.values())
      out.set(b.id, { b, address: backendAddressKey(b.ip, b.port, s.proto) });
  return out;
}

/**
 * The backends (by id, in state order) of the services that are not the same object in both
 * states, when they are all the per-backend steps need: a backend of a service that did not
 * change keeps its id, address and F_BACKEND_ACTIVE, so it is written only when its
 * F_BACKEND_UNIQUE flag changes or its address's entry is re-pointed. Undefined when either
 * happens (then every backend is looked at). Makes a change cost its services, not the cube.
 */
function changedBackends(
  prev: KernelState,
  next: KernelState,
  late: ReadonlySet<string>,
):
  | {
      before: Map<number, { b: KBackend; address: string }>;
      after: Map<number, { b: KBackend; address: string }>;
    }
  | undefined {
  if (late.size > 0) return undefined;
  const collect = (from: KernelState, other: KernelState): Map<number, { b: KBackend; address: string }> => {
    const out = new Map<number, { b: KBackend; address: string }>();
    for (const [key, s] of from.services) {
      if (other.services.get(key) === s) continue;
      for (const b of s.backends.values())
        out.set(b.id, { b, address: backendAddressKey(b.ip, b.port, s.proto) });
    }
    return out;
  };
  const before = collect(prev, next);
  const after = collect(next, prev);
  const inChanged = (id: number): boolean => before.has(id) || after.has(id);
  for (const id of prev.uniqueBackends) if (!next.uniqueBackends.has(id) && !inChanged(id)) return undefined;
  for (const id of next.uniqueBackends) if (!prev.uniqueBackends.has(id) && !inChanged(id)) return undefined;
  return { before, after };
}

/** The two src_ip_rewrite entries of a state (key hex → [key, value]). */
function rewriteEntries(state: KernelState): Map<string, [Buffer, Buffer]> {
  const out = new Map<string, [Buffer, Buffer]>();
  const r = state.srcRewrite;
  if (!r) return out;
  const mask = hostMask(r.from.prefixLen);
  const add = (key: Buffer, value: Buffer): void => void out.set(key.toString('hex'), [key, value]);
  add(
    encodeSrcRewriteKey({ prefixLen: r.from.prefixLen, addr: r.from.net }),
    encodeSrcRewriteValue({ newNet: r.to.net, hostMask: mask, sense: FROM_FRONTEND }),
  );
  add(
    encodeSrcRewriteKey({ prefixLen: r.to.prefixLen, addr: r.to.net }),
    encodeSrcRewriteValue({ newNet: r.from.net, hostMask: mask, sense: FROM_BACKEND }),
  );
  return out;
}

/**
 * Returns the map writes that turn `prev` into `next`, in a datapath-safe order; an empty list
 * when they are equal. Only changed Maglev slots are written (a table moved to a new range is
 * written whole), as packed writes of consecutive changed slots (MapWrite.count, ≤ SLOT_RUN). Counters of newly used service and backend ids are zeroed. Never touches the
 * kernel.
 */
export function planMapWrites(prev: KernelState, next: KernelState): MapWrite[] {
  return [...generateMapWrites(prev, next)];
}

/** Most slots in one packed write (its two buffers stay 256 KiB each at most). */
export const SLOT_RUN = 1 << 15;

const put = (map: string, key: Buffer, value: Buffer): MapWrite => ({ map, key, value });
const del = (map: string, key: Buffer): MapWrite => ({ map, key, delete: true });

/**
 * planMapWrites as a generator: the same writes in the same order, produced as they are
 * consumed, so a plan of millions of slots never exists as one array.
 */
export function* generateMapWrites(prev: KernelState, next: KernelState): Generator<MapWrite> {
  // 0. backend_ips: new and changed counts (deletions come last, step 8).
  const ipsBefore = indexOf(prev, 'ips', backendIpCounts);
  const ipsAfter = indexOf(next, 'ips', backendIpCounts);
  for (const [ip, n] of ipsAfter)
    if (ipsBefore.get(ip) !== n) yield put(MAPS.backendIps, encodeIpv4Key(ip), encodeU32(n));

  // 1. backends: lost flags first (drained or removed ones lose F_BACKEND_ACTIVE, shared ones
  // F_BACKEND_UNIQUE); then new backend_to_vip entries; then new and changed backends (counters of
  // new ids zeroed), flagged F_BACKEND_UNIQUE now unless their entry is re-pointed in step 5.
  const late = new Set<string>(); // addresses whose entry is re-pointed in step 5
  for (const [a, e] of next.backendVips)
    if (prev.backendVips.has(a) && !sameVip(prev.backendVips.get(a), e)) late.add(a);
  const changed = changedBackends(prev, next, late);
  const before = changed?.before ?? indexOf(prev, 'byId', backendsById);
  const after = changed?.after ?? indexOf(next, 'byId', backendsById);
  const early = new Map<number, number>(); // id → flags written in this step
  for (const [id, { b, address }] of after) {
    const f = flagsOf(next, b);
    early.set(id, late.has(address) ? f & ~F_BACKEND_UNIQUE : f);
  }
  const current = new Map<number, { b: KBackend; flags: number }>(); // what `backends` holds
  for (const [id, { b, address }] of before) {
    const was = flagsOf(prev, b);
    const now = after.get(id);
    let keep = now ? was & (early.get(id) as number) : 0;
    if (now && now.address !== address) keep &= ~F_BACKEND_UNIQUE; // flag of another address
    current.set(id, { b, flags: was });
    if ((was & ~keep) !== 0) {
      const target = now?.b ?? b;
      yield put(MAPS.backends, encodeU32(id), backendValue(target, keep));
      current.set(id, { b: target, flags: keep });
    }
  }
  // New entries, and entries that stop being unique (before a second service's table names the
  // address: from then on its replies must not be translated without a session).
  for (const [a, e] of next.backendVips) {
    const p = prev.backendVips.get(a);
    if (!p || (p.unique && !e.unique && !late.has(a)))
      yield put(MAPS.backendVips, vipKeyBuf(e), vipValueBuf(e));
  }
  // Counters of new ids first, in one run (no table names those ids yet): polycubed writes a run
  // of one map with one batch call, and alternating maps would make every run one write long.
  for (const id of after.keys())
    if (!current.has(id)) yield put(MAPS.backendStats, encodeU32(id), ZERO_COUNTERS);
  for (const [id, { b }] of after) {
    const cur = current.get(id);
    const flags = early.get(id) as number;
    if (!cur || cur.b.ip !== b.ip || cur.b.port !== b.port || cur.flags !== flags)
      yield put(MAPS.backends, encodeU32(id), backendValue(b, flags));
  }

  // 2. Maglev slots: only the changed ones (whole table when it moved or is new).
  for (const [key, s] of next.services) {
    if (s.tableSize === 0) continue;
    const p = prev.services.get(key);
    const sameRange = p !== undefined && p.slotBase === s.slotBase && p.tableSize === s.tableSize;
    if (sameRange && p.table === s.table) continue;
    const { slots, values } = diffTables(sameRange ? p.table : undefined, s.table);
    // Packed writes (MapWrite.count) of up to SLOT_RUN slots: millions of 4-byte Buffers and
    // write objects are slow to allocate, and travel as one MapOp anyway.
    for (let from = 0; from < slots.length; from += SLOT_RUN) {
      const n = Math.min(SLOT_RUN, slots.length - from);
      const keys = Buffer.allocUnsafe(4 * n);
      const vals = Buffer.allocUnsafe(4 * n);
      for (let i = 0; i < n; i++) {
        keys.writeUInt32LE(s.slotBase + slots[from + i], 4 * i);
        vals.writeUInt32LE(values[from + i] >>> 0, 4 * i);
      }
      yield n === 1 ? put(MAPS.slots, keys, vals) : { map: MAPS.slots, key: keys, value: vals, count: n };
    }
  }

  // 3. services (after their tables) and vips.
  for (const [key, s] of next.services) {
    const p = prev.services.get(key);
    if (!p || p.serviceId !== s.serviceId)
      yield put(MAPS.serviceStats, encodeU32(s.serviceId), ZERO_COUNTERS);
    // The affinity timeout before the flag that makes the datapath read it.
    const sameId = p !== undefined && p.serviceId === s.serviceId;
    if (s.affinityTimeout !== undefined && (!sameId || p.affinityTimeout !== s.affinityTimeout))
      yield put(MAPS.serviceAffinity, encodeU32(s.serviceId), encodeU32(s.affinityTimeout));
    if (
      sameId &&
      p.slotBase === s.slotBase &&
      p.tableSize === s.tableSize &&
      serviceFlags(p) === serviceFlags(s)
    )
      continue;
    const value = encodeServiceValue({
      serviceId: s.serviceId,
      slotBase: s.slotBase,
      tableSize: s.tableSize,
      flags: serviceFlags(s),
    });
    yield put(MAPS.services, serviceKeyBuf(s), value);
  }
  const vipsBefore = indexOf(prev, 'vips', vipCounts);
  const vipsAfter = indexOf(next, 'vips', vipCounts);
  for (const [vip, n] of vipsAfter)
    if (vipsBefore.get(vip) !== n) yield put(MAPS.vips, encodeIpv4Key(vip), encodeU32(n));

  // 4. deletions: services gone, then their vips.
  for (const [key, p] of prev.services)
    if (!next.services.has(key)) yield del(MAPS.services, serviceKeyBuf(p));
  for (const vip of vipsBefore.keys()) if (!vipsAfter.has(vip)) yield del(MAPS.vips, encodeIpv4Key(vip));

  // 5. backend_to_vip entries whose service is gone: re-pointed or deleted; then the ids that
  // rely on a re-pointed entry are flagged.
  // Re-pointed entries, and entries that became unique (after the tables stopped naming the
  // address in other services).
  for (const [a, e] of next.backendVips) {
    const p = prev.backendVips.get(a);
    if (late.has(a) || (p && !p.unique && e.unique))
      yield put(MAPS.backendVips, vipKeyBuf(e), vipValueBuf(e));
  }
  for (const [a, e] of prev.backendVips)
    if (!next.backendVips.has(a)) yield del(MAPS.backendVips, vipKeyBuf(e));
  for (const [id, { b, address }] of after)
    if (late.has(address) && next.uniqueBackends.has(id))
      yield put(MAPS.backends, encodeU32(id), backendValue(b, flagsOf(next, b)));

  // 6. FRONTEND ips (MULTI).
  for (const [ip, port] of next.frontendIps)
    if (prev.frontendIps.get(ip) !== port) yield put(MAPS.frontendIps, encodeIpv4Key(ip), encodeU16(port));
  for (const ip of prev.frontendIps.keys())
    if (!next.frontendIps.has(ip)) yield del(MAPS.frontendIps, encodeIpv4Key(ip));

  // 7. src-ip-rewrite: new or changed entries, then stale ones.
  const rwBefore = rewriteEntries(prev);
  const rwAfter = rewriteEntries(next);
  for (const [hex, [key, value]] of rwAfter) {
    if (!rwBefore.get(hex)?.[1].equals(value)) yield put(MAPS.srcRewrite, key, value);
  }
  for (const [hex, [key]] of rwBefore) if (!rwAfter.has(hex)) yield del(MAPS.srcRewrite, key);

  // 8. backend addresses no service uses any more.
  for (const ip of ipsBefore.keys()) if (!ipsAfter.has(ip)) yield del(MAPS.backendIps, encodeIpv4Key(ip));
}
