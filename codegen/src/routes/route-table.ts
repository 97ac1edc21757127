// The REST route table of a module (REST spec §6.1–§6.2, §6.4): one row per resource with its
// path template, kind, allowed methods, path parameters and body target. Built from the IR at
// run time by polycubed's REST layer; serialised by the emitter for the committed routes table.

import type { IrAction, IrContainer, IrLeaf, IrLeafList, IrList, IrModule, IrParent } from '../ir/types';
import { keyLeaves } from '../ir/helpers';
import { cubeKeyLeaf, serviceNameOf, type SchemaTarget } from '../schema/schema-nodes';

/** Every route lives under this prefix (polycubed `RestServer::base`). */
export const API_BASE = '/polycube/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** What a route addresses, with the IR node behind it. */
export type RouteTarget =
  | { kind: 'service'; node: IrModule }
  | { kind: 'cube'; node: IrModule }
  | { kind: 'container'; node: IrContainer }
  | { kind: 'list'; node: IrList }
  | { kind: 'element'; node: IrList }
  /** `OPTIONS`-only route on the first `keyCount` keys of a multi-key list (help/completion). */
  | { kind: 'key-prefix'; node: IrList; keyCount: number }
  | { kind: 'leaf'; node: IrLeaf | IrLeafList }
  | { kind: 'action'; node: IrAction };

export type ResourceKind = RouteTarget['kind'];

/** One `:param` segment of a path template. */
export interface PathParam {
  /** Segment name without the colon, e.g. `ports_name` (renamed when an ancestor used `name`). */
  param: string;
  /** The key's YANG name, the body member name, e.g. `name`. */
  key: string;
  /** The key leaf; for the cube name polycubed's pseudo-key (see cubeKeyLeaf). */
  leaf: IrLeaf;
  /** The list whose key this is; undefined for the cube name. */
  list?: IrList;
}

/** One route of the table. */
export type RouteRow = RouteTarget & {
  /** Path template, e.g. `/polycube/v1/lbrp/:name/ports/:ports_name` (no trailing slash). */
  path: string;
  /** Allowed methods in the order GET POST PUT PATCH DELETE OPTIONS. */
  methods: HttpMethod[];
  /** Every `:param` of `path`, outermost first. */
  params: PathParam[];
  /** Schema path of the node (`/lbrp/service/backend`); `/<module>` for service and cube. */
  schemaPath: string;
  /** What POST/PUT/PATCH bodies are validated against; undefined when the route takes none. */
  body?: SchemaTarget;
};

const WRITABLE: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const READ_ONLY: HttpMethod[] = ['GET', 'OPTIONS'];

/** Methods of a target per REST spec §6.2. */
function methodsOf(target: RouteTarget): HttpMethod[] {
  switch (target.kind) {
    case 'service':
      return ['GET', 'POST', 'PATCH', 'OPTIONS'];
    case 'cube':
      return WRITABLE;
    case 'container':
    case 'list':
    case 'element':
      return target.node.config ? WRITABLE : READ_ONLY;
    case 'key-prefix':
      return ['OPTIONS'];
    case 'leaf':
      return target.node.config && !target.node.initOnly ? ['GET', 'PATCH', 'OPTIONS'] : READ_ONLY;
    case 'action':
      return ['POST', 'OPTIONS'];
  }
}

function bodyOf(target: RouteTarget): SchemaTarget | undefined {
  switch (target.kind) {
    case 'service':
      return { kind: 'cube', node: target.node };
    case 'key-prefix':
      return undefined;
    case 'leaf':
      return methodsOf(target).includes('PATCH') ? target : undefined;
    case 'container':
    case 'list':
    case 'element':
      return target.node.config ? target : undefined;
    default:
      return target;
  }
}

/** Accumulates rows while walking the schema depth-first. */
class TableBuilder {
  readonly rows: RouteRow[] = [];

  constructor(private readonly module: IrModule) {}

  add(target: RouteTarget, path: string, params: PathParam[]): void {
    const schemaPath =
      target.kind === 'service' || target.kind === 'cube' ? `/${this.module.name}` : target.node.path;
    const row = { ...target, path, methods: methodsOf(target), params, schemaPath } as RouteRow;
    const body = bodyOf(target);
    if (body) row.body = body;
    this.rows.push(row);
  }

  /** Adds the rows of `parent`'s children under `path` (the parent's own row already added). */
  walk(parent: IrParent, path: string, params: PathParam[]): void {
    for (const child of parent.children) {
      const at = `${path}/${child.name}`;
      switch (child.kind) {
        case 'leaf':
          if (!child.isKey) this.add({ kind: 'leaf', node: child }, at, params);
          break;
        case 'leaf-list':
          this.add({ kind: 'leaf', node: child }, at, params);
          break;
        case 'container':
          this.add({ kind: 'container', node: child }, at, params);
          this.walk(child, at, params);
          break;
        case 'list':
          this.addList(child, at, params);
          break;
        case 'action':
          this.add({ kind: 'action', node: child }, at, params);
          break;
      }
    }
  }

  private addList(list: IrList, at: string, params: PathParam[]): void {
    this.add({ kind: 'list', node: list }, at, params);
    let path = at;
    const own = [...params];
    const leaves = keyLeaves(list);
    leaves.forEach((leaf, i) => {
      const param = uniqueParam(list, leaf.name, own);
      own.push({ param, key: leaf.name, leaf, list });
      path += `/:${param}`;
      if (i < leaves.length - 1)
        this.add({ kind: 'key-prefix', node: list, keyCount: i + 1 }, path, [...own]);
    });
    this.add({ kind: 'element', node: list }, path, own);
    this.walk(list, path, own);
  }
}

/** A key's param name: the key name, or `<list>_<key>` when an ancestor already uses it (§6.1). */
function uniqueParam(list: IrList, key: string, used: PathParam[]): string {
  const taken = (p: string): boolean => used.some((u) => u.param === p);
  if (!taken(key)) return key;
  let candidate = `${list.name}_${key}`;
  for (let n = 2; taken(candidate); n++) candidate = `${list.name}_${key}${n}`;
  return candidate;
}

/**
 * Returns every route of `module` in schema order: the service collection
 * `/polycube/v1/<svc>`, the cube `/polycube/v1/<svc>/:name`, then depth-first each child —
 * containers, lists (collection, key-prefix OPTIONS routes for multi-key lists, element), leaves
 * and leaf-lists (not list keys, which have no endpoint), actions. `<svc>` is the service name
 * (see serviceNameOf). Pure; the same module always gives the same table.
 */
export function buildRouteTable(module: IrModule): RouteRow[] {
  const b = new TableBuilder(module);
  const base = `${API_BASE}/${serviceNameOf(module)}`;
  const cubeParam: PathParam = { param: 'name', key: 'name', leaf: cubeKeyLeaf(module) };
  b.add({ kind: 'service', node: module }, base, []);
  b.add({ kind: 'cube', node: module }, `${base}/:name`, [cubeParam]);
  b.walk(module, `${base}/:name`, [cubeParam]);
  return b.rows;
}
