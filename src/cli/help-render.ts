// Renders a `?` help answer (REST spec §3.3-§3.4) as the real client does: a Keyword/Type/
// Description(/Example) table whose rows depend on the command, `Example:` lines for add/del, and
// for the root the fixed command rows plus the running cubes from `GET <url>/cubes/`.

import type { CliArgs } from './cli-args';
import { columnize } from './columnize';
import { encodeGoJson, type JsonValue } from './go-json';
import { commandDescription } from './hardcoded-help';
import type { Screen } from './screen';

/** A help answer the real client would crash on; reported instead (exit 2). */
export class MalformedAnswerError extends Error {}

/** Cubes per service, in the order the server listed them. */
export type CubeList = Array<[string, string[]]>;

/** What the renderer needs besides the answer. */
export interface HelpContext {
  debug: boolean;
  expert: boolean;
  /** `GET <url>/cubes/` for the root help; throws CliExit/MalformedAnswerError on failure. */
  fetchCubes(): Promise<CubeList>;
}

/** gabs Search: a member of an object, or the collected members of an array's elements. */
function search(v: JsonValue | undefined, key: string): JsonValue | undefined {
  if (v?.kind === 'object') return v.entries.find(([k]) => k === key)?.[1];
  if (v?.kind === 'array') {
    const found = v.items.map((i) => search(i, key)).filter((x): x is JsonValue => x !== undefined);
    return found.length === 0 ? undefined : { kind: 'array', items: found };
  }
  return undefined;
}

/** gabs Container.String(): JSON of the value, "{}" for a missing or null one. */
function gabsString(v: JsonValue | undefined): string {
  return v === undefined || v.kind === 'null' ? '{}' : encodeGoJson(v);
}

/** The client strips the first and last byte of the JSON text; one byte would crash it. */
function removeQuotes(s: string, what: string): string {
  if (Buffer.byteLength(s) < 2)
    throw new MalformedAnswerError(`malformed help answer: ${what} is ${s}, expected a string`);
  return s.slice(1, -1);
}

function field(child: JsonValue, name: string): string {
  return removeQuotes(gabsString(search(child, name)), `"${name}"`);
}

const typeText = (child: JsonValue): string => gabsString(search(child, 'type'));
const isKey = (child: JsonValue): boolean => typeText(child) === '"key"';

function typeStr(child: JsonValue): string {
  const t = typeText(child);
  if (t === '"leaf"' || t === '"key"' || search(child, 'type') === undefined)
    return field(child, 'simpletype');
  if (t === '"list"') return 'list';
  if (t === '"complex"') return 'container';
  return '';
}

/** ChildrenMap: the members of an object, undefined otherwise. */
function childrenMap(v: JsonValue | undefined): Array<[string, JsonValue]> | undefined {
  return v?.kind === 'object' ? v.entries : undefined;
}

function required(help: JsonValue, name: string, command: string): Array<[string, JsonValue]> {
  const m = childrenMap(search(help, name));
  if (m === undefined) {
    throw new MalformedAnswerError(`malformed help answer: "${command} ?" needs a "${name}" object`);
  }
  return m;
}

/** Children: array items or object values. */
function children(v: JsonValue | undefined): JsonValue[] {
  if (v?.kind === 'array') return v.items;
  if (v?.kind === 'object') return v.entries.map(([, c]) => c);
  return [];
}

function stringOf(v: JsonValue, what: string): string {
  if (v.kind !== 'string') throw new MalformedAnswerError(`malformed help answer: ${what} must be strings`);
  return v.value;
}

/** One row per existing element: its key values and key names, each followed by a space. */
function elementRows(help: JsonValue, elements: JsonValue[]): string[][] {
  // The real client also reads every key parameter's description here (and may crash on it).
  for (const [, c] of childrenMap(search(help, 'params')) ?? []) if (isKey(c)) field(c, 'description');
  return elements.map((el) => {
    if (el.kind !== 'object')
      throw new MalformedAnswerError('malformed help answer: "elements" must hold objects');
    const values = el.entries.map(([, v]) => stringOf(v, '"elements" values') + ' ').join('');
    const keys = el.entries.map(([k]) => `<${k}> `).join('');
    return [values, keys, ''];
  });
}

const HEADER = ['Keyword', 'Type', 'Description'];
const HEADER_WITH_EXAMPLE = [...HEADER, 'Example'];

/**
 * The rows being built. `sections` counts what the real client counts to decide "There is not
 * help": the header goes in once, before the first section. Rows from parameter entries carry
 * the entry's example in a fourth column, except for add, del and the root help (REST spec §3.4).
 */
class HelpTable {
  readonly rows: string[][] = [];
  sections = 0;

  constructor(private readonly withExample: boolean) {}

  header(): void {
    if (this.sections === 0) this.rows.push(this.withExample ? HEADER_WITH_EXAMPLE : HEADER);
    this.sections++;
  }

  param(name: string, c: JsonValue): void {
    const row = [name, typeStr(c), field(c, 'description')];
    if (this.withExample) row.push(field(c, 'example'));
    this.rows.push(row);
  }
}

function exampleStart(args: CliArgs): string {
  const words = args.pathArgs.filter((p) => p !== '').map((p) => p + ' ');
  return 'polycubectl ' + words.join('') + args.command + ' ';
}

/** Rows of `add ?`: keys, then "Other parameters:"; the Example line from their examples. */
function addRows(t: HelpTable, help: JsonValue, example: string): string {
  const params = required(help, 'params', 'add');
  if (params.length > 0) t.header();
  for (const [k, c] of params) {
    t.param(`<${k}>`, c);
    example += field(c, 'example') + ' ';
  }
  const optional = required(help, 'optional-params', 'add');
  if (optional.length > 0) t.rows.push([''], ['Other parameters:']);
  for (const [k, c] of optional) {
    t.param(`${k}=value`, c);
    const ex = field(c, 'example');
    if (ex !== '') example += `${k}=${ex} `;
  }
  return example;
}

