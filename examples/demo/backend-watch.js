// The demo's view of the pool, run where polycubed's REST API is reachable (the LB namespace):
// `node backend-watch.js BACKEND-LIST-URL`. Polls the service's backend list every 50 ms and
// prints one JSON line whenever something changed, by backend address:
//   {"192.168.1.10":{"weight":1,"health":"down","sessions":412},…}
// so the demo sees a weight change or a DOWN within one poll, instead of one polycubectl start
// (about a second on a busy host). Stops on SIGTERM/SIGINT or when stdin closes.
'use strict';
/* global fetch, AbortSignal */ // Node's own (18+)
const { setTimeout } = require('timers');

const url = process.argv[2];
const POLL_MS = 50;
let last = '';
let stopping = false;

async function poll() {
  while (!stopping) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const list = await res.json();
      const pool = {};
      for (const b of Array.isArray(list) ? list : []) {
        if (b && typeof b === 'object' && typeof b.ip === 'string') {
          const weight = typeof b.weight === 'number' ? b.weight : 1;
          pool[b.ip] = { weight, health: b.health || 'unknown', sessions: b['total-sessions'] || 0 };
        }
      }
      const line = JSON.stringify(pool);
      if (line !== last) {
        last = line;
        process.stdout.write(line + '\n');
      }
    } catch {
      // the daemon is busy: try again
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const stop = () => {
  stopping = true;
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
void poll();
