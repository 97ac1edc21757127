import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { LbrpStack } from '../../test/fixtures/lbrp/e2e-stack';
import { TestNet } from '../../test/fixtures/netns';

function get(agent: http.Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
async function main(): Promise<void> {
  const net = new TestNet();
  const v = net.addVeth();
  if (process.env.PROF) process.env.NODE_OPTIONS = '--cpu-prof --cpu-prof-dir=/tmp/getprof';
  const s = new LbrpStack();
  await s.start();
  delete process.env.NODE_OPTIONS;
  try {
    await s.ok('POST', 'lbrp/gp0/', {
      ports: [{ name: 'fe', type: 'FRONTEND', peer: v.a }, { name: 'be', type: 'BACKEND', peer: v.b }],
      service: [{ vip: '10.0.0.1', vport: 80, proto: 'TCP', backend: [1, 2, 3].map((i) => ({ ip: `10.1.0.${i}`, port: 80, weight: 1 })) }],
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const path of ['/polycube/v1/lbrp/gp0/type/', '/polycube/v1/lbrp/gp0/service/10.0.0.1/80/TCP/backend/10.1.0.2/', '/polycube/v1/version/']) {
      for (let i = 0; i < 200; i++) await get(agent, s.port, path);
      const n = 3000;
      const t = performance.now();
      for (let i = 0; i < n; i++) if ((await get(agent, s.port, path)) !== 200) throw new Error(path);
      console.log(`${path}: ${Math.round((n * 1000) / (performance.now() - t))}/s`);
    }
    agent.destroy();
  } finally {
    await s.cleanup();
    net.cleanup();
  }
}
void main();
