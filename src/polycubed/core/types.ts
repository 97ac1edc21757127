// Types of the in-process daemon API (src/polycubed/core/daemon.ts): the configuration operation
// the REST layer hands to `Daemon.execute`, its result, and the read-only views of services,
// cubes, ports and netdevs. Plain data only; nothing here touches the kernel.

import type { IrModule } from 'yang-ts-codegen';
import { ErrorCode, type Op } from '../../proto/polycube-types';

export { ErrorCode };
export type { Op };

/** A list key along the request path, outermost first, in YANG key order. */
export interface ConfigKey {
  /** List name, e.g. "service" or "ports". */
  list: string;
  /** Key leaf name, e.g. "vport". */
  name: string;
  /** Canonical text of the value, e.g. "80". */
  value: string;
}

/**
 * One configuration operation on a service's YANG tree, after REST validation.
 * `path` is the schema path of the target node with the module name first: `/lbrp` for the cube
 * itself, `/lbrp/loglevel`, `/lbrp/ports` (with a `ports` key for one element), `/lbrp/ports/peer`,
 * `/lbrp/service/backend`, … Keys of the cube itself are not in `keys`: the cube is `cube`.
 */
export interface ConfigOp {
  op: Op;
  /** Service name (the module's service-name, e.g. "lbrp"). */
  service: string;
  /** Cube name. */
  cube: string;
  path: string;
  keys: ConfigKey[];
  /** Validated JSON body: defaults filled on CREATE/REPLACE, path keys copied in. Absent for READ/DELETE. */
  body?: unknown;
  /** True when the request targets a whole list (collection) rather than one element. */
  isCollection: boolean;
}

/** Outcome of `execute`. `body` is the READ result (JSON value), absent otherwise. */
export interface ConfigResult {
  code: ErrorCode;
  /** Error text, shown to the user verbatim (plain text). */
  message?: string;
  /** Member or key name for RESTCONF-style errors (`error-info`). */
  errorInfo?: string;
  body?: unknown;
}

/** Cube dataplane hook: TC ingress (clsact) or XDP in generic (SKB) or native (DRV) mode. */
export type CubeType = 'TC' | 'XDP_SKB' | 'XDP_DRV';
/** Cube log levels, lowest first (pcn_log LOG_* values are the indexes). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERR', 'CRITICAL', 'OFF'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** A level's pcn_log LOG_* value (its index in LOG_LEVELS); lower is more verbose. */
export const levelIndex = (l: LogLevel): number => LOG_LEVELS.indexOf(l);
/** Port status: UP iff the port is connected to an existing, up netdev or to a cube port naming it back. */
export type PortStatus = 'UP' | 'DOWN';

/** A snapshot of one port, as polycubed sees it. */
export interface PortView {
  name: string;
  /** Port id 0..127 (the dataplane's md->in_port). */
  id: number;
  uuid: string;
  /** Netdev name, `cube:port`, or "" when unconnected. */
  peer: string;
  status: PortStatus;
  /** ifindex of the peer netdev while it exists, else 0. */
  ifindex: number;
  /** Transparent cubes attached to the port (always empty: none are supported). */
  tcubes: string[];
}

/** A snapshot of one cube, as polycubed sees it. */
export interface CubeView {
  name: string;
  /** Owning service name. */
  service: string;
  uuid: string;
  type: CubeType;
  loglevel: LogLevel;
  shadow: boolean;
  span: boolean;
  /** CUBE_ID given to the dataplane (0..1021, lowest free). */
  cubeId: number;
  /** Ports ordered by name. */
  ports: PortView[];
  /** True once the service loaded a program for the cube (or it was adopted from pins). */
  dataplaneLoaded: boolean;
  /** Kernel id of the running program, 0 when none. */
  programId: number;
  /** Bytes of kernel memory of the cube's maps (0 before its first program). */
  kernelMemory: number;
  /** Datapath log lines held back by the rate limit since the cube was created (or polycubed started). */
  logLinesSuppressed?: number;
}

/** A registered service. */
export interface ServiceView {
  name: string;
  /** Version from the YANG service-version extension (else what Register said). */
  version: string;
  description: string;
  /** The main YANG module text sent at registration. */
  yang: string;
  /** Imported module texts sent at registration, by module name. */
  imports: Record<string, string>;
  /** The resolved schema of the service (codegen IR). */
  module: IrModule;
  /** True while the service's control stream is open. */
  connected: boolean;
}

/** A network device of polycubed's network namespace (REST `/netdevs`). */
export interface NetdevView {
  name: string;
  ifindex: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** "a.b.c.d/len" and IPv6 "x::y/len" addresses. */
  addresses: string[];
}

/** Log record of a cube or of the daemon, as emitted on the daemon's 'log' event. */
export interface LogEvent {
  /** Cube name, or undefined for the daemon's own messages. */
  cube?: string;
  level: LogLevel;
  message: string;
}

/** Daemon configuration (one typed object; defaults in daemon-options.ts). */
export interface DaemonOptions {
  /** bpffs directory under which each cube pins its objects in `<pinRoot>/<cube>/`. */
  pinRoot: string;
  /** Persistence file (JSON array of cube configs); undefined disables persistence. */
  stateFile?: string;
  /** Where per-cube runtime records (program source, hooks created) are kept; default `<dir of stateFile>/runtime`. */
  runtimeDir?: string;
  /** clang object cache. */
  cacheDir: string;
  /** Extra `-I` directories for cube programs, searched after the service's own files (pcn.h's dir is always added). */
  includeDirs?: string[];
  /** How long a ConfigRequest may wait for the service's reply. */
  requestTimeoutMs: number;
  /** Netdev poll period. */
  netdevPollMs: number;
  /**
   * TC cubes hand frames for a veth peer in another namespace straight to that peer
   * (bpf_redirect_peer) instead of transmitting them on the veth (runtime README).
   */
  vethPeerShortcut: boolean;
  /** Directories searched for imported YANG modules a service did not send (polycube base modules). */
  yangSearchPath: string[];
  /** Version string reported to services. */
  version: string;
  /**
   * Bytes of kernel memory all cubes' maps may take together; a program that would exceed it is
   * refused (kernel-memory-budget.ts). Default: 1/8 of MemTotal.
   */
  kernelMemoryBudget?: number;
}
