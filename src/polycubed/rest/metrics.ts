// `/metrics` (REST spec §4.5): a registry of collectors rendered in the Prometheus text
// exposition format 0.0.4. polycubed registers its own per-cube and per-port gauges here; services
// (through the daemon) add their counters with `addCollector` — the hook for later metrics.

/** One sample of a metric family. */
export interface MetricSample {
  labels?: Record<string, string>;
  value: number;
}

/** A metric family: one `# HELP`/`# TYPE` header and its samples. */
export interface MetricFamily {
  /** Prometheus metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: MetricSample[];
}

/** Produces families at scrape time; may be async (e.g. reading per-CPU counters from maps). */
export type MetricsCollector = () => MetricFamily[] | Promise<MetricFamily[]>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders families as exposition text; invalid names and label names are dropped. */
export function renderMetrics(families: readonly MetricFamily[]): string {
  const merged = new Map<string, MetricFamily>();
  for (const f of families) {
    if (!NAME.test(f.name)) continue;
    const seen = merged.get(f.name);
    if (seen) seen.samples.push(...f.samples);
    else merged.set(f.name, { ...f, samples: [...f.samples] });
  }
  let out = '';
  for (const f of merged.values()) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {})
        .filter(([k]) => LABEL.test(k))
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      out += `${f.name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${formatValue(s.value)}\n`;
    }
  }
  return out;
}

/** Collectors by name; rendering asks each one at scrape time. */
export class MetricsRegistry {
  private readonly collectors = new Map<string, MetricsCollector>();

  /**
   * Adds (or replaces) the collector named `name`; returns a function that removes it. A collector
   * that throws is skipped for that scrape and counted in `polycubed_metrics_collector_errors`.
   */
  addCollector(name: string, collector: MetricsCollector): () => void {
    this.collectors.set(name, collector);
    return () => {
      if (this.collectors.get(name) === collector) this.collectors.delete(name);
    };
  }

  /** Runs every collector and renders the exposition text. Never throws. */
  async render(): Promise<string> {
    const families: MetricFamily[] = [];
    let failures = 0;
    for (const collector of this.collectors.values()) {
      try {
        families.push(...(await collector()));
      } catch {
        failures++;
      }
    }
    families.push({
      name: 'polycubed_metrics_collector_errors',
      help: 'Collectors that failed during this scrape',
      type: 'gauge',
      samples: [{ value: failures }],
    });
    return renderMetrics(families);
  }
}

/** Counts answered REST requests by method and status (`polycubed_rest_requests_total`). */
export class RequestCounter {
  private readonly counts = new Map<string, number>();

  /** Records one answered request. Methods the API does not route are counted as OTHER. */
  record(method: string, status: number): void {
    const m = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method) ? method : 'OTHER';
    const key = `${m} ${status}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The counter family. */
  collector(): MetricsCollector {
    return () => [
      {
        name: 'polycubed_rest_requests_total',
        help: 'REST requests answered, by method and status code',
        type: 'counter',
        samples: [...this.counts].map(([k, value]) => {
          const [method, code] = k.split(' ');
          return { labels: { method, code }, value };
        }),
      },
    ];
  }
}

/** Requests the transport refused before routing, by catalogue code (Host, Origin, access, …). */
export class RefusalCounter {
  private readonly counts = new Map<string, number>();

  /** Records one refusal. */
  record(code: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
  }

  /** The counter family. */
  collector(): MetricsCollector {
    return () => [
      {
        name: 'polycubed_rest_refused_total',
        help: 'REST requests refused before routing (browser guards, client certificates, access, limits), by error code',
        type: 'counter',
        samples: [...this.counts].map(([code, value]) => ({ labels: { code }, value })),
      },
    ];
  }
}
