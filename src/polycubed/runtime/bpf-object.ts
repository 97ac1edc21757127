// Loads a compiled BPF object into the kernel: open → size maps → reuse or plan pins → load.
// Maps pinned under a cube's pin directory are reused, so a reload keeps their contents; the
// result holds only fds (the libbpf object is closed right after load). Verifier rejections
// carry the verifier's log.

import { existsSync, mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BpfMap, numPossibleCpus } from './bpf-map';
import { check, checkPtr } from './ffi-check';
import { KernelError, VerifierError } from './kernel-error';
import { addressOf, lastErrno, libbpf, libc } from './libbpf-ffi';
import { libbpfLogMark, libbpfMessagesSince } from './libbpf-log';
import { programMemory, type ProgramMemory } from './map-memory';
import { mapInfoByFd, progInfoByFd } from './obj-info';
import { applyRodataConstants, RodataValue } from './rodata-constants';

/** How to load an object. Exactly one of `objPath` and `objBuffer` is given. */
export interface LoadOptions {
  /** Path of a BPF ELF object (e.g. from `compileBpf`). */
  objPath?: string;
  /** The ELF bytes themselves. */
  objBuffer?: Buffer;
  /** Object name for errors and the kernel (defaults to the file's base name). */
  objectName?: string;
  /**
   * Directory in a bpffs for this object's maps (`<pinDir>/<map name>`). Existing pins are
   * reused (contents survive a reload); missing ones are created and pinned. Global-data maps
   * (.rodata/.data/.bss) are never pinned.
   */
  pinDir?: string;
  /** Replace a pinned map whose shape no longer matches instead of failing (contents are lost). */
  replaceIncompatiblePins?: boolean;
  /** Program type (`BpfProgType`) forced on every program, when section names don't say it. */
  progType?: number;
  /** New max_entries per map name, applied before load. */
  mapOverrides?: Record<string, number>;
  /** Values for `const volatile` globals in .rodata, by variable name, set before load. */
  constants?: Record<string, RodataValue>;
  /** Verifier log buffer size in bytes (default 16 MiB; the log's tail is kept when longer). */
  logSize?: number;
  /**
   * Called with the kernel memory the object's maps will take (sized, before anything is created
   * or pinned); throwing refuses the load and leaves nothing behind.
   */
  admit?: (memory: ProgramMemory) => void;
}

/** A loaded program; its fd stays valid until the owning object is closed. */
export interface LoadedProgram {
  name: string;
  fd: number;
  /** `BpfProgType` value. */
  type: number;
  /** Kernel program id (as `bpftool prog show id N`). */
  id(): number;
  /** Pins the program at `path` (replacing an existing pin; parent dirs are created). */
  pin(path: string): void;
}

const DEFAULT_LOG_SIZE = 16 * 1024 * 1024; // verifier logs of large programs run to megabytes

/** Maps and programs of one loaded object. Owns their fds; `close()` releases them all. */
export class LoadedObject {
  /** Object name. */
  readonly name: string;
  /** Names of maps that were taken over from existing pins rather than created. */
  readonly reusedMaps: readonly string[];
  /** Kernel memory of every map of the object (map-memory.ts), internal maps included. */
  memory: ProgramMemory = { total: 0, maps: [] };
  private readonly mapsByName: Map<string, BpfMap>;
  private readonly progsByName: Map<string, LoadedProgram>;
  private closed = false;

  /** Built by `loadObject`; takes ownership of every map and program fd given. */
  constructor(name: string, maps: BpfMap[], progs: LoadedProgram[], reusedMaps: string[]) {
    this.name = name;
    this.mapsByName = new Map(maps.map((m) => [m.name, m]));
    this.progsByName = new Map(progs.map((p) => [p.name, p]));
    this.reusedMaps = reusedMaps;
  }

  /** The program named `name` (its C function name); throws when there is none. */
  program(name: string): LoadedProgram {
    const prog = this.progsByName.get(name);
    if (!prog)
      throw new Error(
        `object ${this.name} has no program ${name} (has: ${[...this.progsByName.keys()].join(', ')})`,
      );
    return prog;
  }

  /** The map named `name` (as in the C source); throws when there is none. */
  map(name: string): BpfMap {
    const map = this.mapsByName.get(name);
    if (!map)
      throw new Error(
        `object ${this.name} has no map ${name} (has: ${[...this.mapsByName.keys()].join(', ')})`,
      );
    return map;
  }

