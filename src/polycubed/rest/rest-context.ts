// What every REST handler is given: the part of the daemon the REST layer uses, the request as
// the transport decoded it, and where the server listens (for `_links`). Types only, plus the
// translation of HTTP methods into configuration operations.

import type { IncomingHttpHeaders } from 'node:http';
import type { Daemon } from '../core/daemon';
import type { Op } from '../core/types';
import type { RouteRow } from 'yang-ts-codegen';
import type { BodyReaders } from './body-check';
import type { MetricsRegistry } from './metrics';
import type { Reply } from './reply';
import type { RequestTarget } from './request-path';
import type { Method } from './route-tree';

/**
 * The daemon calls the REST layer makes. `execute` is the only way configuration changes; the
 * views are read-only snapshots. Tests may hand in any object with these members.
 */
export type RestDaemon = Pick<
  Daemon,
  | 'services'
  | 'service'
  | 'cubes'
  | 'cube'
  | 'cubeBase'
  | 'execute'
  | 'connectPeers'
  | 'disconnectPeers'
  | 'netdevs'
>;

/** One decoded request. */
export interface RestRequest {
  /** Upper-case method as received (may be one the API does not route). */
  method: string;
  target: RequestTarget;
  headers: IncomingHttpHeaders;
  /** Body as UTF-8 text ("" when none). */
  body: string;
}

/** Shared state of the handlers. */
export interface RestContext {
  daemon: RestDaemon;
  /** `host:port` used in `_links` hrefs (`//host:port/polycube/v1/…`). */
  authority: string;
  /** Deepest JSON nesting accepted in bodies. */
  maxJsonDepth: number;
  /** Version `/version` reports. */
  version: string;
  metrics: MetricsRegistry;
  /** Who reads request bodies (large ones in the body worker); absent: all in this thread. */
  bodies?: BodyReaders;
  /** The generated route table of a registered service (by service name), or undefined. */
  routesOf(service: string): readonly RouteRow[] | undefined;
}

/** The configuration operation each routed method performs (REST spec §2.3, §6.2). */
export const METHOD_OPS: Partial<Record<Method, Op>> = {
  GET: 'READ',
  POST: 'CREATE',
  PUT: 'REPLACE',
  PATCH: 'UPDATE',
  DELETE: 'DELETE',
};

/** What a route carries: answers one request whose path matched (`params` raw, not decoded). */
export type RouteHandler = (
  req: RestRequest,
  params: Record<string, string>,
  method: Method,
) => Promise<Reply>;
