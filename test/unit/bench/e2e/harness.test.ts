// The end-to-end bench's round order: each round starts one peer later, wrapping around, so over
// as many rounds as peers every peer runs first once and the order within a round is kept.

import { rotated } from '../../../../bench/e2e/harness';

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
