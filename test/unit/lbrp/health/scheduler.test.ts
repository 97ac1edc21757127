// The probe scheduler over jest's fake timers: jittered first probes inside the first interval, one
// probe per interval per target, never more than maxInFlight running, removal stops a target.

import { ProbeScheduler, TICK_MS } from '../../../../src/lbrp/health/scheduler';

describe('ProbeScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('probes each target about once per interval, capped in flight', async () => {
    const s = new ProbeScheduler({ maxInFlight: 3 });
    let running = 0;
    let maxRunning = 0;
    const counts = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const id = `t${i}`;
      s.add(id, {
        intervalMs: 1000,
        run: async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          counts.set(id, (counts.get(id) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 50));
          running--;
        },
      });
    }
    for (let ms = 0; ms < 10_000; ms += 10) await jest.advanceTimersByTimeAsync(10);
    expect(maxRunning).toBe(3);
    for (let i = 0; i < 20; i++) {
      const n = counts.get(`t${i}`) ?? 0;
      expect(n).toBeGreaterThanOrEqual(8);
      expect(n).toBeLessThanOrEqual(11);
    }
    s.remove('t0');
    const before = counts.get('t0');
    await jest.advanceTimersByTimeAsync(5000);
    expect(counts.get('t0')).toBe(before);
    expect(s.has('t0')).toBe(false);
    s.stop();
  });

  it('spreads first probes over the first interval (jitter)', async () => {
    const seq = [0.1, 0.6];
    const s = new ProbeScheduler({ maxInFlight: 10, random: () => seq.shift() ?? 0.5 });
    const at: number[] = [];
    const t0 = Date.now();
    for (const id of ['a', 'b'])
      s.add(id, {
        intervalMs: 1000,
        run: async () => {
          at.push(Date.now() - t0);
        },
      });
    await jest.advanceTimersByTimeAsync(700);
    // Started from the wheel: at the planned time or up to one wake-up (a tenth of the interval)
    // and one tick later.
    const late = 1000 / 10 + TICK_MS;
    expect(at).toHaveLength(2);
    expect(at[0]).toBeGreaterThanOrEqual(100);
    expect(at[0]).toBeLessThanOrEqual(100 + late);
    expect(at[1]).toBeGreaterThanOrEqual(600);
    expect(at[1]).toBeLessThanOrEqual(600 + late);
    s.stop();
  });

  it('keeps the interval on average although it wakes only every tenth of it (no drift)', async () => {
    const s = new ProbeScheduler({ maxInFlight: 100 });
    const counts = new Map<string, number>();
    for (let i = 0; i < 10; i++)
      s.add(`t${i}`, {
        intervalMs: 1000,
        run: async () => {
          counts.set(`t${i}`, (counts.get(`t${i}`) ?? 0) + 1);
        },
      });
    // Wakes every 100 ms: each start is up to 100 ms late, which must not add up over 30 probes.
    await jest.advanceTimersByTimeAsync(30_000);
    for (let i = 0; i < 10; i++) {
      expect(counts.get(`t${i}`)).toBeGreaterThanOrEqual(29);
      expect(counts.get(`t${i}`)).toBeLessThanOrEqual(31);
    }
    s.stop();
  });
});
