// GET/POST/PUT/PATCH/DELETE on the routes generated from a service's YANG (REST spec §6.2): runs
// the body pipeline, hands the ConfigOp to Daemon.execute and turns the ConfigResult into the
// status and GET shape of §4 (`null` for empty lists, `_links`, base booleans as strings).

import type { RouteRow } from 'yang-ts-codegen';
import {
  cubeError,
  REQUEST_TAGS,
  type CubeError,
  type CubeErrorCode,
  type RequestTagWire,
} from '../../common/errors';
import type { ConfigResult, ErrorCode } from '../core/types';
import { buildConfigRequest } from './config-request';
import { childLinks, endpointChildren, listLinks, withLinks } from './hateoas-links';
import { YANG_JSON, emptyReply, errorReply, jsonReply, type Reply } from './reply';
import type { RestContext, RestRequest } from './rest-context';
import type { Method } from './route-tree';

/** Catalogue code of each failing ConfigResult code: the request tags, and two of the daemon's own. */
const RESULT_ERRORS: Record<Exclude<ErrorCode, 'OK' | 'NO_CONTENT'>, CubeErrorCode> = {
  ...(Object.fromEntries(Object.values(REQUEST_TAGS).map((t) => [t.wire, t.code])) as Record<
    RequestTagWire,
    CubeErrorCode
  >),
  GENERIC_ERROR: 'CUBE_ERR_SERVICE_FAILED',
  UNAVAILABLE: 'CUBE_ERR_SERVICE_UNAVAILABLE',
};

/** Base-model boolean leaves a leaf GET answers as strings (REST spec §4.2). */
const STRING_BOOLEAN_LEAVES = new Set(['shadow', 'span']);

/** Success status of a write per resource kind (REST spec §6.2). */
export function successStatus(kind: RouteRow['kind'], method: Method): number {
  if (method === 'GET') return 200;
  switch (kind) {
    case 'service':
      return method === 'POST' ? 201 : 200;
    case 'cube':
      return method === 'POST' || method === 'PUT' ? 201 : 200;
    case 'container':
    case 'element':
      return method === 'DELETE' ? 204 : 201;
    case 'list':
      return method === 'DELETE' ? 200 : 201;
    default:
      return 200;
  }
}

/** The catalogue error of a failed ConfigResult. */
export function resultError(result: ConfigResult, path: string): CubeError {
  const code = RESULT_ERRORS[result.code as keyof typeof RESULT_ERRORS];
  if (code === undefined)
    return cubeError('CUBE_ERR_INTERNAL', { message: `unknown result code ${result.code}` });
  const message = result.message ?? (result.code === 'UNAVAILABLE' ? 'service unavailable' : '');
  const err = cubeError(code, { message, path, ...(result.errorInfo ? { info: result.errorInfo } : {}) });
  // A value the daemon or service refused (e.g. a name breaking the name rule) says why.
  if ((result.code === 'BAD_ATTRIBUTE' || result.code === 'BAD_ELEMENT') && result.message)
    err.detail = result.message;
  return err;
}

/** The GET answer body of `row` for what the daemon read, in the shapes of REST spec §4. */
function shapeRead(ctx: RestContext, row: RouteRow, path: string, body: unknown): unknown {
  switch (row.kind) {
    case 'list':
      if (body === undefined || body === null || (Array.isArray(body) && body.length === 0)) return null;
      if (!Array.isArray(body)) return body;
      return [...body, ['_links', listLinks(ctx.authority, path, row.node, body)]];
    case 'cube':
    case 'element':
    case 'container':
      return withLinks(body, childLinks(ctx.authority, path, endpointChildren(row.node)));
    case 'leaf': {
      const depth = row.node.path.split('/').length;
      if (depth === 3 && STRING_BOOLEAN_LEAVES.has(row.node.name) && typeof body === 'boolean')
        return String(body);
      return body;
    }
    default:
      return body;
  }
}

/** GET of the service collection: the cubes' framework base objects and a trailing `_links` element. */
function readServiceCollection(ctx: RestContext, row: RouteRow, req: RestRequest, service: string): Reply {
  if (req.body.trim() !== '') {
    return errorReply([cubeError('CUBE_ERR_OPERATION_NOT_SUPPORTED', { path: row.schemaPath })], YANG_JSON);
  }
  const names = ctx.daemon.cubes(service).map((c) => c.name);
  const bases = names.map((n) => ctx.daemon.cubeBase(n)).filter((b) => b !== undefined);
  return jsonReply(200, [...bases, ['_links', childLinks(ctx.authority, req.target.path, names)]]);
}

/**
 * Answers a non-OPTIONS request on a generated route. Invalid requests are refused before the
 * daemon sees them; everything else is one `execute` call.
 */
export async function handleResource(
  ctx: RestContext,
  row: RouteRow,
  method: Method,
  params: Record<string, string>,
  req: RestRequest,
  service: string,
): Promise<Reply> {
  if (row.kind === 'service' && method === 'GET') return readServiceCollection(ctx, row, req, service);
  const built = await buildConfigRequest(
    { row, method, params, body: req.body, maxJsonDepth: ctx.maxJsonDepth, checkBody: ctx.bodies?.check },
    service,
  );
  if (!built.ok) return errorReply(built.errors, YANG_JSON, built.omitted);
  const result = await ctx.daemon.execute(built.op);
  if (result.code === 'NO_CONTENT') return emptyReply(204, YANG_JSON);
  if (result.code !== 'OK') return errorReply([resultError(result, row.schemaPath)], YANG_JSON);
  if (method === 'GET') {
    const shaped = shapeRead(ctx, row, req.target.path, result.body);
    return shaped === undefined ? emptyReply(200, YANG_JSON) : jsonReply(200, shaped);
  }
  if (row.kind === 'action' && result.body !== undefined) return jsonReply(200, result.body);
  return emptyReply(successStatus(row.kind, method), YANG_JSON);
}
