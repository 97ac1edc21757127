// Lexical YANG values → typed JSON values, and the built-in bounds of integer types. Used for
// defaults (filled on create), path-key conversion (uint16 "80" → 80) and help simple types.
// Pure functions of IrType; they never validate restrictions (schema/json-schema.ts does).

import type { IrType } from '../ir/types';

/** polycubed's help "simpletype" of a leaf type (`Types/Scalar.cpp`). */
export type SimpleType = 'integer' | 'unsigned' | 'decimal' | 'boolean' | 'empty' | 'string';

/** Returns the help simple type: int* integer, uint* unsigned, decimal64 decimal, else as named. */
export function simpleTypeOf(type: IrType): SimpleType {
  switch (type.kind) {
    case 'int':
      return type.base.startsWith('u') ? 'unsigned' : 'integer';
    case 'decimal64':
      return 'decimal';
    case 'boolean':
      return 'boolean';
    case 'empty':
      return 'empty';
    default:
      return 'string';
  }
}

/** True for the integer types whose JSON form may also be a string (RFC 7951 §6.1). */
export function isWideNumber(type: IrType): boolean {
  return (
    (type.kind === 'int' && (type.base === 'int64' || type.base === 'uint64')) || type.kind === 'decimal64'
  );
}

const INTEGER_TEXT = /^[-+]?[0-9]+$/;
const DECIMAL_TEXT = /^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;

/**
 * Converts the lexical form `text` (a YANG default or a URL key segment) into the JSON value the
 * REST API carries: integers and decimals as numbers (64-bit ones outside the safe range stay
 * strings), booleans, everything else as the string itself. Returns undefined when `text` is not
 * a lexical value of the type's JSON kind (e.g. "abc" for uint16, or any text for `empty`).
 * Range, pattern and enum restrictions are not checked here.
 */
export function parseLexical(type: IrType, text: string): string | number | boolean | undefined {
  switch (type.kind) {
    case 'int': {
      if (!INTEGER_TEXT.test(text)) return undefined;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : isWideNumber(type) ? text : undefined;
    }
    case 'decimal64':
      return DECIMAL_TEXT.test(text) ? Number(text) : undefined;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'empty':
      return undefined;
    case 'union':
      for (const member of type.types) {
        const v = parseLexical(member, text);
        if (v !== undefined) return v;
      }
      return undefined;
    default:
      return text;
  }
}
