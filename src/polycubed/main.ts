// polycubed command line: starts the daemon (adopting pinned cubes from the state file) and its
// gRPC server, prints cube and daemon logs on stdout, and on SIGTERM/SIGINT stops while leaving
// every cube's dataplane forwarding. `npx tsx src/polycubed/main.ts --help` lists the options.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Daemon } from './core/daemon';
import type { DaemonOptions } from './core/types';
import { PolycubedGrpcServer, type GrpcServerOptions } from './grpc/grpc-server';
import { REST_FLAGS_HELP, parseRestFlags } from './rest/rest-options';
import { startRestServer } from './rest/serve';
import { DAEMON_FLAGS_HELP, DAEMON_FLAG_OPTIONS, daemonFlags, type DaemonFlags } from './daemon-flags';
import { expandConfigFile } from './config-file';
import { applyLaunchFlags } from './launch-flags';
import { logSink } from './log-sink';
import { holdStopSignals, runStopSteps } from './stop-signals';

const USAGE = `usage: polycubed [options]
${DAEMON_FLAGS_HELP[0]}
  --grpc-addr H:P      listen on TCP instead, with TLS and client certificates:
  --grpc-cert FILE     server certificate chain (PEM)
  --grpc-key FILE      server private key (PEM)
  --grpc-cacert FILE   CA that client certificates must chain to (PEM)
${DAEMON_FLAGS_HELP.slice(1).join('\n')}
REST API (polycubectl talks to it):
${REST_FLAGS_HELP.join('\n')}`;

function parseCli(argv: string[]): {
  daemon: Partial<DaemonOptions>;
  grpc: GrpcServerOptions;
  flags: DaemonFlags;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...DAEMON_FLAG_OPTIONS,
      'grpc-addr': { type: 'string' },
      'grpc-cert': { type: 'string' },
      'grpc-key': { type: 'string' },
      'grpc-cacert': { type: 'string' },
    },
  });
  const flags = daemonFlags(values);
  if (flags.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let grpc: GrpcServerOptions;
  if (values['grpc-addr']) {
    const [cert, key, ca] = [values['grpc-cert'], values['grpc-key'], values['grpc-cacert']];
    if (!cert || !key || !ca) throw new Error('--grpc-addr needs --grpc-cert, --grpc-key and --grpc-cacert');
    grpc = {
      address: values['grpc-addr'],
      tls: { cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(ca) },
    };
  } else {
    grpc = { socketPath: flags.socketPath };
  }
  return { daemon: flags.daemon, grpc, flags };
}

async function main(): Promise<void> {
  const restFlags = parseRestFlags(expandConfigFile(process.argv.slice(2)));
  if (!restFlags.ok) throw new Error(restFlags.message);
  const cli = parseCli(restFlags.rest);
  const cleanup = applyLaunchFlags(cli.flags);
  if (!cleanup) return; // --version
  const started = holdStopSignals();
  const daemon = new Daemon(cli.daemon);
  daemon.on('log', logSink(cli.flags));
  await daemon.start();
  const r = daemon.startup;
  console.log(`polycubed: ${r.adopted.length} cubes adopted, ${r.pending.length} waiting for their service`);
  const server = new PolycubedGrpcServer(daemon, cli.grpc);
  const bound = await server.start();
  console.log(`polycubed: listening on ${bound}`);
  const rest = await startRestServer(daemon, { ...restFlags.options, version: daemon.options.version });
  console.log(`polycubed: REST API on ${rest.url}`);
  if (rest.uiUrl) console.log(`polycubed: status page on ${rest.uiUrl}`);
  started(async (signal) => {
    console.log(`polycubed: ${signal}: stopping (cube dataplanes keep forwarding)`);
    const code = await runStopSteps(
      [
        ['the REST API', () => rest.close()],
        ['the gRPC server', () => server.stop()],
        ['the daemon', () => daemon.stop()],
      ],
      (line) => daemon.emit('log', { level: 'ERR', message: line }),
    );
    cleanup();
    process.exit(code);
  });
}

main().catch((err: unknown) => {
  console.error(`polycubed: ${(err as Error).message}`);
  process.exit(1);
});
