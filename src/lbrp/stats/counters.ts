// Operational counters of a cube, its services and backends: packets, bytes and sessions created
// (per-CPU service_stats / backend_stats, summed), open sessions now (open-sessions.ts over the
// session table, with session_config's timeouts and the kernel's clock), the table's used ways and
// the session table's events (per-CPU session_events, summed). Read through the CubeHost at most
// once per `ttlMs` per cube.

import {
  decodeSessionConfig,
  dropReasonName,
  DROP_MAX,
  EV,
  sumCounters,
  sumU64,
  TIMEOUT_MAX,
} from '../dataplane/map-layouts';
import type { SessionClock } from '../dataplane/session-clock';
import { sessionEntries } from '../dataplane/session-table';
import type { CubeHost } from '../sync/cube-host';
import type { KernelState } from '../sync/kernel-state';
import { MAPS } from '../sync/map-plan';
import { encodeU32, decodeU32 } from '../dataplane/map-layouts';
import { countSessions } from './open-sessions';

/** One service's or backend's counters. */
export interface Counters {
  packets: number;
  bytes: number;
  activeSessions: number;
  totalSessions: number;
}

/** The cube's session table counters (config-false cube leaves). */
export interface CubeCounters {
  /** Open sessions (new or established, not expired). */
  activeSessions: number;
  /** Used ways of the session table, both kinds. */
  sessionTableEntries: number;
  admissionsRefused: number;
  evictionsExpired: number;
  evictionsUnestablished: number;
  evictionsEstablished: number;
  sessionsNotStored: number;
  statelessReplies: number;
  fragmentsTranslated: number;
}

/** YANG names of the cube counters, in YANG order. */
export const CUBE_COUNTER_LEAVES: Readonly<Record<keyof CubeCounters, string>> = {
  activeSessions: 'active-sessions',
  sessionTableEntries: 'session-table-entries',
  admissionsRefused: 'admissions-refused',
  evictionsExpired: 'evictions-expired',
  evictionsUnestablished: 'evictions-unestablished',
  evictionsEstablished: 'evictions-established',
  sessionsNotStored: 'sessions-not-stored',
  statelessReplies: 'stateless-replies',
  fragmentsTranslated: 'fragments-translated',
};

/** The session_events slot behind each event counter. */
const EVENT_SLOTS: ReadonlyArray<readonly [keyof CubeCounters, number]> = [
  ['admissionsRefused', EV.ADMISSION_REFUSED],
  ['evictionsExpired', EV.EVICT_EXPIRED],
  ['evictionsUnestablished', EV.EVICT_UNESTABLISHED],
  ['evictionsEstablished', EV.EVICT_ESTABLISHED],
  ['sessionsNotStored', EV.TABLE_FULL],
  ['statelessReplies', EV.STATELESS_REPLY],
  ['fragmentsTranslated', EV.FRAG_TRANSLATED],
];

export const ZERO_CUBE_COUNTERS: CubeCounters = Object.freeze({
  activeSessions: 0,
  sessionTableEntries: 0,
  admissionsRefused: 0,
  evictionsExpired: 0,
  evictionsUnestablished: 0,
  evictionsEstablished: 0,
  sessionsNotStored: 0,
  statelessReplies: 0,
  fragmentsTranslated: 0,
});

/** Frames dropped for one reason (an entry of the config-false `drop` list). */
export interface DropCount {
  /** The DROP_* name in lower case with dashes, e.g. "no-backend". */
  reason: string;
  packets: number;
}

/** Counters by kernel id, and the cube's. */
export interface CounterSnapshot {
  services: ReadonlyMap<number, Counters>;
  backends: ReadonlyMap<number, Counters>;
  cube: CubeCounters;
  /** Every drop reason the dataplane knows, in DROP_* order (zeros included). */
  drops: readonly DropCount[];
}

/** The `drop` list key of drop_stats index `i` (1..DROP_MAX-1), e.g. 4 → "no-frontend-for-ip". */
export function dropReasonKey(i: number): string | undefined {
  return dropReasonName(i)?.toLowerCase().replace(/_/g, '-');
}

/** Every reason at zero: what a cube shows before its drop_stats can be read. */
export const ZERO_DROPS: readonly DropCount[] = Object.freeze(
  Array.from({ length: DROP_MAX - 1 }, (_, i) => ({ reason: dropReasonKey(i + 1) as string, packets: 0 })),
);

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

