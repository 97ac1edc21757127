// One polycubectl run, in the real client's order (main.go, helpers.go): config → words → aliases
// → request → response printing, with its exit codes: 0 success and syntax errors, 1 config or
// transport failure, 2 non-2xx status (and answers the real client would crash on).

import { ShowType, parseCliArgs, type CliArgs } from './cli-args';
import type { CliIo } from './cli-io';
import { loadConfig, type CliConfig } from './config';
import { encodeGoJson, findNonFiniteNumber, gabsNormalize, parseJson, type JsonValue } from './go-json';
import { renderHelp, MalformedAnswerError, type CubeList } from './help-render';
import { performRequest, TransportError, type HttpOptions } from './http-client';
import { runAliases } from './aliases';
import { isApplyInvocation } from './apply/apply-args';
import { runApply } from './apply/run-apply';
import { buildRequest } from './request-builder';
import { DEPTH, prettyPrint } from './pretty-print';
import { CliExit, Screen } from './screen';
import { emitYamlV2, type YamlValue } from './yaml-v2-emit';
import { resolvePlain } from './yaml-v2-resolve';

export type { CliIo } from './cli-io';

/** Exit codes of the real client. */
export const EXIT = { OK: 0, SYNTAX: 0, TRANSPORT: 1, BAD_STATUS: 2 } as const;

/** gabs2.ParseJSON: our parser plus Go's float64 range check; error text as Go prints it. */
function parseBody(text: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const bad = findNonFiniteNumber(parsed.value);
  if (bad !== undefined)
    return { ok: false, error: `json: cannot unmarshal number ${bad} into Go value of type float64` };
  return { ok: true, value: gabsNormalize(parsed.value) };
}

/** ghodss/yaml.JSONToYAML: the raw body read by yaml.v2 (numbers typed from their text). */
function jsonToYamlValue(v: JsonValue): YamlValue {
  switch (v.kind) {
    case 'object':
      return { kind: 'map', entries: v.entries.map(([k, c]) => [k, jsonToYamlValue(c)]) };
    case 'array':
      return v.items.map(jsonToYamlValue);
    case 'string':
      return v.value;
    case 'bool':
      return v.value;
    case 'null':
      return null;
    case 'number': {
      const r = resolvePlain(v.text);
      return r.tag === 'int' ? r.value : r.tag === 'float' ? r.value : v.text;
    }
  }
}

/** The real client's BufferReplace: un-escapes YANG text printed by `services show`. */
function replaceDatamodel(text: string): string {
  if (!text.includes('datamodel:')) return text;
  return text
    .split('\n    ')
    .join(' ')
    .split('\\n')
    .join('\n')
    .split('\\t')
    .join('\t')
    .split('\\"')
    .join('"');
}

class Run {
  constructor(
    private readonly io: CliIo,
    private readonly screen: Screen,
    private readonly config: CliConfig,
  ) {}

  private get http(): HttpOptions {
    const c = this.config;
    return {
      cacert: c.cacert,
      cert: c.cert,
      key: c.key,
      timeoutMs: c.timeoutMs,
      userAgent: `polycubectl-lbrp/${this.io.version}`,
    };
  }

