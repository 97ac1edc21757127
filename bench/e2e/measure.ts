// One measurement of one peer: HTTP with a new connection per request, HTTP keep-alive, a TCP
// stream (iperf3) and a small-packet UDP flood, each with the CPU it cost (bench cgroup +
// ksoftirqd over the load run, divided by the requests, bytes or datagrams of the whole run).

import { clientSource, NET, PORTS, type BenchConfig } from './config';
import { CpuMeter, type CpuDelta } from './cpu-meter';
import type { Peer } from './peers';
import { runAsync } from './shell';
import type { BenchTopology } from './topology';

/** Every figure a measurement yields. */
export const METRICS = {
  newconnRps: { label: 'HTTP new conn/request, req/s', unit: 'req/s', better: 'higher', throughput: true },
  newconnP50: { label: '  latency p50, µs', unit: 'µs', better: 'lower', throughput: false },
  newconnP99: { label: '  latency p99, µs', unit: 'µs', better: 'lower', throughput: false },
  newconnCpu: { label: '  CPU per request, µs', unit: 'µs', better: 'lower', throughput: false },
  keepaliveRps: { label: 'HTTP keep-alive, req/s', unit: 'req/s', better: 'higher', throughput: true },
  keepaliveP50: { label: '  latency p50, µs', unit: 'µs', better: 'lower', throughput: false },
  keepaliveP99: { label: '  latency p99, µs', unit: 'µs', better: 'lower', throughput: false },
  keepaliveCpu: { label: '  CPU per request, µs', unit: 'µs', better: 'lower', throughput: false },
  tcpGbps: { label: 'TCP stream (iperf3), Gbit/s', unit: 'Gbit/s', better: 'higher', throughput: true },
  tcpCpu: { label: '  CPU per GB, ms', unit: 'ms/GB', better: 'lower', throughput: false },
  udpPps: { label: 'UDP 60-byte frames, delivered pkt/s', unit: 'pkt/s', better: 'higher', throughput: true },
  udpLoss: { label: '  loss, %', unit: '%', better: 'lower', throughput: false },
  udpCpu: { label: '  CPU per packet sent, ns', unit: 'ns', better: 'lower', throughput: false },
} as const;
export type MetricKey = keyof typeof METRICS;
export type Metrics = Record<MetricKey, number>;

/** What one peer measured in one round. */
export interface Measurement {
  metrics: Metrics;
  /** Failed requests (connect or read errors) over both HTTP runs: should stay 0. */
  httpErrors: number;
  /** Share of the machine's CPU time that other work took during the measurement, %. */
  foreignCpuPct: number;
}

interface HttpOut {
  requests: number;
  total: number;
  errors: number;
  window_s: number;
  p50_us: number;
  p99_us: number;
}

interface UdpOut {
  sent_window: number;
  recv_window: number;
  sent_total: number;
  recv_total: number;
  window_s: number;
}

/** The four loads of a measurement, in the order they run, and the unit of work each one counts. */
export const LOAD_WORK = {
  newconn: 'request',
  keepalive: 'request',
  tcp: 'MB',
  udp: 'packet sent',
} as const;
export type LoadName = keyof typeof LOAD_WORK;

/**
 * Watches the load runs of a measurement (the profiling pass does): called as a load starts, with
 * its name and length in seconds (warm-up included); the function it returns is awaited once the
 * load ended, with the units of work its whole run did (LOAD_WORK), or undefined when it failed.
 */
export type LoadWatcher = (load: LoadName, seconds: number) => (work: number | undefined) => Promise<void>;

/**
 * Runs the four loads against `peer` (already set up) and returns the figures; `watch`, when
 * given, sees each load start and end (the measured rounds never pass one).
 */
