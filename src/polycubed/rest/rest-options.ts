// Configuration of polycubed's REST server as one typed object with named defaults (listener, TLS
// and client-certificate lists, who may write, browser guards, timeouts and caps), and the
// command-line flags that set it. Read by serve.ts; nothing here opens sockets or reads files.

import { ipBytes, isLoopbackIp } from './ip-bytes';

/** Who may read (GET, HEAD, OPTIONS): anyone who can connect, or only those who may write. */
export type ReadAccess = 'any' | 'writers';

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
  /**
   * Directory or file of PEM certificates: when set, a client is let in exactly when its
   * certificate is one of them, whoever signed it (polycubed's `--cert-whitelist`).
   */
  certWhitelist?: string;
  /** Directory or file of PEM certificates refused even though `cacert` signed them (`--cert-blacklist`). */
  certBlacklist?: string;
  /** Local users in this group (besides root and the daemon's own user) may write; `--write-group`. */
  writeGroup: string;
  /** Who may read; `--read-access`. */
  readAccess: ReadAccess;
  /** Host names (or addresses) accepted in `Host` besides loopback ones; `--allowed-host`. */
  allowedHosts: string[];
  /** Origins (`scheme://host[:port]`) whose requests are accepted; `--allowed-origin`. */
  allowedOrigins: string[];
  /**
   * Listening on a non-loopback address without client certificates lets anyone who reaches the
   * port write; refused at start unless this is set.
   */
  insecureRemoteWrites: boolean;
  /** Time a client has to send the request line and headers (slowloris), ms. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included, ms (≥ headersTimeoutMs). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long, ms. */
  keepAliveTimeoutMs: number;
  /** Open connections beyond this are closed as soon as they are accepted. */
  maxConnections: number;
  /** Requests being handled at once beyond this are answered 503 with Retry-After. */
  maxInFlight: number;
  /** Largest accepted request body in bytes; larger ones get 413 (REST spec §1.1). */
  maxBodyBytes: number;
  /** Deepest JSON nesting accepted in a body; no YANG tree here comes close. */
  maxJsonDepth: number;
  /** Version string `/version` reports. */
  version: string;
  /** Serve the read-only status page at `/ui/`; `--no-ui` turns it off. */
  ui: boolean;
  /**
   * Write bodies of at least this many characters are parsed and validated in the body worker
   * thread (body-worker-pool.ts), so their garbage never pauses the event loop; Infinity: never.
   */
  bodyWorkerMinChars: number;
}

/** 1 MiB: polycubed's `max_payload_size`. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Defaults: 127.0.0.1:9000 over plain HTTP, 1 MiB bodies, writes for root and group `lbrp`. */
export const DEFAULT_REST_OPTIONS: RestOptions = {
  addr: '127.0.0.1',
  port: 9000,
  writeGroup: 'lbrp',
  readAccess: 'any',
  allowedHosts: [],
  allowedOrigins: [],
  insecureRemoteWrites: false,
  headersTimeoutMs: 10_000, // a real client sends its headers in one packet
  requestTimeoutMs: 60_000, // 1 MiB over a slow link
  keepAliveTimeoutMs: 5_000, // Node's default; polycubectl opens one connection per command anyway
  maxConnections: 256,
  maxInFlight: 64, // a CREATE may compile for seconds; 64 of them is already far past any operator
  maxBodyBytes: MAX_BODY_BYTES,
  maxJsonDepth: 64,
  version: '0.1.0',
  ui: true,
  bodyWorkerMinChars: 64 * 1024,
};

/** `bool` sets its option to true, `off` to false (a `--no-…` flag). */
type FlagKind = 'string' | 'port' | 'list' | 'bool' | 'off' | 'count' | 'ms' | 'read-access';
type FlagSpec = readonly [keyof RestOptions, FlagKind];

/** Flags `parseRestFlags` understands: the option each sets and how its value is read. */
const FLAGS: Record<string, FlagSpec> = {
  '--addr': ['addr', 'string'],
  '-a': ['addr', 'string'],
  '--port': ['port', 'port'],
  '-p': ['port', 'port'],
  '--cert': ['cert', 'string'],
  '--key': ['key', 'string'],
  '--cacert': ['cacert', 'string'],
  '--cert-whitelist': ['certWhitelist', 'string'],
  '--cert-blacklist': ['certBlacklist', 'string'],
  '--write-group': ['writeGroup', 'string'],
  '--read-access': ['readAccess', 'read-access'],
  '--allowed-host': ['allowedHosts', 'list'],
  '--allowed-origin': ['allowedOrigins', 'list'],
  '--insecure-allow-remote-writes-without-client-certs': ['insecureRemoteWrites', 'bool'],
  '--http-headers-timeout': ['headersTimeoutMs', 'ms'],
  '--http-request-timeout': ['requestTimeoutMs', 'ms'],
  '--http-keepalive-timeout': ['keepAliveTimeoutMs', 'ms'],
  '--http-max-connections': ['maxConnections', 'count'],
  '--http-max-in-flight': ['maxInFlight', 'count'],
  '--no-ui': ['ui', 'off'],
};

const D = DEFAULT_REST_OPTIONS;

