// polycubed's own endpoints about cubes, netdevs and wiring (REST spec §4.5, §3.5 fixed help):
// `/cubes`, `/cubes/:cubeName`, `/netdevs`, `/netdevs/:name`, `/topology`, `/topology/:ifname`,
// `/connect`, `/disconnect`, `/attach`, `/detach`. Peers go through the daemon's connect calls.

import { API_BASE } from 'yang-ts-codegen';
import { cubeError } from '../../common/errors';
import { badRequest, frameworkJson, objectBody } from './framework-services';
import { helpRequest } from './help-handler';
import { createCubes } from './cube-batch';
import { decodeCubeSegment, decodeKeySegment, type QueryParam } from './request-path';
import { PLAIN_JSON, emptyReply, errorReply, jsonReply, textReply, type Reply } from './reply';
import type { RestContext, RouteHandler } from './rest-context';
import type { Method, RouteTree } from './route-tree';

/** A fixed help answer: `commands` for NONE, plus key `params` and `elements` for collections. */
function fixedHelp(
  query: readonly QueryParam[],
  collection?: { description: string; example: string; element: string; values: string[] },
): Reply {
  const { type, completion } = helpRequest(query);
  if (type !== 'NONE' && !(collection && type === 'SHOW')) {
    return errorReply([
      cubeError('CUBE_ERR_HELP_REFUSED', { path: API_BASE, reason: `help=${type ?? '?'}` }),
    ]);
  }
  if (completion) return jsonReply(200, collection ? collection.values : [], PLAIN_JSON);
  const answer: Record<string, unknown> = {};
  if (type === 'NONE') answer.commands = ['show'];
  if (collection) {
    answer.params = {
      name: {
        name: 'name',
        type: 'key',
        simpletype: 'string',
        description: collection.description,
        example: collection.example,
      },
    };
    answer.elements = collection.values.map((v) => ({ [collection.element]: v }));
  }
  return frameworkJson(200, answer);
}

function cubesGet(ctx: RestContext): Reply {
  const out: Record<string, unknown[]> = {};
  for (const c of ctx.daemon.cubes()) {
    const base = ctx.daemon.cubeBase(c.name);
    if (base) (out[c.service] ??= []).push(base);
  }
  return frameworkJson(200, out);
}

function cubeGet(ctx: RestContext, name: string): Reply {
  const base = ctx.daemon.cubeBase(name);
  return base ? frameworkJson(200, base) : errorReply([cubeError('CUBE_ERR_CUBE_NOT_FOUND')]);
}

function netdevEntry(n: { name: string; addresses: string[] }): Record<string, unknown> {
  return n.addresses.length > 0 ? { name: n.name, addresses: n.addresses } : { name: n.name };
}

function netdevGet(ctx: RestContext, raw: string, wrap: (e: Record<string, unknown>) => unknown): Reply {
  const name = decodeKeySegment(raw) ?? raw;
  const dev = ctx.daemon.netdevs().find((n) => n.name === name);
  if (!dev) return errorReply([cubeError('CUBE_ERR_NETDEV_NOT_FOUND', { name })]);
  return frameworkJson(200, wrap(netdevEntry(dev)));
}

/** `peer1`/`peer2` of a connect/disconnect body. */
async function peers(
  ctx: RestContext,
  text: string,
): Promise<{ ok: true; a: string; b: string } | { ok: false; reply: Reply }> {
  const body = await objectBody(ctx, text, ['peer1', 'peer2']);
  if (!body.ok) return body;
  for (const field of ['peer1', 'peer2']) {
    const v = body.value[field];
    if (typeof v !== 'string' || v === '') {
      return { ok: false, reply: errorReply([cubeError('CUBE_ERR_FIELD_MISSING', { field })]) };
    }
  }
  return { ok: true, a: body.value.peer1 as string, b: body.value.peer2 as string };
}

async function wire(ctx: RestContext, text: string, connect: boolean): Promise<Reply> {
  const p = await peers(ctx, text);
  if (!p.ok) return p.reply;
  const r = connect ? await ctx.daemon.connectPeers(p.a, p.b) : await ctx.daemon.disconnectPeers(p.a, p.b);
  return r.code === 'OK' ? emptyReply(200) : badRequest(r.message ?? 'Error setting peer');
}

