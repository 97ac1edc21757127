// The demo's health watcher, run where polycubed's REST API is reachable (the LB namespace):
// `node health-watch.js BACKEND-LIST-URL`. Polls the service's backend list every 50 ms and prints
// one JSON line whenever a backend's health changes, e.g. {"192.168.1.10":"down",…}, so the demo
// sees a DOWN within one poll instead of one polycubectl start (about a second on a busy host).
// Stops on SIGTERM/SIGINT or when stdin closes.
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
      const health = {};
      for (const b of Array.isArray(list) ? list : []) {
        if (b && typeof b === 'object' && typeof b.ip === 'string') health[b.ip] = b.health || 'unknown';
      }
      const line = JSON.stringify(health);
      if (line !== last) {
        last = line;
        process.stdout.write(line + '\n');
      }
    } catch {
      // the daemon is busy or restarting: try again
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
