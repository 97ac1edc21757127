// The REST flags default to a loopback listener and refuse inconsistent TLS settings, bad access
// and limit values, and a non-loopback listener without client certificates or the loud flag.

import {
  checkRestOptions,
  DEFAULT_REST_OPTIONS,
  isLoopbackAddress,
  parseRestFlags,
  type RestOptions,
} from '../../../../src/polycubed/rest/rest-options';

describe('parseRestFlags', () => {
  it('defaults to 127.0.0.1:9000 over HTTP with 1 MiB bodies', () => {
    expect(parseRestFlags([])).toEqual({ ok: true, options: DEFAULT_REST_OPTIONS, rest: [] });
    expect(DEFAULT_REST_OPTIONS).toMatchObject({
      addr: '127.0.0.1',
      port: 9000,
      maxBodyBytes: 1048576,
      ui: true,
    });
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
      '--cert-blacklist=deny/',
      '--write-group',
      'netops',
      '--read-access=writers',
      '--allowed-host',
      'lb.example.net',
      '--allowed-host=10.0.0.9',
      '--allowed-origin',
      'https://ui.example.net',
      '--http-headers-timeout',
      '2000',
      '--http-request-timeout=4000',
      '--http-keepalive-timeout=1000',
      '--http-max-connections',
      '10',
      '--http-max-in-flight',
      '3',
      '--no-ui',
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
        certBlacklist: 'deny/',
        writeGroup: 'netops',
        readAccess: 'writers',
        allowedHosts: ['lb.example.net', '10.0.0.9'],
        allowedOrigins: ['https://ui.example.net'],
        headersTimeoutMs: 2000,
        requestTimeoutMs: 4000,
        keepAliveTimeoutMs: 1000,
        maxConnections: 10,
        maxInFlight: 3,
        ui: false,
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
    [['--cert-whitelist', 'ok/'], '--cert-whitelist needs --cert and --key (client certificates need TLS)'],
    [
      ['--cert', 'c', '--key', 'k', '--cert-blacklist', 'no/'],
      '--cert-blacklist needs --cacert (the CA that signs the certificates not on the list)',
    ],
    [['--read-access', 'some'], 'invalid --read-access "some": expected any or writers'],
    [['--no-ui=yes'], '--no-ui takes no value'],
    [['--http-max-in-flight', '0'], 'invalid --http-max-in-flight "0": expected a positive integer'],
    [
      ['--http-headers-timeout', '1s'],
      'invalid --http-headers-timeout "1s": expected a positive integer (milliseconds)',
    ],
    [
      ['--http-headers-timeout', '5000', '--http-request-timeout', '4000'],
      '--http-request-timeout must be at least --http-headers-timeout',
    ],
    [
      ['--insecure-allow-remote-writes-without-client-certs=yes'],
      '--insecure-allow-remote-writes-without-client-certs takes no value',
    ],
    [
      ['--addr', '0.0.0.0'],
      'refusing to listen on 0.0.0.0 without client certificates: anyone who reaches it could change the load balancer. Use --cert/--key with --cacert or --cert-whitelist, or listen on 127.0.0.1, or pass --insecure-allow-remote-writes-without-client-certs',
    ],
    [
      ['--addr', '::', '--cert', 'c', '--key', 'k'],
      expect.stringMatching(/^refusing to listen on :: without client certificates/),
    ],
  ])('refuses %j', (argv, message) => {
    expect(parseRestFlags(argv)).toEqual({ ok: false, message });
  });

  // Loopback listeners need nothing more; a non-loopback one needs client certificates or the loud flag.
  it.each([
    [['--addr', '::1']],
    [['--addr', 'localhost']],
    [['--addr', '127.0.0.2']],
    [['--addr', '0.0.0.0', '--cert', 'c', '--key', 'k', '--cacert', 'ca']],
    [['--addr', '0.0.0.0', '--cert', 'c', '--key', 'k', '--cert-whitelist', 'ok/']],
    [['--addr', '10.0.0.1', '--insecure-allow-remote-writes-without-client-certs']],
  ])('accepts %j', (argv) => {
    expect(parseRestFlags(argv).ok).toBe(true);
  });
});

