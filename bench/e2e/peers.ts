// The peers the bench compares, each a setup/teardown pair on the shared topology: no load
// balancer (the ceiling), the kernel's own (iptables DNAT with the statistic match, nftables DNAT
// with numgen, IPVS NAT), and lbrp on TC, XDP generic and XDP native. Kernel peers DNAT in the
// router namespace behind the mirred bump; lbrp peers replace the bump with the cube. On the
// routed-host topology the kernel peers DNAT in the LB host itself, lbrp-routed is a ROUTED cube
// on its interface and lbrp-tc-veth the two-wire cube with a veth into the host's stack.

import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { NET, PORTS, TOPOLOGY_PEERS, type PeerName } from './config';
import type { CubeType, LbrpStack, StackPort } from './lbrp-stack';
import { haveCommand, inNetns, run, tryRun } from './shell';
import type { BenchTopology } from './topology';

/** One load balancer under test. */
export interface Peer {
  readonly name: PeerName;
  /** The client addresses the backends itself (no VIP): only `none`. */
  readonly direct: boolean;
  /** Why the peer cannot run on this machine, or undefined. Called once, before round 1. */
  check(): Promise<string | undefined>;
  /** Puts the peer in the path; traffic to the VIP is balanced afterwards. */
  setup(): Promise<void>;
  /** Removes it again, leaving the topology as `setup` found it. */
  teardown(): Promise<void>;
}

/** Backends of each service: HTTP and UDP over all three, iperf3 on backend 1 only. */
const SERVICES = [
  { proto: 'tcp', port: PORTS.http, backends: NET.backends },
  { proto: 'udp', port: PORTS.udp, backends: NET.backends },
  { proto: 'tcp', port: PORTS.iperf, backends: NET.backends.slice(0, 1) },
] as const;

/** Builds the peers named in `names`, in that order; one the topology cannot run is skipped. */
export function makePeers(names: PeerName[], topo: BenchTopology, stack: LbrpStack): Peer[] {
  const topology = topo.routed ? 'routed' : 'bump';
  return names.map((name) => {
    const peer = makePeer(name, topo, stack);
    if (TOPOLOGY_PEERS[topology].includes(name)) return peer;
    return { ...peer, check: async () => `not a peer of the ${topology} topology` };
  });
}

function makePeer(name: PeerName, topo: BenchTopology, stack: LbrpStack): Peer {
  switch (name) {
    case 'none':
      return kernelPeer(
        name,
        topo,
        async () => undefined,
        () => undefined,
        true,
      );
    case 'iptables':
      return kernelPeer(name, topo, needs('iptables-restore', 'nft'), () => iptablesSetup(topo));
    case 'nftables':
      return kernelPeer(name, topo, needs('nft'), () => nftSetup(topo));
    case 'ipvs':
      return kernelPeer(
        name,
        topo,
        ipvsMissing,
        () => ipvsSetup(topo),
        false,
        () => ipvsTeardown(topo),
      );
    case 'lbrp-tc':
      return lbrpPeer(name, 'TC', topo, stack);
    case 'lbrp-xdp-skb':
      return lbrpPeer(name, 'XDP_SKB', topo, stack);
    case 'lbrp-xdp-drv':
      return lbrpPeer(name, 'XDP_DRV', topo, stack);
    case 'lbrp-routed':
      return lbrpPeer(name, 'TC', topo, stack, { port_mode: 'ROUTED' }, ROUTED_PORTS);
    case 'lbrp-tc-veth':
      return vethIntoStackPeer(topo, stack);
  }
}

/** ROUTED: one FRONTEND port on the host's client-facing interface. */
const ROUTED_PORTS: StackPort[] = [{ name: 'fe', type: 'FRONTEND', peer: 'lf' }];
/** The veth into the host's stack of lbrp-tc-veth: `vx0` is the BACKEND wire, `vx1` the stack's end. */
const VETH_PORTS: StackPort[] = [
  { name: 'fe', type: 'FRONTEND', peer: 'lf' },
  { name: 'be', type: 'BACKEND', peer: 'vx0' },
];

