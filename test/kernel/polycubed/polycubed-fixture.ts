// Shared setup of polycubed's kernel tests: two namespaces joined through a cube's two ports
// (veth host ends), a private pin root, state file, socket and compile cache, an in-process
// daemon with its gRPC server, child processes (polycubed, the test service, traffic) whose
// output lines can be awaited, and a cleanup that removes all of it even after a failure.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../../src/polycubed/core/daemon';
import type { ConfigOp, ConfigResult, DaemonOptions, LogEvent } from '../../../src/polycubed/core/types';
import { PolycubedGrpcServer } from '../../../src/polycubed/grpc/grpc-server';
import { unpinAll } from '../../../src/polycubed/runtime/bpf-object';
import { TestNet, type Veth } from '../../fixtures/netns';
import { Child, REPO, TSX, waitFor } from '../../fixtures/child-process';
import { parseEchoReplies } from '../../fixtures/echo-replies';

export { Child, REPO, TSX, waitFor };

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

  /**
   * Pings the server namespace from the client namespace; true when every sequence was answered,
   * by SERVER_IP itself and without duplicates (ping's exit code alone counts a reply from any
   * address: see echo-replies.ts).
   */
  ping(count = 2): boolean {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', this.nsClient, 'ping', '-n', '-c', String(count), '-i', '0.2', '-W', '1', SERVER_IP],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (r.status !== 0 && r.status !== 1) throw new Error(`ping in ${this.nsClient}: ${r.stderr || r.error}`);
    const got = parseEchoReplies(r.stdout);
    return got.received === count && got.duplicates === 0 && got.from.join() === SERVER_IP;
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
