// Which groups a uid belongs to, from the local account files (/etc/passwd for the primary
// group, /etc/group for supplementary ones), the way `id -G <user>` answers for local users.
// Read per decision, in-process (no `id` per request), so a new group member counts at once.

import { readFile } from 'node:fs/promises';

/** The text of the two account files. */
export interface AccountFiles {
  passwd: string;
  group: string;
}

/** A user as the account files describe it. */
export interface UserGroups {
  uid: number;
  /** Login name, when /etc/passwd has the uid. */
  name?: string;
  /** Primary gid first, then every group that lists the user as a member; no duplicates. */
  gids: number[];
}

/** `name:x:uid:gid:…` rows of /etc/passwd; malformed rows are skipped. */
function passwdRows(text: string): { name: string; uid: number; gid: number }[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) return [];
    return [{ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }];
  });
}

/** `name:x:gid:member,member` rows of /etc/group; malformed rows are skipped. */
function groupRows(text: string): { name: string; gid: number; members: string[] }[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2])) return [];
    return [
      {
        name: f[0],
        gid: Number(f[2]),
        members: f[3]
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean),
      },
    ];
  });
}

/** The groups of `uid` according to `files` (a uid without a passwd row has no groups). */
export function groupsOfUid(uid: number, files: AccountFiles): UserGroups {
  const user = passwdRows(files.passwd).find((r) => r.uid === uid);
  if (!user) return { uid, gids: [] };
  const gids = [user.gid];
  for (const g of groupRows(files.group)) {
    if (g.members.includes(user.name) && !gids.includes(g.gid)) gids.push(g.gid);
  }
  return { uid, name: user.name, gids };
}

/** The gid of group `name`, or undefined when /etc/group has no such group. */
export function gidOfGroup(name: string, files: AccountFiles): number | undefined {
  return groupRows(files.group).find((g) => g.name === name)?.gid;
}

/** Reads the account files (missing ones read as empty). */
export async function readAccountFiles(
  paths: { passwd: string; group: string } = { passwd: '/etc/passwd', group: '/etc/group' },
): Promise<AccountFiles> {
  const read = (f: string): Promise<string> => readFile(f, 'utf8').catch(() => '');
  const [passwd, group] = await Promise.all([read(paths.passwd), read(paths.group)]);
  return { passwd, group };
}
