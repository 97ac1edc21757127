// Go strconv/fmt semantics the real client depends on: which strings Atoi, ParseFloat and
// ParseBool accept, and how %v, %f and encoding/json format a float64.

import {
  formatGoFixed6,
  formatGoG,
  formatGoJsonFloat,
  goAtoi,
  goParseBool,
  goParseFloat,
  goParseInt0,
} from '../../../src/cli/go-strconv';

describe('goAtoi', () => {
  test.each([
    ['0', 0n],
    ['+5', 5n],
    ['-007', -7n],
    ['9223372036854775807', 9223372036854775807n],
    ['9223372036854775808', undefined],
    ['1_000', undefined],
    ['0x10', undefined],
    ['', undefined],
    [' 1', undefined],
  ])('%j → %s', (s, want) => expect(goAtoi(s)).toBe(want));
});

describe('goParseFloat', () => {
  test.each([
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['1_000.5', 1000.5],
    ['Inf', Infinity],
    ['-infinity', -Infinity],
    ['0x1p-2', 0.25],
    ['0x_1.8p1', 3],
    ['1e400', undefined],
    ['_1', undefined],
    ['1__0', undefined],
    ['1e', undefined],
    ['0x1', undefined],
    ['+nan', undefined],
    ['infin', undefined],
    ['abc', undefined],
  ])('%j → %s', (s, want) => expect(goParseFloat(s)).toBe(want));

  test('nan', () => expect(goParseFloat('NaN')).toBeNaN());
});

describe('goParseBool', () => {
  test.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%s is true', (s) => expect(goParseBool(s)).toBe(true));
  test.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%s is false', (s) =>
    expect(goParseBool(s)).toBe(false),
  );
  test.each(['yes', 'tRUE', 'on', ''])('%j is not a bool', (s) => expect(goParseBool(s)).toBeUndefined());
});

describe('goParseInt0', () => {
  test.each([
    ['0x1F', 31n],
    ['010', 8n],
    ['0o17', 15n],
    ['0b101', 5n],
    ['-12', -12n],
    ['08', undefined],
  ])('%s → %s', (s, want) => expect(goParseInt0(s)).toBe(want));
});

describe('float formatting', () => {
  test.each([
    [0, '0'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567.5, '1.2345675e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-0, '-0'],
  ])("FormatFloat(%s, 'g', -1)", (x, want) => expect(formatGoG(x)).toBe(want));

  test.each([
    [1.5, '1.500000'],
    [-0.0000001, '-0.000000'],
    [0.0078125, '0.007812'],
    [0.0234375, '0.023438'],
    [2 ** 70, '1180591620717411303424.000000'],
  ])('%%f of %s', (x, want) => expect(formatGoFixed6(x)).toBe(want));

  test.each([
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [1e20, '100000000000000000000'],
    [-0, '-0'],
  ])('encoding/json of %s', (x, want) => expect(formatGoJsonFloat(x)).toBe(want));
});
