// The demo's client, run inside the client namespace: `node client-load.js VIP PORT [WORKERS]`.
// Opens one long-lived session (GET /stream, one line every 200 ms from the backend that serves
// it) and keeps WORKERS loops of short requests going (a new TCP connection each, so every
// request is balanced on its own). Every 200 ms it prints one JSON line with cumulative counts:
//   {"counts":{"b1":12,…},"errors":0,"stream":{"backend":"b2","lines":9,"sinceMs":40,"maxGapMs":210,"open":true}}
// Stops on SIGTERM/SIGINT or when stdin closes.
'use strict';
const http = require('http');
const { setInterval, clearInterval, setTimeout } = require('timers');

const [vip, port, workers] = [process.argv[2], Number(process.argv[3] || 80), Number(process.argv[4] || 3)];
/** Pause between two requests of one loop: keeps the load near 100 req/s on a small machine. */
const PAUSE_MS = 20;
const counts = {};
let errors = 0;
const stream = { backend: '', lines: 0, last: 0, maxGapMs: 0, open: false, error: '' };
let stopping = false;

function oneRequest() {
  return new Promise((resolve) => {
    // Generous: a busy host can be slow to answer; a lost path fails by error, not by the clock.
    const req = http.get({ host: vip, port, path: '/', agent: false, timeout: 10000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const name = body.split(' ')[0];
        if (res.statusCode === 200 && name) counts[name] = (counts[name] || 0) + 1;
        else errors++;
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
}

async function loop() {
  while (!stopping) {
    await oneRequest();
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
}

function openStream() {
  const req = http.get({ host: vip, port, path: '/stream', agent: false }, (res) => {
    stream.open = true;
    let rest = '';
    res.on('data', (chunk) => {
      const now = Date.now();
      rest += chunk;
      const lines = rest.split('\n');
      rest = lines.pop();
      for (const line of lines) {
        if (stream.lines > 0) stream.maxGapMs = Math.max(stream.maxGapMs, now - stream.last);
        stream.backend = line.split(' ')[0];
        stream.lines++;
        stream.last = now;
      }
    });
    res.on('end', () => {
      stream.open = false;
      stream.error = stream.error || 'closed by the server';
    });
  });
  req.on('error', (e) => {
    stream.open = false;
    stream.error = e.message;
  });
}

function report() {
  const s = { ...stream, sinceMs: stream.last ? Date.now() - stream.last : -1 };
  delete s.last;
  process.stdout.write(JSON.stringify({ counts, errors, stream: s }) + '\n');
}

openStream();
for (let i = 0; i < workers; i++) void loop();
const timer = setInterval(report, 200);
const stop = () => {
  stopping = true;
  clearInterval(timer);
  report();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
