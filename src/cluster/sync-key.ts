// The cluster key of session sync: an operator-made file of at least MIN_KEY_BYTES bytes (e.g.
// `head -c 32 /dev/urandom > key; chmod 600 key`), the same on every node. Refused when group or
// others may read or write it, or when another user than the agent's owns it: a key others can read
// authenticates nothing.

import { readFileSync, statSync } from 'node:fs';

export const MIN_KEY_BYTES = 32;

/** The key in `path`, checked (throws with the reason). */
export function loadClusterKey(path: string): Buffer {
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`cluster key ${path}: not a regular file`);
  if ((st.mode & 0o077) !== 0)
    throw new Error(`cluster key ${path}: mode ${(st.mode & 0o777).toString(8)}, must be 0600 or stricter`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new Error(`cluster key ${path}: owned by uid ${st.uid}, not ${uid}`);
  const key = readFileSync(path);
  if (key.length < MIN_KEY_BYTES)
    throw new Error(`cluster key ${path}: ${key.length} bytes, at least ${MIN_KEY_BYTES} needed`);
  return key;
}
