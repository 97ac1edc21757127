// Whole-cube and whole-list operations, composed from the port, service, backend and
// src-ip-rewrite rules: cube create (services, then src-ip-rewrite, then ports, as the C++
// constructor), cube PATCH (port_mode only to its current value), and collection POST/PUT/PATCH/DELETE.

import type { Result } from '../../common/errors';
import {
  chain,
  DEFAULT_SIZES,
  emptyCube,
  fail,
  ok,
  serviceKey,
  SIZE_LEAVES,
  type CubeModel,
  type CubeSizes,
  type PortMode,
  type ServiceModel,
} from './cube-model';
import { addPort, deletePort, updatePort, type PortInput } from './port-rules';
import {
  addBackend,
  addServiceInto,
  deleteAllBackends,
  expandProto,
  findService,
  updateBackend,
  updateServiceInto,
  type BackendInput,
  type ServiceInput,
  type ServiceRef,
} from './service-rules';
import { mergeSessionPolicy, type SessionInput } from './session-policy';
import { replaceSrcIpRewrite, updateSrcIpRewrite, type SrcIpRewriteInput } from './src-rewrite-rules';

/** A cube body (the generated Lbrp class fits; `portMode` only when the request carried it). */
export interface CubeInput {
  portMode?: PortMode;
  /** polycubed's cube `type` (TC, XDP_SKB, XDP_DRV) when the creation body carried it. */
  cubeType?: string;
  /** Size leaves the request carried (init-only: creation only). */
  sizes?: Partial<CubeSizes>;
  /** Session policy leaves the request carried (changeable at run time). */
  session?: SessionInput;
  ports?: PortInput[];
  srcIpRewrite?: SrcIpRewriteInput;
  service?: ServiceInput[];
}

/** How a list request combines with what exists (REST spec §6.2). */
export type ListMode = 'create' | 'replace' | 'update';

/** A new cube from its creation body; refused as a whole if any part breaks a rule. */
export function createCube(name: string, input: CubeInput): Result<CubeModel> {
  const sizes = { ...DEFAULT_SIZES, ...input.sizes };
  // The session table's buckets are indexed by a hash mask (session_table.h).
  const s = sizes.sessionTableSize;
  if (!Number.isInteger(s) || s < 8 || (s & (s - 1)) !== 0)
    return fail('CUBE_ERR_LBRP_SESSION_TABLE_SIZE', { value: s });
  const base = emptyCube(name, input.portMode ?? 'SINGLE', sizes);
  // XDP has no egress hook, where ROUTED reverse-NATs the replies.
  if (base.portMode === 'ROUTED' && /^XDP/i.test(input.cubeType ?? ''))
    return fail('CUBE_ERR_LBRP_ROUTED', {
      info: 'port_mode',
      path: '/lbrp/port_mode',
      message: `needs cube type TC, not ${input.cubeType} (XDP has no egress hook for the reverse NAT of replies)`,
    });
  return chain(base, [
    (m) => setSessionPolicy(m, input.session),
    (m) => applyServices(m, input.service ?? [], 'create'),
    (m) => (input.srcIpRewrite ? replaceSrcIpRewrite(m, input.srcIpRewrite) : ok(m)),
    (m) => applyPorts(m, input.ports ?? [], 'create'),
  ]);
}

/** Cube PATCH: port_mode may only restate the current mode; listed parts are merged. */
export function updateCube(model: CubeModel, input: CubeInput): Result<CubeModel> {
  return chain(model, [
    (m) => keepSizes(m, input.sizes),
    (m) => setPortMode(m, input.portMode),
    (m) => setSessionPolicy(m, input.session),
    (m) => applyServices(m, input.service ?? [], 'update'),
    (m) => (input.srcIpRewrite ? updateSrcIpRewrite(m, input.srcIpRewrite) : ok(m)),
    (m) => applyPorts(m, input.ports ?? [], 'update'),
  ]);
}

/**
 * The size leaves are init-only (REST refuses them in a PATCH already): restating a size is fine,
 * changing one is refused naming the leaf.
 */
