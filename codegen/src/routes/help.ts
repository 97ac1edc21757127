// polycubectl help answers (REST spec §3.3, §3.5): entry objects per schema node and the answer
// of each route for help=NONE/SHOW/ADD/SET/DEL. Schema-derived parts only; existing list entries
// (`elements`) come from live data through buildElements / buildCubeElements.

import type { IrAction, IrList, IrModule, IrNode, IrParent } from '../ir/types';
import { keyLeaves } from '../ir/helpers';
import { bodyMembers, cubeKeyLeaf, isConfigurableLeaf, serviceNameOf } from '../schema/schema-nodes';
import { simpleTypeOf } from '../schema/yang-values';
import type { RouteRow } from './route-table';

/** The `?help=` values polycubectl sends. */
export type HelpType = 'NONE' | 'SHOW' | 'ADD' | 'SET' | 'DEL';

/** All help types, in the order of REST spec §3.1. */
export const HELP_TYPES: readonly HelpType[] = ['NONE', 'ADD', 'SET', 'SHOW', 'DEL'];

/** One help entry; member order is the order polycubed emits (see helpEntry). */
export interface HelpEntry {
  name: string;
  description?: string;
  example?: string;
  type?: 'key' | 'leaf' | 'list' | 'complex' | 'action';
  simpletype?: string;
}

/** One existing list entry: original key names → key values as strings. */
export type HelpElement = Record<string, string>;

/** A help answer; member order is commands, params, optional-params, elements, actions. */
export interface HelpAnswer {
  commands?: string[];
  params?: Record<string, HelpEntry>;
  'optional-params'?: Record<string, HelpEntry>;
  elements?: HelpElement[];
  actions?: string[];
}

/** A help answer, or a refusal (polycubed answers 400 with an empty body). */
export type HelpResult = { ok: true; answer: HelpAnswer } | { ok: false; reason: string };

/**
 * Returns the help entry of `node` as polycubed writes it (`ToHelpJson`): members
 * `name, description, example, type[, simpletype]`; description and example are "" when the
 * YANG has none; leaves and leaf-lists get `type` "leaf" (or "key" for list keys and when
 * `asKey`) and a simpletype, lists "list", containers "complex", actions "action".
 */
export function helpEntry(node: IrNode, asKey = false): HelpEntry {
  const entry: HelpEntry = {
    name: node.name,
    description: node.description ?? '',
    example: node.cliExample ?? '',
  };
  switch (node.kind) {
    case 'leaf':
    case 'leaf-list':
      entry.type = asKey || (node.kind === 'leaf' && node.isKey) ? 'key' : 'leaf';
      entry.simpletype = simpleTypeOf(node.type);
      break;
    case 'list':
      entry.type = 'list';
      break;
    case 'container':
      entry.type = 'complex';
      break;
    case 'action':
      entry.type = 'action';
      break;
  }
  return entry;
}

/**
 * Returns the cube-name pseudo-key entry (`Service::getServiceKeys`), in polycubed's member order
 * `name, type, simpletype, description, example`.
 */
export function cubeKeyHelpEntry(module: IrModule): HelpEntry {
  const leaf = cubeKeyLeaf(module);
  return {
    name: 'name',
    type: 'key',
    simpletype: 'string',
    description: leaf.description,
    example: leaf.cliExample,
  };
}

function entries(nodes: IrNode[], asKey = false): Record<string, HelpEntry> {
  const out: Record<string, HelpEntry> = {};
  for (const n of nodes) out[n.name] = helpEntry(n, asKey);
  return out;
}

/** Returns `elements` for a list: each entry's key values, in key order, as strings. */
export function buildElements(list: IrList, entries: readonly Record<string, unknown>[]): HelpElement[] {
  return entries.map((e) => {
    const el: HelpElement = {};
    for (const k of list.keys) el[k] = e[k] === undefined || e[k] === null ? '' : String(e[k]);
    return el;
  });
}

/** Returns `elements` of a service collection: `[{"name": "<cube>"}, …]` in the given order. */
export function buildCubeElements(cubeNames: readonly string[]): HelpElement[] {
  return cubeNames.map((name) => ({ name }));
}

const refuse = (route: RouteRow, type: HelpType): HelpResult => ({
  ok: false,
  reason: `help=${type} is not supported on ${route.path}`,
});

