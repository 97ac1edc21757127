// Test harness for the lbrp dataplane: compiles a variant (TC/XDP × SINGLE/MULTI) with the test
// trace on, loads it unpinned, writes a configuration into the real maps through the TS
// encoders of src/lbrp/dataplane/map-layouts.ts, and runs frames through BPF_PROG_TEST_RUN,
// reporting verdict, out port and output frame. Not a test file itself.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileBpf } from '../../../src/polycubed/runtime/bpf-compile';
import { BpfMap } from '../../../src/polycubed/runtime/bpf-map';
import { loadObject, LoadedObject } from '../../../src/polycubed/runtime/bpf-object';
import {
  buildSkbCtx,
  buildXdpMd,
  SKB_CTX_OFFSETS,
  testRun,
} from '../../../src/polycubed/runtime/prog-test-run';
import {
  BackendValue,
  BackendVipKey,
  BackendVipValue,
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
  F_SERVICE_AFFINITY,
  FROM_BACKEND,
  FROM_FRONTEND,
  Ipv4,
  ServiceKey,
  sumCounters,
  sumU64,
  LbrpCounters,
  DROP,
  DROP_MAX,
  DropReason,
  decodeSessionConfig,
  encodeSessionConfig,
  EV,
  EV_MAX,
  SessionConfig,
  TIMEOUT_MAX,
  SESSION_FORWARD,
  SESSION_REVERSE,
  STRUCT_LAYOUTS,
} from '../../../src/lbrp/dataplane/map-layouts';
import {
  findInBucket,
  sessionBucketOf,
  sessionEntries,
  type SessionEntry,
} from '../../../src/lbrp/dataplane/session-table';
import { TestNet } from '../../fixtures/netns';

export const REPO = join(__dirname, '../../..');
export const LBRP_SOURCE = join(REPO, 'dataplane/lbrp/lbrp.c');
/** Compile cache shared by the dataplane suites (content-addressed, so always current). */
export const CACHE_DIR = join(REPO, '.cache/bpf-test');

export type Hook = 'tc' | 'xdp';
export type Mode = 'single' | 'multi';

/** Every hook and port mode the dataplane is built for (describe.each rows). */
export const VARIANTS: ReadonlyArray<[Hook, Mode]> = [
  ['tc', 'single'],
  ['tc', 'multi'],
  ['xdp', 'single'],
  ['xdp', 'multi'],
];
/** The two kinds of session table entry, by the names of the maps they once were. */
export type SessionTable = 'conntrack' | 'reverse_nat';
const KIND: Record<SessionTable, number> = { conntrack: SESSION_FORWARD, reverse_nat: SESSION_REVERSE };

/** Port ids used by every test variant. FRONTEND 0 catches Polycube bug 10 (0 = "the backend"). */
export const PORTS = { frontend: 0, backend: 1, frontend2: 2, spare: 3 } as const;

/** Small map sizes for tests: the defaults reserve hundreds of MB per loaded variant. */
export const TEST_SIZES = {
  MAX_SERVICES: 1024,
  MAX_SESSIONS: 4096,
  MAX_BACKENDS: 1024,
  MAX_MAGLEV_SLOTS: 65536,
};

/** -D defines of a variant. */
export function variantDefines(
  hook: Hook,
  mode: Mode,
  extra: Record<string, string | number> = {},
): Record<string, string | number> {
  return {
    PCN_XDP: hook === 'xdp' ? 1 : 0,
    SINGLE_PORT_MODE: mode === 'single' ? 1 : 0,
    ...(mode === 'single' ? { FRONTEND_PORT: PORTS.frontend } : {}),
    BACKEND_PORT: PORTS.backend,
    ...extra,
  };
}

/** Compiles lbrp.c (or another copy of it, e.g. a baseline) with `defines` into the shared cache;
 * returns the object path. */
export async function compileLbrp(
  defines: Record<string, string | number>,
  sourcePath: string = LBRP_SOURCE,
): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const res = await compileBpf({ sourcePath, cacheDir: CACHE_DIR, werror: true, defines });
  return res.objPath;
}

/**
 * Records that frames arriving on netdev `ifindex` come from port `port`, as the daemon does:
 * the pcn_ifindex_to_port entry, then the pcn_ifindex_array slot (port + 1) when the ifindex has
 * one (an object without that map — an older build — gets the hash entry only).
 */
