// Shared setup for the runtime's kernel tests: root check, fixture paths, a per-file compile
// cache and bpffs pin directory, both removed by `cleanup()`. Not a test file itself.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { compileBpf, CompileOptions } from '../../../src/polycubed/runtime/bpf-compile';
import { ensureBpffs } from '../../../src/polycubed/runtime/bpffs';
import { unpinAll } from '../../../src/polycubed/runtime/bpf-object';

/** True when the suite can reach the kernel (CAP_BPF, CAP_NET_ADMIN: we require root). */
export const IS_ROOT = process.getuid?.() === 0;

/** `describe` for kernel tests: skipped, with the reason printed, when not root. */
export const describeKernel: jest.Describe = IS_ROOT
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`skipping "${name}": kernel tests need root (CAP_BPF, CAP_NET_ADMIN)`);
      describe.skip(name, fn);
    }) as jest.Describe);

/** Directory of the test BPF programs. */
export const BPF_FIXTURES = join(__dirname, '../../fixtures/bpf');

/** A compile cache and a bpffs pin root private to one test file. */
export class RuntimeFixture {
  readonly cacheDir = mkdtempSync(join(tmpdir(), 'lbrp-bpfcc-'));
  readonly pinRoot = `/sys/fs/bpf/lbrp-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  private pins = 0;

  /** Compiles `test/fixtures/bpf/<name>.c` into this file's cache. */
  async compile(name: string, extra: Partial<CompileOptions> = {}): Promise<string> {
    const res = await compileBpf({
      sourcePath: join(BPF_FIXTURES, `${name}.c`),
      cacheDir: this.cacheDir,
      werror: true,
      ...extra,
    });
    return res.objPath;
  }

  /** A fresh pin directory under this file's pin root (bpffs is mounted if needed). */
  pinDir(): string {
    ensureBpffs(this.pinRoot);
    return join(this.pinRoot, `o${this.pins++}`);
  }

  /** Removes the pin root and the compile cache; never throws. */
  cleanup(): void {
    try {
      unpinAll(this.pinRoot);
    } catch {
      // nothing pinned
    }
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}
