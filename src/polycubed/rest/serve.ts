// Entry of the REST layer: starts the HTTP(S) listener in front of a RestRouter for a daemon.
// polycubed's main calls startRestServer once the daemon has started; close() stops listening.

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { BodyWorkerPool } from './body-worker-pool';
import { createRestHttpServer } from './http-transport';
import { MetricsRegistry, RefusalCounter } from './metrics';
import type { RestDaemon } from './rest-context';
import { DEFAULT_REST_OPTIONS, checkRestOptions, type RestOptions } from './rest-options';
import { RestRouter } from './rest-router';
import { loadStatusPage } from './status-page';

/** A running REST server. */
export interface RestServerHandle {
  /** Base URL of the API, e.g. `http://127.0.0.1:9000/polycube/v1/` (what polycubectl's `url` takes). */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  readonly router: RestRouter;
  /** Where `/metrics` collectors are registered (services' counters go here). */
  readonly metrics: MetricsRegistry;
  /** URL of the status page, or undefined when it is off (`--no-ui`). */
  readonly uiUrl: string | undefined;
  /** Stops accepting connections and closes idle ones; resolves when the listener is closed. */
  close(): Promise<void>;
}

function hostForUrl(addr: string): string {
  return addr.includes(':') ? `[${addr}]` : addr;
}

/**
 * Starts serving the REST API of `daemon` with `opts` over the defaults (127.0.0.1:9000, HTTP,
 * 1 MiB bodies, writes for root and group `lbrp`). Rejects when the options are inconsistent or
 * unsafe (a non-loopback address without client certificates), a TLS file or certificate list
 * cannot be read, or the address cannot be bound.
 */
export async function startRestServer(
  daemon: RestDaemon,
  opts: Partial<RestOptions> = {},
): Promise<RestServerHandle> {
  const options: RestOptions = { ...DEFAULT_REST_OPTIONS, ...opts };
  const unsafe = checkRestOptions(options);
  if (unsafe) throw new Error(unsafe);
  const metrics = new MetricsRegistry();
  const host = hostForUrl(options.addr);
  const bodies = new BodyWorkerPool({ minChars: options.bodyWorkerMinChars });
  const router = new RestRouter(daemon, {
    authority: `${host}:${options.port}`,
    maxJsonDepth: options.maxJsonDepth,
    version: options.version,
    metrics,
    bodies: bodies.readers,
  });
  const refusals = new RefusalCounter();
  metrics.addCollector('rest-refusals', refusals.collector());
  metrics.addCollector('rest-body-worker', bodies.collector());
  // The page's requests pass the same guards as any other (the transport checks before this).
  const page = options.ui ? loadStatusPage() : undefined;
  const server: Server = createRestHttpServer(
    options,
    async (req) => (page?.owns(req) ? page.answer(req) : router.handle(req)),
    (code) => refusals.record(code),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.addr, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  router.ctx.authority = `${host}:${port}`;
  const scheme = options.cert !== undefined ? 'https' : 'http';
  return {
    url: `${scheme}://${host}:${port}/polycube/v1/`,
    uiUrl: page ? `${scheme}://${host}:${port}/ui/` : undefined,
    port,
    router,
    metrics,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await bodies.close();
    },
  };
}
