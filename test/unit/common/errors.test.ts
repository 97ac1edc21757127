// The error catalogue and docs/errors.md list the same codes, every code is used somewhere in
// src/, and messages fill their placeholders (STYLE §5, as fastify's errors.test.js does).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS, REQUEST_TAGS, cubeError, formatMessage, requestTag } from '../../../src/common/errors';
import { ErrorCode } from '../../../src/proto/polycube-types';

const REPO = join(__dirname, '../../..');
const CODE = /CUBE_ERR_[A-Z0-9_]+/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'generated' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('error catalogue', () => {
  const codes = Object.keys(ERRORS).sort();
  const documented = [
    ...new Set(readFileSync(join(REPO, 'docs/errors.md'), 'utf8').match(CODE) ?? []),
  ].sort();

  // Every catalogue code has a row in docs/errors.md, and the page names no code that does not exist.
  it('matches docs/errors.md in both directions', () => {
    expect(documented).toEqual(codes);
  });

  // A code nobody raises is dead weight; one raised but missing from the catalogue fails to compile.
  it('has every code used outside the catalogue', () => {
    // errors.ts counts from the end of the catalogue on (REQUEST_TAGS raises codes too).
    const text = (f: string): string => {
      const t = readFileSync(f, 'utf8');
      return f.endsWith(join('common', 'errors.ts'))
        ? t.slice(t.indexOf('satisfies Record<string, ErrorDef>'))
        : t;
    };
    const used = new Set(sourceFiles(join(REPO, 'src')).flatMap((f) => text(f).match(CODE) ?? []));
    expect(codes.filter((c) => !used.has(c))).toEqual([]);
  });

  // RESTCONF entries carry a tag, and statuses are the HTTP classes polycubed uses.
  it('gives RESTCONF entries a tag and every entry a 4xx/5xx status', () => {
    for (const def of Object.values(ERRORS)) {
      expect(def.status).toBeGreaterThanOrEqual(400);
      expect(def.status).toBeLessThan(600);
      if (def.body === 'restconf') expect(def.tag).toBeDefined();
    }
  });

  // Placeholders are filled from params, and `info` becomes the RESTCONF error-info.
  it('fills message templates', () => {
    expect(cubeError('CUBE_ERR_NO_CUBE', { cube: 'lbX' }).message).toBe('No cube found named lbX');
    expect(cubeError('CUBE_ERR_BAD_ATTRIBUTE', { info: 'weight', path: '/lbrp/service/backend' })).toEqual({
      code: 'CUBE_ERR_BAD_ATTRIBUTE',
      info: 'weight',
      message:
        'invalid value of "weight" at /lbrp/service/backend: wrong type, pattern, enum, range or length',
    });
    expect(formatMessage('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  // The request-tag table agrees with the catalogue and the wire: each tag's code carries that
  // tag, each wire name is a proto ErrorCode, and tags outside the table map to nothing.
  it('REQUEST_TAGS: catalogue code with the same tag, a real wire code, one row per wire code', () => {
    for (const [tag, row] of Object.entries(REQUEST_TAGS)) {
      expect([tag, ERRORS[row.code].tag]).toEqual([tag, tag]);
      expect(Object.values(ErrorCode)).toContain(row.wire);
    }
    const wires = Object.values(REQUEST_TAGS).map((r) => r.wire);
    expect(new Set(wires).size).toBe(wires.length);
    expect(requestTag('malformed-message')).toBeUndefined();
    expect(requestTag('data-missing')).toEqual({ code: 'CUBE_ERR_DATA_MISSING', wire: 'DATA_MISSING' });
  });
});
