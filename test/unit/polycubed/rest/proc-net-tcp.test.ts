// The socket-table parser reads /proc/net/tcp and tcp6 rows as the kernel prints them (words in
// host byte order), and the lookup finds a client's socket in this process's real table.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('parseProcNetTcp: what a row must hold', () => {
  const row = (cols: string): string => `${HEADER}${cols}\n`;
  const REST = '01 00000000:00000000 00:00000000 00000000  1000 0 77 1';

  it('accepts lower-case hex and reads the state in hex', () => {
    const [e] = parseProcNetTcp(row(`  12: 0100007f:c738 0100007f:2328 0A 0:0 0:0 0  7 0 5`), true);
    expect(e).toEqual({
      local: { address: ipBytes('127.0.0.1'), port: 0xc738 },
      remote: { address: ipBytes('127.0.0.1'), port: 9000 },
      state: 10,
      uid: 7,
      inode: 5,
    });
  });

  it('skips rows whose slot, address columns, uid or inode do not read whole', () => {
    for (const cols of [
      `   1 0100007F:C738 0100007F:2328 ${REST}`,
      `   a: 0100007F:C738 0100007F:2328 ${REST}`,
      `   x1: 0100007F:C738 0100007F:2328 ${REST}`,
      `   1:x 0100007F:C738 0100007F:2328 ${REST}`,
      `   1: 0100007F:C7380 0100007F:2328 ${REST}`,
      `   1: 0100007F:C738 X0100007F:2328 ${REST}`,
      `   1: 0100007F0:C738 0100007F:2328 ${REST}`,
      `   1: 0100007F:C73 0100007F:2328 ${REST}`,
      `   1: 0100007F:C738 0100007F:2328 01 0:0 0:0 0 1.5 0 77`,
      `   1: 0100007F:C738 0100007F:2328 01 0:0 0:0 0 x 0 77`,
      `   1: 0100007F:C738 0100007F:2328 01 0:0 0:0 0 1000 0 7.5`,
      `   1: 0100007F:C738 0100007F:2328 01 0:0 0:0 0 1000 0`,
    ])
      expect([cols, parseProcNetTcp(row(cols), true)]).toEqual([cols, []]);
    // Ten columns are enough.
    expect(
      parseProcNetTcp(row('   1: 0100007F:C738 0100007F:2328 01 0:0 0:0 0 1000 0 77'), true),
    ).toHaveLength(1);
  });

  it('decodes every word of a big-endian IPv6 row', () => {
    const text = `${HEADER}   0: 20010DB8000000000000000000000001:0050 00000000000000000000FFFF7F000001:C738 01 0:0 0:0 0 5 0 6 1\n`;
    const [e] = parseProcNetTcp(text, false);
    expect(e.local).toEqual({ address: ipBytes('2001:db8::1'), port: 80 });
    expect(e.remote).toEqual({ address: ipBytes('127.0.0.1'), port: 51000 });
  });

  it('reads every row of a table, in the host byte order by default', () => {
    const text =
      `${HEADER}   0: 0100007F:0050 00000000:0000 0A 0:0 0:0 0 0 0 10 1\n` +
      `   1: 0100007F:C738 0100007F:0050 01 0:0 0:0 0 1000 0 11 1`;
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    expect(parseProcNetTcp(text)).toEqual(parseProcNetTcp(text, le));
    expect(parseProcNetTcp(text, true).map((e) => [e.local.port, e.uid, e.inode])).toEqual([
      [80, 0, 10],
      [51000, 1000, 11],
    ]);
  });
});

