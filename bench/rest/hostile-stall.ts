// The bench:rest rows "worst event-loop stall during a 1 MiB hostile body" (goal ≤ 50 ms) and
// "slowest GET /version/ answer meanwhile" (goal ≤ 100 ms): the REST stack runs in this process
// (test/fixtures/rest/rest-stack: Daemon, gRPC, the stand-in lbrp service, REST on 127.0.0.1), so
// perf_hooks.monitorEventLoopDelay sees the daemon's own loop while each hostile body is sent,
// read, validated and refused. Each round runs the bodies against two stacks, in alternating
// order: bodies checked in the event loop's thread (the path before the body worker, kept for
// bodies under 64 KiB) and in the body worker (the daemon's default). Medians over the rounds.
// Bodies are built before measuring. Alone: `tsx bench/rest/hostile-stall.ts [rounds]` (root).

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startRestStack, type RestStack } from '../../test/fixtures/rest/rest-stack';

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
    [
      '100,000 unknown members (POST /cubes)',
      'POST',
      `${P}/cubes/`,
      `[{"service-name":"lbrp","name":"lbc",${members.join(',')}}]`,
    ],
  ];
}

type Mode = 'thread' | 'worker';
const MODES: Record<Mode, { label: string; minChars: number }> = {
  thread: { label: 'in the event loop thread (before)', minChars: Number.POSITIVE_INFINITY },
  worker: { label: 'in the body worker (after)', minChars: 64 * 1024 },
};

/** One body's figures in one round: the loop's worst stall and the slowest probe, ms. */
interface Sample {
  stall: number;
  probe: number;
}

/**
 * Measures `work` while probing `GET /version/` back to back: the loop's worst stall and the
 * slowest probe; `work` undefined probes for `idleMs` (the noise floor of the moment).
 */
async function measure(
  stack: RestStack,
  what: string,
  work?: () => Promise<void>,
  idleMs = 0,
): Promise<Sample> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let done = false;
  const running = (work ? work() : new Promise<void>((r) => setTimeout(r, idleMs))).finally(
    () => (done = true),
  );
  let slowest = 0;
  for (let i = 0; i < 100_000 && !done; i++) {
    const t0 = performance.now();
    const probe = await stack.request('GET', `${P}/version/`);
    if (probe.status !== 200) throw new Error(`${what}: a probe got HTTP ${probe.status}`);
    slowest = Math.max(slowest, performance.now() - t0);
  }
  await running;
  h.disable();
  return { stall: h.max / 1e6, probe: slowest };
}

/**
 * Runs every body once against a fresh stack checking bodies as `mode` says (after one untimed
 * body, so a worker is started and validators compiled), then probes alone for 1 s.
 */
async function round(mode: Mode, bodies: [string, string, string, string][]): Promise<Sample[]> {
  const stack = await startRestStack({ rest: { bodyWorkerMinChars: MODES[mode].minChars } });
  const out: Sample[] = [];
  try {
    const setup = await stack.request('POST', `${P}/lbrp/lb0/`, '{}');
    const svc = await stack.request('POST', `${P}/lbrp/lb0/service/10.0.0.2/80/TCP/`, '{}');
    if (setup.status !== 201 || svc.status !== 201) throw new Error('hostile-stall setup failed');
    await stack.request(bodies[0][1], bodies[0][2], bodies[0][3]);
    for (const [what, method, path, body] of bodies) {
      if (body.length > MIB) throw new Error(`${what}: ${body.length} bytes, over the 1 MiB body limit`);
      out.push(
        await measure(stack, what, async () => {
          const res = await stack.request(method, path, body);
          if (res.status !== 400) throw new Error(`${what} (${mode}): HTTP ${res.status}, expected 400`);
        }),
      );
    }
    out.push(await measure(stack, 'no hostile body', undefined, 1000));
  } finally {
    await stack.stop();
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number): string => `${x.toFixed(1).padStart(6)} ms`;

/** Prints the rows; returns the worst median stall with the body worker, ms. */
export async function benchHostileStall(rounds = 3): Promise<number> {
  const bodies = hostileBodies();
  const samples: Record<Mode, Sample[][]> = { thread: [], worker: [] };
  for (let r = 0; r < rounds; r++) {
    const order: Mode[] = r % 2 === 0 ? ['thread', 'worker'] : ['worker', 'thread'];
    for (const mode of order) samples[mode].push(await round(mode, bodies));
  }
  console.log(`  hostile bodies, ${rounds} rounds interleaved; median (worst) per body:`);
  const worst: Record<Mode, { stall: number; probe: number }> = {
    thread: { stall: 0, probe: 0 },
    worker: { stall: 0, probe: 0 },
  };
  const rows: [string, number][] = [
    ...bodies.map(([what, , , body]): [string, number] => [what, body.length]),
    ['for scale: no hostile body, probes alone for 1 s', 0],
  ];
  for (const [b, [what, size]] of rows.entries()) {
    for (const mode of ['thread', 'worker'] as Mode[]) {
      const stalls = samples[mode].map((s) => s[b].stall);
      const probes = samples[mode].map((s) => s[b].probe);
      if (b < bodies.length) {
        worst[mode].stall = Math.max(worst[mode].stall, median(stalls));
        worst[mode].probe = Math.max(worst[mode].probe, median(probes));
      }
      console.log(
        `  ${what.padEnd(48)} ${(size / MIB).toFixed(2)} MiB ${mode.padEnd(6)}` +
          `  stall ${ms(median(stalls))} (${ms(Math.max(...stalls)).trim()})` +
          `  slowest probe ${ms(median(probes))} (${ms(Math.max(...probes)).trim()})`,
      );
    }
  }
  for (const mode of ['thread', 'worker'] as Mode[]) {
    console.log(
      `${`worst event-loop stall during a 1 MiB hostile body, ${MODES[mode].label} (goal ≤ 50 ms)`.padEnd(96)} ${ms(worst[mode].stall)}`,
    );
    console.log(
      `${`slowest GET /version/ answer meanwhile, ${MODES[mode].label} (goal ≤ 100 ms)`.padEnd(96)} ${ms(worst[mode].probe)}`,
    );
  }
  return worst.worker.stall;
}

/** `tsx bench/rest/hostile-stall.ts [rounds]`: these rows alone (root: the stack pins maps). */
if (require.main === module) {
  const rounds = Number(process.argv[2] ?? 3);
  benchHostileStall(rounds).catch((e: unknown) => {
    console.error(`hostile-stall: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  });
}
