// generateModule for lbrp: the file set, headers naming generator, version and relative inputs,
// and nothing machine-dependent (absolute paths, timestamps) in any file.

import { generateModule } from '../../../../codegen/src/emit-ts/generate-module';
import { GENERATOR_VERSION } from '../../../../codegen/src/version';
import { lbrpModule, REPO_ROOT } from '../helpers/lbrp';

const { files, errors } = generateModule(lbrpModule());

describe('generateModule(lbrp)', () => {
  test('writes the class files, runtime, index and the schema and route tables', () => {
    expect(errors).toEqual([]);
    expect(files.map((f) => f.path)).toEqual([
      'lbrp/drop.ts',
      'lbrp/index.ts',
      'lbrp/lbrp.ts',
      'lbrp/ports.ts',
      'lbrp/routes.json',
      'lbrp/runtime.ts',
      'lbrp/schema.json',
      'lbrp/service.ts',
      'lbrp/src-ip-rewrite.ts',
    ]);
  });

  // STYLE §7: generator and version, relative inputs, "do not edit" — first thing in every file.
  test('every file starts with the header', () => {
    const inputs =
      'datamodel/lbrp.yang, datamodel/polycube-base.yang, datamodel/polycube-standard-base.yang, datamodel/ietf-inet-types.yang';
    for (const f of files) {
      const head = f.content.split('\n').slice(0, 3).join('\n');
      expect(head).toContain(`yang-ts-codegen ${GENERATOR_VERSION}`);
      expect(head).toContain('Do not edit');
      expect(head).toContain(inputs);
    }
  });

  test('no absolute path and no timestamp in the output', () => {
    for (const f of files) {
      expect(f.content).not.toContain(REPO_ROOT);
      expect(f.content).not.toMatch(/\b20\d\d-\d\d-\d\d/);
    }
  });

  // The JSON tables are what schema/ and routes/ compute, parsed back.
  test('routes.json lists the route table with static help', () => {
    const routes = JSON.parse(files.find((f) => f.path === 'lbrp/routes.json')?.content ?? '{}').routes;
    expect(routes[1]).toMatchObject({ path: '/polycube/v1/lbrp/:name', kind: 'cube', body: 'cube' });
    expect(Object.keys(routes[1].help)).toEqual(['NONE', 'ADD', 'SET', 'SHOW']);
    expect(Object.keys(routes[1].help.SET.params)).toEqual([
      'loglevel',
      'span',
      'port_mode',
      'tcp-new-timeout',
      'tcp-established-timeout',
      'tcp-closing-timeout',
      'udp-timeout',
      'icmp-timeout',
      'new-sessions-per-cpu',
      'sessionless-reply-nat',
      'probe-source',
      'probe-next-hop',
    ]);
  });
});
