// The bench:rest row "worst event-loop stall during a 1 MiB hostile body" (goal ≤ 50 ms): the REST
// stack runs in this process (test/fixtures/rest/rest-stack: Daemon, gRPC, the stand-in lbrp
// service, REST on 127.0.0.1), so perf_hooks.monitorEventLoopDelay sees the daemon's own loop while
// each hostile body is sent, read, validated and refused. Bodies are built before measuring.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startRestStack } from '../../test/fixtures/rest/rest-stack';

const P = '/polycube/v1';
const MIB = 1024 * 1024;

/** The hostile bodies: name, method, path, body (each at most 1 MiB, the body limit). */
function hostileBodies(): [string, string, string, string][] {
  const members: string[] = [];
  for (let i = 0; i < 100_000; i++) members.push(`"k${i.toString(36).padStart(4, '0')}":0`);
  const backends: string[] = [];
  for (let i = 0; i < 24_000; i++) backends.push(`{"ip":"10.9.${i >> 8}.${i & 255}","port":80,"weight":-1}`);
  const depth = (MIB - 20) / 2;
  return [
    ['100,000 unknown members (cube POST)', 'POST', `${P}/lbrp/lbh/`, `{${members.join(',')}}`],
    [
      '24,000 backends with a bad weight',
      'POST',
      `${P}/lbrp/lb0/service/10.0.0.2/80/TCP/`,
      `{"backend":[${backends.join(',')}]}`,
    ],
    ['nesting 500,000 deep', 'POST', `${P}/lbrp/lbh/`, `{"ports":${'['.repeat(depth)}${']'.repeat(depth)}}`],
    [
      'one 1 MB string as the cube name',
      'POST',
      `${P}/lbrp/`,
      JSON.stringify({ name: 'x'.repeat(MIB - 20) }),
    ],
    ['duplicate member at the end of 100,000', 'PATCH', `${P}/lbrp/lb0/`, `{${members.join(',')},"k0000":1}`],
  ];
}

/** Prints one line per hostile body and the worst stall; returns the worst stall in ms. */
export async function benchHostileStall(): Promise<number> {
  const stack = await startRestStack();
  let worst = 0;
  let worstProbe = 0;
  try {
    const setup = await stack.request('POST', `${P}/lbrp/lb0/`, '{}');
    const svc = await stack.request('POST', `${P}/lbrp/lb0/service/10.0.0.2/80/TCP/`, '{}');
    if (setup.status !== 201 || svc.status !== 201) throw new Error('hostile-stall setup failed');
    for (const [what, method, path, body] of hostileBodies()) {
      if (body.length > MIB) throw new Error(`${what}: ${body.length} bytes, over the 1 MiB body limit`);
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      // `GET /version/` probed back to back while the body is sent, read, checked and refused:
      // the slowest probe answer (the bound: 100 ms).
      let done = false;
      const hostile = stack.request(method, path, body).finally(() => (done = true));
      let slowest = 0;
      for (let i = 0; i < 100_000 && !done; i++) {
        const t0 = performance.now();
        const probe = await stack.request('GET', `${P}/version/`);
        if (probe.status !== 200) throw new Error(`${what}: a probe got HTTP ${probe.status}`);
        slowest = Math.max(slowest, performance.now() - t0);
      }
      const res = await hostile;
      h.disable();
      if (res.status !== 400) throw new Error(`${what}: HTTP ${res.status}, expected 400`);
      const ms = h.max / 1e6;
      worst = Math.max(worst, ms);
      worstProbe = Math.max(worstProbe, slowest);
      console.log(
        `  hostile body: ${what.padEnd(60)} ${(body.length / MIB).toFixed(2)} MiB  stall ${ms.toFixed(1).padStart(6)} ms` +
          `  slowest probe ${slowest.toFixed(1).padStart(6)} ms`,
      );
    }
    // For scale: the same histogram over an idle second (scheduling noise of a loaded machine).
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    idle.disable();
    console.log(
      `  for scale: worst stall of the idle daemon over 1 s${' '.repeat(33)}stall ${(idle.max / 1e6).toFixed(1).padStart(6)} ms`,
    );
  } finally {
    await stack.stop();
  }
  console.log(
    `${'worst event-loop stall during a 1 MiB hostile body (goal ≤ 50 ms)'.padEnd(72)}  ${worst.toFixed(1).padStart(6)} ms`,
  );
  console.log(
    `${'slowest GET /version/ answer during a 1 MiB hostile body (goal ≤ 100 ms)'.padEnd(72)}  ${worstProbe.toFixed(1).padStart(6)} ms`,
  );
  return worst;
}
