// The standard configuration the dataplane tables run against, built from the shared address
// names: services on VIP_1 (TCP 80, UDP 53, ICMP), a service without backends on VIP_2, three
// backends (the third drained), and in MULTI mode two FRONTEND port IPs. Not a test file itself.

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
import { F_BACKEND_ACTIVE, IPPROTO } from '../../../src/lbrp/dataplane/map-layouts';
import { BackendSpec, DataplaneConfig, PORTS, ServiceSpec } from './lbrp-harness';

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
