// Replies to health probes sent out of the BACKEND port (probe.h), TC and XDP, SINGLE and MULTI,
// through BPF_PROG_TEST_RUN: with -D PROBE_SRC, what comes back to that address on the BACKEND
// port (TCP to a probe source port, an echo reply with the probe identifier, ARP about it) is
// handed up (REASON_PROBE_REPLY) and dropped (DROP_PROBE_REPLY_PUNTED), never forwarded to a
// client; other ports, identifiers and addresses go on as before; the same frames from a client
// are not trapped; and a program built without PROBE_SRC traps nothing.

import { BACKEND_1, CLIENT_1, MAC_BACKEND, ROUTER_BACKEND_SIDE } from '../../fixtures/addresses';
import { arp, icmpEcho, icmpError, tcp } from '../../fixtures/packets';
import {
  DROP,
  PROBE_ICMP_ID,
  PROBE_PORT_COUNT,
  PROBE_PORT_MIN,
  REASON_PROBE_REPLY,
} from '../../../src/lbrp/dataplane/map-layouts';
import { ipv4ToNumber } from '../../../src/lbrp/model/ipv4';
import { standardConfig } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { LbrpUnderTest, PortDevices, PORTS, VARIANTS, type RunResult } from './lbrp-harness';

const SRC = '10.0.0.250';
const LAST_PORT = PROBE_PORT_MIN + PROBE_PORT_COUNT - 1;
const fromBackend = { srcMac: MAC_BACKEND };

/** Frames from the backend side that answer probes from SRC. */
const REPLIES: Array<[string, Buffer]> = [
  [
    'SYN-ACK to the first probe port',
    tcp(BACKEND_1, SRC, PROBE_PORT_MIN, { sport: 8080, syn: true, ack: true, ...fromBackend }),
  ],
  [
    'RST-ACK to the last probe port',
    tcp(BACKEND_1, SRC, LAST_PORT, { sport: 8080, rst: true, ack: true, ...fromBackend }),
  ],
  [
    'echo reply with the probe identifier',
    icmpEcho(BACKEND_1, SRC, { reply: true, id: PROBE_ICMP_ID, ...fromBackend }),
  ],
  ['ARP request for the probe source', arp(BACKEND_1, SRC, { senderMac: MAC_BACKEND, srcMac: MAC_BACKEND })],
  [
    'ARP reply to the probe source',
    arp(BACKEND_1, SRC, { op: 'reply', senderMac: MAC_BACKEND, srcMac: MAC_BACKEND }),
  ],
  [
    'host unreachable quoting a probe SYN',
    icmpError(ROUTER_BACKEND_SIDE, SRC, tcp(SRC, BACKEND_1, 8080, { sport: PROBE_PORT_MIN, syn: true }), {
      code: 1,
      ...fromBackend,
    }),
  ],
  [
    'host unreachable quoting a probe echo',
    icmpError(ROUTER_BACKEND_SIDE, SRC, icmpEcho(SRC, BACKEND_1, { id: PROBE_ICMP_ID }), {
      code: 1,
      ...fromBackend,
    }),
  ],
];

/** Frames from the backend side to SRC (or about another address) that are not probe replies. */
const OTHERS: Array<[string, Buffer]> = [
  [
    'TCP below the probe ports',
    tcp(BACKEND_1, SRC, PROBE_PORT_MIN - 1, { sport: 8080, syn: true, ack: true, ...fromBackend }),
  ],
  [
    'TCP above the probe ports',
    tcp(BACKEND_1, SRC, LAST_PORT + 1, { sport: 8080, syn: true, ack: true, ...fromBackend }),
  ],
  [
    'echo reply with another identifier',
    icmpEcho(BACKEND_1, SRC, { reply: true, id: PROBE_ICMP_ID ^ 1, ...fromBackend }),
  ],
  ['echo request to the probe source', icmpEcho(BACKEND_1, SRC, { id: PROBE_ICMP_ID, ...fromBackend })],
  [
    'SYN-ACK to a probe port of a client address',
    tcp(BACKEND_1, CLIENT_1, PROBE_PORT_MIN, { sport: 8080, syn: true, ack: true, ...fromBackend }),
  ],
  [
    'ARP request for a client address',
    arp(BACKEND_1, CLIENT_1, { senderMac: MAC_BACKEND, srcMac: MAC_BACKEND }),
  ],
  [
    'host unreachable quoting a SYN from another port',
    icmpError(ROUTER_BACKEND_SIDE, SRC, tcp(SRC, BACKEND_1, 8080, { sport: PROBE_PORT_MIN - 1, syn: true }), {
      code: 1,
      ...fromBackend,
    }),
  ],
];

describeKernel('kernel: lbrp health probe replies (packet-out probes through the BACKEND port)', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
  });
  afterAll(() => devices?.cleanup());

  describe.each(VARIANTS)('%s %s', (hook, mode) => {
    let lb: LbrpUnderTest;
    let plain: LbrpUnderTest;
    beforeAll(async () => {
      lb = await LbrpUnderTest.load(hook, mode, devices, { PROBE_SRC: ipv4ToNumber(SRC) as number });
      lb.configure(standardConfig());
      plain = await LbrpUnderTest.load(hook, mode, devices);
      plain.configure(standardConfig());
    });
    afterAll(() => {
      lb?.close();
      plain?.close();
    });

    const punted = (u: LbrpUnderTest): bigint => u.dropCounts()[-DROP.PROBE_REPLY_PUNTED];
    /** Runs `frame` on `port` and says whether it was trapped (packet-in and the punt counted). */
    const trapped = (u: LbrpUnderTest, frame: Buffer, port: number): [boolean, RunResult] => {
      const before = punted(u);
      const r = u.run(frame, port);
      const counted = punted(u) - before;
      expect([r.pktinReason === REASON_PROBE_REPLY, counted]).toEqual(
        r.pktinReason === REASON_PROBE_REPLY ? [true, 1n] : [false, 0n],
      );
      return [r.pktinReason === REASON_PROBE_REPLY, r];
    };

    it.each(REPLIES)('hands up and drops a %s from the BACKEND port', (_name, frame) => {
      const [hit, r] = trapped(lb, frame, PORTS.backend);
      expect([hit, r.verdict, r.outPort]).toEqual([true, 'drop', undefined]);
    });

    it.each(OTHERS)('lets a %s from the BACKEND port go on as before', (_name, frame) => {
      const [hit, r] = trapped(lb, frame, PORTS.backend);
      const [, base] = trapped(plain, frame, PORTS.backend);
      expect([hit, r.verdict, r.outPort, r.rxCode]).toEqual([false, base.verdict, base.outPort, base.rxCode]);
    });

    it.each(REPLIES)('forwards a %s from a client to the BACKEND port, untrapped', (_name, frame) => {
      const [hit, r] = trapped(lb, frame, PORTS.frontend);
      expect([hit, r.verdict, r.outPort]).toEqual([false, 'redirect', PORTS.backend]);
    });

    it.each(REPLIES)('traps no %s when built without a probe source', (_name, frame) => {
      const [hit, r] = trapped(plain, frame, PORTS.backend);
      expect(hit).toBe(false);
      expect(r.verdict === 'redirect' || r.verdict === 'drop').toBe(true);
      if (mode === 'single') expect([r.verdict, r.outPort]).toEqual(['redirect', PORTS.frontend]);
    });
  });
});
