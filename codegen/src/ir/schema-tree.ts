// Builds the module's schema tree from statements: expands `uses` (in the grouping's own scope),
// applies `refine` and `augment` (inside `uses` and top-level), keeps declaration order. The result
// still has choice/case nodes and unresolved types; ir/to-ir.ts turns it into IR nodes.

import { type SourceLoc, makeError } from '../parse/diagnostics';
import type { Statement } from '../parse/parser';
import type { TypeContext } from './resolve-type';
import { type ParsedModule, type Scope, lookupDefinition, moduleForPrefix, scopeOf, splitRef } from './scope';

export type TreeKind =
  'container' | 'list' | 'leaf' | 'leaf-list' | 'choice' | 'case' | 'action' | 'input' | 'output';

/** Properties a `refine` may replace, read first from the node's own statement. */
export interface TreeProps {
  description?: string;
  config?: { value: boolean; loc: SourceLoc };
  mandatory?: boolean;
  presence?: string;
  minElements?: number;
  maxElements?: number;
  defaults: string[];
  defaultLoc?: SourceLoc;
}

/** An extension statement on a node, with the module whose prefixes it is written in. */
export interface TreeExtension {
  stmt: Statement;
  module: ParsedModule;
  /** Added by a `refine`: replaces an earlier extension with the same module and keyword. */
  fromRefine: boolean;
}

/** One schema node before IR conversion. A fresh tree is built for every `uses`, so refines stay local. */
export interface TreeNode {
  kind: TreeKind;
  name: string;
  /** The defining statement (for an implicit case: its only child's statement). */
  stmt: Statement;
  /** The scope `stmt` is written in; its type and extension prefixes resolve there. */
  scope: Scope;
  props: TreeProps;
  extensions: TreeExtension[];
  children: TreeNode[];
}

const NODE_KINDS: Record<string, TreeKind> = {
  container: 'container',
  list: 'list',
  leaf: 'leaf',
  'leaf-list': 'leaf-list',
  choice: 'choice',
  case: 'case',
  action: 'action',
  rpc: 'action',
  input: 'input',
  output: 'output',
};

/** Which refine substatements apply to which node kinds (RFC 7950 §7.13.2). */
const REFINABLE: Record<string, TreeKind[]> = {
  presence: ['container'],
  default: ['leaf', 'leaf-list', 'choice'],
  mandatory: ['leaf', 'choice'],
  'min-elements': ['list', 'leaf-list'],
  'max-elements': ['list', 'leaf-list'],
};

const AUGMENTABLE: TreeKind[] = ['container', 'list', 'choice', 'case', 'input', 'output'];

/** Builds the schema tree of `ctx.root`: its data nodes and rpcs, then its top-level augments. */
export function buildSchemaTree(ctx: TypeContext): TreeNode[] {
  return new TreeBuilder(ctx).buildModule();
}

class TreeBuilder {
  private readonly groupingStack: Statement[] = [];

  constructor(private readonly ctx: TypeContext) {}

  buildModule(): TreeNode[] {
    const root = this.ctx.root;
    const nodes: TreeNode[] = [];
    this.buildChildren(root.stmt.children, root.top, nodes, false);
    this.applyTopLevelAugments(nodes);
    return nodes;
  }

  /** Appends the nodes defined by `stmts` (written in `scope`) to `out`, in declaration order. */
  private buildChildren(stmts: Statement[], scope: Scope, out: TreeNode[], inChoice: boolean): void {
    for (const s of stmts) {
      if (s.prefix !== undefined) continue;
      if (s.keyword === 'uses') {
        this.expandUses(s, scope, out, inChoice);
      } else if (s.keyword === 'anydata' || s.keyword === 'anyxml' || s.keyword === 'notification') {
        this.ctx.errors.push(makeError('unsupported', s.loc, `${s.keyword} "${s.arg}" is not supported`));
      } else if (s.keyword === 'case' && !inChoice) {
        this.ctx.errors.push(makeError('bad-augment', s.loc, `case "${s.arg}" outside a choice`));
      } else if (NODE_KINDS[s.keyword]) {
        const node = this.buildNode(s, scope);
        out.push(inChoice && node.kind !== 'case' ? this.implicitCase(node) : node);
      }
    }
  }

