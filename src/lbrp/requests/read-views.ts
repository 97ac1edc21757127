// READ answers of an lbrp cube (REST spec §4.1–§4.2 shapes): the cube's own members, ports'
// lbrp members, src-ip-rewrite (always, "" when unset), services and backends with their counters,
// enums in lower case as the C++ serializers print them, and the TRUE port_mode. Pure.

import { Backend, Drop, HealthCheck, Ports, Service, SrcIpRewrite } from '../../generated/lbrp';
import { DEFAULT_HEALTH_CHECK, healthCheckView, type HealthCheckConfig } from '../model/health-check-rules';
import { policyOf, servicePolicyMember } from '../model/service-policy';
import type { JsonObject } from '../../generated/lbrp';
import type { Result } from '../../common/errors';
import {
  fail,
  ok,
  SIZE_LEAVES,
  type BackendModel,
  type CubeModel,
  type CubeSizes,
  type PortModel,
  type ServiceModel,
} from '../model/cube-model';
import { findService } from '../model/service-rules';
import { kernelKeyOf, type KernelState } from '../sync/kernel-state';
import {
  CUBE_COUNTER_LEAVES,
  ZERO_COUNTERS,
  ZERO_CUBE_COUNTERS,
  ZERO_DROPS,
  type CounterSnapshot,
  type Counters,
  type CubeCounters,
  type DropCount,
} from '../stats/counters';
import { SESSION_LEAVES, type SessionPolicy } from '../model/session-policy';
import type { RequestTarget } from './request-target';

/** Counters of the cube, services and backends being shown. */
export interface CounterLookup {
  service(svc: ServiceModel): Counters;
  backend(svc: ServiceModel, ip: string): Counters;
  /** The cube's session table counters (zero when no snapshot was read). */
  readonly cube: CubeCounters;
  /** Frames dropped per reason (every reason, zeros when no snapshot was read). */
  readonly drops: readonly DropCount[];
  /** A backend's health (UNKNOWN, up, no transitions when its service does no checks). */
  health(svc: ServiceModel, ip: string): BackendHealthView;
}

/** The health leaves of a backend. */
export interface BackendHealthView {
  health: 'UNKNOWN' | 'UP' | 'DOWN';
  detail: string;
  up: boolean;
  transitions: number;
}

/** A backend's health as a service without checks shows it. */
export const NO_HEALTH: BackendHealthView = {
  health: 'UNKNOWN',
  detail: 'no health-check configured',
  up: true,
  transitions: 0,
};

/** Looks counters up by the kernel ids of `kernel`. */
export function counterLookup(
  kernel: KernelState,
  snap: CounterSnapshot | undefined,
  health: (svc: ServiceModel, ip: string) => BackendHealthView = () => NO_HEALTH,
): CounterLookup {
  const k = (svc: ServiceModel) => kernel.services.get(kernelKeyOf(svc));
  return {
    health,
    cube: snap?.cube ?? ZERO_CUBE_COUNTERS,
    drops: snap?.drops ?? ZERO_DROPS,
    service: (svc) => {
      const ks = k(svc);
      return (ks && snap?.services.get(ks.serviceId)) || ZERO_COUNTERS;
    },
    backend: (svc, ip) => {
      const kb = k(svc)?.backends.get(ip);
      return (kb && snap?.backends.get(kb.id)) || ZERO_COUNTERS;
    },
  };
}

/** Writes a YANG enum the way lbrp's serializers do. */
const lower = <T extends string>(v: T): T => v.toLowerCase() as T;

function counterMembers<T extends Service | Backend>(o: T, c: Counters): T {
  o.packets = c.packets;
  o.bytes = c.bytes;
  o.activeSessions = c.activeSessions;
  o.totalSessions = c.totalSessions;
  return o;
}

/** A port's lbrp members: name, type (lower case), ip ("" if unset). */
export function portView(p: PortModel): JsonObject {
  const o = new Ports();
  o.name = p.name;
  o.type = lower(p.type);
  o.ip = p.ip ?? '';
  return o.toJson();
}

