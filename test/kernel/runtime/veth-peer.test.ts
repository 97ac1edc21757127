// Kernel-runtime tests for veth-peer: the MAC of a veth's peer is found when (and only when) the
// peer lives in another network namespace — the one case where a TC program may hand frames
// straight to it (bpf_redirect_peer). Real links made by the test, read over rtnetlink.

import { execFileSync } from 'node:child_process';
import { ifIndex } from '../../../src/polycubed/runtime/netdev-attach';
import { vethPeerMac } from '../../../src/polycubed/runtime/veth-peer';
import { TestNet } from '../../fixtures/netns';
import { describeKernel } from './runtime-fixture';

describeKernel('kernel: veth-peer', () => {
  const net = new TestNet();
  afterAll(() => net.cleanup());

  const macIn = (ns: string | undefined, dev: string): string =>
    (ns
      ? net.exec(ns, ['cat', `/sys/class/net/${dev}/address`])
      : execFileSync('cat', [`/sys/class/net/${dev}/address`], { encoding: 'utf8' })
    ).trim();

  it('gives the MAC of a peer in another namespace, and follows it when it changes', () => {
    const ns = net.addNetns();
    const v = net.addVeth({ nsB: ns });
    expect(vethPeerMac(ifIndex(v.a))?.toString('hex').match(/../g)?.join(':')).toBe(macIn(ns, v.b));
    net.exec(ns, ['ip', 'link', 'set', 'dev', v.b, 'address', '02:00:5e:00:53:07']);
    expect(vethPeerMac(ifIndex(v.a))?.toString('hex')).toBe('02005e005307');
  });

  it('gives nothing for a peer in the same namespace, a non-veth or an unknown ifindex', () => {
    const v = net.addVeth();
    expect(vethPeerMac(ifIndex(v.a))).toBeUndefined();
    expect(vethPeerMac(1)).toBeUndefined(); // loopback
    expect(vethPeerMac(0x7ffffff0)).toBeUndefined();
  });

  it('gives nothing once the peer has moved into this namespace', () => {
    const ns = net.addNetns();
    const v = net.addVeth({ nsB: ns });
    expect(vethPeerMac(ifIndex(v.a))).toBeDefined();
    net.exec(ns, ['ip', 'link', 'set', 'dev', v.b, 'netns', String(process.pid)]);
    expect(vethPeerMac(ifIndex(v.a))).toBeUndefined();
  });
});
