// Help texts the real client prints without asking the server (`connect ?`, `disconnect ?`,
// `services [add|del|show] ?`, `attach ?`, `detach ?`), rendered with columnize as it does.

import { columnize } from './columnize';
import type { Screen } from './screen';
import type { Command } from './cli-args';

/** Fixed descriptions of the four commands (also used by the generic help). */
export function commandDescription(command: string): string {
  switch (command) {
    case 'add':
      return 'Add entry to a list';
    case 'set':
      return 'Set a value';
    case 'del':
      return 'Delete entry of a list';
    case 'show':
      return 'Show entry or list [-normal | -brief | -verbose | -json | -yaml]';
    default:
      return '';
  }
}

function table(screen: Screen, rows: string[][], example?: string): void {
  const result = columnize(rows, screen);
  screen.add('\n' + result + '\n\n');
  if (example !== undefined) screen.add(`Example:\n ${example}\n\n`);
}

/** `connect ?` / `disconnect ?`: the example starts with the word typed. */
export function printConnectHelp(screen: Screen, word: string): void {
  table(
    screen,
    [
      ['keyword', 'type', 'description'],
      ['<from>', 'cube:port', 'Endpoint of the connection (E.g. br1:port1)'],
      ['<to>', 'cube:port', 'Endpoint of the connection (E.g. rt2:port2)'],
    ],
    `${word} br1:port1 rt2:port2`,
  );
}

/** `services [add|del|show] ?`; other commands print nothing, as in the real client. */
export function printServicesHelp(screen: Screen, command: Command): void {
  const nameRow = ['<name>', 'string', 'Name of the service'];
  switch (command) {
    case '':
      // The real header is one cell with literal bars; kept as it is.
      table(screen, [
        ['keyword | type | description'],
        ['add', 'command', commandDescription('add')],
        ['del', 'command', commandDescription('del')],
        ['show', 'command', commandDescription('show')],
      ]);
      return;
    case 'add':
      table(
        screen,
        [
          ['Params:', '', ''],
          ['name=value', 'string', 'Name of the service'],
          ['servicecontroller=value', 'string', 'Name of the library (e.g. libpcn-bridge.so)'],
        ],
        'services add name=bridge servicecontroller=libpcn-bridge.so',
      );
      return;
    case 'del':
      table(screen, [['keyword', 'type', 'description'], nameRow], 'services del bridge');
      return;
    case 'show':
      table(screen, [['keyword', 'type', 'description'], nameRow], 'services show bridge');
      return;
    default:
      return;
  }
}

/** `attach ?` (our wording; the real text could not be checked, the layout follows connect's). */
export function printAttachHelp(screen: Screen): void {
  table(
    screen,
    [
      ['keyword', 'type', 'description'],
      ['<cube>', 'cube', 'Transparent cube to attach (E.g. fw1)'],
      ['<port>', 'cube:port', 'Port or netdev the cube is attached to (E.g. br1:port1)'],
      ['position=value', 'string', 'Position in the chain: auto, first or last'],
      ['before=value', 'cube', 'Attach before this transparent cube'],
      ['after=value', 'cube', 'Attach after this transparent cube'],
    ],
    'attach fw1 br1:port1 position=first',
  );
}

/** `detach ?` (our wording, see {@link printAttachHelp}). */
export function printDetachHelp(screen: Screen): void {
  table(
    screen,
    [
      ['keyword', 'type', 'description'],
      ['<cube>', 'cube', 'Transparent cube to detach (E.g. fw1)'],
      ['<port>', 'cube:port', 'Port or netdev the cube is attached to (E.g. br1:port1)'],
    ],
    'detach fw1 br1:port1',
  );
}
