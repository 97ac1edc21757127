// Kernel tests of state that must never go stale: a change is in the state file before its reply
// (or the reply says it is not), a reply that comes after its timeout is reconciled and persisted,
// and pins that no persisted cube claims are torn down at start, never reused by a new cube.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCode } from '../../../src/polycubed/core/types';
import { queryTc } from '../../../src/polycubed/runtime/netdev-attach';
import { SLOW_LABEL_MS, TestService } from '../../fixtures/test-service/test-service';
import { describeKernel, PolycubedFixture, waitFor } from './polycubed-fixture';

describeKernel('kernel: polycubed keeps no stale state', () => {
  const fx = new PolycubedFixture();
  let svc: TestService | undefined;
  const stateFile = (): string => fx.options.stateFile as string;
  const saved = (): { name: string; label?: string }[] => JSON.parse(readFileSync(stateFile(), 'utf8'));
  const ifindex = (dev: string | undefined): number =>
    Number(readFileSync(`/sys/class/net/${dev}/ifindex`, 'utf8'));
  const create = (name: string, withPorts = true) =>
    fx.execute({
      op: 'CREATE',
      cube: name,
      path: '/pcntest',
      body: {
        name,
        label: 'first',
        ...(withPorts
          ? {
              ports: [
                { name: 'p0', peer: fx.vClient?.a, role: 'client' },
                { name: 'p1', peer: fx.vServer?.a, role: 'server' },
              ],
            }
          : {}),
      },
    });
  const setLabel = (label: string) =>
    fx.execute({ op: 'UPDATE', cube: 'fw0', path: '/pcntest/label', body: label });
  const frames = async (): Promise<number> =>
    Number((await fx.execute({ op: 'READ', cube: 'fw0', path: '/pcntest/frames' })).body);
  const connected = async (): Promise<void> => {
    await waitFor(() => fx.daemon?.service('pcntest')?.connected === true, 'the service to register', 15000);
  };

  beforeAll(async () => {
    fx.topology();
    await fx.startDaemon();
    svc = new TestService(fx.address);
    svc.kit.start();
    await svc.kit.waitRegistered();
  }, 30000);
  afterAll(async () => {
    await svc?.kit.stop();
    await fx.cleanup();
  });

  // The reply to a change comes only after the state file holds it: read right after the reply, no flush.
  it('persists a change before it answers', async () => {
    expect(await create('fw0')).toEqual({ code: ErrorCode.OK });
    expect(saved().map((c) => c.name)).toEqual(['fw0']);
    expect(await setLabel('second')).toEqual({ code: ErrorCode.OK });
    expect(saved()[0].label).toBe('second');
    expect(fx.ping()).toBe(true);
  }, 60000);

  // A change that cannot be written answers an error saying it is live but not persisted.
  it('says so when a change is applied but cannot be saved', async () => {
    const dir = dirname(stateFile());
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'a file where the state directory should be');
    try {
      const res = await setLabel('unsaved');
      expect(res.code).toBe(ErrorCode.GENERIC_ERROR);
      expect(res.message).toMatch(
        /^the change is applied but not persisted \(cannot save .*cubes\.json: .*\); it will be lost at the next restart/,
      );
    } finally {
      rmSync(dir, { force: true });
      mkdirSync(dir, { recursive: true });
    }
    expect(await setLabel('saved')).toEqual({ code: ErrorCode.OK });
    expect(saved()[0].label).toBe('saved');
  }, 30000);

  // A reply that comes after its timeout is not dropped: the change it made is persisted and logged.
  it('reconciles and persists a change the service applies after the timeout', async () => {
    await fx.stopDaemon();
    fx.options.requestTimeoutMs = SLOW_LABEL_MS / 5;
    try {
      await fx.startDaemon();
      await connected();
      const res = await setLabel('slow:late');
      expect(res.code).toBe(ErrorCode.GENERIC_ERROR);
      expect(res.message).toMatch(/did not answer within \d+ ms; if it answers later, polycubed reconciles/);
      expect(saved()[0].label).toBe('saved');
      await waitFor(
        () =>
          fx.logs.some((l) =>
            /applied UPDATE \/pcntest\/label on cube fw0 after its timeout; the change is persisted/.test(
              l.message,
            ),
          ),
        'the late reply to be reconciled',
        SLOW_LABEL_MS * 4,
      );
      expect(saved()[0].label).toBe('slow:late');
    } finally {
      await fx.stopDaemon();
      fx.options.requestTimeoutMs = 20000;
      await fx.startDaemon();
      await connected();
    }
  }, 60000);

  // Pins of a cube whose record is lost (corrupt state file) stop forwarding and are removed at start;
  // a new cube of the same name starts from fresh maps.
  it('tears down pins no persisted cube claims and never reuses them', async () => {
    expect(fx.ping()).toBe(true);
    const oldFrames = await frames();
    expect(oldFrames).toBeGreaterThanOrEqual(4); // at least two echo requests and their replies
    const devs = [fx.vClient?.a, fx.vServer?.a];
    const oldProgram = fx.daemon?.cube('fw0')?.programId;
    await fx.stopDaemon();
    expect(fx.ping()).toBe(true); // the pinned dataplane forwards without polycubed
    writeFileSync(stateFile(), '[{"service-name": "pcntest", "name": ');
    const daemon = await fx.startDaemon();
    expect(daemon.startup.corrupt?.reason).toMatch(/unreadable/);
    expect(daemon.startup.orphans).toEqual(['fw0']);
    expect(existsSync(join(fx.pinRoot, 'fw0'))).toBe(false);
    for (const dev of devs) {
      expect(queryTc(ifindex(dev))).toBeUndefined();
      // the clsact qdiscs polycubed created are gone too (its runtime record said so)
      expect(execFileSync('tc', ['qdisc', 'show', 'dev', dev as string], { encoding: 'utf8' })).not.toMatch(
        /clsact/,
      );
    }
    expect(
      fx.logs.some((l) =>
        new RegExp(
          `pins of cube fw0 are claimed by no persisted cube: removed \\(program ${oldProgram}, detached from .* tc`,
        ).test(l.message),
      ),
    ).toBe(true);
    expect(fx.ping(1)).toBe(false); // nothing joins the two namespaces any more
    await connected();
    expect(await create('fw0')).toEqual({ code: ErrorCode.OK });
    expect(fx.daemon?.cube('fw0')?.programId).not.toBe(oldProgram);
    expect(await frames()).toBeLessThan(oldFrames); // fresh maps: the old counter did not carry over
    expect(fx.ping()).toBe(true);
  }, 90000);

  // Pins that appear under a name no cube record claims are refused, not taken over.
  it('refuses to create a cube over pins no record claims', async () => {
    mkdirSync(join(fx.pinRoot, 'ghost', 'maps'), { recursive: true });
    const res = await create('ghost', false);
    expect(res.code).toBe(ErrorCode.DATA_EXISTS);
    expect(res.message).toMatch(/^pins of an unknown cube ghost exist at .*\/ghost; they are never reused/);
    expect(fx.daemon?.cube('ghost')).toBeUndefined();
    expect(existsSync(join(fx.pinRoot, 'ghost', 'prog'))).toBe(false);
  }, 30000);
});
