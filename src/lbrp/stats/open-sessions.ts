// Which session table entries are open sessions: conntrack (forward) entries in state CT_NEW or
// CT_ESTABLISHED whose idle time (session clock now − last_seen) is within the timeout of their
// protocol and state, as session_config holds it (0 = never expires). Counts them per service and
// backend id and for the cube, with the table's used ways. Pure.

import {
  CT_STATE,
  ctStateOf,
  IPPROTO,
  SESSION_FORWARD,
  STRUCT_LAYOUTS,
  TIMEOUT,
} from '../dataplane/map-layouts';
import type { SessionEntry } from '../dataplane/session-table';

const PROTO_OFF = STRUCT_LAYOUTS.flow_key.fields.proto.offset;
// conntrack_value fields read in place: a table can hold millions of entries.
const CT = STRUCT_LAYOUTS.conntrack_value.fields;
const { ICMP, TCP, UDP } = IPPROTO;

/**
 * The session_config.timeout[] slot of an entry of `proto` in `state`, or undefined when none
 * applies (an unknown protocol: such entries never expire).
 */
export function timeoutSlotOf(proto: number, state: number): number | undefined {
  if (proto === TCP) {
    if (state === CT_STATE.NEW) return TIMEOUT.TCP_NEW;
    return state === CT_STATE.ESTABLISHED ? TIMEOUT.TCP_ESTABLISHED : TIMEOUT.TCP_CLOSING;
  }
  if (proto === UDP) return TIMEOUT.UDP;
  return proto === ICMP ? TIMEOUT.ICMP : undefined;
}

/**
 * True when an entry last used at `lastSeen` has not expired at `now` under `timeout` (session
 * clock units, u32 arithmetic as the datapath's; 0 = never). `now` undefined (the clock cannot
 * be read): nothing counts as expired.
 */
export function withinTimeout(lastSeen: number, timeout: number, now: number | undefined): boolean {
  if (timeout === 0 || now === undefined) return true;
  return (now - lastSeen) >>> 0 <= timeout;
}

/** True when a forward entry is an open session (new or established, not expired). */
export function isOpenSession(
  e: SessionEntry,
  timeouts: readonly number[],
  now: number | undefined,
): boolean {
  if (e.kind !== SESSION_FORWARD) return false;
  const state = ctStateOf(e.value.readUInt16LE(CT.flags.offset));
  if (state !== CT_STATE.NEW && state !== CT_STATE.ESTABLISHED) return false;
  const slot = timeoutSlotOf(e.key[PROTO_OFF], state);
  return slot === undefined || withinTimeout(e.lastSeen, timeouts[slot] ?? 0, now);
}

/** Open sessions and used ways of a table. */
export interface SessionCount {
  /** Used ways, both kinds, expired ones included. */
  entries: number;
  /** Open sessions of the cube. */
  open: number;
  /** Open sessions by service id. */
  byService: Map<number, number>;
  /** Open sessions by backend id. */
  byBackend: Map<number, number>;
}

const bump = (m: Map<number, number>, k: number): void => void m.set(k, (m.get(k) ?? 0) + 1);

/** Counts the used ways and open sessions of `entries` (every used way of the table). */
export function countSessions(
  entries: Iterable<SessionEntry>,
  timeouts: readonly number[],
  now: number | undefined,
): SessionCount {
  const out: SessionCount = { entries: 0, open: 0, byService: new Map(), byBackend: new Map() };
  for (const e of entries) {
    out.entries++;
    if (!isOpenSession(e, timeouts, now)) continue;
    out.open++;
    bump(out.byService, e.value.readUInt32LE(CT.service_id.offset));
    bump(out.byBackend, e.value.readUInt32LE(CT.backend_id.offset));
  }
  return out;
}
