// Turns classified arguments into the HTTP request the real client sends (REST spec §2.2-§2.4):
// URL from escaped path words, method from the command, typed JSON body (keys sorted, a.b nesting),
// the single-parameter PATCH workaround and YAML/JSON bodies from a regular file on stdin.

import type { CliArgs } from './cli-args';
import { goAtoi, goParseBool, goParseFloat, formatGoJsonFloat } from './go-strconv';
import { encodeGoJson, sortMembersDeep, type JsonValue } from './go-json';
import { yamlToJson } from './yaml-v2-read';

/** One request as the client will send it. */
export interface CliRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS';
  /** Full URL: base URL + relative part, never normalised. */
  url: string;
  /** Body bytes as text; undefined = no body. */
  body: string | undefined;
}

/** Building result: the request, or why the stdin body could not be converted. */
export type BuildResult = { ok: true; request: CliRequest } | { ok: false; error: string };

const UNRESERVED = /[A-Za-z0-9\-_.~$&+:=@]/;

/** Go's url.PathEscape: keeps unreserved characters and $&+:=@, escapes the rest as %XX (UTF-8). */
export function pathEscape(word: string): string {
  let out = '';
  for (const ch of word) {
    if (ch.length === 1 && UNRESERVED.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** `?help=<TYPE>` with TYPE the upper-cased command, or NONE. */
export function helpQuery(args: CliArgs): string {
  return '?help=' + (args.command === '' ? 'NONE' : args.command.toUpperCase());
}

/** The part after the base URL: `w1/w2/` for data, `w1/w2?help=X` for help. */
export function relativeUrl(args: CliArgs): string {
  const path = args.pathArgs.map((w) => pathEscape(w) + '/').join('');
  if (!args.isHelp) return path;
  return (path === '' ? '' : path.slice(0, -1)) + helpQuery(args);
}

/** OPTIONS for help, POST for add and command-less words, PATCH set, GET show, DELETE del. */
export function requestMethod(args: CliArgs): CliRequest['method'] {
  if (args.isHelp) return 'OPTIONS';
  switch (args.command) {
    case 'set':
      return 'PATCH';
    case 'show':
      return 'GET';
    case 'del':
      return 'DELETE';
    default:
      return 'POST';
  }
}

/** A body value typed as the real client does: Atoi, then ParseFloat, then ParseBool, else string. */
export function typeBodyValue(v: string): JsonValue {
  const i = goAtoi(v);
  if (i !== undefined) return { kind: 'number', text: i.toString(), value: Number(i) };
  const f = goParseFloat(v);
  if (f !== undefined) return { kind: 'number', text: formatGoJsonFloat(f), value: f };
  const b = goParseBool(v);
  if (b !== undefined) return { kind: 'bool', value: b };
  return { kind: 'string', value: v };
}

/** gabs SetP: a dotted key creates nested objects; a clash with a non-object is skipped. */
function setPath(root: JsonValue & { kind: 'object' }, key: string, value: JsonValue): void {
  const parts = key.split('.');
  let cur: JsonValue = root;
  for (let i = 0; i < parts.length; i++) {
    if (cur.kind !== 'object') return;
    const entries: Array<[string, JsonValue]> = cur.entries;
    const at = entries.findIndex(([k]) => k === parts[i]);
    if (i === parts.length - 1) {
      if (at >= 0) entries[at] = [parts[i], value];
      else entries.push([parts[i], value]);
      return;
    }
    if (at < 0) entries.push([parts[i], { kind: 'object', entries: [] }]);
    cur = entries[at < 0 ? entries.length - 1 : at][1];
  }
}

function hasNonFinite(v: JsonValue): boolean {
  if (v.kind === 'number') return !Number.isFinite(v.value);
  if (v.kind === 'object') return v.entries.some(([, c]) => hasNonFinite(c));
  return false;
}

/** The JSON object body from `key=value` arguments, members sorted; `{}` if it cannot be marshalled. */
export function buildBody(bodyArgs: ReadonlyMap<string, string>): string {
  const root: JsonValue & { kind: 'object' } = { kind: 'object', entries: [] };
  for (const [k, v] of bodyArgs) setPath(root, k, typeBodyValue(v));
  // Go's json.Marshal refuses Inf/NaN, and gabs then returns "{}" for the whole body.
  if (hasNonFinite(root)) return '{}';
  return encodeGoJson(sortMembersDeep(root), '', 'verbatim');
}

/** The single-parameter workaround: `<k>/` appended to the URL, the value as a bare scalar. */
export function buildSingleParamBody(key: string, value: string): { path: string; body: string } {
  const path = key + '/';
  if (value === '') return { path, body: '""' };
  if (goAtoi(value) !== undefined || goParseFloat(value) !== undefined || goParseBool(value) !== undefined) {
    return { path, body: value };
  }
  if (value[0] !== '"' && value[value.length - 1] !== '"') return { path, body: `"${value}"` };
  return { path, body: value };
}

/**
 * The request for `args`. `readStdin` returns the content of stdin when it is a regular,
 * non-empty file (else undefined); it is only called when the real client would read stdin.
 */
export function buildRequest(
  args: CliArgs,
  baseUrl: string,
  singleParameterWorkaround: boolean,
  readStdin: () => string | undefined,
): BuildResult {
  let url = relativeUrl(args);
  let body: string | undefined;
  if (!args.isHelp && (args.command === 'add' || args.command === 'set' || args.command === '')) {
    if (args.bodyArgs.size === 1 && singleParameterWorkaround && args.command === 'set') {
      const [[k, v]] = [...args.bodyArgs];
      const single = buildSingleParamBody(k, v);
      url += single.path;
      body = single.body;
    } else {
      const stdin = readStdin();
      if (stdin !== undefined && stdin.length > 0) {
        const converted = yamlToJson(stdin);
        if (!converted.ok) return { ok: false, error: converted.error };
        body = encodeGoJson(converted.value, '', 'verbatim');
      } else {
        body = buildBody(args.bodyArgs);
      }
    }
  }
  return { ok: true, request: { method: requestMethod(args), url: baseUrl + url, body } };
}
