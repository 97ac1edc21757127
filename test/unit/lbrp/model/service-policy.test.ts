// The service policy leaves (drain-timeout, session-affinity, affinity-timeout) through
// applyRequest and readView: set on create, element PATCH and leaf PATCH, kept by writes that do
// not name them (a PATCH of the name, a backend change), reset by a PUT of the service, and every
// invalid value refused with a 400 naming the leaf, the model unchanged.

import type { Result } from '../../../../src/common/errors';
import { emptyCube, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import { DEFAULT_SERVICE_POLICY, policyOf } from '../../../../src/lbrp/model/service-policy';
import { applyRequest } from '../../../../src/lbrp/requests/apply-request';
import { counterLookup, readView } from '../../../../src/lbrp/requests/read-views';
import { errorDef } from '../../../../src/common/errors';
import { EMPTY_KERNEL_STATE } from '../../../../src/lbrp/sync/kernel-state';

const EMPTY_LOOKUP = counterLookup(EMPTY_KERNEL_STATE, undefined);

const REF = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };
const SVC = { kind: 'service', ref: REF } as const;
const leaf = (name: string) => ({ kind: 'service-leaf', ref: REF, leaf: name }) as const;

function must(r: Result<CubeModel>): CubeModel {
  if (!r.ok) throw new Error(`setup: ${r.error.message}`);
  return r.value;
}

const policy = (m: CubeModel) => policyOf(m.services.get('10.0.0.1:80:TCP') as never);

function withService(body: Record<string, unknown> = {}): CubeModel {
  return must(applyRequest(emptyCube('lb0', 'SINGLE'), SVC, 'CREATE', { ...body, ...REF }));
}

describe('service policy leaves', () => {
  it('defaults: drain-timeout 0, affinity NONE, affinity-timeout 10800; a default service carries none', () => {
    const m = withService();
    expect(DEFAULT_SERVICE_POLICY).toEqual({
      drainTimeout: 0,
      sessionAffinity: 'NONE',
      affinityTimeout: 10800,
    });
    expect(policy(m)).toEqual(DEFAULT_SERVICE_POLICY);
    expect(m.services.get('10.0.0.1:80:TCP')?.policy).toBeUndefined();
  });

  it('set on create, shown by READ of the service and of each leaf (enums in lower case)', () => {
    const m = withService({ 'drain-timeout': 30, 'session-affinity': 'CLIENT_IP', 'affinity-timeout': 60 });
    expect(policy(m)).toEqual({ drainTimeout: 30, sessionAffinity: 'CLIENT_IP', affinityTimeout: 60 });
    const view = readView(m, SVC, EMPTY_LOOKUP);
    expect(view).toMatchObject({
      ok: true,
      value: { 'drain-timeout': 30, 'session-affinity': 'client_ip', 'affinity-timeout': 60 },
    });
    expect(readView(m, leaf('session-affinity'), EMPTY_LOOKUP)).toEqual({ ok: true, value: 'client_ip' });
    expect(readView(m, leaf('drain-timeout'), EMPTY_LOOKUP)).toEqual({ ok: true, value: 30 });
  });

  it('a leaf PATCH changes that leaf only; a PATCH of the name or a backend keeps the policy', () => {
    let m = withService({ 'drain-timeout': 30 });
    m = must(applyRequest(m, leaf('session-affinity'), 'UPDATE', 'CLIENT_IP'));
    m = must(applyRequest(m, leaf('affinity-timeout'), 'UPDATE', 5));
    expect(policy(m)).toEqual({ drainTimeout: 30, sessionAffinity: 'CLIENT_IP', affinityTimeout: 5 });
    m = must(applyRequest(m, SVC, 'UPDATE', { name: 'web' }));
    m = must(applyRequest(m, { kind: 'backend', ref: REF, ip: '192.168.1.1' }, 'CREATE', { port: 8080 }));
    expect(policy(m)).toEqual({ drainTimeout: 30, sessionAffinity: 'CLIENT_IP', affinityTimeout: 5 });
    m = must(applyRequest(m, SVC, 'UPDATE', { 'session-affinity': 'NONE' }));
    expect(policy(m).sessionAffinity).toBe('NONE');
    // PUT replaces the service: what it does not name is back at its default.
    m = must(applyRequest(m, SVC, 'REPLACE', { 'affinity-timeout': 7 }));
    expect(policy(m)).toEqual({ ...DEFAULT_SERVICE_POLICY, affinityTimeout: 7 });
  });

  it.each([
    ['drain-timeout', -1],
    ['drain-timeout', 2_592_001],
    ['drain-timeout', 1.5],
    ['drain-timeout', 'ten'],
    ['affinity-timeout', 0],
    ['affinity-timeout', 86_401],
    ['session-affinity', 'COOKIE'],
    ['session-affinity', 1],
  ])('refuses %s = %p with a 400 naming the leaf', (name, value) => {
    const m = withService();
    const r = applyRequest(m, leaf(name), 'UPDATE', value);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(errorDef(r.error.code).status).toBe(400);
    expect(r.error.message).toContain(`"${name}"`);
    expect(r.error.message).toContain(`/lbrp/service/${name}`);
  });

  it('refuses an invalid leaf in a service body as a whole (nothing created)', () => {
    const empty = emptyCube('lb0', 'SINGLE');
    const r = applyRequest(empty, SVC, 'CREATE', { ...REF, 'drain-timeout': 5, 'affinity-timeout': 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('"affinity-timeout"');
    const list = applyRequest(empty, { kind: 'cube' }, 'UPDATE', {
      service: [{ ...REF, 'drain-timeout': -3 }],
    });
    expect(list.ok).toBe(false);
    if (!list.ok) expect(list.error.message).toContain('"drain-timeout"');
  });
});
