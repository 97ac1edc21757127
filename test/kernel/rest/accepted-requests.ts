// Valid-but-extreme lbrp requests for the fuzz against the real service: boundary ports (0, 65535),
// weights (0, 1, 100, 101, 65535), long and non-ASCII names, many backends in one body, /1 and /32
// rewrite ranges. Each case is a write that must be accepted, reads that must return exactly what
// was written (defaults filled in), and the requests that undo it.

import { toJson } from './fuzz-case';
import type { FuzzWorld, Pick } from './hostile-requests';

const P = '/polycube/v1';

/** A service's policy leaves (drain-timeout, session-affinity, affinity-timeout) at their defaults. */
const POLICY_DEFAULTS = { 'drain-timeout': 0, 'session-affinity': 'none', 'affinity-timeout': 10800 };

/** One request with the status it must get. */
export interface Step {
  method: string;
  path: string;
  body?: string;
  status: number;
}

/** A change that must be accepted and read back exactly, then undone. */
export interface AcceptCase {
  label: string;
  steps: Step[];
  /** GETs and what they must return (counters, `_links` and uuids left out). */
  reads: Array<{ path: string; expect: unknown }>;
  undo: Step[];
}

const NAMES = ['', 'b', 'n'.repeat(64), 'é€😀', 'with space', 'quote"\'and\\slash'];
const PORTS = [0, 1, 80, 65535];
const WEIGHTS = [0, 1, 100, 101, 65535];

/** Members the service computes (not configuration), removed before comparing reads. */
const COMPUTED = new Set([
  'packets',
  'bytes',
  'active-sessions',
  'total-sessions',
  'health',
  'health-detail',
  'up',
  'health-transitions',
  '_links',
  'uuid',
]);

/** `v` without computed members, lists of keyed objects sorted by `ip` (order is not the contract). */
export function configOf(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(configOf);
    return out.every((e) => typeof e === 'object' && e !== null && 'ip' in e)
      ? [...out].sort((a, b) =>
          String((a as { ip: string }).ip).localeCompare(String((b as { ip: string }).ip)),
        )
      : out;
  }
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!COMPUTED.has(k)) out[k] = configOf(x);
  return out;
}

const post = (path: string, body: unknown): Step => ({
  method: 'POST',
  path,
  body: toJson(body),
  status: 201,
});
const del = (path: string): Step => ({ method: 'DELETE', path, status: 204 });

