// polycubed's own gauges for /metrics: services, cubes and ports as the daemon sees them, and the
// datapath log lines each cube's rate limit held back (a counter). Apart
// from metrics.ts so the registry does not depend on the daemon's REST view (no import cycle).

import type { MetricFamily, MetricSample, MetricsCollector } from './metrics';
import type { RestDaemon } from './rest-context';

/** polycubed's own gauges: services, cubes and ports as the daemon sees them. */
export function daemonCollector(daemon: RestDaemon): MetricsCollector {
  return () => {
    const cubes = daemon.cubes();
    const gauge = (name: string, help: string, samples: MetricSample[]): MetricFamily => ({
      name,
      help,
      type: 'gauge',
      samples,
    });
    return [
      gauge(
        'polycubed_service_connected',
        'Registered services: 1 while the service control stream is open',
        daemon
          .services()
          .map((s) => ({ labels: { service: s.name, version: s.version }, value: s.connected ? 1 : 0 })),
      ),
      gauge(
        'polycubed_cube_info',
        'Cubes (always 1), labelled with their service, type and log level',
        cubes.map((c) => ({
          labels: { cube: c.name, service: c.service, type: c.type, loglevel: c.loglevel },
          value: 1,
        })),
      ),
      gauge(
        'polycubed_cube_dataplane_loaded',
        '1 when the cube has a program loaded',
        cubes.map((c) => ({
          labels: { cube: c.name, service: c.service },
          value: c.dataplaneLoaded ? 1 : 0,
        })),
      ),
      gauge(
        'polycubed_cube_ports',
        'Number of ports of the cube',
        cubes.map((c) => ({ labels: { cube: c.name, service: c.service }, value: c.ports.length })),
      ),
      gauge(
        'polycubed_port_up',
        '1 when the port is connected to an existing peer (status UP)',
        cubes.flatMap((c) =>
          c.ports.map((p) => ({
            labels: { cube: c.name, port: p.name, peer: p.peer },
            value: p.status === 'UP' ? 1 : 0,
          })),
        ),
      ),
      {
        name: 'polycubed_cube_log_lines_suppressed_total',
        help: 'Datapath log lines not printed: more than the per-cube rate (1,000 a second)',
        type: 'counter',
        samples: cubes.map((c) => ({
          labels: { cube: c.name, service: c.service },
          value: c.logLinesSuppressed ?? 0,
        })),
      },
      gauge('polycubed_netdevs', 'Up, non-loopback netdevs polycubed sees', [
        { value: daemon.netdevs().length },
      ]),
    ];
  };
}
