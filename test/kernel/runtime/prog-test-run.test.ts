// Kernel-runtime tests for testRun (BPF_PROG_TEST_RUN): TC and XDP verdicts, the rewritten
// packet bytes, contexts carrying a real ingress interface, .rodata constants reaching the
// program, and the C layouts the binding relies on (checked against the system headers).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadedObject, loadObject } from '../../../src/polycubed/runtime/bpf-object';
import { FFI_STRUCT_LAYOUTS } from '../../../src/polycubed/runtime/libbpf-ffi';
import {
  buildSkbCtx,
  buildXdpMd,
  readCtxU32,
  SKB_CTX_OFFSETS,
  testRun,
  XDP_MD_OFFSETS,
} from '../../../src/polycubed/runtime/prog-test-run';
import { TestNet } from '../../fixtures/netns';
import { describeKernel, RuntimeFixture } from './runtime-fixture';

const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const XDP_DROP = 1;
const XDP_PASS = 2;
const MARK = 0x5c; // value given to the program's `mark_byte` constant at load

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Ethernet + IPv4 header (no payload) to `dst`; the probe only reads the addresses. */
function ipv4Packet(dst: string): Buffer {
  const pkt = Buffer.alloc(14 + 20);
  Buffer.from('020000000002' + '020000000001', 'hex').copy(pkt, 0);
  pkt.writeUInt16BE(0x0800, 12);
  pkt.writeUInt8(0x45, 14);
  pkt.writeUInt16BE(20, 16);
  pkt.writeUInt8(64, 22);
  pkt.writeUInt8(17, 23);
  Buffer.from([10, 0, 0, 1]).copy(pkt, 26);
  Buffer.from(dst.split('.').map(Number)).copy(pkt, 30);
  return pkt;
}

/** What the probe does to any packet: first dst-MAC byte = MARK, src-MAC bytes 2..5 = ifindex (LE). */
function stamped(pkt: Buffer, ifindex: number): Buffer {
  const out = Buffer.from(pkt);
  out[0] = MARK;
  out.writeUInt32LE(ifindex, 8);
  return out;
}

