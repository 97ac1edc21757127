// Group resolution from the account files: the primary group from passwd, supplementary groups
// from group's member lists, as `id -G` reports for local users.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gidOfGroup, groupsOfUid, readAccountFiles } from '../../../../src/polycubed/rest/user-groups';

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

describe('account rows that do not read', () => {
  const files = {
    passwd: [
      'short:x:2000',
      'badgid:x:2001:x1',
      'baduid:x:20o2:1',
      'mixed:x:2003a:1',
      'signed:x:-5:1',
      'dave:x:2004:2004::/:/bin/sh',
      'dave2:x:2004:9::/:/bin/sh',
      'min:x:2010:2010',
      'gidtail:x:2005:7x',
      ':x:2006:1',
    ].join('\n'),
    group: [
      'nomembers:x:3000',
      'neg:x:-1:dave',
      'g1:x:3001a:dave',
      'dup:x:2004:dave',
      'empty:x:3002:,, ,',
      'spaced:x:3003: dave ,eve',
      'prefix:x:3004:davey',
    ].join('\n'),
  };

  it('skips short rows and rows whose ids are not whole decimal numbers', () => {
    for (const uid of [2000, 2001, 2002, 2003, 2005, -5])
      expect(groupsOfUid(uid, files)).toEqual({ uid, gids: [] });
    for (const name of ['nomembers', 'neg', 'g1']) expect(gidOfGroup(name, files)).toBeUndefined();
    expect(gidOfGroup('empty', files)).toBe(3002);
  });

  it('takes the first passwd row of a uid, lists a gid once, matches member names exactly', () => {
    expect(groupsOfUid(2004, files)).toEqual({ uid: 2004, name: 'dave', gids: [2004, 3003] });
    expect(gidOfGroup('', files)).toBeUndefined();
    // Four fields are a row; an empty member slot names nobody, not a user without a name.
    expect(groupsOfUid(2010, files)).toEqual({ uid: 2010, name: 'min', gids: [2010] });
    expect(groupsOfUid(2006, files)).toEqual({ uid: 2006, name: '', gids: [1] });
  });

  it('reads the files, and a missing one as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rm-accounts-'));
    try {
      writeFileSync(join(dir, 'passwd'), 'eve:x:7:8::/:/bin/sh\n');
      writeFileSync(join(dir, 'group'), 'g:x:9:eve\n');
      expect(await readAccountFiles({ passwd: join(dir, 'passwd'), group: join(dir, 'group') })).toEqual({
        passwd: 'eve:x:7:8::/:/bin/sh\n',
        group: 'g:x:9:eve\n',
      });
      expect(await readAccountFiles({ passwd: join(dir, 'nope'), group: join(dir, 'group') })).toEqual({
        passwd: '',
        group: 'g:x:9:eve\n',
      });
      // By default the host's own files: root is uid 0 there.
      const host = await readAccountFiles();
      expect(groupsOfUid(0, host).name).toBe('root');
      expect(gidOfGroup('root', host)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
