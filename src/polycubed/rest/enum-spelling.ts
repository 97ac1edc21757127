// Enumeration values are accepted in any case (REST spec §2.6, §5.2); after validation the REST
// layer rewrites them to their YANG spelling (`debug` → `DEBUG`, `tcp` → `TCP`) so polycubed and
// services compare plain strings. Only request bodies and path keys; answers are never re-cased.

import type { IrType } from 'yang-ts-codegen';
import { bodyMembers, type IrDataNode, type SchemaTarget } from 'yang-ts-codegen';

/** The YANG spelling of `value` for an enumeration (or a union holding one), else `value` unchanged. */
export function enumSpelling(type: IrType, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (type.kind === 'enumeration') {
    const lower = value.toLowerCase();
    return type.enums.find((e) => e.name.toLowerCase() === lower)?.name ?? value;
  }
  if (type.kind === 'union') {
    // Only when no string-typed member could take the value as written.
    if (type.types.some((t) => t.kind !== 'enumeration' && t.kind !== 'union' && t.kind !== 'int'))
      return value;
    for (const t of type.types) {
      const spelled = enumSpelling(t, value);
      if (spelled !== value) return spelled;
    }
  }
  return value;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function respellMembers(members: readonly IrDataNode[], obj: Json): void {
  for (const node of members) {
    if (!Object.prototype.hasOwnProperty.call(obj, node.name)) continue;
    obj[node.name] = respellNode(node, obj[node.name]);
  }
}

function respellNode(node: IrDataNode, value: unknown): unknown {
  switch (node.kind) {
    case 'leaf':
      return enumSpelling(node.type, value);
    case 'leaf-list':
      return Array.isArray(value) ? value.map((v) => enumSpelling(node.type, v)) : value;
    case 'container':
      if (isObject(value)) respellMembers(bodyMembers(node), value);
      return value;
    case 'list':
      if (Array.isArray(value)) for (const e of value) if (isObject(e)) respellMembers(bodyMembers(node), e);
      return value;
  }
}

/**
 * Rewrites, in place, every enumeration value of a validated body for `target` to its YANG
 * spelling and returns the body. Members the schema does not know are left alone (validation has
 * already refused them).
 */
export function respellEnums(target: SchemaTarget, body: unknown): unknown {
  switch (target.kind) {
    case 'cube':
    case 'container':
    case 'element':
    case 'action':
      if (isObject(body)) respellMembers(bodyMembers(target.node), body);
      return body;
    case 'list':
      return respellNode(target.node, body);
    case 'leaf':
      return respellNode(target.node, body);
  }
}
