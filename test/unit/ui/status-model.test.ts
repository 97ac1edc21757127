// The status page's pure logic (src/ui/status-model.js, the same file the browser runs): Prometheus
// text parsing, a cube's drop counters, backend rows with weight and observed shares and rates
// from two snapshots, the snapshot window, the plot paths and number formats.

import * as M from '../../../src/ui/status-model';
import type { SeriesPoint, ServiceJson } from '../../../src/ui/status-model';

function service(backends: Record<string, unknown>[]): ServiceJson {
  return { vip: '10.0.0.1', vport: 80, proto: 'TCP', backend: backends };
}

describe('parsePrometheus', () => {
  // Samples with and without labels, escapes, special values; comments and junk are skipped.
  it('reads samples and skips comments and malformed lines', () => {
    const text = [
      '# HELP lbrp_drops frames dropped',
      '# TYPE lbrp_drops counter',
      'lbrp_drops{cube="lb0",reason="FRAGMENT"} 3',
      'up 1',
      'odd{l="a \\"q\\" \\\\ b\\nc"} 2.5e3',
      'inf_metric +Inf',
      'not a sample',
      'bad_value{a="b"} x',
      '',
    ].join('\n');
    expect(M.parsePrometheus(text)).toEqual([
      { name: 'lbrp_drops', labels: { cube: 'lb0', reason: 'FRAGMENT' }, value: 3 },
      { name: 'up', labels: {}, value: 1 },
      { name: 'odd', labels: { l: 'a "q" \\ b\nc' }, value: 2500 },
      { name: 'inf_metric', labels: {}, value: Infinity },
    ]);
  });
});

describe('dropsOfCube', () => {
  // Only the cube's drop metrics count, summed per reason (or per metric without a reason).
  it('sums drop counters of the cube by reason, largest first', () => {
    const samples = M.parsePrometheus(
      [
        'lbrp_drops_total{cube="lb0",reason="FRAGMENT",cpu="0"} 2',
        'lbrp_drops_total{cube="lb0",reason="FRAGMENT",cpu="1"} 3',
        'lbrp_drops_total{cube="lb0",reason="NO_BACKEND"} 9',
        'lbrp_drops_total{cube="lb1",reason="NO_BACKEND"} 100',
        'lbrp_service_dropped{cube="lb0"} 1',
        'lbrp_service_packets{cube="lb0"} 50',
      ].join('\n'),
    );
    expect(M.dropsOfCube(samples, 'lb0')).toEqual([
      { reason: 'NO_BACKEND', value: 9 },
      { reason: 'FRAGMENT', value: 5 },
      { reason: 'lbrp_service_dropped', value: 1 },
    ]);
  });

  // No drop metric: an empty list, which the page shows as "not exposed".
  it('is empty when no drop counter is exposed', () => {
    expect(M.dropsOfCube(M.parsePrometheus('lbrp_service_packets{cube="lb0"} 5'), 'lb0')).toEqual([]);
  });
});