/**
 * Today's two-wire cube on a one-NIC host, as a new user deploys it (issue 22): the interface
 * loses its address to a veth pair into the host's stack (`vx1` holds the clients' gateway
 * address), and a SINGLE cube sits between the interface (FRONTEND) and the veth (BACKEND). Every
 * balanced packet crosses the cube, the veth and the host's routing; replies come back the same way.
 */
function vethIntoStackPeer(topo: BenchTopology, stack: LbrpStack): Peer {
  const lb = topo.ns.lb;
  const gw = `${NET.routerClientSide}/${NET.clientPrefix}`;
  const inner = lbrpPeer('lbrp-tc-veth', 'TC', topo, stack, {}, VETH_PORTS);
  return {
    ...inner,
    setup: async () => {
      run(['ip', '-n', lb, 'addr', 'del', gw, 'dev', 'lf']);
      run(['ip', 'link', 'add', 'vx0', 'netns', lb, 'type', 'veth', 'peer', 'name', 'vx1', 'netns', lb]);
      for (const dev of ['vx0', 'vx1']) run(['ip', '-n', lb, 'link', 'set', dev, 'up']);
      run(['ip', '-n', lb, 'addr', 'add', gw, 'dev', 'vx1']);
      topo.flushClientNeighbours();
      await inner.setup();
    },
    teardown: async () => {
      await inner.teardown();
      tryRun(['ip', '-n', lb, 'link', 'del', 'vx0']);
      tryRun(['ip', '-n', lb, 'addr', 'add', gw, 'dev', 'lf']);
      topo.flushClientNeighbours();
    },
  };
}

function kernelPeer(
  name: PeerName,
  topo: BenchTopology,
  check: () => Promise<string | undefined>,
  rules: () => void,
  direct = false,
  undo: () => void = () => flushNetfilter(topo),
): Peer {
  return {
    name,
    direct,
    check,
    setup: async () => {
      topo.installBump();
      rules();
    },
    teardown: async () => {
      undo();
      topo.removeBump();
    },
  };
}

function needs(...cmds: string[]): () => Promise<string | undefined> {
  return async () => {
    const missing = cmds.filter((c) => !haveCommand(c));
    return missing.length ? `missing ${missing.join(', ')} (bench/e2e/deps.sh installs it)` : undefined;
  };
}

