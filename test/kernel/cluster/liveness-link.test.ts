// lbrp-announce's liveness link (src/cluster/liveness-link.ts): a TUN device that exists exactly as
// long as the process holding it, up, refused to a second holder, and gone when the holder is
// killed with SIGKILL (no handler runs) — what lets BIRD withdraw a killed announcer's VIPs.

import { join } from 'node:path';
import { Child, REPO, TSX, waitFor } from '../../fixtures/child-process';
import { TestNet } from '../../fixtures/netns';

const LINK = join(REPO, 'src/cluster/liveness-link.ts');

describe('kernel: liveness link', () => {
  const net = new TestNet();
  let ns: string;
  const children: Child[] = [];
  const name = `${net.id}lv`;

  /** A process in `ns` that opens the link and prints "held" (or the error) and then waits. */
  const holder = (): Child => {
    const script =
      `const { LivenessLink } = require(${JSON.stringify(LINK)});` +
      `try { LivenessLink.open(${JSON.stringify(name)}); console.log('held'); }` +
      `catch (e) { console.log('refused: ' + e.message); process.exit(3); }` +
      `setInterval(() => {}, 1000);`;
    const c = new Child(['ip', 'netns', 'exec', ns, TSX, '-e', script]);
    children.push(c);
    return c;
  };
  const links = (): string => net.exec(ns, ['ip', '-o', 'link', 'show']);

  beforeAll(() => {
    ns = net.addNetns();
  });
  afterAll(async () => {
    for (const c of children) {
      c.kill('SIGKILL');
      await c.waitExit();
    }
    net.cleanup();
  });

  it('is up while held, refused to a second holder, and gone once the holder is SIGKILLed', async () => {
    const first = holder();
    await first.waitLine(/^held$/, 30000);
    expect(links()).toMatch(new RegExp(`: ${name}: <[^>]*\\bUP\\b[^>]*\\bLOWER_UP\\b`));

    const second = holder();
    await second.waitLine(/^refused: /, 30000);
    expect(second.lines.join('\n')).toContain('held by another process (EBUSY)');
    expect(await second.waitExit()).toBe(3);

    first.kill('SIGKILL');
    await first.waitExit();
    await waitFor(() => !links().includes(`: ${name}:`), `${name} to vanish`, 5000);

    // The name is free again for the next announcer.
    const third = holder();
    await third.waitLine(/^held$/, 30000);
  }, 90000);
});