export function writeIfindexPorts(
  obj: LoadedObject,
  ifindex: number,
  port: number,
  opts: { array?: boolean; hash?: boolean } = {},
): void {
  if (opts.hash ?? true) obj.map('pcn_ifindex_to_port').update(encodeU32(ifindex), encodeU16(port));
  const array = obj.maps().find((m) => m.name === 'pcn_ifindex_array');
  if ((opts.array ?? true) && array && ifindex < array.maxEntries)
    array.update(encodeU32(ifindex), encodeU16(port + 1));
}

/** The netdev behind each port id (index = port id); a port beyond the list has no netdev. */
export interface PortWiring {
  readonly ifindex: number[];
}

/** Highest ifindex the devices take: below every build's pcn_ifindex_array (default 8192), so
 * the array's fast path is exercised however many netdevs this host has created since boot. */
const LOW_IFINDEX_LIMIT = 8000;

/** Four netdevs in the host namespace (two veth pairs) standing for ports 0..3, with ifindexes
 * below LOW_IFINDEX_LIMIT (free ones picked at random; taken meanwhile: another pick). */
export class PortDevices implements PortWiring {
  readonly net = new TestNet();
  readonly ifindex: number[] = [];

  constructor() {
    for (let i = 0; i < 2; i++) {
      const v = this.addLowVeth();
      this.ifindex.push(this.net.ifindex(undefined, v.a), this.net.ifindex(undefined, v.b));
    }
  }

  private addLowVeth(): { a: string; b: string } {
    let last: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      const a = 1000 + 2 * Math.floor(Math.random() * ((LOW_IFINDEX_LIMIT - 1002) / 2));
      try {
        return this.net.addVeth({ index: [a, a + 1] });
      } catch (err) {
        last = err; // index taken (EEXIST): pick again
      }
    }
    throw new Error(`no free ifindex pair below ${LOW_IFINDEX_LIMIT}: ${String(last)}`);
  }

  cleanup(): void {
    this.net.cleanup();
  }
}

/** A service as tests describe it: its Maglev table is `slots` (backend ids) from slotBase. */
export interface ServiceSpec extends ServiceKey {
  id: number;
  slotBase: number;
  /** Backend id per slot; [] = a service without backends (table_size 0). */
  slots: number[];
  /** session-affinity CLIENT_IP with this timeout (session clock units, 0 = never): F_SERVICE_AFFINITY and service_affinity[id]. */
  affinityTimeout?: number;
}

export interface BackendSpec extends BackendValue {
  id: number;
}

/** Configuration written into the maps for one test. */
export interface DataplaneConfig {
  services: ServiceSpec[];
  backends: BackendSpec[];
  /** src-ip-rewrite: client range → new range (both written, one per direction). */
  srcRewrite?: { from: { net: Ipv4; prefixLen: number }; to: { net: Ipv4; prefixLen: number } };
  /** MULTI: FRONTEND port IP → port id. */
  frontendIps: Record<Ipv4, number>;
  /** backend_to_vip entries (the control plane's opt-in to sessions without reverse_nat entries). */
  backendVips?: BackendVipSpec[];
}

/** One backend_to_vip entry: a backend address and the service behind it. */
export interface BackendVipSpec {
  backend: BackendVipKey;
  service: BackendVipValue;
}

/** What a frame did. */
export interface RunResult {
  verdict: 'pass' | 'drop' | 'redirect' | 'other';
  retval: number;
  /** Port id the runtime redirected to (from the test trace), undefined unless redirected. */
  outPort?: number;
  /** ifindex the runtime looked up for it (0 = not connected). */
  outIfindex?: number;
  /** handle_rx's RX_* code. */
  rxCode: number;
  /** Packet-in reason of this frame, if it was punted. */
  pktinReason?: number;
  data: Buffer;
  /** TC only: cb[0] as the runtime left it (out port << 16 | ifindex on redirect). */
  cb0?: number;
}

const TC_ACT = { OK: 0, SHOT: 2, REDIRECT: 7 };
const XDP_ACT = { DROP: 1, PASS: 2, REDIRECT: 4 };
const TRACE_SIZE = 152;
const NONE = 0xffffffff;

