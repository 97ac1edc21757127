// The lbrp-service command line: polycubed address, TLS only as a complete set (and required for
// TCP) and table bounds. Map sizes are per cube (YANG leaves), so the old capacity flags are refused.

import { parseLbrpArgs } from '../../../src/lbrp/main';
import { resolveLbrpOptions, syncOptions } from '../../../src/lbrp/lbrp-options';

describe('lbrp-service arguments', () => {
  // The unix socket is the default transport; TCP needs TLS with a client certificate.
  it('reads the address and refuses TCP without TLS', () => {
    expect(parseLbrpArgs([]).address).toBe('unix:/run/lbrp/polycubed.sock');
    expect(parseLbrpArgs(['--polycubed', 'unix:/tmp/p.sock']).address).toBe('unix:/tmp/p.sock');
    expect(() => parseLbrpArgs(['--polycubed', '10.0.0.1:5000'])).toThrow('needs --cert, --key and --cacert');
    expect(() => parseLbrpArgs(['--cert', 'c.pem'])).toThrow('--cert, --key and --cacert go together');
  });

  // Numbers must be positive integers; they land in the options, the rest keeps its defaults.
  it('reads table bounds; map sizes are no longer service flags', () => {
    const args = parseLbrpArgs(['--table-min', '1000', '--table-max', '20000']);
    expect(args.options?.policy).toMatchObject({ minTableSize: 1000, maxTableSize: 20000 });
    expect(syncOptions(resolveLbrpOptions(args.options)).policy).toMatchObject({ maxTableSize: 20000 });
    expect(() => parseLbrpArgs(['--table-max=-1'])).toThrow('--table-max needs a positive integer');
    expect(() => parseLbrpArgs(['--max-slots', '8388608'])).toThrow("Unknown option '--max-slots'");
  });
});
