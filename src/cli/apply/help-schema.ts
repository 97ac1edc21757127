// What `polycubectl apply` knows about a service, learned only from the server's help answers
// (REST spec §3.5), never from a built-in model: for a cube, list element or container, its
// child lists and containers (help=SHOW), the leaves that can be changed (help=SET) and those
// that can only be given at creation (help=ADD minus help=SET); for a list, its keys in order
// (help=NONE, params of type "key"); for a leaf, whether it is an enumeration (its completion
// answer lists values), which decides whether "TCP" and "tcp" are the same value. Answers are
// cached per schema node, so a file with many backends asks about the backend list once.

import { pathEscape } from '../request-builder';
import type { RestClient } from './rest-client';
import { isJsonObject } from './desired-cubes';

/** A cube, a list element or a container, by where it is. */
export interface NodeRef {
  /** Path relative to the base URL, ending with "/" (`lbrp/lb0/service/10.0.0.1/80/TCP/`). */
  rel: string;
  /** Same for every instance of the schema node (`lbrp/service`); the cache key. */
  schemaKey: string;
  kind: 'cube' | 'element' | 'container';
}

/** The members of a node as the server describes them. */
export interface NodeShape {
  /** Child lists and containers, in the server's order. */
  children: { name: string; kind: 'list' | 'container' }[];
  /** Leaves a PATCH may change. */
  settable: Set<string>;
  /** Leaves given only when the node is created (Polycube's init-only members). */
  initOnly: Set<string>;
  /** State leaves (config false): shown, never written. */
  readOnly: Set<string>;
}

/** Where the planner learns the schema; {@link HelpSchema} asks the server. */
export interface SchemaSource {
  shape(node: NodeRef): Promise<NodeShape>;
  /** Key names of the list at `listRel` (relative path ending with "/"), in path order. */
  keys(listRel: string, schemaKey: string): Promise<string[]>;
  /** True when the leaf at `leafRel` takes enumeration values (compared case-insensitively). */
  isEnum(leafRel: string, schemaKey: string): Promise<boolean>;
}

function paramsOf(
  answer: unknown,
  member: 'params' | 'optional-params',
): [string, Record<string, unknown>][] {
  if (!isJsonObject(answer)) return [];
  const p = answer[member];
  if (!isJsonObject(p)) return [];
  return Object.entries(p).map(([k, v]) => [k, isJsonObject(v) ? v : {}]);
}

const helpRel = (rel: string, type: string, completion = false): string =>
  `${rel.replace(/\/$/, '')}?help=${type}${completion ? '&completion' : ''}`;

/** {@link SchemaSource} over a running polycubed. Non-2xx answers reject with RestRefusal. */
export class HelpSchema implements SchemaSource {
  private readonly shapes = new Map<string, Promise<NodeShape>>();
  private readonly listKeys = new Map<string, Promise<string[]>>();
  private readonly enums = new Map<string, Promise<boolean>>();

  constructor(private readonly client: RestClient) {}

  shape(node: NodeRef): Promise<NodeShape> {
    let s = this.shapes.get(node.schemaKey);
    if (!s) {
      s = this.askShape(node);
      this.shapes.set(node.schemaKey, s);
    }
    return s;
  }

  keys(listRel: string, schemaKey: string): Promise<string[]> {
    let k = this.listKeys.get(schemaKey);
    if (!k) {
      k = this.client.json('OPTIONS', helpRel(listRel, 'NONE')).then((a) =>
        paramsOf(a, 'params')
          .filter(([, e]) => e.type === 'key')
          .map(([name]) => name),
      );
      this.listKeys.set(schemaKey, k);
    }
    return k;
  }

  isEnum(leafRel: string, schemaKey: string): Promise<boolean> {
    let e = this.enums.get(schemaKey);
    if (!e) {
      e = this.client.send('OPTIONS', helpRel(leafRel, 'NONE', true)).then((a) => {
        if (a.status < 200 || a.status > 299) return false;
        try {
          const v = JSON.parse(a.text) as unknown;
          return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
        } catch {
          return false;
        }
      });
      this.enums.set(schemaKey, e);
    }
    return e;
  }

  /** Names of the running cubes of `service` (the service collection's help elements). */
  async cubeNames(service: string): Promise<string[]> {
    const answer = await this.client.json('OPTIONS', helpRel(`${pathEscape(service)}/`, 'NONE'));
    const elements = isJsonObject(answer) && Array.isArray(answer.elements) ? answer.elements : [];
    return elements.flatMap((e) => (isJsonObject(e) && typeof e.name === 'string' ? [e.name] : []));
  }

  private async askShape(node: NodeRef): Promise<NodeShape> {
    const [show, set, add] = await Promise.all([
      this.client.json('OPTIONS', helpRel(node.rel, 'SHOW')),
      this.client.json('OPTIONS', helpRel(node.rel, 'SET')),
      // Containers are created with their parent: help=ADD says nothing about them.
      node.kind === 'container'
        ? Promise.resolve(undefined)
        : this.client.json('OPTIONS', helpRel(node.rel, 'ADD')),
    ]);
    const children: NodeShape['children'] = [];
    const leaves: string[] = [];
    for (const [name, entry] of paramsOf(show, 'params')) {
      if (entry.type === 'list') children.push({ name, kind: 'list' });
      else if (entry.type === 'complex') children.push({ name, kind: 'container' });
      else if (entry.type !== 'key') leaves.push(name);
    }
    const settable = new Set(paramsOf(set, 'params').map(([n]) => n));
    const creatable = new Set(paramsOf(add, 'optional-params').map(([n]) => n));
    const initOnly = new Set([...creatable].filter((n) => !settable.has(n)));
    const readOnly = new Set(leaves.filter((n) => !settable.has(n) && !creatable.has(n)));
    return { children, settable, initOnly, readOnly };
  }
}
