// `lbrp-service` command line: connects to polycubed (unix socket, or TCP with TLS and a client
// certificate), registers the lbrp service and serves it until SIGINT/SIGTERM, reconnecting
// whenever polycubed restarts. Stopping leaves every cube forwarding.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_GRPC_SOCKET } from '../common/defaults';
import { LBRP_DEFAULTS, type LbrpOptions } from './lbrp-options';
import { startLbrpService, type LbrpServiceStart } from './service';

/** polycubed's default gRPC socket. */
export const DEFAULT_POLYCUBED = `unix:${DEFAULT_GRPC_SOCKET}`;

const USAGE = `usage: lbrp-service [options]
  --polycubed ADDR    polycubed's gRPC endpoint: unix:/path (default ${DEFAULT_POLYCUBED}) or host:port
  --cert FILE         client certificate (PEM) for host:port, with --key and --cacert
  --key FILE          client private key (PEM)
  --cacert FILE       CA that polycubed's certificate chains to (PEM)
  --table-min N       smallest Maglev table (default ${LBRP_DEFAULTS.policy.minTableSize}, rounded up to a prime)
  --table-max N       largest Maglev table (default ${LBRP_DEFAULTS.policy.maxTableSize})
  --stats-ttl MS      how long counters read from the kernel are reused (default ${LBRP_DEFAULTS.statsTtlMs})
  --quiet             only warnings and errors`;

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`--${name} needs a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** Parses the command line (exported for tests). */
export function parseLbrpArgs(argv: string[]): LbrpServiceStart & { quiet: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      polycubed: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      cacert: { type: 'string' },
      'table-min': { type: 'string' },
      'table-max': { type: 'string' },
      'stats-ttl': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const address = values.polycubed ?? DEFAULT_POLYCUBED;
  let tls: LbrpServiceStart['tls'];
  if (values.cert || values.key || values.cacert) {
    if (!values.cert || !values.key || !values.cacert)
      throw new Error('--cert, --key and --cacert go together');
    tls = { cert: readFileSync(values.cert), key: readFileSync(values.key), ca: readFileSync(values.cacert) };
  } else if (!address.startsWith('unix:')) {
    throw new Error(
      `${address}: a TCP endpoint needs --cert, --key and --cacert (polycubed only accepts TLS there)`,
    );
  }
  const d = LBRP_DEFAULTS;
  const options: Partial<LbrpOptions> = {
    policy: {
      ...d.policy,
      minTableSize: positive('table-min', values['table-min']) ?? d.policy.minTableSize,
      maxTableSize: positive('table-max', values['table-max']) ?? d.policy.maxTableSize,
    },
    statsTtlMs: positive('stats-ttl', values['stats-ttl']) ?? d.statsTtlMs,
  };
  if (values.quiet)
    options.log = (level, msg) =>
      void (level === 'WARN' || level === 'ERR' ? console.log(`lbrp ${level} ${msg}`) : 0);
  return { address, ...(tls ? { tls } : {}), options, quiet: values.quiet === true };
}

function main(): void {
  const args = parseLbrpArgs(process.argv.slice(2));
  const running = startLbrpService(args);
  running.kit.on('registered', (version: string) =>
    console.log(`lbrp-service: registered with polycubed (${version}) at ${args.address}`),
  );
  running.kit.on('disconnected', (reason: string) =>
    console.log(`lbrp-service: disconnected from polycubed (${reason}); reconnecting`),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`lbrp-service: ${signal}: stopping (cubes keep forwarding)`);
    void running.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`lbrp-service: ${(err as Error).message}`);
    process.exit(1);
  }
}
