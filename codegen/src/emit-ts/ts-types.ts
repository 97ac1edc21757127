// YANG types as TypeScript: the field type of a leaf, the runtime call that reads its JSON value
// in fromJson, and the expression that writes it back in toJson. Used by emit-class.ts.

import type { IrType } from '../ir/types';

/** Runtime helpers (emitted in runtime.ts) a file uses; each file imports exactly these. */
export type RuntimeHelper =
  | 'asArray'
  | 'asBoolean'
  | 'asDecimal'
  | 'asEmpty'
  | 'asEnum'
  | 'asInteger'
  | 'asObject'
  | 'asScalar'
  | 'asString'
  | 'keyString'
  | 'memberOrder'
  | 'orderMembers'
  | 'requireKey';

/** Writes a string as a single-quoted TypeScript literal. */
export function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** The literal union of enum names, e.g. `'TC' | 'XDP_SKB'`. */
export function enumUnion(type: Extract<IrType, { kind: 'enumeration' }>): string {
  return type.enums.map((e) => tsString(e.name)).join(' | ') || 'never';
}

/**
 * Returns the TypeScript type of a value of `type`: numbers for integers and decimal64, `true`
 * for `empty` (present), the named literal union `enumType` for an enumeration (or the inline
 * union inside unions), strings for everything else; a union maps each member (`[null]` for an
 * `empty` member, since union values are kept as their JSON form).
 */
export function tsTypeOf(type: IrType, enumType?: string): string {
  switch (type.kind) {
    case 'int':
    case 'decimal64':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'empty':
      return 'true';
    case 'enumeration':
      return enumType ?? enumUnion(type);
    case 'union': {
      const members = type.types.map((t) => (t.kind === 'empty' ? '[null]' : tsTypeOf(t)));
      return [...new Set(members)].join(' | ');
    }
    default:
      return 'string';
  }
}

/**
 * Returns the expression reading JSON value `v` of `type` at schema path expression `path`,
 * recording the runtime helpers it calls in `use`. Enumerations read through `valuesName`
 * (case-insensitive, canonical spelling kept); unions keep the JSON value as it is.
 */
export function readExpr(
  type: IrType,
  v: string,
  path: string,
  use: Set<RuntimeHelper>,
  enumNames?: { typeName: string; valuesName: string },
): string {
  switch (type.kind) {
    case 'int': {
      use.add('asInteger');
      const wide = type.base === 'int64' || type.base === 'uint64';
      return wide ? `asInteger(${v}, ${path}, true)` : `asInteger(${v}, ${path})`;
    }
    case 'decimal64':
      use.add('asDecimal');
      return `asDecimal(${v}, ${path})`;
    case 'boolean':
      use.add('asBoolean');
      return `asBoolean(${v}, ${path})`;
    case 'empty':
      use.add('asEmpty');
      return `asEmpty(${v}, ${path})`;
    case 'enumeration':
      use.add('asEnum');
      if (enumNames) return `asEnum(${v}, ${enumNames.valuesName}, ${path})`;
      return `asEnum(${v}, [${type.enums.map((e) => tsString(e.name)).join(', ')}] as const, ${path})`;
    case 'union':
      use.add('asScalar');
      return `asScalar(${v}, ${path}) as ${tsTypeOf(type)}`;
    default:
      use.add('asString');
      return `asString(${v}, ${path})`;
  }
}

/** Returns the expression writing TypeScript value `v` of `type` as JSON (`[null]` for empty). */
export function writeExpr(type: IrType, v: string): string {
  return type.kind === 'empty' ? '[null]' : v;
}
