// Where one single-backend add or delete spends its wall time (issue 17): one keep-alive client,
// polycubed and lbrp-service as child processes run with CUBE_TRACE=change, on services of 3 and
// 1,000 backends. For each request the client's time is split with the two processes' trace lines:
// HTTP and REST (client time − polycubed's), polycubed's queue, the ConfigRequest round trip to the
// service (its gRPC part: round trip − the service's own time), in the service its queue, the
// derive (model → kernel state, Maglev table), the plan (map writes generated), the WriteMaps
// round trips (their gRPC part, and polycubed's kernel writes, which a change whose writes travel
// in its ConfigReply makes inside the round trip instead), and the journal (fdatasync).
// Medians over BENCH_CHURN add/delete pairs. `npm run bench:rest -- --breakdown`, or directly:
// `tsx bench/rest/breakdown.ts`.

import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { LbrpStack, type Child } from '../../test/fixtures/lbrp/e2e-stack';
import { requestStatus } from './http-status';

const CUBE = 'spb0';
const PAIRS = Number(process.env.BENCH_CHURN ?? 100);
const WARMUP = 10;
const ipOf = (base: number, i: number): string => `10.${base}.${(i >> 8) & 255}.${i & 255}`;
const svcPath = (vip: string): string => `/polycube/v1/lbrp/${CUBE}/service/${vip}/80/TCP/`;

