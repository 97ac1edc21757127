// Backends for bench:health that are not this host's own loopback: one network namespace behind a
// veth pair whose addresses 10.214.0.0/16 are all local there (a `local` route), with a TCP
// listener on every one, and the namespace's receive processing steered (RPS) to another CPU than
// the one the prober is pinned to. Over loopback the prober's process pays the kernel's work on
// the listener's side of every probe (the SYN's handshake, our stack's RST to the SYN-ACK); here
// it pays what probing a remote backend costs a host: the send down to the device, and reading
// the replies. Needs root and two CPUs.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { TestNet } from '../../test/fixtures/netns';

export interface RemoteBackends {
  /** Backend i's address. */
  ipOf(i: number): string;
  /** Pins this process to CPU 0 (the namespace's packets go to CPU 1) until `unpin`. */
  pin(): void;
  unpin(): void;
  cleanup(): void;
}

const PREFIX = '10.214';

/** The namespace, its routes and a TCP listener on `port` there; undefined without 2 CPUs. */
export async function remoteBackends(port: number): Promise<RemoteBackends | undefined> {
  const n = cpus().length;
  if (n < 2 || process.getuid?.() !== 0) return undefined;
  const net = new TestNet();
  let listener: ChildProcess | undefined;
  const cleanup = (): void => {
    listener?.kill('SIGKILL');
    net.cleanup();
  };
  try {
    const ns = net.addNetns();
    const v = net.addVeth({ nsB: ns, ipA: '10.213.0.1/30', ipB: '10.213.0.2/30' });
    net.exec(ns, ['ip', 'route', 'add', 'local', `${PREFIX}.0.0/16`, 'dev', 'lo']);
    net.exec(undefined, ['ip', 'route', 'add', `${PREFIX}.0.0/16`, 'via', '10.213.0.2']);
    // What arrives in the namespace is processed on CPU 1, not in the sender's context.
    net.exec(ns, ['sh', '-c', `echo 2 > /sys/class/net/${v.b}/queues/rx-0/rps_cpus`]);
    listener = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '-e',
        `require('net').createServer(c=>c.destroy()).listen(${port},'0.0.0.0',()=>console.log('ready'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((res, rej) => {
      listener?.stdout?.once('data', () => res());
      listener?.once('exit', (c) => rej(new Error(`listener exited (${c})`)));
    });
  } catch (err) {
    cleanup();
    throw err;
  }
  const taskset = (cpuList: string): void => {
    execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(process.pid)], { stdio: 'ignore' });
  };
  return {
    ipOf: (i) => `${PREFIX}.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
    pin: () => taskset('0'),
    unpin: () => taskset(`0-${n - 1}`),
    cleanup: () => {
      try {
        net.exec(undefined, ['ip', 'route', 'del', `${PREFIX}.0.0/16`]);
      } catch {
        // gone with the veth already
      }
      cleanup();
    },
  };
}
