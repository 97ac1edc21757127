// Smoke test of the end-to-end bench's routed-host topology (issue 22): one short round with
// `none` and lbrp ROUTED through the real harness (polycubed and the lbrp service started in the
// LB namespace, the cube on its one client-facing interface), then checks that both peers were
// measured with sane figures, that the goals were evaluated, and that nothing was left
// behind. Timing goals live in the bench, not here.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, routedConfig } from '../../bench/e2e/config';
import { runBench, type RunHandle } from '../../bench/e2e/harness';
import type { BenchResult } from '../../bench/e2e/report';

const REPO = join(__dirname, '../..');
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('e2e: routed bench smoke skipped: needs root (network namespaces, BPF)');
const suite = isRoot ? describe : describe.skip;

suite('e2e: end-to-end bench, routed topology (smoke)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-e2e-routed-smoke-')), 'result.json');
  let handle: RunHandle | undefined;
  let result: BenchResult;

  beforeAll(async () => {
    execFileSync('bash', [join(REPO, 'bench/e2e/deps.sh')], { stdio: 'inherit' });
    const cfg = {
      ...routedConfig(defaultConfig()),
      rounds: 1,
      metricSeconds: 1,
      warmupSeconds: 0.3,
      peers: ['none' as const, 'lbrp-routed' as const, 'lbrp-xdp-drv' as const],
      output: out,
      verbose: false,
      remeasures: 0,
    };
    result = await runBench(cfg, (h) => (handle = h));
  }, 300_000);

  afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

  it('measures none and lbrp-routed through the LB host, and skips a bump-only peer', () => {
    for (const peer of ['none', 'lbrp-routed'] as const) {
      const s = result.peers[peer];
      expect({ peer, status: s?.status, note: s?.note }).toEqual({
        peer,
        status: 'measured',
        note: undefined,
      });
      const m = s!.metrics!;
      expect(m.newconnRps.median).toBeGreaterThan(100);
      expect(m.keepaliveRps.median).toBeGreaterThan(100);
      expect(m.tcpGbps.median).toBeGreaterThan(0.01);
      expect(m.udpPps.median).toBeGreaterThan(500);
      expect(s!.httpErrors).toBe(0);
    }
    expect(result.peers['lbrp-xdp-drv']).toEqual({
      status: 'skipped',
      note: 'not a peer of the routed topology',
    });
    expect(result.goals.map((g) => g.goal)).toContain(
      'lbrp-routed ≥ 1.0 × none on UDP 60-byte frames, delivered pkt/s',
    );
  });

  it('leaves no namespace behind', () => {
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(netns).not.toContain(handle!.id);
  });
});