/** attach/detach: our cubes are never transparent, so a well-formed request names why it fails. */
async function attach(ctx: RestContext, text: string, withPosition: boolean): Promise<Reply> {
  const body = await objectBody(ctx, text, ['cube', 'port', 'position', 'after', 'before']);
  if (!body.ok) return body.reply;
  const { cube, port } = body.value;
  if (typeof cube !== 'string' || cube === '')
    return errorReply([cubeError('CUBE_ERR_FIELD_MISSING', { field: 'Cube' })]);
  if (typeof port !== 'string' || port === '')
    return errorReply([cubeError('CUBE_ERR_FIELD_MISSING', { field: 'Port' })]);
  if (withPosition) {
    const given = ['position', 'after', 'before'].filter((k) => body.value[k] !== undefined);
    if (given.length > 1) {
      return errorReply([cubeError('CUBE_ERR_ATTACH_OPTIONS', { first: given[0], second: given[1] })]);
    }
  }
  if (!ctx.daemon.cube(cube)) return errorReply([cubeError('CUBE_ERR_CUBE_NOT_FOUND')]);
  return errorReply([cubeError('CUBE_ERR_NOT_TRANSPARENT', { cube })]);
}

function connectOptions(ctx: RestContext, query: readonly QueryParam[]): Reply {
  const { type, completion } = helpRequest(query);
  if (type !== 'NONE')
    return errorReply([
      cubeError('CUBE_ERR_HELP_REFUSED', { path: API_BASE, reason: `help=${type ?? '?'}` }),
    ]);
  if (!completion) return textReply(200, 'not implemented');
  const ports = ctx.daemon.cubes().flatMap((c) => c.ports.map((p) => `${c.name}:${p.name}`));
  return jsonReply(200, ports, PLAIN_JSON);
}

/** Registers the cube, netdev, topology and wiring routes on `tree`. */
export function addTopologyEndpoints(tree: RouteTree<RouteHandler>, ctx: RestContext): void {
  const add = (path: string, methods: Method[], h: RouteHandler): void =>
    tree.add(`${API_BASE}${path}`, methods, h);
  const cubeNames = (): string[] => ctx.daemon.cubes().map((c) => c.name);
  const netdevNames = (): string[] => ctx.daemon.netdevs().map((n) => n.name);

  add('/cubes', ['GET', 'POST', 'OPTIONS'], async (req, _p, method) => {
    if (method === 'GET') return cubesGet(ctx);
    if (method === 'POST') return createCubes(ctx, req.body);
    return fixedHelp(req.target.query, {
      description: 'Cube Name',
      example: 'cube0',
      element: 'cube',
      values: cubeNames(),
    });
  });
  add('/cubes/:cubeName', ['GET', 'OPTIONS'], async (req, p, method) =>
    method === 'GET' ? cubeGet(ctx, decodeCubeSegment(p.cubeName) ?? '') : fixedHelp(req.target.query),
  );
  add('/netdevs', ['GET', 'OPTIONS'], async (req, _p, method) =>
    method === 'GET'
      ? frameworkJson(200, ctx.daemon.netdevs().map(netdevEntry))
      : fixedHelp(req.target.query, {
          description: 'Netdev name',
          example: 'eth0',
          element: 'netdev',
          values: netdevNames(),
        }),
  );
  add('/netdevs/:name', ['GET', 'OPTIONS'], async (req, p, method) =>
    method === 'GET' ? netdevGet(ctx, p.name, (e) => [e]) : fixedHelp(req.target.query),
  );
  add('/topology', ['GET', 'OPTIONS'], async (req, _p, method) =>
    method === 'GET'
      ? frameworkJson(
          200,
          ctx.daemon
            .cubes()
            .map((c) => ctx.daemon.cubeBase(c.name))
            .filter((b) => b !== undefined),
        )
      : fixedHelp(req.target.query),
  );
  add('/topology/:ifname', ['GET'], async (_req, p) => netdevGet(ctx, p.ifname, (e) => ({ name: e.name })));
  add('/connect', ['POST', 'OPTIONS'], async (req, _p, method) =>
    method === 'POST' ? wire(ctx, req.body, true) : connectOptions(ctx, req.target.query),
  );
  add('/disconnect', ['POST'], async (req) => wire(ctx, req.body, false));
  add('/attach', ['POST'], async (req) => attach(ctx, req.body, true));
  add('/detach', ['POST'], async (req) => attach(ctx, req.body, false));
}
