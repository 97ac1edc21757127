// lbrp-sync: session sync between lbrp nodes (see sync-agent.ts and src/cluster/README.md).
// Reads and writes the chosen cubes' pinned maps directly (root, same host as polycubed), and
// reopens them when a cube is deleted and created again (its session table's id changes).
//
//   tsx src/cluster/sync-main.ts --cube lb0 --key /etc/lbrp/cluster.key --listen 10.0.0.1:7946 \
//     --peer 10.0.0.2:7946 --peer 10.0.0.3:7946 [--pin-root /sys/fs/bpf/lbrp] [--node NAME] \
//     [--interval 200] [--buckets-per-tick 4096] [--records-per-tick 8192] [--queue 65536]

import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BpfMap } from '../polycubed/runtime/bpf-map';
import { sessionClock } from '../lbrp/dataplane/session-clock';
import type { CubeMaps } from './sync-apply';
import { SyncAgent, type PeerAddress } from './sync-agent';
import { loadClusterKey } from './sync-key';

const { values } = parseArgs({
  options: {
    cube: { type: 'string', multiple: true, default: [] },
    'pin-root': { type: 'string', default: '/sys/fs/bpf/lbrp' },
    key: { type: 'string' },
    listen: { type: 'string', default: '0.0.0.0:7946' },
    peer: { type: 'string', multiple: true, default: [] },
    node: { type: 'string', default: hostname() },
    interval: { type: 'string', default: '200' },
    'buckets-per-tick': { type: 'string', default: '4096' },
    'records-per-tick': { type: 'string', default: '8192' },
    queue: { type: 'string', default: '65536' },
    'stats-every': { type: 'string', default: '0' },
  },
});

const fail = (msg: string): never => {
  console.error(`lbrp-sync: ${msg}`);
  process.exit(2);
};

function addr(s: string): PeerAddress {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) fail(`"${s}" is not host:port`);
  return { host: s.slice(0, i), port };
}

function int(name: string, lo: number, hi: number): number {
  const v = Number(values[name as keyof typeof values]);
  if (!Number.isInteger(v) || v < lo || v > hi) fail(`--${name}: an integer between ${lo} and ${hi}`);
  return v;
}

if (values.cube.length === 0) fail('--cube NAME (repeat for several cubes)');
if (!values.key) fail('--key FILE (the cluster key, mode 0600)');

function openCube(name: string): CubeMaps {
  const dir = join(values['pin-root'], name, 'maps');
  const open = (m: string): BpfMap => BpfMap.fromPinned(join(dir, m));
  return {
    sessions: open('sessions'),
    session_config: open('session_config'),
    services: open('services'),
    maglev_slots: open('maglev_slots'),
    backends: open('backends'),
  };
}

/** The id of the cube's pinned session table, undefined while there is none (cube deleted). */
function pinnedTableId(name: string): number | undefined {
  let m: BpfMap | undefined;
  try {
    m = BpfMap.fromPinned(join(values['pin-root'], name, 'maps', 'sessions'));
    return m.id();
  } catch {
    return undefined;
  } finally {
    m?.close();
  }
}

async function main(): Promise<void> {
  const key = loadClusterKey(values.key as string);
  const clock = await sessionClock();
  const agent = new SyncAgent({
    node: values.node,
    key,
    listen: addr(values.listen),
    peers: values.peer.map(addr),
    cubes: values.cube.map((name) => ({ name, maps: openCube(name) })),
    pins: { id: pinnedTableId, open: openCube },
    clock: () => clock.now(),
    intervalMs: int('interval', 20, 60000),
    bucketsPerTick: int('buckets-per-tick', 1, 1 << 24),
    recordsPerTick: int('records-per-tick', 1, 1 << 24),
    queueCapacity: int('queue', 1, 1 << 24),
    log: (line) => console.error(`lbrp-sync: ${line}`),
  });
  await agent.start();
  console.log(
    `lbrp-sync: ${values.node} listening on ${values.listen}, cubes ${values.cube.join(' ')}, peers ${values.peer.join(' ')}`,
  );
  const every = int('stats-every', 0, 3600);
  if (every > 0) setInterval(() => console.log(JSON.stringify(agent.stats)), every * 1000).unref();
  process.on('SIGUSR1', () => console.log(JSON.stringify(agent.stats)));
  const stop = (): void => void agent.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: Error) => fail(e.message));
