// Allocators of kernel resources for one cube: ids (service ids, backend ids) and ranges of the
// shared maglev_slots array. Transactional: a request allocates tentatively, frees are deferred to
// commit (so old and new entries never share a slot or an id while a plan is being applied), and
// a refused request rolls everything back. Pure bookkeeping; never touches the kernel.

/** Ids 0..capacity-1, handed out in increasing order first, then oldest-freed first. */
export class IdAllocator {
  private nextFresh = 0;
  private readonly freed: number[] = [];
  private freedHead = 0;
  private readonly used = new Set<number>();
  private taken: Array<{ id: number; fresh: boolean }> = [];
  private pendingFree: number[] = [];

  /** `capacity` ids (the dataplane map's max_entries). */
  constructor(readonly capacity: number) {}

  /** Ids in use (committed or tentatively allocated). */
  get inUse(): number {
    return this.used.size;
  }

  /**
   * A free id, or undefined when all are in use. Fresh ids come first, so a freed id is reused as
   * late as possible (its stale conntrack entries have long expired by then).
   */
  alloc(): number | undefined {
    let id: number | undefined;
    let fresh = false;
    while (this.nextFresh < this.capacity && this.used.has(this.nextFresh)) this.nextFresh++;
    if (this.nextFresh < this.capacity) {
      id = this.nextFresh++;
      fresh = true;
    } else {
      while (this.freedHead < this.freed.length && this.used.has(this.freed[this.freedHead]))
        this.freedHead++;
      if (this.freedHead < this.freed.length) id = this.freed[this.freedHead++];
    }
    if (id === undefined) return undefined;
    this.used.add(id);
    this.taken.push({ id, fresh });
    return id;
  }

  /** Marks `id` used (rebuilding from what the kernel holds); committed at once. */
  reserve(id: number): void {
    this.used.add(id);
  }

  /** Releases `id` at the next commit. */
  free(id: number): void {
    this.pendingFree.push(id);
  }

  /** Makes this transaction's allocations permanent and applies its frees. */
  commit(): void {
    for (const id of this.pendingFree) {
      if (!this.used.delete(id)) continue;
      this.freed.push(id);
    }
    this.pendingFree = [];
    this.taken = [];
    if (this.freedHead > 4096 && this.freedHead * 2 > this.freed.length) {
      this.freed.splice(0, this.freedHead);
      this.freedHead = 0;
    }
  }

  /** Undoes this transaction: its allocations are returned and its frees forgotten. */
  rollback(): void {
    for (const t of this.taken.reverse()) {
      this.used.delete(t.id);
      if (t.fresh) this.nextFresh = Math.min(this.nextFresh, t.id);
      else this.freed[--this.freedHead] = t.id;
    }
    this.taken = [];
    this.pendingFree = [];
  }
}

/** A half-open range [base, base + size) of maglev_slots. */
export interface SlotRange {
  base: number;
  size: number;
}

/** First-fit ranges of a slot array of `capacity` entries, with coalescing frees. */
export class SlotAllocator {
  /** Free ranges sorted by base, never adjacent (coalesced). */
  private free: SlotRange[];
  private taken: SlotRange[] = [];
  private pendingFree: SlotRange[] = [];
  private usedSlots = 0;

  constructor(readonly capacity: number) {
    this.free = capacity > 0 ? [{ base: 0, size: capacity }] : [];
  }

  /** Slots in use (committed or tentatively allocated). */
  get inUse(): number {
    return this.usedSlots;
  }

  /** The largest range that could be allocated now. */
  get largestFree(): number {
    return this.free.reduce((m, r) => Math.max(m, r.size), 0);
  }

  /** A range of `size` slots (first fit), or undefined when no free range is large enough. */
  alloc(size: number): SlotRange | undefined {
    const i = this.free.findIndex((r) => r.size >= size);
    if (i < 0) return undefined;
    const r = this.free[i];
    const got = { base: r.base, size };
    if (r.size === size) this.free.splice(i, 1);
    else this.free[i] = { base: r.base + size, size: r.size - size };
    this.usedSlots += size;
    this.taken.push(got);
    return got;
  }

  /** Marks a range used (rebuilding from the kernel); false when it overlaps a used one. */
  reserve(range: SlotRange): boolean {
    const end = range.base + range.size;
    const i = this.free.findIndex((r) => r.base <= range.base && r.base + r.size >= end);
    if (i < 0) return false;
    const r = this.free[i];
    const parts: SlotRange[] = [];
    if (range.base > r.base) parts.push({ base: r.base, size: range.base - r.base });
    if (r.base + r.size > end) parts.push({ base: end, size: r.base + r.size - end });
    this.free.splice(i, 1, ...parts);
    this.usedSlots += range.size;
    return true;
  }

  /** Releases a range at the next commit. */
  release(range: SlotRange): void {
    this.pendingFree.push(range);
  }

  /** Makes this transaction's allocations permanent and applies its releases. */
  commit(): void {
    for (const r of this.pendingFree) this.giveBack(r);
    this.pendingFree = [];
    this.taken = [];
  }

  /** Undoes this transaction. */
  rollback(): void {
    for (const r of this.taken.reverse()) this.giveBack(r);
    this.taken = [];
    this.pendingFree = [];
  }

  private giveBack(range: SlotRange): void {
    if (range.size === 0) return;
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid].base < range.base) lo = mid + 1;
      else hi = mid;
    }
    let merged = { ...range };
    let start = lo;
    let count = 0;
    const prev = this.free[lo - 1];
    if (prev && prev.base + prev.size === merged.base) {
      merged = { base: prev.base, size: prev.size + merged.size };
      start = lo - 1;
      count++;
    }
    const next = this.free[lo];
    if (next && merged.base + merged.size === next.base) {
      merged = { base: merged.base, size: merged.size + next.size };
      count++;
    }
    this.free.splice(start, count, merged);
    this.usedSlots -= range.size;
  }
}