/** session_config's timeouts (all 0 = never, when the map cannot be read: an older program). */
async function readTimeouts(host: CubeHost, cube: string): Promise<number[]> {
  try {
    const [e] = await host.readMaps(cube, MAPS.sessionConfig, [encodeU32(0)]);
    if (e) return decodeSessionConfig(e.value).timeouts;
  } catch {
    // no session_config map
  }
  return new Array<number>(TIMEOUT_MAX).fill(0);
}

/** session_events summed over CPUs, into `out` (left at 0 when the map cannot be read). */
async function readEvents(host: CubeHost, cube: string, out: CubeCounters): Promise<void> {
  let entries;
  try {
    entries = await host.readMaps(
      cube,
      MAPS.sessionEvents,
      EVENT_SLOTS.map(([, slot]) => encodeU32(slot)),
    );
  } catch {
    return; // no session_events map
  }
  const bySlot = new Map(entries.map((e) => [decodeU32(e.key), e]));
  for (const [name, slot] of EVENT_SLOTS) {
    const e = bySlot.get(slot);
    const cpus = e ? (e.perCpu.length > 0 ? e.perCpu : [e.value]) : [];
    out[name] = Number(sumU64(cpus));
  }
}

/** drop_stats summed over CPUs, one entry per reason (zeros when the map cannot be read). */
async function readDrops(host: CubeHost, cube: string): Promise<DropCount[]> {
  let entries;
  try {
    entries = await host.readMaps(
      cube,
      MAPS.dropStats,
      ZERO_DROPS.map((_, i) => encodeU32(i + 1)),
    );
  } catch {
    return ZERO_DROPS.map((d) => ({ ...d }));
  }
  const bySlot = new Map(entries.map((e) => [decodeU32(e.key), e]));
  return ZERO_DROPS.map((d, i) => {
    const e = bySlot.get(i + 1);
    const cpus = e ? (e.perCpu.length > 0 ? e.perCpu : [e.value]) : [];
    return { reason: d.reason, packets: Number(sumU64(cpus)) };
  });
}

/**
 * Reads the counters of the cube and of every service and backend of `kernel` (never throws:
 * empty on failure). `clock` gives the session clock's now; without it nothing counts as expired.
 */
export async function readCounters(
  host: CubeHost,
  cube: string,
  kernel: KernelState,
  clock?: () => Promise<SessionClock>,
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
    const timeouts = await readTimeouts(host, cube);
    const buckets = (await host.readMaps(cube, MAPS.sessions)).map((e) => e.value);
    // The clock after the dump: no entry read can be newer than `now` (a last_seen past `now`
    // would look idle for ~2^32 units, i.e. expired).
    const now = clock ? await (await clock()).now() : undefined;
    const count = countSessions(sessionEntries(buckets), timeouts, now);
    for (const [id, n] of count.byService) {
      const s = services.get(id);
      if (s) s.activeSessions = n;
    }
    for (const [id, n] of count.byBackend) {
      const b = backends.get(id);
      if (b) b.activeSessions = n;
    }
    const cubeCounters = {
      ...ZERO_CUBE_COUNTERS,
      activeSessions: count.open,
      sessionTableEntries: count.entries,
    };
    await readEvents(host, cube, cubeCounters);
    const drops = await readDrops(host, cube);
    return { services, backends, cube: cubeCounters, drops };
  } catch {
    return { services: new Map(), backends: new Map(), cube: ZERO_CUBE_COUNTERS, drops: ZERO_DROPS };
  }
}

/** Per-cube counter snapshots, refreshed when older than `ttlMs`. */
export class CounterCache {
  private readonly snapshots = new Map<string, { at: number; snap: CounterSnapshot }>();

  constructor(
    private readonly host: CubeHost,
    private readonly ttlMs: number,
    private readonly clock?: () => Promise<SessionClock>,
  ) {}

  /** The cube's counters, read again when the cached ones are older than the TTL. */
  async get(cube: string, kernel: KernelState): Promise<CounterSnapshot> {
    const hit = this.snapshots.get(cube);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.snap;
    const snap = await readCounters(this.host, cube, kernel, this.clock);
    this.snapshots.set(cube, { at: Date.now(), snap });
    return snap;
  }

  /** How long (ms) the cube's cached counters remain the ones READs show; 0 when none are cached. */
  ttlLeft(cube: string): number {
    const hit = this.snapshots.get(cube);
    return hit ? Math.max(0, hit.at + this.ttlMs - Date.now()) : 0;
  }

  /** Forgets a cube (deleted). */
  drop(cube: string): void {
    this.snapshots.delete(cube);
  }
}
