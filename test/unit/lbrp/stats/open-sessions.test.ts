// Open sessions: conntrack entries in state new or established whose idle time is within the
// timeout of their protocol and state (0 = never; u32 clock arithmetic across the wrap); reverse
// entries, closing, closed and expired ones are not open, but every used way is a table entry.

import {
  CT_STATE,
  CT_STATE_SHIFT,
  encodeConntrackValue,
  F_CT_SRC_REWRITTEN,
  SESSION_FORWARD,
  SESSION_REVERSE,
  TIMEOUT,
} from '../../../../src/lbrp/dataplane/map-layouts';
import type { SessionEntry } from '../../../../src/lbrp/dataplane/session-table';
import {
  countSessions,
  isOpenSession,
  timeoutSlotOf,
  withinTimeout,
} from '../../../../src/lbrp/stats/open-sessions';

/** Timeouts by slot: tcp-new 10, established 1000, closing 5, udp 20, icmp 3 units. */
const TIMEOUTS = [10, 1000, 5, 20, 3];
const NOW = 5000;

interface EntryInput {
  proto?: number;
  kind?: number;
  state?: number;
  idle: number;
  service?: number;
  backend?: number;
}

function entry({
  proto = 6,
  kind = SESSION_FORWARD,
  state = CT_STATE.NEW,
  idle,
  service = 1,
  backend = 2,
}: EntryInput): SessionEntry {
  const key = Buffer.alloc(16);
  key[12] = proto;
  key[13] = kind;
  const value = encodeConntrackValue({
    backendIp: '10.0.0.2',
    backendPort: 80,
    // A per-entry flag beside the state bits must not change the state read.
    flags: (state << CT_STATE_SHIFT) | F_CT_SRC_REWRITTEN,
    backendId: backend,
    serviceId: service,
    natSaddr: '10.0.0.1',
  });
  return { key, kind, value, lastSeen: (NOW - idle) >>> 0 };
}

describe('open sessions', () => {
  // The timeout slot follows the protocol, and for TCP the state.
  it('picks the timeout of the protocol and state', () => {
    expect(timeoutSlotOf(6, CT_STATE.NEW)).toBe(TIMEOUT.TCP_NEW);
    expect(timeoutSlotOf(6, CT_STATE.ESTABLISHED)).toBe(TIMEOUT.TCP_ESTABLISHED);
    expect(timeoutSlotOf(6, CT_STATE.CLOSING)).toBe(TIMEOUT.TCP_CLOSING);
    expect(timeoutSlotOf(6, CT_STATE.CLOSED)).toBe(TIMEOUT.TCP_CLOSING);
    expect(timeoutSlotOf(17, CT_STATE.ESTABLISHED)).toBe(TIMEOUT.UDP);
    expect(timeoutSlotOf(1, CT_STATE.NEW)).toBe(TIMEOUT.ICMP);
    expect(timeoutSlotOf(47, CT_STATE.NEW)).toBeUndefined();
  });

  // Idle time equal to the timeout is still open; one unit more has expired; 0 never expires;
  // an unknown now expires nothing; the clock's wrap is handled as the datapath's u32 subtraction.
  it('judges expiry in u32 clock units', () => {
    expect(withinTimeout(NOW - 10, 10, NOW)).toBe(true);
    expect(withinTimeout(NOW - 11, 10, NOW)).toBe(false);
    expect(withinTimeout(0, 0, NOW)).toBe(true);
    expect(withinTimeout(0, 1, undefined)).toBe(true);
    expect(withinTimeout(0xfffffffe, 5, 2)).toBe(true); // 4 units across the wrap
    expect(withinTimeout(0xfffffff0, 5, 2)).toBe(false);
  });

  it.each([
    { name: 'a fresh TCP handshake', in: { idle: 10 }, want: true },
    { name: 'a TCP handshake idle past tcp-new-timeout', in: { idle: 11 }, want: false },
    {
      name: 'an established TCP session idle for long',
      in: { state: CT_STATE.ESTABLISHED, idle: 999 },
      want: true,
    },
    {
      name: 'an established TCP session past its timeout',
      in: { state: CT_STATE.ESTABLISHED, idle: 1001 },
      want: false,
    },
    { name: 'a closing TCP session', in: { state: CT_STATE.CLOSING, idle: 0 }, want: false },
    { name: 'a closed TCP session', in: { state: CT_STATE.CLOSED, idle: 0 }, want: false },
    { name: 'a UDP flow within udp-timeout', in: { proto: 17, idle: 20 }, want: true },
    { name: 'a UDP flow past udp-timeout', in: { proto: 17, idle: 21 }, want: false },
    {
      name: 'an ICMP echo past icmp-timeout',
      in: { proto: 1, state: CT_STATE.ESTABLISHED, idle: 4 },
      want: false,
    },
    { name: 'a reverse NAT entry', in: { kind: SESSION_REVERSE, idle: 0 }, want: false },
  ])('$name: open = $want', ({ in: input, want }) => {
    expect(isOpenSession(entry(input), TIMEOUTS, NOW)).toBe(want);
  });

  // Counting: per service and backend id and for the cube; every used way is an entry.
  it('counts open sessions per service and backend, and the used ways', () => {
    const entries = [
      entry({ idle: 1, service: 1, backend: 2 }),
      entry({ kind: SESSION_REVERSE, idle: 1, service: 1, backend: 2 }),
      entry({ state: CT_STATE.ESTABLISHED, idle: 500, service: 1, backend: 3 }),
      entry({ proto: 17, idle: 2, service: 4, backend: 5 }),
      entry({ idle: 50, service: 1, backend: 2 }), // expired
      entry({ state: CT_STATE.CLOSED, idle: 0, service: 4, backend: 5 }),
    ];
    const c = countSessions(entries, TIMEOUTS, NOW);
    expect(c).toEqual({
      entries: 6,
      open: 3,
      byService: new Map([
        [1, 2],
        [4, 1],
      ]),
      byBackend: new Map([
        [2, 1],
        [3, 1],
        [5, 1],
      ]),
    });
    // All-zero timeouts (session_config not written, or an older program): nothing expires.
    expect(countSessions(entries, [0, 0, 0, 0, 0], NOW).open).toBe(4);
  });
});
