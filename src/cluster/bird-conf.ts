// bird.conf texts for the two roles of a cluster: an lbrp node (announces its VIPs upstream from
// the include file lbrp-announce writes) and an ECMP router (learns the same prefix from every
// node and installs one multipath route). Used by the demo, the tests and the benchmark; an
// operator's own bird.conf needs only the node's `include` line and the export filter.
//
// Failure detection is BFD (100 ms × 3: a dead node's paths go within ≈ 0.3 s), with BGP hold
// 3 s / keepalive 1 s as the fallback when BFD is off. BFD costs 10 small UDP packets a second
// each way per BGP session; the short error-wait lets a returning node re-peer within seconds.

import { VIP_PROTOCOL } from './bird-include';

export const BFD_INTERVAL_MS = 100;
export const BFD_MULTIPLIER = 3;

const common = (routerId: string, bfd: boolean): string[] => [
  `router id ${routerId};`,
  `log stderr all;`,
  `protocol device { scan time 1; }`,
  ...(bfd
    ? [
        `protocol bfd { interface "*" { min rx interval ${BFD_INTERVAL_MS} ms; min tx interval ${BFD_INTERVAL_MS} ms; multiplier ${BFD_MULTIPLIER}; }; }`,
      ]
    : []),
];

const session = (
  local: string,
  localAs: number,
  peer: string,
  peerAs: number,
  ipv4: string,
  bfd: boolean,
): string =>
  `{ local ${local} as ${localAs}; neighbor ${peer} as ${peerAs}; bfd ${bfd ? 'on' : 'off'}; hold time 3; keepalive time 1; ` +
  `connect retry time 1; error wait time 1, 5; ipv4 { ${ipv4} }; }`;

/** A BGP neighbour of a node: the link address the node uses, and the peer's address and AS. */
export interface Uplink {
  name: string;
  local: string;
  peer: string;
  peerAs: number;
  /** Export the node's VIPs (true) or the static routes of `extraStatic` (false). */
  vips: boolean;
}

/** An lbrp node: exports its VIPs (the include file) on `vips` uplinks, `extraStatic` on others. */
export function nodeBirdConf(o: {
  routerId: string;
  as: number;
  includeFile: string;
  uplinks: Uplink[];
  /** Routes (e.g. "0.0.0.0/0") announced to the non-VIP uplinks, always. */
  extraStatic?: string[];
  /** BFD on the BGP sessions (default); off leaves failure detection to the hold timer. */
  bfd?: boolean;
}): string {
  const bfd = o.bfd ?? true;
  const lines = [...common(o.routerId, bfd), `include "${o.includeFile}";`];
  lines.push(
    `protocol static lbrp_other { ipv4; ${(o.extraStatic ?? []).map((r) => `route ${r} blackhole;`).join(' ')} }`,
  );
  for (const u of o.uplinks) {
    const proto = u.vips ? VIP_PROTOCOL : 'lbrp_other';
    lines.push(
      `protocol bgp ${u.name} ${session(u.local, o.as, u.peer, u.peerAs, `import none; export where proto = "${proto}";`, bfd)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** An ECMP router: one BGP session per node, routes merged into multipath kernel routes. */
export function routerBirdConf(o: {
  routerId: string;
  as: number;
  neighbors: Array<{ name: string; local: string; peer: string; peerAs: number }>;
  bfd?: boolean;
}): string {
  const bfd = o.bfd ?? true;
  const lines = [...common(o.routerId, bfd)];
  lines.push(`protocol kernel { ipv4 { import none; export all; }; merge paths yes; }`);
  for (const n of o.neighbors)
    lines.push(
      `protocol bgp ${n.name} ${session(n.local, o.as, n.peer, n.peerAs, 'import all; export none;', bfd)}`,
    );
  return `${lines.join('\n')}\n`;
}
