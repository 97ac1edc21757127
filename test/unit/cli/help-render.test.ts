// `?` help rendering from the REST spec §3.6 answers: table rows per command, the one-space cell
// prefix, columnize alignment and wrapping at 75 columns, Example lines, the root help's fixed
// rows and running cubes, and clear errors where the real client would crash.

import { parseCliArgs } from '../../../src/cli/cli-args';
import { gabsNormalize, parseJson } from '../../../src/cli/go-json';
import { MalformedAnswerError, renderHelp, type CubeList } from '../../../src/cli/help-render';
import { Screen } from '../../../src/cli/screen';
import { HELP } from './spec-answers';

async function render(
  line: string,
  answer: unknown,
  opts: { width?: number; expert?: boolean; cubes?: CubeList } = {},
) {
  let out = '';
  const screen = new Screen(opts.width ?? -1, (t) => (out += t));
  const parsed = parseCliArgs(line === '' ? [] : line.split(' '));
  if (!parsed.ok) throw new Error(parsed.error);
  const json = parseJson(JSON.stringify(answer));
  if (!json.ok) throw new Error(json.error);
  await renderHelp(screen, parsed.args, gabsNormalize(json.value), {
    debug: false,
    expert: opts.expert ?? true,
    fetchCubes: async () => opts.cubes ?? [['lbrp', ['lb0']]],
  });
  screen.flush();
  return out;
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('renderHelp', () => {
  // Commands first, then one row per existing element. Outside add, del and the root the header
  // has an Example column; rows without an example cell keep their description unwrapped.
  test('polycubectl lbrp ?', async () => {
    const show = ' Show entry or list [-normal | -brief | -verbose | -json | -yaml]';
    expect(await render('lbrp ?', HELP['lbrp ?'])).toBe(
      '\n' +
        lines(
          'Keyword  Type      ' + 'Description'.padEnd(show.length) + '  Example',
          ' add      command   Add entry to a list',
          ' del      command   Delete entry of a list',
          ' show     command  ' + show,
          ' lb0      <name>    ',
        ),
    );
  });

  // Keys as <name>, then "Other parameters:" as name=value, then the Example from the examples.
  test('polycubectl lbrp add ?', async () => {
    expect(await render('lbrp add ?', HELP['lbrp add ?'])).toBe(
      '\n' +
        lines(
          'Keyword              Type      Description',
          ' <name>               string    Name of the lbrp service',
          ' ',
          ' Other parameters:',
          ' type=value           string    Type of the Cube (TC, XDP_SKB, XDP_DRV)',
          ' service-name=value   string    ',
          ' loglevel=value       string    Logging level of a cube, from none (OFF) to ',
          '                                the most verbose (TRACE)',
          ' shadow=value         boolean   Defines if the service is visible in Linux',
          ' span=value           boolean   Defines if all traffic is sent to Linux',
          " port_mode=value      string    LB mode of operation. 'SINGLE' is optimized ",
          '                                for working with a single FRONTEND port. ',
          "                                'MULTI' allows to manage multiple FRONTEND port",
          'Example: ',
          ' polycubectl lbrp add lbrp1 type=TC service-name=helloworld loglevel=INFO ',
        ),
    );
  });

  // An empty key example leaves two spaces, as in the spec's example line.
  test('polycubectl lb0 service add ? ends with the spec Example line', async () => {
    const out = await render('lb0 service add ?', HELP['lb0 service add ?']);
    expect(
      out.endsWith('Example: \n polycubectl lb0 service add 130.192.100.12 80  name=Service-nginx \n'),
    ).toBe(true);
  });

  // Existing elements list their key values and key names; del's Example uses the first one.
  test('polycubectl lb0 service del ?', async () => {
    expect(await render('lb0 service del ?', HELP['lb0 service del ?'])).toBe(
      '\n' +
        lines(
          'Keyword            Type                     Description',
          ' 10.0.0.1 80 tcp    <vip> <vport> <proto>    ',
          'Example: ',
          ' polycubectl lb0 service del 10.0.0.1 80 tcp ',
        ),
    );
  });

  // Child lists and containers are typed list/container; every parameter row gets an Example cell.
  test('polycubectl lb0 ?', async () => {
    // The Description column is as wide as its longest cell (with its leading space).
    const width = 1 + (HELP['lb0 ?'].params['src-ip-rewrite'] as { description: string }).description.length;
    const d = (text: string): string => (' ' + text).padEnd(width);
    expect(await render('lb0 ?', HELP['lb0 ?'])).toBe(
      '\n' +
        lines(
          'Keyword          Type        ' + 'Description'.padEnd(width) + '  Example',
          ' set              command     Set a value',
          ' show             command     Show entry or list [-normal | -brief | -verbose | -json | -yaml]',
          ' ports            list       ' + d('Entry of the ports table') + '   ',
          ' src-ip-rewrite   container  ' +
            d(
              "If configured, when a client request arrives to the LB, the source IP address is replaced with another IP address from the 'new' range",
            ) +
            '   ',
          ' service          list       ' +
            d('Services (i.e., virtual ip:protocol:port) exported to the client') +
            '   ',
        ),
    );
  });

  // set lists key=value rows with their examples.
  test('polycubectl lb0 ports p1 set ?', async () => {
    const width = 1 + (HELP['lb0 ports p1 set ?'].params.peer as { description: string }).description.length;
    const d = (text: string): string => (' ' + text).padEnd(width);
    expect(await render('lb0 ports p1 set ?', HELP['lb0 ports p1 set ?'])).toBe(
      '\n' +
        lines(
          'Keyword      Type     ' + 'Description'.padEnd(width) + '  Example',
          ' peer=value   string  ' +
            d("Peer name, such as a network interfaces (e.g., 'veth0') or another cube (e.g., 'br1:port2')") +
            '   r0:port1',
          ' type=value   string  ' + d('Type of the LB port (e.g. FRONTEND or BACKEND)') + '   ',
          ' ip=value     string  ' +
            d('IP address of the client interface (only for FRONTEND port)') +
            '   10.10.1.1',
        ),
    );
  });

  // The root adds fixed rows (three columns) and the running cubes; the long cubes row wraps.
  test('polycubectl ?', async () => {
    expect(await render('?', HELP['?'])).toBe(
      '\n' +
        lines(
          'Keyword            Type      Description',
          ' lbrp               service   LoadBalancer Reverse-Proxy Service',
          ' ',
          ' connect            command   Connect ports',
          ' disconnect         command   Disconnect ports',
          ' ',
          ' attach             command   Attach transparent cubes',
          ' detach             command   Detach transparent cubes',
          ' ',
          ' services           command   Show/Add/Del services (e.g. Bridge, Router, ..)',
          ' cubes              command   Show running service instances (e.g. br1, nat2, ',
          '                              ..)',
          ' topology           command   Show topology of service instances',
          ' netdevs            command   Show net devices available',
          ' ',
          ' Running Services   Type',
          ' lb0                lbrp      Running Service instance',
        ),
    );
  });

  // expert: false hides the services row; no running cube hides the Running Services block.
  test('root help without expert and without cubes', async () => {
    const out = await render('', HELP['?'], { expert: false, cubes: [] });
    expect(out).not.toContain('services');
    expect(out).not.toContain('Running Services');
  });

  // A wide terminal prints no notice and does not wrap.
  test('a 200-column terminal neither warns nor wraps', async () => {
    const out = await render('lbrp ?', HELP['lbrp ?'], { width: 200 });
    expect(out).toContain(
      ' show     command   Show entry or list [-normal | -brief | -verbose | -json | -yaml]\n',
    );
    expect(out.startsWith('\n')).toBe(true);
  });

  // An answer without rows says so (and still formats an empty table).
  test('an empty answer prints "There is not help for this command"', async () => {
    expect(await render('lb0 show ?', {})).toBe('\n\nThere is not help for this command\n\n');
  });

  // Where the Go client dereferences nil or slices a one-byte string, we report the answer.
  test.each([
    ['lb0 add ?', { params: {} }, '"add ?" needs a "optional-params" object'],
    ['lb0 add ?', {}, '"add ?" needs a "params" object'],
    ['lb0 set ?', {}, '"set ?" needs a "params" object'],
    ['lb0 del ?', { elements: [] }, '"del ?" needs a "params" object'],
    ['lb0 ?', { elements: [{ vport: 80 }] }, '"elements" values must be strings'],
    ['lb0 ?', { params: { a: { type: 'leaf', description: 5 } } }, '"description" is 5, expected a string'],
  ])('%s with %j is a malformed answer', async (line, answer, msg) => {
    await expect(render(line, answer)).rejects.toThrow(MalformedAnswerError);
    await expect(render(line, answer)).rejects.toThrow(msg);
  });
});
