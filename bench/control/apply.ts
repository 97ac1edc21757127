// Control-plane benchmark of applying lbrp configuration: the sync layer in memory (derive + plan
// + writes to the in-memory host) and the whole path through REST → polycubed → gRPC → lbrp →
// kernel maps (root only): 1,000 services × 10 backends, and one backend added at N = 100 with
// the number of Maglev slots written. Run with `npm run bench:control` (after maglev.ts).

import { performance } from 'node:perf_hooks';
import { applyServices } from '../../src/lbrp/model/cube-rules';
import { DEFAULT_SIZES, emptyCube, type CubeModel } from '../../src/lbrp/model/cube-model';
import { addBackend, type ServiceInput } from '../../src/lbrp/model/service-rules';
import { LBRP_DEFAULTS, syncOptions } from '../../src/lbrp/lbrp-options';
import { CubeSync } from '../../src/lbrp/sync/cube-sync';
import { MAPS } from '../../src/lbrp/sync/map-plan';
import { FakeHost } from '../../test/fixtures/lbrp/fake-host';
import { LbrpStack } from '../../test/fixtures/lbrp/e2e-stack';
import type { MapWrite } from '../../src/service-kit';

const SERVICES = 1000;
const BACKENDS = 10;
/** Size leaves for SERVICES × BACKENDS (4001-slot tables): the defaults hold 1,024 services and 4,096 backends. */
const SIZES = { ...DEFAULT_SIZES, maxBackends: 16384, maglevSlots: 1 << 22 };
const SIZE_LEAVES = { 'max-backends': SIZES.maxBackends, 'maglev-slots': SIZES.maglevSlots };
const N = 100;
const WEB = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };

const vipOf = (i: number): string => `10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const backendOf = (i: number): string => `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

/** 1,000 services with 10 backends each (distinct addresses), as REST bodies. */
function serviceBodies(): ServiceInput[] {
  return Array.from({ length: SERVICES }, (_, i) => ({
    vip: vipOf(i),
    vport: 80,
    proto: 'TCP' as const,
    backend: Array.from({ length: BACKENDS }, (_, k) => ({ ip: backendOf(i * BACKENDS + k), port: 8080 })),
  }));
}

