// A cube whose name has the maximum length of the name rule (64 bytes, every byte escaped in the
// runtime-record file name) survives a daemon restart: its runtime record is written and read
// back, so its port ids are the ones it had, not ones handed out again (names of 243 to 255
// characters once broke that record and a restart swapped port ids).

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NAME_MAX_BYTES } from '../../../src/common/name-rules';
import { ErrorCode } from '../../../src/polycubed/core/types';
import { TestService } from '../../fixtures/test-service/test-service';
import { describeKernel, PolycubedFixture } from './polycubed-fixture';

// 16 four-byte characters: 64 bytes, 192 characters once percent-encoded.
const NAME = '🙂'.repeat(NAME_MAX_BYTES / 4);

describeKernel('kernel: a maximum-length cube name across a restart', () => {
  const fx = new PolycubedFixture();
  let svc: TestService | undefined;

  const startService = async (): Promise<void> => {
    svc = new TestService(fx.address);
    svc.kit.start();
    await svc.kit.waitRegistered();
  };
  const portIds = (): [string, number][] =>
    (fx.daemon?.cube(NAME)?.ports ?? []).map((p) => [p.name, p.id] as [string, number]).sort();

  afterAll(async () => {
    await svc?.kit.stop();
    await fx.cleanup();
  });

  it('keeps its port ids and its pins', async () => {
    await fx.startDaemon();
    await startService();
    const create = await fx.execute({
      op: 'CREATE',
      cube: NAME,
      path: '/pcntest',
      body: { name: NAME, ports: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
    });
    expect(create).toEqual({ code: ErrorCode.OK });
    // Free id 0 and reuse it for a port that sorts last, so handing ids out again would differ.
    const ports = { path: '/pcntest/ports', isCollection: false };
    const key = (value: string) => [{ list: 'ports', name: 'name', value }];
    expect(await fx.execute({ op: 'DELETE', cube: NAME, ...ports, keys: key('a') })).toEqual({
      code: ErrorCode.OK,
    });
    expect(
      await fx.execute({ op: 'CREATE', cube: NAME, ...ports, keys: key('z'), body: { name: 'z' } }),
    ).toEqual({
      code: ErrorCode.OK,
    });
    const before = portIds();
    expect(before.map(([n]) => n)).toEqual(['b', 'c', 'z']);
    expect(existsSync(join(fx.pinRoot, NAME))).toBe(true);

    await svc?.kit.stop();
    await fx.stopDaemon();
    await fx.startDaemon();
    await startService();

    expect(fx.daemon?.cube(NAME)).toBeDefined();
    expect(portIds()).toEqual(before);
    const runtimeFiles = readdirSync(join(fx.dir, 'state', 'runtime'));
    expect(runtimeFiles).toContain(`${encodeURIComponent(NAME)}.runtime.json`);
  }, 120_000);
});
