// The socket-table parser reads /proc/net/tcp and tcp6 rows as the kernel prints them (words in
// host byte order), and the lookup finds a client's socket in this process's real table.

import * as net from 'node:net';
import { ipBytes } from '../../../../src/polycubed/rest/ip-bytes';
import { findTcpSocket, formatEndpoint, parseProcNetTcp } from '../../../../src/polycubed/rest/proc-net-tcp';

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('parseProcNetTcp', () => {
  // An IPv4 row of a little-endian host: 127.0.0.1:51000 → 127.0.0.1:9000, owner 65534.
  it('decodes a little-endian IPv4 row', () => {
    const text = `${HEADER}   3: 0100007F:C738 0100007F:2328 01 00000000:00000000 00:00000000 00000000 65534        0 123456 1 0000000000000000 20 4 30 10 -1\n`;
    expect(parseProcNetTcp(text, true)).toEqual([
      {
        local: { address: ipBytes('127.0.0.1'), port: 51000 },
        remote: { address: ipBytes('127.0.0.1'), port: 9000 },
        state: 1,
        uid: 65534,
        inode: 123456,
      },
    ]);
  });

  // The same address printed by a big-endian host reads the same.
  it('decodes a big-endian IPv4 row', () => {
    const text = `${HEADER}   0: 7F000001:C738 7F000001:2328 01 00000000:00000000 00:00000000 00000000  1000 0 77 1\n`;
    const [e] = parseProcNetTcp(text, false);
    expect(e.local.address).toEqual(ipBytes('127.0.0.1'));
    expect(e.uid).toBe(1000);
  });

  // IPv6 rows: ::1 and an IPv4-mapped address (which compares equal to its IPv4 form).
  it('decodes IPv6 rows, mapping ::ffff:a.b.c.d to IPv4', () => {
    const text =
      `${HEADER}   0: 00000000000000000000000001000000:C738 0000000000000000FFFF00000100007F:2328 01 ` +
      '00000000:00000000 00:00000000 00000000     0        0 99 1\n';
    const [e] = parseProcNetTcp(text, true);
    expect(e.local.address).toEqual(ipBytes('::1'));
    expect(e.local.address.length).toBe(16);
    expect(e.remote.address).toEqual(ipBytes('127.0.0.1'));
    expect(e.remote.port).toBe(9000);
  });

  // Garbage, short rows and the header are skipped, never thrown on.
  it('skips what it cannot read', () => {
    const text = `${HEADER}junk\n   1: XYZ:0000 0100007F:2328 01 0 0 0 0 0 0\n   2: 0100007F:0050\n\n`;
    expect(parseProcNetTcp(text, true)).toEqual([]);
  });
});

describe('findTcpSocket', () => {
  // A connection this test opens over loopback: its client socket is listed with our uid and a
  // non-zero inode; a port nobody uses is not found.
  it.each(['127.0.0.1', '::1'])('finds the client end of a live loopback connection over %s', async (lo) => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, lo, r));
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect(port, lo);
    await new Promise<void>((r) => client.once('connect', () => r()));
    try {
      const found = await findTcpSocket(
        { address: ipBytes(lo) as Buffer, port: client.localPort as number },
        { address: ipBytes(lo) as Buffer, port },
      );
      expect(found).toMatchObject({ uid: process.getuid?.(), state: 1 });
      expect(found?.inode).toBeGreaterThan(0);
      const none = await findTcpSocket(
        { address: ipBytes(lo) as Buffer, port: client.localPort as number },
        { address: ipBytes('127.0.0.2') as Buffer, port },
      );
      expect(none).toBeUndefined();
    } finally {
      client.destroy();
      server.close();
    }
  });
});

describe('formatEndpoint', () => {
  // The search key is the exact spelling of the kernel's columns, both byte orders, v4 in tcp6.
  it('spells endpoints as the kernel prints them', () => {
    const lo = { address: ipBytes('127.0.0.1') as Buffer, port: 9000 };
    expect(formatEndpoint(lo, 4, true)).toBe('0100007F:2328');
    expect(formatEndpoint(lo, 4, false)).toBe('7F000001:2328');
    expect(formatEndpoint(lo, 16, true)).toBe('0000000000000000FFFF00000100007F:2328');
    const v6 = { address: ipBytes('::1') as Buffer, port: 51000 };
    expect(formatEndpoint(v6, 16, true)).toBe('00000000000000000000000001000000:C738');
    expect(formatEndpoint(v6, 4, true)).toBeUndefined();
  });
});
