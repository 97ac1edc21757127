// The service side of polycube.proto: connects to polycubed, registers, hands configuration
// requests, resyncs, packet-ins and port events to a ServiceHandler, and offers typed dataplane
// calls. Reconnects with bounded exponential backoff until stopped. Never imports src/polycubed.

import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import {
  ErrorCode,
  loadPolycubedService,
  PROTOCOL_VERSION,
  type ConfigRequestMsg,
  type CubeInfoMsg,
  type DaemonMessageMsg,
  type LoadDataplaneReplyMsg,
  type MapEntryMsg,
  type ServiceMessageMsg,
} from '../proto/polycube-types';
import { packMapWrites } from './pack-map-writes';
import {
  DataplaneError,
  type ConfigAnswer,
  type DataplaneSource,
  type MapWrite,
  type ResyncCube,
  type ServiceHandler,
  type WritesOutcome,
} from './types';

/** How to reach polycubed and what to register. */
export interface ServiceKitOptions {
  /** `unix:/run/lbrp/polycubed.sock` (default transport) or `host:port` (with `tls`). */
  address: string;
  /** Service name; must equal the YANG module's service-name. */
  name: string;
  /** Main YANG module text. */
  yang: string;
  /** Imported module texts by module name (polycube base modules may be left out). */
  imports?: Record<string, string>;
  version?: string;
  description?: string;
  /** PEM CA of the server, and this service's client certificate and key. */
  tls?: { ca: Buffer; cert: Buffer; key: Buffer };
  handler: ServiceHandler;
  /** Reconnect delays: first `initialMs` (default 100), doubling up to `maxMs` (default 3000). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Deadline of dataplane calls (default 60 s: a load may compile). */
  callTimeoutMs?: number;
}

type AttachCall = grpc.ClientDuplexStream<ServiceMessageMsg, DaemonMessageMsg>;
type UnaryFn = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => void;

const { client: PolycubedClient } = loadPolycubedService();

/**
 * A connection to polycubed. Events: `'registered'` (daemonVersion), `'disconnected'`
 * (reason: string). Handler calls are made one at a time, in the order polycubed sent them.
 */
export class ServiceKit extends EventEmitter {
  private client: grpc.Client | undefined;
  private call: AttachCall | undefined;
  private registeredFlag = false;
  private stopped = true;
  private delay: number;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Resyncs queued or running: READs wait behind them (they rebuild what READs show). */
  private resyncs = 0;
  /** polycubed said it applies map writes carried in replies (Registered.replyWrites). */
  private replyWritesFlag = false;
  /** Replies whose writes polycubed has not confirmed yet, by request id. */
  private readonly writesPending = new Map<number, (o: WritesOutcome) => void>();

  constructor(private readonly opts: ServiceKitOptions) {
    super();
    this.delay = opts.backoff?.initialMs ?? 100;
  }

  /** True while registered on an open stream. */
  get connected(): boolean {
    return this.registeredFlag;
  }

  /**
   * True while registered with a polycubed that applies the map writes a ConfigAnswer carries
   * (`writes`) before answering the client: a change then needs no WriteMaps round trip.
   */
  get repliesCarryWrites(): boolean {
    return this.registeredFlag && this.replyWritesFlag;
  }

