// Invariant checks of the sync tests, read back from the (fake) kernel rather than pinned: a
// service's Maglev table as the maps hold it, slot shares per backend, how many slots differ
// between two tables, and the slot writes a rendered plan carries.

import {
  decodeServiceValue,
  encodeServiceKey,
  encodeU32,
  IPPROTO,
} from '../../../../src/lbrp/dataplane/map-layouts';
import type { FakeHost } from '../../../fixtures/lbrp/fake-host';

/** A service as the maps key it. */
export interface ServiceAt {
  vip: string;
  vport: number;
  proto: 'TCP' | 'UDP' | 'ICMP';
}

/** The backend id in each slot of `svc`'s table, read from `services` and `maglev_slots`. */
export async function readTable(host: FakeHost, svc: ServiceAt, cube = 'lb0'): Promise<number[]> {
  const [entry] = await host.readMaps(cube, 'services', [
    encodeServiceKey({ vip: svc.vip, vport: svc.vport, proto: IPPROTO[svc.proto] }),
  ]);
  if (entry === undefined) throw new Error(`no services entry for ${svc.vip}:${svc.vport}/${svc.proto}`);
  const { slotBase, tableSize } = decodeServiceValue(entry.value);
  const keys = Array.from({ length: tableSize }, (_, i) => encodeU32(slotBase + i));
  return (await host.readMaps(cube, 'maglev_slots', keys)).map((e) => e.value.readUInt32LE(0));
}

/** Slots per backend id. */
export function sharesOf(table: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of table) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Number of slots whose backend differs between two tables of one size. */
export function changedSlots(before: readonly number[], after: readonly number[]): number {
  if (before.length !== after.length) throw new Error(`tables of ${before.length} and ${after.length} slots`);
  return before.reduce((n, id, i) => n + (id === after[i] ? 0 : 1), 0);
}

/** Stands for a run of slot writes in `splitPlan`'s lines: where it sits is checked, not its size. */
export const SLOT_RUN = 'put maglev_slots …';

/** A rendered plan's slot writes (summed) and its lines in order, each slot run as `SLOT_RUN`. */
export function splitPlan(plan: readonly string[]): { slots: number; lines: string[] } {
  let slots = 0;
  const lines: string[] = [];
  for (const line of plan) {
    const m = /^put maglev_slots ×(\d+) in \[\d+,\d+\]$/.exec(line);
    if (m) slots += Number(m[1]);
    lines.push(m ? SLOT_RUN : line);
  }
  return { slots, lines };
}

/**
 * Expects `table` to give each backend id its weight's share within Maglev's tolerance (1 % of
 * the table, at least one slot), and no slot to an id not listed.
 */
export function expectProportional(table: readonly number[], weights: Record<number, number>): void {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const shares = sharesOf(table);
  const slack = Math.max(1, 0.01 * table.length);
  for (const id of shares.keys()) expect({ id, listed: id in weights }).toEqual({ id, listed: true });
  for (const [id, w] of Object.entries(weights)) {
    const want = (table.length * w) / total;
    const got = shares.get(Number(id)) ?? 0;
    expect({ id, got, near: Math.abs(got - want) <= slack }).toEqual({ id, got, near: true });
  }
}
