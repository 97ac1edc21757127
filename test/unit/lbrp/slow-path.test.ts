// The MULTI-mode slow path (src/lbrp/slow-path): which frames go out of which ports for a
// packet-in. ARP replies go to the backend side, plus a copy whose sender IP is mapped into the
// src-ip-rewrite range; flooded non-IP frames go out of every other FRONTEND port.

import { REASON_ARP_REPLY, REASON_FLOODING } from '../../../src/lbrp/dataplane/map-layouts';
import { emptyCube, type CubeModel, type PortModel } from '../../../src/lbrp/model/cube-model';
import { slowPathFrames } from '../../../src/lbrp/slow-path/packet-in';

const port = (name: string, type: PortModel['type']): [string, PortModel] => [name, { name, type }];

function cube(srcIpRewrite: CubeModel['srcIpRewrite'] = {}, withBackend = true): CubeModel {
  return {
    ...emptyCube('lb', 'MULTI'),
    ports: new Map([
      port('f1', 'FRONTEND'),
      ...(withBackend ? [port('b0', 'BACKEND')] : []),
      port('f2', 'FRONTEND'),
      port('f3', 'FRONTEND'),
    ]),
    srcIpRewrite,
  };
}

/** An Ethernet ARP reply from `senderIp` (written here field by field, RFC 826). */
function arpReply(senderIp: string): Buffer {
  const f = Buffer.alloc(42);
  Buffer.from('020000000001', 'hex').copy(f, 0); // destination MAC
  Buffer.from('020000000002', 'hex').copy(f, 6); // source MAC
  f.writeUInt16BE(0x0806, 12); // ARP
  f.writeUInt16BE(1, 14); // Ethernet
  f.writeUInt16BE(0x0800, 16); // IPv4
  f.writeUInt8(6, 18);
  f.writeUInt8(4, 19);
  f.writeUInt16BE(2, 20); // reply
  Buffer.from('020000000002', 'hex').copy(f, 22); // sender MAC
  Buffer.from(senderIp.split('.').map(Number)).copy(f, 28); // sender IP
  Buffer.from('020000000001', 'hex').copy(f, 32); // target MAC
  Buffer.from([10, 0, 0, 254]).copy(f, 38); // target IP
  return f;
}

const senderIp = (f: Buffer): string => [...f.subarray(28, 32)].join('.');

describe('slow path', () => {
  it('floods a frame out of every FRONTEND port but the one it came in on', () => {
    const packet = Buffer.from('ffffffffffff02000000000288cc', 'hex');
    const out = slowPathFrames(cube(), { reason: REASON_FLOODING, portName: 'f2', packet });
    expect(out).toEqual([
      { port: 'f1', packet },
      { port: 'f3', packet },
    ]);
  });

  it('sends an ARP reply to the backend port, with a copy mapped into the new range', () => {
    const packet = arpReply('192.168.1.77');
    const rewrite = { ipRange: '192.168.1.0/24', newIpRange: '172.16.5.0/24' };
    const out = slowPathFrames(cube(rewrite), { reason: REASON_ARP_REPLY, portName: 'f1', packet }) as Array<{
      port: string;
      packet: Buffer;
    }>;
    expect(out.map((o) => o.port)).toEqual(['b0', 'b0']);
    expect(out[0].packet).toBe(packet); // the original, unchanged
    expect(senderIp(out[0].packet)).toBe('192.168.1.77');
    expect(senderIp(out[1].packet)).toBe('172.16.5.77');
    // Only the sender IP differs between the two frames.
    const diff = [...out[1].packet].flatMap((b, i) => (b !== packet[i] ? [i] : []));
    expect(diff).toEqual([28, 29, 30]);
  });

  it('sends no copy for a sender outside the range, without a complete rewrite, or for a non-ARP frame', () => {
    const rewrite = { ipRange: '192.168.1.0/24', newIpRange: '172.16.5.0/24' };
    const ports = (m: CubeModel, packet: Buffer): unknown =>
      (
        slowPathFrames(m, { reason: REASON_ARP_REPLY, portName: 'f1', packet }) as Array<{ port: string }>
      ).map((o) => o.port);
    expect(ports(cube(rewrite), arpReply('192.168.2.77'))).toEqual(['b0']);
    expect(ports(cube({ ipRange: '192.168.1.0/24' }), arpReply('192.168.1.77'))).toEqual(['b0']);
    const ipv4 = arpReply('192.168.1.77');
    ipv4.writeUInt16BE(0x0800, 12);
    expect(ports(cube(rewrite), ipv4)).toEqual(['b0']);
    expect(ports(cube(rewrite), arpReply('192.168.1.77').subarray(0, 41))).toEqual(['b0']); // truncated
  });

  it('sends nothing for an ARP reply when there is no backend port, and names an unknown reason', () => {
    expect(
      slowPathFrames(cube({}, false), {
        reason: REASON_ARP_REPLY,
        portName: 'f1',
        packet: arpReply('1.2.3.4'),
      }),
    ).toEqual([]);
    expect(slowPathFrames(cube(), { reason: 9, portName: 'f1', packet: Buffer.alloc(0) })).toBe(
      'Not valid reason 9 received',
    );
  });
});
