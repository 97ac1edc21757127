// session_config of one cube: the policy in clock units at the kernel's HZ, the secret kept when
// the map holds one and generated (nonzero) when it holds none, and a write only when the value
// would change.

import {
  decodeSessionConfig,
  encodeSessionConfig,
  encodeU32,
} from '../../../../src/lbrp/dataplane/map-layouts';
import { fixedClock } from '../../../../src/lbrp/dataplane/session-clock';
import { DEFAULT_SESSION_POLICY } from '../../../../src/lbrp/model/session-policy';
import { newSecret, SessionConfigSync, sessionConfigOf } from '../../../../src/lbrp/sync/session-config-sync';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';

const KEY0 = encodeU32(0);

function setup(hz = 1000): { host: FakeHost; sync: SessionConfigSync; random: jest.Mock } {
  const host = new FakeHost();
  host.addCube('lb0');
  let n = 0;
  // Each call: 16 bytes all equal to the call number (1, 2, …).
  const random = jest.fn((len: number) => Buffer.alloc(len, ++n));
  const sync = new SessionConfigSync(host, 'lb0', async () => fixedClock(hz, async () => undefined), random);
  return { host, sync, random };
}

async function apply(
  host: FakeHost,
  sync: SessionConfigSync,
  policy = DEFAULT_SESSION_POLICY,
): Promise<boolean> {
  const w = await sync.plan(policy);
  if (!w) return false;
  await host.writeMaps('lb0', [w]);
  sync.written();
  return true;
}

describe('session_config', () => {
  // The defaults at HZ 1000: seconds × 1000 / 256 rounded up; 100,000 sessions/s per CPU.
  it('converts the policy at the kernel HZ', () => {
    expect(sessionConfigOf(DEFAULT_SESSION_POLICY, 1000, [1, 2, 3, 4])).toEqual({
      secret: [1, 2, 3, 4],
      timeouts: [235, 28125, 40, 235, 118],
      admitPerJiffyQ16: 6553600n,
      admitBurstQ16: 100000n * 65536n,
    });
  });

  // A new cube (map all zero) gets a random secret; later plans keep it and write nothing when
  // nothing changed; a policy change rewrites the value with the same secret.
  it('generates the secret once and keeps it', async () => {
    const { host, sync, random } = setup();
    expect(await apply(host, sync)).toBe(true);
    const first = decodeSessionConfig(host.readRaw('lb0', 'session_config', KEY0));
    expect(first.secret).toEqual([0x01010101, 0x01010101, 0x01010101, 0x01010101]);
    expect(await apply(host, sync)).toBe(false);
    expect(await apply(host, sync, { ...DEFAULT_SESSION_POLICY, udpTimeout: 1 })).toBe(true);
    const second = decodeSessionConfig(host.readRaw('lb0', 'session_config', KEY0));
    expect(second).toEqual({ ...first, timeouts: [235, 28125, 40, 4, 118] });
    expect(random).toHaveBeenCalledTimes(1);
  });

  // A secret already in the map (a restart, another process) is kept, and the policy around it
  // is rewritten only if it differs.
  it('keeps a secret it finds in the map', async () => {
    const { host, sync, random } = setup();
    const existing = sessionConfigOf(DEFAULT_SESSION_POLICY, 1000, [9, 8, 7, 6]);
    host.poke('lb0', 'session_config', KEY0, encodeSessionConfig(existing));
    expect(await apply(host, sync)).toBe(false);
    expect(await apply(host, sync, { ...DEFAULT_SESSION_POLICY, icmpTimeout: 256 })).toBe(true);
    expect(decodeSessionConfig(host.readRaw('lb0', 'session_config', KEY0)).secret).toEqual([9, 8, 7, 6]);
    expect(random).not.toHaveBeenCalled();
  });

  // After forget() (a program load), the map is read again: maps created anew get a new secret.
  it('reads the map again after forget, and replaces a lost secret', async () => {
    const { host, sync } = setup();
    await apply(host, sync);
    host.poke('lb0', 'session_config', KEY0, Buffer.alloc(56));
    expect(await apply(host, sync)).toBe(false); // still believes the map holds its value
    sync.forget();
    expect(await apply(host, sync)).toBe(true);
    expect(decodeSessionConfig(host.readRaw('lb0', 'session_config', KEY0)).secret).toEqual([
      0x02020202, 0x02020202, 0x02020202, 0x02020202,
    ]);
  });

  // A program without session_config (adopted from an older build): nothing to write, no error;
  // once the map exists (after a reload), the next plan writes it.
  it('skips a program that has no session_config map', async () => {
    const { host, sync } = setup();
    const read = host.readMaps.bind(host);
    host.readMaps = async (cube, map, keys) => {
      if (map === 'session_config') throw new Error('object lb0 has no map session_config');
      return read(cube, map, keys);
    };
    expect(await sync.plan(DEFAULT_SESSION_POLICY)).toBeUndefined();
    host.readMaps = read;
    expect(await apply(host, sync)).toBe(true);
  });

  // All-zero random bytes (2^-128, but "zero" means "no secret") are drawn again.
  it('never returns an all-zero secret', () => {
    const draws = [Buffer.alloc(16), Buffer.alloc(16, 5)];
    expect(newSecret(() => draws.shift() as Buffer)).toEqual([
      0x05050505, 0x05050505, 0x05050505, 0x05050505,
    ]);
  });
});
