// ReadCache: READ answers kept for the time a service allowed, under their cube's generation:
// void after a change began or ended, never stored across one, gone after clear() or expiry.

import { ReadCache } from '../../../src/polycubed/core/read-cache';
import type { ConfigReplyMsg } from '../../../src/proto/polycube-types';

const reply = (body: string, cacheMs = 1000, code: ConfigReplyMsg['code'] = 'OK'): ConfigReplyMsg => ({
  id: 1,
  code,
  message: '',
  bodyJson: body,
  errorInfo: '',
  cacheMs,
});
const read = (cube: string, path = '/lbrp/service') => ({
  service: 'lbrp',
  cube,
  path,
  keys: [{ list: 'service', name: 'vip', value: '10.0.0.1' }],
  isCollection: false,
});

describe('ReadCache', () => {
  let now = 0;
  let cache: ReadCache;
  beforeEach(() => {
    now = 0;
    cache = new ReadCache(() => now);
  });

  it('keeps an OK answer for cacheMs under the stamp it was asked with', () => {
    const key = ReadCache.keyOf(read('a'));
    cache.put(key, 'a', cache.stamp('a'), reply('"x"', 500));
    expect(cache.get(key, 'a')?.bodyJson).toBe('"x"');
    expect(cache.get(ReadCache.keyOf(read('b')), 'b')).toBeUndefined();
    expect(cache.get(ReadCache.keyOf(read('a', '/lbrp/other')), 'a')).toBeUndefined();
    now = 499;
    expect(cache.get(key, 'a')).toBeDefined();
    now = 500;
    expect(cache.get(key, 'a')).toBeUndefined();
  });

  it('stores nothing not allowed: cacheMs 0, an error, a stamp taken before a change', () => {
    const key = ReadCache.keyOf(read('a'));
    cache.put(key, 'a', cache.stamp('a'), reply('"x"', 0));
    cache.put(key, 'a', cache.stamp('a'), reply('', 500, 'DATA_MISSING'));
    expect(cache.get(key, 'a')).toBeUndefined();
    const before = cache.stamp('a');
    cache.begin('a');
    expect(cache.stamp('a')).toBeUndefined(); // while it runs
    cache.end('a');
    cache.put(key, 'a', before, reply('"old"'));
    expect(cache.get(key, 'a')).toBeUndefined();
  });

  it('voids a cube answers when a change begins or ends, others stay', () => {
    const ka = ReadCache.keyOf(read('a'));
    const kb = ReadCache.keyOf(read('b'));
    cache.put(ka, 'a', cache.stamp('a'), reply('"a"'));
    cache.put(kb, 'b', cache.stamp('b'), reply('"b"'));
    cache.begin('a');
    expect(cache.get(ka, 'a')).toBeUndefined();
    expect(cache.get(kb, 'b')).toBeDefined();
    // Two changes of one cube in flight: stored again only after both ended.
    cache.begin('a');
    cache.end('a');
    expect(cache.stamp('a')).toBeUndefined();
    cache.end('a');
    cache.put(ka, 'a', cache.stamp('a'), reply('"a2"'));
    expect(cache.get(ka, 'a')?.bodyJson).toBe('"a2"');
    cache.invalidate('a');
    expect(cache.get(ka, 'a')).toBeUndefined();
    cache.clear();
    expect(cache.get(kb, 'b')).toBeUndefined();
    // A stamp taken before clear() is void after it.
    const stamp = cache.stamp('b');
    cache.clear();
    cache.put(kb, 'b', stamp, reply('"b"'));
    expect(cache.get(kb, 'b')).toBeUndefined();
  });

  it('keys keep apart what differs in keys, path, collection or cube', () => {
    const k = (o: Partial<ReturnType<typeof read>>) => ReadCache.keyOf({ ...read('a'), ...o });
    const all = [
      k({}),
      k({ isCollection: true }),
      k({ path: '/lbrp/service/backend' }),
      k({ cube: 'a2' }),
      k({ keys: [{ list: 'service', name: 'vip', value: '10.0.0.2' }] }),
      k({ keys: [] }),
    ];
    expect(new Set(all).size).toBe(all.length);
  });
});
