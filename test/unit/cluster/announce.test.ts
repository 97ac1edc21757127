// The announcer's pure parts: which VIPs a cube may announce, the BIRD include file it writes,
// and the parser of BIRD's control-socket replies.

import { announcedVips } from '../../../src/cluster/announce-policy';
import { parseReply } from '../../../src/cluster/bird-control';
import { renderVipInclude } from '../../../src/cluster/bird-include';

const port = (type: string, peer = 'veth0', status = 'UP') => ({ name: type, type, peer, status });
const backend = (o: { weight?: number; up?: number; health?: string } = {}) => ({
  ip: '10.0.0.1',
  port: 80,
  weight: 1,
  up: 1,
  ...o,
});

describe('announcedVips', () => {
  const cube = (ports: unknown[], service: unknown[]) => ({ ports, service });

  it('announces every VIP with a usable backend, once, in address order', () => {
    const c = cube(
      [port('frontend'), port('backend')],
      [
        { vip: '10.9.0.10', backend: [backend()] },
        { vip: '10.9.0.9', backend: [backend()] },
        { vip: '10.9.0.10', backend: [backend()] },
      ],
    );
    expect(announcedVips(c)).toEqual(['10.9.0.9', '10.9.0.10']);
  });

  it('leaves out VIPs whose backends are all drained, DOWN, or missing', () => {
    const c = cube(
      [port('FRONTEND')],
      [
        { vip: '10.9.0.1', backend: [backend({ weight: 0 }), backend({ up: 0 })] },
        { vip: '10.9.0.2', backend: [] },
        { vip: '10.9.0.3', backend: [backend({ up: undefined, health: 'down' })] },
        { vip: '10.9.0.4', backend: [backend({ up: undefined, health: 'unknown' })] },
        { vip: '10.9.0.5', backend: [backend({ up: 0 }), backend()] },
      ],
    );
    expect(announcedVips(c)).toEqual(['10.9.0.4', '10.9.0.5']);
  });

  it('announces nothing without a bound, up FRONTEND port, or for no cube at all', () => {
    const svc = [{ vip: '10.9.0.1', backend: [backend()] }];
    expect(announcedVips(cube([port('backend')], svc))).toEqual([]);
    expect(announcedVips(cube([port('frontend', '')], svc))).toEqual([]);
    expect(announcedVips(cube([port('frontend', 'veth0', 'DOWN')], svc))).toEqual([]);
    expect(announcedVips(undefined)).toEqual([]);
  });
});

describe('renderVipInclude', () => {
  it('writes one static protocol with a /32 per VIP, and an empty one for none', () => {
    expect(renderVipInclude(['10.9.0.1', '10.9.0.2'])).toContain(
      'protocol static lbrp_vips {\n  ipv4;\n  route 10.9.0.1/32 blackhole;\n  route 10.9.0.2/32 blackhole;\n}\n',
    );
    expect(renderVipInclude([])).toContain('protocol static lbrp_vips {\n  ipv4;\n}\n');
  });

  it('refuses anything that is not an IPv4 address (nothing else reaches bird.conf)', () => {
    for (const bad of ['10.0.0.256', '10.0.0.1/32', '10.0.0.1; }', '', '::1'])
      expect(() => renderVipInclude([bad])).toThrow(RangeError);
  });

  it('routes each VIP through the liveness link when one is given', () => {
    expect(renderVipInclude(['10.9.0.1', '10.9.0.2'], 'lbrpa0123abcd')).toContain(
      '  route 10.9.0.1/32 via "lbrpa0123abcd";\n  route 10.9.0.2/32 via "lbrpa0123abcd";\n}\n',
    );
  });

  it('refuses a link name the kernel or a quoted BIRD string would not take', () => {
    for (const bad of ['', 'a"; }', 'with space', 'sixteen-chars-xx', 'a\nb'])
      expect(() => renderVipInclude(['10.9.0.1'], bad)).toThrow(RangeError);
    expect(() => renderVipInclude(['10.9.0.1'], 'fifteen-chars-x')).not.toThrow();
  });
});

describe('parseReply', () => {
  it('waits for the final line and collects the text', () => {
    expect(parseReply(['0002-Reading configuration from /x.conf'])).toBeUndefined();
    expect(parseReply(['0002-Reading configuration from /x.conf', '0003 Reconfigured'])).toEqual({
      code: 3,
      lines: ['Reading configuration from /x.conf', 'Reconfigured'],
    });
  });

  it('keeps continuation lines and error codes', () => {
    expect(parseReply(['1002-a', ' b', '9001 /x.conf:3:1 syntax error'])).toEqual({
      code: 9001,
      lines: ['a', 'b', '/x.conf:3:1 syntax error'],
    });
  });
});
