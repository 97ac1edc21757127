// A configuration write (CREATE / REPLACE / UPDATE / DELETE) on an lbrp cube, as a pure function
// from the accepted model to the next one: bodies are read with the generated classes (Lbrp,
// Ports, Service, Backend, SrcIpRewrite), then handed to the model rules. No I/O.

import { Backend, Lbrp, Ports, Service, SrcIpRewrite } from '../../generated/lbrp';
import type { Result } from '../../common/errors';
import type { Op } from '../../service-kit';
import { fail, SIZE_LEAVES, type CubeModel, type CubeSizes, type PortMode } from '../model/cube-model';
import {
  applyBackends,
  applyPorts,
  applyServices,
  deleteAllPorts,
  deleteAllServices,
  setPortMode,
  setSessionPolicy,
  updateCube,
  type CubeInput,
  type ListMode,
} from '../model/cube-rules';
import { SESSION_LEAVES, type SessionPolicy } from '../model/session-policy';
import { servicePolicyMember, servicePolicyOf } from '../model/service-policy';
import { addPort, deletePort, replacePort, setPortIp, updatePort } from '../model/port-rules';
import {
  addBackend,
  addService,
  deleteAllBackends,
  deleteBackend,
  deleteService,
  replaceBackend,
  replaceService,
  updateBackend,
  updateService,
  type BackendInput,
  type ServiceInput,
  type ServiceRef,
} from '../model/service-rules';
import {
  deleteSrcIpRewrite,
  replaceSrcIpRewrite,
  updateSrcIpRewrite,
  type SrcIpRewriteInput,
} from '../model/src-rewrite-rules';
import type { RequestTarget } from './request-target';
import { DEFAULT_HEALTH_CHECK, healthCheckInput } from '../model/health-check-rules';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The model input of a cube body; `portMode` only when the body carries `port_mode`. */
export function cubeInput(body: unknown): CubeInput {
  const raw = isObject(body) ? body : {};
  const lbrp = Lbrp.fromJson(raw);
  const sizes: { -readonly [K in keyof CubeSizes]?: number } = {};
  for (const k of Object.keys(SIZE_LEAVES) as (keyof CubeSizes)[])
    if (SIZE_LEAVES[k] in raw) sizes[k] = lbrp[k];
  const session: Record<string, unknown> = {};
  for (const k of Object.keys(SESSION_LEAVES) as (keyof SessionPolicy)[])
    if (SESSION_LEAVES[k] in raw) session[k] = lbrp[k];
  return {
    ...('port_mode' in raw ? { portMode: lbrp.portMode } : {}),
    ...(typeof raw.type === 'string' ? { cubeType: raw.type } : {}),
    ...(Object.keys(sizes).length > 0 ? { sizes } : {}),
    ...(Object.keys(session).length > 0 ? { session } : {}),
    ...(lbrp.ports ? { ports: lbrp.ports.map(portInput) } : {}),
    ...(lbrp.srcIpRewrite ? { srcIpRewrite: rewriteInput(lbrp.srcIpRewrite) } : {}),
    ...(lbrp.service ? { service: listOf(raw.service).map(serviceInputOf) } : {}),
  };
}

function portInput(p: Ports): { name?: string; type?: 'FRONTEND' | 'BACKEND'; ip?: string } {
  return { name: p.name, type: p.type, ip: p.ip };
}

function rewriteInput(r: SrcIpRewrite): SrcIpRewriteInput {
  return { ipRange: r.ipRange, newIpRange: r.newIpRange };
}

function backendInput(b: Backend): BackendInput {
  return { ip: b.ip, name: b.name, port: b.port, weight: b.weight };
}

/** A service body; its policy and health-check members only as far as the body carries them. */
function serviceInputOf(body: unknown): ServiceInput {
  const s = Service.fromJson(body);
  const raw = isObject(body) ? body : {};
  const policy = servicePolicyOf(raw, s);
  return {
    vip: s.vip,
    vport: s.vport,
    proto: s.proto,
    name: s.name,
    ...(Object.keys(policy).length > 0 ? { policy } : {}),
    backend: s.backend?.map(backendInput),
    ...('health-check' in raw ? { healthCheck: healthCheckInput(raw['health-check']) } : {}),
  };
}

const LIST_MODES: Partial<Record<Op, ListMode>> = { CREATE: 'create', REPLACE: 'replace', UPDATE: 'update' };

/** The element's keys from the path win over the body (REST copies them anyway). */
function serviceWithRef(body: unknown, ref: ServiceRef): ServiceInput {
  return { ...serviceInputOf(isObject(body) ? body : {}), ...ref };
}

/**
 * The model after `op` on `target` with `body`, or the rule it breaks. READ is not a write;
 * anything the lbrp YANG routes but lbrp gives no meaning answers "Method not supported".
 */
