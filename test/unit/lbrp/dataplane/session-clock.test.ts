// The session clock's facts: the jiffies line of /proc/timer_list, HZ snapped from a measured
// rate, seconds ↔ clock units (jiffies >> 8, never shorter than asked), the admission fields, and
// HZ detection from two reads (with the fallback when the file cannot be read or makes no sense).

import {
  admissionOf,
  detectSessionClock,
  FALLBACK_HZ,
  fixedClock,
  parseJiffies,
  secondsToUnits,
  fittingHz,
  unitsAt,
  unitsToSeconds,
} from '../../../../src/lbrp/dataplane/session-clock';

const TIMER_LIST = `Timer List Version: v0.9
HRTIMER_MAX_CLOCK_BASES: 8
now at 13049117452123 nsecs

cpu: 0
  .idle_jiffies   : 4297541642
  .last_jiffies   : 4297541813
jiffies: 4297541814

cpu: 1
jiffies: 4297541815
`;

describe('session clock', () => {
  // The first "jiffies:" line wins; the per-CPU ".idle_jiffies" lines are not it.
  it('reads the jiffies line of /proc/timer_list', () => {
    expect(parseJiffies(TIMER_LIST)).toBe(4297541814n);
    expect(parseJiffies('now at 1 nsecs\n  .last_jiffies   : 5\n')).toBeUndefined();
    expect(parseJiffies('')).toBeUndefined();
  });

  // The HZ choices that fit a jiffies count over a bracketed interval (±2 jiffies): one when
  // the measurement is tight, several when the interval is too uncertain to tell 250 from 300.
  it.each([
    { name: '250 over 250 ms', inDelta: 62, inMinMs: 249, inMaxMs: 251, want: [250] },
    { name: '300 over 250 ms', inDelta: 75, inMinMs: 249, inMaxMs: 251, want: [300] },
    { name: '1000 over 250 ms', inDelta: 250, inMinMs: 249, inMaxMs: 251, want: [1000] },
    { name: '100 over 250 ms', inDelta: 25, inMinMs: 249, inMaxMs: 251, want: [100] },
    { name: '250 with a 50 ms stall in a read', inDelta: 70, inMinMs: 250, inMaxMs: 300, want: [250] },
    { name: 'too uncertain', inDelta: 68, inMinMs: 220, inMaxMs: 300, want: [250, 300] },
    { name: 'a stopped counter', inDelta: 0, inMinMs: 250, inMaxMs: 251, want: [] },
    { name: 'no interval', inDelta: 10, inMinMs: 0, inMaxMs: 0, want: [] },
  ])('fits $name', ({ inDelta, inMinMs, inMaxMs, want }) => {
    expect(fittingHz(inDelta, inMinMs * 1e6, inMaxMs * 1e6)).toEqual(want);
  });

  // Units are 256 jiffies; a timeout is rounded up so it never expires early.
  it.each([
    { inSeconds: 60, inHz: 250, want: 59 }, // 58.6
    { inSeconds: 60, inHz: 1000, want: 235 }, // 234.4
    { inSeconds: 7200, inHz: 250, want: 7032 }, // 7031.25
    { inSeconds: 1, inHz: 100, want: 1 }, // 0.39
    { inSeconds: 2592000, inHz: 1000, want: 10125000 }, // 30 days, exact
    { inSeconds: 256, inHz: 300, want: 300 },
  ])('converts $inSeconds s at HZ $inHz to $want units', ({ inSeconds, inHz, want }) => {
    expect(secondsToUnits(inSeconds, inHz)).toBe(want);
    expect(unitsToSeconds(want, inHz)).toBeGreaterThanOrEqual(inSeconds);
    expect(unitsToSeconds(want - 1, inHz)).toBeLessThan(inSeconds);
  });

  // The session clock is jiffies >> 8 as a u32 (it wraps like the datapath's).
  it('takes the session clock from jiffies', () => {
    expect(unitsAt(4297541814n)).toBe(16787272);
    expect(unitsAt((1n << 40n) + (5n << 8n) + 255n)).toBe(5);
  });

  // admit_per_jiffy_q16 = round(rate × 65536 / HZ); the bucket holds a second's worth, at least
  // 16 sessions; 0 = no limit.
  it.each([
    { inRate: 100000, inHz: 250, wantPerJiffy: 26214400n, wantBurst: 6553600000n },
    { inRate: 100000, inHz: 1000, wantPerJiffy: 6553600n, wantBurst: 6553600000n },
    { inRate: 1, inHz: 300, wantPerJiffy: 218n, wantBurst: 16n * 65536n },
    { inRate: 0, inHz: 250, wantPerJiffy: 0n, wantBurst: 0n },
    { inRate: 4294967295, inHz: 100, wantPerJiffy: 2814749766451n, wantBurst: 4294967295n * 65536n },
  ])('admits $inRate per second at HZ $inHz', ({ inRate, inHz, wantPerJiffy, wantBurst }) => {
    expect(admissionOf(inRate, inHz)).toEqual({ perJiffyQ16: wantPerJiffy, burstQ16: wantBurst });
  });

  // Two reads 40 ms apart that advanced by 10 jiffies: HZ 250 (the only choice that fits within
  // ±2 jiffies), and now() from the latest read.
  it('measures HZ from two jiffies reads', async () => {
    const t0 = process.hrtime.bigint();
    const read = async (): Promise<bigint> =>
      1000n + ((process.hrtime.bigint() - t0) * 250n) / 1_000_000_000n;
    const clock = await detectSessionClock(read, 40);
    expect({ hz: clock.hz, source: clock.source }).toEqual({ hz: 250, source: 'measured' });
    expect(await clock.now()).toBe(unitsAt(await read()));
  });

  // Unreadable jiffies, or counts that never fit exactly one HZ (the counter stood still): the
  // fallback, and no now when unreadable.
  it('falls back when jiffies cannot be read or make no sense', async () => {
    const none = await detectSessionClock(async () => undefined, 1);
    expect({ hz: none.hz, source: none.source, now: await none.now() }).toEqual({
      hz: FALLBACK_HZ,
      source: 'fallback',
      now: undefined,
    });
    const stuck = await detectSessionClock(async () => 7n, 120);
    expect({ hz: stuck.hz, source: stuck.source }).toEqual({ hz: FALLBACK_HZ, source: 'fallback' });
  });

  // A given HZ is taken as is; now() still comes from the reader.
  it('takes a given HZ', async () => {
    const c = fixedClock(1000, async () => 512n);
    expect({ hz: c.hz, source: c.source, now: await c.now() }).toEqual({ hz: 1000, source: 'given', now: 2 });
  });
});
