// One cube's dataplane: its program (compiled with pcn.h, loaded, pinned at <pinDir>/prog), its
// maps (pinned at <pinDir>/maps/<name>, reused across reloads so their state survives), the
// port ↔ netdev bindings (TC ingress or XDP per cube type, plus the pcn port maps; a program with
// a TC egress entry point is also attached at TC egress of every bound netdev), and the
// log and packet-in ring readers. Adopts pinned objects after a daemon restart without reloading.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileBpf } from './bpf-compile';
import { BpfMap } from './bpf-map';
import { BpfProgType } from './bpf-types';
import { LoadedObject, loadObject, unpinAll } from './bpf-object';
import { check } from './ffi-check';
import { libbpf, libc } from './libbpf-ffi';
import { numPossibleCpus } from './bpf-map';
import { programMemory, type ProgramMemory } from './map-memory';
import { attachTc, attachXdp, detachTc, detachXdp, queryTc, type XdpMode } from './netdev-attach';
import { progInfoByFd } from './obj-info';
import { RingBufferReader } from './ring-buffer';
import { decodeLogRecord, decodePktIn, type LogRecord, type PktInRecord } from './pcn-records';
import { vethPeerMac } from './veth-peer';

/** Hook of a cube: TC ingress, or XDP in generic (SKB) or native (DRV) mode. */
export type CubeHook = 'TC' | 'XDP_SKB' | 'XDP_DRV';

/** What a service pushes to build a cube's program (LoadDataplane). */
export interface ProgramSource {
  /** Relative path → C source. */
  files: Record<string, string>;
  /** The file to compile. */
  entry: string;
  /** -D parameters; CUBE_ID, LOG_LEVEL, PCN_XDP and PCN_POSSIBLE_CPUS are set by the runtime and win. */
  defines: Record<string, string>;
  /** max_entries overrides by map name. */
  mapSizes: Record<string, number>;
  /** Replace pinned maps whose shape changed (losing their contents) instead of failing. */
  replaceIncompatibleMaps?: boolean;
}

/** Fixed settings of one cube's dataplane. */
export interface CubeDataplaneOptions {
  cube: string;
  cubeId: number;
  hook: CubeHook;
  /** `<pinRoot>/<cube>`: on a bpffs. */
  pinDir: string;
  cacheDir: string;
  /** `-I` directories after the service's own files (pcn.h's directory first). */
  includeDirs: string[];
  /**
   * TC: hand frames for a veth peer in another namespace straight to it (bpf_redirect_peer,
   * runtime README "Veth peer shortcut"). Off: every frame is transmitted on the port's netdev.
   */
  vethPeerShortcut?: boolean;
  onLog(record: LogRecord): void;
  onPacketIn(record: PktInRecord): void;
  /** Failures that happen off any request (ring decode errors). */
  onError(err: unknown): void;
  /**
   * Called with the kernel memory a new program's maps will take, before anything is created;
   * throwing refuses the load (polycubed's kernel memory budget).
   */
  admit?: (memory: ProgramMemory) => void;
}

/** Outcome of a successful load. */
export interface LoadOutcome {
  /** False on the cube's first program. */
  reloaded: boolean;
  programId: number;
  /** clang's warnings ('' when the object came from the cache). */
  warnings: string;
}

/** A port bound to a netdev: where the program is attached for it. */
export interface Binding {
  ifindex: number;
  /** True when attaching created the clsact qdisc (so detaching may remove it). */
  createdHook: boolean;
}

interface Program {
  fd: number;
  id: number;
  /** The TC egress entry point (pcn_entry_tc_egress), when the program has one. */
  egress?: { fd: number; id: number };
  maps: Map<string, BpfMap>;
  release(): void;
}

interface Reader {
  reader: RingBufferReader;
  map: BpfMap;
  mapId: number;
}

