// The desired-configuration reader: one cube, arrays of cubes, several YAML documents or JSON;
// every cube needs its service and name, and names are unique across the files.

import { readDesiredCubes } from '../../../../src/cli/apply/desired-cubes';

interface Row {
  name: string;
  in: string[];
  wantCubes?: string[];
  wantErr?: string[];
}

const rows: Row[] = [
  {
    name: 'one cube object',
    in: ['service-name: lbrp\nname: lb0\nport_mode: SINGLE\n'],
    wantCubes: ['lbrp/lb0'],
  },
  {
    name: 'an array of cubes',
    in: ['- {service-name: lbrp, name: lb0}\n- {service-name: lbrp, name: lb1}\n'],
    wantCubes: ['lbrp/lb0', 'lbrp/lb1'],
  },
  {
    name: 'several YAML documents, empty ones skipped',
    in: ['---\nservice-name: lbrp\nname: lb0\n---\n---\nservice-name: lbrp\nname: lb1\n'],
    wantCubes: ['lbrp/lb0', 'lbrp/lb1'],
  },
  { name: 'JSON', in: ['{"service-name":"lbrp","name":"lb0","ports":[]}'], wantCubes: ['lbrp/lb0'] },
  { name: 'an empty file holds no cube', in: [''], wantCubes: [] },
  { name: 'service-name is required', in: ['name: lb0\n'], wantErr: ['f1: "service-name" is required'] },
  { name: 'name is required', in: ['service-name: lbrp\n'], wantErr: ['f1: "name" is required'] },
  { name: 'a scalar is no cube', in: ['- 3\n'], wantErr: ['f1, item 1: expected a cube object'] },
  {
    name: 'a cube defined twice across files',
    in: ['{service-name: lbrp, name: lb0}', '{service-name: lbrp, name: lb0}'],
    wantErr: ['f2: cube "lb0" is also defined in f1'],
  },
  { name: 'a syntax error names the file', in: ['a: [1, 2\n'], wantErr: ['f1: '] },
];

test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
  const got = readDesiredCubes(row.in.map((text, i) => ({ text, source: `f${i + 1}` })));
  if (row.wantErr) {
    expect(got.ok).toBe(false);
    if (!got.ok) row.wantErr.forEach((e, i) => expect(got.errors[i]).toContain(e));
    return;
  }
  expect(got.ok).toBe(true);
  if (got.ok) expect(got.cubes.map((c) => `${c.service}/${c.name}`)).toEqual(row.wantCubes);
});

test('values keep their YAML types (numbers stay numbers, YAML 1.2 has no "yes" booleans)', () => {
  const got = readDesiredCubes([
    { text: 'service-name: lbrp\nname: lb0\nspan: false\nlabel: yes\nn: 80\n', source: 'f' },
  ]);
  expect(got.ok && got.cubes[0].config).toEqual({
    'service-name': 'lbrp',
    name: 'lb0',
    span: false,
    label: 'yes',
    n: 80,
  });
});
