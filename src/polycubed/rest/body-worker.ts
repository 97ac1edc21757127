// The body worker's side (runs in a worker_threads thread started by body-worker-pool.ts): it
// keeps the YANG modules it was sent, rebuilds their route tables (same function, same order as
// the REST router's) and reads each body it is given with body-check.ts or framework-bodies.ts
// straight through. The garbage of a large body lives and dies in this thread's heap, so its
// collection never pauses the daemon's event loop; only the verdict crosses back.

import type { MessagePort } from 'node:worker_threads';
import { buildRouteTable, type IrModule, type RouteRow } from 'yang-ts-codegen';
import { checkBody, type BodyCheckRequest } from './body-check';
import { readObjectMembers, splitCubeBatch } from './framework-bodies';

/** Modules a worker keeps (oldest forgotten first); the pool mirrors the same rule. */
export const WORKER_MODULES = 16;

/** What the daemon sends: a module once (before its first check), then jobs. */
export type ToBodyWorker =
  | { kind: 'module'; id: number; module: IrModule }
  | {
      kind: 'check';
      job: number;
      module: number;
      /** Index of the route row in buildRouteTable(module), and its path (a cross-check). */
      row: number;
      path: string;
      req: BodyCheckRequest;
    }
  | { kind: 'object'; job: number; text: string; maxDepth: number; members: string[] }
  | { kind: 'batch'; job: number; text: string; maxDepth: number };

/**
 * What the worker answers: that it is ready (once, after loading), the result of a job, or the
 * error that stopped it (a bug: 500).
 */
export type FromBodyWorker =
  { ready: true } | { job: number; result: unknown } | { job: number; error: string };

/** The worker's state: route tables by module id, oldest first. */
export class BodyWorkerState {
  private readonly tables = new Map<number, RouteRow[]>();

  /** Handles one message; a job's answer, or undefined for a module. */
  async handle(msg: ToBodyWorker): Promise<FromBodyWorker | undefined> {
    if (msg.kind === 'module') {
      this.tables.set(msg.id, buildRouteTable(msg.module));
      for (const id of this.tables.keys()) {
        if (this.tables.size <= WORKER_MODULES) break;
        this.tables.delete(id);
      }
      return undefined;
    }
    try {
      return { job: msg.job, result: await this.run(msg) };
    } catch (e) {
      return { job: msg.job, error: (e as Error).message };
    }
  }

  private run(msg: Exclude<ToBodyWorker, { kind: 'module' }>): Promise<unknown> {
    switch (msg.kind) {
      case 'check': {
        const row = this.tables.get(msg.module)?.[msg.row];
        if (!row || row.path !== msg.path)
          throw new Error(`body worker: no route ${msg.path} in module ${msg.module}`);
        return checkBody(row, msg.req);
      }
      case 'object':
        return readObjectMembers(msg.text, msg.maxDepth, msg.members);
      case 'batch':
        return splitCubeBatch(msg.text, msg.maxDepth);
    }
  }
}

/** Serves the daemon on `port` (the worker's parentPort) until the thread is ended. */
export function serveBodyChecks(port: MessagePort): void {
  const state = new BodyWorkerState();
  port.on('message', (msg: ToBodyWorker) => {
    void state.handle(msg).then((answer) => {
      if (answer) port.postMessage(answer);
    });
  });
  port.postMessage({ ready: true } satisfies FromBodyWorker);
}
