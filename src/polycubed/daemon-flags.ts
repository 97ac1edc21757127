// The daemon's command-line flags, shared by both launchers: `polycubed` (src/polycubed/main.ts)
// and `npm start` (src/main.ts, polycubed and the lbrp service in one process). Each flag, its
// help line and its mapping onto DaemonOptions are written here once.

import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_GRPC_SOCKET } from '../common/defaults';
import { DAEMON_VERSION, DEFAULT_OPTIONS } from './core/daemon-options';
import { LOG_LEVELS, type LogLevel } from './core/types';
import { parseKernelMemoryBudget } from './core/kernel-memory-budget';
import type { DaemonOptions } from './core/types';

/** parseArgs options of the daemon flags (plus --grpc-socket, --quiet and --help). */
export const DAEMON_FLAG_OPTIONS = {
  'grpc-socket': { type: 'string' },
  'pin-root': { type: 'string' },
  'state-file': { type: 'string' },
  'no-persistence': { type: 'boolean' },
  'runtime-dir': { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-veth-peer-shortcut': { type: 'boolean' },
  'kernel-memory-budget': { type: 'string' },
  'request-timeout': { type: 'string' },
  // polycubed's own flags (issue 18)
  loglevel: { type: 'string', short: 'l' },
  logfile: { type: 'string' },
  pidfile: { type: 'string' },
  'cubes-dump-file': { type: 'string' },
  'cubes-dump-enable': { type: 'boolean' },
  'cubes-dump-clean-init': { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  daemon: { type: 'boolean', short: 'd' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Help lines of DAEMON_FLAG_OPTIONS (without --help). */
export const DAEMON_FLAGS_HELP = [
  `  --grpc-socket PATH   unix socket for services (default ${DEFAULT_GRPC_SOCKET}, mode 0600)`,
  `  --pin-root DIR       bpffs directory for cube pins (default ${DEFAULT_OPTIONS.pinRoot}; a bpffs is mounted if none is)`,
  `  --state-file FILE    persisted cube configuration (default ${DEFAULT_OPTIONS.stateFile})`,
  '  --no-persistence     do not load or save the cube configuration',
  '  --runtime-dir DIR    per-cube runtime records (default: <dir of state file>/runtime)',
  `  --cache-dir DIR      clang object cache (default ${DEFAULT_OPTIONS.cacheDir})`,
  "  --no-veth-peer-shortcut  TC cubes transmit every frame on the port's veth, never straight into",
  '                       its peer (slower; lets captures and egress filters on that veth see them)',
  "  --kernel-memory-budget SIZE  kernel memory all cubes' maps may take (bytes, 256M, 1G, or a",
  '                       share of RAM like 12.5%; default 1/8 of MemTotal); a cube past it is refused',
  `  --request-timeout MS how long to wait for a service's reply (default ${DEFAULT_OPTIONS.requestTimeoutMs})`,
  '  --quiet              do not print cube logs',
  "polycubed's flags (where our default differs, polycubed's is in brackets):",
  "  -l, --loglevel LEVEL the daemon's own messages at or above LEVEL: trace, debug, info, warn, err,",
  "                       critical, off (default info); cube messages follow each cube's loglevel",
  '  --logfile FILE       also append the log lines to FILE (default none [/var/log/polycube/polycubed.log])',
  '  --pidfile FILE       write the process id to FILE, removed at exit (default none [/var/run/polycube.pid])',
  `  --cubes-dump-file FILE  same as --state-file (default ${DEFAULT_OPTIONS.stateFile} [/etc/polycube/cubes.yaml])`,
  '  --cubes-dump-enable  persist the cubes: on by default here [off]; --no-persistence turns it off',
  '  --cubes-dump-clean-init  start with no saved cubes: the dump file is emptied first',
  '  --configfile FILE    flags as `flag: value` YAML lines (polycubed.conf); the command line wins',
  '                       (default none [/etc/polycube/polycubed.conf])',
  '  -d, --daemon         run in the background (stdin/stdout/stderr closed: use --logfile, --pidfile)',
  '  -v, --version        print the version and exit',
];

/** What the daemon flags say, from parseArgs values. */
export interface DaemonFlags {
  daemon: Partial<DaemonOptions>;
  socketPath: string;
  quiet: boolean;
  help: boolean;
  /** --version: print DAEMON_VERSION and exit. */
  version: boolean;
  /** --daemon: start again detached, in the background, and exit. */
  background: boolean;
  loglevel: LogLevel;
  logfile?: string;
  pidfile?: string;
  /** --cubes-dump-clean-init: empty the state file before the daemon reads it. */
  cleanInit: boolean;
}

/** The --version line. */
export const VERSION_LINE = DAEMON_VERSION;

/** A --loglevel value (any case; polycubed's names) as a LogLevel. */
export function parseLogLevel(text: string): LogLevel {
  const up = text.toUpperCase();
  const level = (LOG_LEVELS as readonly string[]).includes(up) ? (up as LogLevel) : undefined;
  if (!level)
    throw new Error(
      `--loglevel must be one of ${LOG_LEVELS.join(', ').toLowerCase()}, got ${JSON.stringify(text)}`,
    );
  return level;
}

type FlagValues = {
  [K in keyof typeof DAEMON_FLAG_OPTIONS]?: (typeof DAEMON_FLAG_OPTIONS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

/** Maps parsed daemon flags onto DaemonOptions. Throws a message naming the flag on a bad value. */
export function daemonFlags(values: FlagValues): DaemonFlags {
  const daemon: Partial<DaemonOptions> = {};
  if (values['pin-root']) daemon.pinRoot = values['pin-root'];
  if (values['state-file']) daemon.stateFile = values['state-file'];
  if (values['cubes-dump-file']) daemon.stateFile = values['cubes-dump-file'];
  if (values['no-persistence']) daemon.stateFile = undefined;
  if (values['runtime-dir']) daemon.runtimeDir = values['runtime-dir'];
  if (values['cache-dir']) daemon.cacheDir = values['cache-dir'];
  if (values['no-veth-peer-shortcut']) daemon.vethPeerShortcut = false;
  if (values['kernel-memory-budget'])
    daemon.kernelMemoryBudget = parseKernelMemoryBudget(values['kernel-memory-budget']);
  if (values['request-timeout'] !== undefined) {
    const ms = Number(values['request-timeout']);
    if (!Number.isSafeInteger(ms) || ms <= 0)
      throw new Error(
        `--request-timeout needs a positive number of milliseconds, got ${JSON.stringify(values['request-timeout'])}`,
      );
    daemon.requestTimeoutMs = ms;
  }
  return {
    daemon,
    socketPath: values['grpc-socket'] ?? DEFAULT_GRPC_SOCKET,
    quiet: values.quiet === true,
    help: values.help === true,
    version: values.version === true,
    background: values.daemon === true,
    loglevel: values.loglevel !== undefined ? parseLogLevel(values.loglevel) : 'INFO',
    logfile: values.logfile,
    pidfile: values.pidfile,
    cleanInit: values['cubes-dump-clean-init'] === true,
  };
}
