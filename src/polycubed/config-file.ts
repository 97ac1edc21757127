// polycubed's --configfile: a YAML file of `flag: value` lines (polycubed.conf's format, e.g.
// `loglevel: debug`, `port: 9000`, `cubes-dump-enable: true`) turned into command-line flags put
// in front of the real ones, so that the command line wins. Both launchers call it first.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** `argv` with any `--configfile FILE` replaced by FILE's flags in front of the rest. */
export function expandConfigFile(
  argv: readonly string[],
  read = (f: string) => readFileSync(f, 'utf8'),
): string[] {
  const rest: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--configfile') {
      if (i + 1 >= argv.length) throw new Error('--configfile needs a file');
      files.push(argv[++i]);
    } else if (a.startsWith('--configfile=')) files.push(a.slice('--configfile='.length));
    else rest.push(a);
  }
  return [...files.flatMap((f) => configFileFlags(read(f), f)), ...rest];
}

/** The flags of one config file's text: `--key value`, `--key` for true, nothing for false. */
export function configFileFlags(text: string, name = 'config file'): string[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`${name}: not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${name}: expected "flag: value" lines`);
  const out: string[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9-]*$/.test(key)) throw new Error(`${name}: bad flag name ${JSON.stringify(key)}`);
    if (value === true) out.push(`--${key}`);
    else if (value === false || value === null) continue;
    else if (typeof value === 'string' || typeof value === 'number') out.push(`--${key}`, String(value));
    else throw new Error(`${name}: ${key} must be a string, a number or a boolean`);
  }
  return out;
}
