// Bash-completion answers (`OPTIONS …?help=<TYPE>&completion`, REST spec §3.2, §3.5): arrays of
// words derived from the schema plus the live list entries the caller passes in.
// Root and framework endpoints (connect, cubes, …) are polycubed's own and not handled here.

import type { IrNode, IrParent } from '../ir/types';
import { keyLeaves } from '../ir/helpers';
import { isConfigurableLeaf } from '../schema/schema-nodes';
import type { HelpElement, HelpType } from './help';
import type { RouteRow } from './route-table';

/** Live data a completion may need. */
export interface CompletionData {
  /** Existing entries of the addressed collection (see buildElements / buildCubeElements). */
  elements?: readonly HelpElement[];
  /** For key-prefix routes: the key values already in the path, in key order. */
  pathKeys?: readonly string[];
}

const names = (nodes: IrNode[]): string[] => nodes.map((n) => n.name);

function parentCompletion(parent: IrParent, type: HelpType, canAdd: boolean): string[] {
  switch (type) {
    case 'NONE':
      return [
        ...names(parent.children.filter((c) => c.kind === 'list' || c.kind === 'container')),
        'set',
        'show',
      ];
    case 'SHOW':
      return names(parent.children.filter((c) => !(c.kind === 'leaf' && c.isKey) && c.kind !== 'action'));
    case 'SET':
      return parent.children.filter((c) => isConfigurableLeaf(c) && !c.initOnly).map((c) => `${c.name}=`);
    case 'ADD':
      return canAdd ? parent.children.filter(isConfigurableLeaf).map((c) => `${c.name}=`) : [];
    case 'DEL':
      return [];
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * Returns the completion words of `route` for `type`:
 * service collection → cube names (+ add/del/show for NONE, `<name>` for ADD);
 * cube/container/element → child list and container names + set/show (NONE), non-key children
 * (SHOW), `leaf=` for settable leaves (SET) or for every config leaf incl. init-only (ADD, cube
 * and elements only); list or key prefix → `<next-key>` for ADD, else the distinct values of the
 * next key among entries matching `pathKeys`, plus add/del (config lists)/show on a bare list for
 * NONE; leaf → its enum names lower-cased (`[]` for other types); action → `[]`.
 */
export function buildCompletion(route: RouteRow, type: HelpType, data: CompletionData = {}): string[] {
  const elements = data.elements ?? [];
  switch (route.kind) {
    case 'service': {
      const cubes = elements.map((e) => e.name);
      if (type === 'NONE') return [...cubes, 'add', 'del', 'show'];
      return type === 'ADD' ? [...cubes, '<name>'] : cubes;
    }
    case 'cube':
    case 'element':
      return parentCompletion(route.node, type, true);
    case 'container':
      return parentCompletion(route.node, type, false);
    case 'list':
    case 'key-prefix': {
      const keys = keyLeaves(route.node).map((k) => k.name);
      const given = route.kind === 'key-prefix' ? route.keyCount : 0;
      const next = keys[given];
      if (type === 'ADD') return [`<${next}>`];
      const prefix = data.pathKeys ?? [];
      const matching = elements.filter((e) => keys.slice(0, given).every((k, i) => e[k] === prefix[i]));
      const words = unique(matching.map((e) => e[next]));
      if (type === 'NONE' && route.kind === 'list') {
        if (route.node.config) words.push('add', 'del');
        words.push('show');
      }
      return words;
    }
    case 'leaf': {
      const t = route.node.type;
      return t.kind === 'enumeration' ? t.enums.map((e) => e.name.toLowerCase()) : [];
    }
    case 'action':
      return [];
  }
}
