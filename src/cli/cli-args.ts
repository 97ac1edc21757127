// Word classification of the command line (REST spec §2.1): each word is a command, a flag, a
// `key=value` body argument, the `?` help marker or a path word, tested in that order. Pure.

export type Command = '' | 'add' | 'set' | 'show' | 'del';

/** How `show` prints: the real client's -normal/-brief/-verbose/-json/-yaml. */
export enum ShowType {
  UNSPEC = 'unspec',
  NORMAL = 'normal',
  BRIEF = 'brief',
  VERBOSE = 'verbose',
  JSON = 'json',
  YAML = 'yaml',
}

const SHOW_FLAGS: Record<string, ShowType> = {
  '-normal': ShowType.NORMAL,
  '-brief': ShowType.BRIEF,
  '-verbose': ShowType.VERBOSE,
  '-json': ShowType.JSON,
  '-yaml': ShowType.YAML,
};

/** A classified command line. */
export interface CliArgs {
  command: Command;
  /** Path words in order; escaped only when the URL is built. */
  pathArgs: string[];
  /** Body arguments in the order typed (the body builder sorts them). */
  bodyArgs: Map<string, string>;
  showType: ShowType;
  isHelp: boolean;
  /** Dotted paths from -hide=a,b.c; undefined when -hide was not given. */
  hideList: Set<string> | undefined;
}

/** Classification result: the arguments, or the real client's syntax error text. */
export type ParseResult = { ok: true; args: CliArgs } | { ok: false; error: string };

const isCommand = (w: string): w is Command => w === 'add' || w === 'set' || w === 'show' || w === 'del';

function parseHide(word: string): Set<string> | string {
  const parts = word.split('=');
  if (parts.length !== 2 || parts[1] === '') return '-hide usage: -hide=key0,key1,key';
  return new Set(parts[1].split(','));
}

/**
 * Classifies `words` (argv without the program name) exactly as polycubectl's ParseCLIArgs does.
 * An empty word (which crashes the real client) is refused with a message.
 */
export function parseCliArgs(words: readonly string[]): ParseResult {
  const args: CliArgs = {
    command: '',
    pathArgs: [],
    bodyArgs: new Map(),
    showType: ShowType.UNSPEC,
    isHelp: words.length === 0,
    hideList: undefined,
  };
  let showFlag = '';
  let processingBody = false;
  const fail = (error: string): ParseResult => ({ ok: false, error });
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '') return fail('empty words are not valid arguments');
    if (isCommand(w)) {
      if (args.command !== '') return fail(`Multiple commands found: ${w} and ${args.command}`);
      if (processingBody) return fail(`${w} is not valid after ${words[i - 1]}`);
      args.command = w;
    } else if (w[0] === '-') {
      const show = SHOW_FLAGS[w];
      if (show !== undefined) {
        if (showFlag !== '') return fail(`${w} and ${showFlag} cannot be use together`);
        if (args.command !== 'show') return fail(`${w} can only be used with show command`);
        if (args.hideList !== undefined && (show === ShowType.JSON || show === ShowType.YAML)) {
          return fail(`-hide is not compatible with ${w}`);
        }
        showFlag = w;
        args.showType = show;
      } else if (w === '-h' || w === '--help') {
        if (words.length !== 1) return fail(`${w} have to be the unique argument`);
        args.isHelp = true;
      } else if (w.split('=')[0] === '-hide') {
        if (args.command !== 'show') return fail('-hide can only be used with show command');
        if (showFlag === '-json' || showFlag === '-yaml')
          return fail(`-hide is not compatible with ${showFlag}`);
        const hide = parseHide(w);
        if (typeof hide === 'string') return fail(hide);
        args.hideList = hide;
      } else {
        return fail(`${w} is not a valid flag`);
      }
    } else if (w.includes('=')) {
      processingBody = true;
      const split = w.split('=');
      if (split.length !== 2) return fail(`${w} is not a valid format`);
      if (args.bodyArgs.has(split[0])) return fail(`Duplicated values for ${split[0]}`);
      args.bodyArgs.set(split[0], split[1]);
    } else if (w === '?') {
      if (i !== words.length - 1) return fail("'?' must be the last argument");
      args.isHelp = true;
    } else {
      if (processingBody) return fail(`${w} is not valid after ${words[i - 1]}`);
      args.pathArgs.push(w);
    }
  }
  return { ok: true, args };
}
