// Configuration of the end-to-end bench in one typed object (STYLE §9): run length, the peers,
// load shapes, CPU pinning, and the addresses used inside the bench's own namespaces. Nothing
// here is ever an address outside those namespaces.

import { cpus } from 'node:os';

/** Every load balancer the bench knows, in the order a round measures them. */
export const PEER_NAMES = [
  'none',
  'iptables',
  'nftables',
  'ipvs',
  'lbrp-tc',
  'lbrp-xdp-skb',
  'lbrp-xdp-drv',
  'lbrp-routed',
  'lbrp-tc-veth',
] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/**
 * The bench's two networks (README "Topology"): `bump`, the LB stage as a bump in the wire in
 * front of a router (Polycube's setup), and `routed`, one LB host whose single client-facing
 * interface reaches the backends through /32 routes over links of their own (issue 22).
 */
export type TopologyName = 'bump' | 'routed';
/** The peers each topology measures by default (and the only ones it can run). */
export const TOPOLOGY_PEERS: Record<TopologyName, readonly PeerName[]> = {
  bump: ['none', 'iptables', 'nftables', 'ipvs', 'lbrp-tc', 'lbrp-xdp-skb', 'lbrp-xdp-drv'],
  routed: ['none', 'iptables', 'nftables', 'lbrp-routed', 'lbrp-tc-veth'],
};

/** One run of the bench. */
export interface BenchConfig {
  /** Rounds; each measures every peer once, peers interleaved (A B C A B C …). */
  rounds: number;
  /** Measured seconds per metric (after the warm-up). */
  metricSeconds: number;
  /** Warm-up seconds per metric, not counted (connections, ARP, conntrack, caches). */
  warmupSeconds: number;
  /** The network the peers are measured in. */
  topology: TopologyName;
  /** Peers to measure, in round order; `none` is always measured (ratios need it). */
  peers: PeerName[];
  /** Concurrent HTTP connections of the load generator. */
  httpConnections: number;
  /**
   * UDP flows (distinct source ports) of the packet-rate test. Load balancers spread flows by hash
   * or at random, `none` round robin: with few flows one backend's sink gets far more than a third
   * (16 flows: the busiest gets 46% on average, half or more in 38% of splits), and the sender's
   * cost of waking the sinks differs from `none`'s. With 96 flows the busiest gets 38% on average.
   */
  udpFlows: number;
  /** UDP payload bytes: 18 makes a 60-byte Ethernet frame, the smallest there is. */
  udpPayload: number;
  /** CPU of the load generators, or undefined to not pin (fewer than 2 CPUs). */
  clientCpu: number | undefined;
  /** CPU of the servers, or undefined to not pin. */
  serverCpu: number | undefined;
  /**
   * Nice value of the servers and load generators (0: unchanged). A negative value keeps other
   * work on a shared machine from taking the bench's CPU time mid-measurement (README "Pinning").
   */
  nice: number;
  /** Where the JSON result goes (undefined: not written). */
  output: string | undefined;
  /**
   * After the measured rounds, one extra unmeasured pass that records a CPU profile of every
   * load with perf (README "Profiling"); the figures never include it.
   */
  profile: boolean;
  /** Where the profile's Markdown goes. */
  profileOutput: string;
  /** Print progress lines. */
  verbose: boolean;
  /**
   * A peer's measurement during which other work took more than this share of the machine's CPU
   * (%) is thrown away and taken again, up to `remeasures` times (the last one is kept).
   */
  maxOtherWorkPct: number;
  remeasures: number;
}

/** Two CPUs: the load generators on CPU 0, the servers on CPU 1 (see README "Pinning"). */
function defaultCpus(): { clientCpu: number | undefined; serverCpu: number | undefined } {
  const n = cpus().length;
  return n >= 2 ? { clientCpu: 0, serverCpu: 1 } : { clientCpu: undefined, serverCpu: undefined };
}

/** The full run: 5 rounds × 4 metrics × 2.5 s (+0.5 s warm-up) per peer: about 9 minutes with all 7 peers. */
export function defaultConfig(): BenchConfig {
  return {
    rounds: 5,
    metricSeconds: 2.5,
    warmupSeconds: 0.5,
    topology: 'bump',
    peers: [...TOPOLOGY_PEERS.bump],
    httpConnections: 32,
    udpFlows: 96,
    udpPayload: 18,
    ...defaultCpus(),
    nice: 0,
    output: 'bench/results/e2e-latest.json',
    profile: false,
    profileOutput: 'bench/results/e2e-profile.md',
    verbose: true,
    maxOtherWorkPct: 3,
    remeasures: 1,
  };
}

/** The full run on the routed-host topology (its own result file). */
export function routedConfig(base: BenchConfig = defaultConfig()): BenchConfig {
  return {
    ...base,
    topology: 'routed',
    peers: [...TOPOLOGY_PEERS.routed],
    output: base.output?.endsWith('.tmp')
      ? 'bench/results/e2e-routed-quick.json.tmp'
      : 'bench/results/e2e-routed-latest.json',
  };
}

/** `--quick`: a smoke run of about two minutes (3 rounds × 1 s per metric); its JSON is git-ignored. */
export function quickConfig(): BenchConfig {
  return {
    ...defaultConfig(),
    rounds: 3,
    metricSeconds: 1,
    warmupSeconds: 0.3,
    output: 'bench/results/e2e-quick.json.tmp',
  };
}

/**
 * Addresses inside the bench's namespaces (client ⇄ LB stage ⇄ router ⇄ backends). They are
 * private to those namespaces: no route leads out of them, and the host netns is never used.
 */
export const NET = {
  /** The client, on the client ⇄ router link (it also has one source address per peer, below). */
  client: '10.201.0.1',
  /** The router's address on the client link (the client's default gateway). */
  routerClientSide: '10.201.0.254',
  clientPrefix: 24,
  /** The virtual IP every load balancer serves. */
  vip: '10.201.100.100',
  /** Backend i sits on its own /24 link to the router: 10.201.1i.2, router side 10.201.1i.1. */
  backends: ['10.201.11.2', '10.201.12.2', '10.201.13.2'],
  routerBackendSide: ['10.201.11.1', '10.201.12.1', '10.201.13.1'],
  backendPrefix: 24,
  /** Routed topology: the LB host's address on every backend link (a /32; backends are /32 too). */
  lbBackendSide: '10.201.10.1',
} as const;

/**
 * The client's source address while it measures `peer`: 10.201.0.1x, x = the peer's index. The
 * backends keep TIME_WAIT sockets of one peer's connections for 60 s, and TCP timestamps are
 * offset per address pair; a peer reusing the tuples of the previous peer would see SYNs refused
 * (PAWS) and stall. One source address per peer keeps the peers out of each other's way.
 */
export function clientSource(peer: PeerName): string {
  return `10.201.0.${10 + PEER_NAMES.indexOf(peer)}`;
}

/** Service ports (the same on the VIP and on the backends). */
export const PORTS = {
  http: 80,
  udp: 9000,
  /** iperf3; served by backend 1 only, since iperf3's control and data connections must meet. */
  iperf: 5201,
} as const;

/** REST port of polycubed inside the LB namespace (its loopback, unreachable from elsewhere). */
export const POLYCUBED_REST_PORT = 9000;
