// READs beside writes (issue 17): while a change's map writes are still on their way to the kernel,
// READs are answered at once (they do not queue behind the write) and show the state before it;
// once the write is answered they show the state after it — never a half-applied change.

import type { ConfigKey, MapWrite } from '../../../src/service-kit';
import { LbrpService } from '../../../src/lbrp/service';
import { fixedClock } from '../../../src/lbrp/dataplane/session-clock';
import { FakeHost } from '../../fixtures/lbrp/fake-host';
import { configRequest, serviceKeys } from '../../fixtures/lbrp/config-requests';

const clock = async () => fixedClock(250, async () => 0n);

/** A host whose map writes wait for `release()` while `hold` is set. */
class GatedHost extends FakeHost {
  hold = false;
  writesSeen = 0;
  private waiting: (() => void)[] = [];
  override async writeMaps(cube: string, ops: MapWrite[]): Promise<number> {
    this.writesSeen++;
    if (this.hold) await new Promise<void>((r) => this.waiting.push(r));
    return super.writeMaps(cube, ops);
  }
  release(): void {
    this.hold = false;
    for (const r of this.waiting.splice(0)) r();
  }
}

const req = configRequest;
const svcKeys: ConfigKey[] = serviceKeys();
const beKeys = (ip: string): ConfigKey[] => [...svcKeys, { list: 'backend', name: 'ip', value: ip }];

describe('LbrpService READs during a write', () => {
  it('answer at once with the state before the change, then the state after it', async () => {
    const host = new GatedHost();
    host.addCube('lb0', []);
    const svc = new LbrpService(host, { log: () => undefined, clock, statsTtlMs: 0 });
    try {
      expect(await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0' }))).toEqual({});
      const body = { vip: '10.0.0.1', vport: 80, proto: 'TCP', backend: [{ ip: '10.1.0.1', port: 80 }] };
      expect(await svc.onConfig(req('CREATE', '/lbrp/service', svcKeys, body))).toEqual({});
      const backends = async (): Promise<string[]> => {
        const a = await svc.onConfig(req('READ', '/lbrp/service/backend', svcKeys));
        return (a.body as Array<{ ip: string }>).map((b) => b.ip).sort();
      };

      host.hold = true;
      const before = host.writesSeen;
      let done = false;
      const write = svc
        .onConfig(req('CREATE', '/lbrp/service/backend', beKeys('10.1.0.2'), { ip: '10.1.0.2', port: 80 }))
        .then((a) => {
          done = true;
          return a;
        });
      // The write reached the kernel step and waits there.
      for (let i = 0; i < 100 && host.writesSeen === before; i++) await new Promise((r) => setImmediate(r));
      expect(host.writesSeen).toBeGreaterThan(before);
      // READs answer meanwhile, with the old state (several, none queued behind the write).
      for (let i = 0; i < 5; i++) expect(await backends()).toEqual(['10.1.0.1']);
      const leaf = await svc.onConfig(req('READ', '/lbrp/service/backend/port', beKeys('10.1.0.2')));
      expect(leaf.code).toBeDefined(); // not there yet: an error, not a half-built backend
      expect(done).toBe(false);

      host.release();
      expect(await write).toEqual({});
      expect(await backends()).toEqual(['10.1.0.1', '10.1.0.2']);
      expect((await svc.onConfig(req('READ', '/lbrp/service/backend/port', beKeys('10.1.0.2')))).body).toBe(
        80,
      );
    } finally {
      host.release();
      svc.stop();
    }
  });
});
