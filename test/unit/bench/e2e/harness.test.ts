// The end-to-end bench's round order: each round starts one peer later, wrapping around, so over
// as many rounds as peers every peer runs first once and the order within a round is kept. And a
// measurement disturbed by other work is taken again, a bounded number of times.

import { measureUndisturbed, rotated } from '../../../../bench/e2e/harness';
import type { Measurement } from '../../../../bench/e2e/measure';

describe('bench e2e: round order', () => {
  it('starts each round one peer later and keeps the order otherwise', () => {
    const peers = ['none', 'iptables', 'lbrp-tc'];
    expect([0, 1, 2, 3].map((k) => rotated(peers, k).join(' '))).toEqual([
      'none iptables lbrp-tc',
      'iptables lbrp-tc none',
      'lbrp-tc none iptables',
      'none iptables lbrp-tc',
    ]);
    expect(peers).toEqual(['none', 'iptables', 'lbrp-tc']);
    expect(rotated([], 3)).toEqual([]);
  });
});

describe('bench e2e: disturbed measurements', () => {
  /** A measure() whose successive results had these shares of other work. */
  const measures = (pcts: number[]) => {
    let i = 0;
    return jest.fn(async () => ({ foreignCpuPct: pcts[i++] }) as Measurement);
  };
  const cfg = { maxOtherWorkPct: 3, remeasures: 2 };

  it('keeps a measurement with little other work at once', async () => {
    const measure = measures([3, 50]);
    const told: number[] = [];
    const r = await measureUndisturbed(measure, cfg, (p) => told.push(p));
    expect(r).toEqual({ measurement: { foreignCpuPct: 3 }, discarded: 0 });
    expect(measure).toHaveBeenCalledTimes(1);
    expect(told).toEqual([]);
  });

  it('measures again while other work took too much, then keeps the first clean one', async () => {
    const told: number[] = [];
    const r = await measureUndisturbed(measures([9, 1, 7]), cfg, (p) => told.push(p));
    expect(r).toEqual({ measurement: { foreignCpuPct: 1 }, discarded: 1 });
    expect(told).toEqual([9]);
  });

  it('gives up after remeasures tries and keeps the last one', async () => {
    const measure = measures([9, 8, 7, 1]);
    const r = await measureUndisturbed(measure, cfg, () => undefined);
    expect(r).toEqual({ measurement: { foreignCpuPct: 7 }, discarded: 2 });
    expect(measure).toHaveBeenCalledTimes(3);
    const once = await measureUndisturbed(measures([9, 8]), { ...cfg, remeasures: 0 }, () => undefined);
    expect(once.discarded).toBe(0);
  });
});
