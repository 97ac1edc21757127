// The polycubed daemon, in process: service registry, cube registry with ports, the single
// `execute()` entry the REST layer calls, the southbound calls the gRPC server forwards, and
// persistence. Owns every kernel object of every cube (through src/polycubed/runtime).

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  PROTOCOL_VERSION,
  type ConfigReplyMsg,
  type CubeInfoMsg,
  type LoadDataplaneReplyMsg,
  type LoadDataplaneRequestMsg,
  type MapEntryMsg,
  type MapOpMsg,
  type RegisterMsg,
} from '../../proto/polycube-types';
import { ensureBpffs } from '../runtime/bpffs';
import { CubeDataplane, type ProgramSource } from '../runtime/cube-dataplane';
import { formatPcnLog, type LogRecord, type PktInRecord } from '../runtime/pcn-records';
import { NetdevWatch } from '../runtime/netdev-watch';
import { listAddresses, listLinks } from '../runtime/netlink-links';
import { PacketSender } from '../runtime/packet-out';
import { baseObject, configForService, cubeConfig, serviceMembers } from './base-model';
import { ConfigRouter, fail } from './config-router';
import { CubeRecord, CubeRegistry, type PortRecord } from './cube-registry';
import { PCN_INCLUDE_DIR, resolveOptions } from './daemon-options';
import { CoalescingWriter } from './coalescing-writer';
import { loadConfigs, RuntimeStore, saveConfigs, type CubeConfig } from './persistence';
import { PortWiring } from './port-wiring';
import { SouthboundError, type AttachResult, type ServiceLink } from './service-link';
import { parseServiceYang, ServiceConnection, serviceView, type ServiceRecord } from './service-registry';
import { loadFailure, readMapEntries, writeMapOps } from './southbound';
import {
  ErrorCode,
  LOG_LEVELS,
  type ConfigOp,
  type ConfigResult,
  type CubeType,
  type CubeView,
  type DaemonOptions,
  type LogEvent,
  type LogLevel,
  type NetdevView,
  type ServiceView,
} from './types';

export { SouthboundError };
export type { AttachResult, ServiceLink };

/** What `start()` found on disk. */
export interface StartupReport {
  /** Cubes whose pinned dataplane was taken over (no reload). */
  adopted: string[];
  /** Persisted cubes waiting for their service to rebuild them. */
  pending: string[];
  /** Pin directories under the pin root that belong to no persisted cube (left alone). */
  orphans: string[];
  /** The state file was unusable: where it was moved and why. */
  corrupt?: { movedTo: string; reason: string };
}

