// Client-side aliases (REST spec §2.5): rewrites into generic requests, hard-coded helps that send
// nothing, and the usage errors, in the real client's order.

import { runAliases } from '../../../src/cli/aliases';
import { parseCliArgs, ShowType } from '../../../src/cli/cli-args';
import { buildRequest } from '../../../src/cli/request-builder';
import { Screen } from '../../../src/cli/screen';

const BASE = 'http://h/polycube/v1/';

function run(line: string) {
  let out = '';
  const screen = new Screen(200, (t) => (out += t));
  const parsed = parseCliArgs(line.split(' '));
  if (!parsed.ok) throw new Error(parsed.error);
  const outcome = runAliases(parsed.args, screen, '9.9.9');
  screen.flush();
  const built = buildRequest(parsed.args, BASE, true, () => undefined);
  const req = built.ok ? built.request : undefined;
  return {
    outcome,
    out,
    args: parsed.args,
    req: req && `${req.method} ${req.url.slice(BASE.length)} ${req.body ?? ''}`.trim(),
  };
}

describe('runAliases', () => {
  test.each([
    ['version', 'GET version/', 'polycubectl:\n version: 9.9.9\n'],
    ['netdevs', 'GET netdevs/', ''],
    ['cubes', 'GET cubes/', ''],
    ['topology', 'GET topology/', ''],
    ['connect lb0:p1 veth1', 'POST connect/ {"peer1":"lb0:p1","peer2":"veth1"}', ''],
    ['disconnect lb0:p1 veth1', 'POST disconnect/ {"peer1":"lb0:p1","peer2":"veth1"}', ''],
    ['attach fw1 lb0:p1', 'POST attach/ {"cube":"fw1","port":"lb0:p1"}', ''],
    [
      'attach fw1 lb0:p1 position=first',
      'POST attach/ {"cube":"fw1","port":"lb0:p1","position":"first"}',
      '',
    ],
    ['detach fw1 lb0:p1', 'POST detach/ {"cube":"fw1","port":"lb0:p1"}', ''],
    // The real client's Equals ignores '?': "cubes ?" becomes a SHOW help request.
    ['cubes ?', 'OPTIONS cubes?help=SHOW', ''],
    // Values are typed like any body argument.
    ['connect 1 true', 'POST connect/ {"peer1":1,"peer2":true}', ''],
    ['services show', 'GET services/', ''],
    ['lbrp show', 'GET lbrp/', ''],
  ])('%s → %s', (line, want, printed) => {
    const r = run(line);
    expect(r.outcome).toEqual({ kind: 'request' });
    expect(r.req).toBe(want);
    expect(r.out).toBe(printed);
  });

  test('topology prints -verbose without uuid', () => {
    const r = run('topology');
    expect([r.args.showType, [...(r.args.hideList ?? [])]]).toEqual([ShowType.VERBOSE, ['uuid']]);
  });

  test.each([
    ['version ?', 'There is not help for this command'],
    ['version x', 'Bad syntax, usage: version [show]'],
    ['connect a', 'Bad syntax, usage: connect peer1 peer2'],
    ['connect a b ?', 'Bad syntax, usage: connect peer1 peer2'],
    ['disconnect a b c', 'Bad syntax, usage: connect peer1 peer2'],
    [
      'attach fw1',
      'Bad syntax, usage: attach cube port [position=auto, first, last], [before=cube], [after=cube]',
    ],
    ['attach fw1 p after=a before=b', 'Only one parameter is supported'],
    ['attach fw1 p x=1', 'Parameter x is not valid'],
    ['attach fw1 p position=middle', 'middle is not valid for position argument'],
    ['detach fw1', 'Bad syntax, usage: detach peer1 peer2'],
  ])('%s is refused: %s', (line, message) => {
    expect(run(line).outcome).toEqual({ kind: 'error', message });
  });

  // Hard-coded helps print and send nothing.
  test.each([
    ['connect ?', 'Example:\n connect br1:port1 rt2:port2\n\n'],
    ['disconnect ?', 'Example:\n disconnect br1:port1 rt2:port2\n\n'],
    [
      'services ?',
      `show${' '.repeat(26)}command  Show entry or list [-normal | -brief | -verbose | -json | -yaml]\n\n`,
    ],
    ['services add ?', 'Example:\n services add name=bridge servicecontroller=libpcn-bridge.so\n\n'],
    ['services del ?', 'Example:\n services del bridge\n\n'],
    ['services show ?', 'Example:\n services show bridge\n\n'],
    ['attach ?', 'Example:\n attach fw1 br1:port1 position=first\n\n'],
    ['detach ?', 'Example:\n detach fw1 br1:port1\n\n'],
  ])('%s', (line, tail) => {
    const r = run(line);
    expect(r.outcome).toEqual({ kind: 'done' });
    expect(r.out.endsWith(tail)).toBe(true);
  });

  test('services set ? prints nothing', () => {
    expect(run('services set ?')).toMatchObject({ outcome: { kind: 'done' }, out: '' });
  });
});