/** Help lines for the REST flags, for the daemon's `--help`. */
export const REST_FLAGS_HELP = [
  '  -a, --addr <ip>      REST listen address (default 127.0.0.1)',
  '  -p, --port <n>       REST listen port (default 9000)',
  '      --cert <file>    PEM certificate: serve HTTPS (needs --key)',
  '      --key <file>     PEM private key of --cert',
  '      --cacert <file>  PEM CA: require client certificates signed by it (needs --cert/--key)',
  '      --cert-whitelist <dir|file>  only these PEM client certificates are let in (CA not consulted)',
  '      --cert-blacklist <dir|file>  PEM client certificates refused although --cacert signed them',
  `      --write-group <name>  local users of this group may write, besides root (default ${D.writeGroup})`,
  '      --read-access any|writers  who may GET/OPTIONS (default any)',
  '      --allowed-host <name>      also accept this Host (repeatable; loopback names always are)',
  '      --allowed-origin <origin>  accept requests from this web origin (repeatable; default none)',
  '      --insecure-allow-remote-writes-without-client-certs',
  '                       let a non-loopback --addr serve without client certificates: anyone who',
  '                       reaches the port may change the load balancer',
  `      --http-headers-timeout <ms>    (default ${D.headersTimeoutMs})`,
  `      --http-request-timeout <ms>    whole request incl. body (default ${D.requestTimeoutMs})`,
  `      --http-keepalive-timeout <ms>  idle connection (default ${D.keepAliveTimeoutMs})`,
  `      --http-max-connections <n>     (default ${D.maxConnections})`,
  `      --http-max-in-flight <n>       requests handled at once, more get 503 (default ${D.maxInFlight})`,
  '      --no-ui          do not serve the read-only status page at /ui/ (served by default)',
];

/** Outcome of parsing: the options, the arguments that were not REST flags, or what was wrong. */
export type RestFlagsResult =
  { ok: true; options: RestOptions; rest: string[] } | { ok: false; message: string };

/** True for an address only this host can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackAddress(addr: string): boolean {
  if (addr.toLowerCase() === 'localhost') return true;
  const b = ipBytes(addr);
  return b !== undefined && isLoopbackIp(b);
}

/**
 * What is inconsistent or unsafe in `o`, or undefined: TLS files that need each other, client
 * certificate lists without TLS, timeouts out of order, and a non-loopback listener without
 * client certificates unless `insecureRemoteWrites` says so.
 */
export function checkRestOptions(o: RestOptions): string | undefined {
  if ((o.cert === undefined) !== (o.key === undefined)) return '--cert and --key must be given together';
  if (o.cacert !== undefined && o.cert === undefined) {
    return '--cacert needs --cert and --key (client certificates need TLS)';
  }
  for (const [v, flag] of [
    [o.certWhitelist, '--cert-whitelist'],
    [o.certBlacklist, '--cert-blacklist'],
  ] as const) {
    if (v !== undefined && o.cert === undefined)
      return `${flag} needs --cert and --key (client certificates need TLS)`;
  }
  if (o.certBlacklist !== undefined && o.cacert === undefined && o.certWhitelist === undefined) {
    return '--cert-blacklist needs --cacert (the CA that signs the certificates not on the list)';
  }
  if (o.requestTimeoutMs < o.headersTimeoutMs) {
    return '--http-request-timeout must be at least --http-headers-timeout';
  }
  const clientCerts = o.cacert !== undefined || o.certWhitelist !== undefined;
  if (!isLoopbackAddress(o.addr) && !clientCerts && !o.insecureRemoteWrites) {
    return (
      `refusing to listen on ${o.addr} without client certificates: anyone who reaches it could ` +
      'change the load balancer. Use --cert/--key with --cacert or --cert-whitelist, or listen on ' +
      '127.0.0.1, or pass --insecure-allow-remote-writes-without-client-certs'
    );
  }
  return undefined;
}

/** Reads one flag value into `options`; returns what was wrong with it. */
function setFlag(
  options: RestOptions,
  flag: string,
  [field, kind]: FlagSpec,
  value: string,
): string | undefined {
  const o = options as unknown as Record<string, unknown>;
  switch (kind) {
    case 'port':
      if (!/^[0-9]+$/.test(value) || Number(value) > 65535)
        return `invalid port "${value}": expected 0..65535`;
      o[field] = Number(value);
      return undefined;
    case 'ms':
    case 'count':
      if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 2 ** 31 - 1) {
        return `invalid ${flag} "${value}": expected a positive integer${kind === 'ms' ? ' (milliseconds)' : ''}`;
      }
      o[field] = Number(value);
      return undefined;
    case 'read-access':
      if (value !== 'any' && value !== 'writers')
        return `invalid ${flag} "${value}": expected any or writers`;
      o[field] = value;
      return undefined;
    case 'list':
      o[field] = [...(o[field] as string[]), value];
      return undefined;
    default:
      o[field] = value;
      return undefined;
  }
}

/**
 * Reads the REST flags out of `argv` (`--port 9001` or `--port=9001`), leaving every other
 * argument in `rest` in order, then checks the result with {@link checkRestOptions}. Never reads
 * the files.
 */
export function parseRestFlags(
  argv: readonly string[],
  base: RestOptions = DEFAULT_REST_OPTIONS,
): RestFlagsResult {
  const options: RestOptions = {
    ...base,
    allowedHosts: [...base.allowedHosts],
    allowedOrigins: [...base.allowedOrigins],
  };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = splitFlag(argv[i]);
    const spec = FLAGS[flag];
    if (!spec) {
      rest.push(argv[i]);
      continue;
    }
    if (spec[1] === 'bool' || spec[1] === 'off') {
      if (inline !== undefined) return { ok: false, message: `${flag} takes no value` };
      (options as unknown as Record<string, unknown>)[spec[0]] = spec[1] === 'bool';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return { ok: false, message: `missing value for ${flag}` };
    const wrong = setFlag(options, flag, spec, value);
    if (wrong) return { ok: false, message: wrong };
  }
  const wrong = checkRestOptions(options);
  return wrong ? { ok: false, message: wrong } : { ok: true, options, rest };
}

function splitFlag(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined];
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
