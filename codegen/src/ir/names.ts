// The one place where YANG names become TypeScript identifiers (STYLE §2): members and variables in
// camelCase, types in PascalCase, enum members in UPPER_SNAKE. Wire names are never converted elsewhere.

/** Words that cannot name a variable or parameter in strict-mode TypeScript. */
const RESERVED = new Set(
  (
    'arguments await break case catch class const continue debugger default delete do else enum eval ' +
    'export extends false finally for function if implements import in instanceof interface let new null ' +
    'package private protected public return static super switch this throw true try typeof undefined var ' +
    'void while with yield'
  ).split(' '),
);

/** Global and built-in type names a generated type must not shadow. */
const RESERVED_TYPES = new Set(
  (
    'Array BigInt Boolean Date Error Function Map Number Object Omit Partial Pick Promise Readonly Record ' +
    'RegExp Required Set String Symbol'
  ).split(' '),
);

/** Splits a YANG identifier at `-`, `_` and `.`; a leading underscore is kept as a marker. */
function words(yangName: string): { lead: string; parts: string[] } {
  const lead = yangName.startsWith('_') ? '_' : '';
  return { lead, parts: yangName.split(/[-_.]+/).filter((p) => p !== '') };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The first word in lower case: all of it when it is all capitals (`ID` → `id`), else its first letter. */
function lowerFirst(word: string): string {
  return word === word.toUpperCase() ? word.toLowerCase() : word.charAt(0).toLowerCase() + word.slice(1);
}

/**
 * Property or method name for a YANG node: `backend-pool` → `backendPool`, `port_mode` → `portMode`,
 * `new_ip_range` → `newIpRange`. Reserved words stay as they are: they are legal property names.
 */
export function toMemberName(yangName: string): string {
  const { lead, parts } = words(yangName);
  if (parts.length === 0) return lead || '_';
  return lead + lowerFirst(parts[0]) + parts.slice(1).map(capitalize).join('');
}

/** Variable or parameter name: like `toMemberName`, with `_` appended to reserved words (`default` → `default_`). */
export function toVariableName(yangName: string): string {
  const name = toMemberName(yangName);
  return RESERVED.has(name) ? `${name}_` : name;
}

/** Type, interface or class name: `backend-pool` → `BackendPool`; built-in names get `_` (`error` → `Error_`). */
export function toTypeName(yangName: string): string {
  const { lead, parts } = words(yangName);
  const name = lead + parts.map(capitalize).join('');
  if (name === '' || name === '_') return '_';
  return RESERVED_TYPES.has(name) ? `${name}_` : name;
}

/**
 * Enum member or constant name: `XDP_SKB` → `XDP_SKB`, `backend-pool` → `BACKEND_POOL`, `camelCase` →
 * `CAMEL_CASE`. Enum names in YANG may be any text, so other characters become `_` and a leading digit
 * gets a `_` in front (`10G` → `_10G`).
 */
export function toConstName(yangName: string): string {
  const name = yangName
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([0-9])([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
  if (name === '' || name === '_') return '_';
  return /^[0-9]/.test(name) ? `_${name}` : name;
}
