// Large request bodies are parsed, pruned and validated in one long-lived worker thread
// (body-worker.ts) instead of the daemon's event loop. Reading a 1 MiB hostile body in slices
// kept each slice short, but the garbage it left (100,000 members) made V8 pause the whole
// isolate for 50 ms and more to collect it; the worker has its own heap, so those pauses stop
// there. Small bodies stay on the in-thread path (no round trip). One check runs at a time;
// the others wait in a bounded queue. A check that crashes the worker, or runs past its time,
// fails that request alone with a 500, and the next check starts a fresh worker.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IrModule, RouteRow } from 'yang-ts-codegen';
import { cubeError, type CubeError } from '../../common/errors';
import { IN_THREAD_READERS, type BodyCheckResult, type BodyReaders } from './body-check';
import { WORKER_MODULES, type FromBodyWorker, type ToBodyWorker } from './body-worker';
import type { CubeBatch, ObjectBody } from './framework-bodies';
import type { MetricFamily, MetricsCollector } from './metrics';

/** Limits of the body worker. */
export interface BodyWorkerOptions {
  /** Bodies of at least this many characters go to the worker; shorter ones are checked here. */
  minChars: number;
  /** A check running longer than this (ms) ends the worker; its request gets 500. */
  timeoutMs: number;
  /** Checks waiting for the worker beyond this many are refused with 503. */
  maxQueue: number;
  /** The worker's old-generation heap (MiB); running out ends it and its request gets 500. */
  heapMb: number;
  /** The worker is ended after this long without work (ms), returning its memory. */
  idleMs: number;
  /** A worker not ready this long (ms) after it was started is ended; the check waiting fails. */
  startMs: number;
  /**
   * Nice value of the worker's thread (Linux: per thread): on a busy machine the event loop's
   * thread wins the CPU over the bulk of a large body, which only waits a little longer.
   */
  nice: number;
  /** The module the worker runs (tests point it elsewhere); exports serveBodyChecks. */
  entry: string;
}

export const DEFAULT_BODY_WORKER: BodyWorkerOptions = {
  minChars: 64 * 1024,
  timeoutMs: 30_000, // a 1 MiB body takes well under a second; a niced thread on a loaded host longer
  maxQueue: 16,
  heapMb: 256, // a 1 MiB body of 100,000 members peaks near 60 MiB
  idleMs: 60_000,
  startMs: 30_000, // loading the TypeScript sources takes about a second on a busy host
  nice: 10,
  entry: join(__dirname, 'body-worker.ts'),
};

/**
 * Runs in the new thread: lowers the thread's priority (its kernel thread id from
 * /proc/thread-self; best effort), then TypeScript through tsx (as the daemon), then the loop.
 */
