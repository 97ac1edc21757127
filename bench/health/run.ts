// Health-check benchmark (`npm run bench:health`), in one process with the real probers and
// scheduler (HealthMonitor) against local listeners on 127.0.0.0/8 addresses (no root needed):
//  1. detection time: a backend's TCP listener is closed ROUNDS times; time from the close to the
//     DOWN event, against the bound interval × fall + one interval;
//  2. CPU of probing BACKENDS backends every second (TCP half-open and ICMP echo from raw
//     sockets, HTTP, UDP; and as baselines of the same run the host-stack TCP connect and one
//     `ping` process per probe, the latter on fewer backends, reported per 1,000): process CPU
//     time over a measured window, in % of one core (the goal is ≤ 2 %). The probes through the
//     BACKEND port (packet-out) run against an in-process link that answers each frame as the
//     backend and the dataplane would (a SYN-ACK or echo reply handed straight back): the
//     service's side only (frames built, replies parsed, RSTs sent), without the gRPC hop to
//     polycubed and its AF_PACKET send. As root with 2 CPUs, the raw probers again against
//     backends in a namespace whose packets the other CPU processes (remote-backends.ts);
//  3. as root, failed new connections at 200 connections/s through a real cube while a backend's
//     server is killed (failed-connections.ts).
// Prints a table; `--rounds N`, `--backends N`, `--seconds N`, `--conn-failures N` override the
// defaults, `--only a,b` runs only the rows whose name holds one of them.

import { createServer as createTcp, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { HealthMonitor, type BackendRef } from '../../src/lbrp/health/health-monitor';
import { emptyCube, type CubeModel, type HealthCheckConfig } from '../../src/lbrp/model/cube-model';
import { addService } from '../../src/lbrp/model/service-rules';
import { readFileSync } from 'node:fs';
import type { Prober } from '../../src/lbrp/health/probes';
import { probeTcp } from '../../src/lbrp/health/probes/tcp-probe';
import { probeIcmp } from '../../src/lbrp/health/probes/icmp-probe';
import { BackendPortProber } from '../../src/lbrp/health/probes/port-prober';
import { ARP_REPLY, arpFrame } from '../../src/lbrp/health/probes/probe-frames';
import { PROBE_ICMP_ID, PROBE_PORT_COUNT, PROBE_PORT_MIN } from '../../src/lbrp/dataplane/map-layouts';
import { remoteBackends } from './remote-backends';
import { failedConnections } from './failed-connections';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 20);
const BACKENDS = arg('backends', 1000);
const SECONDS = arg('seconds', 10);
const ICMP_BACKENDS = arg('icmp-backends', 50);
/** Backend failures of the end-to-end failed-connections row. */
const CONN_FAILURES = arg('conn-failures', 10);
/** `--only a,b`: run only the CPU rows whose name contains one of these (e.g. raw,alone). */
const ONLY = ((): string[] => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? process.argv[i + 1].split(',') : [];
})();
const PORT = 18080 + Math.floor(Math.random() * 1000);

