// npm run bench:sync — what session sync costs per 1,000 new sessions (each two entries: conntrack
// and reverse NAT): bytes on the wire, and CPU of the sender (reading the table and diffing it,
// encoding and sealing frames) and of the receiver (verifying, translating, writing buckets),
// on two loaded lbrp programs (TC) with the pinned-map code paths lbrp-sync uses. Also the idle
// cost: one full pass over a table that did not change. Rounds: --rounds N (default 5); medians.
//
// Method: node A gets N sessions from real SYNs (BPF_PROG_TEST_RUN), then the sender side runs
// SessionScanner over the whole table and seals the changes into ENTRIES frames; the receiver
// side opens the frames and applies them to node B's table (other ids and secret). CPU is
// process.cpuUsage() (user + system) around each side; N = 10,000 sessions (20,000 entries) in a 65,536-entry table.

import { randomInt } from 'node:crypto';
import { SessionApplier, type CubeMaps } from '../../src/cluster/sync-apply';
import { AppliedSet } from '../../src/cluster/sync-queue';
import { SessionScanner } from '../../src/cluster/sync-scan';
import {
  decodeEntries,
  encodeEntries,
  FrameSealer,
  MAX_RECORDS,
  MSG_ENTRIES,
  openFrame,
  ReplayGuard,
} from '../../src/cluster/sync-wire';
import { F_BACKEND_ACTIVE } from '../../src/lbrp/dataplane/map-layouts';
import { sessionClock } from '../../src/lbrp/dataplane/session-clock';
import { BACKEND_1, BACKEND_2, VIP_1 } from '../../test/fixtures/addresses';
import { tcp } from '../../test/fixtures/packets';
import { standardConfig, SVC_WEB, TABLE } from '../../test/kernel/dataplane/lbrp-config';
import { LbrpUnderTest, PortDevices, PORTS } from '../../test/kernel/dataplane/lbrp-harness';

const N = 10000;
const SIZES = { MAX_SESSIONS: 65536 };
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] ?? 5) || 5;

const mapsOf = (lb: LbrpUnderTest): CubeMaps => ({
  sessions: lb.map('sessions'),
  session_config: lb.map('session_config'),
  services: lb.map('services'),
  maglev_slots: lb.map('maglev_slots'),
  backends: lb.map('backends'),
});
const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secret = (): [number, number, number, number] => [
  randomInt(2 ** 32),
  randomInt(2 ** 32),
  randomInt(2 ** 32),
  randomInt(2 ** 32),
];

