import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { LbrpService } from './src/lbrp/service';
import { FakeHost } from './test/fixtures/lbrp/fake-host';
async function main() {
  const host = new FakeHost();
  host.addCube('lb0');
  const svc = new LbrpService(host, {});
  const key = (list: string, name: string, value: string) => ({ list, name, value });
  const svcKeys = [key('service', 'vip', '10.0.0.1'), key('service', 'vport', '80'), key('service', 'proto', 'TCP')];
  await svc.onConfig({ id: 1, op: 'CREATE', cube: 'lb0', path: '/lbrp', keys: [], body: { 'max-backends': 16384, 'maglev-slots': 1 << 20 }, isCollection: false } as any);
  await svc.onConfig({ op: 'CREATE', cube: 'lb0', path: '/lbrp/service', keys: svcKeys, body: { vip: '10.0.0.1', vport: 80, proto: 'TCP' }, isCollection: false } as any);
  const N = Number(process.argv[2] ?? 10000);
  const body = { backend: Array.from({ length: N }, (_, i) => ({ ip: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, port: 80 })) };
  const ses = new Session(); ses.connect(); await ses.post('Profiler.enable'); await ses.post('Profiler.start');
  const t = performance.now();
  const r = await svc.onConfig({ op: 'UPDATE', cube: 'lb0', path: '/lbrp/service', keys: svcKeys, body, isCollection: false } as any);
  console.log('patch', N, (performance.now() - t).toFixed(0), 'ms', JSON.stringify(r).slice(0, 200), host.writes);
  const { profile } = await ses.post('Profiler.stop'); writeFileSync('/tmp/sp/prof/patch/p.cpuprofile', JSON.stringify(profile));
  svc.stop();
}
main();