const LOG_RING = 'pcn_log_ring';
const PKTIN_RING = 'pcn_pktin_ring';
const IFINDEX_TO_PORT = 'pcn_ifindex_to_port';
const PORT_TO_IFINDEX = 'pcn_port_to_ifindex';
/** Fast path of the ingress port lookup: ifindex → port id + 1 (0 = look in the hash). */
const IFINDEX_ARRAY = 'pcn_ifindex_array';
/** TC only: port id → struct pcn_port_peer { u8 mac[6]; u16 on }. */
const PORT_PEER = 'pcn_port_peer';
const ENTRY = { TC: 'pcn_entry_tc', XDP: 'pcn_entry_xdp', TC_EGRESS: 'pcn_entry_tc_egress' } as const;
/** LOG_LEVEL macro values of pcn_api.h. */
const LOG_MACROS = ['LOG_TRACE', 'LOG_DEBUG', 'LOG_INFO', 'LOG_WARN', 'LOG_ERR', 'LOG_CRITICAL', 'LOG_OFF'];

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

/** struct pcn_port_peer: the peer's MAC and on = 1, or all zero (off). */
function encodePortPeer(mac: Buffer | undefined): Buffer {
  const b = Buffer.alloc(8);
  if (mac) {
    mac.copy(b, 0, 0, 6);
    b.writeUInt16LE(1, 6);
  }
  return b;
}

/** The kernel side of one cube. Not thread-safe; the daemon serialises calls. */
export class CubeDataplane {
  readonly opts: CubeDataplaneOptions;
  private prog: Program | undefined;
  private readonly bindings = new Map<number, Binding>();
  /** Peer MAC (hex) last written to pcn_port_peer per port id ('' = shortcut off). */
  private readonly peerMacs = new Map<number, string>();
  private readers: Reader[] = [];
  private memoryValue: ProgramMemory = { total: 0, maps: [] };

  constructor(opts: CubeDataplaneOptions) {
    this.opts = opts;
  }

  /** Where the program is pinned. */
  get progPin(): string {
    return join(this.opts.pinDir, 'prog');
  }

  /** Where the TC egress program is pinned (when the program has one). */
  get egressPin(): string {
    return join(this.opts.pinDir, 'prog_egress');
  }

  /** Where the maps are pinned. */
  get mapsDir(): string {
    return join(this.opts.pinDir, 'maps');
  }

  /** True once a program is loaded or adopted. */
  get loaded(): boolean {
    return this.prog !== undefined;
  }

  /** Kernel id of the running program, 0 when none. */
  get programId(): number {
    return this.prog?.id ?? 0;
  }

  /** Kernel memory of the running program's maps (0 when none is loaded). */
  get memory(): ProgramMemory {
    return this.memoryValue;
  }

  /** True when a program pin exists for this cube (so `adopt` can succeed). */
  hasPins(): boolean {
    return existsSync(this.progPin);
  }

  /**
   * Takes over the pinned program and maps left by a previous daemon: nothing is reloaded or
   * re-attached, so traffic and map state are untouched. Returns false when there is no program pin.
   */
  adopt(): boolean {
    if (!this.hasPins() || this.prog) return false;
    const fd = check(libbpf.bpf_obj_get(this.progPin), 'program open', this.progPin);
    const maps = new Map<string, BpfMap>();
    let egress: { fd: number; id: number } | undefined;
    try {
      const info = progInfoByFd(fd, this.progPin);
      if (existsSync(this.egressPin)) {
        const efd = check(libbpf.bpf_obj_get(this.egressPin), 'program open', this.egressPin);
        egress = { fd: efd, id: 0 };
        egress.id = progInfoByFd(efd, this.egressPin).id;
      }
      if (existsSync(this.mapsDir)) {
        for (const name of readdirSync(this.mapsDir).sort())
          maps.set(name, BpfMap.fromPinned(join(this.mapsDir, name)));
      }
      this.memoryValue = programMemory([...maps.values()], numPossibleCpus());
      const egressFd = egress?.fd;
      this.prog = {
        fd,
        id: info.id,
        ...(egress ? { egress } : {}),
        maps,
        release: () => {
          for (const m of maps.values()) m.close();
          if (egressFd !== undefined) libc.close(egressFd);
          libc.close(fd);
        },
      };
    } catch (err) {
      for (const m of maps.values()) m.close();
      if (egress) libc.close(egress.fd);
      libc.close(fd);
      throw err;
    }
    this.syncReaders();
    return true;
  }

