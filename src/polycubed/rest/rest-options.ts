// Configuration of polycubed's REST server as one typed object with named defaults, and the
// command-line flags that set it (`--addr`, `--port`, `--cert`, `--key`, `--cacert`).
// Read by serve.ts; nothing here opens sockets or reads files.

/** REST server configuration. */
export interface RestOptions {
  /** Listen address (REST spec §1.1; secure default: loopback only). */
  addr: string;
  /** Listen port; 0 picks a free one (tests). */
  port: number;
  /** PEM server certificate file; with `key` the server speaks HTTPS. */
  cert?: string;
  /** PEM private key file of `cert`. */
  key?: string;
  /** PEM CA bundle: when set, clients must present a certificate it signed (others are refused). */
  cacert?: string;
  /** Largest accepted request body in bytes; larger ones get 413 (REST spec §1.1). */
  maxBodyBytes: number;
  /** Deepest JSON nesting accepted in a body; no YANG tree here comes close. */
  maxJsonDepth: number;
  /** Version string `/version` reports. */
  version: string;
}

/** 1 MiB: polycubed's `max_payload_size`. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Defaults: 127.0.0.1:9000 over plain HTTP, 1 MiB bodies. */
export const DEFAULT_REST_OPTIONS: RestOptions = {
  addr: '127.0.0.1',
  port: 9000,
  maxBodyBytes: MAX_BODY_BYTES,
  maxJsonDepth: 64,
  version: '0.1.0',
};

/** Flags `parseRestFlags` understands, with the option each sets. */
const FLAGS: Record<string, 'addr' | 'port' | 'cert' | 'key' | 'cacert'> = {
  '--addr': 'addr',
  '-a': 'addr',
  '--port': 'port',
  '-p': 'port',
  '--cert': 'cert',
  '--key': 'key',
  '--cacert': 'cacert',
};

/** Help lines for the REST flags, for the daemon's `--help`. */
export const REST_FLAGS_HELP = [
  '  -a, --addr <ip>      REST listen address (default 127.0.0.1)',
  '  -p, --port <n>       REST listen port (default 9000)',
  '      --cert <file>    PEM certificate: serve HTTPS (needs --key)',
  '      --key <file>     PEM private key of --cert',
  '      --cacert <file>  PEM CA: require client certificates signed by it (needs --cert/--key)',
];

/** Outcome of parsing: the options, the arguments that were not REST flags, or what was wrong. */
export type RestFlagsResult =
  { ok: true; options: RestOptions; rest: string[] } | { ok: false; message: string };

/**
 * Reads the REST flags out of `argv` (`--port 9001` or `--port=9001`), leaving every other
 * argument in `rest` in order. Checks the port range and that `--cert`/`--key` come together and
 * `--cacert` only with them. Never reads the files.
 */
export function parseRestFlags(
  argv: readonly string[],
  base: RestOptions = DEFAULT_REST_OPTIONS,
): RestFlagsResult {
  const options: RestOptions = { ...base };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = splitFlag(argv[i]);
    const field = FLAGS[flag];
    if (!field) {
      rest.push(argv[i]);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return { ok: false, message: `missing value for ${flag}` };
    if (field === 'port') {
      const port = Number(value);
      if (!/^[0-9]+$/.test(value) || port > 65535) {
        return { ok: false, message: `invalid port "${value}": expected 0..65535` };
      }
      options.port = port;
    } else {
      options[field] = value;
    }
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    return { ok: false, message: '--cert and --key must be given together' };
  }
  if (options.cacert !== undefined && options.cert === undefined) {
    return { ok: false, message: '--cacert needs --cert and --key (client certificates need TLS)' };
  }
  return { ok: true, options, rest };
}

function splitFlag(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined];
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
