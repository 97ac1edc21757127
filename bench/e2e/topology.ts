// The bench's network, the same for every peer, built from nothing in namespaces of its own
// (`bump`, the default; `routed` below):
//
//   client ns            LB ns                    router ns                  backend ns ×3
//   eth0 10.201.0.1 ⇄ lf ══[stage]══ lx ⇄ ry 10.201.0.254
//                        (L2 bump: tc mirred,      rb1 10.201.11.1 ⇄ eth0 10.201.11.2  server, iperf3
//                         or the lbrp cube)        rb2 10.201.12.1 ⇄ eth0 10.201.12.2  server
//                                                  rb3 10.201.13.1 ⇄ eth0 10.201.13.2  server
//
// The LB stage is a bump in the wire between the client and its gateway, which is where an lbrp
// cube sits in Polycube's own examples (it rewrites addresses, not MACs, so a router must follow
// it). For the kernel's load balancers the bump is a tc mirred redirect in both directions and
// the DNAT happens in the router namespace; for lbrp the cube's TC/XDP programs replace the
// mirred filters. Every device is created directly inside its namespace; the host netns is not
// touched. The veths sending into the LB stage have GRO on and TX checksum offload off in every
// peer, so that native XDP works on them (see setOffloads).
//
// `routed` (issue 22): one LB host, no router. Its single client-facing interface `lf` holds the
// clients' gateway address; each backend is a /32 behind a link of its own:
//
//   client ns            LB ns (forwarding)                            backend ns ×3
//   eth0 10.201.0.1 ⇄ lf 10.201.0.254/24
//                        rb1 10.201.10.1/32, route 10.201.11.2/32 ⇄ eth0 10.201.11.2/32 (default via 10.201.10.1)
//                        rb2 …                   10.201.12.2/32 ⇄ eth0 10.201.12.2/32
//                        rb3 …                   10.201.13.2/32 ⇄ eth0 10.201.13.2/32
//
// Kernel peers DNAT in the LB namespace (ns.router is the LB namespace there); lbrp-routed is a
// ROUTED cube on lf; lbrp-tc-veth is a SINGLE cube between lf and a veth into the host's stack
// (peers.ts). Offloads stay at their defaults (no XDP peer runs there).

import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { clientSource, NET, PEER_NAMES, PORTS, type BenchConfig } from './config';
import { CpuMeter } from './cpu-meter';
import { inNetns, killNow, run, startDaemon, tryRun } from './shell';

/** Prefix of every name a bench run creates: `lbe-<pid>-<hex>`. */
const NAME_PREFIX = 'lbe-';

/** Namespaces of one run. */
export interface Namespaces {
  client: string;
  lb: string;
  router: string;
  backends: [string, string, string];
}

