// The pcn runtime header (dataplane/runtime/pcn.h) on its own, TC and XDP alike: a small test
// cube picks a helper by the first byte after the Ethernet header, and the tests check verdicts,
// redirect ports, runtime counters, packet-in and log records (with %M %I %P formatting and
// compile-time filtering), Polycube's pcn_pkt_controller return semantics, skb->mark as
// traffic_class, and that the checksum helpers give the same, correct result on both hooks.

import { join } from 'node:path';
import { compileBpf } from '../../../src/polycubed/runtime/bpf-compile';
import { loadObject, LoadedObject } from '../../../src/polycubed/runtime/bpf-object';
import { decodeLogRecord, decodePktIn, formatPcnLog } from '../../../src/polycubed/runtime/pcn-records';
import {
  buildSkbCtx,
  buildXdpMd,
  SKB_CTX_OFFSETS,
  testRun,
} from '../../../src/polycubed/runtime/prog-test-run';
import { RingBufferReader } from '../../../src/polycubed/runtime/ring-buffer';
import { encodeU16, encodeU32, PCN, sumU64 } from '../../../src/lbrp/dataplane/map-layouts';
import { ethFrame, onesSum } from '../../fixtures/packets';
import { describeKernel } from './describe-kernel';
import { CACHE_DIR, Hook, PortDevices, REPO, writeIfindexPorts } from './lbrp-harness';

const CUBE = `
#include "pcn.h"
#include <bpf/bpf_endian.h>

static __always_inline int handle_rx(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
	__u8 *b = ctx_data(ctx);
	__u8 mac[8] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
	__u32 words[3] = { 11, 22, 33 };
	__u32 *w, old, new;

	__u8 op;

	if ((void *)(b + 24) > ctx_data_end(ctx))
		return RX_DROP;
	op = b[14];
	switch (op) {
	case 1:
		return pcn_pkt_redirect(ctx, md, b[15]);
	case 2:
		return pcn_pkt_drop(ctx, md);
	case 3:
		return pcn_pkt_controller(ctx, md, 7);
	case 4:
		pcn_pkt_controller_with_metadata(ctx, md, 9, words);
		return RX_DROP;
	case 5:
		return pcn_pkt_punt(ctx, md, 5);
	case 6:
		return RX_RECIRCULATE;
	case 7:
		pcn_log(ctx, LOG_INFO, "mac %M ip %I port %P n %d", *(__u64 *)mac, *(__u32 *)(b + 16), *(__u16 *)(b + 20), -5);
		pcn_log(ctx, LOG_DEBUG, "filtered out at LOG_INFO");
		return RX_OK;
	case 8:
		md->traffic_class = 0x77;
		return RX_OK;
	case 9:
	case 10:
		/* Checksum at 16 covers the words at 18..21; replace them (on TC the helpers
		 * invalidate packet pointers, so nothing reads b afterwards). */
		w = (__u32 *)(b + 18);
		old = *w;
		new = bpf_htonl(0x0a000001);
		*w = new;
		if (op == 9 && pcn_l4_csum_replace(ctx, 16, old, new, 4 | BPF_F_MARK_MANGLED_0))
			return RX_ERROR;
		if (op == 10 && pcn_l3_csum_replace(ctx, 16, old, new, 4))
			return RX_ERROR;
		return RX_OK;
	case 11:
		/* Which skb->ip_summed pcn_l4_csum_nat sees, + 1 (0 = cannot tell, as on XDP). */
		b[16] = (__u8)(__pcn_ip_summed(ctx) + 1);
		return RX_OK;
	case 12:
	case 13: {
		/* The checksum at 16 after a NAT whose pseudo-header diff is the word at 18 and L4 diff
		 * the word at 22, MARK_MANGLED_0 when bit 0 of byte 26 is set: one pcn_l4_csum_nat (12),
		 * or the two pcn_l4_csum_replace calls it stands for (13). */
		__u32 pd, ld;
		__u64 fl;

		if ((void *)(b + 27) > ctx_data_end(ctx))
			return RX_DROP;
		pd = *(__u32 *)(b + 18);
		ld = *(__u32 *)(b + 22);
		fl = (b[26] & 1) ? BPF_F_MARK_MANGLED_0 : 0;
		if (op == 12)
			return pcn_l4_csum_nat(ctx, 16, pd, ld, fl) ? RX_ERROR : RX_OK;
		if (pcn_l4_csum_replace(ctx, 16, 0, pd, BPF_F_PSEUDO_HDR | fl))
			return RX_ERROR;
		return pcn_l4_csum_replace(ctx, 16, 0, ld, fl) ? RX_ERROR : RX_OK;
	}
	default:
		return RX_OK;
	}
}
`;

