// The rtnetlink link and address dumps (netlink-links.ts) and the netdev watch built on them,
// checked against `ip -j link` / `ip -j addr` of the same namespace. Dumps need no privilege, so
// this runs as a unit test. Other tests add and remove links meanwhile: a comparison is only made
// when `ip` saw the same table right before and right after our dump.

import { execFileSync } from 'node:child_process';
import { listAddresses, listLinks, type LinkInfo } from '../../../src/polycubed/runtime/netlink-links';
import { NetdevWatch } from '../../../src/polycubed/runtime/netdev-watch';

jest.setTimeout(30_000);

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

const ip = (): IpLink[] =>
  JSON.parse(execFileSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8' })) as IpLink[];

/** Runs `ours` between two identical `ip` snapshots (at most 10 tries); returns both views. */
function stable<T>(ours: () => T): { ip: IpLink[]; ours: T } {
  for (let i = 0; i < 10; i++) {
    const before = ip();
    const got = ours();
    const after = ip();
    if (JSON.stringify(before) === JSON.stringify(after)) return { ip: before, ours: got };
  }
  throw new Error('the namespace kept changing; no stable comparison in 10 tries');
}

describe('listLinks', () => {
  it('lists every link with the ifindex, name and flags ip shows, in ifindex order', () => {
    const { ip: links, ours } = stable(listLinks);
    const expected = links
      .map((l) => ({
        name: l.ifname,
        ifindex: l.ifindex,
        up: l.flags.includes('UP'),
        loopback: l.flags.includes('LOOPBACK'),
      }))
      .sort((a, b) => a.ifindex - b.ifindex);
    expect(ours.map(({ name, ifindex, up, loopback }) => ({ name, ifindex, up, loopback }))).toEqual(
      expected,
    );
    const lo = ours.find((l) => l.name === 'lo') as LinkInfo;
    expect(lo.flags & 0x1).toBe(0x1); // IFF_UP, as in the flags word
    expect(lo.flags & 0x8).toBe(0x8); // IFF_LOOPBACK
  });
});

describe('listAddresses', () => {
  it('gives each ifindex its IPv4 then IPv6 addresses with prefix lengths, as ip does', () => {
    const { ip: links, ours } = stable(listAddresses);
    for (const l of links) {
      const info = l.addr_info ?? [];
      const expected = [
        ...info.filter((a) => a.family === 'inet'),
        ...info.filter((a) => a.family === 'inet6'),
      ].map((a) => `${a.local}/${a.prefixlen}`);
      expect({ link: l.ifname, addresses: ours.get(l.ifindex) ?? [] }).toEqual({
        link: l.ifname,
        addresses: expected,
      });
    }
    const lo = links.find((l) => l.ifname === 'lo') as IpLink;
    expect(ours.get(lo.ifindex)?.[0]).toBe('127.0.0.1/8');
  });
});

describe('NetdevWatch', () => {
  it('hands the whole table by name at start and on poll, and stops polling when stopped', () => {
    const seen: Array<Map<string, LinkInfo>> = [];
    const watch = new NetdevWatch(
      60_000,
      (links) => seen.push(links),
      (err) => {
        throw err;
      },
    );
    watch.start();
    watch.start(); // idempotent: no second poll, no second timer
    expect(seen).toHaveLength(1);
    expect(seen[0].get('lo')).toMatchObject({ name: 'lo', loopback: true, up: true });
    watch.poll();
    expect(seen).toHaveLength(2);
    watch.stop();
    watch.stop();
  });

  it('polls every period and sends a failing handler to onError instead of throwing', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const watch = new NetdevWatch(
      20,
      () => {
        calls++;
        throw new Error(`handler failed ${calls}`);
      },
      (err) => errors.push(err),
    );
    watch.start();
    for (let i = 0; i < 200 && calls < 3; i++) await new Promise((r) => setTimeout(r, 20));
    watch.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(after); // stopped: no more polls
    expect(after).toBeGreaterThanOrEqual(3);
    expect((errors as Error[]).map((e) => e.message).slice(0, 3)).toEqual([
      'handler failed 1',
      'handler failed 2',
      'handler failed 3',
    ]);
  });
});
