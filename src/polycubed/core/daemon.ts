// The polycubed daemon, in process: the facade the REST layer (`execute()`) and the gRPC server
// (southbound calls) talk to. It builds the modules that do the work (registries, routing, peers,
// persistence, restore, southbound), wires them together and decides the order operations run in.
// Every kernel object of every cube goes through src/polycubed/runtime.

import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type {
  ConfigReplyMsg,
  CubeInfoMsg,
  LoadDataplaneReplyMsg,
  LoadDataplaneRequestMsg,
  MapEntryMsg,
  MapOpMsg,
  RegisterMsg,
} from '../../proto/polycube-types';
import { nameError } from '../../common/name-rules';
import { ensureBpffs } from '../runtime/bpffs';
import { NetdevWatch } from '../runtime/netdev-watch';
import { listAddresses, listLinks } from '../runtime/netlink-links';
import { baseObject } from './base-model';
import { ConfigRouter, fail } from './config-router';
import { ChangeTrace, tracingChanges } from './change-trace';
import type { Durable } from './coalescing-writer';
import { CubeEvents, type PortChangeEvent } from './cube-events';
import { CubeLifecycle } from './cube-lifecycle';
import { defaultKernelMemoryBudget, KernelMemoryBudget } from './kernel-memory-budget';
import { CubeRegistry } from './cube-registry';
import { CubeRestore, type StartupReport } from './cube-restore';
import { CubeSouthbound } from './cube-southbound';
import { resolveOptions } from './daemon-options';
import { PeerLinks } from './peer-links';
import { reconcileLateReply } from './late-replies';
import { loadConfigs, RuntimeStore } from './persistence';
import { PersistenceScheduler } from './persistence-scheduler';
import { PortWiring } from './port-wiring';
import { SouthboundError, type AttachResult, type ServiceLink } from './service-link';
import { serviceView, type ServiceRecord } from './service-registry';
import { ServiceSessions } from './service-sessions';
import {
  ErrorCode,
  type ConfigOp,
  type ConfigResult,
  type CubeView,
  type DaemonOptions,
  type LogEvent,
  type LogLevel,
  type NetdevView,
  type ServiceView,
} from './types';

export { SouthboundError };
export type { AttachResult, ServiceLink, StartupReport };

/**
 * polycubed. Events:
 * - `'change'` (cube: string): a cube's configuration changed (after it was persisted).
 * - `'service'` (view: ServiceView): a service registered or disconnected.
 * - `'port'` ({cube, port, id, status, peer}): a port's status or peer changed.
 * - `'log'` (LogEvent): a cube's pcn_log line (at or above its loglevel) or a daemon message.
 */