  private buildNode(stmt: Statement, scope: Scope): TreeNode {
    const kind = NODE_KINDS[stmt.keyword];
    const node: TreeNode = {
      kind,
      name: stmt.arg ?? stmt.keyword,
      stmt,
      scope,
      props: readProps(stmt),
      extensions: stmt.children
        .filter((c) => c.prefix !== undefined)
        .map((c) => ({ stmt: c, module: scope.module, fromRefine: false })),
      children: [],
    };
    const inner = scopeOf(stmt, scope, scope.module, this.ctx.errors);
    if (kind === 'action') {
      node.children = (['input', 'output'] as const).map((k) => {
        const s = stmt.children.find((c) => c.keyword === k && c.prefix === undefined);
        return s
          ? this.buildNode(s, inner)
          : { ...node, kind: k, name: k, props: { defaults: [] }, extensions: [], children: [] };
      });
    } else {
      this.buildChildren(stmt.children, inner, node.children, kind === 'choice');
    }
    return node;
  }

  /** A data node directly under a choice stands for a case of the same name (RFC 7950 §7.9.2). */
  private implicitCase(node: TreeNode): TreeNode {
    return { ...node, kind: 'case', props: { defaults: [] }, extensions: [], children: [node] };
  }

  private expandUses(uses: Statement, scope: Scope, out: TreeNode[], inChoice: boolean): void {
    const found = lookupDefinition('grouping', scope, uses.arg ?? '', uses.loc, this.ctx.errors);
    if (!found) return;
    if (this.groupingStack.includes(found.stmt)) {
      this.ctx.errors.push(makeError('grouping-cycle', uses.loc, `grouping "${uses.arg}" uses itself`));
      return;
    }
    this.groupingStack.push(found.stmt);
    const nodes: TreeNode[] = [];
    const inner = scopeOf(found.stmt, found.scope, found.scope.module, this.ctx.errors);
    this.buildChildren(found.stmt.children, inner, nodes, inChoice);
    this.groupingStack.pop();
    for (const s of uses.children) {
      if (s.prefix !== undefined) continue;
      if (s.keyword === 'refine') this.applyRefine(s, nodes, scope, uses);
      if (s.keyword === 'augment' && !this.applyAugment(s, nodes, scope, false)) {
        this.ctx.errors.push(makeError('bad-augment', s.loc, `augment target "${s.arg}" not found`));
      }
    }
    out.push(...nodes);
  }

  private applyRefine(refine: Statement, nodes: TreeNode[], scope: Scope, uses: Statement): void {
    const target = this.findNode(nodes, refine, scope.module, false);
    if (target === null) return;
    if (!target) {
      this.ctx.errors.push(
        makeError(
          'bad-refine',
          refine.loc,
          `refine target "${refine.arg}" not found in grouping "${uses.arg}"`,
        ),
      );
      return;
    }
    for (const s of refine.children) {
      if (s.prefix !== undefined) {
        target.extensions.push({ stmt: s, module: scope.module, fromRefine: true });
        continue;
      }
      const kinds = REFINABLE[s.keyword];
      if (kinds && !kinds.includes(target.kind)) {
        this.ctx.errors.push(
          makeError('bad-refine', s.loc, `"${s.keyword}" cannot refine ${target.kind} "${target.name}"`),
        );
        continue;
      }
      const props = readProps({ ...refine, children: [s] });
      if (s.keyword === 'default') {
        target.props.defaults = refine.children
          .filter((d) => d.keyword === 'default')
          .map((d) => d.arg ?? '');
        target.props.defaultLoc = s.loc;
      } else {
        Object.assign(target.props, compact({ ...props, defaults: undefined }));
      }
    }
  }