  /**
   * Compiles and loads `src` with the runtime's defines, then swaps it in: program pinned, every
   * bound netdev switched atomically (TC replace / XDP replace), old program released. Maps are
   * reused from the pins, so their contents survive. Throws CompileError, VerifierError or
   * KernelError and then leaves the running program and every attachment exactly as they were.
   */
  async load(src: ProgramSource, logLevel: number): Promise<LoadOutcome> {
    const xdp = this.opts.hook !== 'TC';
    const defines: Record<string, string> = {
      ...src.defines,
      CUBE_ID: String(this.opts.cubeId),
      LOG_LEVEL: LOG_MACROS[logLevel] ?? 'LOG_INFO',
      PCN_XDP: xdp ? '1' : '0',
      // Lets a program size what grows with the CPU count (lbrp's counters, lbrp_consts.h).
      PCN_POSSIBLE_CPUS: String(numPossibleCpus()),
    };
    const compiled = await compileBpf({
      files: src.files,
      entry: src.entry,
      defines,
      includeDirs: this.opts.includeDirs,
      cacheDir: this.opts.cacheDir,
    });
    const obj = loadObject({
      objPath: compiled.objPath,
      objectName: this.opts.cube.slice(0, 15),
      pinDir: this.mapsDir,
      mapOverrides: src.mapSizes,
      replaceIncompatiblePins: src.replaceIncompatibleMaps ?? false,
      ...(this.opts.admit ? { admit: this.opts.admit } : {}),
    });
    let next: Program;
    try {
      next = this.programOf(obj, xdp);
    } catch (err) {
      obj.close();
      throw err;
    }
    const old = this.prog;
    try {
      this.swapIn(next, old);
    } catch (err) {
      obj.close();
      throw err;
    }
    this.prog = next;
    this.memoryValue = obj.memory;
    old?.release();
    this.writePortMaps();
    this.syncReaders();
    return { reloaded: old !== undefined, programId: next.id, warnings: compiled.warnings };
  }

  /**
   * Binds port `portId` to netdev `ifindex`: the pcn port maps are written and, once a program
   * is loaded, it is attached to the netdev (kept as is when it already runs there, e.g. after
   * adoption). `createdHook` restores what a previous daemon recorded for this attachment.
   */
  bind(portId: number, ifindex: number, createdHook = false): void {
    const prev = this.bindings.get(portId);
    if (prev && prev.ifindex !== ifindex) this.unbind(portId, true);
    const binding: Binding = {
      ifindex,
      createdHook: (prev?.ifindex === ifindex && prev.createdHook) || createdHook,
    };
    if (this.prog) this.attach(binding, this.prog, false);
    this.bindings.set(portId, binding);
    this.writePortMap(portId, ifindex);
  }

  /**
   * Unbinds a port: detaches the program from its netdev (unless `gone`: the netdev no longer
   * exists) and clears the port's entries in the pcn port maps. Unknown ports are fine.
   */
  unbind(portId: number, gone = false): void {
    const binding = this.bindings.get(portId);
    if (!binding) return;
    this.bindings.delete(portId);
    this.clearPortMap(portId, binding.ifindex);
    if (gone || !this.prog) return;
    this.detachOne(binding, this.prog.fd);
  }

  /**
   * Clears the pcn port-map entries a previous daemon left for a port that is not bound now
   * (its netdev is gone), so the program never redirects to a stale ifindex.
   */
  forgetPort(portId: number, ifindex: number): void {
    if (this.bindings.has(portId)) return;
    this.clearPortMap(portId, ifindex);
  }

  /**
   * Looks again at every bound port's veth peer (moved to another namespace, new MAC) and updates
   * pcn_port_peer where it changed. The netdev watch calls it on every poll.
   */
  refreshPeers(): void {
    for (const [portId, b] of this.bindings) this.writePortPeer(portId, b.ifindex);
  }

  /** Current bindings by port id (persisted so a restarted daemon knows which hooks it created). */
  bindingState(): Record<number, Binding> {
    return Object.fromEntries([...this.bindings].map(([id, b]) => [id, { ...b }]));
  }

  /** The map named `name` of the running program, or undefined. */
  map(name: string): BpfMap | undefined {
    return this.prog?.maps.get(name);
  }

