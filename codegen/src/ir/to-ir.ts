// Turns the schema tree (ir/schema-tree.ts) into IR nodes: flattens choice/case, inherits config,
// resolves types and defaults, validates keys and unique, computes schema paths, reads extensions.

import { makeError } from '../parse/diagnostics';
import { checkValue } from './check-value';
import { type TypeContext, coreChild, resolveType } from './resolve-type';
import { moduleForPrefix, splitRef } from './scope';
import { type TreeExtension, type TreeNode, compact } from './schema-tree';
import type { IrExtension, IrLeaf, IrLeafList, IrNode, IrNodeBase, IrType } from './types';

/** Module name of the polycube-base extensions the IR reads into dedicated fields. */
export const POLYCUBE_BASE = 'polycube-base';

/** Where a node sits: its parent's path, effective config, and whether it is inside an action. */
interface Place {
  path: string;
  config: boolean;
  /** Inside an action's input or output, where `config` is ignored (RFC 7950 §7.14.2). */
  operation?: 'input' | 'output';
  /** Key names of the parent list, to mark its key leaves. */
  keys?: string[];
}

/** Converts the children of one parent; the module root's place is `{ path: '/<module>', config: true }`. */
export function convertNodes(nodes: TreeNode[], place: Place, ctx: TypeContext): IrNode[] {
  const out: IrNode[] = [];
  for (const node of nodes) {
    if (node.kind === 'choice' || node.kind === 'case') {
      const config = effectiveConfig(node, place, ctx);
      checkChoiceDefault(node, ctx);
      for (const c of node.children) out.push(...convertNodes([c], { ...place, config }, ctx));
    } else {
      out.push(convertNode(node, place, ctx));
    }
  }
  checkDuplicates(out, place, ctx);
  return out;
}

function convertNode(node: TreeNode, place: Place, ctx: TypeContext): IrNode {
  const base = convertBase(node, place, ctx);
  const inner: Place = { path: base.path, config: base.config, operation: place.operation };
  switch (node.kind) {
    case 'leaf':
      return convertLeaf(node, base, place, ctx);
    case 'leaf-list':
      return convertLeafList(node, base, ctx);
    case 'container':
      return compact({
        kind: 'container',
        ...base,
        presence: node.props.presence,
        children: convertNodes(node.children, inner, ctx),
      });
    case 'list': {
      const keys = listKeys(node, base.config, ctx);
      return compact({
        kind: 'list',
        ...base,
        keys,
        unique: listUnique(node, ctx),
        children: convertNodes(node.children, { ...inner, keys }, ctx),
        minElements: node.props.minElements,
        maxElements: node.props.maxElements,
      });
    }
    default: {
      const [input, output] = node.children;
      const io = (n: TreeNode, operation: 'input' | 'output'): IrNode[] =>
        convertNodes(
          n.children,
          { path: `${base.path}/${operation}`, config: operation === 'input', operation },
          ctx,
        );
      return { kind: 'action', ...base, input: io(input, 'input'), output: io(output, 'output') };
    }
  }
}

function convertBase(node: TreeNode, place: Place, ctx: TypeContext): IrNodeBase {
  const extensions = convertExtensions(node.extensions);
  const polycube = (keyword: string): IrExtension | undefined =>
    extensions.find((e) => e.module === POLYCUBE_BASE && e.keyword === keyword);
  const path = `${place.path}/${node.name}`;
  return compact({
    name: node.name,
    module: ctx.root.name,
    path,
    description: node.props.description,
    config: effectiveConfig(node, place, ctx),
    initOnly: polycube('init-only-config') !== undefined,
    cliExample: polycube('cli-example')?.arg,
    extensions,
    loc: node.stmt.loc,
  });
}

/** Config as written, else inherited; `config true` under `config false` is an error (RFC 7950 §7.21.1). */
function effectiveConfig(node: TreeNode, place: Place, ctx: TypeContext): boolean {
  if (place.operation) return place.config;
  const own = node.props.config;
  if (!own) return place.config;
  if (own.value && !place.config) {
    ctx.errors.push(
      makeError(
        'bad-config',
        own.loc,
        `config true at ${place.path}/${node.name} under a config false parent: expected false`,
      ),
    );
    return false;
  }
  return own.value;
}

function convertLeaf(node: TreeNode, base: IrNodeBase, place: Place, ctx: TypeContext): IrLeaf {
  const resolved = resolveNodeType(node, ctx);
  const mandatory = node.props.mandatory ?? false;
  const isKey = place.keys?.includes(node.name) ?? false;
  const own = node.props.defaults[0];
  if (own !== undefined && mandatory) {
    ctx.errors.push(
      makeError(
        'bad-default',
        node.props.defaultLoc ?? node.stmt.loc,
        `leaf "${node.name}" is mandatory and cannot have a default`,
      ),
    );
  } else if (own !== undefined) {
    checkDefault(resolved.type, own, node, ctx);
  } else if (resolved.default !== undefined && !isKey && !mandatory && restrictsTypedef(node)) {
    checkDefault(resolved.type, resolved.default, node, ctx);
  }
  // Defaults of key leaves and of mandatory leaves never apply (RFC 7950 §7.8.2, §7.6.1).
  const def = isKey || mandatory ? undefined : (own ?? resolved.default);
  const units = coreChild(node.stmt, 'units')?.arg ?? resolved.units;
  return compact({ kind: 'leaf', ...base, type: resolved.type, mandatory, default: def, units, isKey });
}

