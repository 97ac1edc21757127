// The planner of `polycubectl apply`: compares one desired cube with the running one (its GET
// answer) and returns the REST requests that turn the running cube into the desired one, in a
// safe order. It is generic: which members are lists (and their keys), containers, changeable,
// init-only or state comes from a SchemaSource (the server's help answers).
//
// Order of the plan:
//   1. creations and changes, top-down: the cube first, then its direct children (ports,
//      containers, services… in the server's member order), then theirs (backends…); so every
//      backend is added or updated before any backend leaves;
//   2. deletions (only with --prune), in the reverse order: backends, then services, then ports.
// An entry that must be re-created (--recreate) is deleted right before it is created again.
//
// Semantics: members the file does not mention are left as they are; list entries on the
// server that the file's list lacks are kept unless pruning; state members (config false, such
// as uuid, status or counters) are ignored, so `polycubectl <cube> show -yaml` output is a valid
// input; unknown members are errors; keys match exactly, else case-insensitively.

import { pathEscape } from '../request-builder';
import { isJsonObject, type DesiredCube, type JsonObject } from './desired-cubes';
import type { NodeRef, SchemaSource } from './help-schema';

/** One REST request of a plan. */
export interface PlanStep {
  method: 'POST' | 'PATCH' | 'DELETE';
  /** Path relative to the base URL, ending with "/". */
  rel: string;
  /** JSON body; undefined = none. */
  body?: JsonObject;
  /** 1 = creations and changes (top-down), 2 = deletions (bottom-up). */
  phase: 1 | 2;
  /** 0 = the cube, 1 = its direct children, … */
  depth: number;
  /** Emission order, the last sort key. */
  seq: number;
}

/** The plan for one cube. */
export interface CubePlan {
  cube: DesiredCube;
  /** Requests in the order they must be sent. */
  steps: PlanStep[];
  /** Things left alone that the user may want to know about. */
  notes: string[];
  /** Why the plan cannot be carried out; when not empty, nothing may be sent. */
  errors: string[];
}

/** Planner switches. */
export interface PlanOptions {
  prune: boolean;
  recreate: boolean;
}

/** Members that name the cube rather than configure it. */
const CUBE_IDENTITY = ['name', 'service-name'];
/** polycubed's HATEOAS member (REST spec §4.3), present in GET answers and `show -json` output. */
const LINKS = '_links';

/** The text a scalar is compared by; numbers and booleans as JSON writes them. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function isEmptyValue(v: unknown): boolean {
  return v === '' || (Array.isArray(v) && v.length === 0);
}

/**
 * Orders steps: phase 1 top-down in emission order, then phase 2 as its exact reverse (deepest
 * first, later members first: services leave before the ports they were reached through).
 */
export function orderSteps(steps: PlanStep[]): PlanStep[] {
  return [...steps].sort((a, b) =>
    a.phase !== b.phase
      ? a.phase - b.phase
      : a.phase === 1
        ? a.depth - b.depth || a.seq - b.seq
        : b.depth - a.depth || b.seq - a.seq,
  );
}

class CubePlanner {
  private readonly steps: PlanStep[] = [];
  private readonly notes: string[] = [];
  private readonly errors: string[] = [];
  private seq = 0;

  constructor(
    private readonly schema: SchemaSource,
    private readonly opts: PlanOptions,
  ) {}

  async plan(cube: DesiredCube, current: JsonObject | undefined): Promise<CubePlan> {
    const desired = Object.fromEntries(
      Object.entries(cube.config).filter(([k]) => !CUBE_IDENTITY.includes(k)),
    );
    const ref: NodeRef = {
      rel: `${pathEscape(cube.service)}/${pathEscape(cube.name)}/`,
      schemaKey: cube.service,
      kind: 'cube',
    };
    await this.node(ref, `${cube.service} ${cube.name}`, desired, current, 0);
    return {
      cube,
      steps: this.errors.length > 0 ? [] : orderSteps(this.steps),
      notes: this.notes,
      errors: this.errors,
    };
  }

