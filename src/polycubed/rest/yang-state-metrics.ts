// Service counters on /metrics without any service-specific code: every numeric `config false`
// leaf of a service's YANG (lbrp's packets, bytes, sessions…) becomes a gauge, read at scrape time
// with one Daemon.execute READ per cube. Metric `<module>_<path>` (dashes → underscores),
// labels `cube` plus the list keys along the path (`lbrp_service_backend_packets{cube,vip,vport,proto,ip}`).

import type { IrModule, IrNode } from 'yang-ts-codegen';
import type { MetricFamily, MetricSample, MetricsCollector } from './metrics';
import type { RestDaemon } from './rest-context';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A numeric state leaf and how to reach it. */
interface StateLeaf {
  metric: string;
  help: string;
  /** Steps from the cube object: member names, and lists whose elements are iterated. */
  steps: { name: string; list?: { keys: string[]; labels: string[] } }[];
}

function metricPart(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function isNumericType(node: IrNode): boolean {
  return node.kind === 'leaf' && (node.type.kind === 'int' || node.type.kind === 'decimal64');
}

/** Every numeric config-false leaf below the module, with its path (lists carry key labels). */
export function stateLeaves(module: IrModule): StateLeaf[] {
  const out: StateLeaf[] = [];
  const walk = (
    nodes: readonly IrNode[],
    steps: StateLeaf['steps'],
    prefix: string,
    used: Set<string>,
  ): void => {
    for (const n of nodes) {
      if (n.kind === 'leaf' && !n.config && !n.isKey && isNumericType(n)) {
        out.push({
          metric: `${prefix}_${metricPart(n.name)}`,
          help: (n.description ?? n.name).replace(/\s+/g, ' '),
          steps: [...steps, { name: n.name }],
        });
      } else if (n.kind === 'container') {
        walk(n.children, [...steps, { name: n.name }], `${prefix}_${metricPart(n.name)}`, used);
      } else if (n.kind === 'list') {
        const labels = n.keys.map((k) => {
          const base = metricPart(k);
          const label = used.has(base) ? `${metricPart(n.name)}_${base}` : base;
          return label;
        });
        const inner = new Set([...used, ...labels]);
        walk(
          n.children,
          [...steps, { name: n.name, list: { keys: n.keys, labels } }],
          `${prefix}_${metricPart(n.name)}`,
          inner,
        );
      }
    }
  };
  walk(module.children, [], metricPart(module.name), new Set(['cube']));
  return out;
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v)) return Number(v);
  return undefined;
}

/** Samples of `leaf` in one cube object. */
function samplesOf(leaf: StateLeaf, cube: string, body: Json): MetricSample[] {
  const out: MetricSample[] = [];
  const visit = (value: unknown, i: number, labels: Record<string, string>): void => {
    if (i === leaf.steps.length) {
      const n = numeric(value);
      if (n !== undefined) out.push({ labels, value: n });
      return;
    }
    if (!isObject(value)) return;
    const step = leaf.steps[i];
    const next = value[step.name];
    if (!step.list) return visit(next, i + 1, labels);
    if (!Array.isArray(next)) return;
    for (const el of next) {
      if (!isObject(el)) continue;
      const more: Record<string, string> = { ...labels };
      step.list.keys.forEach(
        (k, j) => (more[(step.list as { labels: string[] }).labels[j]] = String(el[k] ?? '')),
      );
      visit(el, i + 1, more);
    }
  };
  visit(body, 0, { cube });
  return out;
}

/** The collector: numeric state leaves of every cube of every connected service. */
export function yangStateCollector(daemon: RestDaemon): MetricsCollector {
  const leavesByModule = new WeakMap<IrModule, StateLeaf[]>();
  return async () => {
    const families: MetricFamily[] = [];
    for (const svc of daemon.services()) {
      if (!svc.connected) continue;
      let leaves = leavesByModule.get(svc.module);
      if (!leaves) leavesByModule.set(svc.module, (leaves = stateLeaves(svc.module)));
      if (leaves.length === 0) continue;
      const fams = leaves.map((l): MetricFamily => ({
        name: l.metric,
        help: l.help,
        type: 'gauge',
        samples: [],
      }));
      for (const cube of daemon.cubes(svc.name)) {
        const r = await daemon.execute({
          op: 'READ',
          service: svc.name,
          cube: cube.name,
          path: `/${svc.module.name}`,
          keys: [],
          isCollection: false,
        });
        if (r.code !== 'OK' || !isObject(r.body)) continue;
        leaves.forEach((l, i) => fams[i].samples.push(...samplesOf(l, cube.name, r.body as Json)));
      }
      families.push(...fams);
    }
    return families;
  };
}