/** One loaded lbrp variant, wired to `devices`. */
export class LbrpUnderTest {
  readonly obj: LoadedObject;
  readonly progFd: number;
  private written: {
    services: Buffer[];
    vips: Buffer[];
    rewrites: Buffer[];
    frontendIps: Buffer[];
    backendVips: Buffer[];
    backendIps: Buffer[];
  } = {
    services: [],
    vips: [],
    rewrites: [],
    frontendIps: [],
    backendVips: [],
    backendIps: [],
  };

  private constructor(
    readonly hook: Hook,
    readonly mode: Mode,
    readonly devices: PortWiring,
    objPath: string,
  ) {
    this.obj = loadObject({ objPath });
    this.progFd = this.obj.program(hook === 'tc' ? 'pcn_entry_tc' : 'pcn_entry_xdp').fd;
    // Every wired port is known by its ifindex; all but port 3 (PORTS.spare) are peered with it.
    for (let port = 0; port < devices.ifindex.length; port++) {
      writeIfindexPorts(this.obj, devices.ifindex[port], port);
      this.map('pcn_port_to_ifindex').update(
        encodeU32(port),
        encodeU32(port === PORTS.spare ? 0 : devices.ifindex[port]),
      );
    }
  }

  /** Compiles (cached) and loads a variant with the test trace and small maps; `sourcePath`
   * selects another copy of lbrp.c (the bench's baseline). */
  static async load(
    hook: Hook,
    mode: Mode,
    devices: PortWiring,
    extra: Record<string, string | number> = {},
    sourcePath: string = LBRP_SOURCE,
  ): Promise<LbrpUnderTest> {
    const objPath = await compileLbrp(
      variantDefines(hook, mode, { PCN_TEST_TRACE: 1, ...TEST_SIZES, ...extra }),
      sourcePath,
    );
    return new LbrpUnderTest(hook, mode, devices, objPath);
  }

  map(name: string): BpfMap {
    return this.obj.map(name);
  }

  /** Writes `cfg` into the maps (after removing what the previous configure wrote). */
  configure(cfg: DataplaneConfig): void {
    this.unconfigure();
    // As the control plane does: a backend_to_vip entry exists before a backend is flagged
    // F_BACKEND_UNIQUE, and a backend exists before a table names it.
    for (const e of cfg.backendVips ?? []) this.setBackendVip(e);
    for (const b of cfg.backends) this.setBackend(b);
    for (const s of cfg.services) this.addService(s);
    if (cfg.srcRewrite) {
      const { from, to } = cfg.srcRewrite;
      const hostMask = prefixHostMask(from.prefixLen);
      const fwdKey = encodeSrcRewriteKey({ prefixLen: from.prefixLen, addr: from.net });
      const backKey = encodeSrcRewriteKey({ prefixLen: to.prefixLen, addr: to.net });
      this.map('src_ip_rewrite').update(
        fwdKey,
        encodeSrcRewriteValue({ newNet: to.net, hostMask, sense: FROM_FRONTEND }),
      );
      this.map('src_ip_rewrite').update(
        backKey,
        encodeSrcRewriteValue({ newNet: from.net, hostMask, sense: FROM_BACKEND }),
      );
      this.written.rewrites.push(fwdKey, backKey);
    }
    for (const [ip, port] of Object.entries(cfg.frontendIps)) {
      const key = encodeIpv4Key(ip);
      this.map('ip_to_frontend_port').update(key, encodeU16(port));
      this.written.frontendIps.push(key);
    }
  }

  /** Writes session_config (secret, timeouts, admission); fields left out are zero. */
  setSessionConfig(c: Partial<SessionConfig> = {}): void {
    const full: SessionConfig = {
      secret: c.secret ?? [0, 0, 0, 0],
      timeouts: c.timeouts ?? new Array<number>(TIMEOUT_MAX).fill(0),
      admitPerJiffyQ16: c.admitPerJiffyQ16 ?? 0n,
      admitBurstQ16: c.admitBurstQ16 ?? 0n,
    };
    this.map('session_config').update(encodeU32(0), encodeSessionConfig(full));
  }

  /** The session_config the program reads. */
  sessionConfig(): SessionConfig {
    return decodeSessionConfig(this.map('session_config').lookup(encodeU32(0)) ?? Buffer.alloc(56));
  }

  /** session_events[slot] summed over CPUs. */
  sessionEvent(slot: keyof typeof EV): bigint {
    return sumU64(this.map('session_events').lookupPerCpu(encodeU32(EV[slot])) ?? []);
  }

