// Fragmented datagrams through the dataplane with real traffic: a client namespace sends UDP
// datagrams larger than the MTU to VIP_1 through lbrp attached to two veths (TC ingress, or XDP in
// generic mode), and a backend namespace echoes them back, so both directions travel as IPv4
// fragments that the far end's stack must reassemble. A later fragment sent with the wrong
// addresses never reassembles (the client would time out), and a wrong address in the first
// fragment fails the UDP checksum of the whole datagram: a completed echo from VIP_1:53 with the
// payload intact proves every fragment was translated. Traffic to a host the LB does not
// translate (SERVER_PLAIN) crosses unchanged the same way. Then, through BPF_PROG_TEST_RUN, what
// the counters say about fragments and what happens once a datagram's translation is gone.

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
import { fragmentOf, udp } from '../../fixtures/packets';
import { TestNet } from '../../fixtures/netns';
import { describeKernel } from './describe-kernel';
import { B1_DNS, standardConfig, SVC_DNS } from './lbrp-config';
import { LbrpUnderTest, PortDevices, PORTS, VARIANTS } from './lbrp-harness';

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

describeKernel('kernel: lbrp fragment accounting and lost translations (BPF_PROG_TEST_RUN)', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  const payload = Buffer.alloc(200, 0x61);
  const query = udp(CLIENT_1, VIP_1, 53, { sport: 6000, payload, id: 0x2a2a });
  const answer = udp(BACKEND_1, CLIENT_1, 6000, { sport: 5353, payload, id: 0x3b3b });

  describe.each(['tc', 'xdp'] as const)('%s', (hook) => {
    let lb: LbrpUnderTest;
    beforeAll(async () => {
      lb = await LbrpUnderTest.load(hook, 'single', devices);
    });
    afterAll(() => lb?.close());
    beforeEach(() => lb.configure(standardConfig()));

    const events = (): bigint =>
      sumU64(lb.map('session_events').lookupPerCpu(encodeU32(EV.FRAG_TRANSLATED)) ?? []);
    const send = (frame: Buffer, port: number): string => lb.run(frame, port).verdict;

    // Later fragments are traffic of their session: counted in the service's and the backend's
    // packets and bytes (not as new sessions), and in EV_FRAG_TRANSLATED.
    it("later fragments count in their service's and backend's counters and in session_events", () => {
      const frames: Array<[Buffer, number]> = [
        [fragmentOf(query, 0, 64), PORTS.frontend],
        [fragmentOf(query, 64, 128), PORTS.frontend],
        [fragmentOf(query, 128), PORTS.frontend],
        [fragmentOf(answer, 0, 64), PORTS.backend],
        [fragmentOf(answer, 64), PORTS.backend],
      ];
      const svc0 = lb.counters('service_stats', SVC_DNS.id);
      const be0 = lb.counters('backend_stats', B1_DNS.id);
      const ev0 = events();
      expect(frames.map(([f, port]) => send(f, port))).toEqual(frames.map(() => 'redirect'));
      const bytes = BigInt(frames.reduce((n, [f]) => n + f.length, 0));
      const svc = lb.counters('service_stats', SVC_DNS.id);
      const be = lb.counters('backend_stats', B1_DNS.id);
      expect([
        svc.packets - svc0.packets,
        svc.bytes - svc0.bytes,
        svc.newSessions - svc0.newSessions,
      ]).toEqual([5n, bytes, 1n]);
      expect([be.packets - be0.packets, be.bytes - be0.bytes, be.newSessions - be0.newSessions]).toEqual([
        5n,
        bytes,
        1n,
      ]);
      expect(events() - ev0).toBe(3n);
    });

    // Once a datagram's translation is gone (evicted from frag_track), its later fragments are
    // dropped and counted in both directions: never sent on with the backend's address.
    it("a later fragment whose datagram's translation is gone is dropped, both ways", () => {
      expect(send(fragmentOf(query, 0, 64), PORTS.frontend)).toBe('redirect');
      expect(send(fragmentOf(answer, 0, 64), PORTS.backend)).toBe('redirect');
      expect(lb.map('frag_track').dump()).toHaveLength(2);
      lb.map('frag_track').clear();
      const toVip = lb.drops('FRAGMENT');
      const untracked = lb.drops('FRAGMENT_UNTRACKED');
      expect(send(fragmentOf(query, 64), PORTS.frontend)).toBe('drop');
      expect(send(fragmentOf(answer, 64), PORTS.backend)).toBe('drop');
      expect([lb.drops('FRAGMENT') - toVip, lb.drops('FRAGMENT_UNTRACKED') - untracked]).toEqual([1n, 1n]);
    });
  });
});
