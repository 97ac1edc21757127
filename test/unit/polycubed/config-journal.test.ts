// Unit tests for the configuration journal (issue 17): which operations are journaled as one
// element, how records apply to a cube's members, and that replay is idempotent and ignores a torn
// last line (a crash mid-append) — so a snapshot plus its journal always give the acknowledged state.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModuleFromText, type IrModule } from 'yang-ts-codegen';
import {
  applyRecord,
  ConfigJournal,
  elementTarget,
  replayJournal,
  type JournalRecord,
} from '../../../src/polycubed/core/config-journal';
import { journalPath, loadConfigs, saveConfigs } from '../../../src/polycubed/core/persistence';
import type { ConfigKey, ConfigOp } from '../../../src/polycubed/core/types';

const DATAMODEL = resolve(__dirname, '../../../datamodel');

function lbrpModule(): IrModule {
  const file = join(DATAMODEL, 'lbrp.yang');
  const res = loadModuleFromText(readFileSync(file, 'utf8'), file, { searchPath: [DATAMODEL] });
  if (!res.module) throw new Error(res.errors.map((e) => e.message).join('\n'));
  return res.module;
}

const svcKeys: ConfigKey[] = [
  { list: 'service', name: 'vip', value: '10.0.0.1' },
  { list: 'service', name: 'vport', value: '80' },
  { list: 'service', name: 'proto', value: 'TCP' },
];
const backendKey = (ip: string): ConfigKey => ({ list: 'backend', name: 'ip', value: ip });
const op = (o: Partial<ConfigOp>): ConfigOp => ({
  op: 'CREATE',
  service: 'lbrp',
  cube: 'lb0',
  path: '/lbrp/service/backend',
  keys: [...svcKeys, backendKey('10.1.0.1')],
  isCollection: false,
  ...o,
});

describe('config journal: which changes are one element', () => {
  const module = lbrpModule();

  it('a backend POST is one element, carried by its body (no READ)', () => {
    const body = { ip: '10.1.0.1', port: 80, weight: 1 };
    const t = elementTarget(op({ body }), module);
    expect(t?.path).toEqual([
      { list: 'service', keys: { vip: '10.0.0.1', vport: '80', proto: 'TCP' } },
      { list: 'backend', keys: { ip: '10.1.0.1' } },
    ]);
    expect(t?.body).toEqual(body);
    expect(t?.deletes).toBe(false);
  });

  it('a leaf PATCH re-reads its element; a DELETE of the element deletes it', () => {
    const leaf = elementTarget(op({ op: 'UPDATE', path: '/lbrp/service/backend/weight', body: 3 }), module);
    expect(leaf?.read.path).toBe('/lbrp/service/backend');
    expect(leaf?.body).toBeUndefined();
    expect(leaf?.deletes).toBe(false);
    expect(elementTarget(op({ op: 'DELETE' }), module)?.deletes).toBe(true);
    // Deleting a leaf of the element is an update of the element.
    expect(elementTarget(op({ op: 'DELETE', path: '/lbrp/service/backend/name' }), module)?.deletes).toBe(
      false,
    );
  });

  it('collections, cube leaves, containers and ports are not elements (the cube is re-read)', () => {
    expect(
      elementTarget(op({ isCollection: true, path: '/lbrp/service', keys: [] }), module),
    ).toBeUndefined();
    expect(
      elementTarget(op({ op: 'UPDATE', path: '/lbrp/session-policy', keys: [] }), module),
    ).toBeUndefined();
    expect(
      elementTarget(
        op({ op: 'UPDATE', path: '/lbrp/ports/ip', keys: [{ list: 'ports', name: 'name', value: 'p' }] }),
        module,
      ),
    ).toBeUndefined();
    expect(elementTarget(op({ op: 'READ' }), module)).toBeUndefined();
  });
});