  /** Every session_events slot summed over CPUs, by name. */
  sessionEvents(): Record<keyof typeof EV, bigint> {
    const out = {} as Record<keyof typeof EV, bigint>;
    for (const name of Object.keys(EV) as Array<keyof typeof EV>) out[name] = this.sessionEvent(name);
    return out;
  }

  /** Removes the configuration and every session. */
  unconfigure(): void {
    const w = this.written;
    for (const k of w.services.splice(0)) this.map('services').delete(k);
    for (const k of w.vips.splice(0)) this.map('vips').delete(k);
    for (const k of w.rewrites.splice(0)) this.map('src_ip_rewrite').delete(k);
    for (const k of w.frontendIps.splice(0)) this.map('ip_to_frontend_port').delete(k);
    for (const k of w.backendVips.splice(0)) this.map('backend_to_vip').delete(k);
    // backend_ips, frag_track and the session maps may be missing in a baseline dataplane of
    // bench:dataplane (which may predate them, or keep sessions in LRU hash maps).
    const maps = new Map(this.obj.maps().map((m) => [m.name, m]));
    for (const k of w.backendIps.splice(0)) maps.get('backend_ips')?.delete(k);
    // The session table and the fragments' translations.
    for (const name of ['sessions', 'conntrack', 'reverse_nat', 'frag_track', 'affinity', 'service_affinity'])
      maps.get(name)?.clear();
    // The session policy back to "unkeyed, no timeouts, no limit", events and token buckets zeroed.
    if (maps.has('session_config')) this.setSessionConfig();
    if (maps.has('session_events'))
      for (let i = 0; i < EV_MAX; i++) this.map('session_events').updatePerCpu(encodeU32(i), Buffer.alloc(8));
    if (maps.has('admission')) this.map('admission').updatePerCpu(encodeU32(0), Buffer.alloc(16));
  }

  /** Writes a service: its Maglev table, its `services` entry and its VIP (removed by
   * unconfigure). */
  addService(s: ServiceSpec): void {
    s.slots.forEach((backendId, i) =>
      this.map('maglev_slots').update(encodeU32(s.slotBase + i), encodeU32(backendId)),
    );
    const key = encodeServiceKey(s);
    // As the control plane does: the timeout is written before the flag that makes it read.
    if (s.affinityTimeout !== undefined)
      this.map('service_affinity').update(encodeU32(s.id), encodeU32(s.affinityTimeout));
    const flags = s.affinityTimeout !== undefined ? F_SERVICE_AFFINITY : 0;
    this.map('services').update(
      key,
      encodeServiceValue({ serviceId: s.id, slotBase: s.slotBase, tableSize: s.slots.length, flags }),
    );
    this.written.services.push(key);
    const vip = encodeIpv4Key(s.vip);
    this.map('vips').update(vip, encodeU32(1));
    this.written.vips.push(vip);
  }

  /** Writes backends[b.id] (address and flags) and, as the control plane does, its address in
   * backend_ips (value 1: the datapath reads only presence; removed by unconfigure). */
  setBackend(b: BackendSpec): void {
    this.map('backends').update(encodeU32(b.id), encodeBackendValue(b));
    const ips = this.obj.maps().find((m) => m.name === 'backend_ips');
    if (!ips) return;
    const key = encodeIpv4Key(b.ip);
    ips.update(key, encodeU32(1));
    if (!this.written.backendIps.some((k) => k.equals(key))) this.written.backendIps.push(key);
  }

  /** Writes a backend_to_vip entry (removed by unconfigure). */
  setBackendVip(e: BackendVipSpec): void {
    const key = encodeBackendVipKey(e.backend);
    this.map('backend_to_vip').update(key, encodeBackendVipValue(e.service));
    this.written.backendVips.push(key);
  }

  /** Marks backend `id` active or not (drain / restore), keeping its address and other flags. */
  setBackendActive(b: BackendSpec, active: boolean): void {
    this.setBackend({ ...b, flags: (b.flags & ~F_BACKEND_ACTIVE) | (active ? F_BACKEND_ACTIVE : 0) });
  }

  /** Entries of one kind (conntrack or reverse_nat) in the session table. */
  sessions(kind: SessionTable): number {
    return this.sessionEntries(kind).length;
  }

