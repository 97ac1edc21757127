// Who may read and write: root, the daemon's own user and write-group members write; others get a
// 403 naming them; reads are open unless `--read-access writers`; a client not in the socket table
// is refused unless remote writes were explicitly allowed.

import type { Socket } from 'node:net';
import { checkAccess, isReadMethod, type AccessPolicy } from '../../../../src/polycubed/rest/access-check';
import type { PeerIdentity } from '../../../../src/polycubed/rest/peer-credentials';

const FILES = {
  passwd:
    'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\nalice:x:1000:1000::/:/bin/sh\nsvc:x:500:500::/:/bin/sh\n',
  group: 'root:x:0:\nnogroup:x:65534:\nlbrp:x:990:alice\n',
};
const POLICY: AccessPolicy = {
  writeGroup: 'lbrp',
  readAccess: 'any',
  insecureRemoteWrites: false,
  daemonUid: 500,
};
const SOCKET = {} as Socket;

function check(
  method: string,
  peer: PeerIdentity,
  policy: Partial<AccessPolicy> = {},
): Promise<string | undefined> {
  return checkAccess(
    method,
    SOCKET,
    { ...POLICY, ...policy },
    {
      identify: async () => peer,
      accounts: async () => FILES,
    },
  ).then((e) => e?.message);
}

const local = (uid: number): PeerIdentity => ({ kind: 'local', uid });
const remote: PeerIdentity = { kind: 'unknown', peer: '192.0.2.1:40000' };

describe('checkAccess', () => {
  it.each([
    ['root writes', 'POST', local(0), undefined],
    ['the daemon user writes', 'DELETE', local(500), undefined],
    ['a write-group member writes', 'PATCH', local(1000), undefined],
    [
      'nobody may not write',
      'PUT',
      local(65534),
      'permission denied: uid 65534 (nobody) may not change the configuration (writers: root and members of group "lbrp")',
    ],
    [
      'an unknown uid may not write',
      'POST',
      local(4242),
      'permission denied: uid 4242 may not change the configuration (writers: root and members of group "lbrp")',
    ],
    ['nobody reads by default', 'GET', local(65534), undefined],
    ['help is a read', 'OPTIONS', local(65534), undefined],
    ['an unknown peer reads by default', 'GET', remote, undefined],
    [
      'an unknown peer may not write',
      'POST',
      remote,
      'permission denied: no local process holds the client socket 192.0.2.1:40000, so its user is unknown',
    ],
    [
      'an unknown method writes',
      'PROPFIND',
      local(65534),
      'permission denied: uid 65534 (nobody) may not change the configuration (writers: root and members of group "lbrp")',
    ],
  ])('%s', async (_name, method, peer, want) => {
    expect(await check(method, peer)).toBe(want);
  });

  // --write-group nogroup: nobody (primary group nogroup) may write.
  it('follows --write-group', async () => {
    expect(await check('POST', local(65534), { writeGroup: 'nogroup' })).toBeUndefined();
    expect(await check('POST', local(1000), { writeGroup: 'nogroup' })).toMatch(
      /uid 1000 \(alice\) may not change/,
    );
    expect(await check('POST', local(1000), { writeGroup: 'nosuchgroup' })).toMatch(/may not change/);
  });

  // --read-access writers: reads need the same rights as writes.
  it('limits reads to writers with --read-access writers', async () => {
    expect(await check('GET', local(65534), { readAccess: 'writers' })).toBe(
      'permission denied: uid 65534 (nobody) may not read the configuration (--read-access writers: root and members of group "lbrp")',
    );
    expect(await check('GET', local(1000), { readAccess: 'writers' })).toBeUndefined();
  });

  // The loud flag lets clients outside this host write; local users are still checked.
  it('lets remote clients write only with the insecure flag', async () => {
    expect(await check('POST', remote, { insecureRemoteWrites: true })).toBeUndefined();
    expect(await check('POST', local(65534), { insecureRemoteWrites: true })).toMatch(/may not change/);
  });
});

describe('checkAccess: methods and lookups', () => {
  it('reads GET, HEAD and OPTIONS in any case as reads', async () => {
    for (const m of ['get', 'Head', 'HEAD', 'options']) expect(await check(m, remote)).toBeUndefined();
    for (const m of ['post', 'TRACE', 'CONNECT', ''])
      expect(await check(m, remote)).toMatch(/so its user is unknown$/);
    expect(isReadMethod('gEt')).toBe(true);
    expect(isReadMethod('PATCH')).toBe(false);
  });

  it('looks nothing up for open reads, and reads no account file for root or the daemon user', async () => {
    const calls: string[] = [];
    const run = (method: string, peer: PeerIdentity, readAccess: AccessPolicy['readAccess'] = 'any') =>
      checkAccess(
        method,
        SOCKET,
        { ...POLICY, readAccess },
        {
          identify: async () => {
            calls.push('identify');
            return peer;
          },
          accounts: async () => {
            calls.push('accounts');
            return FILES;
          },
        },
      );
    expect(await run('GET', local(65534))).toBeUndefined();
    expect(calls).toEqual([]);
    expect(await run('POST', local(0))).toBeUndefined();
    expect(await run('POST', local(500))).toBeUndefined();
    expect(calls).toEqual(['identify', 'identify']);
    calls.length = 0;
    expect((await run('GET', local(65534), 'writers'))?.code).toBe('CUBE_ERR_READ_FORBIDDEN');
    expect(calls).toEqual(['identify', 'accounts']);
  });

  it('refuses an unknown peer reads with --read-access writers unless remote writes are allowed', async () => {
    expect(await check('GET', remote, { readAccess: 'writers' })).toBe(
      'permission denied: no local process holds the client socket 192.0.2.1:40000, so its user is unknown',
    );
    expect(await check('GET', remote, { readAccess: 'writers', insecureRemoteWrites: true })).toBeUndefined();
  });
});
