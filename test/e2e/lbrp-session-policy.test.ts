// The session policy and session counters through the real stack (polycubed + lbrp-service, real
// kernel, pinned maps): timeouts and the admission rate set over REST and polycubectl land in
// the pinned session_config in clock units at the kernel's HZ (measured here on its own, from
// /proc/timer_list over one second); each cube has its own nonzero secret, kept across a program
// reload and a restart of both daemons; out-of-range values get a 400 naming the leaf and change
// nothing; the cube counters (open sessions, table entries, session_events summed over CPUs) show
// what the maps hold, in `show` and on /metrics.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CT_STATE,
  CT_STATE_SHIFT,
  decodeSessionConfig,
  encodeU32,
  EV,
  SESSION_FORWARD,
  SESSION_WAYS,
  type SessionConfig,
} from '../../src/lbrp/dataplane/map-layouts';
import { BpfMap, numPossibleCpus } from '../../src/polycubed/runtime/bpf-map';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, waitFor } from '../fixtures/lbrp/e2e-stack';

const KEY0 = encodeU32(0);

/** The kernel's jiffies, read by this test on its own (the first `jiffies:` line). */
function jiffies(): bigint {
  const m = /^jiffies:\s*(\d+)$/m.exec(readFileSync('/proc/timer_list', 'utf8'));
  if (!m) throw new Error('no jiffies line in /proc/timer_list');
  return BigInt(m[1]);
}

/**
 * CONFIG_HZ from jiffies over about one second: the one choice within the counts' bounds (each
 * read bracketed by clock reads, ±2 jiffies), so a stalled read cannot tip 250 into 300.
 */
async function measureHz(): Promise<number> {
  const a0 = process.hrtime.bigint();
  const j0 = jiffies();
  const b0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 1000));
  const a1 = process.hrtime.bigint();
  const dj = Number(jiffies() - j0);
  const b1 = process.hrtime.bigint();
  const lo = ((dj - 2) * 1e9) / Number(b1 - a0);
  const hi = ((dj + 2) * 1e9) / Number(a1 - b0);
  const fits = [100, 250, 300, 1000].filter((h) => h >= lo && h <= hi);
  if (fits.length !== 1) throw new Error(`${dj} jiffies in about a second fit ${JSON.stringify(fits)}`);
  return fits[0];
}

type PlainConfig = Omit<SessionConfig, 'admitPerJiffyQ16' | 'admitBurstQ16'> & {
  admitPerJiffyQ16: string;
  admitBurstQ16: string;
};

/** Seconds in session clock units (256 jiffies), rounded up. */
const units = (seconds: number, hz: number): number => Math.ceil((seconds * hz) / 256);

