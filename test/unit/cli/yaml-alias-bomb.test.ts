// YAML alias bombs ("billion laughs") are refused with a clear error instead of being expanded:
// in `-f` bodies and config files (yaml-v2-read, yaml.v2's alias bound) and in `apply -f` files
// (desired-cubes, the yaml package's maxAliasCount). Ordinary anchors and aliases still work.

import { readDesiredCubes } from '../../../src/cli/apply/desired-cubes';
import { EXCESSIVE_ALIASING, readYaml, yamlToJson } from '../../../src/cli/yaml-v2-read';

/** Nine levels of nine aliases each: 9^9 ≈ 387 million strings if expanded; about 330 bytes. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    const prev = `*${names[i - 1]}`;
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(prev).join(',')}]`);
  }
  return lines.join('\n') + '\n';
}

describe('YAML alias bombs', () => {
  it('the bomb is small', () => {
    expect(aliasBomb().length).toBeLessThan(400);
  });

  it('a -f body or config file: refused with yaml.v2 excessive aliasing', () => {
    expect(readYaml(aliasBomb())).toEqual({ ok: false, error: EXCESSIVE_ALIASING });
    expect(yamlToJson(aliasBomb())).toEqual({ ok: false, error: EXCESSIVE_ALIASING });
  });

  it('an apply -f file: refused, naming the file', () => {
    const text = `service-name: lbrp\nname: lb0\n${aliasBomb()}`;
    const got = readDesiredCubes([{ text, source: 'bomb.yaml' }]);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.errors.join('\n')).toMatch(/^bomb\.yaml: .*alias/i);
  });

  it('ordinary anchors and aliases still expand', () => {
    const text = 'base: &b {port: 80, weight: 2}\nbackends: [*b, *b, *b]\n';
    const got = yamlToJson(text);
    expect(got.ok).toBe(true);
    const apply = readDesiredCubes([
      { text: `service-name: lbrp\nname: lb0\nx: &x [1]\ny: *x\n`, source: 's' },
    ]);
    expect(apply.ok).toBe(true);
  });
});