function backendObject(svc: ServiceModel, b: BackendModel, counters: CounterLookup): Backend {
  const o = new Backend();
  o.name = b.name ?? '';
  o.ip = b.ip;
  o.port = b.port;
  o.weight = b.weight;
  counterMembers(o, counters.backend(svc, b.ip));
  const h = counters.health(svc, b.ip);
  o.health = lower(h.health);
  o.healthDetail = h.detail;
  o.up = h.up ? 1 : 0;
  o.healthTransitions = h.transitions;
  return o;
}

/** A backend: name ("" if unset), ip, port, weight, then its counters. */
export function backendView(svc: ServiceModel, b: BackendModel, counters: CounterLookup): JsonObject {
  return backendObject(svc, b, counters).toJson();
}

/** A service: name ("" if unset), vip, vport, proto, backend (only if any), then its counters. */
export function serviceView(svc: ServiceModel, counters: CounterLookup): JsonObject {
  const o = new Service();
  o.name = svc.name ?? '';
  o.vip = svc.vip;
  o.vport = svc.vport;
  o.proto = lower(svc.proto);
  const policy = policyOf(svc);
  o.drainTimeout = policy.drainTimeout;
  o.sessionAffinity = lower(policy.sessionAffinity); // enums read lower case, as Polycube's
  o.affinityTimeout = policy.affinityTimeout;
  if (svc.backends.size > 0)
    o.backend = [...svc.backends.values()].map((b) => backendObject(svc, b, counters));
  if (svc.healthCheck) o.healthCheck = healthCheckObject(svc.healthCheck);
  return counterMembers(o, counters.service(svc)).toJson();
}

/** The health-check container, type in lower case like every enum here. */
function healthCheckObject(c: HealthCheckConfig): HealthCheck {
  const o = healthCheckView(c);
  o.type = lower(o.type);
  return o;
}

/** Both ranges, "" when unset. */
export function srcIpRewriteView(model: CubeModel): JsonObject {
  const o = new SrcIpRewrite();
  o.ipRange = model.srcIpRewrite.ipRange ?? '';
  o.newIpRange = model.srcIpRewrite.newIpRange ?? '';
  return o.toJson();
}

/**
 * The size leaves, the kernel memory of the cube's maps (once polycubed reported it), the session
 * policy and the session table counters, in YANG order.
 */
function cubeLeaves(model: CubeModel, kernelMemory: number | undefined, counters: CounterLookup): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(SIZE_LEAVES) as (keyof CubeSizes)[]) out[SIZE_LEAVES[k]] = model.sizes[k];
  if (kernelMemory !== undefined) out['kernel-memory'] = kernelMemory;
  for (const k of Object.keys(SESSION_LEAVES) as (keyof SessionPolicy)[])
    out[SESSION_LEAVES[k]] = model.session[k];
  for (const k of Object.keys(CUBE_COUNTER_LEAVES) as (keyof CubeCounters)[])
    out[CUBE_COUNTER_LEAVES[k]] = counters.cube[k];
  return out;
}

/** One entry of the config-false `drop` list. */
export function dropView(d: DropCount): JsonObject {
  const o = new Drop();
  o.reason = d.reason;
  o.packets = d.packets;
  return o.toJson();
}

/** The cube's own members (polycubed merges its base members in front). */
export function cubeView(model: CubeModel, counters: CounterLookup, kernelMemory?: number): JsonObject {
  const out: JsonObject = {};
  if (model.ports.size > 0) out.ports = [...model.ports.values()].map(portView);
  out.port_mode = lower(model.portMode);
  // The drop list (17+ rows) is read on its own path (`lb0 drop show`, GET …/drop/): kept out
  // of the cube's answer so that `lb0 show` stays short and stable while stray frames drop.
  Object.assign(out, cubeLeaves(model, kernelMemory, counters));
  out['src-ip-rewrite'] = srcIpRewriteView(model);
  if (model.services.size > 0)
    out.service = [...model.services.values()].map((s) => serviceView(s, counters));
  return out;
}

const counterValue = (c: Counters, leaf: string): number | undefined =>
  ({
    packets: c.packets,
    bytes: c.bytes,
    'active-sessions': c.activeSessions,
    'total-sessions': c.totalSessions,
  })[leaf];

