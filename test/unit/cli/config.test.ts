// The config file and environment (REST spec §8): created with defaults when missing (and then
// the environment is ignored), POLYCUBECTL_* overrides, YAML errors and the TLS refusals.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configPath, DEFAULT_URL, loadConfig } from '../../../src/cli/config';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'pcnctl-config-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function writeConfig(text: string): void {
  fs.mkdirSync(path.dirname(configPath(home)), { recursive: true });
  fs.writeFileSync(configPath(home), text);
}

describe('loadConfig', () => {
  // First run: the file is written with defaults and POLYCUBECTL_URL is not applied yet.
  test('missing file is created, environment ignored', () => {
    const got = loadConfig({ HOME: home, POLYCUBECTL_URL: 'http://x:1/polycube/v1/' });
    expect(got).toMatchObject({
      ok: true,
      created: true,
      config: { url: DEFAULT_URL, debug: false, expert: true },
    });
    const text = fs.readFileSync(configPath(home), 'utf8');
    expect(text).toContain(
      '\ndebug: false\nexpert: true\nurl: http://localhost:9000/polycube/v1/\nsingleparameterworkaround: true\n',
    );
    expect(loadConfig({ HOME: home, POLYCUBECTL_URL: 'http://x:1/polycube/v1/' })).toMatchObject({
      ok: true,
      config: { url: 'http://x:1/polycube/v1/' },
    });
  });

  // YAML 1.1 booleans, unknown keys ignored, then environment overrides (invalid bools ignored).
  test('file values and environment overrides', () => {
    writeConfig(
      'debug: yes\nexpert: off\nurl: http://a:9000/polycube/v1/\nsingleparameterworkaround: false\nother: 1\n',
    );
    expect(loadConfig({ HOME: home, POLYCUBECTL_DEBUG: 'maybe', POLYCUBECTL_EXPERT: 'T' })).toMatchObject({
      ok: true,
      config: {
        debug: true,
        expert: true,
        url: 'http://a:9000/polycube/v1/',
        singleParameterWorkaround: false,
      },
    });
  });

  test.each([
    [
      'debug: maybe\n',
      'error decoding config file: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `maybe` into bool',
    ],
    [
      'url: [a]\n',
      'error decoding config file: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into string',
    ],
    [
      'hello\n',
      'error decoding config file: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `hello` into config.Config',
    ],
    ['url: https://a/\n', 'https is used but there is not a CA cert defined\n'],
    ['cert: /c.pem\n', 'cert is defined but key is not.\n'],
    ['key: /k.pem\n', 'key is defined but cert is not.\n'],
  ])('%j is refused', (text, error) => {
    writeConfig(text);
    expect(loadConfig({ HOME: home })).toMatchObject({ ok: false, error });
  });

  test('invalid YAML is refused with its line', () => {
    writeConfig('debug: false\nurl: [\n');
    const got = loadConfig({ HOME: home });
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error).toMatch(/^error decoding config file: yaml: line \d+: /);
  });

  // Certificates over plain http only warn (the warnings print before any refusal).
  test('http with certificates warns', () => {
    writeConfig('cacert: /ca.pem\ncert: /c.pem\nkey: /k.pem\n');
    expect(loadConfig({ HOME: home })).toMatchObject({
      ok: true,
      warnings: [
        'Warning: CACert defined but using http',
        'Warning: Cert defined but using http',
        'Warning: Key defined but using http',
      ],
    });
  });

  test('https with a CA from the environment is accepted', () => {
    writeConfig('url: https://a:9000/polycube/v1/\n');
    expect(loadConfig({ HOME: home, POLYCUBECTL_CACERT: '/ca.pem' })).toMatchObject({
      ok: true,
      config: { cacert: '/ca.pem' },
    });
  });

  // Our test knob: a request timeout, whether or not the file existed.
  test('POLYCUBECTL_TIMEOUT_MS', () => {
    expect(loadConfig({ HOME: home, POLYCUBECTL_TIMEOUT_MS: '1500' })).toMatchObject({
      config: { timeoutMs: 1500 },
    });
  });
});
