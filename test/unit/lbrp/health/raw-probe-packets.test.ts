// The packets and socket filters of the raw-socket probes: checksums that verify (the Internet
// checksum over a correct packet, pseudo header included, is zero), fields where a stack reads
// them, and filter programs whose jumps stay inside the program and end in a return.

import { internetChecksum, type SockFilter } from '../../../../src/lbrp/health/probes/raw-ip-socket';
import { synSegment, tcpPortFilter } from '../../../../src/lbrp/health/probes/tcp-syn-probe';
import { echoReplyFilter, echoRequest } from '../../../../src/lbrp/health/probes/icmp-echo-probe';

const ip4 = (ip: string): Buffer => Buffer.from(ip.split('.').map(Number));

function jumpsStayInside(prog: SockFilter[]): boolean {
  return prog.every((ins, i) => {
    const isJump = (ins.code & 0x07) === 0x05;
    return !isJump || (i + 1 + ins.jt < prog.length && i + 1 + ins.jf < prog.length);
  });
}

describe('raw probe packets', () => {
  it('builds a SYN whose checksum verifies over the pseudo header', () => {
    const seg = Buffer.from(synSegment('10.0.0.1', '192.168.7.9', 40000, 8080, 0xdeadbeef));
    expect(seg).toHaveLength(20);
    expect(seg.readUInt16BE(0)).toBe(40000);
    expect(seg.readUInt16BE(2)).toBe(8080);
    expect(seg.readUInt32BE(4)).toBe(0xdeadbeef);
    expect(seg[12] >> 4).toBe(5);
    expect(seg[13]).toBe(0x02);
    const pseudo = Buffer.concat([ip4('10.0.0.1'), ip4('192.168.7.9'), Buffer.from([0, 6, 0, 20])]);
    expect(internetChecksum(pseudo, seg)).toBe(0);
    // The same segment checked against another source does not verify.
    const other = Buffer.concat([ip4('10.0.0.2'), ip4('192.168.7.9'), Buffer.from([0, 6, 0, 20])]);
    expect(internetChecksum(other, seg)).not.toBe(0);
  });

  it('builds an echo request whose checksum verifies', () => {
    const m = echoRequest(0x1234, 7);
    expect(m[0]).toBe(8);
    expect(m.readUInt16BE(4)).toBe(0x1234);
    expect(m.readUInt16BE(6)).toBe(7);
    expect(internetChecksum(m)).toBe(0);
  });

  it('checksums odd lengths as if padded with a zero byte (RFC 1071)', () => {
    expect(internetChecksum(Buffer.from([0x01]))).toBe(internetChecksum(Buffer.from([0x01, 0x00])));
    expect(internetChecksum(Buffer.from([0xff, 0xff]))).toBe(0);
  });

  it('has filters that end in returns and jump only inside themselves', () => {
    for (const prog of [tcpPortFilter(40000), echoReplyFilter(0x1234)]) {
      expect(jumpsStayInside(prog)).toBe(true);
      expect(prog[prog.length - 1]).toEqual({ code: 0x06, jt: 0, jf: 0, k: 0 });
    }
    expect(tcpPortFilter(40000).find((i) => i.code === 0x15)?.k).toBe(40000);
  });
});
