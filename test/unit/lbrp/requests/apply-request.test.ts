// applyRequest: each (target, operation) pair reaches the model rule it means — list POST/PUT/PATCH,
// element add/replace/update/delete, leaves with the value in the body, keys from the path winning
// over the body — and anything lbrp gives no meaning answers "Method not supported".

import type { Result } from '../../../../src/common/errors';
import { emptyCube, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import { applyRequest, cubeInput } from '../../../../src/lbrp/requests/apply-request';
import type { RequestTarget } from '../../../../src/lbrp/requests/request-target';
import type { Op } from '../../../../src/service-kit';

/** The whole model as one line per part, so a row states the full expected state. */
function render(m: CubeModel): string[] {
  const ports = [...m.ports.values()].map((p) => `${p.name}:${p.type}${p.ip ? `@${p.ip}` : ''}`);
  const services = [...m.services.values()].map((s) => {
    const bes = [...s.backends.values()].map(
      (b) => `${b.ip}:${b.port}w${b.weight}${b.name !== undefined ? `(${b.name})` : ''}`,
    );
    return `${s.vip}:${s.vport}:${s.proto}${s.name !== undefined ? `(${s.name})` : ''}[${bes.join(' ')}]`;
  });
  const rw = m.srcIpRewrite;
  return [
    `mode ${m.portMode}`,
    `ports ${ports.join(' ')}`,
    `rewrite ${rw.ipRange ?? '-'} > ${rw.newIpRange ?? '-'}`,
    `services ${services.join(' ')}`,
  ];
}

function must(r: Result<CubeModel>): CubeModel {
  if (!r.ok) throw new Error(`setup: ${r.error.message}`);
  return r.value;
}

const REF = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };

/** SINGLE cube: fe and be, the web service with one backend, no src-ip-rewrite. */
function single(): CubeModel {
  return must(
    applyRequest(emptyCube('lb0', 'SINGLE'), { kind: 'cube' }, 'UPDATE', {
      ports: [
        { name: 'fe', type: 'FRONTEND' },
        { name: 'be', type: 'BACKEND' },
      ],
      service: [
        {
          vip: '10.0.0.1',
          vport: 80,
          proto: 'TCP',
          name: 'web',
          backend: [{ ip: '192.168.1.1', port: 8080 }],
        },
      ],
    }),
  );
}

/** MULTI cube: frontends f1 (10.1.0.1) and f2 (10.1.0.2), backend be. */
function multi(): CubeModel {
  return must(
    applyRequest(emptyCube('lb1', 'MULTI'), { kind: 'cube' }, 'UPDATE', {
      ports: [
        { name: 'f1', type: 'FRONTEND', ip: '10.1.0.1' },
        { name: 'f2', type: 'FRONTEND', ip: '10.1.0.2' },
        { name: 'be', type: 'BACKEND' },
      ],
    }),
  );
}

const SINGLE_PORTS = 'ports fe:FRONTEND be:BACKEND';
const WEB = '10.0.0.1:80:TCP(web)[192.168.1.1:8080w1]';
const NO_REWRITE = 'rewrite - > -';

interface Row {
  name: string;
  inModel?: () => CubeModel;
  inTarget: RequestTarget;
  inOp: Op;
  inBody?: unknown;
  /** The full rendered model after the request. */
  want?: string[];
  /** The refusal's message. */
  wantErr?: string;
}

const UNSUPPORTED = 'Method not supported';
const single4 = (ports: string, rewrite: string, services: string): string[] => [
  'mode SINGLE',
  ports,
  rewrite,
  services,
];