  /** All programs, in object order. */
  programs(): LoadedProgram[] {
    return [...this.progsByName.values()];
  }

  /** All maps, in object order (global-data maps are named like ".rodata"). */
  maps(): BpfMap[] {
    return [...this.mapsByName.values()];
  }

  /** Closes every fd. Pinned maps and attached programs stay in the kernel. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of this.mapsByName.values()) m.close();
    for (const p of this.progsByName.values()) libc.close(p.fd);
  }
}

interface MapPlan {
  ptr: bigint;
  name: string;
  internal: boolean;
}

/**
 * Opens, configures and loads a BPF object. Throws CompileError never, KernelError when open
 * or map setup fails, and VerifierError when the verifier rejects a program. On failure no pin
 * created by this call is left behind (libbpf removes what it pinned).
 */
export function loadObject(opts: LoadOptions): LoadedObject {
  if (!opts.objPath === !opts.objBuffer)
    throw new TypeError('loadObject needs exactly one of objPath and objBuffer');
  const name = opts.objectName ?? (opts.objPath ? basename(opts.objPath).replace(/\.o$/, '') : 'bpf_object');
  const logSize = opts.logSize ?? DEFAULT_LOG_SIZE;
  const logBuf = Buffer.allocUnsafe(logSize);
  logBuf[0] = 0;
  const openOpts = { object_name: name, kernel_log_buf: addressOf(logBuf), kernel_log_size: logSize };
  const obj = checkPtr(
    () =>
      opts.objPath
        ? libbpf.bpf_object__open_file(opts.objPath, openOpts)
        : libbpf.bpf_object__open_mem(opts.objBuffer as Buffer, openOpts),
    'object open',
    opts.objPath ?? name,
  );
  try {
    const plans = planMaps(obj, opts);
    const memory = planMemory(plans);
    opts.admit?.(memory);
    configurePrograms(obj, opts.progType);
    if (opts.constants) applyRodataConstants(obj, opts.constants, name);
    const reused = opts.pinDir ? preparePins(plans, opts.pinDir, opts.replaceIncompatiblePins ?? false) : [];
    loadOrThrow(obj, name, logBuf);
    const maps: BpfMap[] = [];
    const progs: LoadedProgram[] = [];
    try {
      collectMaps(plans, maps);
      collectPrograms(obj, progs);
    } catch (err) {
      new LoadedObject(name, maps, progs, reused).close(); // release the fds taken so far
      throw err;
    }
    const loaded = new LoadedObject(name, maps, progs, reused);
    loaded.memory = memory;
    return loaded;
  } finally {
    libbpf.bpf_object__close(obj);
  }
}

/** Removes a cube's pin directory and everything pinned in it; a missing directory is fine. */
export function unpinAll(pinDir: string): void {
  rmSync(pinDir, { recursive: true, force: true });
}

function planMaps(obj: bigint, opts: LoadOptions): MapPlan[] {
  const plans: MapPlan[] = [];
  const overrides = new Map(Object.entries(opts.mapOverrides ?? {}));
  for (let m = libbpf.bpf_object__next_map(obj, null); m !== null; m = libbpf.bpf_object__next_map(obj, m)) {
    const mapName = libbpf.bpf_map__name(m);
    const max = overrides.get(mapName);
    if (max !== undefined) {
      check(libbpf.bpf_map__set_max_entries(m, max), 'map resize', mapName);
      overrides.delete(mapName);
    }
    plans.push({ ptr: m, name: mapName, internal: libbpf.bpf_map__is_internal(m) });
  }
  if (overrides.size > 0)
    throw new TypeError(`mapOverrides name unknown maps: ${[...overrides.keys()].join(', ')}`);
  return plans;
}

/** Kernel memory of the planned maps (sizes as resized by planMaps). */
function planMemory(plans: MapPlan[]): ProgramMemory {
  const shapes = plans.map((p) => ({
    name: p.name,
    type: libbpf.bpf_map__type(p.ptr),
    keySize: libbpf.bpf_map__key_size(p.ptr),
    valueSize: libbpf.bpf_map__value_size(p.ptr),
    maxEntries: libbpf.bpf_map__max_entries(p.ptr),
    flags: libbpf.bpf_map__map_flags(p.ptr),
  }));
  return programMemory(shapes, numPossibleCpus());
}

function configurePrograms(obj: bigint, progType: number | undefined): void {
  if (progType === undefined) return;
  for (
    let p = libbpf.bpf_object__next_program(obj, null);
    p !== null;
    p = libbpf.bpf_object__next_program(obj, p)
  ) {
    check(libbpf.bpf_program__set_type(p, progType), 'program set type', libbpf.bpf_program__name(p));
  }
}

/** Reuses compatible pinned maps, plans pins for the others; returns the reused names. */
function preparePins(plans: MapPlan[], pinDir: string, replaceIncompatible: boolean): string[] {
  mkdirSync(pinDir, { recursive: true });
  const reused: string[] = [];
  for (const plan of plans.filter((p) => !p.internal)) {
    const path = join(pinDir, plan.name);
    if (existsSync(path)) {
      const fd = check(libbpf.bpf_obj_get(path), 'map open', path);
      try {
        const mismatch = describeMismatch(plan.ptr, fd, path);
        if (!mismatch) {
          check(libbpf.bpf_map__reuse_fd(plan.ptr, fd), 'map reuse', plan.name);
          reused.push(plan.name);
          continue;
        }
        if (!replaceIncompatible) throw new KernelError('map reuse', plan.name, 22, mismatch);
        unlinkSync(path);
      } finally {
        libc.close(fd); // reuse_fd keeps its own duplicate
      }
    }
    check(libbpf.bpf_map__set_pin_path(plan.ptr, path), 'map pin path', plan.name);
  }
  return reused;
}

function describeMismatch(map: bigint, fd: number, path: string): string | undefined {
  const info = mapInfoByFd(fd, path);
  const want = {
    type: libbpf.bpf_map__type(map),
    keySize: libbpf.bpf_map__key_size(map),
    valueSize: libbpf.bpf_map__value_size(map),
    maxEntries: libbpf.bpf_map__max_entries(map),
    flags: libbpf.bpf_map__map_flags(map),
  };
  const diffs = (Object.keys(want) as (keyof typeof want)[])
    .filter((k) => want[k] !== info[k])
    .map((k) => `${k} ${info[k]} pinned, ${want[k]} wanted`);
  return diffs.length ? `pinned map at ${path} differs: ${diffs.join(', ')}` : undefined;
}

function loadOrThrow(obj: bigint, name: string, logBuf: Buffer): void {
  const mark = libbpfLogMark();
  const ret = libbpf.bpf_object__load(obj);
  if (ret >= 0) return;
  const errno = ret < -1 ? -ret : lastErrno() || 22;
  const messages = libbpfMessagesSince(mark);
  const failed = /prog '([^']+)': BPF program load failed/.exec(messages);
  if (failed) {
    const end = logBuf.indexOf(0);
    const log = logBuf.subarray(0, end < 0 ? logBuf.length : end).toString('utf8');
    throw new VerifierError(`${name}/${failed[1]}`, errno, log, failed[1]);
  }
  throw new KernelError('object load', name, errno, messages || undefined);
}

