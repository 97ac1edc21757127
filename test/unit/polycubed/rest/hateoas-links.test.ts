// `_links` records (REST spec §4.3): self with exactly one trailing slash, one record per child
// with an endpoint (list keys have none), list entries by their escaped keys, and `_links` added
// to objects only.

import {
  childLinks,
  endpointChildren,
  listLinks,
  selfHref,
  withLinks,
} from '../../../../src/polycubed/rest/hateoas-links';
import { container, leaf, list, str } from '../../codegen/helpers/ir-builders';

const A = '127.0.0.1:9000';

describe('hateoas links', () => {
  // The href is protocol-relative and always ends in exactly one slash.
  it('writes self with one trailing slash', () => {
    expect(selfHref(A, '/polycube/v1/lbrp/lb0')).toBe('//127.0.0.1:9000/polycube/v1/lbrp/lb0/');
    expect(selfHref(A, '/polycube/v1/lbrp/lb0/')).toBe('//127.0.0.1:9000/polycube/v1/lbrp/lb0/');
  });

  // Each child gets self + its (escaped) name + "/".
  it('links each child under self', () => {
    expect(childLinks(A, '/p', ['ports', 'a b'])).toEqual([
      { rel: 'self', href: '//127.0.0.1:9000/p/' },
      { rel: 'ports', href: '//127.0.0.1:9000/p/ports/' },
      { rel: 'a b', href: '//127.0.0.1:9000/p/a%20b/' },
    ]);
  });

  // List keys are addressed through the entry, so they get no link of their own.
  it('lists the children with an endpoint, keys left out, in schema order', () => {
    const svc = list(
      'service',
      ['vip', 'vport'],
      [leaf('name', str()), leaf('vip', str()), leaf('vport', str()), container('c', [])],
    );
    expect(endpointChildren(svc)).toEqual(['name', 'c']);
    expect(endpointChildren(container('x', [leaf('a', str()), leaf('b', str())]))).toEqual(['a', 'b']);
  });

  // rel is the first key, href joins every key escaped; entries without all keys are skipped.
  it('links list entries by their keys', () => {
    const svc = list('service', ['vip', 'vport'], [leaf('vip', str()), leaf('vport', str())]);
    expect(
      listLinks(A, '/s', svc, [
        { vip: '10.0.0.1', vport: 80 },
        { vip: 'a/b', vport: 1 },
        { vip: '10.0.0.2' },
        { vip: '10.0.0.3', vport: null },
        { vip: { x: 1 }, vport: 1 },
        'text',
        null,
      ]),
    ).toEqual([
      { rel: 'self', href: '//127.0.0.1:9000/s/' },
      { rel: '10.0.0.1', href: '//127.0.0.1:9000/s/10.0.0.1/80/' },
      { rel: 'a/b', href: '//127.0.0.1:9000/s/a%2Fb/1/' },
    ]);
  });

  // Only objects carry `_links`; lists and scalars come back untouched.
  it('adds _links to objects only', () => {
    const links = [{ rel: 'self', href: '//h/' }];
    expect(withLinks({ a: 1 }, links)).toEqual({ a: 1, _links: links });
    expect(withLinks([1], links)).toEqual([1]);
    expect(withLinks('s', links)).toBe('s');
    expect(withLinks(null, links)).toBeNull();
  });
});
