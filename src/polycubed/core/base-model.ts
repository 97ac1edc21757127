// The base model polycubed serves itself (runtime spec §4.4, REST spec §4.1–4.2): which leaves are
// base leaves, and how a cube or port object is assembled from polycubed's base members and the
// service's members (in YANG order), for GET answers, the persisted configuration and Resync.

import type { IrList, IrModule, IrNode } from 'yang-ts-codegen';
import type { CubeRecord, PortRecord } from './cube-registry';
import type { CubeConfig } from './persistence';

/** Cube-level leaves served by polycubed. */
export const BASE_CUBE_LEAVES: readonly string[] = [
  'type',
  'uuid',
  'loglevel',
  'service-name',
  'shadow',
  'span',
];
/** Port-level leaves served by polycubed. */
export const BASE_PORT_LEAVES: readonly string[] = ['uuid', 'status', 'peer', 'tcubes'];
/** Members of a cube object that polycubed fills (the service's values are ignored). */
const BASE_CUBE_MEMBERS = new Set(['name', 'uuid', 'service-name', 'type', 'loglevel', 'shadow', 'span']);
/** Members of a port object that polycubed fills. */
const BASE_PORT_MEMBERS = new Set(['name', 'uuid', 'status', 'peer', 'tcubes']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `ports` list node of a service module, when it uses the standard base. */
export function portsNode(module: IrModule): IrList | undefined {
  const n = module.children.find((c) => c.name === 'ports' && c.kind === 'list');
  return n as IrList | undefined;
}

/** Copies members of `src` in the order of `nodes`, then any member `nodes` does not name. */
function inSchemaOrder(src: Json, nodes: readonly IrNode[], skip: Set<string>): Json {
  const out: Json = {};
  for (const n of nodes) if (!skip.has(n.name) && n.name in src) out[n.name] = src[n.name];
  for (const [k, v] of Object.entries(src)) if (!skip.has(k) && !(k in out)) out[k] = v;
  return out;
}

/** Removes `config false` members (recursively) so only configuration is kept. */
export function configOnly(value: unknown, nodes: readonly IrNode[]): unknown {
  if (Array.isArray(value)) return value.map((v) => configOnly(v, nodes));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const node = nodes.find((n) => n.name === k);
    if (node && !node.config) continue;
    if (node && (node.kind === 'container' || node.kind === 'list')) out[k] = configOnly(v, node.children);
    else out[k] = v;
  }
  return out;
}

/** A port object: name, uuid, status, peer, [tcubes], then the service's port members. */
export function portObject(p: PortRecord, service: Json | undefined, module?: IrModule): Json {
  const out: Json = { name: p.name, uuid: p.uuid, status: p.status, peer: p.peer };
  const svc = service ?? {};
  const nodes = (module && portsNode(module)?.children) ?? [];
  return { ...out, ...inSchemaOrder(svc, nodes, BASE_PORT_MEMBERS) };
}

/** Finds the service's port entry named `name` in a `ports` array. */
function servicePort(ports: unknown, name: string): Json | undefined {
  if (!Array.isArray(ports)) return undefined;
  return ports.find((e): e is Json => isObject(e) && e.name === name);
}

/** The port objects of `cube` (by name), merged with the service's entries in `servicePorts`. */
export function portObjects(cube: CubeRecord, servicePorts: unknown, module?: IrModule): Json[] {
  return cube.sortedPorts().map((p) => portObject(p, servicePort(servicePorts, p.name), module));
}

/**
 * The whole cube object (REST spec §4.1 order): name, uuid, service-name, type, loglevel,
 * ports (only if any), shadow, span, then the service's members in YANG order.
 */
export function cubeObject(cube: CubeRecord, service: Json, module: IrModule): Json {
  const out: Json = {
    name: cube.name,
    uuid: cube.uuid,
    'service-name': cube.service,
    type: cube.type,
    loglevel: cube.loglevel,
  };
  if (cube.ports.size > 0) out.ports = portObjects(cube, service.ports, module);
  out.shadow = cube.shadow;
  out.span = cube.span;
  return { ...out, ...inSchemaOrder(service, module.children, new Set([...BASE_CUBE_MEMBERS, 'ports'])) };
}

/** The framework base object (REST spec §4.2): no service members; ports only name and peer. */
export function baseObject(cube: CubeRecord): Json {
  const out: Json = {
    name: cube.name,
    uuid: cube.uuid,
    'service-name': cube.service,
    type: cube.type,
    loglevel: cube.loglevel,
  };
  if (cube.ports.size > 0) {
    out.ports = cube.sortedPorts().map((p) => (p.peer ? { name: p.name, peer: p.peer } : { name: p.name }));
  }
  out.shadow = cube.shadow;
  out.span = cube.span;
  return out;
}

/**
 * The service's configuration members of a READ answer: config-false members and polycubed's
 * base members dropped (ports keep their service members under their name).
 */
export function serviceMembers(body: unknown, module: IrModule | undefined): Json {
  const cfg = module ? configOnly(body, module.children) : body;
  if (!isObject(cfg)) return {};
  const out: Json = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (BASE_CUBE_MEMBERS.has(k)) continue;
    if (k === 'ports' && Array.isArray(v)) {
      out.ports = v.filter(isObject).map((p) => {
        const entry: Json = { name: p.name };
        for (const [pk, pv] of Object.entries(p)) if (!BASE_PORT_MEMBERS.has(pk)) entry[pk] = pv;
        return entry;
      });
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * The persisted configuration of a cube (REST spec §7.2): "service-name", name, uuid, type,
 * loglevel, shadow, span, ports [{name, uuid, peer, service members}], then service members.
 */
export function cubeConfig(cube: CubeRecord, module: IrModule | undefined): CubeConfig {
  const svc = cube.serviceConfig;
  const out: CubeConfig = {
    'service-name': cube.service,
    name: cube.name,
    uuid: cube.uuid,
    type: cube.type,
    loglevel: cube.loglevel,
    shadow: cube.shadow,
    span: cube.span,
  };
  if (cube.ports.size > 0) {
    out.ports = cube.sortedPorts().map((p) => {
      const entry: Json = { name: p.name, uuid: p.uuid, peer: p.peer };
      const s = servicePort(svc.ports, p.name) ?? {};
      const nodes = (module && portsNode(module)?.children) ?? [];
      return { ...entry, ...inSchemaOrder(s, nodes, BASE_PORT_MEMBERS) };
    });
  }
  const nodes = module?.children ?? [];
  return { ...out, ...inSchemaOrder(svc, nodes, new Set([...BASE_CUBE_MEMBERS, 'ports'])) };
}

/**
 * A persisted configuration as a service receives it (Resync, or CREATE when rebuilding):
 * without polycubed's read-only members (uuid; ports' uuid).
 */
export function configForService(config: CubeConfig): Json {
  const { uuid: _uuid, ...rest } = config;
  if (Array.isArray(rest.ports)) {
    rest.ports = rest.ports.map((p) => {
      if (!isObject(p)) return p;
      const { uuid: _pu, status: _ps, ...port } = p;
      return port;
    });
  }
  return rest;
}