  /** Names of the running program's maps. */
  mapNames(): string[] {
    return [...(this.prog?.maps.keys() ?? [])];
  }

  /** Stops the readers and closes every fd; programs, filters and pins stay. Idempotent. */
  close(): void {
    for (const r of this.readers) {
      r.reader.close();
      r.map.close();
    }
    this.readers = [];
    this.prog?.release();
    this.prog = undefined;
    this.memoryValue = { total: 0, maps: [] };
  }

  /** Removes everything of the cube from the kernel: attachments, hooks it created, pins. */
  destroy(): void {
    const errors: unknown[] = [];
    for (const portId of [...this.bindings.keys()]) {
      try {
        this.unbind(portId);
      } catch (err) {
        errors.push(err);
      }
    }
    this.close();
    unpinAll(this.opts.pinDir);
    if (errors.length > 0) throw errors[0];
  }

  private tcIds(): { handle: number; priority: number } {
    return { handle: 0x6c62, priority: 0x6c62 }; // netdev-attach's defaults, spelled out for detach
  }

  private xdpMode(): XdpMode {
    return this.opts.hook === 'XDP_DRV' ? 'drv' : 'skb';
  }

  private programOf(obj: LoadedObject, xdp: boolean): Program {
    const want = xdp ? BpfProgType.XDP : BpfProgType.SCHED_CLS;
    const progs = obj.programs();
    const entry =
      progs.find((p) => p.name === (xdp ? ENTRY.XDP : ENTRY.TC)) ?? progs.find((p) => p.type === want);
    const egress = xdp ? undefined : progs.find((p) => p.name === ENTRY.TC_EGRESS);
    if (!entry) {
      throw new TypeError(
        `no ${xdp ? 'XDP' : 'TC'} program in the object (has: ${progs.map((p) => p.name).join(', ') || 'none'})`,
      );
    }
    const maps = new Map(
      obj
        .maps()
        .filter((m) => !m.name.startsWith('.'))
        .map((m) => [m.name, m]),
    );
    return {
      fd: entry.fd,
      id: entry.id(),
      ...(egress ? { egress: { fd: egress.fd, id: egress.id() } } : {}),
      maps,
      release: () => obj.close(),
    };
  }

  /** Pins `next` and moves every binding onto it; on failure restores `old` everywhere. */
  private swapIn(next: Program, old: Program | undefined): void {
    const pin = (p: Program): void => {
      check(unlinkAndPin(p.fd, this.progPin), 'program pin', this.progPin);
      if (p.egress) check(unlinkAndPin(p.egress.fd, this.egressPin), 'program pin', this.egressPin);
      else unpinProgram(this.egressPin);
    };
    pin(next);
    const switched: Binding[] = [];
    try {
      for (const binding of this.bindings.values()) {
        switched.push(binding);
        this.attach(binding, next, true);
      }
    } catch (err) {
      for (const binding of switched) {
        try {
          if (old) this.attach(binding, old, true);
          else this.detachOne(binding, next.fd);
        } catch {
          // best effort: the original error is the one to report
        }
      }
      if (old) pin(old);
      else {
        unpinProgram(this.progPin);
        unpinProgram(this.egressPin);
      }
      throw err;
    }
  }

  private attach(binding: Binding, prog: Program, replace: boolean): void {
    if (this.opts.hook === 'TC') {
      // Egress first: the ingress side may send traffic whose replies only egress translates.
      this.attachEgress(binding, prog);
      if (queryTc(binding.ifindex, this.tcIds())?.progId === prog.id) return;
      const att = attachTc(binding.ifindex, prog.fd, this.tcIds());
      binding.createdHook ||= att.createdHook;
      return;
    }
    attachXdp(binding.ifindex, prog.fd, this.xdpMode(), { replace });
  }

  /** Attaches (or replaces) the program's egress entry point; removes lbrp's egress filter when it has none. */
  private attachEgress(binding: Binding, prog: Program): void {
    const at = { direction: 'egress' as const, ...this.tcIds() };
    if (!prog.egress) {
      if (queryTc(binding.ifindex, at)) detachTc({ ifindex: binding.ifindex, ...at });
      return;
    }
    if (queryTc(binding.ifindex, at)?.progId === prog.egress.id) return;
    const att = attachTc(binding.ifindex, prog.egress.fd, at);
    binding.createdHook ||= att.createdHook;
  }