/** Non-key children that have an endpoint or show up in GET, as polycubed lists them. */
function nonKeyChildren(parent: IrParent): IrNode[] {
  return parent.children.filter((c) => !(c.kind === 'leaf' && c.isKey) && c.kind !== 'action');
}

function parentHelp(route: RouteRow, parent: IrParent, type: HelpType, canAdd: boolean): HelpResult {
  switch (type) {
    case 'NONE': {
      const answer: HelpAnswer = {
        commands: parent.kind === 'module' || parent.config ? ['set', 'show'] : ['show'],
        params: entries(parent.children.filter((c) => c.kind === 'list' || c.kind === 'container')),
      };
      const actions = parent.children.filter((c): c is IrAction => c.kind === 'action');
      if (actions.length > 0) answer.actions = actions.map((a) => a.name);
      return { ok: true, answer };
    }
    case 'SHOW':
      return { ok: true, answer: { params: entries(nonKeyChildren(parent)) } };
    case 'SET':
      return {
        ok: true,
        answer: { params: entries(parent.children.filter((c) => isConfigurableLeaf(c) && !c.initOnly)) },
      };
    case 'ADD':
      if (!canAdd) return { ok: true, answer: {} };
      return {
        ok: true,
        answer: { params: {}, 'optional-params': entries(parent.children.filter(isConfigurableLeaf)) },
      };
    case 'DEL':
      return refuse(route, type);
  }
}

function collectionHelp(
  keys: Record<string, HelpEntry>,
  optional: () => Record<string, HelpEntry>,
  type: HelpType,
  elements: HelpElement[],
  route: RouteRow,
): HelpResult {
  switch (type) {
    case 'NONE':
      return { ok: true, answer: { commands: ['add', 'del', 'show'], params: keys, elements } };
    case 'SHOW':
    case 'DEL':
      return { ok: true, answer: { params: keys, elements } };
    case 'ADD':
      return { ok: true, answer: { params: keys, 'optional-params': optional() } };
    case 'SET':
      return refuse(route, type);
  }
}

/**
 * Returns the help answer of `route` for `type` (REST spec §3.5), with `elements` (existing
 * entries, see buildElements) where the answer carries them; `[]` when omitted. Refuses what
 * polycubed answers with 400: SET on collections, DEL on objects, any help on a leaf (leaves
 * answer only completion requests) and anything but NONE on an action.
 */
export function buildHelp(route: RouteRow, type: HelpType, elements: HelpElement[] = []): HelpResult {
  switch (route.kind) {
    case 'service': {
      const module = route.node;
      const keys = { name: cubeKeyHelpEntry(module) };
      return collectionHelp(
        keys,
        () => entries(module.children.filter(isConfigurableLeaf)),
        type,
        elements,
        route,
      );
    }
    case 'cube':
      return parentHelp(route, route.node, type, true);
    case 'element':
      return parentHelp(route, route.node, type, true);
    case 'container':
      return parentHelp(route, route.node, type, false);
    case 'list':
    case 'key-prefix': {
      const list = route.node;
      const keys = entries(keyLeaves(list), true);
      const optional = (): Record<string, HelpEntry> => entries(list.children.filter(isConfigurableLeaf));
      return collectionHelp(keys, optional, type, elements, route);
    }
    case 'leaf':
      return { ok: false, reason: `help on leaf ${route.path} is answered only with completion` };
    case 'action':
      if (type !== 'NONE') return refuse(route, type);
      return { ok: true, answer: { params: entries(bodyMembers(route.node), true) } };
  }
}

/**
 * Returns the service's entry in the root help (`OPTIONS /polycube/v1/?help=NONE`, §3.6):
 * `name, simpletype "service", type "leaf", description, version` from the service extensions,
 * and the repository ids polycubed reports as "Unknown" for services that give none.
 */
export function serviceHelpEntry(module: IrModule): Record<string, string> {
  return {
    name: serviceNameOf(module),
    simpletype: 'service',
    type: 'leaf',
    description: module.service.description ?? '',
    version: module.service.version ?? '',
    pyang_repo_id: 'Unknown',
    swagger_codegen_repo_id: 'Unknown',
  };
}
