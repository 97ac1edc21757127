// Watches the network devices of polycubed's namespace by polling an rtnetlink link dump (one
// request per period, default 1 s), so ports whose netdev disappears go DOWN and come back UP
// when it reappears. The callback gets the whole current table; it decides what changed.

import { listLinks, type LinkInfo } from './netlink-links';

/** Receives the current links by name; must not throw (errors go to `onError`). */
export type LinksHandler = (links: Map<string, LinkInfo>) => void;

/** A poller started by `start()` and stopped by `stop()`; never keeps the process alive. */
export class NetdevWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly periodMs: number,
    private readonly onLinks: LinksHandler,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The current links by name (one dump, now). */
  static snapshot(): Map<string, LinkInfo> {
    return new Map(listLinks().map((l) => [l.name, l]));
  }

  /** Polls now and then every period. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.poll();
    this.timer = setInterval(() => this.poll(), this.periodMs);
    this.timer.unref();
  }

  /** Polls once now (e.g. right after a change the caller made). */
  poll(): void {
    try {
      this.onLinks(NetdevWatch.snapshot());
    } catch (err) {
      this.onError(err);
    }
  }

  /** Stops polling. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
