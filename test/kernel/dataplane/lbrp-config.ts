// The standard configuration the dataplane tables run against, built from the shared address
// names: services on VIP_1 (TCP 80, UDP 53, ICMP), a service without backends on VIP_2, three
// backends (the third drained), and in MULTI mode two FRONTEND port IPs; and the control plane's
// backend_to_vip opt-in (withBackendVips) over any of them. Not a test file itself.

import {
  BACKEND_1,
  BACKEND_2,
  BACKEND_3,
  CLIENT_RANGE,
  FRONTEND_IP_1,
  FRONTEND_IP_2,
  NEW_RANGE,
  VIP_1,
  VIP_2,
} from '../../fixtures/addresses';
import {
  F_BACKEND_ACTIVE,
  F_BACKEND_UNIQUE,
  F_BACKEND_VIP_UNIQUE,
  IPPROTO,
} from '../../../src/lbrp/dataplane/map-layouts';
import { BackendSpec, BackendVipSpec, DataplaneConfig, PORTS, ServiceSpec } from './lbrp-harness';

/** Prime table size used by the test services (Maglev tables are prime-sized). */
export const TABLE = 13;

export const B1: BackendSpec = { id: 1, ip: BACKEND_1, port: 8080, flags: F_BACKEND_ACTIVE };
export const B2: BackendSpec = { id: 2, ip: BACKEND_2, port: 8080, flags: F_BACKEND_ACTIVE };
/** Drained: present, but takes no new sessions. */
export const B3: BackendSpec = { id: 3, ip: BACKEND_3, port: 9090, flags: 0 };
/** UDP and ICMP backends (same host as B1, other port). */
export const B1_DNS: BackendSpec = { id: 4, ip: BACKEND_1, port: 5353, flags: F_BACKEND_ACTIVE };
export const B1_ICMP: BackendSpec = { id: 5, ip: BACKEND_1, port: 0, flags: F_BACKEND_ACTIVE };

const fill = (backendId: number): number[] => new Array<number>(TABLE).fill(backendId);

/** VIP_1:80/TCP → B1 in every slot. */
export const SVC_WEB: ServiceSpec = {
  vip: VIP_1,
  vport: 80,
  proto: IPPROTO.TCP,
  id: 1,
  slotBase: 0,
  slots: fill(B1.id),
};
/** VIP_1:53/UDP → B1:5353. */
export const SVC_DNS: ServiceSpec = {
  vip: VIP_1,
  vport: 53,
  proto: IPPROTO.UDP,
  id: 2,
  slotBase: 16,
  slots: fill(B1_DNS.id),
};
/** VIP_1 ICMP (vport 0) → B1. */
export const SVC_PING: ServiceSpec = {
  vip: VIP_1,
  vport: 0,
  proto: IPPROTO.ICMP,
  id: 3,
  slotBase: 32,
  slots: fill(B1_ICMP.id),
};
/** VIP_2:80/TCP without backends: forwarded untranslated. */
export const SVC_EMPTY: ServiceSpec = {
  vip: VIP_2,
  vport: 80,
  proto: IPPROTO.TCP,
  id: 4,
  slotBase: 48,
  slots: [],
};

/** A second backend id at B1's address and port, for a second service sharing B1. */
export const B1_ALT: BackendSpec = { id: 6, ip: BACKEND_1, port: 8080, flags: F_BACKEND_ACTIVE };
/** VIP_2:8000/TCP → B1_ALT (BACKEND_1:8080, as SVC_WEB's B1). */
export const SVC_ALT: ServiceSpec = {
  vip: VIP_2,
  vport: 8000,
  proto: IPPROTO.TCP,
  id: 5,
  slotBase: 64,
  slots: fill(B1_ALT.id),
};

export function standardConfig(overrides: Partial<DataplaneConfig> = {}): DataplaneConfig {
  return {
    services: [SVC_WEB, SVC_DNS, SVC_PING, SVC_EMPTY],
    backends: [B1, B2, B3, B1_DNS, B1_ICMP],
    frontendIps: { [FRONTEND_IP_1]: PORTS.frontend, [FRONTEND_IP_2]: PORTS.frontend2 },
    ...overrides,
  };
}

/** The standard configuration plus src-ip-rewrite CLIENT_RANGE → NEW_RANGE. */
export function rewriteConfig(): DataplaneConfig {
  return standardConfig({ srcRewrite: { from: CLIENT_RANGE, to: NEW_RANGE } });
}

/** The standard configuration with a second service (SVC_ALT) sharing B1's address and port. */
export function sharedConfig(): DataplaneConfig {
  const cfg = standardConfig();
  return { ...cfg, services: [...cfg.services, SVC_ALT], backends: [...cfg.backends, B1_ALT] };
}

/**
 * `cfg` with the control plane's backend_to_vip opt-in, by the rule of dataplane/README.md: each
 * backend address (ip, port — 0 for ICMP —, proto) that a service's table names gets an entry
 * naming the first such service; backends whose address only one service uses are flagged
 * F_BACKEND_UNIQUE, those of a shared address are not, and so are the entries (F_BACKEND_VIP_UNIQUE:
 * replies without a session are translated statelessly).
 */
export function withBackendVips(cfg: DataplaneConfig): DataplaneConfig {
  const byId = new Map(cfg.backends.map((b) => [b.id, b]));
  const users = new Map<string, { entry: BackendVipSpec; services: Set<number>; ids: Set<number> }>();
  for (const s of cfg.services) {
    for (const id of new Set(s.slots)) {
      const b = byId.get(id);
      if (!b) continue;
      const backend = { ip: b.ip, port: s.proto === IPPROTO.ICMP ? 0 : b.port, proto: s.proto };
      const key = `${backend.ip}:${backend.port}:${backend.proto}`;
      const u = users.get(key) ?? {
        entry: { backend, service: { vip: s.vip, vport: s.vport, flags: 0, serviceId: s.id } },
        services: new Set<number>(),
        ids: new Set<number>(),
      };
      u.services.add(s.id);
      u.ids.add(id);
      users.set(key, u);
    }
  }
  const unique = new Set([...users.values()].filter((u) => u.services.size === 1).flatMap((u) => [...u.ids]));
  return {
    ...cfg,
    backends: cfg.backends.map((b) => ({
      ...b,
      flags: unique.has(b.id) ? b.flags | F_BACKEND_UNIQUE : b.flags & ~F_BACKEND_UNIQUE,
    })),
    backendVips: [...users.values()].map((u) => ({
      ...u.entry,
      service: { ...u.entry.service, flags: u.services.size === 1 ? F_BACKEND_VIP_UNIQUE : 0 },
    })),
  };
}