describe('parseRestFlags: value rules and spellings', () => {
  const value = (argv: string[]) => {
    const r = parseRestFlags(argv);
    return r.ok ? r.options : r.message;
  };

  it('reads the short flags with a separate value only', () => {
    expect(value(['-a', '127.0.0.3', '-p', '0'])).toMatchObject({ addr: '127.0.0.3', port: 0 });
    expect(parseRestFlags(['-p=9'])).toEqual({ ok: true, options: DEFAULT_REST_OPTIONS, rest: ['-p=9'] });
    expect(parseRestFlags(['--portx', '1', 'x=y'])).toEqual({
      ok: true,
      options: DEFAULT_REST_OPTIONS,
      rest: ['--portx', '1', 'x=y'],
    });
  });

  it('takes ports 0..65535 and limits 1..2^31-1, as decimal digits only', () => {
    expect(value(['--port', '65535'])).toMatchObject({ port: 65535 });
    expect(value(['--port', '65536'])).toBe('invalid port "65536": expected 0..65535');
    expect(value(['--port', '9a'])).toBe('invalid port "9a": expected 0..65535');
    expect(value(['--port', 'a9'])).toBe('invalid port "a9": expected 0..65535');
    expect(value(['--http-max-connections', '2147483647'])).toMatchObject({ maxConnections: 2147483647 });
    expect(value(['--http-max-connections', '1'])).toMatchObject({ maxConnections: 1 });
    expect(value(['--http-max-connections', '2147483648'])).toBe(
      'invalid --http-max-connections "2147483648": expected a positive integer',
    );
    expect(value(['--http-keepalive-timeout', '1.5'])).toBe(
      'invalid --http-keepalive-timeout "1.5": expected a positive integer (milliseconds)',
    );
    expect(value(['--http-keepalive-timeout', 'x1'])).toBe(
      'invalid --http-keepalive-timeout "x1": expected a positive integer (milliseconds)',
    );
    expect(value(['--http-request-timeout', '10000'])).toMatchObject({ requestTimeoutMs: 10000 });
    expect(value(['--http-headers-timeout', '60000'])).toMatchObject({ headersTimeoutMs: 60000 });
  });

  it('refuses an empty value, and takes the next argument even when it looks like a flag', () => {
    expect(value(['--addr='])).toBe('missing value for --addr');
    expect(value(['--write-group', ''])).toBe('missing value for --write-group');
    expect(value(['--write-group', '--no-ui'])).toMatchObject({ writeGroup: '--no-ui', ui: true });
    expect(value(['--read-access', 'any'])).toMatchObject({ readAccess: 'any' });
    expect(value(['--key', 'k.pem'])).toBe('--cert and --key must be given together');
  });

  it('sets the loud flag to true, and adds to the lists of the base without changing it', () => {
    const base = { ...DEFAULT_REST_OPTIONS, allowedHosts: ['a'], allowedOrigins: ['http://o'] };
    const r = parseRestFlags(
      [
        '--allowed-host',
        'b',
        '--allowed-origin=http://p',
        '--insecure-allow-remote-writes-without-client-certs',
      ],
      base,
    );
    expect(r).toMatchObject({
      ok: true,
      options: {
        allowedHosts: ['a', 'b'],
        allowedOrigins: ['http://o', 'http://p'],
        insecureRemoteWrites: true,
      },
    });
    expect(base.allowedHosts).toEqual(['a']);
    expect(base.allowedOrigins).toEqual(['http://o']);
    expect(value(['--no-ui', '--no-ui'])).toMatchObject({ ui: false });
  });
});

describe('checkRestOptions and isLoopbackAddress', () => {
  const opts = (o: Partial<RestOptions>): RestOptions => ({ ...DEFAULT_REST_OPTIONS, ...o });

  it('lets a blacklist go with a whitelist instead of a CA, and equal timeouts', () => {
    expect(
      checkRestOptions(opts({ cert: 'c', key: 'k', certWhitelist: 'w', certBlacklist: 'b' })),
    ).toBeUndefined();
    expect(checkRestOptions(opts({ headersTimeoutMs: 5, requestTimeoutMs: 5 }))).toBeUndefined();
    expect(checkRestOptions(opts({ certBlacklist: 'b' }))).toBe(
      '--cert-blacklist needs --cert and --key (client certificates need TLS)',
    );
  });

  it('knows loopback names and addresses in any spelling', () => {
    for (const a of ['localhost', 'LocalHost', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect([a, isLoopbackAddress(a)]).toEqual([a, true]);
    for (const a of ['localhost.', 'localhost6', '0.0.0.0', '::', '10.0.0.1', 'example.net', ''])
      expect([a, isLoopbackAddress(a)]).toEqual([a, false]);
  });
});
