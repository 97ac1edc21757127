// model → desired KernelState: keeps every id and slot range the previous state already had,
// allocates what is new (service ids, backend ids per (service, backend), slot ranges), builds a
// fresh Maglev table only for services whose backend set or weights changed, and defers frees.
// Capacity problems are refused here, before anything is written. No I/O.

import type { Result } from '../../common/errors';
import { fail, ok, type CubeModel, type ServiceModel } from '../model/cube-model';
import { IPPROTO } from '../dataplane/map-layouts';
import { activeRewrite } from '../model/src-rewrite-rules';
import { buildMaglevTable, orderBackends } from '../maglev/maglev-table';
import { tableSizeFor, type TablePolicy } from '../maglev/table-policy';
import type { IdAllocator, SlotAllocator } from './allocators';
import { FALLBACK_HZ, secondsToUnits } from '../dataplane/session-clock';
import { policyOf } from '../model/service-policy';
import {
  backendAddressKey,
  kernelKeyOf,
  type KBackend,
  type KBackendVip,
  type KernelState,
  type KService,
} from './kernel-state';

/** The allocators of one cube (one transaction per derive). */
export interface SyncAllocators {
  serviceIds: IdAllocator;
  backendIds: IdAllocator;
  slots: SlotAllocator;
}

/** Begins nothing, but names the three operations a derive ends with. */
export function commitAll(a: SyncAllocators): void {
  a.serviceIds.commit();
  a.backendIds.commit();
  a.slots.commit();
}

/** Undoes a derive's allocations. */
export function rollbackAll(a: SyncAllocators): void {
  a.serviceIds.rollback();
  a.backendIds.rollback();
  a.slots.rollback();
}

/** What a derive needs besides the model and the previous state. */
export interface DeriveContext {
  /** Port ids by port name (polycubed's), for ip_to_frontend_port. */
  portIds: ReadonlyMap<string, number>;
  alloc: SyncAllocators;
  policy: TablePolicy;
  /** The kernel's HZ, for affinity timeouts in session clock units (default FALLBACK_HZ). */
  hz?: number;
}

/**
 * Returns the KernelState `model` needs, reusing `prev`'s ids, ranges and tables wherever they
 * still hold. Allocations and frees go through `ctx.alloc` (the caller commits or rolls back);
 * refuses with CUBE_ERR_LBRP_CAPACITY when ids or slots run out. Never touches the kernel.
 */
export function deriveKernelState(
  model: CubeModel,
  prev: KernelState,
  ctx: DeriveContext,
): Result<KernelState> {
  const services = new Map<string, KService>();
  for (const svc of model.services.values()) {
    const key = kernelKeyOf(svc);
    const p = prev.services.get(key);
    if (p && p.source === svc) {
      services.set(key, p);
      continue;
    }
    const r = deriveService(model.name, svc, p, ctx);
    if (!r.ok) return r;
    services.set(key, r.value);
  }
  for (const [key, p] of prev.services) if (!services.has(key)) releaseService(p, ctx.alloc);

  const frontendIps = new Map<string, number>();
  if (model.portMode === 'MULTI') {
    for (const port of model.ports.values()) {
      const id = ctx.portIds.get(port.name);
      if (port.type === 'FRONTEND' && port.ip !== undefined && id !== undefined) frontendIps.set(port.ip, id);
    }
  }
  const rewrite = activeRewrite(model.srcIpRewrite);
  const { backendVips, uniqueBackends } = deriveBackendVips(
    prev,
    services,
    model.session.sessionlessReplyNat,
  );
  return ok({
    services,
    frontendIps,
    ...(rewrite ? { srcRewrite: rewrite } : {}),
    backendVips,
    uniqueBackends,
  });
}

/** One service using a backend address, with its backend id for that address. */
interface AddressUser {
  key: string;
  svc: KService;
  b: KBackend;
}

/**
 * `backend_to_vip` and the F_BACKEND_UNIQUE ids of `services` (dataplane/README.md, "backend_to_vip
 * and F_BACKEND_UNIQUE"): an entry of `prev` is kept while the service it names exists (same key
 * and id), whether or not that service still uses the address; an address of some pool without
 * such an entry gets one naming its user with the lowest service id (none of whose sessions
 * through it lacks a reverse entry: only a service an entry names is ever flagged); a backend id
 * is flagged when its address serves only its service and the entry names that service. So the
 * first service to have an address keeps it, and a readback (which returns the entries) derives
 * the same state again.
 */
