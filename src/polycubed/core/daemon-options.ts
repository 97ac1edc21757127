// polycubed's configuration defaults, in one place (STYLE §9): pin root, persistence file,
// compile cache, timeouts and search paths. main.ts overrides them from the command line.

import { dirname, join, resolve } from 'node:path';
import type { DaemonOptions } from './types';

/** Repository root (src/polycubed/core → ../../..). */
const REPO_ROOT = resolve(__dirname, '../../..');

/** Directory of pcn.h, always on a cube program's include path. */
export const PCN_INCLUDE_DIR = join(REPO_ROOT, 'dataplane/runtime');

/** The daemon's version string, reported to services in Registered. */
export const DAEMON_VERSION = 'lbrp-polycubed 0.1.0';

/** Defaults of every option. */
export const DEFAULT_OPTIONS: DaemonOptions = {
  pinRoot: '/sys/fs/bpf/lbrp',
  stateFile: '/var/lib/lbrp/cubes.json',
  cacheDir: '/var/cache/lbrp/bpf',
  requestTimeoutMs: 30_000, // a CREATE may compile and load a program (clang takes seconds)
  netdevPollMs: 1_000,
  vethPeerShortcut: true,
  yangSearchPath: [join(REPO_ROOT, 'datamodel')],
  version: DAEMON_VERSION,
};

/** `opts` over the defaults; the runtime directory defaults to `<dir of stateFile>/runtime`. */
export function resolveOptions(opts: Partial<DaemonOptions>): DaemonOptions {
  const merged: DaemonOptions = { ...DEFAULT_OPTIONS, ...opts };
  if ('stateFile' in opts && opts.stateFile === undefined) delete merged.stateFile;
  if (merged.runtimeDir === undefined && merged.stateFile !== undefined) {
    merged.runtimeDir = join(dirname(merged.stateFile), 'runtime');
  }
  return merged;
}
