// Request-target handling of REST spec §1.2: split path and query, collapse runs of `/`, ignore
// one trailing `/`, split into raw (still percent-encoded) segments; decode list-key segments;
// parse and re-serialise query strings as Pistache does. Pure string functions.

/** A request target taken apart. */
export interface RequestTarget {
  /** The path as received, without the query. */
  rawPath: string;
  /** Normalised path: `//` collapsed, one trailing `/` dropped (but `/` stays `/`). */
  path: string;
  /** Segments of `path`, not percent-decoded. */
  segments: string[];
  /** Query parameters in order; a bare `completion` has the value "". */
  query: QueryParam[];
}

/** One query parameter. */
export interface QueryParam {
  name: string;
  value: string;
}

/** Collapses every run of `/` to one and drops one trailing `/` (Pistache `sanitizeResource`). */
export function normalisePath(rawPath: string): string {
  let path = rawPath.replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path === '' ? '/' : path;
}

/** Splits a request target (`/a//b/?help=NONE&completion`) into its parts. */
export function parseTarget(target: string): RequestTarget {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const path = normalisePath(rawPath);
  const segments = path === '/' ? [] : path.slice(1).split('/');
  return { rawPath, path, segments, query: q < 0 ? [] : parseQuery(target.slice(q + 1)) };
}

/** Parses `a=1&b&c=x%20y`; names and values are percent-decoded when they decode cleanly. */
export function parseQuery(text: string): QueryParam[] {
  const out: QueryParam[] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push({ name: decodeLoosely(name), value: decodeLoosely(value) });
  }
  return out;
}

/** The first value of query parameter `name`, or undefined when absent. */
export function queryValue(query: readonly QueryParam[], name: string): string | undefined {
  return query.find((p) => p.name === name)?.value;
}

/** Re-serialises a query as Pistache does: `?k=v&k2=v2` (a bare name gets `=`), "" when empty. */
export function serialiseQuery(query: readonly QueryParam[]): string {
  if (query.length === 0) return '';
  return '?' + query.map((p) => `${encodeQueryPart(p.name)}=${encodeQueryPart(p.value)}`).join('&');
}

function encodeQueryPart(s: string): string {
  return encodeURIComponent(s).replace(/%2C/g, ',');
}

/**
 * Percent-decodes one list-key path segment (`10.0.0.0%2F24` → `10.0.0.0/24`). Returns undefined
 * when the segment is not valid percent-encoded UTF-8 or decodes to a NUL (a key never holds one).
 */
export function decodeKeySegment(segment: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return decoded.includes('\0') ? undefined : decoded;
}

/**
 * The cube name a `:name` segment addresses: percent-decoded like a key (so `lbrp/caf%C3%A9/`, as
 * polycubectl escapes it, and a body `"name":"café"` address one cube), or
 * undefined when it does not decode (no cube has such a name). polycubed never decoded it; only
 * names holding `%` read differently.
 */
export function decodeCubeSegment(segment: string): string | undefined {
  return decodeKeySegment(segment);
}

/** Encodes a key value back into one path segment (Go `url.PathEscape` keeps `:` and `@`). */
export function encodeKeySegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%40/g, '@');
}

function decodeLoosely(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
