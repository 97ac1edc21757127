// The shared health ticker: one timer at the shortest period asked (bounded and rounded to
// TICK_MS), stopped when no task is left, one clock read per tick, and a task that throws neither
// starves the others nor escapes.

import { MAX_TICK_MS, TICK_MS, Ticker } from '../../../../src/lbrp/health/ticker';

describe('health ticker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ticks at the shortest period asked, within TICK_MS..MAX_TICK_MS, and stops when empty', () => {
    const t = new Ticker();
    const seen: number[] = [];
    const a = (now: number): void => void seen.push(now);
    t.join(a, 1000);
    jest.advanceTimersByTime(MAX_TICK_MS * 3);
    expect(seen).toHaveLength(3);
    t.join(a, 45); // joining again sets the period: rounded down to a multiple of TICK_MS
    seen.length = 0;
    jest.advanceTimersByTime(400);
    expect(seen).toHaveLength(400 / (2 * TICK_MS));
    t.leave(a);
    seen.length = 0;
    jest.advanceTimersByTime(1000);
    expect(seen).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('hands every task the same now, and keeps going past a task that throws', () => {
    const t = new Ticker();
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const nows: number[] = [];
    const bad = (): void => {
      throw new Error('boom');
    };
    t.join(bad, TICK_MS);
    t.join((now) => void nows.push(now), TICK_MS);
    t.join((now) => void nows.push(now), TICK_MS);
    jest.advanceTimersByTime(TICK_MS);
    expect(nows).toHaveLength(2);
    expect(nows[0]).toBe(nows[1]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('boom'));
    warn.mockRestore();
    t.leave(bad);
  });
});
