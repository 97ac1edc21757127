// What a cube service built on the service kit implements (ServiceHandler) and the shapes it
// sees: configuration requests with parsed bodies, answers, resync configs, dataplane errors.
// Depends only on the proto contract (src/proto), never on src/polycubed.

import type { ErrorCode, KeyMsg, Op, PacketInMsg, PortEventMsg } from '../proto/polycube-types';

export type {
  CubeInfoMsg as CubeInfo,
  MapEntryMsg as MapEntry,
  PortInfoMsg as PortInfo,
} from '../proto/polycube-types';
export type { KeyMsg as ConfigKey, Op, PacketInMsg as PacketIn, PortEventMsg as PortEvent };

/** A configuration operation polycubed forwards to the service (already validated). */
export interface ConfigRequest {
  id: number;
  op: Op;
  cube: string;
  /** Schema path of the target, module name first, e.g. "/lbrp/service/backend". */
  path: string;
  /** List keys along the path, outermost first. */
  keys: KeyMsg[];
  /** Parsed JSON body (undefined for READ and DELETE). Base members (peer, loglevel…) may be present: ignore them. */
  body: unknown;
  isCollection: boolean;
}

/**
 * The service's answer. `code` defaults to OK; `body` is the READ result. For a cube READ the
 * service answers its own members (polycubed adds name, uuid, type, loglevel, ports' base members…).
 */
export interface ConfigAnswer {
  code?: ErrorCode;
  /** Error text shown to the user verbatim. */
  message?: string;
  /** Member or key name for RESTCONF-style errors. */
  errorInfo?: string;
  body?: unknown;
  /**
   * The change's map writes, to travel in the reply (only with `code` OK, and only while
   * `ServiceKit.repliesCarryWrites`): polycubed applies them before it answers the client.
   */
  writes?: ReplyWrites;
  /**
   * READ: how long (ms) polycubed may answer the same READ with this answer itself, unless a
   * change of the cube goes through it meanwhile. Set it only when nothing else can change what
   * the READ shows in that time. Default 0.
   */
  cacheMs?: number;
}

/** What polycubed did with the writes a reply carried. */
export interface WritesOutcome {
  /** Operations applied (all of them unless `error`). */
  applied: number;
  /** Set when they were not all applied (or their outcome is unknown: the stream ended). */
  error?: string;
}

/** Map writes handed to the kit to send in a ConfigReply instead of a WriteMaps call. */
export interface ReplyWrites {
  cube: string;
  ops: MapWrite[];
  /** Called exactly once, with polycubed's WritesDone, or an error when they were not sent or the stream ended first. */
  done(outcome: WritesOutcome): void;
}

/** A cube polycubed already runs for this service, sent after (re)registration. */
export interface ResyncCube {
  name: string;
  /** The cube's persisted configuration ("service-name", name, base and service members, ports with peers). */
  config: Record<string, unknown>;
}

/** Implemented by a service; called one message at a time, in stream order. */
export interface ServiceHandler {
  /** Handles one configuration request. Throwing answers GENERIC_ERROR with the error's message. */
  onConfig(req: ConfigRequest): ConfigAnswer | Promise<ConfigAnswer>;
  /** The cubes polycubed runs for this service; rebuild in-memory state without disturbing their dataplanes. */
  onResync?(cubes: ResyncCube[]): void | Promise<void>;
  /** A frame the dataplane sent to the controller (pcn_pkt_controller). */
  onPacketIn?(ev: PacketInMsg): void;
  /** A port's status or peer changed. */
  onPortEvent?(ev: PortEventMsg): void;
}

/** Kernel memory of a program polycubed refused (kind MEMORY): its maps and the budget. */
export interface DataplaneMemory {
  /** Bytes the program's maps would take. */
  total: number;
  /** The same by map name. */
  maps: Record<string, number>;
  /** polycubed's kernel memory budget. */
  budget: number;
  /** Bytes taken by the other cubes. */
  used: number;
}

/** A program that did not compile or load; the cube's previous program keeps running. */
export class DataplaneError extends Error {
  /** COMPILE, VERIFIER, KERNEL or MEMORY (refused by polycubed's kernel memory budget). */
  readonly kind: string;
  /** clang's diagnostics or the verifier log. */
  readonly log: string;
  /** For kind MEMORY. */
  readonly memory: DataplaneMemory | undefined;
  constructor(message: string, kind: string, log: string, memory?: DataplaneMemory) {
    super(message);
    this.name = 'DataplaneError';
    this.kind = kind;
    this.log = log;
    this.memory = memory;
  }
}

/** A map write: update `key` to `value`, or delete `key`. */
export interface MapWrite {
  map: string;
  key: Buffer;
  /** Required unless `delete`. Per-CPU maps accept one CPU's value (copied to all) or all CPUs'. */
  value?: Buffer;
  delete?: boolean;
  /**
   * Entries packed in this write (default 1): `key` holds `count` keys back to back and `value`
   * `count` values (one CPU's each for a per-CPU map). One message for a run of writes.
   */
  count?: number;
}

/** What LoadDataplane needs. */
export interface DataplaneSource {
  cube: string;
  /** Relative path → C source; pcn.h is provided by polycubed. */
  files: Record<string, string>;
  entry: string;
  defines?: Record<string, string | number>;
  mapSizes?: Record<string, number>;
  /** Replace pinned maps whose shape changed (losing their contents) instead of failing. */
  replaceIncompatibleMaps?: boolean;
}
