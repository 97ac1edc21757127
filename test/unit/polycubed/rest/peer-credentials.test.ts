// The peer of a connection is the owner of the client's socket in the table; a socket no process
// holds any more (inode 0, where the kernel prints uid 0) is unknown, never root.

import * as net from 'node:net';
import { identifyPeer, type SocketFinder } from '../../../../src/polycubed/rest/peer-credentials';

/** A connected pair on loopback; resolves with the server side of it. */
async function accepted(): Promise<{ server: net.Server; client: net.Socket; side: net.Socket }> {
  const server = net.createServer();
  const got = new Promise<net.Socket>((r) => server.once('connection', r));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  return { server, client, side: await got };
}

describe('identifyPeer', () => {
  it.each([
    ['an owned socket is its owner', 123, 65534, { kind: 'local', uid: 65534 }],
    ['an orphaned socket (inode 0) is unknown, not root', 0, 0, { kind: 'unknown' }],
  ])('%s', async (_name, inode, uid, want) => {
    const { server, client, side } = await accepted();
    try {
      const asked: Parameters<SocketFinder>[] = [];
      const find: SocketFinder = async (local, remote) => {
        asked.push([local, remote]);
        return { local, remote, state: 1, uid, inode };
      };
      expect(await identifyPeer(side, find)).toMatchObject(want);
      // The client's end is looked up: local = its address and port, remote = ours.
      expect(asked[0][0].port).toBe(client.localPort);
      expect(asked[0][1].port).toBe(side.localPort);
      // Once per connection.
      await identifyPeer(side, find);
      expect(asked).toHaveLength(1);
    } finally {
      client.destroy();
      server.close();
    }
  });

  // The real table: this process's own connection is owned by this process's uid.
  it('finds this process as the owner of its own loopback connection', async () => {
    const { server, client, side } = await accepted();
    try {
      expect(await identifyPeer(side)).toEqual({ kind: 'local', uid: process.getuid?.() });
    } finally {
      client.destroy();
      server.close();
    }
  });
});
