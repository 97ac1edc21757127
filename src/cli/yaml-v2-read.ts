// Reads YAML the way the real client's Go libraries do: scalars typed by yaml.v2's rules
// (yaml-v2-resolve), only the first document, then either converted to a JSON body as
// ghodss/yaml.YAMLToJSON does (stdin bodies) or kept as nodes with lines (config file).

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import { formatGoG, formatGoJsonFloat } from './go-strconv';
import { compareGoStrings, type JsonValue } from './go-json';
import { resolvePlain, type Resolved } from './yaml-v2-resolve';

/** A YAML node with its 1-based line, scalars already resolved. */
export type YamlNode =
  | { kind: 'map'; line: number; entries: Array<[YamlNode, YamlNode]> }
  | { kind: 'seq'; line: number; items: YamlNode[] }
  | { kind: 'scalar'; line: number; text: string; resolved: Resolved };

/** The first document of `text`, or yaml.v2-style error text ("yaml: line N: ..."). */
export type YamlReadResult = { ok: true; node: YamlNode | undefined } | { ok: false; error: string };

const TAG_PREFIX = 'tag:yaml.org,2002:';

function scalarResolved(text: string, type: string | undefined, tag: string | undefined): Resolved {
  if (tag !== undefined && tag.startsWith(TAG_PREFIX)) {
    const t = tag.slice(TAG_PREFIX.length);
    if (t === 'str' || t === 'binary') return { tag: 'str' };
    return resolvePlain(text);
  }
  return type === 'PLAIN' ? resolvePlain(text) : { tag: 'str' };
}

// Alias bound of yaml.v2 (the library the real client links): once more than 100 nodes came from
// alias expansion and more than 1,000 were decoded, aliases may make at most this share of the
// nodes: 99 % up to 400,000 nodes, falling linearly to 10 % at 4,000,000. A billion-laughs bomb
// crosses it after a few thousand nodes instead of expanding exponentially.
const ALIAS_RATIO_LOW = 400_000;
const ALIAS_RATIO_HIGH = 4_000_000;

function allowedAliasRatio(decoded: number): number {
  if (decoded <= ALIAS_RATIO_LOW) return 0.99;
  if (decoded >= ALIAS_RATIO_HIGH) return 0.1;
  return 0.99 - (0.89 * (decoded - ALIAS_RATIO_LOW)) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW);
}

/** The error text yaml.v2 answers an alias bomb with. */
export const EXCESSIVE_ALIASING = 'yaml: document contains excessive aliasing';

/**
 * Reads the first YAML document of `text` with yaml.v2's scalar typing. Aliases are expanded
 * under yaml.v2's bound: a document made mostly of alias expansions is refused with
 * EXCESSIVE_ALIASING before it can grow.
 */
export function readYaml(text: string): YamlReadResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { schema: 'failsafe', lineCounter: lines, merge: false });
  const doc = (Array.isArray(docs) ? docs[0] : undefined) as Document | undefined;
  if (doc === undefined) return { ok: true, node: undefined };
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0].line ?? 1;
    const msg = err.message.split(' at line ')[0];
    return { ok: false, error: `yaml: line ${line}: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}` };
  }
  const lineOf = (n: Node): number => (n.range ? lines.linePos(n.range[0]).line : 1);
  let decoded = 0;
  let aliased = 0;
  let aliasDepth = 0;
  const convert = (n: unknown, depth: number): YamlNode => {
    if (depth > 1000) throw new Error('yaml: exceeded max depth');
    decoded++;
    if (aliasDepth > 0) aliased++;
    if (aliased > 100 && decoded > 1000 && aliased / decoded > allowedAliasRatio(decoded))
      throw new Error(EXCESSIVE_ALIASING);
    if (isAlias(n)) {
      aliasDepth++;
      try {
        return convert(n.resolve(doc), depth + 1);
      } finally {
        aliasDepth--;
      }
    }
    if (isMap(n)) {
      return {
        kind: 'map',
        line: lineOf(n),
        entries: n.items.map((p): [YamlNode, YamlNode] => [
          convert(p.key, depth + 1),
          convert(p.value, depth + 1),
        ]),
      };
    }
    if (isSeq(n)) return { kind: 'seq', line: lineOf(n), items: n.items.map((i) => convert(i, depth + 1)) };
    if (isScalar(n)) {
      const t = String(n.value ?? '');
      return { kind: 'scalar', line: lineOf(n), text: t, resolved: scalarResolved(t, n.type, n.tag) };
    }
    return { kind: 'scalar', line: 1, text: '', resolved: { tag: 'null' } };
  };
  try {
    return { ok: true, node: doc.contents === null ? undefined : convert(doc.contents, 0) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** A JSON body converted from YAML, or Go's error text. */
export type YamlToJsonResult = { ok: true; value: JsonValue } | { ok: false; error: string };

/** ghodss/yaml's key conversion: strings as is, numbers and booleans formatted, others refused. */
function keyString(k: YamlNode): string {
  if (k.kind !== 'scalar') throw new Error(`Unsupported map key of type: ${k.kind}`);
  const r = k.resolved;
  switch (r.tag) {
    case 'int':
      if (r.value > 2n ** 63n - 1n) throw new Error(`Unsupported map key of type: uint64, key: ${r.value}`);
      return r.value.toString();
    case 'float':
      return Number.isNaN(r.value)
        ? '.nan'
        : r.value === Infinity
          ? '.inf'
          : r.value === -Infinity
            ? '-.inf'
            : formatGoG(r.value);
    case 'bool':
      return String(r.value);
    case 'null':
      throw new Error('Unsupported map key of type: <nil>');
    default:
      return k.text;
  }
}

function toJson(n: YamlNode): JsonValue {
  if (n.kind === 'seq') return { kind: 'array', items: n.items.map(toJson) };
  if (n.kind === 'map') {
    const byKey = new Map<string, JsonValue>();
    for (const [k, v] of n.entries) byKey.set(keyString(k), toJson(v));
    const entries = [...byKey.entries()].sort(([a], [b]) => compareGoStrings(a, b));
    return { kind: 'object', entries };
  }
  const r = n.resolved;
  switch (r.tag) {
    case 'null':
      return { kind: 'null' };
    case 'bool':
      return { kind: 'bool', value: r.value };
    case 'int':
      return { kind: 'number', text: r.value.toString(), value: Number(r.value) };
    case 'float':
      if (!Number.isFinite(r.value)) throw new Error(`json: unsupported value: ${formatInfNan(r.value)}`);
      return { kind: 'number', text: formatGoJsonFloat(r.value), value: r.value };
    default:
      return { kind: 'string', value: n.text };
  }
}

function formatInfNan(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
}

/**
 * ghodss/yaml.YAMLToJSON: YAML (or JSON) text to a JSON value with members sorted as Go's
 * encoding/json sorts map keys. Numbers carry their final text (encode them verbatim).
 */
export function yamlToJson(text: string): YamlToJsonResult {
  const read = readYaml(text);
  if (!read.ok) return read;
  if (read.node === undefined) return { ok: true, value: { kind: 'null' } };
  try {
    return { ok: true, value: toJson(read.node) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
