// session_config[0] of one cube: the session table's secret, idle timeouts and admission rate.
// The policy (seconds, per-second rate) is converted to session clock units with the kernel's HZ;
// the secret is read from the pinned map and kept when set, or generated once (16 random bytes)
// when the map holds none — a new cube, or maps created anew — so it outlives program reloads and
// restarts. The secret is never logged and never leaves this module except into the map.

import { randomBytes } from 'node:crypto';
import type { MapWrite } from '../../service-kit';
import {
  decodeSessionConfig,
  encodeSessionConfig,
  encodeU32,
  TIMEOUT,
  TIMEOUT_MAX,
  type SessionConfig,
} from '../dataplane/map-layouts';
import { admissionOf, secondsToUnits, type SessionClock } from '../dataplane/session-clock';
import type { SessionPolicy } from '../model/session-policy';
import type { CubeHost } from './cube-host';
import { MAPS } from './map-plan';

type Secret = SessionConfig['secret'];

const KEY0 = encodeU32(0);
const isZeroSecret = (s: Secret): boolean => s.every((w) => w === 0);

/** session_config's value for `policy` at `hz`, with `secret`. Pure. */
export function sessionConfigOf(policy: SessionPolicy, hz: number, secret: Secret): SessionConfig {
  const timeouts = new Array<number>(TIMEOUT_MAX).fill(0);
  timeouts[TIMEOUT.TCP_NEW] = secondsToUnits(policy.tcpNewTimeout, hz);
  timeouts[TIMEOUT.TCP_ESTABLISHED] = secondsToUnits(policy.tcpEstablishedTimeout, hz);
  timeouts[TIMEOUT.TCP_CLOSING] = secondsToUnits(policy.tcpClosingTimeout, hz);
  timeouts[TIMEOUT.UDP] = secondsToUnits(policy.udpTimeout, hz);
  timeouts[TIMEOUT.ICMP] = secondsToUnits(policy.icmpTimeout, hz);
  const { perJiffyQ16, burstQ16 } = admissionOf(policy.newSessionsPerCpu, hz);
  return { secret, timeouts, admitPerJiffyQ16: perJiffyQ16, admitBurstQ16: burstQ16 };
}

/** 16 random bytes as four u32 words, never all zero (all zero means "no secret yet"). */
export function newSecret(random: (n: number) => Buffer = randomBytes): Secret {
  for (;;) {
    const b = random(16);
    const s: Secret = [b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12)];
    if (!isZeroSecret(s)) return s;
  }
}

/** Keeps one cube's session_config in step with its policy. */
export class SessionConfigSync {
  /** What the map holds, as far as this process knows; undefined = read it before planning. */
  private known: Buffer | undefined;
  private pending: Buffer | undefined;

  constructor(
    private readonly host: CubeHost,
    private readonly cube: string,
    private readonly clock: () => Promise<SessionClock>,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {}

  /** Forgets what the map holds (after a program load, a failed write or a restart). */
  forget(): void {
    this.known = undefined;
  }

  /**
   * The write that makes session_config hold `policy` (keeping the map's secret, or a new one
   * when it has none), or undefined when it already does. Reads the map when it does not know
   * it; undefined too when the map cannot be read (a program without it). Call `written()` once
   * the write is applied.
   */
  async plan(policy: SessionPolicy): Promise<MapWrite | undefined> {
    if (this.known === undefined) {
      let entries;
      try {
        entries = await this.host.readMaps(this.cube, MAPS.sessionConfig, [KEY0]);
      } catch {
        // A program from before session_config (a cube adopted from an older build) has no such
        // map: nothing to write; the next sync asks again (a reload brings the map).
        return undefined;
      }
      this.known = entries[0]?.value ?? Buffer.alloc(0);
    }
    const current = this.known.length > 0 ? decodeSessionConfig(this.known).secret : undefined;
    const secret = current && !isZeroSecret(current) ? current : newSecret(this.random);
    const value = encodeSessionConfig(sessionConfigOf(policy, (await this.clock()).hz, secret));
    this.pending = value;
    return value.equals(this.known) ? undefined : { map: MAPS.sessionConfig, key: KEY0, value };
  }

  /** The planned write was applied. */
  written(): void {
    if (this.pending) this.known = this.pending;
  }
}
