// Service and backend rules of runtime spec §5.6–§5.7 with the C++ lbrp's messages: ALL expands to
// TCP, UDP and ICMP (vport 0); ICMP needs vport 0; duplicates and missing entries are refused;
// weights are 0..65535 (0 = drain), absent = 1 on create and left alone on update (bug 13).

import type { Result } from '../../common/errors';
import {
  fail,
  ok,
  serviceKey,
  withEntry,
  withoutEntry,
  type BackendModel,
  type CubeModel,
  type Proto,
  type ServiceModel,
} from './cube-model';
import { isIpv4 } from './ipv4';
import { nameError } from '../../common/name-rules';
import {
  DEFAULT_HEALTH_CHECK,
  mergeHealthCheck,
  type HealthCheckConfig,
  type HealthCheckInput,
} from './health-check-rules';
import {
  DEFAULT_SERVICE_POLICY,
  mergeServicePolicy,
  policyOf,
  withPolicy,
  type ServicePolicy,
} from './service-policy';

/**
 * A service or backend `name` (a free label in the YANG, enforced here: the YANG stays
 * polycube's) follows the project's name rule for labels (inner spaces allowed); "" means
 * "no name", as in the C++ lbrp.
 */
function checkLabel(field: string, name: string | undefined, path: string): Result<undefined> {
  if (name === undefined || name === '') return ok(undefined);
  const err = nameError(field, name, 'label');
  return err === undefined ? ok(undefined) : fail('CUBE_ERR_BAD_NAME', { message: err, info: 'name', path });
}

/** Protocols a request may name (the generated ServiceProto). */
export type ProtoInput = Proto | 'ALL';

/** What a request says about a backend: any part of one (the generated Backend class fits). */
export type BackendInput = Partial<BackendModel>;

/** What a request says about a service (the generated Service class fits). */
export interface ServiceInput {
  vip?: string;
  vport?: number;
  proto?: ProtoInput;
  name?: string;
  /** drain-timeout, session-affinity, affinity-timeout as given (validated by the rules). */
  policy?: Partial<Record<keyof ServicePolicy, unknown>>;
  backend?: BackendInput[];
  /** Members of the health-check container the request sets. */
  healthCheck?: HealthCheckInput;
}

/** The service's health-check after `input` (the current one or the defaults, changed), or why not. */
function healthOf(cur: HealthCheckConfig | undefined, input: HealthCheckInput | undefined) {
  return mergeHealthCheck(cur ?? DEFAULT_HEALTH_CHECK, input);
}

/** Default weight of a backend created without one (C++ lbrp). */
export const DEFAULT_WEIGHT = 1;
const MAX_U16 = 65535;

const isU16 = (n: number | undefined): boolean =>
  n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_U16;

/** The stored services a (vip, vport, proto) request names: ALL → TCP, UDP and ICMP(vport 0). */
export function expandProto(vport: number, proto: ProtoInput): Array<{ vport: number; proto: Proto }> {
  if (proto === 'ALL')
    return [
      { vport, proto: 'TCP' },
      { vport, proto: 'UDP' },
      { vport: 0, proto: 'ICMP' },
    ];
  return [{ vport, proto }];
}

function checkServiceKey(
  vip: string | undefined,
  vport: number | undefined,
  proto: ProtoInput | undefined,
): Result<{
  vip: string;
  vport: number;
  proto: ProtoInput;
}> {
  if (vip === undefined || !isIpv4(vip))
    return fail('CUBE_ERR_BAD_ATTRIBUTE', { info: 'vip', path: '/lbrp/service' });
  if (!isU16(vport)) return fail('CUBE_ERR_BAD_ATTRIBUTE', { info: 'vport', path: '/lbrp/service' });
  if (proto === undefined)
    return fail('CUBE_ERR_MISSING_ATTRIBUTE', { info: 'proto', path: '/lbrp/service' });
  if (proto === 'ICMP' && vport !== 0) return fail('CUBE_ERR_LBRP_ICMP_VPORT');
  return ok({ vip, vport: vport as number, proto });
}

/** The stored service (vip, vport, proto), or "There are no entries associated with that key". */
export function findService(
  model: CubeModel,
  vip: string,
  vport: number,
  proto: ProtoInput,
): Result<ServiceModel> {
  const svc = proto === 'ALL' ? undefined : model.services.get(serviceKey(vip, vport, proto));
  return svc ? ok(svc) : fail('CUBE_ERR_LBRP_NO_ENTRY');
}

/**
 * Adds a service (three for ALL) with the backends it lists. Refused as a whole when any of them
 * exists ("This service already exists") or a backend is invalid.
 */
export function addService(model: CubeModel, input: ServiceInput): Result<CubeModel> {
  const services = new Map(model.services);
  const r = addServiceInto(services, input);
  return r.ok ? ok({ ...model, services }) : r;
}

/**
 * addService on a services map the caller owns (mutated only on success), so list operations
 * copy the map once rather than once per entry.
 */
