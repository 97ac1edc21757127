// The rise/fall/hold state machine over a fake clock.

import { initialHealth, inTable, observe, type HealthState } from '../../../../src/lbrp/health/health-state';

const RULES = { rise: 2, fall: 3, holdMs: 5000 };

/** Feeds `results` one per second from `t0`; returns every state. */
function run(s: HealthState, results: boolean[], t0 = 0, rules = RULES): HealthState[] {
  const out: HealthState[] = [];
  results.forEach((ok, i) => {
    s = observe(s, ok, ok ? 'ok' : 'fail', t0 + i * 1000, rules);
    out.push(s);
  });
  return out;
}

describe('health state', () => {
  it('starts UNKNOWN and in the table; fall failures in a row make it DOWN, no sooner', () => {
    const s0 = initialHealth(0);
    expect([s0.health, inTable(s0)]).toEqual(['UNKNOWN', true]);
    const states = run(s0, [false, false, true, false, false, false]);
    expect(states.map((s) => s.health)).toEqual([
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
      'DOWN',
    ]);
    expect(inTable(states[5])).toBe(false);
    expect(states[5]).toMatchObject({ changedAt: 5000, transitions: 1, lastResult: 'fail' });
  });

  it('rise successes make it UP; DOWN goes UP again only after the hold time', () => {
    const up = run(initialHealth(0), [true, true]);
    expect(up.map((s) => s.health)).toEqual(['UNKNOWN', 'UP']);
    const down = run(up[1], [false, false, false], 2000);
    expect(down[2].health).toBe('DOWN'); // at 4000
    // Successes at 5000 and 6000: rise reached, but held until 4000 + 5000.
    const back = run(down[2], [true, true, true, true, true], 5000);
    expect(back.map((s) => s.health)).toEqual(['DOWN', 'DOWN', 'DOWN', 'DOWN', 'UP']);
    expect(back[4]).toMatchObject({ changedAt: 9000, transitions: 3 });
  });

  it('going DOWN is never held (a backend that just came UP and dies leaves at once)', () => {
    const s = run(initialHealth(0), [true, true, false, false, false], 0, { ...RULES, holdMs: 60_000 });
    expect(s[4].health).toBe('DOWN');
  });

  it('a state restored out of the table stays out until the probes decide', () => {
    const s0 = initialHealth(0, true);
    expect([s0.health, inTable(s0)]).toEqual(['UNKNOWN', false]);
    const s1 = run(s0, [true]);
    expect(inTable(s1[0])).toBe(false);
    const s2 = run(s1[0], [true], 1000);
    expect([s2[0].health, inTable(s2[0]), s2[0].heldOut]).toEqual(['UP', true, false]);
  });
});
