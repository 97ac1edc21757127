// Client-side rewrites evaluated before any request (REST spec §2.5), in the real client's order:
// version, services help, netdevs, cubes, topology, connect/disconnect help and words,
// attach/detach help and words. The first alias that matches (or fails) decides.

import { ShowType, type CliArgs } from './cli-args';
import { printAttachHelp, printConnectHelp, printDetachHelp, printServicesHelp } from './hardcoded-help';
import type { Screen } from './screen';

/** What the run does next: send the (possibly rewritten) request, stop (exit 0), or fail. */
export type AliasOutcome = { kind: 'request' } | { kind: 'done' } | { kind: 'error'; message: string };

interface Alias {
  /** true = applies; a string = syntax error; false = try the next alias. */
  match(a: CliArgs): boolean | string;
  /** Rewrites `a` or prints; returns true when no request must be sent. */
  apply(a: CliArgs, screen: Screen): boolean;
}

/** The real client's `Equals`: same command and path words (flags, body and `?` are ignored). */
const isExactly = (a: CliArgs, word: string): boolean =>
  a.command === '' && a.pathArgs.length === 1 && a.pathArgs[0] === word;

const first = (a: CliArgs): string | undefined => a.pathArgs[0];

function peers(a: CliArgs, path: string, k1: string, k2: string): void {
  a.command = 'add';
  a.bodyArgs = new Map([
    [k1, a.pathArgs[1]],
    [k2, a.pathArgs[2]],
  ]);
  a.pathArgs = [path];
}

function aliases(cliVersion: string): Alias[] {
  const showAs = (a: CliArgs): boolean => {
    a.command = 'show';
    return false;
  };
  return [
    {
      match: (a) => {
        if (first(a) !== 'version') return false;
        if (a.isHelp) return 'There is not help for this command';
        return a.pathArgs.length === 1 ? true : 'Bad syntax, usage: version [show]';
      },
      apply: (a, screen) => {
        screen.add(`polycubectl:\n version: ${cliVersion}\n`);
        return showAs(a);
      },
    },
    {
      match: (a) => first(a) === 'services' && a.isHelp && a.pathArgs.length === 1,
      apply: (a, screen) => {
        printServicesHelp(screen, a.command);
        return true;
      },
    },
    { match: (a) => isExactly(a, 'netdevs'), apply: showAs },
    { match: (a) => isExactly(a, 'cubes'), apply: showAs },
    {
      match: (a) => isExactly(a, 'topology'),
      apply: (a) => {
        a.showType = ShowType.VERBOSE;
        a.hideList = new Set(['uuid']);
        return showAs(a);
      },
    },
    {
      match: (a) => {
        if ((first(a) !== 'connect' && first(a) !== 'disconnect') || !a.isHelp) return false;
        return a.pathArgs.length === 1 ? true : 'Bad syntax, usage: connect peer1 peer2';
      },
      apply: (a, screen) => {
        printConnectHelp(screen, a.pathArgs[0]);
        return true;
      },
    },
    {
      match: (a) =>
        first(a) === 'connect' && (a.pathArgs.length === 3 || 'Bad syntax, usage: connect peer1 peer2'),
      apply: (a) => {
        peers(a, 'connect', 'peer1', 'peer2');
        return false;
      },
    },
    {
      // The real client prints the connect usage here too.
      match: (a) =>
        first(a) === 'disconnect' && (a.pathArgs.length === 3 || 'Bad syntax, usage: connect peer1 peer2'),
      apply: (a) => {
        peers(a, 'disconnect', 'peer1', 'peer2');
        return false;
      },
    },
    {
      match: (a) => first(a) === 'attach' && a.isHelp,
      apply: (_a, screen) => {
        printAttachHelp(screen);
        return true;
      },
    },
    {
      match: (a) => first(a) === 'detach' && a.isHelp,
      apply: (_a, screen) => {
        printDetachHelp(screen);
        return true;
      },
    },
    {
      match: (a) => {
        if (first(a) !== 'attach') return false;
        if (a.pathArgs.length < 3) {
          return 'Bad syntax, usage: attach cube port [position=auto, first, last], [before=cube], [after=cube]';
        }
        if (a.bodyArgs.size > 1) return 'Only one parameter is supported';
        for (const [k, v] of a.bodyArgs) {
          if (k !== 'position' && k !== 'after' && k !== 'before') return `Parameter ${k} is not valid`;
          if (k === 'position' && v !== 'auto' && v !== 'first' && v !== 'last') {
            return `${v} is not valid for position argument`;
          }
        }
        return true;
      },
      apply: (a) => {
        a.command = 'add';
        a.bodyArgs.set('cube', a.pathArgs[1]);
        a.bodyArgs.set('port', a.pathArgs[2]);
        a.pathArgs = ['attach'];
        return false;
      },
    },
    {
      match: (a) =>
        first(a) === 'detach' && (a.pathArgs.length === 3 || 'Bad syntax, usage: detach peer1 peer2'),
      apply: (a) => {
        peers(a, 'detach', 'cube', 'port');
        return false;
      },
    },
  ];
}

/** Runs the aliases on `args` (rewriting it in place); `cliVersion` is printed by `version`. */
export function runAliases(args: CliArgs, screen: Screen, cliVersion: string): AliasOutcome {
  for (const alias of aliases(cliVersion)) {
    const m = alias.match(args);
    if (typeof m === 'string') return { kind: 'error', message: m };
    if (m) return alias.apply(args, screen) ? { kind: 'done' } : { kind: 'request' };
  }
  return { kind: 'request' };
}