function keepSizes(model: CubeModel, sizes: Partial<CubeSizes> | undefined): Result<CubeModel> {
  for (const k of Object.keys(sizes ?? {}) as (keyof CubeSizes)[]) {
    if (sizes?.[k] !== undefined && sizes[k] !== model.sizes[k])
      return fail('CUBE_ERR_INVALID_VALUE', { info: SIZE_LEAVES[k], path: `/lbrp/${SIZE_LEAVES[k]}` });
  }
  return ok(model);
}

/** The session policy with the members `input` sets (each in its YANG range, else refused naming it). */
export function setSessionPolicy(model: CubeModel, input: SessionInput | undefined): Result<CubeModel> {
  if (input === undefined || Object.keys(input).length === 0) return ok(model);
  const session = mergeSessionPolicy(model.name, model.session, input);
  return session.ok ? ok({ ...model, session: session.value }) : session;
}

/** PATCH of port_mode: "Port mode cannot be changed at runtime" unless it is the current one. */
export function setPortMode(model: CubeModel, mode: PortMode | undefined): Result<CubeModel> {
  return mode === undefined || mode === model.portMode ? ok(model) : fail('CUBE_ERR_LBRP_PORT_MODE_CHANGE');
}

/** Ports list POST (add each), PUT (exactly these) or PATCH (update existing, add new ones). */
export function applyPorts(
  model: CubeModel,
  entries: readonly PortInput[],
  mode: ListMode,
): Result<CubeModel> {
  let cur: CubeModel = mode === 'replace' ? { ...model, ports: new Map() } : model;
  for (const e of entries) {
    const r =
      mode === 'update' && e.name !== undefined && cur.ports.has(e.name)
        ? updatePort(cur, e.name, e)
        : addPort(cur, e);
    if (!r.ok) return r;
    cur = r.value;
  }
  return ok(cur);
}

/** Ports list DELETE: every port. */
export function deleteAllPorts(model: CubeModel): Result<CubeModel> {
  return chain(
    model,
    [...model.ports.keys()].map((name) => (m: CubeModel) => deletePort(m, name)),
  );
}

/** True when every stored service `e` names (ALL: all three) exists. */
function serviceExists(model: CubeModel, e: ServiceInput): boolean {
  if (e.vip === undefined || e.vport === undefined || e.proto === undefined) return false;
  return expandProto(e.vport, e.proto).every((x) =>
    model.services.has(serviceKey(e.vip as string, x.vport, x.proto)),
  );
}

/** Services list POST (add each), PUT (exactly these) or PATCH (update existing, add new ones). */
export function applyServices(
  model: CubeModel,
  entries: readonly ServiceInput[],
  mode: ListMode,
): Result<CubeModel> {
  const services = mode === 'replace' ? new Map<string, ServiceModel>() : new Map(model.services);
  const probe = { ...model, services };
  for (const e of entries) {
    const r =
      mode === 'update' && serviceExists(probe, e)
        ? updateServiceInto(services, e)
        : addServiceInto(services, e);
    if (!r.ok) return r;
  }
  return ok({ ...model, services });
}

/** Services list DELETE: every service. */
export function deleteAllServices(model: CubeModel): Result<CubeModel> {
  return ok({ ...model, services: new Map() });
}

/** Backends list POST (add each), PUT (exactly these) or PATCH (update existing, add new ones). */
export function applyBackends(
  model: CubeModel,
  ref: ServiceRef,
  entries: readonly BackendInput[],
  mode: ListMode,
): Result<CubeModel> {
  const found = findService(model, ref.vip, ref.vport, ref.proto);
  if (!found.ok) return found;
  let cur = model;
  if (mode === 'replace') {
    const cleared = deleteAllBackends(cur, ref);
    if (!cleared.ok) return cleared;
    cur = cleared.value;
  }
  for (const e of entries) {
    const svc = cur.services.get(serviceKey(ref.vip, ref.vport, found.value.proto));
    const exists = e.ip !== undefined && svc?.backends.has(e.ip) === true;
    const r =
      mode === 'update' && exists ? updateBackend(cur, ref, e.ip as string, e) : addBackend(cur, ref, e);
    if (!r.ok) return r;
    cur = r.value;
  }
  return ok(cur);
}