/** Backend i's address: 127.1.x.y with x, y in 1..250 (all of 127/8 is local on Linux). */
const ipOf = (i: number): string => `127.1.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

/** One service with `n` backends (addresses `ipFn`) and the health-check `hc`, as a cube model. */
function modelOf(n: number, hc: Partial<HealthCheckConfig>, port = PORT, ipFn = ipOf): CubeModel {
  const r = addService(emptyCube('bench', 'SINGLE'), {
    vip: '10.0.0.1',
    vport: 80,
    proto: hc.type === 'UDP' ? 'UDP' : 'TCP',
    backend: Array.from({ length: n }, (_, i) => ({ ip: ipFn(i), port })),
    healthCheck: { ...hc },
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const listen = (s: Server, port: number, host = '0.0.0.0'): Promise<void> =>
  new Promise((res) => s.listen(port, host, () => res()));
const close = (s: Server): Promise<void> => new Promise((res) => s.close(() => res()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function monitorOf(
  onDown: (r: BackendRef) => void = () => undefined,
  onChange = () => undefined,
  prober?: Prober,
) {
  return new HealthMonitor({
    log: () => undefined,
    onTableChange: onChange,
    onBackendDown: onDown,
    holdMs: 0,
    maxInFlight: 256,
    ...(prober ? { proberFor: () => prober } : {}),
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Detection time over ROUNDS failures of one backend (interval 500 ms, fall 2, rise 1). */
async function detection(): Promise<{ times: number[]; bound: number }> {
  const interval = 500;
  const fall = 2;
  const port = PORT + 1;
  const times: number[] = [];
  let downAt = 0;
  let wentDown: () => void = () => undefined;
  const mon = monitorOf(() => {
    downAt = Date.now();
    wentDown();
  });
  let srv = createTcp((c) => c.destroy());
  await listen(srv, port, ipOf(0));
  mon.reconcile(modelOf(1, { type: 'TCP', interval, fall, rise: 1 }, port));
  const ip = ipOf(0);
  for (let r = 0; r < ROUNDS; r++) {
    // Wait for UP, then kill the listener at a random point of the probe cycle.
    while (mon.state('bench', '10.0.0.1:80:TCP', ip)?.health !== 'UP') await sleep(20);
    await sleep(Math.random() * interval);
    const done = new Promise<void>((res) => (wentDown = res));
    await close(srv);
    const closedAt = Date.now();
    await done;
    times.push(downAt - closedAt);
    srv = createTcp((c) => c.destroy());
    await listen(srv, port, ipOf(0));
  }
  mon.stop();
  await close(srv);
  return { times, bound: interval * fall + interval };
}

/** CPU time (µs) of the children this process waited for (the `ping`s): /proc/self/stat. */
function childrenCpuUs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 (cutime, cstime) are at 13 and 14 after the command name; ticks of 1/100 s.
  return (Number(fields[13]) + Number(fields[14])) * 10_000;
}

/** CPU % of one core of probing `n` backends every second with `hc`, over SECONDS. */
async function cpuOf(
  n: number,
  hc: Partial<HealthCheckConfig>,
  prober?: Prober,
  ipFn = ipOf,
): Promise<{ pct: number; probes: number; note: string }> {
  let results = 0;
  const mon = monitorOf(undefined, undefined, prober);
  const model = modelOf(n, { ...hc, interval: 1000 }, PORT, ipFn);
  mon.reconcile(model);
  await sleep(2000); // every target has started
  const probes0 = countProbes(mon, model);
  const c0 = process.cpuUsage();
  const k0 = childrenCpuUs();
  const t0 = process.hrtime.bigint();
  await sleep(SECONDS * 1000);
  const c1 = process.cpuUsage(c0);
  const kids = childrenCpuUs() - k0;
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  results = countProbes(mon, model) - probes0;
  const down = [...model.services.values()][0].backends.size - upCount(mon, model);
  mon.stop();
  // Every probe should pass here; when the loaded listener process misses some, the row says so.
  let note = '';
  if (down > 0) {
    const b = [...[...model.services.values()][0].backends.values()].find(
      (x) => mon.state('bench', serviceKeyOf(model), x.ip)?.health !== 'UP',
    );
    const st = b && mon.state('bench', serviceKeyOf(model), b.ip);
    note = `; ${down} backends not UP, e.g. ${b?.ip}: ${st?.lastResult}`;
  }
  if (process.env.BENCH_HEALTH_SPLIT)
    console.log(
      `  user ${((c1.user / wall) * 100).toFixed(2)} % system ${((c1.system / wall) * 100).toFixed(2)} % children ${((kids / wall) * 100).toFixed(2)} %`,
    );
  return { pct: ((c1.user + c1.system + kids) / wall) * 100, probes: results, note };
}

/** Probe results seen so far: successes in a row summed (every probe succeeds here). */
function countProbes(mon: HealthMonitor, model: CubeModel): number {
  let n = 0;
  for (const b of [...model.services.values()][0].backends.values())
    n += mon.state('bench', serviceKeyOf(model), b.ip)?.okRun ?? 0;
  return n;
}

function upCount(mon: HealthMonitor, model: CubeModel): number {
  let n = 0;
  for (const b of [...model.services.values()][0].backends.values())
    if (mon.state('bench', serviceKeyOf(model), b.ip)?.health === 'UP') n++;
  return n;
}

const serviceKeyOf = (m: CubeModel): string => [...m.services.keys()][0];

/** What the backend (through the dataplane) hands back for a frame the prober sent: the ARP
 * reply of the next hop, a SYN-ACK for a SYN, an echo reply for an echo request (checksums are
 * not redone: the prober does not check them). */
function linkReply(frame: Buffer): Buffer | undefined {
  const type = frame.readUInt16BE(12);
  if (type === 0x0806) {
    if (frame.readUInt16BE(20) !== 1) return undefined;
    const ip = (o: number) => `${frame[o]}.${frame[o + 1]}.${frame[o + 2]}.${frame[o + 3]}`;
    const hop = { mac: Buffer.from('020000000afe', 'hex'), ip: ip(38) };
    return arpFrame(ARP_REPLY, hop, { mac: frame.subarray(22, 28), ip: ip(28) });
  }
  if (type !== 0x0800) return undefined;
  const l4 = 14 + (frame[14] & 0x0f) * 4;
  const f = Buffer.from(frame);
  frame.copy(f, 26, 30, 34);
  frame.copy(f, 30, 26, 30);
  if (frame[23] === 6) {
    if (frame[l4 + 13] !== 0x02) return undefined; // the service's RST
    frame.copy(f, l4, l4 + 2, l4 + 4);
    frame.copy(f, l4 + 2, l4, l4 + 2);
    f.writeUInt32BE((frame.readUInt32BE(l4 + 4) + 1) >>> 0, l4 + 8);
    f[l4 + 13] = 0x12;
  } else if (frame[23] === 1 && frame[l4] === 8) f[l4] = 0;
  else return undefined;
  return f;
}

/** A BackendPortProber (TCP or ICMP) over a link that answers every probe at once (linkReply). */
function loopbackPortProber(type: 'TCP' | 'ICMP'): Prober {
  const prober: BackendPortProber = new BackendPortProber(
    async (cube, _port, frame) => {
      const reply = linkReply(frame);
      if (reply) setImmediate(() => prober.onPacketIn(cube, reply));
    },
    { portMin: PROBE_PORT_MIN, portCount: PROBE_PORT_COUNT, icmpId: PROBE_ICMP_ID },
  );
  prober.configure('bench', { port: 'be', source: '10.0.0.250', nextHop: '10.0.0.254' });
  return prober.prober('bench', type) as Prober;
}

/** TCP (PORT), HTTP (PORT+2) and one UDP socket per backend address (PORT): a UDP reply must
 * come from the address probed (a connected socket drops others). Prints "ready". */
function listenerScript(): string {
  return `const net=require('net'),http=require('http'),dgram=require('dgram');