function deriveBackendVips(
  prev: KernelState,
  services: ReadonlyMap<string, KService>,
  statelessReplies: boolean,
): { backendVips: Map<string, KBackendVip>; uniqueBackends: Set<number> } {
  const users = new Map<string, AddressUser[]>();
  for (const [key, svc] of services) {
    for (const b of svc.backends.values()) {
      const a = backendAddressKey(b.ip, b.port, svc.proto);
      const list = users.get(a);
      if (list) list.push({ key, svc, b });
      else users.set(a, [{ key, svc, b }]);
    }
  }
  const backendVips = new Map<string, KBackendVip>();
  for (const [a, e] of prev.backendVips)
    if (services.get(e.serviceKey)?.serviceId === e.serviceId) backendVips.set(a, e);
  for (const [a, list] of users) {
    if (backendVips.has(a)) continue;
    const first = list.reduce((x, y) => (y.svc.serviceId < x.svc.serviceId ? y : x));
    const { b } = first;
    backendVips.set(a, {
      ip: b.ip,
      port: first.svc.proto === IPPROTO.ICMP ? 0 : b.port,
      proto: first.svc.proto,
      serviceKey: first.key,
      vip: first.svc.vip,
      vport: first.svc.vport,
      serviceId: first.svc.serviceId,
      unique: false, // set below
    });
  }
  const uniqueBackends = new Set<number>();
  for (const [a, list] of users)
    if (list.length === 1 && backendVips.get(a)?.serviceKey === list[0].key) uniqueBackends.add(list[0].b.id);
  // The entry's own flag (sessionless-reply-nat), by the same rule per address (an address
  // no pool has any more is not unique: only its old sessions' replies may come from it, and they
  // have their entries).
  for (const [a, e] of backendVips) {
    const list = users.get(a);
    const unique =
      statelessReplies && list !== undefined && list.length === 1 && list[0].key === e.serviceKey;
    if (e.unique !== unique) backendVips.set(a, { ...e, unique });
  }
  return { backendVips, uniqueBackends };
}

function releaseService(p: KService, alloc: SyncAllocators): void {
  alloc.serviceIds.free(p.serviceId);
  for (const b of p.backends.values()) alloc.backendIds.free(b.id);
  if (p.tableSize > 0) alloc.slots.release({ base: p.slotBase, size: p.tableSize });
}

function full(cube: string, detail: string): Result<never> {
  return fail('CUBE_ERR_LBRP_CAPACITY', { cube, detail });
}

/** The (ip, weight) set a table depends on, in a canonical order. */
function tableInputOf(svc: ServiceModel): string {
  return [...svc.backends.values()]
    .map((b) => `${b.ip}/${b.weight}`)
    .sort()
    .join(',');
}

function deriveService(
  cube: string,
  svc: ServiceModel,
  p: KService | undefined,
  ctx: DeriveContext,
): Result<KService> {
  const { alloc, policy } = ctx;
  const serviceId = p?.serviceId ?? alloc.serviceIds.alloc();
  if (serviceId === undefined) return full(cube, `no free service id (${alloc.serviceIds.capacity} in use)`);

  const backends = new Map<string, KBackend>();
  for (const b of svc.backends.values()) {
    const id = p?.backends.get(b.ip)?.id ?? alloc.backendIds.alloc();
    if (id === undefined) return full(cube, `no free backend id (${alloc.backendIds.capacity} in use)`);
    backends.set(b.ip, { id, ip: b.ip, port: b.port, active: b.weight > 0 });
  }
  for (const [ip, kb] of p?.backends ?? []) if (!svc.backends.has(ip)) alloc.backendIds.free(kb.id);

  const tableSize = tableSizeFor(svc.backends.size, policy);
  const tableInput = tableInputOf(svc);
  let table: Int32Array;
  if (p && p.tableSize === tableSize && p.tableInput === tableInput) {
    table = p.table; // same backends (same ids) and weights: the same table
  } else {
    const maglev = [...svc.backends.values()].map((b) => ({ id: b.ip, weight: b.weight }));
    const ids = orderBackends(maglev).map((b) => (backends.get(b.id) as KBackend).id);
    table = tableSize === 0 ? new Int32Array(0) : buildMaglevTable(maglev, tableSize, ids);
  }

  let slotBase = 0;
  if (tableSize > 0 && p && p.tableSize === tableSize) {
    slotBase = p.slotBase;
  } else {
    if (tableSize > 0) {
      const range = alloc.slots.alloc(tableSize);
      if (!range) {
        return full(
          cube,
          `no room for a ${tableSize}-slot Maglev table (${alloc.slots.inUse} of ${alloc.slots.capacity} slots in use, largest free range ${alloc.slots.largestFree})`,
        );
      }
      slotBase = range.base;
    }
    if (p && p.tableSize > 0) alloc.slots.release({ base: p.slotBase, size: p.tableSize });
  }
  return ok({
    vip: svc.vip,
    vport: svc.vport,
    proto: IPPROTO[svc.proto],
    serviceId,
    slotBase,
    tableSize,
    table,
    backends,
    source: svc,
    tableInput,
    ...affinityOf(svc, ctx.hz ?? FALLBACK_HZ),
  });
}

/** The affinity member of a service's KService: its timeout in clock units, when CLIENT_IP. */
function affinityOf(svc: ServiceModel, hz: number): { affinityTimeout?: number } {
  const p = policyOf(svc);
  return p.sessionAffinity === 'CLIENT_IP' ? { affinityTimeout: secondsToUnits(p.affinityTimeout, hz) } : {};
}
