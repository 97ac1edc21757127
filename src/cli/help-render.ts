// Renders a `?` help answer (REST spec §3.3-§3.4) as the real client does: a Keyword/Type/
// Description table whose rows depend on the command, `Example:` lines for add/del, and for the
// root the fixed command rows plus the running cubes from `GET <url>/cubes/`.

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

/** Builds the rows; returns them with the number of header-worthy sections and the example. */
async function helpRows(
  args: CliArgs,
  help: JsonValue,
  ctx: HelpContext,
): Promise<{ rows: string[][]; count: number; example: string }> {
  const rows: string[][] = [];
  let count = 0;
  const header = (): void => {
    rows.push(HEADER);
    count++;
  };
  let example =
    'polycubectl ' +
    args.pathArgs
      .filter((p) => p !== '')
      .map((p) => p + ' ')
      .join('') +
    args.command +
    ' ';
  const paramRow = (k: string, c: JsonValue, name = k): string[] => [
    name,
    typeStr(c),
    field(c, 'description'),
  ];
  const params = childrenMap(search(help, 'params'));
  const elements = children(search(help, 'elements'));

  if (args.command === 'add') {
    const p = required(help, 'params', 'add');
    if (p.length > 0) header();
    for (const [k, c] of p) {
      rows.push(paramRow(k, c, `<${k}>`));
      example += field(c, 'example') + ' ';
    }
    const opt = required(help, 'optional-params', 'add');
    if (opt.length > 0) rows.push([''], ['Other parameters:']);
    for (const [k, c] of opt) {
      rows.push(paramRow(k, c, `${k}=value`));
      const ex = field(c, 'example');
      if (ex !== '') example += `${k}=${ex} `;
    }
  } else if (args.command === 'show') {
    if (params !== undefined && params.some(([, c]) => !isKey(c))) {
      header();
      for (const [k, c] of params) if (!isKey(c)) rows.push(paramRow(k, c));
    }
    if (elements.length > 0) {
      if (count === 0) header();
      rows.push(...elementRows(help, elements));
    } else if (params !== undefined) {
      if (params.length > 0) {
        if (count === 0) rows.push(HEADER);
        count++;
      }
      for (const [k, c] of params) if (isKey(c)) rows.push(paramRow(k, c, `<${k}>`));
    }
  } else if (args.command === 'set') {
    const p = required(help, 'params', 'set');
    if (p.length > 0) header();
    for (const [k, c] of p) rows.push(paramRow(k, c, `${k}=value`));
  } else if (args.command === 'del') {
    if (elements.length > 0) {
      header();
      const firstEl = elements[0];
      if (firstEl.kind === 'object')
        for (const [, v] of firstEl.entries) example += stringOf(v, '"elements" values') + ' ';
      rows.push(...elementRows(help, elements));
    } else {
      const p = required(help, 'params', 'del');
      if (p.length > 0) header();
      for (const [k, c] of p) {
        rows.push(paramRow(k, c, `<${k}>`));
        example += field(c, 'example') + ' ';
      }
    }
  } else {
    count = await noneRows(args, help, ctx, rows, count);
  }
  return { rows, count, example };
}

/** Rows of `… ?` without a command, including the fixed root rows and running cubes. */
async function noneRows(
  args: CliArgs,
  help: JsonValue,
  ctx: HelpContext,
  rows: string[][],
  count: number,
): Promise<number> {
  const header = (): void => {
    if (count === 0) rows.push(HEADER);
    count++;
  };
  const commands = children(search(help, 'commands'));
  if (commands.length > 0) header();
  for (const c of commands) {
    const name = stringOf(c, '"commands"');
    rows.push([name, 'command', commandDescription(name)]);
  }
  let params = childrenMap(search(help, 'params'));
  let suffix = '';
  if (params === undefined) {
    params = childrenMap(search(help, 'in'));
    suffix = '=value';
  }
  if (params !== undefined && params.some(([, c]) => !isKey(c))) {
    header();
    for (const [k, c] of params) if (!isKey(c)) rows.push([k + suffix, typeStr(c), field(c, 'description')]);
  }
  const elements = children(search(help, 'elements'));
  if (elements.length > 0) {
    header();
    rows.push(...elementRows(help, elements));
  } else {
    const keyParams = childrenMap(search(help, 'params'));
    if (keyParams !== undefined) {
      if (keyParams.length > 0) {
        if (count === 0) rows.push(HEADER);
        count++;
      }
      for (const [k, c] of keyParams)
        if (isKey(c)) rows.push([`<${k}>`, typeStr(c), field(c, 'description')]);
    }
  }
  const actions = children(search(help, 'actions'));
  if (actions.length > 0) header();
  for (const a of actions) {
    const name = stringOf(a, '"actions"');
    rows.push([name, 'action', commandDescription(name)]);
  }
  if (args.pathArgs.length === 0) {
    rows.push(
      [''],
      ['connect', 'command', 'Connect ports'],
      ['disconnect', 'command', 'Disconnect ports'],
      [''],
    );
    if (ctx.expert) rows.push(['services', 'command', 'Show/Add/Del services (e.g. Bridge, Router, ..)']);
    rows.push(
      ['cubes', 'command', 'Show running service instances (e.g. br1, nat2, ..)'],
      ['topology', 'command', 'Show topology of service instances'],
      ['netdevs', 'command', 'Show net devices available'],
    );
    const cubes = await ctx.fetchCubes();
    if (cubes.length > 0) {
      rows.push([''], ['Running Services', 'Type']);
      for (const [service, names] of cubes)
        for (const n of names) rows.push([n, service, 'Running Service instance']);
    }
  }
  return count;
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
  const { rows, count, example } = await helpRows(args, help, ctx);
  if (count === 0) screen.add('\nThere is not help for this command\n');
  // Every row after the first gets one leading space in each cell.
  const spaced = rows.map((r, i) => (i === 0 ? r : r.map((c) => ' ' + c)));
  screen.add(columnize(spaced, screen));
  if (args.command === 'add' || args.command === 'del') screen.add(`\nExample: \n ${example}`);
  screen.add('\n');
}
