// The peer of a connection is the owner of the client's socket in the table; a socket no process
// holds any more (inode 0, where the kernel prints uid 0) is unknown, never root.

import * as net from 'node:net';
import {
  diagThenFile,
  identifyPeer,
  type SocketFinder,
} from '../../../../src/polycubed/rest/peer-credentials';

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

describe('identifyPeer: what is asked and what an unknown peer is called', () => {
  /** A socket-shaped object (identifyPeer reads only its addresses and ports). */
  const fake = (
    remoteAddress?: string,
    remotePort?: number,
    localAddress?: string,
    localPort?: number,
  ): net.Socket => ({ remoteAddress, remotePort, localAddress, localPort }) as net.Socket;

  it('asks for the client end by address bytes and names an absent one with its address', async () => {
    const asked: string[] = [];
    const find: SocketFinder = async (l, r) => {
      asked.push(`${l.address.toString('hex')}:${l.port} ${r.address.toString('hex')}:${r.port}`);
      return undefined;
    };
    expect(await identifyPeer(fake('::ffff:127.0.0.1', 4000, '127.0.0.1', 9000), find)).toEqual({
      kind: 'unknown',
      peer: '[::ffff:127.0.0.1]:4000',
    });
    expect(await identifyPeer(fake('192.0.2.7', 5000, '::1', 9000), find)).toEqual({
      kind: 'unknown',
      peer: '192.0.2.7:5000',
    });
    expect(asked).toEqual(['7f000001:4000 7f000001:9000', `c0000207:5000 ${'0'.repeat(30)}01:9000`]);
  });

  it('does not look up a socket whose addresses or ports are missing', async () => {
    let asked = 0;
    const find: SocketFinder = async () => {
      asked++;
      return {
        local: { address: Buffer.alloc(4), port: 0 },
        remote: { address: Buffer.alloc(4), port: 0 },
        state: 1,
        uid: 0,
        inode: 1,
      };
    };
    expect(await identifyPeer(fake(undefined, undefined, '127.0.0.1', 9000), find)).toEqual({
      kind: 'unknown',
      peer: '?:?',
    });
    expect(await identifyPeer(fake('127.0.0.1', 1, undefined, 9000), find)).toEqual({
      kind: 'unknown',
      peer: '127.0.0.1:1',
    });
    expect(await identifyPeer(fake('127.0.0.1', undefined, '127.0.0.1', 9000), find)).toEqual({
      kind: 'unknown',
      peer: '127.0.0.1:?',
    });
    expect(await identifyPeer(fake('127.0.0.1', 1, '127.0.0.1', undefined), find)).toMatchObject({
      kind: 'unknown',
    });
    expect(await identifyPeer(fake('not-an-ip', 1, '127.0.0.1', 9000), find)).toMatchObject({
      kind: 'unknown',
    });
    expect(asked).toBe(0);
    // With everything present, root's own socket (inode ≠ 0) is root.
    expect(await identifyPeer(fake('127.0.0.1', 1, '127.0.0.1', 9000), find)).toEqual({
      kind: 'local',
      uid: 0,
    });
    expect(asked).toBe(1);
  });
});

describe('diagThenFile', () => {
  const l = { address: Buffer.from([127, 0, 0, 1]), port: 40000 };
  const r = { address: Buffer.from([127, 0, 0, 1]), port: 9000 };
  const row = { local: l, remote: r, state: 1, uid: 1000, inode: 77 };
  const fileRow = { ...row, uid: 2000 };

  it.each([
    ['a row from sock_diag is the answer; the file is not read', row, row, 0],
    ['"no such socket" from sock_diag stays not found; the file is not read', undefined, undefined, 0],
    ['when sock_diag cannot be asked (null) the file answers', null, fileRow, 1],
  ])('%s', async (_name, fromDiag, want, fileReads) => {
    let reads = 0;
    const find = diagThenFile(
      () => fromDiag,
      async () => {
        reads++;
        return fileRow;
      },
    );
    expect(await find(l, r)).toEqual(want);
    expect(reads).toBe(fileReads);
  });
});