function collectMaps(plans: MapPlan[], out: BpfMap[]): void {
  for (const plan of plans) {
    // Names come from before load: libbpf 1.1 renames a reused map to the kernel's 15-char name.
    const fd = check(
      libc.dupCloexec(check(libbpf.bpf_map__fd(plan.ptr), 'map fd', plan.name)),
      'map dup',
      plan.name,
    );
    out.push(
      new BpfMap(fd, {
        name: plan.name,
        type: libbpf.bpf_map__type(plan.ptr),
        keySize: libbpf.bpf_map__key_size(plan.ptr),
        valueSize: libbpf.bpf_map__value_size(plan.ptr),
        maxEntries: libbpf.bpf_map__max_entries(plan.ptr),
        flags: libbpf.bpf_map__map_flags(plan.ptr),
      }),
    );
  }
}

function collectPrograms(obj: bigint, progs: LoadedProgram[]): void {
  for (
    let p = libbpf.bpf_object__next_program(obj, null);
    p !== null;
    p = libbpf.bpf_object__next_program(obj, p)
  ) {
    const progName = libbpf.bpf_program__name(p);
    const objFd = libbpf.bpf_program__fd(p);
    if (objFd < 0) continue; // autoload disabled
    const fd = check(libc.dupCloexec(objFd), 'program dup', progName);
    progs.push({
      name: progName,
      fd,
      type: libbpf.bpf_program__type(p),
      id: () => progInfoByFd(fd, progName).id,
      pin(path: string): void {
        mkdirSync(dirname(path), { recursive: true });
        if (existsSync(path)) unlinkSync(path);
        check(libbpf.bpf_obj_pin(fd, path), 'program pin', `${progName} at ${path}`);
      },
    });
  }
}
