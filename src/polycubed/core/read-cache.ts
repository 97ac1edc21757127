// READ answers a service let polycubed reuse (ConfigReply.cache_ms, issue 17): a repeated GET is
// answered here, without the round trip to the service, for as long as the service said, and
// never across a change. Each cube has a generation, bumped when a change to it starts and when
// it ends (and by port events, late replies, service (re)registration: `clear`); an answer is
// stored only when no change of its cube ran while it was asked, and served only while the
// generation it was stored under is current: a READ sees the state before or after a change.

import type { ConfigReplyMsg } from '../../proto/polycube-types';
import type { ConfigOp } from './types';

/** Most answers kept (the oldest go first); a bound, not a working-set estimate. */
const MAX_ENTRIES = 4096;

interface Entry {
  stamp: string;
  until: number;
  reply: ConfigReplyMsg;
}

/** The READ answers of every cube, with their validity. */
export class ReadCache {
  private readonly gens = new Map<string, number>();
  private readonly busy = new Map<string, number>();
  private readonly entries = new Map<string, Entry>();
  private epoch = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The key of a READ. */
  static keyOf(op: Pick<ConfigOp, 'service' | 'cube' | 'path' | 'keys' | 'isCollection'>): string {
    const keys = op.keys.map((k) => `${k.list}\u0001${k.name}\u0001${k.value}`).join('\u0002');
    return `${op.service}\u0000${op.cube}\u0000${op.path}\u0000${op.isCollection ? 1 : 0}\u0000${keys}`;
  }

  /** What an answer asked for now must be stored under; undefined while a change of `cube` runs. */
  stamp(cube: string): string | undefined {
    if ((this.busy.get(cube) ?? 0) > 0) return undefined;
    return `${this.epoch}:${this.gens.get(cube) ?? 0}`;
  }

  /** The stored answer of `key`, when still valid. */
  get(key: string, cube: string): ConfigReplyMsg | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.stamp !== this.stamp(cube) || this.now() >= e.until) {
      this.entries.delete(key);
      return undefined;
    }
    return e.reply;
  }

  /** Stores an OK answer the service allows to reuse, if no change ran since `stamp` was taken. */
  put(key: string, cube: string, stamp: string | undefined, reply: ConfigReplyMsg): void {
    const ms = reply.cacheMs ?? 0;
    if (stamp === undefined || ms <= 0 || reply.code !== 'OK' || stamp !== this.stamp(cube)) return;
    this.entries.delete(key);
    this.entries.set(key, { stamp, until: this.now() + ms, reply });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** A change of `cube` starts: its answers are void, and none is stored until it ends. */
  begin(cube: string): void {
    this.invalidate(cube);
    this.busy.set(cube, (this.busy.get(cube) ?? 0) + 1);
  }

  /** The change begun last ended (its effects are visible from now on). */
  end(cube: string): void {
    this.invalidate(cube);
    const n = (this.busy.get(cube) ?? 1) - 1;
    if (n > 0) this.busy.set(cube, n);
    else this.busy.delete(cube);
  }

  /** The answers of `cube` are void. */
  invalidate(cube: string): void {
    this.gens.set(cube, (this.gens.get(cube) ?? 0) + 1);
  }

  /** Every answer is void (a service registered or went away). */
  clear(): void {
    this.epoch++;
    this.entries.clear();
  }
}
