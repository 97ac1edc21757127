// The lbrp peers' stack: polycubed and the lbrp service, started once per bench run inside the LB
// namespace (so polycubed sees the bump's netdevs, mounts its own bpffs under `ip netns exec`, and
// its REST port is that namespace's loopback), and configured per peer over REST exactly as
// polycubectl would (spec/polycubed-rest-api.md §2.6).

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { NET, POLYCUBED_REST_PORT, PORTS } from './config';
import { inNetns, runAsync, stopChild } from './shell';

/** What the stack needs of a bench topology (BenchTopology, bench/flood's FloodTopology). */
export interface StackHost {
  /** Temporary directory of the run (polycubed's socket and pins go there). */
  readonly tmp: string;
  /** The namespace the load balancer's netdevs `lf` and `lx` live in. */
  readonly ns: { readonly lb: string };
  /** Wraps a command so that it starts inside the run's cgroup (or returns it unchanged). */
  readonly cpu: { wrap(argv: string[]): string[] };
  /** Keeps a child to be killed when the run is cleaned up. */
  adopt(child: ChildProcess): void;
}

/** One service of a cube: `vip:port/proto` over backends (address, port, weight). */
export interface StackService {
  vip: string;
  port: number;
  proto: 'TCP' | 'UDP';
  backends: { ip: string; port: number; weight: number }[];
}

/** The end-to-end bench's services: HTTP and UDP over all three backends, iperf3 on backend 1. */
const E2E_SERVICES: StackService[] = [
  [PORTS.http, 'TCP', 3],
  [PORTS.udp, 'UDP', 3],
  [PORTS.iperf, 'TCP', 1],
].map(([port, proto, n]) => ({
  vip: NET.vip,
  port: port as number,
  proto: proto as 'TCP' | 'UDP',
  backends: NET.backends.slice(0, n as number).map((ip) => ({ ip, port: port as number, weight: 1 })),
}));

/** A cube port and the netdev (in the LB namespace) it is peered with. */
export interface StackPort {
  name: string;
  type: 'FRONTEND' | 'BACKEND';
  peer: string;
}

/** The bump's two ports. */
const BUMP_PORTS: StackPort[] = [
  { name: 'fe', type: 'FRONTEND', peer: 'lf' },
  { name: 'be', type: 'BACKEND', peer: 'lx' },
];

const REPO = resolve(__dirname, '../..');
/** `node --import tsx` keeps one process per daemon (the tsx CLI would fork a second one). */
const TS_NODE = [process.execPath, '--import', 'tsx'];
const POLYCUBED_MAIN = join(REPO, 'src/polycubed/main.ts');
const LBRP_MAIN = join(REPO, 'src/lbrp/main.ts');
/** Compiled programs are cached across runs (clang takes seconds); .cache/ is git-ignored. */
const BPF_CACHE = join(REPO, '.cache/bench-e2e/bpf');
const CUBE = 'lbe0';
/** polycubed start (tsx) plus a first compile can take a while on a busy 2-core machine. */
const START_TIMEOUT_MS = 90_000;

/** Data-plane hook of an lbrp peer, as polycubed's `type` names it. */
export type CubeType = 'TC' | 'XDP_SKB' | 'XDP_DRV';

/** polycubed + lbrp service of one run. */
export class LbrpStack {
  private started: Promise<string | undefined> | undefined;
  private readonly children: { name: string; child: ChildProcess; log: () => string }[] = [];

  constructor(private readonly topo: StackHost) {}

  /** The cube's name (one cube at a time). */
  readonly cube = CUBE;

  /** Starts the stack the first time; resolves to why it cannot be used, or undefined. */
  ensureStarted(): Promise<string | undefined> {
    this.started ??= this.start().catch(
      (err: Error) => `the lbrp stack did not start: ${err.message.split('\n')[0]}`,
    );
    return this.started;
  }