/** Rows of `show ?`: non-key parameters, then existing elements or else the keys. */
function showRows(t: HelpTable, help: JsonValue): void {
  const params = childrenMap(search(help, 'params'));
  if (params !== undefined && params.some(([, c]) => !isKey(c))) {
    t.header();
    for (const [k, c] of params) if (!isKey(c)) t.param(k, c);
  }
  const elements = children(search(help, 'elements'));
  if (elements.length > 0) {
    t.header();
    t.rows.push(...elementRows(help, elements));
  } else if (params !== undefined) {
    if (params.length > 0) t.header();
    for (const [k, c] of params) if (isKey(c)) t.param(`<${k}>`, c);
  }
}

/** Rows of `del ?`: existing elements (the first one is the example) or else the keys. */
function delRows(t: HelpTable, help: JsonValue, example: string): string {
  const elements = children(search(help, 'elements'));
  if (elements.length > 0) {
    t.header();
    const first = elements[0];
    if (first.kind === 'object')
      for (const [, v] of first.entries) example += stringOf(v, '"elements" values') + ' ';
    t.rows.push(...elementRows(help, elements));
    return example;
  }
  const params = required(help, 'params', 'del');
  if (params.length > 0) t.header();
  for (const [k, c] of params) {
    t.param(`<${k}>`, c);
    example += field(c, 'example') + ' ';
  }
  return example;
}

/** Rows of `… ?` without a command: commands, parameters, elements or keys, actions. */
function noneRows(t: HelpTable, help: JsonValue): void {
  const commands = children(search(help, 'commands'));
  if (commands.length > 0) t.header();
  for (const c of commands) {
    const name = stringOf(c, '"commands"');
    t.rows.push([name, 'command', commandDescription(name)]);
  }
  let params = childrenMap(search(help, 'params'));
  let suffix = '';
  if (params === undefined) {
    // Yang actions describe their input under "in", shown as name=value.
    params = childrenMap(search(help, 'in'));
    suffix = '=value';
  }
  if (params !== undefined && params.some(([, c]) => !isKey(c))) {
    t.header();
    for (const [k, c] of params) if (!isKey(c)) t.param(k + suffix, c);
  }
  const elements = children(search(help, 'elements'));
  const keyParams = childrenMap(search(help, 'params'));
  if (elements.length > 0) {
    t.header();
    t.rows.push(...elementRows(help, elements));
  } else if (keyParams !== undefined) {
    if (keyParams.length > 0) t.header();
    for (const [k, c] of keyParams) if (isKey(c)) t.param(`<${k}>`, c);
  }
  const actions = children(search(help, 'actions'));
  if (actions.length > 0) t.header();
  for (const a of actions) {
    const name = stringOf(a, '"actions"');
    t.rows.push([name, 'action', commandDescription(name)]);
  }
}

/** The root help's fixed rows, then the running cubes from `GET <url>/cubes/`. */
async function rootRows(t: HelpTable, ctx: HelpContext): Promise<void> {
  t.rows.push(
    [''],
    ['connect', 'command', 'Connect ports'],
    ['disconnect', 'command', 'Disconnect ports'],
    [''],
    ['attach', 'command', 'Attach transparent cubes'],
    ['detach', 'command', 'Detach transparent cubes'],
    [''],
  );
  if (ctx.expert) t.rows.push(['services', 'command', 'Show/Add/Del services (e.g. Bridge, Router, ..)']);
  t.rows.push(
    ['cubes', 'command', 'Show running service instances (e.g. br1, nat2, ..)'],
    ['topology', 'command', 'Show topology of service instances'],
    ['netdevs', 'command', 'Show net devices available'],
  );
  const cubes = await ctx.fetchCubes();
  if (cubes.length > 0) {
    t.rows.push([''], ['Running Services', 'Type']);
    for (const [service, names] of cubes)
      for (const n of names) t.rows.push([n, service, 'Running Service instance']);
  }
}

/** Appends the rendered help for `args` to `screen` (debug: the answer, re-indented, first). */
export async function renderHelp(
  screen: Screen,
  args: CliArgs,
  help: JsonValue,
  ctx: HelpContext,
): Promise<void> {
  if (ctx.debug) screen.add(encodeGoJson(help, '  ') + '\n');
  screen.add('\n');
  const isRoot = args.command === '' && args.pathArgs.length === 0;
  const t = new HelpTable(args.command !== 'add' && args.command !== 'del' && !isRoot);
  let example = exampleStart(args);
  if (args.command === 'add') example = addRows(t, help, example);
  else if (args.command === 'show') showRows(t, help);
  else if (args.command === 'set') {
    const params = required(help, 'params', 'set');
    if (params.length > 0) t.header();
    for (const [k, c] of params) t.param(`${k}=value`, c);
  } else if (args.command === 'del') example = delRows(t, help, example);
  else {
    noneRows(t, help);
    if (isRoot) await rootRows(t, ctx);
  }
  if (t.sections === 0) screen.add('\nThere is not help for this command\n');
  // Every row after the first gets one leading space in each cell.
  const spaced = t.rows.map((r, i) => (i === 0 ? r : r.map((c) => ' ' + c)));
  screen.add(columnize(spaced, screen));
  if (args.command === 'add' || args.command === 'del') screen.add(`\nExample: \n ${example}`);
  screen.add('\n');
}
