// The configuration journal beside the state file (issue 17): a change to one list element of a
// cube's service members (a backend added, a service's leaf patched) is appended as one JSON line
// (`set` the element's new configuration, or `delete` it) and fdatasync'd, instead of rewriting the
// whole state file. Loading replays the lines over the snapshot; compaction writes the snapshot
// (atomically, as before) and empties the journal. Records are absolute (set or delete one
// element), so replaying a journal over a snapshot that already holds it gives the same state: a
// crash between the snapshot's rename and the journal's truncation loses nothing. A torn last line
// (a crash mid-append) was never acknowledged and is ignored.

import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { IrModule, IrNode } from 'yang-ts-codegen';
import { timeJournal } from './change-trace';
import type { ConfigKey, ConfigOp } from './types';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One list step of an element path: the list's name and its key values (canonical text). */
export interface ElementStep {
  list: string;
  keys: Record<string, string>;
}

/** One journal line. `value` set: the element's configuration; absent: the element is deleted. */
export interface JournalRecord {
  cube: string;
  path: ElementStep[];
  value?: Json;
}

/** Where an operation's change lives: the list element it touches, in the service's members. */
export interface ElementTarget {
  path: ElementStep[];
  /** The READ that returns the element (same path as the op, up to the element). */
  read: ConfigOp;
  /** The op deletes the element itself. */
  deletes: boolean;
  /**
   * The element's whole new value when the op carries it (CREATE or REPLACE of the element: the
   * body is validated with defaults filled), so no READ is needed.
   */
  body?: unknown;
  /** Schema children of the element (config-false members are dropped from what is journaled). */
  children: readonly IrNode[];
}

/**
 * The list element `op` changes, when it changes exactly one element of the service's members
 * (and not a port: ports mix polycubed's members with the service's); undefined otherwise, and
 * then the whole cube is re-read and the snapshot rewritten.
 */
export function elementTarget(op: ConfigOp, module: IrModule | undefined): ElementTarget | undefined {
  if (!module || op.op === 'READ' || op.isCollection) return undefined;
  const segs = op.path.split('/').filter(Boolean).slice(1);
  let nodes: readonly IrNode[] = module.children;
  const path: ElementStep[] = [];
  let end = 0;
  let children: readonly IrNode[] = [];
  for (let i = 0; i < segs.length; i++) {
    const node = nodes.find((n) => n.name === segs[i]);
    if (!node) return undefined;
    if (node.kind === 'list') {
      const keys: Record<string, string> = {};
      for (const k of node.keys) {
        const key = op.keys.find((x: ConfigKey) => x.list === node.name && x.name === k);
        if (!key) return undefined;
        keys[k] = key.value;
      }
      path.push({ list: node.name, keys });
      end = i + 1;
      children = node.children;
      nodes = node.children;
    } else if (node.kind === 'container') {
      if (path.length === 0) return undefined; // a top-level container: not an element
      return undefined; // containers inside elements: keep it simple, re-read the cube
    } else {
      break;
    }
  }
  if (path.length === 0 || path[0].list === 'ports') return undefined;
  const read: ConfigOp = {
    op: 'READ',
    service: op.service,
    cube: op.cube,
    path: `/${[module.name, ...segs.slice(0, end)].join('/')}`,
    keys: op.keys.filter((k) => path.some((s) => s.list === k.list)),
    isCollection: false,
  };
  const whole = end === segs.length;
  const carries = whole && (op.op === 'CREATE' || op.op === 'REPLACE') && isObject(op.body);
  return {
    path,
    read,
    deletes: op.op === 'DELETE' && whole,
    children,
    ...(carries ? { body: op.body } : {}),
  };
}

const sameKey = (v: unknown, key: string): boolean => String(v).toLowerCase() === key.toLowerCase();

/**
 * Applies a record to a cube's members (the service members, or a whole persisted CubeConfig).
 * Returns false when a parent element is missing (the caller then re-reads the whole cube).
 */
export function applyRecord(members: Json, path: readonly ElementStep[], value: Json | undefined): boolean {
  let obj: Json = members;
  for (let i = 0; i < path.length; i++) {
    const { list, keys } = path[i];
    const last = i === path.length - 1;
    let arr = obj[list];
    if (!Array.isArray(arr)) {
      if (!last) return false;
      if (value === undefined) return true;
      arr = [];
      obj[list] = arr;
    }
    const items = arr as unknown[];
    const at = items.findIndex(
      (e) => isObject(e) && Object.entries(keys).every(([k, v]) => sameKey(e[k], v)),
    );
    if (!last) {
      if (at < 0) return false;
      obj = items[at] as Json;
      continue;
    }
    if (value === undefined) {
      if (at >= 0) items.splice(at, 1);
      if (items.length === 0) delete obj[list];
    } else if (at >= 0) items[at] = value;
    else items.push(value);
  }
  return true;
}

/** Replays a journal's text over `configs` (by cube name); returns how many records applied. */
export function replayJournal(text: string, configs: Json[]): { applied: number; bad?: string } {
  const byName = new Map<string, Json>();
  for (const c of configs) byName.set(String(c.name), c);
  const lines = text.split('\n');
  // The last piece is "" after a complete line, or a torn record never acknowledged.
  lines.pop();
  let applied = 0;
  for (const [i, line] of lines.entries()) {
    let rec: JournalRecord;
    try {
      rec = JSON.parse(line) as JournalRecord;
    } catch {
      return { applied, bad: `line ${i + 1} is not JSON` };
    }
    const cfg = byName.get(rec.cube);
    if (!cfg) continue; // the cube was deleted later (a snapshot was written then)
    applyRecord(cfg, rec.path, rec.value);
    applied++;
  }
  return { applied };
}

/** The journal file: appends with fdatasync, truncation after a snapshot. */
export class ConfigJournal {
  private fd: number | undefined;
  /** Bytes appended since the last truncation. */
  size = 0;

  constructor(readonly path: string) {}

  /** The journal's text (empty when missing). */
  read(): string {
    return existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
  }

  /** Appends records and makes them durable before returning. */
  append(records: readonly JournalRecord[]): void {
    if (records.length === 0) return;
    timeJournal(() => this.write(records));
  }

  private write(records: readonly JournalRecord[]): void {
    const fd = this.open();
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    writeSync(fd, text);
    fdatasyncSync(fd);
    this.size += Buffer.byteLength(text);
  }

  /** Empties the journal (after a snapshot holding every record was written). */
  truncate(): void {
    const fd = this.open();
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    this.size = 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    // An fd whose file was removed or replaced would take appends no restart ever reads.
    if (this.fd !== undefined && !this.stillNamed(this.fd)) this.close();
    if (this.fd !== undefined) return this.fd;
    const existed = existsSync(this.path);
    this.fd = openSync(this.path, 'a', 0o600);
    if (!existed) {
      // The new file's name must survive a crash too.
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return this.fd;
  }

  private stillNamed(fd: number): boolean {
    try {
      return statSync(this.path).ino === fstatSync(fd).ino;
    } catch {
      return false;
    }
  }
}
