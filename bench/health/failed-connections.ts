// bench:health's end-to-end row: new connections that fail when a backend dies, through a real
// cube. The real daemon (polycubed and the lbrp service, as the e2e tests start them) balances a
// TCP service over three backend namespaces with TCP health checks (interval 500 ms, fall 2); a
// client namespace opens RATE new connections a second to the VIP, each a success when the
// backend's greeting arrives within a second. For each of ROUNDS failures a backend's server is
// killed: the connections started from the kill until the monitor's DOWN (its health-detail time)
// and in the DOWN_WINDOW_MS after it are counted, then the server is restarted and UP awaited.
// Needs root.

import { randomInt } from 'node:crypto';
import { LbrpStack, type Child } from '../../test/fixtures/lbrp/e2e-stack';
import { buildLbNet, type LbBackend } from '../../test/fixtures/lbrp/e2e-net';

const VIP = '10.10.0.100';
const INTERVAL = 500;
const FALL = 2;
/** New connections a second from the client. */
const RATE = 200;
/** After DOWN: how long failures are still counted. */
const DOWN_WINDOW_MS = 2000;

export interface FailedConnections {
  /** Per failure: connections started from the kill to DOWN, and how many of them failed. */
  beforeDown: Array<{ started: number; failed: number }>;
  /** Per failure: the same in DOWN_WINDOW_MS after DOWN. */
  afterDown: Array<{ started: number; failed: number }>;
  /** Per failure: kill to DOWN (ms). */
  detectMs: number[];
  /** Per failure: start of the last failed connection after DOWN, ms after it (-1: none). */
  lastFailMs: number[];
  /** Connections a second the client made, measured. */
  rate: number;
}

/** When the monitor saw DOWN (health-detail "DOWN since <ISO time>; …"), else `fallback`. */
function downTime(h: Record<string, unknown>, fallback: number): number {
  const t = Date.parse(/^DOWN since (\S+);/.exec(String(h['health-detail']))?.[1] ?? '');
  return Number.isFinite(t) ? t : fallback;
}

/** A TCP server greeting each connection with its name, then closing. */
const serverScript = (b: LbBackend): string =>
  `require('net').createServer(c=>c.end(${JSON.stringify(b.name)}+'\\n')).listen(8080,${JSON.stringify(b.ip)},()=>console.log('ready'));`;

/** RATE new connections a second; prints "<ok|fail> <start ms>" when each ends. */
const clientScript = (): string =>
  `const net=require('net');setInterval(()=>{const at=Date.now();let ok=false;
const s=net.connect({host:${JSON.stringify(VIP)},port:80});s.setTimeout(1000,()=>s.destroy());
s.on('data',()=>{ok=true;});s.on('error',()=>{});s.on('close',()=>console.log((ok?'ok ':'fail ')+at));},${1000 / RATE});`;

export async function failedConnections(rounds: number): Promise<FailedConnections> {
  const cube = `pcf${randomInt(1000, 9999)}`;
  const stack = new LbrpStack();
  const lb = buildLbNet();
  const servers = new Map<string, Child>();
  const out: FailedConnections = { beforeDown: [], afterDown: [], detectMs: [], lastFailMs: [], rate: 0 };
  const startServer = async (b: LbBackend): Promise<void> => {
    const c = stack.spawn(['ip', 'netns', 'exec', b.ns, process.execPath, '-e', serverScript(b)]);
    await c.waitLine(/^ready$/, 15000);
    servers.set(b.name, c);
  };
  const path = `lbrp/${cube}/service/${VIP}/80/tcp`;
  const health = async (b: LbBackend): Promise<Record<string, unknown>> =>
    (await stack.ok('GET', `${path}/backend/${b.ip}/`)) as Record<string, unknown>;
  const waitHealth = async (b: LbBackend, want: string, ms: number): Promise<Record<string, unknown>> => {
    const end = Date.now() + ms;
    for (;;) {
      const h = await health(b);
      if (h.health === want) return h;
      if (Date.now() > end) throw new Error(`${b.name} not ${want} in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    // The daemon's own path to the backends (probes): host ↔ router veth, /32 routes.
    const sub = `172.31.${randomInt(0, 256)}`;
    lb.net.addVeth({ nsB: lb.router, ipA: `${sub}.1/30`, ipB: `${sub}.2/30` });
    for (const b of lb.backends)
      lb.net.exec(undefined, ['ip', 'route', 'replace', `${b.ip}/32`, 'via', `${sub}.2`]);
    await stack.start();
    for (const b of lb.backends) await startServer(b);
    await stack.ok('POST', `lbrp/${cube}/`, {
      ports: [
        { name: 'fe', type: 'FRONTEND', peer: lb.clients[0].dev },
        { name: 'be', type: 'BACKEND', peer: lb.backendDev },
      ],
      service: [
        {
          vip: VIP,
          vport: 80,
          proto: 'TCP',
          backend: lb.backends.map((b) => ({ ip: b.ip, port: 8080 })),
          'health-check': { type: 'TCP', interval: INTERVAL, fall: FALL, rise: 1 },
        },
      ],
    });
    for (const b of lb.backends) await waitHealth(b, 'up', 15000);
    const client = stack.spawn([
      'ip',
      'netns',
      'exec',
      lb.clients[0].ns,
      process.execPath,
      '-e',
      clientScript(),
    ]);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    for (let r = 0; r < rounds; r++) {
      const b = lb.backends[r % lb.backends.length];
      await new Promise((res) => setTimeout(res, Math.random() * INTERVAL));
      const from = client.lines.length;
      servers.get(b.name)?.kill('SIGKILL');
      await servers.get(b.name)?.waitExit();
      const killedAt = Date.now();
      const down = await waitHealth(b, 'down', 10000);
      const downAt = downTime(down, Date.now());
      await new Promise((res) => setTimeout(res, DOWN_WINDOW_MS + 1200)); // the window, and its last connections' timeout
      const seen = client.lines.slice(from).map((l) => l.split(' '));
      const count = (lo: number, hi: number) => {
        const inside = seen.filter(([, at]) => Number(at) >= lo && Number(at) < hi);
        return { started: inside.length, failed: inside.filter(([what]) => what === 'fail').length };
      };
      out.detectMs.push(downAt - killedAt);
      out.beforeDown.push(count(killedAt, downAt));
      out.afterDown.push(count(downAt, downAt + DOWN_WINDOW_MS));
      const late = seen
        .filter(([what, at]) => what === 'fail' && Number(at) >= downAt)
        .map(([, at]) => Number(at));
      out.lastFailMs.push(late.length > 0 ? Math.max(...late) - downAt : -1);
      await startServer(b);
      await waitHealth(b, 'up', 15000);
    }
    const made = client.lines.filter((l) => /^(ok|fail) /.test(l)).length;
    out.rate = (made * 1000) / (Date.now() - t0);
    client.kill('SIGKILL');
    return out;
  } finally {
    for (const c of servers.values()) c.kill('SIGKILL');
    await stack.rest('DELETE', `lbrp/${cube}/`).catch(() => undefined);
    await stack.cleanup();
    lb.net.cleanup();
  }
}
