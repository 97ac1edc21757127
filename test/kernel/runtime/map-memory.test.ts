// map-memory.ts against the kernel: every map type lbrp and the runtime use is created at a few
// sizes, and the computed cost is compared with the kernel's own figure (the `memlock` line of
// /proc/self/fdinfo/<fd>, which bpftool prints as bytes_memlock). Preallocated maps must match
// within MEMORY_TOLERANCE (test/fixtures/kernel-memory.ts); maps allocated on demand are compared empty (their cost when full is
// checked to be the larger one).

import { readFileSync } from 'node:fs';
import { createMap, numPossibleCpus, type MapSpec } from '../../../src/polycubed/runtime/bpf-map';
import { BpfMapType } from '../../../src/polycubed/runtime/bpf-types';
import { mapMemoryBytes } from '../../../src/polycubed/runtime/map-memory';
import { withinTolerance } from '../../fixtures/kernel-memory';
import { describeKernel } from './runtime-fixture';

/** The kernel's memlock figure of an open map fd (bpftool prints it as bytes_memlock). */
function memlockOfFd(fd: number): number {
  const m = /^memlock:\s+(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (!m) throw new Error(`no memlock line for fd ${fd}`);
  return Number(m[1]);
}

const NO_PREALLOC = 1;
const MMAPABLE = 1 << 10;

const PREALLOCATED: Array<[string, MapSpec]> = [
  ['array of u32', { name: 't_arr4', type: BpfMapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 262144 }],
  [
    'array of 320-byte buckets',
    { name: 't_arr320', type: BpfMapType.ARRAY, keySize: 4, valueSize: 320, maxEntries: 8192 },
  ],
  [
    'mmapable array (.bss)',
    { name: 't_mmap', type: BpfMapType.ARRAY, keySize: 4, valueSize: 100, maxEntries: 1, flags: MMAPABLE },
  ],
  [
    'per-CPU array',
    { name: 't_pcpu', type: BpfMapType.PERCPU_ARRAY, keySize: 4, valueSize: 24, maxEntries: 4096 },
  ],
  ['hash 8 → 16', { name: 't_hash', type: BpfMapType.HASH, keySize: 8, valueSize: 16, maxEntries: 1024 }],
  [
    'hash 4 → 2, not a power of two',
    { name: 't_hash2', type: BpfMapType.HASH, keySize: 4, valueSize: 2, maxEntries: 1000 },
  ],
  ['LRU hash', { name: 't_lru', type: BpfMapType.LRU_HASH, keySize: 16, valueSize: 20, maxEntries: 2048 }],
  [
    'per-CPU hash',
    { name: 't_pchash', type: BpfMapType.PERCPU_HASH, keySize: 8, valueSize: 16, maxEntries: 512 },
  ],
  [
    'ring buffer 64 KiB',
    { name: 't_ring', type: BpfMapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 65536 },
  ],
  [
    'ring buffer 256 KiB',
    { name: 't_ring2', type: BpfMapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 262144 },
  ],
];

describeKernel('kernel: map memory (computed vs the kernel memlock figure)', () => {
  const cpus = numPossibleCpus();

  it.each(PREALLOCATED)('%s: computed = kernel memlock within the tolerance', (_name, spec) => {
    const map = createMap(spec);
    try {
      const kernel = memlockOfFd(map.fd);
      const computed = mapMemoryBytes({ flags: 0, ...spec }, cpus);
      expect({ computed, kernel, within: withinTolerance(computed, kernel) }).toMatchObject({ within: true });
    } finally {
      map.close();
    }
  });

  // Maps allocated on demand start at their fixed part; the computed cost is their cost when full.
  it('charges maps allocated on demand (hash without prealloc, LPM trie) at their full size', () => {
    const specs: MapSpec[] = [
      {
        name: 't_np',
        type: BpfMapType.HASH,
        keySize: 8,
        valueSize: 12,
        maxEntries: 4096,
        flags: NO_PREALLOC,
      },
      {
        name: 't_lpm',
        type: BpfMapType.LPM_TRIE,
        keySize: 8,
        valueSize: 12,
        maxEntries: 16,
        flags: NO_PREALLOC,
      },
    ];
    for (const spec of specs) {
      const map = createMap(spec);
      try {
        const empty = memlockOfFd(map.fd);
        const full = mapMemoryBytes({ flags: 0, ...spec }, cpus);
        expect(full).toBeGreaterThan(empty);
        for (let i = 0; i < spec.maxEntries; i++) {
          const key = Buffer.alloc(spec.keySize);
          if (spec.type === BpfMapType.LPM_TRIE) key.writeUInt32LE(32, 0);
          key.writeUInt32BE(i, 4);
          map.update(key, Buffer.alloc(spec.valueSize));
        }
        const filled = memlockOfFd(map.fd);
        expect({ full, filled, within: withinTolerance(full, filled) }).toMatchObject({ within: true });
      } finally {
        map.close();
      }
    }
  });
});