async function main(): Promise<void> {
  const devices = new PortDevices();
  const a = await LbrpUnderTest.load('tc', 'single', devices, SIZES);
  const b = await LbrpUnderTest.load('tc', 'single', devices, SIZES);
  const key = Buffer.alloc(32, 1);
  const now = (await (await sessionClock()).now()) ?? 0;
  const rows: Array<{
    bytes: number;
    send: number;
    recv: number;
    idle: number;
    read: number;
    mapMs: number;
  }> = [];
  try {
    for (let round = 0; round < rounds; round++) {
      a.unconfigure();
      b.unconfigure();
      const slots = Array.from({ length: TABLE }, (_, i) => (i % 2 ? 2 : 1));
      const backends = [
        { id: 1, ip: BACKEND_1, port: 8080, flags: F_BACKEND_ACTIVE },
        { id: 2, ip: BACKEND_2, port: 8080, flags: F_BACKEND_ACTIVE },
      ];
      a.configure(standardConfig({ services: [{ ...SVC_WEB, slots }], backends }));
      b.configure(
        standardConfig({
          services: [{ ...SVC_WEB, id: 3, slots: slots.map((s) => s + 10) }],
          backends: backends.map((x) => ({ ...x, id: x.id + 10 })),
        }),
      );
      a.setSessionConfig({ secret: secret() });
      b.setSessionConfig({ secret: secret() });
      for (let i = 0; i < N; i++)
        a.run(
          tcp(`10.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, VIP_1, 80, { sport: 5000, syn: true }),
          PORTS.frontend,
        );
      const scanner = new SessionScanner(
        a.map('sessions'),
        { bucketsPerTick: 1 << 20, refreshUnits: 1 << 30 },
        new AppliedSet(1 << 20),
      );
      const guard = new ReplayGuard();
      const sealer = new FrameSealer(key, guard.nonce);
      const frames: Buffer[] = [];
      const send = cpuMs(() => {
        const recs = scanner.tick();
        for (let i = 0; i < recs.length; i += MAX_RECORDS)
          frames.push(
            sealer.seal(
              MSG_ENTRIES,
              encodeEntries({ cube: 'lb0', node: 'a', records: recs.slice(i, i + MAX_RECORDS) }),
            ),
          );
      });
      // An unchanged table, and the floor under it: the batch read of the whole table alone.
      const idle = median(
        Array.from({ length: 5 }, () =>
          cpuMs(() => {
            if (scanner.tick().length !== 0) throw new Error('an unchanged table produced records');
          }),
        ),
      );
      const sessionsMap = a.map('sessions');
      const read = median(
        Array.from({ length: 5 }, () => cpuMs(() => sessionsMap.lookupRange(0, sessionsMap.maxEntries))),
      );
      // The receiver's session map calls, timed (wall clock: a syscall's time is the caller's).
      let mapNs = 0n;
      const timed = <T>(f: () => T): T => {
        const t = process.hrtime.bigint();
        const r = f();
        mapNs += process.hrtime.bigint() - t;
        return r;
      };
      const bs = b.map('sessions');
      const maps = mapsOf(b);
      maps.sessions = {
        maxEntries: bs.maxEntries,
        lookupRange: (f, n) => bs.lookupRange(f, n),
        lookup: (k) => timed(() => bs.lookup(k)),
        update: (k, v) => timed(() => bs.update(k, v)),
      };
      const applier = new SessionApplier(maps, new AppliedSet(1 << 20));
      const recv = cpuMs(() => {
        for (const f of frames) {
          const o = openFrame(key, f.subarray(4));
          if ('refused' in o || guard.check(o)) throw new Error('frame refused');
          applier.apply(decodeEntries(o.body)?.records ?? [], now);
        }
      });
      const bytes = frames.reduce((s, f) => s + f.length, 0);
      rows.push({ bytes, send, recv, idle, read, mapMs: Number(mapNs) / 1e6 });
      const sessions = scanner.size / 2;
      console.log(
        `round ${round}: ${sessions} sessions (${scanner.size} entries), ${bytes} B in ${frames.length} frames, ` +
          `sender ${send.toFixed(1)} ms, receiver ${recv.toFixed(1)} ms (map calls ${(Number(mapNs) / 1e6).toFixed(1)} ms; inserted ${applier.counts.inserted}, ` +
          `full ${applier.counts.full}), idle pass ${idle.toFixed(1)} ms (batch read alone ${read.toFixed(1)} ms)`,
      );
    }
  } finally {
    a.close();
    b.close();
    devices.cleanup();
  }
  const per1k = (x: number): number => (x * 1000) / N;
  console.log('\n| per 1,000 new sessions (2,000 entries) | median of ' + rounds + ' |');
  console.log('| --- | --- |');
  console.log(`| bytes on the wire | ${Math.round(per1k(median(rows.map((r) => r.bytes))))} B |`);
  console.log(
    `| sender CPU (scan, diff, encode, HMAC) | ${per1k(median(rows.map((r) => r.send))).toFixed(2)} ms |`,
  );
  console.log(
    `| receiver CPU (HMAC, translate, write) | ${per1k(median(rows.map((r) => r.recv))).toFixed(2)} ms |`,
  );
  console.log(
    `| of which session map calls (a read and two writes per bucket) | ${per1k(median(rows.map((r) => r.mapMs))).toFixed(2)} ms |`,
  );
  console.log(
    `| idle pass over the 65,536-entry table (no change) | ${median(rows.map((r) => r.idle)).toFixed(1)} ms per pass |`,
  );
  console.log(
    `| baseline: the batch read of that table alone | ${median(rows.map((r) => r.read)).toFixed(1)} ms per pass |`,
  );
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
