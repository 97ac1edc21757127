// The pin root's bpffs and the mount namespace it lives in: a daemon started in a mount namespace
// of its own (here `unshare --mount`, as `ip netns exec` makes one) mounts its own bpffs, whose
// pins die with the namespace (why polycubed warns when it mounts one).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOnBpffs } from '../../../src/polycubed/runtime/bpffs';
import { REPO, TSX } from '../../fixtures/child-process';

/** Runs `script` (TypeScript, with `b` = the bpffs module) in a private mount namespace; its stdout. */
function inOwnMountNs(script: string): string {
  const prelude = `const b = require(${JSON.stringify(join(REPO, 'src/polycubed/runtime/bpffs.ts'))});`;
  return execFileSync('unshare', ['--mount', '--propagation', 'private', TSX, '-e', prelude + script], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  }).trim();
}

describe('kernel: pin root bpffs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lbrp-bpffs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('mounts a bpffs at a plain directory, and the mount (pins included) goes with the namespace', () => {
    const pinRoot = join(dir, 'pins', 'cubes');
    const out = inOwnMountNs(
      `console.log(JSON.stringify([b.isOnBpffs(${JSON.stringify(pinRoot)}), b.ensureBpffs(${JSON.stringify(pinRoot)}), b.isOnBpffs(${JSON.stringify(pinRoot)}), b.ensureBpffs(${JSON.stringify(pinRoot)})]));`,
    );
    // Not on a bpffs at first; mounted once (the second call finds it).
    expect(JSON.parse(out)).toEqual([false, true, true, false]);
    // Back in this namespace, that mount (and anything pinned on it) is gone.
    expect(isOnBpffs(pinRoot)).toBe(false);
  });
});