export class Daemon extends EventEmitter {
  /** Effective options. */
  readonly options: DaemonOptions;
  /** Filled by `start()`. */
  readonly startup: StartupReport = { adopted: [], pending: [], orphans: [] };
  private readonly cubeReg = new CubeRegistry();
  private readonly serviceReg = new Map<string, ServiceRecord>();
  private readonly store: RuntimeStore | undefined;
  private readonly persistence: PersistenceScheduler;
  private readonly events: CubeEvents;
  private readonly wiring: PortWiring;
  private readonly lifecycle: CubeLifecycle;
  /** The kernel memory budget of all cubes (`--kernel-memory-budget`). */
  readonly budget: KernelMemoryBudget;
  private readonly router: ConfigRouter;
  private readonly peers: PeerLinks;
  private readonly restorer: CubeRestore;
  private readonly sessions: ServiceSessions;
  private readonly south: CubeSouthbound;
  private watch: NetdevWatch | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** While an operation runs: the state-file writes its reply waits for. */
  private durable: Durable[] | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(opts: Partial<DaemonOptions> = {}) {
    super();
    this.options = resolveOptions(opts);
    this.store = this.options.runtimeDir ? new RuntimeStore(this.options.runtimeDir) : undefined;
    // Modules call ones built after them (persistence → router, wiring → events) through closures.
    const cubes = this.cubeReg;
    const store = this.store;
    const options = this.options;
    const log = (level: LogLevel, message: string): void => this.log(level, message);
    const service = (name: string): ServiceRecord | undefined => this.serviceReg.get(name);
    // Changes made by the running operation are collected; its reply waits until they are durable.
    const afterChange = (cube: string, op?: ConfigOp): Promise<void> => {
      const durable = this.persistence.afterChange(cube, op);
      this.durable?.push(durable);
      return Promise.resolve();
    };
    this.persistence = new PersistenceScheduler({
      cubes,
      store,
      options,
      service,
      forward: (op) => this.router.forward(op, undefined),
      log,
      changed: (cube) => this.emit('change', cube),
    });
    this.events = new CubeEvents({
      cubes,
      service,
      log,
      saveRuntime: (cube) => this.persistence.saveRuntime(cube),
      emit: (event: 'log' | 'port', ev: LogEvent | PortChangeEvent) => {
        // A port's status or peer reaches the service too, which may show it in READs.
        if (event === 'port') this.router.reads.invalidate((ev as PortChangeEvent).cube);
        this.emit(event, ev);
      },
    });
    this.wiring = new PortWiring(
      this.cubeReg,
      (cube, port) => this.events.onPortChange(cube, port),
      (err) => this.log('ERR', `port wiring: ${(err as Error).message}`),
      options.pinRoot,
    );
    const wiring = this.wiring;
    this.budget = new KernelMemoryBudget(options.kernelMemoryBudget ?? defaultKernelMemoryBudget(), cubes);
    this.lifecycle = new CubeLifecycle({
      options,
      cubes,
      wiring,
      store,
      budget: this.budget,
      log,
      onCubeLog: (name, rec) => this.events.onCubeLog(name, rec),
      onPacketIn: (name, rec) => this.events.onPacketIn(name, rec),
    });
    this.router = new ConfigRouter({
      cubes,
      wiring,
      service,
      newCube: (p) => this.lifecycle.make(p),
      unclaimedPins: (name) => this.lifecycle.unclaimedPins(name),
      destroyCube: (cube) => this.lifecycle.destroy(cube),
      setLogLevel: (cube, level) => this.lifecycle.setLogLevel(cube, level),
      afterChange,
    });
    this.peers = new PeerLinks({ cubes, wiring, afterChange });
    this.restorer = new CubeRestore({
      cubes,
      store,
      startup: this.startup,
      service,
      makeCube: (p) => this.lifecycle.make(p),
      forward: (op, body) => this.router.forward(op, body),
      afterChange,
      log,
    });
    this.sessions = new ServiceSessions({
      options,
      cubes,
      services: this.serviceReg,
      log,
      serviceChanged: (view) => this.emit('service', view),
      rebuildPending: (name) => this.serialize(() => this.restorer.rebuildPending(name)),
      writeMaps: (svc, writes) => this.south.writeMaps(writes.cube, writes.ops, svc),
      lateReply: (svc, req, reply) => {
        this.router.reads.invalidate(req.cube); // the service may have changed it after all
        void this.serialize(() =>
          reconcileLateReply(
            {
              cubes,
              forward: (op) => this.router.forward(op, undefined),
              destroyCube: (cube) => this.lifecycle.destroy(cube),
              afterChange: (cube) => this.persistence.afterChange(cube),
              log,
            },
            svc,
            req,
            reply,
          ),
        );
      },
    });
    this.south = new CubeSouthbound({
      cubes,
      store,
      saveRuntime: (cube) => this.persistence.saveRuntime(cube),
      log,
    });
  }

  /**
   * Mounts a bpffs under the pin root if needed, loads the persisted configuration (a corrupt
   * file is moved aside and reported), re-adopts cubes whose pins exist (programs, maps and
   * filters stay; nothing is reloaded) and starts watching netdevs.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    if (ensureBpffs(this.options.pinRoot) && this.options.stateFile) {
      // A bpffs lives as long as its mount namespace: one of this process's own (ip netns exec)
      // dies with it, and the next start finds no pins and rebuilds every dataplane empty (which
      // matters only when cubes are persisted to be restored).
      this.log(
        'WARN',
        `mounted a bpffs for the pin root ${this.options.pinRoot}; in a mount namespace of this process's own (ip netns exec) its pins die with the process and a restart loses open sessions: mount a bpffs there beforehand`,
      );
    }
    mkdirSync(this.options.cacheDir, { recursive: true });
    const loaded = this.options.stateFile ? loadConfigs(this.options.stateFile) : { configs: [] };
    if (loaded.journalError) this.log('ERR', `state journal: ${loaded.journalError}`);
    if (loaded.corrupt) {
      this.startup.corrupt = loaded.corrupt;
      this.log(
        'ERR',
        `state file ${this.options.stateFile} is unusable (${loaded.corrupt.reason}); moved to ${loaded.corrupt.movedTo}; starting without cubes`,
      );
    }
    const links = this.wiring.links();
    for (const config of loaded.configs) {
      try {
        this.restorer.restore(config, links);
      } catch (err) {
        this.log('ERR', `cannot restore cube ${config.name}: ${(err as Error).message}`);
      }
    }
    this.wiring.refreshStatus(links);
    this.restorer.removeOrphans(this.options.pinRoot, links.values());
    this.wiring.refreshStatus(this.wiring.links());
    this.persistence.persist();
    this.watch = new NetdevWatch(
      this.options.netdevPollMs,
      (l) => {
        this.wiring.refreshStatus(l);
        this.wiring.refreshPeers();
      },
      (err) => this.log('ERR', `netdev watch: ${(err as Error).message}`),
    );
    this.watch.start();
  }

  /** Stops watching and closes every fd; the dataplane keeps forwarding (pins stay). Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    await this.persistence.close();
    this.state = 'stopped';
    this.watch?.stop();
    this.sessions.closeAll();
    for (const cube of this.cubeReg.list()) {
      this.persistence.saveRuntime(cube);
      cube.dataplane.close();
    }
    this.south.close();
  }

  /** Writes every pending configuration change now; resolves once the state file is current. */
  flushPersistence(): Promise<void> {
    return this.persistence.flush();
  }

