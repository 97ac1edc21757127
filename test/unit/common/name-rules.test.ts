// The one name rule (cube, port, lbrp service and backend names): what it accepts, what it refuses
// and that every refusal says why without echoing the offending character raw.

import { NAME_MAX_BYTES, nameError, nameProblem } from '../../../src/common/name-rules';

interface Row {
  name: string;
  in: string;
  /** Substring of the problem; undefined = valid. */
  wantErr?: string;
}

const ROWS: Row[] = [
  { name: 'plain ASCII', in: 'lb0' },
  { name: 'punctuation', in: 'web-1_a.b@c(x)[y]' },
  { name: 'space', in: 'a b', wantErr: 'U+0020 at position 1' },
  { name: 'colon (cube:port peers)', in: 'a:b', wantErr: 'holds ":"' },
  { name: 'NFC UTF-8', in: 'caf\u00e9-Ω-東京' },
  { name: 'emoji (astral, a surrogate pair in JS)', in: '🙂lb' },
  { name: 'exactly the maximum: 16 four-byte emoji', in: '🙂'.repeat(16) },
  { name: 'empty', in: '', wantErr: 'is empty' },
  { name: 'NUL', in: 'a\u0000b', wantErr: 'U+0000 at position 1' },
  { name: 'C0 newline (log injection)', in: 'a\nINFO fake', wantErr: 'U+000A' },
  { name: 'DEL', in: 'a\u007f', wantErr: 'U+007F' },
  { name: 'C1 control', in: 'a\u0085', wantErr: 'U+0085' },
  { name: 'lone high surrogate', in: '\ud800', wantErr: 'unpaired surrogate (U+D800 at position 0)' },
  { name: 'lone low surrogate', in: 'x\udc00', wantErr: 'unpaired surrogate (U+DC00 at position 1)' },
  { name: 'replacement character', in: '\ufffd', wantErr: 'U+FFFD' },
  { name: 'format character (RTL override)', in: 'a\u202eb', wantErr: 'U+202E' },
  { name: 'line separator', in: 'a\u2028b', wantErr: 'U+2028' },
  { name: 'no-break space', in: 'a\u00a0b', wantErr: 'U+00A0' },
  { name: 'tab', in: 'a\tb', wantErr: 'U+0009' },
  { name: 'noncharacter', in: 'a\uffff', wantErr: 'U+FFFF' },
  { name: 'slash (a path separator in bpffs)', in: 'a/b', wantErr: '"/"' },
  { name: 'dot', in: '.', wantErr: 'is "."' },
  { name: 'dot dot', in: '..', wantErr: 'is ".."' },
  {
    name: 'not NFC: e + combining acute',
    in: 'cafe\u0301',
    wantErr: 'not in Unicode normalisation form NFC',
  },
  { name: 'one byte too long (ASCII)', in: 'a'.repeat(NAME_MAX_BYTES + 1), wantErr: '65 bytes long' },
  { name: 'one byte too long (UTF-8)', in: '🙂'.repeat(16) + 'a', wantErr: '65 bytes long' },
];

describe('nameProblem', () => {
  it.each(ROWS)('$name', (row) => {
    const got = nameProblem(row.in);
    if (row.wantErr === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(row.wantErr);
  });

  it('never echoes a control character into the message', () => {
    for (const row of ROWS.filter((r) => r.wantErr !== undefined)) {
      const msg = nameError('cube name', row.in) ?? '';
      const raw = [...msg].filter((c) => {
        const cp = c.codePointAt(0) as number;
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x202e;
      });
      expect(raw).toEqual([]);
    }
  });

  it('names the field and states the rule', () => {
    expect(nameError('port name', 'a\u0000')).toMatch(
      /^invalid port name: the name holds U\+0000.*; names are 1 to 64 bytes/,
    );
    expect(nameError('port name', 'ok')).toBeUndefined();
  });

  // Service and backend names are labels: inner ASCII spaces are fine there, nothing else changes.
  it('lets labels hold inner spaces, and nothing else identifiers refuse', () => {
    expect(nameProblem('web frontend', 'label')).toBeUndefined();
    expect(nameProblem('web frontend')).toContain('U+0020');
    expect(nameProblem(' web', 'label')).toBe('starts or ends with a space');
    expect(nameProblem('web ', 'label')).toBe('starts or ends with a space');
    expect(nameProblem('a\tb', 'label')).toContain('U+0009');
    expect(nameProblem('a\u00a0b', 'label')).toContain('U+00A0');
    expect(nameProblem('a:b', 'label')).toBe('holds ":"');
    expect(nameProblem('a'.repeat(NAME_MAX_BYTES - 1) + ' b', 'label')).toContain('65 bytes long');
    expect(nameError('service name', 'a\u0000b', 'label')).toMatch(/no spaces but inner ASCII ones/);
  });

  it('the lone surrogates and U+FFFD that once shared a bpffs directory are all refused', () => {
    // Buffer.from(x) turns each of them into EF BF BD, so they would collide as directory names.
    for (const n of ['\ud800', '\udc00', '\ufffd']) expect(nameProblem(n)).toBeDefined();
  });
});
