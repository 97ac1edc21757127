// Port rules of runtime spec §5.4, per port mode, with the C++ lbrp's messages: SINGLE has at
// most one FRONTEND (no ip) and one BACKEND; MULTI has FRONTENDs with unique mandatory ips and one
// BACKEND (no ip); ROUTED has FRONTENDs only (no ip: replies go through the host's stack). PATCH of `ip` obeys the same rules (Polycube bug 11). Pure functions.

import type { Result } from '../../common/errors';
import {
  fail,
  ok,
  present,
  withEntry,
  withoutEntry,
  type CubeModel,
  type PortModel,
  type PortType,
} from './cube-model';
import { isIpv4 } from './ipv4';

/** What a request says about a port (the generated Ports class fits). */
export interface PortInput {
  name?: string;
  type?: PortType;
  /** "" counts as absent. */
  ip?: string;
}

function checkIp(ip: string | undefined): Result<undefined> {
  if (ip !== undefined && !isIpv4(ip))
    return fail('CUBE_ERR_BAD_ATTRIBUTE', { info: 'ip', path: '/lbrp/ports/ip' });
  return ok(undefined);
}

/** The rule an `ip` must pass on port `name` of `type` (the port itself excluded from uniqueness). */
function ipRule(model: CubeModel, name: string, type: PortType, ip: string | undefined): Result<undefined> {
  const syntax = checkIp(ip);
  if (!syntax.ok) return syntax;
  if (type === 'BACKEND') return ip === undefined ? ok(undefined) : fail('CUBE_ERR_LBRP_BACKEND_IP');
  if (model.portMode === 'SINGLE') {
    return ip === undefined ? ok(undefined) : fail('CUBE_ERR_LBRP_FRONTEND_IP_SINGLE');
  }
  if (model.portMode === 'ROUTED') {
    return ip === undefined ? ok(undefined) : fail('CUBE_ERR_LBRP_ROUTED', ROUTED_IP);
  }
  if (ip === undefined) return fail('CUBE_ERR_LBRP_FRONTEND_IP_MANDATORY');
  for (const p of model.ports.values()) {
    if (p.name !== name && p.type === 'FRONTEND' && p.ip === ip)
      return fail('CUBE_ERR_LBRP_FRONTEND_IP_EXISTS', { ip });
  }
  return ok(undefined);
}

/** ROUTED refuses a BACKEND port: backends are reached through the host's routes. */
const ROUTED_BACKEND = {
  info: 'type',
  path: '/lbrp/ports/type',
  message:
    'BACKEND ports are refused, a ROUTED cube has FRONTEND ports only (backends are reached through the routes)',
};
/** ROUTED FRONTENDs carry no ip: replies find their interface through the host's routes. */
const ROUTED_IP = {
  info: 'ip',
  path: '/lbrp/ports/ip',
  message: 'a FRONTEND port takes no ip in ROUTED port mode',
};

/**
 * Adds a port. SINGLE: a third port → "Reached maximum number of ports"; a second FRONTEND or
 * BACKEND, or an ip, is refused. MULTI: FRONTENDs need a unique ip; one BACKEND without ip.
 * ROUTED: FRONTENDs without ip, any number; a BACKEND is refused naming `type`.
 */
export function addPort(model: CubeModel, input: PortInput): Result<CubeModel> {
  const name = input.name;
  if (name === undefined || name === '')
    return fail('CUBE_ERR_MISSING_ATTRIBUTE', { info: 'name', path: '/lbrp/ports' });
  if (input.type === undefined)
    return fail('CUBE_ERR_MISSING_ATTRIBUTE', { info: 'type', path: '/lbrp/ports' });
  if (model.ports.has(name))
    return fail('CUBE_ERR_SERVICE_FAILED', { message: `Port ${name} already exists` });
  const ip = present(input.ip);
  const ports = [...model.ports.values()];
  if (model.portMode === 'ROUTED' && input.type === 'BACKEND')
    return fail('CUBE_ERR_LBRP_ROUTED', ROUTED_BACKEND);
  if (model.portMode === 'SINGLE' && ports.length >= 2) return fail('CUBE_ERR_LBRP_MAX_PORTS');
  if (input.type === 'BACKEND' && ports.some((p) => p.type === 'BACKEND'))
    return fail('CUBE_ERR_LBRP_BACKEND_EXISTS');
  if (model.portMode === 'SINGLE' && input.type === 'FRONTEND' && ports.some((p) => p.type === 'FRONTEND')) {
    return fail('CUBE_ERR_LBRP_FRONTEND_EXISTS');
  }
  const rule = ipRule(model, name, input.type, ip);
  if (!rule.ok) return rule;
  const port: PortModel = ip === undefined ? { name, type: input.type } : { name, type: input.type, ip };
  return ok({ ...model, ports: withEntry(model.ports, name, port) });
}

/** Removes a port (its frontend ip goes with it). */
export function deletePort(model: CubeModel, name: string): Result<CubeModel> {
  if (!model.ports.has(name))
    return fail('CUBE_ERR_SERVICE_FAILED', { message: `Port ${name} does not exist` });
  return ok({ ...model, ports: withoutEntry(model.ports, name) });
}

/**
 * Updates a port: `type` only to its current value ("Error: Port type cannot be changed at
 * runtime." otherwise), `ip` under the rules of its type and the cube's mode.
 */
export function updatePort(model: CubeModel, name: string, input: PortInput): Result<CubeModel> {
  const port = model.ports.get(name);
  if (!port) return fail('CUBE_ERR_SERVICE_FAILED', { message: `Port ${name} does not exist` });
  if (input.type !== undefined && input.type !== port.type) return fail('CUBE_ERR_LBRP_PORT_TYPE_CHANGE');
  if (input.ip === undefined) return ok(model);
  return setPortIp(model, name, input.ip);
}

/** Sets (or with "" clears) a port's ip, keeping the mode's rules (fixes Polycube bug 11). */
export function setPortIp(model: CubeModel, name: string, ipText: string): Result<CubeModel> {
  const port = model.ports.get(name);
  if (!port) return fail('CUBE_ERR_SERVICE_FAILED', { message: `Port ${name} does not exist` });
  const ip = present(ipText);
  if (ip === port.ip) return ok(model);
  const rule = ipRule(model, name, port.type, ip);
  if (!rule.ok) return rule;
  const next: PortModel = ip === undefined ? { name, type: port.type } : { name, type: port.type, ip };
  return ok({ ...model, ports: withEntry(model.ports, name, next) });
}

/** PUT of one port: delete (if present) and add again, checked as a whole. */
export function replacePort(model: CubeModel, input: PortInput): Result<CubeModel> {
  const name = input.name ?? '';
  const base = model.ports.has(name) ? { ...model, ports: withoutEntry(model.ports, name) } : model;
  return addPort(base, input);
}
