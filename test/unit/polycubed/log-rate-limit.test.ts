// The datapath log budget: 1,000 lines a second per cube, the rest counted and reported once a
// second, through CubeEvents as a polycubed cube sees them.

import { CubeEvents, type CubeEventsContext } from '../../../src/polycubed/core/cube-events';
import { LineRateLimit } from '../../../src/polycubed/core/log-rate-limit';
import type { CubeRecord } from '../../../src/polycubed/core/cube-registry';
import type { LogEvent } from '../../../src/polycubed/core/types';

describe('LineRateLimit', () => {
  it('lets a burst of the rate through, refills with time, and reports what it held back once a second', () => {
    let t = 0;
    const lim = new LineRateLimit(10, () => t);
    expect(Array.from({ length: 15 }, () => lim.take()).filter(Boolean)).toHaveLength(10);
    expect(lim.report()).toBe(0); // less than a second since the start
    t = 500; // half a second refills 5
    expect(Array.from({ length: 8 }, () => lim.take()).filter(Boolean)).toHaveLength(5);
    t = 1000;
    expect(lim.report()).toBe(8); // 5 + 3 held back
    expect(lim.report()).toBe(0);
    t = 10_000; // a long pause refills to the burst, not beyond
    expect(Array.from({ length: 12 }, () => lim.take()).filter(Boolean)).toHaveLength(10);
  });
});

describe('CubeEvents datapath log lines', () => {
  it('prints at most 1,000 lines a second per cube and then says how many it suppressed', () => {
    let t = 0;
    const events: LogEvent[] = [];
    const cube = { name: 'lb0', loglevel: 'TRACE', logLinesSuppressed: 0 } as unknown as CubeRecord;
    const ctx = {
      cubes: { get: (n: string) => (n === 'lb0' ? cube : undefined) },
      service: () => undefined,
      log: () => undefined,
      saveRuntime: () => undefined,
      emit: (_e: string, ev: LogEvent) => events.push(ev),
    } as unknown as CubeEventsContext;
    const ev = new CubeEvents(ctx, () => t);
    const rec = { type: 0, cubeId: 1, level: 0, fmt: 'rx port %u', args: [1n] };
    for (let i = 0; i < 1500; i++) ev.onCubeLog('lb0', rec);
    expect(events).toHaveLength(1000);
    expect(cube.logLinesSuppressed).toBe(500); // polycubed_cube_log_lines_suppressed_total
    expect(events[0]).toEqual({ cube: 'lb0', level: 'TRACE', message: 'rx port 1' });
    t = 1200;
    ev.onCubeLog('lb0', rec);
    expect(events.slice(1000)).toEqual([
      {
        cube: 'lb0',
        level: 'WARN',
        message: '500 datapath log lines suppressed (more than 1000 per second)',
      },
      { cube: 'lb0', level: 'TRACE', message: 'rx port 1' },
    ]);
  });
});
