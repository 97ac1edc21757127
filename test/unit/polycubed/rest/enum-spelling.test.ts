// Enum values are accepted in any case and rewritten to their YANG spelling after validation:
// enumerations and unions of enumerations (not when a string member could take the value),
// in leaves, leaf-lists, containers and list entries; everything else is left as written.

import type { IrType } from 'yang-ts-codegen';
import { enumSpelling, respellEnums } from '../../../../src/polycubed/rest/enum-spelling';
import { container, enumOf, leaf, leafList, list, module, str } from '../../codegen/helpers/ir-builders';

const LEVEL = enumOf('DEBUG', 'INFO');
const U8: IrType = { kind: 'int', base: 'uint8', range: [] };

describe('enumSpelling', () => {
  // The YANG spelling whatever the case; a value the enum lacks and non-strings are unchanged.
  it('respells enumeration values', () => {
    expect(enumSpelling(LEVEL, 'debug')).toBe('DEBUG');
    expect(enumSpelling(LEVEL, 'InFo')).toBe('INFO');
    expect(enumSpelling(LEVEL, 'trace')).toBe('trace');
    expect(enumSpelling(LEVEL, 3)).toBe(3);
    expect(enumSpelling(str(), 'debug')).toBe('debug');
  });

  // A union respells through its enumeration members unless a string member could take the value.
  it('respells in unions of enumerations and integers only', () => {
    const u: IrType = { kind: 'union', types: [U8, enumOf('ALL'), LEVEL] };
    expect(enumSpelling(u, 'info')).toBe('INFO');
    expect(enumSpelling(u, 'all')).toBe('ALL');
    expect(enumSpelling(u, 'x')).toBe('x');
    const nested: IrType = { kind: 'union', types: [{ kind: 'union', types: [LEVEL] }] };
    expect(enumSpelling(nested, 'debug')).toBe('DEBUG');
    const withString: IrType = { kind: 'union', types: [str(), LEVEL] };
    expect(enumSpelling(withString, 'debug')).toBe('debug');
  });
});

describe('respellEnums', () => {
  const loglevel = leaf('loglevel', LEVEL);
  const levels = leafList('levels', LEVEL);
  const c = container('c', [leaf('level', LEVEL), leaf('note', str())]);
  const svc = list('svc', ['proto'], [leaf('proto', enumOf('TCP', 'UDP')), leaf('name', str())]);
  const m = module('m', [loglevel, levels, c, svc]);

  // Every enum member of a cube body is respelled in place; strings and unknown members stay.
  it('respells a whole body in place', () => {
    const body = {
      loglevel: 'debug',
      levels: ['info', 'debug', 'x'],
      c: { level: 'info', note: 'debug' },
      svc: [{ proto: 'tcp', name: 'udp' }, 'junk'],
      other: 'debug',
    };
    expect(respellEnums({ kind: 'cube', node: m }, body)).toBe(body);
    expect(body).toEqual({
      loglevel: 'DEBUG',
      levels: ['INFO', 'DEBUG', 'x'],
      c: { level: 'INFO', note: 'debug' },
      svc: [{ proto: 'TCP', name: 'udp' }, 'junk'],
      other: 'debug',
    });
  });

  // Bodies of the wrong shape are returned as they are (validation has refused them already).
  it('leaves bodies of the wrong shape alone', () => {
    expect(respellEnums({ kind: 'cube', node: m }, 'debug')).toBe('debug');
    expect(respellEnums({ kind: 'leaf', node: levels }, 'debug')).toBe('debug');
    const notObj = { c: 'info', svc: { proto: 'tcp' } };
    respellEnums({ kind: 'cube', node: m }, notObj);
    expect(notObj).toEqual({ c: 'info', svc: { proto: 'tcp' } });
  });

  // Each target kind respells what it addresses: a container, one list entry, a whole list, a leaf.
  it('respells for every target kind', () => {
    expect(respellEnums({ kind: 'container', node: c }, { level: 'debug' })).toEqual({
      level: 'DEBUG',
    });
    expect(respellEnums({ kind: 'element', node: svc }, { proto: 'udp' })).toEqual({ proto: 'UDP' });
    expect(respellEnums({ kind: 'list', node: svc }, [{ proto: 'udp' }])).toEqual([{ proto: 'UDP' }]);
    expect(respellEnums({ kind: 'leaf', node: loglevel }, 'info')).toBe('INFO');
    expect(respellEnums({ kind: 'leaf', node: levels }, ['info'])).toEqual(['INFO']);
  });
});