  /** Every entry of one kind in the session table. */
  sessionEntries(kind: SessionTable): SessionEntry[] {
    const buckets = this.map('sessions')
      .dump()
      .map(([, v]) => v);
    return sessionEntries(buckets, KIND[kind]);
  }

  /**
   * The value (conntrack_value or reverse_nat_value bytes) of the entry of one kind whose key is
   * `key` (an encoded flow_key; its kind byte is set here).
   */
  session(kind: SessionTable, key: Buffer): Buffer | undefined {
    const k = Buffer.from(key);
    k[STRUCT_LAYOUTS.flow_key.fields.kind.offset] = KIND[kind];
    const m = this.map('sessions');
    const bucket = m.lookup(encodeU32(this.bucketOf(k)));
    return bucket && findInBucket(bucket, k);
  }

  /** The bucket of an encoded flow_key (its kind set) under the secret the program reads. */
  bucketOf(key: Buffer): number {
    const secret = this.obj.maps().some((m) => m.name === 'session_config')
      ? this.sessionConfig().secret
      : undefined;
    return sessionBucketOf(key, this.map('sessions').maxEntries, secret);
  }

  /**
   * Makes the entry of one kind with key `key` (an encoded flow_key) `by` session clock units
   * older, as if idle that long. Returns false when there is no such entry.
   */
  ageSession(kind: SessionTable, key: Buffer, by: number): boolean {
    const k = Buffer.from(key);
    k[STRUCT_LAYOUTS.flow_key.fields.kind.offset] = KIND[kind];
    const m = this.map('sessions');
    const idx = encodeU32(this.bucketOf(k));
    const bucket = m.lookup(idx);
    const entry = STRUCT_LAYOUTS.session_entry;
    for (let at = 0; bucket && at < bucket.length; at += entry.size) {
      if (!bucket.subarray(at, at + k.length).equals(k)) continue;
      const off = at + entry.fields.last_seen.offset;
      bucket.writeUInt32LE((bucket.readUInt32LE(off) - by) >>> 0, off);
      m.update(idx, bucket);
      return true;
    }
    return false;
  }

  /** Points maglev_slots[index] at backend id. */
  setSlot(index: number, backendId: number): void {
    this.map('maglev_slots').update(encodeU32(index), encodeU32(backendId));
  }

  /** Runs one frame arriving on port `inPort` (or on netdev `ifindex` when given). */
  run(frame: Buffer, inPort: number, opts: { ifindex?: number } = {}): RunResult {
    const ifindex = opts.ifindex ?? this.devices.ifindex[inPort];
    const trace = this.map('pcn_test_trace');
    const zero = Buffer.alloc(TRACE_SIZE);
    zero.writeUInt32LE(NONE, 8);
    zero.writeUInt32LE(NONE, 16);
    trace.updatePerCpu(encodeU32(0), zero);
    const ctxIn =
      this.hook === 'tc'
        ? buildSkbCtx({ ifindex, ingressIfindex: ifindex })
        : buildXdpMd(frame.length, { ingressIfindex: ifindex });
    const res = testRun(this.progFd, { data: frame, ctxIn });
    const slots = trace.lookupPerCpu(encodeU32(0)) ?? [];
    const t = slots.find((s) => s.readUInt32LE(0) > 0);
    if (!t) throw new Error('the program left no trace (was it built with PCN_TEST_TRACE=1?)');
    const outPort = t.readUInt32LE(8);
    const pktin = t.readUInt32LE(16);
    const r: RunResult = {
      verdict: this.verdictOf(res.retval),
      retval: res.retval,
      rxCode: t.readUInt32LE(4),
      data: res.data,
      ...(outPort !== NONE ? { outPort, outIfindex: t.readUInt32LE(12) } : {}),
      ...(pktin !== NONE ? { pktinReason: pktin } : {}),
      ...(this.hook === 'tc' && res.ctxOut ? { cb0: res.ctxOut.readUInt32LE(SKB_CTX_OFFSETS.cb) } : {}),
    };
    return r;
  }

