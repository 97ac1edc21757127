// The examples' HTTP backend: `node http-backend.js NAME PORT`. Every answer names the backend,
// the address it was reached on and the client address it saw, on one line, and closes the
// connection (so each request of a `curl URL/[1-100]` run is a new TCP session, balanced on its
// own). GET /stream keeps the connection open and sends a numbered line every 200 ms: the demo's
// long-lived session. A UDP datagram to the same port gets one line back in the same form.
'use strict';
const http = require('http');
const { setInterval, clearInterval } = require('timers');

const [name, port] = [process.argv[2] || 'backend', Number(process.argv[3] || 8080)];

const server = http.createServer((req, res) => {
  const line = `${name} ${req.socket.localAddress}:${req.socket.localPort} client=${req.socket.remoteAddress}`;
  if (req.url === '/stream') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
    let n = 0;
    const tick = setInterval(() => res.write(`${line} tick=${++n}\n`), 200);
    res.write(`${line} tick=0\n`);
    req.socket.on('close', () => clearInterval(tick));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end(line + '\n');
});
server.keepAliveTimeout = 0;
server.listen(port, '0.0.0.0', () => console.log(`${name} listening on :${port}`));
const udp = require('dgram').createSocket('udp4');
udp.on('message', (_msg, from) => {
  const a = udp.address();
  udp.send(`${name} udp ${a.address}:${a.port} client=${from.address}\n`, from.port, from.address);
});
udp.bind(port, '0.0.0.0');
process.on('SIGTERM', () => process.exit(0));
