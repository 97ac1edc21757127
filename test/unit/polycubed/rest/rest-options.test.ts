// The REST flags default to a loopback listener and refuse inconsistent TLS settings.

import { DEFAULT_REST_OPTIONS, parseRestFlags } from '../../../../src/polycubed/rest/rest-options';

describe('parseRestFlags', () => {
  it('defaults to 127.0.0.1:9000 over HTTP with 1 MiB bodies', () => {
    expect(parseRestFlags([])).toEqual({ ok: true, options: DEFAULT_REST_OPTIONS, rest: [] });
    expect(DEFAULT_REST_OPTIONS).toMatchObject({ addr: '127.0.0.1', port: 9000, maxBodyBytes: 1048576 });
  });

  it('reads flags in both spellings and leaves the others', () => {
    const r = parseRestFlags([
      '--quiet',
      '--addr',
      '0.0.0.0',
      '--port=9443',
      '--cert',
      'c.pem',
      '--key=k.pem',
      '--cacert',
      'ca.pem',
    ]);
    expect(r).toEqual({
      ok: true,
      options: {
        ...DEFAULT_REST_OPTIONS,
        addr: '0.0.0.0',
        port: 9443,
        cert: 'c.pem',
        key: 'k.pem',
        cacert: 'ca.pem',
      },
      rest: ['--quiet'],
    });
  });

  it.each([
    [['--port', '70000'], 'invalid port "70000": expected 0..65535'],
    [['--port', '-1'], 'invalid port "-1": expected 0..65535'],
    [['--port'], 'missing value for --port'],
    [['--cert', 'c.pem'], '--cert and --key must be given together'],
    [['--cacert', 'ca.pem'], '--cacert needs --cert and --key (client certificates need TLS)'],
  ])('refuses %j', (argv, message) => {
    expect(parseRestFlags(argv)).toEqual({ ok: false, message });
  });
});
