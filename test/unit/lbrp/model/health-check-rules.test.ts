// The health-check container's rules: every leaf refused out of its range naming the leaf (400),
// timeout below interval, http-status and hex syntax, partial updates keeping the rest.

import {
  DEFAULT_HEALTH_CHECK,
  effectiveTimeout,
  healthCheckInput,
  mergeHealthCheck,
  parseHex,
  parseStatusRange,
} from '../../../../src/lbrp/model/health-check-rules';
import { emptyCube } from '../../../../src/lbrp/model/cube-model';
import { addService, updateService } from '../../../../src/lbrp/model/service-rules';
import { errorDef } from '../../../../src/common/errors';

describe('health-check rules', () => {
  it.each([
    ['type', 'PING'],
    ['port', 70000],
    ['port', -1],
    ['interval', 99],
    ['interval', 3_600_001],
    ['interval', 1.5],
    ['timeout', 9],
    ['rise', 0],
    ['fall', 101],
    ['http-path', 'healthz'],
    ['http-path', '/a b'],
    ['http-status', '200-'],
    ['http-status', '399-200'],
    ['http-status', '600'],
    ['http-status', 'ok'],
    ['udp-payload', 'abc'],
    ['udp-payload', 'zz'],
    ['udp-expect', '0x00'],
    ['interval', '1000'],
  ])('refuses %s = %p naming the leaf', (leaf, value) => {
    const r = mergeHealthCheck(DEFAULT_HEALTH_CHECK, healthCheckInput({ [leaf]: value }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('CUBE_ERR_LBRP_HEALTH_CHECK');
    expect(errorDef(r.error.code).status).toBe(400);
    expect(r.error.info).toBe(leaf);
    expect(r.error.message).toContain(leaf);
  });

  it('refuses a timeout not below the interval, naming timeout', () => {
    const r = mergeHealthCheck(DEFAULT_HEALTH_CHECK, { interval: 500, timeout: 500 });
    expect(r.ok ? 'accepted' : [r.error.info, r.error.message]).toEqual([
      'timeout',
      'invalid health-check timeout: timeout (500 ms) must be less than interval (500 ms)',
    ]);
    // Lowering the interval under a configured timeout is refused the same way.
    const r2 = mergeHealthCheck({ ...DEFAULT_HEALTH_CHECK, timeout: 400 }, { interval: 400 });
    expect(r2.ok ? 'accepted' : r2.error.info).toBe('timeout');
  });

  // The brief's example `set type=TCP interval=500 fall=2` must pass: the timeout follows the interval.
  it('merges only the members a body carries (type in any case)', () => {
    const first = mergeHealthCheck(
      DEFAULT_HEALTH_CHECK,
      healthCheckInput({ type: 'tcp', interval: 500, fall: 2 }),
    );
    expect(first.ok && first.value).toEqual({ ...DEFAULT_HEALTH_CHECK, type: 'TCP', interval: 500, fall: 2 });
    expect(first.ok && effectiveTimeout(first.value)).toBe(250);
    expect(effectiveTimeout(DEFAULT_HEALTH_CHECK)).toBe(500);
  });

  it('parses status ranges and hex', () => {
    expect(parseStatusRange('200-399')).toEqual([200, 399]);
    expect(parseStatusRange('503')).toEqual([503, 503]);
    expect(parseStatusRange('099')).toBeUndefined();
    expect(parseHex('70696E67')).toEqual(Buffer.from('ping'));
    expect(parseHex('')).toEqual(Buffer.alloc(0));
    expect(parseHex('7')).toBeUndefined();
  });

  it('a refused health-check leaves the service unchanged; accepted ones reach the model', () => {
    const m0 = addService(emptyCube('lb0', 'SINGLE'), { vip: '10.0.0.1', vport: 80, proto: 'TCP' });
    if (!m0.ok) throw new Error(m0.error.message);
    const bad = updateService(m0.value, {
      vip: '10.0.0.1',
      vport: 80,
      proto: 'TCP',
      healthCheck: { rise: 0 },
    });
    expect(bad.ok).toBe(false);
    const good = updateService(m0.value, {
      vip: '10.0.0.1',
      vport: 80,
      proto: 'TCP',
      healthCheck: { type: 'HTTP', httpStatus: '200' },
    });
    expect(good.ok && good.value.services.get('10.0.0.1:80:TCP')?.healthCheck).toEqual({
      ...DEFAULT_HEALTH_CHECK,
      type: 'HTTP',
      httpStatus: '200',
    });
    // A later partial update keeps what was set.
    if (!good.ok) return;
    const again = updateService(good.value, {
      vip: '10.0.0.1',
      vport: 80,
      proto: 'TCP',
      healthCheck: { fall: 5 },
    });
    expect(again.ok && again.value.services.get('10.0.0.1:80:TCP')?.healthCheck?.type).toBe('HTTP');
    // ALL gives each stored service the container; a bad one refuses the whole create.
    const all = addService(emptyCube('lb0', 'SINGLE'), {
      vip: '10.0.0.2',
      vport: 53,
      proto: 'ALL',
      healthCheck: { udpExpect: 'x' },
    });
    expect(all.ok ? 'accepted' : all.error.info).toBe('udp-expect');
  });
});
