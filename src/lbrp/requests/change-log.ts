// The control-plane log line of an applied change (issue 18: what Polycube prints per cube, e.g.
// "service 10.0.0.1:80/TCP added", "backend 192.168.1.2 of 10.0.0.1:80/TCP removed"). Pure.

import type { Op } from '../../service-kit';
import type { ServiceRef } from '../model/service-rules';
import type { RequestTarget } from './request-target';

const VERB: Partial<Record<Op, string>> = {
  CREATE: 'added',
  REPLACE: 'replaced',
  UPDATE: 'updated',
  DELETE: 'removed',
};

const svc = (r: ServiceRef): string => `${r.vip}:${r.vport}/${r.proto}`;

/** The line of a successful write on `target` of cube `cube`, or undefined for a READ. */
export function changeLine(cube: string, target: RequestTarget, op: Op): string | undefined {
  const verb = VERB[op];
  if (!verb) return undefined;
  const what = ((): string => {
    switch (target.kind) {
      case 'cube':
        return 'cube';
      case 'cube-leaf':
      case 'port_mode':
        return target.kind === 'port_mode' ? 'port_mode' : target.leaf;
      case 'ports':
        return target.name === undefined ? 'ports' : `port ${target.name}`;
      case 'port-leaf':
        return `${target.leaf} of port ${target.name}`;
      case 'src-ip-rewrite':
        return 'src-ip-rewrite';
      case 'src-ip-rewrite-leaf':
        return `src-ip-rewrite ${target.leaf}`;
      case 'service':
        return target.ref ? `service ${svc(target.ref)}` : 'services';
      case 'service-leaf':
        return `${target.leaf} of service ${svc(target.ref)}`;
      case 'health-check':
      case 'health-check-leaf':
        return `health-check${target.kind === 'health-check-leaf' ? ` ${target.leaf}` : ''} of service ${svc(target.ref)}`;
      case 'backend':
        return target.ip === undefined
          ? `backends of service ${svc(target.ref)}`
          : `backend ${target.ip} of service ${svc(target.ref)}`;
      case 'backend-leaf':
        return `${target.leaf} of backend ${target.ip} of service ${svc(target.ref)}`;
      default:
        return target.kind;
    }
  })();
  return `cube ${cube}: ${what} ${verb}`;
}
