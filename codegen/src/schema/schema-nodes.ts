// Small read-only views of the schema IR shared by schema/, routes/ and emit-ts/: body members of
// a node, polycubed's cube-name pseudo-key, and the REST targets (cube, container, list, leaf).
// Pure functions of IR objects; nothing here knows JSON Schema, ajv or HTTP.

import type {
  IrAction,
  IrContainer,
  IrLeaf,
  IrLeafList,
  IrList,
  IrModule,
  IrNode,
  IrParent,
} from '../ir/types';

/** A node that may appear as a member of a JSON body (everything but actions). */
export type IrDataNode = IrLeaf | IrLeafList | IrContainer | IrList;

/**
 * What a request body is validated against: the cube object, a container object, one list
 * element object, a whole list (JSON array of elements), a leaf value (leaf or leaf-list), or
 * an action's input object.
 */
export type SchemaTarget =
  | { kind: 'cube'; node: IrModule }
  | { kind: 'container'; node: IrContainer }
  | { kind: 'element'; node: IrList }
  | { kind: 'list'; node: IrList }
  | { kind: 'leaf'; node: IrLeaf | IrLeafList }
  | { kind: 'action'; node: IrAction };

/** Create (POST, PUT: defaults, mandatory, init-only allowed) or update (PATCH). */
export type BodyOp = 'create' | 'update';

/** Returns the children of `parent` that can be JSON body members, in schema order. */
export function bodyMembers(parent: IrParent | IrAction): IrDataNode[] {
  const children = parent.kind === 'action' ? parent.input : parent.children;
  return children.filter((c): c is IrDataNode => c.kind !== 'action');
}

/** Returns the actions declared directly under `parent`, in schema order. */
export function actionsOf(parent: IrParent): IrAction[] {
  return parent.children.filter((c): c is IrAction => c.kind === 'action');
}

/** The service name used in URLs and help: `polycube-base:service-name`, else the module name. */
export function serviceNameOf(module: IrModule): string {
  return module.service.name ?? module.name;
}

const cubeKeys = new WeakMap<IrModule, IrLeaf>();

/**
 * Returns polycubed's cube-name pseudo-key (`Service::getServiceKeys`) as a synthetic key leaf:
 * `name`, a mandatory string, described "Name of the <svc> service" with example "<svc>1". The
 * IR has no such leaf; the same object is returned for the same module (callers must not change
 * it), located at the module statement.
 */
export function cubeKeyLeaf(module: IrModule): IrLeaf {
  const cached = cubeKeys.get(module);
  if (cached) return cached;
  const svc = serviceNameOf(module);
  const leaf: IrLeaf = {
    kind: 'leaf',
    name: 'name',
    module: module.name,
    path: `/${module.name}/name`,
    description: `Name of the ${svc} service`,
    config: true,
    initOnly: false,
    cliExample: `${svc}1`,
    extensions: [],
    loc: module.loc,
    type: { kind: 'string', patterns: [], length: [] },
    mandatory: true,
    isKey: true,
  };
  cubeKeys.set(module, leaf);
  return leaf;
}

/**
 * True when a body member must be present on create: a mandatory config leaf, a list key, or a
 * non-presence config container with such a descendant (lists never are).
 */
export function isMandatoryMember(node: IrDataNode, parent: IrParent | IrAction): boolean {
  if (!node.config) return false;
  if (node.kind === 'leaf') return node.mandatory || (parent.kind === 'list' && node.isKey);
  if (node.kind === 'container') {
    return node.presence === undefined && bodyMembers(node).some((c) => isMandatoryMember(c, node));
  }
  return false;
}

/** True for a config leaf or leaf-list that is not a list key: what help calls configurable. */
export function isConfigurableLeaf(node: IrNode): node is IrLeaf | IrLeafList {
  if (node.kind === 'leaf') return node.config && !node.isKey;
  return node.kind === 'leaf-list' && node.config;
}
