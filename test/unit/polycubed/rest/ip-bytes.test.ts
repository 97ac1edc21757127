// Every spelling of one address gives the same bytes (IPv4-mapped IPv6 as its 4 IPv4 bytes), and
// loopback is 127.0.0.0/8 or ::1, whatever the spelling.

import { ipBytes, isLoopbackIp, unmapV4 } from '../../../../src/polycubed/rest/ip-bytes';

const hex = (addr: string): string | undefined => ipBytes(addr)?.toString('hex');

describe('ipBytes', () => {
  it('reads IPv4 as 4 bytes', () => {
    expect(hex('127.0.0.1')).toBe('7f000001');
    expect(hex('192.0.2.255')).toBe('c00002ff');
    expect(hex('0.0.0.0')).toBe('00000000');
  });

  it('reads every IPv6 spelling of one address alike', () => {
    const one = '00000000000000000000000000000001';
    for (const a of ['::1', '0:0:0:0:0:0:0:1', '0000::0001', '[::1]', '::1%lo', '[::1%lo]'])
      expect(hex(a)).toBe(one);
    expect(hex('::')).toBe('0'.repeat(32));
    expect(hex('2001:db8::')).toBe('20010db8' + '0'.repeat(24));
    expect(hex('2001:db8::8:9')).toBe('20010db8' + '0'.repeat(16) + '00080009');
    expect(hex('1:2:3:4:5:6:7:8')).toBe('00010002000300040005000600070008');
    expect(hex('fe80::AbCd:1%eth0')).toBe('fe80' + '0'.repeat(20) + 'abcd0001');
    expect(hex('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('f'.repeat(32));
  });

  it('reads IPv4-mapped IPv6 as IPv4, other embedded IPv4 as 16 bytes', () => {
    expect(hex('::ffff:127.0.0.1')).toBe('7f000001');
    expect(hex('::FFFF:7f00:1')).toBe('7f000001');
    expect(hex('0:0:0:0:0:ffff:192.0.2.1')).toBe('c0000201');
    expect(hex('::127.0.0.1')).toBe('0'.repeat(24) + '7f000001');
    expect(hex('64:ff9b::192.0.2.1')).toBe('0064ff9b' + '0'.repeat(16) + 'c0000201');
    expect(hex('::ffff:127.0.0.1%eth0')).toBe('7f000001');
    expect(hex('::fffe:127.0.0.1')).toBe('0'.repeat(20) + 'fffe7f000001');
    expect(hex('1::ffff:127.0.0.1')).toBe('0001' + '0'.repeat(16) + 'ffff7f000001');
  });

  it('refuses what is not an IP literal', () => {
    for (const a of [
      '',
      'localhost',
      '127.0.0.1:80',
      '[127.0.0.1]x',
      '256.0.0.1',
      '::1::',
      '1.2.3',
      'x[::1]',
      '1[::1]',
      '[::1]1',
      '[::1',
    ])
      expect(ipBytes(a)).toBeUndefined();
  });
});

describe('unmapV4', () => {
  it('unmaps only ::ffff:0:0/96', () => {
    const b = (h: string) => Buffer.from(h, 'hex');
    expect(unmapV4(b('00000000000000000000ffff01020304')).toString('hex')).toBe('01020304');
    for (const h of [
      '00000000000000000000fffe01020304',
      '00000000000000000000feff01020304',
      '00000000000000000001ffff01020304',
      '10000000000000000000ffff01020304',
      '01020304',
      '0000000000000000ffff01020304',
    ])
      expect(unmapV4(b(h)).toString('hex')).toBe(h);
  });
});

describe('isLoopbackIp', () => {
  it('is 127.0.0.0/8 and ::1 only', () => {
    for (const a of ['127.0.0.1', '127.255.255.254', '127.0.0.0', '::1', '::ffff:127.1.2.3', '[0::1]'])
      expect([a, isLoopbackIp(ipBytes(a) as Buffer)]).toEqual([a, true]);
    for (const a of [
      '126.0.0.1',
      '128.0.0.1',
      '0.0.0.0',
      '10.127.0.1',
      '::',
      '::2',
      '1::1',
      '::1:1',
      '::127.0.0.1',
      '100::1',
    ])
      expect([a, isLoopbackIp(ipBytes(a) as Buffer)]).toEqual([a, false]);
    expect(isLoopbackIp(Buffer.from([0, 0, 0, 0, 1]))).toBe(false);
    expect(isLoopbackIp(Buffer.alloc(0))).toBe(false);
  });
});
