// The configuration dump is written once per burst of changes, never by two writes at once, and
// flush/close write what is pending.

import { CoalescingWriter } from '../../../src/polycubed/core/coalescing-writer';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A write function that records its calls and can be held open to simulate a slow write. */
function recorder(holdMs = 0): {
  calls: string[][];
  overlaps: number;
  write: (n: string[]) => Promise<string | undefined>;
} {
  const rec = { calls: [] as string[][], overlaps: 0, active: 0 };
  return {
    calls: rec.calls,
    get overlaps() {
      return rec.overlaps;
    },
    write: async (names) => {
      rec.active += 1;
      if (rec.active > 1) rec.overlaps += 1;
      rec.calls.push([...names].sort());
      await sleep(holdMs);
      rec.active -= 1;
      return undefined;
    },
  };
}

describe('CoalescingWriter', () => {
  // Changes inside one window become a single write carrying every changed name once.
  it('writes a burst of changes once', async () => {
    const r = recorder();
    const w = new CoalescingWriter(r.write, 20);
    w.mark('lb0');
    w.mark('lb1');
    w.mark('lb0');
    expect(r.calls).toEqual([]);
    await sleep(60);
    expect(r.calls).toEqual([['lb0', 'lb1']]);
  });

  // A change made while a write runs is written after it, by a second write, never concurrently.
  it('writes changes made during a write after it, never overlapping', async () => {
    const r = recorder(40);
    const w = new CoalescingWriter(r.write, 5);
    w.mark('lb0');
    await sleep(20); // the first write is running now
    w.mark('lb1');
    await sleep(120);
    expect(r.calls).toEqual([['lb0'], ['lb1']]);
    expect(r.overlaps).toBe(0);
  });

  // flush() writes pending changes at once instead of waiting for the window.
  it('flushes pending changes immediately', async () => {
    const r = recorder();
    const w = new CoalescingWriter(r.write, 10_000);
    w.mark('lb0');
    await w.flush();
    expect(r.calls).toEqual([['lb0']]);
    await w.flush();
    expect(r.calls).toHaveLength(1);
  });

  // Each mark resolves once a write that carries it has finished, with that write's error text.
  it('resolves each mark after the write that carries it, with its error', async () => {
    const results = ['disk full', undefined];
    const calls: string[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const w = new CoalescingWriter(async (names) => {
      calls.push(names);
      if (calls.length === 1) await gate;
      return results[calls.length - 1];
    }, 0);
    const first = w.mark('lb0');
    await sleep(10); // the first write is running (held by the gate)
    const second = w.mark('lb1');
    release();
    expect(await first).toBe('disk full');
    expect(await second).toBeUndefined();
    expect(calls).toEqual([['lb0'], ['lb1']]);
  });

  // A write that throws settles its marks with the error's message instead of leaving them waiting.
  it('settles marks when the write throws', async () => {
    const w = new CoalescingWriter(() => Promise.reject(new Error('EIO')), 0);
    expect(await w.mark('lb0')).toBe('EIO');
  });

  // close() writes what is pending and stops scheduling; later marks wait for an explicit flush.
  it('closes after writing what is pending', async () => {
    const r = recorder();
    const w = new CoalescingWriter(r.write, 5);
    w.mark('lb0');
    await w.close();
    expect(r.calls).toEqual([['lb0']]);
    w.mark('lb1');
    await sleep(30);
    expect(r.calls).toHaveLength(1);
    await w.flush();
    expect(r.calls).toEqual([['lb0'], ['lb1']]);
  });
});
