// Kernel-runtime tests for bpf-compile: clang output, the content-addressed cache (hits, and
// misses when a header changes), clang diagnostics in CompileError, in-memory sources, and
// that -D defines reach the loaded object.

import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileBpf } from '../../../src/polycubed/runtime/bpf-compile';
import { loadObject } from '../../../src/polycubed/runtime/bpf-object';
import { CompileError } from '../../../src/polycubed/runtime/kernel-error';
import { BPF_FIXTURES, describeKernel, RuntimeFixture } from './runtime-fixture';

const PROBE = join(BPF_FIXTURES, 'runtime_probe.c');

describeKernel('kernel: bpf-compile', () => {
  const fx = new RuntimeFixture();
  const clangLog = join(fx.cacheDir, 'clang-invocations.log');
  const countingClang = join(fx.cacheDir, 'counting-clang');

  beforeAll(() => {
    // A clang that records each compile (not --version), so cache hits are observable directly.
    writeFileSync(
      countingClang,
      `#!/bin/sh\ncase " $* " in *" -c "*) echo compile >> '${clangLog}';; esac\nexec clang "$@"\n`,
    );
    chmodSync(countingClang, 0o755);
  });
  afterAll(() => fx.cleanup());

  const compiles = (): number =>
    existsSync(clangLog) ? readFileSync(clangLog, 'utf8').split('\n').length - 1 : 0;

  // The second identical compile is served from the cache: clang does not run and the object file is untouched.
  it('serves an identical second compile from the cache without running clang', async () => {
    const cacheDir = join(fx.cacheDir, 'hit');
    const first = await compileBpf({ sourcePath: PROBE, cacheDir, clang: countingClang, werror: true });
    const mtime = statSync(first.objPath).mtimeMs;
    const second = await compileBpf({ sourcePath: PROBE, cacheDir, clang: countingClang, werror: true });
    expect(first.cached).toBe(false);
    expect(second).toEqual({ objPath: first.objPath, cached: true, warnings: '' });
    expect(compiles()).toBe(1);
    expect(statSync(second.objPath).mtimeMs).toBe(mtime);
    expect(readFileSync(first.objPath).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // ELF
  });

  // A different define is a different object, so the cache must miss.
  it('recompiles when a define changes', async () => {
    const cacheDir = join(fx.cacheDir, 'defines');
    const a = await compileBpf({ sourcePath: PROBE, cacheDir, defines: { PROBE_MAX_COUNTERS: 8 } });
    const b = await compileBpf({ sourcePath: PROBE, cacheDir, defines: { PROBE_MAX_COUNTERS: 16 } });
    expect(b.cached).toBe(false);
    expect(b.objPath).not.toBe(a.objPath);
  });

  // Editing an included header invalidates the cached object even though the entry file is unchanged.
  it('recompiles when an included header changes', async () => {
    const cacheDir = join(fx.cacheDir, 'deps');
    const files = (value: number): Record<string, string> => ({
      'prog.c':
        '#include "include/verdict.h"\n#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n' +
        'SEC("xdp") int xdp_const(struct xdp_md *ctx) { return VERDICT; }\nchar LICENSE[] SEC("license") = "GPL";\n',
      'include/verdict.h': `#define VERDICT ${value}\n`,
    });
    const first = await compileBpf({ files: files(1), entry: 'prog.c', cacheDir });
    const again = await compileBpf({ files: files(1), entry: 'prog.c', cacheDir });
    const changed = await compileBpf({ files: files(2), entry: 'prog.c', cacheDir });
    expect([first.cached, again.cached, changed.cached]).toEqual([false, true, false]);
    expect(changed.objPath).not.toBe(first.objPath);
  });

  // A source that does not compile fails with clang's own diagnostic, file and line included.
  it('reports clang diagnostics in CompileError', async () => {
    const err = await compileBpf({
      sourcePath: join(BPF_FIXTURES, 'syntax_error.c'),
      cacheDir: fx.cacheDir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    const ce = err as CompileError;
    expect(ce.stderr).toMatch(/syntax_error\.c:9:\d+: error: expected ';' after return statement/);
    expect(ce.message).toMatch(/^compile .*syntax_error\.c: .*expected ';'/);
    expect(ce.exitCode).not.toBe(0);
  });

  // Source paths from a remote service may not escape the directory they are written to.
  it('rejects in-memory source paths that leave the source tree', async () => {
    await expect(
      compileBpf({ files: { '../x.c': '' }, entry: '../x.c', cacheDir: fx.cacheDir }),
    ).rejects.toThrow(/leaves the source tree/);
  });

  // Source received in memory compiles and loads like a file on disk, and -D values shape the maps.
  it('compiles in-memory sources whose defines reach the loaded maps', async () => {
    const res = await compileBpf({
      files: { 'probe.c': readFileSync(PROBE, 'utf8') },
      entry: 'probe.c',
      defines: { PROBE_MAX_COUNTERS: 32 },
      cacheDir: fx.cacheDir,
      werror: true,
    });
    const obj = loadObject({ objPath: res.objPath });
    try {
      expect(obj.name).toBe('probe');
      expect(obj.map('counter_by_ifindex').maxEntries).toBe(32);
    } finally {
      obj.close();
    }
  });
});
