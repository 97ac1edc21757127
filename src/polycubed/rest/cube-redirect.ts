// The not-found handler of REST spec §1.4: `/polycube/v1/<cube>/…` is answered with a 308 to
// `/polycube/v1/<service>/<cube>/…` (method and body kept by clients); requests that already
// followed a redirect (`Referer`), paths outside the API and unknown cubes get 404 texts.

import { API_BASE } from 'yang-ts-codegen';
import { cubeError } from '../../common/errors';
import { errorReply, emptyReply, type Reply } from './reply';
import { decodeCubeSegment, serialiseQuery } from './request-path';
import type { RestContext, RestRequest } from './rest-context';

const PREFIX = `${API_BASE}/`;

/**
 * Answers a request no route matched. The cube name is the first segment after the prefix,
 * percent-decoded as everywhere else (decodeCubeSegment); the Location keeps the rest of the original path as received
 * and re-serialises the query (`completion` → `completion=`).
 */
export function redirectToCube(ctx: RestContext, req: RestRequest): Reply {
  const notFound = errorReply([cubeError('CUBE_ERR_NO_ROUTE')]);
  if (req.headers.referer !== undefined) return notFound;
  const raw = req.target.rawPath;
  const at = raw.indexOf(PREFIX);
  if (at < 0) return notFound;
  const rest = raw.slice(at + PREFIX.length).replace(/^\/+/, '');
  const cubeName = rest.split('/')[0];
  const decoded = decodeCubeSegment(cubeName);
  const cube = decoded === undefined || decoded === '' ? undefined : ctx.daemon.cube(decoded);
  if (!cube) return errorReply([cubeError('CUBE_ERR_NO_CUBE', { cube: cubeName })]);
  const reply = emptyReply(308);
  reply.headers.Location = `${PREFIX}${cube.service}/${rest}${serialiseQuery(req.target.query)}`;
  return reply;
}
