// The router resolves paths as Pistache does (REST spec §1.3): fixed segments beat parameters,
// dead ends backtrack, and a path known only for other methods yields those methods for `Allow:`.

import { RouteTree, type RouteLookup } from '../../../../src/polycubed/rest/route-tree';

const tree = new RouteTree<string>();
tree.add('/polycube/v1/cubes', ['GET', 'POST'], 'cubes');
tree.add('/polycube/v1/:svc', ['GET'], 'param-svc');
tree.add('/polycube/v1/lbrp/:name', ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], 'cube');
tree.add('/polycube/v1/lbrp/:name/port_mode', ['GET', 'PATCH', 'OPTIONS'], 'leaf');
tree.add('/polycube/v1/lbrp/:name/service/:vip', ['OPTIONS'], 'prefix');
tree.add('/polycube/v1/lbrp/:name/service/:vip/:vport/:proto', ['GET', 'DELETE'], 'element');
tree.add('/polycube/v1/x/:a/fixed', ['GET'], 'via-a');
tree.add('/polycube/v1/x/only/other', ['GET'], 'fixed-only');

const seg = (p: string): string[] => p.split('/').filter(Boolean);

const ROWS: { name: string; method: string; path: string; want: RouteLookup<string> }[] = [
  {
    name: 'fixed segment beats a parameter at the same level',
    method: 'GET',
    path: '/polycube/v1/cubes',
    want: { kind: 'found', match: { handler: 'cubes', params: {} } },
  },
  {
    name: 'parameters capture raw segments',
    method: 'GET',
    path: '/polycube/v1/lbrp/lb0/service/10.0.0.0%2F8/80/TCP',
    want: {
      kind: 'found',
      match: { handler: 'element', params: { name: 'lb0', vip: '10.0.0.0%2F8', vport: '80', proto: 'TCP' } },
    },
  },
  {
    name: 'a fixed branch that dead-ends falls back to the parameter branch',
    method: 'GET',
    path: '/polycube/v1/x/only/fixed',
    want: { kind: 'found', match: { handler: 'via-a', params: { a: 'only' } } },
  },
  {
    name: 'the path exists for other methods: 405 with them in canonical order',
    method: 'POST',
    path: '/polycube/v1/lbrp/lb0/port_mode',
    want: { kind: 'wrong-method', allow: ['GET', 'PATCH', 'OPTIONS'] },
  },
  {
    name: 'a key-prefix route answers OPTIONS only',
    method: 'GET',
    path: '/polycube/v1/lbrp/lb0/service/10.0.0.1',
    want: { kind: 'wrong-method', allow: ['OPTIONS'] },
  },
  {
    name: 'unknown path',
    method: 'GET',
    path: '/polycube/v1/lbrp/lb0/nothing/here',
    want: { kind: 'none' },
  },
  {
    name: 'an unrouted method on a known path',
    method: 'BREW',
    path: '/polycube/v1/cubes',
    want: { kind: 'wrong-method', allow: ['GET', 'POST'] },
  },
];

describe('RouteTree', () => {
  it.each(ROWS)('$name', ({ method, path, want }) => {
    expect(tree.lookup(method, seg(path))).toEqual(want);
  });

  // An empty segment never binds a parameter (it cannot come from a normalised path, but a caller may pass one).
  it('does not bind empty segments to parameters', () => {
    expect(tree.lookup('GET', ['polycube', 'v1', 'lbrp', ''])).toEqual({ kind: 'none' });
  });

  // Re-adding a template for a method replaces the earlier handler.
  it('replaces a handler registered twice', () => {
    const t = new RouteTree<number>();
    t.add('/a/:x', ['GET'], 1);
    t.add('/a/:x', ['GET'], 2);
    expect(t.lookup('GET', ['a', 'b'])).toEqual({ kind: 'found', match: { handler: 2, params: { x: 'b' } } });
  });

  // Two parameters of different names at one level are two branches, tried in order: the second
  // one answers when the first dead-ends, and binds its own name.
  it('tries a second parameter branch at the same level', () => {
    const t = new RouteTree<string>();
    t.add('/a/:x/one', ['GET'], 'one');
    t.add('/a/:y/two', ['GET'], 'two');
    expect(t.lookup('GET', ['a', 'v', 'two'])).toEqual({
      kind: 'found',
      match: { handler: 'two', params: { y: 'v' } },
    });
    expect(t.lookup('GET', ['a', 'v', 'one'])).toEqual({
      kind: 'found',
      match: { handler: 'one', params: { x: 'v' } },
    });
  });
});
