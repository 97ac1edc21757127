// A client of BIRD's control socket (what birdc speaks): connect, read the greeting, send one
// command, collect the reply. Replies are lines "NNNN-text" (more follow), " text" (continuation)
// and a final "NNNN text"; codes ≥ 8000 are errors (8xxx run time, 9xxx parse).

import { createConnection } from 'node:net';

/** A finished reply: its final code and all its text lines. */
export interface BirdReply {
  code: number;
  lines: string[];
}

/** BIRD refused a command (config error, unknown protocol…). */
export class BirdError extends Error {
  constructor(
    readonly command: string,
    readonly reply: BirdReply,
  ) {
    super(`bird: ${command}: ${reply.lines.join(' / ')} (${reply.code})`);
  }
}

/** Parses reply lines; returns the reply once its final line arrived, else undefined. */
export function parseReply(lines: readonly string[]): BirdReply | undefined {
  const text: string[] = [];
  for (const l of lines) {
    const m = /^(\d{4})([ -])(.*)$/.exec(l);
    if (!m) {
      text.push(l.replace(/^ /, ''));
      continue;
    }
    text.push(m[3]);
    if (m[2] === ' ') return { code: Number(m[1]), lines: text };
  }
  return undefined;
}

/** Sends `command` on the control socket at `socketPath`; rejects on ≥ 8000 or after `timeoutMs`. */
export function birdCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<BirdReply> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let buf = '';
    let greeted = false;
    let lines: string[] = [];
    const done = (err: Error | undefined, reply?: BirdReply): void => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply as BirdReply);
    };
    const timer = setTimeout(
      () => done(new Error(`bird: ${command}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('error', (e) => done(e));
    sock.on('data', (d) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts);
      const reply = parseReply(lines);
      if (!reply) return;
      lines = [];
      if (!greeted) {
        greeted = true; // "0001 BIRD x.y ready."
        sock.write(`${command}\n`);
        return;
      }
      if (reply.code >= 8000) done(new BirdError(command, reply));
      else done(undefined, reply);
    });
  });
}
