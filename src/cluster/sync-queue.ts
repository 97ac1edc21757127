// Bounded structures of session sync: what it keeps never grows with the traffic beyond the
// capacities given.

/** A FIFO of at most `capacity` items: a push into a full queue drops the oldest (counted). */
export class BoundedQueue<T> {
  private items: Array<T | undefined>;
  private head = 0;
  private count = 0;
  /** Items dropped because the queue was full. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.capacity) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.dropped++;
    }
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
  }

  /** Removes and returns up to `n` oldest items. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.count > 0) {
      out.push(this.items[this.head] as T);
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    return out;
  }
}

/**
 * The entries this node inserted from peers, by flow key (hex), with the last_seen it wrote. An
 * entry whose last_seen is still that one has not been used by a local packet: it is the peer's
 * copy (not sent back; a peer may update or close it). Once a packet used it, it is this node's
 * session. At most `capacity` keys; the oldest are forgotten first (their entries then count as
 * local: never changed by peers, sent to peers at their next change).
 */
export class AppliedSet {
  private readonly seen = new Map<string, number>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.seen.size;
  }

  set(key: string, lastSeen: number): void {
    this.seen.delete(key);
    this.seen.set(key, lastSeen);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }

  delete(key: string): void {
    this.seen.delete(key);
  }

  /** True when the entry of `key`, last used at `lastSeen`, is an untouched copy from a peer. */
  isPeerCopy(key: string, lastSeen: number): boolean {
    return this.seen.get(key) === lastSeen;
  }
}
