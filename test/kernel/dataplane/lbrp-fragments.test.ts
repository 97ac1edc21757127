// Fragmented datagrams through the dataplane with real traffic: a client namespace sends UDP
// datagrams larger than the MTU to VIP_1 through lbrp attached to two veths (TC ingress, or XDP in
// generic mode), and a backend namespace echoes them back, so both directions travel as IPv4
// fragments that the far end's stack must reassemble. A later fragment sent with the wrong
// addresses never reassembles (the client would time out), and a wrong address in the first
// fragment fails the UDP checksum of the whole datagram: a completed echo from VIP_1:53 with the
// payload intact proves every fragment was translated. Traffic to a host the LB does not
// translate (SERVER_PLAIN) crosses unchanged the same way.

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  attachTc,
  attachXdp,
  detachTc,
  detachXdp,
  TcAttachment,
} from '../../../src/polycubed/runtime/netdev-attach';
import { encodeU32, EV, sumU64 } from '../../../src/lbrp/dataplane/map-layouts';
import { BACKEND_1, CLIENT_1, SERVER_PLAIN, VIP_1 } from '../../fixtures/addresses';
import { TestNet } from '../../fixtures/netns';
import { describeKernel } from './describe-kernel';
import { standardConfig } from './lbrp-config';
import { Hook, LbrpUnderTest, Mode } from './lbrp-harness';

const GATEWAY = '10.0.0.254';
/** UDP payload bytes: three fragments each way at the veths' MTU of 1500. */
const SIZE = 3000;
const DATAGRAMS = 3;

// Echoes every datagram with "<source address>:<port>|" in front, from the address it came to.
const SERVER = `
const dgram = require('dgram');
let ready = 0;
for (const [addr, port] of [['${BACKEND_1}', 5353], ['${SERVER_PLAIN}', 7000]]) {
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send(Buffer.concat([Buffer.from(r.address + ':' + r.port + '|'), m]), r.port, r.address));
  u.bind(port, addr, () => { if (++ready === 2) console.log('ready'); });
}`;

// Sends DATAGRAMS datagrams of SIZE bytes to host:port one after another and checks each echo:
// its source, the address the server saw, and the payload byte for byte.
const client = (host: string, port: number, seenAs: string): string => `
const dgram = require('dgram');
const u = dgram.createSocket('udp4');
let n = 0;
const payload = (i) => Buffer.from(Array.from({ length: ${SIZE} }, (_, k) => (k * 7 + i) & 0xff));
const send = () => u.send(payload(n), ${port}, '${host}');
u.on('message', (m, r) => {
  const head = '${seenAs}:' + u.address().port + '|';
  const ok = r.address === '${host}' && r.port === ${port} && m.subarray(0, head.length).toString() === head &&
    m.subarray(head.length).equals(payload(n));
  if (!ok) { console.log('bad echo ' + n + ' from ' + r.address + ':' + r.port + ' ' + m.length + ' bytes'); process.exit(1); }
  if (++n === ${DATAGRAMS}) { console.log('ok ' + n); process.exit(0); }
  send();
});
u.bind(0, send);
setTimeout(() => { console.log('timeout after ' + n + ' echoes'); process.exit(1); }, 5000);`;

const VARIANTS: Array<[Hook, Mode]> = [
  ['tc', 'single'],
  ['tc', 'multi'],
  ['xdp', 'single'],
  ['xdp', 'multi'],
];

describeKernel('kernel: lbrp dataplane with fragmented datagrams (real traffic)', () => {
  describe.each(VARIANTS)('%s %s', (hook, mode) => {
    const net = new TestNet();
    let lb: LbrpUnderTest | undefined;
    const tc: TcAttachment[] = [];
    const xdp: number[] = [];
    let server: ChildProcess | undefined;
    let nsClient = '';

    beforeAll(async () => {
      nsClient = net.addNetns();
      const nsBackend = net.addNetns();
      const front = net.addVeth({ nsB: nsClient, ipB: `${CLIENT_1}/24` });
      const back = net.addVeth({ nsB: nsBackend, ipB: `${BACKEND_1}/24` });
      // The backend namespace also answers for the clients' gateway (the LB is an L2 hop) and
      // for SERVER_PLAIN, a host on the backend side that no service names.
      for (const addr of [`${GATEWAY}/24`, `${SERVER_PLAIN}/24`])
        net.exec(nsBackend, ['ip', 'addr', 'add', addr, 'dev', back.b]);
      net.exec(nsClient, ['ip', 'route', 'add', 'default', 'via', GATEWAY]);
      const wiring = { ifindex: [net.ifindex(undefined, front.a), net.ifindex(undefined, back.a)] };
      lb = await LbrpUnderTest.load(hook, mode, wiring, { PCN_TEST_TRACE: 0 });
      lb.configure(standardConfig());
      for (const ifindex of wiring.ifindex) {
        if (hook === 'tc') tc.push(attachTc(ifindex, lb.progFd));
        else {
          attachXdp(ifindex, lb.progFd, 'skb');
          xdp.push(ifindex);
        }
      }
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
      for (const a of tc) {
        try {
          detachTc(a);
        } catch {
          // the veth may already be gone
        }
      }
      for (const ifindex of xdp) {
        try {
          detachXdp(ifindex, 'skb');
        } catch {
          // the veth may already be gone
        }
      }
      lb?.close();
      net.cleanup();
    });

    const translated = (): bigint =>
      sumU64(lb?.map('session_events').lookupPerCpu(encodeU32(EV.FRAG_TRANSLATED)) ?? []);
    const runClient = (script: string): string =>
      execFileSync('ip', ['netns', 'exec', nsClient, process.execPath, '-e', script], {
        encoding: 'utf8',
        timeout: 10_000,
      }).trim();

    // Datagrams of three fragments each way reach the backend from the client's own address and
    // come back from VIP_1:53, every later fragment translated as its first fragment was.
    it('a fragmented UDP exchange with a VIP reassembles on both ends, every later fragment translated', () => {
      const before = translated();
      const untracked = lb?.drops('FRAGMENT_UNTRACKED');
      expect(runClient(client(VIP_1, 53, CLIENT_1))).toBe(`ok ${DATAGRAMS}`);
      // Two later fragments per datagram per direction.
      expect(translated() - before).toBe(BigInt(DATAGRAMS * 2 * 2));
      expect(lb?.drops('FRAGMENT_UNTRACKED')).toBe(untracked);
    });

    // Fragments between hosts the LB does not translate cross it unchanged, in both directions.
    it('a fragmented UDP exchange with a host no service names crosses unchanged', () => {
      const before = translated();
      expect(runClient(client(SERVER_PLAIN, 7000, CLIENT_1))).toBe(`ok ${DATAGRAMS}`);
      expect(translated()).toBe(before);
    });
  });
});
