// The cube's session policy: idle timeouts per protocol and TCP state (seconds) and the per-CPU
// new-session rate, the run-time-changeable YANG leaves tcp-new-timeout … new-sessions-per-cpu.
// sync/ converts them into session_config's clock units. Pure.

import { Lbrp } from '../../generated/lbrp';
import { cubeError, type Result } from '../../common/errors';

/** Timeouts in seconds, the admission rate in new sessions per second per CPU (0 = no limit). */
export interface SessionPolicy {
  readonly tcpNewTimeout: number;
  readonly tcpEstablishedTimeout: number;
  readonly tcpClosingTimeout: number;
  readonly udpTimeout: number;
  readonly icmpTimeout: number;
  readonly newSessionsPerCpu: number;
}

/** YANG names of the policy leaves, by SessionPolicy member. */
export const SESSION_LEAVES: Readonly<Record<keyof SessionPolicy, string>> = {
  tcpNewTimeout: 'tcp-new-timeout',
  tcpEstablishedTimeout: 'tcp-established-timeout',
  tcpClosingTimeout: 'tcp-closing-timeout',
  udpTimeout: 'udp-timeout',
  icmpTimeout: 'icmp-timeout',
  newSessionsPerCpu: 'new-sessions-per-cpu',
};

/** The YANG defaults (the generated class holds them). */
export const DEFAULT_SESSION_POLICY: SessionPolicy = (() => {
  const d = new Lbrp();
  const out = {} as Record<keyof SessionPolicy, number>;
  for (const k of Object.keys(SESSION_LEAVES) as (keyof SessionPolicy)[]) out[k] = d[k];
  return Object.freeze(out);
})();

/** 30 days: the YANG range of the timeouts (1..2592000). */
const MAX_TIMEOUT = 2_592_000;
const MAX_U32 = 0xffffffff;

const inRange = (k: keyof SessionPolicy, v: number): boolean =>
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
  input: Partial<SessionPolicy> | undefined,
): Result<SessionPolicy> {
  const out: Record<keyof SessionPolicy, number> = { ...policy };
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
  return { ok: true, value: out };
}
