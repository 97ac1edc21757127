// Who may read and who may change the configuration through the REST API: root, the daemon's own
// user and members of the write group may write; reads are open or limited to the same writers.
// The user comes from the connection's socket owner (peer-credentials.ts); runs before routing.

import type { Socket } from 'node:net';
import { cubeError, type CubeError } from '../../common/errors';
import { identifyPeer, type PeerIdentity } from './peer-credentials';
import type { ReadAccess } from './rest-options';
import { gidOfGroup, groupsOfUid, readAccountFiles, type AccountFiles } from './user-groups';

/** Methods that never change anything; every other method (POST, PUT, PATCH, DELETE, …) writes. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the check needs to know. */
export interface AccessPolicy {
  writeGroup: string;
  readAccess: ReadAccess;
  /** Clients outside this host (not in the socket table) may write: the insecure flag. */
  insecureRemoteWrites: boolean;
  /** The daemon's own uid: a process of that user could take the daemon over anyway. */
  daemonUid: number;
}

/** Injectable lookups (tests). */
export interface AccessDeps {
  identify?: (socket: Socket) => Promise<PeerIdentity>;
  accounts?: () => Promise<AccountFiles>;
}

/** True when `method` changes nothing. */
export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method.toUpperCase());
}

/** `uid 65534 (nobody)`. */
function who(uid: number, name: string | undefined): string {
  return name === undefined ? `uid ${uid}` : `uid ${uid} (${name})`;
}

/**
 * Undefined when the client of `socket` may perform `method`, else the 403 to answer. Reads with
 * `readAccess: 'any'` are let through without looking anything up.
 */
export async function checkAccess(
  method: string,
  socket: Socket,
  policy: AccessPolicy,
  deps: AccessDeps = {},
): Promise<CubeError | undefined> {
  const read = isReadMethod(method);
  if (read && policy.readAccess === 'any') return undefined;
  const peer = await (deps.identify ?? identifyPeer)(socket);
  if (peer.kind === 'unknown') {
    return policy.insecureRemoteWrites ? undefined : cubeError('CUBE_ERR_PEER_UNKNOWN', { peer: peer.peer });
  }
  if (peer.uid === 0 || peer.uid === policy.daemonUid) return undefined;
  const files = await (deps.accounts ?? readAccountFiles)();
  const user = groupsOfUid(peer.uid, files);
  const gid = gidOfGroup(policy.writeGroup, files);
  if (gid !== undefined && user.gids.includes(gid)) return undefined;
  const params = { who: who(peer.uid, user.name), group: policy.writeGroup };
  return cubeError(read ? 'CUBE_ERR_READ_FORBIDDEN' : 'CUBE_ERR_WRITE_FORBIDDEN', params);
}
