// JSON text for generated .json files: two-space indentation like JSON.stringify(v, null, 2),
// except that arrays of scalars stay on one line, which keeps route and schema files readable.

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/**
 * Returns `value` (plain JSON: objects, arrays, strings, finite numbers, booleans, null) as text:
 * members in insertion order, objects and arrays of objects one item per line, arrays of scalars
 * and empty containers inline. No trailing newline.
 */
export function formatJson(value: unknown, indent = ''): string {
  if (isScalar(value)) return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
}
