// `npm start`: polycubed and the lbrp service in one process (the embedded default, DESIGN §2):
// the daemon with its gRPC server on a unix socket (owner-only), the REST API on 127.0.0.1:9000,
// and the lbrp service connected over that socket. Ctrl-C (SIGINT) or SIGTERM stops both and
// leaves every cube's dataplane forwarding (pinned); the next start adopts them.

import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS } from './polycubed/core/daemon-options';
import { parseKernelMemoryBudget } from './polycubed/core/kernel-memory-budget';
import { Daemon } from './polycubed/core/daemon';
import type { DaemonOptions, LogEvent } from './polycubed/core/types';
import { PolycubedGrpcServer } from './polycubed/grpc/grpc-server';
import { REST_FLAGS_HELP, parseRestFlags } from './polycubed/rest/rest-options';
import { startRestServer } from './polycubed/rest/serve';
import { startLbrpService } from './lbrp/service';

/** Default gRPC socket of the embedded pair (same as polycubed's). */
const DEFAULT_SOCKET = '/run/lbrp/polycubed.sock';

const USAGE = `usage: npm start -- [options]     (polycubed + the lbrp service in one process)
  --grpc-socket PATH   unix socket between polycubed and lbrp (default ${DEFAULT_SOCKET}, mode 0600)
  --pin-root DIR       bpffs directory for cube pins (default ${DEFAULT_OPTIONS.pinRoot})
  --state-file FILE    persisted cube configuration (default ${DEFAULT_OPTIONS.stateFile})
  --no-persistence     do not load or save the cube configuration
  --cache-dir DIR      clang object cache (default ${DEFAULT_OPTIONS.cacheDir})
  --no-veth-peer-shortcut  TC cubes transmit every frame on the port's veth, never straight into
                       its peer (slower; lets captures and egress filters on that veth see them)
  --kernel-memory-budget SIZE  kernel memory all cubes' maps may take (bytes, 256M, 1G, or a
                       share of RAM like 12.5%; default 1/8 of MemTotal); a cube past it is refused
  --quiet              do not print cube logs
REST API (polycubectl talks to it):
${REST_FLAGS_HELP.join('\n')}`;

async function main(): Promise<void> {
  const restFlags = parseRestFlags(process.argv.slice(2));
  if (!restFlags.ok) throw new Error(restFlags.message);
  const { values } = parseArgs({
    args: restFlags.rest,
    options: {
      'grpc-socket': { type: 'string' },
      'pin-root': { type: 'string' },
      'state-file': { type: 'string' },
      'no-persistence': { type: 'boolean' },
      'cache-dir': { type: 'string' },
      'no-veth-peer-shortcut': { type: 'boolean' },
      'kernel-memory-budget': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const opts: Partial<DaemonOptions> = {};
  if (values['pin-root']) opts.pinRoot = values['pin-root'];
  if (values['state-file']) opts.stateFile = values['state-file'];
  if (values['no-persistence']) opts.stateFile = undefined;
  if (values['cache-dir']) opts.cacheDir = values['cache-dir'];
  if (values['no-veth-peer-shortcut']) opts.vethPeerShortcut = false;
  if (values['kernel-memory-budget'])
    opts.kernelMemoryBudget = parseKernelMemoryBudget(values['kernel-memory-budget']);
  const socketPath = values['grpc-socket'] ?? DEFAULT_SOCKET;

  const daemon = new Daemon(opts);
  daemon.on('log', (ev: LogEvent) => {
    if (values.quiet && ev.cube) return;
    console.log(`${ev.cube ? `[${ev.cube}] ` : ''}${ev.level} ${ev.message}`);
  });
  await daemon.start();
  const r = daemon.startup;
  console.log(`polycubed: ${r.adopted.length} cubes adopted, ${r.pending.length} waiting for their service`);
  const grpc = new PolycubedGrpcServer(daemon, { socketPath });
  console.log(`polycubed: gRPC for services on ${await grpc.start()}`);
  const rest = await startRestServer(daemon, { ...restFlags.options, version: daemon.options.version });
  console.log(`polycubed: REST API on ${rest.url} (polycubectl's url)`);
  const lbrp = startLbrpService({ address: `unix:${socketPath}`, backoff: { initialMs: 100, maxMs: 2000 } });
  await lbrp.kit.waitRegistered(30_000);
  console.log('lbrp: service registered; try `polycubectl lbrp add lb0 port_mode=SINGLE`');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (cube dataplanes keep forwarding)`);
    await lbrp.stop();
    await rest.close();
    await grpc.stop();
    await daemon.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`lbrp: ${(err as Error).message}`);
  process.exit(1);
});
