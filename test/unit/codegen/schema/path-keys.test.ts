// List keys from URL segments: typed conversion, validation as bad-element named by the key,
// and copying an element's own keys into its body (REST spec §5.2 path keys, §6.3).

import {
  convertPathKey,
  fillPathKeys,
  parsePathKey,
  parsePathKeys,
} from '../../../../codegen/src/schema/path-keys';
import { keyLeaves } from '../../../../codegen/src/ir/helpers';
import { cubeKeyLeaf } from '../../../../codegen/src/schema/schema-nodes';
import { listAt, lbrpModule } from '../helpers/lbrp';

const lbrp = lbrpModule();
const service = listAt(lbrp, '/lbrp/service');
const backend = listAt(lbrp, '/lbrp/service/backend');

describe('parsePathKeys', () => {
  test.each([
    {
      name: 'a valid service key converts vport to a number',
      inSegs: ['10.0.0.1', '80', 'tcp'],
      want: { ok: true, values: ['10.0.0.1', 80, 'tcp'] },
    },
    {
      name: 'ancestor key vip 10.0.0.999 is a bad element',
      inSegs: ['10.0.0.999', '80', 'TCP'],
      want: { ok: false, errors: [{ tag: 'bad-element', info: 'vip' }] },
    },
    {
      name: 'service del 10.0.0.1 80 FOO: proto is a bad element',
      inSegs: ['10.0.0.1', '80', 'FOO'],
      want: { ok: false, errors: [{ tag: 'bad-element', info: 'proto' }] },
    },
    {
      name: 'a non-numeric vport is a bad element (polycubed: 500)',
      inSegs: ['10.0.0.1', 'abc', 'TCP'],
      want: { ok: false, errors: [{ tag: 'bad-element', info: 'vport' }] },
    },
    {
      name: 'vport 70000 is out of range',
      inSegs: ['10.0.0.1', '70000', 'TCP'],
      want: { ok: false, errors: [{ tag: 'bad-element', info: 'vport' }] },
    },
    {
      name: 'every bad key is reported, in key order',
      inSegs: ['x', '-1', 'FOO'],
      want: {
        ok: false,
        errors: [
          { tag: 'bad-element', info: 'vip' },
          { tag: 'bad-element', info: 'vport' },
          { tag: 'bad-element', info: 'proto' },
        ],
      },
    },
  ])('$name', ({ inSegs, want }) => {
    expect(parsePathKeys(service, inSegs)).toEqual(want);
  });

  // A wrong number of segments is a routing bug, not a client error.
  test('throws when the segment count does not match the keys', () => {
    expect(() => parsePathKeys(backend, ['1.2.3.4', '80'])).toThrow(/has 1 keys, got 2/);
  });

  // The pseudo-key is one object per module, so its compiled validator is reused.
  test('cubeKeyLeaf returns the same leaf for the same module', () => {
    expect(cubeKeyLeaf(lbrp)).toBe(cubeKeyLeaf(lbrp));
    expect(cubeKeyLeaf(lbrpModule())).not.toBe(cubeKeyLeaf(lbrp));
  });

  // The cube name is any string.
  test('the cube name pseudo-key accepts any segment', () => {
    expect(parsePathKey(cubeKeyLeaf(lbrp), 'lb 0')).toEqual({ ok: true, value: 'lb 0' });
  });

  test('a key leaf parses on its own', () => {
    expect(parsePathKey(keyLeaves(backend)[0], '1.2.3.4')).toEqual({ ok: true, value: '1.2.3.4' });
  });
});

describe('convertPathKey', () => {
  // Own keys are converted by type only; their validation happens as body members.
  test('converts by type without validating', () => {
    const [vip, vport, proto] = keyLeaves(service);
    expect([
      convertPathKey(vip, '10.0.0.999'),
      convertPathKey(vport, '80'),
      convertPathKey(proto, 'FOO'),
    ]).toEqual(['10.0.0.999', 80, 'FOO']);
    expect(convertPathKey(vport, 'abc')).toBeUndefined();
  });
});

describe('fillPathKeys', () => {
  // Keys from the path override body values in place and are appended otherwise (§6.3 step 5).
  test('copies own keys into the body under their YANG names', () => {
    const body = { name: 'svc', vport: 81 };
    const got = fillPathKeys(service, ['10.0.0.1', 80, 'tcp'], body);
    expect(got).toEqual({ name: 'svc', vport: 80, vip: '10.0.0.1', proto: 'tcp' });
    expect(Object.keys(got)).toEqual(['name', 'vport', 'vip', 'proto']);
    expect(body).toEqual({ name: 'svc', vport: 81 });
  });
});
