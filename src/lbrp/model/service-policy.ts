// A service's session policy: drain-timeout (seconds after which the sessions of a drained or
// removed backend are ended; 0 = never), session-affinity (NONE, CLIENT_IP) and affinity-timeout
// (seconds without traffic from a client after which its affinity ends). The YANG leaves of the
// service list; sync/ turns affinity into the `services` flag and `service_affinity`, and the
// service's drain timer purges sessions. Pure.

import { Service, type ServiceSessionAffinity } from '../../generated/lbrp';
import { cubeError, type Result } from '../../common/errors';

export type SessionAffinity = ServiceSessionAffinity;

export interface ServicePolicy {
  /** Seconds, 0..2592000; 0 = never. */
  readonly drainTimeout: number;
  readonly sessionAffinity: SessionAffinity;
  /** Seconds, 1..86400. */
  readonly affinityTimeout: number;
}

/** YANG names of the policy leaves, by ServicePolicy member. */
export const SERVICE_POLICY_LEAVES: Readonly<Record<keyof ServicePolicy, string>> = {
  drainTimeout: 'drain-timeout',
  sessionAffinity: 'session-affinity',
  affinityTimeout: 'affinity-timeout',
};

/** The YANG defaults (the generated class holds them). */
export const DEFAULT_SERVICE_POLICY: ServicePolicy = (() => {
  const d = new Service();
  return Object.freeze({
    drainTimeout: d.drainTimeout,
    sessionAffinity: d.sessionAffinity,
    affinityTimeout: d.affinityTimeout,
  });
})();

/** 30 days, as the cube's session timeouts. */
const MAX_DRAIN_TIMEOUT = 2_592_000;
/** One day (Kubernetes' bound for sessionAffinityConfig.clientIP.timeoutSeconds). */
const MAX_AFFINITY_TIMEOUT = 86_400;

const isInt = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function valid(k: keyof ServicePolicy, v: unknown): boolean {
  if (k === 'drainTimeout') return isInt(v, 0, MAX_DRAIN_TIMEOUT);
  if (k === 'affinityTimeout') return isInt(v, 1, MAX_AFFINITY_TIMEOUT);
  return v === 'NONE' || v === 'CLIENT_IP';
}

/**
 * `policy` with the members `input` sets, or a 400 naming the first invalid leaf. REST refuses
 * out-of-range values from the YANG already; this guards every other path (persisted
 * configurations, apply files, leaf writes of a wrong type).
 */
export function mergeServicePolicy(
  policy: ServicePolicy,
  input: Partial<Record<keyof ServicePolicy, unknown>> | undefined,
  path = '/lbrp/service',
): Result<ServicePolicy> {
  const out: { -readonly [K in keyof ServicePolicy]: ServicePolicy[K] } = { ...policy };
  for (const k of Object.keys(SERVICE_POLICY_LEAVES) as (keyof ServicePolicy)[]) {
    const v = input?.[k];
    if (v === undefined) continue;
    const leaf = SERVICE_POLICY_LEAVES[k];
    if (!valid(k, v))
      return {
        ok: false,
        error: cubeError('CUBE_ERR_BAD_ATTRIBUTE', { info: leaf, path: `${path}/${leaf}` }),
      };
    (out as Record<string, unknown>)[k] = v;
  }
  return { ok: true, value: out };
}

/** True when `p` is the default policy (a service model then carries none). */
export function isDefaultPolicy(p: ServicePolicy): boolean {
  return (Object.keys(SERVICE_POLICY_LEAVES) as (keyof ServicePolicy)[]).every(
    (k) => p[k] === DEFAULT_SERVICE_POLICY[k],
  );
}

/** The ServicePolicy member of a service leaf, if it is one. */
export function servicePolicyMember(leaf: string): keyof ServicePolicy | undefined {
  return (Object.keys(SERVICE_POLICY_LEAVES) as (keyof ServicePolicy)[]).find(
    (k) => SERVICE_POLICY_LEAVES[k] === leaf,
  );
}

/** The policy members a JSON service body names (`parsed`: the body read by the generated class). */
export function servicePolicyOf(raw: Record<string, unknown>, parsed: Service): Partial<ServicePolicy> {
  const out: { -readonly [K in keyof ServicePolicy]?: ServicePolicy[K] } = {};
  for (const k of Object.keys(SERVICE_POLICY_LEAVES) as (keyof ServicePolicy)[])
    if (SERVICE_POLICY_LEAVES[k] in raw) (out as Record<string, unknown>)[k] = parsed[k];
  return out;
}

/** A service's policy (the defaults when it carries none). */
export const policyOf = (svc: { readonly policy?: ServicePolicy }): ServicePolicy =>
  svc.policy ?? DEFAULT_SERVICE_POLICY;

/** `svc` carrying `p` (none when `p` is the default, so default services compare as before). */
export function withPolicy<T extends { readonly policy?: ServicePolicy }>(svc: T, p: ServicePolicy): T {
  const rest = { ...svc };
  delete (rest as { policy?: ServicePolicy }).policy;
  return isDefaultPolicy(p) ? rest : { ...rest, policy: p };
}
