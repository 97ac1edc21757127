// The statement parser: tree shape and positions, `+` concatenation, extension statements, the
// grammar table (every statement where RFC 7950 allows it), and located syntax and grammar errors.

import * as fs from 'fs';
import * as path from 'path';
import { GRAMMAR, type Statement, parseStatements, parseYang } from 'yang-ts-codegen';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/yang');

/** Wraps body lines in a minimal valid module, so row texts only show what they test. */
function inModule(body: string): string {
  return `module m {\n  yang-version 1.1;\n  namespace "urn:m";\n  prefix m;\n${body}\n}\n`;
}

function keywordsOf(stmt: Statement, out = new Set<string>()): Set<string> {
  if (stmt.prefix === undefined) out.add(stmt.keyword);
  for (const c of stmt.children) keywordsOf(c, out);
  return out;
}

describe('parseYang statement tree', () => {
  // The tree keeps keyword, prefix, argument, children and both positions of every statement.
  it('builds statements with keyword, prefix, argument and locations', () => {
    const r = parseYang(inModule('  leaf a {\n    type string;\n    ext:tag "v";\n  }'), 'm.yang');
    expect(r.errors).toEqual([]);
    const leaf = r.statement?.children[3];
    expect(leaf).toEqual({
      keyword: 'leaf',
      arg: 'a',
      argLoc: { file: 'm.yang', line: 5, col: 8 },
      loc: { file: 'm.yang', line: 5, col: 3 },
      children: [
        {
          keyword: 'type',
          arg: 'string',
          argLoc: { file: 'm.yang', line: 6, col: 10 },
          loc: { file: 'm.yang', line: 6, col: 5 },
          children: [],
        },
        {
          keyword: 'tag',
          prefix: 'ext',
          arg: 'v',
          argLoc: { file: 'm.yang', line: 7, col: 13 },
          loc: { file: 'm.yang', line: 7, col: 5 },
          children: [],
        },
      ],
    });
  });

  // Arguments: quoted strings joined with `+` across lines and comments, or single unquoted words.
  it.each([
    { name: 'two quoted parts', inArg: '"ab" + "cd"', want: 'abcd' },
    { name: 'mixed quote styles', inArg: `'a\\d' + "\\t"`, want: 'a\\d\t' },
    { name: 'across lines and comments', inArg: '"a"\n    + /* c */ "b" // d\n    + \'c\'', want: 'abc' },
    { name: 'an unquoted word', inArg: 'abc+def', want: 'abc+def' },
    { name: 'an empty quoted string', inArg: '""', want: '' },
  ])('argument from $name', ({ inArg, want }) => {
    const r = parseYang(inModule(`  description ${inArg};`), 'm.yang');
    expect(r.errors).toEqual([]);
    expect(r.statement?.children.find((c) => c.keyword === 'description')?.arg).toBe(want);
  });

  // Extension statements are free-form: any argument, any children, anywhere.
  it('accepts extension statements anywhere with any argument and children', () => {
    const text = inModule(
      '  a:top;\n  container c {\n    b:x "1" { b:y; description "not checked here"; anything goes; }\n    leaf l { type string { q:r s; } }\n  }',
    );
    const r = parseYang(text, 'm.yang');
    expect(r.errors).toEqual([]);
    const ext = r.statement?.children.find((c) => c.prefix === 'a');
    expect(ext).toMatchObject({ keyword: 'top', prefix: 'a', children: [] });
    expect(ext?.arg).toBeUndefined();
  });

  // The fixture uses every grammar keyword (except submodule-only ones) in a legal position.
  it('parses a module that uses every statement of the grammar without errors', () => {
    const file = path.join(FIXTURES, 'all-statements.yang');
    const r = parseYang(fs.readFileSync(file, 'utf8'), 'all-statements.yang');
    expect(r.errors.map((e) => e.message)).toEqual([]);
    const used = keywordsOf(r.statement as Statement);
    const missing = Object.keys(GRAMMAR).filter(
      (k) => !used.has(k) && k !== 'submodule' && k !== 'belongs-to',
    );
    expect(missing).toEqual([]);
  });

  // A submodule parses too; the IR stage reports it as unsupported.
  it('parses a submodule', () => {
    const r = parseYang(
      'submodule s {\n  yang-version 1.1;\n  belongs-to m { prefix m; }\n  leaf a { type string; }\n}\n',
      's.yang',
    );
    expect(r.errors).toEqual([]);
    expect(r.statement?.keyword).toBe('submodule');
  });

  // Every child a rule names is itself a rule, so the table has no dangling keywords.
  it('has a rule for every substatement the grammar table mentions', () => {
    const dangling = Object.entries(GRAMMAR).flatMap(([k, rule]) =>
      Object.keys(rule.children)
        .filter((c) => !(c in GRAMMAR))
        .map((c) => `${k}/${c}`),
    );
    expect(dangling).toEqual([]);
  });

  // parseStatements gives the raw tree without grammar checks.
  it('parseStatements returns every top-level statement unchecked', () => {
    const r = parseStatements('foo bar;\nbaz { qux; }\n', 'raw.yang');
    expect(r.errors).toEqual([]);
    expect(r.statements.map((s) => [s.keyword, s.arg, s.children.length])).toEqual([
      ['foo', 'bar', 0],
      ['baz', undefined, 1],
    ]);
  });
});

