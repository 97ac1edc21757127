// Identical decisions on several nodes (issue 16): three independent daemons (own polycubed and
// lbrp service, pin root, state file) get the same configuration in three different orders —
// one POST; services and backends one by one in reverse with an extra backend and service
// added and removed (so kernel backend ids and slot bases differ); weights patched afterwards.
// Their pinned Maglev tables, resolved to backend addresses, must be byte-identical, also after
// a node restarts; and the same SYNs, run through each node's pinned program with
// BPF_PROG_TEST_RUN, must be DNATed to the same backend on every node.

import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { libbpf, libc } from '../../src/polycubed/runtime/libbpf-ffi';
import { buildSkbCtx, testRun } from '../../src/polycubed/runtime/prog-test-run';
import { readTableSnapshot, snapshotBytes } from '../../src/cluster/table-snapshot';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack } from '../fixtures/lbrp/e2e-stack';
import { TestNet } from '../fixtures/netns';
import { tcp, udp } from '../fixtures/packets';

const CUBE = `clid${randomInt(1000, 9999)}`;
const VIP1 = '10.77.0.100';
const VIP2 = '10.77.0.101';

interface Svc {
  vip: string;
  vport: number;
  proto: string;
  backends: Array<{ ip: string; port: number; weight: number }>;
}

