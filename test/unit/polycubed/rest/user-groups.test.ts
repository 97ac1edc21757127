// Group resolution from the account files: the primary group from passwd, supplementary groups
// from group's member lists, as `id -G` reports for local users.

import { gidOfGroup, groupsOfUid } from '../../../../src/polycubed/rest/user-groups';

const FILES = {
  passwd: [
    'root:x:0:0:root:/root:/bin/bash',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    'alice:x:1000:1000::/home/alice:/bin/sh',
    'broken line',
    'bob:x:1001:100::/home/bob:/bin/sh',
  ].join('\n'),
  group: [
    'root:x:0:',
    'users:x:100:',
    'alice:x:1000:',
    'lbrp:x:990:alice, carol',
    'nogroup:x:65534:',
    'ops:x:991:bob,alice',
    'bad:x:notanumber:alice',
  ].join('\n'),
};

describe('groupsOfUid', () => {
  it.each([
    ['root', 0, { uid: 0, name: 'root', gids: [0] }],
    ['nobody, primary group only', 65534, { uid: 65534, name: 'nobody', gids: [65534] }],
    [
      'alice, with supplementary groups in file order',
      1000,
      { uid: 1000, name: 'alice', gids: [1000, 990, 991] },
    ],
    ['bob', 1001, { uid: 1001, name: 'bob', gids: [100, 991] }],
    ['a uid without account', 4242, { uid: 4242, gids: [] }],
  ])('%s', (_name, uid, want) => {
    expect(groupsOfUid(uid, FILES)).toEqual(want);
  });
});

describe('gidOfGroup', () => {
  it('finds a group by name and nothing for an unknown one', () => {
    expect(gidOfGroup('lbrp', FILES)).toBe(990);
    expect(gidOfGroup('nogroup', FILES)).toBe(65534);
    expect(gidOfGroup('wheel', FILES)).toBeUndefined();
  });
});
