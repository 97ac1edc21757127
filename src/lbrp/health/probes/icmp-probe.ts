// ICMP probe: one echo request through the system's `ping` binary (Node has no raw sockets without
// native code; ping holds the capability). Killed at the timeout.

import { spawn } from 'node:child_process';
import type { ProbeResult, ProbeTarget } from './probe';

/** The ping binary (an absolute path avoids a PATH lookup per probe). */
export const PING = process.env.LBRP_PING ?? '/usr/bin/ping';

export function probeIcmp(t: ProbeTarget): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const wait = Math.max(0.01, t.timeoutMs / 1000).toFixed(3);
    const start = Date.now();
    const child = spawn(PING, ['-n', '-q', '-c', '1', '-W', wait, t.ip], { stdio: 'ignore' });
    let settled = false;
    const done = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ ok: false, detail: `ICMP no reply in ${t.timeoutMs} ms` });
    }, t.timeoutMs + 100);
    child.on('error', (err) => done({ ok: false, detail: `ICMP ping failed to run: ${err.message}` }));
    child.on('exit', (code) =>
      done(
        code === 0
          ? { ok: true, detail: `ICMP echo reply in ${Date.now() - start} ms` }
          : { ok: false, detail: `ICMP no reply in ${t.timeoutMs} ms` },
      ),
    );
  });
}
