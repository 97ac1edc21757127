// The REST access check's socket lookup over NETLINK_SOCK_DIAG, against the kernel: for real
// loopback connections (IPv4 and IPv6, one opened by another user) it answers the same row as
// /proc/net/tcp (owner uid, inode, state), and a tuple nobody holds is not found. The message
// layouts are checked in test/unit/polycubed/rest/sock-diag.test.ts.

import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { findTcpSocket } from '../../../src/polycubed/rest/proc-net-tcp';
import { diagTcpSocket } from '../../../src/polycubed/rest/sock-diag';
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
});
