// The load balancers the flood bench compares, each put into a fresh FloodTopology: lbrp (a cube
// on the LB stage, configured over REST by the real daemon) and the kernel's conntrack-based DNAT
// (iptables, nftables) in the router namespace behind bench/e2e's tc mirred bump. Each can drain
// a backend (no new connections, the existing ones kept) and report its session table.

import { execFileSync } from 'node:child_process';
import { dropReasonName, EV } from '../../src/lbrp/dataplane/map-layouts';
import { LbrpStack, type CubeType } from '../e2e/lbrp-stack';
import { haveCommand, inNetns, run } from '../e2e/shell';
import { installBump } from '../e2e/topology';
import { FLOOD_NET, FLOOD_PORT, type FloodConfig, type FloodPeerName } from './config';
import type { FloodTopology } from './topology';

/** What a peer says about its session table, read right after the flood. */
export interface TableReport {
  /**
   * Sessions (connections) the table holds. lbrp: the cube's session-table-entries (older builds:
   * the service's active-sessions); kernel peers: nf_conntrack_count.
   */
  sessions: number;
  /** How many it can hold (lbrp: session-table-size entries, 2 per session; conntrack: nf_conntrack_max). */
  capacity: number;
  /** Counters of the peer's own (lbrp: drops by reason, session events, service counters). */
  counters: Record<string, number>;
  /** Anything worth knowing (a leaf absent, …). */
  notes: string[];
}

/** One load balancer under test, on its own topology. */
export interface FloodPeer {
  readonly name: FloodPeerName;
  /** Why the peer cannot run here, or undefined. */
  check(): string | undefined;
  /** Puts it in the path; the VIP is balanced over the three backends afterwards. */
  setup(): Promise<void>;
  /** Backend `index` gets no new connections from now on; its established ones go on. */
  drain(index: number): Promise<void>;
  /** The session table now. */
  table(): Promise<TableReport>;
  /** Stops what `setup` started outside the topology (the topology's cleanup removes the rest). */
  teardown(): Promise<void>;
}

/** Builds peer `name` on `topo`. */
export function makeFloodPeer(name: FloodPeerName, topo: FloodTopology, cfg: FloodConfig): FloodPeer {
  switch (name) {
    case 'lbrp-tc':
      return lbrpPeer(name, 'TC', topo, cfg);
    case 'lbrp-xdp-drv':
      return lbrpPeer(name, 'XDP_DRV', topo, cfg);
    case 'iptables':
      return kernelPeer(name, topo, iptablesRules);
    case 'nftables':
      return kernelPeer(name, topo, nftablesRules);
  }
}

const ALL = FLOOD_NET.backends.map((_b, i) => i);

function kernelPeer(
  name: 'iptables' | 'nftables',
  topo: FloodTopology,
  rules: (topo: FloodTopology, backends: number[], first: boolean) => void,
): FloodPeer {
  const router = topo.ns.router;
  return {
    name,
    check: () => {
      const need = name === 'iptables' ? ['iptables-restore', 'nft'] : ['nft'];
      const missing = need.filter((c) => !haveCommand(c));
      return missing.length ? `missing ${missing.join(', ')} (bench/e2e/deps.sh installs it)` : undefined;
    },
    setup: async () => {
      installBump(topo.ns.lb);
      rules(topo, ALL, true);
    },
    drain: async (index) =>
      rules(
        topo,
        ALL.filter((i) => i !== index),
        false,
      ),
    table: async () => {
      // Per network namespace: the router's conntrack table only.
      const read = (k: string): number =>
        Number(run(inNetns(router, ['cat', `/proc/sys/net/netfilter/${k}`])).trim());
      return {
        sessions: read('nf_conntrack_count'),
        capacity: read('nf_conntrack_max'),
        counters: {},
        notes: [],
      };
    },
    teardown: async () => undefined,
  };
}

/**
 * kube-proxy's iptables shape: a chain for the service, one `statistic --mode random` DNAT rule per
 * backend. Draining rewrites the chain only, so conntrack keeps every existing connection's DNAT.
 */