export function addServiceInto(services: Map<string, ServiceModel>, input: ServiceInput): Result<undefined> {
  const key = checkServiceKey(input.vip, input.vport, input.proto);
  if (!key.ok) return key;
  const label = checkLabel('service name', input.name, '/lbrp/service');
  if (!label.ok) return label;
  const policy = mergeServicePolicy(DEFAULT_SERVICE_POLICY, input.policy);
  if (!policy.ok) return policy;
  const { vip, vport, proto } = key.value;
  const health = input.healthCheck === undefined ? undefined : healthOf(undefined, input.healthCheck);
  if (health && !health.ok) return health;
  const added: Array<[string, ServiceModel]> = [];
  for (const e of expandProto(vport, proto)) {
    const k = serviceKey(vip, e.vport, e.proto);
    if (services.has(k) || added.some(([a]) => a === k)) return fail('CUBE_ERR_LBRP_SERVICE_EXISTS');
    const backends = new Map<string, BackendModel>();
    for (const b of input.backend ?? []) {
      const r = newBackend(backends, b);
      if (!r.ok) return r;
      backends.set(r.value.ip, r.value);
    }
    const svc: ServiceModel = {
      vip,
      vport: e.vport,
      proto: e.proto,
      ...(input.name !== undefined && input.name !== '' ? { name: input.name } : {}),
      backends,
      ...(health ? { healthCheck: health.value } : {}),
    };
    added.push([k, withPolicy(svc, policy.value)]);
  }
  for (const [k, svc] of added) services.set(k, svc);
  return ok(undefined);
}

/**
 * PATCH of a service: sets `name` if given; each listed backend is updated (or created when it
 * does not exist). ALL updates the three stored services.
 */
export function updateService(model: CubeModel, input: ServiceInput): Result<CubeModel> {
  const services = new Map(model.services);
  const r = updateServiceInto(services, input);
  return r.ok ? ok({ ...model, services }) : r;
}

/** updateService on a services map the caller owns (mutated only on success). */
export function updateServiceInto(
  services: Map<string, ServiceModel>,
  input: ServiceInput,
): Result<undefined> {
  const key = checkServiceKey(input.vip, input.vport, input.proto);
  if (!key.ok) return key;
  const label = checkLabel('service name', input.name, '/lbrp/service');
  if (!label.ok) return label;
  const { vip, vport, proto } = key.value;
  const changed: Array<[string, ServiceModel]> = [];
  for (const e of expandProto(vport, proto)) {
    const k = serviceKey(vip, e.vport, e.proto);
    const found = services.get(k);
    if (!found) return fail('CUBE_ERR_LBRP_NO_ENTRY');
    let svc: ServiceModel = input.name !== undefined ? { ...found, name: input.name } : found;
    if (input.healthCheck !== undefined) {
      const health = healthOf(found.healthCheck, input.healthCheck);
      if (!health.ok) return health;
      svc = { ...svc, healthCheck: health.value };
    }
    if (input.policy !== undefined) {
      const policy = mergeServicePolicy(policyOf(svc), input.policy);
      if (!policy.ok) return policy;
      svc = withPolicy(svc, policy.value);
    }
    if (input.backend !== undefined && input.backend.length > 0) {
      // One copy of the backends for the whole list (a copy per backend is quadratic).
      const backends = new Map(svc.backends);
      for (const b of input.backend) {
        const r = upsertBackend(backends, b);
        if (!r.ok) return r;
      }
      svc = { ...svc, backends };
    }
    changed.push([k, svc]);
  }
  for (const [k, svc] of changed) services.set(k, svc);
  return ok(undefined);
}

/** Deletes a service (the three of ALL; missing ones are skipped, none at all → data-missing). */
export function deleteService(
  model: CubeModel,
  vip: string,
  vport: number,
  proto: ProtoInput,
): Result<CubeModel> {
  if (proto === 'ICMP' && vport !== 0) return fail('CUBE_ERR_LBRP_ICMP_VPORT');
  let services: Map<string, ServiceModel> | undefined;
  for (const e of expandProto(vport, proto)) {
    const k = serviceKey(vip, e.vport, e.proto);
    if ((services ?? model.services).has(k)) services = withoutEntry(services ?? model.services, k);
  }
  if (!services) return fail('CUBE_ERR_DATA_MISSING', { path: `/lbrp/service/${vip}/${vport}/${proto}` });
  return ok({ ...model, services });
}

/** PUT of a service: delete (what exists) and add again, checked as a whole. */
export function replaceService(model: CubeModel, input: ServiceInput): Result<CubeModel> {
  const key = checkServiceKey(input.vip, input.vport, input.proto);
  if (!key.ok) return key;
  const del = deleteService(model, key.value.vip, key.value.vport, key.value.proto);
  return addService(del.ok ? del.value : model, input);
}

/** Replaces the stored service `svc` (same key) in the model. */
function putService(model: CubeModel, svc: ServiceModel): CubeModel {
  return { ...model, services: withEntry(model.services, serviceKey(svc.vip, svc.vport, svc.proto), svc) };
}

// ---------------------------------------------------------------- backends

