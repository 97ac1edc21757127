// The flood bench's network, built afresh for every peer (so no peer inherits another's conntrack
// entries, SYN queues or sessions), the same shape as bench/e2e's:
//
//   client ns                 LB ns                    router ns                 backend ns ×3
//   eth0 10.203.0.1  ⇄ lf ══[stage]══ lx ⇄ ry 10.203.0.254
//   blackhole 100.64/10       (tc mirred, or           rb1 10.203.11.1 ⇄ eth0 10.203.11.2  backend.ts "b1"
//   (the flood's sources)      the lbrp cube)          rb2 10.203.12.1 ⇄ eth0 10.203.12.2  backend.ts "b2"
//                                                      rb3 10.203.13.1 ⇄ eth0 10.203.13.2  backend.ts "b3"
//
// The router routes the flood's forged sources back to the client namespace, which blackholes
// them: the backends' SYN-ACKs cross the load balancer like real replies and stop there. Every
// device is created inside its namespace; the host netns is never touched.

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { addAddress, sysctl, vethBetween } from '../e2e/topology';
import { inNetns, killNow, run, startDaemon, tryRun } from '../e2e/shell';
import type { StackHost } from '../e2e/lbrp-stack';
import { FLOOD_NET, FLOOD_PORT } from './config';
import type { ClientCommand } from './client';

/** Prefix of every name a flood bench run creates: `lbf-<pid>-<hex>`. */
export const FLOOD_NAME_PREFIX = 'lbf-';
/** `node --import tsx` keeps one process per helper (the tsx CLI would fork a second one). */
const TS_NODE = [process.execPath, '--import', 'tsx'];

/** Namespaces of one topology. */
export interface FloodNamespaces {
  client: string;
  lb: string;
  router: string;
  backends: string[];
}

/** One peer's topology and everything started in it; `cleanup` undoes all of it. */
export class FloodTopology implements StackHost {
  /** Every namespace and temporary name of this topology starts with it. */
  readonly id = `${FLOOD_NAME_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly ns: FloodNamespaces;
  readonly tmp: string;
  /** The bench runs nothing in a cgroup: CPU time is not what it measures. */
  readonly cpu = { wrap: (argv: string[]): string[] => argv };
  /** The compiled SYN generator. */
  readonly synflood: string;
  private readonly created: string[] = [];
  private readonly children: ChildProcess[] = [];
  private client: { child: ChildProcess; answers: AsyncIterator<string> } | undefined;
  private cleaned = false;

  constructor() {
    const id = this.id;
    this.ns = {
      client: `${id}-client`,
      lb: `${id}-lb`,
      router: `${id}-router`,
      backends: FLOOD_NET.backends.map((_b, i) => `${id}-b${i + 1}`),
    };
    this.tmp = join('/tmp', id);
    this.synflood = join(this.tmp, 'synflood');
    mkdirSync(this.tmp, { recursive: true });
  }

  /** Compiles the generator, builds the namespaces, starts the backends and the client agent. */
  async build(): Promise<void> {
    run(['gcc', '-O2', '-Wall', '-o', this.synflood, join(__dirname, 'native', 'synflood.c')]);
    const { client, lb, router, backends } = this.ns;
    for (const ns of [client, lb, router, ...backends]) {
      run(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    vethBetween(client, 'eth0', lb, 'lf');
    vethBetween(lb, 'lx', router, 'ry');
    addAddress(client, 'eth0', `${FLOOD_NET.client}/${FLOOD_NET.clientPrefix}`);
    addAddress(router, 'ry', `${FLOOD_NET.routerClientSide}/${FLOOD_NET.clientPrefix}`);
    run(['ip', '-n', client, 'route', 'add', 'default', 'via', FLOOD_NET.routerClientSide]);
    run(['ip', '-n', client, 'route', 'add', 'blackhole', FLOOD_NET.floodSources]);
    run(['ip', '-n', router, 'route', 'add', FLOOD_NET.floodSources, 'via', FLOOD_NET.client]);
    backends.forEach((b, i) => {
      vethBetween(router, `rb${i + 1}`, b, 'eth0');
      addAddress(router, `rb${i + 1}`, `${FLOOD_NET.routerBackendSide[i]}/${FLOOD_NET.backendPrefix}`);
      addAddress(b, 'eth0', `${FLOOD_NET.backends[i]}/${FLOOD_NET.backendPrefix}`);
      run(['ip', '-n', b, 'route', 'add', 'default', 'via', FLOOD_NET.routerBackendSide[i]]);
      // Deep queues, and SYN cookies (the default) once they overflow: the backends answer the
      // flood as any Linux server would.
      sysctl(b, { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_max_syn_backlog': '8192' });
    });
    sysctl(router, {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
    });
    sysctl(client, { 'net.ipv4.ip_local_port_range': '1024 65535' });
    // As in bench/e2e (its README, "Topology"): GRO on and TX checksum offload off on the veths
    // sending into the LB stage, so that native XDP works on them; the same for every peer.
    for (const [ns, dev] of [
      [client, 'eth0'],
      [router, 'ry'],
    ] as const)
      run(inNetns(ns, ['ethtool', '-K', dev, 'gro', 'on', 'tx', 'off']));
    await this.startBackends();
    this.startClient();
  }

  /** MAC address of `dev` in `ns`. */
  mac(ns: string, dev: string): string {
    const [link] = JSON.parse(run(['ip', '-j', '-n', ns, 'link', 'show', 'dev', dev])) as {
      address: string;
    }[];
    return link.address;
  }

  /** Sends one command to the client agent and resolves to its JSON answer. */
  async ask<T>(cmd: ClientCommand): Promise<T> {
    if (!this.client) throw new Error('the client agent is not running');
    this.client.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    const next = await this.client.answers.next();
    if (next.done) throw new Error(`the client agent exited (${this.client.child.exitCode})`);
    const out = JSON.parse(next.value) as T & { error?: string };
    if (out.error !== undefined) throw new Error(`client ${cmd.cmd}: ${out.error}`);
    return out;
  }

  adopt(child: ChildProcess): void {
    this.children.push(child);
  }

  /**
   * Kills every process, deletes the namespaces (their devices, rules, conntrack tables and
   * programs go with them) and the temporary directory. Synchronous, idempotent, never throws.
   */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const c of this.children.splice(0)) killNow(c);
    for (const ns of this.created.splice(0).reverse()) tryRun(['ip', 'netns', 'del', ns]);
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private async startBackends(): Promise<void> {
    const starts = this.ns.backends.map((ns, i) =>
      startDaemon(
        inNetns(ns, [...TS_NODE, join(__dirname, 'backend.ts'), `b${i + 1}`, `${FLOOD_PORT}`]),
        /ready/,
        60_000,
      ),
    );
    for (const started of await Promise.allSettled(starts)) {
      if (started.status === 'fulfilled') this.adopt(started.value.child);
      else throw started.reason;
    }
  }

  private startClient(): void {
    const argv = inNetns(this.ns.client, [...TS_NODE, join(__dirname, 'client.ts')]);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    this.adopt(child);
    const answers = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    this.client = { child, answers };
  }
}
