// Help and GET answers from REST spec §3.6 and §4.1 (lbrp), as JSON text, shared by the CLI tests.

/** An entry object of the help protocol, member order as polycubed emits it. */
export function entry(
  name: string,
  type: string,
  description: string,
  example = '',
  simpletype?: string,
): object {
  const e: Record<string, string> = { name, description, example, type };
  if (simpletype !== undefined) e.simpletype = simpletype;
  return e;
}

const leaf = (n: string, d: string, ex = '', st = 'string'): object => entry(n, 'leaf', d, ex, st);
const key = (n: string, d: string, ex = '', st = 'string'): object => entry(n, 'key', d, ex, st);

/** Entry objects of the lbrp nodes (REST spec §3.6 table). */
export const E = {
  cubeName: {
    name: 'name',
    type: 'key',
    simpletype: 'string',
    description: 'Name of the lbrp service',
    example: 'lbrp1',
  },
  uuid: leaf('uuid', 'UUID of the Cube'),
  type: leaf('type', 'Type of the Cube (TC, XDP_SKB, XDP_DRV)', 'TC'),
  serviceName: leaf('service-name', '', 'helloworld'),
  loglevel: leaf('loglevel', 'Logging level of a cube, from none (OFF) to the most verbose (TRACE)', 'INFO'),
  ports: entry('ports', 'list', 'Entry of the ports table'),
  shadow: leaf('shadow', 'Defines if the service is visible in Linux', '', 'boolean'),
  span: leaf('span', 'Defines if all traffic is sent to Linux', '', 'boolean'),
  portMode: leaf(
    'port_mode',
    "LB mode of operation. 'SINGLE' is optimized for working with a single FRONTEND port. 'MULTI' allows to manage multiple FRONTEND port",
  ),
  srcIpRewrite: entry(
    'src-ip-rewrite',
    'complex',
    "If configured, when a client request arrives to the LB, the source IP address is replaced with another IP address from the 'new' range",
  ),
  service: entry('service', 'list', 'Services (i.e., virtual ip:protocol:port) exported to the client'),
  portName: key('name', 'Port Name', 'port1'),
  portPeer: leaf(
    'peer',
    "Peer name, such as a network interfaces (e.g., 'veth0') or another cube (e.g., 'br1:port2')",
    'r0:port1',
  ),
  portTcubes: leaf('tcubes', 'List of transparent cubes attached to this port'),
  portType: leaf('type', 'Type of the LB port (e.g. FRONTEND or BACKEND)'),
  portIp: leaf('ip', 'IP address of the client interface (only for FRONTEND port)', '10.10.1.1'),
  ipRange: leaf('ip-range', 'Range of IP addresses of the clients that must be replaced', '10.2.0.0/24'),
  newIpRange: leaf(
    'new_ip_range',
    'Range of IP addresses of the that must be used to replace client addresses',
    '10.3.0.0/24',
  ),
  serviceName2: leaf(
    'name',
    'Service name related to the backend server of the pool is connected to',
    'Service-nginx',
  ),
  vip: key('vip', 'Virtual IP (vip) of the service where clients connect to', '130.192.100.12'),
  vport: key(
    'vport',
    'Port of the virtual server where clients connect to (this value is ignored in case of ICMP)',
    '80',
    'unsigned',
  ),
  proto: key(
    'proto',
    "Upper-layer protocol associated with a loadbalancing service instance. 'ALL' creates an entry for all the supported protocols",
  ),
  backend: entry('backend', 'list', 'Pool of backend servers that actually serve requests'),
  backendName: leaf('name', 'name', 'backend1'),
  backendIp: key('ip', 'IP address of the backend server of the pool', '10.244.1.23'),
  backendPort: leaf(
    'port',
    'Port where the server listen to (this value is ignored in case of ICMP)',
    '80',
    'unsigned',
  ),
  backendWeight: leaf('weight', 'Weight of the backend in the pool', '1', 'unsigned'),
};