  async execute(words: readonly string[]): Promise<number> {
    const parsed = parseCliArgs(words);
    if (!parsed.ok) return this.fail(parsed.error, EXIT.SYNTAX);
    const args = parsed.args;
    const alias = runAliases(args, this.screen, this.io.version);
    if (alias.kind === 'error') return this.fail(alias.message, EXIT.SYNTAX);
    if (alias.kind === 'done') return EXIT.OK;
    const built = buildRequest(args, this.config.url, this.config.singleParameterWorkaround, () =>
      this.io.readStdin(),
    );
    if (!built.ok) return this.fail(`cannot use stdin as the request body: ${built.error}`, EXIT.BAD_STATUS);
    const req = built.request;
    if (this.config.debug) this.screen.add(`${req.method} ${req.url}\n${req.body ?? ''}\n\n`);
    let res;
    try {
      res = await performRequest(req, this.http);
    } catch (e) {
      if (e instanceof TransportError) return this.fail(e.message, EXIT.TRANSPORT);
      throw e;
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    await this.printResponse(args, res.statusCode, res.status, res.body.toString('utf8'));
    return ok ? EXIT.OK : EXIT.BAD_STATUS;
  }

  private fail(message: string, code: number): number {
    this.screen.add(message + '\n');
    return code;
  }

  private async printResponse(args: CliArgs, code: number, status: string, body: string): Promise<void> {
    const bad = code < 200 || code >= 300;
    if (bad && body !== '') {
      this.screen.add(body + '\n');
      return;
    }
    if (!args.isHelp) {
      if (this.config.debug || bad) this.screen.add(status + '\n');
    } else if (bad) {
      this.screen.add('\nThere is not help for this command\n\n');
    }
    const parsed = parseBody(body);
    if (!parsed.ok) {
      if (this.config.debug) this.screen.add(parsed.error + '\n');
      return;
    }
    if (args.isHelp) {
      await renderHelp(this.screen, args, parsed.value, {
        debug: this.config.debug,
        expert: this.config.expert,
        fetchCubes: () => this.fetchCubes(),
      });
      return;
    }
    if (args.command === 'add' || args.command === 'del' || args.command === 'set' || bad) return;
    this.printShow(args, parsed.value, body);
  }

  private printShow(args: CliArgs, value: JsonValue, body: string): void {
    const hide = args.hideList ?? new Set<string>();
    switch (args.showType) {
      case ShowType.JSON:
        this.screen.add(encodeGoJson(value, '  ') + '\n');
        return;
      case ShowType.YAML: {
        const raw = parseJson(body);
        if (raw.ok) this.screen.add(emitYamlV2(jsonToYamlValue(raw.value)) + '\n');
        return;
      }
      case ShowType.BRIEF:
        this.screen.add(prettyPrint(this.screen, value, hide, DEPTH.BRIEF) + '\n');
        return;
      case ShowType.VERBOSE:
        this.screen.add(prettyPrint(this.screen, value, hide, DEPTH.VERBOSE) + '\n');
        return;
      default:
        this.screen.add(prettyPrint(this.screen, value, hide, DEPTH.NORMAL) + '\n');
    }
  }

  /** `GET <url>/cubes/` for the root help (the double slash is the real client's). */
  private async fetchCubes(): Promise<CubeList> {
    let res;
    try {
      res = await performRequest(
        { method: 'GET', url: this.config.url + '/cubes/', body: undefined },
        this.http,
      );
    } catch (e) {
      if (e instanceof TransportError) {
        this.screen.add(e.message + '\n');
        throw new CliExit(EXIT.TRANSPORT);
      }
      throw e;
    }
    const parsed = parseBody(res.body.toString('utf8'));
    if (!parsed.ok) {
      if (this.config.debug) this.screen.add(parsed.error + '\n');
      throw new CliExit(EXIT.TRANSPORT);
    }
    if (parsed.value.kind !== 'object') {
      throw new MalformedAnswerError('malformed answer to GET /cubes: expected an object of service → cubes');
    }
    return parsed.value.entries.map(([service, cubes]) => {
      const items =
        cubes.kind === 'array' ? cubes.items : cubes.kind === 'object' ? cubes.entries.map(([, c]) => c) : [];
      return [
        service,
        items.map((c) => {
          const name = c.kind === 'object' ? c.entries.find(([k]) => k === 'name')?.[1] : undefined;
          if (name?.kind !== 'string')
            throw new MalformedAnswerError(
              'malformed answer to GET /cubes: every cube needs a string "name"',
            );
          return name.value;
        }),
      ];
    });
  }
}

/**
 * Runs polycubectl with `words` (argv without the program name) and returns the exit code.
 * Everything is printed through `io`; never throws for expected failures.
 */
export async function runCli(words: readonly string[], io: CliIo): Promise<number> {
  const loaded = loadConfig(io.env);
  for (const w of loaded.warnings) io.writeStdout(w + '\n');
  if (!loaded.ok) {
    io.writeStderr(`Error loading config file: ${loaded.error}`);
    return EXIT.TRANSPORT;
  }
  // The declarative apply (an lbrp extension) claims only command lines the real grammar rejects.
  if (isApplyInvocation(words)) return runApply(words, io, loaded.config);
  const screen = new Screen(io.terminalWidth, (t) => io.writeStdout(t));
  let code: number;
  try {
    code = await new Run(io, screen, loaded.config).execute(words);
  } catch (e) {
    if (e instanceof CliExit) code = e.code;
    else if (e instanceof MalformedAnswerError) {
      screen.add(e.message + '\n');
      code = EXIT.BAD_STATUS;
    } else throw e;
  }
  screen.replace(replaceDatamodel(screen.text));
  screen.flush();
  return code;
}
