// Port rules of runtime spec §5.4 per port mode, with the C++ messages, and the fixes: PATCH of ip
// obeys the same rules (bug 11), type may be restated but not changed.

import type { Result } from '../../../../src/common/errors';
import { emptyCube, type CubeModel, type PortMode } from '../../../../src/lbrp/model/cube-model';
import {
  addPort,
  deletePort,
  replacePort,
  setPortIp,
  updatePort,
  type PortInput,
} from '../../../../src/lbrp/model/port-rules';

/** A cube in `mode` with `ports` added in order (each must pass). */
function cubeWith(mode: PortMode, ports: PortInput[]): CubeModel {
  let m = emptyCube('lb0', mode);
  for (const p of ports) {
    const r = addPort(m, p);
    if (!r.ok) throw new Error(`setup: ${r.error.message}`);
    m = r.value;
  }
  return m;
}

/** The ports as "name:type[:ip]" strings, or the error message. */
function outcome(r: Result<CubeModel>): string[] | string {
  if (!r.ok) return r.error.message;
  return [...r.value.ports.values()].map((p) => [p.name, p.type, ...(p.ip ? [p.ip] : [])].join(':'));
}

const FE: PortInput = { name: 'fe', type: 'FRONTEND' };
const BE: PortInput = { name: 'be', type: 'BACKEND' };

describe('addPort', () => {
  // Each row adds one port to a cube holding inPorts; the result is the port list or the exact message.
  const ROWS: Array<{
    name: string;
    inMode: PortMode;
    inPorts: PortInput[];
    inAdd: PortInput;
    want: string[] | string;
  }> = [
    {
      name: 'ROUTED: FRONTENDs without ip, as many as wanted',
      inMode: 'ROUTED',
      inPorts: [FE],
      inAdd: { name: 'fe2', type: 'FRONTEND' },
      want: ['fe:FRONTEND', 'fe2:FRONTEND'],
    },
    {
      name: 'ROUTED: a BACKEND is refused naming type',
      inMode: 'ROUTED',
      inPorts: [FE],
      inAdd: BE,
      want: 'invalid type in ROUTED port mode: BACKEND ports are refused, a ROUTED cube has FRONTEND ports only (backends are reached through the routes)',
    },
    {
      name: 'ROUTED: a FRONTEND with ip is refused naming ip',
      inMode: 'ROUTED',
      inPorts: [],
      inAdd: { ...FE, ip: '10.0.0.1' },
      want: 'invalid ip in ROUTED port mode: a FRONTEND port takes no ip in ROUTED port mode',
    },
    {
      name: 'SINGLE: a FRONTEND without ip',
      inMode: 'SINGLE',
      inPorts: [],
      inAdd: FE,
      want: ['fe:FRONTEND'],
    },
    {
      name: 'SINGLE: FRONTEND then BACKEND',
      inMode: 'SINGLE',
      inPorts: [FE],
      inAdd: BE,
      want: ['fe:FRONTEND', 'be:BACKEND'],
    },
    {
      name: 'SINGLE: a second FRONTEND',
      inMode: 'SINGLE',
      inPorts: [FE],
      inAdd: { name: 'fe2', type: 'FRONTEND' },
      want: 'There is already a FRONTEND port. Only a FRONTEND port is allowed in SINGLE port mode',
    },
    {
      name: 'SINGLE: a FRONTEND with ip',
      inMode: 'SINGLE',
      inPorts: [],
      inAdd: { ...FE, ip: '10.0.0.1' },
      want: 'The ip address in not allow in SINGLE port mode for a FRONTEND port',
    },
    {
      name: 'SINGLE: a second BACKEND',
      inMode: 'SINGLE',
      inPorts: [BE],
      inAdd: { name: 'be2', type: 'BACKEND' },
      want: 'There is already a BACKEND port',
    },
    {
      name: 'SINGLE: a BACKEND with ip',
      inMode: 'SINGLE',
      inPorts: [],
      inAdd: { ...BE, ip: '10.0.0.1' },
      want: 'The ip address in not allowed in BACKEND port',
    },
    {
      name: 'SINGLE: a third port',
      inMode: 'SINGLE',
      inPorts: [FE, BE],
      inAdd: { name: 'x', type: 'FRONTEND' },
      want: 'Reached maximum number of ports',
    },
    {
      name: 'SINGLE: an empty ip (persisted configurations) counts as none',
      inMode: 'SINGLE',
      inPorts: [],
      inAdd: { ...FE, ip: '' },
      want: ['fe:FRONTEND'],
    },
    {
      name: 'MULTI: FRONTENDs with distinct ips and one BACKEND',
      inMode: 'MULTI',
      inPorts: [{ ...FE, ip: '10.0.0.1' }, BE],
      inAdd: { name: 'fe2', type: 'FRONTEND', ip: '10.0.0.2' },
      want: ['fe:FRONTEND:10.0.0.1', 'be:BACKEND', 'fe2:FRONTEND:10.0.0.2'],
    },
    {
      name: 'MULTI: a FRONTEND without ip',
      inMode: 'MULTI',
      inPorts: [],
      inAdd: FE,
      want: 'The IP address is mandatory in MULTI port mode for a FRONTEND port',
    },
    {
      name: 'MULTI: a FRONTEND ip already used',
      inMode: 'MULTI',
      inPorts: [{ ...FE, ip: '10.0.0.1' }],
      inAdd: { name: 'fe2', type: 'FRONTEND', ip: '10.0.0.1' },
      want: 'A FRONTEND port with the provided IP address (10.0.0.1) already exist',
    },
    {
      name: 'MULTI: a second BACKEND',
      inMode: 'MULTI',
      inPorts: [BE],
      inAdd: { name: 'be2', type: 'BACKEND' },
      want: 'There is already a BACKEND port',
    },
    {
      name: 'MULTI: a BACKEND with ip',
      inMode: 'MULTI',
      inPorts: [],
      inAdd: { ...BE, ip: '10.0.0.9' },
      want: 'The ip address in not allowed in BACKEND port',
    },
    {
      name: 'a port name already used',
      inMode: 'MULTI',
      inPorts: [BE],
      inAdd: { name: 'be', type: 'FRONTEND', ip: '10.0.0.1' },
      want: 'Port be already exists',
    },
    {
      name: 'a malformed ip',
      inMode: 'MULTI',
      inPorts: [],
      inAdd: { ...FE, ip: '10.0.0.256' },
      want: expect.stringContaining('"ip"'),
    },
  ];
  it.each(ROWS)('$name', ({ inMode, inPorts, inAdd, want }) => {
    const before = cubeWith(inMode, inPorts);
    expect(outcome(addPort(before, inAdd))).toEqual(want);
    expect(outcome({ ok: true, value: before })).toEqual(
      outcome({ ok: true, value: cubeWith(inMode, inPorts) }),
    );
  });
});