/** kube-proxy's iptables shape: a chain per service, `statistic --mode random` per backend. */
function iptablesSetup(topo: BenchTopology): void {
  const lines = ['*nat'];
  SERVICES.forEach((_s, i) => lines.push(`:LBE-SVC${i} - [0:0]`));
  SERVICES.forEach((s, i) => {
    lines.push(`-A PREROUTING -d ${NET.vip}/32 -p ${s.proto} -m ${s.proto} --dport ${s.port} -j LBE-SVC${i}`);
    s.backends.forEach((b, k) => {
      const left = s.backends.length - k;
      const stat = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(11)} ` : '';
      lines.push(`-A LBE-SVC${i} -p ${s.proto} ${stat}-j DNAT --to-destination ${b}:${s.port}`);
    });
  });
  lines.push('COMMIT', '');
  run(inNetns(topo.ns.router, ['iptables-restore', '--noflush']), lines.join('\n'));
}

/** kube-proxy's nftables shape: DNAT to `numgen random mod N` over the backends. */
function nftSetup(topo: BenchTopology): void {
  const rules = SERVICES.map((s) => {
    const to =
      s.backends.length === 1
        ? s.backends[0]
        : `numgen random mod ${s.backends.length} map { ${s.backends.map((b, k) => `${k} : ${b}`).join(', ')} }`;
    return `    ip daddr ${NET.vip} ${s.proto} dport ${s.port} dnat to ${to}`;
  });
  const text = [
    'table ip lbe {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
  run(inNetns(topo.ns.router, ['nft', '-f', '-']), text);
}

/** The router namespace holds only the bench's rules: drop them all (iptables-nft's too). */
function flushNetfilter(topo: BenchTopology): void {
  if (haveCommand('nft')) tryRun(inNetns(topo.ns.router, ['nft', 'flush', 'ruleset']));
}

async function ipvsMissing(): Promise<string | undefined> {
  if (!haveCommand('ipvsadm')) return 'missing ipvsadm (bench/e2e/deps.sh installs it)';
  if (!existsSync('/proc/net/ip_vs') && haveCommand('modprobe')) tryRun(['modprobe', 'ip_vs']);
  if (existsSync('/proc/net/ip_vs')) return undefined;
  let why = 'no /proc/net/ip_vs after modprobe ip_vs';
  try {
    const cfg = gunzipSync(readFileSync('/proc/config.gz')).toString();
    if (/^# CONFIG_IP_VS is not set/m.test(cfg))
      why = 'the kernel is built without IPVS (CONFIG_IP_VS is not set)';
  } catch {
    // no /proc/config.gz: keep the generic reason
  }
  return why;
}

/** IPVS NAT (masquerade) mode, round robin as kube-proxy's default; the VIP is local to the router. */
function ipvsSetup(topo: BenchTopology): void {
  const ns = topo.ns.router;
  run(['ip', '-n', ns, 'addr', 'add', `${NET.vip}/32`, 'dev', 'lo']);
  for (const s of SERVICES) {
    const flag = s.proto === 'tcp' ? '-t' : '-u';
    run(inNetns(ns, ['ipvsadm', '-A', flag, `${NET.vip}:${s.port}`, '-s', 'rr']));
    for (const b of s.backends)
      run(inNetns(ns, ['ipvsadm', '-a', flag, `${NET.vip}:${s.port}`, '-r', `${b}:${s.port}`, '-m']));
  }
}

function ipvsTeardown(topo: BenchTopology): void {
  tryRun(inNetns(topo.ns.router, ['ipvsadm', '-C']));
  tryRun(['ip', '-n', topo.ns.router, 'addr', 'del', `${NET.vip}/32`, 'dev', 'lo']);
}

function lbrpPeer(
  name: PeerName,
  type: CubeType,
  topo: BenchTopology,
  stack: LbrpStack,
  extra: Record<string, unknown> = {},
  ports?: StackPort[],
): Peer {
  return {
    name,
    direct: false,
    check: () => stack.ensureStarted(),
    setup: () => stack.createCube(type, undefined, extra, ports),
    teardown: async () => {
      try {
        await stack.deleteCube();
      } catch (err) {
        console.warn(`  warning: ${name}: cube delete: ${(err as Error).message.split('\n')[0]}`);
      }
      const left = leftoverHooks(topo);
      if (left.length) {
        console.warn(`  warning: ${name}: the deleted cube left ${left.join(', ')}; removing them`);
        for (const dev of ['lf', 'lx'])
          tryRun(['ip', '-n', topo.ns.lb, 'link', 'set', 'dev', dev, 'xdp', 'off']);
        topo.removeBump();
        if (topo.routed)
          for (const dev of ['lf', 'vx0'])
            tryRun(inNetns(topo.ns.lb, ['tc', 'qdisc', 'del', 'dev', dev, 'clsact']));
      }
    },
  };
}

/** XDP programs or TC filters (either side) still on the cube's netdevs that exist. */
function leftoverHooks(topo: BenchTopology): string[] {
  const left: string[] = [];
  for (const dev of ['lf', 'lx', 'vx0']) {
    let link = '';
    try {
      link = run(['ip', '-n', topo.ns.lb, 'link', 'show', 'dev', dev]);
    } catch {
      continue; // not in this topology (or this peer)
    }
    if (/\bxdp/.test(link)) left.push(`XDP on ${dev}`);
    for (const side of ['ingress', 'egress']) {
      let filters = '';
      try {
        filters = run(inNetns(topo.ns.lb, ['tc', 'filter', 'show', 'dev', dev, side]));
      } catch {
        // no clsact qdisc at all: nothing left
      }
      if (filters.trim()) left.push(`TC ${side} filters on ${dev}`);
    }
  }
  return left;
}