export function applyRequest(
  model: CubeModel,
  target: RequestTarget,
  op: Op,
  body: unknown,
): Result<CubeModel> {
  const listMode = LIST_MODES[op];
  switch (target.kind) {
    case 'cube':
      return op === 'UPDATE' ? updateCube(model, cubeInput(body)) : unsupported();
    case 'cube-leaf': {
      const k = sessionMember(target.leaf);
      if (op !== 'UPDATE' || k === undefined) return unsupported();
      // The typed JSON value; mergeSessionPolicy refuses one of the wrong type naming the leaf.
      return setSessionPolicy(model, { [k]: body });
    }
    case 'port_mode':
      return op === 'UPDATE' ? setPortMode(model, String(body).toUpperCase() as PortMode) : unsupported();
    case 'ports': {
      if (target.name === undefined) {
        if (op === 'DELETE') return deleteAllPorts(model);
        return listMode
          ? applyPorts(
              model,
              listOf(body).map((e) => portInput(Ports.fromJson(e))),
              listMode,
            )
          : unsupported();
      }
      const input = { ...portInput(Ports.fromJson(isObject(body) ? body : {})), name: target.name };
      if (op === 'CREATE') return addPort(model, input);
      if (op === 'REPLACE') return replacePort(model, input);
      if (op === 'UPDATE') return updatePort(model, target.name, input);
      return op === 'DELETE' ? deletePort(model, target.name) : unsupported();
    }
    case 'port-leaf':
      if (op !== 'UPDATE') return unsupported();
      if (target.leaf === 'ip') return setPortIp(model, target.name, typeof body === 'string' ? body : '');
      if (target.leaf === 'type')
        return updatePort(model, target.name, { type: String(body).toUpperCase() as 'FRONTEND' | 'BACKEND' });
      return unsupported();
    case 'src-ip-rewrite': {
      if (op === 'DELETE') return deleteSrcIpRewrite(model);
      const input = rewriteInput(SrcIpRewrite.fromJson(isObject(body) ? body : {}));
      if (op === 'UPDATE') return updateSrcIpRewrite(model, input);
      return op === 'CREATE' || op === 'REPLACE' ? replaceSrcIpRewrite(model, input) : unsupported();
    }
    case 'src-ip-rewrite-leaf': {
      if (op !== 'UPDATE') return unsupported();
      const value = typeof body === 'string' ? body : '';
      return updateSrcIpRewrite(
        model,
        target.leaf === 'ip-range' ? { ipRange: value } : { newIpRange: value },
      );
    }
    case 'service': {
      if (!target.ref) {
        if (op === 'DELETE') return deleteAllServices(model);
        const entries = listOf(body).map(serviceInputOf);
        return listMode ? applyServices(model, entries, listMode) : unsupported();
      }
      const ref = target.ref;
      if (op === 'DELETE') return deleteService(model, ref.vip, ref.vport, ref.proto);
      const input = serviceWithRef(body, ref);
      if (op === 'CREATE') return addService(model, input);
      if (op === 'REPLACE') return replaceService(model, input);
      return op === 'UPDATE' ? updateService(model, input) : unsupported();
    }
    case 'health-check': {
      const ref = target.ref;
      if (op === 'DELETE') return updateService(model, { ...ref, healthCheck: { ...DEFAULT_HEALTH_CHECK } });
      const input = healthCheckInput(body);
      if (op === 'UPDATE') return updateService(model, { ...ref, healthCheck: input });
      return op === 'CREATE' || op === 'REPLACE'
        ? updateService(model, { ...ref, healthCheck: { ...DEFAULT_HEALTH_CHECK, ...input } })
        : unsupported();
    }
    case 'health-check-leaf': {
      if (op !== 'UPDATE') return unsupported();
      const input = healthCheckInput({ [target.leaf]: body });
      return Object.keys(input).length === 0
        ? unsupported()
        : updateService(model, { ...target.ref, healthCheck: input });
    }
    case 'service-leaf': {
      if (op !== 'UPDATE') return unsupported();
      if (target.leaf === 'name')
        return updateService(model, { ...target.ref, name: typeof body === 'string' ? body : '' });
      const k = servicePolicyMember(target.leaf);
      return k ? updateService(model, { ...target.ref, policy: { [k]: body } }) : unsupported();
    }
    case 'backend': {
      const ref = target.ref;
      if (target.ip === undefined) {
        if (op === 'DELETE') return deleteAllBackends(model, ref);
        const entries = listOf(body).map((e) => backendInput(Backend.fromJson(e)));
        return listMode ? applyBackends(model, ref, entries, listMode) : unsupported();
      }
      if (op === 'DELETE') return deleteBackend(model, ref, target.ip);
      const input = { ...backendInput(Backend.fromJson(isObject(body) ? body : {})), ip: target.ip };
      if (op === 'CREATE') return addBackend(model, ref, input);
      if (op === 'REPLACE') return replaceBackend(model, ref, input);
      return op === 'UPDATE' ? updateBackend(model, ref, target.ip, input) : unsupported();
    }
    case 'backend-leaf': {
      if (op !== 'UPDATE') return unsupported();
      if (target.leaf === 'name')
        return updateBackend(model, target.ref, target.ip, { name: String(body ?? '') });
      if (target.leaf === 'port' || target.leaf === 'weight') {
        const n = typeof body === 'number' ? body : Number.NaN;
        return updateBackend(model, target.ref, target.ip, { [target.leaf]: n });
      }
      return unsupported();
    }
    default:
      return unsupported();
  }
}

/** The SessionPolicy member of a cube leaf, if it is one. */
function sessionMember(leaf: string): keyof SessionPolicy | undefined {
  return (Object.keys(SESSION_LEAVES) as (keyof SessionPolicy)[]).find((k) => SESSION_LEAVES[k] === leaf);
}

function unsupported(): Result<never> {
  return fail('CUBE_ERR_LBRP_UNSUPPORTED');
}
