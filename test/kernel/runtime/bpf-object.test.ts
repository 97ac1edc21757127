// Kernel-runtime tests for loadObject: programs and maps of a loaded object, map resizing,
// pinned maps surviving a reload (and what happens when their shape changed), verifier
// rejections carrying the log, and failures that leave nothing pinned.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadObject, LoadedObject, unpinAll } from '../../../src/polycubed/runtime/bpf-object';
import { BpfMapType, BpfProgType } from '../../../src/polycubed/runtime/bpf-types';
import { KernelError, VerifierError } from '../../../src/polycubed/runtime/kernel-error';
import { describeKernel, RuntimeFixture } from './runtime-fixture';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

describeKernel('kernel: bpf-object', () => {
  const fx = new RuntimeFixture();
  let probe: string;
  let reject: string;
  const loaded: LoadedObject[] = [];
  const load = (opts: Omit<Parameters<typeof loadObject>[0], 'objPath'>): LoadedObject => {
    const obj = loadObject({ objPath: probe, ...opts });
    loaded.push(obj);
    return obj;
  };

  beforeAll(async () => {
    probe = await fx.compile('runtime_probe');
    reject = await fx.compile('verifier_reject');
  });
  afterAll(() => {
    loaded.forEach((o) => o.close());
    fx.cleanup();
  });

  // A loaded object exposes each program with its hook type and each map with the shape declared in C.
  it('exposes programs and maps with their kernel types and shapes', () => {
    const obj = load({});
    expect(obj.name).toBe('runtime_probe');
    expect(obj.programs().map((p) => [p.name, p.type])).toEqual([
      ['tc_probe', BpfProgType.SCHED_CLS],
      ['xdp_probe', BpfProgType.XDP],
    ]);
    expect(obj.program('tc_probe').id()).toBeGreaterThan(0);
    const shape = (name: string): number[] => {
      const m = obj.map(name);
      return [m.type, m.keySize, m.valueSize, m.maxEntries, m.flags];
    };
    expect(shape('verdict_by_slot')).toEqual([BpfMapType.ARRAY, 4, 4, 4, 0]);
    expect(shape('counter_by_ifindex')).toEqual([BpfMapType.HASH, 4, 8, 64, 0]);
    expect(shape('hits_per_cpu')).toEqual([BpfMapType.PERCPU_ARRAY, 4, 8, 2, 0]);
    expect(shape('verdict_by_prefix')).toEqual([BpfMapType.LPM_TRIE, 8, 4, 16, 1]);
    expect(shape('probe_events')).toEqual([BpfMapType.RINGBUF, 0, 0, 4096, 0]);
    expect(() => obj.map('nope')).toThrow(/has no map nope \(has: .*verdict_by_slot/);
    expect(() => obj.program('nope')).toThrow(/has no program nope/);
  });

  // max_entries overrides resize maps before load; naming a map that does not exist is an error.
  it('resizes maps named in mapOverrides and rejects unknown names', () => {
    const obj = load({ mapOverrides: { counter_by_ifindex: 1000 } });
    expect(obj.map('counter_by_ifindex').maxEntries).toBe(1000);
    expect(() => loadObject({ objPath: probe, mapOverrides: { no_such_map: 1 } })).toThrow(
      /unknown maps: no_such_map/,
    );
  });

  // Unknown .rodata constants are refused before anything reaches the kernel.
  it('rejects constants that are not const volatile globals of the object', () => {
    expect(() => loadObject({ objPath: probe, constants: { not_a_global: 1 } })).toThrow(
      /no const volatile not_a_global/,
    );
    expect(() => loadObject({ objPath: probe, constants: { mark_byte: 300 } })).toThrow(
      /300 does not fit 1 bytes/,
    );
  });

  // Reloading with the same pin directory reuses every pinned map, so entries written before the reload are still there.
  it('keeps map contents across close and reload through pins', () => {
    const pinDir = fx.pinDir();
    const first = load({ pinDir });
    expect(first.reusedMaps).toEqual([]);
    first.map('verdict_by_slot').update(u32(0), u32(2));
    first.map('counter_by_ifindex').update(u32(7), u64(77));
    const ids = first.maps().map((m) => [m.name, m.id()]);
    first.close();

    expect(readdirSync(pinDir).sort()).toEqual(
      ['counter_by_ifindex', 'hits_per_cpu', 'probe_events', 'verdict_by_prefix', 'verdict_by_slot'].sort(),
    );
    const second = load({ pinDir });
    expect([...second.reusedMaps].sort()).toEqual(readdirSync(pinDir).sort());
    expect(second.map('verdict_by_slot').lookup(u32(0))).toEqual(u32(2));
    expect(second.map('counter_by_ifindex').lookup(u32(7))).toEqual(u64(77));
    const pinnedIds = new Map(ids.filter(([n]) => !String(n).includes('.')) as [string, number][]);
    for (const [name, id] of pinnedIds) expect([name, second.map(name).id()]).toEqual([name, id]);
  });

  // A pinned map whose shape no longer matches the program is refused, unless replacement is asked for.
  it('refuses an incompatible pinned map unless told to replace it', () => {
    const pinDir = fx.pinDir();
    load({ pinDir }).map('verdict_by_slot').update(u32(1), u32(5));
    let err: unknown;
    try {
      loadObject({ objPath: probe, pinDir, mapOverrides: { counter_by_ifindex: 128 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect((err as Error).message).toBe(
      `map reuse counter_by_ifindex: EINVAL (pinned map at ${join(pinDir, 'counter_by_ifindex')} differs: maxEntries 64 pinned, 128 wanted)`,
    );
    const replaced = load({
      pinDir,
      mapOverrides: { counter_by_ifindex: 128 },
      replaceIncompatiblePins: true,
    });
    expect(replaced.map('counter_by_ifindex').maxEntries).toBe(128);
    expect(replaced.reusedMaps).not.toContain('counter_by_ifindex');
    expect(replaced.map('verdict_by_slot').lookup(u32(1))).toEqual(u32(5));
  });

  // A verifier rejection carries the verifier's full log and the failing program, and leaves no pin behind.
  it('throws VerifierError with the verifier log and unpins what the failed load pinned', () => {
    const pinDir = fx.pinDir();
    let err: unknown;
    try {
      loadObject({ objPath: reject, pinDir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    const ve = err as VerifierError;
    expect(ve.program).toBe('tc_unchecked');
    expect(ve.code).toBe('EACCES');
    expect(ve.log).toContain('invalid access to packet');
    expect(ve.log).toMatch(/verifier_reject\.c:\d+/); // BTF line info: the log points at the C source
    expect(ve.message).toMatch(
      /^program load verifier_reject\/tc_unchecked: EACCES \(verifier: .*outside of the packet\)$/,
    );
    expect(readdirSync(pinDir)).toEqual([]);
  });

  // Objects can be loaded from bytes in memory as well as from a file.
  it('loads an object from a buffer', () => {
    const obj = loadObject({ objBuffer: readFileSync(probe), objectName: 'from_mem' });
    loaded.push(obj);
    expect(obj.name).toBe('from_mem');
    expect(obj.program('xdp_probe').type).toBe(BpfProgType.XDP);
  });

  // A missing object file is a KernelError naming the path and ENOENT.
  it('reports a missing object file as ENOENT', () => {
    expect(() => loadObject({ objPath: '/nonexistent/x.o' })).toThrow(
      /^object open \/nonexistent\/x\.o: ENOENT/,
    );
  });

  // Programs can be pinned, and pinning again at the same path replaces the pin.
  it('pins programs, replacing an existing pin', () => {
    const dir = fx.pinDir();
    const obj = load({});
    const path = join(dir, 'progs', 'tc_probe');
    obj.program('tc_probe').pin(path);
    obj.program('tc_probe').pin(path);
    expect(existsSync(path)).toBe(true);
    unpinAll(dir);
    expect(existsSync(dir)).toBe(false);
  });

  // After close, maps of the object refuse use instead of touching recycled fds.
  it('closes every fd it owns', () => {
    const obj = loadObject({ objPath: probe });
    const map = obj.map('verdict_by_slot');
    obj.close();
    obj.close();
    expect(() => map.lookup(u32(0))).toThrow(/is closed/);
  });
});
