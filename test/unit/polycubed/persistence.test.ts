// Unit tests for polycubed's persistence: atomic saves of the cube configuration, the corrupt
// file set aside (never silently dropped), and the per-cube runtime records.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadConfigs,
  RuntimeStore,
  saveConfigs,
  writeFileAtomic,
} from '../../../src/polycubed/core/persistence';

describe('polycubed persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pcn-persist-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A save replaces the whole file through a temp file: no temp file is left, the mode is 0600.
  it('saves atomically, ordered by cube name, leaving no temporary file', () => {
    const file = join(dir, 'state', 'cubes.json');
    writeFileAtomic(file, 'old content that is longer than the new one');
    saveConfigs(file, [
      { 'service-name': 'lbrp', name: 'lb1', loglevel: 'INFO' },
      { 'service-name': 'lbrp', name: 'lb0', ports: [{ name: 'p1', peer: 'veth1' }] },
    ]);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual([
      { 'service-name': 'lbrp', name: 'lb0', ports: [{ name: 'p1', peer: 'veth1' }] },
      { 'service-name': 'lbrp', name: 'lb1', loglevel: 'INFO' },
    ]);
    expect(text.startsWith('[\n  {\n    "service-name": "lbrp"')).toBe(true);
    expect(readdirSync(join(dir, 'state'))).toEqual(['cubes.json']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  // No file yet is an empty configuration, not an error.
  it('reads a missing file as no cubes', () => {
    expect(loadConfigs(join(dir, 'absent.json'))).toEqual({ configs: [] });
  });

  // What was saved is read back unchanged.
  it('reads back what it saved', () => {
    const file = join(dir, 'cubes.json');
    const configs = [
      { 'service-name': 'pcntest', name: 'c0', label: 'x', ports: [{ name: 'p0', peer: '' }] },
    ];
    saveConfigs(file, configs);
    expect(loadConfigs(file)).toEqual({ configs });
  });

  const corruptRows = [
    { name: 'not JSON', text: '[{"service-name": "lbrp", "name": "lb0"', wantReason: /unreadable/ },
    { name: 'not an array', text: '{"lb0": {}}', wantReason: /not a JSON array/ },
    { name: 'element without a name', text: '[{"service-name": "lbrp"}]', wantReason: /no "name"/ },
    { name: 'element without a service', text: '[{"name": "lb0"}]', wantReason: /no "service-name"/ },
    {
      name: 'duplicate cube',
      text: '[{"service-name":"a","name":"x"},{"service-name":"a","name":"x"}]',
      wantReason: /appears twice/,
    },
  ];
  // An unusable file is moved aside with its content intact and reported; loading starts empty.
  it.each(corruptRows)('sets a corrupt file aside: $name', ({ text, wantReason }) => {
    const file = join(dir, 'cubes.json');
    writeFileSync(file, text);
    const got = loadConfigs(file);
    expect(got.configs).toEqual([]);
    expect(got.corrupt?.reason).toMatch(wantReason);
    expect(existsSync(file)).toBe(false);
    expect(got.corrupt?.movedTo).toMatch(/cubes\.json\.corrupt-/);
    expect(readFileSync(got.corrupt?.movedTo as string, 'utf8')).toBe(text);
  });

  // Runtime records and program sources round-trip per cube and are removed together.
  it('keeps runtime records and sources per cube', () => {
    const store = new RuntimeStore(join(dir, 'runtime'));
    store.saveRuntime('lb/0', { cubeId: 3, ports: { p0: { id: 0, ifindex: 7, createdHook: true } } });
    store.saveSource('lb/0', { entry: 'a.c', files: { 'a.c': 'int x;' } });
    expect(store.loadRuntime('lb/0')).toEqual({
      cubeId: 3,
      ports: { p0: { id: 0, ifindex: 7, createdHook: true } },
    });
    expect(store.loadSource('lb/0')).toEqual({ entry: 'a.c', files: { 'a.c': 'int x;' } });
    expect(store.loadRuntime('other')).toBeUndefined();
    store.remove('lb/0');
    expect(readdirSync(join(dir, 'runtime'))).toEqual([]);
  });
});