describeE2e('e2e: lbrp session policy and counters', () => {
  const stack = new LbrpStack();
  let hz = 0;

  const withMap = <T>(cube: string, map: string, f: (m: BpfMap) => T): T => {
    const m = BpfMap.fromPinned(join(stack.pinRoot, cube, 'maps', map));
    try {
      return f(m);
    } finally {
      m.close();
    }
  };
  /** session_config as plain JSON values (u64 fields as strings: jest cannot serialize a bigint). */
  const plain = (c: SessionConfig): PlainConfig => ({
    secret: c.secret,
    timeouts: c.timeouts,
    admitPerJiffyQ16: String(c.admitPerJiffyQ16),
    admitBurstQ16: String(c.admitBurstQ16),
  });
  const sessionConfig = (cube: string): PlainConfig =>
    withMap(cube, 'session_config', (m) => plain(decodeSessionConfig(m.lookup(KEY0) as Buffer)));
  const progId = (cube: string): number =>
    (
      JSON.parse(
        execFileSync('bpftool', ['-j', 'prog', 'show', 'pinned', join(stack.pinRoot, cube, 'prog')], {
          encoding: 'utf8',
        }),
      ) as { id: number }
    ).id;
  /** What session_config must hold for these timeouts (seconds) and rate at the kernel's HZ. */
  const expected = (
    secret: SessionConfig['secret'],
    t: [number, number, number, number, number],
    rate: number,
  ): PlainConfig => ({
    secret,
    timeouts: t.map((s) => units(s, hz)),
    admitPerJiffyQ16: String(Math.round((rate * 65536) / hz)),
    admitBurstQ16: String(BigInt(rate === 0 ? 0 : Math.max(rate, 16)) * 65536n),
  });

  beforeAll(async () => {
    hz = await measureHz();
    await stack.start();
  }, 120_000);

  afterAll(async () => {
    await stack.cleanup();
  }, 30_000);

  // A new cube holds the default policy in clock units and a nonzero secret of its own.
  it('writes the defaults and a per-cube secret at creation', async () => {
    expect((await stack.rest('POST', 'lbrp/sp0/', {})).status).toBe(201);
    expect((await stack.rest('POST', 'lbrp/sp1/', {})).status).toBe(201);
    const c0 = sessionConfig('sp0');
    const c1 = sessionConfig('sp1');
    expect(c0.secret.some((w) => w !== 0)).toBe(true);
    expect(c1.secret.some((w) => w !== 0)).toBe(true);
    expect(c1.secret).not.toEqual(c0.secret);
    expect(c0).toEqual(expected(c0.secret, [60, 7200, 10, 60, 30], 100000));
    expect(await stack.ok('GET', 'lbrp/sp0/')).toMatchObject({
      'tcp-new-timeout': 60,
      'tcp-established-timeout': 7200,
      'tcp-closing-timeout': 10,
      'udp-timeout': 60,
      'icmp-timeout': 30,
      'new-sessions-per-cpu': 100000,
    });
  }, 120_000);

  // Changes at run time, by a cube PATCH, a leaf PATCH and polycubectl: the map follows, the
  // secret stays, no program is reloaded.
  it('applies changes at run time over REST and polycubectl', async () => {
    const secret = sessionConfig('sp0').secret;
    const prog = progId('sp0');
    expect(
      (await stack.rest('PATCH', 'lbrp/sp0/', { 'tcp-new-timeout': 5, 'new-sessions-per-cpu': 0 })).status,
    ).toBe(200);
    expect((await stack.rest('PATCH', 'lbrp/sp0/tcp-established-timeout/', 86400)).status).toBe(200);
    const set = await stack.cli(['sp0', 'set', 'udp-timeout=120', 'icmp-timeout=2']);
    expect(set).toMatchObject({ code: 0 });
    expect(sessionConfig('sp0')).toEqual(expected(secret, [5, 86400, 10, 120, 2], 0));
    expect(await stack.ok('GET', 'lbrp/sp0/udp-timeout/')).toBe(120);
    expect(progId('sp0')).toBe(prog);
    expect((await stack.rest('PATCH', 'lbrp/sp0/', { 'new-sessions-per-cpu': 5000 })).status).toBe(200);
    expect(sessionConfig('sp0')).toEqual(expected(secret, [5, 86400, 10, 120, 2], 5000));
  }, 120_000);

  // Out of range: 400 naming the leaf (from the YANG ranges), nothing changed anywhere.
  it('refuses out-of-range values naming the leaf, changing nothing', async () => {
    const before = sessionConfig('sp0');
    const view = await stack.ok('GET', 'lbrp/sp0/');
    for (const [path, body, leaf] of [
      ['lbrp/sp0/', { 'tcp-new-timeout': 0 }, 'tcp-new-timeout'],
      ['lbrp/sp0/', { 'udp-timeout': 60, 'tcp-closing-timeout': 2592001 }, 'tcp-closing-timeout'],
      ['lbrp/sp0/icmp-timeout/', 0, 'icmp-timeout'],
      ['lbrp/sp0/new-sessions-per-cpu/', -1, 'new-sessions-per-cpu'],
      ['lbrp/sp0/new-sessions-per-cpu/', 4294967296, 'new-sessions-per-cpu'],
    ] as const) {
      const r = await stack.rest('PATCH', path, body);
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(r.text).toContain(leaf);
    }
    const cli = await stack.cli(['sp0', 'set', 'tcp-new-timeout=0']);
    expect(cli.code).not.toBe(0);
    expect(cli.out).toContain('tcp-new-timeout');
    expect(sessionConfig('sp0')).toEqual(before);
    expect(await stack.ok('GET', 'lbrp/sp0/')).toEqual(view);
  }, 120_000);

  // The secret outlives a program reload (a new port's id is compiled in) and a restart of both
  // daemons; so do the policy values (persisted and written back unchanged).
  it('keeps the secret and the policy across a reload and a restart', async () => {
    const before = sessionConfig('sp0');
    const prog = progId('sp0');
    expect((await stack.rest('POST', 'lbrp/sp0/ports/fe/', { type: 'FRONTEND' })).status).toBe(201);
    expect(progId('sp0')).not.toBe(prog);
    expect(sessionConfig('sp0')).toEqual(before);
    await stack.stopLbrp();
    await stack.stopPolycubed();
    await expect(stack.rest('GET', 'lbrp/')).rejects.toThrow(); // nothing answers
    await stack.startPolycubed();
    await stack.startLbrp();
    expect(sessionConfig('sp0')).toEqual(before);
    expect(await stack.ok('GET', 'lbrp/sp0/')).toMatchObject({
      'tcp-new-timeout': 5,
      'tcp-established-timeout': 86400,
      'udp-timeout': 120,
      'icmp-timeout': 2,
      'new-sessions-per-cpu': 5000,
    });
    // A change after the restart still keeps the secret.
    expect((await stack.rest('PATCH', 'lbrp/sp0/', { 'tcp-closing-timeout': 20 })).status).toBe(200);
    expect(sessionConfig('sp0')).toEqual(expected(before.secret, [5, 86400, 20, 120, 2], 5000));
  }, 180_000);

  // The counters show what the maps hold: session_events summed over CPUs, the table's used
  // ways, and open sessions (a fresh TCP handshake counts, one idle past tcp-new-timeout does
  // not); the same numbers in GET, `show` and /metrics.
  it('shows the session counters from the maps in GET, show and /metrics', async () => {
    const cpus = numPossibleCpus();
    const perCpu = (total: number): Buffer[] =>
      Array.from({ length: cpus }, (_, i) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(i === 0 ? total - (cpus - 1) : 1));
        return b;
      });
    withMap('sp1', 'session_events', (m) => {
      m.updatePerCpu(encodeU32(EV.EVICT_ESTABLISHED), perCpu(7));
      m.updatePerCpu(encodeU32(EV.ADMISSION_REFUSED), perCpu(1000));
      m.updatePerCpu(encodeU32(EV.FRAG_TRANSLATED), perCpu(3));
    });
    // Bucket 0: two TCP conntrack entries in state new, one seen now and one idle for 10 times
    // tcp-new-timeout (60 s).
    const now = Number((jiffies() >> 8n) & 0xffffffffn);
    const bucket = Buffer.alloc(40 * SESSION_WAYS);
    [now, now - 10 * units(60, hz)].forEach((lastSeen, i) => {
      bucket.writeUInt32BE(0x0a000001 + i, 40 * i); // saddr
      bucket[40 * i + 12] = 6;
      bucket[40 * i + 13] = SESSION_FORWARD;
      bucket.writeUInt16LE(CT_STATE.NEW << CT_STATE_SHIFT, 40 * i + 22);
      bucket.writeUInt32LE(lastSeen >>> 0, 40 * i + 36);
    });
    withMap('sp1', 'sessions', (m) => m.update(encodeU32(0), bucket));
    const want = {
      'active-sessions': 1,
      'session-table-entries': 2,
      'admissions-refused': 1000,
      'evictions-expired': 0,
      'evictions-unestablished': 0,
      'evictions-established': 7,
      'sessions-not-stored': 0,
      'stateless-replies': 0,
      'fragments-translated': 3,
    };
    // Counters are cached for a second: wait for the new read.
    await waitFor(
      async () =>
        ((await stack.ok('GET', 'lbrp/sp1/')) as Record<string, number>)['evictions-established'] === 7,
      'the counters to be read again',
      10_000,
    );
    expect(await stack.ok('GET', 'lbrp/sp1/')).toMatchObject(want);
    expect(await stack.ok('GET', 'lbrp/sp1/active-sessions/')).toBe(1);
    const show = await stack.cli(['sp1', 'show']);
    for (const [leaf, n] of Object.entries(want))
      expect(show.out).toMatch(new RegExp(`^${leaf}: ${n}(\\.0+)?$`, 'm'));
    expect(show.out).toMatch(/^tcp-new-timeout: 60(\.0+)?$/m);
    const metrics = await fetch(`http://127.0.0.1:${stack.port}/metrics`).then((r) => r.text());
    // Gauges keep the leaf's name; counters (counter64 leaves) end in _total.
    const GAUGES = ['active-sessions', 'session-table-entries'];
    for (const [leaf, n] of Object.entries(want)) {
      const name = `lbrp_${leaf.replace(/-/g, '_')}${GAUGES.includes(leaf) ? '' : '_total'}`;
      expect(metrics).toContain(`${name}{cube="sp1"} ${n}`);
    }
    expect(metrics).toMatch(
      /^# HELP lbrp_evictions_established_total Established session entries replaced by new sessions/m,
    );
    expect(metrics).toMatch(/^# TYPE lbrp_evictions_established_total counter$/m);
    // The secret is nowhere in the REST answer (no member, none of its words).
    const everything = JSON.stringify(await stack.ok('GET', 'lbrp/sp1/'));
    expect(everything).not.toContain('secret');
    for (const w of sessionConfig('sp1').secret) expect(everything).not.toContain(String(w));
  }, 120_000);
});
