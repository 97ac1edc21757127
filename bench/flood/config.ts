// Configuration of the flood bench in one typed object (STYLE §9): the load (idle connections,
// legitimate connection rate, flood length and rate), the peers, and the addresses used inside
// the bench's own namespaces. Nothing here is ever an address outside those namespaces.

import { cpus } from 'node:os';

/** Every load balancer the flood bench knows, in the order a run measures them. */
export const FLOOD_PEERS = ['lbrp-tc', 'lbrp-xdp-drv', 'iptables', 'nftables'] as const;
export type FloodPeerName = (typeof FLOOD_PEERS)[number];

/** One run of the flood bench. */
export interface FloodConfig {
  /** Peers to measure, one after the other, each in a topology of its own. */
  peers: FloodPeerName[];
  /** Rounds; each measures every peer once, each round starting one peer later. Figures are medians. */
  rounds: number;
  /** Idle established connections opened before the flood. */
  idleConnections: number;
  /** Index (0-based) of the backend drained (weight 0) after the idle connections are open. */
  drainedBackend: number;
  /** Legitimate new connections per second during the flood (each: connect, a line each way, close). */
  legitRate: number;
  /** A legitimate connection that has not got its answer after this long failed (ms; ≥ 1 SYN retransmit at 1 s). */
  legitDeadlineMs: number;
  /** Seconds of flood. The legitimate connections run over the same seconds. */
  floodSeconds: number;
  /** SYNs per second of the generator; 0 = as fast as it goes. */
  floodRate: number;
  /**
   * Generator processes (each its own socket). A veth delivers a frame in its sender's context,
   * so each process also carries the whole path behind it: one per CPU floods fastest.
   */
  floodThreads: number;
  /** lbrp's `new-sessions-per-cpu` cube leaf, when given and when the leaf exists. */
  sessionsLimit: number | undefined;
  /** Where the JSON result goes (undefined: not written). */
  output: string | undefined;
  /** Print progress lines. */
  verbose: boolean;
}

/** The full run: 1,000 idle connections, 150 new connections/s, a 10 s flood at full speed. */
export function defaultFloodConfig(): FloodConfig {
  return {
    peers: ['lbrp-tc', 'iptables', 'nftables'],
    rounds: 1,
    idleConnections: 1000,
    drainedBackend: 2,
    legitRate: 150,
    legitDeadlineMs: 3000,
    floodSeconds: 10,
    floodRate: 0,
    floodThreads: Math.max(1, cpus().length),
    sessionsLimit: sessionsLimitFromEnv(),
    output: 'bench/results/flood-latest.json',
    verbose: true,
  };
}

/** `LBRP_FLOOD_SESSIONS_LIMIT` sets the default of `--sessions-limit` (for scripted sweeps). */
function sessionsLimitFromEnv(): number | undefined {
  const v = process.env.LBRP_FLOOD_SESSIONS_LIMIT;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`LBRP_FLOOD_SESSIONS_LIMIT: expected an integer ≥ 0, got "${v}"`);
  return n;
}

/**
 * Addresses inside the bench's namespaces (client ⇄ LB stage ⇄ router ⇄ backends; the same shape
 * as bench/e2e, on a /16 of its own). No route leads out of them.
 */
export const FLOOD_NET = {
  /** The client (idle and legitimate connections) on the client ⇄ router link. */
  client: '10.203.0.1',
  /** The router's address on the client link (the client's default gateway). */
  routerClientSide: '10.203.0.254',
  clientPrefix: 24,
  /** The virtual IP. */
  vip: '10.203.100.100',
  /** Backend i sits on its own /24 link to the router: 10.203.1i.2, router side 10.203.1i.1. */
  backends: ['10.203.11.2', '10.203.12.2', '10.203.13.2'],
  routerBackendSide: ['10.203.11.1', '10.203.12.1', '10.203.13.1'],
  backendPrefix: 24,
  /**
   * The flood's forged sources: 4 M addresses (the shared address space of RFC 6598), each with
   * 64,512 ports. The router routes them back to the client namespace, which blackholes them, so
   * the backends' SYN-ACKs cross the load balancer as real replies would and then go nowhere.
   */
  floodSources: '100.64.0.0/10',
} as const;

/** The service port, on the VIP and on the backends. */
export const FLOOD_PORT = 80;
