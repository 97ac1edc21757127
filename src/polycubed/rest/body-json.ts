// Request-body decoding: UTF-8 JSON text → value, with an empty body standing for "absent" and a
// nesting limit checked before anything recursive sees the value (deep `[[[[…]]]]` cannot blow the
// stack of later stages). Step 2 of the body pipeline (REST spec §6.3).

/** Outcome: the value (undefined for an empty body), or why the text was refused. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Parses a request body. Whitespace-only bodies give `undefined`; otherwise the text must be one
 * JSON value nesting at most `maxDepth` arrays/objects. Never throws.
 */
export function parseJsonBody(text: string, maxDepth: number): JsonBody {
  if (text.trim() === '') return { ok: true, value: undefined };
  if (nestingDepth(text) > maxDepth) return { ok: false, reason: `nesting deeper than ${maxDepth}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** Largest `[`/`{` nesting of JSON text, ignoring brackets inside strings; linear, no recursion. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}