  /** Registered services, by name. */
  services(): ServiceView[] {
    return [...this.serviceReg.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(serviceView);
  }

  /** One registered service, or undefined. */
  service(name: string): ServiceView | undefined {
    const s = this.serviceReg.get(name);
    return s && serviceView(s);
  }

  /** Cubes (of one service when given), ordered by name. */
  cubes(service?: string): CubeView[] {
    return this.cubeReg.list(service).map((c) => c.view());
  }

  /** One cube, or undefined. */
  cube(name: string): CubeView | undefined {
    return this.cubeReg.get(name)?.view();
  }

  /**
   * The framework base object of a cube (REST spec §4.2 service collection / `/cubes`):
   * name, uuid, service-name, type, loglevel, ports [{name, peer?}] (only when it has ports),
   * shadow, span. Undefined when the cube does not exist. Never asks the service.
   */
  cubeBase(name: string): Record<string, unknown> | undefined {
    const cube = this.cubeReg.get(name);
    return cube && baseObject(cube);
  }

  /**
   * Runs one configuration operation (REST spec §6.2 semantics). polycubed answers the base
   * model itself (cube create/delete, ports and their peers, type/uuid/loglevel/service-name/
   * shadow/span, ports/{uuid,status,peer,tcubes}) and forwards everything else to the owning
   * service, awaiting its reply. A rejected request changes nothing. Changes run one at a time;
   * READs run at once, beside them (they see the state before or after a change, never half of it).
   * Base leaves read as JSON strings (`shadow`/`span` as "true"/"false", as polycubed does);
   * a base leaf of a missing cube answers NO_CONTENT. Never throws: every failure is a ConfigResult.
   */
  execute(op: ConfigOp): Promise<ConfigResult> {
    // READs never wait behind writes: the service answers them from its last committed state.
    if (op.op === 'READ') return this.run(op);
    return this.serializeDurable(() => this.run(op), tracingChanges ? `${op.op} ${op.path}` : undefined);
  }

  private async run(op: ConfigOp): Promise<ConfigResult> {
    {
      if (this.state !== 'running') return fail(ErrorCode.UNAVAILABLE, 'polycubed is not running');
      if ((op.op === 'CREATE' || op.op === 'REPLACE') && op.path.split('/').filter(Boolean).length === 1) {
        const bad = nameError('cube name', op.cube);
        if (bad !== undefined) return fail(ErrorCode.BAD_ATTRIBUTE, bad, 'name');
      }
      try {
        return await this.router.execute(op);
      } catch (err) {
        this.log('ERR', `execute ${op.op} ${op.path} on ${op.cube}: ${(err as Error).stack ?? String(err)}`);
        return fail(ErrorCode.GENERIC_ERROR, (err as Error).message);
      }
    }
  }

  /**
   * REST `/connect`: each of `a`, `b` is `cube:port` or a netdev name; sets the peer of the cube
   * port(s). Errors carry runtime spec §2.1 texts (REST answers them as 400 plain text).
   */
  connectPeers(a: string, b: string): Promise<ConfigResult> {
    return this.serializeDurable(() => this.peers.connect(a, b));
  }

  /** REST `/disconnect`: undoes `connectPeers`; "<a> is not connected to <b>" otherwise. */
  disconnectPeers(a: string, b: string): Promise<ConfigResult> {
    return this.serializeDurable(() => this.peers.disconnect(a, b));
  }

  /** Up, non-loopback netdevs of the daemon's netns, sorted by name (REST `/netdevs`). */
  netdevs(): NetdevView[] {
    const addrs = listAddresses();
    return listLinks()
      .filter((l) => l.up && !l.loopback)
      .map((l) => ({ name: l.name, ifindex: l.ifindex, up: l.up, addresses: addrs.get(l.ifindex) ?? [] }))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  // ------------------------------------------------------------ southbound (used by grpc/)

  /** A service sent Register on `link`. On success it gets Registered, Resync and pending CREATEs. */
  attachService(reg: RegisterMsg, link: ServiceLink): AttachResult {
    if (this.state !== 'running')
      return { ok: false, status: 'UNAVAILABLE', message: 'polycubed is not running' };
    this.router.reads.clear(); // a new service process: nothing it answered before holds
    return this.sessions.attach(reg, link);
  }

  /** The stream behind `link` ended: pending requests fail with UNAVAILABLE; cubes keep forwarding. */
  detachService(link: ServiceLink): void {
    this.router.reads.clear();
    this.sessions.detach(link);
  }

  /** A ConfigReply arrived on `link`. */
  handleReply(link: ServiceLink, reply: ConfigReplyMsg): void {
    this.sessions.handleReply(link, reply);
  }

  /**
   * Compiles and loads a cube's program; the running one is replaced only when the new one
   * loaded (maps keep their contents). Compile and verifier failures come back in the reply
   * with clang's diagnostics or the verifier log. Throws SouthboundError for an unknown cube.
   */
  loadDataplane(req: LoadDataplaneRequestMsg, caller?: string): Promise<LoadDataplaneReplyMsg> {
    return this.south.loadDataplane(req, caller);
  }

  /** Applies map writes in order; returns how many were applied (throws SouthboundError). */
  writeMaps(cube: string, ops: MapOpMsg[], caller?: string): number {
    return this.south.writeMaps(cube, ops, caller);
  }

  /** Reads a whole map, or the given keys (throws SouthboundError). */
  readMaps(cube: string, map: string, keys: Buffer[], caller?: string): MapEntryMsg[] {
    return this.south.readMaps(cube, map, keys, caller);
  }

  /** The values of keys first … first+count−1 of array map `map` of `cube`, back to back. */
  readMapRange(cube: string, map: string, first: number, count: number, caller?: string): Buffer {
    return this.south.readMapRange(cube, map, first, count, caller);
  }

  /** Sends a frame out of a cube port's peer netdev (throws SouthboundError). */
  sendPacket(cube: string, port: string, packet: Buffer, recirculate: boolean, caller?: string): void {
    this.south.sendPacket(cube, port, packet, recirculate, caller);
  }

  /** Port ids, peers and status of a cube (throws SouthboundError). */
  getCube(cube: string, caller?: string): CubeInfoMsg {
    return this.south.getCube(cube, caller);
  }

  // ------------------------------------------------------------ internals

  /**
   * Runs `fn` in turn (like `serialize`) and answers once every change it made is in the state
   * file. A successful change that could not be saved answers GENERIC_ERROR saying so: the
   * change is live but would be lost at the next restart. The wait happens outside the queue, so
   * the next operation runs meanwhile and concurrent changes share one write.
   */
  private async serializeDurable(fn: () => Promise<ConfigResult>, traced?: string): Promise<ConfigResult> {
    const trace = traced === undefined ? undefined : new ChangeTrace(traced);
    const { result, durable } = await this.serialize(async () => {
      const collected: Durable[] = [];
      this.durable = collected;
      trace?.start();
      if (trace) this.router.onForward = (ms) => trace.forward(ms);
      try {
        return { result: await fn(), durable: collected };
      } finally {
        this.durable = undefined;
        this.router.onForward = undefined;
        trace?.applied();
      }
    });
    const errors = (await Promise.all(durable)).filter((e): e is string => e !== undefined);
    trace?.end();
    if (errors.length === 0 || result.code !== ErrorCode.OK) return result;
    return fail(
      ErrorCode.GENERIC_ERROR,
      `the change is applied but not persisted (${errors[0]}); it will be lost at the next restart unless saved again`,
    );
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private log(level: LogLevel, message: string): void {
    const ev: LogEvent = { level, message };
    this.emit('log', ev);
  }
}
