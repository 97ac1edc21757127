// POST /cubes (REST spec §4.5, §6.2; what `polycubectl cubes add < file.yaml` sends): a JSON array
// of cube configurations, each with "service-name" and "name". Every cube is validated first,
// created without port peers, then peers are set once all cubes exist. Any failure deletes the
// cubes this request created, so a refused batch changes nothing. Unlike polycubed (which never
// answered on success), success is 200 with an empty body.

import type { RouteRow } from 'yang-ts-codegen';
import { ERRORS, cubeError, type CubeError } from '../../common/errors';
import type { ConfigOp } from '../core/types';
import { IN_THREAD_READERS } from './body-check';
import { buildConfigRequest } from './config-request';
import type { BatchEntry } from './framework-bodies';
import { emptyReply, errorReply, type Reply } from './reply';
import type { RestContext } from './rest-context';

/** One validated cube of the batch and the peers to set afterwards. */
interface PlannedCube {
  service: string;
  name: string;
  create: ConfigOp;
  peers: { port: string; peer: string }[];
}

function failure(name: string, messages: string): Reply {
  return errorReply([cubeError('CUBE_ERR_CUBE_CREATE', { name, messages })]);
}

/** ": bad-attribute port_mode, invalid-value foo" for validation errors. */
function describe(errors: readonly CubeError[], omitted = 0): string {
  const listed = errors.map((e) => (e.info ? `${ERRORS[e.code].tag ?? e.code} ${e.info}` : e.message));
  return ': ' + listed.join(', ') + (omitted > 0 ? ` and ${omitted} more` : '');
}

async function plan(
  ctx: RestContext,
  entry: BatchEntry,
): Promise<{ ok: true; cube: PlannedCube } | { ok: false; reply: Reply }> {
  if (!entry.object) return { ok: false, reply: failure('', ': every element must be a JSON object') };
  const { name, service, peers } = entry;
  if (name === '') return { ok: false, reply: failure('', ': missing name') };
  if (service === undefined) return { ok: false, reply: failure(name, ': missing service-name') };
  const row = ctx.routesOf(service)?.find((r: RouteRow) => r.kind === 'cube');
  if (!row) return { ok: false, reply: failure(name, `: service ${service} does not exist`) };
  const built = await buildConfigRequest(
    {
      row,
      method: 'POST',
      params: { name },
      body: entry.text,
      maxJsonDepth: ctx.maxJsonDepth,
      checkBody: ctx.bodies?.check,
    },
    service,
  );
  if (!built.ok) return { ok: false, reply: failure(name, describe(built.errors, built.omitted)) };
  return { ok: true, cube: { service, name, create: built.op, peers } };
}

async function rollback(ctx: RestContext, created: readonly PlannedCube[]): Promise<void> {
  for (const c of [...created].reverse()) {
    await ctx.daemon.execute({
      op: 'DELETE',
      service: c.service,
      cube: c.name,
      path: c.create.path,
      keys: [],
      isCollection: false,
    });
  }
}

/** Answers POST /cubes. */
export async function createCubes(ctx: RestContext, text: string): Promise<Reply> {
  // Parsed and split in the body worker when large: only plain entries come back.
  const batch = await (ctx.bodies ?? IN_THREAD_READERS).batch(text, ctx.maxJsonDepth);
  if (!batch.ok && 'busy' in batch) return errorReply([batch.busy]);
  if (!batch.ok && 'invalidJson' in batch) return failure('', `: invalid JSON body (${batch.invalidJson})`);
  if (!batch.ok) return failure('', ': the body must be a JSON array of cubes');
  const planned: PlannedCube[] = [];
  for (const entry of batch.entries) {
    const p = await plan(ctx, entry);
    if (!p.ok) return p.reply;
    if (planned.some((c) => c.name === p.cube.name)) return failure(p.cube.name, ': listed twice');
    planned.push(p.cube);
  }
  const created: PlannedCube[] = [];
  for (const c of planned) {
    const r = await ctx.daemon.execute(c.create);
    if (r.code !== 'OK') {
      await rollback(ctx, created);
      const why = r.code === 'DATA_EXISTS' ? 'a cube with this name already exists' : r.message || r.code;
      return failure(c.name, `: ${why}`);
    }
    created.push(c);
  }
  for (const c of planned) {
    for (const { port, peer } of c.peers) {
      const r = await ctx.daemon.execute({
        op: 'UPDATE',
        service: c.service,
        cube: c.name,
        path: `${c.create.path}/ports/peer`,
        keys: [{ list: 'ports', name: 'name', value: port }],
        body: peer,
        isCollection: false,
      });
      if (r.code !== 'OK') {
        await rollback(ctx, created);
        return failure(c.name, `: peer of port ${port}: ${r.message ?? r.code}`);
      }
    }
  }
  return emptyReply(200);
}
