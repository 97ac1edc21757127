// `npm start`: polycubed and the lbrp service in one process (the embedded default, DESIGN §2):
// the daemon with its gRPC server on a unix socket (owner-only), the REST API on 127.0.0.1:9000,
// and the lbrp service connected over that socket. Ctrl-C (SIGINT) or SIGTERM stops both and
// leaves every cube's dataplane forwarding (pinned); the next start adopts them.

import { parseArgs } from 'node:util';
import { Daemon } from './polycubed/core/daemon';
import { PolycubedGrpcServer } from './polycubed/grpc/grpc-server';
import { REST_FLAGS_HELP, parseRestFlags } from './polycubed/rest/rest-options';
import { startRestServer } from './polycubed/rest/serve';
import { startLbrpService } from './lbrp/service';
import { DAEMON_FLAGS_HELP, DAEMON_FLAG_OPTIONS, daemonFlags } from './polycubed/daemon-flags';
import { expandConfigFile } from './polycubed/config-file';
import { applyLaunchFlags } from './polycubed/launch-flags';
import { logSink } from './polycubed/log-sink';
import { holdStopSignals, runStopSteps } from './polycubed/stop-signals';

const USAGE = `usage: npm start -- [options]     (polycubed + the lbrp service in one process)
${DAEMON_FLAGS_HELP.join('\n')}
REST API (polycubectl talks to it):
${REST_FLAGS_HELP.join('\n')}`;

async function main(): Promise<void> {
  const restFlags = parseRestFlags(expandConfigFile(process.argv.slice(2)));
  if (!restFlags.ok) throw new Error(restFlags.message);
  const { values } = parseArgs({ args: restFlags.rest, options: DAEMON_FLAG_OPTIONS });
  const flags = daemonFlags(values);
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const cleanup = applyLaunchFlags(flags);
  if (!cleanup) return; // --version
  const started = holdStopSignals();
  const socketPath = flags.socketPath;

  const daemon = new Daemon(flags.daemon);
  daemon.on('log', logSink(flags));
  await daemon.start();
  const r = daemon.startup;
  console.log(`polycubed: ${r.adopted.length} cubes adopted, ${r.pending.length} waiting for their service`);
  const grpc = new PolycubedGrpcServer(daemon, { socketPath });
  console.log(`polycubed: gRPC for services on ${await grpc.start()}`);
  const rest = await startRestServer(daemon, { ...restFlags.options, version: daemon.options.version });
  console.log(`polycubed: REST API on ${rest.url} (polycubectl's url)`);
  if (rest.uiUrl) console.log(`polycubed: status page on ${rest.uiUrl}`);
  const lbrp = startLbrpService({ address: `unix:${socketPath}`, backoff: { initialMs: 100, maxMs: 2000 } });
  await lbrp.kit.waitRegistered(30_000);
  console.log('lbrp: service registered; try `polycubectl lbrp add lb0 port_mode=SINGLE`');

  started(async (signal) => {
    console.log(`${signal}: stopping (cube dataplanes keep forwarding)`);
    const code = await runStopSteps(
      [
        ['the lbrp service', () => lbrp.stop()],
        ['the REST API', () => rest.close()],
        ['the gRPC server', () => grpc.stop()],
        ['the daemon', () => daemon.stop()],
      ],
      (line) => daemon.emit('log', { level: 'ERR', message: line }),
    );
    cleanup();
    process.exit(code);
  });
}

main().catch((err: unknown) => {
  console.error(`lbrp: ${(err as Error).message}`);
  process.exit(1);
});
