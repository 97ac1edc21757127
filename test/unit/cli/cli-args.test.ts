// Word classification of the real polycubectl (REST spec §2.1): commands, flags, body arguments,
// '?' and path words, with the real client's syntax error texts.

import { parseCliArgs, ShowType } from '../../../src/cli/cli-args';

interface Row {
  name: string;
  in: string[];
  want?: {
    command?: string;
    path?: string[];
    body?: Array<[string, string]>;
    show?: ShowType;
    help?: boolean;
    hide?: string[];
  };
  wantErr?: string;
}

const rows: Row[] = [
  { name: 'no words at all is a help request', in: [], want: { help: true, path: [] } },
  {
    name: 'a command word is not a path segment',
    in: ['lbrp', 'add', 'lb0'],
    want: { command: 'add', path: ['lbrp', 'lb0'] },
  },
  {
    name: 'the command may follow the path words',
    in: ['lbrp', 'lb0', 'add'],
    want: { command: 'add', path: ['lbrp', 'lb0'] },
  },
  {
    name: 'key=value words are body arguments in typed order',
    in: ['lbrp', 'add', 'lb0', 'port_mode=MULTI', 'loglevel=TRACE'],
    want: {
      body: [
        ['port_mode', 'MULTI'],
        ['loglevel', 'TRACE'],
      ],
    },
  },
  { name: 'an empty value is allowed', in: ['lb0', 'set', 'peer='], want: { body: [['peer', '']] } },
  {
    name: '? as the last word asks for help',
    in: ['lb0', 'show', '?'],
    want: { help: true, command: 'show' },
  },
  { name: '-json selects JSON output', in: ['lb0', 'show', '-json'], want: { show: ShowType.JSON } },
  { name: '-brief selects depth 1', in: ['lb0', 'show', '-brief'], want: { show: ShowType.BRIEF } },
  {
    name: '-hide lists dotted paths',
    in: ['lb0', 'show', '-hide=uuid,ports.uuid'],
    want: { hide: ['uuid', 'ports.uuid'] },
  },
  { name: '-h alone is a help request', in: ['-h'], want: { help: true, path: [] } },
  { name: '--help alone is a help request', in: ['--help'], want: { help: true } },
  {
    name: 'two commands are refused',
    in: ['lbrp', 'add', 'show'],
    wantErr: 'Multiple commands found: show and add',
  },
  {
    name: 'a path word after a body argument is refused',
    in: ['lb0', 'set', 'a=1', 'b'],
    wantErr: 'b is not valid after a=1',
  },
  {
    name: 'a command after a body argument is refused',
    in: ['lb0', 'a=1', 'set'],
    wantErr: 'set is not valid after a=1',
  },
  { name: 'a value cannot contain =', in: ['lb0', 'set', 'a=b=c'], wantErr: 'a=b=c is not a valid format' },
  { name: 'a key cannot repeat', in: ['lb0', 'set', 'a=1', 'a=2'], wantErr: 'Duplicated values for a' },
  { name: '? must be last', in: ['lb0', '?', 'show'], wantErr: "'?' must be the last argument" },
  {
    name: 'show flags need the show command first',
    in: ['lb0', '-json', 'show'],
    wantErr: '-json can only be used with show command',
  },
  {
    name: 'two show flags are refused',
    in: ['lb0', 'show', '-json', '-yaml'],
    wantErr: '-yaml and -json cannot be use together',
  },
  { name: '-hide needs show', in: ['lb0', '-hide=a'], wantErr: '-hide can only be used with show command' },
  {
    name: '-hide after -json is refused',
    in: ['lb0', 'show', '-json', '-hide=a'],
    wantErr: '-hide is not compatible with -json',
  },
  {
    name: '-yaml after -hide is refused',
    in: ['lb0', 'show', '-hide=a', '-yaml'],
    wantErr: '-hide is not compatible with -yaml',
  },
  {
    name: '-hide without keys is refused',
    in: ['lb0', 'show', '-hide='],
    wantErr: '-hide usage: -hide=key0,key1,key',
  },
  {
    name: '-hide alone is refused',
    in: ['lb0', 'show', '-hide'],
    wantErr: '-hide usage: -hide=key0,key1,key',
  },
  { name: '-h must be the only word', in: ['lb0', '-h'], wantErr: '-h have to be the unique argument' },
  { name: 'unknown flags are refused', in: ['lb0', 'show', '-x'], wantErr: '-x is not a valid flag' },
  {
    name: 'a body argument starting with - is a flag',
    in: ['lb0', 'set', '-a=1'],
    wantErr: '-a=1 is not a valid flag',
  },
  {
    name: 'an empty word is refused instead of crashing',
    in: ['lb0', ''],
    wantErr: 'empty words are not valid arguments',
  },
];

describe('parseCliArgs', () => {
  test.each(rows)('$name', (row) => {
    const got = parseCliArgs(row.in);
    if (row.wantErr !== undefined) {
      expect(got).toEqual({ ok: false, error: row.wantErr });
      return;
    }
    if (!got.ok) throw new Error(`unexpected error: ${got.error}`);
    const w = row.want ?? {};
    if (w.command !== undefined) expect(got.args.command).toBe(w.command);
    if (w.path !== undefined) expect(got.args.pathArgs).toEqual(w.path);
    if (w.body !== undefined) expect([...got.args.bodyArgs]).toEqual(w.body);
    if (w.show !== undefined) expect(got.args.showType).toBe(w.show);
    if (w.help !== undefined) expect(got.args.isHelp).toBe(w.help);
    if (w.hide !== undefined) expect([...(got.args.hideList ?? [])]).toEqual(w.hide);
  });
});
