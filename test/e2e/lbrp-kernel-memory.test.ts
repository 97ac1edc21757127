// Kernel memory of lbrp cubes through the real stack (polycubed + lbrp-service, real kernel): an
// empty cube's maps take at most 8 MiB as the kernel counts them, the `kernel-memory` leaf (also
// on /metrics and in `show`) agrees with that count, the init-only size leaves round-trip and
// cannot be changed, and polycubed's budget (--kernel-memory-budget 64M here) refuses a cube
// that does not fit with an error naming the leaf and the numbers, creating nothing.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack } from '../fixtures/lbrp/e2e-stack';
import { measureCubeMaps, measureCubeMemory, withinTolerance } from '../fixtures/kernel-memory';

const MiB = 1024 * 1024;
/** The goal of issue 13 for a cube created with the default sizes. */
const EMPTY_CUBE_GOAL = 8 * MiB;
const BUDGET = 64 * MiB;

describeE2e('lbrp kernel memory (real stack, real kernel)', () => {
  const stack = new LbrpStack(['--kernel-memory-budget', String(BUDGET)]);

  beforeAll(async () => {
    await stack.start();
  }, 120_000);

  afterAll(async () => {
    await stack.cleanup();
  }, 30_000);

  it('an empty cube takes at most 8 MiB, and kernel-memory says how much', async () => {
    expect((await stack.rest('POST', 'lbrp/km0/', {})).status).toBe(201);
    const measured = measureCubeMemory(stack.pinRoot, 'km0');
    const leaf = Number(await stack.ok('GET', 'lbrp/km0/kernel-memory/'));
    console.log(
      `empty cube: ${measured} bytes measured (bpftool bytes_memlock), kernel-memory leaf ${leaf}; ` +
        measureCubeMaps(stack.pinRoot, 'km0')
          .map((m) => `${m.name} ${m.bytes}`)
          .join(', '),
    );
    expect(measured).toBeLessThanOrEqual(EMPTY_CUBE_GOAL);
    expect({ leaf, measured, within: withinTolerance(leaf, measured) }).toMatchObject({ within: true });
    // The same figure in the cube object, in `show` and on /metrics.
    expect(await stack.ok('GET', 'lbrp/km0/')).toMatchObject({
      'kernel-memory': leaf,
      'session-table-size': 65536,
      'max-services': 1024,
      'max-backends': 4096,
      'maglev-slots': 262144,
    });
    const show = await stack.cli(['km0', 'show']);
    // (polycubectl prints JSON numbers as Go float64s, e.g. 6094248.000000)
    expect(show.out).toMatch(new RegExp(`^kernel-memory: ${leaf}(\\.0+)?$`, 'm'));
    const metrics = await fetch(`http://127.0.0.1:${stack.port}/metrics`).then((r) => r.text());
    expect(metrics).toContain(`lbrp_kernel_memory_bytes{cube="km0"} ${leaf}`);
  }, 120_000);

  it('the size leaves round-trip, size the maps and cannot be changed afterwards', async () => {
    const sizes = {
      'session-table-size': 16384,
      'max-services': 100,
      'max-backends': 1000,
      'maglev-slots': 131072,
    };
    expect((await stack.rest('POST', 'lbrp/km1/', sizes)).status).toBe(201);
    expect(await stack.ok('GET', 'lbrp/km1/')).toMatchObject(sizes);
    for (const [leaf, value] of Object.entries(sizes))
      expect(await stack.ok('GET', `lbrp/km1/${leaf}/`)).toBe(value);
    // The maps have the sizes the leaves ask for (the session table: 8 entries per bucket).
    const maps = measureCubeMaps(stack.pinRoot, 'km1');
    const measured = maps.reduce((s, m) => s + m.bytes, 0);
    expect(withinTolerance(Number(await stack.ok('GET', 'lbrp/km1/kernel-memory/')), measured)).toBe(true);
    expect(measured).toBeLessThan(measureCubeMemory(stack.pinRoot, 'km0'));
    // Init-only: no PATCH route for the leaf, and a cube PATCH naming it is refused.
    expect((await stack.rest('PATCH', 'lbrp/km1/session-table-size/', 65536)).status).toBe(405);
    const patch = await stack.rest('PATCH', 'lbrp/km1/', { 'max-services': 200 });
    expect(patch.status).toBe(400);
    expect(patch.text).toContain('max-services');
    expect(await stack.ok('GET', 'lbrp/km1/')).toMatchObject(sizes);
  }, 120_000);

  it('refuses a cube past the budget, naming the leaf and the numbers, and creates nothing', async () => {
    const before = readFileSync(stack.stateFile, 'utf8');
    const r = await stack.rest('POST', 'lbrp/kmbig/', { 'session-table-size': 4194304 });
    expect(r.status).toBe(500);
    expect(r.text).toMatch(
      new RegExp(
        `^cube kmbig does not fit in the kernel memory budget: it needs \\d+ bytes, \\d+ of the ${BUDGET}-byte budget are free \\(\\d+ taken by other cubes\\); session-table-size = 4194304 takes 16777\\d{4} bytes of it`,
      ),
    );
    expect(r.text).toContain('lower session-table-size or raise polycubed --kernel-memory-budget');
    // Nothing of it: no cube, no pins (so no program or map was ever pinned), no saved state.
    expect(((await stack.ok('GET', 'lbrp/')) as Array<{ name: string }>).map((c) => c.name)).not.toContain(
      'kmbig',
    );
    expect(existsSync(join(stack.pinRoot, 'kmbig'))).toBe(false);
    expect(readFileSync(stack.stateFile, 'utf8')).toBe(before);
    // The budget was not charged: a cube that fits is still created.
    expect((await stack.rest('POST', 'lbrp/km2/', {})).status).toBe(201);
    expect((await stack.rest('DELETE', 'lbrp/km2/')).status).toBe(200);
  }, 120_000);

  it('refuses a session-table-size that is not a power of two', async () => {
    const r = await stack.rest('POST', 'lbrp/km3/', { 'session-table-size': 3000 });
    expect({ status: r.status, text: r.text }).toEqual({
      status: 500,
      text: 'session-table-size must be a power of two, got 3000',
    });
    expect(existsSync(join(stack.pinRoot, 'km3'))).toBe(false);
  }, 120_000);
});
