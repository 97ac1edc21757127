// YANG name → TS identifier conversion (the only one in the project, STYLE §2): members, variables,
// types and constants, including names with `_`, capitals, reserved words and odd enum names.

import { toConstName, toMemberName, toTypeName, toVariableName } from 'yang-ts-codegen';

describe('names', () => {
  // Each row: a YANG name and what every conversion must return for it.
  it.each([
    {
      inName: 'backend-pool',
      member: 'backendPool',
      variable: 'backendPool',
      type: 'BackendPool',
      konst: 'BACKEND_POOL',
    },
    { inName: 'port_mode', member: 'portMode', variable: 'portMode', type: 'PortMode', konst: 'PORT_MODE' },
    {
      inName: 'new_ip_range',
      member: 'newIpRange',
      variable: 'newIpRange',
      type: 'NewIpRange',
      konst: 'NEW_IP_RANGE',
    },
    {
      inName: 'src-ip-rewrite',
      member: 'srcIpRewrite',
      variable: 'srcIpRewrite',
      type: 'SrcIpRewrite',
      konst: 'SRC_IP_REWRITE',
    },
    {
      inName: 'service-name',
      member: 'serviceName',
      variable: 'serviceName',
      type: 'ServiceName',
      konst: 'SERVICE_NAME',
    },
    { inName: 'vip', member: 'vip', variable: 'vip', type: 'Vip', konst: 'VIP' },
    { inName: 'lbrp', member: 'lbrp', variable: 'lbrp', type: 'Lbrp', konst: 'LBRP' },
    { inName: 'XDP_SKB', member: 'xdpSKB', variable: 'xdpSKB', type: 'XDPSKB', konst: 'XDP_SKB' },
    { inName: 'ID', member: 'id', variable: 'id', type: 'ID', konst: 'ID' },
    {
      inName: 'ipv4.address',
      member: 'ipv4Address',
      variable: 'ipv4Address',
      type: 'Ipv4Address',
      konst: 'IPV4_ADDRESS',
    },
    { inName: 'a--b__c', member: 'aBC', variable: 'aBC', type: 'ABC', konst: 'A_B_C' },
    { inName: '_hidden', member: '_hidden', variable: '_hidden', type: '_Hidden', konst: '_HIDDEN' },
    { inName: 'default', member: 'default', variable: 'default_', type: 'Default', konst: 'DEFAULT' },
    { inName: 'delete', member: 'delete', variable: 'delete_', type: 'Delete', konst: 'DELETE' },
    { inName: 'new', member: 'new', variable: 'new_', type: 'New', konst: 'NEW' },
    { inName: 'error', member: 'error', variable: 'error', type: 'Error_', konst: 'ERROR' },
    { inName: 'map', member: 'map', variable: 'map', type: 'Map_', konst: 'MAP' },
    {
      inName: 'camelCase',
      member: 'camelCase',
      variable: 'camelCase',
      type: 'CamelCase',
      konst: 'CAMEL_CASE',
    },
  ])('$inName', ({ inName, member, variable, type, konst }) => {
    expect({
      member: toMemberName(inName),
      variable: toVariableName(inName),
      type: toTypeName(inName),
      konst: toConstName(inName),
    }).toEqual({ member, variable, type, konst });
  });

  // Enum names may be any text; constants stay valid identifiers.
  it.each([
    { inName: 'two words', want: 'TWO_WORDS' },
    { inName: '10G', want: '_10G' },
    { inName: 'a+b', want: 'A_B' },
    { inName: 'ipv4Address', want: 'IPV4_ADDRESS' },
    { inName: 'FRONTEND', want: 'FRONTEND' },
    { inName: '', want: '_' },
  ])('constant for enum name "$inName"', ({ inName, want }) => {
    expect(toConstName(inName)).toBe(want);
  });
});
