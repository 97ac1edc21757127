// Schema structure in the IR: uses of local and imported groupings, refine, augment (in uses and
// top-level), choice/case flattening, config inheritance, keys and unique, leaf-lists, presence,
// rpcs and actions, extensions, paths, declaration order, and the structural errors.

import * as path from 'path';
import { type IrModule, type IrNode, allNodes, findNode, loadModuleFromText } from 'yang-ts-codegen';
import { FIXTURES, loadInline, loadInlineOk, messagesOf } from './inline-module';

/** `name` for leaves, `name{children}` for nodes with children, flattened in schema order. */
function outline(nodes: IrNode[]): string {
  return nodes
    .map((n) => {
      const kids =
        n.kind === 'container' || n.kind === 'list'
          ? n.children
          : n.kind === 'action'
            ? [...n.input, ...n.output]
            : [];
      return kids.length > 0 ? `${n.name}{${outline(kids)}}` : n.name;
    })
    .join(' ');
}

function at(m: IrModule, p: string): IrNode {
  const n = findNode(m, p);
  if (!n) throw new Error(`no node at ${p}`);
  return n;
}

const GROUPINGS = `
grouping inner { leaf i1 { type string; } leaf i2 { type string; } }
grouping outer {
  leaf o1 { type string; description "from outer"; }
  uses inner;
  container box { leaf b1 { type int8; default 1; } }
  list items { key "id"; leaf id { type string; } leaf-list tags { type string; } }
  fxb:example "outer-example";
}`;