function convertLeafList(node: TreeNode, base: IrNodeBase, ctx: TypeContext): IrLeafList {
  const resolved = resolveNodeType(node, ctx);
  for (const d of node.props.defaults) checkDefault(resolved.type, d, node, ctx);
  const inherited = resolved.default === undefined ? [] : [resolved.default];
  return compact({
    kind: 'leaf-list',
    ...base,
    type: resolved.type,
    minElements: node.props.minElements,
    maxElements: node.props.maxElements,
    defaults: node.props.defaults.length > 0 ? node.props.defaults : inherited,
  });
}

function resolveNodeType(
  node: TreeNode,
  ctx: TypeContext,
): { type: IrType; default?: string; units?: string } {
  const typeStmt = coreChild(node.stmt, 'type');
  if (!typeStmt) return { type: { kind: 'string', patterns: [], length: [] } };
  return resolveType(typeStmt, node.scope, ctx);
}

/** True when the leaf's `type` statement adds restrictions, so an inherited default may no longer fit. */
function restrictsTypedef(node: TreeNode): boolean {
  return (coreChild(node.stmt, 'type')?.children.length ?? 0) > 0;
}

function checkDefault(type: IrType, value: string, node: TreeNode, ctx: TypeContext): void {
  const reason = checkValue(type, value);
  if (reason) {
    ctx.errors.push(
      makeError(
        'bad-default',
        node.props.defaultLoc ?? node.stmt.loc,
        `invalid default "${value}" of ${node.kind} "${node.name}": ${reason}`,
      ),
    );
  }
}

function checkChoiceDefault(node: TreeNode, ctx: TypeContext): void {
  const def = node.props.defaults[0];
  if (node.kind !== 'choice' || def === undefined || node.children.some((c) => c.name === def)) return;
  ctx.errors.push(
    makeError(
      'bad-default',
      node.props.defaultLoc ?? node.stmt.loc,
      `invalid default "${def}" of choice "${node.name}": expected the name of one of its cases`,
    ),
  );
}

/** Key names in order; each must name a direct child leaf, and a config list must have a key. */
function listKeys(node: TreeNode, config: boolean, ctx: TypeContext): string[] {
  const keyStmt = coreChild(node.stmt, 'key');
  if (!keyStmt) {
    if (config)
      ctx.errors.push(
        makeError('bad-key', node.stmt.loc, `bad key: list "${node.name}" is config but has no "key"`),
      );
    return [];
  }
  const keys = (keyStmt.arg ?? '')
    .split(/\s+/)
    .filter((k) => k !== '')
    .map((k) => splitRef(k).name);
  keys.forEach((k, i) => {
    const problem =
      keys.indexOf(k) !== i
        ? 'listed twice'
        : node.children.some((c) => c.kind === 'leaf' && c.name === k)
          ? undefined
          : 'expected the name of a child leaf';
    if (problem)
      ctx.errors.push(makeError('bad-key', keyStmt.loc, `bad key "${k}" of list "${node.name}": ${problem}`));
  });
  return keys;
}

/** `unique` arguments as descendant name paths; each must reach a leaf. */
function listUnique(node: TreeNode, ctx: TypeContext): string[][] {
  const out: string[][] = [];
  for (const u of node.stmt.children.filter((c) => c.keyword === 'unique' && c.prefix === undefined)) {
    const paths = (u.arg ?? '').split(/\s+/).filter((p) => p !== '');
    for (const p of paths) {
      const names = p.split('/').map((seg) => splitRef(seg).name);
      let level = node.children;
      let found: TreeNode | undefined;
      for (const n of names) {
        found = level.find((c) => c.name === n);
        level = found?.children ?? [];
      }
      if (found?.kind !== 'leaf') {
        ctx.errors.push(
          makeError(
            'bad-unique',
            u.loc,
            `bad unique "${p}" of list "${node.name}": expected a descendant leaf`,
          ),
        );
      }
    }
    out.push(paths);
  }
  return out;
}

/** Resolves extension prefixes (already checked by the registry); a refine's extension replaces an earlier one. */
function convertExtensions(exts: TreeExtension[]): IrExtension[] {
  const out: IrExtension[] = [];
  for (const e of exts) {
    const owner = moduleForPrefix(e.module, e.stmt.prefix, e.stmt.loc, []);
    if (!owner) continue;
    const ext = compact({ module: owner.name, keyword: e.stmt.keyword, arg: e.stmt.arg });
    if (e.fromRefine) {
      const i = out.findIndex((o) => o.module === ext.module && o.keyword === ext.keyword);
      if (i >= 0) out.splice(i, 1);
    }
    out.push(ext);
  }
  return out;
}

function checkDuplicates(nodes: IrNode[], place: Place, ctx: TypeContext): void {
  const seen = new Map<string, IrNode>();
  for (const n of nodes) {
    const first = seen.get(n.name);
    if (first) {
      ctx.errors.push(
        makeError(
          'duplicate',
          n.loc,
          `duplicate node "${n.name}" in ${place.path}: first defined at ${first.loc.file}:${first.loc.line}`,
        ),
      );
    } else {
      seen.set(n.name, n);
    }
  }
}
