// The client configuration: $HOME/.config/polycube/polycubectl_config.yaml (written with defaults
// when it cannot be read, in which case the environment is ignored for that run, as the real
// client does), POLYCUBECTL_* overrides, and the TLS consistency checks that refuse to run.

import * as fs from 'fs';
import * as path from 'path';
import { goParseBool } from './go-strconv';
import { readYaml, type YamlNode } from './yaml-v2-read';

/** Settings of one run. */
export interface CliConfig {
  /** Print each request, the status line and parse errors. */
  debug: boolean;
  /** Show the `services` row in the root help. */
  expert: boolean;
  /** Base URL; requests are `url + path`, so it must end with '/'. */
  url: string;
  /** `set k=v` → PATCH `<url>k/` with a bare scalar body. */
  singleParameterWorkaround: boolean;
  /** CA certificate (PEM file) that signed polycubed's certificate; required for https. */
  cacert: string;
  /** Client certificate and key (PEM files) presented to polycubed. */
  cert: string;
  key: string;
  /** Request timeout in ms (POLYCUBECTL_TIMEOUT_MS, an lbrp extension); 0 = none, as the real client. */
  timeoutMs: number;
}

export const DEFAULT_URL = 'http://localhost:9000/polycube/v1/';

/** The defaults the real client writes into a new config file. */
export function defaultConfig(): CliConfig {
  return {
    debug: false,
    expert: true,
    url: DEFAULT_URL,
    singleParameterWorkaround: true,
    cacert: '',
    cert: '',
    key: '',
    timeoutMs: 0,
  };
}

/** Path of the config file under `home` (the real client concatenates, so HOME="" → "/.config/…"). */
export function configPath(home: string): string {
  return home + '/.config/polycube/polycubectl_config.yaml';
}

const HEADER = `# debug: shows http method/url and body of the response
# expert: enables the possibility to add new services
# url: is the base url to contact the rest server
# cacert: path to certification authority certificate to validate polycubed identity
# cert: path to certificate to present to polycubed for validate polycubectl identity
# key: path to private key for polycubectl

`;

function renderDefaultFile(c: CliConfig): string {
  return (
    HEADER +
    `debug: ${c.debug}\nexpert: ${c.expert}\nurl: ${c.url}\n` +
    `singleparameterworkaround: ${c.singleParameterWorkaround}\ncacert: ""\ncert: ""\nkey: ""\n`
  );
}

/** Outcome of {@link loadConfig}; `warnings` are printed to stdout even when loading fails. */
export type ConfigLoad =
  | { ok: true; config: CliConfig; warnings: string[]; created: boolean }
  | { ok: false; error: string; warnings: string[] };

type Field = { name: keyof CliConfig; kind: 'bool' | 'string' };
const FIELDS: Record<string, Field> = {
  debug: { name: 'debug', kind: 'bool' },
  expert: { name: 'expert', kind: 'bool' },
  url: { name: 'url', kind: 'string' },
  singleparameterworkaround: { name: 'singleParameterWorkaround', kind: 'bool' },
  cacert: { name: 'cacert', kind: 'string' },
  cert: { name: 'cert', kind: 'string' },
  key: { name: 'key', kind: 'string' },
};

function shortTag(n: YamlNode): string {
  return n.kind === 'scalar' ? `!!${n.resolved.tag}` : `!!${n.kind}`;
}

function unmarshalError(n: YamlNode, into: string): string {
  const value = n.kind === 'scalar' ? ` \`${n.text}\`` : '';
  return `line ${n.line}: cannot unmarshal ${shortTag(n)}${value} into ${into}`;
}

/** yaml.v2 Unmarshal of the file into the config struct; type errors are collected. */
function decodeInto(config: CliConfig, text: string): string | undefined {
  const read = readYaml(text);
  if (!read.ok) return read.error;
  const root = read.node;
  if (root === undefined || (root.kind === 'scalar' && root.resolved.tag === 'null')) return undefined;
  if (root.kind !== 'map') return `yaml: unmarshal errors:\n  ${unmarshalError(root, 'config.Config')}`;
  const errors: string[] = [];
  const target = config as unknown as Record<string, unknown>;
  for (const [k, v] of root.entries) {
    const field = k.kind === 'scalar' ? FIELDS[k.text] : undefined;
    if (field === undefined) continue;
    if (v.kind !== 'scalar') {
      errors.push(unmarshalError(v, field.kind));
    } else if (v.resolved.tag === 'null') {
      target[field.name] = field.kind === 'bool' ? false : '';
    } else if (field.kind === 'string') {
      target[field.name] = v.text;
    } else if (v.resolved.tag === 'bool') {
      target[field.name] = v.resolved.value;
    } else {
      errors.push(unmarshalError(v, 'bool'));
    }
  }
  return errors.length > 0 ? `yaml: unmarshal errors:\n  ${errors.join('\n  ')}` : undefined;
}

function applyEnv(c: CliConfig, env: Record<string, string | undefined>): void {
  const str = (name: string): string => env[name] ?? '';
  if (str('POLYCUBECTL_URL') !== '') c.url = str('POLYCUBECTL_URL');
  const debug = goParseBool(str('POLYCUBECTL_DEBUG'));
  if (debug !== undefined) c.debug = debug;
  const expert = goParseBool(str('POLYCUBECTL_EXPERT'));
  if (expert !== undefined) c.expert = expert;
  if (str('POLYCUBECTL_CACERT') !== '') c.cacert = str('POLYCUBECTL_CACERT');
  if (str('POLYCUBECTL_CERT') !== '') c.cert = str('POLYCUBECTL_CERT');
  if (str('POLYCUBECTL_KEY') !== '') c.key = str('POLYCUBECTL_KEY');
}

/** Our test knob: a request timeout, read from the environment whether or not the file existed. */
function timeoutFromEnv(env: Record<string, string | undefined>): number {
  const ms = Number(env.POLYCUBECTL_TIMEOUT_MS ?? '');
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/**
 * Loads the configuration for one run. Creates the file with defaults when it cannot be read
 * (errors writing it are ignored). Never throws.
 */
export function loadConfig(env: Record<string, string | undefined>): ConfigLoad {
  const file = configPath(env.HOME ?? '');
  const config = defaultConfig();
  config.timeoutMs = timeoutFromEnv(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, renderDefaultFile(config));
    } catch {
      // The real client ignores a config file it cannot create.
    }
    return { ok: true, config, warnings: [], created: true };
  }
  const decodeError = decodeInto(config, text);
  if (decodeError !== undefined)
    return { ok: false, error: `error decoding config file: ${decodeError}`, warnings: [] };
  applyEnv(config, env);
  const warnings: string[] = [];
  if (config.url.startsWith('https')) {
    if (config.cacert === '') {
      return { ok: false, error: 'https is used but there is not a CA cert defined\n', warnings };
    }
  } else {
    if (config.cacert !== '') warnings.push('Warning: CACert defined but using http');
    if (config.cert !== '') warnings.push('Warning: Cert defined but using http');
    if (config.key !== '') warnings.push('Warning: Key defined but using http');
  }
  if (config.cert !== '' && config.key === '')
    return { ok: false, error: 'cert is defined but key is not.\n', warnings };
  if (config.cert === '' && config.key !== '')
    return { ok: false, error: 'key is defined but cert is not.\n', warnings };
  return { ok: true, config, warnings, created: false };
}
