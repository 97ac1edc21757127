// `npm run demo:cluster` end to end (short steps): the router's multipath route over the three
// nodes, every long-lived connection through a node failure, every one with lbrp-sync after a
// backend was added, and nothing left behind (namespaces, links, processes).

import { Child, REPO, waitFor } from '../fixtures/child-process';
import { leftovers } from '../fixtures/leftovers';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';

describeE2e('e2e: npm run demo:cluster', () => {
  it('shows the ECMP route, keeps connections through a node failure, and with sync after a backend was added', async () => {
    const demo = new Child(['npm', 'run', '--silent', 'demo:cluster'], {
      cwd: REPO,
      env: { DEMO_STEP_SECONDS: '2' },
    });
    // Ctrl-C (the demo's own clean-up) if it runs too long; it took 90 s alone here.
    await waitFor(() => demo.exited !== undefined, 'the demo to end', 420_000).catch(() =>
      demo.kill('SIGINT'),
    );
    const code = await demo.waitExit(60_000);
    const out = demo.lines.join('\n').replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    expect({ code, tail: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(out.match(/^\s+nexthop via 10\.162\.0\.1[123] /gm)).toHaveLength(3);
    expect(out).toContain('long-lived connections alive at the end: 30/30');
    expect(out).toMatch(
      /^ {2}lbrp-sync off: \d+\/30 long-lived connections survived \(node1 carried \d+ of them\)$/m,
    );
    expect(out).toMatch(/^ {2}lbrp-sync on : 30\/30 long-lived connections survived$/m);
    expect(out).toContain('removing namespaces, daemons and pins…');
    const names = /^names: namespaces and links (\S+)\*, pins \/sys\/fs\/bpf\/(lbrp-e2e-\d+-)\*$/m.exec(out);
    expect(names).not.toBeNull();
    expect([...leftovers(names?.[1] ?? '?'), ...leftovers(names?.[2] ?? '?')]).toEqual([]);
  }, 480_000);
});