describeKernel('kernel: prog-test-run', () => {
  const fx = new RuntimeFixture();
  const net = new TestNet();
  let obj: LoadedObject;
  let ifindex: number;

  beforeAll(async () => {
    const veth = net.addVeth();
    ifindex = net.ifindex(undefined, veth.a);
    obj = loadObject({ objPath: await fx.compile('runtime_probe'), constants: { mark_byte: MARK } });
  });
  afterAll(() => {
    obj?.close();
    net.cleanup();
    fx.cleanup();
  });
  beforeEach(() =>
    obj
      .maps()
      .filter((m) => !m.name.includes('.') && m.name !== 'probe_events')
      .forEach((m) => m.clear()),
  );

  // The TC program's verdict comes from the map, its header rewrite is returned, and it sees the ingress interface set in the context.
  it('runs a TC program with a real ingress interface and returns verdict and rewritten packet', () => {
    const pkt = ipv4Packet('192.0.2.1');
    const ctxIn = buildSkbCtx({ ifindex, ingressIfindex: ifindex, mark: 7 });
    const before = testRun(obj.program('tc_probe').fd, { data: pkt, ctxIn });
    expect(before.retval).toBe(TC_ACT_OK);
    expect(before.data).toEqual(stamped(pkt, ifindex));
    expect(readCtxU32(before.ctxOut as Buffer, SKB_CTX_OFFSETS.mark)).toBe(7);

    obj.map('verdict_by_slot').update(u32(0), u32(TC_ACT_SHOT));
    const after = testRun(obj.program('tc_probe').fd, { data: pkt, ctxIn, repeat: 3 });
    expect(after.retval).toBe(TC_ACT_SHOT);
    const perCpu = obj.map('hits_per_cpu').lookupPerCpu(u32(0)) as Buffer[];
    expect(perCpu.reduce((sum, v) => sum + Number(v.readBigUInt64LE()), 0)).toBe(4); // 1 run + 3 repeats
  });

  // The XDP program sees the veth as its ingress interface, counts per interface, and drops packets whose destination matches the LPM map.
  it('runs an XDP program with a real ingress interface and map-driven verdicts', () => {
    const xdp = obj.program('xdp_probe').fd;
    obj.map('verdict_by_prefix').update(Buffer.from([8, 0, 0, 0, 10, 0, 0, 0]), u32(XDP_DROP));
    const toNet10 = ipv4Packet('10.1.2.3');
    const dropped = testRun(xdp, {
      data: toNet10,
      ctxIn: buildXdpMd(toNet10.length, { ingressIfindex: ifindex }),
    });
    expect(dropped.retval).toBe(XDP_DROP);
    expect(dropped.data).toEqual(stamped(toNet10, ifindex));

    const other = ipv4Packet('192.0.2.9');
    const passed = testRun(xdp, {
      data: other,
      ctxIn: buildXdpMd(other.length, { ingressIfindex: ifindex }),
    });
    expect(passed.retval).toBe(XDP_PASS);
    expect(obj.map('counter_by_ifindex').lookup(u32(ifindex))?.readBigUInt64LE()).toBe(2n);
  });

  // An XDP context naming an interface that does not exist is refused by the kernel, as a KernelError.
  it('reports a context the kernel refuses as KernelError', () => {
    const pkt = ipv4Packet('192.0.2.1');
    expect(() =>
      testRun(obj.program('xdp_probe').fd, {
        data: pkt,
        ctxIn: buildXdpMd(pkt.length, { ingressIfindex: 0x7ffffff0 }),
      }),
    ).toThrow(/^program test run fd \d+: E/);
  });

  // The option structs and contexts the binding builds by hand match the C headers byte for byte.
  it('matches the C layouts of the structs it passes to libbpf and the kernel', () => {
    const src = join(fx.cacheDir, 'layout.c');
    const probes = [
      ...Object.entries(FFI_STRUCT_LAYOUTS).flatMap(([t, l]) => [
        `S(${t});`,
        ...Object.keys(l.offsets).map((f) => `O(${t}, ${f});`),
      ]),
      'S(__sk_buff);',
      ...['len', 'mark', 'priority', 'ingress_ifindex', 'ifindex', 'cb', 'data_end'].map(
        (f) => `O(__sk_buff, ${f});`,
      ),
      'S(xdp_md);',
      ...['data', 'data_end', 'data_meta', 'ingress_ifindex', 'rx_queue_index', 'egress_ifindex'].map(
        (f) => `O(xdp_md, ${f});`,
      ),
    ];
    writeFileSync(
      src,
      [
        '#include <stdio.h>',
        '#include <stddef.h>',
        '#include <bpf/libbpf.h>',
        '#include <bpf/bpf.h>',
        '#include <linux/bpf.h>',
        '#define S(t) printf("\\"%s\\":%zu,", #t, sizeof(struct t))',
        '#define O(t, f) printf("\\"%s.%s\\":%zu,", #t, #f, offsetof(struct t, f))',
        `int main(void) { printf("{"); ${probes.join(' ')} printf("\\"end\\":0}"); return 0; }`,
      ].join('\n'),
    );
    const bin = join(fx.cacheDir, 'layout');
    execFileSync('cc', ['-o', bin, src]);
    const c = JSON.parse(execFileSync(bin, { encoding: 'utf8' })) as Record<string, number>;
    for (const [name, layout] of Object.entries(FFI_STRUCT_LAYOUTS)) {
      expect([name, layout.size]).toEqual([name, c[name]]);
      for (const [field, off] of Object.entries(layout.offsets))
        expect([name, field, off]).toEqual([name, field, c[`${name}.${field}`]]);
    }
    const skb: Record<string, string> = {
      len: 'len',
      mark: 'mark',
      priority: 'priority',
      ingressIfindex: 'ingress_ifindex',
      ifindex: 'ifindex',
      cb: 'cb',
      dataEnd: 'data_end',
    };
    for (const [ts, cName] of Object.entries(skb)) {
      expect([ts, SKB_CTX_OFFSETS[ts as keyof typeof SKB_CTX_OFFSETS]]).toEqual([
        ts,
        c[`__sk_buff.${cName}`],
      ]);
    }
    expect(SKB_CTX_OFFSETS.size).toBe(c.__sk_buff);
    const xdp: Record<string, string> = {
      data: 'data',
      dataEnd: 'data_end',
      dataMeta: 'data_meta',
      ingressIfindex: 'ingress_ifindex',
      rxQueueIndex: 'rx_queue_index',
      egressIfindex: 'egress_ifindex',
    };
    for (const [ts, cName] of Object.entries(xdp)) {
      expect([ts, XDP_MD_OFFSETS[ts as keyof typeof XDP_MD_OFFSETS]]).toEqual([ts, c[`xdp_md.${cName}`]]);
    }
    expect(XDP_MD_OFFSETS.size).toBe(c.xdp_md);
  });
});