const levelIndex = (l: LogLevel): number => LOG_LEVELS.indexOf(l);
/** Configuration changes arriving within this window are written to the state file together. */
const PERSIST_DELAY_MS = 50;

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
  private readonly wiring: PortWiring;
  private readonly router: ConfigRouter;
  private readonly store: RuntimeStore | undefined;
  private watch: NetdevWatch | undefined;
  private sender: PacketSender | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly dump = new CoalescingWriter((names) => this.persistChanged(names), PERSIST_DELAY_MS);
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(opts: Partial<DaemonOptions> = {}) {
    super();
    this.options = resolveOptions(opts);
    this.store = this.options.runtimeDir ? new RuntimeStore(this.options.runtimeDir) : undefined;
    this.wiring = new PortWiring(
      this.cubeReg,
      (cube, port) => this.onPortChange(cube, port),
      (err) => this.log('ERR', `port wiring: ${(err as Error).message}`),
    );
    this.router = new ConfigRouter({
      cubes: this.cubeReg,
      wiring: this.wiring,
      service: (name) => this.serviceReg.get(name),
      newCube: (p) => this.makeCube(p),
      destroyCube: (cube) => this.destroyCube(cube),
      setLogLevel: (cube, level) => this.setLogLevel(cube, level),
      afterChange: (cube) => this.afterChange(cube),
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
    ensureBpffs(this.options.pinRoot);
    mkdirSync(this.options.cacheDir, { recursive: true });
    const loaded = this.options.stateFile ? loadConfigs(this.options.stateFile) : { configs: [] };
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
        this.restoreCube(config, links);
      } catch (err) {
        this.log('ERR', `cannot restore cube ${config.name}: ${(err as Error).message}`);
      }
    }
    this.wiring.refreshStatus(links);
    for (const dir of existsSync(this.options.pinRoot) ? readdirSync(this.options.pinRoot) : []) {
      if (!this.cubeReg.get(dir)) this.startup.orphans.push(dir);
    }
    if (this.startup.orphans.length > 0)
      this.log(
        'WARN',
        `pins of unknown cubes left in ${this.options.pinRoot}: ${this.startup.orphans.join(', ')}`,
      );
    this.persist();
    this.watch = new NetdevWatch(
      this.options.netdevPollMs,
      (l) => this.wiring.refreshStatus(l),
      (err) => this.log('ERR', `netdev watch: ${(err as Error).message}`),
    );
    this.watch.start();
  }

  /** Stops watching and closes every fd; the dataplane keeps forwarding (pins stay). Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    await this.dump.close();
    this.state = 'stopped';
    this.watch?.stop();
    for (const svc of this.serviceReg.values()) {
      const conn = svc.conn;
      svc.conn = undefined;
      conn?.failAll();
      conn?.link.close('polycubed is stopping');
    }
    for (const cube of this.cubeReg.list()) {
      this.saveRuntime(cube);
      cube.dataplane.close();
    }
    this.sender?.close();
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
   * service, awaiting its reply. A rejected request changes nothing. Operations run one at a time.
   * Base leaves read as JSON strings (`shadow`/`span` as "true"/"false", as polycubed does);
   * a base leaf of a missing cube answers NO_CONTENT. Never throws: every failure is a ConfigResult.
   */
  execute(op: ConfigOp): Promise<ConfigResult> {
    return this.serialize(async () => {
      if (this.state !== 'running') return fail(ErrorCode.UNAVAILABLE, 'polycubed is not running');
      if ((op.op === 'CREATE' || op.op === 'REPLACE') && op.path.split('/').filter(Boolean).length === 1) {
        if (!/^[^\s/:]+$/.test(op.cube) || op.cube === '.' || op.cube === '..')
          return fail(ErrorCode.BAD_ATTRIBUTE, `invalid cube name ${JSON.stringify(op.cube)}`, 'name');
      }
      try {
        return await this.router.execute(op);
      } catch (err) {
        this.log('ERR', `execute ${op.op} ${op.path} on ${op.cube}: ${(err as Error).stack ?? String(err)}`);
        return fail(ErrorCode.GENERIC_ERROR, (err as Error).message);
      }
    });
  }

  /**
   * REST `/connect`: each of `a`, `b` is `cube:port` or a netdev name; sets the peer of the cube
   * port(s). Errors carry runtime spec §2.1 texts (REST answers them as 400 plain text).
   */
  connectPeers(a: string, b: string): Promise<ConfigResult> {
    return this.serialize(async () => {
      const pa = this.portRef(a);
      const pb = this.portRef(b);
      for (const text of [a, b]) {
        const missing = this.missingPortRef(text);
        if (missing) return fail(ErrorCode.GENERIC_ERROR, missing);
      }
      if (!pa && !pb) return fail(ErrorCode.GENERIC_ERROR, 'Error setting peer');
      for (const [ref, name] of [
        [pa, a],
        [pb, b],
      ] as const) {
        if (ref && ref.port.peer)
          return fail(ErrorCode.GENERIC_ERROR, `${name} already has a peer ${ref.port.peer}`);
      }
      const links = this.wiring.links();
      for (const [ref, other] of [
        [pa, b],
        [pb, a],
      ] as const) {
        if (!ref) continue;
        const check = this.wiring.checkPeer(ref.cube, ref.port.name, other, links);
        if ('error' in check) return fail(ErrorCode.GENERIC_ERROR, check.error);
      }
      const done: NonNullable<typeof pa>[] = [];
      for (const [ref, other] of [
        [pa, b],
        [pb, a],
      ] as const) {
        if (!ref) continue;
        const err = this.wiring.setPeer(ref.cube, ref.port, other, links);
        if (err) {
          for (const d of done) this.wiring.setPeer(d.cube, d.port, '');
          return fail(ErrorCode.GENERIC_ERROR, err);
        }
        done.push(ref);
      }
      for (const d of done) await this.afterChange(d.cube.name);
      return { code: ErrorCode.OK };
    });
  }

  /** REST `/disconnect`: undoes `connectPeers`; "<a> is not connected to <b>" otherwise. */
  disconnectPeers(a: string, b: string): Promise<ConfigResult> {
    return this.serialize(async () => {
      const changed: CubeRecord[] = [];
      for (const [ref, other] of [
        [this.portRef(a), b],
        [this.portRef(b), a],
      ] as const) {
        if (ref && ref.port.peer === other) {
          this.wiring.setPeer(ref.cube, ref.port, '');
          changed.push(ref.cube);
        }
      }
      if (changed.length === 0) return fail(ErrorCode.GENERIC_ERROR, `${a} is not connected to ${b}`);
      for (const c of changed) await this.afterChange(c.name);
      return { code: ErrorCode.OK };
    });
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
    if (reg.protocolVersion !== PROTOCOL_VERSION) {
      return {
        ok: false,
        status: 'FAILED_PRECONDITION',
        message: `protocol version ${reg.protocolVersion} is not supported (polycubed speaks ${PROTOCOL_VERSION})`,
      };
    }
    if (!reg.name) return { ok: false, status: 'INVALID_ARGUMENT', message: 'Register has no service name' };
    if (this.serviceReg.get(reg.name)?.conn)
      return { ok: false, status: 'ALREADY_EXISTS', message: `service ${reg.name} is already connected` };
    const parsed = parseServiceYang(reg, this.options.yangSearchPath);
    if ('error' in parsed) return { ok: false, status: 'INVALID_ARGUMENT', message: parsed.error };
    const record: ServiceRecord = {
      name: reg.name,
      version: parsed.module.service.version ?? reg.version,
      description: parsed.module.service.description ?? reg.description,
      yang: reg.yang,
      imports: { ...reg.imports },
      module: parsed.module,
      conn: new ServiceConnection(reg.name, link, this.options.requestTimeoutMs),
    };
    this.serviceReg.set(reg.name, record);
    link.send({ registered: { daemonVersion: this.options.version } });
    const running = this.cubeReg.list(reg.name).filter((c) => !c.needsCreate);
    link.send({
      resync: {
        cubes: running.map((c) => ({
          name: c.name,
          configJson: JSON.stringify(configForService(cubeConfig(c, parsed.module))),
        })),
      },
    });
    this.log('INFO', `service ${reg.name} registered (${running.length} cubes resynced)`);
    this.emit('service', serviceView(record));
    void this.rebuildPending(reg.name);
    return { ok: true };
  }

  /** The stream behind `link` ended: pending requests fail with UNAVAILABLE; cubes keep forwarding. */
  detachService(link: ServiceLink): void {
    for (const svc of this.serviceReg.values()) {
      if (svc.conn?.link !== link) continue;
      const conn = svc.conn;
      svc.conn = undefined;
      conn.failAll();
      this.log('WARN', `service ${svc.name} disconnected; its cubes keep forwarding`);
      this.emit('service', serviceView(svc));
    }
  }

  /** A ConfigReply arrived on `link`. */
  handleReply(link: ServiceLink, reply: ConfigReplyMsg): void {
    for (const svc of this.serviceReg.values()) if (svc.conn?.link === link) svc.conn.handleReply(reply);
  }

  /**
   * Compiles and loads a cube's program; the running one is replaced only when the new one
   * loaded (maps keep their contents). Compile and verifier failures come back in the reply
   * with clang's diagnostics or the verifier log. Throws SouthboundError for an unknown cube.
   */
  async loadDataplane(req: LoadDataplaneRequestMsg, caller?: string): Promise<LoadDataplaneReplyMsg> {
    const cube = this.southCube(req.cube, caller);
    if (!req.entry || !(req.entry in (req.files ?? {})))
      throw new SouthboundError(
        'INVALID_ARGUMENT',
        `entry ${JSON.stringify(req.entry)} is not among the files`,
      );
    const source: ProgramSource = {
      files: { ...req.files },
      entry: req.entry,
      defines: { ...req.defines },
      mapSizes: { ...req.mapSizes },
      replaceIncompatibleMaps: req.replaceIncompatibleMaps,
    };
    return cube.withDataplane(async () => {
      try {
        const out = await cube.dataplane.load(source, levelIndex(cube.loglevel));
        cube.source = source;
        this.store?.saveSource(cube.name, source);
        this.saveRuntime(cube);
        return {
          reloaded: out.reloaded,
          programId: out.programId,
          error: '',
          errorKind: '',
          log: out.warnings,
        };
      } catch (err) {
        this.log('WARN', `cube ${cube.name}: program not loaded: ${(err as Error).message}`);
        return loadFailure(err, cube.dataplane.programId);
      }
    });
  }

  /** Applies map writes in order; returns how many were applied (throws SouthboundError). */
  writeMaps(cube: string, ops: MapOpMsg[], caller?: string): number {
    return writeMapOps(this.southCube(cube, caller).dataplane, cube, ops);
  }

  /** Reads a whole map, or the given keys (throws SouthboundError). */
  readMaps(cube: string, map: string, keys: Buffer[], caller?: string): MapEntryMsg[] {
    return readMapEntries(this.southCube(cube, caller).dataplane, cube, map, keys);
  }

  /** Sends a frame out of a cube port's peer netdev (throws SouthboundError). */
  sendPacket(cube: string, port: string, packet: Buffer, recirculate: boolean, caller?: string): void {
    const c = this.southCube(cube, caller);
    const p = c.ports.get(port);
    if (!p) throw new SouthboundError('NOT_FOUND', `Port ${port} does not exist`);
    if (recirculate)
      throw new SouthboundError('UNIMPLEMENTED', 'recirculate is not supported by this polycubed');
    if (p.status !== 'UP' || p.ifindex === 0) {
      if (p.status === 'UP')
        throw new SouthboundError('UNIMPLEMENTED', 'packet-out to a cube peer is not supported');
      throw new SouthboundError('FAILED_PRECONDITION', `packetout: port ${cube}:${port} is down`);
    }
    try {
      this.sender ??= new PacketSender();
      this.sender.send(p.ifindex, packet, `${cube}:${port}`);
    } catch (err) {
      throw new SouthboundError(
        err instanceof TypeError ? 'INVALID_ARGUMENT' : 'INTERNAL',
        (err as Error).message,
      );
    }
  }

  /** Port ids, peers and status of a cube (throws SouthboundError). */
  getCube(cube: string, caller?: string): CubeInfoMsg {
    const c = this.southCube(cube, caller);
    return {
      name: c.name,
      type: c.type,
      loglevel: c.loglevel,
      ports: c
        .sortedPorts()
        .map((p) => ({ name: p.name, id: p.id, peer: p.peer, status: p.status, ifindex: p.ifindex })),
    };
  }

  // ------------------------------------------------------------ internals

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private log(level: LogLevel, message: string): void {
    const ev: LogEvent = { level, message };
    this.emit('log', ev);
  }

  private southCube(name: string, caller: string | undefined): CubeRecord {
    const cube = this.cubeReg.get(name);
    if (!cube) throw new SouthboundError('NOT_FOUND', `Cube ${name} does not exist`);
    if (caller && cube.service !== caller)
      throw new SouthboundError('PERMISSION_DENIED', `cube ${name} belongs to service ${cube.service}`);
    return cube;
  }

  /** For a `cube:port` that names no existing port, polycubed's error text; else undefined. */
  private missingPortRef(text: string): string | undefined {
    const m = /^(\S+):(\S+)$/.exec(text);
    if (!m) return undefined;
    const cube = this.cubeReg.get(m[1]);
    if (!cube) return 'Cube does not exist';
    return cube.ports.has(m[2]) ? undefined : `Port ${m[2]} does not exist`;
  }

  private portRef(text: string): { cube: CubeRecord; port: PortRecord } | undefined {
    const m = /^(\S+):(\S+)$/.exec(text);
    const cube = m ? this.cubeReg.get(m[1]) : undefined;
    const port = m ? cube?.ports.get(m[2]) : undefined;
    return cube && port ? { cube, port } : undefined;
  }

  private makeCube(p: {
    name: string;
    service: string;
    type: CubeType;
    loglevel: LogLevel;
    shadow: boolean;
    span: boolean;
    uuid?: string;
    cubeId?: number;
  }): CubeRecord {
    const cubeId = this.cubeReg.allocateCubeId(p.cubeId);
    const name = p.name;
    const dataplane = new CubeDataplane({
      cube: name,
      cubeId,
      hook: p.type,
      pinDir: join(this.options.pinRoot, name),
      cacheDir: this.options.cacheDir,
      includeDirs: [PCN_INCLUDE_DIR, ...(this.options.includeDirs ?? [])],
      onLog: (rec) => this.onCubeLog(name, rec),
      onPacketIn: (rec) => this.onPacketIn(name, rec),
      onError: (err) => this.log('ERR', `cube ${name}: ${(err as Error).message}`),
    });
    const uuid = p.uuid ?? randomUUID();
    return new CubeRecord(name, p.service, uuid, p.type, p.loglevel, p.shadow, p.span, cubeId, dataplane);
  }

  private destroyCube(cube: CubeRecord): void {
    for (const port of cube.ports.values()) this.wiring.unbind(cube, port);
    try {
      cube.dataplane.destroy();
    } catch (err) {
      this.log('ERR', `cube ${cube.name}: cleanup: ${(err as Error).message}`);
    }
    this.cubeReg.remove(cube.name);
    this.store?.remove(cube.name);
    this.wiring.refreshStatus(this.wiring.links());
  }

  private async setLogLevel(cube: CubeRecord, level: LogLevel): Promise<string | undefined> {
    if (!cube.dataplane.loaded) {
      cube.loglevel = level;
      return undefined;
    }
    const source = cube.source;
    if (!source) return `cannot change the log level of ${cube.name}: its program source is unknown`;
    return cube.withDataplane(async () => {
      try {
        await cube.dataplane.load(source, levelIndex(level));
        cube.loglevel = level;
        return undefined;
      } catch (err) {
        return `cannot reload ${cube.name} at log level ${level}: ${(err as Error).message}`;
      }
    });
  }

  /**
   * Records that a cube changed. Its runtime record is saved at once (adoption needs it); the
   * configuration dump is refreshed from the service and written once per burst of changes
   * (PERSIST_DELAY_MS), so a long run of REST writes does not re-read and rewrite the whole
   * configuration after every request. `flushPersistence()` and `stop()` write what is pending.
   */
  private afterChange(name: string): Promise<void> {
    const cube = this.cubeReg.get(name);
    if (cube) this.saveRuntime(cube);
    this.dump.mark(name);
    return Promise.resolve();
  }

  /** Writes every pending configuration change now; resolves once the state file is current. */
  flushPersistence(): Promise<void> {
    return this.dump.flush();
  }

  private async persistChanged(names: string[]): Promise<void> {
    for (const name of names) await this.refreshServiceConfig(name);
    this.persist();
    for (const name of names) this.emit('change', name);
  }

  /** Re-reads a cube's service members (for the dump) from its service, when connected. */
  private async refreshServiceConfig(name: string): Promise<void> {
    const cube = this.cubeReg.get(name);
    const svc = cube && this.serviceReg.get(cube.service);
    if (!cube || !svc?.conn) return;
    const op: ConfigOp = {
      op: 'READ',
      service: svc.name,
      cube: name,
      path: `/${svc.module.name}`,
      keys: [],
      isCollection: false,
    };
    const res = await this.router.forward(op, undefined);
    if (res.code === ErrorCode.OK) cube.serviceConfig = serviceMembers(res.body ?? {}, svc.module);
    else
      this.log(
        'WARN',
        `cube ${name}: could not read its configuration for persistence: ${res.message ?? res.code}`,
      );
  }

  private persist(): void {
    if (!this.options.stateFile) return;
    try {
      const configs = this.cubeReg.list().map((c) => cubeConfig(c, this.serviceReg.get(c.service)?.module));
      saveConfigs(this.options.stateFile, configs);
    } catch (err) {
      this.log('ERR', `cannot save ${this.options.stateFile}: ${(err as Error).message}`);
    }
  }

  private saveRuntime(cube: CubeRecord): void {
    if (!this.store || !this.cubeReg.get(cube.name)) return;
    const bindings = cube.dataplane.bindingState();
    const ports: Record<string, { id: number; ifindex?: number; createdHook?: boolean }> = {};
    for (const p of cube.ports.values()) ports[p.name] = { id: p.id, ...bindings[p.id] };
    try {
      this.store.saveRuntime(cube.name, { cubeId: cube.cubeId, ports });
    } catch (err) {
      this.log('ERR', `cannot save runtime record of ${cube.name}: ${(err as Error).message}`);
    }
  }

  /** Rebuilds a persisted cube: adopts its pinned dataplane, or marks it for the service to create. */
  private restoreCube(config: CubeConfig, links: ReturnType<PortWiring['links']>): void {
    const rt = this.store?.loadRuntime(config.name);
    const type = (
      ['TC', 'XDP_SKB', 'XDP_DRV'].includes(String(config.type)) ? config.type : 'TC'
    ) as CubeType;
    const level = String(config.loglevel ?? 'INFO').toUpperCase() as LogLevel;
    const cube = this.makeCube({
      name: config.name,
      service: config['service-name'],
      type,
      loglevel: LOG_LEVELS.includes(level) ? level : 'INFO',
      shadow: false,
      span: false,
      ...(typeof config.uuid === 'string' ? { uuid: config.uuid } : {}),
      ...(rt ? { cubeId: rt.cubeId } : {}),
    });
    cube.serviceConfig = serviceMembers(config, undefined);
    for (const entry of Array.isArray(config.ports) ? config.ports : []) {
      const e = entry as Record<string, unknown>;
      if (typeof e.name !== 'string') continue;
      const saved = rt?.ports[e.name];
      const port = cube.addPort(e.name, {
        ...(saved ? { id: saved.id } : {}),
        ...(typeof e.uuid === 'string' ? { uuid: e.uuid } : {}),
      });
      port.peer = typeof e.peer === 'string' ? e.peer : '';
    }
    this.cubeReg.add(cube);
    cube.source = this.store?.loadSource(cube.name) as ProgramSource | undefined;
    const adopted = cube.dataplane.adopt();
    for (const port of cube.ports.values()) {
      const link = links.get(port.peer);
      const saved = rt?.ports[port.name];
      if (link && link.up && !link.loopback) {
        // Adopted: the program already runs there and is left alone; pending: recorded for the load.
        cube.dataplane.bind(
          port.id,
          link.ifindex,
          saved?.ifindex === link.ifindex && saved.createdHook === true,
        );
        port.ifindex = link.ifindex;
      } else if (adopted && saved?.ifindex) {
        cube.dataplane.forgetPort(port.id, saved.ifindex);
      }
    }
    if (adopted) {
      this.startup.adopted.push(cube.name);
      this.log('INFO', `cube ${cube.name}: adopted pinned program ${cube.dataplane.programId}`);
    } else {
      cube.needsCreate = true;
      this.startup.pending.push(cube.name);
      this.log(
        'INFO',
        `cube ${cube.name}: no pinned dataplane; waiting for service ${cube.service} to rebuild it`,
      );
    }
  }

  /** Asks a (re)registered service to create the persisted cubes that were not adopted. */
  private rebuildPending(service: string): Promise<void> {
    return this.serialize(async () => {
      const svc = this.serviceReg.get(service);
      for (const cube of this.cubeReg.list(service).filter((c) => c.needsCreate)) {
        if (!svc?.conn) return;
        const body = configForService(cubeConfig(cube, svc.module));
        const op: ConfigOp = {
          op: 'CREATE',
          service,
          cube: cube.name,
          path: `/${svc.module.name}`,
          keys: [],
          body,
          isCollection: false,
        };
        const res = await this.router.forward(op, body);
        if (res.code === ErrorCode.OK) {
          cube.needsCreate = false;
          await this.afterChange(cube.name);
        } else {
          this.log(
            'ERR',
            `cube ${cube.name}: service ${service} could not rebuild it: ${res.message ?? res.code}`,
          );
        }
      }
    });
  }

  private onCubeLog(name: string, rec: LogRecord): void {
    const cube = this.cubeReg.get(name);
    if (!cube) return;
    if (rec.type !== 0) {
      this.log('WARN', `cube ${name}: Received bad message type in datapath_log_msg`);
      return;
    }
    const level = LOG_LEVELS[rec.level] ?? 'INFO';
    if (levelIndex(level) < levelIndex(cube.loglevel) || level === 'OFF') return;
    const ev: LogEvent = { cube: name, level, message: formatPcnLog(rec.fmt, rec.args) };
    this.emit('log', ev);
  }

  private onPacketIn(name: string, rec: PktInRecord): void {
    const cube = this.cubeReg.get(name);
    const conn = cube && this.serviceReg.get(cube.service)?.conn;
    if (!cube || !conn) return; // no service to hand it to: dropped, as a packet-in with no callback
    conn.link.send({
      packetIn: {
        cube: name,
        portId: rec.md.inPort,
        portName: cube.portById(rec.md.inPort)?.name ?? '',
        reason: rec.md.reason,
        metadata: [...rec.md.md],
        trafficClass: rec.md.trafficClass,
        packet: rec.frame,
      },
    });
  }

  private onPortChange(cube: CubeRecord, port: PortRecord): void {
    this.saveRuntime(cube);
    this.emit('port', {
      cube: cube.name,
      port: port.name,
      id: port.id,
      status: port.status,
      peer: port.peer,
    });
    this.serviceReg.get(cube.service)?.conn?.link.send({
      portEvent: { cube: cube.name, port: port.name, portId: port.id, status: port.status, peer: port.peer },
    });
  }
}
