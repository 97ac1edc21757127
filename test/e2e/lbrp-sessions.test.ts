// Sessions end to end (TC, SINGLE), driven through the REST API: 1,000 new connections spread
// over weighted backends in proportion to the weights, and one open TCP connection that keeps
// flowing while other backends are added and removed, its weight changes, its own backend is
// drained (new connections avoid it), and the lbrp service and then polycubed are restarted;
// sessions through a backend address only one service uses leave no `reverse_nat` entry (the
// control plane's backend_to_vip entries and F_BACKEND_UNIQUE flags), until a second service
// shares the address. Each test creates the services it uses; afterEach deletes them all, so no
// test depends on another's state (only the cube and its ports are shared).

import { execFileSync } from 'node:child_process';
import { SESSION_FORWARD, SESSION_REVERSE } from '../../src/lbrp/dataplane/map-layouts';
import { sessionEntries } from '../../src/lbrp/dataplane/session-table';
import { BpfMap, numPossibleCpus } from '../../src/polycubed/runtime/bpf-map';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { singleCubeSuite } from '../fixtures/lbrp/single-cube';
import { LbrpStack, waitFor, type Child } from '../fixtures/lbrp/e2e-stack';
import { chiSquarePValue } from '../fixtures/chi-square';
import { nodeIn, spreadFlows, streamAdvances, streamScript, type LbNet } from '../fixtures/lbrp/e2e-net';

const VIP = '10.10.0.100';
/** A second VIP, for a service that shares a backend address with one on VIP. */
const VIP2 = '10.10.0.101';
const CUBE = 'lbsess';

/** The backend a new connection to the hello-echo service at vip:9000 lands on. */
async function helloOf(ns: string, vip: string): Promise<string> {
  const out = await nodeIn(
    ns,
    `const c=require('net').connect(9000,'${vip}');c.setTimeout(10000,()=>{console.error('timeout');process.exit(1);});
c.on('data',d=>{process.stdout.write(d.toString().split('\\n')[0].replace('hello ',''));c.destroy();});c.on('error',e=>{console.error(e.message);process.exit(1);});`,
  );
  return out.trim();
}

/** Entries of one of the cube's pinned maps; conntrack / reverse_nat: entries of that kind in the
 * pinned session table. */
function pinnedCount(stack: LbrpStack, map: string): number {
  const kinds: Record<string, number> = { conntrack: SESSION_FORWARD, reverse_nat: SESSION_REVERSE };
  const name = map in kinds ? 'sessions' : map;
  const found = execFileSync('find', [stack.pinRoot, '-path', `*${CUBE}*`, '-name', name])
    .toString()
    .trim();
  const path = found.split('\n')[0];
  if (!path) throw new Error(`no pinned map ${name} of ${CUBE} under ${stack.pinRoot}`);
  const m = BpfMap.fromPinned(path);
  try {
    const entries = m.dump();
    return map in kinds
      ? sessionEntries(
          entries.map(([, v]) => v),
          kinds[map],
        ).length
      : entries.length;
  } finally {
    m.close();
  }
}