  private emit(step: Omit<PlanStep, 'seq'>): void {
    this.steps.push({ ...step, seq: this.seq++ });
  }

  /**
   * Plans `ref` (a cube, list element or container) so that it holds `desired`; `current` is the
   * running node, undefined when it does not exist yet. `label` names it in polycubectl words.
   */
  private async node(
    ref: NodeRef,
    label: string,
    desired: JsonObject,
    current: JsonObject | undefined,
    depth: number,
  ): Promise<void> {
    const shape = await this.schema.shape(ref);
    const kinds = new Map(shape.children.map((c) => [c.name, c.kind]));
    const leaves: JsonObject = {};
    for (const [member, value] of Object.entries(desired)) {
      const kind = kinds.get(member);
      if (member === LINKS || shape.readOnly.has(member)) continue;
      if (kind === 'list' && !Array.isArray(value))
        this.errors.push(`${label}: "${member}" is a list: expected an array`);
      else if (kind === 'container' && !isJsonObject(value))
        this.errors.push(`${label}: "${member}" is a container: expected an object`);
      else if (kind === undefined && (shape.settable.has(member) || shape.initOnly.has(member))) {
        if (value === null || (typeof value === 'object' && !Array.isArray(value)))
          this.errors.push(
            `${label}: "${member}" is a leaf: expected a value, found ${JSON.stringify(value)}`,
          );
        else leaves[member] = value;
      } else if (kind === undefined) {
        const known = [...shape.children.map((c) => c.name), ...shape.settable, ...shape.initOnly];
        this.errors.push(`${label}: unknown member "${member}" (the server knows: ${known.join(', ')})`);
      }
    }

    let existing = current;
    if (existing !== undefined) {
      const changed: JsonObject = {};
      const frozen: string[] = [];
      for (const [member, value] of Object.entries(leaves)) {
        if (await this.sameValue(ref, member, value, existing[member])) continue;
        if (shape.initOnly.has(member)) {
          const was = existing[member] === undefined ? 'unset' : JSON.stringify(existing[member]);
          frozen.push(`${member} (running ${was}, file ${JSON.stringify(value)})`);
        } else changed[member] = value;
      }
      if (frozen.length > 0 && !this.opts.recreate) {
        this.errors.push(
          `${label}: init-only members differ: ${frozen.join(', ')}; they can only be set when it is ` +
            `created: delete it and apply again, or apply with --recreate`,
        );
        return;
      }
      if (frozen.length > 0) {
        this.emit({ method: 'DELETE', rel: ref.rel, phase: 1, depth });
        existing = undefined;
      } else if (Object.keys(changed).length > 0) {
        this.emit({ method: 'PATCH', rel: ref.rel, body: changed, phase: 1, depth });
      }
    }
    if (existing === undefined) {
      // Containers exist with their parent: they are written, never created.
      if (ref.kind !== 'container')
        this.emit({ method: 'POST', rel: ref.rel, body: leaves, phase: 1, depth });
      else if (Object.keys(leaves).length > 0)
        this.emit({ method: 'PATCH', rel: ref.rel, body: leaves, phase: 1, depth });
    }

    for (const child of shape.children) {
      const value = desired[child.name];
      if (value === undefined) continue;
      const childRel = `${ref.rel}${pathEscape(child.name)}/`;
      const childKey = `${ref.schemaKey}/${child.name}`;
      if (child.kind === 'container' && isJsonObject(value)) {
        const cur = existing?.[child.name];
        await this.node(
          { rel: childRel, schemaKey: childKey, kind: 'container' },
          `${label} ${child.name}`,
          value,
          isJsonObject(cur) ? cur : {},
          depth + 1,
        );
      } else if (child.kind === 'list' && Array.isArray(value)) {
        const cur = existing?.[child.name];
        await this.list(
          childRel,
          childKey,
          `${label} ${child.name}`,
          value,
          Array.isArray(cur) ? cur : [],
          depth + 1,
        );
      }
    }
  }

