// Kernel-runtime tests for netdev-attach: TC (clsact, direct-action) and XDP (skb and drv)
// attach/replace/detach on a veth pair made by the test, with real packets sent from a
// namespace, and checks with `ip`/`tc` that detaching leaves the device exactly as it was.

import { execFileSync } from 'node:child_process';
import { LoadedObject, loadObject } from '../../../src/polycubed/runtime/bpf-object';
import { KernelError } from '../../../src/polycubed/runtime/kernel-error';
import {
  attachTc,
  attachXdp,
  detachTc,
  detachXdp,
  ifIndex,
  queryTc,
  queryXdp,
} from '../../../src/polycubed/runtime/netdev-attach';
import { countTcFilters } from '../../../src/polycubed/runtime/tc-filter-dump';
import { TestNet, Veth } from '../../fixtures/netns';
import { describeKernel, RuntimeFixture } from './runtime-fixture';

const PEER_IP = '10.250.0.1'; // address the namespace end sends to (the host end has none)

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

function tc(args: string[]): string {
  return execFileSync('tc', args, { encoding: 'utf8' });
}

describeKernel('kernel: netdev-attach', () => {
  const fx = new RuntimeFixture();
  const net = new TestNet();
  let veth: Veth;
  let ns: string;
  let ifindex: number;
  let obj: LoadedObject;
  let other: LoadedObject; // a second load of the same object: different program ids

  /** `ip -d link` + `tc` view of the host end: what "left as it was" is compared on. */
  const deviceState = (): string =>
    [
      execFileSync('ip', ['-d', 'link', 'show', 'dev', veth.a], { encoding: 'utf8' }),
      tc(['qdisc', 'show', 'dev', veth.a]),
      tc(['filter', 'show', 'dev', veth.a, 'ingress']),
      tc(['filter', 'show', 'dev', veth.a, 'egress']),
    ].join('\n');

  /** Sends `n` UDP datagrams from the namespace end; they arrive at the host end's ingress. */
  const sendFromNamespace = (n: number): void => {
    const script = `const s=require('dgram').createSocket('udp4');let k=0;const go=()=>s.send('x',9,'${PEER_IP}',()=>{if(++k<${n})go();else s.close();});go();`;
    net.exec(ns, [process.execPath, '-e', script]);
  };

  const tcHits = (): number =>
    (obj.map('hits_per_cpu').lookupPerCpu(u32(0)) as Buffer[]).reduce(
      (s, v) => s + Number(v.readBigUInt64LE()),
      0,
    );

  beforeAll(async () => {
    ns = net.addNetns();
    veth = net.addVeth({ nsB: ns, ipB: '10.250.0.2/24' });
    ifindex = ifIndex(veth.a);
    const mac = execFileSync('cat', [`/sys/class/net/${veth.a}/address`], { encoding: 'utf8' }).trim();
    net.exec(ns, ['ip', 'neigh', 'add', PEER_IP, 'lladdr', mac, 'dev', veth.b]); // no ARP round trip needed
    const objPath = await fx.compile('runtime_probe');
    obj = loadObject({ objPath });
    other = loadObject({ objPath });
  });
  afterAll(() => {
    for (const mode of ['skb', 'drv'] as const) {
      try {
        detachXdp(ifindex, mode);
      } catch {
        // device already gone
      }
    }
    obj?.close();
    other?.close();
    net.cleanup();
    fx.cleanup();
  });

  // Interface names resolve to the ifindex `ip` reports; unknown names are ENODEV.
  it('resolves interface names', () => {
    expect(ifindex).toBe(net.ifindex(undefined, veth.a));
    expect(() => ifIndex('lbt-no-such-if')).toThrow('interface lookup lbt-no-such-if: ENODEV');
  });

  // A TC program attached at ingress sees packets arriving on the device, and detaching restores the device exactly.
  it('attaches at TC ingress, sees real packets, and detaches without a trace', () => {
    const before = deviceState();
    const prog = obj.program('tc_probe');
    const att = attachTc(ifindex, prog.fd);
    expect(att).toMatchObject({ ifindex, direction: 'ingress', progId: prog.id(), createdHook: true });
    expect(queryTc(ifindex)).toEqual({ progId: prog.id() });
    expect(tc(['filter', 'show', 'dev', veth.a, 'ingress'])).toMatch(/tc_probe.*direct-action/);
    expect(countTcFilters(ifindex, 'ingress')).toBeGreaterThan(0);

    const hits = tcHits();
    sendFromNamespace(3);
    expect(tcHits()).toBeGreaterThanOrEqual(hits + 3);

    detachTc(att);
    expect(queryTc(ifindex)).toBeUndefined();
    expect(countTcFilters(ifindex, 'ingress')).toBe(0);
    expect(deviceState()).toBe(before);
    detachTc(att); // idempotent
  });

  // Attaching again at the same handle swaps the program in place (how a reload changes code).
  it('replaces the TC program in place when attached again', () => {
    const first = attachTc(ifindex, obj.program('tc_probe').fd);
    const filters = countTcFilters(ifindex, 'ingress');
    const second = attachTc(ifindex, other.program('tc_probe').fd);
    expect(queryTc(ifindex)).toEqual({ progId: other.program('tc_probe').id() });
    expect(countTcFilters(ifindex, 'ingress')).toBe(filters);
    const shown = tc(['filter', 'show', 'dev', veth.a, 'ingress']);
    expect(shown.match(/handle 0x6c62 /g)).toHaveLength(1);
    expect(shown).toContain(` id ${other.program('tc_probe').id()} `);
    expect(second.createdHook).toBe(false);
    detachTc(first);
    expect(tc(['qdisc', 'show', 'dev', veth.a])).not.toMatch(/clsact/);
  });

  // A clsact qdisc that someone else created, or that still holds someone else's filter, survives our detach.
  it('leaves a clsact qdisc it did not create, or that others still use', () => {
    tc(['qdisc', 'add', 'dev', veth.a, 'clsact']);
    const att = attachTc(ifindex, obj.program('tc_probe').fd);
    expect(att.createdHook).toBe(false);
    detachTc(att);
    expect(tc(['qdisc', 'show', 'dev', veth.a])).toMatch(/clsact/);
    tc(['qdisc', 'del', 'dev', veth.a, 'clsact']);

    const ours = attachTc(ifindex, obj.program('tc_probe').fd);
    const theirs = attachTc(ifindex, other.program('tc_probe').fd, {
      direction: 'egress',
      handle: 1,
      priority: 1,
    });
    detachTc(ours);
    expect(tc(['qdisc', 'show', 'dev', veth.a])).toMatch(/clsact/);
    expect(queryTc(ifindex, { direction: 'egress', handle: 1, priority: 1 })).toEqual({
      progId: other.program('tc_probe').id(),
    });
    detachTc({ ...theirs, createdHook: true });
    expect(tc(['qdisc', 'show', 'dev', veth.a])).not.toMatch(/clsact/);
  });

  // An XDP program in generic mode sees packets arriving on the device; re-attaching is a no-op; detaching restores the device.
  it('attaches XDP in skb mode, sees real packets, and detaches without a trace', () => {
    const before = deviceState();
    const prog = obj.program('xdp_probe');
    expect(attachXdp(ifindex, prog.fd, 'skb')).toEqual({ ifindex, mode: 'skb', progId: prog.id() });
    expect(attachXdp(ifindex, prog.fd, 'skb').progId).toBe(prog.id());
    expect(queryXdp(ifindex)).toMatchObject({ skbProgId: prog.id(), drvProgId: 0 });
    expect(execFileSync('ip', ['link', 'show', 'dev', veth.a], { encoding: 'utf8' })).toMatch(/xdpgeneric/);

    sendFromNamespace(2);
    expect(
      Number(obj.map('counter_by_ifindex').lookup(u32(ifindex))?.readBigUInt64LE()),
    ).toBeGreaterThanOrEqual(2);

    expect(detachXdp(ifindex, 'skb', prog.fd)).toBe(true);
    expect(detachXdp(ifindex, 'skb', prog.fd)).toBe(false);
    expect(queryXdp(ifindex).skbProgId).toBe(0);
    expect(deviceState()).toBe(before);
  });

  // Another program already at XDP is never silently replaced, and never detached by someone holding a different program.
  it('refuses to replace or detach a foreign XDP program unless asked', () => {
    const mine = obj.program('xdp_probe');
    const foreign = other.program('xdp_probe');
    attachXdp(ifindex, foreign.fd, 'skb');
    let err: unknown;
    try {
      attachXdp(ifindex, mine.fd, 'skb');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).code).toBe('EEXIST');
    expect(detachXdp(ifindex, 'skb', mine.fd)).toBe(false);
    expect(queryXdp(ifindex).skbProgId).toBe(foreign.id());

    attachXdp(ifindex, mine.fd, 'skb', { replace: true });
    expect(queryXdp(ifindex).skbProgId).toBe(mine.id());
    expect(detachXdp(ifindex, 'skb')).toBe(true);
    expect(queryXdp(ifindex).skbProgId).toBe(0);
  });

  // Native (driver) XDP works on veth and detaches cleanly.
  it('attaches XDP in drv mode on veth and detaches', () => {
    const before = deviceState();
    const prog = obj.program('xdp_probe');
    attachXdp(ifindex, prog.fd, 'drv');
    expect(queryXdp(ifindex)).toMatchObject({ drvProgId: prog.id(), skbProgId: 0 });
    expect(detachXdp(ifindex, 'drv', prog.fd)).toBe(true);
    expect(deviceState()).toBe(before);
  });
});