function must(r: { ok: true; value: CubeModel } | { ok: false; error: { message: string } }): CubeModel {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const rows: Array<[string, string]> = [];
const row = (name: string, value: string): void => void rows.push([name, value]);

/** A host that only counts writes: what derive + plan cost without any map underneath. */
class CountingHost extends FakeHost {
  counted = 0;
  override async writeMaps(_cube: string, ops: MapWrite[]): Promise<number> {
    this.counted += ops.length;
    return ops.length;
  }
}

/** The sync layer alone (model → derive → plan), without a kernel. */
async function inMemory(): Promise<void> {
  const host = new CountingHost();
  host.addCube('lb0');
  const sync = new CubeSync(emptyCube('lb0', 'SINGLE', SIZES), host, syncOptions(LBRP_DEFAULTS));
  let t = performance.now();
  const model = must(applyServices(emptyCube('lb0', 'SINGLE', SIZES), serviceBodies(), 'create'));
  await sync.apply(model, { refreshPorts: true });
  row(
    `in memory: ${SERVICES} services × ${BACKENDS} backends (model, tables, plan)`,
    `${(performance.now() - t).toFixed(0)} ms, ${host.counted} writes planned`,
  );

  const h2 = new FakeHost();
  h2.addCube('lb1');
  const s2 = new CubeSync(emptyCube('lb1', 'SINGLE', SIZES), h2, syncOptions(LBRP_DEFAULTS));
  let m = must(
    applyServices(
      emptyCube('lb1', 'SINGLE', SIZES),
      [{ ...WEB, backend: Array.from({ length: N }, (_, k) => ({ ip: backendOf(k), port: 80 })) }],
      'create',
    ),
  );
  await s2.apply(m, { refreshPorts: true });
  h2.takeWrites();
  const times: number[] = [];
  let slots = 0;
  for (let i = 0; i < 21; i++) {
    const added = must(addBackend(m, WEB, { ip: backendOf(N + i), port: 80 }));
    t = performance.now();
    await s2.apply(added);
    times.push(performance.now() - t);
    const writes = h2.takeWrites();
    if (i === 0) slots = writes.filter((w) => w.map === MAPS.slots).length;
    await s2.apply(m); // back to N for the next round
    h2.takeWrites();
  }
  times.sort((a, b) => a - b);
  m = must(addBackend(m, WEB, { ip: backendOf(N), port: 80 }));
  row(
    `in memory: add 1 backend at N=${N} (M=${s2.kernel.services.values().next().value?.tableSize})`,
    `${times[10].toFixed(2)} ms (median of 21), ${slots} slots written (ideal ${Math.round(131071 / (N + 1))})`,
  );
}

/** Slots written by the last apply, from the lbrp service's CUBE_TRACE=sync lines. */
function lastWrites(stack: LbrpStack): number {
  const line = [...(stack.lbrp?.lines ?? [])].reverse().find((l) => l.startsWith('sync '));
  return Number(/(\d+) writes/.exec(line ?? '')?.[1] ?? NaN);
}

/** Through REST, with polycubed and lbrp-service as child processes and real kernel maps. */
async function throughRest(): Promise<void> {
  if (process.getuid?.() !== 0) {
    row('through REST', 'skipped: needs root (bpffs, BPF maps)');
    return;
  }
  process.env.CUBE_TRACE = 'sync'; // the lbrp child reports its writes
  const stack = new LbrpStack();
  try {
    await stack.start();
    const bodies = serviceBodies();

    await stack.ok('POST', 'lbrp/lbpost/', SIZE_LEAVES);
    let t = performance.now();
    for (const b of bodies)
      await stack.ok('POST', `lbrp/lbpost/service/${b.vip}/80/TCP/`, { backend: b.backend });
    const perService = performance.now() - t;
    row(
      `REST: ${SERVICES} POSTs of a service with ${BACKENDS} backends`,
      `${(perService / 1000).toFixed(1)} s (${(perService / SERVICES).toFixed(1)} ms per request)`,
    );
    await stack.ok('DELETE', 'lbrp/lbpost/');

    // polycubed waits 30 s for a service's answer: 4 M slot writes go in PATCHes of 100 services.
    await stack.ok('POST', 'lbrp/lbpatch/', SIZE_LEAVES);
    t = performance.now();
    let writes = 0;
    for (let i = 0; i < SERVICES; i += 100) {
      await stack.ok('PATCH', 'lbrp/lbpatch/service/', bodies.slice(i, i + 100));
      writes += lastWrites(stack);
    }
    row(
      `REST: ${SERVICES} services × ${BACKENDS} backends in PATCHes of 100`,
      `${((performance.now() - t) / 1000).toFixed(1)} s, ${writes} map writes`,
    );
    await stack.ok('DELETE', 'lbrp/lbpatch/');

    await stack.ok('POST', 'lbrp/lbadd/', {
      service: [{ ...WEB, backend: Array.from({ length: N }, (_, k) => ({ ip: backendOf(k), port: 80 })) }],
    });
    t = performance.now();
    await stack.ok('POST', `lbrp/lbadd/service/${WEB.vip}/80/TCP/backend/${backendOf(N)}/`, { port: 80 });
    row(
      `REST: add 1 backend at N=${N}`,
      `${(performance.now() - t).toFixed(0)} ms, ${lastWrites(stack)} map writes (2 for the backend, the rest slots)`,
    );
  } finally {
    await stack.cleanup();
  }
}

async function main(): Promise<void> {
  await inMemory();
  await throughRest();
  console.log(`lbrp apply bench (node ${process.version})`);
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
