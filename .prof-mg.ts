import { performance } from 'node:perf_hooks';
import { buildMaglevTable } from './src/lbrp/maglev/maglev-table';
for (const n of [3, 100, 1000, 1200]) {
  const b = Array.from({ length: n }, (_, i) => ({ id: `10.1.${i >> 8}.${i & 255}`, weight: 1 }));
  const M = n <= 4 ? 401 : 131071;
  buildMaglevTable(b, M);
  const t = performance.now();
  for (let i = 0; i < 50; i++) buildMaglevTable(b, M);
  console.log(n, M, ((performance.now() - t) / 50).toFixed(2), 'ms');
}