  /** Connects (and keeps reconnecting after any disconnection) until `stop()`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the stream and the channel; no more reconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dropConnection('stopped');
    await this.queue.catch(() => undefined);
  }

  /** Resolves once registered (now or later); rejects after `timeoutMs`. */
  waitRegistered(timeoutMs = 10_000): Promise<void> {
    if (this.registeredFlag) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('registered', onReg);
        reject(new Error(`not registered with polycubed within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReg = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('registered', onReg);
    });
  }

  /**
   * Compiles and loads a cube's program (maps keep their contents across reloads). Throws
   * DataplaneError with clang's or the verifier's log when it does not load — the cube's
   * previous program keeps running — and a gRPC error for an unknown cube.
   */
  async loadDataplane(
    src: DataplaneSource,
  ): Promise<{ reloaded: boolean; programId: number; warnings: string; kernelMemory: number }> {
    const defines = Object.fromEntries(Object.entries(src.defines ?? {}).map(([k, v]) => [k, String(v)]));
    const reply = (await this.unary('loadDataplane', {
      cube: src.cube,
      files: src.files,
      entry: src.entry,
      defines,
      mapSizes: src.mapSizes ?? {},
      replaceIncompatibleMaps: src.replaceIncompatibleMaps ?? false,
    })) as LoadDataplaneReplyMsg;
    if (reply.error) {
      const memory =
        reply.errorKind === 'MEMORY'
          ? {
              total: Number(reply.kernelMemory ?? 0),
              maps: Object.fromEntries(Object.entries(reply.mapMemory ?? {}).map(([k, v]) => [k, Number(v)])),
              budget: Number(reply.kernelMemoryBudget ?? 0),
              used: Number(reply.kernelMemoryUsed ?? 0),
            }
          : undefined;
      throw new DataplaneError(reply.error, reply.errorKind, reply.log, memory);
    }
    return {
      reloaded: reply.reloaded,
      programId: reply.programId,
      warnings: reply.log,
      kernelMemory: Number(reply.kernelMemory ?? 0),
    };
  }

  /**
   * Applies writes in order (batched per map by polycubed); returns how many were applied. Runs
   * of writes to one map travel packed, as one MapOp each (packMapWrites).
   */
  async writeMaps(cube: string, ops: MapWrite[]): Promise<number> {
    const reply = (await this.unary('writeMaps', { cube, ops: packMapWrites(ops) })) as { applied: number };
    return reply.applied;
  }

  /** Reads a whole map (no keys) or the given keys (missing keys are left out). */
  async readMaps(cube: string, map: string, keys: Buffer[] = []): Promise<MapEntryMsg[]> {
    const reply = (await this.unary('readMaps', { cube, map, keys })) as { entries: MapEntryMsg[] };
    return reply.entries;
  }

  /**
   * The values of keys first … first+count−1 of an array map, back to back; undefined when
   * polycubed does not know range reads (the caller reads by key then).
   */
  async readMapRange(cube: string, map: string, first: number, count: number): Promise<Buffer | undefined> {
    const reply = (await this.unary('readMaps', { cube, map, keys: [], first, count })) as {
      values?: Buffer;
    };
    return reply.values && reply.values.length > 0 ? reply.values : count === 0 ? Buffer.alloc(0) : undefined;
  }

  /** Sends a whole Ethernet frame out of a cube port (packet-out). */
  async sendPacket(cube: string, port: string, packet: Buffer, recirculate = false): Promise<void> {
    await this.unary('sendPacket', { cube, port, packet, recirculate });
  }

  /** Port ids, peers and status of a cube. */
  async getCube(cube: string): Promise<CubeInfoMsg> {
    return (await this.unary('getCube', { cube })) as CubeInfoMsg;
  }

  // ---------------------------------------------------------------- connection

  private newClient(): grpc.Client {
    const tls = this.opts.tls;
    const creds = tls
      ? grpc.credentials.createSsl(tls.ca, tls.key, tls.cert)
      : grpc.credentials.createInsecure();
    return new PolycubedClient(this.opts.address, creds, {
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': this.opts.backoff?.maxMs ?? 3_000,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('pcn-service', this.opts.name);
    return md;
  }

  private unary(method: string, req: unknown): Promise<unknown> {
    this.client ??= this.newClient();
    const fn = (this.client as unknown as Record<string, UnaryFn>)[method].bind(this.client);
    const deadline = Date.now() + (this.opts.callTimeoutMs ?? 60_000);
    return new Promise((resolve, reject) => {
      fn(req, this.metadata(), { deadline }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.client ??= this.newClient();
    const attach = (this.client as unknown as { attach(md: grpc.Metadata): AttachCall }).attach.bind(
      this.client,
    );
    const call = attach(this.metadata());
    this.call = call;
    call.on('data', (msg: DaemonMessageMsg) => this.onMessage(call, msg));
    call.on('error', (err: grpc.ServiceError) => this.onEnd(call, err.details || err.message));
    call.on('end', () => this.onEnd(call, 'stream ended'));
    call.write({
      register: {
        protocolVersion: PROTOCOL_VERSION,
        name: this.opts.name,
        yang: this.opts.yang,
        imports: this.opts.imports ?? {},
        version: this.opts.version ?? '',
        description: this.opts.description ?? '',
      },
    });
  }

  private onEnd(call: AttachCall, reason: string): void {
    if (call !== this.call) return;
    const wasRegistered = this.registeredFlag;
    this.dropConnection(reason);
    if (wasRegistered || !this.stopped) this.emit('disconnected', reason);
    if (this.stopped) return;
    const max = this.opts.backoff?.maxMs ?? 3_000;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, max);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, wait);
  }

  private dropConnection(_reason: string): void {
    const call = this.call;
    this.call = undefined;
    this.registeredFlag = false;
    this.replyWritesFlag = false;
    // Whether polycubed applied them is unknown: the service re-reads the maps to find out.
    const pending = [...this.writesPending.values()];
    this.writesPending.clear();
    for (const done of pending)
      done({ applied: 0, error: 'the stream to polycubed ended before it confirmed them' });
    if (call) {
      call.removeAllListeners('data');
      call.on('error', () => undefined); // a cancelled call reports CANCELLED; nobody listens any more
      call.cancel();
    }
    this.client?.close(); // a fresh channel per attempt: no stale channel backoff
    this.client = undefined;
  }

  private onMessage(call: AttachCall, msg: DaemonMessageMsg): void {
    const h = this.opts.handler;
    if (msg.registered) {
      this.registeredFlag = true;
      this.replyWritesFlag = msg.registered.replyWrites === true;
      this.delay = this.opts.backoff?.initialMs ?? 100;
      this.emit('registered', msg.registered.daemonVersion);
    } else if (msg.packetIn) {
      h.onPacketIn?.(msg.packetIn);
    } else if (msg.portEvent) {
      h.onPortEvent?.(msg.portEvent);
    } else if (msg.resync) {
      const cubes: ResyncCube[] = msg.resync.cubes.map((c) => ({
        name: c.name,
        config: JSON.parse(c.configJson),
      }));
      this.resyncs++;
      this.enqueue(async () => {
        try {
          await h.onResync?.(cubes);
        } finally {
          this.resyncs--;
        }
      });
    } else if (msg.writesDone) {
      const w = msg.writesDone;
      const done = this.writesPending.get(Number(w.id));
      this.writesPending.delete(Number(w.id));
      done?.({ applied: w.applied, ...(w.error ? { error: w.error } : {}) });
    } else if (msg.request) {
      const req = msg.request;
      const reply = async (): Promise<void> => {
        const { reply: answer, writes } = await this.answer(req);
        if (this.call !== call) {
          writes?.done({ applied: 0, error: 'the stream to polycubed ended before the reply was sent' });
          return;
        }
        if (writes) {
          if (answer.code === ErrorCode.OK && this.replyWritesFlag) {
            this.writesPending.set(Number(req.id), writes.done);
            answer.writes = { cube: writes.cube, ops: packMapWrites(writes.ops) };
          } else {
            writes.done({ applied: 0, error: 'polycubed does not take map writes in replies' });
          }
        }
        call.write({ reply: answer });
      };
      // READs are answered at once (the handler serves them from committed state), never queued
      // behind a long write; only a Resync still to run (the state it rebuilds) makes them wait.
      if ((req.op === 'READ' || req.op === 'OPERATION_UNSPECIFIED') && this.resyncs === 0) {
        reply().catch((err: unknown) => this.emit('handler-error', err));
        return;
      }
      this.enqueue(reply);
    }
  }

  private enqueue(job: () => Promise<unknown>): void {
    this.queue = this.queue.then(job).catch((err: unknown) => this.emit('handler-error', err));
  }

  private async answer(
    req: ConfigRequestMsg,
  ): Promise<{ reply: NonNullable<ServiceMessageMsg['reply']>; writes: ConfigAnswer['writes'] }> {
    let a: ConfigAnswer;
    try {
      a = await this.opts.handler.onConfig({
        id: req.id,
        op: req.op === 'OPERATION_UNSPECIFIED' ? 'READ' : req.op,
        cube: req.cube,
        path: req.path,
        keys: req.keys,
        body: req.bodyJson ? JSON.parse(req.bodyJson) : undefined,
        isCollection: req.isCollection,
      });
    } catch (err) {
      a = { code: ErrorCode.GENERIC_ERROR, message: (err as Error).message };
    }
    const reply = {
      id: req.id,
      code: a.code ?? ErrorCode.OK,
      message: a.message ?? '',
      bodyJson: a.body === undefined ? '' : JSON.stringify(a.body),
      errorInfo: a.errorInfo ?? '',
      cacheMs: Math.max(0, Math.floor(a.cacheMs ?? 0)),
    };
    return { reply, writes: a.writes };
  }
}