describe('config journal: records and replay', () => {
  const svcPath = [{ list: 'service', keys: { vip: '10.0.0.1', vport: '80', proto: 'TCP' } }];
  const bPath = (ip: string) => [...svcPath, { list: 'backend', keys: { ip } }];
  const cube = (): Record<string, unknown> => ({
    'service-name': 'lbrp',
    name: 'lb0',
    service: [
      { vip: '10.0.0.1', vport: 80, proto: 'tcp', backend: [{ ip: '10.1.0.1', port: 80, weight: 1 }] },
    ],
  });
  const records: JournalRecord[] = [
    { cube: 'lb0', path: bPath('10.1.0.2'), value: { ip: '10.1.0.2', port: 81, weight: 2 } },
    { cube: 'lb0', path: bPath('10.1.0.1'), value: { ip: '10.1.0.1', port: 80, weight: 5 } },
    { cube: 'lb0', path: bPath('10.1.0.3'), value: { ip: '10.1.0.3', port: 82, weight: 1 } },
    { cube: 'lb0', path: bPath('10.1.0.3') },
    { cube: 'gone', path: bPath('10.1.0.9'), value: { ip: '10.1.0.9' } },
  ];
  const expected = [
    { ip: '10.1.0.1', port: 80, weight: 5 },
    { ip: '10.1.0.2', port: 81, weight: 2 },
  ];
  const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');

  it('sets, replaces and deletes elements (keys matched without case), refuses a missing parent', () => {
    const c = cube();
    for (const r of records.slice(0, 4)) expect(applyRecord(c, r.path, r.value)).toBe(true);
    const backends = (c.service as Array<{ backend: unknown[] }>)[0].backend;
    expect(backends).toEqual(expected);
    expect(
      applyRecord(
        c,
        [
          { list: 'service', keys: { vip: '9.9.9.9', vport: '1', proto: 'TCP' } },
          ...bPath('1.1.1.1').slice(1),
        ],
        {},
      ),
    ).toBe(false);
  });

  it('replays over a snapshot; replaying again over the result changes nothing (crash before truncation)', () => {
    const once = [cube()];
    expect(replayJournal(text, once)).toEqual({ applied: 4 });
    const twice = JSON.parse(JSON.stringify(once)) as Record<string, unknown>[];
    replayJournal(text, twice);
    expect(twice).toEqual(once);
    expect((once[0].service as Array<{ backend: unknown[] }>)[0].backend).toEqual(expected);
  });

  it('ignores a torn last line, reports a bad line in the middle', () => {
    const torn = [cube()];
    expect(replayJournal(`${text}{"cube":"lb0","path":[{"li`, torn)).toEqual({ applied: 4 });
    const bad = [cube()];
    expect(replayJournal(`${JSON.stringify(records[0])}\nnot json\n${text}`, bad)).toEqual({
      applied: 1,
      bad: 'line 2 is not JSON',
    });
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sp-journal-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('loadConfigs replays the journal beside the state file; truncation empties it', () => {
      const file = join(dir, 'cubes.json');
      saveConfigs(file, [cube() as never]);
      const j = new ConfigJournal(journalPath(file));
      j.append(records.slice(0, 2));
      j.append(records.slice(2));
      expect(j.size).toBe(Buffer.byteLength(text));
      appendFileSync(journalPath(file), '{"torn'); // a crash mid-append
      const loaded = loadConfigs(file);
      expect(loaded.journalError).toBeUndefined();
      expect((loaded.configs[0].service as Array<{ backend: unknown[] }>)[0].backend).toEqual(expected);
      j.truncate();
      j.append([records[3]]);
      j.close();
      expect(readFileSync(journalPath(file), 'utf8')).toBe(`${JSON.stringify(records[3])}\n`);
    });

    it('reports a corrupt journal line and keeps the records before it', () => {
      const file = join(dir, 'cubes.json');
      saveConfigs(file, [cube() as never]);
      writeFileSync(journalPath(file), `${JSON.stringify(records[0])}\n{oops}\n`);
      const loaded = loadConfigs(file);
      expect(loaded.journalError).toMatch(/line 2 is not JSON; replayed the 1 records before it/);
      expect((loaded.configs[0].service as Array<{ backend: unknown[] }>)[0].backend).toHaveLength(2);
    });
  });
});
