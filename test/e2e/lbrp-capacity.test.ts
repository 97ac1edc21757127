// Capacity against the kernel, through the REST API: one cube takes 10,000 services (sent as ten
// PATCHes of the service list) and the last of them carries traffic; one service takes 1,000
// backends, and 3,000 new UDP flows to it spread over (nearly) all of them, as the counters show.
// The cube's init-only size leaves make the room (the defaults hold 1,024 services).

import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, waitFor } from '../fixtures/lbrp/e2e-stack';
import { buildLbNet, httpGet, nodeIn, startServers, type LbNet } from '../fixtures/lbrp/e2e-net';

const CUBE = 'lbcap';
/** The i-th VIP of 10.128.0.0/9. */
const vipOf = (i: number): string => `10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const BIG_VIP = '10.20.0.1';

describeE2e('e2e: lbrp capacity', () => {
  const stack = new LbrpStack();
  let lb: LbNet;

  beforeAll(async () => {
    lb = buildLbNet();
    await stack.start();
    await startServers(lb, (argv) => stack.spawn(argv));
    await stack.ok('POST', `lbrp/${CUBE}/`, {
      // 10,000 one-backend services (2 slots each) and one 1,000-backend service (131071 slots).
      'max-services': 16384,
      'max-backends': 16384,
      'maglev-slots': 262144,
      ports: [
        { name: 'fe', type: 'FRONTEND', peer: lb.clients[0].dev },
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
    });
  }, 120000);

  afterAll(async () => {
    await stack.cleanup();
    lb?.net.cleanup();
  });

  // 10,000 TCP services, each with one of the three real backends; the last one answers.
  it('holds 10,000 services in one cube', async () => {
    for (let chunk = 0; chunk < 10; chunk++) {
      const services = Array.from({ length: 1000 }, (_, k) => {
        const i = chunk * 1000 + k;
        return {
          vip: vipOf(i),
          vport: 80,
          proto: 'TCP',
          backend: [{ ip: lb.backends[i % 3].ip, port: 8080 }],
        };
      });
      await stack.ok('PATCH', `lbrp/${CUBE}/service/`, services);
    }
    const listed = (await stack.ok('GET', `lbrp/${CUBE}/service/`)) as unknown[];
    expect(listed.filter((e) => !Array.isArray(e))).toHaveLength(10000);
    expect(await httpGet(lb.clients[0].ns, vipOf(9999), 80)).toBe(`b${(9999 % 3) + 1} ${lb.clients[0].ip}`);
    expect(await httpGet(lb.clients[0].ns, vipOf(5000), 80)).toBe(`b${(5000 % 3) + 1} ${lb.clients[0].ip}`);
  }, 300000);

  // 1,000 backends (addresses nobody answers for: only the DNAT counts); 3,000 new UDP flows.
  it('holds 1,000 backends in one service and spreads flows over them', async () => {
    const backend = Array.from({ length: 1000 }, (_, i) => ({
      ip: `172.20.${i >> 8}.${i & 255}`,
      port: 5353,
    }));
    await stack.ok('POST', `lbrp/${CUBE}/service/${BIG_VIP}/53/UDP/`, { backend });
    await nodeIn(
      lb.clients[0].ns,
      // One datagram from each of 3,000 distinct source ports: 3,000 distinct flows.
      `const dgram=require('dgram');let next=0;function one(){const i=next++;if(i>=3000)return;const s=dgram.createSocket('udp4');
s.bind(20000+i,()=>s.send('x',53,'${BIG_VIP}',()=>{s.close();setImmediate(one);}));}for(let k=0;k<8;k++)one();`,
      60000,
    );
    type Svc = { 'total-sessions': number; backend: Array<Record<string, number>> };
    const path = `lbrp/${CUBE}/service/${BIG_VIP}/53/udp/`;
    // Counters are read from the kernel at most once a second: poll until all flows are counted.
    const svc = await waitFor(
      async () => {
        const v = (await stack.ok('GET', path)) as Svc;
        return v['total-sessions'] >= 3000 ? v : undefined;
      },
      '3000 sessions counted',
      15000,
    );
    expect(svc.backend).toHaveLength(1000);
    expect(svc['total-sessions']).toBe(3000);
    const used = svc.backend.filter((b) => b['total-sessions'] > 0).length;
    expect(used).toBeGreaterThan(900); // ~950 expected: 1000 × (1 − e^−3)
  }, 180000);
});
