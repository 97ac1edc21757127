// What one cube's lbrp maps hold, as plain data: services with their id, slot range and Maglev
// table (kernel backend ids), backends per service, frontend IPs and the src-ip-rewrite pair.
// sync/ derives the next KernelState from the model and plans the writes between two of them.

import type { Ipv4Prefix } from '../model/ipv4';
import type { ServiceModel } from '../model/cube-model';
import { IPPROTO } from '../dataplane/map-layouts';

/** One backend of one service, as the `backends` map holds it. */
export interface KBackend {
  /** Index into `backends` and `backend_stats`; allocated per (service, backend). */
  readonly id: number;
  readonly ip: string;
  /** Host order. */
  readonly port: number;
  /** F_BACKEND_ACTIVE: weight > 0 (cleared = drained or removed). */
  readonly active: boolean;
}

/** One vip:vport:proto entry of `services` and its slice of `maglev_slots`. */
export interface KService {
  readonly vip: string;
  /** Host order; 0 for ICMP. */
  readonly vport: number;
  /** IP protocol number. */
  readonly proto: number;
  /** Index into `service_stats`. */
  readonly serviceId: number;
  readonly slotBase: number;
  /** 0 = no backends (traffic forwarded untranslated); else a prime. */
  readonly tableSize: number;
  /** `tableSize` kernel backend ids; −1 where no backend may take new sessions. */
  readonly table: Int32Array;
  /** By backend ip. */
  readonly backends: ReadonlyMap<string, KBackend>;
  /** The model service this was derived from (identity lets unchanged services be skipped). */
  readonly source?: ServiceModel;
  /** The (ip, weight) set the table was built from, to skip rebuilding identical tables. */
  readonly tableInput?: string;
  /**
   * session-affinity CLIENT_IP: the affinity timeout in session clock units, written to
   * `service_affinity[serviceId]` before the `services` entry carries F_SERVICE_AFFINITY; absent =
   * no affinity (flags 0).
   */
  readonly affinityTimeout?: number;
}

/**
 * One `backend_to_vip` entry: a backend address (ip, port — 0 for ICMP —, the service's proto)
 * and the service that had it first (dataplane/README.md, "backend_to_vip and F_BACKEND_UNIQUE").
 */
export interface KBackendVip {
  readonly ip: string;
  /** Host order; 0 for ICMP. */
  readonly port: number;
  /** IP protocol number. */
  readonly proto: number;
  /** The named service: its {@link kernelServiceKey}, vip, vport and id. */
  readonly serviceKey: string;
  readonly vip: string;
  readonly vport: number;
  readonly serviceId: number;
  /**
   * F_BACKEND_VIP_UNIQUE: the address serves only the named service, so the dataplane may
   * translate its replies without a session (stateless replies).
   */
  readonly unique: boolean;
}

/** Everything the control plane writes in one cube's maps. */
export interface KernelState {
  /** By "vip:vport:proto-number" ({@link kernelServiceKey}). */
  readonly services: ReadonlyMap<string, KService>;
  /** MULTI: FRONTEND port ip → port id (`ip_to_frontend_port`). */
  readonly frontendIps: ReadonlyMap<string, number>;
  /** Both ranges masked to their networks, when src-ip-rewrite is complete. */
  readonly srcRewrite?: { readonly from: Ipv4Prefix; readonly to: Ipv4Prefix };
  /** `backend_to_vip` by {@link backendAddressKey}. */
  readonly backendVips: ReadonlyMap<string, KBackendVip>;
  /** Backend ids flagged F_BACKEND_UNIQUE. */
  readonly uniqueBackends: ReadonlySet<number>;
  /**
   * `backend_ips` as read back from the kernel (ip → count); absent in derived states, where
   * {@link backendIpCounts} computes it. A readback carries it so that a cube whose map lacks
   * entries (pinned by a build without it) gets them written at adoption.
   */
  readonly backendIps?: ReadonlyMap<string, number>;
}

/** The empty state of freshly created maps. */
export const EMPTY_KERNEL_STATE: KernelState = Object.freeze({
  services: new Map<string, KService>(),
  frontendIps: new Map<string, number>(),
  backendVips: new Map<string, KBackendVip>(),
  uniqueBackends: new Set<number>(),
});

/** Key of a kernel service: "vip:vport:protocol number". */
export function kernelServiceKey(vip: string, vport: number, proto: number): string {
  return `${vip}:${vport}:${proto}`;
}

/** The kernel key of a model service (its protocol as the IP protocol number). */
export function kernelKeyOf(svc: Pick<ServiceModel, 'vip' | 'vport' | 'proto'>): string {
  return kernelServiceKey(svc.vip, svc.vport, IPPROTO[svc.proto]);
}

/** Number of services per VIP (the `vips` map). */
export function vipCounts(state: KernelState): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of state.services.values()) out.set(s.vip, (out.get(s.vip) ?? 0) + 1);
  return out;
}

/**
 * The `backend_ips` map, which tells the datapath a fragment's source is a backend's: every
 * address of a backend of some service, with its number of backend ids, and every address a
 * `backend_to_vip` entry still names (a removed backend's sessions may still run), with 0 ids; or
 * what a readback found there.
 */
export function backendIpCounts(state: KernelState): ReadonlyMap<string, number> {
  if (state.backendIps) return state.backendIps;
  const out = new Map<string, number>();
  for (const e of state.backendVips.values()) out.set(e.ip, 0);
  for (const s of state.services.values())
    for (const b of s.backends.values()) out.set(b.ip, (out.get(b.ip) ?? 0) + 1);
  return out;
}

/** IP protocol number of ICMP (its backends' replies carry port 0). */
const ICMP = 1;

/** Key of a backend address: "ip:port:protocol number", port 0 for ICMP (as its replies carry it). */
export function backendAddressKey(ip: string, port: number, proto: number): string {
  return `${ip}:${proto === ICMP ? 0 : port}:${proto}`;
}
