// Service counters on /metrics without any service-specific code: every numeric `config false`
// leaf of a service's YANG (lbrp's packets, bytes, sessions…) becomes a metric, read at scrape time
// with one Daemon.execute READ per cube. Metric `<module>_<path>` (dashes → underscores), with the
// leaf's `units` appended unless the name ends in them already, labels `cube` plus the list keys
// along the path (`lbrp_service_backend_packets_total{cube,vip,vport,proto,ip}`). A leaf whose type
// is a `counter64`/`counter32` typedef (ietf-yang-types' or the module's own: only grows) is a
// Prometheus counter named `…_total`; every other one a gauge. A top-level list the cube's answer
// leaves out (lbrp's `drop`, read on its own path) is read with one more READ of that path.

import type { IrModule, IrNode } from 'yang-ts-codegen';
import type { MetricFamily, MetricSample, MetricsCollector } from './metrics';
import type { RestDaemon } from './rest-context';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A numeric state leaf and how to reach it. */
interface StateLeaf {
  metric: string;
  help: string;
  type: 'gauge' | 'counter';
  /** Steps from the cube object: member names, and lists whose elements are iterated. */
  steps: { name: string; list?: { keys: string[]; labels: string[] } }[];
}

function metricPart(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function isNumericType(node: IrNode): boolean {
  return node.kind === 'leaf' && (node.type.kind === 'int' || node.type.kind === 'decimal64');
}

/** A monotonic counter by its YANG type (ietf-yang-types' counter32/64 or a typedef named so). */
function isCounter(node: IrNode): boolean {
  return node.kind === 'leaf' && /(^|:)counter(32|64)$/.test(node.type.typedef ?? '');
}

/** `base` with `_<units>` unless it ends in them, then `_total` for a counter (Prometheus naming). */
export function metricName(base: string, units: string | undefined, counter: boolean): string {
  const unit = units ? metricPart(units.toLowerCase()) : '';
  const named = unit && !base.endsWith(`_${unit}`) ? `${base}_${unit}` : base;
  return counter ? `${named}_total` : named;
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
        const counter = isCounter(n);
        out.push({
          metric: metricName(`${prefix}_${metricPart(n.name)}`, n.units, counter),
          help: (n.description ?? n.name).replace(/\s+/g, ' '),
          type: counter ? 'counter' : 'gauge',
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

/** Names of the cube-level lists that hold state leaves. */
function topLists(leaves: readonly StateLeaf[]): string[] {
  return [...new Set(leaves.filter((l) => l.steps[0].list).map((l) => l.steps[0].name))];
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
        type: l.type,
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
        const body: Json = { ...r.body };
        for (const list of topLists(leaves)) {
          if (body[list] !== undefined) continue;
          const more = await daemon.execute({
            op: 'READ',
            service: svc.name,
            cube: cube.name,
            path: `/${svc.module.name}/${list}`,
            keys: [],
            isCollection: true,
          });
          if (more.code === 'OK' && Array.isArray(more.body)) body[list] = more.body;
        }
        leaves.forEach((l, i) => fams[i].samples.push(...samplesOf(l, cube.name, body)));
      }
      families.push(...fams);
    }
    return families;
  };
}