const ROWS: Row[] = [
  // The cube
  {
    name: 'cube PATCH merges listed services',
    inTarget: { kind: 'cube' },
    inOp: 'UPDATE',
    inBody: { service: [{ vip: '10.0.0.2', vport: 53, proto: 'UDP' }] },
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB} 10.0.0.2:53:UDP[]`),
  },
  {
    name: 'cube PATCH updates a listed service that exists',
    inTarget: { kind: 'cube' },
    inOp: 'UPDATE',
    inBody: {
      service: [{ vip: '10.0.0.1', vport: 80, proto: 'TCP', backend: [{ ip: '192.168.1.2', port: 81 }] }],
    },
    want: single4(
      SINGLE_PORTS,
      NO_REWRITE,
      'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w1 192.168.1.2:81w1]',
    ),
  },
  {
    name: 'cube PATCH may restate the port mode',
    inTarget: { kind: 'cube' },
    inOp: 'UPDATE',
    inBody: { port_mode: 'SINGLE' },
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'cube PATCH refuses another port mode',
    inTarget: { kind: 'cube' },
    inOp: 'UPDATE',
    inBody: { port_mode: 'MULTI' },
    wantErr: 'Port mode cannot be changed at runtime',
  },
  {
    name: 'cube PATCH without port_mode leaves a MULTI cube MULTI',
    inModel: multi,
    inTarget: { kind: 'cube' },
    inOp: 'UPDATE',
    inBody: { 'src-ip-rewrite': { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' } },
    want: [
      'mode MULTI',
      'ports f1:FRONTEND@10.1.0.1 f2:FRONTEND@10.1.0.2 be:BACKEND',
      'rewrite 10.2.0.0/24 > 10.3.0.0/24',
      'services ',
    ],
  },
  {
    name: 'cube PATCH with a body that is not an object changes nothing',
    inTarget: { kind: 'cube' },
    inOp: 'UPDATE',
    inBody: ['x'],
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'cube POST is not lbrp’s',
    inTarget: { kind: 'cube' },
    inOp: 'CREATE',
    inBody: {},
    wantErr: UNSUPPORTED,
  },
  // port_mode
  {
    name: 'port_mode PATCH accepts the current mode in any case',
    inTarget: { kind: 'port_mode' },
    inOp: 'UPDATE',
    inBody: 'single',
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'port_mode PATCH refuses a change',
    inTarget: { kind: 'port_mode' },
    inOp: 'UPDATE',
    inBody: 'multi',
    wantErr: 'Port mode cannot be changed at runtime',
  },
  {
    name: 'port_mode PUT is not lbrp’s',
    inTarget: { kind: 'port_mode' },
    inOp: 'REPLACE',
    inBody: 'SINGLE',
    wantErr: UNSUPPORTED,
  },
  // ports list
  {
    name: 'ports DELETE removes every port',
    inTarget: { kind: 'ports' },
    inOp: 'DELETE',
    want: single4('ports ', NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'ports PUT keeps exactly the listed ports',
    inTarget: { kind: 'ports' },
    inOp: 'REPLACE',
    inBody: [{ name: 'b2', type: 'BACKEND' }],
    want: single4('ports b2:BACKEND', NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'ports POST adds each listed port',
    inModel: () => must(applyRequest(single(), { kind: 'ports' }, 'DELETE', undefined)),
    inTarget: { kind: 'ports' },
    inOp: 'CREATE',
    inBody: [
      { name: 'a', type: 'FRONTEND' },
      { name: 'b', type: 'BACKEND' },
    ],
    want: single4('ports a:FRONTEND b:BACKEND', NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'ports POST refuses an existing port',
    inTarget: { kind: 'ports' },
    inOp: 'CREATE',
    inBody: [{ name: 'fe', type: 'FRONTEND' }],
    wantErr: 'Port fe already exists',
  },
  {
    name: 'ports PATCH updates listed ports that exist',
    inModel: multi,
    inTarget: { kind: 'ports' },
    inOp: 'UPDATE',
    inBody: [{ name: 'f2', ip: '10.1.0.9' }],
    want: [
      'mode MULTI',
      'ports f1:FRONTEND@10.1.0.1 f2:FRONTEND@10.1.0.9 be:BACKEND',
      NO_REWRITE,
      'services ',
    ],
  },
  {
    name: 'ports PATCH adds a listed port that does not exist',
    inModel: multi,
    inTarget: { kind: 'ports' },
    inOp: 'UPDATE',
    inBody: [{ name: 'f3', type: 'FRONTEND', ip: '10.1.0.3' }],
    want: [
      'mode MULTI',
      'ports f1:FRONTEND@10.1.0.1 f2:FRONTEND@10.1.0.2 be:BACKEND f3:FRONTEND@10.1.0.3',
      NO_REWRITE,
      'services ',
    ],
  },
  {
    name: 'ports PATCH with a body that is not a list changes nothing',
    inTarget: { kind: 'ports' },
    inOp: 'UPDATE',
    inBody: { name: 'x', type: 'BACKEND' },
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB}`),
  },
  { name: 'ports READ is not a write', inTarget: { kind: 'ports' }, inOp: 'READ', wantErr: UNSUPPORTED },
  // one port
  {
    name: 'port POST takes its name from the path',
    inModel: () => must(applyRequest(single(), { kind: 'ports', name: 'be' }, 'DELETE', undefined)),
    inTarget: { kind: 'ports', name: 'b9' },
    inOp: 'CREATE',
    inBody: { name: 'other', type: 'BACKEND' },
    want: single4('ports fe:FRONTEND b9:BACKEND', NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'port POST with a body that is not an object misses its type',
    inTarget: { kind: 'ports', name: 'b9' },
    inOp: 'CREATE',
    inBody: 'BACKEND',
    wantErr: 'type',
  },
  {
    name: 'port PUT replaces the port as a whole',
    inModel: multi,
    inTarget: { kind: 'ports', name: 'f2' },
    inOp: 'REPLACE',
    inBody: { type: 'FRONTEND', ip: '10.1.0.7' },
    want: [
      'mode MULTI',
      'ports f1:FRONTEND@10.1.0.1 be:BACKEND f2:FRONTEND@10.1.0.7',
      NO_REWRITE,
      'services ',
    ],
  },
  {
    name: 'port PATCH refuses a type change',
    inTarget: { kind: 'ports', name: 'fe' },
    inOp: 'UPDATE',
    inBody: { type: 'BACKEND' },
    wantErr: 'Port type cannot be changed at runtime',
  },
  {
    name: 'port PATCH sets the ip',
    inModel: multi,
    inTarget: { kind: 'ports', name: 'f1' },
    inOp: 'UPDATE',
    inBody: { ip: '10.1.0.5' },
    want: [
      'mode MULTI',
      'ports f1:FRONTEND@10.1.0.5 f2:FRONTEND@10.1.0.2 be:BACKEND',
      NO_REWRITE,
      'services ',
    ],
  },
  {
    name: 'port DELETE removes it',
    inTarget: { kind: 'ports', name: 'fe' },
    inOp: 'DELETE',
    want: single4('ports be:BACKEND', NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'port READ is not a write',
    inTarget: { kind: 'ports', name: 'fe' },
    inOp: 'READ',
    wantErr: UNSUPPORTED,
  },
  // port leaves
  {
    name: 'port ip PATCH sets the address',
    inModel: multi,
    inTarget: { kind: 'port-leaf', name: 'f2', leaf: 'ip' },
    inOp: 'UPDATE',
    inBody: '10.1.0.8',
    want: [
      'mode MULTI',
      'ports f1:FRONTEND@10.1.0.1 f2:FRONTEND@10.1.0.8 be:BACKEND',
      NO_REWRITE,
      'services ',
    ],
  },
  {
    name: 'port ip PATCH with a non-string clears the address, which a MULTI frontend needs',
    inModel: multi,
    inTarget: { kind: 'port-leaf', name: 'f2', leaf: 'ip' },
    inOp: 'UPDATE',
    inBody: 7,
    wantErr: 'FRONTEND',
  },
  {
    name: 'port type PATCH accepts the current type in any case',
    inTarget: { kind: 'port-leaf', name: 'be', leaf: 'type' },
    inOp: 'UPDATE',
    inBody: 'backend',
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'port type PATCH refuses another type',
    inTarget: { kind: 'port-leaf', name: 'be', leaf: 'type' },
    inOp: 'UPDATE',
    inBody: 'frontend',
    wantErr: 'Port type cannot be changed at runtime',
  },
  {
    name: 'another port leaf is not lbrp’s',
    inTarget: { kind: 'port-leaf', name: 'be', leaf: 'peer' },
    inOp: 'UPDATE',
    inBody: 'veth1',
    wantErr: UNSUPPORTED,
  },
  {
    name: 'a port leaf only takes PATCH',
    inTarget: { kind: 'port-leaf', name: 'be', leaf: 'type' },
    inOp: 'REPLACE',
    inBody: 'BACKEND',
    wantErr: UNSUPPORTED,
  },
  // src-ip-rewrite
  {
    name: 'src-ip-rewrite POST sets both ranges',
    inTarget: { kind: 'src-ip-rewrite' },
    inOp: 'CREATE',
    inBody: { 'ip-range': '10.2.0.0/24', new_ip_range: '10.3.0.0/24' },
    want: single4(SINGLE_PORTS, 'rewrite 10.2.0.0/24 > 10.3.0.0/24', `services ${WEB}`),
  },
  {
    name: 'src-ip-rewrite PUT makes it exactly the body',
    inModel: () =>
      must(
        applyRequest(single(), { kind: 'src-ip-rewrite' }, 'CREATE', {
          'ip-range': '10.2.0.0/24',
          new_ip_range: '10.3.0.0/24',
        }),
      ),
    inTarget: { kind: 'src-ip-rewrite' },
    inOp: 'REPLACE',
    inBody: { 'ip-range': '10.4.0.0/24' },
    want: single4(SINGLE_PORTS, 'rewrite 10.4.0.0/24 > -', `services ${WEB}`),
  },
  {
    name: 'src-ip-rewrite PATCH keeps the member not given',
    inModel: () =>
      must(
        applyRequest(single(), { kind: 'src-ip-rewrite' }, 'CREATE', {
          'ip-range': '10.2.0.0/24',
          new_ip_range: '10.3.0.0/24',
        }),
      ),
    inTarget: { kind: 'src-ip-rewrite' },
    inOp: 'UPDATE',
    inBody: { 'ip-range': '10.4.0.0/24' },
    want: single4(SINGLE_PORTS, 'rewrite 10.4.0.0/24 > 10.3.0.0/24', `services ${WEB}`),
  },
  {
    name: 'src-ip-rewrite DELETE clears both',
    inModel: () =>
      must(
        applyRequest(single(), { kind: 'src-ip-rewrite' }, 'CREATE', {
          'ip-range': '10.2.0.0/24',
          new_ip_range: '10.3.0.0/24',
        }),
      ),
    inTarget: { kind: 'src-ip-rewrite' },
    inOp: 'DELETE',
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'src-ip-rewrite POST with a body that is not an object sets nothing',
    inTarget: { kind: 'src-ip-rewrite' },
    inOp: 'CREATE',
    inBody: '10.2.0.0/24',
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB}`),
  },
  {
    name: 'src-ip-rewrite READ is not a write',
    inTarget: { kind: 'src-ip-rewrite' },
    inOp: 'READ',
    wantErr: UNSUPPORTED,
  },
  {
    name: 'src-ip-rewrite ip-range PATCH sets that range only',
    inTarget: { kind: 'src-ip-rewrite-leaf', leaf: 'ip-range' },
    inOp: 'UPDATE',
    inBody: '10.2.0.0/24',
    want: single4(SINGLE_PORTS, 'rewrite 10.2.0.0/24 > -', `services ${WEB}`),
  },
  {
    name: 'src-ip-rewrite new_ip_range PATCH sets that range only',
    inTarget: { kind: 'src-ip-rewrite-leaf', leaf: 'new_ip_range' },
    inOp: 'UPDATE',
    inBody: '10.3.0.0/24',
    want: single4(SINGLE_PORTS, 'rewrite - > 10.3.0.0/24', `services ${WEB}`),
  },
  {
    name: 'a src-ip-rewrite leaf PATCH with a non-string clears it',
    inModel: () =>
      must(
        applyRequest(single(), { kind: 'src-ip-rewrite' }, 'CREATE', {
          'ip-range': '10.2.0.0/24',
          new_ip_range: '10.3.0.0/24',
        }),
      ),
    inTarget: { kind: 'src-ip-rewrite-leaf', leaf: 'ip-range' },
    inOp: 'UPDATE',
    inBody: 24,
    want: single4(SINGLE_PORTS, 'rewrite - > 10.3.0.0/24', `services ${WEB}`),
  },
  {
    name: 'a src-ip-rewrite leaf only takes PATCH',
    inTarget: { kind: 'src-ip-rewrite-leaf', leaf: 'ip-range' },
    inOp: 'CREATE',
    inBody: '10.2.0.0/24',
    wantErr: UNSUPPORTED,
  },
  // service list
  {
    name: 'service DELETE removes every service',
    inTarget: { kind: 'service' },
    inOp: 'DELETE',
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services '),
  },
  {
    name: 'service POST adds each listed service',
    inTarget: { kind: 'service' },
    inOp: 'CREATE',
    inBody: [{ vip: '10.0.0.2', vport: 0, proto: 'ICMP', name: 'ping' }],
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB} 10.0.0.2:0:ICMP(ping)[]`),
  },
  {
    name: 'service POST refuses an existing service',
    inTarget: { kind: 'service' },
    inOp: 'CREATE',
    inBody: [{ vip: '10.0.0.1', vport: 80, proto: 'TCP' }],
    wantErr: 'This service already exists',
  },
  {
    name: 'service PUT keeps exactly the listed services',
    inTarget: { kind: 'service' },
    inOp: 'REPLACE',
    inBody: [{ vip: '10.0.0.3', vport: 443, proto: 'TCP' }],
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.3:443:TCP[]'),
  },
  {
    name: 'service PATCH updates a listed service that exists',
    inTarget: { kind: 'service' },
    inOp: 'UPDATE',
    inBody: [{ vip: '10.0.0.1', vport: 80, proto: 'TCP', backend: [{ ip: '192.168.1.1', weight: 3 }] }],
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w3]'),
  },
  {
    name: 'service PATCH with ALL adds when only some of the three exist, so it is refused',
    inTarget: { kind: 'service' },
    inOp: 'UPDATE',
    inBody: [{ vip: '10.0.0.1', vport: 80, proto: 'ALL' }],
    wantErr: 'This service already exists',
  },
  { name: 'service READ is not a write', inTarget: { kind: 'service' }, inOp: 'READ', wantErr: UNSUPPORTED },
  // one service
  {
    name: 'service element POST takes vip, vport and proto from the path',
    inTarget: { kind: 'service', ref: { vip: '10.0.0.9', vport: 25, proto: 'TCP' } },
    inOp: 'CREATE',
    inBody: { vip: '10.0.0.1', vport: 80, proto: 'TCP', name: 'mail' },
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB} 10.0.0.9:25:TCP(mail)[]`),
  },
  {
    name: 'service element POST with a body that is not an object adds a bare service',
    inTarget: { kind: 'service', ref: { vip: '10.0.0.9', vport: 25, proto: 'TCP' } },
    inOp: 'CREATE',
    inBody: 'mail',
    want: single4(SINGLE_PORTS, NO_REWRITE, `services ${WEB} 10.0.0.9:25:TCP[]`),
  },
  {
    name: 'service element PUT replaces it as a whole',
    inTarget: { kind: 'service', ref: REF },
    inOp: 'REPLACE',
    inBody: { backend: [{ ip: '192.168.1.2', port: 80 }] },
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP[192.168.1.2:80w1]'),
  },
  {
    name: 'service element PATCH changes the name',
    inTarget: { kind: 'service', ref: REF },
    inOp: 'UPDATE',
    inBody: { name: 'www' },
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(www)[192.168.1.1:8080w1]'),
  },
  {
    name: 'service element DELETE removes it',
    inTarget: { kind: 'service', ref: REF },
    inOp: 'DELETE',
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services '),
  },
  {
    name: 'service element READ is not a write',
    inTarget: { kind: 'service', ref: REF },
    inOp: 'READ',
    wantErr: UNSUPPORTED,
  },
  {
    name: 'service name PATCH renames it',
    inTarget: { kind: 'service-leaf', ref: REF, leaf: 'name' },
    inOp: 'UPDATE',
    inBody: 'www',
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(www)[192.168.1.1:8080w1]'),
  },
  {
    name: 'service name PATCH with a non-string empties the name',
    inTarget: { kind: 'service-leaf', ref: REF, leaf: 'name' },
    inOp: 'UPDATE',
    inBody: 5,
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP()[192.168.1.1:8080w1]'),
  },
  {
    name: 'a counter leaf of a service cannot be written',
    inTarget: { kind: 'service-leaf', ref: REF, leaf: 'packets' },
    inOp: 'UPDATE',
    inBody: 5,
    wantErr: UNSUPPORTED,
  },
  {
    name: 'service name only takes PATCH',
    inTarget: { kind: 'service-leaf', ref: REF, leaf: 'name' },
    inOp: 'REPLACE',
    inBody: 'www',
    wantErr: UNSUPPORTED,
  },
  // backend list
  {
    name: 'backend DELETE removes every backend of the service',
    inTarget: { kind: 'backend', ref: REF },
    inOp: 'DELETE',
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[]'),
  },
  {
    name: 'backend POST adds each listed backend',
    inTarget: { kind: 'backend', ref: REF },
    inOp: 'CREATE',
    inBody: [{ ip: '192.168.1.2', port: 81, weight: 2, name: 'b2' }],
    want: single4(
      SINGLE_PORTS,
      NO_REWRITE,
      'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w1 192.168.1.2:81w2(b2)]',
    ),
  },
  {
    name: 'backend PUT keeps exactly the listed backends',
    inTarget: { kind: 'backend', ref: REF },
    inOp: 'REPLACE',
    inBody: [{ ip: '192.168.1.3', port: 82 }],
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.3:82w1]'),
  },
  {
    name: 'backend PATCH updates the listed backends that exist',
    inTarget: { kind: 'backend', ref: REF },
    inOp: 'UPDATE',
    inBody: [{ ip: '192.168.1.1', port: 9090 }],
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:9090w1]'),
  },
  {
    name: 'backend PATCH adds a listed backend that does not exist',
    inTarget: { kind: 'backend', ref: REF },
    inOp: 'UPDATE',
    inBody: [{ ip: '192.168.1.5', port: 85 }],
    want: single4(
      SINGLE_PORTS,
      NO_REWRITE,
      'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w1 192.168.1.5:85w1]',
    ),
  },
  {
    name: 'backend READ is not a write',
    inTarget: { kind: 'backend', ref: REF },
    inOp: 'READ',
    wantErr: UNSUPPORTED,
  },
  // one backend
  {
    name: 'backend element POST takes its ip from the path',
    inTarget: { kind: 'backend', ref: REF, ip: '192.168.1.7' },
    inOp: 'CREATE',
    inBody: { ip: '192.168.1.1', port: 70 },
    want: single4(
      SINGLE_PORTS,
      NO_REWRITE,
      'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w1 192.168.1.7:70w1]',
    ),
  },
  {
    name: 'backend element POST with a body that is not an object misses its port',
    inTarget: { kind: 'backend', ref: REF, ip: '192.168.1.7' },
    inOp: 'CREATE',
    inBody: 70,
    wantErr: 'port',
  },
  {
    name: 'backend element PUT replaces it as a whole (weight back to 1)',
    inModel: () =>
      must(
        applyRequest(
          single(),
          { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'weight' },
          'UPDATE',
          5,
        ),
      ),
    inTarget: { kind: 'backend', ref: REF, ip: '192.168.1.1' },
    inOp: 'REPLACE',
    inBody: { port: 8081 },
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:8081w1]'),
  },
  {
    name: 'backend element PATCH changes only what it gives',
    inTarget: { kind: 'backend', ref: REF, ip: '192.168.1.1' },
    inOp: 'UPDATE',
    inBody: { weight: 4 },
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w4]'),
  },
  {
    name: 'backend element DELETE removes it',
    inTarget: { kind: 'backend', ref: REF, ip: '192.168.1.1' },
    inOp: 'DELETE',
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[]'),
  },
  {
    name: 'backend element READ is not a write',
    inTarget: { kind: 'backend', ref: REF, ip: '192.168.1.1' },
    inOp: 'READ',
    wantErr: UNSUPPORTED,
  },
  // backend leaves
  {
    name: 'backend name PATCH names it',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'name' },
    inOp: 'UPDATE',
    inBody: 'b1',
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w1(b1)]'),
  },
  {
    name: 'backend name PATCH without a body empties the name',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'name' },
    inOp: 'UPDATE',
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w1()]'),
  },
  {
    name: 'backend port PATCH sets the port',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'port' },
    inOp: 'UPDATE',
    inBody: 8443,
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:8443w1]'),
  },
  {
    name: 'backend weight PATCH sets the weight',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'weight' },
    inOp: 'UPDATE',
    inBody: 0,
    want: single4(SINGLE_PORTS, NO_REWRITE, 'services 10.0.0.1:80:TCP(web)[192.168.1.1:8080w0]'),
  },
  {
    name: 'backend weight PATCH refuses a string',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'weight' },
    inOp: 'UPDATE',
    inBody: '5',
    wantErr: 'weight',
  },
  {
    name: 'backend port PATCH refuses a string',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'port' },
    inOp: 'UPDATE',
    inBody: '80',
    wantErr: 'port',
  },
  {
    name: 'a counter leaf of a backend cannot be written',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'bytes' },
    inOp: 'UPDATE',
    inBody: 1,
    wantErr: UNSUPPORTED,
  },
  {
    name: 'a backend leaf only takes PATCH',
    inTarget: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'weight' },
    inOp: 'REPLACE',
    inBody: 2,
    wantErr: UNSUPPORTED,
  },
  {
    name: 'a path lbrp does not have is not supported',
    inTarget: { kind: 'unknown', path: '/lbrp/loglevel' },
    inOp: 'UPDATE',
    inBody: 'DEBUG',
    wantErr: UNSUPPORTED,
  },
];

describe('applyRequest', () => {
  it.each(ROWS)('$name', ({ inModel = single, inTarget, inOp, inBody, want, wantErr }) => {
    const before = inModel();
    const snapshot = render(before);
    const r = applyRequest(before, inTarget, inOp, inBody);
    if (wantErr !== undefined) {
      expect(r.ok ? 'accepted' : r.error.message).toContain(wantErr);
    } else {
      expect(r.ok ? render(r.value) : r.error.message).toEqual(want);
    }
    // The input model is never changed, whatever the answer.
    expect(render(before)).toEqual(snapshot);
  });
});

describe('cubeInput', () => {
  // Only members the body carries appear, so a PATCH never resets what it does not mention.
  it('carries only the members the body has', () => {
    expect(cubeInput({})).toEqual({});
    expect(cubeInput(null)).toEqual({});
    expect(cubeInput({ port_mode: 'MULTI' })).toEqual({ portMode: 'MULTI' });
    expect(
      cubeInput({
        ports: [{ name: 'fe', type: 'FRONTEND', ip: '10.1.0.1' }],
        'src-ip-rewrite': { 'ip-range': '10.2.0.0/24' },
        service: [
          { vip: '10.0.0.1', vport: 80, proto: 'TCP', backend: [{ ip: '192.168.1.1', port: 1, weight: 2 }] },
        ],
      }),
    ).toEqual({
      ports: [{ name: 'fe', type: 'FRONTEND', ip: '10.1.0.1' }],
      srcIpRewrite: { ipRange: '10.2.0.0/24', newIpRange: undefined },
      service: [
        {
          vip: '10.0.0.1',
          vport: 80,
          proto: 'TCP',
          name: undefined,
          backend: [{ ip: '192.168.1.1', name: undefined, port: 1, weight: 2 }],
        },
      ],
    });
  });
});
