// Shared setup of polycubed's kernel tests: two namespaces joined through a cube's two ports
// (veth host ends), a private pin root, state file, socket and compile cache, an in-process
// daemon with its gRPC server, child processes (polycubed, the test service, traffic) whose
// output lines can be awaited, and a cleanup that removes all of it even after a failure.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Daemon } from '../../../src/polycubed/core/daemon';
import type { ConfigOp, ConfigResult, DaemonOptions, LogEvent } from '../../../src/polycubed/core/types';
import { PolycubedGrpcServer } from '../../../src/polycubed/grpc/grpc-server';
import { unpinAll } from '../../../src/polycubed/runtime/bpf-object';
import { TestNet, type Veth } from '../../fixtures/netns';

/** Repository root (children run from here). */
export const REPO = resolve(__dirname, '../../..');
/** True when the suite can reach the kernel. */
export const IS_ROOT = process.getuid?.() === 0;
/** `describe` for kernel tests: skipped with a printed reason when not root. */
export const describeKernel: jest.Describe = IS_ROOT
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`skipping "${name}": kernel tests need root (CAP_BPF, CAP_NET_ADMIN)`);
      describe.skip(name, fn);
    }) as jest.Describe);

/** Addresses of the two namespaces (only reachable through the cube). */
export const CLIENT_IP = '10.77.0.1';
export const SERVER_IP = '10.77.0.2';

/** Polls `cond` every 50 ms until it is truthy; throws `what` after `timeoutMs`. */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  what: string,
  timeoutMs = 5000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A child process (own process group) whose stdout lines are kept and can be awaited. */
export class Child {
  readonly lines: string[] = [];
  readonly proc: ChildProcess;
  exited: number | null | undefined;

  constructor(argv: string[], opts: { cwd?: string } = {}) {
    this.proc = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd ?? REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    this.proc.stdout?.on('data', onData);
    this.proc.stderr?.on('data', onData);
    this.proc.on('exit', (code) => {
      this.exited = code;
    });
  }

  /** Waits for a line matching `re` (searching from line `from`); returns it. */
  waitLine(re: RegExp, timeoutMs = 15000, from = 0): Promise<string> {
    return waitFor(
      () => this.lines.slice(from).find((l) => re.test(l)),
      `a line matching ${re} (got: ${this.lines.slice(-8).join(' | ')})`,
      timeoutMs,
    );
  }

  /** Sends `signal` to the child's whole process group (tsx runs node as a grandchild). */
  kill(signal: NodeJS.Signals): void {
    if (this.exited !== undefined || this.proc.pid === undefined) return;
    try {
      process.kill(-this.proc.pid, signal);
    } catch {
      // already gone
    }
  }

  /** Resolves when the child exited (kills it with SIGKILL after `timeoutMs`). */
  async waitExit(timeoutMs = 10000): Promise<number | null> {
    try {
      await waitFor(() => this.exited !== undefined, 'child exit', timeoutMs);
    } catch {
      this.kill('SIGKILL');
      await waitFor(() => this.exited !== undefined, 'child exit after SIGKILL', 3000);
    }
    return this.exited ?? null;
  }
}

/** `tsx` as installed in the repository (what `npx tsx` runs). */
export const TSX = join(REPO, 'node_modules/.bin/tsx');