describe('findTcpSocket over given files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-proc-net-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const v4 = (a: string, port: number) => ({ address: ipBytes(a) as Buffer, port });
  const line = (sl: number, l: string, r: string, uid: number, inode: number) =>
    `  ${sl}: ${l} ${r} 01 00000000:00000000 00:00000000 00000000 ${uid} 0 ${inode} 1 0000000000000000 20 4 30 10 -1`;
  const file = (name: string, rows: string[], newline = true): string => {
    const p = join(dir, name);
    writeFileSync(p, HEADER + rows.join('\n') + (newline ? '\n' : ''));
    return p;
  };

  it('finds the row of the two ends, anywhere in the file, in the files order', async () => {
    const client = v4('127.0.0.1', 51000);
    const server = v4('127.0.0.1', 9000);
    const l = formatEndpoint(client, 4) as string;
    const r = formatEndpoint(server, 4) as string;
    const other = formatEndpoint(v4('127.0.0.1', 51001), 4) as string;
    const tcp = file('tcp', [line(0, other, r, 5, 50), line(1, l, r, 1000, 51), line(2, r, l, 0, 52)]);
    expect(await findTcpSocket(client, server, [tcp])).toMatchObject({ uid: 1000, inode: 51 });
    expect(await findTcpSocket(server, client, [tcp])).toMatchObject({ uid: 0, inode: 52 });
    const last = file('tcp-last', [line(0, other, r, 5, 50), line(1, l, r, 33, 53)], false);
    expect(await findTcpSocket(client, server, [last])).toMatchObject({ uid: 33, inode: 53 });
    expect(await findTcpSocket(client, server, [join(dir, 'missing'), last, tcp])).toMatchObject({ uid: 33 });
    expect(await findTcpSocket(client, v4('127.0.0.2', 9000), [tcp, last])).toBeUndefined();
  });

  it('looks for IPv4 ends mapped in a tcp6 file, and for IPv6 ends only there', async () => {
    const client = v4('127.0.0.1', 40000);
    const server = v4('127.0.0.1', 8080);
    const tcp6 = file('tcp6', [
      line(0, formatEndpoint(client, 16) as string, formatEndpoint(server, 16) as string, 77, 60),
      line(
        1,
        formatEndpoint(v4('::1', 40001), 16) as string,
        formatEndpoint(v4('::1', 8080), 16) as string,
        78,
        61,
      ),
    ]);
    const tcp = file('tcp4', []);
    expect(await findTcpSocket(client, server, [tcp, tcp6])).toMatchObject({ uid: 77, inode: 60 });
    expect(await findTcpSocket(v4('::1', 40001), v4('::1', 8080), [tcp, tcp6])).toMatchObject({ uid: 78 });
    // The same rows in a file not named …6 are read as 4-byte addresses: no match.
    const renamed = join(dir, 'tcp6-copy');
    writeFileSync(renamed, readFileSync(tcp6));
    expect(await findTcpSocket(client, server, [renamed])).toBeUndefined();
  });

  it('reads a file without header, down to its last character', async () => {
    const client = v4('127.0.0.1', 42000);
    const server = v4('127.0.0.1', 9000);
    const l = formatEndpoint(client, 4) as string;
    const r = formatEndpoint(server, 4) as string;
    const other = formatEndpoint(v4('127.0.0.1', 42001), 4) as string;
    // Rows only, the first one asked for; the last one ends at its inode, without a newline.
    const bare = join(dir, 'tcp-bare');
    writeFileSync(bare, `0: ${l} ${r} 01 0:0 0:0 0 21 0 22\n1: ${other} ${r} 01 0:0 0:0 0 23 0 24`);
    expect(await findTcpSocket(client, server, [bare])).toMatchObject({ uid: 21, inode: 22 });
    expect(await findTcpSocket(v4('127.0.0.1', 42001), server, [bare])).toMatchObject({ uid: 23, inode: 24 });
    expect(await findTcpSocket(v4('127.0.0.1', 42002), server, [bare])).toBeUndefined();
  });

  it('skips a row it finds but cannot parse', async () => {
    const client = v4('127.0.0.1', 41000);
    const server = v4('127.0.0.1', 9000);
    const l = formatEndpoint(client, 4) as string;
    const r = formatEndpoint(server, 4) as string;
    const bad = file('tcp-bad', [`  0: ${l} ${r} 01 0:0 0:0 0 nobody 0 9`]);
    const good = file('tcp-good', [line(0, l, r, 12, 13)]);
    expect(await findTcpSocket(client, server, [bad, good])).toMatchObject({ uid: 12, inode: 13 });
  });
});

describe('formatEndpoint: padding and case', () => {
  it('pads words and ports with zeros and writes upper-case hex; big-endian tcp6 too', () => {
    expect(formatEndpoint({ address: ipBytes('10.0.0.171') as Buffer, port: 10 }, 4, false)).toBe(
      '0A0000AB:000A',
    );
    expect(formatEndpoint({ address: ipBytes('10.0.0.171') as Buffer, port: 0xabcd }, 4, true)).toBe(
      'AB00000A:ABCD',
    );
    expect(formatEndpoint({ address: ipBytes('127.0.0.1') as Buffer, port: 1 }, 16, false)).toBe(
      '00000000000000000000FFFF7F000001:0001',
    );
    expect(formatEndpoint({ address: ipBytes('2001:db8::1') as Buffer, port: 80 }, 16, false)).toBe(
      '20010DB8000000000000000000000001:0050',
    );
  });
});
