// Makes sure a directory is backed by a BPF filesystem before anything is pinned under it.
// polycubed calls it once at start for its pin root (DESIGN §4: `ip netns exec` hides the
// host's bpffs, so a daemon started inside a namespace mounts its own).

import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KernelError } from './kernel-error';
import { lastErrno, libc } from './libbpf-ffi';

const BPF_FS_MAGIC = 0xcafe4a11; // <linux/magic.h>
const DEFAULT_BPFFS = '/sys/fs/bpf';

/** True when `path` (or its nearest existing parent) lives on a bpffs. */
export function isOnBpffs(path: string): boolean {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return libc.statfsType(p) === BPF_FS_MAGIC;
}

/**
 * Ensures `pinRoot` is inside a bpffs: when it is not, mounts one at `mountPoint` (default
 * /sys/fs/bpf when pinRoot is under it, else pinRoot itself) and creates pinRoot. Returns true
 * when it mounted. Throws KernelError("bpffs mount", ...) if the mount fails (needs CAP_SYS_ADMIN).
 */
export function ensureBpffs(pinRoot: string, mountPoint?: string): boolean {
  if (isOnBpffs(pinRoot)) {
    mkdirSync(pinRoot, { recursive: true });
    return false;
  }
  const target = mountPoint ?? (pinRoot.startsWith(`${DEFAULT_BPFFS}/`) ? DEFAULT_BPFFS : pinRoot);
  mkdirSync(target, { recursive: true });
  if (libc.mount('bpf', target, 'bpf', 0, null) !== 0) {
    throw new KernelError('bpffs mount', target, lastErrno() || 1);
  }
  mkdirSync(pinRoot, { recursive: true });
  return true;
}
