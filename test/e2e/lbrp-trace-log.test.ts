// Per-packet logs end to end: a SINGLE cube at INFO prints no datapath line; switched to TRACE at
// run time (a reload over the same maps) it prints a line per frame and per decision for live
// traffic while an open TCP stream keeps its backend, prints at most 1,000 lines a second and
// says how many it held back; switched back to INFO it stops, the stream still alive.

import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { waitFor, type Child } from '../fixtures/lbrp/e2e-stack';
import { spread, streamAdvances, streamScript } from '../fixtures/lbrp/e2e-net';
import { singleCubeSuite } from '../fixtures/lbrp/single-cube';

const CUBE = 'tr0';
const VIP = '10.10.0.100';
const esc = (s: string): string => s.replace(/\./g, '\\.');

describeE2e('e2e: per-packet TRACE lines, switched at run time', () => {
  const suite = singleCubeSuite(CUBE, { quiet: false });

  it('traces live traffic at TRACE only, keeps the open stream through both switches, and caps the rate', async () => {
    const { stack, lb } = suite;
    const svc = `lbrp/${CUBE}/service/${VIP}`;
    await stack.ok('POST', `${svc}/9000/TCP/`, {
      backend: lb.backends.map((b) => ({ ip: b.ip, port: 9000 })),
    });
    await stack.ok('POST', `${svc}/80/TCP/`, { backend: lb.backends.map((b) => ({ ip: b.ip, port: 8080 })) });
    const client = lb.clients[0];
    const stream: Child = stack.spawn([
      'ip',
      'netns',
      'exec',
      client.ns,
      process.execPath,
      '-e',
      streamScript(VIP, 9000),
    ]);
    await stream.waitLine(/^hello b\d$/, 30000);
    await streamAdvances(stream);
    const daemon = stack.polycubed;
    if (!daemon) throw new Error('polycubed is not running');
    const cubeLines = (level: string): string[] =>
      daemon.lines.filter((l) => l.startsWith(`[${CUBE}] ${level} `));
    expect(cubeLines('TRACE')).toEqual([]); // INFO: nothing compiled in

    await stack.ok('PATCH', `lbrp/${CUBE}/`, { loglevel: 'TRACE' });
    await streamAdvances(stream); // the session survived the reload
    const rx = new RegExp(
      `^\\[${CUBE}\\] TRACE rx port \\d+ proto 6: ${esc(client.ip)}:\\d+ > ${esc(VIP)}:9000$`,
    );
    const hit = new RegExp(
      `^\\[${CUBE}\\] TRACE session hit: ${esc(VIP)}:9000 via backend 192\\.168\\.1\\.1[123]:9000$`,
    );
    const reply = new RegExp(
      `^\\[${CUBE}\\] TRACE reply: from ${esc(VIP)}:9000 to client ${esc(client.ip)}:\\d+$`,
    );
    for (const re of [rx, hit, reply])
      await waitFor(() => daemon.lines.some((l) => re.test(l)), `a line matching ${re}`, 10000);

    // New connections at full speed: about 20 lines each, far more than 1,000 a second.
    const got = await spread(client.ns, VIP, 80, 400);
    expect(got.error ?? 0).toBe(0);
    expect(
      cubeLines('DEBUG').some((l) => l.startsWith(`[${CUBE}] DEBUG new session to ${VIP}:80 via backend`)),
    ).toBe(true);
    await waitFor(
      () =>
        cubeLines('WARN').some((l) =>
          /^\[tr0\] WARN \d+ datapath log lines suppressed \(more than 1000 per second\)$/.test(l),
        ),
      'the suppressed-lines report',
      10000,
    );
    // …and counted on /metrics: at least what the reports said.
    const reported = cubeLines('WARN')
      .map((l) => /^\[tr0\] WARN (\d+) datapath log lines suppressed/.exec(l)?.[1])
      .reduce((a, n) => a + Number(n ?? 0), 0);
    const metrics = await (await fetch(`http://127.0.0.1:${stack.port}/metrics`)).text();
    const counted = Number(
      /^polycubed_cube_log_lines_suppressed_total\{cube="tr0",service="lbrp"\} (\d+)$/m.exec(metrics)?.[1],
    );
    expect(counted).toBeGreaterThanOrEqual(reported);

    await stack.ok('PATCH', `lbrp/${CUBE}/`, { loglevel: 'INFO' });
    await streamAdvances(stream);
    await new Promise((r) => setTimeout(r, 1500)); // lines already in the ring are printed
    const before = cubeLines('TRACE').length;
    await streamAdvances(stream);
    expect(await spread(client.ns, VIP, 80, 20)).not.toHaveProperty('error');
    expect(cubeLines('TRACE').length).toBe(before);
    expect(stream.lines.filter((l) => l.startsWith('lost'))).toEqual([]);
    stream.kill('SIGTERM');
  }, 120000);
});
