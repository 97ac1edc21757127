// `polycubectl apply -f FILE [--dry-run] [--prune] [--recreate]`: reads the desired cubes, reads
// the running ones (help answers and one GET per existing cube), plans every cube before sending
// anything, prints the plan (one line per request: method, path, body) and, unless --dry-run,
// sends it in order, stopping at the first refusal.
//
// Output: request lines on stdout as they succeed (the plan itself with --dry-run); other lines
// start with "# ". Exit codes: 0 done or nothing to do; 1 nothing was changed because of a local
// problem (usage, file, a plan that cannot be carried out, polycubed unreachable); 2 polycubed
// refused a request or the connection broke while applying: stderr names the step, the
// server's answer and what had been applied before.

import * as fs from 'fs';
import type { CliConfig } from '../config';
import { TransportError } from '../http-client';
import { pathEscape } from '../request-builder';
import type { CliIo } from '../cli-io';
import { APPLY_USAGE, parseApplyArgs } from './apply-args';
import { planCube, type CubePlan, type PlanStep } from './apply-plan';
import { isJsonObject, readDesiredCubes, type DesiredCube, type JsonObject } from './desired-cubes';
import { HelpSchema } from './help-schema';
import { RestClient, RestRefusal } from './rest-client';

/** Exit codes of apply. */
export const APPLY_EXIT = { OK: 0, NOTHING_CHANGED: 1, STEP_FAILED: 2 } as const;

/** Removes polycubed's `_links` members (REST spec §4.3) at every depth. */
function withoutLinks(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(Array.isArray(x) && x[0] === '_links')).map(withoutLinks);
  if (!isJsonObject(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== '_links')
      .map(([k, x]) => [k, withoutLinks(x)]),
  );
}

function readInput(file: string): string {
  return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
}

class ApplyRun {
  private readonly client: RestClient;
  private readonly schema: HelpSchema;

  constructor(
    private readonly io: CliIo,
    config: CliConfig,
  ) {
    this.client = new RestClient(config.url, {
      cacert: config.cacert,
      cert: config.cert,
      key: config.key,
      timeoutMs: config.timeoutMs,
      userAgent: `polycubectl-lbrp/${io.version}`,
    });
    this.schema = new HelpSchema(this.client);
  }

  private out(line: string): void {
    this.io.writeStdout(line + '\n');
  }

  private err(line: string): void {
    this.io.writeStderr(`apply: ${line}\n`);
  }

  /** The printed form of a request: `METHOD /path/ {body}`. */
  line(step: PlanStep): string {
    const body = step.body === undefined ? '' : ` ${JSON.stringify(step.body)}`;
    return `${step.method} ${this.client.pathOf(step.rel)}${body}`;
  }

  async run(words: readonly string[]): Promise<number> {
    const parsed = parseApplyArgs(words);
    if (!parsed.ok) {
      this.err(parsed.error);
      this.io.writeStderr(APPLY_USAGE);
      return APPLY_EXIT.NOTHING_CHANGED;
    }
    const { files, dryRun, prune, recreate } = parsed.args;
    const inputs: { text: string; source: string }[] = [];
    for (const file of files) {
      try {
        inputs.push({ text: readInput(file), source: file === '-' ? 'stdin' : file });
      } catch (e) {
        return this.refuse([`cannot read ${file}: ${(e as Error).message}`]);
      }
    }
    const read = readDesiredCubes(inputs);
    if (!read.ok) return this.refuse(read.errors);
    const cubes = read.cubes;
    if (cubes.length === 0) {
      this.out('# no cubes in the file: nothing to do');
      return APPLY_EXIT.OK;
    }

    let plans: CubePlan[];
    try {
      plans = [];
      for (const cube of cubes) plans.push(await this.planOne(cube, { prune, recreate }));
    } catch (e) {
      if (e instanceof TransportError) return this.refuse([e.message]);
      if (e instanceof RestRefusal) {
        this.err(`reading the running configuration failed: ${e.message}`);
        this.err('nothing was changed');
        return APPLY_EXIT.STEP_FAILED;
      }
      throw e;
    }
    const errors = plans.flatMap((p) => p.errors);
    if (errors.length > 0) return this.refuse(errors);

    for (const p of plans) {
      for (const n of p.notes) this.out(`# ${n}`);
      const what = `${p.cube.service} ${p.cube.name}`;
      if (p.steps.length === 0) this.out(`# ${what}: no changes`);
      else if (dryRun) {
        this.out(`# ${what}: ${p.steps.length} requests (dry run: nothing sent)`);
        for (const s of p.steps) this.out(this.line(s));
      }
    }
    if (dryRun) return APPLY_EXIT.OK;
    return this.execute(plans.filter((p) => p.steps.length > 0));
  }

