// A backend of the flood bench, run inside a backend namespace: a TCP server that answers every
// line it receives with its own id (so a client can tell which backend its connection reached)
// and holds idle connections as long as the client does. `node --import tsx backend.ts ID PORT`;
// prints "ready" once it listens.

import { createServer } from 'node:net';

const [id, portArg] = process.argv.slice(2);
const port = Number(portArg);
if (!id || !Number.isInteger(port)) {
  console.error('usage: backend.ts ID PORT');
  process.exit(2);
}

const server = createServer({ noDelay: true }, (sock) => {
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    // One answer per newline, whatever the segmentation.
    for (const ch of chunk) if (ch === '\n') sock.write(`${id}\n`);
  });
  sock.on('error', () => sock.destroy());
});
// A deep accept queue: the legitimate connections must not be refused while SYN cookies answer a flood.
server.listen({ port, backlog: 4096 }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
