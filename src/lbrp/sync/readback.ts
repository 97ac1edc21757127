// Kernel maps → KernelState, for a restarted service (Resync): reads `services`, each service's
// slice of `maglev_slots`, the backends its table names, `ip_to_frontend_port` and
// `src_ip_rewrite`, and reserves what it finds in the allocators. Backends without slots (drained)
// are matched by address among the unclaimed `backends` entries. `backend_to_vip` is read whole and
// F_BACKEND_UNIQUE taken from the flags, so the entries keep naming the service that had the
// address first (derive keeps them while that service exists). The result is diffed against the
// configuration, so nothing is rewritten that is already right.

import {
  decodeBackendValue,
  decodeBackendVipKey,
  decodeBackendVipValue,
  F_BACKEND_VIP_UNIQUE,
  decodeServiceKey,
  decodeServiceValue,
  decodeSrcRewriteKey,
  decodeSrcRewriteValue,
  decodeU16,
  decodeU32,
  encodeU32,
  F_BACKEND_ACTIVE,
  F_BACKEND_UNIQUE,
  F_SERVICE_AFFINITY,
  FROM_FRONTEND,
  readIpv4,
  type BackendValue,
} from '../dataplane/map-layouts';
import type { CubeModel } from '../model/cube-model';
import type { CubeHost } from './cube-host';
import type { SyncAllocators } from './derive-state';
import {
  backendAddressKey,
  kernelKeyOf,
  kernelServiceKey,
  type KBackend,
  type KBackendVip,
  type KernelState,
  type KService,
} from './kernel-state';
import { MAPS } from './map-plan';

/** Keys per ReadMaps call (bounded gRPC messages). */
const READ_CHUNK = 65536;
const NO_BACKEND_ID = 0xffffffff;

async function readKeys(
  host: CubeHost,
  cube: string,
  map: string,
  ids: number[],
): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const keys = ids.slice(i, i + READ_CHUNK).map(encodeU32);
    for (const e of await host.readMaps(cube, map, keys)) out.set(decodeU32(e.key), e.value);
  }
  return out;
}

const isZero = (b: Buffer): boolean => b.every((x) => x === 0);

/** maglev_slots values per range read: 2 MiB, within polycubed's limit for one reply. */
const RANGE_VALUES = 524288;

/** The backend ids of a run of `maglev_slots` from `lo`; NO_BACKEND_ID where nothing was read. */
interface SlotRun {
  ids: Uint32Array;
  at(slot: number): number;
}

/**
 * The `maglev_slots` entries of every service: the span from the lowest slot base to the highest
 * table end (the allocator packs tables, so the span is mostly theirs) read as ranges, a few batch
 * calls for millions of slots; by key (65,536 per call) when the host has no range reads.
 */
async function readSlots(
  host: CubeHost,
  cube: string,
  raw: ReadonlyArray<{ value: { slotBase: number; tableSize: number } }>,
): Promise<SlotRun> {
  const tables = raw.filter((s) => s.value.tableSize > 0);
  // reduce, not Math.min(...): a spread of tens of thousands of services overflows the stack.
  const lo = tables.reduce((m, s) => Math.min(m, s.value.slotBase), tables.length ? Infinity : 0);
  const hi = tables.reduce((m, s) => Math.max(m, s.value.slotBase + s.value.tableSize), 0);
  const ids = new Uint32Array(hi - lo).fill(NO_BACKEND_ID);
  const run: SlotRun = { ids, at: (slot) => (slot >= lo && slot < hi ? ids[slot - lo] : NO_BACKEND_ID) };
  let ranged = host.readMapRange !== undefined;
  for (let first = lo; ranged && first < hi; first += RANGE_VALUES) {
    const count = Math.min(RANGE_VALUES, hi - first);
    const values = await host.readMapRange?.(cube, MAPS.slots, first, count);
    if (!values || values.length !== 4 * count) ranged = false;
    else for (let i = 0; i < count; i++) ids[first - lo + i] = values.readUInt32LE(4 * i);
  }
  if (ranged) return run;
  const slotIds: number[] = [];
  for (const s of tables) for (let i = 0; i < s.value.tableSize; i++) slotIds.push(s.value.slotBase + i);
  for (const [slot, v] of await readKeys(host, cube, MAPS.slots, slotIds)) ids[slot - lo] = decodeU32(v);
  return run;
}

