// Which part of an lbrp cube a configuration request addresses, from its schema path and keys
// (e.g. "/lbrp/service/backend/weight" + keys vip, vport, proto, ip). Pure parsing; the handlers
// in this folder switch on the result.

import type { ConfigKey } from '../../service-kit';
import type { ProtoInput, ServiceRef } from '../model/service-rules';
import { SESSION_LEAVES } from '../model/session-policy';
import { CUBE_COUNTER_LEAVES } from '../stats/counters';

/** Service and backend leaves that are counters (config false). */
export const COUNTER_LEAVES = ['packets', 'bytes', 'active-sessions', 'total-sessions'] as const;
export type CounterLeaf = (typeof COUNTER_LEAVES)[number];

/**
 * Cube-level leaves other than port_mode: the init-only sizes, the kernel memory, the session
 * policy and the session counters.
 */
const CUBE_LEAVES = new Set<string>([
  'session-table-size',
  'max-services',
  'max-backends',
  'maglev-slots',
  'kernel-memory',
  ...Object.values(SESSION_LEAVES),
  ...Object.values(CUBE_COUNTER_LEAVES),
]);

/** A request's target. `name`/`ref`/`ip` are absent for whole lists. */
export type RequestTarget =
  | { kind: 'cube' }
  | { kind: 'port_mode' }
  /** session-table-size … kernel-memory, the session policy and counter leaves. */
  | { kind: 'cube-leaf'; leaf: string }
  | { kind: 'ports'; name?: string }
  | { kind: 'port-leaf'; name: string; leaf: string }
  /** The config-false drop counters: all, one reason, or one leaf of it. */
  | { kind: 'drop'; reason?: string; leaf?: string }
  | { kind: 'src-ip-rewrite' }
  | { kind: 'src-ip-rewrite-leaf'; leaf: 'ip-range' | 'new_ip_range' }
  | { kind: 'service'; ref?: ServiceRef }
  | { kind: 'service-leaf'; ref: ServiceRef; leaf: string }
  | { kind: 'health-check'; ref: ServiceRef }
  | { kind: 'health-check-leaf'; ref: ServiceRef; leaf: string }
  | { kind: 'backend'; ref: ServiceRef; ip?: string }
  | { kind: 'backend-leaf'; ref: ServiceRef; ip: string; leaf: string }
  | { kind: 'unknown'; path: string };

function key(keys: readonly ConfigKey[], list: string, name: string): string | undefined {
  return keys.find((k) => k.list === list && k.name === name)?.value;
}

function serviceRef(keys: readonly ConfigKey[]): ServiceRef | undefined {
  const vip = key(keys, 'service', 'vip');
  const vport = key(keys, 'service', 'vport');
  const proto = key(keys, 'service', 'proto');
  if (vip === undefined || vport === undefined || proto === undefined) return undefined;
  return { vip, vport: Number(vport), proto: proto.toUpperCase() as ProtoInput };
}

/** Parses a request's schema path (module name first) and keys. */
export function parseTarget(path: string, keys: readonly ConfigKey[], isCollection: boolean): RequestTarget {
  const rel = path.split('/').filter(Boolean).slice(1);
  const unknown: RequestTarget = { kind: 'unknown', path };
  const [a, b, c] = rel;
  if (rel.length === 0) return { kind: 'cube' };
  if (a === 'port_mode' && rel.length === 1) return { kind: 'port_mode' };
  if (CUBE_LEAVES.has(a) && rel.length === 1) return { kind: 'cube-leaf', leaf: a };
  if (a === 'ports') {
    const name = key(keys, 'ports', 'name');
    if (rel.length === 1)
      return isCollection || name === undefined ? { kind: 'ports' } : { kind: 'ports', name };
    return rel.length === 2 && name !== undefined ? { kind: 'port-leaf', name, leaf: b } : unknown;
  }
  if (a === 'drop') {
    const reason = key(keys, 'drop', 'reason');
    if (rel.length === 1)
      return isCollection || reason === undefined ? { kind: 'drop' } : { kind: 'drop', reason };
    return rel.length === 2 && reason !== undefined ? { kind: 'drop', reason, leaf: b } : unknown;
  }
  if (a === 'src-ip-rewrite') {
    if (rel.length === 1) return { kind: 'src-ip-rewrite' };
    return b === 'ip-range' || b === 'new_ip_range' ? { kind: 'src-ip-rewrite-leaf', leaf: b } : unknown;
  }
  if (a !== 'service') return unknown;
  const ref = serviceRef(keys);
  if (rel.length === 1) return isCollection || !ref ? { kind: 'service' } : { kind: 'service', ref };
  if (!ref) return unknown;
  if (b === 'health-check') {
    if (rel.length === 2) return { kind: 'health-check', ref };
    return rel.length === 3 ? { kind: 'health-check-leaf', ref, leaf: c } : unknown;
  }
  if (b !== 'backend') return rel.length === 2 ? { kind: 'service-leaf', ref, leaf: b } : unknown;
  const ip = key(keys, 'backend', 'ip');
  if (rel.length === 2)
    return isCollection || ip === undefined ? { kind: 'backend', ref } : { kind: 'backend', ref, ip };
  return rel.length === 3 && ip !== undefined ? { kind: 'backend-leaf', ref, ip, leaf: c } : unknown;
}
