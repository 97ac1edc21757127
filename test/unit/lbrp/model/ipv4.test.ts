// IPv4 helpers of the model: dotted quads without leading zeros, masks for every prefix length
// (including /0 and /32, where shifts by 32 go wrong in JS), prefixes masked to their network.

import {
  hostMask,
  ipv4ToNumber,
  isIpv4,
  numberToIpv4,
  parsePrefix,
  prefixMask,
} from '../../../../src/lbrp/model/ipv4';

describe('ipv4', () => {
  // Four octets 0..255, no leading zeros, nothing else.
  it.each([
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
    ['0.0.0.0', 0],
    ['10.0.0', undefined],
    ['10.0.0.1.2', undefined],
    ['256.0.0.1', undefined],
    ['10.0.0.01', undefined],
    ['10.0.0.x', undefined],
    ['', undefined],
  ])('reads %s as %s', (text, want) => {
    expect(ipv4ToNumber(text)).toBe(want);
    expect(isIpv4(text)).toBe(want !== undefined);
  });

  it('writes numbers back in dotted form', () => {
    expect(numberToIpv4(0x0a000001)).toBe('10.0.0.1');
    expect(numberToIpv4(0xffffffff)).toBe('255.255.255.255');
  });

  // /0 is no bits (a shift by 32 would be all of them), /32 all of them.
  it('builds masks for every length', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(1)).toBe(0x80000000);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(hostMask(24)).toBe('0.0.0.255');
    expect(hostMask(32)).toBe('0.0.0.0');
    expect(hostMask(0)).toBe('255.255.255.255');
  });

  // A prefix is masked to its network; lengths 0..32 with one or two digits; anything else fails.
  it.each([
    ['10.1.2.3/24', { net: '10.1.2.0', prefixLen: 24 }],
    ['10.1.2.3/8', { net: '10.0.0.0', prefixLen: 8 }],
    ['10.1.2.3/0', { net: '0.0.0.0', prefixLen: 0 }],
    ['10.1.2.3/32', { net: '10.1.2.3', prefixLen: 32 }],
    ['10.1.2.3/33', undefined],
    ['10.1.2.3/', undefined],
    ['10.1.2.3/024', undefined],
    ['10.1.2.3', undefined],
    ['10.1.2/24', undefined],
  ])('parses the prefix %s', (text, want) => {
    expect(parsePrefix(text)).toEqual(want);
  });
});