/** Everything one test file owns. */
export class PolycubedFixture {
  readonly net = new TestNet();
  readonly dir = mkdtempSync(join(tmpdir(), 'pcn-kernel-'));
  readonly pinRoot = `/sys/fs/bpf/lbrp-pcntest-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly socket = join(this.dir, 'run', 'polycubed.sock');
  readonly address = `unix:${this.socket}`;
  readonly options: Partial<DaemonOptions> = {
    pinRoot: this.pinRoot,
    stateFile: join(this.dir, 'state', 'cubes.json'),
    cacheDir: join(this.dir, 'cache'),
    requestTimeoutMs: 20000,
    netdevPollMs: 200,
  };
  readonly logs: LogEvent[] = [];
  readonly children: Child[] = [];
  daemon: Daemon | undefined;
  server: PolycubedGrpcServer | undefined;
  nsClient = '';
  nsServer = '';
  vClient: Veth | undefined;
  vServer: Veth | undefined;

  /** Creates the two namespaces and their veths (host ends unaddressed, for the cube). */
  topology(): void {
    this.nsClient = this.net.addNetns();
    this.nsServer = this.net.addNetns();
    this.vClient = this.net.addVeth({ nsB: this.nsClient, ipB: `${CLIENT_IP}/24` });
    this.vServer = this.net.addVeth({ nsB: this.nsServer, ipB: `${SERVER_IP}/24` });
  }

  /** Starts an in-process daemon and its gRPC server on the fixture's socket. */
  async startDaemon(): Promise<Daemon> {
    const daemon = new Daemon(this.options);
    daemon.on('log', (ev: LogEvent) => this.logs.push(ev));
    await daemon.start();
    const server = new PolycubedGrpcServer(daemon, { socketPath: this.socket });
    await server.start();
    this.daemon = daemon;
    this.server = server;
    return daemon;
  }

  /** Stops the in-process daemon (its cubes keep forwarding). */
  async stopDaemon(): Promise<void> {
    await this.server?.stop(500);
    await this.daemon?.stop();
    this.server = undefined;
    this.daemon = undefined;
  }

  /** Runs a configuration operation on the in-process daemon. */
  execute(
    op: Omit<ConfigOp, 'service' | 'keys' | 'isCollection'> & Partial<ConfigOp>,
  ): Promise<ConfigResult> {
    if (!this.daemon) throw new Error('no daemon running');
    return this.daemon.execute({ service: 'pcntest', keys: [], isCollection: false, ...op });
  }

  /** Starts a child process and remembers it for cleanup. */
  spawn(argv: string[]): Child {
    const child = new Child(argv);
    this.children.push(child);
    return child;
  }

  /** Runs `node -e script` inside `ns` as a child. */
  spawnNode(ns: string, script: string): Child {
    return this.spawn(['ip', 'netns', 'exec', ns, process.execPath, '-e', script]);
  }

  /** Pings the server namespace from the client namespace; true when every reply came back. */
  ping(count = 2): boolean {
    try {
      this.net.exec(this.nsClient, ['ping', '-c', String(count), '-i', '0.2', '-W', '1', SERVER_IP]);
      return true;
    } catch {
      return false;
    }
  }

  /** Removes everything: children, daemon, pins, namespaces, temp files. Never throws. */
  async cleanup(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    try {
      await this.stopDaemon();
    } catch {
      // keep cleaning
    }
    this.net.cleanup(); // deleting the veths removes any filter or XDP program still on them
    try {
      unpinAll(this.pinRoot);
    } catch {
      // nothing pinned
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A TCP echo server on SERVER_IP:port; prints "listening", then "conn" per accepted connection. */
export function echoServerScript(port: number): string {
  return `const s=require('net').createServer(c=>{console.log('conn');c.on('error',()=>{});c.pipe(c);});
s.listen(${port},'${SERVER_IP}',()=>console.log('listening'));`;
}

/**
 * A long-lived TCP client: sends 1 KiB every 10 ms on one connection and prints "rx <bytes
 * echoed>" every 100 ms; prints "lost <why>" and exits 1 if the connection breaks; on SIGTERM
 * prints "final <bytes>" and exits 0.
 */
export function streamClientScript(port: number): string {
  return `const c=require('net').connect(${port},'${SERVER_IP}');let rx=0,up=false;const chunk=Buffer.alloc(1024,120);
c.on('connect',()=>{up=true;console.log('connected');setInterval(()=>c.write(chunk),10);setInterval(()=>console.log('rx '+rx),100);});
c.on('data',d=>{rx+=d.length;});
c.on('error',e=>{console.log('lost '+e.message);process.exit(1);});
c.on('close',()=>{console.log('lost close');process.exit(1);});
process.on('SIGTERM',()=>{console.log('final '+rx);process.exit(0);});`;
}

/** The last "rx N" a stream client printed, or 0. */
export function streamBytes(child: Child): number {
  for (let i = child.lines.length - 1; i >= 0; i--) {
    const m = /^rx (\d+)$/.exec(child.lines[i]);
    if (m) return Number(m[1]);
  }
  return 0;
}
