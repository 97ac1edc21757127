// Command line of `polycubectl apply` (an lbrp extension, not part of the real client). It only
// claims command lines the real grammar rejects: `apply` as the first word together with one of
// the flags below. No real polycubectl command line contains them (REST spec §2.1: any other
// word starting with `-` is a syntax error), so a cube named `apply` keeps working
// (`polycubectl apply show`, `polycubectl apply ports add p1 …`). Pure.

/** The flags that turn `apply …` into the declarative apply. */
const APPLY_FLAGS = ['-f', '--filename', '--dry-run', '--prune', '--recreate', '--target'];

/** What `apply` was asked to do. */
export interface ApplyArgs {
  /** Files to read, in order; `-` is stdin. */
  files: string[];
  /** Print the plan, send nothing that changes state. */
  dryRun: boolean;
  /** Delete list entries on the server that the file's lists do not contain. */
  prune: boolean;
  /** Delete and create again what differs in init-only members (instead of refusing). */
  recreate: boolean;
  /** REST base URLs of several nodes to apply the same files to, one after the other (none = the configured url). */
  targets: string[];
}

/** Parse result: the arguments or a usage error. */
export type ApplyArgsResult = { ok: true; args: ApplyArgs } | { ok: false; error: string };

/** Usage text of the extension. */
export const APPLY_USAGE = `usage: polycubectl apply -f FILE [-f FILE…] [--dry-run] [--prune] [--recreate] [--target URL…]
  Makes running cubes match the configuration in FILE (YAML or JSON; "-" reads stdin), sending
  only the requests that differ, in a safe order. An lbrp extension of polycubectl.
  -f, --filename FILE  desired cubes: one cube object, an array of them, or several YAML documents
  --dry-run            print the plan (one line per request) and change nothing
  --prune              also delete list entries that are on the server but not in the file
  --recreate           delete and re-create what differs in init-only members (disruptive)
  --target URL         apply to this node (http://host:port[/polycube/v1/]); repeat for several
                       nodes: each is planned and applied on its own, and reported per node
`;

function flagName(word: string): string {
  return word.startsWith('--') ? word.split('=')[0] : word.startsWith('-f=') ? '-f' : word;
}

/** True when `words` (argv without the program name) is the apply extension, see the file header. */
export function isApplyInvocation(words: readonly string[]): boolean {
  return words[0] === 'apply' && words.slice(1).some((w) => APPLY_FLAGS.includes(flagName(w)));
}

/** Parses the words after `apply`. */
export function parseApplyArgs(words: readonly string[]): ApplyArgsResult {
  const args: ApplyArgs = { files: [], dryRun: false, prune: false, recreate: false, targets: [] };
  const rest = words[0] === 'apply' ? words.slice(1) : [...words];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    const eq = w.indexOf('=');
    const name = flagName(w);
    if (name === '-f' || name === '--filename') {
      const inline = eq >= 0 ? w.slice(eq + 1) : undefined;
      const file = inline ?? rest[++i];
      if (file === undefined || file === '') return { ok: false, error: `${name} needs a file name` };
      args.files.push(file);
    } else if (name === '--target') {
      const url = eq >= 0 ? w.slice(eq + 1) : rest[++i];
      const base = url === undefined ? undefined : targetBase(url);
      if (base === undefined)
        return { ok: false, error: `--target needs an http(s) URL, got ${JSON.stringify(url ?? '')}` };
      if (!args.targets.includes(base)) args.targets.push(base);
    } else if (w === '--dry-run') args.dryRun = true;
    else if (w === '--prune') args.prune = true;
    else if (w === '--recreate') args.recreate = true;
    else return { ok: false, error: `unexpected argument "${w}"` };
  }
  if (args.files.length === 0) return { ok: false, error: '-f FILE is required' };
  return { ok: true, args };
}

/** The REST base of a --target (`/polycube/v1/` added to a bare host:port), or undefined. */
export function targetBase(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const path =
    u.pathname === '/' ? '/polycube/v1/' : u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `${u.protocol}//${u.host}${path}`;
}
