// Operational counters of a cube's services and backends: packets, bytes and sessions created
// (per-CPU service_stats / backend_stats, summed) and sessions active now (conntrack entries of the
// session table per service and backend id). Read through the CubeHost at most once per `ttlMs` per cube.

import { decodeConntrackValue, SESSION_FORWARD, sumCounters } from '../dataplane/map-layouts';
import { sessionEntries } from '../dataplane/session-table';
import type { CubeHost } from '../sync/cube-host';
import type { KernelState } from '../sync/kernel-state';
import { MAPS } from '../sync/map-plan';
import { encodeU32, decodeU32 } from '../dataplane/map-layouts';

/** One service's or backend's counters. */
export interface Counters {
  packets: number;
  bytes: number;
  activeSessions: number;
  totalSessions: number;
}

/** Counters by kernel id. */
export interface CounterSnapshot {
  services: ReadonlyMap<number, Counters>;
  backends: ReadonlyMap<number, Counters>;
}

export const ZERO_COUNTERS: Counters = Object.freeze({
  packets: 0,
  bytes: 0,
  activeSessions: 0,
  totalSessions: 0,
});

const READ_CHUNK = 65536;

async function readStats(
  host: CubeHost,
  cube: string,
  map: string,
  ids: number[],
): Promise<Map<number, Counters>> {
  const out = new Map<number, Counters>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const entries = await host.readMaps(cube, map, ids.slice(i, i + READ_CHUNK).map(encodeU32));
    for (const e of entries) {
      const c = sumCounters(e.perCpu.length > 0 ? e.perCpu : [e.value]);
      out.set(decodeU32(e.key), {
        packets: Number(c.packets),
        bytes: Number(c.bytes),
        totalSessions: Number(c.newSessions),
        activeSessions: 0,
      });
    }
  }
  return out;
}

/** Reads the counters of every service and backend of `kernel` (never throws: empty on failure). */
export async function readCounters(
  host: CubeHost,
  cube: string,
  kernel: KernelState,
): Promise<CounterSnapshot> {
  const serviceIds: number[] = [];
  const backendIds: number[] = [];
  for (const s of kernel.services.values()) {
    serviceIds.push(s.serviceId);
    for (const b of s.backends.values()) backendIds.push(b.id);
  }
  try {
    const services = await readStats(host, cube, MAPS.serviceStats, serviceIds);
    const backends = await readStats(host, cube, MAPS.backendStats, backendIds);
    const buckets = (await host.readMaps(cube, MAPS.sessions)).map((e) => e.value);
    for (const e of sessionEntries(buckets, SESSION_FORWARD)) {
      const ct = decodeConntrackValue(e.value);
      const s = services.get(ct.serviceId);
      if (s) s.activeSessions++;
      const b = backends.get(ct.backendId);
      if (b) b.activeSessions++;
    }
    return { services, backends };
  } catch {
    return { services: new Map(), backends: new Map() };
  }
}

/** Per-cube counter snapshots, refreshed when older than `ttlMs`. */
export class CounterCache {
  private readonly snapshots = new Map<string, { at: number; snap: CounterSnapshot }>();

  constructor(
    private readonly host: CubeHost,
    private readonly ttlMs: number,
  ) {}

  /** The cube's counters, read again when the cached ones are older than the TTL. */
  async get(cube: string, kernel: KernelState): Promise<CounterSnapshot> {
    const hit = this.snapshots.get(cube);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.snap;
    const snap = await readCounters(this.host, cube, kernel);
    this.snapshots.set(cube, { at: Date.now(), snap });
    return snap;
  }

  /** Forgets a cube (deleted). */
  drop(cube: string): void {
    this.snapshots.delete(cube);
  }
}
