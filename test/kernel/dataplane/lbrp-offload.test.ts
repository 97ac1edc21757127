// Offloaded (CHECKSUM_PARTIAL) checksums through the TC dataplane, with real TCP and UDP traffic:
// a client namespace talks to VIP_1 through lbrp attached at TC ingress of two veths, and a
// backend namespace serves on BACKEND_1. With the LB's egress veths set to `tx off`, the kernel
// completes partial checksums in software as the frame leaves, from the pseudo-header sum the
// dataplane updated (BPF_F_PSEUDO_HDR), and the receiving stack verifies the result; with
// offloads off everywhere, full checksums are updated incrementally and verified alike. A wrong
// checksum would drop the SYN or the datagram, so a completed exchange proves them right.

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { attachTc, detachTc, TcAttachment } from '../../../src/polycubed/runtime/netdev-attach';
import { BACKEND_1, CLIENT_1, VIP_1 } from '../../fixtures/addresses';
import { TestNet } from '../../fixtures/netns';
import { describeKernel } from './describe-kernel';
import { standardConfig } from './lbrp-config';
import { LbrpUnderTest } from './lbrp-harness';

const GATEWAY = '10.0.0.254';

const SERVER = `
const net = require('net'), dgram = require('dgram');
net.createServer((s) => s.on('data', (d) => s.end('tcp:' + d))).listen(8080, '${BACKEND_1}', () => {
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send('udp:' + m, r.port, r.address));
  u.bind(5353, '${BACKEND_1}', () => console.log('ready'));
});`;

const CLIENT = `
const net = require('net'), dgram = require('dgram');
const out = [];
const done = () => { console.log(out.join(' ')); process.exit(0); };
const c = net.connect(80, '${VIP_1}', () => c.write('hello'));
c.on('data', (d) => {
  out.push(String(d) + '@' + c.remoteAddress + ':' + c.remotePort);
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => { out.push(String(m) + '@' + r.address + ':' + r.port); done(); });
  u.send('hi', 53, '${VIP_1}');
});
setTimeout(() => { console.log('timeout ' + out.join(' ')); process.exit(1); }, 4000);`;

describeKernel('kernel: lbrp dataplane with offloaded checksums (TC, real traffic)', () => {
  const net = new TestNet();
  let lb: LbrpUnderTest | undefined;
  const attached: TcAttachment[] = [];
  let server: ChildProcess | undefined;
  let nsClient = '';
  let nsBackend = '';
  let lbFront = '';
  let lbBack = '';
  let clientDev = '';
  let backendDev = '';

  beforeAll(async () => {
    nsClient = net.addNetns();
    nsBackend = net.addNetns();
    const front = net.addVeth({ nsB: nsClient, ipB: `${CLIENT_1}/24` });
    const back = net.addVeth({ nsB: nsBackend, ipB: `${BACKEND_1}/24` });
    [lbFront, clientDev, lbBack, backendDev] = [front.a, front.b, back.a, back.b];
    // The backend also answers for the clients' gateway, so the LB stays a transparent L2 hop.
    net.exec(nsBackend, ['ip', 'addr', 'add', `${GATEWAY}/24`, 'dev', backendDev]);
    net.exec(nsClient, ['ip', 'route', 'add', 'default', 'via', GATEWAY]);
    const wiring = { ifindex: [net.ifindex(undefined, lbFront), net.ifindex(undefined, lbBack)] };
    lb = await LbrpUnderTest.load('tc', 'single', wiring, { PCN_TEST_TRACE: 0 });
    lb.configure(standardConfig());
    for (const ifindex of wiring.ifindex) attached.push(attachTc(ifindex, lb.progFd));
    server = spawn('ip', ['netns', 'exec', nsBackend, process.execPath, '-e', SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server?.stdout?.once('data', () => resolve());
      server?.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
  });

  afterAll(() => {
    server?.kill();
    for (const a of attached) {
      try {
        detachTc(a);
      } catch {
        // the veth may already be gone
      }
    }
    lb?.close();
    net.cleanup();
  });

  const offload = (ns: string | undefined, dev: string, on: boolean): void => {
    net.exec(ns, ['ethtool', '-K', dev, 'tx', on ? 'on' : 'off']);
  };

  // Each setting sends one TCP exchange and one UDP exchange; the client sees both answers come
  // from VIP_1 (reverse NAT), which only happens if every rewritten checksum verified.
  it.each([
    ['partial checksums from both ends, completed in software as they leave the LB', true, false],
    ['partial checksums kept partial end to end (the veth default)', true, true],
    ['full checksums everywhere (offloads off), updated incrementally', false, false],
  ])('%s', (_name, endsOffload, lbOffload) => {
    offload(nsClient, clientDev, endsOffload);
    offload(nsBackend, backendDev, endsOffload);
    offload(undefined, lbFront, lbOffload);
    offload(undefined, lbBack, lbOffload);
    const out = execFileSync('ip', ['netns', 'exec', nsClient, process.execPath, '-e', CLIENT], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(out.trim()).toMatch(new RegExp(`^tcp:hello@${VIP_1}:80 udp:hi@${VIP_1}:53$`));
    // The sessions exist: the backend saw the client's own address.
    expect(lb?.sessions('conntrack')).toBeGreaterThanOrEqual(2);
  });
});