export async function measurePeer(
  topo: BenchTopology,
  peer: Peer,
  cfg: BenchConfig,
  watch?: LoadWatcher,
): Promise<Measurement> {
  const ms = (s: number): string => `${Math.round(s * 1000)}`;
  const src = clientSource(peer.name);
  const timing = ['-w', ms(cfg.warmupSeconds), '-d', ms(cfg.metricSeconds), '-b', src];
  const dest = (port: number, all = true): string =>
    (peer.direct ? (all ? NET.backends : NET.backends.slice(0, 1)) : [NET.vip])
      .map((a) => `${a}:${port}`)
      .join(',');
  const foreign: number[] = [];
  const timed = async <T>(
    load: LoadName,
    seconds: number,
    argv: string[],
    parse: (out: string) => T,
    work: (out: T) => number,
  ): Promise<{ out: T; cpu: CpuDelta }> => {
    const finish = watch?.(load, seconds);
    const before = topo.cpu.snapshot();
    const t0 = process.hrtime.bigint();
    const r = await runAsync(topo.clientCommand(argv), seconds * 1000 + 30_000);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = CpuMeter.delta(before, topo.cpu.snapshot());
    let out: T | undefined;
    try {
      if (r.code !== 0)
        throw new Error(
          `${peer.name}: ${argv[0]} ${argv[1]} failed (${r.code}): ${r.stderr.trim().slice(-400)}`,
        );
      out = parse(r.stdout);
    } finally {
      await finish?.(out === undefined ? undefined : work(out));
    }
    foreign.push((100 * cpu.foreign) / (wall * topo.cpuCount));
    return { out, cpu };
  };
  const http = (keepalive: boolean): Promise<{ out: HttpOut; cpu: CpuDelta }> =>
    timed(
      keepalive ? 'keepalive' : 'newconn',
      cfg.warmupSeconds + cfg.metricSeconds,
      [
        topo.bin.loadgen,
        'http',
        '-t',
        dest(PORTS.http),
        '-c',
        `${cfg.httpConnections}`,
        ...timing,
        ...(keepalive ? ['-k'] : []),
      ],
      (o) => JSON.parse(o) as HttpOut,
      (o) => o.total,
    );

  const close = await http(false);
  const keep = await http(true);
  const secs = Math.max(1, Math.round(cfg.metricSeconds));
  const omit = Math.max(1, Math.ceil(cfg.warmupSeconds));
  const tcpBytes = (bps: number): number => (bps / 8) * (secs + omit);
  const tcp = await timed(
    'tcp',
    secs + omit,
    [
      'iperf3',
      '-c',
      dest(PORTS.iperf, false).split(':')[0],
      '-B',
      src,
      '-p',
      `${PORTS.iperf}`,
      '-t',
      `${secs}`,
      '-O',
      `${omit}`,
      '--connect-timeout',
      '3000',
      '-J',
    ],
    (o) =>
      (JSON.parse(o) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received
        .bits_per_second,
    (bps) => tcpBytes(bps) / 1e6,
  );
  const udp = await timed(
    'udp',
    cfg.warmupSeconds + cfg.metricSeconds,
    [
      topo.bin.loadgen,
      'udp',
      '-t',
      dest(PORTS.udp),
      '-f',
      `${cfg.udpFlows}`,
      '-l',
      `${cfg.udpPayload}`,
      ...timing,
      '-r',
      topo.counters.join(','),
    ],
    (o) => JSON.parse(o) as UdpOut,
    (o) => o.sent_total,
  );
  for (const [what, r] of [
    ['new-connection', close.out],
    ['keep-alive', keep.out],
  ] as const) {
    if (r.requests === 0)
      throw new Error(`${peer.name}: no ${what} HTTP request completed (${r.errors} errors)`);
  }
  if (udp.out.recv_window === 0) throw new Error(`${peer.name}: no UDP datagram reached the sinks`);
  const metrics: Metrics = {
    newconnRps: close.out.requests / close.out.window_s,
    newconnP50: close.out.p50_us,
    newconnP99: close.out.p99_us,
    newconnCpu: (1e6 * close.cpu.bench) / close.out.total,
    keepaliveRps: keep.out.requests / keep.out.window_s,
    keepaliveP50: keep.out.p50_us,
    keepaliveP99: keep.out.p99_us,
    keepaliveCpu: (1e6 * keep.cpu.bench) / keep.out.total,
    tcpGbps: tcp.out / 1e9,
    tcpCpu: (1e3 * tcp.cpu.bench) / (tcpBytes(tcp.out) / 1e9),
    udpPps: udp.out.recv_window / udp.out.window_s,
    udpLoss: 100 * Math.max(0, 1 - udp.out.recv_total / Math.max(1, udp.out.sent_total)),
    udpCpu: (1e9 * udp.cpu.bench) / Math.max(1, udp.out.sent_total),
  };
  return {
    metrics,
    httpErrors: close.out.errors + keep.out.errors,
    foreignCpuPct: foreign.reduce((a, b) => a + b, 0) / foreign.length,
  };
}
