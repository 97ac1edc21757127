// Small pure queries over the IR for emitters and polycubed: type guards, lookup by schema path,
// depth-first walks, key leaves, configurability and effective numeric bounds. Nothing here mutates.

import { INT_BOUNDS, LENGTH_BOUNDS, decimalBounds } from './ranges';
import type {
  IrAction,
  IrContainer,
  IrLeaf,
  IrLeafList,
  IrList,
  IrModule,
  IrNode,
  IrType,
  NumRange,
} from './types';

/** A node that holds data children: the module, a container or a list. */
export type IrDataParent = IrModule | IrContainer | IrList;

/** Narrows to a leaf. */
export function isLeaf(node: IrNode): node is IrLeaf {
  return node.kind === 'leaf';
}

/** Narrows to a leaf-list. */
export function isLeafList(node: IrNode): node is IrLeafList {
  return node.kind === 'leaf-list';
}

/** Narrows to a container. */
export function isContainer(node: IrNode): node is IrContainer {
  return node.kind === 'container';
}

/** Narrows to a list. */
export function isList(node: IrNode): node is IrList {
  return node.kind === 'list';
}

/** Narrows to an action or rpc. */
export function isAction(node: IrNode): node is IrAction {
  return node.kind === 'action';
}

/** True for the module, containers and lists: the nodes with a `children` array. */
export function hasChildren(node: IrModule | IrNode): node is IrDataParent {
  return node.kind === 'module' || node.kind === 'container' || node.kind === 'list';
}

/**
 * The nodes one level below `node`: data children of the module, a container or a list; for an
 * action, its input nodes then its output nodes; nothing for leaves.
 */
export function childrenOf(node: IrModule | IrNode): IrNode[] {
  if (hasChildren(node)) return node.children;
  if (node.kind === 'action') return [...node.input, ...node.output];
  return [];
}

/**
 * Finds a node by the schema path in its `path` field (`/lbrp/service/backend`); inside an action
 * the path goes through `input` or `output` (`/m/reset/input/force`). Undefined when nothing matches.
 */
export function findNode(module: IrModule, path: string): IrNode | undefined {
  const [empty, moduleName, ...segments] = path.split('/');
  if (empty !== '' || moduleName !== module.name || segments.length === 0) return undefined;
  let level: IrNode[] = module.children;
  let node: IrNode | undefined;
  for (let i = 0; i < segments.length; i++) {
    node = level.find((n) => n.name === segments[i]);
    if (!node) return undefined;
    if (node.kind === 'action' && i + 1 < segments.length) {
      const io = segments[++i];
      if (io !== 'input' && io !== 'output') return undefined;
      level = node[io];
      if (i + 1 === segments.length) return undefined;
    } else {
      level = childrenOf(node);
    }
  }
  return node;
}

/**
 * Visits every node below `root` depth-first, in schema order (parents before children). Returning
 * `false` from `visit` skips that node's descendants. Action input and output nodes are visited too.
 */
export function walkNodes(root: IrModule | IrNode, visit: (node: IrNode) => boolean | void): void {
  for (const child of childrenOf(root)) {
    if (visit(child) !== false) walkNodes(child, visit);
  }
}

/** Every node below `root` in the order `walkNodes` visits them. */
export function allNodes(root: IrModule | IrNode): IrNode[] {
  const out: IrNode[] = [];
  walkNodes(root, (n) => void out.push(n));
  return out;
}

/** The key leaves of a list, in `key` statement order. */
export function keyLeaves(list: IrList): IrLeaf[] {
  return list.keys
    .map((k) => list.children.find((c): c is IrLeaf => c.kind === 'leaf' && c.name === k))
    .filter((l): l is IrLeaf => l !== undefined);
}

/** The direct leaf children of a parent, in schema order. */
export function leavesOf(parent: IrDataParent): IrLeaf[] {
  return parent.children.filter(isLeaf);
}

/** True when the node is configuration (writable by a client); false for state (`config false`) nodes. */
export function isConfigurable(node: IrNode): boolean {
  return node.config;
}

/** True when a client may change the node after its parent exists: config, not init-only, not a key. */
export function isUpdatable(node: IrNode): boolean {
  return node.config && !node.initOnly && !(node.kind === 'leaf' && node.isKey);
}

/**
 * The values a numeric type or a length may take: the restriction when there is one, else the
 * built-in bounds. Empty for types without numeric bounds (boolean, enumeration, union, …).
 */
export function effectiveRanges(type: IrType): NumRange[] {
  switch (type.kind) {
    case 'int':
      return type.range.length > 0 ? type.range : [INT_BOUNDS[type.base]];
    case 'decimal64':
      return type.range.length > 0 ? type.range : [decimalBounds(type.fractionDigits)];
    case 'string':
    case 'binary':
      return type.length.length > 0 ? type.length : [LENGTH_BOUNDS];
    default:
      return [];
  }
}