describe('backendRows', () => {
  const before = service([
    { ip: '10.1.0.1', port: 80, weight: 1, packets: 100, bytes: 1000, 'total-sessions': 10 },
    { ip: '10.1.0.2', port: 80, weight: 3, packets: 100, bytes: 1000, 'total-sessions': 10 },
  ]);
  const now = service([
    {
      ip: '10.1.0.1',
      port: 80,
      weight: 1,
      packets: 300,
      bytes: 5000,
      'active-sessions': 4,
      'total-sessions': 20,
      'sessions-not-stored': 2,
    },
    { ip: '10.1.0.2', port: 80, weight: 3, packets: 500, bytes: 9000, 'total-sessions': 40, health: 'UP' },
  ]);

  // Weight share from the weights, observed share from the new sessions, rates per second.
  it('computes shares and rates between two snapshots', () => {
    const rows = M.backendRows(now, before, 2);
    expect(rows.map((r) => [r.ip, r.weightShare, r.newSessions, r.observedShare])).toEqual([
      ['10.1.0.1', 0.25, 10, 0.25],
      ['10.1.0.2', 0.75, 30, 0.75],
    ]);
    expect(rows.map((r) => [r.packetsPerSecond, r.bytesPerSecond])).toEqual([
      [100, 2000],
      [200, 4000],
    ]);
    expect(rows[0]).toMatchObject({ activeSessions: 4, totalSessions: 20, health: null });
    expect(rows[1]).toMatchObject({ activeSessions: null, health: 'UP' });
  });

  // A numeric leaf the page does not know (a counter added later) is carried as an extra.
  it('carries unknown numeric leaves as extras', () => {
    const rows = M.backendRows(now, before, 2);
    expect(rows[0].extras).toEqual([{ name: 'sessions-not-stored', value: 2 }]);
    expect(rows[1].extras).toEqual([]);
  });

  // Without an earlier snapshot, or with no new session, there is nothing to observe.
  it('has no observed share without history or without new sessions', () => {
    const first = M.backendRows(now, undefined, 0);
    expect(first.map((r) => [r.newSessions, r.observedShare, r.packetsPerSecond])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    const idle = M.backendRows(now, now, 1);
    expect(idle.map((r) => [r.newSessions, r.observedShare])).toEqual([
      [0, null],
      [0, null],
    ]);
  });

  // A counter that went down (backend re-created) is unknown, not negative; a missing weight is 1.
  it('treats a decreased counter as unknown and a missing weight as 1', () => {
    const reset = service([{ ip: '10.1.0.1', port: 80, 'total-sessions': 3, packets: 1 }]);
    const rows = M.backendRows(reset, before, 1);
    expect(rows[0]).toMatchObject({ weight: 1, weightShare: 1, newSessions: null, packetsPerSecond: null });
  });

  it('gives every weight a share of 0 when the weights sum to 0', () => {
    const zero = service([{ ip: '10.1.0.1', port: 80, weight: 0 }]);
    expect(M.backendRows(zero, undefined, 0)[0].weightShare).toBe(0);
  });
});

describe('recordSnapshot', () => {
  const cubeAt = (sessions: number) => ({
    service: [{ ...service([{ ip: '10.1.0.1', port: 80, 'total-sessions': sessions }]) }],
  });

  // Compares with the newest snapshot at least the window old, and plots sessions per second.
  it('keeps a window of snapshots and one plot point per refresh', () => {
    const h = M.createHistory(5, 3);
    expect(M.recordSnapshot(h, 0, cubeAt(0))).toEqual({ old: undefined, seconds: 0 });
    for (let t = 1; t <= 8; t++) M.recordSnapshot(h, t, cubeAt(t * 10));
    const cmp = M.recordSnapshot(h, 9, cubeAt(90));
    expect(cmp.seconds).toBe(5);
    expect(cmp.old).toEqual(cubeAt(40));
    expect(h.series.length).toBe(3);
    expect(h.series.map((p) => p.values['10.0.0.1:80/TCP 10.1.0.1'])).toEqual([10, 10, 10]);
  });
});

describe('plotPaths', () => {
  it('scales each series into the box with the largest value at the top', () => {
    const series: SeriesPoint[] = [
      { t: 0, values: { a: 0, b: 2 } },
      { t: 1, values: { a: 4 } },
      { t: 2, values: { a: 2, b: 0 } },
    ];
    const got = M.plotPaths(series, ['a', 'b', 'c'], 100, 40);
    expect(got.max).toBe(4);
    expect(got.paths).toEqual({
      a: 'M0.0 40.0 L50.0 0.0 L100.0 20.0',
      b: 'M0.0 20.0 L100.0 40.0',
      c: '',
    });
  });

  // With room for five points, three recent ones sit at the right: one slot of 25 apart.
  it('puts a short history at the right edge of a plot with more slots', () => {
    const series: SeriesPoint[] = [0, 1, 2].map((t) => ({ t, values: { a: t } }));
    expect(M.plotPaths(series, ['a'], 100, 10, 5).paths.a).toBe('M50.0 10.0 L75.0 5.0 L100.0 0.0');
  });
});

describe('formats', () => {
  it.each([
    [1234567, undefined, '1,234,567'],
    [1234.56, 1, '1,234.6'],
    [0, undefined, '0'],
    [null, undefined, '–'],
  ])('formatNumber(%s, %s) is %s', (v, d, want) => {
    expect(M.formatNumber(v, d)).toBe(want);
  });

  it('formats percentages and byte rates', () => {
    expect(M.formatPercent(1 / 3)).toBe('33.3 %');
    expect(M.formatPercent(null)).toBe('–');
    expect(M.formatByteRate(999)).toBe('999 B/s');
    expect(M.formatByteRate(1500)).toBe('1.5 kB/s');
    expect(M.formatByteRate(2.5e9)).toBe('2.5 GB/s');
  });
});