/** The READ answer for `target`, or "There are no entries associated with that key". */
export function readView(
  model: CubeModel,
  target: RequestTarget,
  counters: CounterLookup,
  kernelMemory?: number,
): Result<unknown> {
  switch (target.kind) {
    case 'cube':
      return ok(cubeView(model, counters, kernelMemory));
    case 'cube-leaf': {
      const v = cubeLeaves(model, kernelMemory, counters)[target.leaf];
      return v === undefined ? fail('CUBE_ERR_LBRP_UNSUPPORTED') : ok(v);
    }
    case 'port_mode':
      return ok(lower(model.portMode));
    case 'ports': {
      if (target.name === undefined) return ok([...model.ports.values()].map(portView));
      const p = model.ports.get(target.name);
      return p
        ? ok(portView(p))
        : fail('CUBE_ERR_SERVICE_FAILED', { message: `Port ${target.name} does not exist` });
    }
    case 'port-leaf': {
      const p = model.ports.get(target.name);
      if (!p) return fail('CUBE_ERR_SERVICE_FAILED', { message: `Port ${target.name} does not exist` });
      if (target.leaf === 'type') return ok(lower(p.type));
      return target.leaf === 'ip' ? ok(p.ip ?? '') : fail('CUBE_ERR_LBRP_UNSUPPORTED');
    }
    case 'drop': {
      if (target.reason === undefined) return ok(counters.drops.map(dropView));
      const d = counters.drops.find((x) => x.reason === target.reason);
      if (!d) return fail('CUBE_ERR_LBRP_NO_ENTRY');
      if (target.leaf === undefined) return ok(dropView(d));
      const view = dropView(d);
      return target.leaf in view ? ok(view[target.leaf]) : fail('CUBE_ERR_LBRP_UNSUPPORTED');
    }
    case 'src-ip-rewrite':
      return ok(srcIpRewriteView(model));
    case 'src-ip-rewrite-leaf':
      return ok(srcIpRewriteView(model)[target.leaf]);
    case 'service': {
      if (!target.ref) return ok([...model.services.values()].map((s) => serviceView(s, counters)));
      const svc = findService(model, target.ref.vip, target.ref.vport, target.ref.proto);
      return svc.ok ? ok(serviceView(svc.value, counters)) : svc;
    }
    case 'service-leaf': {
      const svc = findService(model, target.ref.vip, target.ref.vport, target.ref.proto);
      if (!svc.ok) return svc;
      if (target.leaf === 'name') return ok(svc.value.name ?? '');
      const k = servicePolicyMember(target.leaf);
      if (k === 'sessionAffinity') return ok(lower(policyOf(svc.value).sessionAffinity));
      if (k) return ok(policyOf(svc.value)[k]);
      const v = counterValue(counters.service(svc.value), target.leaf);
      return v === undefined ? fail('CUBE_ERR_LBRP_UNSUPPORTED') : ok(v);
    }
    case 'health-check':
    case 'health-check-leaf': {
      const svc = findService(model, target.ref.vip, target.ref.vport, target.ref.proto);
      if (!svc.ok) return svc;
      const view = healthCheckObject(svc.value.healthCheck ?? DEFAULT_HEALTH_CHECK).toJson();
      if (target.kind === 'health-check') return ok(view);
      return target.leaf in view ? ok(view[target.leaf]) : fail('CUBE_ERR_LBRP_UNSUPPORTED');
    }
    case 'backend':
    case 'backend-leaf': {
      const svc = findService(model, target.ref.vip, target.ref.vport, target.ref.proto);
      if (!svc.ok) return svc;
      if (target.ip === undefined) {
        return ok([...svc.value.backends.values()].map((b) => backendView(svc.value, b, counters)));
      }
      const b = svc.value.backends.get(target.ip);
      if (!b) return fail('CUBE_ERR_LBRP_NO_ENTRY');
      if (target.kind === 'backend') return ok(backendView(svc.value, b, counters));
      const view = backendView(svc.value, b, counters);
      return target.leaf in view ? ok(view[target.leaf]) : fail('CUBE_ERR_LBRP_UNSUPPORTED');
    }
    default:
      return fail('CUBE_ERR_LBRP_UNSUPPORTED');
  }
}
