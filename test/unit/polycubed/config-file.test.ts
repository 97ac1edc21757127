// polycubed's --configfile: `flag: value` YAML lines become flags in front of the command line
// (which therefore wins); true is a bare flag, false none; anything else is refused.

import { configFileFlags, expandConfigFile } from '../../../src/polycubed/config-file';

describe('--configfile', () => {
  it('turns polycubed.conf lines into flags', () => {
    const text = '# polycubed\nloglevel: debug\nport: 9001\ndaemon: false\ncubes-dump-enable: true\n';
    expect(configFileFlags(text)).toEqual(['--loglevel', 'debug', '--port', '9001', '--cubes-dump-enable']);
    expect(configFileFlags('')).toEqual([]);
  });

  it('puts the file flags first, so the command line wins', () => {
    const files: Record<string, string> = { '/c.conf': 'port: 9001\n' };
    expect(expandConfigFile(['--port', '9002', '--configfile', '/c.conf'], (f) => files[f])).toEqual([
      '--port',
      '9001',
      '--port',
      '9002',
    ]);
    expect(expandConfigFile(['--configfile=/c.conf'], (f) => files[f])).toEqual(['--port', '9001']);
  });

  it.each([
    ['a list', '- port\n', /expected "flag: value" lines/],
    ['a nested value', 'port: {a: 1}\n', /port must be a string, a number or a boolean/],
    ['a bad name', '"--x": 1\n', /bad flag name/],
    ['broken YAML', 'a: [\n', /not YAML/],
  ])('refuses %s', (_name, text, want) => {
    expect(() => configFileFlags(text, 'c.conf')).toThrow(want);
  });

  it('needs a file after --configfile', () => {
    expect(() => expandConfigFile(['--configfile'])).toThrow(/--configfile needs a file/);
  });
});
