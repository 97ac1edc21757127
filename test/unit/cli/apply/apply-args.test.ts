// The apply extension claims only command lines the real client's grammar rejects, so a cube
// named "apply" keeps the real behaviour; its own flags parse as documented.

import { isApplyInvocation, parseApplyArgs } from '../../../../src/cli/apply/apply-args';
import { parseCliArgs } from '../../../../src/cli/cli-args';

const claimed: string[][] = [
  ['apply', '-f', 'lb.yaml'],
  ['apply', '-f=lb.yaml'],
  ['apply', '--filename', 'lb.yaml', '--dry-run'],
  ['apply', '--filename=lb.yaml'],
  ['apply', '--dry-run'],
  ['apply', '--prune', '-f', 'x'],
  ['apply', '--recreate'],
];
const notClaimed: string[][] = [
  ['apply'],
  ['apply', 'show'],
  ['apply', 'show', '-json'],
  ['apply', 'ports', 'add', 'p1', 'type=FRONTEND'],
  ['apply', '?'],
  ['lb0', 'apply', '-f', 'x'],
  ['-f', 'apply'],
];

test.each(claimed)('%j is the apply extension, and a syntax error for the real client', (...words) => {
  expect(isApplyInvocation(words)).toBe(true);
  expect(parseCliArgs(words).ok).toBe(false);
});

test.each(notClaimed)('%j keeps the real grammar', (...words) => {
  expect(isApplyInvocation(words)).toBe(false);
});

interface Row {
  name: string;
  in: string[];
  want?: { files: string[]; dryRun?: boolean; prune?: boolean; recreate?: boolean };
  wantErr?: string;
}

const rows: Row[] = [
  { name: 'one file', in: ['apply', '-f', 'a.yaml'], want: { files: ['a.yaml'] } },
  {
    name: 'inline file names',
    in: ['apply', '-f=a.yaml', '--filename=b.json'],
    want: { files: ['a.yaml', 'b.json'] },
  },
  {
    name: 'every switch',
    in: ['apply', '--dry-run', '--prune', '--recreate', '-f', '-'],
    want: { files: ['-'], dryRun: true, prune: true, recreate: true },
  },
  { name: 'a file is required', in: ['apply', '--dry-run'], wantErr: '-f FILE is required' },
  { name: '-f needs its value', in: ['apply', '-f'], wantErr: '-f needs a file name' },
  {
    name: 'unknown words are refused',
    in: ['apply', '-f', 'a', 'show'],
    wantErr: 'unexpected argument "show"',
  },
];

test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
  const got = parseApplyArgs(row.in);
  if (row.wantErr !== undefined) {
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error).toContain(row.wantErr);
    return;
  }
  expect(got).toEqual({
    ok: true,
    args: { dryRun: false, prune: false, recreate: false, targets: [], ...row.want },
  });
});

test('several --target nodes: bases normalised, duplicates once, bad URLs refused', () => {
  expect(
    parseApplyArgs([
      'apply',
      '-f',
      'a.yaml',
      '--target',
      'http://10.0.0.1:9000',
      '--target=http://10.0.0.2:9000/polycube/v1/',
      '--target',
      'http://10.0.0.1:9000/',
    ]),
  ).toEqual({
    ok: true,
    args: {
      files: ['a.yaml'],
      dryRun: false,
      prune: false,
      recreate: false,
      targets: ['http://10.0.0.1:9000/polycube/v1/', 'http://10.0.0.2:9000/polycube/v1/'],
    },
  });
  expect(isApplyInvocation(['apply', '--target', 'http://x:1'])).toBe(true);
  for (const bad of [['--target'], ['--target', 'ftp://x/'], ['--target=not a url']])
    expect(parseApplyArgs(['apply', '-f', 'a.yaml', ...bad]).ok).toBe(false);
});