/** The topology of one run and everything it started; `cleanup` undoes all of it. */
export class BenchTopology {
  /** Unique id of the run: every namespace, cgroup and temporary file name starts with it. */
  readonly id = `${NAME_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly ns: Namespaces;
  /** Temporary directory of the run (binaries, sockets, pins). */
  readonly tmp: string;
  /** Counter files of the three servers (UDP datagrams received, HTTP responses). */
  readonly counters: string[];
  readonly cpu: CpuMeter;
  /** CPUs of the machine (for the share of CPU time that other work took). */
  readonly cpuCount = cpus().length;
  /** Paths of the compiled server and load generator. */
  readonly bin: { server: string; loadgen: string };
  private readonly created: string[] = [];
  private readonly children: ChildProcess[] = [];
  private cleaned = false;

  constructor(private readonly cfg: BenchConfig) {
    const id = this.id;
    this.ns = {
      client: `${id}-client`,
      lb: `${id}-lb`,
      // Routed: the LB host is the router (netfilter peers put their rules there).
      router: cfg.topology === 'routed' ? `${id}-lb` : `${id}-router`,
      backends: [`${id}-b1`, `${id}-b2`, `${id}-b3`],
    };
    this.tmp = join('/tmp', id);
    this.counters = [1, 2, 3].map((i) => `/dev/shm/${id}-b${i}.cnt`);
    this.bin = { server: join(this.tmp, 'server'), loadgen: join(this.tmp, 'loadgen') };
    mkdirSync(this.tmp, { recursive: true });
    this.cpu = new CpuMeter(id);
  }

  /** True on the routed-host topology. */
  get routed(): boolean {
    return this.cfg.topology === 'routed';
  }

  /** Compiles the native tools, builds the namespaces and starts the servers. */
  async build(): Promise<void> {
    const src = join(__dirname, 'native');
    run(['gcc', '-O2', '-Wall', '-o', this.bin.server, join(src, 'server.c')]);
    run(['gcc', '-O2', '-Wall', '-o', this.bin.loadgen, join(src, 'loadgen.c')]);
    if (this.routed) {
      this.buildRouted();
      await this.startServers();
      this.checkReachable();
      return;
    }
    const { client, lb, router, backends } = this.ns;
    for (const ns of [client, lb, router, ...backends]) {
      run(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    vethBetween(client, 'eth0', lb, 'lf');
    vethBetween(lb, 'lx', router, 'ry');
    addAddress(client, 'eth0', `${NET.client}/${NET.clientPrefix}`);
    for (const peer of PEER_NAMES) addAddress(client, 'eth0', `${clientSource(peer)}/${NET.clientPrefix}`);
    addAddress(router, 'ry', `${NET.routerClientSide}/${NET.clientPrefix}`);
    run(['ip', '-n', client, 'route', 'add', 'default', 'via', NET.routerClientSide]);
    backends.forEach((b, i) => {
      vethBetween(router, `rb${i + 1}`, b, 'eth0');
      addAddress(router, `rb${i + 1}`, `${NET.routerBackendSide[i]}/${NET.backendPrefix}`);
      addAddress(b, 'eth0', `${NET.backends[i]}/${NET.backendPrefix}`);
      run(['ip', '-n', b, 'route', 'add', 'default', 'via', NET.routerBackendSide[i]]);
      // No TIME_WAIT on the backends (README "TIME_WAIT"): one client reusing its ports toward one
      // VIP would otherwise land a third of its SYNs on the TIME_WAIT socket its last use of the
      // port left at that backend, which `none`, spread over three addresses, mostly avoids.
      sysctl(b, {
        'net.core.somaxconn': '8192',
        'net.ipv4.tcp_max_syn_backlog': '8192',
        'net.ipv4.tcp_max_tw_buckets': '0',
      });
    });
    sysctl(router, {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
    });
    // New connection per request: use the whole ephemeral range so ports recycle slowly.
    sysctl(client, { 'net.ipv4.ip_local_port_range': '1024 65535' });
    this.setOffloads();
    await this.startServers();
    this.installBump();
    try {
      this.checkReachable();
    } finally {
      this.removeBump();
    }
  }

  /**
   * Offloads of the two veths that send into the LB stage (client eth0, router ry), the same for
   * every peer: GRO on, because a frame XDP-redirected into a veth is dropped unless the receiving
   * end has GRO or an XDP program (DESIGN §4); TX checksum offload off, because a native-XDP
   * redirect turns the skb into an xdp_frame, which cannot carry a partial checksum (TCP through
   * XDP_DRV then arrives with a bad checksum and is dropped). Attaching and detaching XDP changes
   * a veth peer's features, so this runs again before every peer.
   */
  setOffloads(): void {
    if (this.routed) return;
    for (const [ns, dev] of [
      [this.ns.client, 'eth0'],
      [this.ns.router, 'ry'],
    ] as const) {
      run(inNetns(ns, ['ethtool', '-K', dev, 'gro', 'on', 'tx', 'off']));
    }
  }

  /** Runs `argv` pinned to the client CPU inside the client namespace, in the bench cgroup. */
  clientCommand(argv: string[]): string[] {
    return this.cpu.wrap(inNetns(this.ns.client, pin(this.cfg.clientCpu, this.cfg.nice, argv)));
  }

  /** The L2 bump of the kernel peers: tc mirred redirects lf ⇄ lx in the LB namespace. */
  installBump(): void {
    if (!this.routed) installBump(this.ns.lb);
  }

  /** Removes the bump (the clsact qdiscs it added). */
  removeBump(): void {
    if (!this.routed) removeBump(this.ns.lb);
  }

  /** Flushes the client's neighbour cache (its gateway's MAC changes with lbrp-tc-veth). */
  flushClientNeighbours(): void {
    run(['ip', '-n', this.ns.client, 'neigh', 'flush', 'all']);
  }

  /** The routed-host network (header comment). */
  private buildRouted(): void {
    const { client, lb, backends } = this.ns;
    for (const ns of [client, lb, ...backends]) {
      run(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    vethBetween(client, 'eth0', lb, 'lf');
    addAddress(client, 'eth0', `${NET.client}/${NET.clientPrefix}`);
    for (const peer of PEER_NAMES) addAddress(client, 'eth0', `${clientSource(peer)}/${NET.clientPrefix}`);
    addAddress(lb, 'lf', `${NET.routerClientSide}/${NET.clientPrefix}`);
    run(['ip', '-n', client, 'route', 'add', 'default', 'via', NET.routerClientSide]);
    backends.forEach((b, i) => {
      const dev = `rb${i + 1}`;
      vethBetween(lb, dev, b, 'eth0');
      addAddress(lb, dev, `${NET.lbBackendSide}/32`);
      run(['ip', '-n', lb, 'route', 'add', `${NET.backends[i]}/32`, 'dev', dev]);
      addAddress(b, 'eth0', `${NET.backends[i]}/32`);
      run(['ip', '-n', b, 'route', 'add', `${NET.lbBackendSide}/32`, 'dev', 'eth0']);
      run(['ip', '-n', b, 'route', 'add', 'default', 'via', NET.lbBackendSide, 'dev', 'eth0']);
      sysctl(b, {
        'net.core.somaxconn': '8192',
        'net.ipv4.tcp_max_syn_backlog': '8192',
        'net.ipv4.tcp_max_tw_buckets': '0',
      });
    });
    sysctl(lb, {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
      'net.ipv4.conf.all.send_redirects': '0',
    });
    sysctl(client, { 'net.ipv4.ip_local_port_range': '1024 65535' });
  }

  /** Keeps `child` to be killed by `cleanup`. */
  adopt(child: ChildProcess): void {
    this.children.push(child);
  }

  /**
   * Undoes everything: kills every process, deletes the namespaces (their devices, rules and
   * programs go with them), the cgroup, the counter files and the temporary directory.
   * Synchronous (safe in signal and exit handlers), idempotent, never throws.
   */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const c of this.children.splice(0)) killNow(c);
    for (const ns of this.created.splice(0).reverse()) tryRun(['ip', 'netns', 'del', ns]);
    this.cpu.remove();
    for (const f of this.counters) rmSync(f, { force: true });
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private async startServers(): Promise<void> {
    const starts = this.ns.backends.map((ns, i) =>
      startDaemon(
        this.cpu.wrap(
          inNetns(
            ns,
            pin(this.cfg.serverCpu, this.cfg.nice, [
              this.bin.server,
              '-p',
              `${PORTS.http}`,
              '-u',
              `${PORTS.udp}`,
              '-c',
              this.counters[i],
            ]),
          ),
        ),
        /ready/,
        10_000,
      ),
    );
    const iperf = startDaemon(
      this.cpu.wrap(
        inNetns(
          this.ns.backends[0],
          pin(this.cfg.serverCpu, this.cfg.nice, ['iperf3', '-s', '-p', `${PORTS.iperf}`, '--forceflush']),
        ),
      ),
      /Server listening/,
      10_000,
    );
    for (const started of await Promise.allSettled([...starts, iperf])) {
      if (started.status === 'fulfilled') this.adopt(started.value.child);
      else throw started.reason;
    }
  }

  /** Each backend answers the client directly (plain routing): the topology is sound. */
  private checkReachable(): void {
    for (const b of NET.backends) run(inNetns(this.ns.client, ['ping', '-c', '1', '-W', '2', b]));
  }
}

/** The L2 bump of the kernel peers: tc mirred redirects lf ⇄ lx in the namespace `lbNs`. */
export function installBump(lbNs: string): void {
  removeBump(lbNs);
  for (const [from, to] of [
    ['lf', 'lx'],
    ['lx', 'lf'],
  ]) {
    run(['ip', 'netns', 'exec', lbNs, 'tc', 'qdisc', 'add', 'dev', from, 'clsact']);
    run([
      ...['ip', 'netns', 'exec', lbNs, 'tc', 'filter', 'add', 'dev', from, 'ingress'],
      ...['protocol', 'all', 'prio', '1', 'u32', 'match', 'u32', '0', '0'],
      ...['action', 'mirred', 'egress', 'redirect', 'dev', to],
    ]);
  }
}

/** Removes the bump of `lbNs` (the clsact qdiscs it added). */
export function removeBump(lbNs: string): void {
  for (const dev of ['lf', 'lx'])
    tryRun(['ip', 'netns', 'exec', lbNs, 'tc', 'qdisc', 'del', 'dev', dev, 'clsact']);
}

/**
 * Removes what runs of a bench whose process is gone left behind (after a SIGKILL): names
 * `<prefix><pid>-<hex>` (default `lbe-`, this bench's; bench/flood uses `lbf-`).
 */
export function removeStaleRuns(prefix = NAME_PREFIX): string[] {
  const removed: string[] = [];
  const pattern = new RegExp(`^${prefix}(\\d+)-[0-9a-f]{6}`);
  const dead = (name: string): boolean => {
    const m = name.match(pattern);
    return m !== null && Number(m[1]) !== process.pid && !existsSync(`/proc/${m[1]}`);
  };
  for (const line of run(['ip', 'netns', 'list']).split('\n')) {
    const name = line.split(' ')[0];
    if (!name || !dead(name)) continue;
    // Processes without a parent-death signal (iperf3, polycubed) may outlive a killed run.
    for (const pid of run(['ip', 'netns', 'pids', name]).split('\n').filter(Boolean))
      tryRun(['kill', '-9', pid]);
    if (tryRun(['ip', 'netns', 'del', name])) removed.push(name);
  }
  for (const dir of [
    '/sys/fs/cgroup/cpuacct',
    '/sys/fs/cgroup',
    '/sys/fs/cgroup/unified',
    '/tmp',
    '/dev/shm',
  ]) {
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir)) {
      if (!dead(e)) continue;
      try {
        if (dir.startsWith('/sys')) rmdirSync(join(dir, e));
        else rmSync(join(dir, e), { recursive: true, force: true });
        removed.push(join(dir, e));
      } catch {
        // a cgroup that still has processes: leave it
      }
    }
  }
  return removed;
}

/** `argv` on `cpu` (when set) at scheduling priority `nice` (when not 0). */
function pin(cpu: number | undefined, nice: number, argv: string[]): string[] {
  const niced = nice === 0 ? argv : ['nice', '-n', `${nice}`, ...argv];
  return cpu === undefined ? niced : ['taskset', '-c', `${cpu}`, ...niced];
}

/** A veth pair with one end in each namespace, both up. */
export function vethBetween(nsA: string, devA: string, nsB: string, devB: string): void {
  run(['ip', 'link', 'add', devA, 'netns', nsA, 'type', 'veth', 'peer', 'name', devB, 'netns', nsB]);
  run(['ip', '-n', nsA, 'link', 'set', devA, 'up']);
  run(['ip', '-n', nsB, 'link', 'set', devB, 'up']);
}

export function addAddress(ns: string, dev: string, cidr: string): void {
  run(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', dev]);
}

export function sysctl(ns: string, values: Record<string, string>): void {
  for (const [k, v] of Object.entries(values)) run(inNetns(ns, ['sysctl', '-q', '-w', `${k}=${v}`]));
}