/** The numbers of the first trace line starting with `change ` after index `from`, by label. */
async function traceOf(child: Child, from: number): Promise<{ line: Record<string, number>; next: number }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const i = child.lines.findIndex((l, k) => k >= from && l.startsWith('change '));
    if (i >= 0) {
      const line: Record<string, number> = {};
      for (const m of child.lines[i].matchAll(/([a-zA-Z]+) ([\d.]+)/g)) line[m[1]] = Number(m[2]);
      const calls = /([\d]+) WriteMaps/.exec(child.lines[i]);
      if (calls) line.calls = Number(calls[1]);
      const writes = /in ([\d]+) WriteMaps|of ([\d]+) writes|\(([\d]+) writes/.exec(child.lines[i]);
      if (writes) line.writes = Number(writes[1] ?? writes[2] ?? writes[3]);
      return { line, next: i + 1 };
    }
    if (Date.now() > deadline) throw new Error(`no trace line in ${child.lines.slice(-3).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Stage name → one value per request. */
type Stages = Map<string, number[]>;

/** `pairs` add/delete pairs on `vip` (their backends numbered from `first`), into `out`. */
async function measure(
  stack: LbrpStack,
  agent: http.Agent,
  vip: string,
  out: { add: Stages; del: Stages },
  first: number,
  pairs: number,
  warmup: number,
): Promise<void> {
  const pc = stack.polycubed as Child;
  const lb = stack.lbrp as Child;
  let pcAt = pc.lines.length;
  let lbAt = lb.lines.length;
  for (let i = 0; i < warmup + pairs; i++) {
    const ip = ipOf(200, first + i);
    const path = `${svcPath(vip)}backend/${ip}/`;
    for (const kind of ['add', 'del'] as const) {
      const t = performance.now();
      const status =
        kind === 'add'
          ? await requestStatus(agent, stack.port, 'POST', path, { port: 9090 })
          : await requestStatus(agent, stack.port, 'DELETE', path);
      const client = performance.now() - t;
      if (status !== (kind === 'add' ? 201 : 204)) throw new Error(`${kind} ${ip}: HTTP ${status}`);
      const p = await traceOf(pc, pcAt);
      const l = await traceOf(lb, lbAt);
      pcAt = p.next;
      lbAt = l.next;
      if (i < warmup) continue;
      const P = p.line;
      const L = l.line;
      // Writes that travelled in the reply (no WriteMaps call) are applied inside the round trip.
      const inReply = L.calls === 0 ? P.bpf : 0;
      const rows: [string, number][] = [
        ['client (HTTP round trip)', client],
        ['  HTTP + REST layer (client − polycubed)', client - P.total],
        ['  polycubed: change queue', P.queue],
        ['  polycubed: ConfigRequest round trip to lbrp', P.service],
        [
          '    gRPC + JSON (round trip − lbrp time − writes in the reply)',
          P.service - L.queue - L.total - inReply,
        ],
        ['    lbrp: queue', L.queue],
        ['    lbrp: derive (model → kernel state, Maglev)', L.derive],
        ['    lbrp: plan (map writes generated)', L.plan],
        ['    lbrp: WriteMaps round trips', L.write],
        ['      gRPC (WriteMaps − kernel writes)', L.write - (P.bpf - inReply)],
        ['      polycubed: bpf map writes (syscalls; in WriteMaps or from the reply)', P.bpf],
        ['    lbrp: other (model update, log line)', L.other],
        ['  polycubed: rest of the change (run − service)', P.run - P.service],
        ['  polycubed: journal append + fdatasync', P.persist],
        ['    until the append starts (group commit)', P.wait],
        ['    the append (write + fdatasync)', P.append],
        ['map writes per change', L.writes ?? NaN],
      ];
      const stages = out[kind];
      for (const [name, v] of rows) {
        const list = stages.get(name) ?? [];
        list.push(v);
        stages.set(name, list);
      }
    }
  }
}

const BIG = 10_000;

/** One PATCH of BIG backends, then the same again: client time and both trace lines of each. */
async function bigPatch(stack: LbrpStack, agent: http.Agent): Promise<[string, string, string, number][]> {
  const pc = stack.polycubed as Child;
  const lb = stack.lbrp as Child;
  const path = svcPath('10.255.0.9');
  if ((await requestStatus(agent, stack.port, 'POST', path, {})) !== 201) throw new Error('empty service');
  const body = {
    backend: Array.from({ length: BIG }, (_, i) => ({ ip: ipOf(100 + (i >> 16), i & 0xffff), port: 80 })),
  };
  const out: [string, string, string, number][] = [];
  for (const what of ['first', 'again']) {
    const pcAt = pc.lines.length;
    const lbAt = lb.lines.length;
    const t = performance.now();
    const status = await requestStatus(agent, stack.port, 'PATCH', path, body);
    const ms = performance.now() - t;
    if (status !== 200 && status !== 201) throw new Error(`big PATCH: HTTP ${status}`);
    await traceOf(pc, pcAt);
    await traceOf(lb, lbAt);
    const line = (c: Child, from: number): string =>
      c.lines.slice(from).find((l) => l.startsWith('change ')) ?? '';
    out.push([what, line(pc, pcAt), line(lb, lbAt), ms]);
  }
  return out;
}

/** Rounds the pairs are split into, alternating between the trees (interleaved). */
const ROUNDS = 4;

/** One tree: its stack and its stage values per service size. */
interface Tree {
  label: string;
  stack: LbrpStack;
  results: [string, { add: Stages; del: Stages }][];
}

/**
 * Runs the breakdown for this tree and, when `baseline` names another checkout that has the
 * CUBE_TRACE=change tracer, for that one too, interleaved round by round.
 */
export async function benchBreakdown(baseline = process.env.BENCH_BASELINE): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root (bpffs, BPF maps)');
  process.env.CUBE_TRACE = 'change';
  const trees: Tree[] = [];
  if (baseline) trees.push({ label: 'before', stack: new LbrpStack([], baseline), results: [] });
  trees.push({ label: 'after', stack: new LbrpStack(), results: [] });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sizes: [string, string][] = [
    ['3', '10.255.0.3'],
    ['1,000', '10.255.0.4'],
  ];
  try {
    for (const tree of trees) {
      const { stack } = tree;
      await stack.start();
      await stack.ok('POST', `lbrp/${CUBE}/`, { 'max-backends': 16384, 'maglev-slots': 1 << 20 });
      const backends = (base: number, n: number): unknown[] =>
        Array.from({ length: n }, (_, i) => ({ ip: ipOf(base, i), port: 8080 }));
      await stack.ok('POST', `lbrp/${CUBE}/service/10.255.0.3/80/TCP/`, { backend: backends(1, 3) });
      await stack.ok('POST', `lbrp/${CUBE}/service/10.255.0.4/80/TCP/`, { backend: backends(2, 1000) });
      tree.results = sizes.map(([n]) => [n, { add: new Map(), del: new Map() }]);
    }
    const per = Math.ceil(PAIRS / ROUNDS);
    for (let r = 0; r < ROUNDS; r++)
      for (const tree of trees)
        for (let k = 0; k < sizes.length; k++)
          await measure(
            tree.stack,
            agent,
            sizes[k][1],
            tree.results[k][1],
            r * (per + WARMUP),
            per,
            r === 0 ? WARMUP : 0,
          );
    const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1));
    console.log(
      `single-change breakdown: medians (ms) of ${per * ROUNDS} add/delete pairs per service, ${ROUNDS} rounds alternating between trees; load average ${load.join(' ')}`,
    );
    const names = [...trees[0].results[0][1].add.keys()];
    const cols = trees.flatMap((t) =>
      t.results.flatMap(([n]) => [`${t.label}: add, ${n}`, `${t.label}: delete, ${n}`]),
    );
    console.log(`| stage | ${cols.join(' | ')} |`);
    console.log(`|---|${cols.map(() => '---:').join('|')}|`);
    for (const name of names) {
      const cells = trees.flatMap((t) =>
        t.results.flatMap(([, r]) => [r.add, r.del].map((st) => median(st.get(name) ?? [NaN]))),
      );
      const fmt = (v: number): string =>
        name.startsWith('map writes') ? String(Math.round(v)) : v.toFixed(2);
      console.log(
        `| ${name.replace(/^ +/, (sp) => '&nbsp;'.repeat(sp.length))} | ${cells.map(fmt).join(' | ')} |`,
      );
    }
    for (const tree of trees) {
      const big = await bigPatch(tree.stack, agent).catch((e: Error) => {
        console.log(`\n${tree.label}: the ${BIG}-backend PATCH failed: ${e.message}`);
        return [];
      });
      console.log(
        `\n${tree.label}: one PATCH of ${BIG} backends into an empty service, then the same PATCH again:`,
      );
      for (const [what, p, l, ms] of big)
        console.log(`${what}: client ${ms.toFixed(0)} ms\n  polycubed: ${p}\n  lbrp:      ${l}`);
    }
  } finally {
    agent.destroy();
    for (const tree of trees) await tree.stack.cleanup();
  }
}

if (require.main === module)
  benchBreakdown().catch((err: unknown) => {
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