describe('IR structure', () => {
  // Each row: a module body and the outline of its data tree after uses/augment/choice processing.
  it.each([
    {
      name: 'uses expands a local grouping in place, nested uses included',
      inYang: `${GROUPINGS}\nleaf before { type string; }\nuses outer;\nleaf after { type string; }`,
      want: 'before o1 i1 i2 box{b1} items{id tags} after',
    },
    {
      name: 'uses of an imported grouping by prefix, unquoted',
      inYang: 'uses fxb:endpoint;',
      want: 'address share stats{packets}',
    },
    {
      name: 'uses of an imported grouping by prefix, quoted, with an augment',
      inYang: 'uses "fxb:endpoint" { augment stats { leaf drops { type uint32; } } }',
      want: 'address share stats{packets drops}',
    },
    {
      name: 'augment inside uses follows a relative descendant path',
      inYang: `${GROUPINGS}\nuses outer { augment "items" { leaf extra { type string; } } augment box { leaf b2 { type string; } } }`,
      want: 'o1 i1 i2 box{b1 b2} items{id tags extra}',
    },
    {
      name: 'top-level augments of the module own nodes, prefixed or not, in any order',
      inYang:
        'augment "/t:c/t:d" { leaf late { type string; } }\ncontainer c { container d { leaf x { type string; } } }\n' +
        'augment "/c" { leaf y { type string; } }',
      want: 'c{d{x late} y}',
    },
    {
      name: 'choice and case are flattened into their parent',
      inYang:
        'container c {\n  leaf first { type string; }\n  choice how {\n    case one { leaf a { type string; } leaf b { type string; } }\n' +
        '    leaf short { type string; }\n    container boxed { leaf z { type string; } }\n  }\n  leaf last { type string; }\n}',
      want: 'c{first a b short boxed{z} last}',
    },
    {
      name: 'augment of a choice adds a case',
      inYang:
        'container c { choice ch { leaf a { type string; } } }\naugment "/c/ch" { case more { leaf m { type string; } } leaf n { type string; } }',
      want: 'c{a m n}',
    },
    {
      name: 'rpc and action with input and output',
      inYang:
        'rpc ping { input { leaf host { type string; } } output { leaf rtt { type uint32; } } }\n' +
        'list l { key k; leaf k { type string; } action reset { input { leaf force { type boolean; } } } }',
      want: 'ping{host rtt} l{k reset{force}}',
    },
    {
      name: 'if-feature, when and must do not remove nodes',
      inYang: 'feature f;\nleaf a { if-feature f; when "true()"; must "true()"; type string; }',
      want: 'a',
    },
  ])('$name', ({ inYang, want }) => {
    expect(outline(loadInlineOk(inYang).children)).toBe(want);
  });

  // Nodes from an imported grouping resolve types in their own module and keep extensions.
  it('resolves an imported grouping in its own module', () => {
    const m = loadInlineOk('uses fxb:endpoint;');
    expect(at(m, '/t/share')).toMatchObject({
      module: 't',
      type: { kind: 'int', typedef: 'fxt:percent' },
      default: '50',
    });
    expect(at(m, '/t/address')).toMatchObject({
      extensions: [{ module: 'fx-base', keyword: 'example', arg: '10.0.0.1' }],
      loc: { file: 'fx-base.yang', line: 13, col: 5 },
    });
    expect(at(m, '/t/address').cliExample).toBeUndefined();
    expect(at(m, '/t/stats/packets').config).toBe(false);
  });

  // refine replaces description, default, mandatory, config, presence, min/max and extensions.
  it('applies refine to the nodes of one uses only', () => {
    const m = loadInlineOk(
      `${GROUPINGS}\ncontainer c1 {\n  uses outer {\n    refine o1 { description "refined"; mandatory true; fxb:example "r"; }\n` +
        '    refine box { presence "on"; config false; }\n    refine box/b1 { default 5; }\n' +
        '    refine items { min-elements 1; max-elements 3; }\n    refine items/tags { max-elements 2; default x; }\n  }\n}\n' +
        'container c2 { uses outer; }',
    );
    expect(at(m, '/t/c1/o1')).toMatchObject({
      description: 'refined',
      mandatory: true,
      extensions: [{ keyword: 'example', arg: 'r' }],
    });
    expect(at(m, '/t/c1/box')).toMatchObject({ presence: 'on', config: false });
    expect(at(m, '/t/c1/box/b1')).toMatchObject({ default: '5', config: false });
    expect(at(m, '/t/c1/items')).toMatchObject({ minElements: 1, maxElements: 3 });
    expect(at(m, '/t/c1/items/tags')).toMatchObject({ maxElements: 2, defaults: ['x'] });
    expect(at(m, '/t/c2/o1')).toMatchObject({ description: 'from outer', mandatory: false, extensions: [] });
    expect(at(m, '/t/c2/box')).toMatchObject({ config: true });
    expect(at(m, '/t/c2/box').kind === 'container' && 'presence' in at(m, '/t/c2/box')).toBe(false);
    expect(at(m, '/t/c2/box/b1')).toMatchObject({ default: '1' });
  });

  // config false is inherited by every descendant, through choices and augments.
  it('inherits config false', () => {
    const m = loadInlineOk(
      'container s {\n  config false;\n  leaf a { type string; }\n  choice ch { leaf b { type string; } }\n' +
        '  list l { leaf c { type string; } }\n}\naugment "/s/l" { leaf d { type string; } }\ncontainer w { leaf e { type string; } }',
    );
    expect(allNodes(m).map((n) => `${n.path}=${n.config}`)).toEqual([
      '/t/s=false',
      '/t/s/a=false',
      '/t/s/b=false',
      '/t/s/l=false',
      '/t/s/l/c=false',
      '/t/s/l/d=false',
      '/t/w=true',
      '/t/w/e=true',
    ]);
  });

  // Lists: keys in key order, key leaves marked, key defaults ignored, unique kept as name paths.
  it('describes lists with several keys and unique constraints', () => {
    const m = loadInlineOk(
      'list flows {\n  key "src dst proto";\n  unique "name";\n  unique "meta/owner name";\n  min-elements 1;\n  max-elements 100;\n' +
        '  leaf name { type string; }\n  leaf dst { type string; }\n  leaf src { type string; }\n' +
        '  leaf proto { type string; default tcp; }\n  container meta { leaf owner { type string; } }\n}',
    );
    expect(at(m, '/t/flows')).toMatchObject({
      keys: ['src', 'dst', 'proto'],
      unique: [['name'], ['meta/owner', 'name']],
      minElements: 1,
      maxElements: 100,
    });
    expect(
      allNodes(m)
        .filter((n) => n.kind === 'leaf' && n.isKey)
        .map((n) => n.name),
    ).toEqual(['dst', 'src', 'proto']);
    expect(at(m, '/t/flows/proto')).not.toHaveProperty('default');
  });

  // A state (config false) list may omit the key.
  it('accepts a config false list without a key', () => {
    expect(at(loadInlineOk('list s { config false; leaf a { type string; } }'), '/t/s')).toMatchObject({
      keys: [],
    });
  });

  // Leaf-lists keep min/max elements; containers keep presence; paths name the module first.
  it('keeps leaf-list bounds, presence and schema paths', () => {
    const m = loadInlineOk(
      'container p { presence "enables p"; leaf-list v { type string; min-elements 1; max-elements 4; ordered-by user; } }',
    );
    expect(at(m, '/t/p')).toMatchObject({ kind: 'container', presence: 'enables p', path: '/t/p' });
    expect(at(m, '/t/p/v')).toMatchObject({
      kind: 'leaf-list',
      minElements: 1,
      maxElements: 4,
      path: '/t/p/v',
    });
  });

  // Action input is client-supplied (config true), output is read-only; paths go through input/output.
  it('sets config and paths inside rpcs and actions', () => {
    const m = loadInlineOk(
      'container s { config false; action a { input { leaf i { type string; config false; } } output { leaf o { type string; } } } }\n' +
        'rpc r { input { leaf ri { type string; } } }',
    );
    expect(at(m, '/t/s/a/input/i')).toMatchObject({ config: true, path: '/t/s/a/input/i' });
    expect(at(m, '/t/s/a/output/o')).toMatchObject({ config: false, path: '/t/s/a/output/o' });
    expect(at(m, '/t/r')).toMatchObject({ kind: 'action', output: [], path: '/t/r' });
    expect(at(m, '/t/r/input/ri').config).toBe(true);
  });

  // Descriptions and non-polycube extensions are kept on nodes and on the module.
  it('keeps descriptions and extensions', () => {
    const m = loadInlineOk(
      'description "the t module";\nrevision 2024-02-02;\nrevision 2023-01-01;\nfxb:example "m";\nleaf a { type string; description "A"; fxb:flag; }',
    );
    expect(m).toMatchObject({
      description: 'the t module',
      revisions: ['2024-02-02', '2023-01-01'],
      imports: { fxt: 'fx-types', fxb: 'fx-base' },
      extensions: [{ module: 'fx-base', keyword: 'example', arg: 'm' }],
      service: {},
      sources: ['t.yang', 'fx-types@2020-01-01.yang', 'fx-base.yang'],
    });
    expect(at(m, '/t/a')).toMatchObject({
      description: 'A',
      extensions: [{ module: 'fx-base', keyword: 'flag' }],
      initOnly: false,
    });
  });

  // A module without yang-version is YANG 1 and may have no imports at all.
  it('defaults yangVersion to 1', () => {
    const r = loadModuleFromText(
      'module plain { namespace "urn:p"; prefix p; leaf a { type string; } }',
      path.join(FIXTURES, 'plain.yang'),
      {
        searchPath: [],
        rootDir: FIXTURES,
      },
    );
    expect(messagesOf(r)).toEqual([]);
    expect(r.module).toMatchObject({
      yangVersion: '1',
      imports: {},
      sources: ['plain.yang'],
      children: [{ name: 'a', path: '/plain/a' }],
    });
  });

  // The same grouping used twice yields independent nodes with their own paths.
  it('builds independent copies for each uses', () => {
    const m = loadInlineOk(`${GROUPINGS}\ncontainer a { uses inner; }\ncontainer b { uses inner; }`);
    expect(allNodes(m).map((n) => n.path)).toEqual([
      '/t/a',
      '/t/a/i1',
      '/t/a/i2',
      '/t/b',
      '/t/b/i1',
      '/t/b/i2',
    ]);
  });
});

