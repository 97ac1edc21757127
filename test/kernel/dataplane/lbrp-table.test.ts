// The lbrp behaviour table (lbrp-rows.ts) run through BPF_PROG_TEST_RUN on the real programs,
// for TC and XDP in SINGLE and MULTI mode: verdict, out port, whole output frame (a mismatch
// prints a layer-by-layer diff), checksums verified independently, drop and packet-in reasons,
// and the number of session entries where a row names them.

import { RingBufferReader } from '../../../src/polycubed/runtime/ring-buffer';
import { diffPackets, describePacket, verifyChecksums } from '../../fixtures/packets';
import { standardConfig } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { LbrpUnderTest, PortDevices, RunResult, VARIANTS } from './lbrp-harness';
import { expectFor, resolvePort, Row, ROWS } from './lbrp-rows';

describeKernel('kernel: lbrp dataplane table', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  describe.each(VARIANTS)('%s %s', (hook, mode) => {
    let lb: LbrpUnderTest;
    let pktins: Buffer[] = [];
    let reader: RingBufferReader;
    beforeAll(async () => {
      lb = await LbrpUnderTest.load(hook, mode, devices);
      reader = new RingBufferReader(lb.map('pcn_pktin_ring'), (r) => pktins.push(r));
    });
    afterAll(() => {
      reader?.close();
      lb?.close();
    });

    const rows = ROWS.filter(
      (r) => (r.hooks ?? ['tc', 'xdp']).includes(hook) && (r.modes ?? ['single', 'multi']).includes(mode),
    );
    it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row: Row) => {
      const want = expectFor(row, mode);
      lb.configure((row.given ?? standardConfig)());
      reader.consume();
      pktins = [];
      for (const b of row.before ?? []) {
        const r = lb.run(b.frame, resolvePort(b.port, mode) as number);
        expect({ before: describePacket(b.frame), verdict: r.verdict }).toEqual({
          before: describePacket(b.frame),
          verdict: 'redirect',
        });
      }
      row.setup?.(lb);
      const dropBefore = want.wantDrop ? lb.drops(want.wantDrop) : 0n;
      const statBefore = want.wantRuntimeStat !== undefined ? lb.runtimeStat(want.wantRuntimeStat) : 0n;

      const inPort = resolvePort(want.inPort, mode);
      const got = lb.run(row.inFrame, inPort ?? 0, inPort === undefined ? { ifindex: 1 } : {});

      expect(summary(got)).toEqual({
        verdict: want.want,
        outPort: want.want === 'redirect' && want.wantPort ? resolvePort(want.wantPort, mode) : undefined,
      });
      if (want.want === 'redirect' && want.wantFrame) {
        const wantFrame = want.wantFrame === 'unchanged' ? row.inFrame : want.wantFrame;
        const diff = diffPackets(wantFrame, got.data);
        if (diff) throw new Error(`output frame differs:\n${diff}\n--- got\n${describePacket(got.data)}`);
        expect(verifyChecksums(got.data)).toEqual([]);
      }
      if (hook === 'tc' && got.verdict === 'redirect') {
        // As Polycube's forward(): cb[0] = out port << 16 | peer ifindex.
        expect(got.cb0).toBe(((got.outPort as number) << 16) | ((got.outIfindex as number) & 0xffff));
      }
      if (want.wantSessions)
        expect({ conntrack: lb.sessions('conntrack'), reverseNat: lb.sessions('reverse_nat') }).toEqual(
          want.wantSessions,
        );
      if (want.wantDrop) expect(lb.drops(want.wantDrop) - dropBefore).toBe(1n);
      if (want.wantRuntimeStat !== undefined)
        expect(lb.runtimeStat(want.wantRuntimeStat) - statBefore).toBe(1n);
      reader.consume();
      if (want.wantPktIn !== undefined) {
        expect(got.pktinReason).toBe(want.wantPktIn);
        expect(pktins).toHaveLength(1);
        const rec = pktins[0];
        // struct pcn_pktin_record: pkt_metadata (in_port at 2, packet_len at 4, reason at 12),
        // captured_len at 26, frame bytes from 28.
        expect({
          inPort: rec.readUInt16LE(2),
          len: rec.readUInt32LE(4),
          reason: rec.readUInt16LE(12),
        }).toEqual({
          inPort,
          len: row.inFrame.length,
          reason: want.wantPktIn,
        });
        expect(rec.subarray(28, 28 + rec.readUInt16LE(26)).equals(row.inFrame)).toBe(true);
      } else {
        expect({ pktinReason: got.pktinReason, records: pktins.length }).toEqual({
          pktinReason: undefined,
          records: 0,
        });
      }
    });
  });
});

function summary(r: RunResult): { verdict: string; outPort: number | undefined } {
  return { verdict: r.verdict, outPort: r.verdict === 'redirect' ? r.outPort : undefined };
}