/**
 * Reads what cube `cube`'s maps hold and returns it as a KernelState, reserving every id and slot
 * range found in `alloc` (which must be fresh). `model` is only used to find the ids of backends
 * that hold no slot. Throws what the host throws.
 */
export async function readKernelState(
  host: CubeHost,
  cube: string,
  model: CubeModel,
  alloc: SyncAllocators,
): Promise<KernelState> {
  const raw = (await host.readMaps(cube, MAPS.services)).map((e) => ({
    key: decodeServiceKey(e.key),
    value: decodeServiceValue(e.value),
  }));
  const slots = await readSlots(host, cube, raw);
  const referenced = new Set<number>();
  for (const id of slots.ids) if (id !== NO_BACKEND_ID) referenced.add(id);
  const backendVals = new Map<number, BackendValue>();
  for (const [id, v] of await readKeys(host, cube, MAPS.backends, [...referenced])) {
    if (!isZero(v)) backendVals.set(id, decodeBackendValue(v));
  }

  const claimed = new Set<number>();
  const uniqueBackends = new Set<number>();
  const services = new Map<string, KService>();
  const wanted = new Map<string, Map<string, number>>(); // kernel key → model backends ip → port
  for (const svc of model.services.values()) {
    const key = kernelKeyOf(svc);
    wanted.set(key, new Map([...svc.backends.values()].map((b) => [b.ip, b.port])));
  }
  // Affinity timeouts of the services flagged F_SERVICE_AFFINITY.
  const affinity = await readKeys(
    host,
    cube,
    MAPS.serviceAffinity,
    raw.filter((s) => s.value.flags & F_SERVICE_AFFINITY).map((s) => s.value.serviceId),
  );
  for (const { key, value } of raw) {
    const table = new Int32Array(value.tableSize);
    const backends = new Map<string, KBackend>();
    for (let i = 0; i < value.tableSize; i++) {
      const id = slots.at(value.slotBase + i);
      table[i] = id === NO_BACKEND_ID ? -1 : id;
      const b = backendVals.get(id);
      if (!b || claimed.has(id) || backends.has(b.ip)) continue;
      backends.set(b.ip, { id, ip: b.ip, port: b.port, active: (b.flags & F_BACKEND_ACTIVE) !== 0 });
      if (b.flags & F_BACKEND_UNIQUE) uniqueBackends.add(id);
      claimed.add(id);
    }
    const k = kernelServiceKey(key.vip, key.vport, key.proto);
    services.set(k, {
      vip: key.vip,
      vport: key.vport,
      proto: key.proto,
      serviceId: value.serviceId,
      slotBase: value.slotBase,
      tableSize: value.tableSize,
      table,
      backends,
      ...(value.flags & F_SERVICE_AFFINITY
        ? { affinityTimeout: decodeU32(affinity.get(value.serviceId) ?? encodeU32(0)) }
        : {}),
    });
  }
  await adoptSlotlessBackends(
    host,
    cube,
    services,
    wanted,
    claimed,
    uniqueBackends,
    alloc.backendIds.capacity,
  );

  for (const [key, s] of services) {
    alloc.serviceIds.reserve(s.serviceId);
    for (const b of s.backends.values()) alloc.backendIds.reserve(b.id);
    if (s.tableSize > 0 && !alloc.slots.reserve({ base: s.slotBase, size: s.tableSize })) {
      // Overlaps another service's range (maps damaged): treat it as tableless, so the plan
      // gives it a fresh range and rewrites its services entry.
      services.set(key, { ...s, slotBase: 0, tableSize: 0, table: new Int32Array(0) });
    }
  }
  const frontendIps = new Map<string, number>();
  for (const e of await host.readMaps(cube, MAPS.frontendIps))
    frontendIps.set(readIpv4(e.key, 0), decodeU16(e.value));
  let srcRewrite: KernelState['srcRewrite'];
  for (const e of await host.readMaps(cube, MAPS.srcRewrite)) {
    const k = decodeSrcRewriteKey(e.key);
    const v = decodeSrcRewriteValue(e.value);
    if (v.sense === FROM_FRONTEND) {
      srcRewrite = {
        from: { net: k.addr, prefixLen: k.prefixLen },
        to: { net: v.newNet, prefixLen: k.prefixLen },
      };
    }
  }
  const backendVips = new Map<string, KBackendVip>();
  for (const e of await host.readMaps(cube, MAPS.backendVips)) {
    const k = decodeBackendVipKey(e.key);
    const v = decodeBackendVipValue(e.value);
    backendVips.set(backendAddressKey(k.ip, k.port, k.proto), {
      ...k,
      serviceKey: kernelServiceKey(v.vip, v.vport, k.proto),
      vip: v.vip,
      vport: v.vport,
      serviceId: v.serviceId,
      unique: (v.flags & F_BACKEND_VIP_UNIQUE) !== 0,
    });
  }
  const backendIps = new Map<string, number>();
  for (const e of await host.readMaps(cube, MAPS.backendIps))
    backendIps.set(readIpv4(e.key, 0), decodeU32(e.value));
  return {
    services,
    frontendIps,
    ...(srcRewrite ? { srcRewrite } : {}),
    backendVips,
    uniqueBackends,
    backendIps,
  };
}