/** `OPTIONS …?help=<TYPE>` answers of REST spec §3.6, keyed by the command line. */
export const HELP = {
  'lbrp ?': { commands: ['add', 'del', 'show'], params: { name: E.cubeName }, elements: [{ name: 'lb0' }] },
  'lbrp add ?': {
    params: { name: E.cubeName },
    'optional-params': {
      type: E.type,
      'service-name': E.serviceName,
      loglevel: E.loglevel,
      shadow: E.shadow,
      span: E.span,
      port_mode: E.portMode,
    },
  },
  'lb0 ?': {
    commands: ['set', 'show'],
    params: { ports: E.ports, 'src-ip-rewrite': E.srcIpRewrite, service: E.service },
  },
  'lb0 set ?': { params: { loglevel: E.loglevel, span: E.span, port_mode: E.portMode } },
  'lb0 show ?': {
    params: {
      uuid: E.uuid,
      type: E.type,
      'service-name': E.serviceName,
      loglevel: E.loglevel,
      ports: E.ports,
      shadow: E.shadow,
      span: E.span,
      port_mode: E.portMode,
      'src-ip-rewrite': E.srcIpRewrite,
      service: E.service,
    },
  },
  'lb0 service ?': {
    commands: ['add', 'del', 'show'],
    params: { vip: E.vip, vport: E.vport, proto: E.proto },
    elements: [{ vip: '10.0.0.1', vport: '80', proto: 'tcp' }],
  },
  'lb0 service add ?': {
    params: { vip: E.vip, vport: E.vport, proto: E.proto },
    'optional-params': { name: E.serviceName2 },
  },
  'lb0 service del ?': {
    params: { vip: E.vip, vport: E.vport, proto: E.proto },
    elements: [{ vip: '10.0.0.1', vport: '80', proto: 'tcp' }],
  },
  'lb0 service 10.0.0.1 80 TCP ?': { commands: ['set', 'show'], params: { backend: E.backend } },
  'lb0 service 10.0.0.1 80 TCP backend add ?': {
    params: { ip: E.backendIp },
    'optional-params': { name: E.backendName, port: E.backendPort, weight: E.backendWeight },
  },
  'lb0 ports add ?': {
    params: { name: E.portName },
    'optional-params': { peer: E.portPeer, tcubes: E.portTcubes, type: E.portType, ip: E.portIp },
  },
  'lb0 ports p1 set ?': { params: { peer: E.portPeer, type: E.portType, ip: E.portIp } },
  'lb0 src-ip-rewrite set ?': { params: { 'ip-range': E.ipRange, new_ip_range: E.newIpRange } },
  '?': {
    params: {
      lbrp: {
        name: 'lbrp',
        simpletype: 'service',
        type: 'leaf',
        description: 'LoadBalancer Reverse-Proxy Service',
        version: '2.0.0',
        pyang_repo_id: 'Unknown',
        swagger_codegen_repo_id: 'Unknown',
      },
    },
  },
};

/** `GET /polycube/v1/cubes` for the root help. */
export const CUBES = {
  lbrp: [
    {
      name: 'lb0',
      uuid: 'u1',
      'service-name': 'lbrp',
      type: 'TC',
      loglevel: 'INFO',
      shadow: false,
      span: false,
    },
  ],
};

/**
 * The cube object behind the REST spec §4.4 example output (§4.1 shape with the values that
 * example shows: uuid u1, loglevel INFO, one port, and an src-ip-rewrite container printed with
 * no members).
 */
export const LB0 = {
  name: 'lb0',
  uuid: 'u1',
  'service-name': 'lbrp',
  type: 'TC',
  loglevel: 'INFO',
  ports: [{ name: 'p1', uuid: 'pu1', status: 'DOWN', peer: 'veth1', type: 'frontend', ip: '10.0.0.1' }],
  shadow: false,
  span: false,
  port_mode: 'single',
  'src-ip-rewrite': {},
  service: [
    {
      name: 'svc',
      vip: '10.0.0.1',
      vport: 80,
      proto: 'tcp',
      backend: [{ name: 'b1', ip: '1.2.3.4', port: 80, weight: 20 }],
    },
  ],
  _links: [
    { rel: 'self', href: '//localhost:9000/polycube/v1/lbrp/lb0/' },
    { rel: 'uuid', href: '//localhost:9000/polycube/v1/lbrp/lb0/uuid/' },
  ],
};
