// polycubed's own endpoints about the daemon itself (REST spec §4.5, §3.5 root help): the API root
// (GET HATEOAS, OPTIONS help/completion), `/services`, `/services/:name`, `/version`, `/metrics`.
// Framework answers are 4-space-indented JSON; their errors are plain text (RESTCONF only for
// the missing/bad members of POST /services, as polycubed does).

import { API_BASE, serviceHelpEntry } from 'yang-ts-codegen';
import { cubeError } from '../../common/errors';
import { IN_THREAD_READERS } from './body-check';
import { helpRequest } from './help-handler';
import { childLinks } from './hateoas-links';
import { PLAIN_JSON, emptyReply, errorReply, jsonReply, textReply, type Reply } from './reply';
import type { RestContext, RouteHandler } from './rest-context';
import type { Method, RouteTree } from './route-tree';

/** Top-level framework routes, in the order the root HATEOAS lists them. */
export const FRAMEWORK_TOP = [
  'services',
  'cubes',
  'netdevs',
  'version',
  'connect',
  'disconnect',
  'attach',
  'detach',
  'topology',
] as const;

/** Words the root completion offers before service and cube names (REST spec §3.5). */
const ROOT_COMPLETION = [
  'connect',
  'disconnect',
  'attach',
  'detach',
  'services',
  'cubes',
  'topology',
  'netdevs',
];

/** Framework JSON: pretty-printed with 4 spaces like polycubed's `dump(4)`. */
export function frameworkJson(status: number, value: unknown): Reply {
  return jsonReply(status, value, PLAIN_JSON, 4);
}

/** Plain-text 400 of a framework endpoint. */
export function badRequest(message: string): Reply {
  return errorReply([cubeError('CUBE_ERR_BAD_REQUEST', { message })]);
}

/**
 * Reads a framework POST body that must be a JSON object (read in slices, or in the body worker
 * when large), keeping only `members`; a 400 text otherwise.
 */
export async function objectBody(
  ctx: RestContext,
  text: string,
  members: readonly string[],
): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply }> {
  const read = await (ctx.bodies ?? IN_THREAD_READERS).object(text, ctx.maxJsonDepth, members);
  if (read.ok) return read;
  if ('busy' in read) return { ok: false, reply: errorReply([read.busy]) };
  if ('invalidJson' in read)
    return { ok: false, reply: badRequest(`Invalid JSON body: ${read.invalidJson}`) };
  return { ok: false, reply: badRequest('The request body must be a JSON object') };
}

function rootGet(ctx: RestContext): Reply {
  const names = [
    ...FRAMEWORK_TOP,
    ...ctx.daemon.services().map((s) => s.name),
    ...ctx.daemon.cubes().map((c) => c.name),
  ];
  return frameworkJson(200, childLinks(ctx.authority, `${API_BASE}/`, names));
}

function rootOptions(ctx: RestContext, query: Parameters<typeof helpRequest>[0]): Reply {
  if (!query.some((p) => p.name === 'help')) return emptyReply(200);
  const { type, completion } = helpRequest(query);
  if (type !== 'NONE')
    return errorReply([
      cubeError('CUBE_ERR_HELP_REFUSED', { path: API_BASE, reason: 'root answers help=NONE only' }),
    ]);
  if (completion) {
    return jsonReply(
      200,
      [
        ...ROOT_COMPLETION,
        ...ctx.daemon.services().map((s) => s.name),
        ...ctx.daemon.cubes().map((c) => c.name),
      ],
      PLAIN_JSON,
    );
  }
  const params: Record<string, unknown> = {};
  for (const s of ctx.daemon.services()) params[s.name] = serviceHelpEntry(s.module);
  return frameworkJson(200, { params });
}

/** The controller column of a service: every service here is a remote (gRPC) one. */
const CONTROLLER = 'grpc';

function servicesGet(ctx: RestContext): Reply {
  return frameworkJson(
    200,
    ctx.daemon.services().map((s) => {
      const entry = serviceHelpEntry(s.module);
      return {
        name: s.name,
        servicecontroller: CONTROLLER,
        description: entry.description || s.description,
        version: entry.version || s.version,
        pyang_repo_id: 'Unknown',
        swagger_codegen_repo_id: 'Unknown',
      };
    }),
  );
}

/** POST /services: checks the request as polycubed does; library services cannot be loaded here. */
async function servicesPost(ctx: RestContext, text: string): Promise<Reply> {
  const body = await objectBody(ctx, text, ['name', 'uri', 'type']);
  if (!body.ok) return body.reply;
  for (const field of ['name', 'uri', 'type']) {
    if (body.value[field] === undefined) {
      return errorReply([
        cubeError('CUBE_ERR_MISSING_ATTRIBUTE', { info: field, path: `${API_BASE}/services` }),
      ]);
    }
  }
  const { name, type } = body.value;
  if (type !== 'lib' && type !== 'grpc') {
    return errorReply([cubeError('CUBE_ERR_BAD_ATTRIBUTE', { info: 'type', path: `${API_BASE}/services` })]);
  }
  if (typeof name === 'string' && ctx.daemon.service(name)) {
    return errorReply([cubeError('CUBE_ERR_SERVICE_EXISTS')]);
  }
  return errorReply([cubeError('CUBE_ERR_SERVICE_NOT_LOADABLE', { name: String(name) })]);
}

function serviceGet(ctx: RestContext, name: string): Reply {
  const s = ctx.daemon.service(name);
  if (!s) return errorReply([cubeError('CUBE_ERR_SERVICE_NOT_FOUND')]);
  return frameworkJson(200, [{ name: s.name, servicecontroller: CONTROLLER, datamodel: s.yang }]);
}

function serviceDelete(ctx: RestContext, name: string): Reply {
  if (!ctx.daemon.service(name)) return errorReply([cubeError('CUBE_ERR_SERVICE_NOT_FOUND')]);
  return errorReply([cubeError('CUBE_ERR_SERVICE_NOT_REMOVABLE', { name })]);
}

/** Registers the root, `/services`, `/version` and `/metrics` (also at `/metrics`) routes on `tree`. */
export function addServiceEndpoints(tree: RouteTree<RouteHandler>, ctx: RestContext): void {
  const add = (path: string, methods: Method[], h: RouteHandler): void =>
    tree.add(`${API_BASE}${path}`, methods, h);
  add('/', ['GET', 'OPTIONS'], async (req, _p, method) =>
    method === 'GET' ? rootGet(ctx) : rootOptions(ctx, req.target.query),
  );
  add('/services', ['GET', 'POST'], async (req, _p, method) =>
    method === 'GET' ? servicesGet(ctx) : servicesPost(ctx, req.body),
  );
  add('/services/:name', ['GET', 'DELETE'], async (_req, p, method) =>
    method === 'GET' ? serviceGet(ctx, p.name) : serviceDelete(ctx, p.name),
  );
  add('/version', ['GET'], async () => jsonReply(200, { polycubed: { version: ctx.version } }, PLAIN_JSON));
  const metrics: RouteHandler = async () =>
    textReply(200, await ctx.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
  add('/metrics', ['GET'], metrics);
  tree.add('/metrics', ['GET'], metrics); // where Prometheus looks by default
}