const SERVICES: Svc[] = [
  {
    vip: VIP1,
    vport: 80,
    proto: 'TCP',
    backends: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.78.0.${i}`, port: 8080, weight: i === 2 ? 3 : 1 })),
  },
  {
    vip: VIP1,
    vport: 53,
    proto: 'UDP',
    backends: [3, 6, 7].map((i) => ({ ip: `10.78.0.${i}`, port: 5353, weight: 1 })),
  },
  {
    vip: VIP2,
    vport: 443,
    proto: 'TCP',
    backends: [8, 9, 10, 11].map((i) => ({ ip: `10.78.0.${i}`, port: 8443, weight: i })),
  },
];

const svcPath = (s: Pick<Svc, 'vip' | 'vport' | 'proto'>) =>
  `lbrp/${CUBE}/service/${s.vip}/${s.vport}/${s.proto}/`;

interface Node {
  stack: LbrpStack;
  fe: string;
  be: string;
}

/** Node 0: the whole cube in one POST. */
async function applyAtOnce(n: Node): Promise<void> {
  await n.stack.ok('POST', `lbrp/${CUBE}/`, {
    ports: [
      { name: 'fe', type: 'FRONTEND', peer: n.fe },
      { name: 'be', type: 'BACKEND', peer: n.be },
    ],
    service: SERVICES.map((s) => ({ vip: s.vip, vport: s.vport, proto: s.proto, backend: s.backends })),
  });
}

/** Node 1: reverse order, one request per object, with a transient service and backend. */
async function applyReversed(n: Node): Promise<void> {
  const s = n.stack;
  await s.ok('POST', `lbrp/${CUBE}/`, {});
  await s.ok('POST', `lbrp/${CUBE}/ports/be/`, { type: 'BACKEND', peer: n.be });
  await s.ok('POST', `lbrp/${CUBE}/ports/fe/`, { type: 'FRONTEND', peer: n.fe });
  const extra = { vip: '10.77.0.199', vport: 8000, proto: 'TCP' };
  await s.ok('POST', svcPath(extra), { backend: [{ ip: '10.78.0.99', port: 1, weight: 1 }] });
  for (const svc of [...SERVICES].reverse()) {
    await s.ok('POST', svcPath(svc), {});
    await s.ok('POST', `${svcPath(svc)}backend/10.78.0.98/`, { port: 9, weight: 5 });
    for (const b of [...svc.backends].reverse())
      await s.ok('POST', `${svcPath(svc)}backend/${b.ip}/`, { port: b.port, weight: b.weight });
    await s.ok('DELETE', `${svcPath(svc)}backend/10.78.0.98/`);
  }
  await s.ok('DELETE', svcPath(extra));
}

/** Node 2: backends first with weight 1 in a shuffled order, weights patched afterwards. */
async function applyThenReweigh(n: Node): Promise<void> {
  const s = n.stack;
  await s.ok('POST', `lbrp/${CUBE}/`, {
    ports: [
      { name: 'be', type: 'BACKEND', peer: n.be },
      { name: 'fe', type: 'FRONTEND', peer: n.fe },
    ],
  });
  for (const svc of [SERVICES[2], SERVICES[0], SERVICES[1]]) {
    const order = [...svc.backends].sort((a, b) => (a.ip < b.ip ? 1 : -1));
    await s.ok('POST', svcPath(svc), { backend: order.map((b) => ({ ...b, weight: 1 })) });
  }
  for (const svc of SERVICES)
    for (const b of svc.backends)
      if (b.weight !== 1) await s.ok('PATCH', `${svcPath(svc)}backend/${b.ip}/`, { weight: b.weight });
}

/** The DNAT target (ip:port) a node's program gives to `frame`, or the verdict when untranslated. */
function decide(n: Node, ifindex: number, frame: Buffer): string {
  const fd = libbpf.bpf_obj_get(join(n.stack.pinRoot, CUBE, 'prog'));
  if (fd < 0) throw new Error(`cannot open ${CUBE}'s pinned program on ${n.fe}`);
  try {
    const r = testRun(fd, { data: frame, ctxIn: buildSkbCtx({ ifindex, ingressIfindex: ifindex }) });
    const ip = r.data.subarray(30, 34).join('.');
    return `${ip}:${r.data.readUInt16BE(36)}`;
  } finally {
    libc.close(fd);
  }
}

describeE2e('e2e: cluster nodes decide identically', () => {
  const net = new TestNet();
  const nodes: Node[] = [];
  const mapsDir = (n: Node) => join(n.stack.pinRoot, CUBE, 'maps');

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const fe = net.addVeth();
      const be = net.addVeth();
      const stack = new LbrpStack();
      nodes.push({ stack, fe: fe.a, be: be.a });
      await stack.start();
    }
    await applyAtOnce(nodes[0]);
    await applyReversed(nodes[1]);
    await applyThenReweigh(nodes[2]);
  }, 240000);

  afterAll(async () => {
    for (const n of nodes) {
      await n.stack.rest('DELETE', `lbrp/${CUBE}/`).catch(() => undefined);
      await n.stack.cleanup();
    }
    net.cleanup();
  });

  it('pins byte-identical Maglev tables (resolved to backend addresses) on every node', () => {
    const snaps = nodes.map((n) => readTableSnapshot(mapsDir(n)));
    expect(snaps[0].map((s) => `${s.key} ${s.tableSize}`)).toEqual([
      `${VIP1}:53/17 401`,
      `${VIP1}:80/6 4001`,
      `${VIP2}:443/6 401`,
    ]);
    // Every backend owns slots in proportion to its weight (the tables are real, not empty).
    const owners = new Set<string>();
    for (const s of snaps[0])
      for (let i = 0; i < s.tableSize; i++) owners.add(s.slots.subarray(i * 7, i * 7 + 4).join('.'));
    expect(owners.size).toBe(11);
    const bytes = snaps.map(snapshotBytes);
    expect(bytes[1].equals(bytes[0])).toBe(true);
    expect(bytes[2].equals(bytes[0])).toBe(true);
  });

  it('sends the same flows to the same backends on every node (BPF_PROG_TEST_RUN)', () => {
    const frames: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const src = `10.79.${i % 7}.${1 + (i % 250)}`;
      const sport = 1024 + ((i * 7919) % 60000);
      if (i % 3 === 0) frames.push(tcp(src, VIP1, 80, { sport, syn: true }));
      else if (i % 3 === 1) frames.push(udp(src, VIP1, 53, { sport }));
      else frames.push(tcp(src, VIP2, 443, { sport, syn: true }));
    }
    const picks = nodes.map((n) => {
      const ifindex = net.ifindex(undefined, n.fe);
      return frames.map((f) => decide(n, ifindex, f));
    });
    // The packets really were translated, and spread over several backends.
    expect(picks[0].every((p) => p.startsWith('10.78.0.'))).toBe(true);
    expect(new Set(picks[0]).size).toBeGreaterThanOrEqual(10);
    expect(picks[1]).toEqual(picks[0]);
    expect(picks[2]).toEqual(picks[0]);
  });

  it('keeps the same tables across a restart of both daemons of a node', async () => {
    const before = snapshotBytes(readTableSnapshot(mapsDir(nodes[1])));
    const s = nodes[1].stack;
    await s.stopLbrp();
    await s.stopPolycubed();
    await expect(s.rest('GET', 'lbrp/')).rejects.toThrow();
    await s.startPolycubed();
    await s.startLbrp();
    // A configuration change after the restart, undone: the service re-derives its tables.
    await s.ok('POST', `${svcPath(SERVICES[0])}backend/10.78.0.97/`, { port: 1, weight: 1 });
    await s.ok('DELETE', `${svcPath(SERVICES[0])}backend/10.78.0.97/`);
    const after = snapshotBytes(readTableSnapshot(mapsDir(nodes[1])));
    expect(after.equals(before)).toBe(true);
    expect(after.equals(snapshotBytes(readTableSnapshot(mapsDir(nodes[0]))))).toBe(true);
  }, 120000);

  it('polycubectl apply --target applies one file to every node idempotently, reporting per node', async () => {
    const cube = `${CUBE}a`;
    const file = join(nodes[0].stack.dir, 'cluster.yaml');
    const yaml = (weight: number) =>
      `service-name: lbrp\nname: ${cube}\nservice:\n  - vip: 10.77.1.100\n    vport: 80\n    proto: TCP\n    backend:\n` +
      `      - { ip: 10.78.1.1, port: 80, weight: 1 }\n      - { ip: 10.78.1.2, port: 80, weight: ${weight} }\n`;
    const targets = nodes.flatMap((n) => ['--target', n.stack.url]);
    // Node 2 already has the cube, with another weight: it gets only the PATCH.
    await nodes[2].stack.ok('POST', `lbrp/${cube}/`, {
      service: [
        {
          vip: '10.77.1.100',
          vport: 80,
          proto: 'TCP',
          backend: [
            { ip: '10.78.1.1', port: 80, weight: 1 },
            { ip: '10.78.1.2', port: 80, weight: 1 },
          ],
        },
      ],
    });
    try {
      writeFileSync(file, yaml(4));
      const first = await nodes[0].stack.cli(['apply', '-f', file, ...targets]);
      expect(first.code).toBe(0);
      for (const n of nodes)
        expect(first.out).toContain(`# node ${n.stack.url}: done: the node matches the file`);
      const patches = first.out.split('\n').filter((l) => l.startsWith('PATCH ') || l.startsWith('POST '));
      expect(patches.length).toBeGreaterThanOrEqual(3); // two creations and one weight change
      const weights = nodes.map((n) =>
        n.stack.ok('GET', `lbrp/${cube}/service/10.77.1.100/80/TCP/backend/10.78.1.2/weight/`),
      );
      expect(await Promise.all(weights)).toEqual([4, 4, 4]);
      const again = await nodes[0].stack.cli(['apply', '-f', file, ...targets]);
      expect(again.code).toBe(0);
      expect(again.out.split('\n').filter((l) => /^(POST|PATCH|PUT|DELETE) /.test(l))).toEqual([]);
      expect(again.out.match(/: no changes/g)).toHaveLength(3);
    } finally {
      for (const n of nodes) await n.stack.rest('DELETE', `lbrp/${cube}/`).catch(() => undefined);
    }
  }, 120000);
});