const PASS = { tc: 0, xdp: 2 };
const DROP = { tc: 2, xdp: 1 };
const REDIRECT = { tc: 7, xdp: 4 };

/** A frame whose first payload bytes are `op`, `arg`, then `rest`. */
function frame(op: number, arg = 0, rest: number[] = []): Buffer {
  const body = Buffer.alloc(32, 0);
  body[0] = op;
  body[1] = arg;
  Buffer.from(rest).copy(body, 2);
  return ethFrame(0x88b5, body);
}

describeKernel('kernel: pcn runtime helpers', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  describe.each(['tc', 'xdp'] as Hook[])('%s', (hook) => {
    let obj: LoadedObject;
    let fd: number;
    const pktins: Buffer[] = [];
    const logs: Buffer[] = [];
    let readers: RingBufferReader[] = [];
    const run = (f: Buffer, ifindex = devices.ifindex[0], mark = 0) => {
      const ctxIn =
        hook === 'tc'
          ? buildSkbCtx({ ifindex, ingressIfindex: ifindex, mark })
          : buildXdpMd(f.length, { ingressIfindex: ifindex });
      const res = testRun(fd, { data: f, ctxIn });
      for (const r of readers) r.consume();
      return res;
    };
    const stat = (slot: number): bigint =>
      sumU64(obj.map('pcn_runtime_stats').lookupPerCpu(encodeU32(slot)) ?? []);

    beforeAll(async () => {
      const { objPath } = await compileBpf({
        files: { 'cube.c': CUBE },
        entry: 'cube.c',
        includeDirs: [join(REPO, 'dataplane/runtime')],
        cacheDir: CACHE_DIR,
        werror: true,
        defines: { PCN_XDP: hook === 'xdp' ? 1 : 0, LOG_LEVEL: 'LOG_INFO', CUBE_ID: 42 },
      });
      obj = loadObject({ objPath });
      fd = obj.program(hook === 'tc' ? 'pcn_entry_tc' : 'pcn_entry_xdp').fd;
      // Port 0 and 1 are devices 0 and 1; port 2 exists but is not connected. Written as the
      // daemon does: pcn_ifindex_to_port, then the pcn_ifindex_array slot.
      for (const port of [0, 1, 2]) writeIfindexPorts(obj, devices.ifindex[port], port);
      for (const port of [0, 1])
        obj.map('pcn_port_to_ifindex').update(encodeU32(port), encodeU32(devices.ifindex[port]));
      readers = [
        new RingBufferReader(obj.map('pcn_pktin_ring'), (r) => pktins.push(r)),
        new RingBufferReader(obj.map('pcn_log_ring'), (r) => logs.push(r)),
      ];
    });
    afterAll(() => {
      for (const r of readers) r.close();
      obj?.close();
    });
    beforeEach(() => {
      pktins.length = 0;
      logs.length = 0;
    });

    // pcn_pkt_redirect sends the frame to the netdev peered with the port (TC: cb[0] as Polycube).
    it('redirects to the netdev of the port, and drops (counted) for a port without one', () => {
      const res = run(frame(1, 1));
      expect(res.retval).toBe(REDIRECT[hook]);
      if (hook === 'tc')
        expect(res.ctxOut?.readUInt32LE(SKB_CTX_OFFSETS.cb)).toBe((1 << 16) | (devices.ifindex[1] & 0xffff));
      const before = stat(PCN.STAT_NOT_CONNECTED);
      expect(run(frame(1, 2)).retval).toBe(DROP[hook]);
      expect(run(frame(1, 99)).retval).toBe(DROP[hook]);
      expect(stat(PCN.STAT_NOT_CONNECTED) - before).toBe(2n);
    });

    // pcn_pkt_drop exists on XDP too (Polycube bug 12); RX_RECIRCULATE is refused and counted.
    it('drops with pcn_pkt_drop and turns other RX codes into counted drops', () => {
      expect(run(frame(2)).retval).toBe(DROP[hook]);
      const before = stat(PCN.STAT_BAD_VERDICT);
      expect(run(frame(6)).retval).toBe(DROP[hook]);
      expect(stat(PCN.STAT_BAD_VERDICT) - before).toBe(1n);
    });

    // Frames from a netdev that is no port of the cube never reach handle_rx.
    it('drops frames from an unknown ifindex', () => {
      const before = stat(PCN.STAT_UNKNOWN_IFINDEX);
      expect(run(frame(8), 1).retval).toBe(DROP[hook]);
      expect(stat(PCN.STAT_UNKNOWN_IFINDEX) - before).toBe(1n);
    });

    // The ingress port comes from pcn_ifindex_array (slot = port + 1) when the ifindex has a
    // slot there, else from pcn_ifindex_to_port; with neither the frame is an unknown-ifindex drop.
    // The packet-in record shows which in_port handle_rx saw.
    it('finds the ingress port in pcn_ifindex_array, else in pcn_ifindex_to_port', () => {
      const spare = devices.ifindex[3];
      const inPortOf = (): number | undefined => {
        pktins.length = 0;
        const res = run(frame(3), spare);
        return res.retval === PASS[hook] ? decodePktIn(pktins[0]).md.inPort : undefined;
      };
      try {
        writeIfindexPorts(obj, spare, 5, { hash: false });
        expect(inPortOf()).toBe(5);
        writeIfindexPorts(obj, spare, 6); // both: the array slot says 6 too
        expect(inPortOf()).toBe(6);
        obj.map('pcn_ifindex_array').update(encodeU32(spare), encodeU16(0));
        obj.map('pcn_ifindex_to_port').update(encodeU32(spare), encodeU16(7));
        expect(inPortOf()).toBe(7); // no slot: the hash
        obj.map('pcn_ifindex_to_port').delete(encodeU32(spare));
        const before = stat(PCN.STAT_UNKNOWN_IFINDEX);
        expect(inPortOf()).toBeUndefined();
        expect(stat(PCN.STAT_UNKNOWN_IFINDEX) - before).toBe(1n);
      } finally {
        obj.map('pcn_ifindex_array').update(encodeU32(spare), encodeU16(0));
        obj.map('pcn_ifindex_to_port').delete(encodeU32(spare));
      }
    });

    // An ifindex beyond pcn_ifindex_array (a build whose array is smaller than every ifindex)
    // is found through pcn_ifindex_to_port alone.
    it('falls back to pcn_ifindex_to_port for ifindexes beyond the array', async () => {
      const { objPath } = await compileBpf({
        files: { 'cube.c': CUBE },
        entry: 'cube.c',
        includeDirs: [join(REPO, 'dataplane/runtime')],
        cacheDir: CACHE_DIR,
        werror: true,
        defines: { PCN_XDP: hook === 'xdp' ? 1 : 0, LOG_LEVEL: 'LOG_INFO', PCN_IFINDEX_ARRAY_SIZE: 1 },
      });
      const small = loadObject({ objPath });
      try {
        for (const port of [0, 1]) {
          writeIfindexPorts(small, devices.ifindex[port], port);
          small.map('pcn_port_to_ifindex').update(encodeU32(port), encodeU32(devices.ifindex[port]));
        }
        expect(small.map('pcn_ifindex_array').maxEntries).toBe(1);
        const smallFd = small.program(hook === 'tc' ? 'pcn_entry_tc' : 'pcn_entry_xdp').fd;
        const ctxIn =
          hook === 'tc'
            ? buildSkbCtx({ ifindex: devices.ifindex[1], ingressIfindex: devices.ifindex[1] })
            : buildXdpMd(frame(1, 0).length, { ingressIfindex: devices.ifindex[1] });
        // From port 1 back to port 0: redirected, so in_port was known.
        expect(testRun(smallFd, { data: frame(1, 0), ctxIn }).retval).toBe(REDIRECT[hook]);
      } finally {
        small.close();
      }
    });

    // Polycube semantics: pcn_pkt_controller returns 0 (= RX_OK) once queued, so returning it
    // also passes the frame; the record carries metadata and the frame.
    it('pcn_pkt_controller queues a packet-in and, returned, lets the frame pass', () => {
      const f = frame(3);
      expect(run(f, devices.ifindex[1]).retval).toBe(PASS[hook]);
      expect(pktins).toHaveLength(1);
      const rec = decodePktIn(pktins[0]);
      expect(rec.md).toEqual({
        cubeId: 42,
        inPort: 1,
        packetLen: f.length,
        trafficClass: 0,
        reason: 7,
        md: [0, 0, 0],
      });
      expect(rec.frame.equals(f)).toBe(true);
    });

    // The _with_metadata variant fills md[3]; pcn_pkt_punt queues and always drops.
    it('pcn_pkt_controller_with_metadata carries three words; pcn_pkt_punt drops', () => {
      expect(run(frame(4)).retval).toBe(DROP[hook]);
      expect(run(frame(5)).retval).toBe(DROP[hook]);
      expect(pktins.map((p) => decodePktIn(p).md)).toEqual([
        expect.objectContaining({ reason: 9, md: [11, 22, 33] }),
        expect.objectContaining({ reason: 5, md: [0, 0, 0] }),
      ]);
    });

    // pcn_log: one record per call at or above LOG_LEVEL, formatted in user space.
    it('pcn_log records carry format and raw arguments; lower levels compile away', () => {
      expect(run(frame(7, 0, [0xc0, 0xa8, 0x01, 0x0a, 0x1f, 0x90])).retval).toBe(PASS[hook]);
      expect(logs).toHaveLength(1);
      const rec = decodeLogRecord(logs[0]);
      expect({ cubeId: rec.cubeId, level: rec.level, fmt: rec.fmt }).toEqual({
        cubeId: 42,
        level: 2,
        fmt: 'mac %M ip %I port %P n %d',
      });
      expect(formatPcnLog(rec.fmt, rec.args)).toBe('mac 02:00:00:00:00:fe ip 192.168.1.10 port 8080 n -5');
    });

    // TC carries traffic_class in skb->mark, in and out (XDP has no mark).
    if (hook === 'tc') {
      it('maps skb->mark to traffic_class and writes it back', () => {
        const res = run(frame(8), devices.ifindex[0], 5);
        expect(res.ctxOut?.readUInt32LE(SKB_CTX_OFFSETS.mark)).toBe(0x77);
        expect(run(frame(0), devices.ifindex[0], 5).ctxOut?.readUInt32LE(SKB_CTX_OFFSETS.mark)).toBe(5);
      });
    }

    // pcn_l4_csum_replace / pcn_l3_csum_replace: TC's kernel helpers and XDP's software
    // version give a checksum that verifies; a zero checksum with MARK_MANGLED_0 stays zero.
    it.each([
      ['l4 replace', 9],
      ['l3 replace', 10],
    ])('%s keeps the checksum right', (_name, op) => {
      const words = [0xde, 0xad, 0xbe, 0xef];
      const csum = ~onesSum(Buffer.from(words)) & 0xffff;
      const res = run(frame(op, 0, [csum >> 8, csum & 0xff, ...words]));
      expect(res.retval).toBe(PASS[hook]);
      expect(res.data.subarray(18, 22).toString('hex')).toBe('0a000001');
      expect(onesSum(res.data.subarray(16, 22))).toBe(0xffff);
      if (op === 9) expect(run(frame(9, 0, [0, 0, ...words])).data.readUInt16BE(16)).toBe(0);
    });

    // TC reads skb->ip_summed (bpf_cast_to_kern_ctx + CO-RE) so pcn_l4_csum_nat can skip helper
    // calls: a test-run skb is CHECKSUM_NONE (0). XDP has no skb: "cannot tell".
    it('pcn_l4_csum_nat sees the skb checksum state on TC', () => {
      expect(run(frame(11)).data[16]).toBe(hook === 'tc' ? 1 : 0);
    });
  });

  // pcn_l4_csum_nat gives the bytes of the two pcn_l4_csum_replace calls it replaces, for every
  // checksum state it handles without both calls: CHECKSUM_NONE (test-run skbs: software only),
  // UNNECESSARY (software only) and COMPLETE (one call + software), forced with
  // PCN_TEST_IP_SUMMED; a build that never reads the state (two calls); and XDP. Checksum fields,
  // diffs and MARK_MANGLED_0 are random, with 0 / 0xffff / -0 edge values.
  describe('pcn_l4_csum_nat equals two pcn_l4_csum_replace calls', () => {
    const variants: Array<[string, Hook, Record<string, number>]> = [
      ['tc, skb state (NONE)', 'tc', {}],
      ['tc, UNNECESSARY', 'tc', { PCN_TEST_IP_SUMMED: 1 }],
      ['tc, COMPLETE', 'tc', { PCN_TEST_IP_SUMMED: 2 }],
      ['tc, state never read', 'tc', { PCN_TC_CSUM_KERN_CTX: 0 }],
      ['xdp', 'xdp', {}],
    ];
    it.each(variants)('%s', async (_name, hook, defines) => {
      const { objPath } = await compileBpf({
        files: { 'cube.c': CUBE },
        entry: 'cube.c',
        includeDirs: [join(REPO, 'dataplane/runtime')],
        cacheDir: CACHE_DIR,
        werror: true,
        defines: { PCN_XDP: hook === 'xdp' ? 1 : 0, LOG_LEVEL: 'LOG_INFO', ...defines },
      });
      const o = loadObject({ objPath });
      try {
        writeIfindexPorts(o, devices.ifindex[0], 0);
        const progFd = o.program(hook === 'tc' ? 'pcn_entry_tc' : 'pcn_entry_xdp').fd;
        const ifindex = devices.ifindex[0];
        const go = (f: Buffer): Buffer => {
          const ctxIn =
            hook === 'tc'
              ? buildSkbCtx({ ifindex, ingressIfindex: ifindex })
              : buildXdpMd(f.length, { ingressIfindex: ifindex });
          const res = testRun(progFd, { data: f, ctxIn });
          expect(res.retval).toBe(PASS[hook]);
          return res.data;
        };
        let seed = 0x5eed;
        const rnd = (): number => {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          return seed >>> 8;
        };
        const u16s = [0, 0xffff, 1, 0xfffe];
        const u32s = [0, 0xffffffff, 0xffff0000, 0x0000ffff];
        // Every combination of edge values first (4 × 4 × 4 × mm0 off/on), then random ones.
        for (let i = 0; i < 400; i++) {
          const edge = i < 128;
          const field = edge ? u16s[i & 3] : rnd() & 0xffff;
          const pd = edge ? u32s[(i >> 2) & 3] : (rnd() << 8) ^ rnd();
          const ld = edge ? u32s[(i >> 4) & 3] : (rnd() << 8) ^ rnd();
          const rest = Buffer.alloc(11);
          rest.writeUInt16BE(field, 0);
          rest.writeUInt32LE(pd >>> 0, 2);
          rest.writeUInt32LE(ld >>> 0, 6);
          rest[10] = edge ? (i >> 6) & 1 : rnd() & 1;
          const fused = go(frame(12, 0, [...rest]));
          const twoCalls = go(frame(13, 0, [...rest]));
          expect({ i, field: fused.readUInt16BE(16) }).toEqual({ i, field: twoCalls.readUInt16BE(16) });
        }
      } finally {
        o.close();
      }
    });
  });
});
