// Test helper for the IR tests: loads a small module written inline, with the fixture modules
// (test/fixtures/yang) on the search path, so each table row shows only the YANG it is about.

import * as path from 'path';
import { type IrModule, type IrNode, type LoadResult, allNodes, loadModuleFromText } from 'yang-ts-codegen';

export const FIXTURES = path.resolve(__dirname, '../../../fixtures/yang');

/** Body text starts on this line of the generated module, for exact error positions. */
export const BODY_LINE = 7;

/** Wraps `body` in module `t` (prefix `t`) that imports fx-types as `fxt` and fx-base as `fxb`. */
export function inlineText(body: string): string {
  return [
    'module t {',
    '  yang-version 1.1;',
    '  namespace "urn:t";',
    '  prefix t;',
    '  import fx-types { prefix fxt; }',
    '  import fx-base { prefix fxb; }',
    body,
    '}',
    '',
  ].join('\n');
}

/** Loads `body` as module `t` from `t.yang` in the fixtures directory (locations read `t.yang:line:col`). */
export function loadInline(body: string): LoadResult {
  return loadModuleFromText(inlineText(body), path.join(FIXTURES, 't.yang'), {
    searchPath: [FIXTURES],
    rootDir: FIXTURES,
  });
}

/** Loads `body` and fails the test with the error messages when it does not load cleanly. */
export function loadInlineOk(body: string): IrModule {
  const r = loadInline(body);
  expect(r.errors.map((e) => e.message)).toEqual([]);
  if (!r.module) throw new Error('module did not load');
  return r.module;
}

/** The first node named `name` anywhere in the module (depth-first, schema order). */
export function nodeNamed(m: IrModule, name: string): IrNode {
  const n = allNodes(m).find((c) => c.name === name);
  if (!n) throw new Error(`no node named ${name}`);
  return n;
}

/** Error messages of a load, for comparing against `wantErr` rows. */
export function messagesOf(r: LoadResult): string[] {
  return r.errors.map((e) => e.message);
}