const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.nice);
} catch {}
require(workerData.tsx);
require(workerData.entry).serveBodyChecks(parentPort);
`;

/** Where each route row of the REST router's tables comes from: its module and index. */
const ROW_HOME = new WeakMap<RouteRow, { module: IrModule; index: number }>();
const MODULE_IDS = new WeakMap<IrModule, number>();
let nextModuleId = 1;

/** Records the rows of `module`'s route table so their bodies can be checked in the worker. */
export function registerRouteTable(module: IrModule, rows: readonly RouteRow[]): void {
  rows.forEach((row, index) => ROW_HOME.set(row, { module, index }));
}

function moduleId(module: IrModule): number {
  let id = MODULE_IDS.get(module);
  if (id === undefined) MODULE_IDS.set(module, (id = nextModuleId++));
  return id;
}

/** Every message but a module. */
type JobMessage = Exclude<ToBodyWorker, { kind: 'module' }>;

interface Job {
  /** The module a check needs the worker to hold. */
  module?: IrModule;
  /** The message for job number `id` (and the worker's id of `module`). */
  message(id: number, moduleId: number): JobMessage;
  resolve(result: unknown): void;
  reject(e: Error): void;
}

/** The running worker and what it was sent. */
interface Live {
  worker: Worker;
  /** True once the worker has loaded its code (checks are sent only then). */
  ready: boolean;
  /** Ends a worker that does not get ready in time. */
  startTimer: NodeJS.Timeout;
  /** Module ids the worker holds, oldest first (the same rule as the worker's). */
  modules: number[];
  job?: Job & { id: number; timer: NodeJS.Timeout };
}

/** The body worker: `readers` hand large bodies to it and read small ones in this thread. */
export class BodyWorkerPool {
  private readonly opts: BodyWorkerOptions;
  private readonly queue: Job[] = [];
  private live: Live | undefined;
  private idle: NodeJS.Timeout | undefined;
  private jobs = 0;
  private closed = false;
  /** Workers started, checks that ended one, checks answered (tests, `/metrics`). */
  readonly stats = { started: 0, failed: 0, checked: 0 };

  constructor(opts: Partial<BodyWorkerOptions> = {}) {
    this.opts = { ...DEFAULT_BODY_WORKER, ...opts };
  }

  /** The readers for the router: the worker for large bodies, this thread for the others. */
  readonly readers: BodyReaders = {
    check: (row, req) => {
      const home = ROW_HOME.get(row);
      if (!home || !this.wants(req.text)) return IN_THREAD_READERS.check(row, req);
      return this.run<BodyCheckResult>((busy) => ({ ok: false, errors: [busy] }), {
        module: home.module,
        message: (job, module) => ({ kind: 'check', job, module, row: home.index, path: row.path, req }),
      });
    },
    object: (text, maxDepth, members) => {
      if (!this.wants(text)) return IN_THREAD_READERS.object(text, maxDepth, members);
      return this.run<ObjectBody>((busy) => ({ ok: false, busy }), {
        message: (job) => ({ kind: 'object', job, text, maxDepth, members: [...members] }),
      });
    },
    batch: (text, maxDepth) => {
      if (!this.wants(text)) return IN_THREAD_READERS.batch(text, maxDepth);
      return this.run<CubeBatch>((busy) => ({ ok: false, busy }), {
        message: (job) => ({ kind: 'batch', job, text, maxDepth }),
      });
    },
  };

  /** True when a body this long goes to the worker. */
  private wants(text: string): boolean {
    return !this.closed && text.length >= this.opts.minChars;
  }

  /** Queues `job` (or answers `tooBusy` when the queue is full); resolves with the worker's result. */
  private run<T>(tooBusy: (busy: CubeError) => T, job: Omit<Job, 'resolve' | 'reject'>): Promise<T> {
    if (this.queue.length >= this.opts.maxQueue)
      return Promise.resolve(tooBusy(cubeError('CUBE_ERR_TOO_BUSY', { limit: this.opts.maxQueue })));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ ...job, resolve: resolve as (r: unknown) => void, reject });
      this.pump();
    });
  }

  /** `/metrics` families: bodies read in the worker, those that ended it, workers started. */
  collector(): MetricsCollector {
    const counter = (name: string, help: string, value: number): MetricFamily => ({
      name,
      help,
      type: 'counter',
      samples: [{ value }],
    });
    return () => [
      counter(
        'polycubed_rest_body_worker_jobs_total',
        'Request bodies read in the body worker thread',
        this.stats.checked,
      ),
      counter(
        'polycubed_rest_body_worker_failures_total',
        'Request bodies answered 500 because the body worker hung, crashed or ran out of heap on them',
        this.stats.failed,
      ),
      counter('polycubed_rest_body_worker_starts_total', 'Body worker threads started', this.stats.started),
    ];
  }

  /** Ends the worker; later checks run in this thread, queued ones fail. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    for (const job of this.queue.splice(0)) job.reject(new Error('the REST server is closing'));
    await this.stop(new Error('the REST server is closing'));
  }

  /** Sends the next queued check to the worker (started if needed) once it is ready and free. */
  private pump(): void {
    if (this.queue.length === 0 || this.live?.job) return;
    const live = this.live ?? this.start();
    if (!live.ready) return;
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const job = this.queue.shift() as Job;
    let mod = 0;
    if (job.module) {
      mod = moduleId(job.module);
      if (!live.modules.includes(mod)) {
        live.worker.postMessage({ kind: 'module', id: mod, module: job.module } satisfies ToBodyWorker);
        live.modules.push(mod);
        if (live.modules.length > WORKER_MODULES) live.modules.shift();
      }
    }
    const id = ++this.jobs;
    const timer = setTimeout(() => {
      void this.stop(new Error(`the body check took more than ${this.opts.timeoutMs} ms`));
    }, this.opts.timeoutMs);
    timer.unref();
    live.job = { ...job, id, timer };
    live.worker.postMessage(job.message(id, mod));
  }

  private start(): Live {
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { tsx: require.resolve('tsx/cjs'), entry: this.opts.entry, nice: this.opts.nice },
      // Not the daemon's flags (an inspector port, a loader): the boot code loads what it needs.
      execArgv: [],
      env: { ...process.env, TSX_TSCONFIG_PATH: join(__dirname, '../../../tsconfig.json') },
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb },
    });
    worker.unref();
    const startTimer = setTimeout(() => {
      void this.stop(new Error(`the body worker did not start within ${this.opts.startMs} ms`));
    }, this.opts.startMs);
    startTimer.unref();
    const live: Live = { worker, ready: false, startTimer, modules: [] };
    this.stats.started++;
    worker.on('message', (answer: FromBodyWorker) => this.answered(live, answer));
    worker.on('error', (e) => this.lost(live, e));
    worker.on('exit', (code) => this.lost(live, new Error(`the body worker exited with code ${code}`)));
    this.live = live;
    return live;
  }

  private answered(live: Live, answer: FromBodyWorker): void {
    if (this.live !== live) return;
    if ('ready' in answer) {
      clearTimeout(live.startTimer);
      live.ready = true;
      this.pump();
      return;
    }
    const job = live.job;
    if (!job || job.id !== answer.job) return;
    clearTimeout(job.timer);
    live.job = undefined;
    this.stats.checked++;
    if ('error' in answer) job.reject(new Error(answer.error));
    else job.resolve(answer.result);
    this.pump();
    if (!live.job) {
      this.idle = setTimeout(() => void this.stop(), this.opts.idleMs);
      this.idle.unref();
    }
  }

  /**
   * The worker `live` died (error, exit, stopped): its check fails. One that died before it was
   * ready takes the first waiting check with it, so a worker that cannot start is not restarted
   * forever. The next check starts a new worker.
   */
  private lost(live: Live, why: Error): void {
    if (this.live !== live) return;
    this.live = undefined;
    clearTimeout(live.startTimer);
    const job = live.job ?? (live.ready ? undefined : this.queue.shift());
    if (job) {
      if (live.job) clearTimeout(live.job.timer);
      this.stats.failed++;
      job.reject(new Error(`body check failed: ${why.message}; the body worker was restarted`));
    }
    this.pump();
  }

  /** Ends the worker; its check (if any) fails with `why`. */
  private async stop(why = new Error('the body worker was stopped')): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.lost(live, why);
    await live.worker.terminate();
  }
}