function iptablesRules(topo: FloodTopology, backends: number[], first: boolean): void {
  const lines = ['*nat'];
  if (first) {
    lines.push(':LBF-SVC - [0:0]');
    lines.push(`-A PREROUTING -d ${FLOOD_NET.vip}/32 -p tcp --dport ${FLOOD_PORT} -j LBF-SVC`);
  } else lines.push('-F LBF-SVC');
  backends.forEach((b, k) => {
    const left = backends.length - k;
    const stat = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(5)} ` : '';
    lines.push(`-A LBF-SVC -p tcp ${stat}-j DNAT --to-destination ${FLOOD_NET.backends[b]}:${FLOOD_PORT}`);
  });
  lines.push('COMMIT', '');
  run(inNetns(topo.ns.router, ['iptables-restore', '--noflush']), lines.join('\n'));
}

/** kube-proxy's nftables shape: DNAT to `numgen random mod N` over the backends; draining swaps the rule. */
function nftablesRules(topo: FloodTopology, backends: number[], first: boolean): void {
  const map = backends.map((b, k) => `${k} : ${FLOOD_NET.backends[b]}`).join(', ');
  const rule = `ip daddr ${FLOOD_NET.vip} tcp dport ${FLOOD_PORT} dnat to numgen random mod ${backends.length} map { ${map} }`;
  const text = first
    ? [
        'table ip lbf {',
        '  chain prerouting {',
        '    type nat hook prerouting priority dstnat; policy accept;',
        `    ${rule}`,
        '  }',
        '}',
        '',
      ].join('\n')
    : `flush chain ip lbf prerouting\nadd rule ip lbf prerouting ${rule}\n`;
  run(inNetns(topo.ns.router, ['nft', '-f', '-']), text);
}

function lbrpPeer(name: FloodPeerName, type: CubeType, topo: FloodTopology, cfg: FloodConfig): FloodPeer {
  const stack = new LbrpStack(topo);
  const svc = `lbrp/${stack.cube}/service/${FLOOD_NET.vip}/${FLOOD_PORT}/TCP/`;
  const notes: string[] = [];
  return {
    name,
    check: () =>
      haveCommand('bpftool') ? undefined : 'missing bpftool (scripts/ensure-deps.sh installs it)',
    setup: async () => {
      const why = await stack.ensureStarted();
      if (why !== undefined) throw new Error(why);
      const service = {
        vip: FLOOD_NET.vip,
        port: FLOOD_PORT,
        proto: 'TCP' as const,
        backends: FLOOD_NET.backends.map((ip) => ({ ip, port: FLOOD_PORT, weight: 1 })),
      };
      const limit = cfg.sessionsLimit;
      if (limit === undefined) return stack.createCube(type, [service]);
      try {
        await stack.createCube(type, [service], { 'new-sessions-per-cpu': limit });
        notes.push(`new-sessions-per-cpu = ${limit}`);
      } catch (err) {
        // The leaf comes with the admission limit (issue 14); before it, the cube is created without.
        notes.push(`new-sessions-per-cpu not set: ${(err as Error).message.split('\n')[0].slice(0, 200)}`);
        await stack.deleteCube().catch(() => undefined);
        await stack.createCube(type, [service]);
      }
    },
    drain: async (index) => {
      await stack.rest('PATCH', `${svc}backend/${FLOOD_NET.backends[index]}/`, { weight: 0 });
    },
    table: async () => {
      const cube = (await stack.rest('GET', `lbrp/${stack.cube}/`)) as Record<string, unknown>;
      const service = (await stack.rest('GET', svc)) as Record<string, unknown>;
      const counters: Record<string, number> = {};
      // Every numeric cube-level leaf about sessions (those issue 14 adds included, whatever they are named).
      for (const [k, v] of Object.entries(cube))
        if (typeof v === 'number' && /session|evict|admi|occupan|table/.test(k)) counters[`cube.${k}`] = v;
      for (const k of ['packets', 'active-sessions', 'total-sessions'])
        if (typeof service[k] === 'number') counters[`service.${k}`] = service[k];
      Object.assign(counters, readDataplaneCounters(topo));
      // The table's used entries (session-table-entries); a build without that leaf counted them in
      // the service's active-sessions.
      const occupancy = 'session-table-entries' in cube ? 'session-table-entries' : undefined;
      return {
        sessions: Number(occupancy !== undefined ? cube[occupancy] : (service['active-sessions'] ?? 0)),
        capacity: Number(cube['session-table-size'] ?? 0),
        counters,
        notes: [
          ...notes,
          `sessions: ${occupancy !== undefined ? `cube leaf ${occupancy}` : 'service active-sessions'}`,
        ],
      };
    },
    teardown: async () => {
      await stack.deleteCube().catch(() => undefined);
      await stack.stop();
    },
  };
}

/** bpftool's JSON of a per-CPU array slot: `values: [{cpu, value}]`, value a number or hex bytes. */
interface PercpuSlot {
  key: number | string[];
  values: { cpu: number; value: number | string[] }[];
  formatted?: { key: number; values: { cpu: number; value: number }[] };
}

/**
 * The cube's drop_stats and session_events, summed over CPUs, found through the program on `lf`
 * (the maps the program really uses; other cubes on the machine have maps of the same names).
 */
export function readDataplaneCounters(topo: FloodTopology): Record<string, number> {
  const out: Record<string, number> = {};
  const bpftool = (args: string[]): unknown =>
    JSON.parse(execFileSync('bpftool', ['-j', ...args], { encoding: 'utf8' }));
  try {
    const net = JSON.parse(run(inNetns(topo.ns.lb, ['bpftool', '-j', 'net', 'show', 'dev', 'lf']))) as {
      tc?: { id: number }[];
      xdp?: { id: number }[];
    }[];
    const progId = net[0]?.tc?.[0]?.id ?? net[0]?.xdp?.[0]?.id;
    if (progId === undefined) return out;
    const prog = bpftool(['prog', 'show', 'id', `${progId}`]) as { map_ids?: number[] };
    for (const id of prog.map_ids ?? []) {
      const info = bpftool(['map', 'show', 'id', `${id}`]) as { name: string };
      const prefix =
        info.name === 'drop_stats' ? 'drop' : info.name === 'session_events' ? 'event' : undefined;
      if (!prefix) continue;
      out[`dataplane.read.${info.name}`] = 1; // session_events only once the program uses it (issue 14)
      for (const slot of bpftool(['map', 'dump', 'id', `${id}`]) as PercpuSlot[]) {
        const key = slot.formatted?.key ?? leU32(slot.key);
        const values = slot.formatted?.values ?? slot.values;
        const sum = values.reduce((a, v) => a + (typeof v.value === 'number' ? v.value : leU64(v.value)), 0);
        if (sum > 0) out[`${prefix}.${slotName(prefix, key)}`] = sum;
      }
    }
  } catch (err) {
    out['read-error'] = 1;
    console.warn(`  warning: dataplane counters: ${(err as Error).message.split('\n')[0]}`);
  }
  return out;
}

/** The DROP_ or EV_ name of a slot (its number when it has none yet). */
function slotName(prefix: 'drop' | 'event', key: number): string {
  const name =
    prefix === 'drop'
      ? dropReasonName(key)
      : (Object.keys(EV) as (keyof typeof EV)[]).find((k) => EV[k] === key);
  return name ?? `${key}`;
}

function leU32(bytes: number | string[]): number {
  return typeof bytes === 'number'
    ? bytes
    : bytes.slice(0, 4).reduceRight((a, b) => a * 256 + parseInt(b, 16), 0);
}

function leU64(bytes: string[]): number {
  return bytes.slice(0, 8).reduceRight((a, b) => a * 256 + parseInt(b, 16), 0);
}
