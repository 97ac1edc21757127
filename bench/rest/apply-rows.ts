// Large-configuration rows of the churn bench (issue 17): a file of 1,000 services × 10 backends
// created in an empty cube by one POST of the cube (polycubectl apply -f sends one POST per element:
// 11,001 requests), the same configuration again as one PATCH of the cube (zero kernel writes, read
// from lbrp's CUBE_TRACE=sync lines: run the bench with CUBE_TRACE=sync), and a restart of
// polycubed and lbrp-service with it persisted (until REST answers a GET of one of its backends,
// and until lbrp has resynced the cube). 10,000 × 10 cannot be configured: with the default table
// ladder (4,001 slots for 5 to 10 backends) it needs 40 M Maglev slots, and a cube's maglev-slots
// leaf stops at 4,194,304.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BpfMap } from '../../src/polycubed/runtime/bpf-map';
import type { LbrpStack } from '../../test/fixtures/lbrp/e2e-stack';

const CUBE = 'spa0';
const SERVICES = 1000;
const BACKENDS = 10;

/** What the rows need from the churn bench's subject. */
export interface ApplySubject {
  readonly label: string;
  readonly stack: LbrpStack;
  record(row: string, value: number): void;
}

const vipOf = (i: number): string => `10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const backendOf = (i: number, k: number): string =>
  `172.${16 + (i >> 12)}.${(i >> 4) & 255}.${((i & 15) << 4) | k}`;

/** The apply file: one cube, SERVICES services of BACKENDS backends. */
function applyFile(dir: string): string {
  const cube = {
    'service-name': 'lbrp',
    name: CUBE,
    'max-backends': 16384,
    'maglev-slots': 1 << 22,
    service: Array.from({ length: SERVICES }, (_, i) => ({
      vip: vipOf(i),
      vport: 80,
      proto: 'TCP',
      backend: Array.from({ length: BACKENDS }, (_, k) => ({ ip: backendOf(i, k), port: 8080 })),
    })),
  };
  const file = join(dir, 'apply-1000x10.json');
  writeFileSync(file, JSON.stringify(cube));
  return file;
}

/** Entries of the cube's pinned `services` map (the kernel's view of the services). */
function kernelServices(stack: LbrpStack): number {
  const m = BpfMap.fromPinned(join(stack.pinRoot, CUBE, 'maps', 'services'));
  try {
    return m.dump().length;
  } finally {
    m.close();
  }
}

export async function applyRows(s: ApplySubject): Promise<void> {
  const file = applyFile(s.stack.dir);
  // polycubectl apply creates a new cube element by element (1 + 1,000 + 10,000 POSTs, minutes at
  // tens of ms each); one request carrying the whole file is the cube's POST.
  const whole = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete whole['service-name'];
  delete whole.name;
  let t = performance.now();
  await s.stack.ok('POST', `lbrp/${CUBE}/`, whole);
  const applyMs = performance.now() - t;
  const inKernel = kernelServices(s.stack);
  if (inKernel !== SERVICES)
    throw new Error(`apply: ${inKernel} services in the kernel, expected ${SERVICES}`);
  s.record(`one POST of a cube of ${SERVICES} services × ${BACKENDS} backends (ms)`, applyMs);

  // The same configuration again (what a re-apply amounts to): one PATCH of the cube. Its kernel
  // writes come from lbrp's CUBE_TRACE=sync lines (none when the model did not change).
  const lbrp = s.stack.lbrp;
  const from = lbrp?.lines.length ?? 0;
  t = performance.now();
  await s.stack.ok('PATCH', `lbrp/${CUBE}/`, { service: whole.service }); // size leaves are fixed
  s.record('the same configuration again, one PATCH (ms)', performance.now() - t);
  const writes = (lbrp?.lines ?? [])
    .slice(from)
    .filter((l) => l.startsWith(`sync ${CUBE}:`))
    .reduce((n, l) => n + Number(/(\d+) writes/.exec(l)?.[1] ?? 0), 0);
  s.record('— its kernel writes (CUBE_TRACE=sync)', writes);

  await s.stack.stopLbrp();
  await s.stack.stopPolycubed();
  t = performance.now();
  await s.stack.startPolycubed();
  const lbrpFrom = 0;
  const restarting = s.stack.startLbrp();
  const path = `lbrp/${CUBE}/service/${vipOf(SERVICES - 1)}/80/TCP/backend/${backendOf(SERVICES - 1, 0)}/port/`;
  for (let i = 0; ; i++) {
    const a = await s.stack.rest('GET', path).catch(() => ({ status: 0 }));
    if (a.status === 200) break;
    if (i > 6000) throw new Error(`restart: GET ${path} never answered 200 (last ${a.status})`);
    await new Promise((r) => setTimeout(r, 5));
  }
  s.record(
    `restart with ${SERVICES} × ${BACKENDS} persisted: REST answers a backend (ms)`,
    performance.now() - t,
  );
  await restarting;
  const line = await s.stack.lbrp?.waitLine(new RegExp(`cube ${CUBE}: resynced`), 120_000, lbrpFrom);
  s.record('— lbrp resynced the cube (ms)', performance.now() - t);
  s.record('— map writes at that resync', Number(/(\d+) map writes/.exec(line ?? '')?.[1] ?? NaN));
  if (kernelServices(s.stack) !== SERVICES) throw new Error('restart: services missing from the kernel');
  await s.stack.ok('DELETE', `lbrp/${CUBE}/`);
}