net.createServer(c=>c.destroy()).listen(${PORT},'0.0.0.0');
http.createServer((q,s)=>s.end('ok')).listen(${PORT + 2},'0.0.0.0');
const ips=${JSON.stringify(Array.from({ length: BACKENDS }, (_, i) => ipOf(i)))};
let n=0;for(const ip of ips){const u=dgram.createSocket('udp4');
u.on('message',(m,r)=>u.send(m,r.port,r.address));u.bind(${PORT},ip,()=>{if(++n===${BACKENDS})console.log('ready');});}`;
}

async function main(): Promise<void> {
  // Probe timers are unref'd (a daemon has other handles); this keeps the bench alive meanwhile.
  const alive = setInterval(() => undefined, 1000);
  console.log(`bench:health: ${ROUNDS} failures, ${BACKENDS} backends at 1 s for ${SECONDS} s each`);
  const det = await detection();
  console.log(
    `detection (TCP, interval 500 ms, fall 2): median ${median(det.times)} ms, max ${Math.max(...det.times)} ms over ${det.times.length} failures (bound ${det.bound} ms)`,
  );

  // The listeners run in a child process: only the prober's CPU is measured here.
  const listeners = spawn(process.execPath, ['-e', listenerScript()], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res) => listeners.stdout.once('data', () => res()));

  // The probers the daemon uses (TCP half-open and ICMP echo from raw sockets), and as the
  // baseline of the same run the host-stack ones they replaced (full connect, one `ping` each).
  const rows: Array<[string, number, Partial<HealthCheckConfig>, Prober?]> = [
    // The monitor and scheduler alone: a prober that answers at once (the floor under every row).
    ['monitor alone (no network)', BACKENDS, { type: 'TCP' }, async () => ({ ok: true, detail: 'instant' })],
    ['TCP half-open (raw socket)', BACKENDS, { type: 'TCP' }],
    ['TCP half-open (BACKEND port)', BACKENDS, { type: 'TCP' }, loopbackPortProber('TCP')],
    ['TCP connect (host stack)', BACKENDS, { type: 'TCP' }, probeTcp],
    ['HTTP GET', BACKENDS, { type: 'HTTP', port: PORT + 2 }],
    ['UDP request/response', BACKENDS, { type: 'UDP', udpPayload: '6869' }],
    ['ICMP echo (raw socket)', BACKENDS, { type: 'ICMP' }],
    ['ICMP echo (BACKEND port)', BACKENDS, { type: 'ICMP' }, loopbackPortProber('ICMP')],
    ['ICMP ping process', ICMP_BACKENDS, { type: 'ICMP' }, probeIcmp],
  ];
  for (const [type, n, hc, prober] of rows) {
    if (ONLY.length > 0 && !ONLY.some((o) => type.includes(o))) continue;
    const r = await cpuOf(n, hc, prober);
    const per1000 = (r.pct * 1000) / n;
    console.log(
      `CPU ${type.padEnd(30)} ${String(n).padStart(5)} backends @1 s: ${r.pct.toFixed(2)} % of one core (${per1000.toFixed(2)} % per 1,000 backends; ${r.probes} probes counted${r.note})`,
    );
  }
  listeners.kill('SIGKILL');

  // The raw probers against backends in a namespace whose packets another CPU processes (fairer
  // than loopback: remote-backends.ts), this process pinned to CPU 0.
  const remote =
    ONLY.length === 0 || ONLY.some((o) => 'remote'.includes(o)) ? await remoteBackends(PORT) : undefined;
  if (remote) {
    try {
      remote.pin();
      for (const [type, hc] of [
        ['TCP half-open (raw, remote)', { type: 'TCP' }],
        ['ICMP echo (raw, remote)', { type: 'ICMP' }],
      ] as const) {
        const r = await cpuOf(BACKENDS, hc, undefined, remote.ipOf);
        console.log(
          `CPU ${type.padEnd(30)} ${String(BACKENDS).padStart(5)} backends @1 s: ${r.pct.toFixed(2)} % of one core (${r.probes} probes counted${r.note})`,
        );
      }
    } finally {
      remote.unpin();
      remote.cleanup();
    }
  } else if (ONLY.length === 0) console.log('(remote rows skipped: they need root and 2 CPUs)');

  if (process.getuid?.() === 0 && (ONLY.length === 0 || ONLY.some((o) => 'connections'.includes(o)))) {
    const f = await failedConnections(CONN_FAILURES);
    const fmt = (xs: Array<{ started: number; failed: number }>) => {
      const failed = xs.map((x) => x.failed);
      return `median ${median(failed)}, max ${Math.max(...failed)} failed (of ${median(xs.map((x) => x.started))} started, median)`;
    };
    console.log(
      `failed new connections at ${f.rate.toFixed(0)} connections/s, ${f.detectMs.length} failures (kill to DOWN: median ${median(f.detectMs)} ms, max ${Math.max(...f.detectMs)} ms):`,
    );
    console.log(`  from the kill to DOWN: ${fmt(f.beforeDown)}`);
    const lastFail = Math.max(...f.lastFailMs);
    console.log(
      `  in the 2 s after DOWN: ${fmt(f.afterDown)}${lastFail >= 0 ? `; the last one started ${lastFail} ms after DOWN` : ''}`,
    );
  } else if (ONLY.length === 0) console.log('(failed-connections rows skipped: they need root)');
  clearInterval(alive);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
