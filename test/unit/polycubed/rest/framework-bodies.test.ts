// The framework bodies as plain data, exactly (toStrictEqual: a member set to undefined counts):
// an object body reduced to the wanted own members, kept as writable data; the cube array of
// `POST /cubes` split into entries with their peers taken out; each refusal's shape. Straight
// through by default, and paused between slices of a long text only when asked.

import { readObjectMembers, splitCubeBatch } from '../../../../src/polycubed/rest/framework-bodies';

/** Runs `read` and counts the event-loop pauses it made (only the JSON reader's pauses call setImmediate). */
async function pausesOf(read: () => Promise<unknown>): Promise<number> {
  const spy = jest.spyOn(global, 'setImmediate');
  try {
    await read();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('readObjectMembers', () => {
  it('keeps only the wanted own members, as writable data', async () => {
    const got = await readObjectMembers('{"a":1,"b":[2],"c":3,"__proto__":{"x":1}}', 8, [
      'b',
      'a',
      'z',
      '__proto__',
      'toString',
    ]);
    expect(got.ok).toBe(true);
    const value = (got as { value: Record<string, unknown> }).value;
    // In the order asked for; absent and inherited names are not members at all.
    expect(Object.keys(value)).toEqual(['b', 'a', '__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')).toStrictEqual({
      value: { x: 1 },
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(Object.getOwnPropertyDescriptor(value, 'a')).toStrictEqual({
      value: 1,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });

  it('reads an empty body as {} and refuses what is not an object', async () => {
    expect(await readObjectMembers('  ', 8, ['a'])).toStrictEqual({ ok: true, value: {} });
    expect(await readObjectMembers('{}', 8, ['a'])).toStrictEqual({ ok: true, value: {} });
    // `null` reads as no body (`?? {}`): the endpoint then names the members it misses.
    expect(await readObjectMembers('null', 8, ['a'])).toStrictEqual({ ok: true, value: {} });
    for (const text of ['[]', '1', '"a"'])
      expect([text, await readObjectMembers(text, 8, ['a'])]).toStrictEqual([
        text,
        { ok: false, notObject: true },
      ]);
    expect(await readObjectMembers('{"a":', 8, ['a'])).toStrictEqual({
      ok: false,
      invalidJson: 'the body is not valid JSON: unexpected end of the body at character 5',
    });
  });

  it('pauses between slices of a long text only when asked', async () => {
    const text = `{"a":"${'v'.repeat(20_000)}"}`;
    expect(await pausesOf(() => readObjectMembers(text, 8, ['a']))).toBe(0);
    expect(await pausesOf(() => readObjectMembers(text, 8, ['a'], true))).toBe(1);
    expect(await readObjectMembers(text, 8, ['a'], true)).toStrictEqual(
      await readObjectMembers(text, 8, ['a']),
    );
  });
});

describe('splitCubeBatch', () => {
  it('splits each cube into name, service, peers and its text without the peers', async () => {
    const body = JSON.stringify([
      {
        name: 'c1',
        'service-name': 'lbrp',
        ports: [
          { name: 'p1', peer: 'veth1', type: 'FRONTEND' },
          { name: 'p2', peer: '' },
          { peer: 'veth9' },
          { name: 7, peer: 'veth8' },
          { name: 'p3', peer: 5 },
          'p4',
        ],
      },
      { name: 5, 'service-name': 9, ports: 'none' },
      [],
      null,
      3,
      {},
    ]);
    expect(await splitCubeBatch(body, 8)).toStrictEqual({
      ok: true,
      entries: [
        {
          object: true,
          name: 'c1',
          service: 'lbrp',
          peers: [{ port: 'p1', peer: 'veth1' }],
          text: '{"name":"c1","service-name":"lbrp","ports":[{"name":"p1","type":"FRONTEND"},{"name":"p2"},{},{"name":7},{"name":"p3","peer":5},"p4"]}',
        },
        { object: true, name: '', peers: [], text: '{"name":5,"service-name":9,"ports":"none"}' },
        { object: false },
        { object: false },
        { object: false },
        { object: true, name: '', peers: [], text: '{}' },
      ],
    });
  });

  it('refuses what is not an array, and malformed JSON', async () => {
    for (const text of ['{}', '', '1', 'null'])
      expect([text, await splitCubeBatch(text, 8)]).toStrictEqual([text, { ok: false, notArray: true }]);
    expect(await splitCubeBatch('[[[1]]]', 2)).toStrictEqual({
      ok: false,
      invalidJson: 'the body nests arrays and objects deeper than 2 levels (at /0)',
    });
  });

  it('pauses between slices of a long text only when asked', async () => {
    const text = `[{"name":"${'c'.repeat(20_000)}"}]`;
    expect(await pausesOf(() => splitCubeBatch(text, 8))).toBe(0);
    expect(await pausesOf(() => splitCubeBatch(text, 8, true))).toBe(1);
    expect(await splitCubeBatch(text, 8, true)).toStrictEqual(await splitCubeBatch(text, 8));
  });
});