describe('parseYang errors', () => {
  // Each row is a malformed module and every error it must produce, with exact positions.
  it.each([
    {
      name: 'unterminated string (no cascade of end-of-file errors)',
      inText: inModule('  leaf a {\n    description "oops;\n  }'),
      want: ['m.yang:6:17: unterminated string: missing closing quote'],
    },
    {
      name: 'missing closing brace',
      inText: 'module m {\n  namespace "urn:m";\n  prefix m;\n  container c {\n',
      want: [
        'm.yang:4:16: unexpected end of file: missing "}" of "container" at line 4',
        'm.yang:4:16: unexpected end of file: missing "}" of "module" at line 1',
      ],
    },
    {
      name: 'stray closing brace',
      inText: inModule('  }'),
      want: ['m.yang:6:1: unexpected "}"'],
    },
    {
      name: 'missing semicolon (the next statement is still parsed)',
      inText: inModule('  leaf a { type string mandatory true; }'),
      want: ['m.yang:5:24: unexpected "mandatory": expected ";" or "{" after "type"'],
    },
    {
      name: 'quoted keyword',
      inText: inModule('  "leaf" a { type string; }'),
      want: ['m.yang:5:3: invalid keyword "leaf": expected an identifier'],
    },
    {
      name: '+ not followed by a quoted string',
      inText: inModule('  description "a" + b;'),
      want: ['m.yang:5:19: expected a quoted string after "+"'],
    },
    {
      name: 'unknown statement',
      inText: inModule('  contanier c { }'),
      want: ['m.yang:5:3: unknown statement "contanier"'],
    },
    {
      name: 'statement in the wrong place',
      inText: inModule('  leaf a { type string; key "a"; }'),
      want: ['m.yang:5:25: unexpected statement "key" in "leaf"'],
    },
    {
      name: 'too many of a 0..1 substatement',
      inText: inModule('  leaf a { type string; description "x"; description "y"; }'),
      want: ['m.yang:5:42: too many "description" in "leaf": expected at most one'],
    },
    {
      name: 'missing mandatory substatement',
      inText: inModule('  leaf a { description "no type"; }'),
      want: ['m.yang:5:3: missing "type" in "leaf"'],
    },
    {
      name: 'missing namespace and prefix',
      inText: 'module m {\n  yang-version 1.1;\n}\n',
      want: ['m.yang:1:1: missing "namespace" in "module"', 'm.yang:1:1: missing "prefix" in "module"'],
    },
    {
      name: 'invalid boolean argument',
      inText: inModule('  leaf a { type string; config yes; }'),
      want: ['m.yang:5:32: invalid argument "yes" of "config": expected true or false'],
    },
    {
      name: 'invalid arguments of several kinds',
      inText: inModule(
        '  revision 2024-1-1;\n  leaf-list a { type string; max-elements 0; ordered-by random; status gone; }\n  leaf b { type decimal64 { fraction-digits 19; } }',
      ),
      want: [
        'm.yang:5:12: invalid argument "2024-1-1" of "revision": expected a date YYYY-MM-DD',
        'm.yang:6:43: invalid argument "0" of "max-elements": expected a positive integer or unbounded',
        'm.yang:6:57: invalid argument "random" of "ordered-by": expected system or user',
        'm.yang:6:72: invalid argument "gone" of "status": expected current, deprecated or obsolete',
        'm.yang:7:45: invalid argument "19" of "fraction-digits": expected an integer 1..18',
      ],
    },
    {
      name: 'missing argument',
      inText: inModule('  container { }'),
      want: ['m.yang:5:3: missing argument of "container"'],
    },
    {
      name: 'argument on a statement that takes none',
      inText: inModule('  rpc r { input x { } }'),
      want: ['m.yang:5:17: "input" takes no argument'],
    },
    {
      name: 'something other than a module',
      inText: 'container c { }\n',
      want: ['m.yang:1:1: expected module or submodule, found "container"'],
    },
    {
      name: 'statements after the module',
      inText: inModule('') + 'leaf x { type string; }\n',
      want: ['m.yang:7:1: unexpected statement "leaf" after the end of the module'],
    },
    {
      name: 'empty file',
      inText: '// nothing\n',
      want: ['m.yang:1:1: expected a module statement'],
    },
  ])('$name', ({ inText, want }) => {
    const r = parseYang(inText, 'm.yang');
    expect(r.errors.map((e) => e.message)).toEqual(want);
  });

  // One run reports every problem, from the lexer and the grammar together.
  it('reports problems from every stage in one run', () => {
    const r = parseYang(
      inModule('  leaf a { type string; config maybe; }\n  description "\\q";\n  bogus;'),
      'm.yang',
    );
    expect(r.errors.map((e) => e.code)).toEqual(['invalid-escape', 'invalid-argument', 'unknown-statement']);
  });
});