describe('IR structure errors', () => {
  // Each row: a module body and every error it must report, at the exact position (body starts on line 7).
  it.each([
    {
      name: 'unknown grouping',
      inYang: 'container c {\n  uses nothing-here;\n}',
      wantErr: ['t.yang:8:3: unknown grouping "nothing-here"'],
    },
    {
      name: 'unknown grouping in an imported module',
      inYang: 'uses fxb:nope;',
      wantErr: ['t.yang:7:1: unknown grouping "fxb:nope" in module "fx-base"'],
    },
    {
      name: 'unknown prefix in uses',
      inYang: 'uses "pcb:base";',
      wantErr: ['t.yang:7:1: unknown prefix "pcb": module "t" imports no such prefix'],
    },
    {
      name: 'grouping that uses itself',
      inYang: 'grouping g { container c { uses g; } }\nuses g;',
      wantErr: ['t.yang:7:28: grouping "g" uses itself'],
    },
    {
      name: 'key that names no child leaf',
      inYang: 'list l {\n  key "id nmae";\n  leaf id { type string; }\n  leaf name { type string; }\n}',
      wantErr: ['t.yang:8:3: bad key "nmae" of list "l": expected the name of a child leaf'],
    },
    {
      name: 'key that names a container',
      inYang: 'list l { key c; container c { } }',
      wantErr: ['t.yang:7:10: bad key "c" of list "l": expected the name of a child leaf'],
    },
    {
      name: 'key listed twice',
      inYang: 'list l { key "a a"; leaf a { type string; } }',
      wantErr: ['t.yang:7:10: bad key "a" of list "l": listed twice'],
    },
    {
      name: 'config list without a key',
      inYang: 'list l { leaf a { type string; } }',
      wantErr: ['t.yang:7:1: bad key: list "l" is config but has no "key"'],
    },
    {
      name: 'unique that names no leaf',
      inYang: 'list l { key a; unique "b"; leaf a { type string; } }',
      wantErr: ['t.yang:7:17: bad unique "b" of list "l": expected a descendant leaf'],
    },
    {
      name: 'config true under config false',
      inYang: 'container s {\n  config false;\n  leaf a {\n    type string;\n    config true;\n  }\n}',
      wantErr: ['t.yang:11:5: config true at /t/s/a under a config false parent: expected false'],
    },
    {
      name: 'refine target missing',
      inYang: 'grouping g { leaf a { type string; } }\nuses g { refine b { description "x"; } }',
      wantErr: ['t.yang:8:10: refine target "b" not found in grouping "g"'],
    },
    {
      name: 'refine that does not apply to the target',
      inYang: 'grouping g { leaf a { type string; } }\nuses g { refine a { presence "x"; } }',
      wantErr: ['t.yang:8:21: "presence" cannot refine leaf "a"'],
    },
    {
      name: 'augment target missing inside uses',
      inYang: 'grouping g { container a { } }\nuses g { augment b { leaf x { type string; } } }',
      wantErr: ['t.yang:8:10: augment target "b" not found'],
    },
    {
      name: 'top-level augment target missing',
      inYang: 'augment "/t:nope" { leaf x { type string; } }',
      wantErr: ['t.yang:7:1: augment target "/t:nope" not found'],
    },
    {
      name: 'augment of a leaf',
      inYang: 'leaf a { type string; }\naugment "/a" { leaf x { type string; } }',
      wantErr: ['t.yang:8:1: cannot augment leaf "a"'],
    },
    {
      name: 'augment of another module',
      inYang: 'augment "/fxb:stats" { leaf x { type string; } }',
      wantErr: ['t.yang:7:1: augment of module "fx-base" is not supported: only the module\'s own nodes'],
    },
    {
      name: 'relative top-level augment path',
      inYang: 'container c { }\naugment "c" { leaf x { type string; } }',
      wantErr: ['t.yang:8:1: invalid augment path "c": expected an absolute path starting with "/"'],
    },
    {
      name: 'duplicate sibling from an augment',
      inYang:
        'grouping g { container c { leaf a { type string; } } }\nuses g { augment c { leaf a { type int8; } } }',
      wantErr: ['t.yang:8:22: duplicate node "a" in /t/c: first defined at t.yang:7'],
    },
    {
      name: 'duplicate typedef in one scope',
      inYang: 'typedef a { type string; }\ntypedef a { type int8; }',
      wantErr: ['t.yang:8:1: duplicate typedef "a": first defined at line 7'],
    },
    {
      name: 'choice default that names no case',
      inYang: 'choice ch { default z; leaf a { type string; } }',
      wantErr: ['t.yang:7:13: invalid default "z" of choice "ch": expected the name of one of its cases'],
    },
    {
      name: 'unsupported anydata and notification',
      inYang: 'anydata blob;\nnotification n { leaf a { type string; } }',
      wantErr: [
        't.yang:7:1: anydata "blob" is not supported',
        't.yang:8:1: notification "n" is not supported',
      ],
    },
    {
      name: 'unknown extension and extension arguments',
      inYang: 'leaf a { type string; fxb:nope; fxb:example; fxb:flag "x"; }',
      wantErr: [
        't.yang:7:23: unknown extension "fxb:nope": module "fx-base" defines none',
        't.yang:7:33: missing argument of extension "fxb:example"',
        't.yang:7:55: extension "fxb:flag" takes no argument',
      ],
    },
    {
      name: 'unknown prefix on an extension statement',
      inYang: 'leaf a { type string; polycube-base:cli-example "1"; }',
      wantErr: ['t.yang:7:23: unknown prefix "polycube-base": module "t" imports no such prefix'],
    },
  ])('$name', ({ inYang, wantErr }) => {
    const r = loadInline(inYang);
    expect(messagesOf(r)).toEqual(wantErr);
    expect(r.module).toBeUndefined();
  });
});
