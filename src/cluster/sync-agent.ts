// lbrp-sync's agent: exchanges session table entries of chosen cubes with peer nodes (see
// src/cluster/README.md, "Session sync"). Every node listens; every node connects to each peer
// and pushes its own sessions there: on connect the whole known table (bulk), then every tick
// what changed (incremental). Per tick, per cube, the local table is read SessionScanner's
// bounded number of buckets; per peer at most `recordsPerTick` records go out (queued changes
// first, then the bulk cursor), and a peer's change queue holds at most `queueCapacity` records
// (the oldest dropped and counted: an active session dropped so is sent again within one refresh
// period; an idle one's copy is missing until its next change). Frames are authenticated and
// bound to their connection (sync-wire.ts); a refused frame closes the connection and is counted.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { SessionApplier, type ApplyCounts, type CubeMaps } from './sync-apply';
import { AppliedSet, BoundedQueue } from './sync-queue';
import { SessionScanner } from './sync-scan';
import {
  decodeEntries,
  encodeEntries,
  FrameReader,
  FrameSealer,
  helloFrame,
  MAX_RECORDS,
  MSG_ENTRIES,
  MSG_HELLO,
  openFrame,
  ReplayGuard,
  type Refusal,
} from './sync-wire';

/** Why a frame or a connection was refused ('cube-absent': a synced cube whose pins are gone). */
export type RefusalCount = Refusal | 'unknown-cube' | 'cube-absent' | 'too-many' | 'idle';

/** Inbound connections at once (each holds at most one partial frame, ≤ MAX_FRAME bytes). */
export const MAX_INBOUND = 64;
/** A sender with nothing to send sends an empty frame this often, so the receiver can tell a live
 * connection from a dead or unauthenticated one. */
export const KEEPALIVE_MS = 5000;
/** An inbound connection without a verified frame for this long is closed. */
export const IDLE_MS = 20000;
/** Ticks between two looks at where a cube's maps are pinned now (once a second at 200 ms). */
export const WATCH_TICKS = 5;

export interface PeerAddress {
  host: string;
  port: number;
}

export interface SyncAgentOptions {
  /** This node's name (in every frame; for logs and counters). */
  node: string;
  key: Buffer;
  /** Where peers connect (port 0: any; see `address()`). */
  listen: PeerAddress;
  peers: PeerAddress[];
  /** The cubes synced, by name, with their maps. */
  cubes: Array<{ name: string; maps: CubeMaps }>;
  /** Where each cube's maps are pinned now: `id` names its session table (a cube deleted and
   * created again has a new one; undefined while it is gone), `open` opens the maps. Looked at
   * every `watchTicks` ticks, so the agent follows a re-created cube; without it the maps given
   * are used for the agent's life. */
  pins?: { id: (cube: string) => number | undefined; open: (cube: string) => CubeMaps };
  watchTicks?: number;
  /** The session clock now (the datapath's session_now()), or undefined when unknown. */
  clock: () => Promise<number | undefined>;
  intervalMs?: number;
  bucketsPerTick?: number;
  recordsPerTick?: number;
  queueCapacity?: number;
  refreshUnits?: number;
  /** Peer copies remembered (AppliedSet) per cube. */
  appliedCapacity?: number;
  log?: (line: string) => void;
}

/** Counters of the agent (cumulative). */
export interface SyncStats {
  sentRecords: number;
  sentFrames: number;
  sentBytes: number;
  receivedRecords: number;
  receivedFrames: number;
  receivedBytes: number;
  queueDropped: number;
  refused: Partial<Record<RefusalCount, number>>;
  connects: number;
  apply: Record<string, ApplyCounts>;
}

interface CubeState {
  name: string;
  /** The session table's id per `pins` (undefined without pins, or while the cube is gone). */
  id?: number;
  /** Absent while the cube's pins are gone. */
  maps?: CubeMaps;
  scanner?: SessionScanner;
  applier?: SessionApplier;
}

interface PeerState {
  addr: PeerAddress;
  socket?: Socket;
  sealer?: FrameSealer;
  queues: Map<string, BoundedQueue<Buffer>>;
  bulk: Map<string, Iterator<Buffer>>;
  retry?: NodeJS.Timeout;
  lastSentAt: number;
}

export class SyncAgent {
  private readonly server: Server;
  private readonly cubes: CubeState[];
  private readonly peers: PeerState[];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly inbound = new Set<Socket>();
  private ticking = false;
  private ticks = 0;
  readonly stats: SyncStats = {
    sentRecords: 0,
    sentFrames: 0,
    sentBytes: 0,
    receivedRecords: 0,
    receivedFrames: 0,
    receivedBytes: 0,
    queueDropped: 0,
    refused: {},
    connects: 0,
    apply: {},
  };