describe('updatePort and setPortIp', () => {
  const multi = (): CubeModel =>
    cubeWith('MULTI', [{ ...FE, ip: '10.0.0.1' }, { name: 'fe2', type: 'FRONTEND', ip: '10.0.0.2' }, BE]);
  const ROWS: Array<{
    name: string;
    inCube: () => CubeModel;
    inPort: string;
    inPatch: PortInput;
    want: string[] | string;
  }> = [
    {
      name: 'MULTI: a FRONTEND moves to a free ip',
      inCube: multi,
      inPort: 'fe',
      inPatch: { ip: '10.0.0.3' },
      want: ['fe:FRONTEND:10.0.0.3', 'fe2:FRONTEND:10.0.0.2', 'be:BACKEND'],
    },
    {
      name: "MULTI: a FRONTEND cannot take another FRONTEND's ip",
      inCube: multi,
      inPort: 'fe',
      inPatch: { ip: '10.0.0.2' },
      want: 'A FRONTEND port with the provided IP address (10.0.0.2) already exist',
    },
    {
      name: 'MULTI: restating its own ip is fine',
      inCube: multi,
      inPort: 'fe',
      inPatch: { ip: '10.0.0.1', type: 'FRONTEND' },
      want: ['fe:FRONTEND:10.0.0.1', 'fe2:FRONTEND:10.0.0.2', 'be:BACKEND'],
    },
    {
      name: 'SINGLE: PATCH of ip on the FRONTEND is refused (bug 11)',
      inCube: () => cubeWith('SINGLE', [FE, BE]),
      inPort: 'fe',
      inPatch: { ip: '10.0.0.1' },
      want: 'The ip address in not allow in SINGLE port mode for a FRONTEND port',
    },
    {
      name: 'PATCH of ip on the BACKEND is refused',
      inCube: multi,
      inPort: 'be',
      inPatch: { ip: '10.0.0.9' },
      want: 'The ip address in not allowed in BACKEND port',
    },
    {
      name: 'the type cannot change',
      inCube: multi,
      inPort: 'be',
      inPatch: { type: 'FRONTEND' },
      want: 'Error: Port type cannot be changed at runtime.',
    },
    {
      name: 'an unknown port',
      inCube: multi,
      inPort: 'nope',
      inPatch: { ip: '10.0.0.7' },
      want: 'Port nope does not exist',
    },
  ];
  it.each(ROWS)('$name', ({ inCube, inPort, inPatch, want }) => {
    expect(outcome(updatePort(inCube(), inPort, inPatch))).toEqual(want);
  });

  // setPortIp is what a PATCH of ports/<p>/ip does; an empty body text clears it (then MULTI objects).
  it('clears and validates through setPortIp', () => {
    expect(outcome(setPortIp(multi(), 'fe', ''))).toBe(
      'The IP address is mandatory in MULTI port mode for a FRONTEND port',
    );
    expect(outcome(setPortIp(multi(), 'fe2', '10.0.0.5'))).toEqual([
      'fe:FRONTEND:10.0.0.1',
      'fe2:FRONTEND:10.0.0.5',
      'be:BACKEND',
    ]);
  });
});

describe('deletePort and replacePort', () => {
  // Deleting a FRONTEND frees its ip for another port; replacing is checked as delete + add.
  it('frees the ip of a deleted FRONTEND and replaces as a whole', () => {
    const m = cubeWith('MULTI', [{ ...FE, ip: '10.0.0.1' }, BE]);
    const del = deletePort(m, 'fe');
    expect(outcome(del)).toEqual(['be:BACKEND']);
    if (!del.ok) return;
    expect(outcome(addPort(del.value, { name: 'fe9', type: 'FRONTEND', ip: '10.0.0.1' }))).toEqual([
      'be:BACKEND',
      'fe9:FRONTEND:10.0.0.1',
    ]);
    expect(outcome(replacePort(m, { name: 'fe', type: 'FRONTEND', ip: '10.0.0.4' }))).toEqual([
      'be:BACKEND',
      'fe:FRONTEND:10.0.0.4',
    ]);
    expect(outcome(replacePort(m, { name: 'fe', type: 'BACKEND' }))).toBe('There is already a BACKEND port');
    expect(outcome(deletePort(m, 'zz'))).toBe('Port zz does not exist');
  });
});
