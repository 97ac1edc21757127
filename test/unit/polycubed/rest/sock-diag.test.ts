// The sock_diag messages of the REST access check at the kernel's offsets: the request
// (inet_diag_req_v2 after an nlmsghdr) and the reply (inet_diag_msg, or an error: ENOENT is "no
// such socket", anything else "ask /proc/net/tcp instead"), and this process's own loopback
// sockets looked up for real (no privilege needed). Compared with /proc/net/tcp, and another
// user's socket: test/kernel/rest/sock-diag.test.ts.

import { readdirSync } from 'node:fs';
import * as net from 'node:net';
import { diagRequest, diagTcpSocket, parseDiagReply } from '../../../../src/polycubed/rest/sock-diag';

describe('sock_diag messages', () => {
  it('sends inet_diag_req_v2 and reads inet_diag_msg at their kernel offsets', () => {
    const a = { address: Buffer.from([10, 1, 2, 3]), port: 0x1234 };
    const b = { address: Buffer.from([10, 4, 5, 6]), port: 80 };
    const req = diagRequest(a, b);
    expect(req.length).toBe(16 + 56);
    expect([req.readUInt32LE(0), req.readUInt16LE(4), req.readUInt16LE(6)]).toEqual([72, 20, 1]);
    expect([req[16], req[17], req.readUInt32LE(20)]).toEqual([2, 6, 0xffffffff]);
    expect([req.readUInt16BE(24), req.readUInt16BE(26)]).toEqual([0x1234, 80]);
    expect([...req.subarray(28, 32)]).toEqual([10, 1, 2, 3]);
    expect([...req.subarray(44, 48)]).toEqual([10, 4, 5, 6]);
    expect([req.readUInt32LE(60), req.readUInt32LE(64), req.readUInt32LE(68)]).toEqual([
      0, 0xffffffff, 0xffffffff,
    ]);
    expect(
      diagRequest({ ...a, address: Buffer.alloc(16, 1) }, { ...b, address: Buffer.alloc(16, 2) })[16],
    ).toBe(10);

    const error = (errno: number): Buffer => {
      const m = Buffer.alloc(16 + 4 + 16);
      m.writeUInt32LE(m.length, 0);
      m.writeUInt16LE(2, 4); // NLMSG_ERROR
      m.writeInt32LE(-errno, 16);
      return m;
    };
    expect(parseDiagReply(error(2), a, b)).toBeUndefined(); // ENOENT: no such socket
    expect(parseDiagReply(error(22), a, b)).toBeNull(); // anything else: read the file instead
    expect(parseDiagReply(Buffer.alloc(8), a, b)).toBeNull();
    const msg = Buffer.alloc(16 + 72);
    msg.writeUInt16LE(20, 4);
    msg[17] = 6; // TIME_WAIT
    msg.writeUInt32LE(1000, 16 + 64);
    msg.writeUInt32LE(4242, 16 + 68);
    expect(parseDiagReply(msg, a, b)).toEqual({ local: a, remote: b, state: 6, uid: 1000, inode: 4242 });
    expect(parseDiagReply(msg.subarray(0, 80), a, b)).toBeNull();
  });

  it('refuses short, foreign and truncated messages instead of reading past them', () => {
    const a = { address: Buffer.from([127, 0, 0, 1]), port: 1 };
    const msg = (type: number, length: number): Buffer => {
      const m = Buffer.alloc(length);
      if (length >= 6) m.writeUInt16LE(type, 4);
      return m;
    };
    expect(parseDiagReply(Buffer.alloc(4), a, a)).toBeNull(); // not even a header
    expect(parseDiagReply(msg(2, 18), a, a)).toBeNull(); // an error without its errno
    const enoent = msg(2, 20); // header and errno only: enough to read
    enoent.writeInt32LE(-2, 16);
    expect(parseDiagReply(enoent, a, a)).toBeUndefined();
    expect(parseDiagReply(msg(3, 16 + 72), a, a)).toBeNull(); // NLMSG_DONE, not an answer
    expect(parseDiagReply(msg(20, 16 + 71), a, a)).toBeNull(); // an answer cut short
  });

  it("finds this process's own loopback socket, answers not found for a tuple nobody has, and keeps no descriptor", async () => {
    const server = net.createServer();
    const got = new Promise<net.Socket>((r) => server.once('connection', r));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const side = await got;
    try {
      const lo = Buffer.from([127, 0, 0, 1]);
      const mine = { address: lo, port: side.remotePort as number };
      const ours = { address: lo, port: side.localPort as number };
      const row = diagTcpSocket(mine, ours);
      expect(row).toMatchObject({ local: mine, remote: ours, state: 1, uid: process.getuid?.() });
      expect(row?.inode).toBeGreaterThan(0);
      expect(diagTcpSocket({ address: lo, port: 1 }, { address: lo, port: 2 })).toBeUndefined();
      // Addresses of two families name no socket.
      expect(diagTcpSocket(mine, { address: Buffer.alloc(16), port: ours.port })).toBeUndefined();
      const fds = readdirSync('/proc/self/fd').length;
      for (let i = 0; i < 50; i++) diagTcpSocket(mine, ours);
      expect(readdirSync('/proc/self/fd').length).toBeLessThan(fds + 5);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
