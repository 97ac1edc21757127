// A service reply that arrives after its request timed out is never applied silently: the
// connection hands it to the daemon, which deletes a cube created too late, removes a cube deleted
// too late, and persists any other late change.

import { CubeRecord, CubeRegistry } from '../../../src/polycubed/core/cube-registry';
import { reconcileLateReply, type LateReplyContext } from '../../../src/polycubed/core/late-replies';
import { ServiceConnection } from '../../../src/polycubed/core/service-registry';
import { ErrorCode, type ConfigOp } from '../../../src/polycubed/core/types';
import type { CubeDataplane } from '../../../src/polycubed/runtime/cube-dataplane';
import type { ConfigReplyMsg, ConfigRequestMsg, DaemonMessageMsg } from '../../../src/proto/polycube-types';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const request = (op: ConfigRequestMsg['op'], path: string, cube = 'lb0'): ConfigRequestMsg => ({
  id: 7,
  op,
  cube,
  path,
  keys: [],
  bodyJson: '',
  isCollection: false,
});
const ok: ConfigReplyMsg = { id: 7, code: ErrorCode.OK, message: '', bodyJson: '', errorInfo: '' };

/** A reconcile context over a real registry that records what it was asked to do. */
function context(withCube: boolean) {
  const cubes = new CubeRegistry();
  if (withCube)
    cubes.add(new CubeRecord('lb0', 'lbrp', 'u', 'TC', 'INFO', false, false, 1, {} as CubeDataplane));
  const calls = { forwarded: [] as ConfigOp[], destroyed: [] as string[], persisted: [] as string[] };
  const logs: string[] = [];
  const ctx: LateReplyContext = {
    cubes,
    forward: async (op) => {
      calls.forwarded.push(op);
      return { code: ErrorCode.OK };
    },
    destroyCube: (cube) => {
      calls.destroyed.push(cube.name);
      cubes.remove(cube.name);
    },
    afterChange: async (cube) => void calls.persisted.push(cube),
    log: (level, message) => void logs.push(`${level} ${message}`),
  };
  return { ctx, calls, logs };
}

describe('late service replies', () => {
  // The caller gets a timeout that says a late answer is reconciled; the late reply is handed on.
  it('hands a reply that comes after the timeout to the late handler', async () => {
    const late: [ConfigRequestMsg, ConfigReplyMsg][] = [];
    const sent: ConfigRequestMsg[] = [];
    const conn = new ServiceConnection(
      'lbrp',
      { send: (m: DaemonMessageMsg) => void sent.push(m.request as ConfigRequestMsg), close() {} },
      20,
      (req, r) => void late.push([req, r]),
    );
    const res = await conn.request({ ...request('UPDATE', '/lbrp/service'), id: undefined } as never);
    expect(res.code).toBe(ErrorCode.GENERIC_ERROR);
    expect(res.message).toMatch(/did not answer within 20 ms; if it answers later, polycubed reconciles/);
    expect(late).toEqual([]);
    conn.handleReply({ ...ok, id: sent[0].id });
    expect(late).toHaveLength(1);
    expect(late[0][0]).toMatchObject({ op: 'UPDATE', path: '/lbrp/service', cube: 'lb0', id: sent[0].id });
    conn.handleReply({ ...ok, id: sent[0].id }); // a duplicate is ignored
    conn.handleReply({ ...ok, id: 999 }); // so is an id never sent
    expect(late).toHaveLength(1);
  });

  // A reply in time never reaches the late handler.
  it('does not treat a timely reply as late', async () => {
    const late: unknown[] = [];
    let conn: ServiceConnection | undefined = undefined;
    conn = new ServiceConnection(
      'lbrp',
      {
        send: (m: DaemonMessageMsg) =>
          void setImmediate(() => conn?.handleReply({ ...ok, id: (m.request as ConfigRequestMsg).id })),
        close() {},
      },
      1000,
      (req, r) => void late.push([req, r]),
    );
    expect((await conn.request(request('READ', '/lbrp'))).code).toBe(ErrorCode.OK);
    await sleep(5);
    expect(late).toEqual([]);
  });

  // A cube the client was told failed to create, and that polycubed rolled back, is deleted at the service.
  it('deletes a cube the service created after polycubed gave up on it', async () => {
    const t = context(false);
    await reconcileLateReply(t.ctx, 'lbrp', request('CREATE', '/lbrp'), ok);
    expect(t.calls.forwarded).toEqual([
      { op: 'DELETE', service: 'lbrp', cube: 'lb0', path: '/lbrp', keys: [], isCollection: false },
    ]);
    expect(t.calls.persisted).toEqual([]);
    expect(t.logs).toEqual([
      expect.stringMatching(/^WARN .*CREATE \/lbrp on cube lb0 after its timeout.*deleted it again/),
    ]);
  });

  // A cube the service deleted too late is removed on polycubed's side as well, and persisted.
  it('removes a cube the service deleted after the timeout', async () => {
    const t = context(true);
    await reconcileLateReply(t.ctx, 'lbrp', request('DELETE', '/lbrp'), ok);
    expect(t.calls.destroyed).toEqual(['lb0']);
    expect(t.calls.persisted).toEqual(['lb0']);
    expect(t.ctx.cubes.get('lb0')).toBeUndefined();
  });

  // Any other late change is persisted (re-read from the service) and logged.
  it('persists any other change applied after the timeout', async () => {
    const t = context(true);
    await reconcileLateReply(t.ctx, 'lbrp', request('UPDATE', '/lbrp/service/10.0.0.1/80/TCP'), ok);
    expect(t.calls).toEqual({ forwarded: [], destroyed: [], persisted: ['lb0'] });
    expect(t.logs).toEqual([expect.stringMatching(/^WARN .*after its timeout; the change is persisted/)]);
  });

  // A late refusal changed nothing: nothing is done but a log line.
  it('only logs a late refusal', async () => {
    const t = context(true);
    await reconcileLateReply(t.ctx, 'lbrp', request('UPDATE', '/lbrp/x'), {
      ...ok,
      code: ErrorCode.INVALID_VALUE,
      message: 'bad',
    });
    expect(t.calls).toEqual({ forwarded: [], destroyed: [], persisted: [] });
    expect(t.logs).toEqual([expect.stringMatching(/^INFO .*refused UPDATE \/lbrp\/x .*nothing applied/)]);
  });
});
