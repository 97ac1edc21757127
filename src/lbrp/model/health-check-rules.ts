// A service's `health-check` container as an immutable value, and its rules: ranges, timeout below
// interval, `http-status` syntax, hex payloads. A refused change names the leaf (400) and changes
// nothing. Pure.

import { HealthCheck, type HealthCheckType } from '../../generated/lbrp';
import type { Result } from '../../common/errors';
import { fail, ok, type HealthCheckConfig } from './cube-model';

export type { HealthCheckConfig } from './cube-model';

/** What a request sets (members it does not carry stay as they are). */
export type HealthCheckInput = Partial<{ -readonly [K in keyof HealthCheckConfig]: HealthCheckConfig[K] }>;

/** YANG names of the leaves, by member. */
export const HEALTH_LEAVES: Readonly<Record<keyof HealthCheckConfig, string>> = {
  type: 'type',
  port: 'port',
  interval: 'interval',
  timeout: 'timeout',
  rise: 'rise',
  fall: 'fall',
  httpPath: 'http-path',
  httpStatus: 'http-status',
  udpPayload: 'udp-payload',
  udpExpect: 'udp-expect',
};

/** The YANG defaults (from the generated class). */
export const DEFAULT_HEALTH_CHECK: HealthCheckConfig = (() => {
  const d = new HealthCheck();
  return Object.freeze({
    type: d.type,
    port: 0,
    interval: d.interval,
    timeout: 0,
    rise: d.rise,
    fall: d.fall,
    httpPath: d.httpPath,
    httpStatus: d.httpStatus,
    udpPayload: '',
    udpExpect: '',
  });
})();

const TYPES: readonly HealthCheckType[] = ['NONE', 'TCP', 'HTTP', 'UDP', 'ICMP'];
const int = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
/** Longest hex payload: one UDP datagram that surely fits an Ethernet frame. */
const MAX_HEX_BYTES = 1024;

/** [low, high] of an `http-status` value ("200", "200-399"), or undefined when malformed. */
export function parseStatusRange(s: string): [number, number] | undefined {
  const m = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/.exec(s);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi ? [lo, hi] : undefined;
}

/** The probe timeout of `c`: the configured one, else half the interval, at most 500 ms. */
export function effectiveTimeout(c: HealthCheckConfig): number {
  return c.timeout !== 0 ? c.timeout : Math.min(500, Math.floor(c.interval / 2));
}

/** Bytes of an even-length hex string ("" → none), or undefined when it is not hex. */
export function parseHex(s: string): Buffer | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s) || s.length / 2 > MAX_HEX_BYTES) return undefined;
  return Buffer.from(s, 'hex');
}

/** Why a leaf value is refused, or undefined. */
function leafError(k: keyof HealthCheckConfig, v: unknown): string | undefined {
  switch (k) {
    case 'type':
      return TYPES.includes(v as HealthCheckType) ? undefined : `must be one of ${TYPES.join(', ')}`;
    case 'port':
      return int(v, 0, 65535) ? undefined : 'must be 0..65535 (0: the backend port)';
    case 'interval':
      return int(v, 100, 3_600_000) ? undefined : 'must be 100..3600000 ms';
    case 'timeout':
      return v === 0 || int(v, 10, 3_600_000) ? undefined : 'must be 10..3600000 ms (0: automatic)';
    case 'rise':
    case 'fall':
      return int(v, 1, 100) ? undefined : 'must be 1..100';
    case 'httpPath':
      return typeof v === 'string' && /^\/[\x21-\x7e]*$/.test(v) && v.length <= 1024
        ? undefined
        : "must start with '/' and hold printable characters without spaces";
    case 'httpStatus':
      return typeof v === 'string' && parseStatusRange(v)
        ? undefined
        : "must be a status code or a range 'low-high' of codes 100..599";
    case 'udpPayload':
    case 'udpExpect':
      return typeof v === 'string' && parseHex(v)
        ? undefined
        : `must be hex digits, an even number of them (at most ${MAX_HEX_BYTES} bytes)`;
  }
}

function refuse(leaf: string, message: string, path: string): Result<never> {
  return fail('CUBE_ERR_LBRP_HEALTH_CHECK', { info: leaf, message, path });
}

/**
 * `cur` with the members `input` sets, or the first leaf it gets wrong (checked one by one, then
 * timeout < interval on the result).
 */
export function mergeHealthCheck(
  cur: HealthCheckConfig,
  input: HealthCheckInput | undefined,
  path = '/lbrp/service/health-check',
): Result<HealthCheckConfig> {
  if (input === undefined) return ok(cur);
  const out: Record<string, unknown> = { ...cur };
  for (const k of Object.keys(HEALTH_LEAVES) as (keyof HealthCheckConfig)[]) {
    const v = input[k];
    if (v === undefined) continue;
    const err = leafError(k, v);
    if (err !== undefined) return refuse(HEALTH_LEAVES[k], `${HEALTH_LEAVES[k]} ${err}`, path);
    out[k] = v;
  }
  const next = out as unknown as HealthCheckConfig;
  if (next.timeout !== 0 && next.timeout >= next.interval)
    return refuse(
      'timeout',
      `timeout (${next.timeout} ms) must be less than interval (${next.interval} ms)`,
      path,
    );
  return ok(Object.freeze(next));
}

/**
 * The members of a `health-check` body that it carries (absent ones stay as they are). Values are
 * taken as sent (enum names in any case), so a wrong one is refused by mergeHealthCheck naming its
 * leaf rather than thrown.
 */
export function healthCheckInput(body: unknown): HealthCheckInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const raw = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(HEALTH_LEAVES) as (keyof HealthCheckConfig)[]) {
    if (!(HEALTH_LEAVES[k] in raw)) continue;
    const v = raw[HEALTH_LEAVES[k]];
    out[k] = k === 'type' && typeof v === 'string' ? v.toUpperCase() : v;
  }
  return out as HealthCheckInput;
}

/** The container as READ shows it. */
export function healthCheckView(c: HealthCheckConfig): HealthCheck {
  const o = new HealthCheck();
  o.type = c.type;
  o.port = c.port;
  o.interval = c.interval;
  o.timeout = effectiveTimeout(c);
  o.rise = c.rise;
  o.fall = c.fall;
  o.httpPath = c.httpPath;
  o.httpStatus = c.httpStatus;
  o.udpPayload = c.udpPayload;
  o.udpExpect = c.udpExpect;
  return o;
}
