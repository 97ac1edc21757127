// `_links` records of GET answers (REST spec §4.3): `{"rel","href"}` with
// href = "//" + listen host:port + request path + "/" + child + "/". Objects get a `_links`
// member, collections a trailing `["_links", [...]]` element. Pure functions.

import type { IrList, IrNode, IrParent } from 'yang-ts-codegen';
import { encodeKeySegment } from './request-path';

/** One HATEOAS record. */
export interface LinkRecord {
  rel: string;
  href: string;
}

/** `//authority` + `path` with exactly one trailing `/`. */
export function selfHref(authority: string, path: string): string {
  return `//${authority}${path.endsWith('/') ? path : path + '/'}`;
}

/** Records `self` + one per `children` name (`href` = self + name + "/"). */
export function childLinks(authority: string, path: string, children: readonly string[]): LinkRecord[] {
  const self = selfHref(authority, path);
  return [
    { rel: 'self', href: self },
    ...children.map((c) => ({ rel: c, href: `${self}${encodeKeySegment(c)}/` })),
  ];
}

/** Names of the children of `parent` that have an endpoint: all but list keys, in schema order. */
export function endpointChildren(parent: IrParent): string[] {
  return parent.children.filter((c: IrNode) => !(c.kind === 'leaf' && c.isKey)).map((c) => c.name);
}

/**
 * Records of a list collection: `self` + one per entry, `rel` = the entry's first key value and
 * `href` = self + every key value (escaped) + "/". Entries without their keys are skipped.
 */
export function listLinks(
  authority: string,
  path: string,
  list: IrList,
  entries: readonly unknown[],
): LinkRecord[] {
  const self = selfHref(authority, path);
  const out: LinkRecord[] = [{ rel: 'self', href: self }];
  for (const e of entries) {
    if (typeof e !== 'object' || e === null) continue;
    const values = list.keys.map((k) => (e as Record<string, unknown>)[k]);
    if (values.some((v) => v === undefined || v === null || typeof v === 'object')) continue;
    out.push({
      rel: String(values[0]),
      href: `${self}${values.map((v) => encodeKeySegment(String(v))).join('/')}/`,
    });
  }
  return out;
}

/** `value` with a `_links` member appended (objects only; other values returned as they are). */
export function withLinks(value: unknown, links: LinkRecord[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return { ...(value as Record<string, unknown>), _links: links };
}
