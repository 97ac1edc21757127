// The cube's session policy: idle timeouts per protocol and TCP state (seconds), the per-CPU
// new-session rate, whether replies without a session are translated and the health probes'
// source address: the run-time-changeable YANG leaves tcp-new-timeout … probe-next-hop. sync/ converts them into
// session_config's clock units and backend_to_vip's flags. Pure.

import { Lbrp } from '../../generated/lbrp';
import { cubeError, type Result } from '../../common/errors';
import { isIpv4 } from './ipv4';

/** Timeouts in seconds, the admission rate in new sessions per second per CPU (0 = no limit). */
export interface SessionPolicy {
  readonly tcpNewTimeout: number;
  readonly tcpEstablishedTimeout: number;
  readonly tcpClosingTimeout: number;
  readonly udpTimeout: number;
  readonly icmpTimeout: number;
  readonly newSessionsPerCpu: number;
  /**
   * F_BACKEND_VIP_UNIQUE on the backend_to_vip entries of addresses that serve one service: the
   * dataplane then translates their replies without a session (off by default: a client reaching
   * such an address directly through the cube would get its replies from the VIP).
   */
  readonly sessionlessReplyNat: boolean;
  /**
   * Source address of the TCP and ICMP health probes sent out of the BACKEND port (and of the
   * replies the dataplane hands up, probe.h); 0.0.0.0 = none: they go through the host's stack.
   */
  readonly probeSource: string;
  /** Where those probes are sent (its MAC by ARP on the BACKEND port); 0.0.0.0 = the backend. */
  readonly probeNextHop: string;
}

/** YANG names of the policy leaves, by SessionPolicy member. */
export const SESSION_LEAVES: Readonly<Record<keyof SessionPolicy, string>> = {
  tcpNewTimeout: 'tcp-new-timeout',
  tcpEstablishedTimeout: 'tcp-established-timeout',
  tcpClosingTimeout: 'tcp-closing-timeout',
  udpTimeout: 'udp-timeout',
  icmpTimeout: 'icmp-timeout',
  newSessionsPerCpu: 'new-sessions-per-cpu',
  sessionlessReplyNat: 'sessionless-reply-nat',
  probeSource: 'probe-source',
  probeNextHop: 'probe-next-hop',
};

/** Leaves a request carried, as typed JSON values (checked by mergeSessionPolicy). */
export type SessionInput = { readonly [K in keyof SessionPolicy]?: unknown };

/** The YANG defaults (the generated class holds them). */
export const DEFAULT_SESSION_POLICY: SessionPolicy = (() => {
  const d = new Lbrp();
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(SESSION_LEAVES) as (keyof SessionPolicy)[]) out[k] = d[k];
  return Object.freeze(out as unknown as SessionPolicy);
})();

/** 30 days: the YANG range of the timeouts (1..2592000). */
const MAX_TIMEOUT = 2_592_000;
const MAX_U32 = 0xffffffff;

const inRange = (k: keyof SessionPolicy, v: unknown): boolean =>
  typeof DEFAULT_SESSION_POLICY[k] === 'string'
    ? typeof v === 'string' && isIpv4(v)
    : typeof DEFAULT_SESSION_POLICY[k] === 'boolean'
      ? typeof v === 'boolean'
      : typeof v === 'number' &&
        Number.isInteger(v) &&
        v >= (k === 'newSessionsPerCpu' ? 0 : 1) &&
        v <= (k === 'newSessionsPerCpu' ? MAX_U32 : MAX_TIMEOUT);

/**
 * `policy` with the members `input` sets, or the first out-of-range member (REST has refused it
 * already from the YANG ranges; this guards every other path, e.g. a persisted configuration).
 */
export function mergeSessionPolicy(
  cube: string,
  policy: SessionPolicy,
  input: SessionInput | undefined,
): Result<SessionPolicy> {
  const out: Record<string, unknown> = { ...policy };
  for (const k of Object.keys(SESSION_LEAVES) as (keyof SessionPolicy)[]) {
    const v = input?.[k];
    if (v === undefined) continue;
    if (!inRange(k, v)) {
      const leaf = SESSION_LEAVES[k];
      return {
        ok: false,
        error: cubeError('CUBE_ERR_BAD_ATTRIBUTE', { info: leaf, path: `/lbrp/${cube}/${leaf}` }),
      };
    }
    out[k] = v;
  }
  return { ok: true, value: out as unknown as SessionPolicy };
}
