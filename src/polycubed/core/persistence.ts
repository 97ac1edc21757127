// Persistence of polycubed's state: the cube configurations (REST spec §7.2: a JSON array of
// cube configs, each starting with "service-name"), written atomically after every change and
// read at start; and per-cube runtime records (cube id, port ids, hooks created, program source)
// that let a restarted daemon adopt the pinned dataplane. A corrupt file is moved aside, never dropped.

import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { replayJournal } from './config-journal';

/** One persisted cube configuration: "service-name", name, base members, service members. */
export type CubeConfig = Record<string, unknown> & { 'service-name': string; name: string };

/** What `loadConfigs` found. */
export interface LoadedConfigs {
  configs: CubeConfig[];
  /** Set when the file could not be used: where it was moved and why. */
  corrupt?: { movedTo: string; reason: string };
  /** The journal had a bad line (the records before it were replayed). */
  journalError?: string;
}

/** Runtime facts about a cube that are not configuration but must survive a daemon restart. */
export interface CubeRuntimeRecord {
  cubeId: number;
  /** Port name → id and, when bound, the netdev ifindex and whether we created its clsact hook. */
  ports: Record<string, { id: number; ifindex?: number; createdHook?: boolean }>;
}

/** Writes `text` to `path` atomically: temp file in the same directory, fsync, rename. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Saves the configurations (ordered by cube name) as a 2-space-indented JSON array; returns the
 * file's size in bytes.
 */
export function saveConfigs(path: string, configs: CubeConfig[]): number {
  const sorted = [...configs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const text = `${JSON.stringify(sorted, null, 2)}\n`;
  writeFileAtomic(path, text);
  return Buffer.byteLength(text);
}

/** Why `value` is not a valid configuration array, or undefined when it is. */
function invalidReason(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'not a JSON array';
  const names = new Set<string>();
  for (const [i, c] of value.entries()) {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return `element ${i} is not an object`;
    const obj = c as Record<string, unknown>;
    if (typeof obj.name !== 'string' || obj.name === '') return `element ${i} has no "name"`;
    if (typeof obj['service-name'] !== 'string' || obj['service-name'] === '')
      return `element ${i} (${obj.name}) has no "service-name"`;
    if (names.has(obj.name)) return `cube ${obj.name} appears twice`;
    names.add(obj.name);
  }
  return undefined;
}

/**
 * Reads the configurations. A missing file is an empty configuration. A file that is not a
 * JSON array of cube configs is renamed to `<path>.corrupt-<timestamp>` and reported in
 * `corrupt`; the caller starts empty and must tell the operator.
 */
export function loadConfigs(path: string): LoadedConfigs {
  if (!existsSync(path)) return { configs: [] };
  let reason: string | undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    reason = invalidReason(parsed);
    if (!reason) {
      const configs = parsed as CubeConfig[];
      return { configs, ...replayed(path, configs) };
    }
  } catch (err) {
    reason = `unreadable: ${(err as Error).message}`;
  }
  const movedTo = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, movedTo);
  return { configs: [], corrupt: { movedTo, reason } };
}

/** The journal of `stateFile` (config-journal.ts). */
export const journalPath = (stateFile: string): string => `${stateFile}.journal`;

/** Replays the journal beside `stateFile` over `configs` (in place); reports a bad line. */
function replayed(stateFile: string, configs: CubeConfig[]): { journalError?: string } {
  const journal = journalPath(stateFile);
  if (!existsSync(journal)) return {};
  const r = replayJournal(readFileSync(journal, 'utf8'), configs);
  return r.bad ? { journalError: `${journal}: ${r.bad}; replayed the ${r.applied} records before it` } : {};
}

/** Per-cube runtime files under one directory. */
export class RuntimeStore {
  constructor(readonly dir: string) {}

  private path(cube: string, kind: 'runtime' | 'source'): string {
    return join(this.dir, `${encodeURIComponent(cube)}.${kind}.json`);
  }

  /** Saves the runtime record of `cube`. */
  saveRuntime(cube: string, rec: CubeRuntimeRecord): void {
    writeFileAtomic(this.path(cube, 'runtime'), JSON.stringify(rec));
  }

  /** The runtime record of `cube`, or undefined when missing or unreadable. */
  loadRuntime(cube: string): CubeRuntimeRecord | undefined {
    return this.read(this.path(cube, 'runtime')) as CubeRuntimeRecord | undefined;
  }

  /** Saves the program source last loaded for `cube` (needed to reload it at a new log level). */
  saveSource(cube: string, source: unknown): void {
    writeFileAtomic(this.path(cube, 'source'), JSON.stringify(source));
  }

  /** The program source last loaded for `cube`, or undefined. */
  loadSource(cube: string): unknown {
    return this.read(this.path(cube, 'source'));
  }

  /** Removes both files of `cube`. */
  remove(cube: string): void {
    rmSync(this.path(cube, 'runtime'), { force: true });
    rmSync(this.path(cube, 'source'), { force: true });
  }

  private read(path: string): unknown {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
  }
}