  private refuse(problems: string[]): number {
    for (const p of problems) this.err(p);
    this.err('nothing was changed');
    return APPLY_EXIT.NOTHING_CHANGED;
  }

  private async planOne(cube: DesiredCube, opts: { prune: boolean; recreate: boolean }): Promise<CubePlan> {
    const running = await this.schema.cubeNames(cube.service);
    let current: JsonObject | undefined;
    if (running.includes(cube.name)) {
      const rel = `${pathEscape(cube.service)}/${pathEscape(cube.name)}/`;
      const got = withoutLinks(await this.client.json('GET', rel));
      if (!isJsonObject(got))
        throw new RestRefusal(`GET ${this.client.pathOf(rel)}`, {
          status: 200,
          statusLine: '200 OK with a body that is not an object',
          text: JSON.stringify(got) ?? '',
        });
      current = got;
    }
    return planCube(cube, current, this.schema, opts);
  }

  private async execute(plans: CubePlan[]): Promise<number> {
    const done: string[] = [];
    for (const p of plans) {
      const what = `${p.cube.service} ${p.cube.name}`;
      this.out(`# ${what}: ${p.steps.length} requests`);
      for (const [i, step] of p.steps.entries()) {
        const failure = await this.send(step);
        if (failure !== undefined) {
          this.err(`step ${i + 1} of ${p.steps.length} for ${what} failed: ${this.line(step)}`);
          this.err(failure);
          if (i > 0) done.push(`${what} (requests 1-${i} of ${p.steps.length}, printed above)`);
          this.err(`already applied: ${done.length > 0 ? done.join(', ') : 'nothing'}`);
          return APPLY_EXIT.STEP_FAILED;
        }
        this.out(this.line(step));
      }
      done.push(`${what} (all ${p.steps.length} requests)`);
      this.out(`# ${what}: applied`);
    }
    return APPLY_EXIT.OK;
  }

  /** Sends one step; returns what went wrong, or undefined. */
  private async send(step: PlanStep): Promise<string | undefined> {
    try {
      const a = await this.client.send(
        step.method,
        step.rel,
        step.body === undefined ? undefined : JSON.stringify(step.body),
      );
      if (a.status >= 200 && a.status <= 299) return undefined;
      return `polycubed answered ${a.statusLine}${a.text.trim() ? `: ${a.text.trim()}` : ''}`;
    } catch (e) {
      if (e instanceof TransportError) return e.message;
      throw e;
    }
  }
}

/** What each exit code means, for the per-node report. */
const OUTCOME: Record<number, string> = {
  [APPLY_EXIT.OK]: 'done: the node matches the file',
  [APPLY_EXIT.NOTHING_CHANGED]: 'nothing changed (see the errors above)',
  [APPLY_EXIT.STEP_FAILED]: 'FAILED part-way (see the errors above)',
};

/**
 * Runs the apply extension (`words` starts with "apply"); resolves with its exit code. With
 * --target URLs, applies to each node in turn (each planned against its own running state, so
 * a node already up to date gets no request), prints "# node URL" before each and one summary
 * line per node at the end; the exit code is the worst node's.
 */
export async function runApply(words: readonly string[], io: CliIo, config: CliConfig): Promise<number> {
  const parsed = parseApplyArgs(words);
  if (!parsed.ok || parsed.args.targets.length === 0) return new ApplyRun(io, config).run(words);
  const results: Array<[string, number]> = [];
  for (const url of parsed.args.targets) {
    io.writeStdout(`# node ${url}\n`);
    results.push([url, await new ApplyRun(io, { ...config, url }).run(words)]);
  }
  for (const [url, code] of results) io.writeStdout(`# node ${url}: ${OUTCOME[code] ?? `exit ${code}`}\n`);
  return Math.max(...results.map(([, code]) => code));
}
