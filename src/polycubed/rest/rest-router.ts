// The REST API as one request → Reply function: framework routes plus the routes generated from
// each registered service's YANG (rebuilt when the set of services changes), 405 with `Allow:`,
// the cube-name redirect for everything else (REST spec §1.3). Transport-free, so tests and the
// fuzzer can drive it directly as well as over HTTP.

import { buildRouteTable, type IrModule, type RouteRow } from 'yang-ts-codegen';
import { cubeError } from '../../common/errors';
import type { BodyReaders } from './body-check';
import { registerRouteTable } from './body-worker-pool';
import { redirectToCube } from './cube-redirect';
import { addServiceEndpoints } from './framework-services';
import { addTopologyEndpoints } from './framework-topology';
import { handleHelp } from './help-handler';
import { daemonCollector } from './daemon-metrics';
import { MetricsRegistry, RequestCounter } from './metrics';
import { errorReply, type Reply } from './reply';
import { handleResource } from './resource-handler';
import type { RestContext, RestDaemon, RestRequest, RouteHandler } from './rest-context';
import { RouteTree } from './route-tree';
import { yangStateCollector } from './yang-state-metrics';

/** What the router needs besides the daemon. */
export interface RouterOptions {
  /** `host:port` for `_links`. */
  authority: string;
  maxJsonDepth: number;
  version: string;
  /** Shared registry (so the daemon or services can add collectors); a new one when absent. */
  metrics?: MetricsRegistry;
  /** Who reads request bodies; default all in this thread (serve.ts hands large ones to a worker). */
  bodies?: BodyReaders;
}

/** Route tables per module object (a re-registration with a new module gets a new table). */
const TABLES = new WeakMap<IrModule, RouteRow[]>();

function routeTable(module: IrModule): RouteRow[] {
  let rows = TABLES.get(module);
  if (!rows) {
    TABLES.set(module, (rows = buildRouteTable(module)));
    registerRouteTable(module, rows);
  }
  return rows;
}

/** Routes REST requests to framework and generated handlers. */
export class RestRouter {
  /** The handlers' shared context. */
  readonly ctx: RestContext;
  private readonly counter = new RequestCounter();
  private tree: RouteTree<RouteHandler> = new RouteTree();
  private modules: { name: string; module: IrModule }[] | undefined;

  constructor(daemon: RestDaemon, opts: RouterOptions) {
    const metrics = opts.metrics ?? new MetricsRegistry();
    this.ctx = {
      daemon,
      authority: opts.authority,
      maxJsonDepth: opts.maxJsonDepth,
      version: opts.version,
      metrics,
      ...(opts.bodies ? { bodies: opts.bodies } : {}),
      routesOf: (service) => {
        const s = daemon.service(service);
        return s ? routeTable(s.module) : undefined;
      },
    };
    metrics.addCollector('polycubed', daemonCollector(daemon));
    metrics.addCollector('rest', this.counter.collector());
    metrics.addCollector('yang-state', yangStateCollector(daemon));
  }

  /** Answers one request. Never throws: an unexpected failure is a 500 naming it. */
  async handle(req: RestRequest): Promise<Reply> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (e) {
      reply = errorReply([cubeError('CUBE_ERR_INTERNAL', { message: (e as Error).message })]);
    }
    this.counter.record(req.method, reply.status);
    return reply;
  }

  private async route(req: RestRequest): Promise<Reply> {
    const found = this.currentTree().lookup(req.method, req.target.segments);
    switch (found.kind) {
      case 'found':
        return found.match.handler(req, found.match.params, req.method as never);
      case 'wrong-method': {
        const reply = errorReply([cubeError('CUBE_ERR_METHOD_NOT_ALLOWED')]);
        reply.headers.Allow = found.allow.join(', ');
        return reply;
      }
      case 'none':
        return redirectToCube(this.ctx, req);
    }
  }

  /** The tree for the services registered now, rebuilt only when they changed. */
  private currentTree(): RouteTree<RouteHandler> {
    const now = this.ctx.daemon.services().map((s) => ({ name: s.name, module: s.module }));
    const same =
      this.modules !== undefined &&
      this.modules.length === now.length &&
      this.modules.every((m, i) => m.name === now[i].name && m.module === now[i].module);
    if (same) return this.tree;
    const tree = new RouteTree<RouteHandler>();
    addServiceEndpoints(tree, this.ctx);
    addTopologyEndpoints(tree, this.ctx);
    for (const { name, module } of now) {
      for (const row of routeTable(module)) {
        tree.add(row.path, row.methods, (req, params, method) =>
          method === 'OPTIONS'
            ? handleHelp(this.ctx, row, params, req.target.query, name)
            : handleResource(this.ctx, row, method, params, req, name),
        );
      }
    }
    this.tree = tree;
    this.modules = now;
    return tree;
  }
}