  private detachOne(binding: Binding, fd: number): void {
    if (this.opts.hook === 'TC') {
      // Egress first, without removing the qdisc: the ingress detach removes it if it may.
      detachTc({ ifindex: binding.ifindex, direction: 'egress', ...this.tcIds() });
      detachTc({
        ifindex: binding.ifindex,
        direction: 'ingress',
        ...this.tcIds(),
        createdHook: binding.createdHook,
      });
    } else {
      detachXdp(binding.ifindex, this.xdpMode(), fd);
    }
  }

  private writePortMaps(): void {
    for (const [portId, b] of this.bindings) this.writePortMap(portId, b.ifindex);
  }

  private writePortMap(portId: number, ifindex: number): void {
    this.map(IFINDEX_TO_PORT)?.update(u32(ifindex), u16(portId));
    this.setIfindexSlot(ifindex, portId + 1);
    this.map(PORT_TO_IFINDEX)?.update(u32(portId), u32(ifindex));
    this.writePortPeer(portId, ifindex, true);
  }

  private clearPortMap(portId: number, ifindex: number): void {
    this.setIfindexSlot(ifindex, 0);
    this.map(IFINDEX_TO_PORT)?.delete(u32(ifindex));
    this.map(PORT_TO_IFINDEX)?.update(u32(portId), u32(0));
    this.peerMacs.delete(portId);
    this.map(PORT_PEER)?.update(u32(portId), encodePortPeer(undefined));
  }

  /**
   * Writes the port's pcn_port_peer entry: on with the peer's MAC when the netdev is a veth whose
   * peer is in another namespace (and the shortcut is enabled), off otherwise. Skips the write
   * when nothing changed, unless `force` (a new binding or a reloaded map).
   */
  private writePortPeer(portId: number, ifindex: number, force = false): void {
    const map = this.map(PORT_PEER);
    if (!map) return;
    const mac = this.opts.vethPeerShortcut === false ? undefined : vethPeerMac(ifindex);
    const key = mac?.toString('hex') ?? '';
    if (!force && this.peerMacs.get(portId) === key) return;
    map.update(u32(portId), encodePortPeer(mac));
    this.peerMacs.set(portId, key);
  }

  /** Writes the array slot of an ifindex when it fits (larger ifindexes use the hash only). */
  private setIfindexSlot(ifindex: number, value: number): void {
    const arr = this.map(IFINDEX_ARRAY);
    if (arr && ifindex < arr.maxEntries) arr.update(u32(ifindex), u16(value));
  }

  /** (Re)opens ring readers on the pinned rings; a ring replaced by a reload gets a new reader. */
  private syncReaders(): void {
    const wanted: Array<[string, (rec: Buffer) => void]> = [
      [LOG_RING, (rec) => this.opts.onLog(decodeLogRecord(rec))],
      [PKTIN_RING, (rec) => this.opts.onPacketIn(decodePktIn(rec))],
    ];
    const keep: Reader[] = [];
    for (const [name, handler] of wanted) {
      const current = this.map(name);
      const existing = this.readers.find((r) => r.map.name === name);
      if (existing && current && existing.mapId === current.id()) {
        keep.push(existing);
        continue;
      }
      if (existing) {
        existing.reader.close();
        existing.map.close();
      }
      if (!current) continue;
      const map = BpfMap.fromPinned(join(this.mapsDir, name));
      const reader = new RingBufferReader(map, handler, (err) => this.opts.onError(err));
      reader.start();
      reader.unref();
      keep.push({ reader, map, mapId: map.id() });
    }
    this.readers = keep;
  }
}

/** Pins fd at path, replacing an existing pin. Returns the libbpf result. */
function unlinkAndPin(fd: number, path: string): number {
  unpinProgram(path);
  return libbpf.bpf_obj_pin(fd, path);
}

function unpinProgram(path: string): void {
  if (existsSync(path)) unpinAll(path);
}
