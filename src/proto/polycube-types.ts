// TypeScript view of polycube.proto (package polycube.v1) as @grpc/proto-loader decodes it with
// LOADER_OPTIONS: camelCase fields, enums as their names, uint64 as numbers, bytes as Buffers.
// Shared by both ends of the contract (src/polycubed/grpc and src/service-kit); no I/O here
// except loading the .proto file itself.

import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Path of the contract file. */
export const PROTO_PATH = join(__dirname, 'polycube.proto');

/** The protocol version a service sends in Register and polycubed accepts. */
export const PROTOCOL_VERSION = 1;

/** How both ends decode messages; the interfaces below assume exactly these options. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

/** Result codes of configuration operations (proto `ErrorCode`), mapped onto REST statuses. */
export const ErrorCode = {
  /** 200/201: success. */
  OK: 'OK',
  /** 500, message as plain text (the service's or polycubed's error text). */
  GENERIC_ERROR: 'GENERIC_ERROR',
  /** 400 invalid-value. */
  INVALID_VALUE: 'INVALID_VALUE',
  /** 400 missing-attribute. */
  MISSING_ATTRIBUTE: 'MISSING_ATTRIBUTE',
  /** 400 bad-attribute. */
  BAD_ATTRIBUTE: 'BAD_ATTRIBUTE',
  /** 400 bad-element. */
  BAD_ELEMENT: 'BAD_ELEMENT',
  /** 409 data-exists. */
  DATA_EXISTS: 'DATA_EXISTS',
  /** 409 data-missing. */
  DATA_MISSING: 'DATA_MISSING',
  /** 405 operation-not-supported. */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** 503: the owning service is not connected. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** 204 without a body (base-model leaf of a cube that does not exist). */
  NO_CONTENT: 'NO_CONTENT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Configuration operations (proto `Operation` without UNSPECIFIED). */
export type Op = 'CREATE' | 'READ' | 'UPDATE' | 'REPLACE' | 'DELETE';

/** A list key along a request path (proto `Key`). */
export interface KeyMsg {
  list: string;
  name: string;
  value: string;
}

/** proto `Register`. */
export interface RegisterMsg {
  protocolVersion: number;
  name: string;
  yang: string;
  imports: Record<string, string>;
  version: string;
  description: string;
}

/** proto `ConfigRequest`. */
export interface ConfigRequestMsg {
  id: number;
  op: Op | 'OPERATION_UNSPECIFIED';
  cube: string;
  path: string;
  keys: KeyMsg[];
  bodyJson: string;
  isCollection: boolean;
}

/** proto `ConfigReply`. */
export interface ConfigReplyMsg {
  id: number;
  code: ErrorCode;
  message: string;
  bodyJson: string;
  errorInfo: string;
  /** The change's map writes, for a polycubed that set `Registered.replyWrites` (null: none). */
  writes?: WriteMapsRequestMsg | null;
  /** READ: how long polycubed may answer the same READ with this reply (0: never). */
  cacheMs?: number;
}

/** proto `Registered`. */
export interface RegisteredMsg {
  daemonVersion: string;
  /** polycubed applies the writes a ConfigReply carries and answers them with WritesDone. */
  replyWrites?: boolean;
}

/** proto `WritesDone`: the outcome of the writes ConfigReply `id` carried. */
export interface WritesDoneMsg {
  id: number;
  applied: number;
  /** Empty on success. */
  error: string;
}

/** proto `CubeConfig`. */
export interface CubeConfigMsg {
  name: string;
  configJson: string;
}

/** proto `PacketIn`. */
export interface PacketInMsg {
  cube: string;
  portId: number;
  portName: string;
  reason: number;
  metadata: number[];
  trafficClass: number;
  packet: Buffer;
}

/** proto `PortEvent`. */
export interface PortEventMsg {
  cube: string;
  port: string;
  portId: number;
  status: string;
  peer: string;
}

/** proto `ServiceMessage` (exactly one of the members is set; `kind` names it). */
export interface ServiceMessageMsg {
  kind?: 'register' | 'reply';
  register?: RegisterMsg;
  reply?: ConfigReplyMsg;
}

/** proto `DaemonMessage` (exactly one of the members is set; `kind` names it). */
export interface DaemonMessageMsg {
  kind?: 'registered' | 'request' | 'packetIn' | 'portEvent' | 'resync' | 'writesDone';
  registered?: RegisteredMsg;
  request?: ConfigRequestMsg;
  packetIn?: PacketInMsg;
  portEvent?: PortEventMsg;
  resync?: { cubes: CubeConfigMsg[] };
  writesDone?: WritesDoneMsg;
}

/** proto `LoadDataplaneRequest`. */
export interface LoadDataplaneRequestMsg {
  cube: string;
  files: Record<string, string>;
  entry: string;
  defines: Record<string, string>;
  mapSizes: Record<string, number>;
  replaceIncompatibleMaps: boolean;
}

/** proto `LoadDataplaneReply`. */
export interface LoadDataplaneReplyMsg {
  reloaded: boolean;
  programId: number;
  /** Empty on success; otherwise why the program was not loaded (the old one keeps running). */
  error: string;
  /** COMPILE, VERIFIER, KERNEL or MEMORY when `error` is set. */
  errorKind: string;
  /** clang diagnostics or the verifier log of a failure; clang warnings on success. */
  log: string;
  /** Bytes of kernel memory of the program's maps (loaded, or refused with errorKind MEMORY). */
  kernelMemory?: number;
  /** The same by map name. */
  mapMemory?: Record<string, number>;
  /** errorKind MEMORY: polycubed's kernel memory budget and what the other cubes take of it. */
  kernelMemoryBudget?: number;
  kernelMemoryUsed?: number;
}

/** proto `MapOp`. */
export interface MapOpMsg {
  map: string;
  key: Buffer;
  value: Buffer;
  delete: boolean;
  /** Entries packed back to back in key (and value); 0 or 1: one entry. */
  count?: number;
}

/** proto `WriteMapsRequest`. */
export interface WriteMapsRequestMsg {
  cube: string;
  ops: MapOpMsg[];
}

/** proto `ReadMapsRequest`. */
export interface ReadMapsRequestMsg {
  cube: string;
  map: string;
  keys: Buffer[];
  /** count > 0: a range read of an array map (keys first … first+count−1, values packed). */
  first?: number;
  count?: number;
}

/** proto `SendPacketRequest`. */
export interface SendPacketRequestMsg {
  cube: string;
  port: string;
  packet: Buffer;
  recirculate: boolean;
}

/** proto `GetCubeRequest`. */
export interface GetCubeRequestMsg {
  cube: string;
}

/** proto `MapEntry`. */
export interface MapEntryMsg {
  key: Buffer;
  value: Buffer;
  perCpu: Buffer[];
}

/** proto `PortInfo`. */
export interface PortInfoMsg {
  name: string;
  id: number;
  peer: string;
  status: string;
  ifindex: number;
}

/** proto `CubeInfo`. */
export interface CubeInfoMsg {
  name: string;
  type: string;
  loglevel: string;
  ports: PortInfoMsg[];
  /** Bytes of kernel memory of the cube's maps (0 before its first program). */
  kernelMemory?: number;
}

/** Loads polycube.proto and returns the `Polycubed` service constructor and definition. */
export function loadPolycubedService(): {
  definition: grpc.ServiceDefinition;
  client: grpc.ServiceClientConstructor;
} {
  const pkgDef = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(pkgDef) as unknown as {
    polycube: { v1: { Polycubed: grpc.ServiceClientConstructor } };
  };
  const client = loaded.polycube.v1.Polycubed;
  return { definition: client.service, client };
}