function checkBackend(b: BackendInput, creating: boolean): Result<undefined> {
  if (creating && (b.ip === undefined || !isIpv4(b.ip)))
    return fail('CUBE_ERR_BAD_ATTRIBUTE', { info: 'ip', path: '/lbrp/service/backend' });
  if (creating && b.port === undefined)
    return fail('CUBE_ERR_MISSING_ATTRIBUTE', { info: 'port', path: '/lbrp/service/backend' });
  if (b.port !== undefined && !isU16(b.port))
    return fail('CUBE_ERR_BAD_ATTRIBUTE', { info: 'port', path: '/lbrp/service/backend' });
  if (b.weight !== undefined && !isU16(b.weight)) return fail('CUBE_ERR_LBRP_WEIGHT_RANGE');
  return checkLabel('backend name', b.name, '/lbrp/service/backend');
}

/** A new backend for `backends` (weight 1 when absent), or why not. */
function newBackend(backends: ReadonlyMap<string, BackendModel>, b: BackendInput): Result<BackendModel> {
  const check = checkBackend(b, true);
  if (!check.ok) return check;
  const ip = b.ip as string;
  if (backends.has(ip)) return fail('CUBE_ERR_LBRP_BACKEND_EXISTS_IN_SERVICE', { ip });
  return ok({
    ip,
    ...(b.name !== undefined ? { name: b.name } : {}),
    port: b.port as number,
    weight: b.weight ?? DEFAULT_WEIGHT,
  });
}

/** PATCH of one listed backend into a map the caller owns: updated when it exists, else added. */
function upsertBackend(backends: Map<string, BackendModel>, b: BackendInput): Result<undefined> {
  const cur = b.ip !== undefined ? backends.get(b.ip) : undefined;
  const r = cur ? updatedBackend(cur, b) : newBackend(backends, b);
  if (!r.ok) return r;
  backends.set(r.value.ip, r.value);
  return ok(undefined);
}

function addBackendTo(svc: ServiceModel, b: BackendInput): Result<ServiceModel> {
  const r = newBackend(svc.backends, b);
  return r.ok ? ok({ ...svc, backends: withEntry(svc.backends, r.value.ip, r.value) }) : r;
}

/** `cur` with the members `b` gives (checked). */
function updatedBackend(cur: BackendModel, b: BackendInput): Result<BackendModel> {
  const check = checkBackend(b, false);
  if (!check.ok) return check;
  return ok({
    ...cur,
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.port !== undefined ? { port: b.port } : {}),
    ...(b.weight !== undefined ? { weight: b.weight } : {}),
  });
}

function updateBackendIn(svc: ServiceModel, ip: string, b: BackendInput): Result<ServiceModel> {
  const cur = svc.backends.get(ip);
  if (!cur) return fail('CUBE_ERR_LBRP_NO_ENTRY');
  const next = updatedBackend(cur, b);
  return next.ok ? ok({ ...svc, backends: withEntry(svc.backends, ip, next.value) }) : next;
}

/** Where a backend request points: a stored service (never ALL). */
export interface ServiceRef {
  vip: string;
  vport: number;
  proto: ProtoInput;
}

function inService(
  model: CubeModel,
  ref: ServiceRef,
  change: (svc: ServiceModel) => Result<ServiceModel>,
): Result<CubeModel> {
  const svc = findService(model, ref.vip, ref.vport, ref.proto);
  if (!svc.ok) return svc;
  const next = change(svc.value);
  return next.ok ? ok(putService(model, next.value)) : next;
}

/** Adds a backend (weight 1 when absent); "Backend <ip> already exists in the service map". */
export function addBackend(model: CubeModel, ref: ServiceRef, b: BackendInput): Result<CubeModel> {
  return inService(model, ref, (svc) => addBackendTo(svc, b));
}

/** PATCH of a backend: only the members given change (an absent weight stays as it is). */
export function updateBackend(
  model: CubeModel,
  ref: ServiceRef,
  ip: string,
  b: BackendInput,
): Result<CubeModel> {
  return inService(model, ref, (svc) => updateBackendIn(svc, ip, b));
}

/** PUT of a backend: replaced as a whole (absent weight = 1). */
export function replaceBackend(model: CubeModel, ref: ServiceRef, b: BackendInput): Result<CubeModel> {
  return inService(model, ref, (svc) =>
    addBackendTo({ ...svc, backends: withoutEntry(svc.backends, b.ip ?? '') }, b),
  );
}

/** Deletes a backend; a missing one is data-missing (409). */
export function deleteBackend(model: CubeModel, ref: ServiceRef, ip: string): Result<CubeModel> {
  return inService(model, ref, (svc) =>
    svc.backends.has(ip)
      ? ok({ ...svc, backends: withoutEntry(svc.backends, ip) })
      : fail('CUBE_ERR_DATA_MISSING', { path: `/lbrp/service/backend/${ip}` }),
  );
}

/** Deletes every backend of a service. */
export function deleteAllBackends(model: CubeModel, ref: ServiceRef): Result<CubeModel> {
  return inService(model, ref, (svc) => ok({ ...svc, backends: new Map() }));
}
