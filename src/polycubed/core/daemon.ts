// The polycubed daemon, in process: service registry, cube registry with ports, the single
// `execute()` entry the REST layer calls, the southbound calls the gRPC server forwards, and
// persistence. Owns every kernel object of every cube (through src/polycubed/runtime).

import { EventEmitter } from 'node:events';
import type {
  CubeInfoMsg,
  DaemonMessageMsg,
  ErrorCode,
  LoadDataplaneReplyMsg,
  LoadDataplaneRequestMsg,
  MapEntryMsg,
  MapOpMsg,
  RegisterMsg,
  ConfigReplyMsg,
} from '../../proto/polycube-types';
import type { ConfigOp, ConfigResult, CubeView, DaemonOptions, NetdevView, ServiceView } from './types';

/** The daemon side of one service's control stream (implemented by src/polycubed/grpc). */
export interface ServiceLink {
  /** Queues one message to the service; never throws (a broken stream ends through `detachService`). */
  send(msg: DaemonMessageMsg): void;
  /** Ends the stream; the daemon calls it when it stops. */
  close(reason: string): void;
}

/** Why a southbound call failed: a gRPC-ish status and a message (the grpc layer maps it). */
export class SouthboundError extends Error {
  /** NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, UNAVAILABLE, PERMISSION_DENIED, INTERNAL. */
  readonly status: string;
  constructor(status: string, message: string) {
    super(message);
    this.name = 'SouthboundError';
    this.status = status;
  }
}

/** Answer to a Register: accepted, or refused with a gRPC-ish status and a message. */
export type AttachResult = { ok: true } | { ok: false; status: string; message: string };

/**
 * polycubed. Events:
 * - `'change'` (cube: string): a cube's configuration changed (after it was persisted).
 * - `'service'` (view: ServiceView): a service registered, re-registered or disconnected.
 * - `'port'` ({cube, port, status, peer}): a port's status or peer changed.
 * - `'log'` (LogEvent): a cube's pcn_log line or a daemon message.
 */
export class Daemon extends EventEmitter {
  constructor(_opts: Partial<DaemonOptions> = {}) {
    super();
  }

  /**
   * Mounts a bpffs under the pin root if needed, loads the persisted configuration (a corrupt
   * file is moved aside and reported), re-adopts cubes whose pins exist (programs, maps and
   * filters stay; nothing is reloaded) and starts watching netdevs.
   */
  async start(): Promise<void> {
    throw new Error('not implemented yet (issue 4)');
  }

  /** Stops watching and closes every fd; the dataplane keeps forwarding (pins stay). Idempotent. */
  async stop(): Promise<void> {
    throw new Error('not implemented yet (issue 4)');
  }

  /** Registered services, by name. */
  services(): ServiceView[] {
    return [];
  }

  /** One registered service, or undefined. */
  service(_name: string): ServiceView | undefined {
    return undefined;
  }

  /** Cubes (of one service when given), ordered by name. */
  cubes(_service?: string): CubeView[] {
    return [];
  }

  /** One cube, or undefined. */
  cube(_name: string): CubeView | undefined {
    return undefined;
  }

  /**
   * The framework base object of a cube (REST spec §4.2 service collection / `/cubes`):
   * name, uuid, service-name, type, loglevel, ports [{name, peer?}] (only when it has ports),
   * shadow, span. Undefined when the cube does not exist. Never asks the service.
   */
  cubeBase(_name: string): Record<string, unknown> | undefined {
    return undefined;
  }

  /**
   * Runs one configuration operation (REST spec §6.2 semantics). polycubed answers the base
   * model itself (cube create/delete, ports and their peers, type/uuid/loglevel/service-name/
   * shadow/span, ports/{uuid,status,peer,tcubes}) and forwards everything else to the owning
   * service, awaiting its reply. A rejected request changes nothing. Operations run one at a time.
   * Never throws: every failure is a ConfigResult.
   */
  async execute(_op: ConfigOp): Promise<ConfigResult> {
    throw new Error('not implemented yet (issue 4)');
  }

  /**
   * REST `/connect`: each of `a`, `b` is `cube:port` or a netdev name; sets the peer of the cube
   * port(s). Errors carry runtime spec §2.1 texts (REST answers them as 400 plain text).
   */
  async connectPeers(_a: string, _b: string): Promise<ConfigResult> {
    throw new Error('not implemented yet (issue 4)');
  }

  /** REST `/disconnect`: undoes `connectPeers`; "<a> is not connected to <b>" otherwise. */
  async disconnectPeers(_a: string, _b: string): Promise<ConfigResult> {
    throw new Error('not implemented yet (issue 4)');
  }

  /** Up, non-loopback netdevs of the daemon's netns, sorted by name (REST `/netdevs`). */
  netdevs(): NetdevView[] {
    return [];
  }

  // ------------------------------------------------------------ southbound (used by grpc/)

  /** A service sent Register on `link`. On success it gets Registered, Resync and pending CREATEs. */
  attachService(_reg: RegisterMsg, _link: ServiceLink): AttachResult {
    return { ok: false, status: 'UNIMPLEMENTED', message: 'not implemented yet (issue 4)' };
  }

  /** The stream behind `link` ended: pending requests fail with UNAVAILABLE; cubes keep forwarding. */
  detachService(_link: ServiceLink): void {}

  /** A ConfigReply arrived on `link`. */
  handleReply(_link: ServiceLink, _reply: ConfigReplyMsg): void {}

  /** Compiles and loads a cube's program (see LoadDataplaneReply for failures). */
  async loadDataplane(_req: LoadDataplaneRequestMsg, _caller?: string): Promise<LoadDataplaneReplyMsg> {
    throw new SouthboundError('UNIMPLEMENTED', 'not implemented yet (issue 4)');
  }

  /** Applies map writes in order; returns how many were applied (throws SouthboundError). */
  writeMaps(_cube: string, _ops: MapOpMsg[], _caller?: string): number {
    throw new SouthboundError('UNIMPLEMENTED', 'not implemented yet (issue 4)');
  }

  /** Reads a whole map, or the given keys (throws SouthboundError). */
  readMaps(_cube: string, _map: string, _keys: Buffer[], _caller?: string): MapEntryMsg[] {
    throw new SouthboundError('UNIMPLEMENTED', 'not implemented yet (issue 4)');
  }

  /** Sends a frame out of a cube port (throws SouthboundError). */
  sendPacket(_cube: string, _port: string, _packet: Buffer, _recirculate: boolean, _caller?: string): void {
    throw new SouthboundError('UNIMPLEMENTED', 'not implemented yet (issue 4)');
  }

  /** Port ids, peers and status of a cube (throws SouthboundError). */
  getCube(_cube: string, _caller?: string): CubeInfoMsg {
    throw new SouthboundError('UNIMPLEMENTED', 'not implemented yet (issue 4)');
  }
}

export type { ErrorCode };
