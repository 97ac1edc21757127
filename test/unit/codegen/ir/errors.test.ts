// Malformed modules on disk (test/fixtures/yang/bad): each problem is reported with the exact
// file:line:col a user would see, no module is returned, and one run reports every problem.

import * as path from 'path';
import { loadModule } from 'yang-ts-codegen';

const ROOT = path.resolve(__dirname, '../../../..');
const BAD = 'test/fixtures/yang/bad';

function load(name: string): ReturnType<typeof loadModule> {
  return loadModule(path.join(ROOT, BAD, `${name}.yang`), {
    searchPath: [path.join(ROOT, 'test/fixtures/yang')],
    rootDir: ROOT,
  });
}

describe('malformed modules', () => {
  // Each row: a fixture file and the complete list of errors, with codes, it must produce.
  it.each([
    {
      name: 'unterminated-string',
      want: [
        [
          'unterminated-string',
          `${BAD}/unterminated-string.yang:8:17: unterminated string: missing closing quote`,
        ],
      ],
    },
    {
      name: 'unknown-grouping',
      want: [['unknown-grouping', `${BAD}/unknown-grouping.yang:7:5: unknown grouping "no-such-grouping"`]],
    },
    {
      name: 'missing-import',
      want: [
        [
          'missing-import',
          `${BAD}/missing-import.yang:6:3: cannot find module "no-such-module" in search path test/fixtures/yang, ${BAD}`,
        ],
      ],
    },
    {
      name: 'bad-key',
      want: [
        [
          'bad-key',
          `${BAD}/bad-key.yang:7:5: bad key "protocol" of list "service": expected the name of a child leaf`,
        ],
      ],
    },
    {
      name: 'unknown-prefix',
      want: [
        [
          'unknown-prefix',
          `${BAD}/unknown-prefix.yang:7:5: unknown prefix "inet": module "unknown-prefix" imports no such prefix`,
        ],
      ],
    },
    {
      name: 'unknown-typedef',
      want: [['unknown-typedef', `${BAD}/unknown-typedef.yang:9:5: unknown typedef "prot"`]],
    },
    {
      name: 'several-problems',
      want: [
        [
          'missing-import',
          `${BAD}/several-problems.yang:7:3: cannot find module "no-such-module" in search path test/fixtures/yang, ${BAD}`,
        ],
        [
          'bad-key',
          `${BAD}/several-problems.yang:10:5: bad key "id" of list "l": expected the name of a child leaf`,
        ],
        [
          'unknown-prefix',
          `${BAD}/several-problems.yang:13:12: unknown prefix "nope": module "several-problems" imports no such prefix`,
        ],
        ['unknown-typedef', `${BAD}/several-problems.yang:14:12: unknown typedef "missing-type"`],
        ['unknown-grouping', `${BAD}/several-problems.yang:15:17: unknown grouping "missing-grouping"`],
      ],
    },
  ])('$name is reported at its exact location', ({ name, want }) => {
    const r = load(name);
    expect(r.errors.map((e) => [e.code, e.message])).toEqual(want);
    expect(r.module).toBeUndefined();
  });

  // The structured location matches the message prefix.
  it('keeps the location as a structured field too', () => {
    const [err] = load('bad-key').errors;
    expect(err.loc).toEqual({ file: `${BAD}/bad-key.yang`, line: 7, col: 5 });
  });

  // A file that cannot be read is an error value, not an exception.
  it('reports an unreadable file', () => {
    const r = loadModule(path.join(ROOT, BAD, 'does-not-exist.yang'), { searchPath: [] });
    expect(r.errors.map((e) => e.code)).toEqual(['unreadable']);
    expect(r.errors[0].message).toMatch(/does-not-exist\.yang:1:1: cannot read module file: ENOENT$/);
  });
});