  constructor(private readonly o: SyncAgentOptions) {
    this.cubes = o.cubes.map((c) => {
      const cube: CubeState = { name: c.name, id: o.pins?.id(c.name) };
      this.attach(cube, c.maps);
      return cube;
    });
    this.peers = o.peers.map((addr) => ({ addr, queues: new Map(), bulk: new Map(), lastSentAt: 0 }));
    this.server = createServer((s) => this.accept(s));
  }

  /** Listens, connects to the peers and starts ticking. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.listen.port, this.o.listen.host, () => resolve());
    });
    for (const p of this.peers) this.connect(p);
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 200);
  }

  /** The listening address (after start). */
  address(): PeerAddress {
    const a = this.server.address();
    if (!a || typeof a === 'string') throw new Error('not listening');
    return { host: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const p of this.peers) {
      if (p.retry) clearTimeout(p.retry);
      p.socket?.destroy();
    }
    for (const s of this.inbound) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** True when every peer connection has received its HELLO. */
  get connected(): boolean {
    return this.peers.every((p) => p.sealer !== undefined);
  }

  /** Sessions this node knows of its own, per cube (visited buckets). */
  known(cube: string): number {
    return this.cubes.find((c) => c.name === cube)?.scanner?.size ?? 0;
  }

  /** Starts over on `maps` (a fresh scanner, applier and copy set), or idles the cube (none). */
  private attach(c: CubeState, maps: CubeMaps | undefined): void {
    c.maps = maps;
    c.scanner = undefined;
    c.applier = undefined;
    if (maps) {
      const applied = new AppliedSet(this.o.appliedCapacity ?? 1 << 20);
      c.scanner = new SessionScanner(
        maps.sessions,
        { bucketsPerTick: this.o.bucketsPerTick ?? 4096, refreshUnits: this.o.refreshUnits ?? 16 },
        applied,
      );
      c.applier = new SessionApplier(maps, applied);
      this.stats.apply[c.name] = c.applier.counts; // counts start over with the new table
    }
    // Connected peers get the new table from its start, nothing queued for the old one.
    for (const p of this.peers ?? []) {
      if (!p.sealer) continue;
      p.queues.set(c.name, new BoundedQueue(this.o.queueCapacity ?? 65536));
      if (c.scanner) p.bulk.set(c.name, c.scanner.all());
      else p.bulk.delete(c.name);
    }
  }

  /** Follows cubes deleted and created again: reopens their maps when the pinned table changed. */
  private watchPins(): void {
    const pins = this.o.pins;
    if (!pins || ++this.ticks % (this.o.watchTicks ?? WATCH_TICKS) !== 0) return;
    for (const c of this.cubes) {
      const id = pins.id(c.name);
      if (id === c.id) continue;
      for (const m of Object.values(c.maps ?? {})) (m as { close?: () => void }).close?.();
      let maps: CubeMaps | undefined;
      try {
        maps = id === undefined ? undefined : pins.open(c.name);
      } catch (e) {
        this.o.log?.(`cube ${c.name}: cannot open its maps (${(e as Error).message}); trying again`);
        c.id = undefined;
        this.attach(c, undefined);
        continue;
      }
      c.id = id;
      this.attach(c, maps);
      this.o.log?.(
        maps
          ? `cube ${c.name}: new session table (id ${id}): maps reopened`
          : `cube ${c.name}: gone; waiting for it`,
      );
    }
  }

  /** One round: scan each cube, queue the changes for every peer, send what the budget allows. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      this.watchPins();
      for (const c of this.cubes) {
        if (!c.scanner) continue;
        const changes = c.scanner.tick();
        for (const p of this.peers) {
          if (!p.sealer) continue;
          const q = p.queues.get(c.name);
          for (const r of changes) q?.push(r);
        }
      }
      for (const p of this.peers) this.flush(p);
    } catch (e) {
      this.o.log?.(`tick: ${(e as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private flush(p: PeerState): void {
    const s = p.socket;
    if (!p.sealer || !s || s.writableNeedDrain) return;
    let budget = this.o.recordsPerTick ?? 8192;
    const sentBefore = this.stats.sentFrames;
    for (const c of this.cubes) {
      const q = p.queues.get(c.name);
      const bulk = p.bulk.get(c.name);
      while (budget > 0) {
        const batch = q ? q.take(Math.min(budget, MAX_RECORDS)) : [];
        while (bulk && batch.length < Math.min(budget, MAX_RECORDS)) {
          const n = bulk.next();
          if (n.done) {
            p.bulk.delete(c.name);
            break;
          }
          batch.push(n.value);
        }
        if (batch.length === 0) break;
        const frame = p.sealer.seal(
          MSG_ENTRIES,
          encodeEntries({ cube: c.name, node: this.o.node, records: batch }),
        );
        s.write(frame);
        budget -= batch.length;
        this.stats.sentRecords += batch.length;
        this.stats.sentFrames++;
        this.stats.sentBytes += frame.length;
        if (batch.length < MAX_RECORDS && !p.bulk.has(c.name)) break;
      }
    }
    if (this.stats.sentFrames !== sentBefore) p.lastSentAt = Date.now();
    else if (Date.now() - p.lastSentAt >= KEEPALIVE_MS && this.cubes.length > 0) {
      s.write(
        p.sealer.seal(
          MSG_ENTRIES,
          encodeEntries({ cube: this.cubes[0].name, node: this.o.node, records: [] }),
        ),
      );
      p.lastSentAt = Date.now();
    }
    this.stats.queueDropped = this.peers.reduce(
      (n, x) => n + [...x.queues.values()].reduce((m, q) => m + q.dropped, 0),
      0,
    );
  }

  /** Outgoing: connect, wait for the peer's HELLO, then bulk + incremental. Reconnects after 1 s. */
  private connect(p: PeerState): void {
    if (this.stopped) return;
    const s = createConnection({ host: p.addr.host, port: p.addr.port });
    p.socket = s;
    const reader = new FrameReader();
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (!Array.isArray(frames)) return void s.destroy();
      for (const raw of frames) {
        const f = openFrame(this.o.key, raw);
        if ('refused' in f || f.type !== MSG_HELLO || p.sealer) {
          this.refuse('refused' in f ? f.refused : 'body');
          return void s.destroy();
        }
        p.sealer = new FrameSealer(this.o.key, f.nonce);
        this.stats.connects++;
        for (const c of this.cubes) {
          p.queues.set(c.name, new BoundedQueue(this.o.queueCapacity ?? 65536));
          if (c.scanner) p.bulk.set(c.name, c.scanner.all());
        }
        this.flush(p);
      }
    });
    s.on('drain', () => this.flush(p));
    s.on('error', () => undefined);
    s.on('close', () => {
      p.socket = undefined;
      p.sealer = undefined;
      p.bulk.clear();
      if (!this.stopped) p.retry = setTimeout(() => this.connect(p), 1000);
    });
  }

  /** Incoming: HELLO with a fresh nonce, then verified ENTRIES frames applied in order. */
  private accept(s: Socket): void {
    s.on('error', () => undefined);
    if (this.inbound.size >= MAX_INBOUND) {
      this.refuse('too-many');
      return void s.destroy();
    }
    this.inbound.add(s);
    s.on('close', () => this.inbound.delete(s));
    s.setTimeout(IDLE_MS, () => {
      this.refuse('idle');
      s.destroy();
    });
    const guard = new ReplayGuard();
    const reader = new FrameReader();
    s.write(helloFrame(this.o.key, guard.nonce));
    let chain = Promise.resolve();
    s.on('data', (chunk: Buffer) => {
      this.stats.receivedBytes += chunk.length;
      const frames = reader.push(chunk);
      if (!Array.isArray(frames)) {
        this.refuse(frames.refused);
        return void s.destroy();
      }
      for (const raw of frames) {
        const f = openFrame(this.o.key, raw);
        const why = 'refused' in f ? f.refused : guard.check(f);
        const body =
          'refused' in f || why ? undefined : f.type === MSG_ENTRIES ? decodeEntries(f.body) : undefined;
        if (why || !body) {
          this.refuse(why ?? 'body');
          return void s.destroy();
        }
        if (body.records.length === 0) {
          this.stats.receivedFrames++; // a keepalive
          continue;
        }
        const cube = this.cubes.find((c) => c.name === body.cube);
        if (!cube) {
          this.refuse('unknown-cube');
          continue;
        }
        if (!cube.applier) {
          this.refuse('cube-absent');
          continue;
        }
        this.stats.receivedFrames++;
        this.stats.receivedRecords += body.records.length;
        chain = chain.then(async () => {
          const now = await this.o.clock();
          if (now === undefined) throw new Error('the session clock is unknown (/proc/timer_list)');
          cube.applier?.apply(body.records, now); // the cube may have gone meanwhile
        });
        chain = chain.catch((e: Error) => this.o.log?.(`apply: ${e.message}`));
      }
    });
  }

  private refuse(why: RefusalCount): void {
    this.stats.refused[why] = (this.stats.refused[why] ?? 0) + 1;
    this.o.log?.(`refused a frame: ${why}`);
  }
}
