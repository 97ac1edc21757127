// TCP probe: a full connect to ip:port, closed at once (a reset or no answer within the timeout
// fails it).

import { connect } from 'node:net';
import { errorText, type ProbeResult, type ProbeTarget } from './probe';

export function probeTcp(t: ProbeTarget): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const start = Date.now();
    const sock = connect({ host: t.ip, port: t.port });
    const done = (r: ProbeResult): void => {
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, detail: `TCP no answer in ${t.timeoutMs} ms` }),
      t.timeoutMs,
    );
    sock.once('connect', () => done({ ok: true, detail: `TCP connected in ${Date.now() - start} ms` }));
    sock.once('error', (err) => done({ ok: false, detail: `TCP ${errorText(err)}` }));
  });
}
