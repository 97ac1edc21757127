// HTTP probe: GET path from ip:port; success when the status is in the configured range.

import { request } from 'node:http';
import { errorText, type ProbeResult, type ProbeTarget } from './probe';

export interface HttpProbeSpec {
  readonly path: string;
  /** Inclusive status range. */
  readonly status: readonly [number, number];
}

export function probeHttp(t: ProbeTarget, spec: HttpProbeSpec): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = request(
      {
        host: t.ip,
        port: t.port,
        path: spec.path,
        method: 'GET',
        agent: false,
        headers: { connection: 'close' },
      },
      (res) => {
        const code = res.statusCode ?? 0;
        res.resume();
        done({ ok: code >= spec.status[0] && code <= spec.status[1], detail: `HTTP ${code}` });
      },
    );
    const timer = setTimeout(
      () => done({ ok: false, detail: `HTTP no answer in ${t.timeoutMs} ms` }),
      t.timeoutMs,
    );
    req.on('error', (err) => done({ ok: false, detail: `HTTP ${errorText(err)}` }));
    req.end();
  });
}