  private applyAugment(aug: Statement, roots: TreeNode[], scope: Scope, absolute: boolean): boolean {
    const target = this.findNode(roots, aug, scope.module, absolute);
    if (target === null) return true;
    if (!target) return false;
    if (!AUGMENTABLE.includes(target.kind)) {
      this.ctx.errors.push(
        makeError('bad-augment', aug.loc, `cannot augment ${target.kind} "${target.name}"`),
      );
      return true;
    }
    const inner = scopeOf(aug, scope, scope.module, this.ctx.errors);
    this.buildChildren(aug.children, inner, target.children, target.kind === 'choice');
    return true;
  }

  /** Applies the module's own top-level augments, in rounds, so one may target another's nodes. */
  private applyTopLevelAugments(nodes: TreeNode[]): void {
    const root = this.ctx.root;
    let pending = root.stmt.children.filter((c) => c.keyword === 'augment' && c.prefix === undefined);
    while (pending.length > 0) {
      const left = pending.filter((aug) => !this.applyAugment(aug, nodes, root.top, true));
      if (left.length === pending.length) break;
      pending = left;
    }
    for (const aug of pending) {
      this.ctx.errors.push(makeError('bad-augment', aug.loc, `augment target "${aug.arg}" not found`));
    }
  }

  /**
   * Follows a schema node id (`a/b`, or `/p:a/p:b` when `absolute`) through `roots`. Returns undefined
   * when no node matches, and null when a problem was already reported.
   */
  private findNode(
    roots: TreeNode[],
    stmt: Statement,
    module: ParsedModule,
    absolute: boolean,
  ): TreeNode | null | undefined {
    const text = stmt.arg ?? '';
    if (text.startsWith('/') !== absolute) {
      const want = absolute ? 'an absolute path starting with "/"' : 'a relative path';
      const code = stmt.keyword === 'refine' ? 'bad-refine' : 'bad-augment';
      this.ctx.errors.push(
        makeError(code, stmt.loc, `invalid ${stmt.keyword} path "${text}": expected ${want}`),
      );
      return null;
    }
    let level = roots;
    let node: TreeNode | undefined;
    for (const seg of (absolute ? text.slice(1) : text).split('/')) {
      const { prefix, name } = splitRef(seg.trim());
      const owner = moduleForPrefix(module, prefix, stmt.loc, this.ctx.errors);
      if (!owner) return null;
      if (absolute && owner !== this.ctx.root) {
        this.ctx.errors.push(
          makeError(
            'unsupported',
            stmt.loc,
            `augment of module "${owner.name}" is not supported: only the module's own nodes`,
          ),
        );
        return null;
      }
      node = level.find((n) => n.name === name);
      if (!node) return undefined;
      level = node.children;
    }
    return node;
  }
}

/** Reads the refinable properties from a node's (or a refine's) own substatements. */
function readProps(stmt: Statement): TreeProps {
  const props: TreeProps = { defaults: [] };
  for (const c of stmt.children) {
    if (c.prefix !== undefined || c.arg === undefined) continue;
    switch (c.keyword) {
      case 'description':
        props.description = c.arg;
        break;
      case 'config':
        props.config = { value: c.arg === 'true', loc: c.loc };
        break;
      case 'mandatory':
        props.mandatory = c.arg === 'true';
        break;
      case 'presence':
        props.presence = c.arg;
        break;
      case 'min-elements':
        props.minElements = Number(c.arg);
        break;
      case 'max-elements':
        if (c.arg !== 'unbounded') props.maxElements = Number(c.arg);
        break;
      case 'default':
        props.defaults.push(c.arg);
        props.defaultLoc ??= c.loc;
        break;
    }
  }
  return props;
}

/** Copies `obj` without its undefined-valued keys. */
export function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