/**
 * Backends the model has that no table names (drained ones): found by address among the
 * unclaimed `backends` entries, read in chunks from id 0 (ids are handed out from 0 upwards)
 * until a whole chunk past the highest known id is empty.
 */
async function adoptSlotlessBackends(
  host: CubeHost,
  cube: string,
  services: Map<string, KService>,
  wanted: Map<string, Map<string, number>>,
  claimed: Set<number>,
  unique: Set<number>,
  capacity: number,
): Promise<void> {
  const missing: Array<{ svc: KService; ip: string; port: number }> = [];
  for (const [key, svc] of services) {
    for (const [ip, port] of wanted.get(key) ?? [])
      if (!svc.backends.has(ip)) missing.push({ svc, ip, port });
  }
  if (missing.length === 0) return;
  const highest = Math.max(-1, ...claimed);
  const free = new Map<string, Array<{ id: number; active: boolean; unique: boolean }>>(); // "ip:port" → unclaimed ids
  const chunk = 8192;
  for (let start = 0; start < capacity; start += chunk) {
    const ids = Array.from({ length: Math.min(chunk, capacity - start) }, (_, i) => start + i);
    let any = false;
    for (const [id, v] of await readKeys(host, cube, MAPS.backends, ids)) {
      if (isZero(v)) continue;
      any = true;
      if (claimed.has(id)) continue;
      const b = decodeBackendValue(v);
      const k = `${b.ip}:${b.port}`;
      const found = {
        id,
        active: (b.flags & F_BACKEND_ACTIVE) !== 0,
        unique: (b.flags & F_BACKEND_UNIQUE) !== 0,
      };
      free.set(k, [...(free.get(k) ?? []), found]);
    }
    if (!any && start > highest) break;
  }
  for (const m of missing) {
    const found = free.get(`${m.ip}:${m.port}`)?.shift();
    if (found === undefined) continue; // never written: derive allocates a fresh id
    claimed.add(found.id);
    if (found.unique) unique.add(found.id);
    (m.svc.backends as Map<string, KBackend>).set(m.ip, {
      id: found.id,
      ip: m.ip,
      port: m.port,
      active: found.active,
    });
  }
}
