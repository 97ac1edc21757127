// The flood bench's round summaries: every figure of a peer is the median over its measured
// rounds, counters missing in a round count as 0 there, and a peer never measured keeps its reason.

import type { PeerFloodResult } from '../../../../bench/flood/harness';
import { median, summarizeRounds } from '../../../../bench/flood/summary';

describe('bench/flood summary', () => {
  // Odd counts take the middle value, even counts the lower middle one, unsorted input included.
  it.each([
    { name: 'empty', xs: [], want: 0 },
    { name: 'one', xs: [7], want: 7 },
    { name: 'odd, unsorted', xs: [9, 1, 5], want: 5 },
    { name: 'even', xs: [4, 1, 3, 2], want: 2 },
  ])('median: $name', ({ xs, want }) => expect(median(xs)).toBe(want));

  // Nested figures and counters are medians per leaf; failed rounds are left out.
  it('takes the median of each figure over the measured rounds', () => {
    const round = (n: number, kept: number, drops?: number): PeerFloodResult => ({
      peer: 'lbrp-tc',
      round: n,
      status: 'measured',
      sent: { packets: kept * 10, seconds: 10, pps: kept, errors: 0 },
      counterDeltas: drops === undefined ? {} : { 'drop.SESSION_CREATE': drops },
    });
    const rounds: PeerFloodResult[] = [
      round(1, 600, 30),
      { peer: 'lbrp-tc', round: 2, status: 'failed', reason: 'boom' },
      round(3, 700),
      round(4, 650, 90),
      { peer: 'nftables', round: 1, status: 'skipped', reason: 'missing nft' },
    ];
    const [lbrp, nft] = summarizeRounds(['lbrp-tc', 'nftables'], rounds);
    expect(lbrp.status).toBe('measured');
    expect(lbrp.rounds).toBe(3);
    expect(lbrp.round).toBeUndefined();
    expect(lbrp.sent).toEqual({ packets: 6500, seconds: 10, pps: 650, errors: 0 });
    expect(lbrp.counterDeltas).toEqual({ 'drop.SESSION_CREATE': 30 });
    expect(nft).toEqual({ peer: 'nftables', round: 1, status: 'skipped', reason: 'missing nft' });
  });
});