  /**
   * Runs one frame without touching the trace map (fuzzing, benches): verdict, output frame and,
   * on TC, cb[0]. Throws KernelError when BPF_PROG_TEST_RUN refuses the frame.
   */
  runFast(frame: Buffer, ifindex: number): { verdict: RunResult['verdict']; data: Buffer; cb0?: number } {
    const ctxIn =
      this.hook === 'tc'
        ? buildSkbCtx({ ifindex, ingressIfindex: ifindex })
        : buildXdpMd(frame.length, { ingressIfindex: ifindex });
    const res = testRun(this.progFd, { data: frame, ctxIn });
    return {
      verdict: this.verdictOf(res.retval),
      data: res.data,
      ...(this.hook === 'tc' && res.ctxOut ? { cb0: res.ctxOut.readUInt32LE(SKB_CTX_OFFSETS.cb) } : {}),
    };
  }

  /**
   * Runs one frame like runFast and also reads the out port from the test trace, without resetting
   * it first: the CPU whose trace seq moved since the last call ran this frame. `outPort` is set
   * only when the frame was redirected. Throws KernelError when BPF_PROG_TEST_RUN refuses it.
   */
  runTraced(
    frame: Buffer,
    ifindex: number,
  ): { verdict: RunResult['verdict']; data: Buffer; cb0?: number; outPort?: number } {
    const res = this.runFast(frame, ifindex);
    const slots = this.map('pcn_test_trace').lookupPerCpu(encodeU32(0)) ?? [];
    let outPort: number | undefined;
    slots.forEach((s, cpu) => {
      const seq = s.readUInt32LE(0);
      if (seq === (this.traceSeq[cpu] ?? 0)) return;
      this.traceSeq[cpu] = seq;
      const p = s.readUInt32LE(8);
      outPort = p === NONE ? undefined : p;
    });
    return { ...res, ...(outPort !== undefined ? { outPort } : {}) };
  }

  private traceSeq: number[] = [];

  /** Every drop_stats slot (index = -DROP_*), summed over CPUs. */
  dropCounts(): bigint[] {
    return Array.from({ length: DROP_MAX }, (_, i) =>
      i === 0 ? 0n : sumU64(this.map('drop_stats').lookupPerCpu(encodeU32(i)) ?? []),
    );
  }

  /** Per-port redirect counts of the test trace, summed over CPUs (index = port id). */
  redirectCounts(): bigint[] {
    const counts = new Array<bigint>(16).fill(0n);
    for (const slot of this.map('pcn_test_trace').lookupPerCpu(encodeU32(0)) ?? []) {
      for (let p = 0; p < 16; p++) counts[p] += slot.readBigUInt64LE(24 + 8 * p);
    }
    return counts;
  }

  /** Zeroes the test trace. */
  resetTrace(): void {
    this.map('pcn_test_trace').updatePerCpu(encodeU32(0), Buffer.alloc(TRACE_SIZE));
    this.traceSeq = [];
  }

  private verdictOf(retval: number): RunResult['verdict'] {
    const act = this.hook === 'tc' ? TC_ACT : XDP_ACT;
    if (retval === act.REDIRECT) return 'redirect';
    if (retval === (this.hook === 'tc' ? TC_ACT.OK : XDP_ACT.PASS)) return 'pass';
    if (retval === (this.hook === 'tc' ? TC_ACT.SHOT : XDP_ACT.DROP)) return 'drop';
    return 'other';
  }

  /** drop_stats[-reason] summed over CPUs. */
  drops(reason: DropReason): bigint {
    return sumU64(this.map('drop_stats').lookupPerCpu(encodeU32(-DROP[reason])) ?? []);
  }

  /** pcn_runtime_stats[slot] summed over CPUs. */
  runtimeStat(slot: number): bigint {
    return sumU64(this.map('pcn_runtime_stats').lookupPerCpu(encodeU32(slot)) ?? []);
  }

  /** service_stats or backend_stats[id] summed over CPUs (or the shared value: LBRP_PERCPU_STATS 0). */
  counters(map: 'service_stats' | 'backend_stats', id: number): LbrpCounters {
    const m = this.map(map);
    if (!m.perCpu) return sumCounters([m.lookup(encodeU32(id)) ?? Buffer.alloc(24)]);
    return sumCounters(m.lookupPerCpu(encodeU32(id)) ?? []);
  }

  close(): void {
    this.obj.close();
  }
}

/** Host bits of a prefix as a dotted mask (24 → "0.0.0.255"). */
export function prefixHostMask(prefixLen: number): Ipv4 {
  const m = prefixLen === 0 ? 0xffffffff : (2 ** (32 - prefixLen) - 1) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 0xff).join('.');
}