describeE2e('e2e: lbrp sessions', () => {
  // Every test starts from the cube with its ports and no service.
  const suite = singleCubeSuite(CUBE);
  const { stack } = suite;
  let lb: LbNet;
  beforeAll(() => {
    lb = suite.lb;
  });
  const svc = `lbrp/${CUBE}/service/${VIP}`;

  // Weights 1:2:3 → shares 1/6, 2/6, 3/6. The flow hash is keyed by the cube's random secret, so
  // the spread differs per run: it is judged by chi-square (a correct spread fails once in 10⁶
  // runs; equal shares instead of 1:2:3 give p < 10⁻³⁰). A 5-tuple the client kernel used twice
  // (a reused source port) is one sample: the hash sends it to the same backend again.
  it('spreads 1,000 new connections over weighted backends in proportion to the weights', async () => {
    await stack.ok('POST', `${svc}/80/TCP/`, {
      backend: lb.backends.map((b, i) => ({ ip: b.ip, port: 8080, weight: i + 1 })),
    });
    const before = pinnedCount(stack, 'conntrack');
    const { counts, flows } = await spreadFlows(lb.clients[0].ns, VIP, 80, 1000);
    expect(counts.error ?? 0).toBe(0);
    expect(flows).toHaveLength(1000);
    const tuples = new Map(flows.map((f) => [f.sport, f.backend]));
    const observed = lb.backends.map((b) => [...tuples.values()].filter((name) => name === b.name).length);
    const p = chiSquarePValue(
      observed,
      lb.backends.map((_, i) => i + 1),
    );
    if (p < 1e-6) throw new Error(`spread ${JSON.stringify(observed)} is not 1:2:3 (chi-square p = ${p})`);
    // Every connection opened a session on the backend that answered it, so each backend's
    // total-sessions equals its answers (read from the kernel at most once a second: poll). The
    // client kernel may reuse a source port of a closed connection (more often when other tests
    // open connections meanwhile: the port offsets are per host): its SYN starts a new session in
    // the same conntrack entry, so the entries (this cube's first) are the distinct source ports.
    const want = lb.backends.map((b) => counts[b.name] ?? 0);
    expect(pinnedCount(stack, 'conntrack') - before).toBe(tuples.size);
    await waitFor(
      async () => {
        const web = (await stack.ok('GET', `${svc}/80/tcp/`)) as { backend: Array<Record<string, number>> };
        return web.backend.every((b, i) => b['total-sessions'] === want[i]);
      },
      `backend total-sessions ${JSON.stringify(want)}`,
      30000,
    );
  }, 120000);

  // One connection, many changes: it never breaks, and draining its backend only stops new ones.
  it('keeps an open TCP connection through backend changes, a drain and restarts of lbrp and polycubed', async () => {
    const [b1, b2, b3] = lb.backends;
    // A second service beside the stream's, so the restarts resync more than one.
    await stack.ok('POST', `${svc}/80/TCP/`, { backend: lb.backends.map((b) => ({ ip: b.ip, port: 8080 })) });
    await stack.ok('POST', `${svc}/9000/TCP/`, { backend: [b1, b2].map((b) => ({ ip: b.ip, port: 9000 })) });
    const stream: Child = stack.spawn([
      'ip',
      'netns',
      'exec',
      lb.clients[0].ns,
      process.execPath,
      '-e',
      streamScript(VIP, 9000),
    ]);
    const own = (await stream.waitLine(/^hello b\d$/, 30000)).replace('hello ', '');
    const ownB = lb.backends.find((b) => b.name === own);
    const other = own === 'b1' ? b2 : b1;
    if (!ownB) throw new Error(`unexpected backend ${own}`);
    await streamAdvances(stream);
    const backend = (ip: string) => `${svc}/9000/TCP/backend/${ip}/`;

    await stack.ok('POST', backend(b3.ip), { port: 9000 }); // another backend comes
    await streamAdvances(stream);
    await stack.ok('DELETE', backend(other.ip)); // another backend goes
    await streamAdvances(stream);
    await stack.ok('PATCH', `${backend(ownB.ip)}weight/`, 5); // its weight changes
    await streamAdvances(stream);
    await stack.ok('PATCH', `${backend(ownB.ip)}weight/`, 0); // its backend is drained
    await streamAdvances(stream);
    for (let i = 0; i < 20; i++) expect(await helloOf(lb.clients[0].ns, VIP)).not.toBe(own);

    await stack.stopLbrp('SIGKILL'); // the lbrp service dies and comes back
    await streamAdvances(stream);
    await stack.startLbrp();
    // The new service rebuilt its state from polycubed's Resync and the maps: nothing rewritten.
    await stack.lbrp?.waitLine(new RegExp(`cube ${CUBE}: resynced, 2 services, 0 map writes`), 60000);
    expect(await stack.ok('GET', `${backend(ownB.ip)}weight/`)).toBe(0);
    await streamAdvances(stream);

    await stack.stopPolycubed('SIGTERM'); // polycubed stops and comes back
    await streamAdvances(stream);
    const seen = stack.lbrp?.lines.length ?? 0;
    await stack.startPolycubed();
    await stack.lbrp?.waitLine(new RegExp(`cube ${CUBE}: resynced, 2 services, 0 map writes`), 60000, seen);
    await waitFor(
      async () => (await stack.rest('GET', `${backend(ownB.ip)}weight/`)).status === 200,
      'lbrp back',
      60000,
    );
    await streamAdvances(stream);
    expect(await helloOf(lb.clients[0].ns, VIP)).not.toBe(own);
    expect(stream.lines.filter((l) => l.startsWith('hello'))).toHaveLength(1);
    expect(stream.lines.some((l) => l.startsWith('lost'))).toBe(false);
  }, 180000);

  // Three backend addresses that serve one service each: new sessions work and add no reverse
  // entry, with one backend_to_vip entry per address naming the service. When a second service
  // (another VIP) takes one of them, the address is shared: its flag is cleared and sessions to
  // the second VIP through it get a reverse entry each.
  it('opens real TCP sessions through unique backends without reverse_nat entries', async () => {
    const ns = lb.clients[0].ns;
    const [, , b3] = lb.backends;
    await stack.ok('POST', `${svc}/9000/TCP/`, {
      backend: lb.backends.map((b) => ({ ip: b.ip, port: 9000 })),
    });
    expect(pinnedCount(stack, 'backend_to_vip')).toBe(3);
    const reverse = pinnedCount(stack, 'reverse_nat');
    const sessions = pinnedCount(stack, 'conntrack');
    for (let i = 0; i < 5; i++) expect(await helloOf(ns, VIP)).toMatch(/^b\d$/);
    expect(pinnedCount(stack, 'conntrack')).toBeGreaterThan(sessions);
    expect(pinnedCount(stack, 'reverse_nat')).toBe(reverse);

    // The second service, on VIP2, takes b3:9000 only: the entry keeps naming the first service.
    await stack.ok('POST', `lbrp/${CUBE}/service/${VIP2}/9000/TCP/`, {
      backend: [{ ip: b3.ip, port: 9000 }],
    });
    expect(pinnedCount(stack, 'backend_to_vip')).toBe(3);
    const landed = new Set<string>();
    for (let i = 0; i < 5; i++) landed.add(await helloOf(ns, VIP2));
    expect([...landed]).toEqual([b3.name]);
    expect(pinnedCount(stack, 'reverse_nat')).toBe(reverse + 5);
  }, 60000);

  // Flows refused by the admission limit get no entry: with sessionless-reply-nat their
  // replies come back from the VIP anyway (stateless, through backend_to_vip); without it they
  // leave untranslated (as traffic to a backend reached directly would), and a client's connected
  // socket never sees them.
  it('answers flows refused by admission only with sessionless-reply-nat', async () => {
    await stack.ok('POST', `${svc}/53/UDP/`, { backend: lb.backends.map((b) => ({ ip: b.ip, port: 5353 })) });
    const cube = `lbrp/${CUBE}/`;
    const FLOWS = 80;
    // FLOWS connected sockets (one source port each) ask once; how many got an answer from the VIP.
    const answered = async (): Promise<number> =>
      Number(
        await nodeIn(
          lb.clients[0].ns,
          `const d=require('dgram');let got=0,left=${FLOWS};const done=()=>{if(--left===0){process.stdout.write(String(got));process.exit(0);}};
for(let i=0;i<${FLOWS};i++){const s=d.createSocket('udp4');const t=setTimeout(()=>{s.close();done();},3000);
s.on('message',()=>{clearTimeout(t);got++;s.close();done();});s.connect(53,'${VIP}',()=>s.send('q'));}`,
        ),
      );
    const refused = async (): Promise<number> =>
      Number(((await stack.ok('GET', cube)) as Record<string, number>)['admissions-refused']);
    try {
      // One new session per second per CPU, in a bucket of 16 (the least burst): on 2 CPUs about
      // 32 of the flows below get an entry, the rest are refused.
      await stack.ok('PATCH', cube, { 'new-sessions-per-cpu': 1 });
      const before = await refused();
      const without = await answered();
      expect(without).toBeLessThanOrEqual(16 * numPossibleCpus() + 8);
      await waitFor(
        async () => (await refused()) >= before + FLOWS - without,
        'admissions-refused counted',
        10000,
      );
      await stack.ok('PATCH', `${cube}sessionless-reply-nat/`, true);
      expect(await answered()).toBe(FLOWS);
    } finally {
      await stack.ok('PATCH', cube, {
        'new-sessions-per-cpu': 100000,
        'sessionless-reply-nat': false,
      });
    }
  }, 60000);
});
