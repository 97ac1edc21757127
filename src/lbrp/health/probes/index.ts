// The prober of a health-check type, bound to the check's settings.

import type { HealthCheckConfig } from '../../model/health-check-rules';
import { parseHex, parseStatusRange } from '../../model/health-check-rules';
import { probeHttp } from './http-probe';
import { probeIcmpEcho } from './icmp-echo-probe';
import type { Prober } from './probe';
import { probeTcpSyn } from './tcp-syn-probe';
import { probeUdp } from './udp-probe';

export type { Prober, ProbeResult, ProbeTarget } from './probe';

/** The prober of `cfg` (undefined for NONE). `cfg` passed its rules, so its values parse. */
export function proberFor(cfg: HealthCheckConfig): Prober | undefined {
  switch (cfg.type) {
    case 'TCP':
      return probeTcpSyn;
    case 'HTTP': {
      const status = parseStatusRange(cfg.httpStatus) ?? [200, 399];
      return (t) => probeHttp(t, { path: cfg.httpPath, status });
    }
    case 'UDP': {
      const payload = parseHex(cfg.udpPayload) ?? Buffer.alloc(0);
      const expect = parseHex(cfg.udpExpect) ?? Buffer.alloc(0);
      return (t) => probeUdp(t, { payload, expect });
    }
    case 'ICMP':
      return probeIcmpEcho;
    default:
      return undefined;
  }
}
