// The REST access check's socket lookup over NETLINK_SOCK_DIAG, against the kernel: for real
// loopback connections (IPv4 and IPv6, one opened by another user) it answers the same row as
// /proc/net/tcp (owner uid, inode, state), a tuple nobody holds is not found, and the messages it
// sends and reads have the kernel's layout.

import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { findTcpSocket } from '../../../src/polycubed/rest/proc-net-tcp';
import { diagRequest, diagTcpSocket, parseDiagReply } from '../../../src/polycubed/rest/sock-diag';
import { ipBytes } from '../../../src/polycubed/rest/ip-bytes';
import { describeAsRoot } from '../../fixtures/rest/describe-root';

/** A server on `host` and the server side of one connection from `connect` (which gets the port). */
async function accepted(
  host: string,
  connect: (port: number) => void,
): Promise<{ server: net.Server; side: net.Socket }> {
  const server = net.createServer();
  const got = new Promise<net.Socket>((r) => server.once('connection', r));
  await new Promise<void>((r) => server.listen(0, host, r));
  connect((server.address() as net.AddressInfo).port);
  return { server, side: await got };
}

/** The client's end of the connection `side` accepted: local = the client's, remote = ours. */
function clientEnds(
  side: net.Socket,
): [{ address: Buffer; port: number }, { address: Buffer; port: number }] {
  return [
    { address: ipBytes(side.remoteAddress ?? '') as Buffer, port: side.remotePort as number },
    { address: ipBytes(side.localAddress ?? '') as Buffer, port: side.localPort as number },
  ];
}

describe('kernel: sock_diag socket lookup', () => {
  it.each([
    ['IPv4', '127.0.0.1'],
    ['IPv6', '::1'],
  ])('finds an %s loopback client as /proc/net/tcp shows it', async (_family, host) => {
    let client: net.Socket | undefined;
    const { server, side } = await accepted(host, (port) => (client = net.connect(port, host)));
    try {
      const [local, remote] = clientEnds(side);
      const row = diagTcpSocket(local, remote);
      expect(row).toMatchObject({ state: 1, uid: process.getuid?.() });
      expect(row && row.inode).toBeGreaterThan(0);
      const fromFile = await findTcpSocket(local, remote);
      expect(row).toEqual(fromFile);
      // The server's own end is another socket: found too, with its own inode.
      const ours = diagTcpSocket(remote, local);
      expect(ours && ours.inode).toBeGreaterThan(0);
      expect(ours?.inode).not.toBe(row?.inode);
    } finally {
      client?.destroy();
      server.close();
    }
  });

  it('answers not found for a tuple no socket has', () => {
    const lo = Buffer.from([127, 0, 0, 1]);
    // Port 1 → port 2 on loopback: nobody connects from a privileged port to tcpmux's neighbour.
    expect(diagTcpSocket({ address: lo, port: 1 }, { address: lo, port: 2 })).toBeUndefined();
  });

  describeAsRoot('as root', () => {
    it("names the owner of another user's client socket", async () => {
      let child: ReturnType<typeof spawn> | undefined;
      const { server, side } = await accepted('127.0.0.1', (port) => {
        child = spawn(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            process.execPath,
            '-e',
            `const c=require('net').connect(${port},'127.0.0.1');setTimeout(()=>c.destroy(),30000);`,
          ],
          { stdio: 'ignore' },
        );
      });
      try {
        const [local, remote] = clientEnds(side);
        const row = diagTcpSocket(local, remote);
        expect(row).toMatchObject({ state: 1, uid: 65534 });
        expect(row).toEqual(await findTcpSocket(local, remote));
      } finally {
        child?.kill('SIGKILL');
        server.close();
      }
    });
  });

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
});