/** The next valid-but-extreme case (`n` distinguishes addresses between cases). */
export function acceptCase(p: Pick, w: FuzzWorld, n: number): AcceptCase {
  const c = `${P}/lbrp/${w.cube}`;
  const svc = `${c}/service/10.0.0.1/80/TCP`;
  const hi = (n >> 8) & 255;
  const lo = n & 255;
  switch (p.int(7)) {
    case 6: {
      // An element PATCH without weight keeps the weight (Polycube reset it to 1: runtime spec §5.11, 13).
      const port = p.one(PORTS);
      const path = `${svc}/backend/1.2.3.4/`;
      return {
        label: `element PATCH port=${port} keeps the weight`,
        steps: [{ method: 'PATCH', path, body: toJson({ port }), status: 201 }],
        reads: [{ path, expect: { name: 'b1', ip: '1.2.3.4', port, weight: 20 } }],
        undo: [{ method: 'PATCH', path, body: toJson({ port: 80 }), status: 201 }],
      };
    }
    case 0: {
      const ip = `10.8.${hi}.${lo}`;
      const name = p.chance(0.8) ? p.one(NAMES) : undefined;
      const port = p.one(PORTS);
      const weight = p.chance(0.85) ? p.one(WEIGHTS) : undefined;
      const body = {
        ...(name !== undefined ? { name } : {}),
        port,
        ...(weight !== undefined ? { weight } : {}),
      };
      return {
        label: `backend ${toJson(body)}`,
        steps: [post(`${svc}/backend/${ip}/`, body)],
        reads: [
          { path: `${svc}/backend/${ip}/`, expect: { name: name ?? '', ip, port, weight: weight ?? 1 } },
          { path: `${svc}/backend/${ip}/weight/`, expect: weight ?? 1 },
          { path: `${svc}/backend/${ip}/port/`, expect: port },
        ],
        undo: [del(`${svc}/backend/${ip}/`)],
      };
    }
    case 1: {
      const [leaf, value] = p.chance(0.5) ? ['weight', p.one(WEIGHTS)] : ['port', p.one(PORTS)];
      const back = leaf === 'weight' ? 20 : 80;
      const path = `${svc}/backend/1.2.3.4/${leaf}/`;
      return {
        label: `leaf PATCH ${leaf}=${value}`,
        steps: [{ method: 'PATCH', path, body: toJson(value), status: 200 }],
        reads: [
          { path, expect: value },
          {
            path: `${svc}/backend/1.2.3.4/`,
            expect: { name: 'b1', ip: '1.2.3.4', port: 80, weight: 20, [leaf]: value },
          },
        ],
        undo: [{ method: 'PATCH', path, body: toJson(back), status: 200 }],
      };
    }
    case 2: {
      const proto = p.one(['TCP', 'UDP', 'ICMP'] as const);
      const vport = proto === 'ICMP' ? 0 : p.one([0, 1, 65535]);
      const vip = `10.9.${hi}.${lo}`;
      const name = p.one(NAMES);
      const path = `${c}/service/${vip}/${vport}/${p.chance(0.5) ? proto : proto.toLowerCase()}/`;
      return {
        label: `service ${vip}:${vport}/${proto} name ${JSON.stringify(name)}`,
        steps: [post(path, { name })],
        reads: [{ path, expect: { name, vip, vport, proto: proto.toLowerCase(), ...POLICY_DEFAULTS } }],
        undo: [del(path)],
      };
    }
    case 3: {
      const count = 2 + p.int(p.chance(0.2) ? 99 : 39);
      const vip = `10.10.${hi}.${lo}`;
      const backend = Array.from({ length: count }, (_, i) => ({
        name: `b${i}`,
        ip: `172.16.${i >> 8}.${i & 255}`,
        port: p.one(PORTS),
        weight: p.one(WEIGHTS),
      }));
      const path = `${c}/service/${vip}/443/TCP/`;
      return {
        label: `service with ${count} backends`,
        steps: [post(path, { name: 'many', backend })],
        reads: [
          {
            path,
            expect: configOf({ name: 'many', vip, vport: 443, proto: 'tcp', ...POLICY_DEFAULTS, backend }),
          },
        ],
        undo: [del(path)],
      };
    }
    case 4: {
      const [from, to] = p.one([
        ['0.0.0.0/1', '128.0.0.0/1'],
        ['10.20.30.40/32', '10.20.30.41/32'],
        ['192.168.0.0/16', '172.16.0.0/16'],
      ]);
      const path = `${c}/src-ip-rewrite/`;
      return {
        label: `src-ip-rewrite ${from} -> ${to}`,
        steps: [{ method: 'PATCH', path, body: toJson({ 'ip-range': from, new_ip_range: to }), status: 201 }],
        reads: [{ path, expect: { 'ip-range': from, new_ip_range: to } }],
        undo: [
          {
            method: 'PATCH',
            path,
            body: toJson({ 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' }),
            status: 201,
          },
        ],
      };
    }
    default: {
      const name = `fzp${n}`;
      const ip = p.one([`10.11.${hi}.${lo}`, '255.255.255.254', '1.0.0.1']);
      const path = `${c}/ports/${name}/`;
      return {
        label: `FRONTEND port ip ${ip}`,
        steps: [post(path, { type: p.one(['FRONTEND', 'frontend']), ip })],
        reads: [
          { path: `${path}ip/`, expect: ip },
          { path: `${path}type/`, expect: 'frontend' },
        ],
        undo: [del(path)],
      };
    }
  }
}
