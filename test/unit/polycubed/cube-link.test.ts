// The names of a cube-to-cube link's veth pair: both sides derive the same pair and get opposite
// ends, another daemon (scope) gets another pair, and every name fits IFNAMSIZ.

import { cubeLinkNames, isCubeLinkName } from '../../../src/polycubed/core/cube-link';

describe('cubeLinkNames', () => {
  it('gives the two sides of one link the two ends of one pair', () => {
    const a = cubeLinkNames('lb0:to1', 'lb1:from0', '/sys/fs/bpf/lbrp');
    const b = cubeLinkNames('lb1:from0', 'lb0:to1', '/sys/fs/bpf/lbrp');
    expect(a).toEqual({ mine: b.theirs, theirs: b.mine });
    expect(a.mine.slice(0, -1)).toBe(a.theirs.slice(0, -1));
    for (const n of [a.mine, a.theirs]) {
      expect(n.length).toBeLessThanOrEqual(15);
      expect(isCubeLinkName(n)).toBe(true);
    }
  });

  it('differs between links and between daemons', () => {
    const base = cubeLinkNames('lb0:to1', 'lb1:from0', 'x').mine;
    expect(cubeLinkNames('lb0:to1', 'lb2:from0', 'x').mine).not.toBe(base);
    expect(cubeLinkNames('lb0:to1', 'lb1:from0', 'y').mine).not.toBe(base);
    expect(cubeLinkNames('lb0:to1', 'lb1:from0', 'x').mine).toBe(base); // stable (a restart finds it)
  });

  it('tells its names from a user netdev', () => {
    expect(['eth0', 'pcnl0123456789', 'pcnl0123456789c', 'veth1'].map(isCubeLinkName)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
