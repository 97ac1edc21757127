// The raw-socket health probes against a real backend in a namespace: a half-open TCP probe
// passes on a listening port (and leaves no half-open connection behind: the host's stack resets
// it), fails at once on a closed port (RST) and at the timeout where nothing answers; an ICMP
// echo probe passes on a live address and times out on a silent one. Probes to other ports run
// at the same time and never take each other's replies.

import { randomInt } from 'node:crypto';
import { TestNet } from '../../fixtures/netns';
import { Child, waitFor } from '../../fixtures/child-process';
import { probeTcpSyn } from '../../../src/lbrp/health/probes/tcp-syn-probe';
import { probeIcmpEcho } from '../../../src/lbrp/health/probes/icmp-echo-probe';

const describeRoot = process.getuid?.() === 0 ? describe : describe.skip;

describeRoot('raw-socket health probes', () => {
  const net = new TestNet();
  const subnet = `10.${randomInt(160, 200)}.${randomInt(1, 250)}`;
  const backend = `${subnet}.2`;
  const silent = `${subnet}.3`; // on the link, nobody answers ARP for it
  const ports = [8080, 8081, 8082];
  let ns = '';
  let server: Child | undefined;

  beforeAll(async () => {
    ns = net.addNetns();
    net.addVeth({ nsB: ns, ipA: `${subnet}.1/24`, ipB: `${backend}/24` });
    server = new Child([
      'ip',
      'netns',
      'exec',
      ns,
      process.execPath,
      '-e',
      `const net=require('net');for(const p of ${JSON.stringify(ports)})net.createServer(c=>c.destroy()).listen(p,'0.0.0.0',()=>console.log('listening '+p));`,
    ]);
    for (const p of ports) await server.waitLine(new RegExp(`listening ${p}`));
  }, 30000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.waitExit();
    net.cleanup();
  });

  it('passes on a listening port by SYN-ACK and leaves no half-open connection at the backend', async () => {
    const results = await Promise.all(
      ports.map((port) => probeTcpSyn({ ip: backend, port, timeoutMs: 1000 })),
    );
    for (const r of results) {
      expect(r.ok).toBe(true);
      expect(r.detail).toMatch(/^TCP SYN-ACK in \d+ ms$/);
    }
    // The host answered each SYN-ACK with a RST: nothing stays in SYN-RECV at the backend.
    await waitFor(
      async () => net.exec(ns, ['ss', '-Htn', 'state', 'syn-recv']).trim() === '',
      'no half-open connection at the backend',
      5000,
    );
  });

  it('fails at once on a closed port (RST) while other probes run', async () => {
    const t0 = Date.now();
    const [closed, open] = await Promise.all([
      probeTcpSyn({ ip: backend, port: 9, timeoutMs: 3000 }),
      probeTcpSyn({ ip: backend, port: 8080, timeoutMs: 3000 }),
    ]);
    expect(closed).toMatchObject({ ok: false });
    expect(closed.detail).toMatch(/^TCP refused \(RST\) in \d+ ms$/);
    expect(open.ok).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2500); // the RST, not the 3 s timeout, decided
  });

  it('fails at the timeout where nothing answers', async () => {
    const r = await probeTcpSyn({ ip: silent, port: 8080, timeoutMs: 300 });
    expect(r).toEqual({ ok: false, detail: 'TCP no answer in 300 ms' });
  });

  it('passes an ICMP echo on a live address and times out on a silent one', async () => {
    const [live, dead] = await Promise.all([
      probeIcmpEcho({ ip: backend, port: 0, timeoutMs: 1000 }),
      probeIcmpEcho({ ip: silent, port: 0, timeoutMs: 300 }),
    ]);
    expect(live.ok).toBe(true);
    expect(live.detail).toMatch(/^ICMP echo reply in \d+ ms$/);
    expect(dead).toEqual({ ok: false, detail: 'ICMP no reply in 300 ms' });
  });
});
