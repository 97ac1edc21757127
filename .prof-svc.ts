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
  const r0 = await svc.onConfig({ id: 1, op: 'CREATE', cube: 'lb0', path: '/lbrp', keys: [], body: { 'max-backends': 16384, 'maglev-slots': 1 << 20 }, isCollection: false } as any);
  console.log('create', JSON.stringify(r0));
  await svc.onConfig({ op: 'CREATE', cube: 'lb0', path: '/lbrp/service', keys: svcKeys, body: { vip: '10.0.0.1', vport: 80, proto: 'TCP' }, isCollection: false } as any);
  const N = Number(process.argv[2] ?? 10000);
  const body = { backend: Array.from({ length: N }, (_, i) => ({ ip: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, port: 80 })) };
  let t = performance.now();
  const r = await svc.onConfig({ op: 'UPDATE', cube: 'lb0', path: '/lbrp/service', keys: svcKeys, body, isCollection: false } as any);
  console.log('patch', N, (performance.now() - t).toFixed(0), 'ms', JSON.stringify(r).slice(0, 200), host.writes);
  const ses = new Session(); ses.connect(); await ses.post('Profiler.enable'); await ses.post('Profiler.start');
  t = performance.now();
  for (let i = 0; i < 200; i++) {
    const ip = `10.200.0.${i}`;
    await svc.onConfig({ op: 'CREATE', cube: 'lb0', path: '/lbrp/service/backend', keys: [...svcKeys, key('backend', 'ip', ip)], body: { ip, port: 80 }, isCollection: false } as any);
  }
  const { profile } = await ses.post('Profiler.stop'); writeFileSync('/tmp/sp/prof/adds/add.cpuprofile', JSON.stringify(profile));
  console.log('200 single adds', ((performance.now() - t) / 200).toFixed(2), 'ms each');
  t = performance.now();
  const rr = await svc.onConfig({ op: 'READ', cube: 'lb0', path: '/lbrp/service', keys: svcKeys, isCollection: false } as any);
  console.log('read service', (performance.now() - t).toFixed(0), 'ms', JSON.stringify(rr).length);
  svc.stop();
}
main();
