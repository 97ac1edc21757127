// Public surface of polycubed's REST layer: start the server, its options and flags, the metrics
// hook, and the transport-free router (for tests and tools that drive requests directly).

export { startRestServer } from './serve';
export type { RestServerHandle } from './serve';
export { DEFAULT_REST_OPTIONS, MAX_BODY_BYTES, REST_FLAGS_HELP, parseRestFlags } from './rest-options';
export type { RestFlagsResult, RestOptions } from './rest-options';
export { MetricsRegistry, renderMetrics } from './metrics';
export type { MetricFamily, MetricSample, MetricsCollector } from './metrics';
export { RestRouter } from './rest-router';
export type { RouterOptions } from './rest-router';
export type { RestDaemon, RestRequest } from './rest-context';
export type { Reply } from './reply';
