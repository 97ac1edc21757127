// polycubed command line: starts the daemon (adopting pinned cubes from the state file) and its
// gRPC server, prints cube and daemon logs on stdout, and on SIGTERM/SIGINT stops while leaving
// every cube's dataplane forwarding. `npx tsx src/polycubed/main.ts --help` lists the options.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Daemon } from './core/daemon';
import { DEFAULT_OPTIONS } from './core/daemon-options';
import { parseKernelMemoryBudget } from './core/kernel-memory-budget';
import type { DaemonOptions, LogEvent } from './core/types';
import { PolycubedGrpcServer, type GrpcServerOptions } from './grpc/grpc-server';
import { REST_FLAGS_HELP, parseRestFlags } from './rest/rest-options';
import { startRestServer } from './rest/serve';

/** Default unix socket of the gRPC server. */
export const DEFAULT_GRPC_SOCKET = '/run/lbrp/polycubed.sock';

const USAGE = `usage: polycubed [options]
  --grpc-socket PATH   unix socket for services (default ${DEFAULT_GRPC_SOCKET}, mode 0600)
  --grpc-addr H:P      listen on TCP instead, with TLS and client certificates:
  --grpc-cert FILE     server certificate chain (PEM)
  --grpc-key FILE      server private key (PEM)
  --grpc-cacert FILE   CA that client certificates must chain to (PEM)
  --pin-root DIR       bpffs directory for cube pins (default ${DEFAULT_OPTIONS.pinRoot}; a bpffs is mounted if none is)
  --state-file FILE    persisted cube configuration (default ${DEFAULT_OPTIONS.stateFile})
  --no-persistence     do not load or save the cube configuration
  --runtime-dir DIR    per-cube runtime records (default: <dir of state file>/runtime)
  --cache-dir DIR      clang object cache (default ${DEFAULT_OPTIONS.cacheDir})
  --no-veth-peer-shortcut  TC cubes transmit every frame on the port's veth, never straight into
                       its peer (slower; lets captures and egress filters on that veth see them)
  --kernel-memory-budget SIZE  kernel memory all cubes' maps may take (bytes, 256M, 1G, or a
                       share of RAM like 12.5%; default 1/8 of MemTotal); a cube past it is refused
  --request-timeout MS how long to wait for a service's reply (default ${DEFAULT_OPTIONS.requestTimeoutMs})
  --quiet              do not print cube logs
REST API (polycubectl talks to it):
${REST_FLAGS_HELP.join('\n')}`;

function parseCli(argv: string[]): {
  daemon: Partial<DaemonOptions>;
  grpc: GrpcServerOptions;
  quiet: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      'grpc-socket': { type: 'string' },
      'grpc-addr': { type: 'string' },
      'grpc-cert': { type: 'string' },
      'grpc-key': { type: 'string' },
      'grpc-cacert': { type: 'string' },
      'pin-root': { type: 'string' },
      'state-file': { type: 'string' },
      'no-persistence': { type: 'boolean' },
      'runtime-dir': { type: 'string' },
      'cache-dir': { type: 'string' },
      'no-veth-peer-shortcut': { type: 'boolean' },
      'kernel-memory-budget': { type: 'string' },
      'request-timeout': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const daemon: Partial<DaemonOptions> = {};
  if (values['pin-root']) daemon.pinRoot = values['pin-root'];
  if (values['state-file']) daemon.stateFile = values['state-file'];
  if (values['no-persistence']) daemon.stateFile = undefined;
  if (values['runtime-dir']) daemon.runtimeDir = values['runtime-dir'];
  if (values['cache-dir']) daemon.cacheDir = values['cache-dir'];
  if (values['no-veth-peer-shortcut']) daemon.vethPeerShortcut = false;
  if (values['kernel-memory-budget'])
    daemon.kernelMemoryBudget = parseKernelMemoryBudget(values['kernel-memory-budget']);
  if (values['request-timeout']) daemon.requestTimeoutMs = Number(values['request-timeout']);
  let grpc: GrpcServerOptions;
  if (values['grpc-addr']) {
    const [cert, key, ca] = [values['grpc-cert'], values['grpc-key'], values['grpc-cacert']];
    if (!cert || !key || !ca) throw new Error('--grpc-addr needs --grpc-cert, --grpc-key and --grpc-cacert');
    grpc = {
      address: values['grpc-addr'],
      tls: { cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(ca) },
    };
  } else {
    grpc = { socketPath: values['grpc-socket'] ?? DEFAULT_GRPC_SOCKET };
  }
  return { daemon, grpc, quiet: values.quiet === true };
}

async function main(): Promise<void> {
  const restFlags = parseRestFlags(process.argv.slice(2));
  if (!restFlags.ok) throw new Error(restFlags.message);
  const cli = parseCli(restFlags.rest);
  const daemon = new Daemon(cli.daemon);
  daemon.on('log', (ev: LogEvent) => {
    if (cli.quiet && ev.cube) return;
    console.log(`${ev.cube ? `[${ev.cube}] ` : ''}${ev.level} ${ev.message}`);
  });
  await daemon.start();
  const r = daemon.startup;
  console.log(`polycubed: ${r.adopted.length} cubes adopted, ${r.pending.length} waiting for their service`);
  const server = new PolycubedGrpcServer(daemon, cli.grpc);
  const bound = await server.start();
  console.log(`polycubed: listening on ${bound}`);
  const rest = await startRestServer(daemon, { ...restFlags.options, version: daemon.options.version });
  console.log(`polycubed: REST API on ${rest.url}`);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`polycubed: ${signal}: stopping (cube dataplanes keep forwarding)`);
    await rest.close();
    await server.stop();
    await daemon.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`polycubed: ${(err as Error).message}`);
  process.exit(1);
});
