// Smoke test of the end-to-end bench (bench/e2e) so it does not rot: one round of 2 s per metric
// with `none` and one kernel load balancer (nftables) through the real harness, then checks that
// the figures are sane and that the run left nothing behind. Timing goals live in the bench, not
// here: the machine may be busy, so only orders of magnitude are checked.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../bench/e2e/config';
import { runBench, type RunHandle } from '../../bench/e2e/harness';
import type { BenchResult } from '../../bench/e2e/report';

const REPO = join(__dirname, '../..');
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('e2e: bench smoke skipped: needs root (network namespaces, netfilter)');
const suite = isRoot ? describe : describe.skip;

suite('e2e: end-to-end bench harness (smoke)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-e2e-smoke-')), 'result.json');
  let handle: RunHandle | undefined;
  let result: BenchResult;

  beforeAll(async () => {
    // Installs the bench's Debian tools the first time (nftables, iperf3, …); quiet afterwards.
    execFileSync('bash', [join(REPO, 'bench/e2e/deps.sh')], { stdio: 'inherit' });
    const cfg = {
      ...defaultConfig(),
      rounds: 1,
      metricSeconds: 2,
      warmupSeconds: 0.3,
      peers: ['none' as const, 'nftables' as const],
      output: out,
      verbose: false,
    };
    result = await runBench(cfg, (h) => (handle = h));
  }, 240_000);

  afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

  // Both peers ran, every figure is a plausible positive number, and none is its own 1.0 baseline.
  it('measures none and nftables with sane figures', () => {
    for (const peer of ['none', 'nftables'] as const) {
      const s = result.peers[peer];
      expect(s?.status).toBe('measured');
      const m = s!.metrics!;
      expect(m.newconnRps.median).toBeGreaterThan(200);
      expect(m.keepaliveRps.median).toBeGreaterThan(200);
      expect(m.newconnP50.median).toBeGreaterThan(0);
      expect(m.newconnP50.median).toBeLessThanOrEqual(m.newconnP99.median);
      expect(m.keepaliveP50.median).toBeLessThanOrEqual(m.keepaliveP99.median);
      expect(m.tcpGbps.median).toBeGreaterThan(0.05);
      expect(m.udpPps.median).toBeGreaterThan(1000);
      expect(m.udpLoss.median).toBeGreaterThanOrEqual(0);
      expect(m.udpLoss.median).toBeLessThan(100);
      for (const cpu of [m.newconnCpu, m.keepaliveCpu, m.udpCpu, m.tcpCpu]) {
        expect(cpu.median).toBeGreaterThan(0);
        expect(Number.isFinite(cpu.median)).toBe(true);
      }
      expect(s!.httpErrors).toBe(0);
    }
    expect(result.peers.none!.metrics!.newconnRps.ratio).toBe(1);
    expect(result.peers.nftables!.metrics!.udpPps.ratio).toBeGreaterThan(0);
  });

  // The JSON file is written and holds the same result, goals included.
  it('writes the JSON result', () => {
    const json = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
    expect(Object.keys(json.peers)).toEqual(['none', 'nftables']);
    expect(json.rounds).toHaveLength(2);
    expect(json.goals.length).toBeGreaterThan(0);
  });

  // No namespace, cgroup, temporary file or process of the run survives it.
  it('leaves nothing behind', () => {
    const id = handle!.id;
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(netns).not.toContain(id);
    for (const dir of [
      '/tmp',
      '/dev/shm',
      '/sys/fs/cgroup/cpuacct',
      '/sys/fs/cgroup',
      '/sys/fs/cgroup/unified',
    ]) {
      if (existsSync(dir)) expect(readdirSync(dir).filter((e) => e.startsWith(id))).toEqual([]);
    }
    const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    const ours = procs.filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id);
      } catch {
        return false;
      }
    });
    expect(ours).toEqual([]);
  });
});