  /**
   * Creates the cube with `type` (and any further cube leaves in `extra`, e.g. port_mode), its
   * ports (default: FRONTEND on the bump's `lf`, BACKEND on `lx`), and `services` (default: the
   * end-to-end bench's three).
   */
  async createCube(
    type: CubeType,
    services: StackService[] = E2E_SERVICES,
    extra: Record<string, unknown> = {},
    ports: StackPort[] = BUMP_PORTS,
  ): Promise<void> {
    const steps: [string, unknown][] = [[``, { port_mode: 'SINGLE', type, ...extra }]];
    for (const p of ports) steps.push([`ports/${p.name}/`, { type: p.type, peer: p.peer }]);
    for (const s of services) {
      const svc = `service/${s.vip}/${s.port}/${s.proto}/`;
      steps.push([svc, { name: `bench-${s.port}` }]);
      for (const b of s.backends) steps.push([`${svc}backend/${b.ip}/`, { port: b.port, weight: b.weight }]);
    }
    for (const [path, body] of steps) await this.rest('POST', `lbrp/${CUBE}/${path}`, body);
  }

  /** Deletes the cube; its programs must be gone from the bump's netdevs afterwards. */
  async deleteCube(): Promise<void> {
    await this.rest('DELETE', `lbrp/${CUBE}/`);
  }

  /** Stops the service, then polycubed (cubes were deleted by then). Never throws. */
  async stop(): Promise<void> {
    for (const { child } of this.children.splice(0).reverse()) await stopChild(child);
  }

  private async start(): Promise<string | undefined> {
    if (!existsSync(LBRP_MAIN)) return 'the lbrp service (src/lbrp/main.ts) is not in the tree yet';
    if (!existsSync(POLYCUBED_MAIN)) return 'polycubed (src/polycubed/main.ts) is not in the tree yet';
    mkdirSync(BPF_CACHE, { recursive: true });
    const sock = join(this.topo.tmp, 'polycubed.sock');
    this.spawnStack('polycubed', [
      ...[...TS_NODE, POLYCUBED_MAIN, '--grpc-socket', sock, '--pin-root', join(this.topo.tmp, 'bpf')],
      ...['--no-persistence', '--cache-dir', BPF_CACHE, '--port', `${POLYCUBED_REST_PORT}`, '--quiet'],
    ]);
    await this.waitFor(async () => (await this.restStatus('GET', '')) === 200, 'polycubed REST');
    this.spawnStack('lbrp', [...TS_NODE, LBRP_MAIN, '--polycubed', `unix:${sock}`]);
    await this.waitFor(
      async () => (await this.restStatus('GET', 'lbrp/')) === 200,
      'lbrp service registration',
    );
    return undefined;
  }

  /** Starts `argv` inside the LB namespace and the bench cgroup (its idle cost counts too). */
  private spawnStack(name: string, argv: string[]): void {
    const full = this.topo.cpu.wrap(inNetns(this.topo.ns.lb, argv));
    const child = spawn(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
    let out = '';
    const keep = (d: Buffer): void => void (out = (out + d.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.topo.adopt(child);
    this.children.push({ name, child, log: () => out });
  }

  private async waitFor(ok: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      for (const c of this.children) {
        if (c.child.exitCode !== null)
          throw new Error(`${c.name} exited (${c.child.exitCode}): ${c.log().slice(-600)}`);
      }
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`${what}: not ready after ${START_TIMEOUT_MS} ms`);
  }

  private async restStatus(method: string, path: string, body?: unknown): Promise<number> {
    return (await this.curl(method, path, body)).status;
  }

  /**
   * Sends one REST request (`path` under /polycube/v1/) and resolves to its body parsed as JSON
   * (undefined when empty); rejects on any status but 2xx, with the status and body.
   */
  async rest(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await this.curl(method, path, body);
    if (r.status < 200 || r.status > 299)
      throw new Error(`${method} /polycube/v1/${path}: ${r.status} ${r.body.trim()}`);
    const text = r.body.trim();
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  private async curl(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: string }> {
    const url = `http://127.0.0.1:${POLYCUBED_REST_PORT}/polycube/v1/${path}`;
    const argv = ['curl', '-sS', '-m', '60', '-X', method, '-w', '\n%{http_code}', url];
    if (body !== undefined) argv.push('-H', 'Content-Type: application/json', '--data', JSON.stringify(body));
    const r = await runAsync(inNetns(this.topo.ns.lb, argv), 65_000);
    const lines = r.stdout.split('\n');
    const status = Number(lines.pop());
    return { status: Number.isFinite(status) ? status : 0, body: lines.join('\n') + r.stderr };
  }
}
