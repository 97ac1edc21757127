// UDP probe: one datagram to ip:port from a connected socket; success when a reply starting with
// the expected bytes comes back within the timeout (an ICMP port unreachable fails it at once).

import { createSocket } from 'node:dgram';
import { errorText, type ProbeResult, type ProbeTarget } from './probe';

export interface UdpProbeSpec {
  readonly payload: Buffer;
  /** Prefix the reply must start with (empty: any reply). */
  readonly expect: Buffer;
}

export function probeUdp(t: ProbeTarget, spec: UdpProbeSpec): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    let settled = false;
    const done = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, detail: `UDP no reply in ${t.timeoutMs} ms` }),
      t.timeoutMs,
    );
    sock.on('error', (err) => done({ ok: false, detail: `UDP ${errorText(err)}` }));
    sock.on('message', (msg) => {
      const ok = msg.length >= spec.expect.length && msg.subarray(0, spec.expect.length).equals(spec.expect);
      // A reply that does not match may be a stray: wait for another until the timeout.
      if (ok) done({ ok: true, detail: `UDP reply of ${msg.length} bytes` });
    });
    sock.connect(t.port, t.ip, () => {
      const payload = spec.payload.length > 0 ? spec.payload : Buffer.alloc(1);
      sock.send(payload, (err) => {
        if (err) done({ ok: false, detail: `UDP ${errorText(err)}` });
      });
    });
  });
}
