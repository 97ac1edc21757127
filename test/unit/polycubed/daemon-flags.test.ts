// The daemon flags both launchers share: each maps onto its DaemonOptions field, defaults come
// from one place, and a bad value is refused naming the flag.

import { parseArgs } from 'node:util';
import { DEFAULT_GRPC_SOCKET } from '../../../src/common/defaults';
import { DAEMON_FLAGS_HELP, DAEMON_FLAG_OPTIONS, daemonFlags } from '../../../src/polycubed/daemon-flags';

const parse = (args: string[]) => daemonFlags(parseArgs({ args, options: DAEMON_FLAG_OPTIONS }).values);
/** polycubed's own flags when none is given. */
const NO_POLYCUBED_FLAGS = {
  version: false,
  background: false,
  loglevel: 'INFO',
  logfile: undefined,
  pidfile: undefined,
  cleanInit: false,
};

describe('daemon flags', () => {
  it('maps every flag onto DaemonOptions', () => {
    const f = parse([
      '--grpc-socket=/tmp/x.sock',
      '--pin-root=/sys/fs/bpf/t',
      '--state-file=/tmp/s.json',
      '--runtime-dir=/tmp/rt',
      '--cache-dir=/tmp/c',
      '--no-veth-peer-shortcut',
      '--kernel-memory-budget=256M',
      '--request-timeout=1500',
      '--quiet',
    ]);
    expect(f).toEqual({
      daemon: {
        pinRoot: '/sys/fs/bpf/t',
        stateFile: '/tmp/s.json',
        runtimeDir: '/tmp/rt',
        cacheDir: '/tmp/c',
        vethPeerShortcut: false,
        kernelMemoryBudget: 256 * 1024 * 1024,
        requestTimeoutMs: 1500,
      },
      socketPath: '/tmp/x.sock',
      quiet: true,
      help: false,
      ...NO_POLYCUBED_FLAGS,
    });
  });

  it('leaves every option to the daemon default when no flag is given', () => {
    expect(parse([])).toEqual({
      daemon: {},
      socketPath: DEFAULT_GRPC_SOCKET,
      quiet: false,
      help: false,
      ...NO_POLYCUBED_FLAGS,
    });
  });

  // polycubed's own flags (issue 18): names and short forms as polycubed has them.
  it("maps polycubed's flags", () => {
    const f = parse([
      '-l',
      'debug',
      '--logfile=/tmp/l.log',
      '--pidfile=/tmp/p.pid',
      '--cubes-dump-file=/tmp/cubes.json',
      '--cubes-dump-enable',
      '--cubes-dump-clean-init',
      '-v',
    ]);
    expect(f).toMatchObject({
      daemon: { stateFile: '/tmp/cubes.json' },
      version: true,
      loglevel: 'DEBUG',
      logfile: '/tmp/l.log',
      pidfile: '/tmp/p.pid',
      cleanInit: true,
    });
    expect(parse(['--loglevel=TRACE']).loglevel).toBe('TRACE');
    expect(() => parse(['--loglevel=loud'])).toThrow(/^--loglevel must be one of trace, debug, info/);
  });

  it('--no-persistence clears the state file whatever --state-file says', () => {
    expect(parse(['--state-file=/tmp/s.json', '--no-persistence']).daemon).toEqual({ stateFile: undefined });
  });

  it.each(['0', '-5', 'soon', '1.5'])('refuses --request-timeout=%s naming the flag', (v) => {
    expect(() => parse([`--request-timeout=${v}`])).toThrow(/^--request-timeout needs a positive number/);
  });

  it('documents every flag in the help', () => {
    for (const name of Object.keys(DAEMON_FLAG_OPTIONS).filter((n) => n !== 'help'))
      expect([name, DAEMON_FLAGS_HELP.some((l) => new RegExp(`^  (-\\w, )?--${name} `).test(l))]).toEqual([
        name,
        true,
      ]);
  });
});
