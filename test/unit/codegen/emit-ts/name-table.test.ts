// Names of generated code: classes from YANG names with clashes settled in schema order by the
// parent's class name, member names through ir/names.ts with clashes suffixed, files per
// top-level container or list.

import { NameTable } from '../../../../codegen/src/emit-ts/name-table';
import { container, enumOf, leaf, list, module, str } from '../helpers/ir-builders';

const m = module('demo-svc', [
  leaf('port_mode', str()),
  leaf('port-mode', str()),
  leaf('to-json', str()),
  leaf('constructor', str()),
  leaf('mode', enumOf('A', 'B')),
  container('config', [leaf('level', enumOf('x'))]),
  list('node_entry', ['id'], [leaf('id', str()), container('config', [leaf('w', str())])]),
  container('demo-svc', []),
]);
const names = new NameTable(m);
const [portMode1, portMode2, toJson, ctor, mode, config, nodeEntry, selfNamed] = m.children;

describe('NameTable', () => {
  test('class names: root from the module, clashes qualified by the parent class', () => {
    expect(names.classNodes().map((n) => names.className(n))).toEqual([
      'DemoSvc',
      'Config',
      'NodeEntry',
      'NodeEntryConfig',
      'DemoSvcDemoSvc',
    ]);
  });

  test('member names: camelCase, clashes and reserved names get a trailing _', () => {
    expect([portMode1, portMode2, toJson, ctor].map((n) => names.memberName(n as never))).toEqual([
      'portMode',
      'portMode_',
      'toJson_',
      'constructor_',
    ]);
  });

  test('enum names: class + leaf for the type, UPPER_SNAKE + _VALUES for the list', () => {
    expect(names.enumNames(mode as never)).toEqual({
      typeName: 'DemoSvcMode',
      valuesName: 'DEMO_SVC_MODE_VALUES',
    });
  });

  test('files: the root, then one per top-level container or list, kebab-case, never clashing', () => {
    expect([m, config, nodeEntry, selfNamed].map((n) => names.fileOf(n as never))).toEqual([
      'demo-svc',
      'config',
      'node-entry',
      'demo-svc-2',
    ]);
  });
});
