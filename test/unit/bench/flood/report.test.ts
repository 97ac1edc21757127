// The flood bench's report: the table puts each measured peer in a column with the issue's
// figures, lists skipped peers below it, and the goals hold lbrp to 100 % of its idle sessions
// and ≥ 99 % of its new connections.

import { defaultFloodConfig } from '../../../../bench/flood/config';
import type { FloodResult, PeerFloodResult } from '../../../../bench/flood/harness';
import { floodGoals, formatFloodTable } from '../../../../bench/flood/report';

function peer(name: PeerFloodResult['peer'], kept: number, legitOk: number): PeerFloodResult {
  return {
    peer: name,
    status: 'measured',
    open: { opened: 10, failed: 0, byBackend: { b1: 4, b2: 3, b3: 3 }, errors: {} },
    sent: { packets: 200_000, seconds: 10, pps: 20_000, errors: 0 },
    rates: { atLbPps: 20_100, toBackendsPps: 19_000, toClientPps: 19_500, vethDroppedPps: 0 },
    legit: { attempted: 100, succeeded: legitOk, errors: {}, p50Ms: 3, p99Ms: 40 },
    check: {
      total: 10,
      kept,
      moved: 0,
      broken: 10 - kept,
      byBackend: {
        b3: { total: 3, kept: Math.max(0, kept - 7), moved: 0, broken: 3 - Math.max(0, kept - 7) },
      },
      errors: {},
    },
    table: { sessions: 5000, capacity: 65536, counters: {}, notes: [] },
    counterDeltas: { 'drop.SESSION_CREATE': 30_000 },
  };
}

function result(peers: PeerFloodResult[]): FloodResult {
  return {
    generatorPps: 250_000,
    meta: { started: '', seconds: 1, kernel: '', cpus: 2, cpuModel: '', commit: '', loadAverage: 0 },
    config: defaultFloodConfig(),
    rounds: peers.map((p) => ({ ...p, round: 1 })),
    peers,
  };
}

describe('bench/flood report', () => {
  // Each measured peer is a column; the drained backend's row and the lbrp drop rate come from its figures.
  it('formats one column per measured peer and lists the skipped ones', () => {
    const r = result([
      peer('lbrp-tc', 7, 100),
      peer('nftables', 10, 99),
      { peer: 'iptables', status: 'skipped', reason: 'missing nft' },
    ]);
    const text = formatFloodTable(r);
    expect(text).toContain('| | lbrp-tc | nftables |');
    expect(text).toContain('| … that kept their backend | 70.0 % (7) | 100.0 % (10) |');
    expect(text).toContain('| … on the drained backend: kept | 0.0 % (0/3) | 100.0 % (3/3) |');
    expect(text).toContain('| … of which counted as lbrp drops (per s) | 3000 | – |');
    expect(text).toContain('| received but not forwarded (per s) | 1100 | 1100 |');
    expect(text).toContain('iptables: skipped: missing nft');
    expect(text).toContain('The generator alone: 250 k SYNs/s');
  });

  // Only lbrp has goals; one idle session lost or 2 % of new connections failed is a miss.
  it.each([
    { name: 'all kept, all new ok', kept: 10, legit: 100, want: [true, true] },
    { name: 'one idle session lost', kept: 9, legit: 100, want: [false, true] },
    { name: '99 % of new connections', kept: 10, legit: 99, want: [true, true] },
    { name: '98 % of new connections', kept: 10, legit: 98, want: [true, false] },
  ])('goals: $name', ({ kept, legit, want }) => {
    const goals = floodGoals(result([peer('lbrp-tc', kept, legit), peer('iptables', 0, 0)]));
    expect(goals.map((g) => g.peer)).toEqual(['lbrp-tc', 'lbrp-tc']);
    expect(goals.map((g) => g.met)).toEqual(want);
  });

  // A goal met by the median but missed in one round is not met.
  it('goals hold in every round, not only in the median', () => {
    const r = result([peer('lbrp-tc', 10, 100)]);
    r.rounds = [1, 2, 3].map((round) => ({ ...peer('lbrp-tc', round === 2 ? 9 : 10, 100), round }));
    expect(floodGoals(r).map((g) => g.met)).toEqual([false, true]);
  });
});
