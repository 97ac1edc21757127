// Segment tree router (REST spec §1.3): fixed segments win over `:param` segments, with
// backtracking; a path that exists only for other methods is reported with those methods so the
// caller can answer 405 with `Allow:`. Generic over what a route carries; no HTTP here.

/** HTTP methods the REST API routes. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Methods in the order `Allow:` lists them. */
export const METHOD_ORDER: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** One successful lookup: what the route carries and its `:param` values (raw segments). */
export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
}

/** Outcome of a lookup. */
export type RouteLookup<H> =
  { kind: 'found'; match: RouteMatch<H> } | { kind: 'wrong-method'; allow: Method[] } | { kind: 'none' };

interface TreeNode<H> {
  fixed: Map<string, TreeNode<H>>;
  params: { name: string; node: TreeNode<H> }[];
  handlers: Map<Method, H>;
}

function newNode<H>(): TreeNode<H> {
  return { fixed: new Map(), params: [], handlers: new Map() };
}

/** Splits a template such as `/polycube/v1/lbrp/:name/ports/:ports_name` into segments. */
function templateSegments(template: string): string[] {
  return template.split('/').filter((s) => s !== '');
}

/** A route tree; build with `add`, then `lookup` (adding after lookups is fine too). */
export class RouteTree<H> {
  private readonly root: TreeNode<H> = newNode();

  /**
   * Registers `handler` for `methods` on `template` (`:x` segments are parameters). A later
   * registration of the same method and template replaces the earlier one.
   */
  add(template: string, methods: readonly Method[], handler: H): void {
    let node = this.root;
    for (const seg of templateSegments(template)) {
      if (seg.startsWith(':')) {
        const name = seg.slice(1);
        let p = node.params.find((x) => x.name === name);
        if (!p) node.params.push((p = { name, node: newNode() }));
        node = p.node;
      } else {
        let next = node.fixed.get(seg);
        if (!next) node.fixed.set(seg, (next = newNode()));
        node = next;
      }
    }
    for (const m of methods) node.handlers.set(m, handler);
  }

  /**
   * Finds the route of `method` for the raw `segments` of a normalised path. Fixed segments are
   * tried before parameters at every level, backtracking when a branch dead-ends. When no route
   * has `method` but some route matches the path, answers `wrong-method` with the union of their
   * methods.
   */
  lookup(method: string, segments: readonly string[]): RouteLookup<H> {
    const allow = new Set<Method>();
    const params: Record<string, string> = {};
    const found = this.search(this.root, segments, 0, method, params, allow);
    if (found) return { kind: 'found', match: found };
    if (allow.size > 0) return { kind: 'wrong-method', allow: METHOD_ORDER.filter((m) => allow.has(m)) };
    return { kind: 'none' };
  }

  private search(
    node: TreeNode<H>,
    segments: readonly string[],
    i: number,
    method: string,
    params: Record<string, string>,
    allow: Set<Method>,
  ): RouteMatch<H> | undefined {
    if (i === segments.length) {
      const handler = node.handlers.get(method as Method);
      if (handler !== undefined) return { handler, params: { ...params } };
      for (const m of node.handlers.keys()) allow.add(m);
      return undefined;
    }
    const seg = segments[i];
    const fixed = node.fixed.get(seg);
    if (fixed) {
      const hit = this.search(fixed, segments, i + 1, method, params, allow);
      if (hit) return hit;
    }
    if (seg === '') return undefined;
    for (const p of node.params) {
      params[p.name] = seg;
      const hit = this.search(p.node, segments, i + 1, method, params, allow);
      delete params[p.name];
      if (hit) return hit;
    }
    return undefined;
  }
}
