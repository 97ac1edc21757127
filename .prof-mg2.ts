import { performance } from 'node:perf_hooks';
const M = 131071, n = 1000;
const taken = new Uint8Array(M); const next = new Int32Array(n); const skip = new Int32Array(n);
for (let k = 0; k < n; k++) { next[k] = (k * 7919) % M; skip[k] = ((k * 104729) % (M - 1)) + 1; }
let probes = 0;
const t = performance.now();
for (let r = 0; r < 10; r++) {
  taken.fill(0); probes = 0;
  for (let k = 0; k < n; k++) { next[k] = (k * 7919) % M; }
  for (let t2 = 0; t2 < M; t2++) {
    const k = t2 % n; const step = skip[k]; let slot = next[k];
    while (taken[slot] !== 0) { slot += step; if (slot >= M) slot -= M; probes++; }
    taken[slot] = 1; slot += step; next[k] = slot >= M ? slot - M : slot;
  }
}
console.log('probes', probes, ((performance.now() - t) / 10).toFixed(2), 'ms');
