// Smoke test of the flood bench (bench/flood) so it does not rot: lbrp (TC) only, 50 idle
// connections, a 1 s flood at a modest fixed rate, through the real harness, the real daemon and
// the compiled generator; checks that the report is well formed, that its figures are plausible
// and that the run left nothing behind. The bench's goals are not asserted: they live in the bench.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFloodConfig, type FloodConfig } from '../../bench/flood/config';
import { runFlood, type FloodHandle, type FloodResult } from '../../bench/flood/harness';
import { floodGoals, formatFloodTable } from '../../bench/flood/report';

const REPO = join(__dirname, '../..');
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('e2e: flood bench smoke skipped: needs root (network namespaces, BPF)');
const suite = isRoot ? describe : describe.skip;

suite('e2e: flood bench harness (smoke)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-flood-smoke-')), 'result.json');
  const handle: FloodHandle = { ids: [] };
  const cfg: FloodConfig = {
    ...defaultFloodConfig(),
    peers: ['lbrp-tc'],
    idleConnections: 50,
    legitRate: 20,
    floodSeconds: 1,
    floodRate: 20_000,
    floodThreads: 1,
    sessionsLimit: undefined,
    output: out,
    verbose: false,
  };
  let result: FloodResult;

  beforeAll(async () => {
    // Installs the bench's Debian tools the first time (nftables, gcc, …); quiet afterwards.
    execFileSync('bash', [join(REPO, 'bench/e2e/deps.sh')], { stdio: 'inherit' });
    result = await runFlood(cfg, handle);
  }, 240_000);

  afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

  // The idle connections were opened and each was checked once, legitimate connections were
  // attempted at the configured rate, and the generator's SYNs went through the load balancer.
  it('measures lbrp with plausible figures', () => {
    expect(result.generatorPps).toBeGreaterThan(1000);
    const [p] = result.peers;
    expect(p.peer).toBe('lbrp-tc');
    expect(p.reason).toBeUndefined();
    expect(p.status).toBe('measured');
    expect(p.open!.opened).toBe(50);
    expect(Object.values(p.open!.byBackend).reduce((a, b) => a + b, 0)).toBe(50);
    const c = p.check!;
    expect(c.total).toBe(50);
    expect(c.kept + c.moved + c.broken).toBe(50);
    expect(p.legit!.attempted).toBe(20);
    expect(p.legit!.succeeded).toBeGreaterThan(0);
    expect(p.legit!.succeeded).toBeLessThanOrEqual(20);
    expect(p.sent!.packets).toBeGreaterThan(1000);
    expect(p.sent!.pps).toBeGreaterThan(0);
    // Most of what was sent reached the LB stage (the veth may drop a little under load).
    expect(p.rates!.atLbPps).toBeGreaterThan(p.sent!.pps / 2);
    expect(p.rates!.toBackendsPps).toBeGreaterThan(0);
    expect(p.table!.capacity).toBe(65536);
    expect(p.table!.sessions).toBeGreaterThan(0);
    expect(p.table!.sessions).toBeLessThanOrEqual(p.table!.capacity);
    expect(p.table!.counters['service.total-sessions']).toBeGreaterThan(1000);
    // drop_stats was found through the program on lf and read.
    expect(p.table!.counters['dataplane.read.drop_stats']).toBe(1);
  });

  // The JSON file holds the same result; the table and the goals format without a gap.
  it('writes the JSON result and formats the table', () => {
    const json = JSON.parse(readFileSync(out, 'utf8')) as FloodResult;
    expect(json.peers.map((p) => p.peer)).toEqual(['lbrp-tc']);
    expect(json.config.idleConnections).toBe(50);
    const table = formatFloodTable(result);
    expect(table).toContain('| | lbrp-tc |');
    expect(table).not.toMatch(/undefined|NaN/);
    expect(floodGoals(result).map((g) => g.peer)).toEqual(['lbrp-tc', 'lbrp-tc']);
  });

  // No namespace, temporary file or process of the run survives it.
  it('leaves nothing behind', () => {
    expect(handle.ids).toHaveLength(2); // the generator's own measurement, then lbrp-tc's topology
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const id of handle.ids) {
      expect(netns).not.toContain(id);
      if (existsSync('/tmp')) expect(readdirSync('/tmp').filter((e) => e.startsWith(id))).toEqual([]);
    }
    const ours = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
          return handle.ids.some((id) => cmd.includes(id));
        } catch {
          return false;
        }
      });
    expect(ours).toEqual([]);
  });
});