  /** Plans the entries of one list: each desired entry, then (pruning) the extra running ones. */
  private async list(
    rel: string,
    schemaKey: string,
    label: string,
    desired: unknown[],
    current: unknown[],
    depth: number,
  ): Promise<void> {
    const keys = await this.schema.keys(rel, schemaKey);
    const running = current.filter(isJsonObject);
    const matched = new Set<JsonObject>();
    const seen = new Set<string>();
    for (const [i, item] of desired.entries()) {
      if (!isJsonObject(item)) {
        this.errors.push(`${label}: entry ${i + 1} is not an object`);
        continue;
      }
      const values = keys.map((k) => scalarText(item[k]));
      const missing = keys.filter((_, j) => values[j] === undefined || values[j] === '');
      if (keys.length === 0 || missing.length > 0) {
        this.errors.push(
          `${label}: entry ${i + 1} lacks its key ${missing.map((k) => `"${k}"`).join(', ')} ` +
            `(keys of this list: ${keys.join(', ')})`,
        );
        continue;
      }
      const id = values.join(' ');
      if (seen.has(id.toLowerCase())) {
        this.errors.push(`${label}: entry ${id} appears twice`);
        continue;
      }
      seen.add(id.toLowerCase());
      const match = this.findEntry(running, keys, values as string[]);
      if (match) matched.add(match);
      const body = Object.fromEntries(Object.entries(item).filter(([k]) => !keys.includes(k)));
      const entryRel = rel + (values as string[]).map((v) => pathEscape(v) + '/').join('');
      await this.node({ rel: entryRel, schemaKey, kind: 'element' }, `${label} ${id}`, body, match, depth);
    }
    for (const entry of running.filter((e) => !matched.has(e))) {
      const values = keys.map((k) => scalarText(entry[k]) ?? '');
      const id = values.join(' ');
      if (this.opts.prune) {
        const entryRel = rel + values.map((v) => pathEscape(v) + '/').join('');
        this.emit({ method: 'DELETE', rel: entryRel, phase: 2, depth });
      } else {
        this.notes.push(`${label} ${id} is running but not in the file: kept (--prune deletes it)`);
      }
    }
  }

  /** The running entry with these key values: exact match first, else a unique case-insensitive one. */
  private findEntry(running: JsonObject[], keys: string[], values: string[]): JsonObject | undefined {
    const text = (e: JsonObject, k: string): string => scalarText(e[k]) ?? '';
    const exact = running.find((e) => keys.every((k, j) => text(e, k) === values[j]));
    if (exact) return exact;
    const loose = running.filter((e) =>
      keys.every((k, j) => text(e, k).toLowerCase() === values[j].toLowerCase()),
    );
    return loose.length === 1 ? loose[0] : undefined;
  }

  /** Whether the running value of a leaf already is the desired one. */
  private async sameValue(ref: NodeRef, member: string, want: unknown, have: unknown): Promise<boolean> {
    if (have === undefined) return isEmptyValue(want);
    if (Array.isArray(want)) {
      return (
        Array.isArray(have) &&
        want.length === have.length &&
        want.every((w, i) => scalarText(w) !== undefined && scalarText(w) === scalarText(have[i]))
      );
    }
    const [w, h] = [scalarText(want), scalarText(have)];
    if (w === undefined || h === undefined) return false;
    if (w === h) return true;
    if (typeof want !== 'string' || w.toLowerCase() !== h.toLowerCase()) return false;
    return this.schema.isEnum(`${ref.rel}${pathEscape(member)}/`, `${ref.schemaKey}#${member}`);
  }
}

/**
 * Returns the requests that turn `current` (the running cube's GET answer, undefined when the
 * cube does not exist) into `cube`, ordered as described above, or the reasons it cannot. Only
 * asks `schema`; never sends a request that changes anything.
 */
export function planCube(
  cube: DesiredCube,
  current: JsonObject | undefined,
  schema: SchemaSource,
  opts: PlanOptions,
): Promise<CubePlan> {
  return new CubePlanner(schema, opts).plan(cube, current);
}
