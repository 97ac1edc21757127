// The lbrp configuration of one cube as plain immutable objects (model → plan → sync, STYLE §1):
// port mode, ports, src-ip-rewrite, services and their backends. Every rule in model/ returns a
// new CubeModel (sharing unchanged parts) or a catalogue error; nothing here does I/O.

import { cubeError, type CubeError, type CubeErrorCode, type Result } from '../../common/errors';
import { Lbrp } from '../../generated/lbrp';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from './session-policy';
import type { HealthCheckType } from '../../generated/lbrp';
import type { ServicePolicy } from './service-policy';

export type PortMode = 'SINGLE' | 'MULTI' | 'ROUTED';
export type PortType = 'FRONTEND' | 'BACKEND';
/** Protocols a stored service has (ALL is expanded into these three). */
export type Proto = 'TCP' | 'UDP' | 'ICMP';

/** A port as lbrp sees it (polycubed owns ids, peers and status). */
export interface PortModel {
  readonly name: string;
  readonly type: PortType;
  /** FRONTEND ports in MULTI mode only: the client address this port serves. */
  readonly ip?: string;
}

/** One backend of a service. */
export interface BackendModel {
  /** Key: the backend's address. */
  readonly ip: string;
  readonly name?: string;
  /** Host order, 0..65535 (ignored for ICMP). */
  readonly port: number;
  /** 0..65535; 0 = drained (no new sessions, established ones continue). */
  readonly weight: number;
}

/**
 * A service's health-check container (model/health-check-rules.ts). `port` 0 = each backend's
 * port; `timeout` 0 = half the interval, at most 500 ms.
 */
export interface HealthCheckConfig {
  readonly type: HealthCheckType;
  readonly port: number;
  readonly interval: number;
  readonly timeout: number;
  readonly rise: number;
  readonly fall: number;
  readonly httpPath: string;
  readonly httpStatus: string;
  readonly udpPayload: string;
  readonly udpExpect: string;
}

/** One vip:vport:proto service. */
export interface ServiceModel {
  readonly vip: string;
  /** 0 for ICMP. */
  readonly vport: number;
  readonly proto: Proto;
  readonly name?: string;
  /** drain-timeout, session-affinity, affinity-timeout; absent = the YANG defaults. */
  readonly policy?: ServicePolicy;
  /** By backend ip, in the order they were added. */
  readonly backends: ReadonlyMap<string, BackendModel>;
  /** The health-check container; absent = the YANG defaults (type NONE). */
  readonly healthCheck?: HealthCheckConfig;
}

/** The src-ip-rewrite container: applied when both ranges are set. */
export interface SrcIpRewriteModel {
  readonly ipRange?: string;
  readonly newIpRange?: string;
}

/**
 * The cube's map sizes: the init-only YANG leaves session-table-size, max-services, max-backends
 * and maglev-slots. Fixed at creation, since the pinned maps keep their size for the cube's life.
 */
export interface CubeSizes {
  readonly sessionTableSize: number;
  readonly maxServices: number;
  readonly maxBackends: number;
  readonly maglevSlots: number;
}

/** The YANG defaults of the size leaves (the generated class holds them). */
export const DEFAULT_SIZES: CubeSizes = (() => {
  const d = new Lbrp();
  return Object.freeze({
    sessionTableSize: d.sessionTableSize,
    maxServices: d.maxServices,
    maxBackends: d.maxBackends,
    maglevSlots: d.maglevSlots,
  });
})();

/** YANG names of the size leaves, by CubeSizes member (errors and READs use them). */
export const SIZE_LEAVES: Readonly<Record<keyof CubeSizes, string>> = {
  sessionTableSize: 'session-table-size',
  maxServices: 'max-services',
  maxBackends: 'max-backends',
  maglevSlots: 'maglev-slots',
};

/** One lbrp cube's configuration. */
export interface CubeModel {
  readonly name: string;
  /** Chosen at creation; never changes. */
  readonly portMode: PortMode;
  /** Map sizes; chosen at creation, never change. */
  readonly sizes: CubeSizes;
  /** Session timeouts and admission rate; changeable at run time (session_config). */
  readonly session: SessionPolicy;
  /** By port name, in the order they were added. */
  readonly ports: ReadonlyMap<string, PortModel>;
  readonly srcIpRewrite: SrcIpRewriteModel;
  /** By {@link serviceKey}, in the order they were added. */
  readonly services: ReadonlyMap<string, ServiceModel>;
}

/** A new cube without ports, services or src-ip-rewrite. */
export function emptyCube(name: string, portMode: PortMode, sizes: CubeSizes = DEFAULT_SIZES): CubeModel {
  return {
    name,
    portMode,
    sizes,
    session: DEFAULT_SESSION_POLICY,
    ports: new Map(),
    srcIpRewrite: {},
    services: new Map(),
  };
}

/** The identity of a service: "vip:vport:proto", e.g. "10.0.0.1:80:TCP". */
export function serviceKey(vip: string, vport: number, proto: Proto): string {
  return `${vip}:${vport}:${proto}`;
}

/** A successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed result with the catalogue error `code`. */
export function fail<T>(code: CubeErrorCode, params: Record<string, string | number> = {}): Result<T> {
  return { ok: false, error: cubeError(code, params) };
}

/** A failed result carrying an existing error. */
export function failWith<T>(error: CubeError): Result<T> {
  return { ok: false, error };
}

/** Runs `steps` in order on `model`, stopping at the first error (nothing is kept from a failed run). */
export function chain(
  model: CubeModel,
  steps: ReadonlyArray<(m: CubeModel) => Result<CubeModel>>,
): Result<CubeModel> {
  let cur = model;
  for (const step of steps) {
    const r = step(cur);
    if (!r.ok) return r;
    cur = r.value;
  }
  return ok(cur);
}

/** `map` with `key` set to `value` (a new Map; insertion order kept for existing keys). */
export function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  const out = new Map(map);
  out.set(key, value);
  return out;
}

/** `map` without `key` (a new Map). */
export function withoutEntry<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const out = new Map(map);
  out.delete(key);
  return out;
}

/** An empty string counts as absent (persisted configurations show unset leaves as ""). */
export function present(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
